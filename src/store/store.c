/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store/store.c - the findings database on SQLite: create in PATH.tmp, bulk writes
 * through cached prepared statements with every value bound as a parameter, publish by
 * rename, and defensive read-only iteration for the renderers.
 */
#include "store/store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "store/schema.h"

/* Per-finding read scratch (strings of evidence rows); a hostile database hits this. */
#define READ_ARENA_MAX ((size_t)1 << 30)
#define ENTITY_TYPE_MAX 128

enum stmt_id {
    STMT_RUN,
    STMT_INPUT,
    STMT_SKIPPED,
    STMT_BAD_RECORD,
    STMT_FINDING,
    STMT_ENTITY_INSERT,
    STMT_ENTITY_SELECT,
    STMT_FINDING_ENTITY,
    STMT_EVIDENCE,
    STMT_EXCERPT,
    STMT_CHECK,
    STMT_R_RUN,
    STMT_R_INPUTS,
    STMT_R_SKIPPED,
    STMT_R_BAD_RECORDS,
    STMT_R_CHECKS,
    STMT_R_FINDINGS_CANON,
    STMT_R_FINDINGS_SEV,
    STMT_R_ENTITIES,
    STMT_R_EVIDENCE,
    STMT__COUNT
};

/*
 * data_json is read back minified by json(), after checking that it is a JSON object:
 * renderers embed it in OCSF lines verbatim, and a database from elsewhere is not
 * bound by our CHECK constraints.
 */
#define FINDING_DATA_COLS                                                                          \
    "CASE WHEN json_valid(data_json) THEN json(data_json) END, "                                   \
    "CASE WHEN data_json IS NULL THEN 1 WHEN json_valid(data_json) THEN "                          \
    "json_type(data_json) = 'object' ELSE 0 END"

static const char *const stmt_sql[STMT__COUNT] = {
    [STMT_RUN] = "INSERT INTO run (id, tool_version, tool_build, case_name, case_root, "
                 "policy_name, params_json, started_us, finished_us, n_threads, inputs_root, "
                 "findings_root, signed, signer) "
                 "VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
                 "ON CONFLICT (id) DO UPDATE SET tool_version = excluded.tool_version, "
                 "tool_build = excluded.tool_build, case_name = excluded.case_name, "
                 "case_root = excluded.case_root, policy_name = excluded.policy_name, "
                 "params_json = excluded.params_json, started_us = excluded.started_us, "
                 "finished_us = excluded.finished_us, n_threads = excluded.n_threads, "
                 "inputs_root = excluded.inputs_root, findings_root = excluded.findings_root, "
                 "signed = excluded.signed, signer = excluded.signer",
    [STMT_INPUT] = "INSERT INTO input (idx, relpath, kind, compression, size_bytes, sha256, "
                   "decoded_bytes, n_records, n_bad_records, status, reason) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [STMT_SKIPPED] = "INSERT INTO skipped (relpath, reason) VALUES (?1, ?2)",
    [STMT_BAD_RECORD] = "INSERT INTO bad_record (input, offset, line, code, error, reason) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [STMT_FINDING] = "INSERT INTO finding (id, uid, check_id, class, severity, title, "
                     "description, first_us, last_us, n_evidence, n_evidence_total, "
                     "data_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    [STMT_ENTITY_INSERT] = "INSERT INTO entity (uid, type) VALUES (?1, ?2) "
                           "ON CONFLICT (uid) DO NOTHING",
    [STMT_ENTITY_SELECT] = "SELECT id FROM entity WHERE uid = ?1",
    [STMT_FINDING_ENTITY] = "INSERT INTO finding_entity (finding, ord, entity) "
                            "VALUES (?1, ?2, ?3)",
    [STMT_EVIDENCE] = "INSERT INTO evidence (finding, ord, input, offset, length, rec_index, "
                      "sha256) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [STMT_EXCERPT] = "INSERT INTO excerpt (input, offset, text, truncated) "
                     "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (input, offset) DO NOTHING",
    [STMT_CHECK] = "INSERT INTO check_stat (check_id, title, level, n_matches) "
                   "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (check_id) DO UPDATE SET "
                   "title = excluded.title, level = excluded.level, "
                   "n_matches = excluded.n_matches",
    [STMT_R_RUN] = "SELECT tool_version, tool_build, case_name, case_root, policy_name, "
                   "params_json, started_us, finished_us, n_threads, inputs_root, "
                   "findings_root, signed, signer FROM run WHERE id = 1",
    [STMT_R_INPUTS] = "SELECT idx, relpath, kind, compression, size_bytes, sha256, "
                      "decoded_bytes, n_records, n_bad_records, status, reason "
                      "FROM input ORDER BY idx",
    [STMT_R_SKIPPED] = "SELECT relpath, reason FROM skipped ORDER BY relpath",
    [STMT_R_BAD_RECORDS] = "SELECT input, offset, line, code, reason FROM bad_record "
                           "ORDER BY input, offset, line, id LIMIT ?1",
    [STMT_R_CHECKS] = "WITH ids (check_id) AS (SELECT check_id FROM finding "
                      "UNION SELECT check_id FROM check_stat) "
                      "SELECT ids.check_id, cs.title, cs.level, cs.n_matches, "
                      "(SELECT count(*) FROM finding f WHERE f.check_id = ids.check_id), "
                      "(SELECT max(severity) FROM finding f WHERE f.check_id = ids.check_id) "
                      "FROM ids LEFT JOIN check_stat cs ON cs.check_id = ids.check_id "
                      "ORDER BY ids.check_id",
    [STMT_R_FINDINGS_CANON] = "SELECT id, uid, check_id, class, severity, title, description, "
                              "first_us, last_us, n_evidence_total, " FINDING_DATA_COLS " "
                              "FROM finding ORDER BY id",
    /* ?1: at most this many of each check (its most severe), ?2: at most this many */
    [STMT_R_FINDINGS_SEV] = "SELECT id, uid, check_id, class, severity, title, description, "
                            "first_us, last_us, n_evidence_total, " FINDING_DATA_COLS " "
                            "FROM finding WHERE id IN (SELECT id FROM (SELECT id, "
                            "row_number() OVER (PARTITION BY check_id ORDER BY severity DESC, "
                            "id) AS k FROM finding) WHERE k <= ?1) "
                            "ORDER BY severity DESC, id LIMIT ?2",
    [STMT_R_ENTITIES] = "SELECT e.uid, e.type FROM finding_entity fe "
                        "JOIN entity e ON e.id = fe.entity WHERE fe.finding = ?1 "
                        "ORDER BY fe.ord",
    [STMT_R_EVIDENCE] = "SELECT ev.input, ev.offset, ev.length, ev.rec_index, ev.sha256, "
                        "i.relpath, x.text FROM evidence ev "
                        "LEFT JOIN input i ON i.idx = ev.input "
                        "LEFT JOIN excerpt x ON x.input = ev.input AND x.offset = ev.offset "
                        "WHERE ev.finding = ?1 ORDER BY ev.ord",
};

static const char *const schema_stmts[] = { SS_STORE_SCHEMA_STMTS };

struct ss_store {
    sqlite3 *db;
    char *path;     /* final path */
    char *tmp_path; /* PATH.tmp while building; NULL once published */
    bool writable;
    bool in_txn;
    int64_t n_findings; /* findings put so far: the next seq is n_findings + 1 */
    sqlite3_stmt *stmt[STMT__COUNT];
    /* Read scratch for one finding, reused across findings. */
    struct ss_arena arena;
    const char **ent_ids;
    const char **ent_types;
    size_t ent_cap;
    struct ss_evidence *ev;
    const char **ev_relpath;
    const char **ev_excerpt;
    size_t ev_cap;
};

const char *ss_store_input_status_name(enum ss_store_input_status s)
{
    switch (s) {
    case SS_STORE_INPUT_OK:
        return "ok";
    case SS_STORE_INPUT_UNKNOWN:
        return "unknown";
    case SS_STORE_INPUT_DAMAGED:
        return "damaged";
    case SS_STORE_INPUT__COUNT:
        break;
    }
    return "?";
}

const char *ss_store_path(const struct ss_store *st)
{
    return st->path;
}

/* Errors ----------------------------------------------------------------------------- */

static int map_sqlite(sqlite3 *db, int rc)
{
    switch (rc & 0xff) {
    case SQLITE_NOMEM:
        return -ENOMEM;
    case SQLITE_FULL:
        return -ENOSPC;
    case SQLITE_IOERR: {
        const int e = db ? sqlite3_system_errno(db) : 0;
        return e > 0 ? -e : -EIO;
    }
    case SQLITE_CANTOPEN: {
        const int e = db ? sqlite3_system_errno(db) : 0;
        return e > 0 ? -e : -ENOENT;
    }
    case SQLITE_CONSTRAINT:
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
            return -EEXIST;
        return -EINVAL;
    case SQLITE_TOOBIG:
        return SS_ELIMIT;
    case SQLITE_READONLY:
        return -EROFS;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return -EBUSY;
    case SQLITE_PERM:
    case SQLITE_AUTH:
        return -EACCES;
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
        return -EINVAL;
    default:
        /* SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_SCHEMA, and SQLITE_ERROR (our own SQL
         * failing to prepare means the tables are not what we expect). */
        return SS_ECORRUPT;
    }
}

static int sql_fail(const struct ss_store *st, int rc, const char *what, struct ss_diag *d)
{
    const int r = map_sqlite(st->db, rc);

    return ss_diag_set(d, r, st->path, 0, 0, UINT64_MAX, "sqlite: %s: %s", what,
                       st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
}

static int bad_arg(const struct ss_store *st, int r, const char *what, struct ss_diag *d)
{
    return ss_diag_set(d, r, st->path, 0, 0, UINT64_MAX, "%s", what);
}

/* Statements and binding ---------------------------------------------------------- */

static int get_stmt(struct ss_store *st, enum stmt_id id, sqlite3_stmt **ret, struct ss_diag *d)
{
    sqlite3_stmt *s = st->stmt[id];

    if (s == NULL) {
        const int rc =
            sqlite3_prepare_v3(st->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
        if (rc != SQLITE_OK)
            return sql_fail(st, rc, "prepare", d);
        st->stmt[id] = s;
    } else {
        (void)sqlite3_reset(s);
        (void)sqlite3_clear_bindings(s);
    }
    *ret = s;
    return 0;
}

/*
 * Binding parameters of one statement. The first failure sticks in err and later
 * binds do nothing, so a statement's parameters read as a plain list of calls
 * followed by one check. Text is bound SQLITE_STATIC: it must outlive the step.
 */
struct binder {
    struct ss_store *st;
    sqlite3_stmt *s;
    struct ss_diag *d;
    int err;
};

static void bind_check(struct binder *b, int rc)
{
    if (rc != SQLITE_OK && b->err == 0)
        b->err = sql_fail(b->st, rc, "bind", b->d);
}

static void bind_text_len(struct binder *b, int i, const char *text, size_t len)
{
    if (b->err < 0)
        return;
    if (len > SS_STORE_MAX_TEXT) {
        b->err = bad_arg(b->st, SS_ELIMIT, "text value too long", b->d);
        return;
    }
    bind_check(b, sqlite3_bind_text(b->s, i, text, (int)len, SQLITE_STATIC));
}

/* Bind @text; NULL binds SQL NULL. */
static void bind_text(struct binder *b, int i, const char *text)
{
    if (b->err < 0)
        return;
    if (text == NULL)
        bind_check(b, sqlite3_bind_null(b->s, i));
    else
        bind_text_len(b, i, text, strlen(text));
}

static void bind_null(struct binder *b, int i)
{
    if (b->err == 0)
        bind_check(b, sqlite3_bind_null(b->s, i));
}

static void bind_i64(struct binder *b, int i, int64_t v)
{
    if (b->err == 0)
        bind_check(b, sqlite3_bind_int64(b->s, i, (sqlite3_int64)v));
}

static void bind_u64(struct binder *b, int i, uint64_t v)
{
    if (b->err < 0)
        return;
    if (v > (uint64_t)INT64_MAX) {
        b->err = bad_arg(b->st, SS_ELIMIT, "integer value above INT64_MAX", b->d);
        return;
    }
    bind_check(b, sqlite3_bind_int64(b->s, i, (sqlite3_int64)v));
}

/* Bind a SHA-256 as 32 bytes, or NULL when absent or all zero. */
static void bind_sha256(struct binder *b, int i, const uint8_t *sha)
{
    static const uint8_t zero[32];

    if (b->err < 0)
        return;
    if (sha == NULL || memcmp(sha, zero, sizeof(zero)) == 0)
        bind_null(b, i);
    else
        bind_check(b, sqlite3_bind_blob(b->s, i, sha, 32, SQLITE_STATIC));
}

/* Prepare (or reuse) statement @id and start binding it. */
static int bind_start(struct ss_store *st, enum stmt_id id, struct binder *b, struct ss_diag *d)
{
    *b = (struct binder){ .st = st, .d = d };
    b->err = get_stmt(st, id, &b->s, d);
    return b->err;
}

/* Step a statement that returns no rows. */
static int step_done(struct ss_store *st, sqlite3_stmt *s, const char *what, struct ss_diag *d)
{
    const int rc = sqlite3_step(s);
    int r = 0;

    if (rc != SQLITE_DONE)
        r = sql_fail(st, rc, what, d);
    (void)sqlite3_reset(s);
    return r;
}

/* Finish binding and run the statement. */
static int bind_run(struct binder *b, const char *what)
{
    if (b->err < 0) {
        if (b->s != NULL)
            (void)sqlite3_reset(b->s);
        return b->err;
    }
    return step_done(b->st, b->s, what, b->d);
}

static int exec_sql(struct ss_store *st, const char *sql, const char *what, struct ss_diag *d)
{
    const int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

    if (rc != SQLITE_OK)
        return sql_fail(st, rc, what, d);
    return 0;
}

static int check_writable(const struct ss_store *st, struct ss_diag *d)
{
    if (!st->writable)
        return bad_arg(st, -EROFS, "store is read-only", d);
    return 0;
}

/* Opening and closing ---------------------------------------------------------------- */

static void finalize_all(struct ss_store *st)
{
    for (size_t i = 0; i < STMT__COUNT; i++) {
        if (st->stmt[i] != NULL)
            (void)sqlite3_finalize(st->stmt[i]);
        st->stmt[i] = NULL;
    }
}

static void close_db(struct ss_store *st)
{
    finalize_all(st);
    if (st->db != NULL)
        (void)sqlite3_close_v2(st->db);
    st->db = NULL;
}

static struct ss_store *store_alloc(const char *path)
{
    struct ss_store *st = ss_calloc(1, sizeof(*st));

    if (st == NULL)
        return NULL;
    st->path = ss_strdup(path);
    if (st->path == NULL) {
        ss_free(st);
        return NULL;
    }
    ss_arena_init(&st->arena, READ_ARENA_MAX);
    return st;
}

/* Run a query returning one integer (a PRAGMA, an aggregate). */
static int query_int(struct ss_store *st, const char *sql, int64_t *ret, struct ss_diag *d)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
    int r = 0;

    if (rc != SQLITE_OK)
        return sql_fail(st, rc, "pragma", d);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *ret = (int64_t)sqlite3_column_int64(s, 0);
    else
        r = sql_fail(st, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, "pragma", d);
    (void)sqlite3_finalize(s);
    return r;
}

/* Open st->path read-only and check that it is a siloscope database of our version. */
static int open_readonly(struct ss_store *st, struct ss_diag *d)
{
    int64_t app_id = 0, version = 0;
    int rc, r;

    rc = sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK)
        return sql_fail(st, rc, "open", d);
    (void)sqlite3_extended_result_codes(st->db, 1);
    /* The file may come from elsewhere: no triggers, no views, no untrusted functions,
     * bounded values, and corruption checks on every cell. */
    (void)sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
    (void)sqlite3_db_config(st->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
    (void)sqlite3_db_config(st->db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, (int *)NULL);
    (void)sqlite3_db_config(st->db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, (int *)NULL);
    (void)sqlite3_limit(st->db, SQLITE_LIMIT_LENGTH, (int)SS_STORE_MAX_ROW);
    r = exec_sql(st, "PRAGMA query_only = ON; PRAGMA cell_size_check = ON;", "pragma", d);
    if (r < 0)
        return r;
    r = query_int(st, "PRAGMA application_id", &app_id, d);
    if (r < 0)
        return r;
    if (app_id != SS_STORE_APPLICATION_ID)
        return ss_diag_set(d, SS_ECORRUPT, st->path, 0, 0, UINT64_MAX,
                           "not a siloscope findings database");
    r = query_int(st, "PRAGMA user_version", &version, d);
    if (r < 0)
        return r;
    if (version != SS_STORE_SCHEMA_VERSION)
        return ss_diag_set(d, SS_EUNSUPPORTED, st->path, 0, 0, UINT64_MAX,
                           "schema version %" PRId64 " (this build reads %d)", version,
                           SS_STORE_SCHEMA_VERSION);
    return 0;
}

int ss_store_open(const char *path, struct ss_store **ret_store, struct ss_diag *reterr_diag)
{
    struct ss_store *st = NULL;
    struct stat sb;
    int r;

    if (stat(path, &sb) != 0) {
        r = -errno;
        return ss_diag_set(reterr_diag, r, path, 0, 0, UINT64_MAX, "cannot open: %s",
                           ss_strerror(r));
    }
    if (!S_ISREG(sb.st_mode))
        return ss_diag_set(reterr_diag, SS_ECORRUPT, path, 0, 0, UINT64_MAX, "not a regular file");
    st = store_alloc(path);
    if (st == NULL)
        return -ENOMEM;
    r = open_readonly(st, reterr_diag);
    if (r < 0)
        goto fail;
    *ret_store = st;
    return 0;
fail:
    ss_store_free(st);
    return r;
}

int ss_store_create(const char *path, struct ss_store **ret_store, struct ss_diag *reterr_diag)
{
    struct ss_store *st = store_alloc(path);
    struct ss_buf b = SS_BUF_INIT(SS_BUF_SMALL_MAX);
    int rc, r;

    if (st == NULL)
        return -ENOMEM;
    r = ss_buf_puts(&b, path);
    if (r == 0)
        r = ss_buf_puts(&b, ".tmp");
    if (r < 0)
        goto fail;
    st->tmp_path = ss_buf_detach(&b);
    if (st->tmp_path == NULL) {
        r = -ENOMEM;
        goto fail;
    }
    if (unlink(st->tmp_path) != 0 && errno != ENOENT) {
        r = -errno;
        r = ss_diag_set(reterr_diag, r, st->tmp_path, 0, 0, UINT64_MAX,
                        "cannot remove stale file: %s", ss_strerror(r));
        goto fail;
    }
    rc = sqlite3_open_v2(st->tmp_path, &st->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        r = sql_fail(st, rc, "create", reterr_diag);
        goto fail;
    }
    st->writable = true;
    (void)sqlite3_extended_result_codes(st->db, 1);
    (void)sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
    (void)sqlite3_limit(st->db, SQLITE_LIMIT_LENGTH, (int)SS_STORE_MAX_ROW);
    /* The file is disposable until ss_store_finish renames it, so durability during the
     * build buys nothing: journal in memory (rollback still works), no syncs. */
    r = exec_sql(st,
                 "PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = MEMORY;"
                 "PRAGMA synchronous = OFF; PRAGMA foreign_keys = ON;"
                 "PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;",
                 "pragma", reterr_diag);
    if (r < 0)
        goto fail;
    r = exec_sql(st, "BEGIN", "create schema", reterr_diag);
    for (size_t i = 0; i < SS_ARRAY_LEN(schema_stmts) && r == 0; i++)
        r = exec_sql(st, schema_stmts[i], "create schema", reterr_diag);
    if (r == 0)
        r = exec_sql(st, "COMMIT", "create schema", reterr_diag);
    if (r < 0)
        goto fail;
    r = exec_sql(st, "PRAGMA application_id = 1934844784; PRAGMA user_version = 2;", "pragma",
                 reterr_diag);
    if (r < 0)
        goto fail;
    *ret_store = st;
    return 0;
fail:
    ss_buf_release(&b);
    ss_store_free(st);
    return r;
}

/* SQLite cannot take the version macros in PRAGMA text; keep the literals above honest. */
_Static_assert(SS_STORE_APPLICATION_ID == 1934844784, "application id literal");
_Static_assert(SS_STORE_SCHEMA_VERSION == 2, "schema version literal");

static int fsync_path(const char *path, bool dir)
{
    const int fd = open(path, O_RDONLY | (dir ? O_DIRECTORY : 0));
    int r = 0;

    if (fd < 0)
        return -errno;
    if (fsync(fd) != 0)
        r = -errno;
    (void)close(fd);
    return r;
}

static int fsync_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    int r;

    if (slash == NULL)
        return fsync_path(".", true);
    if (slash == path)
        return fsync_path("/", true);
    dir = ss_strndup(path, (size_t)(slash - path));
    if (dir == NULL)
        return -ENOMEM;
    r = fsync_path(dir, true);
    ss_free(dir);
    return r;
}

int ss_store_finish(struct ss_store *st, struct ss_diag *reterr_diag)
{
    int r;

    if (!st->writable || st->tmp_path == NULL)
        return bad_arg(st, -EINVAL, "store is not being built", reterr_diag);
    if (st->in_txn) {
        r = ss_store_commit(st, reterr_diag);
        if (r < 0)
            return r;
    }
    r = exec_sql(st, "BEGIN; " SS_STORE_INDEX_SQL "COMMIT;", "create indexes", reterr_diag);
    if (r < 0)
        return r;
    close_db(st);
    st->writable = false;
    r = fsync_path(st->tmp_path, false);
    if (r < 0)
        return ss_diag_set(reterr_diag, r, st->tmp_path, 0, 0, UINT64_MAX, "cannot sync: %s",
                           ss_strerror(r));
    if (rename(st->tmp_path, st->path) != 0) {
        r = -errno;
        return ss_diag_set(reterr_diag, r, st->path, 0, 0, UINT64_MAX, "cannot rename: %s",
                           ss_strerror(r));
    }
    ss_free(st->tmp_path);
    st->tmp_path = NULL;
    r = fsync_parent(st->path);
    if (r < 0)
        return ss_diag_set(reterr_diag, r, st->path, 0, 0, UINT64_MAX, "cannot sync directory: %s",
                           ss_strerror(r));
    return open_readonly(st, reterr_diag);
}

void ss_store_free(struct ss_store *st)
{
    if (st == NULL)
        return;
    close_db(st);
    if (st->tmp_path != NULL) {
        (void)unlink(st->tmp_path);
        ss_free(st->tmp_path);
    }
    ss_free(st->path);
    ss_arena_release(&st->arena);
    ss_free(st->ent_ids);
    ss_free(st->ent_types);
    ss_free(st->ev);
    ss_free(st->ev_relpath);
    ss_free(st->ev_excerpt);
    ss_free(st);
}

/* Transactions ---------------------------------------------------------------------- */

int ss_store_begin(struct ss_store *st, struct ss_diag *reterr_diag)
{
    int r = check_writable(st, reterr_diag);

    if (r < 0)
        return r;
    if (st->in_txn)
        return bad_arg(st, -EINVAL, "transaction already open", reterr_diag);
    r = exec_sql(st, "BEGIN", "begin", reterr_diag);
    if (r == 0)
        st->in_txn = true;
    return r;
}

int ss_store_commit(struct ss_store *st, struct ss_diag *reterr_diag)
{
    int r;

    if (!st->in_txn)
        return bad_arg(st, -EINVAL, "no transaction open", reterr_diag);
    r = exec_sql(st, "COMMIT", "commit", reterr_diag);
    if (r == 0)
        st->in_txn = false;
    return r;
}

int ss_store_rollback(struct ss_store *st, struct ss_diag *reterr_diag)
{
    int r;

    if (!st->in_txn)
        return 0;
    st->in_txn = false;
    r = exec_sql(st, "ROLLBACK", "rollback", reterr_diag);
    /* Findings of the rolled-back transaction are gone; resynchronise the seq. */
    if (r == 0) {
        int64_t n = 0;
        r = query_int(st, "SELECT coalesce(max(id), 0) FROM finding", &n, reterr_diag);
        if (r == 0)
            st->n_findings = n;
    }
    return r;
}

/* Writing -------------------------------------------------------------------------- */

static bool json_object_ok(const char *s)
{
    /* Only a cheap shape test; the CHECK constraint does the full validation. */
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    return *s == '{';
}

int ss_store_put_run(struct ss_store *st, const struct ss_store_run *run,
                     struct ss_diag *reterr_diag)
{
    struct binder b;
    int r = check_writable(st, reterr_diag);

    if (r < 0)
        return r;
    if (run->tool_version == NULL || run->tool_build == NULL || run->case_name == NULL ||
        run->case_root == NULL)
        return bad_arg(st, -EINVAL, "run: a required field is missing", reterr_diag);
    if (run->params_json != NULL && !json_object_ok(run->params_json))
        return bad_arg(st, -EINVAL, "run: params_json is not a JSON object", reterr_diag);
    r = bind_start(st, STMT_RUN, &b, reterr_diag);
    if (r < 0)
        return r;
    bind_text(&b, 1, run->tool_version);
    bind_text(&b, 2, run->tool_build);
    bind_text(&b, 3, run->case_name);
    bind_text(&b, 4, run->case_root);
    bind_text(&b, 5, run->policy_name);
    bind_text(&b, 6, run->params_json);
    bind_i64(&b, 7, run->started_us);
    bind_i64(&b, 8, run->finished_us);
    bind_u64(&b, 9, run->n_threads);
    bind_text(&b, 10, run->inputs_root);
    bind_text(&b, 11, run->findings_root);
    bind_i64(&b, 12, run->is_signed ? 1 : 0);
    bind_text(&b, 13, run->signer);
    return bind_run(&b, "put run");
}

int ss_store_put_input(struct ss_store *st, const struct ss_store_input *in,
                       struct ss_diag *reterr_diag)
{
    struct binder b;
    int r = check_writable(st, reterr_diag);

    if (r < 0)
        return r;
    if (in->relpath == NULL || in->kind == NULL || in->compression == NULL)
        return bad_arg(st, -EINVAL, "input: a required field is missing", reterr_diag);
    if ((unsigned)in->status >= SS_STORE_INPUT__COUNT)
        return bad_arg(st, -EINVAL, "input: bad status", reterr_diag);
    r = bind_start(st, STMT_INPUT, &b, reterr_diag);
    if (r < 0)
        return r;
    bind_u64(&b, 1, in->index);
    bind_text(&b, 2, in->relpath);
    bind_text(&b, 3, in->kind);
    bind_text(&b, 4, in->compression);
    bind_u64(&b, 5, in->size_bytes);
    bind_sha256(&b, 6, in->has_sha256 ? in->sha256 : NULL);
    bind_u64(&b, 7, in->decoded_bytes);
    bind_u64(&b, 8, in->n_records);
    bind_u64(&b, 9, in->n_bad_records);
    bind_text(&b, 10, ss_store_input_status_name(in->status));
    bind_text(&b, 11, in->reason);
    return bind_run(&b, "put input");
}

int ss_store_put_skipped(struct ss_store *st, const struct ss_store_skipped *sk,
                         struct ss_diag *reterr_diag)
{
    struct binder b;
    int r = check_writable(st, reterr_diag);

    if (r < 0)
        return r;
    if (sk->relpath == NULL || sk->reason == NULL)
        return bad_arg(st, -EINVAL, "skipped: a required field is missing", reterr_diag);
    r = bind_start(st, STMT_SKIPPED, &b, reterr_diag);
    if (r < 0)
        return r;
    bind_text(&b, 1, sk->relpath);
    bind_text(&b, 2, sk->reason);
    return bind_run(&b, "put skipped");
}

int ss_store_put_bad_record(struct ss_store *st, const struct ss_store_bad_record *br,
                            struct ss_diag *reterr_diag)
{
    struct binder b;
    int r = check_writable(st, reterr_diag);

    if (r < 0)
        return r;
    if (br->reason == NULL)
        return bad_arg(st, -EINVAL, "bad record: reason missing", reterr_diag);
    r = bind_start(st, STMT_BAD_RECORD, &b, reterr_diag);
    if (r < 0)
        return r;
    bind_u64(&b, 1, br->input);
    if (br->offset == UINT64_MAX)
        bind_null(&b, 2);
    else
        bind_u64(&b, 2, br->offset);
    if (br->line == 0)
        bind_null(&b, 3);
    else
        bind_u64(&b, 3, br->line);
    bind_i64(&b, 4, br->code);
    bind_text(&b, 5, ss_strerror(br->code));
    bind_text(&b, 6, br->reason);
    return bind_run(&b, "put bad record");
}

/* Id of entity @uid, inserting it (with its derived type) if new. */
static int entity_id(struct ss_store *st, const char *uid, int64_t *ret, struct ss_diag *d)
{
    char type[ENTITY_TYPE_MAX];
    struct binder b;
    int rc, r;

    r = bind_start(st, STMT_ENTITY_INSERT, &b, d);
    if (r < 0)
        return r;
    bind_text(&b, 1, uid);
    bind_text(&b, 2, ss_store_entity_type(uid, type, sizeof(type)));
    r = bind_run(&b, "put entity");
    if (r < 0)
        return r;
    if (sqlite3_changes(st->db) == 1) {
        *ret = (int64_t)sqlite3_last_insert_rowid(st->db);
        return 0;
    }
    r = bind_start(st, STMT_ENTITY_SELECT, &b, d);
    if (r < 0)
        return r;
    bind_text(&b, 1, uid);
    if (b.err < 0)
        return b.err;
    rc = sqlite3_step(b.s);
    if (rc == SQLITE_ROW)
        *ret = (int64_t)sqlite3_column_int64(b.s, 0);
    else
        r = sql_fail(st, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, "get entity", d);
    (void)sqlite3_reset(b.s);
    return r;
}

static int put_finding_rows(struct ss_store *st, const struct ss_finding *f, const char *uid,
                            enum ss_store_finding_flags flags, int64_t seq, struct ss_diag *d)
{
    const uint64_t total = SS_MAX(f->n_evidence_total, (uint64_t)f->n_evidence);
    const bool compliance = (flags & SS_STORE_FINDING_COMPLIANCE) != 0;
    struct binder b;
    int r;

    r = bind_start(st, STMT_FINDING, &b, d);
    if (r < 0)
        return r;
    bind_i64(&b, 1, seq);
    bind_text(&b, 2, uid);
    bind_text(&b, 3, f->check_id);
    bind_text(&b, 4, compliance ? "compliance" : "detection");
    bind_i64(&b, 5, (int64_t)f->severity);
    bind_text(&b, 6, f->title);
    bind_text(&b, 7, f->desc != NULL ? f->desc : "");
    if (f->first_us != 0)
        bind_i64(&b, 8, f->first_us);
    if (f->last_us != 0)
        bind_i64(&b, 9, f->last_us);
    bind_u64(&b, 10, f->n_evidence);
    bind_u64(&b, 11, total);
    bind_text(&b, 12, f->data_json);
    r = bind_run(&b, "put finding");
    if (r < 0)
        return r;

    for (size_t i = 0; i < f->n_entities; i++) {
        int64_t eid = 0;
        r = entity_id(st, f->entities[i], &eid, d);
        if (r < 0)
            return r;
        r = bind_start(st, STMT_FINDING_ENTITY, &b, d);
        if (r < 0)
            return r;
        bind_i64(&b, 1, seq);
        bind_u64(&b, 2, i);
        bind_i64(&b, 3, eid);
        r = bind_run(&b, "put finding entity");
        if (r < 0)
            return r;
    }

    for (size_t i = 0; i < f->n_evidence; i++) {
        const struct ss_evidence *ev = &f->evidence[i];
        r = bind_start(st, STMT_EVIDENCE, &b, d);
        if (r < 0)
            return r;
        bind_i64(&b, 1, seq);
        bind_u64(&b, 2, i);
        bind_u64(&b, 3, ev->loc.input);
        bind_u64(&b, 4, ev->loc.offset);
        bind_u64(&b, 5, ev->loc.len);
        bind_u64(&b, 6, ev->loc.index);
        bind_sha256(&b, 7, ev->sha256);
        r = bind_run(&b, "put evidence");
        if (r < 0)
            return r;
    }
    return 0;
}

int ss_store_put_finding(struct ss_store *st, const struct ss_finding *f, const char *uid,
                         enum ss_store_finding_flags flags, struct ss_diag *reterr_diag)
{
    const int64_t seq = st->n_findings + 1;
    int r = check_writable(st, reterr_diag);

    if (r < 0)
        return r;
    if (uid == NULL || uid[0] == '\0' || f->check_id == NULL || f->check_id[0] == '\0' ||
        f->title == NULL)
        return bad_arg(st, -EINVAL, "finding: a required field is missing", reterr_diag);
    if (f->severity < SS_SEV_INFO || f->severity > SS_SEV_CRITICAL)
        return bad_arg(st, -EINVAL, "finding: severity out of range", reterr_diag);
    if (f->n_entities > SS_STORE_READ_MAX_ENTITIES || f->n_evidence > SS_STORE_READ_MAX_EVIDENCE)
        return bad_arg(st, SS_ELIMIT, "finding: too many entities or evidence rows", reterr_diag);
    for (size_t i = 0; i < f->n_entities; i++) {
        if (f->entities[i] == NULL || f->entities[i][0] == '\0')
            return bad_arg(st, -EINVAL, "finding: empty entity id", reterr_diag);
    }
    if (f->data_json != NULL && !json_object_ok(f->data_json))
        return bad_arg(st, -EINVAL, "finding: data_json is not a JSON object", reterr_diag);

    /* A savepoint makes the finding and its rows one unit, inside or outside a
     * caller's transaction. */
    r = exec_sql(st, "SAVEPOINT finding", "savepoint", reterr_diag);
    if (r < 0)
        return r;
    r = put_finding_rows(st, f, uid, flags, seq, reterr_diag);
    if (r < 0) {
        (void)sqlite3_exec(st->db, "ROLLBACK TO finding; RELEASE finding", NULL, NULL, NULL);
        return r;
    }
    r = exec_sql(st, "RELEASE finding", "release", reterr_diag);
    if (r < 0)
        return r;
    st->n_findings = seq;
    return 0;
}

/*
 * Length of the longest prefix of @s (at most @max bytes) that does not end inside a
 * UTF-8 sequence. Invalid bytes are kept as they are (the renderers neutralise them);
 * only cutting a valid-looking sequence in two is avoided.
 */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
    size_t n, k;

    if (len <= max)
        return len;
    n = max;
    k = n;
    while (k > 0 && n - k < 3 && ((unsigned char)s[k - 1] & 0xC0) == 0x80)
        k--;
    if (k > 0) {
        const unsigned char lead = (unsigned char)s[k - 1];
        size_t need = 1;
        if (lead >= 0xF0)
            need = 4;
        else if (lead >= 0xE0)
            need = 3;
        else if (lead >= 0xC0)
            need = 2;
        if (lead >= 0xC0 && (k - 1) + need > n)
            return k - 1;
    }
    return n;
}

int ss_store_put_excerpt(struct ss_store *st, const struct ss_loc *loc, const char *text,
                         size_t len, struct ss_diag *reterr_diag)
{
    struct binder b;
    size_t n;
    int r = check_writable(st, reterr_diag);

    if (r < 0)
        return r;
    if (text == NULL)
        return bad_arg(st, -EINVAL, "excerpt: text missing", reterr_diag);
    n = utf8_cut(text, len, SS_STORE_EXCERPT_MAX);
    r = bind_start(st, STMT_EXCERPT, &b, reterr_diag);
    if (r < 0)
        return r;
    bind_u64(&b, 1, loc->input);
    bind_u64(&b, 2, loc->offset);
    bind_text_len(&b, 3, text, n);
    bind_i64(&b, 4, n < len ? 1 : 0);
    return bind_run(&b, "put excerpt");
}

int ss_store_put_check(struct ss_store *st, const struct ss_store_check *c,
                       struct ss_diag *reterr_diag)
{
    struct binder b;
    int r = check_writable(st, reterr_diag);

    if (r < 0)
        return r;
    if (c->check_id == NULL || c->check_id[0] == '\0')
        return bad_arg(st, -EINVAL, "check: id missing", reterr_diag);
    if (c->level != 0 && (c->level < SS_SEV_INFO || c->level > SS_SEV_CRITICAL))
        return bad_arg(st, -EINVAL, "check: level out of range", reterr_diag);
    r = bind_start(st, STMT_CHECK, &b, reterr_diag);
    if (r < 0)
        return r;
    bind_text(&b, 1, c->check_id);
    bind_text(&b, 2, c->title);
    if (c->level != 0)
        bind_i64(&b, 3, (int64_t)c->level);
    bind_u64(&b, 4, c->n_matches);
    return bind_run(&b, "put check");
}

/* Reading -------------------------------------------------------------------------- */

/*
 * Reading the columns of one row. As with struct binder, the first problem sticks in
 * err and later reads return zero values, so a row reads as a list of calls followed
 * by one check. Text pointers are SQLite's: valid until the statement steps again.
 */
struct row {
    struct ss_store *st;
    sqlite3_stmt *s;
    struct ss_diag *d;
    int err;
};

static void row_corrupt(struct row *rw, const char *what)
{
    if (rw->err == 0)
        rw->err = ss_diag_set(rw->d, SS_ECORRUPT, rw->st->path, 0, 0, UINT64_MAX, "bad value in %s",
                              what);
}

/* Text column @i, or NULL for SQL NULL. */
static const char *row_text_or_null(struct row *rw, int i)
{
    if (rw->err < 0 || sqlite3_column_type(rw->s, i) == SQLITE_NULL)
        return NULL;
    return (const char *)sqlite3_column_text(rw->s, i);
}

/* Text column @i; SQL NULL reads as "". */
static const char *row_text(struct row *rw, int i)
{
    const char *t = row_text_or_null(rw, i);

    return t != NULL ? t : "";
}

/* Integer column @i; SQL NULL reads as 0. */
static int64_t row_i64(struct row *rw, int i, const char *what)
{
    const int type = rw->err < 0 ? SQLITE_NULL : sqlite3_column_type(rw->s, i);

    if (type == SQLITE_NULL)
        return 0;
    if (type != SQLITE_INTEGER) {
        row_corrupt(rw, what);
        return 0;
    }
    return (int64_t)sqlite3_column_int64(rw->s, i);
}

/* Non-negative integer column @i no larger than @max; SQL NULL reads as 0. */
static uint64_t row_u64(struct row *rw, int i, uint64_t max, const char *what)
{
    const int64_t v = row_i64(rw, i, what);

    if (v < 0 || (uint64_t)v > max) {
        row_corrupt(rw, what);
        return 0;
    }
    return (uint64_t)v;
}

/* Severity column @i (1-5; NULL reads as 0, accepted only when @allow_zero). */
static enum ss_severity row_severity(struct row *rw, int i, bool allow_zero, const char *what)
{
    const uint64_t v = row_u64(rw, i, SS_SEV_CRITICAL, what);

    if (rw->err == 0 && v == 0 && !allow_zero)
        row_corrupt(rw, what);
    return (enum ss_severity)v;
}

/* A 32-byte BLOB column into @out (zeros when NULL); returns whether one was present. */
static bool row_sha256(struct row *rw, int i, uint8_t out[32], const char *what)
{
    const int type = rw->err < 0 ? SQLITE_NULL : sqlite3_column_type(rw->s, i);
    const void *p;

    memset(out, 0, 32);
    if (type == SQLITE_NULL)
        return false;
    p = sqlite3_column_blob(rw->s, i);
    if (type != SQLITE_BLOB || p == NULL || sqlite3_column_bytes(rw->s, i) != 32) {
        row_corrupt(rw, what);
        return false;
    }
    memcpy(out, p, 32);
    return true;
}

/* Text column @i copied into @a (NULL stays NULL). */
static const char *row_copy(struct row *rw, struct ss_arena *a, int i)
{
    const char *t = row_text_or_null(rw, i);
    char *c;

    if (t == NULL)
        return NULL;
    c = ss_arena_strndup(a, t, (size_t)sqlite3_column_bytes(rw->s, i));
    if (c == NULL && rw->err == 0)
        rw->err = ss_diag_set(rw->d, ss_arena_failed(a), rw->st->path, 0, 0, UINT64_MAX,
                              "out of memory reading the store");
    return c;
}

/* Prepare (or reuse) a reading statement. */
static int row_start(struct ss_store *st, enum stmt_id id, struct row *rw, struct ss_diag *d)
{
    *rw = (struct row){ .st = st, .d = d };
    rw->err = get_stmt(st, id, &rw->s, d);
    return rw->err;
}

/*
 * Step to the next row: 1 with a row, 0 at the end, or a negative error. The statement
 * is reset at the end or on error.
 */
static int row_next(struct row *rw, const char *what)
{
    int rc;

    if (rw->err < 0) {
        (void)sqlite3_reset(rw->s);
        return rw->err;
    }
    rc = sqlite3_step(rw->s);
    if (rc == SQLITE_ROW)
        return 1;
    (void)sqlite3_reset(rw->s);
    if (rc == SQLITE_DONE)
        return 0;
    rw->err = sql_fail(rw->st, rc, what, rw->d);
    return rw->err;
}

/* Stop a row loop early with @r (a callback's error or a column problem). */
static int row_stop(struct row *rw, int r)
{
    (void)sqlite3_reset(rw->s);
    return r;
}

int ss_store_get_run(struct ss_store *st, struct ss_arena *a, struct ss_store_run *ret_run,
                     struct ss_diag *reterr_diag)
{
    struct ss_store_run run = { 0 };
    struct row rw;
    int r;

    r = row_start(st, STMT_R_RUN, &rw, reterr_diag);
    if (r < 0)
        return r;
    r = row_next(&rw, "read run");
    if (r < 0)
        return r;
    if (r == 0)
        return ss_diag_set(reterr_diag, SS_ENOTFOUND, st->path, 0, 0, UINT64_MAX,
                           "no run recorded");
    run.tool_version = row_copy(&rw, a, 0);
    run.tool_build = row_copy(&rw, a, 1);
    run.case_name = row_copy(&rw, a, 2);
    run.case_root = row_copy(&rw, a, 3);
    run.policy_name = row_copy(&rw, a, 4);
    run.params_json = row_copy(&rw, a, 5);
    run.started_us = row_i64(&rw, 6, "run.started_us");
    run.finished_us = row_i64(&rw, 7, "run.finished_us");
    run.n_threads = (uint32_t)row_u64(&rw, 8, UINT32_MAX, "run.n_threads");
    run.inputs_root = row_copy(&rw, a, 9);
    run.findings_root = row_copy(&rw, a, 10);
    run.is_signed = row_u64(&rw, 11, 1, "run.signed") != 0;
    run.signer = row_copy(&rw, a, 12);
    r = row_stop(&rw, rw.err);
    if (r < 0)
        return r;
    /* Required fields are never NULL. */
    run.tool_version = run.tool_version != NULL ? run.tool_version : "";
    run.tool_build = run.tool_build != NULL ? run.tool_build : "";
    run.case_name = run.case_name != NULL ? run.case_name : "";
    run.case_root = run.case_root != NULL ? run.case_root : "";
    *ret_run = run;
    return 0;
}

/* One aggregate query returning a single row of non-negative integers. */
static int query_counts(struct ss_store *st, const char *sql, uint64_t *out[], size_t n,
                        struct ss_diag *d)
{
    struct row rw = { .st = st, .d = d };
    int rc = sqlite3_prepare_v2(st->db, sql, -1, &rw.s, NULL);

    if (rc != SQLITE_OK)
        return sql_fail(st, rc, "summary", d);
    rc = sqlite3_step(rw.s);
    if (rc != SQLITE_ROW)
        rw.err = sql_fail(st, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, "summary", d);
    for (size_t i = 0; i < n; i++)
        *out[i] = row_u64(&rw, (int)i, INT64_MAX, "summary");
    (void)sqlite3_finalize(rw.s);
    return rw.err;
}

int ss_store_get_summary(struct ss_store *st, struct ss_store_summary *ret_summary,
                         struct ss_diag *reterr_diag)
{
    struct ss_store_summary sum = { 0 };
    uint64_t *in_cols[] = { &sum.n_inputs,     &sum.n_inputs_unknown, &sum.n_inputs_damaged,
                            &sum.size_bytes,   &sum.decoded_bytes,    &sum.n_records,
                            &sum.n_bad_records };
    uint64_t *other_cols[] = { &sum.n_skipped, &sum.n_bad_record_rows, &sum.n_evidence,
                               &sum.n_checks };
    uint64_t *sev_cols[] = { &sum.n_by_severity[1], &sum.n_by_severity[2], &sum.n_by_severity[3],
                             &sum.n_by_severity[4], &sum.n_by_severity[5] };
    int r;

    r = query_counts(st,
                     "SELECT count(*), coalesce(sum(status = 'unknown'), 0), "
                     "coalesce(sum(status = 'damaged'), 0), coalesce(sum(size_bytes), 0), "
                     "coalesce(sum(decoded_bytes), 0), coalesce(sum(n_records), 0), "
                     "coalesce(sum(n_bad_records), 0) FROM input",
                     in_cols, SS_ARRAY_LEN(in_cols), reterr_diag);
    if (r < 0)
        return r;
    r = query_counts(st,
                     "SELECT (SELECT count(*) FROM skipped), (SELECT count(*) FROM bad_record), "
                     "(SELECT count(*) FROM evidence), (SELECT count(*) FROM (SELECT check_id "
                     "FROM finding UNION SELECT check_id FROM check_stat))",
                     other_cols, SS_ARRAY_LEN(other_cols), reterr_diag);
    if (r < 0)
        return r;
    r = query_counts(st,
                     "SELECT coalesce(sum(severity = 1), 0), coalesce(sum(severity = 2), 0), "
                     "coalesce(sum(severity = 3), 0), coalesce(sum(severity = 4), 0), "
                     "coalesce(sum(severity = 5), 0) FROM finding",
                     sev_cols, SS_ARRAY_LEN(sev_cols), reterr_diag);
    if (r < 0)
        return r;
    for (size_t i = 1; i < SS_SEV__COUNT; i++)
        sum.n_findings += sum.n_by_severity[i];
    *ret_summary = sum;
    return 0;
}

static bool status_parse(const char *s, enum ss_store_input_status *ret)
{
    for (unsigned i = 0; i < SS_STORE_INPUT__COUNT; i++) {
        if (strcmp(s, ss_store_input_status_name((enum ss_store_input_status)i)) == 0) {
            *ret = (enum ss_store_input_status)i;
            return true;
        }
    }
    return false;
}

int ss_store_each_input(struct ss_store *st, ss_store_input_fn fn, void *ctx,
                        struct ss_diag *reterr_diag)
{
    struct row rw;
    int r;

    r = row_start(st, STMT_R_INPUTS, &rw, reterr_diag);
    if (r < 0)
        return r;
    for (;;) {
        struct ss_store_input in = { 0 };

        r = row_next(&rw, "read inputs");
        if (r <= 0)
            return r;
        in.index = (uint32_t)row_u64(&rw, 0, UINT32_MAX, "input.idx");
        in.relpath = row_text(&rw, 1);
        in.kind = row_text(&rw, 2);
        in.compression = row_text(&rw, 3);
        in.size_bytes = row_u64(&rw, 4, INT64_MAX, "input.size_bytes");
        in.has_sha256 = row_sha256(&rw, 5, in.sha256, "input.sha256");
        in.decoded_bytes = row_u64(&rw, 6, INT64_MAX, "input.decoded_bytes");
        in.n_records = row_u64(&rw, 7, INT64_MAX, "input.n_records");
        in.n_bad_records = row_u64(&rw, 8, INT64_MAX, "input.n_bad_records");
        if (!status_parse(row_text(&rw, 9), &in.status))
            row_corrupt(&rw, "input.status");
        in.reason = row_text_or_null(&rw, 10);
        r = rw.err < 0 ? rw.err : fn(ctx, &in);
        if (r < 0)
            return row_stop(&rw, r);
    }
}

int ss_store_each_skipped(struct ss_store *st, ss_store_skipped_fn fn, void *ctx,
                          struct ss_diag *reterr_diag)
{
    struct row rw;
    int r;

    r = row_start(st, STMT_R_SKIPPED, &rw, reterr_diag);
    if (r < 0)
        return r;
    for (;;) {
        r = row_next(&rw, "read skipped");
        if (r <= 0)
            return r;
        const struct ss_store_skipped sk = { .relpath = row_text(&rw, 0),
                                             .reason = row_text(&rw, 1) };
        r = fn(ctx, &sk);
        if (r < 0)
            return row_stop(&rw, r);
    }
}

int ss_store_each_bad_record(struct ss_store *st, uint64_t limit, ss_store_bad_record_fn fn,
                             void *ctx, struct ss_diag *reterr_diag)
{
    struct row rw;
    int r;

    r = row_start(st, STMT_R_BAD_RECORDS, &rw, reterr_diag);
    if (r < 0)
        return r;
    /* LIMIT -1 means no limit. */
    r = sqlite3_bind_int64(rw.s, 1, limit == 0 || limit > INT64_MAX ? -1 : (sqlite3_int64)limit);
    if (r != SQLITE_OK)
        return sql_fail(st, r, "bind", reterr_diag);
    for (;;) {
        struct ss_store_bad_record br = { 0 };

        r = row_next(&rw, "read bad records");
        if (r <= 0)
            return r;
        br.input = (uint32_t)row_u64(&rw, 0, UINT32_MAX, "bad_record.input");
        br.offset = sqlite3_column_type(rw.s, 1) == SQLITE_NULL
                        ? UINT64_MAX
                        : row_u64(&rw, 1, INT64_MAX, "bad_record.offset");
        br.line = row_u64(&rw, 2, INT64_MAX, "bad_record.line");
        const int64_t code = row_i64(&rw, 3, "bad_record.code");
        if (code < INT_MIN || code > INT_MAX)
            row_corrupt(&rw, "bad_record.code");
        br.code = (int)code;
        br.reason = row_text(&rw, 4);
        r = rw.err < 0 ? rw.err : fn(ctx, &br);
        if (r < 0)
            return row_stop(&rw, r);
    }
}

int ss_store_each_check(struct ss_store *st, ss_store_check_fn fn, void *ctx,
                        struct ss_diag *reterr_diag)
{
    struct row rw;
    int r;

    r = row_start(st, STMT_R_CHECKS, &rw, reterr_diag);
    if (r < 0)
        return r;
    for (;;) {
        struct ss_store_check c = { 0 };

        r = row_next(&rw, "read checks");
        if (r <= 0)
            return r;
        c.check_id = row_text(&rw, 0);
        c.title = row_text_or_null(&rw, 1);
        c.level = row_severity(&rw, 2, true, "check_stat.level");
        c.n_matches = row_u64(&rw, 3, INT64_MAX, "check_stat.n_matches");
        c.n_findings = row_u64(&rw, 4, INT64_MAX, "finding count");
        c.max_severity = row_severity(&rw, 5, true, "finding.severity");
        r = rw.err < 0 ? rw.err : fn(ctx, &c);
        if (r < 0)
            return row_stop(&rw, r);
    }
}

/* Make room for @n entities / evidence rows in the reusable read arrays. */
static int grow_entities(struct ss_store *st, size_t n)
{
    const char **ids, **types;
    size_t cap;

    if (n <= st->ent_cap)
        return 0;
    cap = SS_MAX(n, SS_MAX(st->ent_cap * 2, (size_t)16));
    ids = ss_reallocarray(st->ent_ids, cap, sizeof(*ids));
    if (ids == NULL)
        return -ENOMEM;
    st->ent_ids = ids;
    types = ss_reallocarray(st->ent_types, cap, sizeof(*types));
    if (types == NULL)
        return -ENOMEM;
    st->ent_types = types;
    st->ent_cap = cap;
    return 0;
}

static int grow_evidence(struct ss_store *st, size_t n)
{
    struct ss_evidence *ev;
    const char **rel, **exc;
    size_t cap;

    if (n <= st->ev_cap)
        return 0;
    cap = SS_MAX(n, SS_MAX(st->ev_cap * 2, (size_t)64));
    ev = ss_reallocarray(st->ev, cap, sizeof(*ev));
    if (ev == NULL)
        return -ENOMEM;
    st->ev = ev;
    rel = ss_reallocarray(st->ev_relpath, cap, sizeof(*rel));
    if (rel == NULL)
        return -ENOMEM;
    st->ev_relpath = rel;
    exc = ss_reallocarray(st->ev_excerpt, cap, sizeof(*exc));
    if (exc == NULL)
        return -ENOMEM;
    st->ev_excerpt = exc;
    st->ev_cap = cap;
    return 0;
}

static int too_many(struct ss_store *st, int64_t id, const char *what, struct ss_diag *d)
{
    return ss_diag_set(d, SS_ELIMIT, st->path, 0, 0, UINT64_MAX,
                       "finding %" PRId64 " has too many %s", id, what);
}

static int load_entities(struct ss_store *st, int64_t id, size_t *ret_n, struct ss_diag *d)
{
    struct row rw;
    size_t n = 0;
    int r;

    r = row_start(st, STMT_R_ENTITIES, &rw, d);
    if (r < 0)
        return r;
    r = sqlite3_bind_int64(rw.s, 1, (sqlite3_int64)id);
    if (r != SQLITE_OK)
        return sql_fail(st, r, "bind", d);
    for (;;) {
        const char *uid, *type;

        r = row_next(&rw, "read entities");
        if (r < 0)
            return r;
        if (r == 0)
            break;
        if (n >= SS_STORE_READ_MAX_ENTITIES)
            return row_stop(&rw, too_many(st, id, "entities", d));
        r = grow_entities(st, n + 1);
        if (r < 0)
            return row_stop(&rw, r);
        uid = row_copy(&rw, &st->arena, 0);
        type = row_copy(&rw, &st->arena, 1);
        if (rw.err < 0)
            return row_stop(&rw, rw.err);
        st->ent_ids[n] = uid != NULL ? uid : "";
        st->ent_types[n] = type != NULL ? type : "";
        n++;
    }
    *ret_n = n;
    return 0;
}

static int load_evidence(struct ss_store *st, int64_t id, size_t *ret_n, struct ss_diag *d)
{
    struct row rw;
    size_t n = 0;
    uint64_t prev_input = UINT64_MAX;
    const char *prev_relpath = NULL;
    int r;

    r = row_start(st, STMT_R_EVIDENCE, &rw, d);
    if (r < 0)
        return r;
    r = sqlite3_bind_int64(rw.s, 1, (sqlite3_int64)id);
    if (r != SQLITE_OK)
        return sql_fail(st, r, "bind", d);
    for (;;) {
        struct ss_evidence *ev;
        uint64_t input;

        r = row_next(&rw, "read evidence");
        if (r < 0)
            return r;
        if (r == 0)
            break;
        if (n >= SS_STORE_READ_MAX_EVIDENCE)
            return row_stop(&rw, too_many(st, id, "evidence rows", d));
        r = grow_evidence(st, n + 1);
        if (r < 0)
            return row_stop(&rw, r);
        ev = &st->ev[n];
        input = row_u64(&rw, 0, UINT32_MAX, "evidence.input");
        ev->loc.input = (uint32_t)input;
        ev->loc.offset = row_u64(&rw, 1, INT64_MAX, "evidence.offset");
        ev->loc.len = row_u64(&rw, 2, INT64_MAX, "evidence.length");
        ev->loc.index = row_u64(&rw, 3, INT64_MAX, "evidence.rec_index");
        (void)row_sha256(&rw, 4, ev->sha256, "evidence.sha256");
        /* Evidence is sorted by location, so runs of rows share one input path. */
        if (input != prev_input) {
            prev_relpath = row_copy(&rw, &st->arena, 5);
            prev_input = input;
        }
        st->ev_relpath[n] = prev_relpath;
        st->ev_excerpt[n] = row_copy(&rw, &st->arena, 6);
        if (rw.err < 0)
            return row_stop(&rw, rw.err);
        n++;
    }
    *ret_n = n;
    return 0;
}

int ss_store_each_finding(struct ss_store *st, enum ss_store_read_flags flags,
                          ss_store_finding_fn fn, void *ctx, struct ss_diag *reterr_diag)
{
    return ss_store_each_finding_top(st, flags, UINT64_MAX, UINT64_MAX, fn, ctx, reterr_diag);
}

int ss_store_each_finding_top(struct ss_store *st, enum ss_store_read_flags flags,
                              uint64_t per_check, uint64_t total, ss_store_finding_fn fn, void *ctx,
                              struct ss_diag *reterr_diag)
{
    const enum stmt_id id =
        (flags & SS_STORE_READ_BY_SEVERITY) ? STMT_R_FINDINGS_SEV : STMT_R_FINDINGS_CANON;
    struct row rw;
    int r;

    r = row_start(st, id, &rw, reterr_diag);
    if (r < 0)
        return r;
    if (id == STMT_R_FINDINGS_SEV) {
        r = sqlite3_bind_int64(rw.s, 1, (sqlite3_int64)SS_MIN(per_check, (uint64_t)INT64_MAX));
        if (r == SQLITE_OK)
            r = sqlite3_bind_int64(rw.s, 2, (sqlite3_int64)SS_MIN(total, (uint64_t)INT64_MAX));
        if (r != SQLITE_OK)
            return sql_fail(st, r, "bind", reterr_diag);
    } else if (per_check != UINT64_MAX || total != UINT64_MAX) {
        return bad_arg(st, -EINVAL, "caps need SS_STORE_READ_BY_SEVERITY", reterr_diag);
    }
    for (;;) {
        struct ss_store_finding sf = { 0 };
        size_t n_ent = 0, n_ev = 0;
        const char *cls;

        r = row_next(&rw, "read findings");
        if (r <= 0)
            break;
        ss_arena_reset(&st->arena);
        sf.seq = row_i64(&rw, 0, "finding.id");
        sf.uid = row_text(&rw, 1);
        sf.f.check_id = row_text(&rw, 2);
        cls = row_text(&rw, 3);
        if (strcmp(cls, "compliance") == 0)
            sf.flags = SS_STORE_FINDING_COMPLIANCE;
        else if (strcmp(cls, "detection") != 0)
            row_corrupt(&rw, "finding.class");
        sf.f.severity = row_severity(&rw, 4, false, "finding.severity");
        sf.f.title = row_text(&rw, 5);
        sf.f.desc = row_text(&rw, 6);
        sf.f.first_us = row_i64(&rw, 7, "finding.first_us");
        sf.f.last_us = row_i64(&rw, 8, "finding.last_us");
        sf.f.n_evidence_total = row_u64(&rw, 9, INT64_MAX, "finding.n_evidence_total");
        sf.f.data_json = row_text_or_null(&rw, 10);
        if (row_i64(&rw, 11, "finding.data_json") != 1)
            row_corrupt(&rw, "finding.data_json");
        r = rw.err;
        if (r == 0)
            r = load_entities(st, sf.seq, &n_ent, reterr_diag);
        if (r == 0 && !(flags & SS_STORE_READ_NO_EVIDENCE))
            r = load_evidence(st, sf.seq, &n_ev, reterr_diag);
        if (r < 0) {
            r = row_stop(&rw, r);
            break;
        }
        sf.f.entities = n_ent > 0 ? st->ent_ids : NULL;
        sf.f.n_entities = n_ent;
        sf.entity_types = n_ent > 0 ? st->ent_types : NULL;
        sf.f.evidence = n_ev > 0 ? st->ev : NULL;
        sf.f.n_evidence = n_ev;
        sf.ev_relpath = n_ev > 0 ? st->ev_relpath : NULL;
        sf.ev_excerpt = n_ev > 0 ? st->ev_excerpt : NULL;
        sf.f.n_evidence_total = SS_MAX(sf.f.n_evidence_total, (uint64_t)n_ev);
        r = fn(ctx, &sf);
        if (r < 0) {
            r = row_stop(&rw, r);
            break;
        }
    }
    ss_arena_reset(&st->arena);
    return r;
}

/* Entity types ---------------------------------------------------------------------- */

/* Append the lower-cased @len bytes at @p to @out (bounded), returning the new length. */
static size_t put_lower(char *out, size_t out_len, size_t pos, const char *p, size_t len)
{
    for (size_t i = 0; i < len && pos + 1 < out_len; i++) {
        char c = p[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        out[pos++] = c;
    }
    out[pos] = '\0';
    return pos;
}

static bool is_guid(const char *s)
{
    static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

    for (size_t i = 0; i < sizeof(shape) - 1; i++) {
        const char c = s[i];
        if (shape[i] == '-') {
            if (c != '-')
                return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return s[sizeof(shape) - 1] == '\0';
}

/* Find the next '/'-separated segment of @s at *pos; returns false at the end. */
static bool next_segment(const char *s, size_t *pos, const char **ret, size_t *ret_len)
{
    size_t i = *pos;

    while (s[i] == '/')
        i++;
    if (s[i] == '\0')
        return false;
    const size_t start = i;
    while (s[i] != '\0' && s[i] != '/')
        i++;
    *ret = s + start;
    *ret_len = i - start;
    *pos = i;
    return true;
}

static bool seg_ieq(const char *seg, size_t len, const char *word)
{
    return ss_str_ieq((struct ss_str){ .ptr = seg, .len = len }, ss_str_from_cstr(word));
}

static const char *azure_type(const char *e, char *out, size_t out_len)
{
    const char *seg = NULL, *key = NULL, *last_key = NULL;
    size_t pos = 0, len = 0, key_len = 0, last_key_len = 0, n = 0;
    size_t prov_pos = SIZE_MAX;

    /* Find the last "providers" segment that is followed by a namespace. */
    for (size_t p = 0;;) {
        size_t here;
        if (!next_segment(e, &p, &seg, &len))
            break;
        here = p;
        if (seg_ieq(seg, len, "providers"))
            prov_pos = here;
    }
    if (prov_pos != SIZE_MAX) {
        size_t p = prov_pos, k = 0;
        /* namespace / type1 / name1 / type2 / name2 ... -> namespace/type1/type2 */
        while (next_segment(e, &p, &seg, &len)) {
            if (k == 0 || k % 2 == 1) {
                if (n > 0)
                    n = put_lower(out, out_len, n, "/", 1);
                n = put_lower(out, out_len, n, seg, len);
            }
            k++;
        }
        if (k >= 2)
            return out;
        n = 0;
        out[0] = '\0';
    }
    /* No provider part: /subscriptions/G[/resourceGroups/R] or /tenants/G and the like;
     * the type is the last key of the key/value pairs. */
    for (size_t k = 0; next_segment(e, &pos, &seg, &len); k++) {
        if (k % 2 == 0) {
            key = seg;
            key_len = len;
        } else {
            last_key = key; /* only keys that have a value count */
            last_key_len = key_len;
        }
    }
    if (last_key == NULL)
        return "other";
    n = put_lower(out, out_len, 0, "microsoft.resources/", 20);
    (void)put_lower(out, out_len, n, last_key, last_key_len);
    return out;
}

static const char *aws_type(const char *e, char *out, size_t out_len)
{
    /* arn:partition:service:region:account:resource */
    const char *p = e;
    const char *service = NULL, *resource = NULL;
    size_t service_len = 0, n;

    for (int field = 0; field < 5; field++) {
        const char *colon = strchr(p, ':');
        if (colon == NULL)
            return "other";
        if (field == 2) {
            service = p;
            service_len = (size_t)(colon - p);
        }
        p = colon + 1;
    }
    resource = p;
    n = put_lower(out, out_len, 0, "aws:", 4);
    n = put_lower(out, out_len, n, service, service_len);
    const size_t type_len = strcspn(resource, "/:");
    if (resource[type_len] != '\0' && type_len > 0) {
        n = put_lower(out, out_len, n, ":", 1);
        (void)put_lower(out, out_len, n, resource, type_len);
    }
    return out;
}

const char *ss_store_entity_type(const char *entity, char *out, size_t out_len)
{
    const char *t = "other";

    if (out_len == 0)
        return "other";
    out[0] = '\0';
    if (entity[0] == '/' && entity[1] != '/')
        t = azure_type(entity, out, out_len);
    else if (strncmp(entity, "arn:", 4) == 0)
        t = aws_type(entity, out, out_len);
    else if (is_guid(entity))
        t = "guid";
    else if (strncmp(entity, "projects/", 9) == 0)
        t = "gcp:project";
    else if (entity[0] == '/' && entity[1] == '/') {
        /* GCP full resource name: //SERVICE.googleapis.com/... */
        const size_t svc = strcspn(entity + 2, "./");
        const size_t n = put_lower(out, out_len, 0, "gcp:", 4);
        (void)put_lower(out, out_len, n, entity + 2, svc);
        t = out;
    } else if (strchr(entity, '@') != NULL && strchr(entity, '/') == NULL)
        t = "principal";
    if (t != out) {
        const size_t n = strlen(t);
        const size_t k = n < out_len - 1 ? n : out_len - 1;
        memcpy(out, t, k);
        out[k] = '\0';
    }
    return out;
}
