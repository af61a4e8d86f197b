"""The whole loop from Python: start the bundled mock, seed it, push accounts as an
integration would (plain HTTP with the standard library), read them back, check what
happened. Run: `python python/examples/walkthrough.py` after `pip install ./python`."""

import json
import urllib.request

from recotap_mock import RecotapMock


def push(base_url, api_key, accounts, **extra):
    request = urllib.request.Request(
        base_url + "/accounts",
        data=json.dumps({"accounts": accounts, **extra}).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "X-Api-Key": api_key},
    )
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())["data"]


with RecotapMock() as mock:
    mock.add_custom_field("Contract Value", "number")
    mock.add_segment("Q2 Target Accounts", segment_id="seg-001")
    data = push(mock.base_url, mock.api_key, [
        {"domain": "https://www.Acme.com/", "name": "Acme Corp", "customFields": {"CONTRACT_VALUE_C": 120000}},
        {"domain": "globex.com", "name": "Globex", "customFields": {"UNKNOWN_C": 1}},
    ], segmentId="seg-001")
    print(data["summary"])                                   # {'total': 2, 'created': 1, 'updated': 0, 'failed': 1}
    print([a["domain"] for a in mock.accounts()])            # ['acme.com']
    print(len(mock.segment_members("seg-001")))              # 1
    print(mock.report().splitlines()[0])                     # recotap-mock report: 1 request(s)
