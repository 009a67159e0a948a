#!/bin/sh
# End-to-end tests of the sla-timer example with the bundled severity matrix
# (calendar 0: Monday-Friday 09:00-17:00 UTC; 2025-01-10 is a Friday).
# usage: test-sla-timer.sh SLA_TIMER_BINARY
set -u
timer=$1
data=$(cd "$(dirname "$0")/../examples/data" && pwd)
. "$(dirname "$0")/tap.sh"

# The line of a metric in the output.
metric() { grep "^$2 " "$1" | head -1; }

# Created Friday 16:30, normal: first reply 4 business hours. Friday counts
# 30 min, Monday 09:00 + 3h30m = 12:30. Total resolution, 24 business hours:
# 30 min Friday, Monday 8h, Tuesday 8h, Wednesday 09:00 + 7h30m = 16:30.
"$timer" --now 2025-01-11T10:00:00Z 2025-01-10T16:30:00Z created normal >"$tmp/out" 2>"$tmp/err"
check "Friday 16:30: exit 0" $?
metric "$tmp/out" first-reply | grep -q "active .*2025-01-13T12:30:00Z .*3h 30m .*30m 00s .*4h 00m .*business 0"
check "first reply due Monday 12:30, 3h30m left" $?
metric "$tmp/out" total-resolution | grep -q "2025-01-15T16:30:00Z"
check "total resolution due Wednesday 16:30" $?
metric "$tmp/out" next-reply | grep -q "not-applicable"
check "no next reply yet" $?

# One second past the due instant: breached, 1 s over. Options may follow events.
"$timer" 2025-01-10T16:30:00Z created normal --now 2025-01-13T12:30:01Z >"$tmp/out" 2>"$tmp/err"
metric "$tmp/out" first-reply | grep -q "active .* -1s "
check "one second late: remaining -1s" $?
grep -q "breached 2025-01-13T12:30:00Z" "$tmp/out"
check "breach instant = due instant" $?

# From a file (standard input), with comments: high priority. First reply
# 1h in calendar time, answered after 15 min; the update (2h, calendar, paused
# while pending) starts at the reply, is paused until the customer writes on
# Monday 10:00, and at 11:00 has run 1h: due 12:00. Total resolution 8
# business hours: 30 min Friday + 2h Monday = 2h30m, due Monday 16:30.
cat >"$tmp/events" <<'EV'
# a ticket
2025-01-10T16:30:00Z created high
2025-01-10T16:45:00Z agent   # answered
2025-01-10T16:45:00Z status pending
2025-01-13T10:00:00Z customer
EV
"$timer" --events - --now 2025-01-13T11:00:00Z <"$tmp/events" >"$tmp/out" 2>"$tmp/err"
check "events from standard input: exit 0" $?
metric "$tmp/out" first-reply | grep -q "achieved .*high .*45m 00s .*15m 00s .*1h 00m .*calendar"
check "first reply achieved in 15 min" $?
metric "$tmp/out" periodic-update | grep -q "active .*2025-01-13T12:00:00Z .*1h 00m .*1h 00m .*2h 00m"
check "pausable update resumed Monday 10:00, due 12:00" $?
metric "$tmp/out" total-resolution | grep -q "2025-01-13T16:30:00Z .*5h 30m .*2h 30m"
check "resolution 2h30m of 8 business hours" $?
"$timer" --events "$tmp/events" --now 2025-01-13T11:00:00Z >"$tmp/out2" 2>&1
cmp -s "$tmp/out" "$tmp/out2"
check "events from a file: the same" $?

# Another calendar: Monday 2025-01-13 a holiday moves the due to Tuesday 12:30.
printf 'tz UTC\nmon-fri 09:00-17:00\n2025-01-13 closed\n' >"$tmp/holiday.cal"
"$timer" --calendar "$tmp/holiday.cal" --now 2025-01-11T10:00:00Z 2025-01-10T16:30:00Z created normal >"$tmp/out" 2>"$tmp/err"
metric "$tmp/out" first-reply | grep -q "2025-01-14T12:30:00Z"
check "holiday calendar: due Tuesday 12:30" $?

# Errors.
"$timer" 2025-01-10T16:30:00Z created normal 2025-01-10T17:00:00Z fax >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "unknown event kind 'fax'" "$tmp/err"
check "unknown event kind" $?
"$timer" 2025-01-10T16:30:00Z created urgentish >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "needs a priority" "$tmp/err"
check "unknown priority" $?
"$timer" 2025-02-30T16:30:00Z created normal >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "not an RFC 3339 instant" "$tmp/err"
check "impossible date" $?
"$timer" 2025-01-10T16:30:00Z agent 2025-01-10T16:40:00Z created low >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "CM_EINVAL" "$tmp/err"
check "reply before creation: the library's CM_EINVAL" $?
"$timer" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "usage" "$tmp/err"
check "no events: usage" $?
printf 'first-reply high 1d business\n' >"$tmp/bad-policy"
"$timer" --policy "$tmp/bad-policy" 2025-01-10T16:30:00Z created high >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "bad-policy:1:19: days are ambiguous" "$tmp/err"
check "policy error with line and column" $?
printf 'first-reply high 1h business 1\n' >"$tmp/two-cal-policy"
"$timer" --policy "$tmp/two-cal-policy" 2025-01-10T16:30:00Z created high >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "names 2 calendars, 1 given" "$tmp/err"
check "missing calendar" $?

# Bad options name the option and what it expects; exit status 2.
bad_option() { # description, expected message, arguments...
    desc=$1
    want=$2
    shift 2
    "$timer" "$@" >"$tmp/out" 2>"$tmp/err"
    st=$?
    [ $st -eq 2 ] && grep -qF "$want" "$tmp/err" && [ ! -s "$tmp/out" ]
    check "$desc" $?
}
bad_option "--now x" 'sla-timer: --now: expected an RFC 3339 instant, got "x"' \
    --now x 2025-01-10T16:30:00Z created normal
bad_option "--now without its value" 'sla-timer: --now: expected an RFC 3339 instant after it' \
    2025-01-10T16:30:00Z created normal --now
bad_option "--now 2025-02-30" 'sla-timer: --now: expected an RFC 3339 instant, got "2025-02-30T00:00:00Z"' \
    --now 2025-02-30T00:00:00Z 2025-01-10T16:30:00Z created normal
bad_option "--policy followed by an option" 'sla-timer: --policy: expected a policy set file, got "--now"' \
    --policy --now 2025-01-10T16:30:00Z created normal
bad_option "--calendar without its value" 'sla-timer: --calendar: expected a calendar file after it' \
    2025-01-10T16:30:00Z created normal --calendar
bad_option "a ninth --calendar" 'sla-timer: --calendar: at most 8 of them, got another: "c9"' \
    --calendar c1 --calendar c2 --calendar c3 --calendar c4 --calendar c5 --calendar c6 \
    --calendar c7 --calendar c8 --calendar c9 2025-01-10T16:30:00Z created normal
bad_option "--history empty" 'sla-timer: --history: expected a calendar history file, got ""' \
    --history "" 2025-01-10T16:30:00Z created normal
bad_option "--events without its value" 'sla-timer: --events: expected a file name or - for standard input after it' \
    --events
bad_option "--from an unknown format" 'sla-timer: --from: expected zendesk-audits, zendesk-metric-events or jira-issue, got "xml"' \
    --from xml file.xml
bad_option "--from without a file" 'sla-timer: --from: expected a file name (or -) after the format, got ""' \
    --from jira-issue
bad_option "--status without a category" 'sla-timer: --status: expected NAME=CATEGORY with a category new, open, pending, on-hold, solved or closed, got "Triage=later"' \
    --status Triage=later --from jira-issue "$data/jira-issue.json"
bad_option "an unknown option" 'sla-timer: unknown option "--frob"' \
    --frob 2025-01-10T16:30:00Z created normal
bad_option "--status without --from" 'sla-timer: --status and --skip-unknown apply to --from only' \
    --status Triage=open 2025-01-10T16:30:00Z created normal
bad_option "events two ways" 'give the events in one way' \
    --events "$tmp/events" 2025-01-10T16:30:00Z created normal
bad_option "--policy twice" 'sla-timer: --policy: given twice; it takes one value' \
    --policy "$data/sla-policy.txt" --policy "$data/jira-sla.txt" 2025-01-10T16:30:00Z created normal
bad_option "--now twice" 'sla-timer: --now: given twice; it takes one value' \
    --now 2025-01-11T10:00:00Z --now 2025-01-12T10:00:00Z 2025-01-10T16:30:00Z created normal
bad_option "--events twice" 'sla-timer: --events: given twice; it takes one value' \
    --events a --events b
bad_option "--from twice" 'sla-timer: --from: given twice; it takes one value' \
    --from jira-issue a --from zendesk-audits b
bad_option "a single-dash option" 'sla-timer: unknown option "-x"' \
    -x 2025-01-10T16:30:00Z created normal
"$timer" --help >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && grep -q "^usage: sla-timer" "$tmp/out"
check "--help: usage on standard output, exit 0" $?

# Endless or huge inputs stop at the first byte past a limit, with a message
# naming the limit; exit status 2.
timeout 20 "$timer" --events /dev/zero >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "^sla-timer: /dev/zero:1: a NUL byte: not a text file" "$tmp/err"
check "--events /dev/zero: stops at once, exit 2" $?
timeout 20 "$timer" --events - </dev/zero >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "^sla-timer: (standard input):1: a NUL byte: not a text file" "$tmp/err"
check "--events - from /dev/zero: stops at once, exit 2" $?
tr '\0' 'a' </dev/zero | timeout 20 "$timer" --events - >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "(standard input):1: line longer than 1024 bytes" "$tmp/err"
check "an endless line: stops past 1024 bytes, exit 2" $?
yes "2025-01-10T16:30:00Z note" | timeout 20 "$timer" --events - >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "(standard input):4097: more than 4096 events, the limit of sla-timer" "$tmp/err"
check "endless events: stops at the 4097th" $?
{
    echo "2025-01-10T16:30:00Z created normal"
    i=1
    while [ $i -lt 4096 ]; do
        echo "2025-01-10T16:31:00Z note"
        i=$((i + 1))
    done
} >"$tmp/4096"
"$timer" --events "$tmp/4096" >"$tmp/out" 2>"$tmp/err"
check "4096 events: accepted" $?
head -c 2000 /dev/zero | tr '\0' ' ' >"$tmp/long"
echo "2025-01-10T16:30:00Z created normal" >>"$tmp/long"
"$timer" --events "$tmp/long" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "long:1: line longer than 1024 bytes" "$tmp/err"
check "a line over 1024 bytes" $?
"$timer" 2025-01-10T16:30:00Z set group "$(head -c 1025 /dev/zero | tr '\0' g)" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "an event word longer than 1024 bytes, the limit of sla-timer" "$tmp/err"
check "an event word over 1024 bytes" $?
timeout 20 "$timer" --from zendesk-audits /dev/zero >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "/dev/zero: larger than 32 MiB, the limit of sla-timer" "$tmp/err"
check "--from /dev/zero: stops past 32 MiB" $?
timeout 20 "$timer" --from jira-issue - </dev/zero >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "^sla-timer: (standard input): larger than 32 MiB, the limit of sla-timer" "$tmp/err"
check "--from jira-issue - from /dev/zero: stops past 32 MiB" $?
timeout 20 "$timer" --policy /dev/zero 2025-01-10T16:30:00Z created normal >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "/dev/zero: larger than 1 MiB" "$tmp/err"
check "--policy /dev/zero: stops past 1 MiB" $?
timeout 20 "$timer" --calendar /dev/zero 2025-01-10T16:30:00Z created normal >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "/dev/zero: larger than 1 MiB" "$tmp/err"
check "--calendar /dev/zero: stops past 1 MiB" $?
"$timer" --events "$tmp/nonexistent" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "nonexistent: No such file or directory" "$tmp/err"
check "a missing events file: exit 1" $?
printf '2025-01-10T16:30:00Z created normal\n2025-01-10T16:40:00Z set group "Tier 1\n' >"$tmp/quote"
"$timer" --events "$tmp/quote" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "quote:2: a quote without its end" "$tmp/err"
check "an unterminated quote, with its line" $?
printf '2025-01-10T16:30:00Z created normal\n\n2025-01-10T16:40:00Z fax\n' >"$tmp/fax"
"$timer" --events "$tmp/fax" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "fax:3: unknown event kind 'fax'" "$tmp/err"
check "event errors name the file and line" $?

# Policy sets: first match, re-selection, a group SLA over two groups and a
# custom clock on a custom status. 09:10 the organization becomes VIP: the
# VIP policy applies from then, first reply keeps its elapsed time and is
# judged against 30 min: answered 09:40, breached at 09:30, its 50 % warning
# at 09:15. Group "Tier 1" 09:00-10:00 matches no group policy; "Tier 2" from
# 10:00 has 1 h: at 11:30, 1h30m, breached at 11:00. The approval clock runs
# in "Waiting for approval" 10:30-11:00: 30 min of 1 h.
cat >"$tmp/set" <<'SET'
clock approval
  start status-enter "Waiting for approval"
  stop status-leave "Waiting for approval"
policy vip
  when organization is VIP
  first-reply * 30m calendar warn 50%
  approval * 1h calendar
policy default
  first-reply * 2h calendar
group-policy tier2
  when group is "Tier 2"
  group-ownership * 1h calendar
SET
cat >"$tmp/events" <<'EV'
2025-01-13T09:00:00Z created normal
2025-01-13T09:00:00Z set group "Tier 1"
2025-01-13T09:10:00Z set organization VIP
2025-01-13T09:40:00Z agent
2025-01-13T10:00:00Z set group "Tier 2"
2025-01-13T10:30:00Z custom-status on-hold "Waiting for approval"
2025-01-13T11:00:00Z custom-status open "In Progress"
EV
"$timer" --policy "$tmp/set" --events "$tmp/events" --now 2025-01-13T11:30:00Z >"$tmp/out" 2>"$tmp/err"
check "policy set: exit 0" $?
metric "$tmp/out" first-reply | grep -q "breached .*2025-01-13T09:30:00Z .*-10m 00s .*40m 00s .*30m 00s .*calendar .*vip$"
check "re-selected on the organization: VIP's 30 min, breached" $?
grep -q "warnings 50% at 2025-01-13T09:15:00Z" "$tmp/out"
check "first reply's 50 % warning at 09:15" $?
grep -A1 "^group-ownership  *1 " "$tmp/out" | grep -q "group Tier 1"
check "group span 1: Tier 1" $?
grep "^group-ownership  *1 " "$tmp/out" | grep -q "not-applicable .* -$"
check "Tier 1 matches no group policy" $?
grep "^group-ownership  *2 " "$tmp/out" | grep -q "active .*2025-01-13T11:00:00Z .*-30m 00s .*1h 30m .*1h 00m .*tier2$"
check "Tier 2: 1h30m of 1 h" $?
metric "$tmp/out" approval | grep -q "achieved .*30m 00s .*30m 00s .*1h 00m .*vip$"
check "custom clock in a custom status: 30 min" $?
grep -q "^next: nothing pending" "$tmp/out"
check "nothing pending: every running clock is breached" $?

# A schedule change mid-ticket: 16:30-17:00 on office hours (30 min), then
# around the clock: 3h30m more, due 20:30; at 18:00, 1h30m elapsed.
printf 'tz UTC\nmon-sun 00:00-24:00\n' >"$tmp/always.cal"
printf 'policy p\n  first-reply * 4h ticket-schedule warn 75%%\n' >"$tmp/sched"
"$timer" --policy "$tmp/sched" --calendar "$data/office-hours.cal" --calendar "$tmp/always.cal" \
    --now 2025-01-10T18:00:00Z 2025-01-10T16:30:00Z created normal 2025-01-10T17:00:00Z schedule 1 \
    >"$tmp/out" 2>"$tmp/err"
metric "$tmp/out" first-reply | grep -q "active .*2025-01-10T20:30:00Z .*2h 30m .*1h 30m .*4h 00m .*schedule 1"
check "schedule change: due 20:30" $?
grep -q "^next: first-reply cycle 1 warns (75%) at 2025-01-10T19:30:00Z" "$tmp/out"
check "next alarm: the 75 % warning at 19:30 (3 h elapsed)" $?

# Importers. Zendesk audits under a VIP set and a group OLA (the figures of
# the library's tests, worked by hand there).
"$timer" --policy "$data/zendesk-sla.txt" --from zendesk-audits "$data/zendesk-audits.json" \
    --now 2025-01-07T10:00:00Z >"$tmp/out" 2>"$tmp/err"
check "zendesk audits: exit 0" $?
grep -q "^ticket 4711: 28 events$" "$tmp/out"
check "zendesk audits: ticket id and events" $?
metric "$tmp/out" first-reply | grep -q "achieved .*45m 00s .*1h 00m .*VIP$"
check "zendesk: first reply 45 min under VIP" $?
grep "^group-ownership  *1 " "$tmp/out" | grep -q "breached .*2025-01-06T11:00:00Z .*2h 30m .*2h 00m"
check "zendesk: group 360001 breached at 11:00" $?
grep -A1 "^group-ownership  *2 " "$tmp/out" | grep -q "group 360002"
check "zendesk: then group 360002" $?
grep -q "^next: next-reply cycle 2 warns (75%) at 2025-01-07T10:30:00Z" "$tmp/out"
check "zendesk: next alarm, the reply's warning at 10:30" $?
printf '{"audits":[{"id":1,"ticket_id":9,"created_at":"2025-01-06T09:00:00Z","author_id":5,"events":[{"type":"Create","field_name":"status","value":"new"},{"type":"Create","field_name":"group_id","value":360007}]}]}' >"$tmp/numeric.json"
"$timer" --policy "$data/zendesk-sla.txt" --from zendesk-audits "$tmp/numeric.json" >"$tmp/out" 2>"$tmp/err"
grep -A1 "^group-ownership  *1 " "$tmp/out" | grep -q "group 360007$"
check "zendesk: a numeric group id" $?
"$timer" --policy "$data/zendesk-sla.txt" --from zendesk-metric-events - \
    <"$data/zendesk-metric-events.json" >"$tmp/out" 2>"$tmp/err"
grep -q "^ticket 4712: " "$tmp/out"
check "zendesk metric events from standard input" $?
# Jira: time to resolution paused in two waiting statuses, 4 h of Highest's 4 h.
"$timer" --policy "$data/jira-sla.txt" --from jira-issue "$data/jira-issue.json" \
    --now 2025-01-06T16:00:00Z >"$tmp/out" 2>"$tmp/err"
grep -q "^ticket SUP-42: 23 events$" "$tmp/out"
check "jira issue: key and events" $?
metric "$tmp/out" time-to-resolution | grep -q "achieved .*Highest .*2025-01-06T15:00:00Z .*0s .*4h 00m .*4h 00m .*incidents$"
check "jira: time to resolution 4 h of 4 h, Highest" $?
grep -q "warnings 75% at 2025-01-06T13:00:00Z" "$tmp/out"
check "jira: 75 % warning at 13:00 (3 h elapsed)" $?
metric "$tmp/out" time-to-first-response | grep -q "achieved .*Medium .*15m 00s .*2h 00m"
check "jira: first response 15 min under Medium" $?
printf '{"key":"X-1","fields":{"created":"2025-01-06T09:00:00.000+0000","status":{"name":"Triage"}},"changelog":{"histories":[]}}' >"$tmp/triage.json"
"$timer" --from jira-issue "$tmp/triage.json" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "triage.json:1:82: unknown Jira status" "$tmp/err" &&
    grep -q "with --status NAME=CATEGORY" "$tmp/err"
check "jira: an unknown status, with line and column" $?
"$timer" --status Triage=new --from jira-issue "$tmp/triage.json" >"$tmp/out" 2>"$tmp/err"
check "jira: --status maps it" $?
printf '{"audits":[{"id":1,"ticket_id":9,"created_at":"2025-01-06T09:00:00Z","author_id":5,"events":[{"type":"Create","field_name":"status","value":"new"},{"type":"Frobnicate"}]}]}' >"$tmp/unknown.json"
"$timer" --from zendesk-audits "$tmp/unknown.json" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "unknown.json:1:[0-9]*: unknown Zendesk audit event type" "$tmp/err"
check "zendesk: an unknown event type is an error" $?
"$timer" --skip-unknown --from zendesk-audits "$tmp/unknown.json" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 0 ] && grep -q "^ticket 9: 2 events, 1 entries of unknown types skipped" "$tmp/out"
check "zendesk: --skip-unknown counts it" $?
printf '{"audits": [' >"$tmp/cut.json"
"$timer" --from zendesk-audits "$tmp/cut.json" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "cut.json:1:[0-9]*: " "$tmp/err"
check "zendesk: truncated JSON, with line and column" $?

tap_end
