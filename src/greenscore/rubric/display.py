"""A rubric for notebooks: a one-line repr and its tree of dimensions, weights and methods."""

from __future__ import annotations

from typing import TYPE_CHECKING

from greenscore.io import display as d
from greenscore.methods import method_of
from greenscore.methods.base import fmt

if TYPE_CHECKING:
    from greenscore.rubric.models import Dimension, Rubric


def rubric_repr(r: Rubric) -> str:
    """Name, version and how many dimensions, indicators, vetoes and tiers, on one line."""
    counts = [
        (len(r.iter_dimensions()), "dimension", "dimensions"),
        (len(r.iter_indicators()), "indicator", "indicators"),
        (len(r.vetoes), "veto", "vetoes"),
        (len(r.tiers), "tier", "tiers"),
    ]
    listed = ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in counts)
    return d.one_line_repr(
        "Rubric", f"{d.shorten(r.name, 80)} {d.shorten(r.version, 20)}: {listed}"
    )


def _percent(share: float) -> str:
    return f"{fmt(share * 100, 1)}%"


def tree_rows(r: Rubric) -> list[list[object]]:
    """One row per dimension and indicator, parents first: name, weight within the parent,
    weight in the total, method (aggregation for a dimension) and the inputs read."""
    rows: list[list[object]] = []

    def walk(dims: list[Dimension], shares: dict[str, float], above: float, depth: int) -> None:
        for dim in dims:
            share = shares[dim.id]
            total = above * share
            rows.append(
                [
                    d.indented(d.strong(dim.label or dim.id), depth),
                    _percent(share),
                    _percent(total),
                    dim.aggregation,
                    "",
                ]
            )
            weights = dim.normalised_weights
            for ind in dim.indicators:
                rows.append(
                    [
                        d.indented(ind.label or ind.id, depth + 1),
                        _percent(weights[ind.id]),
                        _percent(total * weights[ind.id]),
                        d.titled(ind.method, method_of(ind).describe(ind)),
                        ", ".join(ind.inputs),
                    ]
                )
            walk(dim.dimensions, weights, total, depth + 1)

    walk(r.dimensions, r.normalised_weights, 1.0, 0)
    return rows


def rubric_html(r: Rubric) -> d.Html:
    """The rubric's tree of dimensions and indicators with weights and methods, its tiers and
    vetoes, as compact tables."""
    settings = [f"scale {fmt(r.scale.min)}–{fmt(r.scale.max)}"]
    if r.rounding is not None:
        places = r.rounding.decimals
        settings.append(f"total rounded to {places} decimal{'' if places == 1 else 's'}")
    settings.append(f"missing data: {r.missing}")
    settings.append(f"{len(r.inputs)} inputs, {len(r.derived)} derived")
    parts = [
        d.line(d.strong(r.name), f" {r.version}"),
        d.line(" · ".join(settings), small=True),
        d.table(
            ["", "weight", "of total", "method", "reads"],
            tree_rows(r),
            right=(1, 2),
        ),
        d.table(
            [
                "tier",
                "label",
                "up to" if r.total.better == "lower" else "from",
                "conditions",
                "consequence",
            ],
            [
                [
                    t.id,
                    t.label,
                    fmt(t.max_score if r.total.better == "lower" else t.min_score),
                    len(t.conditions) or "",
                    f"{t.consequence.kind}: {t.consequence.text}"
                    if t.consequence.text
                    else t.consequence.kind,
                ]
                for t in r.tiers
            ],
            right=(2, 3),
        ),
    ]
    if r.vetoes:
        parts.append(
            d.table(
                ["veto", "kind", "when", "tier or points"],
                [
                    [
                        v.id,
                        v.kind,
                        v.when or "",
                        v.tier
                        if v.tier is not None
                        else fmt(v.points)
                        if not isinstance(v.points, str)
                        else v.points,
                    ]
                    for v in r.vetoes
                ],
            )
        )
    return d.block("rubric", *parts)
