"""The documented three-line pytest recipe works as written on a user's own rubric."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "testing-rubrics.md"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_three_line_recipe_runs(tmp_path, monkeypatch):
    recipe = next(b for b in _python_blocks() if "assert_consistent" in b)
    assert len(recipe.strip().splitlines()) == 3
    (tmp_path / "rubrics").mkdir()
    source = ROOT / "examples" / "broken" / "optional-raises-score.yaml"
    text = source.read_text(encoding="utf-8").replace(", required: false}\ntiers", "}\ntiers")
    (tmp_path / "rubrics" / "mine.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(recipe, namespace)
    namespace["test_rubric"]()  # type: ignore[operator]

    shutil.copy(source, tmp_path / "rubrics" / "mine.yaml")
    with pytest.raises(AssertionError, match="missing_never_pays"):
        namespace["test_rubric"]()  # type: ignore[operator]


def test_strategy_example_runs(tmp_path, monkeypatch):
    example = next(b for b in _python_blocks() if "profiles(" in b)
    (tmp_path / "rubrics").mkdir()
    shutil.copy(
        ROOT / "examples" / "broken" / "optional-raises-score.yaml",
        tmp_path / "rubrics" / "mine.yaml",
    )
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(example, namespace)
    namespace["test_every_valid_profile_scores"]()  # type: ignore[operator]
