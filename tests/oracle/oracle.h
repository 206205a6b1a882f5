/* tests/oracle/oracle.h — the brute-force placement oracle: the rules of
 * docs/ecs-model.md §4 and choices A1–A13, D1–D14 written as plainly as
 * possible (a full scan of every instance, strategies as lexicographic keys),
 * independently of models/placement/ (it shares only the cluster's read
 * accessors and cql_eval).  The fast path is checked against it. */
#ifndef TESTS_ORACLE_H
#define TESTS_ORACLE_H

#include <stdint.h>

#include "models/cluster.h"
#include "models/placement/placement.h"

struct oracle_result {
	int32_t *tied;            /* the best candidates, ascending numbers (malloc'd) */
	int n_tied;               /* 0 when nothing fits */
	const char *reason;       /* when n_tied == 0: the reason (A2, A4, A5) */
	int32_t closest;          /* when n_tied == 0: the instance the reason is of (A4: the
				   * first ACTIVE one to pass the most checks), -1 when none
				   * is ACTIVE */
	int32_t considered;       /* ACTIVE instances */
};

/* Fill r (free with oracle_result_free). Returns 0 when some instance fits. */
int oracle_place(const struct cluster *cl, const struct place_req *req, uint32_t g,
		 const struct place_policy *p, struct oracle_result *r);
void oracle_result_free(struct oracle_result *r);

#endif
