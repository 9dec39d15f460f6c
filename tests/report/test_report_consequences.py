"""Reports show a tier's numeric consequences: escaped labels in HTML and Markdown, parks per
value in the Markdown summary, and number formats in the workbook (issue 9, item 8).

Score = x. Tiers A ≥ 80 (land quota +10), B ≥ 40 (surcharge 0.05), C (surcharge 0.1, land
quota −10). F1 90 → A; F2 50 and F3 45 → B; F4 10 → C.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import greenscore
from greenscore.report import render_html, render_markdown, write_workbook

RUBRIC = """
name: firms
version: "1"
entity: firm_id
inputs:
  - {id: x, min: 0, max: 100}
dimensions:
  - id: d
    indicators: [{id: ix, input: x, method: linear, goalposts: {worst: 0, best: 100}}]
consequence_values:
  - {id: surcharge, label: "电价<b>加价</b>|x", unit: 元/kWh}
  - {id: land, label: 用地指标调整, unit: "%"}
tiers:
  - {id: A, min_score: 80, consequence: {kind: reward, text: 优先, values: {land: 10}}}
  - {id: B, min_score: 40, consequence: {kind: penalty, text: 提升, values: {surcharge: 0.05}}}
  - {id: C, min_score: 0, consequence: {kind: penalty, text: 限制, values: {surcharge: 0.1, land: -10}}}
"""


@pytest.fixture(scope="module")
def batch() -> greenscore.BatchResult:
    rows = [("F1", 90), ("F2", 50), ("F3", 45), ("F4", 10)]
    frame = pd.DataFrame([{"firm_id": f, "year": 2024, "x": x} for f, x in rows])
    return greenscore.assess(frame, RUBRIC)


def test_html_escapes_the_label_and_shows_values_in_the_overview_parks_and_methodology(
    batch: greenscore.BatchResult,
) -> None:
    page = render_html(batch, with_gaps=False)
    worded = "penalty: 限制 (电价&lt;b&gt;加价&lt;/b&gt;|x 0.1 元/kWh; 用地指标调整 -10 %)"
    assert "<b>加价" not in page
    assert page.count(worded) == 3
    assert page.count("penalty: 提升 (电价&lt;b&gt;加价&lt;/b&gt;|x 0.05 元/kWh)") == 4
    assert "reward: 优先 (用地指标调整 10 %)" in page


def test_markdown_counts_parks_per_value_with_escaped_labels(
    batch: greenscore.BatchResult,
) -> None:
    text = render_markdown(batch)
    section = text.split("## Consequences\n\n")[1].split("\n\n")[0].splitlines()
    assert section == [
        "| Consequence | Value | Parks | Tiers |",
        "| --- | ---: | ---: | --- |",
        "| 电价&lt;b&gt;加价&lt;/b&gt;\\|x (元/kWh) | 0.05 | 2 | B |",
        "| 电价&lt;b&gt;加价&lt;/b&gt;\\|x (元/kWh) | 0.1 | 1 | C |",
        "| 用地指标调整 (%) | -10 | 1 | C |",
        "| 用地指标调整 (%) | 10 | 1 | A |",
    ]
    assert (
        "| C | 0 | 1 | 25.0% | penalty: 限制 (电价&lt;b&gt;加价&lt;/b&gt;\\|x 0.1 元/kWh; " in text
    )


def test_markdown_has_no_consequences_section_without_declarations() -> None:
    plain = RUBRIC.split("consequence_values:")[0] + (
        "tiers:\n  - {id: A, min_score: 80}\n  - {id: C, min_score: 0}\n"
    )
    frame = pd.DataFrame([{"firm_id": "F1", "year": 2024, "x": 90}])
    assert "## Consequences" not in render_markdown(greenscore.assess(frame, plain))


def test_workbook_writes_numbers_with_as_many_decimals_as_the_rubric_uses(
    batch: greenscore.BatchResult, tmp_path: Path
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    path = write_workbook(batch, tmp_path / "report.xlsx", with_gaps=False)
    book = openpyxl.load_workbook(path)

    def column(sheet: str, name: str) -> list[tuple[object, str]]:
        rows = list(book[sheet].iter_rows())
        at = [c.value for c in rows[0]].index(name)
        return [(r[at].value, r[at].number_format) for r in rows[1:]]

    assert column("results", "consequence.surcharge") == [
        (None, "0.00"),
        (0.05, "0.00"),
        (0.05, "0.00"),
        (0.1, "0.00"),
    ]
    assert column("results", "consequence.land") == [
        (10, "0"),
        (None, "0"),
        (None, "0"),
        (-10, "0"),
    ]
    assert column("tiers", "consequence.surcharge") == [
        (None, "0.00"),
        (0.05, "0.00"),
        (0.1, "0.00"),
    ]
