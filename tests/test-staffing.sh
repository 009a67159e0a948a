#!/bin/sh
# End-to-end tests of caremetrics-staffing on small hand-made forecasts.
# usage: test-staffing.sh STAFFING_BINARY
set -u
staffing=$1
. "$(dirname "$0")/tap.sh"

has() { grep -E -q -- "$2" "$1"; }

# Hand-made forecast in hour intervals. Expected (the seeds, and by hand):
#  09:00  60 calls x 6 min  =  6 Erlangs -> 9 agents, SL 83.4 %
#  10:00 300 calls x 6 min  = 30 Erlangs -> 36 agents, SL 84.8 %
#  11:00   0 calls          ->  0 agents
#  agent-hours 9 + 36 = 45; FTE = 45 / 0.70 / 8 = 8.04
#  workload (60 + 300) x 360 s = 36 h; at 100 % occupancy 36 / 0.70 / 8 = 6.43
cat >"$tmp/hand.csv" <<'CSV'
interval_start,volume,aht_seconds
09:00,60,360
10:00,300,360
11:00,0,360
CSV
"$staffing" --interval 60 --max-occupancy 1 "$tmp/hand.csv" >"$tmp/out" 2>"$tmp/err"
check "hand forecast: exit 0" $?
has "$tmp/out" "^09:00 +60.0 +6m 00s +6.00 +9 +83.4 %"; check "60 calls/h: 9 agents, 83.4 %" $?
has "$tmp/out" "^10:00 +300.0 +6m 00s +30.00 +36 +84.8 %"; check "300 calls/h: 36 agents, 84.8 %" $?
has "$tmp/out" "^11:00 +0.0 .* 0 +100.0 %"; check "no calls: no agents" $?
has "$tmp/out" "3 intervals, 360 contacts, workload 36.0 h, 45.0 agent-hours"; check "day totals" $?
has "$tmp/out" "FTE \(interval staffing.* 8.04$"; check "FTE from interval staffing 8.04" $?
has "$tmp/out" "FTE \(workload at 100 % occupancy.* 6.43$"; check "FTE from workload 6.43" $?
[ ! -s "$tmp/err" ]; check "nothing on stderr" $?

# Erlang A: a 5-minute mean patience needs 34 agents at 10:00 (the seed's "30-34"),
# running at 85.8 % occupancy; under the default 85 % cap it takes 35 (2.1 % abandon).
"$staffing" --interval 60 --max-occupancy 1 --patience 300 "$tmp/hand.csv" >"$tmp/out" 2>"$tmp/err"
check "--patience: exit 0" $?
has "$tmp/out" "^10:00 .* 36 .* 34 +2.8 %$"; check "Erlang A: 34 agents, 2.8 % abandon" $?
"$staffing" --interval 60 --patience 300 "$tmp/hand.csv" >"$tmp/out" 2>"$tmp/err"
has "$tmp/out" "^10:00 .* 36 .* 35 +2.1 %$"; check "Erlang A under the 85 % cap: 35 agents" $?

# The occupancy cap binds at 50 %: 30 Erlangs need 60 agents.
"$staffing" --interval 60 --max-occupancy 0.5 "$tmp/hand.csv" >"$tmp/out" 2>"$tmp/err"
has "$tmp/out" "^10:00 .* 60 .*50.0 %$"; check "occupancy cap 50 %: 60 agents" $?

# Columns in any order, extra columns, quotes, CRLF, RFC 3339 starts.
printf 'site,aht_seconds,"volume",interval_start\r\nx,360,"60",2025-03-10T09:00:00Z\r\n' >"$tmp/crlf.csv"
"$staffing" --interval 60 "$tmp/crlf.csv" >"$tmp/out" 2>"$tmp/err"
check "reordered columns, CRLF: exit 0" $?
has "$tmp/out" "^2025-03-10T09:00:00Z +60.0 .* 9 +83.4 %"; check "reordered columns read by name" $?

# Bad rows: reported with their line numbers and skipped.
cat >"$tmp/bad.csv" <<'CSV'
interval_start,volume,aht_seconds
09:00,60,360
25:00,60,360
10:00,-5,360
10:30,x,360
11:00,10,0
"11:30,10,300
12:00,10,300
CSV
"$staffing" "$tmp/bad.csv" >"$tmp/out" 2>"$tmp/err"
check "bad rows: exit 0" $?
has "$tmp/err" "line 3: bad value in column interval_start"; check "hour 25 reported" $?
has "$tmp/err" "line 4: bad value in column volume"; check "negative volume reported" $?
has "$tmp/err" "line 5: bad value in column volume"; check "non-numeric volume reported" $?
has "$tmp/err" "line 6: bad value in column aht_seconds"; check "zero AHT reported" $?
has "$tmp/err" "line 7: unreadable line"; check "unbalanced quote reported" $?
has "$tmp/out" "2 intervals"; check "good rows kept" $?
has "$tmp/out" "bad rows skipped: 5"; check "bad rows counted" $?

"$staffing" --strict "$tmp/bad.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ]; check "--strict: exit 1" $?
has "$tmp/err" "line 3:"; check "--strict names the line" $?

: >"$tmp/empty.csv"
"$staffing" "$tmp/empty.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ]; check "0-byte file: exit 1" $?
has "$tmp/err" "no header line"; check "0-byte file: message" $?

printf 'interval_start,volume\n09:00,5\n' >"$tmp/cols.csv"
"$staffing" "$tmp/cols.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ]; check "missing column: exit 1" $?
has "$tmp/err" "needs the columns interval_start, volume and aht_seconds"; check "missing column: message" $?

printf 'interval_start,volume,aht_seconds\n' >"$tmp/header.csv"
"$staffing" "$tmp/header.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ]; check "header only: exit 1" $?
has "$tmp/err" "no intervals"; check "header only: message" $?

"$staffing" "$tmp/does-not-exist.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ]; check "missing file: exit 1" $?

for bad in "--target 1" "--target 0" "--max-occupancy 0" "--shrinkage 1" "--interval 0" \
    "--patience -1" "--seconds x" "--bogus"; do
    # shellcheck disable=SC2086
    "$staffing" $bad "$tmp/hand.csv" >"$tmp/out" 2>"$tmp/err"
    [ $? -eq 2 ]; check "bad option '$bad': usage, exit 2" $?
done

# The bundled sample forecast (the default input).
"$staffing" >"$tmp/out" 2>"$tmp/err"
check "bundled sample: exit 0" $?
has "$tmp/out" "22 intervals, 2146 contacts"; check "bundled sample: 22 intervals" $?
has "$tmp/out" "^10:00 +150.0 +6m 00s +30.00 +36 +84.8 %"; check "bundled sample: 10:00 needs 36" $?
[ ! -s "$tmp/err" ]; check "bundled sample: nothing on stderr" $?

tap_end
