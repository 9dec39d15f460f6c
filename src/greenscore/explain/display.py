"""A tier gap for notebooks: one-line reprs and compact HTML of the gap and its plan."""

from __future__ import annotations

from typing import TYPE_CHECKING

from greenscore.engine.display import who
from greenscore.io import display as d
from greenscore.methods.base import fmt

if TYPE_CHECKING:
    from greenscore.explain.types import ImprovementPath, IndicatorGap, PathStep, TierGap


def shown(value: float | str | None) -> str:
    """A current or required input value as people read it."""
    return value if isinstance(value, str) else fmt(value)


def change_text(
    input_name: str | None, current: float | str | None, required: float | str | None
) -> str:
    """'input a → b', or '' when nothing names the change."""
    if input_name is None:
        return ""
    return f"{input_name} {shown(current)} → {shown(required)}"


def gap_repr(g: TierGap) -> str:
    """Who, total and tier, the next tier and the points short, and the status, on one line."""
    head = f"{d.shorten(who(g.entity, g.period), 60)}: {fmt(g.total)} {d.shorten(g.tier)}"
    if g.target is not None:
        head += f" → {d.shorten(g.target)}"
        if g.points_needed is not None and g.points_needed > 0:
            head += f", {fmt(g.points_needed)} points short"
    return d.one_line_repr("TierGap", f"{head} ({g.status})")


def indicator_gap_repr(g: IndicatorGap) -> str:
    """The indicator and the change that alone reaches the next tier, or 'not reachable'."""
    if not g.reachable:
        return d.one_line_repr("IndicatorGap", f"{g.indicator}: not reachable alone")
    change = change_text(g.input, g.current, g.required) or ", ".join(g.items)
    after = f", total {fmt(g.total_after)} → {g.tier_after}" if g.total_after is not None else ""
    return d.one_line_repr("IndicatorGap", f"{g.indicator}: {change}{after}")


def step_repr(s: PathStep) -> str:
    """The indicator, its change and its effort on one line."""
    change = change_text(s.input, s.current, s.required) or ", ".join(s.items)
    return d.one_line_repr("PathStep", f"{s.indicator}: {change}, effort {fmt(s.effort, 3)}")


def path_repr(p: ImprovementPath) -> str:
    """How many steps, their effort and the verified outcome on one line."""
    steps = f"{len(p.steps)} step{'s' if len(p.steps) != 1 else ''}"
    return d.one_line_repr(
        "ImprovementPath",
        f"{steps}, effort {fmt(p.effort, 3)}, verified {fmt(p.total_after)} → {p.tier_after}",
    )


def gap_html(g: TierGap) -> d.Html:
    """The gap in a few lines, the combined plan and what each indicator alone would need."""
    parts = [
        d.line(
            d.strong(who(g.entity, g.period)),
            f": {fmt(g.total)} → ",
            d.strong(g.tier_label or g.tier),
            f" ({g.tier})",
        ),
        d.line(f"{g.status}: {g.reason}"),
    ]
    parts += [d.line(f"veto: {text}") for text in g.veto_requirements]
    if g.path is not None:
        p = g.path
        parts.append(
            d.table(
                ["indicator", "change", "score", "effort"],
                [
                    [
                        s.label or s.indicator,
                        s.action,
                        f"{fmt(s.score, 2)} → {fmt(s.score_after, 2)}",
                        fmt(s.effort, 3),
                    ]
                    for s in p.steps
                ],
                right=(2, 3),
                caption=(
                    f"Combined plan: effort {fmt(p.effort, 3)}, verified "
                    f"{fmt(p.total_after)} → {p.tier_after}"
                ),
            )
        )
    if g.indicators and g.status not in ("vetoed", "top"):
        ordered = sorted(g.indicators, key=lambda i: not i.reachable)
        parts.append(
            d.table(
                ["indicator", "now", "alone", "total after"],
                [
                    [
                        i.label or i.indicator,
                        shown(i.current),
                        i.action if i.reachable else i.reason,
                        "" if i.total_after is None else f"{fmt(i.total_after)} → {i.tier_after}",
                    ]
                    for i in ordered
                ],
                right=(1, 3),
                caption="Each indicator alone",
            )
        )
    return d.block("gap", *parts)
