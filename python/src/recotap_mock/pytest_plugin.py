"""The pytest plugin (registered through the ``pytest11`` entry point).

* ``recotap_mock_server`` (session scope): one ``recotap-mock`` binary per test run, or per
  pytest-xdist worker.
* ``recotap_mock`` (function scope): a fresh isolated session on it (its own team and API key,
  data, journal, faults, clock), deleted after the test; tests run in parallel without seeing
  each other.

The server is configured in the pytest configuration (``pytest.ini``, ``pyproject.toml``'s
``[tool.pytest.ini_options]``, ...):

* ``recotap_mock_binary``: the binary to run (default: ``RECOTAP_MOCK_BIN``, else the one
  installed with this package);
* ``recotap_mock_profile``: ``documented`` (default) or ``sandbox``;
* ``recotap_mock_args``: more command-line flags, as a shell would split them
  (``--rate-limit 50 --cors``).

When a test that used ``recotap_mock`` passes, the expectations it registered are verified
at teardown (an unmet one is a teardown error); a test that failed, was skipped, or was marked
xfail is reported once, as pytest reports it. When it fails, the session's report (requests,
client errors, accounts written, faults fired) is added to the failure output as a section.
"""

from __future__ import annotations

from typing import Iterator

import pytest

from ._mock import RecotapMock

_SESSION_KEY = pytest.StashKey[RecotapMock]()
# Whether the test's call phase passed as a plain pass: set when its report is made.
_CALL_PASSED_KEY = pytest.StashKey[bool]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("recotap_mock_binary", "the recotap-mock binary the server fixture runs (default: RECOTAP_MOCK_BIN, else the installed one)", default="")
    parser.addini("recotap_mock_profile", "the server's profile: documented (default) or sandbox", default="")
    parser.addini("recotap_mock_args", "more command-line flags for the server, split as a shell splits them", type="args", default=[])


@pytest.fixture(scope="session")
def recotap_mock_server(pytestconfig: pytest.Config) -> Iterator[RecotapMock]:
    """One running recotap-mock for the whole run (per xdist worker), configured by the
    ``recotap_mock_binary``, ``recotap_mock_profile`` and ``recotap_mock_args`` settings."""
    args = list(pytestconfig.getini("recotap_mock_args"))
    profile = pytestconfig.getini("recotap_mock_profile")
    if profile:
        args += ["--profile", profile]
    binary = pytestconfig.getini("recotap_mock_binary") or None
    with RecotapMock(binary=binary, args=args) as server:
        yield server


@pytest.fixture
def recotap_mock(recotap_mock_server: RecotapMock, request: pytest.FixtureRequest) -> Iterator[RecotapMock]:
    """A fresh session on the shared mock: point the code under test at ``.base_url`` with
    ``.api_key``; seed, inspect and verify through it.

    At teardown the expectations the test registered are verified (an unmet one is an error
    of the test's teardown), as a Rust session verifies them on drop, but only after a test
    that passed: a test that failed, was skipped, or was expected to fail (xfail, xpass) is
    reported once, as pytest reports it, whatever it expected."""
    session = recotap_mock_server.session()
    request.node.stash[_SESSION_KEY] = session
    try:
        yield session
        # A test that closed its session itself had it verified then.
        if request.node.stash.get(_CALL_PASSED_KEY, False) and not session.closed:
            session.verify()
    finally:
        session.close(verify=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when != "call":
        return
    item.stash[_CALL_PASSED_KEY] = report.passed and not hasattr(report, "wasxfail")
    session = item.stash.get(_SESSION_KEY, None)
    if session is None or not report.failed or session.closed:
        return
    try:
        text = session.report()
    except Exception as error:  # the report must never hide the test's own failure
        text = f"(the report could not be read: {error})"
    report.sections.append(("recotap-mock report", text))
