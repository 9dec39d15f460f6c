"""What an office announces (issue 13, item 5): rewarded, penalised and failing parks with their
consequences, parks dropped since last year, and averages and ranks by group.

A tiny batch, score = x: tiers A ≥ 80 (reward), B ≥ 40 (no consequence), C (no consequence, the
bottom tier, so "failing"). This year F1 90 (甲<b>), F3 70 (甲<b>), F2 50 (乙), F4 10 (乙),
F6 30 (丙), F5 20 (no city), F8 150 (out of range: flagged). Last year F1..F5, F7 60, F8 85.
By hand: A = F1; B = F3, F2; C = F6, F5, F4. Groups: 甲<b> mean (90+70)/2 = 80, rank 1;
丙 mean 30 and 乙 mean (50+10)/2 = 30 share rank 2; no city mean 20, rank 4.
Dropped: F8 (flagged, last year 85, A, rank 1) and F7 (no row, last year 60, B).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

import greenscore
from greenscore.cli import main
from greenscore.report import render_html, render_markdown, render_notices
from greenscore.report._announce import dropped, group_table

ROOT = Path(__file__).resolve().parents[2]
JIANGXI = ROOT / "examples" / "jiangxi"

RUBRIC = """
name: firms
version: "1"
entity: firm_id
attributes: [firm_name, city]
inputs:
  - {id: x, min: 0, max: 100}
dimensions:
  - id: d
    indicators: [{id: ix, input: x, method: linear, goalposts: {worst: 0, best: 100}}]
tiers:
  - {id: A, label: "优<i>秀</i>", min_score: 80, consequence: {kind: reward, text: "表彰|<b>奖</b>"}}
  - {id: B, min_score: 40}
  - {id: C, label: 差, min_score: 0}
"""

NOW = [
    ("F1", 90, "甲<b>"),
    ("F2", 50, "乙"),
    ("F3", 70, "甲<b>"),
    ("F4", 10, "乙"),
    ("F5", 20, None),
    ("F6", 30, "丙"),
    ("F8", 150, "丙"),
]
BEFORE = [("F1", 88), ("F2", 45), ("F3", 66), ("F4", 12), ("F5", 25), ("F7", 60), ("F8", 85)]


def _frame(rows: list[tuple[str, int, str | None]], year: int) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"firm_id": f, "firm_name": f"name {f}", "city": c, "year": year, "x": x}
            for f, x, c in rows
        ]
    )


@pytest.fixture(scope="module")
def batch() -> greenscore.BatchResult:
    before = _frame([(f, x, "甲<b>") for f, x in BEFORE], 2023)
    return greenscore.assess(_frame(NOW, 2024), RUBRIC, previous=before, errors="flag")


def _section(text: str, heading: str) -> list[str]:
    return text.split(heading + "\n\n")[1].split("\n\n## ")[0].split("\n\n---")[0].splitlines()


def test_markdown_lists_rewarded_and_failing_parks_with_consequences(
    batch: greenscore.BatchResult,
) -> None:
    text = render_markdown(batch)
    assert _section(text, "## Rewarded: 优&lt;i&gt;秀&lt;/i&gt; (1)") == [
        "reward: 表彰\\|&lt;b&gt;奖&lt;/b&gt;",
        "",
        "| Rank | firm_id | firm_name | Total |",
        "| ---: | --- | --- | ---: |",
        "| 1 | F1 | name F1 | 90.0 |",
    ]
    assert _section(text, "## Failing: 差 (3)")[2:] == [
        "| Rank | firm_id | firm_name | Total |",
        "| ---: | --- | --- | ---: |",
        "| 4 | F6 | name F6 | 30.0 |",
        "| 5 | F5 | name F5 | 20.0 |",
        "| 6 | F4 | name F4 | 10.0 |",
    ]
    assert "## Penalised" not in text
    assert "Rewarded: B" not in text and ": B (" not in text


def test_markdown_lists_parks_scored_last_year_but_flagged_or_absent_now(
    batch: greenscore.BatchResult,
) -> None:
    lines = _section(render_markdown(batch), "## Scored in 2023, not scored now (2)")
    assert lines[0] == "| firm_id | firm_name | Total in 2023 | Tier in 2023 | Why |"
    assert lines[2] == (
        "| F8 | name F8 | 85.0 | 优&lt;i&gt;秀&lt;/i&gt; | flagged: x: expected a value in \\[0, 100\\] |"
    )
    assert lines[3] == "| F7 | name F7 | 60.0 | B | no row with this id in the data |"
    assert len(lines) == 4


def test_group_table_counts_averages_and_ranks_with_shared_ranks(
    batch: greenscore.BatchResult,
) -> None:
    table = group_table(batch, "city")
    assert table.to_dict(orient="records") == [
        {"city": "甲<b>", "count": 2, "mean_total": 80.0, "A": 1, "B": 1, "C": 0, "rank": 1},
        {"city": "丙", "count": 1, "mean_total": 30.0, "A": 0, "B": 0, "C": 1, "rank": 2},
        {"city": "乙", "count": 2, "mean_total": 30.0, "A": 0, "B": 1, "C": 1, "rank": 2},
        {"city": "—", "count": 1, "mean_total": 20.0, "A": 0, "B": 0, "C": 1, "rank": 4},
    ]


def test_markdown_ranks_groups_with_escaped_names(batch: greenscore.BatchResult) -> None:
    assert _section(render_markdown(batch, group_by="city"), "## By city") == [
        "| Rank | city | Parks | Mean total | 优&lt;i&gt;秀&lt;/i&gt; | B | 差 |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: |",
        "| 1 | 甲&lt;b&gt; | 2 | 80.0 | 1 | 1 | 0 |",
        "| 2 | 丙 | 1 | 30.0 | 0 | 0 | 1 |",
        "| 2 | 乙 | 2 | 30.0 | 0 | 1 | 1 |",
        "| 4 | — | 1 | 20.0 | 0 | 0 | 1 |",
    ]


def test_html_shows_announced_dropped_and_ranked_groups_escaped(
    batch: greenscore.BatchResult,
) -> None:
    page = render_html(batch, group_by="city", with_gaps=False)
    assert "<b>" not in page and "<i>秀" not in page
    assert "<p>reward: 表彰|&lt;b&gt;奖&lt;/b&gt;</p>" in page
    assert '<h3 data-announced="failing" data-tier="C">' in page
    assert '<tr data-dropped-entity="F8" data-status="flagged">' in page
    assert '<tr data-dropped-entity="F7" data-status="absent">' in page
    assert '<tr data-group="甲&lt;b&gt;" data-rank="1">' in page
    assert page.count('data-rank="2"><td class="n">2</td>') == 2


def test_no_dropped_section_without_a_previous_year() -> None:
    one = greenscore.assess(_frame(NOW[:2], 2024), RUBRIC)
    assert dropped(one) is None
    assert "not scored now" not in render_markdown(one)
    assert 'id="dropped"' not in render_html(one, with_gaps=False)


def _csv_rows(name: str) -> list[dict[str, str]]:
    with (JIANGXI / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def bad_cells() -> greenscore.BatchResult:
    return greenscore.assess(
        JIANGXI / "parks_2016_bad_cells.csv",
        previous=JIANGXI / "parks_2015.csv",
        errors="flag",
    )


def test_jiangxi_lists_the_published_rewarded_and_penalised_counts(
    bad_cells: greenscore.BatchResult,
) -> None:
    """docs/annual-assessment.md, step 3: 6 excellent and 9 good (reward), 14 fail (penalty)."""
    text = render_markdown(bad_cells)
    assert "## Rewarded: 优秀 Excellent (6)" in text
    assert "## Rewarded: 良好 Good (9)" in text
    assert "## Penalised: 不合格 Fail (14)" in text
    assert "## Failing" not in text


def test_jiangxi_dropped_are_the_13_flagged_or_renamed_parks(
    bad_cells: greenscore.BatchResult,
) -> None:
    """The 12 rows of the bad-cells file that differ from parks_2016.csv, plus JX071: JX060 lost
    its id and JX070's row carries JX071 (so both are absent, and JX071's own row is flagged as a
    duplicate); the other 10 hold one bad cell each. Every park was scored in 2015."""
    good = _csv_rows("parks_2016.csv")
    bad = _csv_rows("parks_2016_bad_cells.csv")
    changed = {g["park_id"] for g, b in zip(good, bad, strict=True) if g != b}
    assert len(changed) == 12
    table = dropped(bad_cells)
    assert table is not None
    assert set(table["park_id"]) == changed | {"JX071"}
    status = dict(zip(table["park_id"], table["status"], strict=True))
    assert {e for e, s in status.items() if s == "absent"} == {"JX060", "JX070"}
    assert "## Scored in 2015, not scored now (13)" in render_markdown(bad_cells)


def test_jiangxi_city_counts_and_means_match_the_input(
    jiangxi_batch: greenscore.BatchResult,
) -> None:
    """Parks per city counted from the CSV; means by plain arithmetic on the scored totals."""
    rows = _csv_rows("parks_2016.csv")
    totals = dict(
        zip(jiangxi_batch.results["park_id"], jiangxi_batch.results["total"], strict=True)
    )
    by_city: dict[str, list[float]] = {}
    for r in rows:
        by_city.setdefault(r["city"], []).append(float(totals[r["park_id"]]))
    table = group_table(jiangxi_batch, "city").set_index("city")
    assert table["count"].to_dict() == {c: len(v) for c, v in by_city.items()}
    for city, values in by_city.items():
        assert table.loc[city, "mean_total"] == pytest.approx(sum(values) / len(values))
    best = max(by_city, key=lambda c: sum(by_city[c]) / len(by_city[c]))
    assert table.loc[best, "rank"] == 1


def test_assess_report_groups_by_the_column_asked_for(tmp_path: Path, capsys) -> None:
    """Parks per level counted from the CSV: the HTML report ranks the three levels."""
    levels: dict[str, int] = {}
    for r in _csv_rows("parks_2016.csv"):
        levels[r["level"]] = levels.get(r["level"], 0) + 1
    out = tmp_path / "report.html"
    code = main(
        ["assess", str(JIANGXI / "parks_2016.csv"), "--report", str(out), "--group-by", "level"]
    )
    assert code == 0
    page = out.read_text(encoding="utf-8")
    assert "Tiers, mean total and rank by level" in page
    for level, count in levels.items():
        row = page.split(f'<tr data-group="{level}"')[1].split("</tr>")[0]
        assert f'<td>{level}</td><td class="n">{count}</td>' in row


def test_assess_group_by_without_report_is_a_usage_error(capsys) -> None:
    code = main(["assess", str(JIANGXI / "parks_2016.csv"), "--group-by", "city"])
    assert code == 2
    assert "--group-by needs --report" in capsys.readouterr().err


def test_notices_one_page_per_park_with_escaped_data_and_fields_to_fill(
    batch: greenscore.BatchResult,
) -> None:
    page = render_notices(batch, with_gaps=False)
    assert page.count('<section class="notice"') == 6
    assert "<b>" not in page and "甲&lt;b&gt;" in page
    first = page.split('<section class="notice" data-entity="F1">')[1].split("</section>")[0]
    assert '<td class="score">90.0</td>' in first
    assert '<td class="tier">优&lt;i&gt;秀&lt;/i&gt;</td>' in first
    assert "<td>1 of 6</td>" in first
    assert '<td class="consequence">reward: 表彰|&lt;b&gt;奖&lt;/b&gt;</td>' in first
    for field in ("Signed:", "Date:", "Appeal:"):
        assert field in first
    assert "break-after: page" in page


def test_notice_gives_the_gap_of_the_worked_example(jiangxi_batch, jiangxi_gaps) -> None:
    """docs/reports.md: JX056 totals 34.9 (fail) and needs 35 for pass, 0.1 points short."""
    page = render_notices(jiangxi_batch, gaps_by_entity=jiangxi_gaps)
    notice = page.split('data-entity="JX056">')[1].split("</section>")[0]
    assert '<td class="score">34.9</td>' in notice
    assert '<td class="tier">不合格 Fail</td>' in notice
    assert "合格 Pass needs 35" in notice and "0.1 points short" in notice
