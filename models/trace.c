/* models/trace.c — the workload trace reader (see trace.h and the "Trace
 * format" section of the documentation).
 *
 * A trace is read through sim/csvin.c one row at a time, so memory is bounded
 * by the longest row.  The header is checked once: `time_s` and `event` must
 * be there, any other column must be one of target, taskdef, count,
 * duration_s, group, cpu, memory, capacity_provider_strategy, launch_type,
 * command (a typo is refused, never ignored).  A
 * run_task row needs a taskdef, or else both cpu and memory (explicit
 * resources of a synthetic task); the two forms exclude each other.  Each row is then
 * checked in a fixed order — time, event name, the fields the event needs
 * (required ones present, unused ones empty, numbers well formed), whether
 * this build supports the event, and finally time order — and the first
 * problem is reported as FILE:LINE:COL: COLUMN: message.
 *
 * Which columns each event takes is its row of trace_events[]
 * (models/trace_events.c).
 *
 * Times and durations are exact: decimal seconds are parsed digit by digit
 * into integer milliseconds (rounded half up), with no floating point.
 */
#include "trace.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/csvin.h"
#include "sim/mem.h"

#ifdef __SSE2__
#include <emmintrin.h>
#define FAST_ROWS 1
#else
#define FAST_ROWS 0
#endif

#define MAX_SECONDS 1000000000000LL        /* 10^12 s */
#define MAX_COUNT 1000000000LL
#define MAX_GROUP_CHARS 255                /* RunTask's group (docs/ecs-model.md §4.7) */

enum col { C_TIME, C_EVENT, C_TARGET, C_TASKDEF, C_COUNT, C_DURATION, C_GROUP, C_CPU, C_MEMORY,
	   C_CPS, C_LAUNCH, C_COMMAND, C_N };

static const char *const col_names[C_N] = {
	"time_s", "event", "target", "taskdef", "count", "duration_s", "group", "cpu", "memory",
	"capacity_provider_strategy", "launch_type", "command"
};

/* Rows by their shape (fast_row below).  A line is cut into items: the two
 * numbers (time_s, duration_s), each parsed, and the runs of other columns
 * between them, the segments, each taken whole as the bytes of a few
 * fields and their separators ("run_task,,web,1,"). */
#define SEG_MAX 32              /* a segment's bytes kept, separators included */
#define SHAPE_SETS 32           /* shapes kept: 32 sets of 2 */
#define MAX_SEGS 3              /* the two numbers cut the line in at most 3 */
#define MAX_ITEMS (MAX_SEGS + 2)

/* A row's shape: its segments' bytes and which numbers were empty, and
 * the row they make (every check of trace_next passed on it; only the
 * numbers and the line differ from row to row). */
struct shape {
	char b[MAX_SEGS][SEG_MAX] __attribute__((aligned(16)));  /* as in the line, zero-padded */
	char z[MAX_SEGS][SEG_MAX];      /* the same, each separator a NUL: the row's strings */
	/* which numbers were empty (bit 0: time_s, bit 1: duration_s) and
	 * the segments' lengths (byte 1 + s: segment s's): 0, an empty place */
	uint32_t key;
	struct trace_memo memo;
	struct trace_row row;
};

struct item {
	int seg;                /* the segment, or -1: a number */
	int num;                /* a number: 0 = time_s, 1 = duration_s */
	int col0, k;            /* a segment: its first column and how many */
	char sep;               /* the byte that ends the item: ',' or '\n' */
};

struct trace {
	struct csvin *in;
	unsigned supported;
	int col[C_N];           /* field index of each known column, -1 = absent */
	int fi[C_N];            /* the same, csvin_ncols() = absent (its "" entry) */
	const char *const *f;   /* the current row's fields (csvin_fields) */
	sim_time_t prev;        /* time of the previous row, -1 before the first */
	int broken;             /* the CSV itself is malformed: no row can follow */

	/* rows by their shape: the line's items, the shapes seen; tries and
	 * misses of the last attempts, and rows left without an attempt (when
	 * most attempts missed) */
	int fast, n_items, n_segs;
	struct item items[MAX_ITEMS];
	struct {
		int lead, mid, tail;    /* fields of the segments (0: none) */
		int n1, n2;             /* the numbers: 0 = time_s, 1 = duration_s, -1 = none */
		char sep1, sep2;        /* the bytes that end them */
	} lay;
	/* the chunk's bytes borrowed from csvin (bq NULL: none): from b0 (of
	 * line bline0) to bend; read up to bq, whose line is bline */
	const char *b0, *bq, *bend;
	long bline0, bline;
	int colseg[C_N];        /* header column -> its segment, -1 = a number */
	unsigned tries, misses, pause, pause_len;
	struct shape sh[SHAPE_SETS][2];
	uint8_t next[SHAPE_SETS];       /* the way a new shape takes: the one
					 * not used last */
};

/* True when s holds nothing but ASCII spaces. */
static int only_spaces(const char *s)
{
	while (*s == ' ')
		s++;
	return *s == '\0';
}

/* An ASCII digit (char may be signed: a byte >= 0x80 is not one). */
static inline int is_digit(char c)
{
	return (unsigned)(c - '0') < 10;
}

/* The current row's value of column c ("" when the file has no such
 * column). */
static inline const char *val(const struct trace *t, enum col c)
{
	return t->f[t->fi[c]];
}

/* 0, or -1 not a decimal number, -2 negative, -3 too large.  ASCII spaces
 * around the number are allowed.  One pass, no strlen.  The digits are
 * summed two at a time without a bound (at most 18 of them fit an int64_t;
 * more, e.g. leading zeros, take a saturating pass), and a fraction of
 * exactly three digits (milliseconds) is read at once.  parse_seconds()
 * below decides the usual forms first. */
static __attribute__((noinline)) int parse_seconds_any(const char *s, sim_time_t *ms)
{
	const char *d;
	uint64_t u = 0;         /* wraps (defined) past 19 digits: not used then */
	int64_t whole, frac = 0;

	while (*s == ' ')
		s++;
	if (s[0] == '-') {
		const char *p = s + 1;

		while ((*p >= '0' && *p <= '9') || *p == '.')
			p++;
		return p > s + 1 && only_spaces(p) ? -2 : -1;
	}
	/* two digits a step (s[1] is read only after a digit, never past the
	 * string's end), then the odd one */
	for (d = s; is_digit(s[0]) && is_digit(s[1]); s += 2)
		u = u * 100 + (unsigned)(s[0] - '0') * 10 + (unsigned)(s[1] - '0');
	if (is_digit(*s))
		u = u * 10 + (unsigned)(*s++ - '0');
	if (s == d)
		return -1;
	whole = (int64_t)u;
	if (s - d > 18) {
		whole = 0;
		for (; d < s; d++) {
			whole = whole * 10 + (*d - '0');
			if (whole > MAX_SECONDS)
				whole = MAX_SECONDS + 1;        /* saturate; refused below */
		}
	}
	if (*s == '.') {
		long fd;

		d = ++s;
		if (is_digit(d[0]) && is_digit(d[1]) && is_digit(d[2]) && !is_digit(d[3])) {
			/* milliseconds written out, the usual case */
			frac = (d[0] - '0') * 100 + (d[1] - '0') * 10 + (d[2] - '0');
			s += 3;
		} else {
			while (is_digit(*s))
				s++;
			fd = s - d;
			if (fd == 0)
				return -1;
			/* milliseconds: the first three digits (missing ones
			 * are 0), rounded half up on the fourth */
			frac = (d[0] - '0') * 100;
			if (fd > 1)
				frac += (d[1] - '0') * 10;
			if (fd > 2)
				frac += d[2] - '0';
			if (fd > 3 && d[3] >= '5')
				frac++;
		}
	}
	if (*s && !only_spaces(s))
		return -1;
	if (whole > MAX_SECONDS || whole * 1000 + frac > MAX_SECONDS * 1000)
		return -3;
	*ms = whole * 1000 + frac;
	return 0;
}

/* parse_seconds_any(), the usual forms decided inline: trace input's hot
 * path (tests/bench/bench_trace.c), twice a row.  Up to 15 digits, then
 * the end or '.' and exactly three digits (milliseconds written out): the
 * value is below 10^18, no bound is needed on the way; anything else
 * (spaces, other fractions, a sign, an error, more than 10^12 s) is
 * parse_seconds_any()'s. */
static inline int parse_seconds(const char *s, sim_time_t *ms)
{
	const char *p = s;
	uint64_t u = 0;

	/* two digits a step (p[1] is read only after a digit), then the odd one */
	for (; is_digit(p[0]) && is_digit(p[1]); p += 2)
		u = u * 100 + (unsigned)(p[0] - '0') * 10 + (unsigned)(p[1] - '0');
	if (is_digit(*p))
		u = u * 10 + (unsigned)(*p++ - '0');
	if (p > s && p - s <= 15) {
		if (*p == '.' && is_digit(p[1]) && is_digit(p[2]) && is_digit(p[3]) && !p[4])
			u = u * 1000 + (unsigned)(p[1] - '0') * 100 + (unsigned)(p[2] - '0') * 10 +
			    (unsigned)(p[3] - '0');
		else if (!*p)
			u *= 1000;
		else
			return parse_seconds_any(s, ms);
		if (u <= (uint64_t)MAX_SECONDS * 1000) {
			*ms = (sim_time_t)u;
			return 0;
		}
	}
	return parse_seconds_any(s, ms);
}

int trace_parse_seconds(const char *s, sim_time_t *ms)
{
	return parse_seconds(s, ms) == 0 ? 0 : -1;
}

/* 0, or -1 not an integer, -3 too large. */
static int parse_count(const char *s, int64_t *v)
{
	int64_t x = 0;
	int nd = 0;

	while (*s == ' ')
		s++;
	for (; *s >= '0' && *s <= '9'; s++, nd++) {
		x = x * 10 + (*s - '0');
		if (x > MAX_COUNT)
			x = MAX_COUNT + 1;
	}
	if (nd == 0 || !only_spaces(s))
		return -1;
	if (x > MAX_COUNT)
		return -3;
	*v = x;
	return 0;
}

/* ---- Rows by their shape: trace_next's fast path ----------------------
 *
 * A trace repeats itself: but for time_s and duration_s, the rows of a
 * replay come in a handful of shapes ("run_task,,web,1," and "batch" in a
 * 200,000-row replay: 3 task definitions times 2 groups).  A row read the
 * usual way (csvin_next, then every check below) that passed is kept by
 * its shape: the bytes of its segments (the runs of columns other than the
 * two numbers, separators included), which numbers were empty, and the
 * row they make.  A later line is then read without csvin's split and
 * without a check: its numbers parsed in place, each segment's end found
 * (its k-th separator), the shape of those bytes looked up (a hash picks
 * its set) and its row copied.  Every check of the row depends only on the
 * segments' bytes and on which numbers are empty, except the numbers' own
 * form and the time order: those are checked here.
 *
 * It takes only a line csvin_next would split at its commas and nothing
 * else (csvin_take): a kept segment holds no quote, space, tab, CR,
 * NUL or byte >= 0x80, and a number only digits and '.'; the line ends
 * with '\n' in the chunk in hand.  Anything else (a new shape, a number of
 * another form, a row out of order, a line across the chunk's end) is read
 * the usual way, with the usual errors, and its shape kept when it passed.
 * When most attempts miss (rows of ever new shapes), rows are read the
 * usual way for a while without an attempt. */

#if FAST_ROWS
/* 16-byte masks: bytes [0, n) kept, n = 0..16 (load at ones + 16 - n). */
static const unsigned char ones[32] = {
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
};

static inline __m128i keep_first(__m128i x, unsigned n)
{
	return _mm_and_si128(x, _mm_loadu_si128((const __m128i *)(ones + 16 - n)));
}

/* The hash of the shape so far, h, and one more segment (its blocks x0,
 * x1 zero past its len bytes). */
static inline uint64_t shape_mix(uint64_t h, __m128i x0, __m128i x1, unsigned len)
{
	uint64_t a = (uint64_t)_mm_cvtsi128_si64(x0), b = (uint64_t)_mm_cvtsi128_si64(
		_mm_unpackhi_epi64(x0, x0));
	uint64_t c = (uint64_t)_mm_cvtsi128_si64(x1) ^ (uint64_t)_mm_cvtsi128_si64(
		_mm_unpackhi_epi64(x1, x1));

	return (h ^ a ^ (b * 0x9E3779B97F4A7C15ull) ^ (c * 0xC2B2AE3D27D4EB4Full) ^ len) *
	       0xFF51AFD7ED558CCDull;
}

static inline unsigned shape_set(uint64_t h, uint32_t key)
{
	return (unsigned)(((h ^ key) * 0x9E3779B97F4A7C15ull) >> 59);  /* SHAPE_SETS = 32 */
}

/* The segment of k fields at *qp: its bytes up to the k-th separator (','
 * or '\n') before end, in x[0..1] zero past them, mixed into *h; its
 * length, 0 when there is no such segment of at most SEG_MAX bytes.  *qp
 * past it. */
static inline __attribute__((always_inline)) unsigned seg_find(const char **qp, const char *end, int k, __m128i x[2],
				uint64_t *h)
{
	const char *q = *qp;
	const __m128i comma = _mm_set1_epi8(','), nl = _mm_set1_epi8('\n');
	unsigned m, len;

	/* q <= end, and 15 bytes past end may be read */
	x[0] = _mm_loadu_si128((const __m128i *)q);
	x[1] = _mm_setzero_si128();
	m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x[0], comma),
						     _mm_cmpeq_epi8(x[0], nl)));
	for (; k > 1 && m; k--)
		m &= m - 1;
	if (m) {
		len = (unsigned)__builtin_ctz(m) + 1;
		if (q + len > end)      /* the sentinel: the line is not whole */
			return 0;
		x[0] = keep_first(x[0], len);
		*h = shape_mix(*h, x[0], _mm_setzero_si128(), len);
		*qp = q + len;
		return len;
	} else {
		/* a second block, read only when it starts before end */
		if (q + 16 >= end)
			return 0;
		x[1] = _mm_loadu_si128((const __m128i *)(q + 16));
		m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x[1], comma),
							     _mm_cmpeq_epi8(x[1], nl)));
		for (; k > 1 && m; k--)
			m &= m - 1;
		if (!m)
			return 0;
		len = 16 + (unsigned)__builtin_ctz(m) + 1;
		x[1] = keep_first(x[1], len - 16);
	}
	if (q + len > end)              /* the sentinel: the line is not whole */
		return 0;
	*h = shape_mix(*h, x[0], x[1], len);
	*qp = q + len;
	return len;
}

/* A number at *qp in a usual form of parse_seconds() (1 to 8 digits, then
 * '.' and three digits or nothing), ended by sep before end: 1 and *ms, 0
 * when empty, -1 for anything else; *qp past sep.  The digits are found
 * in one 16-byte compare and summed at once (Lemire's eight digits in a
 * word). */
static inline int fast_number(const char **qp, const char *end, char sep, sim_time_t *ms)
{
	const char *q = *qp, *s;
	__m128i d = _mm_sub_epi8(_mm_loadu_si128((const __m128i *)q), _mm_set1_epi8('0'));
	unsigned dm = (unsigned)_mm_movemask_epi8(
		_mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d));     /* bytes '0'..'9' */
	unsigned nd = (unsigned)__builtin_ctz(~dm);
	uint64_t v;

	if (nd - 1 >= 8) {              /* none, or more than 8 digits */
		if (nd || *q != sep || q >= end)
			return -1;
		*qp = q + 1;
		return 0;
	}
	/* the digits' values, the first one moved to byte 8 - nd (leading
	 * zeros before it); byte 0 is the most significant digit */
	v = (uint64_t)_mm_cvtsi128_si64(d) << (8 * (8 - nd));
	v = (v * 2561) >> 8;
	v = ((v & 0x00FF00FF00FF00FFull) * 6553601) >> 16;
	v = ((v & 0x0000FFFF0000FFFFull) * 42949672960001ull) >> 32;
	s = q + nd;
	if (*s == '.') {
		if (((dm >> (nd + 1)) & 7) != 7)
			return -1;
		v = v * 1000 + (unsigned)(s[1] - '0') * 100 + (unsigned)(s[2] - '0') * 10 +
		    (unsigned)(s[3] - '0');
		s += 4;
	} else {
		v *= 1000;
	}
	if (*s != sep || s >= end)
		return -1;
	*ms = (sim_time_t)v;
	*qp = s + 1;
	return 1;
}

/* Whether shape sh is the one of key (lengths and empty numbers: see
 * struct shape) and of these segments' blocks (zero past their bytes). */
static inline __attribute__((always_inline)) int shape_is(const struct shape *sh, uint32_t key, int nseg, __m128i x[][2])
{
	__m128i eq = _mm_set1_epi8(-1);

	if (sh->key != key)
		return 0;
	for (int s = 0; s < nseg; s++)
		eq = _mm_and_si128(eq, _mm_and_si128(
			_mm_cmpeq_epi8(x[s][0], _mm_load_si128((const __m128i *)sh->b[s])),
			_mm_cmpeq_epi8(x[s][1], _mm_load_si128((const __m128i *)(sh->b[s] + 16)))));
	return _mm_movemask_epi8(eq) == 0xFFFF;
}

/* The next line read by its shape: 1 = *row filled, the line taken; 0 =
 * read it the usual way (nothing taken).  The chunk's bytes are borrowed
 * from csvin (csvin_peek) for as many lines as are read so, and given back
 * (csvin_take) before a line is read the usual way (give_back). */
static int fast_row(struct trace *t, struct trace_row *row)
{
	const char *q, *end;
	__m128i x[MAX_SEGS][2];
	uint32_t key = 0, len;
	uint64_t h = 0;
	sim_time_t num[2] = { 0, -1 };
	const struct shape *sh;
	unsigned set;
	int ns = 0;

	if (!t->bq) {
		size_t n = csvin_peek(t->in, &t->b0, &t->bline0);

		if (n == 0)
			return 0;
		t->bq = t->b0;
		t->bend = t->b0 + n;
		t->bline = t->bline0;
	}
	q = t->bq;
	end = t->bend;
	/* the items: a segment, the first number, a segment, the second
	 * number, a segment (each segment there or not) */
#define SEG(k) do { \
		if (!(len = seg_find(&q, end, (k), x[ns], &h))) \
			return 0; \
		key |= len << (8 * ++ns); \
	} while (0)
#define NUM(i, sep) do { \
		int r_ = fast_number(&q, end, (sep), &num[i]); \
		if (r_ < 0) \
			return 0; \
		key |= (uint32_t)(r_ == 0) << (i); \
	} while (0)
	if (t->lay.lead)
		SEG(t->lay.lead);
	NUM(t->lay.n1, t->lay.sep1);
	if (t->lay.mid)
		SEG(t->lay.mid);
	if (t->lay.n2 >= 0) {
		NUM(t->lay.n2, t->lay.sep2);
		if (t->lay.tail)
			SEG(t->lay.tail);
	}
#undef SEG
#undef NUM
	set = shape_set(h, key);
	sh = &t->sh[set][0];
	if (!shape_is(sh, key, ns, x) && !shape_is(++sh, key, ns, x))
		return 0;
	if (num[0] < t->prev)
		return 0;
	t->next[set] = sh == &t->sh[set][0];    /* a new shape takes the other way */
	*row = sh->row;
	row->t = num[0];
	row->duration = num[1];
	row->line = t->bline++;
	t->bq = q;
	t->prev = row->t;
	return 1;
}

/* The borrowed bytes fast_row() read, given back to csvin. */
static void give_back(struct trace *t)
{
	if (t->bq) {
		csvin_take(t->in, (size_t)(t->bq - t->b0), t->bline - t->bline0);
		t->bq = NULL;
	}
}

/* A byte a kept segment may hold: csvin splits a line of such bytes at
 * its commas and nothing else. */
static inline int plain(char c)
{
	return (unsigned char)c > ' ' && (unsigned char)c < 0x80 && c != ',' && c != '"';
}

/* The row trace_next just read the usual way (it passed): keep its shape.
 * A row with a segment longer than SEG_MAX or of other bytes is not
 * kept. */
static void learn(struct trace *t, const struct trace_row *row)
{
	char b[MAX_SEGS][SEG_MAX] __attribute__((aligned(16)));
	unsigned len[MAX_SEGS] = { 0, 0, 0 }, off[C_N];
	uint32_t empty = 0, key;
	uint64_t h = 0;
	struct shape *sh;
	unsigned set;

	memset(b, 0, sizeof b);
	for (int i = 0; i < t->n_items; i++) {
		const struct item *it = &t->items[i];
		int s = it->seg;

		if (s < 0) {
			if (!t->f[it->col0][0])
				empty |= 1u << it->num;
			continue;
		}
		for (int j = 0; j < it->k; j++) {
			const char *f = t->f[it->col0 + j];

			off[it->col0 + j] = len[s];
			for (; *f; f++) {
				if (!plain(*f) || len[s] >= SEG_MAX)
					return;
				b[s][len[s]++] = *f;
			}
			if (len[s] >= SEG_MAX)
				return;
			b[s][len[s]++] = j == it->k - 1 ? it->sep : ',';
		}
		h = shape_mix(h, _mm_load_si128((const __m128i *)b[s]),
			      _mm_load_si128((const __m128i *)(b[s] + 16)), len[s]);
	}
	key = empty;
	for (int s = 0; s < t->n_segs; s++)
		key |= len[s] << (8 * (s + 1));
	set = shape_set(h, key);
	{
		__m128i x[MAX_SEGS][2];

		for (int s = 0; s < t->n_segs; s++) {
			x[s][0] = _mm_load_si128((const __m128i *)b[s]);
			x[s][1] = _mm_load_si128((const __m128i *)(b[s] + 16));
		}
		if (shape_is(&t->sh[set][0], key, t->n_segs, x) ||
		    shape_is(&t->sh[set][1], key, t->n_segs, x))
			return;         /* kept already (read the usual way at a chunk's end) */
	}
	sh = &t->sh[set][t->next[set]];
	t->next[set] ^= 1;
	memcpy(sh->b, b, sizeof b);
	memcpy(sh->z, b, sizeof b);
	sh->key = key;
	sh->memo.td = -1;
	sh->memo.call = 0;
	sh->row = *row;
	sh->row.memo = &sh->memo;
	for (int i = 0; i < t->n_items; i++) {
		const struct item *it = &t->items[i];

		for (int j = 0; it->seg >= 0 && j < it->k; j++) {
			unsigned o = off[it->col0 + j];

			sh->z[it->seg][o + strlen(t->f[it->col0 + j])] = '\0';
		}
	}
	/* the row's strings: in the kept segments (an absent column's stays
	 * csvin's static "") */
#define SEG_STR(m, c) \
	if (t->col[c] >= 0) \
		sh->row.m = sh->z[t->colseg[t->col[c]]] + off[t->col[c]]
	SEG_STR(target, C_TARGET);
	SEG_STR(taskdef, C_TASKDEF);
	SEG_STR(group, C_GROUP);
	SEG_STR(cps, C_CPS);
	SEG_STR(launch_type, C_LAUNCH);
#undef SEG_STR
}

/* The items of the header's line (trace_open). */
static void fast_layout(struct trace *t)
{
	int nc = csvin_ncols(t->in);

	t->n_items = t->n_segs = 0;
	for (int i = 0; i < nc; i++) {
		int num = i == t->col[C_TIME] ? 0 : i == t->col[C_DURATION] ? 1 : -1;
		char sep = i == nc - 1 ? '\n' : ',';
		struct item *it;

		if (num < 0 && t->n_items > 0 && t->items[t->n_items - 1].seg >= 0) {
			it = &t->items[t->n_items - 1];         /* the segment goes on */
			it->k++;
			it->sep = sep;
			t->colseg[i] = it->seg;
			continue;
		}
		it = &t->items[t->n_items++];
		it->seg = num < 0 ? t->n_segs++ : -1;
		it->num = num;
		it->col0 = i;
		it->k = 1;
		it->sep = sep;
		t->colseg[i] = it->seg;
	}
	/* the same as fast_row() walks them: [segment] number [segment]
	 * [number [segment]] (time_s is there; the numbers cut the segments) */
	memset(&t->lay, 0, sizeof t->lay);
	t->lay.n2 = -1;
	for (int i = 0, nn = 0; i < t->n_items; i++) {
		const struct item *it = &t->items[i];

		if (it->seg < 0) {
			if (nn++ == 0) {
				t->lay.n1 = it->num;
				t->lay.sep1 = it->sep;
			} else {
				t->lay.n2 = it->num;
				t->lay.sep2 = it->sep;
			}
		} else {
			*(nn == 0 ? &t->lay.lead : nn == 1 ? &t->lay.mid : &t->lay.tail) = it->k;
		}
	}
	t->pause_len = 1u << 14;
	t->fast = 1;
}
#else
static int fast_row(struct trace *t, struct trace_row *row)
{
	(void)t;
	(void)row;
	return 0;
}

static void learn(struct trace *t, const struct trace_row *row)
{
	(void)t;
	(void)row;
}

static void fast_layout(struct trace *t)
{
	t->fast = 0;
}

static void give_back(struct trace *t)
{
	(void)t;
}
#endif

const char *trace_event_name(enum trace_event ev)
{
	return (unsigned)ev < TR_N_EVENTS ? trace_events[ev].name : "?";
}

int trace_column(const struct trace *t, const char *name)
{
	for (int c = 0; c < C_N; c++)
		if (strcmp(name, col_names[c]) == 0)
			return t->col[c] >= 0 ? t->col[c] + 1 : 0;
	return 0;
}

int trace_can_resume(const struct trace *t)
{
	return !t->broken;
}

const char *trace_path(const struct trace *t)
{
	return csvin_path(t->in);
}

size_t trace_memory(const struct trace *t)
{
	return sizeof *t + csvin_memory(t->in);
}

static void list_names(char *buf, size_t n, const char *const *names, int count)
{
	size_t k = 0;

	buf[0] = '\0';
	for (int i = 0; i < count && k < n; i++) {
		int w = snprintf(buf + k, n - k, "%s%s", i ? ", " : "", names[i]);

		if (w > 0)
			k += (size_t)w;
	}
}

struct trace *trace_open(const char *path, unsigned supported, struct err *e)
{
	struct csvin *in = csvin_open(path, e);
	struct trace *t;
	char names[256];

	if (!in)
		return NULL;
	t = xcalloc(1, sizeof *t);
	t->in = in;
	t->supported = supported;
	t->prev = -1;
	for (int c = 0; c < C_N; c++) {
		t->col[c] = csvin_col(in, col_names[c]);
		t->fi[c] = t->col[c] >= 0 ? t->col[c] : csvin_ncols(in);
	}
	list_names(names, sizeof names, col_names, C_N);
	for (int i = 0; i < csvin_ncols(in); i++) {
		const char *name = csvin_colname(in, i);
		int known = 0;

		for (int c = 0; c < C_N; c++)
			known |= strcmp(name, col_names[c]) == 0;
		if (!known) {
			err_at(e, path, csvin_line(in), i + 1, name, "unknown column; expected one of %s", names);
			goto fail;
		}
	}
	for (int c = C_TIME; c <= C_EVENT; c++) {
		if (t->col[c] < 0) {
			err_at(e, path, csvin_line(in), 0, col_names[c], "missing required column");
			goto fail;
		}
	}
	fast_layout(t);
	return t;
fail:
	trace_close(t);
	return NULL;
}

void trace_close(struct trace *t)
{
	if (!t)
		return;
	csvin_close(t->in);
	free(t);
}

static int field_error(const struct trace *t, enum col c, enum trace_use u,
		       enum trace_event ev, const char **s, struct err *e)
	__attribute__((noinline));

/* Check one optional/required field of event `ev`; *s gets its value ("" when
 * the column is absent).  0 or -1.  The common case is decided inline. */
static inline int get_field(const struct trace *t, enum col c, enum trace_use u,
			    enum trace_event ev, const char **s, struct err *e)
{
	*s = val(t, c);
	if (u == TU_OPT || (u == TU_REQ ? t->col[c] >= 0 && **s : !**s))
		return 0;
	return field_error(t, c, u, ev, s, e);
}

/* get_field()'s error, or 0. */
static int field_error(const struct trace *t, enum col c, enum trace_use u, enum trace_event ev,
		       const char **s, struct err *e)
{
	int fi = t->col[c];

	if (u == TU_REQ && fi < 0)
		return err_at(e, csvin_path(t->in), csvin_line(t->in), 0, col_names[c],
			      "required by event '%s', but the header has no %s column",
			      trace_events[ev].name, col_names[c]);
	if (u == TU_REQ && !**s)
		return csvin_fail(t->in, fi, e, "required by event '%s', got an empty value",
				  trace_events[ev].name);
	if (u == TU_NO && **s)
		return csvin_fail(t->in, fi, e, "not used by event '%s' (leave it empty), got \"%s\"",
				  trace_events[ev].name, *s);
	return 0;
}

static int seconds_error(const struct trace *t, enum col c, const char *s, int rc,
			 struct err *e) __attribute__((noinline));

/* A time or duration field into *ms; 0 or -1.  The common case is decided
 * inline (once or twice per row). */
static inline int seconds_field(const struct trace *t, enum col c, const char *s,
				sim_time_t *ms, struct err *e)
{
	int rc = parse_seconds(s, ms);

	return rc == 0 ? 0 : seconds_error(t, c, s, rc, e);
}

/* seconds_field()'s error for parse_seconds()'s code rc. */
static int seconds_error(const struct trace *t, enum col c, const char *s, int rc,
			 struct err *e)
{
	int fi = t->col[c];

	switch (rc) {
	case -2:
		return csvin_fail(t->in, fi, e, "expected a number of seconds >= 0, got \"%s\"", s);
	case -3:
		return csvin_fail(t->in, fi, e, "expected at most %lld seconds, got \"%s\"",
				  (long long)MAX_SECONDS, s);
	default:
		return csvin_fail(t->in, fi, e,
				  "expected a decimal number of seconds like 12 or 0.25, got \"%s\"", s);
	}
}

/* An integer field >= 1 (cpu, memory); 0 or -1. */
static int needs_field(const struct trace *t, enum col c, const char *s, int64_t *v,
		       struct err *e)
{
	int rc = parse_count(s, v);

	if (rc == -3)
		return csvin_fail(t->in, t->col[c], e, "expected an integer <= %lld, got \"%s\"",
				  (long long)MAX_COUNT, s);
	if (rc < 0 || *v < 1)
		return csvin_fail(t->in, t->col[c], e, "expected an integer >= 1, got \"%s\"", s);
	return 0;
}

/* cpu and memory: only on run_task, and there either a taskdef or both of
 * them.  0 or -1. */
static int explicit_needs(const struct trace *t, struct trace_row *row, struct err *e)
{
	const char *cpu, *mem;
	enum trace_use u = row->ev == TR_RUN_TASK && !row->taskdef[0] ? TU_OPT : TU_NO;
	const char *why = row->ev == TR_RUN_TASK ? " with a taskdef (give either taskdef or cpu and memory)"
						 : " (leave it empty)";
	int fc = t->col[C_CPU], fm = t->col[C_MEMORY];

	cpu = val(t, C_CPU);
	mem = val(t, C_MEMORY);
	if (u == TU_NO) {
		if (cpu[0])
			return csvin_fail(t->in, fc, e, "not used by event '%s'%s, got \"%s\"",
					  trace_events[row->ev].name, why, cpu);
		if (mem[0])
			return csvin_fail(t->in, fm, e, "not used by event '%s'%s, got \"%s\"",
					  trace_events[row->ev].name, why, mem);
		return 0;
	}
	if (!cpu[0] && !mem[0]) {
		if (t->col[C_TASKDEF] < 0)
			return err_at(e, csvin_path(t->in), csvin_line(t->in), 0, "taskdef",
				      "required by event 'run_task' unless cpu and memory are given, but the header has no taskdef column");
		return csvin_fail(t->in, t->col[C_TASKDEF], e,
				  "required by event 'run_task' unless cpu and memory are given, got an empty value");
	}
	for (enum col c = C_CPU; c <= C_MEMORY; c++) {
		const char *v = c == C_CPU ? cpu : mem;
		int64_t *dst = c == C_CPU ? &row->cpu_units : &row->mem_mib;

		if (t->col[c] < 0)
			return err_at(e, csvin_path(t->in), csvin_line(t->in), 0, col_names[c],
				      "required by event 'run_task' with %s and no taskdef, but the header has no %s column",
				      col_names[c == C_CPU ? C_MEMORY : C_CPU], col_names[c]);
		if (!v[0])
			return csvin_fail(t->in, t->col[c], e,
					  "required by event 'run_task' with %s and no taskdef, got an empty value",
					  col_names[c == C_CPU ? C_MEMORY : C_CPU]);
		if (needs_field(t, c, v, dst, e) < 0)
			return -1;
	}
	return 0;
}

/* strcmp(a, b) == 0, inline: the names compared are a few bytes. */
static inline int str_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

int trace_parse_cps(const char *s, struct trace_cps *out, char *why, size_t n)
{
	const char *p = s;

	out->n = 0;
	while (*p == ' ')
		p++;
	if (!*p) {
		snprintf(why, n, "expected at least one item PROVIDER:BASE:WEIGHT");
		return -1;
	}
	for (;;) {
		struct trace_cps_item *it;
		const char *name = p;
		int64_t v[2];

		if (out->n == TRACE_CPS_MAX) {
			snprintf(why, n, "at most %d items (RunTask's limit), got more", TRACE_CPS_MAX);
			return -1;
		}
		while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		       (*p >= '0' && *p <= '9') || *p == '-' || *p == '_')
			p++;
		if (p == name || p - name > 255) {
			snprintf(why, n, "item %d: expected a capacity provider name (letters, digits, "
				 "- and _, up to 255) at \"%.40s\"", out->n + 1, name);
			return -1;
		}
		it = &out->items[out->n];
		it->name = name;
		it->len = (int)(p - name);
		for (int k = 0; k < 2; k++) {
			int64_t max = k ? 1000 : 100000;
			int nd = 0;

			if (*p != ':') {
				snprintf(why, n, "item %d (%.*s): expected PROVIDER:BASE:WEIGHT, e.g. "
					 "FARGATE:1:1", out->n + 1, it->len, name);
				return -1;
			}
			p++;
			v[k] = 0;
			for (; *p >= '0' && *p <= '9' && nd < 8; p++, nd++)
				v[k] = v[k] * 10 + (*p - '0');
			if (nd == 0 || (*p >= '0' && *p <= '9') || v[k] > max) {
				snprintf(why, n, "item %d (%.*s): %s must be an integer from 0 to %lld",
					 out->n + 1, it->len, name, k ? "weight" : "base", (long long)max);
				return -1;
			}
		}
		it->base = (int)v[0];
		it->weight = (int)v[1];
		out->n++;
		while (*p == ' ')
			p++;
		if (!*p)
			return 0;
		if (*p != ';') {
			snprintf(why, n, "item %d (%.*s): expected ';' between items, got \"%.20s\"",
				 out->n, it->len, name, p);
			return -1;
		}
		p++;
		while (*p == ' ')
			p++;
	}
}

/* capacity_provider_strategy and launch_type: only on run_task, one or
 * the other (RunTask takes a launchType or a strategy, never both);
 * the strategy's syntax and limits, the launch type's value.  0 or -1. */
static int run_options(const struct trace *t, struct trace_row *row, struct err *e)
{
	const char *cps = val(t, C_CPS), *lt = val(t, C_LAUNCH);

	row->cps = cps;
	row->launch_type = lt;
	row->cps_col = t->col[C_CPS] + 1;
	row->lt_col = t->col[C_LAUNCH] + 1;
	if (!cps[0] && !lt[0])
		return 0;
	if (row->ev != TR_RUN_TASK) {
		enum col c = cps[0] ? C_CPS : C_LAUNCH;

		return csvin_fail(t->in, t->col[c], e, "not used by event '%s' (leave it empty), got \"%s\"",
				  trace_events[row->ev].name, val(t, c));
	}
	if (cps[0] && lt[0])
		return csvin_fail(t->in, t->col[C_LAUNCH], e,
				  "give either launch_type or capacity_provider_strategy, not both "
				  "(RunTask refuses a launchType with a capacityProviderStrategy), got \"%s\"",
				  lt);
	if (cps[0]) {
		struct trace_cps x;
		char why[200];

		if (trace_parse_cps(cps, &x, why, sizeof why))
			return csvin_fail(t->in, t->col[C_CPS], e, "%s; got \"%s\"", why, cps);
		return 0;
	}
	if (!str_eq(lt, "EC2") && !str_eq(lt, "FARGATE"))
		return csvin_fail(t->in, t->col[C_LAUNCH], e,
				  "expected EC2 or FARGATE (the launch types simulated), got \"%s\"", lt);
	return 0;
}

/* command: only on health_check_fail, how its failing command fails:
 * `exit` (or empty: exits non-zero at once) or `hang` (never returns, so
 * each check is killed at its `timeout`; docs/ecs-model.md choice E142).
 * 0 or -1. */
static int check_command(const struct trace *t, struct trace_row *row, struct err *e)
{
	const char *c = val(t, C_COMMAND);

	row->hang = 0;
	if (!c[0])
		return 0;
	if (row->ev != TR_HEALTH_CHECK_FAIL)
		return csvin_fail(t->in, t->col[C_COMMAND], e,
				  "not used by event '%s' (leave it empty), got \"%s\"",
				  trace_events[row->ev].name, c);
	if (str_eq(c, "hang"))
		row->hang = 1;
	else if (!str_eq(c, "exit"))
		return csvin_fail(t->in, t->col[C_COMMAND], e,
				  "expected exit (the command exits non-zero at once) or hang (it "
				  "never returns: each check fails at its timeout), got \"%s\"", c);
	return 0;
}

/* A run_task group of more than 255 bytes: refused (-1) when it is more
 * than 255 characters (UTF-8), as RunTask refuses it (docs/ecs-model.md
 * §4.7); 0 when it is not. */
static int long_group(struct trace *t, const char *g, struct err *e)
{
	size_t n = 0;

	for (const char *p = g; *p; p++)
		n += ((unsigned char)*p & 0xC0) != 0x80;
	if (n <= MAX_GROUP_CHARS)
		return 0;
	return csvin_fail(t->in, t->col[C_GROUP], e, "a task group of %zu characters; ECS allows at "
			  "most %d (docs/ecs-model.md §4.7)", n, MAX_GROUP_CHARS);
}

/* trace_next() the usual way: csvin's split, every check. */
static int read_row(struct trace *t, struct trace_row *row, struct err *e)
{
	const struct trace_event_def *sp;
	const char *s, *count, *dur;
	char names[256];
	int r = csvin_next(t->in, e);
	int ev;

	if (r < 0)
		t->broken = 1;
	if (r <= 0)
		return r;
	t->f = csvin_fields(t->in);
	/* every member of the row is set below, so no memset of the whole row
	 * (trace input's hot path); the explicit needs are set only when given */
	row->cpu_units = row->mem_mib = 0;
	row->memo = NULL;
	row->line = csvin_line(t->in);
	s = val(t, C_TIME);
	if (seconds_field(t, C_TIME, s, &row->t, e) < 0)
		return -1;

	s = val(t, C_EVENT);
	for (ev = 0; ev < TR_N_EVENTS; ev++)
		if (strcmp(s, trace_events[ev].name) == 0)
			break;
	if (ev == TR_N_EVENTS) {
		const char *ev_list[TR_N_EVENTS];

		for (int k = 0; k < TR_N_EVENTS; k++)
			ev_list[k] = trace_events[k].name;
		list_names(names, sizeof names, ev_list, TR_N_EVENTS);
		if (!s[0])
			return csvin_fail(t->in, t->col[C_EVENT], e,
					  "required, got an empty value; expected one of %s", names);
		return csvin_fail(t->in, t->col[C_EVENT], e,
				  "unknown event \"%s\"; expected one of %s", s, names);
	}
	row->ev = (enum trace_event)ev;
	sp = &trace_events[ev];

	if (get_field(t, C_TARGET, sp->target, row->ev, &row->target, e) < 0 ||
	    get_field(t, C_TASKDEF, sp->taskdef, row->ev, &row->taskdef, e) < 0 ||
	    get_field(t, C_COUNT, sp->count, row->ev, &count, e) < 0 ||
	    get_field(t, C_DURATION, sp->duration, row->ev, &dur, e) < 0 ||
	    get_field(t, C_GROUP, sp->group, row->ev, &row->group, e) < 0)
		return -1;
	if (row->ev == TR_RUN_TASK && strlen(row->group) > MAX_GROUP_CHARS && long_group(t, row->group, e))
		return -1;

	if (explicit_needs(t, row, e) < 0 || run_options(t, row, e) < 0 ||
	    check_command(t, row, e) < 0)
		return -1;
	row->count = 1;
	if (count[0]) {
		/* one digit, the usual count, decided inline */
		int rc = is_digit(count[0]) && !count[1] ? (row->count = count[0] - '0', 0)
							  : parse_count(count, &row->count);

		if (rc == -3)
			return csvin_fail(t->in, t->col[C_COUNT], e,
					  "expected an integer <= %lld, got \"%s\"",
					  (long long)MAX_COUNT, count);
		if (rc < 0 || row->count < sp->count_min)
			return csvin_fail(t->in, t->col[C_COUNT], e,
					  "expected an integer >= %lld, got \"%s\"",
					  (long long)sp->count_min, count);
		if (sp->count_max && row->count > sp->count_max)
			return csvin_fail(t->in, t->col[C_COUNT], e,
					  "expected an integer <= %lld (%s), got \"%s\"",
					  (long long)sp->count_max, sp->count_max_why, count);
	}
	if (row->ev == TR_RUN_TASK && row->target[0] && row->count != 1)
		return csvin_fail(t->in, t->col[C_COUNT], e,
				  "expected 1 when target names the task (\"%s\"), got \"%s\"",
				  row->target, count);
	row->duration = -1;
	if (dur[0] && seconds_field(t, C_DURATION, dur, &row->duration, e) < 0)
		return -1;

	if (!(t->supported & (1u << ev)))
		return csvin_fail(t->in, t->col[C_EVENT], e, "event '%s' is not supported yet",
				  trace_events[ev].name);
	if (row->t < t->prev)
		return csvin_fail(t->in, t->col[C_TIME], e,
				  "rows must be in time order: %" PRId64 ".%03d s after %" PRId64 ".%03d s",
				  row->t / 1000, (int)(row->t % 1000), t->prev / 1000,
				  (int)(t->prev % 1000));
	t->prev = row->t;
	return 1;
}

void trace_fast_rows(struct trace *t, int on)
{
	t->fast = on && FAST_ROWS;
}

int trace_next(struct trace *t, struct trace_row *row, struct err *e)
{
	int r;

	if (t->fast) {
		if (t->pause == 0) {
			if (fast_row(t, row))
				r = 1;
			else
				r = 0, t->misses++;
			/* most of the last 1024 attempts missed: none for the next
			 * 16384 rows, twice as many after each such window in a
			 * row (up to 262,144) */
			if (++t->tries == 1024) {
				if (t->misses > 512) {
					t->pause = t->pause_len;
					if (t->pause_len < (1u << 18))
						t->pause_len *= 2;
				} else {
					t->pause_len = 1u << 14;
				}
				t->tries = t->misses = 0;
			}
			if (r)
				return 1;
		} else {
			t->pause--;
		}
	}
	give_back(t);
	r = read_row(t, row, e);
	if (r == 1 && t->fast && t->pause == 0)
		learn(t, row);
	return r;
}
