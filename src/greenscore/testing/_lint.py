"""Static lint: rubric mistakes visible without scoring a single profile, each with file:line:col."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, assert_never

import numpy as np

from greenscore.engine.compile import method_context
from greenscore.engine.decide import round_half_up
from greenscore.errors import Location
from greenscore.methods import Indicator, method_of
from greenscore.methods.base import InputRange, fmt
from greenscore.rubric import models as m
from greenscore.rubric.formula import parse_formula
from greenscore.rubric.graph import derived_sources
from greenscore.rubric.load import RubricLike, load_rubric
from greenscore.rubric.yaml_values import format_path
from greenscore.testing._context import Domain, context_for, formula_constants

PathKey = tuple[str | int, ...]

LINT_CODES: dict[str, str] = {
    "unused-input": "an input or derived input that nothing reads",
    "zero-weight": "an indicator or dimension whose weight is zero, so it never counts",
    "unreachable-tier": "a tier no total can reach, or whose conditions can never hold",
    "tier-range": "tier ranges that shadow each other or hold no rounded total",
    "goalpost-range": "goalposts, targets or bands outside the input's declared range",
    "against-direction": "goalposts or band points that reward the opposite of the direction",
    "points-outside-scale": "a given indicator's input declared with values outside the scale",
    "duplicate-label": "two inputs, indicators, dimensions, tiers or vetoes with the same label",
    "toothless-veto": "a cap_tier veto that caps at the best tier and so never changes a result",
    "clamp-ties": "totals held at the scale maximum tie there, and a quota drops every tied park",
    "derived-fault": "a derived input that divides by zero or overflows for values the declared "
    "input ranges allow, so parks reporting them are refused",
}
_WARNINGS = {"unused-input", "zero-weight", "duplicate-label", "goalpost-range", "clamp-ties"}
_NOTES = {"derived-fault"}
_MAX_TRIALS = 65536


@dataclass(frozen=True)
class Finding:
    """One lint finding: a code, what is wrong, and where (rubric path and file:line:col)."""

    code: str
    message: str
    path: str
    location: Location | None = None

    @property
    def severity(self) -> str:
        """'error' or 'warning' (both fail a check unless allowed), or 'note' (never fails it)."""
        if self.code in _NOTES:
            return "note"
        return "warning" if self.code in _WARNINGS else "error"

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{where}{self.path}: [{self.code}] {self.message}"

    def to_dict(self) -> dict[str, Any]:
        loc = self.location
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "path": self.path,
            "file": loc.file if loc else None,
            "line": loc.line if loc else None,
            "column": loc.column if loc else None,
        }


class _Linter:
    def __init__(self, rubric: m.Rubric) -> None:
        self.rubric = rubric
        self.scale = rubric.scale
        self.context = method_context(rubric)
        self.inputs = {spec.id: spec for spec in rubric.inputs}
        self.findings: list[Finding] = []
        self.dims = rubric.located_dimensions()
        self.indicators = [
            ((*path, "indicators", j), ind)
            for path, dim in self.dims
            for j, ind in enumerate(dim.indicators)
        ]

    def add(self, code: str, path: PathKey, message: str) -> None:
        self.findings.append(Finding(code, message, format_path(path), self.rubric.locate(path)))

    def declared_range(self, ind: Indicator) -> InputRange:
        """The declared range of the indicator's one numeric input; None for any other."""
        spec = self.inputs.get(ind.inputs[0]) if len(ind.inputs) == 1 else None
        if spec is None or spec.type not in ("number", "integer"):
            return None
        low = -math.inf if spec.min is None else spec.min
        high = math.inf if spec.max is None else spec.max
        return low, high

    def unused(self) -> None:
        read: set[str] = set()
        for _, ind in self.indicators:
            read |= set(ind.inputs)
        for veto in self.rubric.vetoes:
            for text in (veto.when, veto.points if isinstance(veto.points, str) else None):
                if text is not None:
                    read |= parse_formula(text).names
        derived_reads = derived_sources(self.rubric)
        used_derived: set[str] = set()
        stack = [d for d in derived_reads if d in read]
        while stack:
            name = stack.pop()
            if name in used_derived:
                continue
            used_derived.add(name)
            read |= derived_reads[name]
            stack += [d for d in derived_reads[name] if d in derived_reads]
        for i, d in enumerate(self.rubric.derived):
            if d.id not in used_derived:
                self.add("unused-input", ("derived", i, "id"), f"derived input {d.id!r} is unused")
        for i, spec in enumerate(self.rubric.inputs):
            if spec.id not in read:
                self.add(
                    "unused-input",
                    ("inputs", i, "id"),
                    f"input {spec.id!r} is read by no indicator, derived input or veto",
                )

    def zero_weights(self) -> None:
        def visit(dims: Sequence[m.Dimension], prefix: PathKey) -> None:
            for i, dim in enumerate(dims):
                path = (*prefix, i)
                if dim.weight == 0:
                    self.add(
                        "zero-weight",
                        (*path, "weight"),
                        f"dimension {dim.id!r} has weight 0: nothing in it ever counts",
                    )
                    continue
                for j, ind in enumerate(dim.indicators):
                    if ind.weight == 0:
                        self.add(
                            "zero-weight",
                            (*path, "indicators", j, "weight"),
                            f"indicator {ind.id!r} has weight 0 and never counts",
                        )
                visit(dim.dimensions, (*path, "dimensions"))

        visit(self.rubric.dimensions, ("dimensions",))

    def indicator_max(self, ind: Indicator) -> float:
        """An upper bound on the indicator's score on the rubric scale."""
        low, high = ind.onto if ind.onto is not None else (self.scale.min, self.scale.max)
        u = method_of(ind).reach(ind, self.declared_range(ind), self.context)
        return low + (high - low) * u

    def droppable(self, ind: Indicator) -> bool:
        """Whether the indicator can drop out: optional (or policy 'drop') with a value that can
        be missing (an optional input, or a derived input that can come out invalid)."""
        policy = ind.missing or self.rubric.missing
        if ind.required and policy != "drop":
            return False
        return any(name not in self.inputs or not self.inputs[name].required for name in ind.inputs)

    def dimension_max(self, dim: m.Dimension) -> tuple[float, bool]:
        """An upper bound on the dimension's score, and whether it can drop out entirely."""
        parts = [(*self.dimension_max(d), d.weight) for d in dim.dimensions] + [
            (self.indicator_max(i), self.droppable(i), i.weight) for i in dim.indicators
        ]
        return self.combine(parts, dim.aggregation)

    def combine(self, parts: list[tuple[float, bool, float]], how: str) -> tuple[float, bool]:
        """Bound an aggregate of children (max, droppable, weight), dropping any that could be.

        A geometric mean never exceeds the arithmetic one, so both share the arithmetic bound.
        """
        live = [(x, drop, w) for x, drop, w in parts if w > 0]
        if not live:
            return self.scale.min, True
        can_drop = all(drop for _, drop, _ in live)
        fixed = [(x, w) for x, drop, w in live if not drop]
        optional = sorted(((x, w) for x, drop, w in live if drop), reverse=True)
        if how == "minimum":
            return (min(x for x, _ in fixed) if fixed else optional[0][0]), can_drop
        chosen = fixed or [optional.pop(0)]

        def mean(items: list[tuple[float, float]]) -> float:
            return sum(x * w for x, w in items) / sum(w for _, w in items)

        for x, w in optional:
            if x <= mean(chosen):
                break
            chosen.append((x, w))
        return mean(chosen), can_drop

    def bonus_max(self) -> float:
        """An upper bound on the bonus points one park can get (infinite for an uncapped formula)."""
        items = [
            v.cap
            if v.cap is not None
            else v.points
            if isinstance(v.points, int | float)
            else math.inf
            for v in self.rubric.vetoes
            if v.kind == "bonus"
        ]
        cap = self.rubric.total.bonus_cap
        return min(sum(items), math.inf if cap is None else cap)

    def weighted_max(self) -> float:
        """An upper bound on the weighted score, before bonuses and the ceiling."""
        parts = [(*self.dimension_max(d), d.weight) for d in self.rubric.dimensions]
        return self.combine(parts, self.rubric.aggregation)[0]

    def total_max(self) -> float:
        best = self.weighted_max() + self.bonus_max()
        if self.rubric.total.ceiling:
            best = min(best, self.scale.max)
        if self.rubric.rounding is not None and math.isfinite(best):
            shifted = np.array([best - self.scale.min])
            best = float(round_half_up(shifted, self.rubric.rounding.decimals)[0]) + self.scale.min
        return best

    def tiers(self) -> None:
        rubric, scale = self.rubric, self.scale
        tiers = rubric.tiers
        targeted = {v.tier for v in rubric.vetoes if v.kind in ("force_tier", "cap_tier")}
        forced = {v.tier for v in rubric.vetoes if v.kind == "force_tier"}
        deducts = any(v.kind == "deduct" for v in rubric.vetoes)
        ceiling = self.total_max()
        dim_max = {dim.id: self.dimension_max(dim)[0] for _, dim in self.dims}
        ind_max = {ind.id: self.indicator_max(ind) for _, ind in self.indicators}
        top_ids = {d.id for d in rubric.dimensions}
        for i, tier in enumerate(tiers):
            path: PathKey = ("tiers", i)
            if tier.min_score is not None and tier.min_score > ceiling and tier.id not in forced:
                self.add(
                    "unreachable-tier",
                    (*path, "min_score"),
                    f"tier {tier.id!r} needs at least {fmt(tier.min_score)} but the highest total "
                    f"the rubric can give is {fmt(ceiling)}",
                )
            if (
                i < len(tiers) - 1
                and tier.min_score is not None
                and tier.min_score <= scale.min
                and not tier.limited
                and not any(lower.guaranteed or lower.id in targeted for lower in tiers[i + 1 :])
            ):
                self.add(
                    "tier-range",
                    (*path, "min_score"),
                    f"tier {tier.id!r} accepts every total, so the tiers below it are never given",
                )
            for c, cond in enumerate(tier.conditions):
                cpath = (*path, "conditions", c, "score")
                match cond:
                    case m.DimensionMin():
                        ids = cond.dimensions or [d.id for d in rubric.dimensions]
                        for dim_id in ids:
                            if cond.score > dim_max[dim_id] and tier.id not in targeted:
                                self.add(
                                    "unreachable-tier",
                                    cpath,
                                    f"tier {tier.id!r} requires dimension {dim_id!r} to score at "
                                    f"least {fmt(cond.score)}, but it can score at most "
                                    f"{fmt(dim_max[dim_id])}",
                                )
                        if set(ids) >= top_ids and not deducts and tier.id not in targeted:
                            self.implied_higher(i, cond.score, cpath)
                    case m.NoVeto():
                        for v in rubric.vetoes:
                            if (
                                (cond.vetoes is None or v.id in cond.vetoes)
                                and (cond.kinds is None or v.kind in cond.kinds)
                                and _always_applies(v)
                                and tier.id not in targeted
                            ):
                                self.add(
                                    "unreachable-tier",
                                    (*path, "conditions", c),
                                    f"tier {tier.id!r} requires that veto {v.id!r} does not "
                                    "apply, but it applies to every park (no 'when', fixed points)",
                                )
                    case m.IndicatorMin():
                        if cond.score > ind_max[cond.indicator] and tier.id not in targeted:
                            self.add(
                                "unreachable-tier",
                                cpath,
                                f"tier {tier.id!r} requires indicator {cond.indicator!r} to score "
                                f"at least {fmt(cond.score)}, but it can score at most "
                                f"{fmt(ind_max[cond.indicator])}",
                            )
                    case _:
                        assert_never(cond)
        if rubric.rounding is not None:
            step = 10.0**-rubric.rounding.decimals
            upper = scale.max + step / 2 if rubric.total.ceiling else math.inf
            for i, tier in enumerate(tiers):
                if tier.min_score is None:
                    continue
                first = scale.min + math.ceil(round((tier.min_score - scale.min) / step, 9)) * step
                if first >= upper - 1e-12:
                    self.add(
                        "tier-range",
                        ("tiers", i, "min_score"),
                        f"totals are rounded to {rubric.rounding.decimals} decimals, and no "
                        f"rounded total falls in tier {tier.id!r}'s range "
                        f"{fmt(tier.min_score)}–{fmt(upper)}",
                    )
                upper = tier.min_score

    def implied_higher(self, i: int, score: float, path: PathKey) -> None:
        """A condition that every top-level dimension scores `score` puts the total that high."""
        tiers = self.rubric.tiers
        slack = 0.5 * 10.0**-self.rubric.rounding.decimals if self.rubric.rounding else 0.0
        for j in range(i):
            floor = tiers[j].min_score
            if (
                not tiers[j].conditions
                and not tiers[j].limited
                and floor is not None
                and floor <= score - slack
            ):
                self.add(
                    "unreachable-tier",
                    path,
                    f"tier {tiers[i].id!r} requires every top-level dimension to score at least "
                    f"{fmt(score)}, which already gives a total in tier {tiers[j].id!r} "
                    f"(at least {fmt(floor)}): {tiers[i].id!r} is never given",
                )
                return

    def ranges_and_directions(self) -> None:
        for path, ind in self.indicators:
            for code, where, message in method_of(ind).lint(
                ind, self.declared_range(ind), self.context
            ):
                self.add(code, (*path, *where), message)

    def labels(self) -> None:
        rubric = self.rubric
        groups: list[list[tuple[PathKey, str]]] = [
            [(_key("inputs", i, "label"), s.label) for i, s in enumerate(rubric.inputs)]
            + [(_key("derived", i, "label"), d.label) for i, d in enumerate(rubric.derived)],
            [((*p, "label"), ind.label) for p, ind in self.indicators],
            [((*p, "label"), dim.label) for p, dim in self.dims],
            [(_key("tiers", i, "label"), t.label) for i, t in enumerate(rubric.tiers)],
            [(_key("vetoes", i, "label"), v.label) for i, v in enumerate(rubric.vetoes)],
        ]
        for group in groups:
            first: dict[str, PathKey] = {}
            for path, label in group:
                key = label.strip().casefold()
                if not key:
                    continue
                if key in first:
                    self.add(
                        "duplicate-label",
                        path,
                        f"label {label!r} is also used at {format_path(first[key])}",
                    )
                else:
                    first[key] = path

    def clamp_ties(self) -> None:
        """Totals that would pass the scale maximum are held at it and tie there; a quota tier
        then drops every tied park at its cut-off (ties go against the quota)."""
        rubric, high = self.rubric, self.scale.max
        if not rubric.total.ceiling:
            return
        why = []
        if self.weighted_max() > high:
            over = [ind.id for _, ind in self.indicators if self.indicator_max(ind) > high]
            why.append(f"indicators {', '.join(over)} can score past it")
        bonuses = [v.id for v in rubric.vetoes if v.kind == "bonus"]
        if bonuses:
            why.append(f"bonus items {', '.join(bonuses)} add points")
        if not why:
            return
        quotas = [i for i, tier in enumerate(rubric.tiers) if tier.max_share is not None]
        if quotas:
            names = ", ".join(repr(rubric.tiers[i].id) for i in quotas)
            self.add(
                "clamp-ties",
                ("tiers", quotas[0], "max_share"),
                f"totals above the scale maximum {fmt(high)} are held at it ({'; '.join(why)}), "
                f"so parks can tie at {fmt(high)}, and a quota (tiers {names}) drops every park "
                "tied at its cut-off; declare `total: {ceiling: false}` to keep their totals apart",
            )

    def vetoes(self) -> None:
        best = self.rubric.tiers[0].id
        for i, veto in enumerate(self.rubric.vetoes):
            if veto.kind == "cap_tier" and veto.tier == best:
                self.add(
                    "toothless-veto",
                    ("vetoes", i, "tier"),
                    f"veto {veto.id!r} caps at the best tier {best!r}, so it never changes a result",
                )

    def derived_faults(self) -> None:
        """Derived formulas that overflow or divide by zero for some combination of their
        inputs' declared bounds, zero and the formulas' own constants, where those are allowed."""
        ctx = context_for(self.rubric)
        sources = derived_sources(self.rubric)
        for i, d in enumerate(self.rubric.derived):
            if d.formula is None:
                continue
            chain, stack = set(), [d.id]
            while stack:
                name = stack.pop()
                if name in sources and name not in chain:
                    chain.add(name)
                    stack += sources[name]
            constants = [
                c
                for other in self.rubric.derived
                if other.id in chain and other.formula is not None
                for c in formula_constants(other.formula)
            ]
            names = sorted(ctx.base_inputs([d.id]))
            options = [_trials(ctx.domains[name], constants) for name in names]
            count = math.prod(len(o) for o in options)
            if not names or count > _MAX_TRIALS:
                continue
            grid = np.array(list(itertools.product(*options)), dtype=float)
            columns = {name: grid[:, k] for k, name in enumerate(names)}
            values, faults = ctx.plan.derive(columns, count)
            if d.id not in faults:
                continue
            row = int(np.flatnonzero(faults[d.id])[0])
            self.add(
                "derived-fault",
                ("derived", i, "formula"),
                f"derived input {d.id!r} {ctx.plan.fault_text(d.id, values, row)}; the declared "
                "input ranges allow these values, so a park reporting them is refused: declare "
                "ranges that exclude them, or guard the formula (x / y if y > 0 else 0)",
            )


def _trials(domain: Domain, constants: Sequence[float]) -> list[float]:
    """Values of one input to try a formula at: its bounds, zero and the formula's constants
    where its declared range allows them, zero last so that a telling fault is found first."""
    spec = domain.spec
    if spec.type == "boolean":
        return [1.0, 0.0]
    if spec.type == "category":
        return [float(k) for k in range(len(spec.categories or []))]
    low = -math.inf if spec.min is None else spec.min
    high = math.inf if spec.max is None else spec.max
    found = {domain.low, domain.high, 0.0, *constants}
    if spec.type == "integer":
        found = {float(round(v)) for v in found}
    return sorted((v for v in found if low <= v <= high), key=lambda v: (v == 0, v))


def _key(*parts: str | int) -> PathKey:
    return parts


def _always_applies(veto: m.Veto) -> bool:
    return veto.when is None and isinstance(veto.points, int | float) and veto.points > 0


def lint(rubric: RubricLike = None) -> list[Finding]:
    """Static findings for a rubric (path, YAML text or loaded); an empty list is clean."""
    linter = _Linter(load_rubric(rubric))
    linter.unused()
    linter.derived_faults()
    linter.zero_weights()
    linter.tiers()
    linter.ranges_and_directions()
    linter.labels()
    linter.clamp_ties()
    linter.vetoes()
    return linter.findings
