/* cli/exp.h — what the experiment commands (compare, sweep, check) share:
 * running many `ecsim run`s as values (argv → output folder), locally over
 * processes or over MPI ranks, and reading a finished run's metrics back.
 *
 * A job is the argument vector of one `ecsim run` (argv[0] = "run") and its
 * output folder.  Local mode forks up to `jobs` children, each of which runs
 * cmd_run() in-process; under MPI (built with MPI=1 and launched by mpirun or
 * srun) rank 0 hands jobs out one at a time to the other ranks (a work
 * queue) and gathers each run's metrics as text.  In both modes the text of
 * a run's metrics is made by the same function from the same files, and
 * results are stored by job index, so outputs do not depend on the number
 * of processes or on the order runs finish in. */
#ifndef CLI_EXP_H
#define CLI_EXP_H

#include <stddef.h>
#include <stdio.h>

#include "sim/err.h"

struct exp_job {
	char **argv;          /* NULL-terminated; argv[0] = "run" (owned) */
	int argc;
	char *dir;            /* the run's --out folder (owned) */
	int reuse;            /* skip when dir has a complete run.json of this command */
	/* results */
	int rc;               /* cmd_run's exit code, -1 not run */
	char *metrics;        /* exp_collect's text (owned), NULL when rc != 0 */
	int reused;
};

/* A job for `ecsim run SCENARIO --quiet --out DIR --seed SEED` plus extra
 * arguments (may be NULL/0). */
void exp_job_init(struct exp_job *j, const char *scenario, const char *dir,
		  unsigned long long seed, char *const *extra, int n_extra);
void exp_job_free(struct exp_job *j);

/* Called first by every experiment command.  Returns 1 when this process is
 * an MPI worker: it has served jobs until told to stop and *rc holds its exit
 * code (the command returns it).  0 otherwise (the one process, or rank 0). */
int exp_begin(int *rc);
/* Called last by the command on rank 0: releases the workers. */
void exp_end(void);
/* Number of workers: MPI ranks − 1 under MPI, else `jobs`. */
int exp_workers(int jobs);
int exp_under_mpi(void);
/* Whether this binary was built with MPI. */
int exp_mpi_built(void);

/* Run every job not yet run (rc == -1); progress on stderr unless quiet.
 * Returns 0 when every run succeeded, else the first failing run's exit
 * code (2 bad input, 1 otherwise). */
int exp_execute(struct exp_job *jobs, size_t n, int jobs_max, int quiet, const char *label);

/* A finished run's metrics as text, one "name\tvalue\n" line each, in a
 * fixed order: summary.csv's numeric columns (but seed), then
 * service_summary.csv's as "column[service]", lb_summary.csv's (when the
 * run has load balancers) as "lb_column[target group]", then "@pending_q" with the
 * 0th..100th percentiles of placed tasks' pending time (tasks.csv).
 * NULL with e filled when a file is missing or malformed. */
char *exp_collect(const char *dir, struct err *e);

/* Whether dir/run.json is complete and records exactly this command. */
int exp_run_complete(const char *dir, char *const *argv, int argc);

/* The options `sweep` and `plan` share: one FILE, --jobs N, --out DIR,
 * --no-task-log, --no-plot, --quiet, --help (calls usage).  Returns -1 to go
 * on, else the command's exit code (0 after --help, 2 on a usage error,
 * printed with "<verb>: ").  o->jobs defaults to exp_default_jobs(). */
struct exp_opts {
	const char *file, *out;
	int jobs, quiet, plot, task_log;
};
int exp_file_args(int argc, char **argv, const char *verb, void (*usage)(void), struct exp_opts *o);

/* The default number of local processes: the cores online. */
int exp_default_jobs(void);

/* Format v for a CSV cell ("%.6g"; "" for NaN). */
void exp_fmt(char *buf, size_t n, double v);

/* Whether a gnuplot is on PATH. */
int exp_have_gnuplot(void);
/* Feed gnuplot `vars` (statements setting the script's variables) then
 * `script` (one of the compiled-in plots/ scripts); 0 ok.  Prints a note and
 * returns -1 when gnuplot is missing or fails (a plot never fails a run). */
int exp_gnuplot(const char *name, const char *script, const char *vars, int quiet);
/* gnuplot string literal of s ('...', quotes doubled). */
void exp_gp_str(char *buf, size_t n, const char *s);
extern const char plot_compare_gp[], plot_sweep_gp[], plot_plan_gp[];


/* The metric names of a set of runs, in order of first appearance. */
struct exp_names {
	char **name;
	size_t n, cap;
};

/* A run's metrics parsed against `names` (new names are appended).
 * v[i] is metric i (NAN when the run lacks it or i >= nv); pq the pending
 * percentiles when has_pq. */
struct exp_vals {
	double *v;
	size_t nv;
	double pq[101];
	int has_pq;
};

void exp_parse(const char *metrics, struct exp_names *names, struct exp_vals *out);
double exp_val(const struct exp_vals *v, size_t i);
int exp_name_index(const struct exp_names *names, const char *name);   /* -1 = none */
void exp_names_free(struct exp_names *names);

/* Create dir and its parents; 0 or -1 (errno). */
int exp_mkdirs(const char *dir);

/* Write `s` as one CSV field (quoted when it holds , " or a newline). */
void exp_csv_field(FILE *f, const char *s);
/* Open path.tmp for writing; exp_commit renames it to path (0 ok). */
FILE *exp_open(const char *path, struct err *e);
int exp_commit(FILE *f, const char *path, struct err *e);

/* The key metrics a table and plot show first (NULL-terminated). */
extern const char *const exp_key_metrics[];
/* The unit of a metric from its name's suffix: "s", "ms", "%" or "" (a count). */
const char *exp_unit(const char *metric);

/* The plots of a compare or sweep folder.  Each drawing is one gnuplot
 * session: "dir=<DIR>;" then `vars[i]` then the script of `kind` ("compare"
 * or "sweep").  The variable sets are also saved in DIR/plot_<kind>.vars
 * (one "name<TAB>vars" line each) so that `ecsim plot DIR` can redraw the
 * folder later (with --no-plot they are saved, not drawn). */
void exp_plots(const char *dir, const char *kind, const char *const *names,
	       const char *const *vars, int n, int draw, int quiet);
/* `ecsim plot DIR` on a compare or sweep folder: redraw from the saved
 * variable sets.  0 drawn, 1 gnuplot missing or failing, 2 nothing saved. */
int exp_plot_saved(const char *dir, const char *kind);

#endif
