"""A short Markdown summary of a batch for quick sharing: tiers, distribution, leaders, vetoes."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from greenscore.engine.describe import (
    consequence_text,
    consequence_value_title,
    consequence_values_text,
    title,
)
from greenscore.io import atomic_write_text, ensure_not_input, escape_markdown
from greenscore.methods.base import fmt
from greenscore.report._announce import announced, dropped, group_table
from greenscore.report._data import BatchLike, group_column, number


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]], right: set[int]) -> list[str]:
    lines = ["| " + " | ".join(escape_markdown(h) for h in headers) + " |"]
    lines.append(
        "| " + " | ".join("---:" if i in right else "---" for i in range(len(headers))) + " |"
    )
    lines += ["| " + " | ".join(escape_markdown(v) for v in row) + " |" for row in rows]
    return lines


def _consequences(batch: BatchLike) -> list[str]:
    """Parks per value of each declared numeric consequence (e.g. how many pay each surcharge),
    with the tiers that carry it; nothing when the rubric declares none."""
    rubric = batch.rubric
    results = batch.results
    rows: list[list[Any]] = []
    labels = {t.id: title(t) for t in rubric.tiers}
    for spec in rubric.consequence_values:
        column = f"consequence.{spec.id}"
        for value in sorted(
            {v for t in rubric.tiers if (v := t.consequence.values.get(spec.id)) is not None}
        ):
            carrying = [t.id for t in rubric.tiers if t.consequence.values.get(spec.id) == value]
            count = int((results[column] == value).sum()) if column in results.columns else 0
            rows.append(
                [
                    consequence_value_title(spec),
                    fmt(value, 6),
                    count,
                    ", ".join(labels[t] for t in carrying),
                ]
            )
    if not rows:
        return []
    return [
        "",
        "## Consequences",
        "",
        *_table(["Consequence", "Value", rubric.noun.capitalize(), "Tiers"], rows, {1, 2}),
    ]


HEADINGS = {"reward": "Rewarded", "penalty": "Penalised", "failing": "Failing"}


def _announced(batch: BatchLike, name: str | None) -> list[str]:
    """The parks of each rewarded or penalised tier (and a failing bottom tier) with the tier's
    consequence, in ranking order."""
    lines: list[str] = []
    entity = batch.rubric.entity
    for found in announced(batch):
        lines += [
            "",
            f"## {HEADINGS[found.kind]}: {escape_markdown(found.label)} ({len(found.rows)})",
            "",
            escape_markdown(found.consequence),
        ]
        if found.rows:
            lines.append("")
            headers = ["Rank", entity, *([name] if name else []), "Total"]
            body = [
                [r["rank"], r["entity"], *([r["name"]] if name else []), number(r["total"])]
                for r in found.rows
            ]
            lines += _table(headers, body, {0, len(headers) - 1})
    return lines


def _dropped(batch: BatchLike, name: str | None) -> list[str]:
    """Parks scored last year that are absent or flagged this year (they leave no transition)."""
    table = dropped(batch)
    if table is None:
        return []
    previous = escape_markdown(getattr(batch, "previous_period", None))
    lines = ["", f"## Scored in {previous}, not scored now ({len(table)})", ""]
    if not len(table):
        return [*lines, "None: every park scored last year is scored this year."]
    entity = batch.rubric.entity
    headers = [entity, *([name] if name else []), f"Total in {previous}", f"Tier in {previous}"]
    body = [
        [
            r[entity],
            *([r["name"]] if name else []),
            number(r["previous_total"]),
            r["previous_tier"],
            "flagged: " + r["problems"]
            if r["status"] == "flagged"
            else "no row with this id in the data",
        ]
        for r in table.to_dict(orient="records")
    ]
    return lines + _table([*headers, "Why"], body, {len(headers) - 2})


def _groups(batch: BatchLike, group: str | None) -> list[str]:
    """Parks, mean total, tier counts and rank by mean total for each group (e.g. city)."""
    if group is None:
        return []
    table = group_table(batch, group)
    tiers = batch.rubric.tiers
    noun = batch.rubric.noun.capitalize()
    headers = ["Rank", group, noun, "Mean total", *(title(t) for t in tiers)]
    body = [
        [r["rank"], r[group], r["count"], number(r["mean_total"]), *(r[t.id] for t in tiers)]
        for r in table.to_dict(orient="records")
    ]
    right = {0, *range(2, len(headers))}
    return ["", f"## By {escape_markdown(group)}", "", *_table(headers, body, right)]


def render_markdown(batch: BatchLike, *, top: int = 10, group_by: str | None = None) -> str:
    """Tier counts, score distribution, transitions and parks dropped since last year, averages
    and ranks by group, the top parks, the rewarded, penalised and failing ones, and the vetoed
    ones; every data value (names, ids, labels, periods) escaped as inert Markdown text."""
    rubric = batch.rubric
    results = batch.results
    prov = batch.provenance
    period = getattr(batch, "period", None)
    previous = getattr(batch, "previous_period", None)
    n = len(results)
    name = next((a for a in rubric.attributes if "name" in a.lower()), None)
    heading = escape_markdown(period) if period is not None else "results"
    lines = [f"# {escape_markdown(rubric.name)}: {heading}", ""]
    compared = f", compared with {escape_markdown(previous)}" if previous is not None else ""
    noun = batch.rubric.noun
    lines.append(
        f"{n} {noun} scored{compared}; {len(batch.flagged)} flagged problems in the input."
    )
    lines += ["", "## Tiers", ""]
    counts = results["tier"].value_counts()
    previous_counts = (
        results["previous_tier"].value_counts() if "previous_tier" in results.columns else None
    )
    lower = rubric.total.better == "lower"
    bound = "Maximum" if lower else "Minimum"
    headers = ["Tier", bound, rubric.noun.capitalize(), "Share", "Consequence"]
    if previous_counts is not None:
        headers.insert(3, f"In {previous}")
    rows = []
    for t in rubric.tiers:
        count = int(counts.get(t.id, 0))
        row: list[Any] = [
            title(t),
            fmt(t.max_score if lower else t.min_score),
            count,
            f"{100 * count / n:.1f}%" if n else "—",
            consequence_text(
                t.consequence.kind,
                t.consequence.text,
                consequence_values_text(rubric, t.consequence.values),
            ),
        ]
        if previous_counts is not None:
            row.insert(3, int(previous_counts.get(t.id, 0)))
        rows.append(row)
    lines += _table(headers, rows, {1, 2, 3} | ({4} if previous_counts is not None else set()))
    lines += _consequences(batch)
    total = results["total"].astype(float)
    if n:
        lines += [
            "",
            f"Total score: mean {number(total.mean())}, median {number(total.median())}, "
            f"range {number(total.min())}–{number(total.max())}.",
        ]
    if batch.transitions is not None:
        moves = batch.transitions
        labels = {t.id: title(t) for t in rubric.tiers}
        lines += [
            "",
            f"## Tier transitions from {escape_markdown(previous)} (rows) "
            f"to {escape_markdown(period)} (columns)",
            "",
        ]
        body = [
            [labels.get(str(i), str(i)), *map(int, row)]
            for i, row in zip(moves.index, moves.to_numpy(), strict=True)
            if row.sum() or str(i) in labels
        ]
        headers = [f"tier in {previous}", *(labels.get(str(c), str(c)) for c in moves.columns)]
        lines += _table(headers, body, set(range(1, moves.shape[1] + 1)))
    lines += _dropped(batch, name)
    lines += _groups(batch, group_column(batch, group_by))
    pooled = "overall_rank" in results.columns
    order = "overall_rank" if pooled else "rank"
    ordered = results.sort_values([order, rubric.entity], kind="stable", na_position="last")
    lines += ["", f"## Top {min(top, n)}", ""]
    headers = ["Rank", rubric.entity, *([name] if name else [])]
    headers += ["Pool", "Rank in pool"] if pooled else []
    headers += ["Total", "Tier"]
    body = [
        [
            "—" if pd.isna(r[order]) else int(r[order]),
            r[rubric.entity],
            *([r[name]] if name else []),
            *([r["pool"], "—" if pd.isna(r["rank"]) else int(r["rank"])] if pooled else []),
            number(r["total"]),
            r["tier_label"],
        ]
        for _, r in ordered.head(top).iterrows()
    ]
    numeric = {0, len(headers) - 2} | ({len(headers) - 3} if pooled else set())
    lines += _table(headers, body, numeric)
    lines += _announced(batch, name)
    vetoed = ordered[ordered["vetoes"].astype(str) != ""] if "vetoes" in ordered.columns else None
    if vetoed is not None and len(vetoed):
        titles = {v.id: title(v) for v in rubric.vetoes}
        bonus = any(v.kind == "bonus" for v in rubric.vetoes)
        lines += ["", f"## Vetoes{', deductions and bonuses' if bonus else ' and deductions'}", ""]
        body = [
            [
                r[rubric.entity],
                *([r[name]] if name else []),
                ", ".join(titles.get(v, v) for v in str(r["vetoes"]).split(";") if v),
                r["tier_label"],
            ]
            for _, r in vetoed.iterrows()
        ]
        lines += _table([rubric.entity, *([name] if name else []), "Vetoes", "Tier"], body, set())
    source = escape_markdown(Path(prov.input_path).name) if prov.input_path else "in-memory data"
    lines += [
        "",
        "---",
        "",
        f"Rubric {escape_markdown(rubric.name)} {escape_markdown(rubric.version)} "
        f"(sha256 `{prov.rubric_sha256}`); "
        f"input {source} "
        f"(sha256 `{prov.input_sha256 or '—'}`); greenscore {prov.greenscore_version}; "
        f"created {prov.created_at}.",
        "",
    ]
    return "\n".join(lines)


def write_markdown(
    batch: BatchLike,
    path: str | os.PathLike[str],
    *,
    top: int = 10,
    group_by: str | None = None,
) -> Path:
    """Write the Markdown summary atomically (UTF-8)."""
    ensure_not_input(path, *batch.provenance.inputs)
    return atomic_write_text(path, render_markdown(batch, top=top, group_by=group_by))
