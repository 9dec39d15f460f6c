"""`greenscore check` and `greenscore schema`, through their own parsers and the main command."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from greenscore.cli import _check, _schema

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "examples" / "broken"


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="greenscore")
    subparsers = parser.add_subparsers()
    _check.register(subparsers)
    _schema.register(subparsers)
    args = parser.parse_args(argv)
    return int(args.handler(args))


def test_check_fails_a_broken_rubric_and_names_the_property(capsys):
    code = _run("check", str(BROKEN / "bands-backwards.yaml"), "--max-examples", "20")
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL     monotone" in out and "counterexample:" in out
    assert "bands-backwards.yaml:19:9" in out


def test_check_passes_the_default_rubric(capsys):
    """The command's verdict; the properties themselves are searched deeper in
    test_testing_properties."""
    code = _run("check", "--max-examples", "5")
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.rstrip().splitlines()[-1].startswith("OK: 13/13 properties hold")


def test_a_known_violation_can_be_allowed(capsys):
    broken = str(BROKEN / "optional-raises-score.yaml")
    assert _run("check", broken, "--max-examples", "20") == 1
    capsys.readouterr()
    code = _run("check", broken, "--max-examples", "20", "--allow", "missing_never_pays")
    out = capsys.readouterr().out
    assert code == 0, out
    assert "(1 known violation allowed)" in out.rstrip().splitlines()[-1]


def test_check_json_for_several_rubrics(capsys):
    files = [str(BROKEN / "goalposts-swapped.yaml"), str(BROKEN / "unreachable-tier.yaml")]
    code = _run("check", *files, "--max-examples", "15", "--json", "--seed", "3")
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [d["seed"] for d in data] == [3, 3]
    failed = [[c["name"] for c in d["checks"] if not c["passed"]] for d in data]
    assert failed == [["monotone"], ["tiers_reachable"]]


def test_check_refuses_unknown_allowances(capsys):
    assert _run("check", "--allow", "monotone,nonsense") == 2
    assert "nonsense" in capsys.readouterr().err
    assert _run("check", "--max-examples", "0") == 2


def test_schema_describes_the_rubric_format(capsys, tmp_path):
    assert _run("schema") == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["$schema"].endswith("2020-12/schema")
    assert {"inputs", "dimensions", "tiers", "vetoes"} <= set(schema["properties"])
    assert "from" in schema["$defs"]["Band"]["properties"]
    assert schema["additionalProperties"] is False
    target = tmp_path / "rubric.schema.json"
    assert _run("schema", "-o", str(target)) == 0
    assert json.loads(target.read_text(encoding="utf-8")) == schema


def test_main_command_discovers_check_and_schema(capsys):
    main = pytest.importorskip("greenscore.cli").main
    assert main(["check", str(BROKEN / "optional-raises-score.yaml"), "--max-examples", "10"]) == 1
    assert "missing_never_pays" in capsys.readouterr().out
    assert main(["schema"]) == 0
    assert main(["check", str(BROKEN / "absent.yaml")]) == 1


def test_defect_issue9_check_leaves_no_hypothesis_folder(tmp_path):
    """`greenscore check` keeps hypothesis's cache out of the working directory (issue 9, item 9)."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "HYPOTHESIS_STORAGE_DIRECTORY"}
    env["PYTHONPATH"] = str(ROOT / "src")
    done = subprocess.run(
        [sys.executable, "-m", "greenscore", "check", "--max-examples", "2"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []
