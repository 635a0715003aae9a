"""A real Phoenix server on loopback, stopped by pid, leaving nothing behind.

``LocalPhoenix`` runs ``phoenix serve`` (arize-phoenix) as a subprocess: HTTP on 127.0.0.1 and a
free port, a temporary working dir (SQLite), telemetry, external resources and ``.env.phoenix``
discovery off, auth optional. It is stopped by its pid (SIGTERM, then SIGKILL) on exit, on errors
and on Ctrl-C. Phoenix's OTLP gRPC listener binds ``[::]`` whatever ``PHOENIX_HOST`` says (hard-coded
in ``phoenix/server/grpc_server.py``); ``PHOENIX_GRPC_PORT=0`` puts it on a random free port.

Nothing stays behind: the server's ``TMPDIR`` is its working dir, so the pid file Phoenix writes under
``$TMPDIR/.arize-phoenix/pids/`` (``phoenix/config.py`` ``get_pids_path``) goes with it, and the
working dir is removed on stop, also when the server crashed. A temporary working dir is named
after our pid (``traceready-phoenix-<pid>-…``): one left by a traceready killed with SIGKILL is
removed by the next start (``remove_stale_dirs``).
"""

from __future__ import annotations

import atexit
import contextlib
import ipaddress
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType

import httpx

from traceready.errors import VendorUnavailableError

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"
STARTUP_TIMEOUT = 300.0
"""Seconds to wait for /healthz: Phoenix takes 10-30 s on a quiet 2-core machine, minutes under load."""
STOP_TIMEOUT = 15.0
LOG_NAME = "phoenix.log"

_PORT_ATTEMPTS = 3
_TAIL_LINES = 40
_HTTP_TIMEOUT = httpx.Timeout(30.0, connect=5.0)

# Run in the child before exec: ask the kernel to SIGTERM the server if the process that started it
# dies without stopping it (killed, terminal closed). Inherited through exec; Linux only.
_EXEC_WITH_PDEATHSIG = (
    "import ctypes, os, signal, sys\n"
    "ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM))\n"
    "if os.getppid() != int(sys.argv[1]):\n"
    "    sys.exit(0)\n"
    "os.execv(sys.argv[2], sys.argv[2:])\n"
)


class LocalPhoenixError(VendorUnavailableError):
    """The local Phoenix server did not start; ``str()`` adds the tail of its log."""

    def __init__(self, message: str, *, log_path: Path, log_tail: str, kept: bool = True) -> None:
        last = log_tail.strip().splitlines()[-1:] or ["(empty)"]
        super().__init__(
            message, hint=f"server log: {log_path}" if kept else f"last log line: {last[0][:300]}"
        )
        self.log_path = log_path
        self.log_tail = log_tail

    def __str__(self) -> str:
        return f"{self.one_line()}\n--- last lines of {self.log_path} ---\n{self.log_tail}"


class _PortTakenError(Exception):
    """The server exited because its port was taken between our check and its bind."""


TEMP_PREFIX = "traceready-phoenix-"
"""Temporary working dirs are ``<tmp>/traceready-phoenix-<pid of traceready>-<random>``."""


def remove_stale_dirs(root: Path | None = None) -> list[Path]:
    """Remove temporary working dirs whose traceready process is gone (killed with SIGKILL)."""
    removed = []
    for path in Path(root or tempfile.gettempdir()).glob(f"{TEMP_PREFIX}*"):
        owner = path.name.removeprefix(TEMP_PREFIX).split("-", 1)[0]
        if owner.isdigit() and path.is_dir() and not pid_alive(int(owner)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def pid_alive(pid: int) -> bool:
    """True when a process ``pid`` exists (a zombie counts until reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def free_port(host: str = HOST) -> int:
    """A TCP port nothing listens on right now (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def listening_sockets(pid: int) -> list[tuple[str, int]]:
    """(address, port) of every TCP socket process ``pid`` listens on (Linux ``/proc``; else [])."""
    proc = Path("/proc") / str(pid)
    inodes: set[str] = set()
    try:
        for fd in (proc / "fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        return []
    found: list[tuple[str, int]] = []
    for table in ("tcp", "tcp6"):
        try:
            lines = (proc / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 10 or fields[3] != "0A" or fields[9] not in inodes:  # 0A = LISTEN
                continue
            raw_address, _, raw_port = fields[1].partition(":")
            found.append((_proc_address(raw_address), int(raw_port, 16)))
    return sorted(found)


def _proc_address(raw: str) -> str:
    """An address of ``/proc/net/tcp{,6}``: 32-bit words in host byte order."""
    data = bytes.fromhex(raw)
    if sys.byteorder == "little":
        data = b"".join(data[i : i + 4][::-1] for i in range(0, len(data), 4))
    return str(ipaddress.ip_address(data))


def _tail(path: Path, lines: int = _TAIL_LINES) -> str:
    try:
        with path.open("rb") as log:
            log.seek(0, os.SEEK_END)
            log.seek(max(0, log.tell() - 64_000))
            text = log.read().decode("utf-8", "replace")
    except OSError as exc:
        return f"(log unreadable: {exc})"
    return "\n".join(text.splitlines()[-lines:])


class LocalPhoenix:
    """A ``phoenix serve`` subprocess on 127.0.0.1, started on enter and stopped by pid on exit.

    Example::

        with LocalPhoenix() as phoenix:
            load_otlp_file(phoenix.base_url, "demo", path)

    Args:
        working_dir: Where the SQLite database and ``phoenix.log`` go; kept at exit. By default a
            temporary directory, removed at exit (kept, and named in the error, if start-up fails).
        port: HTTP port; by default a free one (retried if it is taken before the server binds it).
        enable_auth: Run with ``PHOENIX_ENABLE_AUTH=true`` and fresh secrets; every REST call then
            needs ``Authorization: Bearer`` with ``admin_secret`` or a key from ``create_system_api_key``.
        startup_timeout: Seconds to wait for ``GET /healthz``.
        stop_timeout: Seconds between SIGTERM and SIGKILL.
        env: Extra environment for the server (after ours, so it can override).
        on_wait: Called about five times a second with the seconds waited so far while the server
            starts (for a progress display).
    """

    def __init__(
        self,
        *,
        working_dir: Path | None = None,
        port: int | None = None,
        enable_auth: bool = False,
        startup_timeout: float = STARTUP_TIMEOUT,
        stop_timeout: float = STOP_TIMEOUT,
        env: Mapping[str, str] | None = None,
        on_wait: Callable[[float], None] | None = None,
    ) -> None:
        self._given_dir = working_dir
        self._on_wait = on_wait
        self._given_port = port
        self.enable_auth = enable_auth
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self._extra_env = dict(env or {})
        self.admin_secret: str | None = None
        self._secret: str | None = None
        self._dir: Path | None = None
        self._port: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._stopped = False
        self._keep_dir = working_dir is not None
        self._lock = threading.Lock()

    # -- what callers read ---------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``, the REST base and the OTLP/HTTP endpoint's host."""
        if self._port is None:
            raise RuntimeError("LocalPhoenix is not started")
        return f"http://{HOST}:{self._port}"

    @property
    def port(self) -> int:
        """The HTTP port."""
        if self._port is None:
            raise RuntimeError("LocalPhoenix is not started")
        return self._port

    @property
    def pid(self) -> int:
        """The server's process id (still readable after stop)."""
        if self._proc is None:
            raise RuntimeError("LocalPhoenix is not started")
        return self._proc.pid

    @property
    def working_dir(self) -> Path:
        """The server's ``PHOENIX_WORKING_DIR``."""
        if self._dir is None:
            raise RuntimeError("LocalPhoenix is not started")
        return self._dir

    @property
    def log_path(self) -> Path:
        """The server's stdout and stderr."""
        return self.working_dir / LOG_NAME

    @property
    def running(self) -> bool:
        """True while the server process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def exited_within(self, seconds: float) -> bool:
        """True when the server process has exited, or exits within ``seconds`` (a kill is not instant)."""
        if self._proc is None:
            return True
        try:
            self._proc.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            return False
        return True

    @property
    def returncode(self) -> int | None:
        """The server's exit code once it has exited (negative: killed by that signal), else None."""
        return None if self._proc is None else self._proc.poll()

    @property
    def admin_headers(self) -> dict[str, str]:
        """``Authorization`` with the admin secret in auth mode, else no headers."""
        return {"Authorization": f"Bearer {self.admin_secret}"} if self.admin_secret else {}

    def listeners(self) -> list[tuple[str, int]]:
        """(address, port) the server listens on (Linux; [] elsewhere)."""
        return listening_sockets(self.pid) if self.running else []

    # -- life cycle ----------------------------------------------------------------------------

    def __enter__(self) -> LocalPhoenix:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> LocalPhoenix:
        """Start the server and wait until ``/healthz`` answers; on any failure it is stopped."""
        with self._lock:
            if self._proc is not None:
                raise RuntimeError("LocalPhoenix was already started; use a new instance")
            if self._given_dir is not None:
                self._given_dir.mkdir(parents=True, exist_ok=True)
                self._dir = self._given_dir
            else:
                remove_stale_dirs()
                self._dir = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-"))
            if self.enable_auth:
                self._secret = _make_secret()
                self.admin_secret = _make_secret()
        atexit.register(self.stop)
        try:
            attempts = 1 if self._given_port is not None else _PORT_ATTEMPTS
            for attempt in range(1, attempts + 1):
                self._port = self._given_port or free_port()
                self._spawn()
                try:
                    self._wait_ready()
                except _PortTakenError:
                    self._terminate()
                    if attempt == attempts:
                        raise self._error(f"port {self._port} was taken by another process") from None
                    logger.info("Phoenix port %d was taken; retrying on another", self._port)
                    continue
                break
        except BaseException:
            self.stop()
            raise
        logger.info("Phoenix %s ready (pid %d, log %s)", self.base_url, self.pid, self.log_path)
        return self

    def stop(self) -> None:
        """Stop the server by its pid (SIGTERM, SIGKILL after ``stop_timeout``); idempotent."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        try:
            self._terminate()
        finally:
            atexit.unregister(self.stop)
            if self._dir is not None and not self._keep_dir:
                shutil.rmtree(self._dir, ignore_errors=True)

    def create_system_api_key(self, name: str = "traceready") -> str:
        """A new system API key (``POST /v1/system/api_keys`` with the admin secret); auth mode only."""
        if not self.admin_secret:
            raise RuntimeError("create_system_api_key needs LocalPhoenix(enable_auth=True)")
        with loopback_client(self.base_url, self.admin_headers) as http:
            response = http.post("/v1/system/api_keys", json={"data": {"name": name}})
            raise_for_status(response, "create a system API key")
        key: str = response.json()["data"]["key"]
        return key

    # -- internals -----------------------------------------------------------------------------

    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PHOENIX_")}
        env.update(
            PHOENIX_HOST=HOST,
            PHOENIX_PORT=str(self.port),
            PHOENIX_GRPC_PORT="0",
            PHOENIX_WORKING_DIR=str(self.working_dir),
            TMPDIR=str(self.working_dir),  # its pid file (.arize-phoenix/pids/<pid>) goes with the dir
            PHOENIX_TELEMETRY_ENABLED="false",
            PHOENIX_ALLOW_EXTERNAL_RESOURCES="false",
            PHOENIX_DISCOVER_CONFIG="false",
            PHOENIX_LOG_MIGRATIONS="false",
            PYTHONUNBUFFERED="1",
        )
        if self.enable_auth:
            assert self._secret is not None
            assert self.admin_secret is not None
            env.update(
                PHOENIX_ENABLE_AUTH="true",
                PHOENIX_SECRET=self._secret,
                PHOENIX_ADMIN_SECRET=self.admin_secret,
            )
        env.update(self._extra_env)
        return env

    def _command(self) -> list[str]:
        script = Path(sys.executable).with_name("phoenix")
        if script.is_file() and os.access(script, os.X_OK):
            command = [str(script), "serve"]
        else:
            command = [sys.executable, "-m", "phoenix.server.main", "serve"]
        if sys.platform == "linux" and threading.current_thread() is threading.main_thread():
            # PDEATHSIG follows the thread that forked; only the main thread lives as long as we do.
            command = [sys.executable, "-I", "-c", _EXEC_WITH_PDEATHSIG, str(os.getpid()), *command]
        return command

    def _spawn(self) -> None:
        with self.log_path.open("ab") as log:
            log.write(f"--- traceready: phoenix serve on {self.base_url} ---\n".encode())
            log.flush()
            self._proc = subprocess.Popen(
                self._command(),
                cwd=self.working_dir,
                env=self._environment(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches us, not it: we stop it by pid
            )

    def _wait_ready(self) -> None:
        assert self._proc is not None
        started = time.monotonic()
        deadline = started + self.startup_timeout
        with loopback_client(self.base_url, {}, timeout=httpx.Timeout(2.0)) as http:
            while True:
                code = self._proc.poll()
                if code is not None:
                    if "address already in use" in _tail(self.log_path, 10):
                        raise _PortTakenError
                    raise self._error(f"Phoenix exited with code {code} before it was ready")
                try:
                    healthy = http.get("/healthz").status_code == 200
                except httpx.TransportError:
                    healthy = False
                if healthy and self._proc.poll() is None and self._owns_port():
                    return
                if time.monotonic() > deadline:
                    raise self._error(f"Phoenix did not answer /healthz within {self.startup_timeout:.0f} s")
                if self._on_wait is not None:
                    self._on_wait(time.monotonic() - started)
                time.sleep(0.2)

    def _owns_port(self) -> bool:
        """Whether the answer came from our process (not another server on the same port)."""
        if sys.platform != "linux":
            return True
        return (HOST, self.port) in listening_sockets(self.pid)

    def _error(self, message: str) -> LocalPhoenixError:
        # A temporary dir (and its log) is removed on stop: the error carries the log's last lines.
        return LocalPhoenixError(
            message, log_path=self.log_path, log_tail=_tail(self.log_path), kept=self._keep_dir
        )

    def _terminate(self) -> None:
        proc = self._proc
        if proc is None or proc.poll() is not None:
            return
        try:
            proc.send_signal(signal.SIGTERM)  # by pid; Popen skips it if the pid was reaped
            try:
                proc.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                logger.warning(
                    "Phoenix (pid %d) ignored SIGTERM for %.0f s; killing it", proc.pid, self.stop_timeout
                )
                proc.kill()
                proc.wait(5)
        except BaseException:
            # A second Ctrl-C while waiting: do not leave the server behind.
            proc.kill()
            proc.wait(5)
            raise
        finally:
            _kill_leftovers(proc.pid)


def _kill_leftovers(group: int) -> None:
    """SIGKILL what is left of the server's own process group (children it may have spawned)."""
    try:
        os.killpg(group, 0)
    except (ProcessLookupError, PermissionError):
        return
    logger.warning("Phoenix left processes in its group %d; killing them", group)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signal.SIGKILL)


def _make_secret() -> str:
    """A Phoenix secret: at least 32 characters, with a digit and a lowercase letter."""
    return "tr0" + secrets.token_hex(24)


def loopback_client(
    base_url: str, headers: Mapping[str, str] | None, *, timeout: httpx.Timeout = _HTTP_TIMEOUT
) -> httpx.Client:
    """An httpx client for the local server."""
    # trust_env=False: no proxy from HTTP(S)_PROXY, no .netrc; the server is on loopback.
    return httpx.Client(base_url=base_url, headers=dict(headers or {}), timeout=timeout, trust_env=False)


def raise_for_status(response: httpx.Response, what: str) -> None:
    """A RuntimeError naming ``what`` failed, on a 4xx or 5xx answer."""
    if response.status_code >= 400:
        raise RuntimeError(
            f"Phoenix answered {response.status_code} when asked to {what}: {response.text[:500]}"
        )
