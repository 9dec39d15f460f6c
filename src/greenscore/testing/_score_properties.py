"""Properties of the scores themselves: bounded, monotone, weights that sum to one, the same
results in any row order, after a YAML round trip, and one profile at a time or in a batch."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st

from greenscore.batch.assess import assess
from greenscore.engine.evaluate import evaluate
from greenscore.engine.plan import compile_rubric
from greenscore.errors import GreenscoreError, ProfileError, RubricError
from greenscore.methods import Indicator, is_cohort, method_of
from greenscore.methods.base import fmt
from greenscore.rubric.load import load_rubric, rubric_sha256, rubric_yaml
from greenscore.testing._context import DIRECTIONAL, Profile, RubricContext, python_value
from greenscore.testing._setup import (
    Setup,
    Violation,
    num,
    plain,
    profile_only,
    row_list,
    tier_text,
    value_text,
)
from greenscore.testing._strategies import profiles, values

# bounded ------------------------------------------------------------------------------------


def bounded(ctx: RubricContext, max_examples: int) -> Setup:
    """Scores stay on the scale; a rubric without a ceiling lets scores pass its top (uncapped
    indicators are then intended) and one without a floor lets the total fall below its bottom."""
    total = ctx.rubric.total
    low, high = ctx.rubric.scale.min, ctx.rubric.scale.max
    top = high if total.ceiling else math.inf
    tol = ctx.tolerance

    def outside(x: float, bottom: float = low) -> bool:
        return not math.isnan(x) and not bottom - tol <= x <= top + tol

    def body(profile: Profile) -> Violation | None:
        s = ctx.score([profile])
        if ctx.failed(s, 0):
            return None
        scale = f"the scale {fmt(low)}–{fmt(high)}" if total.ceiling else f"{fmt(low)} and up"
        for step in ctx.plan.indicators:
            x = float(s.indicator_score[0, step.position])
            if outside(x):
                best = method_of(step.spec).bounds(step.spec, ctx.plan.context)[1]
                hint = " (its goalposts are uncapped)" if math.isinf(best) else ""
                return Violation(f"indicator {step.id!r} scores {num(x)}, outside {scale}{hint}")
        for d, dim in enumerate(ctx.plan.dimensions):
            x = float(s.dimension_score[0, d])
            if outside(x):
                return Violation(f"dimension {dim.spec.id!r} scores {num(x)}, outside {scale}")
        if outside(float(s.raw_total[0])):
            return Violation(f"the weighted score is {num(s.raw_total[0])}, outside {scale}")
        if outside(float(s.total[0]), low if total.floor else -math.inf):
            return Violation(f"the total is {num(s.total[0])}, outside {scale}")
        return None

    extremes = st.sampled_from([ctx.best_profile, ctx.worst_profile])
    within = f"{fmt(low)}–{fmt(high)}" if total.ceiling else f"{fmt(low)} and up (no ceiling)"
    return Setup(
        f"every score stays within {within}",
        st.one_of(extremes, profiles(ctx.rubric, missing=True)),
        body,
        profile_only,
    )


# monotone -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    indicator: str
    input: str
    direction: str
    clean: bool
    via: str | None = None


def _why_backwards(spec: Indicator) -> str:
    return method_of(spec).backwards(spec) or "its scores run against its direction"


_OPPOSITE = {"higher": "lower", "lower": "higher"}


def _direction_of(spec: Indicator, name: str) -> str:
    """The way an input should move to improve the indicator: its direction, or the opposite
    for a yardstick it is measured against (a benchmark it divides by)."""
    if name in method_of(spec).references(spec):
        return _OPPOSITE.get(spec.direction, spec.direction)
    return spec.direction


def _derived_readers(ctx: RubricContext, name: str) -> list[Indicator]:
    """Indicators reading a derived input directly."""
    return [step.spec for step in ctx.plan.indicators if name in step.spec.inputs]


def _sole_path(ctx: RubricContext, base: str, via: str, direction: str) -> bool:
    """Whether a declared input reaches the score only through one derived input, read only by
    indicators that want it moved the same way: then improving it must not lower the total."""
    feeds = [d for d in ctx.derived_sources if base in ctx.base_inputs([d])]
    return (
        not ctx.readers[base]
        and feeds == [via]
        and all(_direction_of(r, via) == direction for r in _derived_readers(ctx, via))
        and not any(base in names for names in ctx.veto_inputs)
    )


def _derived_targets(ctx: RubricContext, spec: Indicator, name: str) -> list[_Target]:
    """One target per declared input behind a derived formula input (not a statistic over
    periods, whose earlier periods a profile lacks)."""
    history = {d.id for d in ctx.rubric.derived if d.history is not None}
    if name in history or ctx.base_inputs([name]) & history:
        return []
    direction = _direction_of(spec, name)
    return [
        _Target(spec.id, base, direction, _sole_path(ctx, base, name, direction), via=name)
        for base in sorted(ctx.base_inputs([name]))
    ]


def monotone(ctx: RubricContext, max_examples: int) -> Setup:
    inputs = ctx.plan.inputs
    targets: list[_Target] = []
    skipped_derived, skipped_cohort = [], []
    for step in ctx.plan.indicators:
        spec = step.spec
        if spec.direction not in DIRECTIONAL:
            continue
        if is_cohort(spec):
            skipped_cohort.append(spec.id)
            continue
        for name in spec.inputs:
            if name not in inputs:
                found = _derived_targets(ctx, spec, name)
                targets += found
                if not found:
                    skipped_derived.append(f"{spec.id} ({name})")
                continue
            direction = _direction_of(spec, name)
            same = all(_direction_of(r, name) == direction for r in ctx.readers[name])
            clean = same and name not in ctx.formula_inputs
            targets.append(_Target(spec.id, name, direction, clean))
    notes = []
    if skipped_derived:
        notes.append("not checked, fed by statistics over periods: " + "; ".join(skipped_derived))
    if skipped_cohort:
        notes.append("not checked, scored against the cohort: " + ", ".join(skipped_cohort))
    summary = "each indicator moves with its declared direction when its input improves"
    if not targets:
        notes.append("no indicator with a higher/lower direction reads a declared input")
        return Setup(summary, notes=notes)

    def pairs(target: _Target) -> st.SearchStrategy[Any]:
        domain = ctx.domains[target.input]
        if domain.spec.type == "boolean":
            return st.tuples(st.just(target), st.just((False, True)))
        each = values(domain)
        return st.tuples(st.just(target), st.tuples(each, each).filter(lambda ab: ab[0] != ab[1]))

    strategy = st.tuples(profiles(ctx.rubric, missing=True), st.one_of([pairs(t) for t in targets]))

    def order_derived(target: _Target, a: Any, b: Any, profile: Profile) -> tuple[Any, ...]:
        """(worse, better, how the derived input moves), the derived input found by probing the
        formula on both values; no move when it stays put or cannot be worked out."""
        assert target.via is not None
        rows = [{**profile, target.input: a}, {**profile, target.input: b}]
        x = ctx.plan.compute_values(ctx.encode(rows), 2)[target.via]
        if np.isnan(x).any() or x[0] == x[1]:
            return a, b, None
        if (x[1] > x[0]) != (target.direction == "higher"):
            a, b, x = b, a, x[::-1]
        verb = "raises" if x[1] > x[0] else "lowers"
        return a, b, f"{verb} derived input {target.via!r} from {num(x[0])} to {num(x[1])}"

    def arrange(example: Any) -> tuple[_Target, Any, Any, list[Profile], str | None]:
        profile, (target, (a, b)) = example
        if target.via is not None:
            worse, better, shift = order_derived(target, a, b, profile)
            move = None
            if shift is not None:
                move = (
                    f"Changing {target.input} from {value_text(worse)} to {value_text(better)} "
                    f"(which {shift})"
                )
        elif ctx.domains[target.input].spec.type == "boolean":
            worse, better = (a, b) if target.direction == "higher" else (b, a)
        else:
            worse, better = sorted((a, b))
            if target.direction == "lower":
                worse, better = better, worse
        if target.via is None:
            verb = "Raising" if target.direction == "higher" else "Lowering"
            move = f"{verb} {target.input} from {value_text(worse)} to {value_text(better)}"
        rows = [{**profile, target.input: worse}, {**profile, target.input: better}]
        return target, worse, better, rows, move

    def body(example: Any) -> Violation | None:
        target, _, _, rows, move = arrange(example)
        if move is None:
            return None
        s = ctx.score(rows)
        if ctx.failed(s, 0) or ctx.failed(s, 1):
            return None
        j = ctx.plan.indicator_index[target.indicator]
        before, after = float(s.indicator_score[0, j]), float(s.indicator_score[1, j])
        tol = ctx.tolerance
        if after < before - tol:
            spec = ctx.rubric.indicator(target.indicator)
            return Violation(
                f"{move} lowers indicator {target.indicator!r} from {num(before)} to "
                f"{num(after)}, although its direction is {target.direction!r}: "
                f"{_why_backwards(spec)}"
            )
        if not target.clean:
            return None
        t0, t1 = float(s.total[0]), float(s.total[1])
        if t1 < t0 - tol:
            return Violation(
                f"{move} improves indicator {target.indicator!r} but lowers the total "
                f"from {num(t0)} to {num(t1)}"
            )
        moved = f"{tier_text(ctx, s.tier[0])} to {tier_text(ctx, s.tier[1])}"
        if ctx.plan.sign > 0 and s.tier[1] > s.tier[0]:
            return Violation(
                f"{move} improves indicator {target.indicator!r} but lowers the tier from {moved}"
            )
        if ctx.plan.sign < 0 and s.tier[1] < s.tier[0]:
            return Violation(
                f"{move} raises indicator {target.indicator!r} and so the total, which is worse "
                f"where a lower total is better, but improves the tier from {moved}"
            )
        return None

    def present(example: Any) -> dict[str, Any]:
        target, worse, better, rows, _ = arrange(example)
        shown = {
            "indicator": target.indicator,
            "input": target.input,
            "from": python_value(worse),
            "to": python_value(better),
            "profile": plain(rows[0]),
        }
        return shown if target.via is None else {**shown, "derived": target.via}

    return Setup(summary, strategy, body, present, notes=notes)


# weights_normalised -------------------------------------------------------------------------


def weights_normalised(ctx: RubricContext, max_examples: int) -> Setup:
    plan = ctx.plan
    summary = "weights at every level are non-negative and sum to one"
    for step in plan.dimensions:
        w = step.weights
        if (w < 0).any() or not math.isclose(float(w.sum()), 1.0, abs_tol=1e-9):
            return Setup(
                summary,
                failure=Violation(
                    f"the weights inside dimension {step.spec.id!r} normalise to "
                    f"{[round(float(x), 6) for x in w]}"
                ),
            )
    if (plan.top_weights < 0).any() or not math.isclose(float(plan.top_weights.sum()), 1.0):
        return Setup(summary, failure=Violation("the top-level weights do not sum to one"))

    def body(profile: Profile) -> Violation | None:
        s = ctx.score([profile])
        if ctx.failed(s, 0):
            return None
        weights = s.indicator_weight[0]
        scored = ~np.isnan(s.indicator_score[0])
        if (weights < -1e-12).any():
            return Violation("an indicator gets a negative effective weight")
        if np.abs(weights[~scored]).max(initial=0.0) > 1e-12:
            return Violation("an indicator that was not scored keeps a share of the weight")
        total = float(weights.sum())
        if not math.isclose(total, 1.0, abs_tol=1e-9):
            return Violation(f"the effective indicator weights sum to {num(total)}, not 1")
        top = float(s.dimension_weight[0, list(ctx.plan.top)].sum())
        if not math.isclose(top, 1.0, abs_tol=1e-9):
            return Violation(f"the top-level dimension weights sum to {num(top)}, not 1")
        return None

    return Setup(summary, profiles(ctx.rubric, missing=True), body, profile_only)


# deterministic ------------------------------------------------------------------------------

_COMPARED = ("total", "raw_total", "tier", "score_tier", "dimension_score", "indicator_score")


def _same(a: np.ndarray, b: np.ndarray, tol: float) -> bool:
    """Equal arrays: NaN matches NaN, infinities match themselves, finite values within tol."""
    if a.dtype.kind in "iub":
        return bool(np.array_equal(a, b))
    with np.errstate(invalid="ignore"):
        close = (a == b) | (np.abs(a - b) <= tol) | (np.isnan(a) & np.isnan(b))
    return bool(close.all())


def deterministic(ctx: RubricContext, max_examples: int) -> Setup:
    rows = st.lists(profiles(ctx.rubric, missing=True), min_size=1, max_size=6)
    strategy = rows.flatmap(lambda r: st.tuples(st.just(r), st.permutations(range(len(r)))))

    def body(example: Any) -> Violation | None:
        rows, order = example
        first, second = ctx.score(rows), ctx.score(rows)
        for name in _COMPARED:
            if not _same(getattr(first, name), getattr(second, name), 0.0):
                return Violation(f"scoring the same rows twice gives different {name}")
        shuffled = ctx.score([rows[i] for i in order])
        for name in _COMPARED:
            expected = getattr(first, name)[list(order)]
            if not _same(getattr(shuffled, name), expected, ctx.tolerance):
                return Violation(f"reordering the rows changes their {name}")
        return None

    def present(example: Any) -> dict[str, Any]:
        rows, order = example
        return {"profiles": [plain(p) for p in rows], "order": list(order)}

    return Setup("the same input gives the same scores, in any row order", strategy, body, present)


# yaml_roundtrip -----------------------------------------------------------------------------


def yaml_roundtrip(ctx: RubricContext, max_examples: int) -> Setup:
    summary = "the rubric written back as YAML loads to the same rubric and the same scores"
    text = rubric_yaml(ctx.rubric)
    try:
        again = load_rubric(text)
    except RubricError as exc:
        return Setup(summary, failure=Violation(f"the rubric written back does not load: {exc}"))
    if rubric_sha256(again) != rubric_sha256(ctx.rubric):
        return Setup(summary, failure=Violation("the rubric written back hashes differently"))
    plan = compile_rubric(again)

    def body(rows: list[Profile]) -> Violation | None:
        first, second = ctx.score(rows), ctx.score(rows, plan)
        for name in _COMPARED:
            if not _same(getattr(first, name), getattr(second, name), 0.0):
                return Violation(f"the reloaded rubric gives different {name}")
        return None

    strategy = st.lists(profiles(ctx.rubric, missing=True), min_size=1, max_size=4)
    return Setup(summary, strategy, body, row_list)


# single_batch_agree -------------------------------------------------------------------------


def _frame(ctx: RubricContext, rows: list[Profile]) -> Any:
    import pandas as pd

    rubric = ctx.rubric
    records = [
        {rubric.entity: f"E{i + 1:03d}", rubric.period: 2015, **row} for i, row in enumerate(rows)
    ]
    columns = [rubric.entity, rubric.period, *rubric.pools, *ctx.plan.inputs]
    return pd.DataFrame.from_records(records, columns=columns)


def _assess_outcomes(ctx: RubricContext, frame: Any) -> list[Any]:
    """(total, tier) per row as assess() gives them; None for rows it flags instead of scoring."""
    entity = ctx.rubric.entity
    result = assess(frame, ctx.rubric, errors="flag")
    scored = {
        str(e): (float(t), str(k))
        for e, t, k in zip(
            result.results[entity], result.results["total"], result.results["tier"], strict=True
        )
    }
    return [scored.get(str(e)) for e in frame[entity]]


def single_batch_agree(ctx: RubricContext, max_examples: int) -> Setup:
    summary = "one profile at a time and a whole batch give the same results"
    if ctx.plan.needs_cohort:
        return Setup(
            summary,
            notes=[
                "skipped: with cohort methods or tier quotas a lone profile is its own cohort; "
                "calibrate the rubric first"
            ],
        )

    def body(rows: list[Profile]) -> Violation | None:
        singles: list[tuple[float, str] | None] = []
        for row in rows:
            try:
                a = evaluate(row, ctx.rubric)
                singles.append((a.total, a.tier.id))
            except ProfileError:
                singles.append(None)
        frame = _frame(ctx, rows)
        columns = {name: frame[name].to_numpy() for name in ctx.plan.inputs}
        values_, problems = ctx.plan.validator.columns(columns, len(rows))
        if problems:
            i, name, value, problem = problems[0]
            return Violation(
                f"the batch rejects row {i + 1}'s {name}={value!r} ({problem}) that a single "
                "profile accepts"
            )
        s = ctx.plan.score(values_, len(rows))
        batch = [
            None if ctx.broken(s, i) else (float(s.total[i]), ctx.tier_id(s.tier[i]))
            for i in range(len(rows))
        ]
        sources = [("a batch", batch)]
        try:
            sources.append(("assess()", _assess_outcomes(ctx, frame)))
        except GreenscoreError as exc:
            if any(x is not None for x in singles):
                return Violation(f"assess() fails where evaluate() scores: {exc}")
        for label, outcomes in sources:
            for i, (one, many) in enumerate(zip(singles, outcomes, strict=True)):
                same = (one is None and many is None) or (
                    one is not None
                    and many is not None
                    and (
                        abs(one[0] - many[0]) <= ctx.tolerance
                        or (math.isnan(one[0]) and math.isnan(many[0]))
                    )
                    and one[1] == many[1]
                )
                if not same:
                    return Violation(
                        f"row {i + 1}: evaluate() gives {_outcome(one)} but {label} gives "
                        f"{_outcome(many)}"
                    )
        return None

    strategy = st.lists(profiles(ctx.rubric, missing=True), min_size=1, max_size=5)
    return Setup(summary, strategy, body, row_list)


def _outcome(value: tuple[float, str] | None) -> str:
    return "an error" if value is None else f"{num(value[0])} ({value[1]})"
