"""The HTML report: one self-contained, printable file with inline SVG charts and no fetches."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from greenscore.engine import describe as words
from greenscore.engine.result import Assessment
from greenscore.errors import OptionalDependencyError
from greenscore.io import atomic_write_text, ensure_not_input
from greenscore.methods.base import fmt
from greenscore.report import _charts as charts
from greenscore.report._announce import announced, dropped, group_table
from greenscore.report._data import (
    BatchLike,
    GapOrReason,
    assessments,
    dimension_floor,
    gaps,
    group_column,
    number,
    pool_sizes,
    rank_of,
)
from greenscore.rubric import models as m

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def environment() -> Any:
    """The report templates' jinja2 environment: autoescaping, strict, with the number filters."""
    try:
        import jinja2
    except ImportError as e:
        raise OptionalDependencyError("jinja2", "report", "the HTML report") from e
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("greenscore.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = number
    env.filters["fmt"] = fmt
    env.filters["pct"] = lambda x, digits=1: number(None if x is None else 100 * x, digits) + "%"
    env.filters["signed"] = _signed
    env.globals["consequence_text"] = words.consequence_text
    return env


def _signed(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    x = float(value)
    if x == 0:
        return f"{0:.{digits}f}"
    return f"{'+' if x > 0 else '−'}{abs(x):.{digits}f}"


def render_html(
    batch: BatchLike,
    *,
    group_by: str | None = None,
    gaps_by_entity: Mapping[str, GapOrReason] | None = None,
    with_gaps: bool = True,
    title: str | None = None,
) -> str:
    """The report as one HTML document (UTF-8 text).

    ``group_by`` names the column to count tiers by (default: the first grouping attribute, e.g.
    city); pass ``gaps_by_entity`` to reuse gaps already computed, or ``with_gaps=False`` to
    leave the gap sections out.
    """
    env = environment()
    chosen = assessments(batch)
    if gaps_by_entity is None and with_gaps:
        gaps_by_entity = gaps(batch, chosen)
    context = _context(batch, chosen, gaps_by_entity or {}, group_by, title)
    return str(env.get_template("report.html.j2").render(**context))


def write_html(
    batch: BatchLike,
    path: str | os.PathLike[str],
    *,
    group_by: str | None = None,
    gaps_by_entity: Mapping[str, GapOrReason] | None = None,
    with_gaps: bool = True,
    title: str | None = None,
) -> Path:
    """Write the HTML report atomically; refuses to overwrite the assessment's input file."""
    ensure_not_input(path, *batch.provenance.inputs)
    text = render_html(
        batch,
        group_by=group_by,
        gaps_by_entity=gaps_by_entity,
        with_gaps=with_gaps,
        title=title,
    )
    return atomic_write_text(path, text)


def _context(
    batch: BatchLike,
    chosen: Mapping[str, Assessment],
    found: Mapping[str, GapOrReason],
    group_by: str | None,
    title: str | None,
) -> dict[str, Any]:
    rubric = batch.rubric
    results = batch.results.set_index(batch.results[rubric.entity].astype(str))
    tiers = rubric.tiers
    fills = dict(zip([t.id for t in tiers], charts.tier_colours(len(tiers)), strict=True))
    colours = {
        tier: f"background: {fill}; color: {charts.ink_on(fill)}" for tier, fill in fills.items()
    }
    group = group_column(batch, group_by)
    name_column = next((a for a in rubric.attributes if "name" in a.lower()), None)
    anchors = {entity: f"park-{i + 1}" for i, entity in enumerate(chosen)}
    period = batch_period(batch)
    previous = getattr(batch, "previous_period", None)
    ranking = [
        _ranking_row(results.loc[e], e, anchors[e], name_column, group, colours) for e in chosen
    ]
    overview = _overview(batch, group, fills, colours)
    parks = _parks(batch, chosen, found, results, anchors, name_column, fills, colours)
    prov = batch.provenance
    return {
        "title": title or f"{rubric.name} — {period or 'results'}",
        "csp": CSP,
        "rubric": rubric,
        "period": period,
        "previous_period": previous,
        "entity_column": rubric.entity,
        "group": group,
        "name_column": name_column,
        "ranking": ranking,
        "tier_labels": {t.id: words.title(t) for t in tiers},
        "veto_labels": {v.id: words.title(v) for v in rubric.vetoes},
        "has_previous": "score_change" in batch.results.columns,
        "bound": "Maximum" if rubric.total.better == "lower" else "Minimum",
        "overview": overview,
        "announced": announced(batch),
        "anchors": anchors,
        "dropped": _records(dropped(batch)),
        "group_rows": None if group is None else _records(group_table(batch, group)),
        "parks": parks,
        "flagged": batch.flagged.to_dict(orient="records"),
        "method": _methodology(rubric),
        "provenance": [
            ("Rubric", f"{prov.rubric_name} {prov.rubric_version}"),
            ("Rubric sha256", prov.rubric_sha256),
            ("Input file", prov.input_path or "—"),
            ("Input sha256", prov.input_sha256 or "—"),
            ("greenscore version", prov.greenscore_version),
            ("Created (UTC)", prov.created_at),
        ],
        "created": prov.created_at[:10],
        "version": prov.greenscore_version,
        "input_name": os.path.basename(prov.input_path) if prov.input_path else "in-memory data",
    }


def _records(table: Any) -> list[dict[str, Any]] | None:
    return None if table is None else list(table.to_dict(orient="records"))


def batch_period(batch: BatchLike) -> Any:
    """The assessed period: the batch's own, or the period column of its first result row."""
    period = getattr(batch, "period", None)
    if period is None and len(batch.results) and batch.rubric.period in batch.results.columns:
        period = batch.results[batch.rubric.period].iloc[0]
    return period


def _value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value.item() if hasattr(value, "item") else value


def _ranking_row(
    row: Any,
    entity: str,
    anchor: str,
    name_column: str | None,
    group: str | None,
    colours: Mapping[str, str],
) -> dict[str, Any]:
    return {
        "entity": entity,
        "anchor": anchor,
        "name": _value(row[name_column]) if name_column else None,
        "group": _value(row[group]) if group else None,
        "total": float(row["total"]),
        "tier": row["tier"],
        "tier_label": row["tier_label"],
        "colour": colours[row["tier"]],
        "rank": rank_of(row),
        "change": _value(row.get("score_change")),
        "previous_tier": _value(row.get("previous_tier")),
    }


def _overview(
    batch: BatchLike, group: str | None, fills: Mapping[str, str], colours: Mapping[str, str]
) -> dict[str, Any]:
    rubric = batch.rubric
    results = batch.results
    ids = [t.id for t in rubric.tiers]
    counts = results["tier"].value_counts()
    previous_counts = (
        results["previous_tier"].value_counts() if "previous_tier" in results.columns else None
    )
    n = len(results)
    tiers = [
        {
            "id": t.id,
            "label": words.title(t),
            "min_score": t.min_score if t.max_score is None else t.max_score,
            "kind": t.consequence.kind,
            "consequence": t.consequence.text,
            "values": words.consequence_values_text(rubric, t.consequence.values),
            "count": int(counts.get(t.id, 0)),
            "share": counts.get(t.id, 0) / n if n else 0.0,
            "previous": None if previous_counts is None else int(previous_counts.get(t.id, 0)),
            "colour": colours[t.id],
        }
        for t in rubric.tiers
    ]
    totals = results["total"].astype(float).tolist()
    histogram = charts.histogram(
        totals,
        [
            (words.title(t), bound)
            for t in rubric.tiers
            if (bound := t.min_score if t.max_score is None else t.max_score) is not None
        ],
        _axis(rubric, totals),
    )
    grouped: dict[str, Any] | None = None
    if group is not None:
        labels = results[group].astype(object).where(results[group].notna(), "—").astype(str)
        names = sorted(labels.unique())
        table = np.zeros((len(names), len(ids)), dtype=int)
        where = {g: i for i, g in enumerate(names)}
        tier_at = {t: i for i, t in enumerate(ids)}
        for g, t in zip(labels, results["tier"], strict=True):
            table[where[g], tier_at[t]] += 1
        grouped = {
            "name": group,
            "svg": charts.tier_groups(
                names, table, [str(t["label"]) for t in tiers], [fills[i] for i in ids], group
            ),
            "rows": [
                (g, [int(c) for c in table[i]], int(table[i].sum())) for i, g in enumerate(names)
            ],
        }
    transitions: dict[str, Any] | None = None
    if batch.transitions is not None:
        t = batch.transitions
        keep = [i for i, row in zip(t.index, t.to_numpy(), strict=True) if row.sum() or i in ids]
        labels_by_id = {tier.id: words.title(tier) for tier in rubric.tiers}
        transitions = {
            "columns": [labels_by_id.get(str(c), str(c)) for c in t.columns],
            "rows": [
                (labels_by_id.get(str(i), str(i)), [int(v) for v in t.loc[i].to_numpy()])
                for i in keep
            ],
        }
    stats = results["total"].astype(float).describe()
    return {
        "scored": n,
        "flagged_rows": int(batch.flagged["row"].nunique()) if len(batch.flagged) else 0,
        "tiers": tiers,
        "histogram": _markup(histogram),
        "grouped": None if grouped is None else {**grouped, "svg": _markup(grouped["svg"])},
        "transitions": transitions,
        "stats": {k: float(v) for k, v in stats.items() if k != "count"},
    }


def _axis(rubric: m.Rubric, scores: list[float]) -> tuple[float, float]:
    """The scale, widened to the scores shown where a rubric without a floor or ceiling (or an
    uncapped indicator) lets them leave it, so that no park falls off a chart."""
    finite = [x for x in scores if math.isfinite(x)]
    low, high = rubric.scale.min, rubric.scale.max
    return min([low, *finite]), max([high, *finite])


def _markup(svg: str) -> Any:
    from markupsafe import Markup

    return Markup(svg)


def _parks(
    batch: BatchLike,
    chosen: Mapping[str, Assessment],
    found: Mapping[str, GapOrReason],
    results: Any,
    anchors: Mapping[str, str],
    name_column: str | None,
    fills: Mapping[str, str],
    colours: Mapping[str, str],
) -> list[dict[str, Any]]:
    rubric = batch.rubric
    paths = rubric.iter_dimensions()
    labels = [words.title(d) for _, d in paths]
    depths = [len(path) - 1 for path, _ in paths]
    means = [
        float(np.nanmean(batch.results[f"dim.{d.id}"].to_numpy(dtype=float)))
        if f"dim.{d.id}" in batch.results.columns and len(batch.results)
        else math.nan
        for _, d in paths
    ]
    floor = dimension_floor(rubric)
    shown = [f"dim.{d.id}" for _, d in paths if f"dim.{d.id}" in batch.results.columns]
    chart = charts.DimensionChart(
        labels,
        depths,
        means,
        _axis(rubric, batch.results[shown].to_numpy(dtype=float).ravel().tolist()),
        None if floor is None else floor[1],
    )
    dim_labels = {d.id: words.title(d) for _, d in paths}
    attributes = [a for a in rubric.attributes if a in results.columns and a != name_column]
    sizes = pool_sizes(batch.results)
    parks = []
    for entity, a in chosen.items():
        row = results.loc[entity]
        gap = found.get(entity)
        parks.append(
            {
                "entity": entity,
                "anchor": anchors[entity],
                "assessment": a,
                "name": _value(row[name_column]) if name_column else None,
                "attributes": [(attr, _value(row[attr])) for attr in attributes],
                "rank": rank_of(row),
                "n": sizes.get(_value(row.get("pool")), 0),
                "pool": _value(row.get("pool")),
                "colour": colours[a.tier.id],
                "previous_total": _value(row.get("previous_total")),
                "score_change": _value(row.get("score_change")),
                "previous_tier": _value(row.get("previous_tier")),
                "rank_change": _value(row.get("rank_change")),
                "score_tier": a.score_tier,
                "chart": _markup(
                    chart.svg([d.score for d in a.dimensions], fills[a.tier.id], anchors[entity])
                ),
                "dimensions": [
                    {
                        "label": dim_labels.get(d.id, d.id),
                        "depth": d.path.count("/"),
                        "score": d.score,
                        "weight": d.effective_weight,
                        "contribution": d.contribution,
                    }
                    for d in a.dimensions
                ],
                "indicators": [_indicator_row(i, dim_labels) for i in a.indicators],
                "gap": gap if not isinstance(gap, str) else None,
                "gap_error": gap if isinstance(gap, str) else None,
            }
        )
    return parks


def _indicator_row(ind: Any, dim_labels: Mapping[str, str]) -> dict[str, Any]:
    if ind.checklist_items is not None and ind.value is not None:
        value = f"{fmt(float(ind.value))} of {ind.checklist_items}"
    elif isinstance(ind.value, str):
        value = ind.value
    else:
        value = fmt(ind.value)
    return {
        "label": ind.label or ind.id,
        "dimension": dim_labels.get(ind.dimension, ind.dimension),
        "value": value,
        "unit": ind.unit,
        "method": ind.method,
        "score": ind.score,
        "weight": ind.weight,
        "contribution": ind.contribution,
        "treatment": ind.treatment,
    }


def _methodology(rubric: m.Rubric) -> dict[str, Any]:
    weights = words.weights_in_total(rubric)
    dims = []
    for path, dim in rubric.iter_dimensions():
        local = dim.normalised_weights
        dims.append(
            {
                "id": dim.id,
                "label": words.title(dim),
                "depth": len(path) - 1,
                "rule": words.dimension_rule(dim),
                "weight": weights[dim.id],
                "indicators": [
                    {
                        "id": ind.id,
                        "label": ind.label or ind.id,
                        "inputs": ", ".join(ind.inputs),
                        "unit": ind.unit,
                        "method": words.method_sentence(ind, rubric),
                        "local": local[ind.id],
                        "weight": weights[ind.id],
                        "missing": words.missing_rule(ind, rubric),
                        "description": ind.description,
                    }
                    for ind in dim.indicators
                ],
            }
        )
    inputs = []
    for spec in rubric.inputs:
        inputs.append(
            {
                "id": spec.id,
                "label": spec.label,
                "type": spec.type,
                "unit": spec.unit,
                "allowed": words.input_values(spec),
                "required": spec.required,
            }
        )
    return {
        "dimensions": dims,
        "inputs": inputs,
        "derived": [
            {
                "id": d.id,
                "label": d.label,
                "unit": d.unit,
                "formula": words.derived_rule(d),
            }
            for d in rubric.derived
        ],
        "vetoes": [
            {
                "id": v.id,
                "label": words.title(v),
                "when": v.when or "always",
                "effect": words.veto_effect(v.kind, v.tier, v.points, cap=v.cap),
                "reason": v.reason,
            }
            for v in rubric.vetoes
        ],
        "tiers": [
            {
                "id": t.id,
                "label": words.title(t),
                "min_score": t.min_score if t.max_score is None else t.max_score,
                "conditions": [words.condition_text(c) for c in t.conditions],
                "kind": t.consequence.kind,
                "consequence": t.consequence.text,
                "values": words.consequence_values_text(rubric, t.consequence.values),
            }
            for t in rubric.tiers
        ],
        "total_rule": words.total_rule(rubric),
    }
