/* models/pricing.c — see pricing.h.  The scenario's `pricing` object:
 *
 *   "pricing": {
 *     "onDemandPerHour": {"m5.large": 0.096, "x9.large": 0.2},
 *     "spot": {"discountPct": 70},            or a distribution of it
 *     "fargate": {"perVcpuHour": 0.04048, "perGbHour": 0.004445}
 *   }
 *
 * every member optional, documented with units and defaults in
 * scenarios/README.md ("Cost").
 */
#include "pricing.h"
#include "models/config/sections.h"

#include <stdio.h>
#include <stdlib.h>

#include "models/catalog.h"
#include "models/scenario.h"
#include "sim/jsonrd.h"
#include "sim/mem.h"
#include "sim/rng.h"

#define MAX_PRICE 1e6     /* USD per hour: far above any real price, catches unit slips */

static void set_defaults(struct pricing *p)
{
	p->spot_discount = (struct dist){ .kind = DIST_CONSTANT, .a = PRICING_SPOT_DISCOUNT_PCT };
	p->fargate_vcpu_hour = PRICING_FARGATE_VCPU_HOUR;
	p->fargate_gb_hour = PRICING_FARGATE_GB_HOUR;
	p->fargate_spot_discount_pct = PRICING_FARGATE_SPOT_DISCOUNT_PCT;
}

static int read_on_demand(struct scenario *s, const cJSON *obj, struct err *e)
{
	const char *path = "$.pricing.onDemandPerHour";

	if (!cJSON_IsObject(obj))
		return err_at(e, s->file, 0, 0, path,
			      "expected an object of instance type to USD per hour, got %s",
			      jtype_name(obj));
	for (const cJSON *it = obj->child; it; it = it->next) {
		char p[400];
		double v;

		snprintf(p, sizeof p, "%s.%s", path, it->string);
		if (jv_num(it, s->file, p, 0, MAX_PRICE, &v, e))
			return -1;
		if (catalog_set_price(s->catalog, it->string, v)) {
			char *names = catalog_names(s->catalog);
			int rc = err_at(e, s->file, 0, 0, p, "unknown instance type '%s'; known: %s",
					it->string, names);

			free(names);
			return rc;
		}
	}
	return 0;
}

/* The Spot discount must lie in [0, 100] % where the distribution says so
 * exactly; other families are clamped when drawn. */
static int check_discount(const struct dist *d, const char *file, const char *path,
			  struct err *e)
{
	switch (d->kind) {
	case DIST_CONSTANT:
		if (d->a > 100)
			return err_at(e, file, 0, 0, path,
				      "expected a discount in [0, 100] %%, got %g", d->a);
		break;
	case DIST_UNIFORM:
		if (d->b > 100)
			return err_at(e, file, 0, 0, path,
				      "expected a discount in [0, 100] %%, got max %g", d->b);
		break;
	case DIST_EMPIRICAL:
		for (size_t i = 0; i < d->n_values; i++)
			if (d->values[i] > 100)
				return err_at(e, file, 0, 0, path,
					      "expected discounts in [0, 100] %%, the sample has %g",
					      d->values[i]);
		break;
	default:
		break;
	}
	return 0;
}

static int read_spot(struct scenario *s, struct pricing *p, const cJSON *obj, struct err *e)
{
	struct jr c;
	const cJSON *v;
	static const char *const path = "$.pricing.spot.discountPct";

	if (jr_open(&c, obj, s->file, "$.pricing.spot", e))
		return -1;
	v = jr_get(&c, "discountPct");
	if (jr_end(&c))
		return -1;
	if (!v)
		return 0;
	if (dist_parse(&p->spot_discount, v, s->file, path, s->dir, e))
		return -1;
	return check_discount(&p->spot_discount, s->file, path, e);
}

void pricing_config_free(struct scenario *s)
{
	pricing_free(s->pricing);
	s->pricing = NULL;
}

int pricing_config_read(struct scenario *s, const cJSON *obj, struct err *e)
{
	struct pricing *p = xcalloc(1, sizeof *p);
	const cJSON *od = NULL, *spot = NULL, *fg = NULL;
	struct jr c;

	set_defaults(p);
	pricing_free(s->pricing);
	s->pricing = p;
	if (!obj)
		return 0;
	if (jr_open(&c, obj, s->file, "$.pricing", e))
		return -1;
	od = jr_get(&c, "onDemandPerHour");
	if (jr_opt_object(&c, "spot", &spot) || jr_opt_object(&c, "fargate", &fg) || jr_end(&c))
		return -1;
	if (od && read_on_demand(s, od, e))
		return -1;
	if (spot && read_spot(s, p, spot, e))
		return -1;
	if (fg) {
		struct jr f;

		if (jr_open(&f, fg, s->file, "$.pricing.fargate", e) ||
		    jr_opt_num(&f, "perVcpuHour", PRICING_FARGATE_VCPU_HOUR, 0, MAX_PRICE,
			       &p->fargate_vcpu_hour) ||
		    jr_opt_num(&f, "perGbHour", PRICING_FARGATE_GB_HOUR, 0, MAX_PRICE,
			       &p->fargate_gb_hour) ||
		    jr_opt_num(&f, "spotDiscountPct", PRICING_FARGATE_SPOT_DISCOUNT_PCT, 0, 100,
			       &p->fargate_spot_discount_pct) ||
		    jr_end(&f))
			return -1;
	}
	return 0;
}

void pricing_free(struct pricing *p)
{
	if (!p)
		return;
	dist_free(&p->spot_discount);
	free(p);
}

double pricing_instance_hourly(const struct pricing *p, const struct catalog_type *t, int spot,
			       struct rng_reg *rng)
{
	double pct;

	if (!t->priced)
		return -1;
	if (!spot)
		return t->usd_per_hour;
	if (!p)
		pct = PRICING_SPOT_DISCOUNT_PCT;
	else if (p->spot_discount.kind == DIST_CONSTANT)
		pct = p->spot_discount.a;
	else
		pct = dist_sample(&p->spot_discount, rng_stream(rng, "pricing/spot"));
	if (!(pct >= 0))
		pct = 0;
	if (pct > 100)
		pct = 100;
	return t->usd_per_hour * (1 - pct / 100);
}

int64_t pricing_billed_seconds(sim_time_t ms)
{
	int64_t s = ms > 0 ? (ms + 999) / 1000 : 0;

	return s < PRICING_MIN_BILLED_S ? PRICING_MIN_BILLED_S : s;
}

double pricing_period_usd(double usd_per_hour, sim_time_t ms)
{
	return usd_per_hour * (double)pricing_billed_seconds(ms) / 3600.0;
}

double pricing_fargate_usd(const struct pricing *p, double vcpu, double gb, sim_time_t ms)
{
	double per_hour = vcpu * (p ? p->fargate_vcpu_hour : PRICING_FARGATE_VCPU_HOUR) +
			  gb * (p ? p->fargate_gb_hour : PRICING_FARGATE_GB_HOUR);

	return pricing_period_usd(per_hour, ms);
}

double pricing_fargate_task_usd(const struct pricing *p, int64_t cpu_units, int64_t mem_mib,
				int spot, sim_time_t ms)
{
	double usd = pricing_fargate_usd(p, (double)cpu_units / 1024.0, (double)mem_mib / 1024.0, ms);
	double off = p ? p->fargate_spot_discount_pct : PRICING_FARGATE_SPOT_DISCOUNT_PCT;

	return spot ? usd * (1.0 - off / 100.0) : usd;
}
