"""One table, every input kind: CSV, XLSX, Parquet, JSON Lines and a DataFrame assess the same."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import greenscore

JIANGXI = Path(__file__).resolve().parents[2] / "examples" / "jiangxi"
PARKS = 12


def _slice(year: int) -> pd.DataFrame:
    """The first twelve parks of a year, as pandas reads the example file."""
    return pd.read_csv(JIANGXI / f"parks_{year}.csv").head(PARKS)


def _jsonl(frame: pd.DataFrame, path: Path) -> None:
    frame.to_json(path, orient="records", lines=True, force_ascii=False)


WRITERS: dict[str, Callable[[pd.DataFrame, Path], None]] = {
    "csv": lambda frame, path: frame.to_csv(path, index=False),
    "xlsx": lambda frame, path: frame.to_excel(path, index=False),
    "parquet": lambda frame, path: frame.to_parquet(path, index=False),
    "jsonl": _jsonl,
}


@pytest.fixture(scope="module")
def from_frames() -> greenscore.BatchResult:
    return greenscore.assess(_slice(2016), previous=_slice(2015))


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_every_file_kind_assesses_like_the_frame(
    kind: str, from_frames: greenscore.BatchResult, tmp_path: Path
) -> None:
    paths = {}
    for year in (2015, 2016):
        paths[year] = tmp_path / f"parks_{year}.{kind}"
        WRITERS[kind](_slice(year), paths[year])
    result = greenscore.assess(paths[2016], previous=paths[2015])
    assert len(from_frames.results) == PARKS
    assert from_frames.accounting["scored"] == PARKS
    assert result.accounting == from_frames.accounting
    pd.testing.assert_frame_equal(result.results, from_frames.results, check_exact=True)
    pd.testing.assert_frame_equal(result.flagged, from_frames.flagged, check_exact=True)
    assert (result.transitions is None) == (from_frames.transitions is None)
    if result.transitions is not None:
        pd.testing.assert_frame_equal(result.transitions, from_frames.transitions)
