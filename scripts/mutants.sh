#!/usr/bin/env bash
# Mutation testing of the modules where a bug costs users most: each mutant is a small bug put
# into the code (an operator flipped, a function returning a default, a wire name swapped); a
# mutant is caught when the module's tests fail with it, and missed when they still pass.
#
#   scripts/mutants.sh                  # every module below (long: one to two hours on 2 shared cores)
#   scripts/mutants.sh retry python     # only these
#
# Modules and the tests run against each mutant (only these, so that a mutant costs one
# incremental build of the few test targets concerned):
#   retry       src/retry.rs                       --lib, core_retry
#   transport   src/transport.rs                   --lib, core_wire, core_retry, core_tls,
#                                                  core_idempotency, core_write_path, core_errors,
#                                                  core_log, ffi_events (the events it emits)
#   connection  src/connection.rs                  --lib, core_wire, core_retry
#   redaction   secret redaction in src/error.rs   --lib, core_secrets, core_errors, core_log
#               and src/secret.rs
#   ffi         src/ffi/*.rs                       ffi_args, ffi_ops, ffi_messages, ffi_cancel,
#                                                  ffi_env, ffi_threads, ffi_error, ffi_leaks,
#                                                  ffi_secrets
#   python      the Python package's wire-name     test_wire_fields, test_package, test_errors
#               table and its readers              (scripts/py_mutants.py)
#
# Rust modules use cargo-mutants (installed with `cargo install --locked cargo-mutants` when
# missing), one mutant at a time, in place: the mutated files must have no uncommitted change
# (checked), and are restored after each mutant (and checked again at the end). Do not edit the
# tree while it runs.
#
# Output: per module one line `MODULE: caught C / missed M / timeout T / unviable U (of N
# mutants, S s)`, then each surviving mutant (file:line: what was changed); a survivor is a
# change no test noticed: either a missing test or an equivalent mutant. cargo-mutants' own
# log and results are kept in target/mutants/MODULE/ (mutants.out/missed.txt, outcomes.json).
# The scores also go to target/mutants/scores.tsv.
#
# Environment: SOKU_MUTANTS_TIMEOUT seconds per test run of one mutant (default 120; a mutant
# that hangs the tests counts as timeout, i.e. detected). SOKU_MUTANTS_SHARD=K/N runs only
# every N-th mutant from the K-th (cargo-mutants' --shard): a sample, for a module too large to
# run whole in the time at hand; the score line then says which shard it is.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
timeout="${SOKU_MUTANTS_TIMEOUT:-120}"
target="${CARGO_TARGET_DIR:-$root/target}"
out_root="$target/mutants"
all=(retry transport connection redaction ffi python)
modules=("$@")
[ "${#modules[@]}" -gt 0 ] || modules=("${all[@]}")

for m in "${modules[@]}"; do
    case " ${all[*]} " in *" $m "*) ;; *) echo "unknown module: $m (one of: ${all[*]})" >&2; exit 2 ;; esac
done

# files / regex / test targets of one Rust module
files=() ; re="" ; tests=()
module_spec() {
    files=(); re=""; tests=()
    case "$1" in
        retry) files=(src/retry.rs); tests=(--lib --test core_retry) ;;
        transport) files=(src/transport.rs); tests=(--lib --test core_wire --test core_retry --test core_tls --test core_idempotency --test core_write_path --test core_errors --test core_log --test ffi_events) ;;
        connection) files=(src/connection.rs); tests=(--lib --test core_wire --test core_retry) ;;
        redaction)
            files=(src/error.rs src/secret.rs)
            re='redact|unless_secret|Secret|fmt::Debug for|fmt::Display for'
            tests=(--lib --test core_secrets --test core_errors --test core_log) ;;
        ffi)
            files=(src/ffi/*.rs)
            tests=(--test ffi_args --test ffi_ops --test ffi_messages --test ffi_cancel --test ffi_env --test ffi_threads --test ffi_error --test ffi_leaks --test ffi_secrets) ;;
    esac
}

needs_cargo_mutants=0
for m in "${modules[@]}"; do [ "$m" != python ] && needs_cargo_mutants=1; done
if [ "$needs_cargo_mutants" = 1 ] && ! cargo mutants --version >/dev/null 2>&1; then
    echo "== cargo install --locked cargo-mutants"
    cargo install --locked cargo-mutants
fi

mkdir -p "$out_root"
scores="$out_root/scores.tsv"
[ -f "$scores" ] || printf 'module\tcaught\tmissed\ttimeout\tunviable\ttotal\tseconds\n' >"$scores"

# The counts of a cargo-mutants run, from its outcomes.json: "caught missed timeout unviable total".
counts() {
    python3 - "$1" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
n = {"CaughtMutant": 0, "MissedMutant": 0, "Timeout": 0, "Unviable": 0}
total = 0
for o in doc["outcomes"]:
    if o["scenario"] == "Baseline":
        continue
    total += 1
    n[o["summary"]] = n.get(o["summary"], 0) + 1
print(n["CaughtMutant"], n["MissedMutant"], n["Timeout"], n["Unviable"], total)
PY
}

run_rust() {
    local m="$1" dir="$out_root/$1" start end rc c mi t u total
    module_spec "$m"
    if ! git diff --quiet HEAD -- "${files[@]}"; then
        echo "$m: ${files[*]} have uncommitted changes; commit or stash them first (mutants run in place)" >&2
        return 1
    fi
    local args=(mutants -p soku-client --in-place --no-shuffle --timeout "$timeout" --output "$dir")
    for f in "${files[@]}"; do args+=(--file "$f"); done
    [ -n "$re" ] && args+=(--re "$re")
    local shard="${SOKU_MUTANTS_SHARD:-}" label=""
    if [ -n "$shard" ]; then args+=(--shard "$shard"); label=", shard $shard"; fi
    rm -rf "$dir"; mkdir -p "$dir"
    echo "== $m: cargo ${args[*]} -- ${tests[*]}"
    start=$SECONDS
    set +e
    cargo "${args[@]}" -- "${tests[@]}" >"$dir/log.txt" 2>&1
    rc=$?
    set -e
    end=$SECONDS
    if ! git diff --quiet HEAD -- "${files[@]}"; then
        git checkout -- "${files[@]}"  # they were clean before the run
        echo "$m: restored ${files[*]} left mutated" >&2
    fi
    # 0: every mutant caught; 2: some survived; 3: some timed out. Anything else: the run failed.
    case "$rc" in 0 | 2 | 3) ;; *)
        tail -n 30 "$dir/log.txt" >&2
        echo "$m: cargo mutants exited with $rc (log: $dir/log.txt)" >&2
        return 1 ;;
    esac
    read -r c mi t u total < <(counts "$dir/mutants.out/outcomes.json")
    echo "$m: caught $c / missed $mi / timeout $t / unviable $u (of $total mutants$label, $((end - start)) s)"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$m" "$c" "$mi" "$t" "$u" "$total" "$((end - start))" >>"$scores"
    if [ -s "$dir/mutants.out/missed.txt" ]; then
        echo "$m: surviving mutants:"
        sed 's/^/  /' "$dir/mutants.out/missed.txt"
    fi
}

run_python() {
    local dir="$out_root/python" start end line
    mkdir -p "$dir"
    echo "== python: scripts/py_mutants.py"
    start=$SECONDS
    python3 scripts/py_mutants.py >"$dir/log.txt" 2>&1 || { tail -n 30 "$dir/log.txt" >&2; echo "python: the mutation pass failed" >&2; return 1; }
    end=$SECONDS
    cat "$dir/log.txt"
    line="$(grep '^python: caught' "$dir/log.txt")"
    read -r c mi total < <(sed -E 's/^python: caught ([0-9]+) \/ missed ([0-9]+) .*of ([0-9]+) mutants.*/\1 \2 \3/' <<<"$line")
    printf 'python\t%s\t%s\t0\t0\t%s\t%s\n' "$c" "$mi" "$total" "$((end - start))" >>"$scores"
}

for m in "${modules[@]}"; do
    if [ "$m" = python ]; then run_python; else run_rust "$m"; fi
done
echo "scores: $scores"
