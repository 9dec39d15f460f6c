"""Issue 12, lesser item: a JSON profile is read strictly, like a JSON Lines record. A repeated
key is refused with the key, line and column (never last-wins); a number no float holds and deep
nesting are located errors, not an OverflowError or RecursionError traceback; so is an integer
no float holds in a YAML profile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from greenscore.cli import main

PROFILES = Path(__file__).resolve().parents[2] / "examples" / "profiles"


def _profile_lines() -> list[str]:
    """vetoed.json as one "key": value line per field, between lines "{" and "}"."""
    profile = json.loads((PROFILES / "vetoed.json").read_text(encoding="utf-8"))
    pairs = [f"  {json.dumps(k, ensure_ascii=False)}: {json.dumps(v)}" for k, v in profile.items()]
    return ["{", *[pair + "," for pair in pairs[:-1]], pairs[-1], "}"]


def _evaluate(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> str:
    path = tmp_path / "profile.json"
    path.write_text(text, encoding="utf-8")
    assert main(["evaluate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert str(path) in err
    return err


def test_lesser_json_profile_duplicate_key_is_refused_with_key_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = _profile_lines()
    assert lines[5] == '  "year": 2016,'
    # line 7 of the file (index 6) repeats "year", its quote in column 3, after two spaces.
    lines.insert(6, '  "year": 2017,')
    err = _evaluate(tmp_path, "\n".join(lines), capsys)
    assert "line 7, column 3: duplicate key 'year'" in err


def test_lesser_json_profile_duplicate_key_written_with_an_escape_is_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = _profile_lines()
    lines.insert(2, '  "y\\u0065ar": 2017,')
    err = _evaluate(tmp_path, "\n".join(lines), capsys)
    # "year" comes on line 7, after "y\u0065ar" (the same key) on line 3.
    assert "line 7, column 3: duplicate key 'year'" in err


def test_lesser_json_profile_same_key_in_two_objects_is_not_a_duplicate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = _profile_lines()
    lines.insert(1, '  "note": {"year": 1, "inner": {"year": 2}},')
    path = tmp_path / "profile.json"
    path.write_text("\n".join(lines), encoding="utf-8")
    assert main(["evaluate", str(path)]) == 0
    assert "JX050" in capsys.readouterr().out


def test_defect4_huge_number_in_a_json_profile_is_located_not_an_overflow(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = _profile_lines()
    assert lines[6] == '  "main_business_income": 384.38,'
    lines[6] = '  "main_business_income": 1' + "0" * 400 + ","
    err = _evaluate(tmp_path, "\n".join(lines), capsys)
    # '  "main_business_income": ' is 26 characters, so the number starts in column 27.
    assert "line 7, column 27: the number 100000000000…000000 (401 characters) overflows" in err


def test_defect4_deep_nesting_in_a_json_profile_is_an_error_not_a_recursion_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _evaluate(tmp_path, '{"park_id": ' + "[" * 100_000 + "]" * 100_000 + "}", capsys)
    assert "nests arrays or objects too deeply" in err


def test_a_json_profile_that_is_not_utf8_names_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "profile.json"
    path.write_bytes('{\n"park_name": "园区"\n}'.encode("gb18030"))
    assert main(["evaluate", str(path)]) == 1
    assert "line 2 is not valid UTF-8" in capsys.readouterr().err


def test_defect4_huge_integer_in_a_yaml_profile_is_a_problem_not_an_overflow(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (PROFILES / "good.yaml").read_text(encoding="utf-8")
    assert "main_business_income: 729.72\n" in text
    path = tmp_path / "profile.yaml"
    huge = "1" + "0" * 400
    path.write_text(text.replace("729.72", huge), encoding="utf-8")
    assert main(["evaluate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "main_business_income" in err and "overflows: the number is too large" in err
