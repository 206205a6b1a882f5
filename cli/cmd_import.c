/* cli/cmd_import.c — `ecsim import FORMAT ...`: convert a public cluster
 * trace (Google 2011, Alibaba 2017 and 2018, Alibaba GPU 2023 "openb", a
 * Parallel Workloads Archive SWF log) into ecsim's own trace CSV, streaming
 * (models/import.h).  The output is written to a temporary file and renamed
 * when the whole input was read, or to stdout with `--out -` (the default).
 * Afterwards a summary of what was skipped goes to stderr (unless --quiet).
 * Exit 2 on bad usage or bad input (FILE:LINE:COL messages), 1 when the
 * output cannot be written. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "models/import.h"

static void usage(void)
{
	printf("usage: ecsim import google2011 [--task-events F] [--machine-events F] [options]\n"
	       "       ecsim import alibaba2018 [--batch-task F] [--container-meta F] [--machine-meta F] [options]\n"
	       "       ecsim import alibaba2017 [--batch-task F] [--server-event F] [options]\n"
	       "       ecsim import swf --swf F [--no-machines] [options]\n"
	       "       ecsim import openb [--nodes F] [--pods F] [options]\n\n"
	       "Convert a public cluster trace into ecsim's trace CSV.  Tables are as published\n"
	       "(.gz read through gzip -dc), each in time order (machine tables in any order:\n"
	       "they are small and sorted in memory); see scenarios/README.md, \"Importing\n"
	       "public traces\".\n\n"
	       "options:\n"
	       "  --task-events F       Google 2011 task_events table\n"
	       "  --machine-events F    Google 2011 machine_events table (google2011: one or both)\n"
	       "  --batch-task F        Alibaba 2018 batch_task table\n"
	       "  --container-meta F    Alibaba 2018 container_meta table\n"
	       "  --machine-meta F      Alibaba 2018 machine_meta table\n"
	       "  --server-event F      Alibaba 2017 server_event table (with --batch-task: 2017's)\n"
	       "  --swf F               Parallel Workloads Archive job log (Standard Workload Format)\n"
	       "  --no-machines         swf: register no instances for the header's MaxProcs\n"
	       "  --nodes F             Alibaba GPU 2023 (openb) node list\n"
	       "  --pods F              Alibaba GPU 2023 (openb) pod list\n"
	       "  --machine-cores N     Alibaba: cores of one trace machine (default 96; 2017: 64)\n"
	       "  --machine-memory X    Alibaba 2017: normalised memory of one trace machine, in (0, 1]\n"
	       "                        (default 0.69)\n"
	       "  --max-instance-num N  Alibaba: refuse a batch_task row with more instances, swf: a job\n"
	       "                        with more processors (default 1000000)\n"
	       "  --instance-type T     catalog type a normalised capacity of 1.0 maps to (default m5.4xlarge)\n"
	       "  --azs a,b,c           availability zones (default us-east-1a,us-east-1b,us-east-1c)\n"
	       "  --time-scale X        multiply every time and duration (default 1)\n"
	       "  --max-rows N          stop after N output rows\n"
	       "  --first-instance N    instance ids continue after N instances of the scenario's own\n"
	       "  --out FILE|-          output trace (default -, stdout)\n"
	       "  --quiet               no summary of skipped rows on stderr\n"
	       "  -h, --help            this text\n");
}

/* Split a comma list into o->azs (kept in buf). */
static int split_azs(char *buf, struct import_opts *o)
{
	char *save = NULL;

	o->n_azs = 0;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (o->n_azs == IMPORT_MAX_AZS)
			return cmd_usage_error("import: --azs: at most %d availability zones", IMPORT_MAX_AZS);
		o->azs[o->n_azs++] = tok;
	}
	if (o->n_azs == 0)
		return cmd_usage_error("import: --azs: expected a comma-separated list of availability zones");
	return 0;
}

int cmd_import(int argc, char **argv)
{
	struct import_opts o;
	struct import_stats st;
	struct import *im;
	struct err e;
	const char *format = NULL, *out = "-";
	char *azs = NULL;
	int quiet = 0, rc;

	memset(&o, 0, sizeof o);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		char *end;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage();
			free(azs);
			return EXIT_OK;
		}
		if (strcmp(a, "--quiet") == 0) {
			quiet = 1;
			continue;
		}
		if (strcmp(a, "--no-machines") == 0) {
			o.swf_no_machines = 1;
			continue;
		}
		if (strncmp(a, "--", 2) != 0) {
			if (format) {
				free(azs);
				return cmd_usage_error("import: unexpected argument '%s'", a);
			}
			format = a;
			continue;
		}
		if (i + 1 >= argc) {
			free(azs);
			return cmd_usage_error("import: %s needs a value", a);
		}
		v = argv[++i];
		if (!strcmp(a, "--task-events")) {
			o.task_events = v;
		} else if (!strcmp(a, "--machine-events")) {
			o.machine_events = v;
		} else if (!strcmp(a, "--batch-task")) {
			o.batch_task = v;
		} else if (!strcmp(a, "--container-meta")) {
			o.container_meta = v;
		} else if (!strcmp(a, "--machine-meta")) {
			o.machine_meta = v;
		} else if (!strcmp(a, "--swf")) {
			o.swf = v;
		} else if (!strcmp(a, "--server-event")) {
			o.server_event = v;
		} else if (!strcmp(a, "--nodes")) {
			o.openb_nodes = v;
		} else if (!strcmp(a, "--pods")) {
			o.openb_pods = v;
		} else if (!strcmp(a, "--instance-type")) {
			o.instance_type = v;
		} else if (!strcmp(a, "--out")) {
			out = v;
		} else if (!strcmp(a, "--azs")) {
			free(azs);
			azs = strdup(v);
			if (!azs || split_azs(azs, &o)) {
				free(azs);
				return EXIT_INPUT;
			}
		} else if (!strcmp(a, "--time-scale") || !strcmp(a, "--machine-cores")) {
			double x = strtod(v, &end);

			if (end == v || *end || !(x > 0) || x > 1e9) {
				free(azs);
				return cmd_usage_error("import: %s: expected a number in (0, 1e9], got '%s'", a, v);
			}
			if (!strcmp(a, "--time-scale"))
				o.time_scale = x;
			else
				o.machine_cores = x;
		} else if (!strcmp(a, "--machine-memory")) {
			double x = strtod(v, &end);

			if (end == v || *end || !(x > 0) || x > 1) {
				free(azs);
				return cmd_usage_error("import: %s: expected a number in (0, 1], got '%s'", a, v);
			}
			o.machine_memory = x;
		} else if (!strcmp(a, "--max-rows") || !strcmp(a, "--first-instance") ||
			   !strcmp(a, "--max-instance-num")) {
			long long x;

			errno = 0;
			x = strtoll(v, &end, 10);
			if (end == v || *end || errno || x < 0 || x > 1000000000LL) {
				free(azs);
				return cmd_usage_error("import: %s: expected an integer in [0, 1000000000], got '%s'",
						       a, v);
			}
			if (!strcmp(a, "--max-rows"))
				o.max_rows = x;
			else if (!strcmp(a, "--max-instance-num"))
				o.max_instance_num = x;
			else
				o.first_instance = (int)x;
		} else {
			free(azs);
			return cmd_usage_error("import: unknown option '%s'", a);
		}
	}
	if (!format) {
		free(azs);
		return cmd_usage_error("import: missing format (" IMPORT_FORMATS ")");
	}
	err_clear(&e);
	im = import_open(format, &o, &e);
	if (!im) {
		free(azs);
		err_print(&e, stderr);
		return EXIT_INPUT;
	}
	rc = import_write_csv(im, out, &e);
	import_stats(im, &st);
	import_close(im);
	free(azs);
	if (rc < 0) {
		err_print(&e, stderr);
		/* a bad input row is recorded with its line; a write error without */
		return e.line > 0 || strstr(e.msg, "gzip") ? EXIT_INPUT : EXIT_RUNTIME;
	}
	if (!quiet)
		fprintf(stderr, "ecsim: import: %lld rows read, %lld trace rows written; skipped: "
			"%lld without a CPU/memory request, %lld ignored event kinds, %lld ends of "
			"unknown tasks/machines, %lld repeats, %lld at the never time\n",
			(long long)st.rows_in, (long long)st.rows_out, (long long)st.skipped_blank,
			(long long)st.skipped_ignored, (long long)st.skipped_unknown,
			(long long)st.skipped_duplicate, (long long)st.skipped_never);
	if (!quiet && st.gpu_dropped)
		fprintf(stderr, "ecsim: import: %lld pods asked for GPUs: imported with their CPU and memory "
			"only (GPUs are not in ecsim's trace rows)\n", (long long)st.gpu_dropped);
	return EXIT_OK;
}
