"""The office workbook lists the track rules that fired, pool by pool (issue 10, item 4)."""

from __future__ import annotations

from pathlib import Path

import openpyxl

import greenscore
from greenscore.report import write_report

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "examples" / "track-record" / "zones_2019_2022.csv"
RUBRIC = ROOT / "examples" / "track-record" / "zones-track.yaml"


def test_the_workbook_lists_titles_escalations_and_removals_per_pool(tmp_path: Path) -> None:
    batch = greenscore.assess(DATA, RUBRIC)
    write_report(batch, xlsx=tmp_path / "report.xlsx")
    book = openpyxl.load_workbook(tmp_path / "report.xlsx", read_only=True)
    rows = list(book["track_record"].iter_rows(values_only=True))
    book.close()
    assert rows[0] == ("pool", "period", "entity", "rule", "label", "gives", "why")
    pools = [row[0] for row in rows[1:]]
    assert pools == sorted(pools)
    removed = sorted((row[0], row[2]) for row in rows[1:] if row[3] == "removal")
    assert removed == [
        ("national", "N04"),
        ("national", "N07"),
        ("provincial", "P02"),
        ("provincial", "P20"),
    ]
    assert len(rows) - 1 == len(batch.track.fired) if batch.track is not None else False


def test_a_rubric_without_track_rules_has_no_such_sheet(tmp_path: Path) -> None:
    batch = greenscore.assess(ROOT / "examples" / "jiangxi" / "parks_2016.csv")
    write_report(batch, xlsx=tmp_path / "report.xlsx")
    book = openpyxl.load_workbook(tmp_path / "report.xlsx", read_only=True)
    assert "track_record" not in book.sheetnames
    book.close()
