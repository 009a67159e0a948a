#!/bin/sh
# End-to-end tests of caremetrics-report's optional sections: contact drivers
# (--drivers), backlog (--backlog) and QA scorecards (--qa-rubric with
# --qa-evaluations), on small hand-made files; every expected figure is worked
# out in the comments.
# usage: test-report-sections.sh REPORT_BINARY RUBRIC
set -u
report=$1
rubric=$2
. "$(dirname "$0")/tap.sh"

has() { grep -E -q -- "$2" "$1"; }
py=/usr/bin/python3
[ -x "$py" ] || py=

# Five tickets. Tags: billing in 1, 2, 3; login in 3, 5; refund in 1; ticket 4 has none,
# so 4 tickets of 5 are tagged and there are 6 tags. Row 6 is an abandoned call: a contact
# with no tags and never a ticket of the backlog.
cat >"$tmp/t.csv" <<'EOF'
ticket_id,created_at,channel,priority,first_reply_at,solved_at,abandoned,tags
1,2025-01-06T09:00:00Z,email,normal,,2025-01-06T10:00:00Z,0,billing refund
2,2025-01-06T10:00:00Z,email,normal,,,0,billing
3,2025-01-07T09:00:00Z,chat,high,,2025-01-09T09:00:00Z,0,"login,billing"
4,2025-01-08T09:00:00Z,email,low,,,0,
5,2025-01-10T12:00:00Z,phone,normal,,2025-01-10T12:10:00Z,0,login
6,2025-01-10T13:00:00Z,phone,,,,1,
EOF

# ---- unchanged without the options -----------------------------------------------------
for f in text json csv; do
    "$report" --format $f "$tmp/t.csv" >"$tmp/plain.$f" 2>/dev/null
    "$report" --format $f --drivers tags --backlog day "$tmp/t.csv" >"$tmp/with.$f" 2>/dev/null
    lines=$(wc -l <"$tmp/plain.$f")
    if [ $f = json ]; then
        # the sections are keys added before the object's closing brace; the timings differ
        untimed='s/"compute_[a-z_]*": [0-9.e+-]*//g'
        sed "$untimed" "$tmp/plain.$f" >"$tmp/a" && sed "$untimed" "$tmp/with.$f" >"$tmp/b"
        [ "$(head -c $(($(wc -c <"$tmp/a") - 2)) "$tmp/a")" = \
            "$(head -c $(($(wc -c <"$tmp/a") - 2)) "$tmp/b")" ] && has "$tmp/b" '"backlog": \{'
    else
        head -n "$lines" "$tmp/with.$f" | cmp -s - "$tmp/plain.$f"
    fi
    check "$f: the report without the sections is a prefix of the report with them" $?
done

# ---- drivers ----------------------------------------------------------------------------
"$report" --drivers tags "$tmp/t.csv" >"$tmp/out" 2>"$tmp/err"
check "drivers: exit 0" $?
has "$tmp/out" "^Contact drivers \(column tags\): 4 of 6 tickets tagged, 6 tags$"
check "drivers: 4 of the 6 rows tagged, 6 tags" $?
has "$tmp/out" "^  counts are exact$"
check "drivers: exact while the tags fit the summary" $?
has "$tmp/out" "^   1\. billing +3   75\.0% of tagged tickets$" &&
    has "$tmp/out" "^   2\. login +2   50\.0% of tagged tickets$" &&
    has "$tmp/out" "^   3\. refund +1   25\.0% of tagged tickets$"
check "drivers: billing 3, login 2 (comma separated), refund 1" $?
"$report" --drivers tags --drivers-top 1 "$tmp/t.csv" >"$tmp/out" 2>"$tmp/err"
has "$tmp/out" "^   1\. billing " && ! has "$tmp/out" "^   2\. "
check "drivers --drivers-top 1: one line" $?
# A field of separators only is no tag; a tag over 64 bytes leaves its ticket out.
{
    cat "$tmp/t.csv"
    echo '7,2025-01-10T14:00:00Z,email,,,,0," , "'
    echo "8,2025-01-10T15:00:00Z,email,,,,0,billing $(printf '%065d' 0)"
} >"$tmp/t2.csv"
"$report" --drivers tags "$tmp/t2.csv" >"$tmp/out" 2>"$tmp/err"
has "$tmp/out" "^Contact drivers \(column tags\): 4 of 8 tickets tagged, 6 tags$" &&
    has "$tmp/out" "^  tickets left out for a tag longer than 64 bytes: 1$" && has "$tmp/out" "^   1\. billing +3 "
check "drivers: separators alone, and a tag over 64 bytes" $?
"$report" --drivers tags --format csv "$tmp/t.csv" >"$tmp/out" 2>"$tmp/err"
has "$tmp/out" "^drivers,billing,tickets,3,3,3,3,4$" && has "$tmp/out" "^drivers,all,tagged_tickets,4,,,4,6$"
check "drivers csv: count, bounds, tagged tickets" $?

# ---- backlog ------------------------------------------------------------------------------
# Daily snapshots at 00:00 UTC from the end of the first creation's day (7 January) to the
# end of the day of the last instant (10 January 12:10): 7, 8, 9, 10 and 11 January.
#  7 Jan: 1 solved the 6th, 2 open (14 h)                    open 1, created 2, solved 1
#  8 Jan: 2 (38 h), 3 (15 h): mean 26.5 h, max 38 h           open 2, created 1, solved 0
#  9 Jan: 2 (62 h), 3 (39 h), 4 (15 h): mean 38 h 40 m        open 3, created 1, solved 0
# 10 Jan: 3 solved the 9th; 2 (86 h), 4 (39 h): mean 62.5 h   open 2, created 0, solved 1
# 11 Jan: 5 came and went; 2 (110 h), 4 (63 h)                open 2, created 1, solved 1
# Buckets <1d 1-3d 3-7d 7-30d >=30d.
"$report" --backlog day "$tmp/t.csv" >"$tmp/out" 2>"$tmp/err"
check "backlog: exit 0" $?
has "$tmp/out" "^Backlog at the end of each day \(UTC\): 5 tickets$"
check "backlog: 5 tickets (the abandoned call is not one)" $?
has "$tmp/out" "^2025-01-07T00:00:00Z +1 +2 +1 +14h 00m .* +1 +0 +0 +0 +0$"
check "backlog: 7 January" $?
has "$tmp/out" "^2025-01-09T00:00:00Z +3 +1 +0 +1d 14h .* +1d 14h .* +2d 14h +1 +2 +0 +0 +0$"
check "backlog: 9 January: 3 open, mean 38 h 40 m, oldest 62 h" $?
has "$tmp/out" "^2025-01-10T00:00:00Z +2 +0 +1 +2d 14h .* +3d 14h +0 +1 +1 +0 +0$"
check "backlog: 10 January: 2 open, one in 1-3 d, one in 3-7 d" $?
has "$tmp/out" "^2025-01-11T00:00:00Z +2 +1 +1 " && [ "$(grep -c '^2025-01-' "$tmp/out")" -eq 5 ]
check "backlog: 11 January is the last of 5 snapshots" $?
if [ -n "$py" ]; then
    "$report" --backlog day --format json "$tmp/t.csv" >"$tmp/out" 2>"$tmp/err"
    "$py" - "$tmp/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
b = d["backlog"]
assert b["interval"] == "day" and b["tickets"] == 5 and b["skipped"] == 0, b
s = b["snapshots"]
assert [x["open"] for x in s] == [1, 2, 3, 2, 2], s
assert [x["created"] for x in s] == [2, 1, 1, 0, 1] and [x["solved"] for x in s] == [1, 0, 0, 1, 1]
h = 3600
assert s[1]["age_mean_seconds"] == 26.5 * h and s[1]["age_max_seconds"] == 38 * h
assert abs(s[2]["age_mean_seconds"] - (62 + 39 + 15) * h / 3) < 1e-6
assert s[3]["age_counts"] == [0, 1, 1, 0, 0] and s[4]["age_max_seconds"] == 110 * h
# the median of 15 h and 38 h from the sketch: within 1 % of the interpolated 26.5 h
assert abs(s[1]["age_median_seconds"] - 26.5 * h) <= 0.01 * 38 * h, s[1]
PY
    check "backlog json: every snapshot by hand" $?
fi
# --as-of ends the snapshots at that instant: 7, 8, 9 January, then 9 January 12:00 with
# 3 solved at 09:00: 2 (74 h) and 4 (27 h) open.
"$report" --backlog day --as-of 2025-01-09T12:00:00Z --format csv "$tmp/t.csv" >"$tmp/out" 2>"$tmp/err"
has "$tmp/out" "^backlog,2025-01-09T12:00:00Z,open,2,,,,$" &&
    has "$tmp/out" "^backlog,2025-01-09T12:00:00Z,age_max_seconds,266400,,,,$" &&
    [ "$(grep -c '^backlog,[^,]*,open,' "$tmp/out")" -eq 4 ]
check "backlog --as-of: 4 snapshots, the last at the instant" $?
# A header without rows: the section says there is no snapshot (not an error).
head -1 "$tmp/t.csv" >"$tmp/empty.csv"
"$report" --backlog day "$tmp/empty.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && has "$tmp/out" "^  no snapshot: no ticket with a readable created_at$"
check "backlog: no ticket, no snapshot" $?
# A line of 80,000 bytes (40,000 tags) is read whole.
{
    head -1 "$tmp/t.csv"
    printf '9,2025-01-06T09:00:00Z,email,,,,0,'
    awk 'BEGIN { for (i = 0; i < 40000; i++) printf "t "; print "" }'
} >"$tmp/long.csv"
"$report" --drivers tags --backlog day "$tmp/long.csv" >"$tmp/out" 2>"$tmp/err"
has "$tmp/out" "^   1\. t +40000 " && has "$tmp/out" "^2025-01-07T00:00:00Z +1 +1 +0 "
check "a line of 80,000 bytes" $?
"$report" --backlog week "$tmp/t.csv" >"$tmp/out" 2>"$tmp/err"
has "$tmp/out" "^2025-01-13T00:00:00Z +2 +5 +3 " && [ "$(grep -c '^20[0-9-]*T' "$tmp/out")" -eq 1 ]
check "backlog week: one snapshot, Monday 13 January" $?
"$report" --backlog month "$tmp/t.csv" >"$tmp/out" 2>"$tmp/err"
has "$tmp/out" "^2025-02-01T00:00:00Z +2 +5 +3 "
check "backlog month: 1 February" $?

# ---- QA -------------------------------------------------------------------------------------
# The hand-worked evaluations of tests/test-qa-cli.sh (pass mark 85): agent a scores 100,
# 77 and 80, agent b 86.67 and 0 (a critical failure).
head='id,agent,team,week,correct-answer,verified-identity,empathy,next-steps,followed-script,tagged'
{
    echo "$head"
    echo 'e1,a,north,2025-W01,4,1,3,2,5,2'
    echo 'e2,a,north,2025-W02,3,1,2,2,4,1'
    echo 'e3,a,north,2025-W03,4,1,1,na,5,2'
    echo 'e4,b,south,2025-W01,4,1,1,2,5,'
    echo 'e5,b,south,2025-W02,4,0,3,2,5,2'
} >"$tmp/ev.csv"
"$report" --qa-rubric "$rubric" --qa-evaluations "$tmp/ev.csv" "$tmp/t.csv" >"$tmp/out" 2>"$tmp/err"
check "qa: exit 0" $?
has "$tmp/out" "^QA scores \(.*ev\.csv against .*, pass mark 85\): 5 evaluations$"
check "qa: the title" $?
# a: mean 85.67, t interval [54.61, 100] (clamped), 1 pass of 3: Wilson [6.1, 79.2] %.
has "$tmp/out" "^a +3 +85\.67  \[ 54\.61, 100\.00\] +33\.3%  \[ 6\.1,  79\.2\] +0$"
check "qa: agent a" $?
has "$tmp/out" "^b +2 +43\.33  \[  0\.00, 100\.00\] +50\.0%  \[ 9\.5,  90\.5\] +1$"
check "qa: agent b, a critical failure" $?
has "$tmp/out" "^all +5 +68\.73 "
check "qa: everybody" $?
"$report" --qa-rubric "$rubric" --qa-evaluations "$tmp/ev.csv" --qa-by team --format csv "$tmp/t.csv" \
    >"$tmp/out" 2>"$tmp/err"
has "$tmp/out" "^qa,north,pass_rate,0\.333333333333333[0-9]*,0\.0614[0-9]*,0\.7923[0-9]*,1,3$" &&
    has "$tmp/out" "^qa,south,critical_rate,0\.5,.*,1,2$"
check "qa --qa-by team, csv" $?
if [ -n "$py" ]; then
    "$report" --qa-rubric "$rubric" --qa-evaluations "$tmp/ev.csv" --format json "$tmp/t.csv" >"$tmp/out"
    "$py" - "$tmp/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
q = d["qa"]
assert q["pass_score"] == 85 and q["by"] == "agent" and q["skipped"] == 0, q
g = {x["group"]: x for x in q["groups"]}
assert abs(g["a"]["mean"] - 257 / 3) < 1e-6 and g["a"]["passed"] == 1
assert abs(g["all"]["mean"] - (257 + 260 / 3) / 5) < 1e-5 and g["b"]["critical_failed"] == 1
PY
    check "qa json: means and counts" $?
fi
# A bad row is named and left out; --strict stops.
{ cat "$tmp/ev.csv"; echo 'e6,a,north,2025-W03,4,1,9,2,5,2'; } >"$tmp/bad.csv"
"$report" --qa-rubric "$rubric" --qa-evaluations "$tmp/bad.csv" "$tmp/t.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && has "$tmp/out" ": 5 evaluations, 1 rows left out$" &&
    has "$tmp/err" "bad\.csv:7: column 'empathy': 9 is outside the item's 0\.\.3 points"
check "qa: a bad evaluation is named and left out" $?
"$report" --strict --qa-rubric "$rubric" --qa-evaluations "$tmp/bad.csv" "$tmp/t.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && [ ! -s "$tmp/out" ]
check "qa --strict: exit 1 and no report" $?

# ---- errors -----------------------------------------------------------------------------------
"$report" --drivers labels "$tmp/t.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && has "$tmp/err" "no column 'labels' \(--drivers\)" && [ ! -s "$tmp/out" ]
check "drivers: an unknown column" $?
printf 'pass 80\nsection a 60\nitem x 1\nsection b 30\nitem y 1\n' >"$tmp/r.txt"
"$report" --qa-rubric "$tmp/r.txt" --qa-evaluations "$tmp/ev.csv" "$tmp/t.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && has "$tmp/err" "r\.txt:4:11: " && [ ! -s "$tmp/out" ]
check "qa: a rubric whose weights add up to 90" $?
"$report" --qa-rubric "$rubric" --qa-evaluations "$tmp/ev.csv" --qa-by region "$tmp/t.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && has "$tmp/err" "no column 'region' \(--qa-by\)"
check "qa: an unknown --qa-by column" $?
printf 'ticket_id,channel,solved_at\n1,email,\n' >"$tmp/nocreated.csv"
"$report" --backlog day --columns 'created_at=ticket_id' "$tmp/nocreated.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && has "$tmp/err" "backlog reads the columns created_at and solved_at"
check "backlog: the columns it needs" $?
for args in "--backlog year" "--drivers-top 0 --drivers tags" "--drivers-top 101 --drivers tags" \
    "--drivers-top 3" "--qa-rubric $rubric" "--qa-evaluations $tmp/ev.csv" \
    "--qa-by team" "--qa-rubric $rubric --qa-evaluations -"; do
    # shellcheck disable=SC2086
    "$report" $args "$tmp/t.csv" >"$tmp/out" 2>"$tmp/err"
    [ $? -eq 2 ] && [ ! -s "$tmp/out" ]
    check "usage error: '$args'" $?
done

tap_end
