/* tests/helpers/import_rows.h — what the importer tests (tests/test_import.c,
 * tests/test_import_more.c) compare: an importer's rows against a table of
 * the rows wanted, and an error's text against the one wanted. */
#ifndef TESTS_IMPORT_ROWS_H
#define TESTS_IMPORT_ROWS_H

#include <stdint.h>

#include "models/import.h"
#include "sim/err.h"

/* One trace row wanted from an importer (its taskdef is always empty). */
struct imp_want {
	sim_time_t t;
	enum trace_event ev;
	const char *target, *group;
	int64_t count;
	sim_time_t duration;
	int64_t cpu, mem;
	long line;
};

/* e's text (err_format) is `want` ("(no error)" for none). */
void imp_err_eq(const struct err *e, const char *want);
/* im yields exactly the n rows w, then ends without an error. */
void imp_check_rows(struct import *im, const struct imp_want *w, int n);
/* The AZ of n an importer gives machine `machine` (a hash of its id, as
 * models/import/import.c spreads machines). */
const char *imp_az_of(const char *machine, const char *const *azs, int n);
/* Format fmt's import of o, written as ecsim trace CSV to `out`
 * (import_write_csv) and read back (trace_open), gives the rows a second
 * import of the same input gives, field by field.  Returns how many. */
int imp_round_trip(const char *fmt, const struct import_opts *o, const char *out);

#endif
