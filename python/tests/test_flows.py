"""Realistic integration flows, driven by a real HTTP client (requests) against the
``recotap_mock`` fixture: each test gets its own session on one shared binary, so the suite
runs with ``pytest -n 4`` without interference."""

import pytest
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from recotap_mock import RecotapMock, RecotapMockError


def push(mock, accounts, **extra):
    response = requests.post(
        f"{mock.base_url}/accounts",
        json={"accounts": accounts, **extra},
        headers={"X-Api-Key": mock.api_key},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]


def list_accounts(mock, **params):
    response = requests.get(
        f"{mock.base_url}/accounts", params=params, headers={"X-Api-Key": mock.api_key}, timeout=10
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]


def test_a_session_starts_empty_and_isolated(recotap_mock):
    assert recotap_mock.accounts() == []
    assert recotap_mock.requests() == []
    assert recotap_mock.team.startswith("s-")


def test_push_with_upsert_updates_the_existing_account(recotap_mock):
    first = push(recotap_mock, [{"domain": "https://www.Acme.com/", "name": "Acme"}])
    again = push(recotap_mock, [{"domain": "acme.com", "name": "Acme Corp"}], upsert=True)
    assert first["summary"] == {"total": 1, "created": 1, "updated": 0, "failed": 0}
    assert again["summary"] == {"total": 1, "created": 0, "updated": 1, "failed": 0}
    assert recotap_mock.account_by_domain("acme.com")["name"] == "Acme Corp"


def test_paged_delta_sync_sees_only_what_changed(recotap_mock):
    recotap_mock.freeze_clock("2026-04-30T10:00:00.000Z")
    push(recotap_mock, [{"domain": f"c{i}.com", "name": f"C{i}"} for i in range(5)])
    seen, cursor = [], None
    while True:
        page = list_accounts(recotap_mock, limit=2, **({"cursor": cursor} if cursor else {}))
        seen += [row["domain"] for row in page["data"]]
        if not page["hasNextPage"]:
            break
        cursor = page["nextCursor"]
    assert sorted(seen) == [f"c{i}.com" for i in range(5)]
    sync = page["syncTimestamp"]
    recotap_mock.advance_clock(60_000)
    recotap_mock.set_scores("c3.com", rtp_account_score=78)
    changed = list_accounts(recotap_mock, lastSync=sync)
    assert [row["domain"] for row in changed["data"]] == ["c3.com"]
    assert changed["data"][0]["rtp_account_score"] == 78


def test_custom_fields_are_pushed_and_listed(recotap_mock):
    field = recotap_mock.add_custom_field("Contract Value", "number")
    assert field["key"] == "CONTRACT_VALUE_C"
    push(recotap_mock, [{"domain": "acme.com", "name": "Acme", "customFields": {"CONTRACT_VALUE_C": 120000}}])
    row = list_accounts(recotap_mock)["data"][0]
    assert row["customFields"] == {"CONTRACT_VALUE_C": 120000}
    assert [f["key"] for f in recotap_mock.custom_fields()] == ["CONTRACT_VALUE_C"]


def test_a_503_then_success_with_a_retrying_client(recotap_mock):
    recotap_mock.add_fault("status", status=503, method="POST", path="/api/v1/accounts", times=1)
    client = requests.Session()
    retry = Retry(total=3, backoff_factor=0, status_forcelist=[503], allowed_methods=None)
    client.mount("http://", HTTPAdapter(max_retries=retry))
    response = client.post(
        f"{recotap_mock.base_url}/accounts",
        json={"accounts": [{"domain": "acme.com", "name": "Acme"}]},
        headers={"X-Api-Key": recotap_mock.api_key},
        timeout=10,
    )
    assert response.status_code == 200
    assert [entry["status"] for entry in recotap_mock.requests()] == [503, 200]
    assert recotap_mock.requests()[0]["fault"] is not None
    assert len(recotap_mock.accounts()) == 1


def test_a_status_fault_sends_its_body_and_headers(recotap_mock):
    recotap_mock.add_fault(
        "status", status=502, body={"error": "upstream"}, headers={"X-Upstream": "down"}, times=1
    )
    response = requests.get(
        f"{recotap_mock.base_url}/segments", headers={"X-Api-Key": recotap_mock.api_key}, timeout=10
    )
    assert (response.status_code, response.json()) == (502, {"error": "upstream"})
    assert response.headers["X-Upstream"] == "down"


def test_a_failed_item_inside_a_200_batch_is_caught(recotap_mock):
    data = push(recotap_mock, [{"domain": "acme.com", "name": "Acme"}, {"domain": "no-dot", "name": "Bad"}])
    assert data["summary"]["failed"] == 1
    with pytest.raises(AssertionError) as caught:
        recotap_mock.assert_no_client_errors()
    assert "item no-dot failed: Invalid domain 'no-dot'" in str(caught.value)


def test_expectations_say_what_arrived(recotap_mock):
    recotap_mock.expect(method="POST", path="/api/v1/accounts", times=2)
    push(recotap_mock, [{"domain": "acme.com", "name": "Acme"}])
    with pytest.raises(AssertionError) as caught:
        recotap_mock.verify()
    assert "expected POST /api/v1/accounts exactly 2 times, received it 1 time." in str(caught.value)
    recotap_mock.clear_expectations()  # checked: the fixture's own check at teardown is not the point


def test_journal_filters_and_session_reset(recotap_mock):
    push(recotap_mock, [{"domain": "acme.com", "name": "Acme"}])
    requests.get(f"{recotap_mock.url}/api/v1/segments", headers={"X-Api-Key": "wrong"}, timeout=10)
    assert len(recotap_mock.requests(method="POST")) == 1
    assert recotap_mock.requests(status="4xx") == [], "a wrong key on the mock's own /api/v1 is no one's request"
    recotap_mock.reset()
    assert recotap_mock.accounts() == [] and recotap_mock.requests() == []


def test_admin_errors_raise_with_the_admin_message(recotap_mock):
    recotap_mock.add_account("acme.com", "Acme")
    with pytest.raises(RecotapMockError) as caught:
        recotap_mock.add_account("acme.com", "Again")
    assert caught.value.status == 409
    assert caught.value.message == "Account with domain 'acme.com' already exists"


def test_a_mock_of_its_own_and_connect(recotap_mock_server):
    with RecotapMock(api_key="secret") as own:
        assert own.api_key == "secret"
        other = RecotapMock.connect(own.url, api_key="secret")
        other.add_segment("Q2", segment_id="seg-001")
        assert own.segment_members("seg-001") == []
    assert recotap_mock_server.url != own.url


def test_a_session_used_as_a_context_manager_is_deleted(recotap_mock_server):
    with recotap_mock_server.session() as session:
        team = session.team
        session.add_account("acme.com", "Acme")
    with pytest.raises(RecotapMockError) as caught:
        RecotapMock.connect(recotap_mock_server.url)._call("GET", "/_mock/requests", query={"team": team})
    assert caught.value.status == 404


def test_set_scores_and_account_by_domain_clean_the_domain(recotap_mock):
    recotap_mock.add_account("acme.com", "Acme")
    updated = recotap_mock.set_scores("https://www.Acme.com/", rtp_account_score=78)
    assert updated["rtp_account_score"] == 78
    assert recotap_mock.account_by_domain("HTTPS://WWW.ACME.COM")["rtp_account_score"] == 78
    assert recotap_mock.account_by_domain("globex.com") is None


def test_a_session_lists_its_custom_fields(recotap_mock):
    recotap_mock.add_custom_field("Tier", "number")
    assert [field["key"] for field in recotap_mock.custom_fields()] == ["TIER_C"]


def test_exported_recotap_mock_variables_do_not_change_a_started_mock(monkeypatch):
    monkeypatch.setenv("RECOTAP_MOCK_API_KEY", "from-the-environment")
    monkeypatch.setenv("RECOTAP_MOCK_ADMIN_TOKEN", "from-the-environment")
    with RecotapMock() as mock:
        assert mock.accounts() == []  # no admin token needed
        response = requests.get(f"{mock.base_url}/segments", headers={"X-Api-Key": mock.api_key}, timeout=10)
        assert response.status_code == 200


def test_a_session_can_follow_the_sandbox_profile(recotap_mock):
    assert recotap_mock.set_profile("sandbox") == "sandbox"
    response = requests.get(f"{recotap_mock.base_url}/nothing", headers={"X-Api-Key": recotap_mock.api_key}, timeout=10)
    assert response.status_code == 404
    assert "data" not in response.json(), "the sandbox writes errors without data"


# A session's own base URL (needs a mock that serves /s/<team>/api/v1) ---------------------------


def test_a_session_has_its_own_base_url_under_the_mock_root(recotap_mock_server, recotap_mock):
    assert recotap_mock.url == recotap_mock_server.url
    assert recotap_mock.base_url == f"{recotap_mock_server.url}/s/{recotap_mock.team}/api/v1"
    assert list_accounts(recotap_mock)["data"] == []


def test_a_wrong_key_under_a_session_base_url_is_a_client_error_of_that_session(recotap_mock):
    response = requests.get(f"{recotap_mock.base_url}/accounts", headers={"X-Api-Key": "wrong"}, timeout=10)
    assert response.status_code == 401
    with pytest.raises(AssertionError) as caught:
        recotap_mock.assert_no_client_errors()
    assert "1 client error(s)" in str(caught.value)
    assert "GET /api/v1/accounts → 401" in str(caught.value)
    assert "Invalid API key" in str(caught.value)


def test_a_missing_key_under_a_session_base_url_is_a_client_error_of_that_session(recotap_mock):
    response = requests.get(f"{recotap_mock.base_url}/accounts", timeout=10)
    assert response.status_code == 401
    with pytest.raises(AssertionError) as caught:
        recotap_mock.assert_no_client_errors()
    assert "GET /api/v1/accounts → 401" in str(caught.value)
    assert "X-Api-Key header is required" in str(caught.value)


def test_another_session_s_traffic_does_not_push_a_session_s_client_error_out_of_its_report():
    with RecotapMock(args=["--journal-size", "5"]) as mock, mock.session() as a, mock.session() as b:
        response = requests.post(f"{a.base_url}/accounts", json={}, headers={"X-Api-Key": a.api_key}, timeout=10)
        assert response.status_code == 400
        client = requests.Session()
        for _ in range(60):  # past a team's bound (5) and the whole journal's (4 × 5)
            answer = client.get(f"{b.base_url}/segments", headers={"X-Api-Key": b.api_key}, timeout=10)
            assert answer.status_code == 200
        with pytest.raises(AssertionError) as caught:
            a.assert_no_client_errors()
        assert "POST /api/v1/accounts → 400" in str(caught.value)
        assert "accounts must be an array" in str(caught.value)
        b.assert_no_client_errors()


def test_a_closed_session_refuses_every_call_instead_of_acting_on_the_whole_mock(recotap_mock_server):
    other = recotap_mock_server.session()
    other.expect(method="GET", path="/segments")
    session = recotap_mock_server.session()
    session.close()
    assert session.closed
    for call in (session.verify, session.clear_expectations, session.reset, session.requests):
        with pytest.raises(RecotapMockError, match="is closed"):
            call()
    session.close()  # closing twice does nothing
    with pytest.raises(AssertionError, match="expected GET /api/v1/segments"):
        other.verify()
    other.close(verify=False)


def test_a_session_cannot_restore_the_whole_mock(recotap_mock):
    with pytest.raises(RecotapMockError, match="replaces the whole mock"):
        recotap_mock.restore({"teams": []})
    assert recotap_mock.accounts() == []
