/* tests/helpers/import_rows.c — see import_rows.h. */
#include "import_rows.h"

#include <stdio.h>
#include <string.h>

#include "models/trace.h"
#include "sim/hash.h"
#include "badfiles.h"
#include "tutil.h"

void imp_err_eq(const struct err *e, const char *want)
{
	char buf[2200];

	err_format(e, buf, sizeof buf);
	t_msg_eq(buf, want);
}

void imp_check_rows(struct import *im, const struct imp_want *w, int n)
{
	struct err e;
	struct trace_row r;
	int i = 0, rc;

	err_clear(&e);
	while ((rc = import_next(im, &r, &e)) == 1) {
		if (i >= n) {
			i++;
			continue;
		}
		T_EQ(r.t, w[i].t);
		T_EQ(r.ev, w[i].ev);
		T_STREQ(r.target, w[i].target);
		T_STREQ(r.taskdef, "");
		T_STREQ(r.group, w[i].group);
		T_EQ(r.count, w[i].count);
		T_EQ(r.duration, w[i].duration);
		T_EQ(r.cpu_units, w[i].cpu);
		T_EQ(r.mem_mib, w[i].mem);
		T_EQ(r.line, w[i].line);
		if (r.t != w[i].t || strcmp(r.target, w[i].target) != 0 || r.line != w[i].line)
			fprintf(stderr, "\n  row %d: got %s %s at %lld line %ld\n", i, trace_event_name(r.ev),
				r.target, (long long)r.t, r.line);
		i++;
	}
	if (rc < 0)
		imp_err_eq(&e, "(no error)");
	T_EQ(rc, 0);
	T_EQ(i, n);
}

const char *imp_az_of(const char *machine, const char *const *azs, int n)
{
	return azs[hash_fnv1a64(machine) % (uint64_t)n];
}

int imp_round_trip(const char *fmt, const struct import_opts *o, const char *out)
{
	struct trace_row a, b;
	struct import *im;
	struct trace *t;
	struct err e;
	int n = 0, ra, rb, rc;

	err_clear(&e);
	im = import_open(fmt, o, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(im);
	rc = import_write_csv(im, out, &e);
	import_close(im);
	CU_ASSERT_FATAL(rc == 0);
	im = import_open(fmt, o, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(im);
	t = trace_open(out, (1u << TR_N_EVENTS) - 1, &e);
	if (!t)
		import_close(im);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (;;) {
		ra = import_next(im, &a, &e);
		rb = trace_next(t, &b, &e);
		T_EQ(ra, rb);
		if (ra != 1 || rb != 1)
			break;
		n++;
		T_EQ(a.t, b.t);
		T_EQ(a.ev, b.ev);
		T_STREQ(a.target, b.target);
		T_STREQ(a.taskdef, b.taskdef);
		T_STREQ(a.group, b.group);
		T_EQ(a.count, b.count);
		T_EQ(a.duration, b.duration);
		T_EQ(a.cpu_units, b.cpu_units);
		T_EQ(a.mem_mib, b.mem_mib);
	}
	if (rb < 0)
		imp_err_eq(&e, "(no error)");
	trace_close(t);
	import_close(im);
	return n;
}
