/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sigma/sigma_compile.c - implements ss_sigma_compile and the rule queries: adds the
 * shipped mappings, expands placeholders, applies global filters, resolves and orders
 * correlations (by id or name, cycles rejected), routes rules to input kinds, fills the
 * field tables and builds the prefilters; then the rule set is immutable.
 */
#include "sigma/sigma_int.h"

#include "core/alloc.h"
#include "core/pool.h"

static int rs_oom(struct ss_sigma_ruleset *rs)
{
    int r = ss_arena_failed(&rs->arena);

    return r != 0 ? r : -ENOMEM;
}

int ss_sigma_recompile(struct ss_sigma_ruleset *rs, struct sg_rule *ru, const struct sg_mapping *m,
                       struct sg_node **ret, struct ss_diag *d)
{
    struct sg_cctx cc = {
        .rs = rs, .rule = ru, .map = m, .file = ru->file, .diag = d, .resolve_placeholders = true
    };
    int r = ss_sigma_compile_detection(&cc, ru->detection, ru->cond_override, ret);

    if (cc.gctx != NULL)
        pcre2_general_context_free(cc.gctx);
    return r;
}

/* Reject a rule at compile time: its entry becomes a rejection. */
static int reject_late(struct ss_sigma_ruleset *rs, struct sg_rule *ru, int code, const char *msg)
{
    struct sg_entry *en = &rs->entries[ru->entry];
    char *reason = ss_arena_strdup(&rs->arena, msg);

    if (reason == NULL)
        return rs_oom(rs);
    ru->dead = true;
    if (en->pub.status == SS_SIGMA_REJECTED)
        return 0;
    en->pub.status = SS_SIGMA_REJECTED;
    en->pub.code = code;
    en->pub.reason = reason;
    en->pub.rule = -1;
    return 0;
}

static int expand_placeholders(struct ss_sigma_ruleset *rs)
{
    for (size_t i = 0; i < rs->n_rules; i++) {
        struct sg_rule *ru = rs->rules[i];
        struct sg_cctx cc = {
            .rs = rs, .rule = ru, .file = ru->file, .resolve_placeholders = true
        };
        struct ss_diag d;
        int r;

        if (!ru->uses_expand || ru->detection == NULL)
            continue;
        ss_diag_clear(&d);
        cc.diag = &d;
        r = ss_sigma_compile_detection(&cc, ru->detection, ru->cond_override, &ru->tree);
        if (cc.gctx != NULL)
            pcre2_general_context_free(cc.gctx);
        if (r == -ENOMEM || (r < 0 && ss_arena_failed(&rs->arena) != 0))
            return r;
        if (r < 0) {
            r = reject_late(rs, ru, r, d.msg);
            if (r < 0)
                return r;
            continue;
        }
        if (cc.missing_placeholder) {
            /* The spec: a tool that cannot fill a placeholder must not run the rule as if
               it had. Loaded and reported, but not evaluated until values are given. */
            ru->inactive = true;
            r = ss_sigma_note(rs, ru->entry, SS_SIGMA_NOTE_UNSUPPORTED, 0, 0,
                              "placeholder %%%s%% has no values (give them with --placeholders "
                              "FILE): the rule is not evaluated",
                              cc.missing_name);
            if (r < 0)
                return r;
        }
    }
    return 0;
}

static const struct sg_rule *find_ref(const struct ss_sigma_ruleset *rs, const char *ref)
{
    int64_t i = ss_sigma_strmap_get(&rs->ids, ref);

    if (i < 0)
        i = ss_sigma_strmap_get(&rs->names, ref);
    return i < 0 ? NULL : rs->rules[i];
}

static int apply_filters(struct ss_sigma_ruleset *rs)
{
    for (size_t fi = 0; fi < rs->n_filters; fi++) {
        struct sg_filter *f = rs->filters[fi];
        struct sg_cctx cc = { .rs = rs, .file = NULL, .resolve_placeholders = true };
        struct sg_node *ftree;
        struct ss_diag d;
        int r;

        ss_diag_clear(&d);
        cc.diag = &d;
        r = ss_sigma_compile_detection(&cc, f->detection, NULL, &ftree);
        if (cc.gctx != NULL)
            pcre2_general_context_free(cc.gctx);
        if (r < 0)
            return r == SS_ESYNTAX ? 0 : r; /* validated at load; nothing else can fail */
        for (uint32_t k = 0; k < f->n_refs; k++) {
            struct sg_rule *ru = (struct sg_rule *)(uintptr_t)find_ref(rs, f->refs[k]);
            struct sg_node *nd, *not_nd;

            if (ru == NULL || ru->is_corr || ru->tree == NULL) {
                r = ss_sigma_note(rs, f->entry, SS_SIGMA_NOTE_WARNING, 0, 0,
                                  "filter refers to '%s', which is not a loaded detection rule",
                                  f->refs[k]);
                if (r < 0)
                    return r;
                continue;
            }
            nd = ss_arena_calloc(&rs->arena, 1, sizeof(*nd));
            not_nd = ss_arena_calloc(&rs->arena, 1, sizeof(*not_nd));
            if (nd == NULL || not_nd == NULL)
                return rs_oom(rs);
            not_nd->op = SG_N_NOT;
            not_nd->n = 1;
            not_nd->kids = ss_arena_calloc(&rs->arena, 1, sizeof(*not_nd->kids));
            nd->op = SG_N_AND;
            nd->n = 2;
            nd->kids = ss_arena_calloc(&rs->arena, 2, sizeof(*nd->kids));
            if (not_nd->kids == NULL || nd->kids == NULL)
                return rs_oom(rs);
            not_nd->kids[0] = ftree;
            nd->kids[0] = ru->tree;
            nd->kids[1] = not_nd;
            ru->tree = nd;
            r = ss_sigma_note(rs, ru->entry, SS_SIGMA_NOTE_TRANSLATED, 0, 0,
                              "global filter '%s' applied", f->title ? f->title : "(untitled)");
            if (r < 0)
                return r;
        }
    }
    return 0;
}

static int compile_whens(struct ss_sigma_ruleset *rs, struct ss_diag *d)
{
    for (size_t mi = 0; mi < rs->n_maps; mi++) {
        struct sg_mapping *m = rs->maps[mi];
        struct sg_cctx cc = { .rs = rs, .file = m->file, .diag = d };
        int r;

        if (m->when_node == NULL)
            continue;
        /* a selection, or a whole detection (selections plus 'condition') */
        if (ss_yaml_get(m->when_node, "condition") != NULL)
            r = ss_sigma_compile_detection(&cc, m->when_node, NULL, &m->when);
        else
            r = ss_sigma_compile_selection(&cc, m->when_node, &m->when);
        if (cc.gctx != NULL)
            pcre2_general_context_free(cc.gctx);
        if (r < 0)
            return r;
    }
    return 0;
}

/* ---- correlations ---- */

static int add_feed(struct ss_sigma_ruleset *rs, struct sg_rule *base, uint32_t corr)
{
    uint32_t *nf = ss_arena_calloc(&rs->arena, base->n_feeds + 1, sizeof(*nf));

    if (nf == NULL)
        return rs_oom(rs);
    for (uint32_t i = 0; i < base->n_feeds; i++) {
        if (base->feeds[i] == corr)
            return 0;
        nf[i] = base->feeds[i];
    }
    nf[base->n_feeds] = corr;
    base->feeds = nf;
    base->n_feeds++;
    return 0;
}

/* The field a group-by name denotes for the rule in slot @slot (aliases applied). */
static const char *group_field(const struct sg_corr *co, const struct sg_rule *ref, const char *g)
{
    for (uint32_t a = 0; a < co->n_aliases; a++) {
        const struct sg_alias *al = &co->aliases[a];

        if (strcmp(al->alias, g) != 0)
            continue;
        for (uint32_t k = 0; k < al->n; k++) {
            if ((ref->name != NULL && strcmp(al->rule_refs[k], ref->name) == 0) ||
                (ref->id != NULL && strcmp(al->rule_refs[k], ref->id) == 0))
                return al->fields[k];
        }
    }
    return g;
}

static int resolve_correlations(struct ss_sigma_ruleset *rs)
{
    uint8_t *state; /* 2: placed in the evaluation order */
    size_t n_corr = 0;
    int r = 0;

    /* references */
    for (size_t i = 0; i < rs->n_rules && r == 0; i++) {
        struct sg_rule *ru = rs->rules[i];
        struct sg_corr *co = ru->corr;
        char msg[512];

        if (!ru->is_corr || ru->dead)
            continue;
        n_corr++;
        if (co->rules == NULL) {
            co->rules = ss_arena_calloc(&rs->arena, co->n_refs, sizeof(*co->rules));
            if (co->rules == NULL)
                return rs_oom(rs);
            for (uint32_t k = 0; k < co->n_refs; k++) {
                const struct sg_rule *ref = find_ref(rs, co->refs[k]);

                if (ref == NULL || ref->internal) {
                    (void)snprintf(msg, sizeof(msg),
                                   "correlation refers to '%s', which is not the id or name of a "
                                   "loaded rule",
                                   co->refs[k]);
                    r = reject_late(rs, ru, SS_ENOTFOUND, msg);
                    break;
                }
                co->rules[k] = ref->index;
            }
        }
        /* Each alias must name referenced rules. */
        for (uint32_t a = 0; r == 0 && !ru->dead && a < co->n_aliases; a++) {
            for (uint32_t k = 0; k < co->aliases[a].n; k++) {
                const struct sg_rule *ref = find_ref(rs, co->aliases[a].rule_refs[k]);
                bool listed = false;

                for (uint32_t j = 0; ref != NULL && j < co->n_refs; j++)
                    listed = listed || co->rules[j] == ref->index;
                if (!listed) {
                    (void)snprintf(msg, sizeof(msg),
                                   "alias '%s' names '%s', which is not one of the correlated "
                                   "rules",
                                   co->aliases[a].alias, co->aliases[a].rule_refs[k]);
                    r = reject_late(rs, ru, SS_ESYNTAX, msg);
                    break;
                }
            }
        }
    }
    if (r < 0)
        return r;
    /* dead references propagate; cycles are rejected (below) */
    state = ss_calloc(rs->n_rules ? rs->n_rules : 1, 1);
    rs->corr_order = ss_arena_calloc(&rs->arena, n_corr ? n_corr : 1, sizeof(*rs->corr_order));
    if (state == NULL || rs->corr_order == NULL) {
        ss_free(state);
        return state == NULL ? -ENOMEM : rs_oom(rs);
    }
    rs->n_corr = 0;
    for (bool changed = true; changed && r == 0;) {
        changed = false;
        for (size_t i = 0; i < rs->n_rules && r == 0; i++) {
            struct sg_rule *ru = rs->rules[i];

            if (!ru->is_corr || ru->dead)
                continue;
            for (uint32_t k = 0; k < ru->corr->n_refs; k++) {
                if (rs->rules[ru->corr->rules[k]]->dead) {
                    r = reject_late(rs, ru, SS_ENOTFOUND,
                                    "correlation refers to a rule that was rejected");
                    changed = true;
                    break;
                }
            }
        }
    }
    /* topological order: a correlation after the correlations it uses */
    {
        bool progress = true;

        while (progress && r == 0) {
            progress = false;
            for (size_t i = 0; i < rs->n_rules && r == 0; i++) {
                struct sg_rule *ru = rs->rules[i];
                bool ready = true;

                if (!ru->is_corr || ru->dead || state[i] == 2)
                    continue;
                for (uint32_t k = 0; k < ru->corr->n_refs; k++) {
                    const struct sg_rule *ref = rs->rules[ru->corr->rules[k]];

                    if (ref->is_corr && state[ref->index] != 2)
                        ready = false;
                }
                if (!ready)
                    continue;
                state[i] = 2;
                ru->corr->order = (uint32_t)rs->n_corr;
                rs->corr_order[rs->n_corr++] = (uint32_t)i;
                progress = true;
            }
        }
        for (size_t i = 0; i < rs->n_rules && r == 0; i++) {
            struct sg_rule *ru = rs->rules[i];

            if (ru->is_corr && !ru->dead && state[i] != 2)
                r = reject_late(rs, ru, SS_ESYNTAX,
                                "correlation takes part in a cycle of correlations");
        }
    }
    ss_free(state);
    if (r < 0)
        return r;
    /* feeds, emits, field ids */
    for (size_t oi = 0; oi < rs->n_corr && r == 0; oi++) {
        struct sg_rule *ru = rs->rules[rs->corr_order[oi]];
        struct sg_corr *co = ru->corr;

        co->group_fids = ss_arena_calloc(&rs->arena, (size_t)co->n_refs * co->n_group + 1,
                                         sizeof(*co->group_fids));
        co->value_fids = ss_arena_calloc(&rs->arena, (size_t)co->n_refs * co->n_fields + 1,
                                         sizeof(*co->value_fids));
        if (co->group_fids == NULL || co->value_fids == NULL)
            return rs_oom(rs);
        for (uint32_t k = 0; k < co->n_refs && r == 0; k++) {
            struct sg_rule *ref = rs->rules[co->rules[k]];

            r = add_feed(rs, ref, ru->index);
            if (!co->generate && !ru->internal)
                ref->emits = false;
            if (ref->internal)
                ref->emits = false;
            for (uint32_t g = 0; r == 0 && g < co->n_group; g++) {
                const char *f = group_field(co, ref, co->group_by[g]);
                uint32_t fid = ss_sigma_field_id(rs, f, strlen(f));

                if (fid == SG_NO_FIELD)
                    return -ENOMEM;
                co->group_fids[k * co->n_group + g] = fid;
            }
            for (uint32_t v = 0; r == 0 && v < co->n_fields; v++) {
                const char *f = group_field(co, ref, co->fields[v]);
                uint32_t fid = ss_sigma_field_id(rs, f, strlen(f));

                if (fid == SG_NO_FIELD)
                    return -ENOMEM;
                co->value_fids[k * co->n_fields + v] = fid;
            }
        }
    }
    /*
     * A correlation that feeds another reports only with generate: true on the outer.
     * A rule or correlation that any correlation generates (generate: true) reports,
     * whatever the others that reference it say.
     */
    for (size_t oi = 0; oi < rs->n_corr; oi++) {
        const struct sg_rule *ru = rs->rules[rs->corr_order[oi]];

        for (uint32_t k = 0; k < ru->corr->n_refs; k++) {
            struct sg_rule *ref = rs->rules[ru->corr->rules[k]];

            if (ref->is_corr && !ru->corr->generate)
                ref->emits = false;
        }
    }
    for (size_t oi = 0; oi < rs->n_corr; oi++) {
        const struct sg_rule *ru = rs->rules[rs->corr_order[oi]];

        for (uint32_t k = 0; ru->corr->generate && k < ru->corr->n_refs; k++) {
            struct sg_rule *ref = rs->rules[ru->corr->rules[k]];

            if (!ref->internal)
                ref->emits = true;
        }
    }
    return r;
}

/* ---- notes after routing ---- */

/*
 * Which correlations can fire: one of their rules is routed to an input kind, or one of
 * their correlations can fire. corr_order puts inner correlations first, so one pass
 * decides, whatever the chain's depth (a depth cap of 64 once called deeper chains
 * dead while they fired). Returns a flag per rule (heap), or NULL.
 */
static bool *corr_routed(const struct ss_sigma_ruleset *rs)
{
    bool *routed = ss_calloc(rs->n_rules + 1, sizeof(*routed));

    if (routed == NULL)
        return NULL;
    for (size_t i = 0; i < rs->n_rules; i++)
        routed[i] = !rs->rules[i]->is_corr && rs->rules[i]->n_kinds > 0;
    for (size_t oi = 0; oi < rs->n_corr; oi++) {
        const struct sg_rule *ru = rs->rules[rs->corr_order[oi]];

        for (uint32_t k = 0; k < ru->corr->n_refs && !routed[ru->index]; k++)
            routed[ru->index] = routed[ru->corr->rules[k]];
    }
    return routed;
}

static int unrouted_notes(struct ss_sigma_ruleset *rs)
{
    bool *routed = corr_routed(rs);

    if (routed == NULL)
        return rs_oom(rs);
    for (size_t i = 0; i < rs->n_rules; i++) {
        struct sg_rule *ru = rs->rules[i];
        int r = 0;

        if (ru->dead || ru->inactive || rs->entries[ru->entry].pub.status == SS_SIGMA_REJECTED)
            continue;
        if (!ru->is_corr && ru->n_kinds == 0) {
            r = ss_sigma_note(
                rs, ru->entry, SS_SIGMA_NOTE_UNROUTED, 0, 0,
                "no mapping routes logsource%s%s%s%s%s%s to an input kind: the rule is "
                "loaded but never evaluated (add a mapping with --mapping FILE)",
                ru->product ? " product: " : "", ru->product ? ru->product : "",
                ru->service ? " service: " : "", ru->service ? ru->service : "",
                ru->category ? " category: " : "", ru->category ? ru->category : "");
        } else if (ru->is_corr && !routed[i]) {
            r = ss_sigma_note(rs, ru->entry, SS_SIGMA_NOTE_UNROUTED, 0, 0,
                              "none of the correlated rules is routed to an input kind: the "
                              "correlation never fires");
        }
        if (r < 0) {
            ss_free(routed);
            return r;
        }
    }
    ss_free(routed);
    return 0;
}

static int build_prefilters(struct ss_sigma_ruleset *rs, const bool *used, unsigned threads,
                            struct ss_diag *reterr_diag);

int ss_sigma_compile(struct ss_sigma_ruleset *rs, struct ss_diag *reterr_diag)
{
    int r = 0;

    if (rs->compiled)
        return -EINVAL;
    if (!(rs->flags & SS_SIGMA_NO_BUILTIN_MAPPINGS)) {
        for (size_t i = 0; i < ss_sigma_n_builtin && r == 0; i++)
            r = ss_sigma_mapping_parse(rs, ss_sigma_builtin_names[i], ss_sigma_builtin_texts[i],
                                       ss_sigma_builtin_lens[i], true, reterr_diag);
    }
    if (r == 0)
        r = expand_placeholders(rs);
    if (r == 0)
        r = apply_filters(rs);
    if (r == 0)
        r = compile_whens(rs, reterr_diag);
    if (r == 0)
        r = resolve_correlations(rs);
    if (r == 0)
        r = ss_sigma_route(rs, reterr_diag);
    if (r == 0)
        r = ss_sigma_resolve_tables(rs);
    if (r == 0)
        r = unrouted_notes(rs);
    if (r == 0 && !(rs->flags & (SS_SIGMA_NO_PREFILTER | SS_SIGMA_DEFER_PREFILTER)))
        r = build_prefilters(rs, NULL, SS_MAX(rs->threads, 1u), reterr_diag);
    for (size_t i = 0; r == 0 && i < rs->n_rules; i++) {
        struct sg_rule *ru = rs->rules[i];

        ru->uid = ru->id != NULL ? ru->id : ss_arena_printf(&rs->arena, "%s#%u", ru->file, ru->doc);
        if (ru->uid == NULL)
            r = rs_oom(rs);
    }
    if (r == 0)
        rs->compiled = true;
    return r;
}

/* ---- queries ---- */

size_t ss_sigma_rule_count(const struct ss_sigma_ruleset *rs)
{
    return rs->n_rules;
}

void ss_sigma_rule_info(const struct ss_sigma_ruleset *rs, size_t i, struct ss_sigma_rule_info *ret)
{
    const struct sg_rule *ru = rs->rules[i];

    *ret = (struct ss_sigma_rule_info){
        .id = ru->uid != NULL ? ru->uid : (ru->id != NULL ? ru->id : ""),
        .title = ru->title ? ru->title : "",
        .name = ru->name,
        .level = ru->level ? ru->level : "medium",
        .severity = ru->sev,
        .product = ru->product,
        .service = ru->service,
        .category = ru->category,
        .file = ru->file,
        .is_correlation = ru->is_corr,
        .emits = ru->emits && !ru->dead,
    };
    if (ru->is_corr) {
        /* a correlation runs on the kinds of the rules it correlates */
        for (uint32_t k = 0; ru->corr->rules != NULL && k < ru->corr->n_refs; k++) {
            const struct sg_rule *ref = rs->rules[ru->corr->rules[k]];

            for (uint32_t j = 0; j < ref->n_kinds; j++) {
                const char *kn = rs->sources[ref->kinds[j]].kind;
                bool seen = false;

                for (size_t q = 0; q < ret->n_kinds; q++)
                    seen = seen || strcmp(ret->kinds[q], kn) == 0;
                if (!seen && ret->n_kinds < SS_ARRAY_LEN(ret->kinds))
                    ret->kinds[ret->n_kinds++] = kn;
            }
        }
        return;
    }
    ret->n_kinds = ru->n_kinds;
    for (uint32_t k = 0; k < ru->n_kinds && k < 16; k++)
        ret->kinds[k] = rs->sources[ru->kinds[k]].kind;
}

size_t ss_sigma_source_count(const struct ss_sigma_ruleset *rs)
{
    return rs->n_sources;
}

const char *ss_sigma_source_kind(const struct ss_sigma_ruleset *rs, size_t slot)
{
    return slot < rs->n_sources ? rs->sources[slot].kind : NULL;
}

/* The prefilters of the slots a run reads, one task each (they share nothing). */
struct pf_build {
    struct ss_sigma_ruleset *rs;
    const bool *used;
    int *err;
    struct ss_diag *diag;
};

static int pf_build_task(void *ctx, size_t slot, unsigned worker)
{
    struct pf_build *b = ctx;

    (void)worker;
    if ((b->used == NULL || b->used[slot]) && b->rs->sources[slot].pf == NULL)
        b->err[slot] = ss_sigma_prefilter_build(b->rs, &b->rs->sources[slot], &b->diag[slot]);
    return 0;
}

/* Build the prefilters of the slots in @used (NULL: all) on @threads threads; the error
 * is the first failing slot's, in slot order. */
static int build_prefilters(struct ss_sigma_ruleset *rs, const bool *used, unsigned threads,
                            struct ss_diag *reterr_diag)
{
    struct pf_build b = { .rs = rs, .used = used };
    int r = 0;

    if (rs->n_sources == 0)
        return 0;
    b.err = ss_calloc(rs->n_sources, sizeof(*b.err));
    b.diag = ss_calloc(rs->n_sources, sizeof(*b.diag));
    if (b.err == NULL || b.diag == NULL) {
        r = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < rs->n_sources; i++)
        ss_diag_clear(&b.diag[i]);
    r = ss_pool_run(threads, rs->n_sources, pf_build_task, &b);
    for (size_t i = 0; r == 0 && i < rs->n_sources; i++) {
        r = b.err[i];
        if (r < 0 && reterr_diag != NULL)
            *reterr_diag = b.diag[i];
    }
out:
    ss_free(b.err);
    ss_free(b.diag);
    return r;
}

int ss_sigma_build_prefilters(struct ss_sigma_ruleset *rs, const bool *used, unsigned threads,
                              struct ss_diag *reterr_diag)
{
    if (!rs->compiled)
        return -EINVAL;
    if (!(rs->flags & SS_SIGMA_DEFER_PREFILTER) || (rs->flags & SS_SIGMA_NO_PREFILTER))
        return 0; /* built by ss_sigma_compile, or never */
    return build_prefilters(rs, used, threads, reterr_diag);
}

int ss_sigma_source(const struct ss_sigma_ruleset *rs, const char *kind_name)
{
    for (size_t i = 0; i < rs->n_sources; i++)
        if (strcmp(rs->sources[i].kind, kind_name) == 0 && rs->sources[i].n_insts > 0)
            return (int)i;
    return SS_ENOTFOUND;
}
