"""An -o of the wrong kind (issue 12, lesser item) is a usage error that names the path and what
is expected, given before any work is done, never a bare "[Errno N]"."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import pytest

import greenscore
from greenscore.cli import main, message
from greenscore.errors import OutputError

ROOT = Path(__file__).resolve().parents[2]
DATA = str(ROOT / "examples" / "jiangxi" / "parks_2016.csv")
RESULTS_HINT = (
    "give a folder to write the results into, or one file ending in .csv, .xlsx, .parquet or .json"
)


@pytest.fixture
def no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading or assessing data fails the test: the path must be refused before that."""

    def fail(*args: object, **kwargs: object) -> NoReturn:
        raise AssertionError("the command did work before checking its output path")

    monkeypatch.setattr("greenscore.batch.assess.assess", fail)
    monkeypatch.setattr("greenscore.io.read_table", fail)


@pytest.fixture
def place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder holding a file existing.txt and a folder folder.csv."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "existing.txt").write_text("keep me", encoding="utf-8")
    (tmp_path / "folder.csv").mkdir()
    return tmp_path


@pytest.mark.usefixtures("no_work")
def test_issue12_assess_output_folder_that_is_an_existing_file(
    place: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["assess", DATA, "-o", "existing.txt"]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"greenscore assess: error: existing.txt is a file, not a folder; {RESULTS_HINT}\n"
    )
    assert (place / "existing.txt").read_text(encoding="utf-8") == "keep me"


@pytest.mark.usefixtures("no_work", "place")
@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["assess", DATA, "-o", "existing.txt/out"],
            "greenscore assess: error: cannot write existing.txt/out: existing.txt is a file, "
            "not a folder",
        ),
        (
            ["assess", DATA, "-o", "existing.txt/deeper/out.csv"],
            "greenscore assess: error: cannot write existing.txt/deeper/out.csv: existing.txt "
            "is a file, not a folder",
        ),
        (
            ["assess", DATA, "-o", "folder.csv"],
            "greenscore assess: error: folder.csv is a folder, not a file; name the file to write",
        ),
        (
            ["assess", DATA, "--report", "folder.csv"],
            "greenscore assess: error: folder.csv is a folder, not a file; name the file to write",
        ),
        (
            ["report", DATA, "-o", "folder.csv"],
            "greenscore report: error: folder.csv is a folder, not a file; name the file to write",
        ),
        (
            ["report", DATA, "--xlsx", "existing.txt/r.xlsx"],
            "greenscore report: error: cannot write existing.txt/r.xlsx: existing.txt is a file, "
            "not a folder",
        ),
        (
            ["report", DATA, "--markdown", "missing/r.md"],
            "greenscore report: error: cannot write missing/r.md: the folder missing does not "
            "exist",
        ),
        (
            ["calibrate", DATA, "-o", "folder.csv"],
            "greenscore calibrate: error: folder.csv is a folder, not a file; name the file to "
            "write",
        ),
        (
            ["demo", "-o", "existing.txt"],
            "greenscore demo: error: existing.txt is a file, not a folder; name a folder to "
            "write into",
        ),
        (
            ["schema", "-o", "folder.csv"],
            "greenscore schema: error: folder.csv is a folder, not a file; name the file to write",
        ),
        (
            ["schema", "-o", "existing.txt/schema.json"],
            "greenscore schema: error: cannot write existing.txt/schema.json: existing.txt is a "
            "file, not a folder",
        ),
    ],
    ids=[
        "assess-under-a-file",
        "assess-deeper-under-a-file",
        "assess-file-is-a-folder",
        "assess-report-is-a-folder",
        "report-html-is-a-folder",
        "report-xlsx-under-a-file",
        "report-markdown-missing-folder",
        "calibrate-is-a-folder",
        "demo-is-a-file",
        "schema-is-a-folder",
        "schema-under-a-file",
    ],
)
def test_issue12_every_command_refuses_an_output_of_the_wrong_kind_up_front(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert capsys.readouterr().err == expected + "\n"


def test_issue12_batch_write_into_an_existing_file_is_an_output_error(
    jiangxi_batch: greenscore.BatchResult, tmp_path: Path
) -> None:
    existing = tmp_path / "existing.txt"
    existing.write_text("keep me", encoding="utf-8")
    with pytest.raises(OutputError) as info:
        jiangxi_batch.write(existing)
    assert str(info.value) == f"{existing} is a file, not a folder; {RESULTS_HINT}"
    assert existing.read_text(encoding="utf-8") == "keep me"


def test_os_errors_print_without_errno() -> None:
    assert message(PermissionError(13, "Permission denied", "out/r.csv")) == (
        "Permission denied: out/r.csv"
    )
    assert message(OSError(28, "No space left on device")) == "No space left on device"
