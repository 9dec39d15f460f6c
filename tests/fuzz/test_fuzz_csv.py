"""Fuzz: CSV and TSV files are read exactly as an RFC 4180 reader reads them, or refused saying
where; every row read is scored or flagged."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from fuzz_cases import record
from fuzz_csv import CsvCase, check_csv, csv_cases
from fuzz_run import fuzz_settings
from hypothesis import given

pytestmark = [
    pytest.mark.fuzz,
    pytest.mark.filterwarnings(
        "ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning"
    ),
]


@fuzz_settings("csv")
@given(csv_cases())
def test_csv_files_are_read_exactly_or_refused_with_a_location(case: CsvCase) -> None:
    with tempfile.TemporaryDirectory() as folder:
        outcome = check_csv(Path(folder), case)
    record("csv", case.kinds, outcome)
