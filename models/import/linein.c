/* models/import/linein.c — see linein.h. */
#include "linein.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "sim/csvin.h"
#include "sim/mem.h"

struct linein {
	char *path;
	FILE *f;
	pid_t child;
	char *buf;
	size_t cap;
	long line;
};

struct linein *linein_open(const char *path, struct err *e)
{
	pid_t child;
	FILE *f = csvin_open_input(path, &child, e);
	struct linein *in;

	if (!f)
		return NULL;
	in = xcalloc(1, sizeof *in);
	in->path = xstrdup(path);
	in->f = f;
	in->child = child;
	return in;
}

int linein_next(struct linein *in, const char **line, struct err *e)
{
	ssize_t n;

	errno = 0;
	n = getline(&in->buf, &in->cap, in->f);
	if (n < 0) {
		if (ferror(in->f))
			return err_at(e, in->path, in->line + 1, 0, NULL, "read error: %s", strerror(errno));
		if (in->child) {
			int st = csvin_wait_child(in->child);

			in->child = 0;
			if (st > 1000)
				return err_at(e, in->path, 0, 0, NULL, "gzip -dc was killed by signal %d (%s) "
					      "before the end of the file", st - 1000, strsignal(st - 1000));
			if (st != 0)
				return err_at(e, in->path, 0, 0, NULL,
					      "not a valid gzip file (gzip -dc exited with status %d)", st);
		}
		return 0;
	}
	in->line++;
	if ((size_t)n > LINEIN_MAX)
		return err_at(e, in->path, in->line, 0, NULL, "a line of %zd bytes, more than %d",
			      n, LINEIN_MAX);
	if (strlen(in->buf) != (size_t)n)
		return err_at(e, in->path, in->line, 0, NULL, "a NUL byte in the line");
	if (n > 0 && in->buf[n - 1] == '\n')
		in->buf[--n] = '\0';
	if (n > 0 && in->buf[n - 1] == '\r')
		in->buf[--n] = '\0';
	*line = in->buf;
	return 1;
}

long linein_line(const struct linein *in)
{
	return in->line;
}

const char *linein_path(const struct linein *in)
{
	return in->path;
}

size_t linein_memory(const struct linein *in)
{
	return sizeof *in + in->cap;
}

void linein_close(struct linein *in)
{
	if (!in)
		return;
	if (in->f)
		fclose(in->f);
	if (in->child)
		csvin_wait_child(in->child);
	free(in->buf);
	free(in->path);
	free(in);
}
