"""Put rubrics (and the engine) under test: hypothesis strategies, consistency checks and lint.

Needs the ``testing`` extra (``pip install 'greenscore[testing]'``) for hypothesis.
"""

from greenscore.errors import OptionalDependencyError

try:
    import hypothesis  # noqa: F401
except ImportError as exc:  # pragma: no cover
    raise OptionalDependencyError("hypothesis", "testing", "greenscore.testing") from exc

from greenscore.testing._context import RubricContext, context_for
from greenscore.testing._lint import LINT_CODES, Finding, lint
from greenscore.testing._properties import PROPERTIES, Property, Violation
from greenscore.testing._report import (
    DEFAULT_MAX_EXAMPLES,
    Check,
    ConsistencyReport,
    allowances,
    assert_consistent,
    check_rubric,
)
from greenscore.testing._strategies import frames, profiles, rubric_documents, rubrics

__all__ = [
    "DEFAULT_MAX_EXAMPLES",
    "LINT_CODES",
    "PROPERTIES",
    "Check",
    "ConsistencyReport",
    "Finding",
    "Property",
    "RubricContext",
    "Violation",
    "allowances",
    "assert_consistent",
    "check_rubric",
    "context_for",
    "frames",
    "lint",
    "profiles",
    "rubric_documents",
    "rubrics",
]
