/* sim/err.c — input-error records (see err.h). */
#include "err.h"

#include <stdarg.h>
#include <string.h>

/* Every field empty; the buffers' unused bytes are left alone (err_at
 * writes whole strings, and nothing reads past a terminator): clearing
 * 2 KB for each trace row cost more than the row's parse. */
void err_clear(struct err *e)
{
	e->file[0] = '\0';
	e->line = 0;
	e->col = 0;
	e->path[0] = '\0';
	e->msg[0] = '\0';
	e->set = 0;
}

int err_at(struct err *e, const char *file, long line, long col,
	   const char *path, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	snprintf(e->file, sizeof e->file, "%s", file ? file : "");
	snprintf(e->path, sizeof e->path, "%s", path ? path : "");
	e->line = line;
	e->col = col;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	e->set = 1;
	return -1;
}

void err_format(const struct err *e, char *buf, size_t n)
{
	size_t k = 0;

	buf[0] = '\0';
#define PUT(...) do { \
		int w_ = snprintf(buf + k, k < n ? n - k : 0, __VA_ARGS__); \
		if (w_ > 0) \
			k += (size_t)w_; \
		if (k >= n) \
			k = n - 1; \
	} while (0)
	if (e->file[0]) {
		PUT("%s", e->file);
		if (e->line > 0) {
			PUT(":%ld", e->line);
			if (e->col > 0)
				PUT(":%ld", e->col);
		}
		PUT(": ");
	}
	if (e->path[0])
		PUT("%s: ", e->path);
	PUT("%s", e->msg);
#undef PUT
}

void err_print(const struct err *e, FILE *f)
{
	char buf[2200];

	err_format(e, buf, sizeof buf);
	fprintf(f, "ecsim: error: %s\n", buf);
}
