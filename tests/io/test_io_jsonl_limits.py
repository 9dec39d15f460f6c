"""JSON Lines: huge numbers and deep nesting are located InputFileErrors, not Python crashes."""

from __future__ import annotations

from pathlib import Path

import pytest

from greenscore.errors import InputFileError
from greenscore.io import read_table


def _refused(tmp_path: Path, *lines: str) -> str:
    path = tmp_path / "parks.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        read_table(path)
    return str(caught.value)


@pytest.mark.parametrize("number", ["1" + "0" * 400, "-1" + "0" * 400, "1e400", "-2.5E+999"])
def test_huge_json_number_is_a_located_error_not_an_overflow(tmp_path: Path, number: str) -> None:
    message = _refused(
        tmp_path, '{"park_id": "p1", "income": 1}', f'{{"park_id": "p2", "income": {number}}}'
    )
    # '{"park_id": "p2", "income": ' is 28 characters, so the number starts in column 29.
    assert "line 2, column 29" in message
    assert "overflows" in message


def test_json_number_with_more_digits_than_python_converts_is_a_located_error(
    tmp_path: Path,
) -> None:
    message = _refused(tmp_path, '{"park_id": "p1", "income": ' + "9" * 5000 + "}")
    assert "line 1, column 29" in message
    assert "(5000 characters)" in message


def test_deep_json_nesting_is_a_located_error_not_a_recursion_error(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    message = _refused(tmp_path, '{"park_id": "p1"}', '{"park_id": "p2", "income": ' + deep + "}")
    assert "line 2 nests arrays or objects too deeply" in message


def test_large_but_finite_json_numbers_still_read(tmp_path: Path) -> None:
    path = tmp_path / "parks.jsonl"
    path.write_text('{"park_id": "p1", "a": 1e308, "b": ' + "9" * 300 + ', "c": -5}\n')
    frame = read_table(path).frame
    assert frame["a"].tolist() == [1e308]
    assert frame["b"].tolist() == [10**300 - 1]
    assert frame["c"].tolist() == [-5]
