/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report/report_html.c - report.html: a self-contained report for people, rendered from
 * the store. Sections: header (case, times, tool, seal), summary, findings (severity
 * order, each with entities, time span, description, extra data and evidence), inputs,
 * unreadable input, footer. No scripts and no external resources; every value from the
 * store is escaped with ss_report_html_escape(); numbers and times are formatted here
 * without locale or timezone, so the same store gives the same bytes.
 */
#include "report/report.h"

#include "core/alloc.h"
#include "core/arena.h"
#include "core/ss_time.h"
#include "report/report_int.h"

/* Above this many findings the findings index starts collapsed. */
#define INDEX_OPEN_MAX 200
/* Above this many inputs the full inputs listing starts collapsed. */
#define INPUTS_OPEN_MAX 200
/*
 * Findings shown: the most severe SHOWN_PER_CHECK of each check, SHOWN_MAX in all (a
 * noisy rule over a large case makes a million findings: 1.8 GB of HTML that no browser
 * opens). The rest are counted per check and left to findings.sqlite and OCSF.
 */
#define SHOWN_PER_CHECK 200u
#define SHOWN_MAX 5000u

/* Inputs, loaded once: the inputs table, the unreadable section and bad-record paths. */
struct inputs {
    struct ss_store_input *items; /* by index order as stored; strings in the arena */
    size_t n, cap;
};

struct html {
    struct ss_report_out *o;
    struct ss_arena arena; /* run, inputs */
    struct ss_store_run run;
    struct ss_store_summary sum;
    struct ss_report_checks checks;
    struct inputs in;
    struct ss_buf scratch;
    uint64_t *shown;      /* per check (h->checks order): findings in the index */
    uint64_t n_shown;     /* findings in the index */
    size_t ev_collapsed;  /* collapsed evidence rows written so far */
    size_t excerpt_bytes; /* record text written so far */
};

/* Formatting (all integer arithmetic: no locale) ------------------------------------ */

/* @v with ',' between thousands into @out (at least 28 bytes). */
static const char *fmt_count(uint64_t v, char out[32])
{
    char digits[24];
    const int n = snprintf(digits, sizeof(digits), "%" PRIu64, v);
    size_t k = 0;

    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            out[k++] = ',';
        out[k++] = digits[i];
    }
    out[k] = '\0';
    return out;
}

static void put_count(struct html *h, uint64_t v)
{
    char buf[32];

    ss_report_out_str(h->o, fmt_count(v, buf));
}

/* "1.5 MiB" (one decimal, rounded down) or "123 bytes". */
static void put_bytes_human(struct html *h, uint64_t v)
{
    static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    uint64_t unit = 1024;
    size_t u = 0;

    if (v < 1024) {
        ss_report_out_fmt(h->o, "%" PRIu64 " bytes", v);
        return;
    }
    while (u + 1 < SS_ARRAY_LEN(units) && v / unit >= 1024) {
        unit *= 1024;
        u++;
    }
    ss_report_out_fmt(h->o, "%" PRIu64 ".%" PRIu64 " %s", v / unit, (v % unit) * 10 / unit,
                      units[u]);
}

/* "2024-05-01 11:02:03 UTC", with milliseconds when the time has a fraction. */
static void put_time(struct html *h, int64_t us)
{
    char t[SS_TIME_STR_MAX];
    const size_t n = ss_time_format(us, us % SS_TIME_US_PER_SEC != 0 ? 3 : 0, t);

    if (n >= 11 && t[10] == 'T')
        t[10] = ' ';
    if (n > 0 && t[n - 1] == 'Z')
        t[n - 1] = '\0';
    ss_report_out_fmt(h->o, "<time>%s UTC</time>", t);
}

/* "2 d 3 h 4 min 5 s", "4 min 0 s", "12.345 s". */
static void put_duration(struct html *h, int64_t us)
{
    uint64_t v, s;

    if (us < 0) {
        ss_report_out_str(h->o, "&minus;");
        v = (uint64_t)(-(us + 1)) + 1;
    } else {
        v = (uint64_t)us;
    }
    s = v / 1000000;
    if (s < 60) {
        if (v % 1000000 == 0)
            ss_report_out_fmt(h->o, "%" PRIu64 " s", s);
        else
            ss_report_out_fmt(h->o, "%" PRIu64 ".%03" PRIu64 " s", s, v % 1000000 / 1000);
        return;
    }
    if (s >= 86400)
        ss_report_out_fmt(h->o, "%" PRIu64 " d ", s / 86400);
    if (s >= 3600)
        ss_report_out_fmt(h->o, "%" PRIu64 " h ", s % 86400 / 3600);
    ss_report_out_fmt(h->o, "%" PRIu64 " min %" PRIu64 " s", s % 3600 / 60, s % 60);
}

static const char *const sev_label[SS_SEV__COUNT] = {
    [SS_SEV_INFO] = "Info", [SS_SEV_LOW] = "Low",           [SS_SEV_MEDIUM] = "Medium",
    [SS_SEV_HIGH] = "High", [SS_SEV_CRITICAL] = "Critical",
};

static void put_badge(struct html *h, enum ss_severity s)
{
    if (s < SS_SEV_INFO || s > SS_SEV_CRITICAL) {
        ss_report_out_str(h->o, "<span class=\"muted\">&ndash;</span>");
        return;
    }
    ss_report_out_fmt(h->o, "<span class=\"badge sev%d\">%s</span>", (int)s, sev_label[s]);
}

static void put_code(struct html *h, const char *s)
{
    ss_report_out_str(h->o, "<code>");
    ss_report_out_esc(h->o, s);
    ss_report_out_str(h->o, "</code>");
}

static void put_hash(struct html *h, const uint8_t sha[32])
{
    char hex[65];

    ss_hex_encode(sha, 32, hex);
    ss_report_out_fmt(h->o, "<code class=\"hash\">%s</code>", hex);
}

static const char *input_path(const struct html *h, uint32_t index)
{
    /* Inputs come sorted by index; usually items[index] is it. */
    if (index < h->in.n && h->in.items[index].index == index)
        return h->in.items[index].relpath;
    for (size_t i = 0; i < h->in.n; i++) {
        if (h->in.items[i].index == index)
            return h->in.items[i].relpath;
    }
    return NULL;
}

/* Style ------------------------------------------------------------------------------ */

/* One string per rule group keeps each literal within what ISO C promises (4095). */
static const char *const css[] = {
    ":root{--ink:#1f2933;--muted:#5f6b7a;--line:#d9dee5;--soft:#f4f6f8;--accent:#1f4e79;"
    "--s5:#9f1239;--s4:#c2410c;--s3:#a16207;--s2:#1d4ed8;--s1:#4b5563}\n",
    "*{box-sizing:border-box}\n",
    "html{-webkit-text-size-adjust:100%}\n",
    "body{margin:0;color:var(--ink);background:#fff;font:15px/1.5 system-ui,-apple-system,"
    "'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}\n",
    "code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,'Liberation Mono',"
    "monospace;font-size:.86em}\n",
    "code{overflow-wrap:anywhere}\n",
    ".wrap{max-width:1180px;margin:0 auto;padding:0 28px}\n",
    "header.top{background:#14273a;color:#e8eef5;padding:26px 0 22px}\n",
    "header.top .brand{font-size:12px;letter-spacing:.14em;text-transform:uppercase;"
    "color:#9fb3c8}\n",
    "header.top h1{margin:4px 0 14px;font-size:28px;font-weight:650;color:#fff;"
    "overflow-wrap:anywhere}\n",
    "header.top dl{display:grid;grid-template-columns:repeat(auto-fill,minmax(250px,1fr));"
    "gap:8px 28px;margin:0}\n",
    "header.top dt{font-size:11px;text-transform:uppercase;letter-spacing:.08em;color:#9fb3c8}\n",
    "header.top dd{margin:0;overflow-wrap:anywhere}\n",
    "header.top code{color:#e8eef5}\n",
    ".seal{margin-top:16px;padding:12px 16px;border-radius:6px;background:#1c3550;"
    "border:1px solid #2d4a6a}\n",
    ".seal .st{display:inline-block;font-weight:650;padding:1px 10px;border-radius:10px;"
    "font-size:13px;margin-right:10px}\n",
    ".st.ok{background:#166534;color:#fff}.st.warn{background:#a16207;color:#fff}"
    ".st.none{background:#4b5563;color:#fff}\n",
    ".seal table{margin-top:8px;border:0;background:none}\n",
    ".seal td,.seal th{border:0;padding:2px 14px 2px 0;color:#e8eef5;background:none}\n",
    ".seal th{font-weight:500;color:#9fb3c8;white-space:nowrap}\n",
    "nav.toc{position:sticky;top:0;z-index:2;background:#fff;border-bottom:1px solid "
    "var(--line)}\n",
    "nav.toc a{display:inline-block;padding:10px 14px 9px;color:var(--accent);"
    "text-decoration:none;font-weight:550;font-size:14px;border-bottom:2px solid transparent}\n",
    "nav.toc a:hover{border-bottom-color:var(--accent)}\n",
    "main section{padding:8px 0 18px}\n",
    "h2{font-size:21px;margin:26px 0 12px;padding-bottom:6px;border-bottom:2px solid "
    "var(--ink)}\n",
    "h2 .n{font-size:14px;font-weight:500;color:var(--muted);margin-left:8px}\n",
    "h3{font-size:16px;margin:20px 0 8px}\n",
    ".cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:12px}\n",
    ".card{border:1px solid var(--line);border-radius:8px;padding:12px 14px;"
    "background:var(--soft)}\n",
    ".card .num{font-size:25px;font-weight:650;line-height:1.2;white-space:nowrap}\n",
    ".card .lbl{color:var(--muted);font-size:13px}\n",
    ".card.bad .num{color:var(--s4)}\n",
    ".sevrow{display:flex;flex-wrap:wrap;gap:10px;margin:16px 0 4px}\n",
    ".sevrow .cnt{display:inline-flex;align-items:center;gap:8px;border:1px solid "
    "var(--line);border-radius:18px;padding:3px 12px 3px 4px;font-weight:600}\n",
    ".badge{display:inline-block;min-width:62px;text-align:center;padding:1px 8px;"
    "border-radius:10px;color:#fff;font-size:12px;font-weight:650;letter-spacing:.02em;"
    "-webkit-print-color-adjust:exact;print-color-adjust:exact}\n",
    ".sev5{background:var(--s5)}.sev4{background:var(--s4)}.sev3{background:var(--s3)}"
    ".sev2{background:var(--s2)}.sev1{background:var(--s1)}.sev0{background:#9aa5b1}\n",
    "table{border-collapse:collapse;width:100%;font-size:13.5px;margin:6px 0 10px}\n",
    "th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid "
    "var(--line)}\n",
    "th{background:var(--soft);font-weight:600;font-size:12.5px;color:#3e4c59;"
    "white-space:nowrap}\n",
    "td.r,th.r{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n",
    "td.nw{white-space:nowrap}\n",
    "table.ev td{font-variant-numeric:tabular-nums}\n",
    "table.ev th:nth-child(1),table.ev th:nth-child(3),table.ev th:nth-child(4),"
    "table.ev th:nth-child(5),table.ev td:nth-child(1),table.ev td:nth-child(3),"
    "table.ev td:nth-child(4),table.ev td:nth-child(5){text-align:right;white-space:nowrap}\n",
    "table.ev td:nth-child(2),table.ev td:nth-child(6){font-family:ui-monospace,SFMono-Regular,"
    "Menlo,Consolas,'Liberation Mono',monospace;font-size:12px;overflow-wrap:anywhere}\n",
    "table.ev td:nth-child(6){font-size:11.5px;color:#3e4c59;word-break:break-all}\n",
    "table.ev tr.x td{font-family:inherit}\n",
    "main tbody tr:nth-child(even) td{background:#fbfcfd}\n",
    "td code{font-size:12.5px}\n",
    "code.hash{font-size:11.5px;color:#3e4c59;word-break:break-all}\n",
    ".muted{color:var(--muted)}\n",
    ".empty{color:var(--muted);font-style:italic}\n",
    "article.finding{border:1px solid var(--line);border-left:5px solid var(--s1);"
    "border-radius:6px;margin:16px 0;padding:12px 16px 8px;break-inside:avoid-page}\n",
    "article.finding.sev5{border-left-color:var(--s5);background:none}"
    "article.finding.sev4{border-left-color:var(--s4);background:none}"
    "article.finding.sev3{border-left-color:var(--s3);background:none}"
    "article.finding.sev2{border-left-color:var(--s2);background:none}"
    "article.finding.sev1{border-left-color:var(--s1);background:none}\n",
    "article.finding>header{display:flex;gap:10px;align-items:baseline}\n",
    "article.finding h3{margin:0;font-size:17px;flex:1;overflow-wrap:anywhere}\n",
    ".fid{color:var(--muted);font-size:13px;white-space:nowrap}\n",
    "dl.facts{display:grid;grid-template-columns:130px 1fr;gap:3px 14px;margin:10px 0}\n",
    "dl.facts dt{color:var(--muted);font-size:13px}\n",
    "dl.facts dd{margin:0;overflow-wrap:anywhere}\n",
    "dl.facts ul{margin:0;padding-left:18px}\n",
    ".etype{color:var(--muted);font-size:12px;margin-left:6px}\n",
    "p.desc{margin:8px 0;white-space:pre-wrap;overflow-wrap:anywhere}\n",
    "table.kv{width:auto;min-width:40%}\n",
    "table.kinds{width:auto;min-width:60%}\n",
    "table.kv th{width:1%}\n",
    "pre.excerpt{margin:0;padding:6px 8px;background:#f6f8fa;border:1px solid var(--line);"
    "border-radius:4px;white-space:pre-wrap;overflow-wrap:anywhere;max-height:12em;"
    "overflow:auto;font-size:12px}\n",
    "tr.x td{border-bottom:1px solid var(--line);padding-top:0}\n",
    "details{margin:4px 0 10px}\n",
    "details>summary{cursor:pointer;color:var(--accent);font-weight:550;font-size:13.5px}\n",
    ".note{font-size:13px;color:var(--muted);margin:4px 0}\n",
    "footer{margin-top:30px;padding:18px 0 30px;border-top:1px solid var(--line);"
    "color:var(--muted);font-size:12.5px}\n",
    "a{color:var(--accent)}\n",
    "@media print{body{font-size:10pt}.wrap{max-width:none;padding:0}nav.toc{display:none}"
    "header.top{background:none;color:var(--ink);border-bottom:2px solid var(--ink)}"
    "header.top h1,header.top code,header.top dd,.seal td{color:var(--ink)}"
    "header.top .brand,header.top dt,.seal th{color:var(--muted)}"
    ".seal{background:none;border:1px solid var(--line)}"
    "article.finding{break-inside:auto}tr,pre{break-inside:avoid}"
    "details>summary{color:var(--ink)}a{color:inherit;text-decoration:none}"
    "@page{margin:14mm}}\n",
};

/* Header and summary ------------------------------------------------------------------ */

static void put_head(struct html *h)
{
    ss_report_out_str(h->o,
                      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
                      "'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
                      "form-action 'none'\">\n"
                      "<meta name=\"referrer\" content=\"no-referrer\">\n"
                      "<meta name=\"generator\" content=\"siloscope ");
    ss_report_out_esc(h->o, h->run.tool_version);
    ss_report_out_str(h->o, "\">\n<title>siloscope review &ndash; ");
    ss_report_out_esc(h->o, h->run.case_name);
    ss_report_out_str(h->o, "</title>\n<style>\n");
    for (size_t i = 0; i < SS_ARRAY_LEN(css); i++)
        ss_report_out_str(h->o, css[i]);
    ss_report_out_str(h->o, "</style>\n</head>\n<body>\n");
}

static void put_seal(struct html *h)
{
    const struct ss_store_run *run = &h->run;
    const bool sealed = run->inputs_root != NULL || run->findings_root != NULL;

    ss_report_out_str(h->o, "<div class=\"seal\" id=\"seal\">");
    if (run->is_signed) {
        ss_report_out_str(h->o, "<span class=\"st ok\">Signed</span>");
        if (run->signer != NULL) {
            ss_report_out_str(h->o, "by ");
            put_code(h, run->signer);
        }
    } else if (sealed) {
        ss_report_out_str(h->o, "<span class=\"st warn\">Unsigned</span>"
                                "<span>Merkle roots computed; the manifest is not signed.</span>");
    } else {
        ss_report_out_str(h->o, "<span class=\"st none\">Not sealed</span>"
                                "<span>No Merkle roots were recorded for this run.</span>");
    }
    ss_report_out_str(h->o, "<table><tr><th>Inputs root</th><td>");
    if (run->inputs_root != NULL)
        put_code(h, run->inputs_root);
    else
        ss_report_out_str(h->o, "<span class=\"muted\">not computed</span>");
    ss_report_out_str(h->o, "</td></tr><tr><th>Findings root</th><td>");
    if (run->findings_root != NULL)
        put_code(h, run->findings_root);
    else
        ss_report_out_str(h->o, "<span class=\"muted\">not computed</span>");
    ss_report_out_str(h->o, "</td></tr></table></div>\n");
}

static void put_meta_item(struct html *h, const char *label)
{
    ss_report_out_fmt(h->o, "<div><dt>%s</dt><dd>", label);
}

static void put_header(struct html *h)
{
    const struct ss_store_run *run = &h->run;

    ss_report_out_str(h->o, "<header class=\"top\"><div class=\"wrap\">\n"
                            "<div class=\"brand\">siloscope &middot; review report</div>\n<h1>");
    ss_report_out_esc(h->o, run->case_name);
    ss_report_out_str(h->o, "</h1>\n<dl>");
    put_meta_item(h, "Case root");
    put_code(h, run->case_root);
    ss_report_out_str(h->o, "</dd></div>");
    put_meta_item(h, "Started");
    put_time(h, run->started_us);
    ss_report_out_str(h->o, "</dd></div>");
    put_meta_item(h, "Finished");
    put_time(h, run->finished_us);
    ss_report_out_str(h->o, " <span class=\"muted\">(");
    put_duration(h, run->finished_us - run->started_us);
    ss_report_out_str(h->o, ")</span></dd></div>");
    put_meta_item(h, "Tool");
    ss_report_out_str(h->o, "siloscope ");
    ss_report_out_esc(h->o, run->tool_version);
    ss_report_out_str(h->o, " <span class=\"muted\">build ");
    ss_report_out_esc(h->o, run->tool_build);
    ss_report_out_fmt(h->o, "</span></dd></div>");
    put_meta_item(h, "Worker threads");
    ss_report_out_fmt(h->o, "%" PRIu32 "</dd></div>", run->n_threads);
    if (run->policy_name != NULL) {
        put_meta_item(h, "Review policy");
        ss_report_out_esc(h->o, run->policy_name);
        ss_report_out_str(h->o, "</dd></div>");
    }
    ss_report_out_str(h->o, "</dl>\n");
    put_seal(h);
    ss_report_out_str(h->o, "</div></header>\n");
}

static uint64_t n_unreadable(const struct html *h)
{
    return h->sum.n_inputs_unknown + h->sum.n_inputs_damaged + h->sum.n_skipped +
           h->sum.n_bad_records;
}

static void put_nav(struct html *h)
{
    char a[32], b[32], c[32];

    ss_report_out_fmt(h->o,
                      "<nav class=\"toc\"><div class=\"wrap\"><a href=\"#summary\">Summary</a>"
                      "<a href=\"#findings\">Findings (%s)</a><a href=\"#inputs\">Inputs (%s)</a>"
                      "<a href=\"#unreadable\">Unreadable input (%s)</a></div></nav>\n",
                      fmt_count(h->sum.n_findings, a), fmt_count(h->sum.n_inputs, b),
                      fmt_count(n_unreadable(h), c));
}

static void put_card(struct html *h, uint64_t n, const char *label, bool bad)
{
    ss_report_out_fmt(h->o, "<div class=\"card%s\"><div class=\"num\">", bad ? " bad" : "");
    put_count(h, n);
    ss_report_out_fmt(h->o, "</div><div class=\"lbl\">%s</div>", label);
}

/* A table row's first two cells: the check id and its title (the title cell left open). */
static void put_check_head(struct html *h, const struct ss_store_check *c)
{
    ss_report_out_str(h->o, "<tr><td>");
    put_code(h, c->check_id);
    ss_report_out_str(h->o, "</td><td>");
    if (c->title != NULL)
        ss_report_out_esc(h->o, c->title);
    else
        ss_report_out_str(h->o, "<span class=\"muted\">&ndash;</span>");
}

static int put_check_row(void *ctx, const struct ss_store_check *c)
{
    struct html *h = ctx;

    put_check_head(h, c);
    ss_report_out_str(h->o, "</td><td>");
    put_badge(h, c->level);
    ss_report_out_str(h->o, "</td><td class=\"r\">");
    put_count(h, c->n_matches);
    ss_report_out_str(h->o, "</td><td class=\"r\">");
    put_count(h, c->n_findings);
    ss_report_out_str(h->o, "</td><td>");
    if (c->n_findings > 0)
        put_badge(h, c->max_severity);
    else
        ss_report_out_str(h->o, "<span class=\"muted\">none</span>");
    ss_report_out_str(h->o, "</td></tr>\n");
    return h->o->err;
}

static void put_summary(struct html *h)
{
    const struct ss_store_summary *s = &h->sum;

    ss_report_out_str(h->o, "<section id=\"summary\"><h2>Summary</h2>\n<div class=\"cards\">");
    put_card(h, s->n_inputs, "inputs", false);
    ss_report_out_str(h->o, "<div class=\"lbl\">");
    put_bytes_human(h, s->size_bytes);
    ss_report_out_str(h->o, " stored</div></div>");
    ss_report_out_str(h->o, "<div class=\"card\"><div class=\"num\">");
    put_bytes_human(h, s->decoded_bytes);
    ss_report_out_str(h->o, "</div><div class=\"lbl\">decoded</div><div class=\"lbl\">");
    put_count(h, s->decoded_bytes);
    ss_report_out_str(h->o, " bytes</div></div>");
    put_card(h, s->n_records, "records read", false);
    ss_report_out_str(h->o, "</div>");
    put_card(h, s->n_bad_records, "bad records", s->n_bad_records > 0);
    ss_report_out_str(h->o, "</div>");
    put_card(h, s->n_inputs_unknown + s->n_inputs_damaged + s->n_skipped, "files not read in full",
             s->n_inputs_unknown + s->n_inputs_damaged + s->n_skipped > 0);
    ss_report_out_str(h->o, "</div>");
    put_card(h, s->n_findings, "findings", false);
    ss_report_out_str(h->o, "<div class=\"lbl\">");
    put_count(h, s->n_evidence);
    ss_report_out_str(h->o, " evidence records cited</div></div></div>\n<div class=\"sevrow\">");
    for (int sev = SS_SEV_CRITICAL; sev >= SS_SEV_INFO; sev--) {
        ss_report_out_str(h->o, "<span class=\"cnt\">");
        put_badge(h, (enum ss_severity)sev);
        put_count(h, s->n_by_severity[sev]);
        ss_report_out_str(h->o, "</span>");
    }
    ss_report_out_str(h->o, "</div>\n<h3>Findings by check</h3>\n");
    if (h->checks.n == 0) {
        ss_report_out_str(h->o, "<p class=\"empty\">No checks recorded.</p>\n");
    } else {
        ss_report_out_str(h->o, "<table><thead><tr><th>Check</th><th>Title</th><th>Level</th>"
                                "<th class=\"r\">Matched records</th><th class=\"r\">Findings</th>"
                                "<th>Highest</th></tr></thead><tbody>\n");
        for (size_t i = 0; i < h->checks.n && h->o->err == 0; i++)
            (void)put_check_row(h, &h->checks.items[i]);
        ss_report_out_str(h->o, "</tbody></table>\n");
    }
    ss_report_out_str(h->o, "</section>\n");
}

/* Findings ---------------------------------------------------------------------------- */

static int index_row(void *ctx, const struct ss_store_finding *sf)
{
    struct html *h = ctx;
    const struct ss_finding *f = &sf->f;
    const struct ss_store_check *ck = ss_report_checks_find(&h->checks, f->check_id);

    if (ck != NULL)
        h->shown[ck - h->checks.items]++;
    h->n_shown++;
    ss_report_out_fmt(h->o,
                      "<tr><td class=\"r\"><a href=\"#f%" PRId64 "\">%" PRId64 "</a></td><td>",
                      sf->seq, sf->seq);
    put_badge(h, f->severity);
    ss_report_out_fmt(h->o, "</td><td><a href=\"#f%" PRId64 "\">", sf->seq);
    ss_report_out_esc(h->o, f->title);
    ss_report_out_str(h->o, "</a></td><td>");
    put_code(h, f->check_id);
    ss_report_out_str(h->o, "</td><td>");
    if (f->n_entities > 0)
        put_code(h, f->entities[0]);
    ss_report_out_str(h->o, "</td><td class=\"r\">");
    put_count(h, f->n_evidence_total);
    ss_report_out_str(h->o, "</td></tr>\n");
    return h->o->err;
}

/* Decode the JSON string literal at @s (quotes included, @len bytes) into @out. The
 * text comes from SQLite's json(), so it is well formed; anything odd becomes U+FFFD. */
static int json_unescape(struct ss_buf *out, const char *s, size_t len)
{
    int r = 0;

    for (size_t i = 1; i + 1 < len && r == 0; i++) {
        uint32_t cp;
        char u[4];
        size_t n = 0;

        if (s[i] != '\\') {
            r = ss_buf_putc(out, s[i]);
            continue;
        }
        i++;
        switch (s[i]) {
        case 'n':
            r = ss_buf_putc(out, '\n');
            continue;
        case 't':
            r = ss_buf_putc(out, '\t');
            continue;
        case 'r':
            r = ss_buf_putc(out, '\r');
            continue;
        case 'b':
            r = ss_buf_putc(out, '\b');
            continue;
        case 'f':
            r = ss_buf_putc(out, '\f');
            continue;
        case 'u':
            break;
        default:
            r = ss_buf_putc(out, s[i]);
            continue;
        }
        cp = 0xFFFD;
        if (i + 4 < len) {
            uint8_t hb[2];
            if (ss_hex_decode(s + i + 1, 4, hb, 2) == 0) {
                cp = (uint32_t)hb[0] << 8 | hb[1];
                i += 4;
            }
        }
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 < len && s[i + 1] == '\\' && s[i + 2] == 'u') {
            uint8_t lo[2];
            if (ss_hex_decode(s + i + 3, 4, lo, 2) == 0) {
                const uint32_t low = (uint32_t)lo[0] << 8 | lo[1];
                if (low >= 0xDC00 && low <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    i += 6;
                }
            }
        }
        if (cp >= 0xD800 && cp <= 0xDFFF)
            cp = 0xFFFD;
        if (cp < 0x80) {
            u[n++] = (char)cp;
        } else if (cp < 0x800) {
            u[n++] = (char)(0xC0 | cp >> 6);
            u[n++] = (char)(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            u[n++] = (char)(0xE0 | cp >> 12);
            u[n++] = (char)(0x80 | (cp >> 6 & 0x3F));
            u[n++] = (char)(0x80 | (cp & 0x3F));
        } else {
            u[n++] = (char)(0xF0 | cp >> 18);
            u[n++] = (char)(0x80 | (cp >> 12 & 0x3F));
            u[n++] = (char)(0x80 | (cp >> 6 & 0x3F));
            u[n++] = (char)(0x80 | (cp & 0x3F));
        }
        r = ss_buf_append(out, u, n);
    }
    return r;
}

/* Length of the JSON value at @s (minified), or 0 if it is not one. */
static size_t json_value_len(const char *s, size_t len)
{
    size_t depth = 0, i = 0;
    bool in_str = false;

    for (; i < len; i++) {
        const char c = s[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = false;
            if (!in_str && depth == 0)
                return i + 1;
            continue;
        }
        if (c == '"') {
            in_str = true;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                return i;
            depth--;
            if (depth == 0)
                return i + 1;
        } else if (c == ',' && depth == 0) {
            return i;
        }
    }
    return depth == 0 && !in_str ? i : 0;
}

/* Extra data: a key/value table of the top-level members of the JSON object. */
static void put_data(struct html *h, const char *json)
{
    const size_t len = strlen(json);
    size_t i = 1;

    if (len < 2 || json[0] != '{' || strcmp(json, "{}") == 0)
        return;
    ss_report_out_str(h->o, "<table class=\"kv\"><thead><tr><th colspan=\"2\">Extra data</th>"
                            "</tr></thead><tbody>\n");
    while (i < len && json[i] == '"' && h->o->err == 0) {
        const size_t klen = json_value_len(json + i, len - i);
        size_t vstart, vlen;

        if (klen == 0 || i + klen >= len || json[i + klen] != ':')
            break;
        vstart = i + klen + 1;
        vlen = json_value_len(json + vstart, len - vstart);
        if (vlen == 0)
            break;
        ss_buf_reset(&h->scratch);
        (void)ss_report_out_fail(h->o, json_unescape(&h->scratch, json + i, klen));
        ss_report_out_str(h->o, "<tr><th>");
        ss_report_out_esc(h->o, h->scratch.ptr);
        ss_report_out_str(h->o, "</th><td>");
        ss_buf_reset(&h->scratch);
        if (json[vstart] == '"') {
            (void)ss_report_out_fail(h->o, json_unescape(&h->scratch, json + vstart, vlen));
            ss_report_out_esc(h->o, h->scratch.ptr);
        } else {
            (void)ss_report_out_fail(h->o, ss_buf_append(&h->scratch, json + vstart, vlen));
            ss_report_out_str(h->o, "<code>");
            ss_report_out_esc(h->o, h->scratch.ptr);
            ss_report_out_str(h->o, "</code>");
        }
        ss_report_out_str(h->o, "</td></tr>\n");
        i = vstart + vlen;
        if (i < len && json[i] == ',')
            i++;
    }
    ss_report_out_str(h->o, "</tbody></table>\n");
}

/*
 * One evidence row. Rows are the bulk of a large report, so they carry no attributes:
 * table.ev styles its columns by position (numbers right-aligned, path and hash in
 * monospace).
 */
static void put_evidence_row(struct html *h, const struct ss_store_finding *sf, size_t i,
                             bool with_excerpt)
{
    static const uint8_t zero[32];
    const struct ss_evidence *ev = &sf->f.evidence[i];
    const char *excerpt = sf->ev_excerpt[i];
    char hex[65];

    ss_report_out_fmt(h->o, "<tr><td>%zu</td><td>", i + 1);
    if (sf->ev_relpath[i] != NULL)
        ss_report_out_esc(h->o, sf->ev_relpath[i]);
    else
        ss_report_out_fmt(h->o, "<span class=\"muted\">input #%" PRIu32 " (not listed)</span>",
                          ev->loc.input);
    ss_report_out_str(h->o, "</td><td>");
    put_count(h, ev->loc.offset);
    ss_report_out_str(h->o, "</td><td>");
    put_count(h, ev->loc.len);
    ss_report_out_str(h->o, "</td><td>");
    put_count(h, ev->loc.index);
    ss_report_out_str(h->o, "</td><td>");
    if (memcmp(ev->sha256, zero, sizeof(zero)) != 0) {
        ss_hex_encode(ev->sha256, 32, hex);
        ss_report_out_str(h->o, hex);
    } else {
        ss_report_out_str(h->o, "<span class=\"muted\">not computed</span>");
    }
    ss_report_out_str(h->o, "</td></tr>\n");
    if (with_excerpt && excerpt != NULL) {
        const size_t n = strlen(excerpt);

        h->excerpt_bytes += n;
        ss_report_out_str(h->o,
                          "<tr class=\"x\"><td></td><td colspan=\"5\"><pre class=\"excerpt\">");
        ss_report_out_esc(h->o, excerpt);
        if (n < ev->loc.len) {
            ss_report_out_str(h->o, "<span class=\"muted\"> &hellip; ");
            put_count(h, ev->loc.len - n);
            ss_report_out_str(h->o, " more bytes</span>");
        }
        ss_report_out_str(h->o, "</pre></td></tr>\n");
    }
}

static void put_evidence_table_head(struct html *h)
{
    ss_report_out_str(h->o, "<table class=\"ev\"><thead><tr><th>#</th><th>Input</th>"
                            "<th>Offset</th><th>Length</th><th>Line / index</th>"
                            "<th>SHA-256 of the record</th></tr></thead><tbody>\n");
}

static void put_evidence(struct html *h, const struct ss_store_finding *sf)
{
    const struct ss_finding *f = &sf->f;
    const size_t open = SS_MIN(f->n_evidence, (size_t)SS_REPORT_HTML_EVIDENCE_OPEN);
    size_t shown = SS_MIN(f->n_evidence, (size_t)SS_REPORT_HTML_MAX_EVIDENCE);
    bool over_budget = false;

    if (f->n_evidence == 0) {
        ss_report_out_str(h->o, "<p class=\"note\">No record-level evidence: this finding rests "
                                "on the inventory or on the absence of records.</p>\n");
        return;
    }
    /* Past the report-wide budget only the open rows are rendered. */
    if (shown > open && h->ev_collapsed + (shown - open) > SS_REPORT_HTML_EVIDENCE_BUDGET)
        shown = open;
    h->ev_collapsed += shown - open;
    put_evidence_table_head(h);
    for (size_t i = 0; i < open && h->o->err == 0; i++) {
        const char *x = sf->ev_excerpt[i];
        bool text = i < SS_REPORT_HTML_EXCERPTS && x != NULL;

        if (text && h->excerpt_bytes + strlen(x) > SS_REPORT_HTML_EXCERPT_BUDGET) {
            text = false;
            over_budget = true;
        }
        put_evidence_row(h, sf, i, text);
    }
    ss_report_out_str(h->o, "</tbody></table>\n");
    if (over_budget)
        ss_report_out_fmt(h->o,
                          "<p class=\"note\">Record text is left out here: the report shows at "
                          "most %zu MiB of it. Every excerpt is in findings.sqlite (table "
                          "<code>excerpt</code>).</p>\n",
                          SS_REPORT_HTML_EXCERPT_BUDGET >> 20);
    if (shown > open) {
        ss_report_out_str(h->o, "<details><summary>Show ");
        put_count(h, shown - open);
        ss_report_out_str(h->o, " more evidence records</summary>\n");
        put_evidence_table_head(h);
        for (size_t i = open; i < shown && h->o->err == 0; i++)
            put_evidence_row(h, sf, i, false);
        ss_report_out_str(h->o, "</tbody></table></details>\n");
    }
    if (f->n_evidence > shown) {
        ss_report_out_str(h->o, "<p class=\"note\">");
        put_count(h, f->n_evidence - shown);
        ss_report_out_str(h->o, f->n_evidence - shown == 1 ? " further evidence record is"
                                                           : " further evidence records are");
        ss_report_out_str(h->o, " listed in findings.sqlite (table <code>evidence</code>)."
                                "</p>\n");
    }
    if (f->n_evidence_total > f->n_evidence) {
        ss_report_out_str(h->o, "<p class=\"note\">");
        put_count(h, f->n_evidence_total);
        ss_report_out_str(h->o, " records matched in all; ");
        put_count(h, f->n_evidence_total - f->n_evidence);
        ss_report_out_str(h->o, " beyond the per-finding evidence cap were counted but not "
                                "kept.</p>\n");
    }
}

static int finding_article(void *ctx, const struct ss_store_finding *sf)
{
    struct html *h = ctx;
    const struct ss_finding *f = &sf->f;
    const struct ss_store_check *ck = ss_report_checks_find(&h->checks, f->check_id);

    ss_report_out_fmt(h->o, "<article class=\"finding sev%d\" id=\"f%" PRId64 "\"><header>",
                      (int)f->severity, sf->seq);
    put_badge(h, f->severity);
    ss_report_out_str(h->o, "<h3>");
    ss_report_out_esc(h->o, f->title);
    ss_report_out_fmt(h->o, "</h3><span class=\"fid\">#%" PRId64 "</span></header>\n", sf->seq);
    ss_report_out_str(h->o, "<dl class=\"facts\"><dt>Check</dt><dd>");
    put_code(h, f->check_id);
    if (ck != NULL && ck->title != NULL) {
        ss_report_out_str(h->o, " <span class=\"muted\">");
        ss_report_out_esc(h->o, ck->title);
        ss_report_out_str(h->o, "</span>");
    }
    ss_report_out_str(h->o, (sf->flags & SS_STORE_FINDING_COMPLIANCE)
                                ? "</dd><dt>Kind</dt><dd>Policy (compliance finding)</dd>"
                                : "</dd><dt>Kind</dt><dd>Detection</dd>");
    ss_report_out_str(h->o, "<dt>Finding uid</dt><dd>");
    put_code(h, sf->uid);
    ss_report_out_str(h->o, "</dd><dt>Entities</dt><dd>");
    if (f->n_entities == 0) {
        ss_report_out_str(h->o, "<span class=\"muted\">none</span>");
    } else {
        ss_report_out_str(h->o, "<ul>");
        for (size_t i = 0; i < f->n_entities; i++) {
            ss_report_out_str(h->o, "<li>");
            put_code(h, f->entities[i]);
            ss_report_out_str(h->o, "<span class=\"etype\">");
            ss_report_out_esc(h->o, sf->entity_types[i]);
            ss_report_out_str(h->o, i == 0 ? " &middot; primary</span></li>" : "</span></li>");
        }
        ss_report_out_str(h->o, "</ul>");
    }
    ss_report_out_str(h->o, "</dd><dt>Time span</dt><dd>");
    if (f->first_us == 0 && f->last_us == 0) {
        ss_report_out_str(h->o, "<span class=\"muted\">not known</span>");
    } else {
        put_time(h, f->first_us);
        if (f->last_us != f->first_us) {
            ss_report_out_str(h->o, " &rarr; ");
            put_time(h, f->last_us);
            ss_report_out_str(h->o, " <span class=\"muted\">(");
            put_duration(h, f->last_us - f->first_us);
            ss_report_out_str(h->o, ")</span>");
        }
    }
    ss_report_out_str(h->o, "</dd><dt>Evidence</dt><dd>");
    put_count(h, f->n_evidence_total);
    ss_report_out_str(h->o, f->n_evidence_total == 1 ? " record" : " records");
    ss_report_out_str(h->o, "</dd></dl>\n");
    if (f->desc != NULL && f->desc[0] != '\0') {
        ss_report_out_str(h->o, "<p class=\"desc\">");
        ss_report_out_esc(h->o, f->desc);
        ss_report_out_str(h->o, "</p>\n");
    }
    if (f->data_json != NULL)
        put_data(h, f->data_json);
    put_evidence(h, sf);
    ss_report_out_str(h->o, "</article>\n");
    return h->o->err;
}

/* After the articles: the checks with findings left out, and how to query them. */
static void put_not_shown(struct html *h)
{
    ss_report_out_str(h->o, "<h3 id=\"not-shown\">Findings not shown</h3>\n<p>");
    put_count(h, h->sum.n_findings - h->n_shown);
    ss_report_out_str(h->o, " findings are not shown above. <code>findings.sqlite</code> and "
                            "<code>findings.ocsf.jsonl</code> hold every finding with all its "
                            "evidence.</p>\n<table><thead><tr><th>Check</th><th>Title</th>"
                            "<th class=\"r\">Findings</th><th class=\"r\">Shown</th>"
                            "<th class=\"r\">Not shown</th><th>Query (findings.sqlite)</th>"
                            "</tr></thead><tbody>\n");
    for (size_t i = 0; i < h->checks.n && h->o->err == 0; i++) {
        const struct ss_store_check *c = &h->checks.items[i];
        int r;

        if (c->n_findings <= h->shown[i])
            continue;
        put_check_head(h, c);
        ss_report_out_str(h->o, "</td><td class=\"r\">");
        put_count(h, c->n_findings);
        ss_report_out_str(h->o, "</td><td class=\"r\">");
        put_count(h, h->shown[i]);
        ss_report_out_str(h->o, "</td><td class=\"r\">");
        put_count(h, c->n_findings - h->shown[i]);
        /* the id as an SQL string literal (quotes doubled), then escaped for HTML */
        ss_buf_reset(&h->scratch);
        r = ss_buf_puts(&h->scratch, "SELECT * FROM finding WHERE check_id = '");
        for (const char *p = c->check_id; *p != '\0' && r == 0; p++)
            r = *p == '\'' ? ss_buf_puts(&h->scratch, "''") : ss_buf_putc(&h->scratch, *p);
        if (r == 0)
            r = ss_buf_puts(&h->scratch, "' ORDER BY severity DESC, id");
        (void)ss_report_out_fail(h->o, r);
        ss_report_out_str(h->o, "</td><td>");
        put_code(h, h->scratch.ptr);
        ss_report_out_str(h->o, "</td></tr>\n");
    }
    ss_report_out_str(h->o, "</tbody></table>\n");
}

static int put_findings(struct html *h, struct ss_store *st, struct ss_diag *d)
{
    uint64_t shown = 0;
    int r;

    ss_report_out_str(h->o, "<section id=\"findings\"><h2>Findings<span class=\"n\">");
    put_count(h, h->sum.n_findings);
    ss_report_out_str(h->o, " in severity order</span></h2>\n");
    if (h->sum.n_findings == 0) {
        ss_report_out_str(h->o, "<p class=\"empty\">No findings.</p></section>\n");
        return h->o->err;
    }
    for (size_t i = 0; i < h->checks.n; i++)
        shown += SS_MIN(h->checks.items[i].n_findings, SHOWN_PER_CHECK);
    shown = SS_MIN(shown, SHOWN_MAX);
    if (shown < h->sum.n_findings) {
        ss_report_out_str(h->o, "<p class=\"note\">This report shows ");
        put_count(h, shown);
        ss_report_out_str(h->o, " of the findings: the most severe ");
        put_count(h, SHOWN_PER_CHECK);
        ss_report_out_str(h->o, " of each check, ");
        put_count(h, SHOWN_MAX);
        ss_report_out_str(h->o, " in all. The others are counted under <a href=\"#not-shown\">"
                                "Findings not shown</a>.</p>\n");
    }
    h->shown = ss_calloc(h->checks.n + 1, sizeof(*h->shown));
    if (h->shown == NULL)
        return ss_report_out_fail(h->o, -ENOMEM);
    ss_report_out_str(h->o, shown <= INDEX_OPEN_MAX ? "<details open>" : "<details>");
    ss_report_out_str(h->o, "<summary>Index of findings</summary>\n<table><thead><tr>"
                            "<th class=\"r\">#</th><th>Severity</th><th>Title</th><th>Check</th>"
                            "<th>Primary entity</th><th class=\"r\">Records</th></tr></thead>"
                            "<tbody>\n");
    r = ss_store_each_finding_top(st, SS_STORE_READ_BY_SEVERITY | SS_STORE_READ_NO_EVIDENCE,
                                  SHOWN_PER_CHECK, SHOWN_MAX, index_row, h, d);
    if (r < 0)
        return ss_report_out_keep(h->o, r);
    ss_report_out_str(h->o, "</tbody></table></details>\n");
    r = ss_store_each_finding_top(st, SS_STORE_READ_BY_SEVERITY, SHOWN_PER_CHECK, SHOWN_MAX,
                                  finding_article, h, d);
    if (r < 0)
        return ss_report_out_keep(h->o, r);
    if (h->n_shown < h->sum.n_findings)
        put_not_shown(h);
    ss_report_out_str(h->o, "</section>\n");
    return h->o->err;
}

/* Inputs and unreadable input ------------------------------------------------------- */

static int load_input(void *ctx, const struct ss_store_input *in)
{
    struct html *h = ctx;
    struct ss_store_input copy = *in;

    if (h->in.n == h->in.cap) {
        const size_t cap = h->in.cap == 0 ? 64 : h->in.cap * 2;
        struct ss_store_input *items = ss_reallocarray(h->in.items, cap, sizeof(*items));
        if (items == NULL)
            return -ENOMEM;
        h->in.items = items;
        h->in.cap = cap;
    }
    copy.relpath = ss_arena_strdup(&h->arena, in->relpath);
    copy.kind = ss_arena_strdup(&h->arena, in->kind);
    copy.compression = ss_arena_strdup(&h->arena, in->compression);
    copy.reason = in->reason != NULL ? ss_arena_strdup(&h->arena, in->reason) : NULL;
    if (copy.relpath == NULL || copy.kind == NULL || copy.compression == NULL ||
        (in->reason != NULL && copy.reason == NULL))
        return ss_arena_failed(&h->arena);
    h->in.items[h->in.n++] = copy;
    return 0;
}

static const char *const status_label[SS_STORE_INPUT__COUNT] = {
    [SS_STORE_INPUT_OK] = "read",
    [SS_STORE_INPUT_UNKNOWN] = "not understood",
    [SS_STORE_INPUT_DAMAGED] = "damaged",
};

/* One kind of input, for the per-kind summary. */
struct kind_sum {
    const char *kind;
    uint64_t n, size_bytes, decoded_bytes, n_records, n_bad;
};

static int kind_cmp(const void *a, const void *b)
{
    return strcmp(((const struct kind_sum *)a)->kind, ((const struct kind_sum *)b)->kind);
}

/* Inputs by kind, sorted by kind name (deterministic). */
static void put_kinds(struct html *h)
{
    struct kind_sum *k = ss_calloc(h->in.n, sizeof(*k));
    size_t n = 0;

    if (k == NULL) {
        (void)ss_report_out_fail(h->o, -ENOMEM);
        return;
    }
    for (size_t i = 0; i < h->in.n; i++) {
        const struct ss_store_input *in = &h->in.items[i];
        size_t j = 0;
        while (j < n && strcmp(k[j].kind, in->kind) != 0)
            j++;
        if (j == n)
            k[n++].kind = in->kind;
        k[j].n++;
        k[j].size_bytes += in->size_bytes;
        k[j].decoded_bytes += in->decoded_bytes;
        k[j].n_records += in->n_records;
        k[j].n_bad += in->n_bad_records;
    }
    qsort(k, n, sizeof(*k), kind_cmp);
    ss_report_out_str(h->o, "<table class=\"kinds\"><thead><tr><th>Kind</th>"
                            "<th class=\"r\">Files</th><th class=\"r\">Stored (bytes)</th>"
                            "<th class=\"r\">Decoded (bytes)</th><th class=\"r\">Records</th>"
                            "<th class=\"r\">Bad</th></tr></thead><tbody>\n");
    for (size_t j = 0; j < n; j++) {
        ss_report_out_str(h->o, "<tr><td>");
        ss_report_out_esc(h->o, k[j].kind);
        ss_report_out_str(h->o, "</td><td class=\"r\">");
        put_count(h, k[j].n);
        ss_report_out_str(h->o, "</td><td class=\"r\">");
        put_count(h, k[j].size_bytes);
        ss_report_out_str(h->o, "</td><td class=\"r\">");
        put_count(h, k[j].decoded_bytes);
        ss_report_out_str(h->o, "</td><td class=\"r\">");
        put_count(h, k[j].n_records);
        ss_report_out_str(h->o, "</td><td class=\"r\">");
        put_count(h, k[j].n_bad);
        ss_report_out_str(h->o, "</td></tr>\n");
    }
    ss_report_out_str(h->o, "</tbody></table>\n");
    ss_free(k);
}

static void put_inputs(struct html *h)
{
    ss_report_out_str(h->o, "<section id=\"inputs\"><h2>Inputs<span class=\"n\">");
    put_count(h, h->in.n);
    ss_report_out_str(h->o, " files</span></h2>\n");
    if (h->in.n == 0) {
        ss_report_out_str(h->o, "<p class=\"empty\">No inputs.</p></section>\n");
        return;
    }
    put_kinds(h);
    /* The full listing is reference material: collapsed when it is long. */
    ss_report_out_str(h->o, h->in.n <= INPUTS_OPEN_MAX ? "<details open>" : "<details>");
    ss_report_out_str(h->o, "<summary>All inputs, in input-index order</summary>\n");
    ss_report_out_str(h->o, "<table><thead><tr><th class=\"r\">#</th><th>Path</th><th>Kind</th>"
                            "<th>Compression</th><th class=\"r\">Size (bytes)</th>"
                            "<th class=\"r\">Records</th><th class=\"r\">Bad</th><th>Status</th>"
                            "<th>SHA-256 of the file</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < h->in.n && h->o->err == 0; i++) {
        const struct ss_store_input *in = &h->in.items[i];
        ss_report_out_fmt(h->o, "<tr><td class=\"r\">%" PRIu32 "</td><td>", in->index);
        put_code(h, in->relpath);
        ss_report_out_str(h->o, "</td><td class=\"nw\">");
        ss_report_out_esc(h->o, in->kind);
        ss_report_out_str(h->o, "</td><td>");
        ss_report_out_esc(h->o, in->compression);
        ss_report_out_str(h->o, "</td><td class=\"r\">");
        put_count(h, in->size_bytes);
        ss_report_out_str(h->o, "</td><td class=\"r\">");
        put_count(h, in->n_records);
        ss_report_out_str(h->o, "</td><td class=\"r\">");
        put_count(h, in->n_bad_records);
        ss_report_out_fmt(h->o, "</td><td class=\"nw\">%s</td><td>", status_label[in->status]);
        if (in->has_sha256)
            put_hash(h, in->sha256);
        else
            ss_report_out_str(h->o, "<span class=\"muted\">not computed</span>");
        ss_report_out_str(h->o, "</td></tr>\n");
    }
    ss_report_out_str(h->o, "</tbody></table></details></section>\n");
}

static void put_input_problems(struct html *h, enum ss_store_input_status status, const char *title,
                               const char *what)
{
    size_t n = 0;

    for (size_t i = 0; i < h->in.n; i++)
        n += h->in.items[i].status == status;
    if (n == 0)
        return;
    ss_report_out_fmt(h->o,
                      "<h3>%s<span class=\"n\"> (%zu)</span></h3>\n<table><thead><tr>"
                      "<th class=\"r\">#</th><th>Path</th><th class=\"r\">Size (bytes)"
                      "</th><th class=\"r\">%s</th><th>Reason</th></tr></thead><tbody>\n",
                      title, n, what);
    for (size_t i = 0; i < h->in.n && h->o->err == 0; i++) {
        const struct ss_store_input *in = &h->in.items[i];
        if (in->status != status)
            continue;
        ss_report_out_fmt(h->o, "<tr><td class=\"r\">%" PRIu32 "</td><td>", in->index);
        put_code(h, in->relpath);
        ss_report_out_str(h->o, "</td><td class=\"r\">");
        put_count(h, in->size_bytes);
        ss_report_out_str(h->o, "</td><td class=\"r\">");
        put_count(h, status == SS_STORE_INPUT_DAMAGED ? in->n_records : in->n_bad_records);
        ss_report_out_str(h->o, "</td><td>");
        ss_report_out_esc(h->o, in->reason != NULL ? in->reason : "");
        ss_report_out_str(h->o, "</td></tr>\n");
    }
    ss_report_out_str(h->o, "</tbody></table>\n");
}

static int skipped_row(void *ctx, const struct ss_store_skipped *sk)
{
    struct html *h = ctx;

    ss_report_out_str(h->o, "<tr><td>");
    put_code(h, sk->relpath);
    ss_report_out_str(h->o, "</td><td>");
    ss_report_out_esc(h->o, sk->reason);
    ss_report_out_str(h->o, "</td></tr>\n");
    return h->o->err;
}

static int bad_row(void *ctx, const struct ss_store_bad_record *br)
{
    struct html *h = ctx;
    const char *path = input_path(h, br->input);

    ss_report_out_str(h->o, "<tr><td>");
    if (path != NULL)
        put_code(h, path);
    else
        ss_report_out_fmt(h->o, "<span class=\"muted\">input #%" PRIu32 "</span>", br->input);
    ss_report_out_str(h->o, "</td><td class=\"r\">");
    if (br->offset == UINT64_MAX)
        ss_report_out_str(h->o, "<span class=\"muted\">?</span>");
    else
        put_count(h, br->offset);
    ss_report_out_str(h->o, "</td><td class=\"r\">");
    if (br->line == 0)
        ss_report_out_str(h->o, "<span class=\"muted\">?</span>");
    else
        put_count(h, br->line);
    ss_report_out_str(h->o, "</td><td>");
    ss_report_out_esc(h->o, ss_strerror(br->code));
    ss_report_out_str(h->o, "</td><td>");
    ss_report_out_esc(h->o, br->reason);
    ss_report_out_str(h->o, "</td></tr>\n");
    return h->o->err;
}

static int put_unreadable(struct html *h, struct ss_store *st, struct ss_diag *d)
{
    int r;

    ss_report_out_str(h->o, "<section id=\"unreadable\"><h2>Unreadable input</h2>\n");
    if (n_unreadable(h) == 0 && h->sum.n_bad_record_rows == 0) {
        ss_report_out_str(h->o, "<p class=\"empty\">Every input was understood and read in full; "
                                "no file was skipped and no record was rejected.</p></section>\n");
        return h->o->err;
    }
    put_input_problems(h, SS_STORE_INPUT_UNKNOWN, "Files not understood", "Bad records");
    put_input_problems(h, SS_STORE_INPUT_DAMAGED, "Files read in part", "Records read");
    if (h->sum.n_skipped > 0) {
        ss_report_out_fmt(h->o,
                          "<h3>Skipped files<span class=\"n\"> (%" PRIu64 ")</span></h3>\n"
                          "<table><thead><tr><th>Path</th><th>Reason</th></tr></thead>"
                          "<tbody>\n",
                          h->sum.n_skipped);
        r = ss_store_each_skipped(st, skipped_row, h, d);
        if (r < 0)
            return ss_report_out_keep(h->o, r);
        ss_report_out_str(h->o, "</tbody></table>\n");
    }
    if (h->sum.n_bad_records > 0 || h->sum.n_bad_record_rows > 0) {
        ss_report_out_str(h->o, "<h3>Bad records<span class=\"n\"> (");
        put_count(h, SS_MAX(h->sum.n_bad_records, h->sum.n_bad_record_rows));
        ss_report_out_str(h->o, ")</span></h3>\n");
        if (h->sum.n_bad_record_rows > 0) {
            ss_report_out_str(h->o, "<table><thead><tr><th>Input</th><th class=\"r\">Offset</th>"
                                    "<th class=\"r\">Line</th><th>Error</th><th>Reason</th>"
                                    "</tr></thead><tbody>\n");
            r = ss_store_each_bad_record(st, SS_REPORT_HTML_MAX_BAD_RECORDS, bad_row, h, d);
            if (r < 0)
                return ss_report_out_keep(h->o, r);
            ss_report_out_str(h->o, "</tbody></table>\n");
        }
        if (h->sum.n_bad_record_rows > SS_REPORT_HTML_MAX_BAD_RECORDS) {
            ss_report_out_str(h->o, "<p class=\"note\">The first ");
            put_count(h, SS_REPORT_HTML_MAX_BAD_RECORDS);
            ss_report_out_str(h->o, " are listed; all ");
            put_count(h, h->sum.n_bad_record_rows);
            ss_report_out_str(h->o,
                              " are in findings.sqlite (table <code>bad_record</code>).</p>\n");
        }
        if (h->sum.n_bad_records > h->sum.n_bad_record_rows) {
            ss_report_out_str(h->o, "<p class=\"note\">");
            put_count(h, h->sum.n_bad_records - h->sum.n_bad_record_rows);
            ss_report_out_str(h->o, " bad records were counted per input but not itemised.</p>\n");
        }
    }
    ss_report_out_str(h->o, "</section>\n");
    return h->o->err;
}

static void put_footer(struct html *h)
{
    ss_report_out_str(h->o, "<footer><div class=\"wrap\">Generated by siloscope ");
    ss_report_out_esc(h->o, h->run.tool_version);
    ss_report_out_str(h->o, " (build ");
    ss_report_out_esc(h->o, h->run.tool_build);
    ss_report_out_str(h->o, ") from <code>findings.sqlite</code> for the run that finished ");
    put_time(h, h->run.finished_us);
    ss_report_out_str(h->o, ". All times are UTC. Record locations are byte ranges in the "
                            "decoded stream of each input; the full evidence, with every "
                            "location, is in <code>findings.sqlite</code> and "
                            "<code>findings.ocsf.jsonl</code>. This file is self-contained: no "
                            "scripts, no external resources.</div></footer>\n</body>\n</html>\n");
}

int ss_report_html(struct ss_store *st, const char *path, struct ss_diag *reterr_diag)
{
    struct ss_report_out out = { .fd = -1 };
    struct html h = { .o = &out, .scratch = SS_BUF_INIT(SS_REPORT_OUT_MAX) };
    bool opened = false;
    int r;

    ss_arena_init(&h.arena, (size_t)512 << 20);
    r = ss_store_get_run(st, &h.arena, &h.run, reterr_diag);
    if (r == 0)
        r = ss_store_get_summary(st, &h.sum, reterr_diag);
    if (r == 0)
        r = ss_report_checks_load(&h.checks, st, reterr_diag);
    if (r == 0)
        r = ss_store_each_input(st, load_input, &h, reterr_diag);
    if (r == 0)
        r = ss_report_out_open(&out, path, reterr_diag);
    if (r < 0)
        goto out;
    opened = true;
    put_head(&h);
    put_header(&h);
    put_nav(&h);
    ss_report_out_str(&out, "<main class=\"wrap\">\n");
    put_summary(&h);
    (void)put_findings(&h, st, reterr_diag);
    put_inputs(&h);
    (void)put_unreadable(&h, st, reterr_diag);
    ss_report_out_str(&out, "</main>\n");
    put_footer(&h);
out:
    if (opened)
        r = ss_report_out_close(&out);
    ss_buf_release(&h.scratch);
    ss_report_checks_release(&h.checks);
    ss_free(h.shown);
    ss_free(h.in.items);
    ss_arena_release(&h.arena);
    return r;
}
