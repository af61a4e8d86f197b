"""The pytest plugin (registered through the ``pytest11`` entry point).

* ``recotap_mock_server`` (session scope): one ``recotap-mock`` binary per test run, or per
  pytest-xdist worker.
* ``recotap_mock`` (function scope): a fresh isolated session on it (its own team and API key,
  data, journal, faults, clock), deleted after the test; tests run in parallel without seeing
  each other.

When a test that used ``recotap_mock`` fails, the session's report (requests, client errors,
accounts written, faults fired) is added to the failure output as a section.
"""

from __future__ import annotations

from typing import Iterator

import pytest

from ._mock import RecotapMock

_SESSION_KEY = pytest.StashKey[RecotapMock]()


@pytest.fixture(scope="session")
def recotap_mock_server() -> Iterator[RecotapMock]:
    """One running recotap-mock for the whole run (per xdist worker)."""
    with RecotapMock() as server:
        yield server


@pytest.fixture
def recotap_mock(recotap_mock_server: RecotapMock, request: pytest.FixtureRequest) -> Iterator[RecotapMock]:
    """A fresh session on the shared mock: point the code under test at ``.base_url`` with
    ``.api_key``; seed, inspect and verify through it."""
    session = recotap_mock_server.session()
    request.node.stash[_SESSION_KEY] = session
    try:
        yield session
        # Expectations the test registered are checked, as a Rust session checks them on drop
        # (not when the test already failed: its own failure says more).
        call = getattr(request.node, "_recotap_mock_call_failed", False)
        if not call:
            session.verify()
    finally:
        session.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        item._recotap_mock_call_failed = True
    session = item.stash.get(_SESSION_KEY, None)
    if session is None or report.when != "call" or not report.failed or session.team is None:
        return
    try:
        text = session.report()
    except Exception as error:  # the report must never hide the test's own failure
        text = f"(the report could not be read: {error})"
    report.sections.append(("recotap-mock report", text))
