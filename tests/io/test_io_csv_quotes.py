"""A stray double quote never hides rows: the file is refused with the quote's line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from greenscore.errors import InputFileError
from greenscore.io import read_table

HEADER = "park_id,park_name,income,tax"


def _write(tmp_path: Path, *lines: str, newline: str = "\n") -> Path:
    path = tmp_path / "parks.csv"
    path.write_bytes(newline.join((HEADER, *lines, "")).encode("utf-8"))
    return path


def _refused(path: Path) -> str:
    with pytest.raises(InputFileError) as caught:
        read_table(path)
    return str(caught.value)


def test_stray_double_quote_does_not_swallow_rows(tmp_path: Path) -> None:
    # The quote opening p2's name closes only at the end of p5's name: RFC 4180 reads one cell
    # holding three rows, so the file would read as 3 parks instead of 6.
    path = _write(
        tmp_path,
        "p1,North,10,1",
        'p2,"East Park,20,2',
        "p3,South,30,3",
        "p4,West,40,4",
        'p5,Centre",50,5',
        "p6,Lake,60,6",
    )
    message = _refused(path)
    assert "line 3, column 4" in message
    assert "stray quote" in message


def test_stray_double_quote_closed_on_the_next_line_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, 'p1,"North,10,1', 'p2,East",20,2', "p3,South,30,3")
    assert "line 2, column 4" in _refused(path)


def test_stray_double_quote_never_closed_is_refused_at_the_quote(tmp_path: Path) -> None:
    path = _write(tmp_path, "p1,North,10,1", 'p2,"East Park,20,2', "p3,South,30,3", newline="\r\n")
    message = _refused(path)
    assert "line 3, column 4" in message
    assert "never closed" in message


def test_stray_double_quote_closed_by_another_cells_quote_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, 'p1,"East Park,20,2', 'p2,"South" Zone,30,3')
    message = _refused(path)
    assert "line 2, column 4" in message
    assert "line 3, column 4" in message  # where the stray cell closes
    assert "'S' follows" in message


def test_text_after_a_closing_quote_is_refused_not_glued_on(tmp_path: Path) -> None:
    assert "line 2, column 4" in _refused(_write(tmp_path, 'p1,"East" Park,20,2'))


def test_quoted_cells_with_line_breaks_and_quotes_still_read(tmp_path: Path) -> None:
    path = _write(tmp_path, 'p1,"two\nlines",1,2', 'p2,"say ""hi"", then go",3,4', "p3,x,5,6")
    source = read_table(path)
    assert source.frame["park_name"].tolist() == ["two\nlines", 'say "hi", then go', "x"]
    assert source.row_numbers.tolist() == [2, 3, 4]
