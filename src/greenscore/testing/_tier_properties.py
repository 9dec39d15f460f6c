"""Properties of the tiers: a higher score never gives a lower tier, vetoes decide, a blank
field never pays, and every tier can be reached."""

from __future__ import annotations

import itertools
import math
import random
from typing import Any, assert_never

import numpy as np
from hypothesis import strategies as st

from greenscore.engine.decide import condition_met, decide
from greenscore.engine.scores import Scores
from greenscore.methods.base import fmt
from greenscore.rubric import models as m
from greenscore.testing._context import Profile, RubricContext, python_value
from greenscore.testing._setup import (
    Setup,
    Violation,
    num,
    plain,
    search_settings,
    tier_text,
    value_text,
)
from greenscore.testing._strategies import profiles, values

# tier_order ---------------------------------------------------------------------------------


def _refinish(ctx: RubricContext, s: Scores, raw_total: float) -> Scores:
    """The tiers the engine gives one scored row if its weighted score were raw_total instead."""
    return decide(ctx.plan, s.with_raw_total(np.array([raw_total])))


def tier_order(ctx: RubricContext, max_examples: int) -> Setup:
    scale = ctx.rubric.scale
    top = scale.max if ctx.rubric.total.ceiling else scale.max + scale.span
    floors = (t.min_score for t in ctx.rubric.tiers if t.min_score is not None)
    edges = sorted({scale.min, scale.max, *floors})
    edges = [e for e in edges if scale.min <= e <= scale.max]
    totals = st.one_of(st.sampled_from(edges), st.floats(scale.min, top, allow_nan=False))
    strategy = st.tuples(profiles(ctx.rubric, missing=True), totals, totals)

    def body(example: Any) -> Violation | None:
        profile, a, b = example
        s = ctx.score([profile])
        if ctx.failed(s, 0):
            return None
        low, high = sorted((a, b))
        t_low, t_high = _refinish(ctx, s, low), _refinish(ctx, s, high)
        if ctx.plan.sign > 0 and t_high.tier[0] > t_low.tier[0]:
            return Violation(
                f"with everything else equal, a weighted score of {num(high)} gives tier "
                f"{tier_text(ctx, t_high.tier[0])} but the lower {num(low)} gives the better "
                f"tier {tier_text(ctx, t_low.tier[0])}"
            )
        if ctx.plan.sign < 0 and t_high.tier[0] < t_low.tier[0]:
            return Violation(
                f"with everything else equal and a lower total better, a weighted score of "
                f"{num(low)} gives tier {tier_text(ctx, t_low.tier[0])} but the higher "
                f"{num(high)} gives the better tier {tier_text(ctx, t_high.tier[0])}"
            )
        return None

    def present(example: Any) -> dict[str, Any]:
        profile, a, b = example
        low, high = sorted((a, b))
        return {"profile": plain(profile), "lower_score": low, "higher_score": high}

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
    fired = [a for i, a in enumerate(assignments) if s.veto_fired[i, v] and not ctx.broken(s, i)]
    if len(fired) <= 12:
        return fired
    step = len(fired) / 12
    return [fired[int(k * step)] for k in range(12)]


def veto_dominant(ctx: RubricContext, max_examples: int) -> Setup:
    rubric = ctx.rubric
    summary = "a forced, capped or unrated tier always wins over the score and over places"
    kinds = ("force_tier", "cap_tier", "unrated")
    vetoes = [(v, veto) for v, veto in enumerate(rubric.vetoes) if veto.kind in kinds]
    if not vetoes:
        return Setup(summary, notes=["no force_tier, cap_tier or unrated vetoes"])
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
                    {"veto": veto.id, "profile": plain(best)},
                ),
            )
        cases += [(v, a) for a in found]

    def arrange(example: Any) -> tuple[int, Profile]:
        (v, assignment), base = example
        return v, {**base, **assignment}

    def body(example: Any) -> Violation | None:
        v, row = arrange(example)
        veto = rubric.vetoes[v]
        s = ctx.score([row, *[best] * ctx.place_rows])
        if not s.veto_fired[0, v] or ctx.broken(s, 0):
            return None
        fired = [rubric.vetoes[i] for i in np.flatnonzero(s.veto_fired[0])]
        unrated = [f for f in fired if f.kind == "unrated" and f.tier]
        forced = [tier_index[f.tier] for f in fired if f.kind == "force_tier" and f.tier]
        final = int(s.tier[0])
        score_tier = tier_text(ctx, s.score_tier[0])
        among = f"among {ctx.place_rows} best profiles competing for places"
        if unrated:
            if final != tier_index[str(unrated[0].tier)]:
                return Violation(
                    f"veto {unrated[0].id!r} fires and places the profile outside the ranking in "
                    f"{unrated[0].tier!r}, yet it is rated {tier_text(ctx, final)} ({among})"
                )
            return None
        if veto.kind == "force_tier" and final != max(forced):
            return Violation(
                f"veto {veto.id!r} fires and forces tier {veto.tier!r}, yet the profile is rated "
                f"{tier_text(ctx, final)} ({among}; its score alone gives {score_tier})"
            )
        if veto.kind == "cap_tier" and not forced and final < tier_index[str(veto.tier)]:
            return Violation(
                f"veto {veto.id!r} fires and caps the tier at {veto.tier!r}, yet the profile is "
                f"rated {tier_text(ctx, final)} ({among}; its score alone gives {score_tier})"
            )
        return None

    def present(example: Any) -> dict[str, Any]:
        v, row = arrange(example)
        return {"veto": rubric.vetoes[v].id, "profile": plain(row)}

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


def missing_never_pays(ctx: RubricContext, max_examples: int) -> Setup:
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
        sign = ctx.plan.sign
        gain_tier = s.tier[1] < s.tier[0]
        if tiers_only:
            from hypothesis import target

            target(sign * (t1 - t0), label="score gained by leaving a field blank")
            if not gain_tier:
                return None
        if sign * (t1 - t0) <= ctx.tolerance and not gain_tier:
            return None
        verb = "raises" if sign > 0 else "lowers (a lower total is better)"
        what = f"{verb} the total from {num(t0)} to {num(t1)}"
        if gain_tier:
            what += f" and the tier from {tier_text(ctx, s.tier[0])} to {tier_text(ctx, s.tier[1])}"
        why = _treatment(ctx, name)
        fix = (
            "; a park does better by not reporting it. Make it required or use missing: worst, "
            "or accept the violation knowingly (allow missing_never_pays)"
        )
        return Violation(
            f"leaving {name} blank (instead of {value_text(full[name])}) {what}"
            + (f": {why}" if why else "")
            + fix
        )

    def present(example: Any) -> dict[str, Any]:
        name, full, _ = arrange(example)
        return {"input": name, "value": python_value(full[name]), "profile": plain(full)}

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
        ok = bool(condition_met(ctx.plan, cond, s)[0])
        if ok:
            continue
        match cond:
            case m.DimensionMin():
                ids = cond.dimensions or [ctx.plan.dimensions[i].spec.id for i in ctx.plan.top]
                low = [
                    f"{i} scores {num(s.dimension_score[0, ctx.plan.dimension_index[i]])}"
                    for i in ids
                    if not s.dimension_score[0, ctx.plan.dimension_index[i]] >= cond.score
                ]
                reasons.append(
                    f"its condition 'dimensions at least {fmt(cond.score)}' fails "
                    f"({', '.join(low)})"
                )
            case m.IndicatorMin():
                x = s.indicator_score[0, ctx.plan.indicator_index[cond.indicator]]
                reasons.append(
                    f"its condition '{cond.indicator} at least {fmt(cond.score)}' fails "
                    f"({cond.indicator} scores {num(x)})"
                )
            case m.NoVeto():
                reasons.append("its no_veto condition fails")
            case _:
                assert_never(cond)
    fired = [v.id for i, v in enumerate(ctx.rubric.vetoes) if s.veto_fired[0, i]]
    if s.score_tier[0] == t and s.tier[0] != t:
        reasons.append(f"vetoes {', '.join(fired)} changed the tier")
    return "; ".join(reasons) or "another tier takes precedence"


def _band_text(sign: float, lower: float, upper: float) -> str:
    """A tier's band of totals from its band of merits [lower, upper) (merit = sign × total)."""
    if not (math.isfinite(lower) or math.isfinite(upper)):
        return "any total"
    if not math.isfinite(upper):
        return f"at least {fmt(lower)}" if sign > 0 else f"at most {fmt(-lower)}"
    if sign > 0:
        return f"{fmt(lower)}–{fmt(upper)}"
    return f"above {fmt(-upper)}" if not math.isfinite(lower) else f"{fmt(-upper)}–{fmt(-lower)}"


def _reach_in_cohorts(ctx: RubricContext, sweep: list[Profile], reached: dict[int, str]) -> None:
    """Tiers given by places are filled by a cohort, not by one profile: score the sweep with
    copies of the best profile overfilling every place limit, of the worst overfilling every
    minimum, or both, and count the tiers any valid row of these cohorts lands in."""
    above = [ctx.best_profile] * (ctx.place_rows + 1)
    below = [ctx.worst_profile] * (ctx.quota_padding + 1)
    for cohort in ([*above, *sweep], [*sweep, *below], [*above, *sweep, *below]):
        s = ctx.score(cohort)
        for i in range(s.n):
            if not ctx.broken(s, i):
                reached.setdefault(int(s.tier[i]), f"a cohort of {len(cohort)} profiles")


def tiers_reachable(ctx: RubricContext, max_examples: int) -> Setup:
    rubric = ctx.rubric
    tiers = rubric.tiers
    best, worst = ctx.best_profile, ctx.worst_profile
    reached: dict[int, str] = {}
    fractions = [k / 200 for k in range(201)]
    sweep = [ctx.interpolate(f) for f in fractions]
    rows = [best, worst, *sweep]
    s = ctx.score(rows)
    mins = [t.floor for t in tiers]
    in_band: dict[int, Profile] = {}
    for i in range(s.n):
        if not ctx.broken(s, i):
            how = "the best profile" if i == 0 else "the worst profile" if i == 1 else "a profile"
            reached.setdefault(int(s.tier[i]), how)
            total = ctx.plan.sign * float(s.total[i])
            band = next((t for t, low in enumerate(mins) if total >= low), len(mins) - 1)
            in_band.setdefault(band, rows[i])
    if ctx.plan.place_tiers and len(reached) < len(tiers):
        _reach_in_cohorts(ctx, sweep, reached)
    summary = "every tier is reached by some valid profile"
    problems: list[Violation] = []
    search = st.one_of(
        st.sampled_from([best, worst, *in_band.values()]),
        st.floats(0, 1).map(ctx.interpolate),
        profiles(rubric, missing=True),
    )
    settings_for = search_settings(max(3 * max_examples, 300))

    def score_one(profile: Profile) -> Scores | None:
        one = ctx.score_alone(profile)
        return None if ctx.broken(one, 0) else one

    def finish() -> Violation | None:
        from hypothesis import find, target
        from hypothesis.errors import NoSuchExample

        for t in range(len(tiers)):
            if t in reached:
                continue
            above = [x.floor for x in tiers[:t] if math.isfinite(x.floor)]
            upper = min(above, default=math.inf)
            lower = tiers[t].floor

            def hits(profile: Profile, t: int = t, lo: float = lower, hi: float = upper) -> bool:
                one = score_one(profile)
                if one is None:
                    return False
                total = ctx.plan.sign * float(one.total[0])
                if not math.isnan(total):
                    target(-max(lo - total, total - hi, 0.0))
                return int(one.tier[0]) == t

            def in_band(profile: Profile, lo: float = lower, hi: float = upper) -> bool:
                one = score_one(profile)
                if one is None or not one.ranked[0]:
                    return False
                total = ctx.plan.sign * float(one.total[0])
                target(-max(lo - total, total - hi, 0.0))
                return lo <= total < hi

            try:
                find(search, hits, settings=settings_for)
                reached[t] = "a searched profile"
                continue
            except NoSuchExample:
                pass
            band = _band_text(ctx.plan.sign, lower, upper)
            try:
                witness = find(search, in_band, settings=settings_for)
            except NoSuchExample:
                best_total = "fails" if ctx.failed(s, 0) else num(s.total[0])
                problems.append(
                    Violation(
                        f"tier {tier_text(ctx, t)} is never reached: no profile found scores "
                        f"in its range ({band}); the best profile scores {best_total}",
                        {"profile": plain(best), "total": float(s.total[0])},
                    )
                )
                continue
            one = ctx.score_alone(witness)
            if int(one.tier[0]) == t:
                reached[t] = "a searched profile"
                continue
            problems.append(
                Violation(
                    f"tier {tier_text(ctx, t)} is never reached: profiles scoring in its range "
                    f"({band}), like this one with a total of {num(one.total[0])}, get tier "
                    f"{tier_text(ctx, one.tier[0])} because {_unmet(ctx, one, t)}",
                    {"profile": plain(witness), "total": float(one.total[0])},
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
