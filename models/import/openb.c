/* models/import/openb.c — the Alibaba GPU cluster trace 2023 ("openb",
 * cluster-trace-gpu-v2023): the node list and the pod list, CSV with a
 * header row (checked: exactly the published columns).
 *
 * Nodes (sn, cpu_milli, memory_mib, gpu, model): each registers at time 0
 * as the chosen type (AZ by a hash of sn), in file order.  The list is
 * small (1,523 nodes) and is read whole at open, for its largest node.
 * Pods (name, cpu_milli, memory_mib, num_gpu, gpu_milli, gpu_spec, qos,
 * pod_phase, creation_time, deletion_time, scheduled_time; times in s):
 * a run_task at creation_time, group "qos:<qos>", CPU and memory made
 * fractions of the largest node (the node list's, else 128,000 milli-cores
 * and 1,048,576 MiB, the published list's) and mapped onto the chosen type
 * as Google's normalised requests are; GPUs are not in ecsim's trace rows,
 * so num_gpu, gpu_milli and gpu_spec are not kept (counted).  pod_phase
 * Running, Succeeded or Failed (the phase the pod had when it was deleted):
 * duration deletion_time - scheduled_time; Pending (never placed,
 * empty scheduled_time): the pod is run with its name as explicit id and
 * stopped (stop_task) at its deletion_time, whether or not ecsim placed it
 * (docs/ecs-model.md choice E232).  Those pending stops are the only state
 * kept per pod: a heap of the Pending pods submitted and not yet deleted.
 * The pod list must be in creation_time order (the published one is).
 */
#include "import_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/mem.h"

#define MAX_MS 1000000000000000LL
#define MAX_S (MAX_MS / 1000)
#define REF_CPU_MILLI 128000.0
#define REF_MEM_MIB 1048576.0

static const char *const node_cols[] = { "sn", "cpu_milli", "memory_mib", "gpu", "model" };
enum { N_SN, N_CPU, N_MEM, N_GPU, N_MODEL, N_N };

static const char *const pod_cols[] = {
	"name", "cpu_milli", "memory_mib", "num_gpu", "gpu_milli", "gpu_spec", "qos", "pod_phase",
	"creation_time", "deletion_time", "scheduled_time"
};
enum { P_NAME, P_CPU, P_MEM, P_GPU, P_GPU_MILLI, P_SPEC, P_QOS, P_PHASE, P_CREATE, P_DELETE,
       P_SCHED, P_N };

/* A pod read ahead of the pending stops that come before it. */
struct held {
	int has, eof;
	sim_time_t t, duration, stop_at;
	int64_t cpu, mem;
	long line;
	int pending;
	char name[STR_MAX + 1], group[STR_MAX + 8];
};

static int fill_nodes(struct import *im, struct src *s, struct err *e)
{
	(void)e;
	while (s->next_sorted < s->n_sorted) {
		const struct sorted_rec *m = &s->sorted[s->next_sorted++];

		if (import_machine_add(im, s, m->id, 0)) {
			s->out.line = m->line;
			return 1;
		}
	}
	return 0;
}

static int read_nodes(struct import *im, struct src *s, struct err *e)
{
	size_t cap = 0;
	double max_cpu = 0, max_mem = 0;

	for (;;) {
		const char *sn;
		int64_t cpu, mem, gpu;
		int r = import_src_record(im, s, e);

		if (r < 0)
			return -1;
		if (r == 0)
			break;
		if (import_str(s, N_SN, &sn, e) < 0 || import_uint(s, N_CPU, &cpu, e) < 0 ||
		    import_uint(s, N_MEM, &mem, e) < 0 || import_uint(s, N_GPU, &gpu, e) < 0)
			return -1;
		if (cpu == 0)
			return csvin_fail(s->in, N_CPU, e, "expected a capacity > 0, got \"0\"");
		if (mem == 0)
			return csvin_fail(s->in, N_MEM, e, "expected a capacity > 0, got \"0\"");
		if ((double)cpu > max_cpu)
			max_cpu = (double)cpu;
		if ((double)mem > max_mem)
			max_mem = (double)mem;
		if (s->n_sorted == cap) {
			cap = cap ? 2 * cap : 1024;
			s->sorted = xrealloc(s->sorted, cap * sizeof *s->sorted);
		}
		s->sorted[s->n_sorted++] = (struct sorted_rec){ 0, csvin_line(s->in), 0, xstrdup(sn) };
	}
	if (s->n_sorted) {
		im->ref_cpu_milli = max_cpu;
		im->ref_mem_mib = max_mem;
	}
	return 0;
}

/* The heap of pending stops, earliest (time, then submission order) on top. */
static int pend_less(const struct pend *a, const struct pend *b)
{
	return a->t != b->t ? a->t < b->t : a->seq < b->seq;
}

static void pend_push(struct src *s, sim_time_t t, long line, const char *id)
{
	size_t i;

	if (s->n_pend == s->cap_pend) {
		s->cap_pend = s->cap_pend ? 2 * s->cap_pend : 64;
		s->pend = xrealloc(s->pend, s->cap_pend * sizeof *s->pend);
	}
	i = s->n_pend++;
	s->pend[i] = (struct pend){ t, s->pend_seq++, line, xstrdup(id) };
	while (i > 0 && pend_less(&s->pend[i], &s->pend[(i - 1) / 2])) {
		struct pend x = s->pend[i];

		s->pend[i] = s->pend[(i - 1) / 2];
		s->pend[(i - 1) / 2] = x;
		i = (i - 1) / 2;
	}
}

static struct pend pend_pop(struct src *s)
{
	struct pend top = s->pend[0];
	size_t i = 0;

	s->pend[0] = s->pend[--s->n_pend];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < s->n_pend && pend_less(&s->pend[l], &s->pend[m]))
			m = l;
		if (r < s->n_pend && pend_less(&s->pend[r], &s->pend[m]))
			m = r;
		if (m == i)
			break;
		struct pend x = s->pend[i];

		s->pend[i] = s->pend[m];
		s->pend[m] = x;
		i = m;
	}
	return top;
}

/* A time field in seconds -> ms (checked against the limit); 0 or -1. */
static int pod_time(struct import *im, struct src *s, int col, int64_t *raw, sim_time_t *t, struct err *e)
{
	if (col != s->time_col && import_uint(s, col, raw, e) < 0)
		return -1;
	if (*raw > MAX_S)
		return csvin_fail(s->in, col, e, "expected at most %lld seconds, got \"%s\"", MAX_S,
				  import_field(s, col));
	*t = import_ms(im, *raw, 1000000);
	return 0;
}

/* Read the next pod into h; 1, 0 at the end, -1 error. */
static int read_pod(struct import *im, struct src *s, struct held *h, struct err *e)
{
	const char *name, *phase, *qos;
	int64_t create, del, sched = 0, cpu, mem, gpu, gpu_milli;
	sim_time_t tc, td, ts;
	int r = import_src_record(im, s, e);

	if (r <= 0)
		return r;
	if (import_str(s, P_NAME, &name, e) < 0 || import_uint(s, P_CPU, &cpu, e) < 0 ||
	    import_uint(s, P_MEM, &mem, e) < 0 || import_uint(s, P_GPU, &gpu, e) < 0 ||
	    import_uint(s, P_GPU_MILLI, &gpu_milli, e) < 0 || import_str(s, P_PHASE, &phase, e) < 0 ||
	    import_time(im, s, &create, e) < 0 || pod_time(im, s, P_CREATE, &create, &tc, e) < 0 ||
	    pod_time(im, s, P_DELETE, &del, &td, e) < 0)
		return -1;
	qos = import_field(s, P_QOS);
	if (strlen(qos) > STR_MAX)
		return csvin_fail(s->in, P_QOS, e, "expected at most %d characters, got %zu", STR_MAX,
				  strlen(qos));
	if (import_field(s, P_SCHED)[0] && pod_time(im, s, P_SCHED, &sched, &ts, e) < 0)
		return -1;
	memset(h, 0, sizeof *h);
	h->has = 1;
	h->t = tc;
	h->line = csvin_line(s->in);
	h->duration = -1;
	snprintf(h->name, sizeof h->name, "%s", name);
	snprintf(h->group, sizeof h->group, "%s%s", qos[0] ? "qos:" : "", qos);
	if (strcmp(phase, "Running") != 0 && strcmp(phase, "Succeeded") != 0 &&
	    strcmp(phase, "Failed") != 0 && strcmp(phase, "Pending") != 0)
		return csvin_fail(s->in, P_PHASE, e, "expected Running, Succeeded, Failed or Pending, got \"%s\"",
				  phase);
	if (strcmp(phase, "Pending") == 0 || !import_field(s, P_SCHED)[0]) {
		/* never placed: asks for room from creation to deletion */
		if (del < create)
			return csvin_fail(s->in, P_DELETE, e, "expected a time >= creation_time (%lld), got \"%s\"",
					  (long long)create, import_field(s, P_DELETE));
		h->pending = 1;
		h->stop_at = td;
	} else if (sched < create) {
		return csvin_fail(s->in, P_SCHED, e, "expected a time >= creation_time (%lld), got \"%s\"",
				  (long long)create, import_field(s, P_SCHED));
	} else {
		/* deleted at deletion_time whatever its last phase: a Running
		 * pod too (the published list's Running pods are deleted all
		 * along its 149 days; 34 of 5,193 at its last time, 12,902,960 s) */
		if (del < sched)
			return csvin_fail(s->in, P_DELETE, e, "expected a time >= scheduled_time (%lld), got \"%s\"",
					  (long long)sched, import_field(s, P_DELETE));
		h->duration = import_ms(im, del - sched, 1000000);
	}
	if (import_needs(im, s, P_CPU, (double)cpu / im->ref_cpu_milli, P_MEM, (double)mem / im->ref_mem_mib,
			 &h->cpu, &h->mem, e) < 0)
		return -1;
	if (gpu > 0 || gpu_milli > 0 || import_field(s, P_SPEC)[0])
		im->st.gpu_dropped++;
	return 1;
}

static int fill_pods(struct import *im, struct src *s, struct err *e)
{
	struct held *h = s->aux;

	/* a loop, not a recursion: a long run of skipped pods (a name repeated
	 * while its pod is live) must not grow the stack */
	for (;;) {
		if (!h->has && !h->eof) {
			int r = read_pod(im, s, h, e);

			if (r < 0)
				return -1;
			if (r == 0)
				h->eof = 1;     /* the table's end: the pending stops left follow */
		}
		if (s->n_pend > 0 && (!h->has || s->pend[0].t <= h->t)) {
			struct pend p = pend_pop(s);
			int r = import_task_end(im, s, p.id, p.t);

			free(p.id);
			if (!r)
				continue;
			s->out.line = p.line;
			return 1;
		}
		if (!h->has)
			return 0;
		h->has = 0;
		if (h->pending) {
			if (!import_task_start(im, s, h->name, h->t, h->group, h->cpu, h->mem))
				continue;
			pend_push(s, h->stop_at, h->line, h->name);
		} else {
			import_row_init(s, TR_RUN_TASK, h->t);
			snprintf(s->group, sizeof s->group, "%s", h->group);
			s->out.duration = h->duration;
			s->out.cpu_units = h->cpu;
			s->out.mem_mib = h->mem;
		}
		s->out.line = h->line;
		return 1;
	}
}

int import_openb_open(struct import *im, const struct import_opts *o, struct err *e)
{
	if (!o->openb_nodes && !o->openb_pods)
		return err_at(e, NULL, 0, 0, NULL, "openb: give the node list, the pod list or both");
	if (o->task_events || o->machine_events || o->batch_task || o->container_meta || o->machine_meta ||
	    o->server_event || o->swf)
		return err_at(e, NULL, 0, 0, NULL, "openb: takes the node list and the pod list only");
	im->ref_cpu_milli = REF_CPU_MILLI;
	im->ref_mem_mib = REF_MEM_MIB;
	if (o->openb_nodes) {
		if (import_src_open_header(im, o->openb_nodes, node_cols, N_N, N_CPU, "", fill_nodes, e) < 0 ||
		    read_nodes(im, &im->src[im->nsrc - 1], e) < 0)
			return -1;
	}
	if (o->openb_pods) {
		if (import_src_open_header(im, o->openb_pods, pod_cols, P_N, P_CREATE,
					   "(head -1 F; tail -n +2 F | sort -t, -k9,9n -s) > F.sorted.csv",
					   fill_pods, e) < 0)
			return -1;
		im->src[im->nsrc - 1].aux = xcalloc(1, sizeof(struct held));
	}
	return 0;
}
