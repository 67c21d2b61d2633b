/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evidence/base64.h - RFC 4648 base64 (standard alphabet, '=' padding), as DSSE and the
 * Merkle test vectors use it.
 *
 * Decoding is strict: the length must be a multiple of four, padding may only end the
 * text, no whitespace, and the unused bits of the last group must be zero. So every
 * byte string has exactly one accepted spelling, and changing any character of an
 * encoded signature or payload either fails to decode or changes the bytes.
 */
#ifndef SS_EVIDENCE_BASE64_H
#define SS_EVIDENCE_BASE64_H

#include "core/base.h"
#include "core/buf.h"

/** Encoded length of @len bytes (without a NUL). */
size_t ss_base64_encoded_len(size_t len);
/** Append the encoding of @len bytes at @p to @out. Returns 0, -ENOMEM or SS_ELIMIT. */
SS_MUST_USE int ss_base64_encode(const uint8_t *p, size_t len, struct ss_buf *out);
/**
 * Append the bytes encoded by @s[0..len) to @out (as raw bytes; @out stays
 * NUL-terminated). Returns 0, SS_ESYNTAX (not strict base64; @out unchanged), -ENOMEM
 * or SS_ELIMIT.
 */
SS_MUST_USE int ss_base64_decode(const char *s, size_t len, struct ss_buf *out);

#endif
