"""Track-record formulas: the rubric's formula language over an entity's results by period.

Every name is read from a table of periods × entities (row −1 is the assessed period, missing
where the entity was not scored). Outside the track functions a name is its value in the
assessed period; inside them it is its value in each period, which the function reduces:

- ``streak(c)``: consecutive periods, ending with this one, in which ``c`` held (a period the
  entity was not scored in breaks the streak);
- ``count(c, n)``: the periods among the last ``n`` (this one included) in which ``c`` held;
- ``previous(x)`` / ``previous(x, k)``: ``x`` one (k) periods before this one;
- ``change(x)`` / ``change(x, k)``: ``x`` now minus ``x`` one (k) periods before.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

from greenscore.rubric.formula import Formula, FormulaError, parse_formula
from greenscore.rubric.formula_eval import Env, Fn, Node, truth_value

__all__ = ["TRACK_FUNCTIONS", "TrackCall", "TrackFormula", "parse_track_formula"]

MAX_LOOKBACK = 20

TRACK_FUNCTIONS: Mapping[str, int | tuple[int, int]] = MappingProxyType(
    {"streak": 1, "count": 2, "previous": (1, 2), "change": (1, 2)}
)


@dataclass(frozen=True)
class TrackCall:
    """One track function in a formula: its name, its argument's text and how far back it looks."""

    function: str
    inner: Formula
    periods: int | None
    """Periods it reads, counting this one (None for streak: as far back as the streak goes)."""

    @property
    def lag(self) -> int:
        return (self.periods or 1) - 1


def _streak(held: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Consecutive true rows counted back from the last one."""
    run = np.zeros(held.shape[1])
    alive = np.ones(held.shape[1], dtype=bool)
    for row in held[::-1]:
        alive &= row == 1.0
        run += alive
    return run


def _back(values: npt.NDArray[np.float64], k: int) -> npt.NDArray[np.float64]:
    """Row −1−k, or missing when the table has fewer rows."""
    if values.shape[0] <= k:
        return np.full(values.shape[1], np.nan)
    return np.asarray(values[-1 - k], dtype=np.float64)


class _Dialect:
    """The FormulaExtension behind track formulas; collects the track calls it compiled."""

    functions = TRACK_FUNCTIONS

    def __init__(self, text: str) -> None:
        self.text = text
        self.calls: list[TrackCall] = []
        self.inside = False

    def name(self, compiler: Any, name: str, fn: Fn) -> Fn:
        if self.inside:
            return fn

        def current(env: Env) -> Any:
            values = fn(env)
            return values[-1] if np.ndim(values) == 2 else values

        return current

    def _lookback(self, compiler: Any, node: ast.expr, what: str) -> int:
        if (
            not isinstance(node, ast.Constant)
            or isinstance(node.value, bool)
            or not isinstance(node.value, int)
            or not 1 <= node.value <= MAX_LOOKBACK
        ):
            raise compiler.error(f"{what} must be a whole number from 1 to {MAX_LOOKBACK}", node)
        return int(node.value)

    def call(self, compiler: Any, name: str, node: ast.Call) -> Node:
        if self.inside:
            raise compiler.error(f"{name}() cannot be used inside another track function", node)
        first = node.args[0]
        self.inside = True
        try:
            inner = compiler.compile(first)
        finally:
            self.inside = False
        source = ast.get_source_segment(compiler.text, first) or ast.unparse(first)
        f = inner.fn
        if name == "streak":
            call = TrackCall(name, parse_formula(source), None)

            def fn(env: Env) -> Any:
                return _streak(truth_value(_table(f(env), env)))

        elif name == "count":
            n = self._lookback(compiler, node.args[1], "count()'s window")
            call = TrackCall(name, parse_formula(source), n)

            def fn(env: Env) -> Any:
                held = truth_value(_table(f(env), env))[-n:]
                return np.asarray((held == 1.0).sum(axis=0), dtype=np.float64)

        else:
            k = 1 if len(node.args) == 1 else self._lookback(compiler, node.args[1], "the lag")
            call = TrackCall(name, parse_formula(source), k + 1)
            if name == "previous":

                def fn(env: Env) -> Any:
                    return _back(_table(f(env), env), k)

            else:

                def fn(env: Env) -> Any:
                    values = _table(f(env), env)
                    return _back(values, 0) - _back(values, k)

        self.calls.append(call)
        return Node(fn)


def _table(values: Any, env: Env) -> npt.NDArray[np.float64]:
    """An inner value as a periods × entities table (a constant repeats in every cell)."""
    shape = np.shape(next(iter(env.values())))
    return np.broadcast_to(np.asarray(values, dtype=np.float64), shape)


@dataclass(frozen=True)
class TrackFormula:
    """A parsed track formula: call it with name → periods × entities arrays for one value per
    entity; ``calls`` lists its track functions (for the explanation and the history needed)."""

    formula: Formula
    calls: tuple[TrackCall, ...] = field(default=())

    @property
    def source(self) -> str:
        return self.formula.source

    @property
    def names(self) -> frozenset[str]:
        return self.formula.names

    @property
    def periods(self) -> int:
        """The periods it reads for sure (0 when a streak reads as far back as it goes)."""
        return max([1, *(c.periods or 0 for c in self.calls)])

    @property
    def has_streak(self) -> bool:
        return any(c.function == "streak" for c in self.calls)

    def is_boolean(self) -> bool:
        return self.formula.is_boolean()

    def __call__(self, env: Env) -> npt.NDArray[np.float64]:
        return self.formula(env)

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return parse_track_formula, (self.source,)


def parse_track_formula(text: str) -> TrackFormula:
    """Parse a track formula; raise FormulaError for anything outside the whitelist."""
    dialect = _Dialect(text)
    formula = parse_formula(text, extension=dialect)
    if not dialect.calls and formula.names:
        raise FormulaError(
            "a track rule reads earlier periods: use streak(), count(), previous() or change()", 1
        )
    return TrackFormula(formula, tuple(dialect.calls))
