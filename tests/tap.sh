# Shared by the end-to-end test scripts (sourced): a scratch directory
# removed on exit, and TAP output.
#   check DESCRIPTION STATUS   prints "ok N - ..." when STATUS is 0, else "not ok"
#   tap_end                    prints the plan; its status is the scripts' exit status
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
n=0

check() { # description, condition result
    n=$((n + 1))
    if [ "$2" -eq 0 ]; then
        echo "ok $n - $1"
    else
        echo "not ok $n - $1"
        fails=$((fails + 1))
    fi
}

tap_end() {
    echo "1..$n"
    [ "$fails" -eq 0 ]
}
