/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sigma/sigma_int.h - private declarations shared by the files of the sigma area.
 *
 * The model, from the bottom up:
 *  - sg_val: one compiled value of a detection item (a wildcard pattern, an integer
 *    text, a number, a boolean, a regular expression, a CIDR network, a comparison or a
 *    field reference).
 *  - sg_pred: a detection item: a field (interned id) plus modifiers and its values.
 *  - sg_node: the condition tree (AND, OR, NOT, predicate, constant) with the search
 *    identifiers substituted.
 *  - sg_rule: one loaded rule (detection or correlation) with its metadata, compiled
 *    tree and correlation definition.
 *  - sg_mapping: a log-source mapping: which rules (by logsource) go to which input kinds,
 *    which records of those kinds it covers ('when'), and how Sigma field names resolve
 *    to JSON paths.
 * Everything lives in the rule set's arena and is immutable after ss_sigma_compile.
 */
#ifndef SS_SIGMA_SIGMA_INT_H
#define SS_SIGMA_SIGMA_INT_H

#include "sigma/sigma.h"
#include "sigma/sigma_yaml.h"

#include "core/arena.h"
#include "core/buf.h"

#include "json/json.h"

#include <hs.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* Caps (docs/sigma.md "Caps"). */
#define SG_MAX_VALUES 10000u             /* values of one detection item, after expansion */
#define SG_MAX_VALUE_BYTES 65536u        /* bytes of one value after transformation */
#define SG_MAX_REGEX_BYTES 8192u         /* source of one regular expression */
#define SG_MAX_REGEX_COMPILED (1u << 20) /* compiled size of one regular expression */
#define SG_MAX_REGEX_REPEATS 4096u       /* nested counted repetitions (ss_sigma_re_repeats) */
#define SG_MAX_COND_BYTES 16384u         /* one condition expression */
#define SG_MAX_COND_DEPTH 64u            /* nesting of parentheses and 'not' */
#define SG_MAX_SELECTIONS 1024u          /* search identifiers of one rule */
#define SG_MAX_FIELDS 65536u             /* distinct field names in a rule set */
#define SG_MAX_PATH_DEPTH 32u            /* segments of one field path */
#define SG_MAX_DECODE_DEPTH 4u           /* JSON-in-string decoding levels */
#define SG_MAX_LEAVES 100000u            /* values of one record visited by a keyword search */
#define SG_MAX_GROUP_FIELDS 32u          /* group-by fields of a correlation */
#define SG_REGEX_MATCH_LIMIT 100000u     /* PCRE2 match limit (backtracking steps) */
#define SG_REGEX_DEPTH_LIMIT 10000u      /* PCRE2 depth limit */
#define SG_REGEX_HEAP_LIMIT_KIB 20480u   /* PCRE2 heap limit */
#define SG_RULESET_ARENA_MAX ((size_t)2 << 30)

#define SG_NO_FIELD UINT32_MAX

/* ---- values and predicates ---- */

enum sg_tok_kind {
    SG_TOK_LIT = 0, /* literal bytes */
    SG_TOK_STAR,    /* any run of characters */
    SG_TOK_ONE,     /* exactly one character (UTF-8 code point) */
};

struct sg_tok {
    uint8_t kind;
    uint32_t len;
    const char *s;
};

enum sg_shape {
    SG_SH_EXACT = 0,
    SG_SH_PREFIX,
    SG_SH_SUFFIX,
    SG_SH_CONTAINS,
    SG_SH_ANY, /* '*' alone: any non-null value */
    SG_SH_GLOB,
};

enum sg_vkind {
    SG_V_STR = 0, /* wildcard pattern over the value's text */
    SG_V_INT,     /* integer: its decimal text equals the value's text */
    SG_V_FLOAT,   /* numeric equality */
    SG_V_BOOL,
    SG_V_RE,
    SG_V_CIDR,
    SG_V_CMP,  /* lt/lte/gt/gte */
    SG_V_REF,  /* fieldref: equal to (or contains/starts/ends with) another field */
    SG_V_NONE, /* never matches (a placeholder without values) */
};

enum sg_cmp { SG_CMP_LT = 0, SG_CMP_LTE, SG_CMP_GT, SG_CMP_GTE };

struct sg_val {
    uint8_t kind;  /* enum sg_vkind */
    uint8_t shape; /* SG_V_STR, SG_V_REF: enum sg_shape */
    uint8_t cmp;   /* SG_V_CMP */
    bool cased;    /* SG_V_STR, SG_V_REF: case-sensitive */
    const char *s; /* SG_V_STR simple shapes: the literal (folded unless cased); SG_V_INT */
    size_t len;
    const struct sg_tok *toks; /* SG_V_STR, shape SG_SH_GLOB */
    uint32_t n_toks;
    bool bval;
    double num;   /* SG_V_FLOAT, SG_V_CMP */
    int64_t inum; /* SG_V_CMP with is_int: the value exactly */
    bool is_int;
    pcre2_code *re; /* SG_V_RE */
    uint8_t ipv;    /* SG_V_CIDR: 4 or 6 */
    uint8_t bits;
    uint8_t net[16];
    uint32_t ref;   /* SG_V_REF: field id */
    uint32_t group; /* index of the written value this one came from (see 'all') */
};

enum sg_pkind {
    SG_P_VALUES = 0, /* the field matches the values (OR, or AND with 'all') */
    SG_P_NULL,       /* the field is null or missing */
    SG_P_EXISTS,     /* the field exists (or not) */
    SG_P_KEYWORDS,   /* field-less: some value of the record matches */
};

enum sg_timepart {
    SG_TP_NONE = 0,
    SG_TP_MINUTE,
    SG_TP_HOUR,
    SG_TP_DAY,
    SG_TP_WEEK,
    SG_TP_MONTH,
    SG_TP_YEAR,
};

struct sg_pred {
    uint8_t kind;     /* enum sg_pkind */
    bool all;         /* values are ANDed */
    bool neq;         /* the result of matching the values is negated */
    bool exists;      /* SG_P_EXISTS: the expected presence */
    uint8_t timepart; /* enum sg_timepart */
    uint32_t field;   /* field id (SG_NO_FIELD for keywords) */
    const struct sg_val *vals;
    uint32_t n_vals;
};

enum sg_op {
    SG_N_AND = 0,
    SG_N_OR,
    SG_N_NOT,
    SG_N_PRED,
    SG_N_TRUE,
    SG_N_FALSE,
};

struct sg_node {
    uint8_t op;
    uint32_t n;
    struct sg_node **kids;
    const struct sg_pred *pred;
};

/* ---- rules ---- */

enum sg_ctype {
    SG_C_EVENT_COUNT = 0,
    SG_C_VALUE_COUNT,
    SG_C_TEMPORAL,
    SG_C_TEMPORAL_ORDERED,
    SG_C_VALUE_SUM,
    SG_C_VALUE_AVG,
    SG_C_VALUE_PERCENTILE,
    SG_C__COUNT,
};

enum sg_ccond_op {
    SG_CC_GT = 0,
    SG_CC_GTE,
    SG_CC_LT,
    SG_CC_LTE,
    SG_CC_EQ,
    SG_CC_NEQ,
    SG_CC__COUNT
};

struct sg_alias {
    const char *alias;
    const char **rule_refs; /* rule name or id per entry */
    const char **fields;
    uint32_t n;
};

struct sg_corr {
    uint8_t type; /* enum sg_ctype */
    const char **refs;
    uint32_t n_refs;
    uint32_t *rules; /* resolved at compile */
    const char **group_by;
    uint32_t n_group;
    struct sg_alias *aliases;
    uint32_t n_aliases;
    int64_t timespan_us; /* 0: unbounded (legacy aggregation without timeframe) */
    bool has_cond[SG_CC__COUNT];
    double cond[SG_CC__COUNT];
    const char **fields; /* condition 'field' (value_* types) */
    uint32_t n_fields;
    bool generate;
    /* compiled: per referenced rule slot, the field ids of group-by and value fields */
    uint32_t *group_fids; /* n_refs * n_group */
    uint32_t *value_fids; /* n_refs * n_fields */
    uint32_t order;       /* position in the correlation evaluation order */
};

struct sg_entry {
    struct ss_sigma_entry pub;
    struct ss_sigma_note *notes;
    size_t n_notes, cap_notes;
};

struct sg_rule {
    uint32_t index;
    uint32_t entry;
    const char *file;
    uint32_t doc, line, col;
    const char *id, *title, *name, *level;
    const char *uid; /* id, or "<file>#<doc>" when the rule has none */
    enum ss_severity sev;
    const char *product, *service, *category;
    bool is_corr;
    bool emits;    /* reports its own matches */
    bool internal; /* generated (legacy translation); not referable by name */
    bool dead;     /* rejected at compile time (e.g. a correlation with an unknown rule) */
    bool inactive; /* loaded but not evaluated (placeholders without values) */
    const struct ss_yaml_node *root;      /* the YAML document */
    const struct ss_yaml_node *detection; /* detection rules */
    const char *cond_override;            /* legacy: condition before the '|' */
    struct sg_node *tree;                 /* compiled condition */
    bool uses_expand;
    struct sg_corr *corr;
    /* correlations this rule feeds (rule indexes), filled at compile */
    uint32_t *feeds;
    uint32_t n_feeds;
    /* routing, filled at compile: input kind slots */
    uint32_t *kinds;
    uint32_t n_kinds;
};

/* A global filter (sigma-filters-specification). */
struct sg_filter {
    uint32_t entry;
    const char *title;
    const char **refs;
    uint32_t n_refs;
    const struct ss_yaml_node *detection; /* selections + condition under 'filter' */
    const char *product, *service, *category;
};

/* ---- mappings ---- */

struct sg_mfield {
    const char *name;   /* Sigma field name */
    const char **paths; /* candidate JSON paths, first that resolves wins */
    uint32_t n_paths;
    const char **vfrom; /* value map: rule value -> replacement */
    const char **vto;
    uint32_t n_vmap;
};

struct sg_mapping {
    const char *name, *file;
    bool builtin;
    const char *product, *service, *category; /* NULL: not constrained */
    const char **kinds;
    uint32_t n_kinds;
    const struct ss_yaml_node *when_node;
    struct sg_node *when; /* compiled at compile time; NULL: every record */
    const char **time_paths;
    uint32_t n_time;
    const char **entity_paths;
    uint32_t n_entity;
    bool entity_lower;
    struct sg_mfield *fields;
    uint32_t n_fields;
    const char **fallback; /* templates with "{field}"; default: the name itself */
    uint32_t n_fallback;
    bool keys_without_spaces; /* also match record keys with their spaces removed */
    /* compiled: per field id, the candidate paths (NULL until resolved) */
    const char ***res;
    uint32_t *n_res;
};

/* One rule routed through one mapping. */
struct sg_inst {
    uint32_t rule;
    uint32_t mapping;
    struct sg_node *tree; /* the rule's tree, or a copy compiled with the mapping's value map */
};

/* Rules routed to one input kind. */
struct sg_source {
    const char *kind;
    uint32_t *maps; /* mappings for this kind, in order */
    uint32_t n_maps;
    uint32_t *insts; /* instance indexes, grouped by mapping in the order of maps */
    uint32_t n_insts;
    uint32_t *map_first; /* per map: first index into insts */
    uint32_t *map_count;
    uint32_t *local_map;     /* per instance: position of its mapping in maps */
    uint32_t *prev_same;     /* per instance: earlier instance of the same rule, or UINT32_MAX */
    struct sg_prefilter *pf; /* NULL: every instance is a candidate */
};

/* A string -> index hash map (keys borrowed from the arena). */
struct sg_strslot {
    const char *key;
    uint32_t val;
};

struct sg_strmap {
    struct sg_strslot *slots;
    size_t n, cap;
};

struct sg_placeholder {
    const char *name;
    const char **values;
    uint32_t n;
};

struct ss_sigma_ruleset {
    struct ss_arena arena;
    unsigned flags;
    unsigned threads; /* for parsing rule files (ss_sigma_ruleset_set_threads) */
    bool compiled;
    struct sg_entry *entries;
    size_t n_entries, cap_entries;
    struct sg_rule **rules;
    size_t n_rules, cap_rules;
    struct sg_filter **filters;
    size_t n_filters, cap_filters;
    struct sg_mapping **maps;
    size_t n_maps, cap_maps;
    size_t n_user_maps;
    struct sg_placeholder *phs;
    size_t n_phs, cap_phs;
    struct sg_strmap ids;   /* rule id -> rule index */
    struct sg_strmap names; /* rule name -> rule index */
    /* interned field names */
    const char **fnames;
    size_t n_fnames, cap_fnames;
    uint32_t *fhash;
    size_t fhash_cap;
    /* compiled */
    struct sg_inst *insts;
    size_t n_insts;
    struct sg_source *sources;
    size_t n_sources;
    pcre2_code **res; /* every compiled regular expression, freed with the set */
    size_t n_res, cap_res;
    uint32_t *corr_order; /* correlation rule indexes in evaluation order */
    size_t n_corr;
    size_t n_files;
};

/* ---- match scratch ---- */

/* One value of a field in the current record. */
struct sg_fv {
    struct ss_json_val v;
    const char *text; /* unescaped (strings) or raw text; NULL until computed */
    size_t text_len;
    const char *fold; /* folded text; NULL until computed */
    size_t fold_len;
};

/* A member of an object (or an element of an array: key type SS_JSON_MISSING) of the
   current record, cached the first time the container is walked. */
struct sg_member {
    struct ss_json_val k, v;
    const char *kp; /* unescaped key bytes when the key has no escape, else NULL */
    size_t kl;
};

/*
 * A container of the current record whose members are being cached: members are
 * scanned lazily, only as far as lookups need (fields early in an object never pay
 * for the large objects after them).
 */
struct sg_objcache {
    struct ss_json_val v;
    struct sg_member *m; /* in the scratch arena */
    uint32_t n, cap;
    size_t cursor; /* for ss_json_iter_next */
    bool done;
};

#define SG_MAX_CACHED_OBJECTS 256u

/* Cached resolution of one field (per mapping) for the current record. */
struct sg_fslot {
    uint32_t epoch;
    uint32_t first, n;
    bool present;
};

/* An interning string pool: id = offset of [u32 length][bytes] in buf. */
struct sg_pool {
    char *buf;
    size_t len, cap;
    uint32_t *hash; /* ids + 1, 0 = empty */
    size_t hcap, n;
};

#define SG_NO_STR UINT32_MAX

/* A match kept for a correlation. */
struct sg_kev {
    uint32_t corr; /* correlation rule index */
    uint32_t slot; /* position of the matched rule in the correlation's rules */
    int64_t time_us;
    struct ss_loc loc;
    uint32_t group; /* pool id of the group key (values joined by 0x1F) */
    uint32_t value; /* value_count: pool id of the value tuple; SG_NO_STR if absent */
    double num;     /* value_sum/avg/percentile */
    bool has_num;
    uint32_t entity; /* pool id */
};

/* The hits of one (rule, primary entity), for findings (struct ss_sigma_keep). */
struct sg_hitagg {
    uint32_t rule;
    uint32_t ent_len;
    char *ent; /* in the keep's arena */
    uint64_t hash;
    int64_t first, last; /* INT64_MAX / INT64_MIN when no hit had a time */
    uint64_t n;
    /* max-heap of the smallest locations, at most SS_FINDING_MAX_EVIDENCE: in @one while
       there is one (cap_heap 0: most entities have few hits), then in @heap */
    struct ss_loc one;
    struct ss_loc *heap;
    uint32_t n_heap, cap_heap;
};

/** The locations of @e (n_heap of them). */
static inline const struct ss_loc *sg_hitagg_locs(const struct sg_hitagg *e)
{
    return e->cap_heap > 0 ? e->heap : &e->one;
}

struct ss_sigma_scratch {
    const struct ss_sigma_ruleset *rs;
    unsigned flags;
    struct ss_arena arena; /* per-record temporaries */
    uint32_t epoch;
    struct sg_fslot *slots; /* (n_maps + 1) * n_fnames; the last row is for raw paths */
    struct sg_fv *fv;
    size_t n_fv, cap_fv;
    uint32_t leaves_epoch, leaves_first, n_leaves;
    struct sg_objcache objs[SG_MAX_CACHED_OBJECTS]; /* containers seen in this record */
    size_t n_objs;
    uint32_t *cand; /* per prefilter target (instances, then mappings): epoch when marked */
    size_t n_cand;
    uint32_t *when_epoch; /* per mapping */
    uint8_t *when_val;
    hs_scratch_t *hs;
    char *unesc; /* a record with JSON escapes, unescaped for the prefilter */
    size_t unesc_cap;
    pcre2_general_context *gctx;
    pcre2_match_context *mctx;
    pcre2_match_data *md;
    pcre2_jit_stack *jit;
    struct ss_sigma_hit *hits;
    size_t n_hits, cap_hits;
    struct ss_sigma_stats st;
    uint64_t *rule_hits;
    struct sg_kev *kev;
    size_t n_kev, cap_kev;
    struct sg_pool pool;
    uint64_t kev_charged;       /* what the events in kev were charged (ss_sigma_keep_take) */
    struct ss_sigma_keep *keep; /* own_keep, or shared by the scratches of a run */
    struct ss_sigma_keep own_keep;
    /* the record being matched */
    const char *rec;
    size_t rec_len;
    const struct sg_mapping *map;
    uint32_t map_idx;
    bool raw;       /* resolving a mapping's 'when': field names are raw paths */
    bool truncated; /* a value cap was hit in this record */
};

/** Charge @bytes to @k; false when it is passed (then nothing more is to be kept). */
bool ss_sigma_keep_take(struct ss_sigma_keep *k, uint64_t bytes);
/** Give back @bytes charged to @k (their memory was freed). */
void ss_sigma_keep_give(struct ss_sigma_keep *k, uint64_t bytes);
/** Mark @k passed: something could not be kept whatever its size. */
void ss_sigma_keep_exhaust(struct ss_sigma_keep *k);

/** FNV-1a of @n bytes at @s (hash tables of the sigma area). */
uint64_t ss_sigma_hash(const char *s, size_t n);
/** Intern @len bytes at @p; returns the id or SG_NO_STR on OOM. */
uint32_t ss_sigma_pool_put(struct sg_pool *pl, const char *p, size_t len);
/** The bytes of id @id (borrowed). */
const char *ss_sigma_pool_get(const struct sg_pool *pl, uint32_t id, size_t *ret_len);
/** Free what @pl owns. */
void ss_sigma_pool_release(struct sg_pool *pl);

/* ---- area-internal functions ---- */

/* sigma_value.c */

/** Fold @len bytes of UTF-8 at @s into @out (at least @len bytes); returns the length. */
size_t ss_sigma_fold(const char *s, size_t len, char *out);
/** Whether @len bytes at @s fold to themselves (fast check). */
bool ss_sigma_is_folded(const char *s, size_t len);
/** Byte length of the UTF-8 sequence that starts with @c (1 for invalid bytes). */
size_t ss_sigma_cplen(unsigned char c);
/** Match @s[0..len) against glob tokens (already folded as needed). */
bool ss_sigma_glob(const struct sg_tok *toks, uint32_t n, const char *s, size_t len);
/** Match @s[0..len) against a string value of shape @v->shape (simple shapes and glob). */
bool ss_sigma_match_str(const struct sg_val *v, const char *s, size_t len);
/** Parse an IPv4 or IPv6 address; returns 4, 6 or 0 (not an address). @out gets 16 bytes. */
int ss_sigma_parse_ip(const char *s, size_t len, uint8_t out[16]);

/* Context for compiling detection items. */
struct sg_cctx {
    struct ss_sigma_ruleset *rs;
    struct sg_rule *rule;         /* may be NULL (mapping 'when') */
    const struct sg_mapping *map; /* value map source; NULL: none */
    const char *file;
    struct ss_diag *diag;      /* rejection reason */
    bool resolve_placeholders; /* compile: expand placeholders (else: validate) */
    bool saw_expand;
    bool missing_placeholder;
    char missing_name[128];
    pcre2_general_context *gctx;
};

/** Compile one detection item (key "field|mods", value node) into a predicate node. */
SS_MUST_USE int ss_sigma_compile_item(struct sg_cctx *cc, const struct ss_yaml_node *key,
                                      const char *key_text, size_t key_len,
                                      const struct ss_yaml_node *val, struct sg_node **ret);
/** Compile keyword values (a list item that is a scalar, or a keyword list). */
SS_MUST_USE int ss_sigma_compile_keywords(struct sg_cctx *cc,
                                          const struct ss_yaml_node *const *vals, size_t n,
                                          struct sg_node **ret);

/* sigma_rule.c */

/** Intern a field name; returns its id, or SG_NO_FIELD on OOM / cap. */
uint32_t ss_sigma_field_id(struct ss_sigma_ruleset *rs, const char *name, size_t len);
/** Compile a detection section (selections + condition) into a tree. */
SS_MUST_USE int ss_sigma_compile_detection(struct sg_cctx *cc, const struct ss_yaml_node *det,
                                           const char *cond_override, struct sg_node **ret);
/** Add a report entry; returns its index or a negative error. */
SS_MUST_USE int ss_sigma_entry_add(struct ss_sigma_ruleset *rs, const char *file, uint32_t doc,
                                   uint32_t line, uint32_t col);
/** Attach a note to entry @e. Returns 0 or -ENOMEM. */
SS_MUST_USE int ss_sigma_note(struct ss_sigma_ruleset *rs, uint32_t e, enum ss_sigma_note_kind k,
                              uint32_t line, uint32_t col, const char *fmt, ...)
    SS_ATTR_PRINTF(6, 7);
/** Load all documents of one YAML text. */
SS_MUST_USE int ss_sigma_load_text(struct ss_sigma_ruleset *rs, const char *name, const char *text,
                                   size_t len, struct ss_diag *reterr_diag);
/** Insert @key -> @val; returns 0, 1 when the key is already present, or -ENOMEM. */
SS_MUST_USE int ss_sigma_strmap_put(struct sg_strmap *m, const char *key, uint32_t val);
/** The value of @key, or -1. */
int64_t ss_sigma_strmap_get(const struct sg_strmap *m, const char *key);
/** Read a whole file of at most SS_SIGMA_MAX_FILE_BYTES (owned result, NUL-terminated). */
SS_MUST_USE int ss_sigma_read_file(const char *path, char **ret, size_t *ret_len,
                                   struct ss_diag *d);
/** Map a severity from a level word; medium when @level is NULL. */
enum ss_severity ss_sigma_level_sev(const char *level);

/* sigma_map.c */

/** Parse a mapping file's text into @rs. */
SS_MUST_USE int ss_sigma_mapping_parse(struct ss_sigma_ruleset *rs, const char *name,
                                       const char *text, size_t len, bool builtin,
                                       struct ss_diag *reterr_diag);
/** Route rules to sources through mappings (compile step). */
SS_MUST_USE int ss_sigma_route(struct ss_sigma_ruleset *rs, struct ss_diag *reterr_diag);
/** Compile @ru's detection again under mapping @m (value maps, placeholders). */
SS_MUST_USE int ss_sigma_recompile(struct ss_sigma_ruleset *rs, struct sg_rule *ru,
                                   const struct sg_mapping *m, struct sg_node **ret,
                                   struct ss_diag *d);
/** Fill every mapping's field -> paths table (after all field names are interned). */
SS_MUST_USE int ss_sigma_resolve_tables(struct ss_sigma_ruleset *rs);
/** Compile a selection (map, list, or scalar) into a tree. */
SS_MUST_USE int ss_sigma_compile_selection(struct sg_cctx *cc, const struct ss_yaml_node *def,
                                           struct sg_node **ret);
/** Candidate paths for field @fid under mapping @m (resolved at route time). */
const char *const *ss_sigma_paths(const struct ss_sigma_ruleset *rs, const struct sg_mapping *m,
                                  uint32_t fid, uint32_t *ret_n);
/** Keep @re to be freed with @rs. Returns 0 or -ENOMEM (then the caller frees it). */
SS_MUST_USE int ss_sigma_keep_re(struct ss_sigma_ruleset *rs, pcre2_code *re);
/** The shipped mapping files: names and texts (generated at build time). */
extern const char *const ss_sigma_builtin_names[];
extern const char *const ss_sigma_builtin_texts[];
extern const size_t ss_sigma_builtin_lens[];
extern const size_t ss_sigma_n_builtin;

/* sigma_prefilter.c */

struct sg_prefilter;
/** Build the prefilter of source @src. */
SS_MUST_USE int ss_sigma_prefilter_build(struct ss_sigma_ruleset *rs, struct sg_source *src,
                                         struct ss_diag *reterr_diag);
/**
 * Mark in @cand (stamped with @epoch) the targets that may match @rec: source-local
 * instances [0, n_insts) and the source's mappings [n_insts, n_insts + n_maps) whose
 * 'when' may hold. A record with JSON escapes is scanned again unescaped, in *@ubuf
 * (grown to @len; *@ucap its size). Returns how many were marked (targets without
 * literals always are).
 */
size_t ss_sigma_prefilter_scan(const struct sg_prefilter *pf, hs_scratch_t *hs, const char *rec,
                               size_t len, uint32_t *cand, uint32_t epoch, char **ubuf,
                               size_t *ucap);
/** Grow @hs to fit @pf's database. Returns 0 or -ENOMEM. */
SS_MUST_USE int ss_sigma_prefilter_scratch(const struct sg_prefilter *pf, hs_scratch_t **hs);
/** Free a prefilter. Accepts NULL. */
void ss_sigma_prefilter_free(struct sg_prefilter *pf);
/**
 * The largest product of nested counted repetitions ({n}, {n,}, {n,m}: the larger bound)
 * in regular expression @re[0..n), saturating: (?:a{1000}){1000} gives 1,000,000, the
 * characters one attempt may have to step over at each position of a value.
 */
uint64_t ss_sigma_re_repeats(const char *re, size_t n);

#endif
