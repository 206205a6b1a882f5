/* fuzz/fz_gen.c — a generator spec (`ecsim gen`, JSON): parse, estimate
 * its size, and generate its first 20,000 rows. */
#include "fuzz/fuzz.h"
#include "models/gen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e;
	struct gen_spec *s;
	struct gen *g;
	struct trace_row r;
	int n = 0;

	err_clear(&e);
	s = gen_spec_parse("spec.json", (const char *)data, size, fuzz_dir(), &e);
	if (!s)
		return 0;
	(void)gen_expected_rows(s, NULL);
	g = gen_open(s, NULL);
	while (n < 20000 && gen_next(g, &r))
		n++;
	gen_close(g);
	gen_spec_free(s);
	return 0;
}
