/*
 * The ticket-table engine's internals, shared by lib/table*.c; never installed.
 *
 * table.c        spec checks, creation, labels, the folding entry points
 * table-result.c finishing a report, and its results
 * table-merge.c  merging reports, serialization
 * table-fold.c   the block kernel: validation, per-row facts, folding
 * table-select.c exact quantiles of kept durations
 * table-clock.c  business time and local time memoised per UTC day
 * table-group.c  group slots: dense code combinations and hashed time buckets
 * table-acc.c    survey scales, label tables, group accumulators, kept bad rows
 * Each file uses only those listed after it (and the library's other modules).
 * SPDX-License-Identifier: MIT
 */
#ifndef CAREMETRICS_TABLE_CORE_H
#define CAREMETRICS_TABLE_CORE_H

#include <caremetrics/table.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common-internal.h"
#include "table-clock.h"

/* Straight loops over columns also get an AVX2 version on x86-64, chosen when the
 * library is loaded (GNU ifunc); other targets and compilers get the one version. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define CM__VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define CM__VECTOR_CLONES
#endif

/* Rows handled together by the kernel: the per-row facts of a tile stay in cache. */
#define TBL_TILE 1024
/* Exact quantiles of at most this many values are taken by sorting them in place. */
#define TBL_SORT_MAX 4096
/* Longest duration kept, in whole seconds: what the response-time sketch holds. */
#define TBL_MAX_DURATION ((int64_t)CM_SKETCH_MAX_SECONDS)
/* Dense groupings hold at most this many code combinations; larger ones are hashed. */
#define TBL_DENSE_MAX 4096u
/* Defaults of the spec's capacities. */
#define TBL_OPEN_DEFAULT  65536u
#define TBL_GROUP_DEFAULT 1024u
/* A kept duration that is missing. */
#define TBL_NO_VALUE UINT32_MAX
/* SLA metrics the columns feed, in this order. */
enum { TBL_SLA_FR = 0, TBL_SLA_TR = 1, TBL_SLA_METRICS = 2 };
/* Priority levels 0 (none) .. 4 (urgent). */
#define TBL_LEVELS 5

typedef struct tbl_dur {
    uint64_t n;
    uint64_t sum;
    int64_t min, max;
} tbl_dur;

typedef struct tbl_sla {
    uint64_t achieved, breached, open;
    uint64_t stopped;     /* achieved + breached that stopped (the mean's count) */
    uint64_t stopped_sum; /* their elapsed seconds */
} tbl_sla;

/* The accumulators of one group. Every field adds under merge. */
typedef struct tbl_acc {
    uint64_t rows, tickets, abandoned, replied, solved;
    uint64_t fcr_den, fcr_num;       /* solved tickets with a contacts count; of them 1 contact */
    uint64_t reopen_den, reopen_num; /* solved tickets with a reopened flag; reopened */
    uint64_t esc_den, esc_num;       /* tickets with an escalated flag; escalated */
    uint64_t offered, lost, lost_short; /* real-time contacts: offered, abandoned, short */
    uint64_t handled, handle_us[2];     /* rows with a handle time; microseconds, 128 bits */
    cm_time first_created, last_created;
    uint64_t within_judged[TBL_LEVELS], within_met[TBL_LEVELS];
    tbl_dur dur[CM_TABLE_DURATION_COUNT];
    tbl_sla sla[TBL_SLA_METRICS][TBL_LEVELS];
    cm_csat csat;
    cm_nps nps;
    cm_ces ces;
    cm_contact contact;
} tbl_acc;

/* Identity of a group of a hashed grouping. */
typedef struct tbl_gkey {
    uint64_t combo;  /* mixed-radix code combination */
    int64_t ordinal; /* time bucket */
    int32_t offset;  /* UTC offset of sub-day buckets, else 0 */
    uint32_t used;   /* 1 when the hash entry is taken */
} tbl_gkey;

typedef struct tbl_grouping {
    cm_table_grouping g;
    uint32_t nkeys;
    uint32_t key[CM_TABLE_MAX_KEYS];    /* keys used, ascending */
    uint64_t stride[CM_TABLE_MAX_KEYS]; /* mixed-radix weights (first key most significant) */
    uint64_t combos;                    /* product of the cardinalities */
    bool hashed;
    size_t base;        /* first slot */
    size_t capacity;    /* slots: combos when dense, else the spec's group capacity */
    size_t used;        /* hashed: slots taken */
    tbl_gkey *slot_key; /* hashed: identity of each slot */
    uint32_t *table;    /* hashed: open addressing over slot indices + 1 (0 empty) */
    size_t table_mask;
    size_t last_slot; /* hashed: the last lookup, a cheap cache */
    tbl_gkey last_key;
} tbl_grouping;

/* A grouping of one group (the whole history, or keys of one code each): every row's
 * slot is its base, so the kept durations need no slot column for it. */
static inline bool cm__single_slot(const tbl_grouping *g)
{
    return !g->hashed && g->combos == 1;
}

/* Per-key state: labels and their lookup table. */
typedef struct tbl_key {
    char name[CM_TABLE_LABEL_MAX + 1];
    uint32_t cardinality, width;
    uint32_t nlabels;
    char *labels;    /* cardinality * (CM_TABLE_LABEL_MAX + 1) */
    uint32_t *index; /* open addressing: code + 1, 0 empty */
    size_t index_mask;
} tbl_key;

/* An open ticket kept to be judged at the latest instant. */
typedef struct tbl_open {
    cm_time breach[TBL_SLA_METRICS]; /* breached when the judging instant is later; or
                                        CM_TABLE_NO_TIME when that metric is not open */
    uint8_t level;
    uint8_t pad[7];
} tbl_open;

/* The kernel's scratch for one tile of rows. */
typedef struct tbl_tile {
    uint8_t bad[TBL_TILE];
    uint8_t ticket[TBL_TILE], replied[TBL_TILE], solved[TBL_TILE]; /* the fast path's flags */
    int64_t dur[CM_TABLE_DURATION_COUNT][TBL_TILE];                /* and durations */
    uint32_t code[CM_TABLE_MAX_KEYS][TBL_TILE];
    uint32_t slot[CM_TABLE_MAX_GROUPINGS][TBL_TILE];
    /* What an absent column reads: its "missing" value in every row. */
    cm_time absent_time[TBL_TILE];
    uint32_t absent_one[TBL_TILE];
    uint8_t absent_zero[TBL_TILE], absent_score[TBL_TILE];
    double absent_nan[TBL_TILE];
    /* The whole-history grouping: survey answers counted in four interleaved copies,
     * and compacted arrays for the library's _add_many functions. */
    uint32_t hist[3][4][16];
    double sketch_in[CM_TABLE_DURATION_COUNT][TBL_TILE];
    double wait_in[TBL_TILE], handle_in[TBL_TILE];
    uint8_t flag_in[TBL_TILE];
    /* Other groupings: each row's durations (in dur) and contact, then the rows
     * ordered by group, so sketches and contacts take a group's values in one call. */
    uint8_t has[CM_TABLE_DURATION_COUNT][TBL_TILE];
    uint8_t row_contact[TBL_TILE], row_abandoned[TBL_TILE];
    double row_wait[TBL_TILE], row_handle[TBL_TILE];
    uint16_t local[TBL_TILE], order[TBL_TILE];
    uint32_t local_slot[TBL_TILE], run_end[TBL_TILE];
    double group_in[TBL_TILE], group_wait[TBL_TILE], group_handle[TBL_TILE];
    uint8_t group_flag[TBL_TILE];
    uint8_t level[TBL_TILE]; /* the fast path's priority levels */
} tbl_tile;

/* SLA target of a metric at a level. */
typedef struct tbl_target {
    int64_t seconds; /* 0: none */
    int32_t clock;   /* -1 calendar time, else an index into report->clocks */
    bool business;
} tbl_target;

struct cm_table_report {
    cm_allocator alloc;
    bool has_alloc;
    cm_table_spec spec; /* pointers in it are cleared; what they pointed to is copied */
    uint32_t flags;
    double quantiles[CM_TABLE_MAX_QUANTILES];
    size_t nquantiles;
    uint32_t quantile_mode, quantile_metrics; /* metrics with quantiles: only those measured */
    uint32_t duration_metrics;                /* measured: asked for and measurable */
    uint32_t kept_metrics[CM_TABLE_DURATION_COUNT]; /* exact: metric of each kept column */
    size_t nkept;

    size_t nkeys;
    tbl_key keys[CM_TABLE_MAX_KEYS];
    int32_t priority_key;
    uint8_t *levels; /* per code of the priority key */

    size_t ngroupings;
    tbl_grouping groupings[CM_TABLE_MAX_GROUPINGS];
    size_t ngroups; /* slots over all groupings */
    tbl_acc *acc;
    cm_sketch *sketches; /* sketch mode: ngroups * nsketch_metrics, else NULL */
    uint32_t sketch_index[CM_TABLE_DURATION_COUNT]; /* per metric: its sketch, or UINT32_MAX */
    size_t nsketch;

    /* Clocks: 0 the spec's calendar (business durations), then the policy's other calendars. */
    size_t nclocks;
    tbl_clock clocks[CM_SLA_MAX_CALENDARS + 1];
    tbl_zone zone;
    tbl_target target[TBL_SLA_METRICS][TBL_LEVELS];
    bool has_policy;

    /* Survey scales, for validation. */
    uint32_t csat_scale, ces_scale;

    /* Exact quantiles: kept durations and each row's slot in every grouping. */
    uint64_t row_capacity, kept;
    uint32_t *kept_value[CM_TABLE_DURATION_COUNT];
    uint32_t *kept_slot[CM_TABLE_MAX_GROUPINGS];
    uint32_t *select_scratch; /* row_capacity values */
    uint64_t *select_counts;  /* 65536 + ngroups counters */

    /* Open tickets judged at the end, and their slots. */
    uint64_t open_capacity, nopen;
    tbl_open *open;
    uint32_t *open_slot[CM_TABLE_MAX_GROUPINGS];

    /* Totals over the whole report. */
    uint64_t rows, bad_rows;
    size_t bad_kept;
    cm_table_bad_row bad[CM_TABLE_BAD_ROWS_KEPT];
    cm_time latest;                   /* latest instant of any good row, or CM_TABLE_NO_TIME */
    bool seen[CM_TABLE_COLUMN_COUNT]; /* a block had the column */

    bool broken; /* a total overflowed while folding: results say CM_EOVERFLOW */

    /* Results, prepared by cm_table_report_finish(). */
    bool finished;
    cm_time judged_at;
    size_t nresults;
    uint32_t *order; /* ngroups: slots of the non-empty groups in result order */
    double *results; /* ngroups * CM_TABLE_DURATION_COUNT * CM_TABLE_MAX_QUANTILES */
    tbl_sla *judged; /* ngroups * TBL_SLA_METRICS * TBL_LEVELS: open tickets judged */

    /* Merging: source code -> destination code per key, source slot -> destination slot,
     * and room for the labels read from bytes. */
    uint32_t *remap[CM_TABLE_MAX_KEYS];
    uint32_t src_labels[CM_TABLE_MAX_KEYS];
    uint32_t *slot_map;
    uint16_t *local_of;      /* per slot: its index among a tile's groups, or UINT16_MAX */
    const char **label_ptrs; /* the largest cardinality */
    char *label_arena;       /* as many labels */

    uint8_t *fingerprint; /* canonical bytes of the spec, for merge checks */
    size_t fingerprint_len, fingerprint_cap;

    tbl_tile *tile; /* the kernel's scratch */
};

/* table-acc.c */
/* The survey accumulators of a spec's scales (0 in the spec: the defaults). */
cm_status cm__table_surveys(const cm_table_spec *s, cm_csat *csat, cm_ces *ces);
void cm__table_add_sla(tbl_sla *dst, const tbl_sla *src);
void cm__table_add_acc(tbl_acc *dst, const tbl_acc *src);
bool cm__table_acc_empty(const tbl_acc *a);
void cm__table_keep_bad(cm_table_report *r, const cm_table_bad_row *b);
/* The code of a label, or -1 when the key has no such label. */
int64_t cm__table_find_label(const cm_table_report *r, size_t key, const char *label, size_t len);
/* Adds a label (the key must lack it and have room); returns its code. */
uint32_t cm__table_add_label(cm_table_report *r, size_t key, const char *label, size_t len);
const char *cm__table_label(const cm_table_report *r, size_t key, uint32_t code);

/* table-group.c */
cm_status cm__groupings_setup(cm_table_report *r, uint64_t group_capacity);
/* The bucket of a creation instant in grouping g: ordinal and sub-day offset. */
void cm__bucket_of(cm_table_report *r, const tbl_grouping *g, cm_time t, int64_t *ordinal,
                   int32_t *offset);
/* The slot of a hashed key, inserting it; SIZE_MAX when the grouping is full. */
size_t cm__hashed_slot(tbl_grouping *g, const tbl_gkey *k);
/* Looks a key up without inserting; SIZE_MAX when absent. */
size_t cm__hashed_find(const tbl_grouping *g, const tbl_gkey *k);
/* Decomposes a slot of grouping g into key codes, ordinal and offset. */
void cm__slot_identity(const cm_table_report *r, const tbl_grouping *g, size_t slot,
                       uint32_t codes[CM_TABLE_MAX_KEYS], int64_t *ordinal, int32_t *offset);
/* Fills a public group description of a slot. */
void cm__slot_describe(cm_table_report *r, size_t gi, size_t slot, cm_table_group *out);
/* The slot of the group of grouping gi with the given identity, creating it for hashed
 * groupings; SIZE_MAX when it does not fit. */
size_t cm__slot_for(cm_table_report *r, size_t gi, const uint32_t codes[CM_TABLE_MAX_KEYS],
                    int64_t ordinal, int32_t offset);
/* Which grouping a slot belongs to. */
size_t cm__slot_grouping(const cm_table_report *r, size_t slot);

/* table-fold.c */
cm_status cm__table_fold(cm_table_report *r, const cm_table_columns *c);
/* Counts the kept open tickets now certainly breached and drops those with nothing
 * left to decide. */
void cm__table_compact_open(cm_table_report *r);

/* table-select.c */
/* Exact quantiles of every group of every grouping into r->results. */
void cm__table_select(cm_table_report *r);

/* table-merge.c */
cm_status cm__table_fingerprint(cm_table_report *r);

#endif /* CAREMETRICS_TABLE_CORE_H */
