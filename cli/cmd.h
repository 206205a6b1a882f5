/* sim/cmd.h — the commands of the ecsim command line, one file each
 * (sim/cmd_<verb>.c).  Each parses its own arguments (argv[0] is the verb),
 * calls into the library, prints errors (err_print) and returns the exit
 * code: 0 ok, 1 run-time failure, 2 bad usage or bad input, 3 a regression
 * (check) or a task never placed (run --fail-on-unplaced). */
#ifndef SIM_CMD_H
#define SIM_CMD_H

enum exit_code { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_INPUT = 2, EXIT_REGRESSION = 3 };

int cmd_run(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_plan(int argc, char **argv);

/* After a run with --fail-on-unplaced: EXIT_REGRESSION (3, printed) when
 * summary.csv counts a task never placed, else EXIT_OK. */
int cmd_fail_on_unplaced(const char *out_dir);

/* Print "ecsim: error: <msg>" and the --help hint; returns EXIT_INPUT. */
int cmd_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
