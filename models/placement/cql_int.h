/* models/placement/cql_int.h — private to the cql_*.c files: the tree, the
 * tokens and parser state, and the helpers the lexer, the literal forms,
 * the parser and the evaluator share.  Nothing outside models/placement/cql_*.c
 * may include it; everyone else uses models/placement/cql.h.
 *
 * The text is first cut into tokens (choice C1, cql_lex.c): punctuation
 * `( ) [ ] ,`, quoted literals taken verbatim, and words.  The parser
 * (cql_parse.c) builds a tree of AND / OR / NOT / predicate nodes, `and`
 * binding tighter than `or` (A6).  Everything that can be checked without an
 * instance is checked at parse time: the subject, the operator against the
 * per-subject table (C4, A8), the shape and form of the argument (lists only
 * for in / not_in, C3; versions, dates, counts, booleans: cql_lit.c), and
 * regular expressions, which are compiled once there (C11) and freed by
 * cql_free.  So cql_eval (cql_eval.c) cannot fail.
 *
 * Invariants: a predicate stores its operator in positive form plus a `neg`
 * flag, and evaluation is `neg XOR positive`, which makes every negated
 * operator exactly `not` of its positive form (C5); a value the instance
 * lacks makes every positive operator false.  Columns in error reports are
 * 1-based and count characters (UTF-8 code points), as does the 2000
 * character limit (C13).  The tree holds no pointer into the parsed text.
 *
 * Rules: docs/ecs-model.md §4.4, §4.7; choice ids (A6, C1, ...) in the
 * cql_*.c comments are those of the appendix "Choices" of docs/ecs-model.md.
 */
#ifndef MODELS_CQL_INT_H
#define MODELS_CQL_INT_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>

#include "models/placement/cql.h"

#define MAX_CHARS 2000          /* choice C13 */
#define MAX_ATTR_NAME 128       /* choice C12 */
#define SHOW_MAX 60             /* longest token text quoted in a message */
#define SHOW_BUF (SHOW_MAX + 32)      /* room for cql_show()'s text */

enum subject {
	S_ATTRIBUTE, S_AGENT_CONNECTED, S_AGENT_VERSION, S_EC2_INSTANCE_ID,
	S_INSTANCE_ID, S_REGISTERED_AT, S_RUNNING_TASKS_COUNT, S_TASK_GROUP,
};

enum op { OP_EQ, OP_IN, OP_MATCH, OP_EXISTS, OP_GT, OP_GE, OP_LT, OP_LE };

struct pred {
	enum subject subj;
	char *attr;            /* S_ATTRIBUTE: the name */
	enum op op;            /* positive form */
	int neg;               /* choice C5: result is neg XOR positive */
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

/* ---- tokens (choice C1) ---- */

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

/* ---- lexer (cql_lex.c) ---- */

/* 1-based character column of byte offset off in text. */
int cql_column(const char *text, size_t off);
/* Record the first error only (later calls are no-ops). */
void cql_fail(struct parser *P, int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Cut P->text into P->toks, ending with T_END; 0 on an unterminated string. */
int cql_lex(struct parser *P);
int cql_word_is(const struct parser *P, const struct tok *t, const char *w);
/* The token as written, shortened for messages (buf of SHOW_BUF bytes). */
const char *cql_show(const struct parser *P, const struct tok *t, char *buf, size_t n);
/* The token's value, newly allocated. */
char *cql_tok_value(const struct parser *P, const struct tok *t);

static inline const struct tok *cql_peek(const struct parser *P)
{
	return &P->toks[P->pos];
}

/* ---- literal forms (cql_lit.c) ---- */

static inline int cql_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Attribute values, numeric or by code point (choice C6): -1, 0, 1. */
int cql_cmp_values(const char *a, const char *b);
/* Dotted version numbers (choice C7). */
int cql_is_version(const char *s);
int cql_cmp_version(const char *a, const char *b);
/* registeredAt literal (choice C8) to epoch ms; 0 when malformed. */
int cql_parse_instant(const char *s, int64_t *ms);
/* Non-negative whole number fitting int64_t; 0 when not. */
int cql_parse_count(const char *s, int64_t *out);

#endif
