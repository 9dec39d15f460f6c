"""One error hierarchy for greenscore: every error says where, what was found and what was expected."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source file: 1-based line and column."""

    file: str | None
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file or '<string>'}:{self.line}:{self.column}"


@dataclass(frozen=True)
class RubricProblem:
    """One problem in a rubric: where it is (file position and path inside the rubric) and what is wrong."""

    path: str
    message: str
    location: Location | None = None

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        path = f"{self.path}: " if self.path else ""
        return f"{where}{path}{self.message}"


@dataclass(frozen=True)
class DataProblem:
    """One problem in input data: row as the user sees it, entity, field, value found, what was expected."""

    field: str
    value: Any
    problem: str
    row: int | None = None
    entity: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.entity is not None:
            parts.append(f"entity {self.entity}")
        parts.append(f"field {self.field!r}")
        return f"{', '.join(parts)}: value {self.value!r}: {self.problem}"

    def __repr__(self) -> str:
        text = " ".join(f"<DataProblem {self}>".split())
        return text if len(text) <= 200 else text[:198] + "…>"

    def as_record(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "entity": self.entity,
            "field": self.field,
            "value": self.value,
            "problem": self.problem,
        }


class GreenscoreError(Exception):
    """Root of every error greenscore raises on purpose."""


class RubricError(GreenscoreError, ValueError):
    """A rubric is invalid; lists every problem found, each with its location."""

    def __init__(self, problems: Iterable[RubricProblem], source: str | None = None) -> None:
        self.problems: tuple[RubricProblem, ...] = tuple(problems)
        self.source = source
        super().__init__(self._render())

    def _render(self) -> str:
        head = f"invalid rubric{f' {self.source}' if self.source else ''}"
        count = len(self.problems)
        lines = [f"{head}: {count} problem{'s' if count != 1 else ''}"]
        lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines)


class ProfileError(GreenscoreError, ValueError):
    """Input data are invalid; lists every bad cell (row, entity, field, value, problem)."""

    columns: tuple[str, ...] = ("row", "entity", "field", "value", "problem")

    def __init__(self, problems: Sequence[DataProblem], source: str | None = None) -> None:
        self.problems: tuple[DataProblem, ...] = tuple(problems)
        self.source = source
        super().__init__(self._render())

    def _render(self, limit: int = 50) -> str:
        count = len(self.problems)
        head = f"invalid input{f' {self.source}' if self.source else ''}"
        lines = [f"{head}: {count} problem{'s' if count != 1 else ''}"]
        lines += [f"  {p}" for p in self.problems[:limit]]
        if count > limit:
            lines.append(f"  … and {count - limit} more (see .table())")
        return "\n".join(lines)

    def table(self) -> Any:
        """The problems as a pandas DataFrame with fixed columns."""
        import pandas as pd

        return pd.DataFrame([p.as_record() for p in self.problems], columns=list(self.columns))


class CohortRequiredError(GreenscoreError, ValueError):
    """The rubric scores against a cohort; a single profile cannot be scored until it is calibrated."""

    @classmethod
    def for_task(cls, items: Iterable[str], task: str) -> CohortRequiredError:
        """The one wording for whatever a cohort-scored rubric cannot do on one profile."""
        return cls(
            f"the rubric scores {', '.join(items)} against the whole cohort, so {task} needs a "
            "batch (greenscore.assess()) or a rubric calibrated on a base year "
            "(greenscore calibrate)"
        )


class StreamingError(GreenscoreError, ValueError):
    """A table cannot be assessed in chunks with the results of assessing it whole: the message
    names the rubric feature or the data that need the whole table at once."""


class InputFileError(GreenscoreError, OSError):
    """A data or rubric file cannot be read (missing, too large, wrong format)."""


class OutputError(GreenscoreError, ValueError):
    """Results cannot be written as asked: contradictory output options, a table too big for the
    format, or an output folder another run is writing into."""


class OptionalDependencyError(GreenscoreError, ImportError):
    """An optional extra is needed for this feature; says what to install."""

    def __init__(self, package: str, extra: str, feature: str) -> None:
        super().__init__(
            f"{feature} needs the optional package {package!r}: pip install 'greenscore[{extra}]'"
        )


def closest(word: str, choices: Iterable[str], *, ignore_case: bool = False) -> str | None:
    """The choice most like a mistyped word (difflib ratio ≥ 0.6), for "did you mean" hints.

    With ``ignore_case``, a choice equal to the word but for case and surrounding blanks also
    counts, so that "Park_ID" still points at "park_id".
    """
    candidates = list(choices)
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    if close:
        return close[0]
    if ignore_case:
        return {c.lower().strip(): c for c in candidates}.get(word.lower())
    return None


def did_you_mean(word: str, choices: Iterable[str], *, ignore_case: bool = False) -> str:
    """' (did you mean 'x'?)' naming the closest choice, or '' when none is close."""
    close = closest(word, choices, ignore_case=ignore_case)
    return "" if close is None else f" (did you mean {close!r}?)"
