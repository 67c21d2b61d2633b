/* SPDX-License-Identifier: Apache-2.0 */
/*
 * synth/synth_world.c - implements building the world model of a synthetic case from the
 * seed: the provider's staff tenant, the benign customer tenants, the three workload
 * tenants (bulk voice archive, consented call centre, siloed tenant), their
 * subscriptions, users, service principals, resources and role assignments, the
 * provider-staff sessions with their Customer Lockbox requests, where each planted
 * scenario lives and when it happens, and the list of records injected into the log
 * streams to carry the scenario signals.
 *
 * The model is drawn from one random stream in a fixed order, so it depends only on the
 * options; it is then shared read-only by the generating threads.
 */
#include "synth/synth_int.h"

#include "core/alloc.h"
#include "core/ss_time.h"

#define WORLD_ARENA_MAX ((size_t)1 << 30)

/* Home regions drawn for benign tenants (indexes into sy_regions); EU-heavy. */
static const char *const home_regions[] = {
    "westeurope",    "westeurope",    "northeurope", "francecentral", "germanywestcentral",
    "swedencentral", "uksouth",       "eastus",      "eastus2",       "westus",
    "canadacentral", "australiaeast", "japaneast",   "westeurope",    "germanywestcentral",
    "northeurope",
};

static const struct {
    const char *region;
    const char *country;
} region_country[] = {
    { "westeurope", "NL" },    { "northeurope", "IE" },
    { "francecentral", "FR" }, { "germanywestcentral", "DE" },
    { "swedencentral", "SE" }, { "uksouth", "GB" },
    { "eastus", "US" },        { "eastus2", "US" },
    { "westus", "US" },        { "canadacentral", "CA" },
    { "australiaeast", "AU" }, { "japaneast", "JP" },
};

static const char *const justifications[] = {
    "Investigate intermittent storage latency reported in support case",
    "Collect diagnostics for failed VM extension deployment",
    "Restore access to key vault after network rule change",
    "Analyse backup job failures on customer request",
    "Review throttling on blob service per customer ticket",
};

static const char *const staff_ips[] = { "20.61.14.", "20.105.210.", "51.105.162." };

struct build {
    struct sy_world *w;
    struct sy_rng rng;
    size_t cap_t, cap_s, cap_u, cap_sp, cap_r, cap_ra, cap_sess, cap_lb, cap_ev;
};

static uint16_t country_of_region(const struct sy_region *reg)
{
    for (size_t i = 0; i < SS_ARRAY_LEN(region_country); i++)
        if (strcmp(region_country[i].region, reg->name) == 0)
            return (uint16_t)sy_country_find(region_country[i].country);
    return 0;
}

/* A support case number "24MMDD" + 10 digits, drawn month, day, number in that order. */
static void support_number(struct sy_rng *r, char *out, size_t out_len)
{
    unsigned month = sy_range(r, 1, 12);
    unsigned day = sy_range(r, 1, 28);
    unsigned n = sy_below(r, 1000000000u);

    snprintf(out, out_len, "24%02u%02u%010u", month, day, n);
}

uint32_t sy_ipv4_in_country(struct sy_rng *r, const struct sy_country *c)
{
    uint32_t a = c->ip_a[sy_below(r, 4)];
    uint32_t b2 = sy_range(r, 1, 254);
    uint32_t c3 = sy_below(r, 256);

    return (a << 24) | (b2 << 16) | (c3 << 8) | sy_range(r, 1, 254);
}

uint32_t sy_ipv4_in(struct sy_rng *r, const uint8_t *firsts, size_t n_firsts)
{
    uint32_t a = firsts[sy_below(r, (uint32_t)n_firsts)];
    uint32_t b2 = sy_below(r, 256);
    uint32_t c3 = sy_below(r, 256);

    return (a << 24) | (b2 << 16) | (c3 << 8) | sy_range(r, 1, 254);
}

/*
 * An address inside a well-known national block of an embargoed country. Every draw is
 * its own statement: C leaves the order of operands unspecified, and the output must not
 * depend on the compiler.
 */
static uint32_t ipv4_embargo(struct sy_rng *r, const char *code)
{
    uint32_t b2, c3;

    if (strcmp(code, "KP") == 0) {
        c3 = 176 + sy_below(r, 4);
        return (UINT32_C(175) << 24) | (UINT32_C(45) << 16) | (c3 << 8) | sy_range(r, 1, 254);
    }
    if (strcmp(code, "IR") == 0) {
        b2 = 176 + sy_below(r, 16);
        c3 = sy_below(r, 256);
        return (UINT32_C(2) << 24) | (b2 << 16) | (c3 << 8) | sy_range(r, 1, 254);
    }
    if (strcmp(code, "SY") == 0) {
        c3 = sy_below(r, 256);
        return (UINT32_C(31) << 24) | (UINT32_C(9) << 16) | (c3 << 8) | sy_range(r, 1, 254);
    }
    b2 = 206 + sy_below(r, 2);
    c3 = sy_below(r, 256);
    return (UINT32_C(152) << 24) | (b2 << 16) | (c3 << 8) | sy_range(r, 1, 254);
}

/* Arrays of the world live on the heap, freed at release. */
#define GROW(b, arr, cap, n) ss_grow((void **)&(b)->w->arr, &(b)->cap, (n), sizeof(*(b)->w->arr))

static void lower_copy(char *dst, size_t dst_len, const char *src)
{
    size_t k = 0;

    for (; *src != '\0' && k + 1 < dst_len; src++) {
        char c = *src;

        if (c == ' ' || c == '\'' || c == '.')
            continue;
        dst[k++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    dst[k] = '\0';
}

static int add_tenant(struct build *b, enum sy_tkind kind, const char *name, const char *display,
                      const struct sy_region *reg, uint32_t *ret)
{
    struct sy_world *w = b->w;
    struct sy_tenant *t;
    const struct sy_country *c;

    if (GROW(b, t, cap_t, w->n_t + 1) < 0)
        return -ENOMEM;
    t = &w->t[w->n_t];
    *t = (struct sy_tenant){
        .kind = kind, .region = reg, .log_acct = -1, .app_acct = -1, .workspace = -1, .vnet = -1
    };
    sy_guid(&b->rng, t->id);
    snprintf(t->name, sizeof(t->name), "%s", name);
    snprintf(t->display, sizeof(t->display), "%s", display);
    snprintf(t->domain, sizeof(t->domain), "%s.example", name);
    t->country = country_of_region(reg);
    t->governed = kind != SY_TK_SILO;
    c = &sy_countries[t->country];
    t->egress[0] = sy_ipv4_in_country(&b->rng, c);
    t->egress[1] = sy_ipv4_in_country(&b->rng, c);
    for (size_t i = 0; i < 3; i++)
        t->ip6[i] = (uint16_t)sy_range(&b->rng, 0x1000, 0xfffe);
    t->weight = 0.5 + sy_unit(&b->rng);
    *ret = (uint32_t)w->n_t++;
    return 0;
}

static int add_sub(struct build *b, uint32_t tenant, const char *display)
{
    struct sy_world *w = b->w;
    struct sy_sub *s;

    if (GROW(b, s, cap_s, w->n_s + 1) < 0)
        return -ENOMEM;
    s = &w->s[w->n_s];
    *s = (struct sy_sub){ .tenant = tenant, .weight = 0.6 + 0.8 * sy_unit(&b->rng) };
    sy_guid(&b->rng, s->id);
    for (size_t i = 0; i < 37; i++)
        s->upper[i] = (s->id[i] >= 'a' && s->id[i] <= 'f') ? (char)(s->id[i] - 32) : s->id[i];
    snprintf(s->display, sizeof(s->display), "%.95s", display);
    if (w->t[tenant].governed)
        snprintf(s->diag_name, sizeof(s->diag_name), "export-activitylog-to-storage");
    if (w->t[tenant].n_subs == 0)
        w->t[tenant].sub0 = (uint32_t)w->n_s;
    w->t[tenant].n_subs++;
    w->n_s++;
    return 0;
}

static int add_user(struct build *b, uint32_t tenant, bool admin)
{
    struct sy_world *w = b->w;
    struct sy_tenant *t = &w->t[tenant];
    struct sy_user *u;
    char given[24], sur[32];

    if (GROW(b, u, cap_u, w->n_u + 1) < 0)
        return -ENOMEM;
    u = &w->u[w->n_u];
    *u = (struct sy_user){ .tenant = tenant, .country = t->country, .admin = admin };
    sy_guid(&b->rng, u->id);
    snprintf(u->given, sizeof(u->given), "%s",
             sy_given_names[sy_below(&b->rng, (uint32_t)sy_n_given_names)]);
    snprintf(u->sur, sizeof(u->sur), "%s", sy_surnames[sy_below(&b->rng, (uint32_t)sy_n_surnames)]);
    snprintf(u->name, sizeof(u->name), "%s %s", u->given, u->sur);
    lower_copy(given, sizeof(given), u->given);
    lower_copy(sur, sizeof(sur), u->sur);
    /* A suffix keeps UPNs unique within the tenant. */
    if (t->n_users > 0)
        snprintf(u->upn, sizeof(u->upn), "%s.%s%u@%s", given, sur, (unsigned)t->n_users, t->domain);
    else
        snprintf(u->upn, sizeof(u->upn), "%s.%s@%s", given, sur, t->domain);
    {
        unsigned hi = sy_below(&b->rng, 0x10000);
        unsigned lo = (unsigned)(sy_next(&b->rng) & 0xffffffffu);

        snprintf(u->puid, sizeof(u->puid), "1003%04X%08X", hi, lo);
    }
    if (sy_chance(&b->rng, 0.08))
        u->country = (uint16_t)sy_below(&b->rng, 13); /* a travelling user */
    u->ua = (uint8_t)sy_below(&b->rng, (uint32_t)sy_n_uas);
    if (t->n_users == 0)
        t->user0 = (uint32_t)w->n_u;
    t->n_users++;
    w->n_u++;
    return 0;
}

static int add_sp(struct build *b, uint32_t tenant, const char *name)
{
    struct sy_world *w = b->w;
    struct sy_sp *sp;

    if (GROW(b, sp, cap_sp, w->n_sp + 1) < 0)
        return -ENOMEM;
    sp = &w->sp[w->n_sp];
    *sp = (struct sy_sp){ .tenant = tenant };
    sy_guid(&b->rng, sp->app_id);
    sy_guid(&b->rng, sp->obj_id);
    snprintf(sp->name, sizeof(sp->name), "%s", name);
    if (w->t[tenant].n_sps == 0)
        w->t[tenant].sp0 = (uint32_t)w->n_sp;
    w->t[tenant].n_sps++;
    w->n_sp++;
    return 0;
}

static const char *const rtype_arm[SY_RT__COUNT] = {
    "Microsoft.Storage/storageAccounts",      "Microsoft.OperationalInsights/workspaces",
    "Microsoft.Network/virtualNetworks",      "Microsoft.Network/networkSecurityGroups",
    "Microsoft.Compute/virtualMachines",      "Microsoft.KeyVault/vaults",
    "Microsoft.Network/expressRouteCircuits",
};

static char *dup_case(struct ss_arena *a, const char *s, int mode)
{
    char *d = ss_arena_strdup(a, s);

    if (d == NULL)
        return NULL;
    for (char *p = d; *p != '\0'; p++) {
        if (mode < 0 && *p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
        else if (mode > 0 && *p >= 'a' && *p <= 'z')
            *p = (char)(*p - 32);
    }
    return d;
}

static int add_res(struct build *b, uint32_t sub, enum sy_rtype type, enum sy_srole role,
                   const char *rg, const char *name, const struct sy_region *loc, const char *sku,
                   int32_t *ret)
{
    struct sy_world *w = b->w;
    struct sy_res *res;

    if (GROW(b, r, cap_r, w->n_r + 1) < 0)
        return -ENOMEM;
    res = &w->r[w->n_r];
    *res = (struct sy_res){
        .type = type, .role = role, .sub = sub, .tenant = w->s[sub].tenant, .loc = loc, .sku = sku
    };
    snprintf(res->name, sizeof(res->name), "%.63s", name);
    snprintf(res->rg, sizeof(res->rg), "%.63s", rg);
    res->id = ss_arena_printf(&w->arena, "/subscriptions/%s/resourceGroups/%s/providers/%s/%s",
                              w->s[sub].id, rg, rtype_arm[type], name);
    if (res->id == NULL)
        return -ENOMEM;
    res->id_lower = dup_case(&w->arena, res->id, -1);
    res->id_upper = dup_case(&w->arena, res->id, 1);
    if (res->id_lower == NULL || res->id_upper == NULL)
        return -ENOMEM;
    /* Created 60..900 days before the case starts. */
    res->created = w->start - (int64_t)sy_range(&b->rng, 60, 900) * SY_TICKS_PER_DAY;
    res->created -= (int64_t)sy_below(&b->rng, 86400) * SY_TICKS_PER_SEC;
    sy_guid(&b->rng, res->guid);
    if (w->s[sub].n_res == 0)
        w->s[sub].res0 = (uint32_t)w->n_r;
    w->s[sub].n_res++;
    if (ret != NULL)
        *ret = (int32_t)w->n_r;
    w->n_r++;
    return 0;
}

static int add_ra(struct build *b, uint32_t sub, const char *role_id, const char *role_name,
                  const char *ptype, const char *principal)
{
    struct sy_world *w = b->w;
    struct sy_ra *ra;

    if (GROW(b, ra, cap_ra, w->n_ra + 1) < 0)
        return -ENOMEM;
    ra = &w->ra[w->n_ra];
    *ra = (struct sy_ra){ .sub = sub, .role_id = role_id, .role_name = role_name, .ptype = ptype };
    sy_guid(&b->rng, ra->id);
    snprintf(ra->principal, sizeof(ra->principal), "%s", principal);
    ra->created = w->start - (int64_t)sy_range(&b->rng, 30, 700) * SY_TICKS_PER_DAY;
    if (w->s[sub].n_ra == 0)
        w->s[sub].ra0 = (uint32_t)w->n_ra;
    w->s[sub].n_ra++;
    w->n_ra++;
    return 0;
}

static int add_event(struct build *b, unsigned stream, uint32_t owner, int64_t t, unsigned kind,
                     uint32_t arg)
{
    struct sy_world *w = b->w;

    if (t < w->start || t >= w->end)
        return 0;
    if (GROW(b, ev, cap_ev, w->n_ev + 1) < 0)
        return -ENOMEM;
    w->ev[w->n_ev++] = (struct sy_event){
        .t = t, .owner = owner, .arg = arg, .stream = (uint8_t)stream, .kind = (uint8_t)kind
    };
    return 0;
}

static int ev_cmp(const void *pa, const void *pb)
{
    const struct sy_event *a = pa, *b = pb;

    if (a->stream != b->stream)
        return a->stream < b->stream ? -1 : 1;
    if (a->owner != b->owner)
        return a->owner < b->owner ? -1 : 1;
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    return a->arg < b->arg ? -1 : (a->arg > b->arg ? 1 : 0);
}

/* Storage account names: 3-24 of [a-z0-9]. */
static void storage_name(char *out, size_t len, const char *tenant, const char *suffix)
{
    char base[16];
    size_t k = 0;

    for (const char *p = tenant; *p != '\0' && k < 12; p++)
        if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
            base[k++] = *p;
    base[k] = '\0';
    snprintf(out, len, "st%s%s", base, suffix);
}

/* The standard estate of a tenant: logging, network, and an app stack per subscription. */
static int build_estate(struct build *b, uint32_t ti)
{
    struct sy_world *w = b->w;
    struct sy_tenant *t = &w->t[ti];
    const struct sy_region *reg = t->region;
    char rg[64], name[64];
    int32_t idx;
    int r;

    if (t->kind == SY_TK_SILO)
        return 0;
    /* logging in the first subscription */
    snprintf(rg, sizeof(rg), "rg-%s-logging", t->name);
    storage_name(name, sizeof(name), t->name, "logs01");
    r = add_res(b, t->sub0, SY_RT_STORAGE, SY_SR_LOGS, rg, name, reg, "Standard_GRS", &idx);
    if (r < 0)
        return r;
    w->t[ti].log_acct = idx;
    w->r[idx].retention_days = sy_chance(&b->rng, 0.5) ? 400 : 2555;
    snprintf(name, sizeof(name), "log-%s-%s", t->name, reg->name);
    r = add_res(b, t->sub0, SY_RT_WORKSPACE, SY_SR_NONE, rg, name, reg, "PerGB2018", &idx);
    if (r < 0)
        return r;
    w->t[ti].workspace = idx;
    {
        static const uint32_t ret_choices[] = { 90, 180, 365, 730 };

        w->r[idx].retention_days = ret_choices[sy_below(&b->rng, 4)];
        if (t->kind == SY_TK_PROVIDER || w->r[idx].retention_days < 365)
            w->r[idx].retention_days = 365;
    }
    /* network */
    snprintf(rg, sizeof(rg), "rg-%s-network", t->name);
    snprintf(name, sizeof(name), "vnet-%s-%s-01", t->kind == SY_TK_PROVIDER ? "hub" : t->name,
             reg->name);
    r = add_res(b, t->sub0, SY_RT_VNET, SY_SR_NONE, rg, name, reg, NULL, &idx);
    if (r < 0)
        return r;
    w->t[ti].vnet = idx;
    w->r[idx].octet = t->kind == SY_TK_PROVIDER ? 0 : (uint32_t)(1 + ti % 250);
    snprintf(name, sizeof(name), "nsg-%s-app", t->name);
    r = add_res(b, t->sub0, SY_RT_NSG, SY_SR_NONE, rg, name, reg, NULL, NULL);
    if (r < 0)
        return r;
    /* an application stack per subscription */
    for (uint32_t k = 0; k < t->n_subs; k++) {
        uint32_t si = t->sub0 + k;
        char suffix[16];

        if (t->kind == SY_TK_PROVIDER && k == 0)
            continue;
        snprintf(rg, sizeof(rg), "rg-%s-app%u", t->name, (unsigned)(k + 1));
        snprintf(suffix, sizeof(suffix), "app%02u", (unsigned)(k + 1) % 100);
        storage_name(name, sizeof(name), t->name, suffix);
        r = add_res(b, si, SY_RT_STORAGE, k == 0 ? SY_SR_APP : SY_SR_NONE, rg, name, reg,
                    sy_chance(&b->rng, 0.5) ? "Standard_ZRS" : "Standard_LRS", &idx);
        if (r < 0)
            return r;
        if (k == 0) {
            w->t[ti].app_acct = idx;
            w->r[idx].blob_diag = t->kind != SY_TK_PROVIDER;
        }
        for (unsigned v = 1; v <= 2; v++) {
            snprintf(name, sizeof(name), "vm-%s-app%u-%02u", t->name, (unsigned)(k + 1), v);
            r = add_res(b, si, SY_RT_VM, SY_SR_NONE, rg, name, reg,
                        v == 1 ? "Standard_D4s_v5" : "Standard_B2ms", NULL);
            if (r < 0)
                return r;
        }
        snprintf(name, sizeof(name), "kv-%s-%u-%04x", t->name, (unsigned)(k + 1),
                 sy_below(&b->rng, 0x10000));
        r = add_res(b, si, SY_RT_KEYVAULT, SY_SR_NONE, rg, name, reg, "standard", NULL);
        if (r < 0)
            return r;
    }
    return 0;
}

static int build_people(struct build *b, uint32_t ti, uint32_t n_users)
{
    struct sy_world *w = b->w;
    char name[48];
    int r;

    for (uint32_t i = 0; i < n_users; i++) {
        r = add_user(b, ti, i < 3);
        if (r < 0)
            return r;
    }
    snprintf(name, sizeof(name), "sp-%s-deploy", w->t[ti].name);
    r = add_sp(b, ti, name);
    if (r == 0) {
        snprintf(name, sizeof(name), "sp-%s-monitoring", w->t[ti].name);
        r = add_sp(b, ti, name);
    }
    if (r == 0) {
        snprintf(name, sizeof(name), "%s-workload-app", w->t[ti].name);
        r = add_sp(b, ti, name);
    }
    return r;
}

static int build_role_assignments(struct build *b, uint32_t ti)
{
    struct sy_world *w = b->w;
    const struct sy_tenant *t = &w->t[ti];
    int r = 0;

    for (uint32_t k = 0; k < t->n_subs && r == 0; k++) {
        uint32_t si = t->sub0 + k;

        r = add_ra(b, si, SY_ROLE_OWNER, "Owner", "User", w->u[t->user0].id);
        if (r == 0 && t->n_users > 1)
            r = add_ra(b, si, SY_ROLE_CONTRIBUTOR, "Contributor", "User", w->u[t->user0 + 1].id);
        if (r == 0 && t->n_users > 2)
            r = add_ra(b, si, SY_ROLE_CONTRIBUTOR, "Contributor", "User", w->u[t->user0 + 2].id);
        if (r == 0)
            r = add_ra(b, si, SY_ROLE_CONTRIBUTOR, "Contributor", "ServicePrincipal",
                       w->sp[t->sp0].obj_id);
        if (r == 0)
            r = add_ra(b, si, SY_ROLE_READER_DATA, "Reader and Data Access", "ServicePrincipal",
                       w->sp[t->sp0 + 1].obj_id);
        if (r == 0)
            r = add_ra(b, si, SY_ROLE_BLOB_CONTRIB, "Storage Blob Data Contributor",
                       "ServicePrincipal", w->sp[t->sp0 + 2].obj_id);
        if (r == 0 && t->kind != SY_TK_SILO && t->kind != SY_TK_PROVIDER)
            r = add_ra(b, si, SY_ROLE_UAA, "User Access Administrator", "User", w->u[t->user0].id);
    }
    return r;
}

/* A uniformly random instant within hour range [h0, h1) of the case. */
static int64_t rand_time(struct build *b, uint32_t h0, uint32_t h1)
{
    uint32_t h = h1 > h0 ? sy_range(&b->rng, h0, h1 - 1) : h0;

    int64_t t = b->w->start + (int64_t)h * SY_TICKS_PER_HOUR +
                (int64_t)sy_below(&b->rng, 3600) * SY_TICKS_PER_SEC;

    return t + (int64_t)sy_below(&b->rng, 10000000);
}

static bool in_gap(const struct sy_world *w, uint32_t tenant, int64_t t0, int64_t t1)
{
    if (tenant != w->sc_gap)
        return false;
    return t1 > w->gap_start - 2 * SY_TICKS_PER_HOUR && t0 < w->gap_end + 2 * SY_TICKS_PER_HOUR;
}

static int add_session(struct build *b, uint32_t ti, int64_t start, bool planted)
{
    struct sy_world *w = b->w;
    const struct sy_tenant *t = &w->t[ti];
    const struct sy_tenant *prov = &w->t[w->provider];
    struct sy_session *s;
    struct sy_lockbox *lb;

    if (GROW(b, sess, cap_sess, w->n_sess + 1) < 0 || GROW(b, lb, cap_lb, w->n_lb + 1) < 0)
        return -ENOMEM;
    s = &w->sess[w->n_sess];
    *s = (struct sy_session){ .tenant = ti, .sub = t->sub0, .planted = planted, .lockbox = -1 };
    s->staff = prov->user0 + sy_below(&b->rng, prov->n_users);
    s->start = start;
    s->end = start + (int64_t)sy_range(&b->rng, 25, 110) * SY_TICKS_PER_MIN;
    s->msft = !planted && sy_chance(&b->rng, 0.25);
    {
        const char *net = staff_ips[sy_below(&b->rng, 3)];

        snprintf(s->ip, sizeof(s->ip), "%s%u", net, sy_range(&b->rng, 2, 250));
    }
    /* Every session has a request; only the planted one was never approved. */
    lb = &w->lb[w->n_lb];
    *lb = (struct sy_lockbox){ .sub = s->sub };
    sy_guid(&b->rng, lb->id);
    lb->created = start - (int64_t)sy_range(&b->rng, 20, 300) * SY_TICKS_PER_MIN;
    lb->duration_h = 8;
    lb->status = planted ? "Denied" : "Approved";
    support_number(&b->rng, lb->support, sizeof(lb->support));
    lb->justification = justifications[sy_below(&b->rng, (uint32_t)SS_ARRAY_LEN(justifications))];
    if (!planted)
        s->lockbox = (int32_t)w->n_lb;
    w->n_lb++;
    w->n_sess++;
    return 0;
}

/*
 * Whether a benign session starting at @st in tenant @ti would put an approved request
 * (valid for 8 hours from its creation) over the planted session at @planted.
 */
static bool near_planted(const struct sy_world *w, uint32_t ti, int64_t st, int64_t planted)
{
    return ti == w->sc_staff && st > planted - 14 * SY_TICKS_PER_HOUR &&
           st < planted + 4 * SY_TICKS_PER_HOUR;
}

static int build_sessions(struct build *b)
{
    struct sy_world *w = b->w;
    uint32_t per = SS_MAX(1u, w->n_days / 3);
    uint32_t margin = SS_MAX(2u, w->n_hours / 10);
    uint32_t ph = w->n_hours > margin + 1 ? w->n_hours - 1 - margin : 0;
    int64_t planted = w->start + (int64_t)ph * SY_TICKS_PER_HOUR +
                      (int64_t)sy_range(&b->rng, 5, 40) * SY_TICKS_PER_MIN;

    planted += (int64_t)sy_below(&b->rng, 600000000);
    int r;

    for (uint32_t ti = 0; ti < w->n_t; ti++) {
        const struct sy_tenant *t = &w->t[ti];

        if (t->kind == SY_TK_PROVIDER || t->kind == SY_TK_SILO)
            continue;
        for (uint32_t k = 0; k < per; k++) {
            int64_t st = 0;

            for (int tries = 0; tries < 16; tries++) {
                st = rand_time(b, 1, w->n_hours - 2);
                if (!in_gap(w, ti, st, st + 3 * SY_TICKS_PER_HOUR) &&
                    !near_planted(w, ti, st, planted))
                    break;
            }
            if (in_gap(w, ti, st, st + 3 * SY_TICKS_PER_HOUR) || near_planted(w, ti, st, planted))
                continue;
            r = add_session(b, ti, st, false);
            if (r < 0)
                return r;
        }
        /* Some lockbox noise: requests that were denied or expired, with no access. */
        if (sy_chance(&b->rng, 0.3)) {
            struct sy_lockbox *lb;

            if (GROW(b, lb, cap_lb, w->n_lb + 1) < 0)
                return -ENOMEM;
            lb = &w->lb[w->n_lb++];
            *lb = (struct sy_lockbox){ .sub = t->sub0,
                                       .duration_h = 8,
                                       .status = sy_chance(&b->rng, 0.5) ? "Expired" : "Denied" };
            sy_guid(&b->rng, lb->id);
            lb->created = rand_time(b, 0, w->n_hours);
            support_number(&b->rng, lb->support, sizeof(lb->support));
            lb->justification = justifications[0];
        }
    }
    /* The planted one: late in the case, clear of the audit gap. */
    w->staff_sess = (uint32_t)w->n_sess;
    return add_session(b, w->sc_staff, planted, true);
}

static int build_events(struct build *b)
{
    struct sy_world *w = b->w;
    int r = 0;

    /* audit gap */
    r = add_event(b, SY_ST_ACTIVITY, w->gap_sub, w->gap_start, SY_EV_DIAG_DELETE, 0);
    if (r == 0)
        r = add_event(b, SY_ST_ACTIVITY, w->gap_sub, w->gap_end, SY_EV_DIAG_WRITE, 0);
    /* residency: the object replication policy is written */
    if (r == 0)
        r = add_event(b, SY_ST_ACTIVITY, w->r[w->res_src].sub, w->ors_time, SY_EV_ORS_WRITE, 0);
    /* provider-staff sessions */
    for (size_t i = 0; i < w->n_sess && r == 0; i++) {
        const struct sy_session *s = &w->sess[i];
        const struct sy_tenant *t = &w->t[s->tenant];
        uint32_t arg = (uint32_t)i;
        unsigned n_reads = s->planted ? 12 : 3;

        r = add_event(b, SY_ST_SIGNIN, s->tenant, s->start, SY_EV_STAFF_SIGNIN, arg);
        if (r == 0)
            r = add_event(b, SY_ST_AUDIT, s->tenant, s->start + 2 * SY_TICKS_PER_MIN + 1234567,
                          SY_EV_STAFF_PIM, arg);
        for (unsigned k = 0; k < 3 && r == 0; k++)
            r = add_event(b, SY_ST_ACTIVITY, s->sub,
                          s->start + (int64_t)(5 + 6 * k) * SY_TICKS_PER_MIN + 3456789 * k,
                          SY_EV_STAFF_ARM, arg | (k << 24));
        for (unsigned k = 0; k < n_reads && r == 0 && t->app_acct >= 0; k++)
            r = add_event(b, SY_ST_READ, (uint32_t)t->app_acct,
                          s->start + (int64_t)(20 + k) * SY_TICKS_PER_MIN + 7654321 * k,
                          SY_EV_STAFF_READ, arg | (k << 24));
    }
    /* embargoed sign-ins, and the console login from the same address */
    for (size_t i = 0; i < w->n_emb && r == 0; i++) {
        r = add_event(b, SY_ST_SIGNIN, w->sc_embargo, w->emb[i].t, SY_EV_EMBARGO, (uint32_t)i);
        if (r == 0 && i == 0)
            r = add_event(b, SY_ST_CLOUDTRAIL, 2, w->emb[i].t + 17 * SY_TICKS_PER_MIN,
                          SY_EV_CT_EMBARGO, 0);
    }
    if (r < 0)
        return r;
    if (w->n_ev > 1)
        qsort(w->ev, w->n_ev, sizeof(*w->ev), ev_cmp);
    return 0;
}

static int build_scenarios(struct build *b)
{
    struct sy_world *w = b->w;
    int32_t idx;
    char rg[64], name[64];
    int r;

    /* residency: the replica of the EU tenant's app data in East US */
    {
        struct sy_tenant *t = &w->t[w->sc_residency];

        w->res_src = t->app_acct;
        snprintf(rg, sizeof(rg), "rg-%s-dr", t->name);
        storage_name(name, sizeof(name), t->name, "dr01");
        r = add_res(b, t->sub0, SY_RT_STORAGE, SY_SR_REPLICA, rg, name, sy_region_find("eastus"),
                    "Standard_RAGRS", &idx);
        if (r < 0)
            return r;
        w->res_dst = idx;
        w->r[idx].blob_diag = true;
        sy_guid(&b->rng, w->ors_policy);
        w->ors_time = rand_time(b, 1, SS_MAX(2u, w->n_hours / 8));
    }
    /* retention: log account deletes after 7 days, workspace keeps 30 */
    {
        struct sy_tenant *t = &w->t[w->sc_retention];

        w->ret_required_days = 365;
        w->ret_days = 7;
        w->r[t->log_acct].retention_days = 7;
        w->r[t->workspace].retention_days = 30;
        w->ret_cutoff = w->end - (int64_t)w->ret_days * SY_TICKS_PER_DAY;
    }
    /* audit gap: 48 hours (half the span when shorter than three days) */
    {
        const struct sy_tenant *t = &w->t[w->sc_gap];
        uint32_t gap_h = w->n_hours >= 72 ? 48 : SS_MAX(1u, w->n_hours / 2);
        uint32_t g0 = SS_MAX(1u, (w->n_hours - gap_h) / 4);

        w->gap_sub = t->sub0;
        w->gap_start = w->start + (int64_t)g0 * SY_TICKS_PER_HOUR +
                       (int64_t)sy_range(&b->rng, 10, 50) * SY_TICKS_PER_MIN;
        w->gap_start += (int64_t)sy_below(&b->rng, 600000000);
        w->gap_end = w->gap_start + (int64_t)gap_h * SY_TICKS_PER_HOUR +
                     (int64_t)sy_range(&b->rng, 1, 9) * SY_TICKS_PER_MIN;
        w->gap_actor = t->n_users > 1 ? t->user0 + 1 : t->user0;
        snprintf(w->gap_old, sizeof(w->gap_old), "export-activitylog-to-storage");
        snprintf(w->gap_new, sizeof(w->gap_new), "activitylog-archive");
        snprintf(w->s[w->gap_sub].diag_name, sizeof(w->s[w->gap_sub].diag_name), "%s", w->gap_new);
    }
    /* embargo: one user signs in from Iran and Cuba; failed attempts from North Korea */
    {
        const struct sy_tenant *t = &w->t[w->sc_embargo];
        static const struct {
            const char *cc;
            bool ok;
        } plan[] = { { "IR", true }, { "IR", true },  { "KP", false },
                     { "IR", true }, { "KP", false }, { "IR", true },
                     { "CU", true }, { "KP", false }, { "IR", true } };
        uint32_t h0 = w->n_hours / 2, h1 = w->n_hours - 1;
        uint32_t ip_ir = ipv4_embargo(&b->rng, "IR");

        w->emb_user = t->user0 + (t->n_users > 4 ? 4 : t->n_users - 1);
        for (size_t i = 0; i < SS_ARRAY_LEN(plan); i++) {
            struct sy_embargo *e = &w->emb[w->n_emb++];

            e->country = plan[i].cc;
            e->success = plan[i].ok;
            e->ip =
                strcmp(plan[i].cc, "IR") == 0 && i < 4 ? ip_ir : ipv4_embargo(&b->rng, plan[i].cc);
            e->t = rand_time(b, h0 + (uint32_t)((h1 - h0) * i / SS_ARRAY_LEN(plan)),
                             h0 + (uint32_t)((h1 - h0) * (i + 1) / SS_ARRAY_LEN(plan)) + 1);
        }
        /* keep them in time order */
        for (size_t i = 1; i < w->n_emb; i++)
            for (size_t k = i; k > 0 && w->emb[k].t < w->emb[k - 1].t; k--) {
                struct sy_embargo tmp = w->emb[k];

                w->emb[k] = w->emb[k - 1];
                w->emb[k - 1] = tmp;
            }
    }
    return 0;
}

static int build_special(struct build *b)
{
    struct sy_world *w = b->w;
    int32_t idx;
    char name[64];
    int r;

    /* voice archive */
    {
        struct sy_tenant *t = &w->t[w->voice];

        r = add_res(b, t->sub0, SY_RT_STORAGE, SY_SR_VOICE, "rg-vocalis-archive", "stvoicearch01",
                    t->region, "Standard_GRS", &idx);
        if (r < 0)
            return r;
        w->voice_acct = idx;
        w->r[idx].blob_diag = true;
    }
    /* call centre */
    {
        struct sy_tenant *t = &w->t[w->callc];

        r = add_res(b, t->sub0, SY_RT_STORAGE, SY_SR_CALLC, "rg-brightline-contact", "stcallrec01",
                    t->region, "Standard_ZRS", &idx);
        if (r < 0)
            return r;
        w->callc_acct = idx;
        w->r[idx].blob_diag = true;
        w->r[idx].retention_days = 90;
    }
    /* silo: its own little estate, outside the landing zone */
    {
        struct sy_tenant *t = &w->t[w->silo];
        uint32_t si = t->sub0;

        r = add_res(b, si, SY_RT_STORAGE, SY_SR_NONE, "rg-kestrel-core", "stkestreldata01",
                    t->region, "Standard_LRS", &idx);
        if (r == 0)
            r = add_res(b, si, SY_RT_VNET, SY_SR_NONE, "rg-kestrel-core", "vnet-kestrel-core",
                        t->region, NULL, &idx);
        if (r < 0)
            return r;
        w->r[idx].octet = 200;
        t->vnet = idx;
        r = add_res(b, si, SY_RT_ERC, SY_SR_NONE, "rg-kestrel-core", "erc-kestrel-ams", t->region,
                    "Standard_MeteredData", &idx);
        if (r < 0)
            return r;
        w->silo_erc = idx;
        snprintf(name, sizeof(name), "vm-kestrel-gpu01");
        r = add_res(b, si, SY_RT_VM, SY_SR_NONE, "rg-kestrel-core", name, t->region,
                    "Standard_NC24ads_A100_v4", NULL);
        if (r < 0)
            return r;
        /* the external guest who owns it */
        r = add_user(b, w->silo, true);
        if (r < 0)
            return r;
        {
            struct sy_user *g = &w->u[w->n_u - 1];

            g->guest = true;
            snprintf(g->given, sizeof(g->given), "Dmitri");
            snprintf(g->sur, sizeof(g->sur), "Volkov");
            snprintf(g->name, sizeof(g->name), "Dmitri Volkov");
            snprintf(g->upn, sizeof(g->upn), "d.volkov_mailbox.example#EXT#@%s", t->domain);
            w->silo_guest = (uint32_t)(w->n_u - 1);
        }
        w->silo_ra = (uint32_t)w->n_ra;
        r = add_ra(b, si, SY_ROLE_OWNER, "Owner", "User", w->u[w->silo_guest].id);
    }
    return r;
}

int sy_world_build(struct sy_world *w, const struct ss_synth_opts *opts)
{
    struct build b = { .w = w };
    uint32_t ti;
    int r;

    *w = (struct sy_world){ .seed = opts->seed,
                            .n_benign = opts->n_tenants,
                            .n_days = opts->n_days,
                            .silo_erc = -1,
                            .res_src = -1,
                            .res_dst = -1,
                            .voice_acct = -1,
                            .callc_acct = -1 };
    ss_arena_init(&w->arena, WORLD_ARENA_MAX);
    sy_rng_seed(&b.rng, opts->seed, UINT64_C(0x776f726c64)); /* "world" */
    w->n_hours = opts->n_days * 24;
    /* The case starts at midnight UTC on a day of 2024 chosen by the seed. */
    w->start =
        (ss_time_days_from_civil(2024, 1, 1) + (int64_t)sy_below(&b.rng, 300)) * SY_TICKS_PER_DAY;
    w->end = w->start + (int64_t)w->n_hours * SY_TICKS_PER_HOUR;

    /* tenants */
    r = add_tenant(&b, SY_TK_PROVIDER, "meridian", "Meridian Sovereign Cloud",
                   sy_region_find("westeurope"), &w->provider);
    for (uint32_t i = 0; i < w->n_benign && r == 0; i++) {
        const struct sy_name_pair *c = &sy_companies[i % sy_n_companies];
        char name[24], display[96];
        const struct sy_region *reg =
            sy_region_find(home_regions[sy_below(&b.rng, (uint32_t)SS_ARRAY_LEN(home_regions))]);

        if (i < sy_n_companies) {
            snprintf(name, sizeof(name), "%s", c->a);
            snprintf(display, sizeof(display), "%s", c->b);
        } else {
            snprintf(name, sizeof(name), "%s%u", c->a, (unsigned)(i / sy_n_companies + 1));
            snprintf(display, sizeof(display), "%s %u", c->b, (unsigned)(i / sy_n_companies + 1));
        }
        r = add_tenant(&b, SY_TK_BENIGN, name, display, reg, &ti);
    }
    if (r == 0)
        r = add_tenant(&b, SY_TK_VOICE, "vocalis", "Vocalis Contact Analytics",
                       sy_region_find("northeurope"), &w->voice);
    if (r == 0)
        r = add_tenant(&b, SY_TK_CALLC, "brightline", "Brightline Customer Care",
                       sy_region_find("uksouth"), &w->callc);
    if (r == 0)
        r = add_tenant(&b, SY_TK_SILO, "kestrel", "Kestrel Data Labs", sy_region_find("westeurope"),
                       &w->silo);
    if (r < 0)
        goto fail;
    /*
     * Scenario hosts: consecutive benign tenants (distinct while there are at least five).
     * The residency host must be an EU tenant: pin it to West Europe before its estate is
     * laid out.
     */
    w->sc_residency = 1 + sy_below(&b.rng, w->n_benign);
    w->sc_retention = 1 + (w->sc_residency - 1 + 1) % w->n_benign;
    w->sc_gap = 1 + (w->sc_residency - 1 + 2) % w->n_benign;
    w->sc_embargo = 1 + (w->sc_residency - 1 + 3) % w->n_benign;
    w->sc_staff = 1 + (w->sc_residency - 1 + 4) % w->n_benign;
    w->t[w->sc_residency].region = sy_region_find("westeurope");
    w->t[w->sc_residency].country = (uint16_t)sy_country_find("NL");
    w->t[w->sc_residency].egress[0] =
        sy_ipv4_in_country(&b.rng, &sy_countries[w->t[w->sc_residency].country]);
    w->t[w->sc_residency].egress[1] =
        sy_ipv4_in_country(&b.rng, &sy_countries[w->t[w->sc_residency].country]);

    /* subscriptions and people */
    for (ti = 0; ti < w->n_t && r == 0; ti++) {
        struct sy_tenant *t = &w->t[ti];
        uint32_t n_subs = 1, n_users;
        char display[160];

        switch (t->kind) {
        case SY_TK_PROVIDER:
            r = add_sub(&b, ti, "Meridian Platform Management");
            if (r == 0)
                r = add_sub(&b, ti, "Meridian Platform Connectivity");
            n_users = 8;
            break;
        case SY_TK_BENIGN:
            n_subs = sy_range(&b.rng, 1, 3);
            for (uint32_t k = 0; k < n_subs && r == 0; k++) {
                static const char *const env[] = { "Production", "Non-Production", "Sandbox" };

                snprintf(display, sizeof(display), "%s %s", t->display, env[k]);
                r = add_sub(&b, ti, display);
            }
            n_users = (uint32_t)(12 + 40 * t->weight);
            break;
        case SY_TK_VOICE:
            r = add_sub(&b, ti, "Vocalis Production");
            n_users = 10;
            break;
        case SY_TK_CALLC:
            r = add_sub(&b, ti, "Brightline Contact Centre");
            n_users = 16;
            break;
        case SY_TK_SILO:
        default:
            r = add_sub(&b, ti, "Pay-As-You-Go");
            n_users = 3;
            break;
        }
        if (r == 0)
            r = build_people(&b, ti, n_users);
    }
    if (r < 0)
        goto fail;
    for (ti = 0; ti < w->n_t && r == 0; ti++)
        r = build_estate(&b, ti);
    if (r == 0)
        r = build_special(&b);
    for (ti = 0; ti < w->n_t && r == 0; ti++)
        r = build_role_assignments(&b, ti);
    if (r < 0)
        goto fail;
    r = build_scenarios(&b);
    if (r < 0)
        goto fail;
    r = build_sessions(&b);
    if (r == 0)
        r = build_events(&b);
    if (r < 0)
        goto fail;

    /* AWS */
    {
        unsigned lead = sy_range(&b.rng, 1, 9);
        uint64_t rest = sy_next(&b.rng) % UINT64_C(100000000000);

        snprintf(w->aws_acct, sizeof(w->aws_acct), "%u%011" PRIu64, lead, rest);
    }
    w->aws_regions[0] = "eu-west-1";
    w->aws_regions[1] = "eu-central-1";
    w->aws_regions[2] = "us-east-1";
    snprintf(w->aws_bucket, sizeof(w->aws_bucket), "%s-data-%s", w->t[1].name, w->aws_acct);
    snprintf(w->aws_trail_bucket, sizeof(w->aws_trail_bucket), "aws-cloudtrail-logs-%s-%08x",
             w->aws_acct, (unsigned)(sy_next(&b.rng) & 0xffffffffu));
    return 0;
fail:
    sy_world_release(w);
    return r;
}

void sy_world_release(struct sy_world *w)
{
    ss_free(w->t);
    ss_free(w->s);
    ss_free(w->u);
    ss_free(w->sp);
    ss_free(w->r);
    ss_free(w->ra);
    ss_free(w->sess);
    ss_free(w->lb);
    ss_free(w->ev);
    ss_arena_release(&w->arena);
    *w = (struct sy_world){ 0 };
}

size_t sy_world_events(const struct sy_world *w, unsigned stream, uint32_t owner, int64_t t0,
                       int64_t t1, const struct sy_event **ret_first)
{
    size_t lo = 0, hi = w->n_ev, n = 0;
    struct sy_event key = { .t = t0, .owner = owner, .stream = (uint8_t)stream };

    /* lower bound of (stream, owner, t0) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct sy_event *e = &w->ev[mid];
        bool less = e->stream != key.stream ? e->stream < key.stream
                    : e->owner != key.owner ? e->owner < key.owner
                                            : e->t < key.t;

        if (less)
            lo = mid + 1;
        else
            hi = mid;
    }
    while (lo + n < w->n_ev && w->ev[lo + n].stream == stream && w->ev[lo + n].owner == owner &&
           w->ev[lo + n].t < t1)
        n++;
    *ret_first = n > 0 ? &w->ev[lo] : NULL;
    return n;
}

double sy_diurnal(int tz, int64_t t)
{
    static const double shape[24] = { 0.14, 0.12, 0.1, 0.1,  0.12, 0.2,  0.35, 0.6,
                                      0.9,  1.0,  1.0, 0.95, 0.85, 0.95, 1.0,  1.0,
                                      0.9,  0.7,  0.5, 0.4,  0.3,  0.25, 0.2,  0.17 };
    int64_t local = t + (int64_t)tz * SY_TICKS_PER_HOUR;
    unsigned h = (unsigned)(local % SY_TICKS_PER_DAY / SY_TICKS_PER_HOUR);
    unsigned dow = sy_weekday(local);

    return shape[h] * ((dow == 0 || dow == 6) ? 0.3 : 1.0);
}
