/*
 * libcaremetrics — workforce forecasting: interval histories, seasonal forecasts,
 * accuracy and backtests, staffing from forecasts.
 * SPDX-License-Identifier: MIT
 */
#ifndef CAREMETRICS_FORECAST_H
#define CAREMETRICS_FORECAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <caremetrics/common.h>
#include <caremetrics/calendar.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @defgroup forecast Forecast: interval histories, forecasts, accuracy and staffing
 * @brief Arrival forecasts per channel and interval, their accuracy, and the agents they need.
 *
 * The pipeline, from ticket or call instants to agents per interval:
 *
 * 1. cm_forecast_intervals() lays out the intervals of local time (say 30
 *    minutes) of a range of dates in a calendar's time zone. A day on which
 *    the clocks spring forward has 23 hours of intervals, one on which they
 *    fall back 25; each interval carries its real length and how much of it
 *    the calendar is open.
 * 2. cm_forecast_history_add() counts arrivals (and sums handle times) per
 *    channel into those intervals.
 * 3. cm_forecast_to_grid() maps the intervals onto a regular grid of
 *    `days × slots_per_day` wall-clock slots, the series every method works
 *    on, marking each slot observed, closed (the calendar is shut: a holiday,
 *    a closed weekday, the night) or missing (the hour the clocks skip).
 * 4. A ::cm_forecast_model chooses a method — seasonal naive, the mean or
 *    median of the last weeks, Holt-Winters on daily totals with an intraday
 *    profile, or Taylor's double-seasonal Holt-Winters — and
 *    cm_forecast_fit() / cm_forecast_predict() fit it and forecast the next
 *    slots, with prediction intervals where the method defines them. Closed
 *    slots are left out of the fit and forecast as zero.
 * 5. cm_forecast_evaluate() and cm_forecast_backtest() measure forecasts
 *    (MAE, RMSE, wMAPE, MASE, bias) and pick the best of several models by a
 *    rolling-origin backtest over the last weeks.
 * 6. cm_forecast_from_grid() turns the forecast back into real intervals and
 *    cm_forecast_staffing_plan() gives the agents each needs (Erlang C,
 *    Erlang A or workload, with chat concurrency), the peak and the FTE.
 *
 * The series are `double` arrays of non-negative, finite values (arrival
 * counts, or any other non-negative quantity), whole days long and starting
 * at a day's first slot; a week is 7 days, so the weekly season of a series
 * is `7 × slots_per_day` slots, counted from its first day. The states of
 * the slots are `uint8_t` arrays of ::cm_forecast_state values; a NULL state
 * array means every slot is observed.
 *
 * Nothing here allocates memory. The fitting and forecasting functions work
 * in a caller's workspace whose size cm_forecast_workspace_size() and
 * cm_forecast_backtest_workspace_size() give; every function is re-entrant
 * and thread-safe. Formulas, initial states, the optimiser, the prediction
 * intervals and the chat model are written out in `docs/forecast.md`.
 *
 * @code
 * // 8 weeks of 30-minute history, a forecast of the next 7 days.
 * cm_forecast_model m;
 * cm_status st = cm_forecast_model_default(CM_FORECAST_TAYLOR, 48, &m);
 * size_t bytes;
 * st = cm_forecast_workspace_size(&m, 56 * 48, 7 * 48, &bytes);
 * void *work = malloc(bytes);
 * double point[7 * 48], lo[7 * 48], hi[7 * 48];
 * st = cm_forecast_predict(&m, y, state, 56 * 48, NULL, NULL, 7 * 48, 0.95,
 *                          work, bytes, point, lo, hi);
 * free(work);
 * @endcode
 * @{
 */

/** @file caremetrics/forecast.h
 *  @brief Interval histories, forecasting methods, accuracy, backtests and staffing from forecasts. */

/** Most weeks a weekly mean or median, or a Holt-Winters intraday profile, may look back. */
#define CM_FORECAST_MAX_WEEKS 104

/** Most contacts one agent may handle at once (cm_forecast_staffing_options::concurrency). */
#define CM_FORECAST_MAX_CONCURRENCY 64

/** Objective evaluations the optimiser may spend per fitted parameter. */
#define CM_FORECAST_EVALUATIONS_PER_PARAMETER 200

/** Handle time meaning "not known" in cm_forecast_history_add(). */
#define CM_FORECAST_HANDLE_UNKNOWN (-1.0)

/* ------------------------------------------------------------------------ */
/* Interval histories                                                       */
/* ------------------------------------------------------------------------ */

/** State of one slot of a series. Stored in `uint8_t` arrays. */
typedef enum cm_forecast_state {
    CM_FORECAST_OBSERVED = 0, /**< An ordinary slot: fitted on and forecast. */
    CM_FORECAST_CLOSED = 1,   /**< The calendar is closed: left out of fits, forecast as 0. */
    CM_FORECAST_MISSING = 2   /**< No data (a wall-clock slot the clocks skip): left out of fits,
                                   forecast as usual. */
} cm_forecast_state;

/** One interval of local time, as laid out by cm_forecast_intervals(). */
typedef struct cm_forecast_interval {
    cm_time start;        /**< First instant of the interval. */
    int32_t seconds;      /**< Real length in seconds: the interval length, except around a
                               change of UTC offset. */
    int32_t open_seconds; /**< Seconds of the interval during which the calendar is open. */
    uint32_t day;         /**< Index of the local date, from 0 for the first date. */
    uint32_t slot;        /**< Wall-clock slot: the local time of day of `start` divided by the
                               interval length (0 is the slot starting at midnight). */
} cm_forecast_interval;

/**
 * Lays out the intervals of local time of a range of dates in a calendar's time zone.
 *
 * The dates run from @p year-@p month-@p day for @p days days. Each date is
 * cut at the instants whose local wall-clock time is a multiple of
 * @p interval_minutes, from its midnight to the next (midnights converted
 * with the compatible rule of cm_tz_from_local()). On a day the clocks
 * spring forward from 02:00 to 03:00, the 30-minute slots 02:00 and 02:30 do
 * not exist and the day has 46 intervals; on a day they fall back from 02:00
 * to 01:00, the slots 01:00 and 01:30 occur twice and the day has 50. An
 * offset change that is not a multiple of the interval gives one interval of
 * another length (`seconds`). `open_seconds` is cm_calendar_elapsed() over
 * the interval.
 *
 * Call with @p cap 0 to learn the count: the function then returns
 * ::CM_ENOSPC and writes only @p n.
 *
 * @param cal the calendar: its time zone cuts the days, its hours give `open_seconds`.
 * @param year year of the first date, 1..9999.
 * @param month month of the first date, 1..12.
 * @param day day of the month of the first date.
 * @param days number of dates; the last one must end before year 10000.
 * @param interval_minutes interval length in minutes; it must divide a day (1440) evenly.
 * @param[out] out the intervals, in time order.
 * @param cap capacity of @p out in intervals; @p out may be NULL when it is 0.
 * @param[out] n the number of intervals (written on ::CM_OK and ::CM_ENOSPC).
 * @retval CM_OK success.
 * @retval CM_EINVAL @p cal or @p n is NULL, @p out is NULL with @p cap > 0, or
 *         @p interval_minutes is 0 or does not divide 1440.
 * @retval CM_ERANGE the date does not exist or the range leaves the years 1..9999.
 * @retval CM_ENOSPC @p cap is smaller than the number of intervals; @p n says how many.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_forecast_intervals(const cm_calendar *cal, int32_t year,
                                                    int32_t month, int32_t day, uint32_t days,
                                                    uint32_t interval_minutes,
                                                    cm_forecast_interval *out, size_t cap,
                                                    size_t *n);

/**
 * Adds arrivals, and their handle times, to per-channel interval counts.
 *
 * Row r arrives at `created[r]` on channel `channel[r]` (0 when @p channel
 * is NULL) and is counted into the interval containing it: `arrivals[c ×
 * n_intervals + i] += 1`. A row with a known handle time also adds it to
 * `handle_sum[...]` and 1 to `handled[...]`, so the mean handle time of an
 * interval is their quotient. Rows before the first interval or after the
 * last are skipped (@p counted tells how many were counted). The counts are
 * added to what the arrays hold, so a history can be read in chunks and
 * partial counts merged by adding arrays. All or nothing: every row is
 * checked before anything is added.
 *
 * @param iv the intervals (from cm_forecast_intervals()): contiguous, in time order.
 * @param n_intervals number of intervals; >= 1.
 * @param created arrival instants, @p n_rows of them, in any order.
 * @param channel channel index of each row, each < @p channels; NULL puts every row in channel 0.
 * @param handle_seconds handle time of each row in seconds, finite and >= 0, or
 *        ::CM_FORECAST_HANDLE_UNKNOWN; NULL when no handle times are known.
 * @param n_rows number of rows; the row arrays may be NULL when it is 0.
 * @param channels number of channels; >= 1.
 * @param[in,out] arrivals `channels × n_intervals` counts, channel-major.
 * @param[in,out] handle_sum `channels × n_intervals` sums of handle seconds; may be NULL
 *        (with @p handled) when @p handle_seconds is NULL.
 * @param[in,out] handled `channels × n_intervals` counts of rows with a handle time; NULL
 *        exactly when @p handle_sum is.
 * @param[out] counted number of rows that fell inside the intervals; may be NULL.
 * @retval CM_OK success.
 * @retval CM_EINVAL a required pointer is NULL, @p n_intervals or @p channels is 0, the
 *         intervals are not contiguous and increasing, or a handle time is NaN, infinite
 *         or negative (other than ::CM_FORECAST_HANDLE_UNKNOWN).
 * @retval CM_ERANGE a channel index is @p channels or more.
 * @retval CM_EOVERFLOW `channels × n_intervals` does not fit a `size_t`.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_forecast_history_add(
    const cm_forecast_interval *iv, size_t n_intervals, const cm_time *created,
    const uint32_t *channel, const double *handle_seconds, size_t n_rows, uint32_t channels,
    double *arrivals, double *handle_sum, double *handled, uint64_t *counted);

/**
 * Maps per-interval values onto the regular grid of wall-clock slots the methods work on.
 *
 * Slot `d × slots_per_day + s` gathers the intervals of day d whose `slot`
 * is s, as a rate: `Σ values × L / Σ seconds` with L the slot length
 * `86400 / slots_per_day`. An ordinary interval is copied unchanged; the
 * two occurrences of a slot on the day the clocks fall back are averaged; a
 * slot the clocks skip has no interval and is ::CM_FORECAST_MISSING (value
 * 0). A slot whose intervals are all closed (`open_seconds` 0) is
 * ::CM_FORECAST_CLOSED, any other is ::CM_FORECAST_OBSERVED.
 *
 * @param iv the intervals; each `day` < @p days and `slot` < @p slots_per_day.
 * @param n_intervals number of intervals.
 * @param values one value per interval, finite and >= 0 (such as a channel's row of
 *        cm_forecast_history_add() counts); may be NULL when @p grid is NULL.
 * @param days days of the grid.
 * @param slots_per_day slots per day; it must divide 86400 evenly.
 * @param[out] grid `days × slots_per_day` values; may be NULL (only the states are wanted).
 * @param[out] state `days × slots_per_day` ::cm_forecast_state values; may be NULL.
 * @retval CM_OK success.
 * @retval CM_EINVAL a required pointer is NULL, @p slots_per_day is 0 or does not divide
 *         86400, an interval lies outside the grid or has a non-positive length or an open
 *         time outside `[0, seconds]`, or a value is NaN, infinite or negative.
 * @retval CM_EOVERFLOW `days × slots_per_day` does not fit a `size_t`.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_forecast_to_grid(const cm_forecast_interval *iv,
                                                  size_t n_intervals, const double *values,
                                                  uint32_t days, uint32_t slots_per_day,
                                                  double *grid, uint8_t *state);

/**
 * Reads grid slots back into real intervals (the inverse of cm_forecast_to_grid()).
 *
 * With @p volumes true the grid holds volumes per slot length L and interval
 * i gets `grid[slot] × seconds / L`, or 0 when it is closed: the right
 * conversion for forecast arrivals. With @p volumes false each interval
 * gets its slot's value unchanged (for handle times and other quantities
 * that do not scale with the interval's length).
 *
 * @param iv the intervals; each `day` < @p days and `slot` < @p slots_per_day.
 * @param n_intervals number of intervals.
 * @param grid `days × slots_per_day` values, finite.
 * @param days days of the grid.
 * @param slots_per_day slots per day; it must divide 86400 evenly.
 * @param volumes true to scale by interval length and zero closed intervals.
 * @param[out] values one value per interval.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL (with @p n_intervals > 0), @p slots_per_day is 0 or
 *         does not divide 86400, an interval lies outside the grid or has a non-positive
 *         length, or a grid value it reads is NaN or infinite.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_forecast_from_grid(const cm_forecast_interval *iv,
                                                    size_t n_intervals, const double *grid,
                                                    uint32_t days, uint32_t slots_per_day,
                                                    bool volumes, double *values);

/**
 * Average handle time per future slot, from handle-time sums and counts on the grid.
 *
 * For each slot of the next @p horizon, the handle seconds of the same
 * weekday and slot over the last @p weeks weeks divided by the number of
 * contacts they cover; a slot with no handled contact in those weeks takes
 * the average over every slot of those weeks. Closed and missing slots are
 * left out.
 *
 * @param handle_sum grid of handle-second sums (cm_forecast_to_grid() of the sums).
 * @param handled grid of handled-contact counts, on the same grid.
 * @param state slot states; NULL means all observed.
 * @param n slots in the grids: whole days, at least one week.
 * @param slots_per_day slots per day; it must divide 86400 evenly.
 * @param weeks weeks to look back, 1..::CM_FORECAST_MAX_WEEKS (fewer when the grid is shorter).
 * @param horizon slots to fill, continuing the grid's days and weekdays.
 * @param[out] aht_seconds @p horizon average handle times in seconds.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, a value is NaN, infinite or negative, a state is not
 *         a ::cm_forecast_state, @p slots_per_day does not divide 86400, @p n is not whole
 *         days, or @p weeks is out of range.
 * @retval CM_ENODATA the grid is shorter than a week, or no contact of the last weeks has a
 *         handle time.
 * @retval CM_EOVERFLOW the handle seconds of the last weeks add up to more than a double holds.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_forecast_aht(const double *handle_sum, const double *handled,
                                              const uint8_t *state, size_t n,
                                              uint32_t slots_per_day, uint32_t weeks,
                                              size_t horizon, double *aht_seconds);

/* ------------------------------------------------------------------------ */
/* Models                                                                   */
/* ------------------------------------------------------------------------ */

/** Forecasting method of a ::cm_forecast_model. */
typedef enum cm_forecast_method {
    /** The same slot one week earlier (repeated for horizons past a week). */
    CM_FORECAST_SEASONAL_NAIVE = 1,
    /** Mean of the same weekday and slot over the last `weeks` weeks. */
    CM_FORECAST_WEEKLY_MEAN = 2,
    /** Median of the same weekday and slot over the last `weeks` weeks. */
    CM_FORECAST_WEEKLY_MEDIAN = 3,
    /** Holt-Winters on daily totals with a weekly season, spread over the slots by an
     *  intraday profile of the last `weeks` weeks. */
    CM_FORECAST_HOLT_WINTERS = 4,
    /** Taylor's double-seasonal Holt-Winters on the slots (intraday and intraweek
     *  seasons, additive, with an AR(1) adjustment of the one-step error). */
    CM_FORECAST_TAYLOR = 5
} cm_forecast_method;

/** Trend component of the smoothing methods. */
typedef enum cm_forecast_trend {
    CM_FORECAST_TREND_NONE = 0,     /**< No trend: the level alone. */
    CM_FORECAST_TREND_ADDITIVE = 1, /**< Additive (linear) trend. */
    CM_FORECAST_TREND_DAMPED = 2    /**< Additive trend damped by `phi` each step. */
} cm_forecast_trend;

/** Seasonal form of Holt-Winters (Taylor's method is additive only). */
typedef enum cm_forecast_seasonality {
    CM_FORECAST_SEASON_ADDITIVE = 0,      /**< `level + trend + season`. */
    CM_FORECAST_SEASON_MULTIPLICATIVE = 1 /**< `(level + trend) × season`. */
} cm_forecast_seasonality;

/** @name Parameter bits of cm_forecast_model::fit
 *  @{ */
#define CM_FORECAST_ALPHA  0x01u /**< Fit the level smoothing parameter. */
#define CM_FORECAST_BETA   0x02u /**< Fit the trend smoothing parameter. */
#define CM_FORECAST_GAMMA  0x04u /**< Fit the (intraday for Taylor) season smoothing parameter. */
#define CM_FORECAST_OMEGA  0x08u /**< Fit Taylor's intraweek season smoothing parameter. */
#define CM_FORECAST_PHI    0x10u /**< Fit the trend damping factor. */
#define CM_FORECAST_LAMBDA 0x20u /**< Fit Taylor's AR(1) error adjustment. */
/** Fit every parameter the model uses (bits of unused parameters are ignored). */
#define CM_FORECAST_FIT_ALL 0x3Fu
/** @} */

/** Smoothing parameters. Each method reads the ones it uses; the others are ignored. */
typedef struct cm_forecast_params {
    double alpha;  /**< Level smoothing, in [0, 1]. */
    double beta;   /**< Trend smoothing, in [0, 1] (with a trend). */
    double gamma;  /**< Season smoothing, in [0, 1]: the weekly season of Holt-Winters, the
                        intraday season of Taylor's method. */
    double omega;  /**< Taylor's intraweek season smoothing, in [0, 1]. */
    double phi;    /**< Trend damping, in (0, 1] (damped trend only). */
    double lambda; /**< Taylor's AR(1) coefficient of the one-step error, in (-1, 1); 0 turns
                        the adjustment off. */
} cm_forecast_params;

/** A forecasting model: method, season structure and parameters. */
typedef struct cm_forecast_model {
    cm_forecast_method method;           /**< The method. */
    uint32_t slots_per_day;              /**< Slots per day of the series (48 for 30 minutes); it
                                              must divide 86400. */
    uint32_t weeks;                      /**< Weeks to look back: the K of the weekly mean and
                                              median, the weeks of the Holt-Winters intraday
                                              profile; 1..::CM_FORECAST_MAX_WEEKS. Ignored by the
                                              other methods. */
    cm_forecast_trend trend;             /**< Trend (Holt-Winters and Taylor). */
    cm_forecast_seasonality seasonality; /**< Seasonal form (Holt-Winters). */
    uint32_t fit;                        /**< Parameters to fit (CM_FORECAST_ALPHA | ...); the
                                              others are used as given. 0 fixes them all. */
    cm_forecast_params params;           /**< Fixed parameter values. */
} cm_forecast_model;

/** A fitted model and how well it fits, filled by cm_forecast_fit(). */
typedef struct cm_forecast_fit_result {
    cm_forecast_model model; /**< The model with its fitted parameters and `fit` 0, ready for
                                  cm_forecast_predict(). */
    double sse;              /**< Sum of squared one-step errors over the observed points. */
    double sigma;            /**< One-step RMSE, `sqrt(sse / observations)`. */
    uint64_t observations;   /**< Points the errors were taken over (days for Holt-Winters). */
    uint32_t evaluations;    /**< Objective evaluations the optimiser spent (0 without fitting). */
} cm_forecast_fit_result;

/**
 * Fills a model with the library's defaults for a method.
 *
 * All: `fit` = ::CM_FORECAST_FIT_ALL, trend none, additive season. Weekly
 * mean and median: 4 weeks. Holt-Winters: an 8-week intraday profile.
 * Parameters (the values of fixed parameters, if the caller then clears
 * `fit`): alpha 0.2, beta 0.05, gamma 0.1, omega 0.1, phi 0.9, lambda 0.
 *
 * @param method the method.
 * @param slots_per_day slots per day; it must divide 86400.
 * @param[out] out the model.
 * @retval CM_OK success.
 * @retval CM_EINVAL @p out is NULL, @p method is unknown or @p slots_per_day does not divide 86400.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_forecast_model_default(cm_forecast_method method,
                                                        uint32_t slots_per_day,
                                                        cm_forecast_model *out);

/**
 * Number of initial states of a smoothing model, for the @p initial argument of
 * cm_forecast_fit() and cm_forecast_predict().
 *
 * Holt-Winters: `2 + 7` (level, trend, then the season of days 0..6 of the
 * series). Taylor: `2 + P + 7P` with P the slots per day (level, trend, the
 * intraday season of slots 0..P−1, then the intraweek season of slots
 * 0..7P−1). Other methods have none (0).
 *
 * @param model the model.
 * @param[out] n the number of states.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or the model is invalid.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_forecast_initial_size(const cm_forecast_model *model, size_t *n);

/**
 * Whether a model defines prediction intervals (the @p lo and @p hi of cm_forecast_predict()).
 *
 * Seasonal naive, weekly mean, additive Holt-Winters and Taylor's method
 * do; the weekly median and multiplicative Holt-Winters do not.
 *
 * @param model the model.
 * @param[out] out true when it does.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or the model is invalid.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_forecast_has_interval(const cm_forecast_model *model, bool *out);

/**
 * Workspace bytes cm_forecast_fit() and cm_forecast_predict() need for a model and series.
 *
 * @param model the model.
 * @param n slots of the history.
 * @param horizon slots to forecast (0 for fitting only).
 * @param[out] bytes the size; 0 when the method needs none. The workspace must be
 *        aligned for `double` (as `malloc` memory is).
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL or the model is invalid.
 * @retval CM_EOVERFLOW the size does not fit a `size_t`.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_forecast_workspace_size(const cm_forecast_model *model, size_t n,
                                                         size_t horizon, size_t *bytes);

/**
 * Fits a model's free parameters by minimising the sum of squared one-step errors.
 *
 * The parameters named in `model->fit` are searched with a Nelder–Mead
 * simplex inside their bounds (alpha, beta, gamma, omega in [0, 1]; phi in
 * [0.8, 0.98]; lambda in [0, 0.99]), from fixed starting values, stopping
 * when the simplex has converged or after
 * ::CM_FORECAST_EVALUATIONS_PER_PARAMETER evaluations per parameter: the
 * result is deterministic and the cost bounded. Closed and missing points
 * are left out of the errors (the recursion carries its forecast through
 * them). The seasonal naive, weekly mean and weekly median methods have no
 * parameters: their result gives the errors of their in-sample forecasts
 * (from the second week, or after `weeks` weeks for the mean and median).
 * With `model->fit` 0 this only evaluates the model.
 *
 * @param model the model; its slots_per_day must divide a day.
 * @param y the series: @p n finite values >= 0, whole days from a day's first slot.
 * @param state @p n slot states; NULL means all observed.
 * @param n slots; at least one week, two weeks for the smoothing methods without @p initial.
 * @param initial the initial states of a smoothing model (cm_forecast_initial_size());
 *        NULL computes them from the first two weeks (`docs/forecast.md`).
 * @param work workspace of at least cm_forecast_workspace_size() bytes (any horizon); may
 *        be NULL when that is 0.
 * @param work_size size of @p work in bytes.
 * @param[out] out the fitted model and its errors.
 * @param[out] fitted the one-step forecasts of the fitted model (Holt-Winters: of the daily
 *        totals, `n / slots_per_day` values; Taylor: of the slots, @p n values); may be NULL,
 *        and must be NULL for the other methods.
 * @retval CM_OK success.
 * @retval CM_EINVAL a required pointer is NULL, the model is invalid (an unknown method or
 *         option, a fixed parameter out of range, @p fitted with a method without fitted
 *         values), a value is NaN, infinite or negative, a state is unknown, @p n is not
 *         whole days, or @p work is misaligned.
 * @retval CM_ERANGE a multiplicative model meets a daily total that is not positive, or the
 *         recursion or the squared errors leave the finite numbers.
 * @retval CM_ENODATA the series is too short or has no observed point to fit on.
 * @retval CM_ENOSPC @p work_size is below the size needed.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_forecast_fit(const cm_forecast_model *model, const double *y,
                                              const uint8_t *state, size_t n, const double *initial,
                                              void *work, size_t work_size,
                                              cm_forecast_fit_result *out, double *fitted);

/**
 * Forecasts the slots following a series, with prediction intervals where the method defines them.
 *
 * When `model->fit` names parameters they are fitted first, as by
 * cm_forecast_fit(). The forecast of a slot whose @p future_state is
 * ::CM_FORECAST_CLOSED is 0 (and so are its bounds); forecasts below 0 are
 * raised to 0. The bounds are `point ± z·σ_h`, with z the normal quantile
 * of @p confidence and σ_h the h-step standard error of the method
 * (`docs/forecast.md`), the lower one raised to 0.
 *
 * @param model the model.
 * @param y the history: @p n finite values >= 0, whole days.
 * @param state @p n slot states; NULL means all observed.
 * @param n slots of history (see cm_forecast_fit()).
 * @param initial initial states, or NULL (see cm_forecast_fit()).
 * @param future_state @p horizon states of the forecast slots; NULL means all open.
 * @param horizon slots to forecast: whole days, continuing the history.
 * @param confidence coverage of the prediction interval, in (0, 1); read only with @p lo.
 * @param work workspace of at least cm_forecast_workspace_size() bytes for @p n and
 *        @p horizon; may be NULL when that is 0.
 * @param work_size size of @p work in bytes.
 * @param[out] point @p horizon forecasts.
 * @param[out] lo @p horizon lower bounds, or NULL (then @p hi must be NULL too).
 * @param[out] hi @p horizon upper bounds, or NULL.
 * @retval CM_OK success.
 * @retval CM_EINVAL as for cm_forecast_fit(); also @p point NULL, only one of @p lo and
 *         @p hi given, bounds asked of a model without them (cm_forecast_has_interval()),
 *         @p confidence outside (0, 1), or @p horizon not whole days.
 * @retval CM_ERANGE as for cm_forecast_fit(), or a forecast or bound leaves the finite numbers
 *         (extreme values overflowing a trend or a variance).
 * @retval CM_ENODATA as for cm_forecast_fit().
 * @retval CM_ENOSPC @p work_size is below the size needed.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_forecast_predict(const cm_forecast_model *model, const double *y,
                                                  const uint8_t *state, size_t n,
                                                  const double *initial,
                                                  const uint8_t *future_state, size_t horizon,
                                                  double confidence, void *work, size_t work_size,
                                                  double *point, double *lo, double *hi);

/* ------------------------------------------------------------------------ */
/* Accuracy and model selection                                             */
/* ------------------------------------------------------------------------ */

/** Accuracy of a forecast against what happened, filled by cm_forecast_evaluate(). */
typedef struct cm_forecast_accuracy {
    uint64_t n;   /**< Observed points compared. */
    double mae;   /**< Mean absolute error `Σ|f − a| / n`. */
    double rmse;  /**< Root mean squared error `sqrt(Σ(f − a)² / n)`. */
    double bias;  /**< Mean error `Σ(f − a) / n`: positive when the forecast is too high. */
    double wmape; /**< Weighted MAPE `Σ|f − a| / Σ|a|`, a fraction; 0 when undefined. */
    double mase;  /**< MAE over the in-sample MAE of the seasonal naive forecast of the
                             training series; 0 when undefined. */
    bool wmape_defined; /**< false when every actual value is 0. */
    bool mase_defined;  /**< false without a training series long enough, or when its naive
                             errors are all 0. */
} cm_forecast_accuracy;

/**
 * MAE, RMSE, bias, wMAPE and MASE of a forecast.
 *
 * Only the points whose state is ::CM_FORECAST_OBSERVED count. The MASE
 * scale (Hyndman and Koehler 2006) is the mean of `|y_t − y_{t−season}|`
 * over the training series, over pairs of observed points.
 *
 * @param actual what happened, @p n finite values.
 * @param forecast the forecast, @p n finite values.
 * @param state @p n states of the forecast slots; NULL means all observed.
 * @param n number of points.
 * @param train the training series for the MASE scale; may be NULL.
 * @param train_state its states; NULL means all observed.
 * @param n_train its length.
 * @param season the seasonal lag of the scale in slots (7 × slots per day for a weekly
 *        naive forecast); >= 1 when @p train is given.
 * @param[out] out the measures.
 * @retval CM_OK success.
 * @retval CM_EINVAL a required pointer is NULL, a value is NaN or infinite, a state is
 *         unknown, or @p season is 0 with a training series.
 * @retval CM_ENODATA no point is observed.
 * @retval CM_EOVERFLOW a sum of errors or values does not fit a double.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_forecast_evaluate(const double *actual, const double *forecast,
                                                   const uint8_t *state, size_t n,
                                                   const double *train, const uint8_t *train_state,
                                                   size_t n_train, size_t season,
                                                   cm_forecast_accuracy *out);

/** What cm_forecast_backtest() ranks the models by (lowest wins). */
typedef enum cm_forecast_criterion {
    CM_FORECAST_BY_MAE = 0,  /**< Mean absolute error. */
    CM_FORECAST_BY_RMSE = 1, /**< Root mean squared error. */
    CM_FORECAST_BY_WMAPE =
        2, /**< Weighted MAPE (ranks like the MAE: same points for every model). */
    CM_FORECAST_BY_MASE = 3, /**< MASE (ranks like the MAE). */
    CM_FORECAST_BY_BIAS = 4  /**< Absolute bias. */
} cm_forecast_criterion;

/**
 * Workspace bytes cm_forecast_backtest() needs.
 *
 * @param models the candidate models.
 * @param n_models number of models; >= 1.
 * @param n slots of the series.
 * @param[out] bytes the size.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, @p n_models is 0 or a model is invalid.
 * @retval CM_EOVERFLOW the size does not fit a `size_t`.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_forecast_backtest_workspace_size(const cm_forecast_model *models,
                                                                  size_t n_models, size_t n,
                                                                  size_t *bytes);

/**
 * Rolling-origin backtest over the last weeks of a series, and the best model.
 *
 * For each of the last @p weeks weeks, every model is fitted on the series
 * before that week (refitting its free parameters) and forecasts the week;
 * the errors of all those weeks are pooled into one ::cm_forecast_accuracy
 * per model (MASE scaled by the weekly naive errors before the first
 * origin). A model that cannot run on the data (too short a history, a
 * multiplicative model meeting a zero total, errors too large for a
 * double) gets `n` 0 and is not chosen. The best is the lowest @p criterion; ties go to the earlier model.
 *
 * @param models the candidates.
 * @param n_models number of candidates; >= 1.
 * @param y the series, @p n finite values >= 0, whole days.
 * @param state @p n slot states; NULL means all observed.
 * @param n slots.
 * @param weeks weeks of origins, >= 1.
 * @param criterion what to rank by.
 * @param work workspace of cm_forecast_backtest_workspace_size() bytes.
 * @param work_size its size in bytes.
 * @param[out] scores @p n_models accuracies, in the order of @p models.
 * @param[out] best index of the best model.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL, a model or the criterion is invalid, the models'
 *         slots per day differ, a value is NaN, infinite or negative, a state is unknown,
 *         @p n is not whole days, @p weeks is 0, or @p work is misaligned.
 * @retval CM_ENODATA no model could run on every origin, or the backtest weeks hold no
 *         observed point.
 * @retval CM_ENOSPC @p work_size is below the size needed.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_forecast_backtest(const cm_forecast_model *models, size_t n_models,
                                                   const double *y, const uint8_t *state, size_t n,
                                                   uint32_t weeks, cm_forecast_criterion criterion,
                                                   void *work, size_t work_size,
                                                   cm_forecast_accuracy *scores, size_t *best);

/* ------------------------------------------------------------------------ */
/* Staffing from forecasts                                                  */
/* ------------------------------------------------------------------------ */

/** How cm_forecast_staffing_plan() turns an interval's traffic into agents. */
typedef enum cm_forecast_queue {
    CM_FORECAST_QUEUE_ERLANG_C = 0, /**< Erlang C for a service-level target (phone, chat). */
    CM_FORECAST_QUEUE_ERLANG_A = 1, /**< Erlang A: callers with a mean patience who hang up. */
    CM_FORECAST_QUEUE_WORKLOAD = 2  /**< No queue model: the workload at the occupancy cap
                                         (email and other deferred work). */
} cm_forecast_queue;

/** Targets and rules of a staffing plan. */
typedef struct cm_forecast_staffing_options {
    cm_forecast_queue queue; /**< The queueing model. */
    double target_sl;      /**< Service-level target, in (0, 1) (0.8 for 80/20); Erlang C and A. */
    double target_seconds; /**< Answer-time target in seconds, >= 0 (20 for 80/20). */
    double max_occupancy;  /**< Occupancy cap, in (0, 1]. */
    double patience_seconds; /**< Mean patience in seconds, > 0 (Erlang A only). */
    uint32_t concurrency; /**< Contacts one agent handles at once, 1..::CM_FORECAST_MAX_CONCURRENCY
                                   (2 or 3 for chat). */
    double shrinkage;     /**< Share of paid time off the queue, in [0, 1). */
    double shift_hours;   /**< Paid hours of a shift, > 0. */
    double workdays_per_week; /**< Shifts one FTE works per week, in (0, 7]. */
} cm_forecast_staffing_options;

/** Staffing of one interval, filled by cm_forecast_staffing_plan(). */
typedef struct cm_forecast_staffing {
    double traffic;       /**< Offered traffic in Erlangs: volume × AHT / interval seconds. */
    uint32_t agents;      /**< Agents on the queue (0 when closed or idle). */
    double service_level; /**< Expected service level with those agents (1 when idle; 0 for the
                               workload model, which has none). */
    double asa_seconds;   /**< Expected average speed of answer in seconds (0 when idle or for the
                               workload model). */
    double p_abandon;     /**< Expected abandonment (Erlang A; 0 otherwise). */
    double occupancy;     /**< Share of the agents' contact capacity in use:
                               `traffic / (agents × concurrency)` (Erlang A: of the answered). */
    double scheduled;     /**< Agents to schedule for the interval: `agents / (1 − shrinkage)`. */
} cm_forecast_staffing;

/** Totals of a staffing plan, filled by cm_forecast_staffing_plan(). */
typedef struct cm_forecast_staffing_summary {
    double contacts;         /**< Forecast contacts, `Σ volume`. */
    double workload_hours;   /**< `Σ volume × AHT / 3600`. */
    double agent_hours;      /**< Agent hours on the queue, `Σ agents × seconds / 3600`. */
    double scheduled_hours;  /**< `agent_hours / (1 − shrinkage)` (cm_workforce_plan()). */
    double days;             /**< Length of the plan in days, `Σ seconds / 86400`. */
    double fte;              /**< Full-time equivalents: scheduled hours over the hours one FTE
                                  works in the plan, `shift_hours × workdays_per_week × days / 7`. */
    uint32_t peak_agents;    /**< Most agents any interval needs. */
    uint32_t peak_scheduled; /**< Agents to have on shift at the peak, `⌈peak_agents / (1 −
                                  shrinkage)⌉`. */
    size_t peak_interval;    /**< Index of the first interval with the peak. */
    double peak_ratio;       /**< Peak agents over the mean agents of the intervals with traffic
                                  (the seeds' "peaks about 1.4× the daily average"); 0 when no
                                  interval has traffic. */
} cm_forecast_staffing_summary;

/**
 * Agents per forecast interval, peak coverage and FTE.
 *
 * Each interval's traffic is `volume × aht / seconds` Erlangs. Erlang C
 * finds the fewest agents N whose `N × concurrency` servers meet the
 * service-level target and keep the occupancy at or under the cap
 * (cm_erlang_agents() on servers, then `N = ⌈servers / concurrency⌉`): an
 * agent with k chats open is k servers of one M/M/c queue. Erlang A does the
 * same with cm_erlang_a_agents(). The workload model takes
 * `⌈traffic / (max_occupancy × concurrency)⌉` agents. With concurrency 1
 * this is cm_staffing_plan() on the intervals' lengths. Closed intervals and
 * intervals without traffic get no agents. The model's limits are in
 * `docs/forecast.md`.
 *
 * All or nothing: every input is checked before anything is written.
 *
 * @param iv the intervals the volumes belong to (their `seconds` and `open_seconds`).
 * @param volumes forecast contacts per interval, finite and >= 0.
 * @param aht_seconds average handle time per interval in seconds, each >= 0 and at most
 *        ::CM_ERLANG_MAX_AHT_SECONDS (0: the contacts take no agent time); for chat, the
 *        time a chat holds one of the agent's slots.
 * @param n number of intervals; the arrays may be NULL when it is 0.
 * @param opt the targets and rules.
 * @param[out] out @p n staffing entries; may be NULL when @p n is 0.
 * @param[out] summary the totals; may be NULL.
 * @retval CM_OK success.
 * @retval CM_EINVAL a required pointer is NULL, or an option or entry is NaN, infinite or
 *         out of range.
 * @retval CM_ERANGE an interval's traffic exceeds ::CM_ERLANG_MAX_TRAFFIC, or the patience
 *         exceeds ::CM_ERLANG_A_MAX_PATIENCE_RATIO handle times.
 * @retval CM_EOVERFLOW an interval would need more than 2^31 servers, or a total is not a
 *         finite double.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_forecast_staffing_plan(const cm_forecast_interval *iv,
                                                        const double *volumes,
                                                        const double *aht_seconds, size_t n,
                                                        const cm_forecast_staffing_options *opt,
                                                        cm_forecast_staffing *out,
                                                        cm_forecast_staffing_summary *summary);

/* ------------------------------------------------------------------------ */
/* ABI queries for bindings                                                 */
/* ------------------------------------------------------------------------ */

/**
 * Size of a forecast struct in this build of the library, for bindings that mirror the structs.
 *
 * @param name one of `"cm_forecast_interval"`, `"cm_forecast_params"`,
 *        `"cm_forecast_model"`, `"cm_forecast_fit_result"`, `"cm_forecast_accuracy"`,
 *        `"cm_forecast_staffing_options"`, `"cm_forecast_staffing"`,
 *        `"cm_forecast_staffing_summary"`.
 * @return the size in bytes, or 0 for an unknown name or NULL.
 * @since 0.2
 */
CM_API size_t cm_forecast_sizeof(const char *name);

/**
 * Value of a forecast macro in this build of the library, for bindings that cannot read macros.
 *
 * @param name `"CM_FORECAST_MAX_WEEKS"`, `"CM_FORECAST_MAX_CONCURRENCY"`,
 *        `"CM_FORECAST_EVALUATIONS_PER_PARAMETER"` or `"CM_FORECAST_HANDLE_UNKNOWN"`.
 * @param[out] out the value.
 * @retval CM_OK success.
 * @retval CM_EINVAL a pointer is NULL.
 * @retval CM_ENOTFOUND no forecast macro has that name.
 * @since 0.2
 */
CM_API CM_NODISCARD cm_status cm_forecast_constant(const char *name, double *out);

/** @} */

#ifdef __cplusplus
}
#endif

#endif /* CAREMETRICS_FORECAST_H */
