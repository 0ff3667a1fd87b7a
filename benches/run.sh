#!/usr/bin/env bash
# benches/run.sh: builds in release, runs every harness with N sequential create-post calls
# (default 1000; `N=50 ROUNDS=1 benches/run.sh` for a smoke run) against the fixed-response server
# over http and over https (a CA made per run, trusted through each client's custom-CA option) and
# the sandbox (rate limits off), ROUNDS times (default 3, each harness a fresh process per
# round, harnesses interleaved so that a noisy moment hits one batch, not one client), and prints
# one table (also saved to target/bench/table.md).
# Results land in target/bench/results/<server>/r<round>/ (format: benches/src/results.rs).
# PROFILE=debug checks the script itself quickly with a debug build (its numbers mean nothing).
# BEFORE=DIR (a release target directory of an earlier commit, holding libsoku.so and bench-rust)
# adds that build's Rust client, C ABI and Python binding to the same rounds, as "before" rows.
set -euo pipefail
N=${N:-1000}
ROUNDS=${ROUNDS:-3}
PROFILE=${PROFILE:-release}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BENCH=target/bench
OUT=$BENCH/results
REL=target/$PROFILE

say() { echo "run.sh: $*" >&2; }
die() { say "$*"; exit 1; }

# --- tools: curl and GNU time (peak RSS of every harness, one method for all) ---
if ! command -v curl >/dev/null || [ ! -x /usr/bin/time ]; then
    [ "$(id -u)" = 0 ] || die "need curl and /usr/bin/time (apt-get install curl time)"
    say "installing curl and time"
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl time >&2
fi

# --- Python with requests (the vendor's published helper needs it); a venv under target/ if missing ---
PY=${PYTHON:-python3}
if ! "$PY" -c 'import requests' 2>/dev/null; then
    VENV=target/bench-venv
    [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV" >&2
    if ! "$VENV/bin/python" -c 'import requests' 2>/dev/null; then
        say "installing requests into $VENV"
        "$VENV/bin/pip" install -q 'requests>=2.31,<3' >&2
    fi
    PY=$VENV/bin/python
fi

# --- build (release profile of the root Cargo.toml) ---
say "building ($PROFILE)"
if [ "$PROFILE" = release ]; then
    cargo build --release -q -p soku-client -p soku-bench -p soku-sandbox -p soku-cli >&2
else
    cargo build -q -p soku-client -p soku-bench -p soku-sandbox -p soku-cli >&2
fi
mkdir -p "$BENCH"
# libsoku.so has the SONAME libsoku.so.0 (build.rs): the name bench-c looks for at run time
ln -sfn libsoku.so "$REL/libsoku.so.0"
cc -O2 -std=c99 -Wall -Wextra -Werror -Iinclude benches/c/bench.c \
    -L"$REL" -lsoku -Wl,-rpath,"$ROOT/$REL" -o "$BENCH/bench-c"
if [ -n "${BEFORE:-}" ]; then
    BEFORE=$(cd "$BEFORE" && pwd)
    cc -O2 -std=c99 -Wall -Wextra -Werror -Iinclude benches/c/bench.c \
        -L"$BEFORE" -lsoku -Wl,-rpath,"$BEFORE" -o "$BENCH/bench-c-before"
fi
# Preloaded into every harness but curl: counts the threads the process creates.
cc -O2 -std=c11 -Wall -Wextra -Werror -shared -fPIC benches/c/count_threads.c -ldl \
    -o "$BENCH/count_threads.so"

rm -rf "$OUT"
mkdir -p "$OUT"

# --- placement: every server and harness on one CPU ---
# On a small VM a wakeup across CPUs costs far more than a client's own work per call (measured
# here: about 180 µs against 30 µs for the C ABI on loopback), and the scheduler places each new
# process differently, so unpinned medians jump between the two from run to run. Pinning the
# servers and every harness to one CPU (PIN_CPU, default 0; PIN_CPU= turns it off) makes the
# table compare what the clients themselves cost.
PIN=()
if [ -n "${PIN_CPU-0}" ] && command -v taskset >/dev/null; then
    PIN=(taskset -c "${PIN_CPU:-0}")
fi

# --- servers, stopped on exit whatever happens ---
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# start NAME CMD...: runs CMD in the background with stdout to $OUT/NAME.out, waits for its URL.
start() {
    local name=$1
    shift
    "${PIN[@]}" "$@" >"$OUT/$name.out" &
    PIDS+=($!)
    for _ in $(seq 100); do
        [ -s "$OUT/$name.out" ] && head -n1 "$OUT/$name.out" | grep -q '^http' && return 0
        sleep 0.1
    done
    die "$name did not print its URL"
}
CA=$ROOT/$OUT/ca.pem
start fixed "$REL/fixed-server" --port 0
start fixed-tls "$REL/fixed-server" --port 0 --tls-ca-out "$CA"
start sandbox "$REL/soku-sandbox" --port 0 --no-rate-limits
FIXED_URL=$(head -n1 "$OUT/fixed.out")
FIXED_TLS_URL=$(head -n1 "$OUT/fixed-tls.out")
SANDBOX_URL=$(head -n1 "$OUT/sandbox.out")
for _ in $(seq 50); do grep -q '^SOKU_API_KEY=' "$OUT/sandbox.out" && break; sleep 0.1; done
SANDBOX_KEY=$(sed -n 's/^SOKU_API_KEY=//p' "$OUT/sandbox.out")
[ -n "$SANDBOX_KEY" ] || die "sandbox printed no SOKU_API_KEY"

# harness SERVER NAME CMD...: one run, framed by the server's connection counts, under GNU time,
# with the thread counter preloaded (not into curl's loop: it starts processes, not threads).
# On the https server SOKU_BENCH_CA names the run's CA; requests and curl read theirs from
# REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE.
harness() {
    local server=$1 name=$2
    local preload=(env LD_PRELOAD="$ROOT/$BENCH/count_threads.so"
        SOKU_BENCH_THREADS_FILE="$ROOT/$dir/$name.threads")
    shift 2
    [ "$name" != curl ] || preload=()
    say "round $round/$ROUNDS, $server: $name ($N calls)"
    curl -sS $CURL_CA "$URL$STATS" >"$dir/$name.before.json"
    local ca=()
    [ -z "$BENCH_CA" ] || ca=(SOKU_BENCH_CA="$BENCH_CA" REQUESTS_CA_BUNDLE="$BENCH_CA"
        CURL_CA_BUNDLE="$BENCH_CA")
    env SOKU_API_KEY="$KEY" SOKU_BENCH_URL="$URL" SOKU_BENCH_N="$N" SOKU_BENCH_OUT="$dir" "${ca[@]}" \
        SOKU_LIB="${LIB:-$ROOT/$REL/libsoku.so}" PYTHONPATH="$ROOT/bindings/python/src" \
        "${PIN[@]}" /usr/bin/time -f %M -o "$dir/$name.maxrss" "${preload[@]}" "$@"
    curl -sS $CURL_CA "$URL$STATS" >"$dir/$name.after.json"
}

# The Python binding joins the https run once it takes a ca_file keyword.
PY_CA=no
if SOKU_LIB=$ROOT/$REL/libsoku.so PYTHONPATH=$ROOT/bindings/python/src "$PY" -c \
    'import inspect, soku, sys; sys.exit("ca_file" not in inspect.signature(soku.Client).parameters)' \
    2>/dev/null; then
    PY_CA=yes
fi

for round in $(seq "$ROUNDS"); do
    for server in fixed fixed-tls sandbox; do
        BENCH_CA= CURL_CA= CA_FLAG=()
        case $server in
        fixed) URL=$FIXED_URL KEY=sk_test_bench STATS=/__stats ;;
        fixed-tls)
            URL=$FIXED_TLS_URL KEY=sk_test_bench STATS=/__stats
            BENCH_CA=$CA CURL_CA="--cacert $CA" CA_FLAG=(--ca "$CA")
            ;;
        sandbox) URL=$SANDBOX_URL KEY=$SANDBOX_KEY STATS=/__sandbox/stats ;;
        esac
        dir=$OUT/$server/r$round
        mkdir -p "$dir"
        clients=(ureq ureq-no-timeout soku)
        # The floor speaks plain http only.
        [ "$server" = fixed-tls ] || clients=(raw-socket "${clients[@]}")
        for client in "${clients[@]}"; do
            harness "$server" "rust-$client" "$REL/bench-rust" --client "$client" --url "$URL" \
                --key "$KEY" --n "$N" --out "$dir" "${CA_FLAG[@]}"
        done
        harness "$server" c-abi "$BENCH/bench-c" "$URL" "$KEY" "$N" "$dir" benches/payload.json
        if [ "$server" != fixed-tls ] || [ "$PY_CA" = yes ]; then
            harness "$server" py-binding "$PY" benches/python/bench_binding.py
        fi
        # With one event listener (a C callback; a Python logging handler at DEBUG): the cost
        # of the event stream when someone listens, against the rows above (nobody listens).
        if [ "$server" = fixed ]; then
            SOKU_BENCH_LOG=1 harness "$server" c-abi-log "$BENCH/bench-c" "$URL" "$KEY" "$N" "$dir" \
                benches/payload.json
            SOKU_BENCH_LOG=1 harness "$server" py-binding-log "$PY" benches/python/bench_binding.py
        fi
        if [ -n "${BEFORE:-}" ] && [ "$server" != fixed-tls ]; then
            # The earlier build's harnesses write their usual file names: into $dir/before, then
            # renamed to before-NAME.
            b=$dir/before
            mkdir -p "$b"
            dir=$b harness "$server" before-rust-soku "$BEFORE/bench-rust" --client soku \
                --url "$URL" --key "$KEY" --n "$N" --out "$b"
            dir=$b harness "$server" before-c-abi "$BENCH/bench-c-before" "$URL" "$KEY" "$N" "$b" \
                benches/payload.json
            dir=$b LIB=$BEFORE/libsoku.so harness "$server" before-py-binding "$PY" \
                benches/python/bench_binding.py
            for name in rust-soku c-abi py-binding; do
                mv "$b/$name.lat" "$dir/before-$name.lat"
                mv "$b/$name.meta" "$dir/before-$name.meta"
            done
            mv "$b"/before-* "$dir/"
            rmdir "$b"
        fi
        harness "$server" py-vendor "$PY" benches/python/bench_vendor_helper.py
        harness "$server" curl bash benches/curl_loop.sh "$URL" "$N" "$dir"
    done
done

{
    echo "## soku benchmark: $ROUNDS batches of $N sequential create-post calls per client"
    echo
    echo "- date: $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo "- machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), Linux $(uname -r)"
    echo "- $(rustc --version), Python $("$PY" -c 'import platform; print(platform.python_version())')" \
        "with requests $("$PY" -c 'import requests; print(requests.__version__)'), $(curl --version | head -n1 | cut -d' ' -f1-2)"
    [ "$PROFILE" = release ] || echo "- **$PROFILE build: these numbers are not benchmarks**"
    echo "- $PROFILE libsoku.so: $(stat -c %s "$REL/libsoku.so") bytes, libsoku.a: $(stat -c %s "$REL/libsoku.a") bytes"
    "$REL/bench-report" "$OUT"
} | tee "$BENCH/table.md"
