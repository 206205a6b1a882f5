/* fuzz/fz_import.h — one importer table per input (see fz_google2011.c,
 * fz_alibaba2018.c): the first byte chooses the table, the rest is it. */
#ifndef FUZZ_FZ_IMPORT_H
#define FUZZ_FZ_IMPORT_H

#include <stdio.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "models/import.h"

/* Import `o` (its table paths set) for at most 100,000 rows. */
static inline void fz_import(const char *format, const struct import_opts *o)
{
	struct err e;
	struct import *im;
	struct trace_row row;
	struct import_stats st;
	int n = 0;

	err_clear(&e);
	im = import_open(format, o, &e);
	if (!im)
		return;
	while (n < 100000 && import_next(im, &row, &e) == 1)
		n++;
	import_stats(im, &st);
	import_close(im);
}

#endif
