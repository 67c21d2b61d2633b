/* SPDX-License-Identifier: Apache-2.0 */
/*
 * synth/synth_int.h - private declarations shared by the source files of synth/.
 *
 * Three layers:
 * - sy_rng: xoshiro256** seeded through splitmix64. Every output file gets its own
 *   stream from (seed, file key), so files can be generated in any order.
 * - sy_w: a fast appender. Emitters call sy_w_reserve(w, SY_REC_MAX) once per record
 *   and then append without bounds checks; every record stays below SY_REC_MAX bytes.
 *   A writer bound to a file descriptor flushes in SY_W_FLUSH blocks.
 * - sy_world: the immutable model of the case (tenants, subscriptions, users, resources,
 *   scenario parameters and injected events), built once from the seed and shared
 *   read-only by the generating threads.
 * Times inside synth are int64 ticks of 100 ns since the Unix epoch (UTC), because Azure
 * timestamps carry 7 fractional digits.
 */
#ifndef SS_SYNTH_SYNTH_INT_H
#define SS_SYNTH_SYNTH_INT_H

#include "synth/synth.h"

#include "core/arena.h"

#define SY_TICKS_PER_SEC INT64_C(10000000)
#define SY_TICKS_PER_MIN (INT64_C(60) * SY_TICKS_PER_SEC)
#define SY_TICKS_PER_HOUR (INT64_C(3600) * SY_TICKS_PER_SEC)
#define SY_TICKS_PER_DAY (INT64_C(86400) * SY_TICKS_PER_SEC)

/* Upper bound of one emitted record (or one small group of records). */
#define SY_REC_MAX ((size_t)32 << 10)
/* Writers bound to a file flush once this much is buffered. */
#define SY_W_FLUSH ((size_t)4 << 20)
/* Hard cap of one in-memory output file (inventory, compressed CloudTrail input). */
#define SY_W_MAX ((size_t)1 << 31)

/* ---- random numbers ---- */

struct sy_rng {
    uint64_t s[4];
};

static inline uint64_t sy_splitmix(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));

    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* A well-mixed 64-bit hash of two words (for stream keys and stable picks). */
static inline uint64_t sy_mix(uint64_t a, uint64_t b)
{
    uint64_t x = a ^ (b * UINT64_C(0x9E3779B97F4A7C15));

    (void)sy_splitmix(&x);
    return sy_splitmix(&x);
}

static inline void sy_rng_seed(struct sy_rng *r, uint64_t seed, uint64_t key)
{
    uint64_t x = sy_mix(seed, key);

    for (size_t i = 0; i < 4; i++)
        r->s[i] = sy_splitmix(&x);
}

static inline uint64_t sy_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t sy_next(struct sy_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = sy_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = sy_rotl(s[3], 45);
    return result;
}

/* Uniform in [0, n) (n >= 1), multiply-shift on the high 32 bits. */
static inline uint32_t sy_below(struct sy_rng *r, uint32_t n)
{
    return (uint32_t)(((sy_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi]. */
static inline uint32_t sy_range(struct sy_rng *r, uint32_t lo, uint32_t hi)
{
    return lo + sy_below(r, hi - lo + 1);
}

/* Uniform in [0, 1). */
static inline double sy_unit(struct sy_rng *r)
{
    return (double)(sy_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

static inline bool sy_chance(struct sy_rng *r, double p)
{
    return sy_unit(r) < p;
}

/* ---- the appender ---- */

struct sy_w {
    char *base;
    char *p;
    char *end;
    int fd;             /* -1: whole content stays in memory */
    uint64_t n_flushed; /* bytes already written to fd */
    int err;            /* first write error */
    int64_t c_day;      /* cached civil date of sy_put_date */
    char c_date[11];
};

/** Set up @w empty; @fd < 0 keeps everything in memory. Allocates nothing. */
void sy_w_init(struct sy_w *w, int fd);
/** Free the buffer of @w. */
void sy_w_release(struct sy_w *w);
/** Ensure @n writable bytes (flushing if bound to a file). 0, -ENOMEM, SS_ELIMIT, -errno. */
SS_MUST_USE int sy_w_reserve(struct sy_w *w, size_t n);
/** Write out what is buffered (fd-bound writers). 0 or -errno. */
SS_MUST_USE int sy_w_flush(struct sy_w *w);
/** Bytes in the buffer. */
static inline size_t sy_w_len(const struct sy_w *w)
{
    return (size_t)(w->p - w->base);
}
/** Forget the buffered bytes and the fd binding. */
void sy_w_reset(struct sy_w *w, int fd);

static inline void sy_put(struct sy_w *w, const char *s, size_t n)
{
    memcpy(w->p, s, n);
    w->p += n;
}
#define SY_LIT(w, lit) sy_put((w), (lit), sizeof(lit) - 1)
static inline void sy_puts(struct sy_w *w, const char *s)
{
    sy_put(w, s, strlen(s));
}
static inline void sy_putc(struct sy_w *w, char c)
{
    *w->p++ = c;
}
void sy_put_u64(struct sy_w *w, uint64_t v);
/* @v zero-padded to @width digits. */
void sy_put_u64w(struct sy_w *w, uint64_t v, unsigned width);
void sy_put_upper(struct sy_w *w, const char *s);
void sy_put_lower(struct sy_w *w, const char *s);
void sy_put_guid(struct sy_w *w, struct sy_rng *r);
void sy_put_hex(struct sy_w *w, struct sy_rng *r, size_t n, bool upper);
/* @n characters of [A-Za-z0-9] (or with -_ when @url is set). */
void sy_put_alnum(struct sy_w *w, struct sy_rng *r, size_t n, bool url);
/* A GUID string without its dashes. */
void sy_put_guid_nodash(struct sy_w *w, const char *guid);
/* "2024-05-01T09:12:44.1234567Z" */
void sy_put_t7(struct sy_w *w, int64_t t);
/* "2024-05-01T09:12:44.1234567+00:00" */
void sy_put_t7z(struct sy_w *w, int64_t t);
/* "2024-05-01T09:12:44Z" */
void sy_put_ts(struct sy_w *w, int64_t t);
/* "2024-05-01" */
void sy_put_date(struct sy_w *w, int64_t t);
void sy_put_ipv4(struct sy_w *w, uint32_t ip);
void sy_put_ipv6(struct sy_w *w, const uint16_t words[8]);
/* Seconds since the epoch as a decimal string value. */
void sy_put_epoch(struct sy_w *w, int64_t t);

/** Write @len bytes of @s to @w, reformatted as Python's json.dumps(indent=2). */
SS_MUST_USE int sy_json_pretty(struct sy_w *w, const char *s, size_t len);

/** Format a random GUID into @out (37 bytes). */
void sy_guid(struct sy_rng *r, char out[37]);
/** Civil fields of @t. */
void sy_civil(int64_t t, int64_t *ret_y, unsigned *ret_mo, unsigned *ret_d, unsigned *ret_h,
              unsigned *ret_mi);
/** Weekday of @t, 0 = Sunday. */
unsigned sy_weekday(int64_t t);

/* ---- static tables (synth_tables.c) ---- */

struct sy_region {
    const char *name;    /* programmatic name, "westeurope" */
    const char *display; /* "West Europe" */
    const char *geo;     /* geography, "Europe" */
    const char *pair;    /* paired region or NULL */
    int tz;              /* offset of the local business day from UTC, hours */
    bool eu;             /* inside the EU/EEA data boundary */
};

struct sy_country {
    const char *code; /* ISO 3166 alpha-2 */
    const char *city;
    const char *state;
    const char *lat;
    const char *lon;
    uint32_t asn;
    uint8_t ip_a[4]; /* typical first octets of consumer/business address space */
    int tz;
};

struct sy_ua {
    const char *ua;
    const char *os;
    const char *browser;
    const char *client_app; /* clientAppUsed */
};

struct sy_app {
    const char *id;
    const char *name;
    const char *res_id;   /* resource app id */
    const char *res_name; /* resource display name */
    bool interactive;
};

struct sy_name_pair {
    const char *a;
    const char *b;
};

extern const struct sy_region sy_regions[];
extern const size_t sy_n_regions;
extern const struct sy_country sy_countries[];
extern const size_t sy_n_countries;
extern const struct sy_ua sy_uas[];
extern const size_t sy_n_uas;
extern const struct sy_app sy_apps[];
extern const size_t sy_n_apps;
extern const char *const sy_given_names[];
extern const size_t sy_n_given_names;
extern const char *const sy_surnames[];
extern const size_t sy_n_surnames;
extern const struct sy_name_pair sy_companies[]; /* short name, display name */
extern const size_t sy_n_companies;
extern const char *const sy_storage_uas[];
extern const size_t sy_n_storage_uas;

/** Region by name, or NULL. */
const struct sy_region *sy_region_find(const char *name);
/** Country index by code; SIZE_MAX when absent. */
size_t sy_country_find(const char *code);

/* Built-in Azure RBAC role definition GUIDs. */
#define SY_ROLE_OWNER "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
#define SY_ROLE_CONTRIBUTOR "b24988ac-6180-42a0-ab88-20f7382dd24c"
#define SY_ROLE_READER "acdd72a7-3385-48ef-bd42-f606fba81ae7"
#define SY_ROLE_UAA "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
#define SY_ROLE_BLOB_CONTRIB "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
#define SY_ROLE_BLOB_READER "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"

/* Names shared by the inventory and the logs that refer to it. */
#define SY_PA_BENCH "msc-security-benchmark"
#define SY_PA_LOCATIONS "msc-allowed-locations"
#define SY_PA_ACTIVITY "msc-activitylog-to-la"
#define SY_PA_SECURE_TRANSFER "msc-storage-secure-transfer"
#define SY_POLDEF_LOCATIONS "e56962a6-4747-49cd-b67b-bf8b01975c4c"
#define SY_POLDEF_SECURE_TRANSFER "404c3081-a854-4457-ae30-26a93ef643f9"
#define SY_POLDEF_ACTIVITY_LA "2465583e-4e78-4c15-b6be-a36cbc7c8b0f"
#define SY_POLSET_BENCH "1f3afdf9-d0c9-4c3d-847f-89da613e70a8"
#define SY_ROLE_READER_DATA "c12c1c16-33a1-487b-954d-41c89c60f349"
#define SY_APP_PORTAL "c44b4083-3bb0-49c1-b47d-974e53cbdf3c"
#define SY_APP_CLI "04b07795-8ddb-461a-bbee-02f9e1bf7b46"

/* ---- the world ---- */

enum sy_tkind {
    SY_TK_BENIGN,
    SY_TK_PROVIDER,
    SY_TK_SILO,
    SY_TK_VOICE,
    SY_TK_CALLC,
};

enum sy_rtype {
    SY_RT_STORAGE,
    SY_RT_WORKSPACE,
    SY_RT_VNET,
    SY_RT_NSG,
    SY_RT_VM,
    SY_RT_KEYVAULT,
    SY_RT_ERC,
    SY_RT__COUNT
};

/* What a storage account is used for (drives its log traffic). */
enum sy_srole {
    SY_SR_NONE,
    SY_SR_LOGS,    /* receives the tenant's exported logs */
    SY_SR_APP,     /* ordinary application data */
    SY_SR_VOICE,   /* bulk voice-recording archive (scenario) */
    SY_SR_CALLC,   /* consented call-centre recordings (near miss) */
    SY_SR_REPLICA, /* object-replication destination outside the geography (scenario) */
};

struct sy_user {
    char id[37];
    char upn[128];
    char name[64];
    char given[24];
    char sur[32];
    char puid[17];
    uint32_t tenant;
    uint16_t country; /* index into sy_countries */
    uint8_t ua;       /* index into sy_uas */
    bool admin;       /* holds Owner/Contributor on the subscriptions */
    bool guest;       /* external guest (UPN with #EXT#) */
};

struct sy_sp {
    char app_id[37];
    char obj_id[37];
    char name[48];
    uint32_t tenant;
};

struct sy_tenant {
    enum sy_tkind kind;
    char id[37];
    char name[24];    /* short lower-case name, "contoso" */
    char display[64]; /* "Contoso Ltd" */
    char domain[48];  /* "contoso.example" */
    const struct sy_region *region;
    uint16_t country;
    bool governed; /* provider landing zone: MG chain, policies, Lighthouse, diagnostics */
    uint32_t sub0, n_subs;
    uint32_t user0, n_users;
    uint32_t sp0, n_sps; /* sp0 = deploy pipeline, sp0+1 = monitoring, sp0+2 = workload */
    int32_t log_acct;    /* resource index; -1: no log export */
    int32_t app_acct;
    int32_t workspace;
    int32_t vnet;
    uint32_t egress[2]; /* office egress IPv4 */
    uint16_t ip6[3];    /* office IPv6 /48 */
    double weight;      /* relative size */
};

/*
 * Landing-zone management groups of a governed tenant, per tenant so that ids stay
 * unique across tenants: level 0 "mg-msc-<name>", 1 "...-landingzones", 2 "...-corp".
 */
static inline void sy_put_mg(struct sy_w *o, const struct sy_tenant *t, unsigned level)
{
    SY_LIT(o, "mg-msc-");
    sy_puts(o, t->name);
    if (level == 1)
        SY_LIT(o, "-landingzones");
    else if (level == 2)
        SY_LIT(o, "-corp");
}

struct sy_sub {
    char id[37];
    char upper[37];
    uint32_t tenant;
    char display[96];
    char diag_name[48]; /* activity-log setting in the final inventory; "" none */
    double weight;
    uint32_t res0, n_res;
    uint32_t ra0, n_ra; /* its role assignments (contiguous) */
};

struct sy_res {
    enum sy_rtype type;
    enum sy_srole role;
    uint32_t sub;
    uint32_t tenant;
    char name[64];
    char rg[64];
    const struct sy_region *loc;
    const char *sku;
    char *id;       /* ARM casing */
    char *id_lower; /* Resource Graph / truth form */
    char *id_upper; /* Activity Log form */
    int64_t created;
    uint32_t retention_days; /* workspace retentionInDays; storage lifecycle delete days */
    uint32_t octet;          /* VNet: second octet of 10.x.0.0/16 */
    bool blob_diag;          /* blob service exports StorageRead/Write/Delete */
    char guid[37];           /* workspace customerId; storage blob etag seed; ... */
};

/* A role assignment at subscription scope. */
struct sy_ra {
    char id[37];
    uint32_t sub;
    const char *role_id;
    const char *role_name;
    const char *ptype; /* User, ServicePrincipal, Group */
    char principal[37];
    int64_t created;
};

/* A provider-staff session in a customer tenant. */
struct sy_session {
    uint32_t tenant;
    uint32_t sub;
    uint32_t staff; /* user index (provider tenant) */
    int64_t start;
    int64_t end;
    int32_t lockbox; /* index into lb; -1 none */
    bool planted;    /* the unapproved access */
    bool msft;       /* crossTenantAccessType microsoftSupport instead of serviceProvider */
    char ip[40];
};

struct sy_lockbox {
    char id[37];
    uint32_t sub;
    int64_t created;
    uint32_t duration_h;
    const char *status;
    char support[17];
    const char *justification;
};

enum sy_stream {
    SY_ST_ACTIVITY,
    SY_ST_SIGNIN,
    SY_ST_AUDIT,
    SY_ST_READ,
    SY_ST_WRITE,
    SY_ST_DELETE,
    SY_ST_CLOUDTRAIL,
    SY_ST__COUNT
};

enum sy_evkind {
    SY_EV_DIAG_DELETE,  /* activity: the activity-log diagnostic setting is deleted */
    SY_EV_DIAG_WRITE,   /* activity: a new one is created */
    SY_EV_STAFF_ARM,    /* activity: provider staff operation (arg = session) */
    SY_EV_ORS_WRITE,    /* activity: object replication policy written (residency) */
    SY_EV_STAFF_SIGNIN, /* signin: provider staff cross-tenant sign-in (arg = session) */
    SY_EV_EMBARGO,      /* signin: sign-in from an embargoed country (arg = attempt) */
    SY_EV_STAFF_PIM,    /* audit: PIM role activation by provider staff (arg = session) */
    SY_EV_STAFF_READ,   /* storage read: provider staff reads blobs (arg = session) */
    SY_EV_CT_EMBARGO,   /* cloudtrail: console login from the embargoed address */
};

/* A record injected into a log stream at a given time (scenario signals). */
struct sy_event {
    int64_t t;
    uint32_t owner; /* sub, tenant, account or region index, as the stream wants */
    uint32_t arg;
    uint8_t stream;
    uint8_t kind;
};

struct sy_embargo {
    int64_t t;
    const char *country;
    uint32_t ip;
    bool success;
};

#define SY_MAX_EMBARGO 16
#define SY_AWS_REGIONS 3

struct sy_world {
    struct ss_arena arena;
    uint64_t seed;
    uint32_t n_benign;
    uint32_t n_days;
    uint32_t n_hours;
    int64_t start; /* ticks, midnight UTC */
    int64_t end;

    struct sy_tenant *t;
    size_t n_t;
    struct sy_sub *s;
    size_t n_s;
    struct sy_user *u;
    size_t n_u;
    struct sy_sp *sp;
    size_t n_sp;
    struct sy_res *r;
    size_t n_r;
    struct sy_ra *ra;
    size_t n_ra;
    struct sy_session *sess;
    size_t n_sess;
    struct sy_lockbox *lb;
    size_t n_lb;
    struct sy_event *ev; /* sorted by (stream, owner, t) */
    size_t n_ev;

    /* special tenants (indexes into t) */
    uint32_t provider, silo, voice, callc;
    /* scenario hosts among the benign tenants */
    uint32_t sc_residency, sc_retention, sc_gap, sc_embargo, sc_staff;

    /* silo */
    int32_t silo_erc;
    uint32_t silo_guest; /* user index of the external guest owner */
    uint32_t silo_ra;    /* its role assignment */
    /* residency */
    int32_t res_src, res_dst;
    char ors_policy[37];
    int64_t ors_time;
    /* retention */
    uint32_t ret_required_days;
    uint32_t ret_days;
    int64_t ret_cutoff; /* blobs of the log account before this are deleted */
    /* audit gap */
    uint32_t gap_sub;
    int64_t gap_start, gap_end;
    uint32_t gap_actor; /* user index */
    char gap_old[48], gap_new[48];
    /* embargo */
    uint32_t emb_user;
    struct sy_embargo emb[SY_MAX_EMBARGO];
    size_t n_emb;
    /* planted staff session */
    uint32_t staff_sess;
    /* voice / call centre */
    int32_t voice_acct, callc_acct;

    /* AWS */
    char aws_acct[13];
    const char *aws_regions[SY_AWS_REGIONS];
    char aws_bucket[64];
    char aws_trail_bucket[64];
};

/** Build the world for @opts (validated). Returns 0 or -ENOMEM. */
SS_MUST_USE int sy_world_build(struct sy_world *w, const struct ss_synth_opts *opts);
/** Free everything the world owns. Accepts a zeroed world. */
void sy_world_release(struct sy_world *w);
/** The events for (@stream, @owner) in [@t0, @t1): *ret_first and count. */
size_t sy_world_events(const struct sy_world *w, unsigned stream, uint32_t owner, int64_t t0,
                       int64_t t1, const struct sy_event **ret_first);
/** Diurnal activity weight for local business offset @tz at @t (0.1 .. 1.0). */
double sy_diurnal(int tz, int64_t t);
/*
 * A public IPv4 address (host order) in country @c's usual address space, or with a
 * first octet from @firsts[0..n_firsts). Draws first octet, second, third, fourth, in that
 * order (one draw per statement, so every compiler writes the same case).
 */
uint32_t sy_ipv4_in_country(struct sy_rng *r, const struct sy_country *c);
uint32_t sy_ipv4_in(struct sy_rng *r, const uint8_t *firsts, size_t n_firsts);

/* ---- files ---- */

/* One planned output file. */
struct sy_file {
    uint8_t stream;
    uint8_t part;    /* CloudTrail: delivery index within the hour */
    uint8_t n_parts; /* CloudTrail: deliveries in the hour */
    uint32_t owner;
    uint32_t hour; /* hours since world start */
    uint32_t n;    /* planned units (operations / records / uploads) */
};

struct sy_result {
    uint64_t files;
    uint64_t bytes;
    uint64_t records;
    uint64_t ingress; /* sum of requestBodySize of writes (voice / call centre) */
    uint64_t ops;     /* scenario operations (voice uploads, call-centre deletes, ...) */
};

/* What sy_emit_cloudtrail reports about the body it wrote (for the digest files). */
struct sy_ct_info {
    int64_t oldest; /* eventTime range of the records, ticks; INT64_MAX/INT64_MIN: none */
    int64_t newest;
    size_t last_rec; /* offset in the output of the first byte of the last record */
    uint32_t n_records;
};

/** Append the log body of @f to @out; @calib skips injected events. */
SS_MUST_USE int sy_emit_azure(const struct sy_world *w, const struct sy_file *f, struct sy_rng *r,
                              struct sy_w *out, bool calib, struct sy_result *res);
/** As sy_emit_azure for a CloudTrail file; fills *@info (may be NULL) on success. */
SS_MUST_USE int sy_emit_cloudtrail(const struct sy_world *w, const struct sy_file *f,
                                   struct sy_rng *r, struct sy_w *out, bool calib,
                                   struct sy_result *res, struct sy_ct_info *info);
/** The path of @f relative to the case root, into @out (@out_len bytes, at least 1024). */
void sy_file_path(const struct sy_world *w, const struct sy_file *f, char *out, size_t out_len);
/** Delivery time of the CloudTrail file @f (the time in its name), whole seconds, ticks. */
int64_t sy_ct_delivery(const struct sy_world *w, const struct sy_file *f);
/**
 * Append "aws/AWSLogs/ACCOUNT/KIND/REGION/YYYY/MM/DD/ACCOUNT_KIND_REGION_" (the S3 layout
 * of CloudTrail files, formats.md 6.1) for time @t to @o; @kind is "CloudTrail" or
 * "CloudTrail-Digest".
 */
void sy_ct_put_prefix(struct sy_w *o, const struct sy_world *w, const char *kind,
                      const char *region, int64_t t);

/** Write @len bytes to the new file @root/@rel (creating parent directories). */
SS_MUST_USE int sy_write_file(const char *root, const char *rel, const char *data, size_t len,
                              struct ss_diag *reterr_diag);
/** Create @root/@rel (and parents) and return an fd in *ret_fd. */
SS_MUST_USE int sy_open_file(const char *root, const char *rel, int *ret_fd,
                             struct ss_diag *reterr_diag);
/** Create directory @path and its parents. 0 or -errno. */
SS_MUST_USE int sy_mkdirs(const char *path);

/** Write the inventory part @part (0 = Resource Graph tables, 1 = ARM objects). */
SS_MUST_USE int sy_inventory_write(const struct sy_world *w, const char *root, unsigned part,
                                   struct sy_w *scratch, struct sy_w *out, struct sy_result *res,
                                   struct ss_diag *reterr_diag);
#define SY_INVENTORY_PARTS 2u

/* ---- CloudTrail log file integrity (synth_digest.c) ---- */

/* The trail every region delivers for: one multi-region trail homed in aws_regions[0]. */
#define SY_CT_TRAIL "management-events"
#define SY_SHA256_LEN 32

/* One delivered CloudTrail log file, as the digest that covers it records it. */
struct sy_ct_log {
    struct sy_file f;              /* rebuilds the object key through sy_file_path() */
    int64_t delivered;             /* sy_ct_delivery(f) */
    int64_t oldest, newest;        /* eventTime range of the original body (sy_ct_info) */
    uint8_t sha256[SY_SHA256_LEN]; /* of the original uncompressed body */
};

/*
 * The digest plan of a case and its planted tampering (scenario audit.cloudtrail-tamper):
 * one log file deleted and one altered after delivery, both in log_region, and one digest
 * deleted from the middle of digest_region's chain. Neither is the region of the injected
 * embargo console login.
 */
struct sy_ct {
    struct sy_ct_log *logs; /* owned; filled by the caller, hashed during generation */
    size_t n_logs;
    int64_t offset[SY_AWS_REGIONS];     /* digest k covers [start + offset + (k-1) h, +1 h) */
    uint32_t n_digests[SY_AWS_REGIONS]; /* chain length per region */
    uint32_t log_region, digest_region;
    size_t deleted_log, altered_log; /* indexes into logs */
    uint32_t deleted_digest;         /* k in digest_region's chain */
};

/** SHA-256 of @len bytes at @data into @out. 0, or -ENOMEM when libcrypto fails. */
SS_MUST_USE int sy_sha256(const void *data, size_t len, uint8_t out[SY_SHA256_LEN]);
/**
 * Plan the digests and pick the tampered files, from @ct->logs[].f and .delivered (set by
 * the caller for every CloudTrail file of the plan). Deterministic from @w's seed.
 */
void sy_ct_plan(struct sy_ct *ct, const struct sy_world *w);
/** Digest start time of digest @k of @region's chain, ticks. */
int64_t sy_ct_digest_start(const struct sy_ct *ct, const struct sy_world *w, uint32_t region,
                           uint32_t k);
/** The path of digest @k of @region relative to the case root, into @out (>= 256 bytes). */
void sy_ct_digest_path(const struct sy_ct *ct, const struct sy_world *w, uint32_t region,
                       uint32_t k, char *out, size_t out_len);
/**
 * Write the digest chains of every region (gzip), the metadata sidecars of the newest
 * digests and aws/list-public-keys.json under @root; needs every log's sha256 and times.
 * Adds the files and bytes to @res. 0, -ENOMEM, SS_ELIMIT or -errno (@reterr_diag names
 * the file).
 */
SS_MUST_USE int sy_ct_write_digests(const struct sy_ct *ct, const struct sy_world *w,
                                    const char *root, struct sy_result *res,
                                    struct ss_diag *reterr_diag);
/** Free what @ct owns. Accepts a zeroed struct. */
void sy_ct_release(struct sy_ct *ct);

#endif
