"""The YAML dialect of rubric files: plain tags only, YAML 1.1 scalars without yes/no/on/off,
nesting limits while composing, and a dumper whose output that reading gives back unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent
from yaml.nodes import Node

from greenscore.errors import Location, RubricError, RubricProblem

__all__ = [
    "BOOL",
    "BOOL_RE",
    "FLOAT",
    "INT",
    "MAP",
    "MAX_DEPTH",
    "MAX_NODES",
    "MERGE",
    "NULL",
    "NULL_RE",
    "SEQ",
    "STR",
    "TAG",
    "AliasNode",
    "alias_target",
    "compose",
    "dump_yaml",
]

MAX_DEPTH = 100
MAX_NODES = 100_000

TAG = "tag:yaml.org,2002:"
STR = TAG + "str"
INT = TAG + "int"
FLOAT = TAG + "float"
BOOL = TAG + "bool"
NULL = TAG + "null"
MAP = TAG + "map"
SEQ = TAG + "seq"
MERGE = TAG + "merge"

BOOL_RE = re.compile(r"^(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$")
NULL_RE = re.compile(r"^(?:~|null|Null|NULL|)$")
_FLOAT_RE = re.compile(
    r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.X,
)
_INT_RE = re.compile(
    r"""^(?:[-+]?0b[0-1_]+
    |[-+]?0[0-7_]+
    |[-+]?(?:0|[1-9][0-9_]*)
    |[-+]?0x[0-9a-fA-F_]+
    |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$""",
    re.X,
)
_MERGE_RE = re.compile(r"^(?:<<)$")


def _implicit_resolvers() -> dict[str | None, list[tuple[str, re.Pattern[str]]]]:
    """YAML 1.1 safe resolution minus yes/no/on/off booleans, timestamps and the '=' value tag."""
    rules: list[tuple[str, re.Pattern[str], Sequence[str]]] = [
        (BOOL, BOOL_RE, "tTfF"),
        (FLOAT, _FLOAT_RE, "-+0123456789."),
        (INT, _INT_RE, "-+0123456789"),
        (MERGE, _MERGE_RE, "<"),
        (NULL, NULL_RE, ["~", "n", "N", ""]),
    ]
    table: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {}
    for tag, regexp, first in rules:
        for char in first:
            table.setdefault(char, []).append((tag, regexp))
    return table


_RESOLVERS = _implicit_resolvers()


class _LimitError(Exception):
    """The document nests deeper or has more nodes than the loader allows; raised while composing."""

    def __init__(self, message: str, mark: Any) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


class AliasNode(Node):
    """Where an alias is used, pointing at the anchored node it stands for."""

    id = "alias"

    def __init__(self, target: Node, start_mark: Any, end_mark: Any) -> None:
        super().__init__(target.tag, target, start_mark, end_mark)
        self.target = target


class _RubricComposer(Composer):
    """Composer that keeps alias use sites as nodes and refuses runaway nesting or size, so a
    huge flat document is refused after MAX_NODES nodes instead of being composed whole."""

    _depth = 0
    _nodes = 0

    if TYPE_CHECKING:

        def check_event(self, *choices: Any) -> bool: ...
        def peek_event(self) -> Any: ...

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            target = super().compose_node(parent, index)
            assert target is not None
            return AliasNode(target, event.start_mark, event.end_mark)
        if self._depth >= MAX_DEPTH:
            raise _LimitError(
                f"the document nests deeper than {MAX_DEPTH} levels", event.start_mark
            )
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _LimitError(
                f"too many YAML nodes: the document has more than {MAX_NODES} values and keys; "
                "refusing to load it",
                event.start_mark,
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _PyLoader(_RubricComposer, yaml.SafeLoader):
    """Pure-Python safe loader with rubric scalar resolution."""

    yaml_implicit_resolvers = _RESOLVERS


_LOADERS: list[type[yaml.SafeLoader | yaml.CSafeLoader]] = [_PyLoader]

if yaml.__with_libyaml__:

    class _CLoader(_RubricComposer, yaml.CSafeLoader):
        """libyaml scanner and parser; composition stays in Python so the limits apply."""

        yaml_implicit_resolvers = _RESOLVERS

        def __init__(self, stream: str | bytes) -> None:
            yaml.CSafeLoader.__init__(self, stream)
            Composer.__init__(self)

    _LOADERS.insert(0, _CLoader)

_Loader = _LOADERS[0]


class _Dumper(yaml.SafeDumper):
    """Safe dumper that never writes anchors and quotes every string the loader would not read
    back as a string."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    """Double-quote strings holding NEL: with allow_unicode PyYAML writes it raw into single
    quotes, and it reads back as a line break folded into a space."""
    return dumper.represent_scalar(STR, data, style='"' if "\x85" in data else None)


_Dumper.add_implicit_resolver(BOOL, BOOL_RE, list("tTfF"))
_Dumper.add_representer(str, _represent_str)


def dump_yaml(data: Any) -> str:
    """Write plain data as block-style YAML that load_located reads back to equal data."""
    text: str = yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
    )
    return text


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _mark_location(mark: Any, file: str | None) -> Location:
    if mark is None:
        return Location(file, 1, 1)
    return Location(file, mark.line + 1, mark.column + 1)


def _syntax_message(exc: yaml.MarkedYAMLError) -> str:
    """One line from a PyYAML or libyaml error: the problem, then the context it arose in."""
    problem = _one_line(exc.problem or "")
    context = _one_line(exc.context or "")
    if not (problem and context):
        return problem or context or "invalid YAML"
    seen, mark = exc.context_mark, exc.problem_mark
    if seen is not None and (mark is None or (seen.line, seen.column) != (mark.line, mark.column)):
        context += f" at line {seen.line + 1}, column {seen.column + 1}"
    if context.startswith("while "):
        return f"{problem} ({context})"
    return f"{context}; {problem.removeprefix('but ')}"


def compose(source: str, file: str | None) -> Node | None:
    """Compose the node graph, turning every YAML error into a located RubricError."""
    try:
        return yaml.compose(source, Loader=_Loader)
    except _LimitError as exc:
        problem = RubricProblem("", exc.message, _mark_location(exc.mark, file))
    except yaml.MarkedYAMLError as exc:
        message = _syntax_message(exc)
        mark = exc.problem_mark or exc.context_mark
        problem = RubricProblem("", f"YAML syntax error: {message}", _mark_location(mark, file))
    except yaml.YAMLError as exc:
        problem = RubricProblem("", f"YAML error: {_one_line(str(exc))}", Location(file, 1, 1))
    raise RubricError([problem], file)


def alias_target(node: Node) -> Node:
    """The anchored node an alias stands for; any other node is itself."""
    return node.target if isinstance(node, AliasNode) else node
