"""Build hooks that put the native library into the wheel (the metadata is in pyproject.toml).

``pip install ./bindings/python`` and ``pip wheel ./bindings/python`` run, from the cargo
workspace two folders up::

    cargo build --release --message-format=json-render-diagnostics $SOKU_CARGO_BUILD_ARGS

(``SOKU_CARGO_BUILD_ARGS`` defaults to ``-p soku -p soku-cli``), copy the ``cdylib`` cargo reports
into the package as ``soku/libsoku.so`` (``libsoku.dylib`` on macOS), the ``soku`` executable
(``SOKU_CLI``, else the one cargo reports) as ``soku/_bin/soku``, and tag the wheel
``py3-none-<platform>``: the library is loaded with ctypes, so any Python 3 of that platform can
use it, but no other platform can.

Cargo decides freshness per invocation: a build with other ``-p`` packages or other flags than an
earlier one may link the library again. To reuse a release build made by another command (CI
builds ``-p soku -p soku-bench -p soku-sandbox -p soku-cli`` once), pass the same packages in
``SOKU_CARGO_BUILD_ARGS``; ``CARGO_TARGET_DIR`` is honoured by cargo itself.

An editable install (``pip install -e``) builds nothing: the package then finds the library in
the checkout's ``target/`` folders.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys

from setuptools import Distribution, setup
from setuptools.command.bdist_wheel import bdist_wheel
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
WORKSPACE = os.path.dirname(os.path.dirname(HERE))
LIBRARY = "libsoku.dylib" if sys.platform == "darwin" else "libsoku.so"
# The `soku` executable (the CLI, which also runs the offline sandbox for ``soku.testing``), when
# the cargo build below reports it (``-p soku-cli`` in SOKU_CARGO_BUILD_ARGS).
CLI_BUILT = {}


def cargo_build_library() -> str:
    """Runs the release build; returns the path of the soku cdylib cargo reports."""
    manifest = os.path.join(WORKSPACE, "Cargo.toml")
    if not os.path.isfile(manifest):
        sys.exit("soku: %s not found; build the wheel from a checkout of the repository" % manifest)
    cargo = os.environ.get("CARGO", "cargo")
    extra = shlex.split(os.environ.get("SOKU_CARGO_BUILD_ARGS", "-p soku -p soku-cli"))
    command = [cargo, "build", "--release", "--message-format=json-render-diagnostics", *extra]
    print("soku: running %s" % " ".join(command), file=sys.stderr)
    try:
        proc = subprocess.run(command, cwd=WORKSPACE, stdout=subprocess.PIPE, check=False)
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
    distclass=BinaryDistribution,
    cmdclass={"build_py": BuildPyWithLibrary, "bdist_wheel": PlatformWheel},
)
