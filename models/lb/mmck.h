/* models/lb/mmck.h — closed forms of the M/M/c/K queue used by the
 * aggregate traffic mode: c servers, room for K waiting, arrival rate
 * lambda, service rate mu per server.  K = 0 is Erlang's loss system.
 * Response-time tails assume FIFO and exponential service. */
#ifndef MODELS_LB_MMCK_H
#define MODELS_LB_MMCK_H

struct mmck {
	double lambda, mu;
	int c, k;
	double *p;             /* p[n], n = 0..c+k: stationary probabilities */
	double block;          /* P(arrival finds the system full) = p[c+k] */
	double pwait;          /* P(an admitted arrival waits) */
	double wq;             /* mean wait of an admitted arrival, s */
	double l;              /* mean number in system */
};

/* Solve; p is allocated (mmck_free).  0 or -1 on bad arguments. */
int mmck_solve(struct mmck *q, double lambda, double mu, int c, int k);
void mmck_free(struct mmck *q);
/* P(response time > t) for an admitted arrival (t in s). */
double mmck_resp_tail(const struct mmck *q, double t);
/* The expected number still in the system t s (>= 0) after arrivals stop,
 * from the stationary distribution (a draining target, docs/ecs-model.md
 * §6.3); q->l at t = 0. */
double mmck_drain_left(const struct mmck *q, double t);

/* The client gives up at tau (s): a request still waiting then leaves the
 * queue (it takes no service), one in service then is a 504 although the
 * target finishes it; served = answered within tau (docs/ecs-model.md
 * §6.4, choice E210).  Three solutions:
 *  MMCK_TO_NONE  tau out of reach (P(T > tau) <= 1e-12): q's figures as
 *                they are, 504 = P(T > tau);
 *  MMCK_TO_K     M/M/c/K, nobody leaves the queue early, served requests
 *                conditioned on T <= tau: exact when no request waits tau;
 *  MMCK_TO_D     M/M/c+D (deterministic patience, FIFO, unlimited queue),
 *                by the virtual waiting time: exact, for every c, when the
 *                queue limit is never reached.
 * MMCK_TO_D is taken when P(more than K arrivals within tau) (an upper
 * bound on P(the queue reaches K), since the queue holds only requests
 * younger than tau) is below M/M/c/K's P(wait >= tau). */
enum { MMCK_TO_NONE, MMCK_TO_K, MMCK_TO_D };

struct mmck_to {
	int model;
	double tau;
	double block;          /* shares of arrivals: 503 */
	double abandon;        /* 504 while waiting (MMCK_TO_D) */
	double late;           /* 504 later (in service, or MMCK_TO_K's waits) */
	double served;         /* answered within tau */
	double lat_mean;       /* over served requests, s */
	double wait_mean;      /* over served requests, s */
	double pwait;          /* share of served requests that waited */
	double tail_to;        /* q's P(T > tau) for an admitted arrival */
	double err_k, err_d;   /* the two solutions' error bounds (above) */
	/* MMCK_TO_D: P(no wait), log of the waiting-time density at 0+, and
	 * lambda - c mu (the density is exp(log_a + beta x) below tau) */
	double pfree, log_a, beta;
};

/* Outcomes with a client timeout tau (s) for the solved queue q. */
void mmck_timeout(struct mmck_to *o, const struct mmck *q, double tau);
/* P(T > t | served) (MMCK_TO_NONE: P(T > t | admitted), as
 * mmck_resp_tail); 0 for t >= tau otherwise. */
double mmck_to_tail(const struct mmck_to *o, const struct mmck *q, double t);

#endif
