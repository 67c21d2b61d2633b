/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sigma/sigma_yaml.c - implements sigma_yaml.h: builds a located YAML node tree from
 * libyaml's event stream, with anchors, aliases, merge keys, PyYAML-compatible scalar
 * resolution and hard caps on depth, expanded size, anchors, documents and scalar bytes.
 *
 * libyaml is event based and iterative, so hostile nesting cannot exhaust the C stack
 * here; our own stack of open collections is an explicit array capped at max_depth.
 * Aliases share the anchored node; their cost is charged to the document as the anchored
 * node's expanded weight, which bounds the work of any later walk over the tree.
 */
#include "sigma/sigma_yaml.h"

#include "core/alloc.h"
#include "core/parse.h"

#include <math.h>
#include <yaml.h>

const struct ss_yaml_limits ss_yaml_limits_default = {
    .max_depth = SS_YAML_DEFAULT_MAX_DEPTH,
    .max_weight = SS_YAML_DEFAULT_MAX_WEIGHT,
    .max_anchors = SS_YAML_DEFAULT_MAX_ANCHORS,
    .max_docs = SS_YAML_DEFAULT_MAX_DOCS,
    .max_scalar = SS_YAML_DEFAULT_MAX_SCALAR,
    .max_bytes = SS_YAML_DEFAULT_MAX_BYTES,
};

/* A collection being filled: items grow in a heap array until the end event. */
struct open_coll {
    struct ss_yaml_node *node;
    struct ss_yaml_node **items;
    size_t n, cap;
    const char *anchor; /* registered when the collection ends */
};

struct anchor {
    const char *name;
    struct ss_yaml_node *node; /* NULL while its collection is still open */
};

struct yb {
    struct ss_arena *arena;
    const struct ss_yaml_limits *lim;
    const char *name;
    struct ss_diag *diag;
    struct open_coll *stack;
    size_t depth;
    struct anchor *anchors;
    size_t n_anchors, cap_anchors;
    uint64_t weight; /* of the current document */
    struct ss_yaml_node *root;
    struct ss_yaml_doc *docs;
    size_t n_docs, cap_docs;
};

static int fail(struct yb *b, int code, const yaml_mark_t *m, const char *fmt, ...)
    SS_ATTR_PRINTF(4, 5);

static int fail(struct yb *b, int code, const yaml_mark_t *m, const char *fmt, ...)
{
    char msg[SS_DIAG_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return ss_diag_set(b->diag, code, b->name, m ? m->line + 1 : 0, m ? m->column + 1 : 0,
                       m ? m->index : UINT64_MAX, "%s", msg);
}

static int oom(struct yb *b)
{
    int r = ss_arena_failed(b->arena);

    return r != 0 ? r : -ENOMEM;
}

/* ---- scalar resolution (PyYAML's YAML 1.1 implicit resolvers) ---- */

static bool is_null_text(const char *s, size_t n)
{
    return n == 0 || (n == 1 && s[0] == '~') ||
           (n == 4 &&
            (memcmp(s, "null", 4) == 0 || memcmp(s, "Null", 4) == 0 || memcmp(s, "NULL", 4) == 0));
}

static int bool_text(const char *s, size_t n)
{
    static const char *const t[] = {
        "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"
    };
    static const char *const f[] = { "no",    "No",  "NO",  "false", "False",
                                     "FALSE", "off", "Off", "OFF" };

    for (size_t i = 0; i < SS_ARRAY_LEN(t); i++)
        if (strlen(t[i]) == n && memcmp(t[i], s, n) == 0)
            return 1;
    for (size_t i = 0; i < SS_ARRAY_LEN(f); i++)
        if (strlen(f[i]) == n && memcmp(f[i], s, n) == 0)
            return 0;
    return -1;
}

static int digit_val(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return 99;
}

/*
 * PyYAML int: [-+]?0b[01_]+ | [-+]?0[0-7_]+ | [-+]?(0|[1-9][0-9_]*) | [-+]?0x[0-9a-fA-F_]+
 * | [-+]?[1-9][0-9_]*(:[0-5]?[0-9])+ (sexagesimal). Returns true with *ret on a match
 * that fits int64.
 */
static bool int_text(const char *s, size_t n, int64_t *ret)
{
    size_t i = 0;
    bool neg = false, any = false, sexa = false;
    unsigned base = 10;
    uint64_t v = 0, part = 0;

    if (n == 0)
        return false;
    if (s[0] == '-' || s[0] == '+') {
        neg = s[0] == '-';
        i = 1;
    }
    if (i >= n)
        return false;
    if (n - i >= 2 && s[i] == '0' && (s[i + 1] == 'b' || s[i + 1] == 'x')) {
        base = s[i + 1] == 'b' ? 2 : 16;
        i += 2;
    } else if (n - i >= 2 && s[i] == '0') {
        base = 8;
        i += 1;
        any = true; /* "0_" is octal zero */
    } else if (s[i] == '0') {
        if (i + 1 != n)
            return false;
        *ret = 0;
        return true;
    }
    for (size_t j = i; j < n; j++) {
        if (s[j] == ':' && base == 10 && any) {
            sexa = true;
            break;
        }
    }
    if (sexa) {
        /* base 60: digits groups separated by ':', the first group decimal */
        v = 0;
        part = 0;
        any = false;
        for (; i <= n; i++) {
            if (i == n || s[i] == ':') {
                if (!any || v > UINT64_MAX / 60)
                    return false;
                v = v * 60 + part;
                part = 0;
                any = false;
                continue;
            }
            if (s[i] == '_')
                continue;
            if (s[i] < '0' || s[i] > '9' || part > 1000000)
                return false;
            part = part * 10 + (uint64_t)(s[i] - '0');
            any = true;
        }
    } else {
        for (; i < n; i++) {
            int d;

            if (s[i] == '_')
                continue;
            d = digit_val(s[i]);
            if ((unsigned)d >= base)
                return false;
            if (v > (UINT64_MAX - (uint64_t)d) / base)
                return false;
            v = v * base + (uint64_t)d;
            any = true;
        }
        if (!any)
            return false;
    }
    if (neg) {
        if (v > (uint64_t)INT64_MAX + 1)
            return false;
        *ret = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
    } else {
        if (v > (uint64_t)INT64_MAX)
            return false;
        *ret = (int64_t)v;
    }
    return true;
}

/*
 * PyYAML float: [-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)? | [-+]?\.[0-9_]+([eE][-+][0-9]+)?
 * | [-+]?\.(inf|Inf|INF) | \.(nan|NaN|NAN). A '.' is required ("1e5" is a string);
 * sexagesimal floats stay strings here.
 */
static bool float_text(const char *s, size_t n, double *ret)
{
    char tmp[128];
    size_t i = 0, k = 0, int_digits = 0, frac_digits = 0;

    if (n == 0 || n >= sizeof(tmp) - 4)
        return false;
    if (s[0] == '-' || s[0] == '+')
        i = 1;
    if (n - i == 4 && s[i] == '.' &&
        (memcmp(s + i + 1, "inf", 3) == 0 || memcmp(s + i + 1, "Inf", 3) == 0 ||
         memcmp(s + i + 1, "INF", 3) == 0)) {
        *ret = s[0] == '-' ? -HUGE_VAL : HUGE_VAL;
        return true;
    }
    if (n == 4 && s[0] == '.' &&
        (memcmp(s + 1, "nan", 3) == 0 || memcmp(s + 1, "NaN", 3) == 0 ||
         memcmp(s + 1, "NAN", 3) == 0)) {
        *ret = NAN;
        return true;
    }
    if (s[0] == '-')
        tmp[k++] = '-';
    if (i < n && s[i] >= '0' && s[i] <= '9') {
        for (; i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'); i++) {
            if (s[i] != '_') {
                tmp[k++] = s[i];
                int_digits++;
            }
        }
    }
    if (i >= n || s[i] != '.')
        return false;
    i++;
    if (int_digits == 0)
        tmp[k++] = '0';
    tmp[k++] = '.';
    for (; i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'); i++) {
        if (s[i] != '_') {
            tmp[k++] = s[i];
            frac_digits++;
        }
    }
    if (int_digits == 0 && frac_digits == 0)
        return false;
    if (frac_digits == 0)
        tmp[k++] = '0';
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t e_start;

        if (i + 1 >= n || (s[i + 1] != '-' && s[i + 1] != '+'))
            return false;
        tmp[k++] = 'e';
        tmp[k++] = s[i + 1];
        i += 2;
        e_start = i;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            tmp[k++] = s[i];
        if (i == e_start)
            return false;
    }
    if (i != n)
        return false;
    return ss_parse_double(tmp, k, ret) == 0;
}

static void resolve_scalar(struct ss_yaml_node *nd, const yaml_event_t *ev)
{
    const char *tag = (const char *)ev->data.scalar.tag;
    const char *s = nd->str;
    size_t n = nd->len;
    int bv;

    nd->sc = SS_YSC_STR;
    if (tag != NULL && strcmp(tag, "!") != 0) {
        /* Explicit core tags; anything else stays a string (the caller may object). */
        if (strcmp(tag, YAML_NULL_TAG) == 0) {
            nd->sc = SS_YSC_NULL;
        } else if (strcmp(tag, YAML_BOOL_TAG) == 0 && (bv = bool_text(s, n)) >= 0) {
            nd->sc = SS_YSC_BOOL;
            nd->bval = bv == 1;
        } else if (strcmp(tag, YAML_INT_TAG) == 0 && int_text(s, n, &nd->ival)) {
            nd->sc = SS_YSC_INT;
            nd->fval = (double)nd->ival;
        } else if (strcmp(tag, YAML_FLOAT_TAG) == 0 && float_text(s, n, &nd->fval)) {
            nd->sc = SS_YSC_FLOAT;
        }
        return;
    }
    if (!ev->data.scalar.plain_implicit || nd->quoted)
        return;
    if (is_null_text(s, n)) {
        nd->sc = SS_YSC_NULL;
    } else if ((bv = bool_text(s, n)) >= 0) {
        nd->sc = SS_YSC_BOOL;
        nd->bval = bv == 1;
    } else if (int_text(s, n, &nd->ival)) {
        nd->sc = SS_YSC_INT;
        nd->fval = (double)nd->ival;
    } else if (float_text(s, n, &nd->fval)) {
        nd->sc = SS_YSC_FLOAT;
    }
}

/* ---- tree building ---- */

static struct ss_yaml_node *new_node(struct yb *b, enum ss_yaml_type t, const yaml_mark_t *m)
{
    struct ss_yaml_node *nd = ss_arena_calloc(b->arena, 1, sizeof(*nd));

    if (nd == NULL)
        return NULL;
    nd->type = t;
    nd->line = (uint32_t)SS_MIN(m->line + 1, UINT32_MAX);
    nd->col = (uint32_t)SS_MIN(m->column + 1, UINT32_MAX);
    nd->offset = m->index;
    nd->weight = 1;
    return nd;
}

static int add_anchor(struct yb *b, const char *name, struct ss_yaml_node *nd, const yaml_mark_t *m,
                      const char **ret_name)
{
    char *copy;

    if (b->n_anchors >= b->lim->max_anchors)
        return fail(b, SS_ELIMIT, m,
                    "too many YAML anchors in one document (more than %" PRIu32 ")",
                    b->lim->max_anchors);
    if (b->n_anchors == b->cap_anchors) {
        size_t cap = b->cap_anchors ? b->cap_anchors * 2 : 16;
        struct anchor *na = ss_reallocarray(b->anchors, cap, sizeof(*na));

        if (na == NULL)
            return -ENOMEM;
        b->anchors = na;
        b->cap_anchors = cap;
    }
    copy = ss_arena_strdup(b->arena, name);
    if (copy == NULL)
        return oom(b);
    /* A later anchor of the same name shadows the earlier one (YAML 1.2 5.8). */
    b->anchors[b->n_anchors++] = (struct anchor){ .name = copy, .node = nd };
    if (ret_name != NULL)
        *ret_name = copy;
    return 0;
}

static struct anchor *find_anchor(struct yb *b, const char *name)
{
    for (size_t i = b->n_anchors; i > 0; i--)
        if (strcmp(b->anchors[i - 1].name, name) == 0)
            return &b->anchors[i - 1];
    return NULL;
}

/* Charge @nd (an item of the innermost open collection, or the root) and attach it. */
static int attach(struct yb *b, struct ss_yaml_node *nd, bool is_alias, const yaml_mark_t *m)
{
    uint64_t w = is_alias ? nd->weight : 1;

    if (b->weight > b->lim->max_weight - SS_MIN(w, b->lim->max_weight))
        return fail(b, SS_ELIMIT, m,
                    "YAML document too large with aliases expanded (more than %" PRIu64 " nodes)",
                    b->lim->max_weight);
    b->weight += w;
    if (b->depth + nd->height > b->lim->max_depth)
        return fail(b, SS_ELIMIT, m,
                    "YAML nesting too deep with aliases expanded (more than %" PRIu32 " levels)",
                    b->lim->max_depth);
    if (b->depth == 0) {
        b->root = nd;
        return 0;
    }
    struct open_coll *oc = &b->stack[b->depth - 1];
    if (oc->n == oc->cap) {
        size_t cap = oc->cap ? oc->cap * 2 : 8;
        struct ss_yaml_node **ni = ss_reallocarray(oc->items, cap, sizeof(*ni));

        if (ni == NULL)
            return -ENOMEM;
        oc->items = ni;
        oc->cap = cap;
    }
    oc->items[oc->n++] = nd;
    return 0;
}

static bool key_eq(const struct ss_yaml_node *a, const struct ss_yaml_node *b)
{
    return a->type == SS_YAML_SCALAR && b->type == SS_YAML_SCALAR && a->len == b->len &&
           memcmp(a->str, b->str, a->len) == 0;
}

static bool is_merge_key(const struct ss_yaml_node *k)
{
    return k->type == SS_YAML_SCALAR && !k->quoted && k->len == 2 && k->str[0] == '<' &&
           k->str[1] == '<';
}

/*
 * Finish a mapping: keys must be scalars and unique; "<<" merges the pairs of a map (or
 * of each map of a list, earlier maps first) whose keys are not already present.
 */
static int finish_map(struct yb *b, struct open_coll *oc)
{
    struct ss_yaml_node *nd = oc->node;
    size_t n_pairs = oc->n / 2, n_out = 0, cap = n_pairs;
    struct ss_yaml_node **out;
    bool merges = false;
    yaml_mark_t m = { 0 };

    for (size_t i = 0; i < n_pairs; i++) {
        const struct ss_yaml_node *k = oc->items[2 * i];

        m.line = k->line ? k->line - 1 : 0;
        m.column = k->col ? k->col - 1 : 0;
        m.index = k->offset;
        if (k->type != SS_YAML_SCALAR)
            return fail(b, SS_ESYNTAX, &m, "a mapping key must be a scalar, not a %s",
                        ss_yaml_kind_name(k));
        if (is_merge_key(k)) {
            const struct ss_yaml_node *v = oc->items[2 * i + 1];

            merges = true;
            if (v->type == SS_YAML_MAP) {
                cap += v->n;
            } else if (v->type == SS_YAML_SEQ) {
                for (size_t j = 0; j < v->n; j++) {
                    if (v->items[j]->type != SS_YAML_MAP)
                        return fail(b, SS_ESYNTAX, &m, "merge key '<<' needs %s",
                                    "a map or a list of maps");
                    cap += v->items[j]->n;
                }
            } else {
                return fail(b, SS_ESYNTAX, &m, "merge key '<<' needs a map or a list of maps");
            }
        }
    }
    out = ss_arena_calloc(b->arena, cap ? 2 * cap : 1, sizeof(*out));
    if (out == NULL)
        return oom(b);
    for (size_t i = 0; i < n_pairs; i++) {
        struct ss_yaml_node *k = oc->items[2 * i];

        if (merges && is_merge_key(k))
            continue;
        for (size_t j = 0; j < n_out; j++) {
            if (key_eq(out[2 * j], k)) {
                m.line = k->line - 1;
                m.column = k->col - 1;
                m.index = k->offset;
                return fail(b, SS_ESYNTAX, &m, "duplicate mapping key '%s'", k->str);
            }
        }
        out[2 * n_out] = k;
        out[2 * n_out + 1] = oc->items[2 * i + 1];
        n_out++;
    }
    for (size_t i = 0; merges && i < n_pairs; i++) {
        const struct ss_yaml_node *k = oc->items[2 * i], *v = oc->items[2 * i + 1];
        size_t n_src = v->type == SS_YAML_MAP ? 1 : v->n;

        if (!is_merge_key(k))
            continue;
        for (size_t s = 0; s < n_src; s++) {
            const struct ss_yaml_node *src = v->type == SS_YAML_MAP ? v : v->items[s];

            for (size_t p = 0; p < src->n; p++) {
                bool seen = false;

                for (size_t j = 0; j < n_out && !seen; j++)
                    seen = key_eq(out[2 * j], src->items[2 * p]);
                if (seen)
                    continue;
                out[2 * n_out] = src->items[2 * p];
                out[2 * n_out + 1] = src->items[2 * p + 1];
                n_out++;
            }
        }
    }
    nd->items = out;
    nd->n = n_out;
    return 0;
}

static int finish_coll(struct yb *b)
{
    struct open_coll *oc = &b->stack[b->depth - 1];
    struct ss_yaml_node *nd = oc->node;
    uint32_t h = 0;
    uint64_t w = 1;
    int r;

    if (nd->type == SS_YAML_MAP) {
        r = finish_map(b, oc);
        if (r < 0)
            return r;
    } else {
        nd->items = ss_arena_calloc(b->arena, oc->n ? oc->n : 1, sizeof(*nd->items));
        if (nd->items == NULL)
            return oom(b);
        if (oc->n > 0)
            memcpy(nd->items, oc->items, oc->n * sizeof(*nd->items));
        nd->n = oc->n;
    }
    {
        size_t n_items = nd->type == SS_YAML_MAP ? 2 * nd->n : nd->n;

        for (size_t i = 0; i < n_items; i++) {
            h = SS_MAX(h, nd->items[i]->height);
            w += nd->items[i]->weight;
        }
    }
    nd->height = h + 1;
    nd->weight = w;
    if (oc->anchor != NULL) {
        struct anchor *a = find_anchor(b, oc->anchor);

        if (a != NULL && a->node == NULL)
            a->node = nd;
    }
    ss_free(oc->items);
    *oc = (struct open_coll){ 0 };
    b->depth--;
    return 0;
}

static int open_coll(struct yb *b, struct ss_yaml_node *nd, const char *anchor,
                     const yaml_mark_t *m)
{
    int r;

    if (b->depth >= b->lim->max_depth)
        return fail(b, SS_ELIMIT, m, "YAML nesting too deep (more than %" PRIu32 " levels)",
                    b->lim->max_depth);
    /* The collection is attached to its parent first; its size is charged as it fills. */
    r = attach(b, nd, false, m);
    if (r < 0)
        return r;
    b->stack[b->depth] = (struct open_coll){ .node = nd };
    if (anchor != NULL) {
        r = add_anchor(b, anchor, NULL, m, &b->stack[b->depth].anchor);
        if (r < 0)
            return r;
    }
    b->depth++;
    return 0;
}

static int on_scalar(struct yb *b, const yaml_event_t *ev)
{
    const yaml_mark_t *m = &ev->start_mark;
    struct ss_yaml_node *nd;
    int r;

    if ((uint64_t)ev->data.scalar.length > b->lim->max_scalar)
        return fail(b, SS_ELIMIT, m, "YAML scalar too long (more than %" PRIu64 " bytes)",
                    b->lim->max_scalar);
    /* "\0" in a double-quoted scalar: names and ids would end there, unseen */
    if (memchr(ev->data.scalar.value, '\0', ev->data.scalar.length) != NULL)
        return fail(b, SS_ESYNTAX, m, "YAML scalar holds a NUL character (\\0): not supported");
    nd = new_node(b, SS_YAML_SCALAR, m);
    if (nd == NULL)
        return oom(b);
    nd->str =
        ss_arena_strndup(b->arena, (const char *)ev->data.scalar.value, ev->data.scalar.length);
    if (nd->str == NULL)
        return oom(b);
    nd->len = ev->data.scalar.length;
    nd->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE &&
                 ev->data.scalar.style != YAML_ANY_SCALAR_STYLE;
    resolve_scalar(nd, ev);
    r = attach(b, nd, false, m);
    if (r == 0 && ev->data.scalar.anchor != NULL)
        r = add_anchor(b, (const char *)ev->data.scalar.anchor, nd, m, NULL);
    return r;
}

static int on_alias(struct yb *b, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    struct anchor *a = find_anchor(b, name);

    if (a == NULL)
        return fail(b, SS_ESYNTAX, &ev->start_mark, "unknown YAML alias '*%s'", name);
    if (a->node == NULL)
        return fail(b, SS_ESYNTAX, &ev->start_mark,
                    "YAML alias '*%s' refers to a collection that contains it", name);
    return attach(b, a->node, true, &ev->start_mark);
}

static int end_doc(struct yb *b, const yaml_mark_t *start)
{
    struct ss_yaml_node *root = b->root;

    if (root == NULL) {
        root = new_node(b, SS_YAML_SCALAR, start);
        if (root == NULL)
            return oom(b);
        root->sc = SS_YSC_NULL;
        root->str = "";
    }
    if (b->n_docs == b->cap_docs) {
        size_t cap = b->cap_docs ? b->cap_docs * 2 : 4;
        struct ss_yaml_doc *nd = ss_arena_calloc(b->arena, cap, sizeof(*nd));

        if (nd == NULL)
            return oom(b);
        if (b->n_docs > 0)
            memcpy(nd, b->docs, b->n_docs * sizeof(*nd));
        b->docs = nd;
        b->cap_docs = cap;
    }
    b->docs[b->n_docs++] = (struct ss_yaml_doc){
        .root = root,
        .line = (uint32_t)SS_MIN(start->line + 1, UINT32_MAX),
        .col = (uint32_t)SS_MIN(start->column + 1, UINT32_MAX),
    };
    b->root = NULL;
    b->weight = 0;
    b->n_anchors = 0;
    return 0;
}

static int yaml_error(struct yb *b, const yaml_parser_t *p, const char *text, size_t len)
{
    const yaml_mark_t *m = &p->problem_mark;
    const char *what = p->problem ? p->problem : "malformed YAML";
    int code = p->error == YAML_MEMORY_ERROR ? -ENOMEM : SS_ESYNTAX;

    if (p->error == YAML_MEMORY_ERROR)
        return ss_diag_set(b->diag, code, b->name, 0, 0, UINT64_MAX, "out of memory");
    if (p->error == YAML_READER_ERROR) {
        /* bad bytes (not UTF-8, a control character): libyaml gives their offset only */
        size_t off = SS_MIN(p->problem_offset, len), line = 1, col = 1;

        for (size_t i = 0; i < off; i++) {
            col = text[i] == '\n' ? 1 : col + 1;
            line += text[i] == '\n';
        }
        return ss_diag_set(b->diag, code, b->name, line, col, off, "YAML %s (byte 0x%02x)", what,
                           (unsigned)p->problem_value & 0xffu);
    }
    if (p->context != NULL)
        return ss_diag_set(b->diag, code, b->name, m->line + 1, m->column + 1, m->index,
                           "YAML %s %s", what, p->context);
    return ss_diag_set(b->diag, code, b->name, m->line + 1, m->column + 1, m->index, "YAML %s",
                       what);
}

int ss_yaml_parse(struct ss_arena *arena, const char *name, const char *text, size_t len,
                  const struct ss_yaml_limits *lim, struct ss_yaml_stream *ret,
                  struct ss_diag *reterr_diag)
{
    struct yb b = { .arena = arena,
                    .lim = lim ? lim : &ss_yaml_limits_default,
                    .name = name,
                    .diag = reterr_diag };
    yaml_parser_t parser;
    yaml_mark_t doc_start = { 0 };
    bool done = false;
    int r = 0;

    *ret = (struct ss_yaml_stream){ 0 };
    if ((uint64_t)len > b.lim->max_bytes)
        return ss_diag_set(reterr_diag, SS_ELIMIT, name, 0, 0, UINT64_MAX,
                           "YAML stream too large (%zu bytes)", len);
    b.stack = ss_calloc(b.lim->max_depth + 1, sizeof(*b.stack));
    if (b.stack == NULL)
        return -ENOMEM;
    if (!yaml_parser_initialize(&parser)) {
        ss_free(b.stack);
        return -ENOMEM;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    while (!done && r == 0) {
        yaml_event_t ev;
        const char *anchor = NULL;

        if (!yaml_parser_parse(&parser, &ev)) {
            r = yaml_error(&b, &parser, text, len);
            break;
        }
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (b.n_docs >= b.lim->max_docs)
                r = fail(&b, SS_ELIMIT, &ev.start_mark,
                         "too many YAML documents in one file (more than %" PRIu32 ")",
                         b.lim->max_docs);
            doc_start = ev.start_mark;
            break;
        case YAML_DOCUMENT_END_EVENT:
            r = end_doc(&b, &doc_start);
            break;
        case YAML_SCALAR_EVENT:
            r = on_scalar(&b, &ev);
            break;
        case YAML_ALIAS_EVENT:
            r = on_alias(&b, &ev);
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            bool is_map = ev.type == YAML_MAPPING_START_EVENT;
            struct ss_yaml_node *nd =
                new_node(&b, is_map ? SS_YAML_MAP : SS_YAML_SEQ, &ev.start_mark);

            anchor = (const char *)(is_map ? ev.data.mapping_start.anchor
                                           : ev.data.sequence_start.anchor);
            r = nd == NULL ? oom(&b) : open_coll(&b, nd, anchor, &ev.start_mark);
            break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            r = b.depth > 0 ? finish_coll(&b) : SS_ESYNTAX;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    while (b.depth > 0) {
        ss_free(b.stack[b.depth - 1].items);
        b.depth--;
    }
    ss_free(b.stack);
    ss_free(b.anchors);
    ret->docs = b.docs;
    ret->n_docs = b.n_docs;
    return r;
}

const struct ss_yaml_node *ss_yaml_get(const struct ss_yaml_node *map, const char *key)
{
    size_t kl;

    if (map == NULL || map->type != SS_YAML_MAP)
        return NULL;
    kl = strlen(key);
    for (size_t i = 0; i < map->n; i++) {
        const struct ss_yaml_node *k = map->items[2 * i];

        if (k->len == kl && memcmp(k->str, key, kl) == 0)
            return map->items[2 * i + 1];
    }
    return NULL;
}

bool ss_yaml_is_null(const struct ss_yaml_node *n)
{
    return n != NULL && n->type == SS_YAML_SCALAR && n->sc == SS_YSC_NULL;
}

bool ss_yaml_is_scalar(const struct ss_yaml_node *n)
{
    return n != NULL && n->type == SS_YAML_SCALAR;
}

const char *ss_yaml_kind_name(const struct ss_yaml_node *n)
{
    static const char *const sc[SS_YSC__COUNT] = { "string", "null", "boolean", "integer",
                                                   "float" };

    if (n == NULL)
        return "nothing";
    if (n->type == SS_YAML_SEQ)
        return "list";
    if (n->type == SS_YAML_MAP)
        return "map";
    return sc[n->sc];
}
