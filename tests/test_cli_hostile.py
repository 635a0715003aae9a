"""The command line on hostile input: the right exit code with and without --debug, outputs checked
before the audit, any file name, the window and the bar said in the user's words."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from tests.conftest import SAMPLES
from traceready.cli import app

FULL = str(SAMPLES / "openinference_full.otlp.jsonl")


def invoke(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, list(args), env=env)


@pytest.mark.parametrize(
    ("args", "code"),
    [
        pytest.param(("audit", "otel", "/nonexistent/traces.jsonl"), 4, id="missing_file"),
        pytest.param(("audit", "otel", FULL, "--format", "yaml"), 2, id="bad_format"),
        pytest.param(("audit", "phoenix", "--since", "0d"), 2, id="empty_window"),
        pytest.param(("audit", "otel", FULL, "--fail-under", "1.0"), 1, id="below_the_bar"),
    ],
)
def test_exit_codes_are_the_same_with_debug(args: tuple[str, ...], code: int) -> None:
    plain, debug = invoke(*args), invoke(*args, "--debug")
    assert plain.exit_code == code, plain.output
    assert debug.exit_code == code, debug.output


@pytest.mark.parametrize(
    ("path", "what"),
    [
        pytest.param("/dev/zero", "a character device", id="dev_zero"),
        pytest.param("/dev/null", "a character device", id="dev_null"),
        pytest.param("fifo", "a FIFO (named pipe)", id="fifo"),
    ],
)
def test_a_path_that_is_not_a_file_is_a_usage_error_saying_what_it_is(
    tmp_path: Path, path: str, what: str
) -> None:
    if path == "fifo":
        path = str(tmp_path / "traces.jsonl")
        os.mkfifo(path)
    result = invoke("audit", "otel", path)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"traceready: error: {path} is {what}, not a trace file")


@pytest.mark.parametrize("output_format", ["json", "md", "table"])
def test_a_file_name_that_is_not_utf8_works_in_every_format(tmp_path: Path, output_format: str) -> None:
    path = os.fsdecode(bytes(tmp_path) + b"/traces-\xff.otlp.jsonl")
    Path(path).write_bytes(Path(FULL).read_bytes())
    result = invoke("audit", "otel", path, "--format", output_format)
    assert result.exit_code == 0, result.output
    assert "traces-\ufffd.otlp.jsonl" in result.stdout


@pytest.mark.parametrize("flag", ["--out", "--export-spans"])
@pytest.mark.parametrize(
    ("target", "message"),
    [
        pytest.param("{tmp}", "is a directory", id="a_directory"),
        pytest.param("{tmp}/missing/out.json", "does not exist", id="a_missing_folder"),
        pytest.param("/proc/self/out.json", "cannot write in folder", id="an_unwritable_folder"),
    ],
)
def test_output_paths_are_checked_before_the_audit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flag: str, target: str, message: str
) -> None:
    audits: list[object] = []
    monkeypatch.setattr("traceready.cli.audit_connector", lambda *a, **k: audits.append(a))
    result = invoke("audit", "otel", FULL, flag, target.format(tmp=tmp_path))
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert audits == [], "nothing was pulled"


@pytest.mark.parametrize("flag", ["--out", "--export-spans"])
def test_a_full_disk_is_exit_2_and_leaves_no_partial_file(flag: str) -> None:
    result = invoke("audit", "otel", FULL, flag, "/dev/full")
    assert result.exit_code == 2, result.output
    assert "No space left on device" in result.stderr


def test_a_failed_audit_leaves_no_partial_span_export(tmp_path: Path) -> None:
    spans = tmp_path / "spans.jsonl"
    result = invoke("audit", "otel", FULL, "--export-spans", str(spans), "--mapping", "/nonexistent.yaml")
    assert result.exit_code != 0
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "check"), [("report.json", "json"), ("report.md", "md"), ("report.txt", "table")]
)
def test_out_infers_the_format_from_its_extension(tmp_path: Path, name: str, check: str) -> None:
    out = tmp_path / name
    result = invoke("audit", "otel", FULL, "--out", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text()
    if check == "json":
        assert orjson.loads(text)["counts"]["spans_mapped"] == 21
    elif check == "md":
        assert text.startswith("#")
    else:
        assert "records pulled" in text and not text.startswith("{")
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_a_file_with_nothing_to_map_is_exit_2_saying_what_it_looks_like(tmp_path: Path) -> None:
    runs = tmp_path / "runs.jsonl"
    runs.write_bytes(
        b"".join(
            orjson.dumps({"id": str(i), "run_type": "llm", "trace_id": "t", "inputs": {}}) + b"\n"
            for i in range(16)
        )
    )
    result = invoke("audit", "otel", str(runs))
    assert result.exit_code == 2, result.output
    assert f"{runs} looks like a LangSmith runs export (JSON Lines of rows with" in result.stderr


@pytest.mark.parametrize(
    ("env", "config", "origin"),
    [
        pytest.param({}, None, "--fail-under", id="flag"),
        pytest.param({"TRACEREADY_FAIL_UNDER": "0.99"}, None, "TRACEREADY_FAIL_UNDER", id="environment"),
        pytest.param({}, "fail_under = 0.99\n", "fail_under in ", id="config_file"),
    ],
)
def test_fail_under_names_where_the_bar_came_from(
    tmp_path: Path, env: dict[str, str], config: str | None, origin: str
) -> None:
    args = ["audit", "otel", FULL]
    if config is not None:
        path = tmp_path / "traceready.toml"
        path.write_text(config)
        args += ["--config", str(path)]
        origin += str(path)
    if not env and config is None:
        args += ["--fail-under", "0.99"]
    result = invoke(*args, env=env)
    assert result.exit_code == 1, result.output
    assert result.stderr.strip().endswith(f"is below {origin} 0.99")


def test_limits_come_from_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "traceready.toml"
    config.write_text('[otel]\nmax_request_bytes = "1KiB"\n')
    result = invoke("audit", "otel", FULL, "--config", str(config), "-f", "json")
    assert result.exit_code == 2, result.output  # every line of the sample is over 1 KiB
    assert "no spans read" in result.stderr


def test_a_folder_audit_names_each_file_and_what_was_lost(tmp_path: Path) -> None:
    import zstandard

    data = Path(FULL).read_bytes()
    (tmp_path / "a.otlp.jsonl").write_bytes(data)
    packed = zstandard.ZstdCompressor().compress(data * 50)
    (tmp_path / "b.otlp.jsonl.zst").write_bytes(packed[: len(packed) // 2])
    (tmp_path / "c.json").write_text('[{"id": "1", "run_type": "llm", "trace_id": "t", "inputs": {}}]')

    table = invoke("audit", "otel", str(tmp_path), env={"COLUMNS": "200"})
    markdown = invoke("audit", "otel", str(tmp_path), "-f", "md")

    assert table.exit_code == 0, table.output
    lines: list[str] = []  # each "file:" entry with its wrapped continuation lines joined
    within = False
    for line in table.stdout.splitlines():
        if line.startswith("file:"):
            lines.append(" ".join(line.split()).replace("file: ", "file ", 1))
            within = True
        elif within and line.startswith(" "):
            lines[-1] += " " + " ".join(line.split())
        else:
            within = False
    assert (
        lines[0]
        == f"file {tmp_path}/a.otlp.jsonl: 21 pulled = 21 mapped + 0 rejected, {len(data):,} bytes read"
    )
    assert lines[1].startswith(f"file {tmp_path}/b.otlp.jsonl.zst: ")
    assert "truncated after" in lines[1]
    assert lines[2].startswith(f"file {tmp_path}/c.json: 1 pulled = 0 mapped + 1 rejected")
    assert lines[2].endswith(
        "looks like a LangSmith runs export (JSON array of rows with run_type, trace_id)"
    )
    assert f"  - {lines[0].removeprefix('file ')}" in markdown.stdout


def test_long_reads_show_progress_on_a_terminal_only() -> None:
    import io

    from rich.console import Console

    from traceready.progress import ReadProgress

    screen = io.StringIO()
    shown = ReadProgress(Console(file=screen, force_terminal=True, width=100), show_after=0.0)
    shown.update("big.jsonl.gz", 2, 3, 1_500_000_000)
    shown.stop()
    piped = io.StringIO()
    hidden = ReadProgress(Console(file=piped, force_terminal=False), show_after=0.0)
    hidden.update("big.jsonl.gz", 1, 1, 10)
    hidden.stop()

    assert "reading big.jsonl.gz (file 2 of 3): 1,500 MB" in screen.getvalue()
    assert piped.getvalue() == ""


def _without_root_powers(command: list[str]) -> list[str]:
    """``command`` run so that file permissions bind (root keeps none of its override powers)."""
    if os.geteuid() != 0:
        return command
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--", *command]


def test_unreadable_files_and_subfolders_are_counted_and_named(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "good.otlp.jsonl").write_bytes(Path(FULL).read_bytes())
    (tmp_path / "locked.otlp.jsonl").write_bytes(Path(FULL).read_bytes())
    (tmp_path / "locked.otlp.jsonl").chmod(0)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "hidden.otlp.jsonl").write_bytes(Path(FULL).read_bytes())
    (tmp_path / "sub").chmod(0)
    traceready = str(Path(sys.executable).with_name("traceready"))
    try:
        result = subprocess.run(
            _without_root_powers([traceready, "audit", "otel", str(tmp_path), "-f", "json"]),
            capture_output=True,
            check=False,
        )
    finally:
        (tmp_path / "sub").chmod(0o755)

    assert result.returncode == 0, result.stderr.decode()
    counts = orjson.loads(result.stdout)["counts"]
    problems = {Path(s["name"]).name: s["problem"] for s in counts["sources"] if s["problem"]}
    assert problems == {
        "locked.otlp.jsonl": "unreadable (Permission denied)",
        "sub": "folder unreadable (Permission denied)",
    }
    assert counts["rejections"]["unreadable_file"] == 2
    assert counts["spans_mapped"] == 21


def _vendor_rows(vendor: str) -> list[dict[str, object]]:
    """Rows as each vendor's API and SDK give them, from the cassettes (real SDK payloads)."""
    import yaml

    cassettes = Path(__file__).resolve().parents[1] / "cassettes"
    if vendor == "langsmith":
        text = (cassettes / "langsmith" / "traceable_full" / "runs.jsonl").read_text()
        return [orjson.loads(line) for line in text.splitlines()]
    if vendor == "braintrust":
        recorded = orjson.loads(
            (cassettes / "braintrust" / "logger_plain_tools" / "btql_project_logs.json").read_bytes()
        )
        body = recorded["interactions"][0]["response"]["body"]
        return list(body["data"])
    recorded = yaml.safe_load((cassettes / "phoenix" / "openinference_full_with_experiment.yaml").read_text())
    spans = next(i for i in recorded["interactions"] if "/spans?" in i["request"]["uri"])
    return list(orjson.loads(spans["response"]["body"]["string"])["data"])


@pytest.mark.parametrize(
    ("vendor", "layout", "expected"),
    [
        (
            "langsmith",
            "jsonl",
            "looks like a LangSmith runs export (JSON Lines of rows with run_type, trace_id)",
        ),
        (
            "langsmith",
            "json",
            "looks like a LangSmith runs export (JSON array of rows with run_type, trace_id)",
        ),
        (
            "braintrust",
            "json",
            "looks like a Braintrust logs export (JSON array of rows with root_span_id, span_id)",
        ),
        ("phoenix", "json", "looks like a Phoenix spans export (JSON array of rows with context, span_kind)"),
    ],
)
def test_a_vendor_export_is_named_not_audited_as_unknown(
    tmp_path: Path, vendor: str, layout: str, expected: str
) -> None:
    rows = _vendor_rows(vendor)
    path = tmp_path / f"export.{layout}"
    if layout == "jsonl":
        path.write_bytes(b"".join(orjson.dumps(row) + b"\n" for row in rows))
    else:
        path.write_bytes(orjson.dumps(rows))

    result = invoke("audit", "otel", str(path))

    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"traceready: error: no spans read: {path} {expected}")
