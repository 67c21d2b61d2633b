/* SPDX-License-Identifier: Apache-2.0 */
/*
 * io/discover.c - case discovery: walk a directory tree, resolve symbolic links without
 * ever leaving the case, drop duplicate paths to the same file, sort the inputs bytewise
 * by relative path (the input index of the record-location contract) and sniff each one
 * by content. Walking (below the first levels) and sniffing run on every core; results
 * are sorted or stored by index, so the outcome does not depend on scheduling.
 *
 * Link rules (docs/io.md "Discovery"): a link is resolved with realpath(); a target
 * outside the case root, a dangling link and a link loop are skipped with the reason.
 * A link to a file inside the case is followed; since that file is also reached by its
 * own path, the pair is one input (the path without links wins, else the first path)
 * and the other path is listed as skipped. A link to a directory inside the case is not
 * descended into (its tree is walked under its real path anyway, and descending could
 * multiply paths exponentially); one to an ancestor is reported as a loop.
 */
/*
 * readdir's d_type (not POSIX, but in glibc, musl and the BSDs) saves a stat per file;
 * without DT_REG every entry is stat'ed.
 */
#define _DEFAULT_SOURCE 1

#include "io/io_int.h"

#include "core/alloc.h"
#include "core/buf.h"
#include "core/pool.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define IO_MAX_DIR_DEPTH 128
#define IO_PATH_MAX_BYTES 4096
/* Below this many inputs, sniffing runs on the calling thread only. */
#define IO_SNIFF_PARALLEL_MIN 64

struct walk_ent {
    char *relpath;
    char *path;
    dev_t dev;
    ino_t ino;
    uint64_t size;
    bool via_link;
    bool dup; /* dropped: same file as another entry */
    struct ss_sniff sniff;
    int open_err; /* -errno when the file could not be opened for sniffing */
};

struct walk_anc {
    dev_t dev;
    ino_t ino;
};

/* A directory whose subtree is walked apart (by one task of the pool). */
struct subtree {
    char *abs, *rel;
    size_t depth;
    struct walk_anc *anc; /* its ancestors and itself: depth + 1 entries */
    struct walk *w;       /* the task's walk, with what it found */
};

struct walk {
    const struct ss_io_limits *lim;
    char root_real[PATH_MAX];
    size_t root_real_len;
    struct walk_ent *ents;
    size_t n_ents, cap_ents;
    struct ss_skipped *skipped;
    size_t n_skipped, cap_skipped;
    struct walk_anc anc[IO_MAX_DIR_DEPTH + 2];
    size_t depth;
    int err; /* fatal: -ENOMEM or SS_ELIMIT */
    struct ss_diag *diag;
    bool collect; /* directories go to @front instead of being walked */
    struct subtree *front;
    size_t n_front, cap_front;
    unsigned threads; /* walking and sniffing (0: every CPU) */
};

static int add_skipped(struct walk *w, const char *rel, const char *fmt, ...) SS_ATTR_PRINTF(3, 4);

static int add_skipped(struct walk *w, const char *rel, const char *fmt, ...)
{
    struct ss_skipped *s;
    char reason[512];
    va_list ap;

    if (ss_grow((void **)&w->skipped, &w->cap_skipped, w->n_skipped + 1, sizeof(*w->skipped)) < 0)
        return w->err = -ENOMEM;
    va_start(ap, fmt);
    (void)vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    s = &w->skipped[w->n_skipped];
    s->relpath = ss_strdup(rel[0] != '\0' ? rel : ".");
    s->reason = ss_strdup(reason);
    if (s->relpath == NULL || s->reason == NULL) {
        ss_free(s->relpath);
        ss_free(s->reason);
        return w->err = -ENOMEM;
    }
    w->n_skipped++;
    return 0;
}

/* Take file @rel (@path to open); its device, inode and size come from sniff_ent. */
static int add_ent(struct walk *w, const char *rel, const char *path, bool via_link)
{
    struct walk_ent *e;

    if ((uint64_t)w->n_ents >= w->lim->max_files)
        return w->err = ss_diag_set(w->diag, SS_ELIMIT, rel, 0, 0, UINT64_MAX,
                                    "more than %" PRIu64 " files in the case", w->lim->max_files);
    if (ss_grow((void **)&w->ents, &w->cap_ents, w->n_ents + 1, sizeof(*w->ents)) < 0)
        return w->err = -ENOMEM;
    e = &w->ents[w->n_ents];
    *e = (struct walk_ent){
        .relpath = ss_strdup(rel),
        .path = ss_strdup(path),
        .via_link = via_link,
    };
    if (e->relpath == NULL || e->path == NULL) {
        ss_free(e->relpath);
        ss_free(e->path);
        return w->err = -ENOMEM;
    }
    w->n_ents++;
    return 0;
}

static bool inside_root(const struct walk *w, const char *real)
{
    if (w->root_real_len == 1 && w->root_real[0] == '/')
        return true;
    return strncmp(real, w->root_real, w->root_real_len) == 0 &&
           (real[w->root_real_len] == '/' || real[w->root_real_len] == '\0');
}

static bool is_ancestor(const struct walk *w, const struct stat *st)
{
    for (size_t i = 0; i <= w->depth; i++)
        if (w->anc[i].dev == st->st_dev && w->anc[i].ino == st->st_ino)
            return true;
    return false;
}

static const char *file_type_name(mode_t m)
{
    if (S_ISFIFO(m))
        return "a named pipe";
    if (S_ISSOCK(m))
        return "a socket";
    if (S_ISCHR(m) || S_ISBLK(m))
        return "a device";
    return "not a regular file";
}

static int handle_link(struct walk *w, const char *abs, const char *rel)
{
    char real[PATH_MAX];
    struct stat st;

    if (realpath(abs, real) == NULL) {
        int e = errno;

        if (e == ELOOP)
            return add_skipped(w, rel, "symbolic link loop");
        if (e == ENOENT)
            return add_skipped(w, rel, "dangling symbolic link");
        return add_skipped(w, rel, "cannot resolve symbolic link: %s", strerror(e));
    }
    if (!inside_root(w, real))
        return add_skipped(w, rel, "symbolic link points outside the case");
    if (stat(real, &st) != 0)
        return add_skipped(w, rel, "cannot stat link target: %s", strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        if (is_ancestor(w, &st))
            return add_skipped(w, rel, "symbolic link loop");
        return add_skipped(w, rel, "link to a directory inside the case: walked at '%s'",
                           real[w->root_real_len] == '/' ? real + w->root_real_len + 1 : ".");
    }
    if (!S_ISREG(st.st_mode))
        return add_skipped(w, rel, "link to %s", file_type_name(st.st_mode));
    return add_ent(w, rel, real, true);
}

static void walk_dir(struct walk *w, struct ss_buf *abs, struct ss_buf *rel);

/* Keep directory @abs (@st) for a later walk of its subtree. */
static int push_subtree(struct walk *w, const char *abs, const char *rel, const struct stat *st)
{
    struct subtree *t;

    if (ss_grow((void **)&w->front, &w->cap_front, w->n_front + 1, sizeof(*w->front)) < 0)
        return w->err = -ENOMEM;
    t = &w->front[w->n_front];
    *t = (struct subtree){ .abs = ss_strdup(abs),
                           .rel = ss_strdup(rel),
                           .depth = w->depth + 1,
                           .anc = ss_reallocarray(NULL, w->depth + 2, sizeof(*t->anc)) };
    if (t->abs == NULL || t->rel == NULL || t->anc == NULL) {
        ss_free(t->abs);
        ss_free(t->rel);
        ss_free(t->anc);
        return w->err = -ENOMEM;
    }
    memcpy(t->anc, w->anc, (w->depth + 1) * sizeof(*t->anc));
    t->anc[w->depth + 1] = (struct walk_anc){ .dev = st->st_dev, .ino = st->st_ino };
    w->n_front++;
    return 0;
}

/*
 * Entry @abs (@rel), of status @st (lstat: links not followed), or NULL for a regular
 * file whose status is taken when it is opened.
 */
static void walk_entry(struct walk *w, struct ss_buf *abs, struct ss_buf *rel,
                       const struct stat *st)
{
    if (st == NULL || S_ISREG(st->st_mode)) {
        (void)add_ent(w, rel->ptr, abs->ptr, false);
    } else if (S_ISLNK(st->st_mode)) {
        (void)handle_link(w, abs->ptr, rel->ptr);
    } else if (S_ISDIR(st->st_mode)) {
        if (w->depth + 1 > IO_MAX_DIR_DEPTH) {
            (void)add_skipped(w, rel->ptr, "directories nested deeper than %d", IO_MAX_DIR_DEPTH);
            return;
        }
        if (w->collect) {
            (void)push_subtree(w, abs->ptr, rel->ptr, st);
            return;
        }
        w->depth++;
        w->anc[w->depth].dev = st->st_dev;
        w->anc[w->depth].ino = st->st_ino;
        walk_dir(w, abs, rel);
        w->depth--;
    } else {
        (void)add_skipped(w, rel->ptr, "%s", file_type_name(st->st_mode));
    }
}

/* A directory entry, with its status taken while the directory was open. */
struct dir_item {
    char *name;
    bool is_reg;  /* a regular file (readdir's type): not stat'ed here (sniff_ent does) */
    int stat_err; /* errno of fstatat, 0 if @st holds */
    struct stat st;
};

static int cmp_item(const void *a, const void *b)
{
    return strcmp(((const struct dir_item *)a)->name, ((const struct dir_item *)b)->name);
}

/*
 * Names and their status first (fstatat relative to the open directory: a full path
 * costs a lookup per component, and a case's paths run 20 deep; a regular file's status
 * comes from the fstat after it is opened to be sniffed, one system call fewer per
 * file), then recursion: at most one directory stream is open at a time.
 */
static void walk_dir(struct walk *w, struct ss_buf *abs, struct ss_buf *rel)
{
    DIR *dir = opendir(abs->ptr);
    struct dir_item *items = NULL;
    size_t n_items = 0, cap_items = 0;
    const size_t abs_len = abs->len, rel_len = rel->len;
    struct dirent *de;

    if (dir == NULL) {
        (void)add_skipped(w, rel->ptr, "cannot open directory: %s", strerror(errno));
        return;
    }
    for (;;) {
        struct dir_item *it;

        errno = 0;
        de = readdir(dir);
        if (de == NULL)
            break;
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (ss_grow((void **)&items, &cap_items, n_items + 1, sizeof(*items)) < 0) {
            w->err = -ENOMEM;
            break;
        }
        it = &items[n_items];
        it->name = ss_strdup(de->d_name);
        if (it->name == NULL) {
            w->err = -ENOMEM;
            break;
        }
#ifdef DT_REG
        it->is_reg = de->d_type == DT_REG;
#else
        it->is_reg = false;
#endif
        it->stat_err = 0;
        if (!it->is_reg && fstatat(dirfd(dir), de->d_name, &it->st, AT_SYMLINK_NOFOLLOW) != 0)
            it->stat_err = errno;
        n_items++;
    }
    if (de == NULL && errno != 0 && w->err == 0)
        (void)add_skipped(w, rel->ptr, "cannot read directory: %s", strerror(errno));
    (void)closedir(dir);
    if (n_items > 1)
        qsort(items, n_items, sizeof(*items), cmp_item);
    for (size_t i = 0; i < n_items && w->err == 0; i++) {
        int r = 0;

        if (abs->len > 0 && abs->ptr[abs->len - 1] != '/')
            r = ss_buf_putc(abs, '/');
        if (r == 0)
            r = ss_buf_puts(abs, items[i].name);
        if (r == 0 && rel_len > 0)
            r = ss_buf_putc(rel, '/');
        if (r == 0)
            r = ss_buf_puts(rel, items[i].name);
        if (r == SS_ELIMIT) {
            ss_buf_truncate(rel, rel_len);
            if (ss_buf_puts(rel, items[i].name) != 0)
                ss_buf_truncate(rel, rel_len);
            (void)add_skipped(w, rel->ptr, "path longer than %d bytes", IO_PATH_MAX_BYTES);
        } else if (r < 0) {
            w->err = r;
        } else if (items[i].stat_err != 0) {
            (void)add_skipped(w, rel->ptr, "cannot stat: %s", strerror(items[i].stat_err));
        } else {
            walk_entry(w, abs, rel, items[i].is_reg ? NULL : &items[i].st);
        }
        ss_buf_truncate(abs, abs_len);
        ss_buf_truncate(rel, rel_len);
    }
    for (size_t i = 0; i < n_items; i++)
        ss_free(items[i].name);
    ss_free(items);
}

static int cmp_ent_rel(const void *a, const void *b)
{
    return strcmp(((const struct walk_ent *)a)->relpath, ((const struct walk_ent *)b)->relpath);
}

/* Order for duplicate detection: same file together, the preferred path first. */
static int cmp_ent_file(const void *pa, const void *pb)
{
    const struct walk_ent *a = *(const struct walk_ent *const *)pa;
    const struct walk_ent *b = *(const struct walk_ent *const *)pb;

    if (a->dev != b->dev)
        return a->dev < b->dev ? -1 : 1;
    if (a->ino != b->ino)
        return a->ino < b->ino ? -1 : 1;
    if (a->via_link != b->via_link)
        return a->via_link ? 1 : -1;
    return strcmp(a->relpath, b->relpath);
}

static int cmp_skipped(const void *a, const void *b)
{
    const struct ss_skipped *x = a, *y = b;
    int c = strcmp(x->relpath, y->relpath);

    return c != 0 ? c : strcmp(x->reason, y->reason);
}

static int mark_duplicates(struct walk *w)
{
    struct walk_ent **order;
    size_t n = 0;

    if (w->n_ents < 2)
        return 0;
    order = ss_reallocarray(NULL, w->n_ents, sizeof(*order));
    if (order == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < w->n_ents; i++)
        if (w->ents[i].open_err == 0) /* else never opened: no device and inode */
            order[n++] = &w->ents[i];
    qsort(order, n, sizeof(*order), cmp_ent_file);
    for (size_t i = 1; i < n; i++) {
        size_t k = i;

        while (k > 0 && order[k - 1]->dup)
            k--;
        /* order[k - 1] is the keeper of a run of the same file */
        if (k > 0 && order[k - 1]->dev == order[i]->dev && order[k - 1]->ino == order[i]->ino) {
            order[i]->dup = true;
            if (add_skipped(w, order[i]->relpath, "same file as '%s'", order[k - 1]->relpath) < 0)
                break;
        }
    }
    ss_free(order);
    return w->err;
}

static void sniff_ent(struct walk_ent *e)
{
    struct stat st;
    int fd = ss_open_regular(e->path, O_NOFOLLOW, &st);

    /* still a regular file (else it changed since the walk: a FIFO or a directory by now): its
       device, inode and size are taken here, once */
    if (fd < 0) {
        e->open_err = fd == SS_ENOTREG || fd == -EISDIR ? -ESTALE : fd;
        return;
    }
    e->dev = st.st_dev;
    e->ino = st.st_ino;
    e->size = (uint64_t)st.st_size;
    io_sniff_path(e->path, fd, &e->sniff);
    (void)close(fd);
}

static int sniff_task(void *ctx, size_t task, unsigned worker)
{
    struct walk_ent *ents = ctx;

    (void)worker;
    sniff_ent(&ents[task]);
    return 0;
}

void ss_case_release(struct ss_case *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n_inputs; i++) {
        ss_free(c->inputs[i].relpath);
        ss_free(c->inputs[i].path);
    }
    for (size_t i = 0; i < c->n_skipped; i++) {
        ss_free(c->skipped[i].relpath);
        ss_free(c->skipped[i].reason);
    }
    ss_free(c->inputs);
    ss_free(c->skipped);
    ss_free(c->root);
    *c = (struct ss_case){ 0 };
}

/*
 * Sniff the entries (which takes the status of those the walk did not stat), drop the
 * duplicates, and move the rest (and the skipped list) into @c.
 */
static int build_case(struct walk *w, struct ss_case *c)
{
    struct walk_ent **pending = NULL;
    size_t n_pending = 0;
    int r = 0;

    if (w->n_ents > 1)
        qsort(w->ents, w->n_ents, sizeof(*w->ents), cmp_ent_rel);
    if (w->n_ents >= IO_SNIFF_PARALLEL_MIN)
        r = ss_pool_run(w->threads, w->n_ents, sniff_task, w->ents);
    if (w->n_ents < IO_SNIFF_PARALLEL_MIN || r < 0) {
        for (size_t i = 0; i < w->n_ents; i++)
            if (w->ents[i].sniff.kind == SS_KIND_UNKNOWN && w->ents[i].sniff.why_unknown == NULL &&
                w->ents[i].open_err == 0)
                sniff_ent(&w->ents[i]);
    }
    r = mark_duplicates(w);
    if (r < 0)
        return r;
    pending = ss_reallocarray(NULL, w->n_ents + 1, sizeof(*pending));
    if (pending == NULL)
        return -ENOMEM;
    for (size_t i = 0; i < w->n_ents; i++)
        if (!w->ents[i].dup)
            pending[n_pending++] = &w->ents[i];
    c->inputs = ss_calloc(n_pending + 1, sizeof(*c->inputs));
    if (c->inputs == NULL) {
        r = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n_pending; i++) {
        struct walk_ent *e = pending[i];

        if (e->open_err != 0) {
            r = add_skipped(w, e->relpath, "cannot open: %s",
                            e->open_err == -ESTALE ? "file changed during discovery"
                                                   : strerror(-e->open_err));
            if (r < 0)
                goto out;
            continue;
        }
        c->inputs[c->n_inputs++] = (struct ss_input){
            .relpath = e->relpath,
            .path = e->path,
            .size_bytes = e->size,
            .kind = e->sniff.kind,
            .comp = e->sniff.comp,
            .why_unknown = e->sniff.why_unknown,
            .layout = e->sniff.layout,
            .variant = e->sniff.variant,
        };
        e->relpath = NULL;
        e->path = NULL;
    }
    if (w->n_skipped > 1)
        qsort(w->skipped, w->n_skipped, sizeof(*w->skipped), cmp_skipped);
    c->skipped = w->skipped;
    c->n_skipped = w->n_skipped;
    w->skipped = NULL;
    w->n_skipped = 0;
out:
    ss_free(pending);
    return r;
}

static void subtrees_free(struct subtree *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ss_free(t[i].abs);
        ss_free(t[i].rel);
        ss_free(t[i].anc);
    }
    ss_free(t);
}

static void walk_release(struct walk *w)
{
    for (size_t i = 0; i < w->n_ents; i++) {
        ss_free(w->ents[i].relpath);
        ss_free(w->ents[i].path);
    }
    ss_free(w->ents);
    for (size_t i = 0; i < w->n_skipped; i++) {
        ss_free(w->skipped[i].relpath);
        ss_free(w->skipped[i].reason);
    }
    ss_free(w->skipped);
    subtrees_free(w->front, w->n_front);
}

/*
 * Walk subtree @t (ss_task_fn): a walk of its own, with the case's limits and root and
 * the subtree's ancestors; what it finds (and its error) stays in t->w.
 */
/* Position @w at subtree @t: its paths into @abs/@rel, its depth and ancestors. */
static int enter_subtree(struct walk *w, const struct subtree *t, struct ss_buf *abs,
                         struct ss_buf *rel)
{
    ss_buf_reset(abs);
    ss_buf_reset(rel);
    if (ss_buf_puts(abs, t->abs) < 0 || ss_buf_puts(rel, t->rel) < 0)
        return w->err = -ENOMEM;
    w->depth = t->depth;
    memcpy(w->anc, t->anc, (t->depth + 1) * sizeof(*t->anc));
    return 0;
}

static int subtree_task(void *ctx, size_t i, unsigned worker)
{
    const struct walk *main = ctx;
    struct subtree *t = &main->front[i];
    struct walk *w = ss_calloc(1, sizeof(*w));
    struct ss_buf abs = SS_BUF_INIT(IO_PATH_MAX_BYTES);
    struct ss_buf rel = SS_BUF_INIT(IO_PATH_MAX_BYTES);

    (void)worker;
    t->w = w;
    if (w == NULL)
        return 0; /* reported as -ENOMEM when merged */
    w->lim = main->lim;
    memcpy(w->root_real, main->root_real, sizeof(w->root_real));
    w->root_real_len = main->root_real_len;
    if (enter_subtree(w, t, &abs, &rel) == 0)
        walk_dir(w, &abs, &rel);
    ss_buf_release(&abs);
    ss_buf_release(&rel);
    return 0;
}

/* Move what subtree walk @src found into @dst (which then owns it). */
static int merge_walk(struct walk *dst, struct walk *src)
{
    if (ss_grow((void **)&dst->ents, &dst->cap_ents, dst->n_ents + src->n_ents,
                sizeof(*dst->ents)) < 0 ||
        ss_grow((void **)&dst->skipped, &dst->cap_skipped, dst->n_skipped + src->n_skipped,
                sizeof(*dst->skipped)) < 0)
        return -ENOMEM;
    if (src->n_ents > 0)
        memcpy(dst->ents + dst->n_ents, src->ents, src->n_ents * sizeof(*src->ents));
    dst->n_ents += src->n_ents;
    src->n_ents = 0;
    if (src->n_skipped > 0)
        memcpy(dst->skipped + dst->n_skipped, src->skipped, src->n_skipped * sizeof(*src->skipped));
    dst->n_skipped += src->n_skipped;
    src->n_skipped = 0;
    return 0;
}

/*
 * Walk the tree at @abs on every core: the first levels here, breadth first, until
 * there are WALK_SPLIT_PER_THREAD directories per thread to share out (or
 * WALK_SPLIT_LEVELS levels are done); then each one's subtree is a task of the pool.
 * Entries are sorted afterwards, so the result does not depend on scheduling.
 */
#define WALK_SPLIT_PER_THREAD 8u
#define WALK_SPLIT_LEVELS 4

static void walk_tree(struct walk *w, struct ss_buf *abs, struct ss_buf *rel)
{
    unsigned threads = w->threads != 0 ? w->threads : ss_pool_default_threads();
    const size_t want = (size_t)threads * WALK_SPLIT_PER_THREAD;

    if (threads < 2) {
        walk_dir(w, abs, rel);
        return;
    }
    w->collect = true;
    walk_dir(w, abs, rel);
    for (int lvl = 0; lvl < WALK_SPLIT_LEVELS && w->err == 0 && w->n_front > 0 && w->n_front < want;
         lvl++) {
        struct subtree *cur = w->front;
        size_t n = w->n_front;

        w->front = NULL;
        w->n_front = w->cap_front = 0;
        for (size_t i = 0; i < n && w->err == 0; i++)
            if (enter_subtree(w, &cur[i], abs, rel) == 0)
                walk_dir(w, abs, rel);
        subtrees_free(cur, n);
    }
    w->collect = false;
    if (w->err != 0 || w->n_front == 0)
        return;
    if (ss_pool_run(threads, w->n_front, subtree_task, w) < 0)
        w->err = -ENOMEM;
    /* every subtree, in order: the first error is the one reported */
    for (size_t i = 0; i < w->n_front; i++) {
        struct walk *sw = w->front[i].w;

        if (sw == NULL) {
            if (w->err == 0)
                w->err = -ENOMEM;
            continue;
        }
        if (w->err == 0 && sw->err != 0)
            w->err = sw->err;
        if (w->err == 0 && merge_walk(w, sw) < 0)
            w->err = -ENOMEM;
        walk_release(sw);
        ss_free(sw);
        w->front[i].w = NULL;
    }
    /* a subtree stops at the limit by itself; together they may pass it */
    if (w->err == SS_ELIMIT || (w->err == 0 && w->n_ents > w->lim->max_files))
        w->err = ss_diag_set(w->diag, SS_ELIMIT, NULL, 0, 0, UINT64_MAX,
                             "more than %" PRIu64 " files in the case", w->lim->max_files);
}

/* @root without trailing slashes ("/" stays "/"). Returns owned copy or NULL. */
static char *trim_root(const char *root)
{
    size_t n = strlen(root);

    while (n > 1 && root[n - 1] == '/')
        n--;
    return ss_strndup(root, n);
}

int ss_case_discover(const char *root, const struct ss_io_limits *lim, struct ss_case *ret_case,
                     struct ss_diag *reterr_diag)
{
    return ss_case_discover_threads(root, lim, 0, ret_case, reterr_diag);
}

int ss_case_discover_threads(const char *root, const struct ss_io_limits *lim, unsigned threads,
                             struct ss_case *ret_case, struct ss_diag *reterr_diag)
{
    struct walk w = { .lim = lim != NULL ? lim : &ss_io_limits_default,
                      .diag = reterr_diag,
                      .threads = threads };
    struct ss_case c = { 0 };
    struct ss_buf abs = SS_BUF_INIT(IO_PATH_MAX_BYTES);
    struct ss_buf rel = SS_BUF_INIT(IO_PATH_MAX_BYTES);
    struct ss_io_limits eff;
    struct stat st;
    int r;

    eff = *w.lim;
    if (eff.max_files == 0)
        eff.max_files = SS_IO_DEFAULT_MAX_FILES;
    w.lim = &eff;
    if (stat(root, &st) != 0) {
        r = -errno;
        return ss_diag_set(reterr_diag, r, root, 0, 0, UINT64_MAX, "cannot open case: %s",
                           ss_strerror(r));
    }
    if (!S_ISDIR(st.st_mode))
        return ss_diag_set(reterr_diag, -ENOTDIR, root, 0, 0, UINT64_MAX,
                           "case is not a directory");
    if (realpath(root, w.root_real) == NULL) {
        r = -errno;
        return ss_diag_set(reterr_diag, r, root, 0, 0, UINT64_MAX, "cannot resolve case: %s",
                           ss_strerror(r));
    }
    w.root_real_len = strlen(w.root_real);
    w.anc[0].dev = st.st_dev;
    w.anc[0].ino = st.st_ino;
    c.root = trim_root(root);
    r = c.root == NULL ? -ENOMEM : ss_buf_puts(&abs, c.root);
    if (r < 0)
        goto fail;
    {
        DIR *probe = opendir(root);

        if (probe == NULL) {
            r = -errno;
            (void)ss_diag_set(reterr_diag, r, root, 0, 0, UINT64_MAX, "cannot open case: %s",
                              ss_strerror(r));
            goto fail;
        }
        (void)closedir(probe);
    }
    walk_tree(&w, &abs, &rel);
    r = w.err;
    if (r < 0)
        goto fail;
    r = build_case(&w, &c);
    if (r < 0)
        goto fail;
    walk_release(&w);
    ss_buf_release(&abs);
    ss_buf_release(&rel);
    *ret_case = c;
    return 0;
fail:
    if (r == -ENOMEM)
        (void)ss_diag_set(reterr_diag, r, root, 0, 0, UINT64_MAX, "out of memory");
    walk_release(&w);
    ss_buf_release(&abs);
    ss_buf_release(&rel);
    ss_case_release(&c);
    return r;
}

int ss_case_from_file(const char *path, const struct ss_io_limits *lim, struct ss_case *ret_case,
                      struct ss_diag *reterr_diag)
{
    struct ss_case c = { 0 };
    struct walk_ent e = { 0 };
    const char *slash = strrchr(path, '/');
    struct stat st;
    int fd;

    (void)lim;
    fd = ss_open_regular(path, 0, &st);
    if (fd < 0)
        return ss_diag_set(reterr_diag, fd, path, 0, 0, UINT64_MAX, "cannot open: %s",
                           ss_strerror(fd));
    io_sniff_path(path, fd, &e.sniff);
    (void)close(fd);
    c.root = slash == NULL   ? ss_strdup(".")
             : slash == path ? ss_strdup("/")
                             : ss_strndup(path, (size_t)(slash - path));
    c.inputs = ss_calloc(1, sizeof(*c.inputs));
    if (c.root == NULL || c.inputs == NULL)
        goto oom;
    c.inputs[0] = (struct ss_input){
        .relpath = ss_strdup(slash == NULL ? path : slash + 1),
        .path = ss_strdup(path),
        .size_bytes = (uint64_t)st.st_size,
        .kind = e.sniff.kind,
        .comp = e.sniff.comp,
        .why_unknown = e.sniff.why_unknown,
        .layout = e.sniff.layout,
        .variant = e.sniff.variant,
    };
    c.n_inputs = 1;
    if (c.inputs[0].relpath == NULL || c.inputs[0].path == NULL)
        goto oom;
    *ret_case = c;
    return 0;
oom:
    ss_case_release(&c);
    return ss_diag_set(reterr_diag, -ENOMEM, path, 0, 0, UINT64_MAX, "out of memory");
}
