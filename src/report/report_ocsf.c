/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report/report_ocsf.c - findings.ocsf.jsonl: one OCSF 1.3.0 finding per line, Detection
 * Finding (2004) or Compliance Finding (2003), in canonical order, with a fixed key order
 * so that the same store always gives the same bytes. The mapping is in docs/report.md.
 */
#include "report/report.h"

#include "report/report_int.h"

/* Line builder with a sticky error, so a line reads as a list of appends. */
struct line {
    struct ss_buf *b;
    int err;
};

static void put(struct line *l, const char *s)
{
    if (l->err == 0)
        l->err = ss_buf_puts(l->b, s);
}

static void put_str(struct line *l, const char *s)
{
    if (l->err == 0)
        l->err = ss_report_json_str(l->b, s, strlen(s));
}

static void put_strn(struct line *l, const char *s, size_t n)
{
    if (l->err == 0)
        l->err = ss_report_json_str(l->b, s, n);
}

static void put_i64(struct line *l, int64_t v)
{
    if (l->err == 0)
        l->err = ss_buf_put_i64(l->b, v);
}

static void put_u64(struct line *l, uint64_t v)
{
    if (l->err == 0)
        l->err = ss_buf_put_u64(l->b, v);
}

/* OCSF timestamp_t: epoch milliseconds, rounded toward minus infinity. */
static int64_t to_ms(int64_t us)
{
    return us >= 0 ? us / 1000 : -((-us + 999) / 1000);
}

static const char *const severity_caption[SS_SEV__COUNT] = {
    [SS_SEV_INFO] = "Informational", [SS_SEV_LOW] = "Low",           [SS_SEV_MEDIUM] = "Medium",
    [SS_SEV_HIGH] = "High",          [SS_SEV_CRITICAL] = "Critical",
};

/* The check family used as finding_info.types[0]: "sigma", or the first dotted part. */
static size_t check_family(const char *check_id, const char **ret)
{
    if (strncmp(check_id, "sigma:", 6) == 0) {
        *ret = "sigma";
        return 5;
    }
    *ret = check_id;
    return strcspn(check_id, ".:");
}

static bool ieq_prefix(const char *s, const char *prefix)
{
    for (; *prefix != '\0'; s++, prefix++) {
        char c = *s;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != *prefix)
            return false;
    }
    return true;
}

/* Cloud provider (and account, when the id names one) from one entity id. */
static const char *entity_cloud(const char *e, const char **ret_acct, size_t *ret_acct_len)
{
    char type[64];

    *ret_acct = NULL;
    *ret_acct_len = 0;
    if (ieq_prefix(e, "/subscriptions/")) {
        *ret_acct = e + 15;
        *ret_acct_len = strcspn(e + 15, "/");
        return "Azure";
    }
    if (ieq_prefix(e, "/providers/") || ieq_prefix(e, "/tenants/"))
        return "Azure";
    if (strncmp(e, "arn:", 4) == 0) {
        /* arn:partition:service:region:account:resource */
        const char *p = e;
        for (int field = 0; field < 4 && p != NULL; field++) {
            p = strchr(p, ':');
            if (p != NULL)
                p++;
        }
        if (p != NULL) {
            *ret_acct = p;
            *ret_acct_len = strcspn(p, ":");
        }
        return "AWS";
    }
    if (strncmp(e, "projects/", 9) == 0) {
        *ret_acct = e + 9;
        *ret_acct_len = strcspn(e + 9, "/");
        return "GCP";
    }
    if (strncmp(e, "//", 2) == 0) {
        const char *p = strstr(e, "/projects/");
        if (p != NULL) {
            *ret_acct = p + 10;
            *ret_acct_len = strcspn(p + 10, "/");
        }
        return "GCP";
    }
    if (strcmp(ss_store_entity_type(e, type, sizeof(type)), "guid") == 0)
        return "Azure";
    return NULL;
}

static void put_cloud(struct line *l, const struct ss_finding *f)
{
    const char *provider = NULL, *acct = NULL;
    size_t acct_len = 0;

    /* The first entity that names a provider decides; an account only from that one. */
    for (size_t i = 0; i < f->n_entities && provider == NULL; i++)
        provider = entity_cloud(f->entities[i], &acct, &acct_len);
    put(l, ",\"cloud\":{\"provider\":");
    put_str(l, provider != NULL ? provider : "Unknown");
    if (acct != NULL && acct_len > 0) {
        put(l, ",\"account\":{\"uid\":");
        put_strn(l, acct, acct_len);
        put(l, "}");
    }
    put(l, "}");
}

static void put_evidence_item(struct line *l, const struct ss_store_finding *sf, size_t i)
{
    static const uint8_t zero[32];
    const struct ss_evidence *ev = &sf->f.evidence[i];
    char hex[65];

    put(l, "{\"data\":{\"input\":");
    put_str(l, sf->ev_relpath[i] != NULL ? sf->ev_relpath[i] : "");
    put(l, ",\"input_index\":");
    put_u64(l, ev->loc.input);
    put(l, ",\"offset\":");
    put_u64(l, ev->loc.offset);
    put(l, ",\"length\":");
    put_u64(l, ev->loc.len);
    put(l, ",\"rec_index\":");
    put_u64(l, ev->loc.index);
    if (memcmp(ev->sha256, zero, sizeof(zero)) != 0) {
        ss_hex_encode(ev->sha256, 32, hex);
        put(l, ",\"sha256\":\"");
        put(l, hex);
        put(l, "\"");
    }
    put(l, "}}");
}

static void put_evidences(struct line *l, const struct ss_store_finding *sf, size_t n)
{
    put(l, "[");
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            put(l, ",");
        put_evidence_item(l, sf, i);
    }
    put(l, "]");
}

/* finding_info.data_sources: the distinct input paths of the evidence, in order. */
static void put_data_sources(struct line *l, const struct ss_store_finding *sf)
{
    const char *prev = NULL;
    bool any = false;

    for (size_t i = 0; i < sf->f.n_evidence; i++) {
        const char *p = sf->ev_relpath[i];
        if (p == NULL || (prev != NULL && strcmp(p, prev) == 0))
            continue;
        put(l, any ? "," : ",\"data_sources\":[");
        put_str(l, p);
        prev = p;
        any = true;
    }
    if (any)
        put(l, "]");
}

int ss_report_ocsf_line(struct ss_buf *b, const struct ss_store_run *run, const char *check_title,
                        const struct ss_store_finding *sf)
{
    const struct ss_finding *f = &sf->f;
    const bool compliance = (sf->flags & SS_STORE_FINDING_COMPLIANCE) != 0;
    const int class_uid = compliance ? 2003 : 2004;
    const size_t n_ev = SS_MIN(f->n_evidence, (size_t)SS_REPORT_OCSF_MAX_EVIDENCE);
    const size_t start = b->len;
    struct line l = { .b = b };
    const char *family;
    size_t family_len;

    if (f->severity < SS_SEV_INFO || f->severity > SS_SEV_CRITICAL)
        return -EINVAL;
    put(&l, "{\"activity_id\":1,\"activity_name\":\"Create\",\"category_uid\":2,"
            "\"category_name\":\"Findings\",\"class_uid\":");
    put_i64(&l, class_uid);
    put(&l, compliance ? ",\"class_name\":\"Compliance Finding\",\"type_uid\":"
                       : ",\"class_name\":\"Detection Finding\",\"type_uid\":");
    put_i64(&l, class_uid * 100 + 1);
    put(&l, compliance ? ",\"type_name\":\"Compliance Finding: Create\",\"time\":"
                       : ",\"type_name\":\"Detection Finding: Create\",\"time\":");
    put_i64(&l, to_ms(run->finished_us));
    put(&l, ",\"severity_id\":");
    put_i64(&l, (int64_t)f->severity);
    put(&l, ",\"severity\":\"");
    put(&l, severity_caption[f->severity]);
    put(&l, "\",\"status_id\":1,\"status\":\"New\",\"message\":");
    put_str(&l, f->title);
    put(&l, ",\"metadata\":{\"version\":\"" SS_REPORT_OCSF_VERSION "\",\"product\":{"
            "\"name\":\"siloscope\",\"vendor_name\":\"siloscope\",\"version\":");
    put_str(&l, run->tool_version);
    put(&l, "},\"profiles\":[\"cloud\"]}");
    put_cloud(&l, f);

    put(&l, ",\"finding_info\":{\"uid\":");
    put_str(&l, sf->uid);
    put(&l, ",\"title\":");
    put_str(&l, f->title);
    if (f->desc != NULL && f->desc[0] != '\0') {
        put(&l, ",\"desc\":");
        put_str(&l, f->desc);
    }
    family_len = check_family(f->check_id, &family);
    put(&l, ",\"types\":[");
    put_strn(&l, family, family_len);
    put(&l, "]");
    if (f->first_us != 0) {
        put(&l, ",\"first_seen_time\":");
        put_i64(&l, to_ms(f->first_us));
    }
    if (f->last_us != 0) {
        put(&l, ",\"last_seen_time\":");
        put_i64(&l, to_ms(f->last_us));
    }
    put(&l, ",\"analytic\":{\"uid\":");
    put_str(&l, f->check_id);
    put(&l, ",\"name\":");
    put_str(&l, check_title != NULL && check_title[0] != '\0' ? check_title : f->check_id);
    put(&l, ",\"type_id\":1,\"type\":\"Rule\"}");
    put_data_sources(&l, sf);
    put(&l, "}");

    if (f->n_entities > 0) {
        put(&l, ",\"resources\":[");
        for (size_t i = 0; i < f->n_entities; i++) {
            put(&l, i > 0 ? ",{\"uid\":" : "{\"uid\":");
            put_str(&l, f->entities[i]);
            put(&l, ",\"type\":");
            put_str(&l, sf->entity_types != NULL ? sf->entity_types[i] : "other");
            put(&l, "}");
        }
        put(&l, "]");
    }
    if (compliance) {
        put(&l, ",\"compliance\":{\"standards\":[");
        put_str(&l, run->policy_name != NULL && run->policy_name[0] != '\0'
                        ? run->policy_name
                        : "siloscope review policy");
        put(&l, "],\"control\":");
        put_str(&l, f->check_id);
        put(&l, ",\"status_id\":3,\"status\":\"Fail\"}");
    } else if (n_ev > 0) {
        put(&l, ",\"evidences\":");
        put_evidences(&l, sf, n_ev);
    }
    if (f->first_us != 0) {
        put(&l, ",\"start_time\":");
        put_i64(&l, to_ms(f->first_us));
    }
    if (f->last_us != 0) {
        put(&l, ",\"end_time\":");
        put_i64(&l, to_ms(f->last_us));
    }

    /* unmapped: the full evidence count, the compliance evidence (OCSF 1.3.0 has no
     * evidences attribute in class 2003), and the check's extra data. */
    put(&l, ",\"unmapped\":{\"evidence_total\":");
    put_u64(&l, f->n_evidence_total);
    put(&l, ",\"evidence_in_event\":");
    put_u64(&l, n_ev);
    if (compliance && n_ev > 0) {
        put(&l, ",\"evidences\":");
        put_evidences(&l, sf, n_ev);
    }
    if (f->data_json != NULL) {
        /* The store hands out data_json checked and minified by SQLite; only invalid
         * UTF-8 inside its strings could remain, so copy it through that filter. */
        const unsigned char *p = (const unsigned char *)f->data_json;
        const size_t len = strlen(f->data_json);
        put(&l, ",\"data\":");
        for (size_t i = 0; i < len && l.err == 0;) {
            uint32_t cp;
            const size_t n = ss_utf8_decode(p + i, len - i, &cp);
            if (n == 0) {
                put(&l, "\\ufffd");
                i++;
            } else {
                l.err = ss_buf_append(b, f->data_json + i, n);
                i += n;
            }
        }
    }
    put(&l, "}}\n");
    if (l.err < 0)
        ss_buf_truncate(b, start);
    return l.err;
}

struct ocsf_ctx {
    struct ss_report_out *out;
    const struct ss_store_run *run;
    const struct ss_report_checks *checks;
    struct ss_buf line;
};

static int ocsf_one(void *vctx, const struct ss_store_finding *sf)
{
    struct ocsf_ctx *ctx = vctx;
    const struct ss_store_check *ck = ss_report_checks_find(ctx->checks, sf->f.check_id);
    int r;

    ss_buf_reset(&ctx->line);
    r = ss_report_ocsf_line(&ctx->line, ctx->run, ck != NULL ? ck->title : NULL, sf);
    if (r < 0)
        return ss_report_out_fail(ctx->out, r);
    ss_report_out_buf(ctx->out, &ctx->line);
    return ctx->out->err;
}

int ss_report_ocsf(struct ss_store *st, const char *path, struct ss_diag *reterr_diag)
{
    struct ss_report_checks checks = { 0 };
    struct ss_report_out out;
    struct ss_store_run run;
    struct ss_arena a;
    struct ocsf_ctx ctx = { .line = SS_BUF_INIT(SS_REPORT_OUT_MAX) };
    int r;

    ss_arena_init(&a, (size_t)64 << 20);
    r = ss_store_get_run(st, &a, &run, reterr_diag);
    if (r == 0)
        r = ss_report_checks_load(&checks, st, reterr_diag);
    if (r < 0)
        goto out;
    r = ss_report_out_open(&out, path, reterr_diag);
    if (r < 0)
        goto out;
    ctx.out = &out;
    ctx.run = &run;
    ctx.checks = &checks;
    r = ss_store_each_finding(st, 0, ocsf_one, &ctx, reterr_diag);
    (void)ss_report_out_keep(&out, r);
    r = ss_report_out_close(&out);
out:
    ss_buf_release(&ctx.line);
    ss_report_checks_release(&checks);
    ss_arena_release(&a);
    return r;
}
