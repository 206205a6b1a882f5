/* tests/helpers/invariants.h — whole-run invariants of a simulation, checked
 * from the ECS rules (docs/ecs-model.md §2.3, §3.1, §3.3, §4.2, §7.4, §8.3),
 * not from what the code happens to do:
 *
 *  - during the run (an observer called after every event): a task is
 *    placed only on an instance that is ACTIVE with its agent connected, as
 *    the backplane sees it, and never on one whose failure it has detected;
 *    no instance holds more CPU or memory than it registered; nothing is
 *    left on a failed instance once the failure is detected; the service's
 *    running count is the number of its tasks the backplane sees RUNNING;
 *    the backplane's view of a task differs from what really is only while
 *    the task's agent is disconnected, and while it is (and the instance
 *    has not failed) that view does not move (§7.4); the backplane's counts
 *    of running and of starting tasks (timeseries.csv) are those of its
 *    tasks it sees RUNNING and placed but not yet RUNNING (§3.1); a
 *    service's count of its tasks stopping off a DRAINING instance, which
 *    hold their room under maximumPercent (choice E237), is the number its
 *    list holds, none of them live.
 *  - on tasks.csv: the lifecycle timestamps are in lifecycle order, and the
 *    desired status, last status, stop time and stop code of every row agree.
 *
 * Every violation is counted and the first few are kept as text. */
#ifndef TESTS_INVARIANTS_H
#define TESTS_INVARIANTS_H

#include <stddef.h>
#include <stdint.h>

struct backplane;

struct inv {
	long violations;
	char msg[4][300];          /* the first violations, as text */
	/* private */
	uint32_t *checked;         /* per task slot: generation + 1 already checked */
	uint8_t *prev_seen;        /* per task slot: the backplane's view at the last event */
	size_t n_checked;
	uint32_t *silent;          /* per instance: agent epoch + 1 while silent, else 0 */
	size_t n_silent;
	long events;
};

void inv_init(struct inv *c);
void inv_free(struct inv *c);
/* The observer: pass as rs_run's `observe` with &c as its ctx. */
void inv_observe(struct backplane *bp, void *ctx);
/* Check a tasks.csv file; violations go to c, each message naming its check
 * (the list is in invariants.c).  `skip`, when not NULL, names one check to
 * leave out; `only`, when not NULL, the one check to run.  0 when the file
 * could be read. */
int inv_tasks_csv(struct inv *c, const char *path, const char *skip, const char *only);
/* Run the scenario file at `path` (its own seed) into rs_dir()/out-<tag>,
 * calling observe(bp, ctx) after every event (inv_observe with a struct inv,
 * or an observer of the caller's that calls it); 0 on success. */
int inv_run_file(const char *path, const char *tag,
		 void (*observe)(struct backplane *bp, void *ctx), void *ctx);
/* Print the kept violations to stderr. */
void inv_report(const struct inv *c, const char *what);

#endif
