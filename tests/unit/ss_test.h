/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/unit/ss_test.h - the in-house unit test harness.
 *
 * A test file defines test functions `static void test_x(void)` and lists them in
 * main with SS_RUN(test_x). Assertions print the expression with file:line and mark the
 * current test failed (the test returns at once). main ends with `return ss_test_done();`,
 * which prints "N passed, N failed" and returns the exit status. Tests may read the
 * shared corpus through ss_test_shared() ("" when absent; such tests skip).
 */
#ifndef SS_TEST_H
#define SS_TEST_H

#include "core/base.h"

extern int ss_test_n_pass, ss_test_n_fail, ss_test_n_skip, ss_test_cur_failed;
extern const char *ss_test_cur_name;

/** Directory of ../shared/corpus, from $SS_SHARED_CORPUS or the source tree; "" if absent. */
const char *ss_test_corpus(void);
/** Directory holding test data in the source tree (tests/). */
const char *ss_test_srcdir(void);
/** A fresh empty temporary directory for this test binary (removed at exit). */
const char *ss_test_tmpdir(void);
/** Print the summary line and return the process exit status. */
int ss_test_done(void);
void ss_test_fail_msg(const char *file, int line, const char *fmt, ...) SS_ATTR_PRINTF(3, 4);
/** Mark the current test skipped (with a reason) and return from it. */
#define SS_SKIP(reason)                                                                            \
    do {                                                                                           \
        ss_test_cur_failed = -1;                                                                   \
        fprintf(stderr, "  skip %s: %s\n", ss_test_cur_name, (reason));                            \
        return;                                                                                    \
    } while (0)

#define SS_RUN(fn)                                                                                 \
    do {                                                                                           \
        ss_test_cur_name = #fn;                                                                    \
        ss_test_cur_failed = 0;                                                                    \
        fn();                                                                                      \
        if (ss_test_cur_failed > 0) {                                                              \
            ss_test_n_fail++;                                                                      \
            fprintf(stderr, "FAIL %s\n", #fn);                                                     \
        } else if (ss_test_cur_failed < 0) {                                                       \
            ss_test_n_skip++;                                                                      \
        } else {                                                                                   \
            ss_test_n_pass++;                                                                      \
        }                                                                                          \
    } while (0)

#define ASSERT_TRUE(x)                                                                             \
    do {                                                                                           \
        if (!(x)) {                                                                                \
            ss_test_fail_msg(__FILE__, __LINE__, "ASSERT_TRUE(%s)", #x);                           \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define ASSERT_EQ(a, b)                                                                            \
    do {                                                                                           \
        long long ss_a_ = (long long)(a), ss_b_ = (long long)(b);                                  \
        if (ss_a_ != ss_b_) {                                                                      \
            ss_test_fail_msg(__FILE__, __LINE__, "ASSERT_EQ(%s, %s): %lld != %lld", #a, #b, ss_a_, \
                             ss_b_);                                                               \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define ASSERT_U64_EQ(a, b)                                                                        \
    do {                                                                                           \
        unsigned long long ss_a_ = (unsigned long long)(a), ss_b_ = (unsigned long long)(b);       \
        if (ss_a_ != ss_b_) {                                                                      \
            ss_test_fail_msg(__FILE__, __LINE__, "ASSERT_U64_EQ(%s, %s): %llu != %llu", #a, #b,    \
                             ss_a_, ss_b_);                                                        \
            return;                                                                                \
        }                                                                                          \
    } while (0)

/* 0 expected; prints ss_strerror of the failure. */
#define ASSERT_OK(x)                                                                               \
    do {                                                                                           \
        int ss_r_ = (int)(x);                                                                      \
        if (ss_r_ != 0) {                                                                          \
            ss_test_fail_msg(__FILE__, __LINE__, "ASSERT_OK(%s): %d (%s)", #x, ss_r_,              \
                             ss_strerror(ss_r_));                                                  \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define ASSERT_STREQ(a, b)                                                                         \
    do {                                                                                           \
        const char *ss_a_ = (a), *ss_b_ = (b);                                                     \
        if (ss_a_ == NULL || ss_b_ == NULL || strcmp(ss_a_, ss_b_) != 0) {                         \
            ss_test_fail_msg(__FILE__, __LINE__, "ASSERT_STREQ(%s, %s): \"%s\" != \"%s\"", #a, #b, \
                             ss_a_ ? ss_a_ : "(null)", ss_b_ ? ss_b_ : "(null)");                  \
            return;                                                                                \
        }                                                                                          \
    } while (0)

/* Compare @n bytes; both sides are shown escaped on failure. */
#define ASSERT_MEMEQ(a, b, n)                                                                      \
    do {                                                                                           \
        if (memcmp((a), (b), (n)) != 0) {                                                          \
            ss_test_fail_msg(__FILE__, __LINE__, "ASSERT_MEMEQ(%s, %s, %s)", #a, #b, #n);          \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#endif
