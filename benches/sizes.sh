#!/usr/bin/env bash
# benches/sizes.sh: release artifact sizes with cargo's default release profile ("before": only
# panic = "unwind", as main had it) and with the tuned profile of the root Cargo.toml ("after":
# lto, codegen-units = 1, strip), plus the per-call speed of both builds, so that the size
# tuning is shown to cost no speed. N (default 1000) calls per batch, ROUNDS (default 3) rounds
# alternating the builds against one fixed-response server; prints two Markdown tables.
set -euo pipefail
N=${N:-1000}
ROUNDS=${ROUNDS:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
OUT=target/bench/sizes
rm -rf "$OUT"
mkdir -p "$OUT"

echo "sizes.sh: building the default profile into target/untuned" >&2
CARGO_TARGET_DIR=target/untuned CARGO_PROFILE_RELEASE_LTO=false \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_STRIP=debuginfo \
    cargo build --release -q -p soku-client -p soku-bench >&2
echo "sizes.sh: building the tuned profile into target/" >&2
cargo build --release -q -p soku-client -p soku-bench >&2

"target/release/fixed-server" --port 0 >"$OUT/fixed.out" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q '^http' "$OUT/fixed.out" && break; sleep 0.1; done
URL=$(head -n1 "$OUT/fixed.out")

for round in $(seq "$ROUNDS"); do
    for build in before after; do
        bin=target/release
        [ "$build" = before ] && bin=target/untuned/release
        for client in soku ureq; do
            "$bin/bench-rust" --client "$client" --url "$URL" --key sk_test_bench --n "$N" \
                --out "$OUT/$build/r$round"
        done
    done
done

# A C program statically linked to each libsoku.a, stripped: what the static library costs a user
# (the .a file itself is not what ships: the linker keeps only what is used).
for build in before after; do
    lib=target/release/libsoku.a
    [ "$build" = before ] && lib=target/untuned/release/libsoku.a
    cc -O2 -std=c99 -Wall -Wextra -Werror -Iinclude benches/c/bench.c "$lib" -lpthread -ldl -lm \
        -o "$OUT/bench-c-static-$build"
    strip "$OUT/bench-c-static-$build"
done

size() { stat -c %s "$1"; }
echo "| artifact | before (default release) | after (tuned) | change |"
echo "|---|---:|---:|---:|"
for f in libsoku.so libsoku.a bench-rust; do
    b=$(size "target/untuned/release/$f") a=$(size "target/release/$f")
    echo "| $f | $b | $a | $(( (a - b) * 100 / b ))% |"
done
b=$(size "$OUT/bench-c-static-before") a=$(size "$OUT/bench-c-static-after")
echo "| C bench linked to libsoku.a, stripped | $b | $a | $(( (a - b) * 100 / b ))% |"
echo
target/release/bench-report profiles "$OUT"
