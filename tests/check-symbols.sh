#!/bin/sh
# Checks that the shared library exports exactly the symbols of the version
# script, and that those are exactly the CM_API functions of the public headers.
# usage: check-symbols.sh LIBRARY MAPFILE HEADER...
set -eu
lib=$1 map=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

nm -D --defined-only "$lib" | awk '$2 ~ /^[TDRBVW]$/ { sub(/@.*/, "", $3); print $3 }' |
    grep -v '^CAREMETRICS_' | sort -u >"$tmp/exported"
sed -n 's/^[[:space:]]*\(cm_[a-z0-9_]*\);.*/\1/p' "$map" | sort -u >"$tmp/map"
# Declarations start a line with CM_API; the name is the identifier before "(".
awk '/^CM_API / { decl = "" } /^CM_API / || decl != "" { decl = decl $0 " "; if (index(decl, "(")) {
        sub(/[[:space:]]*\(.*/, "", decl); n = split(decl, w, /[^A-Za-z0-9_]+/); print w[n]; decl = "" } }' "$@" |
    sort -u >"$tmp/headers"

status=0
# Every symbol carries a version node: a script the linker refused leaves none.
unversioned=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDRBVW]$/ && $3 ~ /^cm_/ && $3 !~ /@@?CAREMETRICS_/ { print $3 }')
if [ -n "$unversioned" ]; then
    echo "symbols without a version node (is $map valid?):"
    echo "$unversioned"
    status=1
fi
if ! diff -u "$tmp/map" "$tmp/exported" >"$tmp/d1"; then
    echo "exported symbols differ from $map (- map, + library):"
    cat "$tmp/d1"
    status=1
fi
if ! diff -u "$tmp/headers" "$tmp/map" >"$tmp/d2"; then
    echo "version script differs from the CM_API declarations (- headers, + map):"
    cat "$tmp/d2"
    status=1
fi
if [ "$status" -eq 0 ]; then
    echo "$(wc -l <"$tmp/exported") symbols exported, all declared and versioned"
fi
exit "$status"
