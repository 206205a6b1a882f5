/* models/capacity/scaling_csv.c — rows of scaling.csv. */
#include "models/capacity/scaling_csv.h"

#include <math.h>

#include "sim/csvout.h"

static const char *const header[] = { "time_s", "resource_type", "resource", "metric",
	"value", "old", "new", "action", "reason" };

struct csvout *scl_open(const char *path, struct err *e)
{
	return csvout_open(path, header, (int)(sizeof header / sizeof header[0]), e);
}

void scl_write(struct csvout *o, const struct scl_row *r)
{
	csvout_ms(o, r->time_ms);
	csvout_str(o, r->type == SCL_SERVICE ? "service" : "capacity_provider");
	csvout_str(o, r->resource);
	csvout_str(o, r->metric);
	if (isnan(r->value))
		csvout_empty(o);
	else
		csvout_fixed(o, r->value, 3);
	csvout_int(o, r->old_count);
	csvout_int(o, r->new_count);
	csvout_str(o, r->action);
	csvout_str(o, r->reason);
	csvout_endrow(o);
}
