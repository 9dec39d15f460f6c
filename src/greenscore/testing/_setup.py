"""What a consistency property is made of, the hypothesis settings its searches run under, and
how its counterexamples are shown."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from greenscore.methods.base import fmt
from greenscore.testing._context import Profile, RubricContext, python_value

if TYPE_CHECKING:
    from hypothesis import settings
    from hypothesis.strategies import SearchStrategy


@dataclass(frozen=True)
class Violation:
    """One way a property fails: what went wrong in words, and the example that shows it."""

    explanation: str
    counterexample: dict[str, Any] | None = None


@dataclass
class Setup:
    """A property prepared for one rubric: examples to draw and the test each must pass."""

    summary: str
    strategy: SearchStrategy[Any] | None = None
    body: Callable[[Any], Violation | None] | None = None
    present: Callable[[Any], dict[str, Any]] = lambda example: {"example": example}
    failure: Violation | None = None
    finish: Callable[[], Violation | None] | None = None
    severe: Callable[[Any], Violation | None] | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Property:
    """A named consistency property; `engine` ones hold for every valid rubric by construction."""

    name: str
    description: str
    prepare: Callable[[RubricContext, int], Setup]
    engine: bool = True


def search_settings(max_examples: int, seed: int | None = None) -> settings:
    """Quiet settings for every search a check runs: no database, no deadline, deterministic
    unless seeded, and the health checks that a slow or picky rubric trips turned off."""
    from hypothesis import HealthCheck, Phase, Verbosity, settings

    return settings(
        max_examples=max_examples,
        database=None,
        derandomize=seed is None,
        deadline=None,
        phases=(Phase.explicit, Phase.generate, Phase.target, Phase.shrink),
        report_multiple_bugs=False,
        verbosity=Verbosity.quiet,
        print_blob=False,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.filter_too_much,
            HealthCheck.nested_given,
        ],
    )


@contextmanager
def private_storage() -> Iterator[None]:
    """Hypothesis's on-disk cache in a temporary folder for the duration of a check, so that
    checking a rubric leaves no .hypothesis/ folder in the working directory."""
    from hypothesis.configuration import set_hypothesis_home_dir, storage_directory

    previous = storage_directory(intent_to_write=False).home_directory
    with tempfile.TemporaryDirectory(prefix="greenscore-check-") as folder:
        set_hypothesis_home_dir(folder)
        try:
            yield
        finally:
            set_hypothesis_home_dir(previous)


def num(value: Any) -> str:
    """A score as shown in an explanation: six decimals at most, 'blank' when missing."""
    return fmt(float(value), 6) if value is not None else "blank"


def value_text(value: Any) -> str:
    """An input value as shown in an explanation: words quoted, numbers to nine decimals."""
    if value is None:
        return "blank"
    if isinstance(value, bool | str):
        return repr(value)
    return fmt(float(value), 9)


def tier_text(ctx: RubricContext, index: Any) -> str:
    """A tier's id, quoted, from its index."""
    return repr(ctx.tier_id(int(index)))


def plain(profile: Profile) -> Profile:
    """A profile with plain Python values, ready for JSON."""
    return {k: python_value(v) for k, v in profile.items()}


def profile_only(example: Any) -> dict[str, Any]:
    """A counterexample that is one profile."""
    return {"profile": plain(example)}


def row_list(example: Sequence[Profile]) -> dict[str, Any]:
    """A counterexample that is several profiles."""
    return {"profiles": [plain(p) for p in example]}
