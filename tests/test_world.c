/* tests/test_world.c — the catalog, the scenario loader, the backplane and
 * metrics, end to end on small scenarios written to a temporary folder:
 * exact resource accounting, PENDING and retry, pending timeout, StopTask,
 * generator streams, determinism. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/tutil.h"
#include "models/backplane.h"
#include "models/catalog.h"
#include "models/metrics.h"
#include "models/scenario.h"
#include "sim/csvin.h"
#include "sim/rng.h"
#include "sim/sim.h"

/* The shared runner (tests/helpers/runscn.h) under this file's names. */
#define setup rs_setup
#define teardown rs_teardown
#define tmpdir rs_dir()
#define write_file rs_write
#define run(name, tag, strategy) rs_run(name, tag, strategy, NULL, NULL)
#define cell rs_cell
#define rows rs_rows
#define CELL_IS RS_IS

/* A task needing 1024 CPU units and 3000 MiB, lasting as the trace says. */
static const char *big_td =
	"{\"family\":\"big\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\","
	"\"cpu\":1024,\"memory\":3000}]}";

static void test_catalog(void)
{
	struct err e;
	struct catalog *c = catalog_builtin(&e);
	const struct catalog_type *t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT(catalog_count(c) >= 20);
	t = catalog_find(c, "m5.large");
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	T_EQ(t->vcpu, 2);
	T_EQ(t->mem_mib, 8192);
	T_EQ(t->max_enis, 3);
	T_EQ(t->trunk_tasks, 10);
	t = catalog_find(c, "r5.4xlarge");
	T_EQ(t->mem_mib, 128 * 1024);
	t = catalog_find(c, "m6g.xlarge");
	T_STREQ(t->arch, "arm64");
	t = catalog_find(c, "t3.medium");
	T_EQ(t->trunk_tasks, 0);
	T_EQ(t->mem_mib, 4096);
	CU_ASSERT_PTR_NOT_NULL(catalog_find(c, "c5.4xlarge"));
	CU_ASSERT_PTR_NULL(catalog_find(c, "m5.huge"));
	catalog_free(c);
}

static void test_registered_resources(void)
{
	struct err e;
	struct scenario *s;
	struct instance_spec spec;
	struct inst_attr scratch[64];
	struct scn_instance_settings st;

	write_file("reg.json",
		   "{\"durationSeconds\":10,\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		   "\"instanceDefaults\":{\"reservedMemoryMiB\":256}}");
	{
		char p[400];

		snprintf(p, sizeof p, "%s/reg.json", tmpdir);
		s = scenario_load(p, &e);
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	scenario_instance_spec(s, catalog_find(s->catalog, "m5.large"), "us-east-1a", NULL, 0,
			       NULL, &spec, scratch);
	/* docs/ecs-model.md §2.1: CPU = vCPU × 1024; memory = floor(8192 × 0.975) − 256 */
	T_EQ(spec.cpu_units, 2048);
	T_EQ(spec.mem_mib, 7987 - 256);
	T_EQ(spec.eni_tasks, 2);                  /* D4: max ENIs − 1 */
	T_STREQ(spec.os_type, "linux");
	T_STREQ(spec.cpu_arch, "x86_64");
	st = s->defaults;
	st.trunking = 1;
	scenario_instance_spec(s, catalog_find(s->catalog, "m5.large"), "us-east-1a", NULL, 0,
			       &st, &spec, scratch);
	T_EQ(spec.eni_tasks, 10);                 /* trunking table */
	scenario_instance_spec(s, catalog_find(s->catalog, "t3.large"), "us-east-1a", NULL, 0,
			       &st, &spec, scratch);
	T_EQ(spec.eni_tasks, 2);                  /* t3: trunking not supported */
	scenario_free(s);
}

/* Every latency zero: placement and lifecycle happen at the instant of the
 * call, so the accounting can be checked to the millisecond. */
#define NO_LATENCY "\"controlPlane\":{\"placementLatencySeconds\":0,\"apiLatencySeconds\":0}," \
	"\"agent\":{\"networkDelaySeconds\":0,\"imagePullSeconds\":0,\"imagePullCachedSeconds\":0," \
	"\"containerStartSeconds\":0,\"shutdownSeconds\":0},"

static const char *one_instance =
	"{\"name\":\"acct\",\"durationSeconds\":1000,\"metricsIntervalSeconds\":100," NO_LATENCY
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
	"\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\"}],"
	"\"taskDefinitions\":{\"big\":\"big.json\"},"
	"%s"
	"\"workload\":{\"traces\":[\"acct.csv\"]}}";

/* One m5.large: 2048 CPU units, 7987 MiB.  Three tasks of 1024 units /
 * 3000 MiB: two fit (CPU and memory both), the third waits PENDING until
 * the first ends at t=100, then runs from 100. */
static void test_accounting_and_retry(void)
{
	char json[2000];

	snprintf(json, sizeof json, one_instance, "");
	write_file("big.json", big_td);
	write_file("acct.json", json);
	write_file("acct.csv",
		   "time_s,event,target,taskdef,count,duration_s,group\n"
		   "0,run_task,first,big,1,100,\n"
		   "0,run_task,second,big,1,500,\n"
		   "10,run_task,third,big,1,50,\n");
	CU_ASSERT_EQUAL_FATAL(run("acct.json", "acct", NULL), 0);
	/* rows come in stop order: first (100), third (150), second (500) */
	CELL_IS("acct", "tasks.csv", 1, "task_id", "first");
	CELL_IS("acct", "tasks.csv", 1, "stop_s", "100.000");
	CELL_IS("acct", "tasks.csv", 1, "stop_code", "EssentialContainerExited");
	CELL_IS("acct", "tasks.csv", 2, "task_id", "third");
	CELL_IS("acct", "tasks.csv", 2, "submit_s", "10.000");
	CELL_IS("acct", "tasks.csv", 2, "placed_s", "100.000");
	CELL_IS("acct", "tasks.csv", 2, "stop_s", "150.000");
	CELL_IS("acct", "tasks.csv", 2, "cpu", "1024");
	CELL_IS("acct", "tasks.csv", 2, "memory", "3000");
	CELL_IS("acct", "tasks.csv", 3, "task_id", "second");
	/* one failed attempt at t=10, reason CPU (checked before memory, A1) */
	T_EQ(rows("acct", "placement_failures.csv"), 1);
	CELL_IS("acct", "placement_failures.csv", 1, "reason", "RESOURCE:CPU");
	CELL_IS("acct", "placement_failures.csv", 1, "time_s", "10.000");
	CELL_IS("acct", "summary.csv", 1, "tasks_submitted", "3");
	CELL_IS("acct", "summary.csv", 1, "tasks_placed", "3");
	CELL_IS("acct", "summary.csv", 1, "tasks_never_placed", "0");
	CELL_IS("acct", "summary.csv", 1, "failures_resource_cpu", "1");
	CELL_IS("acct", "summary.csv", 1, "peak_instances_used", "1");
	/* pending times 0, 0, 90 s: mean 30 */
	CELL_IS("acct", "summary.csv", 1, "mean_pending_s", "30.000");
	/* CPU reserved: 100% for [0,150) except [100,100]; 50% [150,500); 0 after:
	 * (150×100 + 350×50) / 1000 = 32.5 */
	CELL_IS("acct", "summary.csv", 1, "mean_cpu_reserved_pct", "32.500");
	/* timeseries at t=200: only the second task runs */
	CELL_IS("acct", "timeseries.csv", 2, "time_s", "100.000");
	CELL_IS("acct", "timeseries.csv", 3, "time_s", "200.000");
	CELL_IS("acct", "timeseries.csv", 3, "cpu_reserved_pct", "50.000");
	CELL_IS("acct", "timeseries.csv", 3, "tasks_pending", "0");
	CELL_IS("acct", "timeseries.csv", 11, "time_s", "1000.000");
	CELL_IS("acct", "timeseries.csv", 11, "tasks_running", "0");
}

/* A pending task that times out stops with TaskFailedToStart; one that is
 * stopped while pending is UserInitiated and never placed; a task still
 * running at the end has no stop time. */
static void test_timeout_and_stop(void)
{
	char json[2000];

	snprintf(json, sizeof json, one_instance, "\"pending\":{\"timeoutSeconds\":30},");
	write_file("big.json", big_td);
	write_file("to.json", json);
	write_file("acct.csv",
		   "time_s,event,target,taskdef,count,duration_s,group\n"
		   "0,run_task,a,big,1,,\n"
		   "0,run_task,b,big,1,,\n"
		   "5,run_task,c,big,1,10,\n"
		   "6,run_task,d,big,1,10,\n"
		   "7,stop_task,d,,,,\n"
		   "8,stop_task,nosuch,,,,\n");
	CU_ASSERT_EQUAL_FATAL(run("to.json", "to", NULL), 0);
	CELL_IS("to", "tasks.csv", 1, "task_id", "d");
	CELL_IS("to", "tasks.csv", 1, "stop_code", "UserInitiated");
	CELL_IS("to", "tasks.csv", 1, "placed_s", "");
	CELL_IS("to", "tasks.csv", 2, "task_id", "c");
	CELL_IS("to", "tasks.csv", 2, "stop_s", "35.000");
	CELL_IS("to", "tasks.csv", 2, "stop_code", "TaskFailedToStart");
	CELL_IS("to", "tasks.csv", 3, "task_id", "a");
	CELL_IS("to", "tasks.csv", 3, "stop_s", "");
	CELL_IS("to", "tasks.csv", 3, "stop_code", "");
	CELL_IS("to", "summary.csv", 1, "tasks_never_placed", "2");   /* c timed out, d stopped */
}

static const char *gen_scn =
	"{\"name\":\"gen\",\"seed\":5,\"durationSeconds\":2000,"
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
	"\"instanceGroups\":[{\"instanceType\":\"r5.4xlarge\",\"availabilityZone\":\"us-east-1a\",\"count\":4}],"
	"\"taskDefinitions\":{\"small\":\"small.json\"},"
	"\"workload\":{\"generators\":[%s]}}";
static const char *gen_a =
	"{\"name\":\"a\",\"interArrivalSeconds\":{\"exponential\":{\"mean\":20}},"
	"\"taskDefinitions\":[\"small\"],\"runtimeSeconds\":30,\"maxTasks\":50,\"group\":\"ga\"}";
static const char *gen_b =
	"{\"name\":\"b\",\"interArrivalSeconds\":{\"uniform\":{\"min\":1,\"max\":9}},"
	"\"taskDefinitions\":[\"small\"],\"runtimeSeconds\":{\"exponential\":{\"mean\":60}},\"group\":\"gb\","
	"\"startSeconds\":100,\"stopSeconds\":400,\"count\":2}";

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Submit times of group `g` tasks in out-<tag>/tasks.csv, sorted and
 * concatenated (rows come in stop order, which other tasks can shift:
 * image caches are per instance). */
static char *submits_of(const char *tag, const char *g)
{
	char p[400], *acc = calloc(1, 1);
	size_t len = 0;
	struct err e;
	struct csvin *in;

	snprintf(p, sizeof p, "%s/out-%s/tasks.csv", tmpdir, tag);
	in = csvin_open(p, &e);
	if (!in)
		return acc;
	{
		double *t = NULL;
		size_t n = 0;

		while (csvin_next(in, &e) > 0) {
			if (strcmp(csvin_field(in, csvin_col(in, "group")), g) == 0) {
				t = realloc(t, (n + 1) * sizeof *t);
				t[n++] = strtod(csvin_field(in, csvin_col(in, "submit_s")), NULL);
			}
		}
		qsort(t, n, sizeof *t, cmp_double);
		for (size_t i = 0; i < n; i++) {
			char v[40];

			snprintf(v, sizeof v, "%.3f;", t[i]);
			acc = realloc(acc, len + strlen(v) + 1);
			memcpy(acc + len, v, strlen(v) + 1);
			len += strlen(v);
		}
		free(t);
	}
	csvin_close(in);
	return acc;
}

/* Adding generator b leaves generator a's draws unchanged (named streams);
 * maxTasks, start/stop and count are honoured; same seed ⇒ same bytes. */
static void test_generators(void)
{
	char json[3000], both[1200];
	char *a1, *a2, *b;
	int nb = 0;

	write_file("small.json", "{\"family\":\"small\",\"containerDefinitions\":[{\"name\":\"a\","
				 "\"image\":\"x\",\"cpu\":128,\"memory\":256}]}");
	snprintf(json, sizeof json, gen_scn, gen_a);
	write_file("gen1.json", json);
	snprintf(both, sizeof both, "%s,%s", gen_a, gen_b);
	snprintf(json, sizeof json, gen_scn, both);
	write_file("gen2.json", json);
	CU_ASSERT_EQUAL_FATAL(run("gen1.json", "g1", NULL), 0);
	CU_ASSERT_EQUAL_FATAL(run("gen2.json", "g2", NULL), 0);
	CU_ASSERT_EQUAL_FATAL(run("gen2.json", "g3", NULL), 0);
	a1 = submits_of("g1", "ga");
	a2 = submits_of("g2", "ga");
	b = submits_of("g2", "gb");
	T_STREQ(a1, a2);
	{
		int n = 0;

		for (char *p = a1; *p; p++)
			n += *p == ';';
		T_EQ(n, 50);   /* maxTasks */
	}
	for (char *p = b, *q; *p; p = q + 1) {
		double t = strtod(p, &q);

		if (q == p)
			break;

		CU_ASSERT(t >= 100 && t < 400);
		nb++;
	}
	CU_ASSERT(nb % 2 == 0 && nb >= 2 * 300 / 9 && nb <= 2 * 300 + 2);
	free(a1);
	free(a2);
	free(b);
	{
		char p1[400], p2[400], cmd[2600];

		snprintf(p1, sizeof p1, "%s/out-g2", tmpdir);
		snprintf(p2, sizeof p2, "%s/out-g3", tmpdir);
		snprintf(cmd, sizeof cmd, "cmp -s %s/tasks.csv %s/tasks.csv && cmp -s %s/summary.csv %s/summary.csv"
			 " && cmp -s %s/timeseries.csv %s/timeseries.csv", p1, p2, p1, p2, p1, p2);
		CU_ASSERT_EQUAL(system(cmd), 0);
	}
}

/* No files are left when a run fails half-way (a bad trace row). */
static void test_no_half_written_output(void)
{
	char json[2000], p[400];

	snprintf(json, sizeof json, one_instance, "");
	write_file("big.json", big_td);
	write_file("half.json", json);
	write_file("acct.csv",
		   "time_s,event,target,taskdef,count,duration_s,group\n"
		   "0,run_task,,big,1,100,\n"
		   "50,run_task,,nosuch,1,100,\n");
	CU_ASSERT_NOT_EQUAL(run("half.json", "half", NULL), 0);
	snprintf(p, sizeof p, "%s/out-half/tasks.csv", tmpdir);
	CU_ASSERT_NOT_EQUAL(access(p, F_OK), 0);
	snprintf(p, sizeof p, "%s/out-half/tasks.csv.tmp", tmpdir);
	CU_ASSERT_NOT_EQUAL(access(p, F_OK), 0);
	snprintf(p, sizeof p, "%s/out-half/summary.csv", tmpdir);
	CU_ASSERT_NOT_EQUAL(access(p, F_OK), 0);
}

/* A public trace read directly by the scenario (google2011 schema):
 * machines register, tasks with explicit resources run as synthetic
 * "imported" task definitions, a REMOVE fails the instance. */
static void test_direct_import(void)
{
	char json[4000], cwd[1024];

	CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof cwd));
	snprintf(json, sizeof json,
		 "{\"name\":\"imp\",\"durationSeconds\":100," NO_LATENCY
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"workload\":{\"traces\":[{\"format\":\"google2011\","
		 "\"taskEvents\":\"%s/tests/data/import/google/task_events.csv\","
		 "\"machineEvents\":\"%s/tests/data/import/google/machine_events.csv\"}]}}", cwd, cwd);
	write_file("imp.json", json);
	CU_ASSERT_EQUAL_FATAL(run("imp.json", "imp", NULL), 0);
	CELL_IS("imp", "tasks.csv", 1, "taskdef", "imported");
	CELL_IS("imp", "tasks.csv", 1, "task_id", "g12-3");
	CELL_IS("imp", "tasks.csv", 1, "group", "job:12");
	CELL_IS("imp", "tasks.csv", 1, "cpu", "1");
	CELL_IS("imp", "tasks.csv", 1, "memory", "4");
	CELL_IS("imp", "tasks.csv", 1, "stop_code", "UserInitiated");
	CELL_IS("imp", "failures.csv", 1, "kind", "instance_fail");
	CELL_IS("imp", "failures.csv", 1, "target", "ci-00001");
	CU_ASSERT(rows("imp", "tasks.csv") >= 3);
}

/* Queueing theory: four instances that each fit one task, Poisson arrivals
 * (λ = 0.8/s), exponential run times (mean 4 s), no latencies: an M/M/4
 * FIFO queue with a = 3.2, ρ = 0.8.  Erlang C gives P(wait) = 0.5964 and
 * Wq = P(wait) / (cμ − λ) = 2.982 s; 200,000 tasks put the sample mean
 * within a few percent. */
static void test_erlang_c(void)
{
	double a = 3.2, c = 4, term = 1, sum = 0, pc, wq, got;

	write_file("whole.json", "{\"family\":\"whole\",\"containerDefinitions\":[{\"name\":\"a\","
		   "\"image\":\"x\",\"cpu\":2048,\"memory\":1000}]}");
	write_file("mmc.json", "{\"name\":\"mmc\",\"seed\":1,\"durationSeconds\":260000,"
		   "\"metricsIntervalSeconds\":10000," NO_LATENCY
		   "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		   "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":4}],"
		   "\"taskDefinitions\":{\"whole\":\"whole.json\"},"
		   "\"workload\":{\"generators\":[{\"interArrivalSeconds\":{\"exponential\":{\"mean\":1.25}},"
		   "\"taskDefinitions\":[\"whole\"],\"runtimeSeconds\":{\"exponential\":{\"mean\":4}},"
		   "\"maxTasks\":200000}]}}");
	CU_ASSERT_EQUAL_FATAL(rs_run("mmc.json", "mmc", NULL, NULL, NULL), 0);
	for (int k = 0; k < (int)c; k++) {
		sum += term;
		term *= a / (k + 1);
	}
	pc = term * c / (c - a) / (sum + term * c / (c - a));
	wq = pc / (c * 0.25 - 0.8);
	got = rs_num("mmc", "summary.csv", 1, "mean_pending_s");
	{
		char m[120];

		snprintf(m, sizeof m, "mean wait %.3f s vs Erlang C %.3f s", got, wq);
		CU_assertImplementation(fabs(got - wq) < 0.05 * wq, __LINE__, m, __FILE__, "", CU_FALSE);
	}
	CELL_IS("mmc", "summary.csv", 1, "tasks_placed", "200000");
}

/* The scenario's `family` names a bare array's family; for a whole task
 * definition, which has its own, a different one is refused at its path
 * (it was ignored: the tasks kept the file's family), the same one is
 * accepted. */
static void test_family_whole_definition(void)
{
	char json[1024];
	struct err e;
	struct scenario *s;

	write_file("whole.json", "{\"family\":\"f\",\"containerDefinitions\":[{\"name\":\"a\","
		   "\"image\":\"x\",\"memory\":64}]}");
	for (int same = 0; same <= 1; same++) {
		snprintf(json, sizeof json, "{\"durationSeconds\":100,\"region\":\"us-east-1\","
			 "\"availabilityZones\":[\"us-east-1a\"],\"taskDefinitions\":{\"w\":{\"file\":"
			 "\"whole.json\",\"family\":\"%s\"}}}", same ? "f" : "renamed");
		write_file("fw.json", json);
		snprintf(json, sizeof json, "%s/fw.json", tmpdir);
		err_clear(&e);
		s = scenario_load(json, &e);
		if (same) {
			CU_ASSERT_PTR_NOT_NULL(s);
		} else {
			CU_ASSERT_PTR_NULL(s);
			T_STREQ(e.path, "$.taskDefinitions.w.family");
			if (!strstr(e.msg, "'renamed' for a whole task definition of family 'f'"))
				T_FAIL(e.msg);
		}
		scenario_free(s);
	}
}

/* A bare container array (Terraform's container_definitions) sized by the
 * task-level members its Terraform declares, given in the scenario. */
static void test_task_level_for_bare_array(void)
{
	write_file("arr.json", "[{\"name\":\"web\",\"image\":\"x\",\"essential\":true,"
		   "\"portMappings\":[{\"containerPort\":8080,\"hostPort\":8080}]}]");
	write_file("tl.json", "{\"name\":\"tl\",\"durationSeconds\":100," NO_LATENCY
		   "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		   "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\"}],"
		   "\"taskDefinitions\":{\"web\":{\"file\":\"arr.json\",\"taskLevel\":{\"cpu\":\".5 vCPU\","
		   "\"memory\":\"1 GB\",\"networkMode\":\"awsvpc\",\"requiresCompatibilities\":[\"EC2\",\"FARGATE\"]}}},"
		   "\"workload\":{\"traces\":[\"tl.csv\"]}}");
	write_file("tl.csv", "time_s,event,target,taskdef,count,duration_s,group\n0,run_task,w,web,1,,\n");
	CU_ASSERT_EQUAL_FATAL(run("tl.json", "tl", NULL), 0);
	CELL_IS("tl", "tasks.csv", 1, "taskdef", "web");
	CELL_IS("tl", "tasks.csv", 1, "cpu", "512");
	CELL_IS("tl", "tasks.csv", 1, "memory", "1024");
	/* without the task-level sizes the array is refused (A14) */
	write_file("tl2.json", "{\"name\":\"tl2\",\"durationSeconds\":100,"
		   "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		   "\"taskDefinitions\":{\"web\":\"arr.json\"}}");
	CU_ASSERT_NOT_EQUAL(run("tl2.json", "tl2", NULL), 0);
	/* FARGATE only: it runs on Fargate (docs/ecs-model.md choice B22) */
	write_file("tl3.json", "{\"name\":\"tl3\",\"durationSeconds\":100,"
		   "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		   "\"taskDefinitions\":{\"web\":{\"file\":\"arr.json\",\"taskLevel\":{\"cpu\":\".5 vCPU\","
		   "\"memory\":\"1 GB\",\"networkMode\":\"awsvpc\",\"requiresCompatibilities\":[\"FARGATE\"]}}},"
		   "\"workload\":{\"traces\":[\"tl.csv\"]}}");
	CU_ASSERT_EQUAL_FATAL(run("tl3.json", "tl3", NULL), 0);
	CELL_IS("tl3", "tasks.csv", 1, "launch_type", "FARGATE");
	CELL_IS("tl3", "tasks.csv", 1, "instance_id", "");
}

/* pending.mode "fail": a RunTask that fits nowhere fails at once. */
static void test_pending_fail(void)
{
	char json[2000];

	snprintf(json, sizeof json, one_instance, "\"pending\":{\"mode\":\"fail\"},");
	write_file("big.json", big_td);
	write_file("pf.json", json);
	write_file("acct.csv",
		   "time_s,event,target,taskdef,count,duration_s,group\n"
		   "0,run_task,a,big,1,100,\n"
		   "0,run_task,b,big,1,100,\n"
		   "10,run_task,c,big,1,50,\n");
	CU_ASSERT_EQUAL_FATAL(run("pf.json", "pf", NULL), 0);
	CELL_IS("pf", "tasks.csv", 1, "task_id", "c");
	CELL_IS("pf", "tasks.csv", 1, "stop_code", "TaskFailedToStart");
	CELL_IS("pf", "tasks.csv", 1, "placed_s", "");
	CELL_IS("pf", "tasks.csv", 1, "stop_s", "10.000");
	CELL_IS("pf", "summary.csv", 1, "tasks_placed", "2");
	CELL_IS("pf", "summary.csv", 1, "tasks_never_placed", "1");
}

/* An error in a bare array sized by the scenario's taskLevel names where the
 * bad value is: a taskLevel member or the family at its path in the
 * scenario, a container at its path in the array's own file ($[0]), never
 * the paths of the document ecsim builds from both ($.cpu, $.family,
 * $.containerDefinitions[0]) in the array's file, which has none of them. */
static void test_task_level_errors_located(void)
{
	static const struct {
		const char *td, *file, *path, *msg;
	} cases[] = {
		{ "{\"file\":\"arr.json\",\"taskLevel\":{\"cpu\":\"abc\",\"memory\":\"1 GB\"}}",
		  "tle.json", "$.taskDefinitions.web.taskLevel.cpu", "expected cpu units" },
		{ "{\"file\":\"arr.json\",\"taskLevel\":{\"cpu\":256,\"memory\":\"100\",\"networkMode\":\"awsvpc\","
		  "\"requiresCompatibilities\":[\"FARGATE\"]}}",
		  "tle.json", "$.taskDefinitions.web.taskLevel.memory", "invalid 'cpu' setting for task" },
		{ "{\"file\":\"arr.json\",\"taskLevel\":{\"memory\":512,\"requiresCompatibilities\":[\"EC2\",\"X\"]}}",
		  "tle.json", "$.taskDefinitions.web.taskLevel.requiresCompatibilities[1]", "unknown launch type" },
		{ "{\"file\":\"arr.json\",\"family\":\"bad family\",\"taskLevel\":{\"memory\":512}}",
		  "tle.json", "$.taskDefinitions.web.family", "invalid family \"bad family\"" },
		{ "{\"file\":\"arr.json\",\"taskLevel\":{\"networkMode\":\"bridge\"}}",
		  "arr.json", "$[0]", "At least one of 'memory' or 'memoryReservation' must be specified" },
	};
	char json[2048], want[600];
	struct err e;

	write_file("arr.json", "[{\"name\":\"web\",\"image\":\"x\",\"essential\":true,"
		   "\"portMappings\":[{\"containerPort\":8080,\"hostPort\":8080}]}]");
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct scenario *s;

		snprintf(json, sizeof json, "{\"durationSeconds\":100,\"region\":\"us-east-1\","
			 "\"availabilityZones\":[\"us-east-1a\"],\"taskDefinitions\":{\"web\":%s}}", cases[i].td);
		write_file("tle.json", json);
		snprintf(json, sizeof json, "%s/tle.json", tmpdir);
		err_clear(&e);
		s = scenario_load(json, &e);
		CU_ASSERT_PTR_NULL(s);
		scenario_free(s);
		snprintf(want, sizeof want, "%s/%s", tmpdir, cases[i].file);
		T_STREQ(e.file, want);
		T_STREQ(e.path, cases[i].path);
		if (!strstr(e.msg, cases[i].msg))
			T_FAIL(e.msg);
	}
}

static CU_TestInfo world_tests[] = {
	{ "pending mode fail", test_pending_fail },
	{ "task-level members for a bare array", test_task_level_for_bare_array },
	{ "task-level errors name the scenario's or the array's path", test_task_level_errors_located },
	{ "a family for a whole task definition: refused unless its own", test_family_whole_definition },
	{ "M/M/c queue against Erlang C", test_erlang_c },
	{ "public trace read directly", test_direct_import },
	{ "catalog", test_catalog },
	{ "registered resources", test_registered_resources },
	{ "accounting and retry", test_accounting_and_retry },
	{ "pending timeout and stop_task", test_timeout_and_stop },
	{ "generators and streams", test_generators },
	{ "no half-written output", test_no_half_written_output },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "world", setup, teardown, NULL, NULL, world_tests },
	CU_SUITE_INFO_NULL,
};
