#!/bin/sh
# Regenerates an oracle table and compares it with the committed copy.
# usage: check-oracle.sh PYTHON SCRIPT TABLE COMMITTED_HEADER
set -eu
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$1" "$2" "$3" >"$out"
if cmp -s "$out" "$4"; then
    echo "$4 matches $2 $3"
else
    echo "$4 is stale: regenerate it with $1 $2 $3 > $4"
    diff -u "$4" "$out" || true
    exit 1
fi
