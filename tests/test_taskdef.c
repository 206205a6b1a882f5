/* tests/test_taskdef.c — the task-definition module (models/taskdef.c):
 * the project's own inputs in tests/data/taskdefs/ (the three document
 * shapes, and one file per refusal rule under bad/ with its exact message in
 * the .err sidecar), one small inline case per rule of docs/ecs-model.md §1
 * and choices B1–B21 / A14, the JSON that `ecsim inspect` prints, and —
 * when the shared corpus is present (tests/helpers/corpus.h) — every real
 * file of its taskdefs/ folder against tests/data/taskdefs-expected.tsv
 * (and SOURCES.tsv).
 * Inline JSON is written with single quotes, turned into double quotes
 * before parsing, so the cases stay readable.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <gsl/gsl_rng.h>
#include <cjson/cJSON.h>

#include "models/taskdef.h"
#include "sim/jsonrd.h"
#include "tests/helpers/badfiles.h"
#include "tests/helpers/corpus.h"
#include "tests/helpers/tutil.h"

#define EXPECTED "tests/data/taskdefs-expected.tsv"
#define OWN "tests/data/taskdefs/"

/* ---- helpers ---------------------------------------------------------- */

/* Parse `json` (single quotes stand for double quotes) and load it. */
static struct taskdef *parse_as(const char *file, const char *json, const char *hint,
				struct err *e)
{
	struct jdoc d;
	struct taskdef *td;
	char *text = strdup(json);

	for (char *p = text; *p; p++) {
		if (*p == '\'')
			*p = '"';
	}
	err_clear(e);
	if (jdoc_parse(&d, file, text, strlen(text), e)) {
		free(text);
		return NULL;
	}
	free(text);
	td = taskdef_from_json(d.root, file, "$", hint, e);
	jdoc_free(&d);
	return td;
}

static struct taskdef *parse(const char *json, struct err *e)
{
	return parse_as("inline.json", json, NULL, e);
}

/* A register document: family "f", extra top-level members, containers. */
static struct taskdef *reg(const char *top, const char *containers, struct err *e)
{
	char buf[8192];

	snprintf(buf, sizeof buf, "{'family':'f',%s%s'containerDefinitions':[%s]}",
		 top, top[0] ? "," : "", containers);
	return parse(buf, e);
}

static void check_ok(int line, struct taskdef *td, const struct err *e)
{
	char buf[2200], m[2400];

	if (td) {
		CU_PASS("loaded");
		return;
	}
	err_format(e, buf, sizeof buf);
	snprintf(m, sizeof m, "expected to load, refused: %s", buf);
	CU_assertImplementation(CU_FALSE, (unsigned)line, m, __FILE__, "", CU_FALSE);
}

static void check_refused(int line, struct taskdef *td, const struct err *e,
			  const char *want)
{
	char buf[2200], m[2600];

	if (td) {
		snprintf(m, sizeof m, "expected refusal containing \"%s\", but it loaded", want);
		CU_assertImplementation(CU_FALSE, (unsigned)line, m, __FILE__, "", CU_FALSE);
		taskdef_free(td);
		return;
	}
	err_format(e, buf, sizeof buf);
	if (!strstr(buf, want)) {
		snprintf(m, sizeof m, "error \"%s\" lacks \"%s\"", buf, want);
		CU_assertImplementation(CU_FALSE, (unsigned)line, m, __FILE__, "", CU_FALSE);
	} else {
		CU_PASS("refused");
	}
}

/* REG_OK evaluates to the taskdef (or NULL, counted as a failure). */
#define REG_OK(top, cs) ok_at(__LINE__, reg((top), (cs), &e), &e)
#define REG_NO(top, cs, want) check_refused(__LINE__, reg((top), (cs), &e), &e, (want))
#define DOC_OK(json) ok_at(__LINE__, parse((json), &e), &e)
#define DOC_NO(json, want) check_refused(__LINE__, parse((json), &e), &e, (want))

static struct taskdef *ok_at(int line, struct taskdef *td, const struct err *e)
{
	check_ok(line, td, e);
	return td;
}

#define C_A "{'name':'a','image':'i','memory':128}"
#define C_B "{'name':'b','image':'i','memory':64}"
#define FG "'requiresCompatibilities':['FARGATE'],'networkMode':'awsvpc'"

/* ---- corpus ----------------------------------------------------------- */

struct expect {
	char file[256], outcome[16], family[256], launch[64], netmode[16];
	long cpu, memory, containers, dynamic, eni;
	char tcp[128], message[256];
};

/* Split a line on tabs in place; returns the number of fields. */
static int split_tabs(char *line, char **f, int max)
{
	int n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	f[n++] = line;
	for (char *p = line; *p && n < max; p++) {
		if (*p == '\t') {
			*p = '\0';
			f[n++] = p + 1;
		}
	}
	return n;
}

static int read_expected(struct expect **out)
{
	FILE *f = fopen(EXPECTED, "r");
	char line[2048], *fl[16];
	struct expect *x = NULL;
	int n = 0, header = 0;

	*out = NULL;
	if (!f) {
		T_FAIL("cannot open " EXPECTED);
		return 0;
	}
	while (fgets(line, sizeof line, f)) {
		struct expect *r;
		int k;

		if (line[0] == '#')
			continue;
		if (!header) {
			header = 1;
			continue;
		}
		k = split_tabs(line, fl, 16);
		CU_ASSERT_EQUAL(k, 12);
		if (k != 12)
			continue;
		x = realloc(x, (size_t)(n + 1) * sizeof *x);
		r = &x[n++];
		memset(r, 0, sizeof *r);
		snprintf(r->file, sizeof r->file, "%s", fl[0]);
		snprintf(r->outcome, sizeof r->outcome, "%s", fl[1]);
		snprintf(r->family, sizeof r->family, "%s", fl[2]);
		snprintf(r->launch, sizeof r->launch, "%s", fl[3]);
		snprintf(r->netmode, sizeof r->netmode, "%s", fl[4]);
		r->cpu = atol(fl[5]);
		r->memory = atol(fl[6]);
		r->containers = atol(fl[7]);
		snprintf(r->tcp, sizeof r->tcp, "%s", fl[8]);
		r->dynamic = atol(fl[9]);
		r->eni = atol(fl[10]);
		snprintf(r->message, sizeof r->message, "%s", fl[11]);
	}
	fclose(f);
	*out = x;
	return n;
}

static const struct expect *find_expect(const struct expect *x, int n, const char *file)
{
	for (int i = 0; i < n; i++) {
		if (strcmp(x[i].file, file) == 0)
			return &x[i];
	}
	return NULL;
}

static unsigned launch_mask(const char *s)
{
	unsigned m = 0;

	if (strstr(s, "EC2"))
		m |= TD_LAUNCH_EC2;
	if (strstr(s, "FARGATE"))
		m |= TD_LAUNCH_FARGATE;
	if (strstr(s, "EXTERNAL"))
		m |= TD_LAUNCH_EXTERNAL;
	if (strstr(s, "MANAGED_INSTANCES"))
		m |= TD_LAUNCH_MANAGED_INSTANCES;
	return m;
}

static void ports_text(const struct taskdef *td, char *buf, size_t n)
{
	size_t k = 0;

	buf[0] = '\0';
	if (td->n_host_ports_tcp == 0) {
		snprintf(buf, n, "-");
		return;
	}
	for (int i = 0; i < td->n_host_ports_tcp && k < n; i++)
		k += (size_t)snprintf(buf + k, n - k, "%s%d", i ? "," : "", td->host_ports_tcp[i]);
}

static void test_corpus_table(void)
{
	struct expect *x;
	int n = read_expected(&x), loaded = 0, refused = 0;
	char td_dir[512];

	t_corpus_path(td_dir, sizeof td_dir, "taskdefs");

	CU_ASSERT(n >= 67);
	for (int i = 0; i < n; i++) {
		const struct expect *r = &x[i];
		char path[800], got[2200], m[3000];
		struct err e;
		struct taskdef *td;

		snprintf(path, sizeof path, "%s/%s", td_dir, r->file);
		err_clear(&e);
		td = taskdef_load(path, NULL, &e);
		if (strcmp(r->outcome, "refuse") == 0) {
			refused++;
			if (td) {
				snprintf(m, sizeof m, "%s: expected refusal, loaded", r->file);
				T_FAIL(m);
				taskdef_free(td);
				continue;
			}
			err_format(&e, got, sizeof got);
			if (!strstr(got, r->message) || !strstr(got, r->file)) {
				snprintf(m, sizeof m, "%s: message \"%s\" lacks \"%s\" or the file name",
					 r->file, got, r->message);
				T_FAIL(m);
			} else {
				CU_PASS(r->file);
			}
			continue;
		}
		loaded++;
		if (!td) {
			err_format(&e, got, sizeof got);
			snprintf(m, sizeof m, "%s: expected to load, refused: %s", r->file, got);
			T_FAIL(m);
			continue;
		}
		ports_text(td, got, sizeof got);
		T_STREQ(td->family, r->family);
		T_EQ(td->launch, launch_mask(r->launch));
		T_STREQ(td_netmode_name(td->netmode), r->netmode);
		T_EQ(td->cpu_units, r->cpu);
		T_EQ(td->memory_mib, r->memory);
		T_EQ(td->n_containers, r->containers);
		T_STREQ(got, r->tcp);
		T_EQ(td->dynamic_ports, r->dynamic);
		T_EQ(td->eni, r->eni);
		taskdef_free(td);
	}
	/* The tally in the report: 49 load, 18 refused. */
	T_EQ(loaded, 49);
	T_EQ(refused, 18);
	free(x);
}

/* Every file in SOURCES.tsv (and in the folder) has a row; containers and
 * shape agree with SOURCES.tsv for the files that load. */
static void test_corpus_coverage(void)
{
	struct expect *x;
	int n, rows = 0;
	char td_dir[512], src[600], line[8192], *fl[16];
	FILE *f;
	DIR *dir;
	struct dirent *de;

	t_corpus_path(td_dir, sizeof td_dir, "taskdefs");
	snprintf(src, sizeof src, "%s/SOURCES.tsv", td_dir);
	f = fopen(src, "r");
	if (!f) {
		snprintf(line, sizeof line, "cannot open %s", src);
		T_FAIL(line);
		return;
	}
	dir = opendir(td_dir);
	if (!dir) {
		snprintf(line, sizeof line, "cannot read folder %s", td_dir);
		T_FAIL(line);
		fclose(f);
		return;
	}
	n = read_expected(&x);
	if (!fgets(line, sizeof line, f))
		CU_FAIL("SOURCES.tsv is empty");
	while (fgets(line, sizeof line, f)) {
		const struct expect *r;
		char path[800], m[700];
		struct err e;
		struct taskdef *td;

		if (split_tabs(line, fl, 16) < 11)
			continue;
		rows++;
		r = find_expect(x, n, fl[0]);
		if (!r) {
			snprintf(m, sizeof m, "%s is in SOURCES.tsv but not in %s", fl[0], EXPECTED);
			T_FAIL(m);
			continue;
		}
		if (strcmp(r->outcome, "load") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", td_dir, fl[0]);
		td = taskdef_load(path, NULL, &e);
		CU_ASSERT_PTR_NOT_NULL(td);
		if (!td)
			continue;
		T_EQ(td->n_containers, atol(fl[8]));
		T_EQ(td->shape, strcmp(fl[5], "describe") == 0 ? TD_SHAPE_DESCRIBE
		     : strcmp(fl[5], "containers-array") == 0 ? TD_SHAPE_CONTAINERS
		     : TD_SHAPE_REGISTER);
		taskdef_free(td);
	}
	fclose(f);
	T_EQ(rows, n);
	while ((de = readdir(dir))) {
		size_t l = strlen(de->d_name);
		char m[400];

		if (l > 5 && strcmp(de->d_name + l - 5, ".json") == 0 &&
		    !find_expect(x, n, de->d_name)) {
			snprintf(m, sizeof m, "corpus file %s has no expected row", de->d_name);
			T_FAIL(m);
		}
	}
	closedir(dir);
	free(x);
}

/* ---- the project's own files (tests/data/taskdefs/) --------------------- */

/* The three document shapes, each loaded from a file, with its placement
 * cost worked out by hand from docs/ecs-model.md §1.6. */
static void test_own_shapes(void)
{
	struct err e;
	struct taskdef *td;

	/* DescribeTaskDefinition output: no task-level size, so the containers'
	 * cpu (256 + 64) and memoryReservation-else-memory (384 + 64) */
	td = ok_at(__LINE__, taskdef_load(OWN "describe-ec2-bridge.json", NULL, &e), &e);
	if (td) {
		T_EQ(td->shape, TD_SHAPE_DESCRIBE);
		T_STREQ(td->family, "billing");
		T_EQ(td->revision, 12);
		T_EQ(td->launch, TD_LAUNCH_EC2);
		T_EQ(td->netmode, TD_NET_BRIDGE);
		T_EQ(td->cpu_units, 320);
		T_EQ(td->memory_mib, 448);
		T_EQ(td->n_containers, 2);
		T_EQ(td->n_essential, 1);
		T_EQ(td->n_host_ports_tcp, 1);
		T_EQ(td->n_host_ports_tcp ? td->host_ports_tcp[0] : 0, 443);
		T_EQ(td->dynamic_ports, 1);
		T_EQ(td->eni, 0);
		taskdef_free(td);
	}
	/* RegisterTaskDefinition input on Fargate: "1 vCPU" and "2 GB" are the
	 * cost; awsvpc ports are the ENI's, not the instance's */
	td = ok_at(__LINE__, taskdef_load(OWN "register-fargate-sidecars.json", NULL, &e), &e);
	if (td) {
		T_EQ(td->shape, TD_SHAPE_REGISTER);
		T_STREQ(td->family, "shop-sidecars");
		T_EQ(td->launch, TD_LAUNCH_FARGATE);
		T_EQ(td->netmode, TD_NET_AWSVPC);
		T_EQ(td->cpu_units, 1024);
		T_EQ(td->memory_mib, 2048);
		T_EQ(td->n_containers, 3);
		T_EQ(td->n_host_ports_tcp, 0);
		T_EQ(td->n_awsvpc_ports_tcp, 4);
		T_EQ(td->dynamic_ports, 0);
		T_EQ(td->eni, 1);
		taskdef_free(td);
	}
	/* A bare container array: the family is the file name; EC2, bridge;
	 * 512 + 128 cpu, 1024 + 128 MiB; one dynamic and one static port */
	td = ok_at(__LINE__, taskdef_load(OWN "worker.json", NULL, &e), &e);
	if (td) {
		T_EQ(td->shape, TD_SHAPE_CONTAINERS);
		T_STREQ(td->family, "worker");
		T_EQ(td->launch, TD_LAUNCH_EC2);
		T_EQ(td->netmode, TD_NET_BRIDGE);
		T_EQ(td->cpu_units, 640);
		T_EQ(td->memory_mib, 1152);
		T_EQ(td->n_containers, 2);
		T_EQ(td->n_host_ports_tcp, 1);
		T_EQ(td->n_host_ports_tcp ? td->host_ports_tcp[0] : 0, 9001);
		T_EQ(td->dynamic_ports, 1);
		taskdef_free(td);
	}
}

static int load_bad(const char *path, struct err *e)
{
	struct taskdef *td = taskdef_load(path, NULL, e);

	taskdef_free(td);
	return td == NULL;
}

/* One file per refusal rule of the loader, each with its whole message
 * (file, JSON path or line:col, reason) pinned in the .err sidecar. */
static void test_own_refusals(void)
{
	T_EQ(t_bad_files_ext(OWN "bad", ".json", load_bad), 95);
}

/* ---- B1 shapes and families ------------------------------------------- */

static void test_shapes(void)
{
	struct err e;
	struct taskdef *td;

	td = DOC_OK("{'taskDefinition':{'family':'web','revision':7,"
		    "'containerDefinitions':[" C_A "]},'tags':[]}");
	if (td) {
		T_EQ(td->shape, TD_SHAPE_DESCRIBE);
		T_STREQ(td->family, "web");
		T_EQ(td->revision, 7);
		taskdef_free(td);
	}
	DOC_NO("{'taskDefinition':{'family':'web','containerDefinitions':[" C_A "]},"
	       "'containerDefinitions':[" C_A "]}", "give one shape only");
	DOC_NO("{'taskDefinition':{'family':'web','containerDefinitions':[]}}",
	       "$.taskDefinition.containerDefinitions: at least one container");
	DOC_NO("{'taskDefinition':{'family':'web'}}",
	       "$.taskDefinition.containerDefinitions: required member is missing");
	DOC_NO("42", "expected a task definition object");

	td = ok_at(__LINE__, parse_as("dir/x.json", "[" C_A "]", "from-hint", &e), &e);
	if (td) {
		T_EQ(td->shape, TD_SHAPE_CONTAINERS);
		T_STREQ(td->family, "from-hint");
		T_EQ(td->launch, TD_LAUNCH_EC2);
		T_EQ(td->netmode, TD_NET_BRIDGE);
		taskdef_free(td);
	}
	td = ok_at(__LINE__, parse_as("some/dir/my-app_2.json", "[" C_A "]", NULL, &e), &e);
	if (td) {
		T_STREQ(td->family, "my-app_2");
		taskdef_free(td);
	}
	check_refused(__LINE__, parse_as("dir/my app.json", "[" C_A "]", NULL, &e), &e,
		      "--family");
	check_refused(__LINE__, parse_as("x.json", "[" C_A "]", "bad name", &e), &e,
		      "not 1 to 255 letters");
	check_refused(__LINE__, parse_as("x.json", "[{'name':'a','image':'i'}]", "ok", &e), &e,
		      "$[0]: Invalid setting for container 'a'");
}

static void test_family_revision(void)
{
	struct err e;
	char big[400], doc[1000];

	DOC_NO("{'containerDefinitions':[" C_A "]}", "$.family: required member is missing");
	DOC_NO("{'family':'a b','containerDefinitions':[" C_A "]}", "invalid family");
	DOC_NO("{'family':'','containerDefinitions':[" C_A "]}", "invalid family \"\"");
	DOC_NO("{'family':'${FAMILY}','containerDefinitions':[" C_A "]}",
	       "$.family: template placeholder \"${FAMILY}\"");
	DOC_NO("{'family':7,'containerDefinitions':[" C_A "]}", "expected string, got number");
	memset(big, 'x', 256);
	big[256] = '\0';
	snprintf(doc, sizeof doc, "{'family':'%s','containerDefinitions':[" C_A "]}", big);
	DOC_NO(doc, "invalid family");
	big[255] = '\0';
	snprintf(doc, sizeof doc, "{'family':'%s','containerDefinitions':[" C_A "]}", big);
	taskdef_free(DOC_OK(doc));
	REG_NO("'revision':0", C_A, "$.revision: expected integer in [1, 1000000]");
	REG_NO("'revision':1000001", C_A, "$.revision");
	taskdef_free(REG_OK("'revision':1000000", C_A));
}

/* ---- B2, B3, B4 JSON and integers ------------------------------------- */

static void test_json_strictness(void)
{
	struct err e;
	struct taskdef *td;

	DOC_NO("{'family':'f','family':'g','containerDefinitions':[" C_A "]}",
	       "duplicate member 'family'");
	DOC_NO("{'family':'f' 'containerDefinitions':[]}", "syntax error");
	/* B3: explicit null is absent */
	td = REG_OK("'networkMode':null,'cpu':null,'memory':null,'requiresCompatibilities':null,"
		    "'placementConstraints':null,'runtimePlatform':null",
		    "{'name':'a','image':null,'memory':128,'memoryReservation':null,"
		    "'cpu':null,'portMappings':null,'essential':null,'healthCheck':null}");
	if (td) {
		T_EQ(td->netmode, TD_NET_BRIDGE);
		T_EQ(td->launch, TD_LAUNCH_EC2);
		T_EQ(td->containers[0].essential, 1);
		T_EQ(td->memory_mib, 128);
		CU_ASSERT_PTR_NULL(td->containers[0].image);
		taskdef_free(td);
	}
}

static void test_integers(void)
{
	struct err e;
	struct taskdef *td;

	REG_NO("", "{'name':'a','memory':128,'cpu':512.5}",
	       "$.containerDefinitions[0].cpu: expected integer");
	td = REG_OK("", "{'name':'a','memory':128.0,'cpu':1024.0}");
	if (td) {
		T_EQ(td->cpu_units, 1024);
		taskdef_free(td);
	}
	REG_NO("", "{'name':'a','memory':'512'}", "got string \"512\"");
	REG_NO("", "{'name':'a','memory':'${MEM}'}",
	       "$.containerDefinitions[0].memory: expected integer in [0, 2147483647], got "
	       "template placeholder \"${MEM}\"");
	REG_NO("", "{'name':'a','memory':128,'cpu':'{{ .cpu }}'}", "template placeholder");
	REG_NO("", "{'name':'a','memory':128,'cpu':'$CPU'}", "template placeholder");
	REG_NO("", "{'name':'a','memory':128,'cpu':'$$$CPU$$$'}", "template placeholder");
	REG_NO("", "{'name':'a','memory':128,'portMappings':[{'containerPort':'<port>'}]}",
	       "portMappings[0].containerPort: expected integer in [0, 65535], got template placeholder");
	REG_NO("", "{'name':'a','memory':2147483648}", "expected integer in [0, 2147483647]");
	REG_NO("", "{'name':'a','memory':128,'cpu':-1}", "expected integer");
	REG_NO("", "{'name':'a','memory':128,'portMappings':[{'containerPort':65536}]}",
	       "expected integer in [0, 65535]");
}

/* ---- B6, B7, B13 task sizes -------------------------------------------- */

static int64_t task_cpu_of(const char *v)
{
	struct err e;
	char top[200];
	struct taskdef *td;
	int64_t r;

	snprintf(top, sizeof top, "'cpu':%s", v);
	td = reg(top, C_A, &e);
	if (!td)
		return -1;
	r = td->task_cpu;
	taskdef_free(td);
	return r;
}

static int64_t task_mem_of(const char *v)
{
	struct err e;
	char top[200];
	struct taskdef *td;
	int64_t r;

	snprintf(top, sizeof top, "'memory':%s", v);
	td = reg(top, "{'name':'a','image':'i'}", &e);
	if (!td)
		return -1;
	r = td->task_memory_mib;
	taskdef_free(td);
	return r;
}

static void test_size_strings(void)
{
	struct err e;

	T_EQ(task_cpu_of("'1024'"), 1024);
	T_EQ(task_cpu_of("1024"), 1024);
	T_EQ(task_cpu_of("'1 vCPU'"), 1024);
	T_EQ(task_cpu_of("'1 vcpu'"), 1024);
	T_EQ(task_cpu_of("'2VCPU'"), 2048);
	T_EQ(task_cpu_of("'.25 vcpu'"), 256);
	T_EQ(task_cpu_of("'0.5 vCPU'"), 512);
	T_EQ(task_cpu_of("' 4 \\t vCPU '"), 4096);
	T_EQ(task_cpu_of("'0.3 vcpu'"), -1);
	T_EQ(task_cpu_of("'0'"), -1);
	T_EQ(task_cpu_of("0"), -1);
	T_EQ(task_cpu_of("'1.5'"), -1);
	T_EQ(task_cpu_of("'1 GB'"), -1);
	T_EQ(task_cpu_of("'abc'"), -1);
	T_EQ(task_cpu_of("''"), -1);
	T_EQ(task_cpu_of("512.5"), -1);
	T_EQ(task_mem_of("'2 GB'"), 2048);
	T_EQ(task_mem_of("'2GB'"), 2048);
	T_EQ(task_mem_of("'.5 gb'"), 512);
	T_EQ(task_mem_of("'0.5 GB'"), 512);
	T_EQ(task_mem_of("'64'"), 64);
	T_EQ(task_mem_of("3072"), 3072);
	T_EQ(task_mem_of("'1 vcpu'"), -1);
	T_EQ(task_mem_of("'1 MB'"), -1);
	T_EQ(task_mem_of("'0.0001 GB'"), -1);
	REG_NO("'cpu':'0.3 vcpu'", C_A, "$.cpu: \"0.3 vcpu\" is not a whole number");
	REG_NO("'cpu':'$$$$CPUSHARE$$$$'", C_A, "$.cpu: template placeholder");
	REG_NO("'memory':true", C_A, "$.memory: expected a string");
}

static void test_ec2_cpu_range(void)
{
	struct err e;

	REG_NO("'cpu':'127'", C_A, "$.cpu: task cpu must be 128 to 196608");
	taskdef_free(REG_OK("'cpu':'128'", C_A));
	taskdef_free(REG_OK("'cpu':'196608'", C_A));
	REG_NO("'cpu':'196609'", C_A, "must be 128 to 196608");
	REG_NO("'cpu':'64','requiresCompatibilities':['EXTERNAL']", C_A, "128 to 196608");
	/* B7 not checked for Windows (task values ignored) */
	taskdef_free(REG_OK("'cpu':'64','runtimePlatform':{'operatingSystemFamily':"
			    "'WINDOWS_SERVER_2019_CORE'}", C_A));
}

struct fgrow { int cpu, lo, hi, step; };

static void test_fargate_table(void)
{
	static const struct fgrow rows[] = {
		{ 256, 512, 2048, 512 }, { 512, 1024, 4096, 1024 }, { 1024, 2048, 8192, 1024 },
		{ 2048, 4096, 16384, 1024 }, { 4096, 8192, 30720, 1024 },
		{ 8192, 16384, 61440, 4096 }, { 16384, 32768, 122880, 8192 },
	};
	struct err e;
	int count = 0;

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct fgrow *r = &rows[i];
		/* below the range, both ends, above the range, off the step */
		int mems[] = { r->lo > r->step ? r->lo - r->step : r->lo / 2, r->lo, r->hi,
			       r->hi + r->step, r->lo + r->step / 2 };
		int want[] = { 0, 1, 1, 0, 0 };

		for (int k = 0; k < 5; k++) {
			char top[300];
			struct taskdef *td;

			snprintf(top, sizeof top, FG ",'cpu':'%d','memory':'%d'", r->cpu, mems[k]);
			td = reg(top, "{'name':'a','image':'i'}", &e);
			if (want[k]) {
				check_ok(__LINE__, td, &e);
				if (td) {
					T_EQ(td->cpu_units, r->cpu);
					T_EQ(td->memory_mib, mems[k]);
				}
				taskdef_free(td);
			} else {
				check_refused(__LINE__, td, &e, "invalid 'cpu' setting for task");
			}
		}
		/* every allowed value in between */
		for (int m = r->lo; m <= r->hi; m += (r->cpu == 256 ? 512 : r->step)) {
			char top[300];
			struct taskdef *td;

			if (r->cpu == 256 && m == 1536)
				continue;
			snprintf(top, sizeof top, FG ",'cpu':'%d','memory':'%d'", r->cpu, m);
			td = reg(top, "{'name':'a','image':'i'}", &e);
			check_ok(__LINE__, td, &e);
			taskdef_free(td);
			count++;
		}
	}
	T_EQ(count, 3 + 4 + 7 + 13 + 23 + 12 + 12);
	REG_NO(FG ",'cpu':'256','memory':'1536'", "{'name':'a'}", "invalid 'cpu' setting");
	REG_NO(FG ",'cpu':'128','memory':'512'", "{'name':'a'}", "$.cpu: invalid 'cpu' setting");
	REG_NO(FG ",'memory':'512'", "{'name':'a'}", "$.cpu: task-level cpu is required on FARGATE");
	REG_NO(FG ",'cpu':'256'", "{'name':'a'}", "$.memory: task-level memory is required");
	REG_NO("'requiresCompatibilities':['FARGATE'],'cpu':'256','memory':'512'", "{'name':'a'}",
	       "$.networkMode: required on FARGATE");
	REG_NO("'requiresCompatibilities':['FARGATE'],'networkMode':'bridge','cpu':'256',"
	       "'memory':'512'", "{'name':'a'}", "must be \"awsvpc\" on FARGATE");
	/* FARGATE and EC2 together: the table applies, and so does B10 */
	REG_NO("'requiresCompatibilities':['EC2','FARGATE'],'networkMode':'awsvpc','cpu':'256',"
	       "'memory':'4096'", "{'name':'a'}", "invalid 'cpu' setting");
	/* Windows on Fargate: 1, 2 or 4 vCPU */
	REG_NO(FG ",'cpu':'512','memory':'1024','runtimePlatform':{'operatingSystemFamily':"
	       "'WINDOWS_SERVER_2019_CORE'}", "{'name':'a'}", "windows on FARGATE");
	taskdef_free(REG_OK(FG ",'cpu':'1024','memory':'2048','runtimePlatform':"
			    "{'operatingSystemFamily':'WINDOWS_SERVER_2022_FULL'}",
			    "{'name':'a','cpu':1024,'memory':2048}"));
	/* B13 timeouts and constraints */
	REG_NO(FG ",'cpu':'256','memory':'512'", "{'name':'a','stopTimeout':121}",
	       "stopTimeout: at most 120 seconds on FARGATE");
	taskdef_free(REG_OK(FG ",'cpu':'256','memory':'512'", "{'name':'a','stopTimeout':120}"));
	REG_NO(FG ",'cpu':'256','memory':'512'", "{'name':'a','startTimeout':1}",
	       "startTimeout: must be 2 to 120");
	REG_NO(FG ",'cpu':'256','memory':'512'", "{'name':'a','startTimeout':121}", "2 to 120");
	taskdef_free(REG_OK(FG ",'cpu':'256','memory':'512'", "{'name':'a','startTimeout':2}"));
	REG_NO(FG ",'cpu':'256','memory':'512','placementConstraints':[{'type':'memberOf',"
	       "'expression':'attribute:x == y'}]", "{'name':'a'}", "not supported on FARGATE");
	taskdef_free(REG_OK(FG ",'cpu':'256','memory':'512','placementConstraints':[]",
			    "{'name':'a'}"));
}

/* ---- B8, B9, B10, B11, A14 memory -------------------------------------- */

static void test_memory_rules(void)
{
	struct err e;
	struct taskdef *td;

	REG_NO("", "{'name':'a','memory':128,'memoryReservation':256}",
	       "memoryReservation: 256 MiB is above the hard limit");
	td = REG_OK("", "{'name':'a','memory':128,'memoryReservation':128}");
	if (td) {
		T_EQ(td->memory_mib, 128);
		T_EQ(td->memory_reservation_mib, 128);
		taskdef_free(td);
	}
	td = REG_OK("", "{'name':'a','memory':512,'memoryReservation':256}");
	if (td) {
		T_EQ(td->memory_mib, 256);
		T_EQ(td->containers[0].memory_mib, 512);
		taskdef_free(td);
	}
	/* B9 */
	REG_NO("", "{'name':'a','memory':5}", "memory: 5 MiB is below the 6 MiB minimum");
	REG_NO("", "{'name':'a','memoryReservation':1}", "memoryReservation: 1 MiB is below");
	taskdef_free(REG_OK("", "{'name':'a','memory':6}"));
	taskdef_free(REG_OK("", "{'name':'a','memory':0,'memoryReservation':6}"));
	/* A14 */
	REG_NO("", "{'name':'web'}",
	       "$.containerDefinitions[0]: Invalid setting for container 'web'. At least one of "
	       "'memory' or 'memoryReservation' must be specified.");
	REG_NO("", C_A ",{'name':'b','memory':0,'memoryReservation':0}",
	       "Invalid setting for container 'b'");
	REG_NO("'requiresCompatibilities':['EXTERNAL']", "{'name':'a'}",
	       "Invalid setting for container 'a'");
	REG_NO("'requiresCompatibilities':['MANAGED_INSTANCES']", "{'name':'a'}",
	       "Invalid setting for container 'a'");
	td = REG_OK("'memory':'512'", "{'name':'a'}");
	if (td) {
		T_EQ(td->memory_mib, 512);
		taskdef_free(td);
	}
	taskdef_free(REG_OK(FG ",'cpu':'256','memory':'512'", "{'name':'a'}"));
	/* B11 */
	REG_NO("'cpu':'256'", "{'name':'a','cpu':200,'memory':64},{'name':'b','cpu':57,'memory':64}",
	       "$.cpu: containers reserve 257 cpu units in total, more than the task cpu 256");
	taskdef_free(REG_OK("'cpu':'256'", "{'name':'a','cpu':200,'memory':64},"
			    "{'name':'b','cpu':56,'memory':64}"));
	REG_NO("'memory':'512'", "{'name':'a','memory':600,'memoryReservation':300},"
	       "{'name':'b','memory':213}", "$.memory: containers reserve 513 MiB");
	td = REG_OK("'memory':'512'", "{'name':'a','memory':600,'memoryReservation':300},"
		    "{'name':'b','memory':212}");
	if (td) {
		T_EQ(td->memory_mib, 512);
		T_EQ(td->memory_reservation_mib, 300);
		taskdef_free(td);
	}
	REG_NO(FG ",'cpu':'256','memory':'512'", "{'name':'a','memory':1024}",
	       "containers reserve 1024 MiB");
}

/* ---- B12 launch types, B14 network modes, B15 Windows ------------------ */

static void test_launch_types(void)
{
	struct err e;
	struct taskdef *td;

	td = REG_OK("'requiresCompatibilities':[]", C_A);
	if (td) {
		T_EQ(td->launch, TD_LAUNCH_EC2);
		taskdef_free(td);
	}
	td = REG_OK("'requiresCompatibilities':['EXTERNAL','EC2','EXTERNAL']", C_A);
	if (td) {
		T_EQ(td->launch, TD_LAUNCH_EC2 | TD_LAUNCH_EXTERNAL);
		taskdef_free(td);
	}
	REG_NO("'requiresCompatibilities':['ec2']", C_A,
	       "$.requiresCompatibilities[0]: unknown launch type \"ec2\"");
	REG_NO("'requiresCompatibilities':['${LAUNCH}']", C_A, "template placeholder");
	REG_NO("'requiresCompatibilities':'EC2'", C_A, "expected array");
}

static void test_network_modes(void)
{
	static const char *const modes[] = { "bridge", "host", "awsvpc", "none", "default" };
	struct err e;
	struct taskdef *td;

	for (int k = 0; k < 5; k++) {
		char top[100];

		snprintf(top, sizeof top, "'networkMode':'%s'", modes[k]);
		td = REG_OK(top, C_A);
		if (td) {
			T_EQ(td->netmode, k);
			T_STREQ(td_netmode_name(td->netmode), modes[k]);
			T_EQ(td->eni, k == TD_NET_AWSVPC);
			taskdef_free(td);
		}
	}
	REG_NO("'networkMode':'nat'", C_A, "invalid network mode");
	REG_NO("'networkMode':'$$$NETWORK_MODE$$$'", C_A, "$.networkMode: template placeholder");
	REG_NO("'networkMode':'none'", "{'name':'a','memory':64,'portMappings':[{'containerPort':80}]}",
	       "not allowed in none network mode");
}

static void test_windows(void)
{
	struct err e;
	struct taskdef *td;

	td = REG_OK("'cpu':'2048','memory':'4096','runtimePlatform':{'operatingSystemFamily':"
		    "'WINDOWS_SERVER_2019_CORE','cpuArchitecture':'X86_64'}",
		    "{'name':'a','cpu':512,'memory':1024,'portMappings':[{'containerPort':80}]}");
	if (td) {
		T_EQ(td->windows, 1);
		T_EQ(td->netmode, TD_NET_DEFAULT);  /* B14 */
		T_EQ(td->task_cpu, 2048);
		T_EQ(td->cpu_units, 512);           /* B15 */
		T_EQ(td->memory_mib, 1024);
		T_EQ(td->dynamic_ports, 1);
		T_STREQ(td->os_family, "WINDOWS_SERVER_2019_CORE");
		T_STREQ(td->cpu_arch, "X86_64");
		taskdef_free(td);
	}
	/* container sums even when 0, task memory does not satisfy B10 */
	REG_NO("'memory':'4096','runtimePlatform':{'operatingSystemFamily':'WINDOWS_SERVER_2022_CORE'}",
	       "{'name':'a'}", "Invalid setting for container 'a'");
	td = REG_OK("'cpu':'1024','runtimePlatform':{'operatingSystemFamily':'WINDOWS_SERVER_2022_CORE'}",
		    C_A);
	if (td) {
		T_EQ(td->cpu_units, 0);
		taskdef_free(td);
	}
	td = REG_OK("'runtimePlatform':{'operatingSystemFamily':'LINUX','cpuArchitecture':'ARM64'}", C_A);
	if (td) {
		T_EQ(td->windows, 0);
		T_EQ(td->netmode, TD_NET_BRIDGE);
		T_STREQ(td->cpu_arch, "ARM64");
		taskdef_free(td);
	}
	REG_NO("'runtimePlatform':{'cpuArchitecture':'arm64'}", C_A, "invalid cpu architecture");
	REG_NO("'runtimePlatform':{'operatingSystemFamily':'WINDOWS'}", C_A,
	       "invalid operating system family");
}

/* ---- B16, B17, B18 ports ----------------------------------------------- */

static void test_ports(void)
{
	struct err e;
	struct taskdef *td;

	td = REG_OK("", "{'name':'a','memory':64,'portMappings':[{'containerPort':80},"
		    "{'containerPort':81,'hostPort':0},{'containerPort':82,'hostPort':8082},"
		    "{'containerPort':53,'hostPort':5353,'protocol':'udp'}]},"
		    "{'name':'b','memory':64,'portMappings':[{'containerPort':80,'hostPort':8080},"
		    "{'containerPort':80,'hostPort':8081,'protocol':'tcp'}]}");
	if (td) {
		T_EQ(td->dynamic_ports, 2);
		T_EQ(td->n_host_ports_tcp, 3);
		T_EQ(td->host_ports_tcp[0], 8080);
		T_EQ(td->host_ports_tcp[1], 8081);
		T_EQ(td->host_ports_tcp[2], 8082);
		T_EQ(td->n_host_ports_udp, 1);
		T_EQ(td->host_ports_udp[0], 5353);
		T_EQ(td->containers[0].ports[0].host_port, -1);
		T_EQ(td->containers[0].ports[1].host_port, 0);
		T_EQ(td->containers[0].ports[3].udp, 1);
		T_EQ(td->n_awsvpc_ports_tcp, 0);
		taskdef_free(td);
	}
	/* host mode */
	td = REG_OK("'networkMode':'host'", "{'name':'a','memory':64,'portMappings':"
		    "[{'containerPort':8500},{'containerPort':8600,'hostPort':8600,'protocol':'udp'}]}");
	if (td) {
		T_EQ(td->n_host_ports_tcp, 1);
		T_EQ(td->host_ports_tcp[0], 8500);
		T_EQ(td->host_ports_udp[0], 8600);
		T_EQ(td->dynamic_ports, 0);
		taskdef_free(td);
	}
	REG_NO("'networkMode':'host'", "{'name':'a','memory':64,'portMappings':"
	       "[{'containerPort':80,'hostPort':8080}]}",
	       "portMappings[0].hostPort: must be absent or equal to containerPort (80) in host");
	REG_NO("'networkMode':'host'", "{'name':'a','memory':64,'portMappings':"
	       "[{'containerPort':80,'hostPort':0}]}", "must be absent or equal");
	REG_NO("'networkMode':'host'", "{'name':'a','memory':64,'portMappings':"
	       "[{'containerPort':0}]}", "containerPort: must be greater than 0");
	/* same container port tcp and udp in one container */
	REG_NO("", "{'name':'a','memory':64,'portMappings':[{'containerPort':53,'hostPort':53},"
	       "{'containerPort':53,'hostPort':5353,'protocol':'udp'}]}",
	       "portMappings[1]: container port 53 is exposed as both tcp and udp");
	/* duplicate static port in the task */
	REG_NO("", "{'name':'a','memory':64,'portMappings':[{'containerPort':80,'hostPort':8000}]},"
	       "{'name':'b','memory':64,'portMappings':[{'containerPort':81,'hostPort':8000}]}",
	       "containerDefinitions[1].portMappings[0]: tcp port 8000 is mapped twice");
	/* the same number as tcp and udp in different containers is fine */
	taskdef_free(REG_OK("", "{'name':'a','memory':64,'portMappings':[{'containerPort':80,"
			    "'hostPort':8000}]},{'name':'b','memory':64,'portMappings':"
			    "[{'containerPort':81,'hostPort':8000,'protocol':'udp'}]}"));
	REG_NO("", "{'name':'a','memory':64,'portMappings':[{'containerPort':80,'protocol':'TCP'}]}",
	       "invalid protocol");
	REG_NO("", "{'name':'a','memory':64,'portMappings':[{'hostPort':80}]}",
	       "containerPort: required member is missing");
	/* containerPortRange (B18) */
	td = REG_OK("", "{'name':'a','memory':64,'portMappings':[{'containerPortRange':'8000-8009'}]}");
	if (td) {
		T_EQ(td->dynamic_ports, 10);
		T_EQ(td->containers[0].ports[0].range_lo, 8000);
		T_EQ(td->containers[0].ports[0].range_hi, 8009);
		taskdef_free(td);
	}
	REG_NO("'networkMode':'host'", "{'name':'a','memory':64,'portMappings':"
	       "[{'containerPortRange':'8000-8009'}]}", "only allowed in bridge or awsvpc");
	/* B18: default mode is not bridge for ranges (B14 covers ports, not ranges) */
	REG_NO("'networkMode':'default'", "{'name':'a','memory':64,'portMappings':"
	       "[{'containerPortRange':'100-200'}]}",
	       "portMappings[0].containerPortRange: only allowed in bridge or awsvpc network "
	       "mode, not default");
	REG_NO("", "{'name':'a','memory':64,'portMappings':[{'containerPortRange':'8000-8009',"
	       "'containerPort':8000}]}", "cannot be combined");
	REG_NO("", "{'name':'a','memory':64,'portMappings':[{'containerPortRange':'9-3'}]}",
	       "expected \"LO-HI\"");
	REG_NO("", "{'name':'a','memory':64,'portMappings':[{'containerPortRange':'0-3'}]}",
	       "expected \"LO-HI\"");
}

static void test_awsvpc_ports(void)
{
	struct err e;
	struct taskdef *td;

	td = REG_OK("'networkMode':'awsvpc'", "{'name':'a','memory':64,'portMappings':"
		    "[{'containerPort':8080,'hostPort':8080},{'containerPort':2000,'protocol':'udp'}]},"
		    "{'name':'b','memory':64,'portMappings':[{'containerPort':443}]}");
	if (td) {
		T_EQ(td->eni, 1);
		T_EQ(td->n_host_ports_tcp, 0);      /* B17: not reserved on the instance */
		T_EQ(td->n_host_ports_udp, 0);
		T_EQ(td->n_awsvpc_ports_tcp, 2);
		T_EQ(td->awsvpc_ports_tcp[0], 443);
		T_EQ(td->awsvpc_ports_tcp[1], 8080);
		T_EQ(td->n_awsvpc_ports_udp, 1);
		T_EQ(td->awsvpc_ports_udp[0], 2000);
		T_EQ(td->dynamic_ports, 0);
		taskdef_free(td);
	}
	REG_NO("'networkMode':'awsvpc'", "{'name':'a','memory':64,'portMappings':"
	       "[{'containerPort':5601,'hostPort':80}]}", "in awsvpc network mode, got 80");
	REG_NO("'networkMode':'awsvpc'", "{'name':'a','memory':64,'portMappings':"
	       "[{'containerPort':80}]},{'name':'b','memory':64,'portMappings':[{'containerPort':80}]}",
	       "tcp port 80 is mapped twice");
}

/* ---- B19 containers ----------------------------------------------------- */

static void test_containers(void)
{
	struct err e;
	struct taskdef *td;
	char cs[4096];
	size_t k = 0;

	td = REG_OK("", C_A ",{'name':'b','memory':64,'essential':false}");
	if (td) {
		T_EQ(td->containers[0].essential, 1);
		T_EQ(td->containers[1].essential, 0);
		T_EQ(td->n_essential, 1);
		taskdef_free(td);
	}
	REG_NO("", "{'name':'a','memory':64,'essential':false}",
	       "no essential container");
	REG_NO("", "{'name':'a','memory':64,'essential':'yes'}", "expected true or false");
	REG_NO("", "{'image':'i','memory':64}", "$.containerDefinitions[0].name: required member");
	REG_NO("", "{'name':'a.b','memory':64}", "invalid container name \"a.b\"");
	REG_NO("", "{'name':'$NAME','memory':64}", "name: template placeholder");
	REG_NO("", C_A "," C_A, "$.containerDefinitions[1]: duplicate container name \"a\"");
	REG_NO("", "", "at least one container definition");
	REG_NO("", "7", "$.containerDefinitions[0]: expected an object");
	for (int i = 0; i < 11; i++)
		k += (size_t)snprintf(cs + k, sizeof cs - k, "%s{'name':'c%d','memory':64}",
				      i ? "," : "", i);
	REG_NO("", cs, "at most 10 container definitions, got 11");
	cs[strlen(cs) - strlen(",{'name':'c10','memory':64}")] = '\0';
	td = REG_OK("", cs);
	if (td) {
		T_EQ(td->n_containers, 10);
		T_EQ(td->memory_mib, 640);
		taskdef_free(td);
	}
	/* image length */
	{
		char img[300], c[600];

		memset(img, 'i', 256);
		img[256] = '\0';
		snprintf(c, sizeof c, "{'name':'a','memory':64,'image':'%s'}", img);
		REG_NO("", c, "image: longer than 255");
		snprintf(c, sizeof c, "{'name':'a','memory':64,'image':'r/%s@sha256:%064d'}",
			 img + 60, 0);
		taskdef_free(REG_OK("", c));
	}
	/* links */
	taskdef_free(REG_OK("", C_A ",{'name':'b','memory':64,'links':['a:db']}"));
	REG_NO("", C_A ",{'name':'b','memory':64,'links':['zz:db']}",
	       "links[0]: link \"zz:db\" names no other container");
	REG_NO("'networkMode':'awsvpc'", C_A ",{'name':'b','memory':64,'links':['a']}",
	       "links: only allowed in bridge network mode");
	/* GPUs */
	td = REG_OK("", "{'name':'a','memory':64,'resourceRequirements':[{'type':'GPU','value':'2'}]},"
		    "{'name':'b','memory':64,'resourceRequirements':[{'type':'GPU','value':'1'},"
		    "{'type':'InferenceAccelerator','value':'dev1'}]}");
	if (td) {
		T_EQ(td->gpu, 3);
		T_EQ(td->containers[0].gpu, 2);
		taskdef_free(td);
	}
	REG_NO("", "{'name':'a','memory':64,'resourceRequirements':[{'type':'GPU','value':'0'}]}",
	       "resourceRequirements[0].value: expected a whole number of GPUs");
	REG_NO("", "{'name':'a','memory':64,'resourceRequirements':[{'type':'GPU','value':'1.5'}]}",
	       "whole number of GPUs");
	/* restartPolicy */
	REG_NO("", "{'name':'a','memory':64,'restartPolicy':{'enabled':true,'restartAttemptPeriod':59}}",
	       "restartPolicy.restartAttemptPeriod: expected integer in [60, 1800]");
	taskdef_free(REG_OK("", "{'name':'a','memory':64,'restartPolicy':{'enabled':true,"
			    "'restartAttemptPeriod':1800,'ignoredExitCodes':[0,1]}}"));
	k = (size_t)snprintf(cs, sizeof cs, "{'name':'a','memory':64,'restartPolicy':"
			     "{'ignoredExitCodes':[0");
	for (int i = 1; i < 51; i++)
		k += (size_t)snprintf(cs + k, sizeof cs - k, ",%d", i);
	snprintf(cs + k, sizeof cs - k, "]}}");
	REG_NO("", cs, "at most 50 exit codes");
	/* timeouts */
	td = REG_OK("", "{'name':'a','memory':64,'stopTimeout':20,'startTimeout':300},"
		    "{'name':'b','memory':64,'stopTimeout':90}");
	if (td) {
		T_EQ(td->stop_timeout_s, 90);
		T_EQ(td->containers[0].start_timeout_s, 300);
		T_EQ(td->containers[1].start_timeout_s, -1);
		taskdef_free(td);
	}
	td = REG_OK("", C_A);
	if (td) {
		T_EQ(td->stop_timeout_s, -1);
		T_EQ(td->containers[0].stop_timeout_s, -1);
		taskdef_free(td);
	}
}

static void test_depends_on(void)
{
	struct err e;

	taskdef_free(REG_OK("", C_A ",{'name':'b','memory':64,'dependsOn':"
			    "[{'containerName':'a','condition':'START'},"
			    "{'containerName':'a','condition':'HEALTHY'}]}"));
	REG_NO("", C_A ",{'name':'b','memory':64,'dependsOn':[{'containerName':'zz',"
	       "'condition':'START'}]}", "dependsOn[0].containerName: \"zz\" names no other");
	REG_NO("", "{'name':'a','memory':64,'dependsOn':[{'containerName':'a','condition':'START'}]}",
	       "names no other container");
	REG_NO("", C_A ",{'name':'b','memory':64,'dependsOn':[{'containerName':'a',"
	       "'condition':'READY'}]}", "condition: expected START, COMPLETE, SUCCESS or HEALTHY");
	REG_NO("", C_A ",{'name':'b','memory':64,'dependsOn':[{'containerName':'a',"
	       "'condition':'COMPLETE'}]}", "COMPLETE cannot target the essential container");
	REG_NO("", C_A ",{'name':'b','memory':64,'dependsOn':[{'containerName':'a',"
	       "'condition':'SUCCESS'}]}", "SUCCESS cannot target");
	taskdef_free(REG_OK("", C_A ",{'name':'init','memory':64,'essential':false},"
			    "{'name':'b','memory':64,'dependsOn':[{'containerName':'init',"
			    "'condition':'SUCCESS'}]}"));
	REG_NO("", C_A ",{'name':'b','memory':64,'dependsOn':[{'containerName':'a'}]}",
	       "condition: required member is missing");
}

static void test_health_check(void)
{
	static const struct { const char *hc; const char *want; } bad[] = {
		{ "'interval':4", "healthCheck.interval: expected integer in [5, 300]" },
		{ "'interval':301", "healthCheck.interval" },
		{ "'timeout':1", "healthCheck.timeout: expected integer in [2, 60]" },
		{ "'timeout':61", "healthCheck.timeout" },
		{ "'retries':0", "healthCheck.retries: expected integer in [1, 10]" },
		{ "'retries':11", "healthCheck.retries" },
		{ "'startPeriod':-1", "healthCheck.startPeriod: expected integer in [0, 300]" },
		{ "'startPeriod':301", "healthCheck.startPeriod" },
		{ "'interval':'30'", "got string" },
	};
	struct err e;
	struct taskdef *td;

	td = REG_OK("", "{'name':'a','memory':64,'healthCheck':{'command':['CMD-SHELL','true'],"
		    "'interval':5,'timeout':2,'retries':1,'startPeriod':0}},"
		    "{'name':'b','memory':64,'healthCheck':{'command':['CMD','x'],"
		    "'interval':300,'timeout':60,'retries':10,'startPeriod':300}},"
		    "{'name':'c','memory':64,'healthCheck':{'command':['CMD','x']}}");
	if (td) {
		T_EQ(td->containers[0].has_health_check, 1);
		T_EQ(td->containers[2].has_health_check, 1);
		/* the values are kept (docs/ecs-model.md §1.4); absent ones take
		 * the API's defaults 30 / 5 / 3 / 0 */
		T_EQ(td->containers[0].hc_interval_s, 5);
		T_EQ(td->containers[0].hc_timeout_s, 2);
		T_EQ(td->containers[0].hc_retries, 1);
		T_EQ(td->containers[0].hc_start_period_s, 0);
		T_EQ(td->containers[1].hc_interval_s, 300);
		T_EQ(td->containers[1].hc_timeout_s, 60);
		T_EQ(td->containers[1].hc_retries, 10);
		T_EQ(td->containers[1].hc_start_period_s, 300);
		T_EQ(td->containers[2].hc_interval_s, 30);
		T_EQ(td->containers[2].hc_timeout_s, 5);
		T_EQ(td->containers[2].hc_retries, 3);
		T_EQ(td->containers[2].hc_start_period_s, 0);
		/* §5.2, choice E110: every essential container's first check at
		 * or after the ready time; the latest wins */
		T_EQ(taskdef_healthy_ms(td, 0), 300000);
		taskdef_free(td);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char c[300];

		snprintf(c, sizeof c, "{'name':'a','memory':64,'healthCheck':{'command':"
			 "['CMD','x'],%s}}", bad[i].hc);
		REG_NO("", c, bad[i].want);
	}
	REG_NO("", "{'name':'a','memory':64,'healthCheck':{'command':[]}}",
	       "healthCheck.command: must not be empty");
	REG_NO("", "{'name':'a','memory':64,'healthCheck':{'command':['/healthcheck']}}",
	       "must start with \"CMD\" or \"CMD-SHELL\"");
	REG_NO("", "{'name':'a','memory':64,'healthCheck':{'command':['CMD',1]}}",
	       "expected an array of strings");
	REG_NO("", "{'name':'a','memory':64,'healthCheck':{'interval':30}}",
	       "healthCheck.command: required member is missing");
}

/* ---- B21 constraints ---------------------------------------------------- */

static void test_constraints(void)
{
	struct err e;
	struct taskdef *td;
	char top[2048];
	size_t k;

	td = REG_OK("'placementConstraints':[{'type':'memberOf','expression':"
		    "'attribute:ecs.instance-type =~ m5.*'},{'type':'memberOf','expression':"
		    "'attribute:ecs.os-type == linux'}]", C_A);
	if (td) {
		T_EQ(td->n_constraints, 2);
		T_STREQ(td->constraints[0], "attribute:ecs.instance-type =~ m5.*");
		T_STREQ(td->constraints[1], "attribute:ecs.os-type == linux");
		taskdef_free(td);
	}
	REG_NO("'placementConstraints':[{'type':'distinctInstance'}]", C_A,
	       "placementConstraints[0].type: only \"memberOf\"");
	REG_NO("'placementConstraints':[{'type':'memberOf'}]", C_A,
	       "placementConstraints[0].expression: required member is missing");
	k = (size_t)snprintf(top, sizeof top, "'placementConstraints':[");
	for (int i = 0; i < 11; i++)
		k += (size_t)snprintf(top + k, sizeof top - k, "%s{'type':'memberOf','expression':"
				      "'attribute:a == %d'}", i ? "," : "", i);
	snprintf(top + k, sizeof top - k, "]");
	REG_NO(top, C_A, "at most 10 constraints, got 11");
}

/* ---- docs/ecs-model.md §1.12 example ----------------------------------------------------- */

static void test_example_1_12(void)
{
	struct err e;
	struct taskdef *td = DOC_OK(
		"{'family':'sim-web','networkMode':'bridge','requiresCompatibilities':['EC2'],"
		"'containerDefinitions':[{'name':'app','image':'example/app:1.4','cpu':256,"
		"'memory':512,'memoryReservation':256,'essential':true,'portMappings':"
		"[{'containerPort':8080,'hostPort':0,'protocol':'tcp'}],'healthCheck':{'command':"
		"['CMD-SHELL','curl -fs http://localhost:8080/ping || exit 1'],'interval':15,"
		"'timeout':5,'retries':3,'startPeriod':30},'stopTimeout':20},{'name':'log-sidecar',"
		"'image':'example/logger:2','cpu':64,'memoryReservation':64,'essential':false,"
		"'dependsOn':[{'containerName':'app','condition':'START'}]}],'placementConstraints':"
		"[{'type':'memberOf','expression':'attribute:ecs.instance-type =~ m5.*'}]}");

	if (!td)
		return;
	T_EQ(td->cpu_units, 320);
	T_EQ(td->memory_mib, 320);
	T_EQ(td->memory_reservation_mib, 320);
	T_EQ(td->n_host_ports_tcp, 0);
	T_EQ(td->n_host_ports_udp, 0);
	T_EQ(td->dynamic_ports, 1);
	T_EQ(td->eni, 0);
	T_EQ(td->gpu, 0);
	T_EQ(td->n_constraints, 1);
	T_EQ(td->stop_timeout_s, 20);
	T_EQ(td->n_essential, 1);
	T_EQ(td->containers[0].has_health_check, 1);
	T_EQ(td->containers[1].has_health_check, 0);
	taskdef_free(td);
}

/* ---- syntax errors on template text (taskdef_load) --------------------- */

static struct taskdef *load_text(const char *text, struct err *e)
{
	char path[] = "/tmp/ecsim-td-XXXXXX";
	int fd = mkstemp(path);
	struct taskdef *td;
	FILE *f;

	CU_ASSERT_FATAL(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	err_clear(e);
	td = taskdef_load(path, "x", e);
	unlink(path);
	return td;
}

static void test_template_syntax(void)
{
	struct err e;

	check_refused(__LINE__, load_text("{\"family\": \"f\",\n \"cpu\": ${app_cpu},\n"
					  " \"containerDefinitions\": []}", &e), &e,
		      "template placeholder");
	T_EQ(e.line, 2);
	check_refused(__LINE__, load_text("[{\"name\": \"a\", \"command\": [ {{command}} ]}]", &e),
		      &e, "template placeholder");
	check_refused(__LINE__, load_text("{\"family\": $NAME}", &e), &e, "template placeholder");
	/* a genuine syntax error next to a placeholder inside a string is not one */
	load_text("{\"family\": \"f\", \"x\": \"${A}\"\n \"y\": 1}", &e);
	CU_ASSERT(strstr(e.msg, "syntax error") != NULL);
	CU_ASSERT(strstr(e.msg, "template placeholder") == NULL);
	check_refused(__LINE__, load_text("", &e), &e, "empty document");
	check_refused(__LINE__, taskdef_load("/nonexistent/td.json", NULL, &e), &e,
		      "/nonexistent/td.json: cannot open");
}

/* ---- taskdef_to_json ---------------------------------------------------- */

static const cJSON *item(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!v) {
		char m[100];

		snprintf(m, sizeof m, "missing member %s", k);
		T_FAIL(m);
	}
	return v;
}

static double num(const cJSON *o, const char *k)
{
	const cJSON *v = item(o, k);

	CU_ASSERT(cJSON_IsNumber(v));
	return v ? v->valuedouble : -1;
}

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = item(o, k);

	return cJSON_IsString(v) ? v->valuestring : "(not a string)";
}

static void int_array_is(const cJSON *a, const int *want, int n)
{
	int i = 0;

	CU_ASSERT(cJSON_IsArray(a));
	if (!cJSON_IsArray(a))
		return;
	T_EQ(cJSON_GetArraySize(a), n);
	for (const cJSON *v = a->child; v && i < n; v = v->next, i++)
		T_EQ(v->valuedouble, want[i]);
}

/* A Fargate task with a log router, an app and an Envoy sidecar
 * (tests/data/taskdefs/register-fargate-sidecars.json). */
static void test_to_json(void)
{
	static const int aw_tcp[] = { 9080, 9901, 15000, 15001 };
	struct err e;
	struct taskdef *td = ok_at(__LINE__, taskdef_load(OWN "register-fargate-sidecars.json",
							 NULL, &e), &e);
	char *s;
	cJSON *o;
	const cJSON *c, *cs, *p;

	if (!td)
		return;
	s = taskdef_to_json(td);
	o = cJSON_Parse(s);
	CU_ASSERT_PTR_NOT_NULL(o);
	if (!o) {
		free(s);
		taskdef_free(td);
		return;
	}
	T_STREQ(str(o, "family"), "shop-sidecars");
	CU_ASSERT(cJSON_IsNull(item(o, "revision")));
	T_STREQ(str(o, "shape"), "register");
	T_EQ(cJSON_GetArraySize(item(o, "launchTypes")), 1);
	T_STREQ(cJSON_GetArrayItem(item(o, "launchTypes"), 0)->valuestring, "FARGATE");
	T_STREQ(str(o, "networkMode"), "awsvpc");
	T_EQ(num(o, "taskCpu"), 1024);
	T_EQ(num(o, "taskMemory"), 2048);
	T_EQ(num(o, "cpu"), 1024);
	T_EQ(num(o, "memory"), 2048);
	T_EQ(num(o, "memoryReservation"), 50);
	T_EQ(num(o, "gpu"), 0);
	T_EQ(num(o, "eni"), 1);
	int_array_is(item(item(o, "hostPorts"), "tcp"), NULL, 0);
	int_array_is(item(item(o, "hostPorts"), "udp"), NULL, 0);
	T_EQ(num(o, "dynamicPorts"), 0);
	int_array_is(item(item(o, "awsvpcPorts"), "tcp"), aw_tcp, 4);
	int_array_is(item(item(o, "awsvpcPorts"), "udp"), NULL, 0);
	T_EQ(cJSON_GetArraySize(item(o, "constraints")), 0);
	CU_ASSERT(cJSON_IsNull(item(o, "runtimePlatform")));
	CU_ASSERT(cJSON_IsFalse(item(o, "windows")));
	CU_ASSERT(cJSON_IsNull(item(o, "stopTimeout")));
	T_EQ(num(o, "essentialContainers"), 3);
	cs = item(o, "containers");
	T_EQ(cJSON_GetArraySize(cs), 3);
	c = cJSON_GetArrayItem(cs, 0);
	T_STREQ(str(c, "name"), "log_router");
	CU_ASSERT(cJSON_IsTrue(item(c, "essential")));
	T_EQ(num(c, "cpu"), 0);
	T_EQ(num(c, "memory"), 0);
	T_EQ(num(c, "memoryReservation"), 50);
	T_EQ(cJSON_GetArraySize(item(c, "ports")), 0);
	CU_ASSERT(cJSON_IsFalse(item(c, "healthCheck")));
	c = cJSON_GetArrayItem(cs, 2);
	T_STREQ(str(c, "name"), "envoy");
	CU_ASSERT(cJSON_IsTrue(item(c, "healthCheck")));
	CU_ASSERT(cJSON_IsNull(item(c, "stopTimeout")));
	CU_ASSERT(cJSON_IsNull(item(c, "startTimeout")));
	T_EQ(cJSON_GetArraySize(item(c, "ports")), 3);
	p = cJSON_GetArrayItem(item(c, "ports"), 1);
	T_EQ(num(p, "containerPort"), 15000);
	T_EQ(num(p, "hostPort"), 15000);
	T_STREQ(str(p, "protocol"), "tcp");
	T_STREQ(str(p, "kind"), "awsvpc");
	cJSON_Delete(o);
	free(s);
	taskdef_free(td);
	taskdef_free(NULL);
}

/* §1.1 "Maximum definition size 64 KiB" (choice E168): measured on the
 * definition as compact JSON.  A definition of exactly 65,536 bytes so is
 * accepted, one byte more refused at $ naming the size; whitespace in the
 * file does not count; a DescribeTaskDefinition wrapper is measured on its
 * taskDefinition object. */
static cJSON *sized_def(size_t want)
{
	cJSON *root = cJSON_Parse("{\"family\":\"big\",\"containerDefinitions\":[{\"name\":\"c\","
				  "\"image\":\"x\",\"memory\":512,\"environment\":[{\"name\":\"V\",\"value\":\"\"}]}]}");
	char *text = cJSON_PrintUnformatted(root), *pad;
	size_t base = strlen(text);
	cJSON *env = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(
		cJSON_GetObjectItem(root, "containerDefinitions"), 0), "environment"), 0);

	free(text);
	pad = malloc(want - base + 1);
	memset(pad, 'A', want - base);
	pad[want - base] = 0;
	cJSON_ReplaceItemInObject(env, "value", cJSON_CreateString(pad));
	free(pad);
	text = cJSON_PrintUnformatted(root);
	T_EQ(strlen(text), want);
	free(text);
	return root;
}

static void test_size_limit(void)
{
	struct err e;
	struct taskdef *td;
	cJSON *ok = sized_def(65536), *big = sized_def(65537), *wrap = cJSON_CreateObject();
	char *pretty = cJSON_Print(ok), msg[600];

	td = taskdef_from_json(ok, "ok.json", "$", NULL, &e);
	CU_ASSERT_PTR_NOT_NULL(td);
	taskdef_free(td);
	td = taskdef_from_json(big, "big.json", "$", NULL, &e);
	CU_ASSERT_PTR_NULL(td);
	if (!td) {
		err_format(&e, msg, sizeof msg);
		t_msg_eq(msg, "big.json: $: task definition is 65537 bytes as compact JSON, "
			 "over ECS's limit of 64 KiB (65536 bytes)");
	}
	taskdef_free(td);
	/* the file's whitespace does not count: the pretty text is larger */
	CU_ASSERT(strlen(pretty) > 65536);
	free(pretty);
	cJSON_AddItemToObject(wrap, "taskDefinition", big);
	td = taskdef_from_json(wrap, "d.json", "$", NULL, &e);
	CU_ASSERT_PTR_NULL(td);
	if (!td) {
		err_format(&e, msg, sizeof msg);
		CU_ASSERT_PTR_NOT_NULL(strstr(msg, "$.taskDefinition: task definition is 65537 bytes"));
	}
	taskdef_free(td);
	cJSON_Delete(ok);
	cJSON_Delete(wrap);
}

static CU_TestInfo corpus_tests[] = {
	{ "every corpus file as expected", test_corpus_table },
	{ "SOURCES.tsv and folder covered", test_corpus_coverage },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo own_tests[] = {
	{ "B1 the three shapes, from files", test_own_shapes },
	{ "every refusal rule, message pinned", test_own_refusals },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo rule_tests[] = {
	{ "B1 shapes, bare array family", test_shapes },
	{ "B20 family and revision", test_family_revision },
	{ "E168 the 64 KiB size limit", test_size_limit },
	{ "B2 B3 strict JSON, null members", test_json_strictness },
	{ "B4 integers and placeholders", test_integers },
	{ "B6 vCPU / GB strings", test_size_strings },
	{ "B7 EC2 cpu range", test_ec2_cpu_range },
	{ "B13 Fargate size table", test_fargate_table },
	{ "B8-B11 A14 memory", test_memory_rules },
	{ "B12 launch types", test_launch_types },
	{ "B14 network modes", test_network_modes },
	{ "B15 Windows, runtimePlatform", test_windows },
	{ "B16 B18 ports", test_ports },
	{ "B17 awsvpc ports", test_awsvpc_ports },
	{ "B19 containers", test_containers },
	{ "B19 dependsOn", test_depends_on },
	{ "B19 healthCheck", test_health_check },
	{ "B21 constraints", test_constraints },
	{ "1.12 example costs 320/320", test_example_1_12 },
	{ "B4 placeholders breaking syntax", test_template_syntax },
	CU_TEST_INFO_NULL,
};

/* taskdef_stop_wait_exit_ms's one pass for a definition with no
 * dependsOn against its general walk (stop_wait_of, taken when has_deps is
 * set; with no entry to follow it walks the same containers): 10,000
 * random definitions of 1 to 10 containers (stopTimeout absent or 0 to
 * 150 s, the essential ones at random, at least one), random shutdown,
 * default and exit times. */
static void test_stop_wait_one_pass(void)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	struct td_container ct[10];
	struct taskdef td;
	int bad = 0;

	gsl_rng_set(r, 15);
	for (int n = 0; n < 10000; n++) {
		int64_t shutdown = (int64_t)gsl_rng_uniform_int(r, 200000);
		int64_t dflt = (int64_t)gsl_rng_uniform_int(r, 200000);
		int64_t exit_ms = (int64_t)gsl_rng_uniform_int(r, 200000) - 1000;
		int64_t one, walk;

		memset(&td, 0, sizeof td);
		memset(ct, 0, sizeof ct);
		td.containers = ct;
		td.n_containers = 1 + (int)gsl_rng_uniform_int(r, 10);
		for (int i = 0; i < td.n_containers; i++) {
			ct[i].essential = gsl_rng_uniform(r) < 0.5;
			ct[i].stop_timeout_s = gsl_rng_uniform(r) < 0.4 ? -1 : (int)gsl_rng_uniform_int(r, 151);
		}
		ct[gsl_rng_uniform_int(r, (unsigned long)td.n_containers)].essential = 1;
		one = taskdef_stop_wait_exit_ms(&td, shutdown, dflt, exit_ms);
		td.has_deps = 1;
		walk = taskdef_stop_wait_exit_ms(&td, shutdown, dflt, exit_ms);
		if (one != walk && bad++ < 5) {
			char msg[160];

			snprintf(msg, sizeof msg, "case %d: %d containers, one pass %lld ms, walk %lld ms", n,
				 td.n_containers, (long long)one, (long long)walk);
			T_FAIL(msg);
		}
	}
	T_EQ(bad, 0);
	gsl_rng_free(r);
}

static CU_TestInfo stop_tests[] = {
	{ "E159 stop wait after the exit: one pass = the walk", test_stop_wait_one_pass },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo json_tests[] = {
	{ "taskdef_to_json field by field", test_to_json },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "taskdef-own-files", NULL, NULL, NULL, NULL, own_tests },
	{ "taskdef-corpus", NULL, NULL, NULL, NULL, corpus_tests },
	{ "taskdef-rules", NULL, NULL, NULL, NULL, rule_tests },
	{ "taskdef-json", NULL, NULL, NULL, NULL, json_tests },
	{ "taskdef-stop", NULL, NULL, NULL, NULL, stop_tests },
	CU_SUITE_INFO_NULL,
};
