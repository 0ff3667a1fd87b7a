#!/usr/bin/env bash
# benches/curl_loop.sh URL N OUT_DIR: (f) the vendor's documented curl command in a shell loop, one curl process
# per call as a shell script would run it (so each latency includes curl's process start).
# Reads SOKU_API_KEY like the vendor's example. Writes OUT_DIR/curl.lat and curl.meta (benches/src/results.rs).
set -euo pipefail
export LC_ALL=C # EPOCHREALTIME must use a dot
url=$1 n=$2 out=$3
body=$(<"$(dirname "$0")/payload.json")
lat=()
started=$EPOCHREALTIME
for ((i = 1; i <= n; i++)); do
    t0=$EPOCHREALTIME
    curl -sS -f -o /dev/null -X POST "$url/v1/posts" \
        -H "Content-Type: application/json" \
        -H "soku-api-key: $SOKU_API_KEY" \
        -d "$body"
    t1=$EPOCHREALTIME
    lat+=($(( (${t1/./} - ${t0/./}) * 1000 )))
done
ended=$EPOCHREALTIME
printf '%s\n' "${lat[@]}" >"$out/curl.lat"
printf 'total_ns=%s\ncalls=%s\n' $(( (${ended/./} - ${started/./}) * 1000 )) "$n" >"$out/curl.meta"
