"""Tests for the safe, location-tracking rubric YAML loader."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import given
from hypothesis import strategies as st

from greenscore.errors import InputFileError, Location, RubricError, RubricProblem
from greenscore.rubric import yaml_syntax as _yaml
from greenscore.rubric.safe_yaml import MAX_BYTES, LocatedDocument, load_located, read_located
from greenscore.rubric.yaml_syntax import dump_yaml
from greenscore.rubric.yaml_values import format_path

RUBRIC = """\
name: Green parks
version: 2
dimensions:
  - id: energy
    weight: 0.4
    indicators:
      - id: solar_share
        goalposts: [0, 100]
        label: 优秀
  - id: water
    weight: 0.6
"""


@pytest.fixture(params=_yaml._LOADERS, ids=lambda loader: loader.__name__)
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> type:
    """Run a test with each available loader (libyaml-backed and pure Python)."""
    monkeypatch.setattr(_yaml, "_Loader", request.param)
    return request.param


def problems_of(text: str | bytes, **kwargs: Any) -> list[RubricProblem]:
    with pytest.raises(RubricError) as info:
        load_located(text, **kwargs)
    return list(info.value.problems)


def where(problem: RubricProblem) -> tuple[int, int]:
    assert problem.location is not None
    return problem.location.line, problem.location.column


def at(line: int, column: int, file: str | None = "rubrics/x.yaml") -> Location:
    return Location(file, line, column)


class TestLocations:
    def test_data_is_plain(self, loader: type) -> None:
        doc = load_located(RUBRIC, file="rubrics/x.yaml")
        assert doc.data == {
            "name": "Green parks",
            "version": 2,
            "dimensions": [
                {
                    "id": "energy",
                    "weight": 0.4,
                    "indicators": [{"id": "solar_share", "goalposts": [0, 100], "label": "优秀"}],
                },
                {"id": "water", "weight": 0.6},
            ],
        }
        assert doc.file == "rubrics/x.yaml"

    def test_value_locations(self, loader: type) -> None:
        loc = load_located(RUBRIC, file="rubrics/x.yaml").locations
        assert loc[()] == at(1, 1)
        assert loc[("name",)] == at(1, 7)
        assert loc[("version",)] == at(2, 10)
        assert loc[("dimensions",)] == at(4, 3)
        assert loc[("dimensions", 0)] == at(4, 5)
        assert loc[("dimensions", 0, "id")] == at(4, 9)
        assert loc[("dimensions", 0, "weight")] == at(5, 13)
        assert loc[("dimensions", 0, "indicators")] == at(7, 7)
        assert loc[("dimensions", 0, "indicators", 0)] == at(7, 9)
        assert loc[("dimensions", 0, "indicators", 0, "goalposts")] == at(8, 20)
        assert loc[("dimensions", 0, "indicators", 0, "goalposts", 0)] == at(8, 21)
        assert loc[("dimensions", 0, "indicators", 0, "goalposts", 1)] == at(8, 24)
        assert loc[("dimensions", 0, "indicators", 0, "label")] == at(9, 16)
        assert loc[("dimensions", 1)] == at(10, 5)
        assert loc[("dimensions", 1, "weight")] == at(11, 13)

    def test_key_locations(self, loader: type) -> None:
        keys = load_located(RUBRIC, file="rubrics/x.yaml").key_locations
        assert keys[("name",)] == at(1, 1)
        assert keys[("dimensions",)] == at(3, 1)
        assert keys[("dimensions", 0, "weight")] == at(5, 5)
        assert keys[("dimensions", 0, "indicators", 0, "goalposts")] == at(8, 9)
        assert keys[("dimensions", 1, "weight")] == at(11, 5)
        assert ("dimensions", 0) not in keys
        assert () not in keys

    def test_every_path_has_a_location(self) -> None:
        doc = load_located(RUBRIC)

        def paths(value: Any, prefix: tuple[str | int, ...]) -> list[tuple[str | int, ...]]:
            found = [prefix]
            if isinstance(value, dict):
                for key, child in value.items():
                    found += paths(child, (*prefix, key))
            elif isinstance(value, list):
                for index, child in enumerate(value):
                    found += paths(child, (*prefix, index))
            return found

        assert set(paths(doc.data, ())) == set(doc.locations)

    def test_unicode_counts_characters_not_bytes(self, loader: type) -> None:
        doc = load_located("优秀: 很好\n标签: [优, 秀]\n")
        assert doc.locations[("优秀",)] == Location(None, 1, 5)
        assert doc.locations[("标签", 1)] == Location(None, 2, 9)

    def test_bom_does_not_shift_columns(self) -> None:
        doc = load_located("\ufeffa: 1\n".encode())
        assert doc.data == {"a": 1}
        assert doc.key_locations[("a",)] == Location(None, 1, 1)
        assert load_located("\ufeffa: 1\n").key_locations[("a",)] == Location(None, 1, 1)

    def test_alias_value_points_at_use_site_and_children_at_anchor(self, loader: type) -> None:
        doc = load_located("base: &g\n  low: 0\nother: *g\n")
        assert doc.data == {"base": {"low": 0}, "other": {"low": 0}}
        assert doc.locations[("other",)] == Location(None, 3, 8)
        assert doc.locations[("other", "low")] == Location(None, 2, 8)

    def test_merge_keys(self, loader: type) -> None:
        text = "base: &b\n  low: 0\n  high: 1\nitem:\n  <<: *b\n  high: 5\n"
        doc = load_located(text)
        assert doc.data["item"] == {"low": 0, "high": 5}
        assert doc.locations[("item", "high")] == Location(None, 6, 9)
        assert doc.locations[("item", "low")] == Location(None, 2, 8)
        assert doc.key_locations[("item", "high")] == Location(None, 6, 3)


class TestLocate:
    doc = load_located(RUBRIC, file="rubrics/x.yaml")

    def test_existing_key_prefers_key_location(self) -> None:
        assert self.doc.locate(["dimensions", 0, "weight"]) == at(5, 5)

    def test_existing_sequence_item_gives_value_location(self) -> None:
        assert self.doc.locate(("dimensions", 1)) == at(10, 5)

    def test_missing_key_falls_back_to_deepest_prefix(self) -> None:
        assert self.doc.locate(("dimensions", 1, "indicators")) == at(10, 5)
        assert self.doc.locate(("dimensions", 0, "weight", "extra")) == at(5, 13)
        assert self.doc.locate(("dimensions", 7, "weight")) == at(4, 3)
        assert self.doc.locate(("nope",)) == at(1, 1)
        assert self.doc.locate(()) == at(1, 1)

    def test_empty_document_locates_nothing(self) -> None:
        empty = LocatedDocument(data={}, locations={}, key_locations={}, file=None)
        assert empty.locate(("a",)) is None


class TestFormatPath:
    def test_examples(self) -> None:
        path = ("dimensions", 2, "indicators", 0, "goalposts")
        assert format_path(path) == "dimensions[2].indicators[0].goalposts"
        assert format_path(()) == ""
        assert format_path([0, "a"]) == "[0].a"
        assert format_path(["等级", "优秀"]) == "等级.优秀"

    def test_awkward_keys_are_quoted(self) -> None:
        assert format_path(["a.b", "c d", ""]) == "['a.b']['c d']['']"


class TestScalars:
    def test_norway_words_stay_strings(self, loader: type) -> None:
        words = ["yes", "no", "on", "off", "Yes", "NO", "y", "n", "On", "OFF"]
        text = "".join(f"k{i}: {word}\n" for i, word in enumerate(words))
        data = load_located(text).data
        assert list(data.values()) == words

    def test_true_false_any_case_are_bools(self, loader: type) -> None:
        data = load_located("a: true\nb: False\nc: TRUE\nd: tRuE\ne: 'true'\n").data
        assert data == {"a": True, "b": False, "c": True, "d": True, "e": "true"}

    def test_timestamps_stay_strings(self, loader: type) -> None:
        text = (
            "date: 2024-01-31\nstamp: 2001-12-14t21:59:43.10-05:00\nspaced: 2001-12-14 21:59:43\n"
        )
        assert load_located(text).data == {
            "date": "2024-01-31",
            "stamp": "2001-12-14t21:59:43.10-05:00",
            "spaced": "2001-12-14 21:59:43",
        }

    def test_numbers_and_null(self, loader: type) -> None:
        text = (
            "a: 12\nb: -3\nc: 0x1F\nd: 1_000\ne: 0.5\nf: 1.0e+3\ng: .inf\nh: -.inf\n"
            "i: .nan\nj: ~\nk: null\nl:\nm: 1e5\nn: '12'\no: =\n"
        )
        data = load_located(text).data
        assert {k: data[k] for k in "abcdef"} == {
            "a": 12,
            "b": -3,
            "c": 31,
            "d": 1000,
            "e": 0.5,
            "f": 1000.0,
        }
        assert data["g"] == math.inf and data["h"] == -math.inf
        assert math.isnan(data["i"])
        assert data["j"] is None and data["k"] is None and data["l"] is None
        assert data["m"] == "1e5"
        assert data["n"] == "12"
        assert data["o"] == "="

    def test_standard_explicit_tags(self, loader: type) -> None:
        text = "a: !!str 12\nb: !!float 1\nc: !!int '7'\nd: !!bool 'false'\ne: !!null ''\n"
        data = load_located(text).data
        assert data == {"a": "12", "b": 1.0, "c": 7, "d": False, "e": None}
        assert isinstance(data["b"], float)

    def test_integer_keys_allowed(self, loader: type) -> None:
        doc = load_located("levels:\n  1: poor\n  '2': fair\n")
        assert doc.data == {"levels": {1: "poor", "2": "fair"}}
        assert doc.key_locations[("levels", 1)] == Location(None, 2, 3)

    def test_norway_keys_stay_strings(self) -> None:
        assert load_located("no: 1\nyes: 2\n").data == {"no": 1, "yes": 2}


class TestSyntaxErrors:
    def test_mapping_values_not_allowed(self, loader: type) -> None:
        (problem,) = problems_of("name: a\nweight: b: c\n", file="rubrics/x.yaml")
        assert problem.message.startswith("YAML syntax error: mapping values are not allowed")
        assert problem.location == at(2, 10)
        assert "\n" not in problem.message

    def test_bad_indentation(self, loader: type) -> None:
        (problem,) = problems_of("a:\n  b: 1\n c: 2\n")
        assert problem.message.startswith("YAML syntax error: ")
        assert "while parsing a block mapping at line 1, column 1" in problem.message
        assert where(problem) == (3, 2)

    def test_tab_indentation(self, loader: type) -> None:
        (problem,) = problems_of("a:\n\tb: 1\n")
        assert "cannot start any token" in problem.message
        assert where(problem) == (2, 1)

    def test_undefined_alias(self, loader: type) -> None:
        (problem,) = problems_of("a: 1\nb: *missing\n")
        assert problem.message == "YAML syntax error: found undefined alias 'missing'"
        assert where(problem) == (2, 4)

    def test_several_documents(self, loader: type) -> None:
        (problem,) = problems_of("a: 1\n---\nb: 2\n")
        assert "expected a single document" in problem.message
        assert where(problem) == (2, 1)

    def test_error_str_names_file_line_and_column(self) -> None:
        with pytest.raises(RubricError, match=r"rubrics/x\.yaml:1:5: YAML syntax error"):
            load_located("a: b: c\n", file="rubrics/x.yaml")


class TestStructureErrors:
    def test_all_duplicate_keys_are_reported(self, loader: type) -> None:
        text = "a: 1\nb:\n  weight: 1\n  weight: 2\n  weight: 3\na: 2\n"
        problems = problems_of(text, file="rubrics/x.yaml")
        assert [(p.path, p.message, p.location) for p in problems] == [
            ("b.weight", "duplicate key 'weight' (first at line 3)", at(4, 3)),
            ("b.weight", "duplicate key 'weight' (first at line 3)", at(5, 3)),
            ("a", "duplicate key 'a' (first at line 1)", at(6, 1)),
        ]

    def test_duplicates_inside_sequences(self, loader: type) -> None:
        text = "dimensions:\n  - id: a\n  - id: b\n    weight: 1\n    weight: 2\n"
        (problem,) = problems_of(text)
        assert problem.path == "dimensions[1].weight"
        assert where(problem) == (5, 5)

    def test_non_string_keys(self, loader: type) -> None:
        problems = problems_of("true: 1\n1.5: 2\nnull: 3\n? [a]\n: 4\n7: fine\n")
        assert [where(p) for p in problems] == [(1, 1), (2, 1), (3, 1), (4, 3)]
        assert "is a boolean" in problems[0].message
        assert "is a number" in problems[1].message
        assert "is null" in problems[2].message
        assert "not a list" in problems[3].message
        assert all("mapping key" in p.message for p in problems)

    def test_python_tag_is_refused_without_running_anything(
        self, loader: type, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        calls: list[Any] = []
        monkeypatch.setattr(os, "system", lambda *args: calls.append(args))
        text = "name: x\nhook: !!python/object/apply:os.system ['echo pwned']\n"
        (problem,) = problems_of(text)
        assert "!!python/object/apply:os.system" in problem.message
        assert "not allowed" in problem.message
        assert problem.path == "hook"
        assert where(problem) == (2, 7)
        assert calls == []

    def test_custom_and_non_plain_tags(self, loader: type) -> None:
        text = "a: !foo x\nb: !!binary aGk=\nc: !!timestamp 2024-01-01\nd: !!set {x: null}\n"
        problems = problems_of(text)
        assert [where(p) for p in problems] == [(1, 4), (2, 4), (3, 4), (4, 4)]
        assert "!foo" in problems[0].message
        assert "!!binary" in problems[1].message
        assert "!!timestamp" in problems[2].message
        assert "!!set" in problems[3].message

    def test_bad_explicit_scalars(self, loader: type) -> None:
        problems = problems_of("a: !!int x\nb: !!bool yes\n")
        assert [where(p) for p in problems] == [(1, 4), (2, 4)]

    def test_problems_from_several_kinds_are_collected(self, loader: type) -> None:
        problems = problems_of("a: 1\na: 2\nb: !foo x\ntrue: 3\n")
        assert [where(p) for p in problems] == [(2, 1), (3, 4), (4, 1)]

    @pytest.mark.parametrize(
        ("text", "found", "line"),
        [
            ("", "the document is empty", 1),
            ("# only a comment\n", "the document is empty", 1),
            ("---\n", "found null", 2),
            ("\n\n- a\n- b\n", "found a list", 3),
            ("just text\n", "found a string", 1),
            ("42\n", "found an integer", 1),
        ],
    )
    def test_top_level_must_be_a_mapping(
        self, loader: type, text: str, found: str, line: int
    ) -> None:
        (problem,) = problems_of(text)
        assert problem.message.startswith("a rubric must be a YAML mapping at the top level")
        assert found in problem.message
        assert where(problem) == (line, 1)


class TestLimits:
    def test_size_limit_checked_before_parsing(self) -> None:
        text = "a: [unclosed\n" + "x" * 100
        (problem,) = problems_of(text, file="big.yaml", max_bytes=50)
        assert problem.message == f"rubric file is {len(text)} bytes; the limit is 50"
        assert problem.location == Location("big.yaml", 1, 1)

    def test_size_counts_utf8_bytes(self) -> None:
        (problem,) = problems_of("a: 优秀\n", max_bytes=8)
        assert problem.message == "rubric text is 10 bytes; the limit is 8"
        assert load_located("a: 优秀\n", max_bytes=10).data == {"a": "优秀"}

    def test_default_limit(self) -> None:
        assert MAX_BYTES == 1_000_000
        (problem,) = problems_of(b"a: " + b"x" * MAX_BYTES)
        assert problem.message == "rubric text is 1000003 bytes; the limit is 1000000"

    def test_billion_laughs_is_refused(self, loader: type) -> None:
        lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
        for level in range(1, 12):
            refs = ", ".join([f"*l{level - 1}"] * 9)
            lines.append(f"l{level}: &l{level} [{refs}]")
        (problem,) = problems_of("\n".join(lines) + "\n")
        assert problem.message == (
            "too many YAML nodes: anchors and aliases expand the document to more than 100000 "
            "values and keys; refusing to load it"
        )
        assert problem.location is not None

    def test_merge_key_bomb_is_refused(self, loader: type) -> None:
        lines = ["m0: &m0 {a: 1, b: 2}"]
        for level in range(1, 40):
            lines.append(f"m{level}: &m{level} {{<<: [{', '.join([f'*m{level - 1}'] * 9)}]}}")
        (problem,) = problems_of("\n".join(lines) + "\n")
        assert problem.message.startswith(
            "too many YAML nodes: anchors and aliases expand the document to more than 100000"
        )

    def test_recursive_alias(self, loader: type) -> None:
        (problem,) = problems_of("a: &x\n  - 1\n  - *x\n")
        assert problem.path == "a[1]"
        assert "contains it" in problem.message
        assert where(problem) == (3, 5)

    def test_deep_nesting_is_refused(self, loader: type) -> None:
        (problem,) = problems_of("a: " + "[" * 500 + "]" * 500 + "\n")
        assert "nests deeper than" in problem.message
        assert problem.location is not None and problem.location.line == 1

    def test_alias_chains_that_nest_deeply_are_refused(self, loader: type) -> None:
        lines = ["a0: &a0 " + "[" * 50 + "]" * 50]
        for level in range(1, 6):
            lines.append(f"a{level}: &a{level} " + "[" * 50 + f"*a{level - 1}" + "]" * 50)
        (problem,) = problems_of("\n".join(lines) + "\n")
        assert "nests deeper than" in problem.message

    def test_huge_numbers_are_refused(self, loader: type) -> None:
        (problem,) = problems_of("a: 1" + ":00" * 2000 + "\n")
        assert "too long" in problem.message
        assert where(problem) == (1, 4)


def test_issue12_flat_2mb_list_is_refused_by_size_before_parsing(tmp_path: Path) -> None:
    text = "x: [" + ", ".join(["1"] * 600_000) + "]\n"
    size = 4 + 600_000 + 2 * 599_999 + 2
    assert len(text) == size and 1_000_000 < size < 2_000_000
    path = tmp_path / "big.yaml"
    path.write_text(text, encoding="utf-8")
    with patch("greenscore.rubric.safe_yaml.compose", side_effect=AssertionError("parsed")):
        with pytest.raises(RubricError) as info:
            load_located(text)
        (problem,) = info.value.problems
        assert problem.message == f"rubric text is {size} bytes; the limit is 1000000"
        with pytest.raises(RubricError) as info:
            read_located(path)
        (problem,) = info.value.problems
        assert problem.message == f"rubric file is {size} bytes; the limit is 1000000"


def test_issue12_flat_list_under_the_size_limit_says_too_many_nodes_not_aliases() -> None:
    items = 150_000
    text = "x: [" + ",".join(["1"] * items) + "]\n"
    assert len(text) < 1_000_000
    with pytest.raises(RubricError) as info:
        load_located(text)
    (problem,) = info.value.problems
    assert problem.message == (
        "too many YAML nodes: the document has more than 100000 values and keys; "
        "refusing to load it"
    )
    assert "alias" not in problem.message
    # nodes: the mapping, key x, the list, then items 0, 1, ...: the 100001st is item 99997,
    # which "x: [" (4 characters) and 2 characters per item put at column 5 + 2 * 99997
    assert problem.location is not None
    assert (problem.location.line, problem.location.column) == (1, 5 + 2 * 99_997)


def test_node_limit_applies_while_composing(loader: type, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_yaml, "MAX_NODES", 10)
    with patch("greenscore.rubric.yaml_values.Builder.build", side_effect=AssertionError("built")):
        (problem,) = problems_of("a: [1, 2, 3, 4, 5, 6, 7, 8, 9]\n")
    assert problem.message.startswith("too many YAML nodes: the document has more than 10 ")
    # the 11th node (mapping, key, list, then items) is the 8th item: column 5 + 3 * 7
    assert where(problem) == (1, 26)


class TestEncoding:
    def test_invalid_utf8(self) -> None:
        (problem,) = problems_of(b"a: 1\nb: caf\xe9\n", file="r.yaml")
        assert "not valid UTF-8" in problem.message
        assert "0xe9" in problem.message
        assert problem.location == Location("r.yaml", 2, 7)

    def test_control_characters(self, loader: type) -> None:
        (problem,) = problems_of("a: 1\nb: x\x00y\n")
        assert "U+0000" in problem.message
        assert where(problem) == (2, 5)

    def test_lone_surrogate_in_text(self) -> None:
        (problem,) = problems_of("a: \ud800\n")
        assert "U+D800" in problem.message


class TestReadLocated:
    def test_reads_file_with_bom(self, tmp_path: Path) -> None:
        path = tmp_path / "r.yaml"
        path.write_bytes("\ufeffname: 优秀\n".encode())
        doc = read_located(path)
        assert doc.data == {"name": "优秀"}
        assert doc.file == str(path)
        assert doc.locations[("name",)] == Location(str(path), 1, 7)

    def test_errors_name_the_file(self, tmp_path: Path) -> None:
        path = tmp_path / "r.yaml"
        path.write_text("a: 1\na: 2\n", encoding="utf-8")
        with pytest.raises(RubricError) as info:
            read_located(path)
        assert info.value.source == str(path)
        assert info.value.problems[0].location == Location(str(path), 2, 1)
        assert f"{path}:2:1: a: duplicate key 'a'" in str(info.value)

    def test_missing_file(self, tmp_path: Path) -> None:
        path = tmp_path / "nope.yaml"
        with pytest.raises(InputFileError) as info:
            read_located(path)
        assert str(path) in str(info.value)
        assert str(info.value) == f"rubric file not found: {path}"

    def test_directory(self, tmp_path: Path) -> None:
        with pytest.raises(InputFileError, match="directory"):
            read_located(tmp_path)

    def test_size_limit(self, tmp_path: Path) -> None:
        path = tmp_path / "big.yaml"
        path.write_bytes(b"a: [" + b"x" * 200)
        with pytest.raises(RubricError) as info:
            read_located(path, max_bytes=100)
        (problem,) = info.value.problems
        assert problem.message == "rubric file is 204 bytes; the limit is 100"


class TestDump:
    def test_round_trip_with_unicode_and_tricky_strings(self, loader: type) -> None:
        data = {
            "name": "园区绿色发展",
            "levels": {1: "差", 2: "优秀"},
            "tricky": ["yes", "no", "on", "tRuE", "2024-01-01", "1:30", "0x1F", "=", "<<", "~"],
            "numbers": [0, -1, 0.5, 1e16, 1e-7, float("inf"), True, None],
            "nested": [{"a": [], "b": {}}, [[1], "multi\nline\n"]],
        }
        text = dump_yaml(data)
        assert "优秀" in text
        assert "&" not in text and "!!" not in text
        assert load_located(text).data == data

    def test_block_style_and_key_order(self) -> None:
        text = dump_yaml({"z": 1, "a": [1, 2]})
        assert text == "z: 1\na:\n- 1\n- 2\n"

    def test_shared_objects_are_written_out_not_aliased(self) -> None:
        shared = {"low": 0}
        text = dump_yaml({"a": shared, "b": shared})
        assert "&" not in text and "*" not in text


_keys = st.text(max_size=12) | st.integers()
_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)
_values = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_keys, children, max_size=4),
    max_leaves=25,
)


@given(st.dictionaries(_keys, _values, max_size=6))
def test_dump_then_load_round_trips(data: dict[str | int, Any]) -> None:
    text = dump_yaml(data)
    for loader in _yaml._LOADERS:
        with patch.object(_yaml, "_Loader", loader):
            doc = load_located(text)
        assert doc.data == data
        assert () in doc.locations
