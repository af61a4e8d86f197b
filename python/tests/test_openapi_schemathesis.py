"""Property-based: schemathesis generates requests from the OpenAPI document and holds the
running mock to it, once per profile.

For each profile (`documented`, `sandbox`) the test starts the `recotap-mock` binary with
`--profile`, seeds a few records (so that the document's examples and the generated requests
reach the success paths too), writes the document as that profile reads it (`specialize`: the
`x-recotap-profiles` refinements folded in) and runs the schemathesis CLI against the mock with
the default API key. No fault is installed. Any finding fails the test, with schemathesis'
report (and a `curl` to reproduce each finding) in the failure message.

The checks, and why:
* `not_a_server_error`: a 5xx is a bug (docs/api.md 1.5).
* `status_code_conformance`, `content_type_conformance`, `response_headers_conformance`,
  `response_schema_conformance`: every answer is one the document lists, in its shape.
* `negative_data_rejection`: a request the document says is invalid must be refused. This is
  the document's promise never to refuse a request the server accepts.
* `positive_requests_pass_validation` (below, instead of the built-in
  `positive_data_acceptance`): a request the document says is valid must pass the server's
  validation. The built-in check fails on any 400, but a valid request can still be refused by
  a business rule that depends on the state (`Segment 'x' not found`, `Custom field key(s) not
  found: ...`), which no schema can know. This one fails on a validation failure (or on a
  `Malformed ...` refusal of JSON the generator wrote) unless every failing property is one
  whose schema the document marks `x-recotap-looser-than-server` (a rule JSON Schema cannot
  write exactly, such as `limit` read by JavaScript's `Number()`). Under `sandbox` a validation
  failure carries no `data`, so the same request is asked of a `documented` twin, whose
  validation is the same, to learn which properties failed.
* `ignored_auth`, `missing_required_header`, `use_after_free`, `ensure_resource_availability`,
  `allow_header_conformance`: kept (all apply or are no-ops here).
* Excluded: `unsupported_method`, which wants 405 for a method a path does not serve; the vendor
  answers 404 `Cannot <METHOD> <path>` there (no 405: docs/api.md 1.5), and so does the mock.
* Not generated: lone UTF-16 surrogates and U+10F800..U+10FFFF (`filter_case` below): the mock
  echoes them back as lone surrogate escapes, as JavaScript writes a lone surrogate, which
  schemathesis cannot decode (the conformance test sends both on purpose); and bodies for the
  `*/*` entry of `PUT /accounts/{rtp_aid}` (`for_schemathesis` below).

Bounds: RECOTAP_SCHEMATHESIS_EXAMPLES examples per operation and phase (default 50; 0 skips
the test), RECOTAP_SCHEMATHESIS_SEED (default fixed, so CI is reproducible; change it to explore).
About 40 s per profile on an idle 2-core machine.

This file is also the schemathesis hooks module (SCHEMATHESIS_HOOKS) of the CLI run: the checks
below are registered when the CLI loads it, and read RECOTAP_OPENAPI_DOCUMENT and RECOTAP_TWIN.

Run: pip install -r python/tests/requirements-openapi.txt; cargo build; pytest python/tests
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import schemathesis

EXAMPLES = int(os.environ.get("RECOTAP_SCHEMATHESIS_EXAMPLES", "50"))
SEED = os.environ.get("RECOTAP_SCHEMATHESIS_SEED", "20260430")

# ----------------------------------------------------------------------------------------------
# The custom check (also run inside the schemathesis CLI, which loads this file as its hooks)
# ----------------------------------------------------------------------------------------------

LOOSE_MARK = "x-recotap-looser-than-server"
# State-dependent refusals of a valid request (docs/api.md 2.1, 2.3).
BUSINESS = re.compile(
    r"^(?:Segment '[\s\S]*' (?:not found|is not a static segment|is not active or draft and cannot accept"
    r" new members)|Custom field key\(s\) not found: [\s\S]*)$"
)


def loose_properties(document: dict) -> set:
    """The names of the parameters and properties whose schema the document marks as looser
    than the server's rule."""
    names = set()

    def walk(node, name=None):
        if isinstance(node, list):
            for item in node:
                walk(item)
            return
        if not isinstance(node, dict):
            return
        if node.get(LOOSE_MARK) and name:
            names.add(name)
        if isinstance(node.get("schema"), dict) and node["schema"].get(LOOSE_MARK) and "name" in node:
            names.add(node["name"])
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                for property_name, schema in value.items():
                    walk(schema, property_name)
            else:
                walk(value)

    walk(document)
    return names


_LOOSE = None


def _loose() -> set:
    global _LOOSE
    if _LOOSE is None:
        _LOOSE = loose_properties(json.loads(Path(os.environ["RECOTAP_OPENAPI_DOCUMENT"]).read_text()))
    return _LOOSE


def _violations(response) -> "list | None":
    """The validation failures of a 400: its `data`, or (under sandbox, which leaves `data`
    out) those a documented twin gives for the same request."""
    data = response.json().get("data")
    if isinstance(data, list):
        return data
    twin = os.environ.get("RECOTAP_TWIN")
    if not twin:
        return None
    sent = response.request
    body = sent.body.encode() if isinstance(sent.body, str) else sent.body
    again = urllib.request.Request(twin + sent.path_url, data=body or None, headers=dict(sent.headers),
                                   method=sent.method)
    try:
        with urllib.request.urlopen(again, timeout=10) as answer:
            body = answer.read()
    except urllib.error.HTTPError as error:
        body = error.read()
    data = json.loads(body).get("data")
    return data if isinstance(data, list) else None


def holds_surrogate(value) -> bool:
    """Whether a generated value holds a lone UTF-16 surrogate (in a Python string every
    surrogate code point is one: a pair is a single code point), or one of the characters
    U+10F800..U+10FFFF, which the mock holds lone surrogates as (docs/api.md 1.10)."""
    if isinstance(value, str):
        return any(0xD800 <= ord(char) <= 0xDFFF or ord(char) >= 0x10F800 for char in value)
    if isinstance(value, dict):
        return any(holds_surrogate(key) or holds_surrogate(item) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return any(holds_surrogate(item) for item in value)
    return False


@schemathesis.hook
def filter_case(ctx, case) -> bool:
    """No lone surrogates in what is sent (nor the characters U+10F800..U+10FFFF, which come back
    as lone surrogates). The mock reads `"\\ud800"` as `JSON.parse` does and, where an answer
    echoes it (a `customMessage`, an item's `error`, a property name), writes it back as
    `JSON.stringify` does: `"\\ud800"`. That is the vendor's behaviour (docs/api.md 1.10), but
    schemathesis cannot decode such an answer (ST109). The conformance test sends lone
    surrogates on purpose."""
    return not any(holds_surrogate(part) for part in (case.body, case.query, case.path_parameters, case.headers))


@schemathesis.check
def positive_requests_pass_validation(ctx, response, case):
    """A request the document says is valid passes the server's validation (see the module's
    docstring)."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
        return None
    body = response.json()
    custom = body.get("customMessage")
    if isinstance(custom, str) and BUSINESS.match(custom):
        return None
    violations = _violations(response)
    if violations and all(violation["property"] in _loose() for violation in violations):
        return None
    raise AssertionError(
        "The document says this request is valid, but the server refused it"
        f"\nAnswer: {json.dumps(body)[:1000]}"
        + (f"\nFailing properties: {json.dumps(violations)[:1000]}" if violations else "")
    )


# ----------------------------------------------------------------------------------------------
# The test (pytest only: the CLI loads this file as module `_schemathesis_hooks` and stops here)
# ----------------------------------------------------------------------------------------------

if __name__ != "_schemathesis_hooks":
    import pytest

    from test_openapi_conformance import DOCUMENT, KEY, PROFILES, Mock, specialize

    ACME_ID = "663a1f2e9b1e8a0012345678"  # the document's example `rtp_aid`

    def schemathesis_cli() -> str:
        found = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or shutil.which("schemathesis")
        if not found:
            message = "schemathesis is not installed (pip install -r python/tests/requirements-openapi.txt)"
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
        return found

    def seed(mock: Mock) -> None:
        """What the document's examples name (segment `seg-001`, fields `CONTRACT_VALUE_C` and
        `CRM_STAGE_C`, account `663a1f2e...`), an account with capitals in its name and one with
        a null score."""
        mock.admin("POST", "/_mock/reset")
        mock.admin("POST", "/_mock/custom-fields", {"label": "Contract Value", "labelType": "number"})
        mock.admin("POST", "/_mock/custom-fields",
                   {"label": "CRM Stage", "labelType": "singleSelection", "options": ["POC", "Won"]})
        mock.admin("POST", "/_mock/segments", {"segmentId": "seg-001", "name": "Q2 Target Accounts"})
        mock.admin("POST", "/_mock/accounts", {"rtp_aid": ACME_ID, "domain": "acme.com", "name": "Acme Corp"})
        mock.admin("POST", "/_mock/accounts", {"domain": "globex.com", "name": "GLOBEX Ünlimited"})
        mock.admin("PATCH", f"/_mock/accounts/{ACME_ID}", {"rtp_account_score": None, "rtp_g2_intent_score": 12.5})

    def for_schemathesis(document: dict) -> dict:
        """The document without its `*/*` request bodies (`PUT /accounts/{rtp_aid}` ignores a
        body that is not JSON). schemathesis sends a `*/*` body under any media type it picks,
        `application/json` included, where OpenAPI applies only the most specific entry (here
        the JSON one): it would send arbitrary JSON objects as if the document allowed them.
        The conformance test covers the `*/*` entry (a `text/plain` body)."""
        for item in document["paths"].values():
            for operation in item.values():
                operation.get("requestBody", {}).get("content", {}).pop("*/*", None)
        return document

    @pytest.mark.skipif(EXAMPLES <= 0, reason="RECOTAP_SCHEMATHESIS_EXAMPLES is 0")
    @pytest.mark.parametrize("profile", PROFILES)
    def test_schemathesis_finds_nothing(profile, tmp_path):
        cli = schemathesis_cli()
        running = []
        try:
            mock = Mock("--profile", profile)
            running.append(mock)
            seed(mock)
            env = dict(os.environ, SCHEMATHESIS_HOOKS=str(Path(__file__).resolve()))
            if profile != "documented":
                twin = Mock("--profile", "documented")
                running.append(twin)
                env["RECOTAP_TWIN"] = twin.root
            document = tmp_path / f"recotap-v1.{profile}.json"
            document.write_text(json.dumps(for_schemathesis(specialize(DOCUMENT, profile)), indent=2))
            env["RECOTAP_OPENAPI_DOCUMENT"] = str(document)
            command = [
                cli, "--no-color", "run", str(document),
                "--url", f"{mock.root}/api/v1",
                "--header", f"X-Api-Key: {KEY}",
                "--checks", "all",
                "--exclude-checks", "unsupported_method,positive_data_acceptance",
                "--phases", "examples,coverage,fuzzing,stateful",
                "--max-examples", str(EXAMPLES),
                "--seed", SEED,
                "--generation-database", "none",
                "--request-timeout", "10",
                "--output-truncate", "false",
            ]
            started = time.monotonic()
            run = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
            took = time.monotonic() - started
        finally:
            for each in running:
                each.stop()
        report = run.stdout + run.stderr
        print(f"schemathesis under profile {profile}: exit {run.returncode} in {took:.0f} s\n{report[-3000:]}")
        if run.returncode != 0:
            pytest.fail(f"schemathesis found something under profile {profile} (seed {SEED}):\n{report}",
                        pytrace=False)
        assert "passed" in report, report
