/* SPDX-License-Identifier: Apache-2.0 */
/*
 * synth/synth_azlogs.c - implements the Azure log streams of a synthetic case: Activity
 * Log records (Administrative Start/Success pairs, Policy, ResourceHealth, Recommendation)
 * with JWT claims and RBAC evidence, Entra sign-in and audit records, and Storage blob
 * read/write/delete records, in the storage-export shapes of docs/formats.md 1-3.
 *
 * A file holds the planned number of ordinary units at stratified times across its hour
 * (one unit is an operation, a sign-in, an upload...), merged in time order with the
 * world's injected scenario records for that stream, owner and hour.
 */
#include "synth/synth_int.h"

struct ctx {
    const struct sy_world *w;
    const struct sy_file *f;
    struct sy_rng *r;
    struct sy_w *o;
    struct sy_result *res;
    int64_t h0;
};

/* ---- small helpers ---- */

/* A stack-backed writer for short strings (IP addresses, ids). */
struct sbuf {
    char s[640];
    size_t n;
};

static struct sy_w sbuf_w(struct sbuf *b)
{
    return (struct sy_w){
        .base = b->s, .p = b->s, .end = b->s + sizeof(b->s), .fd = -1, .c_day = INT64_MIN
    };
}

static void sbuf_done(struct sbuf *b, const struct sy_w *w)
{
    b->n = (size_t)(w->p - b->s);
    b->s[b->n] = '\0';
}

static void sbuf_cat(struct sbuf *b, const char *s)
{
    size_t n = strlen(s);

    if (b->n + n >= sizeof(b->s))
        n = sizeof(b->s) - 1 - b->n;
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

/* Public address of an Azure-hosted client (build agents, VMs, provider tooling). */
static uint32_t ip_azure(struct sy_rng *r)
{
    static const uint8_t firsts[] = { 20, 40, 51, 52, 13, 4 };

    return sy_ipv4_in(r, firsts, sizeof(firsts));
}

static void fmt_ip4(struct sbuf *b, uint32_t ip)
{
    struct sy_w w = sbuf_w(b);

    sy_put_ipv4(&w, ip);
    sbuf_done(b, &w);
}

/* Where a user connects from: office egress, home broadband, or IPv6. */
static void user_ip(struct ctx *c, const struct sy_user *u, struct sbuf *b)
{
    const struct sy_tenant *t = &c->w->t[u->tenant];
    uint32_t roll = sy_below(c->r, 100);

    if (u->country != t->country) {
        fmt_ip4(b, sy_ipv4_in_country(c->r, &sy_countries[u->country]));
    } else if (roll < 62) {
        fmt_ip4(b, t->egress[roll & 1]);
    } else if (roll < 88) {
        fmt_ip4(b, sy_ipv4_in_country(c->r, &sy_countries[u->country]));
    } else {
        uint16_t words[8] = { 0x2001, 0x0db8, t->ip6[0] };
        struct sy_w w = sbuf_w(b);

        for (size_t i = 3; i < 8; i++)
            words[i] = (uint16_t)sy_range(c->r, 0x100, 0xffff);
        sy_put_ipv6(&w, words);
        sbuf_done(b, &w);
    }
}

static const struct sy_user *pick_user(struct ctx *c, const struct sy_tenant *t)
{
    return &c->w->u[t->user0 + sy_below(c->r, t->n_users)];
}

/* A resource of @type in subscription @si, or NULL. */
static const struct sy_res *pick_res(struct ctx *c, uint32_t si, enum sy_rtype type)
{
    const struct sy_sub *s = &c->w->s[si];
    const struct sy_res *found = NULL;
    uint32_t seen = 0;

    for (uint32_t i = 0; i < s->n_res; i++) {
        const struct sy_res *res = &c->w->r[s->res0 + i];

        if (res->type == type && sy_below(c->r, ++seen) == 0)
            found = res;
    }
    return found;
}

/* Values that must repeat across records (key and token hashes, assignment ids). */
static void put_stable_hex(struct ctx *c, uint64_t a, uint64_t b, size_t n)
{
    struct sy_rng r;

    sy_rng_seed(&r, c->w->seed ^ a, b);
    sy_put_hex(c->o, &r, n, true);
}

static void stable_guid(const struct sy_world *w, uint64_t a, uint64_t b, char out[37])
{
    struct sy_rng r;

    sy_rng_seed(&r, w->seed ^ a, b);
    sy_guid(&r, out);
}

static const char *storage_display(const struct sy_res *acct)
{
    return acct->loc->display;
}

/* ---- Activity Log ---- */

enum caller_kind { CALLER_USER, CALLER_SP, CALLER_STAFF };

struct caller {
    enum caller_kind kind;
    const struct sy_user *u;
    const struct sy_sp *sp;
    const struct sy_tenant *home; /* token issuer */
    const char *role_name;
    const char *role_id;
    const char *ra_id;
    const char *ptype;
    const char *appid;
    struct sbuf ip;
};

static void caller_for_user(struct ctx *c, uint32_t si, uint32_t user_index, struct caller *cl)
{
    const struct sy_sub *s = &c->w->s[si];
    const struct sy_tenant *t = &c->w->t[s->tenant];
    uint32_t k = user_index - t->user0;
    const struct sy_ra *ra = &c->w->ra[s->ra0 + (k < 3 ? k : 0)];
    static const char *const apps[] = { SY_APP_PORTAL, SY_APP_PORTAL, SY_APP_CLI,
                                        "1950a258-227b-4e31-a9cf-717495945fc2" };

    *cl = (struct caller){ .kind = CALLER_USER,
                           .u = &c->w->u[user_index],
                           .home = t,
                           .role_name = ra->role_name,
                           .role_id = ra->role_id,
                           .ra_id = ra->id,
                           .ptype = "User",
                           .appid = apps[sy_below(c->r, 4)] };
    user_ip(c, cl->u, &cl->ip);
}

static void caller_for_sp(struct ctx *c, uint32_t si, uint32_t k, struct caller *cl)
{
    const struct sy_sub *s = &c->w->s[si];
    const struct sy_tenant *t = &c->w->t[s->tenant];
    const struct sy_ra *ra = &c->w->ra[s->ra0 + 3 + k];

    *cl = (struct caller){ .kind = CALLER_SP,
                           .sp = &c->w->sp[t->sp0 + k],
                           .home = t,
                           .role_name = ra->role_name,
                           .role_id = ra->role_id,
                           .ra_id = ra->id,
                           .ptype = "ServicePrincipal" };
    cl->appid = cl->sp->app_id;
    fmt_ip4(&cl->ip, ip_azure(c->r));
}

static void put_claims(struct ctx *c, const struct caller *cl, int64_t t)
{
    struct sy_w *o = c->o;
    int64_t iat = t - (int64_t)sy_below(c->r, 3000) * SY_TICKS_PER_SEC;

    SY_LIT(o, "\"claims\":{\"aud\":\"https://management.core.windows.net/\",\"iss\":\"https://"
              "sts.windows.net/");
    sy_puts(o, cl->home->id);
    SY_LIT(o, "/\",\"iat\":\"");
    sy_put_epoch(o, iat);
    SY_LIT(o, "\",\"nbf\":\"");
    sy_put_epoch(o, iat);
    SY_LIT(o, "\",\"exp\":\"");
    sy_put_epoch(o, iat + (int64_t)(3900 + sy_below(c->r, 1200)) * SY_TICKS_PER_SEC);
    if (cl->kind == CALLER_SP) {
        SY_LIT(o, "\",\"aio\":\"");
        sy_put_alnum(o, c->r, 56, false);
        SY_LIT(o, "\",\"appid\":\"");
        sy_puts(o, cl->appid);
        SY_LIT(o, "\",\"appidacr\":\"2\",\"http://schemas.microsoft.com/identity/claims/"
                  "identityprovider\":\"https://sts.windows.net/");
        sy_puts(o, cl->home->id);
        SY_LIT(o, "/\",\"idtyp\":\"app\",\"http://schemas.microsoft.com/identity/claims/"
                  "objectidentifier\":\"");
        sy_puts(o, cl->sp->obj_id);
        SY_LIT(o, "\",\"rh\":\"0.AQ");
        sy_put_alnum(o, c->r, 40, true);
        SY_LIT(o, ".\",\"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"
                  "nameidentifier\":\"");
        sy_puts(o, cl->sp->obj_id);
        SY_LIT(o, "\",\"http://schemas.microsoft.com/identity/claims/tenantid\":\"");
        sy_puts(o, cl->home->id);
        SY_LIT(o, "\",\"uti\":\"");
        sy_put_alnum(o, c->r, 22, true);
        SY_LIT(o, "\",\"ver\":\"1.0\",\"xms_tcdt\":\"1589367271\"}");
        return;
    }
    SY_LIT(o, "\",\"http://schemas.microsoft.com/claims/authnclassreference\":\"1\",\"aio\":\"");
    sy_put_alnum(o, c->r, 64, false);
    SY_LIT(o, "\",\"http://schemas.microsoft.com/claims/authnmethodsreferences\":\"");
    if (cl->kind == CALLER_STAFF || sy_chance(c->r, 0.7))
        SY_LIT(o, "pwd,mfa");
    else
        SY_LIT(o, "pwd");
    SY_LIT(o, "\",\"appid\":\"");
    sy_puts(o, cl->appid);
    SY_LIT(o, "\",\"appidacr\":\"0\",\"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"
              "surname\":\"");
    sy_puts(o, cl->u->sur);
    SY_LIT(o, "\",\"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname\":\"");
    sy_puts(o, cl->u->given);
    if (cl->kind == CALLER_STAFF) {
        SY_LIT(o, "\",\"http://schemas.microsoft.com/identity/claims/identityprovider\":\"https:"
                  "//sts.windows.net/");
        sy_puts(o, cl->home->id);
        sy_putc(o, '/');
    }
    SY_LIT(o, "\",\"ipaddr\":\"");
    sy_put(o, cl->ip.s, cl->ip.n);
    SY_LIT(o, "\",\"name\":\"");
    sy_puts(o, cl->u->name);
    SY_LIT(o, "\",\"http://schemas.microsoft.com/identity/claims/objectidentifier\":\"");
    sy_puts(o, cl->u->id);
    SY_LIT(o, "\",\"puid\":\"");
    sy_puts(o, cl->u->puid);
    SY_LIT(o, "\",\"rh\":\"0.AQ");
    sy_put_alnum(o, c->r, 40, true);
    SY_LIT(o, ".\",\"http://schemas.microsoft.com/identity/claims/scope\":\"user_impersonation\","
              "\"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier\":\"");
    sy_put_alnum(o, c->r, 43, true);
    SY_LIT(o, "\",\"http://schemas.microsoft.com/identity/claims/tenantid\":\"");
    sy_puts(o, cl->home->id);
    SY_LIT(o, "\",\"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name\":\"");
    sy_puts(o, cl->u->upn);
    SY_LIT(o, "\",\"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn\":\"");
    sy_puts(o, cl->u->upn);
    SY_LIT(o, "\",\"uti\":\"");
    sy_put_alnum(o, c->r, 22, true);
    SY_LIT(o, "\",\"ver\":\"1.0\",\"wids\":\"b79fbf4d-3ef9-4689-8143-76b194e85509\","
              "\"xms_tcdt\":\"1589367271\"}");
}

static void put_hierarchy(struct ctx *c, uint32_t si)
{
    const struct sy_sub *s = &c->w->s[si];
    const struct sy_tenant *t = &c->w->t[s->tenant];
    struct sy_w *o = c->o;

    sy_puts(o, t->id);
    for (unsigned level = 0; t->governed && level < 3; level++) {
        sy_putc(o, '/');
        sy_put_mg(o, t, level);
    }
    sy_putc(o, '/');
    sy_puts(o, s->id);
}

struct admin_op {
    int64_t t;
    uint32_t sub;
    const char *op;        /* ARM casing */
    const char *target;    /* ARM casing */
    const char *result;    /* Start, Success, Failure */
    const char *signature; /* Started., Succeeded.OK, ... */
    const char *status;    /* statusCode or NULL (Start) */
    const char *corr;
    const char *requestbody; /* JSON-escaped string content, or NULL */
};

/* One Administrative record. */
static int emit_admin(struct ctx *c, const struct caller *cl, const struct admin_op *a)
{
    struct sy_w *o = c->o;
    int r = sy_w_reserve(o, SY_REC_MAX);

    if (r < 0)
        return r;
    SY_LIT(o, "{\"time\":\"");
    sy_put_t7(o, a->t);
    SY_LIT(o, "\",\"resourceId\":\"");
    sy_put_upper(o, a->target);
    SY_LIT(o, "\",\"operationName\":\"");
    sy_put_upper(o, a->op);
    SY_LIT(o, "\",\"category\":\"Administrative\",\"resultType\":\"");
    sy_puts(o, a->result);
    SY_LIT(o, "\",\"resultSignature\":\"");
    sy_puts(o, a->signature);
    SY_LIT(o, "\",\"durationMs\":0,\"callerIpAddress\":\"");
    sy_put(o, cl->ip.s, cl->ip.n);
    SY_LIT(o, "\",\"correlationId\":\"");
    sy_puts(o, a->corr);
    SY_LIT(o, "\",\"identity\":{\"authorization\":{\"scope\":\"");
    sy_puts(o, a->target);
    SY_LIT(o, "\",\"action\":\"");
    sy_puts(o, a->op);
    SY_LIT(o, "\",\"evidence\":{\"role\":\"");
    sy_puts(o, cl->role_name);
    SY_LIT(o, "\",\"roleAssignmentScope\":\"/subscriptions/");
    sy_puts(o, c->w->s[a->sub].id);
    SY_LIT(o, "\",\"roleAssignmentId\":\"");
    sy_put_guid_nodash(o, cl->ra_id);
    SY_LIT(o, "\",\"roleDefinitionId\":\"");
    sy_put_guid_nodash(o, cl->role_id);
    SY_LIT(o, "\",\"principalId\":\"");
    sy_put_guid_nodash(o, cl->kind == CALLER_SP ? cl->sp->obj_id : cl->u->id);
    SY_LIT(o, "\",\"principalType\":\"");
    sy_puts(o, cl->ptype);
    SY_LIT(o, "\"}},");
    put_claims(c, cl, a->t);
    SY_LIT(o, "},\"level\":\"");
    if (strcmp(a->result, "Failure") == 0)
        SY_LIT(o, "Error");
    else
        SY_LIT(o, "Information");
    SY_LIT(o, "\",\"location\":\"global\",\"properties\":{");
    if (a->status != NULL) {
        SY_LIT(o, "\"statusCode\":\"");
        sy_puts(o, a->status);
        SY_LIT(o, "\",\"serviceRequestId\":");
        if (sy_chance(c->r, 0.5)) {
            sy_putc(o, '"');
            sy_put_guid(o, c->r);
            sy_putc(o, '"');
        } else {
            SY_LIT(o, "null");
        }
        sy_putc(o, ',');
    }
    if (a->requestbody != NULL) {
        SY_LIT(o, "\"requestbody\":\"");
        sy_puts(o, a->requestbody);
        SY_LIT(o, "\",");
    }
    SY_LIT(o, "\"eventCategory\":\"Administrative\",\"entity\":\"");
    sy_puts(o, a->target);
    SY_LIT(o, "\",\"message\":\"");
    sy_puts(o, a->op);
    SY_LIT(o, "\",\"hierarchy\":\"");
    put_hierarchy(c, a->sub);
    SY_LIT(o, "\"}}\n");
    c->res->records++;
    return 0;
}

/* Start + Success (or Failure) of one operation. */
static int emit_admin_pair(struct ctx *c, const struct caller *cl, struct admin_op *a,
                           const char *ok_sig, const char *ok_status, bool fail)
{
    char corr[37];
    int r;

    sy_guid(c->r, corr);
    a->corr = corr;
    a->result = "Start";
    a->signature = "Started.";
    a->status = NULL;
    r = emit_admin(c, cl, a);
    if (r < 0)
        return r;
    /* the outcome follows within seconds, but never leaves the hour's blob */
    a->t = SS_MIN(a->t + (int64_t)sy_range(c->r, 2000000, 90000000), c->h0 + SY_TICKS_PER_HOUR - 1);
    a->requestbody = NULL;
    if (fail) {
        bool conflict = sy_chance(c->r, 0.6);

        a->result = "Failure";
        a->signature = conflict ? "Failed.Conflict" : "Failed.BadRequest";
        a->status = conflict ? "Conflict" : "BadRequest";
    } else {
        a->result = "Success";
        a->signature = ok_sig;
        a->status = ok_status;
    }
    return emit_admin(c, cl, a);
}

enum target_kind {
    TG_STORAGE,
    TG_VM,
    TG_VM_EXT,
    TG_VAULT,
    TG_NSG_RULE,
    TG_DEPLOY,
    TG_ROLEASSIGN,
    TG_WORKSPACE,
    TG_VNET,
};

enum op_kind { OK_ADMIN, OK_POLICY, OK_HEALTH, OK_ADVISOR };

struct act_op {
    const char *op;
    enum target_kind target;
    enum op_kind kind;
    int caller; /* 0 admin user, 1 deploy SP, 2 monitoring SP */
    unsigned weight;
    const char *ok_sig;
    const char *ok_status;
};

static const struct act_op act_ops[] = {
    { "Microsoft.Storage/storageAccounts/listKeys/action", TG_STORAGE, OK_ADMIN, 2, 30,
      "Succeeded.OK", "OK" },
    { "Microsoft.Compute/virtualMachines/write", TG_VM, OK_ADMIN, 1, 8, "Succeeded.OK", "OK" },
    { "Microsoft.Compute/virtualMachines/start/action", TG_VM, OK_ADMIN, 0, 4, "Succeeded.Accepted",
      "Accepted" },
    { "Microsoft.Compute/virtualMachines/deallocate/action", TG_VM, OK_ADMIN, 0, 3,
      "Succeeded.Accepted", "Accepted" },
    { "Microsoft.Compute/virtualMachines/restart/action", TG_VM, OK_ADMIN, 0, 2,
      "Succeeded.Accepted", "Accepted" },
    { "Microsoft.Compute/virtualMachines/extensions/write", TG_VM_EXT, OK_ADMIN, 1, 3,
      "Succeeded.Created", "Created" },
    { "Microsoft.Resources/deployments/write", TG_DEPLOY, OK_ADMIN, 1, 8, "Succeeded.Created",
      "Created" },
    { "Microsoft.Network/networkSecurityGroups/securityRules/write", TG_NSG_RULE, OK_ADMIN, 0, 3,
      "Succeeded.Created", "Created" },
    { "Microsoft.KeyVault/vaults/write", TG_VAULT, OK_ADMIN, 1, 2, "Succeeded.OK", "OK" },
    { "Microsoft.Storage/storageAccounts/write", TG_STORAGE, OK_ADMIN, 1, 3, "Succeeded.OK", "OK" },
    { "Microsoft.OperationalInsights/workspaces/sharedKeys/action", TG_WORKSPACE, OK_ADMIN, 1, 3,
      "Succeeded.OK", "OK" },
    { "Microsoft.Authorization/roleAssignments/write", TG_ROLEASSIGN, OK_ADMIN, 0, 1,
      "Succeeded.Created", "Created" },
    { "Microsoft.Network/virtualNetworks/write", TG_VNET, OK_ADMIN, 1, 1, "Succeeded.OK", "OK" },
    { "Microsoft.Authorization/policies/audit/action", TG_STORAGE, OK_POLICY, 1, 7, NULL, NULL },
    { "Microsoft.Resourcehealth/healthevent/Activated/action", TG_VM, OK_HEALTH, 0, 1, NULL, NULL },
    { "Microsoft.Advisor/recommendations/available/action", TG_VM, OK_ADVISOR, 0, 1, NULL, NULL },
};

static const struct act_op *pick_act_op(struct ctx *c)
{
    unsigned total = 0, roll;

    for (size_t i = 0; i < SS_ARRAY_LEN(act_ops); i++)
        total += act_ops[i].weight;
    roll = sy_below(c->r, total);
    for (size_t i = 0; i < SS_ARRAY_LEN(act_ops); i++) {
        if (roll < act_ops[i].weight)
            return &act_ops[i];
        roll -= act_ops[i].weight;
    }
    return &act_ops[0];
}

static const char *const nsg_rules[] = { "Allow-HTTPS-Inbound", "Allow-AzureLoadBalancer",
                                         "Deny-All-Inbound", "Allow-Bastion-SSH",
                                         "Allow-AppGateway" };
static const char *const vm_exts[] = { "AzureMonitorLinuxAgent", "MDE.Linux", "AzurePolicyforLinux",
                                       "CustomScript" };

/* The target id (ARM casing) of @op in subscription @si; false when none fits. */
static bool build_target(struct ctx *c, uint32_t si, enum target_kind tk, int64_t t,
                         struct sbuf *id)
{
    const struct sy_res *res = NULL;
    struct sy_w w;

    id->n = 0;
    id->s[0] = '\0';
    switch (tk) {
    case TG_STORAGE:
        res = pick_res(c, si, SY_RT_STORAGE);
        break;
    case TG_VM:
    case TG_VM_EXT:
        res = pick_res(c, si, SY_RT_VM);
        break;
    case TG_VAULT:
        res = pick_res(c, si, SY_RT_KEYVAULT);
        break;
    case TG_NSG_RULE:
        res = pick_res(c, si, SY_RT_NSG);
        break;
    case TG_WORKSPACE:
        res = pick_res(c, si, SY_RT_WORKSPACE);
        break;
    case TG_VNET:
        res = pick_res(c, si, SY_RT_VNET);
        break;
    case TG_DEPLOY:
        res = pick_res(c, si, SY_RT_STORAGE);
        if (res == NULL)
            return false;
        w = sbuf_w(id);
        SY_LIT(&w, "/subscriptions/");
        sy_puts(&w, c->w->s[si].id);
        SY_LIT(&w, "/resourceGroups/");
        sy_puts(&w, res->rg);
        SY_LIT(&w, "/providers/Microsoft.Resources/deployments/");
        if (sy_chance(c->r, 0.5)) {
            SY_LIT(&w, "main-");
            sy_put_u64(&w, (uint64_t)(t / SY_TICKS_PER_SEC));
        } else {
            SY_LIT(&w, "Microsoft.Template-");
            sy_put_u64(&w, (uint64_t)(t / SY_TICKS_PER_SEC) % 100000000);
        }
        sbuf_done(id, &w);
        return true;
    case TG_ROLEASSIGN:
        w = sbuf_w(id);
        SY_LIT(&w, "/subscriptions/");
        sy_puts(&w, c->w->s[si].id);
        SY_LIT(&w, "/providers/Microsoft.Authorization/roleAssignments/");
        sy_put_guid(&w, c->r);
        sbuf_done(id, &w);
        return true;
    }
    if (res == NULL)
        return false;
    sbuf_cat(id, res->id);
    if (tk == TG_NSG_RULE) {
        sbuf_cat(id, "/securityRules/");
        sbuf_cat(id, nsg_rules[sy_below(c->r, (uint32_t)SS_ARRAY_LEN(nsg_rules))]);
    } else if (tk == TG_VM_EXT) {
        sbuf_cat(id, "/extensions/");
        sbuf_cat(id, vm_exts[sy_below(c->r, (uint32_t)SS_ARRAY_LEN(vm_exts))]);
    }
    return true;
}

static int emit_policy(struct ctx *c, const struct caller *cl, uint32_t si, const char *target,
                       int64_t t)
{
    struct sy_w *o = c->o;
    const struct sy_res *res = pick_res(c, si, SY_RT_STORAGE);
    int r = sy_w_reserve(o, SY_REC_MAX);

    if (r < 0)
        return r;
    SY_LIT(o, "{\"time\":\"");
    sy_put_t7(o, t);
    SY_LIT(o, "\",\"resourceId\":\"");
    sy_put_upper(o, target);
    SY_LIT(o, "\",\"operationName\":\"MICROSOFT.AUTHORIZATION/POLICIES/AUDIT/ACTION\","
              "\"category\":\"Policy\",\"resultType\":\"Success\",\"resultSignature\":\"\","
              "\"durationMs\":0,\"callerIpAddress\":\"");
    sy_put(o, cl->ip.s, cl->ip.n);
    SY_LIT(o, "\",\"correlationId\":\"");
    sy_put_guid(o, c->r);
    SY_LIT(o, "\",\"identity\":{");
    put_claims(c, cl, t);
    SY_LIT(o, "},\"level\":\"Warning\",\"location\":\"global\",\"properties\":{"
              "\"isComplianceCheck\":\"False\",\"resourceLocation\":\"");
    sy_puts(o, res != NULL ? res->loc->name : "westeurope");
    SY_LIT(o, "\",\"ancestors\":\"");
    for (unsigned level = 3; level-- > 0;) {
        sy_put_mg(o, cl->home, level);
        sy_putc(o, ',');
    }
    sy_puts(o, cl->home->id);
    SY_LIT(o,
           "\",\"policies\":\"[{\\\"policyDefinitionId\\\":\\\"/providers/"
           "Microsoft.Authorization/policyDefinitions/" SY_POLDEF_SECURE_TRANSFER
           "/\\\",\\\"policySetDefinitionId\\\":\\\"/providers/Microsoft.Authorization/"
           "policySetDefinitions/" SY_POLSET_BENCH "/\\\",\\\"policyDefinitionReferenceId\\\":"
           "\\\"secureTransferToStorageAccountMonitoring\\\",\\\"policySetDefinitionName\\\":"
           "\\\"" SY_POLSET_BENCH "\\\",\\\"policyDefinitionName\\\":\\\"" SY_POLDEF_SECURE_TRANSFER
           "\\\",\\\"policyDefinitionEffect\\\":\\\"Audit\\\",\\\"policyAssignmentId\\\":"
           "\\\"/providers/Microsoft.Management/managementGroups/");
    sy_put_mg(o, cl->home, 0);
    SY_LIT(o, "/providers/Microsoft.Authorization/policyAssignments/" SY_PA_BENCH
              "/\\\",\\\"policyAssignmentName\\\":\\\"" SY_PA_BENCH "\\\",\\\"policyAssignmentScope"
              "\\\":\\\"/providers/Microsoft.Management/managementGroups/");
    sy_put_mg(o, cl->home, 0);
    SY_LIT(o, "\\\",\\\"policyAssignmentParameters\\\":{},\\\"policyExemptionIds\\\":[]}]\","
              "\"eventCategory\":\"Policy\",\"entity\":\"");
    sy_puts(o, target);
    SY_LIT(o, "\",\"message\":\"Microsoft.Authorization/policies/audit/action\",\"hierarchy\":\"");
    put_hierarchy(c, si);
    SY_LIT(o, "\"}}\n");
    c->res->records++;
    return 0;
}

static int emit_health(struct ctx *c, const char *target, int64_t t, bool advisor)
{
    struct sy_w *o = c->o;
    int r = sy_w_reserve(o, SY_REC_MAX);

    if (r < 0)
        return r;
    SY_LIT(o, "{\"time\":\"");
    sy_put_t7(o, t);
    SY_LIT(o, "\",\"resourceId\":\"");
    sy_put_upper(o, target);
    if (advisor) {
        SY_LIT(o, "\",\"operationName\":\"MICROSOFT.ADVISOR/RECOMMENDATIONS/AVAILABLE/ACTION\","
                  "\"category\":\"Recommendation\",\"resultType\":\"Succeeded\","
                  "\"resultSignature\":\"\",\"durationMs\":0,\"correlationId\":\"");
        sy_put_guid(o, c->r);
        SY_LIT(o, "\",\"level\":\"Information\",\"location\":\"global\",\"properties\":{"
                  "\"recommendationSchemaVersion\":\"1.0\",\"recommendationCategory\":\"Cost\","
                  "\"recommendationImpact\":\"Medium\",\"recommendationName\":\"Right-size or "
                  "shutdown underutilized virtual machines\",\"recommendationResourceLink\":"
                  "\"https://portal.azure.com/#blade/Microsoft_Azure_Expert/"
                  "RecommendationListBlade/source/ActivityLog/recommendationTypeId/"
                  "e10b1381-5f0a-47ff-8c7b-37bd13d7c974\",\"recommendationType\":"
                  "\"e10b1381-5f0a-47ff-8c7b-37bd13d7c974\",\"eventCategory\":"
                  "\"Recommendation\"}}\n");
    } else {
        SY_LIT(o, "\",\"operationName\":\"MICROSOFT.RESOURCEHEALTH/HEALTHEVENT/ACTIVATED/"
                  "ACTION\",\"category\":\"ResourceHealth\",\"resultType\":\"Active\","
                  "\"resultSignature\":\"\",\"durationMs\":0,\"correlationId\":\"");
        sy_put_guid(o, c->r);
        SY_LIT(o, "\",\"level\":\"Critical\",\"location\":\"global\",\"properties\":{"
                  "\"eventCategory\":\"ResourceHealth\",\"eventProperties\":{\"title\":"
                  "\"Rebooted by user\",\"details\":null,\"currentHealthStatus\":\"Unavailable\","
                  "\"previousHealthStatus\":\"Available\",\"type\":\"Downtime\",\"cause\":"
                  "\"UserInitiated\"}}}\n");
    }
    c->res->records++;
    return 0;
}

/* One ordinary unit of subscription activity. */
static int activity_unit(struct ctx *c, int64_t t)
{
    uint32_t si = c->f->owner;
    const struct sy_tenant *tn = &c->w->t[c->w->s[si].tenant];
    const struct act_op *op = pick_act_op(c);
    struct sbuf target;
    struct caller cl;
    struct admin_op a;

    if (!build_target(c, si, op->target, t, &target)) {
        op = &act_ops[0];
        if (!build_target(c, si, op->target, t, &target))
            return 0;
    }
    if (op->caller == 0)
        caller_for_user(c, si, tn->user0 + sy_below(c->r, 3), &cl);
    else
        caller_for_sp(c, si, op->caller == 1 ? 0 : 1, &cl);
    switch (op->kind) {
    case OK_POLICY:
        return emit_policy(c, &cl, si, target.s, t);
    case OK_HEALTH:
        return emit_health(c, target.s, t, false);
    case OK_ADVISOR:
        return emit_health(c, target.s, t, true);
    case OK_ADMIN:
    default:
        a = (struct admin_op){ .t = t, .sub = si, .op = op->op, .target = target.s };
        return emit_admin_pair(c, &cl, &a, op->ok_sig, op->ok_status, sy_chance(c->r, 0.03));
    }
}

static const char *const staff_ops[] = {
    "Microsoft.Storage/storageAccounts/listKeys/action",
    "Microsoft.Compute/virtualMachines/runCommand/action",
    "Microsoft.Storage/storageAccounts/listServiceSas/action",
};

static void caller_for_staff(struct ctx *c, const struct sy_session *s, struct caller *cl)
{
    const struct sy_tenant *prov = &c->w->t[c->w->provider];

    *cl = (struct caller){ .kind = CALLER_STAFF,
                           .u = &c->w->u[s->staff],
                           .home = prov,
                           .role_name = "Contributor",
                           .role_id = SY_ROLE_CONTRIBUTOR,
                           .ptype = "User",
                           .appid = SY_APP_PORTAL };
    cl->ip.n = strlen(s->ip);
    memcpy(cl->ip.s, s->ip, cl->ip.n + 1);
}

static int activity_event(struct ctx *c, const struct sy_event *e)
{
    const struct sy_world *w = c->w;
    uint32_t si = e->owner;
    const struct sy_tenant *tn = &w->t[w->s[si].tenant];
    struct sbuf target, body;
    struct caller cl;
    struct admin_op a = { .t = e->t, .sub = si };
    struct sy_w bw;
    char ra[37];
    int r;

    switch (e->kind) {
    case SY_EV_DIAG_DELETE:
    case SY_EV_DIAG_WRITE: {
        bool del = e->kind == SY_EV_DIAG_DELETE;
        const struct sy_res *logs = &w->r[tn->log_acct];

        caller_for_user(c, si, w->gap_actor, &cl);
        target.n = 0;
        target.s[0] = '\0';
        sbuf_cat(&target, "/subscriptions/");
        sbuf_cat(&target, w->s[si].id);
        sbuf_cat(&target, "/providers/microsoft.insights/diagnosticSettings/");
        sbuf_cat(&target, del ? w->gap_old : w->gap_new);
        a.op = del ? "Microsoft.Insights/diagnosticSettings/delete"
                   : "Microsoft.Insights/diagnosticSettings/write";
        a.target = target.s;
        if (!del) {
            bw = sbuf_w(&body);
            SY_LIT(&bw, "{\\\"properties\\\":{\\\"storageAccountId\\\":\\\"");
            sy_puts(&bw, logs->id);
            SY_LIT(&bw, "\\\",\\\"logs\\\":[{\\\"category\\\":\\\"Administrative\\\",\\\"enabled"
                        "\\\":true},{\\\"category\\\":\\\"Security\\\",\\\"enabled\\\":true},{\\\""
                        "category\\\":\\\"Policy\\\",\\\"enabled\\\":true}]}}");
            sbuf_done(&body, &bw);
            a.requestbody = body.s;
        }
        return emit_admin_pair(c, &cl, &a, "Succeeded.OK", "OK", false);
    }
    case SY_EV_ORS_WRITE: {
        const struct sy_res *src = &w->r[w->res_src], *dst = &w->r[w->res_dst];

        caller_for_user(c, si, tn->user0, &cl);
        for (int k = 0; k < 2; k++) {
            const struct sy_res *acct = k == 0 ? dst : src;

            target.n = 0;
            target.s[0] = '\0';
            sbuf_cat(&target, acct->id);
            sbuf_cat(&target, "/objectReplicationPolicies/");
            sbuf_cat(&target, k == 0 ? "default" : w->ors_policy);
            bw = sbuf_w(&body);
            SY_LIT(&bw, "{\\\"properties\\\":{\\\"sourceAccount\\\":\\\"");
            sy_puts(&bw, src->id);
            SY_LIT(&bw, "\\\",\\\"destinationAccount\\\":\\\"");
            sy_puts(&bw, dst->id);
            SY_LIT(&bw, "\\\",\\\"rules\\\":[{\\\"sourceContainer\\\":\\\"data\\\",\\\""
                        "destinationContainer\\\":\\\"data-replica\\\"}]}}");
            sbuf_done(&body, &bw);
            a = (struct admin_op){ .t = SS_MIN(e->t + k * 41 * SY_TICKS_PER_SEC,
                                               c->h0 + SY_TICKS_PER_HOUR - 1),
                                   .sub = si,
                                   .op = "Microsoft.Storage/storageAccounts/"
                                         "objectReplicationPolicies/write",
                                   .target = target.s,
                                   .requestbody = body.s };
            r = emit_admin_pair(c, &cl, &a, "Succeeded.OK", "OK", false);
            if (r < 0)
                return r;
        }
        return 0;
    }
    case SY_EV_STAFF_ARM: {
        const struct sy_session *s = &w->sess[e->arg & 0xffffff];
        unsigned k = e->arg >> 24;
        const struct sy_res *res =
            k == 1 ? pick_res(c, si, SY_RT_VM) : (tn->app_acct >= 0 ? &w->r[tn->app_acct] : NULL);

        if (res == NULL)
            res = pick_res(c, si, SY_RT_STORAGE);
        if (res == NULL)
            return 0;
        caller_for_staff(c, s, &cl);
        {
            /* Delegated (Lighthouse) access: the assignment id is stable per tenant. */
            struct sy_rng rr;

            sy_rng_seed(&rr, w->seed, sy_mix(0x6c69676874, s->tenant));
            sy_guid(&rr, ra);
            cl.ra_id = ra;
        }
        a.op = staff_ops[k % SS_ARRAY_LEN(staff_ops)];
        a.target = res->id;
        return emit_admin_pair(c, &cl, &a, k == 1 ? "Succeeded.Accepted" : "Succeeded.OK",
                               k == 1 ? "Accepted" : "OK", false);
    }
    default:
        return 0;
    }
}

/* ---- Entra sign-ins ---- */

struct signin {
    int64_t t;
    const struct sy_user *u;
    const struct sy_tenant *res_tenant; /* where the sign-in is logged */
    const struct sy_tenant *home;
    const struct sy_app *app;
    const struct sy_ua *ua;
    const struct sy_country *where;
    struct sbuf ip;
    unsigned error; /* 0 = success */
    const char *cross;
    bool risky;
    bool mfa;
};

static const char *error_text(unsigned code)
{
    switch (code) {
    case 50126:
        return "Error validating credentials due to invalid username or password.";
    case 50074:
        return "Strong Authentication is required.";
    case 50140:
        return "This error occurred due to 'Keep me signed in' interrupt when the user was "
               "signing in.";
    case 53003:
        return "Access has been blocked by Conditional Access policies. The access policy does "
               "not allow token issuance.";
    case 500121:
        return "Authentication failed during strong authentication request.";
    default:
        return "";
    }
}

static int emit_signin(struct ctx *c, const struct signin *s)
{
    struct sy_w *o = c->o;
    const char *tid = s->res_tenant->id;
    char corr[37];
    int r = sy_w_reserve(o, SY_REC_MAX);

    if (r < 0)
        return r;
    sy_guid(c->r, corr);
    SY_LIT(o, "{\"time\":\"");
    sy_put_t7(o, s->t);
    SY_LIT(o, "\",\"resourceId\":\"/tenants/");
    sy_puts(o, tid);
    SY_LIT(o, "/providers/Microsoft.aadiam\",\"operationName\":\"Sign-in activity\","
              "\"operationVersion\":\"1.0\",\"category\":\"SignInLogs\",\"tenantId\":\"");
    sy_puts(o, tid);
    SY_LIT(o, "\",\"resultType\":\"");
    sy_put_u64(o, s->error);
    SY_LIT(o, "\",\"resultSignature\":\"None\",");
    if (s->error != 0) {
        SY_LIT(o, "\"resultDescription\":\"");
        sy_puts(o, error_text(s->error));
        SY_LIT(o, "\",");
    }
    SY_LIT(o, "\"durationMs\":0,\"callerIpAddress\":\"");
    sy_put(o, s->ip.s, s->ip.n);
    SY_LIT(o, "\",\"correlationId\":\"");
    sy_puts(o, corr);
    SY_LIT(o, "\",\"identity\":\"");
    sy_puts(o, s->u->name);
    SY_LIT(o, "\",\"Level\":4,\"location\":\"");
    sy_puts(o, s->where->code);
    SY_LIT(o, "\",\"properties\":{\"id\":\"");
    sy_put_guid(o, c->r);
    SY_LIT(o, "\",\"createdDateTime\":\"");
    sy_put_t7z(o, s->t);
    SY_LIT(o, "\",\"userDisplayName\":\"");
    sy_puts(o, s->u->name);
    SY_LIT(o, "\",\"userPrincipalName\":\"");
    sy_puts(o, s->u->upn);
    SY_LIT(o, "\",\"userId\":\"");
    sy_puts(o, s->u->id);
    SY_LIT(o, "\",\"appId\":\"");
    sy_puts(o, s->app->id);
    SY_LIT(o, "\",\"appDisplayName\":\"");
    sy_puts(o, s->app->name);
    SY_LIT(o, "\",\"ipAddress\":\"");
    sy_put(o, s->ip.s, s->ip.n);
    SY_LIT(o, "\",\"status\":{\"errorCode\":");
    sy_put_u64(o, s->error);
    if (s->error != 0) {
        SY_LIT(o, ",\"failureReason\":\"");
        sy_puts(o, error_text(s->error));
        sy_putc(o, '"');
    }
    SY_LIT(o, "},\"clientAppUsed\":\"");
    sy_puts(o, s->ua->client_app);
    SY_LIT(o, "\",\"userAgent\":\"");
    sy_puts(o, s->ua->ua);
    SY_LIT(o, "\",\"deviceDetail\":{\"deviceId\":\"");
    if (s->u->admin && s->cross == NULL)
        sy_put_guid(o, c->r);
    SY_LIT(o, "\",\"displayName\":\"\",\"operatingSystem\":\"");
    sy_puts(o, s->ua->os);
    SY_LIT(o, "\",\"browser\":\"");
    sy_puts(o, s->ua->browser);
    if (s->u->admin && s->cross == NULL)
        SY_LIT(o, "\",\"isCompliant\":true,\"isManaged\":true,\"trustType\":\"AzureAd\"},");
    else
        SY_LIT(o, "\",\"isCompliant\":false,\"isManaged\":false,\"trustType\":\"\"},");
    SY_LIT(o, "\"location\":{\"city\":\"");
    sy_puts(o, s->where->city);
    SY_LIT(o, "\",\"state\":\"");
    sy_puts(o, s->where->state);
    SY_LIT(o, "\",\"countryOrRegion\":\"");
    sy_puts(o, s->where->code);
    SY_LIT(o, "\",\"geoCoordinates\":{\"latitude\":");
    sy_puts(o, s->where->lat);
    SY_LIT(o, ",\"longitude\":");
    sy_puts(o, s->where->lon);
    SY_LIT(o, "}},\"correlationId\":\"");
    sy_puts(o, corr);
    SY_LIT(o, "\",\"conditionalAccessStatus\":\"");
    /* MFA is required unless the sign-in comes from a trusted (excluded) location */
    if (s->error == 53003)
        SY_LIT(o, "failure");
    else if (s->cross != NULL || !s->mfa)
        SY_LIT(o, "notApplied");
    else
        SY_LIT(o, "success");
    SY_LIT(o, "\",\"appliedConditionalAccessPolicies\":[");
    if (s->cross == NULL) {
        SY_LIT(o, "{\"id\":\"");
        sy_put_guid(o, c->r);
        SY_LIT(o, "\",\"displayName\":\"CA001: Require MFA for all users\","
                  "\"enforcedGrantControls\":[\"Mfa\"],\"enforcedSessionControls\":[],"
                  "\"result\":\"");
        if (s->error == 53003)
            SY_LIT(o, "failure");
        else if (s->mfa)
            SY_LIT(o, "success");
        else
            SY_LIT(o, "notApplied");
        SY_LIT(o, "\"},{\"id\":\"");
        sy_put_guid(o, c->r);
        SY_LIT(o, "\",\"displayName\":\"CA004: Block legacy authentication\","
                  "\"enforcedGrantControls\":[\"Block\"],\"enforcedSessionControls\":[],"
                  "\"result\":\"notApplied\"}");
    }
    SY_LIT(o, "],\"originalRequestId\":\"");
    sy_put_guid(o, c->r);
    SY_LIT(o, "\",\"isInteractive\":true,\"tokenIssuerName\":\"\",\"tokenIssuerType\":"
              "\"AzureAD\",\"authenticationProcessingDetails\":[{\"key\":\"Legacy TLS (TLS 1.0, "
              "1.1, 3DES)\",\"value\":\"False\"},{\"key\":\"Is CAE Token\",\"value\":\"");
    if (sy_chance(c->r, 0.6))
        SY_LIT(o, "True");
    else
        SY_LIT(o, "False");
    SY_LIT(o, "\"}],\"networkLocationDetails\":[");
    if (s->cross == NULL && s->where == &sy_countries[s->res_tenant->country] && s->ip.n > 0 &&
        s->ip.s[0] != '2')
        SY_LIT(o, "{\"networkType\":\"namedNetwork\",\"networkNames\":[\"Corporate egress\"]}");
    SY_LIT(o, "],\"clientCredentialType\":\"none\",\"processingTimeInMilliseconds\":");
    sy_put_u64(o, sy_range(c->r, 40, 900));
    if (s->risky)
        SY_LIT(o, ",\"riskDetail\":\"none\",\"riskLevelAggregated\":\"medium\","
                  "\"riskLevelDuringSignIn\":\"medium\",\"riskState\":\"atRisk\","
                  "\"riskEventTypes\":[\"unfamiliarFeatures\"],\"riskEventTypes_v2\":["
                  "\"unfamiliarFeatures\"]");
    else
        SY_LIT(o, ",\"riskDetail\":\"none\",\"riskLevelAggregated\":\"none\","
                  "\"riskLevelDuringSignIn\":\"none\",\"riskState\":\"none\","
                  "\"riskEventTypes\":[],\"riskEventTypes_v2\":[]");
    SY_LIT(o, ",\"resourceDisplayName\":\"");
    sy_puts(o, s->app->res_name);
    SY_LIT(o, "\",\"resourceId\":\"");
    sy_puts(o, s->app->res_id);
    SY_LIT(o, "\",\"resourceTenantId\":\"");
    sy_puts(o, tid);
    SY_LIT(o, "\",\"homeTenantId\":\"");
    sy_puts(o, s->home->id);
    SY_LIT(o, "\",\"tenantId\":\"");
    sy_puts(o, tid);
    SY_LIT(o, "\",\"authenticationDetails\":[{\"authenticationStepDateTime\":\"");
    sy_put_t7z(o, s->t - 1000000 * (int64_t)sy_range(c->r, 10, 90));
    if (s->error == 50126)
        SY_LIT(o, "\",\"authenticationMethod\":\"Password\",\"authenticationMethodDetail\":"
                  "\"Password in the cloud\",\"succeeded\":false,\"authenticationStepResultDetail"
                  "\":\"Invalid username or password or Invalid on-premise username or password."
                  "\",\"authenticationStepRequirement\":\"Primary authentication\"}]");
    else if (s->mfa)
        SY_LIT(o, "\",\"authenticationMethod\":\"Previously satisfied\","
                  "\"authenticationMethodDetail\":\"\",\"succeeded\":true,"
                  "\"authenticationStepResultDetail\":\"First factor requirement satisfied by "
                  "claim in the token\",\"authenticationStepRequirement\":\"Primary "
                  "authentication\"},{\"authenticationMethod\":\"Mobile app notification\","
                  "\"succeeded\":true,\"authenticationStepResultDetail\":\"MFA completed in "
                  "Azure AD\",\"authenticationStepRequirement\":\"Multi-factor authentication\"}]");
    else
        SY_LIT(o, "\",\"authenticationMethod\":\"Password\",\"authenticationMethodDetail\":"
                  "\"Password in the cloud\",\"succeeded\":true,\"authenticationStepResultDetail"
                  "\":\"Correct password\",\"authenticationStepRequirement\":\"Primary "
                  "authentication\"}]");
    SY_LIT(o, ",\"authenticationRequirement\":\"");
    if (s->mfa)
        SY_LIT(o, "multiFactorAuthentication");
    else
        SY_LIT(o, "singleFactorAuthentication");
    SY_LIT(o, "\",\"alternateSignInName\":\"");
    sy_puts(o, s->u->upn);
    SY_LIT(o, "\",\"servicePrincipalId\":\"\",\"userType\":\"");
    if (s->u->guest)
        SY_LIT(o, "Guest");
    else
        SY_LIT(o, "Member");
    SY_LIT(o, "\",\"flaggedForReview\":false,\"isTenantRestricted\":false,"
              "\"autonomousSystemNumber\":");
    sy_put_u64(o, s->where->asn);
    SY_LIT(o, ",\"crossTenantAccessType\":\"");
    sy_puts(o, s->cross != NULL ? s->cross : "none");
    SY_LIT(o, "\",\"privateLinkDetails\":{},\"ssoExtensionVersion\":\"\","
              "\"uniqueTokenIdentifier\":\"");
    sy_put_alnum(o, c->r, 22, true);
    SY_LIT(o, "\",\"authenticationStrengths\":[],\"incomingTokenType\":\"none\","
              "\"authenticationProtocol\":\"none\",\"appServicePrincipalId\":null,"
              "\"resourceServicePrincipalId\":\"");
    sy_put_guid(o, c->r);
    SY_LIT(o, "\",\"rngcStatus\":0,\"signInTokenProtection\":\"none\"}}\n");
    c->res->records++;
    return 0;
}

static int signin_unit(struct ctx *c, int64_t t)
{
    const struct sy_tenant *tn = &c->w->t[c->f->owner];
    struct signin s = { .t = t, .res_tenant = tn, .home = tn };
    uint32_t roll = sy_below(c->r, 1000);
    static const uint8_t app_pick[] = { 0, 0, 0, 1, 1, 2, 3, 3, 4, 4, 5, 6, 7, 7 };

    s.u = pick_user(c, tn);
    s.app = &sy_apps[app_pick[sy_below(c->r, (uint32_t)SS_ARRAY_LEN(app_pick))]];
    s.ua = &sy_uas[s.u->ua];
    s.where = &sy_countries[s.u->country];
    user_ip(c, s.u, &s.ip);
    s.error = roll < 30   ? 50126
              : roll < 50 ? 50074
              : roll < 65 ? 50140
              : roll < 72 ? 53003
              : roll < 76 ? 500121
                          : 0;
    s.mfa = s.error == 0 && sy_chance(c->r, 0.55);
    return emit_signin(c, &s);
}

static int signin_event(struct ctx *c, const struct sy_event *e)
{
    const struct sy_world *w = c->w;
    const struct sy_tenant *tn = &w->t[e->owner];
    struct signin s = { .t = e->t, .res_tenant = tn, .home = tn };

    if (e->kind == SY_EV_STAFF_SIGNIN) {
        const struct sy_session *ss = &w->sess[e->arg];

        s.u = &w->u[ss->staff];
        s.home = &w->t[w->provider];
        s.app = &sy_apps[4]; /* Azure Portal */
        s.ua = &sy_uas[0];
        s.where = &sy_countries[sy_country_find("NL")];
        s.ip.n = strlen(ss->ip);
        memcpy(s.ip.s, ss->ip, s.ip.n + 1);
        s.cross = ss->msft ? "microsoftSupport" : "serviceProvider";
        s.mfa = true;
        return emit_signin(c, &s);
    }
    if (e->kind == SY_EV_EMBARGO) {
        const struct sy_embargo *em = &w->emb[e->arg];

        s.u = &w->u[w->emb_user];
        s.app = &sy_apps[em->success ? 2 : 1];
        s.ua = &sy_uas[5];
        s.where = &sy_countries[sy_country_find(em->country)];
        fmt_ip4(&s.ip, em->ip);
        s.error = em->success ? 0 : 50126;
        s.risky = em->success;
        return emit_signin(c, &s);
    }
    return 0;
}

/* ---- Entra audit ---- */

struct audit_kind {
    const char *activity;
    const char *category;
    const char *service;
    const char *optype;
    const char *target_type;
    const char *prop;
    const char *old_value;
    const char *new_value;
};

static const struct audit_kind audit_kinds[] = {
    { "Update user", "UserManagement", "Core Directory", "Update", "User",
      "StsRefreshTokensValidFrom", "[]", "[]" },
    { "Add member to group", "GroupManagement", "Core Directory", "Assign", "Group",
      "Group.DisplayName", "null", "\\\"Finance Readers\\\"" },
    { "Reset password (self-service)", "UserManagement", "Self-service Password Management",
      "Update", "User", "", NULL, NULL },
    { "Consent to application", "ApplicationManagement", "Core Directory", "Assign",
      "ServicePrincipal", "ConsentAction.Permissions", "[]",
      "[\\\"User.Read\\\",\\\"offline_access\\\"]" },
    { "Register device", "Device", "Device Registration Service", "Add", "Device", "DeviceOSType",
      "[]", "[\\\"Windows\\\"]" },
    { "Add app role assignment grant to user", "ApplicationManagement", "Core Directory", "Assign",
      "ServicePrincipal", "AppRole.Value", "[]", "[\\\"User\\\"]" },
    {
        "Update application",
        "ApplicationManagement",
        "Core Directory",
        "Update",
        "Application",
        "KeyDescription",
        "[]",
        "[\\\"[KeyIdentifier=",
    },
};

static int emit_audit_head(struct ctx *c, int64_t t, const struct sy_tenant *tn,
                           const char *activity, const char *actor)
{
    struct sy_w *o = c->o;

    SY_LIT(o, "{\"time\":\"");
    sy_put_t7(o, t);
    SY_LIT(o, "\",\"resourceId\":\"/tenants/");
    sy_puts(o, tn->id);
    SY_LIT(o, "/providers/Microsoft.aadiam\",\"operationName\":\"");
    sy_puts(o, activity);
    SY_LIT(o, "\",\"operationVersion\":\"1.0\",\"category\":\"AuditLogs\",\"tenantId\":\"");
    sy_puts(o, tn->id);
    SY_LIT(o, "\",\"resultSignature\":\"None\",\"durationMs\":0,\"correlationId\":\"");
    sy_put_guid(o, c->r);
    SY_LIT(o, "\",\"identity\":\"");
    sy_puts(o, actor);
    SY_LIT(o, "\",\"level\":\"Informational\",\"properties\":{\"id\":\"Directory_");
    sy_put_alnum(o, c->r, 5, false);
    sy_putc(o, '_');
    sy_put_alnum(o, c->r, 8, false);
    SY_LIT(o, "\",\"activityDateTime\":\"");
    sy_put_t7z(o, t);
    SY_LIT(o, "\",\"activityDisplayName\":\"");
    sy_puts(o, activity);
    SY_LIT(o, "\",");
    return 0;
}

static void put_initiator_user(struct ctx *c, const struct sy_user *u, const char *ip)
{
    struct sy_w *o = c->o;

    SY_LIT(o, "\"initiatedBy\":{\"user\":{\"id\":\"");
    sy_puts(o, u->id);
    SY_LIT(o, "\",\"displayName\":null,\"userPrincipalName\":\"");
    sy_puts(o, u->upn);
    SY_LIT(o, "\",\"ipAddress\":\"");
    sy_puts(o, ip);
    SY_LIT(o, "\",\"roles\":[]}},");
}

static int audit_unit(struct ctx *c, int64_t t)
{
    const struct sy_tenant *tn = &c->w->t[c->f->owner];
    const struct audit_kind *k = &audit_kinds[sy_below(c->r, (uint32_t)SS_ARRAY_LEN(audit_kinds))];
    const struct sy_user *actor = pick_user(c, tn);
    const struct sy_user *target = pick_user(c, tn);
    struct sy_w *o = c->o;
    struct sbuf ip;
    int r = sy_w_reserve(o, SY_REC_MAX);

    if (r < 0)
        return r;
    user_ip(c, actor, &ip);
    emit_audit_head(c, t, tn, k->activity, actor->name);
    SY_LIT(o, "\"category\":\"");
    sy_puts(o, k->category);
    SY_LIT(o, "\",\"correlationId\":\"");
    sy_put_guid(o, c->r);
    SY_LIT(o, "\",\"loggedByService\":\"");
    sy_puts(o, k->service);
    SY_LIT(o, "\",\"operationType\":\"");
    sy_puts(o, k->optype);
    SY_LIT(o, "\",\"result\":\"success\",\"resultReason\":\"\",");
    put_initiator_user(c, actor, ip.s);
    SY_LIT(o, "\"targetResources\":[{\"id\":\"");
    if (strcmp(k->target_type, "User") == 0)
        sy_puts(o, target->id);
    else
        sy_put_guid(o, c->r);
    SY_LIT(o, "\",\"displayName\":");
    if (strcmp(k->target_type, "User") == 0) {
        SY_LIT(o, "null,\"type\":\"User\",\"userPrincipalName\":\"");
        sy_puts(o, target->upn);
        SY_LIT(o, "\",");
    } else {
        SY_LIT(o, "\"");
        sy_puts(o, k->target_type);
        SY_LIT(o, "-");
        sy_put_alnum(o, c->r, 6, false);
        SY_LIT(o, "\",\"type\":\"");
        sy_puts(o, k->target_type);
        SY_LIT(o, "\",");
    }
    SY_LIT(o, "\"modifiedProperties\":[");
    if (k->old_value != NULL && k->prop[0] != '\0') {
        SY_LIT(o, "{\"displayName\":\"");
        sy_puts(o, k->prop);
        if (strcmp(k->old_value, "null") == 0) {
            SY_LIT(o, "\",\"oldValue\":null,\"newValue\":\"");
        } else {
            SY_LIT(o, "\",\"oldValue\":\"");
            sy_puts(o, k->old_value);
            SY_LIT(o, "\",\"newValue\":\"");
        }
        sy_puts(o, k->new_value);
        if (strcmp(k->activity, "Update application") == 0) {
            sy_put_guid(o, c->r);
            SY_LIT(o, ",KeyType=Password,KeyUsage=Verify,DisplayName=ci-secret]\\\"]");
        }
        SY_LIT(o, "\"}");
    }
    SY_LIT(o, "]}],\"additionalDetails\":[{\"key\":\"User-Agent\",\"value\":\"");
    sy_puts(o, sy_uas[actor->ua].ua);
    SY_LIT(o, "\"}]}}\n");
    c->res->records++;
    return 0;
}

static int audit_event(struct ctx *c, const struct sy_event *e)
{
    const struct sy_world *w = c->w;
    const struct sy_tenant *tn = &w->t[e->owner];
    const struct sy_session *s = &w->sess[e->arg];
    const struct sy_user *staff = &w->u[s->staff];
    struct sy_w *o = c->o;
    int r;

    if (e->kind != SY_EV_STAFF_PIM)
        return 0;
    r = sy_w_reserve(o, SY_REC_MAX);
    if (r < 0)
        return r;
    emit_audit_head(c, e->t, tn, "Add member to role completed (PIM activation)", staff->name);
    SY_LIT(o, "\"category\":\"RoleManagement\",\"correlationId\":\"");
    sy_put_guid(o, c->r);
    SY_LIT(o, "\",\"loggedByService\":\"PIM\",\"operationType\":\"Assign\",\"result\":"
              "\"success\",\"resultReason\":\"");
    if (s->lockbox >= 0)
        sy_puts(o, w->lb[s->lockbox].justification);
    else
        SY_LIT(o, "Urgent investigation of storage access errors");
    SY_LIT(o, "\",");
    put_initiator_user(c, staff, s->ip);
    SY_LIT(o, "\"targetResources\":[{\"id\":\"f2ef992c-3afb-46b9-b7cf-a126ee74c451\","
              "\"displayName\":\"Global Reader\",\"type\":\"Role\",\"modifiedProperties\":[]},"
              "{\"id\":\"");
    sy_puts(o, staff->id);
    SY_LIT(o, "\",\"displayName\":\"");
    sy_puts(o, staff->name);
    SY_LIT(o, "\",\"type\":\"User\",\"userPrincipalName\":\"");
    sy_puts(o, staff->upn);
    SY_LIT(o, "\",\"modifiedProperties\":[]}],\"additionalDetails\":[{\"key\":\"StartTime\","
              "\"value\":\"");
    sy_put_t7z(o, s->start);
    SY_LIT(o, "\"},{\"key\":\"ExpirationTime\",\"value\":\"");
    sy_put_t7z(o, s->start + 4 * SY_TICKS_PER_HOUR);
    SY_LIT(o, "\"},{\"key\":\"TicketNumber\",\"value\":\"");
    if (s->lockbox >= 0) {
        sy_puts(o, w->lb[s->lockbox].support);
    } else {
        /* the planted session quotes the request that was denied */
        for (size_t i = 0; i < w->n_lb; i++)
            if (w->lb[i].sub == s->sub && strcmp(w->lb[i].status, "Denied") == 0 &&
                w->lb[i].created <= s->start) {
                sy_puts(o, w->lb[i].support);
                break;
            }
    }
    SY_LIT(o, "\"},{\"key\":\"HomeTenantId\",\"value\":\"");
    sy_puts(o, w->t[w->provider].id);
    SY_LIT(o, "\"}]}}\n");
    c->res->records++;
    return 0;
}

/* ---- Storage blob logs ---- */

struct blob_req {
    int64_t t;
    const struct sy_res *acct;
    const char *op;
    unsigned status;
    const char *status_text;
    const char *auth;           /* OAuth, SAS, AccountKey */
    const struct sy_sp *sp;     /* OAuth caller (service principal) */
    const struct sy_user *user; /* OAuth caller (user) */
    const struct sy_tenant *issuer;
    const char *ua;
    struct sbuf ip;
    const char *container;
    struct sbuf path;  /* blob path inside the container ("" for container ops) */
    const char *query; /* URI query (without '?'), or NULL */
    uint64_t req_body;
    uint64_t resp_body;
    const char *tier;
    const char *source_uri;
};

static const char *op_category(const char *op)
{
    if (strcmp(op, "DeleteBlob") == 0 || strcmp(op, "DeleteContainer") == 0)
        return "StorageDelete";
    if (strncmp(op, "Get", 3) == 0 || strncmp(op, "List", 4) == 0)
        return "StorageRead";
    return "StorageWrite";
}

static int emit_blob(struct ctx *c, const struct blob_req *q)
{
    struct sy_w *o = c->o;
    const struct sy_res *a = q->acct;
    int r = sy_w_reserve(o, SY_REC_MAX);

    if (r < 0)
        return r;
    SY_LIT(o, "{\"time\":\"");
    sy_put_t7(o, q->t);
    SY_LIT(o, "\",\"resourceId\":\"");
    sy_puts(o, a->id);
    SY_LIT(o, "/blobServices/default\",\"category\":\"");
    sy_puts(o, op_category(q->op));
    SY_LIT(o, "\",\"operationName\":\"");
    sy_puts(o, q->op);
    SY_LIT(o, "\",\"operationVersion\":\"2023-11-03\",\"schemaVersion\":\"1.0\",\"statusCode\":");
    sy_put_u64(o, q->status);
    SY_LIT(o, ",\"statusText\":\"");
    sy_puts(o, q->status_text);
    SY_LIT(o, "\",\"durationMs\":");
    sy_put_u64(o, 3 + sy_below(c->r, 40) + q->req_body / 400000 + q->resp_body / 900000);
    SY_LIT(o, ",\"callerIpAddress\":\"");
    sy_put(o, q->ip.s, q->ip.n);
    sy_putc(o, ':');
    sy_put_u64(o, sy_range(c->r, 1024, 65535));
    SY_LIT(o, "\",\"correlationId\":\"");
    sy_put_guid(o, c->r);
    SY_LIT(o, "\",\"identity\":{\"type\":\"");
    sy_puts(o, q->auth);
    SY_LIT(o, "\",\"tokenHash\":\"");
    if (strcmp(q->auth, "OAuth") == 0) {
        uint64_t who = q->sp != NULL ? (UINT64_C(1) << 40) | (uint64_t)(q->sp - c->w->sp)
                                     : (uint64_t)(q->user - c->w->u);
        const struct sy_sub *sub = &c->w->s[a->sub];
        char ra[37];

        /* one token an hour per principal */
        put_stable_hex(c, UINT64_C(0x746f6b656e),
                       who * 100000 + (uint64_t)(q->t / SY_TICKS_PER_HOUR), 64);
        if (q->sp == &c->w->sp[c->w->t[a->tenant].sp0 + 2] && sub->n_ra > 5)
            memcpy(ra, c->w->ra[sub->ra0 + 5].id, 37);
        else
            stable_guid(c->w, UINT64_C(0x7261), who * 4096 + a->sub, ra);
        SY_LIT(o, "\",\"authorization\":[{\"action\":\"Microsoft.Storage/storageAccounts/"
                  "blobServices/containers/blobs/");
        if (strcmp(op_category(q->op), "StorageRead") == 0)
            SY_LIT(o, "read");
        else if (strcmp(op_category(q->op), "StorageDelete") == 0)
            SY_LIT(o, "delete");
        else
            SY_LIT(o, "write");
        SY_LIT(o, "\",\"roleAssignmentId\":\"");
        sy_put(o, ra, 36);
        SY_LIT(o, "\",\"roleDefinitionId\":\"" SY_ROLE_BLOB_CONTRIB "\",\"principals\":[{\"id\":"
                  "\"");
        sy_puts(o, q->sp != NULL ? q->sp->obj_id : q->user->id);
        SY_LIT(o, "\",\"type\":\"");
        if (q->sp != NULL)
            SY_LIT(o, "ServicePrincipal");
        else
            SY_LIT(o, "User");
        SY_LIT(o, "\"}],\"denyAssignmentId\":\"\",\"type\":\"RBAC\",\"result\":\"Granted\","
                  "\"reason\":\"Policy\"}],\"requester\":{\"appId\":\"");
        sy_puts(o, q->sp != NULL ? q->sp->app_id : SY_APP_PORTAL);
        SY_LIT(o, "\",\"audience\":\"https://storage.azure.com/\",\"objectId\":\"");
        sy_puts(o, q->sp != NULL ? q->sp->obj_id : q->user->id);
        SY_LIT(o, "\",\"tenantId\":\"");
        sy_puts(o, q->issuer->id);
        SY_LIT(o, "\",\"tokenIssuer\":\"https://sts.windows.net/");
        sy_puts(o, q->issuer->id);
        SY_LIT(o, "/\"");
        if (q->user != NULL) {
            SY_LIT(o, ",\"upn\":\"");
            sy_puts(o, q->user->upn);
            SY_LIT(o, "\",\"uniqueName\":\"");
            sy_puts(o, q->user->upn);
            sy_putc(o, '"');
        }
        SY_LIT(o, "}},");
    } else {
        uint64_t acct = (uint64_t)(a - c->w->r);

        /* the account key's hash is the same in every request signed with it */
        SY_LIT(o, "key1(");
        put_stable_hex(c, UINT64_C(0x6b657931), acct, 64);
        if (strcmp(q->auth, "SAS") == 0) {
            /* three SAS tokens in circulation per account and day */
            SY_LIT(o, "),SasSignature(");
            put_stable_hex(
                c, UINT64_C(0x736173),
                acct * 4096 + (uint64_t)(q->t / SY_TICKS_PER_DAY) * 3 + sy_below(c->r, 3), 64);
        }
        SY_LIT(o, ")\"},");
    }
    SY_LIT(o, "\"location\":\"");
    sy_puts(o, storage_display(a));
    SY_LIT(o, "\",\"properties\":{\"accountName\":\"");
    sy_puts(o, a->name);
    SY_LIT(o, "\",\"userAgentHeader\":\"");
    sy_puts(o, q->ua);
    SY_LIT(o, "\",\"serviceType\":\"blob\",\"objectKey\":\"/");
    sy_puts(o, a->name);
    sy_putc(o, '/');
    sy_puts(o, q->container);
    if (q->path.n > 0) {
        sy_putc(o, '/');
        sy_put(o, q->path.s, q->path.n);
    }
    SY_LIT(o, "\",");
    if (q->status < 300 && q->path.n > 0 && strcmp(q->op, "DeleteBlob") != 0 &&
        strcmp(q->op, "PutBlock") != 0) {
        /* a write sets the modification time; reads see an earlier one */
        int64_t mt = q->t;
        size_t at;

        if (strcmp(op_category(q->op), "StorageRead") == 0)
            mt -= (int64_t)sy_below(c->r, 3 * 86400) * SY_TICKS_PER_SEC + 1;
        SY_LIT(o, "\"lastModifiedTime\":\"");
        at = sy_w_len(o);
        sy_put_t7(o, mt);
        o->base[at + 4] = '/';
        o->base[at + 7] = '/';
        o->base[at + 10] = ' ';
        o->p--; /* drop the 'Z' */
        SY_LIT(o, "\",\"etag\":\"0x8DC");
        sy_put_hex(o, c->r, 13, true);
        SY_LIT(o, "\",");
    }
    SY_LIT(o, "\"metricResponseType\":\"");
    if (q->status < 300)
        SY_LIT(o, "Success");
    else if (q->status == 404)
        SY_LIT(o, "ClientOtherError");
    else
        SY_LIT(o, "AuthorizationError");
    SY_LIT(o, "\",\"serverLatencyMs\":");
    sy_put_u64(o, 2 + sy_below(c->r, 30) + q->req_body / 500000);
    SY_LIT(o, ",\"requestHeaderSize\":");
    sy_put_u64(o, sy_range(c->r, 420, 1600));
    SY_LIT(o, ",\"responseHeaderSize\":");
    sy_put_u64(o, sy_range(c->r, 240, 520));
    SY_LIT(o, ",\"requestBodySize\":");
    sy_put_u64(o, q->req_body);
    SY_LIT(o, ",\"responseBodySize\":");
    sy_put_u64(o, q->resp_body);
    if (q->req_body > 0) {
        SY_LIT(o, ",\"contentLengthHeader\":");
        sy_put_u64(o, q->req_body);
        char md5[24];
        struct sy_w mw = { .base = md5, .p = md5, .end = md5 + sizeof(md5) };

        sy_put_alnum(&mw, c->r, 22, false);
        SY_LIT(o, ",\"requestMd5\":\"");
        sy_put(o, md5, 22);
        SY_LIT(o, "==\",\"serverMd5\":\"");
        sy_put(o, md5, 22);
        SY_LIT(o, "==\"");
    }
    if (q->tier != NULL) {
        SY_LIT(o, ",\"accessTier\":\"");
        sy_puts(o, q->tier);
        sy_putc(o, '"');
    }
    if (q->source_uri != NULL) {
        SY_LIT(o, ",\"sourceUri\":\"");
        sy_puts(o, q->source_uri);
        sy_putc(o, '"');
    }
    SY_LIT(o, ",\"tlsVersion\":\"TLS 1.2\"},\"uri\":\"https://");
    sy_puts(o, a->name);
    SY_LIT(o, ".blob.core.windows.net:443/");
    sy_puts(o, q->container);
    if (q->path.n > 0) {
        sy_putc(o, '/');
        sy_put(o, q->path.s, q->path.n);
    }
    if (q->query != NULL) {
        sy_putc(o, '?');
        sy_puts(o, q->query);
    }
    SY_LIT(o, "\",\"protocol\":\"HTTPS\",\"resourceType\":\"Microsoft.Storage/storageAccounts/"
              "blobServices\"}\n");
    c->res->records++;
    return 0;
}

static const char *const app_containers[] = { "uploads",  "reports", "exports",
                                              "invoices", "images",  "backups" };

static void app_blob_path(struct ctx *c, const char *container, int64_t t, struct sbuf *p)
{
    struct sy_w w = sbuf_w(p);
    uint32_t n = sy_below(c->r, 5000);

    switch (container[0]) {
    case 'u':
        SY_LIT(&w, "incoming/");
        sy_put_hex(&w, c->r, 8, false);
        SY_LIT(&w, "/document-");
        sy_put_u64(&w, n);
        SY_LIT(&w, ".pdf");
        break;
    case 'r':
        SY_LIT(&w, "monthly/report-");
        sy_put_date(&w, t - (int64_t)sy_below(c->r, 60) * SY_TICKS_PER_DAY);
        sy_putc(&w, '-');
        sy_put_hex(&w, c->r, 6, false);
        SY_LIT(&w, ".xlsx");
        break;
    case 'e':
        SY_LIT(&w, "daily/part-");
        sy_put_u64w(&w, n % 200, 5);
        SY_LIT(&w, ".parquet");
        break;
    case 'i':
        SY_LIT(&w, "2024/INV-");
        sy_put_u64w(&w, 100000 + n * 7, 7);
        SY_LIT(&w, ".pdf");
        break;
    case 'b':
        SY_LIT(&w, "sql/db-");
        sy_put_date(&w, t - (int64_t)sy_below(c->r, 14) * SY_TICKS_PER_DAY);
        SY_LIT(&w, ".bak");
        break;
    default:
        SY_LIT(&w, "img_");
        sy_put_u64(&w, n);
        SY_LIT(&w, ".jpg");
        break;
    }
    sbuf_done(p, &w);
}

static uint64_t body_size(struct sy_rng *r)
{
    uint32_t e = sy_range(r, 10, 24);

    return ((uint64_t)1 << e) + sy_below(r, 1u << (e - 1));
}

/* Who calls an application account: its workload identity, SAS clients or AzCopy. */
static void app_caller(struct ctx *c, const struct sy_tenant *tn, struct blob_req *q)
{
    uint32_t roll = sy_below(c->r, 100);

    if (roll < 60) {
        q->auth = "OAuth";
        q->sp = &c->w->sp[tn->sp0 + 2];
        q->issuer = tn;
        q->ua = sy_storage_uas[sy_below(c->r, 3)];
        fmt_ip4(&q->ip, ip_azure(c->r));
    } else if (roll < 85) {
        q->auth = "SAS";
        q->ua = sy_storage_uas[sy_below(c->r, 4)];
        fmt_ip4(&q->ip, sy_ipv4_in_country(c->r, &sy_countries[tn->country]));
    } else {
        q->auth = "AccountKey";
        q->ua = sy_storage_uas[4 + sy_below(c->r, 2)];
        fmt_ip4(&q->ip, tn->egress[sy_below(c->r, 2)]);
    }
}

static void set_sas_query(struct blob_req *q, bool write)
{
    q->query = write ? "sv=2022-11-02&ss=b&srt=co&sp=rwlac&se=2024-12-31T23:59:59Z&spr=https"
                       "&sig=XXXXX"
                     : "sv=2022-11-02&ss=b&srt=o&sp=r&se=2024-12-31T23:59:59Z&spr=https"
                       "&sig=XXXXX";
}

static int app_unit(struct ctx *c, const struct sy_res *acct, int64_t t)
{
    const struct sy_tenant *tn = &c->w->t[acct->tenant];
    struct blob_req q = { .t = t, .acct = acct, .status = 200, .status_text = "Success" };
    unsigned stream = c->f->stream;
    uint32_t roll = sy_below(c->r, 100);

    app_caller(c, tn, &q);
    q.container = app_containers[sy_below(c->r, (uint32_t)SS_ARRAY_LEN(app_containers))];
    app_blob_path(c, q.container, t, &q.path);
    if (stream == SY_ST_READ) {
        if (roll < 70) {
            q.op = "GetBlob";
            q.resp_body = body_size(c->r);
            q.tier = "Hot";
            if (sy_chance(c->r, 0.03)) {
                q.status = 404;
                q.status_text = "BlobNotFound";
                q.resp_body = 215;
            }
        } else if (roll < 85) {
            q.op = "GetBlobProperties";
            q.tier = "Hot";
        } else if (roll < 95) {
            q.op = "ListBlobs";
            q.path.n = 0;
            q.query = "restype=container&comp=list&maxresults=5000";
            q.resp_body = sy_range(c->r, 800, 400000);
        } else {
            q.op = "GetContainerProperties";
            q.path.n = 0;
            q.query = "restype=container";
        }
    } else if (stream == SY_ST_WRITE) {
        if (roll < 75) {
            q.op = "PutBlob";
            q.status = 201;
            q.req_body = body_size(c->r);
            q.tier = "Hot";
        } else if (roll < 90) {
            q.op = "SetBlobMetadata";
            q.query = "comp=metadata";
        } else {
            q.op = "CopyBlob";
            q.status = 202;
        }
    } else {
        q.op = "DeleteBlob";
        q.status = 202;
    }
    if (strcmp(q.auth, "SAS") == 0 && q.query == NULL)
        set_sas_query(&q, stream != SY_ST_READ);
    if (strcmp(q.auth, "SAS") == 0)
        q.status_text = q.status < 300 ? "SASSuccess" : q.status_text;
    return emit_blob(c, &q);
}

static const char *const audio_ext[] = { ".wav", ".wav", ".opus", ".mp3" };

static void recording_path(struct ctx *c, int64_t day_t, struct sbuf *p, bool mp3_or_wav)
{
    struct sy_w w = sbuf_w(p);
    int64_t y;
    unsigned mo, d, h, mi;

    sy_civil(day_t, &y, &mo, &d, &h, &mi);
    sy_put_u64w(&w, (uint64_t)y, 4);
    sy_putc(&w, '/');
    sy_put_u64w(&w, mo, 2);
    sy_putc(&w, '/');
    sy_put_u64w(&w, d, 2);
    SY_LIT(&w, "/call-");
    sy_put_u64w(&w, (uint64_t)y, 4);
    sy_put_u64w(&w, mo, 2);
    sy_put_u64w(&w, d, 2);
    sy_putc(&w, '-');
    sy_put_hex(&w, c->r, 12, false);
    sy_puts(&w,
            mp3_or_wav ? (sy_chance(c->r, 0.7) ? ".wav" : ".mp3") : audio_ext[sy_below(c->r, 4)]);
    sbuf_done(p, &w);
}

/* One archived recording: PutBlob, or PutBlock x N + PutBlockList for large files. */
static int voice_unit(struct ctx *c, const struct sy_res *acct, int64_t t)
{
    const struct sy_tenant *tn = &c->w->t[acct->tenant];
    struct blob_req q = { .t = t,
                          .acct = acct,
                          .status = 201,
                          .status_text = "Success",
                          .auth = "OAuth",
                          .container = "recordings",
                          .issuer = tn,
                          .tier = "Hot" };
    uint64_t size = (uint64_t)sy_range(c->r, 600, 9000) * 1024;
    const uint64_t block = (uint64_t)4 << 20;
    int r;

    size += sy_below(c->r, 1024);
    q.sp = &c->w->sp[tn->sp0 + 2];
    q.ua = "azsdk-python-storage-blob/12.19.1 Python/3.11.9 "
           "(Linux-5.15.0-1064-azure-x86_64-with-glibc2.35)";
    /* three ingest workers with fixed addresses */
    fmt_ip4(&q.ip, (UINT32_C(20) << 24) | (UINT32_C(166) << 16) | (UINT32_C(41) << 8) |
                       (10 + sy_below(c->r, 3)));
    recording_path(c, t, &q.path, false);
    c->res->ops++;
    c->res->ingress += size;
    if (size <= block) {
        q.op = "PutBlob";
        q.req_body = size;
        return emit_blob(c, &q);
    }
    q.op = "PutBlock";
    q.tier = NULL;
    for (uint64_t off = 0; off < size; off += block) {
        char query[96];
        struct sy_w qw = { .base = query, .p = query, .end = query + sizeof(query) };

        SY_LIT(&qw, "comp=block&blockid=");
        sy_put_alnum(&qw, c->r, 32, false);
        SY_LIT(&qw, "%3D%3D");
        *qw.p = '\0';
        q.query = query;
        q.req_body = SS_MIN(block, size - off);
        r = emit_blob(c, &q);
        if (r < 0)
            return r;
        q.t = SS_MIN(q.t + (int64_t)sy_range(c->r, 800000, 4000000), c->h0 + SY_TICKS_PER_HOUR - 1);
    }
    q.op = "PutBlockList";
    q.query = "comp=blocklist";
    q.req_body = 64 + 60 * ((size + block - 1) / block);
    q.tier = "Hot";
    return emit_blob(c, &q);
}

static int voice_read_unit(struct ctx *c, const struct sy_res *acct, int64_t t)
{
    const struct sy_tenant *tn = &c->w->t[acct->tenant];
    struct blob_req q = { .t = t,
                          .acct = acct,
                          .status = 200,
                          .status_text = "Success",
                          .auth = "OAuth",
                          .container = "recordings",
                          .issuer = tn,
                          .op = "ListBlobs",
                          .query = "restype=container&comp=list&prefix=2024"
                                   "/&maxresults=5000" };

    q.sp = &c->w->sp[tn->sp0 + 2];
    q.ua = "azsdk-python-storage-blob/12.19.1 Python/3.11.9 "
           "(Linux-5.15.0-1064-azure-x86_64-with-glibc2.35)";
    fmt_ip4(&q.ip, (UINT32_C(20) << 24) | (UINT32_C(166) << 16) | (UINT32_C(41) << 8) | 10);
    q.resp_body = sy_range(c->r, 200000, 900000);
    return emit_blob(c, &q);
}

/* The consented call-centre workload: few uploads, QA listening, 90-day deletion. */
static int callc_unit(struct ctx *c, const struct sy_res *acct, int64_t t)
{
    const struct sy_tenant *tn = &c->w->t[acct->tenant];
    struct blob_req q = { .t = t,
                          .acct = acct,
                          .status = 201,
                          .status_text = "Success",
                          .auth = "OAuth",
                          .container = "recordings",
                          .issuer = tn };
    unsigned stream = c->f->stream;

    q.sp = &c->w->sp[tn->sp0 + 2];
    q.ua = "azsdk-net-Storage.Blobs/12.19.1 (.NET 8.0.4; Microsoft Windows 10.0.20348)";
    fmt_ip4(&q.ip, tn->egress[0]);
    if (stream == SY_ST_WRITE) {
        q.op = "PutBlob";
        q.tier = "Cool";
        q.req_body = (uint64_t)sy_range(c->r, 700, 3800) * 1024;
        recording_path(c, t, &q.path, true);
        c->res->ops++;
        c->res->ingress += q.req_body;
    } else if (stream == SY_ST_READ) {
        q.op = "GetBlob";
        q.status = 200;
        q.sp = NULL;
        q.user = pick_user(c, tn);
        q.ua = sy_storage_uas[5];
        q.resp_body = (uint64_t)sy_range(c->r, 700, 3800) * 1024;
        q.tier = "Cool";
        recording_path(c, t - (int64_t)sy_below(c->r, 20) * SY_TICKS_PER_DAY, &q.path, true);
    } else {
        /* retention job: recordings older than 90 days */
        q.op = "DeleteBlob";
        q.status = 202;
        q.ua = "azsdk-net-Storage.Blobs/12.19.1 (.NET 8.0.4; Microsoft Windows 10.0.20348) "
               "RetentionJob/2.3";
        recording_path(c, t - 91 * SY_TICKS_PER_DAY, &q.path, true);
        c->res->ops++;
    }
    return emit_blob(c, &q);
}

/* Copies arriving in the out-of-geography replica. */
static int replica_unit(struct ctx *c, const struct sy_res *acct, int64_t t)
{
    const struct sy_world *w = c->w;
    const struct sy_res *src = &w->r[w->res_src];
    const struct sy_tenant *tn = &w->t[acct->tenant];
    struct blob_req q = { .t = t,
                          .acct = acct,
                          .status = 202,
                          .status_text = "Success",
                          .auth = "OAuth",
                          .container = "data-replica",
                          .issuer = tn,
                          .op = "CopyBlob",
                          .tier = "Hot" };
    char src_uri[512];
    struct sy_w sw = { .base = src_uri, .p = src_uri, .end = src_uri + sizeof(src_uri) };

    q.sp = &w->sp[tn->sp0 + 2];
    q.ua = sy_storage_uas[0];
    fmt_ip4(&q.ip, ip_azure(c->r));
    app_blob_path(c, "exports", t, &q.path);
    SY_LIT(&sw, "https://");
    sy_puts(&sw, src->name);
    SY_LIT(&sw, ".blob.core.windows.net/data/");
    sy_put(&sw, q.path.s, q.path.n);
    *sw.p = '\0';
    q.source_uri = src_uri;
    c->res->ops++;
    return emit_blob(c, &q);
}

static int storage_event(struct ctx *c, const struct sy_res *acct, const struct sy_event *e)
{
    const struct sy_world *w = c->w;
    const struct sy_session *s = &w->sess[e->arg & 0xffffff];
    struct blob_req q = { .t = e->t,
                          .acct = acct,
                          .status = 200,
                          .status_text = "Success",
                          .auth = "OAuth",
                          .op = "GetBlob",
                          .tier = "Hot" };

    if (e->kind != SY_EV_STAFF_READ)
        return 0;
    q.user = &w->u[s->staff];
    q.issuer = &w->t[w->provider];
    q.ua = sy_storage_uas[5];
    q.ip.n = strlen(s->ip);
    memcpy(q.ip.s, s->ip, q.ip.n + 1);
    q.container = app_containers[(e->arg >> 24) % SS_ARRAY_LEN(app_containers)];
    app_blob_path(c, q.container, e->t, &q.path);
    q.resp_body = body_size(c->r);
    return emit_blob(c, &q);
}

static int unit(struct ctx *c, int64_t t)
{
    const struct sy_res *acct;

    switch (c->f->stream) {
    case SY_ST_ACTIVITY:
        return activity_unit(c, t);
    case SY_ST_SIGNIN:
        return signin_unit(c, t);
    case SY_ST_AUDIT:
        return audit_unit(c, t);
    default:
        acct = &c->w->r[c->f->owner];
        switch (acct->role) {
        case SY_SR_VOICE:
            return c->f->stream == SY_ST_WRITE ? voice_unit(c, acct, t)
                                               : voice_read_unit(c, acct, t);
        case SY_SR_CALLC:
            return callc_unit(c, acct, t);
        case SY_SR_REPLICA:
            return replica_unit(c, acct, t);
        default:
            return app_unit(c, acct, t);
        }
    }
}

static int event(struct ctx *c, const struct sy_event *e)
{
    switch (c->f->stream) {
    case SY_ST_ACTIVITY:
        return activity_event(c, e);
    case SY_ST_SIGNIN:
        return signin_event(c, e);
    case SY_ST_AUDIT:
        return audit_event(c, e);
    default:
        return storage_event(c, &c->w->r[c->f->owner], e);
    }
}

/* Whether activity at @t of subscription @si is lost in the planted audit gap. */
static bool lost_in_gap(const struct sy_world *w, const struct sy_file *f, int64_t t)
{
    return f->stream == SY_ST_ACTIVITY && f->owner == w->gap_sub && t > w->gap_start &&
           t < w->gap_end;
}

int sy_emit_azure(const struct sy_world *w, const struct sy_file *f, struct sy_rng *r,
                  struct sy_w *out, bool calib, struct sy_result *res)
{
    struct ctx c = { .w = w,
                     .f = f,
                     .r = r,
                     .o = out,
                     .res = res,
                     .h0 = w->start + (int64_t)f->hour * SY_TICKS_PER_HOUR };
    const struct sy_event *ev = NULL;
    size_t n_ev =
        calib ? 0 : sy_world_events(w, f->stream, f->owner, c.h0, c.h0 + SY_TICKS_PER_HOUR, &ev);
    size_t k = 0;
    int rc;

    for (uint32_t i = 0; i < f->n; i++) {
        int64_t t = c.h0 + ((int64_t)i * SY_TICKS_PER_HOUR +
                            (int64_t)(sy_next(r) % (uint64_t)SY_TICKS_PER_HOUR)) /
                               (int64_t)f->n;

        for (; k < n_ev && ev[k].t <= t; k++) {
            rc = event(&c, &ev[k]);
            if (rc < 0)
                return rc;
        }
        if (!calib && lost_in_gap(w, f, t))
            continue;
        rc = unit(&c, t);
        if (rc < 0)
            return rc;
    }
    for (; k < n_ev; k++) {
        rc = event(&c, &ev[k]);
        if (rc < 0)
            return rc;
    }
    return 0;
}
