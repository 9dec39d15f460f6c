"""Scoring kernels: plain numpy functions from raw values to normalised values (0 worst, 1 best).

They trust their arguments (the rubric models validated them once at load time) and propagate NaN
as missing; callers hold np.errstate(all="ignore").
"""

from __future__ import annotations

import numpy as np

FloatArray = np.ndarray


def linear(
    x: FloatArray,
    worst: float | FloatArray,
    best: float | FloatArray,
    *,
    cap: bool | FloatArray = True,
    log: bool | FloatArray = False,
) -> FloatArray:
    """(x − worst) / (best − worst), floored at 0, capped at 1 where cap; on log10 where log.

    Parameters broadcast over the last axis, so one call scores a whole group of indicators.
    """
    if np.any(log):
        logged = np.log10(np.where(x > 0, x, np.nan))
        x_t = np.where(log, np.where(x > 0, logged, -np.inf), x)
        worst = np.where(log, np.log10(np.where(log, worst, 1.0)), worst)
        best = np.where(log, np.log10(np.where(log, best, 1.0)), best)
    else:
        x_t = x
    u = np.fmax((x_t - worst) / (np.subtract(best, worst)), 0.0)
    u = np.where(cap, np.fmin(u, 1.0), u)
    return np.where(np.isnan(x), np.nan, u)


def bands(x: FloatArray, lows: FloatArray, points_u: FloatArray) -> FloatArray:
    """The normalised points of the band [low_i, low_{i+1}) holding x.

    One indicator: x (rows), lows and points (bands). A group: x (indicators × rows), lows and
    points (indicators × bands), each row of lows sorted from −inf and padded with +inf.
    """
    if x.ndim == 1:
        return bands(x[None, :], lows[None, :], points_u[None, :])[0]
    index = (x[:, :, None] >= lows[:, None, :]).sum(axis=2) - 1
    u = np.take_along_axis(points_u, np.maximum(index, 0), axis=1)
    return np.where(np.isnan(x), np.nan, u)


def target(
    x: FloatArray,
    goal: float | FloatArray,
    tolerance: float | FloatArray,
    worst_distance: float | FloatArray,
) -> FloatArray:
    """1 within tolerance of the target, falling linearly to 0 at worst_distance from it."""
    distance = np.abs(x - goal)
    return 1.0 - np.clip((distance - tolerance) / (worst_distance - tolerance), 0.0, 1.0)


def checklist(items: FloatArray, points: FloatArray, at_least: int | None) -> FloatArray:
    """Share of checklist points achieved (items: rows × items of 0/1); 0 below at_least items."""
    achieved = items @ points / points.sum()
    if at_least is not None:
        achieved = np.where(items.sum(axis=1) < at_least, 0.0, achieved)
    return np.where(np.isnan(items).any(axis=1), np.nan, achieved)


def categorical(codes: FloatArray, points_u: FloatArray) -> FloatArray:
    """The normalised points of each category code (codes index the declared categories).

    One indicator: codes (rows), points (categories); a group: codes (indicators × rows), points
    (indicators × categories, padded).
    """
    if codes.ndim == 1:
        return categorical(codes[None, :], points_u[None, :])[0]
    safe = np.where(np.isnan(codes), 0, codes).astype(np.intp)
    return np.where(np.isnan(codes), np.nan, np.take_along_axis(points_u, safe, axis=1))


def minmax(x: FloatArray, low: float, high: float) -> FloatArray:
    """Min–max over a cohort's range, clipped to [0, 1]; a constant cohort scores everyone best."""
    if not high > low:
        return np.where(np.isnan(x), np.nan, 1.0)
    return np.clip((x - low) / (high - low), 0.0, 1.0)


def percentile(x: FloatArray, reference: FloatArray) -> FloatArray:
    """Mid-rank percentile of x within the sorted reference values: ties share the average rank."""
    n = len(reference)
    if n <= 1:
        return np.where(np.isnan(x), np.nan, 1.0)
    clean = np.where(np.isnan(x), 0.0, x)
    below = np.searchsorted(reference, clean, side="left")
    at_most = np.searchsorted(reference, clean, side="right")
    mid_rank = (below + np.maximum(at_most - 1, below)) / 2.0
    return np.where(np.isnan(x), np.nan, np.clip(mid_rank / (n - 1), 0.0, 1.0))


def zscore(x: FloatArray, mean: float, std: float, spread: float) -> FloatArray:
    """z-scores from −spread to +spread mapped linearly onto [0, 1]; a constant cohort scores 0.5."""
    if not std > 0:
        return np.where(np.isnan(x), np.nan, 0.5)
    return np.clip(((x - mean) / std + spread) / (2.0 * spread), 0.0, 1.0)
