/* fuzz/fz_alibaba2017.c — the Alibaba 2017 importer: first byte even =
 * batch_task, odd = server_event. */
#include "fuzz/fz_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct import_opts o;
	const char *p;

	if (size < 1)
		return 0;
	memset(&o, 0, sizeof o);
	p = fuzz_file(data[0] & 1 ? "server_event.csv" : "batch_task.csv", data + 1, size - 1);
	if (data[0] & 1)
		o.server_event = p;
	else
		o.batch_task = p;
	fz_import("alibaba2017", &o);
	return 0;
}
