"""Results CSVs written column-wise through pyarrow (issue 11, item 3) are byte for byte what pandas
writes (``escape_frame(frame).to_csv``, Python's csv module): every escaping rule, quoting rule and
float form, checked against pandas itself on hostile tables."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from greenscore.io import Provenance, escape_frame, make_provenance, write_csv
from greenscore.io._csv_write import NEEDS_ESCAPE, csv_chunks, supported
from greenscore.io._escape import _TRIGGERS, _UNSAFE_BUT_NEWLINE

HOSTILE_TEXT = [
    "苏州工业园区",
    '=HYPERLINK("http://x")',
    "@evil",
    "+86 123",
    "-1.5",
    "+2e3",
    "-x",
    "\tTAB",
    "\rCR",
    "a,b",
    'say "hi"',
    "two\nlines",
    "crlf\r\nin",
    "\x1b[31mred",
    "bidi\u202egnp.exe",
    "sep\u2028line",
    "c1\x85ctl",
    "nul\x00",
    "",
    " lead and trail ",
    "'quoted",
    '"',
    ",",
]


@pytest.fixture
def prov() -> Provenance:
    return make_provenance(
        rubric_name="t",
        rubric_version="1",
        rubric_sha256="ab" * 32,
        now=datetime(2025, 3, 1, tzinfo=UTC),
    )


def _pandas_bytes(frame: pd.DataFrame, path: Path) -> bytes:
    """What write_csv wrote before issue 11: pandas' to_csv of the escaped frame."""
    escape_frame(frame).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return path.read_bytes()


def _written(frame: pd.DataFrame, path: Path, prov: Provenance) -> bytes:
    write_csv(path, frame, prov)
    return path.read_bytes()


def _floats(n: int, seed: int) -> np.ndarray:
    """Doubles of every magnitude: random bit patterns, values near the positional bounds of
    both formatters, whole numbers, tiny and huge ones, signed zeros, infinities and NaN."""
    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 2**64, size=n, dtype=np.uint64).view(np.float64)
    bits = bits[np.isfinite(bits)]
    edges = np.array([1e-4, 1e10, 1e16, 1e-5, 1e15, 1.0001e-4, 9.9999e9, 1e9])
    near = np.concatenate([np.nextafter(edges, 0), edges, np.nextafter(edges, np.inf)])
    scaled = rng.random(n) * 10.0 ** rng.integers(-8, 20, size=n)
    special = [0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, 1.7976931348623157e308, 0.1, 2.5]
    whole = rng.integers(-(10**12), 10**12, size=n).astype(float)
    rounded = np.round(rng.random(n) * 100, 1)
    values = np.concatenate([bits, near, -near, scaled, special, whole, rounded])
    return values


def _hostile_frame(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    text = [HOSTILE_TEXT[i % len(HOSTILE_TEXT)] for i in range(rows)]
    mixed: list[object] = [
        "x",
        1,
        2.5,
        np.float64(0.1),
        None,
        True,
        Decimal("1.10"),
        "=1+1",
        np.nan,
        -3,
        1e-7,
        pd.NA,
    ]
    return pd.DataFrame(
        {
            "id": [f"P{i:05d}" for i in range(rows)],
            "name": pd.array([None if i % 11 == 0 else t for i, t in enumerate(text)], dtype="str"),
            "raw text": pd.Series(
                [None if i % 13 == 0 else t for i, t in enumerate(reversed(text))], dtype=object
            ),
            "unique text": [f"{t}{i}" for i, t in enumerate(text)],
            "mixed": pd.Series([mixed[i % len(mixed)] for i in range(rows)], dtype=object),
            "score": _floats(rows, 1)[:rows],
            "rank": rng.integers(-(2**62), 2**62, size=rows),
            "count": pd.array([None if i % 5 == 0 else i for i in range(rows)], dtype="Int64"),
            "small": rng.integers(0, 200, size=rows).astype(np.uint8),
            "vetoed": rng.random(rows) < 0.3,
            '=label, "odd"\nname': rng.random(rows),
        }
    )


def test_floats_of_every_magnitude_are_written_as_pandas_writes_them(
    tmp_path: Path, prov: Provenance
) -> None:
    values = _floats(40_000, 3)
    frame = pd.DataFrame({"x": values, "y": values[::-1].copy()})
    assert supported(frame)
    assert _written(frame, tmp_path / "a.csv", prov) == _pandas_bytes(frame, tmp_path / "b.csv")


def test_hostile_table_is_written_as_pandas_writes_it(tmp_path: Path, prov: Provenance) -> None:
    frame = _hostile_frame(5_000)
    assert supported(frame)
    assert frame["raw text"].dtype == object
    assert _written(frame, tmp_path / "a.csv", prov) == _pandas_bytes(frame, tmp_path / "b.csv")


def test_chunk_boundaries_do_not_change_the_text(tmp_path: Path) -> None:
    frame = _hostile_frame(50)
    whole = b"".join(bytes(p) for p in csv_chunks(frame))
    pieces = b"".join(bytes(p) for p in csv_chunks(frame, chunk_rows=7))
    assert pieces == whole
    assert b"\xef\xbb\xbf" + whole == _pandas_bytes(frame, tmp_path / "b.csv")


def test_plain_and_quoted_chunks_follow_each_other(tmp_path: Path) -> None:
    text = ["a", "b", "c", "d,e", "f", "g", "h", 'i"j', "k\nl", "m"]
    frame = pd.DataFrame({"t": text, "x": np.arange(10) / 4})
    pieces = b"".join(bytes(p) for p in csv_chunks(frame, chunk_rows=3))
    assert b"\xef\xbb\xbf" + pieces == _pandas_bytes(frame, tmp_path / "b.csv")


@pytest.mark.parametrize(
    "column",
    [
        pd.array(["", None, "a", ""], dtype="str"),
        np.array([np.nan, 1.5, np.nan, 0.0]),
        pd.array([None, 1, None, 2], dtype="Int64"),
    ],
    ids=["text", "float", "Int64"],
)
def test_a_lone_empty_field_is_quoted_as_the_csv_module_does(
    tmp_path: Path, prov: Provenance, column: object
) -> None:
    frame = pd.DataFrame({"": column})
    expected = _pandas_bytes(frame, tmp_path / "b.csv")
    assert b'""\r\n' in expected
    assert _written(frame, tmp_path / "a.csv", prov) == expected


def test_empty_table_is_its_header(tmp_path: Path, prov: Provenance) -> None:
    frame = _hostile_frame(3).iloc[:0]
    expected = _pandas_bytes(frame, tmp_path / "b.csv")
    assert _written(frame, tmp_path / "a.csv", prov) == expected


def test_lone_surrogates_are_escaped_as_before(tmp_path: Path, prov: Provenance) -> None:
    frame = pd.DataFrame({"t": pd.Series(["ok", "bad\ud800", None], dtype=object), "n": [1, 2, 3]})
    expected = _pandas_bytes(frame, tmp_path / "b.csv")
    assert b"bad\\ud800" in expected
    assert _written(frame, tmp_path / "a.csv", prov) == expected


def test_other_column_types_are_written_by_pandas(tmp_path: Path, prov: Provenance) -> None:
    frame = pd.DataFrame(
        {
            "when": [pd.Timestamp("2024-01-01"), pd.NaT, pd.Timestamp("2024-03-01 12:00")],
            "flag": pd.array([True, None, False], dtype="boolean"),
            "name": ["=a", "b", "c"],
        }
    )
    assert not supported(frame)
    assert _written(frame, tmp_path / "a.csv", prov) == _pandas_bytes(frame, tmp_path / "b.csv")


def test_without_pyarrow_the_same_bytes_are_written(
    tmp_path: Path, prov: Provenance, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = _hostile_frame(200)
    fast = _written(frame, tmp_path / "a.csv", prov)
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    assert _written(frame, tmp_path / "b.csv", prov) == fast


def test_escape_pattern_matches_every_character_escape_terminal_changes() -> None:
    chars = [chr(c) for c in range(0x3100) if not 0xD800 <= c <= 0xDFFF]
    matched = pc.match_substring_regex(pa.array([f"a{c}" for c in chars]), NEEDS_ESCAPE)
    expected = [_UNSAFE_BUT_NEWLINE.search(c) is not None for c in chars]
    assert matched.to_pylist() == expected
    starts = pc.match_substring_regex(pa.array([f"{c}a" for c in chars]), NEEDS_ESCAPE)
    expected_starts = [e or c in _TRIGGERS for c, e in zip(chars, expected, strict=True)]
    assert starts.to_pylist() == expected_starts
