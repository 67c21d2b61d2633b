/* SPDX-License-Identifier: Apache-2.0 */
/*
 * core/finding.c - implements the finding collection: deep copies into one arena,
 * merging per-worker collections, and the canonical sort order.
 */
#include "core/finding.h"

#include "core/alloc.h"
#include "core/buf.h"

static const char *const sev_names[SS_SEV__COUNT] = {
    [SS_SEV_INFO] = "informational", [SS_SEV_LOW] = "low",           [SS_SEV_MEDIUM] = "medium",
    [SS_SEV_HIGH] = "high",          [SS_SEV_CRITICAL] = "critical",
};

const char *ss_severity_name(enum ss_severity s)
{
    if (s < SS_SEV_INFO || s >= SS_SEV__COUNT)
        return "unknown";
    return sev_names[s];
}

int ss_severity_parse(const char *s, size_t len, enum ss_severity *ret)
{
    struct ss_str in = { .ptr = s, .len = len };

    if (ss_str_ieq(in, SS_STR("info"))) {
        *ret = SS_SEV_INFO;
        return 0;
    }
    for (int i = SS_SEV_INFO; i < SS_SEV__COUNT; i++) {
        if (ss_str_ieq(in, ss_str_from_cstr(sev_names[i]))) {
            *ret = (enum ss_severity)i;
            return 0;
        }
    }
    return SS_ESYNTAX;
}

int ss_loc_cmp(const struct ss_loc *a, const struct ss_loc *b)
{
    if (a->input != b->input)
        return a->input < b->input ? -1 : 1;
    if (a->offset != b->offset)
        return a->offset < b->offset ? -1 : 1;
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    return 0;
}

void ss_findings_init(struct ss_findings *fs, size_t max_bytes)
{
    *fs = (struct ss_findings){ 0 };
    ss_arena_init(&fs->arena, max_bytes);
}

void ss_findings_release(struct ss_findings *fs)
{
    ss_arena_release(&fs->arena);
    ss_free(fs->items);
    fs->items = NULL;
    fs->len = 0;
    fs->cap = 0;
}

static int evidence_cmp(const void *a, const void *b)
{
    return ss_loc_cmp(&((const struct ss_evidence *)a)->loc, &((const struct ss_evidence *)b)->loc);
}

static char *dup_or_empty(struct ss_arena *a, const char *s)
{
    return ss_arena_strdup(a, s != NULL ? s : "");
}

int ss_findings_add(struct ss_findings *fs, const struct ss_finding *f, struct ss_finding **ret)
{
    struct ss_arena *a = &fs->arena;
    struct ss_finding c = *f;
    size_t n_ev = SS_MIN(f->n_evidence, (size_t)SS_FINDING_MAX_EVIDENCE);

    if (f->n_entities > SS_FINDING_MAX_ENTITIES)
        return SS_ELIMIT;
    if (fs->len == fs->cap) {
        size_t ncap = fs->cap == 0 ? 16 : fs->cap * 2;
        struct ss_finding *p = ss_reallocarray(fs->items, ncap, sizeof(*p));

        if (p == NULL)
            return -ENOMEM;
        fs->items = p;
        fs->cap = ncap;
    }
    c.check_id = dup_or_empty(a, f->check_id);
    c.title = dup_or_empty(a, f->title);
    c.desc = dup_or_empty(a, f->desc);
    c.data_json = f->data_json != NULL ? ss_arena_strdup(a, f->data_json) : NULL;
    c.entities = ss_arena_calloc(a, f->n_entities, sizeof(*c.entities));
    c.evidence = ss_arena_calloc(a, n_ev, sizeof(*c.evidence));
    if (c.check_id == NULL || c.title == NULL || c.desc == NULL || c.entities == NULL ||
        c.evidence == NULL || (f->data_json != NULL && c.data_json == NULL))
        return ss_arena_failed(a);
    for (size_t i = 0; i < f->n_entities; i++) {
        c.entities[i] = dup_or_empty(a, f->entities[i]);
        if (c.entities[i] == NULL)
            return ss_arena_failed(a);
    }
    if (n_ev != 0)
        memcpy(c.evidence, f->evidence, n_ev * sizeof(*c.evidence));
    qsort(c.evidence, n_ev, sizeof(*c.evidence), evidence_cmp);
    c.n_evidence = n_ev;
    if (c.n_evidence_total < f->n_evidence)
        c.n_evidence_total = f->n_evidence;
    fs->items[fs->len] = c;
    if (ret != NULL)
        *ret = &fs->items[fs->len];
    fs->len++;
    return 0;
}

int ss_findings_merge(struct ss_findings *dst, const struct ss_findings *src)
{
    for (size_t i = 0; i < src->len; i++) {
        int r = ss_findings_add(dst, &src->items[i], NULL);

        if (r < 0)
            return r;
    }
    return 0;
}

int ss_finding_cmp(const struct ss_finding *a, const struct ss_finding *b)
{
    int c = strcmp(a->check_id, b->check_id);
    const char *ea = a->n_entities > 0 ? a->entities[0] : "";
    const char *eb = b->n_entities > 0 ? b->entities[0] : "";

    if (c != 0)
        return c;
    c = strcmp(ea, eb);
    if (c != 0)
        return c;
    if (a->n_evidence == 0 || b->n_evidence == 0)
        return a->n_evidence == b->n_evidence ? 0 : a->n_evidence == 0 ? -1 : 1;
    c = ss_loc_cmp(&a->evidence[0].loc, &b->evidence[0].loc);
    if (c != 0)
        return c;
    /* Full tie-break so the order is total and stable across runs. */
    if (a->first_us != b->first_us)
        return a->first_us < b->first_us ? -1 : 1;
    return strcmp(a->title, b->title);
}

static int finding_qsort_cmp(const void *a, const void *b)
{
    return ss_finding_cmp(a, b);
}

void ss_findings_sort(struct ss_findings *fs)
{
    if (fs->len > 1)
        qsort(fs->items, fs->len, sizeof(*fs->items), finding_qsort_cmp);
}
