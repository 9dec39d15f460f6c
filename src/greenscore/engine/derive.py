"""Stage 2, derive: declared inputs as float arrays plus derived inputs (formulas and history)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from greenscore.rubric import models as m
from greenscore.rubric.formula import Formula, parse_formula

DerivedStep = tuple[str, Formula | m.History]


def rows_of(value: Any, n: int) -> np.ndarray:
    """A formula's result as one float per row (a constant formula gives a 0-d array)."""
    array = np.asarray(value, dtype=float)
    return array if array.shape == (n,) else np.full(n, array)


def lag_column(name: str, lag: int) -> str:
    """The column holding an input's value `lag` periods before the assessed one."""
    return f"{name}@-{lag}"


def history_statistic(spec: m.History, series: list[np.ndarray]) -> np.ndarray:
    """A statistic of one input over this period and the previous ones (series[k]: k back).

    NaN when one is missing or for a relative change from zero; ±inf where the true result is
    beyond the float range (a mean never is: it is taken without overflowing).
    """
    stacked = np.vstack(series)
    result: np.ndarray
    if spec.statistic == "change":
        result = series[0] - series[1]
    elif spec.statistic == "relative_change":
        result = (series[0] - series[1]) / np.abs(series[1])
        result[series[1] == 0] = np.nan
    elif spec.statistic == "mean":
        result = stacked.mean(axis=0)
        huge = np.isinf(result)
        result[huge] = (stacked[:, huge] / len(series)).sum(axis=0)
    else:
        steps = np.diff(stacked, axis=0)
        falls = spec.statistic == "falls_every_period"
        result = np.all(steps > 0 if falls else steps < 0, axis=0).astype(float)
        result[np.isnan(stacked).any(axis=0)] = np.nan
    return result


def order_derived(rubric: m.Rubric) -> list[DerivedStep]:
    """Derived inputs in dependency order: history statistics of declared inputs first, then the
    rest, each after what it reads (a statistic of a derived input after that input)."""
    sources: dict[str, Formula | m.History] = {
        d.id: d.history if d.history is not None else parse_formula(str(d.formula))
        for d in rubric.derived
    }
    ordered: list[DerivedStep] = [
        (name, source)
        for name, source in sources.items()
        if isinstance(source, m.History) and source.input not in sources
    ]
    done = {name for name, _ in ordered}

    def visit(name: str) -> None:
        if name in done:
            return
        done.add(name)
        source = sources[name]
        reads = {source.input} if isinstance(source, m.History) else source.names
        for dep in sorted(reads & sources.keys()):
            visit(dep)
        ordered.append((name, source))

    for name in sources:
        visit(name)
    return ordered


class _Lags:
    """Earlier periods' values of an input: a declared input's lag column, or a derived formula
    worked out again from the lag columns of what it reads (missing where it is not finite)."""

    def __init__(
        self, derived: list[DerivedStep], columns: Mapping[str, np.ndarray], n: int
    ) -> None:
        self.formulas = {name: s for name, s in derived if isinstance(s, Formula)}
        self.columns = columns
        self.n = n
        self.known: dict[str, np.ndarray] = {}

    def __call__(self, name: str, lag: int) -> np.ndarray:
        key = lag_column(name, lag)
        if key not in self.known:
            formula = self.formulas.get(name)
            if formula is None:
                column = self.columns.get(key)
                value = np.full(self.n, np.nan) if column is None else np.asarray(column, float)
            else:
                env = {dep: self(dep, lag) for dep in formula.names}
                value = rows_of(formula(env), self.n)
                value = np.where(np.isfinite(value), value, np.nan)
            self.known[key] = value
        return self.known[key]


def derive_values(
    inputs: Mapping[str, m.Input],
    derived: list[DerivedStep],
    columns: Mapping[str, np.ndarray],
    n: int,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Declared plus derived inputs (float arrays of length n, NaN where missing), and for each
    derived input the rows where it is not a finite number although its operands are: a fault
    of the row (an overflow, a zero divisor), not a missing value. Never warns."""
    values = {
        name: np.asarray(columns[name], dtype=float) if name in columns else np.full(n, np.nan)
        for name in inputs
    }
    faults: dict[str, np.ndarray] = {}
    lags = _Lags(derived, columns, n)
    with np.errstate(all="ignore"):
        for name, source in derived:
            if isinstance(source, m.History):
                earlier = [lags(source.input, k) for k in range(1, source.periods)]
                result = history_statistic(source, [values[source.input], *earlier])
                fault = np.isinf(result)
                values[name] = np.where(fault, np.nan, result)
            else:
                values[name] = rows_of(source(values), n)
                fault = ~np.isfinite(values[name])
                for operand in source.names:
                    fault &= np.isfinite(values[operand])
            if fault.any():
                faults[name] = fault
    return values, faults


def faulty_rows(faults: Mapping[str, np.ndarray], n: int) -> np.ndarray:
    """Rows where any derived input has a fault."""
    rows = np.zeros(n, dtype=bool)
    for fault in faults.values():
        rows |= fault
    return rows


def fault_text(source: Formula | m.History, values: Mapping[str, np.ndarray], row: int) -> str:
    """Why a derived input of one row is not a finite number: the fault, the formula, its operands."""
    if isinstance(source, m.History):
        return f"overflows: the {source.statistic} of {source.input!r} is too large for a number"
    env = {name: values[name][row : row + 1] for name in sorted(source.names)}
    faults = source.faults(env) or ("is not a finite number",)
    operands = ", ".join(f"{name} = {float(value[0]):g}" for name, value in env.items())
    given = f" with {operands}" if operands else ""
    return f"{' and '.join(faults)}: {source.source}{given}"
