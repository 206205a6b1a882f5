/* models/placement/placement.h — choosing an instance for a task, as ECS
 * does (docs/ecs-model.md §4; choices A1–A13, D1–D14): the eligibility filter
 * (status, agent, CPU, memory, ports, ENI, GPU, runtimePlatform), then the
 * placement constraints, then the strategies in order, then the tie-break.
 *
 * The fast path reads indexes that the cluster keeps up to date, so one
 * placement costs O(log n) in the number of instances for binpack, spread on
 * an attribute or instanceId, and their chains.  tests/oracle/ holds the
 * plain full-scan implementation of the same rules that the fast path is
 * checked against.
 */
#ifndef MODELS_PLACEMENT_H
#define MODELS_PLACEMENT_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "models/cluster.h"
#include "sim/err.h"

struct cJSON;
struct cql_expr;

#define PLACE_MAX_STRATEGIES 5     /* D11 */
#define PLACE_MAX_CONSTRAINTS 10   /* D11 */
/* Room after a task's own constraints for the scheduler's pins
 * (place_add_pin): an instance (DAEMON) or an AZ (AZ rebalancing), and a
 * capacity provider's instances.  ECS's limit of 10 is on the constraints
 * a task is given, not on where its scheduler sends it. */
#define PLACE_MAX_PINS 2

enum place_strategy_type { PS_BINPACK, PS_SPREAD, PS_RANDOM };
enum place_constraint_type { PC_DISTINCT_INSTANCE, PC_MEMBER_OF };
enum place_tie_break { PT_RANDOM, PT_FIRST };      /* A11; default random */

struct place_strategy {
	enum place_strategy_type type;
	char *field;              /* binpack: "cpu"/"memory"; spread: "instanceId",
				   * "host" or "attribute:NAME"; random: NULL */
};

struct place_constraint {
	enum place_constraint_type type;
	char *expression;         /* memberOf only */
	struct cql_expr *expr;    /* parsed expression, memberOf only */
};

struct place_policy {
	/* the zones of the awsvpc subnets (a service's availabilityZones): an
	 * awsvpc task goes only to an instance in one of them, else LOCATION
	 * (docs/ecs-model.md §4.2, choice A1); none = no restriction.  Owned
	 * (place_policy_copy copies, place_policy_free frees). */
	char **loc_az;
	int n_loc_az;
	struct place_strategy strategies[PLACE_MAX_STRATEGIES];
	int n_strategies;         /* 0 = the caller's default (docs/ecs-model.md §4.6, D10) */
	struct place_constraint constraints[PLACE_MAX_CONSTRAINTS + PLACE_MAX_PINS];
	int n_constraints;         /* ≤ PLACE_MAX_CONSTRAINTS but for the pins */
	/* the last n_pins constraints are the scheduler's pins (place_add_pin):
	 * they say which instances the task may go to at all, so an instance
	 * failing one is not considered (choice A4: neither counted nor named
	 * as the closest, nor its reason given) */
	int n_pins;
	/* the instance a pin `instanceId == ID` names, when its caller says
	 * (a DAEMON task's: place_pin_instance), else -1: a failure then looks
	 * at that instance alone */
	int32_t pin_inst;
	enum place_tie_break tie_break;
	/* placement's memo of what strategy k of the chain a placement runs
	 * with this policy prepares on a cluster (spread: the tracked attribute
	 * of its field), valid for the cluster whose cluster_serial is
	 * memo[k].cluster (0: none) and the strategy whose field string is
	 * memo[k].field (the policy's own, or a default chain's).  Cleared
	 * whenever the strategies change (place_policy_init, place_policy_free
	 * and the parsers).  place_task writes it although it takes the policy
	 * as const: a policy must not be an object defined const. */
	struct place_memo {
		uint64_t cluster;
		const char *field;
		int arg;
	} memo[PLACE_MAX_STRATEGIES];
	/* the same memo for the whole chain when it is spread on an attribute
	 * then binpack (az-balanced-binpack): valid, with the same keys as
	 * memo[0] and memo[1], when `cluster` is the cluster's serial, the
	 * fields are the strategies' and the chain has two strategies; a plain
	 * request then takes place_task's short path.  Cleared with memo. */
	struct place_fast {
		uint64_t cluster;
		const char *field[2];
		int attr;             /* the tracked attribute (memo[0].arg) */
		int key;              /* binpack's order, enum cl_key (memo[1].arg) */
	} fast;
};

void place_policy_init(struct place_policy *p);     /* empty, tie-break random */
void place_policy_free(struct place_policy *p);     /* frees members, not p */
void place_policy_copy(struct place_policy *dst, const struct place_policy *src);
/* The zones of p's awsvpc subnets (copied; n = 0: no restriction). */
void place_policy_set_zones(struct place_policy *p, const char *const *azs, int n);

/* Parse AWS's JSON shapes into p (appending): a placementStrategy array
 * ([{"type":"spread","field":"attribute:ecs.availability-zone"}, ...]) and
 * a placementConstraints array ([{"type":"memberOf","expression":"..."},
 * {"type":"distinctInstance"}]).  Errors name the file, the JSON path and,
 * for a bad expression, the column in the expression. */
int place_parse_strategies(struct place_policy *p, const struct cJSON *arr,
			   const char *file, const char *path, struct err *e);
int place_parse_constraints(struct place_policy *p, const struct cJSON *arr,
			    const char *file, const char *path, struct err *e);
/* Append a memberOf constraint from an expression string. */
int place_add_member_of(struct place_policy *p, const char *expression,
			const char *file, const char *path, struct err *e);
/* Append one of the scheduler's pins, a memberOf that is not the task's own
 * (not counted toward PLACE_MAX_CONSTRAINTS; at most PLACE_MAX_PINS of them
 * after the task's constraints, which come first: none is added after a
 * pin).  An instance failing a pin is not a candidate and not considered
 * (choice A4).  -1 with e filled when the expression does
 * not parse or there is no room. */
int place_add_pin(struct place_policy *p, const char *expression, struct err *e);
/* After place_add_pin(p, "instanceId == ID", e): ID is instance i (what a
 * failure looks at, without a search). */
void place_pin_instance(struct place_policy *p, int32_t i);
/* A console template by name: az-balanced-spread, az-balanced-binpack,
 * binpack, one-task-per-host (docs/ecs-model.md §4.6).  Returns -1 with e filled when the name
 * is unknown (the message lists the valid names). */
int place_template(struct place_policy *p, const char *name, struct err *e);
/* Parse --strategy's argument: a template name or a JSON strategy array. */
int place_parse_strategy_arg(struct place_policy *p, const char *arg, struct err *e);
/* A short text form of the strategies ("spread(attribute:ecs.availability-zone)+binpack(memory)";
 * no commas, so it stays one CSV field unquoted), caller frees. */
char *place_policy_describe(const struct place_policy *p);

struct place_result {
	int32_t instance;         /* chosen instance, or -1 */
	const char *reason;       /* on failure: "RESOURCE:CPU", "RESOURCE:MEMORY",
				   * "RESOURCE:PORTS", "RESOURCE:ENI", "RESOURCE:GPU",
				   * "AGENT", "ATTRIBUTE", "NO_INSTANCES",
				   * "FAIL:MemberOf placement constraint unsatisfied.",
				   * "FAIL:DistinctInstance placement constraint unsatisfied."
				   * (static strings, A2/A4/A5); NULL on success */
	int32_t considered;       /* instances considered: the ACTIVE ones the
				   * policy's pins allow (all ACTIVE ones without pins;
				   * with pins counted only on failure) */
};

/* Choose an instance for one task of group g.  Does not reserve anything:
 * on success the caller calls cluster_reserve().  When the policy has no
 * strategy, the default of D10 applies (service:… groups: spread AZ then
 * spread instanceId, A12; otherwise random).  rng is the placement engine's
 * own stream (drawn from only when more than one instance is tied, A11).
 * Returns 0 when placed, 1 when nothing fits (r->reason set). */
int place_task(struct cluster *cl, const struct place_req *req, uint32_t g,
	       const struct place_policy *p, gsl_rng *rng, struct place_result *r);

/* When place_task found no room: the closest instance, whose failure its
 * reason names (docs/ecs-model.md choice A4): of the ACTIVE instances that
 * passed the most checks, the earliest registered; -1 when none is ACTIVE
 * (NO_INSTANCES).  Only for a message that names it (a service's placement
 * failure event): O(log n) for the stage, then a pass from the first
 * instance to the first at that stage. */
int32_t place_closest(struct cluster *cl, const struct place_req *req, uint32_t g,
		      const struct place_policy *p);

#endif
