"""The strategies draw only valid data, straight from a rubric's declared inputs."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import greenscore
from greenscore.engine.plan import compile_rubric
from greenscore.testing import context_for, frames, profiles, rubric_documents, rubrics

DEFAULT = greenscore.default_rubric()
QUICK = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@QUICK
@given(profiles(DEFAULT))
def test_profiles_are_valid_and_complete(profile):
    assert set(profile) == {spec.id for spec in DEFAULT.inputs}
    greenscore.evaluate(profile, DEFAULT)


@QUICK
@given(profiles(DEFAULT, missing=True))
def test_only_optional_fields_go_missing(profile):
    optional = {spec.id for spec in DEFAULT.inputs if not spec.required}
    blank = {spec.id for spec in DEFAULT.inputs if profile.get(spec.id) is None}
    assert blank <= optional
    compile_rubric(DEFAULT).validator.profile(profile)


@QUICK
@given(rubrics(), st.data())
def test_profiles_of_generated_rubrics_validate(rubric, data):
    profile = data.draw(profiles(rubric, missing=True))
    compile_rubric(rubric).validator.profile(profile)


def test_domains_are_finite_and_hold_the_edges():
    domains = context_for(DEFAULT).domains
    for domain in domains.values():
        assert math.isfinite(domain.low) and math.isfinite(domain.high)
        assert domain.low <= domain.high
    assert {0.4, 0.6, 0.8, 1.0, 1.2} <= set(domains["plot_ratio"].edges)
    cluster = domains["largest_cluster_income"]
    assert cluster.high >= 1000 and {10.0, 1000.0} <= set(cluster.edges)
    assert domains["major_incidents"].edges[:2] == (0, 1)
    assert domains["main_business_income"].high > 15


@QUICK
@given(frames(DEFAULT, min_size=1, max_size=6, periods=2, missing=True))
def test_frames_have_one_row_per_entity_and_period(frame):
    keys = list(zip(frame[DEFAULT.entity], frame[DEFAULT.period], strict=True))
    assert len(keys) == len(set(keys))
    assert set(frame[DEFAULT.period]) <= {2015, 2016}
    assert 1 <= frame[DEFAULT.entity].nunique() <= 6
    assert {spec.id for spec in DEFAULT.inputs} <= set(frame.columns)


@QUICK
@given(frames(DEFAULT, min_size=2, max_size=5, periods=["2015"]))
def test_frames_are_assessable(frame):
    from greenscore.batch.assess import assess

    result = assess(frame, DEFAULT)
    assert result.accounting["scored"] == len(frame)


@pytest.mark.parametrize(
    "kwargs", [{"periods": 0}, {"periods": []}, {"min_size": 3, "max_size": 2}]
)
def test_frames_refuses_impossible_sizes(kwargs):
    with pytest.raises(ValueError):
        frames(DEFAULT, **kwargs)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rubric_documents())
def test_generated_rubrics_load_as_written(document):
    from greenscore.rubric.load import load_rubric, rubric_dict
    from greenscore.rubric.yaml_syntax import dump_yaml

    rubric = load_rubric(dump_yaml(document))
    assert rubric_dict(rubric)["dimensions"][0]["id"] == document["dimensions"][0]["id"]
    assert len(rubric.tiers) == len(document["tiers"])
    depth = max(len(path) for path, _ in rubric.iter_dimensions())
    assert depth <= 3


DIFFERENCE = """
name: difference
version: "1"
inputs:
  - {id: a, min: 1, max: 10}
  - {id: b, type: integer, min: 0, max: 2}
  - {id: c, type: integer, min: 0, max: 2, required: false}
derived:
  - {id: q, formula: a / (b - c)}
dimensions:
  - id: d
    indicators: [{id: i, input: q, method: linear, goalposts: {worst: -10, best: 10}}]
missing: worst
tiers: [{id: only, min_score: 0}]
"""


@QUICK
@given(profiles(DIFFERENCE, missing=True))
def test_defect10_profiles_are_only_those_the_engine_scores(profile):
    """q divides by b - c, zero whenever b equals c: a relation no input's bounds can express."""
    if profile.get("c") is not None:
        assert profile["b"] != profile["c"]
    greenscore.evaluate(profile, DIFFERENCE)


@pytest.mark.parametrize(
    ("what", "found"),
    [
        ("pools", lambda d: "pools" in d),
        ("top", lambda d: any("top" in t for t in d["tiers"])),
        ("bottom", lambda d: any("bottom" in t for t in d["tiers"])),
        ("min_share", lambda d: any("min_share" in t for t in d["tiers"])),
        ("a tier by rank alone", lambda d: any("min_score" not in t for t in d["tiers"][:-1])),
        ("a quantile scheme", lambda d: all("share" in t for t in d["tiers"])),
        ("unrated", lambda d: any(v["kind"] == "unrated" for v in d.get("vetoes", []))),
    ],
)
def test_generated_rubrics_draw_pools_and_places(what, found):
    """Each feature of issue 9's places appears among generated rubrics (and loads)."""
    from hypothesis import Phase, find

    from greenscore.rubric.load import load_rubric
    from greenscore.rubric.yaml_syntax import dump_yaml

    quick = settings(max_examples=2000, deadline=None, phases=[Phase.generate], database=None)
    document = find(rubric_documents(), found, settings=quick)
    load_rubric(dump_yaml(document))
