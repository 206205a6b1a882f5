/* models/backplane_int.h — the backplane's own state: its task table, its
 * queue, its workload sources.  Private to the backplane (backplane*.c);
 * the other actors go through backplane.h and bp_msg.h only.
 *
 * A task lives in a slot of bp->tasks; events name it by (slot, generation),
 * so an event for a task that has since been retired is recognised as stale
 * and ignored (lazy cancellation).  Handlers of the lifecycle also check the
 * task's state, so at most one chain of lifecycle events acts on a task.
 */
#ifndef MODELS_BACKPLANE_INT_H
#define MODELS_BACKPLANE_INT_H

#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rstat.h>

#include "models/backplane.h"
#include "models/bp_msg.h"
#include "models/cluster.h"
#include "models/placement/placement.h"
#include "models/task.h"
#include "models/import.h"
#include "models/trace.h"
#include "sim/inum.h"
#include "sim/name_memo.h"
#include "sim/quant.h"

struct trace_src {
	struct backplane *bp;
	struct trace *t;           /* an ecsim trace, or */
	struct import *im;         /* a public trace read directly */
	const char *label;
	char *dir;
	struct trace_row row;
};

struct gen_src {
	struct backplane *bp;
	const struct scn_generator *g;
	gsl_rng *arrivals, *mix, *runtime;
	gsl_ran_discrete_t *table;
	int64_t made;
	double next_s;                  /* exact time of the pending arrival, s */
};

struct backplane {
	struct scenario *s;
	const struct scn_timing *tm;
	struct sim *sim;
	struct rng_reg *rng;
	struct metrics *m;
	struct cluster *cl;
	gsl_rng *place_rng;
	struct explain_log *explain;     /* --explain, NULL = off (borrowed) */

	struct task *tasks;        /* aligned to a cache line, inside tasks_mem (task.h) */
	size_t n_tasks, cap_tasks;
	void *tasks_mem;
	uint32_t *free_slots;
	size_t n_free, cap_free;
	struct hmap *by_id;
	/* instances by id (bp_find_instance): the first registered of each
	 * id, indexed up to n_inst_by_id as the look-ups come (a pass over
	 * every instance per trace row naming one was rows x instances) */
	struct hmap *inst_by_id;
	int32_t n_inst_by_id;
	/* services by name (backplane_find_service): index + 1, the first
	 * of each name */
	struct hmap *svc_by_name;
	uint64_t next_task_no;
	int64_t running, starting, queued;
	int64_t cp_waiting;        /* queued tasks waiting PROVISIONING for a
				    * managed-scaling provider (task.cp_waiting) */

	/* tasks waiting for capacity (standalone, or PROVISIONING for a
	 * provider), FIFO (an array: a walk keeps its entries in place, in
	 * order, new ones join at its end): each entry the task's reference and its kind (what
	 * a walk skips once one of the kind failed: backplane.c on_retry,
	 * without reading the task); an entry is live while q_gen of its slot
	 * is its generation (q_push sets it, a placement clears it, a retired
	 * slot's next generation no longer matches), else it is dropped as a
	 * walk meets it */
	struct qent {
		uint64_t ref;
		int td;
		uint32_t group;
		int cp;
	} *queue;
	size_t q_len, q_cap;
	int retry_scheduled;
	sim_time_t last_walk_t;    /* the instant of the last walk of the queue (-1: none) */
	int walk_quiet;            /* a later walk of that instant: its failures are not logged
				    * again (scenarios/README.md, "Retry policy"; choice E166) */

	int *inst_group;           /* each instance's scenario group, -1 = registered by the trace */
	size_t cap_inst_group;
	int *inst_cp;              /* each instance's capacity provider, -1 = none */
	size_t cap_inst_cp;

	void *actor_state[BA_N];   /* each actor's own, opaque here (bp_msg.h) */

	struct bp_sub {
		uint64_t mask;
		bp_note_fn fn;
		void *ctx;
	} subs[8];                 /* notification subscribers, in order */
	int n_subs;
	uint8_t kind_subs[BN_N][8];   /* per kind, the subscribers to it, in order */
	uint8_t n_kind_subs[BN_N];

	struct trace_src *traces;
	int n_traces;
	struct gen_src *gens;
	int n_gens;
	struct name_memo group_memo;    /* RunTask's group names -> cluster_group ids */

	/* event types */
	uint32_t ev_trace, ev_arrival, ev_retry, ev_timeout, ev_sample, ev_launch, ev_api_stop;
	uint32_t ev_provisioned;
	bp_stop_hold_fn stop_hold;      /* bp_set_stop_hold (the load balancer), NULL */
	void *stop_hold_ctx;
	const char *out_dir;            /* backplane_set_out_dir */
	struct csvout *scaling;         /* scaling.csv, NULL = not opened (or unwritable) */
	int scaling_opened;

	struct err err;
	int failed;
	int watch_standalone;      /* BN_STANDALONE_TASK is sent (bp_watch_standalone) */

	/* stop_task targets waiting out the API latency, indexed by the event's
	 * arg; NULL = free slot.  What is still here at the end is freed. */
	char **stop_ids;
	size_t n_stop_ids, cap_stop_ids;
	size_t *stop_free;
	size_t n_stop_free, cap_stop_free;

	/* (added after the fields above, to keep their places: the hot
	 * ones' cache lines as they were) */
	uint32_t *q_gen;           /* per slot, for the queue's entries (cap_q_gen >= n_tasks once pushed) */
	size_t cap_q_gen;
	/* a task's policy with its capacity provider's pin, per (policy,
	 * provider): backplane.c cp_pinned */
	struct cp_pin {
		const struct place_policy *base;
		int cp;
		struct place_policy *pinned;
	} *cp_pins;
	size_t n_cp_pins, cap_cp_pins, cp_pin_last;
	/* Which tasks are on which instance, for what happens to an instance
	 * (its loss, its agent's disconnection, a count of its tasks) without
	 * a pass over the whole table each time (an AZ outage was instances x
	 * table): a snapshot, the table's placed tasks grouped by instance in
	 * slot order, taken by one pass when asked for and kept while it
	 * still lists every task: while no task has been placed anywhere.
	 * Tasks only leave an instance's list by retiring (their slot no
	 * longer used, or used by a task elsewhere: the reader checks), and
	 * join it only by a placement, which place_seq counts (a per-instance
	 * stamp, a store into a random instance's entry at every placement,
	 * made the plain replay ~5 % slower; an AZ outage's losses come with
	 * no placement between them).  backplane_inst.c. */
	uint64_t place_seq;        /* placements on instances so far */
	int count_nd;              /* ib[].nondaemon kept (bp_count_nondaemon) */
	struct inst_bp {
		int64_t nondaemon;         /* its tasks (placed, slot used) of no DAEMON
					    * service (bp_nondaemon_count) */
		int az;                    /* bp_instance_az */
	} *ib;                     /* per instance */
	size_t cap_ib;
	struct inst_snap {
		int valid;
		uint64_t takes;            /* passes taken (tests) */
		uint64_t seq;              /* place_seq when taken */
		/* the instances with placed tasks then, numbered 0..n_on-1 in
		 * the order the pass met them (sim/inum.h), so that the
		 * snapshot's size and cost follow the placed tasks, not every
		 * instance the run ever registered (a month of a Spot fleet's
		 * replacements) */
		struct inum num;
		int direct;                /* the numbers are the instances' own: no
					    * hash (instances <= 4 x the table + 64) */
		int32_t n_on;              /* numbers given (direct: the instances then) */
		int32_t *start;            /* n_on + 1 offsets into slots */
		size_t cap_start;
		uint32_t *slots;           /* each instance's slots, in slot order */
		size_t cap_slots;
		int32_t *on_of;            /* per placed task in slot order: its number */
		size_t cap_on_of;
	} snap;
	/* The kinds (task definition, group, provider) whose placement failed
	 * in the current walk of the queue (on_retry): a hash set, emptied at
	 * each walk by a new generation (a queue of many kinds was a scan of
	 * the failed ones per entry: kinds x entries a walk).  backplane.c. */
	struct kind_set {
		struct kind_ent {
			int td;
			uint32_t group;
			int cp;
			uint32_t gen;          /* in the set when == the set's gen */
		} *e;
		size_t cap, n;         /* cap: a power of two, or 0 */
		uint32_t gen;
	} failed_kinds;
	/* The kinds of the queue's entries (live or not) and how many entries
	 * each: a walk whose failed kinds are all of them stops there, as
	 * every entry after it would be skipped or dropped (the entries keep
	 * their order).  Open addressing; an entry of n == 0 is free. */
	struct kind_tally {
		struct kind_cnt {
			int td;
			uint32_t group;
			int cp;
			uint32_t n;
		} *e;
		size_t cap, used;      /* used: kinds with entries */
	} queue_kinds;
	size_t q_compact;          /* q_len after the last walk over the whole queue */
	sim_time_t protect_max;    /* the latest end of a task's scale-in protection (0: none yet) */
	sim_time_t *deleted_at;    /* per service: when DeleteService was first called, -1 none
				    * (NULL until a first call; backplane_service_deleted_at) */
};

static inline uint64_t task_ref(const struct backplane *bp, uint32_t slot)
{
	return ref_make(slot, bp->tasks[slot].gen);
}

void bp_fail(struct backplane *bp, const struct err *e);
/* The cluster's totals changed other than by a placement or a stop (an
 * instance left): the metrics' time-weighted reservation follows from now
 * (summary.csv mean_cpu_reserved_pct). */
void bp_cluster_changed(struct backplane *bp);
/* A queued task got its capacity — instance `inst`, or Fargate's (-1):
 * PROVISIONING from now, counted as placed and launched (its launch type
 * t->fg, its provider t->cp). */
void bp_task_placed(struct backplane *bp, struct task *t, int32_t inst);

/* backplane_fargate.c: tasks on Fargate (no instance; docs/ecs-model.md
 * §1.3, §4.11, §5.11, §5.13).  The backplane calls it at two points: the
 * placement decision of a task whose launch type is Fargate
 * (bp_fargate_launch, declared in models/capacity/cp_route.h, instead of
 * the placement engine) and each message it would send an agent
 * (fargate_send: Fargate plays the agent's part); the rest is its own
 * events and its subscription to the notifications (an AZ outage, the end
 * of the run). */
/* The launch type a new task gets without a capacity provider strategy
 * (docs/ecs-model.md §1.9, §5.11): a service's launchType FARGATE, or a
 * task definition whose requiresCompatibilities lists FARGATE and not EC2,
 * runs on FARGATE; everything else on EC2.  enum task_launch (task.h). */
int fargate_launch_of(const struct scenario *s, int td, int svc);
/* A message the backplane sends about a Fargate task (start, stop). */
void fargate_send(struct backplane *bp, uint32_t slot, enum agent_msg m);
/* The Fargate task left: its zone has room again, its bill is added to the
 * run's Fargate cost (called by bp_task_stopped). */
void fargate_task_gone(struct backplane *bp, uint32_t slot);

/* backplane_workload.c: the trace sources and generators */
/* A task definition as tasks.csv writes it: "family:revision", or the
 * family alone for a definition without a revision; into buf. */
const char *bp_td_label(const struct backplane *bp, int td, char *buf, size_t n);

void workload_register(struct backplane *bp);
/* Open the traces and imports, start the generators.  -1 with e filled. */
int workload_start(struct backplane *bp, struct err *e);
void workload_free(struct backplane *bp);

#endif
