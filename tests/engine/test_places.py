"""Ranking pools and places (issue 9): ranks and top/bottom per pool, a quantile scheme per
county, minimum shares, ties, forced tiers under quotas, units outside the ranking, per-pool
calibration. Every expected tier and rank below is worked out by hand in the docstrings."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import greenscore
from greenscore.batch.calibrate import calibrate
from greenscore.engine.describe import rubric_rows
from greenscore.engine.places import MINIMUM_KEY, QUOTA_KEY, ranks
from greenscore.errors import CohortRequiredError, ProfileError, RubricError
from greenscore.explain.gap import next_tier_gap
from greenscore.rubric.load import load_rubric, rubric_yaml

HEAD = """
name: places
version: "1"
entity: id
inputs:
  - {id: x}
dimensions:
  - id: d
    indicators: [{id: i, input: x, method: linear, goalposts: {worst: 0, best: 100}}]
"""


def rubric(tail: str, head: str = HEAD) -> greenscore.Rubric:
    return load_rubric(head + tail)


def table(rows: list[tuple[str, str, float]], pool: str = "level") -> pd.DataFrame:
    """Rows of (id, pool, x): with the linear 0–100 indicator each total equals x."""
    return pd.DataFrame(
        {
            "id": [r[0] for r in rows],
            "year": 2020,
            pool: [r[1] for r in rows],
            "x": [r[2] for r in rows],
        }
    )


def by_id(result: greenscore.BatchResult, column: str) -> dict[str, object]:
    return dict(zip(result.results["id"], result.results[column], strict=True))


ZONES = """
pools: [level]
tiers:
  - {id: commended, top: 2, label: top 2 of each level}
  - {id: normal}
  - {id: talk, bottom: 1, label: called in for a talk}
"""

ZONE_ROWS = [
    ("N1", "national", 90.0),
    ("N2", "national", 80.0),
    ("N3", "national", 70.0),
    ("P1", "provincial", 85.0),
    ("P2", "provincial", 60.0),
    ("P3", "provincial", 50.0),
    ("P4", "provincial", 40.0),
]


def test_ranks_and_top_and_bottom_places_per_pool() -> None:
    """National N1 90 > N2 80 > N3 70: top 2 commended, the bottom 1 (N3) called in. Provincial
    P1 85 > P2 60 > P3 50 > P4 40: P1, P2 commended, P4 called in, P3 normal. Ranks count within
    the level; overall_rank orders by tier then total across levels: commended 90, 85, 80, 60
    (1–4), normal P3 (5), talk 70, 40 (6, 7)."""
    result = greenscore.assess(table(ZONE_ROWS), rubric(ZONES))
    assert by_id(result, "tier") == {
        "N1": "commended",
        "N2": "commended",
        "N3": "talk",
        "P1": "commended",
        "P2": "commended",
        "P3": "normal",
        "P4": "talk",
    }
    assert by_id(result, "pool") == {r[0]: r[1] for r in ZONE_ROWS}
    assert by_id(result, "rank") == {
        "N1": 1,
        "N2": 2,
        "N3": 3,
        "P1": 1,
        "P2": 2,
        "P3": 3,
        "P4": 4,
    }
    assert by_id(result, "overall_rank") == {
        "N1": 1,
        "P1": 2,
        "N2": 3,
        "P2": 4,
        "P3": 5,
        "N3": 6,
        "P4": 7,
    }


def test_top_larger_than_the_pool_gives_every_place() -> None:
    """A pool of 2 with top: 5 commends both; the bottom place then still takes the lower one
    (minimums come after limits), so the pool ends with one commended and one talk."""
    rows = [("A", "small", 70.0), ("B", "small", 30.0)]
    no_bottom = ZONES.replace(", bottom: 1", "").replace("top: 2", "top: 5")
    assert by_id(greenscore.assess(table(rows), rubric(no_bottom)), "tier") == {
        "A": "commended",
        "B": "commended",
    }
    both = ZONES.replace("top: 2", "top: 5")
    assert by_id(greenscore.assess(table(rows), rubric(both)), "tier") == {
        "A": "commended",
        "B": "talk",
    }


CLASSES = """
pools: [county]
tiers:
  - {id: A, share: 0.20}
  - {id: B, share: 0.40}
  - {id: C, share: 0.35}
  - {id: D, share: 0.05, min_share: 0.05}
"""


def test_quantile_scheme_per_county() -> None:
    """20/40/35/5 by rank within each county, band edges at the floors of the cumulative shares.
    County N, 10 firms at 95, 90, …, 50: edges floor(2, 6, 9.5) = 2, 6, 9, so A 2, B 4, C 3,
    D 1. County S, 7 firms at 90, 80, …, 30: edges floor(1.4, 4.2, 6.65) = 1, 4, 6, so A 1,
    B 3, C 2, D 1 (1 of 7 = 14 % ≥ 5 %)."""
    north = [(f"N{k}", "N", 95.0 - 5 * k) for k in range(10)]
    south = [(f"S{k}", "S", 90.0 - 10 * k) for k in range(7)]
    result = greenscore.assess(table(north + south, "county"), rubric(CLASSES))
    tiers = by_id(result, "tier")
    assert [tiers[f"N{k}"] for k in range(10)] == list("AABBBBCCCD")
    assert [tiers[f"S{k}"] for k in range(7)] == list("ABBBCCD")


def test_quantile_ties_at_a_band_edge_take_the_worse_band() -> None:
    """County S of 7 with the last two tied at 40: C's band holds ranks 5–6, but ranks 6 and 7
    tie, so both go to D (C keeps only the 50), never splitting tied firms."""
    south = [("S0", "S", 90.0), ("S1", "S", 80.0), ("S2", "S", 70.0), ("S3", "S", 60.0)]
    south += [("S4", "S", 50.0), ("S5", "S", 40.0), ("S6", "S", 40.0)]
    tiers = by_id(greenscore.assess(table(south, "county"), rubric(CLASSES)), "tier")
    assert [tiers[f"S{k}"] for k in range(7)] == list("ABBBCDD")


BANDS = """
tiers:
  - {id: A, min_score: 85}
  - {id: B, min_score: 70}
  - {id: C, min_score: 50}
  - {id: D, min_share: 0.05}
"""


def test_min_share_pulls_the_worst_ranked_into_the_class() -> None:
    """Score bands with D at least 5 %: 30 firms at 51, 52, …, 80 all reach C or better, so D
    pulls ceil(0.05 × 30) = 2 worst-ranked: the 51 and the 52."""
    rows = [(f"F{k:02d}", "all", 51.0 + k) for k in range(30)]
    tiers = by_id(greenscore.assess(table(rows), rubric(BANDS)), "tier")
    assert [k for k, t in tiers.items() if t == "D"] == ["F00", "F01"]
    assert tiers["F02"] == "C" and tiers["F29"] == "B"


def test_min_share_ties_are_all_pulled() -> None:
    """The same 30 firms with the 2nd and 3rd worst tied at 52: both go to D with the 51, so
    D holds 3 (the minimum is met, never split between tied firms)."""
    rows = [(f"F{k:02d}", "all", 51.0 + k) for k in range(30)]
    rows[2] = ("F02", "all", 52.0)
    tiers = by_id(greenscore.assess(table(rows), rubric(BANDS)), "tier")
    assert [k for k, t in tiers.items() if t == "D"] == ["F00", "F01", "F02"]


def test_ranks_helper_ranks_within_each_pool() -> None:
    tier = np.array([0, 0, 1, 0, 1])
    total = np.array([70.0, 90.0, 95.0, 90.0, 60.0])
    code = np.array([0, 0, 0, 1, 1])
    assert ranks(tier, total, code).tolist() == [2, 1, 3, 1, 2]
    assert ranks(tier, total, np.array([0, 0, -1, 1, 1])).tolist() == [2, 1, 0, 1, 2]


FORCED = """
inputs:
  - {id: x}
  - {id: protected, type: boolean}
dimensions:
  - id: d
    indicators: [{id: i, input: x, method: linear, goalposts: {worst: 0, best: 100}}]
vetoes:
  - {id: listed, kind: force_tier, when: protected, tier: B, reason: on the protected list}
tiers:
  - {id: A, min_score: 85, max_share: 0.2}
  - {id: B, min_score: 60, max_share: 0.4}
  - {id: C, min_score: 0}
"""


def test_issue9_forced_tier_overridden_by_quota() -> None:
    """Silent defect: V (total 30) is forced to B by a veto; B has 40 % of 5 = 2 places. Before,
    the quota ranked V with X 80, Y 70, Z 60 and dropped it to C while its vetoes column still
    named the veto. Now V stays in B and takes one of its places: W 90 is A (1 place), X keeps
    B's other place, Y and Z drop to C."""
    head = 'name: forced\nversion: "1"\nentity: id\n'
    frame = pd.DataFrame(
        {
            "id": ["V", "W", "X", "Y", "Z"],
            "x": [30.0, 90.0, 80.0, 70.0, 60.0],
            "protected": [True, False, False, False, False],
        }
    )
    result = greenscore.assess(frame, load_rubric(head + FORCED))
    assert by_id(result, "tier") == {"V": "B", "W": "A", "X": "B", "Y": "C", "Z": "C"}
    assert by_id(result, "vetoes")["V"] == "listed"


UNRATED = """
inputs:
  - {id: x, required: false}
  - {id: first_year, type: boolean}
dimensions:
  - id: d
    indicators: [{id: i, input: x, method: minmax}]
vetoes:
  - {id: new_firm, kind: unrated, when: first_year, tier: T, reason: first year of production}
tiers:
  - {id: A, max_share: 0.5}
  - {id: B}
  - {id: T, label: not rated}
"""


def test_unrated_units_are_outside_ranks_places_and_statistics() -> None:
    """Five rated firms with x = 10, 20, 30, 40, 50, a first-year firm with x = 1000 and one
    with no x, whose indicator cannot be computed (missing-data policy 'error'): a rated firm
    without x (R6) is flagged for it, the first-year one is not. Min–max over the rated five
    only: (x − 10) / 40 × 100 = 0, 25, 50, 75, 100. A holds 50 % of the 5 rated = 2 places (of
    7 rows it would be 3): the 50 and the 40. The first-year firms are T and unranked."""
    head = 'name: unrated\nversion: "1"\nentity: id\n'
    frame = pd.DataFrame(
        {
            "id": ["R1", "R2", "R3", "R4", "R5", "U1", "U2", "R6"],
            "x": [10.0, 20.0, 30.0, 40.0, 50.0, 1000.0, None, None],
            "first_year": [False] * 5 + [True, True, False],
        }
    )
    result = greenscore.assess(frame, load_rubric(head + UNRATED), errors="flag")
    assert {p.entity for p in result.problems} == {"R6"}
    totals = by_id(result, "total")
    assert [totals[f"R{k}"] for k in range(1, 6)] == pytest.approx([0, 25, 50, 75, 100])
    assert by_id(result, "tier") == {
        "R1": "B",
        "R2": "B",
        "R3": "B",
        "R4": "A",
        "R5": "A",
        "U1": "T",
        "U2": "T",
    }
    rank = by_id(result, "rank")
    assert [rank[f"R{k}"] for k in range(5, 0, -1)] == [1, 2, 3, 4, 5]
    assert pd.isna(rank["U1"]) and pd.isna(rank["U2"])
    assert by_id(result, "vetoes")["U1"] == "new_firm"


POOLED_COHORT = """
name: pooled cohort
version: "1"
entity: id
pools: [county]
inputs: [{id: x}]
dimensions:
  - id: d
    indicators: [{id: i, input: x, method: minmax}]
tiers:
  - {id: A, top: 1}
  - {id: B}
"""


def test_cohort_statistics_and_calibration_per_pool() -> None:
    """County N: x 10, 20, 30 → min–max 0, 50, 100; county S: x 100, 300 → 0, 100. Each county's
    best is A. Calibrated, each county keeps its own min and max and its A cut-off (the lowest
    total A kept: 100 in both). A lone N firm at x 25 then scores (25 − 10) / 20 = 75 (B); an
    S firm at 300 scores 100 (A)."""
    rows = [("N1", "N", 10.0), ("N2", "N", 20.0), ("N3", "N", 30.0)]
    rows += [("S1", "S", 100.0), ("S2", "S", 300.0)]
    data = table(rows, "county")
    result = greenscore.assess(data, POOLED_COHORT)
    assert by_id(result, "total") == pytest.approx(
        {"N1": 0, "N2": 50, "N3": 100, "S1": 0, "S2": 100}
    )
    assert by_id(result, "tier") == {"N1": "B", "N2": "B", "N3": "A", "S1": "B", "S2": "A"}
    with pytest.raises(CohortRequiredError):
        greenscore.evaluate({"id": "Q", "county": "N", "x": 25}, POOLED_COHORT)
    calibrated = calibrate(POOLED_COHORT, data)
    cohort = calibrated.cohort
    assert cohort is not None
    assert cohort["N"]["i"] == {"min": 10.0, "max": 30.0}
    assert cohort["S"]["i"] == {"min": 100.0, "max": 300.0}
    assert cohort["N"][QUOTA_KEY] == {"A": 100.0} and cohort["S"][QUOTA_KEY] == {"A": 100.0}
    assert load_rubric(rubric_yaml(calibrated)).cohort == cohort
    lone = greenscore.evaluate({"id": "Q", "county": "N", "x": 25}, calibrated)
    assert (lone.total, lone.tier.id) == (pytest.approx(75.0), "B")
    assert greenscore.evaluate({"id": "Q", "county": "S", "x": 300}, calibrated).tier.id == "A"
    with pytest.raises(ProfileError, match="pool 'W' is not among the pools"):
        greenscore.evaluate({"id": "Q", "county": "W", "x": 25}, calibrated)
    with pytest.raises(ProfileError, match="pool field is empty"):
        greenscore.evaluate({"id": "Q", "x": 25}, calibrated)
    later = greenscore.assess(
        table([("N9", "N", 20.0), ("W1", "W", 5.0)], "county"), calibrated, errors="flag"
    )
    assert by_id(later, "total") == {"N9": pytest.approx(50.0)}
    assert "not among the pools" in later.flagged["problem"].iloc[0]


def test_a_lone_value_in_its_pool_is_flagged_not_ranked_against_itself() -> None:
    """County S holds one firm: min–max over one value would score it best whatever it is, so
    the row is flagged naming the pool; county N (3 firms) is scored."""
    rows = [("N1", "N", 10.0), ("N2", "N", 20.0), ("N3", "N", 30.0), ("S1", "S", 100.0)]
    result = greenscore.assess(table(rows, "county"), POOLED_COHORT, errors="flag")
    assert sorted(result.results["id"]) == ["N1", "N2", "N3"]
    (problem,) = result.problems
    assert problem.entity == "S1" and "pool 'S'" in problem.problem
    with pytest.raises(ProfileError, match="only 1 valid value"):
        greenscore.assess(table(rows, "county"), POOLED_COHORT)


def test_empty_or_missing_pool_column_is_a_located_problem() -> None:
    frame = table(ZONE_ROWS)
    frame.loc[2, "level"] = None
    result = greenscore.assess(frame, rubric(ZONES), errors="flag")
    (problem,) = result.problems
    assert (problem.entity, problem.field, problem.row) == ("N3", "level", 4)
    with pytest.raises(ProfileError, match="pool column is missing"):
        greenscore.assess(frame.drop(columns="level"), rubric(ZONES))


def test_calibrated_minimum_freezes_the_highest_total_pulled_in() -> None:
    """Base year: 30 firms at 51…80 with D at least 5 %: D pulled 51 and 52, so 52 is frozen;
    a later lone firm at 52 is D and one at 52.5 is C."""
    rows = [(f"F{k:02d}", "all", 51.0 + k) for k in range(30)]
    calibrated = calibrate(rubric(BANDS), table(rows))
    assert calibrated.cohort is not None
    assert calibrated.cohort[MINIMUM_KEY] == {"D": 52.0}
    assert greenscore.evaluate({"x": 52}, calibrated).tier.id == "D"
    assert greenscore.evaluate({"x": 52.5}, calibrated).tier.id == "C"


@pytest.mark.parametrize(
    ("tiers", "path", "words"),
    [
        ("[{id: a}, {id: b, min_score: 50}, {id: c}]", "tiers[1].min_score", "takes every total"),
        ("[{id: a, share: 0.6}, {id: b, share: 0.5}, {id: c}]", "tiers[1].share", "more than 1"),
        ("[{id: a, share: 0.5}, {id: b, share: 0.4}]", "tiers[1].share", "must add up to 1"),
        (
            "[{id: a, share: 0.2}, {id: b, min_score: 1}, {id: c, share: 0.2}, {id: d}]",
            "tiers[1]",
            "listed together",
        ),
        ("[{id: a, min_score: 50}, {id: b, top: 3}]", "tiers[1].top", "cannot limit"),
        ("[{id: a, bottom: 2}, {id: b}]", "tiers[0].bottom", "best tier"),
        ("[{id: a, share: 0.2, top: 3}, {id: b}]", "tiers[0].share", "takes no top"),
        ("[{id: a, top: 2, bottom: 3}, {id: b}]", "tiers[0].bottom", "greater than top"),
        (
            "[{id: a, max_share: 0.1, min_share: 0.2}, {id: b}]",
            "tiers[0].min_share",
            "greater than max_share",
        ),
        ("[{id: a, top: 2.5}, {id: b}]", "tiers[0].top", "expected a whole number, found 2.5"),
    ],
)
def test_place_rules_that_cannot_hold_are_refused(tiers: str, path: str, words: str) -> None:
    with pytest.raises(RubricError) as info:
        rubric(f"tiers: {tiers}\n")
    assert any(p.path == path and words in p.message for p in info.value.problems), [
        (p.path, p.message) for p in info.value.problems
    ]


def test_classes_outside_the_ranking_are_listed_last_and_only_unrated_vetoes_use_them() -> None:
    head = HEAD.replace("  - {id: x}\n", "  - {id: x}\n  - {id: new, type: boolean}\n")
    wrong = """
vetoes:
  - {id: u, kind: unrated, when: new, tier: T, reason: new}
  - {id: f, kind: force_tier, when: new, tier: T, reason: new}
tiers:
  - {id: A, min_score: 50}
  - {id: T, min_score: 1}
  - {id: B}
"""
    with pytest.raises(RubricError) as info:
        rubric(wrong, head)
    found = {(p.path, p.message.split(":")[0]) for p in info.value.problems}
    assert ("vetoes[1].tier", "tier 'T' is the class outside the ranking") in found
    assert any(path == "tiers[1]" and "takes no min_score" in m for path, m in found)
    assert any(path == "tiers[2]" and "follows a class outside" in m for path, m in found)


def test_places_are_described_in_words() -> None:
    described = {row.id: row.rule for row in rubric_rows(rubric(CLASSES)) if row.kind == "tier"}
    assert described["A"] == "the pool's ranks from 0 % to 20 %"
    assert described["C"] == "the pool's ranks from 60 % to 95 %"
    assert described["D"] == (
        "the pool's ranks from 95 % to 100 %; at least 5 % of the pool, the worst-ranked"
    )
    zones = {row.id: row.rule for row in rubric_rows(rubric(ZONES)) if row.kind == "tier"}
    assert zones == {
        "commended": "at most the 2 best-ranked of the pool",
        "normal": "any total",
        "talk": "at least the 1 worst-ranked of the pool",
    }


def test_rank_only_tiers_leave_min_score_empty_in_results() -> None:
    result = greenscore.assess(table(ZONE_ROWS), rubric(ZONES))
    a = result.assessment("P3")
    assert a.tier.id == "normal" and a.tier.min_score is None
    assert not math.isnan(a.total)


def test_gap_aims_at_the_frozen_cutoffs_of_the_profiles_pool() -> None:
    """Calibrated on N (x 10, 20, 30) and S (x 50, 60, 70) with A the top 1 and C the bottom 1:
    N's A cut-off is 30, S's C ceiling is 50. A firm of N at 25 needs 30 − 25 = 5 points for A
    (x to 30); a firm of S at 45 is C and needs just over 50 to escape it into B."""
    head = HEAD.replace("  - {id: x}\n", "  - {id: x, min: 0, max: 1000}\n")
    tail = """
pools: [county]
tiers:
  - {id: A, top: 1}
  - {id: B}
  - {id: C, bottom: 1}
"""
    rows = [("N1", "N", 10.0), ("N2", "N", 20.0), ("N3", "N", 30.0)]
    rows += [("S1", "S", 50.0), ("S2", "S", 60.0), ("S3", "S", 70.0)]
    calibrated = calibrate(rubric(tail, head), table(rows, "county"))
    gap = next_tier_gap({"id": "Q", "county": "N", "x": 25}, rubric=calibrated)
    assert (gap.target, gap.points_needed) == ("A", pytest.approx(5.0))
    assert gap.path is not None and gap.path.changes == {"x": pytest.approx(30.0)}
    escape = next_tier_gap({"id": "Q", "county": "S", "x": 45}, rubric=calibrated)
    assert (escape.tier, escape.target) == ("C", "B")
    assert escape.points_needed == pytest.approx(5.0)
    assert escape.path is not None and escape.path.changes["x"] > 50


RATIO_TO_COUNTY_MEAN = """
name: ratio to the county mean
version: "1"
entity: id
pools: [county]
inputs: [{id: x, min: 0}]
dimensions:
  - id: d
    indicators:
      - {id: r, input: x, method: ratio, benchmark: {statistic: mean}, cap: false}
total: {ceiling: false}
tiers:
  - {id: A, top: 1}
  - {id: B}
"""


def test_ratio_to_the_pool_mean_uses_each_pools_own_mean() -> None:
    """Per-mu scoring against the county average: county N has x 10, 20, 30 (mean 20), so the
    ratios are 0.5, 1, 1.5 and the scores 50, 100, 150; county S has x 100, 300 (mean 200), so
    0.5 and 1.5 score 50 and 150. Against the mean of all five (92) N's firms would score
    about 11, 22 and 33."""
    rows = [("N1", "N", 10.0), ("N2", "N", 20.0), ("N3", "N", 30.0)]
    rows += [("S1", "S", 100.0), ("S2", "S", 300.0)]
    result = greenscore.assess(table(rows, "county"), RATIO_TO_COUNTY_MEAN)
    assert by_id(result, "total") == pytest.approx(
        {"N1": 50.0, "N2": 100.0, "N3": 150.0, "S1": 50.0, "S2": 150.0}
    )
    assert by_id(result, "tier") == {"N1": "B", "N2": "B", "N3": "A", "S1": "B", "S2": "A"}
    calibrated = calibrate(RATIO_TO_COUNTY_MEAN, table(rows, "county"))
    assert calibrated.cohort is not None
    assert calibrated.cohort["N"]["r"] == {"mean": 20.0}
    assert calibrated.cohort["S"]["r"] == {"mean": 200.0}
    assert greenscore.evaluate({"id": "Q", "county": "S", "x": 250}, calibrated).total == (
        pytest.approx(125.0)
    )


def test_a_share_gives_a_small_pool_no_place() -> None:
    """max_share 0.25 gives ⌊0.25 × 3⌋ = 0 places in a pool of 3 and ⌊0.25 × 4⌋ = 1 in a pool
    of 4 (its best, the 90)."""
    tail = "pools: [level]\ntiers:\n  - {id: A, max_share: 0.25}\n  - {id: B}\n"
    rows = [("S1", "small", 95.0), ("S2", "small", 50.0), ("S3", "small", 10.0)]
    rows += [("L1", "large", 90.0), ("L2", "large", 80.0), ("L3", "large", 70.0)]
    rows += [("L4", "large", 60.0)]
    tiers = by_id(greenscore.assess(table(rows), rubric(tail)), "tier")
    assert [k for k, t in tiers.items() if t == "A"] == ["L1"]


def test_a_row_over_a_limit_drops_to_the_next_tier_it_qualifies_for() -> None:
    """A keeps 1 place; B asks that no veto applied. P 90 keeps A; Q 80 carries a (harmless)
    veto, so when A's limit drops it, B's condition fails and it lands in C; R 70 drops to B."""
    head = HEAD.replace("  - {id: x}\n", "  - {id: x}\n  - {id: noted, type: boolean}\n")
    tail = """
vetoes:
  - {id: remark, kind: cap_tier, when: noted, tier: A, reason: noted in the inspection}
tiers:
  - {id: A, min_score: 60, top: 1}
  - {id: B, min_score: 50, conditions: [{type: no_veto}]}
  - {id: C}
"""
    frame = table([("P", "all", 90.0), ("Q", "all", 80.0), ("R", "all", 70.0)])
    frame["noted"] = [False, True, False]
    tiers = by_id(greenscore.assess(frame, rubric(tail, head)), "tier")
    assert tiers == {"P": "A", "Q": "C", "R": "B"}
