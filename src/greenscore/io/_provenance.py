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
    """Everything needed to reproduce or audit an output file; written into every output."""

    rubric_name: str
    rubric_version: str
    rubric_sha256: str
    greenscore_version: str
    input_sha256: str | None
    input_path: str | None
    created_at: str

    def as_dict(self) -> dict[str, str | None]:
        """Plain dict of the fields, in declaration order (JSON-ready)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Provenance:
        """Inverse of :meth:`as_dict`; keys that are not fields (e.g. output hashes) are ignored."""
        names = [f.name for f in dataclasses.fields(cls)]
        missing = [n for n in names if n not in data]
        if missing:
            raise ValueError(f"provenance is missing {', '.join(missing)}")
        return cls(**{n: data[n] for n in names})


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
    now: datetime | None = None,
) -> Provenance:
    """Provenance stamped with the greenscore version and ``now`` (default: the current time).

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
    )
