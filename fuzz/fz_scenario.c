/* fuzz/fz_scenario.c — a scenario file (JSON): load and check it (every
 * member, inline task definitions, placement expressions); not run. */
#include "fuzz/fuzz.h"
#include "models/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e;

	err_clear(&e);
	scenario_free(scenario_load(fuzz_file("scenario.json", data, size), &e));
	return 0;
}
