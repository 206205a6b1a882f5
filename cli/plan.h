/* cli/plan.h — the plan of `ecsim plan` (PLAN.json, read by cli/plan_file.c)
 * and the state of its search (cli/cmd_plan.c). */
#ifndef CLI_PLAN_H
#define CLI_PLAN_H

#include "exp.h"
#include "sim/err.h"

#define MAXD 8

enum { DIM_PLAIN, DIM_TARGET };

struct dim {
	char *name;
	char **ptrs;
	int n_ptrs;
	int is_int;
	int64_t lo, hi;
	char **values;          /* JSON text of each listed value */
	int n_values;
	/* DIM_TARGET: a capacity provider's managedScaling targetCapacity on the
	 * grid tmax, tmax − step, …, tmin; the search's integer v is the index
	 * (lo 0 .. hi n−1), so that a larger v means more instances, as for
	 * an instance count */
	int kind;
	int tmin, tmax, step;
};

struct cons {
	char *metric, *service; /* service NULL: a run metric; "*": every service */
	int is_min;             /* metric >= thr, else metric <= thr */
	double thr;
};

enum { ST_OK, ST_FAIL, ST_UNDECIDED };

struct point {
	int v[MAXD];            /* integer value, or the index of a listed value */
	int reps;
	struct exp_job *jobs;   /* max_reps */
	struct exp_vals *vals;
	int status;
	double objective;
};

struct plan {
	char *file, *name, *scenario;
	unsigned long long seed;
	int has_seed;
	char **common;
	int n_common;
	struct dim d[MAXD];
	int nd;
	int obj_cost;
	double conf;
	int r0, rmax;
	struct cons *c;
	int nc;
	int plot_dim;
	int scaling;            /* the scenario has a managed-scaling capacity provider */
	/* state */
	struct point *p;
	int np;
	struct exp_names nm;
	int jobs, quiet, task_log, runs;
	char out[1024];
};

/* Read PLAN.json into w (zeroed by the caller); -1 with e filled. */
int plan_load(struct plan *w, const char *file, struct err *e);
/* The value written for integer v of dimension d (v itself, or the
 * target capacity % of a DIM_TARGET index). */
int dim_value(const struct dim *d, int v);
/* Free what w holds (not w). */
void plan_free(struct plan *w);

#endif
