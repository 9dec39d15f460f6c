"""The provenance of a batch names every input that influenced its results, each with its sha256:
the data, last year's data, the rubric (issue 12, lesser item: the previous-year file had none)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import openpyxl
import pytest

import greenscore
from greenscore.io import Provenance

ROOT = Path(__file__).resolve().parents[2]
JIANGXI = ROOT / "examples" / "jiangxi"
RUBRIC = ROOT / "rubrics" / "jiangxi-parks.yaml"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "data": tmp_path / "parks_2016.csv",
        "previous": tmp_path / "parks_2015.csv",
        "rubric": tmp_path / "jiangxi.yaml",
    }
    shutil.copy(JIANGXI / "parks_2016.csv", paths["data"])
    shutil.copy(JIANGXI / "parks_2015.csv", paths["previous"])
    shutil.copy(RUBRIC, paths["rubric"])
    return paths


@pytest.fixture
def folder(tmp_path: Path, inputs: dict[str, Path]) -> Path:
    out = tmp_path / "results-2016"
    result = greenscore.assess(inputs["data"], inputs["rubric"], previous=inputs["previous"])
    result.write(out)
    return out


def test_lesser_previous_year_file_recorded_without_its_sha256(
    folder: Path, inputs: dict[str, Path]
) -> None:
    """Score changes and transitions depend on last year's file: its sha256 is recorded, by
    name, beside the data's and the rubric's, as are the rubric's path and the period."""
    record = json.loads((folder / "results.csv.provenance.json").read_text(encoding="utf-8"))
    assert record["previous_path"] == str(inputs["previous"])
    assert record["previous_sha256"] == sha256(inputs["previous"])
    assert record["input_sha256"] == sha256(inputs["data"])
    assert record["rubric_path"] == str(inputs["rubric"])
    assert record["period"] == "2016"
    assert (record["input_encoding"], record["previous_encoding"]) == ("utf-8-sig", "utf-8-sig")
    book = openpyxl.load_workbook(folder / "assessment.xlsx", read_only=True)
    sheet = dict(book["provenance"].iter_rows(min_row=2, values_only=True))
    book.close()
    assert sheet["previous_sha256"] == sha256(inputs["previous"])


def test_an_earlier_period_of_the_same_table_is_no_previous_file() -> None:
    """With no previous file the comparison uses the table's own earlier period: nothing else
    to hash, so nothing is recorded as a previous-year file."""
    result = greenscore.assess(JIANGXI / "parks_2015_2016.csv")
    assert result.previous_period == 2015
    assert result.provenance.previous_path is None
    assert result.provenance.previous_sha256 is None
    assert result.provenance.input_sha256 == sha256(JIANGXI / "parks_2015_2016.csv")


def test_a_record_written_before_the_new_fields_still_reads() -> None:
    old = {
        "rubric_name": "r",
        "rubric_version": "1",
        "rubric_sha256": "ab" * 32,
        "greenscore_version": "0.1.0",
        "input_sha256": "cd" * 32,
        "input_path": "parks.csv",
        "created_at": "2025-03-01T08:30:00+00:00",
        "other_inputs": ["last.csv"],
        "output_file": "results.csv",
        "output_sha256": "ef" * 32,
    }
    prov = Provenance.from_dict(old)
    assert prov.other_inputs == ("last.csv",)
    assert (prov.rubric_path, prov.previous_path, prov.previous_sha256, prov.period) == (None,) * 4
