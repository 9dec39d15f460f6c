"""What the checks know about one rubric: input domains, edge values, scoring and extreme profiles."""

from __future__ import annotations

import ast
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from greenscore.engine.derive import lag_column
from greenscore.engine.places import Pools
from greenscore.engine.plan import Plan, RubricCache, compile_rubric
from greenscore.engine.scores import Scores
from greenscore.methods import Indicator, method_of
from greenscore.rubric import models as m
from greenscore.rubric.formula import parse_formula
from greenscore.rubric.graph import base_inputs, derived_sources
from greenscore.rubric.places import DEFAULT_POOL, PER_POOL, for_pool

Profile = dict[str, Any]
DIRECTIONAL = ("higher", "lower")


def formula_constants(text: str) -> list[float]:
    """The numeric literals in a formula: the thresholds its comparisons turn on."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, int | float)
            and not isinstance(node.value, bool)
            and math.isfinite(node.value)
        ):
            found.append(float(node.value))
    return found


def python_value(value: Any) -> Any:
    """A numpy scalar as the plain Python value a user would write."""
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


@dataclass(frozen=True)
class Domain:
    """The values one input may take, with the edge values where scores change."""

    spec: m.Input
    low: float = 0.0
    high: float = 0.0
    edges: tuple[Any, ...] = ()
    hints: tuple[Any, ...] = ()

    @property
    def name(self) -> str:
        return self.spec.id

    @property
    def discrete(self) -> bool:
        return self.spec.type in ("boolean", "category")

    @property
    def candidates(self) -> tuple[Any, ...]:
        """A small set of telling values: bounds and edges, or every boolean/category value."""
        if self.spec.type == "boolean":
            return (False, True)
        if self.spec.type == "category":
            return tuple(self.spec.categories or ())
        values = {self.cast(self.low), self.cast(self.high), *self.edges, *self.hints}
        return tuple(sorted(values))

    def cast(self, value: float) -> Any:
        """A number as this input's type: int for integer inputs, float otherwise."""
        if self.spec.type == "integer":
            return round(value)
        return float(value)

    def clip(self, value: float) -> Any:
        return self.cast(min(max(value, self.low), self.high))


def _bound_numeric(spec: m.Input, edges: Iterable[float], hints: Iterable[float] = ()) -> Domain:
    """Finite sampling bounds from the declared range, widened past the edges where undeclared.

    Hints are goalposts of derived inputs this one feeds: magnitudes it may need to reach.
    """
    edge_list = [e for e in edges if math.isfinite(e)]
    hint_list = [h for h in hints if math.isfinite(h)]
    anchors = [*edge_list, *hint_list, *(v for v in (spec.min, spec.max) if v is not None)]
    lo_a, hi_a = (min(anchors), max(anchors)) if anchors else (0.0, 100.0)
    width = max(hi_a - lo_a, abs(hi_a), abs(lo_a), 1.0)
    low = spec.min if spec.min is not None else lo_a - width
    high = spec.max if spec.max is not None else hi_a + width
    if spec.type == "integer":
        low, high = float(math.ceil(low)), float(math.floor(high))
        if low > high:
            high = low
    exact: set[Any] = set()
    near: set[Any] = set()
    for edge in edge_list:
        if spec.type == "integer":
            exact.update(int(p) for p in (math.floor(edge), math.ceil(edge)) if low <= p <= high)
            near.update(int(p) for p in (math.floor(edge) - 1, math.ceil(edge) + 1))
        else:
            delta = 1e-6 * max(1.0, abs(edge))
            exact.add(float(edge))
            near.update(float(p) for p in (edge - delta, edge + delta))
    near = {p for p in near - exact if low <= p <= high}
    exact = {p for p in exact if low <= p <= high}
    cast = int if spec.type == "integer" else float
    hinted = {cast(round(h)) if cast is int else h for h in hint_list if low <= h <= high}
    return Domain(
        spec, float(low), float(high), (*sorted(exact), *sorted(near)), tuple(sorted(hinted))
    )


@dataclass
class RubricContext:
    """A loaded rubric with its compiled plan and everything the checks derive from it once."""

    rubric: m.Rubric
    plan: Plan = field(init=False)

    def __post_init__(self) -> None:
        self.plan = compile_rubric(self.rubric)

    @property
    def span(self) -> float:
        return self.rubric.scale.span

    @property
    def tolerance(self) -> float:
        return 1e-9 * max(1.0, self.span)

    @cached_property
    def derived_sources(self) -> dict[str, frozenset[str]]:
        """The names each derived input reads: its formula's, or its history statistic's input."""
        return derived_sources(self.rubric)

    def base_inputs(self, names: Iterable[str]) -> set[str]:
        """Declared inputs behind these names, following derived inputs."""
        return base_inputs(names, self.derived_sources) & set(self.plan.inputs)

    @cached_property
    def veto_inputs(self) -> list[set[str]]:
        """Declared inputs each veto reads, in veto order."""
        out = []
        for veto in self.rubric.vetoes:
            names: set[str] = set()
            for text in (veto.when, veto.points if isinstance(veto.points, str) else None):
                if text is not None:
                    names |= parse_formula(text).names
            out.append(self.base_inputs(names))
        return out

    @cached_property
    def formula_inputs(self) -> set[str]:
        """Declared inputs any derived or veto formula reads."""
        found: set[str] = set()
        for sources in self.derived_sources.values():
            found |= self.base_inputs(sources)
        for names in self.veto_inputs:
            found |= names
        return found

    @cached_property
    def readers(self) -> dict[str, list[Indicator]]:
        """Indicators reading each declared input directly, by input id."""
        out: dict[str, list[Indicator]] = {name: [] for name in self.plan.inputs}
        for step in self.plan.indicators:
            for name in step.spec.inputs:
                if name in out:
                    out[name].append(step.spec)
        return out

    @cached_property
    def domains(self) -> dict[str, Domain]:
        edges: dict[str, list[float]] = {name: [] for name in self.plan.inputs}

        hints: dict[str, list[float]] = {name: [] for name in self.plan.inputs}

        def add(name: str, values: Iterable[float]) -> None:
            if name in edges:
                edges[name].extend(values)
            else:
                for base in self.base_inputs([name]):
                    hints[base].extend(values)

        for step in self.plan.indicators:
            spec = step.spec
            for name in spec.inputs:
                add(name, method_of(spec).edges(spec))
        for veto in self.rubric.vetoes:
            if veto.when is not None:
                for name in parse_formula(veto.when).names:
                    add(name, formula_constants(veto.when))
        out = {}
        for declared in self.rubric.inputs:
            if declared.type in ("number", "integer"):
                out[declared.id] = _bound_numeric(declared, edges[declared.id], hints[declared.id])
            else:
                out[declared.id] = Domain(declared)
        return out

    @cached_property
    def lag_domains(self) -> dict[str, Domain]:
        """Earlier periods' values a history statistic reads (``income@-1``), each drawn from its
        input's domain: a profile may carry them, so that progress gates can be met."""
        return {
            lag_column(name, k): self.domains[name]
            for name, periods in self.plan.history_inputs.items()
            for k in range(1, periods)
        }

    def encode(self, profiles: Sequence[Mapping[str, Any]]) -> dict[str, np.ndarray]:
        """Float columns for valid profiles: booleans 0/1, categories as codes, missing as NaN;
        earlier periods' values where a profile carries them."""
        columns = {
            key: np.array([_number(p.get(key)) for p in profiles], dtype=float)
            for key in self.lag_domains
            if any(p.get(key) is not None for p in profiles)
        }
        for name, spec in self.plan.inputs.items():
            codes = self.plan.categories.get(name, {})
            column = np.empty(len(profiles))
            for i, profile in enumerate(profiles):
                value = profile.get(name)
                if value is None:
                    column[i] = math.nan
                elif spec.type == "category":
                    column[i] = codes[value]
                else:
                    column[i] = float(value)
            columns[name] = column
        return columns

    @cached_property
    def has_formulas(self) -> bool:
        """Whether any derived input is a formula, whose arithmetic a profile can make fail."""
        return any(d.formula is not None for d in self.rubric.derived)

    def derives(self, profile: Mapping[str, Any]) -> bool:
        """Whether no derived input of this valid profile overflows or divides by zero: a profile
        that does is refused by the engine, as a bad cell would be."""
        return not self.plan.derive(self.encode([profile]), 1)[1]

    def score(self, profiles: Sequence[Mapping[str, Any]], plan: Plan | None = None) -> Scores:
        """Score valid profiles as one batch through the compiled plan."""
        n = len(profiles)
        return (plan or self.plan).score(self.encode(profiles), n, pools=Pools.single(n, self.pool))

    @cached_property
    def pool(self) -> str:
        """The pool the properties score in: the first one that per-pool places name (their
        counts are the ones tested), else the one pool of every batch."""
        for tier in self.rubric.tiers:
            for key in PER_POOL:
                value = getattr(tier, key)
                if isinstance(value, Mapping):
                    return next((k for k in value if k != DEFAULT_POOL), DEFAULT_POOL)
        return ""

    @cached_property
    def quota_padding(self) -> int:
        """Rows a lone profile needs around it for uncalibrated places to admit it: enough that
        every share gives at least one place, and that poor rows fill every minimum."""
        if not self.plan.needs_cohort:
            return 0
        needs = [0.0]
        for tier in self.rubric.tiers:
            bottom, min_share = (
                for_pool(tier.bottom, self.pool),
                for_pool(tier.min_share, self.pool),
            )
            for share in (for_pool(tier.max_share, self.pool), tier.share):
                if share is not None:
                    needs.append(math.ceil(1.0 / share - 1e-9) - 1)
            if bottom is not None:
                needs.append(bottom)
            if min_share is not None and min_share < 1:
                needs.append(math.ceil(min_share / (1 - min_share) + 1e-9))
        return int(min(max(needs), 1000))

    @cached_property
    def place_rows(self) -> int:
        """How many rows fill every place limit of the tiers (at least one)."""
        rows = [1]
        for tier in self.rubric.tiers:
            top = for_pool(tier.top, self.pool)
            if top is not None:
                rows.append(top)
            for share in (for_pool(tier.max_share, self.pool), tier.share):
                if share is not None:
                    rows.append(math.ceil(1.0 / share - 1e-9))
        return min(max(rows), 1000)

    @cached_property
    def filler(self) -> Profile:
        """A poor profile to pad batches with, so that quotas have a cohort to count against
        (high category points where a lower total is better)."""
        return self._start(self.plan.sign < 0)

    def score_padded(self, profiles: Sequence[Mapping[str, Any]]) -> Scores:
        """Score profiles (rows 0..n-1) as if each were among enough poor parks for tier quotas."""
        pad = self.quota_padding * len(profiles)
        return self.score([*profiles, *([self.filler] * pad)]) if pad else self.score(profiles)

    def score_alone(self, profile: Mapping[str, Any]) -> Scores:
        return self.score_padded([profile])

    @staticmethod
    def broken(scores: Scores, row: int) -> bool:
        """Whether scoring this row failed (a missing value under policy 'error', or nothing left
        on a ranked row), as evaluate() and assess() refuse it."""
        return bool(scores.error_rows[row]) or bool(
            np.isnan(scores.raw_total[row]) and scores.ranked[row]
        )

    @classmethod
    def failed(cls, scores: Scores, row: int) -> bool:
        """Whether this row has no total to compare: scoring failed, or an unrated veto placed
        it outside the ranking."""
        return cls.broken(scores, row) or not bool(scores.ranked[row])

    def tier_id(self, index: int) -> str:
        return self.rubric.tiers[int(index)].id

    def _start(self, best: bool) -> Profile:
        profile: Profile = {}
        for name, domain in self.domains.items():
            if domain.spec.type == "boolean":
                profile[name] = best
            elif domain.spec.type == "category":
                cats = list(domain.spec.categories or [])
                totals = {c: 0.0 for c in cats}
                for spec in self.readers[name]:
                    points = method_of(spec).category_points(spec)
                    for c in cats:
                        totals[c] += points.get(c, 0.0)
                profile[name] = (max if best else min)(cats, key=lambda c: totals[c])
            else:
                profile[name] = domain.cast((domain.low + domain.high) / 2)
        return profile

    def extreme(self, best: bool, rounds: int = 4) -> Profile:
        """The best (or worst) profile by tier, then total read the rubric's way round: a
        coordinate search over telling values."""
        current = self._start(best)
        sign = 1.0 if best else -1.0
        merit = self.plan.sign

        def keys(scores: Scores, n: int) -> list[tuple[float, float]]:
            out = []
            for i in range(n):
                if self.failed(scores, i):
                    out.append((-math.inf, -math.inf))
                else:
                    total = merit * float(scores.total[i])
                    out.append((-sign * float(scores.tier[i]), sign * total))
            return out

        current_key = keys(self.score_padded([current]), 1)[0]
        for _ in range(rounds):
            changed = False
            for moves in self._moves(current):
                found = keys(self.score_padded([{**current, **m} for m in moves]), len(moves))
                for move, key in zip(moves, found, strict=True):
                    if key > current_key:
                        current, current_key, changed = {**current, **move}, key, True
            if not changed:
                break
        return current

    def _moves(self, current: Profile) -> Iterable[list[Profile]]:
        """The coordinate search's moves from a profile: each input (or earlier value) set to each
        telling value, then each history input's earlier values set at once to a steady rise or
        fall into its current value, as a progress gate over several periods needs."""
        for name, domain in {**self.domains, **self.lag_domains}.items():
            options: list[Any] = list(domain.candidates)
            if not domain.spec.required or name in self.lag_domains:
                options.append(None)
            yield [{name: value} for value in options]
        for name, periods in self.plan.history_inputs.items():
            domain, now = self.domains[name], current.get(name)
            if now is None:
                continue
            step = (domain.high - domain.low) / (2 * periods)
            yield [
                {
                    lag_column(name, k): domain.clip(float(now) + sign * k * step)
                    for k in range(1, periods)
                }
                for sign in (1.0, -1.0)
            ]

    @cached_property
    def best_profile(self) -> Profile:
        return self.extreme(True)

    @cached_property
    def worst_profile(self) -> Profile:
        return self.extreme(False)

    def interpolate(self, fraction: float) -> Profile:
        """A profile `fraction` of the way from the worst to the best profile, input by input."""
        worst, best = self.worst_profile, self.best_profile
        domains = {**self.domains, **self.lag_domains}
        names = list(domains)
        profile: Profile = {}
        for i, name in enumerate(names):
            domain = domains[name]
            lo, hi = worst.get(name), best.get(name)
            if not domain.discrete and lo is not None and hi is not None:
                profile[name] = domain.clip(lo + fraction * (hi - lo))
            else:
                threshold = (i + 0.5) / len(names)
                profile[name] = hi if fraction >= threshold else lo
        return profile


def _number(value: Any) -> float:
    return math.nan if value is None else float(value)


_CONTEXTS = RubricCache(RubricContext)


def context_for(rubric: m.Rubric) -> RubricContext:
    """The context of a loaded rubric, built once per rubric object."""
    return _CONTEXTS(rubric)
