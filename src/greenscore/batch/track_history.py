"""Earlier periods of a track record read from result folders greenscore wrote, for periods that
were assessed under an older rubric (or whose data are not at hand).

A folder is accepted only as what it claims to be: its results file carries a readable
provenance record, its bytes still hash to the sha256 that record gives, the record names this
rubric (by name; the version may differ) and a period before the assessed one, and every tier it
holds is a tier of this rubric. Anything else is refused with an InputFileError saying which.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from greenscore.engine.inputs import PeriodKey, period_key, period_order
from greenscore.errors import InputFileError
from greenscore.io import read_output_record, read_output_tables, sha256_file
from greenscore.rubric import models as m

__all__ = ["HISTORY_PREFIX", "RecordedPeriod", "merged_periods", "read_history"]

HISTORY_PREFIX = "history:"
"""How a history folder's results file is named among a run's recorded other inputs."""
RESULTS_FILES = ("results.csv", "results.parquet", "results.json")
NEEDED = ("total", "tier", "vetoes", "rank")


@dataclass(frozen=True)
class RecordedPeriod:
    """One earlier period's results as greenscore wrote them, and where they came from."""

    period: PeriodKey
    results: pd.DataFrame
    path: str
    rubric: str


def _results_file(folder: Path) -> Path:
    for name in RESULTS_FILES:
        if (folder / name).is_file():
            return folder / name
    raise InputFileError(
        f"history folder {os.fspath(folder)} holds no greenscore results "
        f"({', '.join(RESULTS_FILES)})"
    )


def _read_one(folder: Path, rubric: m.Rubric) -> RecordedPeriod:
    path = _results_file(folder)
    record = read_output_record(path)
    if record is None or not record.get("output_sha256"):
        raise InputFileError(
            f"history {path} has no provenance record with its sha256: cannot tell that "
            "greenscore wrote it"
        )
    if sha256_file(path) != record["output_sha256"]:
        raise InputFileError(
            f"history {path} was changed after greenscore wrote it: its sha256 is not the "
            f"{str(record['output_sha256'])[:12]}… its provenance records"
        )
    if record.get("rubric_name") != rubric.name:
        raise InputFileError(
            f"history {path} holds results of rubric {record.get('rubric_name')!r}, not of "
            f"{rubric.name!r}"
        )
    period = period_key(record.get("period"))
    if period is None:
        raise InputFileError(f"history {path} records no period")
    table = read_output_tables(path)[path.stem]
    missing = [c for c in (rubric.entity, *NEEDED) if c not in table.columns]
    if missing:
        raise InputFileError(f"history {path} has no column {', '.join(missing)}")
    known = {t.id for t in rubric.tiers}
    unknown = sorted(set(table["tier"]) - known)
    if unknown:
        raise InputFileError(
            f"history {path} ({period}) holds tier {', '.join(map(repr, unknown))}, which this "
            f"rubric does not have (its tiers: {', '.join(sorted(known))})"
        )
    frame = table.copy()
    for column in [c for c in frame.columns if c in ("total", "rank") or c.startswith("dim.")]:
        frame[column] = pd.to_numeric(frame[column].replace("", np.nan), errors="coerce")
    version = record.get("rubric_version")
    sha = str(record.get("rubric_sha256", ""))[:12]
    return RecordedPeriod(period, frame, os.fspath(path), f"{rubric.name} {version} ({sha}…)")


def read_history(
    folders: Iterable[str | os.PathLike[str]], rubric: m.Rubric, assessed: PeriodKey | None
) -> list[RecordedPeriod]:
    """Every history folder's period, checked, in period order; refuses a period given twice or
    not before the assessed one."""
    found: list[RecordedPeriod] = []
    for folder in folders:
        one = _read_one(Path(folder), rubric)
        if assessed is not None and period_order(one.period) >= period_order(assessed):
            raise InputFileError(
                f"history {one.path} holds period {one.period}, not one before the assessed "
                f"period {assessed}"
            )
        if any(period_order(o.period) == period_order(one.period) for o in found):
            raise InputFileError(f"history holds period {one.period} twice ({one.path})")
        found.append(one)
    return sorted(found, key=lambda r: period_order(r.period))


def merged_periods(
    recorded: Sequence[RecordedPeriod], scored: Sequence[PeriodKey]
) -> list[PeriodKey]:
    """The earlier periods of a track record: those scored from the data and those recorded."""
    keys = {period_order(k): k for k in scored}
    keys.update({period_order(r.period): r.period for r in recorded})
    return [keys[k] for k in sorted(keys)]
