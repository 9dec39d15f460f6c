"""checklist: points per boolean item achieved, as a share of all points."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import Field, model_validator

from greenscore.methods.base import (
    Available,
    ChecklistItem,
    Cohort,
    Context,
    Direction,
    GroupScorer,
    Hint,
    IndicatorBase,
    InputLike,
    InputProblem,
    Method,
    Option,
    Options,
    Standing,
    Values,
    unit_bounds,
)

if TYPE_CHECKING:
    from hypothesis.strategies import DrawFn

FloatArray = np.ndarray


class ChecklistIndicator(IndicatorBase):
    """Points per boolean item achieved, as a share of all points; optionally zero below k items."""

    method: Literal["checklist"]
    direction: Direction = "higher"
    items: list[ChecklistItem] = Field(min_length=1, max_length=100)
    at_least: int | None = Field(default=None, ge=1, description="Score worst below k items")

    @model_validator(mode="after")
    def _items(self) -> ChecklistIndicator:
        names = [item.input for item in self.items]
        if len(set(names)) != len(names):
            raise ValueError("checklist items must name distinct inputs")
        if sum(item.points for item in self.items) <= 0:
            raise ValueError("checklist items must be worth some points in total")
        if self.at_least is not None and self.at_least > len(self.items):
            raise ValueError(f"at_least ({self.at_least}) exceeds the {len(self.items)} items")
        return self

    @property
    def inputs(self) -> tuple[str, ...]:
        return tuple(item.input for item in self.items)


def checklist(items: FloatArray, points: FloatArray, at_least: int | None) -> FloatArray:
    """Share of checklist points achieved (items: rows × items of 0/1); 0 below at_least items."""
    achieved = items @ points / points.sum()
    if at_least is not None:
        achieved = np.where(items.sum(axis=1) < at_least, 0.0, achieved)
    return np.where(np.isnan(items).any(axis=1), np.nan, achieved)


def pack(specs: Sequence[ChecklistIndicator], context: Context) -> GroupScorer:
    """One kernel call per checklist (item counts differ); the raw value is the items achieved."""
    points = [np.array([item.points for item in spec.items], dtype=float) for spec in specs]

    def score(values: Values, cohort: Cohort, n: int) -> tuple[np.ndarray, np.ndarray]:
        raw = np.empty((len(specs), n))
        u = np.empty((len(specs), n))
        for c, spec in enumerate(specs):
            items = np.column_stack([values[item.input] for item in spec.items])
            u[c] = checklist(items, points[c], spec.at_least)
            raw[c] = np.where(np.isnan(items).any(axis=1), np.nan, items.sum(axis=1))
        return raw, u

    return score


def describe(spec: ChecklistIndicator) -> str:
    rule = f", at least {spec.at_least} of {len(spec.items)} required" if spec.at_least else ""
    return f"checklist of {len(spec.items)} items{rule}"


def check_inputs(
    spec: ChecklistIndicator, inputs: Mapping[str, InputLike], known: Collection[str], hint: Hint
) -> list[InputProblem]:
    """Every item names a declared boolean input."""
    problems: list[InputProblem] = []
    for k, item in enumerate(spec.items):
        declared = inputs.get(item.input)
        if declared is None:
            problems.append(
                (
                    ("items", k, "input"),
                    f"undeclared input {item.input!r}{hint(item.input, inputs)}",
                )
            )
        elif declared.type != "boolean":
            problems.append(
                (
                    ("items", k, "input"),
                    f"checklist item {item.input!r} must be a boolean input, not {declared.type}",
                )
            )
    return problems


def items(spec: ChecklistIndicator) -> int:
    return len(spec.items)


def lever(spec: ChecklistIndicator, standing: Standing) -> Options | str:
    """Achieve the missing items, highest points first: one option per count of items."""
    now: dict[str, float] = {}
    derived = []
    for item in spec.items:
        x = standing.reported(item.input)
        if x is None:
            derived.append(item.input)
        else:
            now[item.input] = x
    if derived:
        return f"checklist items {', '.join(derived)} are derived, not reported"
    todo = [item for item in spec.items if now[item.input] != 1.0]
    if not todo:
        return "every checklist item is achieved already"
    todo.sort(key=lambda item: -item.points)
    missing = {item.input: 0.0 for item in spec.items if math.isnan(now[item.input])}
    options = []
    for count in range(1, len(todo) + 1):
        chosen = tuple(item.input for item in todo[:count])
        changes = {**missing, **dict.fromkeys(chosen, 1.0)}
        options.append(Option(changes, count / len(spec.items), ", ".join(chosen), chosen))
    achieved = sum(1 for item in spec.items if now[item.input] == 1.0)
    return Options(tuple(options), None, achieved)


def chances(available: Available) -> int:
    return 1 if available.booleans else 0


def generate(draw: DrawFn, available: Available, direction: str) -> dict[str, Any]:
    """Some distinct boolean inputs with small point values, sometimes a minimum count; the
    drawn direction is not used."""
    from hypothesis import strategies as st

    names = list(available.booleans)
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, unique=True))
    weights = [draw(st.sampled_from([1.0, 1.0, 2.0, 0.5, 0.0])) for _ in chosen]
    if not sum(weights):
        weights[0] = 1.0
    fields: dict[str, Any] = {
        "items": [{"input": n, "points": w} for n, w in zip(chosen, weights, strict=True)]
    }
    if draw(st.booleans()):
        fields["at_least"] = draw(st.integers(1, len(chosen)))
    return fields


METHOD = Method(
    name="checklist",
    model=ChecklistIndicator,
    pack=pack,
    bounds=unit_bounds,
    describe=describe,
    check_inputs=check_inputs,
    items=items,
    lever=lever,
    chances=chances,
    generate=generate,
)
