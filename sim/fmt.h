/* sim/fmt.h — decimal digits of an unsigned integer, for the writers that
 * format one or more numbers per output row (csvout.c, task ids): the same
 * text as printf's "%" PRIu64, without its format parsing. */
#ifndef SIM_FMT_H
#define SIM_FMT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define FMT_U64_MAX 20   /* digits of UINT64_MAX */

/* Write v's decimal digits at out (no terminator); returns how many. */
static inline size_t fmt_u64(char *out, uint64_t v)
{
	char tmp[FMT_U64_MAX];
	size_t n = 0;

	do {
		tmp[FMT_U64_MAX - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	memcpy(out, tmp + FMT_U64_MAX - n, n);
	return n;
}

#endif
