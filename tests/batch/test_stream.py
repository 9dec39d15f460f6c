"""assess_stream (issue 11 item 4): a table in chunks gives the results of assess() on the whole.

The in-memory path is the oracle: chunk sizes down to one row must not change one value, flagged
row, rank or place. The bundled rubric on the Jiangxi example is checked too.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import greenscore
from greenscore.batch.stream import assess_stream
from greenscore.errors import StreamingError
from greenscore.io import TableSource, from_frame, read_table
from greenscore.io._chunks import read_chunks
from greenscore.rubric.load import load_rubric

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "jiangxi" / "parks_2016.csv"

POOLED = """
name: streamed
version: "1"
entity: id
period: year
pools: [level]
attributes: [city]
inputs:
  - {id: x}
  - {id: y}
  - {id: z}
dimensions:
  - id: d
    indicators:
      - {id: lin, input: x, method: linear, goalposts: {worst: 0, best: 100}}
      - {id: pct, input: y, method: percentile}
      - {id: zs, input: z, method: zscore, direction: lower}
vetoes:
  - {id: closed, when: "x < 0", kind: unrated, tier: closed, reason: closed down}
tiers:
  - {id: commended, top: 3}
  - {id: good, min_score: 40, max_share: 0.4}
  - {id: normal}
  - {id: talk, bottom: 1}
  - {id: closed}
"""


def _table(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "id": [f"p{i:04d}" for i in range(n)],
            "year": np.full(n, 2020, dtype=object),
            "level": rng.choice(["national", "provincial", "county"], n),
            "city": rng.choice(["南昌", "赣州", "九江"], n),
            "x": rng.integers(0, 100, n).astype(float),
            "y": rng.normal(50, 20, n).round(1).astype(object),
            "z": rng.normal(10, 3, n).round(2),
        }
    )
    frame.loc[[5, 17], "x"] = -1.0
    frame.loc[[9], "y"] = "n/a"
    frame.loc[[30], "id"] = "p0002"
    frame.loc[[31], "id"] = "p0100"
    frame.loc[[12], "year"] = None
    frame.loc[[40, 41], "x"] = 55.0
    return frame


def _chunks(frame: pd.DataFrame, rows: int):
    whole = from_frame(frame)

    def chunks():
        for start in range(0, len(frame), rows):
            part = whole.frame.iloc[start : start + rows].reset_index(drop=True)
            yield TableSource(part, whole.row_numbers[start : start + rows], None, None, "frame")

    return chunks


@pytest.mark.parametrize("rows", [1, 7, 50, 1000])
def test_chunks_give_the_results_of_the_whole_table(rows: int) -> None:
    frame = _table(120, seed=3)
    rubric = load_rubric(POOLED)
    whole = greenscore.assess(frame, rubric, errors="flag")
    streamed = assess_stream(_chunks(frame, rows), rubric, errors="flag", collect=True)
    assert streamed.results is not None
    pd.testing.assert_frame_equal(streamed.results, whole.results)
    pd.testing.assert_frame_equal(streamed.flagged, whole.flagged)
    assert streamed.accounting == whole.accounting
    assert whole.accounting["flagged"] >= 5


def test_bundled_rubric_on_the_jiangxi_example_reads_the_same_in_chunks(tmp_path: Path) -> None:
    whole = greenscore.assess(read_table(EXAMPLE))
    streamed = assess_stream(lambda: read_chunks(str(EXAMPLE), 9), collect=True)
    assert streamed.results is not None
    pd.testing.assert_frame_equal(streamed.results, whole.results)
    assert streamed.accounting == whole.accounting


def test_history_statistics_are_refused() -> None:
    rubric = load_rubric(
        POOLED.replace(
            "dimensions:",
            "derived:\n  - {id: h, history: {input: x, statistic: mean, periods: 2}}\ndimensions:",
        )
    )
    with pytest.raises(StreamingError, match="history statistics of x"):
        assess_stream(_chunks(_table(60, 1), 5), rubric, errors="flag")


SEVERAL = Path(__file__).resolve().parents[2] / "examples" / "jiangxi" / "parks_2015_2016.csv"


def test_the_earlier_of_two_periods_streams_as_in_memory() -> None:
    whole = greenscore.assess(SEVERAL, period=2015)
    streamed = assess_stream(lambda: read_chunks(str(SEVERAL), 13), period=2015, collect=True)
    assert streamed.results is not None
    pd.testing.assert_frame_equal(streamed.results, whole.results)
    assert streamed.accounting == {
        "input_rows": 188,
        "scored": 94,
        "flagged": 0,
        "other_periods": 94,
    }


def test_a_period_with_an_earlier_one_to_compare_with_is_refused() -> None:
    """assess() adds score and rank changes against 2015; streaming assesses one period alone."""
    with pytest.raises(StreamingError, match=r"holds periods before 2016 \(2015\)"):
        assess_stream(lambda: read_chunks(str(SEVERAL), 13), period=2016)
    with pytest.raises(StreamingError, match="name the one to assess"):
        assess_stream(lambda: read_chunks(str(SEVERAL), 13))
