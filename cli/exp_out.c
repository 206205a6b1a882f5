/* cli/exp_out.c — what the experiment commands write (exp.h): metric names
 * and values read back, CSV fields, committed files, units, the shared
 * option parser of sweep and plan, and gnuplot drawing. */
#include "exp.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "sim/mem.h"

int exp_have_gnuplot(void)
{
	return system("command -v gnuplot >/dev/null 2>&1") == 0;
}

int exp_gnuplot(const char *name, const char *script, const char *vars, int quiet)
{
	FILE *g;
	int rc;

	if (!exp_have_gnuplot()) {
		if (!quiet)
			fprintf(stderr, "ecsim: note: gnuplot not found; no %s plot drawn "
				"(install gnuplot-nox and rerun; the CSVs are complete)\n", name);
		return -1;
	}
	fflush(NULL);
	if (!(g = popen("gnuplot", "w")))
		return -1;
	/* the variables first, then the script compiled in from plots/ */
	fputs(vars, g);
	fputs("\n", g);
	fputs(script, g);
	rc = pclose(g);
	if (rc != 0) {
		if (!quiet)
			fprintf(stderr, "ecsim: note: gnuplot failed on the %s plot; none drawn\n", name);
		return -1;
	}
	return 0;
}

/* gnuplot string literal of s (single quotes doubled). */
void exp_gp_str(char *buf, size_t n, const char *s)
{
	size_t k = 0;

	if (n < 3)
		return;
	buf[k++] = '\'';
	for (; *s && k + 3 < n; s++) {
		if (*s == '\'')
			buf[k++] = '\'';
		buf[k++] = *s;
	}
	buf[k++] = '\'';
	buf[k] = '\0';
}

/* ---- metrics tables ------------------------------------------------------------ */

int exp_name_index(const struct exp_names *names, const char *name)
{
	for (size_t i = 0; i < names->n; i++)
		if (strcmp(names->name[i], name) == 0)
			return (int)i;
	return -1;
}

void exp_parse(const char *metrics, struct exp_names *names, struct exp_vals *out)
{
	const char *p = metrics;

	memset(out, 0, sizeof *out);
	while (p && *p) {
		const char *tab = strchr(p, '\t'), *nl = strchr(p, '\n');
		char *name;

		if (!nl)
			nl = p + strlen(p);
		if (!tab || tab > nl) {
			p = *nl ? nl + 1 : nl;
			continue;
		}
		name = xstrndup(p, (size_t)(tab - p));
		if (strcmp(name, "@pending_q") == 0) {
			const char *q = tab + 1;
			char *end;

			for (int k = 0; k <= 100; k++, q = end)
				out->pq[k] = strtod(q, &end);
			out->has_pq = 1;
		} else if (name[0] != '@') {
			int i = exp_name_index(names, name);

			if (i < 0) {
				XGROW(names->name, names->cap, names->n + 1);
				names->name[names->n] = xstrdup(name);
				i = (int)names->n++;
			}
			if ((size_t)i >= out->nv) {
				out->v = xrealloc(out->v, ((size_t)i + 1) * sizeof *out->v);
				for (size_t k = out->nv; k <= (size_t)i; k++)
					out->v[k] = NAN;
				out->nv = (size_t)i + 1;
			}
			out->v[i] = strtod(tab + 1, NULL);
		}
		free(name);
		p = *nl ? nl + 1 : nl;
	}
}

double exp_val(const struct exp_vals *v, size_t i)
{
	return i < v->nv ? v->v[i] : NAN;
}

void exp_names_free(struct exp_names *names)
{
	for (size_t i = 0; i < names->n; i++)
		free(names->name[i]);
	free(names->name);
	memset(names, 0, sizeof *names);
}

int exp_mkdirs(const char *dir)
{
	char *p = xstrdup(dir);
	int rc = 0;

	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (mkdir(p, 0777) != 0 && errno != EEXIST)
				rc = -1;
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	return rc;
}

/* ---- output files --------------------------------------------------------------- */

void exp_csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

FILE *exp_open(const char *path, struct err *e)
{
	char tmp[1300];
	FILE *f;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if (!(f = fopen(tmp, "w")))
		err_at(e, tmp, 0, 0, NULL, "cannot write: %s", strerror(errno));
	return f;
}

int exp_commit(FILE *f, const char *path, struct err *e)
{
	char tmp[1300];
	int bad = ferror(f);

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if (fclose(f) != 0 || bad || rename(tmp, path) != 0) {
		remove(tmp);
		return err_at(e, path, 0, 0, NULL, "cannot write: %s", strerror(errno));
	}
	return 0;
}

const char *const exp_key_metrics[] = {
	"tasks_never_placed", "mean_pending_s", "p99_pending_s", "mean_cpu_reserved_pct",
	"mean_mem_reserved_pct", "peak_instances_used", "placement_failures_total", NULL
};

const char *exp_unit(const char *m)
{
	const char *b = strchr(m, '[');
	size_t n = b ? (size_t)(b - m) : strlen(m);

	if (n > 2 && strncmp(m + n - 2, "_s", 2) == 0)
		return "s";
	if (n > 3 && strncmp(m + n - 3, "_ms", 3) == 0)
		return "ms";
	if (n > 4 && strncmp(m + n - 4, "_pct", 4) == 0)
		return "%";
	return "";
}

int exp_file_args(int argc, char **argv, const char *verb, void (*usage)(void), struct exp_opts *o)
{
	memset(o, 0, sizeof *o);
	o->jobs = exp_default_jobs();
	o->plot = o->task_log = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help")) {
			usage();
			return EXIT_OK;
		} else if (!strcmp(a, "--quiet")) {
			o->quiet = 1;
		} else if (!strcmp(a, "--no-plot")) {
			o->plot = 0;
		} else if (!strcmp(a, "--no-task-log")) {
			o->task_log = 0;
		} else if (!strcmp(a, "--jobs") || !strcmp(a, "--out")) {
			if (i + 1 >= argc)
				return cmd_usage_error("%s: %s needs a value", verb, a);
			if (!strcmp(a, "--out")) {
				o->out = argv[++i];
			} else {
				char *end;
				long v = strtol(argv[++i], &end, 10);

				if (!*argv[i] || *end || v < 1 || v > 4096)
					return cmd_usage_error("%s: --jobs: expected an integer in [1, 4096], "
							       "got '%s'", verb, argv[i]);
				o->jobs = (int)v;
			}
		} else if (a[0] == '-' && a[1]) {
			return cmd_usage_error("%s: unknown option '%s'", verb, a);
		} else if (o->file) {
			return cmd_usage_error("%s: one %s file at a time (got '%s' and '%s')", verb, verb,
					       o->file, a);
		} else {
			o->file = a;
		}
	}
	if (!o->file)
		return cmd_usage_error("%s: missing %s file", verb, verb);
	return -1;
}

static const char *kind_script(const char *kind)
{
	if (strcmp(kind, "plan") == 0)
		return plot_plan_gp;
	return strcmp(kind, "sweep") == 0 ? plot_sweep_gp : plot_compare_gp;
}

static int draw_one(const char *dir, const char *kind, const char *name, const char *vars,
		    int quiet)
{
	char q[1400];
	char *b;
	size_t n;
	int rc;

	exp_gp_str(q, sizeof q, dir);
	n = strlen(q) + strlen(vars) + 8;
	b = xmalloc(n);
	snprintf(b, n, "dir=%s; %s", q, vars);
	rc = exp_gnuplot(name, kind_script(kind), b, quiet);
	free(b);
	return rc;
}

void exp_plots(const char *dir, const char *kind, const char *const *names,
	       const char *const *vars, int n, int draw, int quiet)
{
	char path[1200];
	FILE *f;

	snprintf(path, sizeof path, "%s/plot_%s.vars", dir, kind);
	if ((f = fopen(path, "w"))) {
		for (int i = 0; i < n; i++)
			fprintf(f, "%s\t%s\n", names[i], vars[i]);
		fclose(f);
	}
	for (int i = 0; draw && i < n; i++)
		if (draw_one(dir, kind, names[i], vars[i], quiet) && !exp_have_gnuplot())
			break;          /* said once */
}

int exp_plot_saved(const char *dir, const char *kind)
{
	char path[1200], *line = NULL;
	size_t cap = 0;
	FILE *f;
	int rc = 0, n = 0;

	snprintf(path, sizeof path, "%s/plot_%s.vars", dir, kind);
	if (!(f = fopen(path, "r"))) {
		fprintf(stderr, "ecsim: error: %s: no plot data (plot_%s.vars); rerun ecsim %s, which "
			"writes it (also with --no-plot)\n", dir, kind, kind);
		return EXIT_INPUT;
	}
	if (!exp_have_gnuplot()) {
		fclose(f);
		fprintf(stderr, "ecsim: error: plot: gnuplot is not installed (Debian: apt-get install "
			"gnuplot-nox; scripts/setup-deps.sh installs it)\n");
		return EXIT_RUNTIME;
	}
	while (getline(&line, &cap, f) > 0) {
		char *tab = strchr(line, '\t'), *nl = strchr(line, '\n');

		if (!tab)
			continue;
		*tab = '\0';
		if (nl)
			*nl = '\0';
		if (draw_one(dir, kind, line, tab + 1, 0))
			rc = EXIT_RUNTIME;
		n++;
	}
	free(line);
	fclose(f);
	if (!rc)
		printf("ecsim: plot: %d %s plot%s in %s/ (PNG and SVG)\n", n, kind, n == 1 ? "" : "s", dir);
	return rc;
}
