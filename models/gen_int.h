/* models/gen_int.h — private to gen.c and gen_spec.c: a generator spec as
 * read (gen_spec.c) and used to generate (gen.c).  Everyone else uses
 * gen.h.
 */
#ifndef MODELS_GEN_INT_H
#define MODELS_GEN_INT_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_randist.h>

#include "models/gen.h"
#include "sim/dist.h"
#include "sim/jsonrd.h"

#define MAX_SECONDS 1e12               /* the trace format's limit */
#define MAX_INSTANCES 1000000
#define HOURS 24

struct igroup {
	const char *type, *az;
	int64_t count;
};

enum curve { CURVE_NONE, CURVE_COSINE, CURVE_HOURLY };

struct tproc {
	const char *name, *group;
	char dflt_name[32];           /* "task<n>" when the spec gives no name */
	const char **tds;
	double *weights;
	size_t n_td;
	gsl_ran_discrete_t *table;
	double rate;
	enum curve curve;
	double amplitude, peak_hour, hourly[HOURS];
	double max_mult;
	struct dist runtime;
	int has_runtime;
	int64_t count;
};

struct sched {
	const char *az;
	double at, dur;
};

struct stoch {
	struct dist inter, dur;
	const char **azs;
	size_t n_azs;
};

struct gen_spec {
	struct jdoc doc;
	char *name, *dir;
	uint64_t seed;
	double duration;
	int64_t first_instance;
	struct igroup *groups;
	size_t n_groups;
	int64_t n_instances;
	const char **azs;              /* distinct AZs of the instances, first-seen order */
	size_t n_azs;
	struct tproc *tasks;
	size_t n_tasks;
	int has_failures, has_repair;
	struct dist ttf, ttr;
	const char **fail_types;
	size_t n_fail_types;
	struct sched *scheds;
	size_t n_scheds;
	struct stoch *stochs;
	size_t n_stochs;
};

/* Whether s is one of list[0..n). */
int gen_in_list(const char *const *list, size_t n, const char *s);

#endif
