"""The rubric in words: every sentence and table row that describes a rubric lives here.

The result files' rubric sheet, the methodology appendix and workbook sheet, ``explain()`` and the
Markdown summary all read their wording from this module, so a rule is worded once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, assert_never

from greenscore.engine.compile import missing_policy
from greenscore.methods import method_of
from greenscore.methods.base import fmt
from greenscore.rubric import models as m
from greenscore.rubric.places import DEFAULT_POOL
from greenscore.rubric.track import gives_text, rule_text

RowKind = Literal["dimension", "indicator", "derived", "veto", "tier", "track"]

_AGGREGATIONS: dict[str, str] = {
    "arithmetic": "weighted arithmetic mean",
    "geometric": "weighted geometric mean",
    "minimum": "lowest",
}
_HISTORY: dict[str, str] = {
    "change": "change in {input} over the latest {periods} periods",
    "relative_change": "relative change in {input} over the latest {periods} periods",
    "mean": "mean of {input} over the latest {periods} periods",
    "falls_every_period": "whether {input} fell in each of the latest {periods} periods",
    "rises_every_period": "whether {input} rose in each of the latest {periods} periods",
}


def title(item: m.Dimension | m.Indicator | m.Veto | m.Tier | m.Derived) -> str:
    """What a rubric item is called for people: its label, or its id when it has none."""
    return item.label or item.id


def method_sentence(spec: m.Indicator, rubric: m.Rubric | None = None) -> str:
    """How an indicator's method turns its raw value into a score (with its sub-range, if any).

    Where the rubric's total is better lower, a direction reads as which way scores more, since
    more points are then worse.
    """
    text = method_of(spec).describe(spec)
    if spec.onto is not None:
        text += f", mapped onto {fmt(spec.onto[0])}–{fmt(spec.onto[1])}"
    if rubric is not None and rubric.total.better == "lower":
        for way in ("higher", "lower"):
            text = text.replace(f"{way} is better", f"a {way} value scores more")
    return text


def weights_in_total(rubric: m.Rubric) -> dict[str, float]:
    """Each dimension's and indicator's weight in the total when nothing is missing, by id."""
    weights = dict(rubric.normalised_weights)
    for _, dim in rubric.iter_dimensions():
        local = dim.normalised_weights
        for child in dim.children:
            weights[child.id] = weights[dim.id] * local[child.id]
    return weights


def dimension_rule(dim: m.Dimension) -> str:
    """How a dimension combines its children, e.g. 'weighted arithmetic mean of its 4 parts'."""
    count = len(dim.children)
    return f"{_AGGREGATIONS[dim.aggregation]} of its {count} part{'' if count == 1 else 's'}"


def derived_rule(derived: m.Derived) -> str:
    """How a derived input is computed: its formula, or the statistic over periods in words."""
    if derived.formula is not None:
        return derived.formula
    history = derived.history
    assert history is not None, "a derived input has a formula or a history"
    return _HISTORY[history.statistic].format(input=history.input, periods=history.periods)


def missing_rule(ind: m.Indicator, rubric: m.Rubric) -> str:
    """What happens when an indicator is not reported: 'optional', or its missing-data policy."""
    return "optional" if not ind.required else missing_policy(ind, rubric)


def input_values(spec: m.Input) -> str:
    """The values an input accepts, in words ('0 … 100', 'true / false', 'a, b, c')."""
    if spec.type == "category":
        return ", ".join(spec.categories or [])
    if spec.type == "boolean":
        return "true / false"
    low = "−∞" if spec.min is None else fmt(spec.min)
    high = "∞" if spec.max is None else fmt(spec.max)
    return f"{low} … {high}"


def condition_text(cond: m.TierCondition) -> str:
    """A tier condition beyond the minimum total, in words."""
    match cond:
        case m.DimensionMin():
            which = ", ".join(cond.dimensions) if cond.dimensions else "every top-level dimension"
            return f"{which} at least {fmt(cond.score)}"
        case m.IndicatorMin():
            return f"indicator {cond.indicator} at least {fmt(cond.score)}"
        case m.NoVeto():
            kinds = f" of kind {', '.join(cond.kinds)}" if cond.kinds else ""
            if cond.vetoes:
                return f"none of the vetoes {', '.join(cond.vetoes)}{kinds}"
            return f"no veto{kinds}"
    assert_never(cond)


def veto_effect(
    kind: str,
    tier: str | None,
    points: float | str | None,
    *,
    cap: float | None = None,
    capped_from: float | None = None,
) -> str:
    """What a veto, deduction or bonus does ('tier forced to fail', 'deduct 2 points', 'add
    0.5 * awards points, at most 3'; for one park, 'deduct 3 points, capped from 3.6')."""
    if kind == "force_tier":
        return f"tier forced to {tier}"
    if kind == "cap_tier":
        return f"tier capped at {tier}"
    if kind == "unrated":
        return f"not rated: placed in {tier}, outside the ranking"
    shown = points if isinstance(points, str) else fmt(points)
    text = f"{'add' if kind == 'bonus' else 'deduct'} {shown} points"
    if cap is not None:
        text += f", at most {fmt(cap)}"
    if capped_from is not None:
        text += f", capped from {fmt(capped_from)}"
    return text


def veto_rule(veto: m.Veto) -> str:
    """When a veto applies and what it does, e.g. 'when incidents > 0: tier forced to fail'."""
    effect = veto_effect(veto.kind, veto.tier, veto.points, cap=veto.cap)
    return f"when {veto.when}: {effect}" if veto.when else effect


def total_rule(rubric: m.Rubric) -> str:
    """How the total is put together and rounded, in sentences (empty for a plain weighted score).

    Bonuses, caps and lifted bounds are worded only where the rubric has them.
    """
    sentences = []
    total = rubric.total
    if total.better == "lower":
        sentences.append(
            "A lower total is better: ranks, places and tiers favour the lowest totals."
        )
    bonus = any(v.kind == "bonus" for v in rubric.vetoes)
    if bonus or total.deduction_cap is not None or not (total.floor and total.ceiling):
        terms = ["the weighted score"]
        if bonus:
            cap = f" (at most {fmt(total.bonus_cap)} in all)" if total.bonus_cap else ""
            terms.append(f"plus bonus points{cap}")
        if any(v.kind == "deduct" for v in rubric.vetoes):
            cap = f" (at most {fmt(total.deduction_cap)} in all)" if total.deduction_cap else ""
            terms.append(f"minus deductions{cap}")
        low, high = fmt(rubric.scale.min), fmt(rubric.scale.max)
        bounds = {
            (True, True): f"held within {low}–{high}",
            (True, False): f"held at or above {low}, with no ceiling: it can exceed {high}",
            (False, True): f"held at or below {high}, with no floor: it can fall below {low}",
            (False, False): f"with no floor or ceiling: it can leave {low}–{high}",
        }[(total.floor, total.ceiling)]
        sentences.append(f"The total is {', '.join(terms)}, {bounds}.")
    rounding = rubric.rounding
    if rounding is not None:
        how = "half up" if rounding.mode == "half_up" else "half to even"
        places = f"{rounding.decimals} decimal{'s' if rounding.decimals != 1 else ''}"
        sentences.append(f"The total is rounded {how} to {places} before tiers are assigned.")
        if rounding.dimensions is not None:
            sentences.append(
                f"Dimension scores are reported rounded the same way to {rounding.dimensions} "
                f"decimal{'s' if rounding.dimensions != 1 else ''}; tier conditions read the "
                "rounded scores and the total is aggregated from the unrounded ones."
            )
    return " ".join(sentences)


def tier_rule(tier: m.Tier, share_before: float = 0.0, whole: str = "cohort") -> str:
    """What a tier asks for: its bound on the total, any further conditions, then its places in each
    ``whole`` (pool or cohort; ``share_before``: the shares above it in a quantile scheme)."""
    parts = [] if tier.min_score is None else [f"total ≥ {fmt(tier.min_score)}"]
    parts += [] if tier.max_score is None else [f"total ≤ {fmt(tier.max_score)}"]
    parts += map(condition_text, tier.conditions)
    if tier.top is not None:
        parts.append(f"at most the {_by_pool(tier.top, str)} best-ranked of the {whole}")
    if tier.max_share is not None:
        parts.append(f"at most {_by_pool(tier.max_share, _percent)} of the {whole}")
    if tier.share is not None:
        end = min(share_before + tier.share, 1.0)
        parts.append(f"the {whole}'s ranks from {_percent(share_before)} to {_percent(end)}")
    if tier.bottom is not None:
        parts.append(f"at least the {_by_pool(tier.bottom, str)} worst-ranked of the {whole}")
    if tier.min_share is not None:
        parts.append(
            f"at least {_by_pool(tier.min_share, _percent)} of the {whole}, the worst-ranked"
        )
    return "; ".join(parts) or "any total"


def _by_pool(value: float | Mapping[str, float], word: Callable[[Any], str]) -> str:
    """A place count or share, per pool where so given: '5 (national) / 15 (provincial)'."""
    if not isinstance(value, Mapping):
        return word(value)
    named = [f"{word(v)} ({k})" for k, v in value.items() if k != DEFAULT_POOL]
    if DEFAULT_POOL in value:
        named.append(f"{word(value[DEFAULT_POOL])} (other pools)")
    return " / ".join(named)


def _percent(share: float) -> str:
    return f"{fmt(100 * share, 2)} %"


def tier_rules(rubric: m.Rubric) -> list[str]:
    """Every tier's rule, best first (a quantile band knows the shares above it)."""
    whole = "pool" if rubric.pools else "cohort"
    rules, before = [], 0.0
    for tier in rubric.tiers:
        rules.append(tier_rule(tier, before, whole))
        before += tier.share or 0.0
    return rules


TIER_VETO_KINDS = frozenset({"force_tier", "cap_tier", "unrated"})


def tier_change_cause(veto_kinds: Iterable[str]) -> str:
    """What moved an entity out of the tier its score alone reaches: a tier veto, or else the
    places of its pool (a limit dropped it or a minimum pulled it)."""
    return "vetoes" if TIER_VETO_KINDS.intersection(veto_kinds) else "the places of its pool"


def consequence_text(kind: str, text: str, values: str = "") -> str:
    """What the reward/penalty system attaches to a tier, e.g. 'reward: public commendation', with
    its numbers worded by :func:`consequence_values_text` in brackets when it carries any."""
    return f"{kind}: {text or '—'}" + (f" ({values})" if values else "")


def consequence_value_title(spec: m.ConsequenceValue) -> str:
    """A declared consequence value as a heading, e.g. '电价加价 (元/kWh)'."""
    name = spec.label or spec.id
    return f"{name} ({spec.unit})" if spec.unit else name


def consequence_values_text(rubric: m.Rubric, values: Mapping[str, float]) -> str:
    """A tier's numeric consequences in the rubric's declaration order, each with its label and
    unit, e.g. '电价加价 0.1 元/kWh; 用地指标调整 -10 %' (empty when it carries none)."""
    parts = [
        " ".join(p for p in (spec.label or spec.id, fmt(values[spec.id], 6), spec.unit) if p)
        for spec in rubric.consequence_values
        if spec.id in values
    ]
    return "; ".join(parts)


@dataclass(frozen=True)
class RubricRow:
    """One line of the rubric described: a dimension, indicator, derived input, veto or tier.

    Fields that do not apply to a kind of row are None.
    """

    kind: RowKind
    id: str
    label: str
    path: str
    rule: str
    parent: str | None = None
    input: str | None = None
    unit: str | None = None
    method: str | None = None
    weight: float | None = None
    weight_in_total: float | None = None
    required: bool | None = None
    missing: str | None = None
    tier: str | None = None
    min_score: float | None = None
    consequence_kind: str | None = None
    reason: str | None = None
    consequence_values: str | None = None

    @property
    def summary(self) -> str:
        """The row's rule in one self-contained sentence (what the methodology table shows)."""
        if self.kind == "indicator":
            return f"{self.input} ({self.unit or '—'}): {self.rule}"
        if self.kind == "veto":
            return f"{self.rule} — {self.reason}"
        if self.kind == "tier":
            return f"{self.rule} → " + consequence_text(
                self.consequence_kind or "", self.reason or "", self.consequence_values or ""
            )
        return self.rule


def rubric_rows(rubric: m.Rubric) -> list[RubricRow]:
    """The rubric as rows: dimensions (parents first) with their indicators, derived inputs,
    vetoes, tiers from best to worst, then track rules."""
    weights = weights_in_total(rubric)
    rows: list[RubricRow] = []
    for path, dim in rubric.iter_dimensions():
        rows.append(
            RubricRow(
                "dimension",
                dim.id,
                dim.label,
                "/".join(path),
                dimension_rule(dim),
                parent=path[-2] if len(path) > 1 else "",
                method=dim.aggregation,
                weight=dim.weight,
                weight_in_total=weights[dim.id],
            )
        )
        for ind in dim.indicators:
            rows.append(
                RubricRow(
                    "indicator",
                    ind.id,
                    ind.label,
                    "/".join((*path, ind.id)),
                    method_sentence(ind, rubric),
                    parent=dim.id,
                    input=", ".join(ind.inputs) or ind.id,
                    unit=ind.unit,
                    method=ind.method,
                    weight=ind.weight,
                    weight_in_total=weights[ind.id],
                    required=ind.required,
                    missing=missing_policy(ind, rubric),
                )
            )
    for derived in rubric.derived:
        rows.append(
            RubricRow(
                "derived",
                derived.id,
                derived.label,
                derived.id,
                derived_rule(derived),
                unit=derived.unit,
            )
        )
    for veto in rubric.vetoes:
        rows.append(
            RubricRow(
                "veto",
                veto.id,
                veto.label,
                veto.id,
                veto_rule(veto),
                method=veto.kind,
                tier=veto.tier,
                reason=veto.reason,
            )
        )
    for tier, rule in zip(rubric.tiers, tier_rules(rubric), strict=True):
        rows.append(
            RubricRow(
                "tier",
                tier.id,
                tier.label,
                tier.id,
                rule,
                min_score=tier.min_score,
                consequence_kind=tier.consequence.kind,
                reason=tier.consequence.text,
                consequence_values=consequence_values_text(rubric, tier.consequence.values) or None,
            )
        )
    for track_rule in rubric.track.rules if rubric.track is not None else []:
        rows.append(
            RubricRow(
                "track",
                track_rule.id,
                track_rule.label,
                f"track/{track_rule.id}",
                f"{rule_text(track_rule)} → {gives_text(track_rule.gives, rubric)}",
                method="track",
                tier=track_rule.gives.tier,
                reason=track_rule.reason or None,
            )
        )
    return rows
