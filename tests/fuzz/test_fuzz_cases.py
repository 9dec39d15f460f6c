"""The registry of case kinds: every example shows what its kind says the user sees, and
docs/reliability.md is exactly what tests/fuzz/make_reliability_doc.py generates from it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fuzz_cases import KINDS, run_example
from fuzz_run import Kind
from make_reliability_doc import DOC, LAST_RUN, render

pytestmark = pytest.mark.fuzz


@pytest.mark.parametrize("kind", KINDS, ids=[k.id for k in KINDS])
def test_each_example_ends_as_its_kind_says(kind: Kind, tmp_path: Path) -> None:
    outcome = run_example(kind, tmp_path)
    assert outcome.kind == kind.expect, outcome.text


def test_every_kind_is_described_with_an_example() -> None:
    for kind in KINDS:
        assert kind.description and kind.example and kind.input, kind.id


def test_reliability_doc_is_generated_from_the_registry() -> None:
    run = json.loads(LAST_RUN.read_text("utf-8")) if LAST_RUN.exists() else {}
    expected = render(run)
    assert DOC.read_text("utf-8") == expected, (
        "docs/reliability.md is stale: run python tests/fuzz/make_reliability_doc.py"
    )
