"""What docs/track-records.md shows is what greenscore prints and does (issue 10)."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

import greenscore

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "track-records.md").read_text(encoding="utf-8")
DATA = ROOT / "examples" / "track-record" / "zones_2019_2022.csv"
RUBRIC = ROOT / "examples" / "track-record" / "zones-track.yaml"


def test_one_zones_four_years_print_as_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    section = DOC[DOC.index("## One zone's four years") :]
    code, shown = re.findall(r"```(?:python)?\n(.*?)```", section, flags=re.S)[:2]
    monkeypatch.chdir(ROOT)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "docs/track-records.md", "exec"), {})
    assert printed.getvalue() == shown


def test_the_zones_the_page_names_behave_as_it_says() -> None:
    batch = greenscore.assess(DATA, RUBRIC)
    results = batch.results.set_index("zone_id")
    provincial = results[results["pool"] == "provincial"]
    assert provincial["rank"].idxmax() == "P19"
    assert not results.loc["P19", "removed"]
    assert results.loc["P19", "consequence.surcharge"] == pytest.approx(0.10)
    assert (
        "not applied to a new entity (scored since 2021): Demonstration zone (reads 3 periods); "
        "Surcharge, third year on (reads 3 periods); Removal (reads 3 periods)"
    ) in batch.assessment("P19").track
    assert results.loc["P07", "track"] == "surcharge_2"
    tiers = {
        year: greenscore.assess(DATA, RUBRIC, period=year).results.set_index("zone_id")["tier"]
        for year in (2019, 2020, 2021)
    }
    assert "P07" not in tiers[2020].index
    assert (tiers[2019]["P07"], tiers[2021]["P07"], results.loc["P07", "tier"]) == ("C", "D", "D")
