/* sim/err.h — input-error records.
 *
 * Loaders never print and never exit: they fill a struct err with the file,
 * the place (line/column for text formats, a JSON path for JSON semantics)
 * and a message, and return -1.  Only the command layer prints (err_print)
 * and maps the failure to an exit code.
 */
#ifndef SIM_ERR_H
#define SIM_ERR_H

#include <stdio.h>

struct err {
	char file[512];   /* "" when not tied to a file */
	long line;        /* 1-based, 0 = unknown */
	long col;         /* 1-based, 0 = unknown */
	char path[512];   /* JSON path ("$.services[2].desiredCount") or CSV column name; "" = none */
	char msg[1024];
	int set;          /* nonzero once an error was recorded */
};

void err_clear(struct err *e);

/* Record an error; returns -1 so callers can `return err_at(...)`.
 * file/path may be NULL.  line/col 0 = unknown.  The message is printf-like,
 * lower case, no final full stop. */
int err_at(struct err *e, const char *file, long line, long col,
	   const char *path, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Format as "FILE:LINE:COL: PATH: message" (parts omitted when unknown). */
void err_format(const struct err *e, char *buf, size_t n);

/* Print "ecsim: error: <formatted>\n" to f. */
void err_print(const struct err *e, FILE *f);

#endif
