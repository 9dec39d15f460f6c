"""next_tier_gap: the statuses (top, vetoed, capped, reachable), what a veto requires, the checks
on its arguments, plain data out, and quota tiers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from greenscore import GreenscoreError, evaluate, load_rubric
from greenscore.batch.calibrate import calibrate
from greenscore.errors import CohortRequiredError
from greenscore.explain.gap import next_tier_gap

ROOT = Path(__file__).resolve().parents[2]
PARKS_2016 = ROOT / "examples" / "jiangxi" / "parks_2016.csv"


def test_vetoed_park_is_told_what_the_veto_requires(jiangxi):
    gap = next(g for p, a, g in jiangxi if a.entity == "JX021")
    assert gap.status == "vetoed"
    assert gap.path is None
    assert any("major_incidents) ≤ 0" in text for text in gap.veto_requirements)
    assert "vetoed" in gap.reason and "no indicator can change the tier" in gap.reason
    assert "vetoed" in gap.explain()


def test_top_tier_has_no_gap(jiangxi):
    gap = next(g for p, a, g in jiangxi if a.entity == "JX001")
    assert gap.status == "top" and gap.target is None and gap.path is None


def test_cap_veto_blocks_the_capped_tiers(profiles):
    profile = next(p for p in profiles if p["park_id"] == "JX001")
    capped = {**profile, "serious_incidents": "1"}
    gap = next_tier_gap(capped)
    assert evaluate(capped).tier.id == "good"
    assert gap.status == "capped" and gap.path is None
    assert any("serious_incidents) ≤ 0" in text for text in gap.veto_requirements)


def test_vetoed_profile_gets_no_path(mixed_rubric, mixed_profile):
    gap = next_tier_gap({**mixed_profile, "incidents": 2}, rubric=mixed_rubric)
    assert gap.status == "vetoed" and gap.path is None
    assert gap.veto_requirements
    assert "incidents ≤ 0 (now incidents = 2)" in gap.veto_requirements[0]


def test_assessment_and_profile_must_match(profiles, two_linear):
    profile = profiles[3]
    assessment = evaluate(profile)
    with pytest.raises(GreenscoreError, match="pass the profile"):
        next_tier_gap(assessment)
    with pytest.raises(GreenscoreError, match="not the assessment's"):
        next_tier_gap(assessment, {**profile, "plot_ratio": "1.5"})
    with pytest.raises(GreenscoreError, match="rubric sha256"):
        next_tier_gap(assessment, profile, two_linear)


def test_to_dict_is_plain_data(jiangxi):
    gap = next(g for p, a, g in jiangxi if g.status == "reachable")
    text = json.dumps(gap.to_dict(), ensure_ascii=False)
    assert gap.target in text


def test_quota_tier_targets_its_frozen_cutoff(profiles):
    """A tier capped at 10 % of parks, calibrated on 2016, admits from its frozen cut-off score
    (above its minimum): paths aim there and verify; uncalibrated, no gap is claimed."""
    text = (ROOT / "rubrics" / "jiangxi-parks.yaml").read_text(encoding="utf-8")
    quota = load_rubric(
        text.replace("    min_score: 65\n", "    min_score: 65\n    max_share: 0.1\n")
    )
    calibrated = calibrate(quota, PARKS_2016)
    cutoff = calibrated.cohort["@tiers"]["good"]
    assert cutoff > 65
    targets = 0
    for profile in profiles[:40]:
        gap = next_tier_gap(profile, rubric=calibrated)
        if gap.target == "good" and gap.path is not None:
            after = evaluate(gap.path.apply(profile), calibrated)
            assert after.tier.id in ("good", "excellent") and after.total >= cutoff
            targets += 1
    assert targets > 10
    with pytest.raises(CohortRequiredError, match="calibrate"):
        next_tier_gap(profiles[0], rubric=quota)
