/* tests/test_cql.c — the cluster query language (models/placement/cql.c;
 * docs/ecs-model.md §4.4, choices A6–A8, C1–C13).
 *
 * Instances are a fake struct read through a struct cql_view.  Most tests
 * are tables: an expression and what it gives on each of three instances,
 * or a bad expression with the column and message it must report.  The
 * randomized suite prints random expression trees to text and checks that
 * the parsed expression evaluates as an independent evaluator of the tree
 * does. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "models/placement/cql.h"
#include "tests/helpers/tutil.h"

#define MAXA 8

struct finst {
	const char *names[MAXA];
	const char *vals[MAXA];    /* NULL: the attribute has no value */
	int nattr;
	const char *id, *ec2;
	int connected;
	const char *version;
	int64_t reg_ms;
	int64_t running;
	const char *groups[4];
	int ngroups;
};

static int f_attribute(const void *inst, const char *name, const char **value)
{
	const struct finst *f = inst;

	for (int i = 0; i < f->nattr; i++) {
		if (strcmp(f->names[i], name) == 0) {
			*value = f->vals[i];
			return 1;
		}
	}
	return 0;
}

static const char *f_id(const void *inst) { return ((const struct finst *)inst)->id; }
static const char *f_ec2(const void *inst) { return ((const struct finst *)inst)->ec2; }
static int f_connected(const void *inst) { return ((const struct finst *)inst)->connected; }
static const char *f_version(const void *inst) { return ((const struct finst *)inst)->version; }
static int64_t f_reg(const void *inst) { return ((const struct finst *)inst)->reg_ms; }
static int64_t f_running(const void *inst) { return ((const struct finst *)inst)->running; }

static int f_groups(const void *inst, const char *const **groups)
{
	const struct finst *f = inst;

	*groups = f->groups;
	return f->ngroups;
}

static const struct cql_view view = {
	f_attribute, f_id, f_ec2, f_connected, f_version, f_reg, f_running, f_groups,
};

/* 2018-02-12T00:00:00Z and 2018-06-18T22:28:28Z in epoch ms. */
#define T_0212 1518393600000LL
#define T_0618 1529360908000LL

/* A: g2.2xlarge in us-east-1a, connected, agent 1.15.0, two groups.
 * B: t2.small in us-east-1d, disconnected, agent 1.14.4, no task.
 * C: xg2.large in us-east-1b, agent unknown, few attributes. */
static const struct finst IA = {
	{ "ecs.instance-type", "ecs.availability-zone", "stack", "num", "ver", "name" },
	{ "g2.2xlarge", "us-east-1a", NULL, "10", "b", "web server" },
	6, "ci-a", "i-abcd1234", 1, "1.15.0", T_0212, 1,
	{ "service:production", "family:web" }, 2,
};
static const struct finst IB = {
	{ "ecs.instance-type", "ecs.availability-zone", "num", "ver", "name" },
	{ "t2.small", "us-east-1d", "9", "a10", "db(1)" },
	5, "ci-b", "i-wxyx7890", 0, "1.14.4", T_0618, 0,
	{ NULL }, 0,
};
static const struct finst IC = {
	{ "ecs.instance-type", "ecs.availability-zone" },
	{ "xg2.large", "us-east-1b" },
	2, "ci-c", "i-0000", 1, NULL, T_0618 + 1, 7,
	{ "database" }, 1,
};

struct ecase {
	const char *expr;
	int want[3];   /* on IA, IB, IC */
};

static void run_cases(const struct ecase *cs, size_t n)
{
	const struct finst *insts[3] = { &IA, &IB, &IC };

	for (size_t i = 0; i < n; i++) {
		int col = -1;
		char err[256];
		struct cql_expr *x = cql_parse(cs[i].expr, &col, err, sizeof err);

		if (!x) {
			char m[512];

			snprintf(m, sizeof m, "parse of \"%s\" failed at %d: %s", cs[i].expr, col, err);
			T_FAIL(m);
			continue;
		}
		for (int k = 0; k < 3; k++) {
			int got = cql_eval(x, &view, insts[k]);

			if (got != cs[i].want[k]) {
				char m[512];

				snprintf(m, sizeof m, "\"%s\" on instance %c: got %d, want %d",
					 cs[i].expr, 'A' + k, got, cs[i].want[k]);
				T_FAIL(m);
			} else {
				CU_PASS(cs[i].expr);
			}
		}
		cql_free(x);
	}
}

#define RUN(cs) run_cases(cs, sizeof cs / sizeof cs[0])

/* docs/ecs-model.md §4.4: every documented example. */
static void test_doc_examples(void)
{
	static const struct ecase cs[] = {
		{ "attribute:ecs.instance-type == t2.small", { 0, 1, 0 } },
		{ "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", { 1, 0, 1 } },
		{ "attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d", { 1, 0, 0 } },
		{ "task:group == service:production", { 1, 0, 0 } },
		{ "not(task:group == database)", { 1, 1, 0 } },
		{ "runningTasksCount == 1", { 1, 0, 0 } },
		{ "agentVersion < 1.14.5", { 0, 1, 0 } },
		{ "registeredAt < 2018-02-13", { 1, 0, 0 } },
		{ "ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", { 1, 1, 0 } },
		{ "attribute:stack exists", { 1, 0, 0 } },
	};

	RUN(cs);
}

/* Every operator and word form on attribute subjects; missing attributes
 * (C5), value-less attributes, numeric vs code-point ordering (C6). */
static void test_attribute_ops(void)
{
	static const struct ecase cs[] = {
		{ "attribute:ecs.instance-type == g2.2xlarge", { 1, 0, 0 } },
		{ "attribute:ecs.instance-type equals g2.2xlarge", { 1, 0, 0 } },
		{ "attribute:ecs.instance-type != g2.2xlarge", { 0, 1, 1 } },
		{ "attribute:ecs.instance-type not_equals g2.2xlarge", { 0, 1, 1 } },
		{ "attribute:num > 9", { 1, 0, 0 } },
		{ "attribute:num greater_than 9", { 1, 0, 0 } },
		{ "attribute:num >= 9", { 1, 1, 0 } },
		{ "attribute:num greater_than_equal 9", { 1, 1, 0 } },
		{ "attribute:num < 10", { 0, 1, 0 } },
		{ "attribute:num less_than 10", { 0, 1, 0 } },
		{ "attribute:num <= 10", { 1, 1, 0 } },
		{ "attribute:num less_than_equal 10", { 1, 1, 0 } },
		{ "attribute:num exists", { 1, 1, 0 } },
		{ "attribute:num !exists", { 0, 0, 1 } },
		{ "attribute:num not_exists", { 0, 0, 1 } },
		{ "attribute:num in [9, 10]", { 1, 1, 0 } },
		{ "attribute:num in 9", { 0, 1, 0 } },
		{ "attribute:num !in [9, 11]", { 1, 0, 1 } },
		{ "attribute:num not_in [9]", { 1, 0, 1 } },
		{ "attribute:num not_in 9", { 1, 0, 1 } },
		{ "attribute:num =~ '1[0-9]'", { 1, 0, 0 } },
		{ "attribute:num matches '[0-9]'", { 0, 1, 0 } },
		{ "attribute:num !~ '[0-9]'", { 1, 0, 1 } },
		{ "attribute:num not_matches '[0-9]+'", { 0, 0, 1 } },
		/* C6: numeric when both sides are decimal numbers. */
		{ "attribute:num > 9.5", { 1, 0, 0 } },
		{ "attribute:num > 09", { 1, 0, 0 } },
		{ "attribute:num < 10.0001", { 1, 1, 0 } },
		{ "attribute:num >= 10.000", { 1, 0, 0 } },
		{ "attribute:num > -11", { 1, 1, 0 } },
		{ "attribute:num == 10.0", { 0, 0, 0 } },        /* == compares strings */
		{ "attribute:num in [10.0, 09]", { 0, 0, 0 } },
		/* ... otherwise by code point: "a10" > "9", "b" > "a10". */
		{ "attribute:num > 9a", { 0, 0, 0 } },
		{ "attribute:ver > a9", { 1, 0, 0 } },
		{ "attribute:ver < a2", { 0, 1, 0 } },
		{ "attribute:ver > 9", { 1, 1, 0 } },
		{ "attribute:ecs.instance-type > t", { 0, 1, 1 } },
		{ "attribute:ecs.instance-type < G", { 0, 0, 0 } },
		/* Case-sensitive string equality. */
		{ "attribute:ecs.instance-type == G2.2XLARGE", { 0, 0, 0 } },
		/* An attribute with no value exists but has no value. */
		{ "attribute:stack !exists", { 0, 1, 1 } },
		{ "attribute:stack == ''", { 0, 0, 0 } },
		{ "attribute:stack != ''", { 1, 1, 1 } },
		{ "attribute:stack =~ .*", { 0, 0, 0 } },
		{ "attribute:stack !~ .*", { 1, 1, 1 } },
		{ "attribute:stack > ''", { 0, 0, 0 } },
		{ "attribute:stack in ['', x]", { 0, 0, 0 } },
		{ "attribute:stack not_in ['', x]", { 1, 1, 1 } },
	};

	RUN(cs);
}

/* docs/ecs-model.md choice C5: a missing attribute under every operator. */
static void test_missing(void)
{
	static const struct ecase cs[] = {
		{ "attribute:nope == x", { 0, 0, 0 } },
		{ "attribute:nope != x", { 1, 1, 1 } },
		{ "attribute:nope > 0", { 0, 0, 0 } },
		{ "attribute:nope >= 0", { 0, 0, 0 } },
		{ "attribute:nope < 0", { 0, 0, 0 } },
		{ "attribute:nope <= 0", { 0, 0, 0 } },
		{ "attribute:nope exists", { 0, 0, 0 } },
		{ "attribute:nope !exists", { 1, 1, 1 } },
		{ "attribute:nope in [x, y]", { 0, 0, 0 } },
		{ "attribute:nope not_in [x, y]", { 1, 1, 1 } },
		{ "attribute:nope =~ .*", { 0, 0, 0 } },
		{ "attribute:nope !~ .*", { 1, 1, 1 } },
		{ "not attribute:nope == x", { 1, 1, 1 } },
		/* Unknown agent version. */
		{ "agentVersion == 1.15", { 1, 0, 0 } },
		{ "agentVersion != 1.15", { 0, 1, 1 } },
		{ "agentVersion > 0", { 1, 1, 0 } },
		{ "agentVersion <= 99", { 1, 1, 0 } },
	};

	RUN(cs);
}

/* The other subjects: agentConnected (C4), agentVersion (C7),
 * ec2InstanceId, instanceId (A7), runningTasksCount (C9), task:group (C10). */
static void test_subjects(void)
{
	static const struct ecase cs[] = {
		{ "agentConnected == true", { 1, 0, 1 } },
		{ "agentConnected equals false", { 0, 1, 0 } },
		{ "agentConnected != true", { 0, 1, 0 } },
		{ "agentConnected not_equals false", { 1, 0, 1 } },
		{ "agentConnected in [true, false]", { 1, 1, 1 } },
		{ "agentConnected in false", { 0, 1, 0 } },
		{ "agentConnected !in [false]", { 1, 0, 1 } },
		{ "agentConnected not_in [true]", { 0, 1, 0 } },
		{ "agentConnected =~ t.*", { 1, 0, 1 } },
		{ "agentConnected matches fal.e", { 0, 1, 0 } },
		{ "agentConnected !~ t.*", { 0, 1, 0 } },
		{ "agentConnected not_matches false", { 1, 0, 1 } },
		{ "agentVersion == 1.15", { 1, 0, 0 } },
		{ "agentVersion equals 1.15.0.0", { 1, 0, 0 } },
		{ "agentVersion != 1.15", { 0, 1, 1 } },
		{ "agentVersion not_equals 1.14.4", { 1, 0, 1 } },
		{ "agentVersion > 1.14.10", { 1, 0, 0 } },
		{ "agentVersion greater_than 1.14.3", { 1, 1, 0 } },
		{ "agentVersion >= 1.14.4", { 1, 1, 0 } },
		{ "agentVersion greater_than_equal 1.15.0", { 1, 0, 0 } },
		{ "agentVersion < 1.15", { 0, 1, 0 } },
		{ "agentVersion less_than 2", { 1, 1, 0 } },
		{ "agentVersion <= 1.14.4", { 0, 1, 0 } },
		{ "agentVersion less_than_equal 1.015", { 1, 1, 0 } },
		{ "agentVersion > 1.9", { 1, 1, 0 } },      /* 14 > 9 part by part */
		{ "ec2InstanceId == i-abcd1234", { 1, 0, 0 } },
		{ "ec2InstanceId equals i-0000", { 0, 0, 1 } },
		{ "ec2InstanceId != i-abcd1234", { 0, 1, 1 } },
		{ "ec2InstanceId not_equals i-abcd1234", { 0, 1, 1 } },
		{ "ec2InstanceId in [i-0000, i-wxyx7890]", { 0, 1, 1 } },
		{ "ec2InstanceId !in [i-0000, i-wxyx7890]", { 1, 0, 0 } },
		{ "ec2InstanceId not_in i-0000", { 1, 1, 0 } },
		{ "ec2InstanceId =~ 'i-[a-z0-9]{8}'", { 1, 1, 0 } },
		{ "ec2InstanceId matches i-0+", { 0, 0, 1 } },
		{ "ec2InstanceId !~ 'i-[a-z]+[0-9]+'", { 0, 0, 1 } },
		{ "ec2InstanceId not_matches i-.*", { 0, 0, 0 } },
		{ "instanceId == ci-a", { 1, 0, 0 } },
		{ "instanceId equals ci-b", { 0, 1, 0 } },
		{ "instanceId != ci-a", { 0, 1, 1 } },
		{ "instanceId not_equals ci-a", { 0, 1, 1 } },
		{ "instanceId in [ci-a, ci-c]", { 1, 0, 1 } },
		{ "instanceId !in [ci-a, ci-c]", { 0, 1, 0 } },
		{ "instanceId not_in [ci-b]", { 1, 0, 1 } },
		{ "instanceId =~ 'ci-[ab]'", { 1, 1, 0 } },
		{ "instanceId matches ci", { 0, 0, 0 } },
		{ "instanceId !~ 'ci-[ab]'", { 0, 0, 1 } },
		{ "instanceId not_matches ci-.", { 0, 0, 0 } },
		{ "runningTasksCount == 0", { 0, 1, 0 } },
		{ "runningTasksCount equals 7", { 0, 0, 1 } },
		{ "runningTasksCount != 0", { 1, 0, 1 } },
		{ "runningTasksCount not_equals 1", { 0, 1, 1 } },
		{ "runningTasksCount > 1", { 0, 0, 1 } },
		{ "runningTasksCount greater_than 0", { 1, 0, 1 } },
		{ "runningTasksCount >= 1", { 1, 0, 1 } },
		{ "runningTasksCount greater_than_equal 7", { 0, 0, 1 } },
		{ "runningTasksCount < 1", { 0, 1, 0 } },
		{ "runningTasksCount less_than 7", { 1, 1, 0 } },
		{ "runningTasksCount <= 1", { 1, 1, 0 } },
		{ "runningTasksCount less_than_equal 10", { 1, 1, 1 } },
		{ "runningTasksCount < 007", { 1, 1, 0 } },
		/* C10: any group; negations are "runs no task of ...". */
		{ "task:group == family:web", { 1, 0, 0 } },
		{ "task:group equals database", { 0, 0, 1 } },
		{ "task:group != service:production", { 0, 1, 1 } },
		{ "task:group not_equals family:web", { 0, 1, 1 } },
		{ "task:group in [database, family:web]", { 1, 0, 1 } },
		{ "task:group !in [database, family:web]", { 0, 1, 0 } },
		{ "task:group not_in database", { 1, 1, 0 } },
		{ "task:group =~ service:.*", { 1, 0, 0 } },
		{ "task:group matches .*", { 1, 0, 1 } },
		{ "task:group !~ service:.*", { 0, 1, 1 } },
		{ "task:group not_matches family:.*", { 0, 1, 1 } },
		{ "task:group != nothing", { 1, 1, 1 } },
		{ "not task:group == database", { 1, 1, 0 } },
	};

	RUN(cs);
}

/* and / or / not, precedence (A6), not and ! (C2), parentheses. */
static void test_logic(void)
{
	static const struct ecase cs[] = {
		/* a or b and c == a or (b and c) */
		{ "instanceId == ci-a or instanceId == ci-b and runningTasksCount > 0", { 1, 0, 0 } },
		{ "(instanceId == ci-a or instanceId == ci-b) and runningTasksCount > 0", { 1, 0, 0 } },
		{ "instanceId == ci-b and runningTasksCount > 0 or instanceId == ci-a", { 1, 0, 0 } },
		{ "instanceId == ci-c or instanceId == ci-b and runningTasksCount == 0", { 0, 1, 1 } },
		{ "(instanceId == ci-c or instanceId == ci-b) and runningTasksCount == 0", { 0, 1, 0 } },
		{ "instanceId == ci-a || instanceId == ci-b && runningTasksCount > 0", { 1, 0, 0 } },
		{ "instanceId == ci-a && instanceId == ci-a", { 1, 0, 0 } },
		{ "instanceId == ci-a and instanceId == ci-b", { 0, 0, 0 } },
		{ "instanceId == ci-a or instanceId == ci-b or instanceId == ci-c", { 1, 1, 1 } },
		/* not binds to one term */
		{ "not instanceId == ci-a and agentConnected == true", { 0, 0, 1 } },
		{ "not (instanceId == ci-a and agentConnected == true)", { 0, 1, 1 } },
		{ "!instanceId == ci-a", { 0, 1, 1 } },
		{ "! instanceId == ci-a", { 0, 1, 1 } },
		{ "!(instanceId == ci-a)", { 0, 1, 1 } },
		{ "not(instanceId == ci-a)", { 0, 1, 1 } },
		{ "!attribute:stack exists", { 0, 1, 1 } },
		{ "!attribute:stack !exists", { 1, 0, 0 } },
		{ "((((instanceId == ci-b))))", { 0, 1, 0 } },
		{ "not ((instanceId == ci-b)) or (instanceId == ci-b)", { 1, 1, 1 } },
	};

	RUN(cs);
}

/* docs/ecs-model.md choices C1, C3: quoting, spaces, parentheses in values, lists. */
static void test_literals(void)
{
	static const struct ecase cs[] = {
		{ "attribute:name == 'web server'", { 1, 0, 0 } },
		{ "attribute:name == \"web server\"", { 1, 0, 0 } },
		{ "attribute:name == 'db(1)'", { 0, 1, 0 } },
		{ "(attribute:name == 'db(1)')", { 0, 1, 0 } },
		{ "attribute:name in ['web server', \"db(1)\"]", { 1, 1, 0 } },
		{ "attribute:name in['web server','db(1)']", { 1, 1, 0 } },
		{ "attribute:name in [ 'x' ]", { 0, 0, 0 } },
		{ "attribute:name == \"it's\"", { 0, 0, 0 } },
		{ "attribute:name =~ 'web .*'", { 1, 0, 0 } },
		{ "attribute:name =~ 'db\\(1\\)'", { 0, 1, 0 } },
		{ "attribute:ecs.instance-type ==\t'g2.2xlarge'\n", { 1, 0, 0 } },
		{ "  attribute:ecs.instance-type   ==   g2.2xlarge  ", { 1, 0, 0 } },
		{ "attribute:ecs.instance-type == 'and'", { 0, 0, 0 } },
		{ "attribute:ecs.instance-type =='g2.2xlarge'", { 1, 0, 0 } },
		{ "task:group in ['service:production']", { 1, 0, 0 } },
		{ "ec2InstanceId in [\"i-abcd1234\", 'i-0000']", { 1, 0, 1 } },
	};

	RUN(cs);
}

/* docs/ecs-model.md choice C11: POSIX ERE applied to the whole value. */
static void test_regex(void)
{
	static const struct ecase cs[] = {
		{ "attribute:ecs.instance-type =~ g2.*", { 1, 0, 0 } },       /* not xg2.large */
		{ "attribute:ecs.instance-type =~ .*g2.*", { 1, 0, 1 } },
		{ "attribute:ecs.instance-type =~ g2", { 0, 0, 0 } },
		{ "attribute:ecs.instance-type =~ '(g2|t2)\\..*'", { 1, 1, 0 } },
		{ "attribute:ecs.instance-type =~ 'g2\\.2xlarge|t2\\.small'", { 1, 1, 0 } },
		{ "attribute:ecs.instance-type =~ '(xg2|g2)\\.(2x)?large'", { 1, 0, 1 } },
		{ "attribute:ecs.instance-type =~ t2.smal", { 0, 0, 0 } },
		{ "attribute:ecs.instance-type !~ g2.*", { 0, 1, 1 } },
		{ "attribute:ecs.availability-zone =~ 'us-east-1[ab]'", { 1, 0, 1 } },
		{ "attribute:ecs.availability-zone =~ '^us-east-1a$'", { 1, 0, 0 } },
	};
	struct finst f = { { "ecs.instance-type" }, { "m5.large" }, 1, "i", "i", 1, "1", 0, 0, { NULL }, 0 };
	static const struct { const char *type; int want; } m[] = {
		{ "c5.large", 1 }, { "m5.large", 1 }, { "r5.large", 0 }, { "c5xlarge", 0 },
		{ "c5.large2", 0 }, { "xc5.large", 0 },
	};
	/* glibc takes an unmatched `)` as a literal: `a)|b` is "a)" or "b",
	 * never a prefix "a". */
	static const struct { const char *pat, *val; int want; } w[] = {
		{ "a)|b", "a)", 1 }, { "a)|b", "b", 1 }, { "a)|b", "ax", 0 }, { "a)|b", "a", 0 },
		{ "a|ab", "ab", 1 }, { "(a|ab)(c|bcd)", "abcd", 1 }, { "x*", "", 1 },
		{ "", "", 1 }, { "", "x", 0 }, { ".*", "two\nlines", 1 },
	};
	struct cql_expr *x = cql_parse("attribute:ecs.instance-type =~ '(c5|m5)\\.large'", NULL, NULL, 0);

	RUN(cs);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
		f.vals[0] = m[i].type;
		T_EQ(cql_eval(x, &view, &f), m[i].want);
	}
	cql_free(x);
	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
		char text[64];

		snprintf(text, sizeof text, "attribute:ecs.instance-type =~ '%s'", w[i].pat);
		x = cql_parse(text, NULL, NULL, 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(x);
		f.vals[0] = w[i].val;
		T_EQ(cql_eval(x, &view, &f), w[i].want);
		cql_free(x);
	}
}

/* docs/ecs-model.md choice C8: registeredAt literal forms and time zones. */
static void test_registered_at(void)
{
	static const struct { const char *lit; int64_t ms; } cs[] = {
		{ "2018-02-13", 1518480000000LL },
		{ "1970-01-01", 0 },
		{ "2000-02-29", 951782400000LL },
		{ "2018-06-18T22:28:28", T_0618 },
		{ "2018-06-18T22:28:28Z", T_0618 },
		{ "2018-06-18T22:28:28+00:00", T_0618 },
		{ "2018-06-18T22:28:28-00:00", T_0618 },
		{ "2018-06-19T00:28:28+02:00", T_0618 },
		{ "2018-06-18T17:58:28-04:30", T_0618 },
		{ "2018-06-18T22:28:28.5", T_0618 + 500 },
		{ "2018-06-18T22:28:28.123Z", T_0618 + 123 },
		{ "2018-06-18T22:28:28.12", T_0618 + 120 },
		{ "2018-06-18T22:28:28.123456+00:00", T_0618 + 123 },
		{ "2018-06-19T08:28:28.001+10:00", T_0618 + 1 },
		{ "1969-12-31T23:59:59Z", -1000 },
	};
	static const char *ops[] = { "==", "!=", "<", "<=", ">", ">=" };

	for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
		for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++) {
			char text[128], err[256];
			struct cql_expr *x;

			snprintf(text, sizeof text, "registeredAt %s %s", ops[o], cs[i].lit);
			x = cql_parse(text, NULL, err, sizeof err);
			CU_ASSERT_PTR_NOT_NULL(x);
			if (!x)
				continue;
			for (int d = -1; d <= 1; d++) {
				struct finst f = { { NULL }, { NULL }, 0, "i", "i", 1, "1", cs[i].ms + d, 0, { NULL }, 0 };
				int want = o == 0 ? d == 0 : o == 1 ? d != 0 : o == 2 ? d < 0 :
					   o == 3 ? d <= 0 : o == 4 ? d > 0 : d >= 0;

				if (cql_eval(x, &view, &f) != want) {
					char m[256];

					snprintf(m, sizeof m, "%s at %+d ms", text, d);
					T_FAIL(m);
				} else {
					CU_PASS(text);
				}
			}
			cql_free(x);
		}
	}
}

struct bad {
	const char *expr;
	int col;
	const char *msg;
};

/* Refused expressions: column and message pinned. */
static void test_errors(void)
{
	static char longx[2100];
	static const struct bad cs[] = {
		{ "attribute:ecs.instance-type", 28, "expected an operator after 'attribute:ecs.instance-type'" },
		{ "attribute:ecs.instance-type foo bar", 29,
		  "expected an operator after 'attribute:ecs.instance-type', got 'foo'" },
		{ "atribute:x == 1", 1, "unknown subject 'atribute:x'" },
		{ "task:group > x", 12, "operator '>' is not allowed with task:group" },
		{ "attribute:a == 'abc", 16, "unterminated string" },
		{ "attribute:a in []", 16, "empty list" },
		{ "attribute:a in [ ]", 16, "empty list" },
		{ "attribute:a =~ 'a(b'", 16, "regular expression does not compile: unmatched ( or \\(" },
		{ "attribute:a exists)", 19, "unexpected ')'" },
		{ ")", 1, "unexpected ')'" },
		{ "((attribute:a exists)", 22, "expected ')' to close '(' at column 1" },
		{ "((attribute:a exists) or (attribute:b exists)", 46, "expected ')' to close '(' at column 1" },
		{ "attribute:a exists and (attribute:b exists", 43, "expected ')' to close '(' at column 24" },
		{ "", 1, "empty expression" },
		{ "   ", 4, "empty expression" },
		{ "()", 2, "unexpected ')'" },
		{ "attribute:a==b", 12, "invalid character '=' in attribute name (put spaces around operators)" },
		{ "task:group==x", 1, "unknown subject 'task:group==x' (put spaces around operators)" },
		{ "attribute: == x", 1, "missing attribute name after 'attribute:'" },
		{ "attribute:a$b exists", 12, "invalid character '$' in attribute name" },
		{ "attribute:a == and attribute:b exists", 16,
		  "expected a value after '==', got 'and' (quote it to use it as a value)" },
		{ "attribute:a ==", 15, "expected a value after '==', got the end of the expression" },
		{ "attribute:a == x y", 18, "expected 'and', 'or' or the end of the expression, got 'y'" },
		{ "(attribute:a == x y)", 19, "expected 'and', 'or' or ')', got 'y'" },
		{ "attribute:a == [x]", 16, "a list is only allowed after in or not_in, not after '=='" },
		{ "attribute:a in [x, ]", 20, "expected a value in the list, got ']'" },
		{ "attribute:a in [x y]", 19, "expected ',' or ']' in the list, got 'y'" },
		{ "attribute:a in [x, y", 21, "expected ']' to close '[' at column 16" },
		{ "attribute:a exists and", 23, "expected a subject or '(' at the end of the expression" },
		{ "not", 4, "expected a subject or '(' after 'not'" },
		{ "not not attribute:a exists", 5, "only one 'not' or '!' may stand before a term" },
		{ "!!attribute:a exists", 2, "only one 'not' or '!' may stand before a term" },
		{ "'attribute:a' exists", 1,
		  "expected a subject (attribute:NAME, agentConnected, agentVersion, ec2InstanceId, instanceId, "
		  "registeredAt, runningTasksCount or task:group), got the quoted value 'attribute:a'" },
		{ "agentVersion exists", 14, "operator 'exists' is not allowed with agentVersion" },
		{ "agentVersion in [1.0]", 14, "operator 'in' is not allowed with agentVersion" },
		{ "agentVersion =~ 1.*", 14, "operator '=~' is not allowed with agentVersion" },
		{ "agentVersion == latest", 17, "agentVersion takes a dotted version number such as 1.14.5, not 'latest'" },
		{ "agentVersion < 1..2", 16, "agentVersion takes a dotted version number such as 1.14.5, not '1..2'" },
		{ "agentConnected == yes", 19, "agentConnected takes true or false with '==', not 'yes'" },
		{ "agentConnected in [true, TRUE]", 26, "agentConnected takes true or false with 'in', not 'TRUE'" },
		{ "agentConnected > false", 16, "operator '>' is not allowed with agentConnected" },
		{ "agentConnected !exists", 16, "operator '!exists' is not allowed with agentConnected" },
		{ "ec2InstanceId >= i-1", 15, "operator '>=' is not allowed with ec2InstanceId" },
		{ "instanceId less_than x", 12, "operator 'less_than' is not allowed with instanceId" },
		{ "registeredAt in [2018-01-01]", 14, "operator 'in' is not allowed with registeredAt" },
		{ "registeredAt matches 2018.*", 14, "operator 'matches' is not allowed with registeredAt" },
		{ "registeredAt < 2018-02-30", 16,
		  "registeredAt takes a date such as 2018-02-13, 2018-06-18T22:28:28Z or 2018-06-18T22:28:28+00:00, not '2018-02-30'" },
		{ "registeredAt < 2018-02-13T10:00", 16,
		  "registeredAt takes a date such as 2018-02-13, 2018-06-18T22:28:28Z or 2018-06-18T22:28:28+00:00, not '2018-02-13T10:00'" },
		{ "registeredAt < 2018-02-13T10:00:00+0100", 16,
		  "registeredAt takes a date such as 2018-02-13, 2018-06-18T22:28:28Z or 2018-06-18T22:28:28+00:00, not '2018-02-13T10:00:00+0100'" },
		{ "runningTasksCount not_exists", 19, "operator 'not_exists' is not allowed with runningTasksCount" },
		{ "runningTasksCount not_in [1]", 19, "operator 'not_in' is not allowed with runningTasksCount" },
		{ "runningTasksCount > 1.5", 21, "runningTasksCount takes a whole number, not '1.5'" },
		{ "runningTasksCount > -1", 21, "runningTasksCount takes a whole number, not '-1'" },
		{ "task:group exists", 12, "operator 'exists' is not allowed with task:group" },
		{ "task:group <= x", 12, "operator '<=' is not allowed with task:group" },
		{ "attribute:a === x", 13, "expected an operator after 'attribute:a', got '==='" },
		{ "attribute:a EQUALS x", 13, "expected an operator after 'attribute:a', got 'EQUALS'" },
		{ "attribute:a exists AND attribute:b exists", 20,
		  "expected 'and', 'or' or the end of the expression, got 'AND'" },
		{ "attribute:é == x", 11, "invalid character in attribute name" },
		{ "attribute:a == 'é' or attribute:a =~ '(x'", 38,
		  "regular expression does not compile: unmatched ( or \\(" },
		{ "attribute:a =~ 'a)|(b'", 16, "regular expression does not compile: unmatched ( or \\(" },
		{ longx, 2001, "expression longer than 2000 characters" },
	};
	char name[140];

	memset(longx, 0, sizeof longx);
	strcpy(longx, "attribute:a == ");
	memset(longx + strlen(longx), 'x', 2001 - strlen(longx));
	memset(name, 'n', sizeof name);
	for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
		int col = -1;
		char err[256];
		struct cql_expr *x = cql_parse(cs[i].expr, &col, err, sizeof err);

		if (x) {
			char m[512];

			snprintf(m, sizeof m, "\"%s\" parsed", cs[i].expr);
			T_FAIL(m);
			cql_free(x);
			continue;
		}
		T_STREQ(err, cs[i].msg);
		T_EQ(col, cs[i].col);
	}
	/* Exactly 2000 characters is fine; 2000 multi-byte characters too. */
	longx[2000] = '\0';
	{
		struct cql_expr *x = cql_parse(longx, NULL, NULL, 0);

		CU_ASSERT_PTR_NOT_NULL(x);
		cql_free(x);
	}
	/* 2000 characters of two bytes each are within the limit (C13). */
	{
		static char wide[4100];
		size_t n = 0;
		struct cql_expr *x;

		n += (size_t)sprintf(wide, "attribute:a == '");
		for (int i = 0; i < 2000 - 17; i++)
			n += (size_t)sprintf(wide + n, "\xc3\xa9");
		strcpy(wide + n, "'");
		x = cql_parse(wide, NULL, NULL, 0);
		CU_ASSERT_PTR_NOT_NULL(x);
		cql_free(x);
		strcpy(wide + n, "x'");
		CU_ASSERT_PTR_NULL(cql_parse(wide, NULL, NULL, 0));
	}
	/* Attribute names up to 128 characters (C12). */
	{
		char text[200], err[256];
		int col = 0;
		struct cql_expr *x;

		snprintf(text, sizeof text, "attribute:%.128s exists", name);
		x = cql_parse(text, &col, err, sizeof err);
		CU_ASSERT_PTR_NOT_NULL(x);
		cql_free(x);
		snprintf(text, sizeof text, "attribute:%.129s exists", name);
		x = cql_parse(text, &col, err, sizeof err);
		CU_ASSERT_PTR_NULL(x);
		T_STREQ(err, "attribute name longer than 128 characters");
		T_EQ(col, 1);
	}
	/* A short error buffer is truncated, never overrun; NULLs are fine. */
	{
		char err[8];
		int col = 0;

		CU_ASSERT_PTR_NULL(cql_parse("atribute:x == 1", &col, err, sizeof err));
		T_STREQ(err, "unknown");
		CU_ASSERT_PTR_NULL(cql_parse("atribute:x == 1", NULL, NULL, 0));
		CU_ASSERT_PTR_NULL(cql_parse(NULL, &col, err, sizeof err));
	}
	cql_free(NULL);
}

static void test_dynamic(void)
{
	static const struct { const char *expr; int dyn; } cs[] = {
		{ "attribute:a exists", 0 },
		{ "agentVersion > 1 and registeredAt < 2020-01-01 or agentConnected == true", 0 },
		{ "ec2InstanceId == x or instanceId == y", 0 },
		{ "runningTasksCount == 0", 1 },
		{ "task:group == x", 1 },
		{ "attribute:a exists or not (instanceId == a and task:group != b)", 1 },
		{ "attribute:a exists and (instanceId == a or runningTasksCount < 3)", 1 },
	};

	for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
		struct cql_expr *x = cql_parse(cs[i].expr, NULL, NULL, 0);

		CU_ASSERT_PTR_NOT_NULL_FATAL(x);
		T_EQ(cql_is_dynamic(x), cs[i].dyn);
		cql_free(x);
	}
	T_EQ(cql_is_dynamic(NULL), 0);
}

/* ---- randomized: generated trees vs an independent evaluator ---- */

struct rng {
	uint64_t s;
};

static unsigned rnd(struct rng *r, unsigned n)
{
	r->s = r->s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((r->s >> 33) % n);
}

enum gkind { G_AND, G_OR, G_NOT, G_PRED };
enum gop { GEQ, GNE, GGT, GGE, GLT, GLE, GEX, GNEX, GIN, GNIN, GM, GNM, GOPS };

static const char *const gop_words[GOPS][3] = {
	{ "==", "equals", NULL }, { "!=", "not_equals", NULL },
	{ ">", "greater_than", NULL }, { ">=", "greater_than_equal", NULL },
	{ "<", "less_than", NULL }, { "<=", "less_than_equal", NULL },
	{ "exists", NULL, NULL }, { "!exists", "not_exists", NULL },
	{ "in", NULL, NULL }, { "!in", "not_in", NULL },
	{ "=~", "matches", NULL }, { "!~", "not_matches", NULL },
};

/* Values the generator uses; patterns are chosen so their meaning is
 * easy to state without a regex engine. */
static const char *const gvals[] = { "x", "y", "1", "10", "9", "2.5", "a b" };
#define NGVALS 7
static const char *const gpats[] = { "x|y", "1.*", "[0-9]+", "a b" };
#define NGPATS 4

struct gnode {
	enum gkind kind;
	struct gnode *l, *r;
	int attr;          /* G_PRED: 0..2 attributes a,b,c; 3 runningTasksCount; 4 task:group */
	enum gop op;
	int vals[3], nvals;
	int pat;
	int64_t num;
};

struct ginst {
	int has[3];        /* 0 missing, 1 present without value, 2 with value */
	int val[3];
	int64_t running;
	int groups[2], ngroups;
	struct finst f;
};

static struct gnode *gen(struct rng *r, int depth)
{
	struct gnode *g = calloc(1, sizeof *g);
	unsigned k = depth <= 0 ? 3 : rnd(r, 4);

	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	if (k < 3) {
		g->kind = (enum gkind)k;
		g->l = gen(r, depth - 1);
		if (k != G_NOT)
			g->r = gen(r, depth - 1);
		return g;
	}
	g->kind = G_PRED;
	g->attr = (int)rnd(r, 5);
	for (;;) {
		g->op = (enum gop)rnd(r, GOPS);
		if (g->attr < 3)
			break;
		if (g->attr == 3 && g->op <= GLE)
			break;
		if (g->attr == 4 && (g->op <= GNE || (g->op >= GIN && g->op <= GNM)))
			break;
	}
	g->nvals = (g->op == GIN || g->op == GNIN) ? 1 + (int)rnd(r, 3) : 1;
	for (int i = 0; i < g->nvals; i++)
		g->vals[i] = (int)rnd(r, NGVALS);
	g->pat = (int)rnd(r, NGPATS);
	g->num = rnd(r, 4);
	return g;
}

static void gfree(struct gnode *g)
{
	if (!g)
		return;
	gfree(g->l);
	gfree(g->r);
	free(g);
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static int gmatch(int pat, const char *s)
{
	switch (pat) {
	case 0: return strcmp(s, "x") == 0 || strcmp(s, "y") == 0;
	case 1: return s[0] == '1';
	case 2: return all_digits(s);
	default: return strcmp(s, "a b") == 0;
	}
}

static int num_like(const char *s)
{
	char *end;

	if (!*s)
		return 0;
	strtod(s, &end);
	return *end == '\0' && s[0] != '.' && s[0] != ' ';
}

/* The independent reading of docs/ecs-model.md choices C5, C6, C9, C10. */
static int gcmp(const char *a, const char *b)
{
	if (num_like(a) && num_like(b)) {
		double x = strtod(a, NULL), y = strtod(b, NULL);

		return (x > y) - (x < y);
	}
	return strcmp(a, b) > 0 ? 1 : strcmp(a, b) < 0 ? -1 : 0;
}

static int gpos_str(const struct gnode *g, const char *s)
{
	int c;

	switch (g->op) {
	case GEQ: case GNE: case GIN: case GNIN:
		for (int i = 0; i < g->nvals; i++)
			if (strcmp(gvals[g->vals[i]], s) == 0)
				return 1;
		return 0;
	case GM: case GNM:
		return gmatch(g->pat, s);
	default:
		c = gcmp(s, gvals[g->vals[0]]);
		return g->op == GGT ? c > 0 : g->op == GGE ? c >= 0 : g->op == GLT ? c < 0 : c <= 0;
	}
}

static int gnegated(enum gop op)
{
	return op == GNE || op == GNEX || op == GNIN || op == GNM;
}

static int geval(const struct gnode *g, const struct ginst *in)
{
	int pos = 0;

	switch (g->kind) {
	case G_AND: return geval(g->l, in) && geval(g->r, in);
	case G_OR: return geval(g->l, in) || geval(g->r, in);
	case G_NOT: return !geval(g->l, in);
	case G_PRED: break;
	}
	if (g->attr < 3) {
		if (g->op == GEX || g->op == GNEX)
			pos = in->has[g->attr] != 0;
		else
			pos = in->has[g->attr] == 2 && gpos_str(g, gvals[in->val[g->attr]]);
	} else if (g->attr == 3) {
		int64_t n = in->running;

		switch (g->op) {
		case GEQ: case GNE: pos = n == g->num; break;
		case GGT: pos = n > g->num; break;
		case GGE: pos = n >= g->num; break;
		case GLT: pos = n < g->num; break;
		default: pos = n <= g->num; break;
		}
	} else {
		for (int i = 0; i < in->ngroups; i++)
			pos |= gpos_str(g, gvals[in->groups[i]]);
	}
	return gnegated(g->op) ? !pos : pos;
}

struct sbuf {
	char s[8192];
	size_t n;
};

static void put(struct sbuf *b, const char *s)
{
	size_t k = strlen(s);

	if (b->n + k < sizeof b->s) {
		memcpy(b->s + b->n, s, k + 1);
		b->n += k;
	}
}

static void put_value(struct sbuf *b, struct rng *r, const char *v)
{
	unsigned q = strchr(v, ' ') ? 1 + rnd(r, 2) : rnd(r, 3);

	put(b, q == 1 ? "'" : q == 2 ? "\"" : "");
	put(b, v);
	put(b, q == 1 ? "'" : q == 2 ? "\"" : "");
}

static void print_pred(struct sbuf *b, struct rng *r, const struct gnode *g)
{
	static const char *const subj[] = { "attribute:a", "attribute:b", "attribute:c",
					    "runningTasksCount", "task:group" };
	const char *w;
	char num[32];

	put(b, subj[g->attr]);
	put(b, " ");
	do
		w = gop_words[g->op][rnd(r, 2)];
	while (!w);
	put(b, w);
	if (g->op == GEX || g->op == GNEX)
		return;
	put(b, " ");
	if (g->attr == 3) {
		snprintf(num, sizeof num, "%lld", (long long)g->num);
		put(b, num);
	} else if (g->op == GM || g->op == GNM) {
		put(b, "'");
		put(b, gpats[g->pat]);
		put(b, "'");
	} else if ((g->op == GIN || g->op == GNIN) && (g->nvals > 1 || rnd(r, 2))) {
		put(b, "[");
		for (int i = 0; i < g->nvals; i++) {
			if (i)
				put(b, rnd(r, 2) ? ", " : ",");
			put_value(b, r, gvals[g->vals[i]]);
		}
		put(b, "]");
	} else {
		put_value(b, r, gvals[g->vals[0]]);
	}
}

/* Print with the fewest parentheses the grammar needs (and binds tighter
 * than or; not takes one term), plus some redundant ones at random. */
static void print_tree(struct sbuf *b, struct rng *r, const struct gnode *g, enum gkind ctx)
{
	int paren;

	switch (g->kind) {
	case G_PRED:
		paren = rnd(r, 8) == 0;
		break;
	case G_NOT:
		paren = rnd(r, 6) == 0;
		break;
	case G_AND:
		paren = ctx == G_NOT || rnd(r, 6) == 0;
		break;
	default:
		paren = ctx == G_NOT || ctx == G_AND || rnd(r, 6) == 0;
		break;
	}
	if (paren)
		put(b, rnd(r, 2) ? "(" : "( ");
	switch (g->kind) {
	case G_PRED:
		print_pred(b, r, g);
		break;
	case G_NOT: {
		int nested = g->l->kind == G_NOT;   /* only one not per term (C2) */
		unsigned form = rnd(r, 3);

		put(b, form == 0 ? "not " : form == 1 ? "! " : "!");
		if (nested)
			put(b, "(");
		print_tree(b, r, g->l, nested ? G_OR : G_NOT);
		if (nested)
			put(b, ")");
		break;
	}
	case G_AND:
		print_tree(b, r, g->l, G_AND);
		put(b, rnd(r, 2) ? " and " : " && ");
		print_tree(b, r, g->r, G_AND);
		break;
	case G_OR:
		print_tree(b, r, g->l, G_OR);
		put(b, rnd(r, 2) ? " or " : " || ");
		print_tree(b, r, g->r, G_OR);
		break;
	}
	if (paren)
		put(b, rnd(r, 2) ? ")" : " )");
}

static void random_instance(struct rng *r, struct ginst *in)
{
	static const char *const names[3] = { "a", "b", "c" };

	memset(in, 0, sizeof *in);
	for (int i = 0; i < 3; i++) {
		in->has[i] = (int)rnd(r, 3);
		in->val[i] = (int)rnd(r, NGVALS);
		if (in->has[i]) {
			in->f.names[in->f.nattr] = names[i];
			in->f.vals[in->f.nattr] = in->has[i] == 2 ? gvals[in->val[i]] : NULL;
			in->f.nattr++;
		}
	}
	in->running = rnd(r, 4);
	in->ngroups = (int)rnd(r, 3);
	for (int i = 0; i < in->ngroups; i++) {
		in->groups[i] = (int)rnd(r, NGVALS);
		in->f.groups[i] = gvals[in->groups[i]];
	}
	in->f.ngroups = in->ngroups;
	in->f.running = in->running;
	in->f.id = in->f.ec2 = "i";
	in->f.version = "1";
}

static void test_random(void)
{
	struct rng r = { 20240601 };
	int mismatches = 0;

	for (int it = 0; it < 3000; it++) {
		struct gnode *g = gen(&r, 1 + (int)rnd(&r, 5));
		struct sbuf b = { .n = 0 };
		int col = 0;
		char err[256];
		struct cql_expr *x;

		b.s[0] = '\0';
		print_tree(&b, &r, g, G_OR);
		x = cql_parse(b.s, &col, err, sizeof err);
		if (!x) {
			char m[1024];

			snprintf(m, sizeof m, "\"%.700s\": column %d: %s", b.s, col, err);
			T_FAIL(m);
			gfree(g);
			continue;
		}
		for (int k = 0; k < 8; k++) {
			struct ginst in;

			random_instance(&r, &in);
			if (cql_eval(x, &view, &in.f) != geval(g, &in) && mismatches++ < 5) {
				char m[1024];

				snprintf(m, sizeof m, "\"%.800s\" evaluates wrongly", b.s);
				T_FAIL(m);
			}
		}
		T_EQ(cql_is_dynamic(x), strstr(b.s, "runningTasksCount") || strstr(b.s, "task:group"));
		cql_free(x);
		gfree(g);
	}
	T_EQ(mismatches, 0);
}

static CU_TestInfo cql_tests[] = {
	{ "documented examples", test_doc_examples },
	{ "attribute operators", test_attribute_ops },
	{ "missing values", test_missing },
	{ "other subjects", test_subjects },
	{ "and, or, not", test_logic },
	{ "literals and lists", test_literals },
	{ "regular expressions", test_regex },
	{ "registeredAt", test_registered_at },
	{ "errors", test_errors },
	{ "dynamic", test_dynamic },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo cql_random_tests[] = {
	{ "random trees", test_random },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "cql", NULL, NULL, NULL, NULL, cql_tests },
	{ "cql-random", NULL, NULL, NULL, NULL, cql_random_tests },
	CU_SUITE_INFO_NULL,
};
