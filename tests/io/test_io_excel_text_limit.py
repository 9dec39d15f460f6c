"""Issue 12, lesser item: Excel cuts text past 32,767 characters short without a word, so a
workbook with longer text is refused before any file is written, naming the table, row, column
and length, and suggesting csv or parquet."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from greenscore.errors import OutputError
from greenscore.io import Provenance, check_excel_size, make_provenance, write_excel

LIMIT = 32_767


@pytest.fixture
def prov() -> Provenance:
    return make_provenance(
        rubric_name="r",
        rubric_version="1",
        rubric_sha256="ab" * 32,
        now=datetime(2024, 1, 1, tzinfo=UTC),
    )


def _refused(tmp_path: Path, prov: Provenance, frame: pd.DataFrame) -> str:
    target = tmp_path / "out.xlsx"
    with pytest.raises(OutputError) as caught:
        write_excel(target, {"results": frame}, prov)
    assert list(tmp_path.iterdir()) == []
    return str(caught.value)


def test_lesser_long_text_is_refused_before_the_workbook_is_written(
    tmp_path: Path, prov: Provenance
) -> None:
    names = ["short", "x" * 40_000, "y" * 50_000]
    frame = pd.DataFrame({"park_id": ["p1", "p2", "p3"], "park_name": names})
    message = _refused(tmp_path, prov, frame)
    # p2 is the second data row, so row 3 of the sheet (the header is row 1).
    assert (
        "table 'results', row 3 of its sheet, column 'park_name': text of 40,000 characters; "
        "an Excel cell holds at most 32,767"
    ) in message
    assert "csv or parquet" in message


def test_text_of_exactly_the_limit_is_written_and_one_more_is_refused(
    tmp_path: Path, prov: Provenance
) -> None:
    write_excel(tmp_path / "ok.xlsx", {"t": pd.DataFrame({"a": ["x" * LIMIT]})}, prov)
    with pytest.raises(OutputError, match="text of 32,768 characters"):
        check_excel_size({"t": pd.DataFrame({"a": ["x" * (LIMIT + 1)]})})


def test_the_escaped_length_is_what_counts(tmp_path: Path, prov: Provenance) -> None:
    """A formula-like text gets a leading apostrophe, so 32,767 characters become 32,768."""
    check_excel_size({"t": pd.DataFrame({"a": ["a" * LIMIT]})})
    with pytest.raises(OutputError, match="text of 32,768 characters"):
        check_excel_size({"t": pd.DataFrame({"a": ["=" + "a" * (LIMIT - 1)]})})


def test_characters_beyond_the_basic_plane_count_twice_as_excel_counts_them() -> None:
    check_excel_size({"t": pd.DataFrame({"a": ["😀" * 16_383 + "a"]})})
    with pytest.raises(OutputError, match="text of 32,768 characters"):
        check_excel_size({"t": pd.DataFrame({"a": ["😀" * 16_384]})})


def test_a_long_header_is_named_as_a_header() -> None:
    with pytest.raises(OutputError, match=r"row 1 of its sheet, the header of column 2: text"):
        check_excel_size({"t": pd.DataFrame({"a": [1], "h" * 40_000: [2]})})


def test_long_text_in_an_index_or_a_categorical_column_is_found() -> None:
    indexed = pd.DataFrame({"v": [1, 2]}, index=pd.Index(["p", "q" * 40_000], name="park"))
    with pytest.raises(OutputError, match="row 3 of its sheet, column 'park'"):
        check_excel_size({"t": indexed})
    category = pd.DataFrame({"c": pd.Categorical(["z" * 40_000, "a"])})
    with pytest.raises(OutputError, match="row 2 of its sheet, column 'c'"):
        check_excel_size({"t": category})
