"""Track-record rules: what a rubric says about an entity's results over several periods.

A rule reads the engine's own earlier results (tier, rank, places from the bottom, total,
dimension scores, vetoes) through a track formula (rubric/track_formula.py) and gives an honour
title, a star level, consequence values (an escalation step), a forced tier or a removal flag.
The models live here; the load-time checks too; evaluation is in batch/track.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from greenscore.errors import did_you_mean
from greenscore.methods.base import Finite, Identifier, _Model
from greenscore.rubric.formula import FormulaError
from greenscore.rubric.track_formula import TrackFormula, parse_track_formula

if TYPE_CHECKING:
    from greenscore.rubric.models import Rubric

__all__ = [
    "Combine",
    "NewEntities",
    "Track",
    "TrackEffect",
    "TrackRule",
    "gives_text",
    "period_names",
    "rule_text",
    "track_problems",
]

Combine = Literal["highest", "sum"]
NewEntities = Literal["skip", "record_so_far"]
PathKey = tuple[str | int, ...]


class TrackEffect(_Model):
    """What a rule gives an entity when it fires (at least one of these)."""

    title: str | None = Field(default=None, min_length=1, description="An honour title")
    stars: int | None = Field(default=None, ge=1, le=10, description="A star level")
    values: dict[str, Finite] = Field(
        default_factory=dict, description="Consequence values by declared id (an escalation step)"
    )
    tier: Identifier | None = Field(default=None, description="A forced tier (a demotion)")
    remove: bool = Field(default=False, description="Flag the entity for removal")

    @model_validator(mode="after")
    def _something(self) -> TrackEffect:
        if (
            self.title is None
            and self.stars is None
            and not self.values
            and self.tier is None
            and not self.remove
        ):
            raise ValueError("a rule gives at least one of title, stars, values, tier or remove")
        return self


class TrackRule(_Model):
    """A rule over an entity's track record: when it fires, and what it gives.

    ``when`` is a track formula; ``top`` with ``by`` awards the best ``top`` of each pool by
    ``by`` (ties at the cut all included), among those meeting ``when`` if given. An entity not
    yet scored when the rule's window of ``periods`` began is new: ``new_entities: skip`` (the
    default) leaves the rule unapplied to it, ``record_so_far`` judges it on the periods it has.
    """

    id: Identifier
    label: str = ""
    reason: str = Field(default="", description="Why it fires, in the rubric's words")
    when: str | None = Field(default=None, min_length=1, max_length=2000)
    top: int | None = Field(default=None, ge=1, le=1_000_000, strict=True)
    by: str | None = Field(default=None, min_length=1, max_length=2000)
    periods: int | None = Field(
        default=None, ge=1, le=20, description="The periods it reads, counting this one"
    )
    new_entities: NewEntities = "skip"
    gives: TrackEffect

    @model_validator(mode="after")
    def _selection(self) -> TrackRule:
        if (self.top is None) != (self.by is None):
            raise ValueError("'top' and 'by' go together: the best 'top' of each pool by 'by'")
        if self.when is None and self.by is None:
            raise ValueError("a track rule needs 'when' (a condition) or 'top' with 'by'")
        return self

    def formulas(self) -> dict[str, TrackFormula]:
        """The rule's parsed formulas by key (when, by); raises FormulaError."""
        return {
            key: parse_track_formula(text)
            for key, text in (("when", self.when), ("by", self.by))
            if text is not None
        }

    def window(self) -> int:
        """The periods the rule reads, counting this one: ``periods`` or what its formulas read."""
        if self.periods is not None:
            return self.periods
        return max(f.periods for f in self.formulas().values())


class Track(_Model):
    """The track-record block: its rules, and how values several rules give one entity combine
    (with the value its tier carries): the highest applies, or they add up."""

    combine: dict[Identifier, Combine] = Field(default_factory=dict)
    rules: list[TrackRule] = Field(min_length=1)


def gives_text(effect: TrackEffect, rubric: Rubric) -> str:
    """What a rule gives, in words: title “…”, 5 stars, Surcharge +0.1 yuan/kWh, at most tier B."""
    parts: list[str] = []
    if effect.title is not None:
        parts.append(f"title “{effect.title}”")
    if effect.stars is not None:
        parts.append(f"{effect.stars} star{'s' * (effect.stars != 1)}")
    declared = {v.id: v for v in rubric.consequence_values}
    for key, value in effect.values.items():
        spec = declared.get(key)
        unit = f" {spec.unit}" if spec is not None and spec.unit else ""
        label = spec.label if spec is not None and spec.label else key
        parts.append(f"{label} {value:+g}{unit}")
    if effect.tier is not None:
        parts.append(f"at most tier {effect.tier}")
    if effect.remove:
        parts.append("removal")
    return ", ".join(parts)


def rule_text(rule: TrackRule) -> str:
    """When a rule fires, in one sentence: its condition or its ranking award, and its window."""
    when = f"when {rule.when}" if rule.when is not None else ""
    award = f"the {rule.top} best of each pool by {rule.by}" if rule.top is not None else ""
    what = f"{award}, {when}" if award and when else award or when
    reads = rule.window()
    new = "not applied to" if rule.new_entities == "skip" else "judged on the record so far of"
    return f"{what} (reads {reads} period{'s' * (reads != 1)}; {new} entities new to the window)"


def period_names(tiers: list[str], vetoes: list[str], dimensions: list[str]) -> dict[str, str]:
    """Every name a track formula can read in each period, with what it is."""
    names = {
        "scored": "1 in a period the entity was scored in, else 0",
        "total": "the total",
        "rank": "the rank within its pool (1 = best)",
        "rank_from_bottom": "the place counted from the bottom of its pool (1 = last)",
        "pool_size": "the number of ranked entities in its pool",
        "tier_level": "the tier's position (1 = the best tier)",
    }
    names.update({f"tier_{t}": f"1 when in tier {t}, else 0" for t in tiers})
    names.update({f"veto_{v}": f"1 when veto {v} fired, else 0" for v in vetoes})
    names.update({f"dim_{d}": f"the score of dimension {d}" for d in dimensions})
    return names


def track_problems(
    track: Track,
    *,
    tiers: list[str],
    vetoes: list[str],
    dimensions: list[str],
    values: list[str],
) -> list[tuple[PathKey, str]]:
    """Formulas that do not parse or read unknown names, windows shorter than the formulas read,
    streaks without a window, undeclared tiers and values, and values without a combine rule."""
    known = period_names(tiers, vetoes, dimensions)
    problems: list[tuple[PathKey, str]] = []
    seen: set[str] = set()
    for i, rule in enumerate(track.rules):
        path: PathKey = ("track", "rules", i)
        if rule.id in seen:
            problems.append(((*path, "id"), f"duplicate track rule id {rule.id!r}"))
        seen.add(rule.id)
        parsed: dict[str, TrackFormula] = {}
        for key, text in (("when", rule.when), ("by", rule.by)):
            if text is None:
                continue
            try:
                parsed[key] = parse_track_formula(text)
            except FormulaError as exc:
                problems.append(((*path, key), f"{exc}"))
                continue
            for name in sorted(parsed[key].names - known.keys()):
                problems.append(
                    (
                        (*path, key),
                        f"unknown name {name!r}{did_you_mean(name, known)}: a track formula reads "
                        "scored, total, rank, rank_from_bottom, pool_size, tier_level, "
                        "tier_<id>, veto_<id> and dim_<id>",
                    )
                )
        if "when" in parsed and not parsed["when"].is_boolean():
            problems.append(((*path, "when"), "'when' must be a condition (a comparison, and/or)"))
        reads = max([1, *(f.periods for f in parsed.values())])
        if rule.periods is None and any(f.has_streak for f in parsed.values()):
            problems.append(
                (
                    (*path, "periods"),
                    "a rule with streak() says how many periods it needs, e.g. periods: 3 for "
                    "'three periods running': entities scored for fewer are new",
                )
            )
        elif rule.periods is not None and rule.periods < reads:
            problems.append(
                (
                    (*path, "periods"),
                    f"periods ({rule.periods}) is less than the {reads} periods its formulas read",
                )
            )
        effect = rule.gives
        if effect.tier is not None and effect.tier not in tiers:
            problems.append(
                (
                    (*path, "gives", "tier"),
                    f"undeclared tier {effect.tier!r}{did_you_mean(effect.tier, tiers)}",
                )
            )
        for key in effect.values:
            where: PathKey = (*path, "gives", "values", key)
            if key not in values:
                problems.append(
                    (
                        where,
                        f"undeclared consequence value {key!r}{did_you_mean(key, values)}; "
                        "declare it in the rubric's consequence_values",
                    )
                )
            elif key not in track.combine:
                problems.append(
                    (
                        where,
                        f"say how {key!r} combines when several rules (and the tier) give it: "
                        f"track: combine: {{{key}: highest}} or sum",
                    )
                )
    for key in track.combine:
        if key not in values:
            problems.append(
                (
                    ("track", "combine", key),
                    f"undeclared consequence value {key!r}{did_you_mean(key, values)}",
                )
            )
    return problems
