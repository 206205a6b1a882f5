/* models/config/lb.c — the scenario's `loadBalancers` and `targetGroups`
 * (docs/ecs-model.md §6): read by models/lb/lb_config.c, checked against
 * the scenario's zones once both are read.  Run by models/lb/lb_actor.c.
 */
#include "models/config/sections.h"
#include "models/lb/lb_config.h"
#include "models/scenario.h"
#include "sim/jsonrd.h"

int lb_config_read_lbs(struct scenario *s, const cJSON *v, struct err *e)
{
	return lb_config_read(&s->lb, "loadBalancers", v, s->file, s->dir, e);
}

int lb_config_read_tgs(struct scenario *s, const cJSON *v, struct err *e)
{
	if (lb_config_read(&s->lb, "targetGroups", v, s->file, s->dir, e))
		return -1;
	if (!s->lb.have_lbs && !s->lb.have_tgs)
		return 0;
	return lb_config_finish(&s->lb, (const char *const *)s->azs, s->n_azs, s->file, e);
}

void lb_config_free_all(struct scenario *s)
{
	lb_config_free(&s->lb);
}
