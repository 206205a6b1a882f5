/* models/placement/cql_eval.c — the evaluator of the cluster query language:
 * cql_eval against one instance read through a struct cql_view,
 * cql_is_dynamic and cql_reads_attribute.  Cannot fail: the parser checked everything. */
#include "models/placement/cql_int.h"

#include <string.h>

/* ---- evaluation ---- */

static int ord_holds(enum op op, int c)
{
	switch (op) {
	case OP_GT: return c > 0;
	case OP_GE: return c >= 0;
	case OP_LT: return c < 0;
	case OP_LE: return c <= 0;
	default: return c == 0;
	}
}

/* POSIX matching is leftmost-longest, so when some match spans the whole
 * string the match found starts at 0 and ends at its end (C11). */
static int whole_match(const regex_t *re, const char *s)
{
	regmatch_t m;

	return regexec(re, s, 1, &m, 0) == 0 && m.rm_so == 0 && (size_t)m.rm_eo == strlen(s);
}

/* Positive form of a string predicate; NULL (no value) is false (C5). */
static int string_holds(const struct pred *p, const char *s)
{
	if (!s)
		return 0;
	switch (p->op) {
	case OP_EQ:
	case OP_IN:
		for (int i = 0; i < p->nvals; i++)
			if (strcmp(p->vals[i], s) == 0)
				return 1;
		return 0;
	case OP_MATCH:
		return whole_match(&p->re, s);
	default:
		return ord_holds(p->op, cql_cmp_values(s, p->vals[0]));   /* choice C6 */
	}
}

static int cmp_i64(int64_t a, int64_t b)
{
	return (a > b) - (a < b);
}

static int pred_holds(const struct pred *p, const struct cql_view *v, const void *inst)
{
	const char *s = NULL;

	switch (p->subj) {
	case S_ATTRIBUTE: {
		int has = v->attribute(inst, p->attr, &s);

		if (p->op == OP_EXISTS)
			return has;      /* choice A8; a value-less attribute exists */
		return has && string_holds(p, s);
	}
	case S_AGENT_CONNECTED:   /* choice C4 */
		return string_holds(p, v->agent_connected(inst) ? "true" : "false");
	case S_AGENT_VERSION:     /* choice C7 */
		s = v->agent_version(inst);
		if (!s || !cql_is_digit(s[0]))
			return 0;
		return ord_holds(p->op, cql_cmp_version(s, p->vals[0]));
	case S_EC2_INSTANCE_ID:
		return string_holds(p, v->ec2_instance_id(inst));
	case S_INSTANCE_ID:       /* choice A7 */
		return string_holds(p, v->instance_id(inst));
	case S_REGISTERED_AT:     /* choice C8 */
		return ord_holds(p->op, cmp_i64(v->registered_at_ms(inst), p->num));
	case S_RUNNING_TASKS_COUNT:   /* choice C9 */
		return ord_holds(p->op, cmp_i64(v->running_tasks_count(inst), p->num));
	case S_TASK_GROUP: {      /* choice C10: any group */
		const char *const *groups = NULL;
		int n = v->task_groups(inst, &groups);

		for (int i = 0; i < n; i++)
			if (string_holds(p, groups[i]))
				return 1;
		return 0;
	}
	}
	return 0;
}

int cql_eval(const struct cql_expr *x, const struct cql_view *v, const void *inst)
{
	switch (x->kind) {
	case K_AND:
		return cql_eval(x->l, v, inst) && cql_eval(x->r, v, inst);
	case K_OR:
		return cql_eval(x->l, v, inst) || cql_eval(x->r, v, inst);
	case K_NOT:
		return !cql_eval(x->l, v, inst);
	case K_PRED:
		return x->p.neg ^ pred_holds(&x->p, v, inst);   /* choice C5 */
	}
	return 0;
}

int cql_is_dynamic(const struct cql_expr *x)
{
	if (!x)
		return 0;
	if (x->kind == K_PRED)
		return x->p.subj == S_TASK_GROUP || x->p.subj == S_RUNNING_TASKS_COUNT;
	return cql_is_dynamic(x->l) || cql_is_dynamic(x->r);
}

int cql_reads_attribute(const struct cql_expr *x, const char *name)
{
	if (!x)
		return 0;
	if (x->kind == K_PRED)
		return x->p.subj == S_ATTRIBUTE && strcmp(x->p.attr, name) == 0;
	return cql_reads_attribute(x->l, name) || cql_reads_attribute(x->r, name);
}
