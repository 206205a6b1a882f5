/* models/placement/cql.h — the ECS cluster query language
 * (docs/ecs-model.md §4.4; choices A6–A8, C1–C13).
 *
 * cql_parse() turns an expression into a tree; cql_eval() evaluates it
 * against one container instance, read through a small table of accessor
 * functions (struct cql_view) so that this module knows nothing of how the
 * cluster stores instances.  A parse error carries the 1-based column of the
 * expression where it failed.
 */
#ifndef MODELS_CQL_H
#define MODELS_CQL_H

#include <stddef.h>
#include <stdint.h>

struct cql_expr;   /* opaque; owned by the caller of cql_parse */

/* How cql_eval reads an instance.  `inst` is passed through untouched.
 * Every function must be provided. */
struct cql_view {
	/* Value of attribute `name`: returns 1 and sets *value when the
	 * instance has it (*value may be NULL for an attribute with no value,
	 * which counts as present for `exists` but as "no value" for
	 * comparisons: docs/ecs-model.md choices A10/C5), else 0. */
	int (*attribute)(const void *inst, const char *name, const char **value);
	const char *(*instance_id)(const void *inst);       /* container instance id */
	const char *(*ec2_instance_id)(const void *inst);
	int (*agent_connected)(const void *inst);
	const char *(*agent_version)(const void *inst);     /* NULL = unknown */
	int64_t (*registered_at_ms)(const void *inst);      /* Unix epoch, ms */
	int64_t (*running_tasks_count)(const void *inst);   /* docs/ecs-model.md choice C9 */
	/* Distinct task groups of the tasks running on the instance: returns
	 * their number and sets *groups to an array of that many strings. */
	int (*task_groups)(const void *inst, const char *const **groups);
};

/* Parse `text`.  Returns a tree, or NULL and fills *err_col (1-based column
 * in text) and errbuf with a lower-case reason. */
/* Upper bound of the size glibc's regcomp gives `pattern` once its counted
 * repetitions are expanded, as the parser checks it against
 * CQL_MAX_RE_POSITIONS (choice C11); -1 when it holds a back-reference. */
#define CQL_MAX_RE_POSITIONS 500
long cql_regex_positions(const char *pattern);

struct cql_expr *cql_parse(const char *text, int *err_col, char *errbuf, size_t errlen);

void cql_free(struct cql_expr *x);     /* NULL is a no-op */

/* 1 when the instance satisfies the expression, else 0. */
int cql_eval(const struct cql_expr *x, const struct cql_view *v, const void *inst);

/* Whether the expression reads task:group or runningTasksCount (its value
 * can change when tasks start or stop; placement caches must not keep it). */
int cql_is_dynamic(const struct cql_expr *x);

/* Whether the expression reads attribute `name` (without "attribute:"),
 * anywhere in it. */
int cql_reads_attribute(const struct cql_expr *x, const char *name);

#endif
