/* sim/csvout.c — RFC 4180 CSV output written to a temporary file and renamed
 * into place (see csvout.h).
 *
 * Records end with "\n" (not RFC 4180's CRLF: every reader in use, libcsv
 * included, accepts both, and "\n" keeps files diff-friendly).  A field is
 * quoted, through libcsv's csv_fwrite(), only when it needs it: it holds a
 * comma, a double quote, CR or LF, or starts or ends with a space or tab
 * (which unquoted would be trimmed by readers such as sim/csvin.c); a lone
 * empty field in a one-column file is written as "" so the row is not a
 * blank line.  Numbers never go through the locale: integers as PRId64
 * writes them (fmt.h's digits), fixed-point with "%.*f" and "-0.000"
 * normalised to "0.000".  A row is built in a buffer and written with one
 * fwrite at its end (a task log writes tens of fields a row, millions of
 * rows).
 *
 * A row with a field count different from the header's, or any write error,
 * is remembered and reported by csvout_close(), which then leaves no file.
 * csvout_open_stream() writes to a stream the caller owns (stdout) instead.
 *
 * Nothing that is not the output's is clobbered: a symbolic link is followed
 * (the temporary file goes next to the file it names, and the rename
 * replaces that file, not the link); a path that exists and is not a regular
 * file (/dev/null, a FIFO, a terminal) is written through, without a
 * temporary file or rename, and a dangling link is written through too
 * (creating the file it names).
 */
#include "csvout.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include <csv.h>

#include "fmt.h"
#include "mem.h"

struct csvout {
	char *path;
	char *tmp;
	FILE *f;
	int ncols;
	int nfield;             /* fields written in the current row */
	long row;               /* rows written, header = 1 */
	int bad_row;            /* first row with a wrong field count, 0 = none */
	int bad_nfield;
	int werr;               /* errno of the first write error, 0 = none */
	int stream;             /* f belongs to the caller: no tmp, no rename */
	int direct;             /* written through (not a regular file): no tmp, no rename */
	char *rb;               /* the current row, not yet written */
	size_t rn, rcap;
};

/* Room for n more bytes in the row buffer. */
static void row_room(struct csvout *o, size_t n)
{
	if (o->rn + n > o->rcap) {
		o->rcap = (o->rn + n) * 2;
		o->rb = xrealloc(o->rb, o->rcap);
	}
}

/* Room for a field of n bytes, after its comma if it is not the row's
 * first: where they go. */
static char *field_at(struct csvout *o, size_t n)
{
	row_room(o, n + 1);
	if (o->nfield++ > 0)
		o->rb[o->rn++] = ',';
	return o->rb + o->rn;
}

/* The row's bytes so far to the file (at its end, or a close). */
static void put_row(struct csvout *o)
{
	if (o->rn && fwrite(o->rb, 1, o->rn, o->f) != o->rn && !o->werr)
		o->werr = errno ? errno : EIO;
	o->rn = 0;
}

/* A field of bytes that never need quotes (a number). */
static void put_plain(struct csvout *o, const char *s, size_t n)
{
	memcpy(field_at(o, n), s, n);
	o->rn += n;
}

/* The bytes that make a field quoted: comma, double quote, CR, LF. */
static const unsigned char special[256] = { [','] = 1, ['"'] = 1, ['\r'] = 1, ['\n'] = 1 };

static void put_field(struct csvout *o, const char *s, size_t n, int quote)
{
	if (n > 0 && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		quote = 1;
	if (quote || (n == 0 && o->ncols == 1)) {
		/* libcsv's quoting: in quotes, each quote doubled (2n + 2 at most) */
		char *p = field_at(o, 2 * n + 2);

		o->rn += csv_write(p, 2 * n + 2, s, n);
	} else {
		put_plain(o, s, n);
	}
}

struct csvout *csvout_open(const char *path, const char *const *header, int ncols,
			   struct err *e)
{
	struct csvout *o;
	struct stat st;
	char *target = NULL;
	size_t n;

	o = xcalloc(1, sizeof *o);
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		target = realpath(path, NULL);
		if (!target)
			o->direct = 1;          /* dangling: write through the link */
	}
	if (!o->direct && stat(target ? target : path, &st) == 0 && !S_ISREG(st.st_mode))
		o->direct = 1;
	o->path = target ? xstrdup(target) : xstrdup(path);
	free(target);
	n = strlen(o->path);
	o->tmp = xmalloc(n + 5);
	memcpy(o->tmp, o->path, n);
	memcpy(o->tmp + n, o->direct ? "" : ".tmp", o->direct ? 1 : 5);
	o->ncols = ncols;
	o->f = fopen(o->tmp, "wb");
	if (!o->f) {
		err_at(e, o->tmp, 0, 0, NULL, "cannot create: %s", strerror(errno));
		free(o->tmp);
		free(o->path);
		free(o);
		return NULL;
	}
	for (int i = 0; i < ncols; i++)
		csvout_str(o, header[i]);
	csvout_endrow(o);
	return o;
}

struct csvout *csvout_open_stream(FILE *f, const char *name, const char *const *header,
				  int ncols, struct err *e)
{
	struct csvout *o = xcalloc(1, sizeof *o);

	(void)e;
	o->path = xstrdup(name);
	o->tmp = xstrdup(name);
	o->ncols = ncols;
	o->f = f;
	o->stream = 1;
	for (int i = 0; i < ncols; i++)
		csvout_str(o, header[i]);
	csvout_endrow(o);
	return o;
}

void csvout_str(struct csvout *o, const char *s)
{
	size_t n = 0;
	int quote = 0;

	if (!s)
		s = "";
	/* its length and whether it holds a special byte, in one pass */
	for (; s[n]; n++)
		quote |= special[(unsigned char)s[n]];
	put_field(o, s, n, quote);
}

void csvout_int(struct csvout *o, int64_t v)
{
	char b[FMT_U64_MAX + 1];
	size_t n = 0;

	if (v < 0)
		b[n++] = '-';
	n += fmt_u64(b + n, v < 0 ? -(uint64_t)v : (uint64_t)v);
	put_plain(o, b, n);
}

void csvout_fixed(struct csvout *o, double v, int decimals)
{
	char b[400];
	int n;

	if (decimals < 0)
		decimals = 0;
	if (decimals > 17)
		decimals = 17;
	if (isnan(v)) {
		csvout_str(o, "nan");
		return;
	}
	if (isinf(v)) {
		csvout_str(o, v < 0 ? "-inf" : "inf");
		return;
	}
	n = snprintf(b, sizeof b, "%.*f", decimals, v);
	if (b[0] == '-' && strspn(b + 1, "0.") == (size_t)n - 1) {
		put_plain(o, b + 1, (size_t)n - 1);
		return;
	}
	put_plain(o, b, (size_t)n);
}

void csvout_ms(struct csvout *o, int64_t ms)
{
	char b[40];
	int n;

	if (ms < 0) {
		csvout_empty(o);
		return;
	}
	n = (int)fmt_u64(b, (uint64_t)(ms / 1000));
	b[n++] = '.';
	b[n++] = (char)('0' + ms % 1000 / 100);
	b[n++] = (char)('0' + ms % 100 / 10);
	b[n++] = (char)('0' + ms % 10);
	put_plain(o, b, (size_t)n);
}

void csvout_empty(struct csvout *o)
{
	put_field(o, "", 0, 0);
}

void csvout_endrow(struct csvout *o)
{
	o->row++;
	if (o->nfield != o->ncols && !o->bad_row) {
		o->bad_row = (int)o->row;
		o->bad_nfield = o->nfield;
	}
	o->nfield = 0;
	row_room(o, 1);
	o->rb[o->rn++] = '\n';
	put_row(o);
}

static void release(struct csvout *o)
{
	free(o->rb);
	free(o->tmp);
	free(o->path);
	free(o);
}

int csvout_close(struct csvout *o, struct err *e)
{
	int rc = 0;

	if (o->nfield) {
		err_at(e, o->path, 0, 0, NULL, "internal error: last row not ended");
		rc = -1;
	} else if (o->bad_row) {
		err_at(e, o->path, o->bad_row, 0, NULL,
		       "internal error: row has %d fields, header has %d", o->bad_nfield, o->ncols);
		rc = -1;
	}
	put_row(o);                /* (an unended row's fields, as they came) */
	if (fflush(o->f) != 0 && !o->werr)
		o->werr = errno ? errno : EIO;
	if (ferror(o->f) && !o->werr)
		o->werr = EIO;
	if (!o->stream && fclose(o->f) != 0 && !o->werr)
		o->werr = errno ? errno : EIO;
	if (rc == 0 && o->werr) {
		err_at(e, o->tmp, 0, 0, NULL, "write error: %s", strerror(o->werr));
		rc = -1;
	}
	if (o->stream || o->direct) {
		release(o);
		return rc;
	}
	if (rc == 0 && rename(o->tmp, o->path) != 0) {
		err_at(e, o->path, 0, 0, NULL, "cannot rename %s into place: %s", o->tmp,
		       strerror(errno));
		rc = -1;
	}
	if (rc != 0)
		remove(o->tmp);
	release(o);
	return rc;
}

void csvout_abort(struct csvout *o)
{
	if (!o)
		return;
	if (o->stream) {
		put_row(o);
		fflush(o->f);
		release(o);
		return;
	}
	fclose(o->f);
	if (!o->direct)
		remove(o->tmp);
	release(o);
}
