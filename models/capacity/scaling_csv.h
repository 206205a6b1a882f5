/* models/capacity/scaling_csv.h — scaling.csv: one row per scaling decision
 * of a service (Application Auto Scaling) or a capacity provider (managed
 * scaling).
 *
 * Columns: time_s (seconds, 3 decimals), resource_type ("service" or
 * "capacity_provider"), resource (its name), metric (e.g.
 * ECSServiceAverageCPUUtilization, CapacityProviderReservation), value (the
 * datapoint, 3 decimals; empty for a scheduled action), old, new (desired
 * count / desired capacity before and after), action (scale-out, scale-in,
 * scheduled, ...), reason (free text).
 * A run writes it through the backplane (bp_scaling_open, bp_scaling_write):
 * the service scaler's rows and the managed-scaling actor's. */
#ifndef MODELS_CAPACITY_SCALING_CSV_H
#define MODELS_CAPACITY_SCALING_CSV_H

#include <stdint.h>

#include "sim/err.h"

struct csvout;

enum scl_resource { SCL_SERVICE, SCL_CAPACITY_PROVIDER };

struct scl_row {
	int64_t time_ms;
	enum scl_resource type;
	const char *resource;
	const char *metric;
	double value;           /* NaN = empty */
	int old_count, new_count;
	const char *action;
	const char *reason;
};

/* Open `path` (written through a temporary file) with the header row. */
struct csvout *scl_open(const char *path, struct err *e);
void scl_write(struct csvout *o, const struct scl_row *r);

#endif
