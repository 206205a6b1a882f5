/* sim/cmd_gen.c — `ecsim gen SPEC.json [--out FILE|-] [--seed N]
 * [--duration SECONDS] [--max-rows N] [--quiet]`: write the workload trace a generator spec
 * describes (models/gen.h; scenarios/README.md, "Generating traces").
 * The default output is results/gen/<spec name>.csv (folders created);
 * `--out -` writes to stdout.  A file is written to FILE.tmp and renamed when
 * complete.  A line saying how many rows were written, and how fast, goes to
 * stderr unless --quiet.  Exit 2 on bad usage or a bad spec (with its JSON
 * path), 1 when the output cannot be written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cmd.h"
#include "models/gen.h"
#include "sim/mem.h"

static void usage(void)
{
	printf("usage: ecsim gen SPEC.json [options]\n\n"
	       "Write the trace described by a generator spec (scenarios/README.md,\n"
	       "\"Generating traces\").\n\n"
	       "options:\n"
	       "  --out FILE|-         output trace (default results/gen/<name>.csv; - = stdout)\n"
	       "  --seed N             seed of every stream (overrides the spec's seed)\n"
	       "  --duration SECONDS   generate rows for [0, SECONDS) (overrides durationSeconds)\n"
	       "  --max-rows N         refuse a spec expected to write more rows (default 10000000)\n"
	       "  --quiet              no summary line on stderr\n"
	       "  -h, --help           this text\n");
}

/* mkdir -p of the folder part of `file`. */
static int make_parent_dirs(const char *file, struct err *e)
{
	char *p = xstrdup(file);

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST) {
			err_at(e, p, 0, 0, NULL, "cannot create folder: %s", strerror(errno));
			free(p);
			return -1;
		}
		*s = '/';
	}
	free(p);
	return 0;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int cmd_gen(int argc, char **argv)
{
	struct gen_opts o = { 0, 0, 0 };
	const char *spec_path = NULL, *out = NULL;
	struct gen_spec *s;
	char *dflt = NULL;
	struct err e;
	int64_t rows = 0;
	long long max_rows = GEN_DEFAULT_MAX_ROWS;
	double t0, wall, expect;
	int quiet = 0, rc;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		char *end;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage();
			return EXIT_OK;
		}
		if (!strcmp(a, "--quiet")) {
			quiet = 1;
			continue;
		}
		if (strncmp(a, "--", 2) != 0) {
			if (spec_path)
				return cmd_usage_error("gen: unexpected argument '%s'", a);
			spec_path = a;
			continue;
		}
		if (i + 1 >= argc)
			return cmd_usage_error("gen: %s needs a value", a);
		v = argv[++i];
		if (!strcmp(a, "--out")) {
			out = v;
		} else if (!strcmp(a, "--seed")) {
			unsigned long long x;

			errno = 0;
			x = strtoull(v, &end, 10);
			if (end == v || *end || *v == '-' || errno)
				return cmd_usage_error("gen: --seed: expected an integer in [0, %llu], got '%s'",
						       (unsigned long long)UINT64_MAX, v);
			o.has_seed = 1;
			o.seed = x;
		} else if (!strcmp(a, "--max-rows")) {
			long long x;

			errno = 0;
			x = strtoll(v, &end, 10);
			if (end == v || *end || errno || x < 1 || x > 1000000000000LL)
				return cmd_usage_error("gen: --max-rows: expected an integer in [1, 1000000000000], got '%s'", v);
			max_rows = x;
		} else if (!strcmp(a, "--duration")) {
			double x = strtod(v, &end);

			if (end == v || *end || !(x > 0) || x > 1e9)
				return cmd_usage_error("gen: --duration: expected seconds in (0, 1e9], got '%s'", v);
			o.duration_s = x;
		} else {
			return cmd_usage_error("gen: unknown option '%s'", a);
		}
	}
	if (!spec_path)
		return cmd_usage_error("gen: missing generator spec (SPEC.json)");
	err_clear(&e);
	s = gen_spec_load(spec_path, &e);
	if (!s) {
		err_print(&e, stderr);
		return EXIT_INPUT;
	}
	expect = gen_expected_rows(s, &o);
	if (!(expect <= (double)max_rows)) {
		fprintf(stderr, "ecsim: error: %s: the spec is expected to write about %.4g rows, more than "
			"the limit of %lld (raise it with --max-rows N, default %lld)\n", spec_path, expect,
			max_rows, (long long)GEN_DEFAULT_MAX_ROWS);
		gen_spec_free(s);
		return EXIT_INPUT;
	}
	if (!out) {
		size_t n = strlen(gen_spec_name(s)) + 32;

		dflt = xmalloc(n);
		snprintf(dflt, n, "results/gen/%s.csv", gen_spec_name(s));
		out = dflt;
	}
	t0 = now_seconds();
	rc = strcmp(out, "-") != 0 && make_parent_dirs(out, &e) ? -1 : gen_write(s, &o, out, &rows, &e);
	wall = now_seconds() - t0;
	gen_spec_free(s);
	if (rc < 0) {
		free(dflt);
		err_print(&e, stderr);
		return EXIT_RUNTIME;
	}
	if (!quiet)
		fprintf(stderr, "ecsim: gen: %lld rows to %s in %.3f s (%.0f rows/s)\n",
			(long long)rows, strcmp(out, "-") ? out : "stdout", wall,
			wall > 0 ? (double)rows / wall : 0.0);
	free(dflt);
	return EXIT_OK;
}
