/* SPDX-License-Identifier: Apache-2.0 */
/*
 * io/sniff.c - content sniffing: what a file holds, decided from its bytes and never
 * from its name. Compression comes from the magic bytes; then a reader (the same
 * splitter ss_reader_next uses, capped at SS_IO_SNIFF_BYTES decoded) finds the layout
 * and the first valid record, whose top-level keys give the kind:
 *   CloudTrail digest   digestStartTime + (logFiles | digestS3Object)
 *   CloudTrail event    eventVersion + (eventSource | eventName)
 *   GCP LogEntry        logName + (protoPayload | insertId | jsonPayload | textPayload)
 *   Azure REST event    eventTimestamp + (operationName object | eventDataId |
 *                       submissionTimestamp)
 *   Azure Monitor       time + (resourceId | category | operationName), or a Log
 *                       Analytics row: TimeGenerated + (OperationName | Category |
 *                       _ResourceId | Type | OperationNameValue)
 *   inventory row       id + type + (name | location | properties | subscriptionId)
 * combined with the container (wrapper key, array, lines, documents). The names of
 * kinds, compressions, layouts and variants live here too.
 */
#include "io/io_int.h"

#include "core/alloc.h"

#include <unistd.h>

static const char *const kind_names[SS_KIND__COUNT] = {
    [SS_KIND_UNKNOWN] = "unknown",
    [SS_KIND_AZURE_JSONL] = "azure-jsonl",
    [SS_KIND_AZURE_RECORDS] = "azure-records",
    [SS_KIND_AZURE_REST] = "azure-rest",
    [SS_KIND_CLOUDTRAIL] = "cloudtrail",
    [SS_KIND_CLOUDTRAIL_DIGEST] = "cloudtrail-digest",
    [SS_KIND_GCP_JSONL] = "gcp-jsonl",
    [SS_KIND_INVENTORY] = "inventory",
    [SS_KIND_JSONL] = "jsonl",
    [SS_KIND_JSON] = "json",
};

static const char *const comp_names[SS_COMP__COUNT] = {
    [SS_COMP_NONE] = "none",
    [SS_COMP_GZIP] = "gzip",
    [SS_COMP_ZSTD] = "zstd",
};

static const char *const layout_names[SS_LAYOUT__COUNT] = {
    [SS_LAYOUT_NONE] = "none",   [SS_LAYOUT_LINES] = "lines",     [SS_LAYOUT_DOCS] = "docs",
    [SS_LAYOUT_ARRAY] = "array", [SS_LAYOUT_WRAPPER] = "wrapper",
};

static const char *const variant_names[SS_VARIANT__COUNT] = {
    [SS_VARIANT_NONE] = "none",
    [SS_VARIANT_LOG_ANALYTICS] = "log-analytics",
    [SS_VARIANT_INV_RESOURCES] = "resources",
    [SS_VARIANT_INV_DIAG_SETTINGS] = "diagnostic-settings",
    [SS_VARIANT_INV_ROLE_ASSIGNMENTS] = "role-assignments",
    [SS_VARIANT_INV_POLICY] = "policy",
    [SS_VARIANT_INV_LOCATIONS] = "locations",
};

const char *ss_input_kind_name(enum ss_input_kind k)
{
    return (unsigned)k < SS_KIND__COUNT ? kind_names[k] : "unknown";
}

const char *ss_compression_name(enum ss_compression c)
{
    return (unsigned)c < SS_COMP__COUNT ? comp_names[c] : "none";
}

const char *ss_layout_name(enum ss_layout l)
{
    return (unsigned)l < SS_LAYOUT__COUNT ? layout_names[l] : "none";
}

const char *ss_input_variant_name(enum ss_input_variant v)
{
    return (unsigned)v < SS_VARIANT__COUNT ? variant_names[v] : "none";
}

/* Top-level keys the classifier looks at, in slot order. */
enum {
    K_EVENT_VERSION,
    K_EVENT_SOURCE,
    K_EVENT_NAME,
    K_DIGEST_START,
    K_LOG_FILES,
    K_DIGEST_OBJECT,
    K_LOG_NAME,
    K_PROTO_PAYLOAD,
    K_INSERT_ID,
    K_JSON_PAYLOAD,
    K_TEXT_PAYLOAD,
    K_EVENT_TIMESTAMP,
    K_OPERATION_NAME,
    K_EVENT_DATA_ID,
    K_SUBMISSION_TS,
    K_TIME,
    K_RESOURCE_ID,
    K_CATEGORY,
    K_TIME_GENERATED,
    K_LA_OPERATION_NAME,
    K_LA_CATEGORY,
    K_LA_RESOURCE_ID,
    K_LA_TYPE,
    K_LA_OPERATION_VALUE,
    K_ID,
    K_TYPE,
    K_NAME,
    K_LOCATION,
    K_PROPERTIES,
    K_SUBSCRIPTION_ID,
    K__COUNT
};

static const char *const class_keys[K__COUNT] = {
    [K_EVENT_VERSION] = "eventVersion",
    [K_EVENT_SOURCE] = "eventSource",
    [K_EVENT_NAME] = "eventName",
    [K_DIGEST_START] = "digestStartTime",
    [K_LOG_FILES] = "logFiles",
    [K_DIGEST_OBJECT] = "digestS3Object",
    [K_LOG_NAME] = "logName",
    [K_PROTO_PAYLOAD] = "protoPayload",
    [K_INSERT_ID] = "insertId",
    [K_JSON_PAYLOAD] = "jsonPayload",
    [K_TEXT_PAYLOAD] = "textPayload",
    [K_EVENT_TIMESTAMP] = "eventTimestamp",
    [K_OPERATION_NAME] = "operationName",
    [K_EVENT_DATA_ID] = "eventDataId",
    [K_SUBMISSION_TS] = "submissionTimestamp",
    [K_TIME] = "time",
    [K_RESOURCE_ID] = "resourceId",
    [K_CATEGORY] = "category",
    [K_TIME_GENERATED] = "TimeGenerated",
    [K_LA_OPERATION_NAME] = "OperationName",
    [K_LA_CATEGORY] = "Category",
    [K_LA_RESOURCE_ID] = "_ResourceId",
    [K_LA_TYPE] = "Type",
    [K_LA_OPERATION_VALUE] = "OperationNameValue",
    [K_ID] = "id",
    [K_TYPE] = "type",
    [K_NAME] = "name",
    [K_LOCATION] = "location",
    [K_PROPERTIES] = "properties",
    [K_SUBSCRIPTION_ID] = "subscriptionId",
};

/* What the first record looks like. */
enum rec_class {
    RC_NONE = 0,
    RC_DIGEST,
    RC_CLOUDTRAIL,
    RC_GCP,
    RC_AZURE_REST,
    RC_AZURE_MONITOR,
    RC_INVENTORY,
};

static struct ss_json_pathset *class_pathset(void)
{
    struct ss_json_pathset *set = ss_json_pathset_new();

    if (set == NULL)
        return NULL;
    for (size_t i = 0; i < K__COUNT; i++) {
        struct ss_json_path *path;
        size_t slot;
        /* quoted, so keys such as "@type" or "$x" need no thought */
        char spec[64];
        int n = snprintf(spec, sizeof(spec), "\"%s\"", class_keys[i]);

        if (n < 0 || (size_t)n >= sizeof(spec) ||
            ss_json_path_parse(spec, (size_t)n, &path, NULL) != 0)
            goto fail;
        if (ss_json_pathset_add(set, path, &slot) != 0) {
            ss_json_path_free(path);
            goto fail;
        }
        if (!SS_ALWAYS(slot == i))
            goto fail;
    }
    return set;
fail:
    ss_json_pathset_free(set);
    return NULL;
}

static bool contains_icase(const struct ss_json_val *v, const char *needle)
{
    char text[256];
    size_t nlen = strlen(needle);
    long long n;

    if (v->type != SS_JSON_STRING)
        return false;
    n = ss_json_str_copy(v, text, sizeof(text));
    if (n < 0 || (size_t)n < nlen)
        return false;
    for (size_t i = 0; i + nlen <= strlen(text); i++) {
        size_t j = 0;

        while (j < nlen) {
            char a = text[i + j];

            if (a >= 'A' && a <= 'Z')
                a = (char)(a - 'A' + 'a');
            if (a != needle[j])
                break;
            j++;
        }
        if (j == nlen)
            return true;
    }
    return false;
}

static enum rec_class classify(const struct ss_json_pathset *set, const struct ss_record *rec,
                               enum ss_input_variant *ret_variant)
{
    struct ss_json_val v[K__COUNT];
#define HAS(k) (v[k].type != SS_JSON_MISSING)

    *ret_variant = SS_VARIANT_NONE;
    if (set == NULL || rec->len == 0 || rec->ptr[0] != '{')
        return RC_NONE;
    if (ss_json_extract(set, rec->ptr, rec->len, v) != 0)
        return RC_NONE;
    if (HAS(K_DIGEST_START) && (HAS(K_LOG_FILES) || HAS(K_DIGEST_OBJECT)))
        return RC_DIGEST;
    if (HAS(K_EVENT_VERSION) && (HAS(K_EVENT_SOURCE) || HAS(K_EVENT_NAME)))
        return RC_CLOUDTRAIL;
    if (HAS(K_LOG_NAME) &&
        (HAS(K_PROTO_PAYLOAD) || HAS(K_INSERT_ID) || HAS(K_JSON_PAYLOAD) || HAS(K_TEXT_PAYLOAD)))
        return RC_GCP;
    if (HAS(K_EVENT_TIMESTAMP) && (v[K_OPERATION_NAME].type == SS_JSON_OBJECT ||
                                   HAS(K_EVENT_DATA_ID) || HAS(K_SUBMISSION_TS)))
        return RC_AZURE_REST;
    if (HAS(K_TIME) && (HAS(K_RESOURCE_ID) || HAS(K_CATEGORY) || HAS(K_OPERATION_NAME)))
        return RC_AZURE_MONITOR;
    if (HAS(K_TIME_GENERATED) &&
        (HAS(K_LA_OPERATION_NAME) || HAS(K_LA_CATEGORY) || HAS(K_LA_RESOURCE_ID) ||
         HAS(K_LA_TYPE) || HAS(K_LA_OPERATION_VALUE))) {
        *ret_variant = SS_VARIANT_LOG_ANALYTICS;
        return RC_AZURE_MONITOR;
    }
    if (HAS(K_ID) && HAS(K_TYPE) &&
        (HAS(K_NAME) || HAS(K_LOCATION) || HAS(K_PROPERTIES) || HAS(K_SUBSCRIPTION_ID))) {
        const struct ss_json_val *t = &v[K_TYPE];

        if (contains_icase(t, "diagnosticsettings"))
            *ret_variant = SS_VARIANT_INV_DIAG_SETTINGS;
        else if (contains_icase(t, "roleassignments"))
            *ret_variant = SS_VARIANT_INV_ROLE_ASSIGNMENTS;
        else if (contains_icase(t, "microsoft.authorization/policy"))
            *ret_variant = SS_VARIANT_INV_POLICY;
        else if (ss_json_str_eq(t, "Region", 6, true))
            *ret_variant = SS_VARIANT_INV_LOCATIONS;
        else
            *ret_variant = SS_VARIANT_INV_RESOURCES;
        return RC_INVENTORY;
    }
#undef HAS
    return RC_NONE;
}

/* Kind of a record class inside a container that does not name the kind itself. */
static enum ss_input_kind kind_of_class(enum rec_class rc, enum ss_layout layout)
{
    bool lines = layout == SS_LAYOUT_LINES || layout == SS_LAYOUT_DOCS;

    switch (rc) {
    case RC_DIGEST:
        return SS_KIND_CLOUDTRAIL_DIGEST;
    case RC_CLOUDTRAIL:
        return SS_KIND_CLOUDTRAIL;
    case RC_GCP:
        return SS_KIND_GCP_JSONL;
    case RC_AZURE_REST:
        return SS_KIND_AZURE_REST;
    case RC_AZURE_MONITOR:
        return lines ? SS_KIND_AZURE_JSONL : SS_KIND_AZURE_RECORDS;
    case RC_INVENTORY:
        return SS_KIND_INVENTORY;
    case RC_NONE:
    default:
        return SS_KIND__COUNT;
    }
}

static bool looks_binary(const char *p, size_t n)
{
    size_t ctl = 0;

    n = SS_MIN(n, (size_t)4096);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];

        if (c == 0)
            return true;
        if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f')
            ctl++;
    }
    return ctl * 10 > n;
}

static const char *stream_reason(enum ss_compression comp, int r)
{
    if (r == SS_ELIMIT)
        return "decompression ratio over the cap";
    if (r != SS_ECORRUPT)
        return "read error";
    return comp == SS_COMP_ZSTD ? "damaged zstd stream" : "damaged gzip stream";
}

/*
 * Sniff the stream of @rd (its source set up, compression not yet known). Returns true
 * when the first record did not fit in the reader's limits (the caller may look again
 * with larger ones).
 */
static bool sniff_reader(struct ss_reader *rd, struct ss_sniff *ret)
{
    const char *why = NULL, *p;
    struct ss_json_pathset *set = NULL;
    enum rec_class rc = RC_NONE;
    enum ss_input_variant variant = SS_VARIANT_NONE;
    enum ss_input_kind kind;
    uint8_t magic[8];
    size_t n_magic, n, i;
    uint64_t n_good = 0, n_bad = 0, n_big = 0;
    int r;

    *ret = (struct ss_sniff){ .kind = SS_KIND_UNKNOWN };
    /* compression from the first stored bytes: read them without feeding a decoder */
    if (rd->fd >= 0) {
        ssize_t got;

        do {
            got = pread(rd->fd, magic, sizeof(magic), 0);
        } while (got < 0 && errno == EINTR);
        if (got < 0) {
            ret->why_unknown = "read error";
            return false;
        }
        n_magic = (size_t)got;
    } else {
        n_magic = (size_t)SS_MIN((uint64_t)sizeof(magic), rd->mem_len);
        memcpy(magic, rd->mem, n_magic);
    }
    if (n_magic == 0) {
        ret->why_unknown = "empty file";
        return false;
    }
    rd->comp = io_detect_comp(magic, n_magic, &why);
    if (rd->comp == SS_COMP__COUNT) {
        rd->comp = SS_COMP_NONE;
        ret->why_unknown = why;
        return false;
    }
    ret->comp = rd->comp;

    /* the head: empty, binary, or something that cannot start JSON */
    r = io_reader_peek(rd, 4096, &p, &n);
    if (n == 0) {
        ret->why_unknown = r < 0                      ? stream_reason(rd->comp, r)
                           : rd->comp == SS_COMP_NONE ? "empty file"
                                                      : "empty after decompression";
        return false;
    }
    i = n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    i = ss_json_skip_ws(p, n, i);
    if (looks_binary(p, n)) {
        ret->why_unknown = "binary data";
        return false;
    }
    if (i == n && rd->dec_eof && rd->dec_err == 0) {
        ret->why_unknown = "only whitespace";
        return false;
    }
    if (i < n && strchr("{[\"-0123456789tfn", p[i]) == NULL) {
        ret->why_unknown = "not JSON";
        return false;
    }

    /* records: the first valid one is classified */
    set = class_pathset();
    for (int tries = 0; tries < 64; tries++) {
        struct ss_record rec;
        enum ss_input_variant var;

        r = ss_reader_next(rd, &rec, NULL);
        if (r == 0)
            break;
        if (r < 0) {
            if (r == SS_ESYNTAX) {
                n_bad++;
                continue;
            }
            if (r == SS_ELIMIT && rd->state != IO_ST_DONE) {
                n_big++; /* a record over the cap, skipped */
                continue;
            }
            break; /* stream error or the sniff cap: judge on what we have */
        }
        if (n_good++ == 0) {
            rc = classify(set, &rec, &var);
            variant = var;
        }
        if (n_good >= 2 || rd->layout != SS_LAYOUT_LINES)
            break;
    }
    ss_json_pathset_free(set);

    ret->layout = rd->layout;
    ret->variant = variant;
    if (n_good == 0 && rd->layout != SS_LAYOUT_ARRAY && rd->layout != SS_LAYOUT_WRAPPER) {
        ret->layout = SS_LAYOUT_NONE;
        ret->variant = SS_VARIANT_NONE;
        if (n_bad == 0 && (n_big > 0 || r == SS_ELIMIT)) {
            ret->why_unknown = "first record over the sniff window";
            return true;
        }
        if (n_bad > 0)
            ret->why_unknown = "not JSON";
        else if (r < 0)
            ret->why_unknown = stream_reason(rd->comp, r);
        else
            ret->why_unknown = "only whitespace";
        return false;
    }
    kind = kind_of_class(rc, rd->layout);
    if (rd->layout == SS_LAYOUT_WRAPPER) {
        switch (rd->wrap_key) {
        case 0: /* Records */
            kind = SS_KIND_CLOUDTRAIL;
            break;
        case 1: /* records */
            kind = rc == RC_CLOUDTRAIL ? SS_KIND_CLOUDTRAIL : SS_KIND_AZURE_RECORDS;
            break;
        default: /* value, data */
            if (kind == SS_KIND__COUNT && rd->wrap_key == 3 && rd->wrap_env) {
                kind = SS_KIND_INVENTORY; /* {"count":N,"data":[]}: an empty ARG page */
                ret->variant = SS_VARIANT_INV_RESOURCES;
            }
            break;
        }
    }
    if (kind == SS_KIND__COUNT) {
        if (rd->layout == SS_LAYOUT_LINES && n_good >= 2)
            kind = SS_KIND_JSONL;
        else
            kind = SS_KIND_JSON;
    }
    ret->kind = kind;
    return false;
}

/*
 * A reader limited to the sniff window (@wide: to one record of the default cap), or
 * NULL with *@ret set to say why.
 */
static struct ss_reader *sniff_reader_new(bool wide, struct ss_sniff *ret)
{
    struct ss_io_limits lim = ss_io_limits_default;
    struct ss_reader *rd;

    lim.max_record_bytes = wide ? SS_IO_DEFAULT_MAX_RECORD : SS_IO_SNIFF_BYTES;
    lim.max_decoded_bytes = lim.max_record_bytes + SS_IO_SNIFF_BYTES;
    if (io_reader_new(&lim, true, UINT64_MAX, &rd) < 0) {
        *ret = (struct ss_sniff){ .kind = SS_KIND_UNKNOWN, .why_unknown = "out of memory" };
        return NULL;
    }
    return rd;
}

/*
 * Sniff @fd (@path) or else @mem[0..@len): within the sniff window, and when the first
 * record does not fit in it, once more within the record cap. A first record over even
 * that is read as plain JSON: the reader reports it, with its location, and goes on.
 */
static void sniff_source(const char *path, int fd, const void *mem, size_t len,
                         struct ss_sniff *ret)
{
    for (int wide = 0; wide < 2; wide++) {
        struct ss_reader *rd = sniff_reader_new(wide, ret);
        bool too_big;

        if (rd == NULL)
            return;
        rd->fd = fd;
        if (path != NULL)
            rd->name = path;
        rd->mem = mem;
        rd->mem_len = len;
        too_big = sniff_reader(rd, ret);
        rd->fd = -1; /* borrowed */
        ss_reader_free(rd);
        if (!too_big)
            return;
    }
    *ret = (struct ss_sniff){ .kind = SS_KIND_JSON, .comp = ret->comp };
}

void ss_io_sniff_mem(const void *data, size_t len, struct ss_sniff *ret)
{
    sniff_source(NULL, -1, data, len, ret);
}

void io_sniff_path(const char *path, int fd, struct ss_sniff *ret)
{
    sniff_source(path, fd, NULL, 0, ret);
}
