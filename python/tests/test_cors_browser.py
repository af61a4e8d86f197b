"""CORS from a real browser: a page served from another origin pushes an account to a mock
started with ``--cors`` and renders the answer; headless Chromium loads it and the test reads
the rendered page (``--dump-dom``). CI installs Chromium; elsewhere the test is skipped, and
runs by hand once ``chromium`` is on PATH."""

import http.server
import os
import shutil
import subprocess
import tempfile
import threading

import pytest

from recotap_mock import RecotapMock

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="headless Chromium is not installed (CI installs it: apt-get install chromium)",
)

PAGE = """<!doctype html><html><body><pre id="out">pending</pre><script>
fetch("{base}/accounts", {{
  method: "POST",
  headers: {{"Content-Type": "application/json", "X-Api-Key": "{key}"}},
  body: JSON.stringify({{accounts: [{{domain: "acme.com", name: "Acme"}}]}})
}}).then(r => r.json())
  .then(b => {{ document.getElementById("out").textContent = "summary " + JSON.stringify(b.data.summary); }})
  .catch(e => {{ document.getElementById("out").textContent = "error " + e; }});
</script></body></html>"""


def render(page: str) -> str:
    """Serves ``page`` from its own origin and returns the DOM headless Chromium renders."""
    body = page.encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with tempfile.TemporaryDirectory() as profile:
            command = [
                CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", f"--user-data-dir={profile}", "--virtual-time-budget=10000",
                "--dump-dom", f"http://127.0.0.1:{server.server_address[1]}/",
            ]
            result = subprocess.run(command, capture_output=True, text=True, timeout=120)
            return result.stdout
    finally:
        server.shutdown()


@needs_chromium
def test_a_page_on_another_origin_pushes_an_account_through_cors():
    assert CHROMIUM, "CI must have headless Chromium"
    with RecotapMock(args=["--cors"]) as mock:
        dom = render(PAGE.format(base=mock.base_url, key=mock.api_key))
        assert 'summary {"total":1,"created":1,"updated":0,"failed":0}' in dom, dom
        assert mock.account_by_domain("acme.com")["name"] == "Acme"


@needs_chromium
def test_without_cors_the_browser_refuses_to_read_the_answer():
    assert CHROMIUM, "CI must have headless Chromium"
    with RecotapMock() as mock:
        dom = render(PAGE.format(base=mock.base_url, key=mock.api_key))
        assert "error TypeError: Failed to fetch" in dom, dom
