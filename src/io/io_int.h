/* SPDX-License-Identifier: Apache-2.0 */
/*
 * io/io_int.h - private declarations shared by the io area's .c files (never included
 * outside src/io/).
 *
 * A reader is three layers stacked in one struct:
 *   source  (stream.c)  stored bytes from a file descriptor or memory, seen by the raw
 *                       observer exactly once, clipped to [raw_begin, raw_end);
 *   decoder (stream.c)  none / gzip (ISA-L, or zlib) / zstd, appending decoded bytes to
 *                       the window, with the decoded-size and ratio caps;
 *   splitter (reader.c) frames records in the window (memchr for lines, a structural
 *                       framer for arrays and documents) and validates them with the
 *                       json scanner.
 * The window holds decoded bytes [base, base + len); bytes before pos are consumed and
 * may be discarded by compaction. A record returned to the caller points into it.
 *
 * Compressed inputs read whole are decoded in blocks (stream.c "decoded blocks"): the
 * source and decoder layers move to a second, private struct ss_reader that fills
 * fixed-size blocks through the same io_dec_fill, on the calling thread, or ahead on a
 * decode thread with SS_READER_PIPELINE. The splitter takes whole blocks
 * (io_pipe_take): the window becomes the block itself, with the unconsumed tail of the
 * previous window copied into the block's headroom in front of its data (so only
 * partial records are copied), or, when that tail is larger than the headroom, the
 * reader's own buffer with the block appended. As the decoder's calls depend only on
 * the block size, the thread changes nothing that the reader reports.
 */
#ifndef SS_IO_IO_INT_H
#define SS_IO_IO_INT_H

#include "io/io.h"
#include "json/json.h"

/* Window sizing: initial size, and the largest single read or decode step. */
#define IO_WINDOW_INIT ((size_t)1 << 20)
#define IO_WINDOW_SNIFF ((size_t)64 << 10)
#define IO_STEP_MAX ((size_t)1 << 20)
/* Stored-byte buffer of the decompressors. */
#define IO_INBUF_SIZE ((size_t)256 << 10)
/* Block decoding: blocks in the threaded ring, decoded bytes a block, headroom in front
 * (at most one block's size), and the bounds of ss_reader_set_decode_blocks. */
#define IO_PIPE_BLOCKS 8u
#define IO_PIPE_BLOCK ((size_t)256 << 10)
#define IO_PIPE_HEAD ((size_t)64 << 10)
#define IO_PIPE_BLOCKS_MAX 64u
#define IO_PIPE_BLOCK_MAX ((size_t)4 << 20)

struct io_pipe;

enum io_state {
    IO_ST_TOP = 0,   /* between top-level values */
    IO_ST_ARR_FIRST, /* just after '[' : value or ']' */
    IO_ST_ARR_VALUE, /* after ',' : a value */
    IO_ST_ARR_SEP,   /* after a value: ',' or ']' */
    IO_ST_WRAP_TAIL, /* wrapper array closed: remaining members, then '}' */
    IO_ST_DONE,
};

enum io_top_mode { IO_TOP_UNDECIDED = 0, IO_TOP_LINES, IO_TOP_DOCS };

/* Incremental state of the structural framer (see frame_value in reader.c). */
enum io_frame_kind { IO_FR_NEW = 0, IO_FR_CONTAINER, IO_FR_STRING, IO_FR_SCALAR };

struct io_frame {
    size_t off;     /* bytes of the value scanned so far, from its first byte */
    uint64_t depth; /* open arrays/objects */
    enum io_frame_kind kind;
    bool in_str;
    bool esc;
};

struct ss_reader {
    /* identity */
    const char *name; /* borrowed, for diagnostics */
    uint32_t input;
    struct ss_io_limits lim;
    struct ss_json_limits jlim;
    unsigned flags;
    bool sniffing; /* discovery head read: caps end reading quietly */

    /* source */
    int fd; /* -1 for memory */
    const uint8_t *mem;
    uint64_t mem_len;
    uint64_t src_pos;   /* next stored offset to read */
    uint64_t src_begin; /* first stored offset read (range begin) */
    uint64_t raw_end;   /* the observer sees stored bytes before this offset only */
    bool src_eof;
    ss_raw_fn raw_fn;
    void *raw_ctx;
    ss_raw_fn dec_fn; /* observer of decoded bytes (NULL if none) */
    void *dec_ctx;

    /* decoder */
    enum ss_compression comp;
    void *dec;   /* struct inflate_state / z_stream / ZSTD_DCtx */
    uint8_t *in; /* stored bytes waiting for the decompressor */
    size_t in_pos, in_len;
    uint64_t in_used; /* stored bytes consumed by the decompressor */
    bool dec_ready;   /* io_dec_init done (lazily, at the first fill) */
    bool dec_eof;     /* no more decoded bytes will come */
    bool member_end;  /* gzip: between members; zstd: between frames */
    int dec_err;      /* sticky stream error, reported once */
    struct ss_diag dec_diag;

    /* window */
    char *buf;
    size_t cap, cap_max;
    size_t pos, len;
    uint64_t base; /* decoded offset of buf[0] */

    /* block decoding: the window is a taken block (win_block) or own_buf */
    struct io_pipe *pipe; /* NULL unless decoding in blocks */
    bool pipe_tried;      /* io_pipe_start ran (it runs once, at the first refill) */
    bool win_block;
    char *own_buf; /* the reader's own window buffer while pipe != NULL */
    size_t own_cap;
    unsigned pipe_blocks;    /* threaded ring size asked for (0: IO_PIPE_BLOCKS) */
    size_t pipe_block_bytes; /* block size asked for (0: IO_PIPE_BLOCK) */

    /* line accounting: line is the number of the line holding byte line_off */
    uint64_t line;
    uint64_t line_off;
    uint64_t line_start; /* decoded offset where that line starts */

    /* splitter */
    enum io_state state;
    enum io_top_mode top_mode;
    enum ss_layout layout;
    bool range;         /* lines-only range reader */
    uint64_t range_end; /* records whose line starts at or after this are not ours */
    bool arr_wrapper;   /* the current array is a wrapper's */
    bool saw_wrapper;
    int wrap_key;      /* index in the wrapper key table of the last wrapper; -1 none */
    bool wrap_env;     /* an envelope member (count, nextLink, ...) came before it */
    bool started;      /* BOM check done */
    bool skip_partial; /* range: the first (partial) line belongs to the previous range */
    uint64_t n_top;    /* top-level values seen */
    uint64_t arr_index;
    uint64_t rec_line;
};

/* stream.c */

/** Set up the decoder for rd->comp. Returns 0 or -ENOMEM. */
int io_dec_init(struct ss_reader *rd);
/** Free the decoder. */
void io_dec_free(struct ss_reader *rd);
/**
 * Append decoded bytes to rd->buf[len, cap) (at least one byte unless at the end).
 * Returns the number appended (> 0), 0 at the end of the stream, or a negative error
 * with rd->dec_diag filled (the error is sticky).
 */
int io_dec_fill(struct ss_reader *rd);
/** Read up to @cap stored bytes at the source position into @dst (raw observer fed). */
int io_src_read(struct ss_reader *rd, uint8_t *dst, size_t cap, size_t *ret_n);
/**
 * At the first refill: a compressed input read whole (not a range, not sniffing) is
 * decoded in blocks from here on (rd->pipe), by a decode thread when SS_READER_PIPELINE
 * is set and the thread starts, else on the calling thread. Leaves rd->pipe NULL for
 * other readers. Returns 0, or -ENOMEM (then also the sticky rd->dec_err).
 */
int io_pipe_start(struct ss_reader *rd);
/**
 * Take the next decoded block (waiting for the decode thread). Returns 1 with its bytes
 * in *ret_p / *ret_n (n > 0; *ret_head bytes of writable headroom lie before *ret_p),
 * or 0 when no bytes are left: rd->dec_eof is then set, and rd->dec_err and rd->dec_diag
 * when the stream ended with an error. The final block also sets them when taken. Each
 * block taken must be given back with io_pipe_release, oldest first.
 */
int io_pipe_take(struct ss_reader *rd, char **ret_p, size_t *ret_head, size_t *ret_n);
/** Give back the oldest block taken, for the decode thread to fill again. */
void io_pipe_release(struct ss_reader *rd);
/**
 * Stop decoding blocks (and the decode thread, waiting for it); the source position
 * (rd->src_pos, src_eof) becomes where decoding stopped reading. Safe to call more than
 * once.
 */
void io_pipe_stop(struct ss_reader *rd);
/** Stop the decode thread and free the blocks (rd->pipe becomes NULL). */
void io_pipe_free(struct ss_reader *rd);
/** Whether a decode thread fills rd's blocks (or did, until stopped). */
bool io_pipe_threaded(const struct ss_reader *rd);
/** Compression from the first bytes of a stream (SS_COMP__COUNT: unsupported format). */
enum ss_compression io_detect_comp(const uint8_t *p, size_t n, const char **ret_why);
/** Count newline bytes in @p[0..n). */
uint64_t io_count_nl(const char *p, size_t n);

/* reader.c */

/** Wrapper keys, in the order of rd->wrap_key: Records, records, value, data. */
extern const char *const io_wrapper_keys[4];

/**
 * Allocate a reader (window etc.) with limits @lim; source fields are set by callers.
 * @plain_size is the size of an uncompressed input (UINT64_MAX if unknown or
 * compressed), which bounds the first window.
 */
int io_reader_new(const struct ss_io_limits *lim, bool sniffing, uint64_t plain_size,
                  struct ss_reader **ret);
/**
 * Decode until the window holds at least @want bytes from the read position (or the
 * stream ends) without consuming anything; *ret_p and *ret_n give the bytes. Returns 0 or a
 * stream error (what was decoded before it is still given).
 */
int io_reader_peek(struct ss_reader *rd, size_t want, const char **ret_p, size_t *ret_n);

/* sniff.c */

/** Sniff the file at @path into @ret (never fails; problems give SS_KIND_UNKNOWN). */
void io_sniff_path(const char *path, int fd, struct ss_sniff *ret);

#endif
