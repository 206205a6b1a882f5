/* sim/cmd_validate.c — `ecsim validate FILE...`: check scenarios, task
 * definitions and traces without running anything.  The kind of a file is
 * told by its content: .csv → trace; .json with "availabilityZones" →
 * scenario; other .json → task definition.  Prints "FILE: ok (kind)" per
 * good file, an error line per bad one; exit 2 if any was bad. */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cmd.h"
#include "models/scenario.h"
#include "models/taskdef.h"
#include "models/trace.h"
#include "sim/jsonrd.h"

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int check_trace(const char *path, struct err *e, long *rows)
{
	struct trace *t = trace_open(path, (1u << TR_N_EVENTS) - 1, e);
	struct trace_row r;
	int rc;

	*rows = 0;
	if (!t)
		return -1;
	while ((rc = trace_next(t, &r, e)) > 0)
		(*rows)++;
	trace_close(t);
	return rc;
}

static int check_json(const char *path, struct err *e, const char **kind)
{
	struct jdoc d;
	int is_scenario;

	if (jdoc_load(&d, path, e))
		return -1;
	is_scenario = cJSON_IsObject(d.root) &&
		      cJSON_GetObjectItemCaseSensitive(d.root, "availabilityZones");
	jdoc_free(&d);
	if (is_scenario) {
		struct scenario *s = scenario_load(path, e);

		*kind = "scenario";
		if (!s)
			return -1;
		/* a scenario's traces are part of it */
		for (int i = 0; i < s->n_traces; i++) {
			long rows;

			if (check_trace(s->traces[i], e, &rows)) {
				scenario_free(s);
				return -1;
			}
		}
		scenario_free(s);
		return 0;
	}
	*kind = "task definition";
	{
		struct taskdef *td = taskdef_load(path, NULL, e);

		if (!td)
			return -1;
		taskdef_free(td);
	}
	return 0;
}

int cmd_validate(int argc, char **argv)
{
	int bad = 0;

	if (argc < 2)
		return cmd_usage_error("validate: missing file");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		printf("usage: ecsim validate <file>...\n\n"
		       "Check each file and say what it is: a scenario (.json with a cluster), a task\n"
		       "definition (.json) or a trace (.csv).  Exit 2 at the first bad file, with the\n"
		       "file, the place and the reason.\n\n"
		       "options:\n"
		       "  -h, --help   this text\n");
		return EXIT_OK;
	}
	for (int i = 1; i < argc; i++) {
		struct err e;
		const char *kind = "trace";
		long rows = 0;
		int rc;

		err_clear(&e);
		if (ends_with(argv[i], ".csv"))
			rc = check_trace(argv[i], &e, &rows);
		else
			rc = check_json(argv[i], &e, &kind);
		if (rc) {
			err_print(&e, stderr);
			bad = 1;
		} else if (rows) {
			printf("%s: ok (%s, %ld rows)\n", argv[i], kind, rows);
		} else {
			printf("%s: ok (%s)\n", argv[i], kind);
		}
	}
	return bad ? EXIT_INPUT : EXIT_OK;
}
