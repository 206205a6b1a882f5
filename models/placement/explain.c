/* models/placement/explain.c — see explain.h. */
#include "models/placement/explain.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/placement/placement_int.h"
#include "sim/csvout.h"
#include "sim/mem.h"

static const char *const status_names[] = { "ACTIVE", "DRAINING", "INACTIVE", "REGISTERING" };
static const char *const status_reasons[] = { "", "STATUS:DRAINING", "STATUS:INACTIVE",
					      "STATUS:REGISTERING" };
static const char *const check_names[] = {
	"agent", "cpu", "memory", "ports", "eni", "location", "eni-capability", "gpu", "platform",
};
_Static_assert(sizeof check_names / sizeof *check_names == ST_CONSTRAINTS, "a name per check");
static const char *const constraint_names[PLACE_MAX_CONSTRAINTS + PLACE_MAX_PINS] = {
	"constraint1", "constraint2", "constraint3", "constraint4", "constraint5",
	"constraint6", "constraint7", "constraint8", "constraint9", "constraint10",
	"constraint11", "constraint12",
};
_Static_assert(PLACE_MAX_CONSTRAINTS + PLACE_MAX_PINS == 12, "a name per constraint and pin");

const char *explain_outcome_name(enum explain_outcome o)
{
	static const char *const n[] = { "filtered", "beaten", "tied", "chosen" };

	return n[o];
}

static int port_in(const uint16_t *p, int n, uint16_t x)
{
	for (int k = 0; k < n; k++)
		if (p[k] == x)
			return 1;
	return 0;
}

static void port_detail(const struct pctx *c, int32_t i, char *d, size_t n)
{
	const struct place_req *r = c->req;
	const uint16_t *tcp, *udp;
	int nt = cluster_ports(c->cl, i, 0, &tcp), nu = cluster_ports(c->cl, i, 1, &udp);

	for (int k = 0; k < r->n_ports_tcp; k++)
		if (port_in(tcp, nt, r->ports_tcp[k])) {
			snprintf(d, n, "host port %u/tcp already reserved", (unsigned)r->ports_tcp[k]);
			return;
		}
	for (int k = 0; k < r->n_ports_udp; k++)
		if (port_in(udp, nu, r->ports_udp[k])) {
			snprintf(d, n, "host port %u/udp already reserved", (unsigned)r->ports_udp[k]);
			return;
		}
	snprintf(d, n, "%d ports reserved + %d of the task > 100", nt + nu,
		 r->n_ports_tcp + r->n_ports_udp);
}

static const char *attr_or(const struct pctx *c, int32_t i, uint32_t id)
{
	const char *v = NULL;

	if (!cluster_attribute_by_id(c->cl, i, id, &v))
		return "(none)";
	return v ? v : "(null)";
}

/* Words for a failed check s of instance i. */
static void detail_of(const struct pctx *c, int32_t i, int s, char *d, size_t n)
{
	const struct place_req *r = c->req;

	switch (s) {
	case ST_AGENT:
		snprintf(d, n, "agent disconnected");
		break;
	case ST_CPU:
		snprintf(d, n, "needs %" PRId64 " CPU units; %" PRId64 " left", r->cpu_units,
			 cluster_cpu_remaining(c->cl, i));
		break;
	case ST_MEMORY:
		snprintf(d, n, "needs %" PRId64 " MiB; %" PRId64 " MiB left", r->mem_mib,
			 cluster_mem_remaining(c->cl, i));
		break;
	case ST_PORTS:
		port_detail(c, i, d, n);
		break;
	case ST_ENI:
		snprintf(d, n, "awsvpc: no ENI slot left");
		break;
	case ST_LOCATION:
		snprintf(d, n, "awsvpc: zone %s is not one of the subnets' zones", cluster_az(c->cl, i));
		break;
	case ST_TASK_ENI:
		snprintf(d, n, "awsvpc: no attribute ecs.capability.task-eni");
		break;
	case ST_GPU:
		snprintf(d, n, "needs %" PRId64 " GPUs; %" PRId64 " left", r->gpus,
			 cluster_gpu_remaining(c->cl, i));
		break;
	case ST_PLATFORM:
		snprintf(d, n, "runtimePlatform %s/%s; instance ecs.os-family %s ecs.cpu-architecture %s",
			 r->os_family ? r->os_family : "any", r->cpu_arch ? r->cpu_arch : "any",
			 attr_or(c, i, c->ids_attr.os_family), attr_or(c, i, c->ids_attr.cpu_arch));
		break;
	default: {
		const struct place_constraint *pc = &c->pol->constraints[s - ST_CONSTRAINTS];

		if (pc->type == PC_DISTINCT_INSTANCE)
			snprintf(d, n, "distinctInstance: %d task(s) of group %s already here",
				 (int)cluster_group_tasks_on(c->cl, i, c->g), cluster_group_name(c->cl, c->g));
		else
			snprintf(d, n, "memberOf false: %s", pc->expression);
	}
	}
}

static void step_text(const struct pctx *c, int k, char *d, size_t n)
{
	const struct place_strategy *s = c->s[k];

	snprintf(d, n, "%s%s%s%s", c->ops[k]->name, s->field ? "(" : "", s->field ? s->field : "",
		 s->field ? ")" : "");
}

int place_explain(struct cluster *cl, const struct place_req *req, uint32_t g,
		  const struct place_policy *p, const gsl_rng *rng, struct explanation *x)
{
	struct pctx c;
	struct place_result res;
	gsl_rng *copy = rng ? gsl_rng_clone(rng) : NULL;
	int found, best_stage = -1;
	int32_t n_active = 0, first_tied = -1;
	size_t len = 1;

	/* the engine's decision, from a copy of the stream */
	found = place_task(cl, req, g, p, copy, &res) == 0;
	if (copy)
		gsl_rng_free(copy);

	memset(x, 0, sizeof *x);
	place_ctx_init(&c, cl, req, g, p);
	x->n_inst = cluster_count(cl);
	x->inst = xcalloc(x->n_inst > 0 ? (size_t)x->n_inst : 1, sizeof *x->inst);
	x->n_strategies = c.n;
	x->tie_break = p->tie_break;
	for (int k = 0; k < c.n; k++) {
		step_text(&c, k, x->step[k], sizeof x->step[k]);
		len += strlen(x->step[k]) + 1;
	}
	x->chain = xmalloc(len);
	x->chain[0] = '\0';
	for (int k = 0; k < c.n; k++) {
		if (k)
			strcat(x->chain, "+");
		strcat(x->chain, x->step[k]);
	}

	/* the filter, every instance */
	for (int32_t i = 0; i < x->n_inst; i++) {
		struct explain_inst *e = &x->inst[i];
		enum inst_status st = cluster_status(cl, i);
		int s;

		e->outcome = EX_FILTERED;
		if (st != INST_ACTIVE) {
			e->check = "status";
			e->reason = status_reasons[st];
			snprintf(e->detail, sizeof e->detail, "status %s: only ACTIVE instances are considered",
				 status_names[st]);
			continue;
		}
		if ((s = place_pin_failed(&c, i)) >= 0) {
			/* the scheduler routes the task elsewhere: not
			 * considered, as an instance not ACTIVE (choice A4) */
			e->check = constraint_names[s];
			e->reason = "PIN";
			snprintf(e->detail, sizeof e->detail, "not considered: the scheduler's pin memberOf false: %s",
				 c.pol->constraints[s].expression);
			continue;
		}
		n_active++;
		s = place_stage(&c, i);
		if (s > best_stage)
			best_stage = s;
		if (s < c.n_checks) {
			e->check = s < ST_CONSTRAINTS ? check_names[s] : constraint_names[s - ST_CONSTRAINTS];
			e->reason = place_stage_reason(&c, s);
			detail_of(&c, i, s, e->detail, sizeof e->detail);
			continue;
		}
		e->outcome = EX_TIED;       /* narrowed below */
		x->n_candidates++;
		for (int k = 0; k < c.n; k++)
			e->keys[k] = c.ops[k]->key(&c, k, i);
	}

	/* the chain: each step keeps the survivors with the lowest key */
	for (int k = 0; k < c.n; k++) {
		int have = 0;

		for (int32_t i = 0; i < x->n_inst; i++)
			if (x->inst[i].outcome == EX_TIED && (!have || x->inst[i].keys[k] < x->best[k])) {
				x->best[k] = x->inst[i].keys[k];
				have = 1;
			}
		for (int32_t i = 0; i < x->n_inst; i++) {
			struct explain_inst *e = &x->inst[i];

			if (e->outcome != EX_TIED)
				continue;
			if (e->keys[k] != x->best[k]) {
				e->outcome = EX_BEATEN;
				e->survived = k;
				snprintf(e->detail, sizeof e->detail, "beaten at step %d %s: key %" PRId64
					 " > best %" PRId64, k + 1, x->step[k], e->keys[k], x->best[k]);
			} else {
				e->survived = k + 1;
			}
		}
	}
	for (int32_t i = 0; i < x->n_inst; i++)
		if (x->inst[i].outcome == EX_TIED) {
			x->n_tied++;
			if (first_tied < 0)
				first_tied = i;
		}

	/* the engine's pick, checked against the scan */
	x->chosen = found ? res.instance : -1;
	x->reason = found ? NULL : res.reason;
	if (found) {
		x->agrees = res.instance >= 0 && res.instance < x->n_inst &&
			    x->inst[res.instance].outcome == EX_TIED &&
			    (p->tie_break != PT_FIRST || res.instance == first_tied);
		for (int32_t i = 0; i < x->n_inst; i++) {
			struct explain_inst *e = &x->inst[i];

			if (e->outcome != EX_TIED)
				continue;
			if (i == res.instance) {
				e->outcome = EX_CHOSEN;
				snprintf(e->detail, sizeof e->detail, "chosen: best at every step%s",
					 x->n_tied == 1 ? ", alone"
					 : p->tie_break == PT_FIRST ? "; tie-break first: the earliest registered of the tied"
					 : "; tie-break random: drawn among the tied");
			} else {
				snprintf(e->detail, sizeof e->detail, "tied at every step; lost the tie-break (%s)",
					 p->tie_break == PT_FIRST ? "first: an earlier registered one won"
					 : "random: another was drawn");
			}
		}
	} else {
		const char *want = n_active == 0 ? "NO_INSTANCES" : place_stage_reason(&c, best_stage);

		x->agrees = x->n_tied == 0 && res.reason && strcmp(res.reason, want) == 0;
	}
	place_ctx_free(&c);
	return found ? 0 : 1;
}

void explanation_free(struct explanation *x)
{
	free(x->inst);
	free(x->chain);
	x->inst = NULL;
	x->chain = NULL;
}

/* ---- the log ---- */

struct explain_log {
	char *path;
	char **ids;
	int *attempts;               /* per id */
	int n_ids;
	struct csvout *out;
	struct err err;
	int failed;
	int32_t predicted;           /* of the attempt in progress */
	const char *predicted_reason;
	int in_attempt, disagree;
};

static const char *const cols[] = {
	"task_id", "attempt", "time_s", "service", "group", "strategy", "tie_break", "result",
	"instance_id", "instance_type", "az", "status", "check", "reason",
	"key1", "key2", "key3", "key4", "key5", "survived", "outcome", "detail",
};
#define N_COLS (int)(sizeof cols / sizeof *cols)

struct explain_log *explain_log_new(const char *out_dir)
{
	struct explain_log *l = xcalloc(1, sizeof *l);
	size_t n = strlen(out_dir) + 16;

	l->path = xmalloc(n);
	snprintf(l->path, n, "%s/explain.csv", out_dir);
	err_clear(&l->err);
	return l;
}

void explain_log_free(struct explain_log *l)
{
	if (!l)
		return;
	csvout_abort(l->out);
	for (int k = 0; k < l->n_ids; k++)
		free(l->ids[k]);
	free(l->ids);
	free(l->attempts);
	free(l->path);
	free(l);
}

void explain_log_add_id(struct explain_log *l, const char *task_id)
{
	if (explain_log_wants(l, task_id))
		return;
	l->ids = xrealloc(l->ids, (size_t)(l->n_ids + 1) * sizeof *l->ids);
	l->attempts = xrealloc(l->attempts, (size_t)(l->n_ids + 1) * sizeof *l->attempts);
	l->ids[l->n_ids] = xstrdup(task_id);
	l->attempts[l->n_ids++] = 0;
}

static int id_index(const struct explain_log *l, const char *task_id)
{
	for (int k = 0; k < l->n_ids; k++)
		if (strcmp(l->ids[k], task_id) == 0)
			return k;
	return -1;
}

int explain_log_wants(const struct explain_log *l, const char *task_id)
{
	return l && task_id && id_index(l, task_id) >= 0;
}

static int open_out(struct explain_log *l)
{
	if (!l->out && !l->failed) {
		l->out = csvout_open(l->path, cols, N_COLS, &l->err);
		if (!l->out)
			l->failed = 1;
	}
	return l->out != NULL;
}

void explain_log_before(struct explain_log *l, const char *task_id, const char *service,
			int64_t now_ms, struct cluster *cl, const struct place_req *req,
			uint32_t g, const struct place_policy *p, const gsl_rng *rng)
{
	struct explanation x;
	int k = id_index(l, task_id), found;

	if (k < 0)
		return;
	l->attempts[k]++;
	found = place_explain(cl, req, g, p, rng, &x) == 0;
	l->in_attempt = 1;
	l->predicted = x.chosen;
	l->predicted_reason = x.reason;
	if (!x.agrees)
		l->disagree++;
	if (open_out(l)) {
		for (int32_t i = 0; i < x.n_inst; i++) {
			const struct explain_inst *e = &x.inst[i];

			csvout_str(l->out, task_id);
			csvout_int(l->out, l->attempts[k]);
			csvout_ms(l->out, now_ms);
			csvout_str(l->out, service);
			csvout_str(l->out, cluster_group_name(cl, g));
			csvout_str(l->out, x.chain);
			csvout_str(l->out, x.tie_break == PT_FIRST ? "first" : "random");
			csvout_str(l->out, found ? cluster_id(cl, x.chosen) : x.reason);
			csvout_str(l->out, cluster_id(cl, i));
			csvout_str(l->out, cluster_type(cl, i));
			csvout_str(l->out, cluster_az(cl, i));
			csvout_str(l->out, status_names[cluster_status(cl, i)]);
			csvout_str(l->out, e->check);
			csvout_str(l->out, e->reason);
			for (int s = 0; s < PLACE_MAX_STRATEGIES; s++)
				if (e->outcome != EX_FILTERED && s < x.n_strategies)
					csvout_int(l->out, e->keys[s]);
				else
					csvout_empty(l->out);
			if (e->outcome != EX_FILTERED)
				csvout_int(l->out, e->survived);
			else
				csvout_empty(l->out);
			csvout_str(l->out, explain_outcome_name(e->outcome));
			csvout_str(l->out, e->detail);
			csvout_endrow(l->out);
		}
	}
	explanation_free(&x);
}

void explain_log_after(struct explain_log *l, const struct place_result *r)
{
	if (!l->in_attempt)
		return;
	l->in_attempt = 0;
	if (r->instance != l->predicted ||
	    (r->instance < 0 && (!r->reason || !l->predicted_reason ||
				 strcmp(r->reason, l->predicted_reason) != 0)))
		l->disagree++;
}

void explain_log_abort(struct explain_log *l)
{
	if (!l)
		return;
	csvout_abort(l->out);
	l->out = NULL;
	l->failed = 1;
	err_clear(&l->err);
}

int explain_log_close(struct explain_log *l, struct err *e)
{
	struct csvout *o;

	if (!open_out(l)) {
		*e = l->err;
		return -1;
	}
	o = l->out;
	l->out = NULL;
	return csvout_close(o, e);
}

const char *explain_log_unmatched(const struct explain_log *l, int k)
{
	for (int j = 0; l && j < l->n_ids; j++)
		if (l->attempts[j] == 0 && k-- == 0)
			return l->ids[j];
	return NULL;
}

int explain_log_disagreements(const struct explain_log *l)
{
	return l ? l->disagree : 0;
}
