/* tests/bench/bench_engine.c — speed of the future-event list and dispatch.
 *
 * The hold model: N events are pending; each pop schedules one new event
 * after an exponential delay (mean 1,000 ms, drawn from the stream
 * "bench/hold"), so the queue stays at N while time advances.  10^6 events
 * are run for N = 10^3, 10^5 and 10^6, once on struct sim with a registered
 * handler (clock, dispatch through the handler table) and once on the raw
 * evq.  The time to fill the queue is not counted.  Prints a table; asserts
 * nothing.
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <gsl/gsl_randist.h>

#include "sim/evq.h"
#include "sim/rng.h"
#include "sim/sim.h"

#define EVENTS 1000000ULL
#define MEAN_MS 1000.0

struct hold {
	gsl_rng *r;
	uint32_t type;
	uint64_t n;             /* events handled; sim_stop at EVENTS */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static sim_time_t delay(gsl_rng *r)
{
	return (sim_time_t)gsl_ran_exponential(r, MEAN_MS);
}

static void on_hold(struct sim *s, void *ctx, const struct event *ev)
{
	struct hold *h = ctx;

	if (++h->n == EVENTS)
		sim_stop(s);
	sim_after(s, delay(h->r), h->type, NULL, ev->arg + 1);
}

static double run_sim(size_t pending, uint64_t *done)
{
	struct rng_reg *reg = rng_new(1);
	struct sim *s = sim_new();
	struct hold h = { rng_stream(reg, "bench/hold"), 0, 0 };
	double t0;

	h.type = sim_on(s, "hold", on_hold, &h);
	for (size_t i = 0; i < pending; i++)
		sim_at(s, delay(h.r), h.type, NULL, i);
	t0 = now_s();
	*done = sim_run(s, SIM_TIME_MAX);
	t0 = now_s() - t0;
	sim_free(s);
	rng_free(reg);
	return t0;
}

static double run_evq(size_t pending, uint64_t *done)
{
	struct rng_reg *reg = rng_new(1);
	gsl_rng *r = rng_stream(reg, "bench/hold");
	struct evq *q = evq_new();
	struct event ev;
	double t0;

	for (size_t i = 0; i < pending; i++)
		evq_push(q, delay(r), 0, NULL, i);
	t0 = now_s();
	for (*done = 0; *done < EVENTS && evq_pop(q, &ev); (*done)++) {
		evq_push(q, ev.t + delay(r), 0, NULL, ev.arg + 1);
	}
	t0 = now_s() - t0;
	evq_free(q);
	rng_free(reg);
	return t0;
}

int main(void)
{
	static const size_t sizes[] = { 1000, 100000, 1000000 };

	printf("hold model: each pop schedules one event after Exp(mean %.0f ms)\n", MEAN_MS);
	printf("%-6s %10s %10s %10s %14s\n", "queue", "pending", "events", "seconds", "events/s");
	for (int kind = 0; kind < 2; kind++) {
		for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
			uint64_t done = 0;
			double secs = kind == 0 ? run_sim(sizes[i], &done) : run_evq(sizes[i], &done);

			printf("%-6s %10zu %10llu %10.3f %14.0f\n", kind == 0 ? "sim" : "evq",
			       sizes[i], (unsigned long long)done, secs,
			       secs > 0 ? (double)done / secs : 0.0);
		}
	}
	return 0;
}
