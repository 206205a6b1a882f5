/* models/taskdef_rules.c — the value rules of a task definition as ECS
 * applies them at registration: names, integers and template placeholders
 * (choices B4, B20), task-level sizes ("1 vCPU", "2 GB": B6), the Fargate
 * size table (§1.3, B13), port ranges (B18), the launch-type checks that
 * need the whole definition (B7, B10, B11) and ecsim's EC2-only check (B22).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "models/capacity/fargate.h"
#include "models/taskdef_int.h"
#include "sim/jsonrd.h"

/* Unrendered template syntax (docs/ecs-model.md choice B4): ${X}, {{ x }}, $X, $$$X$$$, <X>. */
int td_starts_placeholder(const char *p)
{
	if (p[0] == '$' && (p[1] == '{' || p[1] == '$' || p[1] == '_' ||
			    isalpha((unsigned char)p[1])))
		return 1;
	if (p[0] == '{' && p[1] == '{')
		return 1;
	if (p[0] == '<') {
		const char *q = strchr(p + 1, '>');

		return q && q > p + 1 && !memchr(p + 1, '<', (size_t)(q - p - 1));
	}
	return 0;
}

int td_has_placeholder(const char *s)
{
	for (const char *p = s; *p; p++) {
		if (td_starts_placeholder(p))
			return 1;
	}
	return 0;
}

/* Family, container, service and capacity provider names (taskdef.h). */
int taskdef_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 255)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '-'))
			return 0;
	return 1;
}

int td_fail_string(const struct jr *c, const char *key, const char *what,
		       const char *s)
{
	if (td_has_placeholder(s))
		return jr_fail(c, key, "template placeholder \"%.80s\" where %s is expected "
			       "(render the template first)", s, what);
	return jr_fail(c, key, "invalid %s \"%.80s\"", what, s);
}

/* An integer member (docs/ecs-model.md choice B4): a JSON number with an integral value in
 * [lo, hi]; a string is refused, as a template placeholder when it looks like
 * one.  *present = 0 and *out = 0 when absent or null (B3). */
int td_get_int(struct jr *c, const char *key, int64_t lo, int64_t hi,
		   int64_t *out, int *present)
{
	const cJSON *v = jr_get(c, key);
	char p[640];

	*out = 0;
	if (present)
		*present = 0;
	if (!v)
		return 0;
	if (cJSON_IsString(v)) {
		if (td_has_placeholder(v->valuestring))
			return jr_fail(c, key, "expected integer in [%lld, %lld], got template "
				       "placeholder \"%.80s\" (render the template first)",
				       (long long)lo, (long long)hi, v->valuestring);
		return jr_fail(c, key, "expected integer in [%lld, %lld], got string \"%.80s\" "
			       "(write the number without quotes)",
			       (long long)lo, (long long)hi, v->valuestring);
	}
	jr_path(c, key, p, sizeof p);
	if (jv_int(v, c->file, p, lo, hi, out, c->e))
		return -1;
	if (present)
		*present = 1;
	return 0;
}

/* Parse a non-negative decimal ("2", "0.5", ".25") as num / 10^scale. */
static const char *parse_decimal(const char *s, int64_t *num, int *scale)
{
	int64_t n = 0;
	int digits = 0, sc = 0;

	while (isdigit((unsigned char)*s)) {
		if (n > 100000000000LL)
			return NULL;
		n = n * 10 + (*s++ - '0');
		digits++;
	}
	if (*s == '.') {
		s++;
		while (isdigit((unsigned char)*s)) {
			if (sc >= 6 || n > 100000000000LL)
				return NULL;
			n = n * 10 + (*s++ - '0');
			sc++;
			digits++;
		}
	}
	if (digits == 0)
		return NULL;
	*num = n;
	*scale = sc;
	return s;
}

/* Task-level cpu or memory (docs/ecs-model.md choice B6): "1024", "1 vCPU", ".25 vcpu",
 * "2 GB", ".5 gb" or a JSON integer; a whole, positive number of units/MiB.
 * `unit` is "vcpu" or "gb"; each unit is 1024 of the base. */
int td_task_size(struct jr *c, const char *key, const char *unit, int64_t *out)
{
	const cJSON *v = jr_get(c, key);
	const char *s, *rest;
	const char *what = strcmp(unit, "vcpu") == 0 ? "cpu units (\"1024\") or vCPU (\"1 vCPU\")"
		: "MiB (\"2048\") or GB (\"2 GB\")";
	int64_t num, mult = 1, pow10 = 1;
	int scale;
	size_t ul = strlen(unit);

	*out = 0;
	if (!v)
		return 0;
	if (cJSON_IsNumber(v)) {
		char p[640];

		jr_path(c, key, p, sizeof p);
		if (jv_int(v, c->file, p, 0, INT32_TOP, out, c->e))
			return -1;
		if (*out == 0)
			return jr_fail(c, key, "must be greater than 0");
		return 0;
	}
	if (!cJSON_IsString(v))
		return jr_fail(c, key, "expected a string of %s, got %s", what, jtype_name(v));
	s = v->valuestring;
	if (td_has_placeholder(s))
		return jr_fail(c, key, "template placeholder \"%.80s\" where %s is expected "
			       "(render the template first)", s, what);
	while (*s == ' ' || *s == '\t')
		s++;
	rest = parse_decimal(s, &num, &scale);
	if (!rest)
		return jr_fail(c, key, "expected %s, got \"%.80s\"", what, v->valuestring);
	while (*rest == ' ' || *rest == '\t')
		rest++;
	if (strncasecmp(rest, unit, ul) == 0) {
		mult = 1024;
		rest += ul;
	}
	while (*rest == ' ' || *rest == '\t')
		rest++;
	if (*rest)
		return jr_fail(c, key, "expected %s, got \"%.80s\"", what, v->valuestring);
	for (int i = 0; i < scale; i++)
		pow10 *= 10;
	if ((num * mult) % pow10 != 0)
		return jr_fail(c, key, "\"%.80s\" is not a whole number of %s", v->valuestring,
			       mult == 1 ? (strcmp(unit, "vcpu") == 0 ? "cpu units" : "MiB")
			       : (strcmp(unit, "vcpu") == 0 ? "cpu units (1 vCPU = 1024)"
				  : "MiB (1 GB = 1024 MiB)"));
	*out = num * mult / pow10;
	if (*out == 0)
		return jr_fail(c, key, "must be greater than 0");
	if (*out > INT32_TOP)
		return jr_fail(c, key, "\"%.80s\" is too large", v->valuestring);
	return 0;
}

/* Fargate task sizes, docs/ecs-model.md §1.3 (choice B13). */
static int fargate_ok(int64_t cpu, int64_t mem)
{
	switch (cpu) {
	case 256:
		return mem == 512 || mem == 1024 || mem == 2048;
	case 512:
		return mem >= 1024 && mem <= 4096 && mem % 1024 == 0;
	case 1024:
		return mem >= 2048 && mem <= 8192 && mem % 1024 == 0;
	case 2048:
		return mem >= 4096 && mem <= 16384 && mem % 1024 == 0;
	case 4096:
		return mem >= 8192 && mem <= 30720 && mem % 1024 == 0;
	case 8192:
		return mem >= 16384 && mem <= 61440 && mem % 4096 == 0;
	case 16384:
		return mem >= 32768 && mem <= 122880 && mem % 8192 == 0;
	default:
		return 0;
	}
}

static const char *fargate_mem_text(int64_t cpu)
{
	switch (cpu) {
	case 256: return "512, 1024 or 2048";
	case 512: return "1024 to 4096 in steps of 1024";
	case 1024: return "2048 to 8192 in steps of 1024";
	case 2048: return "4096 to 16384 in steps of 1024";
	case 4096: return "8192 to 30720 in steps of 1024";
	case 8192: return "16384 to 61440 in steps of 4096";
	case 16384: return "32768 to 122880 in steps of 8192";
	default: return NULL;
	}
}

/* "lo-hi" with 1 <= lo < hi <= 65535 (docs/ecs-model.md choice B18). */
int td_parse_range(const char *s, int *lo, int *hi)
{
	char *end;
	long a, b;

	if (!isdigit((unsigned char)*s))
		return -1;
	a = strtol(s, &end, 10);
	if (*end != '-' || !isdigit((unsigned char)end[1]))
		return -1;
	b = strtol(end + 1, &end, 10);
	if (*end || a < 1 || a >= b || b > 65535)
		return -1;
	*lo = (int)a;
	*hi = (int)b;
	return 0;
}

/* Launch-type checks that need the whole definition (B7, B10, B11, B13). */
int td_check_sizes(struct td_ctx *x, struct jr *c, const char *cpath)
{
	struct taskdef *td = x->td;
	int ec2like = (td->launch & (TD_LAUNCH_EC2 | TD_LAUNCH_EXTERNAL |
				     TD_LAUNCH_MANAGED_INSTANCES)) != 0;
	int64_t sum_cpu = 0, sum_mem = 0;

	if (td->launch & TD_LAUNCH_FARGATE) {   /* B13 */
		const char *allowed;
		char sizes[768];

		if (!td->task_cpu)
			return jr_fail(c, "cpu", "task-level cpu is required on FARGATE");
		if (!td->task_memory_mib)
			return jr_fail(c, "memory", "task-level memory is required on FARGATE");
		allowed = fargate_mem_text(td->task_cpu);
		/* docs/ecs-model.md §1.3: the refusal lists every valid combination */
		fargate_sizes_text(0, sizes, sizeof sizes);
		if (!allowed)
			return jr_fail(c, "cpu", "invalid 'cpu' setting for task: FARGATE offers "
				       "256, 512, 1024, 2048, 4096, 8192 or 16384 cpu units, got %lld; %s",
				       (long long)td->task_cpu, sizes);
		if (!fargate_ok(td->task_cpu, td->task_memory_mib))
			return jr_fail(c, "memory", "invalid 'cpu' setting for task: FARGATE with "
				       "%lld cpu units allows memory %s MiB, got %lld; %s",
				       (long long)td->task_cpu, allowed,
				       (long long)td->task_memory_mib, sizes);
		if (td->windows && td->task_cpu != 1024 && td->task_cpu != 2048 &&
		    td->task_cpu != 4096)
			return jr_fail(c, "cpu", "windows on FARGATE needs 1024, 2048 or 4096 cpu "
				       "units, got %lld", (long long)td->task_cpu);
	}
	if (ec2like && !td->windows && td->task_cpu &&   /* B7 */
	    (td->task_cpu < EC2_CPU_MIN || td->task_cpu > EC2_CPU_MAX))
		return jr_fail(c, "cpu", "task cpu must be %d to %d units on EC2/EXTERNAL, got %lld",
			       EC2_CPU_MIN, EC2_CPU_MAX, (long long)td->task_cpu);
	for (int i = 0; i < td->n_containers; i++) {
		const struct td_container *ct = &td->containers[i];

		sum_cpu += ct->cpu;
		sum_mem += ct->memory_reservation_mib > 0 ? ct->memory_reservation_mib
			: ct->memory_mib;
		/* B10 with the A14 text; Windows ignores task memory (B15) */
		if (ec2like && (!td->task_memory_mib || td->windows) &&
		    ct->memory_mib == 0 && ct->memory_reservation_mib == 0) {
			char p[640];

			td_mkpath(p, sizeof p, "%s[%d]", cpath, i);
			return err_at(x->e, x->file, 0, 0, p, "Invalid setting for container '%s'. "
				      "At least one of 'memory' or 'memoryReservation' must be "
				      "specified.%s", ct->name, td->shape != TD_SHAPE_CONTAINERS ? "" :
				      " A bare container array has no task-level members: if its "
				      "deployment tool declares a task memory (Terraform's `memory`, "
				      "`requires_compatibilities`), give them in the scenario with "
				      "taskDefinitions.NAME.taskLevel (scenarios/README.md, "
				      "\"taskDefinitions\"; docs/ecs-model.md choice B1)");
		}
	}
	if (td->windows && !(td->launch & TD_LAUNCH_FARGATE))
		return 0;
	/* B11: equality allowed */
	if (td->task_cpu && sum_cpu > td->task_cpu)
		return jr_fail(c, "cpu", "containers reserve %lld cpu units in total, more than "
			       "the task cpu %lld", (long long)sum_cpu, (long long)td->task_cpu);
	if (td->task_memory_mib && sum_mem > td->task_memory_mib)
		return jr_fail(c, "memory", "containers reserve %lld MiB in total, more than the "
			       "task memory %lld MiB", (long long)sum_mem,
			       (long long)td->task_memory_mib);
	return 0;
}

int taskdef_check_ec2(const struct taskdef *td, const char *file, struct err *e)
{
	static const struct { unsigned bit; const char *name; } types[] = {
		{ TD_LAUNCH_EC2, "EC2" }, { TD_LAUNCH_FARGATE, "FARGATE" },
		{ TD_LAUNCH_EXTERNAL, "EXTERNAL" }, { TD_LAUNCH_MANAGED_INSTANCES, "MANAGED_INSTANCES" } };
	char list[80] = "";

	if (td->launch & TD_LAUNCH_EC2)
		return 0;
	for (size_t k = 0; k < sizeof types / sizeof types[0]; k++)
		if (td->launch & types[k].bit)
			snprintf(list + strlen(list), sizeof list - strlen(list), "%s\"%s\"",
				 list[0] ? ", " : "", types[k].name);
	return err_at(e, file, 0, 0, "requiresCompatibilities",
		      "task definition '%s' requires [%s], not EC2: ECS does not launch it on "
		      "EC2 instances; %s", td->family ? td->family : "?", list,
		      (td->launch & TD_LAUNCH_FARGATE)
		      ? "a scenario runs its tasks on Fargate"
		      : "ecsim models EC2 and Fargate capacity only; add \"EC2\" to "
			"requiresCompatibilities to simulate it on EC2");
}
