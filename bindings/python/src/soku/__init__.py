"""``soku``: a Python client for the Soku social-publishing API.

A thin, typed layer over the native ``soku`` library (the C ABI of the Rust crate), loaded
with :mod:`ctypes`: no compiler needed. Retries with backoff, idempotency keys, rate-limit
pacing and the workflows all run in the native library.

Example::

    import soku

    with soku.Client() as client:            # SOKU_API_KEY, SOKU_BASE_URL
        sub = client.create_post(text="Hello", platforms=["x", "threads"])
        print(sub.post_submission_id, sub.meta.request_id)

The native library is found through ``SOKU_LIB`` (a path to ``libsoku.so``), else the copy
the wheel carries in this package's folder, else (a checkout, an editable install) a cargo
``target/`` directory; importing ``soku`` does not load it.

Logging: the library's events (each HTTP attempt, each wait before a retry, each 429, each post
of a batch) go to ``logging.getLogger("soku")``; nothing is printed unless the application
configures logging, or ``SOKU_LOG=debug`` / ``SOKU_LOG=info`` is set (a stderr handler, for
scripts). See :mod:`soku._events`.
"""

from . import errors as _errors
from . import _events
from ._client import Client
from . import _models
from ._meta import Meta, RateLimit
from ._models import *  # noqa: F401,F403  (the typed results; see soku._models.__all__)
from ._version import __version__
from .errors import *  # noqa: F401,F403  (the exception hierarchy; see soku.errors.__all__)

__all__ = ["__version__", "library_version", "library_path", "Client", "Meta", "RateLimit"]
__all__ += _models.__all__
__all__ += _errors.__all__

_events.install_env_handler()  # SOKU_LOG=debug|info: a stderr handler, for scripts


def library_version() -> str:
    """The version reported by the native library (loads it; see :func:`library_path`)."""
    from . import _lib

    return _lib.load().version()


def library_path() -> str:
    """The path of the native library this process loaded (loads it on first call)."""
    from . import _lib

    return _lib.load().path
