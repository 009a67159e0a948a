#!/bin/sh
# check-rockspec.sh ROCKSPEC VERSION SOURCE...: the rockspec is at the project's
# version and builds every source file of the Meson module.
rockspec=$1 version=$2
shift 2
grep -q "^version = \"$version-1\"" "$rockspec" || { echo "$rockspec: not at version $version-1"; exit 1; }
for f in "$@"; do
    grep -q "\"$f\"" "$rockspec" || { echo "$rockspec does not build $f"; exit 1; }
done
echo "$rockspec: version $version, $# sources"
