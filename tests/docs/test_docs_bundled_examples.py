"""What docs/development-zones.md and docs/per-mu-efficiency.md show is what runs print.

Each shown command (greenscore check, greenscore assess) and each Python block is run from a
folder where examples/ and rubrics/ are the repository's; its output must be the unlabelled block
that follows, where a line that is only "…" stands for any number of printed lines.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from typing import Any

import pytest

from greenscore.cli import main

ROOT = Path(__file__).resolve().parents[2]


def blocks_after(doc: str, marker: str) -> list[tuple[str, str]]:
    """The fenced blocks (label, text) from the first line holding marker to the next heading."""
    start = doc.index(marker)
    end = doc.find("\n## ", start + 1)
    section = doc[start : None if end < 0 else end]
    found: list[tuple[str, str]] = []
    label: str | None = None
    lines: list[str] = []
    for line in section.splitlines():
        if label is None and line.startswith("```"):
            label, lines = line[3:].strip(), []
        elif label is not None and line == "```":
            found.append((label, "".join(f"{kept}\n" for kept in lines)))
            label = None
        elif label is not None:
            lines.append(line)
    return found


def shows(shown: str, printed: str) -> bool:
    """Whether printed is shown exactly, each '…' line standing for any run of lines."""
    pattern = "".join(
        r"(?:[^\n]*\n)*?" if line.strip() == "…" else re.escape(line) + r"\n"
        for line in shown.splitlines()
    )
    return re.fullmatch(pattern, printed) is not None


@pytest.fixture
def in_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder where examples/ and rubrics/ are the repository's."""
    for name in ("examples", "rubrics"):
        (tmp_path / name).symlink_to(ROOT / name, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_shown_command(doc: str, marker: str, capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    """Run the shell command of a section; return what is shown after it and what it printed."""
    (label, command), (output_label, shown) = blocks_after(doc, marker)[:2]
    assert label == "sh" and output_label == "", (label, output_label)
    words = command.split()
    assert words[0] == "greenscore", command
    assert main(words[1:]) == 0
    return shown, capsys.readouterr().out


def run_python_sections(doc: str, markers: list[str]) -> None:
    """Run the Python blocks of the sections in order, in one namespace, each against the
    unlabelled block after it."""
    namespace: dict[str, Any] = {}
    for marker in markers:
        blocks = blocks_after(doc, marker)
        python = [i for i, (label, _) in enumerate(blocks) if label == "python"]
        assert python, marker
        for i in python:
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                exec(blocks[i][1], namespace)
            label, shown = blocks[i + 1]
            assert label == "", marker
            assert shows(shown, printed.getvalue()), printed.getvalue()


ZONES = (ROOT / "docs" / "development-zones.md").read_text(encoding="utf-8")
PER_MU = (ROOT / "docs" / "per-mu-efficiency.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("doc", [ZONES, PER_MU], ids=["development-zones", "per-mu"])
@pytest.mark.parametrize("marker", ["## 1. Check the rubric", "## 2. "])
def test_the_commands_print_what_is_shown(
    in_a_folder: Path, capsys: pytest.CaptureFixture[str], doc: str, marker: str
) -> None:
    shown, printed = run_shown_command(doc, marker, capsys)
    assert shows(shown, printed), printed


def test_the_development_zone_walk_through_prints_what_is_shown(in_a_folder: Path) -> None:
    run_python_sections(ZONES, ["## 3. The top of the national pool", "## 4. A zone at"])


def test_the_per_mu_walk_through_prints_what_is_shown(in_a_folder: Path) -> None:
    run_python_sections(PER_MU, ["## 3. The smallest county"])
