/* models/config/cluster.c — the region's Availability Zones and the container
 * instances: $.availabilityZones, $.instanceDefaults, $.instanceTypes and
 * $.instanceGroups (a group's agent settings and faults are read by
 * timing.c and faults.c), and the spec of an instance the run registers.
 * Defaults follow docs/ecs-model.md §2.1 (registered memory) and §7.3
 * (agent settings) and are listed in scenarios/README.md.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/config/sections.h"
#include "models/scenario.h"
#include "models/taskdef.h"
#include "sim/jsonrd.h"
#include "sim/mem.h"

#define MAX_INSTANCES_PER_GROUP 100000
#define MAX_CUSTOM_ATTRS 10        /* docs/ecs-model.md §2.2 */
#define MAX_RESERVED_PORTS 100     /* per instance, TCP and UDP together: choice D3 */

static void settings_free(struct scn_instance_settings *st)
{
	free(st->ami_id);
	free(st->agent_version);
	free(st->os_family);
	free(st->reserved_tcp);
	free(st->reserved_udp);
}

/* A copy of a reserved-port list; NULL stays NULL (the default), an empty
 * list gets a non-NULL one. */
static uint16_t *ports_dup(const uint16_t *p, int n)
{
	uint16_t *q;

	if (!p)
		return NULL;
	q = xcalloc((size_t)n + 1, sizeof *q);
	if (n > 0)
		memcpy(q, p, (size_t)n * sizeof *q);
	return q;
}

static void settings_copy(struct scn_instance_settings *d, const struct scn_instance_settings *s)
{
	*d = *s;
	d->ami_id = xstrdup(s->ami_id);
	d->agent_version = xstrdup(s->agent_version);
	d->os_family = xstrdup(s->os_family);
	d->reserved_tcp = ports_dup(s->reserved_tcp, s->n_reserved_tcp);
	d->reserved_udp = ports_dup(s->reserved_udp, s->n_reserved_udp);
}

/* reservedPorts / reservedPortsUdp (ECS_RESERVED_PORTS / _UDP, docs/ecs-model.md
 * §1.8, choices D2, D3): ports 1-65535, each once, at most 100; the list
 * replaces what *out held. */
static int read_ports(const struct jr *c, const cJSON *arr, const char *key, const char *proto,
		      uint16_t **out, int *n_out, struct err *e)
{
	char base[560], p[600];
	uint16_t *v;
	int k = 0;

	if (cJSON_GetArraySize(arr) > MAX_RESERVED_PORTS)
		return jr_fail(c, key, "at most %d reserved ports per instance (docs/ecs-model.md "
			       "choice D3), got %d", MAX_RESERVED_PORTS, cJSON_GetArraySize(arr));
	jr_path(c, key, base, sizeof base);
	v = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *v);
	for (const cJSON *a = arr->child; a; a = a->next, k++) {
		int64_t port;

		snprintf(p, sizeof p, "%s[%d]", base, k);
		if (jv_int(a, c->file, p, 1, 65535, &port, e)) {
			free(v);
			return -1;
		}
		for (int j = 0; j < k; j++)
			if (v[j] == port) {
				free(v);
				return err_at(e, c->file, 0, 0, p, "%s port %d is listed twice (also at [%d])",
					      proto, (int)port, j);
			}
		v[k] = (uint16_t)port;
	}
	free(*out);
	*out = v;
	*n_out = k;
	return 0;
}

static int valid_attr_name(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 128)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_/\\.", *s))
			return 0;
	return 1;
}

static int valid_attr_value(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 128 || s[0] == ' ' || s[n - 1] == ' ')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_/\\.@: ", *s))
			return 0;
	return 1;
}

/* Attributes set from the instance itself (docs/ecs-model.md choice D1). */
static int builtin_attr(const char *name)
{
	static const char *const b[] = { "ecs.availability-zone", "ecs.instance-type",
		"ecs.os-type", "ecs.os-family", "ecs.cpu-architecture", "ecs.ami-id",
		"ecs.vpc-id", "ecs.subnet-id", "ecs.awsvpc-trunk-id" };

	for (size_t i = 0; i < sizeof b / sizeof b[0]; i++)
		if (strcmp(name, b[i]) == 0)
			return 1;
	return 0;
}

static int read_settings(const cJSON *obj, const char *file, const char *path,
			 const struct scn_instance_settings *dflt,
			 struct scn_instance_settings *out, struct err *e)
{
	struct jr c;
	const char *ami, *agent, *osf;
	const cJSON *rtcp, *rudp;
	int rc, n_tcp;

	settings_copy(out, dflt);
	if (!obj)
		return 0;
	if (jr_open(&c, obj, file, path, e))
		return -1;
	rc = jr_opt_int(&c, "reservedMemoryMiB", dflt->reserved_memory_mib, 0, 1 << 30,
			&out->reserved_memory_mib) ||
	     jr_opt_num(&c, "memoryOsFactor", dflt->memory_os_factor, 0.5, 1.0,
			&out->memory_os_factor) ||
	     jr_opt_str(&c, "amiId", dflt->ami_id, &ami) ||
	     jr_opt_str(&c, "agentVersion", dflt->agent_version, &agent) ||
	     jr_opt_str(&c, "osFamily", dflt->os_family, &osf) ||
	     jr_opt_bool(&c, "taskEniCapability", dflt->task_eni, &out->task_eni) ||
	     jr_opt_bool(&c, "eniTrunking", dflt->trunking, &out->trunking) ||
	     jr_opt_array(&c, "reservedPorts", &rtcp) ||
	     jr_opt_array(&c, "reservedPortsUdp", &rudp) ||
	     jr_end(&c);
	if (rc)
		return -1;
	free(out->ami_id);
	free(out->agent_version);
	free(out->os_family);
	out->ami_id = xstrdup(ami);
	out->agent_version = xstrdup(agent);
	out->os_family = xstrdup(osf);
	/* the families a task definition's runtimePlatform names (§1.11): an
	 * instance of another one (a typo) would match no definition */
	if (!taskdef_os_family_known(osf))
		return jr_fail(&c, "osFamily", "expected one of %s, got \"%s\"", taskdef_os_family_list(), osf);
	if ((rtcp && read_ports(&c, rtcp, "reservedPorts", "tcp", &out->reserved_tcp,
				&out->n_reserved_tcp, e)) ||
	    (rudp && read_ports(&c, rudp, "reservedPortsUdp", "udp", &out->reserved_udp,
				&out->n_reserved_udp, e)))
		return -1;
	/* D3: the instance holds at most 100 reserved ports, TCP and UDP
	 * together, the agent's own included: with more, no task with a port
	 * could ever be placed.  Where neither list is given here, only a
	 * changed osFamily (the default TCP list) can push it over. */
	n_tcp = out->reserved_tcp ? out->n_reserved_tcp
				  : cluster_default_reserved_tcp(strncmp(osf, "WINDOWS", 7) == 0);
	if (n_tcp + out->n_reserved_udp > MAX_RESERVED_PORTS)
		return jr_fail(&c, rudp ? "reservedPortsUdp" : rtcp ? "reservedPorts" : "osFamily",
			       "%d reserved TCP and %d UDP ports%s: at most %d per instance together "
			       "(docs/ecs-model.md choice D3)", n_tcp, out->n_reserved_udp,
			       out->reserved_tcp ? "" : " (the agent's default TCP list)",
			       MAX_RESERVED_PORTS);
	return 0;
}

int cluster_config_read_types(struct scenario *s, const cJSON *arr, struct err *e)
{
	int i = 0;

	if (!arr)
		return 0;
	for (const cJSON *it = arr->child; it; it = it->next, i++) {
		char path[96];
		struct jr c;
		struct catalog_type t = { 0 };
		const char *name, *arch;
		int64_t vcpu, enis, trunk, gpus;
		double mem_gib;

		snprintf(path, sizeof path, "$.instanceTypes[%d]", i);
		if (jr_open(&c, it, s->file, path, e) ||
		    jr_req_str(&c, "name", &name) ||
		    jr_req_int(&c, "vcpu", 1, 4096, &vcpu) ||
		    jr_req_num(&c, "memoryGiB", 0.125, 65536, &mem_gib) ||
		    jr_opt_int(&c, "maxEnis", 2, 1, 1000, &enis) ||
		    jr_opt_int(&c, "trunkTasks", 0, 0, 10000, &trunk) ||
		    jr_opt_str(&c, "architecture", "x86_64", &arch) ||
		    jr_opt_int(&c, "gpus", 0, 0, 64, &gpus) ||
		    jr_end(&c))
			return -1;
		if (strcmp(arch, "x86_64") != 0 && strcmp(arch, "arm64") != 0)
			return jr_fail(&c, "architecture", "expected x86_64 or arm64, got \"%s\"", arch);
		t.name = (char *)name;
		t.vcpu = (int)vcpu;
		t.mem_mib = (int64_t)llround(mem_gib * 1024);
		t.max_enis = (int)enis;
		t.trunk_tasks = (int)trunk;
		t.arch = (char *)arch;
		t.gpus = (int)gpus;
		catalog_put(s->catalog, &t);
	}
	return 0;
}

static int read_attrs(const cJSON *obj, const char *file, const char *path,
		      struct scn_attr **out, int *n_out, struct err *e)
{
	int n = 0;

	*out = NULL;
	*n_out = 0;
	if (!obj)
		return 0;
	if (!cJSON_IsObject(obj))
		return err_at(e, file, 0, 0, path, "expected an object of attribute names to values, got %s",
			      jtype_name(obj));
	*out = xcalloc((size_t)cJSON_GetArraySize(obj) + 1, sizeof **out);
	for (const cJSON *a = obj->child; a; a = a->next) {
		char p[600];

		snprintf(p, sizeof p, "%s.%s", path, a->string);
		if (!valid_attr_name(a->string))
			return err_at(e, file, 0, 0, p,
				      "attribute names are 1-128 letters, digits, '-', '_', '/', '\\', '.'");
		if (builtin_attr(a->string))
			return err_at(e, file, 0, 0, p,
				      "built-in attribute: it is set from the instance itself");
		if (!cJSON_IsNull(a) && !cJSON_IsString(a))
			return err_at(e, file, 0, 0, p, "expected a string or null, got %s", jtype_name(a));
		if (cJSON_IsString(a) && !valid_attr_value(a->valuestring))
			return err_at(e, file, 0, 0, p,
				      "attribute values are 1-128 characters (letters, digits, '-_/\\.@: '), no leading or trailing space");
		if (strncmp(a->string, "ecs.", 4) != 0 && ++n > MAX_CUSTOM_ATTRS)
			return err_at(e, file, 0, 0, path, "at most %d custom attributes per instance",
				      MAX_CUSTOM_ATTRS);
		(*out)[*n_out].name = xstrdup(a->string);
		(*out)[*n_out].value = cJSON_IsString(a) ? xstrdup(a->valuestring) : NULL;
		(*n_out)++;
	}
	return 0;
}

int cluster_config_read_groups(struct scenario *s, const cJSON *arr, struct err *e)
{
	int i = 0;

	if (!arr)
		return 0;
	s->groups = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *s->groups);
	for (const cJSON *it = arr->child; it; it = it->next, i++) {
		char path[96], p2[160];
		struct jr c;
		struct scn_group *g = &s->groups[s->n_groups];
		const char *name, *type, *az;
		const cJSON *attrs, *settings, *fail, *asg, *spot, *disc, *gagent;
		int64_t count;

		snprintf(path, sizeof path, "$.instanceGroups[%d]", i);
		if (jr_open(&c, it, s->file, path, e))
			return -1;
		snprintf(p2, sizeof p2, "group-%d", i + 1);
		if (jr_opt_str(&c, "name", p2, &name) ||
		    jr_req_str(&c, "instanceType", &type) ||
		    jr_req_str(&c, "availabilityZone", &az) ||
		    jr_opt_int(&c, "count", 1, 0, MAX_INSTANCES_PER_GROUP, &count) ||
		    jr_opt_object(&c, "attributes", &attrs) ||
		    jr_opt_object(&c, "settings", &settings) ||
		    jr_opt_object(&c, "failures", &fail) ||
		    jr_opt_object(&c, "autoScaling", &asg) ||
		    jr_opt_object(&c, "spot", &spot) ||
		    jr_opt_object(&c, "agentDisconnects", &disc) ||
		    jr_opt_object(&c, "agent", &gagent) ||
		    jr_end(&c))
			return -1;
		s->n_groups++;
		if (gagent) {
			snprintf(p2, sizeof p2, "%s.agent", path);
			if (agent_config_read_into(s, gagent, p2, &s->timing, &g->timing, &g->own_pull, e))
				return -1;
			g->own_timing = 1;
		}
		if (faults_config_read_group(s, g, path, fail, asg, spot, disc, e))
			return -1;
		g->name = xstrdup(name);
		g->az = xstrdup(az);
		g->count = (int)count;
		g->type = catalog_find(s->catalog, type);
		if (!g->type) {
			char *names = catalog_names(s->catalog);
			int rc = jr_fail(&c, "instanceType", "unknown instance type '%s'; known: %s", type, names);

			free(names);
			return rc;
		}
		if (!scenario_has_az(s, az))
			return jr_fail(&c, "availabilityZone",
				       "'%s' is not one of the scenario's availabilityZones", az);
		snprintf(p2, sizeof p2, "%s.attributes", path);
		if (read_attrs(attrs, s->file, p2, &g->attrs, &g->n_attrs, e))
			return -1;
		snprintf(p2, sizeof p2, "%s.settings", path);
		if (read_settings(settings, s->file, p2, &s->defaults, &g->settings, e))
			return -1;
		/* the agent's start timeout defaults by the group's OS
		 * (docs/ecs-model.md §7.3): settings of its own when it
		 * differs from the scenario's */
		if (g->own_timing)
			timing_os_start_timeout(&g->timing, g->settings.os_family);
		else {
			struct scn_timing t = s->timing;

			timing_os_start_timeout(&t, g->settings.os_family);
			if (t.start_timeout != s->timing.start_timeout) {
				g->timing = t;
				g->own_timing = 1;
			}
		}
		if (scenario_reserved_over(s, g->type, &g->settings) >= 0) {
			int own = settings && cJSON_GetObjectItemCaseSensitive(settings, "reservedMemoryMiB") &&
				  !cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(settings, "reservedMemoryMiB"));

			snprintf(p2, sizeof p2, "%s.settings.reservedMemoryMiB", path);
			return err_at(e, s->file, 0, 0, own ? p2 : "$.instanceDefaults.reservedMemoryMiB",
				      "%lld MiB exceeds the %lld MiB the OS of a %s reports (group '%s'): "
				      "the agent would fail to register it (docs/ecs-model.md §2.1)",
				      (long long)g->settings.reserved_memory_mib,
				      (long long)scenario_reserved_over(s, g->type, &g->settings), g->type->name,
				      g->name);
		}
	}
	return 0;
}

int cluster_config_read_azs(struct scenario *s, const cJSON *arr, struct err *e)
{
	int i = 0;

	if (cJSON_GetArraySize(arr) == 0)
		return err_at(e, s->file, 0, 0, "$.availabilityZones", "needs at least one zone");
	s->azs = xcalloc((size_t)cJSON_GetArraySize(arr), sizeof *s->azs);
	for (const cJSON *a = arr->child; a; a = a->next, i++) {
		char p[64];
		const char *v;

		snprintf(p, sizeof p, "$.availabilityZones[%d]", i);
		if (jv_str(a, s->file, p, &v, e))
			return -1;
		if (strncmp(v, s->region, strlen(s->region)) != 0 || strlen(v) == strlen(s->region))
			return err_at(e, s->file, 0, 0, p,
				      "zone '%s' is not in region '%s' (expected '%s' followed by a letter)",
				      v, s->region, s->region);
		/* after the region, letters, digits and '-' (us-east-1a, a
		 * Local Zone's us-west-2-lax-1a): a zone's name goes quoted
		 * into the pin of an AZ-rebalancing task (models/backplane.c) */
		if (strspn(v + strlen(s->region), "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(v + strlen(s->region)))
			return err_at(e, s->file, 0, 0, p,
				      "zone '%s': after the region, only lower-case letters, digits and '-'", v);
		if (scenario_has_az(s, v))
			return err_at(e, s->file, 0, 0, p, "zone '%s' is listed twice", v);
		s->azs[s->n_azs++] = xstrdup(v);
	}
	return 0;
}

int cluster_config_read_defaults(struct scenario *s, const cJSON *obj, struct err *e)
{
	static const struct scn_instance_settings base = {
		.reserved_memory_mib = 0, .memory_os_factor = 0.975,
		.ami_id = "ami-0ecsim000000000", .agent_version = "1.86.0",
		.os_family = "LINUX", .task_eni = 1, .trunking = 0,
	};

	if (read_settings(obj, s->file, "$.instanceDefaults", &base, &s->defaults, e))
		return -1;
	/* the agent's start timeout defaults by the OS (docs/ecs-model.md §7.3):
	 * the scenario's settings serve the instances of no group */
	timing_os_start_timeout(&s->timing, s->defaults.os_family);
	return 0;
}

void cluster_config_free_azs(struct scenario *s)
{
	for (int i = 0; i < s->n_azs; i++)
		free(s->azs[i]);
	free(s->azs);
}

void cluster_config_free_defaults(struct scenario *s)
{
	settings_free(&s->defaults);
}

void cluster_config_free_groups(struct scenario *s)
{
	for (int i = 0; i < s->n_groups; i++) {
		struct scn_group *g = &s->groups[i];

		free(g->name);
		free(g->az);
		for (int k = 0; k < g->n_attrs; k++) {
			free(g->attrs[k].name);
			free(g->attrs[k].value);
		}
		free(g->attrs);
		settings_free(&g->settings);
		if (g->has_failures)
			dist_free(&g->ttf);
		if (g->has_repair)
			dist_free(&g->ttr);
		if (g->has_spot_rate)
			dist_free(&g->tti);
		if (g->own_pull)
			dist_free(&g->timing.image_pull);
		if (g->has_disconnects) {
			dist_free(&g->disc_ia);
			dist_free(&g->disc_len);
		}
	}
	free(s->groups);
}

/* $.network: the VPC of the instances and one subnet per zone
 * (docs/ecs-model.md §2.2, choice E161): the values of the built-in
 * attributes ecs.vpc-id and ecs.subnet-id. */
int cluster_config_read_network(struct scenario *s, const cJSON *obj, struct err *e)
{
	static const char *const keys[] = { "vpcId", "subnets", NULL };
	struct jr c;
	const char *vpc = "vpc-0ecsim000000000";
	const cJSON *subnets = NULL;

	s->subnet_ids = xcalloc((size_t)s->n_azs + 1, sizeof *s->subnet_ids);
	if (obj) {
		if (jr_open(&c, obj, s->file, "$.network", e) || jr_only(&c, keys) ||
		    jr_opt_str(&c, "vpcId", vpc, &vpc) ||
		    jr_opt_object(&c, "subnets", &subnets) ||
		    jr_end(&c))
			return -1;
		if (!valid_attr_value(vpc))
			return jr_fail(&c, "vpcId",
				       "an attribute value: 1-128 characters (letters, digits, '-_/\\.@: '), no leading or trailing space");
	}
	s->vpc_id = xstrdup(vpc);
	for (const cJSON *a = subnets ? subnets->child : NULL; a; a = a->next) {
		char p[600];
		int k;

		snprintf(p, sizeof p, "$.network.subnets.%s", a->string);
		for (k = 0; k < s->n_azs && strcmp(s->azs[k], a->string) != 0; k++)
			;
		if (k == s->n_azs)
			return err_at(e, s->file, 0, 0, p, "'%s' is not one of the scenario's availabilityZones",
				      a->string);
		if (!cJSON_IsString(a))
			return err_at(e, s->file, 0, 0, p, "expected a string (the zone's subnet id), got %s",
				      jtype_name(a));
		if (!valid_attr_value(a->valuestring))
			return err_at(e, s->file, 0, 0, p,
				      "an attribute value: 1-128 characters (letters, digits, '-_/\\.@: '), no leading or trailing space");
		for (int j = 0; j < s->n_azs; j++)
			if (s->subnet_ids[j] && strcmp(s->subnet_ids[j], a->valuestring) == 0)
				return err_at(e, s->file, 0, 0, p,
					      "subnet '%s' is also given to zone '%s' (a subnet lies in one zone)",
					      a->valuestring, s->azs[j]);
		s->subnet_ids[k] = xstrdup(a->valuestring);
	}
	for (int k = 0; k < s->n_azs; k++) {
		if (!s->subnet_ids[k]) {
			size_t n = strlen(s->azs[k]) + 8;

			s->subnet_ids[k] = xmalloc(n);
			snprintf(s->subnet_ids[k], n, "subnet-%s", s->azs[k]);
			for (int j = 0; j < s->n_azs; j++)
				if (j != k && s->subnet_ids[j] && strcmp(s->subnet_ids[j], s->subnet_ids[k]) == 0)
					return err_at(e, s->file, 0, 0, "$.network.subnets",
						      "subnet '%s' of zone '%s' is also its default subnet of zone '%s'",
						      s->subnet_ids[j], s->azs[j], s->azs[k]);
		}
	}
	return 0;
}

void cluster_config_free_network(struct scenario *s)
{
	for (int k = 0; s->subnet_ids && k < s->n_azs; k++)
		free(s->subnet_ids[k]);
	free(s->subnet_ids);
	free(s->vpc_id);
}

/* "1.28.1" >= "1.28.1"; a version that is not dotted numbers is taken as old. */
static int agent_at_least(const char *v, int a, int b, int c)
{
	int x = 0, y = 0, z = 0;

	if (!v || sscanf(v, "%d.%d.%d", &x, &y, &z) < 2)
		return 0;
	return x != a ? x > a : y != b ? y > b : z >= c;
}

int scenario_trunking(const struct scenario *s, const struct catalog_type *type,
		      const struct scn_instance_settings *st)
{
	if (!st)
		st = &s->defaults;
	/* docs/ecs-model.md §2.5: Linux only, agent ≥ 1.28.1, supported types */
	return st->trunking && type->trunk_tasks > 0 && strcmp(st->os_family, "LINUX") == 0 &&
	       agent_at_least(st->agent_version, 1, 28, 1);
}

int64_t scenario_reserved_over(const struct scenario *s, const struct catalog_type *type,
			       const struct scn_instance_settings *st)
{
	int64_t os_mib;

	if (!st)
		st = &s->defaults;
	os_mib = (int64_t)floor((double)type->mem_mib * st->memory_os_factor);
	return st->reserved_memory_mib > os_mib ? os_mib : -1;
}

void scenario_instance_spec(const struct scenario *s, const struct catalog_type *type,
			    const char *az, const struct scn_attr *attrs, int n_attrs,
			    const struct scn_instance_settings *st,
			    struct instance_spec *spec, struct inst_attr *scratch)
{
	int n = 0;
	int64_t mem;

	if (!st)
		st = &s->defaults;
	/* docs/ecs-model.md §2.1: registered CPU = vCPU × 1024; registered memory =
	 * what the OS reports (nominal × factor) less ECS_RESERVED_MEMORY. */
	mem = (int64_t)floor((double)type->mem_mib * st->memory_os_factor) - st->reserved_memory_mib;
	memset(spec, 0, sizeof *spec);
	spec->instance_type = type->name;
	spec->az = az;
	spec->os_family = st->os_family;
	spec->os_type = strncmp(st->os_family, "WINDOWS", 7) == 0 ? "windows" : "linux";
	spec->cpu_arch = type->arch;
	spec->ami_id = st->ami_id;
	spec->cpu_units = (int64_t)type->vcpu * 1024;
	spec->mem_mib = mem > 0 ? mem : 0;
	spec->gpus = type->gpus;
	/* docs/ecs-model.md choice D4: max ENIs − 1 (primary), or the trunking table */
	spec->eni_tasks = scenario_trunking(s, type, st) ? type->trunk_tasks
							 : (type->max_enis > 0 ? type->max_enis - 1 : 0);
	spec->agent_version = st->agent_version;
	/* §1.8, choice D2: NULL = the agent's defaults by OS */
	spec->reserved_tcp = st->reserved_tcp;
	spec->n_reserved_tcp = st->n_reserved_tcp;
	spec->reserved_udp = st->reserved_udp;
	spec->n_reserved_udp = st->n_reserved_udp;
	if (st->task_eni)
		scratch[n++] = (struct inst_attr){ "ecs.capability.task-eni", NULL };
	/* §2.2, choice E161: the VPC and the zone's subnet ($.network) */
	if (s->vpc_id)
		scratch[n++] = (struct inst_attr){ "ecs.vpc-id", s->vpc_id };
	for (int k = 0; s->subnet_ids && az && k < s->n_azs; k++)
		if (strcmp(s->azs[k], az) == 0)
			scratch[n++] = (struct inst_attr){ "ecs.subnet-id", s->subnet_ids[k] };
	for (int i = 0; i < n_attrs; i++)
		scratch[n++] = (struct inst_attr){ attrs[i].name, attrs[i].value };
	spec->attrs = scratch;
	spec->n_attrs = n;
}
