"""The ``greenscore`` command: subcommands are discovered from the modules ``greenscore/cli/_*.py``.

Each such module exposes ``register(subparsers) -> None``, which adds its parser and sets
``handler=`` (a function of the parsed arguments returning the exit code) with set_defaults.
Exit codes: 0 ok, 1 invalid input (every problem printed), 2 usage.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from greenscore.errors import GreenscoreError, ProfileError

if TYPE_CHECKING:
    from greenscore.io import TableSource

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _subcommand_modules() -> list[Any]:
    """Every ``greenscore.cli._name`` module that has a register() function, sorted by name."""
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if not info.name.startswith("_") or info.name.startswith("__"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if callable(getattr(module, "register", None)):
            found.append(module)
    return found


class _VersionAction(argparse.Action):
    """``--version``: the installed version, looked up only when asked for."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from greenscore import __version__

        print(f"greenscore {__version__}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every discovered subcommand."""
    parser = argparse.ArgumentParser(
        prog="greenscore",
        description="Score the green development of industrial parks against a YAML rubric.",
    )
    parser.add_argument(
        "--version", action=_VersionAction, nargs=0, help="show the version number and exit"
    )
    subparsers = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    for module in _subcommand_modules():
        module.register(subparsers)
    return parser


def add_rubric_option(parser: argparse.ArgumentParser) -> None:
    """--rubric as a Path, so that a file name is never taken for YAML text (see is_yaml_text)."""
    parser.add_argument(
        "--rubric", metavar="RUBRIC", type=Path, help="rubric YAML file (default: bundled)"
    )


def add_assessment_options(parser: argparse.ArgumentParser, *, flag_help: str) -> None:
    """The options every command that assesses a table shares: rubric, period, previous, errors."""
    add_rubric_option(parser)
    parser.add_argument("--period", metavar="PERIOD", help="period to assess (default: latest)")
    parser.add_argument(
        "--previous",
        metavar="LAST_YEAR",
        help="last year's data, for score and rank changes and tier transitions",
    )
    parser.add_argument(
        "--errors",
        choices=("raise", "flag"),
        default="raise",
        help=f"raise: stop and list every problem (default); flag: {flag_help}",
    )
    add_encoding_option(parser)


def add_encoding_option(parser: argparse.ArgumentParser) -> None:
    """``--encoding NAME``: the text encoding of the CSV/TSV tables a command reads."""
    parser.add_argument(
        "--encoding",
        metavar="NAME",
        type=_encoding,
        help="text encoding of .csv/.tsv tables read (DATA and LAST_YEAR alike), e.g. cp950 "
        "for Big5 or cp932 for Shift-JIS (default: told by evidence: UTF-8, UTF-16 or "
        "GB18030/GBK)",
    )


def _encoding(name: str) -> str:
    from greenscore.io import text_encoding

    try:
        return text_encoding(name)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from e


def encoding_misuse(encoding: str | None, *paths: str | None) -> str | None:
    """Why ``--encoding`` cannot apply (no table given is CSV/TSV text), or None when it can."""
    if encoding is None or any(_is_text(p) for p in paths if p):
        return None
    return "--encoding names the text encoding of .csv and .tsv tables, and no table given is one"


def _is_text(path: str) -> bool:
    from greenscore.io import INPUT_SUFFIXES

    return INPUT_SUFFIXES.get(Path(path).suffix.lower()) == "csv"


def echo(text: object = "", *, err: bool = False, json: bool = False, end: str = "\n") -> None:
    """Print to stdout (stderr with ``err``) with every control character made visible, so no
    value from a table, profile or rubric can move the cursor, clear the screen or reorder text.

    ``json`` keeps JSON text valid (escapes as ``\\uXXXX``); otherwise line breaks are kept.
    """
    from greenscore.io import escape_terminal

    shown = escape_terminal(str(text), keep_newlines=True, json=json)
    print(shown, end=end, file=sys.stderr if err else sys.stdout)


Columns = tuple[list[str], list[str]]
"""The columns a Parquet read keeps, and those it keeps when present (see read_table)."""


def read_input(
    path: str, encoding: str | None = None, columns: Columns | None = None
) -> TableSource:
    """A table the command was given, read by :func:`greenscore.io.read_table` (``encoding`` for
    CSV/TSV only, ``columns`` to project Parquet), with each of its notes (what was read though
    Excel hides it) on stderr."""
    from greenscore.io import read_table

    needed, optional = columns if columns is not None else (None, [])
    source = read_table(
        path,
        encoding=encoding if _is_text(path) else None,
        columns=needed,
        optional=optional,
    )
    for note in source.notes:
        echo(f"note: {path}: {note}", err=True)
    return source


def read_inputs(
    command: str,
    encoding: str | None,
    data: str,
    previous: str | None,
    columns: Columns | None = None,
) -> tuple[TableSource, TableSource | None] | None:
    """The data table and the previous-year one, read as :func:`read_input` reads them; None
    after printing a usage error when ``--encoding`` cannot apply to either."""
    misuse = encoding_misuse(encoding, data, previous)
    if misuse:
        echo(f"greenscore {command}: error: {misuse}", err=True)
        return None
    return read_input(data, encoding, columns), (
        read_input(previous, encoding, columns) if previous else None
    )


def rubric_columns(rubric: Path | None, *extra: str | None) -> Columns | None:
    """The columns assessing with this rubric reads (plus ``extra`` when present), or None when
    the rubric cannot be loaded: the command then reads whole tables and reports the rubric's
    problems where it always did."""
    from greenscore.batch.columns import table_columns
    from greenscore.rubric.load import load_rubric

    try:
        needed, optional = table_columns(load_rubric(rubric))
    except (GreenscoreError, OSError, ValueError):
        return None
    return needed, [*optional, *(name for name in extra if name)]


def print_problems(error: ProfileError, stream: TextIO | None = None) -> None:
    """Every problem of a ProfileError as a table: row, entity, field, value, problem."""
    from greenscore.batch.text import problem_table
    from greenscore.io import escape_terminal

    out = stream if stream is not None else sys.stderr
    count = len(error.problems)
    where = f" in {error.source}" if error.source else ""
    head = f"error: invalid input{where}: {count} problem{'s' if count != 1 else ''}"
    print(escape_terminal(head, keep_newlines=True), file=out)
    print(problem_table(error.problems), file=out)


def output_files_ok(command: str, *paths: str | None, folder: bool = False) -> bool:
    """Whether every output given can be written (a file in an existing folder, or a folder with
    ``folder``); if not, print a usage error naming the path, before the command does any work."""
    from greenscore.errors import OutputError
    from greenscore.io import check_output_path

    for path in paths:
        if path is None:
            continue
        try:
            check_output_path(path, folder=folder)
        except OutputError as error:
            echo(f"greenscore {command}: error: {error}", err=True)
            return False
    return True


def message(error: BaseException) -> str:
    """An error's own message; an OSError reads "what: path", never a bare "[Errno N]"."""
    if isinstance(error, OSError) and error.strerror is None and len(error.args) == 1:
        return str(error.args[0])
    if isinstance(error, OSError) and error.strerror:
        names = [os.fsdecode(n) for n in (error.filename, error.filename2) if n is not None]
        return f"{error.strerror}: {' -> '.join(names)}" if names else error.strerror
    return str(error)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code instead of exiting."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return int(stop.code) if isinstance(stop.code, int) else EXIT_USAGE
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(handler(args))
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except ProfileError as error:
        print_problems(error)
        return EXIT_INVALID
    except (GreenscoreError, OSError) as error:
        echo(f"error: {message(error)}", err=True)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
