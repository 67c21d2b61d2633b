/* SPDX-License-Identifier: Apache-2.0 */
/*
 * io/reader.c - the record splitter: frames the records of a decoded stream in a
 * bounded window and validates each with the json scanner, without building a DOM.
 *
 * Top-level structure is found from content (docs/io.md "Record splitting"):
 *   - a top-level '[' opens an array whose elements are records;
 *   - a top-level '{' whose first members are envelope keys (count, nextLink, ...)
 *     followed by Records/records/value/data holding an array is a wrapper: the array's
 *     elements are records, the rest of the object is validated and dropped. Only the
 *     first top-level value, and values after a wrapper, are probed (so JSON lines
 *     records that happen to have a "data" array stay records);
 *   - any other top-level value is a record. If the first such value ends on its line
 *     the input is JSON lines (memchr per line, the hot path; later lines are records
 *     whatever they hold); if it spans lines the input holds documents, framed one by one.
 * Arrays and documents are framed by a small structural scanner (strings and bracket
 * depth only), so a value is validated once when complete, a bad element can be
 * skipped to its end and reading goes on, and an oversized one is skipped streaming
 * without being held in memory.
 */
#include "io/io_int.h"

#include "core/alloc.h"

#include <fcntl.h>
#include <unistd.h>

#define IO_AGAIN 2
/* Bytes of a top-level object looked at for a wrapper key. */
#define IO_PROBE_BYTES ((size_t)64 << 10)
#define IO_PROBE_MEMBERS 64

const struct ss_io_limits ss_io_limits_default = {
    .max_record_bytes = SS_IO_DEFAULT_MAX_RECORD,
    .max_decoded_bytes = SS_IO_DEFAULT_MAX_DECODED,
    .max_ratio = SS_IO_DEFAULT_MAX_RATIO,
    .max_depth = SS_IO_DEFAULT_MAX_DEPTH,
    .max_files = SS_IO_DEFAULT_MAX_FILES,
};

const char *const io_wrapper_keys[4] = { "Records", "records", "value", "data" };

/* Envelope members allowed before the wrapper array (paging and count fields). */
static const char *const envelope_keys[] = {
    "count",        "total_records",   "totalRecords",   "skip_token",      "skipToken",
    "$skipToken",   "resultTruncated", "nextLink",       "@odata.nextLink", "@odata.context",
    "@odata.count", "odata.nextLink",  "odata.metadata", "facets",          "continuationToken",
};

/* Framer byte classes: which bytes stop the fast skip loops. */
static const uint8_t str_stop[256] = { ['"'] = 1, ['\\'] = 1 };
static const uint8_t struct_stop[256] = {
    ['"'] = 1, ['{'] = 1, ['['] = 1, ['}'] = 1, [']'] = 1,
};
/* bytes that cannot continue a number or literal */
static const uint8_t scalar_stop[256] = {
    [' '] = 1, ['\t'] = 1, ['\r'] = 1, ['\n'] = 1, [','] = 1, [']'] = 1,
    ['}'] = 1, ['['] = 1,  ['{'] = 1,  ['"'] = 1,  [':'] = 1,
};

/*
 * Scan the value at @b (@n bytes available) from fr->off. Returns true when it is
 * complete (fr->off = its length). A scalar is complete at a delimiter or, if @at_eof,
 * at the end of the bytes. Never reads past @n.
 */
static bool frame_scan(const char *b, size_t n, struct io_frame *fr, bool at_eof)
{
    const uint8_t *p = (const uint8_t *)b;
    size_t i = fr->off;

    if (fr->kind == IO_FR_NEW) {
        if (n == 0)
            return false;
        if (p[0] == '{' || p[0] == '[') {
            fr->kind = IO_FR_CONTAINER;
            fr->depth = 1;
            i = 1;
        } else if (p[0] == '"') {
            fr->kind = IO_FR_STRING;
            fr->in_str = true;
            i = 1;
        } else {
            fr->kind = IO_FR_SCALAR;
            i = 0;
        }
    }
    if (fr->kind == IO_FR_SCALAR) {
        while (i < n && scalar_stop[p[i]] == 0)
            i++;
        fr->off = i;
        if (i < n || at_eof) {
            if (fr->off == 0)
                fr->off = 1; /* a stray delimiter: a one-byte bad value, so we move on */
            return true;
        }
        return false;
    }
    while (i < n) {
        if (fr->in_str) {
            if (fr->esc) {
                fr->esc = false;
                i++;
                continue;
            }
            while (i < n && str_stop[p[i]] == 0)
                i++;
            if (i >= n)
                break;
            if (p[i] == '\\') {
                fr->esc = true;
                i++;
                continue;
            }
            fr->in_str = false;
            i++;
            if (fr->kind == IO_FR_STRING) {
                fr->off = i;
                return true;
            }
            continue;
        }
        while (i < n && struct_stop[p[i]] == 0)
            i++;
        if (i >= n)
            break;
        switch (p[i++]) {
        case '"':
            fr->in_str = true;
            break;
        case '{':
        case '[':
            fr->depth++;
            break;
        default:
            if (--fr->depth == 0) {
                fr->off = i;
                return true;
            }
            break;
        }
    }
    fr->off = i;
    return false;
}

/* Count lines up to decoded offset @abs (which must be in the window). */
static void advance_lines(struct ss_reader *rd, uint64_t abs)
{
    const char *p, *end;

    if (abs <= rd->line_off)
        return;
    if (!SS_ALWAYS(rd->line_off >= rd->base && abs <= rd->base + rd->len))
        return;
    p = rd->buf + (rd->line_off - rd->base);
    end = rd->buf + (abs - rd->base);
    for (;;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));

        if (nl == NULL)
            break;
        rd->line++;
        p = nl + 1;
        rd->line_start = rd->base + (uint64_t)(p - rd->buf);
    }
    rd->line_off = abs;
}

/* Make room at the end of the window: compact (dropping consumed bytes), else grow. */
static int make_room(struct ss_reader *rd)
{
    if (rd->pos > 0 && (rd->len == rd->cap || rd->pos >= rd->cap / 2)) {
        advance_lines(rd, rd->base + rd->pos);
        memmove(rd->buf, rd->buf + rd->pos, rd->len - rd->pos);
        rd->base += rd->pos;
        rd->len -= rd->pos;
        rd->pos = 0;
    }
    if (rd->len == rd->cap) {
        size_t ncap;
        char *nbuf;

        if (rd->cap >= rd->cap_max)
            return ss_diag_set(&rd->dec_diag, SS_ELIMIT, rd->name, 0, 0, rd->base,
                               "window limit reached");
        ncap = rd->cap > rd->cap_max / 2 ? rd->cap_max : rd->cap * 2;
        nbuf = ss_realloc(rd->buf, ncap);
        if (nbuf == NULL)
            return ss_diag_set(&rd->dec_diag, -ENOMEM, rd->name, 0, 0, rd->base,
                               "out of memory growing the read window");
        rd->buf = nbuf;
        rd->cap = ncap;
    }
    return 0;
}

/*
 * Block decoding (compressed inputs): take the next decoded block as the window. The
 * unconsumed tail of the current window (a partial record, usually) is copied in front
 * of the block's data when it fits the headroom, so the decoded bytes themselves are
 * never copied; a longer tail goes to the reader's own buffer, with the block appended.
 */
static int pipe_refill(struct ss_reader *rd)
{
    size_t tail = rd->len - rd->pos;
    bool held = rd->win_block;
    char *p;
    size_t head, n;

    if (io_pipe_take(rd, &p, &head, &n) == 0)
        return rd->dec_err;
    advance_lines(rd, rd->base + rd->pos);
    if (rd->dec_fn != NULL)
        rd->dec_fn(rd->dec_ctx, (const uint8_t *)p, n);
    if (tail <= head) {
        memcpy(p - tail, rd->buf + rd->pos, tail);
        if (held)
            io_pipe_release(rd);
        rd->buf = p - tail;
        rd->win_block = true;
    } else {
        if (tail + n > rd->own_cap) {
            /* the tail is at most one record (callers check before they refill) */
            size_t limit = rd->cap_max + IO_PIPE_BLOCK_MAX;
            size_t ncap = SS_MIN(SS_MAX(rd->own_cap * 2, tail + n), limit);
            char *nbuf = tail + n > ncap ? NULL : ss_realloc(rd->own_buf, ncap);

            if (nbuf == NULL) {
                /* the window is left as it was; the input ends with this (sticky) error */
                rd->dec_eof = true;
                rd->dec_err = ss_diag_set(
                    &rd->dec_diag, tail + n > ncap ? SS_ELIMIT : -ENOMEM, rd->name, 0, 0, rd->base,
                    tail + n > ncap ? "window limit reached"
                                    : "out of memory growing the read window");
                return rd->dec_err;
            }
            if (!held)
                rd->buf = nbuf; /* the window was the own buffer */
            rd->own_buf = nbuf;
            rd->own_cap = ncap;
        }
        memmove(rd->own_buf, rd->buf + rd->pos, tail);
        memcpy(rd->own_buf + tail, p, n);
        if (held)
            io_pipe_release(rd);
        io_pipe_release(rd);
        rd->buf = rd->own_buf;
        rd->win_block = false;
    }
    rd->base += rd->pos;
    rd->pos = 0;
    rd->len = tail + n;
    rd->cap = rd->len;
    if (!rd->win_block)
        rd->cap = rd->own_cap;
    return (int)n;
}

/*
 * Decode more into the window. Returns > 0 (bytes added), 0 at a clean end of stream,
 * or the stream error (sticky: returned again on every later call).
 */
static int refill(struct ss_reader *rd)
{
    int r;

    if (rd->dec_eof)
        return rd->dec_err;
    if (!rd->pipe_tried) {
        r = io_pipe_start(rd);
        if (r < 0)
            return r;
    }
    if (rd->pipe != NULL)
        return pipe_refill(rd);
    r = make_room(rd);
    if (r < 0)
        return r;
    r = io_dec_fill(rd);
    if (r == 0 && rd->dec_err != 0)
        return rd->dec_err;
    return r;
}

static bool clean_eof(const struct ss_reader *rd)
{
    return rd->dec_eof && rd->dec_err == 0;
}

/* End the input with the stream error @r (reported once). */
static int stream_fail(struct ss_reader *rd, struct ss_diag *d, int r)
{
    rd->state = IO_ST_DONE;
    if (d != NULL) {
        if (rd->dec_diag.code == r)
            *d = rd->dec_diag;
        else
            (void)ss_diag_set(d, r, rd->name, 0, 0, rd->base + rd->pos, "%s", ss_strerror(r));
    }
    return r;
}

static int finish(struct ss_reader *rd)
{
    rd->state = IO_ST_DONE;
    return 0;
}

/* A record-level error at decoded offset @abs (inside the window), located by line. */
static int err_at(struct ss_reader *rd, struct ss_diag *d, int code, uint64_t abs, const char *fmt,
                  ...) SS_ATTR_PRINTF(5, 6);

static int err_at(struct ss_reader *rd, struct ss_diag *d, int code, uint64_t abs, const char *fmt,
                  ...)
{
    char msg[SS_DIAG_MSG_MAX];
    uint64_t col;
    va_list ap;

    if (abs > rd->base + rd->len)
        abs = rd->base + rd->len;
    advance_lines(rd, abs);
    col = abs >= rd->line_start ? abs - rd->line_start + 1 : 0;
    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return ss_diag_set(d, code, rd->name, rd->line, col, abs, "%s", msg);
}

/* Skip whitespace, decoding more as needed. Returns 1 (a byte is at pos), 0 or error. */
static int skip_ws_fill(struct ss_reader *rd)
{
    for (;;) {
        int r;

        rd->pos = ss_json_skip_ws(rd->buf, rd->len, rd->pos);
        if (rd->pos < rd->len)
            return 1;
        r = refill(rd);
        if (r <= 0)
            return r;
    }
}

/* Drop bytes through the next newline (or to the end). Returns 0 or a stream error. */
static int skip_through_newline(struct ss_reader *rd)
{
    for (;;) {
        const char *nl = memchr(rd->buf + rd->pos, '\n', rd->len - rd->pos);
        int r;

        if (nl != NULL) {
            rd->pos = (size_t)(nl - rd->buf) + 1;
            return 0;
        }
        rd->pos = rd->len;
        r = refill(rd);
        if (r <= 0)
            return r;
    }
}

/*
 * Frame the value starting at rd->pos, decoding more as needed. Returns 1 when complete
 * (fr->off = its length), 0 when the stream ended first (fr->off = bytes available),
 * SS_ELIMIT when it exceeds the record cap (nothing consumed; fr holds the scan state so
 * skip_framed can go on), or a stream error.
 */
static int frame_value(struct ss_reader *rd, struct io_frame *fr)
{
    for (;;) {
        bool at_eof = clean_eof(rd);
        int r;

        if (frame_scan(rd->buf + rd->pos, rd->len - rd->pos, fr, at_eof))
            return 1;
        if (at_eof)
            return 0;
        if (rd->len - rd->pos > rd->lim.max_record_bytes)
            return SS_ELIMIT;
        r = refill(rd);
        if (r < 0)
            return r;
    }
}

/* Go on scanning an oversized value, dropping it as we go. Returns 0 or stream error. */
static int skip_framed(struct ss_reader *rd, struct io_frame *fr)
{
    for (;;) {
        bool at_eof = clean_eof(rd);
        int r;

        if (frame_scan(rd->buf + rd->pos, rd->len - rd->pos, fr, at_eof)) {
            rd->pos += fr->off;
            return 0;
        }
        rd->pos = rd->len;
        fr->off = 0;
        if (at_eof)
            return 0;
        r = refill(rd);
        if (r < 0)
            return r;
    }
}

/* Fill *rec with the @n bytes at rd->pos (validated unless disabled) and consume them. */
static int emit(struct ss_reader *rd, struct ss_record *rec, struct ss_diag *d, size_t n,
                bool in_array)
{
    size_t s = rd->pos;
    uint64_t abs = rd->base + s;
    uint64_t index;

    rd->pos += n;
    advance_lines(rd, abs);
    rd->rec_line = rd->line;
    index = in_array ? rd->arr_index++ : rd->line;
    if ((rd->flags & SS_READER_NO_VALIDATE) == 0) {
        struct ss_diag jd;
        int r = ss_json_validate(rd->buf + s, n, &rd->jlim, &jd);

        if (r < 0) {
            uint64_t off = jd.offset <= n ? jd.offset : 0;

            return err_at(rd, d, r, abs + off, "%s", jd.msg);
        }
    }
    *rec = (struct ss_record){
        .ptr = rd->buf + s,
        .len = n,
        .loc = { .input = rd->input, .offset = abs, .len = n, .index = index },
    };
    return 1;
}

/* Frame and emit one value (array element, document, wrapper member value). */
static int framed_record(struct ss_reader *rd, struct ss_record *rec, struct ss_diag *d,
                         bool in_array)
{
    struct io_frame fr = { 0 };
    uint64_t start = rd->base + rd->pos;
    int r = frame_value(rd, &fr);
    bool complete = r == 1;

    if (complete && fr.off > rd->lim.max_record_bytes)
        r = SS_ELIMIT; /* whole in the window, but over the cap all the same */
    if (r == 1)
        return emit(rd, rec, d, fr.off, in_array);
    if (r == SS_ELIMIT) {
        int e;

        advance_lines(rd, start);
        e = ss_diag_set(d, SS_ELIMIT, rd->name, rd->line, start - rd->line_start + 1, start,
                        "record larger than %" PRIu64 " bytes", rd->lim.max_record_bytes);
        if (in_array)
            rd->arr_index++;
        if (complete) {
            rd->pos += fr.off;
            return e;
        }
        r = skip_framed(rd, &fr);
        if (r < 0)
            return stream_fail(rd, d, r);
        return e;
    }
    if (r < 0)
        return stream_fail(rd, d, r);
    /* the stream ended inside the value */
    r = err_at(rd, d, SS_ESYNTAX, start, "unexpected end of input: truncated %s",
               in_array ? "array element" : "document");
    rd->pos = rd->len;
    rd->state = IO_ST_DONE;
    return r;
}

static bool is_json_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Oversized line: report it and drop it through its newline, streaming. */
static int skip_long_line(struct ss_reader *rd, struct ss_diag *d)
{
    uint64_t start = rd->base + rd->pos;
    uint64_t lineno = rd->line;
    uint64_t col = start - rd->line_start + 1;
    int r;

    r = skip_through_newline(rd);
    if (r < 0)
        return stream_fail(rd, d, r);
    advance_lines(rd, rd->base + rd->pos);
    return ss_diag_set(d, SS_ELIMIT, rd->name, lineno, col, start,
                       "record larger than %" PRIu64 " bytes", rd->lim.max_record_bytes);
}

/* JSON lines: the next non-blank line is a record. The hot path. */
static int next_line(struct ss_reader *rd, struct ss_record *rec, struct ss_diag *d)
{
    size_t scanned = 0;

    if (rd->skip_partial) {
        int r = skip_through_newline(rd);

        rd->skip_partial = false;
        if (r < 0)
            return stream_fail(rd, d, r);
    }
    advance_lines(rd, rd->base + rd->pos);
    for (;;) {
        size_t avail = rd->len - rd->pos;
        const char *p = rd->buf + rd->pos;
        const char *nl;
        size_t line_len, s, e;
        uint64_t lineno, line_start;
        bool has_nl;

        if (rd->base + rd->pos >= rd->range_end)
            return finish(rd);
        nl = memchr(p + scanned, '\n', avail - scanned);
        if (nl == NULL) {
            int r;

            if (avail > rd->lim.max_record_bytes)
                return skip_long_line(rd, d);
            scanned = avail;
            r = refill(rd);
            if (r > 0)
                continue;
            if (r < 0)
                return stream_fail(rd, d, r);
            if (avail == 0)
                return finish(rd);
            line_len = avail;
            has_nl = false;
        } else {
            line_len = (size_t)(nl - p);
            has_nl = true;
        }
        scanned = 0;
        lineno = rd->line;
        line_start = rd->line_start;
        s = rd->pos;
        e = s + line_len;
        rd->pos = has_nl ? e + 1 : e;
        if (has_nl) {
            rd->line++;
            rd->line_start = rd->base + rd->pos;
        }
        rd->line_off = rd->base + rd->pos;
        while (s < e && is_json_ws(rd->buf[s]))
            s++;
        while (e > s && is_json_ws(rd->buf[e - 1]))
            e--;
        if (s == e)
            continue; /* blank line */
        rd->rec_line = lineno;
        if (e - s > rd->lim.max_record_bytes)
            return ss_diag_set(d, SS_ELIMIT, rd->name, lineno, rd->base + s - line_start + 1,
                               rd->base + s, "record larger than %" PRIu64 " bytes",
                               rd->lim.max_record_bytes);
        if ((rd->flags & SS_READER_NO_VALIDATE) == 0) {
            struct ss_diag jd;
            int r = ss_json_validate(rd->buf + s, e - s, &rd->jlim, &jd);

            if (r < 0) {
                uint64_t rel = jd.offset <= e - s ? jd.offset : 0;
                uint64_t off = rd->base + s + rel;
                bool truncated = !has_nl && rel == e - s;

                return ss_diag_set(d, r, rd->name, lineno, off - line_start + 1, off, "%s%s",
                                   truncated ? "truncated last line: " : "", jd.msg);
            }
        }
        *rec = (struct ss_record){
            .ptr = rd->buf + s,
            .len = e - s,
            .loc = { .input = rd->input, .offset = rd->base + s, .len = e - s, .index = lineno },
        };
        return 1;
    }
}

static int wrapper_key_index(const char *k, size_t n)
{
    for (int i = 0; i < (int)SS_ARRAY_LEN(io_wrapper_keys); i++)
        if (strlen(io_wrapper_keys[i]) == n && memcmp(k, io_wrapper_keys[i], n) == 0)
            return i;
    return -1;
}

static bool is_envelope_key(const char *k, size_t n)
{
    for (size_t i = 0; i < SS_ARRAY_LEN(envelope_keys); i++)
        if (strlen(envelope_keys[i]) == n && memcmp(k, envelope_keys[i], n) == 0)
            return true;
    return false;
}

static void open_array(struct ss_reader *rd, bool wrapper)
{
    rd->state = IO_ST_ARR_FIRST;
    rd->arr_wrapper = wrapper;
    rd->arr_index = 0;
    rd->n_top++;
    if (rd->layout == SS_LAYOUT_NONE)
        rd->layout = wrapper ? SS_LAYOUT_WRAPPER : SS_LAYOUT_ARRAY;
}

/*
 * At a top-level '{': is it a wrapper object? Looks at the first IO_PROBE_BYTES only.
 * Returns 1 (and enters the array) or 0 (nothing consumed). Stream errors are left for
 * the record path to report.
 */
static int probe_wrapper(struct ss_reader *rd)
{
    const char *b;
    size_t n, i = 1;
    bool env = false;

    /* a stream error is reported later, by the record path; probe what arrived */
    while (rd->len - rd->pos < IO_PROBE_BYTES && !rd->dec_eof) {
        if (refill(rd) < 0)
            break;
    }
    b = rd->buf + rd->pos;
    n = rd->len - rd->pos;
    for (int k = 0; k < IO_PROBE_MEMBERS; k++) {
        size_t ks, ke, vs, ve;
        int w;

        i = ss_json_skip_ws(b, n, i);
        if (i >= n || b[i] != '"')
            return 0;
        if (ss_json_skip(b, n, i, &rd->jlim, &ks, &ke, NULL) != 0)
            return 0;
        i = ss_json_skip_ws(b, n, ke);
        if (i >= n || b[i] != ':')
            return 0;
        i = ss_json_skip_ws(b, n, i + 1);
        if (i >= n)
            return 0;
        w = wrapper_key_index(b + ks + 1, ke - ks - 2);
        if (w >= 0 && b[i] == '[') {
            rd->wrap_key = w;
            rd->wrap_env = env;
            rd->saw_wrapper = true;
            rd->pos += i + 1;
            open_array(rd, true);
            return 1;
        }
        if (!is_envelope_key(b + ks + 1, ke - ks - 2))
            return 0;
        if (ss_json_skip(b, n, i, &rd->jlim, &vs, &ve, NULL) != 0)
            return 0;
        i = ss_json_skip_ws(b, n, ve);
        if (i >= n || b[i] != ',')
            return 0;
        i++;
        env = true;
    }
    return 0;
}

/* Decide JSON lines or documents from the first record-like top-level value. */
static int decide_mode(struct ss_reader *rd)
{
    struct io_frame fr = { 0 };
    int r = frame_value(rd, &fr);

    /* A stream error before the first value ends (a broken first line can run into a
       damaged stream far below): lines, so that every whole line before the damage is
       still read, and the damage reported where it is. */
    if (r == -ENOMEM)
        return r;
    if (r == 1 && memchr(rd->buf + rd->pos, '\n', fr.off) != NULL) {
        rd->top_mode = IO_TOP_DOCS;
        if (rd->layout == SS_LAYOUT_NONE)
            rd->layout = SS_LAYOUT_DOCS;
    } else {
        rd->top_mode = IO_TOP_LINES;
        if (rd->layout == SS_LAYOUT_NONE)
            rd->layout = SS_LAYOUT_LINES;
    }
    return 0;
}

static int next_top(struct ss_reader *rd, struct ss_record *rec, struct ss_diag *d)
{
    int r;

    if (rd->top_mode == IO_TOP_LINES)
        return next_line(rd, rec, d);
    r = skip_ws_fill(rd);
    if (r < 0)
        return stream_fail(rd, d, r);
    if (r == 0)
        return finish(rd);
    if (rd->buf[rd->pos] == '[') {
        rd->pos++;
        open_array(rd, false);
        return IO_AGAIN;
    }
    if (rd->buf[rd->pos] == '{' && (rd->n_top == 0 || rd->saw_wrapper) && probe_wrapper(rd) == 1)
        return IO_AGAIN;
    rd->n_top++;
    if (rd->top_mode == IO_TOP_UNDECIDED) {
        r = decide_mode(rd);
        if (r < 0)
            return stream_fail(rd, d, r);
        if (rd->top_mode == IO_TOP_LINES)
            return next_line(rd, rec, d);
    }
    return framed_record(rd, rec, d, false);
}

static bool starts_value(char c)
{
    return c == '{' || c == '[' || c == '"' || c == '-' || (c >= '0' && c <= '9') || c == 't' ||
           c == 'f' || c == 'n';
}

static void close_array(struct ss_reader *rd)
{
    rd->state = rd->arr_wrapper ? IO_ST_WRAP_TAIL : IO_ST_TOP;
}

static int next_in_array(struct ss_reader *rd, struct ss_record *rec, struct ss_diag *d)
{
    for (;;) {
        uint64_t at;
        char c;
        int r = skip_ws_fill(rd);

        if (r < 0)
            return stream_fail(rd, d, r);
        at = rd->base + rd->pos;
        if (r == 0) {
            rd->state = IO_ST_DONE;
            return err_at(rd, d, SS_ESYNTAX, at, "unexpected end of input inside array");
        }
        c = rd->buf[rd->pos];
        if (rd->state == IO_ST_ARR_SEP) {
            if (c == ',') {
                rd->pos++;
                rd->state = IO_ST_ARR_VALUE;
                continue;
            }
            if (c == ']') {
                rd->pos++;
                close_array(rd);
                return IO_AGAIN;
            }
            r = err_at(rd, d, SS_ESYNTAX, at, "expected ',' or ']' after array element");
            if (starts_value(c)) {
                rd->state = IO_ST_ARR_VALUE; /* read it as the next element */
            } else {
                int e = skip_through_newline(rd);

                if (e < 0)
                    return stream_fail(rd, d, e);
            }
            return r;
        }
        if (c == ']') {
            bool trailing_comma = rd->state == IO_ST_ARR_VALUE;

            rd->pos++;
            close_array(rd);
            if (trailing_comma)
                return err_at(rd, d, SS_ESYNTAX, at, "trailing comma before ']'");
            return IO_AGAIN;
        }
        rd->state = IO_ST_ARR_SEP;
        return framed_record(rd, rec, d, true);
    }
}

/* After a wrapper's array: the remaining members of its object, then '}'. */
static int wrap_tail(struct ss_reader *rd, struct ss_diag *d)
{
    uint64_t at = rd->base + rd->pos;

    for (;;) {
        struct io_frame fr = { 0 };
        struct ss_diag jd;
        int r = skip_ws_fill(rd);

        if (r < 0)
            return stream_fail(rd, d, r);
        at = rd->base + rd->pos;
        if (r == 0) {
            rd->state = IO_ST_DONE;
            return err_at(rd, d, SS_ESYNTAX, at, "unexpected end of input in wrapper object");
        }
        if (rd->buf[rd->pos] == '}') {
            rd->pos++;
            rd->state = IO_ST_TOP;
            return IO_AGAIN;
        }
        if (rd->buf[rd->pos] != ',')
            goto bad;
        rd->pos++;
        r = skip_ws_fill(rd);
        if (r < 0)
            return stream_fail(rd, d, r);
        at = rd->base + rd->pos;
        if (r == 0 || rd->buf[rd->pos] != '"')
            goto bad;
        /* "key" : value, each framed and validated, then dropped */
        r = frame_value(rd, &fr);
        if (r < 0 && r != SS_ELIMIT)
            return stream_fail(rd, d, r);
        if (r != 1 || ss_json_validate(rd->buf + rd->pos, fr.off, &rd->jlim, &jd) != 0)
            goto bad;
        rd->pos += fr.off;
        r = skip_ws_fill(rd);
        if (r < 0)
            return stream_fail(rd, d, r);
        at = rd->base + rd->pos;
        if (r == 0 || rd->buf[rd->pos] != ':')
            goto bad;
        rd->pos++;
        r = skip_ws_fill(rd);
        if (r < 0)
            return stream_fail(rd, d, r);
        at = rd->base + rd->pos;
        if (r == 0)
            goto bad;
        fr = (struct io_frame){ 0 };
        r = frame_value(rd, &fr);
        if (r == SS_ELIMIT) {
            r = skip_framed(rd, &fr);
            if (r < 0)
                return stream_fail(rd, d, r);
            continue;
        }
        if (r < 0)
            return stream_fail(rd, d, r);
        if (r != 1)
            goto bad;
        r = ss_json_validate(rd->buf + rd->pos, fr.off, &rd->jlim, &jd);
        if (r < 0) {
            uint64_t off = jd.offset <= fr.off ? jd.offset : 0;

            rd->pos += fr.off; /* go on with the rest of the object */
            return err_at(rd, d, r, at + off, "%s", jd.msg);
        }
        rd->pos += fr.off;
    }
bad : {
    int r = err_at(rd, d, SS_ESYNTAX, at, "expected ',' or '}' in wrapper object");
    int e = skip_through_newline(rd);

    rd->state = IO_ST_TOP;
    if (e < 0)
        return stream_fail(rd, d, e);
    return r;
}
}

/* First call: skip a UTF-8 byte order mark at the start of the decoded stream. */
static int start(struct ss_reader *rd)
{
    rd->started = true;
    if (rd->base != 0 || rd->pos != 0 || rd->range)
        return 0;
    while (rd->len < 3) {
        int r = refill(rd);

        if (r < 0)
            return r;
        if (r == 0)
            break;
    }
    if (rd->len >= 3 && memcmp(rd->buf, "\xEF\xBB\xBF", 3) == 0) {
        rd->pos = 3;
        rd->line_off = 3;
    }
    return 0;
}

int ss_reader_next(struct ss_reader *rd, struct ss_record *ret_rec, struct ss_diag *reterr_diag)
{
    struct ss_record rec;

    if (!rd->started) {
        int r = start(rd);

        if (r < 0)
            return stream_fail(rd, reterr_diag, r);
    }
    for (;;) {
        int r;

        switch (rd->state) {
        case IO_ST_TOP:
            r = next_top(rd, &rec, reterr_diag);
            break;
        case IO_ST_ARR_FIRST:
        case IO_ST_ARR_VALUE:
        case IO_ST_ARR_SEP:
            r = next_in_array(rd, &rec, reterr_diag);
            break;
        case IO_ST_WRAP_TAIL:
            r = wrap_tail(rd, reterr_diag);
            break;
        case IO_ST_DONE:
        default:
            return 0;
        }
        if (r == IO_AGAIN)
            continue;
        if (r == 1)
            *ret_rec = rec;
        return r;
    }
}

int io_reader_peek(struct ss_reader *rd, size_t want, const char **ret_p, size_t *ret_n)
{
    int r = 0;

    while (rd->len - rd->pos < want) {
        r = refill(rd);
        if (r <= 0)
            break;
    }
    *ret_p = rd->buf + rd->pos;
    *ret_n = rd->len - rd->pos;
    return r < 0 ? r : 0;
}

int io_reader_new(const struct ss_io_limits *lim, bool sniffing, uint64_t plain_size,
                  struct ss_reader **ret)
{
    const struct ss_io_limits *def = &ss_io_limits_default;
    struct ss_reader *rd;
    uint64_t cap_max;

    rd = ss_calloc(1, sizeof(*rd));
    if (rd == NULL)
        return -ENOMEM;
    rd->lim = lim != NULL ? *lim : *def;
    if (rd->lim.max_record_bytes == 0)
        rd->lim.max_record_bytes = def->max_record_bytes;
    if (rd->lim.max_decoded_bytes == 0)
        rd->lim.max_decoded_bytes = def->max_decoded_bytes;
    if (rd->lim.max_ratio == 0)
        rd->lim.max_ratio = def->max_ratio;
    if (rd->lim.max_depth == 0)
        rd->lim.max_depth = def->max_depth;
    if (rd->lim.max_files == 0)
        rd->lim.max_files = def->max_files;
    rd->jlim = ss_json_limits_default;
    rd->jlim.max_depth = rd->lim.max_depth;
    rd->jlim.max_record_bytes = rd->lim.max_record_bytes;
    rd->fd = -1;
    rd->name = "<memory>";
    rd->raw_end = UINT64_MAX;
    rd->range_end = UINT64_MAX;
    rd->line = 1;
    rd->wrap_key = -1;
    rd->sniffing = sniffing;
    /* the window holds one record plus a read step; its size is capped accordingly */
    cap_max = rd->lim.max_record_bytes + 2 * (uint64_t)IO_STEP_MAX;
    rd->cap_max = cap_max > SIZE_MAX / 2 ? SIZE_MAX / 2 : (size_t)cap_max;
    rd->cap = SS_MIN(sniffing ? IO_WINDOW_SNIFF : IO_WINDOW_INIT, rd->cap_max);
    /* a small uncompressed input needs no bigger window than itself (plus the read
     * that sees the end) */
    if (plain_size != UINT64_MAX && plain_size + 64 < (uint64_t)rd->cap)
        rd->cap = (size_t)plain_size + 64;
    rd->buf = ss_malloc(rd->cap);
    if (rd->buf == NULL) {
        ss_free(rd);
        return -ENOMEM;
    }
    *ret = rd;
    return 0;
}

void ss_reader_free(struct ss_reader *rd)
{
    if (rd == NULL)
        return;
    io_pipe_free(rd); /* joins the decode thread first */
    io_dec_free(rd);
    if (rd->fd >= 0)
        (void)close(rd->fd);
    ss_free(rd->own_buf != NULL ? rd->own_buf : rd->buf);
    ss_free(rd);
}

static int open_input_fd(const struct ss_case *c, uint32_t index, struct ss_diag *d, int *ret_fd)
{
    const struct ss_input *in;
    int fd;

    if (c == NULL || index >= c->n_inputs)
        return ss_diag_set(d, -EINVAL, NULL, 0, 0, UINT64_MAX, "no input %" PRIu32, index);
    in = &c->inputs[index];
    fd = ss_open_regular(in->path, 0, NULL);
    if (fd < 0)
        return ss_diag_set(d, fd, in->path, 0, 0, UINT64_MAX, "cannot open: %s", ss_strerror(fd));
#ifdef POSIX_FADV_SEQUENTIAL
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    *ret_fd = fd;
    return 0;
}

int ss_reader_open(const struct ss_case *c, uint32_t index, const struct ss_io_limits *lim,
                   ss_raw_fn raw_fn, void *raw_ctx, struct ss_reader **ret_reader,
                   struct ss_diag *reterr_diag)
{
    struct ss_reader *rd;
    int fd = -1, r;

    r = open_input_fd(c, index, reterr_diag, &fd);
    if (r < 0)
        return r;
    r = io_reader_new(
        lim, false,
        c->inputs[index].comp == SS_COMP_NONE ? c->inputs[index].size_bytes : UINT64_MAX, &rd);
    if (r < 0) {
        (void)close(fd);
        return ss_diag_set(reterr_diag, r, c->inputs[index].path, 0, 0, UINT64_MAX,
                           "out of memory");
    }
    rd->fd = fd;
    rd->name = c->inputs[index].path;
    rd->input = index;
    rd->comp = c->inputs[index].comp;
    rd->raw_fn = raw_fn;
    rd->raw_ctx = raw_ctx;
    *ret_reader = rd;
    return 0;
}

static int count_nl_fd(int fd, const char *name, uint64_t begin, uint64_t end, uint64_t *ret_count,
                       struct ss_diag *d)
{
    const size_t bufsize = (size_t)1 << 20;
    char *buf = ss_malloc(bufsize);
    uint64_t pos = begin, count = 0;
    int r = 0;

    if (buf == NULL)
        return ss_diag_set(d, -ENOMEM, name, 0, 0, UINT64_MAX, "out of memory");
    while (pos < end) {
        size_t want = (size_t)SS_MIN((uint64_t)bufsize, end - pos);
        ssize_t got = pread(fd, buf, want, (off_t)pos);

        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            r = -errno;
            (void)ss_diag_set(d, r, name, 0, 0, pos, "read failed: %s", ss_strerror(r));
            goto out;
        }
        if (got == 0)
            break;
        count += io_count_nl(buf, (size_t)got);
        pos += (uint64_t)got;
    }
    *ret_count = count;
out:
    ss_free(buf);
    return r;
}

int ss_input_count_newlines(const struct ss_case *c, uint32_t index, uint64_t begin, uint64_t end,
                            uint64_t *ret_count, struct ss_diag *reterr_diag)
{
    int fd = -1, r;

    if (c == NULL || index >= c->n_inputs || begin > end)
        return ss_diag_set(reterr_diag, -EINVAL, NULL, 0, 0, UINT64_MAX, "bad range");
    if (c->inputs[index].comp != SS_COMP_NONE)
        return ss_diag_set(reterr_diag, SS_EUNSUPPORTED, c->inputs[index].path, 0, 0, UINT64_MAX,
                           "byte ranges need an uncompressed input");
    r = open_input_fd(c, index, reterr_diag, &fd);
    if (r < 0)
        return r;
    r = count_nl_fd(fd, c->inputs[index].path, begin, end, ret_count, reterr_diag);
    (void)close(fd);
    return r;
}

int ss_reader_open_range(const struct ss_case *c, uint32_t index, uint64_t begin, uint64_t end,
                         uint64_t first_line, const struct ss_io_limits *lim, ss_raw_fn raw_fn,
                         void *raw_ctx, struct ss_reader **ret_reader, struct ss_diag *reterr_diag)
{
    const struct ss_input *in;
    struct ss_reader *rd = NULL;
    int fd = -1, r;

    if (c == NULL || index >= c->n_inputs || begin > end)
        return ss_diag_set(reterr_diag, -EINVAL, NULL, 0, 0, UINT64_MAX, "bad range");
    in = &c->inputs[index];
    if (in->comp != SS_COMP_NONE || in->layout != SS_LAYOUT_LINES)
        return ss_diag_set(reterr_diag, SS_EUNSUPPORTED, in->path, 0, 0, UINT64_MAX,
                           "byte ranges need an uncompressed JSON lines input");
    r = open_input_fd(c, index, reterr_diag, &fd);
    if (r < 0)
        return r;
    r = io_reader_new(lim, false, UINT64_MAX, &rd);
    if (r < 0) {
        (void)ss_diag_set(reterr_diag, r, in->path, 0, 0, UINT64_MAX, "out of memory");
        goto fail;
    }
    rd->fd = fd;
    rd->name = in->path;
    rd->input = index;
    rd->comp = SS_COMP_NONE;
    rd->raw_fn = raw_fn;
    rd->raw_ctx = raw_ctx;
    rd->range = true;
    rd->top_mode = IO_TOP_LINES;
    rd->layout = SS_LAYOUT_LINES;
    rd->src_pos = begin;
    rd->src_begin = begin;
    rd->raw_end = end;
    rd->range_end = end;
    rd->base = begin;
    rd->line_off = begin;
    rd->line_start = begin;
    if (begin > 0) {
        char prev;
        ssize_t got;

        if (first_line == 0) {
            uint64_t nl;

            r = count_nl_fd(fd, in->path, 0, begin, &nl, reterr_diag);
            if (r < 0)
                goto fail;
            first_line = nl + 1;
        }
        do {
            got = pread(fd, &prev, 1, (off_t)(begin - 1));
        } while (got < 0 && errno == EINTR);
        if (got < 0) {
            r = -errno;
            (void)ss_diag_set(reterr_diag, r, in->path, 0, 0, begin - 1, "read failed: %s",
                              ss_strerror(r));
            goto fail;
        }
        rd->skip_partial = got == 1 && prev != '\n';
    } else {
        first_line = 1;
    }
    rd->line = first_line;
    *ret_reader = rd;
    return 0;
fail:
    if (rd != NULL)
        ss_reader_free(rd); /* closes fd */
    else
        (void)close(fd);
    return r;
}

int ss_reader_open_mem(const void *data, size_t len, uint32_t input, const char *name,
                       unsigned flags, const struct ss_io_limits *lim,
                       struct ss_reader **ret_reader, struct ss_diag *reterr_diag)
{
    struct ss_reader *rd;
    const char *why = NULL;
    enum ss_compression comp = SS_COMP_NONE;
    int r;

    if ((flags & SS_READER_FORCE_PLAIN) == 0) {
        comp = io_detect_comp(data, len, &why);
        if (comp == SS_COMP__COUNT)
            comp = SS_COMP_NONE;
    }
    r = io_reader_new(lim, false, comp == SS_COMP_NONE ? (uint64_t)len : UINT64_MAX, &rd);

    if (r < 0)
        return ss_diag_set(reterr_diag, r, name, 0, 0, UINT64_MAX, "out of memory");
    rd->mem = data;
    rd->mem_len = len;
    rd->input = input;
    if (name != NULL)
        rd->name = name;
    rd->flags = flags;
    rd->comp = comp;
    *ret_reader = rd;
    return 0;
}

void ss_reader_set_flags(struct ss_reader *rd, unsigned flags)
{
    rd->flags = (rd->flags & SS_READER_FORCE_PLAIN) | (flags & ~(unsigned)SS_READER_FORCE_PLAIN);
}

void ss_reader_set_decode_blocks(struct ss_reader *rd, unsigned n_blocks, size_t block_bytes)
{
    rd->pipe_blocks = n_blocks == 0 ? 0 : SS_MIN(SS_MAX(n_blocks, 2u), IO_PIPE_BLOCKS_MAX);
    rd->pipe_block_bytes = SS_MIN(block_bytes, IO_PIPE_BLOCK_MAX);
}

bool ss_reader_pipelined(const struct ss_reader *rd)
{
    return io_pipe_threaded(rd);
}

uint64_t ss_reader_decoded_bytes(const struct ss_reader *rd)
{
    return rd->base + rd->len;
}

uint64_t ss_reader_stored_bytes(const struct ss_reader *rd)
{
    return rd->src_pos - rd->src_begin;
}

void ss_reader_set_decoded_observer(struct ss_reader *rd, ss_raw_fn fn, void *ctx)
{
    rd->dec_fn = fn;
    rd->dec_ctx = ctx;
}

bool ss_reader_decoded_complete(const struct ss_reader *rd)
{
    return rd->dec_eof && rd->dec_err == 0 && !rd->range;
}

enum ss_layout ss_reader_layout(const struct ss_reader *rd)
{
    return rd->layout;
}

uint64_t ss_reader_record_line(const struct ss_reader *rd)
{
    return rd->rec_line;
}

int ss_reader_drain(struct ss_reader *rd)
{
    const size_t bufsize = (size_t)256 << 10;
    uint8_t *buf;
    int r = 0;

    rd->state = IO_ST_DONE;
    io_pipe_stop(rd); /* the thread's raw observer calls end here */
    if (rd->raw_fn == NULL || rd->src_eof || rd->src_pos >= rd->raw_end)
        return 0;
    buf = ss_malloc(bufsize);
    if (buf == NULL)
        return -ENOMEM;
    while (!rd->src_eof && rd->src_pos < rd->raw_end) {
        size_t n;

        r = io_src_read(rd, buf, (size_t)SS_MIN((uint64_t)bufsize, rd->raw_end - rd->src_pos), &n);
        if (r < 0)
            break;
    }
    ss_free(buf);
    return r;
}
