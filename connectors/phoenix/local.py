"""A real Phoenix server on loopback, and the data the demo and the end-to-end tests load into it.

``LocalPhoenix`` runs ``phoenix serve`` (arize-phoenix) as a subprocess: HTTP on 127.0.0.1 and a
free port, a temporary working dir (SQLite), telemetry, external resources and ``.env.phoenix``
discovery off, auth optional. It is stopped by its pid (SIGTERM, then SIGKILL) on exit, on errors
and on Ctrl-C. Phoenix's OTLP gRPC listener binds ``[::]`` whatever ``PHOENIX_HOST`` says (hard-coded
in ``phoenix/server/grpc_server.py``); ``PHOENIX_GRPC_PORT=0`` puts it on a random free port.

Seeding talks to the REST API with httpx rather than the official ``arize-phoenix-client``:

- ``import phoenix.client`` runs the server package's ``phoenix/__init__.py`` when arize-phoenix is
  installed (both live in the ``phoenix`` namespace), importing the whole server app: ~11 s on a
  2-core machine, as long as the server takes to start, against ~0.3 s for this module.
- ``run_experiment`` prints to stdout and draws tqdm bars on stderr (the demo owns the terminal), and
  exports its task spans with ``requests``, which sends even loopback requests through
  ``HTTP(S)_PROXY`` when set; our httpx clients ignore the environment (``trust_env=False``).
- The client has no annotation-config API.

The calls are the ones the client makes: ``POST /v1/datasets/upload?sync=true``,
``POST /v1/datasets/{id}/experiments``, ``POST /v1/experiments/{id}/runs``,
``POST /v1/experiment_evaluations``, ``POST /v1/prompts``, ``POST /v1/prompt_versions/{id}/tags``,
plus ``POST /v1/annotation_configs`` and ``POST /v1/span_annotations?sync=true``. Spans go to
``POST /v1/traces``, which accepts only protobuf (``application/x-protobuf``): OTLP/JSON lines are
converted with ``google.protobuf.json_format`` (ids hex to base64), keeping ids and timestamps.
Verified on Phoenix 20.26.1.
"""

from __future__ import annotations

import atexit
import base64
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
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TypedDict

import httpx
import orjson

from traceready.errors import VendorUnavailableError
from traceready.files import open_trace_file

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"
STARTUP_TIMEOUT = 120.0
STOP_TIMEOUT = 15.0
LOG_NAME = "phoenix.log"
PROJECT_ATTRIBUTE = "openinference.project.name"

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

    def __init__(self, message: str, *, log_path: Path, log_tail: str) -> None:
        super().__init__(message, hint=f"server log: {log_path}")
        self.log_path = log_path
        self.log_tail = log_tail

    def __str__(self) -> str:
        return f"{self.one_line()}\n--- last lines of {self.log_path} ---\n{self.log_tail}"


class _PortTakenError(Exception):
    """The server exited because its port was taken between our check and its bind."""


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
                self._dir = Path(tempfile.mkdtemp(prefix="traceready-phoenix-"))
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
        except LocalPhoenixError:
            self._keep_dir = True  # the log explains the failure; say where it is
            self.stop()
            raise
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
        with _http(self.base_url, self.admin_headers) as http:
            response = http.post("/v1/system/api_keys", json={"data": {"name": name}})
            _raise_for_status(response, "create a system API key")
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
        with _http(self.base_url, {}, timeout=httpx.Timeout(2.0)) as http:
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
        return LocalPhoenixError(message, log_path=self.log_path, log_tail=_tail(self.log_path))

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


def _http(
    base_url: str, headers: Mapping[str, str] | None, *, timeout: httpx.Timeout = _HTTP_TIMEOUT
) -> httpx.Client:
    # trust_env=False: no proxy from HTTP(S)_PROXY, no .netrc; the server is on loopback.
    return httpx.Client(base_url=base_url, headers=dict(headers or {}), timeout=timeout, trust_env=False)


def _raise_for_status(response: httpx.Response, what: str) -> None:
    if response.status_code >= 400:
        raise RuntimeError(
            f"Phoenix answered {response.status_code} when asked to {what}: {response.text[:500]}"
        )


# -- spans ---------------------------------------------------------------------------------------


def iter_otlp_requests(path: Path) -> Iterator[dict[str, Any]]:
    """Each ``ExportTraceServiceRequest`` of an OTLP/JSON file (JSON Lines, or one document or array).

    Plain, gzip or zstd, like ``traceready audit otel``. Unlike the audit's reader, a line that is not
    JSON is an error here: a fixture that cannot be loaded whole must not load in part.
    """
    with open_trace_file(path) as stream:
        first = stream.readline()
        try:
            head = orjson.loads(first) if first.strip() else None
        except orjson.JSONDecodeError:
            head = orjson.loads(first + stream.read())  # one pretty-printed document or array
            yield from head if isinstance(head, list) else [head]
            return
        if head is not None:
            yield from head if isinstance(head, list) else [head]
        for number, line in enumerate(stream, start=2):
            if not line.strip():
                continue
            try:
                yield orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise ValueError(f"{path.name} line {number} is not JSON: {exc}") from None


def _id_for_protobuf(value: Any) -> Any:
    """OTLP/JSON ids are hex; protobuf's JSON mapping wants base64 for ``bytes`` fields."""
    if isinstance(value, str) and len(value) in (16, 32):
        try:
            return base64.b64encode(bytes.fromhex(value)).decode("ascii")
        except ValueError:
            return value  # already base64 (a generic protobuf-to-JSON dump)
    return value


def _prepare_request(request: dict[str, Any], project: str) -> int:
    """Route ``request`` to ``project`` and make its ids base64, in place; the number of spans."""
    spans = 0
    resource_spans = request.get("resourceSpans", request.get("resource_spans")) or []
    for resource_span in resource_spans:
        resource = resource_span.setdefault("resource", {})
        attributes = [a for a in resource.get("attributes") or [] if a.get("key") != PROJECT_ATTRIBUTE]
        attributes.append({"key": PROJECT_ATTRIBUTE, "value": {"stringValue": project}})
        resource["attributes"] = attributes
        for scope_span in resource_span.get("scopeSpans", resource_span.get("scope_spans")) or []:
            for span in scope_span.get("spans") or []:
                spans += 1
                for key in ("traceId", "trace_id", "spanId", "span_id", "parentSpanId", "parent_span_id"):
                    if key in span:
                        span[key] = _id_for_protobuf(span[key])
                for link in span.get("links") or []:
                    for key in ("traceId", "trace_id", "spanId", "span_id"):
                        if key in link:
                            link[key] = _id_for_protobuf(link[key])
    return spans


def _to_protobuf(request: dict[str, Any]) -> bytes:
    try:
        from google.protobuf.json_format import ParseDict  # type: ignore[import-untyped,unused-ignore]
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
    except ImportError as exc:  # pragma: no cover - both come with arize-phoenix
        raise RuntimeError(
            f"loading spans into Phoenix needs opentelemetry-proto ({exc}); pip install 'traceready[phoenix]'"
        ) from None
    message = ParseDict(request, ExportTraceServiceRequest())
    data: bytes = message.SerializeToString()
    return data


def post_otlp_requests(
    base_url: str,
    project: str,
    requests: Iterator[dict[str, Any]] | list[dict[str, Any]],
    *,
    headers: Mapping[str, str] | None = None,
) -> int:
    """POST OTLP/JSON requests to ``/v1/traces`` as protobuf, routed to ``project``; spans sent."""
    sent = 0
    with _http(base_url, headers) as http:
        for request in requests:
            spans = _prepare_request(request, project)
            if not spans:
                continue
            response = http.post(
                "/v1/traces",
                content=_to_protobuf(request),
                headers={"Content-Type": "application/x-protobuf"},
            )
            _raise_for_status(response, f"take {spans} spans for project {project}")
            sent += spans
    return sent


def load_otlp_file(
    base_url: str, project: str, path: Path, *, headers: Mapping[str, str] | None = None
) -> int:
    """Send every span of an OTLP/JSON file to Phoenix's project ``project``; the number of spans sent.

    Ids, timestamps, attributes and events are kept; only the resource attribute
    ``openinference.project.name`` is set (replaced) to route the spans. Ingestion is asynchronous:
    follow with ``wait_for_spans``.
    """
    return post_otlp_requests(base_url, project, iter_otlp_requests(Path(path)), headers=headers)


def count_spans(base_url: str, project: str, *, headers: Mapping[str, str] | None = None) -> int:
    """Spans of ``project`` queryable now (0 if Phoenix has not created the project yet)."""
    total = 0
    cursor: str | None = None
    with _http(base_url, headers) as http:
        while True:
            params: dict[str, Any] = {"limit": 1000}
            if cursor:
                params["cursor"] = cursor
            response = http.get(f"/v1/projects/{project}/spans", params=params)
            if response.status_code == 404:
                return 0
            _raise_for_status(response, f"list the spans of {project}")
            body = response.json()
            total += len(body["data"])
            cursor = body.get("next_cursor")
            if not cursor:
                return total


def wait_for_spans(
    base_url: str,
    project: str,
    expected: int,
    *,
    headers: Mapping[str, str] | None = None,
    timeout: float = 120,
) -> int:
    """Poll until at least ``expected`` spans of ``project`` are queryable; the count seen.

    Raises:
        TimeoutError: naming how many spans were queryable when ``timeout`` ran out.
    """
    deadline = time.monotonic() + timeout
    delay = 0.1
    while True:
        seen = count_spans(base_url, project, headers=headers)
        if seen >= expected:
            return seen
        if time.monotonic() + delay > deadline:
            raise TimeoutError(
                f"only {seen} of {expected} spans of project {project} queryable after {timeout:.0f} s"
            )
        time.sleep(delay)
        delay = min(delay * 1.5, 2.0)


# -- demo extras ---------------------------------------------------------------------------------

DATASET_NAME = "travel-agent-regression"
EXPERIMENT_NAME = "travel-agent@1.4.0"
HARNESS_VERSION = "travel-agent@1.4.0"
EVALUATOR_NAME = "mentions_expected"
ANNOTATION_CONFIG = "failure_type"
ANNOTATION_IDENTIFIER = "traceready-demo"
PROMPT_NAME = "travel-agent-system"
PROMPT_TAG = "production"

TRAIL_LABELS: tuple[str, ...] = (
    # Reasoning errors
    "reasoning_error",
    "hallucination",
    "tool_selection_error",
    "instruction_non_compliance",
    # Planning and coordination errors
    "planning_error",
    "goal_deviation",
    "context_handling_failure",
    # System execution errors
    "tool_execution_error",
    "timeout",
    "rate_limit",
    "authentication_error",
    "service_error",
)
"""``failure_type`` labels after TRAIL (Deshpande et al., 2025, arXiv:2505.08638): its three top
categories and the leaves a tool-using agent meets most."""

_SYSTEM_TEMPLATE = (
    "You are a concise travel assistant helping {{traveller}}. Today is {{date}}. "
    "Use get_weather for weather questions and convert_currency for money questions; "
    "if a tool fails, say so honestly."
)
_EXAMPLES: tuple[tuple[str, str], ...] = (
    ("What's the weather in Paris right now?", "partly cloudy"),
    ("Compare the weather in Tokyo and London today.", "light rain"),
    ("Please convert 250 USD to EUR.", "230"),
    ("What's the weather in Lisbon this afternoon?", "sunny"),
)
_WEATHER: dict[str, tuple[int, str]] = {
    "Paris": (18, "partly cloudy"),
    "Tokyo": (24, "sunny"),
    "London": (12, "light rain"),
}


class DemoExtras(TypedDict):
    """What ``seed_demo_extras`` created."""

    dataset_id: str
    dataset_name: str
    examples: int
    experiment_id: str
    experiment_project: str
    runs: int
    evaluations: int
    annotation_config_id: str
    annotation_labels: int
    annotated_span_id: str | None
    span_annotation_id: str | None
    prompt_name: str
    prompt_version_id: str
    prompt_tag: str


def travel_agent_stub(question: str) -> str:
    """The experiment's task: the sample agent's tools as a deterministic rule (no network, no LLM)."""
    if "convert" in question.lower():
        amount = next(
            (float(w) for w in question.rstrip(".?!").split() if w.replace(".", "", 1).isdigit()), None
        )
        if amount is None:
            return "How much should I convert?"
        return f"{amount:g} USD is {round(amount * 0.92, 2):g} EUR."
    cities = [c for c in ("Paris", "Tokyo", "London", "Lisbon") if c in question]
    parts = []
    for city in cities:
        if city == "Lisbon":
            parts.append("Sorry, the weather service timed out for Lisbon.")
        else:
            temp, conditions = _WEATHER[city]
            parts.append(f"{city}: {temp} C, {conditions}.")
    return " ".join(parts) or "I can help with weather and currency questions."


def _mentions_expected(output: str, expected: str) -> tuple[float, str, str]:
    hit = expected.lower() in output.lower()
    return (1.0 if hit else 0.0), ("pass" if hit else "fail"), f"expected mention of {expected!r}"


def _iso(moment_ns: int) -> str:
    return datetime.fromtimestamp(moment_ns / 1e9, UTC).isoformat()


def _span_json(
    name: str, kind: str, trace_id: str, start_ns: int, end_ns: int, io_pair: tuple[str, str]
) -> dict[str, Any]:
    attributes = {
        "openinference.span.kind": kind,
        "input.value": io_pair[0],
        "input.mime_type": "application/json",
        "output.value": io_pair[1],
        "output.mime_type": "application/json",
    }
    return {
        "traceId": trace_id,
        "spanId": secrets.token_hex(8),
        "name": name,
        "kind": 1,
        "startTimeUnixNano": str(start_ns),
        "endTimeUnixNano": str(end_ns),
        "attributes": [{"key": k, "value": {"stringValue": v}} for k, v in attributes.items()],
        "status": {"code": 1},
    }


def _otlp_request(spans: list[dict[str, Any]], scope: str) -> dict[str, Any]:
    return {
        "resourceSpans": [
            {"resource": {"attributes": []}, "scopeSpans": [{"scope": {"name": scope}, "spans": spans}]}
        ]
    }


def _run_experiment(
    http: httpx.Client,
    base_url: str,
    headers: Mapping[str, str] | None,
    dataset_id: str,
    version_id: str,
    examples: list[dict[str, Any]],
) -> tuple[dict[str, Any], int, int]:
    """Create the experiment, run the task and the evaluator per example, record runs, traces, scores."""
    response = http.post(
        f"/v1/datasets/{dataset_id}/experiments",
        json={
            "name": EXPERIMENT_NAME,
            "description": "Regression questions for the travel agent, answered by its deterministic stub.",
            "metadata": {"harness_version": HARNESS_VERSION},
            "version_id": version_id,
            "repetitions": 1,
        },
    )
    _raise_for_status(response, "create an experiment")
    experiment: dict[str, Any] = response.json()["data"]
    spans: list[dict[str, Any]] = []
    runs = evaluations = 0
    for example in examples:
        question = str(example["input"]["question"])
        expected = str(example["output"]["must_mention"])
        trace_id = secrets.token_hex(16)
        start = time.time_ns()
        answer = travel_agent_stub(question)
        end = max(time.time_ns(), start + 1000)
        spans.append(
            _span_json(
                "Task: travel_agent_stub",
                "CHAIN",
                trace_id,
                start,
                end,
                (orjson.dumps({"question": question}).decode(), orjson.dumps({"answer": answer}).decode()),
            )
        )
        response = http.post(
            f"/v1/experiments/{experiment['id']}/runs",
            json={
                "dataset_example_id": example["id"],
                "output": {"answer": answer},
                "repetition_number": 1,
                "start_time": _iso(start),
                "end_time": _iso(end),
                "trace_id": trace_id,
            },
        )
        _raise_for_status(response, "record an experiment run")
        run_id = response.json()["data"]["id"]
        runs += 1
        eval_trace = secrets.token_hex(16)
        eval_start = time.time_ns()
        score, label, explanation = _mentions_expected(answer, expected)
        eval_end = max(time.time_ns(), eval_start + 1000)
        spans.append(
            _span_json(
                f"Evaluation: {EVALUATOR_NAME}",
                "EVALUATOR",
                eval_trace,
                eval_start,
                eval_end,
                (
                    orjson.dumps({"answer": answer, "expected": expected}).decode(),
                    orjson.dumps({"score": score, "label": label}).decode(),
                ),
            )
        )
        response = http.post(
            "/v1/experiment_evaluations",
            json={
                "experiment_run_id": run_id,
                "name": EVALUATOR_NAME,
                "annotator_kind": "CODE",
                "start_time": _iso(eval_start),
                "end_time": _iso(eval_end),
                "result": {"score": score, "label": label, "explanation": explanation},
                "trace_id": eval_trace,
            },
        )
        _raise_for_status(response, "record an evaluation")
        evaluations += 1
    post_otlp_requests(
        base_url, str(experiment["project_name"]), [_otlp_request(spans, "traceready.demo")], headers=headers
    )
    return experiment, runs, evaluations


def seed_demo_extras(base_url: str, project: str, *, headers: Mapping[str, str] | None = None) -> DemoExtras:
    """Create what the demo shows besides spans; returns what was created.

    A dataset, an experiment over it scored by a code evaluator, a categorical failure taxonomy, a
    label on the failed tool span of ``project`` and a prompt version tagged ``production``.

    Everything goes to ``base_url`` and nowhere else; the experiment's task and evaluator are local
    deterministic functions. Meant for a fresh server: names are fixed, and Phoenix refuses a second
    dataset or annotation config of the same name (409).
    """
    with _http(base_url, headers) as http:
        # (a) dataset
        response = http.post(
            "/v1/datasets/upload",
            params={"sync": "true"},
            json={
                "action": "create",
                "name": DATASET_NAME,
                "description": "Travel-agent questions with the fact a good answer mentions.",
                "inputs": [{"question": q} for q, _ in _EXAMPLES],
                "outputs": [{"must_mention": m} for _, m in _EXAMPLES],
                "metadata": [{"source": "traceready demo"} for _ in _EXAMPLES],
            },
        )
        _raise_for_status(response, "create a dataset")
        dataset = response.json()["data"]
        response = http.get(f"/v1/datasets/{dataset['dataset_id']}/examples")
        _raise_for_status(response, "list the dataset's examples")
        examples: list[dict[str, Any]] = response.json()["data"]["examples"]

        # (b) experiment with a code evaluator
        experiment, runs, evaluations = _run_experiment(
            http, base_url, headers, dataset["dataset_id"], dataset["version_id"], examples
        )

        # (c) categorical failure taxonomy
        response = http.post(
            "/v1/annotation_configs",
            json={
                "name": ANNOTATION_CONFIG,
                "type": "CATEGORICAL",
                "description": "Agent failure type after the TRAIL taxonomy (arXiv:2505.08638).",
                "optimization_direction": "NONE",
                "values": [{"label": label} for label in TRAIL_LABELS],
            },
        )
        _raise_for_status(response, f"create the {ANNOTATION_CONFIG} annotation config")
        config = response.json()["data"]

        # (d) the failed tool span, labelled
        annotated_span_id, annotation_id = _label_failed_tool_span(http, project)

        # (e) prompt version tagged production
        response = http.post(
            "/v1/prompts",
            json={
                "prompt": {"name": PROMPT_NAME, "description": "System prompt of the travel agent."},
                "version": {
                    "description": "travel-prompt-v3",
                    "model_provider": "OPENAI",
                    "model_name": "gpt-4o-mini",
                    "template": {
                        "type": "chat",
                        "messages": [{"role": "system", "content": _SYSTEM_TEMPLATE}],
                    },
                    "template_type": "CHAT",
                    "template_format": "MUSTACHE",
                    "invocation_parameters": {
                        "type": "openai",
                        "openai": {"temperature": 0, "seed": 7, "max_tokens": 256},
                    },
                },
            },
        )
        _raise_for_status(response, "create a prompt")
        prompt_version_id = str(response.json()["data"]["id"])
        response = http.post(f"/v1/prompt_versions/{prompt_version_id}/tags", json={"name": PROMPT_TAG})
        _raise_for_status(response, f"tag the prompt version {PROMPT_TAG}")

    return DemoExtras(
        dataset_id=str(dataset["dataset_id"]),
        dataset_name=DATASET_NAME,
        examples=len(examples),
        experiment_id=str(experiment["id"]),
        experiment_project=str(experiment["project_name"]),
        runs=runs,
        evaluations=evaluations,
        annotation_config_id=str(config["id"]),
        annotation_labels=len(TRAIL_LABELS),
        annotated_span_id=annotated_span_id,
        span_annotation_id=annotation_id,
        prompt_name=PROMPT_NAME,
        prompt_version_id=prompt_version_id,
        prompt_tag=PROMPT_TAG,
    )


def _label_failed_tool_span(http: httpx.Client, project: str) -> tuple[str | None, str | None]:
    """Label the first TOOL span with status ERROR; (span id, annotation id), or Nones if none failed."""
    response = http.get(
        f"/v1/projects/{project}/spans", params={"span_kind": "TOOL", "status_code": "ERROR", "limit": 1}
    )
    _raise_for_status(response, f"find the failed tool span of {project}")
    failed = response.json()["data"]
    if not failed:
        logger.warning("project %s has no failed tool span; no failure_type label added", project)
        return None, None
    span = failed[0]
    span_id = str(span["context"]["span_id"])
    message = str(span.get("status_message") or "")
    errors = " ".join(
        str((e.get("attributes") or {}).get("exception.type", "")) for e in span.get("events") or []
    )
    timed_out = "timeout" in f"{message} {errors}".lower() or "timed out" in message.lower()
    response = http.post(
        "/v1/span_annotations",
        params={"sync": "true"},
        json={
            "data": [
                {
                    "span_id": span_id,
                    "name": ANNOTATION_CONFIG,
                    "annotator_kind": "HUMAN",
                    "result": {
                        "label": "timeout" if timed_out else "tool_execution_error",
                        "explanation": f"{span.get('name')} failed: {message}".strip(),
                    },
                    "metadata": {"taxonomy": "TRAIL"},
                    "identifier": ANNOTATION_IDENTIFIER,
                }
            ]
        },
    )
    _raise_for_status(response, "annotate the failed tool span")
    return span_id, str(response.json()["data"][0]["id"])
