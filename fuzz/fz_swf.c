/* fuzz/fz_swf.c — the SWF importer: the input is the job log; the first
 * byte's low bit leaves the header's fleet out. */
#include "fuzz/fz_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct import_opts o;

	if (size < 1)
		return 0;
	memset(&o, 0, sizeof o);
	o.swf = fuzz_file("log.swf", data + 1, size - 1);
	o.swf_no_machines = data[0] & 1;
	fz_import("swf", &o);
	return 0;
}
