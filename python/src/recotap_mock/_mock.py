"""``RecotapMock``: a running recotap-mock (started here, or connected to) and its admin API
as plain methods. Standard library only (``urllib``)."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, List, Optional, Sequence

from ._binary import find_binary

Json = Any

_LISTENING = "recotap-mock listening on "


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

    Attributes: ``url`` (the root, ``http://127.0.0.1:PORT``), ``base_url`` (``url`` +
    ``/api/v1``, what the code under test is pointed at), ``api_key``, ``team`` (``None`` for
    the whole mock).
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
        self._admin_token = admin_token
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
        mock._admin_token = admin_token
        mock.url = url.rstrip("/")
        mock.api_key = api_key
        mock.team = None
        return mock

    def start(self, timeout: float = 30.0) -> "RecotapMock":
        """Starts the binary and waits for its listening line. Raises ``RecotapMockError``
        (status 0) with the binary's own words if it exits or stays silent for ``timeout``
        seconds."""
        # The binary reads every flag from RECOTAP_MOCK_<FLAG> too: a developer's exported
        # token, key or state file must not silently change a mock this handle configures.
        environment = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith("RECOTAP_MOCK_") or name == "RECOTAP_MOCK_BIN"
        }
        process = subprocess.Popen(
            self._command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
        )
        line: List[str] = []
        reader = threading.Thread(target=lambda: line.append(process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if not line or not line[0].startswith(_LISTENING):
            process.kill()
            _, errors = process.communicate(timeout=5)
            raise RecotapMockError(0, f"the binary did not start: {errors.strip() or 'no output'}", "START", " ".join(self._command))
        self._process = process
        # Keep draining the pipes so that the binary's logs can never fill them and block it.
        for stream in (process.stdout, process.stderr):
            threading.Thread(target=stream.read, daemon=True).start()
        self.url = line[0][len(_LISTENING):].strip()
        return self

    def stop(self) -> None:
        """Stops a mock this handle started (SIGTERM, then waits); does nothing otherwise."""
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None

    def __enter__(self) -> "RecotapMock":
        return self if self.url else self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def base_url(self) -> str:
        """The API's base URL, ``http://127.0.0.1:PORT/api/v1``."""
        return self.url + "/api/v1"

    # Plumbing ---------------------------------------------------------------------------------

    def _call(self, method: str, path: str, body: Json = None, *, query: Optional[Dict[str, Any]] = None, text: bool = False, scoped: bool = True) -> Json:
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
            with urllib.request.urlopen(request, timeout=30) as response:
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
        the newest N. Each entry: method, path, headers, body, status, response,
        customMessage, team, durationMs, fault, at."""
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
        """Replaces the whole state with a state document; invalid → 400, nothing changed."""
        self._call("PUT", "/_mock/state", document)

    def reset(self) -> None:
        """Back to the start: the whole mock (sessions included), or a session alone."""
        self._call("POST", "/_mock/reset")

    # Sessions ---------------------------------------------------------------------------------

    def session(self, *, frozen_clock: Optional[str] = None, id_seed: Optional[int] = None, profile: Optional[str] = None) -> "RecotapMock":
        """A new isolated session on this mock: a ``RecotapMock`` whose calls are all scoped to
        a fresh team with its own ``api_key`` (and its own clock, frozen at ``frozen_clock``,
        and id generator, seeded with ``id_seed``). Use it as a context manager, or call
        :meth:`close`, to delete it."""
        body = _drop_none({"frozenClock": frozen_clock, "idSeed": id_seed, "profile": profile})
        created = self._call("POST", "/_mock/sessions", body, scoped=False)
        session = RecotapMock.connect(self.url, api_key=created["apiKey"], admin_token=self._admin_token)
        session.team = created["team"]
        return session

    def close(self) -> None:
        """Deletes this session (its team, key, journal entries and faults); for a handle that
        is not a session, stops the mock it started."""
        if self.team is None:
            self.stop()
            return
        team, self.team = self.team, None
        self._call("DELETE", f"/_mock/sessions/{urllib.parse.quote(team, safe='')}")

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
