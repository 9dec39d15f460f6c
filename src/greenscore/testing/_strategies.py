"""Hypothesis strategies built from a rubric's declared bounds: profiles, frames and whole rubrics."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st

from greenscore.methods import REGISTRY
from greenscore.methods.base import Available, draw_number, draw_points
from greenscore.rubric import models as m
from greenscore.rubric.formula import parse_formula
from greenscore.rubric.load import RubricLike, load_rubric
from greenscore.rubric.yaml_syntax import dump_yaml
from greenscore.testing._context import Domain, context_for
from greenscore.testing._pool_places import per_pool_places


def values(domain: Domain) -> st.SearchStrategy[Any]:
    """Valid values of one input: edge values mixed with the whole declared (or inferred) range."""
    spec = domain.spec
    if spec.type == "boolean":
        return st.booleans()
    if spec.type == "category":
        return st.sampled_from(list(spec.categories or []))
    if spec.type == "integer":
        spread: st.SearchStrategy[Any] = st.integers(int(domain.low), int(domain.high))
    else:
        spread = st.floats(
            domain.low, domain.high, allow_nan=False, allow_infinity=False, allow_subnormal=False
        )
    if domain.edges:
        return st.one_of(st.sampled_from(domain.edges), spread)
    return spread


POOL_LABELS = ("P1", "P2")
"""The pools a generated profile or frame belongs to, in each pool column."""


def profiles(
    rubric: RubricLike = None, *, missing: bool = False
) -> st.SearchStrategy[dict[str, Any]]:
    """Valid profiles (dicts) for a rubric; with missing=True optional fields may be absent or None.

    Valid means the engine scores them: values within the declared ranges whose derived inputs
    neither overflow nor divide by zero (lint's derived-fault names the ranges that allow those).
    A rubric with pools also gets its pool fields, each one of POOL_LABELS.
    """
    loaded = load_rubric(rubric)
    ctx = context_for(loaded)
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for name, domain in ctx.domains.items():
        if missing and not domain.spec.required:
            optional[name] = st.one_of(st.none(), values(domain))
        else:
            required[name] = values(domain)
    for name in loaded.pools:
        required[name] = st.sampled_from(POOL_LABELS)
    drawn = st.fixed_dictionaries(required, optional=optional)
    return drawn.filter(ctx.derives) if ctx.has_formulas else drawn


@st.composite
def _frames(
    draw: st.DrawFn,
    rubric: m.Rubric,
    min_size: int,
    max_size: int,
    periods: Sequence[Any],
    missing: bool,
) -> Any:
    import pandas as pd

    count = draw(st.integers(min_size, max_size))
    rows_of = profiles(rubric, missing=missing)
    records = []
    for e in range(count):
        present = [p for p in periods if len(periods) == 1 or draw(st.booleans())] or [periods[0]]
        for period in present:
            row = {rubric.entity: f"E{e + 1:03d}", rubric.period: period}
            row.update(draw(rows_of))
            records.append(row)
    columns = [rubric.entity, rubric.period, *rubric.pools, *(spec.id for spec in rubric.inputs)]
    return pd.DataFrame.from_records(records, columns=columns)


def frames(
    rubric: RubricLike = None,
    *,
    min_size: int = 1,
    max_size: int = 10,
    periods: int | Sequence[Any] = 1,
    missing: bool = False,
) -> st.SearchStrategy[Any]:
    """Valid DataFrames: min_size..max_size entities, one row per entity and period (2015 on)."""
    loaded = load_rubric(rubric)
    if isinstance(periods, int):
        if periods < 1:
            raise ValueError(f"periods must be at least 1, got {periods}")
        periods = list(range(2015, 2015 + periods))
    if not periods or not 0 <= min_size <= max_size:
        raise ValueError("need at least one period and 0 <= min_size <= max_size")
    return _frames(loaded, min_size, max_size, list(periods), missing)


OUTSIDE = "tn"
"""The id of the class outside the ranking that a generated unrated veto names."""
_SCALES = [(0.0, 100.0), (0.0, 1.0), (0.0, 10.0), (-50.0, 50.0), (1.0, 5.0), (0.0, 2.5)]
_POLICIES = ["error", "worst", "drop"]


class _Builder:
    """Draws the parts of one random rubric, keeping what later parts may refer to."""

    def __init__(self, draw: st.DrawFn, max_depth: int, max_indicators: int, cohort: bool) -> None:
        self.draw = draw
        self.max_depth = max_depth
        self.max_indicators = max_indicators
        self.cohort = cohort
        low, high = draw(st.sampled_from(_SCALES))
        self.scale = (low, high)
        self.inputs: list[dict[str, Any]] = []
        self.ranges: dict[str, tuple[float, float]] = {}
        self.derived: list[dict[str, Any]] = []
        self.indicator_ids: list[str] = []
        self.dimension_ids: list[str] = []

    def number(self, low: float, high: float, unit: float = 1.0) -> float:
        """A round number in [low, high] on a grid of `unit`."""
        return draw_number(self.draw, low, high, unit)

    def points(self) -> float:
        return draw_points(self.draw, self.scale)

    def make_inputs(self) -> None:
        draw = self.draw
        for i in range(draw(st.integers(1, 5))):
            kind = draw(st.sampled_from(["number", "integer"]))
            unit = 1.0 if kind == "integer" else draw(st.sampled_from([0.1, 1.0, 10.0]))
            lo_k = draw(st.integers(-10, 10))
            hi_k = lo_k + draw(st.integers(1, 40))
            spec: dict[str, Any] = {"id": f"x{i}", "type": kind}
            if draw(st.integers(0, 3)):
                spec["min"] = round(lo_k * unit, 6)
            if draw(st.integers(0, 2)):
                spec["max"] = round(hi_k * unit, 6)
            if not draw(st.integers(0, 4)):
                spec["required"] = False
            self.inputs.append(spec)
            self.ranges[spec["id"]] = (round(lo_k * unit, 6), round(hi_k * unit, 6))
        for i in range(draw(st.integers(0, 4))):
            spec = {"id": f"b{i}", "type": "boolean"}
            if not draw(st.integers(0, 4)):
                spec["required"] = False
            self.inputs.append(spec)
        for i in range(draw(st.integers(0, 2))):
            count = draw(st.integers(2, 4))
            spec = {
                "id": f"c{i}",
                "type": "category",
                "categories": [f"k{j}" for j in range(count)],
            }
            if not draw(st.integers(0, 4)):
                spec["required"] = False
            self.inputs.append(spec)

    def of_type(self, *types: str, required: bool = False) -> list[dict[str, Any]]:
        return [
            s
            for s in self.inputs
            if s.get("type", "number") in types and (not required or s.get("required", True))
        ]

    def make_derived(self) -> None:
        draw = self.draw
        numeric = [s["id"] for s in self.of_type("number", "integer")]
        templates = [
            "{a} + {b}",
            "{a} - {b}",
            "{a} * 2",
            "max({a}, {b})",
            "{a} / (abs({b}) + 1)",
            "{a} / {b}",
        ]
        for i in range(draw(st.integers(0, 2))):
            a, b = draw(st.sampled_from(numeric)), draw(st.sampled_from(numeric))
            formula = draw(st.sampled_from(templates)).format(a=a, b=b)
            self.derived.append({"id": f"d{i}", "formula": formula})
            corners = [self.ranges[a], self.ranges[b]]
            env = {
                a: np.array([corners[0][0], corners[0][1]] * 2, dtype=float),
                b: np.array([corners[1][0]] * 2 + [corners[1][1]] * 2, dtype=float),
            }
            result = parse_formula(formula)(env)
            result = result[np.isfinite(result)]
            low, high = (float(result.min()), float(result.max())) if result.size else (0.0, 1.0)
            self.ranges[f"d{i}"] = (low, high) if high > low else (low, low + 1.0)

    def common(self, index: int) -> dict[str, Any]:
        draw = self.draw
        out: dict[str, Any] = {"id": f"i{index}"}
        weight = draw(st.sampled_from([1.0, 1.0, 2.0, 3.0, 0.5, 0.0]))
        if weight != 1.0:
            out["weight"] = weight
        if not draw(st.integers(0, 5)):
            out["required"] = False
        if not draw(st.integers(0, 2)):
            out["missing"] = draw(st.sampled_from(_POLICIES))
        if not draw(st.integers(0, 4)):
            low, high = self.scale
            a, b = sorted(draw(st.lists(st.integers(0, 20), min_size=2, max_size=2, unique=True)))
            step = (high - low) / 20
            out["onto"] = [round(low + a * step, 6), round(low + b * step, 6)]
        return out

    def available(self) -> Available:
        """The inputs drawn so far, as the methods' own draws see them."""
        declared = [s["id"] for s in self.of_type("number", "integer")]
        return Available(
            scale=self.scale,
            numeric=declared + [d["id"] for d in self.derived],
            declared=declared,
            booleans=[s["id"] for s in self.of_type("boolean")],
            categories={s["id"]: s["categories"] for s in self.of_type("category")},
            ranges=self.ranges,
            floors={s["id"]: s["min"] for s in self.of_type("number", "integer") if "min" in s},
            cohort=self.cohort,
        )

    def make_indicator(self) -> dict[str, Any]:
        """An indicator of a method drawn by lots; the cohort methods share one lot."""
        draw = self.draw
        index = len(self.indicator_ids)
        available = self.available()
        drawable = {
            name: method
            for name, method in REGISTRY.items()
            if method.generate is not None and method.chances(available)
        }
        lots = [
            name
            for name, method in drawable.items()
            if not method.cohort
            for _ in range(method.chances(available))
        ]
        cohort = [name for name, method in drawable.items() if method.cohort]
        if self.cohort and cohort:
            lots.append(draw(st.sampled_from(cohort)))
        name = draw(st.sampled_from(lots))
        ind = self.common(index)
        ind["method"] = name
        direction = draw(st.sampled_from(["higher", "lower"]))
        generate = drawable[name].generate
        assert generate is not None
        ind.update(generate(draw, available, direction))
        self.indicator_ids.append(ind["id"])
        return ind

    def make_dimension(self, depth: int) -> dict[str, Any]:
        draw = self.draw
        dim: dict[str, Any] = {"id": f"g{len(self.dimension_ids)}"}
        self.dimension_ids.append(dim["id"])
        weight = draw(st.sampled_from([1.0, 1.0, 2.0, 0.5, 0.0]))
        if weight != 1.0:
            dim["weight"] = weight
        aggregation = draw(st.sampled_from(["arithmetic", "arithmetic", "geometric", "minimum"]))
        if aggregation != "arithmetic":
            dim["aggregation"] = aggregation
        room = len(self.indicator_ids) < self.max_indicators
        subs = draw(st.integers(0, 2)) if depth < self.max_depth and room else 0
        if subs:
            dim["dimensions"] = [self.make_dimension(depth + 1) for _ in range(subs)]
        count = draw(st.integers(0 if subs else 1, 3 if room else 1))
        if count:
            dim["indicators"] = [self.make_indicator() for _ in range(count)]
        children = [*dim.get("dimensions", []), *dim.get("indicators", [])]
        if not sum(c.get("weight", 1.0) for c in children):
            children[0]["weight"] = 1.0
        return dim

    def condition(self) -> str:
        draw = self.draw
        numeric = self.of_type("number", "integer", required=True)
        booleans = self.of_type("boolean", required=True)
        options = []
        if numeric:
            spec = draw(st.sampled_from(numeric))
            low, high = self.ranges[spec["id"]]
            threshold = self.number(low, high - (high - low) / 10, (high - low) / 10)
            options.append(f"{spec['id']} {draw(st.sampled_from(['>', '>=']))} {threshold}")
        if booleans:
            spec = draw(st.sampled_from(booleans))
            options.append(draw(st.sampled_from(["{b}", "not {b}"])).format(b=spec["id"]))
        if len(options) == 2 and draw(st.booleans()):
            return f"{options[0]} {draw(st.sampled_from(['and', 'or']))} {options[1]}"
        return draw(st.sampled_from(options))

    def make_tiers(self) -> list[dict[str, Any]]:
        """Tiers by score bands with some place limits and minimums, or a quantile scheme."""
        draw = self.draw
        low, high = self.scale
        count = draw(st.integers(1, 4))
        if count >= 2 and not draw(st.integers(0, 5)):
            return self.share_scheme(count)
        cuts = sorted(
            draw(st.lists(st.integers(1, 20), min_size=count - 1, max_size=count - 1, unique=True)),
            reverse=True,
        )
        mins = [round(low + c * (high - low) / 20, 6) for c in cuts] + [low]
        tiers: list[dict[str, Any]] = [
            {"id": f"t{k}", "min_score": score} for k, score in enumerate(mins)
        ]
        for tier in tiers[:-1]:
            limit = draw(st.integers(0, 9))
            if limit <= 1:
                tier["max_share"] = draw(st.sampled_from([0.1, 0.25, 0.5]))
            elif limit == 2:
                tier["top"] = draw(st.integers(1, 3))
            if limit <= 2 and not draw(st.integers(0, 2)):
                del tier["min_score"]
        for tier in tiers[1:]:
            minimum = draw(st.integers(0, 9))
            if minimum == 0:
                tier["bottom"] = 1
            elif minimum == 1:
                tier["min_share"] = draw(st.sampled_from([0.05, 0.1]))
        return tiers

    def share_scheme(self, count: int) -> list[dict[str, Any]]:
        """A quantile scheme: every tier a band of ranks, the bands adding up to the whole."""
        draw = self.draw
        edges = sorted(
            draw(st.lists(st.integers(1, 19), min_size=count - 1, max_size=count - 1, unique=True))
        )
        bounds = [0, *edges, 20]
        tiers: list[dict[str, Any]] = [
            {"id": f"t{k}", "share": round((bounds[k + 1] - bounds[k]) / 20, 6)}
            for k in range(count)
        ]
        if draw(st.booleans()):
            tiers[-1]["min_share"] = tiers[-1]["share"]
        return tiers

    def make_vetoes(self, tiers: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Vetoes of every kind; an unrated veto adds the class outside the ranking it names."""
        draw = self.draw
        if not (
            self.of_type("number", "integer", required=True)
            or self.of_type("boolean", required=True)
        ):
            return []
        ranked = list(tiers)
        vetoes = []
        for i in range(draw(st.integers(0, 3))):
            kinds = ["force_tier", "cap_tier", "deduct", "bonus", "unrated"]
            kind = draw(st.sampled_from(kinds))
            if kind == "unrated":
                if tiers[-1]["id"] != OUTSIDE:
                    tiers.append({"id": OUTSIDE, "label": "not rated"})
                vetoes.append(
                    {
                        "id": f"v{i}",
                        "kind": kind,
                        "when": self.condition(),
                        "tier": OUTSIDE,
                        "reason": f"reason {i}",
                    }
                )
                continue
            veto: dict[str, Any] = {"id": f"v{i}", "kind": kind, "reason": f"reason {i}"}
            if kind in ("deduct", "bonus"):
                low, high = self.scale
                if draw(st.booleans()):
                    veto["when"] = self.condition()
                numeric = self.of_type("number", "integer", required=True)
                proportional = draw(st.booleans())
                if numeric and proportional:
                    veto["points"] = (
                        f"abs({(high - low) / 100} * {draw(st.sampled_from(numeric))['id']})"
                    )
                    if draw(st.booleans()):
                        veto["cap"] = round((high - low) * draw(st.sampled_from([0.02, 0.1])), 6)
                else:
                    veto["points"] = round(
                        (high - low) * draw(st.sampled_from([0.01, 0.05, 0.2])), 6
                    )
            else:
                veto["when"] = self.condition()
                veto["tier"] = draw(st.sampled_from(ranked))["id"]
            vetoes.append(veto)
        return vetoes

    def total(self, vetoes: list[dict[str, Any]]) -> dict[str, Any]:
        """Sometimes a total without a floor or ceiling, and caps on all bonuses or deductions."""
        draw = self.draw
        low, high = self.scale
        total: dict[str, Any] = {}
        for key in ("floor", "ceiling"):
            if not draw(st.integers(0, 3)):
                total[key] = False
        for key, kind in (("bonus_cap", "bonus"), ("deduction_cap", "deduct")):
            if any(v["kind"] == kind for v in vetoes) and draw(st.booleans()):
                total[key] = round((high - low) * draw(st.sampled_from([0.01, 0.05])), 6)
        return total

    def add_conditions(self, tiers: list[dict[str, Any]], vetoes: list[dict[str, Any]]) -> None:
        draw = self.draw
        ranked = [t for t in tiers if t["id"] != OUTSIDE]
        for tier in ranked[:-1]:
            conditions = []
            for _ in range(draw(st.integers(0, 2))):
                kind = draw(st.sampled_from(["dimension_min", "indicator_min", "no_veto"]))
                if kind == "dimension_min":
                    cond: dict[str, Any] = {"type": kind, "score": self.points()}
                    if draw(st.booleans()):
                        cond["dimensions"] = draw(
                            st.lists(st.sampled_from(self.dimension_ids), min_size=1, unique=True)
                        )
                elif kind == "indicator_min":
                    cond = {
                        "type": kind,
                        "indicator": draw(st.sampled_from(self.indicator_ids)),
                        "score": self.points(),
                    }
                else:
                    cond = {"type": kind}
                    by_id = draw(st.booleans())
                    ids = [v["id"] for v in vetoes if v["kind"] != "bonus"]
                    if ids and by_id:
                        cond["vetoes"] = draw(
                            st.lists(st.sampled_from(ids), min_size=1, unique=True)
                        )
                    elif draw(st.booleans()):
                        cond["kinds"] = draw(
                            st.lists(
                                st.sampled_from(["force_tier", "cap_tier", "deduct"]),
                                min_size=1,
                                unique=True,
                            )
                        )
                conditions.append(cond)
            if conditions:
                tier["conditions"] = conditions


@st.composite
def rubric_documents(
    draw: st.DrawFn, *, max_depth: int = 3, max_indicators: int = 12, cohort: bool = True
) -> dict[str, Any]:
    """Random valid rubrics as the plain data a user would write in YAML."""
    b = _Builder(draw, max_depth, max_indicators, cohort)
    b.make_inputs()
    b.make_derived()
    dimensions = [b.make_dimension(1) for _ in range(draw(st.integers(1, 3)))]
    if not sum(d.get("weight", 1.0) for d in dimensions):
        dimensions[0]["weight"] = 1.0
    tiers = b.make_tiers()
    vetoes = b.make_vetoes(tiers)
    b.add_conditions(tiers, vetoes)
    doc: dict[str, Any] = {"name": "Generated rubric", "version": "1"}
    low, high = b.scale
    if (low, high) != (0.0, 100.0):
        doc["scale"] = {"min": low, "max": high}
    if draw(st.integers(0, 3)) == 0:
        doc["rounding"] = {"decimals": draw(st.integers(0, 3))}
        if draw(st.booleans()):
            doc["rounding"]["mode"] = "half_even"
        if draw(st.booleans()):
            doc["rounding"]["dimensions"] = draw(st.integers(0, 3))
    total = b.total(vetoes)
    if total:
        doc["total"] = total
    doc["missing"] = draw(st.sampled_from(_POLICIES))
    if not draw(st.integers(0, 3)):
        doc["pools"] = ["county"]
        per_pool_places(draw, tiers, POOL_LABELS)
    aggregation = draw(st.sampled_from(["arithmetic", "arithmetic", "geometric", "minimum"]))
    if aggregation != "arithmetic":
        doc["aggregation"] = aggregation
    doc["inputs"] = b.inputs
    if b.derived:
        doc["derived"] = b.derived
    doc["dimensions"] = dimensions
    if vetoes:
        doc["vetoes"] = vetoes
    doc["tiers"] = tiers
    return doc


def rubrics(
    *, max_depth: int = 3, max_indicators: int = 12, cohort: bool = True
) -> st.SearchStrategy[m.Rubric]:
    """Random valid rubrics, written as YAML and loaded the way a user's rubric is."""
    return rubric_documents(max_depth=max_depth, max_indicators=max_indicators, cohort=cohort).map(
        lambda doc: load_rubric(dump_yaml(doc))
    )
