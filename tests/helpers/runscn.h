/* tests/helpers/runscn.h — run a scenario written to a temporary folder, as
 * `ecsim run` does, and read cells of its CSV outputs. */
#ifndef TESTS_RUNSCN_H
#define TESTS_RUNSCN_H

#include <stddef.h>

struct backplane;

/* Make a fresh temporary folder (0) or remove it (0 on success). */
int rs_setup(void);
/* rs_setup, then rs_dir()/small.json: task definition "small", one
 * container of 256 CPU units and 512 MiB (a suite's init function). */
int rs_setup_small(void);
int rs_teardown(void);
const char *rs_dir(void);
/* Write `text` to rs_dir()/name. */
void rs_write(const char *name, const char *text);
/* Write rs_dir()/<family>.json: task definition `family`, one essential
 * container "c" (image "x") of `cpu` CPU units and `memory` MiB. */
void rs_write_def(const char *family, int cpu, int memory);
/* Copy the fixture tests/data/scenarios/<name> (the tests run from the
 * repository root) to rs_dir()/name: 0, or -1 when it cannot be read. */
int rs_fixture(const char *name);
/* Run rs_dir()/name into rs_dir()/out-<tag>; `observe`, when given, is
 * called after every event with the backplane.  0 on success. */
int rs_run(const char *name, const char *tag, const char *strategy,
	   void (*observe)(struct backplane *bp, void *ctx), void *ctx);
/* rs_run with no strategy or observer, the error formatted into msg ("" when
 * it ran) instead of printed: 0, or -1. */
int rs_run_msg(const char *name, const char *tag, char *msg, size_t n);
/* Value of `col` in data row `row` (1-based) of out-<tag>/file; malloc'd, or
 * NULL.  Negative row counts from the end (-1 = last). */
char *rs_cell(const char *tag, const char *file, int row, const char *col);
/* Row (1-based) where `col` == value, or 0. */
int rs_find(const char *tag, const char *file, const char *col, const char *value);
/* How many rows have `col` == value (0 when the file or column is absent). */
int rs_count(const char *tag, const char *file, const char *col, const char *value);
int rs_rows(const char *tag, const char *file);
double rs_num(const char *tag, const char *file, int row, const char *col);
/* The tasks of tasks.csv of out-<tag> not stopped (no stop_s) per AZ, by
 * the last letter of its name: per[0] us-east-1a ... per[n_az - 1]. */
void rs_live_per_az(const char *tag, int *per, int n_az);

/* time_s of the first targets.csv row of out-<tag> where `target` enters
 * state `to`, -1 when none. */
double rs_target_at(const char *tag, const char *target, const char *to);

#define RS_IS(tag, file, row, col, want) do { char *v_ = rs_cell(tag, file, row, col); \
	T_STREQ(v_, want); free(v_); } while (0)

#endif
