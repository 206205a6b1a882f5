/* models/placement/placement.c — placement policies (AWS JSON shapes,
 * console templates, limits) and place_task, the entry point of the
 * placement engine (docs/ecs-model.md §4; choices A1–A13, D10–D14).
 *
 * place_task builds the chain (the policy's strategies, or the default of
 * D10/A12 when it has none), lets each strategy prepare (tracking spread
 * attributes in the cluster), then searches the whole cluster through the
 * strategies' indexes (placement_int.h, common.c) and breaks the final tie (A11).
 * When nothing fits, the reason is that of the closest ACTIVE instance: the
 * one that passed the most checks in the order of A1, the earliest on a tie
 * (A4), or NO_INSTANCES when none is ACTIVE (A5); that path costs O(log n)
 * when resources are short, and a walk over the instances that have the
 * resources otherwise.  Placement never changes the cluster's resources: the
 * caller reserves the chosen instance.
 *
 * The usual placement, a plain request (no check after the resources can
 * fail) with a policy spreading on an attribute then binpacking (the
 * az-balanced-binpack template), takes a short path once the policy has
 * placed on the cluster: the search of place_spread_binpack on the
 * policy's memo of that chain, without a context (the same answer and tie
 * set as the general search); a context is set up only when the tie set
 * holds more than one run or a run of unknown length or several members,
 * or when nothing fits.
 */
#include "models/placement/placement.h"

#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "models/placement/cql.h"
#include "models/placement/placement_int.h"
#include "sim/jsonrd.h"
#include "sim/mem.h"

#define AZ_FIELD "attribute:ecs.availability-zone"

void place_policy_init(struct place_policy *p)
{
	memset(p, 0, sizeof *p);
	p->tie_break = PT_RANDOM;         /* A11 */
	p->pin_inst = -1;
}

void place_policy_free(struct place_policy *p)
{
	for (int k = 0; k < p->n_strategies; k++)
		free(p->strategies[k].field);
	for (int k = 0; k < p->n_constraints; k++) {
		free(p->constraints[k].expression);
		cql_free(p->constraints[k].expr);
	}
	place_policy_set_zones(p, NULL, 0);
	p->n_strategies = p->n_constraints = 0;
	memset(p->memo, 0, sizeof p->memo);
	memset(&p->fast, 0, sizeof p->fast);
}

void place_policy_set_zones(struct place_policy *p, const char *const *azs, int n)
{
	for (int k = 0; k < p->n_loc_az; k++)
		free(p->loc_az[k]);
	free(p->loc_az);
	p->loc_az = n > 0 ? xmalloc((size_t)n * sizeof *p->loc_az) : NULL;
	for (int k = 0; k < n; k++)
		p->loc_az[k] = xstrdup(azs[k]);
	p->n_loc_az = n;
}

void place_policy_copy(struct place_policy *dst, const struct place_policy *src)
{
	place_policy_init(dst);
	place_policy_set_zones(dst, (const char *const *)src->loc_az, src->n_loc_az);
	dst->tie_break = src->tie_break;
	dst->n_strategies = src->n_strategies;
	for (int k = 0; k < src->n_strategies; k++) {
		dst->strategies[k].type = src->strategies[k].type;
		dst->strategies[k].field = src->strategies[k].field ? xstrdup(src->strategies[k].field) : NULL;
	}
	dst->n_constraints = src->n_constraints;
	dst->n_pins = src->n_pins;
	dst->pin_inst = src->pin_inst;
	for (int k = 0; k < src->n_constraints; k++) {
		const struct place_constraint *s = &src->constraints[k];
		struct place_constraint *d = &dst->constraints[k];
		int col;
		char msg[8];

		d->type = s->type;
		d->expression = s->expression ? xstrdup(s->expression) : NULL;
		/* the expression parsed once already: it parses again */
		d->expr = s->expression ? cql_parse(s->expression, &col, msg, sizeof msg) : NULL;
	}
}

/* Append one strategy; the message names `path` (the strategy object). */
static int add_strategy(struct place_policy *p, const char *type, const char *field,
			const char *file, const char *path, struct err *e)
{
	const struct strategy_ops *ops = place_strategy_by_name(type);
	char msg[512], names[128], fpath[600];

	if (!ops) {
		place_strategy_names(names, sizeof names);
		snprintf(fpath, sizeof fpath, "%s.type", path);
		return err_at(e, file, 0, 0, fpath, "unknown placement strategy type '%s'; valid: %s",
			      type, names);
	}
	if (ops->check_field(field, msg, sizeof msg)) {
		snprintf(fpath, sizeof fpath, "%s%s", path, field ? ".field" : "");
		return err_at(e, file, 0, 0, fpath, "%s", msg);
	}
	if (p->n_strategies == PLACE_MAX_STRATEGIES)
		return err_at(e, file, 0, 0, path, "more than %d placement strategies", PLACE_MAX_STRATEGIES);
	p->strategies[p->n_strategies].type = ops->type;
	p->strategies[p->n_strategies].field = field ? xstrdup(field) : NULL;
	memset(p->memo, 0, sizeof p->memo);
	memset(&p->fast, 0, sizeof p->fast);
	p->n_strategies++;
	return 0;
}

int place_parse_strategies(struct place_policy *p, const struct cJSON *arr, const char *file,
			   const char *path, struct err *e)
{
	const cJSON *it;
	int k = 0;

	if (!cJSON_IsArray(arr))
		return err_at(e, file, 0, 0, path, "expected an array of placement strategies, got %s",
			      jtype_name(arr));
	if (p->n_strategies + cJSON_GetArraySize(arr) > PLACE_MAX_STRATEGIES)         /* D11 */
		return err_at(e, file, 0, 0, path, "more than %d placement strategies",
			      PLACE_MAX_STRATEGIES);
	cJSON_ArrayForEach(it, arr) {
		char ipath[600];
		struct jr c;
		const char *type, *field;

		snprintf(ipath, sizeof ipath, "%s[%d]", path, k++);
		if (jr_open(&c, it, file, ipath, e) || jr_req_str(&c, "type", &type) ||
		    jr_opt_str(&c, "field", NULL, &field) || jr_end(&c))
			return -1;
		if (add_strategy(p, type, field, file, ipath, e))
			return -1;
	}
	return 0;
}

int place_add_member_of(struct place_policy *p, const char *expression, const char *file,
			const char *path, struct err *e)
{
	struct place_constraint *c;
	struct cql_expr *x;
	char msg[512];
	int col = 0;

	if (p->n_constraints == PLACE_MAX_CONSTRAINTS)                  /* D11 */
		return err_at(e, file, 0, 0, path,
			      "more than %d placement constraints (task definition and run time together)",
			      PLACE_MAX_CONSTRAINTS);
	x = cql_parse(expression, &col, msg, sizeof msg);
	if (!x)
		return err_at(e, file, 0, 0, path, "column %d: %s", col, msg);
	c = &p->constraints[p->n_constraints++];
	c->type = PC_MEMBER_OF;
	c->expression = xstrdup(expression);
	c->expr = x;
	return 0;
}

int place_add_pin(struct place_policy *p, const char *expression, struct err *e)
{
	struct place_constraint *c;
	struct cql_expr *x;
	char msg[512];
	int col = 0;

	if (p->n_constraints >= PLACE_MAX_CONSTRAINTS + PLACE_MAX_PINS)
		return err_at(e, NULL, 0, 0, "pin", "no room for the pin '%s': the policy already has %d constraints",
			      expression, p->n_constraints);
	x = cql_parse(expression, &col, msg, sizeof msg);
	if (!x)
		return err_at(e, NULL, 0, 0, "pin", "'%s', column %d: %s", expression, col, msg);
	c = &p->constraints[p->n_constraints++];
	c->type = PC_MEMBER_OF;
	c->expression = xstrdup(expression);
	c->expr = x;
	p->n_pins++;
	return 0;
}

void place_pin_instance(struct place_policy *p, int32_t i)
{
	p->pin_inst = i;
}

static int add_distinct(struct place_policy *p, const char *file, const char *path, struct err *e)
{
	struct place_constraint *c;

	if (p->n_constraints == PLACE_MAX_CONSTRAINTS)
		return err_at(e, file, 0, 0, path,
			      "more than %d placement constraints (task definition and run time together)",
			      PLACE_MAX_CONSTRAINTS);
	c = &p->constraints[p->n_constraints++];
	c->type = PC_DISTINCT_INSTANCE;
	c->expression = NULL;
	c->expr = NULL;
	return 0;
}

int place_parse_constraints(struct place_policy *p, const struct cJSON *arr, const char *file,
			    const char *path, struct err *e)
{
	const cJSON *it;
	int k = 0;

	if (!cJSON_IsArray(arr))
		return err_at(e, file, 0, 0, path, "expected an array of placement constraints, got %s",
			      jtype_name(arr));
	if (p->n_constraints + cJSON_GetArraySize(arr) > PLACE_MAX_CONSTRAINTS)
		return err_at(e, file, 0, 0, path,
			      "more than %d placement constraints (task definition and run time together)",
			      PLACE_MAX_CONSTRAINTS);
	cJSON_ArrayForEach(it, arr) {
		char ipath[600], xpath[640];
		struct jr c;
		const char *type, *expr;

		snprintf(ipath, sizeof ipath, "%s[%d]", path, k++);
		if (jr_open(&c, it, file, ipath, e) || jr_req_str(&c, "type", &type) ||
		    jr_opt_str(&c, "expression", NULL, &expr) || jr_end(&c))
			return -1;
		snprintf(xpath, sizeof xpath, "%s.expression", ipath);
		if (strcmp(type, "distinctInstance") == 0) {
			if (expr)
				return err_at(e, file, 0, 0, xpath, "distinctInstance takes no expression");
			if (add_distinct(p, file, ipath, e))
				return -1;
		} else if (strcmp(type, "memberOf") == 0) {
			if (!expr)
				return err_at(e, file, 0, 0, ipath, "memberOf needs an expression");
			if (place_add_member_of(p, expr, file, xpath, e))
				return -1;
		} else {
			snprintf(xpath, sizeof xpath, "%s.type", ipath);
			return err_at(e, file, 0, 0, xpath,
				      "unknown placement constraint type '%s'; valid: distinctInstance, memberOf",
				      type);
		}
	}
	return 0;
}

/* docs/ecs-model.md §4.6: the console's templates.  One Task Per Host is the
 * distinctInstance constraint with no strategy of its own, so the default of
 * D10 applies (spread AZ then instanceId for services, A12). */
struct tmpl {
	const char *name;
	const char *strategies[2][2];   /* {type, field} */
	int distinct;
};

static const struct tmpl templates[] = {
	{ "az-balanced-spread", { { "spread", AZ_FIELD }, { "spread", "instanceId" } }, 0 },
	{ "az-balanced-binpack", { { "spread", AZ_FIELD }, { "binpack", "memory" } }, 0 },
	{ "binpack", { { "binpack", "memory" }, { NULL, NULL } }, 0 },
	{ "one-task-per-host", { { NULL, NULL }, { NULL, NULL } }, 1 },
};

#define N_TEMPLATES (sizeof templates / sizeof *templates)

static int template_named(struct place_policy *p, const char *name, const char *file,
			  const char *path, struct err *e)
{
	for (size_t t = 0; t < N_TEMPLATES; t++) {
		if (strcmp(templates[t].name, name) != 0)
			continue;
		for (int k = 0; k < 2 && templates[t].strategies[k][0]; k++)
			if (add_strategy(p, templates[t].strategies[k][0], templates[t].strategies[k][1],
					 file, path, e))
				return -1;
		if (templates[t].distinct && add_distinct(p, file, path, e))
			return -1;
		return 0;
	}
	return err_at(e, file, 0, 0, path,
		      "unknown placement template '%s'; valid: az-balanced-spread, az-balanced-binpack, binpack, one-task-per-host",
		      name);
}

int place_template(struct place_policy *p, const char *name, struct err *e)
{
	return template_named(p, name, NULL, NULL, e);
}

int place_parse_strategy_arg(struct place_policy *p, const char *arg, struct err *e)
{
	const char *s = arg;
	struct jdoc d;
	int rc;

	while (isspace((unsigned char)*s))
		s++;
	if (*s != '[')
		return template_named(p, arg, "--strategy", NULL, e);
	if (jdoc_parse(&d, "--strategy", arg, strlen(arg), e))
		return -1;
	rc = place_parse_strategies(p, d.root, "--strategy", "$", e);
	jdoc_free(&d);
	return rc;
}

char *place_policy_describe(const struct place_policy *p)
{
	size_t cap = 64, n = 0;
	char *s = xmalloc(cap);

	s[0] = '\0';
	if (p->n_strategies == 0) {
		free(s);
		return xstrdup("default");
	}
	for (int k = 0; k < p->n_strategies; k++) {
		const struct place_strategy *st = &p->strategies[k];
		const char *name = place_strategy_of(st->type)->name;
		size_t need = strlen(name) + (st->field ? strlen(st->field) + 2 : 0) + 2;

		XGROW(s, cap, n + need + 1);
		n += (size_t)snprintf(s + n, cap - n, "%s%s%s%s%s", k ? "+" : "", name,
				      st->field ? "(" : "", st->field ? st->field : "", st->field ? ")" : "");
	}
	return s;
}

/* ---- place_task ---- */

/* D10, A12: services spread AZ then instanceId; RunTask groups random. */
static const struct place_strategy default_service[] = {
	{ PS_SPREAD, (char *)AZ_FIELD },
	{ PS_SPREAD, (char *)"instanceId" },
};
static const struct place_strategy default_run_task[] = {
	{ PS_RANDOM, NULL },
};

/* A4: the stage of the instance that passed the most checks (the reason
 * names only the stage, so the earliest of the closest ones need not be
 * found here: place_closest does when a message names it).  ACTIVE
 * instances outside the index have a disconnected agent (stage 0);
 * placeable ones pass the agent check.  The CPU-ordered index, whose
 * subtrees know their largest memory left, tells in O(log n) whether some
 * instance has the CPU, and the CPU and the memory; only instances with
 * both are looked at one by one for the later checks. */
static int failure_stage(struct pctx *c)
{
	int32_t size = cluster_part_size(c->cl, CL_ALL, 0), r;
	int best = ST_MEMORY;      /* some instance has the CPU */
	struct cl_cursor cur;

	if (size == 0)
		return ST_AGENT;
	r = cluster_part_rank(c->cl, CL_ALL, 0, CL_BY_CPU, c->req->cpu_units, 0);
	if (r == size)
		return ST_CPU;
	for (r = cluster_cursor_from(&cur, c->cl, CL_ALL, 0, CL_BY_CPU, r, c->req->mem_mib,
					 INT64_MAX); r < size;
	     r = cluster_cursor_next(&cur)) {
		int s = place_stage(c, cur.inst);

		if (s > best)
			best = s;
		if (best == c->n_checks - 1)
			break;
	}
	return best;
}

/* A pin of the form attribute:NAME == 'VALUE' (the scheduler's zone and
 * provider pins): 1 with NAME and VALUE copied out, else 0. */
static int pin_attr(const char *e, char *name, size_t nn, char *value, size_t nv)
{
	const char *eq, *q;
	size_t ln, lv;

	if (strncmp(e, "attribute:", 10) != 0 || !(eq = strstr(e + 10, " == '")))
		return 0;
	ln = (size_t)(eq - (e + 10));
	q = eq + 5;
	lv = strlen(q);
	if (ln == 0 || ln >= nn || lv < 2 || lv > nv || q[lv - 1] != '\'' || memchr(q, '\'', lv - 1))
		return 0;
	memcpy(name, e + 10, ln);
	name[ln] = '\0';
	memcpy(value, q, lv - 1);
	value[lv - 1] = '\0';
	return 1;
}

/* failure_stage_pinned's search when no pin tells where to look: every
 * ACTIVE instance the pins allow, one by one. */
static int failure_stage_scan(struct pctx *c, int32_t *considered)
{
	int32_t n = cluster_count(c->cl);
	int best = -1;

	*considered = 0;
	for (int32_t i = 0; i < n; i++) {
		int s;

		if (cluster_status(c->cl, i) != INST_ACTIVE || place_pin_failed(c, i) >= 0)
			continue;
		++*considered;
		s = place_stage(c, i);
		if (s > best)
			best = s;
	}
	return best;
}

/* failure_stage for a policy with pins (the scheduler routes the task: a
 * capacity provider's instances, a DAEMON's instance, a rebalancing
 * task's zone): the instances a pin excludes are not considered (choice
 * A4), so the closest is looked for among the ACTIVE ones the pins allow;
 * *considered = how many.  -1 when none.  A DAEMON's pin names its
 * instance (place_pin_instance): that one alone.  A pin
 * attribute:NAME == 'VALUE' names the placeable instances of one part of
 * tracked attribute NAME (tracked from the first such failure on; only its
 * orders read here are then kept), searched as failure_stage searches the
 * cluster: those with the CPU and the memory one by one, then whether one
 * has the CPU, then whether there is one; the other pin, if any, checked
 * on the instances met.  ACTIVE instances with a disconnected agent (in no
 * part: stage AGENT) are looked for one by one, only when the cluster has
 * some.  Without either form, every instance is looked at. */
static int failure_stage_pinned(struct pctx *c, int32_t *considered)
{
	const struct place_policy *p = c->pol;
	struct cluster *cl = c->cl;
	int32_t n = cluster_count(cl), v = -1;
	int best = -1, k0 = -1, a = -1, others = p->n_pins > 1;
	int top = ST_CONSTRAINTS + p->n_constraints - p->n_pins - 1;   /* the last stage a failure reaches */
	char name[256], value[512];
	struct cluster_totals t;

	*considered = 0;
	if (p->pin_inst >= 0) {
		int32_t i = p->pin_inst;

		if (i >= n || cluster_status(cl, i) != INST_ACTIVE || place_pin_failed(c, i) >= 0)
			return -1;
		*considered = 1;
		return place_stage(c, i);
	}
	for (int k = p->n_constraints - p->n_pins; k < p->n_constraints && k0 < 0; k++)
		if (pin_attr(p->constraints[k].expression, name, sizeof name, value, sizeof value))
			k0 = k;
	if (k0 < 0)
		return failure_stage_scan(c, considered);
	a = cluster_spread_attr(cl, name);
	v = cluster_spread_value_find(cl, a, value);
	if (v >= 0 && cluster_part_size(cl, a, v) > 0) {
		int32_t size = cluster_part_size(cl, a, v), r, q;
		struct cl_cursor cur;

		r = cluster_part_rank(cl, a, v, CL_BY_CPU, c->req->cpu_units, 0);
		/* with the CPU and the memory: each one's stage */
		for (q = cluster_cursor_from(&cur, cl, a, v, CL_BY_CPU, r, c->req->mem_mib, INT64_MAX);
		     q < size && best < top; q = cluster_cursor_next(&cur)) {
			int s;

			if (others && place_pin_failed(c, cur.inst) >= 0)
				continue;
			s = place_stage(c, cur.inst);
			if (s > best)
				best = s;
		}
		/* with the CPU: short of memory */
		for (q = cluster_cursor_from(&cur, cl, a, v, CL_BY_CPU, r, 0, INT64_MAX); q < size && best < 0;
		     q = cluster_cursor_next(&cur))
			if (!others || place_pin_failed(c, cur.inst) < 0)
				best = ST_MEMORY;
		/* placeable: short of CPU; and how many */
		*considered = others ? 0 : size;
		for (q = cluster_cursor_from(&cur, cl, a, v, CL_BY_NUM, 0, 0, INT64_MAX);
		     q < size && (others || best < 0); q = cluster_cursor_next(&cur))
			if (!others || place_pin_failed(c, cur.inst) < 0) {
				*considered += others;
				if (best < 0)
					best = ST_CPU;
			}
	}
	cluster_totals(cl, &t);
	if (t.n_active > cluster_part_size(cl, CL_ALL, 0))
		for (int32_t i = 0; i < n; i++)
			if (cluster_status(cl, i) == INST_ACTIVE && !cluster_agent_connected(cl, i) &&
			    place_pin_failed(c, i) < 0) {
				++*considered;
				if (best < ST_AGENT)
					best = ST_AGENT;
			}
	return best;
}

/* Most tasks ask for none of the checks after the resources: then every
 * instance that has the room passes them (stage_from_ports). */
static inline int plain_request(const struct place_req *req, const struct place_policy *p)
{
	return !(req->n_ports_tcp | req->n_ports_udp | req->eni | p->n_constraints) && req->gpus <= 0 &&
	       !req->os_family && !req->cpu_arch;
}

/* A new context's buffers: its own, inline ones (grown on the heap only
 * when a search outgrows them). */
static inline void ctx_own_buffers(struct pctx *c)
{
	c->r = c->own_r;
	c->cap_r = PCTX_OWN_R;
	c->ids = c->own_ids;
	c->cap_ids = PCTX_OWN_IDS;
	c->tmp = c->own_tmp;
	c->cap_tmp = PCTX_OWN_TMP;
}

/* The context of one placement: the chain (the policy's strategies, or the
 * default of D10/A12), the filter's attribute ids, each strategy prepared. */
void place_ctx_init(struct pctx *c, struct cluster *cl, const struct place_req *req, uint32_t g,
		    const struct place_policy *p)
{
	const struct place_strategy *chain = p->strategies;
	int n = p->n_strategies;
	uint64_t serial = cluster_serial(cl);

	/* (field by field: a memset of the whole head cost more than these) */
	memset(c->arg, 0, sizeof c->arg);
	memset(c->keys, 0, sizeof c->keys);
	c->n_r = c->n_ids = 0;
	c->bound_k = -1;
	c->live_gen = 0;
	c->cl = cl;
	c->req = req;
	c->g = g;
	c->pol = p;
	if (n == 0) {
		int svc = strncmp(cluster_group_name(cl, g), "service:", 8) == 0;

		chain = svc ? default_service : default_run_task;
		n = svc ? 2 : 1;
	}
	c->n = n;
	c->n_checks = ST_CONSTRAINTS + p->n_constraints;
	c->plain = plain_request(req, p);
	ctx_own_buffers(c);
	cluster_filter_ids(cl, &c->ids_attr);
	for (int k = 0; k < n; k++) {
		/* what strategy k prepared the last time the policy placed on
		 * this cluster with this strategy (the policy's own or a
		 * default chain's field string): a spread's tracked attribute
		 * keeps its number; binpack's and random's depend on the
		 * field alone */
		struct place_memo *m = &((struct place_policy *)p)->memo[k];

		c->s[k] = &chain[k];
		c->ops[k] = place_strategy_of(chain[k].type);
		if (m->cluster == serial && m->field == chain[k].field) {
			c->arg[k] = m->arg;
		} else {
			c->ops[k]->prepare(c, k);
			m->cluster = serial;
			m->field = chain[k].field;
			m->arg = c->arg[k];
		}
	}
	/* the policy's own chain spread on an attribute then binpack: its
	 * memo as one (place_task's short path) */
	if (n == 2 && p->n_strategies == 2 && chain[0].type == PS_SPREAD && c->arg[0] >= 0 &&
	    chain[1].type == PS_BINPACK) {
		struct place_fast *f = &((struct place_policy *)p)->fast;

		f->cluster = serial;
		f->field[0] = chain[0].field;
		f->field[1] = chain[1].field;
		f->attr = c->arg[0];
		f->key = c->arg[1];
	}
}

/* place_ctx_init for a plain request when p->fast holds the chain (spread
 * on attribute fast.attr, then binpack on order fast.key): what
 * place_spread_binpack_ties and the tie-break read, and the rest of the chain
 * (ops, s, arg) so that every step of common.c may run on it.  The
 * filter's attribute ids are not read (only the checks after the
 * resources read them, and a plain request passes those). */
static void ctx_init_fast(struct pctx *c, struct cluster *cl, const struct place_req *req, uint32_t g,
			  const struct place_policy *p)
{
	c->cl = cl;
	c->req = req;
	c->g = g;
	c->pol = p;
	c->n = 2;
	c->s[0] = &p->strategies[0];
	c->s[1] = &p->strategies[1];
	c->ops[0] = &place_spread;
	c->ops[1] = &place_binpack;
	c->arg[0] = p->fast.attr;
	c->arg[1] = p->fast.key;
	c->bound_k = -1;
	c->n_checks = ST_CONSTRAINTS;
	c->plain = 1;
	c->n_r = c->n_ids = 0;
	ctx_own_buffers(c);
	c->live_gen = 0;
}

/* Whether p->fast holds p's chain on cluster `serial`: one test. */
static inline int fast_valid(const struct place_policy *p, uint64_t serial)
{
	return ((p->fast.cluster ^ serial) | ((uintptr_t)p->fast.field[0] ^ (uintptr_t)p->strategies[0].field) |
		((uintptr_t)p->fast.field[1] ^ (uintptr_t)p->strategies[1].field) |
		(uint64_t)(p->n_strategies ^ 2)) == 0;
}

void place_ctx_free(struct pctx *c)
{
	if (c->r != c->own_r)
		free(c->r);
	if (c->ids != c->own_ids)
		free(c->ids);
	if (c->tmp != c->own_tmp)
		free(c->tmp);
}

int place_task(struct cluster *cl, const struct place_req *req, uint32_t g,
	       const struct place_policy *p, gsl_rng *rng, struct place_result *r)
{
	struct pctx c;
	struct cluster_totals t;
	int found = -1;

	cluster_totals(cl, &t);
	r->considered = t.n_active;
	r->instance = -1;
	r->reason = NULL;
	if (fast_valid(p, cluster_serial(cl)) & plain_request(req, p)) {
		/* the usual request: the chain's search without its dispatch
		 * nor a context (-1: too many values for it, the general path
		 * then) */
		struct sb_answer a;

		found = t.n_active > 0 ? place_spread_binpack(cl, req, g, p->fast.attr, (enum cl_key)p->fast.key, &a)
				       : 0;
		if (found > 0) {
			unsigned tied = a.tied;
			const struct cl_probe *pr = &a.pr[__builtin_ctz(tied)];

			/* the usual tie set, one run known to hold one
			 * member: that one, by either tie-break (no draw for
			 * a single member, A11), as place_pick would (one
			 * test); else the tie set in a context */
			if (((tied & (tied - 1)) == 0) & (pr->len == 1)) {
				r->instance = pr->inst;
				return 0;
			}
			/* a few members, in runs whose ends are told or that
			 * hold one: place_pick's draw among them */
			r->instance = place_pick_answer(cl, req, p, &a, rng);
			if (r->instance >= 0)
				return 0;
			ctx_init_fast(&c, cl, req, g, p);
			place_spread_binpack_ties(&c, &a);
		} else if (found == 0) {
			ctx_init_fast(&c, cl, req, g, p);
		}
	}
	if (found < 0) {
		place_ctx_init(&c, cl, req, g, p);
		found = t.n_active > 0 && place_solve(&c, 0, CL_ALL, 0);
	}
	if (found) {
		r->instance = place_pick(&c, rng);
	} else if (p->n_pins > 0 && t.n_active > 0) {
		int s = failure_stage_pinned(&c, &r->considered);

		r->reason = s >= 0 ? place_stage_reason(&c, s) : "NO_INSTANCES";   /* A4, A5 */
	} else {
		r->reason = t.n_active > 0 ? place_stage_reason(&c, failure_stage(&c)) : "NO_INSTANCES";
	}
	place_ctx_free(&c);
	return found ? 0 : 1;
}

int32_t place_closest(struct cluster *cl, const struct place_req *req, uint32_t g,
		      const struct place_policy *p)
{
	struct pctx c;
	struct cluster_totals t;
	int32_t n = cluster_count(cl), at = -1;
	int best;

	cluster_totals(cl, &t);
	if (t.n_active == 0)
		return -1;
	place_ctx_init(&c, cl, req, g, p);
	if (p->n_pins > 0) {
		int32_t considered;

		best = failure_stage_pinned(&c, &considered);
	} else {
		best = failure_stage(&c);
	}
	/* the earliest ACTIVE instance at that stage (A4's tie) among those
	 * the pins allow: mostly one of the first, every ACTIVE one when only
	 * the last is */
	if (best >= 0 && p->pin_inst >= 0)      /* the one instance considered */
		at = p->pin_inst;
	for (int32_t i = 0; i < n && at < 0 && best >= 0; i++)
		if (cluster_status(cl, i) == INST_ACTIVE && place_stage(&c, i) == best &&
		    (p->n_pins == 0 || place_pin_failed(&c, i) < 0))
			at = i;
	place_ctx_free(&c);
	return at;
}
