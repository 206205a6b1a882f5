/* models/taskdef_cost.c — what a validated task definition costs on an
 * instance (docs/ecs-model.md §1.6: CPU, memory, GPUs, ENI, static host
 * ports) and the derived requirements as JSON (what `ecsim inspect` prints).
 */
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "models/taskdef_int.h"

static int cmp_u16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static void take_ports(struct td_ctx *x, int awsvpc, int udp, uint16_t **out, int *n)
{
	*out = x->ports[awsvpc][udp];
	*n = x->n_ports[awsvpc][udp];
	x->ports[awsvpc][udp] = NULL;
	if (*n > 1)
		qsort(*out, (size_t)*n, sizeof **out, cmp_u16);
}

void td_finish_cost(struct td_ctx *x)
{
	struct taskdef *td = x->td;
	int64_t cpu = 0, mem = 0;

	td->stop_timeout_s = -1;
	td->restart_ms = -1;
	for (int i = 0; i < td->n_containers; i++) {
		if (td->containers[i].essential) {   /* the first essential one (E158) */
			if (td->containers[i].restart_enabled)
				td->restart_ms = (int64_t)td->containers[i].restart_period_s * 1000;
			break;
		}
	}
	for (int i = 0; i < td->n_containers; i++) {
		const struct td_container *ct = &td->containers[i];

		cpu += ct->cpu;
		mem += ct->memory_reservation_mib > 0 ? ct->memory_reservation_mib : ct->memory_mib;
		td->memory_reservation_mib += ct->memory_reservation_mib;
		td->gpu += ct->gpu;
		if (ct->stop_timeout_s > td->stop_timeout_s)
			td->stop_timeout_s = ct->stop_timeout_s;
		if (ct->stop_timeout_s < 0)
			td->stop_timeout_unset = 1;
	}
	/* docs/ecs-model.md §1.6; Windows uses the container sums (B15) */
	td->cpu_units = td->task_cpu && !td->windows ? td->task_cpu : cpu;
	td->memory_mib = td->task_memory_mib && !td->windows ? td->task_memory_mib : mem;
	td->eni = td->netmode == TD_NET_AWSVPC;
	take_ports(x, 0, 0, &td->host_ports_tcp, &td->n_host_ports_tcp);
	take_ports(x, 0, 1, &td->host_ports_udp, &td->n_host_ports_udp);
	take_ports(x, 1, 0, &td->awsvpc_ports_tcp, &td->n_awsvpc_ports_tcp);
	take_ports(x, 1, 1, &td->awsvpc_ports_udp, &td->n_awsvpc_ports_udp);
}

/* The first passing check of container ct, ms from its start (E110): at
 * k × interval, k >= 1, not before ready_ms. */
int64_t taskdef_first_pass_ms(const struct td_container *ct, int64_t ready_ms)
{
	int64_t every = (int64_t)ct->hc_interval_s * 1000;

	return ready_ms <= every ? every : (ready_ms + every - 1) / every * every;
}

/* Container i's start (ms from the pull's end) into at[], its dependencies'
 * first; state: 0 not seen, 1 on the path, 2 done.  -1 on a cycle. */
static int start_of(const struct taskdef *td, int i, int64_t start_ms, int64_t ready_ms,
		    int late, int64_t late_ms, int64_t *at, int *state)
{
	const struct td_container *ct = &td->containers[i];
	int64_t after = 0;

	if (state[i] == 2)
		return 0;
	if (state[i] == 1)
		return -1;
	state[i] = 1;
	for (int k = 0; k < ct->n_deps; k++) {
		const struct td_dep *d = &ct->deps[k];
		int64_t ready;

		if (start_of(td, d->idx, start_ms, ready_ms, late, late_ms, at, state))
			return -1;
		ready = at[d->idx];
		/* COMPLETE, SUCCESS: the container exits as it starts (E156) */
		if (d->cond == TD_DEP_HEALTHY)
			ready += taskdef_first_pass_ms(&td->containers[d->idx], ready_ms) +
				(d->idx == late ? late_ms : 0);
		if (ready > after)
			after = ready;
	}
	at[i] = after + start_ms;
	state[i] = 2;
	return 0;
}

/* A definition whose dependencies can never all hold (a cycle, HEALTHY on
 * a container without a healthCheck): the agent refuses the task before
 * it starts any container (E157), so no container starts: 1, fail_ms
 * start_ms. */
static int never_starts(const struct taskdef *td, struct td_start_plan *p)
{
	for (int i = 0; i < td->n_containers; i++)
		p->start[i] = TD_NEVER_MS;
	return 1;
}

/* docs/ecs-model.md §1.4, choices E156, E157 */
int taskdef_start_plan(const struct taskdef *td, int64_t start_ms, int64_t ready_ms,
		       struct td_start_plan *p)
{
	return taskdef_start_plan_late(td, start_ms, ready_ms, -1, 0, p);
}

/* docs/ecs-model.md §1.4, choices E156, E157, E175 */
int taskdef_start_plan_late(const struct taskdef *td, int64_t start_ms, int64_t ready_ms, int late,
			    int64_t late_ms, struct td_start_plan *p)
{
	int64_t *at = p->start, fail = -1, healthy = -1;
	int state[16] = { 0 }, never = 0;

	p->running_ms = start_ms;
	p->healthy_ms = -1;
	p->fail_ms = start_ms;
	for (int i = 0; i < td->n_containers; i++)
		if (start_of(td, i, start_ms, ready_ms, late, late_ms, at, state))
			return never_starts(td, p);   /* a cycle: never resolves */
	for (int i = 0; i < td->n_containers; i++) {
		const struct td_container *ct = &td->containers[i];

		if (at[i] > p->running_ms)
			p->running_ms = at[i];
		for (int k = 0; k < ct->n_deps; k++) {
			const struct td_dep *d = &ct->deps[k];
			const struct td_container *dc = &td->containers[d->idx];
			int64_t limit;

			if (d->cond == TD_DEP_HEALTHY && !dc->has_health_check)
				return never_starts(td, p);   /* never HEALTHY */
			/* the agent gives up startTimeout after the dependency's
			 * start, for a condition other than START, when it does
			 * not hold by then (a HEALTHY one: its first pass) */
			if (d->cond == TD_DEP_HEALTHY && d->idx == late && late_ms >= TD_NEVER_MS &&
			    dc->start_timeout_s <= 0)
				never = 1;         /* waits for good (E175) */
			if (d->cond != TD_DEP_HEALTHY || dc->start_timeout_s <= 0)
				continue;
			limit = (int64_t)dc->start_timeout_s * 1000;
			if (taskdef_first_pass_ms(dc, ready_ms) + (d->idx == late ? late_ms : 0) > limit &&
			    (fail < 0 || at[d->idx] + limit < fail))
				fail = at[d->idx] + limit;
		}
		if (ct->essential && ct->has_health_check && at[i] + taskdef_first_pass_ms(ct, ready_ms) > healthy)
			healthy = at[i] + taskdef_first_pass_ms(ct, ready_ms);
	}
	if (fail >= 0 && fail < TD_NEVER_MS / 2) {
		p->fail_ms = fail;
		return 1;
	}
	if (never || fail >= 0 || p->running_ms >= TD_NEVER_MS / 2)
		return 2;             /* behind a condition that never holds */
	p->healthy_ms = healthy < 0 ? -1 : healthy > p->running_ms ? healthy - p->running_ms : 0;
	return 0;
}

/* Container i's exit, ms from the stop signal (its dependents' first);
 * bit i of `up` clear: it never started, it exits at once (E144). */
static int64_t stop_of(const struct taskdef *td, int i, int64_t shutdown_ms, int64_t dflt_ms,
		       unsigned up, int e, int64_t exit_ms, int64_t *done)
{
	const struct td_container *ct = &td->containers[i];
	int64_t after = 0, own;

	if (done[i] >= 0)
		return done[i];
	done[i] = 0;                           /* (a cycle: cut) */
	for (int j = 0; j < td->n_containers; j++)
		for (int k = 0; k < td->containers[j].n_deps; k++)
			if (td->containers[j].deps[k].idx == i) {
				int64_t x = stop_of(td, j, shutdown_ms, dflt_ms, up, e, exit_ms, done);

				if (x > after)
					after = x;
			}
	own = ct->stop_timeout_s >= 0 ? (int64_t)ct->stop_timeout_s * 1000 : dflt_ms;
	if (!(up >> i & 1))
		own = 0;
	/* the target of a COMPLETE or SUCCESS dependency exited as it
	 * started (E156): nothing to stop */
	for (int j = 0; j < td->n_containers; j++)
		for (int k = 0; k < td->containers[j].n_deps; k++)
			if (td->containers[j].deps[k].idx == i && (td->containers[j].deps[k].cond == TD_DEP_COMPLETE ||
								  td->containers[j].deps[k].cond == TD_DEP_SUCCESS))
				own = 0;
	done[i] = after + (shutdown_ms < own ? shutdown_ms : own);
	/* container e's own run ended exit_ms after the signal: it has
	 * exited then, signal or not (docs/ecs-model.md §3.2) */
	if (i == e && exit_ms < done[i])
		done[i] = exit_ms;
	return done[i];
}

/* The stop wait over the containers of bit set `up` (E159, E144);
 * container e (-1: none) exits by itself exit_ms after the signal */
static int64_t stop_wait_of(const struct taskdef *td, int64_t shutdown_ms, int64_t dflt_ms, unsigned up,
			    int e, int64_t exit_ms)
{
	int64_t done[16], wait = 0;

	for (int i = 0; i < td->n_containers; i++)
		done[i] = -1;
	for (int i = 0; i < td->n_containers; i++) {
		int64_t x = stop_of(td, i, shutdown_ms, dflt_ms, up, e, exit_ms, done);

		if (x > wait)
			wait = x;
	}
	return wait;
}

/* docs/ecs-model.md §3.2, choice E159 */
int64_t taskdef_stop_wait_ms(const struct taskdef *td, int64_t shutdown_ms, int64_t dflt_ms)
{
	if (!td->has_deps) {
		int64_t grace = taskdef_stop_grace_ms(td, dflt_ms);

		return shutdown_ms < grace ? shutdown_ms : grace;
	}
	return stop_wait_of(td, shutdown_ms, dflt_ms, ~0u, -1, 0);
}

/* docs/ecs-model.md §3.2, choices E158, E159 */
int64_t taskdef_stop_wait_exit_ms(const struct taskdef *td, int64_t shutdown_ms, int64_t dflt_ms, int64_t exit_ms)
{
	int e = 0;
	int64_t wait = 0;

	while (e < td->n_containers - 1 && !td->containers[e].essential)
		e++;
	if (exit_ms < 0)
		exit_ms = 0;
	if (td->has_deps)
		return stop_wait_of(td, shutdown_ms, dflt_ms, ~0u, e, exit_ms);
	/* stop_wait_of with no dependency, in one pass (every task's exit
	 * comes here): each container stops within its own grace, container
	 * e by its exit at the latest */
	for (int i = 0; i < td->n_containers; i++) {
		const struct td_container *ct = &td->containers[i];
		int64_t own = ct->stop_timeout_s >= 0 ? (int64_t)ct->stop_timeout_s * 1000 : dflt_ms;
		int64_t x = shutdown_ms < own ? shutdown_ms : own;

		if (i == e && exit_ms < x)
			x = exit_ms;
		if (x > wait)
			wait = x;
	}
	return wait;
}

/* docs/ecs-model.md §3.2, choices E159, E144 */
int64_t taskdef_stop_wait_started_ms(const struct taskdef *td, int64_t shutdown_ms, int64_t dflt_ms,
				     const int64_t *start, int64_t by_ms)
{
	unsigned up = 0;

	for (int i = 0; i < td->n_containers; i++)
		if (start[i] <= by_ms)
			up |= 1u << i;
	return up ? stop_wait_of(td, shutdown_ms, dflt_ms, up, -1, 0) : 0;
}

/* docs/ecs-model.md §5.2, choice E110 */
int64_t taskdef_healthy_ms(const struct taskdef *td, int64_t ready_ms)
{
	int64_t at = -1;

	for (int i = 0; i < td->n_containers; i++) {
		const struct td_container *ct = &td->containers[i];
		int64_t every, first;

		if (!ct->essential || !ct->has_health_check)
			continue;
		/* the first check passing: at k × interval, k >= 1, not before ready_ms */
		every = (int64_t)ct->hc_interval_s * 1000;
		first = ready_ms <= every ? every : (ready_ms + every - 1) / every * every;
		if (first > at)
			at = first;
	}
	return at;
}

const char *td_netmode_name(enum td_netmode m)
{
	switch (m) {
	case TD_NET_BRIDGE: return "bridge";
	case TD_NET_HOST: return "host";
	case TD_NET_AWSVPC: return "awsvpc";
	case TD_NET_NONE: return "none";
	case TD_NET_DEFAULT: return "default";
	}
	return "?";
}

static cJSON *port_array(const uint16_t *p, int n)
{
	cJSON *a = cJSON_CreateArray();

	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateNumber(p[i]));
	return a;
}

static cJSON *tcp_udp(const uint16_t *tcp, int ntcp, const uint16_t *udp, int nudp)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddItemToObject(o, "tcp", port_array(tcp, ntcp));
	cJSON_AddItemToObject(o, "udp", port_array(udp, nudp));
	return o;
}

static void add_opt_int(cJSON *o, const char *key, long long v, long long none)
{
	if (v == none)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddNumberToObject(o, key, (double)v);
}

static cJSON *container_json(const struct taskdef *td, const struct td_container *ct)
{
	cJSON *o = cJSON_CreateObject(), *ports = cJSON_CreateArray(), *deps;

	cJSON_AddStringToObject(o, "name", ct->name);
	if (ct->image)
		cJSON_AddStringToObject(o, "image", ct->image);
	else
		cJSON_AddNullToObject(o, "image");
	cJSON_AddBoolToObject(o, "essential", ct->essential);
	cJSON_AddNumberToObject(o, "cpu", (double)ct->cpu);
	cJSON_AddNumberToObject(o, "memory", (double)ct->memory_mib);
	cJSON_AddNumberToObject(o, "memoryReservation", (double)ct->memory_reservation_mib);
	cJSON_AddNumberToObject(o, "gpu", (double)ct->gpu);
	for (int i = 0; i < ct->n_ports; i++) {
		const struct td_port *p = &ct->ports[i];
		cJSON *pj = cJSON_CreateObject();
		const char *kind;

		if (p->range_hi) {
			char r[32];

			snprintf(r, sizeof r, "%d-%d", p->range_lo, p->range_hi);
			cJSON_AddStringToObject(pj, "containerPortRange", r);
			cJSON_AddNullToObject(pj, "containerPort");
		} else {
			cJSON_AddNumberToObject(pj, "containerPort", p->container_port);
		}
		add_opt_int(pj, "hostPort", p->host_port, -1);
		cJSON_AddStringToObject(pj, "protocol", p->udp ? "udp" : "tcp");
		if (td->netmode == TD_NET_AWSVPC)
			kind = p->range_hi ? "awsvpc-range" : "awsvpc";
		else if (td->netmode == TD_NET_HOST)
			kind = "static";
		else
			kind = p->range_hi || p->host_port <= 0 ? "dynamic" : "static";
		cJSON_AddStringToObject(pj, "kind", kind);
		cJSON_AddItemToArray(ports, pj);
	}
	cJSON_AddItemToObject(o, "ports", ports);
	add_opt_int(o, "stopTimeout", ct->stop_timeout_s, -1);
	add_opt_int(o, "startTimeout", ct->start_timeout_s, -1);
	cJSON_AddBoolToObject(o, "healthCheck", ct->has_health_check);
	/* dependsOn as given, each dependency by name (docs/ecs-model.md §1.4) */
	deps = cJSON_AddArrayToObject(o, "dependsOn");
	for (int k = 0; k < ct->n_deps; k++) {
		static const char *const cond[] = { "START", "COMPLETE", "SUCCESS", "HEALTHY" };
		cJSON *d = cJSON_CreateObject();

		cJSON_AddStringToObject(d, "containerName", td->containers[ct->deps[k].idx].name);
		cJSON_AddStringToObject(d, "condition", cond[ct->deps[k].cond]);
		cJSON_AddItemToArray(deps, d);
	}
	/* restartPolicy (choice E158): null when not enabled (absent, or
	 * enabled false: the same to ecsim) */
	if (ct->restart_enabled) {
		cJSON *rp = cJSON_AddObjectToObject(o, "restartPolicy");

		cJSON_AddBoolToObject(rp, "enabled", 1);
		cJSON_AddNumberToObject(rp, "restartAttemptPeriod", ct->restart_period_s);
	} else {
		cJSON_AddNullToObject(o, "restartPolicy");
	}
	return o;
}

char *taskdef_to_json(const struct taskdef *td)
{
	static const char *const shapes[] = { "register", "describe", "containers-array" };
	static const struct { unsigned bit; const char *name; } lt[] = {
		{ TD_LAUNCH_EC2, "EC2" }, { TD_LAUNCH_FARGATE, "FARGATE" },
		{ TD_LAUNCH_EXTERNAL, "EXTERNAL" },
		{ TD_LAUNCH_MANAGED_INSTANCES, "MANAGED_INSTANCES" },
	};
	cJSON *o = cJSON_CreateObject(), *a, *rp;
	char *s;

	cJSON_AddStringToObject(o, "family", td->family);
	add_opt_int(o, "revision", td->revision, 0);
	cJSON_AddStringToObject(o, "shape", shapes[td->shape]);
	a = cJSON_AddArrayToObject(o, "launchTypes");
	for (size_t i = 0; i < sizeof lt / sizeof lt[0]; i++) {
		if (td->launch & lt[i].bit)
			cJSON_AddItemToArray(a, cJSON_CreateString(lt[i].name));
	}
	cJSON_AddStringToObject(o, "networkMode", td_netmode_name(td->netmode));
	add_opt_int(o, "taskCpu", td->task_cpu, 0);
	add_opt_int(o, "taskMemory", td->task_memory_mib, 0);
	cJSON_AddNumberToObject(o, "cpu", (double)td->cpu_units);
	cJSON_AddNumberToObject(o, "memory", (double)td->memory_mib);
	cJSON_AddNumberToObject(o, "memoryReservation", (double)td->memory_reservation_mib);
	cJSON_AddNumberToObject(o, "gpu", (double)td->gpu);
	cJSON_AddNumberToObject(o, "eni", td->eni);
	cJSON_AddItemToObject(o, "hostPorts", tcp_udp(td->host_ports_tcp, td->n_host_ports_tcp,
						      td->host_ports_udp, td->n_host_ports_udp));
	cJSON_AddNumberToObject(o, "dynamicPorts", td->dynamic_ports);
	cJSON_AddItemToObject(o, "awsvpcPorts",
			      tcp_udp(td->awsvpc_ports_tcp, td->n_awsvpc_ports_tcp,
				      td->awsvpc_ports_udp, td->n_awsvpc_ports_udp));
	a = cJSON_AddArrayToObject(o, "constraints");
	for (int i = 0; i < td->n_constraints; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(td->constraints[i]));
	if (td->os_family || td->cpu_arch) {
		rp = cJSON_AddObjectToObject(o, "runtimePlatform");
		if (td->os_family)
			cJSON_AddStringToObject(rp, "operatingSystemFamily", td->os_family);
		else
			cJSON_AddNullToObject(rp, "operatingSystemFamily");
		if (td->cpu_arch)
			cJSON_AddStringToObject(rp, "cpuArchitecture", td->cpu_arch);
		else
			cJSON_AddNullToObject(rp, "cpuArchitecture");
	} else {
		cJSON_AddNullToObject(o, "runtimePlatform");
	}
	cJSON_AddBoolToObject(o, "windows", td->windows);
	add_opt_int(o, "stopTimeout", td->stop_timeout_s, -1);
	cJSON_AddNumberToObject(o, "essentialContainers", td->n_essential);
	a = cJSON_AddArrayToObject(o, "containers");
	for (int i = 0; i < td->n_containers; i++)
		cJSON_AddItemToArray(a, container_json(td, &td->containers[i]));
	s = cJSON_Print(o);
	cJSON_Delete(o);
	return s;
}
