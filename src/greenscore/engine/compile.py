"""Stage 1, compile: the rubric's dimension tree as flat steps and index arrays over a node matrix.

The node matrix has one row per dimension (parents before children) and then one per indicator.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from greenscore.methods import Context, Indicator, method_of
from greenscore.rubric import models as m


@dataclass(frozen=True)
class IndicatorStep:
    """One indicator as the plan scores it."""

    spec: Indicator
    dimension: str
    position: int
    low: float
    high: float
    worst_u: float
    policy: str

    @property
    def id(self) -> str:
        return str(self.spec.id)


@dataclass(frozen=True)
class DimensionStep:
    """One dimension: which columns of the score matrix are its children, with what weights."""

    spec: m.Dimension
    path: tuple[str, ...]
    parent: int | None
    child_dims: tuple[int, ...]
    child_indicators: tuple[int, ...]
    weights: np.ndarray


def missing_policy(ind: m.Indicator, rubric: m.Rubric) -> str:
    """The missing-data policy an indicator follows: its own, else the rubric's."""
    return ind.missing or rubric.missing


def method_context(rubric: m.Rubric) -> Context:
    """What the methods need of the rubric to pack their groups."""
    categories = {s.id: list(s.categories or []) for s in rubric.inputs if s.type == "category"}
    return Context(rubric.scale.min, rubric.scale.max, categories)


def build_steps(
    rubric: m.Rubric, context: Context
) -> tuple[list[IndicatorStep], list[DimensionStep]]:
    """Every indicator and dimension in tree order, with normalised local weights."""
    indicators: list[IndicatorStep] = []
    dimensions: list[DimensionStep] = []

    def indicator_step(ind: Indicator, dimension: str) -> IndicatorStep:
        low, high = ind.onto if ind.onto is not None else (context.scale_min, context.scale_max)
        bounds = method_of(ind).bounds(ind, context)
        worst_u = bounds[0] if rubric.total.better == "higher" else bounds[1]
        policy = missing_policy(ind, rubric)
        return IndicatorStep(ind, dimension, len(indicators), low, high, worst_u, policy)

    def build(dims: list[m.Dimension], path: tuple[str, ...], parent: int | None) -> None:
        for dim in dims:
            index = len(dimensions)
            dimensions.append(DimensionStep(dim, (*path, dim.id), parent, (), (), np.zeros(0)))
            before = len(dimensions)
            build(dim.dimensions, (*path, dim.id), index)
            child_dims = tuple(
                i for i in range(before, len(dimensions)) if dimensions[i].parent == index
            )
            child_inds = []
            for ind in dim.indicators:
                child_inds.append(len(indicators))
                indicators.append(indicator_step(ind, dim.id))
            weights = np.array([c.weight for c in dim.children], dtype=float)
            dimensions[index] = DimensionStep(
                dim, (*path, dim.id), parent, child_dims, tuple(child_inds), weights / weights.sum()
            )

    build(rubric.dimensions, (), None)
    return indicators, dimensions


def node_children(dimensions: list[DimensionStep]) -> list[np.ndarray]:
    """Each dimension's children as rows of the node matrix (sub-dimensions, then indicators)."""
    n_dim = len(dimensions)
    return [
        np.array([*step.child_dims, *(n_dim + i for i in step.child_indicators)], dtype=np.intp)
        for step in dimensions
    ]
