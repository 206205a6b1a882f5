/* fuzz/fz_openb.c — the openb (Alibaba GPU 2023) importer: first byte even
 * = the node list, odd = the pod list. */
#include "fuzz/fz_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct import_opts o;
	const char *p;

	if (size < 1)
		return 0;
	memset(&o, 0, sizeof o);
	p = fuzz_file(data[0] & 1 ? "pods.csv" : "nodes.csv", data + 1, size - 1);
	if (data[0] & 1)
		o.openb_pods = p;
	else
		o.openb_nodes = p;
	fz_import("openb", &o);
	return 0;
}
