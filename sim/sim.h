/* sim/sim.h — the discrete-event engine: a clock, the future-event list and
 * a table of handlers that models register by event type.  The engine knows
 * nothing of what the types mean.
 *
 * Rules: an event may not be scheduled before now (asserted).  The order of
 * one instant (docs/ecs-model.md, "Simultaneous events"):
 *   1. an event scheduled for now by a running handler (sim_after with delay
 *      0, sim_at with t == now) is a consequence of the running event: it
 *      goes to the instant's lane, a FIFO that runs before any other queued
 *      event, so an event and all its zero-delay consequences run to the
 *      end before the next queued event starts; an event scheduled for now
 *      with sim_at_next (a source's next item: a trace's next row) runs
 *      once the lane has drained, every consequence of the events before
 *      it run however many steps deep, still before the queued events;
 *   2. then the queued events of the instant: those of world types
 *      (sim_on_world: releases, state changes) first, then ordinary ones
 *      (decisions), each class in the order scheduled;
 *   3. last, events scheduled with sim_at_last.
 * The simulation is a value: several can live in one process.
 */
#ifndef SIM_SIM_H
#define SIM_SIM_H

#include <stdint.h>

#include "evq.h"

struct sim;

/* A handler: ctx is what was given to sim_on; ev is the event being run. */
typedef void (*sim_handler)(struct sim *s, void *ctx, const struct event *ev);

struct sim *sim_new(void);
void sim_free(struct sim *s);               /* NULL is a no-op */

/* Register a new event type handled by h (with ctx); returns its type id. */
uint32_t sim_on(struct sim *s, const char *name, sim_handler h, void *ctx);
/* The same for a type of event of the world the control plane watches (a
 * task's containers starting, exiting or stopping and so releasing their
 * resources, a report on its way from an agent, an instance failing or
 * coming back): run before the ordinary events (the decisions: trace rows,
 * arrivals, launches and placements, scheduler passes) queued for the same
 * instant, so a decision at t sees every change of t. */
uint32_t sim_on_world(struct sim *s, const char *name, sim_handler h, void *ctx);

/* A hint for events (or held places) of `type` (ctx is the type's): when
 * an event or held place leaves the queue, and the queue's next one is of
 * this type and known without a search (in the wheel's current 2^16-ms
 * block), the engine calls fn(ctx, its arg) before it runs the one that
 * left, so that fn may ask for the lines the next one's handler will read
 * (a prefetch) while the current one works.  fn must change nothing: the
 * event it names may not be the next one run (the running handler may
 * schedule one before it), and it may be stale.  Events the lane runs
 * (scheduled for now) give no hint. */
typedef void (*sim_hint_fn)(void *ctx, uint64_t arg);
void sim_on_hint(struct sim *s, uint32_t type, sim_hint_fn fn);

/* Schedule an event of `type` at absolute time t (>= now). */
void sim_at(struct sim *s, sim_time_t t, uint32_t type, void *target, uint64_t arg);
/* The same, but run after every other event at time t, including events
 * that those schedule for t: a sample taken by it sees every event at or
 * before t.  Several such events at one t run in the order scheduled. */
void sim_at_last(struct sim *s, sim_time_t t, uint32_t type, void *target, uint64_t arg);
/* sim_at for the next item of a source that feeds itself one ahead (a
 * trace's next row, a generator's next arrival): for a later time the
 * same; for now (from a handler), it waits until the instant's lane has
 * drained, so the item before it runs to the end with every consequence,
 * however many zero-delay steps it takes (a StopTask row's release at the
 * same millisecond comes before the next row's placement), and still runs
 * before the other queued events of the instant (rule 1 above).  Several
 * such events for now run in the order scheduled. */
void sim_at_next(struct sim *s, sim_time_t t, uint32_t type, void *target, uint64_t arg);
/* Schedule after a delay (>= 0). */
void sim_after(struct sim *s, sim_time_t delay, uint32_t type, void *target, uint64_t arg);

sim_time_t sim_now(const struct sim *s);
/* Whether an event scheduled now with no delay would be the very next one
 * run: a handler is running, the instant's lane is empty and no stop was
 * asked.  A handler whose LAST action is such a zero-delay step may then
 * run the step at once, as part of its own event: the order of the instant
 * is the same (rule 1 above), with one event fewer. */
int sim_lane_idle(const struct sim *s);
/* Whether a handler is running (an event scheduled for now goes to the
 * instant's lane) rather than the set-up before or between runs. */
int sim_dispatching(const struct sim *s);

/* A step that only reads and schedules, or changes only what no other
 * actor reacts to at its instant (the model decides which), but whose
 * place in the order of its instant decides the order of what it
 * schedules: sim_ghost_after takes, now, the sequence number an
 * event of a world type scheduled now with this delay would get, and at
 * that event's place (time, world class, that number) calls fn(s, ctx,
 * arg) with the clock at that time; what fn schedules gets the numbers the
 * event's handler would have given it.  Not an event: queued as one (a
 * world type of its own per (fn, ctx)), but not counted by sim_run, not
 * seen by the observer, not bounded by sim_limit_instant.  delay > 0; fn
 * must not schedule anything for its own instant. */
typedef void (*sim_ghost_fn)(struct sim *s, void *ctx, uint64_t arg);
void sim_ghost_after(struct sim *s, sim_time_t delay, sim_ghost_fn fn, void *ctx, uint64_t arg);
/* The same in two steps, for a caller that holds places often: the type
 * of held places of (fn, ctx) (registered at the first call, the same type
 * after), and a held place of that type `delay` (> 0) from now. */
uint32_t sim_on_held(struct sim *s, sim_ghost_fn fn, void *ctx);
void sim_held_after(struct sim *s, sim_time_t delay, uint32_t type, uint64_t arg);

/* Run events with t <= until (SIM_TIME_MAX: until the queue is empty or
 * sim_stop is called).  The clock ends at min(until, last event time).
 * Returns the number of events dispatched by this call. */
uint64_t sim_run(struct sim *s, sim_time_t until);
/* Ask sim_run to return after the current event. */
void sim_stop(struct sim *s);

uint64_t sim_events(const struct sim *s);   /* dispatched so far */
/* Held places run so far (sim_ghost_after, sim_held_after): queued and run
 * like events, not counted by sim_events. */
uint64_t sim_held_run(const struct sim *s);
/* Call fn(ctx) after every event (tests that check an invariant at every
 * instant); NULL removes it. */
void sim_observe(struct sim *s, void (*fn)(void *ctx), void *ctx);
size_t sim_pending(const struct sim *s);    /* events in the queue */
/* Events in the instant's lane, still to run before the queue's next one
 * (a model with a queue of its own resumes after them). */
size_t sim_lane_pending(const struct sim *s);
/* Advance the clock to t (>= now) without running anything; used at the end
 * of a run to close the horizon. */
void sim_set_now(struct sim *s, sim_time_t t);
/* Bound the events run at one simulated instant: sim_run stops for good,
 * without running it, at the event that would be the (n+1)-th with the same
 * time (0 = no bound, the default).  A run whose clock no longer moves (a
 * loop of zero delays) then ends instead of spinning. */
void sim_limit_instant(struct sim *s, uint64_t n);
/* 1 when that bound stopped the run, with the instant and the name of the
 * event not run (either pointer may be NULL); else 0. */
int sim_stuck(const struct sim *s, sim_time_t *t, const char **event);

#endif
