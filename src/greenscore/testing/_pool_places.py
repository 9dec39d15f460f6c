"""Place counts and shares given per pool in generated rubrics (issue 9)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from greenscore.rubric.places import DEFAULT_POOL

_OTHER_VALUES: dict[str, list[Any]] = {
    "top": [1, 2, 3],
    "max_share": [0.1, 0.25, 0.5],
    "bottom": [1, 2],
    "min_share": [0.05, 0.1],
}


def per_pool_places(draw: st.DrawFn, tiers: list[dict[str, Any]], pools: tuple[str, ...]) -> None:
    """Give some place rules of these tiers per pool: the drawn value for the first pool and
    another for the second pool, named or as the ``default`` entry. Per pool, a bottom never
    exceeds the top, nor a min_share the max_share, of the same tier."""
    first, second = pools[0], pools[1]
    for tier in tiers:
        for key, choices in _OTHER_VALUES.items():
            if key not in tier or draw(st.integers(0, 2)):
                continue
            other = draw(st.sampled_from(choices))
            if key == "bottom" and "top" in tier:
                other = 1
            tier[key] = {first: tier[key], draw(st.sampled_from([second, DEFAULT_POOL])): other}
