/* models/service_avail.c — a service's physical availability
 * (service_summary.csv availability_physical_pct, docs/ecs-model.md choice
 * E205).
 *
 * availability_pct is the control plane's view: a task on a host that
 * failed counts as running until ECS notices (the heartbeat timeout,
 * §7.4).  The physical view counts it as down from the host's failure
 * instant (BN_INSTANCE_DOWN): `ghost` of the service's running tasks are
 * such tasks, and svc_account integrates min((running - ghost) / desired, 1).
 * A service keeps, per failed instance, how many of its running tasks are
 * there; the entry goes when the last of them leaves RUNNING.
 */
#include <stdlib.h>
#include <string.h>

#include "models/service_int.h"
#include "sim/mem.h"

static struct svc_down *find_down(struct svc *v, int32_t inst)
{
	for (int i = 0; i < v->n_down; i++)
		if (v->down[i].inst == inst)
			return &v->down[i];
	return NULL;
}

void svc_avail_host_down(struct backplane *bp, int32_t inst)
{
	struct sched *sc = svc_sched(bp);
	size_t n;
	const uint32_t *on = bp_inst_slots(bp, inst, &n);
	int64_t *run = NULL;

	/* the services' running tasks there: from the tasks on the instance,
	 * not a pass over every service's tasks (an AZ outage's instances
	 * each cost their own tasks) */
	for (size_t j = 0; j < n; j++) {
		const struct task *t = bp_task_at(bp, on[j]);

		if (t->used && !t->queued && t->inst == inst && t->svc >= 0 && t->seen == TS_RUNNING) {
			if (!run)
				run = xcalloc((size_t)sc->n_svcs + 1, sizeof *run);
			run[t->svc]++;
		}
	}
#ifdef ECSIM_CHECKS
	for (int i = 0; i < sc->n_svcs; i++) {
		int64_t k = 0;

		for (int j = 0; j < sc->svcs[i].n_tasks; j++) {
			const struct task *t = bp_task_at(bp, sc->svcs[i].tasks[j]);

			k += t->inst == inst && t->seen == TS_RUNNING;
		}
		if (k != (run ? run[i] : 0))
			abort();
	}
#endif
	for (int i = 0; run && i < sc->n_svcs; i++) {
		struct svc *v = &sc->svcs[i];
		struct svc_down *d;
		int64_t k = run[i];

		if (k == 0)
			continue;
		svc_account(bp, v);
		d = find_down(v, inst);
		if (!d) {
			if (v->n_down == v->cap_down) {
				v->cap_down = v->cap_down ? 2 * v->cap_down : 4;
				v->down = xrealloc(v->down, (size_t)v->cap_down * sizeof *v->down);
			}
			d = &v->down[v->n_down++];
			d->inst = inst;
			d->n = 0;
		}
		d->n += k;
		v->ghost += k;
	}
	free(run);
}

void svc_avail_seen(struct svc *v, const struct task *t, int dir)
{
	struct svc_down *d;

	if (v->n_down == 0 || t->inst < 0)
		return;
	d = find_down(v, t->inst);
	if (!d)
		return;
	d->n += dir;
	v->ghost += dir;
	if (d->n == 0)
		*d = v->down[--v->n_down];
}
