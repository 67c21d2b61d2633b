/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/cmd_verify.c - implements `siloscope verify OUT [--case CASE] [--key PUB]`: check a
 * sealed review (evidence/evidence.h does the envelope, signature, manifest, findings and
 * roots) and, with --case, re-hash every input and re-extract every evidence record by
 * its location to check its SHA-256. Every failure names its item; exit 1 on any.
 */
#include "cli/cli.h"

#include "core/alloc.h"
#include "core/diag.h"
#include "evidence/evidence.h"
#include "evidence/sha256.h"
#include "io/io.h"

#include <sys/stat.h>

static const char verify_help[] =
    "usage: siloscope verify OUT [--case CASE] [--key PUB] [-v]\n"
    "\n"
    "Check the sealed review in OUT: the envelope manifest.dsse.json and its Ed25519\n"
    "signature (with PUB, or else the key OUT/manifest.pub.pem the review was signed\n"
    "with), that manifest.json and findings.jsonl are exactly what was sealed, and\n"
    "both Merkle roots recomputed from their leaves. With --case, also re-hash every\n"
    "input of CASE and re-extract every evidence record at its location to check its\n"
    "SHA-256. Each problem is printed with the item it concerns.\n"
    "\n"
    "options:\n"
    "      --case CASE   the case directory the review read\n"
    "      --key PUB     public key (PEM) of the expected signer ('siloscope keygen')\n"
    "  -v, --verbose     also print every check that passed\n"
    "  -h, --help        show this help\n"
    "\n"
    "Exit codes: 0 verified, 1 a check failed, 2 usage error, 3 OUT or CASE unreadable,\n"
    "4 internal error.\n";

/* One evidence record to re-extract, with where it is cited from. */
struct ev_ref {
    uint32_t input;
    uint64_t offset, len;
    const uint8_t *sha256;
    size_t finding, ev; /* indices in the seal */
};

static int ev_ref_cmp(const void *pa, const void *pb)
{
    const struct ev_ref *a = pa, *b = pb;

    if (a->input != b->input)
        return a->input < b->input ? -1 : 1;
    if (a->offset != b->offset)
        return a->offset < b->offset ? -1 : 1;
    if (a->finding != b->finding)
        return a->finding < b->finding ? -1 : 1;
    return a->ev < b->ev ? -1 : a->ev > b->ev ? 1 : 0;
}

static int input_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct ss_input *)elem)->relpath);
}

static void ev_item(const struct ss_seal *s, const struct ev_ref *e, char *out, size_t n)
{
    snprintf(out, n, "evidence %zu of finding %s", e->ev + 1, s->findings[e->finding].uid);
}

/* Re-extract the evidence records refs[0..n) (all of one input, sorted by offset). */
static int check_input_evidence(const struct ss_case *c, size_t case_index, const struct ss_seal *s,
                                const struct ev_ref *refs, size_t n, struct ss_verify_report *rep,
                                size_t *ret_ok)
{
    const char *rel = s->inputs[refs[0].input].relpath;
    struct ss_reader *rd = NULL;
    struct ss_diag d;
    char item[SS_VERIFY_ITEM_MAX];
    size_t k = 0;
    int r;

    ss_diag_clear(&d);
    r = ss_reader_open(c, (uint32_t)case_index, NULL, NULL, NULL, &rd, &d);
    if (r == -ENOMEM)
        return r;
    if (r < 0) {
        ss_verify_report_add(rep, SS_VERIFY_FAIL, rel, "cannot re-read the input: %s",
                             d.msg[0] != '\0' ? d.msg : ss_strerror(r));
        return 0;
    }
    while (k < n) {
        struct ss_record rec;

        ss_diag_clear(&d);
        r = ss_reader_next(rd, &rec, &d);
        if (r == -ENOMEM)
            break;
        if (r == SS_ESYNTAX || r == SS_ELIMIT)
            continue;
        if (r <= 0)
            break;
        /* Records the review cited but the reader went past: not a record any more. */
        while (k < n && refs[k].offset < rec.loc.offset) {
            ev_item(s, &refs[k], item, sizeof(item));
            ss_verify_report_add(rep, SS_VERIFY_FAIL, item,
                                 "no record starts at byte %" PRIu64 " of '%s'", refs[k].offset,
                                 rel);
            k++;
        }
        while (k < n && refs[k].offset == rec.loc.offset) {
            uint8_t h[SS_SHA256_LEN];

            ev_item(s, &refs[k], item, sizeof(item));
            r = ss_sha256(rec.ptr, rec.len, h);
            if (r < 0)
                goto out;
            if (rec.len != refs[k].len || memcmp(h, refs[k].sha256, SS_SHA256_LEN) != 0)
                ss_verify_report_add(rep, SS_VERIFY_FAIL, item,
                                     "the record at byte %" PRIu64 " of '%s' differs (SHA-256 "
                                     "or length)",
                                     refs[k].offset, rel);
            else
                (*ret_ok)++;
            k++;
        }
    }
    r = r == -ENOMEM ? r : 0;
    for (; k < n && r == 0; k++) {
        ev_item(s, &refs[k], item, sizeof(item));
        ss_verify_report_add(rep, SS_VERIFY_FAIL, item,
                             "no record at byte %" PRIu64 " of '%s' (input ends or is damaged)",
                             refs[k].offset, rel);
    }
out:
    ss_reader_free(rd);
    return r;
}

/*
 * --case: re-hash every input, then re-extract every evidence record. Returns 0 (the
 * verdicts are in @rep), -ENOMEM, or the error of reading the case directory itself.
 */
static int check_case(const char *case_dir, const struct ss_seal *s, struct ss_verify_report *rep)
{
    struct ss_case c = { 0 };
    struct ss_diag d;
    struct ev_ref *refs = NULL;
    bool *input_ok = NULL;
    size_t n_refs = 0, n_inputs_ok = 0, n_ev_ok = 0, n_ev_unhashed = 0, n_matched = 0;
    int r;

    ss_diag_clear(&d);
    r = ss_case_discover(case_dir, NULL, &c, &d);
    if (r < 0) {
        if (r != -ENOMEM)
            ss_verify_report_add(rep, SS_VERIFY_FAIL, case_dir, "cannot read the case: %s",
                                 d.msg[0] != '\0' ? d.msg : ss_strerror(r));
        return r;
    }
    input_ok = ss_calloc(s->n_inputs + 1, sizeof(*input_ok));
    if (input_ok == NULL) {
        r = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < s->n_inputs; i++) {
        const struct ss_seal_input *in = &s->inputs[i];
        const struct ss_input *ci =
            bsearch(in->relpath, c.inputs, c.n_inputs, sizeof(*c.inputs), input_cmp);
        uint8_t h[SS_SHA256_LEN];
        uint64_t size = 0;
        char item[SS_VERIFY_ITEM_MAX];

        snprintf(item, sizeof(item), "input '%s'", in->relpath);
        if (ci == NULL) {
            ss_verify_report_add(rep, SS_VERIFY_FAIL, item, "missing from the case");
            continue;
        }
        n_matched++;
        r = ss_sha256_file(ci->path, h, &size);
        if (r == -ENOMEM)
            goto out;
        if (r < 0) {
            ss_verify_report_add(rep, SS_VERIFY_FAIL, item, "cannot read: %s", ss_strerror(r));
            continue;
        }
        if (!in->has_sha256) {
            ss_verify_report_add(rep, SS_VERIFY_WARN, item,
                                 "was not readable when sealed; nothing to compare");
            continue;
        }
        if (size != in->size_bytes || memcmp(h, in->sha256, SS_SHA256_LEN) != 0) {
            char got[SS_SHA256_HEX_SIZE], want[SS_SHA256_HEX_SIZE];

            ss_sha256_hex(h, got);
            ss_sha256_hex(in->sha256, want);
            ss_verify_report_add(rep, SS_VERIFY_FAIL, item,
                                 "modified: SHA-256 %s (%" PRIu64 " bytes), sealed %s (%" PRIu64
                                 " bytes)",
                                 got, size, want, in->size_bytes);
            continue;
        }
        input_ok[i] = true;
        n_inputs_ok++;
    }
    if (n_inputs_ok == s->n_inputs)
        ss_verify_report_add(rep, SS_VERIFY_OK, "inputs",
                             "all %zu inputs re-hashed and equal to the sealed digests",
                             s->n_inputs);
    if (c.n_inputs > n_matched)
        ss_verify_report_add(rep, SS_VERIFY_WARN, "case",
                             "%zu files in '%s' are not part of the sealed review",
                             c.n_inputs - n_matched, case_dir);

    /* Evidence records, grouped by input and in offset order. */
    for (size_t i = 0; i < s->n_findings; i++)
        n_refs += s->findings[i].n_evidence;
    refs = ss_calloc(n_refs + 1, sizeof(*refs));
    if (refs == NULL) {
        r = -ENOMEM;
        goto out;
    }
    n_refs = 0;
    for (size_t i = 0; i < s->n_findings; i++) {
        for (size_t k = 0; k < s->findings[i].n_evidence; k++) {
            const struct ss_seal_evidence *e = &s->findings[i].evidence[k];
            char item[SS_VERIFY_ITEM_MAX];

            if (e->input >= s->n_inputs) {
                snprintf(item, sizeof(item), "evidence %zu of finding %s", k + 1,
                         s->findings[i].uid);
                ss_verify_report_add(rep, SS_VERIFY_FAIL, item, "cites input %" PRIu32 " of %zu",
                                     e->input, s->n_inputs);
                continue;
            }
            if (!e->has_sha256) {
                n_ev_unhashed++;
                continue;
            }
            refs[n_refs++] = (struct ev_ref){ .input = e->input,
                                              .offset = e->offset,
                                              .len = e->len,
                                              .sha256 = e->sha256,
                                              .finding = i,
                                              .ev = k };
        }
    }
    qsort(refs, n_refs, sizeof(*refs), ev_ref_cmp);
    for (size_t i = 0; i < n_refs;) {
        size_t j = i;
        const struct ss_input *ci;

        while (j < n_refs && refs[j].input == refs[i].input)
            j++;
        ci = bsearch(s->inputs[refs[i].input].relpath, c.inputs, c.n_inputs, sizeof(*c.inputs),
                     input_cmp);
        /* A missing or modified input is already named; its records are not re-read. */
        if (ci != NULL && input_ok[refs[i].input]) {
            r = check_input_evidence(&c, (size_t)(ci - c.inputs), s, refs + i, j - i, rep,
                                     &n_ev_ok);
            if (r < 0)
                goto out;
        }
        i = j;
    }
    if (n_refs > 0 && n_ev_ok == n_refs)
        ss_verify_report_add(rep, SS_VERIFY_OK, "evidence",
                             "all %zu evidence records re-extracted and equal to their digests",
                             n_refs);
    if (n_ev_unhashed > 0)
        ss_verify_report_add(rep, SS_VERIFY_WARN, "evidence",
                             "%zu evidence records carry no digest and were not checked",
                             n_ev_unhashed);
    r = 0;
out:
    ss_free(refs);
    ss_free(input_ok);
    ss_case_release(&c);
    return r;
}

static void print_report(const struct ss_verify_report *rep, bool verbose)
{
    static const char *const tag[SS_VERIFY__COUNT] = { "ok  ", "FAIL", "warn" };

    for (size_t i = 0; i < rep->n_items; i++) {
        const struct ss_verify_item *it = &rep->items[i];

        if (it->status == SS_VERIFY_OK && !verbose)
            continue;
        printf("%s  %s: %s\n", tag[it->status], it->item, it->msg);
    }
    if (rep->n_dropped > 0)
        printf("....  %zu more verdicts not shown\n", rep->n_dropped);
}

int ss_cmd_verify(int argc, char **argv)
{
    struct ss_args a;
    struct ss_seal seal = { 0 };
    struct ss_verify_report rep;
    const char *case_dir = NULL, *key = NULL, *out_dir;
    char path[4096];
    struct stat st;
    bool verbose = false;
    int ret = SS_EXIT_INTERNAL, r;

    ss_args_init(&a, argc, argv);
    while (ss_args_next(&a)) {
        const char *v = NULL;

        if (ss_args_help(&a)) {
            fputs(verify_help, stdout);
            return SS_EXIT_OK;
        } else if (ss_args_value(&a, "case", 0, &v)) {
            case_dir = v;
        } else if (ss_args_value(&a, "key", 0, &v)) {
            key = v;
        } else if (ss_args_flag(&a, "verbose", 'v')) {
            verbose = true;
        } else {
            return ss_args_unknown(&a);
        }
    }
    if (a.bad)
        return SS_EXIT_USAGE;
    if (a.n_pos != 1) {
        ss_cli_error("verify: %s (see 'siloscope verify --help')",
                     a.n_pos == 0 ? "missing OUT directory" : "exactly one OUT expected");
        return SS_EXIT_USAGE;
    }
    out_dir = a.pos[0];
    snprintf(path, sizeof(path), "%s/manifest.json", out_dir);
    if (stat(out_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        ss_cli_error("verify: cannot open '%s': not a directory", out_dir);
        return SS_EXIT_INPUT;
    }
    if (stat(path, &st) != 0) {
        ss_cli_error("verify: '%s' is not a sealed review: no manifest.json", out_dir);
        return SS_EXIT_INPUT;
    }
    if (case_dir != NULL && (stat(case_dir, &st) != 0 || !S_ISDIR(st.st_mode))) {
        ss_cli_error("verify: cannot open case '%s': not a directory", case_dir);
        return SS_EXIT_INPUT;
    }

    ss_verify_report_init(&rep);
    r = ss_seal_verify(out_dir, key, &seal, &rep);
    if (r == -ENOMEM) {
        ss_cli_error("verify: out of memory");
        goto out;
    }
    if (r == 0 && case_dir != NULL) {
        r = check_case(case_dir, &seal, &rep);
        if (r == -ENOMEM) {
            ss_cli_error("verify: out of memory");
            goto out;
        }
        if (r < 0) {
            print_report(&rep, verbose);
            ret = SS_EXIT_INPUT;
            goto out;
        }
    }
    print_report(&rep, verbose);
    if (rep.n_fail > 0) {
        printf("verification FAILED: %zu problem%s in '%s'\n", rep.n_fail,
               rep.n_fail == 1 ? "" : "s", out_dir);
        ret = SS_EXIT_FAIL;
        goto out;
    }
    printf("verified: %zu inputs, %zu findings; %s; inputs_root and findings_root "
           "recomputed%s",
           seal.n_inputs, seal.n_findings,
           !seal.is_signed ? "sealed but UNSIGNED"
           : seal.signature_ok
               ? (seal.key_from_dir ? "signature valid (key from OUT)" : "signature valid")
               : "signature NOT checked (no key)",
           case_dir != NULL ? "; inputs re-hashed and evidence re-extracted" : "");
    if (seal.log_size > 0)
        printf("; case log of %" PRIu64 " review%s consistent", seal.log_size,
               seal.log_size == 1 ? "" : "s");
    printf("\n");
    ret = SS_EXIT_OK;
out:
    ss_seal_release(&seal);
    ss_verify_report_release(&rep);
    return ret;
}
