"""Stage 3, normalise: raw values to normalised values (0 worst, 1 best) through the registry.

Each method packs all its indicators of a rubric into one group scorer; missing values then get
their status and, under the 'worst' policy, the method's worst normalised value. Values a method
cannot score although they are present (its faults, such as a benchmark of zero) get the status
FAULT and flag their row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from greenscore.engine.compile import IndicatorStep
from greenscore.engine.places import Pools
from greenscore.errors import CohortRequiredError
from greenscore.methods import REGISTRY, Context, GroupScorer, is_cohort, method_of

OK, OPTIONAL_ABSENT, MISSING_WORST, MISSING_DROPPED, MISSING_ERROR, FAULT = range(6)
TREATMENTS = {
    OK: None,
    OPTIONAL_ABSENT: "optional indicator not reported: dropped, its weight re-spread in its dimension",
    MISSING_WORST: "missing value scored as worst (missing-data policy 'worst')",
    MISSING_DROPPED: "missing value dropped, its weight re-spread in its dimension (policy 'drop')",
    MISSING_ERROR: "missing value (missing-data policy 'error')",
    FAULT: "cannot be scored (see the row's problems)",
}


@dataclass(frozen=True)
class IndicatorFault:
    """Rows one indicator cannot score although their values are present, and why."""

    indicator: str
    position: int
    rows: np.ndarray
    field: str
    problem: str


@dataclass(frozen=True)
class Group:
    """The indicators of one method: their rows in the score matrix and one scorer for them all."""

    method: str
    positions: np.ndarray
    score: GroupScorer
    on_scale: bool = False
    cohort: bool = False
    cohort_ids: tuple[str, ...] = ()


FaultCheck = Callable[[Any, Mapping[str, np.ndarray], Mapping[str, Any], int], list[Any]]


@dataclass(frozen=True)
class Normaliser:
    """Everything normalising needs, compiled once per plan."""

    groups: tuple[Group, ...]
    cohort_steps: tuple[IndicatorStep, ...]
    steps: tuple[IndicatorStep, ...]
    missing_status: np.ndarray
    as_worst: np.ndarray
    worst_u: np.ndarray
    context: Context
    fault_checks: tuple[tuple[IndicatorStep, FaultCheck, bool], ...] = ()


def compile_normaliser(indicators: Sequence[IndicatorStep], context: Context) -> Normaliser:
    """Group the indicators by method (registry order) and note each one's missing-data status."""
    groups = []
    for name, method in REGISTRY.items():
        steps = [s for s in indicators if method_of(s.spec) is method]
        if steps:
            positions = np.array([s.position for s in steps], dtype=np.intp)
            scorer = method.pack([s.spec for s in steps], context)
            ids = tuple(s.id for s in steps if is_cohort(s.spec))
            groups.append(Group(name, positions, scorer, method.on_scale, bool(ids), ids))
    status = np.array(
        [
            OPTIONAL_ABSENT
            if not step.spec.required
            else {"worst": MISSING_WORST, "drop": MISSING_DROPPED}.get(step.policy, MISSING_ERROR)
            for step in indicators
        ],
        dtype=np.int8,
    )
    return Normaliser(
        tuple(groups),
        tuple(s for s in indicators if is_cohort(s.spec)),
        tuple(indicators),
        status,
        status == MISSING_WORST,
        np.array([step.worst_u for step in indicators]),
        context,
        tuple((s, method_of(s.spec).faults, is_cohort(s.spec)) for s in indicators),
    )


class Rows(Mapping[str, np.ndarray]):
    """Input columns restricted to some rows, sliced when a scorer reads them."""

    def __init__(self, values: Mapping[str, np.ndarray], rows: np.ndarray) -> None:
        self._values = values
        self._rows = rows

    def __getitem__(self, name: str) -> np.ndarray:
        return np.asarray(self._values[name][self._rows])

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def _score_group(
    group: Group,
    values: Mapping[str, np.ndarray],
    cohorts: Sequence[Mapping[str, Any]],
    n: int,
    pools: Pools,
) -> tuple[np.ndarray, np.ndarray]:
    """One group's raw and found values; a cohort method's pool by pool, each with its own
    pool's statistics."""
    if not group.cohort:
        return group.score(values, cohorts[0], n)
    complete = [all(c.get(i) is not None for i in group.cohort_ids) for c in cohorts]
    if len(cohorts) == 1 and complete[0]:
        return group.score(values, cohorts[0], n)
    raw = np.full((len(group.positions), n), np.nan)
    found = np.full((len(group.positions), n), np.nan)
    for members, cohort, usable in zip(pools.members, cohorts, complete, strict=True):
        if members.size and usable:
            raw[:, members], found[:, members] = group.score(
                Rows(values, members), cohort, members.size
            )
    return raw, found


class Normalising:
    """One scoring call's normalising, done block by block over rows into preallocated outputs.

    Checks the cohorts, finds the faults and scores the groups that go pool by pool (their pools'
    rows span every block) once, up front; block() then scores rows lo:hi of every other group.
    Statuses are kept for every row; raw and normalised values go where each block is told.
    """

    def __init__(
        self,
        normaliser: Normaliser,
        values: Mapping[str, np.ndarray],
        cohorts: Sequence[Mapping[str, Any]],
        n: int,
        pools: Pools,
    ) -> None:
        for cohort in cohorts:
            for step in normaliser.cohort_steps:
                if cohort and cohort.get(step.id) is None:
                    raise CohortRequiredError.for_task([repr(step.id)], "scoring it")
        self.normaliser = normaliser
        self.values = values
        self.cohort = cohorts[0]
        n_ind = len(normaliser.missing_status)
        self.n = n
        self.status = np.empty((n_ind, n), dtype=np.int8)
        self.whole: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for g, group in enumerate(normaliser.groups):
            if group.cohort and not _one_cohort(group, cohorts):
                self.whole[g] = _score_group(group, values, cohorts, n, pools)
        self.faults = _faults(normaliser, values, cohorts, n, pools)
        self.faulty: np.ndarray | None = None
        if self.faults:
            self.faulty = np.zeros((n_ind, n), dtype=bool)
            for fault in self.faults:
                self.faulty[fault.position] |= fault.rows

    def block(self, lo: int, hi: int, raw: np.ndarray, u: np.ndarray) -> dict[int, np.ndarray]:
        """Score rows lo:hi into raw and u (indicators × (hi − lo)) and their statuses; returns
        the scores of methods that give them on the rubric scale, by indicator position, to be
        taken as they are."""
        normaliser = self.normaliser
        n = hi - lo
        values = Block(self.values, lo, hi)
        status = self.status[:, lo:hi]
        exact: dict[int, np.ndarray] = {}
        context = normaliser.context
        for g, group in enumerate(normaliser.groups):
            whole = self.whole.get(g)
            if whole is None:
                raw[group.positions], found = group.score(values, self.cohort, n)
            else:
                raw[group.positions], found = whole[0][:, lo:hi], whole[1][:, lo:hi]
            if group.on_scale:
                exact.update(zip(group.positions.tolist(), found, strict=True))
                found = context.u(found)
            u[group.positions] = found
        if self.faulty is None:
            missing = np.isnan(u)
        else:
            faulty = self.faulty[:, lo:hi]
            u[faulty] = np.nan
            for position, given in exact.items():
                given[faulty[position]] = np.nan
            missing = np.isnan(u) & ~faulty
        status[...] = np.where(missing, normaliser.missing_status[:, None], np.int8(OK))
        if self.faulty is not None:
            status[faulty] = FAULT
        u[...] = np.where(missing & normaliser.as_worst[:, None], normaliser.worst_u[:, None], u)
        return exact


def _one_cohort(group: Group, cohorts: Sequence[Mapping[str, Any]]) -> bool:
    """Whether a cohort group scores every row against one complete set of statistics."""
    return len(cohorts) == 1 and all(cohorts[0].get(i) is not None for i in group.cohort_ids)


class Block(Mapping[str, np.ndarray]):
    """Input columns restricted to rows lo:hi (views, sliced when a scorer reads them)."""

    def __init__(self, values: Mapping[str, np.ndarray], lo: int, hi: int) -> None:
        self._values = values
        self._lo, self._hi = lo, hi

    def __getitem__(self, name: str) -> np.ndarray:
        return np.asarray(self._values[name])[self._lo : self._hi]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def _faults(
    normaliser: Normaliser,
    values: Mapping[str, np.ndarray],
    cohorts: Sequence[Mapping[str, Any]],
    n: int,
    pools: Pools,
) -> tuple[IndicatorFault, ...]:
    """Each indicator's faults; a cohort indicator's pool by pool, against its pool's
    statistics (a pool without statistics has its rows flagged already)."""
    found: list[IndicatorFault] = []
    for step, faults, cohort_step in normaliser.fault_checks:
        if not cohort_step or len(cohorts) == 1:
            for rows, field, problem in faults(step.spec, values, cohorts[0], n):
                found.append(IndicatorFault(step.id, step.position, rows, field, problem))
            continue
        for members, cohort in zip(pools.members, cohorts, strict=True):
            if not members.size or not cohort:
                continue
            for part, field, problem in faults(
                step.spec, Rows(values, members), cohort, members.size
            ):
                rows = np.zeros(n, dtype=bool)
                rows[members] = part
                found.append(IndicatorFault(step.id, step.position, rows, field, problem))
    return tuple(found)


def cohort_statistics(
    indicators: Sequence[IndicatorStep], values: Mapping[str, np.ndarray]
) -> dict[str, dict[str, Any]]:
    """The statistics cohort methods need, taken from these rows (ignoring missing values)."""
    stats: dict[str, dict[str, Any]] = {}
    for step in indicators:
        statistics = method_of(step.spec).statistics
        if statistics is not None and is_cohort(step.spec):
            stats[step.id] = statistics(step.spec, values[step.spec.inputs[0]])
    return stats
