"""verify(): whether a results folder still follows from its inputs, value by value.

Each input its provenance records (data, previous-year data, rubric) is hashed again and compared
with the recorded sha256; the assessment is then run again from the inputs found, written in the
folder's formats into a temporary folder, and every recorded file compared with its fresh
counterpart cell by cell, rows matched by their key (the entity in results).
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from greenscore.batch.assess import assess
from greenscore.batch.formats import FORMATS
from greenscore.batch.result import BatchResult
from greenscore.batch.track_history import HISTORY_PREFIX
from greenscore.batch.write import RESULT_TABLES
from greenscore.errors import GreenscoreError, InputFileError
from greenscore.io import (
    INPUT_SUFFIXES,
    Provenance,
    TableSource,
    read_output_record,
    read_output_tables,
    read_table,
    sha256_file,
)
from greenscore.rubric import models as m
from greenscore.rubric.load import DEFAULT_RUBRIC, default_rubric, load_rubric, rubric_sha256

InputKind = Literal["data", "previous", "rubric"]
Status = Literal["matches", "differs", "missing", "unrecorded", "unreadable"]
FileStatus = Literal[
    "matches", "edited", "other run", "no provenance", "unreadable", "missing", "not recomputed"
]
PathLike = str | os.PathLike[str]

WORKBOOK = "assessment.xlsx"
_RUN = ("created_at", "input_sha256", "rubric_sha256", "greenscore_version")
_KEYS = {
    ("row", "entity", "field"): ("row", "field"),
    ("section", "name"): ("section", "name"),
    ("kind", "id"): ("kind", "id"),
}
_INPUT_NAMES = {"data": "data file", "previous": "previous-year file", "rubric": "rubric file"}
_SAID = {
    "matches": "sha256 matches the recorded one",
    "differs": "sha256 differs from the recorded one",
    "missing": "not found",
    "unrecorded": "no sha256 was recorded for it, so it cannot be confirmed",
    "unreadable": "cannot be read",
}
_FILE_SAID = {
    "matches": "belongs to the recorded run",
    "edited": "sha256 differs from the one its provenance records: changed after it was written",
    "other run": "written by another run, not part of this set",
    "no provenance": "has no readable provenance",
    "unreadable": "cannot be read",
    "missing": "missing: the recomputed run writes it",
    "not recomputed": "the recomputed run does not write it",
}


@dataclass(frozen=True)
class InputCheck:
    """One input of the recorded run: where it was looked for and whether its sha256 matches."""

    kind: InputKind
    path: str | None
    recorded: str | None
    found: str | None
    status: Status
    detail: str = ""

    @property
    def name(self) -> str:
        """What the input is and where, e.g. ``data file examples/parks.csv``."""
        if self.kind == "rubric" and self.path is None:
            return f"bundled rubric {DEFAULT_RUBRIC}"
        return f"{_INPUT_NAMES[self.kind]} {self.path}" if self.path else _INPUT_NAMES[self.kind]

    def __str__(self) -> str:
        detail = f" ({self.detail})" if self.detail else ""
        return f"{self.name}: {_SAID[self.status]}{detail}"


@dataclass(frozen=True)
class FileCheck:
    """One results file of the folder and whether it belongs, unchanged, to the recorded run."""

    name: str
    status: FileStatus
    detail: str = ""

    def __str__(self) -> str:
        detail = f" ({self.detail})" if self.detail else ""
        return f"{self.name}: {_FILE_SAID[self.status]}{detail}"


@dataclass(frozen=True)
class Difference:
    """A recorded value the recomputation does not reproduce.

    ``row`` is the row's key (the entity in results), None for a whole column; ``column`` None
    for a whole row; ``recorded``/``recomputed`` None where that side has no such row or column.
    """

    file: str
    row: str | None
    column: str | None
    recorded: str | None
    recomputed: str | None


@dataclass(frozen=True)
class Verification:
    """What verify() found: input checks, file checks and the differences (the first ``limit``
    of ``difference_count``), or why nothing could be recomputed (``reason``)."""

    folder: str
    provenance: Provenance
    inputs: tuple[InputCheck, ...]
    files: tuple[FileCheck, ...]
    differences: tuple[Difference, ...]
    difference_count: int
    recomputed: bool
    reason: str = ""
    compared: tuple[tuple[str, int], ...] = ()

    @property
    def ok(self) -> bool:
        """Every input matches, every file belongs unchanged and every value is reproduced."""
        return (
            self.recomputed
            and self.difference_count == 0
            and all(c.status == "matches" for c in self.inputs)
            and all(f.status == "matches" for f in self.files)
        )


class _Sink:
    """Differences up to a limit, and the count of all of them."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.items: list[Difference] = []
        self.count = 0

    def room(self) -> int:
        return sys.maxsize if self.limit is None else self.limit - len(self.items)

    def add(self, difference: Difference) -> None:
        self.count += 1
        if self.room() > 0:
            self.items.append(difference)


def recorded_files(folder: PathLike) -> dict[str, dict[str, Any] | None]:
    """The results files of a folder written by ``greenscore assess -o``, each with its
    provenance record (None when it has none), by file name."""
    root = Path(folder)
    names = [f"{table}.{fmt}" for fmt in FORMATS if fmt != "xlsx" for table in RESULT_TABLES]
    names.append(WORKBOOK)
    return {name: read_output_record(root / name) for name in names if (root / name).is_file()}


def recorded_run(folder: PathLike) -> dict[str, Any] | None:
    """The provenance record of the newest run whose results the folder holds, or None."""
    return _main_record(recorded_files(folder))


def verify(
    folder: PathLike,
    *,
    data: PathLike | None = None,
    previous: PathLike | None = None,
    rubric: PathLike | None = None,
    encoding: str | None = None,
    limit: int | None = 1000,
) -> Verification:
    """Check a results folder against its inputs and recompute it (see the module docstring).

    ``data``, ``previous`` and ``rubric`` replace the paths the provenance records (say, after
    the files moved); their sha256 must still match the recorded ones. CSV tables are read in
    the encoding recorded for each, or in ``encoding`` when given.
    """
    root = Path(folder)
    records = recorded_files(root)
    if not records:
        raise InputFileError(
            f"{os.fspath(folder)} holds no greenscore results (results.csv with its provenance, "
            f"results.json, results.parquet or {WORKBOOK})"
        )
    main = _main_record(records)
    if main is None:
        raise InputFileError(f"no results file in {os.fspath(folder)} has a readable provenance")
    provenance = Provenance.from_dict(main)
    files = _file_checks(root, records, main)
    rubric_path, previous_path, previous_sha256 = _recorded_inputs(main, provenance)
    if previous is not None and previous_path is None and "previous_path" in main:
        raise ValueError("a previous-year file was given, but the recorded run used none")
    data_check, source = _read_data(
        "data",
        data or provenance.input_path,
        provenance.input_sha256,
        encoding or provenance.input_encoding,
    )
    checks = [data_check]
    unusable = [data_check] if source is None else []
    prior: TableSource | None = None
    if previous is not None or previous_path is not None:
        previous_check, prior = _read_data(
            "previous",
            previous or previous_path,
            previous_sha256,
            encoding or provenance.previous_encoding,
        )
        checks.append(previous_check)
        unusable += [previous_check] if prior is None else []
    rubric_check, loaded = _read_rubric(rubric or rubric_path, provenance.rubric_sha256)
    checks.append(rubric_check)
    unusable += [rubric_check] if loaded is None else []

    def outcome(reason: str = "", compared: list[tuple[str, int]] | None = None) -> Verification:
        return Verification(
            os.fspath(folder),
            provenance,
            tuple(checks),
            tuple(files.values()),
            tuple(sink.items),
            sink.count,
            recomputed=compared is not None,
            reason=reason,
            compared=tuple(compared or ()),
        )

    sink = _Sink(limit)
    if source is None or loaded is None or unusable:
        return outcome("cannot recompute without the " + " and the ".join(c.name for c in unusable))
    try:
        history = [
            p.removeprefix(HISTORY_PREFIX)
            for p in provenance.other_inputs
            if p.startswith(HISTORY_PREFIX)
        ]
        result = assess(
            source,
            loaded,
            period=provenance.period,
            previous=prior,
            errors="flag",
            history=[Path(p).parent for p in history],
        )
    except GreenscoreError as error:
        return outcome(f"the assessment cannot be run again from these inputs: {error}")
    return outcome(compared=_compare_folder(root, records, files, result, sink))


def _run_key(record: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(record.get(name)) for name in _RUN)


def _valid(record: dict[str, Any] | None) -> bool:
    if record is None:
        return False
    try:
        Provenance.from_dict(_plain(record))
    except (ValueError, TypeError):
        return False
    return True


def _plain(record: dict[str, Any]) -> dict[str, Any]:
    """A record as Provenance reads it: a workbook's other_inputs are text, not a list."""
    if isinstance(record.get("other_inputs"), list):
        return record
    return {**record, "other_inputs": []}


def _main_record(records: dict[str, dict[str, Any] | None]) -> dict[str, Any] | None:
    """The provenance of the newest run in the folder (a file's own record, not a workbook's)."""
    valid = {name: r for name, r in records.items() if r is not None and _valid(r)}
    if not valid:
        return None
    runs: dict[tuple[str, ...], list[str]] = {}
    for name, record in valid.items():
        runs.setdefault(_run_key(record), []).append(name)
    newest = max(runs, key=lambda key: (key[0], len(runs[key])))
    names = sorted(runs[newest], key=lambda name: name == WORKBOOK)
    return _plain(valid[names[0]])


def _file_checks(
    root: Path, records: dict[str, dict[str, Any] | None], main: dict[str, Any]
) -> dict[str, FileCheck]:
    checks: dict[str, FileCheck] = {}
    for name, record in records.items():
        if record is None or not _valid(record):
            checks[name] = FileCheck(name, "no provenance")
        elif _run_key(record) != _run_key(main):
            checks[name] = FileCheck(name, "other run", f"created {record.get('created_at')}")
        elif record.get("output_sha256") and sha256_file(root / name) != record["output_sha256"]:
            checks[name] = FileCheck(name, "edited")
        else:
            checks[name] = FileCheck(name, "matches")
    return checks


def _recorded_inputs(
    record: dict[str, Any], provenance: Provenance
) -> tuple[str | None, str | None, str | None]:
    """Rubric path, previous-year path and its sha256; records written before these had their
    own fields name the rubric (a .yaml file) and last year's file only in other_inputs."""
    if "previous_path" in record or "rubric_path" in record:
        return provenance.rubric_path, provenance.previous_path, provenance.previous_sha256
    others = [p for p in provenance.other_inputs if p != provenance.input_path]
    rubrics = [p for p in others if Path(p).suffix.lower() in (".yaml", ".yml")]
    tables = [p for p in others if p not in rubrics]
    return (rubrics[0] if rubrics else None), (tables[0] if tables else None), None


def _read_data(
    kind: InputKind, path: PathLike | None, recorded: str | None, encoding: str | None
) -> tuple[InputCheck, TableSource | None]:
    if path is None:
        detail = "no file was recorded: the table was given in memory"
        return InputCheck(kind, None, recorded, None, "missing", detail), None
    shown = os.fspath(path)
    if not os.path.isfile(shown):
        return InputCheck(kind, shown, recorded, None, "missing"), None
    text = INPUT_SUFFIXES.get(Path(shown).suffix.lower()) == "csv"
    try:
        source = read_table(shown, encoding=encoding if text else None)
    except (GreenscoreError, ValueError) as error:
        found = sha256_file(shown)
        status: Status = "unreadable" if found == recorded else _status(recorded, found)
        return InputCheck(kind, shown, recorded, found, status, str(error)), None
    return InputCheck(
        kind, shown, recorded, source.sha256, _status(recorded, source.sha256)
    ), source


def _read_rubric(path: PathLike | None, recorded: str) -> tuple[InputCheck, m.Rubric | None]:
    shown = None if path is None else os.fspath(path)
    if shown is not None and not os.path.isfile(shown):
        return InputCheck("rubric", shown, recorded, None, "missing"), None
    try:
        loaded = default_rubric() if shown is None else load_rubric(Path(shown))
    except GreenscoreError as error:
        return InputCheck("rubric", shown, recorded, None, "unreadable", str(error)), None
    found = rubric_sha256(loaded)
    return InputCheck("rubric", shown, recorded, found, _status(recorded, found)), loaded


def _status(recorded: str | None, found: str | None) -> Status:
    if recorded is None:
        return "unrecorded"
    return "matches" if found == recorded else "differs"


def _compare_folder(
    root: Path,
    records: dict[str, dict[str, Any] | None],
    files: dict[str, FileCheck],
    result: BatchResult,
    sink: _Sink,
) -> list[tuple[str, int]]:
    """Write the recomputed result in the folder's formats and compare file by file; returns the
    rows compared per table. Files missing on either side become file checks."""
    ours = [name for name, check in files.items() if check.status in ("matches", "edited")]
    formats = [f for f in FORMATS if any(Path(name).suffix == f".{f}" for name in ours)]
    compared: list[tuple[str, int]] = []
    with tempfile.TemporaryDirectory(prefix="greenscore-verify-") as tmp:
        fresh = Path(tmp) / "results"
        result.write(fresh, formats)
        written = set(recorded_files(fresh))
        for name in sorted(set(ours) | written, key=_file_order):
            if name not in records:
                files[name] = FileCheck(name, "missing")
            elif name not in written:
                files[name] = FileCheck(name, "not recomputed")
            else:
                try:
                    before = read_output_tables(root / name)
                except InputFileError as error:
                    files[name] = FileCheck(name, "unreadable", str(error))
                    continue
                compared += _compare_file(name, before, read_output_tables(fresh / name), sink)
    return compared


def _file_order(name: str) -> tuple[int, int, str]:
    stem, _, suffix = name.partition(".")
    table = RESULT_TABLES.index(stem) if stem in RESULT_TABLES else len(RESULT_TABLES)
    return (name == WORKBOOK, table, suffix)


def _compare_file(
    name: str, before: dict[str, pd.DataFrame], after: dict[str, pd.DataFrame], sink: _Sink
) -> list[tuple[str, int]]:
    compared = []
    for table in dict.fromkeys([*before, *after]):
        label = f"{name} ({table})" if name == WORKBOOK else name
        if table not in after:
            sink.add(Difference(label, None, None, "present", None))
        elif table not in before:
            sink.add(Difference(label, None, None, None, "present"))
        else:
            compared.append((label, _compare_table(label, before[table], after[table], sink)))
    return compared


def _key_columns(header: list[str]) -> tuple[str, ...]:
    for prefix, key in _KEYS.items():
        if tuple(header[: len(prefix)]) == prefix:
            return key
    return tuple(header[:1])


def _keys(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.Index:
    """Each row's key: the key columns' text (' / '-joined), '#2', '#3' … on repeats."""
    if len(frame) == 0:
        return pd.Index([], dtype=object)
    if columns and all(c in frame.columns for c in columns):
        base = frame[columns[0]].astype(str)
        for column in columns[1:]:
            base = base + " / " + frame[column].astype(str)
    else:
        base = pd.Series([f"line {i + 2}" for i in range(len(frame))], dtype=object)
    base = base.reset_index(drop=True)
    repeat = base.groupby(base).cumcount()
    keyed = base.where(repeat == 0, base + " #" + (repeat + 1).astype(str))
    return pd.Index(keyed.tolist(), dtype=object)


def _compare_table(label: str, before: pd.DataFrame, after: pd.DataFrame, sink: _Sink) -> int:
    """Add every difference between two text tables to the sink; returns the rows compared."""
    key = _key_columns([str(c) for c in before.columns])
    old = before.set_axis(_keys(before, key), axis=0)
    new = after.set_axis(_keys(after, key), axis=0)
    for column in old.columns:
        if column not in new.columns:
            sink.add(Difference(label, None, str(column), "present", None))
    for column in new.columns:
        if column not in old.columns:
            sink.add(Difference(label, None, str(column), None, "present"))
    for row in old.index[~old.index.isin(new.index)]:
        sink.add(Difference(label, str(row), None, "present", None))
    for row in new.index[~new.index.isin(old.index)]:
        sink.add(Difference(label, str(row), None, None, "present"))
    common = old.index[old.index.isin(new.index)]
    shared = [c for c in old.columns if c in new.columns]
    a = old.loc[common, shared].to_numpy(dtype=object)
    b = new.loc[common, shared].to_numpy(dtype=object)
    rows, cols = np.nonzero(a != b) if a.size else (np.zeros(0, int), np.zeros(0, int))
    for i, j in zip(rows[: max(sink.room(), 0)].tolist(), cols.tolist(), strict=False):
        sink.items.append(Difference(label, str(common[i]), str(shared[j]), a[i, j], b[i, j]))
    sink.count += len(rows)
    return len(common)
