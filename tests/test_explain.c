/* tests/test_explain.c — `--explain`'s per-instance view of a placement
 * (models/placement/explain.h).
 *
 * Suite "agree": on 3,000 random placements (random clusters, statuses,
 * requirements, constraints, strategy chains, both tie-breaks) the instance
 * the explanation says is chosen is the one place_task then places from the
 * same placement stream (so explaining does not disturb the stream), its
 * tied set is the brute-force oracle's (tests/oracle/), and on failure its
 * reason is the oracle's.  Suite "reasons": hand-made clusters where each
 * instance fails a known check — every check of the filter (status, agent,
 * CPU, memory, ports, ENI, task-ENI capability, GPU, platform, each
 * constraint) appears with its reason code, and candidates are beaten at the
 * right step of the chain.  Suite "log": explain.csv's header and rows.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <gsl/gsl_rng.h>

#include "models/cluster.h"
#include "models/placement/explain.h"
#include "models/placement/placement.h"
#include "sim/err.h"
#include "tests/helpers/tutil.h"
#include "tests/oracle/oracle.h"

static const char *const azs[] = { "us-east-1a", "us-east-1b", "us-east-1c" };

static gsl_rng *new_rng(unsigned long seed)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	gsl_rng_set(r, seed);
	return r;
}

static unsigned long pick(gsl_rng *r, unsigned long n)
{
	return gsl_rng_uniform_int(r, n);
}

/* An instance; attrs may add custom attributes.  task_eni: whether it has
 * ecs.capability.task-eni. */
static int32_t add(struct cluster *cl, const char *az, int64_t cpu, int64_t mem, int64_t gpus,
		   const char *arch, int eni_tasks, int task_eni, const char *stack)
{
	struct inst_attr a[2];
	struct instance_spec s;
	int n = 0;

	memset(&s, 0, sizeof s);
	s.instance_type = strcmp(arch, "arm64") == 0 ? "m6g.large" : "m5.large";
	s.az = az;
	s.os_type = "linux";
	s.os_family = "LINUX";
	s.cpu_arch = arch;
	s.ami_id = "ami-1";
	s.cpu_units = cpu;
	s.mem_mib = mem;
	s.gpus = gpus;
	s.eni_tasks = eni_tasks;
	if (task_eni) {
		a[n].name = "ecs.capability.task-eni";
		a[n++].value = NULL;
	}
	if (stack) {
		a[n].name = "stack";
		a[n++].value = stack;
	}
	s.attrs = a;
	s.n_attrs = n;
	return cluster_add(cl, &s);
}

static const uint16_t p80[] = { 80 }, p53[] = { 53 };

static const char *const exprs[] = {
	"attribute:stack == blue", "attribute:stack exists", "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]",
	"runningTasksCount < 2", "not(attribute:ecs.cpu-architecture == arm64)", "task:group == service:web",
};
static const char *const chains[] = {
	"[]", "[{\"type\":\"binpack\",\"field\":\"memory\"}]", "[{\"type\":\"binpack\",\"field\":\"cpu\"}]",
	"[{\"type\":\"spread\",\"field\":\"attribute:ecs.availability-zone\"},{\"type\":\"binpack\",\"field\":\"memory\"}]",
	"[{\"type\":\"spread\",\"field\":\"instanceId\"}]", "[{\"type\":\"random\"}]",
	"[{\"type\":\"spread\",\"field\":\"attribute:stack\"},{\"type\":\"spread\",\"field\":\"instanceId\"},{\"type\":\"binpack\",\"field\":\"cpu\"}]",
	"[{\"type\":\"random\"},{\"type\":\"binpack\",\"field\":\"memory\"}]",
};
static const char *const groups[] = { "service:web", "family:batch", "family:x" };

static void random_req(gsl_rng *r, struct place_req *q)
{
	static const int64_t cpus[] = { 0, 256, 512, 1024, 2048 };
	static const int64_t mems[] = { 128, 512, 1024, 2048, 4096 };

	memset(q, 0, sizeof *q);
	q->cpu_units = cpus[pick(r, 5)];
	q->mem_mib = mems[pick(r, 5)];
	q->eni = pick(r, 6) == 0;
	if (!q->eni && pick(r, 4) == 0) {
		q->ports_tcp = p80;
		q->n_ports_tcp = 1;
	}
	if (!q->eni && pick(r, 6) == 0) {
		q->ports_udp = p53;
		q->n_ports_udp = 1;
	}
	q->gpus = pick(r, 10) == 0;
	if (pick(r, 8) == 0)
		q->cpu_arch = pick(r, 2) ? "ARM64" : "x86_64";
}

static void random_policy(gsl_rng *r, struct place_policy *p)
{
	struct err e;

	place_policy_init(p);
	CU_ASSERT_EQUAL_FATAL(place_parse_strategy_arg(p, chains[pick(r, sizeof chains / sizeof *chains)], &e), 0);
	for (int k = 0, n = (int)pick(r, 3); k < n; k++)
		CU_ASSERT_EQUAL_FATAL(place_add_member_of(p, exprs[pick(r, sizeof exprs / sizeof *exprs)], "t", "$", &e), 0);
	if (pick(r, 4) == 0) {
		/* distinctInstance through the one-task-per-host template's constraint */
		struct place_policy t;

		place_policy_init(&t);
		CU_ASSERT_EQUAL_FATAL(place_template(&t, "one-task-per-host", &e), 0);
		if (p->n_constraints < PLACE_MAX_CONSTRAINTS)
			p->constraints[p->n_constraints++] = t.constraints[0];
	}
	p->tie_break = pick(r, 2) ? PT_FIRST : PT_RANDOM;
}

static void random_cluster(gsl_rng *r, struct cluster *cl)
{
	static const char *const stacks[] = { NULL, "blue", "green" };
	int n = 1 + (int)pick(r, 25);

	for (int i = 0; i < n; i++) {
		/* (draws in arguments made one by one, the last argument's
		 * first: an argument list's order is the compiler's, and these
		 * cases were made by GCC's, right to left) */
		const char *d_st = stacks[pick(r, 3)];
		int d_teni = pick(r, 5) != 0, d_enis = (int)pick(r, 3);
		const char *d_arch = pick(r, 5) == 0 ? "arm64" : "x86_64";
		int64_t d_gpu = (int64_t)(pick(r, 5) == 0), d_mem = 2048 * (1 + (int64_t)pick(r, 4));
		int64_t d_cpu = 1024 * (1 + (int64_t)pick(r, 4));
		int32_t x = add(cl, azs[pick(r, 3)], d_cpu, d_mem, d_gpu, d_arch, d_enis, d_teni, d_st);

		switch (pick(r, 10)) {
		case 0:
			cluster_set_status(cl, x, INST_DRAINING);
			break;
		case 1:
			cluster_set_agent_connected(cl, x, 0);
			break;
		case 2:
			cluster_set_status(cl, x, INST_INACTIVE);
			break;
		default:
			break;
		}
	}
}

static void test_agree(void)
{
	gsl_rng *r = new_rng(777);
	int cases = 0, bad = 0, placed = 0, failed = 0, ties = 0;

	while (cases < 3000) {
		struct cluster *cl = cluster_new();
		uint32_t gid[3];

		random_cluster(r, cl);
		for (int k = 0; k < 3; k++)
			gid[k] = cluster_group(cl, groups[k]);
		for (int s = 0; s < 20; s++, cases++) {
			struct place_policy p;
			struct place_req q;
			struct explanation x;
			struct place_result res;
			struct oracle_result o;
			uint32_t g = gid[pick(r, 3)];
			int fx, fp, of, same_tied = 1, n_tied = 0;

			random_policy(r, &p);
			random_req(r, &q);
			fx = place_explain(cl, &q, g, &p, r, &x);
			fp = place_task(cl, &q, g, &p, r, &res);
			of = oracle_place(cl, &q, g, &p, &o);
			for (int32_t i = 0; i < x.n_inst; i++) {
				int in_oracle = 0;

				for (int k = 0; k < o.n_tied; k++)
					in_oracle |= o.tied[k] == i;
				if (x.inst[i].outcome == EX_TIED || x.inst[i].outcome == EX_CHOSEN) {
					n_tied++;
					same_tied &= in_oracle;
				} else {
					same_tied &= !in_oracle;
				}
				/* the filter's verdict: a check failed iff not a candidate */
				if ((x.inst[i].check != NULL) != (x.inst[i].outcome == EX_FILTERED))
					same_tied = 0;
			}
			if (fx != fp || fx != of || x.chosen != res.instance || !x.agrees || !same_tied ||
			    n_tied != o.n_tied || x.n_tied != o.n_tied ||
			    (fx && (strcmp(x.reason, res.reason) != 0 || strcmp(x.reason, o.reason) != 0)) ||
			    (!fx && p.tie_break == PT_FIRST && x.chosen != o.tied[0])) {
				if (bad++ < 5)
					fprintf(stderr, "\nexplain mismatch: chain %s: explain %d (%s) place %d (%s) oracle %s\n",
						x.chain, x.chosen, x.reason ? x.reason : "ok", res.instance,
						res.reason ? res.reason : "ok", of ? o.reason : "ok");
			}
			if (fx == 0) {
				placed++;
				ties += x.n_tied > 1;
				if (pick(r, 2))
					cluster_reserve(cl, res.instance, &q, g);
			} else {
				failed++;
			}
			explanation_free(&x);
			oracle_result_free(&o);
			place_policy_free(&p);
		}
		cluster_free(cl);
	}
	T_EQ(bad, 0);
	/* the cases exercise both outcomes and real ties */
	CU_ASSERT(placed > 500);
	CU_ASSERT(failed > 200);
	CU_ASSERT(ties > 200);
	gsl_rng_free(r);
}

static CU_TestInfo agree_tests[] = {
	{ "explain's choice is the real decision on 3,000 random placements", test_agree },
	CU_TEST_INFO_NULL,
};

/* ---- every reason, by hand ---- */

static void test_every_check(void)
{
	struct cluster *cl = cluster_new();
	uint32_t g = cluster_group(cl, "family:web"), other = cluster_group(cl, "family:db");
	struct place_policy p;
	struct place_req q, big = { 0 };
	struct explanation x;
	struct err e;
	uint16_t ports_tcp[] = { 80 };
	int32_t i_drain, i_agent, i_cpu, i_mem, i_port, i_eni, i_cap, i_gpu, i_arch, i_distinct,
		i_member, i_ok1, i_ok2;
	i_drain = add(cl, azs[0], 2048, 8192, 1, "x86_64", 2, 1, "blue");
	i_agent = add(cl, azs[0], 2048, 8192, 1, "x86_64", 2, 1, "blue");
	i_cpu = add(cl, azs[0], 256, 8192, 1, "x86_64", 2, 1, "blue");
	i_mem = add(cl, azs[0], 2048, 256, 1, "x86_64", 2, 1, "blue");
	i_port = add(cl, azs[0], 2048, 8192, 1, "x86_64", 2, 1, "blue");
	i_eni = add(cl, azs[0], 2048, 8192, 1, "x86_64", 0, 1, "blue");
	i_cap = add(cl, azs[0], 2048, 8192, 1, "x86_64", 2, 0, "blue");
	i_gpu = add(cl, azs[0], 2048, 8192, 0, "x86_64", 2, 1, "blue");
	i_arch = add(cl, azs[0], 2048, 8192, 1, "arm64", 2, 1, "blue");
	i_distinct = add(cl, azs[0], 2048, 8192, 1, "x86_64", 2, 1, "blue");
	i_member = add(cl, azs[0], 2048, 8192, 1, "x86_64", 2, 1, "green");
	i_ok1 = add(cl, azs[1], 2048, 8192, 1, "x86_64", 2, 1, "blue");
	i_ok2 = add(cl, azs[1], 4096, 16384, 1, "x86_64", 2, 1, "blue");
	cluster_set_status(cl, i_drain, INST_DRAINING);
	cluster_set_agent_connected(cl, i_agent, 0);
	/* host port 80 taken on i_port by a task of another group */
	big.cpu_units = 1;
	big.mem_mib = 1;
	big.ports_tcp = ports_tcp;
	big.n_ports_tcp = 1;
	cluster_reserve(cl, i_port, &big, other);
	/* a task of the group on i_distinct: distinctInstance rules it out */
	memset(&big, 0, sizeof big);
	big.cpu_units = 1;
	big.mem_mib = 1;
	cluster_reserve(cl, i_distinct, &big, g);

	/* an awsvpc task can't ask for host ports in this model's requests;
	 * the ENI checks are looked at with a second request below */
	memset(&q, 0, sizeof q);
	q.cpu_units = 512;
	q.mem_mib = 1024;
	q.ports_tcp = ports_tcp;
	q.n_ports_tcp = 1;
	q.gpus = 1;
	q.cpu_arch = "x86_64";
	place_policy_init(&p);
	p.tie_break = PT_FIRST;
	CU_ASSERT_EQUAL_FATAL(place_parse_strategy_arg(&p, "binpack", &e), 0);
	CU_ASSERT_EQUAL_FATAL(place_template(&p, "one-task-per-host", &e), 0);   /* adds distinctInstance */
	CU_ASSERT_EQUAL_FATAL(place_add_member_of(&p, "attribute:stack == blue", "t", "$", &e), 0);

	T_EQ(place_explain(cl, &q, g, &p, NULL, &x), 0);
	T_EQ(x.agrees, 1);
	T_STREQ(x.inst[i_drain].check, "status");
	T_STREQ(x.inst[i_drain].reason, "STATUS:DRAINING");
	T_STREQ(x.inst[i_agent].check, "agent");
	T_STREQ(x.inst[i_agent].reason, "AGENT");
	T_STREQ(x.inst[i_cpu].check, "cpu");
	T_STREQ(x.inst[i_cpu].reason, "RESOURCE:CPU");
	T_STREQ(x.inst[i_cpu].detail, "needs 512 CPU units; 256 left");
	T_STREQ(x.inst[i_mem].check, "memory");
	T_STREQ(x.inst[i_mem].reason, "RESOURCE:MEMORY");
	T_STREQ(x.inst[i_mem].detail, "needs 1024 MiB; 256 MiB left");
	T_STREQ(x.inst[i_port].check, "ports");
	T_STREQ(x.inst[i_port].reason, "RESOURCE:PORTS");
	T_STREQ(x.inst[i_port].detail, "host port 80/tcp already reserved");
	T_STREQ(x.inst[i_gpu].check, "gpu");
	T_STREQ(x.inst[i_gpu].reason, "RESOURCE:GPU");
	T_STREQ(x.inst[i_arch].check, "platform");
	T_STREQ(x.inst[i_arch].reason, "ATTRIBUTE");
	T_STREQ(x.inst[i_distinct].check, "constraint1");
	T_STREQ(x.inst[i_distinct].reason, "FAIL:DistinctInstance placement constraint unsatisfied.");
	T_STREQ(x.inst[i_member].check, "constraint2");
	T_STREQ(x.inst[i_member].reason, "FAIL:MemberOf placement constraint unsatisfied.");
	T_STREQ(x.inst[i_member].detail, "memberOf false: attribute:stack == blue");
	/* no ENI needed: the ENI instances pass; binpack(memory) keeps the
	 * fullest: the 8 GiB ones (key 8192 - 1024), the 16 GiB one is beaten */
	T_EQ(x.inst[i_eni].outcome, EX_CHOSEN);
	T_EQ(x.inst[i_cap].outcome, EX_TIED);
	T_EQ(x.inst[i_ok1].outcome, EX_TIED);
	T_EQ(x.inst[i_ok2].outcome, EX_BEATEN);
	T_EQ(x.inst[i_ok2].survived, 0);
	T_EQ(x.inst[i_ok2].keys[0], 16384 - 1024);
	T_EQ(x.inst[i_ok1].keys[0], 8192 - 1024);
	T_EQ(x.n_candidates, 4);
	T_EQ(x.n_tied, 3);
	/* tie-break first: the earliest registered of the tied */
	T_EQ(x.chosen, i_eni);
	T_EQ(x.inst[i_eni].outcome, EX_CHOSEN);
	T_STREQ(x.chain, "binpack(memory)");
	explanation_free(&x);

	/* awsvpc: the ENI checks */
	q.ports_tcp = NULL;
	q.n_ports_tcp = 0;
	q.eni = 1;
	T_EQ(place_explain(cl, &q, g, &p, NULL, &x), 0);
	T_STREQ(x.inst[i_eni].check, "eni");
	T_STREQ(x.inst[i_eni].reason, "RESOURCE:ENI");
	T_STREQ(x.inst[i_cap].check, "eni-capability");
	T_STREQ(x.inst[i_cap].reason, "ATTRIBUTE");
	T_EQ(x.chosen, i_port);           /* port 80 no longer matters */
	explanation_free(&x);

	/* nothing fits: the reason is the closest instance's (docs/ecs-model.md
	 * choice A4): with a third constraint no instance has, the former
	 * candidates fail it last; the explanation agrees with the engine */
	q.eni = 0;
	CU_ASSERT_EQUAL_FATAL(place_add_member_of(&p, "attribute:stack == purple", "t", "$", &e), 0);
	T_EQ(place_explain(cl, &q, g, &p, NULL, &x), 1);
	T_EQ(x.chosen, -1);
	T_EQ(x.agrees, 1);
	T_STREQ(x.reason, "FAIL:MemberOf placement constraint unsatisfied.");
	T_EQ(x.inst[i_ok2].outcome, EX_FILTERED);
	T_STREQ(x.inst[i_ok2].check, "constraint3");
	T_STREQ(x.inst[i_member].check, "constraint2");
	explanation_free(&x);
	place_policy_free(&p);
	cluster_free(cl);
}

/* A chain of two: beaten at step 2 vs step 1, and the default chain of a
 * service group (spread AZ then instanceId). */
static void test_chain_steps(void)
{
	struct cluster *cl = cluster_new();
	uint32_t g = cluster_group(cl, "service:web");
	struct place_policy p;
	struct place_req q = { 0 }, one = { 0 };
	struct explanation x;
	int32_t a1, a2, b1;
	gsl_rng *r = new_rng(5);

	a1 = add(cl, azs[0], 2048, 8192, 0, "x86_64", 2, 1, NULL);
	a2 = add(cl, azs[0], 2048, 8192, 0, "x86_64", 2, 1, NULL);
	b1 = add(cl, azs[1], 2048, 8192, 0, "x86_64", 2, 1, NULL);
	one.cpu_units = 1;
	one.mem_mib = 1;
	cluster_reserve(cl, a1, &one, g);
	q.cpu_units = 256;
	q.mem_mib = 512;
	place_policy_init(&p);
	T_EQ(place_explain(cl, &q, g, &p, r, &x), 0);
	T_STREQ(x.chain, "spread(attribute:ecs.availability-zone)+spread(instanceId)");
	/* AZ a holds one task of the group, AZ b none: both a's lose at step 1 */
	T_EQ(x.inst[a1].outcome, EX_BEATEN);
	T_EQ(x.inst[a1].survived, 0);
	T_EQ(x.inst[a1].keys[0], 1);
	T_EQ(x.inst[a2].outcome, EX_BEATEN);
	T_EQ(x.inst[b1].outcome, EX_CHOSEN);
	T_EQ(x.inst[b1].survived, 2);
	T_EQ(x.n_tied, 1);
	explanation_free(&x);
	/* fill AZ b with two: AZ a (1 task) wins step 1, a2 (0 on it) step 2 */
	cluster_reserve(cl, b1, &one, g);
	cluster_reserve(cl, b1, &one, g);
	T_EQ(place_explain(cl, &q, g, &p, r, &x), 0);
	T_EQ(x.inst[b1].outcome, EX_BEATEN);
	T_EQ(x.inst[b1].survived, 0);
	T_EQ(x.inst[a1].outcome, EX_BEATEN);
	T_EQ(x.inst[a1].survived, 1);
	T_STREQ(x.inst[a1].detail, "beaten at step 2 spread(instanceId): key 1 > best 0");
	T_EQ(x.chosen, a2);
	explanation_free(&x);
	place_policy_free(&p);
	gsl_rng_free(r);
	cluster_free(cl);
}

static CU_TestInfo reason_tests[] = {
	{ "every check of the filter with its reason", test_every_check },
	{ "the step of the chain that beat a candidate", test_chain_steps },
	CU_TEST_INFO_NULL,
};

/* ---- the log ---- */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	s = calloc(1, (size_t)n + 1);
	if (fread(s, 1, (size_t)n, f) != (size_t)n)
		s[0] = '\0';
	fclose(f);
	return s;
}

static void test_log(void)
{
	char dir[] = "/tmp/ecsim-explain-XXXXXX", path[600];
	struct cluster *cl = cluster_new();
	uint32_t g = cluster_group(cl, "family:batch");
	struct explain_log *l;
	struct place_policy p;
	struct place_req q = { 0 };
	struct place_result res;
	gsl_rng *r = new_rng(1);
	struct err e;
	char *text;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	add(cl, azs[0], 1024, 2048, 0, "x86_64", 2, 1, NULL);
	add(cl, azs[1], 2048, 4096, 0, "x86_64", 2, 1, NULL);
	q.cpu_units = 2048;
	q.mem_mib = 1024;
	place_policy_init(&p);
	p.tie_break = PT_FIRST;
	l = explain_log_new(dir);
	explain_log_add_id(l, "t-1");
	explain_log_add_id(l, "never");
	T_EQ(explain_log_wants(l, "t-1"), 1);
	T_EQ(explain_log_wants(l, "t-2"), 0);
	explain_log_before(l, "t-1", "", 1500, cl, &q, g, &p, r);
	place_task(cl, &q, g, &p, r, &res);
	explain_log_after(l, &res);
	T_EQ(explain_log_disagreements(l), 0);
	err_clear(&e);
	T_EQ(explain_log_close(l, &e), 0);
	T_STREQ(explain_log_unmatched(l, 0), "never");
	CU_ASSERT_PTR_NULL(explain_log_unmatched(l, 1));
	snprintf(path, sizeof path, "%s/explain.csv", dir);
	text = slurp(path);
	T_STREQ(text,
		"task_id,attempt,time_s,service,group,strategy,tie_break,result,instance_id,instance_type,az,status,check,reason,key1,key2,key3,key4,key5,survived,outcome,detail\n"
		"t-1,1,1.500,,family:batch,random,first,ci-1,ci-0,m5.large,us-east-1a,ACTIVE,cpu,RESOURCE:CPU,,,,,,,filtered,needs 2048 CPU units; 1024 left\n"
		"t-1,1,1.500,,family:batch,random,first,ci-1,ci-1,m5.large,us-east-1b,ACTIVE,,,0,,,,,1,chosen,\"chosen: best at every step, alone\"\n");
	free(text);
	remove(path);
	rmdir(dir);
	explain_log_free(l);
	place_policy_free(&p);
	gsl_rng_free(r);
	cluster_free(cl);
}

static CU_TestInfo log_tests[] = {
	{ "explain.csv rows and unmatched ids", test_log },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ .pName = "agree", .pTests = agree_tests },
	{ .pName = "reasons", .pTests = reason_tests },
	{ .pName = "log", .pTests = log_tests },
	CU_SUITE_INFO_NULL,
};
