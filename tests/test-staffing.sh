#!/bin/sh
# End-to-end tests of caremetrics-staffing on small hand-made forecasts.
# usage: test-staffing.sh STAFFING_BINARY
set -u
staffing=$1
. "$(dirname "$0")/tap.sh"

has() { grep -E -q -- "$2" "$1"; }
# The file has exactly this line (fixed string).
line_is() { grep -F -x -q -- "$2" "$1"; }
skip() { # description, reason
    n=$((n + 1))
    echo "ok $n - $1 # SKIP $2"
}
py=/usr/bin/python3
have_py() { [ -x "$py" ]; }

P=caremetrics-staffing
usage_line="usage: caremetrics-staffing [--format text|json|csv] [--interval MINUTES] [--target SL]"

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

# ---- bad lines: each reported as FILE:LINE: column NAME: value "VALUE": expected ...,
# skipped, and the plan goes on for the others (exit status 3).
V="expected a number of contacts, finite and >= 0"
A="expected seconds, > 0 and at most 1e+09"
S="expected HH:MM or an RFC 3339 instant such as 2025-03-10T09:00:00Z"
Q="expected fields separated by commas (RFC 4180): a quote is unbalanced or misplaced"
{
    printf 'interval_start,volume,aht_seconds\n'
    printf '09:00,60,360\n'      # 2 good
    printf '25:00,60,360\n'      # 3 hour 25
    printf '10:00,-5,360\n'      # 4 negative
    printf '10:30,x,360\n'       # 5 not a number
    printf '11:00,10,0\n'        # 6 zero AHT
    printf '"11:30,10,300\n'     # 7 unbalanced quote
    printf '12:00,nan,300\n'     # 8 NaN
    printf '12:30,inf,300\n'     # 9 infinity
    printf '13:00,1e12,360\n'    # 10 traffic out of range
    printf '13:30,10,1e10\n'     # 11 AHT out of range
    printf '14:00,10,300,7\n'    # 12 too many columns
    printf '14:30,10\n'          # 13 too few
    printf '15:00,3\000999,300\n' # 14 a NUL byte inside a field
    printf '15:30,,300\n'        # 15 empty
    printf '\n'                  # 16 blank: ignored
    printf '16:00,-0.0001,300\n' # 17 negative
    printf '16:30,10,-360\n'     # 18 negative AHT
    printf '17:00,300,360\n'     # 19 good
} >"$tmp/bad.csv"
"$staffing" --interval 60 "$tmp/bad.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 3 ]; check "bad lines: plan printed, exit 3" $?
f="$P: $tmp/bad.csv"
line_is "$tmp/err" "$f:3: column interval_start: value \"25:00\": $S"; check "hour 25 reported" $?
line_is "$tmp/err" "$f:4: column volume: value \"-5\": $V"; check "negative volume reported" $?
line_is "$tmp/err" "$f:5: column volume: value \"x\": $V"; check "unparsable volume reported" $?
line_is "$tmp/err" "$f:6: column aht_seconds: value \"0\": $A"; check "zero AHT reported" $?
line_is "$tmp/err" "$f:7: $Q"; check "unbalanced quote reported" $?
line_is "$tmp/err" "$f:8: column volume: value \"nan\": $V"; check "NaN reported" $?
line_is "$tmp/err" "$f:9: column volume: value \"inf\": $V"; check "infinity reported" $?
line_is "$tmp/err" "$f:10: column volume: value \"1e12\": expected at most 1e+06 Erlangs of traffic (volume x aht_seconds / 3600 s): value outside its scale or domain"
check "traffic out of range reported, with the library's message" $?
line_is "$tmp/err" "$f:11: column aht_seconds: value \"1e10\": $A"; check "AHT out of range reported" $?
line_is "$tmp/err" "$f:12: expected 3 fields as in the header, found 4"; check "too many columns reported" $?
line_is "$tmp/err" "$f:13: expected 3 fields as in the header, found 2"; check "too few columns reported" $?
line_is "$tmp/err" "$f:14: column volume: value \"3\\x00999\": $V"; check "NUL byte in a field reported" $?
line_is "$tmp/err" "$f:15: column volume: value \"\": $V"; check "empty volume reported" $?
line_is "$tmp/err" "$f:17: column volume: value \"-0.0001\": $V"; check "small negative reported" $?
line_is "$tmp/err" "$f:18: column aht_seconds: value \"-360\": $A"; check "negative AHT reported" $?
[ "$(wc -l <"$tmp/err")" -eq 15 ]; check "one message per bad line, none for the blank line" $?
has "$tmp/out" "^09:00 +60.0 +6m 00s +6.00 +9 +83.4 %"; check "good line before the bad ones kept" $?
has "$tmp/out" "^17:00 +300.0 +6m 00s +30.00 +36 +84.8 %"; check "good line after the bad ones kept" $?
has "$tmp/out" "2 intervals, 360 contacts"; check "only the good lines planned" $?
has "$tmp/out" "bad rows skipped: 15"; check "bad lines counted" $?

# One interval whose traffic is out of range no longer loses the plan.
printf 'interval_start,volume,aht_seconds\n09:00,60,360\n10:00,1e12,360\n' >"$tmp/huge.csv"
"$staffing" --interval 60 "$tmp/huge.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 3 ]; check "out-of-range traffic: exit 3" $?
has "$tmp/out" "^09:00 .* 9 +83.4 %"; check "out-of-range traffic: the other interval planned" $?
has "$tmp/err" "huge.csv:3: column volume: value \"1e12\""; check "out-of-range traffic: line named" $?

"$staffing" --strict "$tmp/bad.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ]; check "--strict: exit 1" $?
line_is "$tmp/err" "$f:3: column interval_start: value \"25:00\": $S"; check "--strict names the line" $?
line_is "$tmp/err" "$P: --strict: no plan with a bad line"; check "--strict says why" $?
[ "$(wc -l <"$tmp/err")" -eq 2 ]; check "--strict stops at the first bad line" $?
[ ! -s "$tmp/out" ]; check "--strict: no plan printed" $?

# Line ends: CR only, CRLF, and a last line without one; line numbers follow them.
printf 'interval_start,volume,aht_seconds\r09:00,60,360\rx,1,1\r10:00,300,360' >"$tmp/cr.csv"
"$staffing" --interval 60 "$tmp/cr.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 3 ]; check "CR-only line ends: exit 3 (one bad line)" $?
has "$tmp/out" "^09:00 .* 9 +83.4 %" && has "$tmp/out" "^10:00 .* 36 +84.8 %"
check "CR-only line ends: both intervals planned" $?
line_is "$tmp/err" "$P: $tmp/cr.csv:3: column interval_start: value \"x\": $S"
check "CR-only line ends: line 3 named" $?
printf 'interval_start,volume,aht_seconds\r\n09:00,60,360\r\n10:00,x\r\n\r\n11:00,300,360\r\n' >"$tmp/crlf2.csv"
"$staffing" --interval 60 "$tmp/crlf2.csv" >"$tmp/out" 2>"$tmp/err"
line_is "$tmp/err" "$P: $tmp/crlf2.csv:3: expected 3 fields as in the header, found 2"
check "CRLF: CR not part of the value, lines counted once" $?
has "$tmp/out" "^11:00 .* 36 +84.8 %"; check "CRLF: line after a blank CRLF line read" $?

# ---- the header
# Any number of columns; unknown ones ignored, wherever the needed ones are.
wide=$(i=1; while [ $i -le 300 ]; do printf 'extra%d,' $i; i=$((i + 1)); done)
vals=$(i=1; while [ $i -le 300 ]; do printf '%d,' $i; i=$((i + 1)); done)
printf '%sinterval_start,volume,aht_seconds\n%s09:00,60,360\n' "$wide" "$vals" >"$tmp/wide.csv"
"$staffing" --interval 60 "$tmp/wide.csv" >"$tmp/out" 2>"$tmp/err"
check "303 columns: exit 0" $?
has "$tmp/out" "^09:00 .* 9 +83.4 %"; check "303 columns: read by name" $?
printf 'note,interval_start,note,volume,aht_seconds\na,09:00,b,60,360\n' >"$tmp/dupx.csv"
"$staffing" --interval 60 "$tmp/dupx.csv" >"$tmp/out" 2>"$tmp/err"
check "an unknown column twice is ignored" $?
printf '\357\273\277interval_start,volume,aht_seconds\n09:00,60,360\n' >"$tmp/bom.csv"
"$staffing" --interval 60 "$tmp/bom.csv" >"$tmp/out" 2>"$tmp/err"
has "$tmp/out" "^09:00 .* 9 +83.4 %"; check "UTF-8 byte order mark before the header" $?

printf 'interval_start,volume,aht_seconds,volume\n09:00,60,360,60\n' >"$tmp/dup.csv"
"$staffing" "$tmp/dup.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ]; check "duplicate column: exit 1" $?
line_is "$tmp/err" "$P: $tmp/dup.csv:1: column volume appears twice in the header (fields 2 and 4)"
check "duplicate column: named" $?

: >"$tmp/empty.csv"
"$staffing" "$tmp/empty.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ]; check "0-byte file: exit 1" $?
has "$tmp/err" "no header line"; check "0-byte file: message" $?
"$staffing" /dev/null >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ]; check "/dev/null: exit 1" $?
line_is "$tmp/err" "$P: /dev/null: empty file, no header line: expected the columns interval_start, volume and aht_seconds"
check "/dev/null: a clear message" $?
printf '\n09:00,60,360\n' >"$tmp/blankhead.csv"
"$staffing" "$tmp/blankhead.csv" >"$tmp/out" 2>"$tmp/err"
line_is "$tmp/err" "$P: $tmp/blankhead.csv:1: empty header line: expected the columns interval_start, volume and aht_seconds"
check "empty first line: message" $?

printf 'interval_start,volume\n09:00,5\n' >"$tmp/cols.csv"
"$staffing" "$tmp/cols.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ]; check "missing column: exit 1" $?
has "$tmp/err" "needs the columns interval_start, volume and aht_seconds"; check "missing column: message" $?
line_is "$tmp/err" "$P: $tmp/cols.csv:1: the header has no column aht_seconds (the header needs the columns interval_start, volume and aht_seconds)"
check "missing column: named" $?
printf 'start,volume\n' >"$tmp/cols2.csv"
"$staffing" "$tmp/cols2.csv" >"$tmp/out" 2>"$tmp/err"
has "$tmp/err" "cols2.csv:1: the header has no column interval_start, no column aht_seconds "
check "two missing columns: both named" $?

printf 'interval_start,volume,aht_seconds\n' >"$tmp/header.csv"
"$staffing" "$tmp/header.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ]; check "header only: exit 1" $?
has "$tmp/err" "no intervals"; check "header only: message" $?
printf 'interval_start,volume,aht_seconds\n09:00,x,360\n' >"$tmp/allbad.csv"
"$staffing" "$tmp/allbad.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ]; check "every line bad: exit 1" $?
line_is "$tmp/err" "$P: $tmp/allbad.csv: no intervals: every line after the header is bad (1)"
check "every line bad: message" $?

"$staffing" "$tmp/does-not-exist.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ]; check "missing file: exit 1" $?
has "$tmp/err" "does-not-exist.csv: No such file or directory"; check "missing file: message" $?

# ---- bounded reading
"$staffing" /dev/zero >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ]; check "/dev/zero: exit 1" $?
line_is "$tmp/err" "$P: /dev/zero:1: header line longer than 65536 bytes: not a forecast CSV"
check "/dev/zero: stops at the line length cap" $?

# A line over 65536 bytes is a bad line; the next line is still read.
long=$(head -c 70000 /dev/zero | tr '\0' 7)
printf 'interval_start,volume,aht_seconds\n09:00,%s,360\n10:00,300,360\n' "$long" >"$tmp/long.csv"
"$staffing" --interval 60 "$tmp/long.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 3 ]; check "long line: exit 3" $?
line_is "$tmp/err" "$P: $tmp/long.csv:2: expected a line of at most 65536 bytes"; check "long line: reported" $?
has "$tmp/out" "^10:00 .* 36 +84.8 %"; check "long line: the next line planned" $?

# An input that never ends stops after 64 MiB, in bounded memory.
{ printf 'interval_start,volume,aht_seconds\n09:00,60,360\n'; cat /dev/zero; } |
    "$staffing" - >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ]; check "endless line: exit 1" $?
has "$tmp/err" "^$P: \(standard input\):3: more than 64 MiB of input: stopping"; check "endless line: message" $?
if have_py; then
    # Peak memory of the program reading 64 MiB: far below the input's size.
    "$py" - "$staffing" <<'PY' >"$tmp/rss" 2>&1
import resource, subprocess, sys
p = subprocess.run("{ printf 'interval_start,volume,aht_seconds\\n'; cat /dev/zero; } | '%s' -"
                   % sys.argv[1], shell=True, capture_output=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
PY
    [ "$(cat "$tmp/rss")" -lt 48 ]; check "endless line: peak memory $(cat "$tmp/rss") MiB < 48 MiB" $?
else
    skip "endless line: peak memory" "no /usr/bin/python3"
fi

# More intervals than a day of one-minute intervals.
{ echo interval_start,volume,aht_seconds; yes 09:00,5,300 | head -n 1441; } >"$tmp/many.csv"
"$staffing" "$tmp/many.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ]; check "1441 intervals: exit 1" $?
line_is "$tmp/err" "$P: $tmp/many.csv:1442: more than 1440 intervals: stopping (a forecast covers one day, at most 1440 one-minute intervals)"
check "1441 intervals: message" $?
{ echo interval_start,volume,aht_seconds; yes 09:00,5,300 | head -n 1440; } >"$tmp/day.csv"
"$staffing" "$tmp/day.csv" >"$tmp/out" 2>"$tmp/err"
check "1440 intervals: exit 0" $?

# Bad lines past the first 100 are counted, not shown.
{ echo interval_start,volume,aht_seconds; yes 09:00,x,300 | head -n 150; echo 10:00,5,300; } >"$tmp/bad150.csv"
"$staffing" "$tmp/bad150.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 3 ]; check "150 bad lines: exit 3" $?
[ "$(grep -c ': column volume: value "x"' "$tmp/err")" -eq 100 ]; check "150 bad lines: 100 shown" $?
line_is "$tmp/err" "$P: $tmp/bad150.csv: 50 more bad lines are counted but not shown"; check "150 bad lines: the rest counted" $?
has "$tmp/out" "bad rows skipped: 150"; check "150 bad lines: all counted in the plan" $?

# ---- intervals the library cannot staff: printed with its message, the rest planned.
# Occupancy at most 1e-9: 1 Erlang needs 10^9 agents; 6 Erlangs would need 6x10^9, more
# than a uint32_t (CM_EOVERFLOW).
printf 'interval_start,volume,aht_seconds\n09:00,10,360\n10:00,60,360\n11:00,0,360\n' >"$tmp/cap.csv"
"$staffing" --interval 60 --max-occupancy 1e-9 "$tmp/cap.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 3 ]; check "unstaffable interval: exit 3" $?
has "$tmp/out" "^09:00 .* 1000000000 +100.0 %"; check "unstaffable interval: 09:00 gets 10^9 agents" $?
line_is "$tmp/out" "10:00                    60.0   6m 00s   cannot be staffed: value too large for its type"
check "unstaffable interval: the library's message" $?
has "$tmp/out" "^11:00 .* 0 +100.0 %"; check "unstaffable interval: 11:00 planned" $?
has "$tmp/out" "agent-hours on queue n/a \(1 interval not staffed\)"; check "unstaffable interval: no agent-hours" $?
has "$tmp/out" "^FTE \(interval staffing.* n/a$"; check "unstaffable interval: no interval FTE" $?
[ ! -s "$tmp/err" ]; check "unstaffable interval: not a bad line" $?
if have_py; then
    "$staffing" --interval 60 --max-occupancy 1e-9 --patience 300 --format json "$tmp/cap.csv" >"$tmp/cap.json"
    "$py" - "$tmp/cap.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
i = d["intervals"]
assert [x["status"] for x in i] == ["CM_OK", "CM_EOVERFLOW", "CM_OK"], i
assert i[1]["message"] == "value too large for its type", i[1]
assert all(i[1][k] is None for k in ("traffic_erlangs", "agents", "service_level", "asa_seconds", "occupancy")), i[1]
assert i[1]["erlang_a"]["status"] == "CM_EOVERFLOW" and i[1]["erlang_a"]["agents"] is None, i[1]
assert i[0]["agents"] == 10**9 and i[0]["traffic_erlangs"] == 1.0, i[0]
day = d["day"]
assert day["intervals"] == 3 and day["intervals_not_staffed"] == 1, day
s = day["interval_staffing"]
assert s["status"] == "CM_EOVERFLOW" and s["agent_hours"] is None and s["fte"] is None, s
assert day["workload_staffing"]["status"] == "CM_OK" and day["workload_staffing"]["workload_hours"] == 7.0, day
PY
    check "unstaffable interval: JSON null with the status beside it" $?
else
    skip "unstaffable interval: JSON" "no /usr/bin/python3"
fi
"$staffing" --interval 60 --max-occupancy 1e-9 --format csv "$tmp/cap.csv" >"$tmp/cap.out"
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    $c["row"] == "interval" && $c["interval_start"] == "10:00" {
        ok = $c["status"] == "CM_EOVERFLOW" && $c["agents"] == "" && $c["traffic_erlangs"] == "" }
    $c["row"] == "total" { tot = $c["status"] == "CM_EOVERFLOW" && $c["fte_interval_staffing"] == "" &&
                           $c["agent_hours"] == "" && $c["fte_workload"] != "" }
    END { exit !(ok && tot) }' "$tmp/cap.out"
check "unstaffable interval: CSV empty fields with the status beside them" $?

# Erlang A refused for every interval (patience over 10^4 handle times): the Erlang C
# plan stays, each interval shows the library's message.
"$staffing" --interval 60 --patience 1e7 "$tmp/hand.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 3 ]; check "Erlang A refused: exit 3" $?
has "$tmp/out" "^10:00 .* 36 +84.8 % .*   Erlang A: value outside its scale or domain$"
check "Erlang A refused: message per interval, Erlang C kept" $?
has "$tmp/out" "^FTE \(Erlang A interval staffing\) +n/a$"; check "Erlang A refused: no Erlang A FTE" $?
has "$tmp/out" "^FTE \(interval staffing.* 8.04$"; check "Erlang A refused: Erlang C FTE kept" $?

# ---- options: a specific message, then the usage; exit status 2.
bad_option() { # expected message, arguments...
    msg=$1
    shift
    "$staffing" "$@" "$tmp/hand.csv" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ $rc -eq 2 ] && line_is "$tmp/err" "$P: $msg" && line_is "$tmp/err" "$usage_line" &&
        [ ! -s "$tmp/out" ]
    check "bad option $*: message, usage, exit 2" $?
}
bad_option '--target: expected a fraction in (0, 1), got "x"' --target x
bad_option '--target: expected a fraction in (0, 1), got "1"' --target 1
bad_option '--target: expected a fraction in (0, 1), got "0"' --target 0
bad_option '--target: expected a fraction in (0, 1), got "nan"' --target nan
bad_option '--max-occupancy: expected a fraction in (0, 1], got "0"' --max-occupancy 0
bad_option '--shrinkage: expected a fraction in [0, 1), got "1"' --shrinkage 1
bad_option '--interval: expected minutes in (0, 1440], got "0"' --interval 0
bad_option '--interval: expected minutes in (0, 1440], got "1441"' --interval=1441
bad_option '--patience: expected seconds in (0, 10000000], got "-1"' --patience -1
bad_option '--seconds: expected seconds in [0, 86400], got "x"' --seconds x
bad_option '--seconds: expected seconds in [0, 86400], got "20s"' --seconds 20s
bad_option '--shift-hours: expected hours in (0, 24], got "25"' --shift-hours 25
bad_option '--format: expected text, json or csv, got "xml"' --format xml
bad_option '--strict: takes no value, got "yes"' --strict=yes
bad_option 'unknown option "--bogus"' --bogus
bad_option "more than one input file (\"$tmp/hand.csv\", \"$tmp/hand.csv\")" "$tmp/hand.csv"
"$staffing" --target >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && line_is "$tmp/err" "$P: --target: expected a fraction in (0, 1), got nothing"
check "option without its value: message, exit 2" $?
"$staffing" --help >"$tmp/out" 2>"$tmp/err"
check "--help: exit 0" $?
line_is "$tmp/out" "$usage_line" && [ ! -s "$tmp/err" ]; check "--help: usage on stdout" $?
has "$tmp/out" "^Exit status: 0 plan of every line; 1 no plan; 2 bad command line; 3 plan printed,"
check "--help: exit statuses" $?
"$staffing" --interval=60 --max-occupancy=1 -- "$tmp/hand.csv" >"$tmp/out" 2>"$tmp/err"
has "$tmp/out" "^10:00 .* 36 +84.8 %"; check "--name=value and -- accepted" $?
"$staffing" --interval 60 - <"$tmp/hand.csv" >"$tmp/out" 2>"$tmp/err"
has "$tmp/out" "^10:00 .* 36 +84.8 %"; check "'-' reads standard input" $?

# ---- JSON and CSV carry every figure of the text, with the digits to read back each double.
"$staffing" --patience 300 >"$tmp/sample.txt" 2>"$tmp/err"
"$staffing" --patience 300 --format json >"$tmp/sample.json" 2>>"$tmp/err"
check "--format json: exit 0" $?
"$staffing" --patience 300 --format csv >"$tmp/sample.csv" 2>>"$tmp/err"
check "--format csv: exit 0" $?
[ ! -s "$tmp/err" ]; check "JSON and CSV: nothing on stderr" $?
# Every row as many fields as the header (no field holds a comma), one total row, last.
awk -F, 'NR == 1 { n = NF } NF != n { bad = 1 } END { exit bad || n != 36 }' "$tmp/sample.csv"
check "CSV: 36 columns on every row" $?
[ "$(awk -F, '{ print $1 }' "$tmp/sample.csv" | uniq -c | awk '{ printf "%s:%s ", $2, $1 }')" = \
    "row:1 interval:22 total:1 " ]
check "CSV: header, 22 interval rows, then one total row" $?
if grep -E -q -i 'nan|inf' "$tmp/sample.json" "$tmp/sample.csv"; then false; else true; fi
check "JSON and CSV: no NaN or infinity" $?
if have_py; then
    "$py" - "$tmp/sample.txt" "$tmp/sample.json" "$tmp/sample.csv" <<'PY'
import csv, json, re, sys
text = open(sys.argv[1]).read().splitlines()
d = json.load(open(sys.argv[2]))
rows = list(csv.DictReader(open(sys.argv[3])))
a = d["assumptions"]
assert (a["interval_minutes"], a["target_service_level"], a["target_seconds"], a["max_occupancy"],
        a["shrinkage"], a["shift_hours"], a["patience_seconds"]) == (30, 0.8, 20, 0.85, 0.3, 8, 300), a
iv = d["intervals"]
table = [l.split() for l in text if re.match(r"^\d\d:\d\d ", l)]
assert len(table) == len(iv) == 22 == len(rows) - 1, (len(table), len(iv))
for t, j, c in zip(table, iv, rows):
    # interval volume AHT(2) Erlangs agents SL % ASA s occupancy % ErlangA abandon %
    assert t[0] == j["interval_start"] == c["interval_start"], (t, j)
    assert t[1] == "%.1f" % j["volume"], (t, j)
    m, s = int(t[2][:-1]), int(t[3][:-1])
    assert m * 60 + s == round(j["aht_seconds"]), (t, j)
    assert t[4] == "%.2f" % j["traffic_erlangs"], (t, j)
    assert int(t[5]) == j["agents"], (t, j)
    assert t[6] == "%.1f" % (100 * j["service_level"]), (t, j)
    assert t[8] == "%.1f" % j["asa_seconds"], (t, j)
    assert t[10] == "%.1f" % (100 * j["occupancy"]), (t, j)
    assert int(t[12]) == j["erlang_a"]["agents"], (t, j)
    assert t[13] == "%.1f" % (100 * j["erlang_a"]["p_abandon"]), (t, j)
    # CSV: the same doubles, read back exactly.
    for key in ("volume", "aht_seconds", "traffic_erlangs", "service_level", "asa_seconds", "occupancy"):
        assert float(c[key]) == j[key], (key, c, j)
    assert int(c["agents"]) == j["agents"] and int(c["line"]) == j["line"], (c, j)
    assert int(c["erlang_a_agents"]) == j["erlang_a"]["agents"], (c, j)
    assert float(c["erlang_a_p_abandon"]) == j["erlang_a"]["p_abandon"], (c, j)
    assert c["status"] == j["status"] == "CM_OK" and c["erlang_a_status"] == "CM_OK", (c, j)
day = d["day"]
m = re.search(r"day: (\d+) intervals, (\d+) contacts, workload ([\d.]+) h, ([\d.]+) agent-hours", "\n".join(text))
assert int(m.group(1)) == day["intervals"] and m.group(2) == "%.0f" % day["contacts"], day
assert m.group(3) == "%.1f" % day["workload_staffing"]["workload_hours"], day
assert m.group(4) == "%.1f" % day["interval_staffing"]["agent_hours"], day
fte = [l.split()[-1] for l in text if l.startswith("FTE")]
assert fte == ["%.2f" % day[k]["fte"] for k in ("interval_staffing", "workload_staffing", "erlang_a_staffing")], fte
t = rows[-1]
assert t["row"] == "total" and int(t["intervals"]) == 22 and float(t["volume"]) == day["contacts"], t
assert int(t["bad_lines"]) == day["bad_lines"] == 0 and int(t["intervals_not_staffed"]) == 0, t
assert float(t["workload_hours"]) == day["workload_staffing"]["workload_hours"], t
assert float(t["agent_hours"]) == day["interval_staffing"]["agent_hours"], t
assert float(t["fte_interval_staffing"]) == day["interval_staffing"]["fte"], t
assert float(t["fte_workload"]) == day["workload_staffing"]["fte"], t
assert float(t["fte_erlang_a"]) == day["erlang_a_staffing"]["fte"], t
assert (float(t["interval_minutes"]), float(t["target_service_level"]), float(t["target_seconds"]),
        float(t["max_occupancy"]), float(t["shrinkage"]), float(t["shift_hours"]),
        float(t["patience_seconds"])) == (30, 0.8, 20, 0.85, 0.3, 8, 300), t
PY
    check "JSON and CSV: every figure of the text, the same doubles in both" $?

    # The figures against an independent Erlang C (Erlang B recursion from 0 in plain
    # Python), the workload and the FTE formulas of docs/queue.md; 1e-12 relative, the
    # library's documented accuracy.
    "$py" - "$tmp/sample.json" "$(dirname "$0")/../examples/data/sample-forecast.csv" <<'PY'
import csv, json, math, sys
d = json.load(open(sys.argv[1]))
forecast = list(csv.DictReader(open(sys.argv[2])))
def close(x, y):
    return abs(x - y) <= 1e-12 * max(abs(x), abs(y)) or abs(x - y) < 1e-300
def erlang_c(a, n):
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return n * b / (n - a * (1 - b))
agent_hours = workload = 0.0
for row, j in zip(forecast, d["intervals"]):
    vol, aht = float(row["volume"]), float(row["aht_seconds"])
    a = vol * aht / 1800.0
    assert close(j["traffic_erlangs"], a), (j, a)
    if a == 0:
        assert (j["agents"], j["service_level"], j["asa_seconds"], j["occupancy"]) == (0, 1, 0, 0), j
        continue
    n = int(a) + 1
    while True:
        c = erlang_c(a, n)
        sl = 1 - c * math.exp(-(n - a) * 20.0 / aht)
        if sl >= 0.8 and a / n <= 0.85:
            break
        n += 1
    assert j["agents"] == n, (j, n)
    assert close(j["service_level"], sl), (j["service_level"], sl)
    assert close(j["asa_seconds"], c * aht / (n - a)), (j, c * aht / (n - a))
    assert close(j["occupancy"], a / n), (j, a / n)
    agent_hours += n * 0.5
    workload += vol * aht / 3600.0
day = d["day"]
assert close(day["interval_staffing"]["agent_hours"], agent_hours), day
assert close(day["interval_staffing"]["fte"], agent_hours / 0.7 / 8), day
assert close(day["workload_staffing"]["workload_hours"], workload), day
assert close(day["workload_staffing"]["fte"], workload / 0.85 / 0.7 / 8), day
PY
    check "JSON: agents, SL, ASA, occupancy, workload and FTE match an independent Erlang C" $?
else
    skip "JSON and CSV: every figure of the text" "no /usr/bin/python3"
    skip "JSON: figures against an independent Erlang C" "no /usr/bin/python3"
fi

# JSON of the bad-lines file: valid, bad lines counted, and numbers that read back as the
# same doubles: occupancy is traffic / agents, one correctly rounded division (6/9, 30/36).
"$staffing" --interval 60 --format json "$tmp/bad.csv" >"$tmp/bad.json" 2>"$tmp/err"
[ $? -eq 3 ]; check "JSON with bad lines: exit 3" $?
"$staffing" --interval 60 --format csv "$tmp/bad.csv" >"$tmp/bad.out" 2>"$tmp/err"
if have_py; then
    "$py" - "$tmp/bad.json" "$tmp/bad.out" <<'PY'
import csv, json, sys
d = json.load(open(sys.argv[1]))
assert d["day"]["bad_lines"] == 15 and [i["line"] for i in d["intervals"]] == [2, 19], d
assert [(i["traffic_erlangs"], i["occupancy"]) for i in d["intervals"]] == [(6.0, 6 / 9), (30.0, 30 / 36)], d
rows = list(csv.DictReader(open(sys.argv[2])))
assert [float(r["occupancy"]) for r in rows[:2]] == [6 / 9, 30 / 36], rows
assert rows[-1]["row"] == "total" and rows[-1]["bad_lines"] == "15", rows[-1]
PY
    check "JSON and CSV with bad lines: valid, counted, line numbers kept, exact doubles" $?
else
    skip "JSON and CSV with bad lines" "no /usr/bin/python3"
fi
has "$tmp/bad.json" '"occupancy": 0.6666666666666666[0-9]?[,}]'; check "JSON: all the digits of 2/3" $?
has "$tmp/bad.json" '"target_service_level": 0.8,'; check "JSON: 0.8 printed as 0.8" $?

"$staffing" --format json /dev/null >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && [ ! -s "$tmp/out" ]; check "JSON: no output without a plan" $?

# A plan that cannot be written is an error.
if [ -w /dev/full ]; then
    "$staffing" >/dev/full 2>"$tmp/err"
    [ $? -eq 1 ] && has "$tmp/err" "^$P: standard output: "
    check "write error: exit 1 with a message" $?
else
    skip "write error" "no /dev/full"
fi

# The bundled sample forecast (the default input).
"$staffing" >"$tmp/out" 2>"$tmp/err"
check "bundled sample: exit 0" $?
has "$tmp/out" "22 intervals, 2146 contacts"; check "bundled sample: 22 intervals" $?
has "$tmp/out" "^10:00 +150.0 +6m 00s +30.00 +36 +84.8 %"; check "bundled sample: 10:00 needs 36" $?
[ ! -s "$tmp/err" ]; check "bundled sample: nothing on stderr" $?

tap_end
