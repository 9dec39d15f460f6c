"""THE list of scoring methods, keyed on ``method:``, and the Indicator union built from it."""

from __future__ import annotations

from typing import Annotated, Any, get_args

from pydantic import Field

from greenscore.methods import (
    bands,
    categorical,
    checklist,
    given,
    linear,
    minmax,
    percentile,
    ratio,
    target,
    zscore,
)
from greenscore.methods._cohort import CohortIndicator
from greenscore.methods.bands import BandsIndicator
from greenscore.methods.base import Method
from greenscore.methods.categorical import CategoricalIndicator
from greenscore.methods.checklist import ChecklistIndicator
from greenscore.methods.given import GivenIndicator
from greenscore.methods.linear import LinearIndicator
from greenscore.methods.ratio import RatioIndicator
from greenscore.methods.target import TargetIndicator

REGISTRY: dict[str, Method[Any]] = {
    module.METHOD.name: module.METHOD
    for module in (
        linear,
        bands,
        target,
        ratio,
        checklist,
        categorical,
        given,
        minmax,
        percentile,
        zscore,
    )
}
"""Every scoring method by its ``method:`` tag, in the order the format documents them."""

Indicator = Annotated[
    LinearIndicator
    | BandsIndicator
    | TargetIndicator
    | RatioIndicator
    | ChecklistIndicator
    | CategoricalIndicator
    | GivenIndicator
    | CohortIndicator,
    Field(discriminator="method"),
]
"""Any indicator of a rubric: the registry's models, told apart by ``method:``."""

METHODS = tuple(REGISTRY)
COHORT_METHODS = tuple(name for name, method in REGISTRY.items() if method.cohort)
"""The methods every indicator of which is scored against the cohort (a ratio may be, by its
benchmark: see is_cohort)."""


def _union_matches_registry() -> None:
    members = set(get_args(get_args(Indicator)[0]))
    models = {method.model for method in REGISTRY.values()}
    if members != models:
        raise ImportError(f"the Indicator union and the registry disagree: {members ^ models}")


_union_matches_registry()


def method_of(indicator: Indicator) -> Method[Any]:
    """The method that scores this indicator."""
    return REGISTRY[indicator.method]


def is_cohort(indicator: Indicator) -> bool:
    """Whether this indicator is scored against the whole cohort."""
    return method_of(indicator).scores_against_cohort(indicator)


def moved_inputs(indicator: Indicator) -> tuple[str, ...]:
    """The inputs a park moves to change this indicator: those it reads, less its yardsticks."""
    yardsticks = method_of(indicator).references(indicator)
    return tuple(name for name in indicator.inputs if name not in yardsticks)
