/* sim/cmd_validate.c — `ecsim validate FILE...`: find, without running,
 * what a run would fail on.  The kind of a file is told by its content:
 *
 *   .csv                                  → a trace (format and values)
 *   .json with "availabilityZones"        → a scenario: loaded and checked,
 *       then every row of each of its traces is read once and every name a
 *       row refers to is looked up (models/tracecheck.h)
 *   .json with "tasks" or "instances" and no "containerDefinitions"
 *                                         → a generator spec (`ecsim gen`)
 *   other .json                           → a task definition (every memberOf
 *       expression parsed)
 *
 * Prints "FILE: ok (kind)" per good file on stdout and every error found on
 * stderr (FILE:LINE:COL or JSON path; the first MAX_PRINTED per file, then
 * how many more); exit 2 if any file was bad. */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cmd.h"
#include "models/gen.h"
#include "models/scenario.h"
#include "models/taskdef.h"
#include "models/tracecheck.h"
#include "sim/jsonrd.h"

#define MAX_PRINTED 100

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static void print_err(const struct err *e, void *ctx)
{
	long *printed = ctx;

	if (++*printed <= MAX_PRINTED)
		err_print(e, stderr);
}

static void more(long errors)
{
	if (errors > MAX_PRINTED)
		fprintf(stderr, "ecsim: error: ... and %ld more error%s\n", errors - MAX_PRINTED,
			errors - MAX_PRINTED == 1 ? "" : "s");
}

enum kind { K_TRACE, K_SCENARIO, K_GEN, K_TASKDEF };

static const char *const kind_names[] = { "trace", "scenario", "generator spec",
					  "task definition" };

static enum kind json_kind(const cJSON *root)
{
	if (!cJSON_IsObject(root))
		return K_TASKDEF;       /* a bare container array, or refused as one */
	if (cJSON_GetObjectItemCaseSensitive(root, "availabilityZones"))
		return K_SCENARIO;
	if ((cJSON_GetObjectItemCaseSensitive(root, "tasks") ||
	     cJSON_GetObjectItemCaseSensitive(root, "instances")) &&
	    !cJSON_GetObjectItemCaseSensitive(root, "containerDefinitions") &&
	    !cJSON_GetObjectItemCaseSensitive(root, "family"))
		return K_GEN;
	return K_TASKDEF;
}

/* 1 when the file starts with gzip's magic bytes (1f 8b). */
static int is_gzip(const char *path)
{
	unsigned char b[2];
	FILE *f = fopen(path, "rb");
	int gz;

	if (!f)
		return 0;
	gz = fread(b, 1, 2, f) == 2 && b[0] == 0x1f && b[1] == 0x8b;
	fclose(f);
	return gz;
}

/* Check one file; returns the number of errors (printed). */
static long check_file(const char *path, enum kind *kind, long *rows)
{
	struct err e;
	struct jdoc d;
	long printed = 0, errors = 0;

	*rows = 0;
	err_clear(&e);
	if (is_gzip(path)) {
		/* a public trace as published, most likely: not read byte by byte as text */
		*kind = ends_with(path, ".csv") || ends_with(path, ".csv.gz") ? K_TRACE : K_TASKDEF;
		err_at(&e, path, 0, 0, NULL, "a gzip-compressed file: validate reads ecsim's own traces "
		       "(CSV), scenarios, task definitions and generator specs; a public trace is converted "
		       "with `ecsim import FORMAT` (google2011, alibaba2018, alibaba2017, swf, openb: "
		       "scenarios/README.md, \"Importing public traces\"), which reads .gz tables as they are");
		err_print(&e, stderr);
		return 1;
	}
	if (ends_with(path, ".csv")) {
		*kind = K_TRACE;
		errors = tracecheck_file(path, print_err, &printed, rows);
		more(errors);
		return errors;
	}
	*kind = K_TASKDEF;
	if (jdoc_load(&d, path, &e)) {
		err_print(&e, stderr);
		return 1;
	}
	*kind = json_kind(d.root);
	jdoc_free(&d);
	switch (*kind) {
	case K_SCENARIO: {
		struct scenario *s = scenario_load(path, &e);

		if (!s)
			break;
		/* a scenario's traces are part of it */
		errors = tracecheck_scenario(s, print_err, &printed, rows);
		more(errors);
		scenario_free(s);
		return errors;
	}
	case K_GEN: {
		struct gen_spec *g = gen_spec_load(path, &e);

		if (!g)
			break;
		gen_spec_free(g);
		return 0;
	}
	default: {
		struct taskdef *td = taskdef_load(path, NULL, &e);

		if (!td)
			break;
		taskdef_free(td);
		return 0;
	}
	}
	err_print(&e, stderr);
	return 1;
}

int cmd_validate(int argc, char **argv)
{
	int bad = 0;

	if (argc < 2)
		return cmd_usage_error("validate: missing file");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		printf("usage: ecsim validate <file>...\n\n"
		       "Check scenarios (.json with availabilityZones, and every row of their\n"
		       "traces against them), traces (.csv), generator specs (.json with tasks\n"
		       "or instances) and task definitions (other .json) without running them.\n"
		       "Every error is printed (the first %d per file); exit 2 if any.\n\n"
		       "options:\n"
		       "  -h, --help   this text\n",
		       MAX_PRINTED);
		return EXIT_OK;
	}
	for (int i = 1; i < argc; i++) {
		enum kind kind;
		long rows;

		if (check_file(argv[i], &kind, &rows))
			bad = 1;
		else if (rows)
			printf("%s: ok (%s, %ld row%s)\n", argv[i], kind_names[kind], rows,
			       rows == 1 ? "" : "s");
		else
			printf("%s: ok (%s)\n", argv[i], kind_names[kind]);
	}
	return bad ? EXIT_INPUT : EXIT_OK;
}
