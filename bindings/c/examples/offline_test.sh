#!/bin/sh
# offline_test.sh DIR PROGRAM [ARG...]: a test of a program that posts, against the sandbox
# sandbox.sh started in DIR: the sandbox answers the first post with a 429 and Retry-After: 1;
# the program must still succeed, and the sandbox must have published exactly one post (the
# retry reused the idempotency key) out of two requests.
set -eu
dir=$1
shift
set -a
. "$dir/env"
set +a
curl -sf -X POST -H 'Content-Type: application/json' "$SOKU_BASE_URL/__sandbox/reset" >/dev/null
curl -sf -X POST -H 'Content-Type: application/json' "$SOKU_BASE_URL/__sandbox/faults" \
    -d '{"path": "/v1/posts", "status": 429, "retryAfter": 1}' >/dev/null
"$@"
stats=$(curl -sf "$SOKU_BASE_URL/__sandbox/stats")
echo "sandbox stats: $stats"
case "$stats" in
*'"submissions":1,'* | *'"submissions":1}'*) ;;
*) echo "offline_test.sh: expected exactly one published post" >&2; exit 1 ;;
esac
case "$stats" in
*'"requests":2,'* | *'"requests":2}'*) ;;
*) echo "offline_test.sh: expected two requests (the 429, then the retry)" >&2; exit 1 ;;
esac
