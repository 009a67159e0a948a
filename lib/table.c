/*
 * The ticket-table engine: spec checks, creation, labels and the entry points
 * that fold rows. The kernel that folds rows is in table-fold.c, the results in
 * table-result.c; see table-core.h for the other files.
 * SPDX-License-Identifier: MIT
 */
#include "table-core.h"

#include <math.h>
#include <string.h>

static const double default_quantiles[] = {0.5, 0.9, 0.99};

cm_status cm_table_spec_init(cm_table_spec *spec)
{
    CM_REQUIRE(spec != NULL, CM_EINVAL);
    memset(spec, 0, sizeof *spec);
    spec->size = sizeof *spec;
    spec->flags = CM_TABLE_CONTACTS;
    spec->priority_key = -1;
    spec->as_of = CM_TABLE_NO_TIME;
    spec->quantile_mode = CM_TABLE_QUANTILES_SKETCH;
    spec->quantile_metrics = (1u << CM_TABLE_DURATION_COUNT) - 1;
    spec->duration_metrics = (1u << CM_TABLE_DURATION_COUNT) - 1;
    spec->short_abandon_seconds = CM_CONTACT_DEFAULT_SHORT_ABANDON_SECONDS;
    spec->service_target_seconds = CM_CONTACT_DEFAULT_TARGET_SECONDS;
    return CM_OK;
}

cm_status cm_table_columns_init(cm_table_columns *columns)
{
    CM_REQUIRE(columns != NULL, CM_EINVAL);
    memset(columns, 0, sizeof *columns);
    columns->size = sizeof *columns;
    return CM_OK;
}

/* ---- column conversions ------------------------------------------------- */

/* The conversion loops get a clone per x86-64 level (AVX-512, AVX2, baseline), picked
 * when the library is loaded (GNU ifunc), and are written without branches so that they
 * vectorize. Floating-point exceptions are never read by the library, so GCC may treat
 * comparisons and conversions as not trapping (clang does by default). */
#if defined(__x86_64__) && defined(__GLIBC__) && defined(__GNUC__) && !defined(__clang__) && \
    __GNUC__ >= 12
#define TBL_VECTORIZED                                                           \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"), \
                   optimize("no-trapping-math")))
#else
#define TBL_VECTORIZED
#endif

/* Floor of t / d for d >= 1; with d a constant the compiler multiplies. */
static inline int64_t floor_div(int64_t t, int64_t d)
{
    const int64_t q = t / d;
    return q - (int64_t)((t % d) < 0);
}

static inline void ticks_to_seconds(const int64_t *ticks, size_t n, int64_t d, cm_time *out)
{
    for (size_t i = 0; i < n; i++) {
        const int64_t t = ticks[i];
        out[i] = t == CM_TABLE_NO_TIME ? CM_TABLE_NO_TIME : floor_div(t, d);
    }
}

/* floor(t / d) for d = 10^6 or 10^9: a quotient from doubles, within 2 of the floor (the
 * double nearest t is within 2^10 of it, and |t / d| < 2^34), made exact by two rounds of
 * correction on the remainder. The remainder is computed modulo 2^64: it is small, so its
 * value is right even where q * d would overflow int64. */
TBL_VECTORIZED static void ticks_to_seconds_fp(const int64_t *ticks, size_t n, int64_t d,
                                               cm_time *out)
{
    const double inv = 1.0 / (double)d;
    const uint64_t ud = (uint64_t)d;
    for (size_t i = 0; i < n; i++) {
        const int64_t t = ticks[i];
        int64_t q = (int64_t)((double)t * inv);
        int64_t r = (int64_t)((uint64_t)t - (uint64_t)q * ud);
        q += (int64_t)(r >= d) - (int64_t)(r < 0);
        r = (int64_t)((uint64_t)t - (uint64_t)q * ud);
        q += (int64_t)(r >= d) - (int64_t)(r < 0);
        out[i] = t == CM_TABLE_NO_TIME ? CM_TABLE_NO_TIME : q;
    }
}

cm_status cm_table_instants_from_ticks(const int64_t *ticks, size_t n, int64_t ticks_per_second,
                                       cm_time *out)
{
    CM_REQUIRE(n == 0 || (ticks != NULL && out != NULL), CM_EINVAL);
    CM_REQUIRE(ticks_per_second >= 1, CM_EINVAL);
    switch (ticks_per_second) {
    case 1:
        if (out != ticks && n > 0)
            memmove(out, ticks, n * sizeof *out);
        break;
    case 1000:
        ticks_to_seconds(ticks, n, 1000, out);
        break;
    case 1000000:
    case 1000000000:
        ticks_to_seconds_fp(ticks, n, ticks_per_second, out);
        break;
    default:
        ticks_to_seconds(ticks, n, ticks_per_second, out);
        break;
    }
    return CM_OK;
}

/* v + 2^52 holds round(v) in its low mantissa bits when 0 <= v < 2^52: the value is usable
 * when those bits are 0..254 and adding and taking away 2^52 gave v back. Only additions
 * and equality tests: no branch, no conversion of an out-of-range double. */
TBL_VECTORIZED static size_t doubles_to_scores(const double *restrict values, size_t n,
                                               uint8_t *restrict out)
{
    const double two52 = 0x1p52;
    const uint64_t two52_bits = UINT64_C(0x4330000000000000);
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        const double v = values[i];
        const double y = v + two52;
        uint64_t bits;
        memcpy(&bits, &y, sizeof bits);
        const uint64_t k = bits - two52_bits;
        const uint64_t ok = (uint64_t)(k < CM_SCORE_NONE) & (uint64_t)(y - two52 == v);
        out[i] = (uint8_t)(ok ? k : CM_SCORE_NONE);
        bad += (size_t)((ok ^ 1u) & (uint64_t)(v == v)); /* NaN is no answer, not unusable */
    }
    return bad;
}

cm_status cm_table_scores_from_doubles(const double *values, size_t n, uint8_t *out,
                                       size_t *unusable)
{
    CM_REQUIRE(unusable != NULL, CM_EINVAL);
    CM_REQUIRE(n == 0 || (values != NULL && out != NULL), CM_EINVAL);
    *unusable = n > 0 ? doubles_to_scores(values, n, out) : 0;
    return CM_OK;
}

TBL_VECTORIZED static size_t int64_to_counts(const int64_t *restrict values, size_t n,
                                             uint32_t *restrict out)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        const uint64_t v = (uint64_t)values[i]; /* negatives wrap above UINT32_MAX */
        const uint64_t ok = (uint64_t)(v <= UINT32_MAX);
        out[i] = (uint32_t)(ok ? v : 0);
        bad += (size_t)(ok ^ 1u);
    }
    return bad;
}

cm_status cm_table_counts_from_int64(const int64_t *values, size_t n, uint32_t *out,
                                     size_t *unusable)
{
    CM_REQUIRE(unusable != NULL, CM_EINVAL);
    CM_REQUIRE(n == 0 || (values != NULL && out != NULL), CM_EINVAL);
    *unusable = n > 0 ? int64_to_counts(values, n, out) : 0;
    return CM_OK;
}

/* ---- spec checks --------------------------------------------------------- */

static bool name_ok(const char *s)
{
    if (s == NULL)
        return false;
    size_t n = 0;
    while (n <= CM_TABLE_LABEL_MAX && s[n] != '\0')
        n++;
    return n >= 1 && n <= CM_TABLE_LABEL_MAX;
}

static bool key_ok(const cm_table_key *k)
{
    if (!name_ok(k->name) || k->reserved != 0 || k->cardinality < 1 ||
        k->cardinality > CM_TABLE_MAX_CODES)
        return false;
    if (!(k->width == 1 || k->width == 2 || k->width == 4))
        return false;
    if ((k->width == 1 && k->cardinality > 256) || (k->width == 2 && k->cardinality > 65536))
        return false;
    if (k->labels == NULL)
        return true;
    for (uint32_t i = 0; i < k->cardinality; i++) {
        if (!name_ok(k->labels[i]))
            return false;
    }
    return true; /* duplicates are found while the labels are copied */
}

static bool grouping_ok(const cm_table_grouping *g, size_t nkeys)
{
    if (g->capacity > UINT32_MAX / 2 || g->bucket > CM_TABLE_BUCKET_WEEKDAY)
        return false;
    if (nkeys < 32 && (g->keys >> nkeys) != 0)
        return false;
    const bool minutes =
        g->bucket == CM_TABLE_BUCKET_MINUTES || g->bucket == CM_TABLE_BUCKET_TIME_OF_DAY;
    if (minutes)
        return g->minutes >= 1 && g->minutes <= 1440 && 1440 % g->minutes == 0;
    return g->minutes == 0;
}

static bool instant_ok(cm_time t)
{
    return t >= CM_CALENDAR_TIME_MIN && t <= CM_CALENDAR_TIME_MAX;
}

static cm_status check_spec(const cm_table_spec *s)
{
    CM_REQUIRE(s->size == sizeof *s, CM_EINVAL);
    CM_REQUIRE((s->flags & ~(CM_TABLE_SLA_ATTAINMENT | CM_TABLE_CONTACTS)) == 0, CM_EINVAL);
    CM_REQUIRE(s->reserved0 == 0, CM_EINVAL);
    CM_REQUIRE((s->duration_metrics >> CM_TABLE_DURATION_COUNT) == 0, CM_EINVAL);
    for (size_t i = 0; i < sizeof s->reserved / sizeof s->reserved[0]; i++)
        CM_REQUIRE(s->reserved[i] == 0, CM_EINVAL);
    CM_REQUIRE(s->nkeys <= CM_TABLE_MAX_KEYS && (s->nkeys == 0 || s->keys != NULL), CM_EINVAL);
    for (size_t k = 0; k < s->nkeys; k++) {
        CM_REQUIRE(key_ok(&s->keys[k]), CM_EINVAL);
        for (size_t j = 0; j < k; j++)
            CM_REQUIRE(strcmp(s->keys[j].name, s->keys[k].name) != 0, CM_EINVAL);
    }
    CM_REQUIRE(s->ngroupings <= CM_TABLE_MAX_GROUPINGS &&
                   (s->ngroupings == 0 || s->groupings != NULL),
               CM_EINVAL);
    for (size_t g = 0; g < s->ngroupings; g++)
        CM_REQUIRE(grouping_ok(&s->groupings[g], s->nkeys), CM_EINVAL);
    CM_REQUIRE(s->priority_key >= -1 && s->priority_key < (int32_t)s->nkeys, CM_EINVAL);
    if (s->priority_key >= 0) {
        const cm_table_key *pk = &s->keys[s->priority_key];
        if (s->priority_levels != NULL) {
            for (uint32_t c = 0; c < pk->cardinality; c++)
                CM_REQUIRE(s->priority_levels[c] <= CM_SLA_PRIORITY_URGENT, CM_EINVAL);
        } else {
            CM_REQUIRE(pk->cardinality <= TBL_LEVELS, CM_EINVAL);
        }
    } else {
        CM_REQUIRE(s->priority_levels == NULL, CM_EINVAL);
    }
    CM_REQUIRE(s->as_of == CM_TABLE_NO_TIME || instant_ok(s->as_of), CM_EINVAL);
    CM_REQUIRE(s->quantile_mode <= CM_TABLE_QUANTILES_NONE, CM_EINVAL);
    CM_REQUIRE((s->quantile_metrics >> CM_TABLE_DURATION_COUNT) == 0, CM_EINVAL);
    if (s->quantiles != NULL) {
        CM_REQUIRE(s->nquantiles >= 1 && s->nquantiles <= CM_TABLE_MAX_QUANTILES, CM_EINVAL);
        for (size_t i = 0; i < s->nquantiles; i++)
            CM_REQUIRE(s->quantiles[i] >= 0.0 && s->quantiles[i] <= 1.0, CM_EINVAL);
    } else {
        CM_REQUIRE(s->nquantiles == 0, CM_EINVAL);
    }
    cm_contact c;
    CM_REQUIRE(isfinite(s->short_abandon_seconds) && isfinite(s->service_target_seconds),
               CM_EINVAL);
    CM_REQUIRE(cm_contact_init(&c, s->service_target_seconds, s->short_abandon_seconds) == CM_OK,
               CM_EINVAL);
    cm_csat cs;
    cm_ces ce;
    CM_TRY(cm__table_surveys(s, &cs, &ce));
    const bool exact = s->quantile_mode == CM_TABLE_QUANTILES_EXACT && s->quantile_metrics != 0;
    CM_REQUIRE(!exact || s->row_capacity > 0, CM_EINVAL);
    CM_REQUIRE(s->row_capacity <= UINT32_MAX, CM_EOVERFLOW);
    CM_REQUIRE(s->open_capacity <= UINT32_MAX && s->group_capacity <= UINT32_MAX / 2, CM_EOVERFLOW);
    CM_REQUIRE((s->policy_calendars == NULL) == (s->npolicy_calendars == 0), CM_EINVAL);
    return CM_OK;
}

/* ---- memory ----------------------------------------------------------------- */

/* The report's memory is one block; this lays out its parts. */
typedef struct layout {
    size_t size;
    bool overflow;
} layout;

static size_t part(layout *l, size_t count, size_t elem)
{
    size_t bytes;
    if (__builtin_mul_overflow(count, elem, &bytes) ||
        __builtin_add_overflow(bytes, (size_t)63, &bytes)) {
        l->overflow = true;
        return 0;
    }
    bytes &= ~(size_t)63;
    const size_t at = l->size;
    if (__builtin_add_overflow(l->size, bytes, &l->size))
        l->overflow = true;
    return at;
}

static size_t pow2_at_least(size_t n)
{
    size_t p = 1;
    while (p < n)
        p <<= 1;
    return p;
}

/* Where each part of the block lies (offsets). */
typedef struct places {
    size_t report, tile, acc, sketches, order, results, judged, fingerprint, levels;
    size_t labels[CM_TABLE_MAX_KEYS], index[CM_TABLE_MAX_KEYS];
    size_t slot_key[CM_TABLE_MAX_GROUPINGS], table[CM_TABLE_MAX_GROUPINGS];
    size_t kept_value[CM_TABLE_DURATION_COUNT], kept_slot[CM_TABLE_MAX_GROUPINGS];
    size_t select_scratch, select_counts;
    size_t open, open_slot[CM_TABLE_MAX_GROUPINGS];
    size_t clock_days[CM_SLA_MAX_CALENDARS + 1], zone_days;
    size_t remap[CM_TABLE_MAX_KEYS], slot_map, local_of, label_ptrs, label_arena;
} places;

/* Room for the fingerprint: fixed fields, each key, grouping, priority level and quantile. */
static size_t fingerprint_size(const cm_table_report *r)
{
    size_t n = 512 + r->nkeys * (CM_TABLE_LABEL_MAX + 9) + r->ngroupings * 20 + r->nquantiles * 8;
    if (r->priority_key >= 0)
        n += r->keys[r->priority_key].cardinality;
    return n;
}

static void plan(const cm_table_report *r, layout *l, places *p)
{
    p->report = part(l, 1, sizeof(cm_table_report));
    p->tile = part(l, 1, sizeof(tbl_tile));
    p->acc = part(l, r->ngroups, sizeof(tbl_acc));
    size_t nsk;
    if (__builtin_mul_overflow(r->ngroups, r->nsketch, &nsk))
        l->overflow = true;
    p->sketches = part(l, nsk, sizeof(cm_sketch));
    p->order = part(l, r->ngroups, sizeof(uint32_t));
    p->results =
        part(l, r->ngroups, sizeof(double) * CM_TABLE_DURATION_COUNT * CM_TABLE_MAX_QUANTILES);
    p->judged = part(l, r->ngroups, sizeof(tbl_sla) * TBL_SLA_METRICS * TBL_LEVELS);
    p->fingerprint = part(l, fingerprint_size(r), 1);
    p->levels = part(l, r->priority_key >= 0 ? r->keys[r->priority_key].cardinality : 0, 1);
    for (size_t k = 0; k < r->nkeys; k++) {
        p->labels[k] = part(l, r->keys[k].cardinality, CM_TABLE_LABEL_MAX + 1);
        p->index[k] = part(l, r->keys[k].index_mask + 1, sizeof(uint32_t));
    }
    for (size_t g = 0; g < r->ngroupings; g++) {
        const tbl_grouping *gr = &r->groupings[g];
        p->slot_key[g] = part(l, gr->hashed ? gr->capacity : 0, sizeof(tbl_gkey));
        p->table[g] = part(l, gr->hashed ? gr->table_mask + 1 : 0, sizeof(uint32_t));
    }
    const size_t rows = (size_t)r->row_capacity;
    for (size_t m = 0; m < r->nkept; m++)
        p->kept_value[m] = part(l, rows, sizeof(uint32_t));
    for (size_t g = 0; g < r->ngroupings; g++)
        p->kept_slot[g] = part(l, r->nkept > 0 && !cm__single_slot(&r->groupings[g]) ? rows : 0,
                               sizeof(uint32_t));
    /* Selection gathers the values of each group of a grouping of several groups; a
     * one-group grouping is read in place (copied only when small enough to sort). */
    size_t scratch = r->nkept > 0 ? (rows <= TBL_SORT_MAX ? rows : TBL_SORT_MAX + 1) : 0;
    for (size_t g = 0; g < r->ngroupings && r->nkept > 0; g++) {
        if (!cm__single_slot(&r->groupings[g]))
            scratch = rows;
    }
    p->select_scratch = part(l, scratch, sizeof(uint32_t));
    p->select_counts = part(l, r->nkept > 0 ? 2 * 65536 + r->ngroups + 1 : 0, sizeof(uint64_t));
    const size_t open = (size_t)r->open_capacity;
    p->open = part(l, open, sizeof(tbl_open));
    for (size_t g = 0; g < r->ngroupings; g++)
        p->open_slot[g] = part(l, open, sizeof(uint32_t));
    for (size_t c = 0; c < r->nclocks; c++)
        p->clock_days[c] = part(l, TBL_DAYS, sizeof(tbl_bday));
    p->zone_days = part(l, r->zone.tz != NULL ? TBL_DAYS : 0, sizeof(tbl_tzday));
    size_t widest = 0;
    for (size_t k = 0; k < r->nkeys; k++) {
        p->remap[k] = part(l, r->keys[k].cardinality, sizeof(uint32_t));
        widest = r->keys[k].cardinality > widest ? r->keys[k].cardinality : widest;
    }
    p->slot_map = part(l, r->ngroups, sizeof(uint32_t));
    p->local_of = part(l, r->ngroups, sizeof(uint16_t));
    p->label_ptrs = part(l, widest, sizeof(const char *));
    p->label_arena = part(l, widest, CM_TABLE_LABEL_MAX + 1);
}

/* ---- creation ---------------------------------------------------------------- */

/* Survey scales for validation, and the tile's "missing" values of absent columns. */
static void prepare_tile(cm_table_report *r)
{
    r->csat_scale = r->acc[0].csat.scale;
    r->ces_scale = r->acc[0].ces.scale;
    tbl_tile *t = r->tile;
    for (size_t i = 0; i < TBL_TILE; i++) {
        t->absent_time[i] = CM_TABLE_NO_TIME;
        t->absent_one[i] = 1;
        t->absent_nan[i] = (double)NAN;
    }
    memset(t->absent_zero, 0, sizeof t->absent_zero);
    memset(t->absent_score, CM_SCORE_NONE, sizeof t->absent_score);
}

/* The calendar index of each policy target: clock 0 is the spec's calendar; other
 * calendars the FR and TR targets name get their own clocks. */
static cm_status setup_policy(cm_table_report *r, const cm_table_spec *s)
{
    static const uint32_t metrics[TBL_SLA_METRICS] = {CM_SLA_FIRST_REPLY, CM_SLA_TOTAL_RESOLUTION};
    const cm_calendar *const *cals = s->policy_calendars;
    size_t ncals = s->npolicy_calendars;
    const cm_calendar *own[1] = {s->calendar};
    if (cals == NULL) {
        cals = own;
        ncals = s->calendar != NULL ? 1 : 0;
    }
    size_t needed = 0;
    CM_REQUIRE(cm_sla_policy_info(s->policy, NULL, &needed) == CM_OK, CM_EINVAL);
    CM_REQUIRE(needed <= ncals, CM_EINVAL);
    r->has_policy = true;
    for (size_t m = 0; m < TBL_SLA_METRICS; m++) {
        for (uint32_t lv = CM_SLA_PRIORITY_LOW; lv <= CM_SLA_PRIORITY_URGENT; lv++) {
            cm_sla_target t;
            tbl_target *dst = &r->target[m][lv];
            if (cm_sla_policy_target(s->policy, metrics[m], lv, &t) != CM_OK)
                continue;
            dst->seconds = t.seconds;
            dst->business = t.calendar != CM_SLA_CALENDAR_TIME;
            dst->clock = -1;
            if (!dst->business)
                continue;
            CM_REQUIRE((size_t)t.calendar < ncals && cals[t.calendar] != NULL, CM_EINVAL);
            const cm_calendar *cal = cals[t.calendar];
            size_t c = 0;
            while (c < r->nclocks && r->clocks[c].cal != cal)
                c++;
            if (c == r->nclocks)
                r->clocks[r->nclocks++].cal = cal;
            dst->clock = (int32_t)c;
        }
    }
    return CM_OK;
}

static void copy_key(tbl_key *dst, const cm_table_key *src)
{
    memcpy(dst->name, src->name, strlen(src->name) + 1);
    dst->cardinality = src->cardinality;
    dst->width = src->width;
    dst->nlabels = 0;
    dst->index_mask = pow2_at_least(2 * (size_t)src->cardinality) - 1;
}

static cm_status setup(cm_table_report *r, const cm_table_spec *s)
{
    r->spec = *s;
    r->flags = s->flags;
    r->nkeys = s->nkeys;
    for (size_t k = 0; k < s->nkeys; k++)
        copy_key(&r->keys[k], &s->keys[k]);
    r->priority_key = s->priority_key;
    static const cm_table_grouping whole = {0, CM_TABLE_BUCKET_NONE, 0, 0};
    r->ngroupings = s->ngroupings > 0 ? s->ngroupings : 1;
    for (size_t g = 0; g < r->ngroupings; g++)
        r->groupings[g].g = s->ngroupings > 0 ? s->groupings[g] : whole;
    const uint64_t gcap = s->group_capacity > 0 ? s->group_capacity : TBL_GROUP_DEFAULT;
    CM_TRY(cm__groupings_setup(r, gcap));
    for (size_t g = 0; g < r->ngroupings; g++) {
        tbl_grouping *gr = &r->groupings[g];
        if (gr->hashed)
            gr->table_mask = pow2_at_least(2 * gr->capacity) - 1;
    }
    /* Clocks: the spec's calendar first (business durations), then the policy's. */
    r->nclocks = 0;
    if (s->calendar != NULL)
        r->clocks[r->nclocks++].cal = s->calendar;
    if (s->policy != NULL)
        CM_TRY(setup_policy(r, s));
    r->zone.tz = NULL;
    bool buckets = false;
    for (size_t g = 0; g < r->ngroupings; g++)
        buckets |= r->groupings[g].g.bucket != CM_TABLE_BUCKET_NONE;
    if (s->calendar != NULL && buckets) {
        const cm_tz *tz = NULL;
        CM_REQUIRE(cm_calendar_get_tz(s->calendar, &tz) == CM_OK, CM_EINVAL);
        r->zone.tz = tz;
    }
    /* Quantiles of the durations that can be measured. */
    r->quantile_mode = s->quantile_mode;
    uint32_t measurable = (1u << CM_TABLE_FIRST_REPLY) | (1u << CM_TABLE_RESOLUTION);
    if (s->calendar != NULL)
        measurable |= (1u << CM_TABLE_FIRST_REPLY_BUSINESS) | (1u << CM_TABLE_RESOLUTION_BUSINESS);
    r->duration_metrics = s->duration_metrics & measurable;
    r->quantile_metrics =
        s->quantile_mode == CM_TABLE_QUANTILES_NONE ? 0 : s->quantile_metrics & r->duration_metrics;
    r->nquantiles = s->quantiles != NULL ? s->nquantiles : 3;
    memcpy(r->quantiles, s->quantiles != NULL ? s->quantiles : default_quantiles,
           r->nquantiles * sizeof(double));
    r->nsketch = 0;
    r->nkept = 0;
    for (uint32_t m = 0; m < CM_TABLE_DURATION_COUNT; m++) {
        r->sketch_index[m] = UINT32_MAX;
        if (!((r->quantile_metrics >> m) & 1u))
            continue;
        if (r->quantile_mode == CM_TABLE_QUANTILES_SKETCH)
            r->sketch_index[m] = (uint32_t)r->nsketch++;
        else
            r->kept_metrics[r->nkept++] = m;
    }
    r->row_capacity = r->nkept > 0 ? s->row_capacity : 0;
    r->open_capacity = 0;
    if ((s->flags & CM_TABLE_SLA_ATTAINMENT) && s->policy != NULL && s->as_of == CM_TABLE_NO_TIME)
        r->open_capacity = s->open_capacity > 0 ? s->open_capacity : TBL_OPEN_DEFAULT;
    r->latest = CM_TABLE_NO_TIME;
    return CM_OK;
}

/* Points the report's parts into its block and writes every byte once. */
static cm_status place(cm_table_report *r, uint8_t *block, const places *p, const cm_table_spec *s)
{
    r->tile = (tbl_tile *)(void *)(block + p->tile);
    r->acc = (tbl_acc *)(void *)(block + p->acc);
    r->sketches = r->nsketch > 0 ? (cm_sketch *)(void *)(block + p->sketches) : NULL;
    r->order = (uint32_t *)(void *)(block + p->order);
    r->results = (double *)(void *)(block + p->results);
    r->judged = (tbl_sla *)(void *)(block + p->judged);
    r->fingerprint = block + p->fingerprint;
    r->fingerprint_cap = fingerprint_size(r);
    r->levels = r->priority_key >= 0 ? block + p->levels : NULL;
    for (size_t k = 0; k < r->nkeys; k++) {
        r->keys[k].labels = (char *)(block + p->labels[k]);
        r->keys[k].index = (uint32_t *)(void *)(block + p->index[k]);
        r->remap[k] = (uint32_t *)(void *)(block + p->remap[k]);
    }
    r->slot_map = (uint32_t *)(void *)(block + p->slot_map);
    r->local_of = (uint16_t *)(void *)(block + p->local_of);
    memset(r->local_of, 0xFF, r->ngroups * sizeof *r->local_of);
    r->label_ptrs = (const char **)(void *)(block + p->label_ptrs);
    r->label_arena = (char *)(block + p->label_arena);
    for (size_t g = 0; g < r->ngroupings; g++) {
        tbl_grouping *gr = &r->groupings[g];
        gr->slot_key = gr->hashed ? (tbl_gkey *)(void *)(block + p->slot_key[g]) : NULL;
        gr->table = gr->hashed ? (uint32_t *)(void *)(block + p->table[g]) : NULL;
    }
    for (size_t m = 0; m < r->nkept; m++)
        r->kept_value[m] = (uint32_t *)(void *)(block + p->kept_value[m]);
    for (size_t g = 0; g < r->ngroupings; g++) {
        r->kept_slot[g] = r->nkept > 0 && !cm__single_slot(&r->groupings[g])
                              ? (uint32_t *)(void *)(block + p->kept_slot[g])
                              : NULL;
        r->open_slot[g] =
            r->open_capacity > 0 ? (uint32_t *)(void *)(block + p->open_slot[g]) : NULL;
    }
    r->select_scratch = r->nkept > 0 ? (uint32_t *)(void *)(block + p->select_scratch) : NULL;
    r->select_counts = r->nkept > 0 ? (uint64_t *)(void *)(block + p->select_counts) : NULL;
    r->open = r->open_capacity > 0 ? (tbl_open *)(void *)(block + p->open) : NULL;
    for (size_t c = 0; c < r->nclocks; c++)
        cm__clock_init(&r->clocks[c], r->clocks[c].cal,
                       (tbl_bday *)(void *)(block + p->clock_days[c]));
    if (r->zone.tz != NULL)
        cm__zone_init(&r->zone, r->zone.tz, (tbl_tzday *)(void *)(block + p->zone_days));
    /* Labels given by the spec; duplicates are an error. */
    for (size_t k = 0; k < r->nkeys; k++) {
        if (s->keys[k].labels == NULL)
            continue;
        for (uint32_t c = 0; c < s->keys[k].cardinality; c++) {
            const char *label = s->keys[k].labels[c];
            const size_t len = strlen(label);
            CM_REQUIRE(cm__table_find_label(r, k, label, len) < 0, CM_EINVAL);
            cm__table_add_label(r, k, label, len);
        }
    }
    if (r->levels != NULL) {
        const uint32_t card = r->keys[r->priority_key].cardinality;
        for (uint32_t c = 0; c < card; c++)
            r->levels[c] = s->priority_levels != NULL ? s->priority_levels[c] : (uint8_t)c;
    }
    return cm__table_fingerprint(r);
}

static void reset_accumulators(cm_table_report *r)
{
    const cm_table_spec *s = &r->spec;
    tbl_acc proto;
    memset(&proto, 0, sizeof proto);
    CM_CANNOT_FAIL(cm__table_surveys(s, &proto.csat, &proto.ces));
    CM_CANNOT_FAIL(
        cm_contact_init(&proto.contact, s->service_target_seconds, s->short_abandon_seconds));
    proto.first_created = CM_TABLE_NO_TIME;
    proto.last_created = CM_TABLE_NO_TIME;
    for (size_t m = 0; m < CM_TABLE_DURATION_COUNT; m++) {
        proto.dur[m].min = INT64_MAX;
        proto.dur[m].max = INT64_MIN;
    }
    for (size_t i = 0; i < r->ngroups; i++)
        r->acc[i] = proto;
    for (size_t i = 0; i < r->ngroups * r->nsketch; i++)
        CM_CANNOT_FAIL(cm_sketch_init(&r->sketches[i]));
    for (size_t g = 0; g < r->ngroupings; g++) {
        tbl_grouping *gr = &r->groupings[g];
        gr->used = 0;
        gr->last_slot = SIZE_MAX;
        if (gr->hashed)
            memset(gr->table, 0, (gr->table_mask + 1) * sizeof *gr->table);
    }
    r->kept = 0;
    r->nopen = 0;
    r->rows = 0;
    r->bad_rows = 0;
    r->bad_kept = 0;
    r->latest = CM_TABLE_NO_TIME;
    memset(r->seen, 0, sizeof r->seen);
    r->finished = false;
    r->broken = false;
}

cm_status cm_table_report_new(const cm_table_spec *spec, const cm_allocator *alloc,
                              cm_table_report **out)
{
    CM_REQUIRE(spec != NULL && out != NULL && cm__valid_allocator(alloc), CM_EINVAL);
    CM_TRY(check_spec(spec));
    /* Work out the sizes in a scratch report on the stack, then build the real one. */
    cm_table_report draft;
    memset(&draft, 0, sizeof draft);
    CM_TRY(setup(&draft, spec));
    layout l = {0, false};
    places p;
    memset(&p, 0, sizeof p);
    plan(&draft, &l, &p);
    CM_REQUIRE(!l.overflow, CM_EOVERFLOW);
    uint8_t *block = cm__alloc(alloc, l.size);
    CM_REQUIRE(block != NULL, CM_ENOMEM);
    memset(block, 0, l.size); /* every page written now, none during folding */
    cm_table_report *r = (cm_table_report *)(void *)(block + p.report);
    *r = draft;
    if (alloc != NULL) {
        r->alloc = *alloc;
        r->has_alloc = true;
    }
    const cm_status st = place(r, block, &p, spec);
    if (st != CM_OK) {
        cm__free(alloc, block);
        return st;
    }
    /* The spec's pointers are not kept: what they pointed to is copied. */
    r->spec.keys = NULL;
    r->spec.groupings = NULL;
    r->spec.quantiles = NULL;
    r->spec.priority_levels = NULL;
    r->spec.policy_calendars = NULL;
    reset_accumulators(r);
    prepare_tile(r);
    *out = r;
    return CM_OK;
}

void cm_table_report_free(cm_table_report *report)
{
    if (report == NULL)
        return;
    const cm_allocator a = report->alloc;
    cm__free(report->has_alloc ? &a : NULL, report); /* the report leads its block */
}

cm_status cm_table_report_reset(cm_table_report *report)
{
    CM_REQUIRE(report != NULL, CM_EINVAL);
    reset_accumulators(report);
    return CM_OK;
}

/* ---- labels ------------------------------------------------------------------- */

cm_status cm_table_report_intern(cm_table_report *report, size_t key, const char *label, size_t len,
                                 uint32_t *code)
{
    CM_REQUIRE(report != NULL && label != NULL && code != NULL, CM_EINVAL);
    CM_REQUIRE(key < report->nkeys && len >= 1 && len <= CM_TABLE_LABEL_MAX, CM_EINVAL);
    CM_REQUIRE(memchr(label, '\0', len) == NULL, CM_EINVAL);
    const int64_t found = cm__table_find_label(report, key, label, len);
    if (found >= 0) {
        *code = (uint32_t)found;
        return CM_OK;
    }
    CM_REQUIRE(report->keys[key].nlabels < report->keys[key].cardinality, CM_ENOSPC);
    *code = cm__table_add_label(report, key, label, len);
    return CM_OK;
}

const char *cm_table_report_label(const cm_table_report *report, size_t key, uint32_t code)
{
    if (report == NULL || key >= report->nkeys || code >= report->keys[key].nlabels)
        return NULL;
    return cm__table_label(report, key, code);
}

/* ---- folding -------------------------------------------------------------------------- */

cm_status cm_table_report_add(cm_table_report *report, const cm_table_columns *columns)
{
    CM_REQUIRE(report != NULL && columns != NULL, CM_EINVAL);
    CM_REQUIRE(columns->size == sizeof *columns && columns->reserved == 0, CM_EINVAL);
    for (size_t i = 0; i < 4; i++)
        CM_REQUIRE(columns->reserved1[i] == 0, CM_EINVAL);
    if (columns->rows == 0)
        return CM_OK;
    CM_REQUIRE(columns->created != NULL, CM_EINVAL);
    CM_REQUIRE(report->nkeys == 0 || columns->keys != NULL, CM_EINVAL);
    for (size_t k = 0; k < report->nkeys; k++)
        CM_REQUIRE(columns->keys[k] != NULL, CM_EINVAL);
    return cm__table_fold(report, columns);
}

static bool terminated(const char *s, size_t cap)
{
    return memchr(s, '\0', cap) != NULL;
}

cm_status cm_table_report_add_bad_row(cm_table_report *report, const cm_table_bad_row *bad)
{
    CM_REQUIRE(report != NULL && bad != NULL, CM_EINVAL);
    CM_REQUIRE(terminated(bad->column, sizeof bad->column) &&
                   terminated(bad->value, sizeof bad->value) &&
                   terminated(bad->expected, sizeof bad->expected),
               CM_EINVAL);
    CM_REQUIRE(report->rows < UINT64_MAX, CM_EOVERFLOW);
    report->rows++;
    report->bad_rows++;
    cm__table_keep_bad(report, bad);
    report->finished = false;
    return CM_OK;
}
