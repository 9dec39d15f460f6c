"""Hypothesis properties of the bundled rubric: bounded, monotone, veto dominant, deterministic."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

import greenscore
from greenscore.rubric import models as m

ROOT = Path(__file__).resolve().parents[2]
RUBRIC = greenscore.default_rubric()
TIER_RANK = {t.id: i for i, t in enumerate(RUBRIC.tiers)}
UPPER = {"number": 2000.0, "integer": 60}
GOOD = yaml.safe_load((ROOT / "examples" / "profiles" / "good.yaml").read_text(encoding="utf-8"))


def value_strategy(spec: m.Input) -> st.SearchStrategy[Any]:
    if spec.type == "boolean":
        return st.booleans()
    if spec.type == "category":
        return st.sampled_from(spec.categories or [])
    low = spec.min if spec.min is not None else 0.0
    high = spec.max if spec.max is not None else UPPER[spec.type]
    if spec.type == "integer":
        return st.integers(int(low), int(high))
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def refused_ratios(profile: dict[str, Any]) -> set[str]:
    """The land ratios the bundled rubric derives that are no finite number for this profile
    (a zero or underflowed divisor, or an overflow), worked out in plain Python floats."""
    land = float(profile["developed_land"])
    ratios = {
        "income_per_km2": (float(profile["main_business_income"]), land / 100),
        "tax_per_ha": (float(profile["tax_revenue"]) * 10000, land),
    }
    return {
        name
        for name, (top, bottom) in ratios.items()
        if bottom == 0 or not math.isfinite(top / bottom)
    }


@st.composite
def any_profiles(draw: st.DrawFn, *, safe: bool = True) -> dict[str, Any]:
    """Profiles within the declared ranges, including those the rubric refuses (zero land)."""
    profile: dict[str, Any] = {}
    for spec in RUBRIC.inputs:
        if not spec.required and draw(st.booleans()):
            continue
        profile[spec.id] = draw(value_strategy(spec))
    if safe:
        profile.update(major_incidents=0, serious_incidents=0, falsified_data=False)
    return profile


def profiles(*, safe: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    """Profiles the rubric scores: within the declared ranges, with finite land ratios."""
    return any_profiles(safe=safe).filter(lambda profile: not refused_ratios(profile))


MONOTONE = [
    (ind.id, ind.input, ind.direction)
    for _, ind in RUBRIC.iter_indicators()
    if ind.direction in ("higher", "lower")
    and isinstance(getattr(ind, "input", None), str)
    and ind.input in {s.id for s in RUBRIC.inputs}
]


@settings(max_examples=150, deadline=None)
@given(any_profiles(safe=False))
@example({**GOOD, "developed_land": 0.0})
@example({**GOOD, "developed_land": 5e-324})
def test_total_within_scale(profile: dict[str, Any]) -> None:
    """Scored within the scale, or refused naming exactly the ratios that are no finite number."""
    refused = refused_ratios(profile)
    if refused:
        with pytest.raises(greenscore.ProfileError) as info:
            greenscore.evaluate(profile)
        assert {p.field for p in info.value.problems} == refused
        return
    result = greenscore.evaluate(profile)
    assert RUBRIC.scale.min <= result.total <= RUBRIC.scale.max
    for indicator in result.indicators:
        assert indicator.score is None or 0 <= indicator.score <= 100


@settings(max_examples=60, deadline=None)
@given(profiles(), st.sampled_from(MONOTONE), st.floats(0.001, 1.0))
def test_each_indicator_monotone_in_its_direction(
    profile: dict[str, Any], target: tuple[str, str, str], step: float
) -> None:
    indicator_id, input_id, direction = target
    spec = RUBRIC.input(input_id)
    if input_id not in profile:
        return
    low = spec.min if spec.min is not None else 0.0
    high = spec.max if spec.max is not None else UPPER[spec.type]
    current = profile[input_id]
    span = high - current if direction == "higher" else current - low
    change = span * step
    if spec.type == "integer":
        change = float(max(1, round(change))) if span >= 1 else 0.0
    better = current + change if direction == "higher" else current - change
    if spec.type == "integer":
        better = int(better)
    before = greenscore.evaluate(profile)
    after = greenscore.evaluate({**profile, input_id: better})
    assert after.indicator(indicator_id).score >= before.indicator(indicator_id).score
    assert after.raw_total >= before.raw_total - 1e-9
    assert after.total >= before.total
    assert TIER_RANK[after.tier.id] <= TIER_RANK[before.tier.id]


@settings(max_examples=80, deadline=None)
@given(profiles(), st.integers(1, 5), st.booleans())
def test_force_veto_dominates_any_score(profile: dict[str, Any], incidents: int, lie: bool) -> None:
    vetoed = (
        {**profile, "major_incidents": incidents}
        if not lie
        else {
            **profile,
            "falsified_data": True,
        }
    )
    assert greenscore.evaluate(vetoed).tier.id == "fail"


@settings(max_examples=80, deadline=None)
@given(profiles(), st.integers(1, 3))
def test_cap_veto_bars_excellent(profile: dict[str, Any], incidents: int) -> None:
    result = greenscore.evaluate({**profile, "serious_incidents": incidents})
    assert result.tier.id != "excellent"


@settings(max_examples=60, deadline=None)
@given(any_profiles(safe=False))
def test_same_input_same_output(profile: dict[str, Any]) -> None:
    def outcome(data: dict[str, Any]) -> Any:
        try:
            return greenscore.evaluate(data).to_dict()
        except greenscore.ProfileError as exc:
            return str(exc)

    assert outcome(profile) == outcome(dict(reversed(list(profile.items()))))


def example_profiles() -> list[Path]:
    return sorted((ROOT / "examples" / "profiles").glob("*.*"))


@pytest.mark.parametrize("path", example_profiles(), ids=lambda p: p.name)
def test_every_example_profile_evaluates_to_its_tier(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    profile = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    result = greenscore.evaluate(profile)
    expected = "fail" if path.stem == "vetoed" else path.stem
    assert result.tier.id == expected
    if path.stem == "vetoed":
        assert any(v.kind == "force_tier" for v in result.vetoes)
