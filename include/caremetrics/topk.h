/*
 * libcaremetrics — contact drivers: a mergeable heavy-hitters summary with a
 * guaranteed error bound.
 * SPDX-License-Identifier: MIT
 */
#ifndef CAREMETRICS_TOPK_H
#define CAREMETRICS_TOPK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <caremetrics/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup topk Top-k: contact drivers
 * @brief The most frequent contact drivers (tags, reason codes) of millions
 *        of tickets in fixed memory, with guaranteed bounds, mergeable across
 *        shards.
 *
 * A ::cm_topk is a Misra–Gries summary (Misra & Gries 1982, weighted form;
 * merge of Agarwal et al., "Mergeable summaries", 2012) with a capacity of k
 * counters over keys that are byte strings (tags, driver names) or 64-bit
 * codes. After a total weight N has been added (every ticket counts 1 unless
 * a weight is given), with `error` the bound reported by cm_topk_info():
 *
 * - every key's true count f lies in `[count, count + error]`, where `count`
 *   is the key's counter (0 when it is not held);
 * - `error <= N / (k + 1)`, so every key with `f > N / (k + 1)` is held: to
 *   find every driver above a share φ of the contacts, use `k >= 1/φ`;
 * - while at most k distinct keys have been seen, `error` is 0 and every
 *   count is exact.
 *
 * These hold after any sequence of additions and merges, in any grouping:
 * cm_topk_merge() of summaries of streams of total N1 and N2 is a summary of
 * the combined stream with the same guarantees for N = N1 + N2 (the proof is
 * in `docs/topk.md`). Merging is commutative: a ∪ b and b ∪ a serialize to the
 * same bytes. Results rank keys by count, ties by key.
 *
 * @code
 * cm_topk *drivers;
 * cm_status st = cm_topk_new(CM_TOPK_STRINGS, 1000, 64, NULL, &drivers);
 * st = cm_topk_add_tags(drivers, "billing refund", 14, " ", 1);   // one ticket's tags
 * cm_topk_entry top[10];
 * size_t n;
 * st = cm_topk_result(drivers, top, 10, &n);
 * for (size_t i = 0; i < n; i++)
 *     printf("%s %" PRIu64 "\n", top[i].key, top[i].count);
 * cm_topk_free(drivers);
 * @endcode
 *
 * Memory is allocated once by cm_topk_new(): about `2k (max_key_bytes + 45)`
 * bytes plus a hash table of `16k` bytes or so; nothing else allocates except
 * cm_topk_deserialize(), which builds a new summary. A summary is not locked:
 * give each thread its own and merge them.
 * @{
 */

/** @file caremetrics/topk.h
 *  @brief Mergeable heavy hitters (Misra–Gries) over strings or codes. */

/** Largest capacity (number of counters) of a summary. */
#define CM_TOPK_MAX_CAPACITY 1048576u
/** Longest string key, in bytes. */
#define CM_TOPK_MAX_KEY_BYTES 1024u
/** Largest total weight a summary accepts: `INT64_MAX`. */
#define CM_TOPK_MAX_TOTAL 9223372036854775807u

/** What a summary counts, fixed at creation. */
typedef enum cm_topk_keys {
    CM_TOPK_STRINGS = 0, /**< Byte strings of 1..max_key_bytes bytes (any bytes, NUL included). */
    CM_TOPK_CODES = 1    /**< 64-bit codes (driver or reason codes). */
} cm_topk_keys;

/** A heavy-hitters summary. Opaque; see cm_topk_new(). */
typedef struct cm_topk cm_topk;

/** One key of a result, from cm_topk_result(). */
typedef struct cm_topk_entry {
    /** String summaries: the key, NUL-terminated, inside the summary (valid until it next
     *  changes); NULL for code summaries. */
    const char *key;
    size_t key_len; /**< Length of @c key in bytes (0 for codes). */
    uint64_t code;  /**< Code summaries: the code (0 for strings). */
    uint64_t count; /**< The counter: a lower bound on the key's true count. */
    uint64_t upper; /**< `count + error`, capped at the total: an upper bound on the true count. */
} cm_topk_entry;

/** State of a summary, from cm_topk_info(). */
typedef struct cm_topk_summary {
    uint64_t total;         /**< N: the total weight added, merges included. */
    uint64_t error;         /**< Largest possible undercount of any key; at most N / (k + 1). */
    uint32_t capacity;      /**< k: the number of counters. */
    uint32_t size;          /**< Counters in use, 0..k. */
    uint32_t keys;          /**< ::cm_topk_keys. */
    uint32_t max_key_bytes; /**< Longest string key (8 for codes). */
    bool exact;             /**< `error == 0`: every count is exact. */
} cm_topk_summary;

/**
 * Creates an empty summary. Allocates once.
 *
 * @param keys a ::cm_topk_keys.
 * @param capacity k, the number of counters: 1..::CM_TOPK_MAX_CAPACITY.
 * @param max_key_bytes longest string key, 1..::CM_TOPK_MAX_KEY_BYTES; ignored for codes.
 * @param alloc memory functions, or NULL for malloc and free (kept for cm_topk_free()).
 * @param[out] out the new summary.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p out is NULL, @p keys is unknown, or @p alloc lacks a function.
 * @retval CM_ERANGE @p capacity or @p max_key_bytes is out of range.
 * @retval CM_ENOMEM out of memory.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_topk_new(uint32_t keys, uint32_t capacity, uint32_t max_key_bytes,
                                          const cm_allocator *alloc, cm_topk **out);

/**
 * Frees a summary through the allocator it was created with. NULL is a no-op.
 *
 * @param topk the summary, or NULL.
 * @since 0.2
 */
CM_API void cm_topk_free(cm_topk *topk);

/**
 * Empties a summary, keeping its capacity and key kind.
 *
 * @param topk the summary.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p topk is NULL.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_topk_clear(cm_topk *topk);

/**
 * Adds @p weight occurrences of a string key. O(log k).
 *
 * @param topk a summary of ::CM_TOPK_STRINGS.
 * @param key the key's bytes (need not be NUL-terminated).
 * @param len its length, 1..max_key_bytes.
 * @param weight occurrences to add (1 for one ticket); 0 changes nothing.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or the summary counts codes.
 * @retval CM_ERANGE @p len is 0 or above max_key_bytes.
 * @retval CM_EOVERFLOW the total would exceed ::CM_TOPK_MAX_TOTAL.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_topk_add(cm_topk *topk, const char *key, size_t len,
                                          uint64_t weight);

/**
 * Adds @p weight occurrences of a code. O(log k).
 *
 * @param topk a summary of ::CM_TOPK_CODES.
 * @param code the code.
 * @param weight occurrences to add; 0 changes nothing.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p topk is NULL or counts strings.
 * @retval CM_EOVERFLOW the total would exceed ::CM_TOPK_MAX_TOTAL.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_topk_add_code(cm_topk *topk, uint64_t code, uint64_t weight);

/**
 * Adds a column of string keys. All or nothing: every key is checked first.
 *
 * @param topk a summary of ::CM_TOPK_STRINGS.
 * @param keys @p n keys.
 * @param lens their lengths, or NULL when every key is NUL-terminated.
 * @param weights one weight per key, or NULL for 1 each.
 * @param n number of keys; the arrays may be NULL when it is 0.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or the summary counts codes.
 * @retval CM_ERANGE a key is empty or longer than max_key_bytes.
 * @retval CM_EOVERFLOW the total would exceed ::CM_TOPK_MAX_TOTAL.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_topk_add_many(cm_topk *topk, const char *const *keys,
                                               const size_t *lens, const uint64_t *weights,
                                               size_t n);

/**
 * Adds a column of codes. All or nothing.
 *
 * @param topk a summary of ::CM_TOPK_CODES.
 * @param codes @p n codes.
 * @param weights one weight per code, or NULL for 1 each.
 * @param n number of codes; the arrays may be NULL when it is 0.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or the summary counts strings.
 * @retval CM_EOVERFLOW the total would exceed ::CM_TOPK_MAX_TOTAL.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_topk_add_codes(cm_topk *topk, const uint64_t *codes,
                                                const uint64_t *weights, size_t n);

/**
 * Adds every tag of one ticket's tag field, such as `"billing refund vip"`. All or nothing.
 *
 * The field is split at every byte that appears in @p separators; empty
 * pieces are skipped, so repeated separators do no harm. Each tag is added
 * with @p weight (a tag repeated in one field counts each time).
 *
 * @param topk a summary of ::CM_TOPK_STRINGS.
 * @param text the field's bytes (need not be NUL-terminated).
 * @param len its length; may be 0.
 * @param separators NUL-terminated set of separator bytes, at least one (e.g. `" ,;"`).
 * @param weight weight of each tag.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p separators is empty, or the summary counts codes.
 * @retval CM_ERANGE a tag is longer than max_key_bytes.
 * @retval CM_EOVERFLOW the total would exceed ::CM_TOPK_MAX_TOTAL.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_topk_add_tags(cm_topk *topk, const char *text, size_t len,
                                               const char *separators, uint64_t weight);

/**
 * Adds the tags of a column of tag fields, one field per ticket: cm_topk_add_tags() over
 * every field. All or nothing: every field is checked first.
 *
 * @param topk a summary of ::CM_TOPK_STRINGS.
 * @param fields @p n fields; a NULL field (with length 0) is an empty one.
 * @param lens their lengths, or NULL when every field is NUL-terminated (or NULL).
 * @param n number of fields; the arrays may be NULL when it is 0.
 * @param separators NUL-terminated set of separator bytes, at least one.
 * @param weight weight of each tag.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL (a field only when its length is not 0), @p separators
 *         is empty, or the summary counts codes.
 * @retval CM_ERANGE a tag is longer than max_key_bytes.
 * @retval CM_EOVERFLOW the total would exceed ::CM_TOPK_MAX_TOTAL.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_topk_add_tags_many(cm_topk *topk, const char *const *fields,
                                                    const size_t *lens, size_t n,
                                                    const char *separators, uint64_t weight);

/**
 * Merges @p other into @p topk: afterwards @p topk summarises both streams,
 * with the guarantees of the module description for the combined total. O(k log k).
 *
 * @param topk the summary that receives the other.
 * @param other a summary of the same key kind, capacity and max_key_bytes; may be @p topk.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or the summaries differ in kind, capacity or key size.
 * @retval CM_EOVERFLOW the combined total would exceed ::CM_TOPK_MAX_TOTAL; @p topk is unchanged.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_topk_merge(cm_topk *topk, const cm_topk *other);

/**
 * Total, error bound, capacity and size of a summary.
 *
 * @param topk the summary.
 * @param[out] out its state.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_topk_info(const cm_topk *topk, cm_topk_summary *out);

/**
 * The keys with the largest counts, most frequent first (ties by key: bytewise,
 * then shorter first; codes in increasing order).
 *
 * Writes the top min(@p cap, size) entries: ask for 10 to get the top 10.
 * String keys point into the summary until it next changes.
 *
 * @param topk the summary.
 * @param[out] out receives the entries; may be NULL when @p cap is 0.
 * @param cap capacity of @p out in entries.
 * @param[out] count entries written.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_topk_result(const cm_topk *topk, cm_topk_entry *out, size_t cap,
                                             size_t *count);

/**
 * Bounds on the true count of one string key, held or not.
 *
 * @param topk a summary of ::CM_TOPK_STRINGS.
 * @param key the key's bytes.
 * @param len its length, 1..max_key_bytes.
 * @param[out] count lower bound (the counter, 0 when the key is not held).
 * @param[out] upper upper bound: count + error, capped at the total.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or the summary counts codes.
 * @retval CM_ERANGE @p len is 0 or above max_key_bytes.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_topk_estimate(const cm_topk *topk, const char *key, size_t len,
                                               uint64_t *count, uint64_t *upper);

/**
 * Bounds on the true count of one code, held or not.
 *
 * @param topk a summary of ::CM_TOPK_CODES.
 * @param code the code.
 * @param[out] count lower bound.
 * @param[out] upper upper bound.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or the summary counts strings.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_topk_estimate_code(const cm_topk *topk, uint64_t code,
                                                    uint64_t *count, uint64_t *upper);

/**
 * Writes a summary as portable bytes (format in `docs/topk.md`): 44 bytes and
 * one record per counter, keys in increasing order, so equal summaries give
 * equal bytes however they were built.
 *
 * @param topk the summary.
 * @param[out] buf destination.
 * @param cap capacity of @p buf in bytes.
 * @param[out] written bytes written; on ::CM_ENOSPC, the size needed.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_ENOSPC @p cap is too small; @p written holds the size needed and @p buf is untouched.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_topk_serialize(const cm_topk *topk, uint8_t *buf, size_t cap,
                                                size_t *written);

/**
 * Builds a new summary from bytes written by cm_topk_serialize(). Allocates once.
 *
 * @param buf the bytes.
 * @param len their number.
 * @param alloc memory functions for the new summary, or NULL.
 * @param[out] out the new summary.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or @p alloc lacks a function.
 * @retval CM_EPARSE the bytes are truncated, corrupt, of another kind or format version, not
 *         in canonical order, or describe a summary no additions could produce.
 * @retval CM_ENOMEM out of memory.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_topk_deserialize(const uint8_t *buf, size_t len,
                                                  const cm_allocator *alloc, cm_topk **out);

/**
 * Merges a serialized summary into @p topk without building it: the same as
 * cm_topk_deserialize() then cm_topk_merge(), with no allocation.
 *
 * @param topk the summary that receives the other.
 * @param buf bytes written by cm_topk_serialize() for a summary of the same kind,
 *        capacity and key size.
 * @param len their number.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or the bytes describe a different kind, capacity or key size.
 * @retval CM_EPARSE the bytes are invalid (see cm_topk_deserialize()); @p topk is unchanged.
 * @retval CM_EOVERFLOW the combined total would exceed ::CM_TOPK_MAX_TOTAL; @p topk is unchanged.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_topk_merge_serialized(cm_topk *topk, const uint8_t *buf,
                                                       size_t len);

/**
 * Size of a top-k struct in this build of the library, for bindings that mirror the structs.
 *
 * @param name `"cm_topk_entry"` or `"cm_topk_summary"`.
 * @return the size in bytes, or 0 for an unknown name or NULL.
 * @since 0.2
 */
CM_API size_t cm_topk_sizeof(const char *name);

/**
 * Value of a top-k macro or enumerator in this build of the library, for bindings.
 *
 * @param name `"CM_TOPK_MAX_CAPACITY"`, `"CM_TOPK_MAX_KEY_BYTES"`, `"CM_TOPK_MAX_TOTAL"`,
 *        `"CM_TOPK_STRINGS"` or `"CM_TOPK_CODES"`.
 * @param[out] out the value.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_ENOTFOUND no top-k constant has that name.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_topk_constant(const char *name, int64_t *out);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CAREMETRICS_TOPK_H */
