"""Scoring methods, one module each, and the registry that is the only list of them.

This package sits below the rubric: it imports nothing from greenscore but ``errors``.
"""

from greenscore.methods.base import Context, GroupScorer, IndicatorBase, Method
from greenscore.methods.registry import (
    COHORT_METHODS,
    METHODS,
    REGISTRY,
    Indicator,
    is_cohort,
    method_of,
    moved_inputs,
)

__all__ = [
    "COHORT_METHODS",
    "METHODS",
    "REGISTRY",
    "Context",
    "GroupScorer",
    "Indicator",
    "IndicatorBase",
    "Method",
    "is_cohort",
    "method_of",
    "moved_inputs",
]
