"""Track-record rules applied to a batch: every period scored alike, then each entity's record read.

assess() scores each period up to the assessed one with the same plan (so the same frozen
calibration), hands their results tables here, and gets back the assessed period's results with
the rules' titles, stars, combined consequence values, forced tiers and removal flags, plus a
table of the rules that fired and the history that made them fire. History is the engine's own
results before any track rule: a tier forced by a rule last year is not read back this year.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from greenscore.batch.display import key_text
from greenscore.engine.inputs import PeriodKey
from greenscore.methods.base import fmt
from greenscore.rubric import models as m
from greenscore.rubric.track import TrackEffect, TrackRule, gives_text
from greenscore.rubric.track_formula import TrackCall, TrackFormula

__all__ = ["TRACK_COLUMNS", "TrackOutcome", "apply_track", "gives_text", "period_tables"]

TRACK_COLUMNS = ("period", "entity", "rule", "label", "gives", "why")


@dataclass(frozen=True, eq=False)
class TrackOutcome:
    """What the track rules did in the assessed period: the rules fired (one row per entity and
    rule: TRACK_COLUMNS), and for each entity the lines explain() shows."""

    periods: tuple[PeriodKey | None, ...]
    fired: pd.DataFrame
    lines: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sources: Mapping[PeriodKey | None, str] = field(default_factory=dict)
    """Periods read from result folders instead of scored, with the folder and its rubric."""

    def explain(self, entity: Any) -> tuple[str, ...]:
        """The track-record lines of one entity (empty when no rule concerned it)."""
        return tuple(self.lines.get(str(entity), ()))

    def counts(self, rubric: m.Rubric) -> pd.DataFrame:
        """Per rule in rubric order: its id, label, how many entities it named, what it gives."""
        named = self.fired["rule"].value_counts()
        rules = rubric.track.rules if rubric.track is not None else []
        return pd.DataFrame(
            {
                "rule": [r.id for r in rules],
                "label": [r.label for r in rules],
                "count": [int(named.get(r.id, 0)) for r in rules],
                "gives": [gives_text(r.gives, rubric) for r in rules],
            }
        )


def period_tables(
    rubric: m.Rubric, frames: Sequence[pd.DataFrame], entities: Sequence[Any]
) -> dict[str, np.ndarray]:
    """Every per-period name a track formula reads, as periods × entities float arrays (NaN
    where the entity was not scored that period; ``scored`` is 0 there)."""
    tiers = [t.id for t in rubric.tiers]
    dims = [d.id for _, d in rubric.iter_dimensions()]
    names = ["scored", "total", "rank", "rank_from_bottom", "pool_size", "tier_level"]
    names += [f"tier_{t}" for t in tiers] + [f"veto_{v.id}" for v in rubric.vetoes]
    names += [f"dim_{d}" for d in dims]
    shape = (len(frames), len(entities))
    out = {name: np.full(shape, np.nan) for name in names}
    out["scored"] = np.zeros(shape)
    wanted = pd.Index([str(e) for e in entities])
    for p, frame in enumerate(frames):
        rows = pd.Index(frame[rubric.entity].astype(str)).get_indexer(wanted)
        here = rows >= 0
        if not here.any():
            continue
        take = rows[here]
        out["scored"][p, here] = 1.0
        out["total"][p, here] = frame["total"].to_numpy(dtype=float)[take]
        rank = pd.to_numeric(frame["rank"], errors="coerce").to_numpy(dtype=float)
        pools = frame["pool"].astype(str) if "pool" in frame.columns else pd.Series("", frame.index)
        size = pd.Series(~np.isnan(rank)).groupby(pools.to_numpy()).transform("sum").to_numpy()
        size = np.where(np.isnan(rank), np.nan, size.astype(float))
        out["rank"][p, here] = rank[take]
        out["pool_size"][p, here] = size[take]
        out["rank_from_bottom"][p, here] = (size - rank + 1)[take]
        level = pd.Index(tiers).get_indexer(pd.Index(frame["tier"].astype(str))).astype(float) + 1
        out["tier_level"][p, here] = level[take]
        for k, tier in enumerate(tiers):
            out[f"tier_{tier}"][p, here] = (level[take] == k + 1).astype(float)
        fired = frame["vetoes"].fillna("").astype(str).str.split(";")
        for veto in rubric.vetoes:
            hit = fired.map(lambda ids, v=veto.id: v in ids).to_numpy(dtype=float)
            out[f"veto_{veto.id}"][p, here] = hit[take]
        for dim in dims:
            out[f"dim_{dim}"][p, here] = frame[f"dim.{dim}"].to_numpy(dtype=float)[take]
    return out


def _has_history(scored: np.ndarray, window: int) -> np.ndarray:
    """Entities scored in the window's first period or before it: not new to the rule."""
    start = scored.shape[0] - window
    if start < 0:
        return np.zeros(scored.shape[1], dtype=bool)
    return np.asarray(scored[: start + 1].any(axis=0), dtype=bool)


def _selected(
    rule: TrackRule,
    formulas: Mapping[str, TrackFormula],
    env: Mapping[str, np.ndarray],
    applies: np.ndarray,
    pools: np.ndarray,
) -> np.ndarray:
    """Entities the rule fires for: its condition holds, or among the best ``top`` of its pool
    by ``by`` (every entity tied with the last one selected is selected too)."""
    chosen = applies.copy()
    if "when" in formulas:
        chosen &= formulas["when"](env) == 1.0
    if rule.top is None:
        return chosen
    value = formulas["by"](env)
    chosen &= np.isfinite(value)
    best = np.zeros_like(chosen)
    for pool in np.unique(pools[chosen]):
        members = chosen & (pools == pool)
        ordered = np.sort(value[members])[::-1]
        cut = ordered[min(rule.top, len(ordered)) - 1]
        best |= members & (value >= cut)
    return best


def _cell(value: float, digits: int = 2) -> str:
    return "missing" if math.isnan(value) else fmt(value, digits)


def _inner_name(call: TrackCall, rubric: m.Rubric) -> str:
    """The argument of a track function in words: 'tier D (label)' for tier_D, else its text."""
    text = call.inner.source.strip()
    for tier in rubric.tiers:
        if text == f"tier_{tier.id}":
            return f"tier {tier.id}" + (f" ({tier.label})" if tier.label else "")
    return text


def _history_text(
    call: TrackCall,
    rubric: m.Rubric,
    table: np.ndarray,
    periods: Sequence[PeriodKey | None],
    j: int,
) -> str:
    """What one track function saw for entity j (``table``: its argument, periods × entities):
    the periods its condition held in, or the values it compared."""
    name = _inner_name(call, rubric)
    values = table[:, j]
    if call.function in ("streak", "count"):
        span = len(periods) if call.periods is None else min(call.periods, len(periods))
        held = [key_text(periods[p]) for p in range(len(periods) - span, len(periods))]
        held = [h for h, v in zip(held, values[-span:], strict=True) if v != 0 and v == v]
        if call.function == "streak":
            run = 0
            for v in values[::-1]:
                if not (v == v and v != 0):
                    break
                run += 1
            where = ", ".join(held[-run:]) if run else "none"
            return f"{name} in {where}: {run} consecutive period{'s' * (run != 1)}"
        return (
            f"{name} in {', '.join(held) or 'none'}: {len(held)} of the last {call.periods} periods"
        )
    k = call.lag
    before = values[-1 - k] if len(values) > k else math.nan
    then = key_text(periods[-1 - k]) if len(periods) > k else f"{k} period(s) earlier"
    if call.function == "previous":
        return f"{name} was {_cell(before)} in {then}"
    return (
        f"{name} went from {_cell(before)} in {then} to {_cell(values[-1])} in "
        f"{key_text(periods[-1])}"
    )


@dataclass
class _Effects:
    """The effects gathered for each entity, combined once every rule has run."""

    n: int
    titles: list[list[str]] = field(default_factory=list)
    stars: np.ndarray = field(default_factory=lambda: np.zeros(0))
    tier: np.ndarray = field(default_factory=lambda: np.zeros(0, np.intp))
    remove: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    values: dict[str, list[list[float]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.titles = [[] for _ in range(self.n)]
        self.stars = np.zeros(self.n)
        self.tier = np.full(self.n, -1, np.intp)
        self.remove = np.zeros(self.n, bool)


def apply_track(
    rubric: m.Rubric,
    results: pd.DataFrame,
    periods: Sequence[PeriodKey | None],
    earlier: Sequence[pd.DataFrame],
    flagged: Sequence[pd.DataFrame] = (),
    sources: Mapping[PeriodKey | None, str] | None = None,
) -> tuple[pd.DataFrame, TrackOutcome]:
    """The assessed period's results with the track rules applied, and what they did.

    ``periods`` are the data's periods up to the assessed one (last); ``earlier`` the results
    tables of all but the last, in the same order, and ``flagged`` their flagged tables (an
    entity flagged in a period has a gap there, which its explanation names); ``sources`` says
    where periods read from result folders came from.
    """
    track = rubric.track
    if track is None:
        raise ValueError("the rubric has no track rules")
    entities = results[rubric.entity].astype(str).tolist()
    n = len(entities)
    env = period_tables(rubric, [*earlier, results], entities)
    pools = results["pool"].astype(str).to_numpy() if "pool" in results.columns else np.full(n, "")
    effects = _Effects(n)
    tier_ids = [t.id for t in rubric.tiers]
    fired_rows: list[tuple[Any, ...]] = []
    lines: dict[str, list[str]] = {}
    fired_ids: list[list[str]] = [[] for _ in range(n)]
    unapplied: dict[tuple[str, bool, str], list[str]] = {}
    period_text = key_text(periods[-1])
    wanted = set(entities)
    for key, table in zip(periods, flagged, strict=False):
        for entity, problems in table.groupby(table["entity"].astype(str))["problem"]:
            if entity in wanted:
                lines.setdefault(str(entity), []).append(
                    f"not scored in {key_text(key)} ({'; '.join(dict.fromkeys(problems))}): a "
                    "gap in its record"
                )
    for rule in track.rules:
        formulas = rule.formulas()
        window = rule.window()
        history = _has_history(env["scored"], window)
        applies = history | (rule.new_entities == "record_so_far")
        chosen = _selected(rule, formulas, env, applies, pools)
        gives = gives_text(rule.gives, rubric)
        calls = [c for f in formulas.values() for c in f.calls] if chosen.any() else []
        tables = [
            np.broadcast_to(np.asarray(c.inner(env), dtype=float), env["scored"].shape)
            for c in calls
        ]
        for j in np.flatnonzero(chosen):
            seen = "; ".join(
                dict.fromkeys(
                    _history_text(c, rubric, t, periods, int(j))
                    for c, t in zip(calls, tables, strict=True)
                )
            )
            reason = rule.reason or (
                f"among the {rule.top} best of its pool by {rule.by}" if rule.top else ""
            )
            why = " → ".join(filter(None, [": ".join(filter(None, [seen, reason])), gives]))
            fired_rows.append((periods[-1], entities[j], rule.id, rule.label, gives, why))
            lines.setdefault(entities[j], []).append(f"{rule.label or rule.id}: {why}")
            fired_ids[j].append(rule.id)
            _gather(effects, rule.gives, int(j), tier_ids)
        for j in np.flatnonzero(~applies):
            first = np.flatnonzero(env["scored"][:, j])
            short = bool(first.size) and int(first[0]) == 0
            since = key_text(periods[int(first[0])]) if first.size else period_text
            unapplied.setdefault((entities[j], short, since), []).append(
                f"{rule.label or rule.id} (reads {window} period{'s' * (window != 1)})"
            )
    for (entity, short, since), names in unapplied.items():
        held = len(periods)
        why = (
            f"for want of history (the data hold {held} period{'s' * (held != 1)} up to "
            f"{period_text})"
            if short
            else f"to a new entity (scored since {since})"
        )
        lines.setdefault(entity, []).append(f"not applied {why}: {'; '.join(names)}")
    table = pd.DataFrame(fired_rows, columns=list(TRACK_COLUMNS), dtype=object)
    out = _with_effects(rubric, results, effects, fired_ids)
    for row, line in _outcome_lines(rubric, results, out, effects):
        lines.setdefault(entities[row], []).append(line)
    if sources:
        read = "; ".join(f"{key_text(k)} from {v}" for k, v in sources.items())
        for j in np.flatnonzero([bool(ids) for ids in fired_ids]):
            lines[entities[j]].append(f"periods read from result folders: {read}")
    outcome = TrackOutcome(
        tuple(periods), table, {k: tuple(v) for k, v in lines.items()}, dict(sources or {})
    )
    return out, outcome


def _outcome_lines(
    rubric: m.Rubric, before: pd.DataFrame, after: pd.DataFrame, effects: _Effects
) -> list[tuple[int, str]]:
    """Per entity, what the rules changed: its tier, and each value combined from several."""
    found: list[tuple[int, str]] = []
    old, new = before["tier"].astype(str).tolist(), after["tier"].astype(str).tolist()
    for row in np.flatnonzero(effects.tier >= 0).tolist():
        if old[row] != new[row]:
            found.append((row, f"tier {old[row]} → {new[row]} by the track rules"))
    declared = {v.id: v for v in rubric.consequence_values}
    combine = rubric.track.combine if rubric.track is not None else {}
    for key, given in effects.values.items():
        spec = declared[key]
        unit = f" {spec.unit}" if spec.unit else ""
        tier_value = _tier_values(rubric, new, key)
        result = after[f"consequence.{key}"].to_numpy(dtype=float)
        for row, items in enumerate(given):
            if not items:
                continue
            terms = [*([] if math.isnan(tier_value[row]) else [tier_value[row]]), *items]
            listed = ", ".join(f"{t:g}" for t in terms)
            found.append(
                (
                    row,
                    f"{spec.label or key}: the {combine[key]} of {listed} = {result[row]:g}{unit}",
                )
            )
    return found


def _tier_values(rubric: m.Rubric, tiers: list[str], key: str) -> np.ndarray:
    by_id = {t.id: t.consequence.values.get(key, math.nan) for t in rubric.tiers}
    return np.array([by_id[t] for t in tiers], dtype=float)


def _gather(effects: _Effects, effect: TrackEffect, j: int, tier_ids: list[str]) -> None:
    if effect.title is not None:
        effects.titles[j].append(effect.title)
    if effect.stars is not None:
        effects.stars[j] = max(effects.stars[j], effect.stars)
    if effect.tier is not None:
        effects.tier[j] = max(effects.tier[j], tier_ids.index(effect.tier))
    effects.remove[j] |= effect.remove
    for key, value in effect.values.items():
        if key not in effects.values:
            effects.values[key] = [[] for _ in range(effects.n)]
        effects.values[key][j].append(value)


def _with_effects(
    rubric: m.Rubric, results: pd.DataFrame, effects: _Effects, fired: list[list[str]]
) -> pd.DataFrame:
    """The results with forced tiers, combined values and the track columns after ``vetoes``."""
    track = rubric.track
    assert track is not None
    out = results.copy()
    tiers = rubric.tiers
    forced = effects.tier >= 0
    if forced.any():
        now = pd.Index([t.id for t in tiers]).get_indexer(pd.Index(out["tier"].astype(str)))
        level = np.where(forced, np.maximum(now, effects.tier), now)
        out["tier"] = np.array([t.id for t in tiers], dtype=object)[level]
        out["tier_label"] = np.array([t.label for t in tiers], dtype=object)[level]
        kinds = np.array([t.consequence.kind for t in tiers], dtype=object)
        out["consequence_kind"] = kinds[level]
        out["consequence"] = np.array([t.consequence.text for t in tiers], dtype=object)[level]
        for spec in rubric.consequence_values:
            per_tier = [t.consequence.values.get(spec.id, math.nan) for t in tiers]
            out[f"consequence.{spec.id}"] = np.array(per_tier, dtype=float)[level]
    for key, given in effects.values.items():
        column = f"consequence.{key}"
        base = out[column].to_numpy(dtype=float)
        combined = base.copy()
        for j, items in enumerate(given):
            if not items:
                continue
            terms = [*items, *([] if math.isnan(base[j]) else [base[j]])]
            combined[j] = max(terms) if track.combine[key] == "highest" else sum(terms)
        out[column] = combined
    extra: dict[str, Any] = {"track": [";".join(ids) for ids in fired]}
    gives = [r.gives for r in track.rules]
    if any(g.title is not None for g in gives):
        extra["title"] = ["; ".join(t) for t in effects.titles]
    if any(g.stars is not None for g in gives):
        extra["stars"] = pd.array([int(s) if s else None for s in effects.stars], dtype="Int64")
    if any(g.remove for g in gives):
        extra["removed"] = effects.remove
    at = list(out.columns).index("vetoes") + 1
    for offset, (name, column) in enumerate(extra.items()):
        out.insert(at + offset, name, column)
    return out
