"""Rubric mutations: the bundled Jiangxi rubric and the worked example, changed as a careless or
hostile author would: keys deleted, duplicated or retyped, bad weights and numbers, broken
formulas and references, aliases and tags, deep nesting, huge sizes, bad bytes.

A mutated rubric is refused with every problem at its file:line:column, or it loads and then
scores its example table with every row accounted for.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from fuzz_run import ROOT, Kind, Outcome, assess_outcome, check_located, strict
from fuzz_tables import COLUMNS, example_rows
from hypothesis import strategies as st

import greenscore
from greenscore.errors import GreenscoreError
from greenscore.io import read_table

SEEDS = {
    "jiangxi": ROOT / "rubrics" / "jiangxi-parks.yaml",
    "worked-example": ROOT / "examples" / "rubrics" / "worked-example.yaml",
}
SEED_DATA = {
    name: yaml.load(path.read_text("utf-8"), Loader=yaml.CSafeLoader)
    for name, path in SEEDS.items()
}
SEED_TEXT = {name: path.read_text("utf-8") for name, path in SEEDS.items()}


def _worked_table() -> pd.DataFrame:
    table = example_rows(
        {"revenue": 0, "land": 0, "major_incidents": 1},
        {"revenue": 1e308, "land": 1e-300, "findings": 1_000_000, "water_reuse": None},
        {"stage": "innovation", "serious_incidents": 2, "green_plan": "no"},
    )
    return pd.DataFrame([row for row in table.rows if row is not None], columns=COLUMNS)


TABLES: dict[str, pd.DataFrame] = {
    "jiangxi": read_table(ROOT / "examples" / "jiangxi" / "parks_2016.csv").frame.iloc[:6],
    "worked-example": _worked_table(),
}
"""The table each seed scores once it loads: six Jiangxi parks, five worked-example parks."""


@dataclass
class RubricCase:
    """A mutated rubric's bytes, the seed it came from and the mutations made."""

    seed: str
    data: bytes
    kinds: set[str] = field(default_factory=set)


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _scalar(value: Any) -> str:
    """One value in YAML flow style: JSON for text and containers, YAML's own NaN and infinity."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        text = repr(value)
        return text if "." in text else text.replace("e", ".0e", 1)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)}: {_scalar(v)}" for k, v in value.items()) + "}"
    return "[" + ", ".join(_scalar(v) for v in value) + "]"


def _key(key: Any) -> str:
    return key if isinstance(key, str) and _PLAIN_KEY.fullmatch(key) else _scalar(key)


def _block(node: Any, indent: str, depth: int) -> list[str]:
    lines: list[str] = []
    items = node.items() if isinstance(node, dict) else ((None, v) for v in node)
    for key, value in items:
        head = f"{indent}{_key(key)}:" if isinstance(node, dict) else f"{indent}-"
        if depth < 3 and isinstance(value, dict | list) and value:
            lines.append(head)
            lines += _block(value, indent + "  ", depth + 1)
        else:
            lines.append(f"{head} {_scalar(value)}")
    return lines


def dump(data: Any) -> str:
    """YAML text of plain data: block style for the outer levels, flow style inside, as authors
    write rubrics (PyYAML's dumper is too slow for twenty thousand rubrics)."""
    if not isinstance(data, dict | list) or not data:
        return _scalar(data) + "\n"
    return "\n".join(_block(data, "", 0)) + "\n"


Path_ = tuple[Any, ...]


def _paths(node: Any, path: Path_ = ()) -> list[Path_]:
    """Every path to a value in the tree (mapping keys and list positions)."""
    found = [path] if path else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*path, i))
    return found


def _parent(data: Any, path: Path_) -> Any:
    node = data
    for key in path[:-1]:
        node = node[key]
    return node


ODD_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    1e308,
    -1e308,
    float("nan"),
    float("inf"),
    5e-324,
    10**40,
    "",
    "x",
    "1e400",
    "\x1b[2J",
    "\u202e",
    [],
    {},
    [1, 2],
    {"a": 1},
    "a" * 3000,
]
WEIGHTS: list[Any] = [
    0,
    -1,
    1e308,
    float("nan"),
    float("inf"),
    "heavy",
    1_000_001,
    5e-324,
    None,
    True,
]
FORMULAS = [
    "__import__('os').system('ls')",
    "revenue ** 1000000",
    "1 / 0",
    "(" * 200 + "revenue" + ")" * 200,
    "+".join(["revenue"] * 600),
    "lambda: 1",
    "revenue.__class__",
    "[x for x in ()]",
    "revenue if land else 0",
    "收入 / 土地",
    "",
    "revenue / (land - land)",
    "1e308 * 1e308",
    "-1e308 - 1e308",
]


def _mutate_value(draw: st.DrawFn, data: Any, kinds: set[str]) -> None:
    """One value deleted, retyped, made a bad number, duplicated, swapped or renamed."""
    paths = _paths(data)
    if not paths:
        return
    path = draw(st.sampled_from(paths))
    parent, key = _parent(data, path), path[-1]
    op = draw(st.sampled_from(["delete", "retype", "number", "duplicate", "swap", "rename"]))
    if op == "delete":
        kinds.add("rubric.delete-key")
        del parent[key]
    elif op == "retype":
        kinds.add("rubric.retype")
        parent[key] = draw(st.sampled_from(ODD_VALUES))
    elif op == "number":
        kinds.add("rubric.bad-number")
        value = parent[key]
        if isinstance(value, int | float) and not isinstance(value, bool):
            parent[key] = draw(
                st.sampled_from([-value, value * 1e300, value + 1e-12, 0, -0.0, float("nan")])
            )
        else:
            parent[key] = draw(st.sampled_from([1e308, -1, float("inf"), 0]))
    elif op == "duplicate" and isinstance(parent, list):
        kinds.add("rubric.duplicate-item")
        parent.insert(key, copy.deepcopy(parent[key]))
    elif op == "swap":
        kinds.add("rubric.swap")
        other = draw(st.sampled_from(paths))
        if other[: len(path)] != path and path[: len(other)] != other:
            other_parent = _parent(data, other)
            parent[key], other_parent[other[-1]] = other_parent[other[-1]], parent[key]
    else:
        kinds.add("rubric.rename-id")
        if isinstance(parent, dict) and "id" in parent:
            parent["id"] = draw(st.sampled_from(["x", "", "P 1", "a.b", "é", f"{parent['id']}_"]))


def _mutate_special(draw: st.DrawFn, data: Any, kinds: set[str]) -> None:
    """Weights, formulas, sizes and nesting: the mutations aimed at what a rubric computes (each
    where the rubric, as earlier mutations left it, still has a place for it)."""
    paths = _paths(data)
    op = draw(st.sampled_from(["weight", "weight", "formula", "formula", "size", "nesting"]))
    weighted = [p for p in paths if p[-1] == "weight"] or [p for p in paths if p[-1] == "id"]
    texts = [p for p in paths if p[-1] in ("formula", "when", "points")]
    dimensions = data.get("dimensions")
    if op == "weight" and weighted:
        kinds.add("rubric.bad-weight")
        path = draw(st.sampled_from(weighted))
        _parent(data, path)["weight"] = draw(st.sampled_from(WEIGHTS))
    elif op == "formula" and texts:
        kinds.add("rubric.bad-formula")
        path = draw(st.sampled_from(texts))
        _parent(data, path)[path[-1]] = draw(st.sampled_from(FORMULAS))
    elif op == "size":
        kinds.add("rubric.huge-size")
        target = draw(st.sampled_from(["inputs", "dimensions", "description", "tiers"]))
        count = draw(st.sampled_from([100, 500, 2000]))
        if target == "description":
            data["description"] = "长" * count * 20
        elif isinstance(data.get(target), list) and data[target]:
            item = data[target][-1]
            data[target] = data[target] + [copy.deepcopy(item) for _ in range(count)]
    elif op == "nesting" and isinstance(dimensions, list):
        kinds.add("rubric.deep-nesting")
        depth = draw(st.sampled_from([20, 99, 101, 500]))
        first = dimensions[0] if dimensions and isinstance(dimensions[0], dict) else {}
        nested: Any = {"id": "deep", "indicators": copy.deepcopy(first.get("indicators", []))}
        for level in range(depth // 2):
            nested = {"id": f"d{level}", "dimensions": [nested]}
        dimensions.append(nested)


TEXT_FAULTS: dict[str, list[Callable[[str], str]]] = {
    "rubric.duplicate-key": [
        lambda t: t.replace("\nversion:", "\nversion: again\nversion:", 1),
        lambda t: t.replace("\nscale:", "\nrounding: {decimals: 2}\nscale:", 1),
    ],
    "rubric.alias": [
        lambda t: "base: &b {min: 0, max: 100}\n" + t.replace("scale:", "scale: *b\nold_scale:", 1),
        lambda t: (
            "".join(
                f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9 if i else ["x"] * 9) + "]\n"
                for i in range(12)
            )
            + t
        ),
        lambda t: t + "\nextra: *undefined\n",
        lambda t: "a: &a {<<: *a}\n" + t,
    ],
    "rubric.tag": [
        lambda t: t.replace("version:", "version: !!python/object/apply:os.system ['ls']\nold:", 1),
        lambda t: t.replace("name:", "name: !custom", 1),
        lambda t: "%TAG ! tag:evil.example,2024:\n---\n" + t,
        lambda t: t.replace("name:", "name: !!binary aGVsbG8=\nold_name:", 1),
    ],
    "rubric.syntax": [
        lambda t: t.replace("\n  ", "\n\t", 1),
        lambda t: t.replace(":", "", 1),
        lambda t: t.replace("[", "[[", 1),
        lambda t: t[: len(t) // 2],
        lambda t: t + "\n---\nsecond: document\n",
        lambda t: t.replace("\n", "\n" + " " * 3, 2),
    ],
    "rubric.not-a-mapping": [
        lambda t: "- " + t.replace("\n", "\n  "),
        lambda t: "just text",
        lambda t: "",
        lambda t: "rubric:\n  " + t.replace("\n", "\n  "),
        lambda t: "~",
    ],
}
"""Mutations of the YAML text itself, where the parsed data cannot show them."""

BYTE_FAULTS: dict[str, Callable[[bytes], bytes]] = {
    "bom": lambda b: b"\xef\xbb\xbf" + b,
    "utf-16": lambda b: b.decode("utf-8").encode("utf-16"),
    "latin-1": lambda b: b.replace(b"name:", "name: Café".encode("latin-1") + b"\n_name:", 1),
    "nul": lambda b: b.replace(b"version", b"ver\x00sion", 1),
    "control": lambda b: b.replace(b"name:", b"name: a\x1b[2Jb\n_name:", 1),
    "bidi": lambda b: b.replace(b"name:", "name: \u202eevil\n_name:".encode(), 1),
    "too-big": lambda b: b + b"#" * 2_000_001,
}
"""Mutations of the file's bytes: encodings, control characters, size."""


@st.composite
def rubric_cases(draw: st.DrawFn, seed: str) -> RubricCase:
    """The seed rubric with up to three mutations of its data, then maybe its text or bytes."""
    kinds: set[str] = set()
    data = copy.deepcopy(SEED_DATA[seed])
    for _ in range(draw(st.integers(0, 3))):
        if draw(st.integers(0, 3)) == 0:
            _mutate_special(draw, data, kinds)
        else:
            _mutate_value(draw, data, kinds)
    text = dump(data) if kinds else SEED_TEXT[seed]
    if draw(st.integers(0, 3)) == 0:
        kind = draw(st.sampled_from(sorted(TEXT_FAULTS)))
        kinds.add(kind)
        text = draw(st.sampled_from(TEXT_FAULTS[kind]))(text)
    raw = text.encode("utf-8")
    if draw(st.integers(0, 8)) == 0:
        name = draw(st.sampled_from(sorted(BYTE_FAULTS)))
        kinds.add("rubric.bytes")
        raw = BYTE_FAULTS[name](raw)
    if not kinds:
        kinds.add("rubric.unchanged")
    return RubricCase(seed, raw, kinds)


def check_rubric(folder: Path, case: RubricCase) -> Outcome:
    """Load the rubric from a file as the command line does; if it loads, score its table."""
    path = folder / "rubric.yaml"
    path.write_bytes(case.data)
    shown = str(path)
    with strict():
        try:
            rubric = greenscore.load_rubric(path)
        except GreenscoreError as error:
            check_located(error, shown)
            if isinstance(error, greenscore.RubricError):
                assert all(str(p.location.file) == shown for p in error.problems if p.location)
            return Outcome(type(error).__name__, str(error))
    table = TABLES[case.seed]
    return assess_outcome(table, rubric, len(table), shown=None)


def _kind(
    id: str,
    description: str,
    example: str,
    expect: str,
    seed: str,
    edit: Callable[[str], str],
    known: str | None = None,
) -> Kind:
    case = RubricCase(seed, edit(SEED_TEXT[seed]).encode("utf-8"))

    def run(folder: Path) -> Outcome:
        return check_rubric(folder, case)

    return Kind(id, "Rubric", description, example, expect, run, known)


def _data_edit(change: Callable[[Any], None]) -> Callable[[str], str]:
    def edit(text: str) -> str:
        data = copy.deepcopy(SEED_DATA["worked-example"])
        change(data)
        return dump(data)

    return edit


def _set(path: Path_, value: Any) -> Callable[[Any], None]:
    def change(data: Any) -> None:
        _parent(data, path)[path[-1]] = value

    return change


def _delete(path: Path_) -> Callable[[Any], None]:
    def change(data: Any) -> None:
        del _parent(data, path)[path[-1]]

    return change


def _duplicate_input(data: Any) -> None:
    data["inputs"].append(copy.deepcopy(data["inputs"][0]))


def _deep(data: Any) -> None:
    nested: Any = {"id": "deep", "indicators": copy.deepcopy(data["dimensions"][0]["indicators"])}
    for level in range(60):
        nested = {"id": f"d{level}", "dimensions": [nested]}
    data["dimensions"].append(nested)


def _many_inputs(data: Any) -> None:
    data["inputs"] += [{"id": f"extra_{i}", "min": 0} for i in range(2000)]


W = "worked-example"
# fmt: off
KINDS = [
    _kind("rubric.unchanged", "the seed rubrics as they are", "worked-example.yaml", "flagged", W, lambda t: t),
    _kind("rubric.delete-key", "a required key deleted", "no 'tiers'", "RubricError", W, _data_edit(_delete(("tiers",)))),
    _kind("rubric.retype", "a value replaced by one of another type", "scale: [1, 2]", "RubricError", W, _data_edit(_set(("scale",), [1, 2]))),
    _kind("rubric.bad-number", "a number made huge, negative, NaN or infinite", "goalposts: {worst: 2, best: .nan}", "RubricError", W, _data_edit(_set(("dimensions", 0, "indicators", 1, "goalposts", "best"), float("nan")))),
    _kind("rubric.bad-weight", "weights of 0, -1, 1e308, NaN, infinity, text", "weight: 1.0e+308", "RubricError", W, _data_edit(_set(("dimensions", 0, "weight"), 1e+308))),
    _kind("rubric.duplicate-item", "a list item twice (duplicate ids)", "the first input twice", "RubricError", W, _data_edit(_duplicate_input)),
    _kind("rubric.swap", "two values swapped", "goalposts: {worst: 12, best: 2}", "flagged", W, _data_edit(_set(("dimensions", 0, "indicators", 1, "goalposts"), {"worst": 12, "best": 2}))),
    _kind("rubric.rename-id", "an id renamed, leaving references dangling", "input 'revenue' renamed 'x'", "RubricError", W, _data_edit(_set(("inputs", 0, "id"), "x"))),
    _kind("rubric.bad-formula", "formulas with imports, attributes, lambdas, huge powers, division by zero", "formula: __import__('os').system('ls')", "RubricError", W, _data_edit(_set(("derived", 0, "formula"), FORMULAS[0]))),
    _kind("rubric.huge-size", "thousands of inputs or dimensions, 100,000-character text", "2,000 more inputs", "flagged", W, _data_edit(_many_inputs)),
    _kind("rubric.deep-nesting", "dimensions nested 60 levels or more", "60 levels of dimensions", "RubricError", W, _data_edit(_deep)),
    _kind("rubric.duplicate-key", "a key twice in one mapping", "version: twice", "RubricError", W, TEXT_FAULTS["rubric.duplicate-key"][0]),
    _kind("rubric.alias", "aliases, alias bombs, undefined aliases, recursive merges", "a0: &a0 [x, …] … a11: &a11 [*a10 × 9]", "RubricError", W, TEXT_FAULTS["rubric.alias"][1]),
    _kind("rubric.tag", "Python, custom and binary tags, %TAG directives", "version: !!python/object/apply:os.system ['ls']", "RubricError", W, TEXT_FAULTS["rubric.tag"][0]),
    _kind("rubric.syntax", "YAML syntax errors: tabs, cut files, a second document", "a tab for indentation", "RubricError", W, TEXT_FAULTS["rubric.syntax"][0]),
    _kind("rubric.not-a-mapping", "a list, a scalar, an empty file or everything under 'rubric:'", "everything under 'rubric:'", "RubricError", W, TEXT_FAULTS["rubric.not-a-mapping"][3]),
]
# fmt: on


def _bytes_kind() -> Kind:
    case = RubricCase(W, BYTE_FAULTS["latin-1"](SEED_TEXT[W].encode("utf-8")))

    def run(folder: Path) -> Outcome:
        return check_rubric(folder, case)

    return Kind(
        "rubric.bytes",
        "Rubric",
        "BOM, UTF-16, Latin-1, NUL, escape codes, bidi controls, over 2 MB",
        "name: Café (in Latin-1)",
        "RubricError",
        run,
    )


KINDS.append(_bytes_kind())
