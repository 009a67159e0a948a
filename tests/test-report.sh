#!/bin/sh
# End-to-end tests of caremetrics-report on small hand-made ticket files.
# usage: test-report.sh REPORT_BINARY GEN_TICKETS_BINARY
set -u
report=$1
gen=$2
. "$(dirname "$0")/tap.sh"

has() { grep -F -q -- "$2" "$1"; }

# Hand-made history. Expected by hand:
#  tickets 4 (row 6 is an abandoned phone contact with a 3 s wait: a short abandon)
#  CSAT answers 5, 4, 2 -> 2 of 3 = 66.7 %;  NPS answers 10, 9, 3 -> (2 - 1) / 3 = +33.3
#  solved 3 (tickets 1, 2, 3); one contact: tickets 1, 3 -> FCR 2 of 3 = 66.7 %
#  first replies 60 s, 3600 s, 120 s, 30 s -> mean 952.5 s = 15m 53s (rounded)
#  response-time tables (docs/sketch.md): with h = (n-1) q, the ranks next to
#  h are interpolated; the lowest and highest rank are the exact min and max,
#  any other rank the representative 1.02^i * 102/101 of its bucket i:
#   first reply, sorted 30, 60, 120, 3600: 60 is in bucket 206, 120 in 241
#   (ln 60 / ln 1.02 = 206.8, ln 120 / ln 1.02 = 241.8), representatives
#   59.6917 and 119.3769.
#     median h = 1.5: 119.3769 - 0.5 (119.3769 - 59.6917) = 89.53 -> 1m 30s
#     p90 h = 2.7: 3600 - 0.3 (3600 - 119.3769) = 2555.81 -> 42m 36s
#     p99 h = 2.97: 3600 - 0.03 (3600 - 119.3769) = 3495.58 -> 58m 16s
#   resolution 3 h, 24 h, 30 min (ticket 4 is open): mean 33000 s = 9h 10m;
#   10800 s is in bucket 468 (ln 10800 / ln 1.02 = 468.99, 1.02^469 = 10801.3),
#   representative 10694.47 (1 % low, within the bound):
#     median h = 1: 10694.47 -> 2h 58m
#     p90 h = 1.8: 86400 - 0.2 (86400 - 10694.47) = 71258.9 -> 19h 47m
#     p99 h = 1.98: 86400 - 0.02 (86400 - 10694.47) = 84885.9 -> 23h 34m
#   groups of one or two tickets are exact (only min and max ranks):
#     email first reply 60, 3600: mean = median 1830 = 30m 30s,
#       p90 60 + 0.9 * 3540 = 3246 = 54m 06s, p99 60 + 0.99 * 3540 = 3564.6 = 59m 25s
#     email resolution 10800, 86400: mean = median 48600 = 13h 30m,
#       p90 10800 + 0.9 * 75600 = 78840 = 21h 54m, p99 + 0.99 * 75600 = 85644 = 23h 47m
#  real-time offered: tickets 3, 4 (waits 30, 45) + abandons 5 (60 s) and 6 (3 s)
#  abandonment, short < 5 s excluded: 1 of 3 = 33.3 %
cat >"$tmp/hand.csv" <<'CSV'
ticket_id,created_at,channel,priority,first_reply_at,solved_at,contacts,reopened,escalated,csat,nps,ces,wait_seconds,abandoned
1,2025-01-06T09:00:00Z,email,normal,2025-01-06T09:01:00Z,2025-01-06T12:00:00Z,1,0,0,5,10,,,0
2,2025-01-06T10:00:00Z,email,high,2025-01-06T11:00:00Z,2025-01-07T10:00:00Z,2,1,1,4,9,6,,0
3,2025-01-06T11:00:00Z,chat,low,2025-01-06T11:02:00Z,2025-01-06T11:30:00Z,1,0,0,2,3,,30,0
"4","2025-01-06T12:00:00Z","phone","","2025-01-06T12:00:30Z",,1,0,0,,,,45,0
5,2025-01-06T13:00:00Z,phone,,,,,,,,,,60,1
6,2025-01-06T14:00:00Z,phone,,,,,,,,,,3,1
CSV
"$report" "$tmp/hand.csv" >"$tmp/out" 2>"$tmp/err"
check "hand-made history: exit 0" $?
has "$tmp/out" "tickets 4, abandoned contacts 2, bad rows 0"; check "row counts" $?
has "$tmp/out" "CSAT (4-5 on 1-5)                     66.7 %"; check "CSAT 2 of 3" $?
has "$tmp/out" "NPS                                  +33.3"; check "NPS +33.3" $?
has "$tmp/out" "First contact resolution              66.7 %"; check "FCR 2 of 3" $?
has "$tmp/out" "15m 53s"; check "mean first reply 952.5 s" $?
line() { printf '  %-34s %10s %10s %10s %10s %10s' "$@"; }
has "$tmp/out" "$(line "First reply" "15m 53s" "1m 30s" "42m 36s" "58m 16s" 4)"
check "first reply: mean, median, p90, p99" $?
has "$tmp/out" "$(line "Resolution" "9h 10m" "2h 58m" "19h 47m" "23h 34m" 3)"
check "resolution: mean, median, p90, p99" $?
sed -n '/^First reply by channel/,/^$/p' "$tmp/out" >"$tmp/frc"
has "$tmp/frc" "$(line phone 30s 30s 30s 30s 1)"; check "first reply, phone" $?
has "$tmp/frc" "$(line chat "2m 00s" "2m 00s" "2m 00s" "2m 00s" 1)"; check "first reply, chat" $?
has "$tmp/frc" "$(line email "30m 30s" "30m 30s" "54m 06s" "59m 25s" 2)"; check "first reply, email" $?
! has "$tmp/frc" "social"
check "first reply: only the channels the data has" $?
sed -n '/^First reply by priority/,/^$/p' "$tmp/out" >"$tmp/frp"
has "$tmp/frp" "$(line high "1h 00m" "1h 00m" "1h 00m" "1h 00m" 1)"; check "first reply, high" $?
has "$tmp/frp" "$(line normal "1m 00s" "1m 00s" "1m 00s" "1m 00s" 1)"; check "first reply, normal" $?
has "$tmp/frp" "$(line low "2m 00s" "2m 00s" "2m 00s" "2m 00s" 1)"; check "first reply, low" $?
has "$tmp/frp" "$(line none 30s 30s 30s 30s 1)"; check "first reply, no priority" $?
! has "$tmp/frp" "urgent"
check "first reply: only the priorities the data has" $?
sed -n '/^Resolution by channel/,/^$/p' "$tmp/out" >"$tmp/rc"
has "$tmp/rc" "$(line email "13h 30m" "13h 30m" "21h 54m" "23h 47m" 2)"; check "resolution, email" $?
has "$tmp/rc" "$(line chat "30m 00s" "30m 00s" "30m 00s" "30m 00s" 1)"; check "resolution, chat" $?
has "$tmp/rc" "phone                              metric undefined: no data"
check "resolution, phone: no data (ticket 4 open)" $?
sed -n '/^Resolution by priority/,/^$/p' "$tmp/out" >"$tmp/rp"
has "$tmp/rp" "$(line high "1d 00h" "1d 00h" "1d 00h" "1d 00h" 1)"; check "resolution, high" $?
has "$tmp/rp" "$(line normal "3h 00m" "3h 00m" "3h 00m" "3h 00m" 1)"; check "resolution, normal" $?
has "$tmp/rp" "$(line low "30m 00s" "30m 00s" "30m 00s" "30m 00s" 1)"; check "resolution, low" $?
has "$tmp/out" "33.3 %"; check "abandonment 1 of 3" $?
has "$tmp/out" "1 of 3"; check "abandonment counts" $?
[ ! -s "$tmp/err" ]; check "nothing on stderr" $?

# Garbage fields: counted with line numbers, not fatal.
cat >"$tmp/bad.csv" <<'CSV'
created_at,channel,csat,nps,first_reply_at
2025-01-06T09:00:00Z,email,5,10,2025-01-06T09:01:00Z
2025-02-30T09:00:00Z,email,5,10,
2025-01-06T09:00:00Z,fax,5,10,
2025-01-06T09:00:00Z,email,6,10,
2025-01-06T09:00:00Z,email,4,11,
2025-01-06T09:00:00Z,email,4,x,
2025-01-06T09:00:00Z,email,4,9,2025-01-06T08:00:00Z
"2025-01-06T09:00:00Z,email,4,9,
2025-01-06T09:00:00Z,chat,4,9,
CSV
printf '2025-01-06T09:00:00Z,email,3,9,' >>"$tmp/bad.csv" # truncated last line, no newline
"$report" "$tmp/bad.csv" >"$tmp/out" 2>"$tmp/err"
check "garbage fields: exit 0" $?
has "$tmp/out" "tickets 4, abandoned contacts 0, bad rows 6"; check "6 bad rows counted" $?
has "$tmp/err" 'line 3: column created_at: value "2025-02-30T09:00:00Z": expected a date'
check "impossible date reported with its value" $?
has "$tmp/out" "  fax  "; check "a channel the data names is a label of its own" $?
has "$tmp/err" 'line 5: column csat: value "6": expected an answer 1..5'; check "CSAT 6 reported" $?
has "$tmp/err" 'line 6: column nps: value "11": expected an answer 0..10'; check "NPS 11 reported" $?
has "$tmp/err" 'line 7: column nps: value "x": expected a whole number'
check "non-numeric NPS reported" $?
has "$tmp/err" 'line 8: column first_reply_at: value "2025-01-06T08:00:00Z": expected none, or an instant from created_at'
check "reply before creation reported" $?
has "$tmp/err" "line 9: expected balanced quotes"; check "unbalanced quote reported" $?
has "$tmp/out" "rows 10:"; check "a stray quote loses no other row" $?

"$report" --strict "$tmp/bad.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ]; check "--strict: exit 1 on the first bad row" $?
has "$tmp/err" "line 3:"; check "--strict names the line" $?

: >"$tmp/empty.csv"
"$report" "$tmp/empty.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ]; check "0-byte file: exit 1" $?
has "$tmp/err" "no header line"; check "0-byte file: message" $?
"$report" /dev/null >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ]; check "/dev/null: exit 1" $?
has "$tmp/err" "/dev/null: no header line"; check "/dev/null: says there is no header" $?

printf 'ticket_id,priority\n1,high\n' >"$tmp/cols.csv"
"$report" "$tmp/cols.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ]; check "missing columns: exit 1" $?
has "$tmp/err" 'no column "created_at" in the header'; check "missing columns: message names it" $?

"$report" "$tmp/does-not-exist.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ]; check "missing file: exit 1" $?

"$report" --confidence 1.5 "$tmp/hand.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ]; check "bad option: usage, exit 2" $?
has "$tmp/err" '--confidence: expected a number between 0 and 1, such as 0.95, got "1.5"'
check "bad option: the message names the option and the value" $?

# Priorities are checked; response times must fit the sketches (under ~20 years).
cat >"$tmp/prio.csv" <<'CSV'
created_at,channel,priority,first_reply_at
2025-01-06T09:00:00Z,email,critical,2025-01-06T09:01:00Z
2025-01-06T09:00:00Z,email,urgent,2060-01-06T09:01:00Z
2025-01-06T09:00:00Z,email,urgent,2025-01-06T09:00:10Z
CSV
"$report" "$tmp/prio.csv" >"$tmp/out" 2>"$tmp/err"
check "priorities: exit 0" $?
has "$tmp/err" 'line 2: column priority: value "critical": expected urgent, high, normal, low or empty'
check "unknown priority reported" $?
has "$tmp/err" 'line 3: column first_reply_at: value "2060-01-06T09:01:00Z"'; check "35-year reply reported" $?
has "$tmp/out" "$(line urgent 10s 10s 10s 10s 1)"; check "urgent row counted" $?

# Header only: every KPI reports that it has no data instead of a number.
printf 'created_at,channel\n' >"$tmp/header.csv"
"$report" "$tmp/header.csv" >"$tmp/out" 2>"$tmp/err"
check "header only: exit 0" $?
has "$tmp/out" "metric undefined: no data"; check "header only: no data" $?

# The staffing section on a hand-made history with handle times. Expected by hand:
#  phone: 4 offered, 2 answered (waits 10, 30; handle 300, 420), 1 within 20 s;
#         2 abandoned (3 s short, 15 s): SL 1/4 = 25.0 %, ASA 20s, AHT 6m 00s,
#         abandonment without short abandons (2 - 1)/(4 - 1) = 33.3 %
#  chat:  1 offered, abandoned after 50 s: SL 0/1 = 0.0 %, abandonment 100.0 %
#  both:  answered only 1/2 = 50.0 %, against 1/5 = 20.0 %, before-T ignored 1/3 = 33.3 %,
#         before-T met 3/5 = 60.0 %, short met 2/5 = 40.0 %, short excluded 1/4 = 25.0 %
#  workload 720 s + 600 s = 0.37 h / 0.85 / 0.70 = 0.62 h = 0.08 shifts = 0.08 FTE on one weekday
#  09:00 hour: 5 contacts x 6 min = 0.5 Erlangs; N = 1: SL 51.4 %; N = 2: C = 0.1,
#         SL = 1 - 0.1 e^(-1.5 x 20 / 360) = 90.8 %, ASA = 0.1 x 360 / 1.5 = 24.0 s
#  2 agent-hours / 0.70 / 8 = 0.36 FTE
cat >"$tmp/staff.csv" <<'CSV'
created_at,channel,wait_seconds,abandoned,handle_seconds
2025-01-06T09:00:00Z,phone,10,0,300
2025-01-06T09:10:00Z,phone,30,0,420
2025-01-06T09:20:00Z,phone,3,1,
2025-01-06T09:30:00Z,phone,15,1,
2025-01-06T09:40:00Z,chat,50,1,
2025-01-06T10:00:00Z,email,,0,600
CSV
"$report" "$tmp/staff.csv" >"$tmp/out" 2>"$tmp/err"
check "staffing history: exit 0" $?
has "$tmp/out" "  phone             4     25.0 % [  4.6,  69.9]      20s   6m 00s       33.3 %"
check "staffing: phone SL, ASA, AHT, abandonment" $?
has "$tmp/out" "  chat              1      0.0 % [  0.0,  79.3]        -        -      100.0 %"
check "staffing: chat" $?
has "$tmp/out" "    answered only                       50.0 %"; check "SL answered only" $?
has "$tmp/out" "    abandons against                    20.0 %"; check "SL abandons against" $?
has "$tmp/out" "    abandons before T ignored           33.3 %"; check "SL before T ignored" $?
has "$tmp/out" "    abandons before T met               60.0 %"; check "SL before T met" $?
has "$tmp/out" "    short abandons met                  40.0 %"; check "SL short met" $?
has "$tmp/out" "    short abandons excluded             25.0 %"; check "SL short excluded" $?
has "$tmp/out" "workload 0.4 h -> 0.6 scheduled hours = 0.1 shifts = 0.08 FTE over 1 weekdays"
check "staffing: workload and FTE" $?
has "$tmp/out" "busiest hour 09:00-10:00 (calendar time): 5.00 contacts, AHT 6m 00s, 0.500 Erlangs -> 2 agents (SL 90.8 %, ASA 24.0 s)"
check "staffing: Erlang C for the busiest hour" $?
has "$tmp/out" "2 agent-hours over 24 hourly intervals -> 0.36 FTE"; check "staffing: day FTE" $?
! has "$tmp/err" "handle_seconds"; check "handle_seconds accepted" $?
printf 'created_at,channel,handle_seconds\n2025-01-06T09:00:00Z,email,-4\n' >"$tmp/neg.csv"
"$report" "$tmp/neg.csv" >"$tmp/out" 2>"$tmp/err"
has "$tmp/err" 'line 2: column handle_seconds: value "-4": expected seconds 0..1e9'
check "negative handle time reported" $?

# Output formats on the hand-made history: JSON and CSV carry the same figures.
"$report" --format json --exact-quantiles "$tmp/hand.csv" >"$tmp/out.json" 2>"$tmp/err"
check "json: exit 0" $?
/usr/bin/python3 - "$tmp/out.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["tickets"] == 4 and d["rows"] == 6 and d["bad_rows"] == 0, d
assert (d["csat"]["num"], d["csat"]["den"]) == (2, 3)
assert abs(d["nps"]["score"] - 100 * (2 - 1) / 3) < 1e-12
assert (d["fcr"]["num"], d["fcr"]["den"]) == (2, 3)
fr = d["first_reply"]
# Replies after 60, 3600, 120 and 30 s: mean 952.5; exact median (60 + 120) / 2 = 90;
# p90 by linear interpolation at position 0.9 * 3 = 2.7: 120 + 0.7 * (3600 - 120) = 2556.
assert fr["n"] == 4 and fr["mean_seconds"] == 952.5 and fr["exact"] is True, fr
assert fr["median_seconds"] == 90.0 and abs(fr["p90_seconds"] - 2556.0) < 1e-9, fr
assert (d["abandonment"]["num"], d["abandonment"]["den"]) == (1, 3)
# Bundled calendar Mon-Fri 09:00-17:00 UTC; every reply falls on Monday 2025-01-06 inside
# business hours, so business = calendar seconds: 60 + 3600 + 120 + 30 = 3810.
b = d["first_reply_business"]
assert (b["n"], b["total_seconds"], b["mean_seconds"]) == (4, 3810, 952.5), b
# Bundled policy: normal 4 business hours (ticket 1: 60 s), high 1 h calendar (ticket 2:
# exactly 3600 s, which is within), low 8 business hours (ticket 3: 120 s); ticket 4 has
# no priority and no target.
sla = d["sla_first_reply"]
assert [(sla[p]["achieved"], sla[p]["total"]) for p in ("urgent", "high", "normal", "low")] == \
    [(0, 0), (1, 1), (1, 1), (1, 1)], sla
PY
check "json: hand-computed KPIs and exact quantiles" $?
"$report" --format csv "$tmp/hand.csv" >"$tmp/out.csv" 2>"$tmp/err"
check "csv output: exit 0" $?
has "$tmp/out.csv" "section,group,kpi,value,lo,hi,num,den"; check "csv output: header" $?
has "$tmp/out.csv" "all,all,tickets,4,,,,"; check "csv output: tickets" $?
has "$tmp/out.csv" "all,all,fcr,0.66666666666666663,"; check "csv output: FCR" $?
"$report" --format csv --by channel "$tmp/hand.csv" >"$tmp/out.csv" 2>"$tmp/err"
[ "$(awk -F, '$1 == "by" && $3 == "tickets" { t += $4 } END { print t }' "$tmp/out.csv")" = 4 ]
check "--by channel: group tickets add up to the total" $?
has "$tmp/out.csv" "by,email,tickets,2,,,,"; check "--by channel: email tickets" $?
"$report" --by priority "$tmp/hand.csv" >"$tmp/out" 2>"$tmp/err"
has "$tmp/out" "By priority"; check "--by priority: table" $?
"$report" --format json --by month "$tmp/hand.csv" >"$tmp/out.json" 2>"$tmp/err"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); g=d["groups"]; assert [x["group"] for x in g]==["2025-01"] and g[0]["tickets"]==4, g' "$tmp/out.json"
check "--by month: one group of 4 tickets" $?
# Another calendar: in New York (UTC-5 in January) the tickets and their replies, all
# between 09:00 and 12:01 UTC, fall between 04:00 and 07:01, before the 09:00
# opening: every first reply took 0 business seconds there.
printf 'tz America/New_York\nmon-fri 09:00-17:00\n' >"$tmp/ny.cal"
"$report" --format json --calendar "$tmp/ny.cal" "$tmp/hand.csv" >"$tmp/out.json" 2>"$tmp/err"
/usr/bin/python3 -c 'import json,sys; b=json.load(open(sys.argv[1]))["first_reply_business"]; assert (b["n"], b["total_seconds"]) == (4, 0), b' "$tmp/out.json"
check "--calendar: business time on another calendar" $?
printf 'mon-fri 9-17\n' >"$tmp/bad.cal"
"$report" --calendar "$tmp/bad.cal" "$tmp/hand.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ]; check "--calendar with a bad spec: exit 1" $?
has "$tmp/err" "bad.cal:1:"; check "--calendar with a bad spec: position" $?
"$report" --policy "$tmp/missing.txt" "$tmp/hand.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ]; check "--policy with a missing file: exit 1" $?
"$report" --by nosuch "$tmp/hand.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ]; check "--by with an unknown column: exit 1" $?
has "$tmp/err" 'no column "nosuch" in the header'; check "--by with an unknown column: named" $?
"$report" - <"$tmp/hand.csv" | sed 1d >"$tmp/stdin.txt"
"$report" "$tmp/hand.csv" | sed 1d | cmp -s - "$tmp/stdin.txt"
check "standard input gives the same report" $?

# CSV and columnar files of the same history, read by one or two threads,
# give the same report (100k tickets: large enough to be split).
"$gen" --seed 7 --tickets 100000 -o "$tmp/big.csv"
"$gen" --seed 7 --tickets 100000 --format columnar -o "$tmp/big.cmt"
for f in big.csv big.cmt; do
    for t in 1 2; do
        "$report" --threads $t "$tmp/$f" | sed 1d >"$tmp/$f.$t.txt"
    done
done
cmp -s "$tmp/big.csv.1.txt" "$tmp/big.csv.2.txt"; check "csv: two threads = one thread" $?
cmp -s "$tmp/big.cmt.1.txt" "$tmp/big.cmt.2.txt"; check "columnar: two threads = one thread" $?
cmp -s "$tmp/big.csv.1.txt" "$tmp/big.cmt.1.txt"; check "columnar = csv" $?
has "$tmp/big.cmt.1.txt" "rows 100000:"; check "columnar: every row read" $?
# Bad rows in both halves keep their line numbers when two threads share the file.
awk -F, -v OFS=, 'NR == 3 || NR == 90000 { $10 = "9" } { print }' "$tmp/big.csv" >"$tmp/bad2.csv"
for t in 1 2; do
    "$report" --threads $t "$tmp/bad2.csv" >/dev/null 2>"$tmp/bad2.$t.err"
done
cmp -s "$tmp/bad2.1.err" "$tmp/bad2.2.err"; check "bad-row line numbers: two threads = one thread" $?
has "$tmp/bad2.2.err" 'line 90000: column csat: value "9"'; check "bad row in the second half" $?

# Damaged columnar files are refused with a message, never read out of bounds.
head -c 1000 "$tmp/big.cmt" >"$tmp/trunc.cmt"
"$report" "$tmp/trunc.cmt" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ]; check "truncated columnar file: exit 1" $?
has "$tmp/err" "outside the file"; check "truncated columnar file: message" $?
printf 'CMTICKET\002\000\000\000' >"$tmp/short.cmt"
"$report" "$tmp/short.cmt" >"$tmp/out" 2>"$tmp/err"
has "$tmp/err" "truncated header"; check "truncated columnar header" $?
head -c 64 /dev/zero >>"$tmp/short.cmt"
"$report" "$tmp/short.cmt" >"$tmp/out" 2>"$tmp/err"
has "$tmp/err" "unsupported columnar format version"; check "unknown columnar version" $?
# An impossible value inside a column: the CSAT of row 5 set to 9.
/usr/bin/python3 - "$tmp/big.cmt" "$tmp/badval.cmt" <<'PY'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
ncol = struct.unpack_from("<I", data, 12)[0]
for i in range(ncol):
    e = 32 + 32 * i
    if data[e:e + 16].rstrip(b"\0") == b"csat":
        data[struct.unpack_from("<Q", data, e + 24)[0] + 4] = 9
open(sys.argv[2], "wb").write(data)
PY
# ... and row 7's creation instant set to the missing marker (INT64_MIN).
/usr/bin/python3 - "$tmp/badval.cmt" <<'PY'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
for i in range(struct.unpack_from("<I", data, 12)[0]):
    e = 32 + 32 * i
    if data[e:e + 16].rstrip(b"\0") == b"created_at":
        struct.pack_into("<q", data, struct.unpack_from("<Q", data, e + 24)[0] + 6 * 8, -2**63)
open(sys.argv[1], "wb").write(data)
PY
"$report" "$tmp/badval.cmt" >"$tmp/out" 2>"$tmp/err"
check "columnar bad value: not fatal" $?
has "$tmp/err" 'row 7: column created_at: value "(missing)"'; check "columnar missing creation: row reported" $?
has "$tmp/err" 'row 5: column csat: value "9"'; check "columnar bad value: row reported" $?
has "$tmp/out" "bad rows 2"; check "columnar bad values: counted" $?

# SLA attainment under the bundled severity matrix, business hours Mon-Fri
# 09:00-17:00 UTC, judged as of the latest instant in the file (Tue 12:00).
# Expected by hand (2025-01-10 is a Friday):
#  a normal: reply Fri 16:30-17:00 + Mon 09-12 = 3h30m <= 4h met; solved Mon
#    16:00: 30m + 7h = 7h30m <= 24h met
#  b normal: reply 30m + Mon 09-13 = 4h30m > 4h missed; solved Tue 12:00:
#    30m + 8h + 3h = 11h30m met
#  c urgent: reply 10 min <= 15 min met; solved 14:00: 5h > 4h missed
#  d urgent: reply 20 min missed; open, 27h > 4h: missed (past due)
#  e high: no reply for 26h > 1h: missed; open 7h + 3h = 10h > 8h: missed
#  f low: created Tue 11:00, 1h of 8h and of 80h: open, not judged
#  First reply: urgent 1 of 2 (mean of 10 and 20 min = 15m 00s), high 0 of 1,
#    normal 1 of 2 (mean of 3h30m and 4h30m = 4h 00m), low no data,
#    all 2 of 5 = 40.0 %, 1 open
#  Total resolution: urgent 0 of 2 (mean of the stopped one, 5h 00m),
#    normal 2 of 2 (mean of 7h30m and 11h30m = 9h 30m), all 2 of 5, 1 open
cat >"$tmp/sla.csv" <<'CSV'
ticket_id,created_at,channel,priority,first_reply_at,solved_at
a,2025-01-10T16:30:00Z,email,normal,2025-01-13T12:00:00Z,2025-01-13T16:00:00Z
b,2025-01-10T16:30:00Z,email,normal,2025-01-13T13:00:00Z,2025-01-14T12:00:00Z
c,2025-01-13T09:00:00Z,email,urgent,2025-01-13T09:10:00Z,2025-01-13T14:00:00Z
d,2025-01-13T09:00:00Z,email,urgent,2025-01-13T09:20:00Z,
e,2025-01-13T10:00:00Z,email,high,,
f,2025-01-14T11:00:00Z,email,low,,
CSV
"$report" "$tmp/sla.csv" >"$tmp/out" 2>"$tmp/err"
check "SLA history: exit 0" $?
line() { grep -F -- "$2" "$1" | head -1; }
line "$tmp/out" "as of 2025-01-14T12:00:00Z" | grep -q .; check "SLA judged as of the latest instant" $?
line "$tmp/out" "First reply, urgent" | grep -q "50.0 %.*1 of 2 .*0 .*15m 00s"; check "first reply urgent 1 of 2" $?
line "$tmp/out" "First reply, high" | grep -q " 0.0 %.*0 of 1 "; check "first reply high missed while open" $?
line "$tmp/out" "First reply, normal" | grep -q "50.0 %.*1 of 2 .*4h 00m"; check "first reply normal: 4h30m missed" $?
line "$tmp/out" "First reply, low" | grep -q "no data"; check "first reply low still open" $?
line "$tmp/out" "First reply, all" | grep -q "40.0 %.*2 of 5 .* 1 "; check "first reply overall 2 of 5, 1 open" $?
line "$tmp/out" "Total resolution, urgent" | grep -q " 0.0 %.*0 of 2 .*5h 00m"; check "resolution urgent 0 of 2" $?
line "$tmp/out" "Total resolution, normal" | grep -q "100.0 %.*2 of 2 .*9h 30m"; check "resolution normal in business hours" $?
line "$tmp/out" "Total resolution, all" | grep -q "40.0 %.*2 of 5 .* 1 "; check "resolution overall 2 of 5" $?

# The first history: ticket 2 (high) is answered in exactly 1h and solved in
# exactly 8 business hours (Mon 10-17 + Tue 09-10): both met at the target.
"$report" "$tmp/hand.csv" >"$tmp/out" 2>"$tmp/err"
line "$tmp/out" "First reply, high" | grep -q "100.0 %.*1 of 1 .*1h 00m"; check "a reply exactly at the target is met" $?
line "$tmp/out" "Total resolution, high" | grep -q "100.0 %.*1 of 1 .*8h 00m"; check "8 business hours exactly is met" $?

printf 'created_at,channel,priority\n2025-01-06T09:00:00Z,email,critical\n' >"$tmp/prio.csv"
"$report" "$tmp/prio.csv" >"$tmp/out" 2>"$tmp/err"
has "$tmp/err" 'line 2: column priority: value "critical"'; check "unknown priority reported" $?

# The bundled sample (the default input).
"$report" >"$tmp/out" 2>"$tmp/err"
check "bundled sample: exit 0" $?
has "$tmp/out" "rows 3000: tickets"; check "bundled sample: 3000 rows" $?
has "$tmp/out" "bad rows 0"; check "bundled sample: no bad rows" $?
has "$tmp/out" "Total resolution, all"; check "bundled sample: SLA section" $?

# ---- Real exports: mappings, presets, value maps --------------------------------------
# A Zendesk ticket export (tests/data/zendesk-export.csv): Zendesk's real headers, 71
# columns (custom fields included), CRLF line ends, a subject with a line end inside
# quotes, "Good"/"Bad" satisfaction, Urgent/High/Normal/Low/"-" priorities, local times
# of the account (New York). Expected by hand:
#  6 tickets; CSAT Good, Bad, Good with comment, Good answered (Offered, Unoffered are
#  no answer): 3 of 4; Reopens 1 and 2 among the 4 solved: reopen rate 2 of 4;
#  no contact count, no escalation flag: FCR and escalation have no data;
#  first replies 10, 90, 5, 240, 30 min: mean 75 min, exact median 30 min;
#  Via: Chat 1, Mail 4, Web form 1; the first ticket, 2025-03-03 09:00 EST = 14:00Z.
zendesk="$(dirname "$0")/data/zendesk-export.csv"
"$report" --preset zendesk --input-tz America/New_York --exact-quantiles --format json \
    "$zendesk" >"$tmp/zd.json" 2>"$tmp/err"
check "zendesk preset: exit 0" $?
/usr/bin/python3 - "$tmp/zd.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["rows"] == 6 and d["bad_rows"] == 0 and d["tickets"] == 6, d
assert (d["csat"]["num"], d["csat"]["den"]) == (3, 4), d["csat"]
assert (d["reopen_rate"]["num"], d["reopen_rate"]["den"]) == (2, 4), d["reopen_rate"]
assert d["fcr"]["value"] is None and d["fcr"]["den"] == 0, d["fcr"]
assert d["escalation_rate"]["value"] is None, d["escalation_rate"]
fr = d["first_reply"]
assert fr["n"] == 5 and fr["mean_seconds"] == 75 * 60 and fr["median_seconds"] == 30 * 60, fr
assert {c["group"]: c["tickets"] for c in d["channels"]} == {"Chat": 1, "Mail": 4, "Web form": 1}
PY
check "zendesk preset: hand-computed KPIs, no data where Zendesk has no column" $?
"$report" --preset zendesk "$zendesk" >"$tmp/out" 2>"$tmp/err"
has "$tmp/out" "First contact resolution           metric undefined: no data"
check "zendesk preset: FCR says it has no data instead of 100 %" $?
"$report" --preset zendesk --input-tz America/New_York --by Group,priority --format csv \
    "$zendesk" >"$tmp/out.csv" 2>"$tmp/err"
check "--by a file's column and priority: exit 0" $?
has "$tmp/out.csv" "by,Tier 2 high,tickets,1,,,,"; check "--by Group,priority groups by both" $?
[ "$(awk -F, '$1 == "by" && $3 == "tickets" { t += $4 } END { print t }' "$tmp/out.csv")" = 6 ]
check "--by Group,priority: groups add up" $?

# Our own columns mapped from other headers, inline.
printf 'Opened,Kanal,Zufriedenheit\n2025-01-06 10:00,web,5\n2025-01-06 11:00,web,2\n' >"$tmp/de.csv"
"$report" --columns 'created_at=Opened,channel=Kanal,csat=Zufriedenheit' --format json \
    "$tmp/de.csv" >"$tmp/out.json" 2>"$tmp/err"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert (d["csat"]["num"], d["csat"]["den"], d["tickets"]) == (1, 2, 2), d' "$tmp/out.json"
check "--columns: inline mapping of other headers" $?
"$report" --columns 'created_at=Opened,csat=Satisfaction' "$tmp/de.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ]; check "--columns naming a missing header: exit 1" $?
has "$tmp/err" 'no column "Satisfaction" in the header'; check "--columns: the missing header is named" $?
printf 'column created_at Opened\nvalue csat great=5 bad=1\ncolumn csat Zufriedenheit\n' >"$tmp/map.txt"
printf 'Opened,Zufriedenheit\n2025-01-06 10:00,great\n2025-01-06 11:00,bad\n2025-01-06 12:00,meh\n' >"$tmp/words.csv"
"$report" --columns "$tmp/map.txt" --format json "$tmp/words.csv" >"$tmp/out.json" 2>"$tmp/err"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert (d["csat"]["num"], d["csat"]["den"], d["bad_rows"]) == (1, 2, 1), d' "$tmp/out.json"
check "--columns FILE: value maps, an unknown word is a bad row" $?
has "$tmp/err" 'line 4: column Zufriedenheit: value "meh"'; check "an unmapped value is reported" $?
printf 'column created_at Opened\ncolumn csatt x\n' >"$tmp/badmap.txt"
"$report" --columns "$tmp/badmap.txt" "$tmp/words.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ]; check "a malformed mapping: exit 1" $?
has "$tmp/err" "badmap.txt:2:8: unknown column"; check "a malformed mapping: line and column" $?

# Missing columns are "no data", never defaults (contacts, escalated absent).
printf 'created_at,channel,solved_at\n2025-01-06T09:00:00Z,email,2025-01-06T10:00:00Z\n' >"$tmp/nocols.csv"
"$report" "$tmp/nocols.csv" >"$tmp/out" 2>"$tmp/err"
has "$tmp/out" "First contact resolution           metric undefined: no data"; check "no contacts column: FCR has no data" $?
has "$tmp/out" "Escalation rate                    metric undefined: no data"; check "no escalated column: no data" $?

# Headers, line ends and bytes that used to break the reader.
{
    printf 'created_at,channel,csat'
    i=0; while [ $i -lt 80 ]; do printf ',custom%d' $i; i=$((i + 1)); done
    printf '\n2025-01-06T09:00:00Z,email,5\n'
} >"$tmp/wide.csv"
"$report" --format json "$tmp/wide.csv" >"$tmp/out.json" 2>"$tmp/err"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["tickets"] == 1 and d["csat"]["den"] == 1, d' "$tmp/out.json"
check "a header of 83 columns" $?
printf 'created_at,channel,csat\r2025-01-06T09:00:00Z,email,5\r2025-01-06T09:00:00Z,chat,4\r' >"$tmp/cr.csv"
"$report" --format json "$tmp/cr.csv" >"$tmp/out.json" 2>"$tmp/err"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["tickets"] == 2 and d["csat"]["den"] == 2, d' "$tmp/out.json"
check "CR-only line ends" $?
printf 'created_at,channel,csat,csat\n2025-01-06T09:00:00Z,email,5,4\n' >"$tmp/dupe.csv"
"$report" "$tmp/dupe.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ]; check "a used column twice: exit 1" $?
has "$tmp/err" "header, column 4: the header names a mapped column twice"; check "a used column twice: named" $?
printf 'created_at,channel,handle_seconds\n2025-01-06T09:00:00Z,email,300\n2025-01-06T09:00:00Z,email,1e16\n2025-01-06T09:00:00Z,chat,100\n' >"$tmp/huge.csv"
"$report" --format json "$tmp/huge.csv" >"$tmp/out.json" 2>"$tmp/err"
check "a handle time of 1e16 s: not fatal" $?
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["bad_rows"] == 1 and d["handle"]["n"] == 2 and d["handle"]["total_seconds"] == 400, d' "$tmp/out.json"
check "a handle time of 1e16 s: one bad row, the others counted" $?
has "$tmp/err" 'line 3: column handle_seconds: value "1e+16": expected seconds 0..1e9'
check "a handle time of 1e16 s: reported" $?
printf 'created_at,channel,handle_seconds\n2025-01-06T09:00:00Z,email,3\0999\n2025-01-06T09:00:00Z,email,5\n' >"$tmp/nul.csv"
"$report" --format json "$tmp/nul.csv" >"$tmp/out.json" 2>"$tmp/err"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["bad_rows"] == 1 and d["handle"]["total_seconds"] == 5, d' "$tmp/out.json"
check "a NUL byte inside a number: a bad row, not 3" $?
has "$tmp/err" "line 2: column handle_seconds"; check "a NUL byte: reported" $?
printf 'created_at,channel,first_reply_at\n0000-06-01T00:00:00Z,email,2025-01-06T09:00:00Z\n' >"$tmp/y0.csv"
"$report" "$tmp/y0.csv" >"$tmp/out" 2>"$tmp/err"
has "$tmp/err" 'line 2: column created_at: value "0000-06-01T00:00:00Z"'; check "year 0 is blamed on created_at" $?

# --by with several values and time buckets; --interval.
"$report" --by channel --by month --format json "$tmp/hand.csv" >"$tmp/out.json" 2>"$tmp/err"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); g={x["group"]: x["tickets"] for x in d["groups"]}; assert g == {"chat 2025-01": 1, "email 2025-01": 2, "phone 2025-01": 1}, g' "$tmp/out.json"
check "--by channel --by month groups by both" $?
"$report" --interval 4h --format json "$tmp/hand.csv" >"$tmp/out.json" 2>"$tmp/err"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); g=[(x["start"], x["tickets"]) for x in d["groups"]]; assert g == [("2025-01-06T08:00:00Z", 3), ("2025-01-06T12:00:00Z", 1)], g' "$tmp/out.json"
check "--interval 4h: intervals of the calendar's local time" $?
# Time of day without --interval: hours of the day, each named by its start.
"$report" --by time-of-day --format json "$tmp/hand.csv" >"$tmp/out.json" 2>"$tmp/err"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); g=[(x["group"], x["tickets"], x["abandoned_contacts"]) for x in d["groups"]]; assert g == [("09:00", 1, 0), ("10:00", 1, 0), ("11:00", 1, 0), ("12:00", 1, 0), ("13:00", 0, 1), ("14:00", 0, 1)], g' "$tmp/out.json"
check "--by time-of-day: hourly slots named by their start" $?
# A number beyond 2^53 in its digits is a bad value, and the message says what reads.
printf 'created_at,handle_seconds\n2025-01-06T09:00:00Z,99999999999999999\n2025-01-06T10:00:00Z,1e3\n' >"$tmp/digits.csv"
"$report" --format csv "$tmp/digits.csv" >"$tmp/out.csv" 2>"$tmp/err"
has "$tmp/err" 'line 2: column handle_seconds: value "99999999999999999": expected a decimal number of seconds (or minutes) such as 42, 12.5 or 1e3, or empty'
check "a number with too many digits: bad row, message" $?
has "$tmp/out.csv" "all,all,bad_rows,1,,,,"; check "a number with too many digits: the other row is read" $?
"$report" --interval 7m "$tmp/hand.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ]; check "--interval that does not divide a day: exit 2" $?

# JSON and CSV carry the sections the text shows.
"$report" --format json "$tmp/staff.csv" >"$tmp/out.json" 2>"$tmp/err"
/usr/bin/python3 - "$tmp/out.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
st = d["staffing"]
phone = next(o for o in st["observed"] if o["channel"] == "phone")
assert phone["offered"] == 4 and phone["service_level"] == 0.25 and phone["asa_seconds"] == 20, phone
assert st["service_level_by_definition"]["answered only"] == 0.5, st
assert st["average_day"]["busiest_hour"] == 9 and st["average_day"]["hours"][9]["agents"] == 2, st
assert [c["group"] for c in d["channels"]] == ["chat", "email", "phone"], d["channels"]
assert d["compute_minor_faults"] >= 0
PY
check "json: staffing, channels and page faults" $?
"$report" --format json "$tmp/sla.csv" >"$tmp/out.json" 2>"$tmp/err"
/usr/bin/python3 - "$tmp/out.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
sla = {(a["metric"], a["priority"]): a for a in d["sla"]["attainment"]}
a = sla[("first_reply", "all")]
assert (a["achieved"], a["achieved"] + a["breached"], a["open"]) == (2, 5, 1), a
assert d["sla"]["as_of"] == "2025-01-14T12:00:00Z", d["sla"]
PY
check "json: SLA attainment as the text shows it" $?
"$report" --format csv "$tmp/sla.csv" >"$tmp/out.csv" 2>"$tmp/err"
has "$tmp/out.csv" "sla,all,first_reply_attainment,0.40000000000000002,"; check "csv: SLA attainment" $?
has "$tmp/out.csv" "priority,urgent,tickets,2,,,,"; check "csv: per-priority groups" $?

# A mapped input that shrinks while it is read stops with a message, not a signal.
"$gen" --seed 3 --tickets 400000 -o "$tmp/shrink.csv"
"$report" --threads 1 "$tmp/shrink.csv" >"$tmp/out" 2>"$tmp/err" &
pid=$!
# Once the file is mapped the handler is in place (a slow or sanitized build may take
# a while to get there).
for _ in $(seq 200); do
    grep -q shrink.csv /proc/$pid/maps 2>/dev/null && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.05
done
kill -BUS $pid 2>/dev/null
wait $pid
rc=$?
[ $rc -eq 1 ] || [ $rc -eq 0 ]; check "SIGBUS while reading: exit 1 (or done before it)" $?
[ $rc -eq 0 ] || has "$tmp/err" "the input changed (was it truncated?) while being read"
check "SIGBUS while reading: the message says so" $?

tap_end
