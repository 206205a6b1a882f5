/* tests/helpers/corpus.c — see corpus.h. */
#include "corpus.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

const char *t_corpus_dir(void)
{
	const char *d = getenv("ECSIM_CORPUS");

	return d && *d ? d : T_CORPUS_DEFAULT;
}

int t_corpus_present(void)
{
	struct stat st;
	const char *d = t_corpus_dir();

	return stat(d, &st) == 0 && S_ISDIR(st.st_mode) && access(d, R_OK | X_OK) == 0;
}

char *t_corpus_path(char *buf, size_t n, const char *rel)
{
	snprintf(buf, n, "%s/%s", t_corpus_dir(), rel);
	return buf;
}
