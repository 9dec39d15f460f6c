"""Issue 12 defect 5: terminal escape codes in a park's name or id are never printed raw."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from greenscore.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
JIANGXI = EXAMPLES / "jiangxi"

CLEAR = "\x1b[2J\x1b[H"
HOSTILE_NAME = f"Evil{CLEAR}Park\u202eedoc\x9b31m\x07"
SHOWN_NAME = "Evil\\x1b[2J\\x1b[HPark\\u202eedoc\\x9b31m\\x07"
RAW = ("\x1b", "\x9b", "\x07", "\u202e")


def _assert_inert(*texts: str) -> None:
    for text in texts:
        assert not [c for c in RAW if c in text], text


def _hostile_year(source: Path, target: Path) -> None:
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    frame["park_name"] = HOSTILE_NAME
    frame.loc[frame["park_id"] == "JX002", "park_id"] = f"JX{CLEAR}002"
    frame.to_csv(target, index=False)


def test_escape_codes_in_a_park_name_are_not_printed_raw_by_assess(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    current, previous = tmp_path / "2016.csv", tmp_path / "2015.csv"
    _hostile_year(JIANGXI / "parks_2016.csv", current)
    _hostile_year(JIANGXI / "parks_2015.csv", previous)
    frame = pd.read_csv(current, dtype=str, keep_default_na=False)
    frame.loc[frame["park_id"] == "JX003", "plot_ratio"] = f"lots{CLEAR}"
    frame.to_csv(current, index=False)
    code = main(["assess", str(current), "--previous", str(previous), "--errors", "flag"])
    assert code == 0
    captured = capsys.readouterr()
    _assert_inert(captured.out, captured.err)
    assert "Biggest improvers (by score change)" in captured.out
    assert SHOWN_NAME in captured.out
    assert "'lots\\x1b[2J\\x1b[H'" in captured.err


def test_escape_codes_in_an_id_are_not_printed_raw_in_the_problem_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "2016.csv"
    _hostile_year(JIANGXI / "parks_2016.csv", data)
    frame = pd.read_csv(data, dtype=str, keep_default_na=False)
    frame.loc[frame["park_id"] == f"JX{CLEAR}002", "plot_ratio"] = "lots"
    frame.to_csv(data, index=False)
    assert main(["assess", str(data)]) == 1
    captured = capsys.readouterr()
    _assert_inert(captured.out, captured.err)
    row = next(line for line in captured.err.splitlines() if "'lots'" in line)
    assert row.split()[:3] == ["3", "JX\\x1b[2J\\x1b[H002", "plot_ratio"]


def test_escape_codes_in_a_file_name_are_not_printed_raw_in_an_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["assess", f"missing{CLEAR}.csv"]) == 1
    err = capsys.readouterr().err
    _assert_inert(err)
    assert "missing\\x1b[2J\\x1b[H.csv" in err


def test_escape_codes_in_a_profile_are_not_printed_raw_by_evaluate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (EXAMPLES / "profiles" / "good.yaml").read_text(encoding="utf-8")
    profile = tmp_path / "hostile.yaml"
    profile.write_text(
        text.replace("park_id: JX035", 'park_id: "JX\\e[2J\\e[H035\\u202e\\x9b"'),
        encoding="utf-8",
    )
    assert main(["evaluate", str(profile)]) == 0
    out = capsys.readouterr().out
    _assert_inert(out)
    assert out.startswith("JX\\x1b[2J\\x1b[H035\\u202e\\x9b 2016: ")
    assert main(["evaluate", "--json", str(profile)]) == 0
    out = capsys.readouterr().out
    _assert_inert(out)
    assert json.loads(out)["entity"] == "JX\x1b[2J\x1b[H035\u202e\x9b"


def test_escape_codes_in_a_city_are_not_printed_raw_by_demo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    examples = tmp_path / "examples"
    (examples / "jiangxi").mkdir(parents=True)
    shutil.copytree(EXAMPLES / "profiles", examples / "profiles")
    for year in ("2015", "2016"):
        source = JIANGXI / f"parks_{year}.csv"
        frame = pd.read_csv(source, dtype=str, keep_default_na=False)
        frame["city"] = frame["city"].str.replace("Nanchang", f"Nan{CLEAR}chang\u202e")
        frame.to_csv(examples / "jiangxi" / source.name, index=False)
    code = main(["demo", "--examples", str(examples), "-o", str(tmp_path / "out")])
    assert code == 0
    captured = capsys.readouterr()
    _assert_inert(captured.out, captured.err)
    assert "  Nan\\x1b[2J\\x1b[Hchang\\u202e  " in captured.out


def test_control_characters_in_names_are_escaped_in_csv_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 12 item 4: ``cat results.csv`` cannot run escape codes either."""
    data, out = tmp_path / "2016.csv", tmp_path / "out"
    frame = pd.read_csv(JIANGXI / "parks_2016.csv", dtype=str, keep_default_na=False).head(3)
    frame["park_name"] = [HOSTILE_NAME, "\ttabbed", "plain 南昌"]
    frame.to_csv(data, index=False)
    assert main(["assess", str(data), "-o", str(out), "--format", "csv"]) == 0
    capsys.readouterr()
    text = (out / "results.csv").read_text(encoding="utf-8-sig")
    _assert_inert(text)
    assert "\t" not in text
    rows = {line.split(",")[0]: line.split(",")[2] for line in text.splitlines()[1:]}
    assert rows == {"JX001": SHOWN_NAME, "JX002": "\\ttabbed", "JX003": "plain 南昌"}
