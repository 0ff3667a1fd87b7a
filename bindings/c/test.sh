#!/usr/bin/env bash
# bindings/c/test.sh: build the library and the sandbox, then run the C ABI checks:
#   - include/soku.h compiles alone as C99 and as C++, and a C++ program links and calls it;
#   - the C test programs (-std=c99 -Wall -Wextra -Werror) linked against libsoku.a and
#     against libsoku.so, run against the sandbox (every operation, API errors, invalid
#     arguments, threads, a 429 retried, decode / timeout / exhausted-retry faults);
#   - one run under valgrind --leak-check=full --error-exitcode=1 (zero errors, zero leaks
#     beyond the two documented in tests/valgrind.supp);
#   - every example in bindings/c/examples/ against the sandbox.
# Run from anywhere; works from the repository root. Exits non-zero on any failure and ends with
# "N passed, M failed".
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
BUILD="$ROOT/bindings/c/build"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}/debug"
CC="${CC:-cc}"
CXX="${CXX:-c++}"
CFLAGS=(-std=c99 -Wall -Wextra -Werror -pedantic -g -I"$ROOT/include" -I"$ROOT/bindings/c")
# What `cargo rustc -p soku --lib --crate-type staticlib -- --print native-static-libs` reports
# on Linux/glibc with rustc 1.95 (-lc -lm -lrt -lpthread -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc),
# deduplicated.
NATIVE_LIBS=(-lc -lm -lrt -lpthread -lgcc_s -lutil -ldl)

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }

need_tool() { # need_tool <command> <debian package>
    command -v "$1" >/dev/null 2>&1 && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing $2 (missing $1)"
        apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
    fi
    command -v "$1" >/dev/null 2>&1 || { echo "error: $1 is required (apt-get install $2)" >&2; exit 1; }
}
need_tool "$CC" gcc
need_tool "$CXX" g++
need_tool curl curl
need_tool valgrind valgrind

echo "== cargo build (soku library, soku-sandbox)"
cargo build -q -p soku --lib
cargo build -q -p soku-sandbox --bin soku-sandbox

echo "== header"
if "$CC" -std=c99 -Wall -Wextra -Werror -pedantic -fsyntax-only -x c include/soku.h; then
    pass "soku.h compiles alone as C99"
else
    fail "soku.h compiles alone as C99"
fi
if "$CXX" -Wall -Wextra -Werror -fsyntax-only -x c++ include/soku.h; then
    pass "soku.h compiles alone as C++"
else
    fail "soku.h compiles alone as C++"
fi

echo "== C++"
mkdir -p "$BUILD"
if "$CXX" -std=c++11 -Wall -Wextra -Werror -I"$ROOT/include" bindings/c/tests/smoke.cpp \
    "$TARGET/libsoku.a" "${NATIVE_LIBS[@]}" -o "$BUILD/smoke_cpp" && "$BUILD/smoke_cpp"; then
    pass "a C++ program links and calls the library"
else
    fail "a C++ program links and calls the library"
fi

echo "== compile C programs"
mkdir -p "$BUILD"
"$CC" "${CFLAGS[@]}" -pthread bindings/c/tests/test_soku.c "$TARGET/libsoku.a" "${NATIVE_LIBS[@]}" \
    -o "$BUILD/test_soku_static"
"$CC" "${CFLAGS[@]}" -pthread bindings/c/tests/test_soku.c -L"$TARGET" -lsoku \
    -Wl,-rpath,"$TARGET" -o "$BUILD/test_soku_shared"
if ldd "$BUILD/test_soku_shared" | grep -q "libsoku.so => $TARGET/libsoku.so" \
    && ! ldd "$BUILD/test_soku_static" | grep -q libsoku; then
    pass "static and shared builds link the intended library"
else
    fail "static and shared builds link the intended library"
fi
for src in bindings/c/examples/*.c; do
    name="$(basename "$src" .c)"
    "$CC" "${CFLAGS[@]}" "$src" "$TARGET/libsoku.a" "${NATIVE_LIBS[@]}" -o "$BUILD/$name"
done

echo "== start sandbox"
SANDBOX_OUT="$BUILD/sandbox.out"
"$TARGET/soku-sandbox" --port 0 --no-rate-limits >"$SANDBOX_OUT" 2>"$BUILD/sandbox.err" &
SANDBOX_PID=$!
trap 'kill "$SANDBOX_PID" 2>/dev/null || true; wait "$SANDBOX_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    [ "$(grep -c . "$SANDBOX_OUT" || true)" -ge 5 ] && break
    kill -0 "$SANDBOX_PID" 2>/dev/null || { cat "$BUILD/sandbox.err" >&2; echo "error: sandbox exited" >&2; exit 1; }
    sleep 0.1
done
SOKU_BASE_URL="$(sed -n 1p "$SANDBOX_OUT")"
for var in SOKU_API_KEY SOKU_FIREBASE_TOKEN SOKU_INACTIVE_API_KEY SOKU_DEFAULT_KEY_ID; do
    value="$(sed -n "s/^$var=//p" "$SANDBOX_OUT")"
    [ -n "$value" ] || { echo "error: sandbox did not print $var" >&2; exit 1; }
    export "$var=$value"
done
export SOKU_BASE_URL
echo "sandbox at $SOKU_BASE_URL"

control() { # control <path> [json body]
    local body="${2:-}"
    [ -n "$body" ] || body='{}'
    curl -fsS -X POST -H 'Content-Type: application/json' --data "$body" \
        "$SOKU_BASE_URL$1" >/dev/null
}

# run_program <label> <command...>: runs a C test program, adds its "N passed, M failed".
run_program() {
    local label="$1" log="$BUILD/$1.log" summary p f
    shift
    if "$@" >"$log" 2>&1; then status=0; else status=$?; fi
    summary="$(grep -E '^[a-z_]+: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1 || true)"
    if [ -z "$summary" ]; then
        cat "$log"
        fail "$label (exit $status, no summary)"
        return
    fi
    p="$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$summary")"
    f="$(sed -E 's/.* ([0-9]+) failed$/\1/' <<<"$summary")"
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$status" != 0 ] || [ "$f" != 0 ]; then
        cat "$log"
        [ "$f" != 0 ] || fail "$label (exit $status)"
    fi
    echo "$label: $summary"
}

# The 429 fault: one answer with Retry-After 1; the client's maxRetryWaitMs (50) caps the wait.
FAULT_429='{"path": "/v1/posts", "count": 1, "status": 429, "code": "rate_limit_exceeded", "retryAfter": 1}'

queue_faults() { # the faults test_soku's "faults" mode expects
    control /__sandbox/faults '{"path": "/v1/templates", "status": 200, "body": "<html>not json</html>"}'
    control /__sandbox/faults '{"path": "/v1/media", "delayMs": 2000}'
    control /__sandbox/faults '{"path": "/v1/ai/transcribe", "count": 3, "status": 500, "code": "internal_error"}'
}

for kind in static shared; do
    echo "== test_soku ($kind)"
    control /__sandbox/reset
    run_program "test_soku_$kind" "$BUILD/test_soku_$kind" all
    control /__sandbox/faults "$FAULT_429"
    run_program "test_soku_${kind}_retry429" "$BUILD/test_soku_$kind" retry429
    control /__sandbox/reset
    queue_faults
    run_program "test_soku_${kind}_faults" "$BUILD/test_soku_$kind" faults
done

echo "== valgrind (test_soku shared)"
# Every error counts, possible leaks included; bindings/c/tests/valgrind.supp documents the one
# suppression (std's handle for the C main thread).
valgrind_run() { # valgrind_run <label> <command...>
    local label="$1" log="$BUILD/$1.valgrind"
    shift
    run_program "$label" valgrind --leak-check=full --error-exitcode=1 --num-callers=40 \
        --suppressions=bindings/c/tests/valgrind.supp --log-file="$log" "$@"
    if grep -q "ERROR SUMMARY: 0 errors" "$log" && ! grep -Eq "definitely lost: [1-9]" "$log"; then
        pass "$label: valgrind: 0 errors, 0 definite or possible leaks"
    else
        cat "$log"
        fail "$label: valgrind: 0 errors, 0 definite or possible leaks"
    fi
    grep -E "ERROR SUMMARY|definitely lost|possibly lost|All heap blocks" "$log" | sed 's/^==[0-9]*== /    /'
}
control /__sandbox/reset
valgrind_run valgrind_test_soku "$BUILD/test_soku_shared" all
control /__sandbox/faults "$FAULT_429"
valgrind_run valgrind_test_soku_retry429 "$BUILD/test_soku_shared" retry429

echo "== examples"
control /__sandbox/reset
mask() { sed 's/sk_live_[A-Za-z0-9_-]*/sk_live_***/g'; }
# run_example <name> <stdout pattern> [args...]: runs against the sandbox, checks exit 0 and output
run_example() {
    local name="$1" pattern="$2" out
    shift 2
    if out="$("$BUILD/$name" "$@" 2>&1)" && grep -Eq "$pattern" <<<"$out"; then
        pass "example $name"
    else
        fail "example $name"
    fi
    mask <<<"$out" | sed 's/^/    /'
}
run_example publish_text '^postSubmissionId: [0-9a-zA-Z_-]+$' "hello from C"
run_example publish_video '^postSubmissionId: [0-9a-zA-Z_-]+$'
run_example publish_template '^postSubmissionId: [0-9a-zA-Z_-]+$'
run_example publish_batch '^3 succeeded, 0 failed$'
run_example rotate_key '^new API key: sk_live_' "$SOKU_DEFAULT_KEY_ID"
control /__sandbox/reset # rotate_key revoked the default key

# an inactive account: the example must print the API error code and the request id
err="$(SOKU_API_KEY="$SOKU_INACTIVE_API_KEY" "$BUILD/publish_text" "hello" 2>&1 >/dev/null || true)"
if grep -Eq '^error: forbidden \(request req_[0-9a-zA-Z_]+\)$' <<<"$err"; then
    pass "publish_text prints the error code and request id"
else
    echo "$err"
    fail "publish_text prints the error code and request id"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
