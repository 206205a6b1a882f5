/* models/capacity/fargate_launch.c — the launch of a task routed to FARGATE
 * or FARGATE_SPOT (cp_route.h).  Not simulated yet: a scenario whose
 * strategies name a Fargate provider is refused at load
 * (scenario_capacity_unsupported), so this is never reached. */
#include "models/capacity/cp_route.h"

int bp_fargate_launch(struct backplane *bp, struct task *t, int provider)
{
	(void)bp;
	(void)t;
	(void)provider;
	return -1;
}
