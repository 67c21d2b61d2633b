/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json/json_path.c - implements path expressions, single-path lookup (ss_json_get,
 * ss_json_get_each), member iteration and one-pass path-set extraction (ss_json_extract).
 *
 * A path set is a trie of its paths' segments. Extraction walks the record once, and
 * only where the trie has a child: a member whose key no path needs is stepped over with
 * the fast skipper of json_int.h. Each trie node carries the number of its subtree's
 * slots still unfilled, so the walk leaves an object as soon as nothing below it is
 * wanted, and stops the whole record once every slot is filled. Duplicate keys: only the
 * first occurrence of a key in one object is followed (a per-object bitmap of seen trie
 * children), which matches ss_json_get. Nothing here allocates during lookup.
 */
#include "json/json.h"

#include "json/json_int.h"
#include "core/alloc.h"

enum seg_kind {
    SEG_KEY,
    SEG_INDEX,
    SEG_ANY,
};

struct seg {
    enum seg_kind kind;
    uint32_t index;
    const char *key; /* unescaped; points into the path's keys[] */
    size_t key_len;
};

struct ss_json_path {
    size_t n_segs;
    bool multi;
    struct seg segs[SS_JSON_PATH_MAX_SEGMENTS];
    char keys[]; /* unescaped key bytes of all segments */
};

/* ---- path parsing ------------------------------------------------------------------ */

struct pparse {
    const char *s;
    size_t len;
    size_t i;
    struct ss_json_path *path;
    size_t keys_used;
    struct ss_diag *diag;
};

static int perr(struct pparse *pp, int code, size_t off, const char *what)
{
    return ss_diag_set(pp->diag, code, NULL, 0, 0, off, "path: %s", what);
}

static int add_seg(struct pparse *pp, size_t off, struct seg seg)
{
    if (pp->path->n_segs >= SS_JSON_PATH_MAX_SEGMENTS)
        return ss_diag_set(pp->diag, SS_ELIMIT, NULL, 0, 0, off, "path: more than %d segments",
                           SS_JSON_PATH_MAX_SEGMENTS);
    if (seg.kind == SEG_ANY)
        pp->path->multi = true;
    pp->path->segs[pp->path->n_segs++] = seg;
    return 0;
}

/* A quoted key at pp->i (the opening quote): validated and unescaped into keys[]. */
static int parse_quoted(struct pparse *pp)
{
    const size_t start = pp->i;
    char *dst = pp->path->keys + pp->keys_used;
    struct json_sink k = { .out = dst, .cap = pp->len - pp->keys_used };
    size_t end;
    int r;

    r = ss_json_check_string(pp->s, pp->len, start, &end, pp->diag);
    if (r < 0) {
        if (pp->diag != NULL)
            ss_diag_set(pp->diag, r, NULL, 0, 0, pp->diag->offset, "path: bad quoted key: %s",
                        r == SS_ELIMIT ? "too long" : "not a valid JSON string");
        return r;
    }
    r = ss_json_decode_body(pp->s + start + 1, end - start - 2, &k, NULL);
    if (r < 0 || k.len > k.cap)
        return perr(pp, SS_ESYNTAX, start, "bad quoted key");
    pp->keys_used += k.len;
    pp->i = end;
    return add_seg(pp, start, (struct seg){ .kind = SEG_KEY, .key = dst, .key_len = k.len });
}

static bool is_bare(char c)
{
    return c != '.' && c != '[' && c != ']' && c != '"';
}

/* A bracket at pp->i: "[*]", "[digits]" or "[\"key\"]". */
static int parse_bracket(struct pparse *pp)
{
    const char *s = pp->s;
    const size_t start = pp->i;
    size_t i = start + 1;
    int r;

    if (i >= pp->len)
        return perr(pp, SS_ESYNTAX, i, "unterminated '['");
    if (s[i] == '*') {
        r = add_seg(pp, start, (struct seg){ .kind = SEG_ANY });
        i++;
    } else if (s[i] == '"') {
        pp->i = i;
        r = parse_quoted(pp);
        i = pp->i;
    } else if (s[i] >= '0' && s[i] <= '9') {
        uint64_t v = 0;
        const size_t d0 = i;

        while (i < pp->len && s[i] >= '0' && s[i] <= '9') {
            v = v * 10 + (uint64_t)(s[i] - '0');
            if (v > UINT32_MAX)
                return perr(pp, SS_ELIMIT, d0, "array index too large");
            i++;
        }
        if (s[d0] == '0' && i - d0 > 1)
            return perr(pp, SS_ESYNTAX, d0, "array index with a leading zero");
        r = add_seg(pp, start, (struct seg){ .kind = SEG_INDEX, .index = (uint32_t)v });
    } else {
        return perr(pp, SS_ESYNTAX, i, "expected an index, '*' or a quoted key after '['");
    }
    if (r < 0)
        return r;
    if (i >= pp->len || s[i] != ']')
        return perr(pp, SS_ESYNTAX, i, "expected ']'");
    pp->i = i + 1;
    return 0;
}

/* A segment after '.' or at the start: quoted or bare. */
static int parse_segment(struct pparse *pp)
{
    const char *s = pp->s;
    size_t i = pp->i;
    char *dst;

    if (i >= pp->len)
        return perr(pp, SS_ESYNTAX, i, "empty segment at the end");
    if (s[i] == '"')
        return parse_quoted(pp);
    while (i < pp->len && is_bare(s[i]))
        i++;
    if (i == pp->i)
        return perr(pp, SS_ESYNTAX, i, s[i] == '.' ? "empty segment" : "unexpected character");
    dst = pp->path->keys + pp->keys_used;
    memcpy(dst, s + pp->i, i - pp->i);
    pp->keys_used += i - pp->i;
    {
        const size_t at = pp->i;

        pp->i = i;
        return add_seg(pp, at, (struct seg){ .kind = SEG_KEY, .key = dst, .key_len = i - at });
    }
}

int ss_json_path_parse(const char *spec, size_t len, struct ss_json_path **ret_path,
                       struct ss_diag *reterr_diag)
{
    struct pparse pp = { .s = spec, .len = len, .diag = reterr_diag };
    int r = 0;

    if (len > SS_JSON_PATH_MAX_BYTES)
        return ss_diag_set(reterr_diag, SS_ELIMIT, NULL, 0, 0, SS_JSON_PATH_MAX_BYTES,
                           "path: longer than %d bytes", SS_JSON_PATH_MAX_BYTES);
    pp.path = ss_malloc(sizeof(*pp.path) + len);
    if (pp.path == NULL)
        return -ENOMEM;
    pp.path->n_segs = 0;
    pp.path->multi = false;
    /* Optional leading '.'; "" and "." are the whole value. */
    if (len > 0 && spec[0] == '.') {
        pp.i = 1;
        if (len > 1) {
            r = parse_segment(&pp);
            if (r < 0)
                goto fail;
        }
    } else if (len > 0 && spec[0] != '[') {
        r = parse_segment(&pp);
        if (r < 0)
            goto fail;
    }
    while (pp.i < len) {
        if (spec[pp.i] == '.') {
            pp.i++;
            r = parse_segment(&pp);
        } else if (spec[pp.i] == '[') {
            r = parse_bracket(&pp);
        } else {
            r = perr(&pp, SS_ESYNTAX, pp.i, "expected '.' or '[' between segments");
        }
        if (r < 0)
            goto fail;
    }
    *ret_path = pp.path;
    return 0;
fail:
    ss_free(pp.path);
    return r;
}

void ss_json_path_free(struct ss_json_path *path)
{
    ss_free(path);
}

bool ss_json_path_is_multi(const struct ss_json_path *path)
{
    return path->multi;
}

/* ---- lookup ------------------------------------------------------------------------ */

/* Whether the raw key @p[ks..ke) (escaped or not) equals @key. */
static bool key_eq(const char *p, size_t ks, size_t ke, bool escaped, const char *key,
                   size_t key_len)
{
    struct json_sink k = { .cmp = key, .cmp_len = key_len };

    if (!escaped)
        return ke - ks == key_len && (key_len == 0 || memcmp(p + ks, key, key_len) == 0);
    if (ss_json_decode_body(p + ks, ke - ks, &k, NULL) < 0)
        return false;
    return !k.mismatch && k.len == key_len;
}

static struct ss_json_val make_val(const char *p, size_t start, size_t end, enum ss_json_type type,
                                   bool escaped)
{
    return (struct ss_json_val){
        .type = type, .ptr = p + start, .len = end - start, .escaped = escaped
    };
}

/*
 * Read the key of the member at @i (its opening quote) and the colon; on success *ks and *ke
 * bound the raw key body and *ret_i is the first byte of the value.
 */
static JSON_INLINE int read_key(const char *p, size_t len, size_t i, size_t *ks, size_t *ke,
                                bool *escaped, size_t *ret_i)
{
    size_t e;

    if (i >= len || p[i] != '"')
        return SS_ESYNTAX;
    *escaped = false;
    e = json_string_end(p, len, i + 1, escaped);
    if (e == JSON_NO_END)
        return SS_ESYNTAX;
    *ks = i + 1;
    *ke = e;
    i = json_ws(p, len, e + 1);
    if (i >= len || p[i] != ':')
        return SS_ESYNTAX;
    i = json_ws(p, len, i + 1);
    if (i >= len)
        return SS_ESYNTAX;
    *ret_i = i;
    return 0;
}

/*
 * After a member or element ending at @e: step over the ',' (returns 1 with *ret_i at the
 * next member) or the closing @close (returns 0).
 */
static JSON_INLINE int next_member(const char *p, size_t len, size_t e, char close, size_t *ret_i)
{
    size_t i;

    if (e == JSON_NO_END)
        return SS_ESYNTAX;
    i = json_ws(p, len, e);
    if (i >= len)
        return SS_ESYNTAX;
    if (p[i] == close)
        return 0;
    if (p[i] != ',')
        return SS_ESYNTAX;
    i = json_ws(p, len, i + 1);
    if (i >= len)
        return SS_ESYNTAX;
    *ret_i = i;
    return 1;
}

static int resolve(const char *p, size_t len, size_t i, const struct seg *seg, size_t n_segs,
                   ss_json_val_fn fn, void *ctx)
{
    enum ss_json_type type;
    bool escaped;
    size_t e, ks, ke;
    uint64_t idx = 0;
    int r;

    if (n_segs == 0) {
        const struct ss_json_val *vp;
        struct ss_json_val v;

        e = json_value_end(p, len, i, &type, &escaped);
        if (e == JSON_NO_END)
            return SS_ESYNTAX;
        v = make_val(p, i, e, type, escaped);
        vp = &v;
        return fn(ctx, vp);
    }
    if (p[i] != (seg->kind == SEG_KEY ? '{' : '['))
        return json_value_end(p, len, i, &type, &escaped) == JSON_NO_END ? SS_ESYNTAX : 0;
    i = json_ws(p, len, i + 1);
    if (i >= len)
        return SS_ESYNTAX;
    if (p[i] == (seg->kind == SEG_KEY ? '}' : ']'))
        return 0;
    for (;;) {
        if (seg->kind == SEG_KEY) {
            r = read_key(p, len, i, &ks, &ke, &escaped, &i);
            if (r < 0)
                return r;
            /* First occurrence wins: a matching key ends the search either way. */
            if (key_eq(p, ks, ke, escaped, seg->key, seg->key_len))
                return resolve(p, len, i, seg + 1, n_segs - 1, fn, ctx);
        } else if (seg->kind == SEG_INDEX) {
            if (idx == seg->index)
                return resolve(p, len, i, seg + 1, n_segs - 1, fn, ctx);
        } else {
            r = resolve(p, len, i, seg + 1, n_segs - 1, fn, ctx);
            if (r != 0)
                return r;
        }
        e = json_value_end(p, len, i, &type, &escaped);
        r = next_member(p, len, e, seg->kind == SEG_KEY ? '}' : ']', &i);
        if (r <= 0)
            return r;
        idx++;
    }
}

int ss_json_get_each(const char *rec, size_t len, const struct ss_json_path *path,
                     ss_json_val_fn fn, void *ctx)
{
    const size_t i = json_ws(rec, len, 0);

    if (i >= len)
        return SS_ESYNTAX;
    return resolve(rec, len, i, path->segs, path->n_segs, fn, ctx);
}

static int take_first(void *ctx, const struct ss_json_val *val)
{
    *(struct ss_json_val *)ctx = *val;
    return 1;
}

int ss_json_get(const char *rec, size_t len, const struct ss_json_path *path,
                struct ss_json_val *ret)
{
    struct ss_json_val v = { .type = SS_JSON_MISSING };
    const int r = ss_json_get_each(rec, len, path, take_first, &v);

    if (r < 0)
        return r;
    *ret = v;
    return 0;
}

int ss_json_iter_next(const struct ss_json_val *v, size_t *cursor, struct ss_json_val *ret_key,
                      struct ss_json_val *ret_val)
{
    const char *p = v->ptr;
    const size_t len = v->len;
    const bool obj = v->type == SS_JSON_OBJECT;
    const char close = obj ? '}' : ']';
    enum ss_json_type type;
    bool escaped = false, kesc = false;
    size_t i, e, ks = 0, ke = 0;
    int r;

    if ((v->type != SS_JSON_OBJECT && v->type != SS_JSON_ARRAY) || p == NULL || len == 0)
        return -EINVAL;
    if (*cursor == 0) {
        if (p[0] != (obj ? '{' : '['))
            return SS_ESYNTAX;
        i = json_ws(p, len, 1);
        if (i >= len)
            return SS_ESYNTAX;
        if (p[i] == close) {
            *cursor = len;
            return 0;
        }
    } else {
        if (*cursor >= len)
            return 0;
        r = next_member(p, len, *cursor, close, &i);
        if (r <= 0) {
            if (r == 0)
                *cursor = len;
            return r;
        }
    }
    if (obj) {
        r = read_key(p, len, i, &ks, &ke, &kesc, &i);
        if (r < 0)
            return r;
    }
    e = json_value_end(p, len, i, &type, &escaped);
    if (e == JSON_NO_END)
        return SS_ESYNTAX;
    if (ret_key != NULL) {
        if (obj) {
            *ret_key = make_val(p, ks - 1, ke + 1, SS_JSON_STRING, kesc);
        } else {
            *ret_key = (struct ss_json_val){ .type = SS_JSON_MISSING };
        }
    }
    *ret_val = make_val(p, i, e, type, escaped);
    *cursor = e;
    return 1;
}

/* ---- path sets --------------------------------------------------------------------- */

#define NONE UINT32_MAX
/* Root plus one node per segment of every path. */
#define MAX_NODES (1 + SS_JSON_PATHSET_MAX_PATHS * SS_JSON_PATH_MAX_SEGMENTS)

struct pnode {
    enum seg_kind kind; /* how the parent reaches this node */
    uint32_t parent;
    uint32_t next;       /* next child of the parent with the same kind */
    uint32_t first_key;  /* children reached by a key */
    uint32_t first_idx;  /* children reached by an index */
    uint32_t any;        /* child reached by [*] */
    uint32_t first_slot; /* slots whose path ends here (chained by slot_next) */
    uint32_t n_self;     /* number of those slots */
    uint32_t n_slots;    /* slots in the whole subtree, self included */
    uint32_t rank;       /* key children: position among the parent's key children */
    uint32_t n_keys;     /* number of key children */
    uint32_t index;
    const char *key; /* borrowed from the path that created the node */
    size_t key_len;
};

struct ss_json_pathset {
    struct pnode *nodes;
    size_t n_nodes;
    size_t cap_nodes;
    struct ss_json_path *paths[SS_JSON_PATHSET_MAX_PATHS];
    uint32_t slot_next[SS_JSON_PATHSET_MAX_PATHS];
    size_t n_paths;
};

static struct pnode node_init(enum seg_kind kind, uint32_t parent)
{
    return (struct pnode){
        .kind = kind,
        .parent = parent,
        .next = NONE,
        .first_key = NONE,
        .first_idx = NONE,
        .any = NONE,
        .first_slot = NONE,
    };
}

struct ss_json_pathset *ss_json_pathset_new(void)
{
    struct ss_json_pathset *set = ss_calloc(1, sizeof(*set));

    if (set == NULL)
        return NULL;
    set->cap_nodes = 16;
    set->nodes = ss_reallocarray(NULL, set->cap_nodes, sizeof(*set->nodes));
    if (set->nodes == NULL) {
        ss_free(set);
        return NULL;
    }
    set->nodes[0] = node_init(SEG_KEY, NONE);
    set->n_nodes = 1;
    return set;
}

void ss_json_pathset_free(struct ss_json_pathset *set)
{
    if (set == NULL)
        return;
    for (size_t k = 0; k < set->n_paths; k++)
        ss_json_path_free(set->paths[k]);
    ss_free(set->nodes);
    ss_free(set);
}

size_t ss_json_pathset_len(const struct ss_json_pathset *set)
{
    return set->n_paths;
}

/* The child of @nd reached by @seg, or NONE. */
static uint32_t find_child(const struct ss_json_pathset *set, uint32_t nd, const struct seg *seg)
{
    const struct pnode *n = &set->nodes[nd];
    uint32_t c;

    if (seg->kind == SEG_ANY)
        return n->any;
    c = seg->kind == SEG_KEY ? n->first_key : n->first_idx;
    for (; c != NONE; c = set->nodes[c].next) {
        const struct pnode *cn = &set->nodes[c];

        if (seg->kind == SEG_KEY && cn->key_len == seg->key_len &&
            (seg->key_len == 0 || memcmp(cn->key, seg->key, seg->key_len) == 0))
            return c;
        if (seg->kind == SEG_INDEX && cn->index == seg->index)
            return c;
    }
    return NONE;
}

int ss_json_pathset_add(struct ss_json_pathset *set, struct ss_json_path *path, size_t *ret_slot)
{
    const uint32_t slot = (uint32_t)set->n_paths;
    uint32_t nd = 0;

    if (set->n_paths >= SS_JSON_PATHSET_MAX_PATHS)
        return SS_ELIMIT;
    /* Reserve the worst case first, so a failure leaves the set unchanged. */
    if (set->cap_nodes - set->n_nodes < path->n_segs) {
        const size_t ncap = SS_MAX(set->cap_nodes * 2, set->n_nodes + path->n_segs);
        struct pnode *nn = ss_reallocarray(set->nodes, ncap, sizeof(*nn));

        if (nn == NULL)
            return -ENOMEM;
        set->nodes = nn;
        set->cap_nodes = ncap;
    }
    for (size_t k = 0; k < path->n_segs; k++) {
        const struct seg *seg = &path->segs[k];
        uint32_t c = find_child(set, nd, seg);

        if (c == NONE) {
            struct pnode *parent = &set->nodes[nd];
            struct pnode *cn;

            c = (uint32_t)set->n_nodes++;
            cn = &set->nodes[c];
            *cn = node_init(seg->kind, nd);
            cn->key = seg->key;
            cn->key_len = seg->key_len;
            cn->index = seg->index;
            /* Append, so children keep the order of addition. */
            if (seg->kind == SEG_ANY) {
                parent->any = c;
            } else {
                uint32_t *link = seg->kind == SEG_KEY ? &parent->first_key : &parent->first_idx;

                while (*link != NONE)
                    link = &set->nodes[*link].next;
                *link = c;
                if (seg->kind == SEG_KEY)
                    cn->rank = parent->n_keys++;
            }
        }
        nd = c;
    }
    set->slot_next[slot] = set->nodes[nd].first_slot;
    set->nodes[nd].first_slot = slot;
    set->nodes[nd].n_self++;
    for (uint32_t a = nd; a != NONE; a = set->nodes[a].parent)
        set->nodes[a].n_slots++;
    set->paths[slot] = path;
    set->n_paths++;
    *ret_slot = slot;
    return 0;
}

/* One extraction: the set, the record, the output and the per-node unfilled counts. */
struct xctx {
    const struct ss_json_pathset *set;
    const char *p;
    size_t len;
    struct ss_json_val *vals;
    uint16_t *left;
};

#define WALK_DONE 1 /* every slot filled: stop the whole walk */

static int walk(struct xctx *x, uint32_t nd, size_t i, size_t *ret_end);

/* Store @v in the slots ending at @nd; WALK_DONE when that filled the last slot. */
static int fill(struct xctx *x, uint32_t nd, const struct ss_json_val *v)
{
    const struct pnode *n = &x->set->nodes[nd];

    for (uint32_t s = n->first_slot; s != NONE; s = x->set->slot_next[s])
        x->vals[s] = *v;
    for (uint32_t a = nd; a != NONE; a = x->set->nodes[a].parent)
        x->left[a] = (uint16_t)(x->left[a] - n->n_self);
    return x->left[0] == 0 ? WALK_DONE : 0;
}

/* The key child of @nd that the raw key matches, or NONE. */
static JSON_INLINE uint32_t match_key(const struct xctx *x, uint32_t nd, size_t ks, size_t ke,
                                      bool escaped)
{
    const struct pnode *nodes = x->set->nodes;
    const size_t klen = ke - ks;

    for (uint32_t c = nodes[nd].first_key; c != NONE; c = nodes[c].next) {
        if (!escaped) {
            if (nodes[c].key_len == klen &&
                (klen == 0 ||
                 (nodes[c].key[0] == x->p[ks] && memcmp(nodes[c].key, x->p + ks, klen) == 0)))
                return c;
        } else if (key_eq(x->p, ks, ke, true, nodes[c].key, nodes[c].key_len)) {
            return c;
        }
    }
    return NONE;
}

static int walk_object(struct xctx *x, uint32_t nd, size_t i, uint16_t self_pending,
                       size_t *ret_end)
{
    const char *p = x->p;
    const size_t len = x->len;
    uint64_t seen[SS_JSON_PATHSET_MAX_PATHS / 64] = { 0 };
    size_t e, ks, ke;
    bool escaped;
    int r;

    i = json_ws(p, len, i + 1);
    if (i >= len)
        return SS_ESYNTAX;
    if (p[i] == '}') {
        *ret_end = i + 1;
        return 0;
    }
    for (;;) {
        uint32_t c;

        if (x->left[nd] <= self_pending) {
            /* Nothing more is wanted below: step over the rest of the object. */
            e = json_skip_nested(p, len, i, 1);
            if (e == JSON_NO_END)
                return SS_ESYNTAX;
            *ret_end = e;
            return 0;
        }
        r = read_key(p, len, i, &ks, &ke, &escaped, &i);
        if (r < 0)
            return r;
        c = match_key(x, nd, ks, ke, escaped);
        if (c != NONE) {
            const uint32_t rank = x->set->nodes[c].rank;
            const uint64_t bit = (uint64_t)1 << (rank % 64);

            if ((seen[rank / 64] & bit) != 0 || x->left[c] == 0)
                c = NONE;
            seen[rank / 64] |= bit;
        }
        if (c != NONE) {
            r = walk(x, c, i, &e);
            if (r != 0)
                return r;
        } else {
            enum ss_json_type type;

            e = json_value_end(p, len, i, &type, &escaped);
        }
        r = next_member(p, len, e, '}', &i);
        if (r < 0)
            return r;
        if (r == 0) {
            *ret_end = json_ws(p, len, e) + 1;
            return 0;
        }
    }
}

static int walk_array(struct xctx *x, uint32_t nd, size_t i, uint16_t self_pending, size_t *ret_end)
{
    const struct pnode *n = &x->set->nodes[nd];
    const char *p = x->p;
    const size_t len = x->len;
    uint64_t idx = 0;
    size_t e = 0;
    int r;

    i = json_ws(p, len, i + 1);
    if (i >= len)
        return SS_ESYNTAX;
    if (p[i] == ']') {
        *ret_end = i + 1;
        return 0;
    }
    for (;;) {
        bool matched = false;

        if (x->left[nd] <= self_pending) {
            e = json_skip_nested(p, len, i, 1);
            if (e == JSON_NO_END)
                return SS_ESYNTAX;
            *ret_end = e;
            return 0;
        }
        for (uint32_t c = n->first_idx; c != NONE; c = x->set->nodes[c].next) {
            if (x->set->nodes[c].index == idx) {
                if (x->left[c] > 0) {
                    r = walk(x, c, i, &e);
                    if (r != 0)
                        return r;
                    matched = true;
                }
                break;
            }
        }
        /* [*] sees every element too; re-walking one also matched by index is rare. */
        if (n->any != NONE && x->left[n->any] > 0) {
            r = walk(x, n->any, i, &e);
            if (r != 0)
                return r;
            matched = true;
        }
        if (!matched) {
            enum ss_json_type type;
            bool escaped;

            e = json_value_end(p, len, i, &type, &escaped);
        }
        r = next_member(p, len, e, ']', &i);
        if (r < 0)
            return r;
        if (r == 0) {
            *ret_end = json_ws(p, len, e) + 1;
            return 0;
        }
        idx++;
    }
}

/*
 * Walk the value at @i for trie node @nd: descend where children still want something,
 * then fill @nd's own slots. *ret_end: just past the value. Returns 0, WALK_DONE or
 * SS_ESYNTAX.
 */
static int walk(struct xctx *x, uint32_t nd, size_t i, size_t *ret_end)
{
    const struct pnode *n = &x->set->nodes[nd];
    const uint16_t self_pending =
        (n->first_slot != NONE && x->vals[n->first_slot].type == SS_JSON_MISSING)
            ? (uint16_t)n->n_self
            : 0;
    const bool want_children = x->left[nd] > self_pending;
    enum ss_json_type type;
    bool escaped = false;
    size_t e;
    int r;

    if (want_children && x->p[i] == '{' && n->first_key != NONE) {
        type = SS_JSON_OBJECT;
        r = walk_object(x, nd, i, self_pending, &e);
        if (r != 0)
            return r;
    } else if (want_children && x->p[i] == '[' && (n->first_idx != NONE || n->any != NONE)) {
        type = SS_JSON_ARRAY;
        r = walk_array(x, nd, i, self_pending, &e);
        if (r != 0)
            return r;
    } else {
        e = json_value_end(x->p, x->len, i, &type, &escaped);
        if (e == JSON_NO_END)
            return SS_ESYNTAX;
    }
    if (self_pending != 0) {
        const struct ss_json_val v = make_val(x->p, i, e, type, escaped);

        r = fill(x, nd, &v);
        if (r != 0)
            return r;
    }
    *ret_end = e;
    return 0;
}

int ss_json_extract(const struct ss_json_pathset *set, const char *rec, size_t len,
                    struct ss_json_val *ret_vals)
{
    uint16_t left[MAX_NODES];
    struct xctx x = { .set = set, .p = rec, .len = len, .vals = ret_vals, .left = left };
    size_t i, end;
    int r;

    for (size_t k = 0; k < set->n_paths; k++)
        ret_vals[k] = (struct ss_json_val){ .type = SS_JSON_MISSING };
    for (size_t k = 0; k < set->n_nodes; k++)
        left[k] = (uint16_t)set->nodes[k].n_slots;
    i = json_ws(rec, len, 0);
    if (i >= len)
        return SS_ESYNTAX;
    if (set->n_paths == 0)
        return 0;
    r = walk(&x, 0, i, &end);
    if (r < 0) {
        for (size_t k = 0; k < set->n_paths; k++)
            ret_vals[k] = (struct ss_json_val){ .type = SS_JSON_MISSING };
        return r;
    }
    return 0;
}
