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


def out_of_order(tiers: Sequence[tuple[str, float]]) -> list[tuple[int, str]]:
    """Each tier (id, min_score) out of the best-first order, by index, with what is wrong."""
    scores = [score for _, score in tiers]
    runs = (_kept(scores, later=True), _kept(scores, later=False))
    rule = "list tiers best first, with strictly decreasing min_score"
    problems: list[tuple[int, str]] = []
    for i, (tier, score) in enumerate(tiers):
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
                (i, f"tier {tier!r} has the same min_score as {other!r} ({fmt(score)}): {rule}")
            )
        elif before and score > scores[before[-1]]:
            other, limit = tiers[before[-1]][0], fmt(scores[before[-1]])
            problems.append(
                (
                    i,
                    f"tier {tier!r} is out of order: its min_score {fmt(score)} is above that "
                    f"of {other!r} ({limit}), listed before it; {rule}",
                )
            )
        else:
            other, limit = tiers[after[0]][0], fmt(scores[after[0]])
            problems.append(
                (
                    i,
                    f"tier {tier!r} is out of order: its min_score {fmt(score)} is below that "
                    f"of {other!r} ({limit}), listed after it; {rule}",
                )
            )
    return problems
