import json, urllib.request

BASE = "http://127.0.0.1:8080"
KEY = "test-api-key"

def call(method, path, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(BASE + path, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request) as response:
            text = response.read()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())

# 1. Seed what the vendor would already have.
call("POST", "/_mock/reset")
call("POST", "/_mock/custom-fields", {"label": "Contract Value", "labelType": "number"})
call("POST", "/_mock/segments", {"segmentId": "seg-001", "name": "Q2 Target Accounts"})

# 2. The code under test pushes accounts (here, by hand).
status, body = call("POST", "/api/v1/accounts", {
    "segmentId": "seg-001",
    "accounts": [
        {"domain": "https://www.Acme.com/", "name": "Acme Corp", "customFields": {"CONTRACT_VALUE_C": 120000}},
        {"domain": "globex.com", "name": "Globex", "customFields": {"UNKNOWN_C": 1}},
    ],
}, {"X-Api-Key": KEY})
assert status == 200, body
print(body["data"]["summary"])   # {'total': 2, 'created': 1, 'updated': 0, 'failed': 1}
print(body["data"]["results"][1]["error"])

# 3. Read them back through the API, and inspect what the mock saw.
status, body = call("GET", "/api/v1/accounts?limit=10", headers={"X-Api-Key": KEY})
print([row["domain"] for row in body["data"]["data"]])   # ['acme.com']
status, segment = call("GET", "/_mock/segments/seg-001")
print(len(segment["members"]))                            # 1
status, journal = call("GET", "/_mock/requests")
print([(r["method"], r["path"], r["status"]) for r in journal])
