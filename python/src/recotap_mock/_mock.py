"""``RecotapMock``: a running recotap-mock (started here, or connected to) and its admin API
as plain methods. Standard library only (``urllib``)."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, List, Optional, Sequence

from ._binary import find_binary
from ._process import _Pipe, _signal, _spawn

Json = Any

_LISTENING = "recotap-mock listening on "

# Every call this package makes to a mock goes through this opener, which uses no proxy
# whatever HTTP_PROXY, http_proxy or ALL_PROXY say: a mock is on loopback (or a test network),
# and a proxy would either not reach it or answer in its place. NO_PROXY is not needed.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))

# How much of what the binary wrote to stderr is kept for the error of a start that failed.
_STDERR_KEPT = 64 * 1024


class RecotapMockError(Exception):
    """The admin API refused a call. ``status`` is the HTTP status, ``message`` the admin API's
    ``error`` text (or the response body when it has none)."""

    def __init__(self, status: int, message: str, method: str, path: str) -> None:
        super().__init__(f"{method} {path} → {status}: {message}")
        self.status = status
        self.message = message


def _drop_none(fields: Dict[str, Any]) -> Dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}


class RecotapMock:
    """A recotap-mock server and its admin API.

    ``RecotapMock()`` starts the bundled binary on a free loopback port when used as a context
    manager (or with :meth:`start`) and stops it on exit; ``RecotapMock.connect(url)`` talks to
    one already running. A session (:meth:`session`) is a ``RecotapMock`` bound to one isolated
    team: every call it makes is scoped to that team.

    Attributes: ``url`` (the root, ``http://127.0.0.1:PORT``, where the admin API is),
    ``base_url`` (what the code under test is pointed at: ``url`` + ``/api/v1``, or a
    session's own ``url`` + ``/s/<team>/api/v1``), ``api_key``, ``team`` (``None`` for the
    whole mock).

    Calls to the mock never go through a proxy, whatever ``HTTP_PROXY`` says.
    """

    def __init__(
        self,
        *,
        api_key: Optional[str] = None,
        seed: Optional[str] = None,
        args: Sequence[str] = (),
        binary: Optional[str] = None,
        admin_token: Optional[str] = None,
    ) -> None:
        """Configures a mock to start: ``api_key`` (default ``test-api-key``), ``seed`` (a state
        document file), extra command-line ``args``, the ``binary`` to run (default: the one
        installed with this package), an ``admin_token``."""
        self._command = [binary or find_binary(), "--port", "0"]
        if api_key is not None:
            self._command += ["--api-key", api_key]
        if seed is not None:
            self._command += ["--seed", str(seed)]
        if admin_token is not None:
            self._command += ["--admin-token", admin_token]
        self._command += list(args)
        self._process: Optional[subprocess.Popen] = None
        self._group = False
        self._admin_token = admin_token
        self._base_url: Optional[str] = None
        self._closed = False
        self.url = ""
        self.api_key = api_key or "test-api-key"
        self.team: Optional[str] = None

    # Life cycle -------------------------------------------------------------------------------

    @classmethod
    def connect(cls, url: str, *, api_key: str = "test-api-key", admin_token: Optional[str] = None) -> "RecotapMock":
        """A handle on a mock already running at ``url`` (``http://HOST:PORT``); nothing is
        started or stopped."""
        mock = cls.__new__(cls)
        mock._command = []
        mock._process = None
        mock._group = False
        mock._admin_token = admin_token
        mock._base_url = None
        mock._closed = False
        mock.url = url.rstrip("/")
        mock.api_key = api_key
        mock.team = None
        return mock

    def start(self, timeout: float = 30.0) -> "RecotapMock":
        """Starts the binary and waits up to ``timeout`` seconds for its listening line;
        returns this handle. Raises ``RecotapMockError`` (status 0, method ``START``) with the
        binary's own words when it exits, prints something else first or stays silent for
        ``timeout`` seconds; the binary (on Linux, with whatever it started) has been killed
        by then. Raises ``OSError`` when the binary cannot be executed.

        On Linux the binary gets SIGTERM when this Python process dies, however it dies."""
        # The binary reads every flag from RECOTAP_MOCK_<FLAG> too: a developer's exported
        # token, key or state file must not silently change a mock this handle configures.
        environment = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith("RECOTAP_MOCK_") or name == "RECOTAP_MOCK_BIN"
        }
        process, group = _spawn(self._command, environment)
        stdout = _Pipe(process.stdout, keep=0)  # type: ignore[arg-type]
        stderr = _Pipe(process.stderr, keep=_STDERR_KEPT)  # type: ignore[arg-type]
        deadline = time.monotonic() + timeout
        while not stdout.line_read.wait(0.05):
            if process.poll() is not None or time.monotonic() >= deadline:
                break
        line = (stdout.first_line or b"").decode(errors="replace")
        if line.startswith(_LISTENING):
            self._process, self._group = process, group
            self.url = line[len(_LISTENING):].strip()
            return self
        if stdout.first_line == b"":  # its stdout ended: it is exiting, if it has not yet
            try:
                process.wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
        status = process.returncode
        _signal(process, group, kill=True)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # not reaped yet; SIGKILL has been sent all the same
            pass
        if line:
            why = f"it printed {line.strip()!r} instead of {_LISTENING.strip()!r}"
        elif status is not None and status >= 0:
            why = f"it exited with status {status}"
        elif status is not None:
            why = f"it was killed by signal {-status}"
        else:
            why = f"no listening line within {timeout:g} s"
        errors = stderr.text(wait=1.0).strip()
        said = f": {errors}" if errors else " (nothing on stderr)"
        raise RecotapMockError(0, f"the binary did not start: {why}{said}", "START", " ".join(self._command))

    def stop(self) -> None:
        """Stops a mock this handle started (SIGTERM, then SIGKILL after 10 seconds; to its
        whole process group on Linux) and waits for it; does nothing otherwise."""
        process, self._process = self._process, None
        if process is None:
            return
        _signal(process, self._group, kill=False)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _signal(process, self._group, kill=True)
            process.wait()

    def __enter__(self) -> "RecotapMock":
        return self if self.url else self.start()

    def __exit__(self, exc_type: object, *exc: object) -> None:
        # A session leaving a `with` block is verified, as a Rust session is on drop, unless
        # the block is already failing (its own error says more).
        self.close(verify=exc_type is None)

    @property
    def base_url(self) -> str:
        """The API's base URL, what the code under test is pointed at: for a session, its own
        (``http://127.0.0.1:PORT/s/<team>/api/v1``, as the mock answered when it created the
        session: every request under it is the session's whatever key it carries); otherwise
        ``http://127.0.0.1:PORT/api/v1``."""
        return self._base_url or self.url + "/api/v1"

    # Plumbing ---------------------------------------------------------------------------------

    def _call(self, method: str, path: str, body: Json = None, *, query: Optional[Dict[str, Any]] = None, text: bool = False, scoped: bool = True) -> Json:
        if self._closed:
            raise RecotapMockError(0, f"session {self.team} is closed: its team is deleted, so this call would act on nothing (or, unscoped, on the whole mock); use a new session", method, path)
        params = _drop_none(dict(query or {}))
        if scoped and self.team is not None:
            params.setdefault("team", self.team)
        target = path + ("?" + urllib.parse.urlencode(params) if params else "")
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"}
        if self._admin_token:
            headers["Authorization"] = f"Bearer {self._admin_token}"
        request = urllib.request.Request(self.url + target, data=data, method=method, headers=headers)
        try:
            with _OPENER.open(request, timeout=30) as response:
                raw = response.read().decode()
                status = response.status
        except urllib.error.HTTPError as error:
            raw = error.read().decode()
            status = error.code
            if status == 409 and path == "/_mock/verify":
                return json.loads(raw)
            try:
                message = json.loads(raw).get("error", raw)
            except (ValueError, AttributeError):
                message = raw
            raise RecotapMockError(status, message, method, target) from None
        if text:
            return raw
        return json.loads(raw) if raw else None

    # Seeding ----------------------------------------------------------------------------------

    def add_custom_field(self, label: str, label_type: str, *, description: Optional[str] = None, options: Optional[List[str]] = None, status: Optional[str] = None, key: Optional[str] = None) -> Json:
        """Adds an account custom field; returns it (``key`` derived from ``label`` unless given).
        ``label_type``: ``singleLineText``, ``multiLineText``, ``singleSelection``,
        ``multiSelection``, ``number`` or ``date``. An active field with the key → 409."""
        body = _drop_none({"label": label, "labelType": label_type, "description": description, "options": options, "status": status, "key": key})
        return self._call("POST", "/_mock/custom-fields", body)

    def add_segment(self, name: str, *, segment_id: Optional[str] = None, type: Optional[str] = None, status: Optional[str] = None, members: Optional[List[str]] = None) -> Json:
        """Adds a segment (``type`` ``static``/``dynamic``, ``status``
        ``active``/``draft``/``archived``; id generated unless ``segment_id``); returns it."""
        body = _drop_none({"name": name, "segmentId": segment_id, "type": type, "status": status, "members": members})
        return self._call("POST", "/_mock/segments", body)

    def add_account(self, domain: str, name: str, *, external_id: Optional[str] = None, short_name: Optional[str] = None, linkedin_url: Optional[str] = None, tags: Optional[List[str]] = None, custom_fields: Optional[Dict[str, Json]] = None, rtp_aid: Optional[str] = None, **vendor: Json) -> Json:
        """Adds an account (domain cleaned); returns it as stored. ``vendor`` takes the ``rtp_``
        fields (``rtp_account_score=78``, ``rtp_journey_stage="Aware"``). A taken domain → 409."""
        body = _drop_none({"domain": domain, "name": name, "externalId": external_id, "shortName": short_name, "linkedinUrl": linkedin_url, "tags": tags, "customFields": custom_fields, "rtp_aid": rtp_aid})
        body.update(vendor)
        return self._call("POST", "/_mock/accounts", body)

    def add_api_key(self, key: Optional[str] = None, *, team: Optional[str] = None, user: Optional[str] = None) -> Json:
        """Issues an API key (generated unless given) to ``team``; a user's new key revokes the
        old. Returns ``{"key", "team"}``; a known key → 409."""
        return self._call("POST", "/_mock/keys", _drop_none({"key": key, "team": team, "user": user}))

    def set_scores(self, domain: str, **fields: Json) -> Json:
        """Sets the vendor fields (``rtp_account_score=78``, ``rtp_journey_stage=...``) of the
        account with ``domain`` (cleaned, as the API cleans it); returns the account. No such
        account → ``RecotapMockError`` 404."""
        account = self.account_by_domain(domain)
        if account is None:
            raise RecotapMockError(404, f"No account with domain '{domain}'", "PATCH", "/_mock/accounts")
        return self._call("PATCH", f"/_mock/accounts/{urllib.parse.quote(account['rtp_aid'], safe='')}", fields)

    # Inspection -------------------------------------------------------------------------------

    def accounts(self) -> List[Json]:
        """Every account of the team, all fields, in id order."""
        return self._call("GET", "/_mock/accounts")

    def account_by_domain(self, domain: str) -> Optional[Json]:
        """The account whose domain matches ``domain`` once cleaned (``"https://www.Acme.com/"``
        finds ``acme.com``), or ``None``."""
        found = self._call("GET", "/_mock/accounts", query={"domain": domain})
        return found[0] if found else None

    def account(self, rtp_aid: str) -> Optional[Json]:
        """The account with id ``rtp_aid``, or ``None``."""
        return next((a for a in self.accounts() if a["rtp_aid"] == rtp_aid), None)

    def segment(self, segment_id: str) -> Json:
        """The segment with its ``members``; unknown → ``RecotapMockError`` 404."""
        return self._call("GET", f"/_mock/segments/{urllib.parse.quote(segment_id, safe='')}")

    def segment_members(self, segment_id: str) -> List[str]:
        """The ids of a segment's members, in the order they joined."""
        return self.segment(segment_id)["members"]

    def custom_fields(self) -> List[Json]:
        """The team's custom fields, inactive ones included, in creation order."""
        return self._call("GET", "/_mock/custom-fields")

    def deals(self) -> List[Json]:
        """Every deal of the team, in the order first pushed."""
        return self._call("GET", "/_mock/deals")

    def pipelines(self) -> List[Json]:
        """Every deal pipeline of the team."""
        return self._call("GET", "/_mock/pipelines")

    def activities(self) -> List[Json]:
        """Every sales activity of the team."""
        return self._call("GET", "/_mock/activities")

    def requests(self, *, method: Optional[str] = None, path: Optional[str] = None, status: Optional[str] = None, since: Optional[str] = None, limit: Optional[int] = None) -> List[Json]:
        """The journal (the team's, for a session), oldest first, filtered: ``path`` exact or
        ``prefix*``, ``status`` ``"404"`` or ``"4xx"``, ``since`` an ISO 8601 instant, ``limit``
        the newest N. Each entry: seq, method, path, headers, body, status, at, team,
        response, customMessage, durationMs, fault, prefix (``/s/<team>`` when it arrived under
        a session's own base URL), note (why it may not have been read as meant)."""
        query = {"method": method, "path": path, "status": status, "since": since, "limit": limit}
        return self._call("GET", "/_mock/requests", query=query)

    def clear_requests(self) -> None:
        """Empties the journal (the team's, for a session)."""
        self._call("DELETE", "/_mock/requests")

    # Faults and clock -------------------------------------------------------------------------

    def add_fault(self, kind: str, *, status: Optional[int] = None, body: Json = None, headers: Optional[Dict[str, str]] = None, retry_after: Optional[int] = None, delay_ms: Optional[int] = None, method: Optional[str] = None, path: Optional[str] = None, times: Optional[int] = None, after: Optional[int] = None, probability: Optional[float] = None, seed: Optional[int] = None, apply: Optional[bool] = None) -> int:
        """Adds a fault (``kind``: ``status``, ``rateLimit``, ``delay``, ``hang``, ``reset``,
        ``malformed``), matched by ``method`` and ``path`` (``prefix*``); a session's faults hit
        only its requests. ``headers`` (a ``status`` fault's) are added to its answer. Returns
        the fault's id."""
        match = _drop_none({"method": method, "path": path})
        fault = _drop_none({"kind": kind, "status": status, "body": body, "headers": headers, "retryAfter": retry_after, "delayMs": delay_ms, "match": match or None, "times": times, "after": after, "probability": probability, "seed": seed, "apply": apply})
        return self._call("POST", "/_mock/faults", fault)["id"]

    def faults(self) -> List[Json]:
        """The faults with uses left, with ``remaining`` and ``hits``."""
        return self._call("GET", "/_mock/faults")

    def clear_faults(self) -> None:
        """Removes every fault (the team's, for a session)."""
        self._call("DELETE", "/_mock/faults")

    def freeze_clock(self, now: str) -> str:
        """Freezes the clock (the session's own, for a session) at an ISO 8601 instant."""
        return self._call("POST", "/_mock/clock", {"now": now})["now"]

    def advance_clock(self, ms: int) -> str:
        """Moves the clock forward by ``ms`` milliseconds (a real clock becomes frozen)."""
        return self._call("POST", "/_mock/clock", {"advanceMs": ms})["now"]

    def unfreeze_clock(self) -> str:
        """Returns the clock to real time."""
        return self._call("POST", "/_mock/clock", {"real": True})["now"]

    # State ------------------------------------------------------------------------------------

    def set_profile(self, profile: str) -> str:
        """Chooses the profile (``documented`` or ``sandbox``: what the live sandbox was seen to
        do) of the session, or of the whole mock; returns it."""
        return self._call("POST", "/_mock/profile", {"profile": profile})["profile"]

    def state(self) -> Json:
        """The whole state document (every team)."""
        return self._call("GET", "/_mock/state", scoped=False)

    def restore(self, document: Json) -> None:
        """Replaces the whole state with a state document; invalid → 400, nothing changed.
        Raises ``RecotapMockError`` on a session: a restore replaces the whole mock, every
        session included, so it is the mock's call, not a session's."""
        if self.team is not None:
            raise RecotapMockError(0, "restore replaces the whole mock (every session included): call it on the mock, not on a session", "PUT", "/_mock/state")
        self._call("PUT", "/_mock/state", document)

    def reset(self) -> None:
        """Back to the start: the whole mock (sessions included), or a session alone."""
        self._call("POST", "/_mock/reset")

    # Sessions ---------------------------------------------------------------------------------

    def session(self, *, frozen_clock: Optional[str] = None, id_seed: Optional[int] = None, profile: Optional[str] = None) -> "RecotapMock":
        """A new isolated session on this mock: a ``RecotapMock`` whose calls are all scoped to
        a fresh team with its own ``api_key`` (and its own clock, frozen at ``frozen_clock``,
        and id generator, seeded with ``id_seed``), served at its own ``base_url``. Use it as a
        context manager, or call :meth:`close`, to delete it. Raises ``RecotapMockError`` when
        the admin API refuses."""
        body = _drop_none({"frozenClock": frozen_clock, "idSeed": id_seed, "profile": profile})
        created = self._call("POST", "/_mock/sessions", body, scoped=False)
        session = RecotapMock.connect(self.url, api_key=created["apiKey"], admin_token=self._admin_token)
        session.team = created["team"]
        # A mock older than the sessions' own base URLs answers none: the key alone routes.
        session._base_url = created.get("baseUrl")
        return session

    @property
    def closed(self) -> bool:
        """Whether this session was closed (its team deleted); every call then raises."""
        return self._closed

    def close(self, verify: bool = True) -> None:
        """For a session: checks its expectations (unless ``verify`` is false: an unmet one
        raises ``AssertionError``), then deletes it (its team, key, journal entries, faults),
        whatever the check said; every later call on this handle raises ``RecotapMockError``
        (it must never act on the whole mock instead). Closing twice does nothing. For a
        handle that is not a session, stops the mock it started."""
        if self.team is None:
            self.stop()
            return
        if self._closed:
            return
        try:
            if verify:
                self.verify()
        finally:
            self._call("DELETE", f"/_mock/sessions/{urllib.parse.quote(self.team, safe='')}", scoped=False)
            self._closed = True

    # Verification -----------------------------------------------------------------------------

    def expect(self, *, method: Optional[str] = None, path: Optional[str] = None, times: Optional[int] = None, at_least: Optional[int] = None, at_most: Optional[int] = None) -> int:
        """Expects requests (``path`` exact or ``prefix*``) ``times`` times (or ``at_least`` /
        ``at_most``; at least once by default); :meth:`verify` checks. Returns the id."""
        body = _drop_none({"method": method, "path": path, "times": times, "atLeast": at_least, "atMost": at_most})
        return self._call("POST", "/_mock/expectations", body)["id"]

    def clear_expectations(self) -> None:
        """Removes the expectations (the session's, for a session)."""
        self._call("DELETE", "/_mock/expectations")

    def verify(self) -> None:
        """Raises ``AssertionError`` with what was expected, what arrived and what to check, if
        an expectation does not hold."""
        verdict = self._call("GET", "/_mock/verify")
        if not verdict.get("ok"):
            raise AssertionError("recotap-mock: expectations not met:\n" + verdict["report"])

    def assert_no_client_errors(self) -> None:
        """Raises ``AssertionError`` listing every 4xx the code under test got (with the rule
        behind it) and every ``failed`` item inside a ``200`` batch, if there was any."""
        errors = self._call("GET", "/_mock/client-errors")
        if errors:
            lines = "\n  ".join(errors)
            raise AssertionError(f"recotap-mock: the code under test got {len(errors)} client error(s):\n  {lines}")

    def report(self) -> str:
        """A plain-text summary: requests by endpoint and status, client errors, accounts
        written, faults that fired."""
        return self._call("GET", "/_mock/report", text=True)

    def __repr__(self) -> str:
        scope = f", team={self.team!r}" if self.team else ""
        return f"RecotapMock(url={self.url!r}{scope})"
