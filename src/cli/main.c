/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/main.c - the siloscope entry point: global options and command dispatch.
 *
 * Commands whose issue has not landed yet are listed but exit 2 with a one-line
 * "not available yet" message, so scripts can rely on the command names from day one.
 */
#include "cli/cli.h"

#include "core/alloc.h"
#include "core/parse.h"

#include "ss_config.h"

typedef int (*ss_cmd_fn)(int argc, char **argv);

struct command {
    const char *name;
    ss_cmd_fn fn; /* NULL: not available yet */
    const char *summary;
};

#ifndef SS_HAVE_CMD_CAT
#define ss_cmd_cat NULL
#endif
#ifndef SS_HAVE_CMD_SYNTH
#define ss_cmd_synth NULL
#endif
#ifndef SS_HAVE_CMD_VERIFY
#define ss_cmd_verify NULL
#endif
#ifndef SS_HAVE_CMD_KEYGEN
#define ss_cmd_keygen NULL
#endif
#ifndef SS_HAVE_CMD_PROVE
#define ss_cmd_prove NULL
#endif
#ifndef SS_HAVE_CMD_HUNT
#define ss_cmd_hunt NULL
#endif
#ifndef SS_HAVE_CMD_RULES
#define ss_cmd_rules NULL
#endif
#ifndef SS_HAVE_CMD_INVENTORY
#define ss_cmd_inventory NULL
#endif

static const struct command commands[] = {
    { "review", ss_cmd_review, "review a case: read, check, seal and report" },
    { "synth", ss_cmd_synth, "generate a realistic synthetic case with planted scenarios" },
    { "cat", ss_cmd_cat, "decode any supported input into JSON lines" },
    { "hunt", ss_cmd_hunt, "run Sigma rules over inputs and print matches" },
    { "rules", ss_cmd_rules, "load and check Sigma rules ('rules check DIR...')" },
    { "verify", ss_cmd_verify, "verify a sealed review (signature, roots, evidence)" },
    { "keygen", ss_cmd_keygen, "make an Ed25519 key pair for signing reviews" },
    { "prove", ss_cmd_prove, "print the inclusion proof of a finding" },
    { "inventory", ss_cmd_inventory, "print the entity graph of a case's inventory" },
};

static void usage(FILE *f)
{
    fprintf(f, "usage: siloscope <command> [options] [arguments]\n"
               "       siloscope --version | --help\n\n"
               "Reviews exports of cloud tenants (inventory and audit logs) for platform\n"
               "misuse and writes sealed, verifiable findings.\n\ncommands:\n");
    for (size_t i = 0; i < SS_ARRAY_LEN(commands); i++)
        fprintf(f, "  %-10s %s%s\n", commands[i].name, commands[i].summary,
                commands[i].fn == NULL ? " (not available yet)" : "");
    fprintf(f, "\nRun 'siloscope <command> --help' for a command's options.\n"
               "Exit codes: 0 ok, 1 verification failed or findings at or above --fail-on,\n"
               "2 usage error, 3 unreadable input, 4 internal or output error.\n");
}

/*
 * Test hooks (docs/cli.md "Environment"): SILOSCOPE_FAULT_ALLOC=N makes the Nth heap
 * allocation fail, for the fault suite; SILOSCOPE_ALLOC_STATS prints the allocation
 * count and peak heap bytes at exit, for the fault suite and benchmarks.
 */
static void alloc_stats(void)
{
    fprintf(stderr, "siloscope: allocations %" PRIu64 ", peak heap %zu bytes%s\n", ss_alloc_count(),
            ss_alloc_peak_bytes(), ss_alloc_fault_fired() ? ", injected failure fired" : "");
}

static void arm_test_hooks(void)
{
    const char *s = getenv("SILOSCOPE_FAULT_ALLOC");
    uint64_t n;

    if (s != NULL && ss_parse_u64(s, strlen(s), &n) == 0)
        ss_alloc_fail_at(n);
    if (getenv("SILOSCOPE_ALLOC_STATS") != NULL)
        atexit(alloc_stats);
}

int main(int argc, char **argv)
{
    arm_test_hooks();
    if (argc < 2) {
        usage(stderr);
        return SS_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("siloscope %s (build %s)\n", SS_VERSION, SS_BUILD);
        return SS_EXIT_OK;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return SS_EXIT_OK;
    }
    for (size_t i = 0; i < SS_ARRAY_LEN(commands); i++) {
        if (strcmp(argv[1], commands[i].name) != 0)
            continue;
        if (commands[i].fn == NULL) {
            ss_cli_error("'%s' is not available yet in this version", commands[i].name);
            return SS_EXIT_USAGE;
        }
        return commands[i].fn(argc - 1, argv + 1);
    }
    ss_cli_error("unknown command '%s' (see 'siloscope --help')", argv[1]);
    return SS_EXIT_USAGE;
}
