/* tests/test_inst_facts.c — facts of container instances (docs/ecs-model.md
 * §2): the built-in attributes ecs.vpc-id, ecs.subnet-id (§2.2, choice E161)
 * and ecs.awsvpc-trunk-id (E162), every attribute a group gives held (the
 * ecs.* ones beside the 10 custom ones), ENI trunking only on Linux with agent
 * ≥ 1.28.1 (§2.5), the agent-reserved ports as settings (§1.8, D2, D3), a
 * registration that fails because ECS_RESERVED_MEMORY exceeds the host's
 * memory (§2.1, E164), and a host that fails for good with its agent
 * silent: not deregistered automatically (§2.4, E163).
 * Expected placements, counts and dollars come from the rules, by hand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/tutil.h"
#include "models/backplane.h"
#include "models/cluster.h"
#include "models/scenario.h"
#include "sim/err.h"
#include "sim/sim.h"

#define HEAD(name, dur) "{\"name\":\"" name "\",\"durationSeconds\":" #dur "," \
	"\"region\":\"us-east-1\",\"availabilityZones\":[\"us-east-1a\",\"us-east-1b\"],"

#define GROUP(type, az, n, extra) "{\"instanceType\":\"" type "\",\"availabilityZone\":\"" az "\"," \
	"\"count\":" #n extra "}"

#define TRACE_HDR "time_s,event,target,taskdef,count,duration_s,group\n"

/* a small bridge task with one memberOf constraint */
static void td_member(const char *file, const char *expr)
{
	char t[600], fam[64];

	/* family = the file's name without "td-" and ".json" (tasks.csv's taskdef) */
	snprintf(fam, sizeof fam, "%.*s", (int)(strlen(file) - 8), file + 3);
	snprintf(t, sizeof t, "{\"family\":\"%s\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\","
		 "\"memory\":64}],\"placementConstraints\":[{\"type\":\"memberOf\",\"expression\":\"%s\"}]}",
		 fam, expr);
	rs_write(file, t);
}

static int setup(void)
{
	if (rs_setup())
		return 1;
	rs_write("small.json", "{\"family\":\"small\",\"containerDefinitions\":[{\"name\":\"a\","
		 "\"image\":\"x\",\"memory\":64}]}");
	rs_write("vpc.json", "{\"family\":\"vpc\",\"networkMode\":\"awsvpc\",\"containerDefinitions\":"
		 "[{\"name\":\"a\",\"image\":\"x\",\"memory\":64}]}");
	return 0;
}

/* instance_id of the task of taskdef `td` (the first such row); malloc'd */
static char *where(const char *tag, const char *td)
{
	int r = rs_find(tag, "tasks.csv", "taskdef", td);

	return r > 0 ? rs_cell(tag, "tasks.csv", r, "instance_id") : NULL;
}

/* tasks of tasks.csv of out-<tag> placed on instance `id` */
static int on_instance(const char *tag, const char *id)
{
	int n = 0, rows = rs_rows(tag, "tasks.csv");

	for (int r = 1; r <= rows; r++) {
		char *v = rs_cell(tag, "tasks.csv", r, "instance_id");

		n += v && strcmp(v, id) == 0;
		free(v);
	}
	return n;
}

/* §2.2: every instance carries ecs.vpc-id and ecs.subnet-id; by default the
 * VPC vpc-0ecsim000000000 and the subnet subnet-<zone> of its zone; with
 * $.network the given VPC and subnets (a zone not named keeps its default).
 * A memberOf on each value places the task on the instance that has it. */
static void test_vpc_subnet(void)
{
	td_member("td-vpc0.json", "attribute:ecs.vpc-id == vpc-0ecsim000000000");
	td_member("td-subb.json", "attribute:ecs.subnet-id == subnet-us-east-1b");
	td_member("td-suba.json", "attribute:ecs.subnet-id == subnet-us-east-1a");
	rs_write("d.json", HEAD("d", 100)
		 "\"instanceGroups\":[" GROUP("m5.large", "us-east-1a", 1, "") ","
		 GROUP("m5.large", "us-east-1b", 1, "") "],"
		 "\"taskDefinitions\":{\"vpc0\":\"td-vpc0.json\",\"subb\":\"td-subb.json\",\"suba\":\"td-suba.json\"},"
		 "\"pending\":{\"mode\":\"fail\"},\"workload\":{\"traces\":[\"d.csv\"]}}");
	rs_write("d.csv", TRACE_HDR "0,run_task,,vpc0,2,,\n1,run_task,,subb,1,,\n2,run_task,,suba,1,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("d.json", "d", NULL, NULL, NULL), 0);
	T_EQ(on_instance("d", "ci-00001") + on_instance("d", "ci-00002"), 4);
	{
		char *b = where("d", "subb"), *a = where("d", "suba");

		T_STREQ(b, "ci-00002");
		T_STREQ(a, "ci-00001");
		free(a);
		free(b);
	}

	td_member("td-vpc1.json", "attribute:ecs.vpc-id == vpc-1234");
	td_member("td-suba2.json", "attribute:ecs.subnet-id == subnet-aaa");
	rs_write("n.json", HEAD("n", 100)
		 "\"network\":{\"vpcId\":\"vpc-1234\",\"subnets\":{\"us-east-1a\":\"subnet-aaa\"}},"
		 "\"instanceGroups\":[" GROUP("m5.large", "us-east-1a", 1, "") ","
		 GROUP("m5.large", "us-east-1b", 1, "") "],"
		 "\"taskDefinitions\":{\"vpc1\":\"td-vpc1.json\",\"subb\":\"td-subb.json\",\"suba2\":\"td-suba2.json\","
		 "\"vpc0\":\"td-vpc0.json\"},"
		 "\"pending\":{\"mode\":\"fail\"},\"workload\":{\"traces\":[\"n.csv\"]}}");
	rs_write("n.csv", TRACE_HDR "0,run_task,,vpc1,2,,\n1,run_task,,subb,1,,\n2,run_task,,suba2,1,,\n"
		 "3,run_task,,vpc0,1,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("n.json", "n", NULL, NULL, NULL), 0);
	{
		char *b = where("n", "subb"), *a = where("n", "suba2"), *v0 = where("n", "vpc0");

		T_STREQ(b, "ci-00002");
		T_STREQ(a, "ci-00001");
		T_STREQ(v0, "");          /* no instance is in the default VPC any more */
		free(a);
		free(b);
		free(v0);
	}
	T_EQ(on_instance("n", "ci-00001") + on_instance("n", "ci-00002"), 4);
}

/* spread on attribute:ecs.subnet-id: 6 tasks over two subnets are 3 and 3,
 * so the one instance of us-east-1b takes 3 while the three of us-east-1a
 * take 3 between them. */
static void test_spread_subnet(void)
{
	rs_write("sp.json", HEAD("sp", 100)
		 "\"instanceGroups\":[" GROUP("m5.large", "us-east-1a", 3, "") ","
		 GROUP("m5.large", "us-east-1b", 1, "") "],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"placement\":{\"strategy\":[{\"type\":\"spread\",\"field\":\"attribute:ecs.subnet-id\"}]},"
		 "\"pending\":{\"mode\":\"fail\"},\"workload\":{\"traces\":[\"sp.csv\"]}}");
	rs_write("sp.csv", TRACE_HDR "0,run_task,,small,6,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("sp.json", "sp", NULL, NULL, NULL), 0);
	T_EQ(on_instance("sp", "ci-00004"), 3);
	T_EQ(on_instance("sp", "ci-00001") + on_instance("sp", "ci-00002") + on_instance("sp", "ci-00003"), 3);
}

/* §2.5: trunking is Linux only, agent ≥ 1.28.1, supported types: 14 awsvpc
 * tasks on one m5.large (max ENIs 3, trunking limit 10) place 10 on Linux
 * with trunking, 2 (= 3 − 1) on Windows with trunking, 2 with agent
 * 1.28.0, and 2 on a t3.medium (no trunking limit).  §2.2: only the
 * instance with trunking in effect has ecs.awsvpc-trunk-id. */
static void test_trunking(void)
{
	static const struct { const char *settings, *type; int placed, trunk; } c[] = {
		{ "{\"eniTrunking\":true}", "m5.large", 10, 1 },
		{ "{\"eniTrunking\":true,\"osFamily\":\"WINDOWS_SERVER_2019_CORE\"}", "m5.large", 2, 0 },
		{ "{\"eniTrunking\":true,\"agentVersion\":\"1.28.0\"}", "m5.large", 2, 0 },
		{ "{\"eniTrunking\":true,\"agentVersion\":\"1.28.1\"}", "m5.large", 10, 1 },
		{ "{\"eniTrunking\":true}", "t3.medium", 2, 0 },
		{ "{}", "m5.large", 2, 0 },
	};

	td_member("td-trunk.json", "attribute:ecs.awsvpc-trunk-id exists");
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		char text[1200], tag[16];
		char *w;

		snprintf(text, sizeof text, HEAD("tr", 100)
			 "\"instanceGroups\":[{\"instanceType\":\"%s\",\"availabilityZone\":\"us-east-1a\","
			 "\"settings\":%s}],"
			 "\"taskDefinitions\":{\"vpc\":\"vpc.json\",\"trunk\":\"td-trunk.json\"},"
			 "\"pending\":{\"mode\":\"fail\"},\"workload\":{\"traces\":[\"tr.csv\"]}}",
			 c[i].type, c[i].settings);
		rs_write("tr.json", text);
		rs_write("tr.csv", TRACE_HDR "0,run_task,,vpc,14,,\n1,run_task,,trunk,1,,\n");
		snprintf(tag, sizeof tag, "tr%zu", i);
		CU_ASSERT_EQUAL_FATAL(rs_run("tr.json", tag, NULL, NULL, NULL), 0);
		T_EQ(on_instance(tag, "ci-00001"), c[i].placed + c[i].trunk);
		w = where(tag, "trunk");
		T_STREQ(w, c[i].trunk ? "ci-00001" : "");
		free(w);
	}
}

/* Bad $.network and built-in attributes set by hand are refused at their
 * JSON path; a reservedMemoryMiB above the memory the OS reports is refused
 * where it is given (§2.1: the agent's registration would fail); equal to
 * it is accepted (0 MiB registered, as the agent does). */
static void test_refused(void)
{
	static const struct { const char *body, *path, *reason; } bad[] = {
		{ "\"network\":{\"subnets\":{\"us-east-1c\":\"subnet-c\"}}", "$.network.subnets.us-east-1c",
		  "not one of" },
		{ "\"network\":{\"subnets\":{\"us-east-1a\":\"s-1\",\"us-east-1b\":\"s-1\"}}",
		  "$.network.subnets.us-east-1b", "one zone" },
		{ "\"network\":{\"subnets\":{\"us-east-1a\":\"subnet-us-east-1b\"}}", "$.network.subnets",
		  "default" },
		{ "\"network\":{\"subnets\":{\"us-east-1a\":1}}", "$.network.subnets.us-east-1a", "string" },
		{ "\"network\":{\"vpcId\":\" vpc\"}", "$.network.vpcId", "attribute value" },
		{ "\"network\":{\"vpc\":\"vpc-1\"}", "$.network.vpc", "unknown member" },
		{ "\"instanceGroups\":[" GROUP("m5.large", "us-east-1a", 1,
		  ",\"attributes\":{\"ecs.subnet-id\":\"s\"}") "]", "$.instanceGroups[0].attributes.ecs.subnet-id",
		  "built-in" },
		{ "\"instanceGroups\":[" GROUP("m5.large", "us-east-1a", 1,
		  ",\"attributes\":{\"ecs.awsvpc-trunk-id\":\"e\"}") "]",
		  "$.instanceGroups[0].attributes.ecs.awsvpc-trunk-id", "built-in" },
		/* m5.large: floor(8192 × 0.975) = 7987 MiB */
		{ "\"instanceGroups\":[" GROUP("m5.large", "us-east-1a", 1,
		  ",\"settings\":{\"reservedMemoryMiB\":7988}") "]",
		  "$.instanceGroups[0].settings.reservedMemoryMiB", "7987 MiB" },
		{ "\"instanceDefaults\":{\"reservedMemoryMiB\":9000},\"instanceGroups\":["
		  GROUP("m5.large", "us-east-1a", 1, "") "]", "$.instanceDefaults.reservedMemoryMiB", "7987 MiB" },
		/* t3.medium: floor(4096 × 0.975) = 3993 */
		{ "\"instanceDefaults\":{\"reservedMemoryMiB\":3994},\"capacityProviders\":[{\"name\":\"cp\","
		  "\"autoScalingGroup\":{\"instanceType\":\"t3.medium\",\"availabilityZones\":[\"us-east-1a\"],"
		  "\"maxSize\":2}}]", "$.instanceDefaults.reservedMemoryMiB", "3993 MiB" },
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char text[1600], p[400];
		struct err e;
		struct scenario *s;

		snprintf(text, sizeof text, HEAD("bad", 60) "%s}", bad[i].body);
		rs_write("bad.json", text);
		snprintf(p, sizeof p, "%s/bad.json", rs_dir());
		err_clear(&e);
		s = scenario_load(p, &e);
		CU_ASSERT_PTR_NULL(s);
		scenario_free(s);
		if (strcmp(e.path, bad[i].path) != 0 || !strstr(e.msg, bad[i].reason)) {
			char m[1600];

			snprintf(m, sizeof m, "case %zu: got \"%.200s: %.300s\", want path %s and \"%s\"",
				 i, e.path, e.msg, bad[i].path, bad[i].reason);
			T_FAIL(m);
		} else {
			CU_PASS("refused");
		}
	}
	/* reserved = the OS's memory: registers with 0 MiB, nothing fits */
	rs_write("eq.json", HEAD("eq", 60)
		 "\"instanceGroups\":[" GROUP("m5.large", "us-east-1a", 1,
		 ",\"settings\":{\"reservedMemoryMiB\":7987}") "],"
		 "\"taskDefinitions\":{\"small\":\"small.json\"},"
		 "\"pending\":{\"mode\":\"fail\"},\"workload\":{\"traces\":[\"eq.csv\"]}}");
	rs_write("eq.csv", TRACE_HDR "0,run_task,,small,1,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("eq.json", "eq", NULL, NULL, NULL), 0);
	RS_IS("eq", "placement_failures.csv", 1, "reason", "RESOURCE:MEMORY");
	/* a trace's register_instance with the defaults: refused at its row */
	{
		char msg[600];

		rs_write("ri.json", HEAD("ri", 60) "\"instanceDefaults\":{\"reservedMemoryMiB\":5000},"
			 "\"instanceGroups\":[" GROUP("m5.large", "us-east-1a", 1, "") "],"
			 "\"workload\":{\"traces\":[\"ri.csv\"]}}");
		rs_write("ri.csv", TRACE_HDR "5,register_instance,t3.medium,,1,,us-east-1a\n");
		T_EQ(rs_run_msg("ri.json", "ri", msg, sizeof msg), -1);
		if (!strstr(msg, "ri.csv:2") || !strstr(msg, "3993 MiB"))
			T_FAIL(msg);
	}
}

/* §2.2: a group's attributes are all held.  ecs.* names (capability
 * attributes the agent would set) do not count toward the 10 custom ones,
 * so a group may give 70 of them beside 10 custom ones; with trunking the
 * instance also carries ecs.awsvpc-trunk-id: 3 + 80 + 1 attributes besides
 * the 6 built-ins.  A task that needs the last ecs.* name, the last custom
 * one and the trunk id is placed on the instance (the old code kept the
 * first 62 given ones and dropped the rest without a word).  An 11th custom
 * attribute is refused at the group's attributes. */
/* ,"attributes":{ ecs.x00..ecs.x69 (null), c0..c<custom-1> = v<k> } */
static void many_attrs(char *buf, size_t size, int custom)
{
	size_t n = 0;

	n += (size_t)snprintf(buf + n, size - n, ",\"attributes\":{");
	for (int k = 0; k < 70; k++)
		n += (size_t)snprintf(buf + n, size - n, "\"ecs.x%02d\":null,", k);
	for (int k = 0; k < custom; k++)
		n += (size_t)snprintf(buf + n, size - n, "\"c%d\":\"v%d\"%s", k, k,
				      k < custom - 1 ? "," : "}");
	CU_ASSERT_FATAL(n < size - 1);
}

static void test_many_attrs(void)
{
	char attrs[2400], text[3200];
	struct err e;
	struct scenario *s;

	many_attrs(attrs, sizeof attrs, 10);
	td_member("td-last.json", "attribute:ecs.x69 exists and attribute:c9 == v9 and "
		  "attribute:ecs.awsvpc-trunk-id exists");
	td_member("td-first.json", "attribute:ecs.x00 exists and attribute:c0 == v0");
	snprintf(text, sizeof text, HEAD("ma", 60)
		 "\"instanceGroups\":[{\"instanceType\":\"m5.large\",\"availabilityZone\":\"us-east-1a\","
		 "\"settings\":{\"eniTrunking\":true}%s}],"
		 "\"taskDefinitions\":{\"last\":\"td-last.json\",\"first\":\"td-first.json\"},"
		 "\"pending\":{\"mode\":\"fail\"},\"workload\":{\"traces\":[\"ma.csv\"]}}", attrs);
	rs_write("ma.json", text);
	rs_write("ma.csv", TRACE_HDR "0,run_task,,last,1,,\n1,run_task,,first,1,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("ma.json", "ma", NULL, NULL, NULL), 0);
	{
		char *l = where("ma", "last"), *f = where("ma", "first");

		T_STREQ(l, "ci-00001");
		T_STREQ(f, "ci-00001");
		free(l);
		free(f);
	}
	T_EQ(rs_rows("ma", "placement_failures.csv"), 0);

	/* an 11th custom attribute (§2.2: at most 10 per resource) */
	many_attrs(attrs, sizeof attrs, 11);
	snprintf(text, sizeof text, HEAD("m11", 60)
		 "\"instanceGroups\":[" GROUP("m5.large", "us-east-1a", 1, "%s") "]}", attrs);
	rs_write("m11.json", text);
	snprintf(text, sizeof text, "%s/m11.json", rs_dir());
	err_clear(&e);
	s = scenario_load(text, &e);
	CU_ASSERT_PTR_NULL(s);
	scenario_free(s);
	T_STREQ(e.path, "$.instanceGroups[0].attributes");
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "at most 10 custom attributes"));
}

/* §1.8, §2.1, choice D2: the agent-reserved ports are instance settings.
 * By default the agent reserves TCP 22 (Linux), so a host-mode task on port
 * 22 is not placed (RESOURCE:PORTS) while a udp 53 one is (no UDP ports
 * reserved).  instanceDefaults' reservedPorts without 22 lets the port-22
 * task in and still blocks 2375; a group's reservedPorts [] frees every TCP
 * port (overriding instanceDefaults' [22]) and its reservedPortsUdp [53]
 * blocks the udp 53 task. */
static void test_reserved_ports(void)
{
	static const struct { const char *defaults, *settings; int p22, p2375, u53; } c[] = {
		{ "{}", "{}", 0, 0, 1 },
		{ "{\"reservedPorts\":[2375,2376,51678,51679]}", "{}", 1, 0, 1 },
		{ "{\"reservedPorts\":[22]}", "{\"reservedPorts\":[],\"reservedPortsUdp\":[53]}", 1, 1, 0 },
	};

	rs_write("td-p22.json", "{\"family\":\"p22\",\"networkMode\":\"host\",\"containerDefinitions\":"
		 "[{\"name\":\"a\",\"image\":\"x\",\"memory\":64,\"portMappings\":[{\"containerPort\":22}]}]}");
	rs_write("td-p2375.json", "{\"family\":\"p2375\",\"containerDefinitions\":[{\"name\":\"a\","
		 "\"image\":\"x\",\"memory\":64,\"portMappings\":[{\"containerPort\":80,\"hostPort\":2375}]}]}");
	rs_write("td-u53.json", "{\"family\":\"u53\",\"networkMode\":\"host\",\"containerDefinitions\":"
		 "[{\"name\":\"a\",\"image\":\"x\",\"memory\":64,\"portMappings\":[{\"containerPort\":53,"
		 "\"protocol\":\"udp\"}]}]}");
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		char text[1200], tag[16];
		char *w;

		snprintf(text, sizeof text, HEAD("rp", 60) "\"instanceDefaults\":%s,"
			 "\"instanceGroups\":[" GROUP("m5.large", "us-east-1a", 1, ",\"settings\":%s") "],"
			 "\"taskDefinitions\":{\"p22\":\"td-p22.json\",\"p2375\":\"td-p2375.json\","
			 "\"u53\":\"td-u53.json\"},"
			 "\"pending\":{\"mode\":\"fail\"},\"workload\":{\"traces\":[\"rp.csv\"]}}",
			 c[i].defaults, c[i].settings);
		rs_write("rp.json", text);
		rs_write("rp.csv", TRACE_HDR "0,run_task,,p22,1,,\n1,run_task,,p2375,1,,\n2,run_task,,u53,1,,\n");
		snprintf(tag, sizeof tag, "rp%zu", i);
		CU_ASSERT_EQUAL_FATAL(rs_run("rp.json", tag, NULL, NULL, NULL), 0);
		w = where(tag, "p22");
		T_STREQ(w, c[i].p22 ? "ci-00001" : "");
		free(w);
		w = where(tag, "p2375");
		T_STREQ(w, c[i].p2375 ? "ci-00001" : "");
		free(w);
		w = where(tag, "u53");
		T_STREQ(w, c[i].u53 ? "ci-00001" : "");
		free(w);
		T_EQ(rs_rows(tag, "placement_failures.csv"), !c[i].p22 + !c[i].p2375 + !c[i].u53);
		if (!c[i].p22)
			RS_IS(tag, "placement_failures.csv", 1, "reason", "RESOURCE:PORTS");
	}
}

/* "[1000,1001,...]" with n ports */
static void port_list(char *buf, size_t size, int n)
{
	size_t k = 0;

	k += (size_t)snprintf(buf + k, size - k, "[");
	for (int i = 0; i < n; i++)
		k += (size_t)snprintf(buf + k, size - k, "%d%s", 1000 + i, i < n - 1 ? "," : "]");
	CU_ASSERT_FATAL(k < size - 1);
}

/* §1.8, §4.2, choices D3, E235: an instance already holding 100 reserved
 * ports (here the agent's list, ports 1000-1099) takes no task with a
 * static host port, though none of its ports is in use: the failure is
 * RESOURCE:PORTS, as a port in use, and the service event says it in the
 * same words, "is already using a port required by your task." (AWS's
 * page names "Too many ports registered" as a cause of the placement
 * failure, not as words of the message).  A task with a dynamic port only
 * is placed (dynamic ports are not counted, D14). */
static void test_port_limit_words(void)
{
	char many[800], text[2000];
	int r;

	rs_write("td-p80.json", "{\"family\":\"p80\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\","
		 "\"memory\":64,\"portMappings\":[{\"containerPort\":8080,\"hostPort\":80}]}]}");
	rs_write("td-dyn.json", "{\"family\":\"dyn\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\","
		 "\"memory\":64,\"portMappings\":[{\"containerPort\":8080}]}]}");
	port_list(many, sizeof many, 100);
	snprintf(text, sizeof text, HEAD("pl", 60) "\"instanceDefaults\":{\"reservedPorts\":%s},"
		 "\"instanceGroups\":[" GROUP("m5.large", "us-east-1a", 1, "") "],"
		 "\"taskDefinitions\":{\"p80\":\"td-p80.json\",\"dyn\":\"td-dyn.json\"},"
		 "\"services\":[{\"serviceName\":\"web\",\"taskDefinition\":\"p80\",\"desiredCount\":1},"
		 "{\"serviceName\":\"api\",\"taskDefinition\":\"dyn\",\"desiredCount\":1}]}", many);
	rs_write("pl.json", text);
	CU_ASSERT_EQUAL_FATAL(rs_run("pl.json", "pl", NULL, NULL, NULL), 0);
	T_EQ(rs_rows("pl", "placement_failures.csv"), 1);
	RS_IS("pl", "placement_failures.csv", 1, "service", "web");
	RS_IS("pl", "placement_failures.csv", 1, "reason", "RESOURCE:PORTS");
	r = rs_find("pl", "service_events.csv", "event_type", "SERVICE_TASK_PLACEMENT_FAILURE");
	CU_ASSERT_FATAL(r > 0);
	RS_IS("pl", "service_events.csv", r, "message",
	      "(service web) was unable to place a task because no container instance met all of its "
	      "requirements. The closest matching container-instance ci-00001 is already using a port "
	      "required by your task. For more information, see the Troubleshooting section.");
	RS_IS("pl", "service_summary.csv", 1, "service", "web");
	RS_IS("pl", "service_summary.csv", 1, "tasks_started", "0");
	RS_IS("pl", "service_summary.csv", 2, "tasks_started", "1");
}

/* Scenario `text` is refused at `path` with `reason` in the message; path
 * NULL: it loads. */
static void refused_at(const char *text, const char *path, const char *reason, int i)
{
	char p[400];
	struct err e;
	struct scenario *s;

	rs_write("bad.json", text);
	snprintf(p, sizeof p, "%s/bad.json", rs_dir());
	err_clear(&e);
	s = scenario_load(p, &e);
	if (!path) {
		if (!s) {
			char m[1200];

			snprintf(m, sizeof m, "case %d: refused: %.200s: %.300s", i, e.path, e.msg);
			T_FAIL(m);
		} else {
			CU_PASS("loaded");
		}
	} else if (s || strcmp(e.path, path) != 0 || !strstr(e.msg, reason)) {
		char m[1600];

		snprintf(m, sizeof m, "case %d: got %s\"%.200s: %.300s\", want path %s and \"%s\"",
			 i, s ? "a scenario, " : "", s ? "" : e.path, s ? "" : e.msg, path, reason);
		T_FAIL(m);
	} else {
		CU_PASS("refused");
	}
	scenario_free(s);
}

/* The reserved-port lists are checked where they are given: ports 1-65535,
 * each once, at most 100 reserved ports per instance, TCP and UDP together
 * with the agent defaults where a list is not given (D3). */
static void test_reserved_ports_refused(void)
{
	char many[800], text[1600];
	static const struct { const char *body, *path, *reason; } bad[] = {
		{ "\"instanceDefaults\":{\"reservedPorts\":[22,80,22]}", "$.instanceDefaults.reservedPorts[2]",
		  "tcp port 22 is listed twice" },
		{ "\"instanceDefaults\":{\"reservedPortsUdp\":[0]}", "$.instanceDefaults.reservedPortsUdp[0]",
		  "[1, 65535]" },
		{ "\"instanceDefaults\":{\"reservedPorts\":[65536]}", "$.instanceDefaults.reservedPorts[0]",
		  "[1, 65535]" },
		{ "\"instanceDefaults\":{\"reservedPorts\":\"22\"}", "$.instanceDefaults.reservedPorts", "array" },
		{ "\"instanceDefaults\":{\"reservedPorts\":[22.5]}", "$.instanceDefaults.reservedPorts[0]", "integer" },
		{ "\"instanceGroups\":[" GROUP("m5.large", "us-east-1a", 1, ",\"settings\":{\"reservedPortsUdp\":[53,53]}")
		  "]", "$.instanceGroups[0].settings.reservedPortsUdp[1]", "udp port 53 is listed twice" },
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(text, sizeof text, HEAD("bad", 60) "%s}", bad[i].body);
		refused_at(text, bad[i].path, bad[i].reason, (int)i);
	}
	/* 101 UDP ports; 96 UDP ports beside the 5 default TCP ones (101); 96
	 * beside reservedPorts [] (accepted); 90 UDP ports with a group
	 * switching to Windows (11 default TCP ports: 101) */
	port_list(many, sizeof many, 101);
	snprintf(text, sizeof text, HEAD("bad", 60) "\"instanceDefaults\":{\"reservedPortsUdp\":%s}}", many);
	refused_at(text, "$.instanceDefaults.reservedPortsUdp", "at most 100", 100);
	port_list(many, sizeof many, 96);
	snprintf(text, sizeof text, HEAD("bad", 60) "\"instanceDefaults\":{\"reservedPortsUdp\":%s}}", many);
	refused_at(text, "$.instanceDefaults.reservedPortsUdp", "5 reserved TCP and 96 UDP ports", 101);
	snprintf(text, sizeof text, HEAD("ok", 60) "\"instanceDefaults\":{\"reservedPorts\":[],"
		 "\"reservedPortsUdp\":%s}}", many);
	refused_at(text, NULL, NULL, 102);
	port_list(many, sizeof many, 90);
	snprintf(text, sizeof text, HEAD("bad", 60) "\"instanceDefaults\":{\"reservedPortsUdp\":%s},"
		 "\"instanceGroups\":[" GROUP("m5.large", "us-east-1a", 1,
		 ",\"settings\":{\"osFamily\":\"WINDOWS_SERVER_2022_FULL\"}") "]}", many);
	refused_at(text, "$.instanceGroups[0].settings.osFamily", "11 reserved TCP and 90 UDP ports", 103);
}

/* §1.11, §2.2: an instance's osFamily is one of the families a task
 * definition's runtimePlatform can name, exactly: a prefix or a typo
 * (which no definition could ever match) is refused where it is given. */
static void test_os_family_refused(void)
{
	char text[1600];
	static const struct { const char *body, *path; } cases[] = {
		{ "\"instanceDefaults\":{\"osFamily\":\"WINDOWS_SERVER_\"}", "$.instanceDefaults.osFamily" },
		{ "\"instanceDefaults\":{\"osFamily\":\"WINDOWS_SERVER_2019_FUL\"}", "$.instanceDefaults.osFamily" },
		{ "\"instanceDefaults\":{\"osFamily\":\"linux\"}", "$.instanceDefaults.osFamily" },
		{ "\"instanceGroups\":[" GROUP("m5.large", "us-east-1a", 1,
		  ",\"settings\":{\"osFamily\":\"WINDOWS_SERVER_2030_FULL\"}") "]",
		  "$.instanceGroups[0].settings.osFamily" },
		{ "\"instanceDefaults\":{\"osFamily\":\"WINDOWS_SERVER_2019_CORE\"}", NULL },
		{ "\"instanceDefaults\":{\"osFamily\":\"WINDOWS_SERVER_20H2_CORE\"}", NULL },
		{ "\"instanceDefaults\":{\"osFamily\":\"LINUX\"}", NULL },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(text, sizeof text, HEAD("os", 60) "%s}", cases[i].body);
		refused_at(text, cases[i].path, cases[i].path ? "expected one of LINUX, WINDOWS_SERVER_2016_FULL" : NULL,
			   200 + (int)i);
	}
}

/* §2.4: a host that fails for good (instance_fail without repair) with its
 * agent silent is not deregistered: at every event after the failure the
 * instance is ACTIVE (its agent disconnected once the heartbeat timeout
 * has passed) until the trace's deregister_instance at 400 s makes it
 * INACTIVE.  Its billing ends at the failure (10 s, the 60 s minimum);
 * a DAEMON service still counts it (E22); the group's Auto Scaling
 * replacement registers 120 s after the failure all the same. */
struct fail_obs {
	int bad_status, bad_agent, seen_inactive, max_registered;
};

static void fail_observe(struct backplane *bp, void *ctx)
{
	struct fail_obs *o = ctx;
	struct cluster *cl = backplane_cluster(bp);
	sim_time_t now = sim_now(backplane_sim(bp));

	if (cluster_count(cl) < 2)
		return;
	if (now < 400000 && cluster_status(cl, 1) != INST_ACTIVE)
		o->bad_status++;
	if (now >= 400000 && cluster_status(cl, 1) == INST_INACTIVE)
		o->seen_inactive = 1;
	/* heartbeat timeout (default 60 s) + jitter < 120 s after the failure */
	if (now >= 130000 && now < 400000 && cluster_agent_connected(cl, 1))
		o->bad_agent++;
}

static void test_failed_stays_registered(void)
{
	struct fail_obs o = { 0 };
	int rows;

	rs_write("dmn.json", "{\"family\":\"dmn\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\","
		 "\"memory\":64}]}");
	rs_write("f.json", HEAD("f", 600) "\"metricsIntervalSeconds\":30,"
		 "\"instanceGroups\":[" GROUP("m5.large", "us-east-1a", 2,
		 ",\"autoScaling\":{\"replaceFailed\":true,\"replacementDelaySeconds\":120}") "],"
		 "\"taskDefinitions\":{\"dmn\":\"dmn.json\"},"
		 "\"services\":[{\"serviceName\":\"d\",\"taskDefinition\":\"dmn\",\"schedulingStrategy\":\"DAEMON\"}],"
		 "\"workload\":{\"traces\":[\"f.csv\"]}}");
	rs_write("f.csv", TRACE_HDR "10,instance_fail,ci-00002,,,,\n400,deregister_instance,ci-00002,,,,\n");
	CU_ASSERT_EQUAL_FATAL(rs_run("f.json", "f", NULL, fail_observe, &o), 0);
	T_EQ(o.bad_status, 0);
	T_EQ(o.bad_agent, 0);
	T_EQ(o.seen_inactive, 1);
	/* timeseries: 2 registered until the replacement at 130 s, 3 until
	 * the deregistration at 400 s, 2 after */
	rows = rs_rows("f", "timeseries.csv");
	for (int r = 1; r <= rows; r++) {
		double t = rs_num("f", "timeseries.csv", r, "time_s");
		double n = rs_num("f", "timeseries.csv", r, "instances_registered");
		double want = t < 130 ? 2 : t < 400 ? 3 : 2;

		if (n != want) {
			char m[200];

			snprintf(m, sizeof m, "instances_registered at %.0f s: got %.0f, want %.0f", t, n, want);
			T_FAIL(m);
		}
	}
	/* the DAEMON service's desired count at 300 s: ci-00001, ci-00002
	 * (disconnected, E22) and the replacement ci-00003 */
	{
		int n = rs_rows("f", "services.csv"), ok = 0;

		for (int r = 1; r <= n; r++)
			if (rs_num("f", "services.csv", r, "time_s") == 300) {
				T_EQ(rs_num("f", "services.csv", r, "desired"), 3);
				ok = 1;
			}
		T_EQ(ok, 1);
	}
	/* billing (m5.large 0.096 USD/h): ci-00001 600 s; ci-00002 10 s → the
	 * 60 s minimum; ci-00003 from 130 s, 470 s: 0.096 × 1130 / 3600 =
	 * 0.030133 */
	RS_IS("f", "summary.csv", 1, "cost_instances_usd", "0.0301");
}

static CU_TestInfo inst_tests[] = {
	{ "ecs.vpc-id and ecs.subnet-id on every instance", test_vpc_subnet },
	{ "spread on ecs.subnet-id", test_spread_subnet },
	{ "trunking: Linux, agent >= 1.28.1, ecs.awsvpc-trunk-id", test_trunking },
	{ "bad network, built-ins and reserved memory refused", test_refused },
	{ "a failed host with a silent agent stays registered", test_failed_stays_registered },
	{ "80 given attributes all held, an 11th custom one refused", test_many_attrs },
	{ "agent-reserved ports: defaults, instanceDefaults, a group", test_reserved_ports },
	{ "100 reserved ports: RESOURCE:PORTS, a port's words", test_port_limit_words },
	{ "agent-reserved ports: bad lists refused", test_reserved_ports_refused },
	{ "osFamily: one of the families runtimePlatform names (a prefix or a typo refused)", test_os_family_refused },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "instance facts", setup, rs_teardown, NULL, NULL, inst_tests },
	CU_SUITE_INFO_NULL,
};
