"""The columns of a table that assessing it reads, for readers that can leave the others unread."""

from __future__ import annotations

from greenscore.engine.plan import compile_rubric
from greenscore.rubric import models as m


def table_columns(rubric: m.Rubric) -> tuple[list[str], list[str]]:
    """The columns an assessment needs (entity, inputs, pools, attributes) and those it reads
    when present (the period): what a projected Parquet read keeps."""
    plan = compile_rubric(rubric)
    needed = [rubric.entity, *plan.inputs, *rubric.pools, *rubric.attributes]
    return list(dict.fromkeys(needed)), [rubric.period]
