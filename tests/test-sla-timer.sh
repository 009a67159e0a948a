#!/bin/sh
# End-to-end tests of the sla-timer example with the bundled severity matrix
# (calendar 0: Monday-Friday 09:00-17:00 UTC; 2025-01-10 is a Friday).
# usage: test-sla-timer.sh SLA_TIMER_BINARY
set -u
timer=$1
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

tap_end
