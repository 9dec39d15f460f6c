"""Place counts and shares that are one number for every pool or a number per pool label."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Discriminator, Field, Tag

Share = Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]
Places = Annotated[int, Field(ge=1, le=1_000_000, strict=True)]
PoolKey = Annotated[str, Field(min_length=1)]
BRANCH_TAGS = ("every_pool", "per_pool")
"""The tags of the one-or-per-pool unions, which error locations leave out."""


def _branch(value: Any) -> str:
    return BRANCH_TAGS[1] if isinstance(value, dict) else BRANCH_TAGS[0]


PlacesByPool = Annotated[
    Annotated[Places, Tag(BRANCH_TAGS[0])]
    | Annotated[dict[PoolKey, Places], Field(min_length=1), Tag(BRANCH_TAGS[1])],
    Discriminator(_branch),
]
"""A count of places: one for every pool, or per pool label (``default``: pools not named)."""
ShareByPool = Annotated[
    Annotated[Share, Tag(BRANCH_TAGS[0])]
    | Annotated[dict[PoolKey, Share], Field(min_length=1), Tag(BRANCH_TAGS[1])],
    Discriminator(_branch),
]
"""A share of places: one for every pool, or per pool label (``default``: pools not named)."""
