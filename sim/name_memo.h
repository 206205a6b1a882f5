/* sim/name_memo.h — a few names and a number for each, in front of a
 * look-up whose keys repeat: a trace names the same handful of task
 * definitions and groups row after row, and the look-up behind (a linear
 * search by strcmp, a hash of the name) costs several times the inline
 * compare of a short name.  Only what the look-up behind answers for good
 * may be kept (it must never change its answer for a name).
 *
 * Zeroed memory is an empty memo.  Names longer than NAME_MEMO_LEN - 1 bytes
 * are not kept (the look-up behind answers them every time). */
#ifndef SIM_NAME_MEMO_H
#define SIM_NAME_MEMO_H

#include <stdint.h>
#include <string.h>

#define NAME_MEMO_N 4
#define NAME_MEMO_LEN 28

struct name_memo {
	struct {
		char name[NAME_MEMO_LEN];
		int32_t val;
	} e[NAME_MEMO_N];
	uint32_t n;             /* entries in use */
	uint32_t next;          /* the entry a new name replaces once all are used */
};

/* 1 and *val when `s` is kept, else 0. */
static inline int name_memo_get(const struct name_memo *m, const char *s, int32_t *val)
{
	for (uint32_t i = 0; i < m->n; i++) {
		const char *a = m->e[i].name, *b = s;

		while (*a && *a == *b)
			a++, b++;
		if (*a == *b) {
			*val = m->e[i].val;
			return 1;
		}
	}
	return 0;
}

/* Keep `s` -> val (the oldest entry goes when all are used). */
static inline void name_memo_put(struct name_memo *m, const char *s, int32_t val)
{
	size_t len = strlen(s);
	uint32_t i;

	if (len >= NAME_MEMO_LEN)
		return;
	if (m->n < NAME_MEMO_N) {
		i = m->n++;
	} else {
		i = m->next;
		m->next = (m->next + 1) % NAME_MEMO_N;
	}
	memcpy(m->e[i].name, s, len + 1);
	m->e[i].val = val;
}

#endif
