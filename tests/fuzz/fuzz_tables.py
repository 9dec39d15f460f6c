"""Hostile tables before any file format: a header and rows of cells, with the faults each holds.

Every format module (CSV, Excel, Parquet, JSON Lines) renders these tables, so a junk cell is
tried in every format. Cells are Python values as a user would type or a program would store
them: text, numbers, booleans, dates, None. The rubric is examples/rubrics/worked-example.yaml.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from fuzz_run import TABLE_RUBRIC
from hypothesis import strategies as st

from greenscore.rubric import models as m

ENTITY = TABLE_RUBRIC.entity
PERIOD = TABLE_RUBRIC.period
PERIOD_VALUE = 2020
INPUTS: dict[str, m.Input] = {spec.id: spec for spec in TABLE_RUBRIC.inputs}
COLUMNS = [ENTITY, PERIOD, *TABLE_RUBRIC.attributes, *INPUTS]

CONTROL = [
    "\x1b[2J",
    "\x1b]0;pwned\x07",
    "\u202eevil",
    "\x7f",
    "\x85",
    "\u2028",
    "\ufeff",
    "\u200b",
    "\x08\x08",
    "\t",
    "a\nb",
    "a\r\nb",
]
HUGE = [
    "1e308",
    "1.7976931348623157e308",
    "1e309",
    "-1e400",
    str(10**30),
    "9" * 400,
    1e308,
    -1.7976931348623157e308,
    2**63,
    -(2**64),
    10**30,
]
TINY = ["1e-320", "5e-324", "-0", "0.0000000000000000001", "-1e-310", 5e-324, -0.0]
NON_FINITE: list[Any] = ["nan", "NaN", "inf", "-Infinity", "infinity", "+inf"]
NON_FINITE += [float("nan"), float("inf"), float("-inf")]
FORMATTED = [
    "1,234.5",
    "12%",
    " 12 ",
    "１２",
    "1_000",
    "1.234,5",
    "+5",
    ".5",
    "5.",
    "0x10",
    "1e5",
    "٣",
    "12 亿元",
    "≈3",
]
WRONG_TYPE: list[Any] = [
    True,
    False,
    "yes",
    "是",
    dt.datetime(2020, 1, 1),
    dt.date(2020, 5, 4),
    1.5,
]
BLANK: list[Any] = ["", "   ", None, "\t", "\u3000"]
BAD_PERIODS: list[Any] = [
    "",
    "twenty",
    "2020.5",
    "99999999999999999999",
    "9223372036854775808",
    "-1",
    1e300,
    True,
    "２０２０",
    "2020-01-01",
    dt.datetime(2020, 1, 1),
    float("nan"),
]


@dataclass
class Table:
    """A header and rows of cells; a row that is None is a blank line. ``kinds`` names the faults."""

    header: list[Any]
    rows: list[list[Any] | None]
    kinds: set[str] = field(default_factory=set)


def valid_cell(draw: st.DrawFn, name: str, index: int) -> Any:
    """A value the rubric accepts for column ``name`` on data row ``index``."""
    if name == ENTITY:
        return f"P{index:03d}"
    if name == PERIOD:
        return draw(st.sampled_from([PERIOD_VALUE, str(PERIOD_VALUE), f" {PERIOD_VALUE} "]))
    spec = INPUTS.get(name)
    if spec is None:
        return draw(st.sampled_from(["Nanchang", "赣州", "Jiujiang", "O'Brien & Sons"]))
    if spec.type == "boolean":
        return draw(st.sampled_from([True, False, "yes", "no", "是", "否", "TRUE", "0", 1]))
    if spec.type == "category":
        return draw(st.sampled_from(list(spec.categories or [])))
    low = spec.min if spec.min is not None else -1000.0
    high = spec.max if spec.max is not None else low + 1000.0
    if spec.type == "integer":
        number: Any = draw(st.integers(int(low), int(high)))
    else:
        number = draw(st.floats(low, high, allow_nan=False, allow_subnormal=False))
    return draw(st.sampled_from([number, str(number)]))


def out_of_range(spec: m.Input | None) -> list[Any]:
    """Values just outside an input's declared range."""
    if spec is None or spec.type in ("boolean", "category"):
        return ["maybe", 2, "unknown"]
    values: list[Any] = []
    if spec.min is not None:
        values += [spec.min - 1, spec.min - 1e-9, str(spec.min - 0.5)]
    if spec.max is not None:
        values += [spec.max + 1, spec.max * 1.000001 + 1e-9]
    return values or [-1e12]


CELL_FAULTS: dict[str, Any] = {
    "cell.junk-text": st.text(
        st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=12
    ),
    "cell.control-chars": st.sampled_from(CONTROL),
    "cell.huge-number": st.sampled_from(HUGE),
    "cell.derived-overflow": st.sampled_from([1e308, "1e308", 1e-300, "1e-300"]),
    "cell.tiny-number": st.sampled_from(TINY),
    "cell.non-finite": st.sampled_from(NON_FINITE),
    "cell.formatted-number": st.sampled_from(FORMATTED),
    "cell.wrong-type": st.sampled_from(WRONG_TYPE),
    "cell.blank": st.sampled_from(BLANK),
    "cell.long-text": st.integers(1000, 8000).map(lambda n: "长" * n),
}
"""Each cell fault and the values it puts in a cell."""


def _cell_fault(draw: st.DrawFn, name: str, kinds: set[str]) -> Any:
    kind = draw(st.sampled_from([*CELL_FAULTS, "cell.out-of-range"]))
    kinds.add(kind)
    if kind == "cell.out-of-range":
        return draw(st.sampled_from(out_of_range(INPUTS.get(name))))
    return draw(CELL_FAULTS[kind])


def _row(draw: st.DrawFn, header: list[Any], index: int, junk: float, kinds: set[str]) -> list[Any]:
    row = []
    for name in header:
        if draw(st.floats(0, 1)) < junk:
            row.append(_cell_fault(draw, name, kinds))
        else:
            row.append(valid_cell(draw, name, index))
    return row


def _repeated(rows: list[list[Any] | None], header: list[Any], size: int) -> list[list[Any] | None]:
    """``size`` rows made by repeating ``rows`` under new ids (drawing hundreds of rows cell by
    cell would outgrow what hypothesis draws for one case)."""
    out: list[list[Any] | None] = []
    for i in range(size):
        row = list(rows[i % len(rows)] or [])
        if ENTITY in header:
            row[header.index(ENTITY)] = f"P{i + 1:03d}"
        out.append(row)
    return out


def _header(draw: st.DrawFn, kinds: set[str]) -> list[Any]:
    header: list[Any] = list(COLUMNS)
    if draw(st.integers(0, 5)) == 0:
        kinds.add("column.missing")
        missing = draw(st.sampled_from(header))
        header.remove(missing)
    if draw(st.integers(0, 5)) == 0:
        kinds.add("column.unknown")
        header.insert(draw(st.integers(0, len(header))), draw(st.sampled_from(["colour", "备注"])))
    if draw(st.integers(0, 12)) == 0:
        kinds.add("column.duplicate-header")
        header.append(draw(st.sampled_from(header)))
    if draw(st.integers(0, 6)) == 0:
        kinds.add("column.header-variant")
        j = draw(st.integers(0, len(header) - 1))
        header[j] = draw(
            st.sampled_from([f" {header[j]} ", str(header[j]).upper(), f"{header[j]}\u3000"])
        )
    if draw(st.integers(0, 12)) == 0:
        kinds.add("column.blank-header")
        header.insert(draw(st.integers(0, len(header))), "")
    if draw(st.integers(0, 4)) == 0:
        kinds.add("column.reordered")
        header = draw(st.permutations(header))
    return header


@st.composite
def tables(draw: st.DrawFn) -> Table:
    """A table for the worked-example rubric with a random mix of cell, row and column faults."""
    kinds: set[str] = set()
    header = _header(draw, kinds)
    size = draw(st.integers(0, 8))
    junk = draw(st.sampled_from([0.0, 0.0, 0.05, 0.2, 0.6]))
    rows: list[list[Any] | None] = [_row(draw, header, i + 1, junk, kinds) for i in range(size)]
    if not rows:
        kinds.add("table.no-rows")
    elif draw(st.integers(0, 30)) == 0:
        kinds.add("table.many-rows")
        rows = _repeated(rows, header, draw(st.integers(100, 250)))
    entity = header.index(ENTITY) if ENTITY in header else None
    period = header.index(PERIOD) if PERIOD in header else None
    for row in rows:
        assert row is not None
        fault = draw(st.integers(0, 14))
        if fault == 0 and entity is not None and rows:
            other = draw(st.sampled_from(rows))
            if other is not None:
                kinds.add("row.duplicate-id")
                row[entity] = other[entity]
        elif fault == 1 and entity is not None:
            kinds.add("row.blank-id")
            row[entity] = draw(st.sampled_from(BLANK))
        elif fault == 2 and period is not None:
            kinds.add("row.other-period")
            row[period] = draw(st.sampled_from([2019, "2018", 2021]))
        elif fault == 3 and period is not None:
            kinds.add("row.bad-period")
            row[period] = draw(st.sampled_from(BAD_PERIODS))
    if size and draw(st.integers(0, 6)) == 0:
        kinds.add("row.blank")
        rows.insert(draw(st.integers(0, len(rows))), None)
    return Table(header, rows, kinds)


def text_of(value: Any) -> str:
    """A cell as text typed into a CSV file."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def is_blank_text(text: str) -> bool:
    """A cell of blanks only, as the file formats define an empty cell."""
    return not text.strip()


def example_rows(*changed: dict[str, Any]) -> Table:
    """Two valid rows, then one row per mapping of changed cells, for the registry's examples."""
    base = {
        ENTITY: "P001",
        PERIOD: PERIOD_VALUE,
        "city": "Nanchang",
        "revenue": 120,
        "land": 800,
        "plot_ratio": 1.2,
        "industrial_share": 55,
        "energy_intensity": 0.5,
        "water_reuse": 80,
        "green_plan": "yes",
        "sewage_plant": "yes",
        "audits_done": "no",
        "cluster_income": 300,
        "stage": "integration",
        "major_incidents": 0,
        "serious_incidents": 0,
        "findings": 1,
    }
    rows: list[list[Any] | None] = []
    for index, change in enumerate([{}, {}, *changed], start=1):
        row = {**base, ENTITY: f"P{index:03d}", **change}
        rows.append([row.get(name) for name in COLUMNS])
    return Table(list(COLUMNS), rows)
