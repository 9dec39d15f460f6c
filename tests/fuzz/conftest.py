"""The fuzz suite's tally: with GREENSCORE_FUZZ_SUMMARY set to a folder, each pytest process
writes what its cases met there (make fuzz merges them into docs/reliability.md)."""

from __future__ import annotations

import os

import pytest
from fuzz_run import TALLY


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    folder = os.environ.get("GREENSCORE_FUZZ_SUMMARY")
    if folder and TALLY.cases:
        TALLY.write(folder, os.environ.get("PYTEST_XDIST_WORKER", "main"))
