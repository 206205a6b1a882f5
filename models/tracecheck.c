/* models/tracecheck.c — see tracecheck.h.
 *
 * Container instance ids: the run numbers instances "ci-00001", "ci-00002",
 * ... in the order they register — first the scenario's instanceGroups (in
 * file order), then each register_instance row as its time comes.  An id of
 * another shape can never exist.  When the scenario has one trace, no
 * public-trace import and no group with Auto Scaling replacement, the
 * instances that exist at a row are exactly the groups' plus those the
 * trace registered on earlier rows, so an id above that number is an error
 * too (the run would fail at that row with "unknown instance").  Otherwise
 * instances also appear at times only the run knows, and only the shape is
 * checked.
 */
#include "tracecheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/agent_health.h"
#include "models/capacity/cp_strategy.h"
#include "models/trace.h"
#include "sim/mem.h"

struct ck {
	struct scenario *s;
	struct trace *t;
	const char *dir;               /* folder of the trace: relative paths resolve here */
	tracecheck_report report;
	void *ctx;
	long errors;
	int64_t instances;             /* instances registered so far */
	int exact;                     /* instances is exact (see the top of the file) */
	int *svc_td;                   /* per service: its task definition as the
				        * trace's deploy rows so far leave it */
	int64_t *svc_deleted;          /* per service: the time of its first
				        * delete_service row so far, -1 none */
};

static void emit(struct ck *k, const struct err *e)
{
	k->errors++;
	k->report(e, k->ctx);
}

/* Report an error at column `col` ("target", ...) of the current row. */
static void fail_at(struct ck *k, const struct trace_row *r, const char *col, const char *fmt,
		    const char *arg, const char *detail)
{
	struct err e;
	char msg[900];

	snprintf(msg, sizeof msg, fmt, arg);
	err_clear(&e);
	err_at(&e, trace_path(k->t), r->line, trace_column(k->t, col), col, "%s%s", msg,
	       detail ? detail : "");
	emit(k, &e);
}

/* "ci-" followed by the number the run would print for it: returns the
 * number, or 0 when `id` can never name a container instance. */
static long long instance_number(const char *id)
{
	char buf[32];
	char *end;
	long long n;

	if (strncmp(id, "ci-", 3) != 0 || id[3] < '0' || id[3] > '9')
		return 0;
	n = strtoll(id + 3, &end, 10);
	if (*end || n < 1)
		return 0;
	snprintf(buf, sizeof buf, "ci-%05lld", n);
	return strcmp(buf, id) == 0 ? n : 0;
}

static void check_instance(struct ck *k, const struct trace_row *r)
{
	long long n = instance_number(r->target);
	char why[160];

	if (!n) {
		fail_at(k, r, "target", "unknown instance '%s'",
			r->target, " (container instance ids are ci-00001, ci-00002, ... in "
				   "registration order)");
		return;
	}
	if (k->exact && n > k->instances) {
		snprintf(why, sizeof why, " (%lld instance%s registered by then: the "
			 "instanceGroups and the register_instance rows above)",
			 (long long)k->instances, k->instances == 1 ? " is" : "s are");
		fail_at(k, r, "target", "unknown instance '%s'", r->target, why);
	}
}

static void check_az(struct ck *k, const struct trace_row *r, const char *col, const char *az)
{
	if (!scenario_has_az(k->s, az))
		fail_at(k, r, col, "'%s' is not one of the scenario's availabilityZones", az, NULL);
}

/* The service the row names (its index), or -1 with the row failed. */
static int check_service(struct ck *k, const struct trace_row *r)
{
	for (int i = 0; i < k->s->n_services; i++)
		if (strcmp(k->s->services[i].name, r->target) == 0)
			return i;
	fail_at(k, r, "target", "unknown service '%s' (not in $.services)", r->target, NULL);
	return -1;
}

/* The service an UpdateService / DeleteService row names, or -1 with the
 * row failed (unknown, or a call ECS refuses: trace_call_refused). */
static int check_call(struct ck *k, const struct trace_row *r)
{
	char why[400];
	int v = check_service(k, r);
	const char *col = v >= 0 ? trace_call_refused(k->s, v, r, k->svc_deleted[v], why, sizeof why) : NULL;

	if (col) {
		fail_at(k, r, col, "%s", why, NULL);
		return -1;
	}
	if (r->ev == TR_DELETE_SERVICE && k->svc_deleted[v] < 0)
		k->svc_deleted[v] = r->t;
	return v;
}

/* The task definition the row names (its index), or -1 with the row failed. */
static int check_taskdef(struct ck *k, const struct trace_row *r)
{
	struct err e;
	char inner[2200];
	int td;

	err_clear(&e);
	if ((td = scenario_taskdef(k->s, r->taskdef, k->dir, &e)) >= 0)
		return td;
	if (e.file[0]) {
		/* the definition file itself is bad: say where in it */
		err_format(&e, inner, sizeof inner);
		fail_at(k, r, "taskdef", "task definition '%s': ", r->taskdef, inner);
	} else {
		fail_at(k, r, "taskdef", "%s", e.msg, NULL);
	}
	return -1;
}

/* The row's own capacity provider strategy or launch type, against the
 * scenario's providers and task definition `td` (docs/ecs-model.md §5.11). */
static void check_strategy(struct ck *k, const struct trace_row *r, int td)
{
	struct cp_strategy st;
	struct err e;
	int launch;

	err_clear(&e);
	if (td >= 0 && trace_row_strategy(k->s, td, r, &st, &launch, &e) < 0)
		fail_at(k, r, e.path, "%s", e.msg, NULL);
}

static void check_row(struct ck *k, const struct trace_row *r)
{
	struct err e;

	switch (r->ev) {
	case TR_RUN_TASK:
		if (r->taskdef[0]) {
			check_taskdef(k, r);
			err_clear(&e);
			check_strategy(k, r, scenario_taskdef(k->s, r->taskdef, k->dir, &e));
		} else {
			int td;

			err_clear(&e);
			td = scenario_synthetic_taskdef(k->s, r->cpu_units, r->mem_mib, &e);
			if (td < 0)
				fail_at(k, r, "cpu", "%s", e.msg, NULL);
			check_strategy(k, r, td);
		}
		break;
	case TR_REGISTER_INSTANCE: {
		int ok = 1;

		if (!catalog_find(k->s->catalog, r->target)) {
			char *names = catalog_names(k->s->catalog);
			char known[600];

			snprintf(known, sizeof known, "; known: %.580s", names);
			free(names);
			fail_at(k, r, "target", "unknown instance type '%s'", r->target, known);
			ok = 0;
		}
		if (!scenario_has_az(k->s, r->group)) {
			check_az(k, r, "group", r->group);
			ok = 0;
		}
		if (ok)
			k->instances += r->count;
		break;
	}
	case TR_SET_DESIRED:
	case TR_DELETE_SERVICE:
		check_call(k, r);
		break;
	case TR_DEPLOY: {
		int v = check_call(k, r), td = check_taskdef(k, r);

		err_clear(&e);
		if (v >= 0 && td >= 0 && scn_service_deploy_check(k->s, v, td, &e))
			fail_at(k, r, "taskdef", "%s", e.msg, NULL);
		else if (v >= 0 && td >= 0)
			k->svc_td[v] = td;
		break;
	}
	case TR_HEALTH_CHECK_FAIL: {
		/* a service's definition must have the container check (the
		 * run checks each task it picks); a task id is known only to
		 * the run (docs/ecs-model.md choice E115) */
		int v = -1;

		for (int i = 0; i < k->s->n_services; i++)
			if (strcmp(k->s->services[i].name, r->target) == 0)
				v = i;
		err_clear(&e);
		if (v >= 0 && agent_health_container(k->s, k->svc_td[v], r->group, &e) < 0)
			fail_at(k, r, r->group[0] ? "group" : "target", "%s", e.msg, NULL);
		else if (v < 0 && r->count != 1) {
			char n[32];

			snprintf(n, sizeof n, "%lld", (long long)r->count);
			fail_at(k, r, "count", "count %s: a row naming a task fails that task alone "
				"(count is for a service)", n, NULL);
		}
		break;
	}
	case TR_AZ_OUTAGE:
		check_az(k, r, "target", r->target);
		break;
	case TR_INSTANCE_FAIL:
	case TR_AGENT_DISCONNECT:
	case TR_SPOT_INTERRUPTION:
	case TR_DRAIN_INSTANCE:
	case TR_ACTIVATE_INSTANCE:
	case TR_DEREGISTER_INSTANCE:
		check_instance(k, r);
		break;
	case TR_STOP_TASK:           /* an unknown task id has no effect (StopTask) */
	default:
		break;
	}
}

/* The next good row of k->t into *r: 1, or 0 at its end (a bad row is
 * reported and skipped while the reader can go on). */
static int read_row(struct ck *k, struct trace_row *r, long *rows)
{
	struct err e;
	int rc;

	for (;;) {
		err_clear(&e);
		rc = trace_next(k->t, r, &e);
		if (rc == 0)
			return 0;
		if (rc > 0) {
			(*rows)++;
			return 1;
		}
		emit(k, &e);
		if (!trace_can_resume(k->t))
			return 0;
	}
}

/* Read every row of k->t (format and values only). */
static void check_rows(struct ck *k, long *rows)
{
	struct trace_row r;

	while (read_row(k, &r, rows))
		;
}

static int open_trace(struct ck *k, const char *path)
{
	struct err e;

	err_clear(&e);
	k->t = trace_open(path, (1u << TR_N_EVENTS) - 1, &e);
	if (!k->t) {
		emit(k, &e);
		return -1;
	}
	return 0;
}

long tracecheck_file(const char *path, tracecheck_report report, void *ctx, long *rows)
{
	struct ck k = { .report = report, .ctx = ctx };

	*rows = 0;
	if (open_trace(&k, path) == 0)
		check_rows(&k, rows);
	trace_close(k.t);
	return k.errors;
}

/* One of a scenario's traces, a row ahead, as the run streams it. */
struct src {
	struct trace *t;
	char *dir;
	struct trace_row row;
	int have;                  /* row holds its next row */
	uint64_t seq;              /* the run's order of its row at one instant */
};

/* The scenario's traces are checked as the run reads them: their rows
 * merged into the run's order, so that a call refused because of a row of
 * another trace (an UpdateService after a DeleteService, choice E238) and
 * the task definition a service's deploy rows leave (health_check_fail)
 * are decided as in the run.  The run's order (sim_at_next, choice E40):
 * rows by time; at one instant, a trace whose row runs goes on with its
 * next rows of that instant before any other trace's, and the traces come
 * in the order their row of the instant was scheduled: the first rows at
 * the start in file order, every later one when the row before it in its
 * file ran. */
long tracecheck_scenario(struct scenario *s, tracecheck_report report, void *ctx, long *rows)
{
	struct ck k = { .s = s, .report = report, .ctx = ctx };
	struct src *src = xcalloc(s->n_traces ? (size_t)s->n_traces : 1, sizeof *src);
	uint64_t seq = 0;
	int64_t groups = 0;
	int replace = 0;

	*rows = 0;
	for (int i = 0; i < s->n_groups; i++) {
		groups += s->groups[i].count;
		replace |= s->groups[i].replace;
	}
	k.exact = s->n_traces == 1 && s->n_imports == 0 && !replace;
	k.instances = groups;
	k.svc_td = xcalloc(s->n_services ? (size_t)s->n_services : 1, sizeof *k.svc_td);
	k.svc_deleted = xcalloc(s->n_services ? (size_t)s->n_services : 1, sizeof *k.svc_deleted);
	for (int v = 0; v < s->n_services; v++) {
		k.svc_td[v] = s->services[v].taskdef;
		k.svc_deleted[v] = -1;
	}
	for (int i = 0; i < s->n_traces; i++) {
		const char *slash = strrchr(s->traces[i], '/');

		src[i].dir = slash ? xstrndup(s->traces[i], (size_t)(slash - s->traces[i])) : xstrdup(".");
		if (open_trace(&k, s->traces[i]) == 0) {
			src[i].t = k.t;
			src[i].have = read_row(&k, &src[i].row, rows);
			src[i].seq = seq++;
		}
		k.t = NULL;
	}
	for (;;) {
		struct src *c = NULL;
		sim_time_t t;

		for (int i = 0; i < s->n_traces; i++)
			if (src[i].have && (!c || src[i].row.t < c->row.t ||
					    (src[i].row.t == c->row.t && src[i].seq < c->seq)))
				c = &src[i];
		if (!c)
			break;
		k.t = c->t;
		k.dir = c->dir;
		t = c->row.t;
		check_row(&k, &c->row);
		c->have = read_row(&k, &c->row, rows);
		/* a row of the same instant runs next (its seq stays the
		 * least); a later one is scheduled now, after every other */
		if (c->have && c->row.t != t)
			c->seq = seq++;
	}
	for (int i = 0; i < s->n_traces; i++) {
		trace_close(src[i].t);
		free(src[i].dir);
	}
	free(src);
	free(k.svc_td);
	free(k.svc_deleted);
	return k.errors;
}
