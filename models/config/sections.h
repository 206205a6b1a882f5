/* models/config/sections.h — the readers of a scenario's sections: what each
 * module of models/config/ exports to the loader (models/scenario.c, whose
 * one table lists every top-level member with its reader, its free
 * function and the order they are read in) and to the other sections.
 *
 * A reader is called once per load with its member's value, or NULL when
 * the member is absent (it then sets its defaults); by then every member
 * has passed its type check and every section before it in the reading
 * order has been read, so it may look at that section's data (a service's
 * task definition, a group's instance type and AZ).  It returns 0, or -1
 * with e filled: the file, the JSON path and the reason.  A free function
 * releases what its reader kept, also after a failed or partial load.
 *
 * The data itself is declared in models/scenario.h; this header is the only
 * one the section modules and the loader share, so none of them includes
 * another (no include cycle through the loader).
 */
#ifndef MODELS_CONFIG_SECTIONS_H
#define MODELS_CONFIG_SECTIONS_H

struct cJSON;
struct err;
struct scenario;
struct scn_group;
struct scn_service;
struct scn_taskdef;
struct scn_timing;

typedef int scn_read_fn(struct scenario *s, const struct cJSON *v, struct err *e);
typedef void scn_free_fn(struct scenario *s);

/* models/config/cluster.c: the region's zones and the container instances */
scn_read_fn cluster_config_read_azs;        /* $.availabilityZones */
scn_read_fn cluster_config_read_defaults;   /* $.instanceDefaults */
scn_read_fn cluster_config_read_types;      /* $.instanceTypes */
scn_read_fn cluster_config_read_groups;     /* $.instanceGroups */
scn_read_fn cluster_config_read_network;    /* $.network */
scn_free_fn cluster_config_free_azs, cluster_config_free_defaults, cluster_config_free_groups,
	cluster_config_free_network;

/* models/config/timing.c: the control plane's and the agents' timings */
scn_read_fn controlplane_config_read;       /* $.controlPlane (and every default) */
scn_read_fn agent_config_read;              /* $.agent */
scn_free_fn agent_config_free;
/* An agent object (a scenario's $.agent, or a group's) over `base`. */
int agent_config_read_into(struct scenario *s, const struct cJSON *obj, const char *path,
			   const struct scn_timing *base, struct scn_timing *out, int *own_pull,
			   struct err *e);
/* The containers' start step from containerStartSeconds and the agent's
 * start and create timeouts (choice E207). */
void timing_start_step(struct scn_timing *t);
/* The start timeout of instances of `os_family` (their OS's default when
 * none was given), and the start step again. */
void timing_os_start_timeout(struct scn_timing *t, const char *os_family);

/* models/config/placement.c: the scenario's placement policy, the pending
 * mode, and the policy each task definition and service places with */
scn_read_fn placement_config_read;          /* $.placement */
scn_read_fn pending_config_read;            /* $.pending */
scn_free_fn placement_config_free;
int placement_taskdef_policy(struct scenario *s, struct scn_taskdef *t, struct err *e);
int placement_service_policy(struct scenario *s, struct scn_service *v, struct err *e);
void placement_summary_label(struct scenario *s);

/* models/config/taskdefs.c: the task definitions */
scn_read_fn taskdefs_config_read;           /* $.taskDefinitions */
scn_free_fn taskdefs_config_free;
int taskdefs_config_find(const struct scenario *s, const char *name);   /* index or -1 */

/* models/config/workload.c: traces, public traces read directly, generators */
scn_read_fn workload_config_read;           /* $.workload */
scn_free_fn workload_config_free;

/* models/config/lb.c: load balancers and target groups (before the services) */
scn_read_fn lb_config_read_lbs;             /* $.loadBalancers */
scn_read_fn lb_config_read_tgs;             /* $.targetGroups (then checks both) */
scn_free_fn lb_config_free_all;

/* models/config/service.c: the services */
scn_read_fn service_config_read;            /* $.services */
scn_free_fn service_config_free;

/* models/config/alarms.c: CloudWatch metric alarms (after the services) */
scn_read_fn alarms_config_read;             /* $.alarms (and the services' alarm names) */
scn_free_fn alarms_config_free;

/* models/config/faults.c: AZ outages, and a group's faults */
scn_read_fn faults_config_read;             /* $.azOutages */
scn_free_fn faults_config_free;
/* A group's failures, autoScaling, spot and agentDisconnects (any NULL). */
int faults_config_read_group(struct scenario *s, struct scn_group *g, const char *path,
			     const struct cJSON *fail, const struct cJSON *asg,
			     const struct cJSON *spot, const struct cJSON *disc, struct err *e);

/* models/config/capacity.c: capacity providers, the default strategy,
 * Fargate and utilisation models (read together by the last of the four),
 * and a service's capacityProviderStrategy, autoScaling, taskProtection */
scn_read_fn capacity_config_read_providers;    /* $.capacityProviders */
scn_read_fn capacity_config_read_default;      /* $.defaultCapacityProviderStrategy */
scn_read_fn capacity_config_read_fargate;      /* $.fargate */
scn_read_fn capacity_config_read_utilization; /* $.utilization (reads the four) */
scn_free_fn capacity_config_free;
/* A service's members (any NULL); `path` is "$.services[i]". */
int capacity_config_read_service(struct scenario *s, struct scn_service *v, const char *path,
				 const struct cJSON *strat, const struct cJSON *scaling,
				 const struct cJSON *prot, struct err *e);
void capacity_config_free_service(struct scn_service *v);
struct cp_strategy;
/* A capacity provider strategy at `path` (a generator's), into *out
 * (allocated here; the caller frees it). */
int capacity_config_read_strategy(struct scenario *s, const struct cJSON *arr, const char *path,
				  struct cp_strategy **out, struct err *e);

/* models/config/workload.c: an arrival process that keeps the clock moving
 * (docs/ecs-model.md choice E86): the mean gap d finite and at least one
 * millisecond, at most half the gaps under half a millisecond (0 ms once
 * rounded: arrivals at one instant); else -1, the error at c's member key.
 * Generators, AZ outages and agent disconnects use it. */
struct jr;
struct dist;
int config_sane_arrivals(const struct jr *c, const char *key, const struct dist *d);

/* models/config/limits.c: the sizes that bound a run (read last) */
scn_read_fn limits_config_read;             /* $.limits */

/* models/pricing.c: the prices of the cost columns (after the types) */
scn_read_fn pricing_config_read;            /* $.pricing */
scn_free_fn pricing_config_free;

/* models/scenario.c: `rel` resolved against `dir` (a scenario's folder); owned */
char *scenario_resolve(const char *dir, const char *rel);

#endif
