"""Salvage a rubric document that fails validation, so that later stages still report problems.

A structure error (a misspelt key, a value of the wrong type) stops pydantic from building a
Rubric, and with it every check that needs one. Removing the offending keys that hold a single
value (their defaults take their place) often leaves a document that validates; the loader then
runs on it the checks of names (undeclared references, duplicate ids, formulas), whose findings
removing such a key cannot change: it never removes an id, a list or a mapping.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

PathKey = tuple[str | int, ...]

ROUNDS = 3
"""Validations of a pruned document tried: model-level errors show only once fields validate."""


def prunable(data: Any, path: PathKey, kind: str) -> bool:
    """Whether the error at path can be salvaged by removing its key: a key of a mapping (other
    than an id) holding a single value, with no 'missing' error."""
    if kind == "missing" or not path or not isinstance(path[-1], str) or path[-1] == "id":
        return False
    node = data
    for part in path[:-1]:
        if isinstance(node, dict) and isinstance(part, str):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return False
    return (
        isinstance(node, dict) and path[-1] in node and not isinstance(node[path[-1]], list | dict)
    )


def without_keys(data: Any, paths: Iterable[PathKey]) -> Any:
    """A copy of data without the keys at paths (each checked with prunable)."""
    cut: dict[PathKey, set[str]] = {}
    for path in paths:
        cut.setdefault(path[:-1], set()).add(str(path[-1]))
    return _copy(data, (), cut)


def _copy(node: Any, here: PathKey, cut: dict[PathKey, set[str]]) -> Any:
    if isinstance(node, dict):
        dropped = cut.get(here, set())
        return {k: _copy(v, (*here, k), cut) for k, v in node.items() if k not in dropped}
    if isinstance(node, list):
        return [_copy(v, (*here, i), cut) for i, v in enumerate(node)]
    return node


def caused_by_pruning(path: PathKey, kind: str, pruned: Iterable[PathKey]) -> bool:
    """Whether an error seen after pruning may stem from it: a key now missing, or a model-level
    check of a mapping that lost a known key (or of one holding it). Removing an unknown key
    changes nothing, so it is not in pruned, and the checks it kept from running now count."""
    return kind == "missing" or any(cut[: len(path)] == path for cut in pruned)
