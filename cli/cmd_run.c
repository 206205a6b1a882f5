/* sim/cmd_run.c — `ecsim run`: load a scenario, simulate it, write the CSV
 * files.  Outputs appear only when the run completes (each file is written
 * to a temporary name and renamed); on any error none is left behind. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "models/metrics.h"
#include "models/placement/explain.h"
#include "models/run.h"
#include "models/runinfo.h"
#include "models/scenario.h"
#include "sim/mem.h"
#include "version.h"

struct cli_opts {
	const char *scenario;
	const char *out;
	const char *strategy;
	const char *tie_break;
	long long seed;
	int has_seed;
	double until_s;
	int task_log;
	int quiet;
	const char **sets;            /* --set POINTER=VALUE, in order */
	int n_sets;
	int fail_on_unplaced;
	const char **explain;         /* --explain values (comma lists), argv's */
	int n_explain;
};

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int parse_args(int argc, char **argv, struct cli_opts *o)
{
	memset(o, 0, sizeof *o);
	o->task_log = 1;
	o->until_s = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		char *end;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			printf("usage: ecsim run <scenario.json> [options]\n\n"
			       "Simulate the scenario and write its CSV metrics (scenarios/README.md, \"Outputs\").\n\n"
			       "options:\n"
			       "  --seed N               seed of every random stream (overrides the scenario's seed)\n"
			       "  --out DIR              output folder (default results/<scenario name>/)\n"
			       "  --until SECONDS        simulated time to run (overrides durationSeconds)\n"
			       "  --strategy NAME|JSON   a console template or a placementStrategy array;\n"
			       "                         replaces the scenario's strategies\n"
			       "  --tie-break first|random  final tie-break of placement (overrides the scenario)\n"
			       "  --no-task-log          skip tasks.csv, placement_failures.csv, targets.csv\n"
			       "  --quiet                no progress bar and no closing summary line\n"
			       "  --explain ID[,ID...]   explain.csv: every instance's checks and strategy keys\n"
			       "                         at each placement attempt of these tasks (repeatable)\n"
			       "  --set POINTER=VALUE    change a scenario member first, e.g.\n"
			       "                         /instanceGroups/0/count=12 (JSON value; repeatable)\n"
			       "  --fail-on-unplaced     exit 3 when a task was never placed (for CI)\n"
			       "  -h, --help             this text\n");
			exit(EXIT_OK);
		} else if (strcmp(a, "--no-task-log") == 0) {
			o->task_log = 0;
		} else if (strcmp(a, "--quiet") == 0) {
			o->quiet = 1;
		} else if (strcmp(a, "--fail-on-unplaced") == 0) {
			o->fail_on_unplaced = 1;
		} else if (strcmp(a, "--set") == 0) {
			if (i + 1 >= argc)
				return cmd_usage_error("run: --set needs POINTER=VALUE");
			o->sets = xrealloc(o->sets, (size_t)(o->n_sets + 1) * sizeof *o->sets);
			o->sets[o->n_sets++] = argv[++i];
		} else if (!strcmp(a, "--seed") || !strcmp(a, "--out") || !strcmp(a, "--until") ||
			   !strcmp(a, "--strategy") || !strcmp(a, "--tie-break") || !strcmp(a, "--explain")) {
			const char *v;

			if (i + 1 >= argc)
				return cmd_usage_error("run: %s needs a value", a);
			v = argv[++i];
			if (!strcmp(a, "--seed")) {
				errno = 0;
				o->seed = strtoll(v, &end, 10);
				if (!*v || *end || o->seed < 0 || errno)
					return cmd_usage_error("run: --seed: expected an integer in [0, %lld], got '%s'",
							       (long long)INT64_MAX, v);
				o->has_seed = 1;
			} else if (!strcmp(a, "--until")) {
				o->until_s = strtod(v, &end);
				/* the range of the durationSeconds it overrides: a
				 * value under 1 ms would run 0 ms */
				if (!*v || *end || !(o->until_s >= 0.001) || o->until_s > 1e11)
					return cmd_usage_error("run: --until: expected seconds in [0.001, 1e11], got '%s'", v);
			} else if (!strcmp(a, "--out")) {
				o->out = v;
			} else if (!strcmp(a, "--strategy")) {
				o->strategy = v;
			} else if (!strcmp(a, "--explain")) {
				if (!*v)
					return cmd_usage_error("run: --explain: expected task ids, got ''");
				o->explain = xrealloc(o->explain, (size_t)(o->n_explain + 1) * sizeof *o->explain);
				o->explain[o->n_explain++] = v;
			} else {
				o->tie_break = v;
			}
		} else if (a[0] == '-' && a[1]) {
			return cmd_usage_error("run: unknown option '%s'", a);
		} else if (o->scenario) {
			return cmd_usage_error("run: one scenario at a time (got '%s' and '%s')",
					       o->scenario, a);
		} else {
			o->scenario = a;
		}
	}
	if (!o->scenario)
		return cmd_usage_error("run: missing scenario file");
	return 0;
}

struct bar {
	double t0, last_draw;
	int show, quiet;
};

/* A progress bar on stderr when it is a terminal and the run takes more
 * than a second. */
static void progress(double done, void *ctx)
{
	struct bar *b = ctx;
	double now = wall_now();
	int w = 40, k = (int)(done * w);

	if (b->quiet || !isatty(2))
		return;
	if (!b->show && now - b->t0 > 1.0)
		b->show = 1;
	if (!b->show || (now - b->last_draw < 0.2 && done < 1.0))
		return;
	b->last_draw = now;
	fprintf(stderr, "\r[%.*s%*s] %3d%%%s", k, "########################################",
		w - k, "", (int)(done * 100), done >= 1.0 ? "\n" : "");
}

/* The --explain log, with every id of every comma list. */
static struct explain_log *explain_setup(const char *out_dir, const struct cli_opts *o)
{
	struct explain_log *xl = explain_log_new(out_dir);

	for (int k = 0; k < o->n_explain; k++) {
		char *list = strdup(o->explain[k]), *save = NULL;

		for (char *id = strtok_r(list, ",", &save); id; id = strtok_r(NULL, ",", &save))
			if (*id)
				explain_log_add_id(xl, id);
		free(list);
	}
	return xl;
}

/* At the end: ids that no placement attempt had (a warning, not an error),
 * and any disagreement of an explanation with the real decision (a bug). */
static void explain_report(const struct explain_log *xl)
{
	const char *id;

	for (int k = 0; (id = explain_log_unmatched(xl, k)); k++)
		fprintf(stderr, "ecsim: warning: --explain: task '%s' had no placement attempt on container "
			"instances in this run (ids are tasks.csv's task_id: the trace's, or task-N; a Fargate "
			"task's attempt scans no instance and is not explained)\n", id);
	if (explain_log_disagreements(xl))
		fprintf(stderr, "ecsim: warning: --explain: %d explanation(s) disagree with the real "
			"placement (a bug in ecsim; please report it)\n", explain_log_disagreements(xl));
}

int cmd_run(int argc, char **argv)
{
	struct cli_opts o;
	struct err e;
	struct scenario *s;
	char out_dir[1024];
	struct bar bar = { 0 };
	struct run_opts ro;
	struct run_counts rn;
	int rc;
	struct rusage ru;
	struct explain_log *xl = NULL;

	if ((rc = parse_args(argc, argv, &o))) {
		free(o.sets);           /* (what the options read before the error) */
		free(o.explain);
		return rc;
	}
	bar.t0 = wall_now();
	bar.quiet = o.quiet;
	err_clear(&e);
	s = scenario_load_sets(o.scenario, o.sets, o.n_sets, &e);
	free(o.sets);
	if (!s || (o.strategy && scenario_set_strategy(s, o.strategy, &e)) ||
	    (o.tie_break && scenario_set_tie_break(s, o.tie_break, &e))) {
		err_print(&e, stderr);
		scenario_free(s);
		free(o.explain);
		return EXIT_INPUT;
	}
	/* ECS allows no strategy on a DAEMON service, and a Fargate service's
	 * tasks have no instance to choose among: --strategy leaves them alone */
	for (int i = 0; o.strategy && !o.quiet && i < s->n_services; i++)
		if (s->services[i].sched == SCHED_DAEMON)
			fprintf(stderr, "ecsim: note: --strategy does not apply to DAEMON service '%s' "
				"(a DAEMON service takes no placement strategy)\n", s->services[i].name);
		else if (strcmp(s->services[i].strategy_label, "fargate") == 0)
			fprintf(stderr, "ecsim: note: --strategy does not apply to service '%s' "
				"(its tasks run on Fargate: no instance to choose among)\n", s->services[i].name);
	if (o.has_seed)
		s->seed = (uint64_t)o.seed;
	if (o.until_s > 0)
		s->duration = sim_ms(o.until_s);
	if (o.out)
		snprintf(out_dir, sizeof out_dir, "%s", o.out);
	else
		snprintf(out_dir, sizeof out_dir, "results/%s", s->name);
	if (o.n_explain)
		xl = explain_setup(out_dir, &o);
	free(o.explain);      /* the log has its own copies of the ids */
	o.explain = NULL;
	ro = (struct run_opts){ .out_dir = out_dir, .task_log = o.task_log,
				   .progress = progress, .progress_ctx = &bar, .explain = xl };
	switch (run_scenario(s, &ro, &rn, &e)) {
	case RUN_OK:
		break;
	case RUN_INPUT:
		err_print(&e, stderr);
		explain_log_free(xl);
		scenario_free(s);
		return EXIT_INPUT;
	default:
		err_print(&e, stderr);
		explain_log_free(xl);
		scenario_free(s);
		return EXIT_RUNTIME;
	}
	if (xl && explain_log_close(xl, &e)) {
		err_print(&e, stderr);
		explain_log_free(xl);
		scenario_free(s);
		return EXIT_RUNTIME;
	}
	getrusage(RUSAGE_SELF, &ru);
	if (metrics_write_perf(out_dir, wall_now() - bar.t0, rn.events, rn.held, ru.ru_maxrss, &e)) {
		err_print(&e, stderr);
		scenario_free(s);
		return EXIT_RUNTIME;
	}
	{
		/* last: a complete run.json marks a complete run */
		struct runinfo ri = {
			.version = ECSIM_VERSION, .scenario = o.scenario, .seed = s->seed,
			.strategy = s->strategy_label,
			.tie_break = s->policy.tie_break == PT_FIRST ? "first" : "random",
			.until_s = o.until_s, .duration_ms = s->duration, .task_log = o.task_log,
			.explain = xl != NULL, .lb = s->lb.n_tgs > 0, .argc = argc, .argv = argv,
			.scaling = scenario_scales(s), .alarms = s->n_alarms > 0,
		};

		if (runinfo_finish(out_dir, &ri, &e)) {
			err_print(&e, stderr);
			explain_log_free(xl);
			scenario_free(s);
			return EXIT_RUNTIME;
		}
	}
	explain_report(xl);
	explain_log_free(xl);
	if (!o.quiet)
		printf("ecsim: %s: %.0f simulated seconds, %llu events; results in %s/\n",
		       s->name, (double)s->duration / 1000.0, (unsigned long long)rn.events, out_dir);
	scenario_free(s);
	if (o.fail_on_unplaced)
		return cmd_fail_on_unplaced(out_dir);
	return EXIT_OK;
}
