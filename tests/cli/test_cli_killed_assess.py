"""The kill test (issue 12): ``greenscore assess`` on a 300,000-row table, killed with SIGKILL at
seeded random moments into a folder holding an earlier run's results, leaves that folder the
complete old set or the complete new set every time; the next run succeeds and leaves no
temporary or lock file behind."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[2]
ROWS = 300_000
KILLS = 20
SEED = 20161
FORMATS = ["csv", "parquet"]
TABLES = ["results", "flagged", "summary", "rubric"]
SET = sorted(
    [f"{t}.csv" for t in TABLES]
    + [f"{t}.csv.provenance.json" for t in TABLES]
    + [f"{t}.parquet" for t in TABLES]
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.name != "posix", reason="SIGKILL"),
]


def generate(path: Path, rows: int, seed: int) -> str:
    """``rows`` parks with the bundled rubric's columns: the 94 Jiangxi parks of 2016 repeated
    under new ids, plot ratios drawn afresh (seeded). Returns the file's sha256."""
    parks = pd.read_csv(
        ROOT / "examples" / "jiangxi" / "parks_2016.csv", dtype=str, keep_default_na=False
    )
    table = parks.iloc[np.arange(rows) % len(parks)].reset_index(drop=True)
    table["park_id"] = [f"P{i:06d}" for i in range(rows)]
    rng = np.random.default_rng(seed)
    table["plot_ratio"] = np.round(rng.uniform(0.3, 2.0, rows), 2).astype(str)
    table.to_csv(path, index=False)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def start(data: Path, out: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-m", "greenscore", "assess", str(data), "-o", str(out)]
    return subprocess.Popen(
        [*command, "--format", *FORMATS],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stats(folder: Path) -> dict[str, tuple[int, int, int]]:
    """Each entry's inode, size and modification time: unchanged exactly when the old set is."""
    return {
        entry.name: (entry.stat().st_ino, entry.stat().st_size, entry.stat().st_mtime_ns)
        for entry in folder.iterdir()
    }


def whole_set(folder: Path) -> tuple[str, str]:
    """Assert the folder holds one complete set of results; return its run (input sha256 and
    creation time). Every CSV is whole (its bytes match the sha256 its sidecar records), every
    Parquet file is whole (its footer reads) and every file carries the same provenance."""
    assert sorted(os.listdir(folder)) == SET
    runs = set()
    for table in TABLES:
        sidecar = json.loads((folder / f"{table}.csv.provenance.json").read_text("utf-8"))
        digest = hashlib.sha256((folder / f"{table}.csv").read_bytes()).hexdigest()
        assert digest == sidecar["output_sha256"], f"{table}.csv is not the file its run wrote"
        metadata = pq.read_schema(folder / f"{table}.parquet").metadata
        stored = json.loads(metadata[b"greenscore.provenance"])
        runs |= {
            (sidecar["input_sha256"], sidecar["created_at"]),
            (stored["input_sha256"], stored["created_at"]),
        }
    assert len(runs) == 1, f"a mixed set: {sorted(runs)}"
    return runs.pop()


def staging(parent: Path) -> set[str]:
    """The temporary folders beside the results that runs build their sets in."""
    return {p.name for p in parent.iterdir() if p.name.startswith(".results.greenscore-tmp-")}


def debris(parent: Path, folder: Path) -> list[str]:
    """What runs left beside the folder or hidden inside it."""
    beside = [p.name for p in parent.iterdir() if p != folder]
    inside = [p.name for p in folder.iterdir() if p.name.startswith(".")]
    return sorted(beside + inside)


@dataclass
class Pace:
    """How long a run takes and how long it spends writing, as last seen: kill moments are
    seeded fractions of these, so they follow the machine's load."""

    total: float
    writing: float

    def moment(self, fraction: float, anywhere: bool, staged: float | None) -> float | None:
        """Seconds after its start to kill a run; None until a writing-phase kill can be timed."""
        if anywhere:
            return fraction * self.total
        return None if staged is None else staged + fraction * self.writing


def watch(
    run: subprocess.Popen[bytes],
    work: Path,
    old: set[str],
    when: Callable[[float | None], float | None],
) -> tuple[float, float | None]:
    """Follow a run, killing it once ``when(staged)`` seconds have passed; return how long it ran
    and when its temporary folder appeared (None if it did not)."""
    began = time.monotonic()
    staged = None
    while run.poll() is None:
        now = time.monotonic() - began
        if staged is None and staging(work) - old:
            staged = now
        due = when(staged)
        if due is not None and now >= due:
            run.send_signal(signal.SIGKILL)
            break
        time.sleep(0.01)
    run.wait()
    return time.monotonic() - began, staged


def test_killed_runs_leave_the_old_set_or_the_new_one(tmp_path: Path) -> None:
    """Half the kills fall anywhere in a run, half while it writes its results; the folder is
    checked after each kill, and after a last run left to finish."""
    data = {"a": tmp_path / "parks-a.csv", "b": tmp_path / "parks-b.csv"}
    sha = {"a": generate(data["a"], ROWS, seed=1), "b": generate(data["b"], ROWS, seed=2)}
    work = tmp_path / "work"
    work.mkdir()
    out = work / "results"

    first = start(data["a"], out)
    total, staged = watch(first, work, set(), lambda _: None)
    assert first.returncode == 0 and staged is not None
    pace = Pace(total, total - staged)
    held = whole_set(out)
    assert held[0] == sha["a"]

    rng = random.Random(SEED)
    kills = writing = runs = 0
    while kills < KILLS:
        runs += 1
        assert runs <= 3 * KILLS, "runs kept finishing before their kill"
        name = "b" if held[0] == sha["a"] else "a"
        before, old = stats(out), staging(work)
        run = start(data[name], out)
        fraction, anywhere = rng.random(), runs % 2 == 0
        took, staged = watch(run, work, old, partial(pace.moment, fraction, anywhere))
        if run.returncode == -signal.SIGKILL:
            kills += 1
            writing += staged is not None
        else:
            assert run.returncode == 0
            pace = Pace(took, took - staged if staged is not None else pace.writing)
        if stats(out) == before:
            continue
        now = whole_set(out)
        assert now[0] == sha[name], "the folder changed, but not into this run's set"
        held = now

    final = start(data["a"] if held[0] == sha["b"] else data["b"], out)
    assert final.wait() == 0
    assert whole_set(out)[0] != held[0]
    assert debris(work, out) == []
    assert writing >= KILLS // 4
    print(
        f"{ROWS:,} rows: the first run took {total:.1f} s ({pace.writing:.1f} s writing, as last "
        f"seen); {kills} kills in {runs} runs, {writing} while writing"
    )
