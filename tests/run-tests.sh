#!/bin/sh
# Run Check programs one after another and end with one line for all of them:
# "N passed, N failed" (CI reads it).  --valgrind runs each under valgrind
# with CK_FORK=no, as valgrind needs, and counts a leak or error as a failure.
# A program that crashes or prints no Check summary counts as one failure.
set -u
vg=
if [ "${1:-}" = --valgrind ]; then
    vg="valgrind --quiet --error-exitcode=97 --leak-check=full --errors-for-leak-kinds=definite,indirect"
    shift
fi
passed=0 failed=0 rc=0
for prog in "$@"; do
    name=$(basename "$prog")
    log=$(mktemp)
    if [ -n "$vg" ]; then
        CK_FORK=no $vg "$prog" >"$log" 2>&1; st=$?
    else
        "$prog" >"$log" 2>&1; st=$?
    fi
    cat "$log"
    line=$(grep -E '^[0-9]+%: Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$log" | tail -n 1)
    rm -f "$log"
    if [ -z "$line" ]; then
        echo "$name: no Check summary (exit $st)"
        failed=$((failed + 1)); rc=1; continue
    fi
    n=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
    f=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
    e=$(echo "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
    passed=$((passed + n - f - e))
    failed=$((failed + f + e))
    if [ "$st" -ne 0 ]; then
        rc=1
        if [ "$f" -eq 0 ] && [ "$e" -eq 0 ]; then
            echo "$name: exit $st (valgrind or a crash after the tests)"
            failed=$((failed + 1))
        fi
    fi
done
echo "$passed passed, $failed failed"
exit $rc
