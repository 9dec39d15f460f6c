"""Load-time checks of pools and tiers: score floors in order, places that can be filled.

The loader locates each problem; these functions only say where (a path into the rubric) and
what, so that the tier rules live in one place beside the models they check.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TypeVar

from greenscore.methods import method_of
from greenscore.methods.base import Context
from greenscore.rubric import models as m
from greenscore.rubric.order import out_of_order

PathKey = tuple[str | int, ...]
Problem = tuple[PathKey, str]
SHARE_SLACK = 1e-9
DEFAULT_POOL = "default"
"""The key of a per-pool count or share that applies to every pool the mapping does not name."""
PER_POOL = ("top", "max_share", "bottom", "min_share")
"""The place rules that may be given per pool."""

T = TypeVar("T", int, float)


def for_pool(value: T | Mapping[str, T] | None, pool: str) -> T | None:
    """A place rule's value in one pool: the scalar, the pool's entry, else the default entry
    (None when the rule is absent or the pool is not named; see unnamed_pool)."""
    if isinstance(value, Mapping):
        return value.get(pool, value.get(DEFAULT_POOL))
    return value


def unnamed_pool(tier: m.Tier, pool: str) -> str | None:
    """The first per-pool place rule of a tier that neither names this pool nor has a default."""
    for key in PER_POOL:
        value = getattr(tier, key)
        if isinstance(value, Mapping) and pool not in value and DEFAULT_POOL not in value:
            return key
    return None


def pool_problems(rubric: m.Rubric) -> list[Problem]:
    """Pool columns that are listed twice or name the entity, the period or an input."""
    problems: list[Problem] = []
    taken = {rubric.entity, rubric.period}
    derived = {d.id for d in rubric.derived}
    seen: set[str] = set()
    for i, name in enumerate(rubric.pools):
        path: PathKey = ("pools", i)
        if name in seen:
            problems.append((path, f"pool column {name!r} is listed twice"))
        elif name in taken:
            problems.append((path, f"{name!r} is the entity or period column, not a pool column"))
        elif name in derived:
            problems.append(
                (path, f"{name!r} is a derived input: pool columns are text columns of the data")
            )
        seen.add(name)
    return problems


def unrated_tiers(rubric: m.Rubric) -> set[str]:
    """Tiers named by an unrated veto: classes outside the ranking."""
    return {v.tier for v in rubric.vetoes if v.kind == "unrated" and v.tier is not None}


def tier_problems(rubric: m.Rubric) -> list[Problem]:
    """Score floors out of order, a fallback tier that cannot take everyone left, and places
    (shares, minimums) that cannot be filled as written."""
    outside = unrated_tiers(rubric)
    ranked = [(i, t) for i, t in enumerate(rubric.tiers) if t.id not in outside]
    problems = _outside_problems(rubric, outside)
    if not ranked:
        return problems
    lower = rubric.total.better == "lower"
    key = "max_score" if lower else "min_score"
    problems += _bound_problems(rubric)
    scored = [(i, t.id, getattr(t, key)) for i, t in ranked if getattr(t, key) is not None]
    problems += [
        (("tiers", scored[k][0], key), message)
        for k, message in out_of_order([(tier_id, score) for _, tier_id, score in scored], key)
    ]
    open_tier: m.Tier | None = None
    last, lowest = ranked[-1]
    for i, tier in enumerate(rubric.tiers):
        problems += _place_rules(i, tier)
    problems += _per_pool_problems(rubric)
    for i, tier in ranked:
        if getattr(tier, key) is not None:
            if open_tier is not None and i != last:
                problems.append(
                    (
                        ("tiers", i, key),
                        f"tier {tier.id!r} is never reached by its {key}: tier "
                        f"{open_tier.id!r} above it has no {key}, conditions or place "
                        "limit, so it takes every total",
                    )
                )
        elif not tier.conditions and not tier.limited and open_tier is None:
            open_tier = tier
        if tier.guaranteed and i == ranked[0][0]:
            problems.append(
                (
                    ("tiers", i, "bottom" if tier.bottom is not None else "min_share"),
                    f"tier {tier.id!r} is the best tier: a minimum of places pulls the "
                    "worst-ranked entities of better tiers into it, and there are none",
                )
            )
    if lowest.max_score is not None and lowest.max_score < rubric.scale.max:
        problems.append(
            (
                ("tiers", last, "max_score"),
                f"the lowest tier must accept every score: set its max_score to the scale maximum "
                f"({rubric.scale.max}) or leave it out",
            )
        )
    if lowest.min_score is not None and lowest.min_score > rubric.scale.min:
        problems.append(
            (
                ("tiers", last, "min_score"),
                f"the lowest tier must accept every score: set its min_score to the scale minimum "
                f"({rubric.scale.min}) or leave it out",
            )
        )
    if lowest.conditions:
        problems.append(
            (
                ("tiers", last, "conditions"),
                "the lowest tier is the fallback and cannot have conditions",
            )
        )
    for key in ("top", "max_share"):
        if getattr(lowest, key) is not None:
            problems.append(
                (
                    ("tiers", last, key),
                    f"the lowest tier takes every entity left over, so it cannot limit its "
                    f"places ({key})",
                )
            )
    return problems + _share_problems(rubric, ranked)


def _bound_problems(rubric: m.Rubric) -> list[Problem]:
    """A tier bound that reads the wrong way round for the rubric's total: min_score where a
    lower total is better (total: {better: lower}), max_score where a higher one is."""
    lower = rubric.total.better == "lower"
    wrong, right = ("min_score", "max_score") if lower else ("max_score", "min_score")
    why = (
        "a lower total is better here (total: {better: lower}), so a tier is reached at or "
        "below its max_score"
        if lower
        else "a higher total is better here, so a tier is reached at or above its min_score "
        "(declare total: {better: lower} for an index where a lower total is better)"
    )
    return [
        (("tiers", i, wrong), f"tier {tier.id!r} gives a {wrong}, but {why}: write {right}")
        for i, tier in enumerate(rubric.tiers)
        if getattr(tier, wrong) is not None
    ]


def unbounded_worst_problems(rubric: m.Rubric) -> list[Problem]:
    """Where a lower total is better, a missing value under policy 'worst' scores the
    indicator's highest score; an uncapped indicator has none, so the rubric is refused."""
    if rubric.total.better != "lower":
        return []
    context = Context(rubric.scale.min, rubric.scale.max)
    return [
        (
            (*where, "indicators", j, "missing"),
            f"indicator {ind.id!r} has no highest score (it is uncapped), and a lower total is "
            "better here, so a missing value cannot score worst: cap it, or use missing: error "
            "or drop",
        )
        for where, dim in rubric.located_dimensions()
        for j, ind in enumerate(dim.indicators)
        if (ind.missing or rubric.missing) == "worst"
        and not math.isfinite(method_of(ind).bounds(ind, context)[1])
    ]


def _place_rules(i: int, tier: m.Tier) -> list[Problem]:
    """Place rules of one tier that contradict each other."""
    found: list[Problem] = []
    if tier.share is not None and (tier.top is not None or tier.max_share is not None):
        found.append(
            (
                ("tiers", i, "share"),
                "a tier with a share (its band of ranks) takes no top or max_share: the band is "
                "its limit",
            )
        )
    for pool in _named(tier.min_share, tier.max_share, tier.bottom, tier.top):
        where = f" in pool {pool!r}" if pool not in ("", DEFAULT_POOL) else ""
        where = " in the pools not named" if pool == DEFAULT_POOL else where
        low, high = for_pool(tier.min_share, pool), for_pool(tier.max_share, pool)
        if low is not None and high is not None and low > high:
            found.append(
                (
                    ("tiers", i, "min_share"),
                    f"min_share ({low:g}) is greater than max_share ({high:g}){where}",
                )
            )
        least, most = for_pool(tier.bottom, pool), for_pool(tier.top, pool)
        if least is not None and most is not None and least > most:
            found.append(
                (("tiers", i, "bottom"), f"bottom ({least}) is greater than top ({most}){where}")
            )
    return found


def _named(*values: object) -> list[str]:
    """The pools these place rules name ('' for every pool when none is per pool)."""
    names: set[str] = set()
    for value in values:
        if isinstance(value, Mapping):
            names.update(value)
    return sorted(names) or [""]


def _per_pool_problems(rubric: m.Rubric) -> list[Problem]:
    """Per-pool places need pools, and every pool one rule names must be named by the others
    (or fall under their default): a pool left out has no count to use."""
    problems: list[Problem] = []
    named: set[str] = set()
    mapped: list[tuple[int, str, Mapping[str, float]]] = []
    for i, tier in enumerate(rubric.tiers):
        for key in PER_POOL:
            value = getattr(tier, key)
            if isinstance(value, Mapping):
                mapped.append((i, key, value))
                named.update(k for k in value if k != DEFAULT_POOL)
    for i, key, value in mapped:
        if not rubric.pools:
            problems.append(
                (
                    ("tiers", i, key),
                    f"{key} is given per pool, but the rubric has no pools: declare "
                    "`pools:` (the columns that split entities into pools) or give one number",
                )
            )
            continue
        left = sorted(named - set(value))
        if left and DEFAULT_POOL not in value:
            problems.append(
                (
                    ("tiers", i, key),
                    f"{key} names no count for pool{'s' if len(left) > 1 else ''} "
                    f"{', '.join(repr(p) for p in left)}, which other tiers name: add "
                    f"{'them' if len(left) > 1 else 'it'} or a {DEFAULT_POOL!r} entry",
                )
            )
    return problems


def _share_problems(rubric: m.Rubric, ranked: list[tuple[int, m.Tier]]) -> list[Problem]:
    """Shares form one run of tiers adding up to at most 1 (exactly 1 down to the lowest tier)."""
    with_share = [i for i, t in ranked if t.share is not None]
    if not with_share:
        return []
    problems: list[Problem] = []
    positions = [i for i, _ in ranked]
    first = positions.index(with_share[0])
    run = positions[first : first + len(with_share)]
    if run != with_share:
        gap = next(i for i in run if i not in with_share)
        problems.append(
            (
                ("tiers", gap),
                f"tiers with a share form one quantile scheme and are listed together, but tier "
                f"{rubric.tiers[gap].id!r} between them has no share",
            )
        )
    total = sum(rubric.tiers[i].share or 0.0 for i in with_share)
    end = ("tiers", with_share[-1], "share")
    if total > 1 + SHARE_SLACK:
        problems.append((end, f"the shares of the tiers add up to {total:g}, more than 1"))
    elif with_share[-1] == positions[-1] and total < 1 - SHARE_SLACK:
        problems.append(
            (
                end,
                f"the shares of the tiers add up to {total:g}: a scheme that reaches the lowest "
                "tier shares out the whole pool, so they must add up to 1",
            )
        )
    return problems


def _outside_problems(rubric: m.Rubric, outside: set[str]) -> list[Problem]:
    """Classes outside the ranking come last, and nothing else places an entity in them."""
    problems: list[Problem] = []
    if not outside:
        return problems
    seen_outside = False
    for i, tier in enumerate(rubric.tiers):
        if tier.id in outside:
            seen_outside = True
            rules = [
                key
                for key in (
                    "min_score",
                    "max_score",
                    "top",
                    "max_share",
                    "share",
                    "bottom",
                    "min_share",
                )
                if getattr(tier, key) is not None
            ]
            if rules or tier.conditions:
                what = ", ".join([*rules, *(["conditions"] if tier.conditions else [])])
                problems.append(
                    (
                        ("tiers", i),
                        f"tier {tier.id!r} is the class of units outside the ranking (an unrated "
                        f"veto names it), so it takes no {what}",
                    )
                )
        elif seen_outside:
            problems.append(
                (
                    ("tiers", i),
                    f"tier {tier.id!r} follows a class outside the ranking: list the classes "
                    "outside the ranking after every ranked tier",
                )
            )
    if len(outside) == len(rubric.tiers):
        problems.append((("tiers",), "every tier is outside the ranking: add a ranked tier"))
    for v, veto in enumerate(rubric.vetoes):
        if veto.kind != "unrated" and veto.tier in outside:
            problems.append(
                (
                    ("vetoes", v, "tier"),
                    f"tier {veto.tier!r} is the class outside the ranking: only unrated vetoes "
                    "place entities there",
                )
            )
    return problems
