"""What greenscore.testing asks of each method, checked on hand-computed values.

Each expected value is worked out in the test's docstring from the method's definition, not
read back from the engine.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings

from greenscore.engine.decide import decide
from greenscore.engine.plan import compile_rubric
from greenscore.methods import REGISTRY, Context, method_of
from greenscore.methods.bands import BandsIndicator
from greenscore.methods.categorical import CategoricalIndicator
from greenscore.methods.checklist import ChecklistIndicator
from greenscore.methods.linear import LinearIndicator
from greenscore.methods.target import TargetIndicator
from greenscore.rubric.graph import base_inputs
from greenscore.rubric.load import load_rubric
from greenscore.testing import rubric_documents

SCALE = Context(0.0, 100.0)
SRC = Path(__file__).resolve().parents[2] / "src"


def _linear(**extra: object) -> LinearIndicator:
    fields: dict[str, object] = {
        "id": "i",
        "method": "linear",
        "input": "x",
        "goalposts": {"worst": 0, "best": 50},
    }
    return LinearIndicator.model_validate({**fields, **extra})


def _bands() -> BandsIndicator:
    return BandsIndicator.model_validate(
        {
            "id": "b",
            "method": "bands",
            "input": "x",
            "bands": [
                {"to": 10, "points": 20},
                {"from": 10, "to": 20, "points": 60},
                {"from": 20, "points": 100},
            ],
        }
    )


def _target() -> TargetIndicator:
    return TargetIndicator.model_validate(
        {
            "id": "t",
            "method": "target",
            "input": "x",
            "target": 50,
            "tolerance": 5,
            "worst_distance": 25,
        }
    )


def test_edges_are_where_the_score_changes():
    """Linear: its goalposts 0, 50. Bands: the edges 10 (to), 10 (from), 20 (to), 20 (from).
    Target 50 ± 5, worst at 25: 50, 45, 55, 50 − 25 = 25, 50 + 25 = 75."""
    assert method_of(_linear()).edges(_linear()) == (0, 50)
    assert sorted(method_of(_bands()).edges(_bands())) == [10, 10, 20, 20]
    assert method_of(_target()).edges(_target()) == (50, 45, 55, 25, 75)


def test_reach_within_the_declared_range():
    """Linear 0 → 50 with x in [0, 40]: (40 − 0) / 50 = 0.8; with x in [1, 10] on log goalposts
    1 → 100: log10(10) / log10(100) = 0.5; uncapped: unbounded; range open: 1.
    Bands with x in [0, 15]: the bands below 10 (20 points) and 10–20 (60) are met, 20 up is
    not: 60 / 100 = 0.6. Target 50 ± 5, worst at 25, x in [0, 30]: nearest value 30 is 20 away,
    1 − (20 − 5) / (25 − 5) = 0.25; no declared range: 1."""
    linear = method_of(_linear())
    assert linear.reach(_linear(), (0.0, 40.0), SCALE) == pytest.approx(0.8)
    logged = _linear(goalposts={"worst": 1, "best": 100}, log=True)
    assert linear.reach(logged, (1.0, 10.0), SCALE) == pytest.approx(0.5)
    assert linear.reach(_linear(cap=False), (0.0, 40.0), SCALE) == math.inf
    assert linear.reach(_linear(), (0.0, math.inf), SCALE) == 1.0
    assert method_of(_bands()).reach(_bands(), (0.0, 15.0), SCALE) == pytest.approx(0.6)
    assert method_of(_target()).reach(_target(), (0.0, 30.0), SCALE) == pytest.approx(0.25)
    assert method_of(_target()).reach(_target(), None, SCALE) == 1.0


def test_categorical_reach_and_points():
    """Points 10, 70 and 40 on a 0–100 scale: the best category gives 70 / 100 = 0.7."""
    spec = CategoricalIndicator.model_validate(
        {"id": "c", "method": "categorical", "input": "k", "points": {"a": 10, "b": 70, "c": 40}}
    )
    method = method_of(spec)
    assert method.reach(spec, None, SCALE) == pytest.approx(0.7)
    assert dict(method.category_points(spec)) == {"a": 10, "b": 70, "c": 40}


def test_linear_lint_rules():
    """Direction higher with worst 80 above best 20 rewards lower values; x is declared within
    [0, 50], so the worst goalpost 80 lies outside it and the best, 20, inside."""
    spec = _linear(goalposts={"worst": 80, "best": 20})
    problems = method_of(spec).lint(spec, (0.0, 50.0), SCALE)
    assert [(code, path) for code, path, _ in problems] == [
        ("against-direction", ("goalposts",)),
        ("goalpost-range", ("goalposts", "worst")),
    ]
    assert problems[1][2] == "goalpost worst 80 lies outside 'x''s declared range [0, 50]"


def test_bands_and_target_lint_rules():
    """Band points 20, 60, 100 rise with the value, as direction higher asks; x within [30, 40]
    never meets the bands below 10 and 10–20. A target of 50 lies outside [0, 30]."""
    problems = method_of(_bands()).lint(_bands(), (30.0, 40.0), SCALE)
    assert [(code, path) for code, path, _ in problems] == [
        ("goalpost-range", ("bands", 0)),
        ("goalpost-range", ("bands", 1)),
    ]
    assert method_of(_target()).lint(_target(), (0.0, 30.0), SCALE)[0][:2] == (
        "goalpost-range",
        ("target",),
    )


def test_methods_without_rules_have_quiet_defaults():
    spec = ChecklistIndicator.model_validate(
        {"id": "k", "method": "checklist", "items": [{"input": "a"}, {"input": "b"}]}
    )
    method = method_of(spec)
    assert method.edges(spec) == ()
    assert method.backwards(spec) is None
    assert method.reach(spec, None, SCALE) == 1.0
    assert method.lint(spec, None, SCALE) == []


def test_base_inputs_follows_derived_names_and_ends_on_cycles():
    """d1 reads x and d2, d2 reads y: behind d1 and z lie x, y and z. d3 reads itself."""
    sources = {"d1": {"x", "d2"}, "d2": {"y"}, "d3": {"d3"}}
    assert base_inputs(["d1", "z"], sources) == {"x", "y", "z"}
    assert base_inputs(["d3"], sources) == set()


RUBRIC = """name: two tiers
version: "1"
inputs: [{id: x, min: 0, max: 100}]
dimensions:
  - {id: d, indicators: [{id: i, input: x, method: linear, goalposts: {worst: 0, best: 100}}]}
tiers: [{id: good, min_score: 60}, {id: poor, min_score: 0}]
"""


def test_deciding_again_with_another_weighted_total():
    """x = 30 scores 30 (poor). Decided again as if it had scored 60 it is good (60 ≥ 60), as
    59.9 it stays poor; the scores it was copied from keep their own total and tier."""
    plan = compile_rubric(load_rubric(RUBRIC))
    s = plan.score({"x": np.array([30.0])}, 1)
    again = decide(plan, s.with_raw_total(np.array([60.0])))
    assert (float(again.total[0]), int(again.tier[0])) == (60.0, 0)
    below = decide(plan, s.with_raw_total(np.array([59.9])))
    assert (float(below.total[0]), int(below.tier[0])) == (59.9, 1)
    assert (float(s.total[0]), int(s.tier[0])) == (30.0, 1)


def test_generated_rubrics_draw_every_method():
    """Every method with a generate function turns up among 150 generated rubrics."""
    seen: set[str] = set()

    def collect(dims: list[dict[str, Any]]) -> None:
        for d in dims:
            seen.update(i["method"] for i in d.get("indicators", []))
            collect(d.get("dimensions", []))

    @settings(
        max_examples=150,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(rubric_documents())
    def draw(doc: dict[str, Any]) -> None:
        collect(doc["dimensions"])

    draw()
    assert seen == {name for name, m in REGISTRY.items() if m.generate is not None}


def test_importing_greenscore_needs_no_hypothesis():
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'hypothesis':\n"
        "            raise ImportError(name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import greenscore, greenscore.methods\n"
        "assert 'hypothesis' not in sys.modules\n"
    )
    env = {"PYTHONPATH": str(SRC)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def test_generated_rubrics_draw_bonuses_caps_and_totals():
    """Among 500 generated rubrics: every kind of veto, item caps, totals without a floor or a
    ceiling, caps on all bonuses and all deductions, and both rounding modes with rounded
    dimension scores, so the property tests run over them."""
    seen: set[str] = set()

    @settings(
        max_examples=500,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(rubric_documents())
    def draw(doc: dict[str, Any]) -> None:
        for veto in doc.get("vetoes", []):
            seen.add(veto["kind"])
            if "cap" in veto:
                seen.add(f"{veto['kind']} cap")
        seen.update(f"total {key}" for key in doc.get("total", {}))
        rounding = doc.get("rounding", {})
        seen.update(f"rounding {key}" for key in rounding if key != "decimals")

    draw()
    assert seen >= {
        "force_tier",
        "cap_tier",
        "deduct",
        "bonus",
        "deduct cap",
        "bonus cap",
        "total floor",
        "total ceiling",
        "total bonus_cap",
        "total deduction_cap",
        "rounding mode",
        "rounding dimensions",
    }
