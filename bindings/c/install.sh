#!/usr/bin/env bash
# bindings/c/install.sh: installs the soku C library for C and C++ programs (Linux).
#
#   bash bindings/c/install.sh [--prefix DIR] [--no-build] [--no-cli] [--lib-dir DIR] [--relocatable]
#                                                                (default prefix: /usr/local)
#
# Builds the release library and the command line once (`cargo build --release -p soku-client
# -p soku-cli`; a no-op when target/release is up to date; --no-cli: `-p soku-client --lib`, the
# library only; SOKU_CARGO_BUILD_ARGS, when set, replaces the package list, so that a release
# build made with that list is reused instead of linked again) and installs into $DESTDIR$PREFIX:
#   lib/libsoku.so.X.Y.Z   (SONAME libsoku.so.X, set by build.rs) and the symlinks
#   lib/libsoku.so.X -> libsoku.so.X.Y.Z, lib/libsoku.so -> libsoku.so.X
#   lib/libsoku.a
#   include/soku.h, include/soku.hpp
#   lib/pkgconfig/soku.pc                                  (`pkg-config --cflags --libs soku`)
#   lib/cmake/soku/sokuConfig.cmake, sokuConfigVersion.cmake  (`find_package(soku CONFIG)`,
#                                                           imported target soku::soku)
#   bin/soku               the command line (`soku sandbox`: the offline server for your tests);
#                          not with --no-cli, which saves its build (a second LTO link, about as
#                          long as the library's)
# X.Y.Z is the version in Cargo.toml. Settings (environment): PREFIX (default /usr/local, or
# --prefix), DESTDIR (default empty: staged installs for packaging; the installed files still
# name PREFIX), CARGO_TARGET_DIR (default ./target). --no-build installs what target/release
# holds without calling cargo (for sudo, whose PATH seldom has cargo: build first as yourself). With PREFIX /usr/local or /usr, run as root and an empty DESTDIR,
# it runs ldconfig afterwards so that programs find libsoku.so.X there. --lib-dir DIR takes the
# built libraries from DIR instead of target/release (implies --no-build); --relocatable writes a
# soku.pc whose prefix is ${pcfiledir}/../.. (no absolute path: the tree can move, as the binary
# SDK of scripts/release.sh does; the CMake package is always relocatable).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
PREFIX="${PREFIX:-/usr/local}"
DESTDIR="${DESTDIR:-}"
build=1
lib_dir=""
relocatable=0
cli=1
while [ $# -gt 0 ]; do
    case "$1" in
    --prefix) [ $# -ge 2 ] || { echo "install.sh: --prefix needs a directory" >&2; exit 2; }
        PREFIX="$2"; shift 2 ;;
    --prefix=*) PREFIX="${1#--prefix=}"; shift ;;
    --no-build) build=0; shift ;;
    --lib-dir) [ $# -ge 2 ] || { echo "install.sh: --lib-dir needs a directory" >&2; exit 2; }
        lib_dir="$2"; build=0; shift 2 ;;
    --relocatable) relocatable=1; shift ;;
    --no-cli) cli=0; shift ;;
    -h | --help) sed -n '2,25s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done
case "$PREFIX" in
/*) ;;
*) echo "install.sh: PREFIX must be an absolute path, got: $PREFIX" >&2; exit 2 ;;
esac
PREFIX="${PREFIX%/}"

# The version comes from Cargo.toml through the generated header (tests/ffi_header.rs checks
# that SOKU_VERSION_STRING equals the crate version), so --no-build needs no cargo (e.g. sudo).
VERSION="$(sed -n 's/^#define SOKU_VERSION_STRING "\(.*\)"$/\1/p' include/soku.h)"
[[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "install.sh: no SOKU_VERSION_STRING in include/soku.h" >&2; exit 1; }
MAJOR="${VERSION%%.*}"

TARGET="${lib_dir:-${CARGO_TARGET_DIR:-$ROOT/target}/release}"
if [ "$build" = 1 ]; then
    if [ "$cli" = 1 ]; then
        # SOKU_CARGO_BUILD_ARGS: the package list of a release build already made (CI's); the
        # same list finds it fresh, another list may link the library again.
        # shellcheck disable=SC2086
        cargo build --release -q ${SOKU_CARGO_BUILD_ARGS:--p soku-client -p soku-cli}
    else
        cargo build --release -q -p soku-client --lib
    fi
fi
for f in libsoku.so libsoku.a; do
    [ -f "$TARGET/$f" ] || { echo "install.sh: $TARGET/$f is missing (cargo build --release -p soku-client --lib)" >&2; exit 1; }
done
if command -v readelf >/dev/null && ! readelf -d "$TARGET/libsoku.so" | grep -qF "[libsoku.so.$MAJOR]"; then
    echo "install.sh: $TARGET/libsoku.so has no SONAME libsoku.so.$MAJOR (rebuild it)" >&2
    exit 1
fi

# Static link flags on Linux/glibc: what `cargo rustc -p soku-client --lib --crate-type staticlib --
# --print native-static-libs` reports, deduplicated. The leading -Wl,-Bdynamic makes
# `cc app.c -Wl,-Bstatic $(pkg-config --static --libs soku)` link libsoku.a and these shared.
NATIVE_STATIC_LIBS="-Wl,-Bdynamic -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"

dest="$DESTDIR$PREFIX"
libdir="$dest/lib"
install -d "$libdir/pkgconfig" "$libdir/cmake/soku" "$dest/include"
install -m 755 "$TARGET/libsoku.so" "$libdir/libsoku.so.$VERSION"
ln -sfn "libsoku.so.$VERSION" "$libdir/libsoku.so.$MAJOR"
ln -sfn "libsoku.so.$MAJOR" "$libdir/libsoku.so"
install -m 644 "$TARGET/libsoku.a" "$libdir/libsoku.a"
install -m 644 include/soku.h include/soku.hpp "$dest/include/"
if [ "$cli" = 1 ]; then
    [ -f "$TARGET/soku" ] || { echo "install.sh: $TARGET/soku is missing (cargo build --release -p soku-client -p soku-cli, or --no-cli)" >&2; exit 1; }
    install -d "$dest/bin"
    install -m 755 "$TARGET/soku" "$dest/bin/soku"
fi

pc_prefix="$PREFIX"
# shellcheck disable=SC2016 # ${pcfiledir} is for pkg-config to expand: the .pc file's folder
[ "$relocatable" = 1 ] && pc_prefix='${pcfiledir}/../..'
cat >"$libdir/pkgconfig/soku.pc" <<PC
prefix=$pc_prefix
exec_prefix=\${prefix}
libdir=\${exec_prefix}/lib
includedir=\${prefix}/include

Name: soku
Description: Blocking client for the Soku social-publishing API (C ABI)
Version: $VERSION
Cflags: -I\${includedir}
Libs: -L\${libdir} -lsoku
Libs.private: $NATIVE_STATIC_LIBS
PC

# the same libraries as a CMake list of names: gcc_s;util;...
cmake_libs="${NATIVE_STATIC_LIBS#-Wl,-Bdynamic -l}"
cmake_libs="${cmake_libs// -l/;}"
sed -e "s/@VERSION@/$VERSION/g" -e "s/@MAJOR@/$MAJOR/g" -e "s/@NATIVE_STATIC_LIBS@/$cmake_libs/g" \
    bindings/c/cmake/sokuConfig.cmake.in >"$libdir/cmake/soku/sokuConfig.cmake"
sed -e "s/@VERSION@/$VERSION/g" \
    bindings/c/cmake/sokuConfigVersion.cmake.in >"$libdir/cmake/soku/sokuConfigVersion.cmake"
chmod 644 "$libdir/pkgconfig/soku.pc" "$libdir/cmake/soku/"*.cmake

echo "installed soku $VERSION into $dest"
case "$PREFIX" in
/usr | /usr/local) # directories the dynamic loader searches once its cache knows the library
    if [ -z "$DESTDIR" ] && [ "$(id -u)" = 0 ] && command -v ldconfig >/dev/null; then ldconfig; fi ;;
*) echo "programs find libsoku.so.$MAJOR with -Wl,-rpath,$PREFIX/lib (or the CMake package's rpath)" ;;
esac
