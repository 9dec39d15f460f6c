"""The consistency properties: what every rubric (and the engine) must hold, each a named check."""

from __future__ import annotations

import dataclasses
import itertools
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
from hypothesis import strategies as st

from greenscore.engine.plan import Scores, compile_rubric
from greenscore.engine.result import fmt
from greenscore.errors import GreenscoreError, ProfileError, RubricError
from greenscore.rubric import models as m
from greenscore.rubric.load import load_rubric, rubric_sha256, rubric_yaml
from greenscore.testing._context import DIRECTIONAL, Profile, RubricContext, python_value
from greenscore.testing._strategies import profiles, values


@dataclass(frozen=True)
class Violation:
    """One way a property fails: what went wrong in words, and the example that shows it."""

    explanation: str
    counterexample: dict[str, Any] | None = None


@dataclass
class Setup:
    """A property prepared for one rubric: examples to draw and the test each must pass."""

    summary: str
    strategy: st.SearchStrategy[Any] | None = None
    body: Callable[[Any], Violation | None] | None = None
    present: Callable[[Any], dict[str, Any]] = lambda example: {"example": example}
    failure: Violation | None = None
    finish: Callable[[], Violation | None] | None = None
    severe: Callable[[Any], Violation | None] | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Property:
    """A named consistency property; `engine` ones hold for every valid rubric by construction."""

    name: str
    description: str
    prepare: Callable[[RubricContext, int], Setup]
    engine: bool = True


def _num(value: Any) -> str:
    return fmt(float(value), 6) if value is not None else "blank"


def _value(value: Any) -> str:
    if value is None:
        return "blank"
    if isinstance(value, bool | str):
        return repr(value)
    return fmt(float(value), 9)


def _tier_text(ctx: RubricContext, index: Any) -> str:
    return repr(ctx.tier_id(int(index)))


def _clean(profile: Profile) -> Profile:
    return {k: python_value(v) for k, v in profile.items()}


def _profile_only(example: Any) -> dict[str, Any]:
    return {"profile": _clean(example)}


def _row_list(example: Sequence[Profile]) -> dict[str, Any]:
    return {"profiles": [_clean(p) for p in example]}


# bounded ------------------------------------------------------------------------------------


def _bounded(ctx: RubricContext, max_examples: int) -> Setup:
    low, high = ctx.rubric.scale.min, ctx.rubric.scale.max
    tol = ctx.tolerance

    def outside(x: float) -> bool:
        return not math.isnan(x) and not low - tol <= x <= high + tol

    def body(profile: Profile) -> Violation | None:
        s = ctx.score([profile])
        if ctx.failed(s, 0):
            return None
        scale = f"the scale {fmt(low)}–{fmt(high)}"
        for step in ctx.plan.indicators:
            x = float(s.indicator_score[0, step.position])
            if outside(x):
                hint = (
                    " (its goalposts are uncapped)"
                    if getattr(step.spec, "cap", True) is False
                    else ""
                )
                return Violation(f"indicator {step.id!r} scores {_num(x)}, outside {scale}{hint}")
        for d, dim in enumerate(ctx.plan.dimensions):
            x = float(s.dimension_score[0, d])
            if outside(x):
                return Violation(f"dimension {dim.spec.id!r} scores {_num(x)}, outside {scale}")
        for what, x in (("weighted score", s.raw_total[0]), ("total", s.total[0])):
            if outside(float(x)):
                return Violation(f"the {what} is {_num(x)}, outside {scale}")
        return None

    extremes = st.sampled_from([ctx.best_profile, ctx.worst_profile])
    return Setup(
        f"every score stays within {fmt(low)}–{fmt(high)}",
        st.one_of(extremes, profiles(ctx.rubric, missing=True)),
        body,
        _profile_only,
    )


# monotone -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    indicator: str
    input: str
    direction: str
    clean: bool


def _why_backwards(spec: Any) -> str:
    if isinstance(spec, m.LinearIndicator):
        g = spec.goalposts
        return (
            f"its goalposts (worst {fmt(g.worst)}, best {fmt(g.best)}) reward "
            f"{'lower' if g.best < g.worst else 'higher'} values: swap them or fix the direction"
        )
    if isinstance(spec, m.BandsIndicator):
        return "its band points do not follow the direction: the table is written backwards"
    return "its scores run against its direction"


def _monotone(ctx: RubricContext, max_examples: int) -> Setup:
    inputs = ctx.plan.inputs
    targets: list[_Target] = []
    skipped_derived, skipped_cohort = [], []
    for step in ctx.plan.indicators:
        spec = step.spec
        if spec.direction not in DIRECTIONAL:
            continue
        if spec.method in ("minmax", "percentile", "zscore"):
            skipped_cohort.append(spec.id)
            continue
        names = spec.inputs
        if not all(name in inputs for name in names):
            skipped_derived.append(f"{spec.id} ({', '.join(names)})")
            continue
        for name in names:
            same = all(getattr(r, "direction", None) == spec.direction for r in ctx.readers[name])
            clean = same and name not in ctx.formula_inputs
            targets.append(_Target(spec.id, name, spec.direction, clean))
    notes = []
    if skipped_derived:
        notes.append("not checked, fed by derived inputs: " + "; ".join(skipped_derived))
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

    def arrange(example: Any) -> tuple[_Target, Any, Any, list[Profile]]:
        profile, (target, (a, b)) = example
        if ctx.domains[target.input].spec.type == "boolean":
            worse, better = (a, b) if target.direction == "higher" else (b, a)
        else:
            worse, better = sorted((a, b))
            if target.direction == "lower":
                worse, better = better, worse
        rows = [{**profile, target.input: worse}, {**profile, target.input: better}]
        return target, worse, better, rows

    def body(example: Any) -> Violation | None:
        target, worse, better, rows = arrange(example)
        s = ctx.score(rows)
        if ctx.failed(s, 0) or ctx.failed(s, 1):
            return None
        j = ctx.plan.indicator_index[target.indicator]
        before, after = float(s.indicator_score[0, j]), float(s.indicator_score[1, j])
        verb = "Raising" if target.direction == "higher" else "Lowering"
        move = f"{verb} {target.input} from {_value(worse)} to {_value(better)}"
        tol = ctx.tolerance
        if after < before - tol:
            spec = ctx.rubric.indicator(target.indicator)
            return Violation(
                f"{move} lowers indicator {target.indicator!r} from {_num(before)} to "
                f"{_num(after)}, although its direction is {target.direction!r}: "
                f"{_why_backwards(spec)}"
            )
        if not target.clean:
            return None
        t0, t1 = float(s.total[0]), float(s.total[1])
        if t1 < t0 - tol:
            return Violation(
                f"{move} improves indicator {target.indicator!r} but lowers the total "
                f"from {_num(t0)} to {_num(t1)}"
            )
        if s.tier[1] > s.tier[0]:
            return Violation(
                f"{move} improves indicator {target.indicator!r} but lowers the tier from "
                f"{_tier_text(ctx, s.tier[0])} to {_tier_text(ctx, s.tier[1])}"
            )
        return None

    def present(example: Any) -> dict[str, Any]:
        target, worse, better, rows = arrange(example)
        return {
            "indicator": target.indicator,
            "input": target.input,
            "from": python_value(worse),
            "to": python_value(better),
            "profile": _clean(rows[0]),
        }

    return Setup(summary, strategy, body, present, notes=notes)


# tier_order ---------------------------------------------------------------------------------


def _refinish(ctx: RubricContext, s: Scores, raw_total: float) -> Scores:
    """The tiers the engine gives one scored row if its weighted score were raw_total instead."""
    copy = dataclasses.replace(
        s,
        raw_total=np.array([raw_total]),
        deductions=np.zeros(1),
        total=np.array([raw_total]),
        score_tier=np.zeros(1, dtype=np.intp),
        tier=np.zeros(1, dtype=np.intp),
        veto_fired=np.zeros_like(s.veto_fired),
        veto_points=np.zeros_like(s.veto_points),
        veto_unknown=np.zeros_like(s.veto_unknown),
        error_rows=s.error_rows.copy(),
    )
    return ctx.plan._finish(copy)


def _tier_order(ctx: RubricContext, max_examples: int) -> Setup:
    scale = ctx.rubric.scale
    edges = sorted({scale.min, scale.max, *(t.min_score for t in ctx.rubric.tiers)})
    edges = [e for e in edges if scale.min <= e <= scale.max]
    totals = st.one_of(st.sampled_from(edges), st.floats(scale.min, scale.max, allow_nan=False))
    strategy = st.tuples(profiles(ctx.rubric, missing=True), totals, totals)

    def body(example: Any) -> Violation | None:
        profile, a, b = example
        s = ctx.score([profile])
        if ctx.failed(s, 0):
            return None
        low, high = sorted((a, b))
        t_low, t_high = _refinish(ctx, s, low), _refinish(ctx, s, high)
        if t_high.tier[0] > t_low.tier[0]:
            return Violation(
                f"with everything else equal, a weighted score of {_num(high)} gives tier "
                f"{_tier_text(ctx, t_high.tier[0])} but the lower {_num(low)} gives the better "
                f"tier {_tier_text(ctx, t_low.tier[0])}"
            )
        return None

    def present(example: Any) -> dict[str, Any]:
        profile, a, b = example
        low, high = sorted((a, b))
        return {"profile": _clean(profile), "lower_score": low, "higher_score": high}

    return Setup(
        "a higher score never gives a lower tier when nothing else changes",
        strategy,
        body,
        present,
    )


# veto_dominant ------------------------------------------------------------------------------


def _firing(ctx: RubricContext, v: int, base: Profile, limit: int = 4096) -> list[Profile]:
    """Assignments of a veto's inputs that make it fire on top of `base`, a few spread out."""
    names = sorted(ctx.veto_inputs[v])
    options = [list(ctx.domains[n].candidates) for n in names]
    total = math.prod(len(o) for o in options)
    if total <= limit:
        combos = list(itertools.product(*options))
    else:
        rng = random.Random(v)
        combos = [tuple(rng.choice(o) for o in options) for _ in range(limit)]
    assignments = [dict(zip(names, combo, strict=True)) for combo in combos]
    if not assignments:
        return []
    s = ctx.score([{**base, **a} for a in assignments])
    fired = [a for i, a in enumerate(assignments) if s.veto_fired[i, v] and not ctx.failed(s, i)]
    if len(fired) <= 12:
        return fired
    step = len(fired) / 12
    return [fired[int(k * step)] for k in range(12)]


def _veto_dominant(ctx: RubricContext, max_examples: int) -> Setup:
    rubric = ctx.rubric
    summary = "a forced or capped tier always wins over the score"
    vetoes = [(v, veto) for v, veto in enumerate(rubric.vetoes) if veto.kind != "deduct"]
    if not vetoes:
        return Setup(summary, notes=["no force_tier or cap_tier vetoes"])
    tier_index = ctx.plan.tier_index
    best = ctx.best_profile
    cases: list[tuple[int, Profile]] = []
    for v, veto in vetoes:
        found = _firing(ctx, v, best)
        if not found:
            return Setup(
                summary,
                failure=Violation(
                    f"veto {veto.id!r} never fires: its condition {veto.when!r} is false for "
                    "every value tried within the declared input ranges",
                    {"veto": veto.id, "profile": _clean(best)},
                ),
            )
        cases += [(v, a) for a in found]

    def arrange(example: Any) -> tuple[int, Profile]:
        (v, assignment), base = example
        return v, {**base, **assignment}

    def body(example: Any) -> Violation | None:
        v, row = arrange(example)
        veto = rubric.vetoes[v]
        s = ctx.score([row])
        if ctx.failed(s, 0) or not s.veto_fired[0, v]:
            return None
        fired = [rubric.vetoes[i] for i in np.flatnonzero(s.veto_fired[0])]
        forced = [tier_index[f.tier] for f in fired if f.kind == "force_tier" and f.tier]
        final = int(s.tier[0])
        score_tier = _tier_text(ctx, s.score_tier[0])
        quota = rubric.tiers[max(forced)].max_share is not None if forced else False
        if veto.kind == "force_tier" and final != max(forced) and not quota:
            return Violation(
                f"veto {veto.id!r} fires and forces tier {veto.tier!r}, yet the profile is rated "
                f"{_tier_text(ctx, final)} (its score alone gives {score_tier})"
            )
        if veto.kind == "cap_tier" and not forced and final < tier_index[str(veto.tier)]:
            return Violation(
                f"veto {veto.id!r} fires and caps the tier at {veto.tier!r}, yet the profile is "
                f"rated {_tier_text(ctx, final)} (its score alone gives {score_tier})"
            )
        return None

    def present(example: Any) -> dict[str, Any]:
        v, row = arrange(example)
        return {"veto": rubric.vetoes[v].id, "profile": _clean(row)}

    for v, assignment in cases:
        example = ((v, assignment), best)
        problem = body(example)
        if problem is not None:
            return Setup(summary, failure=Violation(problem.explanation, present(example)))
    strategy = st.tuples(
        st.sampled_from(cases), st.one_of(st.just(best), profiles(rubric, missing=True))
    )
    return Setup(summary, strategy, body, present)


# missing_never_pays -------------------------------------------------------------------------


def _treatment(ctx: RubricContext, name: str) -> str:
    reasons = []
    for step in ctx.plan.indicators:
        if name not in step.spec.inputs and name not in ctx.base_inputs(step.spec.inputs):
            continue
        if not step.spec.required:
            reasons.append(
                f"indicator {step.id!r} is optional, so it is dropped and its weight re-spread "
                "over the rest of its dimension"
            )
        elif step.policy == "drop":
            reasons.append(
                f"indicator {step.id!r} has missing-data policy 'drop', so its weight is re-spread "
                "over the rest of its dimension"
            )
    return "; ".join(reasons)


def _missing_never_pays(ctx: RubricContext, max_examples: int) -> Setup:
    used = {n for n, readers in ctx.readers.items() if readers} | ctx.formula_inputs
    used |= ctx.base_inputs({d.id for d in ctx.rubric.derived})
    optional = [spec.id for spec in ctx.rubric.inputs if not spec.required and spec.id in used]
    summary = "leaving an optional field blank never raises the score or the tier"
    if not optional:
        return Setup(summary, notes=["no optional inputs: nothing can be left blank"])
    strategy = st.tuples(
        profiles(ctx.rubric, missing=True),
        st.one_of([st.tuples(st.just(n), values(ctx.domains[n])) for n in optional]),
    )

    def arrange(example: Any) -> tuple[str, Profile, Profile]:
        profile, (name, value) = example
        return name, {**profile, name: value}, {**profile, name: None}

    def judge(example: Any, tiers_only: bool) -> Violation | None:
        name, full, blank = arrange(example)
        s = ctx.score([full, blank])
        if ctx.failed(s, 0) or ctx.failed(s, 1):
            return None
        t0, t1 = float(s.total[0]), float(s.total[1])
        gain_tier = s.tier[1] < s.tier[0]
        if tiers_only:
            from hypothesis import target

            target(t1 - t0, label="score gained by leaving a field blank")
            if not gain_tier:
                return None
        if t1 <= t0 + ctx.tolerance and not gain_tier:
            return None
        what = f"raises the total from {_num(t0)} to {_num(t1)}"
        if gain_tier:
            what += (
                f" and the tier from {_tier_text(ctx, s.tier[0])} to {_tier_text(ctx, s.tier[1])}"
            )
        why = _treatment(ctx, name)
        fix = (
            "; a park does better by not reporting it. Make it required or use missing: worst, "
            "or accept the violation knowingly (allow missing_never_pays)"
        )
        return Violation(
            f"leaving {name} blank (instead of {_value(full[name])}) {what}"
            + (f": {why}" if why else "")
            + fix
        )

    def present(example: Any) -> dict[str, Any]:
        name, full, _ = arrange(example)
        return {"input": name, "value": python_value(full[name]), "profile": _clean(full)}

    def body(example: Any) -> Violation | None:
        return judge(example, tiers_only=False)

    def severe(example: Any) -> Violation | None:
        return judge(example, tiers_only=True)

    return Setup(summary, strategy, body, present, severe=severe)


# tiers_reachable ----------------------------------------------------------------------------


def _unmet(ctx: RubricContext, s: Scores, t: int) -> str:
    """Why row 0 does not get tier t although its total lies in t's range."""
    tier = ctx.rubric.tiers[t]
    reasons = []
    for cond in tier.conditions:
        ok = bool(ctx.plan._condition(cond, s)[0])
        if ok:
            continue
        if isinstance(cond, m.DimensionMin):
            ids = cond.dimensions or [ctx.plan.dimensions[i].spec.id for i in ctx.plan.top]
            low = [
                f"{i} scores {_num(s.dimension_score[0, ctx.plan.dimension_index[i]])}"
                for i in ids
                if not s.dimension_score[0, ctx.plan.dimension_index[i]] >= cond.score
            ]
            reasons.append(
                f"its condition 'dimensions at least {fmt(cond.score)}' fails ({', '.join(low)})"
            )
        elif isinstance(cond, m.IndicatorMin):
            x = s.indicator_score[0, ctx.plan.indicator_index[cond.indicator]]
            reasons.append(
                f"its condition '{cond.indicator} at least {fmt(cond.score)}' fails "
                f"({cond.indicator} scores {_num(x)})"
            )
        else:
            reasons.append("its no_veto condition fails")
    fired = [v.id for i, v in enumerate(ctx.rubric.vetoes) if s.veto_fired[0, i]]
    if s.score_tier[0] == t and s.tier[0] != t:
        reasons.append(f"vetoes {', '.join(fired)} changed the tier")
    return "; ".join(reasons) or "another tier takes precedence"


def _tiers_reachable(ctx: RubricContext, max_examples: int) -> Setup:
    rubric = ctx.rubric
    tiers = rubric.tiers
    best, worst = ctx.best_profile, ctx.worst_profile
    reached: dict[int, str] = {}
    fractions = [k / 200 for k in range(201)]
    sweep = [ctx.interpolate(f) for f in fractions]
    rows = [best, worst, *sweep]
    s = ctx.score(rows)
    mins = [t.min_score for t in tiers]
    in_band: dict[int, Profile] = {}
    for i in range(s.n):
        if not ctx.failed(s, i):
            how = "the best profile" if i == 0 else "the worst profile" if i == 1 else "a profile"
            reached.setdefault(int(s.tier[i]), how)
            total = float(s.total[i])
            band = next((t for t, low in enumerate(mins) if total >= low), len(mins) - 1)
            in_band.setdefault(band, rows[i])
    summary = "every tier is reached by some valid profile"
    problems: list[Violation] = []
    search = st.one_of(
        st.sampled_from([best, worst, *in_band.values()]),
        st.floats(0, 1).map(ctx.interpolate),
        profiles(rubric, missing=True),
    )
    settings_for = _find_settings(max(3 * max_examples, 300))

    def score_one(profile: Profile) -> Scores | None:
        one = ctx.score_alone(profile)
        return None if ctx.failed(one, 0) else one

    def finish() -> Violation | None:
        from hypothesis import find, target
        from hypothesis.errors import NoSuchExample

        for t in range(len(tiers)):
            if t in reached:
                continue
            upper = tiers[t - 1].min_score if t else math.inf
            lower = tiers[t].min_score

            def hits(profile: Profile, t: int = t, lo: float = lower, hi: float = upper) -> bool:
                one = score_one(profile)
                if one is None:
                    return False
                total = float(one.total[0])
                target(-max(lo - total, total - hi, 0.0))
                return int(one.tier[0]) == t

            def in_band(profile: Profile, lo: float = lower, hi: float = upper) -> bool:
                one = score_one(profile)
                if one is None:
                    return False
                total = float(one.total[0])
                target(-max(lo - total, total - hi, 0.0))
                return lo <= total < hi

            try:
                find(search, hits, settings=settings_for)
                reached[t] = "a searched profile"
                continue
            except NoSuchExample:
                pass
            band = f"{fmt(lower)}–{fmt(upper)}" if t else f"at least {fmt(lower)}"
            try:
                witness = find(search, in_band, settings=settings_for)
            except NoSuchExample:
                best_total = "fails" if ctx.failed(s, 0) else _num(s.total[0])
                problems.append(
                    Violation(
                        f"tier {_tier_text(ctx, t)} is never reached: no profile found scores "
                        f"in its range ({band}); the best profile scores {best_total}",
                        {"profile": _clean(best), "total": float(s.total[0])},
                    )
                )
                continue
            one = ctx.score_alone(witness)
            if int(one.tier[0]) == t:
                reached[t] = "a searched profile"
                continue
            problems.append(
                Violation(
                    f"tier {_tier_text(ctx, t)} is never reached: profiles scoring in its range "
                    f"({band}), like this one with a total of {_num(one.total[0])}, get tier "
                    f"{_tier_text(ctx, one.tier[0])} because {_unmet(ctx, one, t)}",
                    {"profile": _clean(witness), "total": float(one.total[0])},
                )
            )
        if not problems:
            return None
        first = problems[0]
        if len(problems) > 1:
            others = "; ".join(p.explanation.split(":")[0] for p in problems[1:])
            return Violation(f"{first.explanation} (also: {others})", first.counterexample)
        return first

    def finish_and_note() -> Violation | None:
        problem = finish()
        setup.notes.append("; ".join(f"{tiers[t].id}: {how}" for t, how in sorted(reached.items())))
        return problem

    setup = Setup(summary, finish=finish_and_note)
    return setup


def _find_settings(max_examples: int) -> Any:
    from hypothesis import HealthCheck, Phase, Verbosity, settings

    return settings(
        max_examples=max_examples,
        database=None,
        derandomize=True,
        deadline=None,
        phases=(Phase.generate, Phase.target, Phase.shrink),
        verbosity=Verbosity.quiet,
        suppress_health_check=list(HealthCheck),
    )


# weights_normalised -------------------------------------------------------------------------


def _weights_normalised(ctx: RubricContext, max_examples: int) -> Setup:
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
            return Violation(f"the effective indicator weights sum to {_num(total)}, not 1")
        top = float(s.dimension_weight[0, list(ctx.plan.top)].sum())
        if not math.isclose(top, 1.0, abs_tol=1e-9):
            return Violation(f"the top-level dimension weights sum to {_num(top)}, not 1")
        return None

    return Setup(summary, profiles(ctx.rubric, missing=True), body, _profile_only)


# deterministic ------------------------------------------------------------------------------

_COMPARED = ("total", "raw_total", "tier", "score_tier", "dimension_score", "indicator_score")


def _same(a: np.ndarray, b: np.ndarray, tol: float) -> bool:
    """Equal arrays: NaN matches NaN, infinities match themselves, finite values within tol."""
    if a.dtype.kind in "iub":
        return bool(np.array_equal(a, b))
    with np.errstate(invalid="ignore"):
        close = (a == b) | (np.abs(a - b) <= tol) | (np.isnan(a) & np.isnan(b))
    return bool(close.all())


def _deterministic(ctx: RubricContext, max_examples: int) -> Setup:
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
        return {"profiles": [_clean(p) for p in rows], "order": list(order)}

    return Setup("the same input gives the same scores, in any row order", strategy, body, present)


# yaml_roundtrip -----------------------------------------------------------------------------


def _yaml_roundtrip(ctx: RubricContext, max_examples: int) -> Setup:
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
    return Setup(summary, strategy, body, _row_list)


# single_batch_agree -------------------------------------------------------------------------


def _frame(ctx: RubricContext, rows: list[Profile]) -> Any:
    import pandas as pd

    rubric = ctx.rubric
    records = [
        {rubric.entity: f"E{i + 1:03d}", rubric.period: 2015, **row} for i, row in enumerate(rows)
    ]
    columns = [rubric.entity, rubric.period, *ctx.plan.inputs]
    return pd.DataFrame.from_records(records, columns=columns)


def _find_assess() -> Callable[..., Any] | None:
    """greenscore.assess when it exists (imported lazily: the batch layer is optional here)."""
    import greenscore

    found = getattr(greenscore, "assess", None)
    if found is None:
        try:
            from greenscore.batch.assess import assess as found
        except ImportError:
            return None
    return cast(Callable[..., Any], found)


def _assess_outcomes(ctx: RubricContext, frame: Any, assess: Callable[..., Any]) -> list[Any]:
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


def _single_batch_agree(ctx: RubricContext, max_examples: int) -> Setup:
    import greenscore

    summary = "one profile at a time and a whole batch give the same results"
    if ctx.plan.needs_cohort:
        return Setup(
            summary,
            notes=[
                "skipped: with cohort methods or tier quotas a lone profile is its own cohort; "
                "calibrate the rubric first"
            ],
        )
    assess = _find_assess()
    notes = [] if assess is not None else ["greenscore.assess is not available: compared with Plan"]

    def body(rows: list[Profile]) -> Violation | None:
        singles: list[tuple[float, str] | None] = []
        for row in rows:
            try:
                a = greenscore.evaluate(row, ctx.rubric)
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
            None if ctx.failed(s, i) else (float(s.total[i]), ctx.tier_id(s.tier[i]))
            for i in range(len(rows))
        ]
        sources = [("a batch", batch)]
        if assess is not None:
            try:
                sources.append(("assess()", _assess_outcomes(ctx, frame, assess)))
            except GreenscoreError as exc:
                if any(x is not None for x in singles):
                    return Violation(f"assess() fails where evaluate() scores: {exc}")
        for label, outcomes in sources:
            for i, (one, many) in enumerate(zip(singles, outcomes, strict=True)):
                same = (one is None and many is None) or (
                    one is not None
                    and many is not None
                    and abs(one[0] - many[0]) <= ctx.tolerance
                    and one[1] == many[1]
                )
                if not same:
                    return Violation(
                        f"row {i + 1}: evaluate() gives {_outcome(one)} but {label} gives "
                        f"{_outcome(many)}"
                    )
        return None

    strategy = st.lists(profiles(ctx.rubric, missing=True), min_size=1, max_size=5)
    return Setup(summary, strategy, body, _row_list, notes=notes)


def _outcome(value: tuple[float, str] | None) -> str:
    return "an error" if value is None else f"{_num(value[0])} ({value[1]})"


PROPERTIES: dict[str, Property] = {
    p.name: p
    for p in (
        Property(
            "bounded", "Every score (indicator, dimension, total) stays within the scale.", _bounded
        ),
        Property(
            "monotone",
            "Improving an input in its indicator's direction never lowers that indicator, nor the "
            "total or tier when the input feeds nothing else.",
            _monotone,
        ),
        Property(
            "tier_order", "A higher total never yields a lower tier, all else equal.", _tier_order
        ),
        Property(
            "veto_dominant",
            "A force_tier or cap_tier veto that fires decides the tier, even on the best profile.",
            _veto_dominant,
        ),
        Property(
            "missing_never_pays",
            "Leaving an optional field blank never raises the score or the tier.",
            _missing_never_pays,
        ),
        Property(
            "tiers_reachable",
            "Every tier is reached by some valid profile: the best by the best profile.",
            _tiers_reachable,
            engine=False,
        ),
        Property(
            "weights_normalised",
            "Weights at every level are non-negative and sum to one after normalisation.",
            _weights_normalised,
        ),
        Property(
            "deterministic",
            "The same input gives the same output, in any row order.",
            _deterministic,
        ),
        Property(
            "yaml_roundtrip", "The rubric written back as YAML scores identically.", _yaml_roundtrip
        ),
        Property(
            "single_batch_agree",
            "evaluate() on one profile agrees with scoring many rows at once (and with assess()).",
            _single_batch_agree,
        ),
    )
}
