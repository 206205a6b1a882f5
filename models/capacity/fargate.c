/* models/capacity/fargate.c — the Fargate size table and AZ choice
 * (docs/ecs-model.md §1.3, §4.11). */
#include "models/capacity/fargate.h"

#include <stdio.h>
#include <string.h>

/* docs/ecs-model.md §1.3: every valid (cpu, memory) pair. */
static const struct fargate_size rows[] = {
	{ 256, 512, 2048, 512, 0, 0 },   /* 512, 1024, 2048: see size_in_row */
	{ 512, 1024, 4096, 1024, 0, 0 },
	{ 1024, 2048, 8192, 1024, 1, 0 },
	{ 2048, 4096, 16384, 1024, 1, 0 },
	{ 4096, 8192, 30720, 1024, 1, 0 },
	{ 8192, 16384, 61440, 4096, 0, 1 },
	{ 16384, 32768, 122880, 8192, 0, 1 },
};
#define N_ROWS ((int)(sizeof rows / sizeof rows[0]))

int fargate_rows(const struct fargate_size **out)
{
	*out = rows;
	return N_ROWS;
}

/* 256 CPU units take 512, 1024 and 2048, not 1536: the only row that is not
 * an arithmetic progression. */
static int size_in_row(const struct fargate_size *r, int64_t mem)
{
	if (r->cpu == 256)
		return mem == 512 || mem == 1024 || mem == 2048;
	return mem >= r->mem_min && mem <= r->mem_max && (mem - r->mem_min) % r->mem_step == 0;
}

static int row_count(const struct fargate_size *r)
{
	return r->cpu == 256 ? 3 : (int)((r->mem_max - r->mem_min) / r->mem_step + 1);
}

int fargate_pair_count(void)
{
	int n = 0;

	for (int i = 0; i < N_ROWS; i++)
		n += row_count(&rows[i]);
	return n;
}

static const struct fargate_size *row_of(int64_t cpu)
{
	for (int i = 0; i < N_ROWS; i++)
		if (rows[i].cpu == cpu)
			return &rows[i];
	return NULL;
}

int fargate_size_ok(int64_t cpu, int64_t mem, int windows)
{
	const struct fargate_size *r = row_of(cpu);

	return r && size_in_row(r, mem) && (!windows || r->windows);
}

int fargate_round_up(int64_t cpu, int64_t mem, int windows, int64_t *cpu_out,
		     int64_t *mem_out)
{
	for (int i = 0; i < N_ROWS; i++) {
		const struct fargate_size *r = &rows[i];

		if (r->cpu < cpu || r->mem_max < mem || (windows && !r->windows))
			continue;
		for (int64_t m = r->mem_min; m <= r->mem_max; m += r->cpu == 256 ? m : r->mem_step)
			if (m >= mem) {
				*cpu_out = r->cpu;
				*mem_out = m;
				return 0;
			}
	}
	return -1;
}

static void row_text(const struct fargate_size *r, char *buf, size_t n)
{
	if (r->cpu == 256)
		snprintf(buf, n, "512, 1024 or 2048");
	else if (row_count(r) <= 4)
		snprintf(buf, n, "%lld, %lld, %lld or %lld", (long long)r->mem_min,
			 (long long)(r->mem_min + r->mem_step), (long long)(r->mem_min + 2 * r->mem_step),
			 (long long)r->mem_max);
	else
		snprintf(buf, n, "%lld to %lld in steps of %lld", (long long)r->mem_min,
			 (long long)r->mem_max, (long long)r->mem_step);
}

void fargate_sizes_text(int windows, char *buf, size_t n)
{
	char one[96];
	size_t used = (size_t)snprintf(buf, n, "valid sizes (cpu units → MiB): ");
	int first = 1;

	for (int i = 0; i < N_ROWS && used < n; i++) {
		if (windows && !rows[i].windows)
			continue;
		row_text(&rows[i], one, sizeof one);
		used += (size_t)snprintf(buf + used, n - used, "%s%lld → %s", first ? "" : " | ",
					 (long long)rows[i].cpu, one);
		first = 0;
	}
}

int fargate_check(int64_t cpu, int64_t mem, int windows, char *msg, size_t n)
{
	const struct fargate_size *r = row_of(cpu);
	char head[256], all[768], one[96];

	if (fargate_size_ok(cpu, mem, windows)) {
		if (n)
			msg[0] = '\0';
		return 0;
	}
	if (!r) {
		snprintf(head, sizeof head, "cpu %lld is not a Fargate size", (long long)cpu);
	} else if (windows && !r->windows) {
		snprintf(head, sizeof head, "cpu %lld is not available for Windows on Fargate "
			 "(1024, 2048 or 4096 only)", (long long)cpu);
	} else {
		row_text(r, one, sizeof one);
		snprintf(head, sizeof head, "memory %lld MiB is not valid with cpu %lld; cpu %lld takes %s MiB",
			 (long long)mem, (long long)cpu, (long long)cpu, one);
	}
	fargate_sizes_text(windows, all, sizeof all);
	snprintf(msg, n, "%s; %s", head, all);
	return -1;
}

void fargate_cfg_default(struct fargate_cfg *c)
{
	memset(c, 0, sizeof *c);
	/* docs/ecs-model.md §4.11, choice E66: the reference's default of
	 * 60 s from creation to RUNNING (its range 30-90 s is what
	 * provisioningSeconds may be set to draw) */
	c->provision.kind = DIST_CONSTANT;
	c->provision.a = 60;
	c->spot_tti.kind = DIST_CONSTANT;
	c->spot_tti.a = 0;
	c->spot_warning_ms = 120000;
	/* docs/ecs-model.md §7.6: 100 tokens, 20 a second */
	c->launch_burst = 100;
	c->launch_rate_m = 20000;
}

void fargate_cfg_free(struct fargate_cfg *c)
{
	dist_free(&c->provision);
	dist_free(&c->spot_tti);
}

int64_t fargate_provision_ms(const struct fargate_cfg *c, gsl_rng *r)
{
	double s = dist_sample(&c->provision, r);

	return s > 0 ? (int64_t)(s * 1000.0 + 0.5) : 0;
}

int fargate_pick_az(const int *svc_count, const int64_t *az_used, int64_t az_limit, int n_az)
{
	int best = -1;

	for (int i = 0; i < n_az; i++) {
		if (az_limit > 0 && az_used[i] >= az_limit)
			continue;
		if (best < 0 || svc_count[i] < svc_count[best])
			best = i;
	}
	return best;
}

int64_t fargate_spot_interruption_ms(const struct fargate_cfg *c, int64_t start_ms, gsl_rng *r)
{
	double s;

	if (!c->spot_interruptions)
		return -1;
	s = dist_sample(&c->spot_tti, r);
	return start_ms + (s > 0 ? (int64_t)(s * 1000.0 + 0.5) : 0);
}
