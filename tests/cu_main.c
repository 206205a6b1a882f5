/* tests/cu_main.c — the CUnit runner shared by every suite binary.
 *
 * Each tests/test_<module>.c defines `CU_SuiteInfo test_suites[]`
 * (terminated by CU_SUITE_INFO_NULL) next to its tests, so the list of tests
 * lives with the tests.  `build/.../tests/test_x [SUITE]` runs one suite.
 * Exit status is nonzero when any assertion failed (CUnit's own return code
 * does not count failures). */
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

extern CU_SuiteInfo test_suites[];

int main(int argc, char **argv)
{
	unsigned fails;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	if (argc > 1) {
		for (CU_SuiteInfo *s = test_suites; s->pName; s++) {
			if (strcmp(s->pName, argv[1]) == 0) {
				CU_SuiteInfo one[2] = { *s, CU_SUITE_INFO_NULL };

				CU_register_suites(one);
			}
		}
	} else if (CU_register_suites(test_suites) != CUE_SUCCESS) {
		fprintf(stderr, "ecsim-test: cannot register suites: %s\n", CU_get_error_msg());
		return 2;
	}
	CU_basic_set_mode(CU_BRM_NORMAL);
	CU_basic_run_tests();
	fails = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return fails ? 1 : 0;
}
