"""``traceready demo`` leaves nothing behind: on a clean exit, Ctrl-C, SIGTERM and a server crash.

Each case runs the real command in a child process whose ``TMPDIR`` is the test's own folder, so
everything the demo and its Phoenix server create (working dir, database, log, Phoenix's pid file
under ``.arize-phoenix/pids``) lands there, and the folder must be empty afterwards.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.phoenix.conftest import pid_alive, require_phoenix
from traceready.connectors.phoenix.server import TEMP_PREFIX, remove_stale_dirs

TRACEREADY = Path(sys.executable).with_name("traceready")
_SERVER_PID = re.compile(r"Started server process \[(\d+)\]")


def _server_pid(tmp: Path, child: subprocess.Popen[bytes], timeout: float = 600) -> int:
    """The Phoenix server's pid, once it serves (read from its log in the child's working dir)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert child.poll() is None, child.communicate()[1].decode()[-2000:]
        for log in tmp.glob(f"{TEMP_PREFIX}*/phoenix.log"):
            text = log.read_text(errors="replace")
            found = _SERVER_PID.search(text)
            if found and "Uvicorn running" in text:
                return int(found.group(1))
        time.sleep(0.5)
    pytest.fail("the demo's Phoenix server did not start")


@pytest.mark.parametrize(
    ("how", "code", "message"),
    [
        pytest.param("clean", 0, "", id="clean_exit"),
        pytest.param(signal.SIGINT, 130, "", id="ctrl_c"),
        pytest.param(signal.SIGTERM, 143, "", id="sigterm"),
        # Killed while it starts or while the demo loads it: one line naming the signal either way.
        pytest.param("crash", 5, "with code -9", id="server_crash"),
    ],
)
def test_demo_leaves_nothing_behind(tmp_path: Path, how: object, code: int, message: str) -> None:
    require_phoenix()
    env = {**os.environ, "TMPDIR": str(tmp_path), "NO_COLOR": "1"}
    child = subprocess.Popen(
        [str(TRACEREADY), "demo", "--format", "json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        server = None
        if how != "clean":
            server = _server_pid(tmp_path, child)
            if how == "crash":
                os.kill(server, signal.SIGKILL)
            else:
                assert isinstance(how, signal.Signals)
                child.send_signal(how)
        _, err = child.communicate(timeout=900)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()

    assert child.returncode == code, err.decode()[-2000:]
    assert message in err.decode()
    assert "Traceback" not in err.decode()
    if server is not None:
        assert not pid_alive(server)
    assert sorted(p.name for p in tmp_path.iterdir()) == [], "no working dir, log or pid file left"


def test_a_dir_left_by_a_killed_traceready_is_removed_by_the_next_start(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f"{TEMP_PREFIX}{dead.pid}-abc123"
    (stale / "pids").mkdir(parents=True)
    live = tmp_path / f"{TEMP_PREFIX}{os.getpid()}-def456"
    live.mkdir()
    other = tmp_path / f"{TEMP_PREFIX}notapid"
    other.mkdir()

    removed = remove_stale_dirs(tmp_path)

    assert removed == [stale]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, other.name])
