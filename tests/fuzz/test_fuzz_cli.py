"""Fuzz: ``greenscore assess`` on hostile tables writes a whole results folder or leaves the old
one as it was, and prints nothing a terminal would run."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from fuzz_cases import record
from fuzz_cli import CliCase, check_cli, cli_cases
from fuzz_run import fuzz_settings
from hypothesis import given

pytestmark = [
    pytest.mark.fuzz,
    pytest.mark.filterwarnings(
        "ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning"
    ),
]


@fuzz_settings("cli")
@given(cli_cases())
def test_assess_writes_the_whole_folder_or_leaves_it_as_it_was(case: CliCase) -> None:
    with tempfile.TemporaryDirectory() as folder:
        outcome = check_cli(Path(folder), case)
    record("cli", case.kinds, outcome)
