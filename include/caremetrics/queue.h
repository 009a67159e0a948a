/*
 * libcaremetrics — Erlang B / C / A queueing, staffing, workload and FTE.
 * SPDX-License-Identifier: MIT
 */
#ifndef CAREMETRICS_QUEUE_H
#define CAREMETRICS_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <caremetrics/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup queue Queue: Erlang B, C and A, staffing, workload and FTE
 * @brief Staffing math for real-time channels and workforce planning for all channels.
 *
 * A queue is described by its **traffic** `A` in Erlangs, the arrival rate
 * times the average handle time (AHT): 300 calls an hour with a 6-minute AHT
 * are `300 × 6 / 60 = 30` Erlangs. Times are `double` seconds; agents are
 * whole numbers `N`.
 *
 * - **Erlang B** (M/M/N/N): the probability that an arrival finds every agent
 *   busy when nobody may wait.
 * - **Erlang C** (M/M/N): every arrival waits as long as it takes. The
 *   probability of waiting `Pw`, the service level
 *   `SL(t) = 1 − Pw·e^{−(N−A)·t/AHT}`, the average speed of answer
 *   `ASA = Pw·AHT/(N−A)` and the occupancy `A/N`. The queue is only stable
 *   when `N > A`; otherwise these functions return ::CM_EUNSTABLE.
 * - **Erlang A** (M/M/N+M, Palm's model): callers hang up after an
 *   exponentially distributed patience. Always stable; gives the
 *   abandonment probability as well.
 * - **Workforce**: workload hours, scheduled hours with occupancy and
 *   shrinkage, shifts and FTE, and an interval-by-interval staffing plan.
 *
 * Everything is computed without factorials or powers: Erlang B by its
 * recursion on the number of agents, started a few `√A` agents below `A`
 * (where earlier terms no longer matter) and carried with a binary scale
 * factor, Erlang A through regularised incomplete gamma functions summed
 * around their largest term. Results agree with 50-digit references to
 * 1e-12 relative for traffic up to ::CM_ERLANG_MAX_TRAFFIC. The formulas and
 * their sources are in `docs/queue.md`.
 *
 * Nothing in this module allocates memory or keeps state between calls.
 *
 * @code
 * // 300 calls an hour, 6-minute AHT, 80 % answered within 20 s.
 * const double aht = 360.0, traffic = 300.0 * aht / 3600.0; // 30 Erlangs
 * uint32_t n;
 * if (cm_erlang_agents(traffic, aht, 0.80, 20.0, 1.0, &n) == CM_OK) {   // n = 36
 *     double sl, asa;
 *     if (cm_erlang_service_level(traffic, n, aht, 20.0, &sl) == CM_OK &&
 *         cm_erlang_asa(traffic, n, aht, &asa) == CM_OK)
 *         printf("%u agents: SL %.1f %%, ASA %.1f s\n", n, 100 * sl, asa);
 * }
 * @endcode
 * @{
 */

/** @file caremetrics/queue.h
 *  @brief Erlang B / C / A, staffing searches, workload, scheduled hours and FTE. */

/** Largest traffic, in Erlangs, accepted by the Erlang functions (a million agents' worth). */
#define CM_ERLANG_MAX_TRAFFIC 1e6

/** Largest ratio of mean patience to AHT accepted by the Erlang A functions. */
#define CM_ERLANG_A_MAX_PATIENCE_RATIO 1e4

/** Largest average handle time, in seconds, accepted by the Erlang functions (about 31 years). */
#define CM_ERLANG_MAX_AHT_SECONDS 1e9

/* ------------------------------------------------------------------------ */
/* Erlang B and C                                                            */
/* ------------------------------------------------------------------------ */

/**
 * Erlang B: probability that an arrival finds all @p agents busy when nobody waits.
 *
 * `B(N, A) = (A^N/N!) / Σ_{k=0..N} A^k/k!`, evaluated by the recursion
 * `B(0) = 1`, `B(n) = A·B(n−1) / (n + A·B(n−1))` in its reciprocal form.
 * Defined for any @p agents, including 0 (`B = 1`) and `N <= A`.
 * A result below the smallest normal double (about 2.2e-308) carries fewer
 * digits and may be 0.
 *
 * @param traffic offered traffic in Erlangs, 0..::CM_ERLANG_MAX_TRAFFIC.
 * @param agents number of agents N.
 * @param[out] p the blocking probability, in [0, 1].
 * @retval CM_OK success.
 * @retval CM_EINVAL @p p is NULL, or @p traffic is NaN, infinite or negative.
 * @retval CM_ERANGE @p traffic exceeds ::CM_ERLANG_MAX_TRAFFIC.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_erlang_b(double traffic, uint32_t agents, double *p);

/**
 * Erlang C: probability that an arrival has to wait, `Pw = N·B / (N − A·(1 − B))`.
 *
 * @param traffic offered traffic in Erlangs, 0..::CM_ERLANG_MAX_TRAFFIC.
 * @param agents number of agents N; the queue must be stable, `N > A`.
 * @param[out] pw the probability of waiting, in [0, 1].
 * @retval CM_OK success.
 * @retval CM_EINVAL @p pw is NULL, or @p traffic is NaN, infinite or negative.
 * @retval CM_ERANGE @p traffic exceeds ::CM_ERLANG_MAX_TRAFFIC.
 * @retval CM_EUNSTABLE `N <= A`: the queue grows without bound.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_erlang_c(double traffic, uint32_t agents, double *pw);

/**
 * Erlang C service level: share of arrivals answered within @p target_seconds.
 *
 * `SL = 1 − Pw·e^{−(N−A)·t/AHT}` with `Pw` from cm_erlang_c(). Evaluated
 * as `(1 − Pw) + Pw·(1 − e^{−(N−A)·t/AHT})`, a sum of non-negative terms.
 *
 * @param traffic offered traffic in Erlangs, 0..::CM_ERLANG_MAX_TRAFFIC.
 * @param agents number of agents N; the queue must be stable, `N > A`.
 * @param aht_seconds average handle time in seconds; > 0 and at most ::CM_ERLANG_MAX_AHT_SECONDS.
 * @param target_seconds the answer-time target t in seconds (20 in "80/20"); >= 0.
 * @param[out] sl the service level, in [0, 1].
 * @retval CM_OK success.
 * @retval CM_EINVAL @p sl is NULL, an argument is NaN or infinite, @p traffic or
 *         @p target_seconds is negative, or @p aht_seconds is not positive.
 * @retval CM_ERANGE @p traffic or @p aht_seconds is above its limit.
 * @retval CM_EUNSTABLE `N <= A`.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_erlang_service_level(double traffic, uint32_t agents,
                                                      double aht_seconds, double target_seconds,
                                                      double *sl);

/**
 * Erlang C average speed of answer: mean wait over all arrivals, `Pw·AHT / (N − A)`.
 *
 * @param traffic offered traffic in Erlangs, 0..::CM_ERLANG_MAX_TRAFFIC.
 * @param agents number of agents N; the queue must be stable, `N > A`.
 * @param aht_seconds average handle time in seconds; > 0 and at most ::CM_ERLANG_MAX_AHT_SECONDS.
 * @param[out] asa_seconds the average speed of answer, in seconds.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p asa_seconds is NULL, an argument is NaN or infinite,
 *         @p traffic is negative or @p aht_seconds is not positive.
 * @retval CM_ERANGE @p traffic or @p aht_seconds is above its limit.
 * @retval CM_EUNSTABLE `N <= A`.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_erlang_asa(double traffic, uint32_t agents, double aht_seconds,
                                            double *asa_seconds);

/**
 * Erlang C occupancy: share of the agents' time spent handling contacts, `A / N`.
 *
 * @param traffic offered traffic in Erlangs, 0..::CM_ERLANG_MAX_TRAFFIC.
 * @param agents number of agents N; the queue must be stable, `N > A`.
 * @param[out] occupancy the occupancy, in [0, 1).
 * @retval CM_OK success.
 * @retval CM_EINVAL @p occupancy is NULL, or @p traffic is NaN, infinite or negative.
 * @retval CM_ERANGE @p traffic exceeds ::CM_ERLANG_MAX_TRAFFIC.
 * @retval CM_EUNSTABLE `N <= A`.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_erlang_occupancy(double traffic, uint32_t agents,
                                                  double *occupancy);

/**
 * Minimum agents for an Erlang C service-level target and an occupancy cap.
 *
 * The smallest `N > A` with `SL(N) >= target_sl` (cm_erlang_service_level())
 * and `A/N <= max_occupancy`. The search starts at the square-root-staffing
 * estimate `A + β·√A` (Halfin–Whitt) and moves one agent at a time, carrying
 * the Erlang B recursion along instead of restarting it for each candidate.
 * Zero traffic needs zero agents.
 *
 * @param traffic offered traffic in Erlangs, 0..::CM_ERLANG_MAX_TRAFFIC.
 * @param aht_seconds average handle time in seconds; > 0 and at most ::CM_ERLANG_MAX_AHT_SECONDS.
 * @param target_sl the service-level target, in (0, 1) (0.8 for "80/20").
 * @param target_seconds the answer-time target in seconds (20 for "80/20"); >= 0.
 * @param max_occupancy the occupancy cap, in (0, 1]; 1 means no cap.
 * @param[out] agents the number of agents.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p agents is NULL, an argument is NaN or infinite, or one is
 *         outside its range.
 * @retval CM_ERANGE @p traffic or @p aht_seconds is above its limit.
 * @retval CM_EOVERFLOW the occupancy cap needs more than `UINT32_MAX` agents.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_erlang_agents(double traffic, double aht_seconds, double target_sl,
                                               double target_seconds, double max_occupancy,
                                               uint32_t *agents);

/**
 * Minimum agents for an Erlang C average-speed-of-answer target and an occupancy cap.
 *
 * The smallest `N > A` with `ASA(N) <= target_asa_seconds`
 * (cm_erlang_asa()) and `A/N <= max_occupancy`, searched like
 * cm_erlang_agents(). Zero traffic needs zero agents.
 *
 * @param traffic offered traffic in Erlangs, 0..::CM_ERLANG_MAX_TRAFFIC.
 * @param aht_seconds average handle time in seconds; > 0 and at most ::CM_ERLANG_MAX_AHT_SECONDS.
 * @param target_asa_seconds the longest acceptable ASA in seconds; > 0.
 * @param max_occupancy the occupancy cap, in (0, 1]; 1 means no cap.
 * @param[out] agents the number of agents.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p agents is NULL, an argument is NaN or infinite, or one is
 *         outside its range.
 * @retval CM_ERANGE @p traffic or @p aht_seconds is above its limit.
 * @retval CM_EOVERFLOW the occupancy cap needs more than `UINT32_MAX` agents.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_erlang_agents_asa(double traffic, double aht_seconds,
                                                   double target_asa_seconds, double max_occupancy,
                                                   uint32_t *agents);

/* ------------------------------------------------------------------------ */
/* Erlang A                                                                  */
/* ------------------------------------------------------------------------ */

/**
 * Performance of an Erlang A queue (M/M/N+M), filled by cm_erlang_a().
 *
 * Probabilities are per arrival. Each arrival is answered or abandons;
 * "within t" means after a wait of at most the target time t. The
 * service-level variants of the contact module follow from these fields
 * (see `docs/queue.md`): for example "answered only" is
 * `p_answered_within / (1 − p_abandon)` and "abandons before T count as met"
 * is `p_answered_within + p_abandoned_within`.
 */
typedef struct cm_erlang_a_result {
    double p_wait;             /**< Probability that an arrival finds every agent busy. */
    double p_abandon;          /**< Probability that an arrival abandons. */
    double service_level;      /**< Probability that an arrival is answered within t
                                    (abandons count against the target). */
    double p_abandoned_within; /**< Probability that an arrival abandons within t. */
    double asa_seconds;        /**< Mean wait of the answered arrivals, in seconds. */
    double mean_wait_seconds;  /**< Mean wait of all arrivals, answered or not, in seconds. */
    double occupancy;          /**< Agents' utilisation: `A·(1 − p_abandon)/N`. */
} cm_erlang_a_result;

/**
 * Erlang A (Palm's M/M/N+M queue): waiting, abandonment, service level and ASA.
 *
 * Arrivals are Poisson, handle times exponential with mean @p aht_seconds,
 * and each waiting caller hangs up after an exponential patience with mean
 * @p patience_seconds unless answered first. The formulas (Mandelbaum &
 * Zeltyn; Garnett, Mandelbaum & Reiman 2002) reduce to regularised
 * incomplete gamma functions and are given in `docs/queue.md`. Unlike Erlang
 * C, the model is stable for every N; as the patience grows it tends to
 * Erlang C when `N > A`.
 *
 * The cost grows with the square root of `A·patience/AHT` (the expected
 * number of arrivals during one mean patience).
 *
 * @param traffic offered traffic in Erlangs, 0..::CM_ERLANG_MAX_TRAFFIC.
 * @param agents number of agents N; >= 1.
 * @param aht_seconds average handle time in seconds; > 0 and at most ::CM_ERLANG_MAX_AHT_SECONDS.
 * @param patience_seconds mean time a caller is willing to wait, in seconds;
 *        > 0 and at most ::CM_ERLANG_A_MAX_PATIENCE_RATIO × @p aht_seconds.
 * @param target_seconds the answer-time target t in seconds; >= 0.
 * @param[out] out the performance measures.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p out is NULL, an argument is NaN or infinite, @p traffic or
 *         @p target_seconds is negative, @p aht_seconds or @p patience_seconds is
 *         not positive, or @p agents is 0.
 * @retval CM_ERANGE @p traffic or @p aht_seconds is above its limit, or the patience
 *         exceeds ::CM_ERLANG_A_MAX_PATIENCE_RATIO handle times.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_erlang_a(double traffic, uint32_t agents, double aht_seconds,
                                          double patience_seconds, double target_seconds,
                                          cm_erlang_a_result *out);

/**
 * Minimum agents for an Erlang A service level, abandonment cap and occupancy cap.
 *
 * The smallest `N >= 1` whose cm_erlang_a() result has
 * `service_level >= target_sl`, `p_abandon <= max_abandon` and
 * `occupancy <= max_occupancy`. Each measure is monotone in N; the search
 * gallops from `N = ⌈A⌉` and then bisects. Zero traffic needs zero agents.
 *
 * @param traffic offered traffic in Erlangs, 0..::CM_ERLANG_MAX_TRAFFIC.
 * @param aht_seconds average handle time in seconds; > 0 and at most ::CM_ERLANG_MAX_AHT_SECONDS.
 * @param patience_seconds mean patience in seconds; > 0 and at most
 *        ::CM_ERLANG_A_MAX_PATIENCE_RATIO × @p aht_seconds.
 * @param target_sl the service-level target (answered within t over all arrivals), in (0, 1).
 * @param target_seconds the answer-time target t in seconds; >= 0.
 * @param max_abandon the abandonment cap, in (0, 1]; 1 means no cap.
 * @param max_occupancy the occupancy cap, in (0, 1]; 1 means no cap.
 * @param[out] agents the number of agents.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p agents is NULL, an argument is NaN or infinite, or one is
 *         outside its range.
 * @retval CM_ERANGE @p traffic, @p aht_seconds or the patience is above its limit.
 * @retval CM_EOVERFLOW the targets need more than `UINT32_MAX` agents.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_erlang_a_agents(double traffic, double aht_seconds,
                                                 double patience_seconds, double target_sl,
                                                 double target_seconds, double max_abandon,
                                                 double max_occupancy, uint32_t *agents);

/* ------------------------------------------------------------------------ */
/* Workforce                                                                 */
/* ------------------------------------------------------------------------ */

/**
 * Workload in hours: `Σ contacts[i] × aht_seconds[i] / 3600`.
 *
 * One entry per channel (or per contact type): email, chat and phone volumes
 * with their own handle times. Volumes may be fractional (forecasts).
 *
 * @param contacts number of contacts per entry, each finite and >= 0.
 * @param aht_seconds average handle time per entry in seconds, each finite and > 0.
 * @param n number of entries; the arrays may be NULL when @p n is 0.
 * @param[out] hours the workload in hours.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or an entry is NaN, infinite or out of range.
 * @retval CM_EOVERFLOW the sum is not a finite double.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_workload_hours(const double *contacts, const double *aht_seconds,
                                                size_t n, double *hours);

/** Scheduled hours, shifts and FTE for a workload, filled by cm_workforce_plan(). */
typedef struct cm_workforce {
    double workload_hours;  /**< The workload given, in hours. */
    double scheduled_hours; /**< `workload / occupancy / (1 − shrinkage)`, in hours. */
    double shifts;          /**< `scheduled_hours / shift_hours`. */
    double fte;             /**< `shifts / days`: agents needed on an average day. */
} cm_workforce;

/**
 * Scheduled hours, shifts and full-time equivalents for a workload.
 *
 * Occupancy is the share of on-queue time spent handling contacts; shrinkage
 * is the share of paid time not available for contacts (meetings, training,
 * leave). 1,233.3 workload hours at 85 % occupancy and 30 % shrinkage are
 * 2,072.8 scheduled hours, 259.1 eight-hour shifts, 11.8 FTE over 22 days.
 *
 * @param workload_hours the workload in hours (see cm_workload_hours()); finite and >= 0.
 * @param occupancy target occupancy, in (0, 1].
 * @param shrinkage shrinkage, in [0, 1).
 * @param shift_hours paid hours of one shift; finite and > 0.
 * @param days working days the shifts are spread over; finite and > 0.
 * @param[out] out the plan.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p out is NULL, or an argument is NaN, infinite or out of range.
 * @retval CM_EOVERFLOW a result is not a finite double.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_workforce_plan(double workload_hours, double occupancy,
                                                double shrinkage, double shift_hours, double days,
                                                cm_workforce *out);

/** Staffing of one forecast interval, filled by cm_staffing_plan(). */
typedef struct cm_interval_staffing {
    double traffic;       /**< Offered traffic in Erlangs: volume × AHT / interval length. */
    uint32_t agents;      /**< Agents on queue (cm_erlang_agents()); 0 when the volume is 0. */
    double service_level; /**< Erlang C service level with that many agents (1 when idle). */
    double asa_seconds;   /**< Erlang C average speed of answer in seconds (0 when idle). */
    double occupancy;     /**< `traffic / agents` (0 when idle). */
} cm_interval_staffing;

/**
 * Erlang C staffing plan: agents and expected service for each forecast interval.
 *
 * For interval i the traffic is `volumes[i] × aht_seconds[i] / interval_seconds`
 * and the agents are cm_erlang_agents() of it. All or nothing: every input
 * is checked before anything is written.
 *
 * @param volumes forecast contacts per interval, each finite and >= 0.
 * @param aht_seconds average handle time per interval in seconds, each > 0 and at most
 *        ::CM_ERLANG_MAX_AHT_SECONDS.
 * @param n number of intervals; the arrays may be NULL when @p n is 0.
 * @param interval_seconds length of every interval in seconds (1800 for half hours); > 0.
 * @param target_sl the service-level target, in (0, 1).
 * @param target_seconds the answer-time target in seconds; >= 0.
 * @param max_occupancy the occupancy cap, in (0, 1].
 * @param[out] out @p n entries, one per interval.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, or an argument or entry is NaN, infinite or
 *         out of range.
 * @retval CM_ERANGE an interval's traffic exceeds ::CM_ERLANG_MAX_TRAFFIC or its AHT
 *         ::CM_ERLANG_MAX_AHT_SECONDS.
 * @retval CM_EOVERFLOW an interval needs more than `UINT32_MAX` agents.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_staffing_plan(const double *volumes, const double *aht_seconds,
                                               size_t n, double interval_seconds, double target_sl,
                                               double target_seconds, double max_occupancy,
                                               cm_interval_staffing *out);

/* ------------------------------------------------------------------------ */
/* ABI queries for bindings                                                 */
/* ------------------------------------------------------------------------ */

/**
 * Size of a queue struct in this build of the library, for bindings that mirror the structs.
 *
 * @param name one of `"cm_erlang_a_result"`, `"cm_workforce"`, `"cm_interval_staffing"`.
 * @return the size in bytes, or 0 for an unknown name or NULL.
 * @since 0.1
 */
CM_API size_t cm_queue_sizeof(const char *name);

/**
 * Value of a queue macro in this build of the library, for bindings that cannot read macros.
 *
 * @param name `"CM_ERLANG_MAX_TRAFFIC"`, `"CM_ERLANG_MAX_AHT_SECONDS"` or
 *        `"CM_ERLANG_A_MAX_PATIENCE_RATIO"`.
 * @param[out] out the value.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_ENOTFOUND no queue macro has that name.
 * @since 0.1
 */
CM_API CM_NODISCARD cm_status cm_queue_constant(const char *name, double *out);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CAREMETRICS_QUEUE_H */
