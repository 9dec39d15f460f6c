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
from typing import Any, TextIO

from greenscore.errors import GreenscoreError, ProfileError
from greenscore.io import escape_terminal

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


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every discovered subcommand."""
    from greenscore import __version__

    parser = argparse.ArgumentParser(
        prog="greenscore",
        description="Score the green development of industrial parks against a YAML rubric.",
    )
    parser.add_argument("--version", action="version", version=f"greenscore {__version__}")
    subparsers = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    for module in _subcommand_modules():
        module.register(subparsers)
    return parser


def add_assessment_options(parser: argparse.ArgumentParser, *, flag_help: str) -> None:
    """The options every command that assesses a table shares: rubric, period, previous, errors."""
    parser.add_argument("--rubric", metavar="RUBRIC", help="rubric YAML (default: bundled)")
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


def echo(text: object = "", *, err: bool = False, json: bool = False, end: str = "\n") -> None:
    """Print to stdout (stderr with ``err``) with every control character made visible, so no
    value from a table, profile or rubric can move the cursor, clear the screen or reorder text.

    ``json`` keeps JSON text valid (escapes as ``\\uXXXX``); otherwise line breaks are kept.
    """
    shown = escape_terminal(str(text), keep_newlines=True, json=json)
    print(shown, end=end, file=sys.stderr if err else sys.stdout)


def print_problems(error: ProfileError, stream: TextIO | None = None) -> None:
    """Every problem of a ProfileError as a table: row, entity, field, value, problem."""
    from greenscore.batch.text import problem_table

    out = stream if stream is not None else sys.stderr
    count = len(error.problems)
    where = f" in {error.source}" if error.source else ""
    head = f"error: invalid input{where}: {count} problem{'s' if count != 1 else ''}"
    print(escape_terminal(head, keep_newlines=True), file=out)
    print(problem_table(error.problems), file=out)


def message(error: BaseException) -> str:
    """An error's own message; an OSError reads as its reason and file, without the errno."""
    if isinstance(error, OSError) and error.strerror is None and len(error.args) == 1:
        return str(error.args[0])
    if isinstance(error, OSError) and error.strerror:
        names = [str(os.fspath(n)) for n in (error.filename, error.filename2) if n is not None]
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
