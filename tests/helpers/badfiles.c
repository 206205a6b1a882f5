/* tests/helpers/badfiles.c — see badfiles.h. */
#include "badfiles.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

void t_msg_eq(const char *got, const char *want)
{
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\n  got:  %s\n  want: %s\n", got, want);
	CU_ASSERT(strcmp(got, want) == 0);
}

char *t_slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = calloc(1, (size_t)n + 1);
	if (fread(s, 1, (size_t)n, f) != (size_t)n)
		s[0] = '\0';
	fclose(f);
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

static const char *bad_ext = ".csv";

static int has_ext(const struct dirent *d)
{
	size_t n = strlen(d->d_name), k = strlen(bad_ext);

	return n > k && strcmp(d->d_name + n - k, bad_ext) == 0;
}

int t_bad_files(const char *dir, int (*fn)(const char *path, struct err *e))
{
	return t_bad_files_ext(dir, ".csv", fn);
}

int t_bad_files_ext(const char *dir, const char *ext,
		    int (*fn)(const char *path, struct err *e))
{
	struct dirent **names;
	int n;

	bad_ext = ext;
	n = scandir(dir, &names, has_ext, alphasort);
	if (n < 0) {
		char m[600];

		snprintf(m, sizeof m, "cannot read folder %s", dir);
		CU_assertImplementation(CU_FALSE, __LINE__, m, __FILE__, "", CU_FALSE);
		return 0;
	}

	for (int i = 0; i < n; i++) {
		char path[512], errpath[512], got[2200];
		struct err e;
		char *want;

		snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
		snprintf(errpath, sizeof errpath, "%.*s.err", (int)(strlen(path) - strlen(ext)), path);
		want = t_slurp(errpath);
		free(names[i]);
		if (!want) {
			fprintf(stderr, "missing %s\n", errpath);
			CU_FAIL("missing .err sidecar");
			continue;
		}
		err_clear(&e);
		CU_ASSERT(fn(path, &e) != 0);
		CU_ASSERT(e.set);
		err_format(&e, got, sizeof got);
		if (strcmp(got, want) != 0)
			fprintf(stderr, "\n%s:", path);
		t_msg_eq(got, want);
		free(want);
	}
	free(names);
	return n;
}
