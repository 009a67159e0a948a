#!/bin/sh
# Runs every libFuzzer target of a -Dfuzz=true build for a short while over a
# copy of its committed corpus (tests/fuzz/seeds/NAME, where NAME is the
# target's name without "fuzz-" and, failing that, without its last
# "-word"), with its dictionary when there is one. Fails on the first
# target that finds a crash, a leak or undefined behaviour.
# usage: smoke.sh BUILD_DIR [SECONDS]
set -eu
build=$1
seconds=${2:-30}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
for exe in "$build"/tests/fuzz/fuzz-*; do
    [ -x "$exe" ] && [ -f "$exe" ] || continue
    name=${exe##*/fuzz-}
    seeds=$here/seeds/$name
    [ -d "$seeds" ] || seeds=$here/seeds/${name%-*}
    corpus=$work/$name
    mkdir -p "$corpus"
    if [ -d "$seeds" ]; then
        cp "$seeds"/* "$corpus"/
    fi
    set -- -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$work/$name-"
    if [ -f "$here/$name.dict" ]; then
        set -- "$@" -dict="$here/$name.dict"
    fi
    if "$exe" "$@" "$corpus" >"$work/$name.log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name.log")
        echo "fuzz-$name: ${runs:-?} runs in ${seconds} s, nothing found"
    else
        echo "fuzz-$name: FAILED"
        tail -n 40 "$work/$name.log"
        for a in "$work/$name"-*; do
            [ -f "$a" ] && echo "input: $(od -An -c "$a" | head -n 8)"
        done
        status=1
    fi
done
exit "$status"
