-- The caremetrics extension: help-desk KPIs, business calendars, SLA clocks and
-- Erlang C, computed by libcaremetrics inside PostgreSQL (docs/postgresql.md).
\echo Use "CREATE EXTENSION caremetrics" to load this file. \quit

-- Volatility: functions of numbers and counts are IMMUTABLE. Everything that
-- reads a calendar is STABLE: a calendar's time zone comes from the tzdata
-- files, which a system update may change, so a result is fixed within a
-- statement but not forever (see docs/postgresql.md). Every function is
-- PARALLEL SAFE except cm_cache_reset().

CREATE FUNCTION cm_version() RETURNS text
AS 'MODULE_PATHNAME', 'pgcm_version' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION cm_cache_reset() RETURNS integer
AS 'MODULE_PATHNAME', 'pgcm_cache_reset' LANGUAGE C VOLATILE PARALLEL RESTRICTED;

-- ---- result types ---------------------------------------------------------------------

CREATE TYPE cm_proportion AS (num bigint, den bigint, value float8, lo float8, hi float8);
CREATE TYPE cm_csat_result AS (n bigint, satisfied bigint, value float8, lo float8, hi float8,
                               mean float8);
CREATE TYPE cm_nps_result AS (n bigint, promoters bigint, passives bigint, detractors bigint,
                              score float8, se float8, lo float8, hi float8);
CREATE TYPE cm_ces_result AS (n bigint, mean float8, sd float8, lo float8, hi float8,
                              easy bigint, easy_share float8, easy_lo float8, easy_hi float8);
CREATE TYPE cm_sketch_summary AS (n bigint, zeros bigint, min_seconds float8, max_seconds float8,
                                  mean_seconds float8, total_seconds float8);
CREATE TYPE cm_sla_event AS (at timestamptz, kind text, value text);
CREATE TYPE cm_sla_instance AS (metric text, cycle integer, state text, priority text,
                                breached boolean, calendar integer, started timestamptz,
                                stopped timestamptz, elapsed bigint, target bigint,
                                remaining bigint, due timestamptz, breach timestamptz);
CREATE TYPE cm_sla_summary AS (achieved bigint, breached bigint, open bigint, value float8,
                               lo float8, hi float8, mean_seconds float8, p50_seconds float8,
                               p90_seconds float8, p99_seconds float8);

-- ---- rates ---------------------------------------------------------------------------------

CREATE FUNCTION cm_rate(num bigint, den bigint, confidence float8 DEFAULT 0.95)
RETURNS cm_proportion
AS 'MODULE_PATHNAME', 'pgcm_rate' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION cm_abandonment_rate(offered bigint, abandoned bigint,
                                    short_abandoned bigint DEFAULT 0,
                                    confidence float8 DEFAULT 0.95)
RETURNS cm_proportion
AS 'MODULE_PATHNAME', 'pgcm_abandonment_rate' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION cm_rate_trans(internal, boolean) RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_rate_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cm_rate_combine(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_rate_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cm_rate_serialize(internal) RETURNS bytea
AS 'MODULE_PATHNAME', 'pgcm_rate_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_rate_deserialize(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_rate_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_rate_final(internal) RETURNS cm_proportion
AS 'MODULE_PATHNAME', 'pgcm_rate_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE cm_rate(boolean) (
  SFUNC = cm_rate_trans, STYPE = internal, SSPACE = 24, FINALFUNC = cm_rate_final,
  COMBINEFUNC = cm_rate_combine, SERIALFUNC = cm_rate_serialize,
  DESERIALFUNC = cm_rate_deserialize, PARALLEL = SAFE);

-- ---- survey scores ---------------------------------------------------------------------

CREATE FUNCTION cm_csat_trans(internal, integer) RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_csat_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cm_csat_trans(internal, integer, integer, integer) RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_csat_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cm_csat_combine(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_csat_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cm_csat_serialize(internal) RETURNS bytea
AS 'MODULE_PATHNAME', 'pgcm_csat_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_csat_deserialize(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_csat_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_csat_final(internal) RETURNS cm_csat_result
AS 'MODULE_PATHNAME', 'pgcm_csat_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE cm_csat(score integer) (
  SFUNC = cm_csat_trans, STYPE = internal, SSPACE = 96, FINALFUNC = cm_csat_final,
  COMBINEFUNC = cm_csat_combine, SERIALFUNC = cm_csat_serialize,
  DESERIALFUNC = cm_csat_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE cm_csat(score integer, scale integer, satisfied_min integer) (
  SFUNC = cm_csat_trans, STYPE = internal, SSPACE = 96, FINALFUNC = cm_csat_final,
  COMBINEFUNC = cm_csat_combine, SERIALFUNC = cm_csat_serialize,
  DESERIALFUNC = cm_csat_deserialize, PARALLEL = SAFE);

CREATE FUNCTION cm_nps_trans(internal, integer) RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_nps_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cm_nps_combine(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_nps_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cm_nps_serialize(internal) RETURNS bytea
AS 'MODULE_PATHNAME', 'pgcm_nps_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_nps_deserialize(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_nps_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_nps_final(internal) RETURNS cm_nps_result
AS 'MODULE_PATHNAME', 'pgcm_nps_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE cm_nps(score integer) (
  SFUNC = cm_nps_trans, STYPE = internal, SSPACE = 96, FINALFUNC = cm_nps_final,
  COMBINEFUNC = cm_nps_combine, SERIALFUNC = cm_nps_serialize,
  DESERIALFUNC = cm_nps_deserialize, PARALLEL = SAFE);

CREATE FUNCTION cm_ces_trans(internal, integer) RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_ces_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cm_ces_trans(internal, integer, integer, integer, integer) RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_ces_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cm_ces_combine(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_ces_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cm_ces_serialize(internal) RETURNS bytea
AS 'MODULE_PATHNAME', 'pgcm_ces_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_ces_deserialize(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_ces_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_ces_final(internal) RETURNS cm_ces_result
AS 'MODULE_PATHNAME', 'pgcm_ces_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE cm_ces(score integer) (
  SFUNC = cm_ces_trans, STYPE = internal, SSPACE = 96, FINALFUNC = cm_ces_final,
  COMBINEFUNC = cm_ces_combine, SERIALFUNC = cm_ces_serialize,
  DESERIALFUNC = cm_ces_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE cm_ces(score integer, scale integer, easy_min integer, easy_max integer) (
  SFUNC = cm_ces_trans, STYPE = internal, SSPACE = 96, FINALFUNC = cm_ces_final,
  COMBINEFUNC = cm_ces_combine, SERIALFUNC = cm_ces_serialize,
  DESERIALFUNC = cm_ces_deserialize, PARALLEL = SAFE);

-- ---- average response time ---------------------------------------------------------

CREATE TYPE cm_art_result AS (n bigint, total_seconds bigint, min_seconds bigint,
                              max_seconds bigint, mean_seconds float8);
CREATE FUNCTION cm_art_trans(internal, bigint) RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_art_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cm_art_combine(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_art_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cm_art_serialize(internal) RETURNS bytea
AS 'MODULE_PATHNAME', 'pgcm_art_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_art_deserialize(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_art_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_art_final(internal) RETURNS cm_art_result
AS 'MODULE_PATHNAME', 'pgcm_art_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE cm_art(seconds bigint) (
  SFUNC = cm_art_trans, STYPE = internal, SSPACE = 40, FINALFUNC = cm_art_final,
  COMBINEFUNC = cm_art_combine, SERIALFUNC = cm_art_serialize,
  DESERIALFUNC = cm_art_deserialize, PARALLEL = SAFE);

-- ---- response-time sketch ----------------------------------------------------------------

CREATE TYPE cm_sketch;
CREATE FUNCTION cm_sketch_in(cstring) RETURNS cm_sketch
AS 'MODULE_PATHNAME', 'pgcm_sketch_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_sketch_out(cm_sketch) RETURNS cstring
AS 'byteaout' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_sketch_recv(internal) RETURNS cm_sketch
AS 'MODULE_PATHNAME', 'pgcm_sketch_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_sketch_send(cm_sketch) RETURNS bytea
AS 'byteasend' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE cm_sketch (
  INPUT = cm_sketch_in, OUTPUT = cm_sketch_out, RECEIVE = cm_sketch_recv, SEND = cm_sketch_send,
  INTERNALLENGTH = VARIABLE, ALIGNMENT = int4, STORAGE = extended);

CREATE FUNCTION cm_sketch_from_bytea(bytea) RETURNS cm_sketch
AS 'MODULE_PATHNAME', 'pgcm_sketch_from_bytea' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (cm_sketch AS bytea) WITHOUT FUNCTION;
CREATE CAST (bytea AS cm_sketch) WITH FUNCTION cm_sketch_from_bytea(bytea);

CREATE FUNCTION cm_sketch_trans(internal, float8) RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_sketch_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cm_sketch_trans(internal, interval) RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_sketch_trans_interval' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cm_sketch_merge_trans(internal, cm_sketch) RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_sketch_merge_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cm_sketch_combine(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_sketch_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cm_sketch_serialize(internal) RETURNS bytea
AS 'MODULE_PATHNAME', 'pgcm_sketch_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_sketch_deserialize(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_sketch_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_sketch_final(internal) RETURNS cm_sketch
AS 'MODULE_PATHNAME', 'pgcm_sketch_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE cm_sketch(seconds float8) (
  SFUNC = cm_sketch_trans, STYPE = internal, SSPACE = 8300, FINALFUNC = cm_sketch_final,
  COMBINEFUNC = cm_sketch_combine, SERIALFUNC = cm_sketch_serialize,
  DESERIALFUNC = cm_sketch_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE cm_sketch(duration interval) (
  SFUNC = cm_sketch_trans, STYPE = internal, SSPACE = 8300, FINALFUNC = cm_sketch_final,
  COMBINEFUNC = cm_sketch_combine, SERIALFUNC = cm_sketch_serialize,
  DESERIALFUNC = cm_sketch_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE cm_sketch_merge(cm_sketch) (
  SFUNC = cm_sketch_merge_trans, STYPE = internal, SSPACE = 8300, FINALFUNC = cm_sketch_final,
  COMBINEFUNC = cm_sketch_combine, SERIALFUNC = cm_sketch_serialize,
  DESERIALFUNC = cm_sketch_deserialize, PARALLEL = SAFE);

CREATE FUNCTION cm_quantile(sketch cm_sketch, q float8) RETURNS float8
AS 'MODULE_PATHNAME', 'pgcm_sketch_quantile' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_quantiles(sketch cm_sketch, qs float8[]) RETURNS float8[]
AS 'MODULE_PATHNAME', 'pgcm_sketch_quantiles' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_sketch_summary(sketch cm_sketch) RETURNS cm_sketch_summary
AS 'MODULE_PATHNAME', 'pgcm_sketch_summary' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- ---- exact quantiles ---------------------------------------------------------------------

CREATE FUNCTION cm_quantiles_exact_trans(internal, float8, float8[]) RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_quantiles_exact_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cm_quantile_exact_trans(internal, float8, float8) RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_quantile_exact_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cm_quantiles_exact_combine(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_quantiles_exact_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cm_quantiles_exact_serialize(internal) RETURNS bytea
AS 'MODULE_PATHNAME', 'pgcm_quantiles_exact_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_quantiles_exact_deserialize(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_quantiles_exact_deserialize' LANGUAGE C IMMUTABLE STRICT
PARALLEL SAFE;
CREATE FUNCTION cm_quantiles_exact_final(internal) RETURNS float8[]
AS 'MODULE_PATHNAME', 'pgcm_quantiles_exact_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cm_quantile_exact_final(internal) RETURNS float8
AS 'MODULE_PATHNAME', 'pgcm_quantile_exact_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE cm_quantiles_exact(value float8, qs float8[]) (
  SFUNC = cm_quantiles_exact_trans, STYPE = internal, FINALFUNC = cm_quantiles_exact_final,
  COMBINEFUNC = cm_quantiles_exact_combine, SERIALFUNC = cm_quantiles_exact_serialize,
  DESERIALFUNC = cm_quantiles_exact_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE cm_quantile_exact(value float8, q float8) (
  SFUNC = cm_quantile_exact_trans, STYPE = internal, FINALFUNC = cm_quantile_exact_final,
  COMBINEFUNC = cm_quantiles_exact_combine, SERIALFUNC = cm_quantiles_exact_serialize,
  DESERIALFUNC = cm_quantiles_exact_deserialize, PARALLEL = SAFE);

-- ---- business calendars ------------------------------------------------------------------

CREATE TYPE cm_calendar;
CREATE FUNCTION cm_calendar_in(cstring) RETURNS cm_calendar
AS 'MODULE_PATHNAME', 'pgcm_calendar_in' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_calendar_out(cm_calendar) RETURNS cstring
AS 'textout' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_calendar_recv(internal) RETURNS cm_calendar
AS 'MODULE_PATHNAME', 'pgcm_calendar_recv' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_calendar_send(cm_calendar) RETURNS bytea
AS 'textsend' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE cm_calendar (
  INPUT = cm_calendar_in, OUTPUT = cm_calendar_out, RECEIVE = cm_calendar_recv,
  SEND = cm_calendar_send, INTERNALLENGTH = VARIABLE, ALIGNMENT = int4, STORAGE = extended,
  CATEGORY = 'S');

CREATE FUNCTION cm_calendar(spec text) RETURNS cm_calendar
AS 'MODULE_PATHNAME', 'pgcm_calendar_from_text' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE CAST (cm_calendar AS text) WITHOUT FUNCTION AS IMPLICIT;
CREATE CAST (text AS cm_calendar) WITH FUNCTION cm_calendar(text) AS ASSIGNMENT;

CREATE FUNCTION cm_business_seconds(cal cm_calendar, a timestamptz, b timestamptz) RETURNS bigint
AS 'MODULE_PATHNAME', 'pgcm_business_seconds' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_business_add(cal cm_calendar, t timestamptz, seconds bigint)
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'pgcm_business_add' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_business_add(cal cm_calendar, t timestamptz, amount interval)
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'pgcm_business_add_interval' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_business_add_days(cal cm_calendar, t timestamptz, days integer)
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'pgcm_business_add_days' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_is_open(cal cm_calendar, t timestamptz) RETURNS boolean
AS 'MODULE_PATHNAME', 'pgcm_is_open' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_next_open(cal cm_calendar, t timestamptz) RETURNS timestamptz
AS 'MODULE_PATHNAME', 'pgcm_next_open' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_next_close(cal cm_calendar, t timestamptz) RETURNS timestamptz
AS 'MODULE_PATHNAME', 'pgcm_next_close' LANGUAGE C STABLE STRICT PARALLEL SAFE;

-- ---- SLA clocks --------------------------------------------------------------------------

CREATE TYPE cm_sla_policy;
CREATE FUNCTION cm_sla_policy_in(cstring) RETURNS cm_sla_policy
AS 'MODULE_PATHNAME', 'pgcm_policy_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_sla_policy_out(cm_sla_policy) RETURNS cstring
AS 'textout' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_sla_policy_recv(internal) RETURNS cm_sla_policy
AS 'MODULE_PATHNAME', 'pgcm_policy_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_sla_policy_send(cm_sla_policy) RETURNS bytea
AS 'textsend' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE cm_sla_policy (
  INPUT = cm_sla_policy_in, OUTPUT = cm_sla_policy_out, RECEIVE = cm_sla_policy_recv,
  SEND = cm_sla_policy_send, INTERNALLENGTH = VARIABLE, ALIGNMENT = int4, STORAGE = extended,
  CATEGORY = 'S');

CREATE FUNCTION cm_sla_policy(text) RETURNS cm_sla_policy
AS 'MODULE_PATHNAME', 'pgcm_policy_from_text' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (cm_sla_policy AS text) WITHOUT FUNCTION AS IMPLICIT;
CREATE CAST (text AS cm_sla_policy) WITH FUNCTION cm_sla_policy(text) AS ASSIGNMENT;

CREATE FUNCTION cm_sla_evaluate(policy cm_sla_policy, events cm_sla_event[], now timestamptz,
                                VARIADIC calendars cm_calendar[] DEFAULT '{}')
RETURNS SETOF cm_sla_instance
AS 'MODULE_PATHNAME', 'pgcm_sla_evaluate' LANGUAGE C STABLE STRICT PARALLEL SAFE ROWS 8;

-- Events as a jsonb array of {"at": ..., "kind": ..., "value": ...} objects.
CREATE FUNCTION cm_sla_events(events jsonb) RETURNS cm_sla_event[]
LANGUAGE sql STABLE STRICT PARALLEL SAFE
AS $$
  SELECT coalesce(array_agg(ROW(e.at, e.kind, e.value)::@extschema@.cm_sla_event ORDER BY e.ord),
                  '{}')
  FROM ROWS FROM (jsonb_to_recordset(events) AS (at timestamptz, kind text, value text))
       WITH ORDINALITY AS e(at, kind, value, ord)
$$;

CREATE FUNCTION cm_sla_evaluate(policy cm_sla_policy, events jsonb, now timestamptz,
                                VARIADIC calendars cm_calendar[] DEFAULT '{}')
RETURNS SETOF cm_sla_instance
LANGUAGE sql STABLE STRICT PARALLEL SAFE ROWS 8
AS $$
  SELECT * FROM @extschema@.cm_sla_evaluate(policy, @extschema@.cm_sla_events(events), now,
                                            VARIADIC calendars)
$$;

CREATE TYPE cm_sla_attainment;
CREATE FUNCTION cm_sla_attainment_in(cstring) RETURNS cm_sla_attainment
AS 'MODULE_PATHNAME', 'pgcm_sla_attainment_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_sla_attainment_out(cm_sla_attainment) RETURNS cstring
AS 'byteaout' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_sla_attainment_recv(internal) RETURNS cm_sla_attainment
AS 'MODULE_PATHNAME', 'pgcm_sla_attainment_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_sla_attainment_send(cm_sla_attainment) RETURNS bytea
AS 'byteasend' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE cm_sla_attainment (
  INPUT = cm_sla_attainment_in, OUTPUT = cm_sla_attainment_out,
  RECEIVE = cm_sla_attainment_recv, SEND = cm_sla_attainment_send,
  INTERNALLENGTH = VARIABLE, ALIGNMENT = int4, STORAGE = extended);

CREATE FUNCTION cm_sla_attainment_from_bytea(bytea) RETURNS cm_sla_attainment
AS 'MODULE_PATHNAME', 'pgcm_sla_attainment_from_bytea' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (cm_sla_attainment AS bytea) WITHOUT FUNCTION;
CREATE CAST (bytea AS cm_sla_attainment) WITH FUNCTION cm_sla_attainment_from_bytea(bytea);

CREATE FUNCTION cm_sla_attainment_trans(internal, cm_sla_policy, cm_sla_event[], timestamptz)
RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_sla_attainment_trans' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION cm_sla_attainment_trans(internal, cm_sla_policy, cm_sla_event[], timestamptz,
                                        VARIADIC cm_calendar[])
RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_sla_attainment_trans' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION cm_sla_attainment_merge_trans(internal, cm_sla_attainment) RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_sla_attainment_merge_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cm_sla_attainment_combine(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_sla_attainment_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION cm_sla_attainment_serialize(internal) RETURNS bytea
AS 'MODULE_PATHNAME', 'pgcm_sla_attainment_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_sla_attainment_deserialize(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_sla_attainment_deserialize' LANGUAGE C IMMUTABLE STRICT
PARALLEL SAFE;
CREATE FUNCTION cm_sla_attainment_final(internal) RETURNS cm_sla_attainment
AS 'MODULE_PATHNAME', 'pgcm_sla_attainment_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE cm_sla_attainment(policy cm_sla_policy, events cm_sla_event[],
                                   now timestamptz) (
  SFUNC = cm_sla_attainment_trans, STYPE = internal, SSPACE = 68000,
  FINALFUNC = cm_sla_attainment_final, COMBINEFUNC = cm_sla_attainment_combine,
  SERIALFUNC = cm_sla_attainment_serialize, DESERIALFUNC = cm_sla_attainment_deserialize,
  PARALLEL = SAFE);
CREATE AGGREGATE cm_sla_attainment(policy cm_sla_policy, events cm_sla_event[],
                                   now timestamptz, VARIADIC calendars cm_calendar[]) (
  SFUNC = cm_sla_attainment_trans, STYPE = internal, SSPACE = 68000,
  FINALFUNC = cm_sla_attainment_final, COMBINEFUNC = cm_sla_attainment_combine,
  SERIALFUNC = cm_sla_attainment_serialize, DESERIALFUNC = cm_sla_attainment_deserialize,
  PARALLEL = SAFE);
-- The same from the columns of a tickets table: priority, created, first reply, solved.
CREATE FUNCTION cm_sla_attainment_trans(internal, cm_sla_policy, text, timestamptz, timestamptz,
                                        timestamptz, timestamptz)
RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_sla_attainment_columns_trans' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION cm_sla_attainment_trans(internal, cm_sla_policy, text, timestamptz, timestamptz,
                                        timestamptz, timestamptz, VARIADIC cm_calendar[])
RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_sla_attainment_columns_trans' LANGUAGE C STABLE PARALLEL SAFE;
CREATE AGGREGATE cm_sla_attainment(policy cm_sla_policy, priority text, created timestamptz,
                                   first_reply timestamptz, solved timestamptz,
                                   now timestamptz) (
  SFUNC = cm_sla_attainment_trans, STYPE = internal, SSPACE = 68000,
  FINALFUNC = cm_sla_attainment_final, COMBINEFUNC = cm_sla_attainment_combine,
  SERIALFUNC = cm_sla_attainment_serialize, DESERIALFUNC = cm_sla_attainment_deserialize,
  PARALLEL = SAFE);
CREATE AGGREGATE cm_sla_attainment(policy cm_sla_policy, priority text, created timestamptz,
                                   first_reply timestamptz, solved timestamptz,
                                   now timestamptz, VARIADIC calendars cm_calendar[]) (
  SFUNC = cm_sla_attainment_trans, STYPE = internal, SSPACE = 68000,
  FINALFUNC = cm_sla_attainment_final, COMBINEFUNC = cm_sla_attainment_combine,
  SERIALFUNC = cm_sla_attainment_serialize, DESERIALFUNC = cm_sla_attainment_deserialize,
  PARALLEL = SAFE);

CREATE AGGREGATE cm_sla_attainment_merge(cm_sla_attainment) (
  SFUNC = cm_sla_attainment_merge_trans, STYPE = internal, SSPACE = 68000,
  FINALFUNC = cm_sla_attainment_final, COMBINEFUNC = cm_sla_attainment_combine,
  SERIALFUNC = cm_sla_attainment_serialize, DESERIALFUNC = cm_sla_attainment_deserialize,
  PARALLEL = SAFE);

CREATE FUNCTION cm_sla_result(attainment cm_sla_attainment, metric text,
                              priority text DEFAULT 'all', confidence float8 DEFAULT 0.95)
RETURNS cm_sla_summary
AS 'MODULE_PATHNAME', 'pgcm_sla_result' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- ---- the whole-row report ------------------------------------------------------------------

-- One aggregate over every column of a tickets table: each row is copied into a
-- block of columns that the library's ticket-table engine folds 1,024 rows at a
-- time into a report with every KPI (docs/postgresql.md, "The whole-row report").

CREATE TYPE cm_report_options AS (
  calendar cm_calendar, policy cm_sla_policy, quantiles text, durations text[],
  quantile_durations text[], confidence float8, short_abandon_seconds float8, service_target_seconds float8,
  csat_scale integer, csat_satisfied_min integer, ces_scale integer, ces_easy_min integer,
  ces_easy_max integer, attainment boolean, as_of timestamptz, strict boolean);

-- Every argument may be left out (named notation); NULL means the library's default.
-- IMMUTABLE so that options written as constants are built and checked once, when
-- the query is planned: the value only holds the calendar's text.
CREATE FUNCTION cm_report_options(
  calendar cm_calendar DEFAULT NULL, policy cm_sla_policy DEFAULT NULL,
  quantiles text DEFAULT NULL, durations text[] DEFAULT NULL,
  quantile_durations text[] DEFAULT NULL, confidence float8 DEFAULT NULL,
  short_abandon_seconds float8 DEFAULT NULL, service_target_seconds float8 DEFAULT NULL,
  csat_scale integer DEFAULT NULL, csat_satisfied_min integer DEFAULT NULL,
  ces_scale integer DEFAULT NULL, ces_easy_min integer DEFAULT NULL,
  ces_easy_max integer DEFAULT NULL, attainment boolean DEFAULT NULL,
  as_of timestamptz DEFAULT NULL, strict boolean DEFAULT NULL)
RETURNS cm_report_options
AS 'MODULE_PATHNAME', 'pgcm_report_options' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE TYPE cm_report_result AS (rows bigint, bad_rows bigint, tickets bigint,
  abandoned bigint, replied bigint, solved bigint, first_created timestamptz,
  last_created timestamptz, csat_n bigint, csat_satisfied bigint, csat_value float8,
  csat_lo float8, csat_hi float8, csat_mean float8, nps_n bigint, nps_promoters bigint,
  nps_passives bigint, nps_detractors bigint, nps_score float8, nps_lo float8, nps_hi float8,
  ces_n bigint, ces_mean float8, ces_lo float8, ces_hi float8, ces_easy_share float8,
  fcr_num bigint, fcr_den bigint, fcr_value float8, fcr_lo float8, fcr_hi float8,
  reopen_num bigint, reopen_den bigint, reopen_value float8, reopen_lo float8,
  reopen_hi float8, escalation_num bigint, escalation_den bigint, escalation_value float8,
  escalation_lo float8, escalation_hi float8, abandonment_num bigint, abandonment_den bigint,
  abandonment_value float8, abandonment_lo float8, abandonment_hi float8, first_reply_n bigint,
  first_reply_total_seconds bigint, first_reply_mean_seconds float8,
  first_reply_min_seconds bigint, first_reply_max_seconds bigint,
  first_reply_median_seconds float8, first_reply_p90_seconds float8,
  first_reply_p99_seconds float8, first_reply_business_n bigint,
  first_reply_business_total_seconds bigint, first_reply_business_mean_seconds float8,
  first_reply_business_min_seconds bigint, first_reply_business_max_seconds bigint,
  first_reply_business_median_seconds float8, first_reply_business_p90_seconds float8,
  first_reply_business_p99_seconds float8, resolution_n bigint,
  resolution_total_seconds bigint, resolution_mean_seconds float8,
  resolution_min_seconds bigint, resolution_max_seconds bigint,
  resolution_median_seconds float8, resolution_p90_seconds float8,
  resolution_p99_seconds float8, resolution_business_n bigint,
  resolution_business_total_seconds bigint, resolution_business_mean_seconds float8,
  resolution_business_min_seconds bigint, resolution_business_max_seconds bigint,
  resolution_business_median_seconds float8, resolution_business_p90_seconds float8,
  resolution_business_p99_seconds float8, quantiles_exact boolean, handled bigint,
  handle_seconds float8, service_level float8, asa_seconds float8, reply_within_num bigint,
  reply_within_den bigint, reply_within_value float8, reply_within_urgent_num bigint,
  reply_within_urgent_den bigint, reply_within_urgent_value float8,
  reply_within_high_num bigint, reply_within_high_den bigint, reply_within_high_value float8,
  reply_within_normal_num bigint, reply_within_normal_den bigint,
  reply_within_normal_value float8, reply_within_low_num bigint, reply_within_low_den bigint,
  reply_within_low_value float8);

CREATE TYPE cm_report_sla AS (achieved bigint, breached bigint, open bigint, value float8,
                              lo float8, hi float8, mean_seconds float8, target_seconds bigint,
                              business boolean);

-- The report's bytes, to store and merge later (like cm_sketch).
CREATE TYPE cm_report_state;
CREATE FUNCTION cm_report_state_in(cstring) RETURNS cm_report_state
AS 'MODULE_PATHNAME', 'pgcm_report_state_in' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_report_state_out(cm_report_state) RETURNS cstring
AS 'byteaout' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_report_state_recv(internal) RETURNS cm_report_state
AS 'MODULE_PATHNAME', 'pgcm_report_state_recv' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_report_state_send(cm_report_state) RETURNS bytea
AS 'byteasend' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE cm_report_state (
  INPUT = cm_report_state_in, OUTPUT = cm_report_state_out, RECEIVE = cm_report_state_recv,
  SEND = cm_report_state_send, INTERNALLENGTH = VARIABLE, ALIGNMENT = int4, STORAGE = extended);
CREATE FUNCTION cm_report_state_from_bytea(bytea) RETURNS cm_report_state
AS 'MODULE_PATHNAME', 'pgcm_report_state_from_bytea' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE CAST (cm_report_state AS bytea) WITHOUT FUNCTION;
CREATE CAST (bytea AS cm_report_state) WITH FUNCTION cm_report_state_from_bytea(bytea);

CREATE FUNCTION cm_report_trans(internal, timestamptz, timestamptz, timestamptz, integer,
                             boolean, boolean, boolean, integer, integer, integer, float8,
                             float8)
RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_report_trans' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION cm_report_trans(internal, timestamptz, timestamptz, timestamptz, integer,
                             boolean, boolean, boolean, integer, integer, integer, float8,
                             float8, cm_report_options)
RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_report_trans' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION cm_report_trans(internal, timestamptz, timestamptz, timestamptz, integer,
                             boolean, boolean, boolean, integer, integer, integer, float8,
                             float8, text, cm_report_options)
RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_report_trans' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION cm_report_trans(internal, timestamptz, timestamptz, timestamptz, integer,
                             boolean, boolean, boolean, integer, integer, integer, float8,
                             float8, anyenum, cm_report_options)
RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_report_trans' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION cm_report_merge_trans(internal, cm_report_state) RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_report_merge_trans' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION cm_report_combine(internal, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_report_combine' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION cm_report_serialize(internal) RETURNS bytea
AS 'MODULE_PATHNAME', 'pgcm_report_serialize' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_report_deserialize(bytea, internal) RETURNS internal
AS 'MODULE_PATHNAME', 'pgcm_report_deserialize' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_report_final(internal) RETURNS cm_report_result
AS 'MODULE_PATHNAME', 'pgcm_report_final' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION cm_report_state_final(internal) RETURNS cm_report_state
AS 'MODULE_PATHNAME', 'pgcm_report_state_final' LANGUAGE C STABLE PARALLEL SAFE;

-- SSPACE: a report without calendar or exact quantiles takes about 340 kB with its
-- block of rows (docs/postgresql.md), which steers the planner away from hashing
-- many groups at once.
CREATE AGGREGATE cm_report(created timestamptz, first_reply timestamptz, solved timestamptz,
                           contacts integer, reopened boolean, escalated boolean,
                           abandoned boolean, csat integer, nps integer, ces integer,
                           wait_seconds float8, handle_seconds float8) (
  SFUNC = cm_report_trans, STYPE = internal, SSPACE = 340000, FINALFUNC = cm_report_final,
  COMBINEFUNC = cm_report_combine, SERIALFUNC = cm_report_serialize,
  DESERIALFUNC = cm_report_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE cm_report(created timestamptz, first_reply timestamptz, solved timestamptz,
                           contacts integer, reopened boolean, escalated boolean,
                           abandoned boolean, csat integer, nps integer, ces integer,
                           wait_seconds float8, handle_seconds float8,
                           options cm_report_options) (
  SFUNC = cm_report_trans, STYPE = internal, SSPACE = 340000, FINALFUNC = cm_report_final,
  COMBINEFUNC = cm_report_combine, SERIALFUNC = cm_report_serialize,
  DESERIALFUNC = cm_report_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE cm_report(created timestamptz, first_reply timestamptz, solved timestamptz,
                           contacts integer, reopened boolean, escalated boolean,
                           abandoned boolean, csat integer, nps integer, ces integer,
                           wait_seconds float8, handle_seconds float8, priority text,
                           options cm_report_options) (
  SFUNC = cm_report_trans, STYPE = internal, SSPACE = 340000, FINALFUNC = cm_report_final,
  COMBINEFUNC = cm_report_combine, SERIALFUNC = cm_report_serialize,
  DESERIALFUNC = cm_report_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE cm_report(created timestamptz, first_reply timestamptz, solved timestamptz,
                           contacts integer, reopened boolean, escalated boolean,
                           abandoned boolean, csat integer, nps integer, ces integer,
                           wait_seconds float8, handle_seconds float8, priority anyenum,
                           options cm_report_options) (
  SFUNC = cm_report_trans, STYPE = internal, SSPACE = 340000, FINALFUNC = cm_report_final,
  COMBINEFUNC = cm_report_combine, SERIALFUNC = cm_report_serialize,
  DESERIALFUNC = cm_report_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE cm_report_state(created timestamptz, first_reply timestamptz,
                                 solved timestamptz, contacts integer, reopened boolean,
                                 escalated boolean, abandoned boolean, csat integer,
                                 nps integer, ces integer, wait_seconds float8,
                                 handle_seconds float8) (
  SFUNC = cm_report_trans, STYPE = internal, SSPACE = 340000, FINALFUNC = cm_report_state_final,
  COMBINEFUNC = cm_report_combine, SERIALFUNC = cm_report_serialize,
  DESERIALFUNC = cm_report_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE cm_report_state(created timestamptz, first_reply timestamptz,
                                 solved timestamptz, contacts integer, reopened boolean,
                                 escalated boolean, abandoned boolean, csat integer,
                                 nps integer, ces integer, wait_seconds float8,
                                 handle_seconds float8, options cm_report_options) (
  SFUNC = cm_report_trans, STYPE = internal, SSPACE = 340000, FINALFUNC = cm_report_state_final,
  COMBINEFUNC = cm_report_combine, SERIALFUNC = cm_report_serialize,
  DESERIALFUNC = cm_report_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE cm_report_state(created timestamptz, first_reply timestamptz,
                                 solved timestamptz, contacts integer, reopened boolean,
                                 escalated boolean, abandoned boolean, csat integer,
                                 nps integer, ces integer, wait_seconds float8,
                                 handle_seconds float8, priority text,
                                 options cm_report_options) (
  SFUNC = cm_report_trans, STYPE = internal, SSPACE = 340000, FINALFUNC = cm_report_state_final,
  COMBINEFUNC = cm_report_combine, SERIALFUNC = cm_report_serialize,
  DESERIALFUNC = cm_report_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE cm_report_state(created timestamptz, first_reply timestamptz,
                                 solved timestamptz, contacts integer, reopened boolean,
                                 escalated boolean, abandoned boolean, csat integer,
                                 nps integer, ces integer, wait_seconds float8,
                                 handle_seconds float8, priority anyenum,
                                 options cm_report_options) (
  SFUNC = cm_report_trans, STYPE = internal, SSPACE = 340000, FINALFUNC = cm_report_state_final,
  COMBINEFUNC = cm_report_combine, SERIALFUNC = cm_report_serialize,
  DESERIALFUNC = cm_report_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE cm_report_merge(cm_report_state) (
  SFUNC = cm_report_merge_trans, STYPE = internal, SSPACE = 340000,
  FINALFUNC = cm_report_state_final, COMBINEFUNC = cm_report_combine,
  SERIALFUNC = cm_report_serialize, DESERIALFUNC = cm_report_deserialize, PARALLEL = SAFE);

CREATE FUNCTION cm_report_result(report cm_report_state) RETURNS cm_report_result
AS 'MODULE_PATHNAME', 'pgcm_report_result' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_report_sla(report cm_report_state, metric text, priority text DEFAULT 'all')
RETURNS cm_report_sla
AS 'MODULE_PATHNAME', 'pgcm_report_sla' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_report_bad_rows(report cm_report_state)
RETURNS TABLE (row_number bigint, column_name text, value text, expected text)
AS 'MODULE_PATHNAME', 'pgcm_report_bad_rows' LANGUAGE C STABLE STRICT PARALLEL SAFE ROWS 16;

-- ---- Erlang C ----------------------------------------------------------------------------

CREATE FUNCTION cm_erlang_b(traffic float8, agents integer) RETURNS float8
AS 'MODULE_PATHNAME', 'pgcm_erlang_b' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_erlang_c(traffic float8, agents integer) RETURNS float8
AS 'MODULE_PATHNAME', 'pgcm_erlang_c' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_service_level(traffic float8, agents integer, aht_seconds float8,
                                 target_seconds float8) RETURNS float8
AS 'MODULE_PATHNAME', 'pgcm_service_level' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_erlang_asa(traffic float8, agents integer, aht_seconds float8) RETURNS float8
AS 'MODULE_PATHNAME', 'pgcm_erlang_asa' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION cm_erlang_agents(traffic float8, aht_seconds float8, target_sl float8,
                                 target_seconds float8, max_occupancy float8 DEFAULT 1.0)
RETURNS bigint
AS 'MODULE_PATHNAME', 'pgcm_erlang_agents' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
