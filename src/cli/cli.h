/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/cli.h - what every command shares: exit codes, messages, progress, argument
 * parsing, and the command entry points.
 *
 * Messages follow git's rules: "siloscope: error: <problem> '<subject>'", lower case,
 * no final period. Primary output goes to stdout; errors to stderr; progress goes to
 * stderr only when stderr is a terminal (and never under --quiet).
 *
 * Arguments: options may come before, between or after positional arguments. Long
 * options are "--name value" or "--name=value"; short options "-o value". "--" ends
 * options. Every command accepts --help / -h.
 */
#ifndef SS_CLI_CLI_H
#define SS_CLI_CLI_H

#include "core/base.h"

/** Process exit codes (documented in docs/cli.md). */
enum ss_exit {
    SS_EXIT_OK = 0,
    SS_EXIT_FAIL = 1,     /* verification failed, or findings at or above --fail-on */
    SS_EXIT_USAGE = 2,    /* bad command line, or command not available yet */
    SS_EXIT_INPUT = 3,    /* missing, empty or unreadable case / input */
    SS_EXIT_INTERNAL = 4, /* cannot write outputs, out of memory, internal error */
};

/** Print "siloscope: error: ..." to stderr. */
void ss_cli_error(const char *fmt, ...) SS_ATTR_PRINTF(1, 2);
/** Print "siloscope: warning: ..." to stderr. */
void ss_cli_warn(const char *fmt, ...) SS_ATTR_PRINTF(1, 2);

struct ss_sigma_ruleset;
/**
 * Warn of each input kind that a mapping routes rules to but that no input can have (a
 * typo in 'kinds:' would leave its rules silently unevaluated). Returns how many.
 */
size_t ss_cli_warn_unknown_kinds(const struct ss_sigma_ruleset *rs);
struct ss_sigma_keep;
struct ss_args;
/**
 * The value @v of --max-memory (a size, "512M"): the budget of @k (set up already).
 * Returns 0, or -1 after saying why (zero, not a size, or over 1T).
 */
SS_MUST_USE int ss_cli_max_memory(struct ss_args *a, const char *v, struct ss_sigma_keep *k);
/** Whether progress lines should be shown (stderr is a terminal and not quiet). */
bool ss_cli_progress_enabled(void);
/** Overwrite the progress line on stderr ("\r...\033[K"); no-op unless enabled. */
void ss_cli_progress(const char *fmt, ...) SS_ATTR_PRINTF(1, 2);
/** End the progress line (clear it) if one was shown. */
void ss_cli_progress_done(void);
/** Map an ss error code to an exit code (input problems -> 3, OOM/IO on outputs -> 4). */
int ss_cli_exit_for(int err);

/* Argument iteration. */
#define SS_ARGS_MAX_POSITIONAL 4096

struct ss_args {
    int argc;
    char **argv;
    int i;           /* next argv index to look at */
    const char *cur; /* current option text (for messages) */
    const char *cmd; /* command name, for messages */
    char *pos[SS_ARGS_MAX_POSITIONAL];
    size_t n_pos;
    bool only_pos; /* "--" seen */
    bool bad;      /* an error was printed */
};

/** Start iterating @argv (argv[0] is the command name). */
void ss_args_init(struct ss_args *a, int argc, char **argv);
/**
 * Advance to the next option, collecting positional arguments on the way. Returns true
 * while an option is pending (test it with ss_args_flag / ss_args_value / ss_args_help),
 * false when the arguments are exhausted.
 */
bool ss_args_next(struct ss_args *a);
/** Whether the pending option is --@long_name (or -@short_name, if not 0). Consumes it. */
bool ss_args_flag(struct ss_args *a, const char *long_name, char short_name);
/**
 * Whether the pending option is --@long_name / -@short_name taking a value; on match
 * *ret_value is set (a missing value prints an error, sets a->bad, and returns true with
 * *ret_value unchanged).
 */
bool ss_args_value(struct ss_args *a, const char *long_name, char short_name,
                   const char **ret_value);
/** Whether the pending option is --help or -h. Consumes it. */
bool ss_args_help(struct ss_args *a);
/** Report the pending option as unknown; returns SS_EXIT_USAGE. */
int ss_args_unknown(struct ss_args *a);
/** Parse @s as an unsigned number for option @opt, printing an error on failure. */
SS_MUST_USE int ss_args_u64(struct ss_args *a, const char *opt, const char *s, uint64_t *ret);

/* Commands. Each takes argv with argv[0] = the command name and returns an exit code. */
int ss_cmd_review(int argc, char **argv);
int ss_cmd_synth(int argc, char **argv);
int ss_cmd_cat(int argc, char **argv);
int ss_cmd_hunt(int argc, char **argv);
int ss_cmd_rules(int argc, char **argv);
int ss_cmd_verify(int argc, char **argv);
int ss_cmd_keygen(int argc, char **argv);
int ss_cmd_prove(int argc, char **argv);
int ss_cmd_inventory(int argc, char **argv);

#endif
