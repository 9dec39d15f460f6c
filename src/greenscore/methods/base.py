"""What every scoring method shares: field types, the indicator base model and the Method contract.

A method module defines its pydantic model, its numpy kernel and one ``METHOD`` value of type
:class:`Method`; the registry lists those values and nothing else does.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Generic, Literal, Protocol, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

if TYPE_CHECKING:
    from hypothesis.strategies import DrawFn

Identifier = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=64, description="A name usable in formulas"
    ),
]
MissingPolicy = Literal["error", "worst", "drop"]
Direction = Literal["higher", "lower", "target", "none"]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Finite = Annotated[float, Field(allow_inf_nan=False)]
MAX_WEIGHT = 1e6
Weight = Annotated[float, Field(ge=0, le=MAX_WEIGHT, allow_inf_nan=False)]

DIRECTION_ALIASES = {"max": "higher", "min": "lower", "maximise": "higher", "minimise": "lower"}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Goalposts(_Model):
    """The raw values that score worst and best; their order need not match the direction."""

    worst: Finite
    best: Finite

    @model_validator(mode="after")
    def _distinct(self) -> Goalposts:
        if self.worst == self.best:
            raise ValueError(f"worst and best are equal ({self.worst})")
        return self


class Band(_Model):
    """Values in [from, to) score these points (on the rubric scale); an open end is unbounded."""

    from_: Finite | None = Field(default=None, alias="from")
    to: Finite | None = None
    points: Finite

    @property
    def low(self) -> float:
        return -math.inf if self.from_ is None else self.from_

    @property
    def high(self) -> float:
        return math.inf if self.to is None else self.to


class ChecklistItem(_Model):
    """A boolean input worth some points when achieved."""

    input: Identifier
    points: NonNegative = 1.0


class IndicatorBase(_Model):
    """Fields every indicator has, whatever its method."""

    id: Identifier
    label: str = ""
    unit: str = ""
    description: str = ""
    weight: Weight = 1.0
    required: bool = Field(default=True, description="Mandatory indicator; optional ones drop out")
    missing: MissingPolicy | None = Field(
        default=None, description="What to do when a mandatory value is missing"
    )
    onto: tuple[Finite, Finite] | None = Field(
        default=None, description="Map the normalised value onto this sub-range of the scale"
    )

    @model_validator(mode="before")
    @classmethod
    def _alias_direction(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("direction"), str):
            data = {
                **data,
                "direction": DIRECTION_ALIASES.get(data["direction"], data["direction"]),
            }
        return data

    @model_validator(mode="after")
    def _onto_ordered(self) -> IndicatorBase:
        if self.onto is not None and not self.onto[0] < self.onto[1]:
            raise ValueError(f"onto must be [low, high] with low < high, got {list(self.onto)}")
        return self

    @property
    def inputs(self) -> tuple[str, ...]:
        """The input or derived names this indicator reads."""
        name = getattr(self, "input", None)
        return (name,) if isinstance(name, str) else ()


def fmt(value: float | None, digits: int = 4) -> str:
    """A number for people: no trailing zeros, '—' when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def direction_text(direction: str) -> str:
    """'higher is better' / 'lower is better', or '' for target and unordered indicators."""
    return {"higher": "higher is better", "lower": "lower is better"}.get(direction, "")


class InputLike(Protocol):
    """What a method needs to know of a declared input (rubric.models.Input fits)."""

    @property
    def type(self) -> str: ...

    @property
    def categories(self) -> list[str] | None: ...


P = TypeVar("P", float, np.ndarray)


@dataclass(frozen=True)
class Context:
    """What the plan knows when it packs a group: the rubric scale and each category input's list."""

    scale_min: float
    scale_max: float
    categories: Mapping[str, Sequence[str]] = field(default_factory=dict)

    @property
    def span(self) -> float:
        return self.scale_max - self.scale_min

    def u(self, points: P) -> P:
        """Points on the rubric scale (a number or an array) as normalised values (0 worst, 1 best)."""
        normalised: P = (points - self.scale_min) / self.span
        return normalised


@dataclass(frozen=True)
class Axis:
    """The reported input a park moves to change an indicator's raw value: raw = k × input.

    ``via`` names the derived input in between (None when the indicator reads the input itself);
    ``x0`` is the input now and ``v0`` the indicator's raw value now (NaN when not reported);
    ``low``, ``high`` and ``integer`` are the input's declared bounds and type.
    """

    var: str
    via: str | None
    x0: float
    v0: float
    k: float = 1.0
    low: float = -math.inf
    high: float = math.inf
    integer: bool = False


@dataclass(frozen=True)
class Goal:
    """A continuous lever: the raw values that score best and worst along an axis.

    ``direction`` is +1 when the raw value improves upwards, -1 downwards; effort is the distance
    moved divided by ``scale`` (on log10 when ``log``).
    """

    axis: Axis
    best: float
    worst: float
    scale: float
    log: bool
    direction: int


@dataclass(frozen=True)
class Option:
    """One discrete position of a lever: the input values it sets and its effort from now.

    ``items`` are the checklist items it achieves; ``into`` names the band it moves into, for
    the wording (empty for other methods).
    """

    changes: dict[str, float]
    effort: float
    label: str
    items: tuple[str, ...] = ()
    into: str = ""


@dataclass(frozen=True)
class Options:
    """A discrete lever: the positions that score more than now, cheapest first.

    ``axis`` is the input they move (None when an option sets several inputs, as a checklist's
    do); ``achieved`` counts the checklist items achieved now (0 for other methods).
    """

    options: tuple[Option, ...]
    axis: Axis | None = None
    achieved: int = 0


class Standing(Protocol):
    """One park and one of its indicators as the indicator's lever sees them.

    The gap search's harness provides it; a method asks only for what its lever needs.
    """

    @property
    def context(self) -> Context: ...

    def axis(self) -> Axis | str:
        """The input the indicator's raw value moves through, or why there is none."""
        ...

    def reported(self, name: str) -> float | None:
        """An input's value now (NaN when missing); None when the name is derived, not reported."""
        ...

    def statistics(self) -> Mapping[str, Any]:
        """The indicator's calibrated cohort statistics (empty when it has none)."""
        ...


Values = Mapping[str, np.ndarray]
Cohort = Mapping[str, Any]
GroupScorer = Callable[[Values, Cohort, int], tuple[np.ndarray, np.ndarray]]
"""Scores a packed group for n rows: (raw, normalised), each indicators × rows, NaN = missing."""
Hint = Callable[[str, Iterable[str]], str]
"""A "did you mean" suffix for a name not found among some choices ('' when none is close)."""
InputProblem = tuple[tuple[str | int, ...], str]
"""A problem with an indicator's inputs: the path below the indicator, and the message."""
RowFault = tuple[np.ndarray, str, str]
"""Rows a method cannot score although their values are present (a benchmark of zero): a boolean
mask over the rows, the field to name in the row's problem, and the problem in words."""

S = TypeVar("S", bound=IndicatorBase)


InputRange = tuple[float, float] | None
"""An input's declared [min, max] (infinite where open), or None when it is not numeric."""
LintProblem = tuple[str, tuple[str | int, ...], str]
"""A lint finding on an indicator: its code, the path below the indicator, and the message."""


@dataclass(frozen=True)
class Available:
    """What a generated rubric offers an indicator drawn for it: inputs, their ranges, the scale.

    numeric: declared and derived numeric inputs; declared: the declared numeric inputs only;
    ranges: the range each numeric name's values are drawn from; floors: each declared numeric
    input's declared minimum, where it has one; cohort: whether the rubric may score against
    the cohort.
    """

    scale: tuple[float, float]
    numeric: Sequence[str]
    declared: Sequence[str]
    booleans: Sequence[str]
    categories: Mapping[str, Sequence[str]]
    ranges: Mapping[str, tuple[float, float]]
    floors: Mapping[str, float] = field(default_factory=dict)
    cohort: bool = True


Generate = Callable[["DrawFn", Available, str], dict[str, Any]]
"""Draws the method's own fields of a generated indicator, given the direction drawn for it."""


def draw_number(draw: DrawFn, low: float, high: float, unit: float = 1.0) -> float:
    """A round number in [low, high] on a grid of `unit` (needs hypothesis)."""
    from hypothesis import strategies as st

    k_low, k_high = math.ceil(low / unit), math.floor(high / unit)
    if k_low > k_high:
        return round(low, 6)
    return round(draw(st.integers(k_low, k_high)) * unit, 6)


def draw_points(draw: DrawFn, scale: tuple[float, float]) -> float:
    """Points on the rubric scale, on a grid of a twentieth of it (needs hypothesis)."""
    low, high = scale
    return draw_number(draw, low, high, (high - low) / 20)


def range_text(bounds: tuple[float, float], open_high: bool = False) -> str:
    """A range for people, '[0, 100]' or '[5, ∞)', as lint messages show it."""
    low = "−∞" if bounds[0] == -math.inf else fmt(bounds[0])
    high = "∞" if bounds[1] == math.inf else fmt(bounds[1])
    return f"[{low}, {high}{')' if open_high else ']'}"


def _raw_value(spec: Any, raw: float, context: Context) -> float | str:
    return raw


def _no_items(spec: Any) -> int | None:
    return None


def no_lever(spec: Any, standing: Standing) -> str:
    """The lever of a method the gap search cannot invert: the reason, in words."""
    return f"method {spec.method!r} has no gap search"


def _no_edges(spec: Any) -> tuple[float, ...]:
    return ()


def _no_category_points(spec: Any) -> Mapping[str, float]:
    return {}


def _no_reason(spec: Any) -> str | None:
    return None


def _full_reach(spec: Any, declared: InputRange, context: Context) -> float:
    return 1.0


def _no_lint(spec: Any, declared: InputRange, context: Context) -> list[LintProblem]:
    return []


def _never_drawn(available: Available) -> int:
    return 0


def _no_references(spec: Any) -> tuple[str, ...]:
    return ()


def _no_faults(spec: Any, values: Values, cohort: Cohort, n: int) -> list[RowFault]:
    return []


@dataclass(frozen=True)
class Method(Generic[S]):
    """Everything the rest of greenscore needs to know about one scoring method.

    name: the ``method:`` tag. model: the pydantic model of its indicators.
    pack(specs, context): one scorer for every indicator of this method in a rubric, in order.
    bounds(spec, context): the worst and best normalised value the method can give.
    describe(spec): how it turns a raw value into a score, in words (without the onto range).
    check_inputs(spec, inputs, known, hint): problems with the inputs it reads, at load time.
    value(spec, raw, context): the raw value as reported (a category's name for a code).
    items(spec): how many checklist items the raw value counts, or None.
    statistics(spec, x): for cohort methods, the statistics frozen from a cohort's valid values.
    flat(stats): for cohort methods, whether those statistics give nothing to score against.
    against_cohort(spec): for a method with statistics whose indicators need not all use them,
    whether this one is scored against the cohort (None: every indicator is).
    references(spec): the inputs it reads as a yardstick (a benchmark it divides by), not as
    the park's own value: the gap search does not move them, and raising one works against the
    indicator's direction.
    faults(spec, values, cohort, n): rows it cannot score although their values are present,
    each a flagged row with its problem instead of a missing value.
    lever(spec, standing): how the gap search moves one park's indicator: a Goal to move
    towards, discrete Options, or why it cannot.
    on_scale: its scorer returns scores on the rubric scale, taken as they are, instead of
    normalised values (for inputs that already are scores: no divide-and-multiply round trip).

    What greenscore.testing asks (each optional):
    edges(spec): the raw values of its input where the score changes (goalposts, band edges).
    category_points(spec): the points each category of its category input earns.
    backwards(spec): why its scores may run against its direction, in words, or None.
    reach(spec, declared, context): the best normalised value its input's declared range allows.
    lint(spec, declared, context): static findings, as (code, path below the indicator, message).
    chances(available): its lots when a generated rubric draws a method (0: never drawn).
    generate(draw, available, direction): the method's own fields of a generated indicator.
    """

    name: str
    model: type[S]
    pack: Callable[[Sequence[S], Context], GroupScorer]
    bounds: Callable[[S, Context], tuple[float, float]]
    describe: Callable[[S], str]
    check_inputs: Callable[[S, Mapping[str, InputLike], Collection[str], Hint], list[InputProblem]]
    value: Callable[[S, float, Context], float | str] = _raw_value
    items: Callable[[S], int | None] = _no_items
    statistics: Callable[[S, np.ndarray], dict[str, Any]] | None = None
    flat: Callable[[Mapping[str, Any]], bool] | None = None
    against_cohort: Callable[[S], bool] | None = None
    references: Callable[[S], tuple[str, ...]] = _no_references
    faults: Callable[[S, Values, Cohort, int], list[RowFault]] = _no_faults
    lever: Callable[[S, Standing], Goal | Options | str] = no_lever
    on_scale: bool = False

    edges: Callable[[S], tuple[float, ...]] = _no_edges
    category_points: Callable[[S], Mapping[str, float]] = _no_category_points
    backwards: Callable[[S], str | None] = _no_reason
    reach: Callable[[S, InputRange, Context], float] = _full_reach
    lint: Callable[[S, InputRange, Context], list[LintProblem]] = _no_lint
    chances: Callable[[Available], int] = _never_drawn
    generate: Generate | None = None

    @property
    def cohort(self) -> bool:
        """Whether every indicator of this method is scored against the whole cohort."""
        return self.statistics is not None and self.against_cohort is None

    def scores_against_cohort(self, spec: S) -> bool:
        """Whether this indicator of the method is scored against the whole cohort."""
        if self.statistics is None:
            return False
        return self.against_cohort is None or self.against_cohort(spec)


def unit_bounds(spec: Any, context: Context) -> tuple[float, float]:
    """Bounds of a method whose kernel stays within [0, 1]."""
    return 0.0, 1.0


def check_numeric_input(
    spec: Any, inputs: Mapping[str, InputLike], known: Collection[str], hint: Hint
) -> list[InputProblem]:
    """The one input must be declared (or derived) and must not be a category."""
    name = spec.input
    if name not in known:
        return [(("input",), f"undeclared input {name!r}{hint(name, known)}")]
    declared = inputs.get(name)
    if declared is not None and declared.type == "category":
        return [(("input",), f"{spec.method} needs a numeric input; {name!r} is a category")]
    return []


def stack_inputs(specs: Sequence[Any], values: Values, n: int) -> np.ndarray:
    """The input of each indicator of a group as one row of an indicators × rows matrix."""
    x = np.empty((len(specs), n))
    for c, spec in enumerate(specs):
        x[c] = values[spec.input]
    return x
