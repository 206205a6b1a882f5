/* tests/helpers/badfiles.h — checks shared by the suites that pin error
 * messages: compare two texts, read a sidecar file, and run every bad input
 * of a folder against its expected message. */
#ifndef TESTS_BADFILES_H
#define TESTS_BADFILES_H

#include "sim/err.h"

/* Assert got == want, printing both when they differ. */
void t_msg_eq(const char *got, const char *want);
/* The whole file without trailing newlines (malloc'd), NULL if absent. */
char *t_slurp(const char *path);
/* For every <name>.csv in dir (in name order): fn(path, e) must fail
 * (return nonzero) and err_format(e) must equal <name>.err.  Returns the
 * number of inputs checked. */
int t_bad_files(const char *dir, int (*fn)(const char *path, struct err *e));
/* The same for every <name><ext> in dir (ext with its dot: ".json"). */
int t_bad_files_ext(const char *dir, const char *ext,
		    int (*fn)(const char *path, struct err *e));

#endif
