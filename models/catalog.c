/* models/catalog.c — the instance-type catalog (docs/ecs-model.md §2.6).
 *
 * The built-in rows come from models/catalog.csv, compiled in as the string
 * catalog_csv (scripts/csv2c.sh) and parsed here with libcsv, so the data
 * stays a data file and the binary needs no files at run time.  Lookups are
 * linear: the catalog has tens of rows and is read at set-up only.  The
 * table is parsed once per process and kept (read-only; freed at exit):
 * each catalog_builtin() returns a copy, which its caller may change. */
#include "catalog.h"

#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "sim/mem.h"

extern const char catalog_csv[];

struct catalog {
	struct catalog_type *t;
	size_t n, cap;
};

enum { C_TYPE, C_VCPU, C_MEM, C_ENIS, C_TRUNK, C_ARCH, C_GPUS, C_PRICE, C_N };

struct rows {
	struct catalog *c;
	char *field[C_N];
	int col;
	long line;
	struct err *e;
	int failed;
};

static void free_type(struct catalog_type *t)
{
	free(t->name);
	free(t->arch);
}

static long num(struct rows *r, int col)
{
	char *end;
	long v = strtol(r->field[col] ? r->field[col] : "", &end, 10);

	if (!r->field[col] || !*r->field[col] || *end || v < 0) {
		if (!r->failed)
			err_at(r->e, "models/catalog.csv", r->line, col + 1, NULL,
			       "expected a whole number >= 0, got \"%s\"",
			       r->field[col] ? r->field[col] : "");
		r->failed = 1;
	}
	return v;
}

/* A price: a decimal number >= 0 (USD per hour). */
static double price(struct rows *r, int col)
{
	char *end;
	const char *f = r->field[col] ? r->field[col] : "";
	double v = strtod(f, &end);

	if (!*f || *end || !(v >= 0) || v > 1e6) {
		if (!r->failed)
			err_at(r->e, "models/catalog.csv", r->line, col + 1, NULL,
			       "expected a price in USD per hour >= 0, got \"%s\"", f);
		r->failed = 1;
	}
	return v;
}

static void on_field(void *s, size_t len, void *data)
{
	struct rows *r = data;

	if (r->col < C_N) {
		free(r->field[r->col]);
		r->field[r->col] = xstrndup(s, len);
	}
	r->col++;
}

static void on_row(int c, void *data)
{
	struct rows *r = data;
	struct catalog_type t;

	(void)c;
	r->line++;
	if (r->line > 1 && !r->failed) {
		if (r->col != C_N) {
			err_at(r->e, "models/catalog.csv", r->line, 0, NULL,
			       "expected %d fields, got %d", C_N, r->col);
			r->failed = 1;
		} else {
			t.name = r->field[C_TYPE];
			t.vcpu = (int)num(r, C_VCPU);
			t.mem_mib = num(r, C_MEM) * 1024;
			t.max_enis = (int)num(r, C_ENIS);
			t.trunk_tasks = (int)num(r, C_TRUNK);
			t.arch = r->field[C_ARCH];
			t.gpus = (int)num(r, C_GPUS);
			t.usd_per_hour = price(r, C_PRICE);
			t.priced = 1;
			if (!r->failed)
				catalog_put(r->c, &t);
		}
	}
	r->col = 0;
}

static struct catalog *parsed;         /* the built-in table, parsed once */

static void free_parsed(void)
{
	catalog_free(parsed);
	parsed = NULL;
}

static struct catalog *parse_builtin(struct err *e)
{
	struct catalog *c = xcalloc(1, sizeof *c);
	struct csv_parser p;
	struct rows r = { .c = c, .e = e };
	size_t len = strlen(catalog_csv);

	csv_init(&p, CSV_STRICT | CSV_APPEND_NULL);
	if (csv_parse(&p, catalog_csv, len, on_field, on_row, &r) != len ||
	    csv_fini(&p, on_field, on_row, &r) != 0) {
		if (!r.failed)
			err_at(e, "models/catalog.csv", 0, 0, NULL, "malformed CSV: %s",
			       csv_strerror(csv_error(&p)));
		r.failed = 1;
	}
	csv_free(&p);
	for (int i = 0; i < C_N; i++)
		free(r.field[i]);
	if (r.failed) {
		catalog_free(c);
		return NULL;
	}
	return c;
}

struct catalog *catalog_builtin(struct err *e)
{
	struct catalog *c;

	if (!parsed) {
		parsed = parse_builtin(e);
		if (!parsed)
			return NULL;
		atexit(free_parsed);
	}
	c = xcalloc(1, sizeof *c);
	c->t = xcalloc(parsed->n ? parsed->n : 1, sizeof *c->t);
	c->cap = parsed->n ? parsed->n : 1;
	for (size_t i = 0; i < parsed->n; i++) {
		c->t[i] = parsed->t[i];
		c->t[i].name = xstrdup(parsed->t[i].name);
		c->t[i].arch = xstrdup(parsed->t[i].arch);
	}
	c->n = parsed->n;
	return c;
}

void catalog_free(struct catalog *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free_type(&c->t[i]);
	free(c->t);
	free(c);
}

const struct catalog_type *catalog_find(const struct catalog *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->t[i].name, name) == 0)
			return &c->t[i];
	return NULL;
}

void catalog_put(struct catalog *c, const struct catalog_type *t)
{
	struct catalog_type *slot = (struct catalog_type *)catalog_find(c, t->name);

	if (slot) {
		struct catalog_type old = *slot;

		free_type(slot);
		*slot = *t;
		if (!t->priced) {
			slot->priced = old.priced;
			slot->usd_per_hour = old.usd_per_hour;
		}
	} else {
		XGROW(c->t, c->cap, c->n + 1);
		slot = &c->t[c->n++];
		*slot = *t;
	}
	slot->name = xstrdup(t->name);
	slot->arch = xstrdup(t->arch);
}

int catalog_set_price(struct catalog *c, const char *name, double usd_per_hour)
{
	struct catalog_type *t = (struct catalog_type *)catalog_find(c, name);

	if (!t)
		return -1;
	t->priced = 1;
	t->usd_per_hour = usd_per_hour;
	return 0;
}

int catalog_count(const struct catalog *c)
{
	return (int)c->n;
}

const struct catalog_type *catalog_at(const struct catalog *c, int i)
{
	return &c->t[i];
}

char *catalog_names(const struct catalog *c)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; i < c->n; i++)
		len += strlen(c->t[i].name) + 2;
	s = xcalloc(1, len);
	for (size_t i = 0; i < c->n; i++) {
		if (i)
			strcat(s, ", ");
		strcat(s, c->t[i].name);
	}
	return s;
}
