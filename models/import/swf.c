/* models/import/swf.c — the Parallel Workloads Archive's Standard Workload
 * Format (SWF, version 2): `;` header comments (`; Key: value`), then one
 * job per line, 18 whitespace-separated fields, -1 = unknown; time fields
 * may be decimal (the submit and run times are read to the ms).
 *
 * Mapping (scenarios/README.md, "Parallel Workloads Archive (swf)";
 * docs/ecs-model.md choice E230): the header's MaxProcs (else MaxNodes) processors become
 * ceil(procs / vCPU of the chosen type) instances registered at time 0,
 * spread over the AZs in turn (unless swf_no_machines); a job becomes one
 * task per processor (allocated processors, else requested processors),
 * each 1 vCPU (1024 CPU units) and its memory per processor (requested,
 * else used; KB rounded up to MiB; both unknown: 1024 MiB), in run_task
 * rows of at most 10 tasks at the submit time, duration = run time, group
 * "job:<job number>".  A job with an unknown run time or no processors is
 * skipped and counted, as are the partial-execution lines (status 2, 3, 4)
 * that follow their job's summary line, which is the job; the only state
 * kept is the job number of the last line that was not such a part.  That
 * the summary comes first, and that parts without one (Preemption: Yes)
 * are runs at their own submit times, not chained, is ecsim's reading,
 * not checked against a log with such lines (choice E230).  The table must
 * be in submit-time order (the SWF rule); the file is streamed.
 */
#include "import_int.h"

#include "sim/mem.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MS 1000000000000000LL
#define RUNTASK_MAX 10
#define SWF_FIELDS 18
#define SWF_UNKNOWN_MEM_MIB 1024
#define MAX_NEED 1000000000LL

static const char *const swf_cols[SWF_FIELDS] = {
	"job number", "submit time", "wait time", "run time", "allocated processors",
	"average CPU time used", "used memory", "requested processors", "requested time",
	"requested memory", "status", "user id", "group id", "executable number", "queue number",
	"partition number", "preceding job number", "think time from preceding job"
};
enum { F_JOB, F_SUBMIT, F_WAIT, F_RUN, F_PROCS, F_CPU, F_USED_MEM, F_REQ_PROCS, F_REQ_TIME,
       F_REQ_MEM, F_STATUS };

static int fail(const struct src *s, int col, struct err *e, const char *msg, const char *f)
{
	return err_at(e, linein_path(s->lin), linein_line(s->lin), col + 1, swf_cols[col], msg, f);
}

/* Field `col`: an integer >= -1 (-1 = unknown); 0 or -1. */
static int field_int(const struct src *s, char **fv, int col, int64_t *v, struct err *e)
{
	const char *f = fv[col];
	char *end;
	long long x;

	if (strcmp(f, "-1") == 0) {
		*v = -1;
		return 0;
	}
	if (!isdigit((unsigned char)f[0]))
		return fail(s, col, e, "expected an integer >= 0 or -1 (unknown), got \"%s\"", f);
	x = strtoll(f, &end, 10);
	if (*end || x > 1000000000000LL)
		return fail(s, col, e, "expected an integer from 0 to 10^12 or -1 (unknown), got \"%s\"", f);
	*v = x;
	return 0;
}

/* The status field: 1 completed, 0 failed, 5 cancelled, 2, 3 and 4 the
 * partial executions of a checkpointed or swapped job, -1 unknown (the SWF
 * definition); 0 or -1. */
static int field_status(const struct src *s, char **fv, int64_t *v, struct err *e)
{
	const char *f = fv[F_STATUS];

	if (strcmp(f, "-1") == 0)
		*v = -1;
	else if (f[0] >= '0' && f[0] <= '5' && !f[1])
		*v = f[0] - '0';
	else
		return fail(s, F_STATUS, e, "expected 1 (completed), 0 (failed), 5 (cancelled), 2, 3 or 4 "
			    "(a partial execution) or -1 (unknown), got \"%s\"", fv[F_STATUS]);
	return 0;
}

/* A time field (submit time, run time) in ms: seconds, an integer or a
 * decimal number, as the SWF definition permits floating point values in
 * time fields (rounded to the ms); -1 (or -1.0) = unknown.  0 or -1. */
static int field_time(const struct src *s, char **fv, int col, int64_t *ms, struct err *e)
{
	const char *f = fv[col];
	char *end;
	double x;

	if (!isdigit((unsigned char)f[f[0] == '-']))
		return fail(s, col, e, "expected a number of seconds >= 0 or -1 (unknown), got \"%s\"", f);
	x = strtod(f, &end);
	if (*end || f[strspn(f, "0123456789.-")])   /* no exponent, no hexadecimal ("0x10") */
		return fail(s, col, e, "expected a number of seconds >= 0 or -1 (unknown), got \"%s\"", f);
	if (x == -1.0) {
		*ms = -1;
		return 0;
	}
	if (f[0] == '-')
		return fail(s, col, e, "expected a number of seconds >= 0 or -1 (unknown), got \"%s\"", f);
	if (x > 1e12)
		return fail(s, col, e, "expected a number of seconds from 0 to 10^12 or -1 (unknown), got \"%s\"", f);
	*ms = (int64_t)llround(x * 1000.0);
	return 0;
}

/* ms as seconds: "40", "12.5". */
static void fmt_s(char *buf, size_t n, int64_t ms)
{
	if (ms % 1000 == 0)
		snprintf(buf, n, "%lld", (long long)(ms / 1000));
	else {
		snprintf(buf, n, "%lld.%03lld", (long long)(ms / 1000), (long long)(ms % 1000));
		while (buf[strlen(buf) - 1] == '0')
			buf[strlen(buf) - 1] = '\0';
	}
}

/* "; MaxProcs: 128" -> 128 for the key asked, else -1. */
static int64_t header_value(const char *line, const char *key)
{
	size_t k = strlen(key);
	char *end;
	long long v;

	while (*line == ';' || *line == ' ' || *line == '\t')
		line++;
	if (strncmp(line, key, k) != 0 || line[k] != ':')
		return -1;
	v = strtoll(line + k + 1, &end, 10);
	while (*end == ' ' || *end == '\t')
		end++;
	return *end || v <= 0 ? -1 : v;
}

/* The next run_task of the current job (at most 10 tasks). */
static int emit_batch(struct src *s)
{
	int64_t n = s->left < RUNTASK_MAX ? s->left : RUNTASK_MAX;

	s->out.count = n;
	s->left -= n;
	return 1;
}

static int fill(struct import *im, struct src *s, struct err *e)
{
	if (s->left > 0)
		return emit_batch(s);
	for (;;) {
		char buf[1024], *fv[SWF_FIELDS + 1], *save = NULL, *p;
		const char *line;
		int64_t v[SWF_FIELDS], procs, mem_kb, mem;
		int n = 0, r;
		size_t len;

		if (s->fleet_left > 0) {
			char id[32];

			snprintf(id, sizeof id, "swf-%lld", (long long)++s->fleet_done);
			s->fleet_left--;
			if (import_machine_add_az(im, s, id, 0, (int)((s->fleet_done - 1) % im->n_azs))) {
				s->out.line = s->fleet_line;   /* the header line it comes from */
				return 1;
			}
			continue;
		}
		if (s->held) {
			/* the first job line, read by open with the header */
			line = s->held;
			r = 1;
		} else {
			r = linein_next(s->lin, &line, e);
			if (r <= 0)
				return r;
		}
		p = (char *)line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == ';') {     /* a comment after the header: nothing to read */
			continue;
		}
		len = strlen(p);                /* (p may be in the held line, freed below) */
		if (len >= sizeof buf) {
			free(s->held);
			s->held = NULL;
			return err_at(e, linein_path(s->lin), linein_line(s->lin), 0, NULL,
				      "a job line of %zu characters; expected 18 numbers", len);
		}
		memcpy(buf, p, len + 1);
		free(s->held);
		s->held = NULL;
		for (char *tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
			if (n == SWF_FIELDS) {
				n++;
				break;
			}
			fv[n++] = tok;
		}
		im->st.rows_in++;
		if (n != SWF_FIELDS)
			return err_at(e, linein_path(s->lin), linein_line(s->lin), 0, NULL,
				      "expected %d fields separated by spaces, got %s%d", SWF_FIELDS,
				      n > SWF_FIELDS ? "more than " : "", n > SWF_FIELDS ? SWF_FIELDS : n);
		if (field_int(s, fv, F_JOB, &v[F_JOB], e) || field_time(s, fv, F_SUBMIT, &v[F_SUBMIT], e) ||
		    field_time(s, fv, F_RUN, &v[F_RUN], e) || field_int(s, fv, F_PROCS, &v[F_PROCS], e) ||
		    field_int(s, fv, F_USED_MEM, &v[F_USED_MEM], e) ||
		    field_int(s, fv, F_REQ_PROCS, &v[F_REQ_PROCS], e) ||
		    field_int(s, fv, F_REQ_MEM, &v[F_REQ_MEM], e) ||
		    field_status(s, fv, &v[F_STATUS], e))
			return -1;
		if (v[F_SUBMIT] < 0)
			return fail(s, F_SUBMIT, e, "expected a submit time >= 0, got \"%s\"", fv[F_SUBMIT]);
		if (v[F_SUBMIT] < s->prev) {
			char msg[240], now[32], before[32];

			fmt_s(now, sizeof now, v[F_SUBMIT]);
			fmt_s(before, sizeof before, s->prev);
			snprintf(msg, sizeof msg, "jobs not in submit-time order: %s after %s (sort with: "
				 "(grep '^;' F; grep -v '^;' F | sort -k2,2n -s) > F.sorted.swf)", now, before);
			return fail(s, F_SUBMIT, e, "%s", msg);
		}
		s->prev = v[F_SUBMIT];
		if (v[F_STATUS] < 2 || v[F_STATUS] > 4) {
			s->swf_job = v[F_JOB];
		} else if (v[F_JOB] == s->swf_job) {
			/* a partial execution of a checkpointed or swapped
			 * job after its summary line (the same job number,
			 * status 0, 1 or 5, the whole run time: a log with
			 * "Preemption: Double"): the summary is the job,
			 * imported once (docs/ecs-model.md choice E230).  A
			 * partial execution without a summary before it (a
			 * log with "Preemption: Yes" has none) is a run of
			 * its own, as any line. */
			im->st.skipped_duplicate++;
			continue;
		}
		procs = v[F_PROCS] >= 0 ? v[F_PROCS] : v[F_REQ_PROCS];
		if (v[F_RUN] < 0 || procs <= 0) {
			im->st.skipped_blank++;
			continue;
		}
		if (procs > im->max_instance_num) {
			int c = v[F_PROCS] >= 0 ? F_PROCS : F_REQ_PROCS;

			return fail(s, c, e, "more processors than the importer's limit (--max-instance-num): "
				    "\"%s\"", fv[c]);
		}
		mem_kb = v[F_REQ_MEM] > 0 ? v[F_REQ_MEM] : v[F_USED_MEM];
		mem = mem_kb > 0 ? (mem_kb + 1023) / 1024 : SWF_UNKNOWN_MEM_MIB;
		if (mem > MAX_NEED) {
			int c = v[F_REQ_MEM] > 0 ? F_REQ_MEM : F_USED_MEM;

			return fail(s, c, e, "more than the trace reader's limit of 10^9 MiB per processor: "
				    "\"%s\" KB", fv[c]);
		}
		import_row_init(s, TR_RUN_TASK, import_ms(im, v[F_SUBMIT], 1000));
		if (s->out.t > MAX_MS)
			return fail(s, F_SUBMIT, e, "expected at most 10^12 seconds, got \"%s\"", fv[F_SUBMIT]);
		s->out.duration = import_ms(im, v[F_RUN], 1000);
		snprintf(s->group, sizeof s->group, "job:%lld", (long long)v[F_JOB]);
		s->out.cpu_units = 1024;
		s->out.mem_mib = mem;
		s->left = procs;
		return emit_batch(s);
	}
}

int import_swf_open(struct import *im, const struct import_opts *o, struct err *e)
{
	struct src *s = &im->src[im->nsrc];
	int64_t procs = 0, nodes = 0;
	long procs_line = 0, nodes_line = 0;

	if (!o->swf)
		return err_at(e, NULL, 0, 0, NULL, "swf: give the job log (an .swf file)");
	if (o->task_events || o->machine_events || o->batch_task || o->container_meta || o->machine_meta ||
	    o->server_event || o->openb_nodes || o->openb_pods)
		return err_at(e, NULL, 0, 0, NULL, "swf: takes one table, the job log");
	memset(s, 0, sizeof *s);
	s->lin = linein_open(o->swf, e);
	if (!s->lin)
		return -1;
	s->fill = fill;
	s->prev = 0;
	s->swf_job = -2;
	im->nsrc++;
	/* the header: comment lines up to the first job line (kept for fill) */
	for (;;) {
		const char *line, *p;
		int r = linein_next(s->lin, &line, e);
		int64_t x;

		if (r < 0)
			return -1;
		if (r == 0)
			break;
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		if (*p && *p != ';') {
			s->held = xstrdup(line);
			break;
		}
		if ((x = header_value(p, "MaxProcs")) > 0) {
			procs = x;
			procs_line = linein_line(s->lin);
		} else if ((x = header_value(p, "MaxNodes")) > 0) {
			nodes = x;
			nodes_line = linein_line(s->lin);
		}
	}
	if (!procs) {
		procs = nodes;
		procs_line = nodes_line;
	}
	s->fleet_line = procs_line;
	if (!im->no_machines && procs > 0) {
		if (procs > 1000000)
			return err_at(e, o->swf, 0, 0, NULL, "the header's MaxProcs/MaxNodes %lld is more than "
				      "10^6 processors; import with the fleet left out (--no-machines)",
				      (long long)procs);
		s->fleet_left = (procs + im->vcpu - 1) / im->vcpu;
	}
	return 0;
}
