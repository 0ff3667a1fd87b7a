"""pytest fixtures for testing your integration offline, registered through the ``pytest11``
entry point of this distribution: installed with the package, no import needed.

* ``soku_sandbox``: a fresh :class:`soku.testing.Sandbox` per test, stopped after it (also
  when the test fails or is interrupted). Configure it with the marker
  ``@pytest.mark.soku_sandbox(limits={"posts": 2}, faults=[...])``: its keyword arguments go
  to :class:`soku.testing.Sandbox`.
* ``soku_sandbox_session``: one sandbox for the whole session (default configuration), for
  faster suites; it keeps state between tests, so call ``reset()`` where that matters.

``import soku`` never imports this module (nor pytest): pytest loads it.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator

import pytest

from .testing import Sandbox

__all__ = ["soku_sandbox", "soku_sandbox_session"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "soku_sandbox(**kwargs): keyword arguments of soku.testing.Sandbox for the soku_sandbox "
        "fixture (limits=, faults=, rate_limits=, window=, accounts=, credits=, ...)",
    )


@pytest.fixture
def soku_sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A sandbox for one test (see :class:`soku.testing.Sandbox`)."""
    kwargs: Dict[str, Any] = {}
    marker = request.node.get_closest_marker("soku_sandbox")
    if marker is not None:
        kwargs.update(marker.kwargs)
    with Sandbox(**kwargs) as sb:
        yield sb


@pytest.fixture(scope="session")
def soku_sandbox_session() -> Iterator[Sandbox]:
    """One sandbox for the test session (see :class:`soku.testing.Sandbox`)."""
    with Sandbox() as sb:
        yield sb
