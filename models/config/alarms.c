/* models/config/alarms.c — the scenario's CloudWatch metric alarms
 * ($.alarms) and the services' deploymentConfiguration.alarms names
 * resolved against them (docs/ecs-model.md §5.6, choices E135–E139).  Run
 * by models/service_alarms.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/config/sections.h"
#include "models/scenario.h"
#include "sim/jsonrd.h"
#include "sim/mem.h"

static const char *const metric_names[AM_N] = {
	"CPUUtilization", "MemoryUtilization", "RequestCount", "HTTPCode_ELB_5XX_Count",
	"TargetResponseTime", "HealthyHostCount", "UnHealthyHostCount"
};

const char *scn_alarm_metric_name(enum scn_alarm_metric m)
{
	return metric_names[m];
}

/* The statistics ecsim can compute of each metric, and its default
 * (choice E136): a gauge sampled each minute (utilisation, host counts)
 * Average, Maximum or Minimum over the period's samples; a count the
 * period's Sum; the response time the Average over the period's requests. */
static unsigned stats_of(enum scn_alarm_metric m, enum scn_alarm_stat *dflt)
{
	switch (m) {
	case AM_REQUESTS:
	case AM_ELB_5XX:
		*dflt = AS_SUM;
		return 1u << AS_SUM;
	case AM_RESPONSE_TIME:
		*dflt = AS_AVERAGE;
		return 1u << AS_AVERAGE;
	default:
		*dflt = AS_AVERAGE;
		return 1u << AS_AVERAGE | 1u << AS_MAXIMUM | 1u << AS_MINIMUM;
	}
}

static int one_alarm(struct scenario *s, struct scn_alarm *a, const cJSON *it, const char *path, struct err *e)
{
	static const char *const stat_names[] = { "Average", "Sum", "Maximum", "Minimum" };
	static const char *const cmp_names[] = { "GreaterThanThreshold", "GreaterThanOrEqualToThreshold",
		"LessThanThreshold", "LessThanOrEqualToThreshold" };
	static const char *const md_names[] = { "missing", "notBreaching", "breaching", "ignore" };
	struct jr c;
	const char *name, *metric, *svc, *tg, *stat, *cmp, *md;
	int64_t period, n, m;
	enum scn_alarm_stat dflt;
	unsigned ok;
	int k;

	if (jr_open(&c, it, s->file, path, e) || jr_req_str(&c, "alarmName", &name) ||
	    jr_req_str(&c, "metric", &metric) || jr_req_str(&c, "service", &svc) ||
	    jr_opt_str(&c, "targetGroup", NULL, &tg) || jr_opt_str(&c, "statistic", NULL, &stat) ||
	    jr_opt_int(&c, "periodSeconds", 60, 60, 86400, &period) ||
	    jr_req_int(&c, "evaluationPeriods", 1, 1000, &n) ||
	    jr_opt_int(&c, "datapointsToAlarm", n, 1, 1000, &m) ||
	    jr_req_num(&c, "threshold", -1e300, 1e300, &a->threshold) ||
	    jr_req_str(&c, "comparisonOperator", &cmp) ||
	    jr_opt_str(&c, "treatMissingData", "missing", &md) || jr_end(&c))
		return -1;
	a->name = xstrdup(name);
	for (int i = 0; i < (int)(a - s->alarms); i++)
		if (strcmp(s->alarms[i].name, name) == 0)
			return jr_fail(&c, "alarmName", "alarm '%s' is declared twice", name);
	for (k = 0; k < AM_N && strcmp(metric_names[k], metric) != 0; k++)
		;
	if (k == AM_N && strcmp(metric, "HTTPCode_Target_5XX_Count") == 0)
		return jr_fail(&c, "metric", "HTTPCode_Target_5XX_Count is not modelled: ecsim's tasks return no HTTP "
			       "errors of their own; HTTPCode_ELB_5XX_Count counts the load balancer's 502, 503 and 504 "
			       "(docs/ecs-model.md choice E135)");
	if (k == AM_N)
		return jr_fail(&c, "metric", "expected CPUUtilization, MemoryUtilization, RequestCount, "
			       "HTTPCode_ELB_5XX_Count, TargetResponseTime, HealthyHostCount or UnHealthyHostCount "
			       "(the metrics ecsim computes, docs/ecs-model.md choice E135), got \"%s\"", metric);
	a->metric = (enum scn_alarm_metric)k;
	a->service = -1;
	for (int i = 0; i < s->n_services; i++)
		if (strcmp(s->services[i].name, svc) == 0)
			a->service = i;
	if (a->service < 0)
		return jr_fail(&c, "service", "unknown service '%s' (not in $.services)", svc);
	a->tg = -1;
	if (a->metric >= AM_REQUESTS) {
		const struct scn_service *v = &s->services[a->service];

		if (v->lb.n == 0)
			return jr_fail(&c, "metric", "%s is a target group's metric and service '%s' has no load "
				       "balancer (no loadBalancers)", metric, svc);
		a->tg = v->lb.b[0].tg;
		if (tg) {
			a->tg = -1;
			for (int i = 0; i < v->lb.n; i++)
				if (strcmp(s->lb.tgs[v->lb.b[i].tg].name, tg) == 0)
					a->tg = v->lb.b[i].tg;
			if (a->tg < 0)
				return jr_fail(&c, "targetGroup", "'%s' is not one of service '%s''s target groups",
					       tg, svc);
		}
		if (s->lb.tgs[a->tg].lb < 0 || s->lb.lbs[s->lb.tgs[a->tg].lb].type != LB_ALB)
			return jr_fail(&c, "metric", "%s is an Application Load Balancer metric and target group "
				       "'%s' is not behind an Application Load Balancer", metric,
				       s->lb.tgs[a->tg].name);
	} else if (tg) {
		return jr_fail(&c, "targetGroup", "only for a target group's metric; %s is the service's", metric);
	}
	ok = stats_of(a->metric, &dflt);
	a->stat = dflt;
	if (stat) {
		for (k = 0; k < 4 && strcmp(stat_names[k], stat) != 0; k++)
			;
		if (k == 4)
			return jr_fail(&c, "statistic", "expected Average, Sum, Maximum or Minimum, got \"%s\"", stat);
		if (!(ok & 1u << k))
			return jr_fail(&c, "statistic", "%s of %s is not computed by ecsim (docs/ecs-model.md "
				       "choice E136)", stat, metric);
		a->stat = (enum scn_alarm_stat)k;
	}
	if (period % 60 != 0)
		return jr_fail(&c, "periodSeconds", "must be a multiple of 60 (ecsim's metrics are per "
			       "minute, docs/ecs-model.md choice E136), got %lld", (long long)period);
	a->period_s = (int)period;
	if (m > n)
		return jr_fail(&c, "datapointsToAlarm", "must be at most evaluationPeriods (%lld), got %lld",
			       (long long)n, (long long)m);
	a->eval_periods = (int)n;
	a->to_alarm = (int)m;
	for (k = 0; k < 4 && strcmp(cmp_names[k], cmp) != 0; k++)
		;
	if (k == 4)
		return jr_fail(&c, "comparisonOperator", "expected GreaterThanThreshold, "
			       "GreaterThanOrEqualToThreshold, LessThanThreshold or LessThanOrEqualToThreshold, "
			       "got \"%s\"", cmp);
	a->cmp = (enum scn_alarm_cmp)k;
	for (k = 0; k < 4 && strcmp(md_names[k], md) != 0; k++)
		;
	if (k == 4)
		return jr_fail(&c, "treatMissingData", "expected missing, notBreaching, breaching or ignore, "
			       "got \"%s\"", md);
	a->missing = (enum scn_alarm_missing)k;
	return 0;
}

int alarms_config_read(struct scenario *s, const cJSON *arr, struct err *e)
{
	char path[160];
	int i = 0;

	if (arr) {
		s->alarms = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *s->alarms);
		for (const cJSON *it = arr->child; it; it = it->next, i++) {
			snprintf(path, sizeof path, "$.alarms[%d]", i);
			s->n_alarms++;
			if (one_alarm(s, &s->alarms[i], it, path, e))
				return -1;
		}
	}
	/* each service's deploymentConfiguration.alarms.alarmNames */
	for (int v = 0; v < s->n_services; v++) {
		struct scn_service *c = &s->services[v];

		for (int k = 0; k < c->n_alarms; k++) {
			for (int a = 0; a < s->n_alarms; a++)
				if (strcmp(s->alarms[a].name, c->alarm_names[k]) == 0)
					c->alarm_idx[k] = a;
			if (c->alarm_idx[k] < 0) {
				snprintf(path, sizeof path, "$.services[%d].deploymentConfiguration.alarms.alarmNames[%d]",
					 c->svc_index, k);
				return err_at(e, s->file, 0, 0, path, "unknown alarm '%s' (not in $.alarms)",
					      c->alarm_names[k]);
			}
		}
	}
	return 0;
}

void alarms_config_free(struct scenario *s)
{
	for (int i = 0; i < s->n_alarms; i++)
		free(s->alarms[i].name);
	free(s->alarms);
}
