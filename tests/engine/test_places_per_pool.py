"""Place counts and shares given per pool (issue 9 follow-up): the Jiangxi development-zone
assessment commends the top 15 provincial zones but the top 5 national ones. Every expected
tier below is worked out by hand in the docstrings (with the linear 0–100 indicator, a row's
total equals its x)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings

import greenscore
from greenscore.batch.calibrate import calibrate
from greenscore.engine.describe import tier_rules
from greenscore.errors import ProfileError, RubricError
from greenscore.rubric.load import load_rubric, rubric_yaml
from greenscore.testing import check_rubric, context_for, rubric_documents

HEAD = """
name: per-pool places
version: "1"
entity: id
inputs:
  - {id: x, min: 0, max: 100}
dimensions:
  - id: d
    indicators: [{id: i, input: x, method: linear, goalposts: {worst: 0, best: 100}}]
"""


def rubric(tail: str) -> greenscore.Rubric:
    return load_rubric(HEAD + tail)


def table(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [r[0] for r in rows],
            "year": 2020,
            "level": [r[1] for r in rows],
            "x": [r[2] for r in rows],
        }
    )


def tiers_of(result: greenscore.BatchResult) -> dict[str, str]:
    return dict(zip(result.results["id"], result.results["tier"], strict=True))


COUNTS = """
pools: [level]
tiers:
  - {id: commended, top: {national: 1, provincial: 2}}
  - {id: normal}
  - {id: talk, bottom: {national: 1, provincial: 2}}
"""

ROWS = [
    ("N1", "national", 90.0),
    ("N2", "national", 80.0),
    ("N3", "national", 70.0),
    ("P1", "provincial", 85.0),
    ("P2", "provincial", 60.0),
    ("P3", "provincial", 50.0),
    ("P4", "provincial", 40.0),
    ("P5", "provincial", 30.0),
]

EXPECTED = {
    "N1": "commended",
    "N2": "normal",
    "N3": "talk",
    "P1": "commended",
    "P2": "commended",
    "P3": "normal",
    "P4": "talk",
    "P5": "talk",
}


def test_two_pools_with_different_top_and_bottom_counts() -> None:
    """National (top 1, bottom 1): N1 90 commended, N2 80 normal, N3 70 called in. Provincial
    (top 2, bottom 2): P1 85 and P2 60 commended, P3 50 normal, P4 40 and P5 30 called in.
    Ranks count within each level."""
    result = greenscore.assess(table(ROWS), rubric(COUNTS))
    assert tiers_of(result) == EXPECTED
    ranks = dict(zip(result.results["id"], result.results["rank"], strict=True))
    assert [ranks[k] for k in ("N1", "N2", "N3", "P1", "P2", "P3", "P4", "P5")] == [
        1,
        2,
        3,
        1,
        2,
        3,
        4,
        5,
    ]


def test_a_pool_the_mapping_does_not_name_is_flagged_naming_the_pool() -> None:
    """A municipal zone: neither count names 'municipal' and there is no default, so its row is
    flagged (the pool column, the pool, the tier and the rule named) and the others are placed
    exactly as without it; errors='raise' stops with the same problem."""
    data = table([*ROWS, ("M1", "municipal", 75.0)])
    result = greenscore.assess(data, rubric(COUNTS), errors="flag")
    assert tiers_of(result) == EXPECTED
    flagged = result.flagged
    assert list(flagged["entity"]) == ["M1"]
    assert list(flagged["field"]) == ["level"]
    problem = str(flagged["problem"].iloc[0])
    assert "pool 'municipal'" in problem and "tier 'commended'" in problem and "top" in problem
    with pytest.raises(ProfileError, match="pool 'municipal' has no top"):
        greenscore.assess(data, rubric(COUNTS))


def test_a_default_entry_gives_every_pool_not_named_its_count() -> None:
    """top {national: 1, default: 2}, bottom {national: 1, default: 1}: national as before
    (N1 commended, N2 normal, N3 talk); municipal M1 70 and M2 65 commended (top 2), M3 20
    called in (bottom 1); provincial likewise by the default: P1 85, P2 60 commended, P5 30
    called in, P3 and P4 normal."""
    tail = """
pools: [level]
tiers:
  - {id: commended, top: {national: 1, default: 2}}
  - {id: normal}
  - {id: talk, bottom: {national: 1, default: 1}}
"""
    rows = [*ROWS, ("M1", "municipal", 70.0), ("M2", "municipal", 65.0), ("M3", "municipal", 20)]
    result = greenscore.assess(table(rows), rubric(tail))
    assert tiers_of(result) == {
        **EXPECTED,
        "P4": "normal",
        "M1": "commended",
        "M2": "commended",
        "M3": "talk",
    }


def test_shares_per_pool() -> None:
    """max_share {national: 0.5, provincial: 0.25}, min_share {national: 0.25, provincial: 0.5}
    on four zones each. National 90, 80, 70, 60: floor(0.5·4) = 2 commended (N1, N2),
    ceil(0.25·4) = 1 called in (N4). Provincial 85, 60, 50, 40: floor(0.25·4) = 1 commended
    (P1), ceil(0.5·4) = 2 called in (P3, P4)."""
    tail = """
pools: [level]
tiers:
  - {id: commended, max_share: {national: 0.5, provincial: 0.25}}
  - {id: normal}
  - {id: talk, min_share: {national: 0.25, provincial: 0.5}}
"""
    rows = [*ROWS[:3], ("N4", "national", 60.0), *ROWS[3:7]]
    result = greenscore.assess(table(rows), rubric(tail))
    assert tiers_of(result) == {
        "N1": "commended",
        "N2": "commended",
        "N3": "normal",
        "N4": "talk",
        "P1": "commended",
        "P2": "normal",
        "P3": "talk",
        "P4": "talk",
    }


def test_calibration_freezes_each_pools_own_counts() -> None:
    """Calibrated on ROWS, provincial keeps the lowest total its 2 places took (60) and national
    the lowest of its 1 (90): a provincial 61 is commended, a national 85 is not; the national
    bottom froze at 70 (N3 pulled in), so 85 is normal."""
    calibrated = calibrate(rubric(COUNTS), table(ROWS))
    provincial = greenscore.evaluate({"id": "Q", "level": "provincial", "x": 61}, calibrated)
    national = greenscore.evaluate({"id": "Q", "level": "national", "x": 85}, calibrated)
    assert (provincial.tier.id, national.tier.id) == ("commended", "normal")


def test_per_pool_places_are_described_and_round_trip() -> None:
    """The rule reads each pool's count, the default as 'other pools'; the canonical YAML keeps
    the mapping and loads back to the same rubric."""
    tail = """
pools: [level]
tiers:
  - {id: commended, top: {national: 5, provincial: 15}}
  - {id: normal}
  - {id: talk, bottom: {default: 2, provincial: 5}, min_share: {national: 0.1, default: 0.05}}
"""
    loaded = rubric(tail)
    assert tier_rules(loaded) == [
        "at most the 5 (national) / 15 (provincial) best-ranked of the pool",
        "any total",
        "at least the 5 (provincial) / 2 (other pools) worst-ranked of the pool; at least "
        "10 % (national) / 5 % (other pools) of the pool, the worst-ranked",
    ]
    again = load_rubric(rubric_yaml(loaded))
    assert again.model_dump() == loaded.model_dump()
    assert again.tiers[0].top == {"national": 5, "provincial": 15}


def test_scalar_places_keep_their_canonical_form() -> None:
    """A rubric written with one count for every pool serialises it as a number, as before."""
    loaded = rubric("pools: [level]\ntiers:\n  - {id: a, top: 2}\n  - {id: b, bottom: 1}\n")
    text = rubric_yaml(loaded)
    assert "top: 2" in text and "bottom: 1" in text


@pytest.mark.parametrize(
    ("tail", "where", "words"),
    [
        (
            "tiers:\n  - {id: a, top: {national: 2}}\n  - {id: b}\n",
            "tiers[0].top",
            "top is given per pool, but the rubric has no pools",
        ),
        (
            "pools: [level]\ntiers:\n  - {id: a, top: {national: 2, provincial: 3}}\n"
            "  - {id: b, bottom: {national: 1}}\n",
            "tiers[1].bottom",
            "bottom names no count for pool 'provincial', which other tiers name",
        ),
        (
            "pools: [level]\ntiers:\n  - {id: a}\n"
            "  - {id: b, top: {national: 2, provincial: 3}, bottom: {national: 1, provincial: 4}}"
            "\n  - {id: c}\n",
            "tiers[1].bottom",
            "bottom (4) is greater than top (3) in pool 'provincial'",
        ),
        (
            "pools: [level]\ntiers:\n  - {id: a, top: {national: 2, provincial: 0.5}}\n"
            "  - {id: b}\n",
            "tiers[0].top.provincial",
            "expected a whole number, found 0.5",
        ),
        (
            "pools: [level]\ntiers:\n  - {id: a, max_share: {national: 1.5}}\n  - {id: b}\n",
            "tiers[0].max_share.national",
            "",
        ),
    ],
)
def test_per_pool_places_that_cannot_hold_are_refused(tail: str, where: str, words: str) -> None:
    with pytest.raises(RubricError) as caught:
        rubric(tail)
    text = str(caught.value)
    assert f"{where}: {words}" in text
    assert text.count("\n") == 1, text


def test_check_runs_on_a_rubric_with_per_pool_counts() -> None:
    """tiers_reachable and veto_dominant hold for the development-zone counts (a forced tier
    over per-pool places): check scores them in the first pool the counts name, national, with
    5 rows for its 5 places and 2 poor rows per profile for its bottom 2."""
    tail = """
pools: [level]
inputs:
  - {id: x, min: 0, max: 100}
  - {id: violation, type: boolean}
vetoes:
  - {id: serious, kind: force_tier, when: violation, tier: normal, reason: a serious violation}
tiers:
  - {id: commended, top: {national: 5, provincial: 15}, conditions: [{type: no_veto}]}
  - {id: normal}
  - {id: talk, bottom: {national: 2, provincial: 5}}
"""
    doc = HEAD.replace("inputs:\n  - {id: x, min: 0, max: 100}\n", "") + tail
    ctx = context_for(load_rubric(doc))
    assert (ctx.pool, ctx.place_rows, ctx.quota_padding) == ("national", 5, 2)
    report = check_rubric(
        doc, max_examples=20, properties=["tiers_reachable", "veto_dominant"], run_lint=False
    )
    assert report.ok, report


def test_generated_rubrics_draw_per_pool_counts_and_shares() -> None:
    """Among 200 generated rubrics some give top, bottom, max_share and min_share per pool, so
    the property tests run over them."""
    seen: set[str] = set()

    @settings(
        max_examples=200,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(rubric_documents())
    def draw(doc: dict[str, Any]) -> None:
        for tier in doc["tiers"]:
            seen.update(k for k, v in tier.items() if isinstance(v, dict) and k != "consequence")

    draw()
    assert seen >= {"top", "bottom", "max_share", "min_share"}
