"""Test-wide settings and the expensive results that several test modules share.

Hypothesis runs without a per-example deadline, since CI machines vary in speed, and keeps its
example database and caches in the system's temporary folder, not in the checkout. The Jiangxi
2016 assessment, its gaps to the next tier and one demo run are computed once per test session;
each session fixture hands out read-only views or checks at the end that no test changed it.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import pandas as pd
import pytest
from hypothesis import settings

import greenscore
from greenscore.report import gaps

settings.register_profile("greenscore", deadline=None, print_blob=True)
settings.load_profile("greenscore")
os.environ.setdefault(
    "HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(tempfile.gettempdir(), "greenscore-hypothesis")
)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
JIANGXI = EXAMPLES / "jiangxi"


@pytest.fixture(scope="session")
def jiangxi_batch() -> Iterator[greenscore.BatchResult]:
    """The 94 Jiangxi parks assessed for 2016 against 2015 with the bundled rubric."""
    batch = greenscore.assess(JIANGXI / "parks_2016.csv", previous=JIANGXI / "parks_2015.csv")
    tables = {name: frame.copy(deep=True) for name, frame in batch.tables().items()}
    yield batch
    for name, frame in batch.tables().items():
        pd.testing.assert_frame_equal(frame, tables[name], obj=f"shared batch table {name!r}")


@pytest.fixture(scope="session")
def jiangxi_gaps(jiangxi_batch: greenscore.BatchResult) -> Mapping[str, greenscore.TierGap | str]:
    """The gap to the next tier of every Jiangxi park, as the reports compute it."""
    return MappingProxyType(gaps(jiangxi_batch))


@dataclass(frozen=True)
class DemoRun:
    """What one ``greenscore demo`` printed and wrote."""

    code: int
    out: str
    err: str
    folder: Path


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """``greenscore demo`` run once in-process from src/, so that it finds examples/ upwards."""
    from greenscore.cli import main

    folder = tmp_path_factory.mktemp("demo") / "out"
    out, err = io.StringIO(), io.StringIO()
    here = Path.cwd()
    os.chdir(ROOT / "src")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["demo", "-o", str(folder)])
    finally:
        os.chdir(here)
    return DemoRun(code, out.getvalue(), err.getvalue(), folder)
