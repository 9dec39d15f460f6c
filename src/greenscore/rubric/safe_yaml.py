"""Safe YAML loading for rubric files: plain data plus the source line and column of every node.

Rubrics come from strangers, so only plain YAML values are accepted (no Python or custom tags),
the size is bounded before parsing (MAX_BYTES) and the node count while composing (MAX_NODES),
aliases are expanded under the same node budget, and every problem is reported with its place.
The dialect lives in yaml_syntax, the node-to-value walk in yaml_values.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from yaml.nodes import MappingNode

from greenscore.errors import InputFileError, Location, RubricError, RubricProblem
from greenscore.rubric.yaml_syntax import compose
from greenscore.rubric.yaml_values import Builder, PathKey, kind, node_location

__all__ = [
    "MAX_BYTES",
    "LocatedDocument",
    "load_located",
    "read_located",
]

MAX_BYTES = 1_000_000

_NOT_A_MAPPING = "a rubric must be a YAML mapping at the top level"

_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


@dataclass(frozen=True)
class LocatedDocument:
    """A loaded rubric: plain data plus where each value and mapping key sits in the source."""

    data: Any
    locations: Mapping[PathKey, Location]
    key_locations: Mapping[PathKey, Location]
    file: str | None

    def locate(self, path: Sequence[str | int]) -> Location | None:
        """Location for path: the key if path names an existing key, else the deepest existing
        prefix's value, so problems with missing or extra entries still point somewhere useful."""
        key = tuple(path)
        found = self.key_locations.get(key)
        if found is not None:
            return found
        for end in range(len(key), -1, -1):
            found = self.locations.get(key[:end])
            if found is not None:
                return found
        return None


def read_located(path: str | os.PathLike[str], *, max_bytes: int = MAX_BYTES) -> LocatedDocument:
    """Read and load a rubric file (UTF-8, optional BOM), refusing oversized files unread."""
    name = os.fspath(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
            size = max(len(data), os.fstat(handle.fileno()).st_size)
    except FileNotFoundError as exc:
        raise _input_error(f"rubric file not found: {name}", name) from exc
    except IsADirectoryError as exc:
        raise _input_error(f"rubric path is a directory, not a file: {name}", name) from exc
    except OSError as exc:
        raise _input_error(f"cannot read rubric file {name}: {exc.strerror or exc}", name) from exc
    if len(data) > max_bytes:
        raise _too_large(size, max_bytes, name)
    return load_located(data, file=name, max_bytes=max_bytes)


def load_located(
    text: str | bytes, *, file: str | None = None, max_bytes: int = MAX_BYTES
) -> LocatedDocument:
    """Parse one YAML rubric document safely into plain data with the location of every node."""
    source = _decode(text, file, max_bytes)
    root = compose(source, file)
    start = Location(file, 1, 1)
    if root is None:
        raise _fail(RubricProblem("", f"{_NOT_A_MAPPING} (the document is empty)", start), file)
    if not isinstance(root, MappingNode):
        found = kind(root)
        where = node_location(root, file) or start
        raise _fail(RubricProblem("", f"{_NOT_A_MAPPING} (found {found})", where), file)
    builder = Builder(file)
    data = builder.build(root)
    if builder.problems:
        problems = sorted(
            builder.problems.values(),
            key=lambda p: (p.location.line, p.location.column) if p.location else (0, 0),
        )
        raise RubricError(problems, file)
    return LocatedDocument(
        data=data,
        locations=MappingProxyType(builder.locations),
        key_locations=MappingProxyType(builder.key_locations),
        file=file,
    )


def _input_error(message: str, name: str) -> InputFileError:
    del name
    return InputFileError(message)


def _fail(problem: RubricProblem, file: str | None) -> RubricError:
    return RubricError([problem], file)


def _too_large(size: int, limit: int, file: str | None) -> RubricError:
    what = "rubric file" if file else "rubric text"
    message = f"{what} is {size} bytes; the limit is {limit}"
    return _fail(RubricProblem("", message, Location(file, 1, 1)), file)


def _position(text: str, index: int, file: str | None) -> Location:
    """1-based line and column of text[index], counting YAML line breaks."""
    line = 1
    line_start = 0
    for match in _LINE_BREAK.finditer(text, 0, index):
        line += 1
        line_start = match.end()
    return Location(file, line, index - line_start + 1)


def _decode(text: str | bytes, file: str | None, max_bytes: int) -> str:
    """Check size, decode UTF-8 and reject characters YAML forbids, before any parsing."""
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise _too_large(size, max_bytes, file)
    if isinstance(text, bytes):
        raw = text.removeprefix(b"\xef\xbb\xbf")
        try:
            source = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            prefix = raw[: exc.start].decode("utf-8")
            where = _position(prefix, len(prefix), file)
            message = (
                f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x} cannot be decoded); "
                "save it with UTF-8 encoding"
            )
            raise _fail(RubricProblem("", message, where), file) from None
    else:
        source = text.removeprefix("\ufeff")
    bad = _NON_PRINTABLE.search(source)
    if bad is not None:
        message = f"character U+{ord(bad.group()):04X} is not allowed in a YAML file"
        raise _fail(RubricProblem("", message, _position(source, bad.start(), file)), file)
    return source
