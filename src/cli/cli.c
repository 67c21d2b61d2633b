/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/cli.c - implements what commands share: messages, progress on a terminal,
 * exit-code mapping and the small argument parser declared in cli.h.
 */
#include "cli/cli.h"

#include "core/buf.h"
#include "core/parse.h"

#include <unistd.h>

static int progress_state = -1; /* -1 unknown, 0 off, 1 on */
static bool progress_shown;

/* Messages name inputs and quote their content: printed with ss_buf_put_printable. */
static void vmsg(const char *level, const char *fmt, va_list ap)
{
    struct ss_buf raw = SS_BUF_INIT(SS_BUF_SMALL_MAX), safe = SS_BUF_INIT(SS_BUF_SMALL_MAX);

    ss_cli_progress_done();
    if (ss_buf_vprintf(&raw, fmt, ap) == 0 && ss_buf_put_printable(&safe, raw.ptr, raw.len) == 0)
        fprintf(stderr, "siloscope: %s: %s\n", level, safe.ptr);
    else
        fprintf(stderr, "siloscope: %s: (message lost: out of memory)\n", level);
    ss_buf_release(&raw);
    ss_buf_release(&safe);
}

void ss_cli_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmsg("error", fmt, ap);
    va_end(ap);
}

void ss_cli_warn(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmsg("warning", fmt, ap);
    va_end(ap);
}

bool ss_cli_progress_enabled(void)
{
    if (progress_state < 0)
        progress_state = isatty(STDERR_FILENO) && getenv("SILOSCOPE_QUIET") == NULL ? 1 : 0;
    return progress_state == 1;
}

void ss_cli_progress(const char *fmt, ...)
{
    va_list ap;

    if (!ss_cli_progress_enabled())
        return;
    fputc('\r', stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\033[K", stderr);
    fflush(stderr);
    progress_shown = true;
}

void ss_cli_progress_done(void)
{
    if (progress_shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        progress_shown = false;
    }
}

int ss_cli_exit_for(int err)
{
    switch (err) {
    case 0:
        return SS_EXIT_OK;
    case -ENOENT:
    case -ENOTDIR:
    case -EACCES:
    case -EPERM:
    case -EISDIR:
    case -ELOOP:
    case SS_ESYNTAX:
    case SS_ECORRUPT:
    case SS_EEMPTY:
    case SS_ELIMIT:
    case SS_EUNSUPPORTED:
    case SS_ENOTREG:
        return SS_EXIT_INPUT;
    case SS_EVERIFY:
        return SS_EXIT_FAIL;
    default:
        return SS_EXIT_INTERNAL;
    }
}

void ss_args_init(struct ss_args *a, int argc, char **argv)
{
    *a = (struct ss_args){ .argc = argc, .argv = argv, .i = 1, .cmd = argc > 0 ? argv[0] : "" };
}

static void add_pos(struct ss_args *a, char *arg)
{
    if (a->n_pos >= SS_ARGS_MAX_POSITIONAL) {
        if (!a->bad)
            ss_cli_error("%s: too many arguments (at most %d)", a->cmd, SS_ARGS_MAX_POSITIONAL);
        a->bad = true;
        return;
    }
    a->pos[a->n_pos++] = arg;
}

bool ss_args_next(struct ss_args *a)
{
    a->cur = NULL;
    while (a->i < a->argc) {
        char *arg = a->argv[a->i];

        if (a->only_pos || arg[0] != '-' || arg[1] == '\0') {
            add_pos(a, arg);
            a->i++;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            a->only_pos = true;
            a->i++;
            continue;
        }
        a->cur = arg;
        return true;
    }
    return false;
}

/* Whether the pending option names @long_name / @short_name; *ret_eq points past '='. */
static bool matches(const struct ss_args *a, const char *long_name, char short_name,
                    const char **ret_eq)
{
    const char *c = a->cur;

    *ret_eq = NULL;
    if (c == NULL)
        return false;
    if (c[1] == '-') {
        size_t n = strlen(long_name);

        if (strncmp(c + 2, long_name, n) != 0)
            return false;
        if (c[2 + n] == '=') {
            *ret_eq = c + 3 + n;
            return true;
        }
        return c[2 + n] == '\0';
    }
    return short_name != 0 && c[1] == short_name && c[2] == '\0';
}

bool ss_args_flag(struct ss_args *a, const char *long_name, char short_name)
{
    const char *eq;

    if (!matches(a, long_name, short_name, &eq))
        return false;
    if (eq != NULL) {
        ss_cli_error("%s: option '--%s' takes no value", a->cmd, long_name);
        a->bad = true;
    }
    a->i++;
    a->cur = NULL;
    return true;
}

bool ss_args_value(struct ss_args *a, const char *long_name, char short_name,
                   const char **ret_value)
{
    const char *eq;

    if (!matches(a, long_name, short_name, &eq))
        return false;
    a->i++;
    if (eq != NULL) {
        *ret_value = eq;
    } else if (a->i < a->argc) {
        *ret_value = a->argv[a->i++];
    } else {
        ss_cli_error("%s: option '%s' needs a value", a->cmd, a->cur);
        a->bad = true;
    }
    a->cur = NULL;
    return true;
}

bool ss_args_help(struct ss_args *a)
{
    return ss_args_flag(a, "help", 'h');
}

int ss_args_unknown(struct ss_args *a)
{
    ss_cli_error("%s: unknown option '%s' (see 'siloscope %s --help')", a->cmd,
                 a->cur != NULL ? a->cur : "", a->cmd);
    a->bad = true;
    return SS_EXIT_USAGE;
}

int ss_args_u64(struct ss_args *a, const char *opt, const char *s, uint64_t *ret)
{
    int r = ss_parse_size(s, strlen(s), ret);

    if (r < 0) {
        ss_cli_error("%s: option '%s' wants a number, not '%s'", a->cmd, opt, s);
        a->bad = true;
    }
    return r;
}
