#!/bin/sh
# End-to-end tests of caremetrics-qa on small hand-made files; every expected
# figure is worked out in the comments (or published: Krippendorff 2011,
# Shrout and Fleiss 1979).
# usage: test-qa-cli.sh QA_BINARY RUBRIC
set -u
qa=$1
rubric=$2
. "$(dirname "$0")/tap.sh"

has() { grep -E -q -- "$2" "$1"; }
py=/usr/bin/python3
[ -x "$py" ] || py=

# ---- rubric ----------------------------------------------------------------------

"$qa" rubric "$rubric" >"$tmp/out" 2>"$tmp/err"
check "rubric: exit 0" $?
# 4 + 1 + 3 + 2 + 5 + 2 points
has "$tmp/out" "^pass mark 85; 4 sections, 6 items \(1 critical\), 17 points$"
check "rubric: pass mark, sections, items, points" $?
has "$tmp/out" "^section communication +30 %  5 points$" && has "$tmp/out" "^  item next-steps +2  na$"
check "rubric: a section and an N/A-able item" $?

printf 'pass 80\nsection a 60\nitem x 1\nsection b 30\nitem y 1\n' >"$tmp/bad.txt"
"$qa" rubric "$tmp/bad.txt" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && has "$tmp/err" "bad.txt:4:11: " && [ ! -s "$tmp/out" ]
check "rubric: weights adding up to 90 fail at line 4, column 11" $?
printf 'pass 80\nsection a 100\nitem x 1 critical na\n' >"$tmp/bad.txt"
"$qa" rubric "$tmp/bad.txt" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && has "$tmp/err" "bad.txt:3:"
check "rubric: critical and N/A together are refused" $?
"$qa" rubric "$tmp/missing.txt" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && has "$tmp/err" "cannot open"
check "rubric: a missing file" $?

# ---- score -------------------------------------------------------------------------

# The hand-worked evaluations of docs/qa.md (seed rubric, pass mark 85):
#   4,1,3,2,5,2   -> 100     passed
#   3,1,2,2,4,1   -> 77      failed   (sections 80, 80, 80, 50)
#   4,1,1,na,5,2  -> 80      failed   (sections 100, 33.3, 100, 100)
#   4,1,1,2,5,na  -> 86.67   passed   (documentation N/A: (40 + 18 + 20) / 0.9)
#   4,0,3,2,5,2   -> 0       critical failure
head='id,agent,team,week,correct-answer,verified-identity,empathy,next-steps,followed-script,tagged'
{
    echo "$head"
    echo 'e1,a,north,2025-W01,4,1,3,2,5,2'
    echo 'e2,a,north,2025-W02,3,1,2,2,4,1'
    echo 'e3,a,north,2025-W03,4,1,1,na,5,2'
    echo 'e4,b,south,2025-W01,4,1,1,2,5,'
    echo 'e5,b,south,2025-W02,4,0,3,2,5,2'
} >"$tmp/ev.csv"

"$qa" score --rubric "$rubric" "$tmp/ev.csv" >"$tmp/out" 2>"$tmp/err"
check "score: exit 0" $?
[ ! -s "$tmp/err" ]; check "score: nothing on stderr" $?
has "$tmp/out" "^5 evaluations scored against .* \(4 sections, 6 items, pass mark 85\)$"
check "score: the count" $?
# a: mean (100 + 77 + 80)/3 = 85.67, sd 12.503, t(0.975, 2) = 4.3027: 85.67 - 31.06 =
# 54.61, the top clamped to 100; 1 pass of 3: Wilson [6.1, 79.2] %.
has "$tmp/out" "^a +3 +85\.67  \[54\.61, 100\.00\] +33\.3%  \[6\.1, 79\.2\] +0 +77\.00 +100\.00$"
check "score: agent a by hand (t interval, Wilson)" $?
# b: (86.67 + 0)/2 = 43.33; the t interval with 1 degree of freedom is clamped to [0, 100];
# 1 pass of 2: Wilson [9.5, 90.5] %; 1 critical failure.
has "$tmp/out" "^b +2 +43\.33  \[0\.00, 100\.00\] +50\.0%  \[9\.5, 90\.5\] +1 +0\.00 +86\.67$"
check "score: agent b by hand, a critical failure" $?
# Section means of a: accuracy (100 + 80 + 100)/3, communication (100 + 80 + 33.3)/3,
# process (100 + 80 + 100)/3, documentation (100 + 50 + 100)/3.
has "$tmp/out" "^a +93\.33 +71\.11 +93\.33 +83\.33$"
check "score: section means of a" $?
# b: documentation N/A in e4, so only e5's 100 counts; communication (60 + 100)/2.
has "$tmp/out" "^b +90\.00 +80\.00 +100\.00 +100\.00$"
check "score: section means of b (an N/A section leaves the mean)" $?
has "$tmp/out" "^all +5 +68\.73 "
check "score: everybody: (100 + 77 + 80 + 86.67 + 0)/5 = 68.73" $?

"$qa" score --rubric "$rubric" --by team --format csv "$tmp/ev.csv" >"$tmp/out" 2>"$tmp/err"
check "score --format csv: exit 0" $?
head -1 "$tmp/out" | grep -q '^grouping,group,n,mean,mean_lo,mean_hi,sd,min,max,passed,pass_rate,pass_lo,pass_hi,critical_failed,critical_rate,section:accuracy,section:communication,section:process,section:documentation$'
check "csv: header" $?
has "$tmp/out" "^team,north,3,85\.666667,54\.606666,100\.000000,12\.503333,77\.000000,100\.000000,1,0\.333333,0\.061492,0\.792340,0,0\.000000,93\.333333,71\.111111,93\.333333,83\.333333$"
check "csv: team north = agent a, six decimals" $?
has "$tmp/out" "^all,all,5,"
check "csv: the overall row" $?

# Alerts: x scores 100, 77, 80, 86.67, 77 in weeks 1..5: below 85 in weeks 2-3 (an alert)
# and 5 (too short). y: 77 in weeks 1 and 3, nothing in week 2: the gap breaks the run.
# z: 77 three weeks running: one run of 3.
{
    echo "$head"
    echo 'x1,x,t,W1,4,1,3,2,5,2'
    echo 'x2,x,t,W2,3,1,2,2,4,1'
    echo 'x3,x,t,W3,4,1,1,na,5,2'
    echo 'x4,x,t,W4,4,1,1,2,5,na'
    echo 'x5,x,t,W5,3,1,2,2,4,1'
    echo 'y1,y,t,W1,3,1,2,2,4,1'
    echo 'y3,y,t,W3,3,1,2,2,4,1'
    echo 'z1,z,t,W1,3,1,2,2,4,1'
    echo 'z2,z,t,W2,3,1,2,2,4,1'
    echo 'z3,z,t,W3,3,1,2,2,4,1'
} >"$tmp/weeks.csv"
"$qa" score --rubric "$rubric" --period week "$tmp/weeks.csv" >"$tmp/out" 2>"$tmp/err"
check "alerts: exit 0" $?
has "$tmp/out" "^alerts: mean score below 85 for 2 consecutive periods \(week\)$"
check "alerts: the rule (threshold = pass mark, 2 periods)" $?
has "$tmp/out" "^  x: W2 to W3 \(2 periods\): 77\.00 80\.00$"
check "alerts: x in weeks 2-3" $?
[ "$(grep -c '^  x:' "$tmp/out")" -eq 1 ]; check "alerts: x's single week 5 is no alert" $?
! grep -q '^  y:' "$tmp/out"; check "alerts: a week without evaluations breaks y's run" $?
has "$tmp/out" "^  z: W1 to W3 \(3 periods\): 77\.00 77\.00 77\.00$"
check "alerts: z's three weeks are one run" $?
"$qa" score --rubric "$rubric" --period week --alert-below 78 --alert-periods 1 "$tmp/weeks.csv" >"$tmp/out" 2>"$tmp/err"
has "$tmp/out" "^  x: W2 to W2 \(1 period\): 77\.00$" && has "$tmp/out" "^  x: W5 to W5 "
check "alerts: --alert-below 78 --alert-periods 1" $?
# Pass rate in percent: x passes in weeks 1 and 4 only.
"$qa" score --rubric "$rubric" --period week --alert-on pass-rate --format csv "$tmp/weeks.csv" >"$tmp/out" 2>"$tmp/err"
head -1 "$tmp/out" | grep -q ',alert_runs,last_alert_period$'
check "alerts csv: columns" $?
has "$tmp/out" "^agent,x,5,.*,1,W3$" && has "$tmp/out" "^agent,y,2,.*,0,$"
check "alerts --alert-on pass-rate: x at 0 % in weeks 2-3, one run; y none" $?

if [ -n "$py" ]; then
    "$qa" score --rubric "$rubric" --period week --format json "$tmp/weeks.csv" >"$tmp/out" 2>"$tmp/err"
    "$py" - "$tmp/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["evaluations"] == 10 and d["skipped"] == 0, d
assert d["alert"] == {"period": "week", "on": "score", "below": 85, "periods": 2}, d["alert"]
agents = {g["name"]: g for g in d["groupings"][0]["groups"]}
assert d["groupings"][0]["by"] == "agent" and d["groupings"][1]["by"] is None
x = agents["x"]
# Scores are kept to the micro-point: 86.666667 for 260/3.
assert abs(x["mean"] - (100 + 77 + 80 + 260 / 3 + 77) / 5) < 1e-6, x["mean"]
assert x["pass_rate"]["count"] == 2 and x["critical_rate"]["count"] == 0
assert x["alerts"] == [{"from": "W2", "to": "W3", "values": [77, 80]}], x["alerts"]
assert x["sections"]["documentation"] == (100 + 50 + 100 + 50) / 4, x["sections"]
assert agents["y"]["alerts"] == [] and len(agents["z"]["alerts"]) == 1
PY
    check "score --format json: parses, means, alerts" $?
fi

# Names with commas and quotes survive CSV and JSON.
{
    echo "$head"
    echo 'q1,"Smith, ""Jo""",t,W1,4,1,3,2,5,2'
} >"$tmp/quoted.csv"
"$qa" score --rubric "$rubric" --format csv "$tmp/quoted.csv" >"$tmp/out" 2>"$tmp/err"
has "$tmp/out" '^agent,"Smith, ""Jo""",1,100\.000000,'
check "csv: a name with a comma and quotes is quoted" $?

# Bad rows: named, skipped, counted; --strict stops.
{
    echo "$head"
    echo 'e1,a,t,W1,4,1,3,2,5,2'
    echo 'e2,a,t,W1,4,1,4,2,5,2'
    echo 'e3,a,t,W1,4,na,3,2,5,2'
    echo 'e4,a,t,W1,4,1,3,2,,2'
    echo 'e5,a,t,W1,4,1,2.5,2,5,2'
    echo 'e6,a,t,W1,4,1,3,2,5'
    echo 'e7,a,t,W1,4,1,-1,2,5,2'
} >"$tmp/badrows.csv"
"$qa" score --rubric "$rubric" "$tmp/badrows.csv" >"$tmp/out" 2>"$tmp/err"
check "bad rows: exit 0 without --strict" $?
has "$tmp/out" "^1 evaluation scored against .*, 6 rows skipped$"
check "bad rows: 1 scored, 6 skipped" $?
has "$tmp/err" "badrows.csv:3: column 'empathy': 4 is outside the item's 0\.\.3 points"
check "bad rows: an award above the item's points" $?
has "$tmp/err" "badrows.csv:4: column 'verified-identity': N/A, but the item is critical"
check "bad rows: N/A on a critical item" $?
has "$tmp/err" "badrows.csv:5: column 'followed-script': empty, but the item is not N/A-able"
check "bad rows: an empty cell on an item that is not N/A-able" $?
has "$tmp/err" "badrows.csv:6: column 'empathy': '2\.5' is not a whole number"
check "bad rows: a fraction of a point" $?
has "$tmp/err" "badrows.csv:7: 9 fields, the header has 10"
check "bad rows: a short row" $?
has "$tmp/err" "badrows.csv:8: column 'empathy': -1 is outside"
check "bad rows: a negative award" $?
"$qa" score --rubric "$rubric" --strict "$tmp/badrows.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ]
check "bad rows --strict: exit 1 at the first, nothing printed" $?

echo 'id,agent,correct-answer,verified-identity,empathy,next-steps,followed-script' >"$tmp/noitem.csv"
"$qa" score --rubric "$rubric" "$tmp/noitem.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && has "$tmp/err" "no column for the rubric's item 'tagged'"
check "a missing item column" $?
"$qa" score --rubric "$rubric" --by region "$tmp/ev.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && has "$tmp/err" "no column 'region' \(--by\)"
check "an unknown --by column" $?
echo "$head" >"$tmp/empty.csv"
"$qa" score --rubric "$rubric" "$tmp/empty.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && has "$tmp/err" "no evaluation could be scored"
check "a header without rows" $?
: >"$tmp/nothing.csv"
"$qa" score --rubric "$rubric" "$tmp/nothing.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && has "$tmp/err" "empty file"
check "an empty file" $?
"$qa" score --rubric "$rubric" <"$tmp/ev.csv" - >"$tmp/out" 2>"$tmp/err"
has "$tmp/out" "^5 evaluations"
check "standard input" $?

for args in "score $tmp/ev.csv" "score --rubric $rubric" "score --rubric $rubric --format xml $tmp/ev.csv" \
    "score --rubric $rubric --alert-periods 0 $tmp/ev.csv" "score --rubric $rubric --alert-below 101 $tmp/ev.csv" \
    "score --rubric $rubric --confidence 1 $tmp/ev.csv" "calibrate" "calibrate --item-level loud x.csv" \
    "frobnicate" ""; do
    # shellcheck disable=SC2086
    "$qa" $args >"$tmp/out" 2>"$tmp/err"
    [ $? -eq 2 ] && has "$tmp/err" "^usage: caremetrics-qa"
    check "usage error: '$args'" $?
done

# ---- calibrate ---------------------------------------------------------------------

# Krippendorff's worked example with missing data: 4 observers, 12 units (unit 12 has a
# single rating). Published: nominal .743, ordinal .815, interval .849, ratio .797.
awk 'BEGIN {
    split("1 1 . 1|2 2 3 2|3 3 3 3|3 3 3 3|2 2 2 2|1 2 3 4|4 4 4 4|1 1 2 1|2 2 2 2|. 5 5 5|. . 1 1|. 3 . .", u, "|")
    print "interaction,grader,score"
    for (i = 1; i <= 12; i++) {
        split(u[i], r, " ")
        for (j = 1; j <= 4; j++) if (r[j] != ".") printf "u%d,%s,%s\n", i, substr("ABCD", j, 1), r[j]
    }
}' >"$tmp/kripp.csv"
"$qa" calibrate "$tmp/kripp.csv" >"$tmp/out" 2>"$tmp/err"
check "calibrate: exit 0" $?
has "$tmp/out" "^12 interactions, 4 graders, 41 ratings$"
check "calibrate: 12 units, 4 graders, 41 ratings" $?
has "$tmp/out" "^  nominal   0\.743 \(tentative, 40 ratings in 11 interactions\)$"
check "calibrate: nominal alpha .743 over the 40 pairable ratings" $?
has "$tmp/out" "^  ordinal   0\.815 \(reliable" && has "$tmp/out" "^  interval  0\.849 " && has "$tmp/out" "^  ratio     0\.797 "
check "calibrate: ordinal .815, interval .849, ratio .797" $?

# Shrout and Fleiss: 6 targets x 4 judges. Published ICC(1,1) .17, ICC(2,1) .29,
# ICC(3,1) .71, ICC(1,4) .44, ICC(2,4) .62, ICC(3,4) .91.
awk 'BEGIN {
    split("9 2 5 8|6 1 3 2|8 4 6 8|7 1 2 6|10 5 6 9|6 2 4 7", t, "|")
    print "judge,target,rating"
    for (i = 1; i <= 6; i++) { split(t[i], r, " "); for (j = 1; j <= 4; j++) printf "J%d,T%d,%s\n", j, i, r[j] }
}' >"$tmp/sf.csv"
"$qa" calibrate --unit target --grader judge --score rating "$tmp/sf.csv" >"$tmp/out" 2>"$tmp/err"
check "calibrate --unit --grader --score: exit 0" $?
has "$tmp/out" "^intraclass correlations over the 6 interactions every grader scored$"
check "calibrate: ICCs over 6 complete targets" $?
if [ -n "$py" ]; then
    "$qa" calibrate --unit target --grader judge --score rating --format json "$tmp/sf.csv" >"$tmp/out" 2>"$tmp/err"
    "$py" - "$tmp/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
icc = d["score"]["icc"]
assert icc["targets"] == 6 and icc["raters"] == 4, icc
published = {"icc1_1": .17, "icc2_1": .29, "icc3_1": .71, "icc1_k": .44, "icc2_k": .62, "icc3_k": .91}
for k, v in published.items():
    assert abs(icc[k] - v) <= 0.005, (k, icc[k], v)
assert d["interactions"] == 6 and d["graders"] == 4 and d["ratings"] == 24
PY
    check "calibrate --format json: the six ICCs as published" $?
fi

# Deviation from the others (tests/test-qa.c's hand example): graders g0, g1, g2; calls
# 80 82 90 | 70 70 76 | 90 - 96 | - - 50. g0: -6, -3, -6 -> mean -5; g1: -3, -3 -> -3;
# g2: +9, +6, +6 -> +7. Call 4 has one rating: no comparison. Not every call is
# complete: the ICCs run over the 2 complete calls.
{
    echo 'interaction,grader,score'
    echo 'c1,g0,80'; echo 'c1,g1,82'; echo 'c1,g2,90'
    echo 'c2,g0,70'; echo 'c2,g1,70'; echo 'c2,g2,76'
    echo 'c3,g0,90'; echo 'c3,g2,96'; echo 'c3,g1,'
    echo 'c4,g2,50'
} >"$tmp/dev.csv"
"$qa" calibrate "$tmp/dev.csv" >"$tmp/out" 2>"$tmp/err"
check "deviation: exit 0" $?
has "$tmp/out" "^  g0 +3 +-5\.00 +5\.00$" && has "$tmp/out" "^  g1 +2 +-3\.00 +3\.00$" && has "$tmp/out" "^  g2 +3 +\+7\.00 +7\.00$"
check "deviation: g0 -5, g1 -3, g2 +7 (an empty score is not rated)" $?
has "$tmp/out" "^intraclass correlations over the 2 interactions every grader scored$"
check "deviation: ICCs over the complete calls only" $?
"$qa" calibrate --format csv "$tmp/dev.csv" >"$tmp/out" 2>"$tmp/err"
head -1 "$tmp/out" | grep -q '^measure,subject,statistic,value,n$' && has "$tmp/out" "^deviation,g2,mean,7,3$"
check "calibrate --format csv: long rows" $?

# With a rubric: the score, pass/fail and every item. T1 both pass (100), T2 both fail
# (77), T3 one of each. Binary data, pairs (1,1) (0,0) (1,0): D_o = 2/6, D_e = 18/30,
# alpha = 1 - (1/3)/0.6 = 0.444. verified-identity never varies: undefined.
{
    echo 'interaction,grader,correct-answer,verified-identity,empathy,next-steps,followed-script,tagged'
    echo 'T1,ann,4,1,3,2,5,2'; echo 'T1,bob,4,1,3,2,5,2'
    echo 'T2,ann,3,1,2,2,4,1'; echo 'T2,bob,3,1,2,2,4,1'
    echo 'T3,ann,4,1,3,2,5,2'; echo 'T3,bob,3,1,2,2,4,1'
} >"$tmp/cal.csv"
"$qa" calibrate --rubric "$rubric" "$tmp/cal.csv" >"$tmp/out" 2>"$tmp/err"
check "calibrate --rubric: exit 0" $?
has "$tmp/out" "^agreement on pass/fail: alpha \(nominal\) 0\.444 \(unreliable, 6 ratings in 3 interactions\)$"
check "calibrate --rubric: pass/fail alpha 0.444" $?
has "$tmp/out" "^  interval  0\.444 " && has "$tmp/out" "^  correct-answer +0\.444 "
check "calibrate --rubric: the score and an item, 0.444" $?
has "$tmp/out" "^  verified-identity +undefined"
check "calibrate --rubric: an item without variation is undefined" $?

printf 'interaction,grader,score\nc1,g0,1\nc1,g0,2\n' >"$tmp/dup.csv"
"$qa" calibrate "$tmp/dup.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && has "$tmp/err" "dup.csv:3: grader 'g0' already rated interaction 'c1' on line 2"
check "calibrate: a grader rating an interaction twice" $?
printf 'interaction,grader,score\nc1,g0,1\nc2,g0,2\n' >"$tmp/one.csv"
"$qa" calibrate "$tmp/one.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && has "$tmp/err" "1 grader; agreement needs at least two"
check "calibrate: one grader" $?
printf 'interaction,grader,score\nc1,g0,1\nc1,g1,nan\nc1,g2,x\n' >"$tmp/nan.csv"
"$qa" calibrate "$tmp/nan.csv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && has "$tmp/err" "nan.csv:3: column 'score': 'nan' is not a number" &&
    has "$tmp/err" "nan.csv:4: column 'score': 'x' is not a number"
check "calibrate: NaN and text scores are refused" $?
printf 'interaction,grader,score\nc1,g0,1\nc1,g1,2\n' >"$tmp/flat.csv"
"$qa" calibrate "$tmp/flat.csv" >"$tmp/out" 2>"$tmp/err"
check "calibrate: one interaction, two graders: exit 0" $?
has "$tmp/out" "^intraclass correlations over the 1 interactions every grader scored: undefined"
check "calibrate: ICC with one target is undefined, not an error" $?

tap_end
