"""Load-time checks of numeric consequences: every value a tier carries is declared, once."""

from __future__ import annotations

from greenscore.errors import did_you_mean
from greenscore.rubric import models as m
from greenscore.rubric.yaml_values import format_path

PathKey = tuple[str | int, ...]


def consequence_problems(rubric: m.Rubric) -> list[tuple[PathKey, str]]:
    """Duplicate declarations in ``consequence_values`` and tier values naming an undeclared id,
    each with its path in the rubric document."""
    problems: list[tuple[PathKey, str]] = []
    declared: dict[str, int] = {}
    for i, spec in enumerate(rubric.consequence_values):
        if spec.id in declared:
            problems.append(
                (
                    ("consequence_values", i, "id"),
                    f"duplicate consequence value id {spec.id!r} "
                    f"(first at {format_path(('consequence_values', declared[spec.id], 'id'))})",
                )
            )
        else:
            declared[spec.id] = i
    for i, tier in enumerate(rubric.tiers):
        for key in tier.consequence.values:
            if key not in declared:
                if not declared:
                    hint = ": declare it in the rubric's consequence_values, with its unit"
                else:
                    hint = did_you_mean(key, declared) or f"; declared: {', '.join(declared)}"
                problems.append(
                    (
                        ("tiers", i, "consequence", "values", key),
                        f"undeclared consequence value {key!r}{hint}",
                    )
                )
    return problems
