"""Which tiers break the best-first order: those outside a longest strictly decreasing run (both
of two swapped tiers, as either may be the one to move)."""

from __future__ import annotations

from collections.abc import Sequence

from greenscore.methods.base import fmt


def _kept(scores: Sequence[float], *, later: bool) -> list[int]:
    """Indices of a longest strictly decreasing subsequence, preferring later or earlier tiers."""
    n = len(scores)
    order = list(range(n)) if later else list(range(n - 1, -1, -1))
    longest = dict.fromkeys(order, 1)
    for a, i in enumerate(order):
        for j in order[:a]:
            if (scores[j] > scores[i]) == later and scores[j] != scores[i]:
                longest[i] = max(longest[i], longest[j] + 1)
    kept: list[int] = []
    want = max(longest.values(), default=0)
    for i in reversed(order):
        fits = not kept or (
            (scores[i] > scores[kept[-1]]) == later and scores[i] != scores[kept[-1]]
        )
        if longest[i] == want and fits:
            kept.append(i)
            want -= 1
    return sorted(kept)


def out_of_order(
    tiers: Sequence[tuple[str, float]], key: str = "min_score"
) -> list[tuple[int, str]]:
    """Each tier (id, score bound) out of the best-first order, by index, with what is wrong:
    min_scores strictly decrease, max_scores (a lower total better) strictly increase."""
    sign = -1.0 if key == "max_score" else 1.0
    scores = [sign * score for _, score in tiers]
    runs = (_kept(scores, later=True), _kept(scores, later=False))
    trend = "increasing" if sign < 0 else "decreasing"
    rule = f"list tiers best first, with strictly {trend} {key}"
    above, below = ("below", "above") if sign < 0 else ("above", "below")
    problems: list[tuple[int, str]] = []
    for i, (tier, written) in enumerate(tiers):
        score = scores[i]
        outside = [run for run in runs if i not in run]
        if not outside:
            continue
        kept = outside[0]
        before = [k for k in kept if k < i]
        after = [k for k in kept if k > i]
        same = [k for k in (before[-1:] + after[:1]) if scores[k] == score]
        if same and same[0] > i:
            continue
        if same:
            other = tiers[same[0]][0]
            problems.append(
                (i, f"tier {tier!r} has the same {key} as {other!r} ({fmt(written)}): {rule}")
            )
        elif before and score > scores[before[-1]]:
            other, limit = tiers[before[-1]][0], fmt(tiers[before[-1]][1])
            problems.append(
                (
                    i,
                    f"tier {tier!r} is out of order: its {key} {fmt(written)} is {above} "
                    f"that of {other!r} ({limit}), listed before it; {rule}",
                )
            )
        else:
            other, limit = tiers[after[0]][0], fmt(tiers[after[0]][1])
            problems.append(
                (
                    i,
                    f"tier {tier!r} is out of order: its {key} {fmt(written)} is {below} "
                    f"that of {other!r} ({limit}), listed after it; {rule}",
                )
            )
    return problems
