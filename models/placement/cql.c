/* models/placement/cql.c — the ECS cluster query language (CQL) of
 * `memberOf` placement constraints: lexer, recursive-descent parser and
 * evaluator (docs/ecs-model.md §4.4, §4.7; choices A6–A8, C1–C13).
 *
 * The text is first cut into tokens (C1): punctuation `( ) [ ] ,`, quoted
 * literals taken verbatim, and words.  The parser builds a tree of AND / OR /
 * NOT / predicate nodes, `and` binding tighter than `or` (A6).  Everything
 * that can be checked without an instance is checked at parse time: the
 * subject, the operator against the per-subject table (C4, A8), the shape
 * and form of the argument (lists only for in / not_in, C3; versions, dates,
 * counts, booleans), and regular expressions, which are compiled once here
 * (C11) and freed by cql_free.  So cql_eval cannot fail.
 *
 * Invariants: a predicate stores its operator in positive form plus a `neg`
 * flag, and evaluation is `neg XOR positive`, which makes every negated
 * operator exactly `not` of its positive form (C5); a value the instance
 * lacks makes every positive operator false.  Columns in error reports are
 * 1-based and count characters (UTF-8 code points), as does the 2000
 * character limit (C13).  The tree holds no pointer into the parsed text.
 */
#include "models/placement/cql.h"

#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/mem.h"

#define MAX_CHARS 2000          /* docs/ecs-model.md choice C13 */
#define MAX_ATTR_NAME 128       /* docs/ecs-model.md choice C12 */
#define SHOW_MAX 60             /* longest token text quoted in a message */
#define SHOW_BUF (SHOW_MAX + 32)      /* room for show()'s text */

enum subject {
	S_ATTRIBUTE, S_AGENT_CONNECTED, S_AGENT_VERSION, S_EC2_INSTANCE_ID,
	S_INSTANCE_ID, S_REGISTERED_AT, S_RUNNING_TASKS_COUNT, S_TASK_GROUP,
};

enum op { OP_EQ, OP_IN, OP_MATCH, OP_EXISTS, OP_GT, OP_GE, OP_LT, OP_LE };

#define B_EQ     (1u << OP_EQ)
#define B_IN     (1u << OP_IN)
#define B_MATCH  (1u << OP_MATCH)
#define B_EXISTS (1u << OP_EXISTS)
#define B_ORD    ((1u << OP_GT) | (1u << OP_GE) | (1u << OP_LT) | (1u << OP_LE))

static const struct {
	const char *name;
	enum subject s;
	unsigned allowed;   /* docs/ecs-model.md choices C4, A7, A8 */
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

struct pred {
	enum subject subj;
	char *attr;            /* S_ATTRIBUTE: the name */
	enum op op;            /* positive form */
	int neg;               /* docs/ecs-model.md choice C5: result is neg XOR positive */
	int nvals;
	char **vals;           /* literals as written (one, or a list for in) */
	int64_t num;           /* registeredAt (epoch ms), runningTasksCount */
	regex_t re;            /* OP_MATCH: compiled whole-string pattern */
	int has_re;
};

enum kind { K_AND, K_OR, K_NOT, K_PRED };

struct cql_expr {
	enum kind kind;
	struct cql_expr *l, *r;    /* K_AND, K_OR: both; K_NOT: l */
	struct pred p;             /* K_PRED */
};

/* ---- tokens (docs/ecs-model.md choice C1) ---- */

enum tkind { T_END, T_LPAREN, T_RPAREN, T_LBRACK, T_RBRACK, T_COMMA, T_WORD, T_STRING };

struct tok {
	enum tkind kind;
	size_t off, len;        /* raw text, quotes included */
	size_t voff, vlen;      /* value: the word, or the string between quotes */
	int col;
};

struct parser {
	const char *text;
	struct tok *toks;
	int ntok, pos;
	int failed;
	int err_col;
	char *errbuf;
	size_t errlen;
};

static int column(const char *text, size_t off)
{
	int col = 1;

	for (size_t i = 0; i < off; i++)
		if (((unsigned char)text[i] & 0xC0) != 0x80)
			col++;
	return col;
}

static void fail(struct parser *P, int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(struct parser *P, int col, const char *fmt, ...)
{
	va_list ap;

	if (P->failed)
		return;
	P->failed = 1;
	P->err_col = col;
	if (P->errbuf && P->errlen) {
		va_start(ap, fmt);
		vsnprintf(P->errbuf, P->errlen, fmt, ap);
		va_end(ap);
	}
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int is_punct(char c)
{
	return c == '(' || c == ')' || c == '[' || c == ']' || c == ',';
}

/* Cut the text into tokens, ending with T_END; 0 on an unterminated string. */
static int lex(struct parser *P)
{
	const char *s = P->text;
	size_t i = 0, cap = 0;

	for (;;) {
		struct tok t = { 0 };

		while (s[i] && is_space(s[i]))
			i++;
		t.off = i;
		t.col = column(s, i);
		if (!s[i]) {
			t.kind = T_END;
		} else if (is_punct(s[i])) {
			t.kind = s[i] == '(' ? T_LPAREN : s[i] == ')' ? T_RPAREN :
				 s[i] == '[' ? T_LBRACK : s[i] == ']' ? T_RBRACK : T_COMMA;
			t.len = 1;
		} else if (s[i] == '\'' || s[i] == '"') {
			const char *close = strchr(s + i + 1, s[i]);

			if (!close) {
				fail(P, t.col, "unterminated string");
				return 0;
			}
			t.kind = T_STRING;
			t.voff = i + 1;
			t.vlen = (size_t)(close - (s + i + 1));
			t.len = t.vlen + 2;
		} else {
			size_t j = i;

			while (s[j] && !is_space(s[j]) && !is_punct(s[j]) && s[j] != '\'' && s[j] != '"')
				j++;
			t.kind = T_WORD;
			t.voff = i;
			t.vlen = t.len = j - i;
		}
		XGROW(P->toks, cap, (size_t)P->ntok + 1);
		P->toks[P->ntok++] = t;
		if (t.kind == T_END)
			return 1;
		i += t.len;
	}
}

static const struct tok *peek(const struct parser *P)
{
	return &P->toks[P->pos];
}

static int word_is(const struct parser *P, const struct tok *t, const char *w)
{
	return t->kind == T_WORD && t->vlen == strlen(w) && memcmp(P->text + t->voff, w, t->vlen) == 0;
}

/* The token as written, shortened for messages. */
static const char *show(const struct parser *P, const struct tok *t, char *buf, size_t n)
{
	size_t len = t->len;

	if (t->kind == T_END)
		return "the end of the expression";
	if (t->kind == T_STRING) {
		if (len > SHOW_MAX)
			snprintf(buf, n, "the quoted value %.*s...", SHOW_MAX, P->text + t->off);
		else
			snprintf(buf, n, "the quoted value %.*s", (int)len, P->text + t->off);
	} else if (len > SHOW_MAX) {
		snprintf(buf, n, "'%.*s...'", SHOW_MAX, P->text + t->off);
	} else {
		snprintf(buf, n, "'%.*s'", (int)len, P->text + t->off);
	}
	return buf;
}

static char *tok_value(const struct parser *P, const struct tok *t)
{
	return xstrndup(P->text + t->voff, t->vlen);
}

/* ---- literal forms ---- */

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* docs/ecs-model.md choice C6: -?[0-9]+(\.[0-9]+)? */
static int is_decimal(const char *s)
{
	if (*s == '-')
		s++;
	if (!is_digit(*s))
		return 0;
	while (is_digit(*s))
		s++;
	if (*s == '.') {
		s++;
		if (!is_digit(*s))
			return 0;
		while (is_digit(*s))
			s++;
	}
	return *s == '\0';
}

/* Compare two runs of digits as unsigned integers (no overflow). */
static int cmp_digits(const char *a, size_t na, const char *b, size_t nb)
{
	while (na > 1 && *a == '0') {
		a++;
		na--;
	}
	while (nb > 1 && *b == '0') {
		b++;
		nb--;
	}
	if (na != nb)
		return na < nb ? -1 : 1;
	for (size_t i = 0; i < na; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

/* Magnitudes of two decimals without sign: integer parts, then fractions
 * digit by digit with missing digits read as 0. */
static int cmp_magnitude(const char *a, const char *b)
{
	size_t ia = strspn(a, "0123456789"), ib = strspn(b, "0123456789");
	int c = cmp_digits(a, ia, b, ib);

	if (c)
		return c;
	a += ia;
	b += ib;
	if (*a == '.')
		a++;
	if (*b == '.')
		b++;
	while (*a || *b) {
		char da = *a ? *a++ : '0', db = *b ? *b++ : '0';

		if (da != db)
			return da < db ? -1 : 1;
	}
	return 0;
}

static int is_zero(const char *s)
{
	for (; *s; s++)
		if (*s != '0' && *s != '.' && *s != '-')
			return 0;
	return 1;
}

/* Both arguments satisfy is_decimal.  Exact: no conversion to double. */
static int cmp_decimal(const char *a, const char *b)
{
	int na = a[0] == '-' && !is_zero(a), nb = b[0] == '-' && !is_zero(b);

	if (na != nb)
		return na ? -1 : 1;
	if (*a == '-')
		a++;
	if (*b == '-')
		b++;
	return na ? -cmp_magnitude(a, b) : cmp_magnitude(a, b);
}

/* docs/ecs-model.md choice C6: numeric when both are decimal numbers, else code point
 * (strcmp compares bytes as unsigned char, and UTF-8 byte order is code
 * point order). */
static int cmp_values(const char *a, const char *b)
{
	int c;

	if (is_decimal(a) && is_decimal(b))
		return cmp_decimal(a, b);
	c = strcmp(a, b);
	return (c > 0) - (c < 0);
}

/* docs/ecs-model.md choice C7: [0-9]+(\.[0-9]+)* */
static int is_version(const char *s)
{
	for (;;) {
		if (!is_digit(*s))
			return 0;
		while (is_digit(*s))
			s++;
		if (!*s)
			return 1;
		if (*s++ != '.')
			return 0;
	}
}

/* docs/ecs-model.md choice C7: dotted numbers part by part, missing parts are 0.  The
 * instance's version is read up to the end of its leading dotted number
 * (a suffix such as "-rc1" is ignored); callers check it starts with a
 * digit. */
static int cmp_version(const char *a, const char *b)
{
	for (;;) {
		size_t na = strspn(a, "0123456789"), nb = strspn(b, "0123456789");
		int c = cmp_digits(na ? a : "0", na ? na : 1, nb ? b : "0", nb ? nb : 1);

		if (c)
			return c;
		a += na;
		b += nb;
		a = (a[0] == '.' && is_digit(a[1])) ? a + 1 : a + strlen(a);
		b = (b[0] == '.' && is_digit(b[1])) ? b + 1 : b + strlen(b);
		if (!*a && !*b)
			return 0;
	}
}

/* Parse exactly n digits. */
static int digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int month_days(int y, int m)
{
	static const int md[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : md[m - 1];
}

/* docs/ecs-model.md choice C8: YYYY-MM-DD (midnight UTC) or YYYY-MM-DDThh:mm:ss[.fff]
 * (UTC) with an optional Z or ±hh:mm.  Fractions may have 1 to 9 digits;
 * digits past milliseconds are dropped. */
static int parse_instant(const char *s, int64_t *ms)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, off = 0;

	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !digits(s + 8, 2, &d))
		return 0;
	if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo))
		return 0;
	s += 10;
	if (*s == 'T') {
		if (!digits(s + 1, 2, &h) || s[3] != ':' || !digits(s + 4, 2, &mi) || s[6] != ':' ||
		    !digits(s + 7, 2, &sec))
			return 0;
		if (h > 23 || mi > 59 || sec > 59)
			return 0;
		s += 9;
		if (*s == '.') {
			int n = 0;

			s++;
			while (is_digit(*s)) {
				if (n < 3)
					frac = frac * 10 + (*s - '0');
				n++;
				s++;
			}
			if (n == 0 || n > 9)
				return 0;
			for (; n < 3; n++)
				frac *= 10;
		}
		if (*s == 'Z') {
			s++;
		} else if (*s == '+' || *s == '-') {
			int oh, om;

			if (!digits(s + 1, 2, &oh) || s[3] != ':' || !digits(s + 4, 2, &om) ||
			    oh > 23 || om > 59)
				return 0;
			off = (oh * 60 + om) * (*s == '-' ? -1 : 1);
			s += 6;
		}
	}
	if (*s)
		return 0;
	*ms = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) - (int64_t)off * 60) * 1000 + frac;
	return 1;
}

/* A non-negative whole number that fits in int64_t. */
static int parse_count(const char *s, int64_t *out)
{
	int64_t v = 0;

	if (!is_digit(*s))
		return 0;
	for (; *s; s++) {
		if (!is_digit(*s) || v > (INT64_MAX - (*s - '0')) / 10)
			return 0;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return 1;
}

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
	return word_is(P, t, "and") || word_is(P, t, "&&") || word_is(P, t, "or") ||
	       word_is(P, t, "||") || word_is(P, t, "not") || word_is(P, t, "!");
}

/* Characters of an operator glued to a word (`a==b`, docs/ecs-model.md choice C1). */
static int has_op_char(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strchr("=<>~!", s[i]))
			return 1;
	return 0;
}

static int attr_name_char(char c)
{
	/* docs/ecs-model.md choice C12 */
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
	       c == '-' || c == '_' || c == '/' || c == '\\' || c == '.';
}

/* The subject word t, `skip` characters in (a glued `!`, C2). */
static int parse_subject(struct parser *P, const struct tok *t, size_t skip, struct pred *p,
			 unsigned *allowed)
{
	const char *w = P->text + t->voff + skip;
	size_t n = t->vlen - skip;
	int col = column(P->text, t->voff + skip);
	char buf[SHOW_BUF];
	static const char pre[] = "attribute:";

	if (t->kind != T_WORD || n == 0) {
		fail(P, t->col, "expected a subject (attribute:NAME, agentConnected, agentVersion, "
		     "ec2InstanceId, instanceId, registeredAt, runningTasksCount or task:group), got %s",
		     show(P, t, buf, sizeof buf));
		return 0;
	}
	if (n >= sizeof pre - 1 && memcmp(w, pre, sizeof pre - 1) == 0) {
		size_t nl = n - (sizeof pre - 1);
		const char *name = w + sizeof pre - 1;

		if (nl == 0) {
			fail(P, col, "missing attribute name after 'attribute:'");
			return 0;
		}
		if (nl > MAX_ATTR_NAME) {
			fail(P, col, "attribute name longer than %d characters", MAX_ATTR_NAME);
			return 0;
		}
		for (size_t i = 0; i < nl; i++) {
			if (!attr_name_char(name[i])) {
				int ccol = column(P->text, (size_t)(name + i - P->text));

				if (has_op_char(name + i, 1))
					fail(P, ccol, "invalid character '%c' in attribute name "
					     "(put spaces around operators)", name[i]);
				else if ((unsigned char)name[i] < 0x80)
					fail(P, ccol, "invalid character '%c' in attribute name", name[i]);
				else
					fail(P, ccol, "invalid character in attribute name");
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
		fail(P, col, "unknown subject '%.*s...'", SHOW_MAX, w);
	else
		fail(P, col, "unknown subject '%.*s'%s", (int)n, w,
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
			fail(P, t->col, "agentConnected takes true or false with '%s', not %s",
			     opword, show(P, t, buf, sizeof buf));
			return 0;
		}
		return 1;
	case S_AGENT_VERSION:
		if (!is_version(v)) {
			fail(P, t->col, "agentVersion takes a dotted version number such as 1.14.5, not %s",
			     show(P, t, buf, sizeof buf));
			return 0;
		}
		return 1;
	case S_REGISTERED_AT:
		if (!parse_instant(v, &p->num)) {
			fail(P, t->col, "registeredAt takes a date such as 2018-02-13, "
			     "2018-06-18T22:28:28Z or 2018-06-18T22:28:28+00:00, not %s",
			     show(P, t, buf, sizeof buf));
			return 0;
		}
		return 1;
	case S_RUNNING_TASKS_COUNT:
		if (!parse_count(v, &p->num)) {
			fail(P, t->col, "runningTasksCount takes a whole number, not %s",
			     show(P, t, buf, sizeof buf));
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
	char *v = tok_value(P, t);

	p->vals = xrealloc(p->vals, ((size_t)p->nvals + 1) * sizeof *p->vals);
	p->vals[p->nvals++] = v;
	return check_literal(P, p, t, v, opword);
}

/* docs/ecs-model.md choice C11: POSIX ERE, whole-string match.  The pattern is
 * compiled as written and a match counts only when it spans the whole
 * value (see whole_match); wrapping it as ^(...)$ would be wrong for a
 * pattern holding a `)` that the ERE takes as a literal (`a)|b`). */
static int compile_regex(struct parser *P, struct pred *p, const struct tok *t)
{
	char msg[200];
	int rc = regcomp(&p->re, p->vals[0], REG_EXTENDED);

	if (rc == 0) {
		p->has_re = 1;
		return 1;
	}
	regerror(rc, &p->re, msg, sizeof msg);
	for (char *c = msg; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	fail(P, t->col, "regular expression does not compile: %s", msg);
	return 0;
}

static int parse_argument(struct parser *P, struct pred *p, const struct tok *optok)
{
	char opword[32], buf[SHOW_BUF];
	const struct tok *t = peek(P);

	snprintf(opword, sizeof opword, "%.*s", (int)optok->vlen, P->text + optok->voff);
	if (t->kind == T_LBRACK) {
		const struct tok *open = t;

		if (p->op != OP_IN) {
			fail(P, t->col, "a list is only allowed after in or not_in, not after '%s'", opword);
			return 0;
		}
		P->pos++;
		if (peek(P)->kind == T_RBRACK) {
			fail(P, open->col, "empty list");
			return 0;
		}
		for (;;) {
			t = peek(P);
			if (!is_literal(P, t)) {
				fail(P, t->col, "expected a value in the list, got %s", show(P, t, buf, sizeof buf));
				return 0;
			}
			P->pos++;
			if (!add_value(P, p, t, opword))
				return 0;
			t = peek(P);
			if (t->kind == T_RBRACK) {
				P->pos++;
				return 1;
			}
			if (t->kind != T_COMMA) {
				if (t->kind == T_END)
					fail(P, t->col, "expected ']' to close '[' at column %d", open->col);
				else
					fail(P, t->col, "expected ',' or ']' in the list, got %s",
					     show(P, t, buf, sizeof buf));
				return 0;
			}
			P->pos++;
		}
	}
	if (!is_literal(P, t)) {
		if (t->kind == T_WORD)
			fail(P, t->col, "expected a value after '%s', got %s (quote it to use it as a value)",
			     opword, show(P, t, buf, sizeof buf));
		else
			fail(P, t->col, "expected a value after '%s', got %s", opword, show(P, t, buf, sizeof buf));
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
	const struct tok *st = peek(P), *ot;
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
	ot = peek(P);
	if (ot->kind != T_WORD) {
		fail(P, ot->col, "expected an operator after '%s'", sbuf);
		goto bad;
	}
	for (i = 0; i < sizeof operators / sizeof operators[0]; i++)
		if (word_is(P, ot, operators[i].word))
			break;
	if (i == sizeof operators / sizeof operators[0]) {
		fail(P, ot->col, "expected an operator after '%s', got %s", sbuf, show(P, ot, buf, sizeof buf));
		goto bad;
	}
	p->op = operators[i].op;
	p->neg = operators[i].neg;
	if (!(allowed & (1u << p->op))) {
		fail(P, ot->col, "operator '%s' is not allowed with %s", operators[i].word, subject_name(p));
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

/* term := [ "not" | "!" ] ( "(" expr ")" | predicate )   (docs/ecs-model.md choice C2) */
static struct cql_expr *parse_term(struct parser *P)
{
	const struct tok *t = peek(P);
	struct cql_expr *x;
	size_t skip = 0;
	int neg = 0;
	char buf[SHOW_BUF];

	if (word_is(P, t, "not") || word_is(P, t, "!")) {
		neg = 1;
		P->pos++;
		t = peek(P);
		if (word_is(P, t, "not") || word_is(P, t, "!") ||
		    (t->kind == T_WORD && P->text[t->voff] == '!')) {
			fail(P, t->col, "only one 'not' or '!' may stand before a term");
			return NULL;
		}
	} else if (t->kind == T_WORD && P->text[t->voff] == '!' && t->vlen > 1) {
		neg = 1;
		skip = 1;
		if (P->text[t->voff + 1] == '!') {
			fail(P, t->col + 1, "only one 'not' or '!' may stand before a term");
			return NULL;
		}
	}
	if (t->kind == T_LPAREN) {
		const struct tok *open = t;

		P->pos++;
		x = parse_or(P);
		if (!x)
			return NULL;
		t = peek(P);
		if (t->kind != T_RPAREN) {
			if (t->kind == T_END)
				fail(P, t->col, "expected ')' to close '(' at column %d", open->col);
			else
				fail(P, t->col, "expected 'and', 'or' or ')', got %s", show(P, t, buf, sizeof buf));
			cql_free(x);
			return NULL;
		}
		P->pos++;
	} else if (t->kind == T_RPAREN) {
		fail(P, t->col, "unexpected ')'");
		return NULL;
	} else if (t->kind == T_END) {
		fail(P, t->col, neg ? "expected a subject or '(' after 'not'" :
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

	while (x && (word_is(P, peek(P), "and") || word_is(P, peek(P), "&&"))) {
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

/* expr := and-expr { ("or" | "||") and-expr }   (docs/ecs-model.md choice A6) */
static struct cql_expr *parse_or(struct parser *P)
{
	struct cql_expr *x = parse_and(P);

	while (x && (word_is(P, peek(P), "or") || word_is(P, peek(P), "||"))) {
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
	if (column(P.text, strlen(P.text)) - 1 > MAX_CHARS) {
		fail(&P, MAX_CHARS + 1, "expression longer than %d characters", MAX_CHARS);
	} else if (lex(&P)) {
		x = parse_or(&P);
		if (x && peek(&P)->kind != T_END) {
			const struct tok *t = peek(&P);

			if (t->kind == T_RPAREN)
				fail(&P, t->col, "unexpected ')'");
			else
				fail(&P, t->col, "expected 'and', 'or' or the end of the expression, got %s",
				     show(&P, t, buf, sizeof buf));
			cql_free(x);
			x = NULL;
		}
	}
	free(P.toks);
	if (err_col)
		*err_col = x ? 0 : P.err_col;
	return x;
}

/* ---- evaluation ---- */

static int ord_holds(enum op op, int c)
{
	switch (op) {
	case OP_GT: return c > 0;
	case OP_GE: return c >= 0;
	case OP_LT: return c < 0;
	case OP_LE: return c <= 0;
	default: return c == 0;
	}
}

/* POSIX matching is leftmost-longest, so when some match spans the whole
 * string the match found starts at 0 and ends at its end (C11). */
static int whole_match(const regex_t *re, const char *s)
{
	regmatch_t m;

	return regexec(re, s, 1, &m, 0) == 0 && m.rm_so == 0 && (size_t)m.rm_eo == strlen(s);
}

/* Positive form of a string predicate; NULL (no value) is false (C5). */
static int string_holds(const struct pred *p, const char *s)
{
	if (!s)
		return 0;
	switch (p->op) {
	case OP_EQ:
	case OP_IN:
		for (int i = 0; i < p->nvals; i++)
			if (strcmp(p->vals[i], s) == 0)
				return 1;
		return 0;
	case OP_MATCH:
		return whole_match(&p->re, s);
	default:
		return ord_holds(p->op, cmp_values(s, p->vals[0]));   /* docs/ecs-model.md choice C6 */
	}
}

static int cmp_i64(int64_t a, int64_t b)
{
	return (a > b) - (a < b);
}

static int pred_holds(const struct pred *p, const struct cql_view *v, const void *inst)
{
	const char *s = NULL;

	switch (p->subj) {
	case S_ATTRIBUTE: {
		int has = v->attribute(inst, p->attr, &s);

		if (p->op == OP_EXISTS)
			return has;      /* docs/ecs-model.md choice A8; a value-less attribute exists */
		return has && string_holds(p, s);
	}
	case S_AGENT_CONNECTED:   /* docs/ecs-model.md choice C4 */
		return string_holds(p, v->agent_connected(inst) ? "true" : "false");
	case S_AGENT_VERSION:     /* docs/ecs-model.md choice C7 */
		s = v->agent_version(inst);
		if (!s || !is_digit(s[0]))
			return 0;
		return ord_holds(p->op, cmp_version(s, p->vals[0]));
	case S_EC2_INSTANCE_ID:
		return string_holds(p, v->ec2_instance_id(inst));
	case S_INSTANCE_ID:       /* docs/ecs-model.md choice A7 */
		return string_holds(p, v->instance_id(inst));
	case S_REGISTERED_AT:     /* docs/ecs-model.md choice C8 */
		return ord_holds(p->op, cmp_i64(v->registered_at_ms(inst), p->num));
	case S_RUNNING_TASKS_COUNT:   /* docs/ecs-model.md choice C9 */
		return ord_holds(p->op, cmp_i64(v->running_tasks_count(inst), p->num));
	case S_TASK_GROUP: {      /* docs/ecs-model.md choice C10: any group */
		const char *const *groups = NULL;
		int n = v->task_groups(inst, &groups);

		for (int i = 0; i < n; i++)
			if (string_holds(p, groups[i]))
				return 1;
		return 0;
	}
	}
	return 0;
}

int cql_eval(const struct cql_expr *x, const struct cql_view *v, const void *inst)
{
	switch (x->kind) {
	case K_AND:
		return cql_eval(x->l, v, inst) && cql_eval(x->r, v, inst);
	case K_OR:
		return cql_eval(x->l, v, inst) || cql_eval(x->r, v, inst);
	case K_NOT:
		return !cql_eval(x->l, v, inst);
	case K_PRED:
		return x->p.neg ^ pred_holds(&x->p, v, inst);   /* docs/ecs-model.md choice C5 */
	}
	return 0;
}

int cql_is_dynamic(const struct cql_expr *x)
{
	if (!x)
		return 0;
	if (x->kind == K_PRED)
		return x->p.subj == S_TASK_GROUP || x->p.subj == S_RUNNING_TASKS_COUNT;
	return cql_is_dynamic(x->l) || cql_is_dynamic(x->r);
}
