/* tests/helpers/corpus.h — where the shared real-world corpus is, if anywhere.
 *
 * The corpus (real task definitions and trace samples) is not part of the
 * repository: CI and developers keep it beside the checkout, in
 * ../shared/corpus, or name it with ECSIM_CORPUS=DIR.  Tests that read it
 * live in suites whose name ends in "-corpus"; when the corpus is absent,
 * tests/cu_main.c marks their tests inactive (reported as skipped) and says
 * so once.  What they guard is also covered by the project's own inputs
 * under tests/data/, so a bare clone still tests every rule. */
#ifndef TESTS_CORPUS_H
#define TESTS_CORPUS_H

#include <stddef.h>

/* The default place, relative to the repository root (the tests' cwd). */
#define T_CORPUS_DEFAULT "../shared/corpus"

/* The corpus folder: $ECSIM_CORPUS when set (non-empty), else
 * T_CORPUS_DEFAULT. */
const char *t_corpus_dir(void);
/* 1 when t_corpus_dir() is a readable folder. */
int t_corpus_present(void);
/* "<corpus>/<rel>" into buf (size n); returns buf. */
char *t_corpus_path(char *buf, size_t n, const char *rel);

#endif
