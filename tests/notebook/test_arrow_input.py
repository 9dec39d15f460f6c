"""assess() reads Arrow tables (pyarrow, polars, anything with the Arrow stream interface) as it
reads the same data from CSV: same scores, same problems at the same rows (issue 13, item 2)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

import greenscore
from greenscore.errors import OptionalDependencyError

ROOT = Path(__file__).resolve().parents[2]
JIANGXI = ROOT / "examples" / "jiangxi"
COLUMNS = ["park_id", "total", "tier", "rank", "vetoes"]


class StreamOnly:
    """A table known only by its Arrow stream, as a polars or DuckDB frame presents itself."""

    def __init__(self, table: pa.Table) -> None:
        self.table = table

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        return self.table.__arrow_c_stream__(requested_schema)


def arrow(name: str) -> pa.Table:
    return pacsv.read_csv(JIANGXI / name)


def test_a_pyarrow_table_scores_as_its_csv_file() -> None:
    from_csv = greenscore.assess(JIANGXI / "parks_2016.csv", previous=JIANGXI / "parks_2015.csv")
    from_arrow = greenscore.assess(arrow("parks_2016.csv"), previous=arrow("parks_2015.csv"))
    pd.testing.assert_frame_equal(from_arrow.results[COLUMNS], from_csv.results[COLUMNS])
    assert from_arrow.transitions is not None and from_csv.transitions is not None
    pd.testing.assert_frame_equal(from_arrow.transitions, from_csv.transitions)
    assert from_arrow.provenance.input_path is None


@pytest.mark.parametrize("wrap", [pa.Table.to_batches, StreamOnly], ids=["batch", "stream"])
def test_record_batches_and_arrow_streams_are_tables_too(wrap: Any) -> None:
    table = arrow("parks_2016.csv")
    data = wrap(table)[0] if wrap is pa.Table.to_batches else wrap(table)
    result = greenscore.assess(data)
    expected = greenscore.assess(JIANGXI / "parks_2016.csv")
    pd.testing.assert_frame_equal(result.results[COLUMNS], expected.results[COLUMNS])


def test_bad_cells_are_flagged_at_the_rows_of_the_file() -> None:
    """Row numbers count as in the CSV file (header row 1), so the messages read the same (the
    values may differ: pyarrow's CSV reader itself reads "n/a" as null)."""
    from_csv = greenscore.assess(JIANGXI / "parks_2016_bad_cells.csv", errors="flag")
    from_arrow = greenscore.assess(arrow("parks_2016_bad_cells.csv"), errors="flag")
    assert (
        from_arrow.accounting
        == from_csv.accounting
        == {
            "input_rows": 94,
            "scored": 81,
            "flagged": 13,
            "other_periods": 0,
        }
    )
    pd.testing.assert_frame_equal(
        from_arrow.flagged[["row", "entity", "field"]],
        from_csv.flagged[["row", "entity", "field"]],
    )


def test_a_polars_frame_scores_as_its_csv_file() -> None:
    pl = pytest.importorskip("polars")
    frame = pl.read_csv(JIANGXI / "parks_2016.csv")
    result = greenscore.assess(frame)
    expected = greenscore.assess(JIANGXI / "parks_2016.csv")
    pd.testing.assert_frame_equal(result.results[COLUMNS], expected.results[COLUMNS])


def test_without_pyarrow_an_arrow_stream_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = StreamOnly(arrow("parks_2016.csv"))
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(OptionalDependencyError, match=r"pip install 'greenscore\[io\]'"):
        greenscore.assess(data)


def test_other_objects_are_still_refused() -> None:
    with pytest.raises(TypeError, match="a pyarrow Table, a polars DataFrame"):
        greenscore.assess([{"park_id": "P1"}])  # type: ignore[arg-type]
