/* models/taskdef.c — an AWS task definition as ecsim sees it: the JSON that
 * RegisterTaskDefinition takes (or DescribeTaskDefinition returns, or a bare
 * Terraform container array) validated the way ECS validates it at
 * registration, and reduced to what placement and the task lifecycle need:
 * launch types, network mode, the CPU / memory / GPU / port / ENI cost of one
 * task on an instance, the memberOf constraints and per-container timeouts.
 * Models docs/ecs-model.md §1 (1.1 identity, 1.2–1.3 task sizes and the Fargate
 * table, 1.4 container fields, 1.5 memory rules, 1.6 placement cost, 1.7–1.8
 * network modes and ports, 1.9 launch types, 1.10 constraints, 1.11
 * runtimePlatform) with every open point decided by docs/ecs-model.md choices B1–B21 and
 * A14.  Nothing is printed: every refusal fills a struct err naming the file
 * and the JSON path.
 *
 * This file reads the three shapes and the task-level members; the container
 * definitions are read by taskdef_containers.c, the value rules are in
 * taskdef_rules.c, the placement cost and `inspect`'s JSON in taskdef_cost.c
 * (shared declarations: taskdef_int.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "models/placement/cql.h"
#include "models/taskdef_int.h"
#include "sim/jsonrd.h"
#include "sim/mem.h"

void td_mkpath(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, n, fmt, ap);
	va_end(ap);
}

static int read_launch(struct td_ctx *x, struct jr *c)
{
	const cJSON *arr;
	int i = 0;

	if (jr_opt_array(c, "requiresCompatibilities", &arr))
		return -1;
	x->td->launch = 0;
	for (const cJSON *a = arr ? arr->child : NULL; a; a = a->next, i++) {
		static const struct { const char *name; unsigned bit; } types[] = {
			{ "EC2", TD_LAUNCH_EC2 }, { "FARGATE", TD_LAUNCH_FARGATE },
			{ "EXTERNAL", TD_LAUNCH_EXTERNAL },
			{ "MANAGED_INSTANCES", TD_LAUNCH_MANAGED_INSTANCES },
		};
		char p[640];
		const char *s;
		unsigned bit = 0;

		jr_path(c, "requiresCompatibilities", p, sizeof p);
		td_mkpath(p + strlen(p), sizeof p - strlen(p), "[%d]", i);
		if (jv_str(a, x->file, p, &s, x->e))
			return -1;
		for (size_t k = 0; k < sizeof types / sizeof types[0]; k++) {
			if (strcmp(s, types[k].name) == 0)
				bit = types[k].bit;
		}
		if (!bit) {
			if (td_has_placeholder(s))
				return err_at(x->e, x->file, 0, 0, p, "template placeholder \"%.80s\" "
					      "where a launch type is expected (render the "
					      "template first)", s);
			return err_at(x->e, x->file, 0, 0, p, "unknown launch type \"%.80s\" "
				      "(EC2, FARGATE, EXTERNAL or MANAGED_INSTANCES)", s);
		}
		x->td->launch |= bit;   /* B12: duplicates dropped */
	}
	if (!x->td->launch)
		x->td->launch = TD_LAUNCH_EC2;   /* B12 */
	return 0;
}

/* docs/ecs-model.md §1.11: the operating system families ECS knows (the
 * runtimePlatform values; an instance's ecs.os-family is one of them). */
static const char *const os_families[] = {
	"LINUX", "WINDOWS_SERVER_2016_FULL", "WINDOWS_SERVER_2019_FULL",
	"WINDOWS_SERVER_2019_CORE", "WINDOWS_SERVER_2022_FULL",
	"WINDOWS_SERVER_2022_CORE", "WINDOWS_SERVER_2025_FULL",
	"WINDOWS_SERVER_2025_CORE", "WINDOWS_SERVER_2004_CORE",
	"WINDOWS_SERVER_20H2_CORE",
};

int taskdef_os_family_known(const char *os)
{
	for (size_t k = 0; k < sizeof os_families / sizeof os_families[0]; k++)
		if (strcmp(os, os_families[k]) == 0)
			return 1;
	return 0;
}

const char *taskdef_os_family_list(void)
{
	static char list[400];

	if (!list[0])
		for (size_t k = 0; k < sizeof os_families / sizeof os_families[0]; k++)
			snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k ? ", " : "",
				 os_families[k]);
	return list;
}

static int read_platform(struct td_ctx *x, struct jr *c)
{
	const cJSON *rp;
	struct jr r;
	const char *os, *arch;

	if (jr_opt_object(c, "runtimePlatform", &rp))
		return -1;
	if (!rp)
		return 0;
	if (jr_open(&r, rp, x->file, "", x->e))
		return -1;
	jr_path(c, "runtimePlatform", r.path, sizeof r.path);
	if (jr_opt_str(&r, "operatingSystemFamily", NULL, &os) ||
	    jr_opt_str(&r, "cpuArchitecture", NULL, &arch))
		return -1;
	if (arch) {
		if (strcmp(arch, "X86_64") != 0 && strcmp(arch, "ARM64") != 0)
			return td_fail_string(&r, "cpuArchitecture",
					   "cpu architecture (X86_64 or ARM64)", arch);
		x->td->cpu_arch = xstrdup(arch);
	}
	if (os) {
		if (!taskdef_os_family_known(os))
			return td_fail_string(&r, "operatingSystemFamily",
					   "operating system family (LINUX or WINDOWS_SERVER_*)", os);
		x->td->os_family = xstrdup(os);
		x->td->windows = strncmp(os, "WINDOWS_", 8) == 0;   /* B15 */
	}
	return 0;
}

static int read_netmode(struct td_ctx *x, struct jr *c)
{
	static const char *const names[] = { "bridge", "host", "awsvpc", "none", "default" };
	const char *s;

	if (jr_opt_str(c, "networkMode", NULL, &s))
		return -1;
	if (!s) {
		/* docs/ecs-model.md choices B13, B14 */
		if (x->td->launch & TD_LAUNCH_FARGATE)
			return jr_fail(c, "networkMode", "required on FARGATE (must be \"awsvpc\")");
		x->td->netmode = x->td->windows ? TD_NET_DEFAULT : TD_NET_BRIDGE;
		return 0;
	}
	for (int k = 0; k < 5; k++) {
		if (strcmp(s, names[k]) == 0) {
			if ((x->td->launch & TD_LAUNCH_FARGATE) && k != TD_NET_AWSVPC)
				return jr_fail(c, "networkMode", "must be \"awsvpc\" on FARGATE, "
					       "got \"%s\"", s);
			x->td->netmode = (enum td_netmode)k;
			return 0;
		}
	}
	return td_fail_string(c, "networkMode",
			   "network mode (bridge, host, awsvpc, none or default)", s);
}

static int read_constraints(struct td_ctx *x, struct jr *c)
{
	const cJSON *arr;
	int i = 0, n;

	if (jr_opt_array(c, "placementConstraints", &arr))
		return -1;
	if (!arr || !arr->child)
		return 0;
	if (x->td->launch & TD_LAUNCH_FARGATE)   /* docs/ecs-model.md §1.10, B13 */
		return jr_fail(c, "placementConstraints", "not supported on FARGATE");
	n = cJSON_GetArraySize(arr);
	if (n > MAX_CONSTRAINTS)   /* B21 */
		return jr_fail(c, "placementConstraints", "at most %d constraints, got %d",
			       MAX_CONSTRAINTS, n);
	x->td->constraints = xcalloc((size_t)n, sizeof *x->td->constraints);
	for (const cJSON *a = arr->child; a; a = a->next, i++) {
		struct jr pc;
		char p[640];
		const char *type, *expr;

		jr_path(c, "placementConstraints", p, sizeof p);
		td_mkpath(p + strlen(p), sizeof p - strlen(p), "[%d]", i);
		if (jr_open(&pc, a, x->file, p, x->e) || jr_req_str(&pc, "type", &type))
			return -1;
		if (strcmp(type, "memberOf") != 0)
			return jr_fail(&pc, "type", "only \"memberOf\" is allowed in a task "
				       "definition, got \"%.80s\"", type);
		if (jr_req_str(&pc, "expression", &expr))
			return -1;
		if (!*expr)
			return jr_fail(&pc, "expression", "must not be empty");
		{
			/* RegisterTaskDefinition refuses an expression that does
			 * not parse: so do we, at load, not at the first placement */
			char msg[512];
			int col = 0;
			struct cql_expr *q = cql_parse(expr, &col, msg, sizeof msg);

			if (!q)
				return jr_fail(&pc, "expression", "column %d: %s", col, msg);
			cql_free(q);
		}
		x->td->constraints[x->td->n_constraints++] = xstrdup(expr);
	}
	return 0;
}

/* Family of a bare array from the file name (B1): "dir/web.json" -> "web". */
static char *family_from_file(const char *file)
{
	const char *base, *dot;

	if (!file || !*file)
		return NULL;
	base = strrchr(file, '/');
	base = base ? base + 1 : file;
	dot = strrchr(base, '.');
	return xstrndup(base, dot && dot != base ? (size_t)(dot - base) : strlen(base));
}

static int read_family(struct td_ctx *x, struct jr *c)
{
	const cJSON *f = jr_get(c, "family");
	int64_t rev;

	if (!f)
		return jr_fail(c, "family", "required member is missing");
	if (!cJSON_IsString(f))
		return jr_fail(c, "family", "expected string, got %s", jtype_name(f));
	if (!taskdef_name_ok(f->valuestring))   /* B20 */
		return td_has_placeholder(f->valuestring)
			? td_fail_string(c, "family", "a family name", f->valuestring)
			: jr_fail(c, "family", "invalid family \"%.80s\": 1 to 255 letters, "
				  "digits, '_' or '-'", f->valuestring);
	x->td->family = xstrdup(f->valuestring);
	if (td_get_int(c, "revision", 1, 1000000, &rev, NULL))
		return -1;
	x->td->revision = (int)rev;
	return 0;
}

/* A RegisterTaskDefinition-style object at `path`. */
static int read_object(struct td_ctx *x, const cJSON *obj, const char *path)
{
	struct taskdef *td = x->td;
	struct jr c;
	const cJSON *cdefs;
	char cpath[640];

	if (jr_open(&c, obj, x->file, path, x->e) || read_family(x, &c) ||
	    read_launch(x, &c) || read_platform(x, &c) || read_netmode(x, &c) ||
	    td_task_size(&c, "cpu", "vcpu", &td->task_cpu) ||
	    td_task_size(&c, "memory", "gb", &td->task_memory_mib) ||
	    jr_req_array(&c, "containerDefinitions", &cdefs))
		return -1;
	jr_path(&c, "containerDefinitions", cpath, sizeof cpath);
	if (td_read_containers(x, cdefs, cpath) || read_constraints(x, &c) ||
	    td_check_sizes(x, &c, cpath))
		return -1;
	return 0;
}

/* ECS's limit on a task definition's size (docs/ecs-model.md §1.1, choice
 * E168): the definition as read, printed as compact JSON (no whitespace:
 * what a request carries, whatever the file's layout), over 64 KiB is
 * refused.  A DescribeTaskDefinition output is measured on its
 * `taskDefinition` object, a bare container array on the array. */
#define TD_MAX_BYTES 65536

static int check_size(const cJSON *obj, const char *file, const char *path, struct err *e)
{
	char *text = cJSON_PrintUnformatted(obj);
	size_t n = text ? strlen(text) : 0;

	free(text);
	if (n > TD_MAX_BYTES)
		return err_at(e, file, 0, 0, path, "task definition is %zu bytes as compact JSON, "
			      "over ECS's limit of 64 KiB (%d bytes)", n, TD_MAX_BYTES);
	return 0;
}

struct taskdef *taskdef_from_json(const struct cJSON *root, const char *file,
				  const char *path, const char *family_hint,
				  struct err *e)
{
	struct taskdef *td = xcalloc(1, sizeof *td);
	struct td_ctx x;
	int rc;

	memset(&x, 0, sizeof x);
	x.file = file;
	x.e = e;
	x.td = td;
	if (!path)
		path = "$";
	td->stop_timeout_s = -1;
	if (cJSON_IsArray(root) && check_size(root, file, path, e)) {
		rc = -1;
	} else if (cJSON_IsArray(root)) {   /* B1: bare container array */
		td->shape = TD_SHAPE_CONTAINERS;
		td->launch = TD_LAUNCH_EC2;
		td->netmode = TD_NET_BRIDGE;
		td->family = family_hint ? xstrdup(family_hint) : family_from_file(file);
		if (!td->family)
			rc = err_at(e, file, 0, 0, path, "a bare container array needs a family "
				    "name (give one with --family)");
		else if (!taskdef_name_ok(td->family))
			rc = err_at(e, file, 0, 0, path, "family \"%.80s\" of this bare container "
				    "array (from %s) is not 1 to 255 letters, digits, '_' or '-'; "
				    "give one with --family", td->family,
				    family_hint ? "the scenario" : "the file name");
		else
			rc = td_read_containers(&x, root, path) ||
				td_check_sizes(&x, NULL, path);
	} else if (cJSON_IsObject(root)) {
		const cJSON *wrap = cJSON_GetObjectItemCaseSensitive(root, "taskDefinition");
		int has_cd = cJSON_GetObjectItemCaseSensitive(root, "containerDefinitions") != NULL;

		if (wrap && !cJSON_IsNull(wrap) && has_cd) {   /* B1 */
			rc = err_at(e, file, 0, 0, path, "both a top-level 'containerDefinitions' "
				    "(RegisterTaskDefinition input) and a 'taskDefinition' wrapper "
				    "(DescribeTaskDefinition output): give one shape only");
		} else if (wrap && !cJSON_IsNull(wrap)) {
			char p[640];

			td_mkpath(p, sizeof p, "%s.taskDefinition", path);
			td->shape = TD_SHAPE_DESCRIBE;
			rc = check_size(wrap, file, p, e) || read_object(&x, wrap, p);
		} else {
			td->shape = TD_SHAPE_REGISTER;
			rc = check_size(root, file, path, e) || read_object(&x, root, path);
		}
	} else {
		rc = err_at(e, file, 0, 0, path, "expected a task definition object or an array "
			    "of container definitions, got %s", jtype_name(root));
	}
	if (rc == 0)
		td_finish_cost(&x);
	for (int a = 0; a < 2; a++) {
		for (int u = 0; u < 2; u++)
			free(x.ports[a][u]);
	}
	if (rc) {
		taskdef_free(td);
		return NULL;
	}
	return td;
}

/* When a syntax error sits on unrendered template text, say so (B4, B5). */
static void explain_syntax_error(const char *path, struct err *e)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	long ln = 0;

	if (e->line <= 0 || strncmp(e->msg, "syntax error", 12) != 0)
		return;
	f = fopen(path, "rb");
	if (!f)
		return;
	while ((got = getline(&line, &cap, f)) >= 0) {
		size_t off = 0, n = (size_t)got;
		long col = 1;

		if (++ln != e->line)
			continue;
		while (off < n && col < e->col) {   /* columns count characters */
			off++;
			while (off < n && ((unsigned char)line[off] & 0xC0) == 0x80)
				off++;
			col++;
		}
		for (size_t k = off > 2 ? off - 2 : 0; k <= off + 2 && k < n; k++) {
			if (td_starts_placeholder(line + k)) {
				size_t len = strlen(e->msg);

				snprintf(e->msg + len, sizeof e->msg - len,
					 ": template placeholder in the JSON text "
					 "(render the template first)");
				break;
			}
		}
		break;
	}
	free(line);
	fclose(f);
}

struct taskdef *taskdef_load(const char *path, const char *family_hint, struct err *e)
{
	struct jdoc d;
	struct taskdef *td;

	if (jdoc_load(&d, path, e)) {
		explain_syntax_error(path, e);
		return NULL;
	}
	td = taskdef_from_json(d.root, path, "$", family_hint, e);
	jdoc_free(&d);
	return td;
}

void taskdef_free(struct taskdef *td)
{
	if (!td)
		return;
	free(td->family);
	free(td->os_family);
	free(td->cpu_arch);
	free(td->host_ports_tcp);
	free(td->host_ports_udp);
	free(td->awsvpc_ports_tcp);
	free(td->awsvpc_ports_udp);
	for (int i = 0; i < td->n_constraints; i++)
		free(td->constraints[i]);
	free(td->constraints);
	for (int i = 0; i < td->n_containers; i++) {
		free(td->containers[i].name);
		free(td->containers[i].image);
		free(td->containers[i].ports);
		free(td->containers[i].deps);
	}
	free(td->containers);
	free(td);
}
