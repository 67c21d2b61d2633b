/* SPDX-License-Identifier: Apache-2.0 */
/*
 * synth/synth_inventory.c - implements the inventory of a synthetic case (docs/synth.md):
 * the Resource Graph tables resources, resourcecontainers, authorizationresources,
 * policyresources and managedserviceresources in the `az graph query` envelope, and the
 * ARM-only objects: diagnostic settings per subscription and per Entra tenant, storage
 * lifecycle (management) policies, object replication policies, Customer Lockbox
 * requests and tenant opt-in, plus Entra users (Graph) and the tenant list.
 *
 * Resource Graph ids are written in lower case (the form truth.json uses), types lower
 * case; ARM objects keep ARM casing. Every file is built compact in a scratch buffer and
 * pretty-printed the way az CLI prints (two-space indent).
 */
#include "synth/synth_int.h"

#include "core/diag.h"

struct inv {
    const struct sy_world *w;
    const char *root;
    struct sy_w *o;   /* compact JSON under construction */
    struct sy_w *out; /* pretty-printed file */
    struct sy_rng r;
    struct sy_result *res;
    struct ss_diag *diag;
    size_t n_rows;
    bool first;
};

/* Reserve for the next element; rows are written piecewise, each piece < SY_REC_MAX. */
static int need(struct inv *v)
{
    return sy_w_reserve(v->o, SY_REC_MAX);
}

static void sep(struct inv *v)
{
    if (!v->first)
        sy_putc(v->o, ',');
    v->first = false;
}

static int flush_file(struct inv *v, const char *rel)
{
    int r;

    sy_w_reset(v->out, -1);
    r = sy_json_pretty(v->out, v->o->base, sy_w_len(v->o));
    if (r == 0)
        r = sy_write_file(v->root, rel, v->out->base, sy_w_len(v->out), v->diag);
    if (r == 0) {
        v->res->files++;
        v->res->bytes += sy_w_len(v->out);
        v->res->records += v->n_rows;
    }
    sy_w_reset(v->o, -1);
    v->n_rows = 0;
    v->first = true;
    return r;
}

static void put_loc_pair(struct sy_w *o, const struct sy_region *reg)
{
    SY_LIT(o, "\"primaryLocation\":\"");
    sy_puts(o, reg->name);
    SY_LIT(o, "\",\"statusOfPrimary\":\"available\"");
}

/* Common head of a Resource Graph row: everything up to and excluding "properties". */
static void arg_head(struct inv *v, const char *id_lower, const char *name, const char *type,
                     const char *tenant, const char *kind, const char *location, const char *rg,
                     const char *sub)
{
    struct sy_w *o = v->o;

    sep(v);
    SY_LIT(o, "{\"id\":\"");
    sy_puts(o, id_lower);
    SY_LIT(o, "\",\"name\":\"");
    sy_puts(o, name);
    SY_LIT(o, "\",\"type\":\"");
    sy_puts(o, type);
    SY_LIT(o, "\",\"tenantId\":\"");
    sy_puts(o, tenant);
    SY_LIT(o, "\",\"kind\":\"");
    sy_puts(o, kind);
    SY_LIT(o, "\",\"location\":\"");
    sy_puts(o, location);
    SY_LIT(o, "\",\"resourceGroup\":\"");
    sy_put_lower(o, rg);
    SY_LIT(o, "\",\"subscriptionId\":\"");
    sy_puts(o, sub);
    SY_LIT(o, "\",\"managedBy\":\"\",\"plan\":null,");
    v->n_rows++;
}

static void arg_tail(struct sy_w *o)
{
    SY_LIT(o, ",\"zones\":null,\"extendedLocation\":null}");
}

static void put_tags(struct inv *v, const struct sy_tenant *t, const char *workload)
{
    struct sy_w *o = v->o;

    SY_LIT(o, ",\"tags\":{\"costCenter\":\"CC-");
    sy_put_u64(o, 1000 + sy_below(&v->r, 9000));
    SY_LIT(o, "\",\"owner\":\"");
    sy_puts(o, v->w->u[t->user0].upn);
    SY_LIT(o, "\",\"workload\":\"");
    sy_puts(o, workload);
    SY_LIT(o, "\"");
    if (t->governed)
        SY_LIT(o, ",\"managedBy\":\"Meridian Sovereign Cloud\"");
    SY_LIT(o, "}");
}

/* ---- resources ---- */

static const char *const rtype_lower[SY_RT__COUNT] = {
    "microsoft.storage/storageaccounts",      "microsoft.operationalinsights/workspaces",
    "microsoft.network/virtualnetworks",      "microsoft.network/networksecuritygroups",
    "microsoft.compute/virtualmachines",      "microsoft.keyvault/vaults",
    "microsoft.network/expressroutecircuits",
};

static void storage_props(struct inv *v, const struct sy_res *a)
{
    const struct sy_world *w = v->w;
    const struct sy_tenant *t = &w->t[a->tenant];
    struct sy_w *o = v->o;
    bool silo = t->kind == SY_TK_SILO;
    bool geo = strstr(a->sku, "GRS") != NULL;
    bool ra = strncmp(a->sku, "Standard_RA", 11) == 0;
    const struct sy_region *sec = geo && a->loc->pair != NULL ? sy_region_find(a->loc->pair) : NULL;

    SY_LIT(o, "\"sku\":{\"name\":\"");
    sy_puts(o, a->sku);
    SY_LIT(o, "\",\"tier\":\"Standard\"},\"properties\":{\"keyCreationTime\":{\"key1\":\"");
    sy_put_t7(o, a->created);
    SY_LIT(o, "\",\"key2\":\"");
    sy_put_t7(o, a->created);
    SY_LIT(o, "\"},\"allowCrossTenantReplication\":false,\"privateEndpointConnections\":[],");
    if (silo) {
        SY_LIT(o, "\"minimumTlsVersion\":\"TLS1_0\",\"allowBlobPublicAccess\":true,"
                  "\"allowSharedKeyAccess\":true,\"publicNetworkAccess\":\"Enabled\","
                  "\"networkAcls\":{\"ipv6Rules\":[],\"bypass\":\"AzureServices\","
                  "\"virtualNetworkRules\":[],\"ipRules\":[],\"defaultAction\":\"Allow\"},");
    } else {
        SY_LIT(o, "\"minimumTlsVersion\":\"TLS1_2\",\"allowBlobPublicAccess\":false,"
                  "\"allowSharedKeyAccess\":");
        if (a->role == SY_SR_VOICE || a->role == SY_SR_CALLC)
            SY_LIT(o, "false");
        else
            SY_LIT(o, "true");
        SY_LIT(o, ",\"defaultToOAuthAuthentication\":true,\"publicNetworkAccess\":\"Enabled\","
                  "\"networkAcls\":{\"ipv6Rules\":[],\"bypass\":\"AzureServices\","
                  "\"virtualNetworkRules\":[");
        if (t->vnet >= 0) {
            SY_LIT(o, "{\"id\":\"");
            sy_puts(o, w->r[t->vnet].id_lower);
            SY_LIT(o, "/subnets/snet-app\",\"action\":\"Allow\",\"state\":\"Succeeded\"}");
        }
        SY_LIT(o, "],\"ipRules\":[{\"value\":\"");
        sy_put_ipv4(o, t->egress[0]);
        SY_LIT(o, "\",\"action\":\"Allow\"},{\"value\":\"");
        sy_put_ipv4(o, t->egress[1]);
        SY_LIT(o, "\",\"action\":\"Allow\"}],\"defaultAction\":\"Deny\"},");
    }
    SY_LIT(o, "\"supportsHttpsTrafficOnly\":");
    if (silo)
        SY_LIT(o, "false");
    else
        SY_LIT(o, "true");
    SY_LIT(o, ",\"encryption\":{\"requireInfrastructureEncryption\":false,\"services\":{"
              "\"file\":{\"keyType\":\"Account\",\"enabled\":true,\"lastEnabledTime\":\"");
    sy_put_t7(o, a->created);
    SY_LIT(o, "\"},\"blob\":{\"keyType\":\"Account\",\"enabled\":true,\"lastEnabledTime\":\"");
    sy_put_t7(o, a->created);
    SY_LIT(o, "\"}},\"keySource\":\"Microsoft.Storage\"},");
    if (a->role == SY_SR_VOICE) {
        SY_LIT(o, "\"immutableStorageWithVersioning\":{\"enabled\":true,\"immutabilityPolicy\":{"
                  "\"immutabilityPeriodSinceCreationInDays\":3650,\"state\":\"Unlocked\","
                  "\"allowProtectedAppendWrites\":false}},");
    } else if (a->role == SY_SR_LOGS && a->retention_days > 30) {
        SY_LIT(o, "\"immutableStorageWithVersioning\":{\"enabled\":true,\"immutabilityPolicy\":{"
                  "\"immutabilityPeriodSinceCreationInDays\":365,\"state\":\"Locked\","
                  "\"allowProtectedAppendWrites\":true}},");
    }
    SY_LIT(o, "\"accessTier\":\"");
    if (a->role == SY_SR_CALLC)
        SY_LIT(o, "Cool");
    else
        SY_LIT(o, "Hot");
    SY_LIT(o, "\",\"provisioningState\":\"Succeeded\",\"creationTime\":\"");
    sy_put_t7(o, a->created);
    SY_LIT(o, "\",\"primaryEndpoints\":{\"dfs\":\"https://");
    sy_puts(o, a->name);
    SY_LIT(o, ".dfs.core.windows.net/\",\"web\":\"https://");
    sy_puts(o, a->name);
    SY_LIT(o, ".z6.web.core.windows.net/\",\"blob\":\"https://");
    sy_puts(o, a->name);
    SY_LIT(o, ".blob.core.windows.net/\",\"queue\":\"https://");
    sy_puts(o, a->name);
    SY_LIT(o, ".queue.core.windows.net/\",\"table\":\"https://");
    sy_puts(o, a->name);
    SY_LIT(o, ".table.core.windows.net/\",\"file\":\"https://");
    sy_puts(o, a->name);
    SY_LIT(o, ".file.core.windows.net/\"},");
    put_loc_pair(o, a->loc);
    if (sec != NULL) {
        SY_LIT(o, ",\"secondaryLocation\":\"");
        sy_puts(o, sec->name);
        SY_LIT(o, "\",\"statusOfSecondary\":\"available\"");
        if (ra) {
            SY_LIT(o, ",\"secondaryEndpoints\":{\"blob\":\"https://");
            sy_puts(o, a->name);
            SY_LIT(o, "-secondary.blob.core.windows.net/\",\"table\":\"https://");
            sy_puts(o, a->name);
            SY_LIT(o, "-secondary.table.core.windows.net/\"}");
        }
    }
    SY_LIT(o, ",\"isHnsEnabled\":false,\"isSftpEnabled\":false,\"isLocalUserEnabled\":false}");
}

static void workspace_props(struct inv *v, const struct sy_res *a)
{
    struct sy_w *o = v->o;

    SY_LIT(o, "\"sku\":null,\"properties\":{\"customerId\":\"");
    sy_puts(o, a->guid);
    SY_LIT(o, "\",\"provisioningState\":\"Succeeded\",\"sku\":{\"name\":\"PerGB2018\","
              "\"lastSkuUpdate\":\"");
    sy_put_t7(o, a->created);
    SY_LIT(o, "\"},\"retentionInDays\":");
    sy_put_u64(o, a->retention_days);
    SY_LIT(o, ",\"features\":{\"legacy\":0,\"searchVersion\":1,"
              "\"enableLogAccessUsingOnlyResourcePermissions\":true},\"workspaceCapping\":{"
              "\"dailyQuotaGb\":-1.0,\"quotaNextResetTime\":\"");
    sy_put_t7(o, v->w->end);
    SY_LIT(o, "\",\"dataIngestionStatus\":\"RespectQuota\"},\"publicNetworkAccessForIngestion\":"
              "\"Enabled\",\"publicNetworkAccessForQuery\":\"Enabled\",\"createdDate\":\"");
    sy_put_t7(o, a->created);
    SY_LIT(o, "\",\"modifiedDate\":\"");
    sy_put_t7(o, a->created + 37 * SY_TICKS_PER_DAY);
    SY_LIT(o, "\"}");
}

/* VNet with its subnets and peerings; the hub peers with every governed spoke. */
static int vnet_props(struct inv *v, const struct sy_res *a)
{
    const struct sy_world *w = v->w;
    const struct sy_tenant *t = &w->t[a->tenant];
    const struct sy_tenant *prov = &w->t[w->provider];
    const struct sy_res *hub = prov->vnet >= 0 ? &w->r[prov->vnet] : NULL;
    struct sy_w *o = v->o;
    bool first = true;
    int r;

    SY_LIT(o,
           "\"sku\":null,\"properties\":{\"provisioningState\":\"Succeeded\",\"resourceGuid\":\"");
    sy_puts(o, a->guid);
    SY_LIT(o, "\",\"addressSpace\":{\"addressPrefixes\":[\"10.");
    sy_put_u64(o, a->octet);
    SY_LIT(o, ".0.0/16\"]},\"subnets\":[");
    if (t->kind == SY_TK_SILO) {
        SY_LIT(o, "{\"name\":\"GatewaySubnet\",\"id\":\"");
        sy_puts(o, a->id_lower);
        SY_LIT(o, "/subnets/gatewaysubnet\",\"properties\":{\"addressPrefix\":\"10.200.255.0/27\"}"
                  "},{\"name\":\"snet-compute\",\"id\":\"");
        sy_puts(o, a->id_lower);
        SY_LIT(o, "/subnets/snet-compute\",\"properties\":{\"addressPrefix\":\"10.200.1.0/24\"}}");
    } else {
        SY_LIT(o, "{\"name\":\"snet-app\",\"id\":\"");
        sy_puts(o, a->id_lower);
        SY_LIT(o, "/subnets/snet-app\",\"properties\":{\"addressPrefix\":\"10.");
        sy_put_u64(o, a->octet);
        SY_LIT(o, ".1.0/24\",\"serviceEndpoints\":[{\"service\":\"Microsoft.Storage\","
                  "\"locations\":[\"");
        sy_puts(o, a->loc->name);
        SY_LIT(o, "\"]}]}}");
    }
    SY_LIT(o, "],\"virtualNetworkPeerings\":[");
    if (t->kind == SY_TK_PROVIDER) {
        for (size_t i = 0; i < w->n_t; i++) {
            const struct sy_tenant *spoke = &w->t[i];
            const struct sy_res *sv;

            if (spoke->kind == SY_TK_PROVIDER || spoke->kind == SY_TK_SILO || spoke->vnet < 0)
                continue;
            r = need(v);
            if (r < 0)
                return r;
            sv = &w->r[spoke->vnet];
            if (!first)
                sy_putc(o, ',');
            first = false;
            SY_LIT(o, "{\"name\":\"peer-hub-to-");
            sy_puts(o, spoke->name);
            SY_LIT(o, "\",\"id\":\"");
            sy_puts(o, a->id_lower);
            SY_LIT(o, "/virtualnetworkpeerings/peer-hub-to-");
            sy_puts(o, spoke->name);
            SY_LIT(o, "\",\"properties\":{\"remoteVirtualNetwork\":{\"id\":\"");
            sy_puts(o, sv->id);
            SY_LIT(o, "\"},\"peeringState\":\"Connected\",\"peeringSyncLevel\":\"FullyInSync\","
                      "\"allowVirtualNetworkAccess\":true,\"allowForwardedTraffic\":true,"
                      "\"allowGatewayTransit\":true,\"useRemoteGateways\":false,"
                      "\"remoteAddressSpace\":{\"addressPrefixes\":[\"10.");
            sy_put_u64(o, sv->octet);
            SY_LIT(o, ".0.0/16\"]}}}");
        }
    } else if (t->kind != SY_TK_SILO && hub != NULL) {
        SY_LIT(o, "{\"name\":\"peer-to-meridian-hub\",\"id\":\"");
        sy_puts(o, a->id_lower);
        SY_LIT(o, "/virtualnetworkpeerings/peer-to-meridian-hub\",\"properties\":{"
                  "\"remoteVirtualNetwork\":{\"id\":\"");
        sy_puts(o, hub->id);
        SY_LIT(o, "\"},\"peeringState\":\"Connected\",\"peeringSyncLevel\":\"FullyInSync\","
                  "\"allowVirtualNetworkAccess\":true,\"allowForwardedTraffic\":true,"
                  "\"allowGatewayTransit\":false,\"useRemoteGateways\":true,"
                  "\"remoteAddressSpace\":{\"addressPrefixes\":[\"10.0.0.0/16\"]}}}");
    }
    r = need(v);
    if (r < 0)
        return r;
    SY_LIT(o, "],\"enableDdosProtection\":false}");
    return 0;
}

static void vm_props(struct inv *v, const struct sy_res *a)
{
    const struct sy_tenant *t = &v->w->t[a->tenant];
    struct sy_w *o = v->o;

    SY_LIT(o, "\"sku\":null,\"identity\":{\"type\":\"SystemAssigned\",\"principalId\":\"");
    sy_put_guid(o, &v->r);
    SY_LIT(o, "\",\"tenantId\":\"");
    sy_puts(o, t->id);
    SY_LIT(o, "\"},\"properties\":{\"vmId\":\"");
    sy_puts(o, a->guid);
    SY_LIT(o, "\",\"hardwareProfile\":{\"vmSize\":\"");
    sy_puts(o, a->sku);
    SY_LIT(o, "\"},\"storageProfile\":{\"imageReference\":{\"publisher\":\"Canonical\","
              "\"offer\":\"0001-com-ubuntu-server-jammy\",\"sku\":\"22_04-lts-gen2\","
              "\"version\":\"latest\"},\"osDisk\":{\"osType\":\"Linux\",\"name\":\"");
    sy_puts(o, a->name);
    SY_LIT(o, "_OsDisk_1_");
    sy_put_hex(o, &v->r, 32, false);
    SY_LIT(o, "\",\"createOption\":\"FromImage\",\"caching\":\"ReadWrite\",\"managedDisk\":{"
              "\"storageAccountType\":\"Premium_LRS\"},\"diskSizeGB\":64}},\"osProfile\":{"
              "\"computerName\":\"");
    sy_puts(o, a->name);
    SY_LIT(o, "\",\"adminUsername\":\"azureuser\",\"linuxConfiguration\":{"
              "\"disablePasswordAuthentication\":true,\"provisionVMAgent\":true}},"
              "\"networkProfile\":{\"networkInterfaces\":[{\"id\":\"");
    sy_puts(o, a->id_lower);
    o->p -= strlen(a->name) + strlen("microsoft.compute/virtualmachines/");
    SY_LIT(o, "microsoft.network/networkinterfaces/");
    sy_puts(o, a->name);
    SY_LIT(o, "-nic\"}]},\"provisioningState\":\"Succeeded\",\"timeCreated\":\"");
    sy_put_t7(o, a->created);
    SY_LIT(o, "\"}");
}

static void vault_props(struct inv *v, const struct sy_res *a)
{
    const struct sy_tenant *t = &v->w->t[a->tenant];
    struct sy_w *o = v->o;

    SY_LIT(o, "\"sku\":null,\"properties\":{\"sku\":{\"family\":\"A\",\"name\":\"standard\"},"
              "\"tenantId\":\"");
    sy_puts(o, t->id);
    SY_LIT(o, "\",\"accessPolicies\":[],\"enabledForDeployment\":false,\"enableSoftDelete\":true,"
              "\"softDeleteRetentionInDays\":90,\"enableRbacAuthorization\":true,"
              "\"enablePurgeProtection\":true,\"vaultUri\":\"https://");
    sy_puts(o, a->name);
    SY_LIT(o, ".vault.azure.net/\",\"provisioningState\":\"Succeeded\",\"publicNetworkAccess\":"
              "\"Disabled\"}");
}

static void nsg_props(struct inv *v, const struct sy_res *a)
{
    struct sy_w *o = v->o;

    SY_LIT(o,
           "\"sku\":null,\"properties\":{\"provisioningState\":\"Succeeded\",\"resourceGuid\":\"");
    sy_puts(o, a->guid);
    SY_LIT(o, "\",\"securityRules\":[{\"name\":\"Allow-HTTPS-Inbound\",\"id\":\"");
    sy_puts(o, a->id_lower);
    SY_LIT(o, "/securityrules/allow-https-inbound\",\"properties\":{\"protocol\":\"Tcp\","
              "\"sourcePortRange\":\"*\",\"destinationPortRange\":\"443\",\"sourceAddressPrefix\":"
              "\"AzureFrontDoor.Backend\",\"destinationAddressPrefix\":\"VirtualNetwork\","
              "\"access\":\"Allow\",\"priority\":100,\"direction\":\"Inbound\"}},{\"name\":"
              "\"Deny-All-Inbound\",\"id\":\"");
    sy_puts(o, a->id_lower);
    SY_LIT(o, "/securityrules/deny-all-inbound\",\"properties\":{\"protocol\":\"*\","
              "\"sourcePortRange\":\"*\",\"destinationPortRange\":\"*\",\"sourceAddressPrefix\":"
              "\"*\",\"destinationAddressPrefix\":\"*\",\"access\":\"Deny\",\"priority\":4096,"
              "\"direction\":\"Inbound\"}}]}");
}

static void erc_props(struct inv *v, const struct sy_res *a)
{
    struct sy_w *o = v->o;

    SY_LIT(o, "\"sku\":{\"name\":\"Standard_MeteredData\",\"tier\":\"Standard\",\"family\":"
              "\"MeteredData\"},\"properties\":{\"provisioningState\":\"Succeeded\","
              "\"circuitProvisioningState\":\"Enabled\",\"serviceProviderProvisioningState\":"
              "\"Provisioned\",\"serviceKey\":\"");
    sy_puts(o, a->guid);
    SY_LIT(o, "\",\"serviceProviderProperties\":{\"serviceProviderName\":\"Equinix\","
              "\"peeringLocation\":\"Amsterdam2\",\"bandwidthInMbps\":1000},\"peerings\":[{"
              "\"name\":\"AzurePrivatePeering\",\"id\":\"");
    sy_puts(o, a->id_lower);
    SY_LIT(o, "/peerings/azureprivatepeering\",\"properties\":{\"peeringType\":"
              "\"AzurePrivatePeering\",\"azureASN\":12076,\"peerASN\":64620,"
              "\"primaryPeerAddressPrefix\":\"192.168.100.0/30\",\"secondaryPeerAddressPrefix\":"
              "\"192.168.100.4/30\",\"vlanId\":200,\"state\":\"Enabled\"}}],\"authorizations\":[],"
              "\"globalReachEnabled\":false,\"allowClassicOperations\":false}");
}

static const char *workload_of(const struct sy_res *a)
{
    switch (a->role) {
    case SY_SR_LOGS:
        return "logging";
    case SY_SR_VOICE:
        return "voice-analytics";
    case SY_SR_CALLC:
        return "contact-centre";
    case SY_SR_REPLICA:
        return "disaster-recovery";
    default:
        return a->type == SY_RT_VNET || a->type == SY_RT_NSG || a->type == SY_RT_ERC ? "network"
                                                                                     : "app";
    }
}

static int write_resources(struct inv *v)
{
    const struct sy_world *w = v->w;
    struct sy_w *o = v->o;
    int r;

    for (size_t i = 0; i < w->n_r; i++) {
        const struct sy_res *a = &w->r[i];
        const struct sy_tenant *t = &w->t[a->tenant];
        const char *kind = a->type == SY_RT_STORAGE ? "StorageV2" : "";

        r = need(v);
        if (r < 0)
            return r;
        arg_head(v, a->id_lower, a->name, rtype_lower[a->type], t->id, kind, a->loc->name, a->rg,
                 w->s[a->sub].id);
        switch (a->type) {
        case SY_RT_STORAGE:
            storage_props(v, a);
            break;
        case SY_RT_WORKSPACE:
            workspace_props(v, a);
            break;
        case SY_RT_VNET:
            r = vnet_props(v, a);
            if (r < 0)
                return r;
            break;
        case SY_RT_VM:
            vm_props(v, a);
            break;
        case SY_RT_KEYVAULT:
            vault_props(v, a);
            break;
        case SY_RT_NSG:
            nsg_props(v, a);
            break;
        case SY_RT_ERC:
        default:
            erc_props(v, a);
            break;
        }
        put_tags(v, t, workload_of(a));
        if (a->type != SY_RT_VM)
            SY_LIT(o, ",\"identity\":null");
        arg_tail(o);
    }
    return 0;
}

/* ---- resource containers ---- */

static void mg_row(struct inv *v, const struct sy_tenant *t, unsigned level)
{
    static const char *const names[] = { "Meridian Sovereign Cloud", "Landing Zones", "Corp" };
    struct sy_w *o = v->o;
    char id[160], name[80];
    struct sy_w iw = { .base = id, .p = id, .end = id + sizeof(id) };
    struct sy_w nw = { .base = name, .p = name, .end = name + sizeof(name) };

    sy_put_mg(&nw, t, level);
    *nw.p = '\0';
    SY_LIT(&iw, "/providers/microsoft.management/managementgroups/");
    sy_puts(&iw, name);
    *iw.p = '\0';
    arg_head(v, id, name, "microsoft.management/managementgroups", t->id, "", "", "", "");
    SY_LIT(o, "\"sku\":null,\"properties\":{\"displayName\":\"");
    sy_puts(o, names[level]);
    SY_LIT(o, "\",\"details\":{\"parent\":{\"id\":\"/providers/Microsoft.Management/"
              "managementGroups/");
    if (level == 0) {
        sy_puts(o, t->id);
        SY_LIT(o, "\",\"name\":\"");
        sy_puts(o, t->id);
        SY_LIT(o, "\",\"displayName\":\"Tenant Root Group\"}");
    } else {
        sy_put_mg(o, t, level - 1);
        SY_LIT(o, "\",\"name\":\"");
        sy_put_mg(o, t, level - 1);
        SY_LIT(o, "\",\"displayName\":\"");
        sy_puts(o, names[level - 1]);
        SY_LIT(o, "\"}");
    }
    SY_LIT(o, ",\"updatedTime\":\"");
    sy_put_t7(o, v->w->start - 400 * SY_TICKS_PER_DAY);
    SY_LIT(o, "\",\"updatedBy\":\"");
    sy_puts(o, v->w->u[v->w->t[v->w->provider].user0].id);
    SY_LIT(o, "\",\"version\":");
    sy_put_u64(o, 2 + level);
    SY_LIT(o, ",\"managementGroupAncestorsChain\":[");
    for (unsigned k = level; k-- > 0;) {
        SY_LIT(o, "{\"name\":\"");
        sy_put_mg(o, t, k);
        SY_LIT(o, "\",\"displayName\":\"");
        sy_puts(o, names[k]);
        SY_LIT(o, "\"},");
    }
    SY_LIT(o, "{\"name\":\"");
    sy_puts(o, t->id);
    SY_LIT(o, "\",\"displayName\":\"Tenant Root Group\"}]}},\"tags\":null,\"identity\":null");
    arg_tail(o);
}

static int write_containers(struct inv *v)
{
    static const char *const names[] = { "Meridian Sovereign Cloud", "Landing Zones", "Corp" };
    const struct sy_world *w = v->w;
    struct sy_w *o = v->o;
    char id[256];
    int r;

    for (size_t ti = 0; ti < w->n_t; ti++) {
        const struct sy_tenant *t = &w->t[ti];

        for (unsigned level = 0; t->governed && level < 3; level++) {
            r = need(v);
            if (r < 0)
                return r;
            mg_row(v, t, level);
        }
        for (uint32_t k = 0; k < t->n_subs; k++) {
            const struct sy_sub *s = &w->s[t->sub0 + k];

            r = need(v);
            if (r < 0)
                return r;
            snprintf(id, sizeof(id), "/subscriptions/%s", s->id);
            arg_head(v, id, s->display, "microsoft.resources/subscriptions", t->id, "", "", "",
                     s->id);
            SY_LIT(o, "\"sku\":null,\"properties\":{\"subscriptionPolicies\":{"
                      "\"locationPlacementId\":\"Public_2014-09-01\",\"quotaId\":\"");
            if (t->governed)
                SY_LIT(o, "EnterpriseAgreement_2014-09-01");
            else
                SY_LIT(o, "PayAsYouGo_2014-09-01");
            SY_LIT(o, "\",\"spendingLimit\":\"Off\"},\"managementGroupAncestorsChain\":[");
            for (unsigned level = 3; t->governed && level-- > 0;) {
                SY_LIT(o, "{\"name\":\"");
                sy_put_mg(o, t, level);
                SY_LIT(o, "\",\"displayName\":\"");
                sy_puts(o, names[level]);
                SY_LIT(o, "\"},");
            }
            SY_LIT(o, "{\"name\":\"");
            sy_puts(o, t->id);
            SY_LIT(o, "\",\"displayName\":\"Tenant Root Group\"}],\"state\":\"Enabled\"}");
            put_tags(v, t, "subscription");
            SY_LIT(o, ",\"identity\":null");
            arg_tail(o);
            /* resource groups, in order of first use */
            for (uint32_t i = 0; i < s->n_res; i++) {
                const struct sy_res *a = &w->r[s->res0 + i];
                bool seen = false;

                for (uint32_t j = 0; j < i && !seen; j++)
                    seen = strcmp(w->r[s->res0 + j].rg, a->rg) == 0;
                if (seen)
                    continue;
                r = need(v);
                if (r < 0)
                    return r;
                snprintf(id, sizeof(id), "/subscriptions/%s/resourcegroups/%s", s->id, a->rg);
                arg_head(v, id, a->rg, "microsoft.resources/subscriptions/resourcegroups", t->id,
                         "", a->loc->name, a->rg, s->id);
                SY_LIT(o, "\"sku\":null,\"properties\":{\"provisioningState\":\"Succeeded\"}");
                put_tags(v, t, workload_of(a));
                SY_LIT(o, ",\"identity\":null");
                arg_tail(o);
            }
        }
    }
    return 0;
}

/* ---- authorization ---- */

static int write_authorization(struct inv *v)
{
    const struct sy_world *w = v->w;
    struct sy_w *o = v->o;
    char id[256];
    int r;

    for (size_t i = 0; i < w->n_ra; i++) {
        const struct sy_ra *ra = &w->ra[i];
        const struct sy_sub *s = &w->s[ra->sub];
        const struct sy_tenant *t = &w->t[s->tenant];

        r = need(v);
        if (r < 0)
            return r;
        snprintf(id, sizeof(id),
                 "/subscriptions/%s/providers/microsoft.authorization/"
                 "roleassignments/%s",
                 s->id, ra->id);
        arg_head(v, id, ra->id, "microsoft.authorization/roleassignments", t->id, "", "", "",
                 s->id);
        SY_LIT(o, "\"sku\":null,\"properties\":{\"roleDefinitionId\":\"/subscriptions/");
        sy_puts(o, s->id);
        SY_LIT(o, "/providers/Microsoft.Authorization/roleDefinitions/");
        sy_puts(o, ra->role_id);
        SY_LIT(o, "\",\"principalId\":\"");
        sy_puts(o, ra->principal);
        SY_LIT(o, "\",\"principalType\":\"");
        sy_puts(o, ra->ptype);
        SY_LIT(o, "\",\"scope\":\"/subscriptions/");
        sy_puts(o, s->id);
        SY_LIT(o, "\",\"createdOn\":\"");
        sy_put_t7(o, ra->created);
        SY_LIT(o, "\",\"updatedOn\":\"");
        sy_put_t7(o, ra->created);
        SY_LIT(o, "\",\"createdBy\":\"");
        sy_puts(o, w->u[t->user0].id);
        SY_LIT(o, "\",\"updatedBy\":\"");
        sy_puts(o, w->u[t->user0].id);
        SY_LIT(o, "\",\"condition\":null,\"conditionVersion\":null,"
                  "\"delegatedManagedIdentityResourceId\":null,\"description\":null},"
                  "\"tags\":null,\"identity\":null");
        arg_tail(o);
    }
    return 0;
}

/* ---- policy ---- */

/* The regions a tenant is allowed to use: its geography (all of the EU for EU tenants). */
static void put_allowed(struct sy_w *o, const struct sy_tenant *t)
{
    bool first = true;

    for (size_t i = 0; i < sy_n_regions; i++) {
        const struct sy_region *reg = &sy_regions[i];
        bool ok = t->region->eu ? reg->eu : strcmp(reg->geo, t->region->geo) == 0;

        if (!ok)
            continue;
        if (!first)
            sy_putc(o, ',');
        first = false;
        sy_putc(o, '"');
        sy_puts(o, reg->name);
        sy_putc(o, '"');
    }
}

struct pa_def {
    const char *name;
    const char *display;
    const char *def;
    bool set;
    bool dine;
};

static const struct pa_def pa_defs[] = {
    { SY_PA_BENCH, "Microsoft cloud security benchmark", SY_POLSET_BENCH, true, false },
    { SY_PA_LOCATIONS, "Allowed locations", SY_POLDEF_LOCATIONS, false, false },
    { SY_PA_ACTIVITY,
      "Configure Azure Activity logs to stream to specified Log Analytics "
      "workspace",
      SY_POLDEF_ACTIVITY_LA, false, true },
    { SY_PA_SECURE_TRANSFER, "Secure transfer to storage accounts should be enabled",
      SY_POLDEF_SECURE_TRANSFER, false, false },
};

static int write_policy(struct inv *v)
{
    const struct sy_world *w = v->w;
    struct sy_w *o = v->o;
    char id[256], mg[96];
    int r;

    for (size_t ti = 0; ti < w->n_t; ti++) {
        const struct sy_tenant *t = &w->t[ti];
        struct sy_w mw = { .base = mg, .p = mg, .end = mg + sizeof(mg) };

        if (!t->governed)
            continue;
        sy_put_mg(&mw, t, 0);
        *mw.p = '\0';
        for (size_t k = 0; k < SS_ARRAY_LEN(pa_defs); k++) {
            const struct pa_def *p = &pa_defs[k];

            r = need(v);
            if (r < 0)
                return r;
            snprintf(id, sizeof(id),
                     "/providers/microsoft.management/managementgroups/%s/"
                     "providers/microsoft.authorization/policyassignments/%s",
                     mg, p->name);
            arg_head(v, id, p->name, "microsoft.authorization/policyassignments", t->id, "",
                     t->region->name, "", "");
            SY_LIT(o, "\"sku\":null,\"properties\":{\"displayName\":\"");
            sy_puts(o, p->display);
            SY_LIT(o, "\",\"description\":\"Assigned by the Meridian landing zone.\","
                      "\"policyDefinitionId\":\"/providers/Microsoft.Authorization/");
            if (p->set)
                SY_LIT(o, "policySetDefinitions/");
            else
                SY_LIT(o, "policyDefinitions/");
            sy_puts(o, p->def);
            SY_LIT(o, "\",\"scope\":\"/providers/Microsoft.Management/managementGroups/");
            sy_puts(o, mg);
            SY_LIT(o, "\",\"notScopes\":[],\"parameters\":{");
            if (strcmp(p->name, SY_PA_LOCATIONS) == 0) {
                SY_LIT(o, "\"listOfAllowedLocations\":{\"value\":[");
                put_allowed(o, t);
                SY_LIT(o, "]}");
            } else if (p->dine && t->workspace >= 0) {
                SY_LIT(o, "\"logAnalytics\":{\"value\":\"");
                sy_puts(o, w->r[t->workspace].id);
                SY_LIT(o, "\"}");
            }
            SY_LIT(o, "},\"enforcementMode\":\"");
            /* the residency host's location policy was switched to audit-only */
            if (ti == w->sc_residency && strcmp(p->name, SY_PA_LOCATIONS) == 0)
                SY_LIT(o, "DoNotEnforce");
            else
                SY_LIT(o, "Default");
            SY_LIT(o,
                   "\",\"metadata\":{\"assignedBy\":\"Meridian Platform Team\",\"createdBy\":\"");
            sy_puts(o, w->u[w->t[w->provider].user0].id);
            SY_LIT(o, "\",\"createdOn\":\"");
            sy_put_t7(o, w->start - 380 * SY_TICKS_PER_DAY);
            SY_LIT(o, "\"},\"nonComplianceMessages\":[{\"message\":\"");
            if (strcmp(p->name, SY_PA_LOCATIONS) == 0)
                SY_LIT(o, "Resources must stay in the contracted geography.");
            else
                SY_LIT(o, "Required by the Meridian security baseline.");
            SY_LIT(o, "\"}]},\"tags\":null,\"identity\":");
            if (p->dine) {
                SY_LIT(o, "{\"type\":\"SystemAssigned\",\"principalId\":\"");
                sy_put_guid(o, &v->r);
                SY_LIT(o, "\",\"tenantId\":\"");
                sy_puts(o, t->id);
                SY_LIT(o, "\"}");
            } else {
                SY_LIT(o, "null");
            }
            arg_tail(o);
        }
    }
    return 0;
}

/* ---- Lighthouse ---- */

static int write_managed_services(struct inv *v)
{
    const struct sy_world *w = v->w;
    const struct sy_tenant *prov = &w->t[w->provider];
    struct sy_w *o = v->o;
    char id[256], def_id[37], asg_id[37], def_full[200];
    int r;

    for (size_t ti = 0; ti < w->n_t; ti++) {
        const struct sy_tenant *t = &w->t[ti];
        struct sy_rng rr;

        if (!t->governed || t->kind == SY_TK_PROVIDER)
            continue;
        sy_rng_seed(&rr, w->seed, sy_mix(0x6c69676874, ti));
        sy_guid(&rr, def_id); /* same stream as the activity evidence: first draw */
        sy_guid(&rr, def_id);
        sy_guid(&rr, asg_id);
        for (uint32_t k = 0; k < t->n_subs; k++) {
            const struct sy_sub *s = &w->s[t->sub0 + k];

            r = need(v);
            if (r < 0)
                return r;
            snprintf(id, sizeof(id),
                     "/subscriptions/%s/providers/microsoft.managedservices/"
                     "registrationdefinitions/%s",
                     s->id, def_id);
            arg_head(v, id, def_id, "microsoft.managedservices/registrationdefinitions", t->id, "",
                     "", "", s->id);
            SY_LIT(o, "\"sku\":null,\"properties\":{\"registrationDefinitionName\":\"Meridian "
                      "Managed Operations\",\"description\":\"Operations and support by Meridian "
                      "Sovereign Cloud\",\"managedByTenantId\":\"");
            sy_puts(o, prov->id);
            SY_LIT(o, "\",\"managedByTenantName\":\"");
            sy_puts(o, prov->display);
            SY_LIT(o, "\",\"manageeTenantId\":\"");
            sy_puts(o, t->id);
            SY_LIT(o, "\",\"manageeTenantName\":\"");
            sy_puts(o, t->display);
            SY_LIT(
                o,
                "\",\"authorizations\":[{\"principalId\":\"6b1c2d3e-4f50-4a61-8b72-9c83d4e5f607\","
                "\"principalIdDisplayName\":\"MSC "
                "Operations\",\"roleDefinitionId\":\"" SY_ROLE_READER
                "\"}],\"eligibleAuthorizations\":[{\"principalId\":"
                "\"7c2d3e4f-5061-4b72-9c83-ad94e5f60718\",\"principalIdDisplayName\":"
                "\"MSC Support Engineers\",\"roleDefinitionId\":\"" SY_ROLE_CONTRIBUTOR
                "\",\"justInTimeAccessPolicy\":{\"multiFactorAuthProvider\":\"Azure\","
                "\"maximumActivationDuration\":\"PT8H\",\"managedByTenantApprovers\":[]}}],"
                "\"provisioningState\":\"Succeeded\"},\"tags\":null,\"identity\":null");
            arg_tail(o);
            r = need(v);
            if (r < 0)
                return r;
            snprintf(def_full, sizeof(def_full),
                     "/subscriptions/%s/providers/"
                     "Microsoft.ManagedServices/"
                     "registrationDefinitions/%s",
                     s->id, def_id);
            snprintf(id, sizeof(id),
                     "/subscriptions/%s/providers/microsoft.managedservices/"
                     "registrationassignments/%s",
                     s->id, asg_id);
            arg_head(v, id, asg_id, "microsoft.managedservices/registrationassignments", t->id, "",
                     "", "", s->id);
            SY_LIT(o, "\"sku\":null,\"properties\":{\"registrationDefinitionId\":\"");
            sy_puts(o, def_full);
            SY_LIT(o, "\",\"provisioningState\":\"Succeeded\"},\"tags\":null,\"identity\":null");
            arg_tail(o);
        }
    }
    return 0;
}

typedef int (*table_fn)(struct inv *v);

/*
 * One Resource Graph table in the az graph query envelope. The rows are built first, then
 * wrapped, so "count" can lead as az prints it.
 */
static int write_table(struct inv *v, const char *rel, table_fn fn)
{
    struct sy_w tmp;
    size_t n, len;
    int r;

    sy_w_reset(v->o, -1);
    v->first = true;
    v->n_rows = 0;
    r = fn(v);
    if (r < 0)
        return r;
    n = v->n_rows;
    len = sy_w_len(v->o);
    sy_w_reset(v->out, -1);
    r = sy_w_reserve(v->out, len + 256);
    if (r < 0)
        return r;
    SY_LIT(v->out, "{\"count\":");
    sy_put_u64(v->out, n);
    SY_LIT(v->out, ",\"data\":[");
    sy_put(v->out, v->o->base, len);
    SY_LIT(v->out, "],\"skip_token\":null,\"total_records\":");
    sy_put_u64(v->out, n);
    sy_putc(v->out, '}');
    tmp = *v->o;
    *v->o = *v->out;
    *v->out = tmp;
    v->n_rows = n;
    return flush_file(v, rel);
}

/* ---- ARM objects ---- */

static void put_retention_off(struct sy_w *o)
{
    SY_LIT(o, ",\"retentionPolicy\":{\"enabled\":false,\"days\":0}}");
}

static void put_sub_setting(struct inv *v, const struct sy_sub *s, const struct sy_tenant *t)
{
    static const char *const cats[] = { "Administrative", "Security",       "ServiceHealth",
                                        "Alert",          "Recommendation", "Policy",
                                        "Autoscale",      "ResourceHealth" };
    const struct sy_world *w = v->w;
    struct sy_w *o = v->o;

    sep(v);
    SY_LIT(o, "{\"id\":\"/subscriptions/");
    sy_puts(o, s->id);
    SY_LIT(o, "/providers/microsoft.insights/diagnosticSettings/");
    sy_puts(o, s->diag_name);
    SY_LIT(o, "\",\"name\":\"");
    sy_puts(o, s->diag_name);
    SY_LIT(o, "\",\"type\":\"Microsoft.Insights/diagnosticSettings\",\"location\":\"global\","
              "\"properties\":{\"storageAccountId\":\"");
    sy_puts(o, w->r[t->log_acct].id);
    SY_LIT(o, "\",\"workspaceId\":");
    if (t->workspace >= 0) {
        sy_putc(o, '"');
        sy_puts(o, w->r[t->workspace].id);
        sy_putc(o, '"');
    } else {
        SY_LIT(o, "null");
    }
    SY_LIT(o, ",\"eventHubAuthorizationRuleId\":null,\"eventHubName\":null,"
              "\"serviceBusRuleId\":null,\"marketplacePartnerId\":null,"
              "\"logAnalyticsDestinationType\":null,\"logs\":[");
    for (size_t i = 0; i < SS_ARRAY_LEN(cats); i++) {
        if (i > 0)
            sy_putc(o, ',');
        SY_LIT(o, "{\"category\":\"");
        sy_puts(o, cats[i]);
        SY_LIT(o, "\",\"categoryGroup\":null,\"enabled\":true}");
    }
    SY_LIT(o, "]}}");
    v->n_rows++;
}

static void put_blob_setting(struct inv *v, const struct sy_res *a, const struct sy_tenant *t)
{
    static const char *const cats[] = { "StorageRead", "StorageWrite", "StorageDelete" };
    struct sy_w *o = v->o;

    sep(v);
    SY_LIT(o, "{\"id\":\"");
    sy_puts(o, a->id);
    SY_LIT(o, "/blobServices/default/providers/microsoft.insights/diagnosticSettings/"
              "blob-logs-to-storage\",\"name\":\"blob-logs-to-storage\",\"type\":"
              "\"Microsoft.Insights/diagnosticSettings\",\"location\":null,\"properties\":{"
              "\"storageAccountId\":\"");
    sy_puts(o, v->w->r[t->log_acct].id);
    SY_LIT(o, "\",\"workspaceId\":null,\"eventHubAuthorizationRuleId\":null,\"eventHubName\":"
              "null,\"serviceBusRuleId\":null,\"marketplacePartnerId\":null,"
              "\"logAnalyticsDestinationType\":null,\"logs\":[");
    for (size_t i = 0; i < SS_ARRAY_LEN(cats); i++) {
        if (i > 0)
            sy_putc(o, ',');
        SY_LIT(o, "{\"category\":\"");
        sy_puts(o, cats[i]);
        SY_LIT(o, "\",\"categoryGroup\":null,\"enabled\":true");
        put_retention_off(o);
    }
    SY_LIT(o, "],\"metrics\":[{\"category\":\"Transaction\",\"enabled\":true,\"timeGrain\":null");
    put_retention_off(o);
    SY_LIT(o, "]}}");
    v->n_rows++;
}

static void put_lifecycle_rule(struct sy_w *o, const char *name, const char *prefixes,
                               unsigned cool, unsigned archive, unsigned del, bool created)
{
    SY_LIT(o, "{\"enabled\":true,\"name\":\"");
    sy_puts(o, name);
    SY_LIT(o, "\",\"type\":\"Lifecycle\",\"definition\":{\"actions\":{\"baseBlob\":{");
    if (cool > 0) {
        SY_LIT(o, "\"tierToCool\":{\"daysAfterModificationGreaterThan\":");
        sy_put_u64(o, cool);
        sy_putc(o, '}');
    }
    if (archive > 0) {
        if (cool > 0)
            sy_putc(o, ',');
        SY_LIT(o, "\"tierToArchive\":{\"daysAfterModificationGreaterThan\":");
        sy_put_u64(o, archive);
        sy_putc(o, '}');
    }
    if (del > 0) {
        if (cool > 0 || archive > 0)
            sy_putc(o, ',');
        if (created)
            SY_LIT(o, "\"delete\":{\"daysAfterCreationGreaterThan\":");
        else
            SY_LIT(o, "\"delete\":{\"daysAfterModificationGreaterThan\":");
        sy_put_u64(o, del);
        sy_putc(o, '}');
    }
    SY_LIT(o, "}},\"filters\":{\"blobTypes\":[\"blockBlob\",\"appendBlob\"],\"prefixMatch\":[");
    sy_puts(o, prefixes);
    SY_LIT(o, "]}}}");
}

static void put_mgmt_policy(struct inv *v, const struct sy_res *a)
{
    struct sy_w *o = v->o;

    sep(v);
    SY_LIT(o, "{\"id\":\"");
    sy_puts(o, a->id);
    SY_LIT(o, "/managementPolicies/default\",\"name\":\"DefaultManagementPolicy\",\"type\":"
              "\"Microsoft.Storage/storageAccounts/managementPolicies\",\"properties\":{"
              "\"lastModifiedTime\":\"");
    sy_put_t7(o, a->created + 3 * SY_TICKS_PER_DAY);
    SY_LIT(o, "\",\"policy\":{\"rules\":[");
    switch (a->role) {
    case SY_SR_LOGS:
        put_lifecycle_rule(o, "retain-exported-logs",
                           "\"insights-activity-logs/\",\"insights-logs-\"",
                           a->retention_days > 30 ? 30 : 0, 0, a->retention_days, false);
        break;
    case SY_SR_VOICE:
        put_lifecycle_rule(o, "archive-recordings", "\"recordings/\"", 7, 30, 0, false);
        break;
    case SY_SR_CALLC:
        put_lifecycle_rule(o, "delete-recordings-after-90-days", "\"recordings/\"", 30, 0, 90,
                           true);
        break;
    default:
        put_lifecycle_rule(o, "cool-old-exports", "\"exports/\"", 30, 180, 0, false);
        break;
    }
    SY_LIT(o, "]}}}");
    v->n_rows++;
}

static int begin_value(struct inv *v)
{
    int r = sy_w_reserve(v->o, 64);

    if (r < 0)
        return r;
    SY_LIT(v->o, "{\"value\":[");
    v->first = true;
    v->n_rows = 0;
    return 0;
}

static int end_value(struct inv *v, const char *rel)
{
    int r = sy_w_reserve(v->o, 8);

    if (r < 0)
        return r;
    SY_LIT(v->o, "]}");
    return flush_file(v, rel);
}

static int write_sub_objects(struct inv *v, const struct sy_sub *s)
{
    const struct sy_world *w = v->w;
    const struct sy_tenant *t = &w->t[s->tenant];
    struct sy_w *o = v->o;
    char rel[256];
    bool any;
    int r;

    /* diagnostic settings: subscription (activity log) and blob services */
    r = begin_value(v);
    if (r < 0)
        return r;
    if (s->diag_name[0] != '\0' && t->log_acct >= 0) {
        r = need(v);
        if (r < 0)
            return r;
        put_sub_setting(v, s, t);
    }
    for (uint32_t i = 0; i < s->n_res; i++) {
        const struct sy_res *a = &w->r[s->res0 + i];

        if (a->type != SY_RT_STORAGE || !a->blob_diag || t->log_acct < 0)
            continue;
        r = need(v);
        if (r < 0)
            return r;
        put_blob_setting(v, a, t);
    }
    snprintf(rel, sizeof(rel), "inventory/diagnosticsettings/%s.json", s->id);
    r = end_value(v, rel);
    if (r < 0)
        return r;

    /* storage lifecycle policies (governed tenants manage every account) */
    any = false;
    r = begin_value(v);
    if (r < 0)
        return r;
    for (uint32_t i = 0; i < s->n_res && t->governed; i++) {
        const struct sy_res *a = &w->r[s->res0 + i];

        if (a->type != SY_RT_STORAGE || a->role == SY_SR_REPLICA)
            continue;
        r = need(v);
        if (r < 0)
            return r;
        put_mgmt_policy(v, a);
        any = true;
    }
    snprintf(rel, sizeof(rel), "inventory/managementpolicies/%s.json", s->id);
    if (any) {
        r = end_value(v, rel);
        if (r < 0)
            return r;
    } else {
        sy_w_reset(o, -1);
    }

    /* object replication (the residency scenario) */
    if (w->res_src >= 0 && w->r[w->res_src].sub == (uint32_t)(s - w->s)) {
        const struct sy_res *src = &w->r[w->res_src], *dst = &w->r[w->res_dst];
        struct sy_rng rr;
        char rule[37];

        sy_rng_seed(&rr, w->seed, 0x6f7273); /* "ors" */
        sy_guid(&rr, rule);
        r = begin_value(v);
        if (r < 0)
            return r;
        for (int k = 0; k < 2; k++) {
            r = need(v);
            if (r < 0)
                return r;
            sep(v);
            SY_LIT(o, "{\"id\":\"");
            sy_puts(o, k == 0 ? src->id : dst->id);
            SY_LIT(o, "/objectReplicationPolicies/");
            sy_puts(o, w->ors_policy);
            SY_LIT(o, "\",\"name\":\"");
            sy_puts(o, w->ors_policy);
            SY_LIT(o, "\",\"type\":\"Microsoft.Storage/storageAccounts/objectReplicationPolicies"
                      "\",\"properties\":{\"policyId\":\"");
            sy_puts(o, w->ors_policy);
            SY_LIT(o, "\",\"enabledTime\":\"");
            sy_put_t7(o, w->ors_time);
            SY_LIT(o, "\",\"sourceAccount\":\"");
            sy_puts(o, src->id);
            SY_LIT(o, "\",\"destinationAccount\":\"");
            sy_puts(o, dst->id);
            SY_LIT(o, "\",\"rules\":[{\"ruleId\":\"");
            sy_puts(o, rule);
            SY_LIT(o, "\",\"sourceContainer\":\"data\",\"destinationContainer\":\"data-replica\","
                      "\"filters\":{\"prefixMatch\":[\"exports/\"]}}]}}");
            v->n_rows++;
        }
        snprintf(rel, sizeof(rel), "inventory/objectreplicationpolicies/%s.json", s->id);
        r = end_value(v, rel);
        if (r < 0)
            return r;
    }

    /* Customer Lockbox requests */
    if (t->kind != SY_TK_PROVIDER) {
        r = begin_value(v);
        if (r < 0)
            return r;
        for (size_t i = 0; i < w->n_lb; i++) {
            const struct sy_lockbox *lb = &w->lb[i];

            if (lb->sub != (uint32_t)(s - w->s))
                continue;
            r = need(v);
            if (r < 0)
                return r;
            sep(v);
            SY_LIT(o, "{\"id\":\"/subscriptions/");
            sy_puts(o, s->id);
            SY_LIT(o, "/providers/Microsoft.CustomerLockbox/requests/");
            sy_puts(o, lb->id);
            SY_LIT(o, "\",\"name\":\"");
            sy_puts(o, lb->id);
            SY_LIT(o, "\",\"type\":\"requests\",\"properties\":{\"requestId\":\"");
            sy_puts(o, lb->id);
            SY_LIT(o, "\",\"justification\":\"");
            sy_puts(o, lb->justification);
            SY_LIT(o, "\",\"status\":\"");
            sy_puts(o, lb->status);
            SY_LIT(o, "\",\"createdDateTime\":\"");
            sy_put_t7(o, lb->created);
            SY_LIT(o, "\",\"expirationDateTime\":\"");
            sy_put_t7(o, lb->created + 4 * SY_TICKS_PER_DAY);
            SY_LIT(o, "\",\"duration\":");
            sy_put_u64(o, lb->duration_h);
            SY_LIT(o, ",\"resourceIds\":\"/subscriptions/");
            sy_puts(o, s->id);
            SY_LIT(o, "\",\"resourceType\":\"Storage Account\",\"supportRequest\":\"");
            sy_puts(o, lb->support);
            SY_LIT(o, "\",\"supportCaseUrl\":\"https://portal.azure.com/#resource/subscriptions/");
            sy_puts(o, s->id);
            SY_LIT(o, "/providers/Microsoft.Support/supportTickets/");
            sy_puts(o, lb->support);
            SY_LIT(o, "\",\"workItemSource\":\"Support\",\"subscriptionId\":\"");
            sy_puts(o, s->id);
            SY_LIT(o, "\",\"accessLevel\":\"Contributor\"}}");
            v->n_rows++;
        }
        snprintf(rel, sizeof(rel), "inventory/lockbox/requests/%s.json", s->id);
        r = end_value(v, rel);
        if (r < 0)
            return r;
    }
    return 0;
}

static int write_tenant_objects(struct inv *v, const struct sy_tenant *t)
{
    const struct sy_world *w = v->w;
    struct sy_w *o = v->o;
    char rel[256];
    int r;

    /* Entra diagnostic setting */
    r = begin_value(v);
    if (r < 0)
        return r;
    if (t->governed && t->log_acct >= 0) {
        static const char *const cats[] = { "AuditLogs",
                                            "SignInLogs",
                                            "NonInteractiveUserSignInLogs",
                                            "ServicePrincipalSignInLogs",
                                            "ManagedIdentitySignInLogs",
                                            "ProvisioningLogs" };

        r = need(v);
        if (r < 0)
            return r;
        sep(v);
        SY_LIT(o, "{\"id\":\"/providers/microsoft.aadiam/diagnosticSettings/entra-to-storage\","
                  "\"name\":\"entra-to-storage\",\"type\":null,\"properties\":{"
                  "\"storageAccountId\":\"");
        sy_puts(o, w->r[t->log_acct].id);
        SY_LIT(o, "\",\"workspaceId\":null,\"eventHubAuthorizationRuleId\":null,"
                  "\"eventHubName\":null,\"logs\":[");
        for (size_t i = 0; i < SS_ARRAY_LEN(cats); i++) {
            if (i > 0)
                sy_putc(o, ',');
            SY_LIT(o, "{\"category\":\"");
            sy_puts(o, cats[i]);
            SY_LIT(o, "\",\"enabled\":");
            if (i < 2)
                SY_LIT(o, "true");
            else
                SY_LIT(o, "false");
            put_retention_off(o);
        }
        SY_LIT(o, "]}}");
        v->n_rows++;
    }
    snprintf(rel, sizeof(rel), "inventory/diagnosticsettings/tenant-%s.json", t->id);
    r = end_value(v, rel);
    if (r < 0)
        return r;

    /* Customer Lockbox opt-in */
    if (t->kind != SY_TK_PROVIDER) {
        r = sy_w_reserve(o, 64);
        if (r < 0)
            return r;
        if (t->governed)
            SY_LIT(o, "{\"isOptedIn\":true}");
        else
            SY_LIT(o, "{\"isOptedIn\":false}");
        snprintf(rel, sizeof(rel), "inventory/lockbox/tenantoptedin/%s.json", t->id);
        r = flush_file(v, rel);
        if (r < 0)
            return r;
    }

    /* Entra users (Microsoft Graph /users) */
    r = sy_w_reserve(o, 256);
    if (r < 0)
        return r;
    SY_LIT(o, "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#users\","
              "\"value\":[");
    v->first = true;
    for (uint32_t i = 0; i < t->n_users; i++) {
        const struct sy_user *u = &w->u[t->user0 + i];

        r = need(v);
        if (r < 0)
            return r;
        sep(v);
        SY_LIT(o, "{\"id\":\"");
        sy_puts(o, u->id);
        SY_LIT(o, "\",\"displayName\":\"");
        sy_puts(o, u->name);
        SY_LIT(o, "\",\"givenName\":\"");
        sy_puts(o, u->given);
        SY_LIT(o, "\",\"surname\":\"");
        sy_puts(o, u->sur);
        SY_LIT(o, "\",\"userPrincipalName\":\"");
        sy_puts(o, u->upn);
        SY_LIT(o, "\",\"mail\":");
        if (u->guest) {
            SY_LIT(o, "\"d.volkov@mailbox.example\",\"userType\":\"Guest\","
                      "\"externalUserState\":\"Accepted\",\"creationType\":\"Invitation\"");
        } else {
            sy_putc(o, '"');
            sy_puts(o, u->upn);
            SY_LIT(o, "\",\"userType\":\"Member\",\"externalUserState\":null,"
                      "\"creationType\":null");
        }
        SY_LIT(o, ",\"accountEnabled\":true,\"usageLocation\":\"");
        sy_puts(o, sy_countries[w->t[u->tenant].country].code);
        SY_LIT(o, "\",\"createdDateTime\":\"");
        sy_put_ts(o, w->start - (int64_t)(30 + sy_below(&v->r, 900)) * SY_TICKS_PER_DAY);
        SY_LIT(o, "\"}");
        v->n_rows++;
    }
    r = sy_w_reserve(o, 8);
    if (r < 0)
        return r;
    SY_LIT(o, "]}");
    snprintf(rel, sizeof(rel), "inventory/entra/%s/users.json", t->id);
    return flush_file(v, rel);
}

static int write_tenants(struct inv *v)
{
    const struct sy_world *w = v->w;
    struct sy_w *o = v->o;
    int r = sy_w_reserve(o, 16);

    if (r < 0)
        return r;
    sy_putc(o, '[');
    v->first = true;
    for (size_t i = 0; i < w->n_t; i++) {
        const struct sy_tenant *t = &w->t[i];

        r = need(v);
        if (r < 0)
            return r;
        sep(v);
        SY_LIT(o, "{\"id\":\"/tenants/");
        sy_puts(o, t->id);
        SY_LIT(o, "\",\"tenantId\":\"");
        sy_puts(o, t->id);
        SY_LIT(o, "\",\"displayName\":\"");
        sy_puts(o, t->display);
        SY_LIT(o, "\",\"defaultDomain\":\"");
        sy_puts(o, t->domain);
        SY_LIT(o, "\",\"domains\":[\"");
        sy_puts(o, t->domain);
        SY_LIT(o, "\"],\"countryCode\":\"");
        sy_puts(o, sy_countries[t->country].code);
        SY_LIT(o, "\",\"tenantCategory\":\"");
        if (t->kind == SY_TK_PROVIDER)
            SY_LIT(o, "Home");
        else if (t->governed)
            SY_LIT(o, "ManagedBy");
        else
            SY_LIT(o, "Other");
        SY_LIT(o, "\",\"tenantType\":\"AAD\"}");
        v->n_rows++;
    }
    r = sy_w_reserve(o, 8);
    if (r < 0)
        return r;
    sy_putc(o, ']');
    return flush_file(v, "inventory/tenants.json");
}

int sy_inventory_write(const struct sy_world *w, const char *root, unsigned part,
                       struct sy_w *scratch, struct sy_w *out, struct sy_result *res,
                       struct ss_diag *reterr_diag)
{
    struct inv v = { .w = w,
                     .root = root,
                     .o = scratch,
                     .out = out,
                     .res = res,
                     .diag = reterr_diag,
                     .first = true };
    int r = 0;

    sy_rng_seed(&v.r, w->seed, UINT64_C(0x696e76) + part); /* "inv" */
    sy_w_reset(scratch, -1);
    if (part == 0) {
        r = write_table(&v, "inventory/resources.json", write_resources);
        if (r == 0)
            r = write_table(&v, "inventory/resourcecontainers.json", write_containers);
        if (r == 0)
            r = write_table(&v, "inventory/authorizationresources.json", write_authorization);
        if (r == 0)
            r = write_table(&v, "inventory/policyresources.json", write_policy);
        if (r == 0)
            r = write_table(&v, "inventory/managedserviceresources.json", write_managed_services);
        return r;
    }
    for (size_t i = 0; i < w->n_s && r == 0; i++)
        r = write_sub_objects(&v, &w->s[i]);
    for (size_t i = 0; i < w->n_t && r == 0; i++)
        r = write_tenant_objects(&v, &w->t[i]);
    if (r == 0)
        r = write_tenants(&v);
    return r;
}
