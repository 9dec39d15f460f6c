"""greenscore: score the green development of industrial parks against a YAML rubric.

The public names are imported on first use (PEP 562), so that ``import greenscore`` and the
``greenscore`` command start without loading pandas, numpy or the report libraries.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from greenscore.errors import (
    CohortRequiredError,
    GreenscoreError,
    InputFileError,
    ProfileError,
    RubricError,
)

if TYPE_CHECKING:
    from greenscore.batch.assess import assess, lagged_columns
    from greenscore.batch.calibrate import calibrate
    from greenscore.batch.result import BatchResult
    from greenscore.engine.evaluate import evaluate
    from greenscore.engine.result import (
        Assessment,
        DimensionResult,
        IndicatorResult,
        Tier,
        VetoResult,
    )
    from greenscore.explain.gap import next_tier_gap
    from greenscore.explain.types import ImprovementPath, IndicatorGap, PathStep, TierGap
    from greenscore.rubric.load import default_rubric, load_rubric, rubric_sha256, rubric_yaml
    from greenscore.rubric.models import Rubric

__all__ = [
    "Assessment",
    "BatchResult",
    "CohortRequiredError",
    "DimensionResult",
    "GreenscoreError",
    "ImprovementPath",
    "IndicatorGap",
    "IndicatorResult",
    "InputFileError",
    "PathStep",
    "ProfileError",
    "Rubric",
    "RubricError",
    "Tier",
    "TierGap",
    "VetoResult",
    "__version__",
    "assess",
    "calibrate",
    "default_rubric",
    "evaluate",
    "lagged_columns",
    "load_rubric",
    "next_tier_gap",
    "rubric_sha256",
    "rubric_yaml",
]

_HOMES = {
    "assess": "greenscore.batch.assess",
    "lagged_columns": "greenscore.batch.assess",
    "calibrate": "greenscore.batch.calibrate",
    "BatchResult": "greenscore.batch.result",
    "evaluate": "greenscore.engine.evaluate",
    "Assessment": "greenscore.engine.result",
    "DimensionResult": "greenscore.engine.result",
    "IndicatorResult": "greenscore.engine.result",
    "Tier": "greenscore.engine.result",
    "VetoResult": "greenscore.engine.result",
    "next_tier_gap": "greenscore.explain.gap",
    "ImprovementPath": "greenscore.explain.types",
    "IndicatorGap": "greenscore.explain.types",
    "PathStep": "greenscore.explain.types",
    "TierGap": "greenscore.explain.types",
    "default_rubric": "greenscore.rubric.load",
    "load_rubric": "greenscore.rubric.load",
    "rubric_sha256": "greenscore.rubric.load",
    "rubric_yaml": "greenscore.rubric.load",
    "Rubric": "greenscore.rubric.models",
}


def __getattr__(name: str) -> Any:
    """A public name imported from its home module on first use, then kept as a module global."""
    if name == "__version__":
        value: Any = _version()
    elif name in _HOMES:
        value = getattr(import_module(_HOMES[name]), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("greenscore")
    except PackageNotFoundError:
        return "0+unknown"
