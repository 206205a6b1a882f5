/* models/placement/cql_parse.c — the recursive-descent parser of the cluster
 * query language (cql_parse, cql_free): subjects, operators, arguments and
 * the AND / OR / NOT tree, every static check made here (see cql_int.h). */
#include "models/placement/cql_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/mem.h"

#define B_EQ     (1u << OP_EQ)
#define B_IN     (1u << OP_IN)
#define B_MATCH  (1u << OP_MATCH)
#define B_EXISTS (1u << OP_EXISTS)
#define B_ORD    ((1u << OP_GT) | (1u << OP_GE) | (1u << OP_LT) | (1u << OP_LE))

static const struct {
	const char *name;
	enum subject s;
	unsigned allowed;   /* choice C4, A7, A8 */
} subjects[] = {
	{ "agentConnected", S_AGENT_CONNECTED, B_EQ | B_IN | B_MATCH },
	{ "agentVersion", S_AGENT_VERSION, B_EQ | B_ORD },
	{ "ec2InstanceId", S_EC2_INSTANCE_ID, B_EQ | B_IN | B_MATCH },
	{ "instanceId", S_INSTANCE_ID, B_EQ | B_IN | B_MATCH },
	{ "registeredAt", S_REGISTERED_AT, B_EQ | B_ORD },
	{ "runningTasksCount", S_RUNNING_TASKS_COUNT, B_EQ | B_ORD },
	{ "task:group", S_TASK_GROUP, B_EQ | B_IN | B_MATCH },
};
#define ATTRIBUTE_ALLOWED (B_EQ | B_IN | B_MATCH | B_EXISTS | B_ORD)

static const struct {
	const char *word;
	enum op op;
	int neg;
} operators[] = {
	{ "==", OP_EQ, 0 }, { "equals", OP_EQ, 0 },
	{ "!=", OP_EQ, 1 }, { "not_equals", OP_EQ, 1 },
	{ ">", OP_GT, 0 }, { "greater_than", OP_GT, 0 },
	{ ">=", OP_GE, 0 }, { "greater_than_equal", OP_GE, 0 },
	{ "<", OP_LT, 0 }, { "less_than", OP_LT, 0 },
	{ "<=", OP_LE, 0 }, { "less_than_equal", OP_LE, 0 },
	{ "exists", OP_EXISTS, 0 }, { "!exists", OP_EXISTS, 1 }, { "not_exists", OP_EXISTS, 1 },
	{ "in", OP_IN, 0 }, { "!in", OP_IN, 1 }, { "not_in", OP_IN, 1 },
	{ "=~", OP_MATCH, 0 }, { "matches", OP_MATCH, 0 },
	{ "!~", OP_MATCH, 1 }, { "not_matches", OP_MATCH, 1 },
};

/* ---- tree ---- */

static struct cql_expr *node(enum kind k, struct cql_expr *l, struct cql_expr *r)
{
	struct cql_expr *x = xcalloc(1, sizeof *x);

	x->kind = k;
	x->l = l;
	x->r = r;
	return x;
}

void cql_free(struct cql_expr *x)
{
	if (!x)
		return;
	cql_free(x->l);
	cql_free(x->r);
	if (x->kind == K_PRED) {
		free(x->p.attr);
		for (int i = 0; i < x->p.nvals; i++)
			free(x->p.vals[i]);
		free(x->p.vals);
		if (x->p.has_re)
			regfree(&x->p.re);
	}
	free(x);
}

/* ---- parser ---- */

static struct cql_expr *parse_or(struct parser *P);

static int is_keyword(const struct parser *P, const struct tok *t)
{
	return cql_word_is(P, t, "and") || cql_word_is(P, t, "&&") || cql_word_is(P, t, "or") ||
	       cql_word_is(P, t, "||") || cql_word_is(P, t, "not") || cql_word_is(P, t, "!");
}

/* Characters of an operator glued to a word (`a==b`, choice C1). */
static int has_op_char(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strchr("=<>~!", s[i]))
			return 1;
	return 0;
}

static int attr_name_char(char c)
{
	/* choice C12 */
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || cql_is_digit(c) ||
	       c == '-' || c == '_' || c == '/' || c == '\\' || c == '.';
}

/* The subject word t, `skip` characters in (a glued `!`, C2). */
static int parse_subject(struct parser *P, const struct tok *t, size_t skip, struct pred *p,
			 unsigned *allowed)
{
	const char *w = P->text + t->voff + skip;
	size_t n = t->vlen - skip;
	int col = cql_column(P->text, t->voff + skip);
	char buf[SHOW_BUF];
	static const char pre[] = "attribute:";

	if (t->kind != T_WORD || n == 0) {
		cql_fail(P, t->col, "expected a subject (attribute:NAME, agentConnected, agentVersion, "
		     "ec2InstanceId, instanceId, registeredAt, runningTasksCount or task:group), got %s",
		     cql_show(P, t, buf, sizeof buf));
		return 0;
	}
	if (n >= sizeof pre - 1 && memcmp(w, pre, sizeof pre - 1) == 0) {
		size_t nl = n - (sizeof pre - 1);
		const char *name = w + sizeof pre - 1;

		if (nl == 0) {
			cql_fail(P, col, "missing attribute name after 'attribute:'");
			return 0;
		}
		if (nl > MAX_ATTR_NAME) {
			cql_fail(P, col, "attribute name longer than %d characters", MAX_ATTR_NAME);
			return 0;
		}
		for (size_t i = 0; i < nl; i++) {
			if (!attr_name_char(name[i])) {
				int ccol = cql_column(P->text, (size_t)(name + i - P->text));

				if (has_op_char(name + i, 1))
					cql_fail(P, ccol, "invalid character '%c' in attribute name "
					     "(put spaces around operators)", name[i]);
				else if ((unsigned char)name[i] < 0x80)
					cql_fail(P, ccol, "invalid character '%c' in attribute name", name[i]);
				else
					cql_fail(P, ccol, "invalid character in attribute name");
				return 0;
			}
		}
		p->subj = S_ATTRIBUTE;
		p->attr = xstrndup(name, nl);
		*allowed = ATTRIBUTE_ALLOWED;
		return 1;
	}
	for (size_t i = 0; i < sizeof subjects / sizeof subjects[0]; i++) {
		if (strlen(subjects[i].name) == n && memcmp(subjects[i].name, w, n) == 0) {
			p->subj = subjects[i].s;
			*allowed = subjects[i].allowed;
			return 1;
		}
	}
	if (n > SHOW_MAX)
		cql_fail(P, col, "unknown subject '%.*s...'", SHOW_MAX, w);
	else
		cql_fail(P, col, "unknown subject '%.*s'%s", (int)n, w,
		     has_op_char(w, n) ? " (put spaces around operators)" : "");
	return 0;
}

static const char *subject_name(const struct pred *p)
{
	for (size_t i = 0; i < sizeof subjects / sizeof subjects[0]; i++)
		if (subjects[i].s == p->subj)
			return subjects[i].name;
	return "attribute";
}

/* Check and convert one literal for the predicate's subject and operator. */
static int check_literal(struct parser *P, struct pred *p, const struct tok *t, const char *v,
			 const char *opword)
{
	char buf[SHOW_BUF];

	if (p->op == OP_MATCH)
		return 1;  /* compiled by the caller */
	switch (p->subj) {
	case S_AGENT_CONNECTED:
		if (strcmp(v, "true") && strcmp(v, "false")) {
			cql_fail(P, t->col, "agentConnected takes true or false with '%s', not %s",
			     opword, cql_show(P, t, buf, sizeof buf));
			return 0;
		}
		return 1;
	case S_AGENT_VERSION:
		if (!cql_is_version(v)) {
			cql_fail(P, t->col, "agentVersion takes a dotted version number such as 1.14.5, not %s",
			     cql_show(P, t, buf, sizeof buf));
			return 0;
		}
		return 1;
	case S_REGISTERED_AT:
		if (!cql_parse_instant(v, &p->num)) {
			cql_fail(P, t->col, "registeredAt takes a date such as 2018-02-13, "
			     "2018-06-18T22:28:28Z or 2018-06-18T22:28:28+00:00, not %s",
			     cql_show(P, t, buf, sizeof buf));
			return 0;
		}
		return 1;
	case S_RUNNING_TASKS_COUNT:
		if (!cql_parse_count(v, &p->num)) {
			cql_fail(P, t->col, "runningTasksCount takes a whole number, not %s",
			     cql_show(P, t, buf, sizeof buf));
			return 0;
		}
		return 1;
	default:
		return 1;
	}
}

static int is_literal(const struct parser *P, const struct tok *t)
{
	return t->kind == T_STRING || (t->kind == T_WORD && !is_keyword(P, t));
}

static int add_value(struct parser *P, struct pred *p, const struct tok *t, const char *opword)
{
	char *v = cql_tok_value(P, t);

	p->vals = xrealloc(p->vals, ((size_t)p->nvals + 1) * sizeof *p->vals);
	p->vals[p->nvals++] = v;
	return check_literal(P, p, t, v, opword);
}

/* choice C11: POSIX ERE, whole-string match.  The pattern is
 * compiled as written and a match counts only when it spans the whole
 * value (see whole_match); wrapping it as ^(...)$ would be wrong for a
 * pattern holding a `)` that the ERE takes as a literal (`a)|b`). */
/* Bounded time and memory (choice C11).  glibc compiles a counted
 * repetition X{m,n} by copying X max(m, n) times (m + 1 for X{m,}), so a
 * short pattern can expand to millions of nodes: the cost of compiling and
 * of every match grows with that expanded size.  re_positions() computes an
 * upper bound of it, before regcomp: every atom (character, escape, `.`,
 * bracket expression) and every group counts 1, `X+` counts X twice and a
 * counted repetition multiplies X as glibc does.  A pattern over
 * CQL_MAX_RE_POSITIONS is refused.  Back-references (\1 to \9) are refused
 * too: glibc matches them by backtracking, in time exponential in the
 * number of groups.  And so is a repetition (`*`, `+`, `?`, `{m,n}`) of
 * an expression that can already match the empty string (`a???`, `(a?)+`,
 * `(x|)*`, `(a*b*)*`): glibc's compile computes the empty-string paths of such
 * nestings in time exponential in their depth, well under the positions'
 * bound (`k??????????++++++` and `(a??b??c??d??e??)++++`: past 10 and 20
 * seconds); the same language is always written without it (`a*` for
 * `(a?)+`).  A `?` right after a repetition operator is Java's lazy
 * marker (`a*?`, `a+?`, `a??`, `a{2,3}?`: java.util.regex, which ECS
 * uses), which changes what a search finds but not whether the whole
 * value matches: it is not an operator here (no positions, no repetition)
 * and compile_regex leaves it out of what regcomp reads (glibc would take
 * it as one more `?`: `a+?` as `(a+)?`, which also matches the empty
 * value).  Java's `\d` and `\D` (a digit, not a digit), which glibc reads
 * as the letter `d` and `D`, are marked to be compiled as `[0-9]` and
 * `[^0-9]` (outside bracket expressions; glibc has `\w`, `\W`, `\s`,
 * `\S` itself).  Returns the positions (saturated), or -1 when the pattern
 * holds a back-reference, with *at its 0-based byte offset; *rep (when not
 * NULL) is the offset of the first repetition of an empty-matching
 * expression, or SIZE_MAX; *edits (when not NULL) counts the lazy markers
 * and digit escapes, and edit_at (when not NULL, strlen(s) bytes) gets
 * RE_DROP at each lazy marker, RE_DIGIT or RE_NONDIGIT at the backslash
 * of each `\d` or `\D`. */
enum { RE_KEEP, RE_DROP, RE_DIGIT, RE_NONDIGIT };
static long re_mul(long a, long b)
{
	return (a > 0 && b > (2L * CQL_MAX_RE_POSITIONS) / a) ? 2L * CQL_MAX_RE_POSITIONS : a * b;
}

/* Per open group, whether what its current alternative holds can match
 * the empty string: all its items before the last (prev), the last (last,
 * when has_last), and whether an earlier alternative could (any). */
struct re_null {
	unsigned char prev, last, has_last, any;
};

/* An item of nullability e joins the current alternative. */
static void re_null_item(struct re_null *n, int e)
{
	if (n->has_last)
		n->prev &= n->last;
	n->last = (unsigned char)e;
	n->has_last = 1;
}

/* Whether the alternative so far matches the empty string. */
static int re_null_alt(const struct re_null *n)
{
	return n->prev && (!n->has_last || n->last);
}

/* A repetition operator at offset i applies to the last item: noted in
 * *rep when that item matches the empty string (the first only). */
static void re_null_repeat(const struct re_null *n, size_t i, size_t *rep)
{
	if (n->has_last && n->last && *rep == SIZE_MAX)
		*rep = i;
}

/* Whether s[i] opens a counted repetition as glibc reads it: `{` then a
 * digit or a comma (glibc takes `X{,n}` as `X{0,n}` and `X{,}` as `X*`). */
static int re_interval(const char *s, size_t i, size_t n)
{
	return s[i] == '{' && i + 1 < n && ((s[i + 1] >= '0' && s[i + 1] <= '9') || s[i + 1] == ',');
}

static long re_positions(const char *s, size_t *at, size_t *rep, size_t *edits, char *edit_at)
{
	enum { DEPTH = 256 };
	long sum[DEPTH], last[DEPTH];
	struct re_null nl[DEPTH];
	int d = 0, quant = 0;           /* quant: the token before was a repetition */
	size_t i = 0, n = strlen(s), no_rep, no_edits;

	if (!rep)
		rep = &no_rep;
	if (!edits)
		edits = &no_edits;
	*rep = SIZE_MAX;
	*edits = 0;
	sum[0] = 0;
	last[0] = 0;
	nl[0] = (struct re_null){ 1, 0, 0, 0 };
	while (i < n) {
		char c = s[i];

		if (c == '?' && quant) {        /* Java's lazy marker: no operator */
			if (edit_at)
				edit_at[i] = RE_DROP;
			(*edits)++;
			quant = 0;
			i++;
			continue;
		}
		quant = c == '*' || c == '+' || c == '?' || re_interval(s, i, n);
		if (c == '\\' && i + 1 < n) {
			if (s[i + 1] >= '1' && s[i + 1] <= '9') {
				*at = i;
				return -1;
			}
			/* glibc's zero-width escapes match the empty string */
			re_null_item(&nl[d], s[i + 1] != '\0' && strchr("bB<>`'", s[i + 1]) != NULL);
			if (s[i + 1] == 'd' || s[i + 1] == 'D') {
				if (edit_at)
					edit_at[i] = s[i + 1] == 'd' ? RE_DIGIT : RE_NONDIGIT;
				(*edits)++;
			}
			last[d] = 1;
			sum[d] += 1;
			i += 2;
		} else if (c == '[') {
			size_t j = i + 1;

			if (j < n && s[j] == '^')
				j++;
			if (j < n && s[j] == ']')
				j++;
			while (j < n && s[j] != ']') {
				if (s[j] == '[' && j + 1 < n && (s[j + 1] == ':' || s[j + 1] == '.' || s[j + 1] == '=')) {
					char e = s[j + 1];

					j += 2;
					while (j + 1 < n && !(s[j] == e && s[j + 1] == ']'))
						j++;
					j += 2;
				} else {
					j++;
				}
			}
			re_null_item(&nl[d], 0);
			last[d] = 1;
			sum[d] += 1;
			i = j < n ? j + 1 : n;
		} else if (c == '(' && d + 1 < DEPTH) {
			d++;
			sum[d] = 0;
			last[d] = 0;
			nl[d] = (struct re_null){ 1, 0, 0, 0 };
			i++;
		} else if (c == ')' && d > 0) {
			long g = sum[d] + 1;
			int e = nl[d].any || re_null_alt(&nl[d]);

			d--;
			last[d] = g;
			sum[d] += g;
			re_null_item(&nl[d], e);
			i++;
		} else if (c == '|') {
			last[d] = 0;
			nl[d].any |= (unsigned char)re_null_alt(&nl[d]);
			nl[d].prev = 1;
			nl[d].has_last = 0;
			i++;
		} else if (c == '*' || c == '?') {
			re_null_repeat(&nl[d], i, rep);
			nl[d].last = 1;         /* (with no item before it: no effect) */
			i++;
		} else if (c == '+') {
			re_null_repeat(&nl[d], i, rep);
			sum[d] += last[d];
			last[d] = re_mul(last[d], 2);
			i++;
		} else if (re_interval(s, i, n)) {
			long m = 0, k;
			size_t j = i + 1;

			re_null_repeat(&nl[d], i, rep);
			while (j < n && s[j] >= '0' && s[j] <= '9' && m < 100000)
				m = m * 10 + (s[j++] - '0');
			k = m;
			if (m == 0)
				nl[d].last = 1;
			if (j < n && s[j] == ',') {
				long hi = 0;
				int any = 0;

				j++;
				while (j < n && s[j] >= '0' && s[j] <= '9' && hi < 100000) {
					hi = hi * 10 + (s[j++] - '0');
					any = 1;
				}
				k = any ? (hi > m ? hi : m) : m + 1;
			}
			if (k < 1)
				k = 1;
			sum[d] += re_mul(last[d], k) - last[d];
			last[d] = re_mul(last[d], k);
			i = j;
			if (i < n && s[i] == '}')
				i++;
		} else {
			re_null_item(&nl[d], c == '^' || c == '$');     /* (anchors: zero-width) */
			last[d] = 1;
			sum[d] += 1;
			i++;
		}
		if (sum[d] > 2L * CQL_MAX_RE_POSITIONS)
			sum[d] = 2L * CQL_MAX_RE_POSITIONS;
	}
	while (d > 0) {
		sum[d - 1] += sum[d] + 1;
		d--;
	}
	return sum[0];
}

long cql_regex_positions(const char *pattern)
{
	size_t at;

	return re_positions(pattern, &at, NULL, NULL, NULL);
}

static int compile_regex(struct parser *P, struct pred *p, const struct tok *t)
{
	char msg[200];
	size_t at = 0, rep, edits, n = strlen(p->vals[0]);
	char *edit_at = xcalloc(n + 1, 1), *pat = NULL;
	long pos = re_positions(p->vals[0], &at, &rep, &edits, edit_at);
	int rc;

	if (pos < 0) {
		cql_fail(P, t->col, "regular expression uses a back-reference ('\\%c'), which is not supported",
		     p->vals[0][at + 1]);
	} else if (rep != SIZE_MAX) {
		size_t ch = 1;          /* its character's number (UTF-8 lead bytes) */

		for (size_t b = 0; b < rep; b++)
			ch += ((unsigned char)p->vals[0][b] & 0xC0) != 0x80;
		cql_fail(P, t->col, "regular expression repeats an expression that can match the empty string "
		     "('%c' at character %zu), which glibc compiles in exponential time: "
		     "repeat only what must match something ('a*', not '(a?)+')",
		     p->vals[0][rep], ch);
	} else if (pos > CQL_MAX_RE_POSITIONS) {
		cql_fail(P, t->col, "regular expression too large: its repetitions expand to %s%ld positions, "
		     "more than the limit of %d", pos >= 2L * CQL_MAX_RE_POSITIONS ? "over " : "",
		     pos >= 2L * CQL_MAX_RE_POSITIONS ? 2L * CQL_MAX_RE_POSITIONS : pos, CQL_MAX_RE_POSITIONS);
	} else {
		if (edits > 0) {        /* regcomp reads it with Java's forms made ERE */
			size_t k = 0;

			pat = xmalloc(6 * n + 1);       /* (`\D`, 2 bytes, becomes 6) */
			for (size_t i = 0; i < n; i++) {
				if (edit_at[i] == RE_KEEP) {
					pat[k++] = p->vals[0][i];
				} else if (edit_at[i] != RE_DROP) {
					const char *cls = edit_at[i] == RE_DIGIT ? "[0-9]" : "[^0-9]";

					memcpy(pat + k, cls, strlen(cls));
					k += strlen(cls);
					i++;            /* (the letter after the backslash) */
				}
			}
			pat[k] = '\0';
		}
		free(edit_at);
		rc = regcomp(&p->re, pat ? pat : p->vals[0], REG_EXTENDED);
		free(pat);
		if (rc == 0) {
			p->has_re = 1;
			return 1;
		}
		regerror(rc, &p->re, msg, sizeof msg);
		for (char *c = msg; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		cql_fail(P, t->col, "regular expression does not compile: %s", msg);
		return 0;
	}
	free(edit_at);
	return 0;
}

static int parse_argument(struct parser *P, struct pred *p, const struct tok *optok)
{
	char opword[32], buf[SHOW_BUF];
	const struct tok *t = cql_peek(P);

	snprintf(opword, sizeof opword, "%.*s", (int)optok->vlen, P->text + optok->voff);
	if (t->kind == T_LBRACK) {
		const struct tok *open = t;

		if (p->op != OP_IN) {
			cql_fail(P, t->col, "a list is only allowed after in or not_in, not after '%s'", opword);
			return 0;
		}
		P->pos++;
		if (cql_peek(P)->kind == T_RBRACK) {
			cql_fail(P, open->col, "empty list");
			return 0;
		}
		for (;;) {
			t = cql_peek(P);
			if (!is_literal(P, t)) {
				cql_fail(P, t->col, "expected a value in the list, got %s", cql_show(P, t, buf, sizeof buf));
				return 0;
			}
			P->pos++;
			if (!add_value(P, p, t, opword))
				return 0;
			t = cql_peek(P);
			if (t->kind == T_RBRACK) {
				P->pos++;
				return 1;
			}
			if (t->kind != T_COMMA) {
				if (t->kind == T_END)
					cql_fail(P, t->col, "expected ']' to close '[' at column %d", open->col);
				else
					cql_fail(P, t->col, "expected ',' or ']' in the list, got %s",
					     cql_show(P, t, buf, sizeof buf));
				return 0;
			}
			P->pos++;
		}
	}
	if (!is_literal(P, t)) {
		if (t->kind == T_WORD)
			cql_fail(P, t->col, "expected a value after '%s', got %s (quote it to use it as a value)",
			     opword, cql_show(P, t, buf, sizeof buf));
		else
			cql_fail(P, t->col, "expected a value after '%s', got %s", opword, cql_show(P, t, buf, sizeof buf));
		return 0;
	}
	P->pos++;
	if (!add_value(P, p, t, opword))
		return 0;
	if (p->op == OP_MATCH)
		return compile_regex(P, p, t);
	return 1;
}

/* predicate := subject operator [argument]; `skip` is the length of a `!`
 * glued to the subject word. */
static struct cql_expr *parse_predicate(struct parser *P, size_t skip)
{
	const struct tok *st = cql_peek(P), *ot;
	struct cql_expr *x = node(K_PRED, NULL, NULL);
	struct pred *p = &x->p;
	unsigned allowed = 0;
	char sbuf[SHOW_BUF], buf[SHOW_BUF];
	size_t i;

	if (!parse_subject(P, st, skip, p, &allowed))
		goto bad;
	P->pos++;
	snprintf(sbuf, sizeof sbuf, "%.*s%s", (int)(st->vlen - skip > SHOW_MAX ? SHOW_MAX : st->vlen - skip),
		 P->text + st->voff + skip, st->vlen - skip > SHOW_MAX ? "..." : "");
	ot = cql_peek(P);
	if (ot->kind != T_WORD) {
		cql_fail(P, ot->col, "expected an operator after '%s'", sbuf);
		goto bad;
	}
	for (i = 0; i < sizeof operators / sizeof operators[0]; i++)
		if (cql_word_is(P, ot, operators[i].word))
			break;
	if (i == sizeof operators / sizeof operators[0]) {
		cql_fail(P, ot->col, "expected an operator after '%s', got %s", sbuf, cql_show(P, ot, buf, sizeof buf));
		goto bad;
	}
	p->op = operators[i].op;
	p->neg = operators[i].neg;
	if (!(allowed & (1u << p->op))) {
		cql_fail(P, ot->col, "operator '%s' is not allowed with %s", operators[i].word, subject_name(p));
		goto bad;
	}
	P->pos++;
	if (p->op == OP_EXISTS)
		return x;
	if (!parse_argument(P, p, ot))
		goto bad;
	return x;
bad:
	cql_free(x);
	return NULL;
}

/* term := [ "not" | "!" ] ( "(" expr ")" | predicate )   (choice C2) */
static struct cql_expr *parse_term(struct parser *P)
{
	const struct tok *t = cql_peek(P);
	struct cql_expr *x;
	size_t skip = 0;
	int neg = 0;
	char buf[SHOW_BUF];

	if (cql_word_is(P, t, "not") || cql_word_is(P, t, "!")) {
		neg = 1;
		P->pos++;
		t = cql_peek(P);
		if (cql_word_is(P, t, "not") || cql_word_is(P, t, "!") ||
		    (t->kind == T_WORD && P->text[t->voff] == '!')) {
			cql_fail(P, t->col, "only one 'not' or '!' may stand before a term");
			return NULL;
		}
	} else if (t->kind == T_WORD && P->text[t->voff] == '!' && t->vlen > 1) {
		neg = 1;
		skip = 1;
		if (P->text[t->voff + 1] == '!') {
			cql_fail(P, t->col + 1, "only one 'not' or '!' may stand before a term");
			return NULL;
		}
	}
	if (t->kind == T_LPAREN) {
		const struct tok *open = t;

		P->pos++;
		x = parse_or(P);
		if (!x)
			return NULL;
		t = cql_peek(P);
		if (t->kind != T_RPAREN) {
			if (t->kind == T_END)
				cql_fail(P, t->col, "expected ')' to close '(' at column %d", open->col);
			else
				cql_fail(P, t->col, "expected 'and', 'or' or ')', got %s", cql_show(P, t, buf, sizeof buf));
			cql_free(x);
			return NULL;
		}
		P->pos++;
	} else if (t->kind == T_RPAREN) {
		cql_fail(P, t->col, "unexpected ')'");
		return NULL;
	} else if (t->kind == T_END) {
		cql_fail(P, t->col, neg ? "expected a subject or '(' after 'not'" :
		     P->pos == 0 ? "empty expression" : "expected a subject or '(' at the end of the expression");
		return NULL;
	} else {
		x = parse_predicate(P, skip);
		if (!x)
			return NULL;
	}
	return neg ? node(K_NOT, x, NULL) : x;
}

static struct cql_expr *parse_and(struct parser *P)
{
	struct cql_expr *x = parse_term(P);

	while (x && (cql_word_is(P, cql_peek(P), "and") || cql_word_is(P, cql_peek(P), "&&"))) {
		struct cql_expr *r;

		P->pos++;
		r = parse_term(P);
		if (!r) {
			cql_free(x);
			return NULL;
		}
		x = node(K_AND, x, r);
	}
	return x;
}

/* expr := and-expr { ("or" | "||") and-expr }   (choice A6) */
static struct cql_expr *parse_or(struct parser *P)
{
	struct cql_expr *x = parse_and(P);

	while (x && (cql_word_is(P, cql_peek(P), "or") || cql_word_is(P, cql_peek(P), "||"))) {
		struct cql_expr *r;

		P->pos++;
		r = parse_and(P);
		if (!r) {
			cql_free(x);
			return NULL;
		}
		x = node(K_OR, x, r);
	}
	return x;
}

struct cql_expr *cql_parse(const char *text, int *err_col, char *errbuf, size_t errlen)
{
	struct parser P = { 0 };
	struct cql_expr *x = NULL;
	char buf[SHOW_BUF];

	P.text = text ? text : "";
	P.errbuf = errbuf;
	P.errlen = errlen;
	if (errbuf && errlen)
		errbuf[0] = '\0';
	if (cql_column(P.text, strlen(P.text)) - 1 > MAX_CHARS) {
		cql_fail(&P, MAX_CHARS + 1, "expression longer than %d characters", MAX_CHARS);
	} else if (cql_lex(&P)) {
		x = parse_or(&P);
		if (x && cql_peek(&P)->kind != T_END) {
			const struct tok *t = cql_peek(&P);

			if (t->kind == T_RPAREN)
				cql_fail(&P, t->col, "unexpected ')'");
			else
				cql_fail(&P, t->col, "expected 'and', 'or' or the end of the expression, got %s",
				     cql_show(&P, t, buf, sizeof buf));
			cql_free(x);
			x = NULL;
		}
	}
	free(P.toks);
	if (err_col)
		*err_col = x ? 0 : P.err_col;
	return x;
}
