/* models/cluster.h — the container instances of one cluster, their
 * registered and remaining resources, attributes, status, the tasks placed on
 * them (counted per task group), and the indexes placement reads
 * (docs/ecs-model.md §2, §4.2; choices D1–D9).
 *
 * Instances are numbered densely 0, 1, 2, ... in registration order; that
 * number is also the "earliest registered" order used by tie-breaks (A11).
 * The cluster never frees an instance before cluster_free(): an INACTIVE
 * instance keeps its number.
 *
 * Ownership: the cluster copies every string and array it is given.
 */
#ifndef MODELS_CLUSTER_H
#define MODELS_CLUSTER_H

#include <stdint.h>

enum inst_status { INST_ACTIVE, INST_DRAINING, INST_INACTIVE, INST_REGISTERING };

struct inst_attr {
	const char *name;
	const char *value;         /* NULL = attribute present with no value */
};

/* What a caller fills to register an instance (built from the catalog and
 * the scenario).  Built-in attributes ecs.availability-zone,
 * ecs.instance-type, ecs.os-type, ecs.os-family, ecs.cpu-architecture and
 * ecs.ami-id are added by the cluster from the fields below (D1); `attrs`
 * holds the others (custom ones, ecs.capability.task-eni, ...). */
struct instance_spec {
	const char *id;            /* container instance id; NULL = "ci-<n>" */
	const char *ec2_instance_id; /* NULL = same as id */
	const char *instance_type;
	const char *az;
	const char *os_type;       /* "linux" / "windows" */
	const char *os_family;     /* "LINUX", "WINDOWS_SERVER_2022_FULL", ... */
	const char *cpu_arch;      /* "x86_64" / "arm64" */
	const char *ami_id;
	int64_t cpu_units;         /* registered CPU (vCPU × 1024) */
	int64_t mem_mib;           /* registered memory */
	int64_t gpus;
	int eni_tasks;             /* awsvpc task capacity (D4) */
	const uint16_t *reserved_tcp; /* NULL = agent defaults by os_type (D2) */
	int n_reserved_tcp;
	const uint16_t *reserved_udp; /* NULL = none */
	int n_reserved_udp;
	const struct inst_attr *attrs;
	int n_attrs;
	const char *agent_version; /* NULL = unknown */
	int64_t registered_at_ms;  /* Unix epoch ms (registeredAt in CQL) */
};

/* What one task needs from an instance (docs/ecs-model.md §1.6). */
struct place_req {
	int64_t cpu_units;
	int64_t mem_mib;
	const uint16_t *ports_tcp; /* static host ports, sorted, unique (not awsvpc) */
	int n_ports_tcp;
	const uint16_t *ports_udp;
	int n_ports_udp;
	int eni;                   /* 1 = awsvpc: needs an ENI slot and ecs.capability.task-eni */
	int64_t gpus;
	const char *os_family;     /* runtimePlatform, NULL = any (A15) */
	const char *cpu_arch;      /* runtimePlatform, NULL = any (A15) */
};

struct cluster;

struct cluster *cluster_new(void);
void cluster_free(struct cluster *cl);        /* NULL is a no-op */
/* A number no other cluster of the process has (from 1): what a memo of
 * something cluster-specific is valid for (an address may be reused). */
uint64_t cluster_serial(const struct cluster *cl);

/* How many TCP ports the agent reserves by default (docs/ecs-model.md
 * choice D2): the Windows list's or the Linux list's length. */
int cluster_default_reserved_tcp(int windows);

/* Register an instance (status ACTIVE, agent connected).  Returns its
 * number.  The spec must be valid (the scenario loader checks it). */
int32_t cluster_add(struct cluster *cl, const struct instance_spec *spec);

int32_t cluster_count(const struct cluster *cl);          /* all, any status */

void cluster_set_status(struct cluster *cl, int32_t i, enum inst_status st);
void cluster_set_agent_connected(struct cluster *cl, int32_t i, int connected);

/* Task groups are interned: "family:web", "service:api", ... */
uint32_t cluster_group(struct cluster *cl, const char *name);
const char *cluster_group_name(const struct cluster *cl, uint32_t g);

/* Account for a task of group g placed on / leaving instance i: CPU, memory,
 * ports, ENI, GPU and the group counts (D9).  reserve() must only be called
 * for a placement that fits (the result of place_task). */
void cluster_reserve(struct cluster *cl, int32_t i, const struct place_req *r, uint32_t g);
void cluster_release(struct cluster *cl, int32_t i, const struct place_req *r, uint32_t g);
/* Room held on instance i for a task of group g not yet placed there (a
 * DAEMON service's task, docs/ecs-model.md §4.10): r's CPU, memory and ENI
 * (ports and GPUs are not held).  Placement sees held room as taken
 * (cluster_cpu_remaining, cluster_mem_remaining and cluster_eni_free leave
 * it out, and so do the indexes); the totals' reserved CPU and memory and
 * the task counts do not count it.  The cluster holds as much of it as is
 * free now and takes the rest as room frees on i: a release there tops the
 * holds up before anything else can be placed.  Holds exist only on an
 * ACTIVE instance: a change of status drops every hold there.
 * cluster_hold sets (or replaces) g's hold on i, cluster_unhold drops it
 * (the room goes back); cluster_holds tells whether g holds on i. */
void cluster_hold(struct cluster *cl, int32_t i, uint32_t g, const struct place_req *r);
void cluster_unhold(struct cluster *cl, int32_t i, uint32_t g);
int cluster_holds(const struct cluster *cl, int32_t i, uint32_t g);
/* For one placement on i by holder g: cluster_hold_open gives g's own
 * held room back (the other holders' stays held: docs/ecs-model.md §4.10,
 * choice E146); cluster_hold_fill takes it again (a placement that
 * failed) and tops every hold up as room is free, in the order the holds
 * were made; cluster_unhold(g) after g's task is placed ends it.  No-ops
 * where g holds nothing. */
void cluster_hold_open(struct cluster *cl, int32_t i, uint32_t g);
void cluster_hold_fill(struct cluster *cl, int32_t i);
/* What g holds on i now (its own room). */
void cluster_hold_share(const struct cluster *cl, int32_t i, uint32_t g, int64_t *cpu, int64_t *mem, int *eni);
/* What is held on i now: CPU units, MiB, ENI slots. */
void cluster_held(const struct cluster *cl, int32_t i, int64_t *cpu, int64_t *mem, int *eni);
/* Instances with a hold of any holder (0 without DAEMON services). */
int32_t cluster_n_holding(const struct cluster *cl);

/* Ask for instance i's record (the lines a reserve or release reads): a
 * hint, for a caller that knows it comes next; changes nothing. */
void cluster_prefetch(const struct cluster *cl, int32_t i);

/* The host ports (TCP, or UDP when `udp`) an instance of `sp` reserves
 * before any task: its own list, else the agent's defaults for its OS
 * (choice D2; UDP: none); the count goes to *n. */
const uint16_t *cluster_reserved_ports(const struct instance_spec *sp, int udp, int *n);

/* Read access. */
const char *cluster_id(const struct cluster *cl, int32_t i);
const char *cluster_az(const struct cluster *cl, int32_t i);
const char *cluster_type(const struct cluster *cl, int32_t i);
enum inst_status cluster_status(const struct cluster *cl, int32_t i);
/* How many instances are DRAINING (none: no status need be read to know
 * that an instance is not). */
int32_t cluster_n_draining(const struct cluster *cl);
int cluster_agent_connected(const struct cluster *cl, int32_t i);
/* Whether zone `az` holds a placeable instance (ACTIVE, agent connected):
 * the size of the AZ attribute's partition (the attribute tracked from the
 * first call on, as a spread over it tracks it), not a pass over every
 * instance ever registered. */
int cluster_az_has_placeable(struct cluster *cl, const char *az);
/* The instances not INACTIVE (INACTIVE is for good, choice D7), in
 * registration order, their count in *n: the cluster's own array, valid
 * until the cluster next changes.  What a pass over the instances that
 * can still matter costs, not one over every instance ever registered. */
const int32_t *cluster_live(struct cluster *cl, int32_t *n);
int64_t cluster_cpu_registered(const struct cluster *cl, int32_t i);
int64_t cluster_mem_registered(const struct cluster *cl, int32_t i);
int64_t cluster_cpu_remaining(const struct cluster *cl, int32_t i);
int64_t cluster_mem_remaining(const struct cluster *cl, int32_t i);
int32_t cluster_tasks_on(const struct cluster *cl, int32_t i);   /* runningTasksCount */
int32_t cluster_group_tasks_on(const struct cluster *cl, int32_t i, uint32_t g);
/* Attribute value; returns 1 when present (value may be NULL), else 0. */
int cluster_attribute(const struct cluster *cl, int32_t i, const char *name, const char **value);

/* Cluster-wide totals over ACTIVE and DRAINING instances, kept incrementally
 * (O(1)). */
struct cluster_totals {
	int32_t n_active;          /* status ACTIVE */
	int32_t n_registered;      /* ACTIVE or DRAINING */
	int32_t n_used;            /* ACTIVE or DRAINING with at least one task */
	int64_t cpu_registered, mem_registered;   /* over ACTIVE + DRAINING */
	int64_t cpu_reserved, mem_reserved;       /* over ACTIVE + DRAINING */
	int64_t tasks;             /* tasks placed and not released */
};
void cluster_totals(const struct cluster *cl, struct cluster_totals *t);

/* Added for placement, its oracle and the CQL view. */
const char *cluster_ec2_id(const struct cluster *cl, int32_t i);
const char *cluster_agent_version(const struct cluster *cl, int32_t i);   /* NULL = unknown */
int64_t cluster_registered_at(const struct cluster *cl, int32_t i);
int64_t cluster_gpu_remaining(const struct cluster *cl, int32_t i);
int cluster_eni_free(const struct cluster *cl, int32_t i);               /* awsvpc slots left */
/* Reserved host ports of one protocol (agent-reserved plus the static ports
 * of running tasks), sorted ascending; returns their number (D2, D3). */
int cluster_ports(const struct cluster *cl, int32_t i, int udp, const uint16_t **ports);
/* Distinct groups of the tasks running on i (names owned by the cluster). */
int cluster_task_groups(const struct cluster *cl, int32_t i, const char *const **groups);

/* How cql_eval reads an instance: pass a struct cluster_ref as `inst`. */
struct cql_view;
struct cluster_ref {
	const struct cluster *cl;
	int32_t i;
};
const struct cql_view *cluster_cql_view(void);

#endif
