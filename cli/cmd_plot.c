/* cli/cmd_plot.c — `ecsim plot DIR`: draw a results folder with gnuplot, as
 * PNG and SVG, into the folder.
 *
 * What is drawn depends on what the folder holds (the first match of
 * `kinds` below):
 *   run.json        one run (`ecsim run`): plots/run.gp → DIR/run.png, run.svg;
 *                   with requests.csv (load balancers) also plots/requests.gp
 *                   → DIR/requests.png, requests.svg
 *   comparison.csv  `ecsim compare`: plots/compare.gp → DIR/compare.png, .svg
 *   sweep.csv       `ecsim sweep`: plots/sweep.gp → DIR/sweep.png, .svg
 *
 * The hook for new kinds: add a row to `kinds` (the file that marks the
 * folder, a name, the script, and optionally a prelude function that writes
 * data-dependent gnuplot settings).  Every script gets the variables `dir`
 * (the folder) and `out` (DIR/<name>, without extension; the script writes
 * out.'.png' and out.'.svg'), then what the prelude sets, then the script is
 * loaded.  A kind whose script is not in plots/ yet prints "not yet" and
 * exits 1.
 *
 * Scripts are looked for in $ECSIM_PLOTS, then ./plots, then plots/ next to
 * the ecsim binary (and two levels up, for build/<variant>/ecsim).  gnuplot
 * reads the commands on its standard input; its errors go to stderr.
 * Exit: 0 drawn, 1 gnuplot missing or failing / kind not supported yet,
 * 2 bad usage or a folder that is not a results folder.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cmd.h"
#include "exp.h"
#include "sim/csvin.h"
#include "sim/err.h"

struct kind {
	const char *marker;           /* file whose presence tells the kind */
	const char *name;             /* output base name */
	const char *script;           /* in plots/ */
	int (*prelude)(FILE *g, const char *dir, int verbose);
};

static int run_prelude(FILE *g, const char *dir, int verbose);

static const struct kind kinds[] = {
	{ "run.json", "run", "run.gp", run_prelude },
	{ "comparison.csv", "compare", "compare.gp", NULL },
	{ "sweep.csv", "sweep", "sweep.gp", NULL },
	{ "plan.csv", "plan", "plan.gp", NULL },
};

#define N_KINDS (sizeof kinds / sizeof kinds[0])

static int exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static int on_path(const char *prog)
{
	const char *p = getenv("PATH");
	char buf[PATH_MAX];

	if (!p)
		p = "/usr/bin:/bin";
	while (*p) {
		size_t n = strcspn(p, ":");

		snprintf(buf, sizeof buf, "%.*s/%s", (int)n, n ? p : ".", prog);
		if (access(buf, X_OK) == 0)
			return 1;
		p += n + (p[n] == ':');
	}
	return 0;
}

/* The folder holding the gnuplot scripts (with `script` in it), or 0. */
static int find_script(const char *script, char *out, size_t n)
{
	const char *env = getenv("ECSIM_PLOTS");
	char exe[PATH_MAX], cand[PATH_MAX + 64];
	ssize_t k;

	if (env && *env) {
		snprintf(cand, sizeof cand, "%s/%s", env, script);
		if (exists(cand))
			return snprintf(out, n, "%s", cand), 1;
	}
	snprintf(cand, sizeof cand, "plots/%s", script);
	if (exists(cand))
		return snprintf(out, n, "%s", cand), 1;
	k = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (k > 0) {
		char *slash;

		exe[k] = '\0';
		if ((slash = strrchr(exe, '/')))
			*slash = '\0';
		snprintf(cand, sizeof cand, "%s/plots/%s", exe, script);
		if (exists(cand))
			return snprintf(out, n, "%s", cand), 1;
		snprintf(cand, sizeof cand, "%s/../../plots/%s", exe, script);
		if (exists(cand))
			return snprintf(out, n, "%s", cand), 1;
	}
	return 0;
}

/* A gnuplot single-quoted string ('' stands for '). */
static void gp_str(FILE *g, const char *s)
{
	fputc('\'', g);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', g);
		fputc(*s, g);
	}
	fputc('\'', g);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return NULL;
	}
	s = malloc((size_t)n + 1);
	if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		s = NULL;
	}
	if (s)
		s[n] = '\0';
	fclose(f);
	return s;
}

/* ---- one run ---- */

struct fault_kind {
	const char *kind, *label, *color;
	int windows, instants;       /* faults with a duration, without */
};

/* Every kind failures.csv holds (scenarios/README.md, "failures.csv";
 * tests/docs.sh checks this table against the kinds the code writes). */
#define N_FAULT_KINDS 5

/* The faults of failures.csv: a window for each fault with a duration (an
 * AZ outage, a repaired instance, a check command failing for a while), a
 * line at the instant of the others (an instance gone, a Spot notice, a
 * Fargate Spot warning, a check command failing for good).  Each fault is
 * labelled when there are few; the legend names each kind with its count. */
static int faults(FILE *g, const char *dir, double tscale, double xmax)
{
	static const struct fault_kind proto[N_FAULT_KINDS] = {
		{ "az_outage", "AZ outage", "#e06666", 0, 0 },
		{ "instance_fail", "instance failure", "#e69138", 0, 0 },
		{ "spot_interruption", "Spot interruption", "#8e7cc3", 0, 0 },
		{ "fargate_spot_interruption", "Fargate Spot interruption", "#3d85c6", 0, 0 },
		{ "health_check_fail", "health check failing", "#6aa84f", 0, 0 },
	};
	struct fault_kind fk[N_FAULT_KINDS];
	char path[PATH_MAX + 32];
	struct csvin *in;
	struct err e;
	int ct, ck, ctg, cd, n = 0, obj = 1;
	long total = 0;
	double label_end[6] = { -1e300, -1e300, -1e300, -1e300, -1e300, -1e300 };

	memcpy(fk, proto, sizeof fk);
	snprintf(path, sizeof path, "%s/failures.csv", dir);
	err_clear(&e);
	if (!exists(path) || !(in = csvin_open(path, &e)))
		goto keys;
	ct = csvin_col(in, "time_s");
	ck = csvin_col(in, "kind");
	ctg = csvin_col(in, "target");
	cd = csvin_col(in, "duration_s");
	if (ct < 0 || ck < 0 || ctg < 0 || cd < 0) {
		csvin_close(in);
		goto keys;
	}
	/* count first: labels only when there are few */
	while (csvin_next(in, &e) == 1)
		total++;
	csvin_close(in);
	in = csvin_open(path, &e);
	fprintf(g, "fault_labels = \"\"\n");
	while (in && csvin_next(in, &e) == 1) {
		double t = atof(csvin_field(in, ct)) / tscale, d = atof(csvin_field(in, cd)) / tscale;
		const char *kind = csvin_field(in, ck);
		int k = 0;

		while (k < N_FAULT_KINDS && strcmp(fk[k].kind, kind) != 0)
			k++;
		if (k == N_FAULT_KINDS)
			continue;
		if (d > 0)
			fk[k].windows++;
		else
			fk[k].instants++;
		n++;
		if (t > xmax)
			continue;
		if (d > 0)
			fprintf(g, "set object %d rect from %.6f, graph 0 to %.6f, graph 1 fc rgb '%s' "
				"fs transparent solid 0.25 noborder behind\n", obj++, t, t + d > xmax ? xmax : t + d,
				fk[k].color);
		else
			fprintf(g, "set arrow %d from %.6f, graph 0 to %.6f, graph 1 nohead lc rgb '#60%s' lw 1.5 back\n",
				obj++, t, t, fk[k].color + 1);
		if (total <= 6) {
			/* the label, inside the top of the first panel, on the
			 * highest line whose last label ends before t (a label
			 * takes about a fifth of the width): faults close in time
			 * get lines of their own, not one label over another */
			int line = 0;

			while (line < 5 && label_end[line] > t)
				line++;
			label_end[line] = t + 0.2 * xmax;
			fprintf(g, "fault_labels = fault_labels.\"set label %d ", obj);
			fprintf(g, "'%s %s' at %.6f, graph %.2f left offset 0.4,0 front font ',9' tc rgb '#444444'; \"\n",
				fk[k].label, csvin_field(in, ctg), t, 0.96 - 0.06 * line);
		}
	}
	csvin_close(in);
keys:
	/* legend entries of the kinds present */
	fprintf(g, "fault_key = \"\"\n");
	for (int k = 0; k < N_FAULT_KINDS; k++) {
		if (fk[k].windows)
			fprintf(g, "fault_key = fault_key.\", keyentry with boxes lc rgb '%s' "
				"fs transparent solid 0.25 noborder title '%s%s (%d)'\"\n", fk[k].color,
				fk[k].label, strcmp(fk[k].kind, "instance_fail") == 0 ? ", until repaired" : "",
				fk[k].windows);
		if (fk[k].instants)
			fprintf(g, "fault_key = fault_key.\", keyentry with lines lc rgb '#60%s' lw 1.5 "
				"title '%s%s (%d)'\"\n", fk[k].color + 1, fk[k].label,
				strcmp(fk[k].kind, "instance_fail") == 0 ? ", not repaired" :
				strcmp(fk[k].kind, "spot_interruption") == 0 ? " notice" :
				strcmp(fk[k].kind, "fargate_spot_interruption") == 0 ? " warning" :
				strcmp(fk[k].kind, "health_check_fail") == 0 ? ", for good" : "", fk[k].instants);
	}
	if (!n)
		fprintf(g, "fault_labels = \"\"\n");
	return 0;
}

/* Services in services.csv, in the order they first appear, each as a
 * datablock $svcN of "time_s,desired,running" rows (services.csv
 * interleaves the services, which a line plot cannot skip through). */
struct svc_rows {
	char *name, *rows;
	size_t len, cap;
};

static void append(struct svc_rows *v, const char *a, const char *b, const char *c)
{
	size_t need = strlen(a) + strlen(b) + strlen(c) + 4;

	if (v->len + need + 1 > v->cap) {
		v->cap = (v->len + need + 1) * 2;
		v->rows = realloc(v->rows, v->cap);
		if (!v->rows)
			abort();
	}
	v->len += (size_t)sprintf(v->rows + v->len, "%s,%s,%s\n", a, b, c);
}

static void services(FILE *g, const char *dir)
{
	char path[PATH_MAX + 32];
	struct svc_rows *v = NULL;
	struct csvin *in;
	struct err e;
	int cs, ct, cd, cr, n = 0;

	snprintf(path, sizeof path, "%s/services.csv", dir);
	err_clear(&e);
	in = exists(path) ? csvin_open(path, &e) : NULL;
	cs = in ? csvin_col(in, "service") : -1;
	ct = in ? csvin_col(in, "time_s") : -1;
	cd = in ? csvin_col(in, "desired") : -1;
	cr = in ? csvin_col(in, "running") : -1;
	while (cs >= 0 && ct >= 0 && cd >= 0 && cr >= 0 && csvin_next(in, &e) == 1) {
		const char *name = csvin_field(in, cs);
		int k = 0;

		while (k < n && strcmp(v[k].name, name) != 0)
			k++;
		if (k == n) {
			v = realloc(v, (size_t)(n + 1) * sizeof *v);
			if (!v)
				abort();
			memset(&v[n], 0, sizeof *v);
			v[n++].name = strdup(name);
		}
		append(&v[k], csvin_field(in, ct), csvin_field(in, cd), csvin_field(in, cr));
	}
	csvin_close(in);
	fprintf(g, "nsvc = %d\nsvc_names = ''\n", n);
	for (int k = 0; k < n; k++) {
		fprintf(g, "svc_names = svc_names.");
		gp_str(g, v[k].name);
		fprintf(g, ".' '\n$svc%d << EOD\n%sEOD\n", k + 1, v[k].rows ? v[k].rows : "");
		free(v[k].name);
		free(v[k].rows);
	}
	free(v);
}

/* requests.csv's traffic rows (`az` empty), one datablock $tgN per target
 * group of "time_s,arrivals/s,served/s,error %,p99 ms", two rows per
 * metrics interval (at its start and its end, so a line holds the value over
 * the interval; rates over the interval; the error rate is 502+503+504 as a % of the
 * interval's arrivals, NaN when none arrived; p99 NaN when nothing was
 * served).  Sets ntg and tg_names. */
struct tg_rows {
	char *name, *rows;
	size_t len, cap;
	double prev;
};

static double num(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	return (end == s) ? NAN : v;
}

static void lb_requests(FILE *g, const char *dir)
{
	char path[PATH_MAX + 32], row[512];
	struct tg_rows *v = NULL;
	struct csvin *in;
	struct err e;
	int n = 0, c[9];
	static const char *cols[9] = { "time_s", "target_group", "az", "arrivals", "served",
				       "http_502", "http_503", "http_504", "latency_p99_ms" };

	snprintf(path, sizeof path, "%s/requests.csv", dir);
	err_clear(&e);
	in = exists(path) ? csvin_open(path, &e) : NULL;
	for (int i = 0; i < 9; i++)
		c[i] = in ? csvin_col(in, cols[i]) : -1;
	while (in && c[0] >= 0 && c[1] >= 0 && c[2] >= 0 && c[3] >= 0 && c[4] >= 0 && c[5] >= 0
	       && c[6] >= 0 && c[7] >= 0 && c[8] >= 0 && csvin_next(in, &e) == 1) {
		const char *name = csvin_field(in, c[1]);
		double t, dt, arr, err, p99;
		size_t need;
		int k = 0;

		if (*csvin_field(in, c[2]))
			continue;
		while (k < n && strcmp(v[k].name, name) != 0)
			k++;
		if (k == n) {
			v = realloc(v, (size_t)(n + 1) * sizeof *v);
			if (!v)
				abort();
			memset(&v[n], 0, sizeof *v);
			v[n++].name = strdup(name);
		}
		t = num(csvin_field(in, c[0]));
		dt = t - v[k].prev;
		v[k].prev = t;
		if (!(dt > 0))
			continue;
		arr = num(csvin_field(in, c[3]));
		err = num(csvin_field(in, c[5])) + num(csvin_field(in, c[6])) + num(csvin_field(in, c[7]));
		p99 = num(csvin_field(in, c[8]));
		/* the interval's value held over it: a row at each end */
		for (int end = 0; end < 2; end++)
			snprintf(row + (end ? strlen(row) : 0), sizeof row / 2, "%.3f,%.6g,%.6g,%.6g,%.6g\n",
				 end ? t : t - dt, arr / dt, num(csvin_field(in, c[4])) / dt,
				 arr > 0 ? 100.0 * err / arr : NAN, p99);
		need = strlen(row);
		if (v[k].len + need + 1 > v[k].cap) {
			v[k].cap = (v[k].len + need + 1) * 2;
			v[k].rows = realloc(v[k].rows, v[k].cap);
			if (!v[k].rows)
				abort();
		}
		memcpy(v[k].rows + v[k].len, row, need + 1);
		v[k].len += need;
	}
	csvin_close(in);
	fprintf(g, "ntg = %d\ntg_names = ''\n", n);
	for (int k = 0; k < n; k++) {
		fprintf(g, "tg_names = tg_names.");
		gp_str(g, v[k].name);
		fprintf(g, ".' '\n$tg%d << EOD\n%sEOD\n", k + 1, v[k].rows ? v[k].rows : "");
		free(v[k].name);
		free(v[k].rows);
	}
	free(v);
}

static int run_prelude(FILE *g, const char *dir, int verbose)
{
	char path[PATH_MAX + 32], title[1024], name[256] = "";
	char *text;
	cJSON *root, *it;
	double sim_s = 0, tscale, xmax;
	const char *strategy = "?", *tunit;
	char seed[64] = "?";
	struct csvin *in;
	struct err e;

	(void)verbose;
	snprintf(path, sizeof path, "%s/run.json", dir);
	text = slurp(path);
	root = text ? cJSON_Parse(text) : NULL;
	free(text);
	if (!root) {
		fprintf(stderr, "ecsim: error: %s: not a JSON object (a run's manifest)\n", path);
		return EXIT_INPUT;
	}
	if ((it = cJSON_GetObjectItemCaseSensitive(root, "simSeconds")) && cJSON_IsNumber(it))
		sim_s = it->valuedouble;
	if ((it = cJSON_GetObjectItemCaseSensitive(root, "strategy")) && cJSON_IsString(it))
		strategy = it->valuestring;
	if ((it = cJSON_GetObjectItemCaseSensitive(root, "seed")) && cJSON_IsNumber(it))
		snprintf(seed, sizeof seed, "%.0f", it->valuedouble);
	if ((it = cJSON_GetObjectItemCaseSensitive(root, "scenario")) && cJSON_IsString(it)) {
		const char *b = strrchr(it->valuestring, '/');

		snprintf(name, sizeof name, "%s", b ? b + 1 : it->valuestring);
		if (strlen(name) > 5 && strcmp(name + strlen(name) - 5, ".json") == 0)
			name[strlen(name) - 5] = '\0';
	}
	/* the scenario's own name, from summary.csv */
	snprintf(path, sizeof path, "%s/summary.csv", dir);
	err_clear(&e);
	if (exists(path) && (in = csvin_open(path, &e))) {
		int c = csvin_col(in, "scenario");

		if (c >= 0 && csvin_next(in, &e) == 1)
			snprintf(name, sizeof name, "%s", csvin_field(in, c));
		csvin_close(in);
	}
	snprintf(path, sizeof path, "%s/timeseries.csv", dir);
	if (!exists(path) || sim_s <= 0) {
		fprintf(stderr, "ecsim: error: %s: no timeseries.csv or no simulated time: nothing to plot\n", dir);
		cJSON_Delete(root);
		return EXIT_INPUT;
	}
	/* a time unit that keeps the tick labels short */
	if (sim_s > 3 * 3600.0) {
		tscale = 3600.0;
		tunit = "h";
	} else if (sim_s >= 600.0) {
		tscale = 60.0;
		tunit = "min";
	} else {
		tscale = 1.0;
		tunit = "s";
	}
	xmax = sim_s / tscale;
	snprintf(title, sizeof title, "%s — strategy %s — seed %s", name, strategy, seed);
	fprintf(g, "ttl = ");
	gp_str(g, title);
	fprintf(g, "\ntscale = %.1f\ntunit = '%s'\nxmax = %.6f\n", tscale, tunit, xmax);
	services(g, dir);
	lb_requests(g, dir);
	faults(g, dir, tscale, xmax);
	cJSON_Delete(root);
	return 0;
}

int cmd_plot(int argc, char **argv)
{
	const char *dir = NULL;
	const struct kind *k = NULL;
	char path[PATH_MAX + 64], script[PATH_MAX + 64], out[PATH_MAX + 64];
	FILE *g;
	int rc, st;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0) {
			printf("usage: ecsim plot DIR\n"
			       "  draws a results folder with gnuplot into DIR (PNG and SVG):\n"
			       "  a run's folder (run.json) -> DIR/run.png, DIR/run.svg\n"
			       "    and, with load balancers (requests.csv), DIR/requests.png, .svg\n"
			       "  a compare folder (comparison.csv) -> DIR/compare*.png, .svg\n"
			       "  a sweep folder (sweep.csv) -> DIR/sweep.png, DIR/sweep.svg\n"
			       "  a plan folder (plan.csv) -> DIR/plan.png, DIR/plan.svg\n");
			return EXIT_OK;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cmd_usage_error("plot: unknown option '%s'", argv[i]);
		} else if (dir) {
			return cmd_usage_error("plot: one folder at a time (got '%s' and '%s')", dir, argv[i]);
		} else {
			dir = argv[i];
		}
	}
	if (!dir)
		return cmd_usage_error("plot: missing results folder");
	for (size_t i = 0; i < N_KINDS && !k; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, kinds[i].marker);
		if (exists(path))
			k = &kinds[i];
	}
	if (!k) {
		fprintf(stderr, "ecsim: error: %s: not a results folder (no run.json, comparison.csv, sweep.csv or plan.csv%s)\n",
			dir, exists(dir) ? "" : ": no such folder");
		return EXIT_INPUT;
	}
	/* compare and sweep folders: redrawn from the variables their command
	 * saved (cli/exp.c), with the scripts compiled into ecsim */
	if (!strcmp(k->name, "compare") || !strcmp(k->name, "sweep") || !strcmp(k->name, "plan"))
		return exp_plot_saved(dir, k->name);
	if (!find_script(k->script, script, sizeof script)) {
		fprintf(stderr, "ecsim: plot: plots of a %s folder are not yet available (no plots/%s found; "
			"set ECSIM_PLOTS to the folder of the gnuplot scripts)\n", k->name, k->script);
		return EXIT_RUNTIME;
	}
	if (!on_path("gnuplot")) {
		fprintf(stderr, "ecsim: error: plot: gnuplot is not installed (Debian: apt-get install gnuplot-nox; "
			"scripts/setup-deps.sh installs it)\n");
		return EXIT_RUNTIME;
	}
	/* a run with load balancers: a second page, requests.png / .svg */
	for (int page = 0; page < 2; page++) {
		const char *name = page ? "requests" : k->name;

		if (page) {
			snprintf(path, sizeof path, "%s/requests.csv", dir);
			if (strcmp(k->name, "run") != 0 || !exists(path))
				break;
			if (!find_script("requests.gp", script, sizeof script)) {
				fprintf(stderr, "ecsim: plot: no plots/requests.gp found (set ECSIM_PLOTS "
					"to the folder of the gnuplot scripts)\n");
				return EXIT_RUNTIME;
			}
		}
		snprintf(out, sizeof out, "%s/%s", dir, name);
		fflush(stdout);
		g = popen("gnuplot", "w");
		if (!g) {
			fprintf(stderr, "ecsim: error: plot: cannot start gnuplot: %s\n", strerror(errno));
			return EXIT_RUNTIME;
		}
		fprintf(g, "dir = ");
		gp_str(g, dir);
		fprintf(g, "\nout = ");
		gp_str(g, out);
		fputc('\n', g);
		rc = k->prelude ? k->prelude(g, dir, 0) : 0;
		if (rc) {
			fprintf(g, "exit\n");
			pclose(g);
			return rc;
		}
		fprintf(g, "load ");
		gp_str(g, script);
		fputc('\n', g);
		st = pclose(g);
		if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "ecsim: error: plot: gnuplot failed on %s\n", script);
			return EXIT_RUNTIME;
		}
		printf("ecsim: plot: %s.png and %s.svg\n", out, out);
	}
	return EXIT_OK;
}
