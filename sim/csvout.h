/* sim/csvout.h — RFC 4180 CSV output that never leaves a half-written file:
 * rows go to "<path>.tmp", renamed to <path> by csvout_close().  Fields are
 * quoted (through libcsv) only when they need it.  Numbers are formatted
 * deterministically (fixed decimals), so equal runs give equal bytes. */
#ifndef SIM_CSVOUT_H
#define SIM_CSVOUT_H

#include <stdint.h>
#include <stdio.h>

#include "err.h"

struct csvout;

/* Create <path>.tmp and write the header row.  NULL with e filled on error. */
struct csvout *csvout_open(const char *path, const char *const *header, int ncols,
			   struct err *e);
/* The same on an already open stream (e.g. stdout), named `name` in errors:
 * no temporary file; close flushes it and leaves it open. */
struct csvout *csvout_open_stream(FILE *f, const char *name, const char *const *header,
				  int ncols, struct err *e);
void csvout_str(struct csvout *o, const char *s);      /* NULL = empty field */
void csvout_int(struct csvout *o, int64_t v);
void csvout_fixed(struct csvout *o, double v, int decimals); /* "%.*f", -0 printed as 0 */
/* Milliseconds as seconds with 3 decimals ("12.345"); negative = empty. */
void csvout_ms(struct csvout *o, int64_t ms);
void csvout_empty(struct csvout *o);
void csvout_endrow(struct csvout *o);
/* Flush, close and rename into place.  Returns 0, or -1 with e filled (the
 * temporary file is removed).  Frees o in all cases. */
int csvout_close(struct csvout *o, struct err *e);
/* Remove the temporary file and free o (on a failed run).  NULL no-op. */
void csvout_abort(struct csvout *o);

#endif
