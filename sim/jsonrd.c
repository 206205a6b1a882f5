/* sim/jsonrd.c — strict JSON loading and path-aware member readers.
 *
 * cJSON keeps no positions for parsed items, so semantic errors carry a JSON
 * path built by the cursor; syntax errors use the parse-end pointer from
 * cJSON_ParseWithLengthOpts, turned into line and column here.
 */
#include "jsonrd.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

static void line_col(const char *text, size_t off, long *line, long *col)
{
	long l = 1, c = 1;

	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)text[i] & 0xC0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*col = c;
}

/* Offset of the first invalid UTF-8 byte, or len when valid. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char b = s[i];
		size_t n;
		unsigned cp;

		if (b < 0x80) {
			i++;
			continue;
		} else if ((b & 0xE0) == 0xC0) {
			n = 1;
			cp = b & 0x1F;
		} else if ((b & 0xF0) == 0xE0) {
			n = 2;
			cp = b & 0x0F;
		} else if ((b & 0xF8) == 0xF0) {
			n = 3;
			cp = b & 0x07;
		} else {
			return i;
		}
		for (size_t k = 1; k <= n; k++) {
			if (i + k >= len || (s[i + k] & 0xC0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return i;
		i += n + 1;
	}
	return len;
}

static void path_member(char *buf, size_t n, const char *base, const char *key)
{
	snprintf(buf, n, "%s.%s", base, key);
}

static int check_dups(const cJSON *v, const char *file, const char *path,
		      struct err *e)
{
	char sub[512];
	int i = 0;

	if (cJSON_IsObject(v)) {
		for (const cJSON *a = v->child; a; a = a->next) {
			for (const cJSON *b = v->child; b != a; b = b->next) {
				if (strcmp(a->string, b->string) == 0)
					return err_at(e, file, 0, 0, path,
						      "duplicate member '%s'", a->string);
			}
			path_member(sub, sizeof sub, path, a->string);
			if (check_dups(a, file, sub, e))
				return -1;
		}
	} else if (cJSON_IsArray(v)) {
		for (const cJSON *a = v->child; a; a = a->next, i++) {
			snprintf(sub, sizeof sub, "%s[%d]", path, i);
			if (check_dups(a, file, sub, e))
				return -1;
		}
	}
	return 0;
}

int jdoc_parse(struct jdoc *d, const char *file, const char *text, size_t len,
	       struct err *e)
{
	const char *end = NULL;
	size_t bad, start = 0;
	long line, col;

	memset(d, 0, sizeof *d);
	if (len >= 3 && (unsigned char)text[0] == 0xEF &&
	    (unsigned char)text[1] == 0xBB && (unsigned char)text[2] == 0xBF)
		start = 3;
	bad = utf8_invalid_at((const unsigned char *)text + start, len - start);
	if (bad < len - start) {
		line_col(text, start + bad, &line, &col);
		return err_at(e, file, line, col, NULL, "invalid UTF-8 byte 0x%02x",
			      (unsigned char)text[start + bad]);
	}
	if (memchr(text + start, '\0', len - start)) {
		line_col(text, (size_t)((const char *)memchr(text + start, '\0', len - start) - text),
			 &line, &col);
		return err_at(e, file, line, col, NULL, "NUL byte in JSON text");
	}
	/* A \u0000 escape would be cut there by cJSON's C strings: refused,
	 * never silently shortened. */
	for (size_t k = start, in = 0; k < len; k++) {
		if (text[k] == '"') {
			in = !in;
		} else if (in && text[k] == '\\' && k + 1 < len) {
			if (text[k + 1] == 'u' && k + 6 <= len && memcmp(text + k + 2, "0000", 4) == 0) {
				line_col(text, k, &line, &col);
				return err_at(e, file, line, col, NULL,
					      "a string holds \\u0000 (NUL), which ecsim cannot keep");
			}
			k++;
		}
	}
	{
		size_t k = start;

		while (k < len && strchr(" \t\r\n", text[k]))
			k++;
		if (k == len)
			return err_at(e, file, 0, 0, NULL, "empty document");
	}
	d->root = cJSON_ParseWithLengthOpts(text + start, len - start, &end, 0);
	if (d->root) {
		size_t k = (size_t)(end - text);
		while (k < len && strchr(" \t\r\n", text[k]))
			k++;
		if (k < len) {
			cJSON_Delete(d->root);
			d->root = NULL;
			end = text + k;
		}
	}
	if (!d->root) {
		size_t off = end ? (size_t)(end - text) : start;

		if (off > len)
			off = len;
		line_col(text, off, &line, &col);
		if (off >= len)
			return err_at(e, file, line, col, NULL,
				      "syntax error: unexpected end of input");
		return err_at(e, file, line, col, NULL, "syntax error near '%.*s'",
			      (int)(len - off < 12 ? len - off : 12), text + off);
	}
	if (check_dups(d->root, file, "$", e)) {
		cJSON_Delete(d->root);
		d->root = NULL;
		return -1;
	}
	d->file = xstrdup(file ? file : "");
	return 0;
}

int jdoc_load(struct jdoc *d, const char *path, struct err *e)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, got;
	int rc;

	memset(d, 0, sizeof *d);
	if (!f)
		return err_at(e, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
	do {
		XGROW(buf, cap, len + 65536);
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return err_at(e, path, 0, 0, NULL, "read error");
	}
	fclose(f);
	rc = jdoc_parse(d, path, buf, len, e);
	free(buf);
	return rc;
}

void jdoc_free(struct jdoc *d)
{
	if (!d)
		return;
	cJSON_Delete(d->root);
	free(d->file);
	d->root = NULL;
	d->file = NULL;
}

const char *jtype_name(const cJSON *v)
{
	if (!v || cJSON_IsNull(v))
		return "null";
	if (cJSON_IsBool(v))
		return "boolean";
	if (cJSON_IsNumber(v))
		return "number";
	if (cJSON_IsString(v))
		return "string";
	if (cJSON_IsArray(v))
		return "array";
	if (cJSON_IsObject(v))
		return "object";
	return "invalid";
}

int jr_open(struct jr *c, const cJSON *obj, const char *file, const char *path,
	    struct err *e)
{
	memset(c, 0, sizeof *c);
	c->file = file;
	c->e = e;
	c->obj = obj;
	snprintf(c->path, sizeof c->path, "%s", path);
	if (!cJSON_IsObject(obj))
		return err_at(e, file, 0, 0, path, "expected an object, got %s",
			      jtype_name(obj));
	return 0;
}

static const cJSON *member(const struct jr *c, const char *key, int *idx)
{
	int i = 0;

	for (const cJSON *m = c->obj->child; m; m = m->next, i++) {
		if (strcmp(m->string, key) == 0) {
			*idx = i;
			return m;
		}
	}
	return NULL;
}

const cJSON *jr_get(struct jr *c, const char *key)
{
	int i = -1;
	const cJSON *m = member(c, key, &i);

	if (!m)
		return NULL;
	if (i < JR_MAX_MEMBERS)
		c->seen[i] = 1;
	return cJSON_IsNull(m) ? NULL : m;
}

int jr_has(const struct jr *c, const char *key)
{
	int i;
	const cJSON *m = member(c, key, &i);

	return m && !cJSON_IsNull(m);
}

void jr_path(const struct jr *c, const char *key, char *buf, size_t n)
{
	if (key)
		path_member(buf, n, c->path, key);
	else
		snprintf(buf, n, "%s", c->path);
}

int jr_fail(const struct jr *c, const char *key, const char *fmt, ...)
{
	char path[600], msg[1024];
	va_list ap;

	jr_path(c, key, path, sizeof path);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return err_at(c->e, c->file, 0, 0, path, "%s", msg);
}

void jr_fmt_num(double x, char *buf, size_t n)
{
	snprintf(buf, n, "%.15g", x);
	if (strtod(buf, NULL) != x)
		snprintf(buf, n, "%.17g", x);
}

static void fmt_value(const cJSON *v, char *buf, size_t n)
{
	if (cJSON_IsNumber(v))
		jr_fmt_num(v->valuedouble, buf, n);
	else if (cJSON_IsString(v))
		snprintf(buf, n, "\"%.60s\"", v->valuestring);
	else
		snprintf(buf, n, "%s", jtype_name(v));
}

int jv_int(const cJSON *v, const char *file, const char *path, int64_t lo, int64_t hi,
	   int64_t *out, struct err *e)
{
	char got[80];
	double x;

	fmt_value(v, got, sizeof got);
	if (!cJSON_IsNumber(v))
		return err_at(e, file, 0, 0, path, "expected integer in [%lld, %lld], got %s",
			      (long long)lo, (long long)hi, got);
	x = v->valuedouble;
	if (!isfinite(x) || x != floor(x) || x < (double)lo || x > (double)hi)
		return err_at(e, file, 0, 0, path, "expected integer in [%lld, %lld], got %s",
			      (long long)lo, (long long)hi, got);
	*out = (int64_t)x;
	return 0;
}

int jv_num(const cJSON *v, const char *file, const char *path, double lo, double hi,
	   double *out, struct err *e)
{
	char got[80];

	fmt_value(v, got, sizeof got);
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
	    v->valuedouble < lo || v->valuedouble > hi)
		return err_at(e, file, 0, 0, path, "expected number in [%g, %g], got %s",
			      lo, hi, got);
	*out = v->valuedouble;
	return 0;
}

int jv_str(const cJSON *v, const char *file, const char *path, const char **out,
	   struct err *e)
{
	if (!cJSON_IsString(v))
		return err_at(e, file, 0, 0, path, "expected string, got %s", jtype_name(v));
	*out = v->valuestring;
	return 0;
}

int jr_req_int(struct jr *c, const char *key, int64_t lo, int64_t hi, int64_t *out)
{
	char p[600];
	const cJSON *v = jr_get(c, key);

	if (!v)
		return jr_fail(c, key, "required member is missing");
	jr_path(c, key, p, sizeof p);
	return jv_int(v, c->file, p, lo, hi, out, c->e);
}

int jr_opt_int(struct jr *c, const char *key, int64_t dflt, int64_t lo, int64_t hi,
	       int64_t *out)
{
	if (!jr_has(c, key)) {
		jr_get(c, key);
		*out = dflt;
		return 0;
	}
	return jr_req_int(c, key, lo, hi, out);
}

int jr_req_num(struct jr *c, const char *key, double lo, double hi, double *out)
{
	char p[600];
	const cJSON *v = jr_get(c, key);

	if (!v)
		return jr_fail(c, key, "required member is missing");
	jr_path(c, key, p, sizeof p);
	return jv_num(v, c->file, p, lo, hi, out, c->e);
}

int jr_opt_num(struct jr *c, const char *key, double dflt, double lo, double hi,
	       double *out)
{
	if (!jr_has(c, key)) {
		jr_get(c, key);
		*out = dflt;
		return 0;
	}
	return jr_req_num(c, key, lo, hi, out);
}

int jr_req_str(struct jr *c, const char *key, const char **out)
{
	char p[600];
	const cJSON *v = jr_get(c, key);

	if (!v)
		return jr_fail(c, key, "required member is missing");
	jr_path(c, key, p, sizeof p);
	return jv_str(v, c->file, p, out, c->e);
}

int jr_opt_str(struct jr *c, const char *key, const char *dflt, const char **out)
{
	if (!jr_has(c, key)) {
		jr_get(c, key);
		*out = dflt;
		return 0;
	}
	return jr_req_str(c, key, out);
}

int jr_opt_bool(struct jr *c, const char *key, int dflt, int *out)
{
	const cJSON *v = jr_get(c, key);

	if (!v) {
		*out = dflt;
		return 0;
	}
	if (!cJSON_IsBool(v))
		return jr_fail(c, key, "expected true or false, got %s", jtype_name(v));
	*out = cJSON_IsTrue(v);
	return 0;
}

int jr_req_array(struct jr *c, const char *key, const cJSON **out)
{
	const cJSON *v = jr_get(c, key);

	if (!v)
		return jr_fail(c, key, "required member is missing");
	if (!cJSON_IsArray(v))
		return jr_fail(c, key, "expected array, got %s", jtype_name(v));
	*out = v;
	return 0;
}

int jr_opt_array(struct jr *c, const char *key, const cJSON **out)
{
	*out = NULL;
	if (!jr_has(c, key)) {
		jr_get(c, key);
		return 0;
	}
	return jr_req_array(c, key, out);
}

int jr_opt_object(struct jr *c, const char *key, const cJSON **out)
{
	const cJSON *v = jr_get(c, key);

	*out = NULL;
	if (!v)
		return 0;
	if (!cJSON_IsObject(v))
		return jr_fail(c, key, "expected object, got %s", jtype_name(v));
	*out = v;
	return 0;
}

int jr_only(const struct jr *c, const char *const *keys)
{
	for (const cJSON *m = c->obj->child; m; m = m->next) {
		const char *const *k = keys;

		while (*k && strcmp(*k, m->string) != 0)
			k++;
		if (!*k)
			return jr_fail(c, m->string, "unknown member '%s'", m->string);
	}
	return 0;
}

int jr_end(struct jr *c)
{
	int i = 0;

	for (const cJSON *m = c->obj->child; m; m = m->next, i++) {
		if (i >= JR_MAX_MEMBERS)
			return jr_fail(c, NULL, "too many members (at most %d)", JR_MAX_MEMBERS);
		if (!c->seen[i])
			return jr_fail(c, m->string, "unknown member '%s'", m->string);
	}
	return 0;
}
