"""What a user reads for a rubric's structure problems: pydantic's errors located and worded,
with the value found and what was expected."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel

from greenscore.errors import did_you_mean
from greenscore.methods.base import fmt
from greenscore.methods.registry import REGISTRY
from greenscore.rubric import models as m
from greenscore.rubric.per_pool import BRANCH_TAGS

PathKey = tuple[str | int, ...]


def hint(word: str, choices: Iterable[str]) -> str:
    """A "did you mean" suffix that also finds a name differing only in case ('GOOD', 'good')."""
    return did_you_mean(word, choices, ignore_case=True)


def _owners() -> dict[str, list[str]]:
    """Every key any rubric model accepts, with the things it is a key of ('a bands indicator')."""
    owners: dict[str, set[str]] = {}
    stack: list[type[BaseModel]] = [m.Rubric]
    seen: set[type[BaseModel]] = set()
    while stack:
        model = stack.pop()
        if model in seen:
            continue
        seen.add(model)
        words = re.sub(r"(?<!^)([A-Z])", r" \1", model.__name__).lower().strip("_ ")
        if words.endswith(" indicator"):
            words = "indicator"
        owner = "the top level" if model is m.Rubric else f"a {words}"
        owner = "an indicator" if owner == "a indicator" else owner
        for name, field in model.model_fields.items():
            owners.setdefault(field.alias or name, set()).add(owner)
        for sub in vars(m).values():
            if isinstance(sub, type) and issubclass(sub, BaseModel) and sub not in seen:
                stack.append(sub)
        for spec in REGISTRY.values():
            stack.append(spec.model)
    return {key: sorted(found) for key, found in owners.items()}


_OWNERS = _owners()
_VOCABULARY = sorted(_OWNERS)


def _misplaced(key: str) -> str:
    """An unknown key that is known elsewhere: most often an indentation slip."""
    owners = _OWNERS[key]
    shown = " or ".join([", ".join(owners[:-1]), owners[-1]] if len(owners) > 1 else owners)
    return f"{key!r} is not a key here but of {shown}: check the indentation of this line"


def data_path(data: Any, loc: Sequence[str | int]) -> PathKey:
    """Drop the union tags pydantic inserts into error locations, keeping the path into the YAML."""
    path: list[str | int] = []
    node = data
    tagged: Any = None
    for index, part in enumerate(loc):
        if part in BRANCH_TAGS and not (isinstance(node, dict) and part in node):
            continue
        if isinstance(node, dict) and node is not tagged and isinstance(part, str):
            last = index == len(loc) - 1
            tag = part in (node.get("method"), node.get("type"))
            if tag and path and isinstance(path[-1], int) and not (last and part in node):
                tagged = node
                continue
        if isinstance(node, dict) and part == "from_" and "from" in node:
            part = "from"
        path.append(part)
        if isinstance(node, dict) and isinstance(part, str):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
    return tuple(path)


def message(error: Any, path: PathKey) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        key = str(path[-1]) if path else "?"
        if key in _OWNERS:
            return _misplaced(key)
        return f"unknown key {key!r}{hint(key, _VOCABULARY)}"
    if kind == "union_tag_invalid":
        ctx = error.get("ctx", {})
        tag = str(ctx.get("tag", "?"))
        expected = ctx.get("expected_tags", "")
        discriminator = str(ctx.get("discriminator", "")).strip("'")
        what = "method" if discriminator == "method" else discriminator or "kind"
        choices = [t.strip(" '") for t in str(expected).split(",")]
        return f"unknown {what} {tag!r}{hint(tag, choices)}; expected one of {expected}"
    if kind == "union_tag_not_found":
        discriminator = str(error.get("ctx", {}).get("discriminator", "")).strip("'")
        return f"missing {discriminator!r}: say which one, e.g. {discriminator}: ..."
    if kind == "missing":
        return "required key is missing"
    message = str(error["msg"]).removeprefix("Value error, ")
    if "input" in error and message.startswith("Input should be "):
        return _expected(kind, message.removeprefix("Input should be "), error["input"])
    return message


_NUMBER_KINDS = {"float_type": "a number", "int_type": "a whole number"}
_PLAIN = {
    "a valid number": "a number",
    "a valid integer": "a whole number",
    "a valid boolean": "true or false",
    "a valid string": "text",
    "a valid list": "a list",
    "a valid tuple": "a list",
    "a valid dictionary": "a mapping",
}
_COMPARISONS = ("greater_than", "greater_than_equal", "less_than", "less_than_equal")


def _expected(kind: str, expected: str, found: Any) -> str:
    """What a field expects and the value found, with the one rule for numbers: no quotes."""
    if kind in _NUMBER_KINDS and isinstance(found, str) and _is_number(found):
        return (
            f"expected {_NUMBER_KINDS[kind]}, found the text {found!r}: numbers are written "
            f"without quotes, so write {found.strip()}"
        )
    if kind in _COMPARISONS:
        expected = f"a number {expected}"
    expected = _PLAIN.get(expected, expected)
    return f"expected {expected}, found {_shown(found)}"


_DECIMAL = re.compile(r"[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


def _is_number(text: str) -> bool:
    """Text that would read as a number without its quotes."""
    return _DECIMAL.fullmatch(text.strip()) is not None


def _shown(value: Any) -> str:
    """A value found in a rubric as its author wrote it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "an empty value"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else ("-.inf" if value < 0 else ".inf")
    if isinstance(value, int | float):
        return fmt(value, 6) if isinstance(value, float) else str(value)
    return "a list" if isinstance(value, list) else "a mapping"
