"""``greenscore verify``: exit 0 for an untouched results folder, 1 naming what changed, 2 for
wrong usage (issue 12, item 7)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from greenscore.cli import main

ROOT = Path(__file__).resolve().parents[2]
JIANGXI = ROOT / "examples" / "jiangxi"


@pytest.fixture
def run_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder holding copies of the inputs and results-2016/ (CSV) written by assess
    from them with relative paths, as a user would."""
    shutil.copy(JIANGXI / "parks_2016.csv", tmp_path / "parks_2016.csv")
    shutil.copy(JIANGXI / "parks_2015.csv", tmp_path / "parks_2015.csv")
    shutil.copy(ROOT / "rubrics" / "jiangxi-parks.yaml", tmp_path / "rubric.yaml")
    monkeypatch.chdir(tmp_path)
    args = ["assess", "parks_2016.csv", "--previous", "parks_2015.csv", "--rubric", "rubric.yaml"]
    assert main([*args, "-o", "results-2016", "--format", "csv"]) == 0
    return tmp_path


def verify(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["verify", *args])
    printed = capsys.readouterr()
    return code, printed.out, printed.err


def test_an_untouched_folder_exits_0(run_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = verify(capsys, "results-2016")
    assert code == 0, out + err
    assert "  data file parks_2016.csv: sha256 matches the recorded one\n" in out
    assert "  previous-year file parks_2015.csv: sha256 matches the recorded one\n" in out
    assert "  rubric file rubric.yaml: sha256 matches the recorded one\n" in out
    assert "every value matches the recorded one" in out
    assert out.rstrip().endswith("verified: every input and every recorded value match")


def test_a_changed_data_cell_exits_1_naming_file_park_and_column(
    run_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = run_folder / "parks_2016.csv"
    data.write_text(
        data.read_text(encoding="utf-8").replace(",0.394,", ",0.9,", 1), encoding="utf-8"
    )
    code, out, _ = verify(capsys, "results-2016")
    assert code == 1
    assert "  data file parks_2016.csv: sha256 differs from the recorded one\n" in out
    rows = [line.split() for line in out.splitlines() if line.startswith("  results.csv ")]
    (energy,) = [row for row in rows if row[1:3] == ["JX001", "ind.energy"]]
    recorded = pd.read_csv(run_folder / "results-2016" / "results.csv", encoding="utf-8-sig")
    assert float(energy[3]) == recorded.set_index("park_id").loc["JX001", "ind.energy"]
    assert float(energy[4]) == pytest.approx(60 + 40 * (1.2 - 0.9) / (1.2 - 0.35), abs=1e-12)
    assert "not verified: 1 input not confirmed;" in out


def test_a_changed_previous_year_file_exits_1_naming_it(
    run_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    previous = run_folder / "parks_2015.csv"
    previous.write_text(
        previous.read_text(encoding="utf-8").replace(",0.409,", ",1.2,", 1), encoding="utf-8"
    )
    code, out, _ = verify(capsys, "results-2016")
    assert code == 1
    assert "  previous-year file parks_2015.csv: sha256 differs from the recorded one\n" in out
    assert any(line.split()[1:3] == ["JX001", "previous_total"] for line in out.splitlines()[1:])


def test_a_changed_rubric_exits_1_naming_it(
    run_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rubric = run_folder / "rubric.yaml"
    text = rubric.read_text(encoding="utf-8")
    rubric.write_text(text.replace("{worst: 1.2, best: 0.35}", "{worst: 1.3, best: 0.35}"), "utf-8")
    code, out, _ = verify(capsys, "results-2016", "--limit", "3")
    assert code == 1
    assert "  rubric file rubric.yaml: sha256 differs from the recorded one\n" in out
    assert "more (--limit 0 lists them all)" in out


def test_a_missing_input_names_the_option_to_give_it(
    run_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (run_folder / "parks_2016.csv").rename(run_folder / "moved.csv")
    code, out, _ = verify(capsys, "results-2016")
    assert code == 1
    assert "  data file parks_2016.csv: not found; give it with --data FILE\n" in out
    assert "Not recomputed: cannot recompute without the data file parks_2016.csv" in out
    code, out, _ = verify(capsys, "results-2016", "--data", "moved.csv")
    assert code == 0, out


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["nowhere"], "nowhere is not a folder"),
        (["empty"], "empty holds no greenscore results"),
        (["bare"], "bare holds no greenscore results with a readable provenance"),
        (["results-2016", "--limit", "-1"], "--limit must be 0 (all) or more"),
    ],
)
def test_usage_errors_exit_2(
    run_folder: Path, capsys: pytest.CaptureFixture[str], args: list[str], said: str
) -> None:
    (run_folder / "empty").mkdir()
    (run_folder / "bare").mkdir()
    (run_folder / "bare" / "results.csv").write_text("park_id,total\nP1,1\n", encoding="utf-8")
    code, out, err = verify(capsys, *args)
    assert code == 2
    assert said in err and out == "" and "Traceback" not in err


def test_a_previous_file_for_a_run_without_one_is_a_usage_error(
    run_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["assess", "parks_2016.csv", "-o", "alone", "--format", "csv"]) == 0
    code, _, err = verify(capsys, "alone", "--previous", "parks_2015.csv")
    assert code == 2
    assert "--previous given, but the recorded run used no previous-year file" in err


def test_a_table_read_in_a_named_encoding_is_read_in_it_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Big5 table assessed with --encoding cp950: the encoding is recorded, so verify reads
    it as assess did; a record without it needs --encoding again."""
    monkeypatch.chdir(tmp_path)
    parks = pd.read_csv(JIANGXI / "parks_2016.csv", dtype=str, keep_default_na=False)
    parks["park_name"] = [f"工業園區{i}號" for i in range(len(parks))]
    parks.to_csv("parks_big5.csv", index=False, encoding="big5")
    assert (
        main(["assess", "parks_big5.csv", "--encoding", "cp950", "-o", "out", "--format", "csv"])
        == 0
    )
    code, out, _ = verify(capsys, "out")
    assert code == 0, out
    for sidecar in (tmp_path / "out").glob("*.provenance.json"):
        record = json.loads(sidecar.read_text(encoding="utf-8"))
        assert record["input_encoding"] == "cp950"
        del record["input_encoding"]
        sidecar.write_text(json.dumps(record), encoding="utf-8")
    code, out, _ = verify(capsys, "out")
    assert code == 1
    assert "  data file parks_big5.csv: cannot be read (" in out and "Big5" in out
    code, out, _ = verify(capsys, "out", "--encoding", "cp950")
    assert code == 0, out
