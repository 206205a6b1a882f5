/* fuzz/fuzz.h — shared by the in-process fuzzing harnesses (fuzz/fz_*.c).
 *
 * Each harness defines LLVMFuzzerTestOneInput(): it feeds one input to one
 * reader of ecsim (a task definition, a scenario, a trace, a query-language
 * expression, a generator spec, each importer's tables) and must never
 * crash, hang, leak or trip a sanitizer whatever the bytes.  Built three
 * ways (README.md, "Fuzzing"): with libFuzzer (clang -fsanitize=fuzzer),
 * with AFL++ (afl-clang-fast, same entry point), and with fuzz/replay.c, a
 * plain main() that feeds files to the harness under ASan + UBSan, which is
 * how `make test` replays fuzz/regress/<target>/.
 */
#ifndef FUZZ_FUZZ_H
#define FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A private folder for this process (created on first use in $TMPDIR,
 * else /dev/shm, else /tmp; removed at exit), and `name` in it written with data[0..size).  Returns the path
 * (static storage, valid until the next call). */
const char *fuzz_dir(void);
const char *fuzz_file(const char *name, const uint8_t *data, size_t size);

#endif
