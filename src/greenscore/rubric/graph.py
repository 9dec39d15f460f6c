"""The derived inputs as a graph: what each derived input reads, and the inputs behind a name.

The loader walks it to find the optional inputs a veto reads; lint and the consistency checks
walk it to find the inputs behind a derived one.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from greenscore.rubric import models as m
from greenscore.rubric.formula import parse_formula


def derived_sources(rubric: m.Rubric) -> dict[str, frozenset[str]]:
    """The names each derived input reads: its formula's, or its history statistic's input."""
    out: dict[str, frozenset[str]] = {}
    for d in rubric.derived:
        if d.formula is not None:
            out[d.id] = parse_formula(d.formula).names
        elif d.history is not None:
            out[d.id] = frozenset({d.history.input})
    return out


def base_inputs(names: Iterable[str], sources: Mapping[str, Collection[str]]) -> set[str]:
    """The names behind these names that nothing derives, following each derived name's sources.

    Each name is visited once, so a graph with a cycle (one the loader is still reporting) ends.
    """
    found: set[str] = set()
    stack, seen = list(names), set()
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        read = sources.get(name)
        if read is None:
            found.add(name)
        else:
            stack.extend(read)
    return found
