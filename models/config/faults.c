/* models/config/faults.c — the faults a scenario injects (docs/ecs-model.md
 * §8): $.azOutages, and a group's failures, Auto Scaling replacement, Spot
 * interruptions and agent disconnects.  Run by models/faults.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/config/sections.h"
#include "models/scenario.h"
#include "sim/jsonrd.h"
#include "sim/mem.h"

/* A group's agent disconnects, failure, Auto Scaling and Spot settings
 * (docs/ecs-model.md §8.3, §8.4, §5.13). */
int faults_config_read_group(struct scenario *s, struct scn_group *g, const char *path,
			     const cJSON *fail, const cJSON *asg, const cJSON *spot,
			     const cJSON *disc, struct err *e)
{
	char p[200];
	struct jr c;
	double delay;

	if (disc) {
		struct jr dc;
		const cJSON *ia, *len;

		snprintf(p, sizeof p, "%s.agentDisconnects", path);
		if (jr_open(&dc, disc, s->file, p, e))
			return -1;
		ia = jr_get(&dc, "interArrivalSeconds");
		len = jr_get(&dc, "durationSeconds");
		if (jr_end(&dc))
			return -1;
		if (!ia || !len)
			return jr_fail(&dc, ia ? "durationSeconds" : "interArrivalSeconds",
				       "required member is missing");
		snprintf(p, sizeof p, "%s.agentDisconnects.interArrivalSeconds", path);
		if (dist_parse(&g->disc_ia, ia, s->file, p, s->dir, e))
			return -1;
		g->has_disconnects = 1;
		if (config_sane_arrivals(&dc, "interArrivalSeconds", &g->disc_ia))
			return -1;
		snprintf(p, sizeof p, "%s.agentDisconnects.durationSeconds", path);
		if (dist_parse(&g->disc_len, len, s->file, p, s->dir, e))
			return -1;
	}

	g->replace_delay = 120000;
	g->spot_warning = SPOT_WARNING_MS;
	g->spot_poll = SPOT_POLL_MS;
	if (fail) {
		const cJSON *ttf, *ttr;

		snprintf(p, sizeof p, "%s.failures", path);
		if (jr_open(&c, fail, s->file, p, e))
			return -1;
		ttf = jr_get(&c, "timeToFailureSeconds");
		ttr = jr_get(&c, "timeToRepairSeconds");
		if (jr_end(&c))
			return -1;
		if (!ttf)
			return jr_fail(&c, "timeToFailureSeconds", "required member is missing");
		snprintf(p, sizeof p, "%s.failures.timeToFailureSeconds", path);
		if (dist_parse(&g->ttf, ttf, s->file, p, s->dir, e))
			return -1;
		g->has_failures = 1;
		if (ttr) {
			snprintf(p, sizeof p, "%s.failures.timeToRepairSeconds", path);
			if (dist_parse(&g->ttr, ttr, s->file, p, s->dir, e))
				return -1;
			g->has_repair = 1;
		}
	}
	if (asg) {
		snprintf(p, sizeof p, "%s.autoScaling", path);
		if (jr_open(&c, asg, s->file, p, e) ||
		    jr_opt_bool(&c, "replaceFailed", 1, &g->replace) ||
		    jr_opt_num(&c, "replacementDelaySeconds", 120, 0, 1e9, &delay) || jr_end(&c))
			return -1;
		g->replace_delay = sim_ms(delay);
	}
	if (spot) {
		const cJSON *tti;

		snprintf(p, sizeof p, "%s.spot", path);
		g->spot = 1;
		if (jr_open(&c, spot, s->file, p, e) ||
		    jr_opt_bool(&c, "draining", 0, &g->spot_draining) ||
		    jr_opt_num(&c, "warningSeconds", (double)SPOT_WARNING_MS / 1000, 0, 3600, &delay))
			return -1;
		g->spot_warning = sim_ms(delay);
		/* docs/ecs-model.md §5.13, choice E204: the agent's poll */
		if (jr_opt_num(&c, "pollSeconds", (double)SPOT_POLL_MS / 1000, 0, 60, &delay))
			return -1;
		g->spot_poll = sim_ms(delay);
		tti = jr_get(&c, "timeToInterruptionSeconds");
		if (jr_end(&c))
			return -1;
		if (tti) {
			snprintf(p, sizeof p, "%s.spot.timeToInterruptionSeconds", path);
			if (dist_parse(&g->tti, tti, s->file, p, s->dir, e))
				return -1;
			g->has_spot_rate = 1;
		}
	}
	return 0;
}

int faults_config_read(struct scenario *s, const cJSON *arr, struct err *e)
{
	int i = 0;

	if (!arr)
		return 0;
	s->outages = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *s->outages);
	for (const cJSON *it = arr->child; it; it = it->next, i++) {
		char path[96], p2[160];
		struct jr c;
		struct scn_outage *o = &s->outages[s->n_outages];
		const char *az;
		const cJSON *ia, *len;
		double at, dur;

		snprintf(path, sizeof path, "$.azOutages[%d]", i);
		if (jr_open(&c, it, s->file, path, e) ||
		    jr_opt_str(&c, "availabilityZone", NULL, &az) ||
		    jr_opt_num(&c, "atSeconds", -1, 0, 1e11, &at) ||
		    jr_opt_num(&c, "fraction", 1, 0, 1, &o->fraction))
			return -1;
		ia = jr_get(&c, "interArrivalSeconds");
		len = jr_get(&c, "durationSeconds");
		if (jr_end(&c))
			return -1;
		s->n_outages++;
		if (az && !scenario_has_az(s, az))
			return jr_fail(&c, "availabilityZone",
				       "'%s' is not one of the scenario's availabilityZones", az);
		o->az = az ? xstrdup(az) : NULL;
		if (!len)
			return jr_fail(&c, "durationSeconds", "required member is missing");
		if (ia) {
			if (at >= 0)
				return jr_fail(&c, "atSeconds", "give atSeconds or interArrivalSeconds, not both");
			o->stochastic = 1;
			o->at = -1;
			snprintf(p2, sizeof p2, "%s.interArrivalSeconds", path);
			if (dist_parse(&o->interarrival, ia, s->file, p2, s->dir, e) ||
			    config_sane_arrivals(&c, "interArrivalSeconds", &o->interarrival))
				return -1;
			snprintf(p2, sizeof p2, "%s.durationSeconds", path);
			if (dist_parse(&o->length, len, s->file, p2, s->dir, e))
				return -1;
		} else {
			char lp[160];

			if (at < 0)
				return jr_fail(&c, "atSeconds", "required member is missing (or give interArrivalSeconds)");
			if (!az)
				return jr_fail(&c, "availabilityZone", "required member is missing");
			snprintf(lp, sizeof lp, "%s.durationSeconds", path);
			if (jv_num(len, s->file, lp, 0, 1e11, &dur, e))
				return -1;
			o->at = sim_ms(at);
			o->duration = sim_ms(dur);
		}
	}
	return 0;
}

void faults_config_free(struct scenario *s)
{
	for (int i = 0; i < s->n_outages; i++) {
		free(s->outages[i].az);
		if (s->outages[i].stochastic) {
			dist_free(&s->outages[i].interarrival);
			dist_free(&s->outages[i].length);
		}
	}
	free(s->outages);
}
