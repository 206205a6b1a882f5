/* models/scenario.h — a scenario file (JSON, documented field by field in
 * scenarios/README.md, schema in scenarios/scenario.schema.json) loaded into
 * plain data: the region and its AZs, instance groups, task definitions,
 * placement policy, workload (traces and generators) and run parameters.
 *
 * models/scenario.c reads the top level and hands each section to the
 * module of models/config/ that owns it (models/config/sections.h): the
 * data of every section is declared here, its reading there.
 *
 * Unknown members are errors (typos must not pass silently).  Everything
 * is copied out of the JSON: the scenario owns all its memory.
 */
#ifndef MODELS_SCENARIO_H
#define MODELS_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "models/catalog.h"
#include "models/import.h"
#include "models/lb/lb_config.h"
#include "models/cluster.h"
#include "models/placement/placement.h"
#include "models/taskdef.h"
#include "sim/dist.h"
#include "sim/err.h"
#include "sim/evq.h"
#include "sim/name_memo.h"

struct pricing;
struct cap_config;
struct cp_strategy;
struct aas_config;
struct cap_protection;
struct cJSON;

struct scn_attr {
	char *name;
	char *value;              /* NULL = no value */
};

/* Per-instance settings (docs/ecs-model.md §2.1, §7.3; defaults documented). */
struct scn_instance_settings {
	int64_t reserved_memory_mib;   /* ECS_RESERVED_MEMORY, default 0 */
	double memory_os_factor;       /* share of nominal memory the OS reports, default 0.975 */
	char *ami_id;
	char *agent_version;
	char *os_family;               /* default "LINUX" */
	int task_eni;                  /* ecs.capability.task-eni present, default 1 */
	int trunking;                  /* awsvpc ENI trunking, default 0 */
	/* ECS_RESERVED_PORTS / ECS_RESERVED_PORTS_UDP (§1.8, choice D2): NULL =
	 * the agent's defaults (TCP by OS family, UDP none); an empty list is
	 * not NULL */
	uint16_t *reserved_tcp;
	int n_reserved_tcp;
	uint16_t *reserved_udp;
	int n_reserved_udp;
};

/* Timings of the control plane and the agents (docs/ecs-model.md §3, §5, §7,
 * §10.2); every one is a parameter with the reference's default. */
struct scn_timing {
	sim_time_t placement_latency;     /* RunTask / scheduler launch → placement decision, 1 s */
	sim_time_t api_latency;           /* StopTask, UpdateService, ... take effect after, 0.1 s */
	sim_time_t scheduler_delay;       /* service scheduler reaction to a change, 10 s */
	sim_time_t network_delay;         /* backplane ↔ agent, each way, 0.05 s */
	struct dist image_pull;           /* seconds to pull an image not cached on the instance, 20 */
	sim_time_t image_pull_cached;     /* cached image, 1 s */
	sim_time_t container_start;       /* create + start the containers, 1 s; the
					   * step's length: the given one, or the
					   * agent's timeout below when it is longer */
	/* the agent gives up creating / starting a container (docs/ecs-model.md
	 * §7.3, choice E207): ECS_CONTAINER_START_TIMEOUT 180 s (480 s on
	 * Windows),
	 * ECS_CONTAINER_CREATE_TIMEOUT 240 s; containerStartSeconds as given
	 * (start_given), and start_times_out when it exceeds either: the step
	 * then ends at the smaller timeout with TaskFailedToStart */
	sim_time_t start_timeout, create_timeout, start_given;
	int start_times_out;
	int start_timeout_set;            /* containerStartTimeoutSeconds given (here or in the
					   * base it was copied from); else start_timeout is its
					   * instances' OS default: 180 s Linux, 480 s Windows */
	double start_failure_p;           /* a task's containers fail to start, 0 */
	sim_time_t shutdown;              /* a container exits this long after SIGTERM, 2 s */
	sim_time_t stop_timeout;          /* ECS_CONTAINER_STOP_TIMEOUT, 30 s */
	sim_time_t eni_attach;            /* awsvpc PROVISIONING, 5 s */
	sim_time_t eni_detach;            /* awsvpc DEPROVISIONING, 5 s */
	sim_time_t heartbeat_timeout;     /* silence before the agent counts as disconnected, 60 s */
	sim_time_t heartbeat_jitter;      /* + uniform [0, jitter), 60 s */
	/* the agent's reconnect back-off (docs/ecs-model.md §7.1): waits of
	 * initial, × multiplier, capped at max, each + uniform [0, jitter ×
	 * wait); initial 0 = back the moment the outage ends */
	sim_time_t reconnect_initial;     /* 0.25 s */
	double reconnect_multiplier;      /* 1.5 */
	sim_time_t reconnect_max;         /* 120 s */
	double reconnect_jitter;          /* 0.2 */
	sim_time_t healthy_after;         /* RUNNING → healthy without health check (docs/ecs-model.md §5.2), 40 s */
	sim_time_t health_check;          /* RUNNING → a container health check's command passes: the
					   * first check at or after it passes (docs/ecs-model.md
					   * choice E110), 0 s */
	sim_time_t throttle_initial;      /* first throttled launch delay (docs/ecs-model.md §5.4), 30 s */
	sim_time_t throttle_max;          /* cap, 900 s */
	int throttle_after;               /* consecutive start failures before throttling, 3 */
	int breaker_min;                  /* circuit-breaker threshold floor (3; older docs 10) */
	sim_time_t cas_period;            /* managed scaling's datapoint period (docs/ecs-model.md §5.12), 60 s */
	sim_time_t aas_period;            /* Service Auto Scaling's datapoint period (docs/ecs-model.md
					   * §5.10, choice E236), 60 s */
	/* the rate of tasks one service launches (docs/ecs-model.md §7.5,
	 * choice E113): at most svc_launch_limit launches of each class
	 * (Fargate; EC2/External) in any svc_launch_window; 0 = no limit */
	int64_t svc_launch_limit;         /* 500 */
	sim_time_t svc_launch_window;     /* 60 s */
	/* how often a service with AZ rebalancing checks its AZs for
	 * imbalance (docs/ecs-model.md §5.9, choice E118) */
	sim_time_t rebalance_check;       /* 60 s */
	/* how long a service event equal to the last one of its type is not
	 * written again, and the period of the lasting causes' repetition
	 * (docs/ecs-model.md §4.9, choices E172, E181) */
	sim_time_t event_repeat;          /* 6 h */
};

/* An EC2 Spot instance is terminated two minutes after its interruption
 * notice (docs/ecs-model.md §5.13): a group's `spot.warningSeconds`, and
 * the lead of every instance that belongs to no group. */
#define SPOT_WARNING_MS 120000
/* The agent polls the instance metadata for a Spot notice every second
 * (docs/ecs-model.md §5.13): a group's `spot.pollSeconds`, and the poll of
 * every instance that belongs to no group. */
#define SPOT_POLL_MS 1000

struct scn_group {
	char *name;
	const struct catalog_type *type;   /* points into the scenario's catalog */
	char *az;
	int count;
	struct scn_attr *attrs;
	int n_attrs;
	struct scn_instance_settings settings;
	/* faults (docs/ecs-model.md §8) */
	int has_failures;
	struct dist ttf;              /* time to failure, s */
	int has_repair;
	struct dist ttr;              /* time to repair, s; none = the instance is gone */
	int replace;                  /* Auto Scaling replaces a gone instance */
	sim_time_t replace_delay;     /* failure → replacement registered, ms */
	int spot;                     /* a Spot group */
	int has_spot_rate;
	struct dist tti;              /* time to a Spot interruption notice, s */
	int spot_draining;            /* ECS_ENABLE_SPOT_INSTANCE_DRAINING */
	sim_time_t spot_warning;      /* Spot notice → termination, ms (docs/ecs-model.md §5.13: 120 s) */
	sim_time_t spot_poll;         /* the agent's Spot notice poll, ms (§5.13: 1 s; choice E204) */
	int has_disconnects;
	struct dist disc_ia, disc_len;   /* agent disconnects: time between, length (s) */
	int own_timing;               /* the group overrides the agent's settings */
	int own_pull;                 /* ... including the image pull distribution */
	struct scn_timing timing;     /* the scenario's, with the group's agent settings */
};

/* An AZ outage: scheduled (at, duration) or a stochastic process. */
struct scn_outage {
	char *az;                     /* NULL = drawn among `azs` (stochastic) */
	sim_time_t at;                /* scheduled start, ms; -1 = stochastic */
	sim_time_t duration;          /* scheduled length, ms */
	int stochastic;
	struct dist interarrival, length;   /* s */
	double fraction;              /* share of the AZ's instances affected */
};

struct scn_taskdef {
	char *name;               /* the name traces and generators use */
	char *path;               /* file it came from ("" when inline) */
	struct taskdef *td;
	struct place_policy policy;   /* scenario policy + the definition's constraints */
	struct place_req req;         /* points into td */
	double start_failure_p;       /* containers fail to start; -1 = the agent's setting */
};

struct scn_mix {
	int taskdef;              /* index into scenario.taskdefs */
	double weight;
};

struct scn_generator {
	char *name;
	struct dist interarrival;     /* seconds between submissions */
	sim_time_t start, stop;       /* ms; stop = SIM_TIME_MAX when absent */
	int64_t max_tasks;            /* 0 = unlimited */
	struct scn_mix *mix;
	int n_mix;
	int has_runtime;
	struct dist runtime;          /* seconds the essential container runs */
	char *group;                  /* NULL = family:<family> */
	int count;                    /* tasks per submission (RunTask count) */
	/* its RunTask calls' own capacityProviderStrategy (NULL: none) or
	 * launchType (launch_type: TL_EC2 / TL_FARGATE, -1: none), never both;
	 * neither: the cluster's default strategy (docs/ecs-model.md §5.11) */
	struct cp_strategy *cp_strategy;
	int launch_type;
};


enum scn_sched { SCHED_REPLICA, SCHED_DAEMON };

/* deploymentCircuitBreaker.thresholdConfiguration.type (docs/ecs-model.md §5.6) */
enum scn_breaker_type { BREAKER_BOUNDED_PERCENT, BREAKER_UNBOUNDED_PERCENT, BREAKER_COUNT };

/* deploymentConfiguration.strategy (docs/ecs-model.md §5.5, §5.7) */
enum scn_deploy_strategy { DS_ROLLING, DS_BLUE_GREEN, DS_LINEAR, DS_CANARY };

struct scn_service {
	char *name;
	int taskdef;                  /* index into taskdefs */
	enum scn_sched sched;
	int64_t desired;
	int min_healthy_pct, max_pct;
	int breaker, rollback;
	int breaker_reset;                    /* resetOnHealthyTask (default true) */
	enum scn_breaker_type breaker_type;   /* thresholdConfiguration: BOUNDED_PERCENT */
	int64_t breaker_value;                /* ... and 50 */
	/* deploymentConfiguration.strategy and its settings (docs/ecs-model.md
	 * §5.7): the bake time after the last production shift, LINEAR's step
	 * and its wait, CANARY's share and its wait (percent, minutes) */
	enum scn_deploy_strategy deploy_strategy;
	int bake_min;
	double step_pct;
	int step_bake_min;
	double canary_pct;
	int canary_bake_min;
	struct place_policy policy;   /* service strategy/constraints + the definition's */
	int has_runtime;
	struct dist runtime;          /* how long each task's essential container runs */
	sim_time_t create_at;         /* CreateService call time */
	int az_rebalancing;           /* availabilityZoneRebalancing ENABLED, given or by
				       * default (docs/ecs-model.md §5.9); in effect only
				       * when scn_service_rebalances says so */
	/* The service's own placementStrategy / placementConstraints as written
	 * (a member present, even empty, is the service's own); `policy` above
	 * is built from them, the scenario's `placement` and --strategy. */
	struct place_policy own;
	int own_strategy, own_constraints;
	char *strategy_label;         /* service_summary.csv's strategy ("daemon" for DAEMON) */
	/* models/config/capacity.c: NULL when the member is absent */
	struct cp_strategy *cp_strategy;     /* capacityProviderStrategy */
	struct aas_config *scaling;          /* autoScaling */
	struct cap_protection *protection;   /* taskProtection */
	struct lb_service_cfg lb;     /* loadBalancers, healthCheckGracePeriodSeconds (n = 0: none) */
	int launch_type;              /* launchType: enum task_launch; when absent, fixed at
				       * creation from the task definition (FARGATE when it
				       * lists FARGATE and not EC2, else EC2): a later
				       * revision never changes it (docs/ecs-model.md §5.11) */
	int launch_given;             /* launchType was given */
	unsigned char *subnet_azs;    /* availabilityZones: n_azs flags, the zones its Fargate
				       * tasks may use; NULL = every zone */
	/* deploymentConfiguration.alarms (docs/ecs-model.md §5.6): the
	 * scenario's alarms it watches (indices into scenario.alarms; names
	 * until $.alarms is read), enable, rollback */
	int alarms_enable, alarms_rollback;
	int *alarm_idx;
	char **alarm_names;
	int n_alarms;
	int svc_index;                /* its index in $.services (for messages) */
};

/* A CloudWatch metric alarm ($.alarms, docs/ecs-model.md §5.6, choices
 * E135–E139). */
enum scn_alarm_metric {
	AM_CPU, AM_MEMORY,                    /* the service's (AWS/ECS) */
	AM_REQUESTS, AM_ELB_5XX, AM_RESPONSE_TIME, AM_HEALTHY, AM_UNHEALTHY,   /* its target group's (AWS/ApplicationELB) */
	AM_N
};
enum scn_alarm_stat { AS_AVERAGE, AS_SUM, AS_MAXIMUM, AS_MINIMUM };
enum scn_alarm_cmp { AC_GT, AC_GE, AC_LT, AC_LE };
enum scn_alarm_missing { AMD_MISSING, AMD_NOT_BREACHING, AMD_BREACHING, AMD_IGNORE };

struct scn_alarm {
	char *name;
	enum scn_alarm_metric metric;
	int service;                  /* index into services */
	int tg;                       /* target group (ALB metrics), -1 */
	enum scn_alarm_stat stat;
	int period_s;                 /* a multiple of 60 */
	int eval_periods, to_alarm;   /* N, M */
	double threshold;
	enum scn_alarm_cmp cmp;
	enum scn_alarm_missing missing;
};
/* Its CloudWatch name ("CPUUtilization", ...). */
const char *scn_alarm_metric_name(enum scn_alarm_metric m);

/* Whether service v is AZ-rebalanced (docs/ecs-model.md §5.9): its
 * availabilityZoneRebalancing is ENABLED (the default) and it is compatible:
 * REPLICA, maximumPercent above 100, its first strategy a spread over
 * attribute:ecs.availability-zone or no strategy, and no placement
 * constraint reading attribute:ecs.availability-zone.  `pol` is the policy
 * its tasks are placed with (its primary deployment's, or v->policy).
 * EXTERNAL instances and Classic Load Balancers, also excluded by ECS, are
 * not modelled. */
int scn_service_rebalances(const struct scn_service *v, const struct place_policy *pol);

/* UpdateService of service v to task definition td (a trace's `deploy`):
 * 0, or -1 with e filled when the service's placement constraints and the
 * new definition's would pass the limit of 10 (docs/ecs-model.md §4.3; ECS
 * refuses such a call). */
int scn_service_deploy_check(const struct scenario *s, int v, int td, struct err *e);

/* A public trace read directly (models/import.h). */
#define SCN_IMPORT_TABLES 9

struct scn_import {
	char *format;                 /* "google2011" / "alibaba2018" / "alibaba2017" / "swf" / "openb" */
	char *paths[SCN_IMPORT_TABLES]; /* owned copies of the table paths */
	char *instance_type;
	struct import_opts opts;      /* points into the strings above and the scenario's AZs */
	char *label;                  /* for messages */
};

/* ECS reports 10–30 minutes of waiting for a capacity provider's capacity;
 * the default is the middle (docs/ecs-model.md choice E60). */
#define CP_WAIT_S 1200

struct scenario {
	char *file;
	char *dir;                    /* folder of the file: relative paths resolve here */
	char *name;
	uint64_t seed;
	sim_time_t duration;          /* ms */
	sim_time_t metrics_interval;  /* ms */
	char *region;
	char **azs;
	int n_azs;
	char *vpc_id;                 /* $.network.vpcId: ecs.vpc-id of every instance */
	char **subnet_ids;            /* $.network.subnets: ecs.subnet-id per zone (n_azs) */
	struct catalog *catalog;
	struct scn_instance_settings defaults;
	struct scn_group *groups;
	int n_groups;
	struct scn_taskdef *taskdefs;
	int n_taskdefs;
	size_t cap_taskdefs;
	struct place_policy policy;
	char *strategy_label;         /* the strategy of standalone tasks (template name, chain or "default") */
	char *summary_label;          /* what summary.csv shows: the one strategy used, or "mixed" */
	int cli_strategy;             /* --strategy given: it replaces every task's strategy */
	int n_cli_constraints;        /* policy.constraints[0..n) come from the --strategy template */
	char **traces;                /* resolved paths */
	int n_traces;
	struct scn_import *imports;   /* public traces read directly */
	int n_imports;
	struct hmap *synthetic;       /* "cpu/mem" → task definition index */
	struct name_memo td_memo;     /* scenario_taskdef's recent names → index */
	struct scn_generator *gens;
	int n_gens;
	sim_time_t pending_timeout;   /* ms, 0 = a pending task waits until the end */
	sim_time_t cp_wait;           /* ms a task waits PROVISIONING for a managed-scaling
				       * provider's capacity before it stops with
				       * TaskFailedToStart (pending.capacityWaitSeconds,
				       * default CP_WAIT_S; docs/ecs-model.md choice E60) */
	int pending_fail;             /* "mode": "fail": RunTask fails at once (no waiting) */
	int64_t max_instances;        /* $.limits.maxInstances: registered over the run */
	int64_t max_queued;           /* $.limits.maxQueuedTasks: waiting for placement */
	int64_t max_provisioning;     /* $.limits.maxProvisioningTasks: waiting PROVISIONING
				       * for a capacity provider's capacity (ECS quota 300) */
	int64_t max_instant;          /* $.limits.maxEventsPerInstant: events at one time */
	/* not a JSON field: 1 dispatches every step of a standalone task's
	 * lifecycle as an event of its own, none as a held place (tests compare
	 * the two ways' outputs, tests/test_chain.c) */
	int every_step;
	struct scn_timing timing;
	struct scn_service *services;
	int n_services;
	struct scn_outage *outages;
	int n_outages;
	struct pricing *pricing;      /* `pricing` (models/pricing.h); NULL = the defaults */
	struct cap_config *capacity;  /* models/config/capacity.c: the capacity sections (always set after a load) */
	int capacity_used;            /* any capacity member given (top level or a service's) */
	const struct cJSON *cap_pending[3];   /* during the load only */
	struct lb_config lb;          /* loadBalancers, targetGroups (models/lb/lb_config.h) */
	struct scn_alarm *alarms;     /* $.alarms (models/config/alarms.c) */
	int n_alarms;
};

/* Free a `pricing` (models/pricing.c). */
void pricing_free(struct pricing *p);

/* $.limits (scenarios/README.md, "Limits"). */
#define SCN_DEFAULT_MAX_INSTANCES 5000      /* ECS quota per cluster */
#define SCN_MAX_MAX_INSTANCES 1000000
#define SCN_DEFAULT_MAX_PROVISIONING 300     /* ECS's quota, not adjustable */
#define SCN_MAX_MAX_PROVISIONING 100000000
#define SCN_DEFAULT_MAX_QUEUED 100000
#define SCN_MAX_MAX_QUEUED 100000000
#define SCN_DEFAULT_MAX_INSTANT 10000000    /* events at one simulated instant */
#define SCN_MAX_MAX_INSTANT 1000000000000

/* Load and check a scenario. NULL with e filled on bad input. */
struct scenario *scenario_load(const char *path, struct err *e);
/* As scenario_load, with overrides applied to the parsed JSON first: each
 * sets[i] is "POINTER=VALUE" (sim/jsonptr.h), e.g. "/instanceGroups/0/count=12"
 * (ecsim run --set, compare, sweep). */
struct scenario *scenario_load_sets(const char *path, const char *const *sets, int n_sets,
				    struct err *e);
void scenario_free(struct scenario *s);        /* NULL is a no-op */
/* -1 with e filled when the scenario uses a capacity member a run does not
 * simulate yet (models/config/capacity.c); 0 otherwise. */
int scenario_capacity_unsupported(const struct scenario *s, struct err *e);
/* The capacity provider strategy service v follows (its own, else the
 * cluster default when it gives no launchType): 1 Fargate providers, 0 Auto
 * Scaling group providers, -1 none (its launch type applies). */
int scenario_service_strategy_fargate(const struct scenario *s, int v);
/* Whether a service has autoScaling or a capacity provider has managed
 * scaling (the run writes scaling.csv). */
int scenario_scales(const struct scenario *s);

/* Replace the placement strategies (--strategy) or the tie-break
 * (--tie-break); rebuilds every task definition's and every service's
 * policy.  --strategy replaces the strategy of every task, services with
 * their own placementStrategy included; DAEMON services take no strategy
 * and are left as they are. */
int scenario_set_strategy(struct scenario *s, const char *arg, struct err *e);
int scenario_set_tie_break(struct scenario *s, const char *arg, struct err *e);

/* The task definition a trace names: a name from the scenario, else a path
 * (relative to `base_dir`) loaded on first use and kept.  Returns its index
 * or -1 with e filled. */
int scenario_taskdef(struct scenario *s, const char *name_or_path, const char *base_dir,
		     struct err *e);

/* The synthetic task definition of a trace row that gives explicit
 * resources (family "imported": one essential container, EC2, bridge).
 * Returns its index or -1 with e filled. */
int scenario_synthetic_taskdef(struct scenario *s, int64_t cpu_units, int64_t mem_mib,
			       struct err *e);

/* Fill an instance spec for a new instance of `type` in `az` (attrs and
 * settings may be NULL: scenario defaults).  Strings point into the scenario
 * or into `scratch`, valid until the next call.  `scratch` holds at least
 * n_attrs + SCN_SPEC_EXTRA_ATTRS entries: every given attribute is kept
 * (a group may give any number of ecs.* ones, docs/ecs-model.md §2.2), after
 * at most 3 the spec adds (ecs.capability.task-eni, ecs.vpc-id,
 * ecs.subnet-id) and leaving one for the caller's ecs.awsvpc-trunk-id. */
#define SCN_SPEC_EXTRA_ATTRS 4
void scenario_instance_spec(const struct scenario *s, const struct catalog_type *type,
			    const char *az, const struct scn_attr *attrs, int n_attrs,
			    const struct scn_instance_settings *settings,
			    struct instance_spec *spec, struct inst_attr *scratch);

/* Whether ENI trunking is in effect on an instance of `type` with settings
 * `st` (NULL: the defaults): asked for, a type with a trunking limit, Linux,
 * agent ≥ 1.28.1 (docs/ecs-model.md §2.5). */
int scenario_trunking(const struct scenario *s, const struct catalog_type *type,
		      const struct scn_instance_settings *st);

/* Registration of an instance of `type` with settings `st` (NULL: the
 * defaults) fails: its reservedMemoryMiB exceeds the memory the OS reports
 * (docs/ecs-model.md §2.1).  Returns that memory (MiB) when it fails, else -1. */
int64_t scenario_reserved_over(const struct scenario *s, const struct catalog_type *type,
			       const struct scn_instance_settings *st);

/* Whether `az` is one of the scenario's Availability Zones. */
int scenario_has_az(const struct scenario *s, const char *az);
/* Its index in the scenario's list, -1 when it is none of them. */
int scenario_az_index(const struct scenario *s, const char *az);
/* Whether Fargate runs in the scenario's zone k: not in a Local Zone or a
 * Wavelength Zone, whose names go on from the region with '-'
 * (us-west-2-lax-1a, us-east-1-wl1-bos-wlz-1), where an Availability
 * Zone's goes on with its letter (us-west-2a) (docs/ecs-model.md §8.1). */
int scenario_az_fargate(const struct scenario *s, int k);

#endif
