/* models/cas.c — cluster auto scaling as an actor of the control plane:
 * the Auto Scaling groups of the scenario's capacity providers and ECS
 * managed scaling over them (docs/ecs-model.md §5.12).
 *
 * The group's instances at the start are registered by the backplane
 * (backplane_start).  Each minute (controlPlane.managedScalingPeriodSeconds,
 * 60 s), for each provider with managed scaling, the actor counts N (the
 * group's ACTIVE instances) and M (those running a non-daemon task; while
 * tasks wait for the provider's capacity, N plus a first-fit-decreasing
 * binpack of them onto empty instances of the group's type, ms_binpack),
 * publishes CapacityProviderReservation and applies the target-tracking
 * decision of models/capacity/managed_scaling.c:
 *   scale-out: the desired capacity rises; each new instance goes to the
 *     group's zone with the fewest of its instances (launching ones
 *     counted; ties: the zone listed first; a zone a whole-AZ outage
 *     keeps out takes none while another is up, choice E242), boots for a draw of
 *     `launchTimeSeconds` and then registers (bp_register_cp_instance);
 *     its warm-up counts from the launch request;
 *   scale-in: the desired capacity falls; the instances that go are
 *     chosen by ms_pick_scale_in (termination protection: only those with
 *     no non-daemon task); with managed draining they are set DRAINING and
 *     terminated once no non-daemon task is left on them (checked at the
 *     decision and at each minute, docs/ecs-model.md choice E62), else
 *     terminated at once (fault_instance_terminate: deregistered when the
 *     agent is connected, else left registered, choice E163);
 *   the group keeps its desired capacity: an instance lost otherwise (a
 *     failure) is replaced at the next minute; a deregistered one is not (its
 *     host runs on, outside the cluster, choice E101).
 * Every scale-out and scale-in is a row of scaling.csv (resource_type
 * capacity_provider, metric CapacityProviderReservation).  A scenario
 * without a managed-scaling provider schedules nothing and draws nothing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "models/backplane.h"
#include "models/bp_msg.h"
#include "models/capacity/capacity_config.h"
#include "models/capacity/managed_scaling.h"
#include "models/capacity/scaling_csv.h"
#include "models/cluster.h"
#include "models/faults.h"
#include "models/metrics.h"
#include "models/scenario.h"
#include "models/task.h"
#include "sim/dist.h"
#include "sim/mem.h"
#include "sim/rng.h"
#include "sim/sim.h"

#define LONG_AGO (INT64_MIN / 4) /* launch time of the instances there at the start */

struct cas_group {
	int p;                       /* the provider's index */
	const struct cap_provider *cfg;
	struct ms_state st;
	struct ms_type type;         /* one empty instance, for the binpack */
	int desired;                 /* the group's desired capacity */
	int64_t *launching;          /* request times of the instances still booting */
	size_t n_launching, cap_launching;
	int *az_launching;           /* booting instances per zone of the group */
	gsl_rng *rng;                /* launch times */
	/* the group's instances whose host is still billed (a superset: one
	 * whose host went away since the last refresh stays until the next),
	 * in registration order: every pass of a minute walks these, not
	 * every instance ever registered (refresh) */
	int32_t *mem;
	size_t n_mem, cap_mem;
};

struct cas {
	struct cas_group *g;
	int n;
	int64_t *launched;           /* per instance: its launch request (LONG_AGO: at the start) */
	unsigned char *draining;     /* per instance: chosen by scale-in, drained before termination */
	size_t cap_inst;
	int64_t *nd;                 /* non-daemon tasks per instance at the minute's start
				      * (the groups' members and the draining ones only) */
	size_t cap_nd;
	int32_t scanned;             /* the instances below it are in their group's list */
	int32_t *drn;                /* the instances with draining set (sorted by finish_drains) */
	size_t n_drn, cap_drn;
	uint32_t ev_tick, ev_boot;
};

/* The per-instance arrays cover instance i. */
static void cover(struct cas *c, int32_t i)
{
	size_t old = c->cap_inst;

	if ((size_t)i < c->cap_inst)
		return;
	c->cap_inst = (size_t)i + 64 > 2 * old ? (size_t)i + 64 : 2 * old;
	c->launched = xrealloc(c->launched, c->cap_inst * sizeof *c->launched);
	c->draining = xrealloc(c->draining, c->cap_inst * sizeof *c->draining);
	for (size_t k = old; k < c->cap_inst; k++) {
		c->launched[k] = LONG_AGO;
		c->draining[k] = 0;
	}
}

/* Instance i's AZ as the scenario's index (bp_instance_az; a zone none of
 * the scenario's, which validation rules out, counts as its first, as the
 * look-up by name did). */
static int zone_of(struct backplane *bp, int32_t i)
{
	int a = bp_instance_az(bp, i);

	return a < backplane_scenario(bp)->n_azs ? a : 0;
}

/* ---- M: the binpack of the waiting tasks -------------------------------- */

struct needs {
	const struct scenario *s;
	struct ms_need *v;
	size_t n, cap;
	int *ports;                  /* all needs' ports, one block each (owned) */
	size_t n_ports, cap_ports;
};

static void add_need(void *ctx, const struct task *t)
{
	struct needs *x = ctx;
	const struct place_req *r = &x->s->taskdefs[t->td].req;

	int np = r->n_ports_tcp + r->n_ports_udp;

	XGROW(x->v, x->cap, x->n + 1);
	x->v[x->n] = (struct ms_need){ .cpu = r->cpu_units, .mem_mib = r->mem_mib,
				       .enis = r->eni ? 1 : 0, .gpus = (int)r->gpus,
				       .n_ports = np, .count = 1 };
	/* static host ports of both protocols (§5.12), UDP ones apart */
	XGROW(x->ports, x->cap_ports, x->n_ports + (size_t)np + 1);
	for (int k = 0; k < r->n_ports_tcp; k++)
		x->ports[x->n_ports + (size_t)k] = r->ports_tcp[k];
	for (int k = 0; k < r->n_ports_udp; k++)
		x->ports[x->n_ports + (size_t)(r->n_ports_tcp + k)] = MS_PORT_UDP + r->ports_udp[k];
	/* the pointer is set once every need is in (the block may move) */
	x->v[x->n].ports = (const int *)(intptr_t)x->n_ports;
	x->n_ports += (size_t)np;
	x->n++;
}

static int waiting_instances(struct backplane *bp, struct cas_group *g)
{
	struct needs x = { .s = backplane_scenario(bp) };
	int m;

	bp_each_waiting(bp, g->p, add_need, &x);
	if (x.n == 0)
		return 0;
	for (size_t i = 0; i < x.n; i++)
		x.v[i].ports = x.ports + (intptr_t)x.v[i].ports;
	m = ms_binpack(&g->type, x.v, (int)x.n, NULL);
	free(x.v);
	free(x.ports);
	return m;
}

/* ---- applying a decision ------------------------------------------------- */

static void scale_out(struct backplane *bp, struct cas *c, int gi, int count)
{
	struct cas_group *g = &c->g[gi];
	struct cluster *cl = backplane_cluster(bp);
	sim_time_t now = sim_now(backplane_sim(bp));
	int na = g->cfg->asg.n_azs;
	int *per = xcalloc((size_t)na, sizeof *per);

	for (size_t k = 0; k < g->n_mem; k++) {
		int32_t i = g->mem[k];

		if (bp_instance_cp(bp, i) != g->p || cluster_status(cl, i) == INST_INACTIVE ||
		    !metrics_instance_billed(backplane_metrics(bp), i) ||
		    ((size_t)i < c->cap_inst && c->draining[i]))
			continue;
		for (int a = 0; a < na; a++)
			per[a] += g->cfg->asg.azs[a] == bp_instance_az(bp, i);
	}
	for (int k = 0; k < count; k++) {
		int best = -1, healthy = 0;
		double secs;

		/* Auto Scaling's default zone distribution (balanced best
		 * effort): a launch that fails in a zone goes to another
		 * healthy one, so a zone a whole-AZ outage keeps out takes
		 * none while another of the group's is up (choice E242) */
		for (int a = 0; a < na; a++)
			healthy |= !fault_az_out(bp, g->cfg->asg.azs[a]);
		for (int a = 0; a < na; a++)
			if ((!healthy || !fault_az_out(bp, g->cfg->asg.azs[a])) &&
			    (best < 0 || per[a] + g->az_launching[a] < per[best] + g->az_launching[best]))
				best = a;
		g->az_launching[best]++;
		XGROW(g->launching, g->cap_launching, g->n_launching + 1);
		g->launching[g->n_launching++] = now;
		secs = dist_sample(&g->cfg->asg.launch, g->rng);
		if (secs < 0)
			secs = 0;
		sim_after(backplane_sim(bp), sim_ms(secs), c->ev_boot, bp,
			  (uint64_t)gi << 48 | (uint64_t)best << 40 | ((uint64_t)now & 0xFFFFFFFFFFu));
	}
	free(per);
}

/* An instance launched for the group has booted: its agent registers. */
static void on_boot(struct sim *sim, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct cas *c = bp_actor_state(bp, BA_CAS);
	int gi = (int)(ev->arg >> 48), a = (int)(ev->arg >> 40 & 0xFF);
	int64_t at = (int64_t)(ev->arg & 0xFFFFFFFFFFu);
	struct cas_group *g = &c->g[gi];
	int32_t inst;

	(void)sim;
	for (size_t k = 0; k < g->n_launching; k++)
		if (g->launching[k] == at) {
			g->launching[k] = g->launching[--g->n_launching];
			break;
		}
	g->az_launching[a]--;
	inst = bp_register_cp_instance(bp, g->p, backplane_scenario(bp)->azs[g->cfg->asg.azs[a]]);
	if (inst < 0) {
		/* past limits.maxInstances its registration fails (choice E30):
		 * the launch failed, the group's desired capacity drops back */
		g->desired--;
		return;
	}
	cover(c, inst);
	c->launched[inst] = at;
}

static int inst_cmp(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* Terminate the draining instances that no longer run a non-daemon task. */
static void finish_drains(struct backplane *bp, struct cas *c)
{
	size_t kept = 0;

	/* in ascending order, as a pass over every instance would: a
	 * termination's rows and notes come in that order */
	if (c->n_drn > 1)
		qsort(c->drn, c->n_drn, sizeof *c->drn, inst_cmp);
	for (size_t k = 0; k < c->n_drn; k++) {
		int32_t i = c->drn[k];

		if (c->nd[i] == 0) {
			c->draining[i] = 0;
			fault_instance_terminate(bp, i);
		} else {
			c->drn[kept++] = i;
		}
	}
	c->n_drn = kept;
}

/* Instance i (covered) is chosen to drain. */
static void drain_mark(struct cas *c, int32_t i)
{
	if (c->draining[i])
		return;
	c->draining[i] = 1;
	XGROW(c->drn, c->cap_drn, c->n_drn + 1);
	c->drn[c->n_drn++] = i;
}

static void write_row(struct backplane *bp, const struct cas_group *g, const struct ms_decision *d,
		      int new_desired)
{
	struct scl_row r = { sim_now(backplane_sim(bp)), SCL_CAPACITY_PROVIDER, g->cfg->name,
			     "CapacityProviderReservation", d->reservation, d->old_desired, new_desired,
			     ms_action_name(d->action), d->reason };

	bp_scaling_write(bp, &r);
}

static void datapoint(struct backplane *bp, struct cas *c, int gi)
{
	struct cas_group *g = &c->g[gi];
	struct cluster *cl = backplane_cluster(bp);
	sim_time_t now = sim_now(backplane_sim(bp));
	struct ms_instance *v = xcalloc(g->n_mem + 1, sizeof *v);
	int64_t *times = xcalloc(g->n_mem + g->n_launching + 1, sizeof *times);
	struct ms_input in = { 0 };
	struct ms_decision d;
	int nv = 0, nt = 0, waiting;

	for (size_t k = 0; k < g->n_mem; k++) {
		int32_t i = g->mem[k];

		/* a failed host left registered (choice E163) is no longer in the group */
		if (bp_instance_cp(bp, i) != g->p || cluster_status(cl, i) != INST_ACTIVE ||
		    !metrics_instance_billed(backplane_metrics(bp), i))
			continue;
		cover(c, i);
		in.n++;
		if (c->nd[i] > 0)
			in.m++;
		else
			in.empty++;
		v[nv++] = (struct ms_instance){ .id = i, .az = zone_of(bp, i),
						 .launched_ms = c->launched[i],
						 .nondaemon_tasks = (int)c->nd[i] };
		if (c->launched[i] != LONG_AGO)     /* there at the start: long warmed up */
			times[nt++] = c->launched[i];
	}
	for (size_t k = 0; k < g->n_launching; k++)
		times[nt++] = g->launching[k];
	/* tasks waiting PROVISIONING fit no instance of N, empty ones
	 * included (an agent down, a constraint): the scale-out adds the
	 * estimate to N, M = N + estimate > N (docs/ecs-model.md §5.12,
	 * choice E243) */
	waiting = waiting_instances(bp, g);
	if (waiting > 0)
		in.m = in.n + waiting;
	in.desired = g->desired;
	in.warming = ms_count_warming(times, nt, now, g->cfg->ms.warmup_ms);
	ms_datapoint(&g->cfg->ms, &g->st, now, &in, &d);
	if (d.action == MS_SCALE_OUT) {
		write_row(bp, g, &d, d.new_desired);
		scale_out(bp, c, gi, d.new_desired - g->desired);
		g->desired = d.new_desired;
	} else if (d.action == MS_SCALE_IN) {
		int want = g->desired - d.new_desired;
		int *out = xcalloc((size_t)want + 1, sizeof *out);
		int got = ms_pick_scale_in(&g->cfg->ms, v, nv, want, out);

		write_row(bp, g, &d, g->desired - got);
		g->desired -= got;
		for (int k = 0; k < got; k++) {
			if (d.drain_first) {
				/* managed draining: no new task goes there; the
				 * services replace theirs elsewhere */
				backplane_drain_inst(bp, out[k]);
				drain_mark(c, out[k]);
			} else {
				fault_instance_terminate(bp, out[k]);
			}
		}
		free(out);
	}
	free(times);
	free(v);
}

/* Auto Scaling keeps the desired capacity: an instance of the group whose
 * host went away other than by scale-in (a failure; the container instance
 * may stay registered, choice E163) is replaced by a new launch
 * (docs/ecs-model.md choice E63).  A deregistered one is not: its EC2 host
 * runs on, billed and healthy to Auto Scaling, outside the cluster (choice
 * E101). */
static void replace_lost(struct backplane *bp, struct cas *c, int gi)
{
	struct cas_group *g = &c->g[gi];
	int in_service = (int)g->n_launching;

	for (size_t k = 0; k < g->n_mem; k++) {
		int32_t i = g->mem[k];

		if (bp_instance_cp(bp, i) == g->p &&
		    metrics_instance_billed(backplane_metrics(bp), i) &&
		    !((size_t)i < c->cap_inst && c->draining[i]))
			in_service++;
	}
	if (in_service < g->desired)
		scale_out(bp, c, gi, g->desired - in_service);
}

/* The lists against a pass over every instance (bp_msg.h). */
int cas_lists_agree(struct backplane *bp)
{
	const struct cas *c = bp_actor_state(bp, BA_CAS);
	int32_t n = cluster_count(backplane_cluster(bp));
	int32_t *d;
	size_t nd = 0;
	int ok = 1;

	if (!c)
		return 1;
	if (c->scanned > n)
		return 0;
	for (int gi = 0; gi < c->n; gi++) {
		const struct cas_group *g = &c->g[gi];
		size_t k = 0;

		for (int32_t i = 0; i < c->scanned; i++) {
			int in = k < g->n_mem && g->mem[k] == i;

			/* a member is the group's; an instance of the group
			 * still billed is a member (one whose host went since
			 * the minute's start may stay until the next) */
			if (in ? bp_instance_cp(bp, i) != g->p :
			    bp_instance_cp(bp, i) == g->p && metrics_instance_billed(backplane_metrics(bp), i))
				ok = 0;
			k += in;
		}
		if (k != g->n_mem)
			ok = 0;         /* not ascending, or past the instances scanned */
	}
	/* the draining list: the instances with draining set, in any order */
	d = xcalloc(c->n_drn + 1, sizeof *d);
	if (c->n_drn > 0)
		memcpy(d, c->drn, c->n_drn * sizeof *d);
	if (c->n_drn > 1)
		qsort(d, c->n_drn, sizeof *d, inst_cmp);
	for (int32_t i = 0; i < n && (size_t)i < c->cap_inst; i++)
		if (c->draining[i] && (nd >= c->n_drn || d[nd++] != i))
			ok = 0;
	if (nd != c->n_drn)
		ok = 0;
	free(d);
	return ok;
}

/* At the minute's start: the instances registered since the last minute
 * join their group's list (a provider's instances register only through
 * bp_register_cp_instance: at the start and at a boot, never inside a
 * minute's passes), those whose host is gone leave it (billing closes once
 * and never reopens: metrics_on_instance_up is an instance's registration);
 * and the non-daemon counts of the members and of the draining instances
 * are taken, the counts every pass of this minute reads (as a snapshot of
 * every instance's was, before).  O(new instances + members + draining):
 * a provider scaled out and in all month does not walk every instance it
 * ever had, each minute. */
static void refresh(struct backplane *bp, struct cas *c)
{
	const struct metrics *m = backplane_metrics(bp);
	int32_t n = cluster_count(backplane_cluster(bp));

	for (int32_t i = c->scanned; i < n; i++) {
		int p = bp_instance_cp(bp, i);

		for (int gi = 0; gi < c->n; gi++)
			if (c->g[gi].p == p) {
				struct cas_group *g = &c->g[gi];

				XGROW(g->mem, g->cap_mem, g->n_mem + 1);
				g->mem[g->n_mem++] = i;
				break;
			}
	}
	c->scanned = n;
	XGROW(c->nd, c->cap_nd, (size_t)n + 1);
	for (int gi = 0; gi < c->n; gi++) {
		struct cas_group *g = &c->g[gi];
		size_t kept = 0;

		for (size_t k = 0; k < g->n_mem; k++) {
			int32_t i = g->mem[k];

			if (metrics_instance_billed(m, i)) {
				g->mem[kept++] = i;
				c->nd[i] = bp_nondaemon_count(bp, i);
			}
		}
		g->n_mem = kept;
	}
	for (size_t k = 0; k < c->n_drn; k++)
		c->nd[c->drn[k]] = bp_nondaemon_count(bp, c->drn[k]);
#ifdef ECSIM_CHECKS
	if (!cas_lists_agree(bp))
		abort();
#endif
}

static void on_tick(struct sim *sim, void *ctx, const struct event *ev)
{
	struct backplane *bp = ctx;
	struct cas *c = bp_actor_state(bp, BA_CAS);

	(void)ev;
	refresh(bp, c);
	finish_drains(bp, c);
	for (int gi = 0; gi < c->n; gi++)
		replace_lost(bp, c, gi);
	for (int gi = 0; gi < c->n; gi++)
		if (c->g[gi].cfg->ms.enabled)
			datapoint(bp, c, gi);
	/* an instance drained by this minute's scale-in that is already empty */
	finish_drains(bp, c);
	sim_after(sim, backplane_scenario(bp)->timing.cas_period, c->ev_tick, bp, 0);
}

static void on_note(struct backplane *bp, void *ctx, const struct bp_note *n)
{
	struct cas *c = ctx;

	switch (n->kind) {
	case BN_GO:
		sim_after(backplane_sim(bp), backplane_scenario(bp)->timing.cas_period, c->ev_tick, bp, 0);
		break;
	case BN_FREE:
		for (int i = 0; i < c->n; i++) {
			free(c->g[i].launching);
			free((int *)c->g[i].type.taken);
			free(c->g[i].az_launching);
			free(c->g[i].mem);
		}
		free(c->g);
		free(c->drn);
		free(c->launched);
		free(c->draining);
		free(c->nd);
		free(c);
		bp_set_actor_state(bp, BA_CAS, NULL);
		break;
	default:
		break;
	}
}

static void take_ports(int **v, size_t *n, size_t *cap, const uint16_t *p, int np, int udp)
{
	XGROW(*v, *cap, *n + (size_t)np + 1);
	for (int k = 0; k < np; k++)
		(*v)[(*n)++] = (udp ? MS_PORT_UDP : 0) + p[k];
}

/* What one empty instance of the group offers: its registered resources
 * less what the DAEMON services' tasks reserve on it; the host ports it
 * holds before any task (the agent's reserved ports, choice D2, and the
 * daemon tasks' static ports) go to t->taken (owned by the caller). */
static void group_type(const struct scenario *s, const struct cap_provider *p, struct ms_type *t)
{
	struct instance_spec spec;
	struct inst_attr scratch[64];
	const uint16_t *rp;
	int *taken = NULL, nr;
	size_t n_taken = 0, cap_taken = 0;

	scenario_instance_spec(s, p->asg.type, s->azs[p->asg.azs[0]], NULL, 0, NULL, &spec, scratch);
	t->cpu = spec.cpu_units;
	t->mem_mib = spec.mem_mib;
	t->enis = spec.eni_tasks;
	t->gpus = spec.gpus;
	rp = cluster_reserved_ports(&spec, 0, &nr);
	take_ports(&taken, &n_taken, &cap_taken, rp, nr, 0);
	rp = cluster_reserved_ports(&spec, 1, &nr);
	take_ports(&taken, &n_taken, &cap_taken, rp, nr, 1);
	for (int i = 0; i < s->n_services; i++)
		if (s->services[i].sched == SCHED_DAEMON) {
			const struct place_req *r = &s->taskdefs[s->services[i].taskdef].req;

			t->cpu -= r->cpu_units;
			t->mem_mib -= r->mem_mib;
			t->enis -= r->eni ? 1 : 0;
			t->gpus -= (int)r->gpus;
			take_ports(&taken, &n_taken, &cap_taken, r->ports_tcp, r->n_ports_tcp, 0);
			take_ports(&taken, &n_taken, &cap_taken, r->ports_udp, r->n_ports_udp, 1);
		}
	t->taken = taken;
	t->n_taken = (int)n_taken;
}

void cas_attach(struct backplane *bp)
{
	struct scenario *s = backplane_scenario(bp);
	struct cas *c;
	int n = 0;

	for (int i = 0; s->capacity && i < s->capacity->n_providers; i++)
		n += s->capacity->providers[i].kind == CAP_ASG && s->capacity->providers[i].ms.enabled;
	if (!n)
		return;                 /* nothing scales: no events, no draws */
	c = xcalloc(1, sizeof *c);
	c->g = xcalloc((size_t)n, sizeof *c->g);
	bp_count_nondaemon(bp);
	for (int i = 0; i < s->capacity->n_providers; i++) {
		const struct cap_provider *p = &s->capacity->providers[i];
		struct cas_group *g;
		char name[160];

		if (p->kind != CAP_ASG || !p->ms.enabled)
			continue;
		g = &c->g[c->n++];
		g->p = i;
		g->cfg = p;
		g->desired = p->asg.desired;
		ms_state_init(&g->st);
		group_type(s, p, &g->type);
		g->az_launching = xcalloc((size_t)p->asg.n_azs, sizeof *g->az_launching);
		snprintf(name, sizeof name, "capacity/%s/launch", p->name);
		g->rng = rng_stream(backplane_rng(bp), name);
	}
	c->ev_tick = sim_on(backplane_sim(bp), "managed-scaling-tick", on_tick, bp);
	c->ev_boot = sim_on(backplane_sim(bp), "asg-instance-boot", on_boot, bp);
	bp_set_actor_state(bp, BA_CAS, c);
	bp_scaling_open(bp);
	bp_subscribe(bp, BN_BIT(BN_GO) | BN_BIT(BN_FREE), on_note, c);
}
