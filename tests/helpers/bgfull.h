/* tests/helpers/bgfull.h — the full-cluster blue/green scenario the
 * blue/green tests of unhealthy and drained tasks share (tests/
 * test_bg_unhealthy.c, choice E185; tests/test_bg_drain.c, choices E192,
 * E194): four m5.large in one zone, service s (web, desired 4, 1 vCPU a
 * task: blue and green fill the cluster), fixed latencies, and readers of
 * its outputs. */
#ifndef TESTS_BGFULL_H
#define TESTS_BGFULL_H

/* The task definitions <prefix>-hc.json (blue, web), <prefix>-hc2.json
 * (green, web:2) — a container health check every 10 s, unhealthy at the
 * third failure, startPeriod 30 s — and <prefix>-hc2n.json (green without
 * startPeriod: its first failed checks count at once), in rs_dir(). */
void bgf_taskdefs(const char *prefix);
/* <name>.json and <name>.csv in rs_dir(): the scenario (controlPlane's
 * fields after schedulerDelaySeconds: cp_extra, "" or ",\"...\":..."),
 * blue from <prefix>-hc.json, green ("hc2") from the file green_td, the
 * service's deploymentConfiguration dc, and the trace rows (after the
 * header). */
void bgf_write(const char *name, const char *prefix, const char *cp_extra, const char *green_td, const char *dc,
	       const char *rows);
/* bgf_write with the instance groups `groups` (the members of its array)
 * instead of the four m5.large, the top-level members `top` before
 * "services" ("" or "\"...\":...,") and the service's members `more` after
 * its desired count ("" or ",\"...\":..."). */
void bgf_write_in(const char *name, const char *prefix, const char *cp_extra, const char *groups, const char *top,
		  const char *green_td, const char *more, const char *dc, const char *rows);
/* deployments.csv of out-<tag>: time_s of the k-th row (1-based) of
 * deployment 2 at `stage`, -1 when none (tests/test_bluegreen.c too). */
double bgf_stage_at(const char *tag, const char *stage, int k);
/* A task's row of tasks.csv, asserted present (0 when absent). */
int bgf_row_of(const char *tag, const char *task);
/* The row-th placement failure: its task and time, asserted. */
void bgf_failure_is(const char *tag, int row, const char *task, double at);

#endif
