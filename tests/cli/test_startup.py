"""Quick start-up (issue 11, item 6): ``import greenscore`` and ``greenscore --help``/``--version``
load no table, report, workbook or test libraries; the public names still resolve on first use."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import greenscore

SRC = Path(__file__).resolve().parents[2] / "src"
HEAVY = ("pandas", "numpy", "pyarrow", "openpyxl", "jinja2", "matplotlib", "hypothesis")
HEAVY_OURS = ("greenscore.report", "greenscore.testing", "greenscore.batch.assess")


def _loaded_after(code: str) -> list[str]:
    """The heavy modules in sys.modules after running ``code`` in a fresh interpreter."""
    probe = (
        f"{code}\n"
        "import json, sys\n"
        f"heavy = {HEAVY!r}\n"
        f"ours = {HEAVY_OURS!r}\n"
        "print(json.dumps(sorted(m for m in sys.modules\n"
        "    if m.split('.')[0] in heavy or m.startswith(ours))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        check=True,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(SRC)},
    )
    loaded: list[str] = json.loads(done.stdout.splitlines()[-1])
    return loaded


def test_import_greenscore_loads_no_report_excel_or_table_library():
    assert _loaded_after("import greenscore") == []


def test_help_and_version_load_no_report_excel_or_table_library():
    code = (
        "import contextlib, io\n"
        "from greenscore.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['--help']) == 0\n"
        "    assert main(['--version']) == 0\n"
        "    assert main(['assess', '--help']) == 0\n"
    )
    assert _loaded_after(code) == []


def test_version_is_printed_on_stdout():
    done = subprocess.run(
        [sys.executable, "-m", "greenscore", "--version"],
        check=True,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(SRC)},
    )
    assert done.stdout == f"greenscore {greenscore.__version__}\n"


def test_every_public_name_resolves_and_is_listed():
    for name in greenscore.__all__:
        assert getattr(greenscore, name) is not None, name
    assert set(greenscore.__all__) <= set(dir(greenscore))
    assert greenscore.assess.__module__ == "greenscore.batch.assess"


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_name"):
        greenscore.no_such_name  # noqa: B018
