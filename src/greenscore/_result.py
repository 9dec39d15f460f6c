"""Assessment: the immutable result for one park, read from a row of the plan's scores."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from greenscore import _model as m
from greenscore._plan import MISSING_ERROR, TREATMENTS, Plan, Scores


def _num(value: float) -> float | None:
    return None if value is None or math.isnan(value) else float(value)


def fmt(value: float | None, digits: int = 4) -> str:
    """A number for people: no trailing zeros, '—' when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class Tier:
    """The tier reached and what the reward/penalty system attaches to it."""

    id: str
    label: str
    min_score: float
    consequence_kind: str
    consequence: str

    def __str__(self) -> str:
        return f"{self.label or self.id} ({self.id})"


@dataclass(frozen=True)
class IndicatorResult:
    """One indicator: raw value, score, effective weight in the total and contribution to it."""

    id: str
    label: str
    dimension: str
    method: str
    unit: str
    value: float | str | None
    normalised: float | None
    score: float | None
    weight: float
    contribution: float
    treatment: str | None
    explanation: str


@dataclass(frozen=True)
class DimensionResult:
    """One dimension: score, normalised weight within its parent, weight in the total, contribution."""

    id: str
    label: str
    path: str
    score: float | None
    weight: float
    effective_weight: float
    contribution: float


@dataclass(frozen=True)
class VetoResult:
    """A veto that applied, with its reason."""

    id: str
    kind: str
    reason: str
    tier: str | None
    points: float


@dataclass(frozen=True)
class Assessment:
    """One park's assessment under one rubric; immutable, convertible to dict and JSON."""

    entity: str | None
    period: str | None
    total: float
    raw_total: float
    deductions: float
    score_tier: str
    tier: Tier
    dimensions: tuple[DimensionResult, ...]
    indicators: tuple[IndicatorResult, ...]
    vetoes: tuple[VetoResult, ...]
    rubric_name: str
    rubric_version: str
    rubric_sha256: str
    scale: tuple[float, float]

    def dimension(self, dimension_id: str) -> DimensionResult:
        return next(d for d in self.dimensions if d.id == dimension_id)

    def indicator(self, indicator_id: str) -> IndicatorResult:
        return next(i for i in self.indicators if i.id == indicator_id)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-safe: NaN becomes None)."""
        return asdict(self)

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)

    def explain(self) -> str:
        """A readable breakdown: total, tier and consequence, vetoes, dimensions and indicators."""
        lo, hi = self.scale
        who = " ".join(x for x in (self.entity, self.period) if x) or "profile"
        lines = [
            f"{who}: {fmt(self.total)} / {fmt(hi)} → {self.tier}",
            f"  consequence ({self.tier.consequence_kind}): {self.tier.consequence or '—'}",
        ]
        if self.deductions:
            lines.append(
                f"  weighted score {fmt(self.raw_total)} − deductions {fmt(self.deductions)}"
            )
        if self.score_tier != self.tier.id:
            lines.append(f"  the score alone reaches tier {self.score_tier!r}; vetoes changed it")
        for veto in self.vetoes:
            effect = f"−{fmt(veto.points)} points" if veto.kind == "deduct" else veto.kind
            lines.append(f"  veto {veto.id} ({effect}{', ' + veto.tier if veto.tier else ''}): "
                         f"{veto.reason}")
        for dim in self.dimensions:
            depth = dim.path.count("/")
            pad = "  " * (depth + 1)
            lines.append(
                f"{pad}[{dim.label or dim.id}] {fmt(dim.score, 2)}  "
                f"weight {fmt(dim.effective_weight * 100, 2)}% of total, "
                f"contributes {fmt(dim.contribution, 2)}"
            )
            for ind in self.indicators:
                if ind.dimension == dim.id:
                    lines.append(f"{pad}  - {ind.explanation}")
        lines.append(
            f"  rubric {self.rubric_name} {self.rubric_version} (sha256 {self.rubric_sha256[:12]}…)"
        )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.explain()


def _value_text(value: float | str | None, unit: str) -> str:
    if value is None:
        return "not reported"
    text = value if isinstance(value, str) else fmt(value)
    return f"{text} {unit}".strip()


def describe_method(spec: Any, scale: m.Scale) -> str:
    """How a method turns a raw value into a score, in words."""
    direction = {"higher": "higher is better", "lower": "lower is better"}.get(spec.direction, "")
    if isinstance(spec, m.LinearIndicator):
        g = spec.goalposts
        extra = [direction] + (["log scale"] if spec.log else []) + ([] if spec.cap else ["uncapped"])
        return f"goalposts {fmt(g.worst)} → {fmt(g.best)}, {', '.join(x for x in extra if x)}"
    if isinstance(spec, m.BandsIndicator):
        parts = []
        for band in spec.ordered_bands:
            low = "" if band.from_ is None else f"≥{fmt(band.from_)}"
            high = "" if band.to is None else f"<{fmt(band.to)}"
            parts.append(f"{' '.join(x for x in (low, high) if x) or 'any'}: {fmt(band.points)}")
        return "bands " + "; ".join(parts)
    if isinstance(spec, m.TargetIndicator):
        return (
            f"target {fmt(spec.target)} ± {fmt(spec.tolerance)}, worst at distance "
            f"{fmt(spec.worst_distance)}"
        )
    if isinstance(spec, m.ChecklistIndicator):
        rule = f", at least {spec.at_least} of {len(spec.items)} required" if spec.at_least else ""
        return f"checklist of {len(spec.items)} items{rule}"
    if isinstance(spec, m.CategoricalIndicator):
        return "categories " + ", ".join(f"{c}: {fmt(p)}" for c, p in spec.points.items())
    return f"{spec.method} over the cohort, {direction}"


def build_assessment(
    plan: Plan, scores: Scores, row: int, *, entity: Any = None, period: Any = None,
    sha256: str, raw_values: dict[str, Any] | None = None,
) -> Assessment:
    """Read row `row` of the plan's scores into an Assessment."""
    rubric = plan.rubric
    scale = rubric.scale
    dims = []
    for d, step in enumerate(plan.dimensions):
        dims.append(
            DimensionResult(
                id=step.spec.id,
                label=step.spec.label,
                path="/".join(step.path),
                score=_num(scores.dimension_score[row, d]),
                weight=float(scores.dimension_local_weight[row, d]),
                effective_weight=float(scores.dimension_weight[row, d]),
                contribution=float(scores.dimension_contribution[row, d]),
            )
        )
    indicators = []
    for step in plan.indicators:
        j = step.position
        spec = step.spec
        status = int(scores.indicator_status[row, j])
        raw = scores.indicator_raw[row, j]
        value: float | str | None = _num(raw)
        if isinstance(spec, m.CategoricalIndicator) and value is not None:
            value = (rubric.input(spec.input).categories or [])[int(value)]
        score = _num(scores.indicator_score[row, j])
        name = spec.label or spec.id
        if isinstance(spec, m.ChecklistIndicator) and value is not None:
            shown = f"{fmt(value)} of {len(spec.items)} items"
        else:
            shown = _value_text(value, spec.unit)
        outcome = "dropped" if score is None else f"{fmt(score, 2)} / {fmt(scale.max)}"
        explanation = f"{name}: {shown} on {describe_method(spec, scale)}: {outcome}"
        if score is not None:
            explanation += (
                f"; weight {fmt(scores.indicator_weight[row, j] * 100, 2)}% → "
                f"{fmt(scores.indicator_contribution[row, j], 2)} points"
            )
        if status and status != MISSING_ERROR:
            explanation += f" ({TREATMENTS[status]})"
        indicators.append(
            IndicatorResult(
                id=spec.id,
                label=spec.label,
                dimension=step.dimension,
                method=spec.method,
                unit=spec.unit,
                value=value,
                normalised=_num(scores.indicator_u[row, j]),
                score=score,
                weight=float(scores.indicator_weight[row, j]),
                contribution=float(scores.indicator_contribution[row, j]),
                treatment=TREATMENTS[status],
                explanation=explanation,
            )
        )
    vetoes = tuple(
        VetoResult(veto.id, veto.kind, veto.reason, veto.tier, float(scores.veto_points[row, v]))
        for v, veto in enumerate(rubric.vetoes)
        if scores.veto_fired[row, v]
    )
    tier_spec = rubric.tiers[int(scores.tier[row])]
    tier = Tier(
        tier_spec.id,
        tier_spec.label,
        tier_spec.min_score,
        tier_spec.consequence.kind,
        tier_spec.consequence.text,
    )
    return Assessment(
        entity=None if entity is None else str(entity),
        period=None if period is None else str(period),
        total=float(scores.total[row]),
        raw_total=float(scores.raw_total[row]),
        deductions=float(scores.deductions[row]),
        score_tier=rubric.tiers[int(scores.score_tier[row])].id,
        tier=tier,
        dimensions=tuple(dims),
        indicators=tuple(indicators),
        vetoes=vetoes,
        rubric_name=rubric.name,
        rubric_version=rubric.version,
        rubric_sha256=sha256,
        scale=(scale.min, scale.max),
    )


def finite_or_none(array: np.ndarray) -> list[float | None]:
    return [None if math.isnan(x) else float(x) for x in array]
