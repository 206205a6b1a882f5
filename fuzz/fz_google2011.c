/* fuzz/fz_google2011.c — the Google 2011 importer: first byte even =
 * task_events, odd = machine_events (with an empty task_events). */
#include "fuzz/fz_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct import_opts o;
	static char te[256];

	if (size < 1)
		return 0;
	memset(&o, 0, sizeof o);
	if (data[0] % 2 == 0) {
		o.task_events = fuzz_file("task_events.csv", data + 1, size - 1);
	} else {
		snprintf(te, sizeof te, "%s", fuzz_file("task_events.csv", (const uint8_t *)"", 0));
		o.task_events = te;
		o.machine_events = fuzz_file("machine_events.csv", data + 1, size - 1);
	}
	fz_import("google2011", &o);
	return 0;
}
