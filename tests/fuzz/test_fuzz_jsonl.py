"""Fuzz: JSON Lines files read record for record, or refused at the first bad line; every record
read is scored or flagged."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from fuzz_cases import record
from fuzz_jsonl import JsonlCase, check_jsonl, jsonl_cases
from fuzz_run import fuzz_settings
from hypothesis import given

pytestmark = [
    pytest.mark.fuzz,
    pytest.mark.filterwarnings(
        "ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning"
    ),
]


@fuzz_settings("jsonl")
@given(jsonl_cases())
def test_json_lines_read_record_for_record_or_refused_at_the_bad_line(case: JsonlCase) -> None:
    with tempfile.TemporaryDirectory() as folder:
        outcome = check_jsonl(Path(folder), case)
    record("jsonl", case.kinds, outcome)
