/* sim/jsonptr.c — see jsonptr.h. */
#include "jsonptr.h"

#include <stdlib.h>
#include <string.h>

#include "sim/mem.h"

/* Unescape one reference token (~1 → '/', ~0 → '~'); -1 on a bad escape. */
static int unescape(char *t)
{
	char *w = t;

	for (char *r = t; *r; r++) {
		if (*r == '~') {
			if (r[1] == '0')
				*w++ = '~';
			else if (r[1] == '1')
				*w++ = '/';
			else
				return -1;
			r++;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
	return 0;
}

static int array_index(const char *t, int size, int *out)
{
	char *end;
	long v;

	if (!*t || (t[0] == '0' && t[1]) || t[0] == '-' || t[0] == '+')
		return -1;
	v = strtol(t, &end, 10);
	if (*end || v < 0 || v >= size)
		return -1;
	*out = (int)v;
	return 0;
}

int jsonptr_assign(cJSON *root, const char *assignment, const char *what, struct err *e)
{
	const char *eq = strchr(assignment, '=');
	char *ptr, place[600], *tok, *next;
	cJSON *cur = root, *val;
	int rc = -1;

	if (!eq)
		return err_at(e, what, 0, 0, NULL, "--set '%s': expected POINTER=VALUE "
			      "(e.g. /instanceGroups/0/count=12)", assignment);
	ptr = xstrndup(assignment, (size_t)(eq - assignment));
	snprintf(place, sizeof place, "--set %s", ptr);
	if (ptr[0] != '/') {
		err_at(e, what, 0, 0, place, "a JSON pointer starts with '/'");
		goto out;
	}
	val = cJSON_ParseWithOpts(eq + 1, NULL, 1);
	if (!val) {
		/* a bare word is a string; anything that looks like JSON must parse */
		if (!eq[1] || strchr("{[\"-0123456789", eq[1])) {
			err_at(e, what, 0, 0, place, "value '%s' is not valid JSON", eq + 1);
			goto out;
		}
		val = cJSON_CreateString(eq + 1);
	}
	for (tok = ptr + 1;; tok = next) {
		char *slash = strchr(tok, '/');
		int idx;

		next = slash ? slash + 1 : NULL;
		if (slash)
			*slash = '\0';
		if (unescape(tok)) {
			err_at(e, what, 0, 0, place, "bad escape in '%s' (~0 or ~1 only)", tok);
			cJSON_Delete(val);
			goto out;
		}
		if (cJSON_IsArray(cur)) {
			int size = cJSON_GetArraySize(cur);

			if (array_index(tok, size, &idx)) {
				err_at(e, what, 0, 0, place, "no element '%s' (the array has %d, "
				       "numbered from 0)", tok, size);
				cJSON_Delete(val);
				goto out;
			}
			if (!next) {
				cJSON_ReplaceItemInArray(cur, idx, val);
				break;
			}
			cur = cJSON_GetArrayItem(cur, idx);
		} else if (cJSON_IsObject(cur)) {
			cJSON *m = cJSON_GetObjectItemCaseSensitive(cur, tok);

			if (!next) {
				if (m)
					cJSON_ReplaceItemInObjectCaseSensitive(cur, tok, val);
				else
					cJSON_AddItemToObject(cur, tok, val);
				break;
			}
			if (!m) {
				err_at(e, what, 0, 0, place, "no member '%s'", tok);
				cJSON_Delete(val);
				goto out;
			}
			cur = m;
		} else {
			err_at(e, what, 0, 0, place, "'%s' is inside a %s, not an object or array",
			       tok, cJSON_IsString(cur) ? "string" : cJSON_IsNumber(cur) ? "number" :
			       "scalar");
			cJSON_Delete(val);
			goto out;
		}
	}
	rc = 0;
out:
	free(ptr);
	return rc;
}
