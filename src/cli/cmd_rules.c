/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/cmd_rules.c - implements `siloscope rules check`: load Sigma rules from files and
 * directories, compile them with the mappings, and print the load report: every rule
 * loaded (with the input kinds it is routed to), every document rejected with its exact
 * reason and location, legacy syntax that was translated, and the features that are
 * not supported or not routed. Output format: docs/sigma.md "Load report".
 */
#include "cli/cli.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/diag.h"
#include "core/pool.h"
#include "io/io.h"
#include "sigma/sigma.h"

#define RULES_MAX_INPUTS 256

static const char rules_help[] =
    "usage: siloscope rules check [--mapping FILE]... [--placeholders FILE]...\n"
    "                             [--json] [--rejected-only] RULES...\n"
    "\n"
    "Load the Sigma rules in every RULES file or directory (*.yml and *.yaml, recursive),\n"
    "compile them with the shipped and the given mappings, and print the load report:\n"
    "the rules loaded and the input kinds they are routed to, the documents rejected\n"
    "(file:line:column and the exact reason), legacy syntax that was translated, and\n"
    "features that are not supported or rules that no mapping routes.\n"
    "\n"
    "options:\n"
    "      --mapping FILE       add a field mapping (docs/sigma.md \"Mappings\"); repeatable\n"
    "      --placeholders FILE  values for %placeholders% of the 'expand' modifier\n"
    "      --json               one JSON object per document, then a summary object\n"
    "      --rejected-only      list only rejected documents and notes (text output)\n"
    "  -h, --help               show this help\n"
    "\n"
    "Exit codes: 0 every document loaded, 1 some document was rejected, 2 usage error,\n"
    "3 unreadable rules, mapping or placeholder file, 4 internal error.\n";

static const char *const kind_words[SS_SIGMA_DOC__COUNT] = { "rule", "correlation", "filter",
                                                             "other" };
static const char *const note_words[SS_SIGMA_NOTE__COUNT] = { "warning", "translated",
                                                              "unsupported", "unrouted" };

struct rules_opts {
    const char *maps[RULES_MAX_INPUTS];
    size_t n_maps;
    const char *phs[RULES_MAX_INPUTS];
    size_t n_phs;
    bool json;
    bool rejected_only;
};

static void put_json_str(struct ss_buf *b, const char *s, int *r)
{
    if (*r == 0)
        *r = s ? ss_buf_put_json_str(b, s, strlen(s)) : ss_buf_puts(b, "null");
}

static int print_json(const struct ss_sigma_ruleset *rs, const struct ss_sigma_entry *e)
{
    struct ss_buf b = SS_BUF_INIT((size_t)16 << 20);
    int r = ss_buf_puts(&b, "{\"file\":");

    put_json_str(&b, e->file, &r);
    if (r == 0)
        r = ss_buf_printf(&b,
                          ",\"doc\":%" PRIu32 ",\"line\":%" PRIu32 ",\"column\":%" PRIu32
                          ",\"kind\":\"%s\",\"status\":\"%s\",\"id\":",
                          e->doc, e->line, e->column, kind_words[e->kind],
                          e->status == SS_SIGMA_LOADED ? "loaded" : "rejected");
    put_json_str(&b, e->id, &r);
    if (r == 0)
        r = ss_buf_puts(&b, ",\"title\":");
    put_json_str(&b, e->title, &r);
    if (e->status == SS_SIGMA_REJECTED) {
        if (r == 0)
            r = ss_buf_puts(&b, ",\"reason\":");
        put_json_str(&b, e->reason, &r);
    }
    if (e->rule >= 0) {
        struct ss_sigma_rule_info ri;

        ss_sigma_rule_info(rs, (size_t)e->rule, &ri);
        if (r == 0)
            r = ss_buf_printf(&b, ",\"level\":\"%s\",\"emits\":%s,\"kinds\":[", ri.level,
                              ri.emits ? "true" : "false");
        for (size_t k = 0; r == 0 && k < ri.n_kinds && k < 16; k++) {
            if (k > 0)
                r = ss_buf_putc(&b, ',');
            put_json_str(&b, ri.kinds[k], &r);
        }
        if (r == 0)
            r = ss_buf_putc(&b, ']');
    }
    if (r == 0)
        r = ss_buf_puts(&b, ",\"notes\":[");
    for (size_t i = 0; r == 0 && i < e->n_notes; i++) {
        const struct ss_sigma_note *n = &e->notes[i];

        r = ss_buf_printf(&b,
                          "%s{\"kind\":\"%s\",\"line\":%" PRIu32 ",\"column\":%" PRIu32 ",\"msg\":",
                          i ? "," : "", note_words[n->kind], n->line, n->column);
        put_json_str(&b, n->msg, &r);
        if (r == 0)
            r = ss_buf_putc(&b, '}');
    }
    if (r == 0)
        r = ss_buf_puts(&b, "]}\n");
    if (r == 0 && fwrite(b.ptr, 1, b.len, stdout) != b.len)
        r = -EIO;
    ss_buf_release(&b);
    return r;
}

static void print_text(const struct ss_sigma_ruleset *rs, const struct ss_sigma_entry *e,
                       bool rejected_only)
{
    if (e->status == SS_SIGMA_REJECTED) {
        printf("rejected  %s:%" PRIu32 ":%" PRIu32 "  %s%s%s%s\n", e->file, e->line, e->column,
               e->title ? "'" : "", e->title ? e->title : "", e->title ? "': " : "", e->reason);
    } else if (!rejected_only && e->rule >= 0) {
        struct ss_sigma_rule_info ri;

        ss_sigma_rule_info(rs, (size_t)e->rule, &ri);
        printf("loaded    %s:%" PRIu32 "  %s%s  %s  '%s'  [", e->file, e->line,
               ri.is_correlation ? "correlation " : "", ri.id, ri.level, ri.title);
        for (size_t k = 0; k < ri.n_kinds && k < 16; k++)
            printf("%s%s", k ? " " : "", ri.kinds[k]);
        printf("]\n");
    } else if (!rejected_only) {
        printf("loaded    %s:%" PRIu32 "  (%s)\n", e->file, e->line, kind_words[e->kind]);
    }
    for (size_t i = 0; i < e->n_notes; i++) {
        const struct ss_sigma_note *n = &e->notes[i];

        if (rejected_only && n->kind == SS_SIGMA_NOTE_WARNING)
            continue;
        if (n->line != 0)
            printf("          %s: %s (%s:%" PRIu32 ":%" PRIu32 ")\n", note_words[n->kind], n->msg,
                   e->file, n->line, n->column);
        else
            printf("          %s: %s\n", note_words[n->kind], n->msg);
    }
}

static int load_all(struct ss_sigma_ruleset *rs, const struct rules_opts *o, char **paths,
                    size_t n_paths)
{
    struct ss_diag d;
    int r = 0;

    ss_diag_clear(&d);
    for (size_t i = 0; i < o->n_maps && r == 0; i++) {
        r = ss_sigma_mapping_load(rs, o->maps[i], &d);
        if (r < 0) {
            char msg[SS_DIAG_FILE_MAX + SS_DIAG_MSG_MAX + 64];

            ss_diag_format(&d, msg, sizeof(msg));
            ss_cli_error("bad mapping: %s", msg);
        }
    }
    for (size_t i = 0; i < o->n_phs && r == 0; i++) {
        r = ss_sigma_placeholders_load(rs, o->phs[i], &d);
        if (r < 0) {
            char msg[SS_DIAG_FILE_MAX + SS_DIAG_MSG_MAX + 64];

            ss_diag_format(&d, msg, sizeof(msg));
            ss_cli_error("bad placeholders: %s", msg);
        }
    }
    for (size_t i = 0; i < n_paths && r == 0; i++) {
        r = ss_sigma_load_path(rs, paths[i], &d);
        if (r < 0) {
            char msg[SS_DIAG_FILE_MAX + SS_DIAG_MSG_MAX + 64];

            ss_diag_format(&d, msg, sizeof(msg));
            ss_cli_error("cannot load rules: %s", msg);
        }
    }
    if (r == 0) {
        r = ss_sigma_compile(rs, &d);
        if (r < 0) {
            char msg[SS_DIAG_FILE_MAX + SS_DIAG_MSG_MAX + 64];

            ss_diag_format(&d, msg, sizeof(msg));
            ss_cli_error("cannot compile rules: %s", msg[0] ? msg : ss_strerror(r));
        } else {
            (void)ss_cli_warn_unknown_kinds(rs);
        }
    }
    return r;
}

size_t ss_cli_warn_unknown_kinds(const struct ss_sigma_ruleset *rs)
{
    size_t n = 0;

    for (size_t slot = 0; slot < ss_sigma_source_count(rs); slot++) {
        const char *kind = ss_sigma_source_kind(rs, slot);
        bool known = false;

        for (int k = 0; k < SS_KIND__COUNT && !known; k++)
            known = strcmp(kind, ss_input_kind_name((enum ss_input_kind)k)) == 0;
        if (!known) {
            n++;
            ss_cli_warn("a mapping routes rules to input kind '%s', which no input has: they "
                        "never run there (kinds: see docs/io.md)",
                        kind);
        }
    }
    return n;
}

int ss_cli_max_memory(struct ss_args *a, const char *v, struct ss_sigma_keep *k)
{
    uint64_t n;

    if (ss_args_u64(a, "--max-memory", v, &n) != 0)
        return -1;
    if (n == 0 || n > SS_SIGMA_MAX_BUDGET) {
        ss_cli_error("%s: --max-memory must be between 1 and 1T bytes", a->cmd);
        a->bad = true;
        return -1;
    }
    k->max = n;
    return 0;
}

static int rules_check(int argc, char **argv)
{
    struct rules_opts o = { 0 };
    struct ss_args a;
    struct ss_sigma_ruleset *rs = NULL;
    size_t n_loaded = 0, n_rejected = 0, n_rules = 0, n_corr = 0, n_filters = 0;
    size_t n_note[SS_SIGMA_NOTE__COUNT] = { 0 }, n_unrouted_rules = 0;
    int code = SS_EXIT_OK, r;

    ss_args_init(&a, argc, argv);
    while (ss_args_next(&a)) {
        const char *v = NULL;

        if (ss_args_help(&a)) {
            fputs(rules_help, stdout);
            return SS_EXIT_OK;
        } else if (ss_args_flag(&a, "json", 0)) {
            o.json = true;
        } else if (ss_args_flag(&a, "rejected-only", 0)) {
            o.rejected_only = true;
        } else if (ss_args_value(&a, "mapping", 0, &v)) {
            if (v != NULL && o.n_maps < RULES_MAX_INPUTS)
                o.maps[o.n_maps++] = v;
        } else if (ss_args_value(&a, "placeholders", 0, &v)) {
            if (v != NULL && o.n_phs < RULES_MAX_INPUTS)
                o.phs[o.n_phs++] = v;
        } else {
            return ss_args_unknown(&a);
        }
    }
    if (a.bad)
        return SS_EXIT_USAGE;
    if (a.n_pos == 0) {
        ss_cli_error("rules check: missing RULES (see 'siloscope rules --help')");
        return SS_EXIT_USAGE;
    }
    rs = ss_sigma_ruleset_new(0);
    if (rs == NULL) {
        ss_cli_error("out of memory");
        return SS_EXIT_INTERNAL;
    }
    ss_sigma_ruleset_set_threads(rs, ss_pool_default_threads());
    r = load_all(rs, &o, a.pos, a.n_pos);
    if (r < 0) {
        code = ss_cli_exit_for(r);
        goto out;
    }
    for (size_t i = 0; i < ss_sigma_report_len(rs); i++) {
        const struct ss_sigma_entry *e = ss_sigma_report_at(rs, i);
        bool unrouted = false;

        if (e->status == SS_SIGMA_LOADED) {
            n_loaded++;
            n_rules += e->kind == SS_SIGMA_DOC_RULE;
            n_corr += e->kind == SS_SIGMA_DOC_CORRELATION;
            n_filters += e->kind == SS_SIGMA_DOC_FILTER;
        } else {
            n_rejected++;
        }
        for (size_t k = 0; k < e->n_notes; k++) {
            n_note[e->notes[k].kind]++;
            unrouted = unrouted || e->notes[k].kind == SS_SIGMA_NOTE_UNROUTED;
        }
        n_unrouted_rules += unrouted;
        if (o.json)
            r = print_json(rs, e);
        else
            print_text(rs, e, o.rejected_only);
        if (r < 0)
            break;
    }
    if (r == 0 && o.json)
        printf("{\"summary\":{\"documents\":%zu,\"loaded\":%zu,\"rejected\":%zu,\"rules\":%zu,"
               "\"correlations\":%zu,\"filters\":%zu,\"warnings\":%zu,\"translated\":%zu,"
               "\"unsupported\":%zu,\"unrouted\":%zu}}\n",
               n_loaded + n_rejected, n_loaded, n_rejected, n_rules, n_corr, n_filters,
               n_note[SS_SIGMA_NOTE_WARNING], n_note[SS_SIGMA_NOTE_TRANSLATED],
               n_note[SS_SIGMA_NOTE_UNSUPPORTED], n_unrouted_rules);
    else if (r == 0)
        printf("\n%zu documents: %zu loaded (%zu rules, %zu correlations, %zu filters), "
               "%zu rejected; %zu warnings, %zu translated, %zu unsupported features, "
               "%zu not routed to any input kind\n",
               n_loaded + n_rejected, n_loaded, n_rules, n_corr, n_filters, n_rejected,
               n_note[SS_SIGMA_NOTE_WARNING], n_note[SS_SIGMA_NOTE_TRANSLATED],
               n_note[SS_SIGMA_NOTE_UNSUPPORTED], n_unrouted_rules);
    if (fflush(stdout) != 0 || ferror(stdout) || r < 0) {
        ss_cli_error("cannot write the output: %s", strerror(errno));
        code = SS_EXIT_INTERNAL;
    } else if (n_rejected > 0) {
        code = SS_EXIT_FAIL;
    }
out:
    ss_sigma_ruleset_free(rs);
    return code;
}

int ss_cmd_rules(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "check") == 0)
        return rules_check(argc - 1, argv + 1);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(rules_help, stdout);
        return SS_EXIT_OK;
    }
    ss_cli_error("rules: expected 'check' (see 'siloscope rules --help')");
    return SS_EXIT_USAGE;
}
