/* sim/csvin.c — streaming CSV input through libcsv (see csvin.h).
 *
 * The file is read in fixed-size chunks and handed to libcsv (strict mode)
 * in segments that end at the first CR or LF, so at most one record can end
 * per csv_parse() call and the reader always knows which line it is on: a
 * record starts on the line of its first non-blank segment, and LFs are
 * counted as they are fed (a quoted field may span lines).  Fields of a
 * record libcsv read are copied into one growing buffer, so memory is bounded
 * by the chunk size plus the longest record, never by the file.
 *
 * The common line (at a record boundary, no quote, its line end in the
 * chunk) does not go through libcsv: fast_line() splits it with the same
 * meaning, in place in the chunk, since libcsv's per-byte state machine
 * alone costs about the whole reader's budget of 0.25 us per row
 * (tests/bench/bench_trace.c).  Every line with a quote, and any line
 * crossing the chunk's end, is libcsv's.  A reader may also take plain lines
 * itself, straight from the chunk (csvin_peek, csvin_take: models/trace.c
 * reads a row of a shape it has seen so).
 *
 * Conventions (those of libcsv): CR, LF and CRLF all end a record; blank
 * lines (nothing but spaces/tabs) are skipped; spaces and tabs around an
 * unquoted field are not part of it (quote the field to keep them); a quote
 * inside an unquoted field, text after a closing quote and an unterminated
 * quoted field are errors.  A UTF-8 byte-order mark at the start is skipped.
 * NUL bytes are refused.
 *
 * csvin_open_cols() reads a file with no header row, its column names given
 * by the caller; a ".gz" file is read through a pipe from `gzip -dc` (a child
 * started with posix_spawnp, its stdin the opened file, so no shell and no
 * quoting), and the child's exit status is checked at the end of the stream.
 */
#include "csvin.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csv.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "mem.h"

#define CHUNK (256 * 1024)

struct csvin {
	char *path;
	FILE *f;
	pid_t child;            /* gzip -dc feeding f, 0 = none */
	struct csv_parser p;
	char chunk[CHUNK + 16]; /* + a '\n' sentinel after the bytes read, and
				 * room for fast_line()'s 16-byte loads */
	size_t clen, cpos;      /* bytes in chunk, next byte to feed */
	int eof;                /* fread hit the end of the file */
	int done;               /* csv_fini was called */
	int failed;             /* an error was reported; stop */

	long line;              /* line of the next byte to feed (1-based) */
	int at_boundary;        /* no record begun yet */
	long rec_line;          /* line where the record being read started */
	long cur_line;          /* line of the current (complete) record */
	int rec_done;           /* the record being read is complete */
	int nul;                /* a field held a NUL byte */
	long bad_utf8;          /* 1-based field holding invalid UTF-8, 0 = none */
	unsigned char bad_byte;

	char *buf;              /* fields of the record, each NUL-terminated */
	size_t blen, bcap;
	size_t *off;            /* field start offsets into buf */
	size_t noff, offcap;
	const char **fp;        /* the fields of a complete record: buf + off[i] */
	size_t fpcap;

	int ncols;
	char **cols;            /* header names (owned) */
};

/* Offset of the first byte of s[0..len) that is not valid UTF-8 (overlong
 * forms, surrogates and code points past U+10FFFF included), or len. */
static size_t utf8_bad(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		unsigned lo = 0x80, hi = 0xBF;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			n = 1;
		else if (c >= 0xE0 && c <= 0xEF)
			n = 2;
		else if (c >= 0xF0 && c <= 0xF4)
			n = 3;
		else
			return i;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
		else if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
		if (i + n >= len)
			return i;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return i;
		for (size_t k = 2; k <= n; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return i;
		i += n + 1;
	}
	return len;
}

static int is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
	return 1;
}

/* Byte classes of fast_line()'s scan. */
enum { K_TERM = 1, K_QUOTE = 2, K_NUL = 4, K_COMMA = 8, K_SPACE = 16 };

#ifndef __SSE2__
static const unsigned char byte_class[256] = {
	['\n'] = K_TERM, ['\r'] = K_TERM, ['"'] = K_QUOTE, ['\0'] = K_NUL,
	[','] = K_COMMA, [' '] = K_SPACE, ['\t'] = K_SPACE,
};
#endif

/* The fast path for the common line: at a record boundary (libcsv holds
 * nothing), a line with no quote whose line end is in the chunk.  Such a
 * line means to libcsv exactly: skipped when it holds nothing but spaces and
 * tabs, else fields split at each comma with the spaces and tabs around each
 * field dropped (libcsv in strict mode cannot fail on it).  It is split here
 * in place, in one scan: each comma and the line end become the NUL that
 * ends a field, and the fields point into the chunk (read past, it is not
 * read again; the next refill is in the next read_record), without libcsv's
 * per-byte state machine and per-field callbacks (which alone cost about
 * the whole reader's budget; see tests/bench/bench_trace.c) and without a
 * copy.  Any other line goes to libcsv, the commas written back.  Returns
 * 1 = a record (in->fp, in->noff), 0 = a blank line was skipped, -1 = not
 * such a line (nothing consumed, the chunk as it was). */
static int fast_line(struct csvin *in)
{
	char *s = in->chunk + in->cpos;
	unsigned acc = 0, hi = 0;
	size_t i, nf = 1;
	char term;

	if (in->fpcap < 18)
		XGROW(in->fp, in->fpcap, 18);
	in->fp[0] = s;
#ifdef __SSE2__
	/* 16 bytes at a time: a bit mask per byte class, commas taken bit by
	 * bit, the classes seen only up to the line end */
	{
		unsigned quote = 0, nul = 0, sp = 0;
		const char **fp = in->fp;       /* a local: the NULs written below
						 * are char stores, which may alias
						 * in->fp */

		for (size_t base = 0;; base += 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(s + base));
			__m128i q = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
			__m128i z = _mm_cmpeq_epi8(v, _mm_setzero_si128());
			__m128i w = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
						 _mm_cmpeq_epi8(v, _mm_set1_epi8('\t')));
			unsigned t = (unsigned)_mm_movemask_epi8(
				_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')),
					     _mm_cmpeq_epi8(v, _mm_set1_epi8('\r'))));
			unsigned lim = t ? (t & -t) - 1 : 0xFFFFu;
			unsigned comma = (unsigned)_mm_movemask_epi8(
				_mm_cmpeq_epi8(v, _mm_set1_epi8(','))) & lim;

			/* the rare classes (quote, NUL, space or tab, a byte >=
			 * 0x80: bit 7 of v) told apart only when one is there */
			if ((unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(q, z),
								     _mm_or_si128(w, v))) & lim) {
				quote |= (unsigned)_mm_movemask_epi8(q) & lim;
				nul |= (unsigned)_mm_movemask_epi8(z) & lim;
				sp |= (unsigned)_mm_movemask_epi8(w) & lim;
				hi |= (unsigned)_mm_movemask_epi8(v) & lim;
			}
			if (nf + 18 > in->fpcap) {
				XGROW(in->fp, in->fpcap, nf + 18);
				fp = in->fp;
			}
			for (; comma; comma &= comma - 1) {
				size_t at = base + (size_t)__builtin_ctz(comma);

				s[at] = '\0';
				fp[nf++] = s + at + 1;
			}
			if (t) {
				i = base + (size_t)__builtin_ctz(t);
				break;
			}
		}
		if (quote | nul | sp | hi) {    /* else both stay 0 */
			acc = (quote ? K_QUOTE : 0) | (nul ? K_NUL : 0) | (sp ? K_SPACE : 0);
			hi = hi ? 0x80 : 0;     /* as below: bit 7 set when a byte >= 0x80 was seen */
		}
	}
#else
	for (i = 0;; i++) {
		unsigned char c = (unsigned char)s[i];
		unsigned k = byte_class[c];

		hi |= c;
		if (k) {
			if (k & K_TERM)
				break;
			acc |= k;
			if (k & K_COMMA) {
				if (nf + 2 > in->fpcap)
					XGROW(in->fp, in->fpcap, nf + 2);
				s[i] = '\0';
				in->fp[nf++] = s + i + 1;
			}
		}
	}
#endif
	if (in->cpos + i == in->clen || (acc & K_QUOTE)) {
		/* the sentinel (no line end yet), or quotes: libcsv's line */
		for (size_t f = 1; f < nf; f++)
			s[in->fp[f] - 1 - s] = ',';
		return -1;
	}
	term = s[i];
	s[i] = '\0';
	if (acc & K_SPACE) {
		for (size_t f = 0; f < nf; f++) {
			char *a = s + (in->fp[f] - s), *b = f + 1 < nf ? s + (in->fp[f + 1] - 1 - s) : s + i;

			while (a < b && (*a == ' ' || *a == '\t'))
				a++;
			while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
				b--;
			in->fp[f] = a;
			*b = '\0';
		}
	}
	/* the line end: CR, LF or CRLF (a CR at the chunk's end leaves its LF
	 * to the next call, which skips it as a blank line) */
	in->cpos += i + 1;
	if (term == '\n')
		in->line++;
	else if (in->cpos < in->clen && s[i + 1] == '\n')
		in->cpos++, in->line++;
	if (nf == 1 && is_blank(s, i))
		return 0;               /* nothing but spaces and tabs */
	in->noff = nf;
	if (acc & K_NUL)
		in->nul = 1;
	if ((hi & 0x80) && !in->nul) {
		for (size_t f = 0; f < nf; f++) {
			const unsigned char *v = (const unsigned char *)in->fp[f];
			size_t len = strlen((const char *)v), bad;

			if ((bad = utf8_bad(v, len)) < len) {
				in->bad_utf8 = (long)f + 1;
				in->bad_byte = v[bad];
				break;
			}
		}
	}
	return 1;
}

static void on_field(void *s, size_t len, void *data)
{
	struct csvin *in = data;
	size_t bad;

	if (len && memchr(s, '\0', len))
		in->nul = 1;
	if (len && !in->bad_utf8 && (bad = utf8_bad(s, len)) < len) {
		in->bad_utf8 = (long)in->noff + 1;
		in->bad_byte = ((unsigned char *)s)[bad];
	}
	if (in->noff + 1 > in->offcap)
		XGROW(in->off, in->offcap, in->noff + 1);
	in->off[in->noff++] = in->blen;
	if (in->blen + len + 1 > in->bcap)
		XGROW(in->buf, in->bcap, in->blen + len + 1);
	if (len)
		memcpy(in->buf + in->blen, s, len);
	in->blen += len;
	in->buf[in->blen++] = '\0';
}

static void on_record(int c, void *data)
{
	struct csvin *in = data;

	(void)c;
	in->rec_done = 1;
	in->at_boundary = 1;
}

static const char *field_name(const struct csvin *in, int col)
{
	if (col >= 0 && col < in->ncols)
		return in->cols[col];
	return NULL;
}

static int fail_at(struct csvin *in, struct err *e, long line, long col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int fail_at(struct csvin *in, struct err *e, long line, long col, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	in->failed = 1;
	return err_at(e, in->path, line, col, col > 0 ? field_name(in, (int)col - 1) : NULL,
		      "%s", msg);
}

int csvin_wait_child(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFSIGNALED(st))
		return 1000 + WTERMSIG(st);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Wait for the gzip child; its exit status, or -1. */
static int reap(struct csvin *in)
{
	pid_t pid = in->child;

	in->child = 0;
	return csvin_wait_child(pid);
}

static int refill(struct csvin *in, struct err *e)
{
	in->clen = fread(in->chunk, 1, CHUNK, in->f);
	in->cpos = 0;
	in->chunk[in->clen] = '\n';    /* the sentinel that ends fast_line()'s scan */
	if (in->clen < CHUNK) {
		if (ferror(in->f))
			return fail_at(in, e, in->line, 0, "read error: %s", strerror(errno));
		in->eof = 1;
		if (in->child) {
			int st = reap(in);

			if (st > 1000)
				return fail_at(in, e, 0, 0, "gzip -dc was killed by signal %d (%s) before the "
					       "end of the file", st - 1000, strsignal(st - 1000));
			if (st != 0)
				return fail_at(in, e, 0, 0,
					       "not a valid gzip file (gzip -dc exited with status %d)", st);
		}
	}
	return 0;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

extern char **environ;

FILE *csvin_open_input(const char *path, pid_t *child, struct err *e)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = { "gzip", "-dc", NULL };
	int fd = open(path, O_RDONLY | O_CLOEXEC), p[2], rc;
	FILE *f;

	*child = 0;
	if (fd < 0) {
		err_at(e, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (!ends_with(path, ".gz")) {
		f = fdopen(fd, "rb");
		if (!f) {
			err_at(e, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
			close(fd);
		}
		return f;
	}
	if (pipe(p) < 0) {
		err_at(e, path, 0, 0, NULL, "cannot create a pipe for gzip: %s", strerror(errno));
		close(fd);
		return NULL;
	}
	/* no other child may inherit the pipe: its reader's close must end gzip */
	fcntl(p[0], F_SETFD, FD_CLOEXEC);
	fcntl(p[1], F_SETFD, FD_CLOEXEC);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd, 0);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addclose(&fa, p[0]);
	posix_spawn_file_actions_addclose(&fa, p[1]);
	posix_spawn_file_actions_addclose(&fa, fd);
	rc = posix_spawnp(child, "gzip", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fd);
	close(p[1]);
	if (rc != 0) {
		*child = 0;
		close(p[0]);
		err_at(e, path, 0, 0, NULL, "cannot run gzip -dc: %s", strerror(rc));
		return NULL;
	}
	f = fdopen(p[0], "rb");
	if (!f) {
		err_at(e, path, 0, 0, NULL, "cannot read from gzip: %s", strerror(errno));
		close(p[0]);
	}
	return f;
}

/* Parse until one record is complete: 1 = record, 0 = end, -1 = error. */
static int read_record(struct csvin *in, struct err *e)
{
	int fast = 0;

	in->blen = 0;
	in->noff = 0;
	in->rec_done = 0;
	in->nul = 0;
	in->bad_utf8 = 0;
	while (!in->rec_done) {
		const char *seg;
		size_t n, used;
		long seg_line = in->line;

		if (in->cpos == in->clen) {
			if (in->eof) {
				if (in->done)
					return 0;
				in->done = 1;
				if (csv_fini(&in->p, on_field, on_record, in) != 0)
					return fail_at(in, e, in->rec_line, (long)in->noff + 1,
						       "unterminated quoted field (a quote opened here is never closed)");
				if (!in->rec_done)
					return 0;
				/* a record ended by the end of the file, not a line
				 * end: said, since a cut file looks just like it */
				fprintf(stderr, "ecsim: warning: %s:%ld: the last row has no line end "
					"(is the file truncated?)\n", in->path, in->rec_line);
				break;
			}
			if (refill(in, e) < 0)
				return -1;
			continue;
		}
		if (in->at_boundary) {
			long line = in->line;
			int r = fast_line(in);

			if (r == 1) {
				in->rec_line = line;
				fast = 1;
				break;
			}
			if (r == 0)
				continue;
		}
		seg = in->chunk + in->cpos;
		for (n = 0; in->cpos + n < in->clen; ) {
			char c = seg[n++];

			if (c == '\n' || c == '\r')
				break;
		}
		if (in->at_boundary && !is_blank(seg, n)) {
			in->at_boundary = 0;
			in->rec_line = in->line;
		}
		used = csv_parse(&in->p, seg, n, on_field, on_record, in);
		in->cpos += used;
		if (used > 0 && seg[used - 1] == '\n')
			in->line++;
		if (used < n) {
			if (csv_error(&in->p) == CSV_EPARSE) {
				char c = seg[used];

				if (!in->p.quoted)
					return fail_at(in, e, seg_line, (long)in->noff + 1,
						       "malformed quotes: '\"' inside an unquoted field (quote the whole field and write a literal quote as \"\")");
				return fail_at(in, e, seg_line, (long)in->noff + 1,
					       "malformed quotes: unexpected '%c' after a closing quote (write a literal quote as \"\")",
					       c >= 32 && c < 127 ? c : '?');
			}
			return fail_at(in, e, seg_line, 0, "csv: %s", csv_strerror(csv_error(&in->p)));
		}
	}
	in->cur_line = in->rec_line;
	if (!fast) {
		/* libcsv's record, in the record buffer */
		if (in->noff + 1 > in->fpcap)
			XGROW(in->fp, in->fpcap, in->noff + 1);
		for (size_t i = 0; i < in->noff; i++)
			in->fp[i] = in->buf + in->off[i];
	}
	in->fp[in->noff] = "";
	if (in->nul)
		return fail_at(in, e, in->cur_line, 0, "NUL byte in the file");
	if (in->bad_utf8)
		return fail_at(in, e, in->cur_line, in->bad_utf8, "invalid UTF-8 byte 0x%02x",
			       in->bad_byte);
	return 1;
}

struct csvin *csvin_open(const char *path, struct err *e)
{
	struct csvin *in;
	FILE *f = fopen(path, "rb");
	int r;

	if (!f) {
		err_at(e, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
		return NULL;
	}
	in = xcalloc(1, sizeof *in);
	in->path = xstrdup(path);
	in->f = f;
	in->line = 1;
	in->at_boundary = 1;
	csv_init(&in->p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
	csv_set_realloc_func(&in->p, xrealloc);
	csv_set_blk_size(&in->p, 1024);
	if (refill(in, e) < 0)
		goto fail;
	if (in->clen >= 3 && memcmp(in->chunk, "\xEF\xBB\xBF", 3) == 0)
		in->cpos = 3;
	r = read_record(in, e);
	if (r < 0)
		goto fail;
	if (r == 0) {
		err_at(e, path, 1, 0, NULL, "empty file: expected a header row");
		goto fail;
	}
	in->ncols = (int)in->noff;
	in->cols = xcalloc(in->noff, sizeof *in->cols);
	for (int i = 0; i < in->ncols; i++) {
		const char *name = in->fp[i];

		in->cols[i] = xstrdup(name);
		if (!name[0]) {
			err_at(e, path, in->cur_line, i + 1, NULL, "empty column name in the header");
			goto fail;
		}
		for (int j = 0; j < i; j++) {
			if (strcmp(in->cols[j], name) == 0) {
				err_at(e, path, in->cur_line, i + 1, name,
				       "duplicate column name (also column %d)", j + 1);
				goto fail;
			}
		}
	}
	return in;
fail:
	csvin_close(in);
	return NULL;
}

struct csvin *csvin_open_cols(const char *path, const char *const *cols, int ncols,
			      struct err *e)
{
	struct csvin *in;
	pid_t child;
	FILE *f = csvin_open_input(path, &child, e);

	if (!f)
		return NULL;
	in = xcalloc(1, sizeof *in);
	in->path = xstrdup(path);
	in->f = f;
	in->child = child;
	in->line = 1;
	in->at_boundary = 1;
	csv_init(&in->p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
	csv_set_realloc_func(&in->p, xrealloc);
	csv_set_blk_size(&in->p, 1024);
	in->ncols = ncols;
	in->cols = xcalloc((size_t)ncols, sizeof *in->cols);
	for (int i = 0; i < ncols; i++)
		in->cols[i] = xstrdup(cols[i]);
	if (refill(in, e) < 0) {
		csvin_close(in);
		return NULL;
	}
	if (in->clen >= 3 && memcmp(in->chunk, "\xEF\xBB\xBF", 3) == 0)
		in->cpos = 3;
	return in;
}

void csvin_close(struct csvin *in)
{
	if (!in)
		return;
	if (in->f)
		fclose(in->f);
	if (in->child)
		reap(in);       /* closing the pipe ends a child still writing (SIGPIPE) */
	csv_free(&in->p);
	for (int i = 0; i < in->ncols; i++)
		free(in->cols[i]);
	free(in->cols);
	free(in->buf);
	free(in->off);
	free(in->fp);
	free(in->path);
	free(in);
}

int csvin_ncols(const struct csvin *in)
{
	return in->ncols;
}

const char *csvin_colname(const struct csvin *in, int col)
{
	const char *s = field_name(in, col);

	return s ? s : "";
}

int csvin_col(const struct csvin *in, const char *name)
{
	for (int i = 0; i < in->ncols; i++)
		if (strcmp(in->cols[i], name) == 0)
			return i;
	return -1;
}

int csvin_next(struct csvin *in, struct err *e)
{
	int r;

	if (in->failed)
		return err_at(e, in->path, in->cur_line, 0, NULL, "reading stopped after an earlier error");
	if (in->at_boundary && in->cpos < in->clen) {
		/* the common line, split here without read_record's frame; a
		 * line fast_line leaves (a blank one skipped, or not its kind)
		 * is read_record's, which starts over */
		long line = in->line;

		in->nul = 0;
		in->bad_utf8 = 0;
		r = fast_line(in);
		if (r == 1 && !in->nul && !in->bad_utf8) {
			in->rec_line = in->cur_line = line;
			in->fp[in->noff] = "";
			goto got;
		}
		if (r == 1) {
			/* its NUL or invalid UTF-8 reported as read_record does */
			in->rec_line = in->cur_line = line;
			in->fp[in->noff] = "";
			return in->nul ? fail_at(in, e, line, 0, "NUL byte in the file")
				       : fail_at(in, e, line, in->bad_utf8, "invalid UTF-8 byte 0x%02x",
						 in->bad_byte);
		}
	}
	r = read_record(in, e);
	if (r <= 0)
		return r;
got:
	if ((int)in->noff != in->ncols) {
		in->failed = 1;
		return err_at(e, in->path, in->cur_line, 0, NULL, "expected %d field%s, got %zu",
			      in->ncols, in->ncols == 1 ? "" : "s", in->noff);
	}
	return 1;
}

size_t csvin_peek(const struct csvin *in, const char **p, long *line)
{
	if (!in->at_boundary || in->failed)
		return 0;
	*p = in->chunk + in->cpos;
	*line = in->line;
	return in->clen - in->cpos;
}

void csvin_take(struct csvin *in, size_t n, long lines)
{
	if (lines <= 0)
		return;
	in->cpos += n;
	in->line += lines;
	in->rec_line = in->cur_line = in->line - 1;
	in->noff = 0;
}

const char *csvin_field(const struct csvin *in, int col)
{
	if (col < 0 || (size_t)col >= in->noff)
		return "";
	return in->fp[col];
}

const char *const *csvin_fields(const struct csvin *in)
{
	return in->fp;
}

long csvin_line(const struct csvin *in)
{
	return in->cur_line;
}

const char *csvin_path(const struct csvin *in)
{
	return in->path;
}

int csvin_fail(const struct csvin *in, int col, struct err *e, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return err_at(e, in->path, in->cur_line, col >= 0 ? col + 1 : 0,
		      field_name(in, col), "%s", msg);
}

size_t csvin_memory(const struct csvin *in)
{
	return sizeof *in + in->bcap + in->offcap * sizeof *in->off + in->fpcap * sizeof *in->fp +
	       csv_get_buffer_size((struct csv_parser *)&in->p);
}
