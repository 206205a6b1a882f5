/* cli/cmd_check.c — `ecsim check BASELINE RESULTS`: regression mode for CI.
 *
 * Both folders are results of `ecsim run` (run.json + summary.csv) or of
 * `ecsim compare` (comparison.csv).  Modes (scenarios/README.md, "ecsim
 * check"):
 *   exact (run folders without --tolerance, or --exact): tasks.csv must be
 *     byte-identical (FNV-1a 64 digests; the first differing row is shown)
 *     and every summary metric equal — meaningful with tieBreak first or the
 *     same seed, where every placement decision is reproducible;
 *   tolerance (--tolerance FILE): each metric within an absolute or relative
 *     tolerance of the baseline (for compare folders: each variant's mean);
 *   interval (compare folders without --tolerance): each variant's new 95%
 *     CI must overlap the baseline's.
 * Exit 0 pass, 3 regression, 2 bad input.  A table lists what moved. */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "exp.h"
#include "sim/csvin.h"
#include "sim/jsonrd.h"
#include "sim/mem.h"

enum kind { K_NONE, K_RUN, K_COMPARE };

struct tol {
	double rel, abs;
	int set;
};

struct tolerances {
	struct tol dflt;
	char **name;
	struct tol *t;
	int n;
	char **ignore;
	int n_ignore;
};

/* One metric of one folder: key = "variant\tmetric" (compare) or metric. */
struct entry {
	char *key;
	double mean, lo, hi;
	char *text;
};

struct table {
	struct entry *e;
	size_t n, cap;
};

static enum kind kind_of(const char *dir)
{
	char p[1200];

	snprintf(p, sizeof p, "%s/comparison.csv", dir);
	if (access(p, R_OK) == 0)
		return K_COMPARE;
	snprintf(p, sizeof p, "%s/summary.csv", dir);
	if (access(p, R_OK) == 0)
		return K_RUN;
	return K_NONE;
}

static void add(struct table *t, const char *key, double mean, double lo, double hi, const char *text)
{
	XGROW(t->e, t->cap, t->n + 1);
	t->e[t->n++] = (struct entry){ xstrdup(key), mean, lo, hi, xstrdup(text) };
}

static const struct entry *find(const struct table *t, const char *key)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->e[i].key, key))
			return &t->e[i];
	return NULL;
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->e[i].key);
		free(t->e[i].text);
	}
	free(t->e);
}

static int read_run(const char *dir, struct table *t, struct err *e)
{
	char *m = exp_collect(dir, e);
	const char *p = m;

	if (!m)
		return -1;
	while (*p) {
		const char *tab = strchr(p, '\t'), *nl = strchr(p, '\n');
		char *key, *val;

		if (!tab || !nl)
			break;
		key = xstrndup(p, (size_t)(tab - p));
		val = xstrndup(tab + 1, (size_t)(nl - tab - 1));
		if (key[0] != '@') {
			double v = strtod(val, NULL);

			add(t, key, v, v, v, val);
		}
		free(key);
		free(val);
		p = nl + 1;
	}
	free(m);
	return 0;
}

static int read_compare(const char *dir, struct table *t, struct err *e)
{
	char path[1200];
	struct csvin *in;
	int cv, cm, cmean, clo, chi, rc;

	snprintf(path, sizeof path, "%s/comparison.csv", dir);
	if (!(in = csvin_open(path, e)))
		return -1;
	cv = csvin_col(in, "variant");
	cm = csvin_col(in, "metric");
	cmean = csvin_col(in, "mean");
	clo = csvin_col(in, "ci95_low");
	chi = csvin_col(in, "ci95_high");
	if (cv < 0 || cm < 0 || cmean < 0 || clo < 0 || chi < 0) {
		csvin_close(in);
		return err_at(e, path, 1, 0, NULL, "not a comparison.csv of ecsim compare (needs variant, "
			      "metric, mean, ci95_low, ci95_high)");
	}
	while ((rc = csvin_next(in, e)) == 1) {
		char key[1200];
		const char *mean = csvin_field(in, cmean);
		double m = *mean ? strtod(mean, NULL) : NAN;
		double lo = *csvin_field(in, clo) ? strtod(csvin_field(in, clo), NULL) : m;
		double hi = *csvin_field(in, chi) ? strtod(csvin_field(in, chi), NULL) : m;

		snprintf(key, sizeof key, "%s\t%s", csvin_field(in, cv), csvin_field(in, cm));
		add(t, key, m, lo, hi, mean);
	}
	csvin_close(in);
	return rc < 0 ? -1 : 0;
}

static int read_tol(struct jr *c, const char *key, struct tol *t)
{
	const cJSON *o;
	struct jr tc;
	char path[600];

	if (jr_opt_object(c, key, &o))
		return -1;
	if (!o)
		return 0;
	jr_path(c, key, path, sizeof path);
	t->set = 1;
	return jr_open(&tc, o, c->file, path, c->e) ||
	       jr_opt_num(&tc, "relative", 0, 0, 1e9, &t->rel) ||
	       jr_opt_num(&tc, "absolute", 0, 0, 1e300, &t->abs) || jr_end(&tc);
}

static int load_tolerances(const char *file, struct tolerances *tt, struct err *e)
{
	struct jdoc d;
	struct jr c;
	const cJSON *metrics = NULL, *ignore = NULL, *m;
	int rc;
	static const char *const keys[] = { "default", "metrics", "ignore", NULL };

	if (jdoc_load(&d, file, e))
		return -1;
	rc = jr_open(&c, d.root, file, "$", e) || jr_only(&c, keys) ||
	     read_tol(&c, "default", &tt->dflt) ||
	     jr_opt_object(&c, "metrics", &metrics) || jr_opt_array(&c, "ignore", &ignore) ||
	     jr_end(&c);
	if (!rc && metrics) {
		struct jr mc;

		rc = jr_open(&mc, metrics, file, "$.metrics", e);
		cJSON_ArrayForEach(m, metrics) {
			if (rc)
				break;
			tt->name = xrealloc(tt->name, (size_t)(tt->n + 1) * sizeof *tt->name);
			tt->t = xrealloc(tt->t, (size_t)(tt->n + 1) * sizeof *tt->t);
			tt->name[tt->n] = xstrdup(m->string);
			memset(&tt->t[tt->n], 0, sizeof tt->t[tt->n]);
			rc = read_tol(&mc, m->string, &tt->t[tt->n]);
			tt->n++;
		}
	}
	if (!rc && ignore) {
		int i = 0;

		cJSON_ArrayForEach(m, ignore) {
			char p[64];
			const char *s;

			snprintf(p, sizeof p, "$.ignore[%d]", i++);
			if ((rc = jv_str(m, file, p, &s, e)))
				break;
			tt->ignore = xrealloc(tt->ignore, (size_t)(tt->n_ignore + 1) * sizeof *tt->ignore);
			tt->ignore[tt->n_ignore++] = xstrdup(s);
		}
	}
	jdoc_free(&d);
	return rc ? -1 : 0;
}

static void tolerances_free(struct tolerances *tt)
{
	for (int i = 0; i < tt->n; i++)
		free(tt->name[i]);
	free(tt->name);
	free(tt->t);
	for (int i = 0; i < tt->n_ignore; i++)
		free(tt->ignore[i]);
	free(tt->ignore);
}

/* The tolerance of a metric ("column[service]" falls back to "column"). */
static const struct tol *tol_for(const struct tolerances *tt, const char *metric)
{
	size_t base = strcspn(metric, "[");

	for (int i = 0; i < tt->n_ignore; i++)
		if (!strcmp(tt->ignore[i], metric) ||
		    (strlen(tt->ignore[i]) == base && !strncmp(tt->ignore[i], metric, base)))
			return NULL;
	for (int i = 0; i < tt->n; i++)
		if (!strcmp(tt->name[i], metric))
			return &tt->t[i];
	for (int i = 0; i < tt->n; i++)
		if (strlen(tt->name[i]) == base && !strncmp(tt->name[i], metric, base))
			return &tt->t[i];
	return tt->dflt.set ? &tt->dflt : NULL;
}

static uint64_t fnv_file(const char *path, int *ok)
{
	FILE *f = fopen(path, "rb");
	uint64_t h = 1469598103934665603ULL;
	int c;

	*ok = f != NULL;
	if (!f)
		return 0;
	while ((c = getc(f)) != EOF) {
		h ^= (uint64_t)(unsigned char)c;
		h *= 1099511628211ULL;
	}
	fclose(f);
	return h;
}

/* Print the first line where two files differ; 1 if they differ. */
static int first_difference(const char *a, const char *b)
{
	FILE *fa = fopen(a, "r"), *fb = fopen(b, "r");
	char *la = NULL, *lb = NULL;
	size_t ca = 0, cb = 0;
	long line = 0;
	int diff = 0;

	if (!fa || !fb) {
		if (fa)
			fclose(fa);
		if (fb)
			fclose(fb);
		return 1;
	}
	for (;;) {
		ssize_t na = getline(&la, &ca, fa), nb = getline(&lb, &cb, fb);

		line++;
		if (na < 0 && nb < 0)
			break;
		if (na < 0 || nb < 0 || strcmp(la, lb)) {
			printf("first difference in tasks.csv, line %ld:\n  baseline: %s  results:  %s", line,
			       na < 0 ? "(end of file)\n" : la, nb < 0 ? "(end of file)\n" : lb);
			if (na >= 0 && la[na - 1] != '\n')
				putchar('\n');
			diff = 1;
			break;
		}
	}
	free(la);
	free(lb);
	fclose(fa);
	fclose(fb);
	return diff;
}

static void num(char *b, size_t n, double x)
{
	if (isnan(x))
		snprintf(b, n, "-");
	else
		snprintf(b, n, "%.5g", x == 0 ? 0.0 : x);
}

static void usage(void)
{
	printf("usage: ecsim check <baseline-dir> <results-dir> [--tolerance FILE] [--exact] [--all] [--quiet]\n"
	       "  folders of `ecsim run` or `ecsim compare`.  Run folders: exact by default (tasks.csv\n"
	       "  digest and every summary metric); compare folders: each variant's 95%% CI must\n"
	       "  overlap the baseline's.  --tolerance FILE: each metric within its tolerance.\n"
	       "  --all lists every metric, not only those that moved.\n"
	       "  exit codes: 0 pass, 3 regression, 2 bad input\n");
}

int cmd_check(int argc, char **argv)
{
	const char *dirs[2] = { NULL, NULL }, *tolfile = NULL;
	int exact = 0, all = 0, quiet = 0, nd = 0, regress = 0, moved = 0;
	struct tolerances tt = { 0 };
	struct table t[2] = { { 0 }, { 0 } };
	enum kind k[2];
	struct err e;
	char (*rows)[6][200] = NULL;
	size_t n_rows = 0, cap_rows = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help")) {
			usage();
			return EXIT_OK;
		} else if (!strcmp(argv[i], "--exact")) {
			exact = 1;
		} else if (!strcmp(argv[i], "--all")) {
			all = 1;
		} else if (!strcmp(argv[i], "--quiet")) {
			quiet = 1;
		} else if (!strcmp(argv[i], "--tolerance")) {
			if (i + 1 >= argc)
				return cmd_usage_error("check: --tolerance needs a file");
			tolfile = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cmd_usage_error("check: unknown option '%s'", argv[i]);
		} else if (nd < 2) {
			dirs[nd++] = argv[i];
		} else {
			return cmd_usage_error("check: expected two folders, BASELINE and RESULTS");
		}
	}
	if (nd < 2)
		return cmd_usage_error("check: expected two folders, BASELINE and RESULTS");
	for (int i = 0; i < 2; i++) {
		k[i] = kind_of(dirs[i]);
		if (k[i] == K_NONE) {
			fprintf(stderr, "ecsim: error: %s: not a results folder of ecsim run (summary.csv) "
				"or ecsim compare (comparison.csv)\n", dirs[i]);
			return EXIT_INPUT;
		}
	}
	if (k[0] != k[1]) {
		fprintf(stderr, "ecsim: error: %s is a %s folder but %s is a %s folder\n", dirs[0],
			k[0] == K_RUN ? "run" : "compare", dirs[1], k[1] == K_RUN ? "run" : "compare");
		return EXIT_INPUT;
	}
	err_clear(&e);
	if (tolfile && exact)
		return cmd_usage_error("check: --exact and --tolerance exclude each other");
	if (tolfile && load_tolerances(tolfile, &tt, &e)) {
		err_print(&e, stderr);
		tolerances_free(&tt);
		return EXIT_INPUT;
	}
	for (int i = 0; i < 2; i++)
		if ((k[i] == K_RUN ? read_run(dirs[i], &t[i], &e) : read_compare(dirs[i], &t[i], &e))) {
			err_print(&e, stderr);
			table_free(&t[0]);
			table_free(&t[1]);
			tolerances_free(&tt);
			return EXIT_INPUT;
		}
	if (!tolfile && k[0] == K_RUN)
		exact = 1;
	if (exact && k[0] == K_RUN) {
		char pa[1200], pb[1200];
		int oka, okb;
		uint64_t ha, hb;

		snprintf(pa, sizeof pa, "%s/tasks.csv", dirs[0]);
		snprintf(pb, sizeof pb, "%s/tasks.csv", dirs[1]);
		ha = fnv_file(pa, &oka);
		hb = fnv_file(pb, &okb);
		if (!oka || !okb) {
			fprintf(stderr, "ecsim: error: %s: no tasks.csv (exact mode needs the task log; "
				"rerun without --no-task-log)\n", oka ? pb : pa);
			table_free(&t[0]);
			table_free(&t[1]);
			return EXIT_INPUT;
		}
		if (!quiet)
			printf("tasks.csv digest: baseline fnv1a64:%016" PRIx64 ", results fnv1a64:%016" PRIx64
			       "%s\n", ha, hb, ha == hb ? " (same)" : "");
		if (ha != hb) {
			regress = 1;
			if (!quiet)
				first_difference(pa, pb);
		}
	}
	/* row 0 is the header */
	XGROW(rows, cap_rows, n_rows + 1);
	snprintf(rows[0][0], 200, "%s", k[0] == K_COMPARE ? "variant" : "");
	snprintf(rows[0][1], 200, "metric");
	snprintf(rows[0][2], 200, "baseline");
	snprintf(rows[0][3], 200, "results");
	snprintf(rows[0][4], 200, exact ? "rule" : tolfile ? "allowed change" : "rule");
	snprintf(rows[0][5], 200, "verdict");
	n_rows = 1;
	for (size_t i = 0; i < t[0].n + t[1].n; i++) {
		const struct entry *b = i < t[0].n ? &t[0].e[i] : find(&t[0], t[1].e[i - t[0].n].key);
		const struct entry *r = i < t[0].n ? find(&t[1], b->key) : &t[1].e[i - t[0].n];
		const char *key = i < t[0].n ? b->key : r->key, *tab = strchr(key, '\t');
		const char *metric = tab ? tab + 1 : key;
		const struct tol *tl = NULL;
		char rule[200] = "", bv[64], rv[64];
		int bad = 0, mv = 0;

		if (i >= t[0].n && b)
			continue;       /* seen from the baseline's side */
		if (tolfile && !(tl = tol_for(&tt, metric)))
			continue;
		if (!b || !r) {
			bad = !r;       /* a metric gone is a regression; a new one is not */
			mv = 1;
			snprintf(rule, sizeof rule, "%s", r ? "new metric" : "metric missing");
		} else if (exact) {
			mv = bad = strcmp(b->text, r->text) != 0;
			snprintf(rule, sizeof rule, "equal");
		} else if (tl) {
			double allowed = fmax(tl->abs, tl->rel * fabs(b->mean));

			mv = !(b->mean == r->mean) && !(isnan(b->mean) && isnan(r->mean));
			bad = !(fabs(r->mean - b->mean) <= allowed) && mv;
			snprintf(rule, sizeof rule, "|change| <= %.6g", allowed);
		} else {
			mv = b->mean != r->mean;
			bad = !(r->hi >= b->lo && r->lo <= b->hi);
			snprintf(rule, sizeof rule, "CIs overlap");
		}
		if (!mv && !bad && !all)
			continue;
		moved += mv;
		regress |= bad;
		XGROW(rows, cap_rows, n_rows + 1);
		if (tab)
			snprintf(rows[n_rows][0], 200, "%.*s", (int)(tab - key), key);
		else
			rows[n_rows][0][0] = '\0';
		snprintf(rows[n_rows][1], 200, "%s", metric);
		if (b && k[0] == K_COMPARE && !exact) {
			char l[64], h[64];

			num(bv, sizeof bv, b->mean), num(l, sizeof l, b->lo), num(h, sizeof h, b->hi);
			snprintf(rows[n_rows][2], 200, "%s [%s, %s]", bv, l, h);
		} else {
			num(bv, sizeof bv, b ? b->mean : NAN);
			snprintf(rows[n_rows][2], 200, "%s", bv);
		}
		if (r && k[0] == K_COMPARE && !exact) {
			char l[64], h[64];

			num(rv, sizeof rv, r->mean), num(l, sizeof l, r->lo), num(h, sizeof h, r->hi);
			snprintf(rows[n_rows][3], 200, "%s [%s, %s]", rv, l, h);
		} else {
			num(rv, sizeof rv, r ? r->mean : NAN);
			snprintf(rows[n_rows][3], 200, "%s", rv);
		}
		snprintf(rows[n_rows][4], 200, "%s", rule);
		snprintf(rows[n_rows][5], 200, "%s", bad ? (exact ? "DIFFERS" : "REGRESSION") : mv ? "moved, within" : "same");
		n_rows++;
	}
	if (!quiet && n_rows > 1) {
		int w[6] = { 0 };

		for (size_t r = 0; r < n_rows; r++)
			for (int c = 0; c < 6; c++)
				if ((int)strlen(rows[r][c]) > w[c])
					w[c] = (int)strlen(rows[r][c]);
		for (size_t r = 0; r < n_rows; r++) {
			if (w[0])
				printf("%-*s  ", w[0], rows[r][0]);
			printf("%-*s  %*s  %*s  %-*s  %s\n", w[1], rows[r][1], w[2], rows[r][2], w[3],
			       rows[r][3], w[4], rows[r][4], rows[r][5]);
		}
	}
	if (!quiet)
		printf("check: %s (%s mode; %d metric%s moved) — %s vs %s\n",
		       regress ? "REGRESSION" : "pass",
		       exact ? "exact" : tolfile ? "tolerance" : "interval", moved, moved == 1 ? "" : "s",
		       dirs[1], dirs[0]);
	free(rows);
	table_free(&t[0]);
	table_free(&t[1]);
	tolerances_free(&tt);
	return regress ? EXIT_REGRESSION : EXIT_OK;
}
