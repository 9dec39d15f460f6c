"""pyarrow's CSV reader for plain text, and Parquet read for just the columns a rubric needs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from greenscore.io import read_table
from greenscore.io._csv import parse_delimited
from greenscore.io._csv_fast import parse_plain

pytest.importorskip("pyarrow")


@pytest.mark.parametrize(
    "text",
    [
        "id,x\np1,1.5\np2,\n",
        "id,x\r\np1,1.5\r\np2, 7 \r\n",
        " id , x \np1,abc\n",
        "id\tx\np1\t2\n",
        "名称,数值\n南昌,1.5\n赣州,2\n",
        "id,x\np1,1",
    ],
)
def test_plain_text_reads_as_the_rfc4180_reader_reads_it(text: str) -> None:
    sep = "\t" if "\t" in text else ","
    fast = parse_plain(text, sep, "t.csv")
    assert fast is not None
    slow = parse_delimited(text, sep, "t.csv")
    pd.testing.assert_frame_equal(fast[0], slow[0])
    assert fast[1] == slow[1]


def test_cells_are_kept_as_typed() -> None:
    found = parse_plain("id,x,y\np1, 1.50 ,12%\np2,,n/a\n", ",", "t.csv")
    assert found is not None
    frame, rows = found
    assert list(frame.columns) == ["id", "x", "y"]
    assert frame["x"].tolist() == [" 1.50 ", ""]
    assert frame["y"].tolist() == ["12%", "n/a"]
    assert rows == [2, 3]


@pytest.mark.parametrize(
    "text",
    [
        'id,x\n"p,1",2\n',
        "id,x\np1,1\n\np2,2\n",
        "id,x\n,\np1,1\n",
        "\nid,x\np1,1\n",
        "id,x\np1\n",
        "id,x\np1,1,3\n",
        "id,,x\np1,,1\n",
        "id,x\np1,\u30001\n",
        "id,x\rp1,1\r",
        "id\np1\n",
    ],
)
def test_text_that_needs_the_located_reader_is_handed_back(text: str) -> None:
    assert parse_plain(text, ",", "t.csv") is None


def test_duplicate_headers_are_refused_as_the_slow_reader_refuses_them() -> None:
    with pytest.raises(Exception, match="duplicate column headers: 'x'") as fast:
        parse_plain("id,x,x\np1,1,2\n", ",", "t.csv")
    with pytest.raises(Exception, match="duplicate column headers: 'x'") as slow:
        parse_delimited("id,x,x\np1,1,2\n", ",", "t.csv")
    assert str(fast.value) == str(slow.value)


def test_gb18030_text_is_transcoded_for_the_fast_reader(tmp_path: Path) -> None:
    path = tmp_path / "parks.csv"
    path.write_bytes("园区,得分\n南昌高新区,91.5\n赣州经开区,80\n".encode("gb18030"))
    source = read_table(path)
    assert source.encoding == "gb18030"
    assert source.frame["园区"].tolist() == ["南昌高新区", "赣州经开区"]
    assert source.frame["得分"].tolist() == ["91.5", "80"]
    assert source.row_numbers.tolist() == [2, 3]


def test_defect11_ragged_row_keeps_its_located_message(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("id,x\np1,1\np2,2,3\n", encoding="utf-8")
    with pytest.raises(Exception, match=r"row 3 has a value in column 3 \(C\)"):
        read_table(path)


def _parquet(tmp_path: Path) -> Path:
    path = tmp_path / "t.parquet"
    pd.DataFrame(
        {"id": ["a", "b"], "x": [1.0, 2.0], "note": ["n1", "n2"], "year": [1, 1]}
    ).to_parquet(path)
    return path


def test_parquet_reads_only_the_columns_asked_for(tmp_path: Path) -> None:
    source = read_table(_parquet(tmp_path), columns=["id", "x"], optional=["year", "gone"])
    assert list(source.frame.columns) == ["id", "x", "year"]
    assert source.frame["x"].tolist() == [1.0, 2.0]


def test_parquet_without_a_needed_column_is_read_whole(tmp_path: Path) -> None:
    source = read_table(_parquet(tmp_path), columns=["id", "X1"])
    assert list(source.frame.columns) == ["id", "x", "note", "year"]
