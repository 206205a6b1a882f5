/* sim/jsonrd.h — reading JSON documents with positions and paths.
 *
 * jdoc_* loads a file strictly (docs/ecs-model.md choice B2): UTF-8 only (a leading BOM is
 * skipped), syntax errors reported at line:column, duplicate members refused
 * with their JSON path, empty documents refused.
 *
 * struct jr is a cursor over one JSON object that knows its JSON path, so
 * every type or range error names the member ("$.services[2].desiredCount:
 * expected integer in [0, 5000], got 3.5").  jr_end() refuses members that
 * were never read (typos must not pass silently); readers of AWS documents,
 * which carry many members ecsim ignores, simply do not call it.
 *
 * An explicit JSON null is treated as absent everywhere (docs/ecs-model.md choice B3).
 * Strings returned point into the cJSON tree: valid until jdoc_free().
 */
#ifndef SIM_JSONRD_H
#define SIM_JSONRD_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "err.h"

struct jdoc {
	cJSON *root;
	char *file;     /* copy of the file name used in messages */
};

/* Read and parse a file.  Returns 0, or -1 with e filled. */
int jdoc_load(struct jdoc *d, const char *path, struct err *e);
/* Parse text already in memory; `file` is only used in messages. */
int jdoc_parse(struct jdoc *d, const char *file, const char *text, size_t len,
	       struct err *e);
void jdoc_free(struct jdoc *d);

/* A number for messages: the shortest of %.15g / %.17g that reads back as
 * x (2.9, not 2.8999999999999999). */
void jr_fmt_num(double x, char *buf, size_t n);

/* "string", "number", "object", ... for messages. */
const char *jtype_name(const cJSON *v);

#define JR_MAX_MEMBERS 256

struct jr {
	const char *file;
	struct err *e;
	const cJSON *obj;
	char path[512];
	unsigned char seen[JR_MAX_MEMBERS];
};

/* Open a cursor on `obj` (must be an object, else error at `path`). */
int jr_open(struct jr *c, const cJSON *obj, const char *file, const char *path,
	    struct err *e);
/* Member `key` (case-sensitive) or NULL when absent or null; marks it read. */
const cJSON *jr_get(struct jr *c, const char *key);
/* Whether a member is present and not null (does not mark it read). */
int jr_has(const struct jr *c, const char *key);
/* Path of a member: "<c->path>.<key>". */
void jr_path(const struct jr *c, const char *key, char *buf, size_t n);
/* Record an error at member `key` (NULL = the object itself). Returns -1. */
int jr_fail(const struct jr *c, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Typed getters.  _req_ fails when absent; _opt_ stores dflt when absent.
 * Integers: a JSON number with an integral value within [lo, hi]. */
int jr_req_int(struct jr *c, const char *key, int64_t lo, int64_t hi, int64_t *out);
int jr_opt_int(struct jr *c, const char *key, int64_t dflt, int64_t lo, int64_t hi,
	       int64_t *out);
int jr_req_num(struct jr *c, const char *key, double lo, double hi, double *out);
int jr_opt_num(struct jr *c, const char *key, double dflt, double lo, double hi,
	       double *out);
int jr_req_str(struct jr *c, const char *key, const char **out);
int jr_opt_str(struct jr *c, const char *key, const char *dflt, const char **out);
int jr_opt_bool(struct jr *c, const char *key, int dflt, int *out);
/* Arrays and objects: *out = NULL when absent (opt). */
int jr_req_array(struct jr *c, const char *key, const cJSON **out);
int jr_opt_array(struct jr *c, const char *key, const cJSON **out);
int jr_opt_object(struct jr *c, const char *key, const cJSON **out);

/* Refuse any member whose name is not in `keys` (NULL-terminated), before
 * reading: so a misspelt member is reported as unknown rather than as a
 * missing required one. */
int jr_only(const struct jr *c, const char *const *keys);

/* Refuse any member not read through this cursor. */
int jr_end(struct jr *c);

/* Standalone value checks with an explicit path (for array elements). */
int jv_int(const cJSON *v, const char *file, const char *path, int64_t lo, int64_t hi,
	   int64_t *out, struct err *e);
int jv_num(const cJSON *v, const char *file, const char *path, double lo, double hi,
	   double *out, struct err *e);
int jv_str(const cJSON *v, const char *file, const char *path, const char **out,
	   struct err *e);

#endif
