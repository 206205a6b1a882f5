/* tests/bench/bench_r1.c — reference workload R1 (binpack on memory over H
 * identical hosts, Poisson arrivals, exponential run times, a FIFO pending
 * queue walked at every completion) run twice on the same generated trace:
 * once deciding with ecsim's placement path (models/cluster + place_task,
 * template "binpack", tie-break "first") and once with a plain reference
 * simulation (per-host arrays, a linear scan per decision, no indexes).
 * Both share this file's event loop (a binary heap of completions, 2 events
 * per task), so the ratio is that of the placement paths.  Printed, never
 * asserted; "same" says whether both placed every task on the same host.
 *
 * The trace is generated here with GSL from the model (rate for 70 % of the
 * memory, kinds small/medium/large/xlarge with probabilities .4/.3/.2/.1,
 * mean run time 600 s); it is not byte-identical to any other generator of
 * the model, which does not matter for speed.  The pending queue is one
 * FIFO per kind: a walk visits the queued tasks in arrival order by merging
 * the heads, and stops visiting a kind at its first task that does not fit
 * (later ones of that kind, the same size, cannot fit either while the walk
 * only takes resources) — the same placements as a walk over one queue.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "models/cluster.h"
#include "models/placement/placement.h"
#include "sim/err.h"

#define HOST_CPU 4096
#define HOST_MEM 15360

static const int64_t kcpu[4] = { 256, 512, 1024, 2048 }, kmem[4] = { 512, 1024, 2048, 4096 };

struct trace {
	double *t, *d;
	unsigned char *k;
	long n;
};

struct ev {
	double t;
	long seq, task;
};

struct sim {
	/* the placement path */
	int32_t (*place)(void *st, int kind);
	void (*reserve)(void *st, int32_t h, int kind);
	void (*release)(void *st, int32_t h, int kind);
	void *st;
	/* state */
	struct ev *heap;
	long n_heap, seq;
	long *q[4], qh[4], qt[4];
	int32_t *host;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void gen(struct trace *tr, int h, long n, unsigned long seed)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	double lambda = 0.7 * h * HOST_MEM / (600.0 * 1331.2), t = 0;

	gsl_rng_set(r, seed);
	tr->n = n;
	tr->t = malloc((size_t)n * sizeof *tr->t);
	tr->d = malloc((size_t)n * sizeof *tr->d);
	tr->k = malloc((size_t)n);
	for (long i = 0; i < n; i++) {
		double u;

		t += gsl_ran_exponential(r, 1.0 / lambda);
		u = gsl_rng_uniform(r);
		tr->t[i] = t;
		tr->k[i] = u < 0.4 ? 0 : u < 0.7 ? 1 : u < 0.9 ? 2 : 3;
		tr->d[i] = gsl_ran_exponential(r, 600.0);
		if (tr->d[i] < 1e-6)
			tr->d[i] = 1e-6;
	}
	gsl_rng_free(r);
}

static int ev_before(const struct ev *a, const struct ev *b)
{
	return a->t != b->t ? a->t < b->t : a->seq < b->seq;
}

static void push(struct sim *s, double t, long task)
{
	long i = s->n_heap++;
	struct ev e = { t, s->seq++, task };

	while (i > 0 && ev_before(&e, &s->heap[(i - 1) / 2])) {
		s->heap[i] = s->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	s->heap[i] = e;
}

static struct ev pop(struct sim *s)
{
	struct ev top = s->heap[0], last = s->heap[--s->n_heap];
	long i = 0;

	for (;;) {
		long c = 2 * i + 1;

		if (c >= s->n_heap)
			break;
		if (c + 1 < s->n_heap && ev_before(&s->heap[c + 1], &s->heap[c]))
			c++;
		if (!ev_before(&s->heap[c], &last))
			break;
		s->heap[i] = s->heap[c];
		i = c;
	}
	s->heap[i] = last;
	return top;
}

static int try_place(struct sim *s, const struct trace *tr, long task, double t)
{
	int32_t h = s->place(s->st, tr->k[task]);

	if (h < 0)
		return 0;
	s->reserve(s->st, h, tr->k[task]);
	s->host[task] = h;
	push(s, t + tr->d[task], task);
	return 1;
}

/* Completions first at equal times, then arrivals in trace order. */
static void simulate(struct sim *s, const struct trace *tr)
{
	long next = 0;

	s->heap = malloc((size_t)tr->n * sizeof *s->heap);
	s->n_heap = s->seq = 0;
	for (int k = 0; k < 4; k++) {
		s->q[k] = malloc((size_t)tr->n * sizeof *s->q[k]);
		s->qh[k] = s->qt[k] = 0;
	}
	while (next < tr->n || s->n_heap > 0) {
		if (s->n_heap > 0 && (next == tr->n || s->heap[0].t <= tr->t[next])) {
			struct ev e = pop(s);
			int blocked[4] = { 0, 0, 0, 0 };

			s->release(s->st, s->host[e.task], tr->k[e.task]);
			for (;;) {        /* the walk, in arrival order */
				int best = -1;

				for (int k = 0; k < 4; k++)
					if (!blocked[k] && s->qh[k] < s->qt[k] &&
					    (best < 0 || s->q[k][s->qh[k]] < s->q[best][s->qh[best]]))
						best = k;
				if (best < 0)
					break;
				if (try_place(s, tr, s->q[best][s->qh[best]], e.t))
					s->qh[best]++;
				else
					blocked[best] = 1;
			}
		} else {
			if (!try_place(s, tr, next, tr->t[next]))
				s->q[tr->k[next]][s->qt[tr->k[next]]++] = next;
			next++;
		}
	}
	free(s->heap);
	for (int k = 0; k < 4; k++)
		free(s->q[k]);
}

/* ---- the plain reference: arrays and a scan ---- */

struct ref {
	int64_t *cpu, *mem;
	int32_t h;
};

static int32_t ref_place(void *st, int kind)
{
	struct ref *r = st;
	int32_t best = -1;

	for (int32_t i = 0; i < r->h; i++)
		if (r->cpu[i] >= kcpu[kind] && r->mem[i] >= kmem[kind] &&
		    (best < 0 || r->mem[i] < r->mem[best]))
			best = i;
	return best;
}

static void ref_reserve(void *st, int32_t h, int kind)
{
	struct ref *r = st;

	r->cpu[h] -= kcpu[kind];
	r->mem[h] -= kmem[kind];
}

static void ref_release(void *st, int32_t h, int kind)
{
	struct ref *r = st;

	r->cpu[h] += kcpu[kind];
	r->mem[h] += kmem[kind];
}

/* ---- ecsim's placement path ---- */

struct eco {
	struct cluster *cl;
	struct place_policy p;
	struct place_req req[4];
	uint32_t g;
	gsl_rng *rng;
};

static int32_t eco_place(void *st, int kind)
{
	struct eco *e = st;
	struct place_result r;

	return place_task(e->cl, &e->req[kind], e->g, &e->p, e->rng, &r) == 0 ? r.instance : -1;
}

static void eco_reserve(void *st, int32_t h, int kind)
{
	struct eco *e = st;

	cluster_reserve(e->cl, h, &e->req[kind], e->g);
}

static void eco_release(void *st, int32_t h, int kind)
{
	struct eco *e = st;

	cluster_release(e->cl, h, &e->req[kind], e->g);
}

static void run(int h, long n)
{
	static const char *const azs[] = { "az-a", "az-b", "az-c" };
	struct trace tr;
	struct ref rf;
	struct eco ec;
	struct sim s;
	struct err er;
	int32_t *host_ref;
	double t0, t_ref, t_eco;
	long same = 0;

	gen(&tr, h, n, 1);
	/* reference */
	rf.h = h;
	rf.cpu = malloc((size_t)h * sizeof *rf.cpu);
	rf.mem = malloc((size_t)h * sizeof *rf.mem);
	for (int32_t i = 0; i < h; i++) {
		rf.cpu[i] = HOST_CPU;
		rf.mem[i] = HOST_MEM;
	}
	memset(&s, 0, sizeof s);
	s.place = ref_place;
	s.reserve = ref_reserve;
	s.release = ref_release;
	s.st = &rf;
	s.host = malloc((size_t)n * sizeof *s.host);
	t0 = now_s();
	simulate(&s, &tr);
	t_ref = now_s() - t0;
	host_ref = s.host;
	/* ecsim */
	memset(&ec, 0, sizeof ec);
	ec.cl = cluster_new();
	for (int i = 0; i < h; i++) {
		struct instance_spec sp;

		memset(&sp, 0, sizeof sp);
		sp.instance_type = "m5.xlarge";
		sp.az = azs[i % 3];
		sp.os_type = "linux";
		sp.os_family = "LINUX";
		sp.cpu_arch = "x86_64";
		sp.cpu_units = HOST_CPU;
		sp.mem_mib = HOST_MEM;
		sp.eni_tasks = 2;
		cluster_add(ec.cl, &sp);
	}
	place_policy_init(&ec.p);
	err_clear(&er);
	if (place_template(&ec.p, "binpack", &er)) {
		err_print(&er, stderr);
		exit(1);
	}
	ec.p.tie_break = PT_FIRST;
	for (int k = 0; k < 4; k++) {
		ec.req[k].cpu_units = kcpu[k];
		ec.req[k].mem_mib = kmem[k];
	}
	ec.g = cluster_group(ec.cl, "r1");
	ec.rng = gsl_rng_alloc(gsl_rng_mt19937);
	memset(&s, 0, sizeof s);
	s.place = eco_place;
	s.reserve = eco_reserve;
	s.release = eco_release;
	s.st = &ec;
	s.host = malloc((size_t)n * sizeof *s.host);
	t0 = now_s();
	simulate(&s, &tr);
	t_eco = now_s() - t0;
	for (long i = 0; i < n; i++)
		same += s.host[i] == host_ref[i];
	printf("%6d %9ld %14.0f %14.0f %8.2fx %s\n", h, n, n / t_eco, n / t_ref, t_eco / t_ref,
	       same == n ? "yes" : "NO");
	fflush(stdout);
	gsl_rng_free(ec.rng);
	place_policy_free(&ec.p);
	cluster_free(ec.cl);
	free(s.host);
	free(host_ref);
	free(rf.cpu);
	free(rf.mem);
	free(tr.t);
	free(tr.d);
	free(tr.k);
}

/* ---- R1 v2 through the whole of ecsim (tests/bench/run-r1.sh) ----
 *
 * R1 v2: the rate for 70 % of the cpu, times and durations in integer
 * milliseconds.  --write-v2 H N FILE writes such a trace in ecsim's trace
 * format (kinds named small/medium/large/xlarge, anonymous tasks);
 * --ref-v2 H FILE runs the plain reference on it and prints its tasks/s
 * (the simulation only, not the reading) and a checksum of the hosts. */

static int write_v2(int h, long n, const char *path)
{
	static const char *const kname[4] = { "small", "medium", "large", "xlarge" };
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	double lambda = 0.7 * h * HOST_CPU / (600.0 * 665.6), t = 0;
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		return 1;
	}
	gsl_rng_set(r, 1);
	fprintf(f, "time_s,event,target,taskdef,count,duration_s,group\n");
	for (long i = 0; i < n; i++) {
		double u;
		long long tm, dm;
		int k;

		t += gsl_ran_exponential(r, 1.0 / lambda);
		u = gsl_rng_uniform(r);
		k = u < 0.4 ? 0 : u < 0.7 ? 1 : u < 0.9 ? 2 : 3;
		tm = llround(t * 1000.0);
		dm = llround(gsl_ran_exponential(r, 600.0) * 1000.0);
		if (dm < 1)
			dm = 1;
		fprintf(f, "%lld.%03lld,run_task,,%s,1,%lld.%03lld,\n", tm / 1000, tm % 1000, kname[k],
			dm / 1000, dm % 1000);
	}
	gsl_rng_free(r);
	return fclose(f) != 0;
}

static int ref_v2(int h, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[200], kind[16];
	struct trace tr = { 0 };
	long cap = 0;
	struct ref rf;
	struct sim s;
	double t0, dt;
	unsigned long long sum = 0;

	if (!f) {
		perror(path);
		return 1;
	}
	while (fgets(line, sizeof line, f)) {
		long long ts, tms, ds, dms;

		if (sscanf(line, "%lld.%lld,run_task,,%15[^,],1,%lld.%lld,", &ts, &tms, kind, &ds, &dms) != 5)
			continue;
		if (tr.n == cap) {
			cap = cap ? cap * 2 : 1024;
			tr.t = realloc(tr.t, (size_t)cap * sizeof *tr.t);
			tr.d = realloc(tr.d, (size_t)cap * sizeof *tr.d);
			tr.k = realloc(tr.k, (size_t)cap);
		}
		/* integer milliseconds, exact in a double */
		tr.t[tr.n] = (double)(ts * 1000 + tms);
		tr.d[tr.n] = (double)(ds * 1000 + dms);
		tr.k[tr.n] = kind[0] == 's' ? 0 : kind[0] == 'm' ? 1 : kind[0] == 'l' ? 2 : 3;
		tr.n++;
	}
	fclose(f);
	rf.h = h;
	rf.cpu = malloc((size_t)h * sizeof *rf.cpu);
	rf.mem = malloc((size_t)h * sizeof *rf.mem);
	for (int32_t i = 0; i < h; i++) {
		rf.cpu[i] = HOST_CPU;
		rf.mem[i] = HOST_MEM;
	}
	memset(&s, 0, sizeof s);
	s.place = ref_place;
	s.reserve = ref_reserve;
	s.release = ref_release;
	s.st = &rf;
	s.host = malloc((size_t)(tr.n ? tr.n : 1) * sizeof *s.host);
	t0 = now_s();
	simulate(&s, &tr);
	dt = now_s() - t0;
	for (long i = 0; i < tr.n; i++)
		sum = sum * 31 + (unsigned long long)s.host[i];
	if (getenv("R1_HOSTS_OUT")) {
		/* the host of every task, in trace order (to compare with ecsim's tasks.csv) */
		FILE *o = fopen(getenv("R1_HOSTS_OUT"), "w");

		for (long i = 0; o && i < tr.n; i++)
			fprintf(o, "%ld,%d\n", i + 1, s.host[i]);
		if (o)
			fclose(o);
	}
	printf("%ld %.0f %.3f %llx\n", tr.n, tr.n / dt, dt, sum);
	free(s.host);
	free(rf.cpu);
	free(rf.mem);
	free(tr.t);
	free(tr.d);
	free(tr.k);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "--write-v2") == 0)
		return write_v2(atoi(argv[2]), atol(argv[3]), argv[4]);
	if (argc == 4 && strcmp(argv[1], "--ref-v2") == 0)
		return ref_v2(atoi(argv[2]), argv[3]);
	printf("R1 (binpack memory, H hosts of 4096 CPU / 15360 MiB, N tasks, 70%% memory load):\n");
	printf("%6s %9s %14s %14s %9s %s\n", "hosts", "tasks", "ecsim tasks/s", "plain C tasks/s",
	       "ratio", "same");
	run(100, 100000);
	run(1000, 1000000);
	return 0;
}
