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

#endif
