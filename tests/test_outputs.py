"""Output paths: checked before any work, written whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from traceready.errors import UsageError
from traceready.outputs import (
    FORMAT_BY_SUFFIX,
    atomic_output,
    check_output_path,
    format_for_output,
    write_output,
)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        pytest.param("", "is a directory", id="a_directory"),
        pytest.param("missing/report.json", "folder", id="a_missing_folder"),
        pytest.param("file.txt/report.json", "is not a folder", id="a_file_as_folder"),
    ],
)
def test_unusable_output_path_is_a_one_line_usage_error(tmp_path: Path, name: str, message: str) -> None:
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(UsageError) as caught:
        check_output_path(tmp_path / name, "--out")
    assert message in caught.value.one_line()
    assert caught.value.one_line().startswith("--out ")
    assert "\n" not in caught.value.one_line()


def test_read_only_folder_is_refused_before_the_audit(tmp_path: Path) -> None:
    folder = Path("/proc/self")  # refuses new files even to root, unlike a chmod 0500 folder
    with pytest.raises(UsageError, match="cannot write in folder"):
        check_output_path(folder / "report.json", "--export-spans")
    check_output_path(tmp_path / "report.json", "--out")  # a writable one passes
    assert list(tmp_path.iterdir()) == [], "the check leaves nothing behind"


def test_devices_pass_the_check_and_are_written_in_place() -> None:
    check_output_path(Path("/dev/null"), "--out")
    write_output(Path("/dev/null"), b"report", "--out")
    assert Path("/dev/null").is_char_device()


def test_full_disk_is_an_error_at_write_time() -> None:
    with pytest.raises(UsageError, match="cannot write --out '/dev/full' \\(No space left on device\\)"):
        write_output(Path("/dev/full"), b"x" * 1_000_000, "--out")


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old report")

    def write_then_fail() -> None:
        with atomic_output(target, "--out") as stream:
            stream.write(b"half a new report")
            raise RuntimeError("audit failed")

    with pytest.raises(RuntimeError, match="audit failed"):
        write_then_fail()

    assert target.read_text() == "old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_a_completed_write_replaces_the_file_with_the_usual_mode(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    write_output(target, b"{}", "--out")
    umask = os.umask(0)
    os.umask(umask)
    assert target.read_bytes() == b"{}"
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("r.json", "json"),
        ("r.MD", "md"),
        ("r.markdown", "md"),
        ("r.txt", "table"),
        ("r.csv", None),
        ("r", None),
    ],
)
def test_format_is_inferred_from_the_extension(name: str, expected: str | None) -> None:
    assert format_for_output(Path(name)) == expected
    assert format_for_output(None) is None


def test_format_map_is_open_to_other_renderers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(FORMAT_BY_SUFFIX, ".html", "html")
    assert format_for_output(Path("report.html")) == "html"
