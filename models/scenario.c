/* models/scenario.c — loading a scenario file: reads the top level and hands
 * each section to the module of models/config/ that owns it, through one
 * table (`sections` below).
 *
 * Every member is read through sim/jsonrd's path-aware cursor, so a bad
 * value is reported as "FILE: $.instanceGroups[1].count: expected integer
 * in [1, 5000], got 0", and jr_end() refuses members nobody read.  Seconds
 * in the file become integer milliseconds when read, once (rounded to
 * nearest).  Defaults are listed in scenarios/README.md.
 */
#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/config/sections.h"
#include "sim/jsonptr.h"
#include "sim/jsonrd.h"
#include "sim/mem.h"

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	return xstrndup(path, (size_t)(slash - path) + (slash == path));
}

char *scenario_resolve(const char *dir, const char *rel)
{
	char *out;
	size_t n;

	if (rel[0] == '/' || !dir || strcmp(dir, ".") == 0)
		return xstrdup(rel);
	n = strlen(dir) + strlen(rel) + 2;
	out = xmalloc(n);
	snprintf(out, n, "%s/%s", dir, rel);
	return out;
}

static char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	const char *dot;

	b = b ? b + 1 : path;
	dot = strrchr(b, '.');
	return dot && dot != b ? xstrndup(b, (size_t)(dot - b)) : xstrdup(b);
}

/* A top-level member of the scenario and the section reader that owns it.
 * Every member is type-checked first, in the order of the rows (so the first
 * error of a file is the same whatever its sections hold); then the
 * sections are read in `order`, 1 first: a section may refer to those read
 * before it (groups to the zones, the agent's settings and the instance
 * types; task definitions to the placement policy; generators and
 * services to the task definitions).  Adding a section is one module of
 * models/config/ (its reader in models/config/sections.h) and one row. */
struct scn_section {
	const char *member;
	int array;                    /* its JSON type: 1 array, 0 object */
	int required;
	int order;                    /* 1..N_SECTIONS, each once */
	scn_read_fn *read;            /* called with NULL when the member is absent */
	scn_free_fn *free;            /* NULL: it keeps nothing */
};

static const struct scn_section sections[] = {
	/* member               array req order reader                        free */
	{ "availabilityZones",  1, 1,  1, cluster_config_read_azs,       cluster_config_free_azs },
	{ "instanceDefaults",   0, 0,  4, cluster_config_read_defaults,  cluster_config_free_defaults },
	{ "instanceTypes",      1, 0,  5, cluster_config_read_types,     NULL },
	{ "instanceGroups",     1, 0,  7, cluster_config_read_groups,    cluster_config_free_groups },
	{ "taskDefinitions",    0, 0,  9, taskdefs_config_read,          taskdefs_config_free },
	{ "placement",          0, 0,  8, placement_config_read,         placement_config_free },
	{ "workload",           0, 0, 14, workload_config_read,          workload_config_free },
	{ "pending",            0, 0, 19, pending_config_read,           NULL },
	{ "services",           1, 0, 17, service_config_read,           service_config_free },
	{ "controlPlane",       0, 0,  2, controlplane_config_read,      NULL },
	{ "agent",              0, 0,  3, agent_config_read,             agent_config_free },
	{ "azOutages",          1, 0, 18, faults_config_read,            faults_config_free },
	{ "pricing",            0, 0,  6, pricing_config_read,           pricing_config_free },
	{ "limits",             0, 0, 20, limits_config_read,            NULL },
	{ "capacityProviders",  1, 0, 10, capacity_config_read_providers, NULL },
	{ "defaultCapacityProviderStrategy", 1, 0, 11, capacity_config_read_default, NULL },
	{ "fargate",            0, 0, 12, capacity_config_read_fargate,  NULL },
	{ "utilization",        0, 0, 13, capacity_config_read_utilization, capacity_config_free },
	{ "loadBalancers",      1, 0, 15, lb_config_read_lbs,            lb_config_free_all },
	{ "targetGroups",       1, 0, 16, lb_config_read_tgs,            NULL },
	{ "alarms",             1, 0, 21, alarms_config_read,            alarms_config_free },
	{ "network",            0, 0, 22, cluster_config_read_network,   cluster_config_free_network },
};

#define N_SECTIONS ((int)(sizeof sections / sizeof sections[0]))

/* The members the top level reads itself, before the sections. */
static const char *const scalars[] = { "name", "description", "seed", "durationSeconds",
	"metricsIntervalSeconds", "region" };

#define N_SCALARS ((int)(sizeof scalars / sizeof scalars[0]))

static int take_section(struct jr *c, const struct scn_section *m, const cJSON **v)
{
	if (m->array)
		return m->required ? jr_req_array(c, m->member, v) : jr_opt_array(c, m->member, v);
	if (m->required && !jr_has(c, m->member))
		return jr_fail(c, m->member, "required member is missing");
	return jr_opt_object(c, m->member, v);
}

static int load(struct scenario *s, struct jdoc *d, struct err *e)
{
	struct jr c;
	const char *name, *region, *desc;
	const char *members[N_SCALARS + N_SECTIONS + 1];
	const cJSON *v[N_SECTIONS];
	int64_t seed;
	double duration, interval;
	char *dflt_name = base_name(s->file);
	int rc;

	for (int i = 0; i < N_SCALARS; i++)
		members[i] = scalars[i];
	for (int i = 0; i < N_SECTIONS; i++)
		members[N_SCALARS + i] = sections[i].member;
	members[N_SCALARS + N_SECTIONS] = NULL;
	rc = jr_open(&c, d->root, s->file, "$", e) || jr_only(&c, members) ||
	     jr_opt_str(&c, "name", dflt_name, &name) ||
	     jr_opt_str(&c, "description", "", &desc) ||
	     jr_opt_int(&c, "seed", 1, 0, INT64_MAX, &seed) ||
	     jr_req_num(&c, "durationSeconds", 0.001, 1e11, &duration) ||
	     jr_opt_num(&c, "metricsIntervalSeconds", 60, 0.001, 1e11, &interval) ||
	     jr_req_str(&c, "region", &region);
	for (int i = 0; i < N_SECTIONS && !rc; i++)
		rc = take_section(&c, &sections[i], &v[i]);
	rc = rc || jr_end(&c);
	s->name = xstrdup(rc ? dflt_name : name);
	free(dflt_name);
	if (rc)
		return -1;
	s->seed = (uint64_t)seed;
	s->duration = sim_ms(duration);
	s->metrics_interval = sim_ms(interval);
	s->region = xstrdup(region);
	for (int order = 1; order <= N_SECTIONS; order++)
		for (int i = 0; i < N_SECTIONS; i++)
			if (sections[i].order == order && sections[i].read(s, v[i], e))
				return -1;
	/* docs/ecs-model.md §5.11: a strategy's providers need the launch type
	 * in requiresCompatibilities; checked here so that validate refuses
	 * what run would */
	if (scenario_capacity_unsupported(s, e))
		return -1;
	/* summary.csv's strategy, once the workload and the services are known */
	placement_summary_label(s);
	return 0;
}

struct scenario *scenario_load(const char *path, struct err *e)
{
	return scenario_load_sets(path, NULL, 0, e);
}

struct scenario *scenario_load_sets(const char *path, const char *const *sets, int n_sets,
				    struct err *e)
{
	struct scenario *s = xcalloc(1, sizeof *s);
	struct jdoc d;
	int rc = 0;

	s->file = xstrdup(path);
	s->dir = dir_of(path);
	place_policy_init(&s->policy);
	s->catalog = catalog_builtin(e);
	if (!s->catalog || jdoc_load(&d, path, e)) {
		scenario_free(s);
		return NULL;
	}
	for (int i = 0; i < n_sets && !rc; i++)
		rc = jsonptr_assign(d.root, sets[i], path, e);
	rc = rc || load(s, &d, e);
	jdoc_free(&d);
	if (rc) {
		scenario_free(s);
		return NULL;
	}
	return s;
}

void scenario_free(struct scenario *s)
{
	if (!s)
		return;
	for (int i = 0; i < N_SECTIONS; i++)
		if (sections[i].free)
			sections[i].free(s);
	catalog_free(s->catalog);
	free(s->region);
	free(s->name);
	free(s->dir);
	free(s->file);
	free(s);
}

int scenario_az_index(const struct scenario *s, const char *az)
{
	for (int i = 0; i < s->n_azs; i++)
		if (strcmp(s->azs[i], az) == 0)
			return i;
	return -1;
}

int scenario_has_az(const struct scenario *s, const char *az)
{
	return scenario_az_index(s, az) >= 0;
}

int scenario_az_fargate(const struct scenario *s, int k)
{
	return s->azs[k][strlen(s->region)] != '-';
}
