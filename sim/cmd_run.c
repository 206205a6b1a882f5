/* sim/cmd_run.c — `ecsim run`: load a scenario, simulate it, write the CSV
 * files.  Outputs appear only when the run completes (each file is written
 * to a temporary name and renamed); on any error none is left behind. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "models/backplane.h"
#include "models/metrics.h"
#include "models/scenario.h"
#include "sim/rng.h"
#include "sim/sim.h"

struct run_opts {
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

static int parse_args(int argc, char **argv, struct run_opts *o)
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
				o->seed = strtoll(v, &end, 10);
				if (!*v || *end || o->seed < 0)
					return cmd_usage_error("run: --seed: expected an integer >= 0, got '%s'", v);
				o->has_seed = 1;
			} else if (!strcmp(a, "--until")) {
				o->until_s = strtod(v, &end);
				if (!*v || *end || !(o->until_s > 0) || o->until_s > 1e11)
					return cmd_usage_error("run: --until: expected seconds > 0, got '%s'", v);
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

static void progress(double frac, int done)
{
	int w = 40, k = (int)(frac * w);

	fprintf(stderr, "\r[%.*s%*s] %3d%%%s", k, "########################################",
		w - k, "", (int)(frac * 100), done ? "\n" : "");
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	struct err e;
	struct scenario *s;
	struct sim *sim;
	struct rng_reg *rng;
	struct metrics *m;
	struct backplane *bp;
	struct metrics_cfg cfg;
	char out_dir[1024];
	sim_time_t horizon, step;
	double t0 = wall_now(), last_draw = 0;
	int show = 0, rc;
	struct rusage ru;

	if ((rc = parse_args(argc, argv, &o)))
		return rc;
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
		s->duration = (sim_time_t)(o.until_s * 1000.0 + 0.5);
	if (o.out)
		snprintf(out_dir, sizeof out_dir, "%s", o.out);
	else
		snprintf(out_dir, sizeof out_dir, "results/%s", s->name);

	cfg = (struct metrics_cfg){ out_dir, s->name, s->strategy_label, s->seed, o.task_log };
	m = metrics_open(&cfg, &e);
	if (!m) {
		err_print(&e, stderr);
		scenario_free(s);
		return EXIT_RUNTIME;
	}
	sim = sim_new();
	rng = rng_new(s->seed);
	bp = backplane_new(s, sim, rng, m);
	if (backplane_start(bp, &e)) {
		err_print(&e, stderr);
		rc = EXIT_INPUT;
		goto abort;
	}
	/* run in slices of simulated time so a progress bar can be drawn */
	horizon = s->duration;
	step = horizon / 200 > 0 ? horizon / 200 : 1;
	for (sim_time_t t = 0; t < horizon && !backplane_error(bp);) {
		t = t + step < horizon ? t + step : horizon;
		sim_run(sim, t);
		if (!o.quiet && isatty(2)) {
			double now = wall_now();

			if (!show && now - t0 > 1.0)
				show = 1;
			if (show && now - last_draw > 0.2) {
				progress((double)t / (double)horizon, 0);
				last_draw = now;
			}
		}
	}
	if (show)
		progress(1.0, 1);
	if (backplane_error(bp)) {
		err_print(backplane_error(bp), stderr);
		rc = EXIT_INPUT;
		goto abort;
	}
	sim_set_now(sim, horizon);
	{
		int64_t never = backplane_finish(bp, horizon);

		backplane_free(bp);
		bp = NULL;
		rc = metrics_close(m, horizon, never, &e);
		m = NULL;
	}
	if (rc) {
		err_print(&e, stderr);
		rc = EXIT_RUNTIME;
		goto abort;
	}
	getrusage(RUSAGE_SELF, &ru);
	if (metrics_write_perf(out_dir, wall_now() - t0, sim_events(sim), ru.ru_maxrss, &e)) {
		err_print(&e, stderr);
		rc = EXIT_RUNTIME;
		goto abort;
	}
	if (!o.quiet)
		printf("ecsim: %s: %.0f simulated seconds, %llu events; results in %s/\n",
		       s->name, (double)horizon / 1000.0, (unsigned long long)sim_events(sim), out_dir);
	rc = EXIT_OK;
abort:
	backplane_free(bp);
	metrics_abort(m);
	rng_free(rng);
	sim_free(sim);
	scenario_free(s);
	return rc;
}
