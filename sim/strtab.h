/* sim/strtab.h — string interning: each distinct string gets a small dense
 * id (0, 1, 2, ...) so models compare ids instead of strings.  Ids are stable
 * for the table's lifetime.  O(1) expected per intern/lookup. */
#ifndef SIM_STRTAB_H
#define SIM_STRTAB_H

#include <stdint.h>

#define STRTAB_NONE UINT32_MAX

struct strtab;

struct strtab *strtab_new(void);
void strtab_free(struct strtab *t);              /* NULL is a no-op */
/* Id of s, adding it when new (the table keeps its own copy). */
uint32_t strtab_intern(struct strtab *t, const char *s);
/* strtab_intern for a caller that interns the same string again and again
 * (every instance of a type registers the same attribute values): *hint,
 * the id this call answered last time (STRTAB_NONE at first), is answered
 * again when its string equals s (one strcmp, no hash); else s is interned
 * and *hint set to its id.  Same ids as strtab_intern. */
uint32_t strtab_intern_hint(struct strtab *t, const char *s, uint32_t *hint);
/* Id of s, or STRTAB_NONE when it was never interned. */
uint32_t strtab_find(const struct strtab *t, const char *s);
/* strtab_find with a memo: *hint, when it is s's id, is the answer without
 * a hash of s (one compare); else strtab_find, whose id (when found) goes
 * into *hint. */
uint32_t strtab_find_hint(const struct strtab *t, const char *s, uint32_t *hint);
/* The string of an id (owned by the table). */
const char *strtab_str(const struct strtab *t, uint32_t id);
uint32_t strtab_count(const struct strtab *t);

#endif
