/* fuzz/replay.c — feed files to a harness without libFuzzer: `replay-T
 * FILE|DIR...` runs LLVMFuzzerTestOneInput once per file (a folder: each
 * file in it, in name order).  Built with ASan + UBSan by `make test`, which
 * replays fuzz/regress/T/ so that every input that ever crashed, hung or
 * leaked stays fixed.  Prints one line per argument; exit 1 on a missing
 * file (a sanitizer report aborts by itself). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz/fuzz.h"

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0, r;

	if (!f) {
		perror(path);
		return -1;
	}
	do {
		if (n == cap) {
			cap = cap ? 2 * cap : 4096;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		long n = 0;

		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			DIR *d = opendir(argv[i]);
			struct dirent *de;
			char **names = NULL;
			size_t k = 0, cap = 0;

			while (d && (de = readdir(d))) {
				if (de->d_name[0] == '.')
					continue;
				if (k == cap) {
					cap = cap ? 2 * cap : 64;
					names = realloc(names, cap * sizeof *names);
					if (!names)
						abort();
				}
				names[k] = malloc(strlen(argv[i]) + strlen(de->d_name) + 2);
				if (!names[k])
					abort();
				sprintf(names[k++], "%s/%s", argv[i], de->d_name);
			}
			if (d)
				closedir(d);
			qsort(names, k, sizeof *names, by_name);
			for (size_t j = 0; j < k; j++) {
				if (run_file(names[j]) == 0)
					n++;
				else
					rc = 1;
				free(names[j]);
			}
			free(names);
		} else if (run_file(argv[i]) == 0) {
			n = 1;
		} else {
			rc = 1;
		}
		printf("replay: %s: %ld inputs\n", argv[i], n);
	}
	return rc;
}
