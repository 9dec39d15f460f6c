"""A rubric given as a path is read and validated once while the file is unchanged (issue 11,
item 2): repeated ``evaluate(profile, rubric="x.yaml")`` reuses it; a rewritten file is re-read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

import greenscore
from greenscore.errors import RubricError
from greenscore.rubric import load as load_module
from greenscore.rubric.load import load_rubric

ROOT = Path(__file__).resolve().parents[2]
WORKED = ROOT / "examples" / "rubrics" / "worked-example.yaml"
JIANGXI = ROOT / "rubrics" / "jiangxi-parks.yaml"
PROFILE = ROOT / "examples" / "profiles" / "good.yaml"


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The rubric files read from disk during the test, in order."""
    seen: list[str] = []
    real = load_module.read_located

    def counting(path: str | os.PathLike[str], **kwargs: int) -> load_module.LocatedDocument:
        seen.append(os.fspath(path))
        return real(path, **kwargs)

    monkeypatch.setattr(load_module, "read_located", counting)
    return seen


def _renamed(text: str, name: str) -> str:
    return text.replace("name: Worked example rubric", f"name: {name}", 1)


def _stamp(path: Path, seconds: int) -> None:
    os.utime(path, ns=(seconds * 10**9, seconds * 10**9))


def test_unchanged_file_is_read_once(tmp_path: Path, reads: list[str]) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(WORKED.read_bytes())
    first = load_rubric(path)
    assert load_rubric(path) is first
    assert load_rubric(str(path)) is first
    assert reads == [str(path)]


def test_rewritten_file_with_a_new_mtime_is_read_again(tmp_path: Path, reads: list[str]) -> None:
    path = tmp_path / "x.yaml"
    text = WORKED.read_text(encoding="utf-8")
    path.write_text(_renamed(text, "First"), encoding="utf-8")
    _stamp(path, 1_600_000_000)
    assert load_rubric(path).name == "First"
    path.write_text(_renamed(text, "Other"), encoding="utf-8")
    _stamp(path, 1_600_000_001)
    assert load_rubric(path).name == "Other"
    assert load_rubric(path).name == "Other"
    assert len(reads) == 2


def test_same_name_in_another_folder_is_another_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = WORKED.read_text(encoding="utf-8")
    for folder, name in (("a", "Alpha"), ("b", "Bravo")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.yaml").write_text(_renamed(text, name), encoding="utf-8")
        _stamp(tmp_path / folder / "x.yaml", 1_600_000_000)
    monkeypatch.chdir(tmp_path / "a")
    assert load_rubric("x.yaml").name == "Alpha"
    monkeypatch.chdir(tmp_path / "b")
    assert load_rubric("x.yaml").name == "Bravo"


def test_invalid_file_is_not_cached(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    doc = yaml.safe_load(WORKED.read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump({**doc, "scale": {"min": 0, "max": "lots"}}), encoding="utf-8")
    _stamp(path, 1_600_000_000)
    with pytest.raises(RubricError):
        load_rubric(path)
    with pytest.raises(RubricError):
        load_rubric(path)
    path.write_bytes(WORKED.read_bytes())
    _stamp(path, 1_600_000_001)
    assert load_rubric(path).name == "Worked example rubric"


def test_evaluate_with_a_path_reads_the_rubric_once(tmp_path: Path, reads: list[str]) -> None:
    path = tmp_path / "jiangxi.yaml"
    path.write_bytes(JIANGXI.read_bytes())
    profile = yaml.safe_load(PROFILE.read_text(encoding="utf-8"))
    first = greenscore.evaluate(profile, rubric=str(path))
    again = greenscore.evaluate(profile, rubric=str(path))
    assert reads == [str(path)]
    bundled = greenscore.evaluate(profile)
    assert (again.total, again.tier) == (first.total, first.tier) == (bundled.total, bundled.tier)
