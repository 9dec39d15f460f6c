"""What load_rubric accepts (issue 12, lesser items): the documented rule for a str (a path
unless it is YAML text) and a RubricError naming the accepted types for anything else."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import greenscore
from greenscore.errors import GreenscoreError, InputFileError, RubricError
from greenscore.rubric.load import is_yaml_text, load_rubric, rubric_sha256

ROOT = Path(__file__).resolve().parents[2]
WORKED = ROOT / "examples" / "rubrics" / "worked-example.yaml"
ACCEPTED = (
    "pass a file path (str or os.PathLike), YAML text (str with a line break or starting with "
    "'{', or UTF-8 bytes), a loaded greenscore Rubric, or None for the bundled rubric"
)


@pytest.mark.parametrize("call", ["evaluate", "assess", "load_rubric"])
def test_issue12_rubric_5_is_a_rubric_error_not_attribute_error(call: str) -> None:
    calls: dict[str, Any] = {
        "evaluate": lambda: greenscore.evaluate({"park_id": "P1"}, rubric=5),
        "assess": lambda: greenscore.assess(
            ROOT / "examples" / "jiangxi" / "parks_2016.csv", rubric=5
        ),
        "load_rubric": lambda: greenscore.load_rubric(5),  # type: ignore[arg-type]
    }
    with pytest.raises(RubricError) as info:
        calls[call]()
    assert isinstance(info.value, GreenscoreError)
    (problem,) = info.value.problems
    assert problem.message == f"cannot load a rubric from int 5: {ACCEPTED}"


def test_issue12_rubric_mapping_is_refused_with_a_hint() -> None:
    with pytest.raises(RubricError) as info:
        load_rubric({"name": "t"})  # type: ignore[arg-type]
    (problem,) = info.value.problems
    assert problem.message == (
        f"cannot load a rubric from dict {{'name': 't'}}: {ACCEPTED}; write a mapping out as "
        "YAML text (yaml.safe_dump) or to a file first"
    )


def test_issue12_colon_in_a_one_line_str_is_a_path_not_yaml_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputFileError) as info:
        load_rubric("a:b.yaml")
    assert str(info.value) == "rubric file not found: a:b.yaml"
    (tmp_path / "a:b.yaml").write_bytes(WORKED.read_bytes())
    assert load_rubric("a:b.yaml").name == load_rubric(WORKED).name


def test_issue12_one_line_yaml_not_found_says_how_text_is_told_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputFileError) as info:
        load_rubric("name: t")
    assert str(info.value) == (
        "rubric file not found: name: t (a str without a line break is read as a file path; "
        "YAML text must span lines or start with '{')"
    )


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("rubrics/x.yaml", False),
        ("a:b.yaml", False),
        (r"C:\rubrics\x.yml", False),
        ("name: t", False),
        ("", False),
        ("name: t\n", True),
        ("name: t\r", True),
        ('{"name": "t"}', True),
        ('\ufeff  {"name": "t"}', True),
    ],
)
def test_str_rule_path_or_yaml_text(source: str, text: bool) -> None:
    assert is_yaml_text(source) is text


def test_every_documented_form_loads_the_same_rubric() -> None:
    raw = WORKED.read_bytes()
    text = raw.decode("utf-8")
    one_line_json = json.dumps(yaml.safe_load(text), ensure_ascii=False)
    assert "\n" not in one_line_json
    expected = rubric_sha256(load_rubric(WORKED))
    for source in (str(WORKED), text, raw, one_line_json, load_rubric(WORKED)):
        assert rubric_sha256(load_rubric(source)) == expected


def test_empty_str_is_not_read_as_the_current_folder() -> None:
    with pytest.raises(InputFileError) as info:
        load_rubric("")
    assert str(info.value) == "rubric file name is empty (pass None for the bundled rubric)"
