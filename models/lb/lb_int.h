/* models/lb/lb_int.h — private to models/lb: the run-time structures shared
 * by target.c (targets, health checks, routing sets), traffic.c (requests,
 * arrivals, aggregate mode) and lb_out.c (rows and files). */
#ifndef MODELS_LB_INT_H
#define MODELS_LB_INT_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "models/lb/lb.h"
#include "sim/csvout.h"

#define LB_HIST_EXACT 4096          /* 1-ms buckets below this many ms */
#define LB_HIST_SUB 256             /* buckets per doubling above */
#define LB_HIST_N (LB_HIST_EXACT + 24 * LB_HIST_SUB)
#define LB_GRID 160                 /* aggregate mode: latency grid points */

/* Latency distribution of a row: a histogram of integer ms (per request) or
 * a weighted tail on a log grid (aggregate). */
struct lb_lat {
	uint32_t *h;                /* LB_HIST_N buckets, per request */
	double *tail;               /* LB_GRID: sum of weight x P(T > grid[i]) */
	double n;                   /* served requests (weight) */
	double over_slo;            /* served slower than the SLO's latency */
	double tmax_ms;             /* aggregate: no served latency above (the
				     * client timeout; 0 = no bound) */
};

struct lb_row {                 /* counters of one interval or of the run */
	double arrivals, served, e502, e503, e504, lat_sum, wait_sum, waited;
	struct lb_lat lat;
};

struct lb_req {
	int64_t arr_us, start_us;   /* exact times, µs (traffic.c, choice E215) */
	int32_t target;             /* -1 free */
	uint32_t gen;
	int32_t next;               /* free list */
	uint32_t epoch;             /* the target's epoch when sent */
	uint8_t node, queued, waited;
};

struct lb_scope {               /* the targets one LB node may route to */
	int *m, n;                  /* members (target indices) */
	size_t cap;
	uint32_t rr;
	int failopen;
	int *bhead, *btail, nb, minb;   /* least-outstanding buckets */
};

struct lb_tgt {
	char *name;
	uint64_t ref;
	int az;                     /* node index; -1 = AZ not enabled */
	int scope;
	enum lb_tstate state;
	int dead, never, ok, fail;
	uint32_t gen;               /* health-check / drain events */
	sim_time_t reg_at, healthy_at;
	int slow;                   /* in slow start */
	int member;                 /* in its scope's member list */
	int bprev, bnext;
	int out, busy, qhead, qlen;
	int32_t *q;                 /* waiting requests, ring of queue_limit; freed with
				     * the name once the target is unused (it never
				     * holds a request again) */
	uint64_t received;
	int logged;                 /* targets.csv has its first row */
	uint32_t epoch;              /* bumped when in-flight requests are failed */
	double lam;                 /* aggregate: offered rate, requests/s */
	double drain_lam;           /* aggregate: the rate when it was deregistered */
	sim_time_t drain_at;        /* when it was deregistered (draining) */
	int dep;                    /* its task's deployment in its service (-1: unknown) */
	int green;                  /* in the green side of a blue/green shift (routing set
				     * scope + n_scopes; docs/ecs-model.md §5.7) */
	/* the slot: the group's targets in the order they registered (the
	 * order every pass over them takes), the retired ones left out */
	int onext, oprev;
	int gap;                    /* a retired target registered between it and the one before */
	int released;               /* its holder names it no more (lb_target_release) */
	int retiring;               /* released and unused: on the group's list to retire */
	int link;                   /* next on that list, or on the list of free slots */
};

struct lb_rev {                 /* a request event in the heap */
	int64_t tu;                 /* exact time, µs; runs at the ms tu / 1000 */
	uint64_t seq;
	uint32_t kind_tg;           /* kind << 24 | target group */
	int32_t rid;
};

#define LB_WHEEL 8192               /* ms the timing wheel covers (a power of 2) */

struct lb_node {                /* a request event in a wheel slot */
	int64_t tu;                 /* exact time, µs */
	uint64_t seq;
	uint32_t kind_tg;
	int32_t rid;
	int32_t next;
};

struct lb_tmo {                 /* a client timeout, in a group's FIFO */
	int64_t tu;                 /* exact time, µs */
	uint64_t seq;
	int32_t rid;
	uint32_t gen;
};

struct lb_tg {
	struct lb *lb;
	int idx;
	const struct lb_tg_cfg *cfg;
	const struct lb_lb_cfg *lbc;   /* NULL: not attached */
	int cross;
	int n_nodes;                /* enabled AZs */
	int *node_up;
	struct lb_scope *sc;        /* 2 × n_scopes: the blue side's, then the green side's */
	int n_scopes;               /* per side */
	/* a blue/green production traffic shift of its service (docs/ecs-model.md
	 * §5.7): the green deployment's targets form a side of their own, which
	 * gets w_green of the requests (split 0: no shift, all one side) */
	int split, green_dep;
	double w_green;
	int dirty;
	int *node_ok, n_node_ok;     /* LB nodes that DNS hands out */
	double *lam_tmp;
	size_t cap_tmp;
	int curve_i;
	double cache_lam;
	struct mmck_cache *cache;    /* aggregate: solutions (traffic.c) */
	int cache_last, cache_next;
	struct lb_tgt *t;
	int nt;                     /* slots: the targets not yet retired and free slots */
	size_t capt;
	int ohead, otail, tail_gap; /* the targets in order of registration */
	int pend, free_t;           /* slots to retire at the next registration; free slots */
	uint64_t retired_received;  /* requests the retired targets received */
	int *rdep;                  /* retired targets (in an enabled AZ) by deployment */
	size_t cap_rdep;
	gsl_rng *r;
	/* traffic */
	int c, k;
	double mu;                  /* 1 / mean service, per s */
	double next_arr;            /* ms, exact */
	void *trace;                /* struct csvin * */
	int trace_col;
	double trace_last;
	struct lb_tmo *tmo;         /* ring: timeouts in the order scheduled */
	size_t tmo_head, tmo_n, tmo_cap;
	/* aggregate mode */
	sim_time_t agg_t;
	/* outputs */
	struct lb_row iv, *iv_az, run;
	sim_time_t no_healthy, no_healthy_since;
	char *service;
};

struct lb {
	const struct lb_config *cfg;
	struct sim *s;
	struct rng_reg *rng;
	struct lb_callbacks cb;
	sim_time_t interval;
	struct lb_tg *tg;
	int n_tg;
	uint32_t ev_wake, ev_hc, ev_drain, ev_tick;
	/* request events (arrivals, completions, client-timeout cursors),
	 * ordered by (exact time in µs, seq), in the lb's own queue
	 * (traffic.c): a timing wheel of 1-ms slots for the next LB_WHEEL ms,
	 * a 4-ary heap beyond and for the millisecond being run; one engine
	 * event wakes the lb at the earliest's millisecond */
	struct lb_node *nodes;
	int32_t n_nodes, cap_nodes, free_node;
	int32_t *w_head, *w_tail;    /* LB_WHEEL slots: FIFO lists of nodes */
	uint64_t *w_bits;            /* non-empty slots */
	size_t w_count;              /* nodes in the wheel */
	struct lb_rev *heap;
	size_t n_heap, cap_heap;
	uint64_t seq;
	sim_time_t wake_t;           /* the pending wake, SIM_TIME_MAX none */
	uint32_t wake_gen;
	int in_wake;
	struct lb_req *req;
	int32_t n_req, cap_req, free_req;
	struct csvout *out_req, *out_tgt;
	char *dir;
	double grid[LB_GRID];       /* ms */
	int started;
	int no_target_log;            /* targets.csv not written */
	size_t agg_solves;            /* aggregate: queue solutions computed */
	sim_time_t last_tick;         /* end of the last closed interval */
	struct err trace_err;        /* a bad request-trace row, reported by lb_close */
};

/* target.c */
/* the group's targets not retired, in the order they registered */
#define LB_EACH(g, i) for (int i = (g)->ohead; i >= 0; i = (g)->t[i].onext)
static inline struct lb_scope *lb_scope_of(struct lb_tg *g, const struct lb_tgt *t)
{
	return &g->sc[t->scope + t->green * g->n_scopes];
}
void lb_scope_refresh(struct lb_tg *g);
int lb_healthy_count(const struct lb_tg *g, int az);   /* az -1 = all */
void lb_count_states(const struct lb_tg *g, int az, int *h, int *u, int *i, int *d);
void lb_tgt_out_changed(struct lb_tg *g, struct lb_tgt *t, int old_out);
void lb_target_idle(struct lb_tg *g, int ti, sim_time_t now);
/* traffic.c */
void lb_traffic_init(struct lb *lb);
void lb_traffic_fail_target(struct lb_tg *g, int ti, sim_time_t now);
void lb_agg_advance(struct lb_tg *g, sim_time_t now);
void lb_traffic_close_trace(struct lb_tg *g);
void lb_traffic_free_cache(struct lb_tg *g);
int lb_traffic_start(struct lb *lb, sim_time_t start, struct err *e);
sim_time_t lb_agg_drain_time(struct lb_tg *g, int ti);
void lb_traffic_drain_idle(struct lb_tg *g, int ti);
/* lb_out.c */
void lb_lat_init(struct lb_lat *l, int aggregate);
void lb_lat_free(struct lb_lat *l);
void lb_lat_reset(struct lb_lat *l);
void lb_lat_add_ms(struct lb_lat *l, int64_t ms);
double lb_lat_quantile(const struct lb *lb, const struct lb_lat *l, double p);
void lb_out_transition(struct lb *lb, struct lb_tg *g, int ti, enum lb_tstate from,
		       const char *reason, sim_time_t now);
void lb_out_tick(struct lb *lb, sim_time_t now);

#endif
