/* tests/test_chain.c — a task's lifecycle costs few events, and the same
 * times (docs/ecs-model.md §3.1, §10.1; choice E75).
 *
 * The engine dispatches only the steps of a task's lifecycle that another
 * actor may observe at their own time: a zero-delay step that is the last
 * action of an event, nothing else waiting at that instant, runs as part
 * of that event (the order of the instant is unchanged, §10.1 rule 1); the
 * walk of an empty pending queue is not scheduled; a standalone task's
 * RUNNING report and health, read by no actor, are not sent (E75); its
 * delayed steps no other actor reacts to are held places (the same outputs
 * either way: test_held_same_outputs).  These
 * cases count the events of whole runs of standalone tasks (perf.csv,
 * `events`) against the steps that must remain, and check every state
 * timestamp of each task against the latency chain of §3.1 (the times the
 * skipped or merged steps would have had). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/tutil.h"
#include "models/run.h"
#include "models/scenario.h"
#include "sim/err.h"
#include "sim/sim.h"

#define N_TASKS 60

static int setup(void)
{
	if (rs_setup())
		return 1;
	/* one essential container, bridge networking: no ENI, stop at once */
	rs_write_def("one", 256, 512);
	rs_write_def("one2", 256, 512);
	/* an essential container and another: the stop waits for the other */
	rs_write("two.json", "{\"family\":\"two\",\"containerDefinitions\":[{\"name\":\"c\","
		 "\"image\":\"y\",\"cpu\":256,\"memory\":512},{\"name\":\"side\",\"image\":\"z\","
		 "\"cpu\":64,\"memory\":64,\"essential\":false}]}");
	/* an awsvpc task on EC2: an ENI attached and detached (5 s each) */
	rs_write("eni.json", "{\"family\":\"eni\",\"networkMode\":\"awsvpc\",\"containerDefinitions\":[{"
		 "\"name\":\"c\",\"image\":\"w\",\"cpu\":128,\"memory\":256}]}");
	return 0;
}

static int teardown(void)
{
	return rs_teardown();
}

/* A trace of N_TASKS standalone tasks "t<k>", one every 7 s from 0, each
 * running 30 s (so tasks stop while others wait for their placement), and
 * the scenario around it: `agent` is the scenario's "agent" member, or
 * NULL for the defaults.  Samples every 100000 s. */
static void write_case_td(const char *name, const char *td, const char *agent, const char *control)
{
	char csv[8192], json[2000], fname[64];
	size_t len = 0;

	len += (size_t)snprintf(csv + len, sizeof csv - len, "time_s,event,target,taskdef,count,duration_s,group\n");
	for (int k = 0; k < N_TASKS; k++)
		len += (size_t)snprintf(csv + len, sizeof csv - len, "%d.000,run_task,t%d,%s,1,30.000,\n", 7 * k, k,
					td);
	snprintf(fname, sizeof fname, "%s.csv", name);
	rs_write(fname, csv);
	snprintf(json, sizeof json,
		 "{\"name\":\"%s\",\"durationSeconds\":100000,\"metricsIntervalSeconds\":100000,"
		 "%s%s%s%s"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":2}],"
		 "\"taskDefinitions\":{\"one\":\"one.json\",\"two\":\"two.json\"},"
		 "\"placement\":{\"tieBreak\":\"first\",\"strategy\":[{\"type\":\"binpack\",\"field\":\"memory\"}]},"
		 "\"workload\":{\"traces\":[\"%s\"]}}",
		 name, agent ? agent : "", agent ? "," : "", control ? control : "", control ? "," : "", fname);
	snprintf(fname, sizeof fname, "%s.json", name);
	rs_write(fname, json);
}

static void write_case(const char *name, const char *agent, const char *control)
{
	write_case_td(name, "one", agent, control);
}

static long ms_of(const char *tag, int row, const char *col)
{
	char *v = rs_cell(tag, "tasks.csv", row, col);
	long ms = v && *v ? (long)(strtod(v, NULL) * 1000.0 + 0.5) : -1;

	free(v);
	return ms;
}

/* Every task's state times follow the chain: placed at submit + the
 * placement latency; PENDING at once (no ENI); containers started after
 * the network delay, the pull (`first_pull` until a pull of the image on
 * the instance has ended, `cached_pull` after) and the container start; the essential
 * container exits after the duration and, the only one, the task is
 * STOPPED at that instant. */
static int check_times_wait(const char *tag, long placement, long net, long first_pull, long cached_pull,
			    long start, long wait)
{
	int uncached = 0;
	long cached_at[3] = { -1, -1, -1 };   /* when each instance's image cache got the image */

	T_EQ(rs_rows(tag, "tasks.csv"), N_TASKS);
	for (int k = 0; k < N_TASKS; k++) {
		char id[16], *inst;
		int r, h;
		long submit = 7000L * k, placed, run, pull;

		snprintf(id, sizeof id, "t%d", k);
		r = rs_find(tag, "tasks.csv", "task_id", id);
		T_EQ(r > 0, 1);
		if (r <= 0)
			continue;
		inst = rs_cell(tag, "tasks.csv", r, "instance_id");
		h = inst && strlen(inst) > 3 ? atoi(inst + 3) : 0;
		free(inst);
		T_EQ(h >= 1 && h <= 2, 1);
		if (h < 1 || h > 2)
			continue;
		placed = submit + placement;
		/* the pull is short once an earlier pull on the instance has ended
		 * (no pull ends at the very millisecond another one starts here) */
		pull = cached_at[h] >= 0 && cached_at[h] < placed + net ? cached_pull : first_pull;
		uncached += pull == first_pull;
		if (cached_at[h] < 0 || placed + net + pull < cached_at[h])
			cached_at[h] = placed + net + pull;
		run = placed + net + pull + start;
		T_EQ(ms_of(tag, r, "submit_s"), submit);
		T_EQ(ms_of(tag, r, "placed_s"), placed);
		T_EQ(ms_of(tag, r, "provisioning_s"), placed);
		T_EQ(ms_of(tag, r, "pending_s"), placed);
		T_EQ(ms_of(tag, r, "activating_s"), run);
		T_EQ(ms_of(tag, r, "running_s"), run);
		T_EQ(ms_of(tag, r, "start_s"), run);
		T_EQ(ms_of(tag, r, "deactivating_s"), run + 30000);
		T_EQ(ms_of(tag, r, "stopping_s"), run + 30000);
		T_EQ(ms_of(tag, r, "deprovisioning_s"), run + 30000 + wait);
		T_EQ(ms_of(tag, r, "stopped_s"), run + 30000 + wait);
		T_EQ(ms_of(tag, r, "stop_s"), run + 30000 + wait);
		RS_IS(tag, "tasks.csv", r, "stop_code", "EssentialContainerExited");
	}
	return uncached;
}

/* check_times_wait for tasks of one container: STOPPED as it exits */
static int check_times(const char *tag, long placement, long net, long first_pull, long cached_pull,
		       long start)
{
	return check_times_wait(tag, placement, net, first_pull, cached_pull, start, 0);
}

/* rs_run, and the number of events the run dispatched (-1: it failed),
 * with *held (when not NULL) the held places it ran (perf.csv's
 * held_places); `every`: every lifecycle step an event
 * (scenario.every_step). */
static long run_count_as(const char *name, const char *tag, int every, long *held)
{
	char p[400], out[400];
	struct err e;
	struct scenario *s;
	struct run_opts o;
	struct run_counts rn = { 0, 0 };
	int rc;

	snprintf(p, sizeof p, "%s/%s", rs_dir(), name);
	snprintf(out, sizeof out, "%s/out-%s", rs_dir(), tag);
	err_clear(&e);
	s = scenario_load(p, &e);
	if (!s) {
		err_print(&e, stderr);
		return -1;
	}
	s->every_step = every;
	o = (struct run_opts){ .out_dir = out, .task_log = 1 };
	rc = run_scenario(s, &o, &rn, &e) == RUN_OK ? 0 : -1;
	if (rc)
		err_print(&e, stderr);
	scenario_free(s);
	if (held)
		*held = rc ? -1 : (long)rn.held;
	return rc ? -1 : (long)rn.events;
}

static long run_count(const char *name, const char *tag)
{
	return run_count_as(name, tag, 0, NULL);
}

/* Default latencies (placement 1 s, network 50 ms, pull 20 s / 1 s cached,
 * container start 1 s, shutdown 2 s): a standalone task is dispatched as
 * its trace row, its placement, the essential container's exit and the
 * STOPPED report that releases its resources — 4 events, with one
 * container or more; 5 when its image is not yet on the instance (the
 * pull's end too).  The PROVISIONING step, the stop's zero-delay steps,
 * the RUNNING report, the health check and the walks of an empty pending
 * queue are not dispatched; the start request, a cached pull's end, the
 * containers' start and the end of the other containers' stop are held
 * places, not events (sim_held_after) (12 and more before; 5, 6 with two
 * containers, before the last two were held): perf.csv's held_places,
 * 3 a task (4 with two containers) but 1 for each uncached pull. */
static void check_default(const char *tag, const char *td, long wait, long held_per_task)
{
	char json[64];
	long ev, bound, held;
	int uncached;

	write_case_td(tag, td, NULL, NULL);
	snprintf(json, sizeof json, "%s.json", tag);
	ev = run_count_as(json, tag, 0, &held);
	T_EQ(ev >= 0, 1);
	uncached = check_times_wait(tag, 1000, 50, 20000, 1000, 1000, wait);
	/* + the samples at 0 and at the end */
	bound = 4L * N_TASKS + uncached + 2;
	T_EQ(ev <= bound, 1);
	/* held: the start request, the containers' start, a cached pull's
	 * end (an uncached pull is an event) and, with a container to stop
	 * after the essential one, the end of that wait */
	T_EQ(held, held_per_task * N_TASKS - uncached);
	if (ev > bound) {
		char m[120];

		snprintf(m, sizeof m, "%s: %ld events for %d tasks", tag, ev, N_TASKS);
		T_FAIL(m);
	}
}

static void test_default_latencies(void)
{
	check_default("dflt", "one", 0, 3);
	/* the side container is stopped when the essential one exits: it
	 * takes the shutdown time (2 s) */
	check_default("dflt2", "two", 2000, 4);
}

/* Every latency 0: the whole start (placement to RUNNING) is one event and
 * the whole stop (exit to release) another: 3 events per task with its
 * trace row (11 before). */
static void test_zero_latencies(void)
{
	long ev;

	write_case("zero",
		   "\"agent\":{\"networkDelaySeconds\":0,\"imagePullSeconds\":0,\"imagePullCachedSeconds\":0,"
		   "\"containerStartSeconds\":0,\"shutdownSeconds\":0}",
		   "\"controlPlane\":{\"placementLatencySeconds\":0,\"apiLatencySeconds\":0}");
	ev = run_count("zero.json", "zero");
	T_EQ(ev >= 0, 1);
	(void)check_times("zero", 0, 0, 0, 0, 0);
	T_EQ(ev <= 3L * N_TASKS + 2, 1);
	if (ev > 3L * N_TASKS + 2) {
		char m[120];

		snprintf(m, sizeof m, "%ld events for %d tasks", ev, N_TASKS);
		T_FAIL(m);
	}
}

/* One m5.large, default latencies, the trace `csv` with task definitions
 * one, one2 and two. */
static void write_one_host(const char *name, const char *csv)
{
	char json[1000], fname[64];

	snprintf(fname, sizeof fname, "%s.csv", name);
	rs_write(fname, csv);
	snprintf(json, sizeof json,
		 "{\"name\":\"%s\",\"seed\":3,\"durationSeconds\":2000,\"metricsIntervalSeconds\":1,"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":1}],"
		 "\"taskDefinitions\":{\"one\":\"one.json\",\"one2\":\"one2.json\",\"two\":\"two.json\"},"
		 "\"workload\":{\"traces\":[\"%s\"]}}", name, fname);
	snprintf(fname, sizeof fname, "%s.json", name);
	rs_write(fname, json);
}

/* A start whose request and pull are not events (the image is on the
 * instance since t0's pull ended at 21.05 s) is cut where its steps were:
 * a StopTask whose stop request reaches the agent before the pull's end
 * (t1) or between the pull's end and the containers' start (t2): the task
 * never runs and stops when the request arrives (docs/ecs-model.md §3.2,
 * 100 ms API latency + 50 ms network delay after the call); containers
 * that start while the agent is disconnected (t3) start at their time; an
 * instance failure between the pull's end (501.05 s) and the start
 * (502.05 s) leaves t4 never started, stopped for InfrastructureHealth. */
static void test_cut(void)
{
	static const char *csv = "time_s,event,target,taskdef,count,duration_s,group\n"
		"0.000,run_task,t0,one,1,1000.000,\n"
		"0.000,run_task,u0,two,1,1000.000,\n"
		"100.000,run_task,t1,one,1,10.000,\n"
		"101.500,stop_task,t1,,,,\n"
		"200.000,run_task,t2,one,1,10.000,\n"
		"202.500,stop_task,t2,,,,\n"
		"299.000,run_task,t3,one,1,10.000,\n"
		"299.000,run_task,u3,two,1,10.000,\n"
		"300.500,agent_disconnect,ci-00001,,,100.000,\n"
		"499.000,run_task,t4,one,1,10.000,\n"
		"501.500,instance_fail,ci-00001,,,50.000,\n";
	static const struct { const char *id, *running, *stopped, *code; } want[] = {
		{ "t1", "", "101.650", "UserInitiated" },
		{ "t2", "", "202.650", "UserInitiated" },
		{ "t3", "302.050", "312.050", "EssentialContainerExited" },
		{ "u3", "302.050", "314.050", "EssentialContainerExited" },
		{ "t4", "", NULL, "InfrastructureHealth" },
	};

	write_one_host("cut", csv);
	T_EQ(rs_run("cut.json", "cut", NULL, NULL, NULL), 0);
	for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
		int r = rs_find("cut", "tasks.csv", "task_id", want[k].id);

		T_EQ(r > 0, 1);
		if (r <= 0)
			continue;
		RS_IS("cut", "tasks.csv", r, "running_s", want[k].running);
		RS_IS("cut", "tasks.csv", r, "start_s", want[k].running);
		if (want[k].stopped)
			RS_IS("cut", "tasks.csv", r, "stopped_s", want[k].stopped);
		RS_IS("cut", "tasks.csv", r, "stop_code", want[k].code);
	}
}

/* The agent's start request and a cached pull's end are not events, yet
 * what they schedule keeps its place (docs/ecs-model.md §10.1 rule 3): y's
 * image is not on the instance (a pull of 20 s from 101.05 s), x's is
 * (placed at 120 s, its pull from 120.05 s); both pulls end at 121.05 s,
 * y's first (its pull began first), so both start at 122.05 s with y
 * first, both stop at 132.05 s with y first, and y's row comes first. */
static void test_held_order(void)
{
	write_one_host("held", "time_s,event,target,taskdef,count,duration_s,group\n"
		       "0.000,run_task,t0,one,1,1000.000,\n"
		       "100.000,run_task,y,one2,1,10.000,\n"
		       "119.000,run_task,x,one,1,10.000,\n");
	T_EQ(rs_run("held.json", "held", NULL, NULL, NULL), 0);
	RS_IS("held", "tasks.csv", 1, "task_id", "y");
	RS_IS("held", "tasks.csv", 1, "start_s", "122.050");
	RS_IS("held", "tasks.csv", 2, "task_id", "x");
	RS_IS("held", "tasks.csv", 2, "start_s", "122.050");
}

/* ---- held steps change nothing but the event count ----------------------- */

/* The whole content of rs_dir()/out-<tag>/file (malloc'd, *n its size), or
 * NULL when it cannot be read. */
static char *slurp(const char *tag, const char *file, size_t *n)
{
	char p[600];
	FILE *f;
	char *b = NULL;
	long len;

	snprintf(p, sizeof p, "%s/out-%s/%s", rs_dir(), tag, file);
	f = fopen(p, "rb");
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		b = malloc((size_t)len + 1);
		if (b && fread(b, 1, (size_t)len, f) != (size_t)len) {
			free(b);
			b = NULL;
		}
		*n = (size_t)len;
	}
	fclose(f);
	return b;
}

static uint64_t lcg(uint64_t *x)
{
	*x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
	return *x >> 33;
}

/* A random day of standalone tasks (one container, two, an ENI) and a
 * service beside them on three instances, with StopTask at any moment of a
 * task's life (before it starts, while it runs, while its other container
 * stops), agent disconnects, instance failures and repairs, drains, and
 * samples every second. */
static void write_mix(const char *name, uint64_t seed)
{
	static const char *const tds[] = { "one", "one2", "two", "eni" };
	char *csv = malloc(200000), json[2000], fname[64];
	size_t len = 0;
	uint64_t x = seed * 2654435761ULL + 1;
	long t = 0;
	int n_run = 0;

	len += (size_t)snprintf(csv + len, 200000 - len, "time_s,event,target,taskdef,count,duration_s,group\n");
	for (int k = 0; k < 400 && len < 199000; k++) {
		unsigned r = (unsigned)(lcg(&x) % 100);
		int inst = 1 + (int)(lcg(&x) % 3);

		/* gaps of 0 to 4 s, often whole seconds (same-instant steps) */
		t += lcg(&x) % 2 ? (long)(lcg(&x) % 5) * 1000 : (long)(lcg(&x) % 4000);
		if (r < 62 || n_run == 0) {
			long d = (long)(lcg(&x) % 40) * 500;

			len += (size_t)snprintf(csv + len, 200000 - len, "%ld.%03ld,run_task,t%d,%s,1,%s%ld.%03ld,\n",
						t / 1000, t % 1000, n_run++, tds[lcg(&x) % 4],
						"", d / 1000, d % 1000);
		} else if (r < 85) {
			len += (size_t)snprintf(csv + len, 200000 - len, "%ld.%03ld,stop_task,t%d,,,,\n", t / 1000, t % 1000,
						/* mostly a recent task: caught starting, running or stopping */
						n_run - 1 - (int)(lcg(&x) % (uint64_t)(n_run < 6 ? n_run : 6)));
		} else if (r < 91) {
			int ms = (int)(lcg(&x) % 1000);       /* (the last argument's first, as GCC) */

			len += (size_t)snprintf(csv + len, 200000 - len, "%ld.%03ld,agent_disconnect,ci-%05d,,,%d.%03d,\n",
						t / 1000, t % 1000, inst, (int)(lcg(&x) % 90) + 1, ms);
		} else if (r < 95) {
			len += (size_t)snprintf(csv + len, 200000 - len, "%ld.%03ld,instance_fail,ci-%05d,,,%d.000,\n",
						t / 1000, t % 1000, inst, (int)(lcg(&x) % 60) + 5);
		} else if (r < 98) {
			len += (size_t)snprintf(csv + len, 200000 - len, "%ld.%03ld,drain_instance,ci-%05d,,,,\n",
						t / 1000, t % 1000, inst);
		} else {
			len += (size_t)snprintf(csv + len, 200000 - len, "%ld.%03ld,activate_instance,ci-%05d,,,,\n",
						t / 1000, t % 1000, inst);
		}
	}
	snprintf(fname, sizeof fname, "%s.csv", name);
	rs_write(fname, csv);
	free(csv);
	snprintf(json, sizeof json,
		 "{\"name\":\"%s\",\"seed\":%d,\"durationSeconds\":%ld,\"metricsIntervalSeconds\":1,"
		 "\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],"
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\",\"count\":2},"
		 "{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1b\",\"count\":1}],"
		 "\"taskDefinitions\":{\"one\":\"one.json\",\"one2\":\"one2.json\",\"two\":\"two.json\","
		 "\"eni\":\"eni.json\"},"
		 "\"services\":[{\"serviceName\":\"s\",\"taskDefinition\":\"two\",\"desiredCount\":2}],"
		 "\"workload\":{\"traces\":[\"%s\"]}}",
		 name, (int)(seed % 1000) + 1, t / 1000 + 120, fname);
	snprintf(fname, sizeof fname, "%s.json", name);
	rs_write(fname, json);
}

/* Every step a held place replaces runs at the very place of the event it
 * replaces, so whether it is held changes no output: on random mixes of
 * standalone and service tasks, stops at any moment, agent disconnects,
 * instance failures and drains, each run with every step an event
 * (scenario.every_step) and with held steps writes byte-identical files
 * (all but perf.csv, whose event count must be lower with held steps). */
static void test_held_same_outputs(void)
{
	static const char *const files[] = { "tasks.csv", "timeseries.csv", "summary.csv", "services.csv",
					     "service_summary.csv", "placement_failures.csv", "recovery.csv",
					     "instances.csv" };
	long ev_every = 0, ev_held = 0;
	int compared = 0;

	for (uint64_t seed = 1; seed <= 12; seed++) {
		char name[32], a[40], b[40], json[40];
		long e1, e0, h1, h0;

		snprintf(name, sizeof name, "mix%d", (int)seed);
		snprintf(json, sizeof json, "%s.json", name);
		snprintf(a, sizeof a, "%s-every", name);
		snprintf(b, sizeof b, "%s-held", name);
		write_mix(name, seed);
		e1 = run_count_as(json, a, 1, &h1);
		e0 = run_count_as(json, b, 0, &h0);
		T_EQ(e1 > 0, 1);
		T_EQ(e0 > 0, 1);
		if (e1 <= 0 || e0 <= 0)
			continue;
		ev_every += e1;
		ev_held += e0;
		/* each held place takes the place of one event: the queue
		 * runs as many items either way (perf.csv's events +
		 * held_places) */
		T_EQ(e1 + h1, e0 + h0);
		for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
			size_t n1 = 0, n0 = 0;
			char *x1 = slurp(a, files[f], &n1), *x0 = slurp(b, files[f], &n0);

			T_EQ(!x1, !x0);
			if (x1 && x0) {
				compared++;
				T_EQ(n1, n0);
				T_EQ(n1 == n0 && memcmp(x1, x0, n1) == 0, 1);
				if (n1 != n0 || memcmp(x1, x0, n1) != 0) {
					char m[160];

					snprintf(m, sizeof m, "%s: %s differs with held steps", name, files[f]);
					T_FAIL(m);
				}
			}
			free(x1);
			free(x0);
		}
		T_EQ(rs_rows(b, "tasks.csv") > 100, 1);
	}
	T_EQ(compared >= 12 * 3, 1);
	T_EQ(ev_held < ev_every, 1);
}

/* ---- the engine's held places (sim_ghost_after) ------------------------ */

struct order_rec {
	uint32_t w_mark, w_step, w_go;   /* event types */
	int ghost;                       /* the step is a held place, not an event */
	uint64_t seen[8];
	int n;
};

static void on_mark(struct sim *s, void *ctx, const struct event *ev)
{
	struct order_rec *r = ctx;

	(void)s;
	if (r->n < 8)
		r->seen[r->n++] = ev->arg;
}

/* The step: 5 ms later, a mark carrying its id. */
static void step_body(struct sim *s, struct order_rec *r, uint64_t id)
{
	sim_after(s, 5, r->w_mark, r, id);
}

static void on_step(struct sim *s, void *ctx, const struct event *ev)
{
	step_body(s, ctx, ev->arg);
}

static void ghost_step(struct sim *s, void *ctx, uint64_t arg)
{
	step_body(s, ctx, arg);
}

/* At 0: steps 1 (held place or event, per r->ghost), 2 (an event), 3 (the
 * same as 1), all 10 ms later; each schedules its mark 5 ms after that. */
static void on_go(struct sim *s, void *ctx, const struct event *ev)
{
	struct order_rec *r = ctx;

	(void)ev;
	for (uint64_t id = 1; id <= 3; id++) {
		if (r->ghost && id != 2)
			sim_ghost_after(s, 10, ghost_step, r, id);
		else
			sim_after(s, 10, r->w_step, r, id);
	}
}

static uint64_t run_order(struct order_rec *r)
{
	struct sim *s = sim_new();
	uint64_t n;

	r->w_mark = sim_on_world(s, "mark", on_mark, r);
	r->w_step = sim_on_world(s, "step", on_step, r);
	r->w_go = sim_on(s, "go", on_go, r);
	sim_at(s, 0, r->w_go, r, 0);
	n = sim_run(s, SIM_TIME_MAX);
	sim_free(s);
	return n;
}

/* What held places schedule is ordered exactly as if they were events
 * (marks at 15 ms in step order 1, 2, 3 both ways), and they are not
 * counted as events. */
static void test_ghost_order(void)
{
	struct order_rec ev = { .ghost = 0 }, gh = { .ghost = 1 };
	uint64_t n_ev = run_order(&ev), n_gh = run_order(&gh);

	T_EQ(ev.n, 3);
	T_EQ(gh.n, 3);
	for (int k = 0; k < 3; k++) {
		T_EQ(ev.seen[k], (uint64_t)k + 1);
		T_EQ(gh.seen[k], ev.seen[k]);
	}
	T_EQ(n_ev, 7);          /* go, 3 steps, 3 marks */
	T_EQ(n_gh, 5);          /* go, 1 step, 3 marks */
}

static CU_TestInfo chain_tests[] = {
	{ "default latencies: 4 events per standalone task (5 uncached), same times", test_default_latencies },
	{ "zero latencies: 3 events per standalone task, same times", test_zero_latencies },
	{ "a start without request and pull events is cut where its steps were", test_cut },
	{ "a held start keeps the order of what it schedules", test_held_order },
	{ "held steps change no output, on random mixes with faults", test_held_same_outputs },
	{ "engine: held places order what they schedule as events would", test_ghost_order },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "chain", setup, teardown, NULL, NULL, chain_tests },
	CU_SUITE_INFO_NULL,
};
