/* sim/csvin.h — streaming CSV input through libcsv: one record at a time,
 * memory bounded by the longest record, never by the file.
 *
 * The first record is the header; columns are found by name.  Each record
 * knows the line it started on; errors name the file, that line and the
 * 1-based column (field index) with the column's header name.
 * Blank lines are skipped.  A record with a field count different from the
 * header's is an error.
 */
#ifndef SIM_CSVIN_H
#define SIM_CSVIN_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "err.h"

struct csvin;

/* Bytes read from the file at a time.  256 KiB: a 30-day trace (1.5 GB)
 * is 5,700 read calls, not the 92,000 of 16-KiB chunks; reading that file
 * with dd took 0.47 CPU s in 16-KiB blocks and 0.13 s in 256-KiB ones on
 * the virtual machine ecsim is measured on (system calls are dear there).
 * The reader holds one chunk (csvin_memory counts it). */
#define CSVIN_CHUNK (256 * 1024)

/* Open and read the header.  NULL with e filled on error (missing file,
 * empty file, malformed header, duplicate column names). */
struct csvin *csvin_open(const char *path, struct err *e);
/* Open a file without a header row (as many public traces are): `cols`
 * names its `ncols` columns, and every record must have that many fields.
 * A path ending in ".gz" is decompressed on the fly through a `gzip -dc`
 * child process (streamed: nothing is held but the current record); a
 * corrupt stream is an error when its end is reached. */
struct csvin *csvin_open_cols(const char *path, const char *const *cols, int ncols,
			      struct err *e);
void csvin_close(struct csvin *in);         /* NULL is a no-op */

int csvin_ncols(const struct csvin *in);
const char *csvin_colname(const struct csvin *in, int col);
int csvin_col(const struct csvin *in, const char *name);   /* index or -1 */

/* Read the next record: 1 = a record, 0 = end of file, -1 = error. */
int csvin_next(struct csvin *in, struct err *e);
/* Field `col` of the current record (never NULL; "" when empty). */
const char *csvin_field(const struct csvin *in, int col);
/* All fields of the current record, csvin_ncols() of them (each never NULL),
 * then one more, "" (a reader may map a column its file lacks to index
 * csvin_ncols() and read it as empty without a test per row); valid until
 * the next csvin_next(): for readers that look at every field of every
 * row, without a call per field. */
const char *const *csvin_fields(const struct csvin *in);
long csvin_line(const struct csvin *in);    /* line where the record started */
const char *csvin_path(const struct csvin *in);

/* For a reader that splits the common line itself (models/trace.c): the
 * unread bytes of the chunk in hand when the reader is at a record boundary
 * and has reported no error, else 0 (read with csvin_next).  *p gets the
 * next byte and *line its line; p[n] is a '\n' that is not in the file (a
 * sentinel) and the 15 bytes after it may be read (16-byte loads), their
 * values meaningless: a line is whole only when its '\n' is before p[n].
 * The bytes stay until the next csvin_take or csvin_next. */
size_t csvin_peek(const struct csvin *in, const char **p, long *line);
/* The caller took the next `lines` lines itself, n bytes from csvin_peek's
 * *p: each up to and including the '\n' that ends it holds no quote, NUL,
 * CR, space, tab or byte >= 0x80 and exactly csvin_ncols() - 1 commas (a
 * line csvin_next would split at its commas and nothing else).  The last
 * is the current record's line (csvin_line()); csvin_field() and
 * csvin_fields() describe no record until the next csvin_next(). */
void csvin_take(struct csvin *in, size_t n, long lines);

/* The byte stream of `path` as csvin reads it, for readers of other
 * layouts (models/import/linein.c): the file itself, or the output of a
 * `gzip -dc` child reading it when the name ends in ".gz" (*child is its
 * pid, else 0).  NULL with e filled on error. */
FILE *csvin_open_input(const char *path, pid_t *child, struct err *e);
/* Wait for such a child: its exit status, 1000 + the signal that killed
 * it, or -1. */
int csvin_wait_child(pid_t pid);

/* Record an error about field `col` of the current record; returns -1. */
int csvin_fail(const struct csvin *in, int col, struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Bytes the reader currently holds (its buffers and libcsv's); bounded by
 * the longest record, never by the file.  For tests of the streaming. */
size_t csvin_memory(const struct csvin *in);

#endif
