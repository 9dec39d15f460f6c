"""The rubric format as pydantic models: what a rubric may say, validated once at load time."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)

from greenscore.errors import Location
from greenscore.methods import Indicator
from greenscore.methods.base import (
    DIRECTION_ALIASES,
    Band,
    ChecklistItem,
    Direction,
    Finite,
    Goalposts,
    Identifier,
    MissingPolicy,
    NonNegative,
    Weight,
    _Model,
)
from greenscore.rubric.display import rubric_html, rubric_repr
from greenscore.rubric.per_pool import Places, PlacesByPool, Share, ShareByPool
from greenscore.rubric.safe_yaml import LocatedDocument
from greenscore.rubric.track import Track

__all__ = [
    "DIRECTION_ALIASES",
    "Aggregation",
    "Band",
    "ChecklistItem",
    "Consequence",
    "ConsequenceValue",
    "Derived",
    "Dimension",
    "DimensionMin",
    "Direction",
    "Finite",
    "Goalposts",
    "History",
    "Identifier",
    "Indicator",
    "IndicatorMin",
    "Input",
    "MissingPolicy",
    "NoVeto",
    "NonNegative",
    "Places",
    "Rounding",
    "Rubric",
    "Scale",
    "Share",
    "Tier",
    "TierCondition",
    "Total",
    "Veto",
    "VetoKind",
    "Weight",
    "_Model",
]

Aggregation = Literal["arithmetic", "geometric", "minimum"]
VetoKind = Literal["force_tier", "cap_tier", "deduct", "bonus", "unrated"]
POINT_KINDS = ("deduct", "bonus")
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]


def _without_later_defaults(
    model: _Model, data: dict[str, Any], names: Iterable[str]
) -> dict[str, Any]:
    """Leave out keys added after the first release while they hold their defaults, so that the
    canonical form (and the sha256) of a rubric that does not use them stays what it was."""
    for name in names:
        if name in data and getattr(model, name) == type(model).model_fields[name].get_default(
            call_default_factory=True
        ):
            del data[name]
    return data


class Scale(_Model):
    """The range of every score: 0–100 by default; 0–1 or any other range works."""

    min: Finite = 0.0
    max: Finite = 100.0

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if not self.max > self.min:
            raise ValueError(f"scale max ({self.max}) must be greater than min ({self.min})")
        return self

    @property
    def span(self) -> float:
        return self.max - self.min


class Rounding(_Model):
    """Round the reported total (and, if asked, dimension scores) before tiers, as published
    tables do: half up (84.45 → 84.5) or half to even (84.45 → 84.4)."""

    decimals: int = Field(ge=0, le=6, description="Decimals of the total")
    mode: Literal["half_up", "half_even"] = "half_up"
    dimensions: int | None = Field(
        default=None, ge=0, le=6, description="Decimals of the dimension scores, if published"
    )

    @model_serializer(mode="wrap")
    def _canonical(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return _without_later_defaults(self, handler(self), ("mode", "dimensions"))


class Total(_Model):
    """How the total is put together beyond the weighted score: its bounds, and caps on all
    bonuses and on all deductions together."""

    floor: bool = Field(default=True, description="Hold the total at or above the scale minimum")
    ceiling: bool = Field(default=True, description="Hold the total at or below the scale maximum")
    bonus_cap: Positive | None = Field(
        default=None, description="The most points all bonus items together add"
    )
    deduction_cap: Positive | None = Field(
        default=None, description="The most points all deductions together take"
    )
    better: Literal["higher", "lower"] = Field("higher", description="lower: for hunger or risk")

    @model_serializer(mode="wrap")
    def _canonical(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return _without_later_defaults(self, handler(self), ("better",))

    @property
    def sign(self) -> float:
        """+1 when a higher total is better, −1 when a lower one is: the merit is sign × total."""
        return 1.0 if self.better == "higher" else -1.0


class Input(_Model):
    """One profile field the rubric reads."""

    id: Identifier
    type: Literal["number", "integer", "boolean", "category"] = "number"
    label: str = ""
    unit: str = ""
    description: str = ""
    required: bool = True
    min: Finite | None = None
    max: Finite | None = None
    categories: list[str] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Input:
        if self.type == "category":
            if not self.categories:
                raise ValueError("a category input needs a non-empty 'categories' list")
            if len(set(self.categories)) != len(self.categories):
                raise ValueError("categories must be distinct")
        elif self.categories is not None:
            raise ValueError(f"'categories' only applies to category inputs, not {self.type}")
        if self.type in ("boolean", "category") and (self.min is not None or self.max is not None):
            raise ValueError(f"a {self.type} input takes no min/max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        return self


class History(_Model):
    """A statistic of one input over the park's latest periods (this one and those before it)."""

    input: Identifier
    statistic: Literal[
        "change", "relative_change", "mean", "falls_every_period", "rises_every_period"
    ]
    periods: int = Field(default=2, ge=2, le=20, description="Periods, counting this one")


class Derived(_Model):
    """An input computed from others: a safe arithmetic formula, or a statistic over periods."""

    id: Identifier
    formula: str | None = Field(default=None, min_length=1, max_length=2000)
    history: History | None = None
    label: str = ""
    unit: str = ""
    description: str = ""

    @model_validator(mode="after")
    def _one_source(self) -> Derived:
        if (self.formula is None) == (self.history is None):
            raise ValueError("a derived input needs exactly one of 'formula' or 'history'")
        return self


class Dimension(_Model):
    """A weighted group of indicators and sub-dimensions with its own aggregation."""

    id: Identifier
    label: str = ""
    description: str = ""
    weight: Weight = 1.0
    aggregation: Aggregation = "arithmetic"
    indicators: list[Indicator] = Field(default_factory=list)
    dimensions: list[Dimension] = Field(default_factory=list)

    @model_validator(mode="after")
    def _children(self) -> Dimension:
        if not self.indicators and not self.dimensions:
            raise ValueError("a dimension needs at least one indicator or sub-dimension")
        if sum(child.weight for child in self.children) <= 0:
            raise ValueError("the weights of a dimension's children sum to zero")
        return self

    @property
    def children(self) -> list[Dimension | Indicator]:
        return [*self.dimensions, *self.indicators]

    @property
    def normalised_weights(self) -> dict[str, float]:
        """Children's weights scaled to sum to one, by id."""
        total = sum(child.weight for child in self.children)
        return {child.id: child.weight / total for child in self.children}


class Veto(_Model):
    """An item outside the weighted sum: a one-vote veto that forces or caps the tier, a
    deduction, bonus points, or a place in a class outside the ranking (unrated: first-year or
    below-scale firms)."""

    id: Identifier
    label: str = ""
    kind: VetoKind
    when: str | None = Field(default=None, max_length=2000, description="Condition formula")
    tier: Identifier | None = None
    points: Finite | str | None = Field(
        default=None, description="Deduction or bonus: a number (0 or more) or a formula"
    )
    cap: Positive | None = Field(
        default=None, description="Deduction or bonus: the most points this item gives one park"
    )
    reason: str = Field(min_length=1)

    @field_validator("points")
    @classmethod
    def _not_negative(cls, points: float | str | None, info: ValidationInfo) -> float | str | None:
        kind = info.data.get("kind")
        if isinstance(points, int | float) and points < 0 and kind in POINT_KINDS:
            other = "bonus" if kind == "deduct" else "deduct"
            does = "takes points off" if kind == "deduct" else "adds points"
            raise ValueError(
                f"points {points:g} is negative: a {kind} {does}, so write {-points:g} "
                f"(or use kind: {other})"
            )
        return points

    @model_validator(mode="after")
    def _kind_fields(self) -> Veto:
        if self.kind in ("force_tier", "cap_tier", "unrated"):
            if self.tier is None:
                raise ValueError(f"a {self.kind} veto needs 'tier'")
            if self.when is None:
                raise ValueError(f"a {self.kind} veto needs a 'when' condition")
            if self.points is not None or self.cap is not None:
                raise ValueError(f"a {self.kind} veto takes no 'points' or 'cap'")
        else:
            if self.points is None:
                raise ValueError(f"a {self.kind} item needs 'points' (a number or a formula)")
            if self.tier is not None:
                raise ValueError(f"a {self.kind} item takes no 'tier'")
            if self.cap is not None and not isinstance(self.points, str):
                raise ValueError("'cap' bounds points given by a formula; fixed points need no cap")
        return self

    @model_serializer(mode="wrap")
    def _canonical(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return _without_later_defaults(self, handler(self), ("cap",))


class DimensionMin(_Model):
    """Every listed (default: every top-level) dimension scores at least this."""

    type: Literal["dimension_min"]
    score: Finite
    dimensions: list[Identifier] | None = None


class IndicatorMin(_Model):
    """One indicator scores at least this."""

    type: Literal["indicator_min"]
    indicator: Identifier
    score: Finite


class NoVeto(_Model):
    """None of the listed vetoes (default: any veto of the listed kinds, or any veto) applied."""

    type: Literal["no_veto"]
    vetoes: list[Identifier] | None = None
    kinds: list[VetoKind] | None = None


TierCondition = Annotated[DimensionMin | IndicatorMin | NoVeto, Field(discriminator="type")]


class ConsequenceValue(_Model):
    """A number a tier's consequence can carry (a surcharge, a quota change), declared once with
    its label and unit so that every tier's value reads the same way."""

    id: Identifier
    label: str = ""
    unit: str = ""


class Consequence(_Model):
    """What the reward/penalty system attaches to a tier: its kind, its words, and the numbers
    declared in the rubric's consequence_values that it carries (id → value)."""

    kind: Literal["reward", "none", "penalty"] = "none"
    text: str = ""
    values: dict[str, Finite] = Field(
        default_factory=dict, description="Numeric consequences by declared id"
    )

    @model_serializer(mode="wrap")
    def _canonical(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return _without_later_defaults(self, handler(self), ("values",))


class Tier(_Model):
    """A tier: reached with at least min_score (at most max_score where a lower total is better;
    any total without either) when its conditions hold, within its places per pool (see
    rubric/places.py and engine/places.py)."""

    id: Identifier
    label: str = ""
    min_score: Finite | None = Field(default=None, description="The least total; none: any")
    max_score: Finite | None = Field(default=None, description="The greatest total; lower better")
    top: PlacesByPool | None = Field(
        default=None, description="At most this many per pool, the best"
    )
    max_share: ShareByPool | None = Field(
        default=None, description="At most this share of each pool"
    )
    share: Share | None = Field(default=None, description="A quantile band: the next share by rank")
    bottom: PlacesByPool | None = Field(
        default=None, description="At least this many, the worst-ranked"
    )
    min_share: ShareByPool | None = Field(
        default=None, description="At least this share of each pool"
    )
    conditions: list[TierCondition] = Field(default_factory=list)
    consequence: Consequence = Field(default_factory=Consequence)

    @model_serializer(mode="wrap")
    def _canonical(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        names = ("min_score", "max_score", "top", "share", "bottom", "min_share")
        return _without_later_defaults(self, handler(self), names)

    @property
    def floor(self) -> float:
        """The least merit (sign × total) the tier accepts: min_score, −max_score, or −∞."""
        if self.min_score is not None:
            return self.min_score
        return -math.inf if self.max_score is None else -self.max_score

    @property
    def limited(self) -> bool:
        """Whether the tier limits its places (top, max_share or share)."""
        return self.top is not None or self.max_share is not None or self.share is not None

    @property
    def guaranteed(self) -> bool:
        """Whether the tier has a minimum of places (bottom or min_share)."""
        return self.bottom is not None or self.min_share is not None


class Rubric(_Model):
    """A whole assessment: inputs, derived inputs, weighted dimensions, vetoes and tiers."""

    name: str = Field(min_length=1)
    version: str = Field(min_length=1)
    description: str = ""
    scale: Scale = Field(default_factory=Scale)
    total: Total = Field(default_factory=Total)
    rounding: Rounding | None = None
    missing: MissingPolicy = "error"
    aggregation: Aggregation = "arithmetic"
    entity: Identifier = "park_id"
    noun: str = Field(default="parks", min_length=1, description="The entities, plural: zones")
    period: Identifier = "year"
    attributes: list[Identifier] = Field(default_factory=list)
    pools: list[Identifier] = Field(
        default_factory=list,
        description="Text columns splitting entities into pools; ranks and quotas are per pool",
    )
    inputs: list[Input] = Field(min_length=1)
    derived: list[Derived] = Field(default_factory=list)
    dimensions: list[Dimension] = Field(min_length=1)
    vetoes: list[Veto] = Field(default_factory=list)
    tiers: list[Tier] = Field(min_length=1)
    consequence_values: list[ConsequenceValue] = Field(
        default_factory=list, description="The numbers tiers' consequences may carry, with units"
    )
    cohort: dict[str, dict[str, Any]] | None = Field(
        default=None,
        description="Frozen cohort statistics written by calibrate(); with pools, by pool",
    )
    track: Track | None = Field(default=None, description="Rules over each entity's track record")

    _source: LocatedDocument | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _coerce_version(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("version"), int | float):
            data = {**data, "version": str(data["version"])}
        return data

    @model_serializer(mode="wrap")
    def _canonical(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        names = ("total", "noun", "pools", "consequence_values", "track")
        return _without_later_defaults(self, handler(self), names)

    @model_validator(mode="after")
    def _top_weights(self) -> Rubric:
        if self.dimensions and sum(d.weight for d in self.dimensions) <= 0:
            raise ValueError("the weights of the top-level dimensions sum to zero")
        return self

    @property
    def normalised_weights(self) -> dict[str, float]:
        """Top-level dimension weights scaled to sum to one, by id."""
        total = sum(d.weight for d in self.dimensions)
        return {d.id: d.weight / total for d in self.dimensions} if total > 0 else {}

    def _dimension_tree(
        self,
    ) -> list[tuple[tuple[str, ...], tuple[str | int, ...], Dimension]]:
        """Every dimension with its id path and its path in the document, parents first."""
        found: list[tuple[tuple[str, ...], tuple[str | int, ...], Dimension]] = []

        def walk(dims: list[Dimension], ids: tuple[str, ...], where: tuple[str | int, ...]) -> None:
            for index, dim in enumerate(dims):
                found.append(((*ids, dim.id), (*where, index), dim))
                walk(dim.dimensions, (*ids, dim.id), (*where, index, "dimensions"))

        walk(self.dimensions, (), ("dimensions",))
        return found

    def iter_dimensions(self) -> list[tuple[tuple[str, ...], Dimension]]:
        """Every dimension with its id path, parents before children."""
        return [(ids, dim) for ids, _, dim in self._dimension_tree()]

    def located_dimensions(self) -> list[tuple[tuple[str | int, ...], Dimension]]:
        """Every dimension with its path in the rubric document, e.g. ('dimensions', 0), parents
        before children: the keys that error messages and lint findings are located by."""
        return [(where, dim) for _, where, dim in self._dimension_tree()]

    def iter_indicators(self) -> list[tuple[tuple[str, ...], Indicator]]:
        """Every indicator with the id path of its dimension."""
        return [(path, ind) for path, dim in self.iter_dimensions() for ind in dim.indicators]

    def indicator(self, indicator_id: str) -> Indicator:
        for _, ind in self.iter_indicators():
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    def input(self, input_id: str) -> Input:
        for spec in self.inputs:
            if spec.id == input_id:
                return spec
        raise KeyError(input_id)

    def attach_source(self, document: LocatedDocument) -> None:
        """Remember the YAML document this rubric was loaded from (done by load_rubric)."""
        self._source = document

    @property
    def source_file(self) -> str | None:
        """The file the rubric was loaded from, if any."""
        return self._source.file if self._source is not None else None

    def locate(self, path: Sequence[str | int]) -> Location | None:
        """Where a rubric path (e.g. ('tiers', 0, 'min_score')) sits in the YAML it was loaded
        from; None for a rubric not loaded from YAML."""
        return self._source.locate(path) if self._source is not None else None

    def __repr__(self) -> str:
        """Name, version and counts on one line, instead of pydantic's dump of every field."""
        return rubric_repr(self)

    def __str__(self) -> str:
        return rubric_repr(self)

    def __repr_args__(self) -> list[tuple[str | None, Any]]:
        """What pydantic-based displays (rich, devtools) show: the name and version only."""
        return [("name", self.name), ("version", self.version)]

    def _repr_html_(self) -> str:
        """The tree of dimensions with weights and methods, then the tiers and vetoes."""
        return rubric_html(self)
