"""verify(): a results folder checked against its inputs' sha256 and recomputed value by value;
and the provenance that makes it possible (issue 12, item 7)."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import pytest

import greenscore
from greenscore.batch.verify import verify

ROOT = Path(__file__).resolve().parents[2]
JIANGXI = ROOT / "examples" / "jiangxi"
RUBRIC = ROOT / "rubrics" / "jiangxi-parks.yaml"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def csv_cell(path: Path, key: str, column: str) -> str:
    """One cell of a results CSV, read with the standard library (not greenscore)."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            if next(iter(row.values())) == key:
                return row[column]
    raise KeyError(key)


def replace_in_row(path: Path, key: str, old: str, new: str) -> None:
    """Change one cell of the row starting with ``key`` (the value must occur once in it)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith(f"{key},"):
            cells = line.rstrip("\r\n").split(",")
            assert cells.count(old) == 1, (old, cells)
            cells[cells.index(old)] = new
            lines[i] = ",".join(cells) + "\n"
    path.write_text("".join(lines), encoding="utf-8")


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    """Copies of the 2016 and 2015 Jiangxi data and of the bundled rubric, free to change."""
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
    """A results folder (csv and xlsx) assessed from the copies, with a previous year and a
    rubric file."""
    out = tmp_path / "results-2016"
    result = greenscore.assess(inputs["data"], inputs["rubric"], previous=inputs["previous"])
    result.write(out)
    return out


# --- verify ------------------------------------------------------------------------------------


def test_an_untouched_folder_is_confirmed(folder: Path, inputs: dict[str, Path]) -> None:
    found = verify(folder)
    assert found.ok
    assert [(c.kind, c.path, c.status) for c in found.inputs] == [
        ("data", str(inputs["data"]), "matches"),
        ("previous", str(inputs["previous"]), "matches"),
        ("rubric", str(inputs["rubric"]), "matches"),
    ]
    assert {f.name: f.status for f in found.files} == {
        name: "matches"
        for name in [
            "results.csv",
            "flagged.csv",
            "transitions.csv",
            "summary.csv",
            "rubric.csv",
            "assessment.xlsx",
        ]
    }
    assert found.difference_count == 0
    assert ("results.csv", 94) in found.compared
    assert ("assessment.xlsx (results)", 94) in found.compared


def test_a_changed_data_cell_is_reported_by_park_and_column(
    folder: Path, inputs: dict[str, Path]
) -> None:
    """JX001's energy intensity 0.394 becomes 0.9. Energy is linear, lower is better, goalposts
    1.2 (worst) and 0.35 (best) onto 60–100: 60 + 40 × (1.2 − 0.9) / 0.85 = 74.1176…"""
    replace_in_row(inputs["data"], "JX001", "0.394", "0.9")
    found = verify(folder)
    assert not found.ok
    data = found.inputs[0]
    assert str(data) == f"data file {inputs['data']}: sha256 differs from the recorded one"
    assert [c.status for c in found.inputs[1:]] == ["matches", "matches"]
    energy = [d for d in found.differences if d.file == "results.csv" and d.column == "ind.energy"]
    assert [d.row for d in energy] == ["JX001"]
    assert energy[0].recorded == csv_cell(folder / "results.csv", "JX001", "ind.energy")
    assert energy[0].recomputed is not None
    assert float(energy[0].recomputed) == pytest.approx(60 + 40 * 0.3 / 0.85, abs=1e-12)
    changed_rows = {d.row for d in found.differences if d.file == "results.csv"}
    assert changed_rows == {"JX001"}
    columns = {d.column for d in found.differences if d.file == "results.csv"}
    assert {"ind.energy", "dim.green_resources", "total"} <= columns
    assert any(
        d.file == "assessment.xlsx (results)" and d.row == "JX001" for d in found.differences
    )


def test_a_changed_previous_year_file_is_reported_by_name(
    folder: Path, inputs: dict[str, Path]
) -> None:
    """JX001's 2015 energy intensity 0.409 becomes 1.2 (the worst goalpost): its 2015 total
    drops, so this year's previous_total and score_change for JX001 no longer match."""
    replace_in_row(inputs["previous"], "JX001", "0.409", "1.2")
    found = verify(folder)
    assert not found.ok
    assert str(found.inputs[1]) == (
        f"previous-year file {inputs['previous']}: sha256 differs from the recorded one"
    )
    assert [found.inputs[0].status, found.inputs[2].status] == ["matches", "matches"]
    results = {(d.row, d.column) for d in found.differences if d.file == "results.csv"}
    assert ("JX001", "previous_total") in results and ("JX001", "score_change") in results
    recorded = csv_cell(folder / "results.csv", "JX001", "previous_total")
    (before,) = [
        d.recomputed
        for d in found.differences
        if d.file == "results.csv" and d.row == "JX001" and d.column == "previous_total"
    ]
    assert before is not None and float(before) < float(recorded)


def test_a_changed_rubric_is_reported_by_name(folder: Path, inputs: dict[str, Path]) -> None:
    """The energy goalpost worst 1.2 becomes 1.3: for JX001 (0.394) 60 + 40 × (1.3 − 0.394) /
    (1.3 − 0.35) = 98.147…, and the rubric table's energy row changes."""
    text = inputs["rubric"].read_text(encoding="utf-8")
    old = "goalposts: {worst: 1.2, best: 0.35}"
    assert text.count(old) == 1
    inputs["rubric"].write_text(text.replace(old, "goalposts: {worst: 1.3, best: 0.35}"), "utf-8")
    found = verify(folder)
    assert not found.ok
    assert str(found.inputs[2]) == (
        f"rubric file {inputs['rubric']}: sha256 differs from the recorded one"
    )
    assert [found.inputs[0].status, found.inputs[1].status] == ["matches", "matches"]
    (energy,) = [
        d
        for d in found.differences
        if d.file == "results.csv" and d.row == "JX001" and d.column == "ind.energy"
    ]
    assert energy.recomputed is not None
    assert float(energy.recomputed) == pytest.approx(60 + 40 * 0.906 / 0.95, abs=1e-12)
    assert any(d.file == "rubric.csv" and d.row == "indicator / energy" for d in found.differences)


def test_a_rubric_comment_is_no_change(folder: Path, inputs: dict[str, Path]) -> None:
    """The rubric is hashed in its canonical form: what does not change a result does not
    break its verification."""
    with inputs["rubric"].open("a", encoding="utf-8") as f:
        f.write("# reviewed again in 2017\n")
    assert verify(folder).ok


def test_inputs_given_in_place_of_moved_ones(folder: Path, inputs: dict[str, Path]) -> None:
    moved = {
        kind: path.rename(path.with_name(f"moved-{path.name}")) for kind, path in inputs.items()
    }
    found = verify(folder)
    assert not found.ok and not found.recomputed
    assert [c.status for c in found.inputs] == ["missing", "missing", "missing"]
    assert str(inputs["data"]) in found.reason and str(inputs["rubric"]) in found.reason
    again = verify(folder, data=moved["data"], previous=moved["previous"], rubric=moved["rubric"])
    assert again.ok
    assert [c.path for c in again.inputs] == [str(p) for p in moved.values()]


def test_a_results_file_edited_after_it_was_written(folder: Path) -> None:
    """A total typed over in results.csv: its bytes no longer match the sha256 its provenance
    records, and the value no longer matches the recomputed one."""
    recorded = csv_cell(folder / "results.csv", "JX002", "total")
    lines = (folder / "results.csv").read_bytes().split(b"\r\n")
    (row,) = [i for i, line in enumerate(lines) if line.startswith(b"JX002,")]
    lines[row] = lines[row].replace(f",{recorded},".encode(), b",99.9,", 1)
    (folder / "results.csv").write_bytes(b"\r\n".join(lines))
    found = verify(folder)
    assert not found.ok
    assert {f.name: f.status for f in found.files}["results.csv"] == "edited"
    assert [(d.file, d.row, d.column, d.recorded, d.recomputed) for d in found.differences] == [
        ("results.csv", "JX002", "total", "99.9", recorded)
    ]
    assert all(c.status == "matches" for c in found.inputs)


def test_missing_and_foreign_files(tmp_path: Path, inputs: dict[str, Path]) -> None:
    """A deleted table and a table left by an earlier run of other data are named; neither
    passes."""
    other = tmp_path / "other"
    greenscore.assess(JIANGXI / "parks_2015.csv").write(other, ["json"])
    out = tmp_path / "out"
    greenscore.assess(inputs["data"], previous=inputs["previous"]).write(out)
    (out / "flagged.csv").unlink()
    shutil.copy(other / "summary.json", out / "summary.json")
    found = verify(out)
    assert not found.ok
    statuses = {f.name: f.status for f in found.files}
    assert statuses["flagged.csv"] == "missing"
    assert statuses["summary.json"] == "other run"
    assert statuses["results.csv"] == "matches"


def test_parquet_and_json_folders_are_verified(tmp_path: Path, inputs: dict[str, Path]) -> None:
    out = tmp_path / "out"
    greenscore.assess(inputs["data"], previous=inputs["previous"]).write(out, ["parquet", "json"])
    found = verify(out)
    assert found.ok
    assert ("results.parquet", 94) in found.compared and ("results.json", 94) in found.compared
    assert (
        found.inputs[2].path is None and found.inputs[2].name == "bundled rubric jiangxi-parks.yaml"
    )
    replace_in_row(inputs["data"], "JX001", "0.394", "0.9")
    changed = verify(out)
    files = {d.file for d in changed.differences if d.row == "JX001" and d.column == "ind.energy"}
    assert files == {"results.parquet", "results.json"}


def test_a_folder_from_before_the_previous_year_hash(folder: Path, inputs: dict[str, Path]) -> None:
    """Records without the new fields (greenscore before this change): the rubric and last
    year's file are found in other_inputs, and last year's file, never hashed, is not confirmed."""
    for sidecar in folder.glob("*.provenance.json"):
        record = json.loads(sidecar.read_text(encoding="utf-8"))
        for key in ("rubric_path", "previous_path", "previous_sha256", "period"):
            del record[key]
        sidecar.write_text(json.dumps(record), encoding="utf-8")
    (folder / "assessment.xlsx").unlink()
    found = verify(folder)
    assert [(c.kind, c.path, c.status) for c in found.inputs] == [
        ("data", str(inputs["data"]), "matches"),
        ("previous", str(inputs["previous"]), "unrecorded"),
        ("rubric", str(inputs["rubric"]), "matches"),
    ]
    assert found.recomputed and found.difference_count == 0
    assert not found.ok


def test_a_previous_file_when_the_run_had_none(tmp_path: Path) -> None:
    out = tmp_path / "out"
    greenscore.assess(JIANGXI / "parks_2016.csv").write(out, ["csv"])
    with pytest.raises(ValueError, match="used none"):
        verify(out, previous=JIANGXI / "parks_2015.csv")


def test_differences_beyond_the_limit_are_counted(folder: Path, inputs: dict[str, Path]) -> None:
    replace_in_row(inputs["data"], "JX001", "0.394", "0.9")
    everything = verify(folder, limit=None)
    assert everything.difference_count == len(everything.differences) > 3
    cut = verify(folder, limit=3)
    assert cut.difference_count == everything.difference_count
    assert cut.differences == everything.differences[:3]


def test_a_results_file_that_no_longer_reads(folder: Path) -> None:
    (folder / "flagged.csv").write_bytes(b"row,entity\n\xff\xfe\x00\x81\n")
    found = verify(folder)
    assert not found.ok and found.recomputed
    check = {f.name: f for f in found.files}["flagged.csv"]
    assert check.status == "unreadable"
    assert str(check).startswith("flagged.csv: cannot be read (cannot read the results file")
