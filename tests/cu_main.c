/* tests/cu_main.c — the CUnit runner shared by every suite binary.
 *
 * Each tests/test_<module>.c defines `CU_SuiteInfo test_suites[]`
 * (terminated by CU_SUITE_INFO_NULL) next to its tests, so the list of tests
 * lives with the tests.  `build/.../tests/test_x [SUITE]` runs one suite.
 * Exit status is nonzero when any assertion failed (CUnit's own return code
 * does not count failures).
 *
 * Suites named "*-corpus" read the shared real-world corpus
 * (tests/helpers/corpus.h).  When it is absent their tests are marked
 * inactive — CUnit's "Inactive" column, which tests/run-unit.sh reports as
 * skipped — and one plain line says so.  ECSIM_CORPUS set to something that
 * is not a folder is an error (exit 2): the user asked for those tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "tests/helpers/corpus.h"

extern CU_SuiteInfo test_suites[];

static int is_corpus_suite(const char *name)
{
	size_t n = strlen(name), k = strlen("-corpus");

	return n >= k && strcmp(name + n - k, "-corpus") == 0;
}

/* Mark the corpus suites' tests inactive when the corpus is absent;
 * returns the number of tests skipped, -1 on a bad ECSIM_CORPUS. */
static int skip_corpus_tests(void)
{
	CU_pTestRegistry reg = CU_get_registry();
	int skipped = 0;

	if (t_corpus_present())
		return 0;
	for (CU_pSuite s = reg ? reg->pSuite : NULL; s; s = s->pNext) {
		if (!is_corpus_suite(s->pName))
			continue;
		if (getenv("ECSIM_CORPUS") && *getenv("ECSIM_CORPUS")) {
			fprintf(stderr, "ecsim-test: ECSIM_CORPUS=%s is not a readable folder\n",
				t_corpus_dir());
			return -1;
		}
		for (CU_pTest t = s->pTest; t; t = t->pNext) {
			CU_set_test_active(t, CU_FALSE);
			skipped++;
		}
	}
	if (skipped) {
		printf("corpus tests skipped: %s not found; set ECSIM_CORPUS=DIR to run them\n",
		       t_corpus_dir());
		CU_set_fail_on_inactive(CU_FALSE);
	}
	return skipped;
}

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
	if (skip_corpus_tests() < 0) {
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_NORMAL);
	CU_basic_run_tests();
	fails = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return fails ? 1 : 0;
}
