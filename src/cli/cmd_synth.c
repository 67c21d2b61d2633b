/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/cmd_synth.c - implements `siloscope synth`: generate a realistic synthetic
 * multi-tenant case with planted scenarios and ground truth (docs/synth.md).
 */
#include "cli/cli.h"

#include "core/diag.h"
#include "core/parse.h"
#include "core/ss_time.h"
#include "synth/synth.h"

static const char synth_help[] =
    "usage: siloscope synth -o DIR [--tenants N] [--days D] [--seed S] [--size BYTES]\n"
    "                       [-j N] [--quiet]\n"
    "\n"
    "Write a synthetic review case to DIR (which must be missing or empty): Azure Resource\n"
    "Graph inventory, diagnostic settings, Activity Log, Entra sign-in and audit logs,\n"
    "Storage blob logs and one AWS account's CloudTrail, in their real export layouts,\n"
    "with eight planted scenarios recorded in DIR/truth.json. The same options always\n"
    "give byte-identical output.\n"
    "\n"
    "options:\n"
    "  -o, --output DIR   output directory (required)\n"
    "      --tenants N    benign customer tenants (default 8; the provider, a voice-\n"
    "                     analytics, a call-centre and a siloed tenant are added)\n"
    "      --days D       days of logs (default 7)\n"
    "      --seed S       random seed (default 1)\n"
    "      --size BYTES   approximate total size, e.g. 50M, 10G (default 50M)\n"
    "  -j, --threads N    worker threads (default: all cores)\n"
    "  -q, --quiet        no progress or summary on stderr\n"
    "  -h, --help         show this help\n"
    "\n"
    "Exit codes: 0 written, 2 usage error (bad option or non-empty DIR), 4 cannot write.\n";

static void progress(void *ctx, uint64_t done_files, uint64_t total_files, uint64_t done_bytes)
{
    (void)ctx;
    ss_cli_progress("synth: %" PRIu64 "/%" PRIu64 " files, %" PRIu64 " MB", done_files, total_files,
                    done_bytes >> 20);
}

static bool parse_u32(struct ss_args *a, const char *opt, const char *v, uint32_t *ret)
{
    uint64_t n;

    if (ss_parse_u64(v, strlen(v), &n) != 0 || n > UINT32_MAX) {
        ss_cli_error("synth: option '%s' wants a whole number, not '%s'", opt, v);
        a->bad = true;
        return false;
    }
    *ret = (uint32_t)n;
    return true;
}

int ss_cmd_synth(int argc, char **argv)
{
    struct ss_synth_opts o;
    struct ss_synth_stats st;
    struct ss_args a;
    struct ss_diag d;
    const char *out = NULL, *v = NULL;
    bool quiet = false;
    int64_t t0;
    int r;

    ss_synth_opts_init(&o);
    ss_args_init(&a, argc, argv);
    while (ss_args_next(&a)) {
        if (ss_args_help(&a)) {
            fputs(synth_help, stdout);
            return SS_EXIT_OK;
        } else if (ss_args_value(&a, "output", 'o', &v)) {
            out = v;
        } else if (ss_args_value(&a, "tenants", 0, &v)) {
            if (v != NULL)
                (void)parse_u32(&a, "--tenants", v, &o.n_tenants);
        } else if (ss_args_value(&a, "days", 0, &v)) {
            if (v != NULL)
                (void)parse_u32(&a, "--days", v, &o.n_days);
        } else if (ss_args_value(&a, "seed", 0, &v)) {
            if (v != NULL && ss_parse_u64(v, strlen(v), &o.seed) != 0) {
                ss_cli_error("synth: option '--seed' wants a number, not '%s'", v);
                a.bad = true;
            }
        } else if (ss_args_value(&a, "size", 0, &v)) {
            if (v != NULL && ss_args_u64(&a, "--size", v, &o.size_bytes) != 0)
                a.bad = true;
        } else if (ss_args_value(&a, "threads", 'j', &v)) {
            uint32_t n = 0;

            if (v != NULL && parse_u32(&a, "--threads", v, &n))
                o.n_threads = n;
        } else if (ss_args_flag(&a, "quiet", 'q')) {
            quiet = true;
        } else {
            return ss_args_unknown(&a);
        }
        v = NULL;
    }
    if (a.bad)
        return SS_EXIT_USAGE;
    if (a.n_pos > 0) {
        ss_cli_error("synth: unexpected argument '%s' (see 'siloscope synth --help')", a.pos[0]);
        return SS_EXIT_USAGE;
    }
    if (out == NULL) {
        ss_cli_error("synth: missing output directory (-o DIR)");
        return SS_EXIT_USAGE;
    }
    if (o.n_tenants < 1 || o.n_tenants > SS_SYNTH_MAX_TENANTS) {
        ss_cli_error("synth: --tenants must be between 1 and %u", SS_SYNTH_MAX_TENANTS);
        return SS_EXIT_USAGE;
    }
    if (o.n_days < 1 || o.n_days > SS_SYNTH_MAX_DAYS) {
        ss_cli_error("synth: --days must be between 1 and %u", SS_SYNTH_MAX_DAYS);
        return SS_EXIT_USAGE;
    }
    if (o.size_bytes > SS_SYNTH_MAX_SIZE) {
        ss_cli_error("synth: --size must be at most 4T");
        return SS_EXIT_USAGE;
    }
    if (!quiet && ss_cli_progress_enabled()) {
        o.progress = progress;
        o.progress_ctx = NULL;
    }
    ss_diag_clear(&d);
    t0 = ss_time_mono_us();
    r = ss_synth_run(&o, out, &st, &d);
    if (!quiet)
        ss_cli_progress_done();
    if (r < 0) {
        char msg[SS_DIAG_MSG_MAX + SS_DIAG_FILE_MAX + 64];

        ss_diag_format(&d, msg, sizeof(msg));
        if (r == -EEXIST) {
            ss_cli_error("synth: output directory '%s' is not empty", out);
            return SS_EXIT_USAGE;
        }
        ss_cli_error("synth: cannot write case: %s", msg);
        return r == SS_ELIMIT ? SS_EXIT_USAGE : SS_EXIT_INTERNAL;
    }
    if (!quiet) {
        double secs = (double)(ss_time_mono_us() - t0) / 1e6;

        fprintf(stderr,
                "synth: wrote %" PRIu64 " files, %" PRIu64 " records, %.1f MB to '%s' in %.2f s "
                "(%.0f MB/s)\n",
                st.n_files, st.n_records, (double)st.n_bytes / 1e6, out, secs,
                secs > 0 ? (double)st.n_bytes / 1e6 / secs : 0.0);
    }
    return SS_EXIT_OK;
}
