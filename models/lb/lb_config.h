/* models/lb/lb_config.h — the scenario's `loadBalancers` and `targetGroups`
 * sections (Elastic Load Balancing in AWS's shapes, docs/ecs-model.md §6)
 * and the check of a service's `loadBalancers` list against them and its
 * task definition.  Every member, default and range is in
 * scenarios/README.md "Load balancers".
 *
 * Ownership: struct lb_config owns every string and array it holds
 * (lb_config_free releases them); nothing points into the cJSON tree.
 */
#ifndef MODELS_LB_CONFIG_H
#define MODELS_LB_CONFIG_H

#include <stdint.h>

#include "sim/dist.h"
#include "sim/err.h"
#include "sim/evq.h"

struct cJSON;
struct taskdef;

enum lb_type { LB_ALB, LB_NLB };
enum lb_algo { LB_ALGO_ROUND_ROBIN, LB_ALGO_LOR, LB_ALGO_WEIGHTED_RANDOM, LB_ALGO_FLOW_HASH };
enum lb_target_type { LB_TT_INSTANCE, LB_TT_IP };
enum lb_arrival { LB_ARR_NONE, LB_ARR_POISSON, LB_ARR_CURVE, LB_ARR_DAILY, LB_ARR_TRACE };
enum lb_mode { LB_MODE_REQUEST, LB_MODE_AGGREGATE };

#define LB_MAX_PER_SERVICE 5       /* target groups per service (docs/ecs-model.md §6.1) */

struct lb_lb_cfg {
	char *name;
	enum lb_type type;
	char **azs;                /* enabled AZs, one LB node each */
	int n_azs;
	int cross_zone;            /* ALB: always 1; NLB: attribute, default 0 */
	sim_time_t idle_timeout;   /* ALB idle_timeout.timeout_seconds, default 60 s */
};

struct lb_traffic_cfg {
	enum lb_mode mode;
	enum lb_arrival arrival;
	double rate;               /* requests/s: Poisson rate, daily base rate */
	double *curve_t, *curve_rate;  /* LB_ARR_CURVE: step function (s, requests/s) */
	int n_curve;
	double amplitude, peak_hour;   /* LB_ARR_DAILY cosine form */
	double hourly[24];
	int has_hourly;
	char *trace_path;          /* LB_ARR_TRACE, resolved; column below */
	char *trace_column;
	double max_rate;           /* upper bound of the rate (thinning) */
	struct dist service;       /* seconds of work per request at a task */
	int workers;               /* concurrent requests per task, c */
	int queue_limit;           /* waiting room per task, K (0 = none) */
	sim_time_t client_timeout; /* default: the LB's idle timeout */
	int64_t flows;             /* NLB flow hash: distinct client flows */
};

struct lb_never_healthy {     /* a revision that never passes a health check */
	char *taskdef;
	double p;
};

struct lb_tg_cfg {
	char *name;
	int lb;                    /* index into lbs; -1 = not attached (no traffic) */
	enum lb_target_type target_type;
	char *protocol;            /* HTTP, HTTPS (ALB); TCP, TLS, UDP, TCP_UDP (NLB) */
	int port;
	sim_time_t hc_interval, hc_timeout;
	int healthy_threshold, unhealthy_threshold;
	sim_time_t dereg_delay;    /* deregistration_delay.timeout_seconds, 300 s */
	sim_time_t slow_start;     /* slow_start.duration_seconds, 0 = off */
	enum lb_algo algo;
	int cross_zone;            /* -1 = the load balancer's setting */
	int fo_count, fo_pct;      /* unhealthy_state_routing minimum healthy: count (0 = off), % (0 = off) */
	int dns_count, dns_pct;    /* dns_failover minimum healthy: count (0 = off), % (0 = off) */
	int overload_fails_checks; /* a check waits in the queue and may time out */
	struct lb_never_healthy *never;
	int n_never;
	int has_traffic;
	struct lb_traffic_cfg traffic;
	int has_slo;
	double slo_avail_pct, slo_p99_ms;
};

struct lb_config {
	struct lb_lb_cfg *lbs;
	int n_lbs;
	struct lb_tg_cfg *tgs;
	int n_tgs;
	int have_lbs, have_tgs;    /* the members were given */
};

/* One entry of a service's `loadBalancers`, resolved. */
struct lb_binding {
	int tg;                    /* index into cfg->tgs */
	int container;             /* index into td->containers */
	int container_port;
};

struct lb_service_cfg {
	struct lb_binding b[LB_MAX_PER_SERVICE];
	int n;
	sim_time_t grace;          /* healthCheckGracePeriodSeconds, default 0 */
};

void lb_config_init(struct lb_config *cfg);
void lb_config_free(struct lb_config *cfg);   /* frees members, not cfg */

/* Read one top-level member, "loadBalancers" or "targetGroups", in either
 * order (the scenario loader's table calls this once per member).  `file`
 * names the scenario in messages; relative CSV paths resolve against
 * base_dir (NULL = current folder).  0, or -1 with e = "$.path: reason". */
int lb_config_read(struct lb_config *cfg, const char *member, const struct cJSON *v,
		   const char *file, const char *base_dir, struct err *e);

/* After every member is read: resolve target groups' load balancers and
 * check each load balancer's AZs against the scenario's.  0 or -1. */
int lb_config_finish(struct lb_config *cfg, const char *const *azs, int n_azs,
		     const char *file, struct err *e);

/* A service's `loadBalancers` array (may be NULL) and
 * `healthCheckGracePeriodSeconds` (may be NULL), checked as CreateService
 * and ELB would: at most 5 entries; each names a known target group
 * (`targetGroupArn` or `targetGroupName`), a container of `td` and one of
 * its container ports; awsvpc needs `ip` targets, bridge/host need
 * `instance` targets.  `path` is the service's JSON path ("$.services[0]").
 * 0 with *out filled, or -1 with e set. */
int lb_service_read(const struct lb_config *cfg, const struct cJSON *lbs,
		    const struct cJSON *grace, const struct taskdef *td, const char *file,
		    const char *path, struct lb_service_cfg *out, struct err *e);

/* Index of a target group by name (or "arn:...:targetgroup/NAME/..."), -1. */
int lb_config_tg(const struct lb_config *cfg, const char *name_or_arn);

const char *lb_algo_name(enum lb_algo a);

#endif
