/* tests/helpers/runscn.c — see runscn.h. */
#include "runscn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/run.h"
#include "models/scenario.h"
#include "sim/csvin.h"

static char dir[256];

int rs_setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/ecsim-test-XXXXXX");
	return mkdtemp(dir) ? 0 : 1;
}

int rs_setup_small(void)
{
	if (rs_setup())
		return 1;
	rs_write("small.json", "{\"family\":\"small\",\"containerDefinitions\":[{\"name\":\"a\","
		 "\"image\":\"x\",\"cpu\":256,\"memory\":512}]}");
	return 0;
}

void rs_write_def(const char *family, int cpu, int memory)
{
	char name[96], text[600];

	snprintf(name, sizeof name, "%s.json", family);
	snprintf(text, sizeof text, "{\"family\":\"%s\",\"containerDefinitions\":[{\"name\":\"c\","
		 "\"image\":\"x\",\"cpu\":%d,\"memory\":%d}]}", family, cpu, memory);
	rs_write(name, text);
}

int rs_teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}

const char *rs_dir(void)
{
	return dir;
}

void rs_write(const char *name, const char *text)
{
	char p[400];
	FILE *f;

	snprintf(p, sizeof p, "%s/%s", dir, name);
	f = fopen(p, "w");
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

int rs_fixture(const char *name)
{
	char p[400], *buf;
	FILE *f;
	long n;
	int ok;

	snprintf(p, sizeof p, "tests/data/scenarios/%s", name);
	if (!(f = fopen(p, "rb")))
		return -1;
	ok = fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	     (buf = malloc((size_t)n + 1)) != NULL;
	if (ok) {
		ok = fread(buf, 1, (size_t)n, f) == (size_t)n;
		buf[n] = 0;
		if (ok)
			rs_write(name, buf);
		free(buf);
	}
	fclose(f);
	return ok ? 0 : -1;
}

/* Run rs_dir()/name into out-<tag>; an error printed, or formatted into
 * msg when msg is given. */
static int run_into(const char *name, const char *tag, const char *strategy,
		    void (*fn)(struct backplane *bp, void *ctx), void *ctx, char *msg, size_t n)
{
	char p[400], out[400];
	struct err e;
	struct scenario *s = NULL;
	struct run_opts o;
	struct run_counts rn;
	int rc = -1;

	if (msg)
		msg[0] = '\0';
	snprintf(p, sizeof p, "%s/%s", dir, name);
	snprintf(out, sizeof out, "%s/out-%s", dir, tag);
	err_clear(&e);
	s = scenario_load(p, &e);
	if (s && !(strategy && scenario_set_strategy(s, strategy, &e))) {
		o = (struct run_opts){ .out_dir = out, .task_log = 1, .observe = fn, .observe_ctx = ctx };
		rc = run_scenario(s, &o, &rn, &e) == RUN_OK ? 0 : -1;
	}
	if (rc && msg)
		err_format(&e, msg, n);
	else if (rc)
		err_print(&e, stderr);
	scenario_free(s);
	return rc;
}

int rs_run(const char *name, const char *tag, const char *strategy,
	   void (*fn)(struct backplane *bp, void *ctx), void *ctx)
{
	return run_into(name, tag, strategy, fn, ctx, NULL, 0);
}

int rs_run_msg(const char *name, const char *tag, char *msg, size_t n)
{
	return run_into(name, tag, NULL, NULL, NULL, msg, n);
}

static struct csvin *open_out(const char *tag, const char *file)
{
	char p[400];
	struct err e;

	snprintf(p, sizeof p, "%s/out-%s/%s", dir, tag, file);
	return csvin_open(p, &e);
}

int rs_rows(const char *tag, const char *file)
{
	struct csvin *in = open_out(tag, file);
	struct err e;
	int n = 0;

	if (!in)
		return -1;
	while (csvin_next(in, &e) > 0)
		n++;
	csvin_close(in);
	return n;
}

char *rs_cell(const char *tag, const char *file, int row, const char *col)
{
	struct csvin *in;
	struct err e;
	char *v = NULL;
	int c, r = 0;

	if (row < 0)
		row = rs_rows(tag, file) + 1 + row;
	in = open_out(tag, file);
	if (!in)
		return NULL;
	c = csvin_col(in, col);
	while (c >= 0 && csvin_next(in, &e) > 0)
		if (++r == row) {
			v = strdup(csvin_field(in, c));
			break;
		}
	csvin_close(in);
	return v;
}

/* The first row where `col` == value (first set), or how many there are. */
static int scan(const char *tag, const char *file, const char *col, const char *value, int first)
{
	struct csvin *in = open_out(tag, file);
	struct err e;
	int c, r = 0, found = 0;

	if (!in)
		return 0;
	c = csvin_col(in, col);
	while (c >= 0 && csvin_next(in, &e) > 0) {
		r++;
		if (strcmp(csvin_field(in, c), value) != 0)
			continue;
		if (first) {
			found = r;
			break;
		}
		found++;
	}
	csvin_close(in);
	return found;
}

int rs_find(const char *tag, const char *file, const char *col, const char *value)
{
	return scan(tag, file, col, value, 1);
}

int rs_count(const char *tag, const char *file, const char *col, const char *value)
{
	return scan(tag, file, col, value, 0);
}

void rs_live_per_az(const char *tag, int *per, int n_az)
{
	struct csvin *in = open_out(tag, "tasks.csv");
	struct err e;
	int stop, az;

	memset(per, 0, (size_t)n_az * sizeof *per);
	if (!in)
		return;
	stop = csvin_col(in, "stop_s");
	az = csvin_col(in, "az");
	while (stop >= 0 && az >= 0 && csvin_next(in, &e) > 0) {
		const char *z = csvin_field(in, az);
		int k = *z ? z[strlen(z) - 1] - 'a' : -1;

		if (!*csvin_field(in, stop) && k >= 0 && k < n_az)
			per[k]++;
	}
	csvin_close(in);
}

double rs_num(const char *tag, const char *file, int row, const char *col)
{
	char *v = rs_cell(tag, file, row, col);
	double x = v && *v ? strtod(v, NULL) : -1;

	free(v);
	return x;
}

double rs_target_at(const char *tag, const char *target, const char *to)
{
	int n = rs_rows(tag, "targets.csv");

	for (int r = 1; r <= n; r++) {
		char *t = rs_cell(tag, "targets.csv", r, "target");
		char *s = rs_cell(tag, "targets.csv", r, "to");
		int hit = t && s && strcmp(t, target) == 0 && strcmp(s, to) == 0;

		free(t);
		free(s);
		if (hit)
			return rs_num(tag, "targets.csv", r, "time_s");
	}
	return -1;
}
