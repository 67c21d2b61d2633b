/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/unit/ss_test.c - implements the unit test harness of ss_test.h: counters, the
 * summary line, and the shared-corpus and temporary-directory helpers.
 */
#include "ss_test.h"

#include <ftw.h>
#include <unistd.h>
#include <sys/stat.h>

int ss_test_n_pass, ss_test_n_fail, ss_test_n_skip, ss_test_cur_failed;
const char *ss_test_cur_name = "";

static char tmpdir[256];

const char *ss_test_srcdir(void)
{
    const char *s = getenv("SS_TEST_SRCDIR");

    return s != NULL ? s : SS_TEST_SRCDIR;
}

const char *ss_test_corpus(void)
{
    static char path[1024];
    struct stat st;
    const char *env = getenv("SS_SHARED_CORPUS");

    if (env != NULL)
        return stat(env, &st) == 0 ? env : "";
    snprintf(path, sizeof(path), "%s/../../shared/corpus", ss_test_srcdir());
    return stat(path, &st) == 0 ? path : "";
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void rm_tmpdir(void)
{
    if (tmpdir[0] != '\0' && getenv("SS_TEST_KEEP") == NULL)
        (void)nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *ss_test_tmpdir(void)
{
    if (tmpdir[0] == '\0') {
        const char *base = getenv("TMPDIR");

        snprintf(tmpdir, sizeof(tmpdir), "%s/ss_test_XXXXXX", base != NULL ? base : "/tmp");
        if (mkdtemp(tmpdir) == NULL) {
            perror("mkdtemp");
            abort();
        }
        atexit(rm_tmpdir);
    }
    return tmpdir;
}

void ss_test_fail_msg(const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s:%d: %s: ", file, line, ss_test_cur_name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    ss_test_cur_failed = 1;
}

int ss_test_done(void)
{
    if (ss_test_n_skip > 0)
        printf("%d passed, %d failed, %d skipped\n", ss_test_n_pass, ss_test_n_fail,
               ss_test_n_skip);
    else
        printf("%d passed, %d failed\n", ss_test_n_pass, ss_test_n_fail);
    return ss_test_n_fail == 0 ? 0 : 1;
}
