"""Which period a table is assessed for: the one asked for, or the latest one that looks right."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from greenscore.batch.inputs import Prepared
from greenscore.engine.inputs import PeriodKey, period_key, period_order
from greenscore.errors import DataProblem, ProfileError


def choose_period(prepared: Prepared, period: Any) -> PeriodKey | None:
    rubric = prepared.rubric
    keys = prepared.period_keys()
    if period is None:
        if len(keys) > 1:
            tally = Counter(prepared.periods.tolist())
            counts = {k: tally[k] for k in keys}
            latest, largest = keys[-1], max(counts.values())
            common = max(keys, key=lambda k: counts[k])
            numeric = isinstance(latest, int) and isinstance(keys[-2], int)
            jump = numeric and int(latest) - int(keys[-2]) > 1
            odd_kind = isinstance(latest, str) != isinstance(common, str)
            if (odd_kind or jump) and counts[latest] * 2 < largest:
                held = ", ".join(f"{k} ({counts[k]} rows)" for k in keys)
                raise ProfileError(
                    [
                        DataProblem(
                            rubric.period,
                            latest,
                            f"the latest period {latest} holds only {counts[latest]} of the rows "
                            f"(periods: {held}); a mistyped period? Name the period to assess "
                            "(--period / period=)",
                        )
                    ],
                    source=prepared.source.name,
                )
        return keys[-1] if keys else None
    wanted = period_key(period)
    if not prepared.has_period:
        raise ProfileError(
            [
                DataProblem(
                    rubric.period,
                    period,
                    f"period {period!r} was asked for, but the data have no {rubric.period!r} "
                    "column",
                )
            ],
            source=prepared.source.name,
        )
    if wanted not in keys:
        held = ", ".join(str(k) for k in keys) or "none"
        raise ProfileError(
            [
                DataProblem(
                    rubric.period,
                    period,
                    f"no rows for period {period!r}; the data hold periods: {held}",
                )
            ],
            source=prepared.source.name,
        )
    return wanted


def earlier_periods(keys: Sequence[PeriodKey], chosen: PeriodKey | None) -> list[PeriodKey]:
    if chosen is None:
        return []
    return [k for k in keys if period_order(k) < period_order(chosen)]
