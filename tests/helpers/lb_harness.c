/* tests/helpers/lb_harness.c — see lb_harness.h. */
#include "lb_harness.h"

#include <string.h>

#include "sim/rng.h"
#include "sim/sim.h"

static const char *const azs[] = { "us-east-1a", "us-east-1b", "us-east-1c" };

int lbh_config(struct lb_config *cfg, struct jdoc *doc, const char *json, struct err *e)
{
	lb_config_init(cfg);
	if (jdoc_parse(doc, "lb.json", json, strlen(json), e))
		return -1;
	if (lb_config_read(cfg, "loadBalancers", cJSON_GetObjectItemCaseSensitive(doc->root, "loadBalancers"),
			   "lb.json", NULL, e) ||
	    lb_config_read(cfg, "targetGroups", cJSON_GetObjectItemCaseSensitive(doc->root, "targetGroups"),
			   "lb.json", NULL, e) ||
	    lb_config_finish(cfg, azs, 3, "lb.json", e))
		return -1;
	return 0;
}

static void cb_unhealthy(void *ctx, int tg, uint64_t ref, sim_time_t now)
{
	struct lbh *h = ctx;

	(void)tg; (void)ref;
	h->n_unhealthy++;
	h->t_unhealthy = now;
}

static void cb_healthy(void *ctx, int tg, uint64_t ref, sim_time_t now)
{
	struct lbh *h = ctx;

	(void)tg; (void)ref;
	h->n_healthy++;
	h->t_healthy = now;
}

static void cb_drained(void *ctx, int tg, uint64_t ref, sim_time_t now)
{
	struct lbh *h = ctx;

	(void)tg; (void)ref;
	h->n_drained++;
	h->t_drained = now;
}

static void cb_failed(void *ctx, int tg, uint64_t ref, sim_time_t now)
{
	struct lbh *h = ctx;

	(void)tg; (void)ref; (void)now;
	h->n_check_failed++;
}

static void cb_request(void *ctx, int tg, int target, enum lb_outcome o, sim_time_t arrived,
		       sim_time_t started, sim_time_t ended, int queued)
{
	struct lbh *h = ctx;

	if (h->on_request)
		h->on_request(h->req_ctx, tg, target, o, arrived, started, ended, queued);
}

int lbh_init(struct lbh *h, const char *json, uint64_t seed, sim_time_t interval, struct err *e)
{
	struct lb_callbacks cb = { h, cb_unhealthy, cb_healthy, cb_failed, cb_drained, cb_request, NULL, NULL };

	memset(h, 0, sizeof *h);
	if (lbh_config(&h->cfg, &h->doc, json, e))
		return -1;
	h->s = sim_new();
	h->rng = rng_new(seed);
	h->lb = lb_new(&h->cfg, h->s, h->rng, interval, &cb);
	return 0;
}

void lbh_free(struct lbh *h)
{
	lb_free(h->lb);
	sim_free(h->s);
	rng_free(h->rng);
	lb_config_free(&h->cfg);
	jdoc_free(&h->doc);
}
