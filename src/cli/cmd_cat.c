/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli/cmd_cat.c - implements `siloscope cat`: decode inputs (files, or directories read
 * like a case) and print their records as JSON lines: each record's exact bytes, or
 * with --fields an object of extracted raw values, optionally with its location. The
 * output format is specified in docs/io.md "siloscope cat".
 */
#include "cli/cli.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/diag.h"
#include "io/io.h"
#include "json/json.h"

#include <sys/stat.h>

#define CAT_FLUSH_BYTES ((size_t)1 << 20)
#define CAT_MAX_FIELDS 256
#define CAT_OUT_MAX ((size_t)1 << 30)

struct cat {
    bool strict;
    bool with_loc;
    const char *fields_spec;
    struct ss_json_pathset *fields;
    const char *field_names[CAT_MAX_FIELDS]; /* borrowed from argv */
    size_t field_lens[CAT_MAX_FIELDS];
    size_t n_fields;
    struct ss_json_val *vals;
    struct ss_buf out;
    int exit_code;
    bool stop;
};

static const char cat_help[] =
    "usage: siloscope cat [--strict] [--fields PATHS] [--with-location] INPUT...\n"
    "\n"
    "Decode every INPUT (a file, or a directory read like a case: sorted, sniffed by\n"
    "content; gzip and zstd are decompressed) and print its records as JSON lines: the\n"
    "exact bytes of each record, one per line (line breaks inside a pretty-printed\n"
    "record, which JSON allows only as whitespace, are printed as spaces).\n"
    "\n"
    "options:\n"
    "      --strict          stop at the first invalid record or damaged stream\n"
    "      --fields PATHS    print one object per record with these comma-separated\n"
    "                        JSON paths as keys and their raw values (missing: null),\n"
    "                        e.g. --fields eventName,userIdentity.arn\n"
    "      --with-location   start each line with the record's location:\n"
    "                        {\"_loc\":{\"file\":...,\"input\":N,\"offset\":N,\"length\":N,\n"
    "                        \"index\":N,\"line\":N},\"record\":RECORD} (or the fields)\n"
    "  -h, --help            show this help\n"
    "\n"
    "Bad records are reported on stderr ('FILE: offset N, line L: reason') and skipped.\n"
    "Exit codes: 0 ok, 2 usage error, 3 missing or unreadable input (or, with --strict,\n"
    "an invalid record), 4 cannot write the output.\n";

static int flush_out(struct cat *ct)
{
    if (ct->out.len > 0 && fwrite(ct->out.ptr, 1, ct->out.len, stdout) != ct->out.len)
        return -EIO;
    ss_buf_reset(&ct->out);
    return 0;
}

/* Split @spec on commas outside double-quoted segments and compile each path. */
static int parse_fields(struct cat *ct, const char *spec)
{
    size_t start = 0, i = 0, n = strlen(spec);
    bool in_q = false;

    ct->fields = ss_json_pathset_new();
    if (ct->fields == NULL)
        return -ENOMEM;
    for (;;) {
        if (i < n && in_q && spec[i] == '\\' && i + 1 < n) {
            i += 2;
            continue;
        }
        if (i < n && spec[i] == '"')
            in_q = !in_q;
        if (i == n || (spec[i] == ',' && !in_q)) {
            struct ss_json_path *path;
            struct ss_diag d;
            size_t slot;
            int r;

            if (ct->n_fields == CAT_MAX_FIELDS) {
                ss_cli_error("cat: too many --fields (at most %d)", CAT_MAX_FIELDS);
                return SS_ELIMIT;
            }
            r = ss_json_path_parse(spec + start, i - start, &path, &d);
            if (r < 0) {
                ss_cli_error("cat: bad field path '%.*s': %s", (int)(i - start), spec + start,
                             d.msg);
                return r;
            }
            r = ss_json_pathset_add(ct->fields, path, &slot);
            if (r < 0) {
                ss_json_path_free(path);
                ss_cli_error("cat: cannot add field path: %s", ss_strerror(r));
                return r;
            }
            ct->field_names[ct->n_fields] = spec + start;
            ct->field_lens[ct->n_fields] = i - start;
            ct->n_fields++;
            if (i == n)
                break;
            start = i + 1;
        }
        i++;
    }
    ct->vals = ss_calloc(ct->n_fields, sizeof(*ct->vals));
    return ct->vals == NULL ? -ENOMEM : 0;
}

/*
 * Append @n bytes at @p on one line. A valid record can hold CR and LF only as
 * whitespace between tokens (never inside strings), so they become spaces: the text
 * stays valid JSON of the same length, and every other byte is unchanged.
 */
static int put_oneline(struct cat *ct, const char *p, size_t n)
{
    size_t at = ct->out.len;
    int r = ss_buf_append(&ct->out, p, n);

    if (r < 0)
        return r;
    for (char *q = ct->out.ptr + at; q < ct->out.ptr + ct->out.len; q++)
        if (*q == '\n' || *q == '\r')
            *q = ' ';
    return 0;
}

static int put_loc(struct cat *ct, const char *file, const struct ss_record *rec, uint64_t line)
{
    int r = ss_buf_puts(&ct->out, "{\"_loc\":{\"file\":");

    if (r == 0)
        r = ss_buf_put_json_str(&ct->out, file, strlen(file));
    if (r == 0)
        r = ss_buf_printf(&ct->out,
                          ",\"input\":%" PRIu32 ",\"offset\":%" PRIu64 ",\"length\":%" PRIu64
                          ",\"index\":%" PRIu64 ",\"line\":%" PRIu64 "}",
                          rec->loc.input, rec->loc.offset, rec->loc.len, rec->loc.index, line);
    return r;
}

static int put_fields(struct cat *ct, const struct ss_record *rec, bool first)
{
    int r = 0;

    if (ss_json_extract(ct->fields, rec->ptr, rec->len, ct->vals) != 0) {
        for (size_t i = 0; i < ct->n_fields; i++)
            ct->vals[i].type = SS_JSON_MISSING;
    }
    for (size_t i = 0; i < ct->n_fields && r == 0; i++) {
        const struct ss_json_val *v = &ct->vals[i];

        if (!first || i > 0)
            r = ss_buf_putc(&ct->out, ',');
        if (r == 0)
            r = ss_buf_put_json_str(&ct->out, ct->field_names[i], ct->field_lens[i]);
        if (r == 0)
            r = ss_buf_putc(&ct->out, ':');
        if (r == 0) {
            if (v->type == SS_JSON_MISSING)
                r = ss_buf_puts(&ct->out, "null");
            else
                r = put_oneline(ct, v->ptr, v->len);
        }
    }
    return r;
}

static int print_record(struct cat *ct, const char *file, const struct ss_record *rec,
                        uint64_t line)
{
    int r = 0;

    if (ct->out.len >= CAT_FLUSH_BYTES || ct->out.len + rec->len > CAT_FLUSH_BYTES) {
        r = flush_out(ct);
        if (r < 0)
            return r;
    }
    if (ct->n_fields == 0 && !ct->with_loc) {
        r = put_oneline(ct, rec->ptr, rec->len);
        return r == 0 ? ss_buf_putc(&ct->out, '\n') : r;
    }
    if (ct->with_loc) {
        r = put_loc(ct, file, rec, line);
        if (r == 0 && ct->n_fields == 0) {
            r = ss_buf_puts(&ct->out, ",\"record\":");
            if (r == 0)
                r = put_oneline(ct, rec->ptr, rec->len);
        } else if (r == 0) {
            r = put_fields(ct, rec, false);
        }
    } else {
        r = ss_buf_putc(&ct->out, '{');
        if (r == 0)
            r = put_fields(ct, rec, true);
    }
    if (r == 0)
        r = ss_buf_puts(&ct->out, "}\n");
    return r;
}

/* Report a bad record or damaged stream: a warning, or under --strict an error. */
static void report_bad(struct cat *ct, const char *file, const struct ss_diag *d, int err)
{
    char where[64];

    if (d->line > 0)
        (void)snprintf(where, sizeof(where), "offset %" PRIu64 ", line %" PRIu64, d->offset,
                       d->line);
    else if (d->offset != UINT64_MAX)
        (void)snprintf(where, sizeof(where), "offset %" PRIu64, d->offset);
    else
        where[0] = '\0';
    if (ct->strict) {
        ss_cli_error("%s: %s%s%s", file, where, where[0] != '\0' ? ": " : "",
                     d->code != 0 ? d->msg : ss_strerror(err));
        ct->exit_code = SS_EXIT_INPUT;
        ct->stop = true;
    } else {
        ss_cli_warn("%s: %s%s%s", file, where, where[0] != '\0' ? ": " : "",
                    d->code != 0 ? d->msg : ss_strerror(err));
    }
}

static void cat_input(struct cat *ct, const struct ss_case *c, uint32_t index)
{
    const char *file = c->inputs[index].path;
    struct ss_reader *rd = NULL;
    struct ss_diag d;
    int r;

    ss_diag_clear(&d);
    r = ss_reader_open(c, index, NULL, NULL, NULL, &rd, &d);
    if (r < 0) {
        ss_cli_error("cannot read '%s': %s", file, ss_strerror(r));
        ct->exit_code = r == -ENOMEM ? SS_EXIT_INTERNAL : SS_EXIT_INPUT;
        ct->stop = ct->strict || r == -ENOMEM;
        return;
    }
    for (;;) {
        struct ss_record rec;

        ss_diag_clear(&d);
        r = ss_reader_next(rd, &rec, &d);
        if (r == 0)
            break;
        if (r < 0) {
            if (r == -ENOMEM) {
                ss_cli_error("out of memory reading '%s'", file);
                ct->exit_code = SS_EXIT_INTERNAL;
                ct->stop = true;
                break;
            }
            report_bad(ct, file, &d, r);
            if (ct->stop)
                break;
            continue;
        }
        r = print_record(ct, file, &rec, ss_reader_record_line(rd));
        if (r < 0) {
            ss_cli_error("cannot write the output: %s", ss_strerror(r));
            ct->exit_code = SS_EXIT_INTERNAL;
            ct->stop = true;
            break;
        }
    }
    ss_reader_free(rd);
}

/*
 * Whether an input sniffed as unknown is read anyway: a file named explicitly is, so
 * that its problems are reported with their location (text that is not JSON, a damaged
 * stream), unless reading it could only print noise (binary data, a compression format
 * that is not supported). In a directory, files that are not logs are only mentioned.
 */
static bool read_unknown(const struct ss_input *in, bool explicit_file)
{
    const char *why = in->why_unknown != NULL ? in->why_unknown : "";

    return explicit_file && strcmp(why, "binary data") != 0 && strstr(why, "not supported") == NULL;
}

static void cat_case(struct cat *ct, const struct ss_case *c, bool explicit_file)
{
    for (size_t i = 0; i < c->n_skipped; i++)
        ss_cli_warn("skipping '%s/%s': %s", c->root, c->skipped[i].relpath, c->skipped[i].reason);
    for (size_t i = 0; i < c->n_inputs && !ct->stop; i++) {
        const struct ss_input *in = &c->inputs[i];

        if (in->kind == SS_KIND_UNKNOWN && !read_unknown(in, explicit_file)) {
            const char *why = in->why_unknown != NULL ? in->why_unknown : "not understood";

            if (explicit_file && ct->strict) {
                ss_cli_error("%s: %s", in->path, why);
                ct->exit_code = SS_EXIT_INPUT;
                ct->stop = true;
                break;
            }
            ss_cli_warn("skipping '%s': %s", in->path, why);
            continue;
        }
        cat_input(ct, c, (uint32_t)i);
    }
}

static void cat_arg(struct cat *ct, const char *arg)
{
    struct ss_case c = { 0 };
    struct ss_diag d;
    struct stat st;
    bool is_dir;
    int r;

    ss_diag_clear(&d);
    if (stat(arg, &st) != 0) {
        ss_cli_error("cannot open '%s': %s", arg, strerror(errno));
        ct->exit_code = SS_EXIT_INPUT;
        ct->stop = ct->strict;
        return;
    }
    is_dir = S_ISDIR(st.st_mode);
    r = is_dir ? ss_case_discover(arg, NULL, &c, &d) : ss_case_from_file(arg, NULL, &c, &d);
    if (r < 0) {
        ss_cli_error("cannot read '%s': %s", arg, d.code != 0 ? d.msg : ss_strerror(r));
        ct->exit_code = ss_cli_exit_for(r);
        ct->stop = ct->strict || r == -ENOMEM;
        return;
    }
    cat_case(ct, &c, !is_dir);
    ss_case_release(&c);
}

int ss_cmd_cat(int argc, char **argv)
{
    struct cat ct = { .out = SS_BUF_INIT(CAT_OUT_MAX) };
    struct ss_args a;
    int code;

    ss_args_init(&a, argc, argv);
    while (ss_args_next(&a)) {
        const char *v = NULL;

        if (ss_args_help(&a)) {
            fputs(cat_help, stdout);
            return SS_EXIT_OK;
        } else if (ss_args_flag(&a, "strict", 0)) {
            ct.strict = true;
        } else if (ss_args_flag(&a, "with-location", 0)) {
            ct.with_loc = true;
        } else if (ss_args_value(&a, "fields", 0, &v)) {
            if (v != NULL)
                ct.fields_spec = v;
        } else {
            return ss_args_unknown(&a);
        }
    }
    if (a.bad)
        return SS_EXIT_USAGE;
    if (a.n_pos == 0) {
        ss_cli_error("cat: missing INPUT (see 'siloscope cat --help')");
        return SS_EXIT_USAGE;
    }
    if (ct.fields_spec != NULL) {
        int r = parse_fields(&ct, ct.fields_spec);

        if (r < 0) {
            code = r == -ENOMEM ? SS_EXIT_INTERNAL : SS_EXIT_USAGE;
            goto out;
        }
    }
    for (size_t i = 0; i < a.n_pos && !ct.stop; i++) {
        if (strcmp(a.pos[i], "-") == 0) {
            ss_cli_error("cat: reading standard input is not supported; name a file");
            ct.exit_code = SS_EXIT_USAGE;
            break;
        }
        cat_arg(&ct, a.pos[i]);
    }
    if (flush_out(&ct) < 0 || fflush(stdout) != 0 || ferror(stdout)) {
        ss_cli_error("cannot write the output: %s", strerror(errno));
        ct.exit_code = SS_EXIT_INTERNAL;
    }
    code = ct.exit_code;
out:
    ss_json_pathset_free(ct.fields);
    ss_free(ct.vals);
    ss_buf_release(&ct.out);
    return code;
}
