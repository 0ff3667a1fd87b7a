#!/usr/bin/env bash
# The Python package's test command; run from the repository root: bash bindings/python/test.sh
#
# 1. cargo build --release of the library and the sandbox (SOKU_CARGO_BUILD_ARGS, default the
#    same packages benches/run.sh builds, so that one release build serves every suite);
# 2. pip wheel ./bindings/python: its cargo build must find that build fresh (checked); the wheel
#    must be platform-tagged and hold soku/libsoku.so;
# 3. a fresh venv gets the wheel, and from then on cargo is NOT on PATH: `import soku` loads the
#    library inside the wheel; the unittest suite (which starts its own sandboxes), every example
#    and a user-style script (create-post + batch + rotation) run against the sandbox;
# 4. the offline-testing kit as a user gets it: the `soku` console script runs the executable in
#    the wheel (soku/_bin/soku); pytest (installed into the venv) runs the user-style test files
#    of tests/pytest_user (the plugin's soku_sandbox fixtures, soku.testing.Sandbox) and the
#    README's "Test your integration offline" example against sandboxes the bundled executable
#    starts; afterwards no process they started is alive (read from /proc);
# 5. mypy --strict over the installed package, the examples, the user script, the pytest files
#    and the README's python blocks.
# Ends with one plain `N passed, M failed` line; exits non-zero on any failure.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
python="${PYTHON:-python3}"

# Cargo decides freshness per invocation (the -p list changes feature unification and which
# artifacts are linked), so the wheel's build and benches/run.sh use this very list.
export SOKU_CARGO_BUILD_ARGS="${SOKU_CARGO_BUILD_ARGS:--p soku-client -p soku-bench -p soku-sandbox -p soku-cli}"
read -r -a cargo_args <<<"$SOKU_CARGO_BUILD_ARGS"

echo "== cargo build --release ${cargo_args[*]}"
cargo build --release "${cargo_args[@]}"

target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
sandbox_bin="$target/release/soku-sandbox"
[ -f "$sandbox_bin" ] || { echo "missing $sandbox_bin after cargo build (is soku-sandbox in SOKU_CARGO_BUILD_ARGS?)" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/soku-python.XXXXXX")"
sandbox_pid=""
cleanup() {
    if [ -n "$sandbox_pid" ]; then kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
checks=0
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

echo "== pip wheel ./bindings/python"
if ! "$python" -m venv "$work/build-venv"; then
    echo "python3 -m venv failed: on Debian/Ubuntu install python3-venv (apt-get install python3-venv)" >&2
    exit 1
fi
start=$EPOCHREALTIME
if ! "$work/build-venv/bin/python" -m pip wheel -v --no-deps ./bindings/python -w "$work/dist" >"$work/wheel.log" 2>&1; then
    tail -n 40 "$work/wheel.log" >&2; echo "pip wheel failed" >&2; exit 1
fi
end=$EPOCHREALTIME
rm -rf bindings/python/build bindings/python/src/*.egg-info
grep -E '^ *soku: running|^ *(Compiling|Finished) ' "$work/wheel.log" | sed 's/^ */   /'
if grep -qE '^ *Compiling soku-client v' "$work/wheel.log"; then
    echo "the wheel's cargo build compiled soku again instead of reusing the release build above" >&2
    exit 1
fi
wheels=("$work"/dist/soku_client-*.whl)
[ "${#wheels[@]}" -eq 1 ] && [ -f "${wheels[0]}" ] || { echo "expected one soku_client wheel in $work/dist" >&2; exit 1; }
wheel="${wheels[0]}"
echo "wheel: $(basename "$wheel"), $(wc -c <"$wheel") bytes, built in $(seconds "$start" "$end") s"
case "$(basename "$wheel")" in
    *-none-any.whl) echo "the wheel is not platform-specific" >&2; exit 1 ;;
    *-py3-none-*.whl) ;;
    *) echo "unexpected wheel tag" >&2; exit 1 ;;
esac
"$python" -m zipfile -l "$wheel" | grep -E '^soku/libsoku\.(so|dylib) ' || { echo "the wheel holds no soku/libsoku.so" >&2; exit 1; }
# the soku executable: its size unpacked and what it adds to the wheel (compressed)
"$python" - "$wheel" <<'PY' || { echo "the wheel holds no executable soku/_bin/soku" >&2; exit 1; }
import sys, zipfile
info = zipfile.ZipFile(sys.argv[1]).getinfo("soku/_bin/soku")
assert (info.external_attr >> 16) & 0o111, "soku/_bin/soku is not executable"
print("soku/_bin/soku: %d bytes, %d compressed in the wheel" % (info.file_size, info.compress_size))
PY
checks=$((checks + 1))

echo "== fresh venv, pip install the wheel"
"$python" -m venv "$work/venv"
venv_python="$work/venv/bin/python"
start=$EPOCHREALTIME
"$venv_python" -m pip install --quiet --no-index --no-deps "$wheel"
end=$EPOCHREALTIME
echo "installed into a fresh venv in $(seconds "$start" "$end") s"
"$venv_python" -m pip install --quiet 'mypy>=1.10' 'pytest>=8'

# From here on nothing may need cargo: PATH keeps only folders without cargo or rustc.
nocargo_path=""
IFS=: read -r -a path_dirs <<<"$PATH"
for d in "${path_dirs[@]}"; do
    [ -n "$d" ] && { [ -x "$d/cargo" ] || [ -x "$d/rustc" ]; } && continue
    nocargo_path="${nocargo_path:+$nocargo_path:}$d"
done
export PATH="$nocargo_path"
if command -v cargo >/dev/null; then echo "cargo is still on PATH" >&2; exit 1; fi
unset SOKU_LIB CARGO_TARGET_DIR
export SOKU_SANDBOX_BIN="$sandbox_bin"

echo "== import soku, load the library inside the wheel"
(cd "$work" && "$venv_python" -c "import soku; print(soku.__version__, soku.library_version(), soku.library_path())")

echo "== unittest (library from the wheel)"
# Run from a folder outside the tree so that only the installed package can be imported.
(cd "$work" && env -u SOKU_API_KEY -u SOKU_BASE_URL -u SOKU_FIREBASE_TOKEN \
    "$venv_python" "$root/bindings/python/tests/run.py" | tee "$work/unittest.out")
unit_passed="$(sed -n 's/^python: \([0-9]*\) passed.*/\1/p' "$work/unittest.out")"

# start_sandbox: one sandbox for the examples and the user script; sets the SOKU_* variables.
start_sandbox() {
    if [ -n "$sandbox_pid" ]; then kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true; fi
    "$sandbox_bin" --port 0 >"$work/sandbox.out" 2>"$work/sandbox.err" </dev/null &
    sandbox_pid=$!
    for _ in $(seq 1 300); do
        grep -q '^SOKU_BASE_URL=' "$work/sandbox.out" && break
        kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/sandbox.err" >&2; exit 1; }
        sleep 0.1
    done
    sb_value() { sed -n "s/^$1=//p" "$work/sandbox.out"; }
    SOKU_BASE_URL="$(sb_value SOKU_BASE_URL)"
    [ -n "$SOKU_BASE_URL" ] || { echo "sandbox did not start" >&2; exit 1; }
    SOKU_API_KEY="$(sb_value SOKU_API_KEY)"
    SOKU_FIREBASE_TOKEN="$(sb_value SOKU_FIREBASE_TOKEN)"
    SOKU_DEFAULT_KEY_ID="$(sb_value SOKU_DEFAULT_KEY_ID)"
    export SOKU_BASE_URL SOKU_API_KEY SOKU_FIREBASE_TOKEN SOKU_DEFAULT_KEY_ID
}

echo "== examples against a sandbox"
start_sandbox
old_key_id="$SOKU_DEFAULT_KEY_ID"
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

echo "== user script (create-post + batch + rotation) against a fresh sandbox"
start_sandbox
"$venv_python" bindings/python/tests/user_script.py
checks=$((checks + 1))

echo "== offline testing kit: the soku console script, pytest with the plugin, no process left"
# the console script runs the wheel's executable
"$work/venv/bin/soku" --version | grep -q '^soku ' || { echo "the soku console script failed" >&2; exit 1; }
mkdir -p "$work/readme" "$work/pytest"
"$venv_python" - "$root/bindings/python/README.md" "$work/pytest" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
section = text.split("## Test your integration offline", 1)[1].split("\n## ", 1)[0]
blocks = re.findall(r"^```python\n(.*?)^```", section, re.M | re.S)
assert len(blocks) == 1, "one python block in the README's offline-testing section"
with open(sys.argv[2] + "/test_readme_offline.py", "w", encoding="utf-8") as f:
    f.write(blocks[0])
PY
cp bindings/python/tests/pytest_user/*.py "$work/pytest/"
# The bundled executable only: no SOKU_SANDBOX_BIN, no soku on PATH but the venv's.
export SOKU_TEST_RUN_ID="python-test-$$"
(cd "$work/pytest" && env -u SOKU_SANDBOX_BIN "$venv_python" -m pytest -q -p no:cacheprovider -s . | tee "$work/pytest.out")
pytest_passed="$(sed -n 's/^\([0-9]*\) passed.*/\1/p' "$work/pytest.out" | tail -n 1)"
[ -n "$pytest_passed" ] || { echo "pytest reported no passed test" >&2; exit 1; }
"$venv_python" "$work/pytest/no_orphans.py"
checks=$((checks + pytest_passed + 1))

echo "== mypy --strict: the package, the examples, the user script, the pytest files, the README's python blocks"
mkdir -p "$work/readme"
"$venv_python" - "$root/bindings/python/README.md" "$work/readme" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
blocks = re.findall(r"^```python\n(.*?)^```", text, re.M | re.S)
assert blocks, "no python block in the README"
for i, block in enumerate(blocks):
    with open("%s/readme_%d.py" % (sys.argv[2], i), "w", encoding="utf-8") as f:
        f.write(block)
print("README: %d python blocks" % len(blocks))
PY
(cd "$work" && "$venv_python" -m mypy --strict --no-incremental -p soku)
"$venv_python" -m mypy --strict --no-incremental bindings/python/examples/*.py bindings/python/tests/user_script.py "$work"/readme/*.py
(cd "$work/pytest" && "$venv_python" -m mypy --strict --no-incremental ./*.py)
checks=$((checks + 2))

echo "$((unit_passed + examples + checks)) passed, 0 failed"
