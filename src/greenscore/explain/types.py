"""Results of the gap search: per-indicator gaps, the combined improvement path, the tier gap."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from greenscore.engine.display import who
from greenscore.engine.inputs import profile_mapping
from greenscore.explain.display import (
    gap_html,
    gap_repr,
    indicator_gap_repr,
    path_repr,
    step_repr,
)
from greenscore.methods.base import fmt

Status = Literal["top", "vetoed", "capped", "blocked", "reachable", "unreachable"]


@dataclass(frozen=True)
class IndicatorGap:
    """What one indicator alone must change to lift the park into the next tier, or why it cannot.

    ``input`` is the raw input to change (the numerator input when the indicator reads a derived
    input ``via``); ``required`` is its value at the smallest sufficient change, exact to 1e-9;
    ``items`` are the checklist items to achieve.
    """

    indicator: str
    label: str
    method: str
    reachable: bool
    input: str | None
    via: str | None
    current: float | str | None
    required: float | str | None
    change: float | None
    items: tuple[str, ...]
    score: float | None
    score_after: float | None
    total_after: float | None
    tier_after: str | None
    verified: bool
    action: str
    reason: str
    text: str

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return indicator_gap_repr(self)


@dataclass(frozen=True)
class PathStep:
    """One indicator's part of a combined improvement path."""

    indicator: str
    label: str
    input: str | None
    via: str | None
    current: float | str | None
    required: float | str | None
    change: float | None
    items: tuple[str, ...]
    effort: float
    score: float | None
    score_after: float | None
    action: str
    text: str

    def __repr__(self) -> str:
        return step_repr(self)


@dataclass(frozen=True)
class ImprovementPath:
    """Changes to several inputs that together reach the next tier, verified by re-evaluation."""

    steps: tuple[PathStep, ...]
    changes: dict[str, Any]
    effort: float
    total_after: float
    tier_after: str
    method: str

    def apply(self, profile: Any) -> dict[str, Any]:
        """The profile with this path's changes applied, ready for ``evaluate``."""
        return {**profile_mapping(profile), **self.changes}

    def __repr__(self) -> str:
        return path_repr(self)


@dataclass(frozen=True)
class TierGap:
    """How far a park is from its next tier: per-indicator gaps and one improvement path."""

    entity: str | None
    period: str | None
    tier: str
    tier_label: str
    total: float
    target: str | None
    target_label: str | None
    target_min_score: float | None
    points_needed: float | None
    status: Status
    reason: str
    veto_requirements: tuple[str, ...]
    indicators: tuple[IndicatorGap, ...]
    path: ImprovementPath | None

    def indicator(self, indicator_id: str) -> IndicatorGap:
        return next(g for g in self.indicators if g.indicator == indicator_id)

    def to_dict(self) -> dict[str, Any]:
        """Plain data, JSON-ready."""
        return asdict(self)

    def explain(self) -> str:
        """The gap in words: what each indicator alone would need, then the improvement path."""
        head = f"{who(self.entity, self.period)}: {fmt(self.total)} → {self.tier_label or self.tier} ({self.tier})"
        lines = [head, f"  {self.reason}"]
        lines += [f"  veto: {text}" for text in self.veto_requirements]
        if self.indicators and self.status not in ("vetoed", "top"):
            lines.append("  each indicator alone:")
            lines += [f"    - {g.text}" for g in self.indicators]
        if self.path is not None:
            lines.append(
                f"  combined plan (total effort {fmt(self.path.effort, 3)}; verified: "
                f"{fmt(self.path.total_after)} → {self.path.tier_after}):"
            )
            lines += [f"    - {step.text}" for step in self.path.steps]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.explain()

    def __repr__(self) -> str:
        return gap_repr(self)

    def _repr_html_(self) -> str:
        return gap_html(self)
