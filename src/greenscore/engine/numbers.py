"""A cell's number: Python's float() with each way it fails worded, overflow apart from 'inf'."""

from __future__ import annotations

import math
from typing import Any

OVERFLOWS = "overflows: the number is too large (beyond ±1.8e308)"


def finite_float(value: Any) -> float | str:
    """float(value) for a number or numeric text, or why it is no finite number.

    Text or an integer beyond the float range overflows; text spelling out 'inf' or 'nan', or a
    float that is one, is not finite.
    """
    try:
        number = float(value)
    except OverflowError:
        return OVERFLOWS
    except (ValueError, TypeError):
        return "expected a number"
    if math.isinf(number) and isinstance(value, str) and "inf" not in value.lower():
        return OVERFLOWS
    if not math.isfinite(number):
        return "expected a finite number"
    return number
