/* fuzz/fz_cql.c — a cluster query language expression: parse, then
 * evaluate on two fixed instances. */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "models/placement/cql.h"

struct inst {
	const char *type, *az, *id, *version;
	int connected;
	int64_t at, running;
	const char *groups[2];
	int n_groups;
};

static int attribute(const void *p, const char *name, const char **value)
{
	const struct inst *i = p;

	if (strcmp(name, "ecs.instance-type") == 0)
		*value = i->type;
	else if (strcmp(name, "ecs.availability-zone") == 0)
		*value = i->az;
	else if (strcmp(name, "flag") == 0)
		*value = NULL;
	else
		return 0;
	return 1;
}

static const char *instance_id(const void *p) { return ((const struct inst *)p)->id; }
static const char *ec2_id(const void *p) { (void)p; return "i-0123456789abcdef0"; }
static int connected(const void *p) { return ((const struct inst *)p)->connected; }
static const char *version(const void *p) { return ((const struct inst *)p)->version; }
static int64_t registered(const void *p) { return ((const struct inst *)p)->at; }
static int64_t running(const void *p) { return ((const struct inst *)p)->running; }

static int groups(const void *p, const char *const **g)
{
	const struct inst *i = p;

	*g = i->groups;
	return i->n_groups;
}

static const struct cql_view view = {
	attribute, instance_id, ec2_id, connected, version, registered, running, groups,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct inst insts[2] = {
		{ "m5.large", "us-east-1a", "ci-00001", "1.86.0", 1, 1518566400000LL, 3,
		  { "service:web", "family:batch" }, 2 },
		{ "c5.xlarge", "us-east-1b", "ci-00002", NULL, 0, 0, 0, { NULL, NULL }, 0 },
	};
	char err[256];
	int col;
	char *text = malloc(size + 1);
	struct cql_expr *x;

	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	x = cql_parse(text, &col, err, sizeof err);
	if (x) {
		cql_eval(x, &view, &insts[0]);
		cql_eval(x, &view, &insts[1]);
		cql_is_dynamic(x);
		cql_free(x);
	}
	free(text);
	return 0;
}
