"""The ``soku`` console script: runs the ``soku`` executable this package carries
(``soku/_bin/soku``) with the same arguments, in place of this Python process (``execv``), so
signals, exit status, stdin and stdout are the executable's own."""

from __future__ import annotations

import os
import sys
from typing import NoReturn


def binary() -> str:
    """The path of the bundled executable."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "_bin", "soku")


def main() -> NoReturn:
    path = binary()
    if not os.path.isfile(path):
        sys.stderr.write(
            "soku: this installation carries no soku executable (%s): an sdist build has only "
            "the library; install the CLI with `cargo install soku-cli`\n" % path
        )
        sys.exit(127)
    os.execv(path, [path, *sys.argv[1:]])
