#!/usr/bin/env bash
# The Python package's test command; run from the repository root: bash bindings/python/test.sh
#
# Builds the library and the sandbox, installs bindings/python into a fresh venv, checks that
# `import soku` works without the library, runs the unittest suite (which starts its own
# sandboxes) with SOKU_LIB set, then runs every example against a sandbox. Exits non-zero on
# any failure.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
python="${PYTHON:-python3}"

echo "== cargo build -p soku -p soku-sandbox"
cargo build -p soku -p soku-sandbox

target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
lib="$target/debug/libsoku.so"
[ "$(uname -s)" = Darwin ] && lib="$target/debug/libsoku.dylib"
sandbox_bin="$target/debug/soku-sandbox"
for f in "$lib" "$sandbox_bin"; do
    [ -f "$f" ] || { echo "missing $f after cargo build" >&2; exit 1; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/soku-python.XXXXXX")"
sandbox_pid=""
cleanup() {
    if [ -n "$sandbox_pid" ]; then kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

echo "== fresh venv, pip install ./bindings/python"
if ! "$python" -m venv "$work/venv"; then
    echo "python3 -m venv failed: on Debian/Ubuntu install python3-venv (apt-get install python3-venv)" >&2
    exit 1
fi
venv_python="$work/venv/bin/python"
"$venv_python" -m pip install --quiet ./bindings/python
rm -rf bindings/python/build bindings/python/src/*.egg-info

echo "== import soku (no library needed)"
env -u SOKU_LIB "$venv_python" -c "import soku; print(soku.__version__)"

export SOKU_LIB="$lib" SOKU_SANDBOX_BIN="$sandbox_bin"

echo "== unittest (SOKU_LIB=$SOKU_LIB)"
# Run from a folder outside the tree so that only the installed package can be imported.
(cd "$work" && env -u SOKU_API_KEY -u SOKU_BASE_URL -u SOKU_FIREBASE_TOKEN \
    "$venv_python" "$root/bindings/python/tests/run.py")

echo "== examples against a sandbox"
"$sandbox_bin" --port 0 >"$work/sandbox.out" 2>"$work/sandbox.err" </dev/null &
sandbox_pid=$!
for _ in $(seq 1 300); do
    [ "$(wc -l <"$work/sandbox.out")" -ge 5 ] && break
    kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/sandbox.err" >&2; exit 1; }
    sleep 0.1
done
[ "$(wc -l <"$work/sandbox.out")" -ge 5 ] || { echo "sandbox did not start" >&2; exit 1; }
SOKU_BASE_URL="$(head -n 1 "$work/sandbox.out")"
sb_value() { sed -n "s/^$1=//p" "$work/sandbox.out"; }
SOKU_API_KEY="$(sb_value SOKU_API_KEY)"
SOKU_FIREBASE_TOKEN="$(sb_value SOKU_FIREBASE_TOKEN)"
old_key_id="$(sb_value SOKU_DEFAULT_KEY_ID)"
export SOKU_BASE_URL SOKU_API_KEY SOKU_FIREBASE_TOKEN

examples=0
run_example() {
    local name="$1" expect="$2"; shift 2
    echo "-- examples/$name.py"
    local out
    if ! out="$("$venv_python" "bindings/python/examples/$name.py" "$@" 2>&1)"; then
        printf '%s\n' "$out"; echo "examples/$name.py failed" >&2; exit 1
    fi
    printf '%s\n' "$out"
    grep -q "$expect" <<<"$out" || { echo "examples/$name.py: no '$expect' in its output" >&2; exit 1; }
    if grep -q "$SOKU_API_KEY" <<<"$out"; then echo "examples/$name.py printed the API key" >&2; exit 1; fi
    examples=$((examples + 1))
}
run_example text "Post submitted: "
run_example video "Post submitted: "
run_example template "Post submitted: "
run_example batch "Batch complete: 3 succeeded, 0 failed"
run_example rotation "Old key revoked: $old_key_id" "$old_key_id"
echo "examples: $examples passed, 0 failed"
