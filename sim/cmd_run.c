/* sim/cmd_run.c — `ecsim run`: load a scenario, simulate it, write the CSV
 * files.  Outputs appear only when the run completes (each file is written
 * to a temporary name and renamed); on any error none is left behind. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "models/metrics.h"
#include "models/run.h"
#include "models/scenario.h"

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

		if (strcmp(a, "--help") == 0) {
			printf("usage: ecsim run <scenario.json> [--seed N] [--out DIR] [--until SECONDS]\n"
			       "                 [--strategy NAME|JSON] [--tie-break first|random]\n"
			       "                 [--no-task-log] [--quiet]\n");
			exit(EXIT_OK);
		} else if (strcmp(a, "--no-task-log") == 0) {
			o->task_log = 0;
		} else if (strcmp(a, "--quiet") == 0) {
			o->quiet = 1;
		} else if (!strcmp(a, "--seed") || !strcmp(a, "--out") || !strcmp(a, "--until") ||
			   !strcmp(a, "--strategy") || !strcmp(a, "--tie-break")) {
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
				if (!*v || *end || !(o->until_s > 0) || o->until_s > 1e11)
					return cmd_usage_error("run: --until: expected seconds in (0, 1e11], got '%s'", v);
			} else if (!strcmp(a, "--out")) {
				o->out = v;
			} else if (!strcmp(a, "--strategy")) {
				o->strategy = v;
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

int cmd_run(int argc, char **argv)
{
	struct cli_opts o;
	struct err e;
	struct scenario *s;
	char out_dir[1024];
	struct bar bar = { 0 };
	struct run_opts ro;
	uint64_t events;
	int rc;
	struct rusage ru;

	if ((rc = parse_args(argc, argv, &o)))
		return rc;
	bar.t0 = wall_now();
	bar.quiet = o.quiet;
	err_clear(&e);
	s = scenario_load(o.scenario, &e);
	if (!s || (o.strategy && scenario_set_strategy(s, o.strategy, &e)) ||
	    (o.tie_break && scenario_set_tie_break(s, o.tie_break, &e))) {
		err_print(&e, stderr);
		scenario_free(s);
		return EXIT_INPUT;
	}
	if (o.has_seed)
		s->seed = (uint64_t)o.seed;
	if (o.until_s > 0)
		s->duration = sim_ms(o.until_s);
	if (o.out)
		snprintf(out_dir, sizeof out_dir, "%s", o.out);
	else
		snprintf(out_dir, sizeof out_dir, "results/%s", s->name);
	ro = (struct run_opts){ .out_dir = out_dir, .task_log = o.task_log,
				   .progress = progress, .progress_ctx = &bar };
	switch (run_scenario(s, &ro, &events, &e)) {
	case RUN_OK:
		break;
	case RUN_INPUT:
		err_print(&e, stderr);
		scenario_free(s);
		return EXIT_INPUT;
	default:
		err_print(&e, stderr);
		scenario_free(s);
		return EXIT_RUNTIME;
	}
	getrusage(RUSAGE_SELF, &ru);
	if (metrics_write_perf(out_dir, wall_now() - bar.t0, events, ru.ru_maxrss, &e)) {
		err_print(&e, stderr);
		scenario_free(s);
		return EXIT_RUNTIME;
	}
	if (!o.quiet)
		printf("ecsim: %s: %.0f simulated seconds, %llu events; results in %s/\n",
		       s->name, (double)s->duration / 1000.0, (unsigned long long)events, out_dir);
	scenario_free(s);
	return EXIT_OK;
}
