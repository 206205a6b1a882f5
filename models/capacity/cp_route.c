/* models/capacity/cp_route.c — the strategy a task follows and the provider
 * it takes (docs/ecs-model.md §5.11; cp_route.h). */
#include "models/capacity/cp_route.h"

#include <stdint.h>

#include "models/capacity/capacity_config.h"
#include "models/scenario.h"

const struct cp_strategy *cp_strategy_for(const struct scenario *s, int svc)
{
	if (svc >= 0) {
		if (s->services[svc].sched == SCHED_DAEMON)
			return NULL;
		if (s->services[svc].cp_strategy)
			return s->services[svc].cp_strategy;
		/* a service with its own launchType follows no strategy: the
		 * cluster default applies only when neither is given
		 * (docs/ecs-model.md §5.11) */
		if (s->services[svc].launch_given)
			return NULL;
	}
	if (s->capacity && s->capacity->has_default)
		return &s->capacity->default_strategy;
	return NULL;
}

int cp_route_next(const struct cp_strategy *s, const int *counts, int *item)
{
	int i = cps_choose(s, counts, NULL);

	if (item)
		*item = i;
	return i < 0 ? -1 : s->items[i].provider;
}

const char *cp_name(const struct scenario *s, int provider)
{
	if (provider < 0 || !s->capacity || provider >= s->capacity->n_providers)
		return "";
	return s->capacity->providers[provider].name;
}

int cp_is_fargate(const struct scenario *s, int provider)
{
	return provider >= 0 && s->capacity && provider < s->capacity->n_providers &&
	       s->capacity->providers[provider].kind != CAP_ASG;
}

int cp_waits(const struct scenario *s, int provider)
{
	const struct cap_provider *p;

	if (provider < 0 || !s->capacity || provider >= s->capacity->n_providers)
		return 0;
	p = &s->capacity->providers[provider];
	return p->kind == CAP_ASG && p->ms.enabled;
}
