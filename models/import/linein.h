/* models/import/linein.h — a streaming reader of text lines (for tables
 * that are not CSV, such as the Standard Workload Format's whitespace-
 * separated columns): one line at a time, memory bounded by the longest
 * line, gzip read through a `gzip -dc` child as csvin does. */
#ifndef MODELS_IMPORT_LINEIN_H
#define MODELS_IMPORT_LINEIN_H

#include <stddef.h>

#include "sim/err.h"

/* The longest line accepted (a longer one is an error, not a growing
 * buffer). */
#define LINEIN_MAX (1 << 20)

struct linein;

struct linein *linein_open(const char *path, struct err *e);
/* 1 = a line (without its "\n" or "\r\n"; valid until the next call),
 * 0 = end of file, -1 = error (read error, a line too long, a NUL byte,
 * a corrupt gzip stream). */
int linein_next(struct linein *in, const char **line, struct err *e);
long linein_line(const struct linein *in);  /* 1-based line of the last line read */
const char *linein_path(const struct linein *in);
size_t linein_memory(const struct linein *in);
void linein_close(struct linein *in);       /* NULL is a no-op */

#endif
