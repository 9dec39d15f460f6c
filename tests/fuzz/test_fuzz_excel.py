"""Fuzz: Excel workbooks read as the cells Excel shows, or refused naming the cells; every row read
is scored or flagged."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from fuzz_cases import record
from fuzz_excel import ExcelCase, check_excel, excel_cases
from fuzz_run import fuzz_settings
from hypothesis import given

pytestmark = [
    pytest.mark.fuzz,
    pytest.mark.filterwarnings(
        "ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning"
    ),
]


@fuzz_settings("excel")
@given(excel_cases())
def test_excel_workbooks_read_as_shown_or_refused_naming_the_cells(case: ExcelCase) -> None:
    with tempfile.TemporaryDirectory() as folder:
        outcome = check_excel(Path(folder), case)
    record("excel", case.kinds, outcome)
