"""Safe YAML loading for rubric files: plain data plus the source line and column of every node.

Rubrics come from strangers, so only plain YAML values are accepted (no Python or custom tags),
aliases are expanded under a node budget, and every problem is reported with its place in the file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeAlias, cast

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from greenscore.errors import InputFileError, Location, RubricError, RubricProblem

__all__ = [
    "MAX_BYTES",
    "LocatedDocument",
    "PathKey",
    "dump_yaml",
    "format_path",
    "load_located",
    "read_located",
]

MAX_BYTES = 2_000_000
PathKey: TypeAlias = tuple[str | int, ...]

_MAX_NODES = 100_000
_MAX_DEPTH = 100
_MAX_NUMBER_CHARS = 1_000

_TAG = "tag:yaml.org,2002:"
_STR = _TAG + "str"
_INT = _TAG + "int"
_FLOAT = _TAG + "float"
_BOOL = _TAG + "bool"
_NULL = _TAG + "null"
_MAP = _TAG + "map"
_SEQ = _TAG + "seq"
_MERGE = _TAG + "merge"
_ALLOWED_TAGS = "!!str, !!int, !!float, !!bool, !!null, !!map, !!seq"
_NOT_A_MAPPING = "a rubric must be a YAML mapping at the top level"

_BOOL_RE = re.compile(r"^(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$")
_NULL_RE = re.compile(r"^(?:~|null|Null|NULL|)$")
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
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_PLAIN_KEY = re.compile(r"[^\s.\[\]'\"]+")


def _implicit_resolvers() -> dict[str | None, list[tuple[str, re.Pattern[str]]]]:
    """YAML 1.1 safe resolution minus yes/no/on/off booleans, timestamps and the '=' value tag."""
    rules: list[tuple[str, re.Pattern[str], Sequence[str]]] = [
        (_BOOL, _BOOL_RE, "tTfF"),
        (_FLOAT, _FLOAT_RE, "-+0123456789."),
        (_INT, _INT_RE, "-+0123456789"),
        (_MERGE, _MERGE_RE, "<"),
        (_NULL, _NULL_RE, ["~", "n", "N", ""]),
    ]
    table: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {}
    for tag, regexp, first in rules:
        for char in first:
            table.setdefault(char, []).append((tag, regexp))
    return table


_RESOLVERS = _implicit_resolvers()


class _LimitError(Exception):
    """The document nests deeper than the loader allows; raised while composing."""

    def __init__(self, message: str, mark: Any) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


class _AliasNode(Node):
    """Where an alias is used, pointing at the anchored node it stands for."""

    id = "alias"

    def __init__(self, target: Node, start_mark: Any, end_mark: Any) -> None:
        super().__init__(target.tag, target, start_mark, end_mark)
        self.target = target


class _RubricComposer(Composer):
    """Composer that keeps alias use sites as nodes and refuses runaway nesting."""

    _depth = 0

    if TYPE_CHECKING:

        def check_event(self, *choices: Any) -> bool: ...
        def peek_event(self) -> Any: ...

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            target = super().compose_node(parent, index)
            assert target is not None
            return _AliasNode(target, event.start_mark, event.end_mark)
        if self._depth >= _MAX_DEPTH:
            raise _LimitError(
                f"the document nests deeper than {_MAX_DEPTH} levels", event.start_mark
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
    return dumper.represent_scalar(_STR, data, style='"' if "\x85" in data else None)


_Dumper.add_implicit_resolver(_BOOL, _BOOL_RE, list("tTfF"))
_Dumper.add_representer(str, _represent_str)


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


def dump_yaml(data: Any) -> str:
    """Write plain data as block-style YAML that load_located reads back to equal data."""
    text = yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
    )
    return cast(str, text)


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
    root = _compose(source, file)
    start = Location(file, 1, 1)
    if root is None:
        raise _fail(RubricProblem("", f"{_NOT_A_MAPPING} (the document is empty)", start), file)
    if not isinstance(root, MappingNode):
        found = _kind(root)
        where = _location(root, file) or start
        raise _fail(RubricProblem("", f"{_NOT_A_MAPPING} (found {found})", where), file)
    builder = _Builder(file)
    data: Any = None
    try:
        data = builder.value(root, (), 0)
    except _Abort as abort:
        builder.problems.setdefault((abort.problem.location, abort.problem.message), abort.problem)
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
    message = f"rubric file is {size} bytes; the limit is {limit}"
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


def _compose(source: str, file: str | None) -> Node | None:
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
    raise _fail(problem, file)


def _target(node: Node) -> Node:
    return node.target if isinstance(node, _AliasNode) else node


def _kind(node: Node) -> str:
    target = _target(node)
    if isinstance(target, MappingNode):
        return "a mapping"
    if isinstance(target, SequenceNode):
        return "a list"
    return {
        _NULL: "null",
        _BOOL: "a boolean",
        _INT: "an integer",
        _FLOAT: "a number",
        _STR: "a string",
    }.get(target.tag, f"a value tagged {_display_tag(target.tag)}")


def _display_tag(tag: str) -> str:
    if tag.startswith(_TAG):
        return "!!" + tag.removeprefix(_TAG)
    if tag.startswith("!"):
        return tag
    return f"!<{tag}>"


def _short(value: str, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _location(node: Node, file: str | None) -> Location | None:
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


class _Builder:
    """Turns a composed node graph into plain values, recording locations and problems."""

    def __init__(self, file: str | None) -> None:
        self.file = file
        self.locations: dict[PathKey, Location] = {}
        self.key_locations: dict[PathKey, Location] = {}
        self.problems: dict[tuple[Location | None, str], RubricProblem] = {}
        self.nodes = 0
        self.active: set[int] = set()

    def where(self, node: Node) -> Location:
        return _location(node, self.file) or Location(self.file, 1, 1)

    def report(self, path: PathKey, message: str, node: Node) -> None:
        location = self.where(node)
        problem = RubricProblem(format_path(path), message, location)
        self.problems.setdefault((location, message), problem)

    def tick(self, node: Node, path: PathKey, depth: int) -> None:
        self.nodes += 1
        if self.nodes > _MAX_NODES:
            message = (
                f"the document expands to more than {_MAX_NODES} nodes "
                "(anchors and aliases repeat content); refusing to load it"
            )
        elif depth > _MAX_DEPTH:
            message = f"the document nests deeper than {_MAX_DEPTH} levels once aliases expand"
        else:
            return
        raise _Abort(RubricProblem(format_path(path), message, self.where(node)))

    def value(self, node: Node, path: PathKey, depth: int) -> Any:
        self.tick(node, path, depth)
        self.locations[path] = self.where(node)
        target = _target(node)
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
        if target.tag != _SEQ:
            self.bad_tag(target, path, node)
            return None
        return [
            self.value(item, (*path, index), depth + 1) for index, item in enumerate(target.value)
        ]

    def mapping(self, target: MappingNode, path: PathKey, depth: int, node: Node) -> Any:
        if target.tag != _MAP:
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
            key_target = _target(key_node)
            if isinstance(key_target, ScalarNode) and key_target.tag == _MERGE:
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
        target = _target(source)
        if isinstance(target, SequenceNode) and target.tag == _SEQ:
            found: list[_Entry] = []
            for item in target.value:
                self.tick(item, path, depth + 1)
                found += self.merge_mapping(item, path, depth)
            return found
        return self.merge_mapping(source, path, depth)

    def merge_mapping(self, source: Node, path: PathKey, depth: int) -> list[_Entry]:
        target = _target(source)
        if not isinstance(target, MappingNode) or target.tag != _MAP:
            message = (
                f"the merge key '<<' needs a mapping or a list of mappings, not {_kind(source)}"
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
        target = _target(key_node)
        if not isinstance(target, ScalarNode):
            message = f"a mapping key must be a string or an integer, not {_kind(key_node)}"
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
            f"mapping key {_short(target.value)} is {_kind(target)}; keys must be strings or "
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
    if tag in (_STR, _MERGE):
        return text
    if tag == _NULL:
        if not _NULL_RE.match(text):
            raise _BadScalar(f"{_short(text)} is not a valid !!null value")
        return None
    if tag == _BOOL:
        if not _BOOL_RE.match(text):
            raise _BadScalar(f"{_short(text)} is not a valid !!bool value (use true or false)")
        return text.lower() == "true"
    if tag in (_INT, _FLOAT):
        kind = "an integer" if tag == _INT else "a number"
        if len(text) > _MAX_NUMBER_CHARS:
            raise _BadScalar(f"number is too long ({len(text)} characters)")
        try:
            if tag == _INT:
                return _SCALAR_READER.construct_yaml_int(node)
            return _SCALAR_READER.construct_yaml_float(node)
        except (ValueError, IndexError):
            raise _BadScalar(f"cannot read {_short(text)} as {kind}") from None
    raise _UnsupportedTag(tag)
