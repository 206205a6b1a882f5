/* tests/test_placement.c — the placement engine (models/placement/) against
 * the rules of docs/ecs-model.md §4 and choices A1–A15, D1–D14.
 *
 * Suite "property": 10,000 random placements (fixed seeds) on random
 * clusters, requirements, constraints and strategy chains, each checked
 * against the brute-force oracle (tests/oracle/): with tieBreak "first" the
 * same instance, with "random" an instance of the oracle's tied set, on
 * failure the same reason and the same closest instance (A4: the first
 * ACTIVE one to pass the most checks, place_closest); and, for several
 * chains, that the random
 * tie-break picks the member of the oracle's tied set that the documented
 * order of the tie set (choice A11) and a copy of the stream give.  Suite "rules": one table-driven case per rule.
 * Suite "parse": every bad strategy/constraint input with its pinned message.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <cjson/cJSON.h>
#include <gsl/gsl_rng.h>

#include "models/cluster.h"
#include "models/cluster_idx.h"
#include "models/placement/placement.h"
#include "models/placement/placement_int.h"
#include "sim/err.h"
#include "tests/helpers/tutil.h"
#include "tests/oracle/oracle.h"

static const struct attrdef {
	const char *type, *arch;
	int64_t cpu, mem, gpus;
	int eni;
} types[] = {
	{ "m5.large", "x86_64", 2048, 7985, 0, 2 },
	{ "m5.xlarge", "x86_64", 4096, 15990, 0, 3 },
	{ "c5.large", "x86_64", 2048, 3768, 0, 2 },
	{ "r5.large", "x86_64", 2048, 15990, 0, 2 },
	{ "m6g.large", "arm64", 2048, 7985, 0, 2 },
	{ "g4dn.xlarge", "x86_64", 4096, 15990, 1, 2 },
};
#define N_TYPES (int)(sizeof types / sizeof *types)

static const char *const azs[] = { "us-east-1a", "us-east-1b", "us-east-1c" };

/* An instance of type t in az with the usual attributes. */
static int32_t add_typed(struct cluster *cl, int t, const char *az, const struct inst_attr *extra,
			 int n_extra)
{
	struct inst_attr attrs[8];
	struct instance_spec s;
	int n = 0;

	memset(&s, 0, sizeof s);
	s.instance_type = types[t].type;
	s.az = az;
	s.os_type = "linux";
	s.os_family = "LINUX";
	s.cpu_arch = types[t].arch;
	s.ami_id = "ami-1234";
	s.cpu_units = types[t].cpu;
	s.mem_mib = types[t].mem;
	s.gpus = types[t].gpus;
	s.eni_tasks = types[t].eni;
	attrs[n].name = "ecs.capability.task-eni";
	attrs[n++].value = NULL;
	for (int k = 0; k < n_extra; k++)
		attrs[n++] = extra[k];
	s.attrs = attrs;
	s.n_attrs = n;
	return cluster_add(cl, &s);
}

/* An m5-like linux instance with given CPU, memory and attributes. */
static int32_t add_m5(struct cluster *cl, const char *az, int64_t cpu, int64_t mem,
		      const struct inst_attr *a, int n_attrs)
{
	struct instance_spec s;

	memset(&s, 0, sizeof s);
	s.instance_type = "m5.large";
	s.az = az;
	s.os_type = "linux";
	s.os_family = "LINUX";
	s.cpu_arch = "x86_64";
	s.cpu_units = cpu;
	s.mem_mib = mem;
	s.eni_tasks = 2;
	s.attrs = a;
	s.n_attrs = n_attrs;
	return cluster_add(cl, &s);
}

/* A plain instance with given CPU and memory (m5-like, linux). */
static int32_t add_plain(struct cluster *cl, const char *az, int64_t cpu, int64_t mem)
{
	struct inst_attr a = { "ecs.capability.task-eni", NULL };

	return add_m5(cl, az, cpu, mem, &a, 1);
}

static struct place_req req_of(int64_t cpu, int64_t mem)
{
	struct place_req r;

	memset(&r, 0, sizeof r);
	r.cpu_units = cpu;
	r.mem_mib = mem;
	return r;
}

static gsl_rng *new_rng(unsigned long seed)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	gsl_rng_set(r, seed);
	return r;
}

static int parse_json_strategies(struct place_policy *p, const char *json, struct err *e)
{
	cJSON *root = cJSON_Parse(json);
	int rc = place_parse_strategies(p, root, "s.json", "$.placementStrategy", e);

	cJSON_Delete(root);
	return rc;
}

static int parse_json_constraints(struct place_policy *p, const char *json, struct err *e)
{
	cJSON *root = cJSON_Parse(json);
	int rc = place_parse_constraints(p, root, "s.json", "$.placementConstraints", e);

	cJSON_Delete(root);
	return rc;
}

/* ---- property test ---- */

static const uint16_t p80[] = { 80 }, p443[] = { 443 }, p80_443[] = { 80, 443 },
		      p8080[] = { 8080 }, p22[] = { 22 }, p53[] = { 53 }, p8125[] = { 8125 },
		      p53_8125[] = { 53, 8125 };
static const struct { const uint16_t *p; int n; } tcp_sets[] = {
	{ NULL, 0 }, { NULL, 0 }, { NULL, 0 }, { p80, 1 }, { p443, 1 }, { p80_443, 2 },
	{ p8080, 1 }, { p22, 1 },
}, udp_sets[] = {
	{ NULL, 0 }, { NULL, 0 }, { NULL, 0 }, { p53, 1 }, { p8125, 1 }, { p53_8125, 2 },
};

static const char *const groups[] = { "service:web", "service:api", "family:batch", "family:x" };

static const char *const predicates[] = {
	"attribute:ecs.instance-type =~ m5.*",
	"attribute:ecs.availability-zone in [us-east-1a, us-east-1b]",
	"attribute:stack == blue",
	"attribute:stack exists",
	"attribute:stack != green",
	"task:group == service:web",
	"runningTasksCount < 3",
	"runningTasksCount == 0",
	"attribute:ecs.cpu-architecture != arm64",
	"attribute:ecs.instance-type == c5.large",
	"agentConnected == true",
};
#define N_PRED (int)(sizeof predicates / sizeof *predicates)

static const char *const strategies[][2] = {
	{ "binpack", "cpu" }, { "binpack", "memory" }, { "binpack", "memory" },
	{ "spread", "attribute:ecs.availability-zone" }, { "spread", "attribute:ecs.availability-zone" },
	{ "spread", "instanceId" }, { "spread", "host" }, { "spread", "attribute:stack" },
	{ "spread", "attribute:ecs.instance-type" }, { "random", NULL },
};
#define N_STRAT (int)(sizeof strategies / sizeof *strategies)

struct task {
	int32_t inst;
	struct place_req req;
	uint32_t g;
};

static unsigned long pick(gsl_rng *r, unsigned long n)
{
	return gsl_rng_uniform_int(r, n);
}

static void random_req(gsl_rng *r, struct place_req *q)
{
	static const int64_t cpus[] = { 0, 128, 256, 512, 1024, 2048, 4096 };
	static const int64_t mems[] = { 128, 256, 512, 1024, 2048, 4096, 8192 };
	int t = (int)pick(r, sizeof tcp_sets / sizeof *tcp_sets);
	int u = (int)pick(r, sizeof udp_sets / sizeof *udp_sets);

	memset(q, 0, sizeof *q);
	q->cpu_units = cpus[pick(r, 7)];
	q->mem_mib = mems[pick(r, 7)];
	q->eni = pick(r, 7) == 0;
	if (!q->eni) {
		q->ports_tcp = tcp_sets[t].p;
		q->n_ports_tcp = tcp_sets[t].n;
		q->ports_udp = udp_sets[u].p;
		q->n_ports_udp = udp_sets[u].n;
	}
	q->gpus = pick(r, 10) == 0;
	if (pick(r, 10) == 0)
		q->os_family = pick(r, 2) ? "linux" : "WINDOWS_SERVER_2022_FULL";
	if (pick(r, 7) == 0)
		q->cpu_arch = pick(r, 2) ? "ARM64" : "x86_64";
}

static void random_expr(gsl_rng *r, char *buf, size_t n)
{
	const char *a = predicates[pick(r, N_PRED)], *b = predicates[pick(r, N_PRED)];

	switch (pick(r, 5)) {
	case 0:
		snprintf(buf, n, "%s and %s", a, b);
		break;
	case 1:
		snprintf(buf, n, "%s or %s", a, b);
		break;
	case 2:
		snprintf(buf, n, "not(%s)", a);
		break;
	default:
		snprintf(buf, n, "%s", a);
	}
}

static void random_policy(gsl_rng *r, struct place_policy *p)
{
	int ns = (int)pick(r, 6), nc = (int)pick(r, 4);
	char json[1024];
	size_t k = 0;
	struct err e;

	place_policy_init(p);
	k += (size_t)snprintf(json + k, sizeof json - k, "[");
	for (int j = 0; j < ns; j++) {
		int s = (int)pick(r, N_STRAT);

		if (strategies[s][1])
			k += (size_t)snprintf(json + k, sizeof json - k, "%s{\"type\":\"%s\",\"field\":\"%s\"}",
					      j ? "," : "", strategies[s][0], strategies[s][1]);
		else
			k += (size_t)snprintf(json + k, sizeof json - k, "%s{\"type\":\"%s\"}", j ? "," : "",
					      strategies[s][0]);
	}
	snprintf(json + k, sizeof json - k, "]");
	err_clear(&e);
	CU_ASSERT_EQUAL_FATAL(parse_json_strategies(p, json, &e), 0);
	for (int j = 0; j < nc; j++) {
		char x[512];

		if (pick(r, 3) == 0) {
			CU_ASSERT_EQUAL_FATAL(parse_json_constraints(p, "[{\"type\":\"distinctInstance\"}]", &e), 0);
			continue;
		}
		random_expr(r, x, sizeof x);
		CU_ASSERT_EQUAL_FATAL(place_add_member_of(p, x, "t", "$", &e), 0);
	}
}

static void random_cluster(gsl_rng *r, struct cluster *cl)
{
	uint16_t ports[97];
	int n = 1 + (int)pick(r, 60), n_az = 1 + (int)pick(r, 3);

	for (int k = 0; k < 97; k++)
		ports[k] = (uint16_t)(1000 + k);
	for (int i = 0; i < n; i++) {
		struct inst_attr ex[2];
		int ne = 0, t = (int)pick(r, N_TYPES);

		switch (pick(r, 4)) {
		case 0:
			ex[ne].name = "stack";
			ex[ne++].value = "blue";
			break;
		case 1:
			ex[ne].name = "stack";
			ex[ne++].value = "green";
			break;
		case 2:
			ex[ne].name = "stack";
			ex[ne++].value = NULL;
			break;
		default:
			break;
		}
		if (pick(r, 10) == 0) {
			struct instance_spec s;

			memset(&s, 0, sizeof s);
			s.instance_type = types[t].type;
			s.az = azs[pick(r, (unsigned long)n_az)];
			s.os_type = pick(r, 2) ? "windows" : "linux";
			s.os_family = strcmp(s.os_type, "windows") == 0 ? "WINDOWS_SERVER_2022_FULL" : "LINUX";
			s.cpu_arch = types[t].arch;
			s.cpu_units = types[t].cpu;
			s.mem_mib = types[t].mem;
			s.gpus = types[t].gpus;
			s.eni_tasks = (int)pick(r, 3);
			if (pick(r, 2)) {
				s.reserved_tcp = ports;
				s.n_reserved_tcp = 97;
			}
			s.attrs = ex;
			s.n_attrs = ne;
			cluster_add(cl, &s);
		} else {
			add_typed(cl, t, azs[pick(r, (unsigned long)n_az)], ex, ne);
		}
	}
}

static void random_status(gsl_rng *r, struct cluster *cl, int32_t i)
{
	switch (pick(r, 12)) {
	case 0:
		cluster_set_status(cl, i, INST_DRAINING);
		break;
	case 1:
		cluster_set_agent_connected(cl, i, 0);
		break;
	case 2:
		cluster_set_status(cl, i, INST_INACTIVE);
		break;
	case 3:
		cluster_set_status(cl, i, INST_ACTIVE);
		cluster_set_agent_connected(cl, i, 1);
		break;
	case 4:
		cluster_set_status(cl, i, INST_REGISTERING);
		break;
	default:
		break;
	}
}

/* One placement checked against the oracle; returns the chosen instance. */
struct seen {
	const char *reason[16];
	int count[16];
	int n;
};

static void saw(struct seen *s, const char *reason)
{
	int k = 0;

	while (k < s->n && strcmp(s->reason[k], reason) != 0)
		k++;
	if (k == s->n && s->n < 16)
		s->reason[s->n++] = reason;
	if (k < 16)
		s->count[k]++;
}

static int32_t check_one(struct cluster *cl, const struct place_req *q, uint32_t g,
			 struct place_policy *p, gsl_rng *rng, int *bad, struct seen *seen)
{
	struct oracle_result o;
	struct place_result rf, rr;
	enum place_tie_break tb = p->tie_break;
	int of = oracle_place(cl, q, g, p, &o), ff, fr, in = 0;

	p->tie_break = PT_FIRST;
	ff = place_task(cl, q, g, p, rng, &rf);
	p->tie_break = PT_RANDOM;
	fr = place_task(cl, q, g, p, rng, &rr);
	p->tie_break = tb;
	for (int k = 0; k < o.n_tied; k++)
		in |= o.tied[k] == rr.instance;
	/* (with pins, considered is counted on failure only: placement.h) */
	if (ff != of || fr != of || ((p->n_pins == 0 || of != 0) && rf.considered != o.considered) ||
	    (of == 0 && (rf.instance != o.tied[0] || !in)) ||
	    (of != 0 && (strcmp(rf.reason, o.reason) != 0 || strcmp(rr.reason, o.reason) != 0 ||
			 place_closest(cl, q, g, p) != o.closest))) {
		char *d = place_policy_describe(p);

		if (*bad < 5)
			fprintf(stderr, "\nmismatch: policy %s, %d constraints: oracle %s [%d tied, first %d] "
				"fast first %d (%s) random %d\n", d, p->n_constraints,
				of ? o.reason : "ok", o.n_tied, o.n_tied ? o.tied[0] : -1, rf.instance,
				rf.reason ? rf.reason : "ok", rr.instance);
		free(d);
		(*bad)++;
	}
	saw(seen, of ? o.reason : "placed");
	oracle_result_free(&o);
	return of == 0 ? (pick(rng, 2) ? rf.instance : rr.instance) : -1;
}

/* A hold on instance i (docs/ecs-model.md §4.10): set, resized or
 * dropped for one of two holders (the groups gid[2], gid[3]), or opened
 * and filled again as a holder's placement does. */
static void random_hold(gsl_rng *r, struct cluster *cl, int32_t i, const uint32_t *gid)
{
	struct place_req h = { .cpu_units = 128 * (1 + (int64_t)pick(r, 8)) };
	uint32_t g;

	h.mem_mib = 256 * (1 + (int64_t)pick(r, 8));    /* (one by one: sequenced) */
	h.eni = pick(r, 4) == 0;
	g = gid[2 + pick(r, 2)];
	switch (pick(r, 4)) {
	case 0: cluster_unhold(cl, i, g); break;
	case 1: cluster_hold_open(cl, i, g); cluster_hold_fill(cl, i); break;
	default: cluster_hold(cl, i, g, &h);
	}
}

/* The comparison's driver: random clusters, each with tasks placed
 * anywhere they fit, then a few steps of a random policy and request
 * checked against the oracle, placed, and now and then released.  With
 * `location` set, most policies name one or two zones of awsvpc subnets and
 * half the requests are awsvpc (LOCATION, §4.2); without it the draws are
 * those test_property has always made. */
static void property_run(gsl_rng *r, int n_cases, int mode, int *bad, int *placed, struct seen *seen)
{
	int cases = 0, location = mode & 1, holds = mode & 2, pins = mode & 4;

	while (cases < n_cases) {
		struct cluster *cl = cluster_new();
		struct task *tasks = calloc(400, sizeof *tasks);
		int n_tasks = 0, steps = 5 + (int)pick(r, 30);
		uint32_t gid[4];

		random_cluster(r, cl);
		for (int k = 0; k < 4; k++)
			gid[k] = cluster_group(cl, groups[k]);
		/* existing tasks, placed anywhere they fit */
		for (int k = 0, m = (int)pick(r, 80); k < m; k++) {
			struct place_req q;
			int32_t i = (int32_t)pick(r, (unsigned long)cluster_count(cl));

			random_req(r, &q);
			q.eni = 0;
			q.ports_tcp = NULL;
			q.n_ports_tcp = 0;
			if (cluster_cpu_remaining(cl, i) >= q.cpu_units && cluster_mem_remaining(cl, i) >= q.mem_mib &&
			    n_tasks < 400) {
				uint32_t g = gid[pick(r, 4)];

				cluster_reserve(cl, i, &q, g);
				tasks[n_tasks].inst = i;
				tasks[n_tasks].req = q;
				tasks[n_tasks++].g = g;
			}
		}
		for (int32_t i = 0; i < cluster_count(cl); i++)
			random_status(r, cl, i);
		if (holds)             /* room held for DAEMON tasks on a third of them */
			for (int32_t i = 0; i < cluster_count(cl); i++)
				if (pick(r, 3) == 0)
					random_hold(r, cl, i, gid);
		for (int s = 0; s < steps && cases < n_cases; s++, cases++) {
			struct place_policy p;
			struct place_req q;
			uint32_t g = gid[pick(r, 4)];
			int32_t x;

			random_policy(r, &p);
			if (location && pick(r, 5) != 0) {
				const char *z[2] = { azs[pick(r, 3)] };

				z[1] = azs[pick(r, 3)];         /* (after: sequenced) */

				place_policy_set_zones(&p, z, 1 + (int)pick(r, 2));
			}
			if (pins && pick(r, 4) != 0) {
				/* the scheduler's pins (a rebalancing task's
				 * zone, a DAEMON task's instance, or both) */
				char e[80];
				struct err er;
				int32_t i = (int32_t)pick(r, (unsigned long)cluster_count(cl));
				int which = (int)pick(r, 3);

				if (which != 1) {
					snprintf(e, sizeof e, "attribute:ecs.availability-zone == '%s'", azs[pick(r, 3)]);
					CU_ASSERT_EQUAL(place_add_pin(&p, e, &er), 0);
				}
				if (which != 0) {
					snprintf(e, sizeof e, "instanceId == %s", cluster_id(cl, i));
					CU_ASSERT_EQUAL(place_add_pin(&p, e, &er), 0);
					if (pick(r, 2))        /* as a DAEMON's pin says */
						place_pin_instance(&p, i);
				}
			}
			random_req(r, &q);
			if (location && pick(r, 2) == 0) {
				q.eni = 1;
				q.ports_tcp = q.ports_udp = NULL;
				q.n_ports_tcp = q.n_ports_udp = 0;
			}
			x = check_one(cl, &q, g, &p, r, bad, seen);
			if (x >= 0 && n_tasks < 400) {
				(*placed)++;
				cluster_reserve(cl, x, &q, g);
				tasks[n_tasks].inst = x;
				tasks[n_tasks].req = q;
				tasks[n_tasks++].g = g;
			}
			if (n_tasks > 0 && pick(r, 3) == 0) {
				int k = (int)pick(r, (unsigned long)n_tasks);

				cluster_release(cl, tasks[k].inst, &tasks[k].req, tasks[k].g);
				tasks[k] = tasks[--n_tasks];
			}
			if (pick(r, 6) == 0)
				random_status(r, cl, (int32_t)pick(r, (unsigned long)cluster_count(cl)));
			if (holds && pick(r, 3) == 0)
				random_hold(r, cl, (int32_t)pick(r, (unsigned long)cluster_count(cl)), gid);
			place_policy_free(&p);
		}
		free(tasks);
		cluster_free(cl);
	}
}

static void test_property(void)
{
	gsl_rng *r = new_rng(20240611);
	int bad = 0, placed = 0;
	struct seen seen = { { NULL }, { 0 }, 0 };

	property_run(r, 10000, 0, &bad, &placed, &seen);
	T_EQ(bad, 0);
	CU_ASSERT(placed > 2000);
	/* every outcome occurs: placed, NO_INSTANCES, AGENT, the RESOURCE:*
	 * reasons, ATTRIBUTE and both constraint failures */
	T_EQ(seen.n, 11);
	if (getenv("ECSIM_TEST_VERBOSE"))
		for (int k = 0; k < seen.n; k++)
			fprintf(stderr, "%s: %d\n", seen.reason[k], seen.count[k]);
	gsl_rng_free(r);
}

/* The same comparison for awsvpc tasks whose policy names the zones of its
 * subnets (LOCATION, §4.2): 3,000 placements (a stream of its own: the
 * 10,000 cases above stay as they are). */
static void test_property_location(void)
{
	gsl_rng *r = new_rng(20261202);
	int bad = 0, placed = 0, loc = 0;
	struct seen seen = { { NULL }, { 0 }, 0 };

	property_run(r, 3000, 1, &bad, &placed, &seen);
	T_EQ(bad, 0);
	for (int k = 0; k < seen.n; k++)
		if (strcmp(seen.reason[k], "LOCATION") == 0)
			loc = seen.count[k];
	CU_ASSERT(loc > 50);           /* the check decides often enough to be tested */
	if (getenv("ECSIM_TEST_VERBOSE"))
		fprintf(stderr, "LOCATION: %d of 3000, %d placed\n", loc, placed);
	gsl_rng_free(r);
}

/* The same comparison with room held for DAEMON tasks on the instances
 * (docs/ecs-model.md §4.10, choice E130): the fast path's indexes and the
 * oracle's scan see the same remaining room (3,000 placements, a stream of
 * its own). */
static void test_property_holds(void)
{
	gsl_rng *r = new_rng(20261203);
	int bad = 0, placed = 0;
	struct seen seen = { { NULL }, { 0 }, 0 };

	property_run(r, 3000, 2, &bad, &placed, &seen);
	T_EQ(bad, 0);
	CU_ASSERT(placed > 500);
	gsl_rng_free(r);
}

/* The same comparison with the scheduler's pins on most policies
 * (place_add_pin: a zone, an instance, or both): an instance a pin
 * excludes is neither a candidate nor considered nor the closest (choice
 * A4), so a failure's reason and closest instance are those of the
 * instances the pins allow, NO_INSTANCES when none is (A5): 3,000
 * placements, a stream of its own.  Before the pins were told apart from
 * the task's constraints, the closest was any instance outside them that
 * passed everything else, with a MemberOf reason. */
static void test_property_pins(void)
{
	gsl_rng *r = new_rng(20261204);
	int bad = 0, placed = 0;
	struct seen seen = { { NULL }, { 0 }, 0 };

	property_run(r, 3000, 4, &bad, &placed, &seen);
	T_EQ(bad, 0);
	CU_ASSERT(placed > 300);
	CU_ASSERT(seen.n >= 8);         /* the pinned placements fail in many ways */
	if (getenv("ECSIM_TEST_VERBOSE"))
		for (int k = 0; k < seen.n; k++)
			fprintf(stderr, "pins: %s: %d\n", seen.reason[k], seen.count[k]);
	gsl_rng_free(r);
}

/* ---- the order of the random tie-break's tie set (A11) ---- */

/* The attribute whose values group the tie set (docs/ecs-model.md choice
 * A11): that of the chain's first strategy other than random when it
 * spreads over an attribute (the default service chain's AZ), else none. */
static const char *tie_attr(const struct place_policy *p, const char *group)
{
	if (p->n_strategies == 0)
		return strncmp(group, "service:", 8) == 0 ? "ecs.availability-zone" : NULL;
	for (int k = 0; k < p->n_strategies; k++) {
		const struct place_strategy *s = &p->strategies[k];

		if (s->type == PS_RANDOM)
			continue;
		if (s->type == PS_SPREAD && strncmp(s->field, "attribute:", 10) == 0)
			return s->field + 10;
		return NULL;
	}
	return NULL;
}

/* Rank of instance i's value of attribute `name`: the number of the first
 * instance (any status) having the same value, a missing or null one being
 * one more value (A10). */
static int32_t value_rank(const struct cluster *cl, const char *name, int32_t i)
{
	const char *v = NULL;
	int32_t j;

	if (!name)
		return 0;
	if (!cluster_attribute(cl, i, name, &v))
		v = NULL;
	for (j = 0; j < i; j++) {
		const char *w = NULL;

		if (!cluster_attribute(cl, j, name, &w))
			w = NULL;
		if (v ? w && strcmp(v, w) == 0 : !w)
			break;
	}
	return j;
}

/* Up to per × n random reservations of 256 CPU units and 512 MiB (each
 * doubled at random when vary) on the instances 0..n-1 where they fit, by
 * group gid[0] or gid[1]; then about one instance in `mod` draining and one
 * in `mod` with its agent disconnected (not placeable). */
static void random_load(gsl_rng *r, struct cluster *cl, int32_t n, int per, int vary, unsigned long mod,
			const uint32_t *gid)
{
	for (int k = 0, m = (int)pick(r, (unsigned long)(per * n)); k < m; k++) {
		/* (draws in arguments made one by one, the last argument's
		 * first: an argument list's order is the compiler's, and these
		 * cases were made by GCC's, right to left) */
		int d_mem = vary ? 512 * (1 + (int)pick(r, 2)) : 512;
		struct place_req q = req_of(vary ? 256 * (1 + (int)pick(r, 2)) : 256, d_mem);
		int32_t i = (int32_t)pick(r, (unsigned long)n);

		if (cluster_cpu_remaining(cl, i) >= q.cpu_units && cluster_mem_remaining(cl, i) >= q.mem_mib)
			cluster_reserve(cl, i, &q, gid[pick(r, 2)]);
	}
	for (int32_t i = 0; i < n; i++) {
		unsigned long x = pick(r, mod);

		if (x == 0)
			cluster_set_status(cl, i, INST_DRAINING);
		else if (x == 1)
			cluster_set_agent_connected(cl, i, 0);
	}
}

/* A cluster where ties are likely: 2-3 AZs named out of registration order,
 * two CPU and two memory sizes, a `stack` attribute (blue, green, null,
 * missing), some tasks of the same size, a few instances not placeable. */
static void tie_cluster(gsl_rng *r, struct cluster *cl, const uint32_t *gid)
{
	static const char *const stacks[] = { "blue", "green", NULL };
	int n = 2 + (int)pick(r, 15), n_az = 2 + (int)pick(r, 2), first_az = (int)pick(r, 3);

	for (int i = 0; i < n; i++) {
		struct inst_attr a[2] = { { "ecs.capability.task-eni", NULL }, { "stack", NULL } };
		struct instance_spec s;
		int st = (int)pick(r, 4);

		memset(&s, 0, sizeof s);
		s.instance_type = "m5.large";
		s.az = azs[(first_az + (int)pick(r, (unsigned long)n_az)) % 3];
		s.os_type = "linux";
		s.os_family = "LINUX";
		s.cpu_arch = "x86_64";
		s.cpu_units = pick(r, 2) ? 2048 : 1024;
		s.mem_mib = pick(r, 2) ? 4096 : 2048;
		s.eni_tasks = 2;
		if (st < 3)
			a[1].value = stacks[st];
		s.attrs = a;
		s.n_attrs = st < 3 ? 2 : 1;
		cluster_add(cl, &s);
	}
	random_load(r, cl, n, 2, 0, 16, gid);
}

/* Entry `at` of list[0..n) if it were sorted by number alone. */
static int32_t list_by_number(const int32_t *list, int n, unsigned long at)
{
	for (int a = 0; a < n; a++) {
		int below = 0;

		for (int b = 0; b < n; b++)
			below += list[b] < list[a];
		if (below == (int)at)
			return list[a];
	}
	return -1;
}

/* A11 pins which tied instance a seed picks: the tie set is listed grouped
 * by the values of the chain's first non-random strategy when it spreads
 * over an attribute (values in the order they first appear in instance
 * numbers), each group (and the whole set otherwise) by instance number;
 * with 2 to 8 tied, one draw gsl_rng_uniform_int(rng, n) picks entry n of
 * that list, and with one tied nothing is drawn.  On random clusters the
 * oracle's tied set, sorted by that plain rule, and a copy of the
 * placement's stream must give exactly the instance place_task picked, and
 * leave the stream where place_task left it. */
static void test_tie_order(void)
{
	static const char *const chains[] = {
		"[{\"type\":\"binpack\",\"field\":\"memory\"}]",
		"[{\"type\":\"binpack\",\"field\":\"cpu\"}]",
		"az-balanced-binpack",
		"az-balanced-spread",
		"[{\"type\":\"spread\",\"field\":\"instanceId\"}]",
		"[{\"type\":\"random\"}]",
		"[]",
		"[{\"type\":\"spread\",\"field\":\"attribute:stack\"},{\"type\":\"binpack\",\"field\":\"cpu\"}]",
		"[{\"type\":\"random\"},{\"type\":\"spread\",\"field\":\"attribute:ecs.availability-zone\"}]",
		"[{\"type\":\"binpack\",\"field\":\"memory\"},{\"type\":\"spread\",\"field\":\"attribute:ecs.availability-zone\"}]",
	};
	enum { N_CHAINS = sizeof chains / sizeof *chains };
	gsl_rng *r = new_rng(20261201);
	int checked[N_CHAINS] = { 0 }, moved[N_CHAINS] = { 0 }, singles = 0, bad = 0;

	for (int c = 0; c < N_CHAINS; c++) {
		for (int t = 0; t < 400; t++) {
			struct cluster *cl = cluster_new();
			uint32_t gid[2] = { cluster_group(cl, "service:web"), cluster_group(cl, "family:batch") };
			struct place_policy p;
			struct err e;

			err_clear(&e);
			place_policy_init(&p);
			if (chains[c][0] == '[') {
				CU_ASSERT_EQUAL_FATAL(parse_json_strategies(&p, chains[c], &e), 0);
			} else {
				CU_ASSERT_EQUAL_FATAL(place_template(&p, chains[c], &e), 0);
			}
			p.tie_break = PT_RANDOM;
			tie_cluster(r, cl, gid);
			for (int step = 0; step < 6; step++) {
				int gi = (int)pick(r, 2);
				const char *attr = tie_attr(&p, gi ? "family:batch" : "service:web");
				struct place_req q = req_of(256, 512);
				struct oracle_result o;
				struct place_result res;
				gsl_rng *copy = gsl_rng_clone(r);
				int of = oracle_place(cl, &q, gid[gi], &p, &o);
				int rc = place_task(cl, &q, gid[gi], &p, r, &res);
				int32_t want = -1;

				CU_ASSERT_EQUAL_FATAL(rc, of);
				if (o.n_tied >= 1 && o.n_tied <= 8) {
					int32_t *list = o.tied;
					unsigned long at = 0;

					/* the documented order: (value rank, number) */
					for (int a = 1; a < o.n_tied; a++)
						for (int b = a; b > 0; b--) {
							int32_t x = list[b - 1], y = list[b];
							int32_t rx = value_rank(cl, attr, x), ry = value_rank(cl, attr, y);

							if (rx < ry || (rx == ry && x < y))
								break;
							list[b - 1] = y;
							list[b] = x;
						}
					if (o.n_tied > 1) {
						at = gsl_rng_uniform_int(copy, (unsigned long)o.n_tied);
						checked[c]++;
					} else {
						singles++;
					}
					want = list[at];
					/* (whether a list by number alone picks another) */
					moved[c] += want != list_by_number(o.tied, o.n_tied, at);
					if (res.instance != want || gsl_rng_get(r) != gsl_rng_get(copy)) {
						if (bad++ < 5)
							fprintf(stderr, "\ntie order: chain %s, %d tied, want %d got %d\n",
								chains[c], o.n_tied, want, res.instance);
					}
				}
				if (rc == 0)
					cluster_reserve(cl, res.instance, &q, gid[gi]);
				gsl_rng_free(copy);
				oracle_result_free(&o);
			}
			place_policy_free(&p);
			cluster_free(cl);
		}
	}
	T_EQ(bad, 0);
	CU_ASSERT(singles > 100);
	for (int c = 0; c < N_CHAINS; c++) {
		if (getenv("ECSIM_TEST_VERBOSE"))
			fprintf(stderr, "%s: %d checked, %d moved\n", chains[c], checked[c], moved[c]);
		CU_ASSERT(checked[c] > 200);
	}
	/* the grouping by value changes the pick in many cases */
	CU_ASSERT(moved[2] > 50 && moved[3] > 50 && moved[6] > 50 && moved[7] > 50 && moved[8] > 50);
	gsl_rng_free(r);
}

/* ---- place_task's short path for az-balanced-binpack, against brute force ---- */

/* Whether instance i is a candidate of a plain request q: placeable (ACTIVE,
 * agent connected) with the room for both resources. */
static int plain_fits(const struct cluster *cl, int32_t i, const struct place_req *q)
{
	return cluster_status(cl, i) == INST_ACTIVE && cluster_agent_connected(cl, i) &&
	       cluster_cpu_remaining(cl, i) >= q->cpu_units && cluster_mem_remaining(cl, i) >= q->mem_mib;
}

/* place_spread_binpack's answer (spread on the tracked attribute sa, then
 * binpack on order o) and place_pick_answer's draw, each against a plain
 * scan of the instances: the lowest count of group g among the values
 * holding a candidate, the least amount of o left among those values'
 * candidates, and per value holding one with that amount (in value
 * order) its first such candidate by number, its rank among the value's
 * placeable instances in order o and the run's end when told; then the
 * members of those runs in that order, drawn by a copy of the stream (none
 * drawn for one member): the answer when there is one, which must be when
 * the tie-break is random and the runs (their ends told, or of one member)
 * hold at most PLACE_ENUMERATE entries in all; none otherwise, the stream
 * untouched. */
static int check_short_path(struct cluster *cl, int sa, uint32_t g, const struct place_req *q,
			    struct place_policy *p, gsl_rng *rng)
{
	enum cl_key o = (enum cl_key)p->fast.key;
	int64_t nd = o == CL_BY_MEM ? q->mem_mib : q->cpu_units;
	int32_t nv = cluster_spread_nvalues(cl, sa), n = cluster_count(cl), members[64];
	int64_t level = INT64_MAX, best = INT64_MAX;
	unsigned want_tied = 0;
	int bad = 0, rc, n_members = 0, told = 1, span = 0;
	struct sb_answer a;
	gsl_rng *copy;
	int32_t got, want = -1;

	rc = place_spread_binpack(cl, q, g, sa, o, &a);
	if (nv > PLACE_FEW_VALUES)
		return rc != -1;
	for (int32_t i = 0; i < n; i++)
		if (plain_fits(cl, i, q)) {
			int64_t c = cluster_spread_count(cl, sa, cluster_spread_value(cl, sa, i), g);

			level = c < level ? c : level;
		}
	if (level == INT64_MAX)
		return rc != 0;
	for (int32_t i = 0; i < n; i++) {
		int32_t v = cluster_spread_value(cl, sa, i);
		int64_t key = (o == CL_BY_MEM ? cluster_mem_remaining(cl, i) : cluster_cpu_remaining(cl, i)) - nd;

		if (plain_fits(cl, i, q) && cluster_spread_count(cl, sa, v, g) == level && key < best)
			best = key;
	}
	if (rc != 1 || a.level != level || a.best != best)
		return 1;
	/* the tied values: their bits in a.tied index a.vals, in value order */
	for (int32_t v = 0, j = 0; v < nv; v++) {
		int32_t first = -1, rank = 0, end = 0;
		int64_t amount = best + nd;

		for (int32_t i = 0; i < n; i++) {
			int64_t x = o == CL_BY_MEM ? cluster_mem_remaining(cl, i) : cluster_cpu_remaining(cl, i);

			if (cluster_spread_value(cl, sa, i) != v || cluster_status(cl, i) != INST_ACTIVE ||
			    !cluster_agent_connected(cl, i))
				continue;
			if (first < 0 && x == amount && plain_fits(cl, i, q) && cluster_spread_count(cl, sa, v, g) == level)
				first = i;
			end += x <= amount;
		}
		if (first < 0)
			continue;
		for (int32_t i = 0; i < first; i++)
			rank += cluster_spread_value(cl, sa, i) == v && cluster_status(cl, i) == INST_ACTIVE &&
				cluster_agent_connected(cl, i) &&
				(o == CL_BY_MEM ? cluster_mem_remaining(cl, i) : cluster_cpu_remaining(cl, i)) == amount;
		for (int32_t i = 0; i < n; i++)
			rank += cluster_spread_value(cl, sa, i) == v && cluster_status(cl, i) == INST_ACTIVE &&
				cluster_agent_connected(cl, i) &&
				(o == CL_BY_MEM ? cluster_mem_remaining(cl, i) : cluster_cpu_remaining(cl, i)) < amount;
		while (j < PLACE_FEW_VALUES && a.vals[j] != v)
			j++;
		if (j == PLACE_FEW_VALUES)
			return 1;
		want_tied |= 1u << j;
		{               /* (the probe ranked as the context's ranges rank it) */
			struct cl_probe pr = a.pr[j];

			cluster_probe_rank(cl, sa, v, o, &pr);
			bad |= pr.inst != first || pr.rank != rank || (pr.end >= 0 && pr.end != end) ||
			       pr.len != (pr.end < 0 ? -1 : pr.end - pr.rank) || pr.mark.base != rank - pr.mark.pos;
			told &= pr.len >= 0 || end - rank == 1;
		}
		span += end - rank;
		for (int32_t i = 0; i < n; i++)
			if (cluster_spread_value(cl, sa, i) == v && plain_fits(cl, i, q) && n_members < 64 &&
			    (o == CL_BY_MEM ? cluster_mem_remaining(cl, i) : cluster_cpu_remaining(cl, i)) == amount)
				members[n_members++] = i;
	}
	if (bad || a.tied != want_tied)
		return 1;
	/* the draw among the members, when it answers (it must when the
	 * runs hold at most PLACE_ENUMERATE entries) */
	copy = gsl_rng_clone(rng);
	got = place_pick_answer(cl, q, p, &a, rng);
	if (got >= 0 && p->tie_break == PT_RANDOM && told && n_members <= PLACE_ENUMERATE)
		want = n_members == 1 ? members[0] : members[gsl_rng_uniform_int(copy, (unsigned long)n_members)];
	bad = got != want || gsl_rng_get(rng) != gsl_rng_get(copy) ||
	      (got < 0 && p->tie_break == PT_RANDOM && told && span <= PLACE_ENUMERATE);
	gsl_rng_free(copy);
	return bad;
}

/* Random clusters with an attribute of 1 to 30 values (few CPU and memory
 * sizes, so runs of one amount and ties between values are common; some
 * instances not placeable; tasks of two groups), and plain requests. */
static void test_short_path_brute(void)
{
	gsl_rng *r = new_rng(20261202);
	int bad = 0, multi = 0, drawn = 0, none = 0, many = 0;

	for (int t = 0; t < 3000; t++) {
		struct cluster *cl = cluster_new();
		uint32_t gid[2] = { cluster_group(cl, "service:web"), cluster_group(cl, "family:batch") };
		int n = 1 + (int)pick(r, 50), nz = 1 + (int)pick(r, pick(r, 4) ? 4 : 30);
		struct place_policy p;
		struct err e;
		int sa;

		for (int i = 0; i < n; i++) {
			char z[8];
			struct inst_attr at = { "zone", z };

			snprintf(z, sizeof z, "z%d", (int)pick(r, (unsigned long)nz));
			int d_trunk = pick(r, 8) ? 1 : 0;             /* (the last argument's first) */
			int64_t d_mem = pick(r, 2) ? 4096 : 2048;
			int64_t d_cpu = pick(r, 2) ? 2048 : 1024;

			add_m5(cl, azs[pick(r, 3)], d_cpu, d_mem, &at, d_trunk);
		}
		random_load(r, cl, n, 3, 1, 12, gid);
		err_clear(&e);
		place_policy_init(&p);
		CU_ASSERT_EQUAL_FATAL(parse_json_strategies(&p, pick(r, 2) ?
			"[{\"type\":\"spread\",\"field\":\"attribute:zone\"},{\"type\":\"binpack\",\"field\":\"memory\"}]" :
			"[{\"type\":\"spread\",\"field\":\"attribute:zone\"},{\"type\":\"binpack\",\"field\":\"cpu\"}]", &e), 0);
		p.tie_break = pick(r, 4) ? PT_RANDOM : PT_FIRST;
		sa = cluster_spread_attr(cl, "zone");
		p.fast.attr = sa;
		p.fast.key = strcmp(p.strategies[1].field, "cpu") == 0 ? CL_BY_CPU : CL_BY_MEM;
		for (int step = 0; step < 8; step++) {
			int d_mem = 512 * (1 + (int)pick(r, 4));      /* (the last argument's first) */
			struct place_req q = req_of(256 * (1 + (int)pick(r, 4)), d_mem);
			uint32_t g = gid[pick(r, 2)];
			struct place_result res;
			struct sb_answer a;
			int rc = place_spread_binpack(cl, &q, g, sa, (enum cl_key)p.fast.key, &a);

			if (check_short_path(cl, sa, g, &q, &p, r) && bad++ < 5)
				fprintf(stderr, "\nshort path: case %d step %d: answer %d\n", t, step, rc);
			none += rc == 0;
			many += rc < 0;
			multi += rc == 1 && (a.tied & (a.tied - 1)) != 0;
			drawn += rc == 1 && place_pick_answer(cl, &q, &p, &a, r) >= 0;
			/* (place a task where the placement says, as a run does) */
			if (place_task(cl, &q, g, &p, r, &res) == 0)
				cluster_reserve(cl, res.instance, &q, g);
		}
		place_policy_free(&p);
		cluster_free(cl);
	}
	T_EQ(bad, 0);
	if (getenv("ECSIM_TEST_VERBOSE"))
		fprintf(stderr, "short path: %d none, %d too many values, %d tied values, %d drawn\n", none, many,
			multi, drawn);
	CU_ASSERT(none > 500 && many > 500 && multi > 1000 && drawn > 2000);
	gsl_rng_free(r);
}

/* A run of one member reaching the end of its parent's last leaf: the
 * probe cannot tell where it ends (nothing follows that leaf in its
 * parent), so the pick ranks it (cluster_probe_rank, then the rank of the
 * next amount) and, the run holding one member, answers without a context.
 * 100 instances of one zone with distinct amounts of memory, added in
 * order: the memory order's leaves split as they fill, and the instance
 * with the most memory is the last leaf's last entry; a need only it
 * meets. */
static void test_short_path_untold(void)
{
	struct cluster *cl = cluster_new();
	uint32_t g = cluster_group(cl, "service:web");
	gsl_rng *r = new_rng(7);
	struct inst_attr at = { "zone", "z0" };
	struct place_policy p;
	struct sb_answer a;
	struct err e;
	struct place_req q = req_of(256, 4096 + 99 * 16);
	int sa;

	for (int i = 0; i < 100; i++)
		add_m5(cl, "us-east-1a", 2048, 4096 + 16 * i, &at, 1);
	err_clear(&e);
	place_policy_init(&p);
	CU_ASSERT_EQUAL_FATAL(parse_json_strategies(&p,
		"[{\"type\":\"spread\",\"field\":\"attribute:zone\"},{\"type\":\"binpack\",\"field\":\"memory\"}]", &e), 0);
	p.tie_break = PT_RANDOM;
	sa = cluster_spread_attr(cl, "zone");
	p.fast.attr = sa;
	p.fast.key = CL_BY_MEM;
	place_spread_binpack(cl, &q, g, sa, CL_BY_MEM, &a);        /* (builds the order) */
	CU_ASSERT_EQUAL(place_spread_binpack(cl, &q, g, sa, CL_BY_MEM, &a), 1);
	CU_ASSERT_EQUAL(a.tied, 1u);
	CU_ASSERT_EQUAL(a.pr[0].inst, 99);
	CU_ASSERT_EQUAL(a.pr[0].len, -1);                           /* (the case: untold) */
	CU_ASSERT_EQUAL(place_pick_answer(cl, &q, &p, &a, r), 99);
	place_policy_free(&p);
	cluster_free(cl);
	gsl_rng_free(r);
}

static CU_TestInfo property_tests[] = {
	{ "fast path agrees with the oracle on 10,000 random placements", test_property },
	{ "awsvpc LOCATION: the fast path agrees with the oracle", test_property_location },
	{ "room held for DAEMON tasks: the fast path agrees with the oracle", test_property_holds },
	{ "the scheduler's pins: the fast path agrees with the oracle", test_property_pins },
	{ "random tie-break: the tie set's documented order (A11)", test_tie_order },
	{ "the az-balanced-binpack short path against a plain scan", test_short_path_brute },
	{ "the short path picks a run of one its leaf did not tell", test_short_path_untold },
	CU_TEST_INFO_NULL,
};


/* ---- rules, one case each ---- */

struct fixture {
	struct cluster *cl;
	gsl_rng *rng;
	struct place_policy p;
	struct place_result r;
};

static void fx_init(struct fixture *f)
{
	f->cl = cluster_new();
	f->rng = new_rng(7);
	place_policy_init(&f->p);
	f->p.tie_break = PT_FIRST;
}

static void fx_fini(struct fixture *f)
{
	place_policy_free(&f->p);
	cluster_free(f->cl);
	gsl_rng_free(f->rng);
}

static void fx_strategies(struct fixture *f, const char *json)
{
	struct err e;

	err_clear(&e);
	CU_ASSERT_EQUAL_FATAL(parse_json_strategies(&f->p, json, &e), 0);
}

static void fx_constraints(struct fixture *f, const char *json)
{
	struct err e;

	err_clear(&e);
	CU_ASSERT_EQUAL_FATAL(parse_json_constraints(&f->p, json, &e), 0);
}

/* Place one task of group `group`, checking the oracle agrees. */
static int32_t fx_place(struct fixture *f, const struct place_req *q, const char *group)
{
	uint32_t g = cluster_group(f->cl, group);
	struct oracle_result o;
	int rc = place_task(f->cl, q, g, &f->p, f->rng, &f->r);

	oracle_place(f->cl, q, g, &f->p, &o);
	if (rc == 0) {
		int in = 0;

		for (int k = 0; k < o.n_tied; k++)
			in |= o.tied[k] == f->r.instance;
		CU_ASSERT(in);
		if (f->p.tie_break == PT_FIRST && o.n_tied > 0)
			T_EQ(f->r.instance, o.tied[0]);
	} else {
		T_STREQ(f->r.reason, o.reason);
	}
	oracle_result_free(&o);
	return rc ? -1 : f->r.instance;
}

static void put(struct fixture *f, int32_t i, int64_t cpu, int64_t mem, const char *group)
{
	struct place_req q = req_of(cpu, mem);

	cluster_reserve(f->cl, i, &q, cluster_group(f->cl, group));
}

static void test_spread_az_binpack(void)
{
	struct fixture f;
	struct place_req q = req_of(256, 1000);

	fx_init(&f);
	add_plain(f.cl, "us-east-1a", 2048, 4000);
	add_plain(f.cl, "us-east-1a", 2048, 2000);
	add_plain(f.cl, "us-east-1b", 2048, 1500);
	add_plain(f.cl, "us-east-1c", 2048, 1500);
	put(&f, 2, 0, 100, "service:web");
	put(&f, 3, 0, 100, "service:web");
	fx_strategies(&f, "[{\"type\":\"spread\",\"field\":\"attribute:ecs.availability-zone\"},"
		      "{\"type\":\"binpack\",\"field\":\"memory\"}]");
	/* AZ a has no task of the service; inside it the least memory left wins */
	T_EQ(fx_place(&f, &q, "service:web"), 1);
	fx_fini(&f);
}

static void test_spread_az_instance(void)
{
	struct fixture f;
	struct place_req q = req_of(256, 256);

	fx_init(&f);
	add_plain(f.cl, "us-east-1a", 2048, 4000);
	add_plain(f.cl, "us-east-1a", 2048, 4000);
	add_plain(f.cl, "us-east-1b", 2048, 4000);
	put(&f, 0, 0, 10, "service:web");
	put(&f, 2, 0, 10, "service:web");
	put(&f, 2, 0, 10, "service:web");
	fx_strategies(&f, "[{\"type\":\"spread\",\"field\":\"attribute:ecs.availability-zone\"},"
		      "{\"type\":\"spread\",\"field\":\"instanceId\"}]");
	T_EQ(fx_place(&f, &q, "service:web"), 1);
	put(&f, 1, 0, 10, "service:web");
	put(&f, 1, 0, 10, "service:web");
	/* now a = 3, b = 2: b's only instance */
	T_EQ(fx_place(&f, &q, "service:web"), 2);
	fx_fini(&f);
}

/* One policy without strategies places a RunTask group's task (random,
 * D10), then a service's (spread AZ then instanceId, A12) on the same
 * cluster, where another policy tracked another attribute first: what the
 * policy keeps of a placement's prepared strategies is told apart by the
 * strategy (its field), not only by the cluster, so the service spreads
 * over the AZs (with the random strategy's answer kept for the spread, it
 * spread over the instance types: every instance one value). */
static void test_default_chain_memo(void)
{
	struct fixture f;
	struct place_policy other;
	struct place_req q = req_of(256, 256);
	struct err e;

	fx_init(&f);
	add_plain(f.cl, "us-east-1a", 2048, 4000);
	add_plain(f.cl, "us-east-1a", 2048, 4000);
	add_plain(f.cl, "us-east-1b", 2048, 4000);
	place_policy_init(&other);
	err_clear(&e);
	CU_ASSERT_EQUAL_FATAL(parse_json_strategies(&other, "[{\"type\":\"spread\",\"field\":\"attribute:ecs.instance-type\"}]",
						    &e), 0);
	CU_ASSERT(place_task(f.cl, &q, cluster_group(f.cl, "service:x"), &other, f.rng, &f.r) == 0);
	put(&f, 0, 0, 10, "service:web");
	CU_ASSERT(fx_place(&f, &q, "family:batch") >= 0);
	/* AZ a holds the service's task: b's only instance (by instance type
	 * and then instanceId it would be instance 1, the first without one) */
	T_EQ(fx_place(&f, &q, "service:web"), 2);
	place_policy_free(&other);
	fx_fini(&f);
}

static void test_distinct_instance(void)
{
	struct fixture f;
	struct place_req q = req_of(0, 10);

	fx_init(&f);
	add_plain(f.cl, "us-east-1a", 2048, 4000);
	add_plain(f.cl, "us-east-1a", 2048, 4000);
	put(&f, 0, 0, 10, "service:web");
	put(&f, 1, 0, 10, "service:other");
	fx_constraints(&f, "[{\"type\":\"distinctInstance\"}]");
	T_EQ(fx_place(&f, &q, "service:web"), 1);
	put(&f, 1, 0, 10, "service:web");
	T_EQ(fx_place(&f, &q, "service:web"), -1);
	T_STREQ(f.r.reason, "FAIL:DistinctInstance placement constraint unsatisfied.");
	fx_fini(&f);
}

static void test_member_of_regex(void)
{
	struct fixture f;
	struct place_req q = req_of(0, 10);

	fx_init(&f);
	add_typed(f.cl, 0, "us-east-1a", NULL, 0);          /* m5.large */
	add_typed(f.cl, 2, "us-east-1a", NULL, 0);          /* c5.large */
	fx_constraints(&f, "[{\"type\":\"memberOf\",\"expression\":\"attribute:ecs.instance-type =~ c5.*\"}]");
	T_EQ(fx_place(&f, &q, "family:a"), 1);
	place_policy_free(&f.p);
	fx_constraints(&f, "[{\"type\":\"memberOf\",\"expression\":\"attribute:ecs.instance-type =~ r5.*\"}]");
	T_EQ(fx_place(&f, &q, "family:a"), -1);
	T_STREQ(f.r.reason, "FAIL:MemberOf placement constraint unsatisfied.");
	fx_fini(&f);
}

static void test_ports(void)
{
	struct fixture f;
	struct place_req q = req_of(0, 10);
	static const uint16_t p81[] = { 81 };

	fx_init(&f);
	add_plain(f.cl, "us-east-1a", 2048, 4000);
	q.ports_tcp = p80;
	q.n_ports_tcp = 1;
	cluster_reserve(f.cl, 0, &q, cluster_group(f.cl, "family:a"));
	T_EQ(fx_place(&f, &q, "family:a"), -1);
	T_STREQ(f.r.reason, "RESOURCE:PORTS");
	q.ports_tcp = p22;                                  /* agent-reserved, D2 */
	T_EQ(fx_place(&f, &q, "family:a"), -1);
	T_STREQ(f.r.reason, "RESOURCE:PORTS");
	q.ports_tcp = p81;
	T_EQ(fx_place(&f, &q, "family:a"), 0);
	q.ports_tcp = p80;                                  /* released: free again (D9) */
	cluster_release(f.cl, 0, &q, cluster_group(f.cl, "family:a"));
	T_EQ(fx_place(&f, &q, "family:a"), 0);
	fx_fini(&f);
}

static void test_port_limit(void)
{
	struct fixture f;
	struct place_req q = req_of(0, 10);
	struct instance_spec s;
	uint16_t res[98];
	static const uint16_t two[] = { 80, 81 }, three[] = { 80, 81, 82 }, one[] = { 80 },
			      u1[] = { 53 };

	for (int k = 0; k < 98; k++)
		res[k] = (uint16_t)(2000 + k);
	fx_init(&f);
	memset(&s, 0, sizeof s);
	s.instance_type = "m5.large";
	s.az = "us-east-1a";
	s.cpu_units = 2048;
	s.mem_mib = 4000;
	s.reserved_tcp = res;
	s.n_reserved_tcp = 98;
	cluster_add(f.cl, &s);
	q.ports_tcp = two;
	q.n_ports_tcp = 2;
	T_EQ(fx_place(&f, &q, "family:a"), 0);              /* 98 + 2 = 100 */
	q.ports_tcp = three;
	q.n_ports_tcp = 3;
	T_EQ(fx_place(&f, &q, "family:a"), -1);             /* 101 */
	T_STREQ(f.r.reason, "RESOURCE:PORTS");
	q.ports_tcp = one;                                  /* D3: TCP and UDP together */
	q.n_ports_tcp = 1;
	q.ports_udp = u1;
	q.n_ports_udp = 1;
	T_EQ(fx_place(&f, &q, "family:a"), 0);              /* 100 */
	cluster_reserve(f.cl, 0, &q, cluster_group(f.cl, "family:a"));
	q.ports_tcp = NULL;
	q.n_ports_tcp = 0;
	q.ports_udp = NULL;
	q.n_ports_udp = 0;
	T_EQ(fx_place(&f, &q, "family:a"), 0);              /* no static port: no check */
	fx_fini(&f);
}

static void test_udp_tcp_apart(void)
{
	struct fixture f;
	struct place_req q = req_of(0, 10);
	fx_init(&f);
	add_plain(f.cl, "us-east-1a", 2048, 4000);
	q.ports_tcp = p53;
	q.n_ports_tcp = 1;
	cluster_reserve(f.cl, 0, &q, cluster_group(f.cl, "family:a"));
	q.ports_tcp = NULL;
	q.n_ports_tcp = 0;
	q.ports_udp = p53;
	q.n_ports_udp = 1;
	T_EQ(fx_place(&f, &q, "family:a"), 0);
	cluster_reserve(f.cl, 0, &q, cluster_group(f.cl, "family:a"));
	T_EQ(fx_place(&f, &q, "family:a"), -1);
	T_STREQ(f.r.reason, "RESOURCE:PORTS");
	fx_fini(&f);
}

/* An m5.large in az with 2 ENI slots but without the attribute
 * ecs.capability.task-eni (no built-in attributes at all). */
static void add_no_task_eni(struct cluster *cl, const char *az)
{
	struct instance_spec s;

	memset(&s, 0, sizeof s);
	s.instance_type = "m5.large";
	s.az = az;
	s.cpu_units = 2048;
	s.mem_mib = 4000;
	s.eni_tasks = 2;
	cluster_add(cl, &s);
}

static void test_eni(void)
{
	struct fixture f;
	struct place_req q = req_of(0, 10);

	fx_init(&f);
	add_plain(f.cl, "us-east-1a", 2048, 4000);          /* 2 ENI slots */
	q.eni = 1;
	T_EQ(fx_place(&f, &q, "family:a"), 0);
	cluster_reserve(f.cl, 0, &q, cluster_group(f.cl, "family:a"));
	cluster_reserve(f.cl, 0, &q, cluster_group(f.cl, "family:a"));
	T_EQ(fx_place(&f, &q, "family:a"), -1);
	T_STREQ(f.r.reason, "RESOURCE:ENI");
	/* D5: without ecs.capability.task-eni (passes the ENI check first) */
	add_no_task_eni(f.cl, "us-east-1a");
	T_EQ(fx_place(&f, &q, "family:a"), -1);
	T_STREQ(f.r.reason, "ATTRIBUTE");
	fx_fini(&f);
}

/* §4.2, A1: an awsvpc task goes only to an instance in a zone of its
 * subnets, else LOCATION, checked after the ENI slot and before the task-ENI
 * capability; a task that is not awsvpc ignores the subnets. */
static void test_location(void)
{
	static const char *const only_b[] = { "us-east-1b" };
	struct fixture f;
	struct place_req q = req_of(0, 10);

	fx_init(&f);
	place_policy_set_zones(&f.p, only_b, 1);
	add_plain(f.cl, "us-east-1a", 2048, 4000);          /* room, wrong zone */
	q.eni = 1;
	T_EQ(fx_place(&f, &q, "family:a"), -1);
	T_STREQ(f.r.reason, "LOCATION");
	q.eni = 0;                                          /* bridge: no subnets */
	T_EQ(fx_place(&f, &q, "family:a"), 0);
	q.eni = 1;
	/* in the zone but without ecs.capability.task-eni: passes LOCATION,
	 * fails the capability (closest, A4) */
	add_no_task_eni(f.cl, "us-east-1b");
	T_EQ(fx_place(&f, &q, "family:a"), -1);
	T_STREQ(f.r.reason, "ATTRIBUTE");
	add_plain(f.cl, "us-east-1b", 2048, 4000);          /* the one candidate */
	T_EQ(fx_place(&f, &q, "family:a"), 2);
	/* its ENI slots taken: it fails RESOURCE:ENI before LOCATION is asked,
	 * and the instance in 1a still fails LOCATION; the closest (A4) is the
	 * one in 1b without the capability (it passed LOCATION) */
	cluster_reserve(f.cl, 2, &q, cluster_group(f.cl, "family:z"));
	cluster_reserve(f.cl, 2, &q, cluster_group(f.cl, "family:z"));
	T_EQ(fx_place(&f, &q, "family:a"), -1);
	T_STREQ(f.r.reason, "ATTRIBUTE");
	/* the copy keeps the zones */
	{
		struct place_policy c;

		place_policy_copy(&c, &f.p);
		T_EQ(c.n_loc_az, 1);
		T_STREQ(c.loc_az[0], "us-east-1b");
		place_policy_free(&c);
	}
	fx_fini(&f);
}

static void test_runtime_platform(void)
{
	struct fixture f;
	struct place_req q = req_of(0, 10);

	fx_init(&f);
	add_typed(f.cl, 0, "us-east-1a", NULL, 0);          /* x86_64 */
	q.cpu_arch = "ARM64";
	T_EQ(fx_place(&f, &q, "family:a"), -1);
	T_STREQ(f.r.reason, "ATTRIBUTE");
	add_typed(f.cl, 4, "us-east-1a", NULL, 0);          /* m6g: arm64, A15 case-insensitive */
	T_EQ(fx_place(&f, &q, "family:a"), 1);
	q.os_family = "WINDOWS_SERVER_2022_FULL";
	T_EQ(fx_place(&f, &q, "family:a"), -1);
	T_STREQ(f.r.reason, "ATTRIBUTE");
	fx_fini(&f);
}

static void test_gpu(void)
{
	struct fixture f;
	struct place_req q = req_of(0, 10);

	fx_init(&f);
	add_typed(f.cl, 0, "us-east-1a", NULL, 0);
	q.gpus = 1;
	T_EQ(fx_place(&f, &q, "family:a"), -1);
	T_STREQ(f.r.reason, "RESOURCE:GPU");
	add_typed(f.cl, 5, "us-east-1a", NULL, 0);
	T_EQ(fx_place(&f, &q, "family:a"), 1);
	fx_fini(&f);
}

static void test_agent_draining(void)
{
	struct fixture f;
	struct place_req q = req_of(0, 10);

	fx_init(&f);
	add_plain(f.cl, "us-east-1a", 2048, 4000);
	cluster_set_agent_connected(f.cl, 0, 0);
	T_EQ(fx_place(&f, &q, "family:a"), -1);
	T_STREQ(f.r.reason, "AGENT");
	T_EQ(f.r.considered, 1);
	cluster_set_status(f.cl, 0, INST_DRAINING);         /* D6: not considered at all */
	T_EQ(fx_place(&f, &q, "family:a"), -1);
	T_STREQ(f.r.reason, "NO_INSTANCES");
	T_EQ(f.r.considered, 0);
	cluster_set_agent_connected(f.cl, 0, 1);
	cluster_set_status(f.cl, 0, INST_ACTIVE);
	T_EQ(fx_place(&f, &q, "family:a"), 0);
	fx_fini(&f);
}

static void test_no_instances(void)
{
	struct fixture f;
	struct place_req q = req_of(0, 10);

	fx_init(&f);
	T_EQ(fx_place(&f, &q, "family:a"), -1);
	T_STREQ(f.r.reason, "NO_INSTANCES");
	add_plain(f.cl, "us-east-1a", 2048, 4000);
	cluster_set_status(f.cl, 0, INST_INACTIVE);
	T_EQ(fx_place(&f, &q, "family:a"), -1);
	T_STREQ(f.r.reason, "NO_INSTANCES");
	fx_fini(&f);
}

static void test_closest_reason(void)
{
	struct fixture f;
	struct place_req q = req_of(1024, 2000);

	fx_init(&f);
	add_plain(f.cl, "us-east-1a", 512, 500);            /* fails CPU (and memory): CPU first */
	T_EQ(fx_place(&f, &q, "family:a"), -1);
	T_STREQ(f.r.reason, "RESOURCE:CPU");
	add_plain(f.cl, "us-east-1a", 2048, 500);           /* passes CPU, fails memory */
	T_EQ(fx_place(&f, &q, "family:a"), -1);
	T_STREQ(f.r.reason, "RESOURCE:MEMORY");
	q.eni = 1;
	add_plain(f.cl, "us-east-1a", 2048, 4000);          /* passes more: fails ENI */
	put(&f, 2, 0, 0, "family:z");
	{
		struct place_req e = req_of(0, 0);

		e.eni = 1;
		cluster_reserve(f.cl, 2, &e, cluster_group(f.cl, "family:z"));
		cluster_reserve(f.cl, 2, &e, cluster_group(f.cl, "family:z"));
	}
	T_EQ(fx_place(&f, &q, "family:a"), -1);
	T_STREQ(f.r.reason, "RESOURCE:ENI");
	cluster_set_status(f.cl, 2, INST_DRAINING);         /* A4: only ACTIVE ones */
	T_EQ(fx_place(&f, &q, "family:a"), -1);
	T_STREQ(f.r.reason, "RESOURCE:MEMORY");
	fx_fini(&f);
}

static void test_binpack_least(void)
{
	struct fixture f;
	struct place_req q = req_of(256, 1000);

	fx_init(&f);
	add_plain(f.cl, "us-east-1a", 4096, 8000);
	add_plain(f.cl, "us-east-1a", 1024, 4000);
	add_plain(f.cl, "us-east-1a", 2048, 6000);
	add_plain(f.cl, "us-east-1a", 2048, 900);           /* too small */
	fx_strategies(&f, "[{\"type\":\"binpack\",\"field\":\"memory\"}]");
	T_EQ(fx_place(&f, &q, "family:a"), 1);
	place_policy_free(&f.p);
	fx_strategies(&f, "[{\"type\":\"binpack\",\"field\":\"cpu\"}]");
	T_EQ(fx_place(&f, &q, "family:a"), 1);
	q.cpu_units = 2000;
	T_EQ(fx_place(&f, &q, "family:a"), 2);
	fx_fini(&f);
}

static void test_spread_counts_draining(void)
{
	struct fixture f;
	struct place_req q = req_of(0, 10);

	fx_init(&f);
	add_plain(f.cl, "us-east-1a", 2048, 4000);
	add_plain(f.cl, "us-east-1a", 2048, 4000);
	add_plain(f.cl, "us-east-1b", 2048, 4000);
	put(&f, 0, 0, 10, "service:web");
	put(&f, 0, 0, 10, "service:web");
	put(&f, 2, 0, 10, "service:web");
	cluster_set_status(f.cl, 0, INST_DRAINING);         /* A9: its 2 tasks still count */
	fx_strategies(&f, "[{\"type\":\"spread\",\"field\":\"attribute:ecs.availability-zone\"}]");
	T_EQ(fx_place(&f, &q, "service:web"), 2);
	cluster_set_status(f.cl, 0, INST_INACTIVE);         /* D7: no longer counted */
	T_EQ(fx_place(&f, &q, "service:web"), 1);
	fx_fini(&f);
}

static void test_spread_no_value(void)
{
	struct fixture f;
	struct place_req q = req_of(0, 10);
	struct inst_attr blue = { "stack", "blue" }, null = { "stack", NULL };

	fx_init(&f);
	add_typed(f.cl, 0, "us-east-1a", &blue, 1);
	add_typed(f.cl, 0, "us-east-1a", NULL, 0);
	add_typed(f.cl, 0, "us-east-1a", &null, 1);
	put(&f, 0, 0, 10, "service:web");
	put(&f, 1, 0, 10, "service:web");
	fx_strategies(&f, "[{\"type\":\"spread\",\"field\":\"attribute:stack\"}]");
	/* A10: missing and null are one value with 1 task, like blue: tie, first */
	T_EQ(fx_place(&f, &q, "service:web"), 0);
	put(&f, 0, 0, 10, "service:web");
	T_EQ(fx_place(&f, &q, "service:web"), 1);
	fx_fini(&f);
}

static void test_defaults(void)
{
	struct fixture f;
	struct place_req q = req_of(0, 10);
	int seen[4] = { 0 };

	fx_init(&f);
	f.p.tie_break = PT_RANDOM;
	for (int k = 0; k < 4; k++)
		add_plain(f.cl, k < 2 ? "us-east-1a" : "us-east-1b", 2048, 4000);
	put(&f, 0, 0, 10, "service:web");
	put(&f, 2, 0, 10, "service:web");
	put(&f, 3, 0, 10, "service:web");
	/* D10: a service spreads AZ (a: 1, b: 2) then instanceId: instance 1 */
	T_EQ(fx_place(&f, &q, "service:web"), 1);
	/* RunTask default: random over all candidates */
	for (int k = 0; k < 200; k++) {
		int32_t x = fx_place(&f, &q, "family:web");

		if (x >= 0)
			seen[x]++;
	}
	for (int k = 0; k < 4; k++)
		CU_ASSERT(seen[k] > 20);
	fx_fini(&f);
}

static void test_templates(void)
{
	static const char *const want[][2] = {
		{ "az-balanced-spread", "spread(attribute:ecs.availability-zone)+spread(instanceId)" },
		{ "az-balanced-binpack", "spread(attribute:ecs.availability-zone)+binpack(memory)" },
		{ "binpack", "binpack(memory)" },
		{ "one-task-per-host", "default" },
	};
	struct err e;

	for (size_t k = 0; k < sizeof want / sizeof *want; k++) {
		struct place_policy p;
		char *d;

		place_policy_init(&p);
		err_clear(&e);
		T_EQ(place_template(&p, want[k][0], &e), 0);
		d = place_policy_describe(&p);
		T_STREQ(d, want[k][1]);
		T_EQ(p.n_constraints, k == 3 ? 1 : 0);
		if (k == 3)
			T_EQ(p.constraints[0].type, PC_DISTINCT_INSTANCE);
		free(d);
		place_policy_free(&p);
	}
	{
		struct fixture f;
		struct place_req q = req_of(0, 10);

		fx_init(&f);
		add_plain(f.cl, "us-east-1a", 2048, 4000);
		add_plain(f.cl, "us-east-1a", 2048, 3000);
		CU_ASSERT_EQUAL(place_template(&f.p, "one-task-per-host", &e), 0);
		T_EQ(fx_place(&f, &q, "service:web"), 0);
		put(&f, 0, 0, 10, "service:web");
		T_EQ(fx_place(&f, &q, "service:web"), 1);
		put(&f, 1, 0, 10, "service:web");
		T_EQ(fx_place(&f, &q, "service:web"), -1);
		place_policy_free(&f.p);
		CU_ASSERT_EQUAL(place_template(&f.p, "binpack", &e), 0);
		T_EQ(fx_place(&f, &q, "service:web"), 1);
		fx_fini(&f);
	}
}

static void test_tie_break_first(void)
{
	struct fixture f;
	struct place_req q = req_of(0, 10);

	fx_init(&f);
	for (int k = 0; k < 5; k++)
		add_plain(f.cl, "us-east-1a", 2048, 4000);
	cluster_set_agent_connected(f.cl, 0, 0);
	fx_strategies(&f, "[{\"type\":\"binpack\",\"field\":\"memory\"}]");
	T_EQ(fx_place(&f, &q, "family:a"), 1);
	place_policy_free(&f.p);
	fx_strategies(&f, "[{\"type\":\"random\"}]");
	T_EQ(fx_place(&f, &q, "family:a"), 1);
	fx_fini(&f);
}

/* A11: chi-square over 10 tied instances, 20,000 draws, 9 degrees of
 * freedom: 27.88 is the 0.1% critical value (fixed seed: deterministic). */
static void test_uniform_tie_break(void)
{
	static const char *const chains[] = {
		"[{\"type\":\"binpack\",\"field\":\"memory\"}]",
		"[{\"type\":\"random\"}]",
		"[{\"type\":\"spread\",\"field\":\"attribute:ecs.availability-zone\"},{\"type\":\"spread\",\"field\":\"instanceId\"}]",
	};

	for (size_t c = 0; c < sizeof chains / sizeof *chains; c++) {
		struct fixture f;
		struct place_req q = req_of(0, 10);
		long count[12] = { 0 };
		double chi = 0;
		const int n = 20000;

		fx_init(&f);
		f.p.tie_break = PT_RANDOM;
		for (int k = 0; k < 12; k++)
			add_plain(f.cl, k % 2 ? "us-east-1a" : "us-east-1b", 2048, 4000);
		cluster_set_agent_connected(f.cl, 3, 0);        /* not tied */
		put(&f, 7, 0, 10, "service:other");
		put(&f, 7, 0, 3000, "family:z");                 /* not tied (memory) */
		fx_strategies(&f, chains[c]);
		for (int k = 0; k < n; k++) {
			uint32_t g = cluster_group(f.cl, "service:web");

			CU_ASSERT_EQUAL_FATAL(place_task(f.cl, &q, g, &f.p, f.rng, &f.r), 0);
			count[f.r.instance]++;
		}
		T_EQ(count[3], 0);
		if (c == 0)
			T_EQ(count[7], n);                       /* binpack: the fullest wins */
		else
			for (int k = 0; k < 12; k++)
				if (k != 3 && !(c == 0 && k == 7))
					chi += (count[k] - n / 11.0) * (count[k] - n / 11.0) / (n / 11.0);
		if (c != 0)
			CU_ASSERT(chi < 29.59);                  /* 10 dof, 0.1% */
		fx_fini(&f);
	}
}

/* A binpack run longer than the tie set enumerated at once (A11: more than
 * 8 tied) whose members span several index leaves, in each of 3 AZs: the
 * random tie-break draws every member of the runs and nothing past their
 * ends (the instances with more memory left, or with too little CPU), so
 * the runs' ends are exact; tie-break "first" takes the earliest. */
static void test_long_binpack_run(void)
{
	static const char *const chains[] = {
		"[{\"type\":\"binpack\",\"field\":\"memory\"}]",
		"[{\"type\":\"spread\",\"field\":\"attribute:ecs.availability-zone\"},{\"type\":\"binpack\",\"field\":\"memory\"}]",
	};

	for (size_t c = 0; c < sizeof chains / sizeof *chains; c++) {
		enum { N = 660, DRAWS = 40000 };
		struct fixture f;
		struct place_req q = req_of(256, 1000);
		long *count = calloc(N, sizeof *count);
		int in_run[N], n_run = 0, missed = 0, stray = 0;
		uint32_t g;

		fx_init(&f);
		for (int32_t i = 0; i < N; i++) {
			/* every 11th has more memory left (after the run), every
			 * 13th less memory and no CPU (skipped before it) */
			int more = i % 11 == 5, short_cpu = i % 13 == 7 && !more;

			add_plain(f.cl, azs[i % 3], 2048, more ? 5000 : short_cpu ? 3000 : 4000);
			if (short_cpu)
				put(&f, i, 2048, 0, "family:z");
			in_run[i] = !more && !short_cpu;
			n_run += in_run[i];
		}
		fx_strategies(&f, chains[c]);
		T_EQ(fx_place(&f, &q, "service:web"), 0);        /* first: the earliest */
		f.p.tie_break = PT_RANDOM;
		g = cluster_group(f.cl, "service:web");
		for (int k = 0; k < DRAWS; k++) {
			CU_ASSERT_EQUAL_FATAL(place_task(f.cl, &q, g, &f.p, f.rng, &f.r), 0);
			count[f.r.instance]++;
		}
		for (int32_t i = 0; i < N; i++) {
			missed += in_run[i] && count[i] == 0;
			stray += !in_run[i] && count[i] > 0;
		}
		CU_ASSERT(n_run > 500);
		T_EQ(missed, 0);
		T_EQ(stray, 0);
		free(count);
		fx_fini(&f);
	}
}

/* The index queries placement asks: cluster_spread_attr_find knows only
 * tracked attributes (and interns nothing), cluster_part_lower_first agrees
 * with cluster_part_lower_next (rank and member) in every part and both
 * resource orders, from every amount, for several needs of the other. */
static void test_index_queries(void)
{
	gsl_rng *r = new_rng(99);
	struct cluster *cl = cluster_new();
	uint32_t g = cluster_group(cl, "service:web");
	int a, ok = 1;

	for (int32_t i = 0; i < 2000; i++) {
		int64_t d_mem = 2048 * (1 + (int64_t)gsl_rng_uniform_int(r, 4));   /* (the last argument's first) */
		int64_t d_cpu = 1024 * (1 + (int64_t)gsl_rng_uniform_int(r, 4));

		add_plain(cl, azs[gsl_rng_uniform_int(r, 3)], d_cpu, d_mem);
	}
	for (int k = 0; k < 3000; k++) {
		int32_t i = (int32_t)gsl_rng_uniform_int(r, 2000);
		int64_t d_mem = 256 * (int64_t)gsl_rng_uniform_int(r, 5);     /* (the last argument's first) */
		struct place_req q = req_of(128 * (int64_t)gsl_rng_uniform_int(r, 5), d_mem);

		if (cluster_cpu_remaining(cl, i) >= q.cpu_units && cluster_mem_remaining(cl, i) >= q.mem_mib)
			cluster_reserve(cl, i, &q, g);
	}
	T_EQ(cluster_spread_attr_find(cl, "ecs.availability-zone"), -1);
	a = cluster_spread_attr(cl, "ecs.availability-zone");
	T_EQ(cluster_spread_attr_find(cl, "ecs.availability-zone"), a);
	T_EQ(cluster_spread_attr_find(cl, "ecs.instance-type"), -1);
	T_EQ(cluster_spread_attr_find(cl, "ecs.availability"), -1);
	for (int32_t v = -1; v < cluster_spread_nvalues(cl, a); v++) {
		int aa = v < 0 ? CL_ALL : a;

		for (int k = CL_BY_MEM; k <= CL_BY_CPU; k++)
			for (int64_t other = 0; other <= 8192; other += 1024)
				for (int64_t amount = 0; amount <= 9000; amount += 128) {
					int32_t inst, want_inst, end;
					int32_t want = cluster_part_lower_next(cl, aa, v, (enum cl_key)k, amount, other,
									       &want_inst, &end);
					int32_t got = cluster_part_lower_first(cl, aa, v, (enum cl_key)k, amount, other,
									       &inst);

					ok &= got == want && inst == want_inst;
				}
	}
	CU_ASSERT(ok);
	cluster_free(cl);
	gsl_rng_free(r);
}

/* A policy spreading on attribute "stack", ties to the first. */
static void policy_spread_stack(struct place_policy *p)
{
	struct err e;

	place_policy_init(p);
	p->tie_break = PT_FIRST;
	err_clear(&e);
	CU_ASSERT_EQUAL_FATAL(parse_json_strategies(p, "[{\"type\":\"spread\",\"field\":\"attribute:stack\"}]", &e),
			      0);
}

/* One policy on two clusters (the second made after the first is freed,
 * possibly at its address): the spread attribute is the one of its field on
 * each cluster, though the second tracks another attribute first (the
 * availability zone is its second tracked attribute, the first one's
 * first).  On cluster B, spread over the AZ takes AZ b (no task of the
 * group), the first there being instance 1; spread over "stack" would take
 * instance 2 (green, no task of the group). */
static void test_policy_two_clusters(void)
{
	struct inst_attr blue = { "stack", "blue" }, green = { "stack", "green" };
	struct place_req q = req_of(256, 256);
	struct place_policy by_stack;
	struct fixture f;

	fx_init(&f);
	fx_strategies(&f, "[{\"type\":\"spread\",\"field\":\"attribute:ecs.availability-zone\"}]");
	add_typed(f.cl, 0, "us-east-1a", &blue, 1);
	add_typed(f.cl, 0, "us-east-1b", &green, 1);
	put(&f, 0, 0, 10, "service:web");
	T_EQ(fx_place(&f, &q, "service:web"), 1);
	cluster_free(f.cl);

	f.cl = cluster_new();
	add_typed(f.cl, 0, "us-east-1a", &blue, 1);
	add_typed(f.cl, 0, "us-east-1b", &blue, 1);
	add_typed(f.cl, 0, "us-east-1b", &green, 1);
	policy_spread_stack(&by_stack);
	CU_ASSERT_EQUAL(place_task(f.cl, &q, cluster_group(f.cl, "service:other"), &by_stack, f.rng, &f.r), 0);
	put(&f, 0, 0, 10, "service:web");
	T_EQ(fx_place(&f, &q, "service:web"), 1);
	/* the other policy on this cluster still spreads over its own field */
	CU_ASSERT_EQUAL(place_task(f.cl, &q, cluster_group(f.cl, "service:web"), &by_stack, f.rng, &f.r), 0);
	T_EQ(f.r.instance, 2);
	place_policy_free(&by_stack);
	fx_fini(&f);
}

/* An instance of AZ `az` with the attribute stack = `stack`, 2048 CPU
 * units and `mem` MiB. */
static int32_t add_stacked(struct cluster *cl, const char *az, const char *stack, int64_t mem)
{
	struct inst_attr a[2] = { { "ecs.capability.task-eni", NULL }, { "stack", stack } };

	return add_m5(cl, az, 2048, mem, a, 2);
}

/* The az-balanced-binpack chain keeps what it prepared as one memo per
 * cluster (place_task's short path for a plain request): the policy
 * places on a first cluster, where the AZ is the first attribute tracked,
 * then on a second one, where another policy tracked `stack` first.  There
 * it must spread over the AZs (a: 1 task, b: none; in b the least memory
 * left wins: instance 1), not over the attribute the first cluster's
 * number names here (stack: green has no task, instance 2). */
static void test_az_binpack_two_clusters(void)
{
	struct place_req q = req_of(256, 256);
	struct place_policy by_stack;
	struct fixture f;

	fx_init(&f);
	fx_strategies(&f, "[{\"type\":\"spread\",\"field\":\"attribute:ecs.availability-zone\"},"
		      "{\"type\":\"binpack\",\"field\":\"memory\"}]");
	add_stacked(f.cl, "us-east-1a", "blue", 4000);
	add_stacked(f.cl, "us-east-1b", "blue", 2000);
	put(&f, 0, 0, 10, "service:web");
	T_EQ(fx_place(&f, &q, "service:web"), 1);
	put(&f, 1, 0, 10, "service:web");
	/* (the same policy again on this cluster: the short path; a tie of
	 * AZs, the least memory left of both wins) */
	T_EQ(fx_place(&f, &q, "service:web"), 1);
	cluster_free(f.cl);

	f.cl = cluster_new();
	add_stacked(f.cl, "us-east-1a", "blue", 4000);
	add_stacked(f.cl, "us-east-1b", "blue", 2000);
	add_stacked(f.cl, "us-east-1b", "green", 4000);
	policy_spread_stack(&by_stack);
	CU_ASSERT_EQUAL(place_task(f.cl, &q, cluster_group(f.cl, "service:other"), &by_stack, f.rng, &f.r), 0);
	put(&f, 0, 0, 10, "service:web");
	T_EQ(fx_place(&f, &q, "service:web"), 1);
	T_EQ(fx_place(&f, &q, "service:web"), 1);
	place_policy_free(&by_stack);
	fx_fini(&f);
}

/* Spread over an attribute with more values than place_task's short path
 * reads at once (16), then binpack: the general search answers, each
 * placement as the oracle's (the short path says it cannot: a task is
 * placed, on the emptiest value's fullest instance). */
static void test_spread_many_values_binpack(void)
{
	struct place_req q = req_of(256, 256);
	struct fixture f;

	fx_init(&f);
	fx_strategies(&f, "[{\"type\":\"spread\",\"field\":\"attribute:stack\"},"
		      "{\"type\":\"binpack\",\"field\":\"memory\"}]");
	for (int i = 0; i < 40; i++) {
		char v[8];

		snprintf(v, sizeof v, "s%d", i % 20);
		add_stacked(f.cl, i % 2 ? "us-east-1a" : "us-east-1b", v, 1000 + 100 * ((i * 7) % 13));
	}
	for (int t = 0; t < 60; t++) {
		int32_t x = fx_place(&f, &q, "service:web");

		CU_ASSERT_FATAL(x >= 0);
		/* (again: the policy's memo is set now) */
		T_EQ(fx_place(&f, &q, "service:web"), x);
		put(&f, x, 256, 256, "service:web");
	}
	/* nothing has the room: the closest instance's reason (A4) */
	q = req_of(256, 5000);
	T_EQ(fx_place(&f, &q, "service:web"), -1);
	T_STREQ(f.r.reason, "RESOURCE:MEMORY");
	q = req_of(4096, 256);
	T_EQ(fx_place(&f, &q, "service:web"), -1);
	T_STREQ(f.r.reason, "RESOURCE:CPU");
	fx_fini(&f);
}

static CU_TestInfo rule_tests[] = {
	{ "spread AZ then binpack memory (documented example)", test_spread_az_binpack },
	{ "spread AZ then spread instanceId", test_spread_az_instance },
	{ "one default policy for a RunTask group, then a service", test_default_chain_memo },
	{ "one az-balanced-binpack policy on two clusters", test_az_binpack_two_clusters },
	{ "spread over 20 values then binpack", test_spread_many_values_binpack },
	{ "distinctInstance", test_distinct_instance },
	{ "memberOf instance type regex", test_member_of_regex },
	{ "ports conflict and agent-reserved ports", test_ports },
	{ "100 reserved ports over TCP and UDP", test_port_limit },
	{ "UDP and TCP ports apart", test_udp_tcp_apart },
	{ "ENI exhaustion and task-eni attribute", test_eni },
	{ "awsvpc LOCATION: the subnets' zones (§4.2, A1)", test_location },
	{ "runtimePlatform", test_runtime_platform },
	{ "GPU", test_gpu },
	{ "AGENT, DRAINING not considered", test_agent_draining },
	{ "NO_INSTANCES", test_no_instances },
	{ "closest instance reason, CPU before memory", test_closest_reason },
	{ "binpack least remaining", test_binpack_least },
	{ "spread counts DRAINING instances' tasks", test_spread_counts_draining },
	{ "missing attribute is its own value", test_spread_no_value },
	{ "defaults: service and RunTask", test_defaults },
	{ "console templates", test_templates },
	{ "tie-break first", test_tie_break_first },
	{ "tie-break random is uniform", test_uniform_tie_break },
	{ "a long binpack run: every member drawn, none past its end", test_long_binpack_run },
	{ "index queries of placement: attribute lookup, lower bound", test_index_queries },
	{ "one policy on two clusters: each its own spread attribute", test_policy_two_clusters },
	CU_TEST_INFO_NULL,
};

/* ---- bad input, pinned messages ---- */

static void expect_strategy_error(const char *json, const char *want)
{
	struct place_policy p;
	struct err e;
	char buf[2200];

	place_policy_init(&p);
	err_clear(&e);
	T_EQ(parse_json_strategies(&p, json, &e), -1);
	err_format(&e, buf, sizeof buf);
	T_STREQ(buf, want);
	place_policy_free(&p);
}

static void expect_constraint_error(const char *json, const char *want)
{
	struct place_policy p;
	struct err e;
	char buf[2200];

	place_policy_init(&p);
	err_clear(&e);
	T_EQ(parse_json_constraints(&p, json, &e), -1);
	err_format(&e, buf, sizeof buf);
	T_STREQ(buf, want);
	place_policy_free(&p);
}

static void expect_arg_error(const char *arg, const char *want)
{
	struct place_policy p;
	struct err e;
	char buf[2200];

	place_policy_init(&p);
	err_clear(&e);
	T_EQ(place_parse_strategy_arg(&p, arg, &e), -1);
	err_format(&e, buf, sizeof buf);
	T_STREQ(buf, want);
	place_policy_free(&p);
}

static void test_bad_strategies(void)
{
	expect_strategy_error("[{\"type\":\"binpak\",\"field\":\"memory\"}]",
			      "s.json: $.placementStrategy[0].type: unknown placement strategy type 'binpak'; valid: binpack, random, spread");
	expect_strategy_error("[{\"type\":\"random\"},{\"type\":\"binpack\",\"field\":\"CPU\"}]",
			      "s.json: $.placementStrategy[1].field: unknown binpack field 'CPU'; valid: cpu, memory");
	expect_strategy_error("[{\"type\":\"binpack\"}]",
			      "s.json: $.placementStrategy[0]: binpack needs a field: cpu or memory");
	expect_strategy_error("[{\"type\":\"spread\",\"field\":\"az\"}]",
			      "s.json: $.placementStrategy[0].field: unknown spread field 'az'; valid: instanceId, host, attribute:NAME");
	expect_strategy_error("[{\"type\":\"spread\"}]",
			      "s.json: $.placementStrategy[0]: spread needs a field: instanceId, host or attribute:NAME");
	expect_strategy_error("[{\"type\":\"spread\",\"field\":\"attribute:\"}]",
			      "s.json: $.placementStrategy[0].field: bad attribute name in spread field 'attribute:': expected 1-128 letters, digits, '-', '_', '/', '\\' or '.'");
	expect_strategy_error("[{\"type\":\"random\",\"field\":\"memory\"}]",
			      "s.json: $.placementStrategy[0].field: random takes no field, got 'memory'");
	expect_strategy_error("[{\"type\":\"random\"},{\"type\":\"random\"},{\"type\":\"random\"},"
			      "{\"type\":\"random\"},{\"type\":\"random\"},{\"type\":\"random\"}]",
			      "s.json: $.placementStrategy: more than 5 placement strategies");
	expect_strategy_error("[{\"field\":\"memory\"}]",
			      "s.json: $.placementStrategy[0].type: required member is missing");
	expect_strategy_error("[{\"type\":\"binpack\",\"feild\":\"memory\"}]",
			      "s.json: $.placementStrategy[0].feild: unknown member 'feild'");
	expect_strategy_error("{\"type\":\"binpack\"}",
			      "s.json: $.placementStrategy: expected an array of placement strategies, got object");
}

static void test_bad_constraints(void)
{
	char many[1024];
	size_t k = 0;

	expect_constraint_error("[{\"type\":\"distinctInstance\",\"expression\":\"task:group == a\"}]",
				"s.json: $.placementConstraints[0].expression: distinctInstance takes no expression");
	expect_constraint_error("[{\"type\":\"memberOf\"}]",
				"s.json: $.placementConstraints[0]: memberOf needs an expression");
	expect_constraint_error("[{\"type\":\"distinctInstance\"},{\"type\":\"memberOf\",\"expression\":\"attribute:ecs.instance-type ==\"}]",
				"s.json: $.placementConstraints[1].expression: column 31: expected a value after '==', got the end of the expression");
	expect_constraint_error("[{\"type\":\"sameInstance\"}]",
				"s.json: $.placementConstraints[0].type: unknown placement constraint type 'sameInstance'; valid: distinctInstance, memberOf");
	k += (size_t)snprintf(many + k, sizeof many - k, "[");
	for (int j = 0; j < 11; j++)
		k += (size_t)snprintf(many + k, sizeof many - k, "%s{\"type\":\"distinctInstance\"}", j ? "," : "");
	snprintf(many + k, sizeof many - k, "]");
	expect_constraint_error(many,
				"s.json: $.placementConstraints: more than 10 placement constraints (task definition and run time together)");
}

static void test_bad_strategy_arg(void)
{
	struct place_policy p;
	struct err e;
	char *d;

	expect_arg_error("binpak",
			 "--strategy: unknown placement template 'binpak'; valid: az-balanced-spread, az-balanced-binpack, binpack, one-task-per-host");
	expect_arg_error("[{\"type\":\"spread\",\"field\":\"cpu\"}]",
			 "--strategy: $[0].field: unknown spread field 'cpu'; valid: instanceId, host, attribute:NAME");
	place_policy_init(&p);
	err_clear(&e);
	T_EQ(place_parse_strategy_arg(&p, " [{\"type\":\"binpack\",\"field\":\"cpu\"},{\"type\":\"random\"}]", &e), 0);
	d = place_policy_describe(&p);
	T_STREQ(d, "binpack(cpu)+random");
	free(d);
	place_policy_free(&p);
	place_policy_init(&p);
	T_EQ(place_parse_strategy_arg(&p, "az-balanced-binpack", &e), 0);
	T_EQ(p.n_strategies, 2);
	place_policy_free(&p);
	place_policy_init(&p);
	err_clear(&e);
	T_EQ(place_template(&p, "spread", &e), -1);
	T_STREQ(e.msg, "unknown placement template 'spread'; valid: az-balanced-spread, az-balanced-binpack, binpack, one-task-per-host");
	place_policy_free(&p);
}

static void test_copy(void)
{
	struct place_policy p, q;
	struct err e;
	char *a, *b;

	place_policy_init(&p);
	err_clear(&e);
	CU_ASSERT_EQUAL(place_template(&p, "az-balanced-binpack", &e), 0);
	CU_ASSERT_EQUAL(place_add_member_of(&p, "attribute:stack == blue", "f", "$", &e), 0);
	p.tie_break = PT_FIRST;
	place_policy_copy(&q, &p);
	a = place_policy_describe(&p);
	b = place_policy_describe(&q);
	T_STREQ(a, b);
	T_EQ(q.n_constraints, 1);
	CU_ASSERT_PTR_NOT_NULL(q.constraints[0].expr);
	T_EQ(q.tie_break, PT_FIRST);
	free(a);
	free(b);
	place_policy_free(&p);
	place_policy_free(&q);
}

static CU_TestInfo parse_tests[] = {
	{ "bad strategies", test_bad_strategies },
	{ "bad constraints", test_bad_constraints },
	{ "--strategy argument", test_bad_strategy_arg },
	{ "copy", test_copy },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ .pName = "property", .pTests = property_tests },
	{ .pName = "rules", .pTests = rule_tests },
	{ .pName = "parse", .pTests = parse_tests },
	CU_SUITE_INFO_NULL,
};
