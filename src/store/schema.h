/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store/schema.h - the SQL text of the findings database schema (private to store/).
 *
 * SS_STORE_SCHEMA_STMTS is the list of statements (an array initializer; one string per
 * statement keeps each under the 4095 bytes ISO C promises) that create the tables and
 * views of a new database. The secondary indexes (SS_STORE_INDEX_SQL) are built once at
 * the end of the bulk load, which is much faster than maintaining them row by row.
 * docs/schema.md documents every column; keep the two in step and bump
 * SS_STORE_SCHEMA_VERSION on any change.
 */
#ifndef SS_STORE_SCHEMA_H
#define SS_STORE_SCHEMA_H

#include "store/store.h"

/* clang-format off */

/* A JSON object text, or NULL. CASE keeps json_type() away from malformed text. */
#define SS_SQL_JSON_OBJECT(col) \
    "(" col " IS NULL OR CASE WHEN json_valid(" col ") THEN json_type(" col ") = 'object' " \
    "ELSE 0 END)"

/* A SHA-256 as 32 raw bytes, or NULL; plus its lower-case hex as a virtual column
 * (computed when read, so bulk inserts pay nothing for it). */
#define SS_SQL_SHA256_COLS \
    "  sha256        BLOB CHECK (sha256 IS NULL OR length(sha256) = 32),\n" \
    "  sha256_hex    TEXT GENERATED ALWAYS AS (CASE WHEN sha256 IS NULL THEN NULL " \
    "ELSE lower(hex(sha256)) END) VIRTUAL,\n"

/* Lower-case hex text of an even number of digits, 2..256, or NULL. (ltrim with a set
 * is linear; "NOT GLOB '*[^0-9a-f]*'" is quadratic, which matters in bulk.) */
#define SS_SQL_HEX(col) \
    "(" col " IS NULL OR (length(" col ") BETWEEN 2 AND 256 AND length(" col ") % 2 = 0 " \
    "AND ltrim(" col ", '0123456789abcdef') = ''))"

#define SS_SQL_SEVERITY_NAME(col) \
    "CASE " col " WHEN 1 THEN 'informational' WHEN 2 THEN 'low' WHEN 3 THEN 'medium' " \
    "WHEN 4 THEN 'high' WHEN 5 THEN 'critical' END"

#define SS_SQL_TIME(col) \
    "CASE WHEN " col " IS NULL THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%SZ', " col \
    " / 1000000, 'unixepoch') END"

#define SS_STORE_SCHEMA_STMTS \
    "CREATE TABLE run (\n" \
    "  id            INTEGER PRIMARY KEY CHECK (id = 1),\n" \
    "  tool_version  TEXT NOT NULL,\n" \
    "  tool_build    TEXT NOT NULL,\n" \
    "  case_name     TEXT NOT NULL,\n" \
    "  case_root     TEXT NOT NULL,\n" \
    "  policy_name   TEXT,\n" \
    "  params_json   TEXT CHECK " SS_SQL_JSON_OBJECT("params_json") ",\n" \
    "  started_us    INTEGER NOT NULL,\n" \
    "  finished_us   INTEGER NOT NULL,\n" \
    "  n_threads     INTEGER NOT NULL CHECK (n_threads >= 0),\n" \
    "  inputs_root   TEXT CHECK " SS_SQL_HEX("inputs_root") ",\n" \
    "  findings_root TEXT CHECK " SS_SQL_HEX("findings_root") ",\n" \
    "  signed        INTEGER NOT NULL CHECK (signed IN (0, 1)),\n" \
    "  signer        TEXT\n" \
    ") STRICT;\n", \
    "CREATE TABLE input (\n" \
    "  idx           INTEGER PRIMARY KEY CHECK (idx BETWEEN 0 AND 4294967295),\n" \
    "  relpath       TEXT NOT NULL UNIQUE,\n" \
    "  kind          TEXT NOT NULL,\n" \
    "  compression   TEXT NOT NULL,\n" \
    "  size_bytes    INTEGER NOT NULL CHECK (size_bytes >= 0),\n" \
    SS_SQL_SHA256_COLS \
    "  decoded_bytes INTEGER NOT NULL CHECK (decoded_bytes >= 0),\n" \
    "  n_records     INTEGER NOT NULL CHECK (n_records >= 0),\n" \
    "  n_bad_records INTEGER NOT NULL CHECK (n_bad_records >= 0),\n" \
    "  status        TEXT NOT NULL CHECK (status IN ('ok', 'unknown', 'damaged')),\n" \
    "  reason        TEXT\n" \
    ") STRICT;\n", \
    "CREATE TABLE skipped (\n" \
    "  relpath       TEXT PRIMARY KEY,\n" \
    "  reason        TEXT NOT NULL\n" \
    ") STRICT;\n", \
    "CREATE TABLE bad_record (\n" \
    "  id            INTEGER PRIMARY KEY,\n" \
    "  input         INTEGER NOT NULL REFERENCES input(idx),\n" \
    "  offset        INTEGER CHECK (offset IS NULL OR offset >= 0),\n" \
    "  line          INTEGER CHECK (line IS NULL OR line >= 1),\n" \
    "  code          INTEGER NOT NULL,\n" \
    "  error         TEXT NOT NULL,\n" \
    "  reason        TEXT NOT NULL\n" \
    ") STRICT;\n", \
    "CREATE TABLE entity (\n" \
    "  id            INTEGER PRIMARY KEY,\n" \
    "  uid           TEXT NOT NULL UNIQUE CHECK (length(uid) > 0),\n" \
    "  type          TEXT NOT NULL\n" \
    ") STRICT;\n", \
    "CREATE TABLE finding (\n" \
    "  id            INTEGER PRIMARY KEY CHECK (id >= 1),\n" \
    "  uid           TEXT NOT NULL UNIQUE CHECK (length(uid) > 0),\n" \
    "  check_id      TEXT NOT NULL CHECK (length(check_id) > 0),\n" \
    "  class         TEXT NOT NULL CHECK (class IN ('detection', 'compliance')),\n" \
    "  severity      INTEGER NOT NULL CHECK (severity BETWEEN 1 AND 5),\n" \
    "  title         TEXT NOT NULL,\n" \
    "  description   TEXT NOT NULL,\n" \
    "  first_us      INTEGER,\n" \
    "  last_us       INTEGER,\n" \
    "  n_evidence    INTEGER NOT NULL CHECK (n_evidence >= 0),\n" \
    "  n_evidence_total INTEGER NOT NULL CHECK (n_evidence_total >= n_evidence),\n" \
    "  data_json     TEXT CHECK " SS_SQL_JSON_OBJECT("data_json") "\n" \
    ") STRICT;\n", \
    "CREATE TABLE finding_entity (\n" \
    "  finding       INTEGER NOT NULL REFERENCES finding(id),\n" \
    "  ord           INTEGER NOT NULL CHECK (ord >= 0),\n" \
    "  entity        INTEGER NOT NULL REFERENCES entity(id),\n" \
    "  PRIMARY KEY (finding, ord)\n" \
    ") STRICT, WITHOUT ROWID;\n", \
    "CREATE TABLE evidence (\n" \
    "  finding       INTEGER NOT NULL REFERENCES finding(id),\n" \
    "  ord           INTEGER NOT NULL CHECK (ord >= 0),\n" \
    "  input         INTEGER NOT NULL REFERENCES input(idx),\n" \
    "  offset        INTEGER NOT NULL CHECK (offset >= 0),\n" \
    "  length        INTEGER NOT NULL CHECK (length >= 0),\n" \
    "  rec_index     INTEGER NOT NULL CHECK (rec_index >= 0),\n" \
    SS_SQL_SHA256_COLS \
    "  PRIMARY KEY (finding, ord)\n" \
    ") STRICT, WITHOUT ROWID;\n", \
    "CREATE TABLE excerpt (\n" \
    "  input         INTEGER NOT NULL REFERENCES input(idx),\n" \
    "  offset        INTEGER NOT NULL CHECK (offset >= 0),\n" \
    "  text          TEXT NOT NULL,\n" \
    "  truncated     INTEGER NOT NULL CHECK (truncated IN (0, 1)),\n" \
    "  PRIMARY KEY (input, offset)\n" \
    ") STRICT;\n", \
    "CREATE TABLE check_stat (\n" \
    "  check_id      TEXT PRIMARY KEY CHECK (length(check_id) > 0),\n" \
    "  title         TEXT,\n" \
    "  level         INTEGER CHECK (level IS NULL OR level BETWEEN 1 AND 5),\n" \
    "  n_matches     INTEGER NOT NULL CHECK (n_matches >= 0)\n" \
    ") STRICT;\n", \
    "CREATE VIEW finding_summary AS\n" \
    "  SELECT f.id, f.uid, f.check_id, f.class, f.severity,\n" \
    "         " SS_SQL_SEVERITY_NAME("f.severity") " AS severity_name,\n" \
    "         f.title,\n" \
    "         (SELECT e.uid FROM finding_entity fe JOIN entity e ON e.id = fe.entity\n" \
    "           WHERE fe.finding = f.id AND fe.ord = 0) AS primary_entity,\n" \
    "         " SS_SQL_TIME("f.first_us") " AS first_time,\n" \
    "         " SS_SQL_TIME("f.last_us") " AS last_time,\n" \
    "         f.n_evidence, f.n_evidence_total\n" \
    "    FROM finding f;\n", \
    "CREATE VIEW evidence_located AS\n" \
    "  SELECT f.uid AS finding_uid, f.check_id, ev.ord, ev.input, i.relpath, ev.offset,\n" \
    "         ev.length, ev.rec_index, ev.sha256_hex AS sha256\n" \
    "    FROM evidence ev JOIN finding f ON f.id = ev.finding\n" \
    "    LEFT JOIN input i ON i.idx = ev.input;\n"

#define SS_STORE_INDEX_SQL \
    "CREATE INDEX IF NOT EXISTS finding_by_check ON finding(check_id);\n" \
    "CREATE INDEX IF NOT EXISTS finding_by_severity ON finding(severity DESC, id);\n" \
    "CREATE INDEX IF NOT EXISTS finding_entity_by_entity ON finding_entity(entity);\n" \
    "CREATE INDEX IF NOT EXISTS evidence_by_location ON evidence(input, offset);\n" \
    "CREATE INDEX IF NOT EXISTS bad_record_by_location ON bad_record(input, offset, line);\n"

/* clang-format on */

#endif
