"""The Excel workbook read back with openpyxl matches the BatchResult, formatted for offices."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from greenscore.batch.assess import assess
from greenscore.report import write_workbook

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "examples" / "jiangxi"


@pytest.fixture(scope="module")
def batch(jiangxi_batch):
    return jiangxi_batch


@pytest.fixture(scope="module")
def book(batch, jiangxi_gaps, tmp_path_factory):
    path = tmp_path_factory.mktemp("xlsx") / "results.xlsx"
    write_workbook(batch, path, gaps_by_entity=jiangxi_gaps)
    return openpyxl.load_workbook(path)


def _frame(sheet) -> pd.DataFrame:
    rows = list(sheet.iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_sheets_headers_and_panes(book):
    assert book.sheetnames == [
        "results",
        "indicators",
        "next_tier",
        "tiers",
        "transitions",
        "flagged",
        "methodology",
        "provenance",
    ]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert all(cell.font.b for cell in sheet[1]), sheet.title
        assert sheet.column_dimensions["A"].width >= 8


def test_results_match_the_batch(book, batch):
    sheet = book["results"]
    got = _frame(sheet).set_index("park_id")
    want = batch.results.set_index("park_id")
    assert list(got.index) == list(want.index)
    for column in ("total", "raw_total", "dim.land_use", "ind.plot_ratio", "previous_total"):
        assert got[column].astype(float).tolist() == pytest.approx(want[column].tolist())
    assert got["tier"].tolist() == want["tier"].tolist()
    assert got["rank"].tolist() == want["rank"].tolist()
    assert got["park_name"].tolist() == want["park_name"].tolist()
    headers = [c.value for c in sheet[1]]
    assert sheet.cell(2, headers.index("total") + 1).number_format == "0.0"
    assert sheet.cell(2, headers.index("ind.plot_ratio") + 1).number_format == "0.0"


def test_indicator_rows_match_assessments(book, batch):
    sheet = book["indicators"]
    rows = _frame(sheet)
    assert len(rows) == 94 * 22
    assessment = batch.assessment("JX004")
    park = rows[rows["park_id"] == "JX004"].set_index("indicator")
    for ind in assessment.indicators:
        assert park.loc[ind.id, "score"] == pytest.approx(ind.score)
        assert park.loc[ind.id, "weight"] == pytest.approx(ind.weight)
        assert park.loc[ind.id, "contribution"] == pytest.approx(ind.contribution)
    totals = rows.groupby("park_id")["contribution"].sum()
    raw = batch.results.set_index("park_id")["raw_total"]
    assert totals.loc[raw.index].tolist() == pytest.approx(raw.tolist())
    headers = [c.value for c in sheet[1]]
    assert sheet.cell(2, headers.index("score") + 1).number_format == "0.0"
    assert sheet.cell(2, headers.index("weight") + 1).number_format == "0.0%"


def test_gap_and_methodology_sheets(book, batch):
    gaps = _frame(book["next_tier"])
    assert gaps["status"].value_counts().to_dict() == {"reachable": 84, "top": 7, "vetoed": 3}
    reachable = gaps[gaps["status"] == "reachable"]
    assert reachable["plan"].str.len().min() > 0
    method = _frame(book["methodology"])
    for _, ind in batch.rubric.iter_indicators():
        assert ind.id in set(method["id"])
    provenance = dict(book["provenance"].iter_rows(min_row=2, values_only=True))
    assert provenance["rubric_sha256"] == batch.provenance.rubric_sha256
    assert provenance["input_sha256"] == batch.provenance.input_sha256


def test_text_cells_cannot_run_as_formulas(tmp_path):
    frame = pd.read_csv(DATA / "parks_2016.csv", dtype=str, keep_default_na=False).head(3)
    frame.loc[0, "park_name"] = '=HYPERLINK("http://evil.example","x")'
    path = tmp_path / "evil.xlsx"
    write_workbook(assess(frame), path, with_gaps=False)
    book = openpyxl.load_workbook(path)
    cell = book["results"]["C2"]
    assert cell.data_type == "s" and cell.value.startswith("'=")
    assert "next_tier" not in book.sheetnames
