"""The greenscore command: assess, evaluate, calibrate and demo, run in-process through main()."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import greenscore
from greenscore.cli import main
from greenscore.errors import CohortRequiredError
from greenscore.rubric.load import load_rubric

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
JIANGXI = EXAMPLES / "jiangxi"
BAD = JIANGXI / "parks_2016_bad_cells.csv"

# (row as in the file, column) of the twelve bad cells in parks_2016_bad_cells.csv; the
# duplicated id flags its partner row 72 too.
BAD_CELLS = [
    (4, "main_business_income", "expected a number"),
    (6, "plot_ratio", "expected a value in [0, 10]"),
    (11, "lead_industry_share", "expected a value in [0, 100]"),
    (13, "informatization_stage", "did you mean 'integration'?"),
    (21, "green_plan", "expected true or false"),
    (26, "leading_industries", "expected a whole number"),
    (31, "energy_intensity", "required value is missing"),
    (41, "investment_mode", "unknown category"),
    (51, "idle_land_share", "expected a value in [0, 100]"),
    (61, "park_id", "entity id is empty"),
    (71, "park_id", "duplicate park_id JX071 in year 2016: also on row 72"),
    (81, "major_incidents", "expected a number"),
]

COHORT = """
name: Cohort rubric
version: "1"
inputs:
  - {id: plot_ratio, min: 0, max: 10}
  - {id: energy_intensity, min: 0}
dimensions:
  - id: main
    indicators:
      - {id: density, input: plot_ratio, method: percentile}
      - {id: energy, input: energy_intensity, method: zscore, direction: lower}
      - {id: density_range, input: plot_ratio, method: minmax}
tiers:
  - {id: top, min_score: 60}
  - {id: rest, min_score: 0}
"""


def _line(output: str, row: int, column: str) -> str:
    for line in output.splitlines():
        cells = line.split()
        if cells and cells[0] == str(row) and column in cells:
            return line
    raise AssertionError(f"no line for row {row}, column {column} in:\n{output}")


def test_help_for_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("assess", "evaluate", "calibrate", "demo"):
        assert command in out
        assert main([command, "--help"]) == 0
        assert f"usage: greenscore {command}" in capsys.readouterr().out


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert main(["no-such-command"]) == 2
    assert main(["assess"]) == 2
    assert main(["assess", str(BAD), "--errors", "ignore"]) == 2
    assert "usage:" in capsys.readouterr().err


def test_assess_lists_every_bad_cell_and_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assess", str(BAD)]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert "13 problems" in captured.err
    for row, column, problem in BAD_CELLS:
        assert problem in _line(captured.err, row, column)
    assert "duplicate park_id JX071 in year 2016: also on row 71" in _line(
        captured.err, 72, "park_id"
    )


def test_assess_flag_scores_the_rest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code = main(
        [
            "assess",
            str(BAD),
            "--errors",
            "flag",
            "--previous",
            str(JIANGXI / "parks_2015.csv"),
            "-o",
            str(out),
            "--format",
            "csv",
            "json",
        ]
    )
    assert code == 0
    captured = capsys.readouterr()
    assert "94 in the input = 81 scored + 13 flagged + 0 of other periods" in captured.out
    assert "Tier transitions" in captured.out
    for row, column, _ in BAD_CELLS:
        _line(captured.err, row, column)
    results = pd.read_csv(out / "results.csv", encoding="utf-8-sig")
    flagged = pd.read_csv(out / "flagged.csv", encoding="utf-8-sig")
    assert len(results) + flagged["row"].nunique() == 94
    assert (out / "results.json").exists() and not (out / "assessment.xlsx").exists()
    provenance = json.loads((out / "results.csv.provenance.json").read_text(encoding="utf-8"))
    assert provenance["input_path"] == str(BAD)


def test_assess_a_single_file_and_a_period(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "y2015.xlsx"
    code = main(
        ["assess", str(JIANGXI / "parks_2015_2016.csv"), "--period", "2015", "-o", str(target)]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "Assessment of period 2015" in out and "not assessed: period 2016: 94 rows" in out
    assert target.exists()


def test_assess_refuses_to_overwrite_its_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "parks.csv"
    shutil.copy(JIANGXI / "parks_2016.csv", data)
    before = data.read_bytes()
    assert main(["assess", str(data), "-o", str(data)]) == 1
    assert "it is the input file" in capsys.readouterr().err
    assert data.read_bytes() == before


def test_missing_files_exit_1_without_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assess", "no/such/file.csv"]) == 1
    assert main(["assess", str(JIANGXI / "parks_2016.csv"), "--rubric", "no/such/rubric.yaml"]) == 1
    assert main(["evaluate", "no/such/profile.yaml"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "file not found" in err and "rubric file not found" in err


def test_evaluate_prints_the_tier(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(EXAMPLES / "profiles" / "excellent.yaml")]) == 0
    out = capsys.readouterr().out
    assert "优秀 Excellent (excellent)" in out
    assert main(["evaluate", str(EXAMPLES / "profiles" / "vetoed.json"), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["tier"]["id"] == "fail" and document["vetoes"]


def test_evaluate_a_bad_profile_lists_its_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / "bad.yaml"
    text = (EXAMPLES / "profiles" / "good.yaml").read_text(encoding="utf-8")
    profile.write_text(text.replace("plot_ratio: 0.55", "plot_ratio: lots"), encoding="utf-8")
    assert main(["evaluate", str(profile)]) == 1
    err = capsys.readouterr().err
    assert "plot_ratio" in err and "expected a number" in err and "Traceback" not in err
    listed = tmp_path / "list.yaml"
    listed.write_text("- 1\n- 2\n", encoding="utf-8")
    assert main(["evaluate", str(listed)]) == 1
    assert "must be a mapping" in capsys.readouterr().err


def test_calibrate_writes_a_rubric_that_loads_and_scores(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rubric_path = tmp_path / "cohort.yaml"
    rubric_path.write_text(COHORT, encoding="utf-8")
    profile = pd.read_csv(JIANGXI / "parks_2016.csv").iloc[0].to_dict()
    with pytest.raises(CohortRequiredError):
        greenscore.evaluate(profile, load_rubric(rubric_path))
    new = tmp_path / "calibrated.yaml"
    code = main(
        ["calibrate", str(JIANGXI / "parks_2015.csv"), "--rubric", str(rubric_path), "-o", str(new)]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "density: reference: 94 values" in out and f"wrote {new}" in out
    text = new.read_text(encoding="utf-8")
    assert text.startswith("# Calibrated by greenscore")
    calibrated = load_rubric(new)
    assert calibrated.cohort is not None and set(calibrated.cohort) == {
        "density",
        "energy",
        "density_range",
    }
    assessment = greenscore.evaluate(profile, calibrated)
    assert assessment.tier.id in ("top", "rest")
    ratios = pd.read_csv(JIANGXI / "parks_2015.csv")["plot_ratio"]
    assert calibrated.cohort["density_range"] == {"min": ratios.min(), "max": ratios.max()}
    assert main(["assess", str(JIANGXI / "parks_2016.csv"), "--rubric", str(new)]) == 0
    assert (
        main(
            [
                "calibrate",
                str(JIANGXI / "parks_2015.csv"),
                "--rubric",
                str(rubric_path),
                "-o",
                str(rubric_path),
            ]
        )
        == 1
    )
    assert "it is the input file" in capsys.readouterr().err


def test_calibrate_the_default_rubric_notes_nothing_to_freeze(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = tmp_path / "same.yaml"
    assert main(["calibrate", str(JIANGXI / "parks_2015.csv"), "-o", str(new)]) == 0
    assert "no cohort indicators" in capsys.readouterr().out
    assert load_rubric(new).cohort is None


def test_demo_runs_on_the_examples(demo_run: Any) -> None:
    """The shared demo run found examples/ from src/ upwards and wrote its files."""
    assert demo_run.code == 0, demo_run.err
    text = demo_run.out
    assert "Assessment of period 2016, compared with 2015" in text
    assert "94 in the input = 94 scored + 0 flagged" in text
    assert "Tiers by city" in text and "Nanchang" in text
    assert "Biggest improvers (by score change)" in text
    assert "Example profiles" in text and "excellent.yaml" in text
    assert "Track record: zones-track-record 1" in text and "N07's record:" in text
    out = demo_run.folder
    assert (out / "results.csv").exists() and (out / "assessment.xlsx").exists()
    assert (out / "report.html").exists() and (out / "report.xlsx").exists()
    results = pd.read_csv(out / "results.csv", encoding="utf-8-sig")
    assert len(results) == 94
    assert np.isfinite(results["score_change"]).all()


def test_demo_runs_the_other_bundled_examples(demo_run: Any) -> None:
    """Issue 9 item 12: after Jiangxi, the demo assesses the development-zone and per-mu
    examples with their bundled rubrics and writes each into its own folder."""
    text = demo_run.out
    jiangxi_end = text.index("Example profiles")
    zones = text.index("Development-zone comprehensive assessment 2022.1")
    firms = text.index("Per-mu efficiency classification of enterprises 2024.1")
    assert jiangxi_end < zones < firms
    assert "103 in the input = 103 scored + 0 flagged" in text[zones:firms]
    assert "2900 in the input = 2900 scored + 0 flagged" in text[firms:]
    for folder, rows in (("development-zones", 103), ("per-mu", 2900)):
        results = pd.read_csv(demo_run.folder / folder / "results.csv", encoding="utf-8-sig")
        assert len(results) == rows


def test_demo_needs_the_example_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["demo"]) == 1
    assert "cannot find the example data" in capsys.readouterr().err
    assert main(["demo", "--examples", str(tmp_path)]) == 1
    assert "does not hold the example data" in capsys.readouterr().err


def test_module_runs_as_a_command(tmp_path: Path) -> None:
    """The one real subprocess: ``python -m greenscore`` evaluates a profile and sets its code."""
    profile = EXAMPLES / "profiles" / "excellent.yaml"
    done = subprocess.run(
        [sys.executable, "-m", "greenscore", "evaluate", str(profile)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": _source_path()},
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == _in_process(["evaluate", str(profile)])


def _source_path() -> str:
    """PYTHONPATH for a child that imports this very greenscore, whatever its working folder."""
    source = str(Path(greenscore.__file__).resolve().parents[1])
    return os.pathsep.join([source, *filter(None, [os.environ.get("PYTHONPATH")])])


def _in_process(argv: list[str]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(argv) == 0
    return out.getvalue()


def test_outputs_never_overwrite_any_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Last year's data and the rubric are inputs too: writing over them is refused."""
    previous = tmp_path / "p15.csv"
    shutil.copy(JIANGXI / "parks_2015.csv", previous)
    before = previous.read_bytes()
    data = str(JIANGXI / "parks_2016.csv")
    assert main(["assess", data, "--previous", str(previous), "-o", str(previous)]) == 1
    assert previous.read_bytes() == before
    rubric = tmp_path / "r.yaml"
    shutil.copy(ROOT / "rubrics" / "jiangxi-parks.yaml", rubric)
    assert main(["assess", data, "--rubric", str(rubric), "--report", str(rubric)]) == 1
    assert "refusing to write" in capsys.readouterr().err


def test_a_mistyped_latest_period_stops_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = pd.read_csv(JIANGXI / "parks_2016.csv", dtype=str, keep_default_na=False)
    frame.loc[5, "year"] = "2106"
    path = tmp_path / "typo.csv"
    frame.to_csv(path, index=False)
    assert main(["assess", str(path)]) == 1
    assert "the latest period 2106 holds only 1 of the rows" in capsys.readouterr().err
    assert main(["assess", str(path), "--period", "2016", "--errors", "flag"]) == 0


def test_a_misspelled_optional_column_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = pd.read_csv(JIANGXI / "parks_2016.csv", dtype=str, keep_default_na=False)
    path = tmp_path / "typo.csv"
    frame.rename(columns={"water_reuse_rate": "water_reuse_rat"}).to_csv(path, index=False)
    assert main(["assess", str(path)]) == 1
    assert "optional column is missing (did you mean 'water_reuse_rat'?)" in capsys.readouterr().err


def test_an_empty_table_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "empty.csv"
    path.write_text((JIANGXI / "parks_2016.csv").read_text(encoding="utf-8").splitlines()[0] + "\n")
    assert main(["assess", str(path)]) == 1
    assert "no data rows" in capsys.readouterr().err


def test_calibrating_on_a_flat_cohort_is_refused() -> None:
    frame = pd.DataFrame(
        {
            "park_id": ["a", "b", "c"],
            "year": [2015] * 3,
            "plot_ratio": [1.0] * 3,
            "energy_intensity": [0.5, 0.6, 0.7],
        }
    )
    with pytest.raises(greenscore.ProfileError, match="values are all equal"):
        greenscore.calibrate(COHORT, frame)
