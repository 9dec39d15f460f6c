"""The registry of every kind of bad input and fault the fuzz suite tries: one line of description,
an example and what the user sees. docs/reliability.md is generated from it.

The table kinds (cells, rows, columns) are drawn in every file format; their examples are CSV.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import fuzz_cli
import fuzz_csv
import fuzz_excel
import fuzz_jsonl
import fuzz_parquet
import fuzz_rubrics
from fuzz_csv import check_csv, render
from fuzz_run import TALLY, Kind, Outcome, guarded
from fuzz_tables import COLUMNS, Table, example_rows

from greenscore.errors import GreenscoreError


def _table_kind(
    id: str, description: str, example: str, expect: str, table: Table, known: str | None = None
) -> Kind:
    text = render(table, ",", False, "\n", trailing=True)
    case = fuzz_csv.CsvCase(".csv", text.encode("utf-8"), text, "utf-8")

    def run(folder: Path) -> Outcome:
        return guarded(lambda: check_csv(folder, case), None)

    return Kind(id, "Any table", description, example, expect, run, known)


def _with_header(header: list[Any], *changed: dict[str, Any]) -> Table:
    """The example rows under another header (cells follow their column's name)."""
    table = example_rows(*changed)
    rows: list[list[Any] | None] = []
    for row in table.rows:
        assert row is not None
        cells = dict(zip(COLUMNS, row, strict=True))
        rows.append([cells.get(str(name).strip(), "x") for name in header])
    return Table(header, rows)


def _blank_line() -> Table:
    table = example_rows()
    table.rows.insert(1, None)
    return table


_NO_REVENUE = [c for c in COLUMNS if c != "revenue"]

# fmt: off
TABLE_KINDS = [
    _table_kind("cell.junk-text", "random Unicode text in any cell", "revenue = 'ǅ𝔘'", "flagged", example_rows({"revenue": "ǅ𝔘"})),
    _table_kind("cell.control-chars", "escape codes, bidi overrides, zero-width and line-break characters", "city = ESC[2J", "scored", example_rows({"city": "\x1b[2J"})),
    _table_kind("cell.huge-number", "1e308, 1e309, 400-digit and 2**64 numbers", "revenue = 1e309", "flagged", example_rows({"revenue": "1e309"})),
    _table_kind("cell.derived-overflow", "numbers whose derived input overflows (1e308 / 1e-300)", "revenue = 1e308, land = 1e-300", "flagged", example_rows({"revenue": 1e308, "land": 1e-300})),
    _table_kind("cell.tiny-number", "subnormal numbers and -0", "land = 5e-324", "flagged", example_rows({"land": "5e-324"})),
    _table_kind("cell.non-finite", "nan, inf, -Infinity as text or as numbers", "revenue = nan", "flagged", example_rows({"revenue": "nan"})),
    _table_kind("cell.formatted-number", "thousands separators, %, full-width digits, units, 0x10", "revenue = 12 亿元", "flagged", example_rows({"revenue": "12 亿元"})),
    _table_kind("cell.out-of-range", "values just outside an input's declared range", "plot_ratio = 5.000001", "flagged", example_rows({"plot_ratio": 5.000001})),
    _table_kind("cell.wrong-type", "booleans, dates and fractions where numbers or whole numbers belong", "findings = 1.5", "flagged", example_rows({"findings": 1.5})),
    _table_kind("cell.blank", "empty, blank and full-width-space cells", "energy_intensity = '\u3000'", "flagged", example_rows({"energy_intensity": "\u3000"})),
    _table_kind("cell.long-text", "text of thousands of characters", "city = 长 × 8000", "scored", example_rows({"city": "长" * 8000})),
    _table_kind("row.duplicate-id", "two rows with one id in one period", "P003 twice", "flagged", example_rows({"park_id": "P001"})),
    _table_kind("row.blank-id", "a row without an id", "park_id = ' '", "flagged", example_rows({"park_id": " "})),
    _table_kind("row.other-period", "rows of another year", "year = 2019", "scored", example_rows({"year": 2019})),
    _table_kind("row.bad-period", "years that are text, fractions, beyond ±999,999,999 or empty", "year = 9223372036854775808", "flagged", example_rows({"year": "9223372036854775808"})),
    _table_kind("row.blank", "blank rows between rows", "an empty line", "scored", _blank_line()),
    _table_kind("column.missing", "a required column missing", "no revenue column", "flagged", _with_header(_NO_REVENUE)),
    _table_kind("column.unknown", "columns the rubric does not know", "a '备注' column", "scored", _with_header([*COLUMNS, "备注"])),
    _table_kind("column.duplicate-header", "two columns with one header", "two 'city' columns", "InputFileError", _with_header([*COLUMNS, "city"])),
    _table_kind("column.header-variant", "headers with spaces or in capitals", "' revenue ', 'LAND'", "flagged", _with_header([" revenue " if c == "revenue" else "LAND" if c == "land" else c for c in COLUMNS])),
    _table_kind("column.blank-header", "a column without a header", "a column headed ''", "InputFileError", _with_header([*COLUMNS, ""])),
    _table_kind("column.reordered", "columns in any order", "columns reversed", "scored", _with_header(COLUMNS[::-1])),
    _table_kind("table.no-rows", "a header and no rows", "the header only", "ProfileError", Table(list(COLUMNS), [])),
    _table_kind("table.many-rows", "hundreds of rows", "250 rows", "scored", example_rows(*({"park_id": f"Q{i}"} for i in range(248)))),
]
# fmt: on

KINDS: list[Kind] = [
    *TABLE_KINDS,
    *fuzz_csv.KINDS,
    *fuzz_excel.KINDS,
    *fuzz_parquet.KINDS,
    *fuzz_jsonl.KINDS,
    *fuzz_rubrics.KINDS,
    *fuzz_cli.KINDS,
]
BY_ID = {kind.id: kind for kind in KINDS}
assert len(BY_ID) == len(KINDS), "a kind id is registered twice"


def record(test: str, kinds: Iterable[str], outcome: Outcome) -> None:
    """Count a fuzz case, refusing kinds the registry does not describe."""
    unknown = set(kinds) - set(BY_ID)
    assert not unknown, f"kinds missing from the registry (tests/fuzz/fuzz_cases.py): {unknown}"
    TALLY.add(test, kinds, outcome)


def run_example(kind: Kind, folder: Path) -> Outcome:
    """A kind's example as the user meets it; for a known open defect, whatever it raises today."""
    if kind.known is None:
        return kind.run(folder)
    try:
        return kind.run(folder)
    except GreenscoreError:
        raise
    except Exception as error:
        return Outcome(type(error).__name__, str(error))
