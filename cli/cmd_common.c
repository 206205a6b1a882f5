/* sim/cmd_common.c — what every command shares. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "sim/csvin.h"

int cmd_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("ecsim: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nrun 'ecsim --help' for usage\n", stderr);
	return EXIT_INPUT;
}



int cmd_fail_on_unplaced(const char *out_dir)
{
	char path[1200];
	struct err e;
	struct csvin *in;
	int col, rc;
	long n = 0;

	snprintf(path, sizeof path, "%s/summary.csv", out_dir);
	err_clear(&e);
	if (!(in = csvin_open(path, &e)) || (col = csvin_col(in, "tasks_never_placed")) < 0 ||
	    (rc = csvin_next(in, &e)) != 1) {
		if (!e.set)
			err_at(&e, path, 0, 0, "tasks_never_placed", "no such value");
		err_print(&e, stderr);
		csvin_close(in);
		return EXIT_RUNTIME;
	}
	n = atol(csvin_field(in, col));
	csvin_close(in);
	if (n > 0) {
		fprintf(stderr, "ecsim: %ld task%s never placed (--fail-on-unplaced; see "
			"%s/placement_failures.csv)\n", n, n == 1 ? "" : "s", out_dir);
		return EXIT_REGRESSION;
	}
	return EXIT_OK;
}
