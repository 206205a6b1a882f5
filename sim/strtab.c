/* sim/strtab.c — open-addressing hash table of interned strings (FNV-1a). */
#include "strtab.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "mem.h"

struct strtab {
	char **strs;        /* id -> string */
	uint32_t n, cap_strs;
	uint32_t *slots;    /* hash slot -> id+1 (0 = empty) */
	uint32_t n_slots;   /* power of two */
};

struct strtab *strtab_new(void)
{
	struct strtab *t = xcalloc(1, sizeof *t);

	t->n_slots = 64;
	t->slots = xcalloc(t->n_slots, sizeof *t->slots);
	return t;
}

void strtab_free(struct strtab *t)
{
	if (!t)
		return;
	for (uint32_t i = 0; i < t->n; i++)
		free(t->strs[i]);
	free(t->strs);
	free(t->slots);
	free(t);
}

static uint32_t *slot_for(const struct strtab *t, const char *s)
{
	uint32_t mask = t->n_slots - 1;
	uint32_t i = (uint32_t)hash_fnv1a64(s) & mask;

	for (;;) {
		uint32_t v = t->slots[i];

		if (v == 0 || strcmp(t->strs[v - 1], s) == 0)
			return &t->slots[i];
		i = (i + 1) & mask;
	}
}

static void rehash(struct strtab *t)
{
	uint32_t *old = t->slots, n_old = t->n_slots;

	t->n_slots *= 2;
	t->slots = xcalloc(t->n_slots, sizeof *t->slots);
	for (uint32_t i = 0; i < n_old; i++) {
		if (old[i])
			*slot_for(t, t->strs[old[i] - 1]) = old[i];
	}
	free(old);
}

uint32_t strtab_intern(struct strtab *t, const char *s)
{
	uint32_t *slot = slot_for(t, s);

	if (*slot)
		return *slot - 1;
	if (t->n == t->cap_strs) {
		t->cap_strs = t->cap_strs ? t->cap_strs * 2 : 64;
		t->strs = xrealloc(t->strs, t->cap_strs * sizeof *t->strs);
	}
	t->strs[t->n] = xstrdup(s);
	*slot = ++t->n;
	if (t->n * 2 > t->n_slots)
		rehash(t);
	return t->n - 1;
}

uint32_t strtab_intern_hint(struct strtab *t, const char *s, uint32_t *hint)
{
	if (*hint < t->n && strcmp(t->strs[*hint], s) == 0)
		return *hint;
	return *hint = strtab_intern(t, s);
}

uint32_t strtab_find(const struct strtab *t, const char *s)
{
	uint32_t v = *slot_for(t, s);

	return v ? v - 1 : STRTAB_NONE;
}

uint32_t strtab_find_hint(const struct strtab *t, const char *s, uint32_t *hint)
{
	uint32_t v;

	if (*hint < t->n && strcmp(t->strs[*hint], s) == 0)
		return *hint;
	v = strtab_find(t, s);
	if (v != STRTAB_NONE)
		*hint = v;
	return v;
}

const char *strtab_str(const struct strtab *t, uint32_t id)
{
	return id < t->n ? t->strs[id] : NULL;
}

uint32_t strtab_count(const struct strtab *t)
{
	return t->n;
}
