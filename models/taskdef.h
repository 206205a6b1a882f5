/* models/taskdef.h — AWS task-definition JSON → what placement and the task
 * lifecycle need (docs/ecs-model.md §1, choices B1–B21).
 *
 * Accepts the RegisterTaskDefinition input shape, the DescribeTaskDefinition
 * output shape ({"taskDefinition": {...}}) and a bare array of container
 * definitions (Terraform `container_definitions`); see B1.  Everything is
 * copied out of the cJSON tree: a struct taskdef owns all its memory.
 */
#ifndef MODELS_TASKDEF_H
#define MODELS_TASKDEF_H

#include <stdint.h>

#include "sim/err.h"

struct cJSON;

enum td_launch {               /* bit mask of requiresCompatibilities */
	TD_LAUNCH_EC2 = 1,
	TD_LAUNCH_FARGATE = 2,
	TD_LAUNCH_EXTERNAL = 4,
	TD_LAUNCH_MANAGED_INSTANCES = 8,
};

enum td_netmode { TD_NET_BRIDGE, TD_NET_HOST, TD_NET_AWSVPC, TD_NET_NONE, TD_NET_DEFAULT };

enum td_shape { TD_SHAPE_REGISTER, TD_SHAPE_DESCRIBE, TD_SHAPE_CONTAINERS };

struct td_port {               /* one port mapping as written */
	int container_port;        /* 0 when only a range is given */
	int host_port;             /* -1 = absent */
	int udp;                   /* 0 tcp, 1 udp */
	int range_lo, range_hi;    /* containerPortRange, 0/0 when none */
};

/* One dependsOn entry (docs/ecs-model.md §1.4): the container it waits
 * for (index in containers[]) and the condition. */
enum td_dep_cond { TD_DEP_START, TD_DEP_COMPLETE, TD_DEP_SUCCESS, TD_DEP_HEALTHY };

struct td_dep {
	int idx;
	enum td_dep_cond cond;
};

struct td_container {
	char *name;
	char *image;               /* may be NULL */
	int essential;             /* default 1 */
	int64_t cpu;               /* units, 0 = not given */
	int64_t memory_mib;        /* hard limit, 0 = not given */
	int64_t memory_reservation_mib; /* soft limit, 0 = not given */
	int64_t gpu;               /* resourceRequirements GPU, 0 = none */
	int stop_timeout_s;        /* -1 = not given (agent default applies) */
	int start_timeout_s;       /* -1 = not given */
	int has_health_check;
	/* its healthCheck (docs/ecs-model.md §1.4), when has_health_check:
	 * seconds, with the API's defaults 30 / 5 / 3 / 0 for absent members */
	int hc_interval_s, hc_timeout_s, hc_retries, hc_start_period_s;
	struct td_port *ports;
	int n_ports;
	struct td_dep *deps;       /* dependsOn, in order */
	int n_deps;
	int restart_enabled;       /* restartPolicy.enabled */
	int restart_period_s;      /* restartPolicy.restartAttemptPeriod, default 300 */
};

struct taskdef {
	char *family;
	int revision;              /* 0 = not given */
	enum td_shape shape;
	unsigned launch;           /* enum td_launch bits; EC2 when absent/empty (B12) */
	enum td_netmode netmode;
	char *os_family;           /* runtimePlatform.operatingSystemFamily, NULL = none */
	char *cpu_arch;            /* runtimePlatform.cpuArchitecture, NULL = none */
	int windows;               /* os_family is a Windows family (B15) */

	int64_t task_cpu;          /* task-level cpu units, 0 = not set */
	int64_t task_memory_mib;   /* task-level memory, 0 = not set */

	/* Placement cost on an EC2 instance (docs/ecs-model.md §1.6). */
	int64_t cpu_units;         /* task cpu, else Σ container cpu */
	int64_t memory_mib;        /* task memory, else Σ (reservation>0 ? reservation : memory) */
	int64_t memory_reservation_mib; /* Σ container memoryReservation (informational) */
	int64_t gpu;               /* Σ container GPUs */
	int eni;                   /* 1 for awsvpc */
	uint16_t *host_ports_tcp;  /* static host ports reserved on the instance (not awsvpc), sorted, unique */
	int n_host_ports_tcp;
	uint16_t *host_ports_udp;
	int n_host_ports_udp;
	uint16_t *awsvpc_ports_tcp; /* fixed ports of an awsvpc task: on the task ENI, not reserved (B17) */
	int n_awsvpc_ports_tcp;
	uint16_t *awsvpc_ports_udp;
	int n_awsvpc_ports_udp;
	int dynamic_ports;         /* bridge/default host ports assigned at start (not checked, D14) */

	char **constraints;        /* memberOf expressions from placementConstraints (B21) */
	int n_constraints;

	int stop_timeout_s;        /* max over containers of stopTimeout, -1 when none given */
	int stop_timeout_unset;    /* some container gives none: it waits the agent's default */

	struct td_container *containers;
	int n_containers;
	int n_essential;

	int has_deps;              /* some container has a dependsOn entry */
	/* the restart policy of the first essential container, the one whose
	 * exit a task's duration is (docs/ecs-model.md §1.4, choice E158):
	 * its restartAttemptPeriod in ms when enabled, else -1 */
	int64_t restart_ms;
};

/* The task's stop grace in ms (docs/ecs-model.md §3.2): each container is
 * killed at its own stopTimeout, else at the agent's default `dflt_ms`
 * (ECS_CONTAINER_STOP_TIMEOUT); the task has stopped when its last
 * container has, so the longest of those. */
static inline int64_t taskdef_stop_grace_ms(const struct taskdef *td, int64_t dflt_ms)
{
	int64_t own = td->stop_timeout_s >= 0 ? (int64_t)td->stop_timeout_s * 1000 : -1;

	return own < 0 || (td->stop_timeout_unset && dflt_ms > own) ? dflt_ms : own;
}

/* The containers' start along dependsOn (docs/ecs-model.md §1.4, choices
 * E156, E157), for a definition with has_deps.  Times in ms from the end
 * of the image pull; `start_ms` is the time one container takes to start
 * (ECS's container start: the containers without a dependency start
 * then, a dependent one `start_ms` after its last dependency's condition
 * holds), `ready_ms` the time from a container's start from which its
 * check command passes (E110).  Returns 0 with p->running_ms (the last
 * container's start: the task is RUNNING) and p->healthy_ms (from
 * RUNNING, as taskdef_healthy_ms, -1 when no essential container has a
 * check); or 1 with p->fail_ms, the instant the task gives up
 * (TaskFailedToStart): a dependency's startTimeout ran out, or a
 * condition can never hold (a HEALTHY dependency without a healthCheck,
 * a dependency cycle), then at `start_ms` with no container started
 * (p->start[] all TD_NEVER_MS). */
struct td_start_plan {
	int64_t running_ms, healthy_ms, fail_ms;
	int64_t start[16];         /* each container's start (0 on 1) */
};
int taskdef_start_plan(const struct taskdef *td, int64_t start_ms, int64_t ready_ms,
		       struct td_start_plan *p);
/* The same with container `late`'s first passing check `late_ms` later
 * (its check command failing: choice E175; late_ms >= TD_NEVER_MS: it
 * never passes); late −1: none.  Returns 2 when a HEALTHY condition on
 * `late` never holds and no startTimeout bounds the wait (the task waits
 * for good), else as taskdef_start_plan. */
#define TD_NEVER_MS (INT64_MAX / 4)
int taskdef_start_plan_late(const struct taskdef *td, int64_t start_ms, int64_t ready_ms, int late,
			    int64_t late_ms, struct td_start_plan *p);
/* Container ct's first passing check, ms from its start (E110) */
int64_t taskdef_first_pass_ms(const struct td_container *ct, int64_t ready_ms);

/* The containers' stop along dependsOn reversed (docs/ecs-model.md §3.2,
 * choice E159): ms from the stop signal to the last container's exit.  A
 * container gets the signal once every container that depends on it has
 * exited, and exits `shutdown_ms` later or is killed at its stopTimeout
 * (else `dflt_ms`).  Without dependsOn every container gets it at once:
 * min(shutdown_ms, taskdef_stop_grace_ms). */
int64_t taskdef_stop_wait_ms(const struct taskdef *td, int64_t shutdown_ms, int64_t dflt_ms);
/* The same when the first essential container (the one whose run the
 * task's duration is, choice E158) exits by itself `exit_ms` after the
 * signal (0: its exit is what stopped the task): it has exited then, with
 * no kill, and the task has stopped when its last container has
 * (docs/ecs-model.md §3.2). */
int64_t taskdef_stop_wait_exit_ms(const struct taskdef *td, int64_t shutdown_ms, int64_t dflt_ms, int64_t exit_ms);
/* The same for a task stopped while its containers start along dependsOn
 * (docs/ecs-model.md §3.2, choice E144): only the containers that have
 * started, those whose start[i] (a start plan's, ms) is at or before
 * `by_ms`, get the signal and take their time, in the same order; the
 * others never started and take none.  0 when none has started. */
int64_t taskdef_stop_wait_started_ms(const struct taskdef *td, int64_t shutdown_ms, int64_t dflt_ms,
				     const int64_t *start, int64_t by_ms);

/* 1 when `os` is an operating system family ECS knows (docs/ecs-model.md
 * §1.11: LINUX and the WINDOWS_SERVER_* list), else 0; and that list, ", "
 * between its names (for messages). */
int taskdef_os_family_known(const char *os);
const char *taskdef_os_family_list(void);

/* 1 when `s` follows AWS's rule for the names of task definition
 * families, containers, services and capacity providers: 1 to 255
 * letters, digits, '_' or '-' (ASCII; docs/ecs-model.md §1.1, §1.4,
 * §5.1), else 0. */
int taskdef_name_ok(const char *s);

/* Load a task definition from a file.  `family_hint` names the family of a
 * bare container array (NULL: derived from the file name, B1).  Returns a new
 * taskdef, or NULL with e filled (file, JSON path or line:col, reason). */
struct taskdef *taskdef_load(const char *path, const char *family_hint, struct err *e);

/* Same from an already parsed JSON value (e.g. inline in a scenario); `file`
 * and `path` are used in messages ("$.taskDefinitions[0]"). */
struct taskdef *taskdef_from_json(const struct cJSON *root, const char *file,
				  const char *path, const char *family_hint,
				  struct err *e);

void taskdef_free(struct taskdef *td);   /* NULL is a no-op */

/* When a task of this definition is healthy by its container health checks
 * (docs/ecs-model.md §5.2, choice E110): ms after RUNNING, the latest over
 * its essential containers with a check of the first check at or after
 * `ready_ms` (the time from RUNNING from which the check command passes);
 * a container's checks run every `interval` from RUNNING, the first one
 * `interval` after it.  -1 when no essential container has a check. */
int64_t taskdef_healthy_ms(const struct taskdef *td, int64_t ready_ms);

/* 0 when the definition can run on EC2, else -1 with e naming `file` and
 * requiresCompatibilities (FARGATE-only, …: ECS refuses such a launch on
 * EC2; a scenario runs a FARGATE one on Fargate, docs/ecs-model.md choice
 * B22). */
int taskdef_check_ec2(const struct taskdef *td, const char *file, struct err *e);

/* The derived requirements as one JSON object (what `ecsim inspect` prints);
 * caller frees with free(). */
char *taskdef_to_json(const struct taskdef *td);

const char *td_netmode_name(enum td_netmode m);

#endif
