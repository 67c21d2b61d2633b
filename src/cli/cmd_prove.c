/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/cmd_prove.c - implements `siloscope prove OUT --finding ID`: print the inclusion
 * proof of one finding in the findings tree and of every input its evidence cites in
 * the inputs tree, after checking that the sealed directory verifies.
 */
#include "cli/cli.h"

#include "core/buf.h"
#include "evidence/evidence.h"

#include <sys/stat.h>

static const char prove_help[] =
    "usage: siloscope prove OUT --finding ID [--key PUB]\n"
    "       siloscope prove OUT --since N [--key PUB]\n"
    "\n"
    "Print, as JSON, the proof that finding ID (its uid, or a unique prefix of at least\n"
    "6 characters) is part of the sealed review in OUT: the finding's canonical JSON,\n"
    "its leaf hash and RFC 9162 inclusion proof in the findings tree, and for every\n"
    "input its evidence cites, the input's leaf hash and inclusion proof in the inputs\n"
    "tree. A third party checks them against inputs_root and findings_root of the\n"
    "signed statement in OUT/manifest.dsse.json alone (docs/evidence.md).\n"
    "\n"
    "With --since N, print instead the proof that the case log of OUT (the reviews\n"
    "sealed into it, oldest first) extends the log as it was after review N: both\n"
    "sizes and roots, the RFC 9162 consistency proof and every entry. Whoever holds\n"
    "review N's checkpoint can so check that no earlier review was rewritten.\n"
    "\n"
    "The directory is verified first (as 'siloscope verify OUT'); nothing is printed\n"
    "when it does not verify.\n"
    "\n"
    "options:\n"
    "      --finding ID   the finding to prove\n"
    "      --since N      prove the case log extends its state after review N\n"
    "      --key PUB      public key (PEM) to check the signature with\n"
    "  -h, --help         show this help\n"
    "\n"
    "Exit codes: 0 printed, 1 OUT does not verify or no such finding, 2 usage error,\n"
    "3 OUT unreadable.\n";

/* Whether OUT has a manifest.json at all (else OUT is unreadable input, exit 3). */
static bool has_manifest(const char *out_dir)
{
    char path[4096];
    struct stat st;

    snprintf(path, sizeof(path), "%s/manifest.json", out_dir);
    return stat(path, &st) == 0;
}

/* The finding whose uid is @id or starts with it (unique, at least 6 characters). */
static const char *resolve_uid(const struct ss_seal *s, const char *id, bool *ret_ambiguous)
{
    const char *found = NULL;
    size_t n = strlen(id);

    *ret_ambiguous = false;
    for (size_t i = 0; i < s->n_findings; i++) {
        if (strcmp(s->findings[i].uid, id) == 0)
            return s->findings[i].uid;
    }
    if (n < 6)
        return NULL;
    for (size_t i = 0; i < s->n_findings; i++) {
        if (strncmp(s->findings[i].uid, id, n) != 0)
            continue;
        if (found != NULL && strcmp(found, s->findings[i].uid) != 0) {
            *ret_ambiguous = true;
            return NULL;
        }
        found = s->findings[i].uid;
    }
    return found;
}

int ss_cmd_prove(int argc, char **argv)
{
    struct ss_args a;
    struct ss_seal seal = { 0 };
    struct ss_verify_report rep;
    struct ss_buf out = SS_BUF_INIT(SIZE_MAX / 2);
    const char *finding = NULL, *key = NULL, *since_s = NULL, *uid;
    uint64_t since = 0;
    bool ambiguous;
    int ret = SS_EXIT_INTERNAL, r;

    ss_args_init(&a, argc, argv);
    while (ss_args_next(&a)) {
        const char *v = NULL;

        if (ss_args_help(&a)) {
            fputs(prove_help, stdout);
            return SS_EXIT_OK;
        } else if (ss_args_value(&a, "finding", 0, &v)) {
            finding = v;
        } else if (ss_args_value(&a, "key", 0, &v)) {
            key = v;
        } else if (ss_args_value(&a, "since", 0, &v)) {
            since_s = v;
            if (v != NULL && ss_args_u64(&a, "--since", v, &since) == 0 && since == 0) {
                ss_cli_error("prove: --since counts reviews from 1");
                a.bad = true;
            }
        } else {
            return ss_args_unknown(&a);
        }
    }
    if (a.bad)
        return SS_EXIT_USAGE;
    if (a.n_pos != 1 || (finding == NULL) == (since_s == NULL)) {
        ss_cli_error("prove: %s (see 'siloscope prove --help')",
                     a.n_pos != 1 ? "exactly one OUT directory expected"
                                  : "give one of --finding ID and --since N");
        return SS_EXIT_USAGE;
    }
    ss_verify_report_init(&rep);
    r = ss_seal_verify(a.pos[0], key, &seal, &rep);
    if (r == -ENOMEM) {
        ss_cli_error("prove: out of memory");
        goto out;
    }
    if (r < 0 || rep.n_fail > 0) {
        for (size_t i = 0; i < rep.n_items; i++) {
            if (rep.items[i].status == SS_VERIFY_FAIL)
                ss_cli_error("prove: %s: %s", rep.items[i].item, rep.items[i].msg);
        }
        ss_cli_error("prove: '%s' does not verify; no proof printed (run 'siloscope verify')",
                     a.pos[0]);
        ret = r < 0 && !has_manifest(a.pos[0]) ? SS_EXIT_INPUT : SS_EXIT_FAIL;
        goto out;
    }
    if (since_s != NULL) {
        r = ss_caselog_prove(a.pos[0], since, &out);
        if (r < 0) {
            ss_cli_error("prove: cannot prove the case log of '%s' since review %" PRIu64 ": %s",
                         a.pos[0], since,
                         r == SS_ENOTFOUND ? "there is no case log"
                         : r == -EINVAL    ? "the log is shorter"
                                           : ss_strerror(r));
            ret = r == -ENOMEM ? SS_EXIT_INTERNAL : SS_EXIT_FAIL;
            goto out;
        }
    } else {
        uid = resolve_uid(&seal, finding, &ambiguous);
        if (uid == NULL) {
            ss_cli_error("prove: %s finding '%s' in '%s'", ambiguous ? "ambiguous" : "no", finding,
                         a.pos[0]);
            ret = SS_EXIT_FAIL;
            goto out;
        }
        r = ss_seal_prove(&seal, uid, &out);
        if (r < 0) {
            ss_cli_error("prove: cannot build the proof of '%s': %s", uid, ss_strerror(r));
            ret = r == -ENOMEM ? SS_EXIT_INTERNAL : SS_EXIT_FAIL;
            goto out;
        }
    }
    fwrite(out.ptr, 1, out.len, stdout);
    if (fflush(stdout) != 0) {
        ss_cli_error("prove: cannot write the proof: %s", strerror(errno));
        goto out;
    }
    ret = SS_EXIT_OK;
out:
    ss_buf_release(&out);
    ss_seal_release(&seal);
    ss_verify_report_release(&rep);
    return ret;
}
