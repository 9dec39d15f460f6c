"""Scores: every array the plan computes for n rows; results, explanations and tests read it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from greenscore.engine.normalise import IndicatorFault
    from greenscore.engine.places import Pools
    from greenscore.engine.plan import Plan


def _no_values() -> tuple[np.ndarray, np.ndarray]:
    raise ValueError("these scores keep no raw or normalised values")


@dataclass
class Scores:
    """Every number the plan computes for n rows (arrays are rows × items); results read from here.

    The total is raw_total + bonuses − deductions (= unclamped), held within the rubric's bounds,
    then rounded. dimension_score is the reported (rounded, if the rubric says so) score and
    dimension_exact the unrounded one that the total is aggregated from. Effective weights and
    contributions are worked out on first use: batches rarely need them.

    ``pools`` gives each row's pool; ``outside`` the class outside the ranking an unrated veto
    placed it in (-1: ranked) and ``unrated_fired`` which unrated vetoes fired (rows × the
    plan's unrated vetoes); ``pool_faults`` why a pool's rows cannot be scored; ``fixed``
    the rows whose tier no place rule moves (forced or unrated) and ``pulled`` the rows a place
    minimum pulled into their tier.
    """

    n: int
    values: dict[str, np.ndarray]
    indicator_score: np.ndarray
    indicator_status: np.ndarray
    dimension_score: np.ndarray
    raw_total: np.ndarray
    deductions: np.ndarray
    total: np.ndarray
    score_tier: np.ndarray
    tier: np.ndarray
    veto_fired: np.ndarray
    veto_points: np.ndarray
    error_rows: np.ndarray
    plan: Plan
    veto_unknown: np.ndarray
    dimension_exact: np.ndarray
    bonuses: np.ndarray
    unclamped: np.ndarray
    veto_uncapped: np.ndarray
    veto_negative: np.ndarray
    pools: Pools
    outside: np.ndarray
    unrated_fired: np.ndarray
    value_faults: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)
    indicator_faults: tuple[IndicatorFault, ...] = ()
    pool_faults: dict[int, str] = field(default_factory=dict)
    normalised: Callable[[], tuple[np.ndarray, np.ndarray]] = field(default=_no_values, repr=False)
    local: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)
    fixed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    pulled: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    @property
    def ranked(self) -> np.ndarray:
        """Rows in the ranking: not placed in a class outside it by an unrated veto."""
        return np.asarray(self.outside < 0)

    def with_raw_total(self, raw_total: np.ndarray) -> Scores:
        """A copy with another weighted total and nothing decided yet, for decide() to run again."""
        return dataclasses.replace(
            self,
            raw_total=np.array(raw_total, dtype=float),
            deductions=np.zeros(self.n),
            bonuses=np.zeros(self.n),
            unclamped=np.array(raw_total, dtype=float),
            total=np.array(raw_total, dtype=float),
            score_tier=np.zeros(self.n, dtype=np.intp),
            tier=np.zeros(self.n, dtype=np.intp),
            veto_fired=np.zeros_like(self.veto_fired),
            veto_points=np.zeros_like(self.veto_points),
            veto_unknown=np.zeros_like(self.veto_unknown),
            veto_uncapped=np.zeros_like(self.veto_uncapped),
            veto_negative=np.zeros_like(self.veto_negative),
            error_rows=self.error_rows.copy(),
        )

    @cached_property
    def _normalised(self) -> tuple[np.ndarray, np.ndarray]:
        return self.normalised()

    @property
    def indicator_raw(self) -> np.ndarray:
        """Each indicator's raw value, per row (rows × indicators)."""
        return self._normalised[0].T

    @property
    def indicator_u(self) -> np.ndarray:
        """Each indicator's normalised value (0 worst, 1 best), per row (rows × indicators)."""
        return self._normalised[1].T

    @cached_property
    def _local(self) -> tuple[np.ndarray, np.ndarray]:
        return self.local if self.local is not None else self.plan.local_weights(self)

    @property
    def local_w(self) -> np.ndarray:
        """Every node's weight within its parent, per row (nodes × rows, dimensions first)."""
        return self._local[0]

    @property
    def local_contrib(self) -> np.ndarray:
        """Every node's additive share of its parent's score above the scale minimum."""
        return self._local[1]

    @property
    def dimension_local_weight(self) -> np.ndarray:
        """Each dimension's weight within its parent, per row (rows × dimensions)."""
        return self._local[0][: len(self.plan.dimensions)].T

    @cached_property
    def _attribution(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return self.plan.attribute(self)

    @property
    def dimension_weight(self) -> np.ndarray:
        """Each dimension's effective weight in the total, per row (after re-weighting)."""
        return self._attribution[0]

    @property
    def clamped(self) -> np.ndarray:
        """Rows whose total the rubric's floor or ceiling moved (before rounding)."""
        unclamped = self.unclamped
        return np.asarray((unclamped != self.plan.bound_total(unclamped)) & ~np.isnan(unclamped))

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
