"""Assessment: the immutable result for one park, read from a row of the plan's scores."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import pandas as pd

from greenscore.engine.describe import consequence_values_text, tier_change_cause, veto_effect
from greenscore.engine.display import assessment_frame, assessment_html, value_text, who
from greenscore.engine.inputs import PeriodKey
from greenscore.engine.normalise import MISSING_ERROR, TREATMENTS
from greenscore.engine.plan import Plan
from greenscore.engine.scores import Scores
from greenscore.io.display import one_line_repr, shorten
from greenscore.methods import method_of
from greenscore.methods.base import fmt


@dataclass(frozen=True)
class Tier:
    """The tier reached and what the reward/penalty system attaches to it: its words and the
    numbers it carries (declared id → value; empty when the tier carries none)."""

    id: str
    label: str
    min_score: float | None
    consequence_kind: str
    consequence: str
    consequence_values: dict[str, float] = field(default_factory=dict)
    consequence_values_text: str = ""
    max_score: float | None = None

    def __str__(self) -> str:
        return f"{self.label or self.id} ({self.id})"

    def __repr__(self) -> str:
        bound = (
            f"up to {fmt(self.max_score)}"
            if self.max_score is not None
            else f"from {fmt(self.min_score)}"
        )
        return one_line_repr("Tier", f"{self.id} {self.label}: {bound}, {self.consequence_kind}")


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
    method_text: str
    checklist_items: int | None = None
    out_of: float = 100.0

    @property
    def explanation(self) -> str:
        """How the raw value became a score, its weight and its contribution, in one line."""
        name = self.label or self.id
        shown = value_text(self.value, self.unit, self.checklist_items)
        outcome = "dropped" if self.score is None else f"{fmt(self.score, 2)} / {fmt(self.out_of)}"
        text = f"{name}: {shown} on {self.method_text}: {outcome}"
        if self.score is not None:
            text += f"; weight {fmt(self.weight * 100, 2)}% → {fmt(self.contribution, 2)} points"
        if self.treatment:
            text += f" ({self.treatment})"
        return text

    def __repr__(self) -> str:
        outcome = "dropped" if self.score is None else f"{fmt(self.score, 2)} / {fmt(self.out_of)}"
        return one_line_repr(
            "IndicatorResult",
            f"{self.id}: {value_text(self.value, self.unit, self.checklist_items)} → {outcome}, "
            f"contributes {fmt(self.contribution, 2)}",
        )


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

    def __repr__(self) -> str:
        return one_line_repr(
            "DimensionResult",
            f"{self.path}: {fmt(self.score, 2)}, {fmt(self.effective_weight * 100, 2)}% of total, "
            f"contributes {fmt(self.contribution, 2)}",
        )


@dataclass(frozen=True)
class VetoResult:
    """A veto, deduction or bonus that applied, with its reason (and, for points held at the
    item's cap, the points before the cap)."""

    id: str
    kind: str
    reason: str
    tier: str | None
    points: float
    capped_from: float | None = None

    @property
    def effect(self) -> str:
        """What it did, in words ('tier forced to fail', 'deduct 3 points, capped from 3.6')."""
        return veto_effect(self.kind, self.tier, self.points, capped_from=self.capped_from)

    def __repr__(self) -> str:
        return one_line_repr(
            "VetoResult", f"{self.id}: {veto_effect(self.kind, self.tier, self.points)}"
        )


@dataclass(frozen=True)
class Assessment:
    """One park's assessment under one rubric; immutable, convertible to dict and JSON."""

    entity: str | None
    period: PeriodKey | None
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
    bonuses: float = 0.0
    clamped_from: float | None = None
    better: Literal["higher", "lower"] = "higher"
    track: tuple[str, ...] = ()
    """The track-record rules that concern it and the history behind them (batch/track.py)."""

    def dimension(self, dimension_id: str) -> DimensionResult:
        return next(d for d in self.dimensions if d.id == dimension_id)

    def indicator(self, indicator_id: str) -> IndicatorResult:
        return next(i for i in self.indicators if i.id == indicator_id)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-safe: NaN becomes None), with each indicator's explanation."""
        data = asdict(self)
        for record, indicator in zip(data["indicators"], self.indicators, strict=True):
            record["explanation"] = indicator.explanation
        if self.better == "higher":
            del data["better"]
        if self.tier.max_score is None:
            del data["tier"]["max_score"]
        return data

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)

    def to_frame(self) -> pd.DataFrame:
        """One row per indicator, in rubric order: indicator, label, dimension, method, value
        (as reported), unit, normalised (0–1), score, weight (in the total), contribution and
        treatment (how a missing value was handled, or None)."""
        return assessment_frame(self)

    def __repr__(self) -> str:
        return one_line_repr(
            "Assessment",
            f"{shorten(who(self.entity, self.period), 60)}: {fmt(self.total)} → "
            f"{shorten(self.tier.id)} (rubric {shorten(self.rubric_name, 60)} "
            f"{shorten(self.rubric_version, 20)})",
        )

    def _repr_html_(self) -> str:
        return assessment_html(self)

    @property
    def tier_change_cause(self) -> str:
        """What moved the park out of the tier its score alone reaches: 'vetoes' or 'the places
        of its pool' (meaningful when score_tier differs from the tier)."""
        return tier_change_cause(v.kind for v in self.vetoes)

    def explain(self) -> str:
        """A readable breakdown: total, tier and consequence, vetoes, dimensions and indicators."""
        hi = self.scale[1]
        lower = " (lower is better)" if self.better == "lower" else ""
        lines = [
            f"{who(self.entity, self.period)}: {fmt(self.total)} / {fmt(hi)}{lower} → {self.tier}",
            f"  consequence ({self.tier.consequence_kind}): {self.tier.consequence or '—'}",
        ]
        if self.tier.consequence_values_text:
            lines.append(f"  consequence values: {self.tier.consequence_values_text}")
        lines += self._total_lines()
        if self.score_tier != self.tier.id:
            lines.append(
                f"  the score alone reaches tier {self.score_tier!r}; "
                f"{self.tier_change_cause} changed it"
            )
        for veto in self.vetoes:
            what = "bonus" if veto.kind == "bonus" else "veto"
            lines.append(f"  {what} {veto.id} ({veto.effect}): {veto.reason}")
        lines += [f"  track record: {line}" for line in self.track]
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

    def _total_lines(self) -> list[str]:
        """How the weighted score became the total: bonuses, deductions and the clamp, each a
        term, so that the dimensions' contributions and these lines add up to the total."""
        if not (self.bonuses or self.deductions or self.clamped_from is not None):
            return []
        text = f"  weighted score {fmt(self.raw_total)}"
        for sign, amount, kinds in (("+", self.bonuses, "bonus"), ("−", self.deductions, "deduct")):
            if amount:
                noun = "bonuses" if kinds == "bonus" else "deductions"
                text += f" {sign} {noun} {fmt(amount)}"
                items = sum(v.points for v in self.vetoes if v.kind == kinds)
                if items > amount:
                    text += f" (the items give {fmt(items)}; at most {fmt(amount)} count)"
        if self.clamped_from is None:
            return [text]
        bounded = min(max(self.clamped_from, self.scale[0]), self.scale[1])
        end = "maximum" if self.clamped_from > bounded else "minimum"
        return [
            f"{text} = {fmt(self.clamped_from)}",
            f"  clamped from {fmt(self.clamped_from)} to {fmt(bounded)} (the scale {end}): "
            f"{'+' if bounded > self.clamped_from else '−'}{fmt(abs(bounded - self.clamped_from))}",
        ]


def build_assessment(
    plan: Plan,
    scores: Scores,
    row: int,
    *,
    entity: str | None,
    period: PeriodKey | None,
) -> Assessment:
    """Row ``row`` of the scores a plan computed, as the Assessment of that entity and period.

    The one result builder: evaluate() reads row 0 of its batch of one, BatchResult.assessment()
    the entity's row of the arrays behind its results table.
    """
    rubric = plan.rubric
    scale = rubric.scale
    d_score = scores.dimension_score[row].tolist()
    d_local = scores.dimension_local_weight[row].tolist()
    d_weight = scores.dimension_weight[row].tolist()
    d_contrib = scores.dimension_contribution[row].tolist()
    dims = [
        DimensionResult(
            step.spec.id,
            step.spec.label,
            "/".join(step.path),
            None if d_score[d] != d_score[d] else d_score[d],
            d_local[d],
            d_weight[d],
            d_contrib[d],
        )
        for d, step in enumerate(plan.dimensions)
    ]
    statuses = scores.indicator_status[row].tolist()
    raws = scores.indicator_raw[row].tolist()
    normalised = scores.indicator_u[row].tolist()
    i_score = scores.indicator_score[row].tolist()
    i_weight = scores.indicator_weight[row].tolist()
    i_contrib = scores.indicator_contribution[row].tolist()
    texts = plan.method_texts
    indicators = []
    for j, step in enumerate(plan.indicators):
        spec = step.spec
        method = method_of(spec)
        status = statuses[j]
        value = None if raws[j] != raws[j] else method.value(spec, raws[j], plan.context)
        indicators.append(
            IndicatorResult(
                spec.id,
                spec.label,
                step.dimension,
                spec.method,
                spec.unit,
                value,
                None if normalised[j] != normalised[j] else normalised[j],
                None if i_score[j] != i_score[j] else i_score[j],
                i_weight[j],
                i_contrib[j],
                TREATMENTS[status] if status != MISSING_ERROR else None,
                texts[spec.id],
                method.items(spec),
                scale.max,
            )
        )
    points = scores.veto_points[row].tolist()
    uncapped = scores.veto_uncapped[row].tolist()
    vetoes = tuple(
        VetoResult(
            veto.id,
            veto.kind,
            veto.reason,
            veto.tier,
            points[v],
            uncapped[v] if uncapped[v] > points[v] else None,
        )
        for v, veto in enumerate(rubric.vetoes)
        if scores.veto_fired[row, v]
    )
    clamped = bool(scores.clamped[row])
    tier_spec = rubric.tiers[int(scores.tier[row])]
    tier = Tier(
        tier_spec.id,
        tier_spec.label,
        tier_spec.min_score,
        tier_spec.consequence.kind,
        tier_spec.consequence.text,
        {
            spec.id: tier_spec.consequence.values[spec.id]
            for spec in rubric.consequence_values
            if spec.id in tier_spec.consequence.values
        },
        consequence_values_text(rubric, tier_spec.consequence.values),
        tier_spec.max_score,
    )
    return Assessment(
        entity=entity,
        period=period,
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
        rubric_sha256=plan.sha256,
        scale=(scale.min, scale.max),
        bonuses=float(scores.bonuses[row]),
        clamped_from=float(scores.unclamped[row]) if clamped else None,
        better=rubric.total.better,
    )
