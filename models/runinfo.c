/* models/runinfo.c — see runinfo.h. */
#include "runinfo.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sim/mem.h"

/* Every file `ecsim run` writes in its output folder, in the order written
 * (the load balancer's three at the end of the run when the scenario has
 * target groups, then metrics_close writes the next ten (eleven with alarms), summary.csv last
 * of them, then the command writes explain.csv with --explain, then
 * perf.csv).  Only these names are ever removed as stale. */
static const struct {
	const char *name;
	int task_log;                 /* written only with the task log on */
	int explain;                  /* written only with --explain */
	int scaling;                  /* written only when a service scales or a provider has managed scaling */
	int lb;                       /* written only with load balancers */
	int alarms;                   /* written only when the scenario has alarms */
} outputs[] = {
	{ "requests.csv", 0, 0, 0, 1, 0 }, { "targets.csv", 1, 0, 0, 1, 0 }, { "lb_summary.csv", 0, 0, 0, 1, 0 },
	{ "tasks.csv", 1, 0, 0, 0, 0 }, { "placement_failures.csv", 1, 0, 0, 0, 0 }, { "timeseries.csv", 0, 0, 0, 0, 0 },
	{ "services.csv", 0, 0, 0, 0, 0 }, { "service_summary.csv", 0, 0, 0, 0, 0 }, { "failures.csv", 0, 0, 0, 0, 0 },
	{ "recovery.csv", 0, 0, 0, 0, 0 }, { "deployments.csv", 0, 0, 0, 0, 0 }, { "alarms.csv", 0, 0, 0, 0, 1 },
	{ "service_events.csv", 0, 0, 0, 0, 0 },
	{ "summary.csv", 0, 0, 0, 0, 0 }, { "explain.csv", 0, 1, 0, 0, 0 },
	{ "perf.csv", 0, 0, 0, 0, 0 }, { "scaling.csv", 0, 0, 1, 0, 0 },
};

/* Whether this run wrote output i. */
static int written(const struct runinfo *ri, size_t i)
{
	return (ri->task_log || !outputs[i].task_log) && (ri->explain || !outputs[i].explain) &&
	       (ri->scaling || !outputs[i].scaling) && (ri->lb || !outputs[i].lb) &&
	       (ri->alarms || !outputs[i].alarms);
}

#define N_OUTPUTS (sizeof outputs / sizeof outputs[0])

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = xmalloc(n);

	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

void runinfo_invalidate(const char *out_dir)
{
	char *p = join(out_dir, "run.json");

	remove(p);
	free(p);
}

/* FNV-1a 64 of the file's bytes ("fnv1a64:<16 hex digits>"); -1 when it
 * cannot be read. */
static int hash_file(const char *path, char *out, size_t n, struct err *e)
{
	FILE *f = fopen(path, "rb");
	uint64_t h = 0xcbf29ce484222325ULL;
	unsigned char buf[65536];
	size_t k;

	if (!f)
		return err_at(e, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
	while ((k = fread(buf, 1, sizeof buf, f)) > 0) {
		for (size_t i = 0; i < k; i++) {
			h ^= buf[i];
			h *= 0x100000001b3ULL;
		}
	}
	if (ferror(f)) {
		fclose(f);
		return err_at(e, path, 0, 0, NULL, "read error");
	}
	fclose(f);
	snprintf(out, n, "fnv1a64:%016" PRIx64, h);
	return 0;
}

static cJSON *manifest(const struct runinfo *ri, const char *hash)
{
	cJSON *root = cJSON_CreateObject(), *cmd, *files;
	char num[64];

	cJSON_AddStringToObject(root, "ecsim", ri->version);
	cmd = cJSON_AddArrayToObject(root, "command");
	cJSON_AddItemToArray(cmd, cJSON_CreateString("ecsim"));
	for (int i = 0; i < ri->argc; i++)
		cJSON_AddItemToArray(cmd, cJSON_CreateString(ri->argv[i]));
	cJSON_AddStringToObject(root, "scenario", ri->scenario);
	cJSON_AddStringToObject(root, "scenarioHash", hash);
	/* raw digits: a double would round seeds above 2^53 */
	snprintf(num, sizeof num, "%" PRIu64, ri->seed);
	cJSON_AddRawToObject(root, "seed", num);
	cJSON_AddStringToObject(root, "strategy", ri->strategy);
	cJSON_AddStringToObject(root, "tieBreak", ri->tie_break);
	if (ri->until_s > 0)
		cJSON_AddNumberToObject(root, "until", ri->until_s);
	else
		cJSON_AddNullToObject(root, "until");
	snprintf(num, sizeof num, "%" PRId64 ".%03d", ri->duration_ms / 1000,
		 (int)(ri->duration_ms % 1000));
	cJSON_AddRawToObject(root, "simSeconds", num);
	cJSON_AddBoolToObject(root, "taskLog", ri->task_log);
	files = cJSON_AddArrayToObject(root, "files");
	for (size_t i = 0; i < N_OUTPUTS; i++)
		if (written(ri, i))
			cJSON_AddItemToArray(files, cJSON_CreateString(outputs[i].name));
	return root;
}

int runinfo_finish(const char *out_dir, const struct runinfo *ri, struct err *e)
{
	char hash[40];
	char *path, *tmp, *text;
	cJSON *root;
	FILE *f;
	int rc = 0;

	if (hash_file(ri->scenario, hash, sizeof hash, e))
		return -1;
	/* files of an earlier run this one did not replace */
	for (size_t i = 0; i < N_OUTPUTS; i++) {
		if (written(ri, i))
			continue;
		path = join(out_dir, outputs[i].name);
		if (remove(path) != 0 && errno != ENOENT)
			rc = err_at(e, path, 0, 0, NULL, "cannot remove the stale output: %s",
				    strerror(errno));
		free(path);
		if (rc)
			return -1;
	}
	root = manifest(ri, hash);
	text = cJSON_Print(root);
	cJSON_Delete(root);
	path = join(out_dir, "run.json");
	tmp = join(out_dir, "run.json.tmp");
	f = fopen(tmp, "wb");
	if (!f) {
		rc = err_at(e, tmp, 0, 0, NULL, "cannot create: %s", strerror(errno));
	} else {
		int bad = fputs(text, f) < 0 || fputc('\n', f) == EOF;

		if (fclose(f) != 0 || bad)
			rc = err_at(e, tmp, 0, 0, NULL, "write error: %s", strerror(errno));
		else if (rename(tmp, path) != 0)
			rc = err_at(e, path, 0, 0, NULL, "cannot rename %s into place: %s", tmp,
				    strerror(errno));
		if (rc)
			remove(tmp);
	}
	cJSON_free(text);
	free(path);
	free(tmp);
	return rc;
}
