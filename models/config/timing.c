/* models/config/timing.c — the control plane's and the agents' timings:
 * $.controlPlane, $.agent and a group's agent settings (docs/ecs-model.md
 * §3, §5, §7; defaults §10.2, listed in scenarios/README.md).  Used by
 * models/backplane.c, models/agent.c and models/service.c.
 */
#include <stdio.h>
#include <string.h>

#include "models/config/sections.h"
#include "models/scenario.h"
#include "sim/jsonrd.h"

static int opt_sec(struct jr *c, const char *key, double dflt, sim_time_t *out)
{
	double v;

	if (jr_opt_num(c, key, dflt, 0, 1e9, &v))
		return -1;
	*out = sim_ms(v);
	return 0;
}

/* The containers' start step (docs/ecs-model.md §7.3, choice E207): the
 * given containerStartSeconds, or, when that exceeds the start or the create
 * timeout, the smaller of the two, after which the task fails to start. */
void timing_start_step(struct scn_timing *t)
{
	sim_time_t lim = t->start_timeout < t->create_timeout ? t->start_timeout : t->create_timeout;

	t->start_times_out = t->start_given > lim;
	t->container_start = t->start_times_out ? lim : t->start_given;
}

/* ECS_CONTAINER_START_TIMEOUT's default: 3 min, 8 min on Windows
 * (docs/ecs-model.md §7.3). */
void timing_os_start_timeout(struct scn_timing *t, const char *os_family)
{
	if (t->start_timeout_set)
		return;
	t->start_timeout = strncmp(os_family, "WINDOWS_SERVER_", 15) == 0 ? 480000 : 180000;
	timing_start_step(t);
}

/* The agent's settings (a scenario's $.agent, or a group's): `out` starts as
 * a copy of `base`; an imagePullSeconds given here is parsed into out (the
 * caller owns it then: *own_pull). */
int agent_config_read_into(struct scenario *s, const cJSON *obj, const char *path,
			   const struct scn_timing *base, struct scn_timing *out, int *own_pull,
			   struct err *e)
{
	struct jr c;
	const cJSON *pull;
	char p[200];

	if (out != base)
		*out = *base;
	*own_pull = 0;
	if (jr_open(&c, obj, s->file, path, e) ||
	    opt_sec(&c, "networkDelaySeconds", (double)base->network_delay / 1000, &out->network_delay) ||
	    opt_sec(&c, "imagePullCachedSeconds", (double)base->image_pull_cached / 1000, &out->image_pull_cached) ||
	    opt_sec(&c, "containerStartSeconds", (double)base->start_given / 1000, &out->start_given) ||
	    opt_sec(&c, "containerStartTimeoutSeconds", (double)base->start_timeout / 1000, &out->start_timeout) ||
	    opt_sec(&c, "containerCreateTimeoutSeconds", (double)base->create_timeout / 1000, &out->create_timeout) ||
	    jr_opt_num(&c, "startFailureProbability", base->start_failure_p, 0, 1, &out->start_failure_p) ||
	    opt_sec(&c, "shutdownSeconds", (double)base->shutdown / 1000, &out->shutdown) ||
	    opt_sec(&c, "stopTimeoutSeconds", (double)base->stop_timeout / 1000, &out->stop_timeout) ||
	    opt_sec(&c, "eniAttachSeconds", (double)base->eni_attach / 1000, &out->eni_attach) ||
	    opt_sec(&c, "eniDetachSeconds", (double)base->eni_detach / 1000, &out->eni_detach) ||
	    opt_sec(&c, "reconnectInitialSeconds", (double)base->reconnect_initial / 1000, &out->reconnect_initial) ||
	    jr_opt_num(&c, "reconnectMultiplier", base->reconnect_multiplier, 1, 100, &out->reconnect_multiplier) ||
	    opt_sec(&c, "reconnectMaxSeconds", (double)base->reconnect_max / 1000, &out->reconnect_max) ||
	    jr_opt_num(&c, "reconnectJitter", base->reconnect_jitter, 0, 1, &out->reconnect_jitter))
		return -1;
	pull = jr_get(&c, "imagePullSeconds");
	/* ECS_CONTAINER_START_TIMEOUT has no stated floor: above 0 here;
	 * ECS_CONTAINER_CREATE_TIMEOUT's is 1 minute (docs/ecs-model.md §7.3) */
	if (jr_has(&c, "containerStartTimeoutSeconds") && out->start_timeout <= 0)
		return jr_fail(&c, "containerStartTimeoutSeconds", "expected a number > 0, got 0");
	if (jr_has(&c, "containerStartTimeoutSeconds"))
		out->start_timeout_set = 1;
	if (jr_has(&c, "containerCreateTimeoutSeconds") && out->create_timeout < 60000)
		return jr_fail(&c, "containerCreateTimeoutSeconds", "expected a number >= 60 (the agent's minimum), got %g",
			       (double)out->create_timeout / 1000);
	if (jr_end(&c))
		return -1;
	timing_start_step(out);
	if (pull) {
		snprintf(p, sizeof p, "%s.imagePullSeconds", path);
		if (dist_parse(&out->image_pull, pull, s->file, p, s->dir, e))
			return -1;
		*own_pull = 1;
	}
	return 0;
}

/* $.controlPlane, and the defaults of every timing, the agent's included
 * (docs/ecs-model.md §10.2) */
int controlplane_config_read(struct scenario *s, const cJSON *cp, struct err *e)
{
	struct scn_timing *t = &s->timing;
	struct jr c;
	int64_t after = 3, bmin = 3, launches = 500;
	double cas = 60, aas = 60, window = 60, rebal = 60, repeat = 21600;

	*t = (struct scn_timing){
		.placement_latency = 1000, .api_latency = 100, .scheduler_delay = 10000,
		.network_delay = 50, .image_pull_cached = 1000, .container_start = 1000,
		.start_given = 1000, .start_timeout = 180000, .create_timeout = 240000,
		.start_failure_p = 0, .shutdown = 2000, .stop_timeout = 30000,
		.eni_attach = 5000, .eni_detach = 5000, .heartbeat_timeout = 60000,
		.heartbeat_jitter = 60000, .healthy_after = 40000, .health_check = 0,
		.throttle_initial = 30000, .throttle_max = 900000, .cas_period = 60000,
		.aas_period = 60000,
		.reconnect_initial = 250, .reconnect_multiplier = 1.5, .reconnect_max = 120000,
		.reconnect_jitter = 0.2, .svc_launch_limit = 500, .svc_launch_window = 60000,
		.rebalance_check = 60000, .event_repeat = 21600000,
	};
	t->image_pull.kind = DIST_CONSTANT;
	t->image_pull.a = 20;
	if (cp && (jr_open(&c, cp, s->file, "$.controlPlane", e) ||
		   opt_sec(&c, "placementLatencySeconds", 1, &t->placement_latency) ||
		   opt_sec(&c, "apiLatencySeconds", 0.1, &t->api_latency) ||
		   opt_sec(&c, "schedulerDelaySeconds", 10, &t->scheduler_delay) ||
		   opt_sec(&c, "healthyAfterSeconds", 40, &t->healthy_after) ||
		   opt_sec(&c, "healthCheckSeconds", 0, &t->health_check) ||
		   opt_sec(&c, "throttleInitialSeconds", 30, &t->throttle_initial) ||
		   opt_sec(&c, "throttleMaxSeconds", 900, &t->throttle_max) ||
		   jr_opt_int(&c, "throttleAfterFailures", 3, 1, 1000, &after) ||
		   jr_opt_int(&c, "circuitBreakerMinimum", 3, 1, 200, &bmin) ||
		   opt_sec(&c, "heartbeatTimeoutSeconds", 60, &t->heartbeat_timeout) ||
		   opt_sec(&c, "heartbeatJitterSeconds", 60, &t->heartbeat_jitter) ||
		   jr_opt_num(&c, "managedScalingPeriodSeconds", 60, 1, 86400, &cas) ||
		   jr_opt_num(&c, "serviceAutoScalingPeriodSeconds", 60, 1, 86400, &aas) ||
		   jr_opt_int(&c, "serviceLaunchesPerWindow", 500, 0, 1000000, &launches) ||
		   jr_opt_num(&c, "serviceLaunchWindowSeconds", 60, 0.001, 86400, &window) ||
		   jr_opt_num(&c, "rebalanceCheckSeconds", 60, 0.001, 86400, &rebal) ||
		   jr_opt_num(&c, "serviceEventRepeatSeconds", 21600, 0.001, 31536000, &repeat) ||
		   jr_end(&c)))
		return -1;
	t->cas_period = sim_ms(cas);
	/* ECS's service metrics, one datapoint a minute (docs/ecs-model.md
	 * §5.10, choice E236) */
	t->aas_period = sim_ms(aas);
	/* the service launch-rate quota (docs/ecs-model.md §7.5, choice E113) */
	t->svc_launch_limit = launches;
	t->svc_launch_window = sim_ms(window);
	/* the AZ-rebalancing check (docs/ecs-model.md §5.9, choice E118) */
	t->rebalance_check = sim_ms(rebal);
	/* the repetition of service events: ECS's 6 hours (docs/ecs-model.md
	 * §4.9, choice E172) */
	t->event_repeat = sim_ms(repeat);
	t->throttle_after = (int)after;
	t->breaker_min = (int)bmin;
	return 0;
}

/* $.agent over the defaults (read with $.controlPlane, just before) */
int agent_config_read(struct scenario *s, const cJSON *agent, struct err *e)
{
	int own;

	if (!agent)
		return 0;
	return agent_config_read_into(s, agent, "$.agent", &s->timing, &s->timing, &own, e);
}

void agent_config_free(struct scenario *s)
{
	dist_free(&s->timing.image_pull);
}
