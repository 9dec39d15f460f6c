"""The compiled plan: a rubric turned into numpy steps, the one scoring path for one park or a million."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Generic, TypeVar

import numpy as np

from greenscore.engine import kernels as k
from greenscore.rubric import models as m
from greenscore.rubric.formula import Formula, parse_formula
from greenscore.errors import CohortRequiredError

T = TypeVar("T")
OK, OPTIONAL_ABSENT, MISSING_WORST, MISSING_DROPPED, MISSING_ERROR = range(5)
TREATMENTS = {
    OK: None,
    OPTIONAL_ABSENT: "optional indicator not reported: dropped, its weight re-spread in its dimension",
    MISSING_WORST: "missing value scored as worst (missing-data policy 'worst')",
    MISSING_DROPPED: "missing value dropped, its weight re-spread in its dimension (policy 'drop')",
    MISSING_ERROR: "missing value (missing-data policy 'error')",
}
COHORT_METHODS = ("minmax", "percentile", "zscore")


@dataclass(frozen=True)
class IndicatorStep:
    """One indicator as the plan scores it."""

    spec: Any
    dimension: str
    position: int
    low: float
    high: float
    worst_u: float
    policy: str

    @property
    def id(self) -> str:
        return str(self.spec.id)


@dataclass(frozen=True)
class DimensionStep:
    """One dimension: which columns of the score matrix are its children, with what weights."""

    spec: m.Dimension
    path: tuple[str, ...]
    parent: int | None
    child_dims: tuple[int, ...]
    child_indicators: tuple[int, ...]
    weights: np.ndarray


@dataclass
class Scores:
    """Every number the plan computes for n rows (arrays are rows × items); results read from here.

    Effective weights and contributions are worked out on first use: batches rarely need them.
    """

    n: int
    values: dict[str, np.ndarray]
    indicator_raw: np.ndarray
    indicator_u: np.ndarray
    indicator_score: np.ndarray
    indicator_status: np.ndarray
    dimension_score: np.ndarray
    dimension_local_weight: np.ndarray
    raw_total: np.ndarray
    deductions: np.ndarray
    total: np.ndarray
    score_tier: np.ndarray
    tier: np.ndarray
    veto_fired: np.ndarray
    veto_points: np.ndarray
    error_rows: np.ndarray
    plan: Plan
    local_w: np.ndarray
    local_contrib: np.ndarray
    veto_unknown: np.ndarray

    @cached_property
    def _attribution(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return self.plan.attribute(self)

    @property
    def dimension_weight(self) -> np.ndarray:
        """Each dimension's effective weight in the total, per row (after re-weighting)."""
        return self._attribution[0]

    @property
    def dimension_contribution(self) -> np.ndarray:
        """Each dimension's additive share of (total − scale minimum), per row."""
        return self._attribution[1]

    @property
    def indicator_weight(self) -> np.ndarray:
        """Each indicator's effective weight in the total, per row (after re-weighting)."""
        return self._attribution[2]

    @property
    def indicator_contribution(self) -> np.ndarray:
        """Each indicator's additive share of (total − scale minimum), per row."""
        return self._attribution[3]


def _rows(value: Any, n: int) -> np.ndarray:
    """A formula's result as one float per row (a constant formula gives a 0-d array)."""
    array = np.asarray(value, dtype=float)
    return array if array.shape == (n,) else np.full(n, array)


def round_half_up(x: np.ndarray, decimals: int) -> np.ndarray:
    """Round half away from zero for non-negative scores, as official tables do (84.45 → 84.5)."""
    factor = 10.0**decimals
    return np.floor(np.round(x * factor, 6) + 0.5) / factor


QUOTA_KEY = "@tiers"


def lag_column(name: str, lag: int) -> str:
    """The column holding an input's value `lag` periods before the assessed one."""
    return f"{name}@-{lag}"


def history_statistic(
    spec: m.History, values: Mapping[str, np.ndarray], columns: Mapping[str, np.ndarray], n: int
) -> np.ndarray:
    """A statistic of one input over this period and the previous ones (NaN when one is missing)."""
    series = [values[spec.input]] + [
        np.asarray(columns[lag_column(spec.input, k)], dtype=float)
        if lag_column(spec.input, k) in columns
        else np.full(n, np.nan)
        for k in range(1, spec.periods)
    ]
    stacked = np.vstack(series)
    if spec.statistic == "change":
        result = series[0] - series[1]
    elif spec.statistic == "relative_change":
        result = (series[0] - series[1]) / np.abs(series[1])
    elif spec.statistic == "mean":
        result = stacked.mean(axis=0)
    else:
        steps = np.diff(stacked, axis=0)
        falls = spec.statistic == "falls_every_period"
        result = np.all(steps > 0 if falls else steps < 0, axis=0).astype(float)
        result[np.isnan(stacked).any(axis=0)] = np.nan
    return np.where(np.isfinite(result), result, np.nan)


def _order_derived(rubric: m.Rubric) -> list[tuple[str, Formula | m.History]]:
    """Derived inputs in dependency order: history statistics first, then formulas."""
    ordered: list[tuple[str, Formula | m.History]] = [
        (d.id, d.history) for d in rubric.derived if d.history is not None
    ]
    formulas = {d.id: parse_formula(d.formula) for d in rubric.derived if d.formula is not None}
    done: set[str] = set()

    def visit(name: str) -> None:
        if name in done:
            return
        done.add(name)
        for dep in sorted(formulas[name].names & formulas.keys()):
            visit(dep)
        ordered.append((name, formulas[name]))

    for name in formulas:
        visit(name)
    return ordered


class Plan:
    """A rubric compiled once into arrays and formulas; score() serves evaluate() and batches alike."""

    def __init__(self, rubric: m.Rubric) -> None:
        self.rubric = rubric
        scale = rubric.scale
        self.scale_min, self.scale_max, self.span = scale.min, scale.max, scale.span
        self.inputs: dict[str, m.Input] = {spec.id: spec for spec in rubric.inputs}
        self.categories = {
            spec.id: {c: float(i) for i, c in enumerate(spec.categories or [])}
            for spec in rubric.inputs
            if spec.type == "category"
        }
        self.derived = _order_derived(rubric)
        self.indicators: list[IndicatorStep] = []
        self.dimensions: list[DimensionStep] = []
        self._build(rubric.dimensions, (), None)
        self.top = tuple(i for i, d in enumerate(self.dimensions) if d.parent is None)
        weights = np.array([self.dimensions[i].spec.weight for i in self.top], dtype=float)
        self.top_weights = weights / weights.sum()
        self.tier_ids = [t.id for t in rubric.tiers]
        self.tier_index = {t.id: i for i, t in enumerate(rubric.tiers)}
        self.tier_min = np.array([t.min_score for t in rubric.tiers], dtype=float)
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
        frozen = rubric.cohort or {}
        self.quota_tiers = [i for i, t in enumerate(rubric.tiers) if t.max_share is not None]
        self.needs_cohort = any(
            s.spec.method in COHORT_METHODS and s.id not in frozen for s in self.indicators
        ) or bool(self.quota_tiers and QUOTA_KEY not in frozen)
        self.history_inputs = {
            d.history.input: d.history.periods for d in rubric.derived if d.history is not None
        }

    @cached_property
    def validator(self) -> Any:
        """The input validator for this rubric."""
        from greenscore.engine.inputs import InputValidator

        return InputValidator(self.rubric)

    @cached_property
    def sha256(self) -> str:
        """sha256 of the rubric's canonical form."""
        from greenscore.rubric.load import rubric_sha256

        return rubric_sha256(self.rubric)

    def _build(self, dims: list[m.Dimension], path: tuple[str, ...], parent: int | None) -> None:
        for dim in dims:
            index = len(self.dimensions)
            self.dimensions.append(DimensionStep(dim, (*path, dim.id), parent, (), (), np.zeros(0)))
            before = len(self.dimensions)
            self._build(dim.dimensions, (*path, dim.id), index)
            child_dims = tuple(
                i for i in range(before, len(self.dimensions)) if self.dimensions[i].parent == index
            )
            child_inds = []
            for ind in dim.indicators:
                child_inds.append(len(self.indicators))
                self.indicators.append(self._indicator_step(ind, dim.id, len(self.indicators)))
            weights = np.array([c.weight for c in dim.children], dtype=float)
            self.dimensions[index] = DimensionStep(
                dim, (*path, dim.id), parent, child_dims, tuple(child_inds), weights / weights.sum()
            )

    def _indicator_step(self, ind: Any, dimension: str, position: int) -> IndicatorStep:
        low, high = ind.onto if ind.onto is not None else (self.scale_min, self.scale_max)
        worst_u = 0.0
        if isinstance(ind, m.BandsIndicator):
            worst_u = min(self._u(b.points) for b in ind.bands)
        elif isinstance(ind, m.CategoricalIndicator):
            worst_u = min(self._u(p) for p in ind.points.values())
        policy = ind.missing or self.rubric.missing
        return IndicatorStep(ind, dimension, position, low, high, worst_u, policy)

    def _u(self, points: float) -> float:
        return (points - self.scale_min) / self.span

    @cached_property
    def _band_tables(self) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        tables = {}
        for step in self.indicators:
            if isinstance(step.spec, m.BandsIndicator):
                ordered = step.spec.ordered_bands
                lows = np.array([b.low for b in ordered], dtype=float)
                points_u = np.array([self._u(b.points) for b in ordered], dtype=float)
                tables[step.position] = (lows, points_u)
            elif isinstance(step.spec, m.CategoricalIndicator):
                cats = self.inputs[step.spec.input].categories or []
                points_u = np.array([self._u(step.spec.points[c]) for c in cats], dtype=float)
                tables[step.position] = (np.zeros(0), points_u)
            elif isinstance(step.spec, m.ChecklistIndicator):
                points = np.array([item.points for item in step.spec.items], dtype=float)
                tables[step.position] = (np.zeros(0), points)
        return tables

    def cohort_statistics(self, values: Mapping[str, np.ndarray]) -> dict[str, dict[str, Any]]:
        """The statistics cohort methods need, taken from these rows (ignoring missing values)."""
        stats: dict[str, dict[str, Any]] = {}
        for step in self.indicators:
            spec = step.spec
            if spec.method not in COHORT_METHODS:
                continue
            x = np.asarray(values[spec.input], dtype=float)
            x = x[~np.isnan(x)]
            if spec.method == "minmax":
                stats[spec.id] = {
                    "min": float(x.min()) if len(x) else math.nan,
                    "max": float(x.max()) if len(x) else math.nan,
                }
            elif spec.method == "zscore":
                stats[spec.id] = {
                    "mean": float(x.mean()) if len(x) else math.nan,
                    "std": float(x.std(ddof=0)) if len(x) else math.nan,
                }
            else:
                stats[spec.id] = {"reference": np.sort(x)}
        return stats

    @cached_property
    def _groups(self) -> dict[str, tuple[np.ndarray, list[str], dict[str, np.ndarray]]]:
        """Indicators grouped by method (linear, target, bands, categorical): one call a group."""
        groups: dict[str, tuple[np.ndarray, list[str], dict[str, np.ndarray]]] = {}
        linear = [s for s in self.indicators if isinstance(s.spec, m.LinearIndicator)]
        if linear:
            groups["linear"] = (
                np.array([s.position for s in linear], dtype=np.intp),
                [s.spec.input for s in linear],
                {
                    "worst": np.array([s.spec.goalposts.worst for s in linear]),
                    "best": np.array([s.spec.goalposts.best for s in linear]),
                    "cap": np.array([s.spec.cap for s in linear]),
                    "log": np.array([s.spec.log for s in linear]),
                },
            )
        target = [s for s in self.indicators if isinstance(s.spec, m.TargetIndicator)]
        if target:
            groups["target"] = (
                np.array([s.position for s in target], dtype=np.intp),
                [s.spec.input for s in target],
                {
                    "goal": np.array([s.spec.target for s in target]),
                    "tolerance": np.array([s.spec.tolerance for s in target]),
                    "worst_distance": np.array([s.spec.worst_distance for s in target]),
                },
            )
        bands = [s for s in self.indicators if isinstance(s.spec, m.BandsIndicator)]
        if bands:
            tables = [self._band_tables[s.position] for s in bands]
            width = max(len(lows) for lows, _ in tables)
            groups["bands"] = (
                np.array([s.position for s in bands], dtype=np.intp),
                [s.spec.input for s in bands],
                {
                    "lows": np.array(
                        [
                            np.pad(lows, (0, width - len(lows)), constant_values=np.inf)
                            for lows, _ in tables
                        ]
                    ),
                    "points_u": np.array(
                        [np.pad(p, (0, width - len(p)), mode="edge") for _, p in tables]
                    ),
                },
            )
        categorical = [s for s in self.indicators if isinstance(s.spec, m.CategoricalIndicator)]
        if categorical:
            tables = [self._band_tables[s.position] for s in categorical]
            width = max(len(p) for _, p in tables)
            groups["categorical"] = (
                np.array([s.position for s in categorical], dtype=np.intp),
                [s.spec.input for s in categorical],
                {
                    "points_u": np.array(
                        [np.pad(p, (0, width - len(p)), mode="edge") for _, p in tables]
                    )
                },
            )
        return groups

    def _normalise_groups(
        self, values: Mapping[str, np.ndarray], raw: np.ndarray, u_all: np.ndarray, n: int
    ) -> None:
        """Score the grouped linear and target indicators into raw and u_all (indicators × rows)."""
        for name, (positions, inputs, params) in self._groups.items():
            x = np.empty((len(inputs), n))
            for c, input_name in enumerate(inputs):
                x[c] = values[input_name]
            raw[positions] = x
            if name in ("linear", "target"):
                kernel = k.linear if name == "linear" else k.target
                u_all[positions] = kernel(x, **{key: p[:, None] for key, p in params.items()})
            elif name == "bands":
                u_all[positions] = k.bands(x, params["lows"], params["points_u"])
            else:
                u_all[positions] = k.categorical(x, params["points_u"])

    def _normalise(
        self, step: IndicatorStep, values: Mapping[str, np.ndarray], cohort: Mapping[str, Any]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Raw value and normalised value of one indicator for every row."""
        spec = step.spec
        if isinstance(spec, m.ChecklistIndicator):
            items = np.column_stack([values[item.input] for item in spec.items])
            points = self._band_tables[step.position][1]
            u = k.checklist(items, points, spec.at_least)
            raw = np.where(np.isnan(items).any(axis=1), np.nan, items.sum(axis=1))
            return raw, u
        x = values[spec.input]
        if isinstance(spec, m.LinearIndicator):
            u = k.linear(x, spec.goalposts.worst, spec.goalposts.best, cap=spec.cap, log=spec.log)
        elif isinstance(spec, m.BandsIndicator | m.CategoricalIndicator):
            lows, points_u = self._band_tables[step.position]
            u = k.bands(x, lows, points_u) if lows.size else k.categorical(x, points_u)
        elif isinstance(spec, m.TargetIndicator):
            u = k.target(x, spec.target, spec.tolerance, spec.worst_distance)
        else:
            stats = cohort.get(spec.id)
            if stats is None:
                raise CohortRequiredError(
                    f"indicator {spec.id!r} uses the cohort method {spec.method!r}: score a whole "
                    "batch with assess(), or calibrate the rubric on a base year first"
                )
            if spec.method == "minmax":
                u = k.minmax(x, stats["min"], stats["max"])
            elif spec.method == "zscore":
                u = k.zscore(x, stats["mean"], stats["std"], spec.zscore_range)
            else:
                u = k.percentile(x, np.asarray(stats["reference"], dtype=float))
            if spec.direction == "lower":
                u = 1.0 - u
        return x, u

    def compute_values(self, columns: Mapping[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
        """Declared inputs plus derived inputs, each a float array of length n."""
        values = {
            name: np.asarray(columns[name], dtype=float) if name in columns else np.full(n, np.nan)
            for name in self.inputs
        }
        for name, source in self.derived:
            if isinstance(source, m.History):
                values[name] = history_statistic(source, values, columns, n)
            else:
                values[name] = _rows(source(values), n)
        return values

    @cached_property
    def _levels(self) -> list[tuple[Any, list[int]]]:
        """Dimensions by depth, deepest first: arithmetic ones as one batch, the others singly."""
        children = self._layout[0]
        depth = max(len(d.path) for d in self.dimensions)
        levels: list[tuple[Any, list[int]]] = []
        for level in range(depth, 0, -1):
            dims = [i for i, d in enumerate(self.dimensions) if len(d.path) == level]
            arith = [i for i in dims if self.dimensions[i].spec.aggregation == "arithmetic"]
            batch = None
            if arith:
                sizes = np.array([len(children[i]) for i in arith], dtype=np.intp)
                batch = (
                    np.array(arith, dtype=np.intp),
                    np.concatenate([children[i] for i in arith]),
                    np.concatenate([self.dimensions[i].weights for i in arith]),
                    np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp),
                    sizes,
                )
            levels.append((batch, [i for i in dims if i not in arith]))
        return levels

    @cached_property
    def _ungrouped(self) -> list[IndicatorStep]:
        return [
            s
            for s in self.indicators
            if not isinstance(
                s.spec,
                m.LinearIndicator | m.TargetIndicator | m.BandsIndicator | m.CategoricalIndicator,
            )
        ]

    @cached_property
    def _layout(self) -> tuple[list[np.ndarray], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Index arrays over the node matrix (dimensions first, then indicators)."""
        n_dim = len(self.dimensions)
        children = [
            np.array([*step.child_dims, *(n_dim + i for i in step.child_indicators)], dtype=np.intp)
            for step in self.dimensions
        ]
        ind_parent = np.array(
            [self.dimension_index[step.dimension] for step in self.indicators], dtype=np.intp
        )
        low = np.array([step.low for step in self.indicators])
        high = np.array([step.high for step in self.indicators])
        worst_u = np.array([step.worst_u for step in self.indicators])
        return children, ind_parent, low, high, worst_u

    @cached_property
    def _statuses(self) -> tuple[np.ndarray, np.ndarray]:
        """Per indicator: the status a missing value gets, and whether it then scores as worst."""
        status = np.array(
            [
                OPTIONAL_ABSENT
                if not step.spec.required
                else {"worst": MISSING_WORST, "drop": MISSING_DROPPED}.get(
                    step.policy, MISSING_ERROR
                )
                for step in self.indicators
            ],
            dtype=np.int8,
        )
        return status, status == MISSING_WORST

    def score(
        self, columns: Mapping[str, np.ndarray], n: int, cohort: Mapping[str, Any] | None = None
    ) -> Scores:
        """Score n rows of input columns (floats; booleans 0/1; categories as codes; NaN missing)."""
        with np.errstate(all="ignore"):
            return self._score(columns, n, cohort)

    def _score(
        self, columns: Mapping[str, np.ndarray], n: int, cohort: Mapping[str, Any] | None
    ) -> Scores:
        """The scoring pipeline; matrices are nodes × rows so each node's row of values is contiguous."""
        values = self.compute_values(columns, n)
        if cohort is None:
            cohort = self.rubric.cohort or {}
            if self.needs_cohort:
                cohort = {**self.cohort_statistics(values), **cohort}
        n_ind, n_dim = len(self.indicators), len(self.dimensions)
        children, _, low, high, worst_u = self._layout
        raw = np.empty((n_ind, n))
        u_all = np.empty((n_ind, n))
        self._normalise_groups(values, raw, u_all, n)
        for step in self._ungrouped:
            raw[step.position], u_all[step.position] = self._normalise(step, values, cohort)
        missing = np.isnan(u_all)
        missing_status, as_worst = self._statuses
        status = np.where(missing, missing_status[:, None], np.int8(OK)).astype(np.int8)
        u_all = np.where(missing & as_worst[:, None], worst_u[:, None], u_all)

        node_score = np.empty((n_dim + n_ind, n))
        score = node_score[n_dim:]
        np.multiply((high - low)[:, None], u_all, out=score)
        score += low[:, None]
        local_w = np.zeros((n_dim + n_ind, n))
        local_contrib = np.zeros((n_dim + n_ind, n))
        for arithmetic, others in self._levels:
            if arithmetic is not None:
                nodes, idx, weights, starts, sizes = arithmetic
                kids = node_score[idx]
                present = ~np.isnan(kids)
                w = weights[:, None] * present
                total_w = np.add.reduceat(w, starts, axis=0)
                empty = total_w <= 0
                w /= np.repeat(np.where(empty, 1.0, total_w), sizes, axis=0)
                contrib = np.where(present, kids - self.scale_min, 0.0)
                contrib *= w
                value = np.add.reduceat(contrib, starts, axis=0) + self.scale_min
                node_score[nodes] = np.where(empty, np.nan, value)
                local_w[idx] = w
                local_contrib[idx] = contrib
            for d in others:
                idx = children[d]
                node_score[d], local_w[idx], local_contrib[idx] = self._aggregate(
                    node_score[idx], self.dimensions[d].weights, self.dimensions[d].spec.aggregation
                )
        dim_score = node_score[:n_dim]

        top = list(self.top)
        raw_total, local_w[top], local_contrib[top] = self._aggregate(
            dim_score[top], self.top_weights, self.rubric.aggregation
        )
        n_veto = len(self.rubric.vetoes)
        return self._finish(
            Scores(
                n=n,
                values=values,
                indicator_raw=raw.T,
                indicator_u=u_all.T,
                indicator_score=score.T,
                indicator_status=status.T,
                dimension_score=dim_score.T,
                dimension_local_weight=local_w[:n_dim].T,
                raw_total=raw_total,
                deductions=np.zeros(n),
                total=raw_total,
                score_tier=np.zeros(n, dtype=np.intp),
                tier=np.zeros(n, dtype=np.intp),
                veto_fired=np.zeros((n_veto, n), dtype=bool).T,
                veto_points=np.zeros((n_veto, n)).T,
                veto_unknown=np.zeros((n_veto, n), dtype=bool).T,
                error_rows=(status == MISSING_ERROR).any(axis=0),
                plan=self,
                local_w=local_w,
                local_contrib=local_contrib,
            )
        )

    def attribute(self, s: Scores) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Effective weights and contributions of dimensions and indicators (each rows × items)."""
        n, n_dim = s.n, len(self.dimensions)
        _, ind_parent, *_ = self._layout
        local_w, local_contrib = s.local_w, s.local_contrib
        dim_score = s.dimension_score.T
        dim_weight = np.empty((n_dim, n))
        dim_contribution = np.empty((n_dim, n))
        factor = np.empty((n_dim, n))
        with np.errstate(all="ignore"):
            for d, step_d in enumerate(self.dimensions):
                if step_d.parent is None:
                    dim_weight[d] = local_w[d]
                    dim_contribution[d] = local_contrib[d]
                else:
                    dim_weight[d] = dim_weight[step_d.parent] * local_w[d]
                    dim_contribution[d] = local_contrib[d] * factor[step_d.parent]
                above = dim_score[d] - self.scale_min
                factor[d] = np.where(above > 0, dim_contribution[d] / above, 0.0)
        ind_weight = dim_weight[ind_parent] * local_w[n_dim:]
        ind_contribution = local_contrib[n_dim:] * factor[ind_parent]
        return dim_weight.T, dim_contribution.T, ind_weight.T, ind_contribution.T

    def _aggregate(
        self, children: np.ndarray, weights: np.ndarray, how: str
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Aggregate child scores (children × rows, NaN = dropped) with weights re-spread per row.

        Returns the score, each child's row-wise normalised weight, and each child's additive
        contribution to (score − scale minimum). Callers hold np.errstate(all="ignore").
        """
        present = ~np.isnan(children)
        w = weights[:, None] * present
        total_w = w.sum(axis=0)
        empty = total_w <= 0
        w = np.where(empty, 0.0, w / total_w)
        above = np.where(present, children - self.scale_min, 0.0)
        arithmetic = above * w
        if how == "arithmetic":
            value = arithmetic.sum(axis=0)
            contrib = arithmetic
        else:
            base = arithmetic.sum(axis=0)
            if how == "geometric":
                value = np.exp(np.where(w > 0, np.log(above) * w, 0.0).sum(axis=0))
            else:
                masked = np.where(w > 0, above, np.inf)
                value = masked.min(axis=0)
                arithmetic = np.zeros_like(above)
                arithmetic[np.argmin(masked, axis=0), np.arange(len(value))] = 1.0
                base = np.ones(len(value))
            contrib = np.where(base > 0, arithmetic * (value / base), 0.0)
        value = np.where(empty, np.nan, value + self.scale_min)
        return value, w, np.where(empty, 0.0, contrib)

    def _finish(self, s: Scores) -> Scores:
        """Deductions, clamping, rounding, tiers, caps and forced tiers."""
        rubric = self.rubric
        n = s.n
        for v, veto in enumerate(rubric.vetoes):
            condition = self.veto_conditions[v]
            if condition is None:
                fired = np.ones(n, dtype=bool)
            else:
                truth = _rows(condition(s.values), n)
                fired = np.isnan(truth) | (truth != 0)
            if veto.kind == "deduct":
                spec = self.veto_points[v]
                points = spec(s.values) if isinstance(spec, Formula) else spec
                points = _rows(points, n)
                unknown = fired & np.isnan(points)
                s.veto_unknown[:, v] = unknown
                points = np.where(fired & ~unknown, np.maximum(points, 0.0), 0.0)
                fired = points > 0
                s.veto_points[:, v] = points
            s.veto_fired[:, v] = fired
        s.error_rows = s.error_rows | s.veto_unknown.any(axis=1)
        s.deductions = s.veto_points.sum(axis=1)
        total = np.clip(s.raw_total - s.deductions, self.scale_min, self.scale_max)
        if rubric.rounding is not None:
            total = round_half_up(total - self.scale_min, rubric.rounding.decimals) + self.scale_min
            total = np.clip(total, self.scale_min, self.scale_max)
        s.total = total
        eligible = total[:, None] >= self.tier_min[None, :]
        for t, tier_spec in enumerate(rubric.tiers):
            for cond in tier_spec.conditions:
                eligible[:, t] &= self._condition(cond, s)
        eligible[:, -1] = True
        s.score_tier = np.argmax(eligible, axis=1)
        tier: np.ndarray = s.score_tier.copy()
        forced = np.full(n, -1)
        for v, veto in enumerate(rubric.vetoes):
            if veto.kind == "cap_tier" and veto.tier is not None:
                cap = self.tier_index[veto.tier]
                tier = np.where(s.veto_fired[:, v], np.maximum(tier, cap), tier)
            elif veto.kind == "force_tier" and veto.tier is not None:
                target_tier = self.tier_index[veto.tier]
                forced = np.where(s.veto_fired[:, v], np.maximum(forced, target_tier), forced)
        s.tier = self._quotas(np.where(forced >= 0, forced, tier), s.total)
        return s

    def _quotas(self, tier: np.ndarray, total: np.ndarray) -> np.ndarray:
        """Apply tier quotas, best tier first: rows over a quota drop to the next tier.

        Ties at the cut-off are resolved against the quota (every tied row drops), so a quota is
        never exceeded. A calibrated rubric applies the frozen cut-off scores instead.
        """
        if not self.quota_tiers:
            return tier
        frozen = (self.rubric.cohort or {}).get(QUOTA_KEY)
        tier = tier.copy()
        for t in self.quota_tiers:
            inside = tier == t
            if frozen is not None:
                cutoff = frozen.get(self.tier_ids[t])
                drop = inside & ~(total >= (cutoff if cutoff is not None else np.inf))
            else:
                share = self.rubric.tiers[t].max_share or 0.0
                allowed = int(np.floor(share * len(total) + 1e-9))
                drop = inside.copy()
                if allowed > 0 and inside.sum() > allowed:
                    ranked = np.sort(total[inside])[::-1]
                    threshold = ranked[allowed - 1]
                    keep_at = threshold if (ranked >= threshold).sum() <= allowed else None
                    keep = total >= keep_at if keep_at is not None else total > threshold
                    drop = inside & ~keep
                elif allowed > 0:
                    drop[:] = False
            tier[drop] = t + 1
        return tier

    def quota_cutoffs(self, s: Scores) -> dict[str, float]:
        """The lowest total each quota tier kept in this cohort: frozen by calibration."""
        cutoffs: dict[str, float] = {}
        for t in self.quota_tiers:
            kept = s.total[s.tier == t]
            if len(kept):
                cutoffs[self.tier_ids[t]] = float(kept.min())
                continue
            dropped = s.total[(s.score_tier <= t) & (s.tier > t)]
            cutoffs[self.tier_ids[t]] = (
                float(np.nextafter(dropped.max(), np.inf))
                if len(dropped)
                else float(self.rubric.tiers[t].min_score)
            )
        return cutoffs

    def _condition(self, cond: Any, s: Scores) -> np.ndarray:
        if isinstance(cond, m.DimensionMin):
            ids = cond.dimensions or [self.dimensions[i].spec.id for i in self.top]
            cols = [self.dimension_index[i] for i in ids]
            return np.all(s.dimension_score[:, cols] >= cond.score, axis=1)
        if isinstance(cond, m.IndicatorMin):
            return s.indicator_score[:, self.indicator_index[cond.indicator]] >= cond.score
        vetoes = [
            i
            for i, veto in enumerate(self.rubric.vetoes)
            if (cond.vetoes is None or veto.id in cond.vetoes)
            and (cond.kinds is None or veto.kind in cond.kinds)
        ]
        if not vetoes:
            return np.ones(s.n, dtype=bool)
        return np.asarray(~s.veto_fired[:, vetoes].any(axis=1))


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
