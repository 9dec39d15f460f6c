"""The compiled plan: a rubric turned into numpy steps, the one scoring path for one park or a million.

score() runs the stages, each a module of its own: compile (rubric -> steps and index arrays),
derive (derived inputs), normalise (through the method registry), aggregate, decide.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any, Generic, TypeVar

import numpy as np

from greenscore.engine.aggregate import (
    Segments,
    aggregate,
    attribute,
    compile_levels,
    segments,
)
from greenscore.engine.compile import (
    build_steps,
    method_context,
    node_children,
)
from greenscore.engine.decide import bound_total, decide
from greenscore.engine.derive import derive_values, fault_text, faulty_rows, order_derived
from greenscore.engine.describe import method_sentence
from greenscore.engine.inputs import InputValidator
from greenscore.engine.kernel import run_kernel
from greenscore.engine.normalise import (
    FAULT,
    MISSING_ERROR,
    Normaliser,
    Rows,
    cohort_statistics,
    compile_normaliser,
)
from greenscore.engine.places import QUOTA_KEY, Pools, cutoffs, unnamed_pools, unrated
from greenscore.engine.scores import Scores
from greenscore.methods import is_cohort
from greenscore.rubric import models as m
from greenscore.rubric.formula import Formula, parse_formula
from greenscore.rubric.graph import base_inputs, derived_sources
from greenscore.rubric.load import rubric_sha256

__all__ = ["Plan", "RubricCache", "compile_rubric"]

T = TypeVar("T")


class Plan:
    """A rubric compiled once into arrays and formulas; score() serves evaluate() and batches alike."""

    def __init__(self, rubric: m.Rubric) -> None:
        self.rubric = rubric
        scale = rubric.scale
        self.scale_min, self.scale_max = scale.min, scale.max
        self.total_low = scale.min if rubric.total.floor else -np.inf
        self.total_high = scale.max if rubric.total.ceiling else np.inf
        self.inputs: dict[str, m.Input] = {spec.id: spec for spec in rubric.inputs}
        self.categories = {
            spec.id: {c: float(i) for i, c in enumerate(spec.categories or [])}
            for spec in rubric.inputs
            if spec.type == "category"
        }
        self.derived = order_derived(rubric)
        self.context = method_context(rubric)
        self.indicators, self.dimensions = build_steps(rubric, self.context)
        self.top = tuple(i for i, d in enumerate(self.dimensions) if d.parent is None)
        weights = np.array([self.dimensions[i].spec.weight for i in self.top], dtype=float)
        self.top_weights = weights / weights.sum()
        self.tier_ids = [t.id for t in rubric.tiers]
        self.tier_index = {t.id: i for i, t in enumerate(rubric.tiers)}
        self.sign = rubric.total.sign
        self.tier_min = np.array([t.floor for t in rubric.tiers], dtype=float)
        outside = {v.tier for v in rubric.vetoes if v.kind == "unrated"}
        self.outside_tiers = [i for i, t in enumerate(rubric.tiers) if t.id in outside]
        self.fallback = max(i for i in range(len(rubric.tiers)) if i not in self.outside_tiers)
        self.unrated_vetoes = [i for i, v in enumerate(rubric.vetoes) if v.kind == "unrated"]
        self.pooled = bool(rubric.pools)
        self.veto_conditions = [
            parse_formula(v.when) if v.when is not None else None for v in rubric.vetoes
        ]
        self.veto_points = [
            parse_formula(v.points) if isinstance(v.points, str) else v.points
            for v in rubric.vetoes
        ]
        self.dimension_index = {d.spec.id: i for i, d in enumerate(self.dimensions)}
        self.indicator_index = {s.id: i for i, s in enumerate(self.indicators)}
        self.veto_index = {v.id: i for i, v in enumerate(rubric.vetoes)}
        kinds = [v.kind for v in rubric.vetoes]
        self.deduct_items = np.array([k == "deduct" for k in kinds], dtype=bool)
        self.bonus_items = np.array([k == "bonus" for k in kinds], dtype=bool)
        self.place_tiers = [i for i, t in enumerate(rubric.tiers) if t.limited or t.guaranteed]
        frozen = {} if self.pooled else rubric.cohort or {}
        calibrated = self.pooled and rubric.cohort is not None
        self.cohort_items = [
            repr(s.id)
            for s in self.indicators
            if is_cohort(s.spec) and s.id not in frozen and not calibrated
        ]
        if self.place_tiers and QUOTA_KEY not in frozen and not calibrated:
            self.cohort_items += [f"tier {self.tier_ids[t]!r} (a quota)" for t in self.place_tiers]
        self.needs_cohort = bool(self.cohort_items)
        self.counted_steps = [
            s
            for s in self.indicators
            if is_cohort(s.spec) and s.id not in frozen and not calibrated
        ]
        self.relative = bool(self.place_tiers) or any(is_cohort(s.spec) for s in self.indicators)
        self.history_inputs = history_inputs(rubric)
        self.indicator_parent = np.array(
            [self.dimension_index[step.dimension] for step in self.indicators], dtype=np.intp
        )
        self.low = np.array([step.low for step in self.indicators])
        self.high = np.array([step.high for step in self.indicators])

    @cached_property
    def method_texts(self) -> dict[str, str]:
        """Each indicator's method in words, by id, worded once per plan."""
        return {s.id: method_sentence(s.spec, self.rubric) for s in self.indicators}

    def bound_total(self, x: np.ndarray) -> np.ndarray:
        """Totals held within the rubric's floor and ceiling."""
        return bound_total(self, x)

    @cached_property
    def validator(self) -> InputValidator:
        """The input validator for this rubric."""
        return InputValidator(self.rubric)

    @cached_property
    def sha256(self) -> str:
        """sha256 of the rubric's canonical form."""
        return rubric_sha256(self.rubric)

    @cached_property
    def normaliser(self) -> Normaliser:
        """The indicators packed into one group per method."""
        return compile_normaliser(self.indicators, self.context)

    @cached_property
    def levels(self) -> list[list[Segments]]:
        """Dimensions by depth, deepest first, each level split by aggregation kind."""
        return compile_levels(self.dimensions, node_children(self.dimensions))

    @cached_property
    def root(self) -> Segments:
        """The top-level dimensions as the children of the total."""
        top = np.array(self.top, dtype=np.intp)
        return segments(self.rubric.aggregation, [-1], [top], [self.top_weights])

    def cohort_statistics(
        self, values: Mapping[str, np.ndarray], rows: np.ndarray | None = None
    ) -> dict[str, dict[str, Any]]:
        """The statistics cohort methods need, taken from these rows (default: all; ignoring
        missing values); never warns, as score() does not."""
        if rows is not None:
            values = Rows(values, rows)
        with np.errstate(all="ignore"):
            return cohort_statistics(self.indicators, values)

    def frozen_cohort(self, pool: str) -> Mapping[str, Any] | None:
        """The calibrated cohort statistics and place cut-offs of one pool (None: not frozen)."""
        cohort = self.rubric.cohort
        if cohort is None:
            return None
        if not self.pooled:
            return cohort
        return cohort.get(pool)

    def frozen_places(self, pool: str) -> Mapping[str, Any] | None:
        """A pool's frozen place cut-offs, or None when places are counted in the batch."""
        frozen = self.frozen_cohort(pool)
        return frozen if frozen is not None and QUOTA_KEY in frozen else None

    def pool_cohorts(
        self, values: Mapping[str, np.ndarray], pools: Pools, ranked: np.ndarray
    ) -> tuple[list[Mapping[str, Any]], dict[int, str]]:
        """Each pool's cohort statistics (frozen, else taken from its ranked rows), and the
        pools a calibrated rubric has no statistics for, with why."""
        cohorts: list[Mapping[str, Any]] = []
        faults: dict[int, str] = {}
        for p, label in enumerate(pools.labels):
            frozen = self.frozen_cohort(label)
            if frozen is None and self.pooled and self.rubric.cohort is not None:
                if self.relative:
                    known = ", ".join(repr(k) for k in self.rubric.cohort) or "none"
                    faults[p] = (
                        f"pool {label!r} is not among the pools the rubric was calibrated on "
                        f"({known}): it has no frozen statistics or places"
                    )
                cohorts.append({})
                continue
            found = dict(frozen or {})
            if self.needs_cohort:
                members = pools.members[p]
                found = {**self.cohort_statistics(values, members[ranked[members]]), **found}
            cohorts.append(found)
        return cohorts, faults

    def compute_values(self, columns: Mapping[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
        """Declared inputs plus derived inputs, each a float array of length n."""
        return self.derive(columns, n)[0]

    def derive(
        self, columns: Mapping[str, np.ndarray], n: int
    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """Declared plus derived inputs, and the rows of each derived input that overflows or
        divides by zero: rows that score() refuses."""
        return derive_values(self.inputs, self.derived, columns, n)

    def fault_text(self, name: str, values: Mapping[str, np.ndarray], row: int) -> str:
        """Why derived input `name` of a row is not a finite number (an overflow, a zero divisor)."""
        return fault_text(self.derived_steps[name], values, row)

    @cached_property
    def derived_steps(self) -> dict[str, Formula | m.History]:
        """Each derived input's formula or history statistic, by id."""
        return dict(self.derived)

    def score(
        self,
        columns: Mapping[str, np.ndarray],
        n: int,
        cohort: Mapping[str, Any] | None = None,
        pools: Pools | None = None,
    ) -> Scores:
        """Score n rows of input columns (floats; booleans 0/1; categories as codes; NaN missing).

        ``pools`` says which pool each row belongs to (default: one pool); ``cohort`` replaces
        every pool's cohort statistics.
        """
        with np.errstate(all="ignore"):
            return self._score(columns, n, cohort, pools or Pools.single(n))

    def _score(
        self,
        columns: Mapping[str, np.ndarray],
        n: int,
        cohort: Mapping[str, Any] | None,
        pools: Pools,
    ) -> Scores:
        """The stages in order; matrices are nodes × rows so each node's values are contiguous."""
        values, value_faults = self.derive(columns, n)
        outside, unrated_fired = unrated(self, values, n)
        ranked = outside < 0
        faults: dict[int, str] = {}
        if cohort is None:
            cohorts, faults = self.pool_cohorts(values, pools, ranked)
        else:
            cohorts = [cohort] * len(pools.labels)
        if self.place_tiers:
            faults = {**unnamed_pools(self, pools, ranked), **faults}
        k = run_kernel(self, values, cohorts, n, pools)
        n_veto = len(self.rubric.vetoes)
        scores = Scores(
            n=n,
            values=values,
            indicator_score=k.score.T,
            indicator_status=k.status.T,
            dimension_score=k.dimension.T,
            raw_total=k.total,
            deductions=np.zeros(n),
            total=k.total,
            score_tier=np.zeros(n, dtype=np.intp),
            tier=np.zeros(n, dtype=np.intp),
            veto_fired=np.zeros((n_veto, n), dtype=bool).T,
            veto_points=np.zeros((n_veto, n)).T,
            veto_unknown=np.zeros((n_veto, n), dtype=bool).T,
            error_rows=(
                (((k.status == MISSING_ERROR) | (k.status == FAULT)).any(axis=0) & ranked)
                | (faulty_rows(value_faults, n) & ranked)
                | np.isin(pools.code, list(faults))
            ),
            plan=self,
            dimension_exact=k.dimension.T,
            bonuses=np.zeros(n),
            unclamped=k.total,
            veto_uncapped=np.zeros((n_veto, n)).T,
            veto_negative=np.zeros((n_veto, n), dtype=bool).T,
            pools=pools,
            outside=outside,
            unrated_fired=unrated_fired,
            value_faults=value_faults,
            indicator_faults=k.faults,
            pool_faults=faults,
            normalised=k.normalised,
            local=k.local,
        )
        return decide(self, scores)

    def local_weights(self, s: Scores) -> tuple[np.ndarray, np.ndarray]:
        """Every node's local weight and contribution (nodes × rows, dimensions first), worked
        out again from the scores: only explanations and contributions need them."""
        with np.errstate(all="ignore"):
            return aggregate(self, s.indicator_score.T, s.n)[2:]

    def attribute(self, s: Scores) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Effective weights and contributions of dimensions and indicators (each rows × items)."""
        return attribute(self, s)

    def place_cutoffs(self, s: Scores) -> dict[str, dict[str, dict[str, float]]]:
        """Each pool's place cut-offs in these scores, frozen by calibration (by pool label)."""
        return cutoffs(self, s)


def history_inputs(rubric: m.Rubric) -> dict[str, int]:
    """The declared inputs whose earlier values history statistics need, with the most periods
    each needs: a statistic of a derived input needs the inputs its formula reads."""
    sources = derived_sources(rubric)
    declared = {spec.id for spec in rubric.inputs}
    out: dict[str, int] = {}
    for d in rubric.derived:
        if d.history is not None:
            for name in sorted(base_inputs([d.history.input], sources) & declared):
                out[name] = max(out.get(name, 0), d.history.periods)
    return out


class RubricCache(Generic[T]):
    """Objects built once per loaded rubric, keyed on its identity (rubrics are not hashable)."""

    def __init__(self, build: Callable[[m.Rubric], T], size: int = 64) -> None:
        self._build = build
        self._size = size
        self._items: dict[int, tuple[m.Rubric, T]] = {}

    def __call__(self, rubric: m.Rubric) -> T:
        cached = self._items.get(id(rubric))
        if cached is not None and cached[0] is rubric:
            return cached[1]
        item = self._build(rubric)
        if len(self._items) >= self._size:
            self._items.clear()
        self._items[id(rubric)] = (rubric, item)
        return item


_PLANS = RubricCache(Plan)


def compile_rubric(rubric: m.Rubric) -> Plan:
    """The plan for a rubric, compiled once and cached on the rubric object's identity."""
    return _PLANS(rubric)
