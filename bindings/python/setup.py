"""Build hooks that put the native library into the wheel (the metadata is in pyproject.toml).

The version is the crate's: read from the ``version`` of the Cargo manifest the library is built
from (the workspace's ``[workspace.package]``, or the crate inside an sdist), and written into
the built package's ``soku/_version.py``, so ``soku.__version__`` always equals
``soku.library_version()``.

Where the library comes from, first match wins:

1. ``SOKU_LIBRARY``: the path of an already built library, copied as is (``scripts/release.sh``
   passes the one it built for the oldest glibc it supports);
2. an sdist: the crate sources it carries in ``rust/`` (``rust/Cargo.toml``, ``rust/Cargo.lock``)
   are built with ``cargo build --release --locked --lib``: cargo is all such an install needs;
3. a checkout: from the cargo workspace two folders up,
   ``cargo build --release --message-format=json-render-diagnostics $SOKU_CARGO_BUILD_ARGS``
   (``SOKU_CARGO_BUILD_ARGS`` defaults to ``-p soku-client -p soku-cli``).

The library is copied into the package as ``soku/libsoku.so`` (``libsoku.dylib`` on macOS), the
``soku`` executable (``SOKU_CLI``, else the one the checkout's cargo build reports; an sdist
builds the library only, and its wheel then finds ``soku`` on PATH) as ``soku/_bin/soku``, and
the wheel is tagged ``py3-none-<platform>``: the library is loaded with ctypes, so any Python 3 of
that platform can use it, but no other platform can. (Release wheels are then retagged
``manylinux_2_17_x86_64`` by ``auditwheel repair``, which checks the glibc symbols first.)

Cargo decides freshness per invocation: a build with other ``-p`` packages or other flags than an
earlier one may link the library again. To reuse a release build made by another command (CI
builds ``-p soku-client -p soku-bench -p soku-sandbox -p soku-cli`` once), pass the same packages in
``SOKU_CARGO_BUILD_ARGS``; ``CARGO_TARGET_DIR`` is honoured by cargo itself.

An editable install (``pip install -e``) builds nothing: the package then finds the library in
the checkout's ``target/`` folders.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys

from setuptools import Distribution, setup
from setuptools.command.bdist_wheel import bdist_wheel
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
SDIST_CRATE = os.path.join(HERE, "rust")
CHECKOUT_WORKSPACE = os.path.dirname(os.path.dirname(HERE))
LIBRARY = "libsoku.dylib" if sys.platform == "darwin" else "libsoku.so"
# The `soku` executable (the CLI, which also runs the offline sandbox for ``soku.testing``), when
# the cargo build below reports it (``-p soku-cli`` in SOKU_CARGO_BUILD_ARGS).
CLI_BUILT = {}


def crate_dir() -> str:
    """The folder whose Cargo.toml builds the library: the sdist's crate, else the checkout's."""
    for folder in (SDIST_CRATE, CHECKOUT_WORKSPACE):
        if os.path.isfile(os.path.join(folder, "Cargo.toml")):
            return folder
    sys.exit(
        "soku: no Cargo.toml in %s or %s; build from the sdist or a checkout of the repository"
        % (SDIST_CRATE, CHECKOUT_WORKSPACE)
    )


def crate_version() -> str:
    """The version of the Cargo manifest's first ``version = "..."`` line: the
    ``[workspace.package]`` one in the workspace, the ``[package]`` one in the sdist's crate."""
    with open(os.path.join(crate_dir(), "Cargo.toml"), encoding="utf-8") as f:
        match = re.search(r'^version\s*=\s*"([^"]+)"', f.read(), re.MULTILINE)
    if match is None:
        sys.exit("soku: no version in %s" % os.path.join(crate_dir(), "Cargo.toml"))
    return match.group(1)


def cargo_build_library() -> str:
    """Runs the release build; returns the path of the soku cdylib cargo reports."""
    prebuilt = os.environ.get("SOKU_LIBRARY")
    if prebuilt:
        if not os.path.isfile(prebuilt):
            sys.exit("soku: SOKU_LIBRARY=%s: no such file" % prebuilt)
        return prebuilt
    folder = crate_dir()
    cargo = os.environ.get("CARGO", "cargo")
    if folder == SDIST_CRATE:
        extra = ["--locked", "--lib"]
    else:
        extra = shlex.split(os.environ.get("SOKU_CARGO_BUILD_ARGS", "-p soku-client -p soku-cli"))
    command = [cargo, "build", "--release", "--message-format=json-render-diagnostics", *extra]
    print("soku: running %s (in %s)" % (" ".join(command), folder), file=sys.stderr)
    try:
        proc = subprocess.run(command, cwd=folder, stdout=subprocess.PIPE, check=False)
    except FileNotFoundError:
        sys.exit("soku: cargo not found; install Rust (https://rustup.rs) to build this package")
    if proc.returncode != 0:
        sys.exit("soku: cargo build failed (exit status %d)" % proc.returncode)
    found = None
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if msg.get("reason") != "compiler-artifact":
            continue
        if msg["target"]["name"] == "soku" and "bin" in msg["target"]["kind"] and msg.get("executable"):
            CLI_BUILT["path"] = msg["executable"]
        if "cdylib" not in msg["target"]["kind"]:
            continue
        if msg["target"]["name"] != "soku":
            continue
        for path in msg.get("filenames", []):
            if os.path.basename(path) == LIBRARY:
                found = path
    if found is None:
        sys.exit("soku: cargo did not report %s" % LIBRARY)
    return found


class BuildPyWithLibrary(build_py):
    """``build_py`` that also copies the release library into the package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        library = cargo_build_library()
        dest = os.path.join(self.build_lib, "soku", LIBRARY)
        shutil.copyfile(library, dest)
        os.chmod(dest, 0o755)
        with open(os.path.join(self.build_lib, "soku", "_version.py"), "w", encoding="utf-8") as f:
            f.write(
                '"""The package version; always equal to the version of the soku library."""\n\n'
                '__version__ = "%s"\n' % crate_version()
            )
        bundle_cli(self.build_lib)


def bundle_cli(build_lib: str) -> None:
    """Copies the ``soku`` executable into the package as ``soku/_bin/soku`` (the console script
    ``soku`` and ``soku.testing`` run it): ``SOKU_CLI`` (the path of a built executable), else the
    one the cargo build reported. Without either the wheel has no executable (a warning says so)."""
    cli = os.environ.get("SOKU_CLI") or CLI_BUILT.get("path")
    if not cli:
        print(
            "soku: warning: no soku executable bundled (set SOKU_CLI, or add -p soku-cli to "
            "SOKU_CARGO_BUILD_ARGS): the console script and soku.testing will look on PATH",
            file=sys.stderr,
        )
        return
    if not os.path.isfile(cli):
        sys.exit("soku: SOKU_CLI=%s: no such file" % cli)
    os.makedirs(os.path.join(build_lib, "soku", "_bin"), exist_ok=True)
    dest = os.path.join(build_lib, "soku", "_bin", "soku")
    shutil.copyfile(cli, dest)
    os.chmod(dest, 0o755)
    print("soku: bundled %s as soku/_bin/soku" % cli, file=sys.stderr)


class BinaryDistribution(Distribution):
    """A distribution with a native part: installed to platlib, its wheel is not ``-any``."""

    def has_ext_modules(self) -> bool:
        return True


class PlatformWheel(bdist_wheel):
    """Wheel tagged ``py3-none-<platform>``: it carries a native library, not a CPython extension."""

    def get_tag(self) -> tuple[str, str, str]:
        _, _, platform = super().get_tag()
        return "py3", "none", platform


setup(
    version=crate_version(),
    distclass=BinaryDistribution,
    cmdclass={"build_py": BuildPyWithLibrary, "bdist_wheel": PlatformWheel},
)
