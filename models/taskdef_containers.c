/* models/taskdef_containers.c — the containerDefinitions of a task definition
 * (docs/ecs-model.md §1.4, §1.5, §1.8; choices B16–B19): each container's
 * fields, its port mappings (the static ports collected for the whole task),
 * and the references between containers (links, dependsOn).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "models/taskdef_int.h"
#include "sim/jsonrd.h"
#include "sim/mem.h"

static int add_static_port(struct td_ctx *x, const char *path, int awsvpc, int udp, int port)
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

/* One portMappings entry (docs/ecs-model.md §1.8, choices B16–B18). */
static int read_port(struct td_ctx *x, const cJSON *v, const char *path, struct td_port *p,
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
		return td_fail_string(&c, "protocol", "protocol (\"tcp\" or \"udp\", lower case)", proto);
	p->udp = strcmp(proto, "udp") == 0;
	if (td_get_int(&c, "containerPort", 0, 65535, &cport, &has_c) ||
	    td_get_int(&c, "hostPort", 0, 65535, &hport, &has_h))
		return -1;
	if (jr_opt_str(&c, "containerPortRange", NULL, &range))
		return -1;
	p->container_port = (int)cport;
	p->host_port = has_h ? (int)hport : -1;
	p->range_lo = p->range_hi = 0;
	if (range) {
		/* B18: bridge or awsvpc only; B14's "default behaves like bridge for
		 * ports" does not extend to ranges (docs/ecs-model.md §1.8). */
		if (td->netmode != TD_NET_BRIDGE && td->netmode != TD_NET_AWSVPC)
			return jr_fail(&c, "containerPortRange", "only allowed in bridge or awsvpc "
				       "network mode, not %s", td_netmode_name(td->netmode));
		if (has_c || has_h)
			return jr_fail(&c, "containerPortRange", "cannot be combined with "
				       "containerPort or hostPort");
		if (td_parse_range(range, &p->range_lo, &p->range_hi))
			return td_has_placeholder(range)
				? td_fail_string(&c, "containerPortRange", "a port range", range)
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

/* docs/ecs-model.md §1.4, choice B19: ranges and defaults of HealthCheck */
static int read_health_check(struct jr *cc, const cJSON *hc, struct td_container *ct)
{
	struct jr c;
	const cJSON *cmd, *first;
	int64_t interval, timeout, retries, start;
	int has[4];

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
	if (td_get_int(&c, "interval", 5, 300, &interval, &has[0]) ||
	    td_get_int(&c, "timeout", 2, 60, &timeout, &has[1]) ||
	    td_get_int(&c, "retries", 1, 10, &retries, &has[2]) ||
	    td_get_int(&c, "startPeriod", 0, 300, &start, &has[3]))
		return -1;
	if (!has[0])
		interval = 30;
	if (!has[1])
		timeout = 5;
	if (!has[2])
		retries = 3;
	ct->hc_interval_s = (int)interval;
	ct->hc_timeout_s = (int)timeout;
	ct->hc_retries = (int)retries;
	ct->hc_start_period_s = (int)start;
	return 0;
}

static int read_restart_policy(struct jr *cc, const cJSON *rp, struct td_container *ct)
{
	struct jr c;
	const cJSON *codes;
	int64_t v;
	int enabled, present;

	if (jr_open(&c, rp, cc->file, "", cc->e))
		return -1;
	jr_path(cc, "restartPolicy", c.path, sizeof c.path);
	if (jr_opt_bool(&c, "enabled", 0, &enabled) ||
	    td_get_int(&c, "restartAttemptPeriod", 60, 1800, &v, &present) ||
	    jr_opt_array(&c, "ignoredExitCodes", &codes))
		return -1;
	ct->restart_enabled = enabled;
	ct->restart_period_s = present ? (int)v : 300;   /* the API's default */
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
		td_mkpath(p + strlen(p), sizeof p - strlen(p), "[%d]", i);
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
				return td_has_placeholder(s)
					? td_fail_string(&c, "value", "a GPU count", s)
					: jr_fail(&c, "value", "expected a whole number of GPUs >= 1, "
						  "got \"%.80s\"", s);
			n = k;
		} else if (td_get_int(&c, "value", 1, INT32_TOP, &n, NULL)) {
			return -1;
		}
		*gpu += n;
	}
	return 0;
}

/* Pass 1 over one container definition (docs/ecs-model.md §1.4, choice B19). */
static int read_container(struct td_ctx *x, const cJSON *v, const char *path,
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
	if (!taskdef_name_ok(name->valuestring))
		return td_has_placeholder(name->valuestring)
			? td_fail_string(&c, "name", "a container name", name->valuestring)
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
	if (td_get_int(&c, "cpu", 0, INT32_TOP, &ct->cpu, NULL) ||
	    td_get_int(&c, "memory", 0, INT32_TOP, &ct->memory_mib, NULL) ||
	    td_get_int(&c, "memoryReservation", 0, INT32_TOP, &ct->memory_reservation_mib, NULL))
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
			td_mkpath(p + strlen(p), sizeof p - strlen(p), "[%d]", i);
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
		if (read_health_check(&c, hc, ct))
			return -1;
		ct->has_health_check = 1;
	}
	if (jr_opt_object(&c, "restartPolicy", &rp) || (rp && read_restart_policy(&c, rp, ct)))
		return -1;
	if (jr_opt_array(&c, "resourceRequirements", &rr) ||
	    (rr && read_resources(&c, rr, &ct->gpu)))
		return -1;
	if (td_get_int(&c, "stopTimeout", 0, INT32_TOP, &t, &present))
		return -1;
	if (present) {
		if ((td->launch & TD_LAUNCH_FARGATE) && t > 120)   /* B13 */
			return jr_fail(&c, "stopTimeout", "at most 120 seconds on FARGATE, got %lld",
				       (long long)t);
		ct->stop_timeout_s = (int)t;
	}
	if (td_get_int(&c, "startTimeout", 0, INT32_TOP, &t, &present))
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
static int read_references(struct td_ctx *x, const cJSON *v, const char *path,
			   struct td_container *self)
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
		td_mkpath(p + strlen(p), sizeof p - strlen(p), "[%d]", i);
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
		td_mkpath(p + strlen(p), sizeof p - strlen(p), "[%d]", i);
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
		self->deps = xrealloc(self->deps, (size_t)(self->n_deps + 1) * sizeof *self->deps);
		self->deps[self->n_deps].idx = (int)(t - x->td->containers);
		self->deps[self->n_deps++].cond = strcmp(cond, "START") == 0 ? TD_DEP_START
			: strcmp(cond, "COMPLETE") == 0 ? TD_DEP_COMPLETE
			: strcmp(cond, "SUCCESS") == 0 ? TD_DEP_SUCCESS : TD_DEP_HEALTHY;
		x->td->has_deps = 1;
	}
	return 0;
}

/* The containerDefinitions array (or the bare array of B1). */
int td_read_containers(struct td_ctx *x, const cJSON *arr, const char *cpath)
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

		td_mkpath(p, sizeof p, "%s[%d]", cpath, i);
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

		td_mkpath(p, sizeof p, "%s[%d]", cpath, i);
		if (read_references(x, v, p, &td->containers[i]))
			return -1;
	}
	if (td->n_essential == 0)   /* docs/ecs-model.md §1.1 */
		return err_at(x->e, x->file, 0, 0, cpath, "no essential container: at least "
			      "one container must be essential");
	return 0;
}
