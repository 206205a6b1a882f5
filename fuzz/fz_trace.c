/* fuzz/fz_trace.c — a workload trace (CSV): read its first 10,000 rows,
 * then replay it on a small fixed scenario (4 instances, 2 simulated
 * minutes, low limits so that a large count is refused quickly and a loop
 * at one instant ends after 100,000 events), writing
 * the outputs to a scratch folder.  The scenario and its task definition
 * are written once per process; the horizon and the limits keep one input
 * cheap (a few milliseconds under the sanitizers). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "models/run.h"
#include "models/scenario.h"
#include "models/trace.h"

static const char scenario_text[] =
	"{ \"name\": \"fuzz\", \"durationSeconds\": 120, \"region\": \"us-east-1\",\n"
	"  \"availabilityZones\": [\"us-east-1a\", \"us-east-1b\"],\n"
	"  \"instanceGroups\": [\n"
	"    { \"name\": \"a\", \"instanceType\": \"m5.large\", \"availabilityZone\": \"us-east-1a\", \"count\": 2 },\n"
	"    { \"name\": \"b\", \"instanceType\": \"c5.large\", \"availabilityZone\": \"us-east-1b\", \"count\": 2,\n"
	"      \"attributes\": { \"stack\": \"prod\" } } ],\n"
	"  \"taskDefinitions\": { \"web\": \"td.json\" },\n"
	"  \"services\": [ { \"serviceName\": \"svc\", \"taskDefinition\": \"web\", \"desiredCount\": 1 } ],\n"
	"  \"workload\": { \"traces\": [\"trace.csv\"] },\n"
	"  \"limits\": { \"maxInstances\": 20, \"maxQueuedTasks\": 100,\n"
	"              \"maxEventsPerInstant\": 100000 } }\n";

static const char td_text[] =
	"{ \"family\": \"web\", \"containerDefinitions\": [\n"
	"  { \"name\": \"app\", \"image\": \"x\", \"cpu\": 256, \"memory\": 512, \"essential\": true } ] }\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[256], spath[256];
	struct err e;
	struct trace *t;
	struct trace_row row;
	struct scenario *s;
	struct run_opts o;
	struct run_counts rn;
	int rows = 0;

	err_clear(&e);
	t = trace_open(fuzz_file("trace.csv", data, size), ~0u, &e);
	if (!t)
		return 0;
	while (rows < 10000 && trace_next(t, &row, &e) == 1)
		rows++;
	trace_close(t);
	if (!spath[0]) {
		snprintf(spath, sizeof spath, "%s", fuzz_file("scenario.json", (const uint8_t *)scenario_text,
							      sizeof scenario_text - 1));
		fuzz_file("td.json", (const uint8_t *)td_text, sizeof td_text - 1);
		snprintf(out, sizeof out, "%s/out", fuzz_dir());
	}
	err_clear(&e);
	s = scenario_load(spath, &e);
	if (!s) {               /* the fixed scenario must load */
		char m[512];

		err_format(&e, m, sizeof m);
		fprintf(stderr, "fz_trace: %s\n", m);
		abort();
	}
	memset(&o, 0, sizeof o);
	o.out_dir = out;
	o.task_log = 1;
	err_clear(&e);
	run_scenario(s, &o, &rn, &e);
	scenario_free(s);
	return 0;
}
