/* tests/oracle/oracle.c — brute-force placement (see oracle.h).
 *
 * For every instance: the checks of docs/ecs-model.md choice A1 in order (status ACTIVE,
 * agent, CPU, memory, ports, ENI slot, task-eni attribute, GPU,
 * runtimePlatform, then each constraint), counting how many pass.  The
 * candidates are those passing all; each gets a key vector (binpack:
 * remaining − need, D12; spread: tasks of the group on all instances sharing
 * the value, any status, a missing/null attribute being one more value,
 * A9/A10; instanceId: tasks of the group on the instance; random: 0); the
 * tied set is every candidate with the smallest vector.  Costs: O(n · s · v)
 * for v attribute values — it is meant to be obviously right, not fast.
 */
#include "tests/oracle/oracle.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "models/placement/cql.h"
#include "sim/mem.h"

#define N_FILTER 9

static int port_in(const uint16_t *set, int n, uint16_t p)
{
	for (int k = 0; k < n; k++)
		if (set[k] == p)
			return 1;
	return 0;
}

static int same_ci(const struct cluster *cl, int32_t i, const char *attr, const char *want)
{
	const char *v = NULL;

	if (!want)
		return 1;
	if (!cluster_attribute(cl, i, attr, &v) || !v)
		return 0;
	return strcasecmp(v, want) == 0;
}

/* Checks passed before the first failure; N_FILTER + constraints = all. */
static int checks_passed(const struct cluster *cl, int32_t i, const struct place_req *q,
			 uint32_t g, const struct place_policy *p)
{
	const uint16_t *tcp, *udp;
	int nt, nu, bad = 0;
	const char *v;

	if (!cluster_agent_connected(cl, i))
		return 0;
	if (cluster_cpu_remaining(cl, i) < q->cpu_units)
		return 1;
	if (cluster_mem_remaining(cl, i) < q->mem_mib)
		return 2;
	nt = cluster_ports(cl, i, 0, &tcp);
	nu = cluster_ports(cl, i, 1, &udp);
	for (int k = 0; k < q->n_ports_tcp; k++)
		bad |= port_in(tcp, nt, q->ports_tcp[k]);
	for (int k = 0; k < q->n_ports_udp; k++)
		bad |= port_in(udp, nu, q->ports_udp[k]);
	if (q->n_ports_tcp + q->n_ports_udp > 0 && nt + nu + q->n_ports_tcp + q->n_ports_udp > 100)
		bad = 1;
	if (bad)
		return 3;
	if (q->eni && cluster_eni_free(cl, i) <= 0)
		return 4;
	if (q->eni && p->n_loc_az > 0) {        /* the zone of one of the subnets */
		int in = 0;

		if (!cluster_attribute(cl, i, "ecs.availability-zone", &v) || !v)
			return 5;
		for (int k = 0; k < p->n_loc_az; k++)
			in |= strcmp(v, p->loc_az[k]) == 0;
		if (!in)
			return 5;
	}
	if (q->eni && !cluster_attribute(cl, i, "ecs.capability.task-eni", &v))
		return 6;
	if (q->gpus > 0 && cluster_gpu_remaining(cl, i) < q->gpus)
		return 7;
	if (!same_ci(cl, i, "ecs.os-family", q->os_family) ||
	    !same_ci(cl, i, "ecs.cpu-architecture", q->cpu_arch))
		return 8;
	for (int k = 0; k < p->n_constraints; k++) {
		const struct place_constraint *c = &p->constraints[k];
		int ok;

		if (c->type == PC_DISTINCT_INSTANCE) {
			ok = cluster_group_tasks_on(cl, i, g) == 0;
		} else {
			struct cluster_ref ref = { cl, i };

			ok = cql_eval(c->expr, cluster_cql_view(), &ref);
		}
		if (!ok)
			return N_FILTER + k;
	}
	return N_FILTER + p->n_constraints;
}

/* Whether one of the scheduler's pins (the policy's last n_pins
 * constraints, all memberOf) excludes instance i: such an instance is not
 * considered at all, as one not ACTIVE (choice A4). */
static int pinned_out(const struct cluster *cl, int32_t i, const struct place_policy *p)
{
	struct cluster_ref ref = { cl, i };

	for (int k = p->n_constraints - p->n_pins; k < p->n_constraints; k++)
		if (!cql_eval(p->constraints[k].expr, cluster_cql_view(), &ref))
			return 1;
	return 0;
}

static const char *reason_of(const struct place_policy *p, int passed)
{
	static const char *const r[N_FILTER] = {
		"AGENT", "RESOURCE:CPU", "RESOURCE:MEMORY", "RESOURCE:PORTS", "RESOURCE:ENI",
		"LOCATION", "ATTRIBUTE", "RESOURCE:GPU", "ATTRIBUTE",
	};

	if (passed < N_FILTER)
		return r[passed];
	if (p->constraints[passed - N_FILTER].type == PC_DISTINCT_INSTANCE)
		return "FAIL:DistinctInstance placement constraint unsatisfied.";
	return "FAIL:MemberOf placement constraint unsatisfied.";
}

/* Value of attribute `name` on i, NULL for "no value" (A10). */
static const char *value_of(const struct cluster *cl, int32_t i, const char *name)
{
	const char *v = NULL;

	if (!cluster_attribute(cl, i, name, &v))
		return NULL;
	return v;
}

static int same_value(const char *a, const char *b)
{
	if (!a || !b)
		return !a && !b;
	return strcmp(a, b) == 0;
}

/* Tasks of group g on all instances having the same value of attribute
 * `name` as each instance (A9, A10): out[i] for every i.  O(n · values). */
static void spread_counts(const struct cluster *cl, const char *name, uint32_t g, int64_t *out)
{
	int32_t n = cluster_count(cl), n_vals = 0;
	const char **vals = xmalloc(((size_t)n + 1) * sizeof *vals);
	int64_t *sum = xmalloc(((size_t)n + 1) * sizeof *sum);
	int32_t *which = xmalloc(((size_t)n + 1) * sizeof *which);

	for (int32_t i = 0; i < n; i++) {
		const char *v = value_of(cl, i, name);
		int32_t k = 0;

		while (k < n_vals && !same_value(vals[k], v))
			k++;
		if (k == n_vals) {
			vals[n_vals] = v;
			sum[n_vals++] = 0;
		}
		which[i] = k;
		sum[k] += cluster_group_tasks_on(cl, i, g);
	}
	for (int32_t i = 0; i < n; i++)
		out[i] = sum[which[i]];
	free(vals);
	free(sum);
	free(which);
}

/* Key of instance i for strategy s (lower is better); spread counts come
 * from `counts` (by instance) for attribute fields. */
static int64_t key_of(const struct cluster *cl, int32_t i, const struct place_req *q, uint32_t g,
		      const struct place_strategy *s, const int64_t *counts)
{
	switch (s->type) {
	case PS_BINPACK:
		if (strcmp(s->field, "cpu") == 0)
			return cluster_cpu_remaining(cl, i) - q->cpu_units;
		return cluster_mem_remaining(cl, i) - q->mem_mib;
	case PS_RANDOM:
		return 0;
	case PS_SPREAD:
		if (strcmp(s->field, "instanceId") == 0 || strcmp(s->field, "host") == 0)
			return cluster_group_tasks_on(cl, i, g);
		return counts[i];
	}
	return 0;
}

int oracle_place(const struct cluster *cl, const struct place_req *req, uint32_t g,
		 const struct place_policy *p, struct oracle_result *r)
{
	static const struct place_strategy svc[2] = {
		{ PS_SPREAD, (char *)"attribute:ecs.availability-zone" },
		{ PS_SPREAD, (char *)"instanceId" },
	};
	static const struct place_strategy run[1] = { { PS_RANDOM, NULL } };
	const struct place_strategy *chain = p->strategies;
	int n_s = p->n_strategies, best_passed = -1, all = N_FILTER + p->n_constraints;
	int32_t n = cluster_count(cl), n_cand = 0, *cand = xmalloc(((size_t)n + 1) * sizeof *cand);
	int64_t *keys = xmalloc(((size_t)n + 1) * PLACE_MAX_STRATEGIES * sizeof *keys);
	int64_t *counts = xmalloc(((size_t)n + 1) * sizeof *counts);
	int64_t best[PLACE_MAX_STRATEGIES];

	if (n_s == 0) {
		int service = strncmp(cluster_group_name(cl, g), "service:", 8) == 0;

		chain = service ? svc : run;
		n_s = service ? 2 : 1;
	}
	memset(r, 0, sizeof *r);
	r->closest = -1;
	for (int32_t i = 0; i < n; i++) {
		int passed;

		if (cluster_status(cl, i) != INST_ACTIVE || pinned_out(cl, i, p))
			continue;
		r->considered++;
		passed = checks_passed(cl, i, req, g, p);
		if (passed > best_passed) {
			best_passed = passed;
			r->closest = i;
			r->reason = passed == all ? NULL : reason_of(p, passed);
		}
		if (passed == all)
			cand[n_cand++] = i;
	}
	if (r->considered == 0)
		r->reason = "NO_INSTANCES";
	for (int k = 0; k < n_s; k++) {
		int attr = chain[k].type == PS_SPREAD && strncmp(chain[k].field, "attribute:", 10) == 0;

		if (attr && n_cand > 0)
			spread_counts(cl, chain[k].field + 10, g, counts);
		for (int32_t c = 0; c < n_cand; c++)
			keys[c * PLACE_MAX_STRATEGIES + k] = key_of(cl, cand[c], req, g, &chain[k], counts);
	}
	for (int32_t c = 0; c < n_cand; c++) {
		int64_t *kc = &keys[c * PLACE_MAX_STRATEGIES];
		int less = c == 0;

		for (int k = 0; k < n_s && !less; k++) {
			if (kc[k] != best[k]) {
				less = kc[k] < best[k];
				break;
			}
		}
		if (less)
			memcpy(best, kc, sizeof best);
	}
	r->tied = xmalloc(((size_t)n_cand + 1) * sizeof *r->tied);
	for (int32_t c = 0; c < n_cand; c++)
		if (memcmp(&keys[c * PLACE_MAX_STRATEGIES], best, (size_t)n_s * sizeof *best) == 0)
			r->tied[r->n_tied++] = cand[c];
	free(cand);
	free(keys);
	free(counts);
	return r->n_tied > 0 ? 0 : 1;
}

void oracle_result_free(struct oracle_result *r)
{
	free(r->tied);
	r->tied = NULL;
	r->n_tied = 0;
}
