"""Import optional dependencies of the I/O layer, turning ImportError into an actionable message."""

from __future__ import annotations

import importlib
from types import ModuleType

from greenscore.errors import OptionalDependencyError


def require(module: str, feature: str) -> ModuleType:
    """Import ``module`` or raise OptionalDependencyError naming the pip extra that provides it."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise OptionalDependencyError(module.split(".")[0], "io", feature) from e
