/* tests/helpers/lb_harness.h — drives models/lb with the engine alone (no
 * ECS control plane): a config from a JSON text, a sim, an rng registry and
 * recorded callbacks. */
#ifndef TESTS_LB_HARNESS_H
#define TESTS_LB_HARNESS_H

#include <stdint.h>

#include "models/lb/lb.h"
#include "sim/err.h"
#include "sim/jsonrd.h"

struct lbh {
	struct jdoc doc;
	struct lb_config cfg;
	struct sim *s;
	struct rng_reg *rng;
	struct lb *lb;
	/* callbacks seen */
	int n_unhealthy, n_healthy, n_drained, n_check_failed;
	sim_time_t t_unhealthy, t_healthy, t_drained;
	/* optional per-request observer */
	void (*on_request)(void *ctx, int tg, int target, enum lb_outcome o, sim_time_t arrived,
			   sim_time_t started, sim_time_t ended, int queued);
	void *req_ctx;
};

/* Load {"loadBalancers": [...], "targetGroups": [...]} from `json` (AZs
 * us-east-1a..c).  0, or -1 with e filled (the config's error). */
int lbh_config(struct lb_config *cfg, struct jdoc *doc, const char *json, struct err *e);
/* The same, then a world with seed and metrics interval (ms). */
int lbh_init(struct lbh *h, const char *json, uint64_t seed, sim_time_t interval, struct err *e);
void lbh_free(struct lbh *h);

#endif
