/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tests/unit/test_cli.c - unit tests of what every command shares (cli/cli.c): the
 * argument parser (options anywhere, --name=value, "--", values, errors) and the mapping
 * from error codes to documented exit codes.
 */
#include "ss_test.h"

#include "cli/cli.h"

static void test_args_mixed(void)
{
    char *argv[] = { "review",    "case", "-o", "out",    "--threads=4",
                     "--fail-on", "high", "--", "-weird", NULL };
    struct ss_args a;
    const char *out = NULL, *threads = NULL, *fail = NULL;
    int n_opts = 0;

    ss_args_init(&a, 9, argv);
    while (ss_args_next(&a)) {
        n_opts++;
        if (ss_args_value(&a, "output", 'o', &out))
            continue;
        if (ss_args_value(&a, "threads", 'j', &threads))
            continue;
        if (ss_args_value(&a, "fail-on", 0, &fail))
            continue;
        ASSERT_TRUE(false);
    }
    ASSERT_EQ(n_opts, 3);
    ASSERT_STREQ(out, "out");
    ASSERT_STREQ(threads, "4");
    ASSERT_STREQ(fail, "high");
    ASSERT_EQ(a.n_pos, 2);
    ASSERT_STREQ(a.pos[0], "case");
    ASSERT_STREQ(a.pos[1], "-weird");
    ASSERT_TRUE(!a.bad);
}

static void test_args_errors(void)
{
    char *argv1[] = { "cat", "--strict=yes", NULL };
    char *argv2[] = { "review", "-o", NULL };
    char *argv3[] = { "review", "--outputx", "d", NULL };
    char *argv4[] = { "synth", "-", "--help", NULL };
    struct ss_args a;
    const char *v = "unchanged";
    uint64_t n = 7;

    ss_args_init(&a, 2, argv1);
    ASSERT_TRUE(ss_args_next(&a));
    ASSERT_TRUE(ss_args_flag(&a, "strict", 0));
    ASSERT_TRUE(a.bad);

    ss_args_init(&a, 2, argv2);
    ASSERT_TRUE(ss_args_next(&a));
    ASSERT_TRUE(ss_args_value(&a, "output", 'o', &v));
    ASSERT_STREQ(v, "unchanged");
    ASSERT_TRUE(a.bad);
    ASSERT_TRUE(!ss_args_next(&a));

    ss_args_init(&a, 3, argv3);
    ASSERT_TRUE(ss_args_next(&a));
    ASSERT_TRUE(!ss_args_value(&a, "output", 'o', &v));
    ASSERT_EQ(ss_args_unknown(&a), SS_EXIT_USAGE);

    ss_args_init(&a, 3, argv4);
    ASSERT_TRUE(ss_args_next(&a));
    ASSERT_TRUE(ss_args_help(&a));
    ASSERT_EQ(a.n_pos, 1);
    ASSERT_STREQ(a.pos[0], "-");

    ss_args_init(&a, 1, argv4);
    ASSERT_EQ(ss_args_u64(&a, "--tenants", "12x", &n), SS_ESYNTAX);
    ASSERT_EQ(n, 7);
    ASSERT_OK(ss_args_u64(&a, "--size", "2M", &n));
    ASSERT_U64_EQ(n, (uint64_t)2 << 20);
}

static void test_exit_codes(void)
{
    ASSERT_EQ(ss_cli_exit_for(0), SS_EXIT_OK);
    ASSERT_EQ(ss_cli_exit_for(-ENOENT), SS_EXIT_INPUT);
    ASSERT_EQ(ss_cli_exit_for(-EACCES), SS_EXIT_INPUT);
    ASSERT_EQ(ss_cli_exit_for(SS_ESYNTAX), SS_EXIT_INPUT);
    ASSERT_EQ(ss_cli_exit_for(SS_ELIMIT), SS_EXIT_INPUT);
    ASSERT_EQ(ss_cli_exit_for(SS_EVERIFY), SS_EXIT_FAIL);
    ASSERT_EQ(ss_cli_exit_for(-ENOMEM), SS_EXIT_INTERNAL);
    ASSERT_EQ(ss_cli_exit_for(-ENOSPC), SS_EXIT_INTERNAL);
    ASSERT_TRUE(!ss_cli_progress_enabled() || getenv("SILOSCOPE_QUIET") == NULL);
}

int main(void)
{
    SS_RUN(test_args_mixed);
    SS_RUN(test_args_errors);
    SS_RUN(test_exit_codes);
    return ss_test_done();
}
