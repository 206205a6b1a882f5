/* models/placement/cql_lit.c — the literal forms of the cluster query
 * language: decimal and code-point comparison (choice C6), versions (C7),
 * dates (C8) and counts, used by the parser to check arguments and by the
 * evaluator to compare.  Shared declarations: cql_int.h. */
#include "models/placement/cql_int.h"

#include <string.h>

/* choice C6: -?[0-9]+(\.[0-9]+)? */
static int is_decimal(const char *s)
{
	if (*s == '-')
		s++;
	if (!cql_is_digit(*s))
		return 0;
	while (cql_is_digit(*s))
		s++;
	if (*s == '.') {
		s++;
		if (!cql_is_digit(*s))
			return 0;
		while (cql_is_digit(*s))
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

/* choice C6: numeric when both are decimal numbers, else code point
 * (strcmp compares bytes as unsigned char, and UTF-8 byte order is code
 * point order). */
int cql_cmp_values(const char *a, const char *b)
{
	int c;

	if (is_decimal(a) && is_decimal(b))
		return cmp_decimal(a, b);
	c = strcmp(a, b);
	return (c > 0) - (c < 0);
}

/* choice C7: [0-9]+(\.[0-9]+)* */
int cql_is_version(const char *s)
{
	for (;;) {
		if (!cql_is_digit(*s))
			return 0;
		while (cql_is_digit(*s))
			s++;
		if (!*s)
			return 1;
		if (*s++ != '.')
			return 0;
	}
}

/* choice C7: dotted numbers part by part, missing parts are 0.  The
 * instance's version is read up to the end of its leading dotted number
 * (a suffix such as "-rc1" is ignored); callers check it starts with a
 * digit. */
int cql_cmp_version(const char *a, const char *b)
{
	for (;;) {
		size_t na = strspn(a, "0123456789"), nb = strspn(b, "0123456789");
		int c = cmp_digits(na ? a : "0", na ? na : 1, nb ? b : "0", nb ? nb : 1);

		if (c)
			return c;
		a += na;
		b += nb;
		a = (a[0] == '.' && cql_is_digit(a[1])) ? a + 1 : a + strlen(a);
		b = (b[0] == '.' && cql_is_digit(b[1])) ? b + 1 : b + strlen(b);
		if (!*a && !*b)
			return 0;
	}
}

/* Parse exactly n digits. */
static int digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!cql_is_digit(s[i]))
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

/* choice C8: YYYY-MM-DD (midnight UTC) or YYYY-MM-DDThh:mm:ss[.fff]
 * (UTC) with an optional Z or ±hh:mm.  Fractions may have 1 to 9 digits;
 * digits past milliseconds are dropped. */
int cql_parse_instant(const char *s, int64_t *ms)
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
			while (cql_is_digit(*s)) {
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
int cql_parse_count(const char *s, int64_t *out)
{
	int64_t v = 0;

	if (!cql_is_digit(*s))
		return 0;
	for (; *s; s++) {
		if (!cql_is_digit(*s) || v > (INT64_MAX - (*s - '0')) / 10)
			return 0;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return 1;
}
