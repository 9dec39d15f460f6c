"""Provenance records."""

from __future__ import annotations

import importlib.metadata
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from greenscore.io import Provenance, _provenance, make_provenance


def test_make_provenance_records_utc_time() -> None:
    beijing = timezone(timedelta(hours=8))
    prov = make_provenance(
        rubric_name="gip",
        rubric_version="2024.1",
        rubric_sha256="ab" * 32,
        input_sha256="cd" * 32,
        input_path="parks.csv",
        now=datetime(2025, 3, 1, 16, 30, tzinfo=beijing),
    )
    assert prov.created_at == "2025-03-01T08:30:00+00:00"
    assert prov.as_dict() == {
        "rubric_name": "gip",
        "rubric_version": "2024.1",
        "rubric_sha256": "ab" * 32,
        "greenscore_version": prov.greenscore_version,
        "input_sha256": "cd" * 32,
        "input_path": "parks.csv",
        "created_at": "2025-03-01T08:30:00+00:00",
        "other_inputs": [],
        "rubric_path": None,
        "previous_path": None,
        "previous_sha256": None,
        "period": None,
        "input_encoding": None,
        "previous_encoding": None,
    }
    assert Provenance.from_dict({**prov.as_dict(), "output_sha256": "x"}) == prov


def test_every_input_is_recorded_with_its_sha256() -> None:
    prov = make_provenance(
        rubric_name="gip",
        rubric_version="2024.1",
        rubric_sha256="ab" * 32,
        input_sha256="cd" * 32,
        input_path="parks_2016.csv",
        rubric_path=Path("gip.yaml"),
        previous_path=Path("parks_2015.csv"),
        previous_sha256="ef" * 32,
        period=2016,
        input_encoding="big5",
        previous_encoding="utf-8-sig",
    )
    assert (prov.rubric_path, prov.previous_path, prov.previous_sha256, prov.period) == (
        "gip.yaml",
        "parks_2015.csv",
        "ef" * 32,
        "2016",
    )
    assert (prov.input_encoding, prov.previous_encoding) == ("big5", "utf-8-sig")
    assert Provenance.from_dict(prov.as_dict()) == prov


def test_default_now_is_current_utc() -> None:
    prov = make_provenance(rubric_name="r", rubric_version="1", rubric_sha256="0")
    created = datetime.fromisoformat(prov.created_at)
    assert abs(datetime.now(UTC) - created) < timedelta(minutes=1)
    assert prov.input_sha256 is None
    assert prov.input_path is None


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        make_provenance(
            rubric_name="r", rubric_version="1", rubric_sha256="0", now=datetime(2025, 1, 1)
        )


def test_version_falls_back_when_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(_provenance.importlib.metadata, "version", missing)
    prov = make_provenance(rubric_name="r", rubric_version="1", rubric_sha256="0")
    assert prov.greenscore_version == "0+unknown"
