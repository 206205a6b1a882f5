/* models/placement/explain.h — why a placement went where it went: the
 * per-instance view of one decision, for `ecsim run --explain TASK_ID`
 * (scenarios/README.md, "explain.csv").
 *
 * For every instance of the cluster: the first check it fails, in the
 * filter's order (status, then the checks of docs/ecs-model.md choice A1:
 * agent, CPU, memory, ports, ENI, the task-ENI capability, GPU, platform,
 * then each constraint in order), with the filter's reason code; for the
 * candidates, each strategy's key and the step of the chain that beat them,
 * and for the last tied ones the tie-break.  The view is computed by a plain
 * scan of every instance (O(n) per explained attempt), apart from the real
 * engine; the chosen instance is the engine's own pick (place_task run on a
 * copy of the placement stream, so the real decision that follows is not
 * disturbed), and the scan checks that the engine's pick is one of its tied
 * instances (the earliest registered one with tie-break "first"), or that the
 * engine's failure reason is that of its closest instance.
 *
 * Nothing here runs unless a task is named: the backplane asks
 * explain_log_wants() only when an explain log exists.
 */
#ifndef MODELS_PLACEMENT_EXPLAIN_H
#define MODELS_PLACEMENT_EXPLAIN_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "models/cluster.h"
#include "models/placement/placement.h"
#include "sim/err.h"

enum explain_outcome {
	EX_FILTERED,      /* failed a check: not a candidate */
	EX_BEATEN,        /* a candidate with a worse key at step survived + 1 */
	EX_TIED,          /* best keys at every step, not picked by the tie-break */
	EX_CHOSEN,
};

struct explain_inst {
	const char *check;        /* first failing check: "status", "agent", "cpu",
				   * "memory", "ports", "eni", "eni-capability", "gpu",
				   * "platform", "constraint1".."constraint10"; NULL
				   * for a candidate */
	const char *reason;       /* its reason code (placement.h), or "STATUS:<status>" */
	char detail[200];         /* what failed, in words (numbers with units) */
	int64_t keys[PLACE_MAX_STRATEGIES];    /* candidates: each strategy's key */
	int survived;             /* candidates: strategy steps survived */
	enum explain_outcome outcome;
};

struct explanation {
	struct explain_inst *inst;   /* one per instance, by number */
	int32_t n_inst;
	int n_strategies;            /* in the chain as used (the default included) */
	char *chain;                 /* "spread(attribute:ecs.availability-zone)+binpack(memory)" */
	char step[PLACE_MAX_STRATEGIES][160];   /* each step's text form */
	int64_t best[PLACE_MAX_STRATEGIES];     /* the best key of each step */
	enum place_tie_break tie_break;
	int32_t n_candidates, n_tied;
	int32_t chosen;              /* -1 when nothing fits */
	const char *reason;          /* when nothing fits: the engine's reason */
	int agrees;                  /* the scan agrees with the engine's decision */
};

/* Explain one placement of a task of group g, as place_task(cl, req, g, p,
 * rng) would decide it now.  rng is only copied: its state is unchanged.
 * Returns 0 when some instance fits (x->chosen set), 1 when none does.
 * Free x with explanation_free. */
int place_explain(struct cluster *cl, const struct place_req *req, uint32_t g,
		  const struct place_policy *p, const gsl_rng *rng, struct explanation *x);
void explanation_free(struct explanation *x);
const char *explain_outcome_name(enum explain_outcome o);   /* "filtered", ... */

/* ---- the --explain log: explain.csv in the output folder ---- */

struct explain_log;

struct explain_log *explain_log_new(const char *out_dir);
void explain_log_free(struct explain_log *l);     /* NULL is a no-op; aborts an open file */
/* A failed run: remove the temporary file (NULL is a no-op). */
void explain_log_abort(struct explain_log *l);
void explain_log_add_id(struct explain_log *l, const char *task_id);
int explain_log_wants(const struct explain_log *l, const char *task_id);
/* Just before the real placement of task `task_id` (an attempt at now_ms):
 * explain it and write its rows.  Call explain_log_after() with the real
 * result right after. */
void explain_log_before(struct explain_log *l, const char *task_id, const char *service,
			int64_t now_ms, struct cluster *cl, const struct place_req *req,
			uint32_t g, const struct place_policy *p, const gsl_rng *rng);
void explain_log_after(struct explain_log *l, const struct place_result *r);
/* Write explain.csv into place (header only when nothing was explained).
 * 0, or -1 with e filled. */
int explain_log_close(struct explain_log *l, struct err *e);
/* The k-th id (in the order given) that no placement attempt had, or NULL
 * past the last one. */
const char *explain_log_unmatched(const struct explain_log *l, int k);
/* Attempts whose explanation disagreed with the real decision (a bug). */
int explain_log_disagreements(const struct explain_log *l);

#endif
