/* sim/cmd_common.c — what every command shares. */
#include <stdarg.h>
#include <stdio.h>

#include "cmd.h"

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
