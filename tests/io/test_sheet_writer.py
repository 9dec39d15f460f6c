"""One sheet writer for both workbooks: the same cell cleaning, widths and options, read back with
openpyxl. Escaped forms follow the OWASP "CSV injection" advice: a leading ' makes Excel keep
the text as text."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from greenscore.batch.assess import assess
from greenscore.batch.write import write_result
from greenscore.io import SheetStyle, excel_cell, make_provenance, write_excel
from greenscore.report import write_workbook

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "examples" / "jiangxi"

PAYLOADS = {
    "=cmd|' /C calc'!A0": "'=cmd|' /C calc'!A0",
    "+1": "+1",
    "-1+2": "'-1+2",
    "@SUM(1)": "'@SUM(1)",
    "\t=1+1": "'\t=1+1",
    "\r=1+1": "'\r=1+1",
    "-1.5": "-1.5",
    "plain": "plain",
}


@pytest.mark.parametrize(("raw", "stored"), PAYLOADS.items())
def test_cell_cleaner_escapes_formulas(raw: str, stored: str) -> None:
    assert excel_cell(raw) == stored


def test_cell_cleaner_keeps_types_and_drops_what_excel_cannot_hold() -> None:
    assert excel_cell(np.int64(3)) == 3 and type(excel_cell(np.int64(3))) is int
    assert excel_cell(np.float64(0.25)) == 0.25
    assert excel_cell(np.bool_(True)) is True
    assert excel_cell(float("nan")) is None
    assert excel_cell(pd.NA) is None
    assert excel_cell(pd.NaT) is None
    assert excel_cell(float("-inf")) == "'-inf"
    assert excel_cell("a\x01b") == "ab"
    assert excel_cell(pd.Timestamp("2016-01-02")) == datetime(2016, 1, 2)
    assert excel_cell(datetime(2016, 1, 2, tzinfo=UTC)) == "2016-01-02T00:00:00+00:00"


@pytest.fixture
def prov():
    return make_provenance(
        rubric_name="r",
        rubric_version="1",
        rubric_sha256="ab" * 32,
        now=datetime(2025, 3, 1, tzinfo=UTC),
    )


def test_style_options(tmp_path, prov) -> None:
    frame = pd.DataFrame(
        {
            "share": [0.5, None],
            "note": ["first line\nsecond, the longer line of the two", "短"],
            "名称": ["苏州工业园区", "x"],
            "empty": [None, None],
        }
    )
    path = tmp_path / "t.xlsx"
    style = SheetStyle({"share": "0.0%"}, frozenset({"note"}))
    write_excel(path, {"t": frame}, prov, styles={"t": style}, autofilter=True)
    sheet = openpyxl.load_workbook(path)["t"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:D3"
    assert [c.font.b for c in sheet[1]] == [True] * 4
    assert [sheet["A2"].number_format, sheet["A3"].number_format] == ["0.0%", "0.0%"]
    assert sheet["A3"].value is None
    assert sheet["B2"].alignment.wrap_text and sheet["B2"].alignment.vertical == "top"
    assert not sheet["C2"].alignment.wrap_text
    widths = {k: sheet.column_dimensions[k].width for k in "ABCD"}
    # share: a formatted column is as wide as its header + 2, at least 9.
    # note: the longer line has 34 characters → 36.
    # 名称: six CJK characters count twice → 12 + 2. empty: the minimum, 6 + 2.
    assert widths == {"A": 9, "B": 36, "C": 14, "D": 8}


def test_without_options_no_filter(tmp_path, prov) -> None:
    path = tmp_path / "t.xlsx"
    write_excel(path, {"t": pd.DataFrame({"a": [1]})}, prov)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["t", "provenance"]
    assert book["t"].auto_filter.ref is None
    assert book["t"]["A2"].number_format == "General"


def _cells(path: Path) -> dict[str, set[object]]:
    book = openpyxl.load_workbook(path)
    found: dict[str, set[object]] = {}
    for sheet in book.worksheets:
        found[sheet.title] = {c.value for row in sheet.iter_rows() for c in row}
    return found


def test_both_workbooks_escape_alike(tmp_path) -> None:
    """The same hostile park names come out the same in assessment.xlsx and report.xlsx (an XML
    reader turns a stored carriage return into a line feed)."""
    frame = pd.read_csv(DATA / "parks_2016.csv", dtype=str, keep_default_na=False).head(
        len(PAYLOADS)
    )
    frame["park_name"] = list(PAYLOADS)
    result = assess(frame)
    write_result(result, tmp_path / "out", ["xlsx"])
    write_workbook(result, tmp_path / "report.xlsx", with_gaps=False)
    plain = _cells(tmp_path / "out" / "assessment.xlsx")["results"]
    office = _cells(tmp_path / "report.xlsx")["results"]
    for stored in PAYLOADS.values():
        read = stored.replace("\r", "\n")
        assert read in plain and read in office, stored
    for raw, stored in PAYLOADS.items():
        if raw != stored:
            assert raw not in plain and raw not in office, raw
    texts = [v for v in plain | office if isinstance(v, str)]
    assert not any(t.startswith(("=", "@", "\t", "\r")) for t in texts)
    assert not any(isinstance(v, float) and math.isnan(v) for v in plain | office)


def test_text_spelt_like_an_excel_error_is_written_as_text_not_an_error_cell(
    tmp_path: Path,
) -> None:
    """openpyxl stores the text '#N/A' as Excel's #N/A error, which greenscore's own reader then
    refuses: a flagged value typed as '#N/A' must stay the text it was."""
    path = tmp_path / "out.xlsx"
    frame = pd.DataFrame(
        {"value": ["#N/A", "ok", "#DIV/0!"], "problem": ["#REF!", "x", "y"], "#NAME?": [1, 2, 3]}
    )
    prov = make_provenance(rubric_name="r", rubric_version="1", rubric_sha256="ab" * 32)
    write_excel(
        path, {"flagged": frame}, prov, styles={"flagged": SheetStyle(wrap=frozenset({"problem"}))}
    )
    sheet = openpyxl.load_workbook(path)["flagged"]
    cells = [sheet["C1"], sheet["A2"], sheet["A4"], sheet["B2"]]
    assert [(c.value, c.data_type) for c in cells] == [
        ("#NAME?", "s"),
        ("#N/A", "s"),
        ("#DIV/0!", "s"),
        ("#REF!", "s"),
    ]
    assert sheet["B2"].alignment.wrap_text
