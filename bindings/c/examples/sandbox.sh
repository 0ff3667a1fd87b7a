#!/bin/sh
# sandbox.sh: the offline Soku sandbox as a test fixture (CTest FIXTURES_SETUP/FIXTURES_CLEANUP,
# or any test runner).
#
#   sh sandbox.sh start DIR SOKU [FLAG...]  starts `SOKU sandbox --json --port 0 FLAG...` in the
#                                           background; once it answers, writes DIR/env
#                                           (SOKU_BASE_URL=..., SOKU_API_KEY=..., export-able)
#   sh sandbox.sh stop DIR                  stops it (SIGTERM; it exits 0 and closes its port)
#
# DIR/sandbox.json keeps the one JSON line it printed (url, apiKey, firebaseToken, controlUrl,
# pid). Its output goes to files, so a runner that waits for a test's output does not wait for it.
set -eu
action=$1 dir=$2
shift 2
case "$action" in
start)
    soku=$1
    shift
    mkdir -p "$dir"
    rm -f "$dir/sandbox.json" "$dir/env"
    "$soku" sandbox --json --port 0 "$@" >"$dir/sandbox.json" 2>"$dir/sandbox.err" </dev/null &
    echo $! >"$dir/sandbox.pid"
    tries=0
    until grep -q '"url"' "$dir/sandbox.json" 2>/dev/null; do
        tries=$((tries + 1))
        if [ "$tries" -gt 300 ] || ! kill -0 "$(cat "$dir/sandbox.pid")" 2>/dev/null; then
            cat "$dir/sandbox.err" >&2
            echo "sandbox.sh: the sandbox did not start" >&2
            exit 1
        fi
        sleep 0.1
    done
    field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" "$dir/sandbox.json"; }
    printf 'SOKU_BASE_URL=%s\nSOKU_API_KEY=%s\nSOKU_FIREBASE_TOKEN=%s\n' \
        "$(field url)" "$(field apiKey)" "$(field firebaseToken)" >"$dir/env"
    ;;
stop)
    [ -f "$dir/sandbox.pid" ] || exit 0
    pid=$(cat "$dir/sandbox.pid")
    kill "$pid" 2>/dev/null || true
    tries=0
    while kill -0 "$pid" 2>/dev/null && [ "$tries" -lt 100 ]; do
        tries=$((tries + 1))
        sleep 0.05
    done
    rm -f "$dir/sandbox.pid"
    ;;
*)
    echo "usage: sandbox.sh start DIR SOKU [FLAG...] | stop DIR" >&2
    exit 2
    ;;
esac
