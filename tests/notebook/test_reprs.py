"""Every result prints as one short line: no repr longer than 200 characters (issue 13, item 2)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from pathlib import Path

import greenscore
from greenscore.errors import DataProblem

ROOT = Path(__file__).resolve().parents[2]
JIANGXI = ROOT / "examples" / "jiangxi"
LIMIT = 200


def parts_of_gap(gap: greenscore.TierGap) -> Iterator[object]:
    yield gap
    yield from gap.indicators
    if gap.path is not None:
        yield gap.path
        yield from gap.path.steps


def parts_of_assessment(a: greenscore.Assessment) -> Iterator[object]:
    yield a
    yield a.tier
    yield from a.dimensions
    yield from a.indicators
    yield from a.vetoes


def assert_short(obj: object) -> str:
    text = repr(obj)
    assert len(text) <= LIMIT, f"{type(obj).__name__} repr of {len(text)} characters: {text[:80]}…"
    assert "\n" not in text and "\x1b" not in text
    return text


def test_every_result_of_the_example_batch_has_a_short_repr(
    jiangxi_batch: greenscore.BatchResult,
    jiangxi_gaps: Mapping[str, greenscore.TierGap | str],
) -> None:
    shown = [jiangxi_batch, jiangxi_batch.summary(), jiangxi_batch.rubric]
    for park in jiangxi_batch.results["park_id"]:
        shown += parts_of_assessment(jiangxi_batch.assessment(park))
    for gap in jiangxi_gaps.values():
        if isinstance(gap, greenscore.TierGap):
            shown += parts_of_gap(gap)
    kinds = {type(obj).__name__ for obj in shown}
    assert kinds >= {
        "BatchResult",
        "BatchSummary",
        "Rubric",
        "Assessment",
        "Tier",
        "DimensionResult",
        "IndicatorResult",
        "VetoResult",
        "TierGap",
        "IndicatorGap",
        "ImprovementPath",
        "PathStep",
    }
    for obj in shown:
        assert_short(obj)


def test_flagged_problems_have_short_reprs() -> None:
    batch = greenscore.assess(JIANGXI / "parks_2016_bad_cells.csv", errors="flag")
    assert len(batch.problems) == 13
    for problem in batch.problems:
        assert_short(problem)
    long = DataProblem("field", "x" * 500, "a problem\nover two lines", row=3, entity="P1")
    assert assert_short(long).endswith("…>")


def test_the_reprs_name_what_matters(jiangxi_batch: greenscore.BatchResult) -> None:
    """Totals, tiers and counts as the docs' example table and the rubric file state them."""
    a = jiangxi_batch.assessment("JX001")
    name = "Jiangxi industrial park green development assessment"
    assert repr(a) == f"<Assessment JX001 2016: 89.9 → excellent (rubric {name} 2016.1)>"
    assert repr(a.tier) == "<Tier excellent 优秀 Excellent: from 80, reward>"
    assert repr(a.dimension("land_use")) == (
        "<DimensionResult land_use: 87.09, 25% of total, contributes 21.77>"
    )
    assert repr(a.indicator("idle_land")) == (
        "<IndicatorResult idle_land: 4.2 % → 86 / 100, contributes 4.3>"
    )
    assert repr(a.indicator("green_checklist")) == (
        "<IndicatorResult green_checklist: 4 of 4 items → 100 / 100, contributes 5>"
    )
    assert repr(a.vetoes) == "(<VetoResult inspection_deduction: deduct 0.3 points>,)"
    assert repr(jiangxi_batch) == (
        f"<BatchResult period 2016: 94 scored, 0 flagged, 0 other-period rows (rubric {name} "
        "2016.1)>"
    )
    assert repr(jiangxi_batch.rubric) == (
        f"<Rubric {name} 2016.1: 7 dimensions, 22 indicators, 5 vetoes, 4 tiers>"
    )


def test_the_summary_repr_counts_parks_per_tier() -> None:
    """The tier counts printed in docs/annual-assessment.md for the flagged 2016 run."""
    batch = greenscore.assess(
        JIANGXI / "parks_2016_bad_cells.csv",
        previous=JIANGXI / "parks_2015.csv",
        errors="flag",
    )
    text = repr(batch.summary())
    assert text.startswith(
        "<BatchSummary period 2016: 81 scored, 13 flagged; excellent 6, good 9, pass 52, fail 14;"
    )


def test_gap_reprs_say_how_far_the_next_tier_is(
    jiangxi_gaps: Mapping[str, greenscore.TierGap | str],
) -> None:
    """JX010 has 63.1, and pass → good needs 65: 1.9 points short (rubric tiers)."""
    gap = jiangxi_gaps["JX010"]
    assert isinstance(gap, greenscore.TierGap)
    assert repr(gap) == "<TierGap JX010 2016: 63.1 pass → good, 1.9 points short (reachable)>"
    top = jiangxi_gaps["JX001"]
    assert isinstance(top, greenscore.TierGap)
    assert repr(top) == "<TierGap JX001 2016: 89.9 excellent (top)>"
    assert gap.path is not None
    assert repr(gap.path).startswith(f"<ImprovementPath {len(gap.path.steps)} steps, effort ")


def test_hostile_names_stay_on_one_short_line(jiangxi_batch: greenscore.BatchResult) -> None:
    a = jiangxi_batch.assessment("JX001")
    odd = dataclasses.replace(
        a,
        entity="P\n1\x1b[31m" + "x" * 1000,
        rubric_name="r" * 5000,
        rubric_version="v" * 300,
    )
    text = assert_short(odd)
    assert text.startswith("<Assessment P\\n1\\x1b[31mxxx")
    assert "…: 89.9 → excellent (rubric rrr" in text
    rubric = jiangxi_batch.rubric.model_copy(update={"name": "n" * 5000, "version": "\u202e1"})
    text = assert_short(rubric)
    assert "\u202e" not in text and "\\u202e1" in text


def test_rubric_repr_replaces_pydantics_dump_everywhere(
    jiangxi_batch: greenscore.BatchResult,
) -> None:
    """pydantic's str, rich and devtools displays go through __repr_args__: name and version."""
    rubric = jiangxi_batch.rubric
    assert str(rubric) == repr(rubric)
    name = "Jiangxi industrial park green development assessment"
    assert list(rubric.__repr_args__()) == [("name", name), ("version", "2016.1")]
    assert list(rubric.__rich_repr__()) == [("name", name), ("version", "2016.1")]
