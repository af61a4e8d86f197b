"""Starting the ``recotap-mock`` binary so that it never outlives the Python process that
started it, and reading its output pipes without ever letting them fill."""

from __future__ import annotations

import ctypes
import os
import queue
import signal
import subprocess
import sys
import threading
from typing import IO, Any, Callable, Dict, List, Optional, Tuple


# Starting the binary -----------------------------------------------------------------------
#
# On Linux the binary is started with the parent-death signal (prctl PR_SET_PDEATHSIG): the
# kernel sends it SIGTERM when the Python process that started it dies, however it dies
# (SIGKILL, SIGTERM, a crash), so a killed test run leaves no mock behind. The kernel ties
# that signal to the *thread* that forked the child, not to the process: a mock started from
# a worker thread would be stopped when that thread ends. So every binary is started from one
# daemon thread of this module, which lives as long as the process. The binary also leads a
# process group of its own there, so that a start that fails, and ``stop``, reach whatever it
# started (a wrapper script's real binary) too. Elsewhere the binary is started from the
# caller's thread, in the caller's process group, as a plain child.

_PR_SET_PDEATHSIG = 1
_UNRESOLVED = object()
_prctl: Any = _UNRESOLVED
_spawner_lock = threading.Lock()
_spawner: Optional[Tuple[int, "queue.Queue[Any]"]] = None  # (pid of its process, its jobs)


def _linux_prctl() -> Optional[Callable[..., int]]:
    """libc's ``prctl``, resolved once in this process (never in a forked child, where loading
    a library could deadlock); ``None`` when not on Linux or libc has none."""
    global _prctl
    if _prctl is _UNRESOLVED:
        _prctl = None
        if sys.platform.startswith("linux"):
            try:
                function = ctypes.CDLL(None, use_errno=True).prctl
            except (OSError, AttributeError):
                pass
            else:
                function.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
                function.restype = ctypes.c_int
                _prctl = function
    return _prctl


def _popen(command: List[str], environment: Dict[str, str], prctl: Optional[Callable[..., int]]) -> subprocess.Popen:
    """Starts ``command`` with its stdout and stderr piped (bytes) and no stdin; with
    ``prctl``, in a process group of its own and with SIGTERM as its parent-death signal.
    Raises ``OSError`` when the command cannot be executed."""
    preexec: Optional[Callable[[], None]] = None
    if prctl is not None:
        parent = os.getpid()

        def die_with_parent() -> None:
            prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
            if os.getppid() != parent:  # the parent died before the signal was armed
                os._exit(1)

        preexec = die_with_parent

    return subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
        start_new_session=prctl is not None,
        preexec_fn=preexec,
    )


def _serve_spawns(jobs: "queue.Queue[Any]", prctl: Callable[..., int]) -> None:
    """The spawner thread: starts each command it is handed and hands back the process (or
    the exception starting it raised)."""
    while True:
        command, environment, answer = jobs.get()
        try:
            answer.put(_popen(command, environment, prctl))
        except BaseException as error:  # handed to the caller, which raises it
            answer.put(error)


def _spawn(command: List[str], environment: Dict[str, str]) -> Tuple[subprocess.Popen, bool]:
    """Starts the binary (see above); returns the process, and whether it leads a process
    group of its own. Raises ``OSError`` when it cannot be executed."""
    global _spawner
    prctl = _linux_prctl()
    if prctl is None:
        return _popen(command, environment, None), False
    with _spawner_lock:
        # A forked copy of this process has the queue but not the thread: it starts its own.
        if _spawner is None or _spawner[0] != os.getpid():
            jobs: "queue.Queue[Any]" = queue.Queue()
            threading.Thread(target=_serve_spawns, args=(jobs, prctl), name="recotap-mock-spawner", daemon=True).start()
            _spawner = (os.getpid(), jobs)
        jobs = _spawner[1]
    answer: "queue.Queue[Any]" = queue.Queue(maxsize=1)
    jobs.put((command, environment, answer))
    outcome = answer.get()
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome, True


def _signal(process: subprocess.Popen, group: bool, *, kill: bool) -> None:
    """Sends SIGTERM (``kill``: SIGKILL) to ``process``, or to every process of its group
    when it leads one of its own. A process already gone is no error."""
    if group:
        try:
            os.killpg(process.pid, signal.SIGKILL if kill else signal.SIGTERM)
            return
        except ProcessLookupError:
            return
        except PermissionError:  # the group holds a process of another user: the binary alone
            pass
    if process.returncode is None:
        try:
            process.kill() if kill else process.terminate()
        except ProcessLookupError:
            pass


class _Pipe:
    """Reads one of the binary's output pipes on a daemon thread until its end, so that the
    binary can never block on a full pipe: ``first_line`` (``None`` until read; ``b""`` when
    the pipe ended first) and the last ``keep`` bytes of everything."""

    def __init__(self, stream: IO[bytes], keep: int) -> None:
        self.first_line: Optional[bytes] = None
        self.line_read = threading.Event()
        self._keep = keep
        self._tail = bytearray()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: IO[bytes]) -> None:
        try:
            self.first_line = stream.readline()
            self.line_read.set()
            chunk = self.first_line
            while chunk:
                with self._lock:
                    self._tail += chunk
                    del self._tail[: max(0, len(self._tail) - self._keep)]
                chunk = stream.read1(65536)  # type: ignore[attr-defined]
        except (OSError, ValueError):
            pass
        finally:
            self.line_read.set()
            stream.close()

    def text(self, wait: float = 0.0) -> str:
        """What was kept, decoded, after waiting up to ``wait`` seconds for the pipe's end."""
        self._thread.join(wait)
        with self._lock:
            return bytes(self._tail).decode(errors="replace")
