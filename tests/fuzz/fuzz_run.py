"""How every fuzz case is run and judged: profiles, the outcome rules, the tally of what was seen.

A case ends in a valid result with every input row accounted for, or in a GreenscoreError that
says where; anything else (another exception, a warning, a hang) fails the test that drew it.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import signal
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, settings

import greenscore
from greenscore.errors import GreenscoreError, InputFileError, OutputError, RubricError

ROOT = Path(__file__).resolve().parents[2]
TABLE_RUBRIC_PATH = ROOT / "examples" / "rubrics" / "worked-example.yaml"
TABLE_RUBRIC = greenscore.load_rubric(TABLE_RUBRIC_PATH)

PROFILE = os.environ.get("GREENSCORE_FUZZ", "quick")
if PROFILE not in ("quick", "deep"):
    raise ValueError(f"GREENSCORE_FUZZ must be 'quick' or 'deep', not {PROFILE!r}")

_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
_PHASES = list(Phase)
if os.environ.get("GREENSCORE_FUZZ_SHRINK") == "0":
    _PHASES.remove(Phase.shrink)
settings.register_profile(
    "fuzz-quick",
    max_examples=1,
    deadline=None,
    database=None,
    derandomize=True,
    print_blob=True,
    phases=_PHASES,
    suppress_health_check=_HEALTH,
)
settings.register_profile(
    "fuzz-deep",
    max_examples=1,
    deadline=None,
    database=None,
    print_blob=True,
    phases=_PHASES,
    suppress_health_check=_HEALTH,
)

QUICK_CASES = {
    "csv": 60,
    "excel": 25,
    "parquet": 30,
    "jsonl": 40,
    "cli": 8,
    "rubric-jiangxi": 50,
    "rubric-worked-example": 60,
}
"""Cases per test in ``make test``: a few hundred in all."""

DEEP_CASES = {
    "csv": 7000,
    "excel": 3500,
    "parquet": 4000,
    "jsonl": 5000,
    "cli": 500,
    "rubric-jiangxi": 10000,
    "rubric-worked-example": 10000,
}
"""Cases per test in ``make fuzz``: at least 20,000 tables and 20,000 rubrics."""

HANG_SECONDS = 60
"""A case still running after this long is a hang (normal cases take well under a second)."""


SCALE = float(os.environ.get("GREENSCORE_FUZZ_SCALE", "1"))
"""A share of the deep profile's cases, for a deep run cut to the time at hand (the figures
written say how many cases ran)."""


def fuzz_settings(test: str) -> settings:
    """The settings of one fuzz test under the chosen profile (GREENSCORE_FUZZ=quick|deep)."""
    cases = max(1, round(DEEP_CASES[test] * SCALE)) if PROFILE == "deep" else QUICK_CASES[test]
    return settings(settings.get_profile(f"fuzz-{PROFILE}"), max_examples=cases)


class CaseHung(AssertionError):
    """A case ran longer than HANG_SECONDS."""


@contextlib.contextmanager
def no_hang(seconds: int = HANG_SECONDS) -> Iterator[None]:
    """Fail a case that runs longer than ``seconds`` instead of letting the suite hang."""

    def stop(signum: int, frame: Any) -> None:
        raise CaseHung(f"the case ran longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def strict() -> Iterator[None]:
    """Warnings as errors and the hang guard: what every case runs under."""
    with warnings.catch_warnings(), no_hang():
        warnings.simplefilter("error")
        yield


@dataclass(frozen=True)
class Outcome:
    """What a user sees at the end of a case: 'scored', 'flagged' or an error class, and text."""

    kind: str
    text: str


class Tally:
    """Counts of cases per test, per case kind and per outcome, written at the end of a session."""

    def __init__(self) -> None:
        self.started = time.time()
        self.cpu_started = time.process_time()
        self.cases: Counter[str] = Counter()
        self.kinds: Counter[str] = Counter()
        self.outcomes: Counter[str] = Counter()

    def add(self, test: str, kinds: Iterable[str], outcome: Outcome) -> None:
        self.cases[test] += 1
        self.kinds.update(set(kinds))
        self.outcomes[outcome.kind] += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "profile": PROFILE,
            "started": self.started,
            "finished": time.time(),
            "cpu_seconds": time.process_time() - self.cpu_started,
            "cases": dict(self.cases),
            "kinds": dict(self.kinds),
            "outcomes": dict(self.outcomes),
        }

    def write(self, folder: str, worker: str) -> None:
        path = Path(folder) / f"tally-{worker}.json"
        path.write_text(json.dumps(self.as_dict(), indent=1, sort_keys=True), encoding="utf-8")


TALLY = Tally()


def check_located(error: GreenscoreError, shown: str | None) -> None:
    """Every error says where: a rubric problem its file position, a data problem its field and
    row, a file its name (and, for what is inside it, a line, row, column or cell)."""
    if isinstance(error, RubricError):
        assert error.problems, error
        for problem in error.problems:
            assert problem.location is not None, f"rubric problem without a location: {problem}"
    elif isinstance(error, greenscore.ProfileError):
        assert error.problems, error
        for problem in error.problems:
            assert problem.field, f"data problem without a field: {problem}"
    elif isinstance(error, InputFileError | OutputError):
        assert shown is None or shown in str(error), f"{error} does not name {shown}"
    else:
        raise AssertionError(f"unexpected error type {type(error).__name__}: {error}")


def check_accounted(batch: greenscore.BatchResult, rows: int) -> None:
    """Every input row is scored, flagged or of another period; scored totals lie on the scale."""
    a = batch.accounting
    assert a["input_rows"] == rows, f"{rows} data rows in the file, {a['input_rows']} read"
    assert a["scored"] + a["flagged"] + a["other_periods"] == rows, a
    assert len(batch.results) == a["scored"], (len(batch.results), a)
    flagged_rows = {p.row for p in batch.problems}
    assert len(flagged_rows) == a["flagged"], (flagged_rows, a)
    scale = batch.rubric.scale
    for total in batch.results["total"].tolist():
        assert math.isfinite(total) and scale.min <= total <= scale.max, total


def first_problem(batch: greenscore.BatchResult) -> str:
    """The first flagged problem as a user reads it in the flagged table."""
    problem = batch.problems[0]
    return f"row {problem.row}, field {problem.field!r}: {problem.problem}"


def assess_outcome(
    data: Any, rubric: Any, rows: int, *, shown: str | None, errors: str = "flag"
) -> Outcome:
    """Assess under the case rules; a valid result must account for exactly ``rows`` rows."""
    with strict():
        try:
            batch = greenscore.assess(data, rubric, errors=errors)  # type: ignore[arg-type]
        except GreenscoreError as error:
            check_located(error, shown)
            return Outcome(type(error).__name__, str(error))
    check_accounted(batch, rows)
    if batch.problems:
        return Outcome("flagged", first_problem(batch))
    return Outcome("scored", f"{batch.accounting['scored']} rows scored")


def guarded(run: Callable[[], Outcome], shown: str | None) -> Outcome:
    """Run a step that may end in a located GreenscoreError, under the case rules."""
    with strict():
        try:
            return run()
        except GreenscoreError as error:
            check_located(error, shown)
            return Outcome(type(error).__name__, str(error))


@dataclass(frozen=True)
class Kind:
    """One kind of bad input or fault the suite tries, with an example and what the user sees.

    ``run`` builds the example in a fresh folder and returns its outcome; ``expect`` is the
    outcome's kind ('scored', 'flagged' or an error class name). ``known`` names an open item
    when what the user sees today is not yet what issue 12 asks for.
    """

    id: str
    input: str
    description: str
    example: str
    expect: str
    run: Callable[[Path], Outcome]
    known: str | None = None
