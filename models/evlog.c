/* models/evlog.c — see evlog.h. */
#include "evlog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/fmt.h"
#include "sim/hmap.h"
#include "sim/mem.h"

static const char *const type_names[EV_N] = {
	"SERVICE_STEADY_STATE", "TASKS_STARTED", "TASKS_STOPPED", "SERVICE_TASK_PLACEMENT_FAILURE",
	"SERVICE_TASK_START_IMPAIRED", "ECS_OPERATION_THROTTLED", "SERVICE_DEPLOYMENT_CONFIGURATION_BLOCKED",
	"SERVICE_DEPLOYMENT_IN_PROGRESS", "SERVICE_DEPLOYMENT_COMPLETED", "SERVICE_DEPLOYMENT_FAILED",
	"SERVICE_REBALANCING_STARTED", "SERVICE_REBALANCING_COMPLETED",
	"SERVICE_PROTECTED_TASKS_OVER_DESIRED", "SERVICE_DAEMON_PLACEMENT_CONSTRAINT_VIOLATED",
};

/* a list of task ids gathered at one instant */
struct gather {
	char *ids;                 /* " (task a) (task b)" */
	size_t len, cap;
	int n;
};

struct evsvc {
	char *name;
	char *last[EV_N];          /* the last message written per type, NULL none */
	int64_t at[EV_N];
	struct gather g[2];        /* started, stopped at `g_at` */
	struct gather rg[2];       /* the same by AZ rebalancing, in zone rg_az[] */
	char *rg_az[2];
	int64_t g_at;
	char *rb_az;               /* a rebalancing task being placed in this zone */
	int64_t rb_at;             /* at this instant (its placement decision) */
	int gathered;              /* in the list of services with gathered tasks */
	unsigned flags;
};

struct evlog {
	struct csvout *out;
	struct hmap *by_name;      /* name -> index + 1 */
	struct evsvc *svcs;
	size_t n, cap;
	size_t *pending;           /* services with gathered tasks, in order */
	size_t n_pending, cap_pending;
	int64_t repeat;            /* the repetition window, ms */
};

/* A deployment's own state change: written each time (a deployment that
 * completes again after a rollback is a new change, not a repeat). */
static int once(enum evlog_type t)
{
	return t == EV_DEPLOYMENT_IN_PROGRESS || t == EV_DEPLOYMENT_COMPLETED || t == EV_DEPLOYMENT_FAILED;
}

const char *evlog_type_name(enum evlog_type t)
{
	return type_names[t];
}

struct evlog *evlog_new(struct csvout *out, int64_t repeat_ms)
{
	struct evlog *l = xcalloc(1, sizeof *l);

	l->out = out;
	l->repeat = repeat_ms;
	l->by_name = hmap_new();
	return l;
}

static struct evsvc *svc_of(struct evlog *l, const char *service)
{
	uint64_t k;

	if (hmap_get(l->by_name, service, &k))
		return &l->svcs[k - 1];
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->svcs = xrealloc(l->svcs, l->cap * sizeof *l->svcs);
	}
	memset(&l->svcs[l->n], 0, sizeof l->svcs[l->n]);
	l->svcs[l->n].name = xstrdup(service);
	hmap_put(l->by_name, service, ++l->n);
	return &l->svcs[l->n - 1];
}

static void row(struct evlog *l, int64_t now, const char *service, enum evlog_type type, const char *msg)
{
	csvout_ms(l->out, now);
	csvout_str(l->out, service);
	csvout_str(l->out, type_names[type]);
	csvout_str(l->out, msg);
	csvout_endrow(l->out);
}

/* s (n bytes) at p; returns the end. */
static char *put(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

#define PUT(p, lit) put(p, lit, sizeof lit - 1)

static void flush_one(struct evlog *l, struct evsvc *v)
{
	for (int s = 0; s < 2; s++) {
		for (int rb = 0; rb < 2; rb++) {
			struct gather *g = rb ? &v->rg[s] : &v->g[s];
			size_t nl, azl, n;
			char *msg, *p;

			if (!g->n)
				continue;
			nl = strlen(v->name);
			azl = rb ? strlen(v->rg_az[s]) : 0;
			n = nl + g->len + azl + 96;
			msg = xmalloc(n);
			/* "(service NAME) has started N tasks:IDS." or "has
			 * stopped N running tasks:IDS."; AZ rebalancing's own
			 * words ([DG/service-rebalancing-event-messages-list.html],
			 * docs/ecs-model.md choice E199): "has started N tasks in
			 * AZ to AZ Rebalance:IDS.", "has stopped N running tasks
			 * in AZ due to AZ rebalancing:IDS." (written out: printf's
			 * format parsing was most of a service-heavy run's log) */
			p = PUT(msg, "(service ");
			p = put(p, v->name, nl);
			p = s ? PUT(p, ") has stopped ") : PUT(p, ") has started ");
			p += fmt_u64(p, (uint64_t)g->n);
			p = s ? PUT(p, " running tasks") : PUT(p, " tasks");
			if (rb) {
				p = PUT(p, " in ");
				p = put(p, v->rg_az[s], azl);
				p = s ? PUT(p, " due to AZ rebalancing") : PUT(p, " to AZ Rebalance");
			}
			p = PUT(p, ":");
			p = put(p, g->ids, g->len);
			p = PUT(p, ".");
			*p = '\0';
			row(l, v->g_at, v->name, s ? EV_TASKS_STOPPED : EV_TASKS_STARTED, msg);
			free(msg);
			g->n = 0;
			g->len = 0;
		}
	}
	v->gathered = 0;
}

void evlog_flush(struct evlog *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n_pending; i++)
		flush_one(l, &l->svcs[l->pending[i]]);
	l->n_pending = 0;
}

/* Writes the gathered task rows of instants before `now`; those of `now`
 * wait for evlog_flush (the pass's end), after the instant's other rows
 * (e.g. a rebalancing's STARTED before the task it started). */
static void flush_before(struct evlog *l, int64_t now)
{
	size_t k = 0;

	for (size_t i = 0; i < l->n_pending; i++) {
		struct evsvc *v = &l->svcs[l->pending[i]];

		if (v->g_at < now)
			flush_one(l, v);
		else
			l->pending[k++] = l->pending[i];
	}
	l->n_pending = k;
}

int evlog_event(struct evlog *l, int64_t now, const char *service, enum evlog_type type, const char *msg)
{
	struct evsvc *v;

	if (!l || !l->out)
		return 0;
	flush_before(l, now);
	v = svc_of(l, service);
	if (v->last[type] && strcmp(v->last[type], msg) == 0 && now - v->at[type] < l->repeat &&
	    !once(type))
		return 0;
	free(v->last[type]);
	v->last[type] = xstrdup(msg);
	v->at[type] = now;
	if (type == EV_STEADY)     /* the other causes have changed */
		for (int k = 0; k < EV_N; k++)
			if (k != EV_STEADY) {
				free(v->last[k]);
				v->last[k] = NULL;
			}
	row(l, now, service, type, msg);
	return 1;
}

void evlog_forget(struct evlog *l, const char *service, enum evlog_type type)
{
	struct evsvc *v;

	if (!l || !l->out)
		return;
	v = svc_of(l, service);
	free(v->last[type]);
	v->last[type] = NULL;
}

void evlog_repeat(struct evlog *l, int64_t now, const char *service, enum evlog_type type)
{
	uint64_t k;
	struct evsvc *v;
	char *msg;

	if (!l || !l->out || !hmap_get(l->by_name, service, &k))
		return;
	v = &l->svcs[k - 1];
	if (!v->last[type] || now - v->at[type] < l->repeat)
		return;
	msg = xstrdup(v->last[type]);
	evlog_event(l, now, service, type, msg);
	free(msg);
}

int evlog_remembers(struct evlog *l, const char *service, enum evlog_type type)
{
	uint64_t k;

	return l && l->out && hmap_get(l->by_name, service, &k) && l->svcs[k - 1].last[type] != NULL;
}

/* The service's record, its gathers opened for instant `now`. */
static struct evsvc *gathering(struct evlog *l, int64_t now, const char *service)
{
	struct evsvc *v = svc_of(l, service);

	if (v->gathered && v->g_at != now)
		evlog_flush(l);
	if (!v->gathered) {
		if (l->n_pending == l->cap_pending) {
			l->cap_pending = l->cap_pending ? 2 * l->cap_pending : 8;
			l->pending = xrealloc(l->pending, l->cap_pending * sizeof *l->pending);
		}
		l->pending[l->n_pending++] = (size_t)(v - l->svcs);
		v->gathered = 1;
		v->g_at = now;
	}
	return v;
}

static void gather_add(struct gather *g, const char *task_id)
{
	size_t k = strlen(task_id), need = g->len + k + 9;
	char *p;

	if (need > g->cap) {
		g->cap = need > 2 * g->cap ? need : 2 * g->cap;
		g->ids = xrealloc(g->ids, g->cap);
	}
	/* " (task ID)", kept ended by a NUL (written out, as flush_one's) */
	p = PUT(g->ids + g->len, " (task ");
	p = put(p, task_id, k);
	p = PUT(p, ")");
	*p = '\0';
	g->len = (size_t)(p - g->ids);
	g->n++;
}

/* Takes " (task ID)" out of g: 1 when it was there. */
static int gather_take(struct gather *g, const char *task_id)
{
	char item[128];
	size_t n;
	char *at;

	if (!g->n || !g->ids)
		return 0;
	n = (size_t)snprintf(item, sizeof item, " (task %s)", task_id);
	if (n >= sizeof item)
		return 0;
	g->ids[g->len] = '\0';
	at = strstr(g->ids, item);
	if (!at)
		return 0;
	memmove(at, at + n, g->len - (size_t)(at - g->ids) - n + 1);
	g->len -= n;
	g->n--;
	return 1;
}

void evlog_task(struct evlog *l, int64_t now, const char *service, int stopped, const char *task_id)
{
	if (!l || !l->out)
		return;
	gather_add(&gathering(l, now, service)->g[stopped != 0], task_id);
}

void evlog_task_rebalance(struct evlog *l, int64_t now, const char *service, int stopped, const char *task_id,
			  const char *az)
{
	struct evsvc *v;
	int s = stopped != 0;

	if (!l || !l->out)
		return;
	v = gathering(l, now, service);
	if (!s && !gather_take(&v->g[0], task_id))
		return;                 /* not launched at `now`, or moved already */
	if (v->rg[s].n > 0 && strcmp(v->rg_az[s], az) != 0) {
		gather_add(&v->g[s], task_id);   /* another zone at the same instant: plain words */
		return;
	}
	if (v->rg[s].n == 0) {
		free(v->rg_az[s]);
		v->rg_az[s] = xstrdup(az);
	}
	gather_add(&v->rg[s], task_id);
}

void evlog_rebalance_placing(struct evlog *l, const char *service, int64_t at, const char *az)
{
	struct evsvc *v;

	if (!l || !l->out)
		return;
	v = svc_of(l, service);
	free(v->rb_az);
	v->rb_az = xstrdup(az);
	v->rb_at = at;
}

int evlog_writing(const struct evlog *l)
{
	return l && l->out;
}

void evlog_placement_failure(struct evlog *l, int64_t now, const char *service, const char *reason,
			     const char *closest)
{
	/* what the closest instance did: ECS's words after "The closest
	 * matching container-instance <id> " ([DG/service-event-messages.html]);
	 * RESOURCE:PORTS is a port in use or the 100-port limit, in the same
	 * words (docs/ecs-model.md choice E235) */
	static const struct { const char *reason, *text; } known[] = {
		{ "RESOURCE:CPU", "has insufficient CPU units available." },
		{ "RESOURCE:MEMORY", "has insufficient memory available." },
		{ "RESOURCE:PORTS", "is already using a port required by your task." },
		{ "RESOURCE:GPU", "has insufficient GPU available." },
		{ "ATTRIBUTE", "is missing an attribute required by your task." },
	};
	char msg[1024], inst[300];
	const char *text = NULL;
	size_t i;
	uint64_t k;

	if (!l || !l->out || !service || !*service)
		return;
	if (strcmp(reason, "THROTTLED") == 0) {
		snprintf(msg, sizeof msg, "(service %s) operations are being throttled. Will try again later.", service);
		evlog_event(l, now, service, EV_OPERATION_THROTTLED, msg);
		return;
	}
	if (hmap_get(l->by_name, service, &k)) {
		struct evsvc *v = &l->svcs[k - 1];

		/* the failure of an AZ-rebalancing task, at its placement
		 * decision: the rebalancing's words, EC2 or Fargate
		 * ([DG/service-rebalancing-event-messages-list.html]) */
		if (v->rb_az && now == v->rb_at) {
			if (strcmp(reason, "CAPACITY_UNAVAILABLE") == 0)
				snprintf(msg, sizeof msg, "(service %s) is unable to place a task in Availability "
					 "Zone %s.", service, v->rb_az);
			else
				snprintf(msg, sizeof msg, "(service %s) is unable to place a task in Availability "
					 "Zone %s because no container instance met all of its requirements.",
					 service, v->rb_az);
			free(v->rb_az);
			v->rb_az = NULL;
			evlog_event(l, now, service, EV_PLACEMENT_FAILURE, msg);
			return;
		}
		if (v->rb_az && now > v->rb_at) {
			free(v->rb_az);
			v->rb_az = NULL;
		}
	}
	if (strcmp(reason, "CAPACITY_UNAVAILABLE") == 0) {
		snprintf(msg, sizeof msg,
			 "(service %s) was unable to place a task. Reason: Capacity is unavailable at this time. "
			 "Please try again later or in a different availability zone.", service);
		evlog_event(l, now, service, EV_PLACEMENT_FAILURE, msg);
		return;
	}
	if (strcmp(reason, "INTERNAL_ERROR") == 0) {
		/* a Fargate task whose subnets are all in zones without
		 * Fargate (docs/ecs-model.md §8.1, choice E234) */
		snprintf(msg, sizeof msg, "(service %s) was unable to place a task. Reason: Internal error.", service);
		evlog_event(l, now, service, EV_PLACEMENT_FAILURE, msg);
		return;
	}
	if (strcmp(reason, "NO_INSTANCES") == 0) {
		snprintf(msg, sizeof msg,
			 "(service %s) was unable to place a task because no container instance met all of its "
			 "requirements. Reason: No Container Instances were found in your cluster. "
			 "For more information, see the Troubleshooting section.", service);
		evlog_event(l, now, service, EV_PLACEMENT_FAILURE, msg);
		return;
	}
	for (i = 0; i < sizeof known / sizeof known[0]; i++)
		if (known[i].text && strcmp(known[i].reason, reason) == 0)
			text = known[i].text;
	/* the instance by its id (A4), as ECS names it */
	snprintf(inst, sizeof inst, "The closest matching container-instance%s%s", closest ? " " : "",
		 closest ? closest : "");
	if (text)
		snprintf(msg, sizeof msg,
			 "(service %s) was unable to place a task because no container instance met all of its "
			 "requirements. %s %s For more information, see the Troubleshooting section.", service,
			 inst, text);
	else
		snprintf(msg, sizeof msg,
			 "(service %s) was unable to place a task because no container instance met all of its "
			 "requirements. %s encountered error \"%s\". "
			 "For more information, see the Troubleshooting section.",
			 service, inst, strncmp(reason, "FAIL:", 5) == 0 ? reason + 5 : reason);
	evlog_event(l, now, service, EV_PLACEMENT_FAILURE, msg);
}

unsigned *evlog_flags(struct evlog *l, const char *service)
{
	static unsigned none;

	if (!l || !l->out) {
		none = 0;
		return &none;
	}
	return &svc_of(l, service)->flags;
}

void evlog_free(struct evlog *l)
{
	if (!l)
		return;
	evlog_flush(l);
	for (size_t i = 0; i < l->n; i++) {
		free(l->svcs[i].name);
		for (int k = 0; k < EV_N; k++)
			free(l->svcs[i].last[k]);
		for (int s = 0; s < 2; s++) {
			free(l->svcs[i].g[s].ids);
			free(l->svcs[i].rg[s].ids);
			free(l->svcs[i].rg_az[s]);
		}
		free(l->svcs[i].rb_az);
	}
	free(l->svcs);
	free(l->pending);
	hmap_free(l->by_name);
	free(l);
}
