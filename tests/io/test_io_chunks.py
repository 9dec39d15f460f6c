"""Reading a file in chunks (issue 11 item 4): the chunks put together are the whole-file read,
row numbers and messages included, whatever the chunk size."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from greenscore.errors import InputFileError
from greenscore.io import read_table
from greenscore.io._chunks import chunk_files, read_chunks

TEXTS = {
    "quoted.csv": 'id,x\n\n"a\nb",1\r\n\r\nc,"2,5"\n,\nd,3',
    "plain.csv": "id,x\np1,1\np2,2\np3,3\n",
    "tabs.tsv": "id\tx\np1\t1\n\np2\t2\n",
}


def _together(path: Path, rows: int) -> tuple[pd.DataFrame, list[int], str | None]:
    parts = list(read_chunks(str(path), rows))
    frame = pd.concat([p.frame for p in parts], ignore_index=True)
    return frame, np.concatenate([p.row_numbers for p in parts]).tolist(), parts[0].encoding


@pytest.mark.parametrize("name", sorted(TEXTS))
@pytest.mark.parametrize("rows", [1, 2, 5, 1000])
def test_chunks_put_together_are_the_whole_read(tmp_path: Path, name: str, rows: int) -> None:
    path = tmp_path / name
    path.write_bytes(TEXTS[name].encode("utf-8"))
    whole = read_table(path)
    frame, numbers, encoding = _together(path, rows)
    pd.testing.assert_frame_equal(frame, whole.frame)
    assert numbers == whole.row_numbers.tolist()
    assert encoding == whole.encoding


def test_quoted_cell_over_two_lines_keeps_the_numbers_after_it(tmp_path: Path) -> None:
    """Records: 1 header, 2 blank, 3 the cell "a\\nb" (two lines), 4 blank, 5 c, 6 blank cells,
    7 d: the data rows are 3, 5 and 7."""
    path = tmp_path / "quoted.csv"
    path.write_bytes(TEXTS["quoted.csv"].encode("utf-8"))
    frame, numbers, _ = _together(path, 1)
    assert frame["id"].tolist() == ["a\nb", "c", "d"]
    assert numbers == [3, 5, 7]


def test_gb18030_is_told_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes("园区,得分\n南昌高新区,91.5\n赣州经开区,80\n".encode("gb18030"))
    frame, numbers, encoding = _together(path, 1)
    assert encoding == "gb18030"
    assert frame["园区"].tolist() == ["南昌高新区", "赣州经开区"]
    assert numbers == [2, 3]


def test_an_unclosed_quote_is_located_as_in_the_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text('id,x\na,1\nb,"2\nc,3\n', encoding="utf-8")
    with pytest.raises(InputFileError) as whole:
        read_table(path)
    with pytest.raises(InputFileError) as chunked:
        list(read_chunks(str(path), 1))
    assert str(chunked.value) == str(whole.value)
    assert "line 3, column 3" in str(whole.value)


def test_parquet_chunks_are_numbered_from_one(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    pd.DataFrame({"id": ["a", "b", "c"], "x": [1.0, 2.0, 3.0], "note": ["", "", ""]}).to_parquet(
        path
    )
    parts = list(read_chunks(str(path), 2, columns=["id", "x"]))
    assert [p.row_numbers.tolist() for p in parts] == [[1, 2], [3]]
    assert list(parts[0].frame.columns) == ["id", "x"]


def test_a_folder_mixing_csv_and_parquet_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("id\n1\n", encoding="utf-8")
    pd.DataFrame({"id": [1]}).to_parquet(tmp_path / "b.parquet")
    with pytest.raises(InputFileError, match="mixes CSV and Parquet"):
        chunk_files(tmp_path)
