"""The Markdown summary and the ``greenscore report`` command."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from greenscore.batch.assess import assess
from greenscore.cli import main
from greenscore.report import render_markdown

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "examples" / "jiangxi"


@pytest.fixture(scope="module")
def batch(jiangxi_batch):
    return jiangxi_batch


def test_markdown_summary(batch):
    text = render_markdown(batch)
    counts = batch.results["tier"].value_counts()
    assert text.startswith("# Jiangxi industrial park green development assessment: 2016")
    for tier in batch.rubric.tiers:
        row = next(line for line in text.splitlines() if line.startswith(f"| {tier.label} |"))
        assert f"| {counts.get(tier.id, 0)} |" in row
    assert "## Tier transitions from 2015 (rows) to 2016 (columns)" in text
    assert "| 1 | JX001 | 南昌高新技术产业开发区 | 89.9 | 优秀 Excellent |" in text
    assert batch.provenance.rubric_sha256 in text


def test_markdown_escapes_table_cells(tmp_path):
    frame = pd.read_csv(DATA / "parks_2016.csv", dtype=str, keep_default_na=False).head(3)
    frame.loc[0, "park_name"] = "Park | with pipe"
    text = render_markdown(assess(frame))
    assert "Park \\| with pipe" in text


def test_cli_writes_all_three(tmp_path, capsys):
    frame = pd.read_csv(DATA / "parks_2016.csv", dtype=str, keep_default_na=False).head(6)
    data = tmp_path / "parks.csv"
    frame.to_csv(data, index=False)
    html, xlsx, md = tmp_path / "r.html", tmp_path / "r.xlsx", tmp_path / "r.md"
    code = main(["report", str(data), "-o", str(html), "--xlsx", str(xlsx), "--markdown", str(md)])
    assert code == 0
    out = capsys.readouterr().out
    assert "assessed 6 parks" in out and str(html) in out
    assert html.read_text(encoding="utf-8").count('class="park"') == 6
    assert openpyxl.load_workbook(xlsx).sheetnames[0] == "results"
    assert md.read_text(encoding="utf-8").startswith("# ")


def test_cli_needs_an_output(tmp_path, capsys):
    assert main(["report", str(DATA / "parks_2016.csv")]) == 2
    assert "give at least one output" in capsys.readouterr().err


def test_cli_will_not_overwrite_its_input(tmp_path, capsys):
    frame = pd.read_csv(DATA / "parks_2016.csv", dtype=str, keep_default_na=False).head(2)
    data = tmp_path / "parks.csv"
    frame.to_csv(data, index=False)
    before = data.read_bytes()
    assert main(["report", str(data), "-o", str(data)]) == 1
    assert "refusing to write" in capsys.readouterr().err
    assert data.read_bytes() == before


def test_markdown_summary_escapes_html_and_markdown_in_park_names() -> None:
    """Issue 12 defect 6: names are data, never markup (as in the HTML report)."""
    frame = pd.read_csv(DATA / "parks_2016.csv", dtype=str, keep_default_na=False).head(3)
    frame["park_name"] = [
        "<img src=x onerror=alert(1)>",
        "*b* [x](javascript:y) `c` _i_ a|b\nnew",
        "\x1b[2J~s~ & \\",
    ]
    text = render_markdown(assess(frame))
    assert "<img" not in text and "\x1b" not in text and "\nnew" not in text
    assert "| JX001 | &lt;img src=x onerror=alert(1)&gt; |" in text
    assert "| JX002 | \\*b\\* \\[x\\](javascript:y) \\`c\\` \\_i\\_ a\\|b new |" in text
    assert "| JX003 | \\x1b\\[2J\\~s\\~ &amp; \\\\ |" in text
    assert "| Rank | park_id | park_name | Total | Tier |" in text
