"""The emulator's answers conform to its OpenAPI document (openapi/recotap-v1.json).

Starts the `recotap-mock` binary (path from RECOTAP_MOCK_BIN, default target/debug/recotap-mock
under the repository root), once per profile (`documented`, `sandbox`), replays requests that
reach every endpoint's success and every kind of error (validation, malformed JSON or
compressed body, business, 401, 404, 409, 413, 415, 429, 431, faults of 200 to 599), and
validates each answer (status, documented headers, body) with openapi-core against the
document as that profile reads it: the document describes both profiles, and where they differ a
schema carries `x-recotap-profiles` (see the document's description), which `specialize` folds
in. Then generates a client from the document with openapi-python-client and calls the mock
with it.

Run: pip install -r python/tests/requirements-openapi.txt; cargo build; pytest python/tests
"""

import gzip
import http.client
import importlib
import json
import os
import shutil
import subprocess
import sys
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import pytest
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from openapi_schema_validator import OAS31Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

REPO = Path(__file__).resolve().parents[2]
DOCUMENT_PATH = REPO / "openapi" / "recotap-v1.json"
DOCUMENT = json.loads(DOCUMENT_PATH.read_text())
PROFILES = ("documented", "sandbox")
KEY = "test-api-key"
JSON_UTF8 = "application/json; charset=utf-8"
MISSING_ID = "ffffffffffffffffffffffff"


# The cases replay one mock's traffic in order (later cases read what earlier ones wrote): the
# module fixture `replayed` sends them all, in order, on each pytest-xdist worker that runs any.

# --------------------------------------------------------------------------------------------
# The binary
# --------------------------------------------------------------------------------------------


def binary() -> Path:
    """The binary under test: RECOTAP_MOCK_BIN, else the one the installed package bundles,
    else the debug build. Missing is a failure in CI, a skip elsewhere."""
    explicit = os.environ.get("RECOTAP_MOCK_BIN")
    if explicit:
        path = Path(explicit)
    else:
        try:
            from recotap_mock import find_binary

            path = Path(find_binary())
        except (ImportError, FileNotFoundError):
            path = Path("target/debug/recotap-mock")
    path = path if path.is_absolute() else REPO / path
    if not path.exists():
        message = f"no recotap-mock binary at {path} (cargo build, or set RECOTAP_MOCK_BIN)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def specialize(node: Any, profile: str) -> Any:
    """The document (or any part of it) as `profile` reads it: every schema that carries
    `x-recotap-profiles` becomes `{"allOf": [the schema without it, its entry for profile]}`.
    Each profile's reading is stricter than the document, which holds under both."""
    if isinstance(node, list):
        return [specialize(item, profile) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: specialize(value, profile) for key, value in node.items() if key != "x-recotap-profiles"}
    extra = node.get("x-recotap-profiles", {}).get(profile)
    return {"allOf": [out, specialize(extra, profile)]} if extra is not None else out


PROFILE_DOCUMENTS = {profile: specialize(DOCUMENT, profile) for profile in PROFILES}
SPECS = {profile: OpenAPI.from_dict(document) for profile, document in PROFILE_DOCUMENTS.items()}


class Mock:
    """One running binary, stopped by `stop`."""

    profile = "documented"

    def __init__(self, *flags: str):
        self.process = subprocess.Popen(
            [str(binary()), "--port", "0", *flags],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = self.process.stdout.readline().strip()
        prefix = "recotap-mock listening on "
        if not line.startswith(prefix):
            self.stop()
            raise RuntimeError(f"unexpected first line from the binary: {line!r}")
        self.root = line[len(prefix):]
        parsed = urllib.parse.urlsplit(self.root)
        self.host, self.port = parsed.hostname, parsed.port

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def exchange(self, method: str, target: str, body: Optional[bytes] = None,
                 headers: Optional[dict] = None, chunked_with_length: bool = False):
        """Sends one request on a fresh connection; returns (status, headers with lower-case
        names, body)."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=20)
        try:
            if chunked_with_length:
                # Both framings at once, which the mock refuses (hand-written: http.client
                # would not send such a head).
                connection.putrequest(method, target, skip_accept_encoding=True)
                for name, value in (headers or {}).items():
                    connection.putheader(name, value)
                connection.putheader("Content-Length", str(len(body)))
                connection.putheader("Transfer-Encoding", "chunked")
                connection.endheaders()
                connection.send(b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
            else:
                connection.request(method, target, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()

    def admin(self, method: str, path: str, body: Any = None):
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data is not None else {}
        status, _, text = self.exchange(method, path, data, headers)
        assert status < 300, f"admin {method} {path}: {status} {text!r}"
        return json.loads(text) if text else None


@pytest.fixture(scope="module", params=PROFILES)
def mock(request):
    running = Mock("--max-body-bytes", "65536", "--profile", request.param)
    running.profile = request.param
    try:
        running.ctx = seed(running)
        yield running
    finally:
        running.stop()


def seed(mock: Mock) -> dict:
    """Custom fields, segments of every kind and two accounts; returns what the cases use."""
    mock.admin("POST", "/_mock/reset")
    mock.admin("POST", "/_mock/custom-fields", {"label": "Contract Value", "labelType": "number"})
    mock.admin("POST", "/_mock/custom-fields",
               {"label": "CRM Stage", "labelType": "singleSelection", "options": ["POC", "Won"]})
    mock.admin("POST", "/_mock/custom-fields", {"label": "Renewal Date", "labelType": "date"})
    mock.admin("POST", "/_mock/segments", {"segmentId": "seg-001", "name": "Q2 Target Accounts"})
    mock.admin("POST", "/_mock/segments", {"segmentId": "seg-002", "name": "Q3", "status": "draft"})
    mock.admin("POST", "/_mock/segments", {"segmentId": "seg-old", "name": "Old", "status": "archived"})
    mock.admin("POST", "/_mock/segments", {"segmentId": "seg-dyn", "name": "Dynamic", "type": "dynamic"})
    acme = mock.admin("POST", "/_mock/accounts", {"domain": "acme.com", "name": "Acme Corp"})
    globex = mock.admin("POST", "/_mock/accounts", {"domain": "globex.com", "name": "Globex",
                                                    "externalId": "crm-002"})
    mock.admin("PATCH", f"/_mock/accounts/{acme['rtp_aid']}",
               {"rtp_account_score": 78, "rtp_journey_stage": "Consideration"})
    # A score the vendor has not computed is served as null.
    mock.admin("PATCH", f"/_mock/accounts/{globex['rtp_aid']}",
               {"rtp_account_score": None, "rtp_bombora_intent_score": 12.5})
    return {"acme": acme["rtp_aid"], "globex": globex["rtp_aid"]}


# --------------------------------------------------------------------------------------------
# Validation against the document
# --------------------------------------------------------------------------------------------

REGISTRIES = {
    profile: Registry().with_resource("urn:recotap-v1", Resource(contents=document, specification=DRAFT202012))
    for profile, document in PROFILE_DOCUMENTS.items()
}


def validate_against_component(response_name: str, body: bytes, profile: str) -> None:
    """Validates a body against `components/responses/<name>` as `profile` reads it (for answers
    to paths the document has no operation for: the route 404)."""
    pointer = f"urn:recotap-v1#/components/responses/{response_name}/content/application~1json/schema"
    validator = OAS31Validator({"$ref": pointer}, registry=REGISTRIES[profile],
                               format_checker=OAS31Validator.FORMAT_CHECKER)
    validator.validate(json.loads(body))


def openapi_request(mock: Mock, method: str, target: str, body: Optional[bytes], headers: dict):
    split = urllib.parse.urlsplit(target)
    query = dict(urllib.parse.parse_qsl(split.query, keep_blank_values=True))
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    return MockRequest(mock.root, method, split.path, args=query, headers=headers,
                       data=body, content_type=content_type)


def validate_exchange(mock: Mock, method: str, target: str, body: Optional[bytes], headers: dict,
                      status: int, response_headers: dict, data: bytes,
                      check_request: bool = False) -> None:
    spec = SPECS[mock.profile]
    request = openapi_request(mock, method, target, body, headers)
    content_type = response_headers.get("content-type", "")
    response = MockResponse(data, status, response_headers, content_type.lower())
    spec.validate_response(request, response)
    if check_request:
        # The request the test sent is one the document accepts.
        spec.validate_request(request)


# --------------------------------------------------------------------------------------------
# The cases
# --------------------------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    method: str
    target: Any  # str, or a function of the seeded ids
    body: Any = None  # JSON value, bytes (sent verbatim), or None
    expect: int = 200
    key: Optional[str] = KEY
    headers: dict = field(default_factory=dict)
    content_type: Optional[str] = "application/json"
    fault: Optional[dict] = None  # added through POST /_mock/faults before the request
    chunked_with_length: bool = False
    route_404: bool = False  # a path the document has no operation for
    retry_after: bool = False  # Retry-After must be there
    check: Optional[Callable[[dict], None]] = None  # more assertions on the parsed body
    deviation: Optional[str] = None  # where the emulator differs from the API contract
    expect_sandbox: Optional[int] = None  # the status under profile sandbox, where it differs
    check_sandbox: Optional[Callable[[dict], None]] = None  # `check` under profile sandbox
    bodyless: bool = False  # answered without a body (431; both framing headers' 400; a 204 or 304 fault)

    def expected(self, profile: str) -> int:
        return self.expect_sandbox if profile == "sandbox" and self.expect_sandbox is not None else self.expect

    def checker(self, profile: str) -> Optional[Callable[[dict], None]]:
        """The body check under `profile`: under `sandbox` a validation failure carries no
        `data`, so it is checked to say only `Bad Request`."""
        if profile == "sandbox":
            if self.check_sandbox is not None:
                return self.check_sandbox
            if getattr(self.check, "validation", False):
                return bare_validation_failure
        return self.check


def account(domain, name="Acme Corp", **more):
    return {"domain": domain, "name": name, **more}


def activity(activity_id, **more):
    base = {"externalActivityId": activity_id, "activityType": "call",
            "occurredAt": "2026-04-30T09:00:00.000Z", "domain": "acme.com",
            "ownerEmail": "ann@example.com", "contacts": [{"email": "bob@acme.com", "name": "Bob"}]}
    base.update(more)
    return base


def summary(**counts):
    def check(body):
        assert body["data"]["summary"] == counts, body
    return check


def custom(text):
    def check(body):
        assert body.get("customMessage") == text, body
    return check


def violations(*pairs):
    def check(body):
        found = [(v["property"], next(iter(v["constraints"]))) for v in body["data"]]
        assert found == list(pairs), body
    check.validation = True
    return check


def bare_validation_failure(body):
    """A validation failure as the live sandbox answers it: no `data`, no `customMessage`."""
    assert body["message"] == "Bad Request" and "data" not in body and "customMessage" not in body, body


def fault_envelope(status, message):
    def check(body):
        assert body["statusCode"] == status and body["message"] == message and "customMessage" not in body, body
    return check


def rows(count, **fields):
    def check(body):
        found = body["data"]["data"]
        assert len(found) == count, body
        for name, value in fields.items():
            assert all(row[name] == value for row in found), body
    return check


def every_row(body):
    """Every account of the seeded team so far (at least the two seeded ones), on one page."""
    assert len(body["data"]["data"]) >= 2 and body["data"]["hasNextPage"] is False, body


def updated(body):
    assert body["data"] == {"message": "Account updated successfully"}, body


PIPELINE = {"pipelineId": "smb-pipeline", "pipelineLabel": "SMB",
            "stages": [{"stageId": "new", "stageLabel": "New"}, {"stageId": "won", "stageLabel": "Won"}]}
BIG_BODY = json.dumps({"accounts": [account(f"d{i}.com", "x" * 200) for i in range(400)]}).encode()

CASES = [
    # ---- POST /accounts
    Case("create: created and a failed item, into a segment", "POST", "/api/v1/accounts",
         {"segmentId": "seg-001", "accounts": [
             account("https://www.Initech.com/about", "Initech", externalId="crm-003",
                     tags=["b2b"], customFields={"CONTRACT_VALUE_C": 120000}),
             account("bad-fields.com", "Bad", customFields={"INVALID_KEY_C": 1})]},
         check=summary(total=2, created=1, updated=0, failed=1)),
    Case("create: upsert updates", "POST", "/api/v1/accounts",
         {"upsert": True, "segmentId": "seg-002", "accounts": [account("acme.com", "Acme Corporation",
                                                                       customFields={"CRM_STAGE_C": "POC"})]},
         check=summary(total=1, created=0, updated=1, failed=0)),
    Case("create: duplicate and invalid domain fail their items", "POST", "/api/v1/accounts",
         {"accounts": [account("globex.com", "Globex"), account("not a domain", "X")]},
         check=summary(total=2, created=0, updated=0, failed=2)),
    Case("create: validation", "POST", "/api/v1/accounts",
         {"accounts": [{"domain": "", "name": 3, "tags": [1], "extra": True}], "upsert": "yes"}, 400,
         check=violations(("domain", "isNotEmpty"), ("name", "isString"), ("tags", "isString"),
                          ("extra", "whitelistValidation"), ("upsert", "isBoolean"))),
    Case("create: missing accounts", "POST", "/api/v1/accounts", {}, 400,
         check=violations(("accounts", "isArray"))),
    Case("create: too many accounts", "POST", "/api/v1/accounts",
         {"accounts": [account(f"d{i}.com") for i in range(101)]}, 400,
         check=violations(("accounts", "arrayMaxSize"))),
    Case("create: not JSON content type is validated as {}", "POST", "/api/v1/accounts", b"accounts=1",
         400, content_type="text/plain", check=violations(("accounts", "isArray"))),
    Case("create: malformed JSON", "POST", "/api/v1/accounts", b'{"accounts": [', 400,
         check=lambda body: body["customMessage"].startswith("Malformed JSON body: ")),
    Case("create: unknown segment", "POST", "/api/v1/accounts",
         {"segmentId": "nope", "accounts": [account("a.com")]}, 400, check=custom("Segment 'nope' not found")),
    Case("create: archived segment", "POST", "/api/v1/accounts",
         {"segmentId": "seg-old", "accounts": [account("a.com")]}, 400,
         check=custom("Segment 'seg-old' is not active or draft and cannot accept new members")),
    Case("create: an unknown segment with a lone surrogate, echoed as JSON.stringify writes it", "POST",
         "/api/v1/accounts", {"segmentId": "\ud800", "accounts": [account("a.com")]}, 400,
         check=custom("Segment '\ud800' not found")),
    Case("create: a private-use character of U+10F800..U+10FFFF is echoed unchanged", "POST",
         "/api/v1/accounts", {"segmentId": "\U0010fd5d", "accounts": [account("a.com")]}, 400,
         check=custom("Segment '\U0010fd5d' not found"),
         deviation="the mock holds lone surrogates as U+10F800..U+10FFFF, so it writes such a character back "
                   "as a lone surrogate escape (\\udd5d; docs/api.md 1.10 says so)"),
    Case("create: dynamic segment", "POST", "/api/v1/accounts",
         {"segmentId": "seg-dyn", "accounts": [account("a.com")]}, 400,
         check=custom("Segment 'seg-dyn' is not a static segment")),
    Case("create: both Content-Length and Transfer-Encoding", "POST", "/api/v1/accounts",
         b'{"accounts":[]}', 400, chunked_with_length=True, bodyless=True),
    Case("create: body over the limit", "POST", "/api/v1/accounts", BIG_BODY, 413),
    Case("create: unsupported content encoding", "POST", "/api/v1/accounts",
         {"accounts": [account("brotli.com")]}, 415, headers={"Content-Encoding": "br"},
         check=custom('Unsupported content encoding "br"')),
    Case("create: gzip body", "POST", "/api/v1/accounts",
         gzip.compress(json.dumps({"accounts": [account("gzipped.com")]}).encode()), 200,
         headers={"Content-Encoding": "gzip"}, check=summary(total=1, created=1, updated=0, failed=0)),
    Case("create: gzip body that does not inflate", "POST", "/api/v1/accounts",
         b"\x1f\x8b\x08\x00 not gzip at all", 400, headers={"Content-Encoding": "gzip"},
         check=lambda body: body["customMessage"].startswith("Malformed compressed body: ")),
    Case("create: no key", "POST", "/api/v1/accounts", {"accounts": [account("a.com")]}, 401, key=None,
         check=custom("X-Api-Key header is required")),
    Case("create: unknown key", "POST", "/api/v1/accounts", {"accounts": [account("a.com")]}, 401,
         key="nope", check=custom("Invalid API key")),
    # ---- GET /accounts
    Case("list accounts: first page", "GET", "/api/v1/accounts?limit=1",
         check=lambda body: body["data"]["hasNextPage"] is True),
    Case("list accounts: after a cursor", "GET", lambda ids: f"/api/v1/accounts?cursor={ids['acme']}"),
    Case("list accounts: empty page", "GET", f"/api/v1/accounts?cursor={MISSING_ID}",
         check=lambda body: body["data"]["nextCursor"] is None),
    Case("list accounts: delta sync and domains", "GET",
         "/api/v1/accounts?lastSync=2020-01-01T00:00:00.000Z&domains="
         + urllib.parse.quote('["https://www.acme.com/x","globex.com"]'),
         check=lambda body: len(body["data"]["data"]) == 2),
    Case("list accounts: bad query", "GET",
         "/api/v1/accounts?limit=0&cursor=abc&lastSync=yesterday&domains=acme.com&sort=name", expect=400,
         check=violations(("limit", "min"), ("cursor", "isMongoId"), ("lastSync", "isIso8601"),
                          ("domains", "isArray"), ("sort", "whitelistValidation"))),
    Case("list accounts: limit not an integer", "GET", "/api/v1/accounts?limit=1.5", expect=400,
         check=violations(("limit", "isInt"))),
    Case("list accounts: limit too large", "GET", "/api/v1/accounts?limit=1001", expect=400,
         check=violations(("limit", "max"))),
    Case("list accounts: too many domains", "GET",
         "/api/v1/accounts?domains=" + urllib.parse.quote(json.dumps([f"d{i}.com" for i in range(101)])),
         expect=400, check=violations(("domains", "arrayMaxSize"))),
    Case("list accounts: no key", "GET", "/api/v1/accounts", expect=401, key=None),
    Case("list accounts: limit as JavaScript's Number() reads it", "GET", "/api/v1/accounts?limit=0x10",
         check=every_row),
    Case("list accounts: lastSync in the ISO 8601 forms validator.js accepts", "GET",
         "/api/v1/accounts?lastSync=2020-W01-1", check=every_row),
    Case("list accounts: lastSync in basic format", "GET", "/api/v1/accounts?lastSync=20200101T000000%2C5Z",
         check=every_row),
    Case("list accounts: lastSync that is not ISO 8601", "GET", "/api/v1/accounts?lastSync=2026-04-30T25:00",
         expect=400, check=violations(("lastSync", "isIso8601"))),
    Case("list accounts: domains as JSON with white space and escapes", "GET",
         "/api/v1/accounts?domains=" + urllib.parse.quote(' [ "ACME.com" ,\t"\\u0067lobex.com" ] '),
         check=rows(2)),
    Case("list accounts: domains with an unpaired surrogate escape, as JSON.parse reads it", "GET",
         "/api/v1/accounts?domains=" + urllib.parse.quote('["\\ud800.com"]'), check=rows(0)),
    Case("list accounts: a cursor in upper case", "GET", "/api/v1/accounts?cursor=" + "F" * 24,
         check=lambda body: body["data"]["data"] == [] and body["data"]["nextCursor"] is None),
    Case("list accounts: a null score, names as the profile writes them", "GET",
         "/api/v1/accounts?domains=" + urllib.parse.quote('["globex.com"]'),
         check=rows(1, rtp_account_score=None, rtp_bombora_intent_score=12.5, name="Globex"),
         check_sandbox=rows(1, rtp_account_score=None, name="globex")),
    # ---- PUT /accounts/{rtp_aid}
    Case("update account", "PUT", lambda ids: f"/api/v1/accounts/{ids['acme']}",
         {"customFields": {"CONTRACT_VALUE_C": 5, "RENEWAL_DATE_C": "2027-01-01"}},
         check=lambda body: body["data"] == {"message": "Account updated successfully"}),
    Case("update account: not an id", "PUT", "/api/v1/accounts/not-an-id", {"customFields": {}}, 400,
         check=violations(("rtp_aid", "isMongoId"))),
    Case("update account: unknown property", "PUT", lambda ids: f"/api/v1/accounts/{ids['acme']}",
         {"name": "x", "customFields": []}, 400,
         check=violations(("customFields", "isObject"), ("name", "whitelistValidation"))),
    Case("update account: unknown keys", "PUT", lambda ids: f"/api/v1/accounts/{ids['acme']}",
         {"customFields": {"NOPE_C": 1}}, 400, check=custom("Custom field key(s) not found: NOPE_C")),
    Case("update account: malformed JSON", "PUT", lambda ids: f"/api/v1/accounts/{ids['acme']}", b"{", 400),
    Case("update account: not found", "PUT", f"/api/v1/accounts/{MISSING_ID}", {"customFields": {}}, 404,
         check=custom(f"Account with rtp_aid '{MISSING_ID}' not found")),
    Case("update account: no key", "PUT", f"/api/v1/accounts/{MISSING_ID}", {}, 401, key=None),
    Case("update account: no body is {}", "PUT", lambda ids: f"/api/v1/accounts/{ids['acme']}", None,
         check=updated),
    Case("update account: a JSON value that is not an object is {}", "PUT",
         lambda ids: f"/api/v1/accounts/{ids['acme']}", b"[1, 2]", check=updated),
    Case("update account: a body under another content type is {}", "PUT",
         lambda ids: f"/api/v1/accounts/{ids['acme']}", b"customFields=1", content_type="text/plain",
         check=updated),
    Case("update account: an unknown property beside valid customFields", "PUT",
         lambda ids: f"/api/v1/accounts/{ids['acme']}", {"customFields": {"CONTRACT_VALUE_C": 7}, "note": "x"},
         400, check=violations(("note", "whitelistValidation")), expect_sandbox=200, check_sandbox=updated),
    # ---- PATCH /accounts/external-ids
    Case("map external ids", "PATCH", "/api/v1/accounts/external-ids",
         {"mappings": [{"domain": "acme.com", "externalId": "crm-001"},
                       {"domain": "unknown.com", "externalId": "crm-404"}]},
         check=lambda body: body["data"] == {"matched": 1, "updated": 1, "notFound": ["unknown.com"]}),
    Case("map external ids: validation", "PATCH", "/api/v1/accounts/external-ids",
         {"mappings": [{"domain": "acme.com"}]}, 400, check=violations(("externalId", "isNotEmpty"))),
    Case("map external ids: empty", "PATCH", "/api/v1/accounts/external-ids", {"mappings": []}, 400,
         check=violations(("mappings", "arrayMinSize"))),
    # ---- GET /accounts/missing-external-ids
    Case("missing external ids", "GET", "/api/v1/accounts/missing-external-ids?limit=10"),
    Case("missing external ids: cursor not accepted", "GET",
         "/api/v1/accounts/missing-external-ids?cursor=x", expect=400,
         check=violations(("cursor", "whitelistValidation"))),
    # ---- GET /segments
    Case("list segments", "GET", "/api/v1/segments",
         check=lambda body: [row["segmentId"] for row in body["data"]["data"]] == ["seg-001", "seg-002"]),
    Case("list segments: page", "GET", "/api/v1/segments?limit=1&cursor=seg-001"),
    Case("list segments: bad limit", "GET", "/api/v1/segments?limit=x", expect=400,
         check=violations(("limit", "isInt"))),
    Case("list segments: bad key", "GET", "/api/v1/segments", expect=401, key="wrong"),
    Case("list segments: a JSON body in an encoding body-parser does not inflate", "GET", "/api/v1/segments",
         b"{}", 415, headers={"Content-Encoding": "br"}, check=custom('Unsupported content encoding "br"')),
    Case("list segments: a request head over 16 KiB", "GET", "/api/v1/segments", expect=431,
         headers={"X-Padding": "a" * (17 * 1024)}, bodyless=True),
    # ---- custom fields
    Case("list custom fields", "GET", "/api/v1/accounts/custom-fields",
         check=lambda body: len(body["data"]) == 3),
    Case("create custom field", "POST", "/api/v1/accounts/custom-field",
         {"label": "Revenue (USD)", "labelType": "multiSelection", "description": "Bands",
          "options": ["<1M", ">1M"]}, 201,
         check=lambda body: body["data"][0]["key"] == "REVENUE_(USD)_C"),
    Case("create custom field: exists", "POST", "/api/v1/accounts/custom-field",
         {"label": "Contract Value", "labelType": "number"}, 409,
         check=custom("Custom field with key 'CONTRACT_VALUE_C' already exists")),
    Case("create custom field: validation", "POST", "/api/v1/accounts/custom-field",
         {"label": "", "labelType": "colour", "key": "X_C"}, 400,
         check=violations(("label", "isNotEmpty"), ("labelType", "isIn"), ("key", "whitelistValidation"))),
    Case("create custom field: selection without options", "POST", "/api/v1/accounts/custom-field",
         {"label": "Tier", "labelType": "singleSelection"}, 400, check=violations(("options", "isArray"))),
    Case("create custom field: selection with no option", "POST", "/api/v1/accounts/custom-field",
         {"label": "Tier", "labelType": "multiSelection", "options": []}, 400,
         check=violations(("options", "arrayMinSize"))),
    # ---- deals
    Case("upsert deals", "POST", "/api/v1/deals",
         {"deals": [{"externalDealId": "d-1", "name": "Acme renewal", "amount": 50000.5, "stageId": "won",
                     "closedDate": "2026-04-30", "ownerEmail": "ann@example.com",
                     "associatedAccounts": [{"domain": "acme.com"}, {"domain": "nobody.com"}]},
                    {"externalDealId": "d-1", "name": "Acme renewal, again"}]},
         check=summary(total=2, upserted=2, failed=0)),
    Case("upsert deals: validation", "POST", "/api/v1/deals",
         {"deals": [{"externalDealId": "", "name": "x", "amount": "5", "startDate": "soon",
                     "ownerEmail": "not-an-email", "associatedAccounts": [1]}]}, 400,
         check=violations(("externalDealId", "isNotEmpty"), ("amount", "isNumber"), ("startDate", "isIso8601"),
                          ("ownerEmail", "isEmail"), ("associatedAccounts", "nestedValidation"))),
    # ---- deal stages
    Case("create deal stages", "POST", "/api/v1/deal-stages", {"pipelines": [PIPELINE]}, 201,
         check=lambda body: body["data"]["summary"] == {"total": 1, "created": 1}),
    Case("create deal stages: exists", "POST", "/api/v1/deal-stages", {"pipelines": [PIPELINE]}, 409,
         check=custom("Pipeline(s) already exist: smb-pipeline")),
    Case("create deal stages: validation", "POST", "/api/v1/deal-stages",
         {"pipelines": [{"pipelineId": "p", "pipelineLabel": "P", "stages": []}]}, 400,
         check=violations(("stages", "arrayMinSize"))),
    Case("list deal stages (bare array)", "GET", "/api/v1/deal-stages",
         check=lambda body: body == [PIPELINE]),
    # ---- sales activities
    Case("create sales activities", "POST", "/api/v1/sales-activities",
         {"activities": [activity("a-1"), activity("a-2", activityType="meeting"),
                         activity("a-4", activityType="email", subject="Hi", openCount=2,
                                  **{"from": {"name": "Ann", "email": "ann@example.com"}})]},
         check=summary(total=3, created=2, failed=0, skipped=1)),
    Case("create sales activities: no contact with an email fails the item", "POST", "/api/v1/sales-activities",
         {"activities": [activity("a-3", contacts=[{"name": "No Email"}])]},
         check=lambda body: body["data"]["results"][0].get("error") == "At least one contact with an email is required"),
    Case("create sales activities: known id fails the item", "POST", "/api/v1/sales-activities",
         {"activities": [activity("a-1")]}, check=summary(total=1, created=0, failed=1, skipped=0)),
    Case("create sales activities: validation", "POST", "/api/v1/sales-activities",
         {"activities": [activity("a-9", occurredAt="later", ownerEmail="ann")]}, 400,
         check=violations(("occurredAt", "isIso8601"), ("ownerEmail", "isEmail"))),
    Case("create sales activities: contacts are required", "POST", "/api/v1/sales-activities",
         {"activities": [{k: v for k, v in activity("a-10").items() if k != "contacts"}]}, 400,
         check=violations(("contacts", "isArray"))),
    Case("create sales activities: a malformed contact email", "POST", "/api/v1/sales-activities",
         {"activities": [activity("a-11", contacts=[{"email": "not-an-email"}])]}, 400,
         check=violations(("email", "isEmail"))),
    # ---- journey stages
    Case("journey stages (bare array)", "GET", "/api/v1/journey-stages",
         check=lambda body: body == ["Unaware", "Aware", "Consideration", "Opportunity", "Customer"]),
    Case("journey stages: unknown query parameter", "GET", "/api/v1/journey-stages?x=1",
         check=lambda body: isinstance(body, list)),
    # ---- routes
    Case("route: unknown path", "GET", "/api/v1/nope?x=1", expect=404, key=None, route_404=True,
         check=lambda body: body["message"] == "Cannot GET /api/v1/nope"),
    Case("route: method the path does not serve", "DELETE", "/api/v1/accounts", expect=404,
         route_404=True, check=lambda body: body["message"] == "Cannot DELETE /api/v1/accounts"),
    Case("route: base URL without /api/v1", "GET", "/accounts", expect=404, route_404=True),
    # ---- faults (POST /_mock/faults), each hitting the next request once
    Case("fault: status 503", "GET", "/api/v1/segments", expect=503,
         fault={"kind": "status", "status": 503, "times": 1}),
    Case("fault: status 503 with Retry-After", "POST", "/api/v1/deals",
         {"deals": [{"externalDealId": "d-2", "name": "x"}]}, 503,
         fault={"kind": "status", "status": 503, "retryAfter": 5, "times": 1}, retry_after=True),
    Case("fault: status 500", "GET", "/api/v1/journey-stages", expect=500,
         fault={"kind": "status", "status": 500, "times": 1}),
    Case("fault: status 404", "GET", "/api/v1/deal-stages", expect=404,
         fault={"kind": "status", "status": 404, "times": 1}),
    Case("fault: status 400", "POST", "/api/v1/accounts", {"accounts": [account("faulted.com")]}, 400,
         fault={"kind": "status", "status": 400, "times": 1}),
    Case("fault: status 401", "GET", "/api/v1/accounts", expect=401,
         fault={"kind": "status", "status": 401, "times": 1}),
    Case("fault: status 409", "POST", "/api/v1/deal-stages",
         {"pipelines": [dict(PIPELINE, pipelineId="other")]}, 409,
         fault={"kind": "status", "status": 409, "times": 1}),
    Case("fault: status 418", "PATCH", "/api/v1/accounts/external-ids",
         {"mappings": [{"domain": "acme.com", "externalId": "crm-001"}]}, 418,
         fault={"kind": "status", "status": 418, "times": 1}),
    Case("fault: status 502 after applying the request", "POST", "/api/v1/sales-activities",
         {"activities": [activity("a-20")]}, 502,
         fault={"kind": "status", "status": 502, "times": 1, "apply": True}),
    Case("fault: status 429 without Retry-After", "GET", "/api/v1/accounts/custom-fields", expect=429,
         fault={"kind": "status", "status": 429, "times": 1}),
    Case("fault: rateLimit", "GET", "/api/v1/segments", expect=429,
         fault={"kind": "rateLimit", "retryAfter": 3, "times": 1}, retry_after=True),
    Case("fault: rateLimit on a write", "PUT", lambda ids: f"/api/v1/accounts/{ids['globex']}",
         {"customFields": {}}, 429, fault={"kind": "rateLimit", "times": 1}, retry_after=True),
    Case("fault: delay answers normally", "GET", "/api/v1/accounts/missing-external-ids",
         fault={"kind": "delay", "delayMs": 50, "times": 1}),
    Case("fault: status 200 answers the error envelope", "GET", "/api/v1/segments",
         fault={"kind": "status", "status": 200, "times": 1}, check=fault_envelope(200, "OK")),
    Case("fault: status 201 on an operation that answers 200", "POST", "/api/v1/deals",
         {"deals": [{"externalDealId": "d-3", "name": "x"}]}, 201,
         fault={"kind": "status", "status": 201, "times": 1}, check=fault_envelope(201, "Created")),
    Case("fault: status 201 on an operation that answers 201", "POST", "/api/v1/accounts/custom-field",
         {"label": "Faulted", "labelType": "number"}, 201,
         fault={"kind": "status", "status": 201, "times": 1}, check=fault_envelope(201, "Created")),
    Case("fault: status 204 has no body", "GET", "/api/v1/journey-stages", expect=204,
         fault={"kind": "status", "status": 204, "times": 1}, bodyless=True),
    Case("fault: status 304 has no body", "GET", "/api/v1/deal-stages", expect=304,
         fault={"kind": "status", "status": 304, "times": 1}, bodyless=True),
    Case("fault: status 301", "GET", "/api/v1/accounts/custom-fields", expect=301,
         fault={"kind": "status", "status": 301, "times": 1}, check=fault_envelope(301, "Moved Permanently")),
    Case("fault: status 299, which has no reason phrase", "GET", "/api/v1/accounts", expect=299,
         fault={"kind": "status", "status": 299, "times": 1}, check=fault_envelope(299, "Error")),
]

VALIDATED = []  # names of the cases whose answer was validated against the document


@dataclass
class Exchange:
    """One case as it was sent and answered."""

    target: str
    body: Optional[bytes]
    headers: dict
    status: int
    response_headers: dict
    data: bytes


def perform(mock: Mock, case: Case) -> Exchange:
    """Sends `case` (injecting and then removing its fault, if it has one)."""
    target = case.target(mock.ctx) if callable(case.target) else case.target
    if isinstance(case.body, (bytes, type(None))):
        body = case.body
    else:
        body = json.dumps(case.body).encode()
    headers = dict(case.headers)
    if case.key is not None:
        headers["X-Api-Key"] = case.key
    if body is not None and case.content_type:
        headers["Content-Type"] = case.content_type
    if case.fault:
        mock.admin("POST", "/_mock/faults", case.fault)
    try:
        status, response_headers, data = mock.exchange(case.method, target, body, headers,
                                                       case.chunked_with_length)
    finally:
        if case.fault:
            mock.admin("DELETE", "/_mock/faults")
    return Exchange(target, body, headers, status, response_headers, data)


@pytest.fixture(scope="module")
def replayed(mock) -> dict:
    """Every case, sent in order on this module's mock (later cases read what earlier ones
    wrote), whichever tests of this module a pytest-xdist worker was given."""
    return {case.name: perform(mock, case) for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_answer_conforms_to_the_document(mock, replayed, case: Case):
    sent = replayed[case.name]
    target, body, headers = sent.target, sent.body, sent.headers
    status, response_headers, data = sent.status, sent.response_headers, sent.data
    expect, check = case.expected(mock.profile), case.checker(mock.profile)

    # Whatever the emulator answered must conform to the document ...
    if case.bodyless:
        # 431 and the both-framing-headers 400 as Node answers them (no Content-Type), or a
        # 204/304 fault (HTTP allows no body).
        assert data == b"" and status == expect, (status, response_headers, data)
        if case.chunked_with_length:
            # The bare 400 of Node's parser, which the document leaves out on purpose (its
            # description says so): nothing to validate against it.
            assert "content-type" not in response_headers, response_headers
            VALIDATED.append(f"{mock.profile}: {case.name}")
            return
    else:
        assert response_headers.get("content-type") == JSON_UTF8, response_headers
    if case.route_404:
        validate_against_component("NotFound", data, mock.profile)
    else:
        wire_body = body
        if headers.get("Content-Encoding") == "gzip" and body is not None and status < 300:
            wire_body = gzip.decompress(body)
        checks_request = status < 300 and not case.fault and case.deviation is None
        validate_exchange(mock, case.method, target, wire_body, headers, status, response_headers, data,
                          check_request=checks_request)
    VALIDATED.append(f"{mock.profile}: {case.name}")
    if case.bodyless:
        return
    parsed = json.loads(data)
    if isinstance(parsed, dict) and "statusCode" in parsed:
        assert parsed["statusCode"] == status and parsed["path"] == target, parsed
        if "message" in parsed:
            # The profile's error envelope: `data` under documented, none under sandbox.
            assert ("data" in parsed) == (mock.profile == "documented"), parsed
    if case.retry_after:
        assert response_headers.get("retry-after", "").isdigit(), response_headers

    # ... and be the answer the API contract gives.
    if status != expect or (check and not _passes(check, parsed)):
        if case.deviation:
            pytest.xfail(f"emulator differs from the contract: {case.deviation} (got {status}: {data[:200]!r})")
        assert status == expect, data
        check(parsed)  # raises with the detail, when it asserts
        pytest.fail(f"{case.name}: unexpected body {parsed}")


def _passes(check, parsed) -> bool:
    """Whether `check` holds: it neither raises nor returns False."""
    try:
        return check(parsed) is not False
    except (AssertionError, KeyError, IndexError, TypeError, StopIteration):
        return False


@pytest.mark.parametrize("profile", PROFILES)
def test_the_rate_limiter_answers_429_as_documented(profile):
    limited = Mock("--rate-limit", "1", "--profile", profile)
    limited.profile = profile
    try:
        answers = [limited.exchange("GET", "/api/v1/segments", None, {"X-Api-Key": KEY}) for _ in range(4)]
    finally:
        limited.stop()
    statuses = [status for status, _, _ in answers]
    assert statuses[0] == 200 and 429 in statuses, statuses
    for status, headers, data in answers:
        validate_exchange(limited, "GET", "/api/v1/segments", None, {"X-Api-Key": KEY}, status, headers, data)
        VALIDATED.append(f"{profile}: rate limiter {status}")
        if status == 429:
            assert headers.get("retry-after", "").isdigit(), headers


def test_the_admin_api_serves_the_document(mock):
    status, headers, data = mock.exchange("GET", "/_mock/openapi.json")
    assert status == 200 and headers.get("content-type") == "application/json"
    assert data == DOCUMENT_PATH.read_bytes()


def test_every_documented_operation_was_exercised():
    exercised = set()
    for case in CASES:
        if case.route_404:
            continue
        target = case.target({"acme": "0" * 24, "globex": "0" * 24}) if callable(case.target) else case.target
        path = urllib.parse.urlsplit(target).path.removeprefix("/api/v1")
        if path.startswith("/accounts/") and path.count("/") == 2 and case.method == "PUT":
            path = "/accounts/{rtp_aid}"
        exercised.add((case.method.lower(), path))
    documented = {(method, path) for path, item in DOCUMENT["paths"].items() for method in item}
    assert documented <= exercised, documented - exercised
    # Every response the document names, per status, was met at least once.
    kinds = {case.expect for case in CASES}
    assert {200, 201, 204, 299, 301, 304, 400, 401, 404, 409, 413, 415, 429, 431, 500, 503} <= kinds


# --------------------------------------------------------------------------------------------
# A generated client
# --------------------------------------------------------------------------------------------


def test_a_client_generated_from_the_document_lists_accounts(mock, replayed, tmp_path):
    generator = shutil.which("openapi-python-client") or str(Path(sys.executable).parent / "openapi-python-client")
    package = "recotap_client"
    subprocess.run(
        [generator, "generate", "--path", str(DOCUMENT_PATH), "--meta", "none",
         "--output-path", str(tmp_path / package)],
        check=True, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    sys.path.insert(0, str(tmp_path))
    try:
        client_module = importlib.import_module(f"{package}.client")
        list_accounts = importlib.import_module(f"{package}.api.accounts.list_accounts")
        list_segments = importlib.import_module(f"{package}.api.segments.list_segments")
        models = importlib.import_module(f"{package}.models")

        client = client_module.AuthenticatedClient(
            base_url=f"{mock.root}/api/v1", token=KEY, prefix="", auth_header_name="X-Api-Key")
        page = list_accounts.sync(client=client, limit=2)
        assert isinstance(page, models.AccountPageResponse), page
        assert page.status_code == 200 and len(page.data.data) == 2
        assert page.data.data[0].rtp_aid == mock.ctx["acme"]
        assert page.data.has_next_page is True

        anonymous = client_module.Client(base_url=f"{mock.root}/api/v1")
        refused = list_segments.sync(client=anonymous)
        assert isinstance(refused, models.UnauthorizedError), refused
        assert refused.custom_message == "X-Api-Key header is required"
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name == package or name.startswith(package + ".")]:
            del sys.modules[name]
