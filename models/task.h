/* models/task.h — the task lifecycle as ECS names it (docs/ecs-model.md §3.1,
 * §3.3): last status, desired status, stop codes. */
#ifndef MODELS_TASK_H
#define MODELS_TASK_H

enum task_state {
	TS_PROVISIONING, TS_PENDING, TS_ACTIVATING, TS_RUNNING, TS_DEACTIVATING,
	TS_STOPPING, TS_DEPROVISIONING, TS_STOPPED, TS_N
};

enum task_desired { TD_RUNNING, TD_STOPPED };

/* Stop codes (API TaskStopCode). */
#define STOP_ESSENTIAL_EXITED "EssentialContainerExited"
#define STOP_FAILED_TO_START "TaskFailedToStart"
#define STOP_USER "UserInitiated"
#define STOP_SCHEDULER "ServiceSchedulerInitiated"
#define STOP_SPOT "SpotInterruption"
#define STOP_TERMINATION "TerminationNotice"
#define STOP_INFRASTRUCTURE "InfrastructureHealth"

const char *task_state_name(enum task_state s);

#endif
