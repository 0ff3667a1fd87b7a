#!/usr/bin/env bash
# scripts/test-release.sh: checks the artifacts that `bash scripts/release.sh` put into dist/ the
# way users get them, from the repository root:
#
#   bash scripts/test-release.sh
#
# Only dist/ is used (never the checkout's target/); from the checkout it takes the example C
# program and the CMake example project, as a user's own code. Steps:
#   1. SHA256SUMS matches; each .crate holds its licences and README, no path dependency, and
#      depends on the others at this very version; the sdist carries exactly the packaged
#      library crate (so the sdist build below is a build of that crate on its own).
#   2. The sandbox: bin/soku-sandbox from the C SDK, on a free loopback port.
#   3. The wheel: `auditwheel show` reports manylinux_2_17_x86_64, `twine check --strict` passes;
#      installed into a fresh venv; with no cargo or rustc on PATH it posts to the sandbox, and
#      the sandbox recorded that post.
#   4. The sdist: copied to a folder outside the checkout, `pip install`ed into a fresh venv
#      (cargo builds the crate it carries), posts to the sandbox. The crate's release profile
#      uses LTO; this test overrides it through cargo's environment (no LTO, 16 codegen units,
#      opt-level SOKU_SDIST_TEST_OPT_LEVEL, default 0) to save CI minutes: the same sources, lock
#      file and build path, only slower code.
#   5. The C SDK: unpacked to a fresh folder, an example built with pkg-config
#      (PKG_CONFIG_PATH into the SDK) against the shared and the static library; unpacked to a
#      folder whose path holds a space, the CMake example project built with
#      find_package(soku CONFIG REQUIRED); each program runs against the sandbox with no
#      LD_LIBRARY_PATH; no .pc or CMake file names a path of the build machine.
#   6. Every interface prints the same version: the workspace's, the crates', the wheel's and
#      the sdist's metadata, soku.__version__ and soku.library_version() (from the wheel and from
#      the sdist), soku_version() and SOKU_VERSION_STRING from C, `soku --version`,
#      `pkg-config --modversion soku`, and the CMake package's soku_VERSION (requested EXACT).
# Ends with one `N passed, 0 failed` line; exits non-zero at the first failure.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
dist="$root/dist"
python="${PYTHON:-python3}"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
tools="${SOKU_RELEASE_TOOLS:-$target_dir/release-tools}" # auditwheel and twine (release.sh installs them)
plat=manylinux_2_17_x86_64
passed=0
pass() { passed=$((passed + 1)); echo "ok: $*"; }
die() { echo "test-release: $*" >&2; exit 1; }
seconds() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }'; }

unset HTTP_PROXY HTTPS_PROXY ALL_PROXY http_proxy https_proxy all_proxy NO_PROXY no_proxy
unset SOKU_LIB SOKU_LIBRARY LD_LIBRARY_PATH SOKU_API_KEY SOKU_BASE_URL SOKU_FIREBASE_TOKEN PKG_CONFIG_PATH
work="$(mktemp -d "${TMPDIR:-/tmp}/soku-release-test.XXXXXX")"
sandbox_pid=""
cleanup() {
    if [ -n "$sandbox_pid" ]; then kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

version="$(cargo metadata --no-deps --format-version 1 --locked |
    "$python" -c 'import json, sys; print({p["name"]: p["version"] for p in json.load(sys.stdin)["packages"]}["soku-client"])')"
echo "workspace version: $version"
name="soku-$version-x86_64-linux-gnu"
sdk_tar="$dist/$name.tar.gz"
sdist="$dist/soku_client-$version.tar.gz"
wheels=("$dist"/soku_client-"$version"-py3-none-*.whl)
[ -f "${wheels[0]}" ] && [ "${#wheels[@]}" -eq 1 ] || die "expected one soku_client $version wheel in dist/ (run scripts/release.sh)"
wheel="${wheels[0]}"
for f in "$sdk_tar" "$sdist" "$dist/SHA256SUMS" "$dist"/soku-{sandbox,client,cli}-"$version".crate; do
    [ -f "$f" ] || die "$f is missing (run scripts/release.sh)"
done

# --- 1. checksums and packages ---------------------------------------------------------------
(cd "$dist" && sha256sum --quiet -c SHA256SUMS) || die "SHA256SUMS does not match dist/"
[ "$(wc -l <"$dist/SHA256SUMS")" -eq 6 ] || die "SHA256SUMS should list the 6 artifacts"
pass "SHA256SUMS matches the 6 artifacts"

for c in soku-sandbox soku-client soku-cli; do
    crate="$dist/$c-$version.crate"
    listing="$(tar -tzf "$crate")"
    for f in Cargo.toml Cargo.lock README.md LICENSE-MIT LICENSE-APACHE; do
        grep -qxF "$c-$version/$f" <<<"$listing" || die "$c: no $f in the crate"
    done
    manifest="$(tar -xzOf "$crate" "$c-$version/Cargo.toml")"
    grep -qxF "version = \"$version\"" <<<"$manifest" || die "$c: the crate's version is not $version"
    ! grep -q '^path = "\.\.' <<<"$manifest" || die "$c: the crate keeps a path dependency"
    ! grep -q '^repository' <<<"$manifest" || die "$c: a repository URL the project does not publish from"
done
cli_manifest="$(tar -xzOf "$dist/soku-cli-$version.crate" "soku-cli-$version/Cargo.toml")"
for dep in soku-client soku-sandbox; do
    grep -A1 -xF "[dependencies.$dep]" <<<"$cli_manifest" | grep -qxF "version = \"$version\"" ||
        die "soku-cli does not depend on $dep $version"
done
pass "crates: licences, README, Cargo.lock, no path dependency, soku-cli needs soku-client and soku-sandbox $version"

mkdir -p "$work/crate" "$work/sdist-src"
tar -xzf "$dist/soku-client-$version.crate" -C "$work/crate"
tar -xzf "$sdist" -C "$work/sdist-src"
diff -r "$work/crate/soku-client-$version" "$work/sdist-src/soku_client-$version/rust" ||
    die "the sdist's rust/ differs from soku-client-$version.crate"
pass "the sdist carries the packaged library crate (rust/, with Cargo.lock)"

# --- 2. the sandbox, from the SDK --------------------------------------------------------------
mkdir -p "$work/sdk"
tar -xzf "$sdk_tar" -C "$work/sdk"
sdk="$work/sdk/$name"
"$sdk/bin/soku-sandbox" --port 0 --no-rate-limits >"$work/sandbox.out" 2>"$work/sandbox.err" </dev/null &
sandbox_pid=$!
for _ in $(seq 1 300); do
    grep -q '^SOKU_BASE_URL=' "$work/sandbox.out" && break
    kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/sandbox.err" >&2; die "the SDK's soku-sandbox exited"; }
    sleep 0.1
done
sb_value() { sed -n "s/^$1=//p" "$work/sandbox.out"; }
base_url="$(sb_value SOKU_BASE_URL)"
api_key="$(sb_value SOKU_API_KEY)"
[ -n "$base_url" ] && [ -n "$api_key" ] || die "the sandbox printed no SOKU_BASE_URL/SOKU_API_KEY"
echo "sandbox (the SDK's bin/soku-sandbox) at $base_url"
# submissions: how many posts the sandbox accepted so far
submissions() { "$python" -c 'import json, sys, urllib.request; print(len(json.load(urllib.request.urlopen(sys.argv[1] + "/__sandbox/submissions"))))' "$base_url"; }
# expect_post TEXT: the last post the sandbox accepted carries TEXT
expect_post() {
    "$python" - "$base_url" "$1" <<'PY' || die "the sandbox did not record the post \"$1\""
import json, sys, urllib.request
subs = json.load(urllib.request.urlopen(sys.argv[1] + "/__sandbox/submissions"))
assert subs and sys.argv[2] in json.dumps(subs[-1]), subs[-1:]
PY
}
post_script='import sys, soku
with soku.Client(api_key=sys.argv[1], base_url=sys.argv[2]) as client:
    sub = client.create_post(text=sys.argv[3], platforms=["x"])
print(sub.post_submission_id)
print("version", soku.__version__, soku.library_version())
print("library", soku.library_path())'

# --- 3. the wheel ------------------------------------------------------------------------------
shown="$("$tools/bin/auditwheel" show "$wheel")"
grep -qF "\"$plat\"" <<<"$shown" || { echo "$shown" >&2; die "auditwheel show does not report $plat"; }
pass "auditwheel show: $(basename "$wheel") is consistent with $plat"
"$tools/bin/twine" check --strict "$wheel" "$sdist" >"$work/twine.out" 2>&1 || { cat "$work/twine.out" >&2; die "twine check failed"; }
pass "twine check --strict: the wheel and the sdist"

"$python" -m venv "$work/venv-wheel"
"$work/venv-wheel/bin/python" -m pip install --quiet --disable-pip-version-check --no-index --no-deps "$wheel"
nocargo_path=""
IFS=: read -r -a path_dirs <<<"$PATH"
for d in "${path_dirs[@]}"; do
    [ -n "$d" ] && { [ -x "$d/cargo" ] || [ -x "$d/rustc" ]; } && continue
    nocargo_path="${nocargo_path:+$nocargo_path:}$d"
done
before="$(submissions)"
out="$(cd "$work" && env PATH="$nocargo_path" bash -c '! command -v cargo >/dev/null && ! command -v rustc >/dev/null && exec "$@"' _ \
    "$work/venv-wheel/bin/python" -c "$post_script" "$api_key" "$base_url" "from the wheel")" ||
    die "the wheel's package failed to post (or cargo was still on PATH)"
echo "$out"
grep -qF "library $work/venv-wheel/" <<<"$out" || die "the wheel's package did not load its own library"
[ "$(submissions)" -eq $((before + 1)) ] || die "the sandbox did not see exactly one new post from the wheel"
expect_post "from the wheel"
wheel_versions="$(sed -n 's/^version //p' <<<"$out")"
pass "wheel: installed in a fresh venv, no cargo on PATH, one post reached the sandbox"
# The wheel carries the CLI (soku/_bin/soku, run by the `soku` console script) and soku.testing
# starts it as the offline sandbox: a post through a 429 and a dropped connection is published once.
"$python" -c 'import sys, zipfile; sys.exit("soku/_bin/soku" not in zipfile.ZipFile(sys.argv[1]).namelist())' "$wheel" ||
    die "the wheel does not carry soku/_bin/soku"
wheel_cli_version="$(env PATH="$nocargo_path" "$work/venv-wheel/bin/soku" --version)"
[ "$wheel_cli_version" = "soku $version" ] || die "the wheel's soku --version says $wheel_cli_version"
(cd "$work" && env -u SOKU_SANDBOX_BIN PATH="$nocargo_path" "$work/venv-wheel/bin/python" - <<'PY') ||
import soku.testing

with soku.testing.Sandbox() as sb:
    sb.inject({"path": "/v1/posts", "status": 429, "retryAfter": 1})
    sb.inject({"path": "/v1/posts", "drop": True})
    sub = sb.client().create_post({"post": {"content": {"text": "offline", "mediaType": "text", "platform": ["x"]}}})
    assert sub.post_submission_id
    assert len(sb.submissions()) == 1, sb.submissions()
    assert len(sb.requests()) == 3, sb.requests()
PY
    die "soku.testing.Sandbox from the wheel failed"
pass "wheel: soku/_bin/soku ($wheel_cli_version), the console script, soku.testing through a 429 and a dropped connection: one post"

# --- 4. the sdist ------------------------------------------------------------------------------
mkdir -p "$work/elsewhere"
cp "$sdist" "$work/elsewhere/"
"$python" -m venv "$work/venv-sdist"
start=$EPOCHREALTIME
# the build's cargo output goes to the log; CARGO_TARGET_DIR must not point into the checkout
if ! (cd "$work/elsewhere" && env -u CARGO_TARGET_DIR CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    CARGO_PROFILE_RELEASE_OPT_LEVEL="${SOKU_SDIST_TEST_OPT_LEVEL:-0}" \
    "$work/venv-sdist/bin/python" -m pip install --disable-pip-version-check --no-deps -v "./$(basename "$sdist")" \
    >"$work/sdist.log" 2>&1); then
    tail -n 40 "$work/sdist.log" >&2; die "pip install of the sdist failed"
fi
echo "sdist: built and installed with pip in $(seconds "$start") s"
grep -qE 'Compiling soku-client v' "$work/sdist.log" || die "the sdist install did not build the crate"
before="$(submissions)"
out="$(cd "$work/elsewhere" && "$work/venv-sdist/bin/python" -c "$post_script" "$api_key" "$base_url" "from the sdist")" ||
    die "the sdist's package failed to post"
echo "$out"
grep -qF "library $work/venv-sdist/" <<<"$out" || die "the sdist's package did not load the library it built"
[ "$(submissions)" -eq $((before + 1)) ] || die "the sandbox did not see exactly one new post from the sdist"
expect_post "from the sdist"
sdist_versions="$(sed -n 's/^version //p' <<<"$out")"
pass "sdist: pip install outside the checkout built the crate with cargo, one post reached the sandbox"

# --- 5. the C SDK ------------------------------------------------------------------------------
for f in "$sdk"/lib/pkgconfig/soku.pc "$sdk"/lib/cmake/soku/*.cmake; do
    if grep -nE "$root|$target_dir|/work/|/home/|/tmp/|/root/" "$f"; then die "$f names a path of the build machine"; fi
done
grep -qxF 'prefix=${pcfiledir}/../..' "$sdk/lib/pkgconfig/soku.pc" || die "soku.pc's prefix is not relative to the file"
pass "SDK: soku.pc and the CMake files name no path of the build machine (prefix from \${pcfiledir}, CMAKE_CURRENT_LIST_DIR)"
[ "$(readlink "$sdk/lib/libsoku.so")" = "libsoku.so.${version%%.*}" ] && [ -f "$sdk/lib/libsoku.so.$version" ] ||
    die "SDK: lib/libsoku.so -> libsoku.so.${version%%.*} -> libsoku.so.$version expected"
readelf -d "$sdk/lib/libsoku.so.$version" | grep -qF "Library soname: [libsoku.so.${version%%.*}]" || die "SDK: wrong SONAME"
pass "SDK: libsoku.so.$version with SONAME libsoku.so.${version%%.*} and its links, libsoku.a, headers, bin/soku"

examples="$root/bindings/c/examples"
cat >"$work/version.c" <<'C'
#include <soku.h>
#include <stdio.h>
int main(void) {
    printf("%s %s %d.%d.%d\n", soku_version(), SOKU_VERSION_STRING, SOKU_VERSION_MAJOR, SOKU_VERSION_MINOR,
           SOKU_VERSION_PATCH);
    return 0;
}
C
export PKG_CONFIG_PATH="$sdk/lib/pkgconfig"
[ "$(pkg-config --variable=prefix soku)" -ef "$sdk" ] || die "pkg-config's prefix is not the unpacked SDK"
libdir="$(pkg-config --variable=libdir soku)"
# shellcheck disable=SC2046 # pkg-config prints several flags
cc -std=c99 -Wall -I"$examples" "$examples/publish_text.c" $(pkg-config --cflags --libs soku jansson) \
    -Wl,-rpath,"$libdir" -o "$work/publish_text"
# static: -Wl,-Bstatic takes libsoku.a; soku.pc's Libs.private switch back to shared for the system
# libraries (-Wl,-Bdynamic -lgcc_s ...), so jansson after it links shared too
# shellcheck disable=SC2046
cc -std=c99 -Wall -I"$examples" "$examples/publish_text.c" $(pkg-config --cflags soku jansson) \
    -Wl,-Bstatic $(pkg-config --static --libs soku) $(pkg-config --libs jansson) -o "$work/publish_text_static"
# shellcheck disable=SC2046
cc -std=c99 "$work/version.c" $(pkg-config --cflags --libs soku) -Wl,-rpath,"$libdir" -o "$work/version_c"
run_c() { # PROGRAM TEXT: posts TEXT through the program, checks the sandbox got it
    local before out
    before="$(submissions)"
    out="$(env -u LD_LIBRARY_PATH SOKU_API_KEY="$api_key" SOKU_BASE_URL="$base_url" "$1" "$2")" || die "$1 failed: $out"
    grep -q '^postSubmissionId: ' <<<"$out" || die "$1 printed no postSubmissionId: $out"
    [ "$(submissions)" -eq $((before + 1)) ] || die "the sandbox did not see exactly one new post from $1"
    expect_post "$2"
}
ldd "$work/publish_text" | grep -qF "libsoku.so.${version%%.*} => $libdir/" || die "publish_text does not find libsoku in the SDK"
run_c "$work/publish_text" "from C, pkg-config, shared"
! ldd "$work/publish_text_static" | grep -q libsoku || die "publish_text_static needs libsoku.so"
run_c "$work/publish_text_static" "from C, pkg-config, static"
pass "SDK + pkg-config: publish_text (shared, run path into the SDK; static) posted to the sandbox, no LD_LIBRARY_PATH"
c_versions="$(env -u LD_LIBRARY_PATH "$work/version_c")"

spaced="$work/with space/sdk root"
mkdir -p "$spaced"
tar -xzf "$sdk_tar" -C "$spaced"
unset PKG_CONFIG_PATH # jansson stays found through the system's pkg-config paths
cmake -S "$examples" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$spaced/$name" -DCMAKE_BUILD_TYPE=Release >"$work/cmake.log" 2>&1 ||
    { tail -n 30 "$work/cmake.log" >&2; die "cmake configure against the SDK (path with a space) failed"; }
cmake --build "$work/cmake-build" --target publish_text publish_text_cpp >>"$work/cmake.log" 2>&1 ||
    { tail -n 30 "$work/cmake.log" >&2; die "cmake build against the SDK (path with a space) failed"; }
ldd "$work/cmake-build/publish_text" | grep -qF "libsoku.so.${version%%.*} => $spaced/$name/lib/" ||
    die "the CMake-built publish_text does not find libsoku in the SDK"
run_c "$work/cmake-build/publish_text" "from C, CMake"
run_c "$work/cmake-build/publish_text_cpp" "from C++, CMake"
mkdir -p "$work/cmake-version"
cat >"$work/cmake-version/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.16)
project(soku_version NONE)
find_package(soku $version EXACT CONFIG REQUIRED)
message(STATUS "soku_VERSION=\${soku_VERSION}")
CMAKE
cmake_version="$(cmake -S "$work/cmake-version" -B "$work/cmake-version/build" -DCMAKE_PREFIX_PATH="$spaced/$name" |
    sed -n 's/^-- soku_VERSION=//p')"
# before 1.0 a minor release may change the ABI: the CMake package refuses a request for another 0.minor
older="${version%%.*}.$(( $(cut -d. -f2 <<<"$version") - 1 ))"
if [ "${version%%.*}" = 0 ] && [ "$(cut -d. -f2 <<<"$version")" -gt 0 ]; then
    sed -i "s/find_package(soku $version EXACT CONFIG REQUIRED)/find_package(soku $older CONFIG QUIET)\nmessage(STATUS \"soku_FOUND=\${soku_FOUND}\")/" \
        "$work/cmake-version/CMakeLists.txt"
    found="$(cmake -S "$work/cmake-version" -B "$work/cmake-version/build-older" -DCMAKE_PREFIX_PATH="$spaced/$name" |
        sed -n 's/^-- soku_FOUND=//p')"
    [ "$found" = 0 ] || [ "$found" = FALSE ] || die "find_package(soku $older) accepted $version (a 0.x minor may break the ABI)"
fi
pass "SDK unpacked under a path with a space + CMake find_package(soku CONFIG REQUIRED): C and C++ examples posted, no LD_LIBRARY_PATH"

# --- 6. one version everywhere -----------------------------------------------------------------
meta_version() { sed -n 's/^Version: //p' | head -n 1; }
wheel_meta="$("$python" -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.read(next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))).decode())' "$wheel" | meta_version)"
sdist_meta="$(tar -xzOf "$sdist" "soku_client-$version/PKG-INFO" | meta_version)"
cli_version="$("$sdk/bin/soku" --version)"
pc_version="$(PKG_CONFIG_PATH="$sdk/lib/pkgconfig" pkg-config --modversion soku)"
printf '%s\n' \
    "crates (file names, manifests)   $version" \
    "wheel METADATA                   $wheel_meta" \
    "sdist PKG-INFO                   $sdist_meta" \
    "wheel: soku.__version__, lib     $wheel_versions" \
    "sdist: soku.__version__, lib     $sdist_versions" \
    "C: soku_version(), macros        $c_versions" \
    "bin/soku --version               $cli_version" \
    "pkg-config --modversion soku     $pc_version" \
    "CMake soku_VERSION (EXACT)       $cmake_version"
for v in "$wheel_meta" "$sdist_meta" "$pc_version" "$cmake_version"; do
    [ "$v" = "$version" ] || die "a version differs from $version: $v"
done
for pair in "$wheel_versions" "$sdist_versions"; do
    [ "$pair" = "$version $version" ] || die "a version differs from $version: $pair"
done
[ "$c_versions" = "$version $version $version" ] || die "a C version differs from $version: $c_versions"
[ "$cli_version" = "soku $version" ] || die "soku --version says $cli_version"
pass "every interface says $version"

echo "test-release: $passed passed, 0 failed"
