/* models/capacity/task_protection.c — docs/ecs-model.md §5.14. */
#include "models/capacity/task_protection.h"

int64_t tp_expiry_ms(int64_t now, int minutes)
{
	if (minutes <= 0)
		minutes = TP_DEFAULT_MINUTES;
	if (minutes > TP_MAX_MINUTES)
		minutes = TP_MAX_MINUTES;
	return now + (int64_t)minutes * 60000;
}

int tp_is_protected(int64_t until, int64_t now)
{
	return until >= 0 && now < until;
}

int tp_pick_stoppable(const int64_t *until, int n, int64_t now, int count, int *out)
{
	int got = 0;

	for (int i = 0; i < n && got < count; i++)
		if (!tp_is_protected(until[i], now))
			out[got++] = i;
	return got;
}

int tp_blocks_steady_state(const int64_t *until, int n, int64_t now, int desired)
{
	int p = 0;

	for (int i = 0; i < n; i++)
		p += tp_is_protected(until[i], now);
	return p > desired;
}
