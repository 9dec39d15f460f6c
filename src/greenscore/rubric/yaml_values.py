"""A composed YAML node graph as plain values, with the location of every node and every problem.

Aliases expand under a node budget, '<<' merges apply, duplicate keys and non-plain tags are
reported at their place in the file, and nothing stops at the first problem.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, TypeAlias

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from greenscore.errors import Location, RubricProblem
from greenscore.rubric.yaml_syntax import (
    BOOL,
    BOOL_RE,
    FLOAT,
    INT,
    MAP,
    MAX_DEPTH,
    MAX_NODES,
    MERGE,
    NULL,
    NULL_RE,
    SEQ,
    STR,
    TAG,
    alias_target,
)

__all__ = ["Builder", "PathKey", "format_path", "kind", "node_location"]

PathKey: TypeAlias = tuple[str | int, ...]

_MAX_NUMBER_CHARS = 1_000

_ALLOWED_TAGS = "!!str, !!int, !!float, !!bool, !!null, !!map, !!seq"

_PLAIN_KEY = re.compile(r"[^\s.\[\]'\"]+")


def format_path(path: Sequence[str | int]) -> str:
    """Render a data path the way users read it: dimensions[2].indicators[0].goalposts."""
    parts: list[str] = []
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            parts.append(f"[{part}]")
        elif isinstance(part, str) and _PLAIN_KEY.fullmatch(part):
            parts.append(f".{part}" if parts else part)
        else:
            parts.append(f"[{part!r}]")
    return "".join(parts)


def kind(node: Node) -> str:
    target = alias_target(node)
    if isinstance(target, MappingNode):
        return "a mapping"
    if isinstance(target, SequenceNode):
        return "a list"
    return {
        NULL: "null",
        BOOL: "a boolean",
        INT: "an integer",
        FLOAT: "a number",
        STR: "a string",
    }.get(target.tag, f"a value tagged {_display_tag(target.tag)}")


def _display_tag(tag: str) -> str:
    if tag.startswith(TAG):
        return "!!" + tag.removeprefix(TAG)
    if tag.startswith("!"):
        return tag
    return f"!<{tag}>"


def _short(value: str, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def node_location(node: Node, file: str | None) -> Location | None:
    mark = node.start_mark
    return None if mark is None else Location(file, mark.line + 1, mark.column + 1)


class _Abort(Exception):
    """Loading must stop now (budget exhausted); carries the problem to report."""

    def __init__(self, problem: RubricProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class _BadScalar(Exception):
    """A scalar cannot be read as its (resolved or explicit) type."""


_INVALID = object()
_Entry: TypeAlias = tuple[str | int, Node, Node]

_SCALAR_READER = yaml.constructor.SafeConstructor()


class Builder:
    """Turns a composed node graph into plain values, recording locations and problems."""

    def __init__(self, file: str | None) -> None:
        self.file = file
        self.locations: dict[PathKey, Location] = {}
        self.key_locations: dict[PathKey, Location] = {}
        self.problems: dict[tuple[Location | None, str], RubricProblem] = {}
        self.nodes = 0
        self.expanded = False
        self.active: set[int] = set()

    def build(self, root: Node) -> Any:
        """Plain value of the root node; running out of budget is recorded as one more problem."""
        try:
            return self.value(root, (), 0)
        except _Abort as abort:
            problem = abort.problem
            self.problems.setdefault((problem.location, problem.message), problem)
            return None

    def where(self, node: Node) -> Location:
        return node_location(node, self.file) or Location(self.file, 1, 1)

    def report(self, path: PathKey, message: str, node: Node) -> None:
        location = self.where(node)
        problem = RubricProblem(format_path(path), message, location)
        self.problems.setdefault((location, message), problem)

    def tick(self, node: Node, path: PathKey, depth: int) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            cause = (
                "anchors and aliases expand the document to"
                if self.expanded
                else "the document has"
            )
            message = (
                f"too many YAML nodes: {cause} more than {MAX_NODES} values and keys; "
                "refusing to load it"
            )
        elif depth > MAX_DEPTH:
            message = f"the document nests deeper than {MAX_DEPTH} levels once aliases expand"
        else:
            return
        raise _Abort(RubricProblem(format_path(path), message, self.where(node)))

    def value(self, node: Node, path: PathKey, depth: int) -> Any:
        self.tick(node, path, depth)
        self.locations[path] = self.where(node)
        target = alias_target(node)
        self.expanded = self.expanded or target is not node
        if isinstance(target, ScalarNode):
            return self.scalar(target, path, node)
        if id(target) in self.active:
            self.report(path, "this alias refers to a node that contains it", node)
            return None
        self.active.add(id(target))
        try:
            if isinstance(target, SequenceNode):
                return self.sequence(target, path, depth, node)
            if isinstance(target, MappingNode):
                return self.mapping(target, path, depth, node)
        finally:
            self.active.discard(id(target))
        self.report(path, "unsupported YAML node", node)
        return None

    def bad_tag(self, target: Node, path: PathKey, node: Node) -> None:
        message = (
            f"tag {_display_tag(target.tag)} is not allowed in a rubric "
            f"(only plain YAML values: {_ALLOWED_TAGS})"
        )
        self.report(path, message, node)

    def scalar(self, target: ScalarNode, path: PathKey, node: Node) -> Any:
        try:
            return _read_scalar(target)
        except _BadScalar as exc:
            self.report(path, str(exc), node)
            return None
        except _UnsupportedTag:
            self.bad_tag(target, path, node)
            return None

    def sequence(self, target: SequenceNode, path: PathKey, depth: int, node: Node) -> Any:
        if target.tag != SEQ:
            self.bad_tag(target, path, node)
            return None
        return [
            self.value(item, (*path, index), depth + 1) for index, item in enumerate(target.value)
        ]

    def mapping(self, target: MappingNode, path: PathKey, depth: int, node: Node) -> Any:
        if target.tag != MAP:
            self.bad_tag(target, path, node)
            return None
        result: dict[str | int, Any] = {}
        for key, key_node, value_node in self.entries(target, path, depth):
            self.key_locations[(*path, key)] = self.where(key_node)
            result[key] = self.value(value_node, (*path, key), depth + 1)
        return result

    def entries(self, target: MappingNode, path: PathKey, depth: int) -> list[_Entry]:
        """Key and value nodes of a mapping, '<<' merges applied, duplicate keys reported."""
        explicit: dict[str | int, tuple[Node, Node]] = {}
        merge_key: Node | None = None
        merges: list[Node] = []
        for key_node, value_node in target.value:
            self.tick(key_node, path, depth + 1)
            key_target = alias_target(key_node)
            if isinstance(key_target, ScalarNode) and key_target.tag == MERGE:
                if merge_key is not None:
                    self.report(path, _duplicate("<<", merge_key), key_node)
                else:
                    merge_key = key_node
                merges.append(value_node)
                continue
            key = self.key(key_node, path)
            if key is _INVALID:
                continue
            assert isinstance(key, str | int)
            if key in explicit:
                self.report((*path, key), _duplicate(key, explicit[key][0]), key_node)
                continue
            explicit[key] = (key_node, value_node)
        merged: dict[str | int, tuple[Node, Node]] = {}
        for source in merges:
            for key, key_node, value_node in self.merge_sources(source, path, depth):
                merged.setdefault(key, (key_node, value_node))
        pairs = [(k, pair) for k, pair in merged.items() if k not in explicit]
        pairs += explicit.items()
        return [(key, key_node, value_node) for key, (key_node, value_node) in pairs]

    def merge_sources(self, source: Node, path: PathKey, depth: int) -> list[_Entry]:
        target = alias_target(source)
        if isinstance(target, SequenceNode) and target.tag == SEQ:
            found: list[_Entry] = []
            for item in target.value:
                self.tick(item, path, depth + 1)
                found += self.merge_mapping(item, path, depth)
            return found
        return self.merge_mapping(source, path, depth)

    def merge_mapping(self, source: Node, path: PathKey, depth: int) -> list[_Entry]:
        target = alias_target(source)
        self.expanded = self.expanded or target is not source
        if not isinstance(target, MappingNode) or target.tag != MAP:
            message = (
                f"the merge key '<<' needs a mapping or a list of mappings, not {kind(source)}"
            )
            self.report(path, message, source)
            return []
        if id(target) in self.active:
            self.report(path, "this alias refers to a node that contains it", source)
            return []
        self.active.add(id(target))
        try:
            return self.entries(target, path, depth)
        finally:
            self.active.discard(id(target))

    def key(self, key_node: Node, path: PathKey) -> object:
        target = alias_target(key_node)
        if not isinstance(target, ScalarNode):
            message = f"a mapping key must be a string or an integer, not {kind(key_node)}"
            self.report(path, message, key_node)
            return _INVALID
        try:
            key = _read_scalar(target)
        except _BadScalar as exc:
            self.report(path, str(exc), key_node)
            return _INVALID
        except _UnsupportedTag:
            self.bad_tag(target, path, key_node)
            return _INVALID
        if isinstance(key, str) or (isinstance(key, int) and not isinstance(key, bool)):
            return key
        message = (
            f"mapping key {_short(target.value)} is {kind(target)}; keys must be strings or "
            "integers (quote it to use it as text)"
        )
        self.report(path, message, key_node)
        return _INVALID


def _duplicate(key: str | int, first: Node) -> str:
    line = first.start_mark.line + 1 if first.start_mark is not None else "?"
    return f"duplicate key {key!r} (first at line {line})"


class _UnsupportedTag(Exception):
    """A scalar carries a tag outside plain YAML."""


def _read_scalar(node: ScalarNode) -> Any:
    """Plain value of a scalar under its resolved or explicit tag; YAML 1.1 number syntax."""
    tag, text = node.tag, node.value
    if tag in (STR, MERGE):
        return text
    if tag == NULL:
        if not NULL_RE.match(text):
            raise _BadScalar(f"{_short(text)} is not a valid !!null value")
        return None
    if tag == BOOL:
        if not BOOL_RE.match(text):
            raise _BadScalar(f"{_short(text)} is not a valid !!bool value (use true or false)")
        return text.lower() == "true"
    if tag in (INT, FLOAT):
        kind = "an integer" if tag == INT else "a number"
        if len(text) > _MAX_NUMBER_CHARS:
            raise _BadScalar(f"number is too long ({len(text)} characters)")
        try:
            if tag == INT:
                return _SCALAR_READER.construct_yaml_int(node)
            return _SCALAR_READER.construct_yaml_float(node)
        except (ValueError, IndexError):
            raise _BadScalar(f"cannot read {_short(text)} as {kind}") from None
    raise _UnsupportedTag(tag)
