"""Reports show bonuses, capped items and clamped totals as the explanation does, and their
charts keep totals that pass the scale maximum in view (issue 9)."""

from __future__ import annotations

import re

import pandas as pd

import greenscore
from greenscore.report import render_html, render_markdown

RUBRIC = """
name: points
version: "1"
inputs:
  - {id: x, min: 0}
  - {id: awards, type: integer, min: 0}
dimensions:
  - id: d
    indicators:
      - {id: ix, input: x, method: linear, goalposts: {worst: 0, best: 100}, cap: false}
vetoes:
  - {id: award, label: Awards, kind: bonus, points: 2 * awards, cap: 3, reason: Provincial awards}
tiers:
  - {id: a, min_score: 90}
  - {id: b, min_score: 0}
"""


def _batch(extra: str = "", top: float = 104.2) -> greenscore.BatchResult:
    rows = (("F1", top, 1), ("F2", 95, 2), ("F3", 80, 0))
    frame = pd.DataFrame([{"park_id": p, "year": 2024, "x": x, "awards": k} for p, x, k in rows])
    return greenscore.assess(frame, RUBRIC + extra)


def _svg(page: str, title: str) -> str:
    found = [s for s in re.findall(r"<svg.*?</svg>", page, re.S) if f"<title>{title}" in s]
    assert len(found) >= 1
    return found[0]


def test_park_pages_show_the_bonus_and_the_clamp():
    """F1: 104.2 + 2 = 106.2, held at 100. F2: two awards give 4, held at 3."""
    page = render_html(_batch(), with_gaps=False)
    assert (
        "<p>Weighted score 104.20 + bonuses 2.00 = 106.20, clamped to 100 = 100.0 (rounded).</p>"
        in page
    )
    assert "<strong>Awards</strong> (add 3 points, capped from 4): Provincial awards" in page
    assert "The total is the weighted score, plus bonus points, held within 0–100." in page
    assert "<td>add 2 * awards points, at most 3</td>" in page


def test_charts_widen_to_totals_past_the_scale():
    """Without a ceiling F1 totals 130 + 2 = 132: the histogram's axis runs past 100 (a tick at
    120), where the scale alone would have dropped the park from the chart."""
    page = render_html(_batch("total: {ceiling: false}\n", top=130), with_gaps=False)
    ticks = re.findall(r"<text[^>]*>([^<]*)<", _svg(page, "Distribution of total scores"))
    assert "120" in ticks
    capped = render_html(_batch(), with_gaps=False)
    ticks = re.findall(r"<text[^>]*>([^<]*)<", _svg(capped, "Distribution of total scores"))
    assert "120" not in ticks and "100" in ticks


def test_markdown_lists_bonuses_with_vetoes():
    text = render_markdown(_batch())
    assert "## Vetoes, deductions and bonuses" in text
    assert "| F1 | Awards |" in text
