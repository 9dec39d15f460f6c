"""docs/notebooks.md runs as shown: its Python blocks run in order, in one namespace, and each
block's printed output is the fenced block that follows it, exactly."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "notebooks.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def blocks() -> list[tuple[str, str | None]]:
    """Each Python block with the unlabelled output block right after it, if any."""
    found = [(m.group(1), m.group(2)) for m in FENCE.finditer(DOC.read_text(encoding="utf-8"))]
    pairs: list[tuple[str, str | None]] = []
    for i, (label, body) in enumerate(found):
        if label == "python":
            after = found[i + 1] if i + 1 < len(found) else None
            pairs.append((body, after[1] if after is not None and after[0] == "" else None))
    return pairs


def test_the_page_has_code_and_output_to_compare() -> None:
    pairs = blocks()
    assert len(pairs) == 4
    assert sum(shown is not None for _, shown in pairs) == 3


def test_every_block_prints_what_the_page_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {}
    for code, shown in blocks():
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(code, str(DOC), "exec"), namespace)
        if shown is not None:
            assert printed.getvalue() == shown, code
        else:
            assert printed.getvalue() == ""
    for name in ("batch", "assessment", "gap"):
        html = namespace[name]._repr_html_()  # type: ignore[attr-defined]
        assert html.startswith('<div class="greenscore-')
