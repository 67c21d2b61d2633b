/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sigma/sigma_rule.c - implements rule loading: reading files and directories, the rule
 * set's bookkeeping (report entries and notes, interned field names, id and name
 * lookup), and turning each YAML document into a rule: schema checks with located
 * reasons, Sigma 1.0 rule collections (action: global/reset/repeat), detection
 * sections (selections as maps, lists and keywords) and the condition grammar, v2
 * correlation rules, global filters, and the translation of Sigma 1.0 aggregations
 * ('| count() by X > N', '| near') into correlations.
 *
 * Condition grammar (precedence low to high), parsed by recursive descent with a depth
 * cap:
 *   expr    := and ('or' and)*
 *   and     := not ('and' not)*
 *   not     := 'not' not | primary
 *   primary := '(' expr ')' | ('1' | 'all') 'of' (pattern | 'them') | identifier
 * Keywords are case-insensitive. 'them' covers the identifiers not starting with '_';
 * a pattern's '*' matches any run of characters.
 */
#include "sigma/sigma_int.h"

#include "core/alloc.h"
#include "core/parse.h"
#include "core/pool.h"
#include "core/ss_time.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- rule set ---- */

struct ss_sigma_ruleset *ss_sigma_ruleset_new(unsigned flags)
{
    struct ss_sigma_ruleset *rs = ss_calloc(1, sizeof(*rs));

    if (rs == NULL)
        return NULL;
    ss_arena_init(&rs->arena, SG_RULESET_ARENA_MAX);
    rs->flags = flags;
    return rs;
}

void ss_sigma_ruleset_free(struct ss_sigma_ruleset *rs)
{
    if (rs == NULL)
        return;
    for (size_t i = 0; i < rs->n_res; i++)
        pcre2_code_free(rs->res[i]);
    ss_free(rs->res);
    for (size_t i = 0; i < rs->n_sources; i++) {
        ss_sigma_prefilter_free(rs->sources[i].pf);
        ss_free(rs->sources[i].insts);
        ss_free(rs->sources[i].maps);
        ss_free(rs->sources[i].map_first);
        ss_free(rs->sources[i].map_count);
    }
    ss_free(rs->sources);
    ss_free(rs->insts);
    ss_free(rs->entries);
    ss_free(rs->rules);
    ss_free(rs->filters);
    ss_free(rs->maps);
    ss_free(rs->phs);
    ss_free(rs->fnames);
    ss_free(rs->fhash);
    ss_free(rs->ids.slots);
    ss_free(rs->names.slots);
    ss_arena_release(&rs->arena);
    ss_free(rs);
}

int ss_sigma_keep_re(struct ss_sigma_ruleset *rs, pcre2_code *re)
{
    if (rs->n_res == rs->cap_res) {
        size_t cap = rs->cap_res ? rs->cap_res * 2 : 16;
        pcre2_code **nr = ss_reallocarray(rs->res, cap, sizeof(*nr));

        if (nr == NULL)
            return -ENOMEM;
        rs->res = nr;
        rs->cap_res = cap;
    }
    rs->res[rs->n_res++] = re;
    return 0;
}

static int rs_oom(struct ss_sigma_ruleset *rs)
{
    int r = ss_arena_failed(&rs->arena);

    return r != 0 ? r : -ENOMEM;
}

/* ---- string -> index maps (ids, names) ---- */

int ss_sigma_strmap_put(struct sg_strmap *m, const char *key, uint32_t val)
{
    uint64_t h;

    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        struct sg_strslot *ns = ss_calloc(cap, sizeof(*ns));

        if (ns == NULL)
            return -ENOMEM;
        for (size_t i = 0; i < m->cap; i++) {
            if (m->slots[i].key == NULL)
                continue;
            h = ss_sigma_hash(m->slots[i].key, strlen(m->slots[i].key)) & (cap - 1);
            while (ns[h].key != NULL)
                h = (h + 1) & (cap - 1);
            ns[h] = m->slots[i];
        }
        ss_free(m->slots);
        m->slots = ns;
        m->cap = cap;
    }
    h = ss_sigma_hash(key, strlen(key)) & (m->cap - 1);
    while (m->slots[h].key != NULL) {
        if (strcmp(m->slots[h].key, key) == 0)
            return 1; /* present: not replaced */
        h = (h + 1) & (m->cap - 1);
    }
    m->slots[h] = (struct sg_strslot){ .key = key, .val = val };
    m->n++;
    return 0;
}

int64_t ss_sigma_strmap_get(const struct sg_strmap *m, const char *key)
{
    uint64_t h;

    if (m->cap == 0)
        return -1;
    h = ss_sigma_hash(key, strlen(key)) & (m->cap - 1);
    while (m->slots[h].key != NULL) {
        if (strcmp(m->slots[h].key, key) == 0)
            return m->slots[h].val;
        h = (h + 1) & (m->cap - 1);
    }
    return -1;
}

/* ---- interned field names ---- */

uint32_t ss_sigma_field_id(struct ss_sigma_ruleset *rs, const char *name, size_t len)
{
    uint64_t h;

    if (rs->n_fnames >= SG_MAX_FIELDS)
        return SG_NO_FIELD;
    if ((rs->n_fnames + 1) * 2 > rs->fhash_cap) {
        size_t cap = rs->fhash_cap ? rs->fhash_cap * 2 : 256;
        uint32_t *nh = ss_malloc(cap * sizeof(*nh));

        if (nh == NULL)
            return SG_NO_FIELD;
        memset(nh, 0xFF, cap * sizeof(*nh));
        for (size_t i = 0; i < rs->n_fnames; i++) {
            h = ss_sigma_hash(rs->fnames[i], strlen(rs->fnames[i])) & (cap - 1);
            while (nh[h] != SG_NO_FIELD)
                h = (h + 1) & (cap - 1);
            nh[h] = (uint32_t)i;
        }
        ss_free(rs->fhash);
        rs->fhash = nh;
        rs->fhash_cap = cap;
    }
    h = ss_sigma_hash(name, len) & (rs->fhash_cap - 1);
    while (rs->fhash[h] != SG_NO_FIELD) {
        const char *f = rs->fnames[rs->fhash[h]];

        if (strlen(f) == len && memcmp(f, name, len) == 0)
            return rs->fhash[h];
        h = (h + 1) & (rs->fhash_cap - 1);
    }
    if (rs->n_fnames == rs->cap_fnames) {
        size_t cap = rs->cap_fnames ? rs->cap_fnames * 2 : 128;
        const char **nf = ss_reallocarray(rs->fnames, cap, sizeof(*nf));

        if (nf == NULL)
            return SG_NO_FIELD;
        rs->fnames = nf;
        rs->cap_fnames = cap;
    }
    {
        char *copy = ss_arena_strndup(&rs->arena, name, len);

        if (copy == NULL)
            return SG_NO_FIELD;
        rs->fnames[rs->n_fnames] = copy;
    }
    rs->fhash[h] = (uint32_t)rs->n_fnames;
    return (uint32_t)rs->n_fnames++;
}

/* ---- report ---- */

int ss_sigma_entry_add(struct ss_sigma_ruleset *rs, const char *file, uint32_t doc, uint32_t line,
                       uint32_t col)
{
    if (rs->n_entries == rs->cap_entries) {
        size_t cap = rs->cap_entries ? rs->cap_entries * 2 : 64;
        struct sg_entry *ne = ss_reallocarray(rs->entries, cap, sizeof(*ne));

        if (ne == NULL)
            return -ENOMEM;
        rs->entries = ne;
        rs->cap_entries = cap;
    }
    rs->entries[rs->n_entries] = (struct sg_entry){
        .pub = { .file = file,
                 .doc = doc,
                 .line = line,
                 .column = col,
                 .kind = SS_SIGMA_DOC_OTHER,
                 .status = SS_SIGMA_LOADED,
                 .rule = -1 },
    };
    return (int)rs->n_entries++;
}

int ss_sigma_note(struct ss_sigma_ruleset *rs, uint32_t e, enum ss_sigma_note_kind k, uint32_t line,
                  uint32_t col, const char *fmt, ...)
{
    struct sg_entry *en = &rs->entries[e];
    char msg[512];
    va_list ap;
    char *copy;

    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    for (size_t i = 0; i < en->n_notes; i++)
        if (en->notes[i].kind == k && strcmp(en->notes[i].msg, msg) == 0)
            return 0; /* the same note once */
    if (en->n_notes == en->cap_notes) {
        size_t cap = en->cap_notes ? en->cap_notes * 2 : 4;
        struct ss_sigma_note *nn = ss_arena_calloc(&rs->arena, cap, sizeof(*nn));

        if (nn == NULL)
            return rs_oom(rs);
        if (en->n_notes > 0)
            memcpy(nn, en->notes, en->n_notes * sizeof(*nn));
        en->notes = nn;
        en->cap_notes = cap;
    }
    copy = ss_arena_strdup(&rs->arena, msg);
    if (copy == NULL)
        return rs_oom(rs);
    en->notes[en->n_notes++] =
        (struct ss_sigma_note){ .kind = k, .line = line, .column = col, .msg = copy };
    return 0;
}

static int entry_reject(struct ss_sigma_ruleset *rs, uint32_t e, const struct ss_diag *d)
{
    struct sg_entry *en = &rs->entries[e];
    char *reason = ss_arena_strdup(&rs->arena, d->msg[0] ? d->msg : "invalid document");

    if (reason == NULL)
        return rs_oom(rs);
    en->pub.status = SS_SIGMA_REJECTED;
    en->pub.code = d->code ? d->code : SS_ESYNTAX;
    en->pub.reason = reason;
    if (d->line != 0) {
        en->pub.line = (uint32_t)d->line;
        en->pub.column = (uint32_t)d->column;
    }
    en->pub.rule = -1;
    return 0;
}

size_t ss_sigma_report_len(const struct ss_sigma_ruleset *rs)
{
    return rs->n_entries;
}

const struct ss_sigma_entry *ss_sigma_report_at(const struct ss_sigma_ruleset *rs, size_t i)
{
    struct sg_entry *en;

    if (i >= rs->n_entries)
        return NULL;
    en = &rs->entries[i];
    en->pub.notes = en->notes;
    en->pub.n_notes = en->n_notes;
    return &en->pub;
}

enum ss_severity ss_sigma_level_sev(const char *level)
{
    enum ss_severity s;

    if (level == NULL || ss_severity_parse(level, strlen(level), &s) != 0)
        return SS_SEV_MEDIUM;
    return s;
}

/* ---- loading files ---- */

static int read_file(const char *path, uint64_t max, char **ret, size_t *ret_len, struct ss_diag *d)
{
    struct stat st;
    int fd = ss_open_regular(path, 0, &st);
    char *buf = NULL;
    size_t got = 0;
    int r = 0;

    if (fd < 0)
        return ss_diag_set(d, fd, path, 0, 0, UINT64_MAX, "cannot open: %s", ss_strerror(fd));
    if ((uint64_t)st.st_size > max) {
        r = ss_diag_set(d, SS_ELIMIT, path, 0, 0, UINT64_MAX,
                        "file too large (%" PRIu64 " bytes, at most %" PRIu64 ")",
                        (uint64_t)st.st_size, max);
        goto out;
    }
    buf = ss_malloc((size_t)st.st_size + 1);
    if (buf == NULL) {
        r = -ENOMEM;
        goto out;
    }
    while (got < (size_t)st.st_size) {
        ssize_t k = read(fd, buf + got, (size_t)st.st_size - got);

        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            r = ss_diag_set(d, -errno, path, 0, 0, got, "cannot read: %s", strerror(errno));
            goto out;
        }
        if (k == 0)
            break;
        got += (size_t)k;
    }
    buf[got] = '\0';
    *ret = buf;
    *ret_len = got;
    buf = NULL;
out:
    ss_free(buf);
    close(fd);
    return r;
}

int ss_sigma_read_file(const char *path, char **ret, size_t *ret_len, struct ss_diag *d)
{
    return read_file(path, SS_SIGMA_MAX_FILE_BYTES, ret, ret_len, d);
}

static bool yaml_name(const char *n)
{
    size_t l = strlen(n);

    return (l > 4 && strcmp(n + l - 4, ".yml") == 0) || (l > 5 && strcmp(n + l - 5, ".yaml") == 0);
}

struct pathlist {
    char **v;
    size_t n, cap;
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(struct ss_sigma_ruleset *rs, const char *dir, unsigned depth, struct pathlist *pl,
                struct ss_diag *d)
{
    DIR *dh;
    struct dirent *e;
    int r = 0;

    if (depth > SS_SIGMA_MAX_DIR_DEPTH)
        return ss_diag_set(d, SS_ELIMIT, dir, 0, 0, UINT64_MAX,
                           "directories nested deeper than %u levels", SS_SIGMA_MAX_DIR_DEPTH);
    dh = opendir(dir);
    if (dh == NULL)
        return ss_diag_set(d, -errno, dir, 0, 0, UINT64_MAX, "cannot open directory: %s",
                           strerror(errno));
    for (;;) {
        struct stat st;
        struct ss_buf p = SS_BUF_INIT(SS_BUF_SMALL_MAX);

        errno = 0;
        e = readdir(dh);
        if (e == NULL) {
            if (errno != 0)
                r = ss_diag_set(d, -errno, dir, 0, 0, UINT64_MAX, "cannot read directory: %s",
                                strerror(errno));
            break;
        }
        if (e->d_name[0] == '.')
            continue;
        r = ss_buf_printf(&p, "%s/%s", dir, e->d_name);
        if (r < 0) {
            ss_buf_release(&p);
            break;
        }
        if (stat(p.ptr, &st) != 0) {
            r = ss_diag_set(d, -errno, p.ptr, 0, 0, UINT64_MAX, "cannot stat: %s", strerror(errno));
            ss_buf_release(&p);
            break;
        }
        if (S_ISDIR(st.st_mode)) {
            r = walk(rs, p.ptr, depth + 1, pl, d);
            ss_buf_release(&p);
            if (r < 0)
                break;
            continue;
        }
        /* a .yml that is not a regular file is listed: load_file reports it */
        if (!yaml_name(e->d_name)) {
            ss_buf_release(&p);
            continue;
        }
        if (pl->n >= SS_SIGMA_MAX_FILES) {
            ss_buf_release(&p);
            r = ss_diag_set(d, SS_ELIMIT, dir, 0, 0, UINT64_MAX, "more than %u rule files",
                            SS_SIGMA_MAX_FILES);
            break;
        }
        if (pl->n == pl->cap) {
            size_t cap = pl->cap ? pl->cap * 2 : 64;
            char **nv = ss_reallocarray(pl->v, cap, sizeof(*nv));

            if (nv == NULL) {
                ss_buf_release(&p);
                r = -ENOMEM;
                break;
            }
            pl->v = nv;
            pl->cap = cap;
        }
        pl->v[pl->n] = ss_buf_detach(&p);
        if (pl->v[pl->n] == NULL) {
            ss_buf_release(&p);
            r = -ENOMEM;
            break;
        }
        pl->n++;
    }
    closedir(dh);
    return r;
}

/* A rule file read and parsed (on any worker), to be loaded in path order. */
struct parsed {
    int read_r;       /* read_file's result */
    int yr;           /* ss_yaml_parse's */
    bool fatal;       /* out of memory (or past the arena's cap) while parsing */
    struct ss_diag d; /* the read error, or the YAML error */
    struct ss_yaml_stream st;
};

static void read_and_parse(struct ss_arena *arena, const char *path, struct parsed *p)
{
    char *text = NULL;
    size_t len = 0;

    *p = (struct parsed){ 0 };
    ss_diag_clear(&p->d);
    p->read_r = read_file(path, SS_SIGMA_MAX_FILE_BYTES, &text, &len, &p->d);
    if (p->read_r < 0)
        return;
    p->yr = ss_yaml_parse(arena, path, text, len, NULL, &p->st, &p->d);
    p->fatal = p->yr == -ENOMEM || (p->yr < 0 && ss_arena_failed(arena) != 0);
    ss_free(text);
}

static int load_stream(struct ss_sigma_ruleset *rs, const char *file,
                       const struct ss_yaml_stream *st, int yr, struct ss_diag *yd);

/*
 * Load rule file @path, read and parsed into @p; @in_dir: found while walking a
 * directory, where a file that cannot be read (a FIFO, no permission) is one rejected
 * entry, as an oversized one is, and not a failure of the whole load.
 */
static int load_parsed(struct ss_sigma_ruleset *rs, const char *path, bool in_dir, struct parsed *p,
                       struct ss_diag *d)
{
    const char *file;

    if (p->read_r == SS_ELIMIT || (in_dir && p->read_r < 0 && p->read_r != -ENOMEM)) {
        int e = ss_sigma_entry_add(rs, NULL, 0, 0, 0);

        if (e < 0)
            return e;
        rs->entries[e].pub.file = ss_arena_strdup(&rs->arena, path);
        if (rs->entries[e].pub.file == NULL)
            return rs_oom(rs);
        return entry_reject(rs, (uint32_t)e, &p->d);
    }
    if (p->read_r < 0) {
        if (d != NULL)
            *d = p->d;
        return p->read_r;
    }
    file = ss_arena_strdup(&rs->arena, path);
    if (file == NULL)
        return rs_oom(rs);
    rs->n_files++;
    if (p->fatal)
        return p->yr;
    return load_stream(rs, file, &p->st, p->yr, &p->d);
}

/*
 * Files read and parsed at once on every worker (rs->threads): YAML parsing is most of
 * loading (loading is about 40% of the 0.55 s in which 3,000 rules load and compile on
 * one core, parsing 60% of that; docs/performance.md). Each worker parses into an
 * arena of its own, handed over to the rule set whole; the files are then loaded one by
 * one in path order, so the result is the same for any number of threads.
 */
#define PARSE_WINDOW 256u

struct parse_job {
    const char *const *paths;
    struct parsed *out;
    struct ss_arena *arenas; /* per worker */
};

static int parse_task(void *ctx, size_t i, unsigned worker)
{
    struct parse_job *j = ctx;

    read_and_parse(&j->arenas[worker], j->paths[i], &j->out[i]);
    return 0;
}

static int load_files(struct ss_sigma_ruleset *rs, const char *const *paths, size_t n, bool in_dir,
                      struct ss_diag *d)
{
    unsigned threads = (unsigned)SS_MIN((size_t)SS_MAX(rs->threads, 1u), n);
    struct parse_job j = { 0 };
    int r = 0;

    if (threads <= 1) {
        struct parsed p;

        for (size_t i = 0; i < n && r == 0; i++) {
            read_and_parse(&rs->arena, paths[i], &p);
            r = load_parsed(rs, paths[i], in_dir, &p, d);
        }
        return r;
    }
    j.out = ss_calloc(PARSE_WINDOW, sizeof(*j.out));
    j.arenas = ss_calloc(threads, sizeof(*j.arenas));
    if (j.out == NULL || j.arenas == NULL) {
        r = -ENOMEM;
        goto out;
    }
    for (unsigned w = 0; w < threads; w++)
        ss_arena_init(&j.arenas[w], SG_RULESET_ARENA_MAX);
    for (size_t at = 0; at < n && r == 0; at += PARSE_WINDOW) {
        size_t k = SS_MIN((size_t)PARSE_WINDOW, n - at);

        j.paths = paths + at;
        r = ss_pool_run(threads, k, parse_task, &j);
        for (unsigned w = 0; w < threads; w++) {
            int a = ss_arena_adopt(&rs->arena, &j.arenas[w]);

            r = r < 0 ? r : a;
        }
        for (size_t i = 0; i < k && r == 0; i++)
            r = load_parsed(rs, paths[at + i], in_dir, &j.out[i], d);
    }
out:
    for (unsigned w = 0; j.arenas != NULL && w < threads; w++)
        ss_arena_release(&j.arenas[w]);
    ss_free(j.arenas);
    ss_free(j.out);
    return r;
}

int ss_sigma_load_path(struct ss_sigma_ruleset *rs, const char *path, struct ss_diag *reterr_diag)
{
    struct stat st;
    struct pathlist pl = { 0 };
    int r;

    if (rs->compiled)
        return -EINVAL;
    if (stat(path, &st) != 0)
        return ss_diag_set(reterr_diag, -errno, path, 0, 0, UINT64_MAX, "cannot read: %s",
                           strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return load_files(rs, &path, 1, false, reterr_diag);
    r = walk(rs, path, 0, &pl, reterr_diag);
    if (r == 0 && pl.n > 1)
        qsort(pl.v, pl.n, sizeof(*pl.v), cmp_str);
    if (r == 0)
        r = load_files(rs, (const char *const *)pl.v, pl.n, true, reterr_diag);
    for (size_t i = 0; i < pl.n; i++)
        ss_free(pl.v[i]);
    ss_free(pl.v);
    return r;
}

void ss_sigma_ruleset_set_threads(struct ss_sigma_ruleset *rs, unsigned threads)
{
    rs->threads = threads;
}

int ss_sigma_load_mem(struct ss_sigma_ruleset *rs, const char *name, const char *text, size_t len,
                      struct ss_diag *reterr_diag)
{
    if (rs->compiled)
        return -EINVAL;
    if ((uint64_t)len > SS_SIGMA_MAX_FILE_BYTES) {
        struct ss_diag d;
        int e = ss_sigma_entry_add(rs, NULL, 0, 0, 0);

        if (e < 0)
            return e;
        rs->entries[e].pub.file = ss_arena_strdup(&rs->arena, name ? name : "<memory>");
        if (rs->entries[e].pub.file == NULL)
            return rs_oom(rs);
        ss_diag_set(&d, SS_ELIMIT, name, 0, 0, UINT64_MAX, "file too large (%zu bytes)", len);
        return entry_reject(rs, (uint32_t)e, &d);
    }
    return ss_sigma_load_text(rs, name ? name : "<memory>", text, len, reterr_diag);
}

/* ---- documents ---- */

struct dctx {
    struct ss_sigma_ruleset *rs;
    const char *file; /* in the arena */
    uint32_t doc;
    uint32_t entry;
    struct ss_diag d; /* rejection reason */
    const struct ss_yaml_node *root;
};

static int drej(struct dctx *x, int code, const struct ss_yaml_node *at, const char *fmt, ...)
    SS_ATTR_PRINTF(4, 5);

static int drej(struct dctx *x, int code, const struct ss_yaml_node *at, const char *fmt, ...)
{
    char msg[SS_DIAG_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return ss_diag_set(&x->d, code, x->file, at ? at->line : 0, at ? at->col : 0,
                       at ? at->offset : UINT64_MAX, "%s", msg);
}

static int dnote(struct dctx *x, enum ss_sigma_note_kind k, const struct ss_yaml_node *at,
                 const char *fmt, ...) SS_ATTR_PRINTF(4, 5);

static int dnote(struct dctx *x, enum ss_sigma_note_kind k, const struct ss_yaml_node *at,
                 const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return ss_sigma_note(x->rs, x->entry, k, at ? at->line : 0, at ? at->col : 0, "%s", msg);
}

static bool is_str(const struct ss_yaml_node *n)
{
    return n != NULL && n->type == SS_YAML_SCALAR && n->sc == SS_YSC_STR;
}

/* A scalar as text (strings, and numbers/booleans written plainly). */
static bool is_text(const struct ss_yaml_node *n)
{
    return n != NULL && n->type == SS_YAML_SCALAR && n->sc != SS_YSC_NULL;
}

static char *lower_dup(struct ss_sigma_ruleset *rs, const char *s)
{
    char *c = ss_arena_strdup(&rs->arena, s);

    if (c != NULL)
        for (char *p = c; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p + 32);
    return c;
}

static bool is_uuid(const char *s)
{
    static const char pat[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

    if (strlen(s) != sizeof(pat) - 1)
        return false;
    for (size_t i = 0; i < sizeof(pat) - 1; i++) {
        char c = s[i];

        if (pat[i] == '-') {
            if (c != '-')
                return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return true;
}

static bool is_date(const char *s)
{
    unsigned y, m, d;

    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    y = (unsigned)((s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0'));
    m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
    d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
    (void)y;
    return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/* namespace.value: [a-z0-9_-]+ '.' [a-z0-9._-]+ */
static bool is_tag(const char *s)
{
    const char *dot = strchr(s, '.');

    if (dot == NULL || dot == s || dot[1] == '\0')
        return false;
    for (const char *p = s; *p; p++) {
        char c = *p;

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              (c == '.' && p >= dot)))
            return false;
    }
    return true;
}

/* Metadata common to rules, correlations and filters: warnings only, except title. */
static int check_meta(struct dctx *x, bool need_title, const char **ret_title, const char **ret_id,
                      const char **ret_name)
{
    const struct ss_yaml_node *root = x->root, *n;
    int r = 0;

    n = ss_yaml_get(root, "title");
    if (n == NULL) {
        if (need_title && !(x->rs->flags & SS_SIGMA_LENIENT))
            return drej(x, SS_ESYNTAX, root, "missing 'title' (mandatory)");
        if (need_title)
            r = dnote(x, SS_SIGMA_NOTE_WARNING, root, "missing 'title' (mandatory)");
        *ret_title = NULL;
    } else if (!is_text(n)) {
        return drej(x, SS_ESYNTAX, n, "'title' must be a string, not a %s", ss_yaml_kind_name(n));
    } else {
        if (n->len > 256)
            r = dnote(x, SS_SIGMA_NOTE_WARNING, n, "'title' longer than 256 characters");
        *ret_title = n->str;
    }
    n = ss_yaml_get(root, "id");
    *ret_id = NULL;
    if (n != NULL) {
        if (!is_text(n))
            return drej(x, SS_ESYNTAX, n, "'id' must be a string, not a %s", ss_yaml_kind_name(n));
        if (n->len == 0)
            return drej(x, SS_ESYNTAX, n, "'id' is empty");
        if (!is_uuid(n->str) && r == 0)
            r = dnote(x, SS_SIGMA_NOTE_WARNING, n, "'id' '%s' is not a UUID", n->str);
        *ret_id = n->str;
    }
    n = ss_yaml_get(root, "name");
    *ret_name = NULL;
    if (n != NULL) {
        if (!is_text(n) || n->len == 0)
            return drej(x, SS_ESYNTAX, n, "'name' must be a non-empty string");
        *ret_name = n->str;
    }
    n = ss_yaml_get(root, "status");
    if (r == 0 && n != NULL) {
        static const char *const ok[] = { "stable", "test", "experimental", "deprecated",
                                          "unsupported" };
        bool good = false;

        for (size_t i = 0; is_str(n) && i < SS_ARRAY_LEN(ok); i++)
            good = good || strcmp(n->str, ok[i]) == 0;
        if (!good)
            r = dnote(x, SS_SIGMA_NOTE_WARNING, n,
                      "'status' should be stable, test, experimental, deprecated or unsupported");
    }
    for (int k = 0; r == 0 && k < 2; k++) {
        const char *key = k == 0 ? "date" : "modified";

        n = ss_yaml_get(root, key);
        if (n != NULL && !(is_str(n) && is_date(n->str)))
            r = dnote(x, SS_SIGMA_NOTE_WARNING, n,
                      "'%s' '%s' is not an ISO 8601 date YYYY-MM-DD (Sigma 2 dropped YYYY/MM/DD)",
                      key, n->type == SS_YAML_SCALAR ? n->str : ss_yaml_kind_name(n));
    }
    n = ss_yaml_get(root, "description");
    if (r == 0 && n != NULL && !(is_text(n) && n->len <= 65535))
        r = dnote(x, SS_SIGMA_NOTE_WARNING, n,
                  "'description' must be a string of at most 65535 "
                  "characters");
    n = ss_yaml_get(root, "tags");
    if (r == 0 && n != NULL) {
        if (n->type != SS_YAML_SEQ) {
            r = dnote(x, SS_SIGMA_NOTE_WARNING, n, "'tags' should be a list");
        } else {
            for (size_t i = 0; r == 0 && i < n->n; i++)
                if (!is_str(n->items[i]) || !is_tag(n->items[i]->str))
                    r = dnote(x, SS_SIGMA_NOTE_WARNING, n->items[i],
                              "tag '%s' does not follow namespace.value in lower case",
                              n->items[i]->type == SS_YAML_SCALAR ? n->items[i]->str : "?");
        }
    }
    n = ss_yaml_get(root, "related");
    if (r == 0 && n != NULL) {
        static const char *const ok[] = { "derived", "obsolete", "merged", "renamed", "similar" };

        if (n->type != SS_YAML_SEQ) {
            r = dnote(x, SS_SIGMA_NOTE_WARNING, n, "'related' should be a list");
        } else {
            for (size_t i = 0; r == 0 && i < n->n; i++) {
                const struct ss_yaml_node *t = ss_yaml_get(n->items[i], "type");
                bool good = false;

                for (size_t k = 0; is_str(t) && k < SS_ARRAY_LEN(ok); k++)
                    good = good || strcmp(t->str, ok[k]) == 0;
                if (!good || !is_text(ss_yaml_get(n->items[i], "id")))
                    r = dnote(x, SS_SIGMA_NOTE_WARNING, n->items[i],
                              "'related' entries need an id and a type (derived, obsolete, "
                              "merged, renamed or similar)");
            }
        }
    }
    n = ss_yaml_get(root, "taxonomy");
    if (r == 0 && n != NULL && !(is_str(n) && strcmp(n->str, "sigma") == 0))
        r = dnote(x, SS_SIGMA_NOTE_UNSUPPORTED, n,
                  "taxonomy '%s' is not translated: field names are used as written",
                  n->type == SS_YAML_SCALAR ? n->str : "?");
    return r;
}

static int check_level(struct dctx *x, const char **ret_level)
{
    const struct ss_yaml_node *n = ss_yaml_get(x->root, "level");
    enum ss_severity s;

    *ret_level = NULL;
    if (n == NULL)
        return 0;
    if (!is_str(n) || ss_severity_parse(n->str, n->len, &s) != 0 || strcmp(n->str, "info") == 0)
        return drej(x, SS_ESYNTAX, n,
                    "'level' must be informational, low, medium, high or critical, not '%s'",
                    n->type == SS_YAML_SCALAR ? n->str : ss_yaml_kind_name(n));
    for (const char *p = n->str; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            return drej(x, SS_ESYNTAX, n, "'level' must be lower case ('%s')", n->str);
    *ret_level = n->str;
    return 0;
}

static int check_logsource(struct dctx *x, const struct ss_yaml_node *ls, const char **product,
                           const char **service, const char **category)
{
    static const char *const keys[3] = { "product", "service", "category" };
    const char **outs[3] = { product, service, category };

    *product = *service = *category = NULL;
    if (ls == NULL) {
        if (!(x->rs->flags & SS_SIGMA_LENIENT))
            return drej(x, SS_ESYNTAX, x->root, "missing 'logsource' (mandatory)");
        return dnote(x, SS_SIGMA_NOTE_WARNING, x->root, "missing 'logsource' (mandatory)");
    }
    if (ls->type != SS_YAML_MAP)
        return drej(x, SS_ESYNTAX, ls, "'logsource' must be a map, not a %s",
                    ss_yaml_kind_name(ls));
    for (int i = 0; i < 3; i++) {
        const struct ss_yaml_node *v = ss_yaml_get(ls, keys[i]);

        if (v == NULL || ss_yaml_is_null(v))
            continue;
        if (!is_text(v))
            return drej(x, SS_ESYNTAX, v, "logsource '%s' must be a string, not a %s", keys[i],
                        ss_yaml_kind_name(v));
        *outs[i] = lower_dup(x->rs, v->str);
        if (*outs[i] == NULL)
            return rs_oom(x->rs);
        if (strcmp(*outs[i], v->str) != 0) {
            int r = dnote(x, SS_SIGMA_NOTE_WARNING, v,
                          "logsource %s '%s' should be lower case (matched case-insensitively)",
                          keys[i], v->str);

            if (r < 0)
                return r;
        }
    }
    return 0;
}

/* ---- detection and condition ---- */

struct sel {
    const char *name;
    struct sg_node *node;
};

struct cparse {
    struct sg_cctx *cc;
    const struct ss_yaml_node *at; /* the condition node, for locations */
    const char *s;
    size_t len, pos;
    struct sel *sels;
    size_t n_sels;
    unsigned depth;
};

static int cp_err(struct cparse *p, size_t pos, const char *fmt, ...) SS_ATTR_PRINTF(3, 4);

static int cp_err(struct cparse *p, size_t pos, const char *fmt, ...)
{
    char msg[SS_DIAG_MSG_MAX];
    va_list ap;
    uint64_t col = p->at ? p->at->col : 0;

    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    /* Plain and quoted one-line conditions: point at the token. */
    if (p->at != NULL && memchr(p->s, '\n', p->len) == NULL)
        col += pos + (p->at->quoted ? 1 : 0);
    return ss_diag_set(p->cc->diag, SS_ESYNTAX, p->cc->file, p->at ? p->at->line : 0, col,
                       p->at ? p->at->offset + pos : UINT64_MAX, "condition: %s", msg);
}

static bool id_char(char c)
{
    return c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '(' && c != ')' && c != '\0' &&
           c != '|';
}

/* Next token: returns its start and length; length 0 at the end. */
static void cp_peek(struct cparse *p, size_t *ret_start, size_t *ret_len)
{
    size_t i = p->pos;

    while (i < p->len && (p->s[i] == ' ' || p->s[i] == '\t' || p->s[i] == '\n' || p->s[i] == '\r'))
        i++;
    *ret_start = i;
    if (i >= p->len) {
        *ret_len = 0;
        return;
    }
    if (p->s[i] == '(' || p->s[i] == ')' || p->s[i] == '|') {
        *ret_len = 1;
        return;
    }
    {
        size_t j = i;

        while (j < p->len && id_char(p->s[j]))
            j++;
        *ret_len = j - i;
    }
}

static bool tok_is(const struct cparse *p, size_t st, size_t n, const char *kw)
{
    size_t kl = strlen(kw);

    if (n != kl)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = p->s[st + i];

        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (c != kw[i])
            return false;
    }
    return true;
}

static struct sg_node *new_node(struct sg_cctx *cc, uint8_t op, uint32_t n)
{
    struct sg_node *nd = ss_arena_calloc(&cc->rs->arena, 1, sizeof(*nd));

    if (nd == NULL)
        return NULL;
    nd->op = op;
    nd->n = n;
    if (n > 0) {
        nd->kids = ss_arena_calloc(&cc->rs->arena, n, sizeof(*nd->kids));
        if (nd->kids == NULL)
            return NULL;
    }
    return nd;
}

static int cc_oom(struct sg_cctx *cc)
{
    int r = ss_arena_failed(&cc->rs->arena);

    return r != 0 ? r : -ENOMEM;
}

static bool pat_match(const char *pat, size_t pl, const char *s)
{
    size_t sl = strlen(s), pi = 0, si = 0, star_p = SIZE_MAX, star_s = 0;

    while (si < sl || pi < pl) {
        if (pi < pl && pat[pi] == '*') {
            star_p = pi++;
            star_s = si;
            continue;
        }
        if (pi < pl && si < sl && pat[pi] == s[si]) {
            pi++;
            si++;
            continue;
        }
        if (star_p == SIZE_MAX || star_s >= sl)
            return false;
        pi = star_p + 1;
        si = ++star_s;
    }
    return true;
}

static int cp_expr(struct cparse *p, struct sg_node **ret);

static int cp_primary(struct cparse *p, struct sg_node **ret)
{
    size_t st, n;

    cp_peek(p, &st, &n);
    if (n == 0)
        return cp_err(p, st, "expression expected at the end");
    if (p->s[st] == '(') {
        int r;

        if (++p->depth > SG_MAX_COND_DEPTH)
            return cp_err(p, st, "nested deeper than %u levels", SG_MAX_COND_DEPTH);
        p->pos = st + 1;
        r = cp_expr(p, ret);
        if (r < 0)
            return r;
        cp_peek(p, &st, &n);
        if (n != 1 || p->s[st] != ')')
            return cp_err(p, st, "')' expected");
        p->pos = st + 1;
        p->depth--;
        return 0;
    }
    if (p->s[st] == ')')
        return cp_err(p, st, "unexpected ')'");
    if (p->s[st] == '|')
        return cp_err(p, st, "unexpected '|' (aggregations are Sigma 1.0 syntax)");
    if (tok_is(p, st, n, "and") || tok_is(p, st, n, "or") || tok_is(p, st, n, "of") ||
        tok_is(p, st, n, "them"))
        return cp_err(p, st, "unexpected '%.*s'", (int)n, p->s + st);
    /* "1 of X" / "all of X" */
    {
        size_t st2, n2, save = p->pos;

        p->pos = st + n;
        cp_peek(p, &st2, &n2);
        if (tok_is(p, st2, n2, "of")) {
            bool all;
            size_t st3, n3;
            struct sg_node *nd;
            uint32_t cnt = 0;

            if (tok_is(p, st, n, "all"))
                all = true;
            else if (n == 1 && p->s[st] == '1')
                all = false;
            else
                return cp_err(p, st, "'%.*s of' is not defined (only '1 of' and 'all of')", (int)n,
                              p->s + st);
            p->pos = st2 + n2;
            cp_peek(p, &st3, &n3);
            if (n3 == 0 || p->s[st3] == '(' || p->s[st3] == ')' || p->s[st3] == '|')
                return cp_err(p, st3, "a search identifier pattern or 'them' expected after 'of'");
            p->pos = st3 + n3;
            if (tok_is(p, st3, n3, "them")) {
                for (size_t i = 0; i < p->n_sels; i++)
                    cnt += p->sels[i].name[0] != '_';
            } else {
                for (size_t i = 0; i < p->n_sels; i++)
                    cnt += pat_match(p->s + st3, n3, p->sels[i].name);
            }
            if (cnt == 0)
                return cp_err(p, st3, "'%.*s' matches no search identifier", (int)n3, p->s + st3);
            nd = new_node(p->cc, all ? SG_N_AND : SG_N_OR, cnt);
            if (nd == NULL)
                return cc_oom(p->cc);
            cnt = 0;
            for (size_t i = 0; i < p->n_sels; i++) {
                bool take = tok_is(p, st3, n3, "them") ? p->sels[i].name[0] != '_'
                                                       : pat_match(p->s + st3, n3, p->sels[i].name);

                if (take)
                    nd->kids[cnt++] = p->sels[i].node;
            }
            *ret = cnt == 1 ? nd->kids[0] : nd;
            return 0;
        }
        p->pos = save;
    }
    for (size_t i = 0; i < p->n_sels; i++) {
        if (strlen(p->sels[i].name) == n && memcmp(p->sels[i].name, p->s + st, n) == 0) {
            p->pos = st + n;
            *ret = p->sels[i].node;
            return 0;
        }
    }
    if (memchr(p->s + st, '*', n) != NULL)
        return cp_err(p, st, "pattern '%.*s' needs '1 of' or 'all of'", (int)n, p->s + st);
    return cp_err(p, st, "'%.*s' is not a search identifier of this detection", (int)n, p->s + st);
}

static int cp_not(struct cparse *p, struct sg_node **ret)
{
    size_t st, n;

    cp_peek(p, &st, &n);
    if (tok_is(p, st, n, "not")) {
        struct sg_node *nd, *kid;
        int r;

        if (++p->depth > SG_MAX_COND_DEPTH)
            return cp_err(p, st, "nested deeper than %u levels", SG_MAX_COND_DEPTH);
        p->pos = st + n;
        r = cp_not(p, &kid);
        if (r < 0)
            return r;
        p->depth--;
        nd = new_node(p->cc, SG_N_NOT, 1);
        if (nd == NULL)
            return cc_oom(p->cc);
        nd->kids[0] = kid;
        *ret = nd;
        return 0;
    }
    return cp_primary(p, ret);
}

/* Parse a chain of @sub joined by keyword @kw into one node of @op. */
static int cp_chain(struct cparse *p, const char *kw, uint8_t op,
                    int (*sub)(struct cparse *, struct sg_node **), struct sg_node **ret)
{
    struct sg_node *items[256], *first, *nd;
    size_t n_items = 0, st, n;
    int r = sub(p, &first);

    if (r < 0)
        return r;
    items[n_items++] = first;
    for (;;) {
        cp_peek(p, &st, &n);
        if (!tok_is(p, st, n, kw))
            break;
        p->pos = st + n;
        if (n_items == SS_ARRAY_LEN(items)) {
            /* fold what we have into one node to keep going */
            nd = new_node(p->cc, op, (uint32_t)n_items);
            if (nd == NULL)
                return cc_oom(p->cc);
            memcpy(nd->kids, items, n_items * sizeof(items[0]));
            items[0] = nd;
            n_items = 1;
        }
        r = sub(p, &items[n_items]);
        if (r < 0)
            return r;
        n_items++;
    }
    if (n_items == 1) {
        *ret = items[0];
        return 0;
    }
    nd = new_node(p->cc, op, (uint32_t)n_items);
    if (nd == NULL)
        return cc_oom(p->cc);
    memcpy(nd->kids, items, n_items * sizeof(items[0]));
    *ret = nd;
    return 0;
}

static int cp_and(struct cparse *p, struct sg_node **ret)
{
    return cp_chain(p, "and", SG_N_AND, cp_not, ret);
}

static int cp_expr(struct cparse *p, struct sg_node **ret)
{
    return cp_chain(p, "or", SG_N_OR, cp_and, ret);
}

static int parse_condition(struct sg_cctx *cc, const struct ss_yaml_node *at, const char *s,
                           size_t len, struct sel *sels, size_t n_sels, struct sg_node **ret)
{
    struct cparse p = { .cc = cc, .at = at, .s = s, .len = len, .sels = sels, .n_sels = n_sels };
    size_t st, n;
    int r;

    if (len > SG_MAX_COND_BYTES)
        return cp_err(&p, 0, "longer than %u bytes", SG_MAX_COND_BYTES);
    r = cp_expr(&p, ret);
    if (r < 0)
        return r;
    cp_peek(&p, &st, &n);
    if (n != 0)
        return cp_err(&p, st, "unexpected '%.*s'", (int)n, s + st);
    return 0;
}

/* Compile one search identifier's definition. */
static int compile_selection(struct sg_cctx *cc, const struct ss_yaml_node *def,
                             struct sg_node **ret);

int ss_sigma_compile_selection(struct sg_cctx *cc, const struct ss_yaml_node *def,
                               struct sg_node **ret)
{
    return compile_selection(cc, def, ret);
}

static int compile_selection(struct sg_cctx *cc, const struct ss_yaml_node *def,
                             struct sg_node **ret)
{
    if (def->type == SS_YAML_MAP) {
        struct sg_node *nd;

        if (def->n == 0)
            return ss_diag_set(cc->diag, SS_ESYNTAX, cc->file, def->line, def->col, def->offset,
                               "a search identifier cannot be an empty map");
        nd = new_node(cc, SG_N_AND, (uint32_t)def->n);
        if (nd == NULL)
            return cc_oom(cc);
        for (size_t i = 0; i < def->n; i++) {
            const struct ss_yaml_node *k = def->items[2 * i];
            int r =
                ss_sigma_compile_item(cc, k, k->str, k->len, def->items[2 * i + 1], &nd->kids[i]);

            if (r < 0)
                return r;
        }
        *ret = def->n == 1 ? nd->kids[0] : nd;
        return 0;
    }
    if (def->type == SS_YAML_SEQ) {
        const struct ss_yaml_node **kw;
        size_t n_kw = 0, n_kids = 0;
        struct sg_node *nd;
        int r = 0;

        if (def->n == 0)
            return ss_diag_set(cc->diag, SS_ESYNTAX, cc->file, def->line, def->col, def->offset,
                               "a search identifier cannot be an empty list");
        kw = ss_calloc(def->n, sizeof(*kw));
        nd = new_node(cc, SG_N_OR, (uint32_t)def->n);
        if (kw == NULL || nd == NULL) {
            ss_free(kw);
            return kw == NULL ? -ENOMEM : cc_oom(cc);
        }
        for (size_t i = 0; i < def->n && r == 0; i++) {
            const struct ss_yaml_node *it = def->items[i];

            if (it->type == SS_YAML_SCALAR)
                kw[n_kw++] = it;
            else if (it->type == SS_YAML_MAP)
                r = compile_selection(cc, it, &nd->kids[n_kids++]);
            else
                r = ss_diag_set(cc->diag, SS_ESYNTAX, cc->file, it->line, it->col, it->offset,
                                "a list in a search identifier holds values or maps, not lists");
        }
        if (r == 0 && n_kw > 0)
            r = ss_sigma_compile_keywords(cc, kw, n_kw, &nd->kids[n_kids++]);
        ss_free(kw);
        if (r < 0)
            return r;
        nd->n = (uint32_t)n_kids;
        *ret = n_kids == 1 ? nd->kids[0] : nd;
        return 0;
    }
    /* A single scalar: one keyword. */
    return ss_sigma_compile_keywords(cc, &def, 1, ret);
}

int ss_sigma_compile_detection(struct sg_cctx *cc, const struct ss_yaml_node *det,
                               const char *cond_override, struct sg_node **ret)
{
    const struct ss_yaml_node *cond = ss_yaml_get(det, "condition");
    struct sel *sels;
    size_t n_sels = 0;
    int r = 0;

    if (det == NULL || det->type != SS_YAML_MAP)
        return ss_diag_set(cc->diag, SS_ESYNTAX, cc->file, det ? det->line : 0, det ? det->col : 0,
                           det ? det->offset : UINT64_MAX, "'detection' must be a map");
    if (cond == NULL)
        return ss_diag_set(cc->diag, SS_ESYNTAX, cc->file, det->line, det->col, det->offset,
                           "'detection' has no 'condition' (mandatory)");
    if (det->n > SG_MAX_SELECTIONS)
        return ss_diag_set(cc->diag, SS_ELIMIT, cc->file, det->line, det->col, det->offset,
                           "more than %u search identifiers", SG_MAX_SELECTIONS);
    sels = ss_calloc(det->n, sizeof(*sels));
    if (sels == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < det->n && r == 0; i++) {
        const struct ss_yaml_node *k = det->items[2 * i], *v = det->items[2 * i + 1];

        if (strcmp(k->str, "condition") == 0)
            continue;
        /* Sigma 1.0 'timeframe' (a duration, used by aggregations), and a filter's 'rules'. */
        if ((strcmp(k->str, "timeframe") == 0 || strcmp(k->str, "rules") == 0) &&
            v->type != SS_YAML_MAP)
            continue;
        if (ss_yaml_is_null(v)) {
            r = ss_diag_set(cc->diag, SS_ESYNTAX, cc->file, v->line, v->col, v->offset,
                            "search identifier '%s' has no definition", k->str);
            break;
        }
        sels[n_sels].name = k->str;
        r = compile_selection(cc, v, &sels[n_sels].node);
        n_sels++;
    }
    if (r == 0 && cond_override != NULL) {
        r = parse_condition(cc, cond, cond_override, strlen(cond_override), sels, n_sels, ret);
    } else if (r == 0 && cond->type == SS_YAML_SCALAR && cond->sc != SS_YSC_NULL) {
        r = parse_condition(cc, cond, cond->str, cond->len, sels, n_sels, ret);
    } else if (r == 0 && cond->type == SS_YAML_SEQ && cond->n > 0) {
        /* A list of conditions is their OR. */
        struct sg_node *nd = new_node(cc, SG_N_OR, (uint32_t)cond->n);

        if (nd == NULL)
            r = cc_oom(cc);
        for (size_t i = 0; r == 0 && i < cond->n; i++) {
            const struct ss_yaml_node *c = cond->items[i];

            if (!is_text(c))
                r = ss_diag_set(cc->diag, SS_ESYNTAX, cc->file, c->line, c->col, c->offset,
                                "each condition of a list must be a string");
            else
                r = parse_condition(cc, c, c->str, c->len, sels, n_sels, &nd->kids[i]);
        }
        if (r == 0)
            *ret = nd;
    } else if (r == 0) {
        r = ss_diag_set(cc->diag, SS_ESYNTAX, cc->file, cond->line, cond->col, cond->offset,
                        "'condition' must be a string or a list of strings");
    }
    ss_free(sels);
    return r;
}

/* ---- rules ---- */

static int add_rule(struct ss_sigma_ruleset *rs, struct sg_rule **ret)
{
    struct sg_rule *ru;

    if (rs->n_rules >= SS_SIGMA_MAX_RULES)
        return SS_ELIMIT;
    if (rs->n_rules == rs->cap_rules) {
        size_t cap = rs->cap_rules ? rs->cap_rules * 2 : 64;
        struct sg_rule **nr = ss_reallocarray(rs->rules, cap, sizeof(*nr));

        if (nr == NULL)
            return -ENOMEM;
        rs->rules = nr;
        rs->cap_rules = cap;
    }
    ru = ss_arena_calloc(&rs->arena, 1, sizeof(*ru));
    if (ru == NULL)
        return rs_oom(rs);
    ru->index = (uint32_t)rs->n_rules;
    rs->rules[rs->n_rules++] = ru;
    *ret = ru;
    return 0;
}

/* Register the id and name of @ru; a duplicate is a rejection of the newer document. */
static int register_names(struct dctx *x, struct sg_rule *ru)
{
    struct ss_sigma_ruleset *rs = x->rs;
    int r;

    if (ru->id != NULL) {
        int64_t prev = ss_sigma_strmap_get(&rs->ids, ru->id);

        if (prev >= 0) {
            const struct sg_rule *o = rs->rules[prev];

            return drej(x, SS_ESYNTAX, ss_yaml_get(x->root, "id"),
                        "duplicate rule id '%s' (first in %s:%u)", ru->id, o->file, o->line);
        }
    }
    if (ru->name != NULL) {
        int64_t prev = ss_sigma_strmap_get(&rs->names, ru->name);

        if (prev >= 0) {
            const struct sg_rule *o = rs->rules[prev];

            return drej(x, SS_ESYNTAX, ss_yaml_get(x->root, "name"),
                        "duplicate rule name '%s' (first in %s:%u)", ru->name, o->file, o->line);
        }
    }
    if (ru->id != NULL) {
        r = ss_sigma_strmap_put(&rs->ids, ru->id, ru->index);
        if (r < 0)
            return r;
    }
    if (ru->name != NULL) {
        r = ss_sigma_strmap_put(&rs->names, ru->name, ru->index);
        if (r < 0)
            return r;
    }
    return 0;
}

/* Undo add_rule for the last rule (a document rejected after its rule was added). */
static void drop_last_rules(struct ss_sigma_ruleset *rs, size_t keep)
{
    rs->n_rules = keep;
}

static int parse_timespan(const char *s, size_t n, int64_t *ret_us)
{
    uint64_t v;
    int64_t unit;

    if (n < 2)
        return SS_ESYNTAX;
    switch (s[n - 1]) {
    case 's':
        unit = SS_TIME_US_PER_SEC;
        break;
    case 'm':
        unit = 60 * SS_TIME_US_PER_SEC;
        break;
    case 'h':
        unit = 3600 * SS_TIME_US_PER_SEC;
        break;
    case 'd':
        unit = 86400 * SS_TIME_US_PER_SEC;
        break;
    default:
        return SS_ESYNTAX;
    }
    if (ss_parse_u64(s, n - 1, &v) != 0 || v == 0 || v > (uint64_t)INT64_MAX / (uint64_t)unit)
        return SS_ESYNTAX;
    *ret_us = (int64_t)v * unit;
    return 0;
}

static const char *const ctype_names[SG_C__COUNT] = {
    "event_count", "value_count", "temporal",         "temporal_ordered",
    "value_sum",   "value_avg",   "value_percentile",
};

static const char *const ccond_names[SG_CC__COUNT] = { "gt", "gte", "lt", "lte", "eq", "neq" };

static int str_list(struct dctx *x, const struct ss_yaml_node *n, const char *what, bool allow_one,
                    const char ***ret, uint32_t *ret_n)
{
    const char **v;
    size_t cnt;

    if (n == NULL) {
        *ret = NULL;
        *ret_n = 0;
        return 0;
    }
    if (allow_one && is_text(n)) {
        v = ss_arena_calloc(&x->rs->arena, 1, sizeof(*v));
        if (v == NULL)
            return rs_oom(x->rs);
        v[0] = n->str;
        *ret = v;
        *ret_n = 1;
        return 0;
    }
    if (n->type != SS_YAML_SEQ)
        return drej(x, SS_ESYNTAX, n, "'%s' must be a list of strings", what);
    cnt = n->n;
    v = ss_arena_calloc(&x->rs->arena, cnt ? cnt : 1, sizeof(*v));
    if (v == NULL)
        return rs_oom(x->rs);
    for (size_t i = 0; i < cnt; i++) {
        if (!is_text(n->items[i]) || n->items[i]->len == 0)
            return drej(x, SS_ESYNTAX, n->items[i], "'%s' must be a list of non-empty strings",
                        what);
        for (size_t j = 0; j < i; j++)
            if (strcmp(v[j], n->items[i]->str) == 0)
                return drej(x, SS_ESYNTAX, n->items[i], "'%s' lists '%s' twice", what,
                            n->items[i]->str);
        v[i] = n->items[i]->str;
    }
    *ret = v;
    *ret_n = (uint32_t)cnt;
    return 0;
}

static int load_correlation(struct dctx *x, const struct ss_yaml_node *c)
{
    struct ss_sigma_ruleset *rs = x->rs;
    struct sg_rule *ru;
    struct sg_corr *co;
    const struct ss_yaml_node *n;
    const char *title, *id, *name, *level;
    size_t keep = rs->n_rules;
    int r;

    rs->entries[x->entry].pub.kind = SS_SIGMA_DOC_CORRELATION;
    r = check_meta(x, true, &title, &id, &name);
    if (r == 0)
        r = check_level(x, &level);
    if (r < 0)
        return r;
    if (c->type != SS_YAML_MAP)
        return drej(x, SS_ESYNTAX, c, "'correlation' must be a map");
    co = ss_arena_calloc(&rs->arena, 1, sizeof(*co));
    if (co == NULL)
        return rs_oom(rs);
    n = ss_yaml_get(c, "type");
    if (n == NULL)
        return drej(x, SS_ESYNTAX, c, "correlation has no 'type' (mandatory)");
    {
        bool found = false;

        for (int t = 0; t < SG_C__COUNT && is_str(n); t++) {
            if (strcmp(n->str, ctype_names[t]) == 0) {
                co->type = (uint8_t)t;
                found = true;
            }
        }
        if (!found)
            return drej(x, SS_ESYNTAX, n,
                        "correlation type '%s' is not event_count, value_count, temporal, "
                        "temporal_ordered, value_sum, value_avg or value_percentile",
                        n->type == SS_YAML_SCALAR ? n->str : ss_yaml_kind_name(n));
    }
    n = ss_yaml_get(c, "rules");
    if (n == NULL)
        return drej(x, SS_ESYNTAX, c, "correlation has no 'rules' (mandatory)");
    r = str_list(x, n, "rules", true, &co->refs, &co->n_refs);
    if (r < 0)
        return r;
    if (co->n_refs == 0)
        return drej(x, SS_ESYNTAX, n, "correlation 'rules' is empty");
    n = ss_yaml_get(c, "group-by");
    if (n == NULL) {
        r = dnote(x, SS_SIGMA_NOTE_WARNING, c,
                  "correlation has no 'group-by' (mandatory): all events form one group");
    } else {
        r = str_list(x, n, "group-by", true, &co->group_by, &co->n_group);
        if (r == 0 && co->n_group > SG_MAX_GROUP_FIELDS)
            r = drej(x, SS_ELIMIT, n, "more than %u group-by fields", SG_MAX_GROUP_FIELDS);
    }
    if (r < 0)
        return r;
    n = ss_yaml_get(c, "timespan");
    if (n == NULL)
        return drej(x, SS_ESYNTAX, c, "correlation has no 'timespan' (mandatory)");
    if (!is_text(n) || parse_timespan(n->str, n->len, &co->timespan_us) != 0)
        return drej(x, SS_ESYNTAX, n,
                    "timespan '%s' is not a number followed by s, m, h or d (e.g. 90m)",
                    n->type == SS_YAML_SCALAR ? n->str : ss_yaml_kind_name(n));
    n = ss_yaml_get(c, "condition");
    if (n != NULL) {
        bool any = false;

        if (n->type != SS_YAML_MAP)
            return drej(x, SS_ESYNTAX, n, "correlation 'condition' must be a map");
        for (size_t i = 0; i < n->n; i++) {
            const struct ss_yaml_node *k = n->items[2 * i], *v = n->items[2 * i + 1];
            bool known = false;

            if (strcmp(k->str, "field") == 0) {
                r = str_list(x, v, "field", true, &co->fields, &co->n_fields);
                if (r < 0)
                    return r;
                continue;
            }
            for (int o = 0; o < SG_CC__COUNT; o++) {
                if (strcmp(k->str, ccond_names[o]) != 0)
                    continue;
                known = true;
                if (v->type != SS_YAML_SCALAR || (v->sc != SS_YSC_INT && v->sc != SS_YSC_FLOAT))
                    return drej(x, SS_ESYNTAX, v, "condition '%s' needs a number", k->str);
                co->has_cond[o] = true;
                co->cond[o] = v->fval;
                any = true;
            }
            if (!known)
                return drej(x, SS_ESYNTAX, k,
                            "unknown correlation condition '%s' (gt, gte, lt, lte, eq, neq, field)",
                            k->str);
        }
        if (!any && co->type != SG_C_TEMPORAL && co->type != SG_C_TEMPORAL_ORDERED)
            return drej(x, SS_ESYNTAX, n, "correlation condition has no comparison");
        if (!any) {
            co->has_cond[SG_CC_GTE] = true;
            co->cond[SG_CC_GTE] = co->n_refs;
        }
    } else if (co->type == SG_C_TEMPORAL || co->type == SG_C_TEMPORAL_ORDERED) {
        co->has_cond[SG_CC_GTE] = true; /* every referenced rule must appear */
        co->cond[SG_CC_GTE] = co->n_refs;
    } else {
        return drej(x, SS_ESYNTAX, c, "%s correlation has no 'condition' (mandatory)",
                    ctype_names[co->type]);
    }
    if (co->type == SG_C_VALUE_COUNT || co->type == SG_C_VALUE_SUM || co->type == SG_C_VALUE_AVG ||
        co->type == SG_C_VALUE_PERCENTILE) {
        if (co->n_fields == 0)
            return drej(x, SS_ESYNTAX, n ? n : c, "%s correlation needs 'field' in its condition",
                        ctype_names[co->type]);
        if (co->type != SG_C_VALUE_COUNT && co->n_fields != 1)
            return drej(x, SS_ESYNTAX, n, "%s correlation takes one 'field'",
                        ctype_names[co->type]);
    } else if (co->n_fields > 0) {
        r = dnote(x, SS_SIGMA_NOTE_WARNING, n, "'field' has no meaning for %s correlations",
                  ctype_names[co->type]);
        if (r < 0)
            return r;
    }
    n = ss_yaml_get(c, "aliases");
    if (n != NULL) {
        if (n->type != SS_YAML_MAP)
            return drej(x, SS_ESYNTAX, n, "'aliases' must be a map");
        co->aliases = ss_arena_calloc(&rs->arena, n->n ? n->n : 1, sizeof(*co->aliases));
        if (co->aliases == NULL)
            return rs_oom(rs);
        for (size_t i = 0; i < n->n; i++) {
            const struct ss_yaml_node *k = n->items[2 * i], *v = n->items[2 * i + 1];
            struct sg_alias *al = &co->aliases[co->n_aliases++];

            if (v->type != SS_YAML_MAP || v->n == 0)
                return drej(x, SS_ESYNTAX, v, "alias '%s' must map rule names to field names",
                            k->str);
            al->alias = k->str;
            al->rule_refs = ss_arena_calloc(&rs->arena, v->n, sizeof(*al->rule_refs));
            al->fields = ss_arena_calloc(&rs->arena, v->n, sizeof(*al->fields));
            if (al->rule_refs == NULL || al->fields == NULL)
                return rs_oom(rs);
            for (size_t j = 0; j < v->n; j++) {
                if (!is_text(v->items[2 * j + 1]))
                    return drej(x, SS_ESYNTAX, v->items[2 * j + 1],
                                "alias '%s': field name expected", k->str);
                al->rule_refs[j] = v->items[2 * j]->str;
                al->fields[j] = v->items[2 * j + 1]->str;
            }
            al->n = (uint32_t)v->n;
        }
    }
    /* a document attribute (the spec's schema), and inside 'correlation' (pySigma) */
    for (int where = 0; where < 2; where++) {
        n = ss_yaml_get(where == 0 ? x->root : c, "generate");
        if (n == NULL)
            continue;
        if (n->type != SS_YAML_SCALAR || n->sc != SS_YSC_BOOL)
            return drej(x, SS_ESYNTAX, n, "'generate' must be true or false");
        co->generate = co->generate || n->bval;
    }
    r = add_rule(rs, &ru);
    if (r == SS_ELIMIT)
        return drej(x, SS_ELIMIT, x->root, "more than %u rules", SS_SIGMA_MAX_RULES);
    if (r < 0)
        return r;
    ru->is_corr = true;
    ru->corr = co;
    ru->entry = x->entry;
    ru->file = x->file;
    ru->doc = x->doc;
    ru->line = x->root->line;
    ru->col = x->root->col;
    ru->title = title;
    ru->id = id;
    ru->name = name;
    ru->level = level;
    ru->sev = ss_sigma_level_sev(level);
    ru->emits = true;
    ru->root = x->root;
    r = register_names(x, ru);
    if (r < 0) {
        drop_last_rules(rs, keep);
        return r;
    }
    rs->entries[x->entry].pub.rule = (int32_t)ru->index;
    return 0;
}

static int load_filter(struct dctx *x, const struct ss_yaml_node *f)
{
    struct ss_sigma_ruleset *rs = x->rs;
    struct sg_filter *fi;
    const char *title, *id, *name;
    const char *product, *service, *category;
    const struct ss_yaml_node *n;
    struct sg_cctx cc = { .rs = rs, .file = x->file, .diag = &x->d };
    struct sg_node *probe;
    int r;

    rs->entries[x->entry].pub.kind = SS_SIGMA_DOC_FILTER;
    r = check_meta(x, true, &title, &id, &name);
    if (r == 0)
        r = check_logsource(x, ss_yaml_get(x->root, "logsource"), &product, &service, &category);
    if (r < 0)
        return r;
    if (f->type != SS_YAML_MAP)
        return drej(x, SS_ESYNTAX, f, "'filter' must be a map");
    fi = ss_arena_calloc(&rs->arena, 1, sizeof(*fi));
    if (fi == NULL)
        return rs_oom(rs);
    n = ss_yaml_get(f, "rules");
    if (n == NULL)
        return drej(x, SS_ESYNTAX, f, "filter has no 'rules' (mandatory)");
    r = str_list(x, n, "rules", true, &fi->refs, &fi->n_refs);
    if (r < 0)
        return r;
    /* Validate now; the tree is rebuilt at compile time. */
    r = ss_sigma_compile_detection(&cc, f, NULL, &probe);
    if (cc.gctx != NULL)
        pcre2_general_context_free(cc.gctx);
    if (r < 0)
        return r;
    fi->entry = x->entry;
    fi->title = title;
    fi->detection = f;
    fi->product = product;
    fi->service = service;
    fi->category = category;
    if (rs->n_filters == rs->cap_filters) {
        size_t cap = rs->cap_filters ? rs->cap_filters * 2 : 8;
        struct sg_filter **nf = ss_reallocarray(rs->filters, cap, sizeof(*nf));

        if (nf == NULL)
            return -ENOMEM;
        rs->filters = nf;
        rs->cap_filters = cap;
    }
    rs->filters[rs->n_filters++] = fi;
    return 0;
}

/* ---- Sigma 1.0 aggregations ---- */

struct legacy {
    enum { LG_NONE, LG_AGG, LG_NEAR } kind;
    char expr[SG_MAX_COND_BYTES + 1]; /* condition before the '|' */
    char func[8];                     /* count, sum, avg, min, max */
    char field[256];                  /* function argument ("" for count()) */
    char group[256];                  /* by ... ("" if none) */
    int op;                           /* enum sg_ccond_op */
    const char *op_text;              /* as written */
    double value;
    char near[8][256]; /* near operands */
    size_t n_near;
};

static void trim(const char **s, size_t *n)
{
    while (*n > 0 && (**s == ' ' || **s == '\t'))
        (*s)++, (*n)--;
    while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\n'))
        (*n)--;
}

/* Parse "expr | count(f) by g > N" or "expr | near a and b". 0 = none, 1 = parsed. */
static int parse_legacy(struct dctx *x, const struct ss_yaml_node *cond, struct legacy *lg)
{
    const char *s = cond->str, *bar = memchr(s, '|', cond->len), *p;
    size_t n;

    lg->kind = LG_NONE;
    if (bar == NULL)
        return 0;
    {
        const char *e = s;
        size_t el = (size_t)(bar - s);

        trim(&e, &el);
        if (el == 0 || el > SG_MAX_COND_BYTES)
            return drej(x, SS_ESYNTAX, cond, "condition: nothing before the aggregation '|'");
        memcpy(lg->expr, e, el);
        lg->expr[el] = '\0';
    }
    p = bar + 1;
    n = cond->len - (size_t)(p - s);
    trim(&p, &n);
    if (n >= 5 && memcmp(p, "near ", 5) == 0) {
        const char *q = p + 5;
        size_t ql = n - 5;

        lg->kind = LG_NEAR;
        for (;;) {
            const char *and_at = NULL;

            for (size_t i = 0; i + 5 <= ql; i++) {
                if (memcmp(q + i, " and ", 5) == 0) {
                    and_at = q + i;
                    break;
                }
            }
            {
                const char *t = q;
                size_t tl = and_at ? (size_t)(and_at - q) : ql;

                trim(&t, &tl);
                if (tl == 0 || tl >= sizeof(lg->near[0]) || lg->n_near == SS_ARRAY_LEN(lg->near))
                    return drej(x, SS_EUNSUPPORTED, cond,
                                "condition: unsupported Sigma 1.0 'near' expression");
                if ((tl >= 4 && memcmp(t, "not ", 4) == 0) || memchr(t, '(', tl))
                    return drej(x, SS_EUNSUPPORTED, cond,
                                "condition: 'near' with 'not' or parentheses has no correlation "
                                "equivalent");
                memcpy(lg->near[lg->n_near], t, tl);
                lg->near[lg->n_near][tl] = '\0';
                lg->n_near++;
            }
            if (and_at == NULL)
                break;
            ql -= (size_t)(and_at + 5 - q);
            q = and_at + 5;
        }
        return 1;
    }
    /* func(field) [by group] op value */
    {
        const char *open = memchr(p, '(', n),
                   *close = open ? memchr(open, ')', n - (size_t)(open - p)) : NULL;
        const char *rest, *f;
        size_t fl, rl, fnl;

        if (open == NULL || close == NULL)
            return drej(x, SS_ESYNTAX, cond,
                        "condition: aggregation after '|' must be func(field) [by field] op N "
                        "or near ...");
        fnl = (size_t)(open - p);
        {
            const char *fn = p;

            trim(&fn, &fnl);
            if (fnl == 0 || fnl >= sizeof(lg->func))
                return drej(x, SS_ESYNTAX, cond, "condition: unknown aggregation function");
            memcpy(lg->func, fn, fnl);
            lg->func[fnl] = '\0';
        }
        if (strcmp(lg->func, "count") != 0 && strcmp(lg->func, "sum") != 0 &&
            strcmp(lg->func, "avg") != 0 && strcmp(lg->func, "min") != 0 &&
            strcmp(lg->func, "max") != 0)
            return drej(x, SS_ESYNTAX, cond, "condition: unknown aggregation function '%s'",
                        lg->func);
        f = open + 1;
        fl = (size_t)(close - f);
        trim(&f, &fl);
        if (fl >= sizeof(lg->field))
            return drej(x, SS_ELIMIT, cond, "condition: aggregation field name too long");
        memcpy(lg->field, f, fl);
        lg->field[fl] = '\0';
        rest = close + 1;
        rl = n - (size_t)(rest - p);
        trim(&rest, &rl);
        if (rl >= 3 && memcmp(rest, "by ", 3) == 0) {
            const char *g = rest + 3;
            size_t gl = 0;

            while (g < rest + rl && *g == ' ')
                g++;
            while (g + gl < rest + rl && g[gl] != ' ' && g[gl] != '<' && g[gl] != '>' &&
                   g[gl] != '=' && g[gl] != '!')
                gl++;
            if (gl == 0 || gl >= sizeof(lg->group))
                return drej(x, SS_ESYNTAX, cond, "condition: 'by' needs a field name");
            memcpy(lg->group, g, gl);
            lg->group[gl] = '\0';
            rl -= (size_t)(g + gl - rest);
            rest = g + gl;
            trim(&rest, &rl);
        }
        {
            static const struct {
                const char *t;
                int op;
            } ops[] = { { ">=", SG_CC_GTE }, { "<=", SG_CC_LTE }, { "==", SG_CC_EQ },
                        { "!=", SG_CC_NEQ }, { ">", SG_CC_GT },   { "<", SG_CC_LT },
                        { "=", SG_CC_EQ } };
            size_t k;

            for (k = 0; k < SS_ARRAY_LEN(ops); k++) {
                size_t tl = strlen(ops[k].t);

                if (rl >= tl && memcmp(rest, ops[k].t, tl) == 0) {
                    const char *v = rest + tl;
                    size_t vl = rl - tl;

                    trim(&v, &vl);
                    if (ss_parse_double(v, vl, &lg->value) != 0)
                        return drej(x, SS_ESYNTAX, cond,
                                    "condition: aggregation threshold '%.*s' is not a number",
                                    (int)vl, v);
                    lg->op = ops[k].op;
                    lg->op_text = ops[k].t;
                    break;
                }
            }
            if (k == SS_ARRAY_LEN(ops))
                return drej(x, SS_ESYNTAX, cond,
                            "condition: aggregation needs a comparison (>, >=, <, <=, ==)");
        }
    }
    lg->kind = LG_AGG;
    return 1;
}

static int fmt_duration(int64_t us, char *out, size_t n)
{
    int64_t s = us / SS_TIME_US_PER_SEC;

    if (s % 86400 == 0)
        return snprintf(out, n, "%" PRId64 "d", s / 86400);
    if (s % 3600 == 0)
        return snprintf(out, n, "%" PRId64 "h", s / 3600);
    if (s % 60 == 0)
        return snprintf(out, n, "%" PRId64 "m", s / 60);
    return snprintf(out, n, "%" PRId64 "s", s);
}

/* ---- detection rules ---- */

static int fill_rule_meta(struct dctx *x, struct sg_rule *ru, const char *title, const char *id,
                          const char *name, const char *level, const char *product,
                          const char *service, const char *category)
{
    ru->entry = x->entry;
    ru->file = x->file;
    ru->doc = x->doc;
    ru->line = x->root->line;
    ru->col = x->root->col;
    ru->title = title;
    ru->id = id;
    ru->name = name;
    ru->level = level;
    ru->sev = ss_sigma_level_sev(level);
    ru->product = product;
    ru->service = service;
    ru->category = category;
    ru->root = x->root;
    ru->detection = ss_yaml_get(x->root, "detection");
    ru->emits = true;
    return 0;
}

static int compile_rule_tree(struct dctx *x, struct sg_rule *ru)
{
    struct sg_cctx cc = { .rs = x->rs, .rule = ru, .file = x->file, .diag = &x->d };
    int r = ss_sigma_compile_detection(&cc, ru->detection, ru->cond_override, &ru->tree);

    if (cc.gctx != NULL)
        pcre2_general_context_free(cc.gctx);
    ru->uses_expand = cc.saw_expand;
    return r;
}

static int load_rule(struct dctx *x, const struct ss_yaml_node *det)
{
    struct ss_sigma_ruleset *rs = x->rs;
    const char *title, *id, *name, *level, *product, *service, *category;
    const struct ss_yaml_node *cond, *tf;
    struct legacy *lg = NULL;
    struct sg_rule *ru;
    size_t keep = rs->n_rules;
    int64_t timeframe_us = 0;
    int r;

    rs->entries[x->entry].pub.kind = SS_SIGMA_DOC_RULE;
    r = check_meta(x, true, &title, &id, &name);
    if (r == 0)
        r = check_level(x, &level);
    if (r == 0)
        r = check_logsource(x, ss_yaml_get(x->root, "logsource"), &product, &service, &category);
    if (r < 0)
        return r;
    if (det->type != SS_YAML_MAP)
        return drej(x, SS_ESYNTAX, det, "'detection' must be a map, not a %s",
                    ss_yaml_kind_name(det));
    cond = ss_yaml_get(det, "condition");
    if (cond == NULL)
        return drej(x, SS_ESYNTAX, det, "'detection' has no 'condition' (mandatory)");
    tf = ss_yaml_get(det, "timeframe");
    if (tf != NULL && tf->type != SS_YAML_MAP) {
        if (!is_text(tf) || parse_timespan(tf->str, tf->len, &timeframe_us) != 0)
            return drej(x, SS_ESYNTAX, tf,
                        "timeframe '%s' is not a number followed by s, m, h "
                        "or d",
                        tf->type == SS_YAML_SCALAR ? tf->str : ss_yaml_kind_name(tf));
    }
    if (is_text(cond) && memchr(cond->str, '|', cond->len) != NULL) {
        lg = ss_calloc(1, sizeof(*lg));
        if (lg == NULL)
            return -ENOMEM;
        r = parse_legacy(x, cond, lg);
        if (r < 0)
            goto out;
    }
    if (lg == NULL || lg->kind == LG_NONE) {
        r = add_rule(rs, &ru);
        if (r == SS_ELIMIT)
            r = drej(x, SS_ELIMIT, x->root, "more than %u rules", SS_SIGMA_MAX_RULES);
        if (r < 0)
            goto out;
        fill_rule_meta(x, ru, title, id, name, level, product, service, category);
        r = compile_rule_tree(x, ru);
        if (r == 0)
            r = register_names(x, ru);
        if (r == 0 && tf != NULL && tf->type != SS_YAML_MAP)
            r = dnote(x, SS_SIGMA_NOTE_WARNING, tf,
                      "'timeframe' (Sigma 1.0) has no effect without an aggregation: the "
                      "condition is evaluated on each event");
        if (r == 0)
            rs->entries[x->entry].pub.rule = (int32_t)ru->index;
        goto out;
    }
    /* Sigma 1.0 aggregation: base rule(s) plus a correlation with the original id. */
    {
        struct sg_rule *co_rule;
        struct sg_corr *co = ss_arena_calloc(&rs->arena, 1, sizeof(*co));
        size_t n_base = lg->kind == LG_NEAR ? 1 + lg->n_near : 1;
        uint32_t base_idx[9];
        char span[32] = "unbounded";

        if (co == NULL) {
            r = rs_oom(rs);
            goto out;
        }
        if (lg->kind == LG_AGG && (strcmp(lg->func, "min") == 0 || strcmp(lg->func, "max") == 0)) {
            r = drej(x, SS_EUNSUPPORTED, cond,
                     "condition: Sigma 1.0 aggregation '%s()' has no Sigma 2 correlation "
                     "equivalent",
                     lg->func);
            goto out;
        }
        if ((strcmp(lg->func, "sum") == 0 || strcmp(lg->func, "avg") == 0) && lg->field[0] == 0) {
            r = drej(x, SS_ESYNTAX, cond, "condition: '%s()' needs a field", lg->func);
            goto out;
        }
        for (size_t b = 0; b < n_base; b++) {
            char bid[512];

            r = add_rule(rs, &ru);
            if (r == SS_ELIMIT)
                r = drej(x, SS_ELIMIT, x->root, "more than %u rules", SS_SIGMA_MAX_RULES);
            if (r < 0)
                goto out;
            fill_rule_meta(x, ru, title, NULL, NULL, level, product, service, category);
            (void)snprintf(bid, sizeof(bid), "%s/%s%zu", id ? id : "rule",
                           lg->kind == LG_NEAR ? "near" : "events", b);
            ru->id = ss_arena_strdup(&rs->arena, bid);
            ru->cond_override = ss_arena_strdup(&rs->arena, b == 0 ? lg->expr : lg->near[b - 1]);
            if (ru->id == NULL || ru->cond_override == NULL) {
                r = rs_oom(rs);
                goto out;
            }
            ru->internal = true;
            ru->emits = false;
            r = compile_rule_tree(x, ru);
            if (r < 0)
                goto out;
            base_idx[b] = ru->index;
        }
        r = add_rule(rs, &co_rule);
        if (r == SS_ELIMIT)
            r = drej(x, SS_ELIMIT, x->root, "more than %u rules", SS_SIGMA_MAX_RULES);
        if (r < 0)
            goto out;
        fill_rule_meta(x, co_rule, title, id, name, level, product, service, category);
        co_rule->detection = NULL;
        co_rule->is_corr = true;
        co_rule->corr = co;
        co->refs = ss_arena_calloc(&rs->arena, n_base, sizeof(*co->refs));
        co->rules = ss_arena_calloc(&rs->arena, n_base, sizeof(*co->rules));
        if (co->refs == NULL || co->rules == NULL) {
            r = rs_oom(rs);
            goto out;
        }
        for (size_t b = 0; b < n_base; b++) {
            co->refs[b] = rs->rules[base_idx[b]]->id;
            co->rules[b] = base_idx[b];
        }
        co->n_refs = (uint32_t)n_base;
        co->timespan_us = timeframe_us;
        if (timeframe_us > 0)
            (void)fmt_duration(timeframe_us, span, sizeof(span));
        if (lg->kind == LG_NEAR) {
            co->type = SG_C_TEMPORAL;
            co->has_cond[SG_CC_GTE] = true;
            co->cond[SG_CC_GTE] = (double)n_base;
            r = dnote(x, SS_SIGMA_NOTE_TRANSLATED, cond,
                      "Sigma 1.0 'near' translated to a correlation of type temporal over %zu "
                      "event rules (timespan %s)",
                      n_base, span);
        } else {
            co->type = strcmp(lg->func, "sum") == 0   ? SG_C_VALUE_SUM
                       : strcmp(lg->func, "avg") == 0 ? SG_C_VALUE_AVG
                       : lg->field[0] != 0            ? SG_C_VALUE_COUNT
                                                      : SG_C_EVENT_COUNT;
            co->has_cond[lg->op] = true;
            co->cond[lg->op] = lg->value;
            if (lg->field[0] != 0) {
                co->fields = ss_arena_calloc(&rs->arena, 1, sizeof(*co->fields));
                if (co->fields == NULL) {
                    r = rs_oom(rs);
                    goto out;
                }
                co->fields[0] = ss_arena_strdup(&rs->arena, lg->field);
                co->n_fields = 1;
            }
            if (lg->group[0] != 0) {
                co->group_by = ss_arena_calloc(&rs->arena, 1, sizeof(*co->group_by));
                if (co->group_by == NULL) {
                    r = rs_oom(rs);
                    goto out;
                }
                co->group_by[0] = ss_arena_strdup(&rs->arena, lg->group);
                co->n_group = 1;
            }
            if ((co->fields && co->fields[0] == NULL) ||
                (co->group_by && co->group_by[0] == NULL)) {
                r = rs_oom(rs);
                goto out;
            }
            r = dnote(x, SS_SIGMA_NOTE_TRANSLATED, cond,
                      "Sigma 1.0 aggregation '%s(%s)%s%s %s %g' translated to a correlation of "
                      "type %s (condition %s %g, timespan %s)",
                      lg->func, lg->field, lg->group[0] ? " by " : "", lg->group, lg->op_text,
                      lg->value, ctype_names[co->type], ccond_names[lg->op], lg->value, span);
        }
        if (r == 0 && timeframe_us == 0)
            r = dnote(x, SS_SIGMA_NOTE_TRANSLATED, cond,
                      "no 'timeframe': the correlation window spans all input");
        if (r == 0)
            r = register_names(x, co_rule);
        if (r == 0)
            rs->entries[x->entry].pub.rule = (int32_t)co_rule->index;
    }
out:
    ss_free(lg);
    if (r < 0)
        drop_last_rules(rs, keep);
    return r;
}

/* ---- Sigma 1.0 rule collections ---- */

/* Deep-merge @over onto @base (maps merge recursively; anything else replaces). */
static const struct ss_yaml_node *merge_nodes(struct ss_sigma_ruleset *rs,
                                              const struct ss_yaml_node *base,
                                              const struct ss_yaml_node *over)
{
    struct ss_yaml_node *m;
    size_t n = 0;

    if (base == NULL)
        return over;
    if (over == NULL)
        return base;
    if (base->type != SS_YAML_MAP || over->type != SS_YAML_MAP)
        return over;
    m = ss_arena_calloc(&rs->arena, 1, sizeof(*m));
    if (m == NULL)
        return NULL;
    *m = *over;
    m->items = ss_arena_calloc(&rs->arena, 2 * (base->n + over->n) + 1, sizeof(*m->items));
    if (m->items == NULL)
        return NULL;
    for (size_t i = 0; i < base->n; i++) {
        const struct ss_yaml_node *k = base->items[2 * i];
        const struct ss_yaml_node *ov = ss_yaml_get(over, k->str);
        const struct ss_yaml_node *v = merge_nodes(rs, base->items[2 * i + 1], ov);

        if (v == NULL)
            return NULL;
        m->items[2 * n] = (struct ss_yaml_node *)(uintptr_t)k;
        m->items[2 * n + 1] = (struct ss_yaml_node *)(uintptr_t)v;
        n++;
    }
    for (size_t i = 0; i < over->n; i++) {
        const struct ss_yaml_node *k = over->items[2 * i];

        if (ss_yaml_get(base, k->str) != NULL)
            continue;
        m->items[2 * n] = over->items[2 * i];
        m->items[2 * n + 1] = over->items[2 * i + 1];
        n++;
    }
    m->n = n;
    return m;
}

/* The document without its 'action' key. */
static const struct ss_yaml_node *strip_action(struct ss_sigma_ruleset *rs,
                                               const struct ss_yaml_node *doc)
{
    struct ss_yaml_node *m = ss_arena_calloc(&rs->arena, 1, sizeof(*m));
    size_t n = 0;

    if (m == NULL)
        return NULL;
    *m = *doc;
    m->items = ss_arena_calloc(&rs->arena, 2 * doc->n + 1, sizeof(*m->items));
    if (m->items == NULL)
        return NULL;
    for (size_t i = 0; i < doc->n; i++) {
        if (strcmp(doc->items[2 * i]->str, "action") == 0)
            continue;
        m->items[2 * n] = doc->items[2 * i];
        m->items[2 * n + 1] = doc->items[2 * i + 1];
        n++;
    }
    m->n = n;
    return m;
}

static int load_doc(struct ss_sigma_ruleset *rs, struct dctx *x, const struct ss_yaml_node *root)
{
    const struct ss_yaml_node *n;

    x->root = root;
    if ((n = ss_yaml_get(root, "correlation")) != NULL)
        return load_correlation(x, n);
    if ((n = ss_yaml_get(root, "filter")) != NULL && ss_yaml_get(root, "detection") == NULL)
        return load_filter(x, n);
    if ((n = ss_yaml_get(root, "detection")) != NULL)
        return load_rule(x, n);
    (void)rs;
    return drej(x, SS_ESYNTAX, root,
                "not a Sigma rule, correlation or filter: no 'detection', 'correlation' or "
                "'filter' key");
}

int ss_sigma_load_text(struct ss_sigma_ruleset *rs, const char *name, const char *text, size_t len,
                       struct ss_diag *reterr_diag)
{
    struct ss_yaml_stream st;
    struct ss_diag yd;
    const char *file = ss_arena_strdup(&rs->arena, name);
    int yr;

    (void)reterr_diag;
    if (file == NULL)
        return rs_oom(rs);
    rs->n_files++;
    ss_diag_clear(&yd);
    yr = ss_yaml_parse(&rs->arena, file, text, len, NULL, &st, &yd);
    if (yr == -ENOMEM || (yr < 0 && ss_arena_failed(&rs->arena) != 0))
        return yr;
    return load_stream(rs, file, &st, yr, &yd);
}

/* Load the documents of @st, parsed from @file with result @yr (@yd: its error). */
static int load_stream(struct ss_sigma_ruleset *rs, const char *file,
                       const struct ss_yaml_stream *st, int yr, struct ss_diag *yd)
{
    const struct ss_yaml_node *global = NULL, *prev = NULL;
    int r = 0;

    for (size_t i = 0; i < st->n_docs && r == 0; i++) {
        const struct ss_yaml_node *root = st->docs[i].root;
        struct dctx x = { .rs = rs, .file = file, .doc = (uint32_t)i };
        const struct ss_yaml_node *act;
        const char *merged_from = NULL;
        int e;

        if (ss_yaml_is_null(root))
            continue; /* an empty document (e.g. a trailing '---') */
        e = ss_sigma_entry_add(rs, file, (uint32_t)i, st->docs[i].line, st->docs[i].col);
        if (e < 0)
            return e;
        x.entry = (uint32_t)e;
        ss_diag_clear(&x.d);
        if (root->type != SS_YAML_MAP) {
            x.root = root;
            (void)drej(&x, SS_ESYNTAX, root, "a Sigma document must be a map, not a %s",
                       ss_yaml_kind_name(root));
            r = entry_reject(rs, x.entry, &x.d);
            continue;
        }
        act = ss_yaml_get(root, "action");
        if (act != NULL) {
            if (is_str(act) && strcmp(act->str, "global") == 0) {
                global = strip_action(rs, root);
                if (global == NULL)
                    return rs_oom(rs);
                rs->entries[x.entry].pub.kind = SS_SIGMA_DOC_OTHER;
                r = ss_sigma_note(rs, x.entry, SS_SIGMA_NOTE_TRANSLATED, root->line, root->col,
                                  "Sigma 1.0 collection: global document merged into the "
                                  "documents that follow");
                continue;
            }
            if (is_str(act) && strcmp(act->str, "reset") == 0) {
                global = NULL;
                rs->entries[x.entry].pub.kind = SS_SIGMA_DOC_OTHER;
                r = ss_sigma_note(rs, x.entry, SS_SIGMA_NOTE_TRANSLATED, root->line, root->col,
                                  "Sigma 1.0 collection: reset of the global document");
                continue;
            }
            if (is_str(act) && strcmp(act->str, "repeat") == 0) {
                if (prev == NULL) {
                    x.root = root;
                    (void)drej(&x, SS_ESYNTAX, act,
                               "'action: repeat' without a previous document to repeat");
                    r = entry_reject(rs, x.entry, &x.d);
                    continue;
                }
                root = merge_nodes(rs, prev, strip_action(rs, root));
                merged_from = "the previous document (action: repeat)";
            } else {
                x.root = root;
                (void)drej(&x, SS_ESYNTAX, act,
                           "'action' must be global, reset or repeat (Sigma 1.0 collections)");
                r = entry_reject(rs, x.entry, &x.d);
                continue;
            }
        } else if (global != NULL) {
            root = merge_nodes(rs, global, root);
            merged_from = "the collection's global document";
        }
        if (root == NULL)
            return rs_oom(rs);
        if (merged_from != NULL) {
            r = ss_sigma_note(rs, x.entry, SS_SIGMA_NOTE_TRANSLATED, 0, 0,
                              "Sigma 1.0 collection: merged with %s", merged_from);
            if (r < 0)
                return r;
        }
        prev = root;
        r = load_doc(rs, &x, root);
        if (r == -ENOMEM || (r < 0 && ss_arena_failed(&rs->arena) != 0))
            return r;
        if (r < 0) {
            rs->entries[x.entry].pub.kind = ss_yaml_get(root, "correlation")
                                                ? SS_SIGMA_DOC_CORRELATION
                                            : ss_yaml_get(root, "detection") ? SS_SIGMA_DOC_RULE
                                            : ss_yaml_get(root, "filter")    ? SS_SIGMA_DOC_FILTER
                                                                             : SS_SIGMA_DOC_OTHER;
            r = entry_reject(rs, x.entry, &x.d);
        }
        {
            const struct ss_yaml_node *t = ss_yaml_get(root, "title");
            const struct ss_yaml_node *id = ss_yaml_get(root, "id");

            rs->entries[x.entry].pub.title = is_text(t) ? t->str : NULL;
            rs->entries[x.entry].pub.id = is_text(id) ? id->str : NULL;
        }
    }
    if (r < 0)
        return r;
    if (yr < 0 || st->n_docs == 0) {
        int e = ss_sigma_entry_add(rs, file, (uint32_t)st->n_docs, (uint32_t)yd->line,
                                   (uint32_t)yd->column);

        if (e < 0)
            return e;
        if (yr == 0) {
            ss_diag_set(yd, SS_EEMPTY, file, 0, 0, UINT64_MAX, "no YAML document in the file");
        } else if (st->n_docs > 0) {
            static const char tail[] = " (the rest of the file is not read)";
            size_t ml = strnlen(yd->msg, sizeof(yd->msg) - sizeof(tail));

            memcpy(yd->msg + ml, tail, sizeof(tail));
        }
        r = entry_reject(rs, (uint32_t)e, yd);
    }
    return r;
}
