/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/bench_json.c - throughput benchmark of the json scanner on Azure Activity JSON
 * lines (the hot path of a review): generates ~200 MB of realistic records in memory
 * (docs/formats.md §1.2-1.3 shapes: varying ids, claims, authorization blocks, escaped
 * request bodies, durationMs as number or string), then times on one thread:
 *   split     - finding the line ends only (memchr), the floor for the others;
 *   validate  - split + ss_json_validate of every line;
 *   extract5  - split + ss_json_extract of 5 fields, the last one near the record's end;
 *   extract5e - split + ss_json_extract of 5 fields all in the record's first members;
 *   get1      - split + one ss_json_get of a nested field.
 * Prints MB/s and records/s per second of thread CPU time (best of N runs).
 * Usage: bench_json [MB] [runs] [mode].
 */
#include "json/json.h"

#include "core/alloc.h"
#include "core/parse.h"

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static unsigned pick(unsigned n)
{
    return (unsigned)(next_rand() % n);
}

static int put_guid(struct ss_buf *b, bool dashes)
{
    const uint64_t a = next_rand(), c = next_rand();

    if (dashes)
        return ss_buf_printf(b,
                             "%08" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%012" PRIx64,
                             a >> 32, (a >> 16) & 0xffff, a & 0xffff, c >> 48, c & 0xffffffffffffu);
    return ss_buf_printf(b, "%016" PRIx64 "%016" PRIx64, a, c);
}

static const char *const ops[] = {
    "MICROSOFT.STORAGE/STORAGEACCOUNTS/LISTKEYS/ACTION",
    "MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE",
    "MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE",
    "MICROSOFT.KEYVAULT/VAULTS/SECRETS/READ",
    "MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/SECURITYRULES/WRITE",
    "MICROSOFT.RESOURCES/DEPLOYMENTS/WRITE",
    "MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/DELETE",
};
static const char *const results[] = { "Start", "Success", "Failure", "Accept" };
static const char *const roles[] = { "Owner", "Contributor", "Reader",
                                     "User Access Administrator" };
static const char *const rgs[] = { "RG-DATA", "RG-WEB", "PROD-NETWORK", "rg-shared-services" };

/* Append one Azure Activity record (one line, no newline). */
static int gen_record(struct ss_buf *b, unsigned n)
{
    int r = 0;
    const unsigned op = pick(SS_ARRAY_LEN(ops));
    const bool sp = pick(4) == 0; /* service principal: no upn claim */

    r |= ss_buf_printf(b, "{\"time\":\"2024-05-%02uT%02u:%02u:%02u.%07uZ\",", 1 + pick(28),
                       pick(24), pick(60), pick(60), pick(10000000));
    r |= ss_buf_puts(b, "\"resourceId\":\"/SUBSCRIPTIONS/");
    r |= put_guid(b, true);
    r |=
        ss_buf_printf(b, "/RESOURCEGROUPS/%s/PROVIDERS/MICROSOFT.STORAGE/STORAGEACCOUNTS/ST%05u\",",
                      rgs[pick(SS_ARRAY_LEN(rgs))], n % 100000);
    r |= ss_buf_printf(b,
                       "\"operationName\":\"%s\",\"category\":\"Administrative\","
                       "\"resultType\":\"%s\",\"resultSignature\":\"Succeeded.OK\",",
                       ops[op], results[pick(SS_ARRAY_LEN(results))]);
    if (pick(3) == 0)
        r |= ss_buf_printf(b, "\"durationMs\":\"%u\",", pick(5000));
    else
        r |= ss_buf_printf(b, "\"durationMs\":%u,", pick(5000));
    r |= ss_buf_printf(b, "\"callerIpAddress\":\"%u.%u.%u.%u\",\"correlationId\":\"", pick(256),
                       pick(256), pick(256), pick(256));
    r |= put_guid(b, true);
    r |= ss_buf_puts(b, "\",\"identity\":{");
    if (pick(5) != 0) {
        r |= ss_buf_puts(b, "\"authorization\":{\"scope\":\"/subscriptions/");
        r |= put_guid(b, true);
        r |= ss_buf_printf(b,
                           "/resourceGroups/%s\",\"action\":\"%s\",\"evidence\":{\"role\":"
                           "\"%s\",\"roleAssignmentScope\":\"/subscriptions/",
                           rgs[pick(SS_ARRAY_LEN(rgs))], ops[op], roles[pick(SS_ARRAY_LEN(roles))]);
        r |= put_guid(b, true);
        r |= ss_buf_puts(b, "\",\"roleAssignmentId\":\"");
        r |= put_guid(b, false);
        r |= ss_buf_puts(b, "\",\"roleDefinitionId\":\"");
        r |= put_guid(b, false);
        r |= ss_buf_puts(b, "\",\"principalId\":\"");
        r |= put_guid(b, false);
        r |= ss_buf_printf(b, "\",\"principalType\":\"%s\"}},", sp ? "ServicePrincipal" : "User");
    }
    r |= ss_buf_puts(b, "\"claims\":{\"aud\":\"https://management.core.windows.net/\","
                        "\"iss\":\"https://sts.windows.net/");
    r |= put_guid(b, true);
    r |= ss_buf_printf(b, "/\",\"iat\":\"%u\",\"nbf\":\"%u\",\"exp\":\"%u\",", 1714550000 + n,
                       1714550000 + n, 1714553600 + n);
    if (!sp)
        r |= ss_buf_printf(b,
                           "\"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn\":"
                           "\"user%u@contoso.example\",\"name\":\"User %u\",",
                           pick(1000), pick(1000));
    r |= ss_buf_printf(b, "\"ipaddr\":\"198.51.100.%u\",\"appid\":\"", pick(256));
    r |= put_guid(b, true);
    r |= ss_buf_printf(b,
                       "\",\"appidacr\":\"%u\",\"http://schemas.microsoft.com/identity/"
                       "claims/objectidentifier\":\"",
                       pick(3));
    r |= put_guid(b, true);
    r |= ss_buf_puts(b, "\",\"http://schemas.microsoft.com/identity/claims/tenantid\":\"");
    r |= put_guid(b, true);
    r |= ss_buf_puts(b, "\",\"http://schemas.microsoft.com/claims/authnmethodsreferences\":"
                        "\"pwd,mfa\",\"ver\":\"1.0\"}},");
    r |= ss_buf_printf(b, "\"level\":\"%s\",\"location\":\"global\",\"properties\":{",
                       pick(10) == 0 ? "Warning" : "Information");
    if (pick(3) == 0) {
        r |= ss_buf_puts(b, "\"requestbody\":\"{\\\"properties\\\":{\\\"roleDefinitionId\\\":"
                            "\\\"/providers/Microsoft.Authorization/roleDefinitions/");
        r |= put_guid(b, true);
        r |= ss_buf_puts(b, "\\\",\\\"principalId\\\":\\\"");
        r |= put_guid(b, true);
        r |= ss_buf_puts(b, "\\\",\\\"principalType\\\":\\\"User\\\"}}\",");
    }
    r |= ss_buf_printf(b,
                       "\"statusCode\":\"%s\",\"serviceRequestId\":%s,"
                       "\"eventCategory\":\"Administrative\"}}",
                       pick(8) == 0 ? "Forbidden" : "OK", pick(2) == 0 ? "null" : "\"abc-123\"");
    return r == 0 ? 0 : -ENOMEM;
}

/*
 * Thread CPU time, not wall time: on a shared machine the wall clock also counts the time
 * the thread waited for a core, which is not the scanner's speed.
 */
static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

enum mode { M_SPLIT, M_VALIDATE, M_EXTRACT, M_EXTRACT_EARLY, M_GET1 };

static const char *const late_fields[] = {
    "time",
    "operationName",
    "resultType",
    "identity.claims.\"http://schemas.microsoft.com/identity/claims/tenantid\"",
    "properties.statusCode",
};
static const char *const early_fields[] = {
    "time", "resourceId", "operationName", "resultType", "durationMs",
};

static struct ss_json_pathset *make_set(const char *const *specs, size_t n)
{
    struct ss_json_pathset *set = ss_json_pathset_new();
    size_t slot;

    for (size_t k = 0; k < n && set != NULL; k++) {
        struct ss_json_path *p = NULL;

        if (ss_json_path_parse(specs[k], strlen(specs[k]), &p, NULL) != 0 ||
            ss_json_pathset_add(set, p, &slot) != 0) {
            ss_json_path_free(p);
            ss_json_pathset_free(set);
            return NULL;
        }
    }
    return set;
}

/* One pass over the data; returns the number of records, or a negative error. */
static long long run(enum mode m, const char *data, size_t len, const struct ss_json_pathset *set,
                     const struct ss_json_path *path, uint64_t *checksum)
{
    struct ss_json_val vals[8];
    long long n = 0;
    size_t pos = 0;

    while (pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        const size_t end = nl != NULL ? (size_t)(nl - data) : len;
        const char *rec = data + pos;
        const size_t rlen = end - pos;

        switch (m) {
        case M_SPLIT:
            *checksum += rlen;
            break;
        case M_VALIDATE:
            if (ss_json_validate(rec, rlen, NULL, NULL) != 0)
                return SS_ESYNTAX;
            break;
        case M_EXTRACT:
        case M_EXTRACT_EARLY:
            if (ss_json_extract(set, rec, rlen, vals) != 0)
                return SS_ESYNTAX;
            for (size_t k = 0; k < 5; k++)
                *checksum += vals[k].len;
            break;
        case M_GET1:
            if (ss_json_get(rec, rlen, path, &vals[0]) != 0)
                return SS_ESYNTAX;
            *checksum += vals[0].len;
            break;
        }
        n++;
        pos = end + 1;
    }
    return n;
}

int main(int argc, char **argv)
{
    static const char *const names[] = { "split", "validate", "extract5", "extract5e", "get1" };
    uint64_t mb = 200, runs = 10, checksum = 0;
    struct ss_buf data;
    struct ss_json_pathset *late, *early;
    struct ss_json_path *one = NULL;
    const char *one_spec = "identity.authorization.evidence.role";
    unsigned n = 0;

    if ((argc > 1 && ss_parse_u64(argv[1], strlen(argv[1]), &mb) != 0) ||
        (argc > 2 && ss_parse_u64(argv[2], strlen(argv[2]), &runs) != 0) || mb == 0 || mb > 4096 ||
        runs == 0) {
        fprintf(stderr, "usage: bench_json [MB (200)] [runs (10)] [mode (all)]\n");
        return 2;
    }
    ss_buf_init(&data, (size_t)(mb + 1) << 20);
    while (data.len < (size_t)mb << 20) {
        if (gen_record(&data, n++) != 0 || ss_buf_putc(&data, '\n') != 0) {
            fprintf(stderr, "bench_json: out of memory\n");
            return 1;
        }
    }
    late = make_set(late_fields, SS_ARRAY_LEN(late_fields));
    early = make_set(early_fields, SS_ARRAY_LEN(early_fields));
    if (late == NULL || early == NULL ||
        ss_json_path_parse(one_spec, strlen(one_spec), &one, NULL) != 0) {
        fprintf(stderr, "bench_json: setup failed\n");
        return 1;
    }
    printf("data: %.1f MB, %u records, %.0f bytes/record\n", (double)data.len / 1e6, n,
           (double)data.len / n);
    for (int m = M_SPLIT; m <= M_GET1; m++) {
        double best = 1e30;
        long long recs = 0;

        if (argc > 3 && strcmp(argv[3], names[m]) != 0)
            continue;
        for (uint64_t k = 0; k < runs; k++) {
            const double t0 = now_s();

            recs = run((enum mode)m, data.ptr, data.len, m == M_EXTRACT_EARLY ? early : late, one,
                       &checksum);
            best = SS_MIN(best, now_s() - t0);
            if (recs < 0) {
                fprintf(stderr, "bench_json: %s failed\n", names[m]);
                return 1;
            }
        }
        printf("%-10s %8.0f MB/s %10.2f M records/s\n", names[m], (double)data.len / best / 1e6,
               (double)recs / best / 1e6);
    }
    printf("(checksum %" PRIu64 ")\n", checksum);
    ss_json_pathset_free(late);
    ss_json_pathset_free(early);
    ss_json_path_free(one);
    ss_buf_release(&data);
    return 0;
}
