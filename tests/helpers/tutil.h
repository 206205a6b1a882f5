/* tests/helpers/tutil.h — small helpers shared by the suites. */
#ifndef TESTS_TUTIL_H
#define TESTS_TUTIL_H

#include <stdio.h>
#include <math.h>
#include <string.h>
#include <CUnit/CUnit.h>

/* Assert a == b (integers), printing both values on failure. */
#define T_EQ(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); \
	if (a_ != b_) { char m_[256]; snprintf(m_, sizeof m_, "%s == %s: got %lld, want %lld", #a, #b, a_, b_); \
	CU_assertImplementation(CU_FALSE, __LINE__, m_, __FILE__, "", CU_FALSE); } \
	else CU_PASS(#a " == " #b); } while (0)

/* Assert two strings are equal, printing both on failure. */
#define T_STREQ(a, b) do { const char *a_ = (a), *b_ = (b); \
	if (!a_ || !b_ || strcmp(a_, b_) != 0) { char m_[2400]; snprintf(m_, sizeof m_, "%s == %s: got \"%.1000s\", want \"%.1000s\"", #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
	CU_assertImplementation(CU_FALSE, __LINE__, m_, __FILE__, "", CU_FALSE); } \
	else CU_PASS(#a " == " #b); } while (0)

/* Assert |a - b| < 1e-6 (seconds with millisecond precision), printing both. */
#define T_NEAR(a, b) do { double a_ = (a), b_ = (b); if (fabs(a_ - b_) >= 1e-6) { char m_[200]; \
	snprintf(m_, sizeof m_, "%s ~ %s: got %.3f, want %.3f", #a, #b, a_, b_); \
	CU_assertImplementation(CU_FALSE, __LINE__, m_, __FILE__, "", CU_FALSE); } else CU_PASS(#a); } while (0)

/* Fail with a message built at run time (CU_FAIL would print the
 * expression's text, not the message). */
#define T_FAIL(msg) CU_assertImplementation(CU_FALSE, __LINE__, (msg), __FILE__, "", CU_FALSE)

#endif
