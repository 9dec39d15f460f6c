"""greenscore: score the green development of industrial parks against a YAML rubric."""

from greenscore.errors import GreenscoreError, ProfileError, RubricError

__all__ = ["GreenscoreError", "ProfileError", "RubricError"]
