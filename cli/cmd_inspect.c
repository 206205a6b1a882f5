/* sim/cmd_inspect.c — `ecsim inspect FILE [--family NAME]`: load one task
 * definition (any of the three shapes of docs/ecs-model.md choice B1) and print what one
 * task of it needs from a container instance (docs/ecs-model.md §1.6) as a single
 * JSON object on stdout: launch types, network mode, cpu units, memory MiB,
 * GPUs, ENI, static and dynamic ports, memberOf constraints, runtimePlatform
 * and the per-container values (dependsOn and restartPolicy among them).
 * Bad input prints one "ecsim: error:" line and exits 2.
 */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/taskdef.h"
#include "sim/err.h"

static void usage(FILE *f)
{
	fputs("usage: ecsim inspect <taskdef.json> [options]\n\n"
	      "Print what one task of the task definition needs from an instance, as JSON:\n"
	      "family, revision, shape, launchTypes, networkMode, taskCpu (units),\n"
	      "taskMemory (MiB), cpu (units), memory (MiB), memoryReservation (MiB),\n"
	      "gpu, eni, hostPorts {tcp, udp}, dynamicPorts, awsvpcPorts {tcp, udp},\n"
	      "constraints, runtimePlatform, windows, stopTimeout (s),\n"
	      "essentialContainers and containers (each with its dependsOn and\n"
	      "restartPolicy); scenarios/README.md, \"ecsim inspect\".  A\n"
	      "definition that cannot run on EC2 (FARGATE-only) is shown with a note\n"
	      "on stderr: a scenario runs its tasks on Fargate.\n\n"
	      "options:\n"
	      "  --family NAME   family of a bare container-definitions array\n"
	      "                  (default: the file name without its extension)\n"
	      "  -h, --help      this text\n", f);
}

int cmd_inspect(int argc, char **argv)
{
	const char *file = NULL, *family = NULL;
	struct taskdef *td;
	struct err e;
	char *json;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return EXIT_OK;
		} else if (strcmp(a, "--family") == 0) {
			if (i + 1 >= argc)
				return cmd_usage_error("inspect: --family needs a NAME");
			family = argv[++i];
		} else if (strncmp(a, "--family=", 9) == 0) {
			family = a + 9;
		} else if (a[0] == '-' && a[1] != '\0') {
			return cmd_usage_error("inspect: unknown option '%s'", a);
		} else if (file) {
			return cmd_usage_error("inspect: one task definition file at a time "
					       "(got '%s' and '%s')", file, a);
		} else {
			file = a;
		}
	}
	if (!file)
		return cmd_usage_error("inspect: missing task definition file");
	err_clear(&e);
	td = taskdef_load(file, family, &e);
	if (!td) {
		err_print(&e, stderr);
		return EXIT_INPUT;
	}
	json = taskdef_to_json(td);
	printf("%s\n", json);
	if (taskdef_check_ec2(td, file, &e) < 0) {
		char m[600];

		err_format(&e, m, sizeof m);
		fprintf(stderr, "ecsim: note: %s\n", m);
	}
	free(json);
	taskdef_free(td);
	return EXIT_OK;
}
