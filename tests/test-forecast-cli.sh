#!/bin/sh
# End-to-end tests of caremetrics-forecast on small hand-made histories.
# usage: test-forecast-cli.sh FORECAST_BINARY
set -u
forecast=$1
. "$(dirname "$0")/tap.sh"

has() { grep -E -q -- "$2" "$1"; }

# history FILE FIRST_DATE DAYS PHONE_HOUR_UTC CHAT_HOUR_UTC: every day 60 phone calls
# in one hour and 60 chats in another, one a minute, each handled in 6 minutes.
history() {
    echo "ticket_id,created_at,channel,handle_seconds" >"$1"
    i=0
    while [ "$i" -lt "$3" ]; do
        d=$(date -u -d "$2 +$i days" +%F)
        awk -v d="$d" -v ph="$4" -v ch="$5" 'BEGIN {
            for (m = 0; m < 60; m++) printf "p%s%02d,%sT%02d:%02d:00Z,phone,360\n", d, m, d, ph, m
            for (m = 0; m < 60; m++) printf "c%s%02d,%sT%02d:%02d:00Z,chat,360\n", d, m, d, ch, m
        }' >>"$1"
        i=$((i + 1))
    done
}

# Four weeks from Monday 3 March 2025: the forecast starts on Monday 31 March.
# Expected (the seeds, and by hand): 60 calls an hour with a 6-minute handle
# time are 6 Erlangs; 80/20 needs 9 agents (83.4 %). Chat, 6 Erlangs with two
# chats per agent: 9 servers, so 5 agents (10 servers); with three, 3 agents.
history "$tmp/hand.csv" 2025-03-03 28 9 10
"$forecast" --method naive --interval 60 --days 7 --format csv "$tmp/hand.csv" >"$tmp/out" 2>"$tmp/err"
check "naive, CSV: exit 0" $?
[ ! -s "$tmp/err" ]; check "nothing on stderr" $?
head -1 "$tmp/out" | grep -q '^channel,method,interval_start,local_time,utc_offset,seconds,open_seconds,volume,lo,hi,aht_seconds,traffic,agents,'
check "CSV header" $?
has "$tmp/out" "^phone,naive,2025-03-31T09:00:00Z,2025-03-31 09:00,\+00:00,3600,3600,60,60,60,360,6,9,12.8571,0.83"
check "phone 09:00: 60 calls, 6 Erlangs, 9 agents, SL 83 %" $?
has "$tmp/out" "^chat,naive,2025-04-06T10:00:00Z,.*,60,60,60,360,6,5,7.14286,0.9"
check "chat 10:00: 5 agents with 2 chats each" $?
has "$tmp/out" "^phone,naive,2025-03-31T08:00:00Z,.*,0,0,0,360,0,0,0,1,0,0,0$"
check "an empty hour: no agents" $?
[ "$(grep -c '^phone,' "$tmp/out")" -eq 168 ]; check "7 days x 24 phone rows" $?

"$forecast" --method naive --interval 60 --days 7 --chat-concurrency 3 --format csv "$tmp/hand.csv" >"$tmp/out" 2>"$tmp/err"
has "$tmp/out" "^chat,naive,2025-03-31T10:00:00Z,.*,60,60,60,360,6,3,"
check "--chat-concurrency 3: 3 agents" $?

# Half-hour intervals: 30 calls per half hour, the same 6 Erlangs.
"$forecast" --method naive --days 7 --format csv "$tmp/hand.csv" >"$tmp/out" 2>"$tmp/err"
has "$tmp/out" "^phone,naive,2025-03-31T09:30:00Z,.*,1800,1800,30,30,30,360,6,9,"
check "30-minute intervals: 9 agents" $?

# The text report: totals, FTE, the peak.
"$forecast" --method naive --interval 60 --days 7 "$tmp/hand.csv" >"$tmp/out" 2>"$tmp/err"
check "text: exit 0" $?
has "$tmp/out" "^history 2025-03-03 \.\. 2025-03-30 \(28 days, 3360 contacts\), forecast 2025-03-31 \.\. 2025-04-06"
check "text: history and forecast dates" $?
# Phone: 7 hours of 9 agents = 63 agent-hours; at 30 % shrinkage 90 h; an FTE
# works 5 shifts of 8 h in 7 days: 90 / 40 = 2.25.
has "$tmp/out" "420.0 contacts, workload 42.0 h, 63.0 agent-hours on queue \(erlang-c\), 90.0 h scheduled, FTE 2.25"
check "text: phone totals and FTE 2.25" $?
has "$tmp/out" "peak 9 agents at 2025-03-31 09:00 \(13 on shift\), 1.00x the average"
check "text: the peak" $?

# The backtest: a pattern that repeats exactly is forecast without error.
"$forecast" --interval 60 --days 7 "$tmp/hand.csv" >"$tmp/out" 2>"$tmp/err"
check "auto: exit 0" $?
has "$tmp/out" "^phone: naive, best of a 3-week backtest: RMSE 0.00, MAE 0.00"
check "auto: 3-week backtest, naive wins with no error" $?

# JSON that parses, with the backtest's scores of every method.
"$forecast" --interval 60 --days 7 --format json "$tmp/hand.csv" >"$tmp/out" 2>"$tmp/err"
check "JSON: exit 0" $?
if [ -x /usr/bin/python3 ]; then
    /usr/bin/python3 - "$tmp/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ch = {c["channel"]: c for c in d["channels"]}
assert set(ch) == {"phone", "chat"}, ch.keys()
p = ch["phone"]
assert p["method"] == "naive" and p["queue"] == "erlang-c"
assert set(p["backtest"]["scores"]) == {"naive", "mean", "median", "holt-winters", "taylor"}
nine = [i for i in p["intervals"] if i["local"].endswith("09:00")]
assert len(nine) == 7 and all(i["agents"] == 9 and abs(i["volume"] - 60) < 1e-9 for i in nine)
assert p["summary"]["peak_agents"] == 9
PY
    check "JSON: parses; 9 agents at 09:00 every day" $?
fi

# Holidays: a closed date in the forecast has no volume and no agents.
printf 'tz UTC\nmon-sun 00:00-24:00\n2025-04-01 closed\n' >"$tmp/holiday.cal"
"$forecast" --calendar "$tmp/holiday.cal" --method naive --interval 60 --days 7 --format csv "$tmp/hand.csv" >"$tmp/out" 2>"$tmp/err"
check "holiday calendar: exit 0" $?
has "$tmp/out" "^phone,naive,2025-04-01T09:00:00Z,2025-04-01 09:00,\+00:00,3600,0,0,0,0,360,0,0,"
check "holiday: 0 calls, 0 agents" $?
has "$tmp/out" "^phone,naive,2025-04-02T09:00:00Z,.*,3600,3600,60,"
check "the day after: 60 calls again" $?

# DST: New York falls back on Sunday 2 November 2025. Calls at 09:00 local
# (13:00Z in October) stay at 09:00 local (14:00Z) in the forecast.
history "$tmp/fall.csv" 2025-10-05 28 13 14
printf 'tz America/New_York\nmon-sun 00:00-24:00\n' >"$tmp/ny.cal"
"$forecast" --calendar "$tmp/ny.cal" --method naive --interval 60 --days 2 --format csv "$tmp/fall.csv" >"$tmp/out" 2>"$tmp/err"
check "New York: exit 0" $?
[ "$(grep -c '^phone,naive,.*,2025-11-02 ' "$tmp/out")" -eq 25 ]; check "2 November has 25 hourly intervals" $?
has "$tmp/out" "^phone,naive,2025-11-03T14:00:00Z,2025-11-03 09:00,-05:00,3600,3600,60,"
check "09:00 local after the change: 60 calls at 14:00Z" $?

# Other methods run on the same history.
for m in mean median holt-winters taylor; do
    "$forecast" --method "$m" --interval 60 --days 7 --format csv "$tmp/hand.csv" >"$tmp/out" 2>"$tmp/err"
    check "--method $m: exit 0" $?
done
"$forecast" --method taylor --channel chat --days 3 "$tmp/hand.csv" >"$tmp/out" 2>"$tmp/err"
has "$tmp/out" "^chat: taylor" && ! has "$tmp/out" "^phone:"
check "--channel chat: chat only" $?

# No handle times: volumes only.
cut -d, -f1-3 "$tmp/hand.csv" >"$tmp/nohandle.csv"
"$forecast" --method naive --days 7 "$tmp/nohandle.csv" >"$tmp/out" 2>"$tmp/err"
check "no handle_seconds: exit 0" $?
has "$tmp/out" "no handle times in the history: volumes only"; check "no handle_seconds: said so" $?

# Bad rows are reported with their line numbers and skipped.
{
    head -200 "$tmp/hand.csv"
    echo "x1,2025-02-30T09:00:00Z,phone,360"
    echo "x2,2025-03-05T09:00:00Z,fax,360"
    echo "x3,2025-03-05T09:00:00Z,phone,-4"
    echo 'x4,"2025-03-05T09:00:00Z,phone,360'
    tail -n +201 "$tmp/hand.csv"
} >"$tmp/bad.csv"
"$forecast" --method naive --days 7 "$tmp/bad.csv" >"$tmp/out" 2>"$tmp/err"
check "bad rows: exit 0" $?
has "$tmp/err" "line 201: bad value in column created_at"; check "bad date reported" $?
has "$tmp/err" "line 202: bad value in column channel"; check "unknown channel reported" $?
has "$tmp/err" "line 203: bad value in column handle_seconds"; check "negative handle time reported" $?
has "$tmp/err" "line 204: unreadable line"; check "unbalanced quote reported" $?
has "$tmp/out" "bad rows skipped: 4"; check "bad rows counted" $?
"$forecast" --strict --method naive "$tmp/bad.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ]; check "--strict: exit 1" $?

# Errors: a clear message and exit status 1; bad options: usage and 2.
expect_error() { # description, message pattern, arguments...
    what=$1 pattern=$2
    shift 2
    "$forecast" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ $rc -eq 1 ] && has "$tmp/err" "$pattern"
    check "$what: exit 1 and a message" $?
}
expect_error "missing file" "No such file" "$tmp/none.csv"
: >"$tmp/empty.csv"
expect_error "0-byte file" "no header line" "$tmp/empty.csv"
printf 'ticket_id,created_at\n1,2025-03-03T09:00:00Z\n' >"$tmp/cols.csv"
expect_error "missing channel column" "needs the columns created_at and channel" "$tmp/cols.csv"
printf 'created_at,channel\n' >"$tmp/header.csv"
expect_error "header only" "no rows" "$tmp/header.csv"
head -361 "$tmp/hand.csv" >"$tmp/short.csv"
expect_error "3 days of history" "history too short: 3 days before 2025-03-06, at least 7 needed" "$tmp/short.csv"
head -1201 "$tmp/hand.csv" >"$tmp/ten.csv"
expect_error "taylor on 10 days" "the taylor method needs more history than 10 days" --method taylor "$tmp/ten.csv"
printf 'tz UTC\nmon-fri 09:00-25:00\n' >"$tmp/bad.cal"
expect_error "bad calendar" "bad.cal: line 2, column" --calendar "$tmp/bad.cal" "$tmp/hand.csv"
expect_error "a channel without arrivals" "no arrivals from 2025-03-03 to 2025-03-30" --channel social "$tmp/hand.csv"
expect_error "bad --start" "not a date" --start 2025-13-01 "$tmp/hand.csv"
expect_error "--start before the history" "history too short" --start 2025-03-01 "$tmp/hand.csv"
"$forecast" --interval 7 "$tmp/hand.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && has "$tmp/err" "must divide a day"; check "--interval 7: exit 2, must divide a day" $?
for bad in "--method bogus" "--format xml" "--days 0" "--confidence 1" "--chat-concurrency 0" \
    "--target 1" "--shrinkage 1" "--channel fax" "--criterion best" "--bogus 1"; do
    # shellcheck disable=SC2086
    "$forecast" $bad "$tmp/hand.csv" >"$tmp/out" 2>"$tmp/err"
    [ $? -eq 2 ]; check "bad option '$bad': usage, exit 2" $?
done

# The bundled sample (the default input).
"$forecast" --days 3 >"$tmp/out" 2>"$tmp/err"
check "bundled sample: exit 0" $?
for c in phone chat email social messaging; do
    has "$tmp/out" "^$c: "; check "bundled sample: $c forecast" $?
done
[ ! -s "$tmp/err" ]; check "bundled sample: nothing on stderr" $?

tap_end
