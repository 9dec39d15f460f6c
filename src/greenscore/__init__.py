"""greenscore: score the green development of industrial parks against a YAML rubric."""

from greenscore.batch.assess import assess, lagged_columns
from greenscore.batch.calibrate import calibrate
from greenscore.batch.result import BatchResult
from greenscore.engine.evaluate import evaluate
from greenscore.engine.result import Assessment, DimensionResult, IndicatorResult, Tier, VetoResult
from greenscore.errors import (
    CohortRequiredError,
    GreenscoreError,
    InputFileError,
    ProfileError,
    RubricError,
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


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("greenscore")
    except PackageNotFoundError:
        return "0+unknown"


__version__ = _version()
