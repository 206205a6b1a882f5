/* fuzz/fz_taskdef.c — a task definition file (JSON): parse, derive the
 * requirements, print them as `ecsim inspect` does. */
#include <stdlib.h>

#include "fuzz/fuzz.h"
#include "models/taskdef.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e;
	struct taskdef *td;

	err_clear(&e);
	td = taskdef_load(fuzz_file("td.json", data, size), NULL, &e);
	if (td) {
		free(taskdef_to_json(td));
		taskdef_free(td);
	}
	return 0;
}
