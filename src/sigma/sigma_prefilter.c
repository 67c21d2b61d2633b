/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sigma/sigma_prefilter.c - implements the literal prefilter: for each source (input
 * kind), one caseless multi-literal Vectorscan/Hyperscan database over all the literals
 * its rules need, so that a record is evaluated only against the rules that could match
 * it.
 *
 * Soundness. For each rule instance we compute a literal set S such that "the rule
 * matches the record" implies "some literal of S occurs in the record's raw bytes,
 * ASCII case-insensitively":
 *  - a string value contributes one piece of its (folded) literal text: the longest run
 *    of ASCII bytes other than '"', '\' and control characters, since only those bytes
 *    appear unchanged in JSON text (the others may be escaped), cut to its first
 *    MAX_PIECE bytes; integer values their decimal text (they match only that exact
 *    text); a regular expression the longest literal run it requires (no alternation at
 *    top level, nothing under a quantifier that allows zero repeats, no group contents;
 *    an escape or a character class, POSIX classes within, is skipped whole, and an
 *    escape whose extent cannot be told gives no constraint);
 *  - OR and lists: the union (a long list without the affixes its pieces share:
 *    trim_shared); AND: the best child set; NOT, null, exists, neq, comparisons, CIDR,
 *    fieldref and booleans: no constraint (the instance is always a candidate); a value
 *    that never matches: the empty set.
 * JSON may also write any character as \uXXXX and '/' as '\/': a record that contains
 * either escape anywhere (detected by the same scan) is scanned again, unescaped: every
 * escape of an ASCII character becomes that character and any other escape a control
 * byte, so each string's decoded text appears whole (pieces hold no control byte, '"' or
 * '\'). A string that holds JSON (the matcher decodes up to SG_MAX_DECODE_DEPTH levels)
 * carries its own escapes once more escaped (\\u0027): while the unescaped text still
 * holds an escape, it is unescaped again and scanned too. Only if that copy cannot be
 * made is every instance a candidate.
 * Case folding never maps a non-ASCII character to ASCII (sigma_value.c), so a caseless
 * ASCII search for a folded ASCII piece finds every record the matcher would accept.
 */
#include "sigma/sigma_int.h"

#include "core/alloc.h"

#define MIN_PIECE 3u
/*
 * Longest piece kept: a prefix of a piece that must occur must occur too, and
 * Vectorscan refuses very long literals ("Pattern length exceeds limit", which would
 * fail the whole rule set's compile over one value of tens of kilobytes).
 */
#define MAX_PIECE 256u
#define ESC_ID 0u /* pattern id of the JSON escape detectors */

/*
 * Candidate targets: source-local instances [0, n_insts), then the source's mappings
 * [n_insts, n_insts + n_maps) ("the mapping's 'when' may hold": its literals occur).
 */
struct sg_prefilter {
    hs_database_t *db;
    uint32_t *always; /* targets without literals */
    uint32_t n_always;
    uint32_t **lit_insts; /* per literal id (1-based ids; 0 = escape): targets */
    uint32_t *n_lit_insts;
    uint32_t n_lits;
    uint32_t n_insts;
    uint32_t n_targets;
};

/*
 * A hash index over strings kept in arrays elsewhere (item i: @s[i], @l[i] bytes):
 * slots hold i + 1 (0: empty) and are at most half full. A rule's literal set reaches
 * 10,000 pieces and a kind's database hundreds of thousands: looking them up one by one
 * made compiling IOC lists quadratic (10 rules of 9,999 values took 9 minutes).
 */
struct sindex {
    uint32_t *slot;
    size_t cap;
};

/* The slot of @p[0..n) in @ix (*found), or the empty slot where it would go. */
static size_t sindex_probe(const struct sindex *ix, char *const *s, const size_t *l, const char *p,
                           size_t n, bool *found)
{
    size_t at = ss_sigma_hash(p, n) & (ix->cap - 1);

    while (ix->slot[at] != 0) {
        uint32_t i = ix->slot[at] - 1;

        if (l[i] == n && memcmp(s[i], p, n) == 0) {
            *found = true;
            return at;
        }
        at = (at + 1) & (ix->cap - 1);
    }
    *found = false;
    return at;
}

/* Room for one more than the @n items indexed (grown and rebuilt at half full). */
static int sindex_reserve(struct sindex *ix, char *const *s, const size_t *l, size_t n)
{
    size_t cap;
    uint32_t *ns;

    if ((n + 1) * 2 <= ix->cap)
        return 0;
    if (n >= UINT32_MAX / 4)
        return SS_ELIMIT;
    cap = ix->cap ? ix->cap * 2 : 16;
    ns = ss_calloc(cap, sizeof(*ns));
    if (ns == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        size_t at = ss_sigma_hash(s[i], l[i]) & (cap - 1);

        while (ns[at] != 0)
            at = (at + 1) & (cap - 1);
        ns[at] = (uint32_t)(i + 1);
    }
    ss_free(ix->slot);
    ix->slot = ns;
    ix->cap = cap;
    return 0;
}

/* A literal set under construction. */
struct lset {
    bool any;  /* no constraint */
    bool weak; /* has field keys or common words: prunes little */
    char **s;  /* pieces (heap, lower case) */
    size_t *l;
    size_t n, cap;
    struct sindex ix;
};

static void lset_release(struct lset *x)
{
    for (size_t i = 0; i < x->n; i++)
        ss_free(x->s[i]);
    ss_free(x->s);
    ss_free(x->l);
    ss_free(x->ix.slot);
    *x = (struct lset){ 0 };
}

/* Add piece @p[0..n) (at most MAX_PIECE bytes, as every piece is) in lower case. */
static int lset_add(struct lset *x, const char *p, size_t n)
{
    char low[MAX_PIECE];
    bool found;
    size_t at;
    int r;

    if (SS_NEVER(n > MAX_PIECE))
        return -EINVAL;
    /* pieces are searched caselessly: store them lower case */
    for (size_t i = 0; i < n; i++)
        low[i] = p[i] >= 'A' && p[i] <= 'Z' ? (char)(p[i] + 32) : p[i];
    r = sindex_reserve(&x->ix, x->s, x->l, x->n);
    if (r < 0)
        return r;
    at = sindex_probe(&x->ix, x->s, x->l, low, n, &found);
    if (found)
        return 0;
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 4;
        char **ns = ss_reallocarray(x->s, cap, sizeof(*ns));
        size_t *nl;

        if (ns == NULL)
            return -ENOMEM;
        x->s = ns;
        nl = ss_reallocarray(x->l, cap, sizeof(*nl));
        if (nl == NULL)
            return -ENOMEM;
        x->l = nl;
        x->cap = cap;
    }
    x->s[x->n] = ss_strndup(low, n);
    if (x->s[x->n] == NULL)
        return -ENOMEM;
    x->l[x->n] = n;
    x->ix.slot[at] = (uint32_t)(x->n + 1);
    x->n++;
    return 0;
}

static int lset_union(struct lset *dst, struct lset *src)
{
    if (src->any) {
        dst->any = true;
        return 0;
    }
    dst->weak = dst->weak || src->weak;
    for (size_t i = 0; i < src->n; i++) {
        int r = lset_add(dst, src->s[i], src->l[i]);

        if (r < 0)
            return r;
    }
    return 0;
}

static void lset_move(struct lset *dst, struct lset *src)
{
    lset_release(dst);
    *dst = *src;
    *src = (struct lset){ 0 };
}

static bool safe_byte(unsigned char c, bool no_ks)
{
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\')
        return false;
    if (no_ks && (c == 'k' || c == 'K' || c == 's' || c == 'S'))
        return false;
    return true;
}

/* The longest safe piece of @p[0..n) (its first MAX_PIECE bytes): 0 when shorter than
   MIN_PIECE. */
static size_t best_piece(const char *p, size_t n, bool no_ks, size_t *ret_off)
{
    size_t best = 0, best_off = 0, run = 0;

    for (size_t i = 0; i <= n; i++) {
        if (i < n && safe_byte((unsigned char)p[i], no_ks)) {
            run++;
            continue;
        }
        if (run > best) {
            best = run;
            best_off = i - run;
        }
        run = 0;
    }
    *ret_off = best_off;
    return best < MIN_PIECE ? 0 : SS_MIN(best, (size_t)MAX_PIECE);
}

static int add_piece(struct lset *x, const char *p, size_t n, bool no_ks)
{
    size_t off, l = best_piece(p, n, no_ks, &off);

    if (l == 0) {
        x->any = true;
        return 0;
    }
    return lset_add(x, p + off, l);
}

/* The index just past the argument of an escape at @i: {..}, <..> or '..' (else @i). */
static size_t skip_arg(const char *re, size_t n, size_t i)
{
    char close;

    if (i >= n || (re[i] != '{' && re[i] != '<' && re[i] != '\''))
        return i;
    close = re[i] == '{' ? '}' : re[i] == '<' ? '>' : '\'';
    for (i++; i < n && re[i] != close; i++)
        ;
    return i < n ? i + 1 : n;
}

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * The length of the escape at @re[@i] ('\\'), everything that belongs to it included
 * (PCRE2 syntax): 2 for an escaped punctuation character, more for a letter or digit
 * with an argument, 0 when it cannot be told. An argument is never literal text (\x62
 * is 'b', not "62").
 */
static size_t escape_len(const char *re, size_t n, size_t i)
{
    size_t j = i + 2;
    char e = i + 1 < n ? re[i + 1] : '\0';

    if (!is_alnum(e))
        return i + 1 < n ? 2 : 1;
    /* one letter: a class, an anchor or a control character */
    if (strchr("dDwWsShHvVRXbBAzZGKntrfeaC", e) != NULL)
        return 2;
    switch (e) {
    case 'N': /* \N, or \N{U+hh..} */
    case 'o': /* \o{ddd} */
        return skip_arg(re, n, j) - i;
    case 'x': /* \xhh or \x{hh..} */
        if (j < n && re[j] == '{')
            return skip_arg(re, n, j) - i;
        for (size_t k = 0; k < 2 && j < n && hex_digit(re[j]) >= 0; k++)
            j++;
        return j - i;
    case 'c': /* \cX */
        return j < n ? 3 : 2;
    case 'p': /* \pL or \p{..} */
    case 'P':
        if (j < n && re[j] == '{')
            return skip_arg(re, n, j) - i;
        return j < n ? 3 : 2;
    case 'g': /* \gN, \g-N, \g{..}, \g<..>, \g'..' */
        if (j < n && (re[j] == '{' || re[j] == '<' || re[j] == '\''))
            return skip_arg(re, n, j) - i;
        if (j < n && (re[j] == '-' || re[j] == '+'))
            j++;
        while (j < n && re[j] >= '0' && re[j] <= '9')
            j++;
        return j - i;
    case 'k': /* \k<..>, \k'..', \k{..} */
        return skip_arg(re, n, j) - i;
    default:
        break;
    }
    if (e >= '0' && e <= '9') {
        /* an octal code or a back reference: every digit that follows belongs to it */
        while (j < n && re[j] >= '0' && re[j] <= '9')
            j++;
        return j - i;
    }
    return 0; /* \Q..\E, or a letter PCRE2 gives another meaning */
}

/*
 * The index just past the character class that starts at @re[@i] ('['): a ']' first
 * (or after '^') is a member, escapes are skipped, and so are POSIX classes ([:alpha:],
 * [.x.], [=x=]), whose ']' does not close the class. @n when it is not closed.
 */
static size_t class_end(const char *re, size_t n, size_t i)
{
    i++;
    if (i < n && re[i] == '^')
        i++;
    if (i < n && re[i] == ']')
        i++;
    while (i < n && re[i] != ']') {
        if (re[i] == '\\') {
            i += 2;
        } else if (re[i] == '[' && i + 1 < n &&
                   (re[i + 1] == ':' || re[i + 1] == '.' || re[i + 1] == '=')) {
            char kind = re[i + 1];

            for (i += 2; i + 1 < n && !(re[i] == kind && re[i + 1] == ']'); i++)
                ;
            i += 2;
        } else {
            i++;
        }
    }
    return i < n ? i + 1 : n;
}

/* The number at @re[*i], if digits are there (advanced past them); saturating. */
static bool read_count(const char *re, size_t n, size_t *i, uint64_t *ret)
{
    size_t start = *i;

    *ret = 0;
    for (; *i < n && re[*i] >= '0' && re[*i] <= '9'; (*i)++)
        *ret = *ret > UINT64_MAX / 100 ? UINT64_MAX / 10 : *ret * 10 + (uint64_t)(re[*i] - '0');
    return *i > start;
}

static uint64_t mul_sat(uint64_t a, uint64_t b)
{
    return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

uint64_t ss_sigma_re_repeats(const char *re, size_t n)
{
    uint64_t inside[66] = { 1 }; /* per open group: the largest product in it so far */
    uint64_t last = 1;           /* the atom just read: what a quantifier repeats */
    size_t depth = 0, i = 0;

    while (i < n) {
        if (re[i] == '\\') {
            size_t el = escape_len(re, n, i);

            i += el != 0 ? el : 2;
            last = 1;
        } else if (re[i] == '[') {
            i = class_end(re, n, i);
            last = 1;
        } else if (re[i] == '(') {
            if (depth + 1 >= SS_ARRAY_LEN(inside))
                return UINT64_MAX; /* deeper than PCRE2 allows */
            inside[++depth] = 1;
            i++;
        } else if (re[i] == ')') {
            last = depth > 0 ? inside[depth--] : 1;
            inside[depth] = SS_MAX(inside[depth], last);
            i++;
        } else if (re[i] == '{') {
            size_t j = i + 1;
            uint64_t lo, hi = 0;
            bool ok = read_count(re, n, &j, &lo);

            if (ok && j < n && re[j] == ',') {
                j++;
                (void)read_count(re, n, &j, &hi);
            }
            if (ok && j < n && re[j] == '}') {
                last = mul_sat(last, SS_MAX(lo, hi));
                inside[depth] = SS_MAX(inside[depth], last);
                i = j + 1;
            } else {
                last = 1; /* a literal '{' */
                i++;
            }
        } else {
            last = 1;
            i++;
        }
    }
    while (depth > 0) {
        inside[depth - 1] = SS_MAX(inside[depth - 1], inside[depth]);
        depth--;
    }
    return inside[0];
}

/*
 * The longest literal run a regular expression requires (see the file comment), into
 * @x; x->any when none can be found.
 */
static int regex_literal(const char *re, size_t n, bool caseless, struct lset *x)
{
    char best[SG_MAX_REGEX_BYTES + 1], cur[SG_MAX_REGEX_BYTES + 1];
    size_t bl = 0, cl = 0, i = 0;
    int depth = 0;

#define END_RUN()                                                                                  \
    do {                                                                                           \
        if (cl > bl) {                                                                             \
            memcpy(best, cur, cl);                                                                 \
            bl = cl;                                                                               \
        }                                                                                          \
        cl = 0;                                                                                    \
    } while (0)
    if (n > SG_MAX_REGEX_BYTES) {
        x->any = true;
        return 0;
    }
    /* inline option settings with 'x' change what spaces mean: give up */
    for (size_t k = 0; k + 2 < n; k++) {
        if (re[k] == '(' && re[k + 1] == '?') {
            for (size_t q = k + 2; q < n && re[q] != ')' && re[q] != ':'; q++)
                if (re[q] == 'x')
                    goto any;
        }
    }
    while (i < n) {
        char c = re[i];

        if (depth > 0) {
            if (c == '\\') {
                size_t el = escape_len(re, n, i);

                if (el == 0)
                    goto any;
                i += el;
                continue;
            }
            if (c == '[') {
                i = class_end(re, n, i);
                continue;
            }
            if (c == '(')
                depth++;
            else if (c == ')')
                depth--;
            i++;
            if (depth == 0) {
                /* a quantifier after the group does not affect the runs around it */
                END_RUN();
            }
            continue;
        }
        switch (c) {
        case '|':
            goto any;
        case '(':
            END_RUN();
            depth = 1;
            i++;
            continue;
        case ')':
            goto any;
        case '[':
            END_RUN();
            i = class_end(re, n, i);
            continue;
        case '.':
        case '^':
        case '$':
            END_RUN();
            i++;
            continue;
        case '*':
        case '?':
        case '{':
            /* the previous atom may be absent: drop it from the run */
            if (cl > 0)
                cl--;
            END_RUN();
            i++;
            if (c == '{')
                while (i < n && re[i] != '}')
                    i++;
            if (i < n && (re[i] == '}' || re[i] == '?' || re[i] == '+'))
                i++;
            continue;
        case '+':
            END_RUN();
            i++;
            if (i < n && (re[i] == '?' || re[i] == '+'))
                i++;
            continue;
        case '\\':
            if (i + 1 >= n)
                goto any;
            {
                char e = re[i + 1];

                if (is_alnum(e)) {
                    /* a class, an anchor, a code or a back reference: not literal text */
                    size_t el = escape_len(re, n, i);

                    if (el == 0)
                        goto any;
                    END_RUN();
                    i += el;
                    continue;
                }
                cur[cl++] = e;
                i += 2;
                continue;
            }
        default:
            cur[cl++] = c;
            i++;
            continue;
        }
    }
    END_RUN();
#undef END_RUN
    if (depth != 0)
        goto any;
    return add_piece(x, best, bl, caseless);
any:
    x->any = true;
    return 0;
}

static int val_lits(const struct sg_val *v, struct lset *x)
{
    switch (v->kind) {
    case SG_V_STR:
        if (v->shape == SG_SH_ANY)
            break;
        return add_piece(x, v->s, v->len, false);
    case SG_V_INT:
        return add_piece(x, v->s, v->len, false);
    case SG_V_RE: {
        uint32_t opts = 0;

        bool caseless;

        (void)pcre2_pattern_info(v->re, PCRE2_INFO_ALLOPTIONS, &opts);
        caseless = (opts & PCRE2_CASELESS) != 0;
        /* an inline (?i) anywhere also makes later literals caseless */
        for (size_t k = 0; !caseless && k + 2 < v->len; k++) {
            if (v->s[k] != '(' || v->s[k + 1] != '?')
                continue;
            for (size_t q = k + 2; q < v->len && v->s[q] != ')' && v->s[q] != ':'; q++)
                caseless = caseless || v->s[q] == 'i';
        }
        return regex_literal(v->s, v->len, caseless, x);
    }
    case SG_V_NONE:
        return 0;
    default:
        break;
    }
    x->any = true;
    return 0;
}

/*
 * Words that occur in nearly every cloud audit record (JSON literals, result and status
 * words, operation verbs): a piece equal to one of them prunes almost nothing, and
 * neither does a field's key (keys repeat in every record of a kind). A conjunction
 * prefers a set with neither. Only the choice changes, never soundness.
 */
static const char *const common_words[] = {
    "true",   "false",  "null",      "success", "succeeded", "failure",    "failed",
    "read",   "write",  "delete",    "action",  "create",    "update",     "start",
    "accept", "allow",  "deny",      "error",   "info",      "warning",    "user",
    "admin",  "policy", "microsoft", "azure",   "amazonaws", "googleapis",
};

static bool lset_weak(const struct lset *x)
{
    if (x->weak)
        return true;
    for (size_t i = 0; i < x->n; i++)
        for (size_t k = 0; k < sizeof(common_words) / sizeof(common_words[0]); k++)
            if (strlen(common_words[k]) == x->l[i] &&
                memcmp(common_words[k], x->s[i], x->l[i]) == 0)
                return true;
    return false;
}

/* How field names resolve for the tree being analysed: a mapping's paths, or raw. */
struct nctx {
    const struct ss_sigma_ruleset *rs;
    const struct sg_mapping *m; /* NULL: field names are raw paths ('when') */
};

static int need(const struct nctx *c, const struct sg_node *nd, struct lset *out, unsigned depth);

/*
 * 'exists: true': the key of the last segment of some candidate path occurs in the
 * record (keys are compared exactly or ASCII case-insensitively; a flattened key
 * "a.b" contains its last segment). Not for mappings that match keys with their
 * spaces removed, nor for '*' segments.
 */
static int exists_lits(const struct nctx *c, uint32_t fid, struct lset *out)
{
    const char *raw = c->rs->fnames[fid];
    const char *const *paths = &raw;
    uint32_t n = 1;
    int r = 0;

    out->weak = true;
    if (c->m != NULL) {
        if (c->m->keys_without_spaces) {
            out->any = true;
            return 0;
        }
        paths = ss_sigma_paths(c->rs, c->m, fid, &n);
    }
    for (uint32_t i = 0; i < n && r == 0 && !out->any; i++) {
        const char *seg = strrchr(paths[i], '.');

        seg = seg != NULL ? seg + 1 : paths[i];
        if (strcmp(seg, "*") == 0)
            out->any = true;
        else
            r = add_piece(out, seg, strlen(seg), false);
    }
    return r;
}

static int value_lits(const struct nctx *c, const struct sg_pred *p, struct lset *out);

/*
 * A predicate on field values needs both a value and the field's key (a value can only
 * match where the field was found): the values' literals, or the key's when the values
 * give none.
 */
static int pred_lits(const struct nctx *c, const struct sg_pred *p, struct lset *out)
{
    struct lset v = { 0 }, k = { 0 };
    int r;

    if (p->kind == SG_P_EXISTS && p->exists && p->field != SG_NO_FIELD)
        return exists_lits(c, p->field, out);
    r = value_lits(c, p, &v);
    if (r == 0 && p->kind == SG_P_VALUES && !p->neq && p->field != SG_NO_FIELD)
        r = exists_lits(c, p->field, &k);
    if (r == 0) {
        /* keys repeat in every record of a kind: prefer values, keys only instead of
           no literal at all */
        bool use_key = v.any && !k.any && k.n > 0;

        lset_move(out, use_key ? &k : &v);
    }
    lset_release(&v);
    lset_release(&k);
    return r;
}

/*
 * Large lists (indicator lists: thousands of domains or paths) often share an affix
 * (".example.com"). Vectorscan's compile time grows with the square of such literals
 * (20,000 of them: 3.5 s, against 0.8 s once the shared suffix is gone), so a list of
 * TRIM_MIN_PIECES pieces or more loses the prefix and suffix all of them share, as far
 * as every piece keeps TRIM_KEEP bytes: a piece of a piece still has to occur, and the
 * distinct middle keeps the list as selective.
 */
#define TRIM_MIN_PIECES 32u
#define TRIM_KEEP 8u

static int trim_shared(struct lset *x)
{
    size_t pre = SIZE_MAX, suf = SIZE_MAX, shortest = SIZE_MAX;
    struct lset t = { 0 };
    int r = 0;

    if (x->any || x->n < TRIM_MIN_PIECES)
        return 0;
    for (size_t i = 0; i < x->n; i++)
        shortest = SS_MIN(shortest, x->l[i]);
    if (shortest <= TRIM_KEEP)
        return 0;
    for (size_t i = 1; i < x->n; i++) {
        size_t a = 0, b = 0, m = SS_MIN(x->l[0], x->l[i]);

        while (a < m && a < pre && x->s[0][a] == x->s[i][a])
            a++;
        while (b < m && b < suf && x->s[0][x->l[0] - 1 - b] == x->s[i][x->l[i] - 1 - b])
            b++;
        pre = a;
        suf = b;
    }
    /* keep TRIM_KEEP bytes of the shortest piece: give up the prefix first */
    suf = SS_MIN(suf, shortest - TRIM_KEEP);
    pre = SS_MIN(pre, shortest - TRIM_KEEP - suf);
    if (pre + suf == 0)
        return 0;
    t.weak = x->weak;
    for (size_t i = 0; i < x->n && r == 0; i++)
        r = lset_add(&t, x->s[i] + pre, x->l[i] - pre - suf);
    if (r == 0)
        lset_move(x, &t);
    lset_release(&t);
    return r;
}

static int value_lits(const struct nctx *c, const struct sg_pred *p, struct lset *out)
{
    int r = 0;

    (void)c;
    if ((p->kind != SG_P_VALUES && p->kind != SG_P_KEYWORDS) || p->neq ||
        p->timepart != SG_TP_NONE) {
        out->any = true;
        return 0;
    }
    if (!p->all) {
        for (uint32_t k = 0; k < p->n_vals && r == 0 && !out->any; k++)
            r = val_lits(&p->vals[k], out);
        return r == 0 ? trim_shared(out) : r;
    }
    /* all: every group must match, so any one group's union is a valid set */
    {
        struct lset best = { .any = true };

        for (uint32_t k = 0; k < p->n_vals && r == 0;) {
            uint32_t g = p->vals[k].group, end = k;
            struct lset cur = { 0 };

            while (end < p->n_vals && p->vals[end].group == g)
                end++;
            for (uint32_t q = k; q < end && r == 0 && !cur.any; q++)
                r = val_lits(&p->vals[q], &cur);
            if (r == 0 && !cur.any && (best.any || cur.n < best.n))
                lset_move(&best, &cur);
            lset_release(&cur);
            k = end;
        }
        if (r == 0)
            lset_move(out, &best);
        lset_release(&best);
    }
    return r;
}

static size_t min_len(const struct lset *x)
{
    size_t m = SIZE_MAX;

    for (size_t i = 0; i < x->n; i++)
        m = SS_MIN(m, x->l[i]);
    return m;
}

/* For a conjunction: whether set @k is a better choice than @best. */
static bool better(const struct lset *k, const struct lset *best)
{
    bool kc, bc;

    if (best->any)
        return true;
    kc = lset_weak(k);
    bc = lset_weak(best);
    if (kc != bc)
        return bc;
    if (min_len(k) != min_len(best))
        return min_len(k) > min_len(best);
    return k->n < best->n;
}

static int need(const struct nctx *c, const struct sg_node *nd, struct lset *out, unsigned depth)
{
    int r = 0;

    if (depth > 256) {
        out->any = true;
        return 0;
    }
    switch (nd->op) {
    case SG_N_PRED:
        return pred_lits(c, nd->pred, out);
    case SG_N_FALSE:
        return 0; /* never matches: needs nothing, is never a candidate */
    case SG_N_OR:
        for (uint32_t i = 0; i < nd->n && r == 0 && !out->any; i++) {
            struct lset k = { 0 };

            r = need(c, nd->kids[i], &k, depth + 1);
            if (r == 0)
                r = lset_union(out, &k);
            lset_release(&k);
        }
        return r;
    case SG_N_AND: {
        struct lset best = { .any = true };

        for (uint32_t i = 0; i < nd->n && r == 0; i++) {
            struct lset k = { 0 };

            r = need(c, nd->kids[i], &k, depth + 1);
            if (r == 0 && !k.any) {
                if (k.n == 0) {
                    /* a conjunct that never matches: the whole AND never does */
                    lset_release(&best);
                    best = (struct lset){ 0 };
                    lset_release(&k);
                    break;
                }
                if (better(&k, &best))
                    lset_move(&best, &k);
            }
            lset_release(&k);
        }
        if (r == 0)
            lset_move(out, &best);
        lset_release(&best);
        return r;
    }
    default:
        out->any = true;
        return 0;
    }
}

/* ---- building ---- */

struct litmap {
    char **s;
    size_t *l;
    uint32_t **insts;
    uint32_t *n_insts, *cap_insts;
    size_t n, cap;
    struct sindex ix;
};

static int litmap_add(struct litmap *m, const char *p, size_t n, uint32_t inst)
{
    size_t i, at;
    bool found;
    int r = sindex_reserve(&m->ix, m->s, m->l, m->n);

    if (r < 0)
        return r;
    at = sindex_probe(&m->ix, m->s, m->l, p, n, &found);
    i = found ? m->ix.slot[at] - 1 : m->n;
    if (!found) {
        if (m->n == m->cap) {
            size_t cap = m->cap ? m->cap * 2 : 64;
            char **ns = ss_reallocarray(m->s, cap, sizeof(*ns));
            size_t *nl;
            uint32_t **ni, *nn, *nc;

            if (ns == NULL)
                return -ENOMEM;
            m->s = ns;
            nl = ss_reallocarray(m->l, cap, sizeof(*nl));
            if (nl == NULL)
                return -ENOMEM;
            m->l = nl;
            ni = ss_reallocarray(m->insts, cap, sizeof(*ni));
            if (ni == NULL)
                return -ENOMEM;
            m->insts = ni;
            nn = ss_reallocarray(m->n_insts, cap, sizeof(*nn));
            if (nn == NULL)
                return -ENOMEM;
            m->n_insts = nn;
            nc = ss_reallocarray(m->cap_insts, cap, sizeof(*nc));
            if (nc == NULL)
                return -ENOMEM;
            m->cap_insts = nc;
            m->cap = cap;
        }
        m->s[i] = ss_strndup(p, n);
        if (m->s[i] == NULL)
            return -ENOMEM;
        m->l[i] = n;
        m->insts[i] = NULL;
        m->n_insts[i] = m->cap_insts[i] = 0;
        m->ix.slot[at] = (uint32_t)(i + 1);
        m->n++;
    }
    if (m->n_insts[i] > 0 && m->insts[i][m->n_insts[i] - 1] == inst)
        return 0;
    if (m->n_insts[i] == m->cap_insts[i]) {
        uint32_t cap = m->cap_insts[i] ? m->cap_insts[i] * 2 : 4;
        uint32_t *ni = ss_reallocarray(m->insts[i], cap, sizeof(*ni));

        if (ni == NULL)
            return -ENOMEM;
        m->insts[i] = ni;
        m->cap_insts[i] = cap;
    }
    m->insts[i][m->n_insts[i]++] = inst;
    return 0;
}

static void litmap_release(struct litmap *m)
{
    for (size_t i = 0; i < m->n; i++) {
        ss_free(m->s[i]);
        ss_free(m->insts[i]);
    }
    ss_free(m->s);
    ss_free(m->l);
    ss_free(m->insts);
    ss_free(m->n_insts);
    ss_free(m->cap_insts);
    ss_free(m->ix.slot);
}

void ss_sigma_prefilter_free(struct sg_prefilter *pf)
{
    if (pf == NULL)
        return;
    if (pf->db != NULL)
        hs_free_database(pf->db);
    for (uint32_t i = 0; i < pf->n_lits; i++)
        ss_free(pf->lit_insts[i]);
    ss_free(pf->lit_insts);
    ss_free(pf->n_lit_insts);
    ss_free(pf->always);
    ss_free(pf);
}

int ss_sigma_prefilter_build(struct ss_sigma_ruleset *rs, struct sg_source *src,
                             struct ss_diag *reterr_diag)
{
    struct sg_prefilter *pf = ss_calloc(1, sizeof(*pf));
    struct litmap lm = { 0 };
    const char **exprs = NULL;
    unsigned *flags = NULL, *ids = NULL;
    size_t *lens = NULL;
    int r = 0;

    if (pf == NULL)
        return -ENOMEM;
    pf->n_insts = src->n_insts;
    pf->always = ss_calloc(src->n_insts + src->n_maps + 1, sizeof(*pf->always));
    if (pf->always == NULL) {
        r = -ENOMEM;
        goto out;
    }
    pf->n_targets = src->n_insts + src->n_maps;
    for (uint32_t k = 0; k < pf->n_targets && r == 0; k++) {
        struct lset x = { 0 };
        struct nctx c = { .rs = rs };

        if (k < src->n_insts) {
            c.m = rs->maps[rs->insts[src->insts[k]].mapping];
            r = need(&c, rs->insts[src->insts[k]].tree, &x, 0);
        } else {
            const struct sg_mapping *m = rs->maps[src->maps[k - src->n_insts]];

            /* a mapping's 'when' uses raw paths */
            if (m->when != NULL)
                r = need(&c, m->when, &x, 0);
            else
                x.any = true;
        }
        if (r == 0 && x.any)
            pf->always[pf->n_always++] = k;
        for (size_t i = 0; r == 0 && !x.any && i < x.n; i++)
            r = litmap_add(&lm, x.s[i], x.l[i], k);
        lset_release(&x);
    }
    if (r < 0)
        goto out;
    if (lm.n > 0) {
        hs_compile_error_t *cerr = NULL;
        size_t n_pat = lm.n + 2;

        exprs = ss_calloc(n_pat, sizeof(*exprs));
        flags = ss_calloc(n_pat, sizeof(*flags));
        ids = ss_calloc(n_pat, sizeof(*ids));
        lens = ss_calloc(n_pat, sizeof(*lens));
        pf->lit_insts = ss_calloc(lm.n + 1, sizeof(*pf->lit_insts));
        pf->n_lit_insts = ss_calloc(lm.n + 1, sizeof(*pf->n_lit_insts));
        if (exprs == NULL || flags == NULL || ids == NULL || lens == NULL ||
            pf->lit_insts == NULL || pf->n_lit_insts == NULL) {
            r = -ENOMEM;
            goto out;
        }
        exprs[0] = "\\u";
        exprs[1] = "\\/";
        lens[0] = lens[1] = 2;
        flags[0] = flags[1] = HS_FLAG_SINGLEMATCH;
        ids[0] = ids[1] = ESC_ID;
        for (size_t i = 0; i < lm.n; i++) {
            exprs[i + 2] = lm.s[i];
            lens[i + 2] = lm.l[i];
            flags[i + 2] = HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH;
            ids[i + 2] = (unsigned)(i + 1);
            pf->lit_insts[i + 1] = lm.insts[i];
            pf->n_lit_insts[i + 1] = lm.n_insts[i];
            lm.insts[i] = NULL;
        }
        pf->n_lits = (uint32_t)lm.n + 1;
        if (hs_compile_lit_multi(exprs, flags, ids, lens, (unsigned)n_pat, HS_MODE_BLOCK, NULL,
                                 &pf->db, &cerr) != HS_SUCCESS) {
            r = ss_diag_set(reterr_diag, SS_EUNSUPPORTED, NULL, 0, 0, UINT64_MAX,
                            "prefilter for '%s': %s", src->kind,
                            cerr && cerr->message ? cerr->message : "compile error");
            hs_free_compile_error(cerr);
            goto out;
        }
    }
    src->pf = pf;
    pf = NULL;
out:
    ss_free(exprs);
    ss_free(flags);
    ss_free(ids);
    ss_free(lens);
    litmap_release(&lm);
    ss_sigma_prefilter_free(pf);
    return r;
}

int ss_sigma_prefilter_scratch(const struct sg_prefilter *pf, hs_scratch_t **hs)
{
    if (pf->db == NULL)
        return 0;
    return hs_alloc_scratch(pf->db, hs) == HS_SUCCESS ? 0 : -ENOMEM;
}

struct scan_ctx {
    const struct sg_prefilter *pf;
    uint32_t *cand;
    uint32_t epoch;
    size_t marked;
    bool escaped;
    bool unescaped; /* scanning the unescaped copy: escape detectors mean nothing */
};

static int on_match(unsigned int id, unsigned long long from, unsigned long long to,
                    unsigned int flags, void *ctx)
{
    struct scan_ctx *c = ctx;

    (void)from;
    (void)to;
    (void)flags;
    if (id == ESC_ID) {
        if (c->unescaped)
            return 0;
        c->escaped = true;
        return 1; /* scan the unescaped copy instead */
    }
    for (uint32_t i = 0; i < c->pf->n_lit_insts[id]; i++)
        c->cand[c->pf->lit_insts[id][i]] = c->epoch;
    c->marked += c->pf->n_lit_insts[id];
    return 0;
}

/*
 * JSON-unescape @rec[0..len) into @out (at least @len bytes; it may be @rec itself);
 * returns the length, and in *@more whether the result holds an escape again (\u or
 * \/, from JSON text inside a string). An escape of an ASCII character (\", \\, \/,
 * \u0000-\u007F) becomes it, any other (\n..., other \u) the control byte 0x01, so a
 * piece occurs in @out wherever it occurs in a decoded string or key.
 */
static size_t unescape(const char *rec, size_t len, char *out, bool *more)
{
    size_t o = 0;

    *more = false;
    for (size_t i = 0; i < len; i++) {
        unsigned v = 0;
        bool code = false;

        if (rec[i] != '\\' || i + 1 >= len) {
            out[o++] = rec[i];
            continue;
        }
        i++;
        if (rec[i] == '/' || rec[i] == '"' || rec[i] == '\\') {
            out[o++] = rec[i];
            continue;
        }
        if (rec[i] == 'u' && i + 4 < len) {
            code = true;
            for (size_t k = 1; k <= 4; k++) {
                int d = hex_digit(rec[i + k]);

                code = code && d >= 0;
                v = (v << 4) | (unsigned)(d & 0xf);
            }
            if (code)
                i += 4;
        }
        out[o++] = code && v < 0x80u ? (char)v : '\x01';
    }
    for (size_t i = 0; i + 1 < o && !*more; i++)
        *more = out[i] == '\\' && (out[i + 1] == 'u' || out[i + 1] == '/');
    return o;
}

size_t ss_sigma_prefilter_scan(const struct sg_prefilter *pf, hs_scratch_t *hs, const char *rec,
                               size_t len, uint32_t *cand, uint32_t epoch, char **ubuf,
                               size_t *ucap)
{
    struct scan_ctx c = { .pf = pf, .cand = cand, .epoch = epoch };

    for (uint32_t i = 0; i < pf->n_always; i++)
        cand[pf->always[i]] = epoch;
    c.marked = pf->n_always;
    if (pf->db == NULL)
        return c.marked;
    if (len <= UINT32_MAX && hs_scan(pf->db, rec, (unsigned)len, 0, hs, on_match, &c) == HS_SUCCESS)
        return c.marked;
    if (c.escaped && len <= UINT32_MAX) {
        /* an escape stopped the scan: scan the unescaped copy from the start */
        if (*ucap < len) {
            char *nb = ss_realloc(*ubuf, len);

            if (nb != NULL) {
                *ubuf = nb;
                *ucap = len;
            }
        }
        if (*ucap >= len) {
            bool more = true;
            size_t n = len;
            int r = HS_SUCCESS;

            c.unescaped = true;
            c.escaped = false;
            /* each level of JSON text in strings, in place after the first */
            for (unsigned level = 0; r == HS_SUCCESS && more && level <= SG_MAX_DECODE_DEPTH;
                 level++) {
                n = unescape(level == 0 ? rec : *ubuf, n, *ubuf, &more);
                r = hs_scan(pf->db, *ubuf, (unsigned)n, 0, hs, on_match, &c);
            }
            if (r == HS_SUCCESS)
                return c.marked;
        }
    }
    /* no copy, or a scan error: be conservative */
    for (uint32_t k = 0; k < pf->n_targets; k++)
        cand[k] = epoch;
    return pf->n_targets;
}
