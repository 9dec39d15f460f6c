"""Fuzz: Parquet files of every column type read with every row and column, or refused naming the
file; every row read is scored or flagged."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from fuzz_cases import record
from fuzz_parquet import ParquetCase, check_parquet, parquet_cases
from fuzz_run import fuzz_settings
from hypothesis import given

pytestmark = [
    pytest.mark.fuzz,
    pytest.mark.filterwarnings(
        "ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning"
    ),
]


@fuzz_settings("parquet")
@given(parquet_cases())
def test_parquet_files_of_any_column_type_are_read_whole_or_refused(case: ParquetCase) -> None:
    with tempfile.TemporaryDirectory() as folder:
        outcome = check_parquet(Path(folder), case)
    record("parquet", case.kinds, outcome)
