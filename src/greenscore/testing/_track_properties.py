"""Properties of track-record rules, checked on drawn histories: a new entity gets no rule it
has not earned, a streak rule never fires on a shorter streak, and escalation never falls as
consecutive periods add up."""

from __future__ import annotations

import ast
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from greenscore.batch.track import apply_track
from greenscore.rubric import models as m
from greenscore.rubric.formula import parse_formula
from greenscore.rubric.track import TrackRule
from greenscore.testing._context import RubricContext
from greenscore.testing._setup import Setup, Violation

__all__ = ["escalation_monotone", "new_entities_unearned", "streak_exact", "track_frames"]

Entity = tuple[list[bool], list[int], list[float], list[int], int]
_NO_TRACK = "no track rules"


def _periods(rubric: m.Rubric) -> int:
    track = rubric.track
    return 1 + max(r.window() for r in track.rules) if track is not None else 1


def _histories(rubric: m.Rubric, periods: int) -> st.SearchStrategy[list[Entity]]:
    """Entities with, per period, whether scored, a tier, a total and the vetoes fired (a bit
    mask); every entity is scored in the last period (it is the one assessed)."""
    each = st.lists
    entity = st.tuples(
        each(st.booleans(), min_size=periods, max_size=periods),
        each(st.integers(0, len(rubric.tiers) - 1), min_size=periods, max_size=periods),
        each(
            st.floats(rubric.scale.min, rubric.scale.max, allow_nan=False),
            min_size=periods,
            max_size=periods,
        ),
        each(st.integers(0, 2 ** len(rubric.vetoes) - 1), min_size=periods, max_size=periods),
        st.integers(0, 1),
    ).map(lambda e: ([*e[0][:-1], True], *e[1:]))
    return st.lists(entity, min_size=1, max_size=6)


def track_frames(rubric: m.Rubric, entities: Sequence[Entity]) -> list[pd.DataFrame]:
    """The results tables of every period that a drawn history stands for: ranks by total within
    each pool (ties share the better rank), every dimension scoring the total."""
    periods = len(entities[0][0])
    dims = [d.id for _, d in rubric.iter_dimensions()]
    frames = []
    for p in range(periods):
        rows = []
        for k, (scored, tiers, totals, vetoes, pool) in enumerate(entities):
            if not scored[p]:
                continue
            fired = [v.id for b, v in enumerate(rubric.vetoes) if vetoes[p] >> b & 1]
            row: dict[str, Any] = {
                rubric.entity: f"E{k}",
                "total": totals[p],
                "tier": rubric.tiers[tiers[p]].id,
                "vetoes": ";".join(fired),
                "pool": f"pool{pool}",
            }
            row.update({f"dim.{d}": totals[p] for d in dims})
            rows.append(row)
        columns = [rubric.entity, "total", "tier", "vetoes", "pool", *(f"dim.{d}" for d in dims)]
        frame = pd.DataFrame(rows, columns=columns)
        frame["rank"] = frame.groupby("pool")["total"].rank(method="min", ascending=False)
        for spec in rubric.consequence_values:
            values = [t.consequence.values.get(spec.id, math.nan) for t in rubric.tiers]
            index = pd.Index([t.id for t in rubric.tiers]).get_indexer(pd.Index(frame["tier"]))
            frame[f"consequence.{spec.id}"] = np.array(values, dtype=float)[index]
        for column in ("tier_label", "consequence_kind", "consequence"):
            frame[column] = ""
        frames.append(frame)
    return frames


def _run(rubric: m.Rubric, entities: Sequence[Entity]) -> tuple[pd.DataFrame, pd.DataFrame]:
    frames = track_frames(rubric, entities)
    keys = list(range(2001, 2001 + len(frames)))
    out, outcome = apply_track(rubric, frames[-1], keys, frames[:-1])
    return out, outcome.fired


def _present(example: Any) -> dict[str, Any]:
    return {
        "entities": [
            {"scored": s, "tiers": t, "totals": v, "vetoes": f, "pool": p}
            for s, t, v, f, p in example
        ]
    }


def new_entities_unearned(ctx: RubricContext, max_examples: int) -> Setup:
    rubric = ctx.rubric
    summary = "a new entity never gets a rule it has not earned"
    if rubric.track is None:
        return Setup(summary, notes=[_NO_TRACK])
    skip = [r for r in rubric.track.rules if r.new_entities == "skip"]
    notes = [
        f"{r.id}: new_entities: record_so_far judges new entities on the periods they have"
        for r in rubric.track.rules
        if r.new_entities != "skip"
    ]

    def body(example: Any) -> Violation | None:
        _, fired = _run(rubric, example)
        periods = len(example[0][0])
        for rule in skip:
            start = periods - rule.window()
            for k, (scored, *_rest) in enumerate(example):
                earned = start >= 0 and any(scored[: start + 1])
                hit = ((fired["rule"] == rule.id) & (fired["entity"] == f"E{k}")).any()
                if hit and not earned:
                    return Violation(
                        f"rule {rule.id!r} fired for E{k}, which was not scored when the rule's "
                        f"window of {rule.window()} periods began"
                    )
        return None

    return Setup(summary, _histories(rubric, _periods(rubric)), body, _present, notes=notes)


def _streak_terms(rule: TrackRule) -> list[tuple[str, str, int]]:
    """The `streak(c) <op> k` terms a rule's condition requires: (c, op, k)."""
    if rule.when is None:
        return []
    tree = ast.parse(rule.when, mode="eval").body
    terms = tree.values if isinstance(tree, ast.BoolOp) and isinstance(tree.op, ast.And) else [tree]
    found = []
    ops = {ast.GtE: ">=", ast.Gt: ">", ast.Eq: "=="}
    for term in terms:
        if (
            isinstance(term, ast.Compare)
            and len(term.ops) == 1
            and type(term.ops[0]) in ops
            and isinstance(term.left, ast.Call)
            and isinstance(term.left.func, ast.Name)
            and term.left.func.id == "streak"
            and isinstance(term.comparators[0], ast.Constant)
            and isinstance(term.comparators[0].value, int)
        ):
            inner = ast.get_source_segment(rule.when, term.left.args[0]) or ""
            found.append((inner, ops[type(term.ops[0])], int(term.comparators[0].value)))
    return found


def _run_length(rubric: m.Rubric, entity: Entity, inner: str) -> int:
    """Consecutive periods, back from the last, in which the entity was scored and `inner` held,
    worked out period by period with the plain formula language."""
    scored, tiers, totals, vetoes, _ = entity
    formula = parse_formula(inner)
    run = 0
    for p in range(len(scored) - 1, -1, -1):
        if not scored[p]:
            break
        env: dict[str, Any] = {
            f"tier_{t.id}": float(tiers[p] == i) for i, t in enumerate(rubric.tiers)
        }
        env.update({f"veto_{v.id}": float(vetoes[p] >> b & 1) for b, v in enumerate(rubric.vetoes)})
        env.update({"total": totals[p], "tier_level": tiers[p] + 1.0, "scored": 1.0})
        if float(formula(env)) != 1.0:
            break
        run += 1
    return run


def streak_exact(ctx: RubricContext, max_examples: int) -> Setup:
    rubric = ctx.rubric
    summary = "a streak rule never fires on a shorter streak"
    if rubric.track is None:
        return Setup(summary, notes=[_NO_TRACK])
    readable = {f"tier_{t.id}" for t in rubric.tiers} | {f"veto_{v.id}" for v in rubric.vetoes}
    readable |= {"total", "tier_level", "scored"}
    rules = [
        (r, [t for t in _streak_terms(r) if parse_formula(t[0]).names <= readable])
        for r in rubric.track.rules
    ]
    checked = [(r, terms) for r, terms in rules if terms]
    if not checked:
        return Setup(
            summary, notes=["no rule requires streak(...) >= k, > k or == k of tiers or vetoes"]
        )

    def body(example: Any) -> Violation | None:
        _, fired = _run(rubric, example)
        for rule, terms in checked:
            for k, entity in enumerate(example):
                if not ((fired["rule"] == rule.id) & (fired["entity"] == f"E{k}")).any():
                    continue
                for inner, op, bound in terms:
                    run = _run_length(rubric, entity, inner)
                    holds = (
                        run >= bound if op == ">=" else run > bound if op == ">" else run == bound
                    )
                    if not holds:
                        return Violation(
                            f"rule {rule.id!r} fired for E{k} although {inner} held for {run} "
                            f"consecutive period(s), and it needs streak {op} {bound}"
                        )
        return None

    return Setup(summary, _histories(rubric, _periods(rubric)), body, _present)


def escalation_monotone(ctx: RubricContext, max_examples: int) -> Setup:
    rubric = ctx.rubric
    summary = "a consequence value never falls as consecutive periods in a tier add up"
    if rubric.track is None:
        return Setup(summary, notes=[_NO_TRACK])
    giving = [r for r in rubric.track.rules if r.gives.values]
    given = sorted({key for r in giving for key in r.gives.values})
    read = set().union(*(f.names for r in giving for f in r.formulas().values()))
    escalating = [i for i, t in enumerate(rubric.tiers) if f"tier_{t.id}" in read]
    if not escalating:
        return Setup(summary, notes=["no rule gives a consequence value for a run of a tier"])
    periods = _periods(rubric) + 1
    middle = (rubric.scale.min + rubric.scale.max) / 2

    def finish() -> Violation | None:
        for tier in escalating:
            for before in range(len(rubric.tiers)):
                if before == tier:
                    continue
                seen: dict[str, float] = {}
                for run in range(1, periods + 1):
                    tiers = [before] * (periods - run) + [tier] * run
                    entity: Entity = ([True] * periods, tiers, [middle] * periods, [0] * periods, 0)
                    out, _ = _run(rubric, [entity])
                    for key in given:
                        value = float(out[f"consequence.{key}"].iloc[0])
                        value = -math.inf if math.isnan(value) else value
                        if value < seen.get(key, -math.inf):
                            return Violation(
                                f"{key} falls from {seen[key]:g} to {value:g} when tier "
                                f"{rubric.tiers[tier].id!r} lasts {run} periods instead of "
                                f"{run - 1} (after tier {rubric.tiers[before].id!r})"
                            )
                        seen[key] = value
        return None

    tiers = ", ".join(rubric.tiers[i].id for i in escalating)
    return Setup(summary, finish=finish, notes=[f"{', '.join(given)} over runs of tier {tiers}"])
