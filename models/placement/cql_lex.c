/* models/placement/cql_lex.c — the lexer of the cluster query language: cuts
 * an expression into tokens (choice C1), and the error and token-display
 * helpers the parser uses.  Shared declarations: cql_int.h. */
#include "models/placement/cql_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim/mem.h"

int cql_column(const char *text, size_t off)
{
	int col = 1;

	for (size_t i = 0; i < off; i++)
		if (((unsigned char)text[i] & 0xC0) != 0x80)
			col++;
	return col;
}

void cql_fail(struct parser *P, int col, const char *fmt, ...)
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
int cql_lex(struct parser *P)
{
	const char *s = P->text;
	size_t i = 0, cap = 0;

	for (;;) {
		struct tok t = { 0 };

		while (s[i] && is_space(s[i]))
			i++;
		t.off = i;
		t.col = cql_column(s, i);
		if (!s[i]) {
			t.kind = T_END;
		} else if (is_punct(s[i])) {
			t.kind = s[i] == '(' ? T_LPAREN : s[i] == ')' ? T_RPAREN :
				 s[i] == '[' ? T_LBRACK : s[i] == ']' ? T_RBRACK : T_COMMA;
			t.len = 1;
		} else if (s[i] == '\'' || s[i] == '"') {
			const char *close = strchr(s + i + 1, s[i]);

			if (!close) {
				cql_fail(P, t.col, "unterminated string");
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

int cql_word_is(const struct parser *P, const struct tok *t, const char *w)
{
	return t->kind == T_WORD && t->vlen == strlen(w) && memcmp(P->text + t->voff, w, t->vlen) == 0;
}

/* The token as written, shortened for messages. */
const char *cql_show(const struct parser *P, const struct tok *t, char *buf, size_t n)
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

char *cql_tok_value(const struct parser *P, const struct tok *t)
{
	return xstrndup(P->text + t->voff, t->vlen);
}
