/* SPDX-License-Identifier: Apache-2.0 */
/*
 * report/report.h - renderers that read a findings database (store/store.h) and write
 * the review outputs: findings.ocsf.jsonl (one OCSF 1.3.0 finding a line) and
 * report.html (a self-contained report for people). docs/report.md documents the
 * OCSF mapping and the HTML sections.
 *
 * Invariants:
 * - Output depends only on the store's content: the same store gives byte-identical
 *   files (no clock, locale, timezone or hash-order dependence). The OCSF "time" of
 *   every finding is the run's finished time.
 * - Files are written atomically: "PATH.tmp", fsync, rename to PATH. On failure PATH is
 *   left as it was and PATH.tmp is removed.
 * - Every string that comes from the store (and so possibly from a log) is escaped for
 *   its context: JSON strings are escaped and made valid UTF-8; HTML text and
 *   attributes go through ss_report_html_escape(). The HTML has no scripts, no external
 *   resources, and a Content-Security-Policy that forbids both.
 *
 * Errors: 0, -errno (writing the file), -ENOMEM, SS_ELIMIT, or a store error
 * (SS_ECORRUPT, ...), with @reterr_diag naming the file. Not thread-safe per store.
 */
#ifndef SS_REPORT_REPORT_H
#define SS_REPORT_REPORT_H

#include "core/base.h"
#include "core/buf.h"
#include "core/diag.h"
#include "store/store.h"

/** OCSF schema version the lines follow. */
#define SS_REPORT_OCSF_VERSION "1.3.0"
/** Evidence items per OCSF event; the rest are counted in unmapped.evidence_total. */
#define SS_REPORT_OCSF_MAX_EVIDENCE 100
/** Evidence rows shown per finding in HTML before the rest collapse into <details>. */
#define SS_REPORT_HTML_EVIDENCE_OPEN 20
/** Evidence rows rendered per finding in HTML at most (all stay in the database). */
#define SS_REPORT_HTML_MAX_EVIDENCE 200
/**
 * Collapsed evidence rows rendered in the whole HTML report at most; past it, findings
 * show only their open rows. Keeps a report of thousands of findings loadable.
 */
#define SS_REPORT_HTML_EVIDENCE_BUDGET 100000
/** Evidence rows per finding shown with their record text in HTML (the first ones). */
#define SS_REPORT_HTML_EXCERPTS 5
/**
 * Bytes of record text in the whole HTML report at most; past it, evidence rows show
 * location and hash only (every excerpt stays in the database). Keeps the report of a
 * review with tens of thousands of cited records small enough to read.
 */
#define SS_REPORT_HTML_EXCERPT_BUDGET ((size_t)16 << 20)
/** Bad records listed in HTML at most. */
#define SS_REPORT_HTML_MAX_BAD_RECORDS 1000

/**
 * Write every finding of @st, in canonical order, as OCSF JSON lines to @path
 * (atomically). Borrows @st and @path. Returns 0 or an error.
 */
SS_MUST_USE int ss_report_ocsf(struct ss_store *st, const char *path, struct ss_diag *reterr_diag);

/**
 * Write the HTML report of @st to @path (atomically). Borrows @st and @path. Returns 0
 * or an error (SS_ENOTFOUND when the store has no run row).
 */
SS_MUST_USE int ss_report_html(struct ss_store *st, const char *path, struct ss_diag *reterr_diag);

/**
 * Append one OCSF line (with its final '\n') for @sf to @b. @run gives the time,
 * product version and policy name; @check_title (may be NULL) names the analytic.
 * Borrows everything. Returns 0, -EINVAL (severity out of range), -ENOMEM or SS_ELIMIT
 * (@b is then cut back to its previous length).
 */
SS_MUST_USE int ss_report_ocsf_line(struct ss_buf *b, const struct ss_store_run *run,
                                    const char *check_title, const struct ss_store_finding *sf);

/**
 * Append @len bytes at @s to @b escaped for HTML text and quoted attribute values:
 * & < > " ' become entities; C0 controls other than tab and newline, and DEL, become
 * their visible Control Pictures (U+2400 + code, U+2421); invalid UTF-8 bytes, C1
 * controls and invisible formatting characters that can disguise text (bidi embeddings,
 * overrides and isolates, zero-width characters, U+FEFF) become U+FFFD. Borrows @s.
 * Returns 0, -ENOMEM or SS_ELIMIT (@b is then cut back to its previous length).
 */
SS_MUST_USE int ss_report_html_escape(struct ss_buf *b, const char *s, size_t len);

/**
 * Append @len bytes at @s to @b as a JSON string literal (quotes included): '"', '\\'
 * and control characters escaped, invalid UTF-8 bytes replaced by U+FFFD, U+2028 and
 * U+2029 escaped. Returns 0, -ENOMEM or SS_ELIMIT (@b cut back on error).
 */
SS_MUST_USE int ss_report_json_str(struct ss_buf *b, const char *s, size_t len);

#endif
