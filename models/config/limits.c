/* models/config/limits.c — $.limits: the sizes that bound a run's memory
 * (scenarios/README.md, "Limits").  maxInstances defaults to ECS's quota of
 * container instances per cluster (docs/ecs-model.md §7.5),
 * maxProvisioningTasks to its quota of tasks waiting PROVISIONING for a
 * capacity provider (§4.9); maxQueuedTasks,
 * the tasks waiting for placement, and maxEventsPerInstant, the events run
 * at one simulated instant (a loop of zero delays ends with an error
 * instead of spinning: docs/ecs-model.md choice E85), are simulator
 * limits.  Read last: the
 * instance groups and the services must fit. */
#include "models/capacity/capacity_config.h"
#include "models/config/sections.h"
#include "models/scenario.h"

#include "sim/jsonrd.h"

int limits_config_read(struct scenario *s, const cJSON *limits, struct err *e)
{
	struct jr c;
	int64_t total = 0, asg = 0;

	s->max_instances = SCN_DEFAULT_MAX_INSTANCES;
	s->max_queued = SCN_DEFAULT_MAX_QUEUED;
	s->max_provisioning = SCN_DEFAULT_MAX_PROVISIONING;
	s->max_instant = SCN_DEFAULT_MAX_INSTANT;
	if (limits && (jr_open(&c, limits, s->file, "$.limits", e) ||
		       jr_opt_int(&c, "maxInstances", SCN_DEFAULT_MAX_INSTANCES, 1, SCN_MAX_MAX_INSTANCES,
				  &s->max_instances) ||
		       jr_opt_int(&c, "maxQueuedTasks", SCN_DEFAULT_MAX_QUEUED, 1, SCN_MAX_MAX_QUEUED,
				  &s->max_queued) ||
		       jr_opt_int(&c, "maxProvisioningTasks", SCN_DEFAULT_MAX_PROVISIONING, 1,
				  SCN_MAX_MAX_PROVISIONING, &s->max_provisioning) ||
		       jr_opt_int(&c, "maxEventsPerInstant", SCN_DEFAULT_MAX_INSTANT, 1, SCN_MAX_MAX_INSTANT,
				  &s->max_instant) ||
		       jr_end(&c)))
		return -1;
	if (s->n_services > 5000)
		return err_at(e, s->file, 0, 0, "$.services",
			      "%d services, more than ECS's quota of 5000 services per cluster", s->n_services);
	for (int i = 0; i < s->n_groups; i++)
		total += s->groups[i].count;
	if (total > s->max_instances)
		return err_at(e, s->file, 0, 0, "$.instanceGroups",
			      "the instance groups hold %lld instances, more than the limit of %lld "
			      "container instances per cluster (ECS's quota; a simulation may raise it "
			      "with $.limits.maxInstances, up to %lld)",
			      (long long)total, (long long)s->max_instances, (long long)SCN_MAX_MAX_INSTANCES);
	/* the capacity providers' Auto Scaling groups register their
	 * desiredCapacity at the start too (docs/ecs-model.md choice E30) */
	for (int i = 0; s->capacity && i < s->capacity->n_providers; i++)
		if (s->capacity->providers[i].kind == CAP_ASG)
			asg += s->capacity->providers[i].asg.desired;
	if (total + asg > s->max_instances)
		return err_at(e, s->file, 0, 0, "$.capacityProviders",
			      "the instance groups (%lld instances) and the capacity providers' "
			      "desiredCapacity (%lld) register %lld container instances at the start, "
			      "more than the limit of %lld container instances per cluster (ECS's quota; "
			      "a simulation may raise it with $.limits.maxInstances, up to %lld)",
			      (long long)total, (long long)asg, (long long)(total + asg),
			      (long long)s->max_instances, (long long)SCN_MAX_MAX_INSTANCES);
	return 0;
}
