/* tests/helpers/daemon_drain.h — a whole-run check of two DAEMON rules
 * (docs/ecs-model.md §4.10, §5.15), an observer called after every event:
 *   - on a DRAINING instance the daemon task is stopped last: it is not
 *     asked to stop while another task is still placed there (choice E23);
 *   - no room is held for a daemon on an instance that is not ACTIVE
 *     (choice E133). */
#ifndef TESTS_DAEMON_DRAIN_H
#define TESTS_DAEMON_DRAIN_H

struct backplane;

struct drain_check {
	int samples;               /* events seen */
	int violations;            /* daemon asked to stop beside another task */
	int held_off_active;       /* (instance, event) pairs holding room off ACTIVE */
	int daemon_stops_seen;     /* (instance, event) pairs with a daemon stopping */
	char where[64];            /* the first violation's instance */
	double when;               /* and its time, s */
};

void drain_observe(struct backplane *bp, void *ctx);

#endif
