"""An Assessment for notebooks: its one-row-per-indicator frame and its compact HTML."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from greenscore.engine.describe import consequence_text, veto_effect
from greenscore.engine.inputs import PeriodKey
from greenscore.io import display as d
from greenscore.methods.base import fmt

if TYPE_CHECKING:
    from greenscore.engine.result import Assessment

TOP_CONTRIBUTIONS = 5
"""How many indicators the HTML lists under its top contributions."""

FRAME_COLUMNS = [
    "indicator",
    "label",
    "dimension",
    "method",
    "value",
    "unit",
    "normalised",
    "score",
    "weight",
    "contribution",
    "treatment",
]
"""The columns of ``Assessment.to_frame()``, in order."""


def who(entity: str | None, period: PeriodKey | None) -> str:
    """The entity and period of a result as people name it, or 'profile' for neither."""
    return " ".join(str(x) for x in (entity, period) if x not in (None, "")) or "profile"


def value_text(value: float | str | None, unit: str, checklist_items: int | None = None) -> str:
    """A raw value with its unit ('3 of 4 items' for a checklist), or 'not reported'."""
    if value is None:
        return "not reported"
    if checklist_items is not None and not isinstance(value, str):
        return f"{fmt(value)} of {checklist_items} items"
    text = value if isinstance(value, str) else fmt(value)
    return f"{text} {unit}".strip()


def assessment_frame(a: Assessment) -> pd.DataFrame:
    """One row per indicator in rubric order, with the columns of :data:`FRAME_COLUMNS`."""
    rows = [
        [
            i.id,
            i.label,
            i.dimension,
            i.method,
            i.value,
            i.unit,
            i.normalised,
            i.score,
            i.weight,
            i.contribution,
            i.treatment,
        ]
        for i in a.indicators
    ]
    frame = pd.DataFrame(rows, columns=FRAME_COLUMNS)
    frame["value"] = frame["value"].astype(object)
    for name in ("normalised", "score", "weight", "contribution"):
        frame[name] = frame[name].astype(float)
    return frame


def assessment_html(a: Assessment) -> d.Html:
    """Total, tier and consequence, vetoes, a bar per dimension and the top contributions."""
    lo, hi = a.scale
    tier = a.tier
    parts = [
        d.line(
            d.strong(who(a.entity, a.period)),
            ": ",
            d.strong(fmt(a.total)),
            f" / {fmt(hi)} → ",
            d.strong(tier.label or tier.id, tone=tier.consequence_kind),
            f" ({tier.id})",
        ),
        d.line(
            consequence_text(tier.consequence_kind, tier.consequence, tier.consequence_values_text)
        ),
    ]
    if a.deductions:
        parts.append(d.line(f"weighted score {fmt(a.raw_total)} − deductions {fmt(a.deductions)}"))
    if a.score_tier != tier.id:
        parts.append(
            d.line(
                f"the score alone reaches tier {a.score_tier!r}; {a.tier_change_cause} changed it"
            )
        )
    parts += [
        d.line(f"veto {v.id} ({veto_effect(v.kind, v.tier, v.points)}): {v.reason}")
        for v in a.vetoes
    ]
    parts.append(
        d.table(
            ["dimension", "score", "", "of total", "contributes"],
            [
                [
                    d.indented(dim.label or dim.id, dim.path.count("/")),
                    fmt(dim.score, 2),
                    d.bar(float("nan") if dim.score is None else (dim.score - lo) / (hi - lo)),
                    f"{fmt(dim.effective_weight * 100, 1)}%",
                    fmt(dim.contribution, 2),
                ]
                for dim in a.dimensions
            ],
            right=(1, 3, 4),
        )
    )
    top = sorted(a.indicators, key=lambda i: -i.contribution)[:TOP_CONTRIBUTIONS]
    parts.append(
        d.table(
            ["indicator", "value", "score", "contributes"],
            [
                [
                    i.label or i.id,
                    value_text(i.value, i.unit, i.checklist_items),
                    "dropped" if i.score is None else fmt(i.score, 2),
                    fmt(i.contribution, 2),
                ]
                for i in top
            ],
            right=(2, 3),
            caption=f"Top {len(top)} contributions of {len(a.indicators)} indicators",
        )
    )
    parts.append(
        d.line(
            f"rubric {a.rubric_name} {a.rubric_version} (sha256 {a.rubric_sha256[:12]}…)",
            small=True,
        )
    )
    return d.block("assessment", *parts)
