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
 */
#include "taskdef.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "models/placement/cql.h"
#include "sim/jsonrd.h"
#include "sim/mem.h"

#define INT32_TOP 2147483647LL
#define MAX_CONTAINERS 10
#define MAX_CONSTRAINTS 10
#define MAX_RANGES 100
#define EC2_CPU_MIN 128
#define EC2_CPU_MAX 196608
#define MIN_CONTAINER_MIB 6

/* Loader state: the file for messages, the error record, the result. */
struct ctx {
	const char *file;
	struct err *e;
	struct taskdef *td;
	/* static ports collected over all containers (B16, B17) */
	uint16_t *ports[2][2];     /* [awsvpc][udp] */
	int n_ports[2][2];
	size_t cap_ports[2][2];
};

static void mkpath(char *buf, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void mkpath(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, n, fmt, ap);
	va_end(ap);
}

/* Unrendered template syntax (docs/ecs-model.md choice B4): ${X}, {{ x }}, $X, $$$X$$$, <X>. */
static int starts_placeholder(const char *p)
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

static int has_placeholder(const char *s)
{
	for (const char *p = s; *p; p++) {
		if (starts_placeholder(p))
			return 1;
	}
	return 0;
}

/* Family and container names: 1..255 of letters, digits, '_', '-' (docs/ecs-model.md §1.1, §1.4). */
static int valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 255)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (!isalnum(ch) && ch != '_' && ch != '-')
			return 0;
	}
	return 1;
}

static int fail_string(const struct jr *c, const char *key, const char *what,
		       const char *s)
{
	if (has_placeholder(s))
		return jr_fail(c, key, "template placeholder \"%.80s\" where %s is expected "
			       "(render the template first)", s, what);
	return jr_fail(c, key, "invalid %s \"%.80s\"", what, s);
}

/* An integer member (docs/ecs-model.md choice B4): a JSON number with an integral value in
 * [lo, hi]; a string is refused, as a template placeholder when it looks like
 * one.  *present = 0 and *out = 0 when absent or null (B3). */
static int get_int(struct jr *c, const char *key, int64_t lo, int64_t hi,
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
		if (has_placeholder(v->valuestring))
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
static int task_size(struct jr *c, const char *key, const char *unit, int64_t *out)
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
	if (has_placeholder(s))
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

static int add_static_port(struct ctx *x, const char *path, int awsvpc, int udp, int port)
{
	uint16_t **arr = &x->ports[awsvpc][udp];
	int *n = &x->n_ports[awsvpc][udp];

	for (int i = 0; i < *n; i++) {
		if ((*arr)[i] == port)   /* docs/ecs-model.md choice B16: the task could never start */
			return err_at(x->e, x->file, 0, 0, path,
				      "%s port %d is mapped twice in this task definition "
				      "(the task could never start)", udp ? "udp" : "tcp", port);
	}
	XGROW(*arr, x->cap_ports[awsvpc][udp], (size_t)*n + 1);
	(*arr)[(*n)++] = (uint16_t)port;
	return 0;
}

/* "lo-hi" with 1 <= lo < hi <= 65535 (docs/ecs-model.md choice B18). */
static int parse_range(const char *s, int *lo, int *hi)
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

/* One portMappings entry (docs/ecs-model.md §1.8, choices B16–B18). */
static int read_port(struct ctx *x, const cJSON *v, const char *path, struct td_port *p,
		     int *n_ranges)
{
	struct taskdef *td = x->td;
	struct jr c;
	const char *proto, *range;
	int64_t cport, hport;
	int has_c, has_h;

	if (jr_open(&c, v, x->file, path, x->e))
		return -1;
	if (jr_opt_str(&c, "protocol", "tcp", &proto))
		return -1;
	if (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0)
		return fail_string(&c, "protocol", "protocol (\"tcp\" or \"udp\", lower case)", proto);
	p->udp = strcmp(proto, "udp") == 0;
	if (get_int(&c, "containerPort", 0, 65535, &cport, &has_c) ||
	    get_int(&c, "hostPort", 0, 65535, &hport, &has_h))
		return -1;
	if (jr_opt_str(&c, "containerPortRange", NULL, &range))
		return -1;
	p->container_port = (int)cport;
	p->host_port = has_h ? (int)hport : -1;
	p->range_lo = p->range_hi = 0;
	if (range) {
		if (td->netmode != TD_NET_BRIDGE && td->netmode != TD_NET_AWSVPC &&
		    td->netmode != TD_NET_DEFAULT)
			return jr_fail(&c, "containerPortRange", "only allowed in bridge or awsvpc "
				       "network mode, not %s", td_netmode_name(td->netmode));
		if (has_c || has_h)
			return jr_fail(&c, "containerPortRange", "cannot be combined with "
				       "containerPort or hostPort");
		if (parse_range(range, &p->range_lo, &p->range_hi))
			return has_placeholder(range)
				? fail_string(&c, "containerPortRange", "a port range", range)
				: jr_fail(&c, "containerPortRange", "expected \"LO-HI\" with "
					  "1 <= LO < HI <= 65535, got \"%.80s\"", range);
		if (++*n_ranges > MAX_RANGES)
			return jr_fail(&c, "containerPortRange", "at most %d port ranges per "
				       "container", MAX_RANGES);
		if (td->netmode != TD_NET_AWSVPC)   /* B18: each port is a dynamic host port */
			td->dynamic_ports += p->range_hi - p->range_lo + 1;
		return 0;
	}
	if (!has_c)
		return jr_fail(&c, "containerPort", "required member is missing "
			       "(or give containerPortRange)");
	switch (td->netmode) {
	case TD_NET_BRIDGE:
	case TD_NET_DEFAULT:      /* B14: default is treated like bridge */
		if (!has_h || hport == 0) {
			td->dynamic_ports++;
			return 0;
		}
		return add_static_port(x, path, 0, p->udp, (int)hport);
	case TD_NET_HOST:
	case TD_NET_AWSVPC:
		if (cport == 0)
			return jr_fail(&c, "containerPort", "must be greater than 0 in %s network mode",
				       td_netmode_name(td->netmode));
		if (has_h && hport != cport)
			return jr_fail(&c, "hostPort", "must be absent or equal to containerPort "
				       "(%lld) in %s network mode, got %lld", (long long)cport,
				       td_netmode_name(td->netmode), (long long)hport);
		return add_static_port(x, path, td->netmode == TD_NET_AWSVPC, p->udp, (int)cport);
	case TD_NET_NONE:
		break;
	}
	return 0;
}

static int read_health_check(struct jr *cc, const cJSON *hc)
{
	struct jr c;
	const cJSON *cmd, *first;
	int64_t v;

	if (jr_open(&c, hc, cc->file, "", cc->e))
		return -1;
	jr_path(cc, "healthCheck", c.path, sizeof c.path);
	if (jr_req_array(&c, "command", &cmd))
		return -1;
	first = cmd->child;
	if (!first)
		return jr_fail(&c, "command", "must not be empty");
	for (const cJSON *a = first; a; a = a->next) {
		if (!cJSON_IsString(a))
			return jr_fail(&c, "command", "expected an array of strings, found %s",
				       jtype_name(a));
	}
	if (strcmp(first->valuestring, "CMD") != 0 && strcmp(first->valuestring, "CMD-SHELL") != 0)
		return jr_fail(&c, "command", "must start with \"CMD\" or \"CMD-SHELL\", got \"%.80s\"",
			       first->valuestring);
	if (get_int(&c, "interval", 5, 300, &v, NULL) ||
	    get_int(&c, "timeout", 2, 60, &v, NULL) ||
	    get_int(&c, "retries", 1, 10, &v, NULL) ||
	    get_int(&c, "startPeriod", 0, 300, &v, NULL))
		return -1;
	return 0;
}

static int read_restart_policy(struct jr *cc, const cJSON *rp)
{
	struct jr c;
	const cJSON *codes;
	int64_t v;
	int enabled;

	if (jr_open(&c, rp, cc->file, "", cc->e))
		return -1;
	jr_path(cc, "restartPolicy", c.path, sizeof c.path);
	if (jr_opt_bool(&c, "enabled", 0, &enabled) ||
	    get_int(&c, "restartAttemptPeriod", 60, 1800, &v, NULL) ||
	    jr_opt_array(&c, "ignoredExitCodes", &codes))
		return -1;
	if (codes && cJSON_GetArraySize(codes) > 50)
		return jr_fail(&c, "ignoredExitCodes", "at most 50 exit codes, got %d",
			       cJSON_GetArraySize(codes));
	return 0;
}

/* resourceRequirements: GPU values are whole numbers >= 1 (docs/ecs-model.md choice B19). */
static int read_resources(struct jr *cc, const cJSON *arr, int64_t *gpu)
{
	int i = 0;

	for (const cJSON *r = arr->child; r; r = r->next, i++) {
		struct jr c;
		char p[640];
		const char *type;
		const cJSON *val;
		int64_t n = 0;

		jr_path(cc, "resourceRequirements", p, sizeof p);
		mkpath(p + strlen(p), sizeof p - strlen(p), "[%d]", i);
		if (jr_open(&c, r, cc->file, p, cc->e) || jr_req_str(&c, "type", &type))
			return -1;
		if (strcmp(type, "GPU") != 0)
			continue;
		val = jr_get(&c, "value");
		if (!val)
			return jr_fail(&c, "value", "required member is missing");
		if (cJSON_IsString(val)) {
			const char *s = val->valuestring;
			char *end;
			long long k = strtoll(s, &end, 10);

			if (!isdigit((unsigned char)*s) || *end || k < 1 || k > INT32_TOP)
				return has_placeholder(s)
					? fail_string(&c, "value", "a GPU count", s)
					: jr_fail(&c, "value", "expected a whole number of GPUs >= 1, "
						  "got \"%.80s\"", s);
			n = k;
		} else if (get_int(&c, "value", 1, INT32_TOP, &n, NULL)) {
			return -1;
		}
		*gpu += n;
	}
	return 0;
}

/* Pass 1 over one container definition (docs/ecs-model.md §1.4, choice B19). */
static int read_container(struct ctx *x, const cJSON *v, const char *path,
			  struct td_container *ct)
{
	struct taskdef *td = x->td;
	struct jr c;
	const cJSON *name, *ports, *links, *hc, *rp, *rr;
	const char *image;
	int present, n_ranges = 0;
	int64_t t;

	ct->stop_timeout_s = ct->start_timeout_s = -1;
	ct->essential = 1;
	if (jr_open(&c, v, x->file, path, x->e))
		return -1;
	name = jr_get(&c, "name");
	if (!name)
		return jr_fail(&c, "name", "required member is missing");
	if (!cJSON_IsString(name))
		return jr_fail(&c, "name", "expected string, got %s", jtype_name(name));
	if (!valid_name(name->valuestring))
		return has_placeholder(name->valuestring)
			? fail_string(&c, "name", "a container name", name->valuestring)
			: jr_fail(&c, "name", "invalid container name \"%.80s\": 1 to 255 letters, "
				  "digits, '_' or '-'", name->valuestring);
	ct->name = xstrdup(name->valuestring);
	if (jr_opt_str(&c, "image", NULL, &image))
		return -1;
	if (image) {
		if (strlen(image) > 255 && !strstr(image, "@sha256:"))
			return jr_fail(&c, "image", "longer than 255 characters");
		ct->image = xstrdup(image);
	}
	if (jr_opt_bool(&c, "essential", 1, &ct->essential))
		return -1;
	if (get_int(&c, "cpu", 0, INT32_TOP, &ct->cpu, NULL) ||
	    get_int(&c, "memory", 0, INT32_TOP, &ct->memory_mib, NULL) ||
	    get_int(&c, "memoryReservation", 0, INT32_TOP, &ct->memory_reservation_mib, NULL))
		return -1;
	/* docs/ecs-model.md choice B9: 6 MiB minimum, 0 = not given */
	if (ct->memory_mib > 0 && ct->memory_mib < MIN_CONTAINER_MIB)
		return jr_fail(&c, "memory", "%lld MiB is below the %d MiB minimum of a container",
			       (long long)ct->memory_mib, MIN_CONTAINER_MIB);
	if (ct->memory_reservation_mib > 0 && ct->memory_reservation_mib < MIN_CONTAINER_MIB)
		return jr_fail(&c, "memoryReservation", "%lld MiB is below the %d MiB minimum of "
			       "a container", (long long)ct->memory_reservation_mib, MIN_CONTAINER_MIB);
	/* docs/ecs-model.md choice B8: equal values are accepted */
	if (ct->memory_mib > 0 && ct->memory_reservation_mib > ct->memory_mib)
		return jr_fail(&c, "memoryReservation", "%lld MiB is above the hard limit "
			       "'memory' (%lld MiB)", (long long)ct->memory_reservation_mib,
			       (long long)ct->memory_mib);

	if (jr_opt_array(&c, "portMappings", &ports))
		return -1;
	if (ports && ports->child) {
		int i = 0;

		if (td->netmode == TD_NET_NONE)   /* docs/ecs-model.md §1.7 */
			return jr_fail(&c, "portMappings", "not allowed in none network mode");
		ct->n_ports = cJSON_GetArraySize(ports);
		ct->ports = xcalloc((size_t)ct->n_ports, sizeof *ct->ports);
		for (const cJSON *pm = ports->child; pm; pm = pm->next, i++) {
			char p[640];

			jr_path(&c, "portMappings", p, sizeof p);
			mkpath(p + strlen(p), sizeof p - strlen(p), "[%d]", i);
			if (read_port(x, pm, p, &ct->ports[i], &n_ranges))
				return -1;
			/* docs/ecs-model.md §1.8: one container port cannot be exposed as tcp and udp */
			for (int k = 0; k < i; k++) {
				const struct td_port *a = &ct->ports[k], *b = &ct->ports[i];

				if (a->udp != b->udp && a->container_port > 0 &&
				    a->container_port == b->container_port)
					return err_at(x->e, x->file, 0, 0, p, "container port %d "
						      "is exposed as both tcp and udp in one "
						      "container", b->container_port);
			}
		}
	}
	if (jr_opt_array(&c, "links", &links))
		return -1;
	if (links && links->child && td->netmode != TD_NET_BRIDGE)
		return jr_fail(&c, "links", "only allowed in bridge network mode, not %s",
			       td_netmode_name(td->netmode));
	if (jr_opt_object(&c, "healthCheck", &hc))
		return -1;
	if (hc) {
		if (read_health_check(&c, hc))
			return -1;
		ct->has_health_check = 1;
	}
	if (jr_opt_object(&c, "restartPolicy", &rp) || (rp && read_restart_policy(&c, rp)))
		return -1;
	if (jr_opt_array(&c, "resourceRequirements", &rr) ||
	    (rr && read_resources(&c, rr, &ct->gpu)))
		return -1;
	if (get_int(&c, "stopTimeout", 0, INT32_TOP, &t, &present))
		return -1;
	if (present) {
		if ((td->launch & TD_LAUNCH_FARGATE) && t > 120)   /* B13 */
			return jr_fail(&c, "stopTimeout", "at most 120 seconds on FARGATE, got %lld",
				       (long long)t);
		ct->stop_timeout_s = (int)t;
	}
	if (get_int(&c, "startTimeout", 0, INT32_TOP, &t, &present))
		return -1;
	if (present) {
		if ((td->launch & TD_LAUNCH_FARGATE) && (t < 2 || t > 120))   /* B13 */
			return jr_fail(&c, "startTimeout", "must be 2 to 120 seconds on FARGATE, "
				       "got %lld", (long long)t);
		ct->start_timeout_s = (int)t;
	}
	return 0;
}

static const struct td_container *find_container(const struct taskdef *td, const char *name)
{
	for (int i = 0; i < td->n_containers; i++) {
		if (td->containers[i].name && strcmp(td->containers[i].name, name) == 0)
			return &td->containers[i];
	}
	return NULL;
}

/* Pass 2: links and dependsOn name other containers (docs/ecs-model.md choice B19). */
static int read_references(struct ctx *x, const cJSON *v, const char *path,
			   const struct td_container *self)
{
	struct jr c;
	const cJSON *links, *deps;
	int i = 0;

	if (jr_open(&c, v, x->file, path, x->e) || jr_opt_array(&c, "links", &links) ||
	    jr_opt_array(&c, "dependsOn", &deps))
		return -1;
	for (const cJSON *l = links ? links->child : NULL; l; l = l->next, i++) {
		char p[640], target[256];
		const char *s;
		size_t n;

		jr_path(&c, "links", p, sizeof p);
		mkpath(p + strlen(p), sizeof p - strlen(p), "[%d]", i);
		if (jv_str(l, x->file, p, &s, x->e))
			return -1;
		n = strcspn(s, ":");
		if (n >= sizeof target)
			n = sizeof target - 1;
		memcpy(target, s, n);
		target[n] = '\0';
		if (strcmp(target, self->name) == 0 || !find_container(x->td, target))
			return err_at(x->e, x->file, 0, 0, p, "link \"%.80s\" names no other "
				      "container of this task definition", s);
	}
	i = 0;
	for (const cJSON *d = deps ? deps->child : NULL; d; d = d->next, i++) {
		struct jr dc;
		char p[640];
		const char *target, *cond;
		const struct td_container *t;

		jr_path(&c, "dependsOn", p, sizeof p);
		mkpath(p + strlen(p), sizeof p - strlen(p), "[%d]", i);
		if (jr_open(&dc, d, x->file, p, x->e) ||
		    jr_req_str(&dc, "containerName", &target) ||
		    jr_req_str(&dc, "condition", &cond))
			return -1;
		t = find_container(x->td, target);
		if (!t || t == self)
			return jr_fail(&dc, "containerName", "\"%.80s\" names no other container "
				       "of this task definition", target);
		if (strcmp(cond, "START") != 0 && strcmp(cond, "COMPLETE") != 0 &&
		    strcmp(cond, "SUCCESS") != 0 && strcmp(cond, "HEALTHY") != 0)
			return jr_fail(&dc, "condition", "expected START, COMPLETE, SUCCESS or "
				       "HEALTHY, got \"%.80s\"", cond);
		if ((strcmp(cond, "COMPLETE") == 0 || strcmp(cond, "SUCCESS") == 0) && t->essential)
			return jr_fail(&dc, "condition", "%s cannot target the essential container "
				       "\"%.80s\"", cond, target);
	}
	return 0;
}

static int read_launch(struct ctx *x, struct jr *c)
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
		mkpath(p + strlen(p), sizeof p - strlen(p), "[%d]", i);
		if (jv_str(a, x->file, p, &s, x->e))
			return -1;
		for (size_t k = 0; k < sizeof types / sizeof types[0]; k++) {
			if (strcmp(s, types[k].name) == 0)
				bit = types[k].bit;
		}
		if (!bit) {
			if (has_placeholder(s))
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

static int read_platform(struct ctx *x, struct jr *c)
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
			return fail_string(&r, "cpuArchitecture",
					   "cpu architecture (X86_64 or ARM64)", arch);
		x->td->cpu_arch = xstrdup(arch);
	}
	if (os) {
		static const char *const fams[] = {
			"LINUX", "WINDOWS_SERVER_2016_FULL", "WINDOWS_SERVER_2019_FULL",
			"WINDOWS_SERVER_2019_CORE", "WINDOWS_SERVER_2022_FULL",
			"WINDOWS_SERVER_2022_CORE", "WINDOWS_SERVER_2025_FULL",
			"WINDOWS_SERVER_2025_CORE", "WINDOWS_SERVER_2004_CORE",
			"WINDOWS_SERVER_20H2_CORE",
		};
		int ok = 0;

		for (size_t k = 0; k < sizeof fams / sizeof fams[0]; k++)
			ok |= strcmp(os, fams[k]) == 0;
		if (!ok)
			return fail_string(&r, "operatingSystemFamily",
					   "operating system family (LINUX or WINDOWS_SERVER_*)", os);
		x->td->os_family = xstrdup(os);
		x->td->windows = strncmp(os, "WINDOWS_", 8) == 0;   /* B15 */
	}
	return 0;
}

static int read_netmode(struct ctx *x, struct jr *c)
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
	return fail_string(c, "networkMode",
			   "network mode (bridge, host, awsvpc, none or default)", s);
}

static int read_constraints(struct ctx *x, struct jr *c)
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
		mkpath(p + strlen(p), sizeof p - strlen(p), "[%d]", i);
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

static int cmp_u16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static void take_ports(struct ctx *x, int awsvpc, int udp, uint16_t **out, int *n)
{
	*out = x->ports[awsvpc][udp];
	*n = x->n_ports[awsvpc][udp];
	x->ports[awsvpc][udp] = NULL;
	if (*n > 1)
		qsort(*out, (size_t)*n, sizeof **out, cmp_u16);
}

/* Launch-type checks that need the whole definition (B7, B10, B11, B13). */
static int check_sizes(struct ctx *x, struct jr *c, const char *cpath)
{
	struct taskdef *td = x->td;
	int ec2like = (td->launch & (TD_LAUNCH_EC2 | TD_LAUNCH_EXTERNAL |
				     TD_LAUNCH_MANAGED_INSTANCES)) != 0;
	int64_t sum_cpu = 0, sum_mem = 0;

	if (td->launch & TD_LAUNCH_FARGATE) {   /* B13 */
		const char *allowed;

		if (!td->task_cpu)
			return jr_fail(c, "cpu", "task-level cpu is required on FARGATE");
		if (!td->task_memory_mib)
			return jr_fail(c, "memory", "task-level memory is required on FARGATE");
		allowed = fargate_mem_text(td->task_cpu);
		if (!allowed)
			return jr_fail(c, "cpu", "invalid 'cpu' setting for task: FARGATE offers "
				       "256, 512, 1024, 2048, 4096, 8192 or 16384 cpu units, got %lld",
				       (long long)td->task_cpu);
		if (!fargate_ok(td->task_cpu, td->task_memory_mib))
			return jr_fail(c, "memory", "invalid 'cpu' setting for task: FARGATE with "
				       "%lld cpu units allows memory %s MiB, got %lld",
				       (long long)td->task_cpu, allowed,
				       (long long)td->task_memory_mib);
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

			mkpath(p, sizeof p, "%s[%d]", cpath, i);
			return err_at(x->e, x->file, 0, 0, p, "Invalid setting for container '%s'. "
				      "At least one of 'memory' or 'memoryReservation' must be "
				      "specified.", ct->name);
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

/* The containerDefinitions array (or the bare array of B1). */
static int read_containers(struct ctx *x, const cJSON *arr, const char *cpath)
{
	struct taskdef *td = x->td;
	int n = cJSON_GetArraySize(arr), i = 0;

	if (n == 0)
		return err_at(x->e, x->file, 0, 0, cpath, "at least one container definition "
			      "is required");
	if (n > MAX_CONTAINERS)   /* docs/ecs-model.md §1.1, B19 */
		return err_at(x->e, x->file, 0, 0, cpath, "at most %d container definitions, "
			      "got %d", MAX_CONTAINERS, n);
	td->containers = xcalloc((size_t)n, sizeof *td->containers);
	for (const cJSON *v = arr->child; v; v = v->next, i++) {
		char p[640];

		mkpath(p, sizeof p, "%s[%d]", cpath, i);
		td->n_containers = i + 1;
		if (read_container(x, v, p, &td->containers[i]))
			return -1;
		for (int k = 0; k < i; k++) {
			if (strcmp(td->containers[k].name, td->containers[i].name) == 0)
				return err_at(x->e, x->file, 0, 0, p, "duplicate container name "
					      "\"%s\" (also %s[%d])", td->containers[i].name,
					      cpath, k);
		}
		if (td->containers[i].essential)
			td->n_essential++;
	}
	i = 0;
	for (const cJSON *v = arr->child; v; v = v->next, i++) {
		char p[640];

		mkpath(p, sizeof p, "%s[%d]", cpath, i);
		if (read_references(x, v, p, &td->containers[i]))
			return -1;
	}
	if (td->n_essential == 0)   /* docs/ecs-model.md §1.1 */
		return err_at(x->e, x->file, 0, 0, cpath, "no essential container: at least "
			      "one container must be essential");
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

static void finish_cost(struct ctx *x)
{
	struct taskdef *td = x->td;
	int64_t cpu = 0, mem = 0;

	td->stop_timeout_s = -1;
	for (int i = 0; i < td->n_containers; i++) {
		const struct td_container *ct = &td->containers[i];

		cpu += ct->cpu;
		mem += ct->memory_reservation_mib > 0 ? ct->memory_reservation_mib : ct->memory_mib;
		td->memory_reservation_mib += ct->memory_reservation_mib;
		td->gpu += ct->gpu;
		if (ct->stop_timeout_s > td->stop_timeout_s)
			td->stop_timeout_s = ct->stop_timeout_s;
	}
	/* docs/ecs-model.md §1.6; Windows uses the container sums (B15) */
	td->cpu_units = td->task_cpu && !td->windows ? td->task_cpu : cpu;
	td->memory_mib = td->task_memory_mib && !td->windows ? td->task_memory_mib : mem;
	td->eni = td->netmode == TD_NET_AWSVPC;
	take_ports(x, 0, 0, &td->host_ports_tcp, &td->n_host_ports_tcp);
	take_ports(x, 0, 1, &td->host_ports_udp, &td->n_host_ports_udp);
	take_ports(x, 1, 0, &td->awsvpc_ports_tcp, &td->n_awsvpc_ports_tcp);
	take_ports(x, 1, 1, &td->awsvpc_ports_udp, &td->n_awsvpc_ports_udp);
}

static int read_family(struct ctx *x, struct jr *c)
{
	const cJSON *f = jr_get(c, "family");
	int64_t rev;

	if (!f)
		return jr_fail(c, "family", "required member is missing");
	if (!cJSON_IsString(f))
		return jr_fail(c, "family", "expected string, got %s", jtype_name(f));
	if (!valid_name(f->valuestring))   /* B20 */
		return has_placeholder(f->valuestring)
			? fail_string(c, "family", "a family name", f->valuestring)
			: jr_fail(c, "family", "invalid family \"%.80s\": 1 to 255 letters, "
				  "digits, '_' or '-'", f->valuestring);
	x->td->family = xstrdup(f->valuestring);
	if (get_int(c, "revision", 1, 1000000, &rev, NULL))
		return -1;
	x->td->revision = (int)rev;
	return 0;
}

/* A RegisterTaskDefinition-style object at `path`. */
static int read_object(struct ctx *x, const cJSON *obj, const char *path)
{
	struct taskdef *td = x->td;
	struct jr c;
	const cJSON *cdefs;
	char cpath[640];

	if (jr_open(&c, obj, x->file, path, x->e) || read_family(x, &c) ||
	    read_launch(x, &c) || read_platform(x, &c) || read_netmode(x, &c) ||
	    task_size(&c, "cpu", "vcpu", &td->task_cpu) ||
	    task_size(&c, "memory", "gb", &td->task_memory_mib) ||
	    jr_req_array(&c, "containerDefinitions", &cdefs))
		return -1;
	jr_path(&c, "containerDefinitions", cpath, sizeof cpath);
	if (read_containers(x, cdefs, cpath) || read_constraints(x, &c) ||
	    check_sizes(x, &c, cpath))
		return -1;
	return 0;
}

struct taskdef *taskdef_from_json(const struct cJSON *root, const char *file,
				  const char *path, const char *family_hint,
				  struct err *e)
{
	struct taskdef *td = xcalloc(1, sizeof *td);
	struct ctx x;
	int rc;

	memset(&x, 0, sizeof x);
	x.file = file;
	x.e = e;
	x.td = td;
	if (!path)
		path = "$";
	td->stop_timeout_s = -1;
	if (cJSON_IsArray(root)) {   /* B1: bare container array */
		td->shape = TD_SHAPE_CONTAINERS;
		td->launch = TD_LAUNCH_EC2;
		td->netmode = TD_NET_BRIDGE;
		td->family = family_hint ? xstrdup(family_hint) : family_from_file(file);
		if (!td->family)
			rc = err_at(e, file, 0, 0, path, "a bare container array needs a family "
				    "name (give one with --family)");
		else if (!valid_name(td->family))
			rc = err_at(e, file, 0, 0, path, "family \"%.80s\" of this bare container "
				    "array (from %s) is not 1 to 255 letters, digits, '_' or '-'; "
				    "give one with --family", td->family,
				    family_hint ? "the scenario" : "the file name");
		else
			rc = read_containers(&x, root, path) ||
				check_sizes(&x, NULL, path);
	} else if (cJSON_IsObject(root)) {
		const cJSON *wrap = cJSON_GetObjectItemCaseSensitive(root, "taskDefinition");
		int has_cd = cJSON_GetObjectItemCaseSensitive(root, "containerDefinitions") != NULL;

		if (wrap && !cJSON_IsNull(wrap) && has_cd) {   /* B1 */
			rc = err_at(e, file, 0, 0, path, "both a top-level 'containerDefinitions' "
				    "(RegisterTaskDefinition input) and a 'taskDefinition' wrapper "
				    "(DescribeTaskDefinition output): give one shape only");
		} else if (wrap && !cJSON_IsNull(wrap)) {
			char p[640];

			mkpath(p, sizeof p, "%s.taskDefinition", path);
			td->shape = TD_SHAPE_DESCRIBE;
			rc = read_object(&x, wrap, p);
		} else {
			td->shape = TD_SHAPE_REGISTER;
			rc = read_object(&x, root, path);
		}
	} else {
		rc = err_at(e, file, 0, 0, path, "expected a task definition object or an array "
			    "of container definitions, got %s", jtype_name(root));
	}
	if (rc == 0)
		finish_cost(&x);
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
			if (starts_placeholder(line + k)) {
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
		      "EC2 instances, and ecsim models EC2 capacity only (the Fargate launch "
		      "type is not modelled yet); add \"EC2\" to requiresCompatibilities to "
		      "simulate it on EC2", td->family ? td->family : "?", list);
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
	}
	free(td->containers);
	free(td);
}

const char *td_netmode_name(enum td_netmode m)
{
	switch (m) {
	case TD_NET_BRIDGE: return "bridge";
	case TD_NET_HOST: return "host";
	case TD_NET_AWSVPC: return "awsvpc";
	case TD_NET_NONE: return "none";
	case TD_NET_DEFAULT: return "default";
	}
	return "?";
}

static cJSON *port_array(const uint16_t *p, int n)
{
	cJSON *a = cJSON_CreateArray();

	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateNumber(p[i]));
	return a;
}

static cJSON *tcp_udp(const uint16_t *tcp, int ntcp, const uint16_t *udp, int nudp)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddItemToObject(o, "tcp", port_array(tcp, ntcp));
	cJSON_AddItemToObject(o, "udp", port_array(udp, nudp));
	return o;
}

static void add_opt_int(cJSON *o, const char *key, long long v, long long none)
{
	if (v == none)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddNumberToObject(o, key, (double)v);
}

static cJSON *container_json(const struct taskdef *td, const struct td_container *ct)
{
	cJSON *o = cJSON_CreateObject(), *ports = cJSON_CreateArray();

	cJSON_AddStringToObject(o, "name", ct->name);
	if (ct->image)
		cJSON_AddStringToObject(o, "image", ct->image);
	else
		cJSON_AddNullToObject(o, "image");
	cJSON_AddBoolToObject(o, "essential", ct->essential);
	cJSON_AddNumberToObject(o, "cpu", (double)ct->cpu);
	cJSON_AddNumberToObject(o, "memory", (double)ct->memory_mib);
	cJSON_AddNumberToObject(o, "memoryReservation", (double)ct->memory_reservation_mib);
	cJSON_AddNumberToObject(o, "gpu", (double)ct->gpu);
	for (int i = 0; i < ct->n_ports; i++) {
		const struct td_port *p = &ct->ports[i];
		cJSON *pj = cJSON_CreateObject();
		const char *kind;

		if (p->range_hi) {
			char r[32];

			snprintf(r, sizeof r, "%d-%d", p->range_lo, p->range_hi);
			cJSON_AddStringToObject(pj, "containerPortRange", r);
			cJSON_AddNullToObject(pj, "containerPort");
		} else {
			cJSON_AddNumberToObject(pj, "containerPort", p->container_port);
		}
		add_opt_int(pj, "hostPort", p->host_port, -1);
		cJSON_AddStringToObject(pj, "protocol", p->udp ? "udp" : "tcp");
		if (td->netmode == TD_NET_AWSVPC)
			kind = p->range_hi ? "awsvpc-range" : "awsvpc";
		else if (td->netmode == TD_NET_HOST)
			kind = "static";
		else
			kind = p->range_hi || p->host_port <= 0 ? "dynamic" : "static";
		cJSON_AddStringToObject(pj, "kind", kind);
		cJSON_AddItemToArray(ports, pj);
	}
	cJSON_AddItemToObject(o, "ports", ports);
	add_opt_int(o, "stopTimeout", ct->stop_timeout_s, -1);
	add_opt_int(o, "startTimeout", ct->start_timeout_s, -1);
	cJSON_AddBoolToObject(o, "healthCheck", ct->has_health_check);
	return o;
}

char *taskdef_to_json(const struct taskdef *td)
{
	static const char *const shapes[] = { "register", "describe", "containers-array" };
	static const struct { unsigned bit; const char *name; } lt[] = {
		{ TD_LAUNCH_EC2, "EC2" }, { TD_LAUNCH_FARGATE, "FARGATE" },
		{ TD_LAUNCH_EXTERNAL, "EXTERNAL" },
		{ TD_LAUNCH_MANAGED_INSTANCES, "MANAGED_INSTANCES" },
	};
	cJSON *o = cJSON_CreateObject(), *a, *rp;
	char *s;

	cJSON_AddStringToObject(o, "family", td->family);
	add_opt_int(o, "revision", td->revision, 0);
	cJSON_AddStringToObject(o, "shape", shapes[td->shape]);
	a = cJSON_AddArrayToObject(o, "launchTypes");
	for (size_t i = 0; i < sizeof lt / sizeof lt[0]; i++) {
		if (td->launch & lt[i].bit)
			cJSON_AddItemToArray(a, cJSON_CreateString(lt[i].name));
	}
	cJSON_AddStringToObject(o, "networkMode", td_netmode_name(td->netmode));
	add_opt_int(o, "taskCpu", td->task_cpu, 0);
	add_opt_int(o, "taskMemory", td->task_memory_mib, 0);
	cJSON_AddNumberToObject(o, "cpu", (double)td->cpu_units);
	cJSON_AddNumberToObject(o, "memory", (double)td->memory_mib);
	cJSON_AddNumberToObject(o, "memoryReservation", (double)td->memory_reservation_mib);
	cJSON_AddNumberToObject(o, "gpu", (double)td->gpu);
	cJSON_AddNumberToObject(o, "eni", td->eni);
	cJSON_AddItemToObject(o, "hostPorts", tcp_udp(td->host_ports_tcp, td->n_host_ports_tcp,
						      td->host_ports_udp, td->n_host_ports_udp));
	cJSON_AddNumberToObject(o, "dynamicPorts", td->dynamic_ports);
	cJSON_AddItemToObject(o, "awsvpcPorts",
			      tcp_udp(td->awsvpc_ports_tcp, td->n_awsvpc_ports_tcp,
				      td->awsvpc_ports_udp, td->n_awsvpc_ports_udp));
	a = cJSON_AddArrayToObject(o, "constraints");
	for (int i = 0; i < td->n_constraints; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(td->constraints[i]));
	if (td->os_family || td->cpu_arch) {
		rp = cJSON_AddObjectToObject(o, "runtimePlatform");
		if (td->os_family)
			cJSON_AddStringToObject(rp, "operatingSystemFamily", td->os_family);
		else
			cJSON_AddNullToObject(rp, "operatingSystemFamily");
		if (td->cpu_arch)
			cJSON_AddStringToObject(rp, "cpuArchitecture", td->cpu_arch);
		else
			cJSON_AddNullToObject(rp, "cpuArchitecture");
	} else {
		cJSON_AddNullToObject(o, "runtimePlatform");
	}
	cJSON_AddBoolToObject(o, "windows", td->windows);
	add_opt_int(o, "stopTimeout", td->stop_timeout_s, -1);
	cJSON_AddNumberToObject(o, "essentialContainers", td->n_essential);
	a = cJSON_AddArrayToObject(o, "containers");
	for (int i = 0; i < td->n_containers; i++)
		cJSON_AddItemToArray(a, container_json(td, &td->containers[i]));
	s = cJSON_Print(o);
	cJSON_Delete(o);
	return s;
}
