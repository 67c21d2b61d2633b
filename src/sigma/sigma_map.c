/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sigma/sigma_map.c - implements log-source mappings: parsing the mapping YAML format
 * (docs/sigma.md "Mappings"), routing rules to input kinds, and the per-mapping tables
 * that resolve a Sigma field name to candidate JSON paths.
 *
 * Routing: a mapping routes a rule when every logsource key the mapping names (product,
 * service, category) equals the rule's. Each input kind the mapping lists becomes a
 * source; a record of that kind is evaluated against the mapping's rules when the
 * mapping's 'when' selection holds for it. Mappings are tried in order (reviewer
 * mappings first, then the shipped ones); the first mapping that covers a record and
 * routes a rule is the one that evaluates that rule on that record.
 */
#include "sigma/sigma_int.h"

#include "core/alloc.h"

static int map_err(struct ss_diag *d, int code, const char *file, const struct ss_yaml_node *at,
                   const char *fmt, ...) SS_ATTR_PRINTF(5, 6);

static int map_err(struct ss_diag *d, int code, const char *file, const struct ss_yaml_node *at,
                   const char *fmt, ...)
{
    char msg[SS_DIAG_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return ss_diag_set(d, code, file, at ? at->line : 0, at ? at->col : 0,
                       at ? at->offset : UINT64_MAX, "mapping: %s", msg);
}

static int rs_oom(struct ss_sigma_ruleset *rs)
{
    int r = ss_arena_failed(&rs->arena);

    return r != 0 ? r : -ENOMEM;
}

static bool scalar_text(const struct ss_yaml_node *n)
{
    return n != NULL && n->type == SS_YAML_SCALAR && n->sc != SS_YSC_NULL;
}

/* A string or a list of strings into an arena array. */
static int strings(struct ss_sigma_ruleset *rs, const char *file, const struct ss_yaml_node *n,
                   const char *what, const char ***ret, uint32_t *ret_n, struct ss_diag *d)
{
    const char **v;
    size_t cnt = n->type == SS_YAML_SEQ ? n->n : 1;

    if (n->type == SS_YAML_MAP || (n->type == SS_YAML_SCALAR && !scalar_text(n)))
        return map_err(d, SS_ESYNTAX, file, n, "'%s' must be a string or a list of strings", what);
    v = ss_arena_calloc(&rs->arena, cnt ? cnt : 1, sizeof(*v));
    if (v == NULL)
        return rs_oom(rs);
    for (size_t i = 0; i < cnt; i++) {
        const struct ss_yaml_node *it = n->type == SS_YAML_SEQ ? n->items[i] : n;

        if (!scalar_text(it) || it->len == 0)
            return map_err(d, SS_ESYNTAX, file, it, "'%s' must hold non-empty strings", what);
        if (it->len > 1024)
            return map_err(d, SS_ELIMIT, file, it, "'%s' entry longer than 1024 bytes", what);
        v[i] = it->str;
    }
    *ret = v;
    *ret_n = (uint32_t)cnt;
    return 0;
}

static char *lower(struct ss_sigma_ruleset *rs, const char *s)
{
    char *c = ss_arena_strdup(&rs->arena, s);

    if (c != NULL)
        for (char *p = c; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p + 32);
    return c;
}

static int parse_fields(struct ss_sigma_ruleset *rs, const char *file, struct sg_mapping *m,
                        const struct ss_yaml_node *n, struct ss_diag *d)
{
    if (n->type != SS_YAML_MAP)
        return map_err(d, SS_ESYNTAX, file, n, "'fields' must be a map of field -> paths");
    m->fields = ss_arena_calloc(&rs->arena, n->n ? n->n : 1, sizeof(*m->fields));
    if (m->fields == NULL)
        return rs_oom(rs);
    for (size_t i = 0; i < n->n; i++) {
        const struct ss_yaml_node *k = n->items[2 * i], *v = n->items[2 * i + 1];
        struct sg_mfield *f = &m->fields[m->n_fields++];
        int r;

        f->name = k->str;
        if (v->type != SS_YAML_MAP) {
            r = strings(rs, file, v, k->str, &f->paths, &f->n_paths, d);
            if (r < 0)
                return r;
            continue;
        }
        for (size_t j = 0; j < v->n; j++) {
            const struct ss_yaml_node *kk = v->items[2 * j], *vv = v->items[2 * j + 1];

            if (strcmp(kk->str, "paths") == 0) {
                r = strings(rs, file, vv, "paths", &f->paths, &f->n_paths, d);
            } else if (strcmp(kk->str, "values") == 0) {
                size_t cnt = 0;

                if (vv->type != SS_YAML_MAP)
                    return map_err(d, SS_ESYNTAX, file, vv,
                                   "'values' must map rule values to log values");
                for (size_t q = 0; q < vv->n; q++)
                    cnt += vv->items[2 * q + 1]->type == SS_YAML_SEQ ? vv->items[2 * q + 1]->n : 1;
                f->vfrom = ss_arena_calloc(&rs->arena, cnt ? cnt : 1, sizeof(*f->vfrom));
                f->vto = ss_arena_calloc(&rs->arena, cnt ? cnt : 1, sizeof(*f->vto));
                if (f->vfrom == NULL || f->vto == NULL)
                    return rs_oom(rs);
                for (size_t q = 0; q < vv->n; q++) {
                    const char **tos;
                    uint32_t n_tos;

                    r = strings(rs, file, vv->items[2 * q + 1], "values", &tos, &n_tos, d);
                    if (r < 0)
                        return r;
                    for (uint32_t t = 0; t < n_tos; t++) {
                        f->vfrom[f->n_vmap] = vv->items[2 * q]->str;
                        f->vto[f->n_vmap] = tos[t];
                        f->n_vmap++;
                    }
                }
                r = 0;
            } else {
                return map_err(d, SS_ESYNTAX, file, kk, "unknown key '%s' in field '%s'", kk->str,
                               k->str);
            }
            if (r < 0)
                return r;
        }
        if (f->n_paths == 0) {
            f->paths = ss_arena_calloc(&rs->arena, 1, sizeof(*f->paths));
            if (f->paths == NULL)
                return rs_oom(rs);
            f->paths[0] = f->name;
            f->n_paths = 1;
        }
    }
    return 0;
}

static int add_map(struct ss_sigma_ruleset *rs, struct sg_mapping *m, bool builtin)
{
    if (rs->n_maps == rs->cap_maps) {
        size_t cap = rs->cap_maps ? rs->cap_maps * 2 : 16;
        struct sg_mapping **nm = ss_reallocarray(rs->maps, cap, sizeof(*nm));

        if (nm == NULL)
            return -ENOMEM;
        rs->maps = nm;
        rs->cap_maps = cap;
    }
    if (builtin) {
        rs->maps[rs->n_maps++] = m;
    } else {
        /* reviewer mappings go before the shipped ones, in load order */
        memmove(rs->maps + rs->n_user_maps + 1, rs->maps + rs->n_user_maps,
                (rs->n_maps - rs->n_user_maps) * sizeof(*rs->maps));
        rs->maps[rs->n_user_maps++] = m;
        rs->n_maps++;
    }
    return 0;
}

static int parse_one(struct ss_sigma_ruleset *rs, const char *file, const struct ss_yaml_node *root,
                     bool builtin, struct ss_diag *d)
{
    struct sg_mapping *m = ss_arena_calloc(&rs->arena, 1, sizeof(*m));
    int r = 0;

    if (m == NULL)
        return rs_oom(rs);
    if (root->type != SS_YAML_MAP)
        return map_err(d, SS_ESYNTAX, file, root, "a mapping document must be a map");
    m->file = file;
    m->builtin = builtin;
    m->entity_lower = false;
    for (size_t i = 0; i < root->n && r == 0; i++) {
        const struct ss_yaml_node *k = root->items[2 * i], *v = root->items[2 * i + 1];
        const char *key = k->str;

        if (strcmp(key, "mapping") == 0) {
            if (!scalar_text(v))
                return map_err(d, SS_ESYNTAX, file, v, "'mapping' must be a name");
            m->name = v->str;
        } else if (strcmp(key, "logsource") == 0) {
            if (v->type != SS_YAML_MAP)
                return map_err(d, SS_ESYNTAX, file, v, "'logsource' must be a map");
            for (size_t j = 0; j < v->n; j++) {
                const struct ss_yaml_node *lk = v->items[2 * j], *lv = v->items[2 * j + 1];
                const char **slot = strcmp(lk->str, "product") == 0    ? &m->product
                                    : strcmp(lk->str, "service") == 0  ? &m->service
                                    : strcmp(lk->str, "category") == 0 ? &m->category
                                                                       : NULL;

                if (slot == NULL)
                    return map_err(d, SS_ESYNTAX, file, lk,
                                   "logsource key '%s' is not product, service or category",
                                   lk->str);
                if (!scalar_text(lv))
                    return map_err(d, SS_ESYNTAX, file, lv, "logsource '%s' must be a string",
                                   lk->str);
                *slot = lower(rs, lv->str);
                if (*slot == NULL)
                    return rs_oom(rs);
            }
        } else if (strcmp(key, "kinds") == 0) {
            r = strings(rs, file, v, "kinds", &m->kinds, &m->n_kinds, d);
        } else if (strcmp(key, "when") == 0) {
            if (v->type != SS_YAML_MAP && v->type != SS_YAML_SEQ)
                return map_err(d, SS_ESYNTAX, file, v,
                               "'when' must be a selection (a map, or a list of maps)");
            m->when_node = v;
        } else if (strcmp(key, "time") == 0) {
            r = strings(rs, file, v, "time", &m->time_paths, &m->n_time, d);
        } else if (strcmp(key, "entity") == 0) {
            r = strings(rs, file, v, "entity", &m->entity_paths, &m->n_entity, d);
        } else if (strcmp(key, "entity_lower") == 0) {
            if (v->type != SS_YAML_SCALAR || v->sc != SS_YSC_BOOL)
                return map_err(d, SS_ESYNTAX, file, v, "'entity_lower' must be true or false");
            m->entity_lower = v->bval;
        } else if (strcmp(key, "fields") == 0) {
            r = parse_fields(rs, file, m, v, d);
        } else if (strcmp(key, "fallback") == 0) {
            r = strings(rs, file, v, "fallback", &m->fallback, &m->n_fallback, d);
            for (uint32_t f = 0; r == 0 && f < m->n_fallback; f++)
                if (strstr(m->fallback[f], "{field}") == NULL)
                    r = map_err(d, SS_ESYNTAX, file, v,
                                "fallback '%s' has no '{field}' placeholder", m->fallback[f]);
        } else if (strcmp(key, "keys_without_spaces") == 0) {
            if (v->type != SS_YAML_SCALAR || v->sc != SS_YSC_BOOL)
                return map_err(d, SS_ESYNTAX, file, v,
                               "'keys_without_spaces' must be true or false");
            m->keys_without_spaces = v->bval;
        } else if (strcmp(key, "description") == 0 || strcmp(key, "version") == 0) {
            /* documentation only */
        } else {
            return map_err(d, SS_ESYNTAX, file, k, "unknown key '%s'", key);
        }
    }
    if (r < 0)
        return r;
    if (m->name == NULL)
        return map_err(d, SS_ESYNTAX, file, root, "missing 'mapping' (its name)");
    if (m->n_kinds == 0)
        return map_err(d, SS_ESYNTAX, file, root, "missing 'kinds' (the input kinds it covers)");
    return add_map(rs, m, builtin);
}

int ss_sigma_mapping_parse(struct ss_sigma_ruleset *rs, const char *name, const char *text,
                           size_t len, bool builtin, struct ss_diag *reterr_diag)
{
    struct ss_yaml_stream st;
    const char *file = ss_arena_strdup(&rs->arena, name ? name : "<mapping>");
    int r;

    if (file == NULL)
        return rs_oom(rs);
    r = ss_yaml_parse(&rs->arena, file, text, len, NULL, &st, reterr_diag);
    if (r < 0)
        return r;
    for (size_t i = 0; i < st.n_docs; i++) {
        if (ss_yaml_is_null(st.docs[i].root))
            continue;
        r = parse_one(rs, file, st.docs[i].root, builtin, reterr_diag);
        if (r < 0)
            return r;
    }
    return 0;
}

int ss_sigma_mapping_load_mem(struct ss_sigma_ruleset *rs, const char *name, const char *text,
                              size_t len, struct ss_diag *reterr_diag)
{
    if (rs->compiled)
        return -EINVAL;
    if ((uint64_t)len > SS_SIGMA_MAX_FILE_BYTES)
        return ss_diag_set(reterr_diag, SS_ELIMIT, name, 0, 0, UINT64_MAX,
                           "mapping file too large");
    return ss_sigma_mapping_parse(rs, name, text, len, false, reterr_diag);
}

int ss_sigma_mapping_load(struct ss_sigma_ruleset *rs, const char *path,
                          struct ss_diag *reterr_diag)
{
    char *text;
    size_t len;
    int r;

    if (rs->compiled)
        return -EINVAL;
    r = ss_sigma_read_file(path, &text, &len, reterr_diag);
    if (r < 0)
        return r;
    r = ss_sigma_mapping_parse(rs, path, text, len, false, reterr_diag);
    ss_free(text);
    return r;
}

/* ---- placeholders ---- */

static int parse_placeholders(struct ss_sigma_ruleset *rs, const char *name, const char *text,
                              size_t len, struct ss_diag *d)
{
    struct ss_yaml_stream st;
    const struct ss_yaml_node *root;
    const char *file = ss_arena_strdup(&rs->arena, name ? name : "<placeholders>");
    int r;

    if (file == NULL)
        return rs_oom(rs);
    r = ss_yaml_parse(&rs->arena, file, text, len, NULL, &st, d);
    if (r < 0)
        return r;
    if (st.n_docs == 0 || ss_yaml_is_null(st.docs[0].root))
        return 0;
    root = st.docs[0].root;
    if (ss_yaml_get(root, "vars") != NULL && ss_yaml_get(root, "vars")->type == SS_YAML_MAP)
        root = ss_yaml_get(root, "vars");
    if (root->type != SS_YAML_MAP)
        return ss_diag_set(d, SS_ESYNTAX, file, root->line, root->col, root->offset,
                           "placeholders: expected a map of name -> values");
    for (size_t i = 0; i < root->n; i++) {
        const struct ss_yaml_node *k = root->items[2 * i], *v = root->items[2 * i + 1];
        struct sg_placeholder *ph;
        const char **vals = NULL;
        uint32_t n_vals = 0;

        if (v->type == SS_YAML_SEQ) {
            vals = ss_arena_calloc(&rs->arena, v->n ? v->n : 1, sizeof(*vals));
            if (vals == NULL)
                return rs_oom(rs);
            for (size_t j = 0; j < v->n; j++) {
                if (v->items[j]->type != SS_YAML_SCALAR || v->items[j]->sc == SS_YSC_NULL)
                    return ss_diag_set(d, SS_ESYNTAX, file, v->items[j]->line, v->items[j]->col,
                                       v->items[j]->offset,
                                       "placeholders: '%s' values must be scalars", k->str);
                vals[n_vals++] = v->items[j]->str;
            }
        } else if (scalar_text(v)) {
            r = strings(rs, file, v, k->str, &vals, &n_vals, d);
            if (r < 0)
                return r;
        } else if (!ss_yaml_is_null(v)) {
            return ss_diag_set(d, SS_ESYNTAX, file, v->line, v->col, v->offset,
                               "placeholders: '%s' must be a value or a list of values", k->str);
        }
        if (rs->n_phs == rs->cap_phs) {
            size_t cap = rs->cap_phs ? rs->cap_phs * 2 : 16;
            struct sg_placeholder *np = ss_reallocarray(rs->phs, cap, sizeof(*np));

            if (np == NULL)
                return -ENOMEM;
            rs->phs = np;
            rs->cap_phs = cap;
        }
        ph = &rs->phs[rs->n_phs++];
        *ph = (struct sg_placeholder){ .name = k->str, .values = vals, .n = n_vals };
    }
    return 0;
}

int ss_sigma_placeholders_load_mem(struct ss_sigma_ruleset *rs, const char *name, const char *text,
                                   size_t len, struct ss_diag *reterr_diag)
{
    if (rs->compiled)
        return -EINVAL;
    if ((uint64_t)len > SS_SIGMA_MAX_FILE_BYTES)
        return ss_diag_set(reterr_diag, SS_ELIMIT, name, 0, 0, UINT64_MAX,
                           "placeholder file too large");
    return parse_placeholders(rs, name, text, len, reterr_diag);
}

int ss_sigma_placeholders_load(struct ss_sigma_ruleset *rs, const char *path,
                               struct ss_diag *reterr_diag)
{
    char *text;
    size_t len;
    int r;

    if (rs->compiled)
        return -EINVAL;
    r = ss_sigma_read_file(path, &text, &len, reterr_diag);
    if (r < 0)
        return r;
    r = parse_placeholders(rs, path, text, len, reterr_diag);
    ss_free(text);
    return r;
}

/* ---- routing ---- */

static bool ls_eq(const char *want, const char *have)
{
    return want == NULL || (have != NULL && strcmp(want, have) == 0);
}

static bool routes(const struct sg_mapping *m, const struct sg_rule *ru)
{
    return ls_eq(m->product, ru->product) && ls_eq(m->service, ru->service) &&
           ls_eq(m->category, ru->category);
}

static int source_slot(struct ss_sigma_ruleset *rs, const char *kind, size_t *ret)
{
    for (size_t i = 0; i < rs->n_sources; i++) {
        if (strcmp(rs->sources[i].kind, kind) == 0) {
            *ret = i;
            return 0;
        }
    }
    {
        struct sg_source *ns = ss_reallocarray(rs->sources, rs->n_sources + 1, sizeof(*ns));

        if (ns == NULL)
            return -ENOMEM;
        rs->sources = ns;
        memset(&rs->sources[rs->n_sources], 0, sizeof(*ns));
        rs->sources[rs->n_sources].kind = kind;
        *ret = rs->n_sources++;
    }
    return 0;
}

/* Collect the field ids a tree uses. */
static bool tree_uses_vmap(const struct sg_node *nd, const struct ss_sigma_ruleset *rs,
                           const struct sg_mapping *m)
{
    if (nd == NULL)
        return false;
    if (nd->op == SG_N_PRED) {
        const struct sg_pred *p = nd->pred;

        if (p->field == SG_NO_FIELD)
            return false;
        for (uint32_t i = 0; i < m->n_fields; i++)
            if (m->fields[i].n_vmap > 0 && strcmp(m->fields[i].name, rs->fnames[p->field]) == 0)
                return true;
        return false;
    }
    for (uint32_t i = 0; i < nd->n; i++)
        if (tree_uses_vmap(nd->kids[i], rs, m))
            return true;
    return false;
}

static size_t grow_cap(size_t cap)
{
    return cap ? cap * 2 : 64;
}

int ss_sigma_route(struct ss_sigma_ruleset *rs, struct ss_diag *reterr_diag)
{
    size_t cap_insts = 0;
    int r = 0;

    /* Instances: one per (rule, mapping) pair that routes. */
    for (size_t mi = 0; mi < rs->n_maps && r == 0; mi++) {
        struct sg_mapping *m = rs->maps[mi];
        bool vmaps = false;

        for (uint32_t f = 0; f < m->n_fields; f++)
            vmaps = vmaps || m->fields[f].n_vmap > 0;
        for (size_t ri = 0; ri < rs->n_rules && r == 0; ri++) {
            struct sg_rule *ru = rs->rules[ri];
            struct sg_node *tree = ru->tree;

            if (ru->is_corr || ru->tree == NULL || ru->dead || ru->inactive || !routes(m, ru))
                continue;
            if (vmaps && tree_uses_vmap(ru->tree, rs, m)) {
                r = ss_sigma_recompile(rs, ru, m, &tree, reterr_diag);
                if (r < 0)
                    break;
            }
            if (rs->n_insts == cap_insts) {
                size_t cap = grow_cap(cap_insts);
                struct sg_inst *ni = ss_reallocarray(rs->insts, cap, sizeof(*ni));

                if (ni == NULL)
                    return -ENOMEM;
                rs->insts = ni;
                cap_insts = cap;
            }
            rs->insts[rs->n_insts++] =
                (struct sg_inst){ .rule = (uint32_t)ri, .mapping = (uint32_t)mi, .tree = tree };
        }
    }
    if (r < 0)
        return r;
    /* Sources: per kind, the mappings in order and their instances. */
    for (size_t mi = 0; mi < rs->n_maps; mi++) {
        const struct sg_mapping *m = rs->maps[mi];

        for (uint32_t k = 0; k < m->n_kinds; k++) {
            size_t si;
            struct sg_source *src;
            uint32_t first, count = 0;

            r = source_slot(rs, m->kinds[k], &si);
            if (r < 0)
                return r;
            src = &rs->sources[si];
            first = src->n_insts;
            for (size_t ii = 0; ii < rs->n_insts; ii++)
                count += rs->insts[ii].mapping == mi;
            if (count == 0)
                continue;
            {
                uint32_t *ni = ss_reallocarray(src->insts, src->n_insts + count, sizeof(*ni));
                uint32_t *nm = ss_reallocarray(src->maps, src->n_maps + 1, sizeof(*nm));

                if (ni != NULL)
                    src->insts = ni;
                if (nm != NULL)
                    src->maps = nm;
                if (ni == NULL || nm == NULL)
                    return -ENOMEM;
            }
            {
                uint32_t *nf = ss_reallocarray(src->map_first, src->n_maps + 1, sizeof(*nf));
                uint32_t *nc;

                if (nf == NULL)
                    return -ENOMEM;
                src->map_first = nf;
                nc = ss_reallocarray(src->map_count, src->n_maps + 1, sizeof(*nc));
                if (nc == NULL)
                    return -ENOMEM;
                src->map_count = nc;
            }
            for (size_t ii = 0; ii < rs->n_insts; ii++)
                if (rs->insts[ii].mapping == mi)
                    src->insts[src->n_insts++] = (uint32_t)ii;
            src->maps[src->n_maps] = (uint32_t)mi;
            src->map_first[src->n_maps] = first;
            src->map_count[src->n_maps] = count;
            src->n_maps++;
        }
    }
    /* Per instance of a source: its mapping's position, and the earlier instance of the
       same rule (a rule belongs to the first mapping that covers the record). */
    for (size_t si = 0; si < rs->n_sources; si++) {
        struct sg_source *src = &rs->sources[si];

        src->local_map = ss_arena_calloc(&rs->arena, src->n_insts + 1, sizeof(uint32_t));
        src->prev_same = ss_arena_calloc(&rs->arena, src->n_insts + 1, sizeof(uint32_t));
        if (src->local_map == NULL || src->prev_same == NULL)
            return rs_oom(rs);
        for (uint32_t mpos = 0; mpos < src->n_maps; mpos++)
            for (uint32_t k = 0; k < src->map_count[mpos]; k++)
                src->local_map[src->map_first[mpos] + k] = mpos;
        {
            uint32_t *last = ss_malloc((rs->n_rules + 1) * sizeof(*last));

            if (last == NULL)
                return -ENOMEM;
            memset(last, 0xFF, (rs->n_rules + 1) * sizeof(*last));
            for (uint32_t k = 0; k < src->n_insts; k++) {
                uint32_t rule = rs->insts[src->insts[k]].rule;

                src->prev_same[k] = last[rule];
                last[rule] = k;
            }
            ss_free(last);
        }
    }
    /* Each rule's kinds, for the report and rule info. */
    for (size_t ri = 0; ri < rs->n_rules; ri++) {
        struct sg_rule *ru = rs->rules[ri];
        uint32_t n = 0;

        for (size_t si = 0; si < rs->n_sources; si++) {
            const struct sg_source *src = &rs->sources[si];
            bool hit = false;

            for (uint32_t k = 0; k < src->n_insts && !hit; k++)
                hit = rs->insts[src->insts[k]].rule == ri;
            n += hit;
        }
        if (n == 0)
            continue;
        ru->kinds = ss_arena_calloc(&rs->arena, n, sizeof(*ru->kinds));
        if (ru->kinds == NULL)
            return rs_oom(rs);
        for (size_t si = 0; si < rs->n_sources; si++) {
            const struct sg_source *src = &rs->sources[si];
            bool hit = false;

            for (uint32_t k = 0; k < src->n_insts && !hit; k++)
                hit = rs->insts[src->insts[k]].rule == ri;
            if (hit)
                ru->kinds[ru->n_kinds++] = (uint32_t)si;
        }
    }
    return 0;
}

/* ---- path tables ---- */

int ss_sigma_resolve_tables(struct ss_sigma_ruleset *rs)
{
    for (size_t mi = 0; mi < rs->n_maps; mi++) {
        struct sg_mapping *m = rs->maps[mi];

        m->res = ss_arena_calloc(&rs->arena, rs->n_fnames ? rs->n_fnames : 1, sizeof(*m->res));
        m->n_res = ss_arena_calloc(&rs->arena, rs->n_fnames ? rs->n_fnames : 1, sizeof(*m->n_res));
        if (m->res == NULL || m->n_res == NULL)
            return rs_oom(rs);
        for (size_t f = 0; f < rs->n_fnames; f++) {
            const char *name = rs->fnames[f];
            const struct sg_mfield *mf = NULL;

            for (uint32_t i = 0; i < m->n_fields && mf == NULL; i++)
                if (strcmp(m->fields[i].name, name) == 0)
                    mf = &m->fields[i];
            if (mf != NULL) {
                m->res[f] = mf->paths;
                m->n_res[f] = mf->n_paths;
                continue;
            }
            if (m->n_fallback == 0) {
                const char **one = ss_arena_calloc(&rs->arena, 1, sizeof(*one));

                if (one == NULL)
                    return rs_oom(rs);
                one[0] = name;
                m->res[f] = one;
                m->n_res[f] = 1;
                continue;
            }
            {
                const char **v = ss_arena_calloc(&rs->arena, m->n_fallback, sizeof(*v));

                if (v == NULL)
                    return rs_oom(rs);
                for (uint32_t t = 0; t < m->n_fallback; t++) {
                    const char *tpl = m->fallback[t], *at = strstr(tpl, "{field}");
                    char *p =
                        ss_arena_printf(&rs->arena, "%.*s%s%s", (int)(at - tpl), tpl, name, at + 7);

                    if (p == NULL)
                        return rs_oom(rs);
                    v[t] = p;
                }
                m->res[f] = v;
                m->n_res[f] = m->n_fallback;
            }
        }
    }
    return 0;
}

const char *const *ss_sigma_paths(const struct ss_sigma_ruleset *rs, const struct sg_mapping *m,
                                  uint32_t fid, uint32_t *ret_n)
{
    (void)rs;
    *ret_n = m->n_res[fid];
    return m->res[fid];
}
