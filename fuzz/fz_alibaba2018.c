/* fuzz/fz_alibaba2018.c — the Alibaba 2018 importer: first byte % 3 picks
 * batch_task, container_meta or machine_meta. */
#include "fuzz/fz_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[3] = { "batch_task.csv", "container_meta.csv", "machine_meta.csv" };
	struct import_opts o;
	const char *p;

	if (size < 1)
		return 0;
	memset(&o, 0, sizeof o);
	p = fuzz_file(names[data[0] % 3], data + 1, size - 1);
	if (data[0] % 3 == 0)
		o.batch_task = p;
	else if (data[0] % 3 == 1)
		o.container_meta = p;
	else
		o.machine_meta = p;
	fz_import("alibaba2018", &o);
	return 0;
}
