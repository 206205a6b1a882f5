/* sim/main.c — the ecsim command line: dispatch to one command per verb.
 *
 * Exit codes (also in --help and README.md): 0 success, 1 run-time failure,
 * 2 bad usage or bad input.  Every message starts "ecsim: error: ". */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_version.h>

#include "cmd.h"
#include "sim/mem.h"
#include "version.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
	const char *summary;
};

static const struct command commands[] = {
	{ "run", cmd_run, "run <scenario.json> [--seed N] [--out DIR] [--until SECONDS] [--strategy NAME|JSON] [--tie-break first|random] [--no-task-log] [--quiet] [--explain TASK_ID[,...]] [--set POINTER=VALUE]... [--fail-on-unplaced]",
	  "simulate a scenario and write CSV metrics" },
	{ "validate", cmd_validate, "validate <file>...",
	  "check scenarios (.json with availabilityZones), generator specs, task definitions (.json) and traces (.csv)" },
	{ "inspect", cmd_inspect, "inspect <taskdef.json> [--family NAME]",
	  "print what a task definition needs from an instance, as JSON" },
	{ "import", cmd_import, "import google2011|alibaba2018|alibaba2017|swf|openb <tables...> [--instance-type T] [--azs a,b,c] [--out FILE|-] ...",
	  "convert a public cluster trace into ecsim's trace CSV (ecsim import --help)" },
	{ "gen", cmd_gen, "gen <spec.json> [--out FILE|-] [--seed N] [--duration SECONDS] [--quiet]",
	  "write a workload trace from a generator spec (default results/gen/<name>.csv)" },
	{ "plot", cmd_plot, "plot <results-dir>",
	  "draw a results folder with gnuplot (a run: DIR/run.png and DIR/run.svg; a compare, sweep or plan folder: its plots)" },
	{ "compare", cmd_compare, "compare <scenario.json> [--strategy S]... [--variant NAME:SETTING]... [--reps R] [--precision P%] [--jobs N] [--out DIR]",
	  "run variants over replications with common random numbers; means, 95% CIs, paired differences (ecsim compare --help)" },
	{ "sweep", cmd_sweep, "sweep <sweep.json> [--jobs N] [--out DIR]",
	  "run a grid of settings x seeds, locally or under mpirun; resumable (ecsim sweep --help)" },
	{ "plan", cmd_plan, "plan <plan.json> [--jobs N] [--out DIR]",
	  "the smallest fleet meeting an SLO: search instance counts/types or a provider's target capacity with replications (ecsim plan --help)" },
	{ "check", cmd_check, "check <baseline-dir> <results-dir> [--tolerance FILE] [--exact]",
	  "regression check of a run or compare folder against a baseline; exit 3 on a regression" },
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void help(FILE *f)
{
	fprintf(f, "ecsim %s — discrete-event simulator of Amazon ECS clusters\n\n"
		"usage: ecsim <command> [<args>]\n\n", ECSIM_VERSION);
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  ecsim %s\n      %s\n", commands[i].usage, commands[i].summary);
	fprintf(f, "\n  ecsim <command> --help   the command's options, one line each\n"
		"  ecsim --help             this text\n"
		"  ecsim --version          version of ecsim and of its libraries\n\n"
		"exit codes: 0 success, 1 run-time failure, 2 bad usage or bad input,\n"
		"            3 regression (check) or a task never placed (run --fail-on-unplaced)\n"
		"documentation: README.md, scenarios/README.md, docs/ecs-model.md\n");
}

int main(int argc, char **argv)
{
	xmem_hugepages();
	if (argc < 2) {
		fprintf(stderr, "ecsim: error: missing command\n\n");
		help(stderr);
		return EXIT_INPUT;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		help(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("ecsim %s (GSL %s, cJSON %s, libcsv)\n", ECSIM_VERSION,
		       GSL_VERSION, cJSON_Version());
		return EXIT_OK;
	}
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	{
		char valid[300] = "";

		for (size_t i = 0; i < N_COMMANDS; i++) {
			strcat(valid, i ? ", " : "");
			strcat(valid, commands[i].name);
		}
		return cmd_usage_error("unknown command '%s'; valid: %s", argv[1], valid);
	}
}
