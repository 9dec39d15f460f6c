"""A printable one-page notice per park: its score, tier, consequence and gap to the next tier,
with empty lines for the office's sign-off, date and the park's appeal."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from greenscore.engine import describe as words
from greenscore.io import atomic_write_text, ensure_not_input
from greenscore.report._announce import name_column
from greenscore.report._data import BatchLike, GapOrReason, entities, gaps, number
from greenscore.report._html import CSP, batch_period, environment


def render_notices(
    batch: BatchLike,
    *,
    gaps_by_entity: Mapping[str, GapOrReason] | None = None,
    with_gaps: bool = True,
) -> str:
    """One HTML document with one notice per scored park, in ranking order; printing starts each
    notice on a new page. Pass ``gaps_by_entity`` to reuse gaps already computed."""
    rubric = batch.rubric
    found = gaps_by_entity if gaps_by_entity is not None else (gaps(batch) if with_gaps else {})
    results = batch.results.set_index(batch.results[rubric.entity].astype(str))
    name = name_column(batch)
    attributes = [a for a in rubric.attributes if a in results.columns and a != name]
    tiers = {t.id: t for t in rubric.tiers}
    n = len(results)
    notices: list[dict[str, Any]] = []
    for entity in entities(batch):
        row: Any = results.loc[entity]
        tier = tiers[str(row["tier"])]
        gap = found.get(entity)
        notices.append(
            {
                "entity": entity,
                "name": None if name is None else row[name],
                "attributes": [(a, row[a]) for a in attributes],
                "total": number(row["total"]),
                "tier": words.title(tier),
                "rank": int(row["rank"]),
                "n": n,
                "consequence": words.consequence_text(
                    tier.consequence.kind,
                    tier.consequence.text,
                    words.consequence_values_text(rubric, tier.consequence.values),
                ),
                "gap": _gap_text(gap),
            }
        )
    period = batch_period(batch)
    return str(
        environment()
        .get_template("notices.html.j2")
        .render(
            csp=CSP,
            rubric=rubric,
            period=period,
            entity_column=rubric.entity,
            name_column=name,
            notices=notices,
            version=batch.provenance.greenscore_version,
        )
    )


def _gap_text(gap: GapOrReason | None) -> str | None:
    """The gap to the next tier in one sentence, or None when it was not computed."""
    if gap is None or isinstance(gap, str):
        return gap
    text = gap.reason.rstrip(".") + "."
    return text[:1].upper() + text[1:]


def write_notices(
    batch: BatchLike,
    path: str | os.PathLike[str],
    *,
    gaps_by_entity: Mapping[str, GapOrReason] | None = None,
    with_gaps: bool = True,
) -> Path:
    """Write the notices atomically as one printable HTML file; never over an input file."""
    ensure_not_input(path, *batch.provenance.inputs)
    text = render_notices(batch, gaps_by_entity=gaps_by_entity, with_gaps=with_gaps)
    return atomic_write_text(path, text)
