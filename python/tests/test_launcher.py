"""Starting, reaching and stopping the binary from Python, and installing the package: no
proxy between this package and a mock, no mock outliving the process that started it, no
start that hangs or leaves a child behind, no silent Rust download."""

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from recotap_mock import RecotapMock, RecotapMockError

PYTHON_PACKAGE = Path(__file__).resolve().parents[1]
DEAD = "http://127.0.0.1:9"  # loopback's discard port: nothing listens there

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the parent-death signal and /proc are Linux's"
)


def alive(pid):
    """Whether process ``pid`` runs: not gone, and not a zombie no one has reaped yet."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def gone_within(pids, seconds):
    """Waits up to ``seconds`` for every pid of ``pids`` to stop running; returns those still
    running."""
    deadline = time.monotonic() + seconds
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return [pid for pid in pids if alive(pid)]


def kill_if_alive(pids):
    for pid in pids:
        if alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


# 17: no proxy ----------------------------------------------------------------------------------


def test_calls_to_the_mock_never_go_through_the_proxy_of_the_environment(monkeypatch):
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, DEAD)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    # urllib's default opener reads the proxy variables once, when first used: without it, a
    # call through urlopen() now goes to the dead proxy.
    monkeypatch.setattr(urllib.request, "_opener", None)
    with RecotapMock() as mock:
        mock.add_account("acme.com", "Acme")
        with mock.session() as session:
            session.add_account("globex.com", "Globex")
            assert [account["domain"] for account in session.accounts()] == ["globex.com"]
        assert mock.account_by_domain("acme.com")["name"] == "Acme"


# 18: the binary dies with the Python process -----------------------------------------------------

STARTS_A_MOCK_AND_WAITS = """
import time
from recotap_mock import RecotapMock
mock = RecotapMock().start()
print(mock._process.pid, flush=True)
time.sleep(120)
"""


@linux_only
@pytest.mark.parametrize("signal_name", ["SIGKILL", "SIGTERM"])
def test_the_binary_dies_when_the_python_process_that_started_it_is_killed(signal_name):
    python = subprocess.Popen([sys.executable, "-c", STARTS_A_MOCK_AND_WAITS], stdout=subprocess.PIPE, text=True)
    binary = []
    try:
        line = python.stdout.readline()
        assert line.strip().isdigit(), f"the script printed {line!r}"
        binary.append(int(line))
        assert alive(binary[0])
        python.send_signal(getattr(signal, signal_name))
        python.wait(timeout=10)
        assert gone_within(binary, 5) == [], f"the binary outlived a {signal_name}ed Python"
    finally:
        if python.poll() is None:
            python.kill()
            python.wait()
        python.stdout.close()
        kill_if_alive(binary)


@linux_only
def test_a_mock_started_from_a_thread_that_ends_keeps_running():
    started = []
    thread = threading.Thread(target=lambda: started.append(RecotapMock().start()))
    thread.start()
    thread.join()
    (mock,) = started
    try:
        time.sleep(0.3)  # a parent-death signal tied to the ended thread would have fired by now
        assert alive(mock._process.pid)
        assert mock.accounts() == []
    finally:
        mock.stop()


def test_stop_waits_for_the_binary_to_exit():
    mock = RecotapMock().start()
    process = mock._process
    mock.stop()
    assert process.returncode is not None
    assert mock._process is None
    mock.stop()  # a second stop does nothing


# 19: a start that fails --------------------------------------------------------------------------

FAKE_BINARIES = {
    # Each writes the pids of whatever it leaves running to PIDS, then never prints the
    # listening line.
    "silent": 'echo $$ > "$PIDS"\nexec sleep 600\n',
    "silent, with a child holding its pipes": 'sleep 600 &\necho "$$ $!" > "$PIDS"\nwait\n',
    "printing something else first": 'sleep 600 &\necho "$$ $!" > "$PIDS"\necho "not a listening line"\nwait\n',
}


def fake_binary(tmp_path, body):
    pids = tmp_path / "pids"
    script = tmp_path / "fake-recotap-mock"
    script.write_text(f'#!/bin/sh\nPIDS="{pids}"\n{body}')
    script.chmod(0o755)
    return str(script), pids


@linux_only
@pytest.mark.parametrize("shape", list(FAKE_BINARIES))
def test_a_start_that_times_out_raises_recotap_mock_error_and_kills_the_child(tmp_path, shape):
    binary, pids_file = fake_binary(tmp_path, FAKE_BINARIES[shape])
    pids = []
    try:
        began = time.monotonic()
        with pytest.raises(RecotapMockError) as caught:
            RecotapMock(binary=binary).start(timeout=1)
        took = time.monotonic() - began
        pids += [int(pid) for pid in pids_file.read_text().split()]
        assert caught.value.status == 0
        assert caught.value.message.startswith("the binary did not start: ")
        if shape.startswith("printing"):
            assert "it printed 'not a listening line' instead of 'recotap-mock listening on'" in caught.value.message
        else:
            assert "no listening line within 1 s" in caught.value.message
        assert took < 4, f"start() took {took:.1f} s to give up"
        assert gone_within(pids, 2) == [], "the fake binary (or its child) still runs"
    finally:
        if not pids and pids_file.exists():
            pids = [int(pid) for pid in pids_file.read_text().split()]
        kill_if_alive(pids)


def test_a_binary_that_exits_at_once_raises_with_its_exit_status_and_stderr(tmp_path):
    binary, _ = fake_binary(tmp_path, 'echo "error: --port: no such flag" >&2\nexit 3\n')
    began = time.monotonic()
    with pytest.raises(RecotapMockError) as caught:
        RecotapMock(binary=binary).start(timeout=20)
    assert time.monotonic() - began < 5, "an exit must not wait for the timeout"
    assert caught.value.message == "the binary did not start: it exited with status 3: error: --port: no such flag"


# 21: no silent Rust download ----------------------------------------------------------------------

RUST_TOOLS = ("cargo", "rustc", "rustup")


def test_pip_install_without_cargo_fails_at_once_saying_cargo_is_needed_and_downloads_nothing(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    # PATH without any directory holding a Rust tool, whatever its name.
    kept = [
        directory
        for directory in os.environ.get("PATH", "").split(os.pathsep)
        if directory and not any(shutil.which(tool, path=directory) for tool in RUST_TOOLS)
    ]
    path = os.pathsep.join([str(bin_dir), *kept])
    assert shutil.which("cargo", path=path) is None
    homes = {name: tmp_path / name for name in ("cargo-home", "rustup-home", "cache")}
    for directory in homes.values():
        directory.mkdir()
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("CARGO", "RUSTUP", "RUSTC", "MATURIN", "PYTHON"))
    }
    environment.update(
        PATH=path,
        CARGO_HOME=str(homes["cargo-home"]),
        RUSTUP_HOME=str(homes["rustup-home"]),
        # Where maturin's fallback (puccinialin) would install Rust; pip's cache goes there too.
        XDG_CACHE_HOME=str(homes["cache"]),
        # Were the fallback to run after all, its download fails here at once instead of
        # fetching some 850 MB.
        RUSTUP_UPDATE_ROOT=DEAD,
        RUSTUP_DIST_SERVER=DEAD,
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    pip = subprocess.Popen(
        [str(bin_dir / "python"), "-m", "pip", "install", str(PYTHON_PACKAGE)],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=os.name != "nt",
    )
    began = time.monotonic()
    try:
        output, _ = pip.communicate(timeout=180)
    finally:
        if pip.poll() is None and os.name != "nt":
            os.killpg(pip.pid, signal.SIGKILL)
        if pip.poll() is None:
            pip.kill()
            pip.communicate()
    took = time.monotonic() - began
    assert pip.returncode != 0, output
    assert "recotap-mock: building from source needs cargo (the Rust toolchain)" in output, output
    assert "`maturin build --release -o dist` in python/" in output, output
    assert "puccinialin" not in output.lower(), output
    assert not (homes["cache"] / "puccinialin").exists()
    assert list(homes["cargo-home"].iterdir()) == [] and list(homes["rustup-home"].iterdir()) == []
    assert took < 120, f"pip took {took:.0f} s to fail"
