"""Provenance: what produced an output (rubric, input, software version, time), for audits."""

from __future__ import annotations

import dataclasses
import importlib.metadata
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class Provenance:
    """Everything needed to reproduce or audit an output file; written into every output.

    The rubric is hashed in its canonical form (so a calibrated rubric's cohort statistics are
    covered); data files by their bytes, with the text encoding a CSV was read in. Fields after
    ``other_inputs`` are missing from records written before they existed, hence their defaults.
    """

    rubric_name: str
    rubric_version: str
    rubric_sha256: str
    greenscore_version: str
    input_sha256: str | None
    input_path: str | None
    created_at: str
    other_inputs: tuple[str, ...] = ()
    rubric_path: str | None = None
    previous_path: str | None = None
    previous_sha256: str | None = None
    period: str | None = None
    input_encoding: str | None = None
    previous_encoding: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain dict of the fields, in declaration order (JSON-ready)."""
        data = dataclasses.asdict(self)
        data["other_inputs"] = list(self.other_inputs)
        return data

    @property
    def inputs(self) -> tuple[str, ...]:
        """Every file the output was made from: never to be overwritten by it."""
        return tuple(p for p in (self.input_path, *self.other_inputs) if p)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Provenance:
        """Inverse of :meth:`as_dict`; keys that are not fields (e.g. output hashes) are ignored."""
        fields = dataclasses.fields(cls)
        missing = [
            f.name for f in fields if f.name not in data and f.default is dataclasses.MISSING
        ]
        if missing:
            raise ValueError(f"provenance is missing {', '.join(missing)}")
        values = {f.name: data[f.name] for f in fields if f.name in data}
        if "other_inputs" in values:
            values["other_inputs"] = tuple(values["other_inputs"] or ())
        return cls(**values)


def greenscore_version() -> str:
    """The installed greenscore version, or ``"0+unknown"`` when running from a bare checkout."""
    try:
        return importlib.metadata.version("greenscore")
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


def make_provenance(
    *,
    rubric_name: str,
    rubric_version: str,
    rubric_sha256: str,
    input_sha256: str | None = None,
    input_path: str | os.PathLike[str] | None = None,
    other_inputs: tuple[str | os.PathLike[str] | None, ...] = (),
    rubric_path: str | os.PathLike[str] | None = None,
    previous_path: str | os.PathLike[str] | None = None,
    previous_sha256: str | None = None,
    period: object = None,
    input_encoding: str | None = None,
    previous_encoding: str | None = None,
    now: datetime | None = None,
) -> Provenance:
    """Provenance stamped with the greenscore version and ``now`` (default: the current time).

    ``period`` is recorded as text (None when the table has no period column).

    ``now`` must be timezone-aware; it is recorded in UTC as ISO-8601, e.g.
    ``2025-03-01T08:30:00+00:00``.
    """
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware, e.g. datetime.now(UTC)")
    return Provenance(
        rubric_name=str(rubric_name),
        rubric_version=str(rubric_version),
        rubric_sha256=str(rubric_sha256),
        greenscore_version=greenscore_version(),
        input_sha256=input_sha256,
        input_path=None if input_path is None else os.fspath(input_path),
        created_at=now.astimezone(UTC).isoformat(timespec="seconds"),
        other_inputs=tuple(os.fspath(p) for p in other_inputs if p is not None),
        rubric_path=None if rubric_path is None else os.fspath(rubric_path),
        previous_path=None if previous_path is None else os.fspath(previous_path),
        previous_sha256=previous_sha256,
        period=None if period is None else str(period),
        input_encoding=input_encoding,
        previous_encoding=previous_encoding,
    )
