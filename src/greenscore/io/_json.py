"""Strict JSON for profiles and JSON Lines: duplicate keys, numbers a float cannot hold and deep
nesting are refused with their line and column, never read last-wins, as infinity or a crash."""

from __future__ import annotations

import json
import math
import re
import sys
from typing import Any

from greenscore.io._table import error

_MAX_INT_DIGITS = len(str(int(sys.float_info.max)))
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]]')
_BLANKS = re.compile(r"[ \t\r\n]*")


class _HugeNumberError(ValueError):
    def __init__(self, text: str) -> None:
        shown = text if len(text) <= 24 else f"{text[:12]}…{text[-6:]} ({len(text)} characters)"
        super().__init__(
            f"the number {shown} overflows (beyond ±{sys.float_info.max:.4g}, the largest "
            "number a cell can hold)"
        )
        self.text = text


class _DuplicateKeyError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _bounded_int(text: str) -> int:
    """A JSON integer that a float can hold; longer ones are refused before they are converted."""
    if len(text.lstrip("-")) > _MAX_INT_DIGITS or abs(value := int(text)) > sys.float_info.max:
        raise _HugeNumberError(text)
    return value


def _bounded_float(text: str) -> float:
    """A JSON fraction or exponent number that stays finite (1e400 would read as infinity)."""
    value = float(text)
    if not math.isfinite(value):
        raise _HugeNumberError(text)
    return value


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise _DuplicateKeyError(key)
        obj[key] = value
    return obj


def _where(text: str, offset: int, line: int | None) -> str:
    """'line L, column C' of an offset: in the text, or on the given line for one-line text."""
    row = text.count("\n", 0, offset)
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {(line or 1) + row}, column {column}"


def _repeated_key(text: str) -> tuple[str, int] | None:
    """The first key that repeats within one object, and the offset of its second occurrence."""
    stack: list[set[str] | None] = []
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token == "{" or token == "[":
            stack.append(set() if token == "{" else None)
        elif token == "}" or token == "]":
            if stack:
                stack.pop()
        elif stack and stack[-1] is not None:
            after = _BLANKS.match(text, match.end())
            end = after.end() if after else match.end()
            if text.startswith(":", end):
                key = json.loads(token)
                if key in stack[-1]:
                    return key, match.start()
                stack[-1].add(key)
    return None


def _number_at(text: str, literal: str) -> int | None:
    match = re.search(rf"(?<![\w.+-]){re.escape(literal)}(?![\w.])", text)
    return None if match is None else match.start()


def parse_json(text: str, shown: str, *, line: int | None = None) -> Any:
    """The value of strict JSON text, or an InputFileError naming the line and column at fault.

    ``line`` is the line number of one-line text in its file (JSON Lines); without it, lines
    are counted in the text itself.
    """
    try:
        return json.loads(
            text,
            object_pairs_hook=_unique_pairs,
            parse_int=_bounded_int,
            parse_float=_bounded_float,
        )
    except _DuplicateKeyError as e:
        found = _repeated_key(text)
        key, where = (e.key, "") if found is None else (found[0], _where(text, found[1], line))
        raise error(shown, f"{where or f'line {line or 1}'}: duplicate key {key!r}") from e
    except _HugeNumberError as e:
        offset = _number_at(text, e.text)
        where = f"line {line or 1}" if offset is None else _where(text, offset, line)
        raise error(shown, f"{where}: {e}") from e
    except json.JSONDecodeError as e:
        number = e.lineno if line is None else line
        raise error(shown, f"line {number} is not valid JSON ({e.msg} at column {e.colno})") from e
    except RecursionError as e:
        place = "it" if line is None else f"line {line}"
        raise error(shown, f"{place} nests arrays or objects too deeply") from e
