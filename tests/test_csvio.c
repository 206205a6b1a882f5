/* tests/test_csvio.c — streaming CSV input (sim/csvin.c) and safe CSV output
 * (sim/csvout.c).
 *
 * Inputs are small files written to a private temporary directory; errors
 * are compared as the exact text err_format() gives.  The long-file test
 * checks the reader's own memory (csvin_memory) stays put, never timing.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/csvin.h"
#include "sim/csvout.h"
#include "sim/fmt.h"
#include "helpers/badfiles.h"
#include "helpers/tutil.h"

static char tmpdir[64];

static int suite_init(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/ecsim-csvio-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int suite_clean(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Path of `name` in the temporary directory (static buffer per slot). */
static const char *tpath(const char *name)
{
	static char buf[4][256];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
	return buf[k];
}

static const char *write_file(const char *name, const char *data, size_t n)
{
	const char *p = tpath(name);
	FILE *f = fopen(p, "wb");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT(fwrite(data, 1, n, f) == n);
	fclose(f);
	return p;
}

#define WRITE(name, lit) write_file((name), (lit), sizeof(lit) - 1)

static int exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

/* Compare strings held in large buffers (T_STREQ's message buffer is too
 * small for them under -Wformat-truncation). */
/* The formatted error, with the temporary directory replaced by "T". */
static const char *errtext(const struct err *e)
{
	static char buf[2200], out[2200];
	size_t n = strlen(tmpdir);

	err_format(e, buf, sizeof buf);
	if (strncmp(buf, tmpdir, n) == 0)
		snprintf(out, sizeof out, "T%s", buf + n);
	else
		snprintf(out, sizeof out, "%s", buf);
	return out;
}

/* Read all records of `path` as "LINE:f1|f2|...;" into out; returns the last
 * csvin_next() result (or -2 when open failed), error text in e. */
static int read_all(const char *path, char *out, size_t n, struct err *e)
{
	struct csvin *in;
	size_t k = 0;
	int r;

	err_clear(e);
	out[0] = '\0';
	in = csvin_open(path, e);
	if (!in)
		return -2;
	while ((r = csvin_next(in, e)) == 1) {
		k += (size_t)snprintf(out + k, n - k, "%ld:", csvin_line(in));
		for (int i = 0; i < csvin_ncols(in); i++)
			k += (size_t)snprintf(out + k, n - k, "%s%s", i ? "|" : "", csvin_field(in, i));
		k += (size_t)snprintf(out + k, n - k, ";");
	}
	csvin_close(in);
	return r;
}

static void test_quoted_fields(void)
{
	const char *p = WRITE("q.csv",
			      "name,note,n\n"
			      "a,\"x, y\",1\n"
			      "b,\"say \"\"hi\"\"\",2\n"
			      "c,\"two\nlines\nhere\",3\n"
			      "d,after,4\n"
			      "\"e\",\"\",5\n");
	struct err e;
	char out[1024];
	struct csvin *in;

	T_EQ(read_all(p, out, sizeof out, &e), 0);
	t_msg_eq(out, "2:a|x, y|1;3:b|say \"hi\"|2;4:c|two\nlines\nhere|3;7:d|after|4;8:e||5;");

	in = csvin_open(p, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	T_EQ(csvin_ncols(in), 3);
	T_STREQ(csvin_colname(in, 1), "note");
	T_STREQ(csvin_colname(in, 9), "");
	T_EQ(csvin_col(in, "n"), 2);
	T_EQ(csvin_col(in, "N"), -1);
	T_STREQ(csvin_path(in), p);
	T_EQ(csvin_next(in, &e), 1);
	T_STREQ(csvin_field(in, 3), "");
	T_STREQ(csvin_field(in, -1), "");
	T_EQ(csvin_fail(in, 2, &e, "bad %s", "thing"), -1);
	t_msg_eq(errtext(&e), "T/q.csv:2:3: n: bad thing");
	T_EQ(csvin_fail(in, -1, &e, "whole row"), -1);
	t_msg_eq(errtext(&e), "T/q.csv:2: whole row");
	csvin_close(in);
	csvin_close(NULL);
}

/* A line the fast splitter starts on and hands to libcsv (a quote found
 * past the first 16 bytes, after some commas; a line with tabs around its
 * fields) reads the same as any: libcsv sees the line as written.  The
 * field array ends with an extra "". */
static void test_late_quote(void)
{
	const char *p = WRITE("late.csv",
			      "k,v,w\n"
			      "a-long-first-field,second-field,\"q,uo\"\"ted\"\n"
			      " x ,\ty\t,z\n"
			      "0123456789abcdef,0123456789abcdef0123456789,\"\"\n");
	struct err e;
	char out[1024];
	struct csvin *in;

	T_EQ(read_all(p, out, sizeof out, &e), 0);
	t_msg_eq(out, "2:a-long-first-field|second-field|q,uo\"ted;3:x|y|z;"
		 "4:0123456789abcdef|0123456789abcdef0123456789|;");
	in = csvin_open(p, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	T_EQ(csvin_next(in, &e), 1);
	T_STREQ(csvin_fields(in)[1], "second-field");
	T_STREQ(csvin_fields(in)[3], "");
	T_EQ(csvin_next(in, &e), 1);
	T_STREQ(csvin_fields(in)[0], "x");
	T_STREQ(csvin_fields(in)[3], "");
	csvin_close(in);
}

static void test_crlf_bom_blank(void)
{
	struct err e;
	char out[512];
	const char *p;

	p = WRITE("crlf.csv", "a,b\r\n1,2\r\n\"x\r\ny\",3\r\n\r\n4,5\r\n");
	T_EQ(read_all(p, out, sizeof out, &e), 0);
	t_msg_eq(out, "2:1|2;3:x\r\ny|3;6:4|5;");

	p = WRITE("bom.csv", "\xEF\xBB\xBF" "a,b\n1,2\n");
	T_EQ(read_all(p, out, sizeof out, &e), 0);
	t_msg_eq(out, "2:1|2;");

	p = WRITE("blank.csv", "\n\na,b\n\n1,2\n   \n\t\n\n3,4\n\n");
	T_EQ(read_all(p, out, sizeof out, &e), 0);
	t_msg_eq(out, "5:1|2;9:3|4;");

	p = WRITE("nofinal.csv", "a,b\n1,2\n3,\"4\"");
	T_EQ(read_all(p, out, sizeof out, &e), 0);
	t_msg_eq(out, "2:1|2;3:3|4;");

	p = WRITE("spaces.csv", "a,b\n 1 , \" 2 \" \n");
	T_EQ(read_all(p, out, sizeof out, &e), 0);
	t_msg_eq(out, "2:1| 2 ;");

	p = WRITE("empties.csv", "a,b,c\n,,\n");
	T_EQ(read_all(p, out, sizeof out, &e), 0);
	t_msg_eq(out, "2:||;");

	/* tabs alone around fields (no space anywhere on the line) are dropped
	 * as spaces are, on the fast path's lines as on libcsv's */
	p = WRITE("tabs.csv", "a,b\n\t1\t,2\t\n3,\t\t4\n\t\n");
	T_EQ(read_all(p, out, sizeof out, &e), 0);
	t_msg_eq(out, "2:1|2;3:3|4;");
}

static void test_errors(void)
{
	static const struct { const char *name, *data, *want; int rc; } cases[] = {
		{ "empty.csv", "", "T/empty.csv:1: empty file: expected a header row", -2 },
		{ "blanks.csv", "\n \n\r\n", "T/blanks.csv:1: empty file: expected a header row", -2 },
		{ "bomonly.csv", "\xEF\xBB\xBF", "T/bomonly.csv:1: empty file: expected a header row", -2 },
		{ "dup.csv", "a,b,a\n1,2,3\n", "T/dup.csv:1:3: a: duplicate column name (also column 1)", -2 },
		{ "emptycol.csv", "a,,c\n", "T/emptycol.csv:1:2: empty column name in the header", -2 },
		{ "few.csv", "a,b,c\n1,2,3\n\n1,2\n", "T/few.csv:4: expected 3 fields, got 2", -1 },
		{ "many.csv", "a\n1\n2,3\n", "T/many.csv:3: expected 1 field, got 2", -1 },
		{ "q1.csv", "a,b\n1,x\"y\"\n", "T/q1.csv:2:2: b: malformed quotes: '\"' inside an unquoted field (quote the whole field and write a literal quote as \"\")", -1 },
		{ "q2.csv", "a,b\n\"1\"2,3\n", "T/q2.csv:2:1: a: malformed quotes: unexpected '2' after a closing quote (write a literal quote as \"\")", -1 },
		{ "q3.csv", "a,b\n1,\"multi\nline\" x\n", "T/q3.csv:3:2: b: malformed quotes: unexpected 'x' after a closing quote (write a literal quote as \"\")", -1 },
		{ "q4.csv", "a,b\n1,2\n3,\"open\n\n", "T/q4.csv:3:2: b: unterminated quoted field (a quote opened here is never closed)", -1 },
		{ "qh.csv", "a,\"b\n", "T/qh.csv:1:2: unterminated quoted field (a quote opened here is never closed)", -2 },
		{ "nul.csv", "a,b\n1,\0\n", "T/nul.csv:2: NUL byte in the file", -1 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct err e;
		char out[512];
		size_t n = strlen(cases[i].data);
		const char *p;

		if (strcmp(cases[i].name, "nul.csv") == 0)
			n = 8;
		p = write_file(cases[i].name, cases[i].data, n);
		T_EQ(read_all(p, out, sizeof out, &e), cases[i].rc);
		CU_ASSERT(e.set);
		t_msg_eq(errtext(&e), cases[i].want);
	}
}

static void test_header_only_and_missing(void)
{
	struct err e;
	char out[64];
	struct csvin *in;

	T_EQ(read_all(WRITE("h.csv", "a,b\n"), out, sizeof out, &e), 0);
	t_msg_eq(out, "");
	T_EQ(read_all(WRITE("h2.csv", "a,b"), out, sizeof out, &e), 0);
	in = csvin_open(tpath("h2.csv"), &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	T_EQ(csvin_ncols(in), 2);
	T_EQ(csvin_next(in, &e), 0);
	T_EQ(csvin_next(in, &e), 0);
	csvin_close(in);
	T_EQ(read_all(tpath("nope.csv"), out, sizeof out, &e), -2);
	t_msg_eq(errtext(&e), "T/nope.csv: cannot open: No such file or directory");
}

/* 10^5 rows, one with a 3000-byte field: the reader's memory is set by the
 * longest record, not by the number of rows. */
static void test_large_file(void)
{
	const char *p = tpath("large.csv");
	FILE *f = fopen(p, "w");
	struct err e;
	struct csvin *in;
	size_t mem_after_long = 0, peak = 0;
	long n = 0, sum = 0;
	int r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("id,name,value\n", f);
	for (long i = 0; i < 100000; i++) {
		if (i == 10) {
			fputs("10,\"", f);
			for (int k = 0; k < 3000; k++)
				fputc(k % 100 == 99 ? '\n' : 'x', f);
			fputs("\",10\n", f);
		} else {
			fprintf(f, "%ld,\"n,%ld\",%ld\n", i, i, i);
		}
	}
	fclose(f);

	err_clear(&e);
	in = csvin_open(p, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	while ((r = csvin_next(in, &e)) == 1) {
		size_t m = csvin_memory(in);

		if (n == 10)
			mem_after_long = m;
		if (m > peak)
			peak = m;
		sum += atol(csvin_field(in, 2));
		n++;
	}
	T_EQ(r, 0);
	T_EQ(n, 100000);
	T_EQ(sum, 100000L * 99999L / 2);
	T_EQ(csvin_line(in), 100000 + 1 + 30);   /* the long field holds 30 LFs */
	CU_ASSERT(mem_after_long > 3000);
	T_EQ(peak, mem_after_long);
	CU_ASSERT(peak < CSVIN_CHUNK + 64 * 1024);   /* the read chunk and the records */
	csvin_close(in);
}

/* The rows of the chunk-boundary tests below: as many boundaries as
 * 20,000 and 30,000 rows crossed with the 16-KiB chunks the reader once
 * read. */
#define CHUNK_ROWS(n) ((long)(n) * (CSVIN_CHUNK / 16384))

/* CRLF rows of varying length, so CR and LF fall on both sides of the
 * reader's chunk boundaries: every record keeps its line and fields. */
static void test_crlf_chunks(void)
{
	const char *p = tpath("crlfchunks.csv");
	FILE *f = fopen(p, "wb");
	struct err e;
	struct csvin *in;
	long i = 0;
	int r, bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("id,pad\r\n", f);
	for (long k = 0; k < CHUNK_ROWS(20000); k++)
		fprintf(f, "%ld,%.*s\r\n", k, (int)(k % 13), "abcdefghijklm");
	fclose(f);
	err_clear(&e);
	in = csvin_open(p, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	while ((r = csvin_next(in, &e)) == 1) {
		if (csvin_line(in) != i + 2 || atol(csvin_field(in, 0)) != i ||
		    strlen(csvin_field(in, 1)) != (size_t)(i % 13))
			bad++;
		i++;
	}
	T_EQ(r, 0);
	T_EQ(i, CHUNK_ROWS(20000));
	T_EQ(bad, 0);
	csvin_close(in);
}

/* Rows of every length and shape, so each kind falls on both sides of the
 * reader's chunk boundaries: unquoted fields with spaces and tabs around
 * them (dropped) and inside them (kept), UTF-8, empty fields, quoted fields
 * holding commas and line ends, blank lines, LF and CRLF.  Every record
 * keeps its line and fields, csvin_fields() agrees with csvin_field(), and
 * an invalid UTF-8 byte in an unquoted field far into the file is reported
 * at its line and column. */
static void test_mixed_chunks(void)
{
	const char *p = tpath("mixed.csv");
	FILE *f = fopen(p, "wb");
	struct err e;
	struct csvin *in;
	long line = 2, k = 0, bad = 0, bad_line = 0;
	char want_msg[128];
	int r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(" a ,b,\tc\n", f);
	for (long i = 0; i < CHUNK_ROWS(30000); i++) {
		const char *eol = i % 5 == 0 ? "\r\n" : "\n";

		if (i % 7 == 3) {
			fprintf(f, "%.*s%s", (int)(i % 4), " \t  ", eol);     /* blank */
			line++;
		}
		if (i == CHUNK_ROWS(29000)) {
			bad_line = line;
			fprintf(f, "%ld,x,ok\xc3%s", i, eol);
		} else if (i % 3 == 0) {
			fprintf(f, " \t%ld \t,in side x%.*s,\xc3\xa9%s", i, (int)(i % 11), "xxxxxxxxxxx", eol);
		} else if (i % 3 == 1) {
			fprintf(f, "%ld,\"q,%ld\nz\", \"\" %s", i, i, eol);
			line++;
		} else {
			fprintf(f, "%ld,,%s", i, eol);
		}
		line++;
	}
	fclose(f);
	err_clear(&e);
	in = csvin_open(p, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	t_msg_eq(csvin_colname(in, 0), "a");
	t_msg_eq(csvin_colname(in, 2), "c");
	line = 2;
	while ((r = csvin_next(in, &e)) == 1) {
		const char *const *fs = csvin_fields(in);
		char want[3][64];

		if (k % 7 == 3)
			line++;
		snprintf(want[0], sizeof want[0], "%ld", k);
		if (k % 3 == 0) {
			snprintf(want[1], sizeof want[1], "in side x%.*s", (int)(k % 11), "xxxxxxxxxxx");
			snprintf(want[2], sizeof want[2], "\xc3\xa9");
		} else if (k % 3 == 1) {
			snprintf(want[1], sizeof want[1], "q,%ld\nz", k);
			want[2][0] = '\0';
		} else {
			want[1][0] = want[2][0] = '\0';
		}
		for (int c = 0; c < 3; c++)
			if (strcmp(fs[c], want[c]) != 0 || fs[c] != csvin_field(in, c))
				bad++;
		if (csvin_line(in) != line)
			bad++;
		line += k % 3 == 1 ? 2 : 1;
		k++;
	}
	T_EQ(r, -1);
	T_EQ(k, CHUNK_ROWS(29000));
	T_EQ(bad, 0);
	T_EQ(line, bad_line);
	snprintf(want_msg, sizeof want_msg, "T/mixed.csv:%ld:3: c: invalid UTF-8 byte 0xc3", bad_line);
	t_msg_eq(errtext(&e), want_msg);
	csvin_close(in);
}

static void test_out_roundtrip(void)
{
	static const char *const hdr[] = { "plain", "tricky, header", "n" };
	static const char *const vals[] = {
		"simple", "a,b", "say \"hi\"", "two\nlines", "cr\rhere", " lead", "trail ",
		"\ttab", "", "x", "'single'", "crlf\r\n",
	};
	const size_t nv = sizeof vals / sizeof vals[0];
	const char *p = tpath("rt.csv");
	struct err e;
	struct csvout *o;
	struct csvin *in;
	size_t i = 0;
	int r;

	err_clear(&e);
	o = csvout_open(p, hdr, 3, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	for (size_t k = 0; k < nv; k++) {
		csvout_str(o, vals[k]);
		csvout_str(o, vals[nv - 1 - k]);
		csvout_int(o, (int64_t)k);
		csvout_endrow(o);
	}
	csvout_str(o, NULL);
	csvout_empty(o);
	csvout_int(o, INT64_MIN);
	csvout_endrow(o);
	T_EQ(csvout_close(o, &e), 0);

	in = csvin_open(p, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	T_STREQ(csvin_colname(in, 1), "tricky, header");
	while ((r = csvin_next(in, &e)) == 1 && i < nv) {
		T_STREQ(csvin_field(in, 0), vals[i]);
		T_STREQ(csvin_field(in, 1), vals[nv - 1 - i]);
		T_EQ(atol(csvin_field(in, 2)), (long)i);
		i++;
	}
	T_EQ(r, 1);
	T_STREQ(csvin_field(in, 0), "");
	T_STREQ(csvin_field(in, 1), "");
	T_STREQ(csvin_field(in, 2), "-9223372036854775808");
	T_EQ(csvin_next(in, &e), 0);
	T_EQ(i, nv);
	csvin_close(in);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	static char buf[4096];
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_out_bytes(void)
{
	static const char *const hdr[] = { "a", "b" };
	static const char *const one[] = { "only" };
	const char *p = tpath("bytes.csv");
	struct err e;
	struct csvout *o;

	o = csvout_open(p, hdr, 2, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	csvout_str(o, "x y");
	csvout_str(o, "q\"");
	csvout_endrow(o);
	csvout_fixed(o, -0.0, 3);
	csvout_fixed(o, -0.0004, 3);
	csvout_endrow(o);
	csvout_fixed(o, -1.25, 1);
	csvout_fixed(o, 2.5, 0);
	csvout_endrow(o);
	csvout_fixed(o, 1e300 * 1e300, 2);
	csvout_fixed(o, 0.1, -4);
	csvout_endrow(o);
	csvout_ms(o, 12345);
	csvout_ms(o, 5);
	csvout_endrow(o);
	csvout_ms(o, -1);
	csvout_ms(o, 0);
	csvout_endrow(o);
	T_EQ(csvout_close(o, &e), 0);
	t_msg_eq(slurp(p), "a,b\nx y,\"q\"\"\"\n0.000,0.000\n-1.2,2\ninf,0\n12.345,0.005\n,0.000\n");

	/* A lone empty field is quoted so the row is not a blank line. */
	o = csvout_open(p, one, 1, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	csvout_empty(o);
	csvout_endrow(o);
	T_EQ(csvout_close(o, &e), 0);
	t_msg_eq(slurp(p), "only\n\"\"\n");
}

static uint64_t lcg(uint64_t *x)
{
	*x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
	return *x;
}

/* A random value of a random magnitude (1 to 64 bits), edges often. */
static uint64_t any_u64(uint64_t *x)
{
	static const uint64_t edge[] = { 0, 1, 9, 10, 99, 100, 999, 1000, 999999999999999999ULL,
					 1000000000000000000ULL, 9999999999999999999ULL,
					 10000000000000000000ULL, UINT64_MAX, (uint64_t)INT64_MAX,
					 (uint64_t)INT64_MAX + 1 };
	uint64_t r = lcg(x), bits = 1 + (lcg(x) >> 58);

	if (r % 8 == 0)
		return edge[(r >> 8) % (sizeof edge / sizeof edge[0])];
	return bits == 64 ? lcg(x) : lcg(x) >> (64 - bits);
}

/* fmt_u64 against printf's "%" PRIu64 on 10^5 values. */
static void test_fmt_u64(void)
{
	uint64_t x = 99;
	int wrong = 0;

	for (int i = 0; i < 100000; i++) {
		uint64_t v = any_u64(&x);
		char want[32], got[FMT_U64_MAX + 1];
		size_t n = fmt_u64(got, v);

		got[n] = '\0';
		snprintf(want, sizeof want, "%" PRIu64, v);
		wrong += strcmp(got, want) != 0;
	}
	T_EQ(wrong, 0);
}

/* csvout_int and csvout_ms against printf ("%" PRId64, and the seconds
 * "%" PRId64 ".%03d") on 2 x 10^4 rows, with a field longer than any row
 * before it (quoted, its quotes doubled) every 1000th row: the file is
 * byte for byte the expected text. */
static void test_out_numbers(void)
{
	static const char *const hdr[] = { "i", "ms", "s" };
	const char *p = tpath("numbers.csv");
	size_t cap = 1 << 22, len = 0;
	char *want = malloc(cap), *got;
	uint64_t x = 5;
	struct err e;
	struct csvout *o;

	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	o = csvout_open(p, hdr, 3, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	len += (size_t)snprintf(want + len, cap - len, "i,ms,s\n");
	for (int i = 0; i < 20000; i++) {
		int64_t v = (int64_t)any_u64(&x), ms = (int64_t)(any_u64(&x) >> 1);

		if (i % 7 == 0)
			ms = -ms - 1;          /* negative: empty */
		csvout_int(o, v);
		csvout_ms(o, ms);
		len += (size_t)snprintf(want + len, cap - len, "%" PRId64 ",", v);
		if (ms >= 0)
			len += (size_t)snprintf(want + len, cap - len, "%" PRId64 ".%03d", ms / 1000,
						(int)(ms % 1000));
		if (i % 1000 == 999) {
			char big[3001];

			for (int k = 0; k < 3000; k++)
				big[k] = k % 100 == 0 ? '"' : 'a';
			big[3000] = '\0';
			csvout_str(o, big);
			want[len++] = ',';
			want[len++] = '"';
			for (int k = 0; k < 3000; k++) {
				want[len++] = big[k];
				if (big[k] == '"')
					want[len++] = '"';
			}
			want[len++] = '"';
		} else {
			csvout_str(o, "x");
			len += (size_t)snprintf(want + len, cap - len, ",x");
		}
		csvout_endrow(o);
		want[len++] = '\n';
	}
	T_EQ(csvout_close(o, &e), 0);
	while (len > 0 && want[len - 1] == '\n')
		len--;                         /* (t_slurp drops the last newlines) */
	want[len] = '\0';
	got = t_slurp(p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	T_EQ(strlen(got), len);
	CU_ASSERT(strcmp(got, want) == 0);
	free(got);
	free(want);
}

static void test_out_tmp_rename(void)
{
	static const char *const hdr[] = { "a" };
	const char *p = tpath("final.csv");
	char tmp[300];
	struct err e;
	struct csvout *o;

	snprintf(tmp, sizeof tmp, "%s.tmp", p);
	err_clear(&e);
	o = csvout_open(p, hdr, 1, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	csvout_int(o, 1);
	csvout_endrow(o);
	CU_ASSERT(!exists(p));
	CU_ASSERT(exists(tmp));
	T_EQ(csvout_close(o, &e), 0);
	CU_ASSERT(exists(p));
	CU_ASSERT(!exists(tmp));

	/* Abort leaves the old file alone and no temporary. */
	o = csvout_open(p, hdr, 1, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	csvout_int(o, 2);
	csvout_endrow(o);
	csvout_abort(o);
	CU_ASSERT(!exists(tmp));
	t_msg_eq(slurp(p), "a\n1\n");
	csvout_abort(NULL);

	p = tpath("aborted.csv");
	snprintf(tmp, sizeof tmp, "%s.tmp", p);
	o = csvout_open(p, hdr, 1, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	csvout_abort(o);
	CU_ASSERT(!exists(p));
	CU_ASSERT(!exists(tmp));
}

static void test_out_errors(void)
{
	static const char *const hdr[] = { "a", "b" };
	char tmp[300], want[600];
	struct err e;
	struct csvout *o;
	const char *p;

	err_clear(&e);
	CU_ASSERT_PTR_NULL(csvout_open(tpath("no/such/dir.csv"), hdr, 2, &e));
	t_msg_eq(errtext(&e), "T/no/such/dir.csv.tmp: cannot create: No such file or directory");

	/* A directory is not a regular file: written through, which fails at
	 * once; no temporary file is made. */
	p = tpath("adir");
	CU_ASSERT_FATAL(mkdir(p, 0700) == 0);
	snprintf(tmp, sizeof tmp, "%s.tmp", p);
	CU_ASSERT_PTR_NULL(csvout_open(p, hdr, 2, &e));
	snprintf(want, sizeof want, "T/adir: cannot create: Is a directory");
	t_msg_eq(errtext(&e), want);
	CU_ASSERT(!exists(tmp));

	/* A row with the wrong number of fields is a bug: no file is left. */
	p = tpath("short.csv");
	snprintf(tmp, sizeof tmp, "%s.tmp", p);
	o = csvout_open(p, hdr, 2, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	csvout_int(o, 1);
	csvout_endrow(o);
	T_EQ(csvout_close(o, &e), -1);
	t_msg_eq(errtext(&e), "T/short.csv:2: internal error: row has 1 fields, header has 2");
	CU_ASSERT(!exists(p));
	CU_ASSERT(!exists(tmp));

	o = csvout_open(p, hdr, 2, &e);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	csvout_int(o, 1);
	T_EQ(csvout_close(o, &e), -1);
	t_msg_eq(errtext(&e), "T/short.csv: internal error: last row not ended");
	CU_ASSERT(!exists(p));

}

CU_TestInfo csvin_tests[] = {
	{ "quoted fields and record lines", test_quoted_fields },
	{ "a quote after commas, fields end with \"\"", test_late_quote },
	{ "CRLF, BOM, blank lines, no final newline", test_crlf_bom_blank },
	{ "errors", test_errors },
	{ "header only, missing file", test_header_only_and_missing },
	{ "10^5 rows in bounded memory", test_large_file },
	{ "CRLF across chunk boundaries", test_crlf_chunks },
	{ "mixed rows across chunk boundaries", test_mixed_chunks },
	CU_TEST_INFO_NULL,
};

CU_TestInfo csvout_tests[] = {
	{ "quoting round-trip through csvin", test_out_roundtrip },
	{ "exact bytes and number formatting", test_out_bytes },
	{ "fmt_u64 writes what printf writes", test_fmt_u64 },
	{ "integers and milliseconds as printf writes them, long rows", test_out_numbers },
	{ "temporary file then rename; abort", test_out_tmp_rename },
	{ "errors", test_out_errors },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "csvin", suite_init, suite_clean, NULL, NULL, csvin_tests },
	{ "csvout", suite_init, suite_clean, NULL, NULL, csvout_tests },
	CU_SUITE_INFO_NULL,
};
