/* models/lb/lb_config.c — reading `loadBalancers` and `targetGroups`, and
 * checking a service's `loadBalancers` list (docs/ecs-model.md §6.1–§6.5).
 * Defaults and ranges are ELB's; each is listed in scenarios/README.md
 * "Load balancers".  Attribute values may be written as AWS writes them
 * (strings: "300", "true") or as JSON numbers and booleans.  (Over 800
 * lines: two sections' members, each a short range check, read as one
 * table of ELB's settings.) */
#include "lb_config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/taskdef.h"
#include "sim/csvin.h"
#include "sim/jsonrd.h"
#include "sim/mem.h"

static char *resolve(const char *dir, const char *rel)
{
	size_t n;
	char *out;

	if (rel[0] == '/' || !dir || !*dir || strcmp(dir, ".") == 0)
		return xstrdup(rel);
	n = strlen(dir) + strlen(rel) + 2;
	out = xmalloc(n);
	snprintf(out, n, "%s/%s", dir, rel);
	return out;
}

void lb_config_init(struct lb_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
}

void lb_config_free(struct lb_config *cfg)
{
	for (int i = 0; i < cfg->n_lbs; i++) {
		free(cfg->lbs[i].name);
		for (int k = 0; k < cfg->lbs[i].n_azs; k++)
			free(cfg->lbs[i].azs[k]);
		free(cfg->lbs[i].azs);
	}
	free(cfg->lbs);
	for (int i = 0; i < cfg->n_tgs; i++) {
		struct lb_tg_cfg *t = &cfg->tgs[i];

		free(t->name);
		free(t->protocol);
		for (int k = 0; k < t->n_never; k++)
			free(t->never[k].taskdef);
		free(t->never);
		free(t->traffic.curve_t);
		free(t->traffic.curve_rate);
		free(t->traffic.trace_path);
		free(t->traffic.trace_column);
		dist_free(&t->traffic.service);
	}
	free(cfg->tgs);
	memset(cfg, 0, sizeof *cfg);
}

const char *lb_algo_name(enum lb_algo a)
{
	switch (a) {
	case LB_ALGO_ROUND_ROBIN: return "round_robin";
	case LB_ALGO_LOR: return "least_outstanding_requests";
	case LB_ALGO_WEIGHTED_RANDOM: return "weighted_random";
	case LB_ALGO_FLOW_HASH: return "flow_hash";
	}
	return "?";
}

/* ELB names: 1-32 letters, digits and hyphens, no hyphen at either end. */
static int bad_name(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 32 || s[0] == '-' || s[n - 1] == '-')
		return 1;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 1;
	return 0;
}

static int attr_num(const cJSON *v, const char *file, const char *path, double lo, double hi,
		    double *out, struct err *e)
{
	double x;
	char *end;

	if (cJSON_IsNumber(v)) {
		x = v->valuedouble;
	} else if (cJSON_IsString(v) && *v->valuestring) {
		x = strtod(v->valuestring, &end);
		if (*end)
			return err_at(e, file, 0, 0, path, "expected a number, got \"%.60s\"",
				      v->valuestring);
	} else {
		return err_at(e, file, 0, 0, path, "expected a number, got %s", jtype_name(v));
	}
	if (!(x >= lo && x <= hi) || x != floor(x))
		return err_at(e, file, 0, 0, path, "expected an integer in [%g, %g], got %g", lo, hi, x);
	*out = x;
	return 0;
}

static int attr_int(const cJSON *v, const char *file, const char *path, int lo, int hi,
		    int *out, struct err *e)
{
	double x = 0;

	if (attr_num(v, file, path, lo, hi, &x, e))
		return -1;
	*out = (int)x;
	return 0;
}

/* "off" → 0, else an integer in [lo, hi]. */
static int attr_int_off(const cJSON *v, const char *file, const char *path, int lo, int hi,
			int *out, struct err *e)
{
	if (cJSON_IsString(v) && strcmp(v->valuestring, "off") == 0) {
		*out = 0;
		return 0;
	}
	return attr_int(v, file, path, lo, hi, out, e);
}

static int attr_bool(const cJSON *v, const char *file, const char *path, int *out, struct err *e)
{
	if (cJSON_IsBool(v)) {
		*out = cJSON_IsTrue(v);
		return 0;
	}
	if (cJSON_IsString(v) && (strcmp(v->valuestring, "true") == 0 ||
				  strcmp(v->valuestring, "false") == 0)) {
		*out = v->valuestring[0] == 't';
		return 0;
	}
	return err_at(e, file, 0, 0, path, "expected true or false, got %s", jtype_name(v));
}

static int read_lb(struct lb_config *cfg, struct lb_lb_cfg *l, const cJSON *obj, const char *file,
		   const char *path, struct err *e)
{
	static const char *const keys[] = { "name", "type", "availabilityZones", "subnets",
					    "attributes", "scheme", NULL };
	const char *name, *type, *scheme;
	const cJSON *azs, *subnets, *attrs, *m, *list;
	struct jr c;
	char p[600];
	int k = 0;

	if (jr_open(&c, obj, file, path, e) || jr_only(&c, keys) ||
	    jr_req_str(&c, "name", &name) ||
	    jr_opt_str(&c, "type", "application", &type) ||
	    jr_opt_str(&c, "scheme", "internet-facing", &scheme) ||
	    jr_opt_array(&c, "availabilityZones", &azs) ||
	    jr_opt_array(&c, "subnets", &subnets) ||
	    jr_opt_object(&c, "attributes", &attrs) || jr_end(&c))
		return -1;
	if (bad_name(name))
		return jr_fail(&c, "name", "expected 1-32 letters, digits or hyphens, not starting or ending with a hyphen, got \"%.60s\"", name);
	/* CreateLoadBalancer: "must not begin with internal-" (the prefix of
	 * an internal load balancer's DNS name) */
	if (strncmp(name, "internal-", 9) == 0)
		return jr_fail(&c, "name", "a load balancer name must not begin with \"internal-\", got \"%.60s\"", name);
	for (int i = 0; i < cfg->n_lbs; i++)
		if (&cfg->lbs[i] != l && cfg->lbs[i].name && strcmp(cfg->lbs[i].name, name) == 0)
			return jr_fail(&c, "name", "duplicate load balancer name '%s'", name);
	if (strcmp(type, "application") == 0)
		l->type = LB_ALB;
	else if (strcmp(type, "network") == 0)
		l->type = LB_NLB;
	else
		return jr_fail(&c, "type", "expected application or network, got \"%.60s\" (gateway and classic load balancers are not modelled)", type);
	if (strcmp(scheme, "internet-facing") != 0 && strcmp(scheme, "internal") != 0)
		return jr_fail(&c, "scheme", "expected internet-facing or internal, got \"%.60s\"", scheme);
	l->name = xstrdup(name);
	if (!!azs == !!subnets)
		return jr_fail(&c, NULL, "expected exactly one of availabilityZones or subnets");
	list = azs ? azs : subnets;
	l->azs = xcalloc((size_t)cJSON_GetArraySize(list) + 1, sizeof *l->azs);
	cJSON_ArrayForEach(m, list) {
		const char *az;

		jr_path(&c, azs ? "availabilityZones" : "subnets", p, sizeof p);
		snprintf(p + strlen(p), sizeof p - strlen(p), "[%d]", k);
		if (azs) {
			if (jv_str(m, file, p, &az, e))
				return -1;
		} else {
			static const char *const skeys[] = { "subnetId", "availabilityZone", NULL };
			const char *sid;
			struct jr s;

			if (jr_open(&s, m, file, p, e) || jr_only(&s, skeys) ||
			    jr_opt_str(&s, "subnetId", NULL, &sid) ||
			    jr_req_str(&s, "availabilityZone", &az) || jr_end(&s))
				return -1;
		}
		for (int j = 0; j < l->n_azs; j++)
			if (strcmp(l->azs[j], az) == 0)   /* ELB: one subnet per AZ */
				return err_at(e, file, 0, 0, p, "availability zone '%s' given twice (one subnet per AZ)", az);
		l->azs[l->n_azs++] = xstrdup(az);
		k++;
	}
	if (l->type == LB_ALB && l->n_azs < 2)
		return jr_fail(&c, azs ? "availabilityZones" : "subnets",
			       "an Application Load Balancer needs subnets in at least two Availability Zones, got %d", l->n_azs);
	if (l->n_azs < 1)
		return jr_fail(&c, azs ? "availabilityZones" : "subnets", "expected at least one Availability Zone");
	l->cross_zone = l->type == LB_ALB;
	l->idle_timeout = l->type == LB_ALB ? 60000 : 350000;
	if (attrs) {
		jr_path(&c, "attributes", p, sizeof p);
		cJSON_ArrayForEach(m, attrs) {
			char pa[700];

			snprintf(pa, sizeof pa, "%s.%s", p, m->string);
			if (cJSON_IsNull(m))
				continue;
			if (strcmp(m->string, "idle_timeout.timeout_seconds") == 0) {
				int v;

				if (l->type != LB_ALB)
					return err_at(e, file, 0, 0, pa, "not an attribute of a Network Load Balancer (its TCP idle timeout is 350 s)");
				if (attr_int(m, file, pa, 1, 4000, &v, e))
					return -1;
				l->idle_timeout = (sim_time_t)v * 1000;
			} else if (strcmp(m->string, "load_balancing.cross_zone.enabled") == 0) {
				if (l->type == LB_ALB)
					return err_at(e, file, 0, 0, pa, "cross-zone load balancing is always on for an Application Load Balancer (turn it off per target group)");
				if (attr_bool(m, file, pa, &l->cross_zone, e))
					return -1;
			} else {
				return err_at(e, file, 0, 0, pa, "unknown or unmodelled load balancer attribute '%s'", m->string);
			}
		}
	}
	return 0;
}

static int read_curve(struct lb_traffic_cfg *t, const char *csv, const char *file,
		      const char *path, struct err *e)
{
	struct csvin *in = csvin_open(csv, e);
	int ct, cr, rc;
	size_t cap = 0, cap2 = 0;

	if (!in)
		return -1;
	ct = csvin_col(in, "time_s");
	cr = csvin_col(in, "rate_per_s");
	if (ct < 0 || cr < 0) {
		csvin_close(in);
		return err_at(e, file, 0, 0, path, "%s: expected columns time_s and rate_per_s", csv);
	}
	while ((rc = csvin_next(in, e)) == 1) {
		char *end;
		double tv = strtod(csvin_field(in, ct), &end), rv;

		if (!*csvin_field(in, ct) || *end || !(tv >= 0) || !isfinite(tv) ||
		    (t->n_curve == 0 && tv != 0) || (t->n_curve > 0 && !(tv > t->curve_t[t->n_curve - 1]))) {
			rc = csvin_fail(in, ct, e, "expected increasing times starting at 0, got \"%s\"", csvin_field(in, ct));
			break;
		}
		rv = strtod(csvin_field(in, cr), &end);
		if (!*csvin_field(in, cr) || *end || !(rv >= 0 && rv <= 1e7)) {
			rc = csvin_fail(in, cr, e, "expected a rate in [0, 1e7], got \"%s\"", csvin_field(in, cr));
			break;
		}
		XGROW(t->curve_t, cap, (size_t)t->n_curve + 1);
		XGROW(t->curve_rate, cap2, (size_t)t->n_curve + 1);
		t->curve_t[t->n_curve] = tv;
		t->curve_rate[t->n_curve] = rv;
		t->n_curve++;
		if (rv > t->max_rate)
			t->max_rate = rv;
	}
	csvin_close(in);
	if (rc < 0)
		return -1;
	if (t->n_curve == 0)
		return err_at(e, file, 0, 0, path, "%s: no rows", csv);
	return 0;
}

static int read_arrivals(struct lb_traffic_cfg *t, const cJSON *v, const char *file,
			 const char *base_dir, const char *path, struct err *e)
{
	const cJSON *body;
	struct jr c;
	char p[1000];

	if (!cJSON_IsObject(v) || cJSON_GetArraySize(v) != 1)
		return err_at(e, file, 0, 0, path, "expected an object with one member: poisson, rateCurve, daily or trace");
	body = v->child;
	snprintf(p, sizeof p, "%s.%s", path, body->string);
	if (strcmp(body->string, "poisson") == 0) {
		static const char *const k[] = { "ratePerSecond", NULL };

		t->arrival = LB_ARR_POISSON;
		if (jr_open(&c, body, file, p, e) || jr_only(&c, k) ||
		    jr_req_num(&c, "ratePerSecond", 0, 1e7, &t->rate) || jr_end(&c))
			return -1;
		t->max_rate = t->rate;
	} else if (strcmp(body->string, "rateCurve") == 0) {
		static const char *const k[] = { "file", NULL };
		const char *f;
		char *full;
		int rc;

		t->arrival = LB_ARR_CURVE;
		if (jr_open(&c, body, file, p, e) || jr_only(&c, k) ||
		    jr_req_str(&c, "file", &f) || jr_end(&c))
			return -1;
		full = resolve(base_dir, f);
		jr_path(&c, "file", p, sizeof p);
		rc = read_curve(t, full, file, p, e);
		free(full);
		return rc;
	} else if (strcmp(body->string, "daily") == 0) {
		static const char *const k[] = { "ratePerSecond", "amplitude", "peakHour", "hourly", NULL };
		const cJSON *hourly, *h;
		int i = 0;

		t->arrival = LB_ARR_DAILY;
		if (jr_open(&c, body, file, p, e) || jr_only(&c, k) ||
		    jr_req_num(&c, "ratePerSecond", 0, 1e7, &t->rate) ||
		    jr_opt_num(&c, "amplitude", 0, 0, 1, &t->amplitude) ||
		    jr_opt_num(&c, "peakHour", 0, 0, 23.999999, &t->peak_hour) ||
		    jr_opt_array(&c, "hourly", &hourly) || jr_end(&c))
			return -1;
		t->max_rate = t->rate * (1 + t->amplitude);
		if (hourly) {
			double mx = 0;

			if (jr_has(&c, "amplitude") || jr_has(&c, "peakHour"))
				return jr_fail(&c, "hourly", "give either hourly or amplitude/peakHour, not both");
			if (cJSON_GetArraySize(hourly) != 24)
				return jr_fail(&c, "hourly", "expected 24 multipliers, got %d", cJSON_GetArraySize(hourly));
			t->has_hourly = 1;
			cJSON_ArrayForEach(h, hourly) {
				char ph[1100];

				snprintf(ph, sizeof ph, "%s.hourly[%d]", p, i);
				if (jv_num(h, file, ph, 0, 1e6, &t->hourly[i], e))
					return -1;
				if (t->hourly[i] > mx)
					mx = t->hourly[i];
				i++;
			}
			t->max_rate = t->rate * mx;
		}
	} else if (strcmp(body->string, "trace") == 0) {
		static const char *const k[] = { "file", "column", NULL };
		const char *f, *col;
		struct csvin *in;

		t->arrival = LB_ARR_TRACE;
		if (jr_open(&c, body, file, p, e) || jr_only(&c, k) ||
		    jr_req_str(&c, "file", &f) || jr_opt_str(&c, "column", "time_s", &col) ||
		    jr_end(&c))
			return -1;
		t->trace_path = resolve(base_dir, f);
		t->trace_column = xstrdup(col);
		in = csvin_open(t->trace_path, e);   /* a missing file or column is a load error */
		if (!in)
			return -1;
		if (csvin_col(in, col) < 0) {
			csvin_close(in);
			jr_path(&c, "column", p, sizeof p);
			return err_at(e, file, 0, 0, p, "%s has no column '%s'", f, col);
		}
		csvin_close(in);
	} else {
		return err_at(e, file, 0, 0, p, "unknown arrival process '%s' (expected poisson, rateCurve, daily or trace)", body->string);
	}
	return 0;
}

static int read_traffic(struct lb_tg_cfg *g, const struct lb_lb_cfg *lb, const cJSON *obj,
			const char *file, const char *base_dir, const char *path, struct err *e)
{
	static const char *const keys[] = { "mode", "arrivals", "serviceTimeSeconds", "workersPerTask",
					    "queueLimit", "clientTimeoutSeconds", "flows", NULL };
	struct lb_traffic_cfg *t = &g->traffic;
	const cJSON *arr, *svc;
	const char *mode;
	int64_t w, q, flows;
	double to;
	struct jr c;
	char p[700];

	if (jr_open(&c, obj, file, path, e) || jr_only(&c, keys) ||
	    jr_opt_str(&c, "mode", "perRequest", &mode) ||
	    jr_opt_int(&c, "workersPerTask", 10, 1, 100000, &w) ||
	    jr_opt_int(&c, "queueLimit", 100, 0, 1000000, &q) ||
	    jr_opt_num(&c, "clientTimeoutSeconds", (double)lb->idle_timeout / 1000, 0.001, 1e6, &to) ||
	    jr_opt_int(&c, "flows", 10000, 1, 1000000000, &flows))
		return -1;
	arr = jr_get(&c, "arrivals");
	svc = jr_get(&c, "serviceTimeSeconds");
	if (jr_end(&c))
		return -1;
	if (strcmp(mode, "perRequest") == 0)
		t->mode = LB_MODE_REQUEST;
	else if (strcmp(mode, "aggregate") == 0)
		t->mode = LB_MODE_AGGREGATE;
	else
		return jr_fail(&c, "mode", "expected perRequest or aggregate, got \"%.60s\"", mode);
	if (!arr)
		return jr_fail(&c, "arrivals", "required member is missing");
	if (!svc)
		return jr_fail(&c, "serviceTimeSeconds", "required member is missing");
	t->workers = (int)w;
	t->queue_limit = (int)q;
	t->client_timeout = sim_ms(to);
	t->flows = flows;
	jr_path(&c, "arrivals", p, sizeof p);
	if (read_arrivals(t, arr, file, base_dir, p, e))
		return -1;
	if (t->mode == LB_MODE_AGGREGATE && t->arrival == LB_ARR_TRACE)
		return jr_fail(&c, "mode", "aggregate mode needs a rate (poisson, rateCurve or daily), not a request trace");
	jr_path(&c, "serviceTimeSeconds", p, sizeof p);
	if (dist_parse(&t->service, svc, file, p, base_dir, e))
		return -1;
	if (!(dist_mean(&t->service) > 0))
		return err_at(e, file, 0, 0, p, "expected a service time with a mean > 0");
	return 0;
}

static int read_tg_attrs(struct lb_tg_cfg *g, const struct lb_lb_cfg *lb, const cJSON *attrs,
			 const char *file, const char *path, struct err *e)
{
	const cJSON *m;
	int nlb = lb && lb->type == LB_NLB;

	cJSON_ArrayForEach(m, attrs) {
		const char *k = m->string;
		char pa[760];
		int v;

		snprintf(pa, sizeof pa, "%s.%s", path, k);
		if (cJSON_IsNull(m))
			continue;
		if (strcmp(k, "deregistration_delay.timeout_seconds") == 0) {
			if (attr_int(m, file, pa, 0, 3600, &v, e))
				return -1;
			g->dereg_delay = (sim_time_t)v * 1000;
		} else if (strcmp(k, "slow_start.duration_seconds") == 0) {
			if (nlb)
				return err_at(e, file, 0, 0, pa, "slow start is an Application Load Balancer feature");
			if (attr_int(m, file, pa, 0, 900, &v, e))
				return -1;
			if (v != 0 && v < 30)
				return err_at(e, file, 0, 0, pa, "expected 0 (off) or 30-900 seconds, got %d", v);
			g->slow_start = (sim_time_t)v * 1000;
		} else if (strcmp(k, "load_balancing.algorithm.type") == 0) {
			const char *a = cJSON_IsString(m) ? m->valuestring : "";

			if (nlb)
				return err_at(e, file, 0, 0, pa, "a Network Load Balancer picks targets by flow hash; the attribute is for Application Load Balancers");
			if (strcmp(a, "round_robin") == 0)
				g->algo = LB_ALGO_ROUND_ROBIN;
			else if (strcmp(a, "least_outstanding_requests") == 0)
				g->algo = LB_ALGO_LOR;
			else if (strcmp(a, "weighted_random") == 0)
				g->algo = LB_ALGO_WEIGHTED_RANDOM;
			else
				return err_at(e, file, 0, 0, pa, "expected round_robin, least_outstanding_requests or weighted_random, got \"%.60s\"",
					      cJSON_IsString(m) ? a : jtype_name(m));
		} else if (strcmp(k, "load_balancing.cross_zone.enabled") == 0) {
			if (cJSON_IsString(m) && strcmp(m->valuestring, "use_load_balancer_configuration") == 0)
				g->cross_zone = -1;
			else if (attr_bool(m, file, pa, &g->cross_zone, e))
				return -1;
		} else if (strcmp(k, "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count") == 0) {
			if (attr_int(m, file, pa, 1, 1000000, &g->fo_count, e))
				return -1;
		} else if (strcmp(k, "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage") == 0) {
			if (attr_int_off(m, file, pa, 1, 100, &g->fo_pct, e))
				return -1;
		} else if (strcmp(k, "target_group_health.dns_failover.minimum_healthy_targets.count") == 0) {
			if (attr_int_off(m, file, pa, 1, 1000000, &g->dns_count, e))
				return -1;
		} else if (strcmp(k, "target_group_health.dns_failover.minimum_healthy_targets.percentage") == 0) {
			if (attr_int_off(m, file, pa, 1, 100, &g->dns_pct, e))
				return -1;
		} else {
			return err_at(e, file, 0, 0, pa, "unknown or unmodelled target group attribute '%s'", k);
		}
	}
	if (g->algo == LB_ALGO_WEIGHTED_RANDOM && g->slow_start > 0)
		return err_at(e, file, 0, 0, path, "slow start is not supported with the weighted_random algorithm");
	return 0;
}

static int is_alb_proto(const char *p)
{
	return strcmp(p, "HTTP") == 0 || strcmp(p, "HTTPS") == 0;
}

static int is_nlb_proto(const char *p)
{
	return strcmp(p, "TCP") == 0 || strcmp(p, "TLS") == 0 || strcmp(p, "UDP") == 0 ||
	       strcmp(p, "TCP_UDP") == 0;
}

/* `loadBalancers` must be read first when a target group names one (the
 * scenario loader's table orders the two members). */
static int read_tg(struct lb_config *cfg, struct lb_tg_cfg *g, const cJSON *obj, const char *file,
		   const char *base_dir, const char *path, struct err *e)
{
	static const char *const keys[] = {
		"name", "loadBalancer", "targetType", "protocol", "port",
		"healthCheckIntervalSeconds", "healthCheckTimeoutSeconds", "healthyThresholdCount",
		"unhealthyThresholdCount", "healthCheckPath", "healthCheckProtocol", "healthCheckPort",
		"matcher", "attributes", "healthCheckTimesOutWhenOverloaded", "neverHealthy",
		"traffic", "slo", NULL };
	const char *name, *lbname, *tt, *proto, *hcp;
	const cJSON *attrs, *never, *traffic, *slo;
	const struct lb_lb_cfg *lb = NULL;
	int64_t port, interval, timeout, hth, uth;
	struct jr c;
	char p[700];

	if (jr_open(&c, obj, file, path, e) || jr_only(&c, keys) ||
	    jr_req_str(&c, "name", &name) || jr_opt_str(&c, "loadBalancer", NULL, &lbname) ||
	    jr_opt_str(&c, "targetType", "instance", &tt))
		return -1;
	if (bad_name(name))
		return jr_fail(&c, "name", "expected 1-32 letters, digits or hyphens, not starting or ending with a hyphen, got \"%.60s\"", name);
	for (int i = 0; i < cfg->n_tgs; i++)
		if (&cfg->tgs[i] != g && cfg->tgs[i].name && strcmp(cfg->tgs[i].name, name) == 0)
			return jr_fail(&c, "name", "duplicate target group name '%s'", name);
	g->name = xstrdup(name);
	g->lb = -1;
	if (lbname) {
		for (int i = 0; i < cfg->n_lbs; i++)
			if (strcmp(cfg->lbs[i].name, lbname) == 0)
				g->lb = i;
		if (g->lb < 0)
			return jr_fail(&c, "loadBalancer", "no load balancer named '%s' in $.loadBalancers", lbname);
		lb = &cfg->lbs[g->lb];
	}
	if (strcmp(tt, "instance") == 0)
		g->target_type = LB_TT_INSTANCE;
	else if (strcmp(tt, "ip") == 0)
		g->target_type = LB_TT_IP;
	else
		return jr_fail(&c, "targetType", "expected instance or ip, got \"%.60s\" (lambda and alb targets are not modelled)", tt);
	if (jr_opt_str(&c, "protocol", lb && lb->type == LB_NLB ? "TCP" : "HTTP", &proto))
		return -1;
	if (!is_alb_proto(proto) && !is_nlb_proto(proto))
		return jr_fail(&c, "protocol", "expected HTTP, HTTPS, TCP, TLS, UDP or TCP_UDP, got \"%.60s\"", proto);
	if (lb && lb->type == LB_ALB && !is_alb_proto(proto))
		return jr_fail(&c, "protocol", "an Application Load Balancer's target group uses HTTP or HTTPS, got %s", proto);
	if (lb && lb->type == LB_NLB && !is_nlb_proto(proto))
		return jr_fail(&c, "protocol", "a Network Load Balancer's target group uses TCP, TLS, UDP or TCP_UDP, got %s", proto);
	g->protocol = xstrdup(proto);
	/* The checks' protocol (CreateTargetGroup's HealthCheckProtocol,
	 * docs/ecs-model.md §6.2): HTTP for an Application Load Balancer's
	 * target group, TCP for a Network Load Balancer's; HTTP, HTTPS or TCP,
	 * and TCP not for an HTTP or HTTPS target group. */
	if (jr_opt_str(&c, "healthCheckProtocol", is_alb_proto(proto) ? "HTTP" : "TCP", &hcp))
		return -1;
	if (strcmp(hcp, "HTTP") != 0 && strcmp(hcp, "HTTPS") != 0 && strcmp(hcp, "TCP") != 0)
		return jr_fail(&c, "healthCheckProtocol", "expected HTTP, HTTPS or TCP (TLS, UDP and TCP_UDP are not health-check protocols), got \"%.60s\"", hcp);
	if (strcmp(hcp, "TCP") == 0 && is_alb_proto(proto))
		return jr_fail(&c, "healthCheckProtocol", "a target group of protocol %s is checked with HTTP or HTTPS, got TCP", proto);
	/* ELB defaults (docs/ecs-model.md §6.2, choice E152): the timeout 6 s
	 * for HTTP checks, 10 s for HTTPS and TCP checks; interval 30 s;
	 * thresholds 5 and 2. */
	if (jr_opt_int(&c, "port", 80, 1, 65535, &port) ||
	    jr_opt_int(&c, "healthCheckIntervalSeconds", 30, 5, 300, &interval) ||
	    jr_opt_int(&c, "healthCheckTimeoutSeconds", strcmp(hcp, "HTTP") == 0 ? 6 : 10, 2, 120, &timeout) ||
	    jr_opt_int(&c, "healthyThresholdCount", 5, 2, 10, &hth) ||
	    jr_opt_int(&c, "unhealthyThresholdCount", 2, 2, 10, &uth) ||
	    jr_opt_bool(&c, "healthCheckTimesOutWhenOverloaded", 0, &g->overload_fails_checks) ||
	    jr_opt_object(&c, "attributes", &attrs) || jr_opt_object(&c, "neverHealthy", &never) ||
	    jr_opt_object(&c, "traffic", &traffic) || jr_opt_object(&c, "slo", &slo))
		return -1;
	(void)jr_get(&c, "healthCheckPath");    /* accepted, not modelled */
	(void)jr_get(&c, "healthCheckPort");
	(void)jr_get(&c, "matcher");
	if (jr_end(&c))
		return -1;
	if (timeout >= interval && !jr_has(&c, "healthCheckTimeoutSeconds"))
		return jr_fail(&c, "healthCheckIntervalSeconds", "the interval must be larger than the health check timeout, %lld s by default for %s checks (give healthCheckTimeoutSeconds), got %lld",
			       (long long)timeout, hcp, (long long)interval);
	if (timeout >= interval)
		return jr_fail(&c, "healthCheckTimeoutSeconds", "the health check timeout must be smaller than the interval (%lld s), got %lld",
			       (long long)interval, (long long)timeout);
	g->port = (int)port;
	g->hc_interval = interval * 1000;
	g->hc_timeout = timeout * 1000;
	g->healthy_threshold = (int)hth;
	g->unhealthy_threshold = (int)uth;
	g->dereg_delay = 300000;
	g->algo = lb && lb->type == LB_NLB ? LB_ALGO_FLOW_HASH : LB_ALGO_ROUND_ROBIN;
	g->cross_zone = -1;
	g->fo_count = 1;
	g->dns_count = 1;
	if (attrs) {
		jr_path(&c, "attributes", p, sizeof p);
		if (read_tg_attrs(g, lb, attrs, file, p, e))
			return -1;
	}
	if (never) {
		const cJSON *m;

		g->never = xcalloc((size_t)cJSON_GetArraySize(never) + 1, sizeof *g->never);
		cJSON_ArrayForEach(m, never) {
			char pn[760];

			snprintf(pn, sizeof pn, "%s.neverHealthy.%s", path, m->string);
			if (jv_num(m, file, pn, 0, 1, &g->never[g->n_never].p, e))
				return -1;
			g->never[g->n_never++].taskdef = xstrdup(m->string);
		}
	}
	if (traffic) {
		g->has_traffic = 1;
		jr_path(&c, "traffic", p, sizeof p);
		if (!lb)
			return jr_fail(&c, "traffic", "traffic needs a load balancer (loadBalancer)");
		if (read_traffic(g, lb, traffic, file, base_dir, p, e))
			return -1;
	}
	if (slo) {
		static const char *const k[] = { "availabilityPct", "latencyP99Ms", NULL };
		struct jr s;

		jr_path(&c, "slo", p, sizeof p);
		if (jr_open(&s, slo, file, p, e) || jr_only(&s, k) ||
		    jr_opt_num(&s, "availabilityPct", 0, 0, 100, &g->slo_avail_pct) ||
		    jr_opt_num(&s, "latencyP99Ms", 0, 0, 1e9, &g->slo_p99_ms) || jr_end(&s))
			return -1;
		if (!(g->slo_avail_pct > 0) && !(g->slo_p99_ms > 0))
			return jr_fail(&c, "slo", "expected availabilityPct in (0, 100) or latencyP99Ms > 0");
		if (g->slo_avail_pct >= 100)
			return jr_fail(&s, "availabilityPct", "expected an objective below 100 (100 leaves no error budget), got %g", g->slo_avail_pct);
		g->has_slo = 1;
	}
	return 0;
}

int lb_config_read(struct lb_config *cfg, const char *member, const cJSON *v, const char *file,
		   const char *base_dir, struct err *e)
{
	const cJSON *m;
	char path[64];
	int k = 0;

	if (!v || cJSON_IsNull(v))
		return 0;
	snprintf(path, sizeof path, "$.%s", member);
	if (!cJSON_IsArray(v))
		return err_at(e, file, 0, 0, path, "expected an array, got %s", jtype_name(v));
	if (strcmp(member, "loadBalancers") == 0) {
		if (cfg->have_lbs)
			return err_at(e, file, 0, 0, path, "given twice");
		if (cfg->have_tgs)
			return err_at(e, file, 0, 0, path, "internal: read loadBalancers before targetGroups");
		cfg->have_lbs = 1;
		cfg->lbs = xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof *cfg->lbs);
		cJSON_ArrayForEach(m, v) {
			snprintf(path, sizeof path, "$.loadBalancers[%d]", k++);
			cfg->n_lbs++;
			if (read_lb(cfg, &cfg->lbs[cfg->n_lbs - 1], m, file, path, e))
				return -1;
		}
		return 0;
	}
	if (strcmp(member, "targetGroups") == 0) {
		if (cfg->have_tgs)
			return err_at(e, file, 0, 0, path, "given twice");
		cfg->have_tgs = 1;
		cfg->tgs = xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof *cfg->tgs);
		cJSON_ArrayForEach(m, v) {
			snprintf(path, sizeof path, "$.targetGroups[%d]", k++);
			cfg->n_tgs++;
			if (read_tg(cfg, &cfg->tgs[cfg->n_tgs - 1], m, file, base_dir, path, e))
				return -1;
		}
		return 0;
	}
	return err_at(e, file, 0, 0, path, "not a load-balancer section");
}

int lb_config_finish(struct lb_config *cfg, const char *const *azs, int n_azs, const char *file,
		     struct err *e)
{
	char path[128];

	for (int i = 0; i < cfg->n_lbs; i++)
		for (int k = 0; k < cfg->lbs[i].n_azs; k++) {
			int found = 0;

			for (int j = 0; j < n_azs; j++)
				found |= strcmp(azs[j], cfg->lbs[i].azs[k]) == 0;
			if (!found) {
				snprintf(path, sizeof path, "$.loadBalancers[%d]", i);
				return err_at(e, file, 0, 0, path, "availability zone '%s' is not one of the scenario's availabilityZones",
					      cfg->lbs[i].azs[k]);
			}
		}
	for (int i = 0; i < cfg->n_tgs; i++)
		for (int j = 0; j < i; j++)
			if (cfg->tgs[i].lb >= 0 && cfg->tgs[j].lb == cfg->tgs[i].lb &&
			    cfg->tgs[i].has_traffic && cfg->tgs[j].has_traffic) {
				/* one listener default action per load balancer in ecsim */
				snprintf(path, sizeof path, "$.targetGroups[%d].traffic", i);
				return err_at(e, file, 0, 0, path, "load balancer '%s' already sends its traffic to target group '%s'",
					      cfg->lbs[cfg->tgs[i].lb].name, cfg->tgs[j].name);
			}
	return 0;
}

int lb_config_tg(const struct lb_config *cfg, const char *s)
{
	const char *tg = strstr(s, ":targetgroup/");

	if (strncmp(s, "arn:", 4) == 0 && tg) {       /* arn:aws:...:targetgroup/NAME/ID */
		const char *name = tg + strlen(":targetgroup/");
		const char *slash = strchr(name, '/');
		size_t n = slash ? (size_t)(slash - name) : strlen(name);

		for (int i = 0; i < cfg->n_tgs; i++)
			if (strlen(cfg->tgs[i].name) == n && strncmp(cfg->tgs[i].name, name, n) == 0)
				return i;
		return -1;
	}
	for (int i = 0; i < cfg->n_tgs; i++)
		if (strcmp(cfg->tgs[i].name, s) == 0)
			return i;
	return -1;
}

static int has_port(const struct td_container *c, int port)
{
	for (int i = 0; i < c->n_ports; i++) {
		const struct td_port *p = &c->ports[i];

		if (p->container_port == port || (p->range_hi > 0 && port >= p->range_lo && port <= p->range_hi))
			return 1;
	}
	return 0;
}

int lb_service_read(const struct lb_config *cfg, const cJSON *lbs, const cJSON *grace,
		    const struct taskdef *td, const char *file, const char *path,
		    struct lb_service_cfg *out, struct err *e)
{
	static const char *const keys[] = { "targetGroupArn", "targetGroupName", "loadBalancerName",
					    "containerName", "containerPort", NULL };
	const cJSON *m;
	char p[600];
	int k = 0;

	memset(out, 0, sizeof *out);
	if (grace && !cJSON_IsNull(grace)) {
		int64_t g;

		snprintf(p, sizeof p, "%s.healthCheckGracePeriodSeconds", path);
		if (jv_int(grace, file, p, 0, 2147483647, &g, e))
			return -1;
		out->grace = g * 1000;
	}
	if (!lbs || cJSON_IsNull(lbs))
		return 0;
	snprintf(p, sizeof p, "%s.loadBalancers", path);
	if (!cJSON_IsArray(lbs))
		return err_at(e, file, 0, 0, p, "expected an array, got %s", jtype_name(lbs));
	if (cJSON_GetArraySize(lbs) > LB_MAX_PER_SERVICE)
		return err_at(e, file, 0, 0, p, "a service can use at most %d target groups, got %d",
			      LB_MAX_PER_SERVICE, cJSON_GetArraySize(lbs));
	cJSON_ArrayForEach(m, lbs) {
		const char *arn, *tgname, *clb, *cname, *which;
		int64_t port;
		struct lb_binding *b = &out->b[k];
		const struct lb_tg_cfg *g;
		struct jr c;
		char pe[640];

		snprintf(pe, sizeof pe, "%s.loadBalancers[%d]", path, k);
		if (jr_open(&c, m, file, pe, e) || jr_only(&c, keys) ||
		    jr_opt_str(&c, "targetGroupArn", NULL, &arn) ||
		    jr_opt_str(&c, "targetGroupName", NULL, &tgname) ||
		    jr_opt_str(&c, "loadBalancerName", NULL, &clb) ||
		    jr_req_str(&c, "containerName", &cname) ||
		    jr_req_int(&c, "containerPort", 0, 65535, &port) || jr_end(&c))
			return -1;
		if (clb)
			return jr_fail(&c, "loadBalancerName", "Classic Load Balancers are not modelled; give targetGroupArn");
		if (!!arn == !!tgname)
			return jr_fail(&c, NULL, "expected exactly one of targetGroupArn or targetGroupName");
		which = arn ? "targetGroupArn" : "targetGroupName";
		b->tg = lb_config_tg(cfg, arn ? arn : tgname);
		if (b->tg < 0)
			return jr_fail(&c, which, "target group '%.200s' does not exist (not in $.targetGroups)",
				       arn ? arn : tgname);
		g = &cfg->tgs[b->tg];
		if (g->lb < 0)
			return jr_fail(&c, which, "the target group %s does not have an associated load balancer", g->name);
		b->container = -1;
		for (int i = 0; i < td->n_containers; i++)
			if (strcmp(td->containers[i].name, cname) == 0)
				b->container = i;
		/* CreateService's reasons (InvalidParameterException) */
		if (b->container < 0)
			return jr_fail(&c, "containerName", "the container %s does not exist in the task definition", cname);
		if (!has_port(&td->containers[b->container], (int)port))
			return jr_fail(&c, "containerPort", "the container %s does not have a container port %lld defined",
				       cname, (long long)port);
		b->container_port = (int)port;
		if (td->netmode == TD_NET_AWSVPC && g->target_type != LB_TT_IP)
			return jr_fail(&c, which, "the provided target group %s has target type instance, which is incompatible with the awsvpc network mode specified in the task definition",
				       g->name);
		if (td->netmode != TD_NET_AWSVPC && g->target_type == LB_TT_IP)
			return jr_fail(&c, which, "the provided target group %s has target type ip, which is incompatible with the %s network mode specified in the task definition",
				       g->name, td_netmode_name(td->netmode));
		for (int j = 0; j < k; j++)
			if (out->b[j].tg == b->tg && out->b[j].container == b->container &&
			    out->b[j].container_port == b->container_port)
				return jr_fail(&c, NULL, "the same target group, container and port are already listed at [%d]", j);
		k++;
		out->n = k;
	}
	return 0;
}
