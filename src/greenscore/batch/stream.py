"""assess_stream(): a table bigger than memory, assessed in chunks with the results of assess().

Three reads of the table, each a chunk at a time. The first takes what needs the whole cohort:
the period, ids that repeat across chunks, and each pool's cohort statistics (from the rows
assess() would score; should a row then fail to score, the first two reads run again without
it, as assess() re-scores without its failed rows). The second scores every chunk against those
frozen statistics, with place limits left out, and keeps four numbers a row (total, tier,
eligible tiers, pool) so that places and ranks are decided once over the whole period by the
same functions as in memory. The third scores each chunk again and hands its results, with the
decided tiers and ranks, to a sink. Memory is bounded by the chunk, plus a few bytes per row and
each cohort input's values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from greenscore.batch.assess import Errors, consequence_columns, flagged_frame
from greenscore.batch.inputs import prepare
from greenscore.batch.stream_chunks import (
    Chunks,
    assess_chunk,
    in_period,
    period_rows,
    scored_rows,
)
from greenscore.engine.decide import eligibility
from greenscore.engine.inputs import PeriodKey, period_key, period_order
from greenscore.engine.places import MIN_COHORT, Pools, place, ranks, unrated
from greenscore.engine.plan import Plan, compile_rubric
from greenscore.errors import DataProblem, ProfileError, StreamingError
from greenscore.rubric import models as m
from greenscore.rubric.load import RubricLike, load_rubric

_PLACE_KEYS = ("top", "max_share", "share", "bottom", "min_share")
_MAX_ROUNDS = 5


@dataclass
class StreamResult:
    """What a streamed assessment found besides the results the sink received."""

    accounting: dict[str, int]
    flagged: pd.DataFrame
    problems: tuple[DataProblem, ...]
    period: PeriodKey | None
    reads: int
    results: pd.DataFrame | None = None


@dataclass
class _Survey:
    """The first read: periods, repeated ids and the values cohort statistics are taken from."""

    rows: int = 0
    period_counts: dict[PeriodKey, int] = field(default_factory=dict)
    keys: list[np.ndarray] = field(default_factory=list)
    key_positions: list[np.ndarray] = field(default_factory=list)
    key_periods: list[np.ndarray] = field(default_factory=list)
    positions: list[np.ndarray] = field(default_factory=list)
    periods: list[np.ndarray] = field(default_factory=list)
    pools: list[np.ndarray] = field(default_factory=list)
    ranked: list[np.ndarray] = field(default_factory=list)
    values: dict[str, list[np.ndarray]] = field(default_factory=dict)


def _place_free(rubric: m.Rubric, cohort: Any) -> m.Rubric:
    """The rubric with these frozen statistics and no place limits or minimums."""
    tiers = [t.model_copy(update=dict.fromkeys(_PLACE_KEYS)) for t in rubric.tiers]
    return rubric.model_copy(update={"cohort": cohort, "tiers": tiers})


def _refuse_unstreamable(plan: Plan) -> None:
    if plan.history_inputs:
        names = ", ".join(sorted(plan.history_inputs))
        raise StreamingError(
            f"rubric {plan.rubric.name!r}: derived inputs take history statistics of {names}, "
            "which need each entity's earlier periods side by side; assess this table in "
            "memory (without --chunk-rows)"
        )


def _key_hashes(entities: np.ndarray, periods: np.ndarray) -> np.ndarray:
    keyed = pd.DataFrame({"e": entities, "p": periods}, dtype=object).astype(str)
    hashed: np.ndarray = pd.util.hash_pandas_object(keyed, index=False).to_numpy(np.uint64)
    return hashed


def _survey(plan: Plan, chunks: Chunks, excluded: set[int]) -> _Survey:
    s = _Survey()
    names = sorted({step.spec.inputs[0] for step in plan.counted_steps})
    s.values = {name: [] for name in names}
    for chunk in chunks():
        prepared = prepare(chunk, plan)
        n = prepared.n
        start = s.rows
        s.rows += n
        periods = prepared.periods
        for key in periods[~np.asarray(pd.isna(periods), dtype=bool)].tolist():
            s.period_counts[key] = s.period_counts.get(key, 0) + 1
        complete = np.asarray(pd.notna(prepared.entities), dtype=bool)
        if prepared.has_period:
            complete &= np.asarray(pd.notna(periods), dtype=bool)
        at = np.flatnonzero(complete)
        s.keys.append(_key_hashes(prepared.entities[at], periods[at]))
        s.key_positions.append(at + start)
        s.key_periods.append(periods[at])
        if prepared.column_problems:
            continue
        ok = np.ones(n, dtype=bool)
        ok[list(prepared.cell_problems)] = False
        ok[[i - start for i in excluded if start <= i < start + n]] = False
        rows = np.flatnonzero(ok)
        if not names or rows.size == 0:
            continue
        columns = {name: prepared.columns[name][rows] for name in plan.inputs}
        values = plan.derive(columns, rows.size)[0]
        outside = unrated(plan, values, rows.size)[0]
        s.positions.append(rows + start)
        s.periods.append(periods[rows])
        labels = prepared.pools[rows] if prepared.pools is not None else np.full(rows.size, "")
        s.pools.append(np.asarray(labels, dtype=object))
        s.ranked.append(outside < 0)
        for name in names:
            s.values[name].append(values[name])
    return s


def _choose(plan: Plan, survey: _Survey, period: Any, name: str) -> PeriodKey | None:
    keys = sorted(survey.period_counts, key=period_order)
    if period is None and len(keys) > 1:
        raise StreamingError(
            f"{name} holds the periods {', '.join(map(str, keys))}: name the one to assess "
            "(--period) when streaming a table of several periods"
        )
    chosen = keys[0] if keys else None
    if period is not None:
        chosen = period_key(period)
        if chosen not in survey.period_counts:
            held = ", ".join(map(str, keys)) or "none"
            raise ProfileError(
                [
                    DataProblem(
                        plan.rubric.period, period, f"no row of period {period} (held: {held})"
                    )
                ],
                source=name,
            )
    earlier = [] if chosen is None else [k for k in keys if period_order(k) < period_order(chosen)]
    if earlier:
        raise StreamingError(
            f"{name} holds periods before {chosen} ({', '.join(map(str, earlier))}), which an "
            "assessment compares it with (score and rank changes, transitions); streaming "
            "assesses one period alone: split the table by period, or assess it in memory"
        )
    return chosen


def _repeated(survey: _Survey, chosen: PeriodKey | None) -> set[int]:
    """Positions whose (entity, period) hash repeats within the chosen period: rows whose
    duplicate check must see each other (a hash collision only groups rows needlessly)."""
    if not survey.keys:
        return set()
    keys = np.concatenate(survey.keys)
    positions = np.concatenate(survey.key_positions)
    keep = in_period(np.concatenate(survey.key_periods), chosen)
    keys, positions = keys[keep], positions[keep]
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    return set(positions[counts[inverse] > 1].tolist())


def _cohort(
    plan: Plan, survey: _Survey, chosen: PeriodKey | None, skip: set[int], name: str
) -> Any:
    """Each pool's statistics from the rows assess() would take them from, frozen as calibrate()
    freezes them (keyed by pool when the rubric has pools)."""
    if not plan.counted_steps:
        return plan.rubric.cohort
    if survey.positions:
        positions = np.concatenate(survey.positions)
        keep = in_period(np.concatenate(survey.periods), chosen)
        keep &= ~np.isin(positions, np.fromiter(skip, dtype=np.int64, count=len(skip)))
        labels = np.concatenate(survey.pools)[keep]
        ranked = np.concatenate(survey.ranked)[keep]
        values = {k: np.concatenate(v)[keep] for k, v in survey.values.items()}
    else:
        labels, ranked, values = np.zeros(0, dtype=object), np.zeros(0, dtype=bool), {}
    pools = Pools.of(labels if plan.pooled else None, len(labels))
    frozen = plan.rubric.cohort or {}
    out: dict[str, Any] = {}
    for p, label in enumerate(pools.labels):
        members = pools.members[p]
        rows = members[ranked[members]]
        for step in plan.counted_steps:
            valid = int((~np.isnan(values[step.spec.inputs[0]][rows])).sum())
            if 0 < valid < MIN_COHORT:
                raise StreamingError(
                    f"{name}: indicator {step.id!r} would compare a value with fewer than "
                    f"{MIN_COHORT} valid values of pool {label!r}; assess this table in memory "
                    "(without --chunk-rows) to see those rows flagged"
                )
        stats = {
            step: {
                key: value.astype(float).tolist() if isinstance(value, np.ndarray) else value
                for key, value in found.items()
            }
            for step, found in plan.cohort_statistics(values, rows).items()
        }
        out[label] = {**stats, **(frozen.get(label, {}) if plan.pooled else frozen)}
    if plan.pooled:
        return out
    return out.get("", {**frozen})


@dataclass
class _Decided:
    """The second read: per scored row (by position) what places and ranks are decided from."""

    positions: np.ndarray
    tier: np.ndarray
    total: np.ndarray
    eligible: np.ndarray
    fixed: np.ndarray
    ranked: np.ndarray
    pools: np.ndarray
    clamped: bool
    flagged: np.ndarray
    problems: list[DataProblem]

    def final(self, plan: Plan) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Tiers after places, and the rank columns, as assess() decides them on the whole
        period (engine/places.py); unranked rows keep their class outside the ranking."""
        n = len(self.positions)
        pools = Pools.of(self.pools if plan.pooled else None, n)
        merit = plan.sign * self.total
        placed, _ = place(plan, self.tier, merit, self.eligible, self.fixed, pools, self.ranked)
        tier = np.where(self.ranked, placed, self.tier)
        codes = {"rank": np.where(self.ranked, pools.code, -1)}
        if plan.pooled:
            codes["overall_rank"] = np.where(self.ranked, 0, -1)
        return tier, {column: ranks(tier, merit, code) for column, code in codes.items()}

    def release(self) -> None:
        """Drop what places were decided from, once they are: the third read needs the rest."""
        empty = np.zeros(0)
        self.total = self.tier = self.fixed = self.pools = empty
        self.eligible = np.zeros((0, 0), dtype=bool)


def _decide(
    plan: Plan, frozen: m.Rubric, chunks: Chunks, chosen: PeriodKey | None, grouped: set[int]
) -> _Decided:
    frozen_plan = compile_rubric(frozen)
    parts: dict[str, list[np.ndarray]] = {
        k: [] for k in ("pos", "tier", "total", "elig", "fixed", "ranked", "pools")
    }
    flagged: list[np.ndarray] = []
    problems: list[DataProblem] = []
    clamped = False
    for source, positions, holds in period_rows(plan, chunks, chosen, grouped):
        result = assess_chunk(source, frozen, chosen, holds)
        if result is None:
            continue
        problems += result.problems
        done, bad = scored_rows(result, source, positions)
        flagged.append(np.fromiter(bad, dtype=np.int64, count=len(bad)))
        s = result.scores
        parts["pos"].append(done)
        parts["tier"].append(np.asarray(s.tier, dtype=np.intp))
        parts["total"].append(np.asarray(s.total, dtype=float))
        parts["elig"].append(eligibility(frozen_plan, s))
        parts["fixed"].append(np.asarray(s.fixed, dtype=bool))
        parts["ranked"].append(np.asarray(s.ranked, dtype=bool))
        parts["pools"].append(np.asarray(s.pools.labels, dtype=object)[s.pools.code])
        clamped = clamped or bool(np.asarray(s.clamped).any())
    tiers = len(plan.rubric.tiers)
    empty = {
        "pos": np.int64,
        "tier": np.intp,
        "total": float,
        "fixed": bool,
        "ranked": bool,
        "pools": object,
    }
    joined = {
        k: np.concatenate(v) if v else np.zeros(0, dtype=empty.get(k, bool))
        for k, v in parts.items()
    }
    if not parts["elig"]:
        joined["elig"] = np.zeros((0, tiers), dtype=bool)
    order = np.argsort(joined["pos"], kind="stable")
    return _Decided(
        positions=joined["pos"][order],
        tier=joined["tier"][order],
        total=joined["total"][order],
        eligible=joined["elig"][order],
        fixed=joined["fixed"][order],
        ranked=joined["ranked"][order],
        pools=joined["pools"][order],
        clamped=clamped,
        flagged=np.concatenate(flagged) if flagged else np.zeros(0, dtype=np.int64),
        problems=problems,
    )


def _finish(
    plan: Plan,
    frame: pd.DataFrame,
    tier: np.ndarray,
    rank_columns: dict[str, np.ndarray],
    ranked: np.ndarray,
    clamped: bool,
) -> pd.DataFrame:
    """A chunk's results with the tiers and ranks decided over the whole period."""
    rubric = plan.rubric
    tiers = rubric.tiers
    frame = frame.copy()
    if clamped and "clamped_from" not in frame.columns:
        frame.insert(list(frame.columns).index("tier"), "clamped_from", np.nan)
    frame["tier"] = np.array([t.id for t in tiers], dtype=object)[tier]
    frame["tier_label"] = np.array([t.label for t in tiers], dtype=object)[tier]
    frame["consequence_kind"] = np.array([t.consequence.kind for t in tiers], dtype=object)[tier]
    frame["consequence"] = np.array([t.consequence.text for t in tiers], dtype=object)[tier]
    for column, values in consequence_columns(rubric, tier).items():
        frame[column] = values
    for column, found in rank_columns.items():
        frame[column] = (
            pd.Series(found, dtype="Int64").mask(~ranked).array if plan.unrated_vetoes else found
        )
    return frame


def assess_stream(
    chunks: Chunks,
    rubric: RubricLike = None,
    *,
    period: Any = None,
    errors: Errors = "raise",
    sink: Callable[[pd.DataFrame], None] | None = None,
    collect: bool = False,
    name: str = "<chunks>",
) -> StreamResult:
    """Assess a table given as chunks, with the results assess() gives on the whole table.

    ``sink`` receives each chunk's results frame in file order; ``collect`` also keeps them all
    in ``StreamResult.results`` (for tables that fit, and tests). Refused with StreamingError:
    history statistics, a table of several periods without ``period``, a pool whose cohort
    statistic would rest on a single value. Transitions against an earlier period are not made.
    """
    if errors not in ("raise", "flag"):
        raise ValueError(f"errors must be 'raise' or 'flag', not {errors!r}")
    loaded = load_rubric(rubric)
    plan = compile_rubric(loaded)
    _refuse_unstreamable(plan)
    excluded: set[int] = set()
    reads = 0
    for _ in range(_MAX_ROUNDS):
        survey = _survey(plan, chunks, excluded)
        reads += 1
        if survey.rows == 0:
            raise ProfileError(
                [DataProblem("<table>", None, "the table has no data rows: nothing to assess")],
                source=name,
            )
        chosen = _choose(plan, survey, period, name)
        grouped = _repeated(survey, chosen)
        skip = excluded | grouped
        cohort = _cohort(plan, survey, chosen, skip, name)
        frozen = _place_free(loaded, cohort)
        decided = _decide(plan, frozen, chunks, chosen, grouped)
        reads += 1
        if not plan.counted_steps:
            break
        flagged = set(decided.flagged.tolist())
        candidates = np.concatenate(survey.positions) if survey.positions else np.zeros(0, int)
        failed = {int(i) for i in np.intersect1d(decided.flagged, candidates)} - skip
        wrongly_grouped = grouped - flagged
        if not failed and not wrongly_grouped:
            break
        excluded |= failed
        if wrongly_grouped:
            raise StreamingError(
                f"{name}: two different ids share a hash; assess this table in memory"
            )
    else:
        raise StreamingError(f"{name}: rows kept failing as statistics changed; assess in memory")
    if errors == "raise" and decided.problems:
        raise ProfileError(decided.problems, source=name)
    tier, rank_columns = decided.final(plan)
    input_rows = survey.rows
    del survey
    decided.release()
    files: dict[str | None, int] = {}
    kept: list[pd.DataFrame] = []
    blank: pd.DataFrame | None = None
    problems: list[tuple[tuple[int, int], DataProblem]] = []
    for source, positions, holds in period_rows(plan, chunks, chosen, grouped):
        result = assess_chunk(source, frozen, chosen, holds)
        if result is None:
            continue
        file = files.setdefault(source.path, len(files))
        problems += [((file, p.row or 0), p) for p in result.problems]
        done, _ = scored_rows(result, source, positions)
        at = np.searchsorted(decided.positions, done)
        frame = _finish(
            plan,
            result.results,
            tier[at],
            {k: v[at] for k, v in rank_columns.items()},
            decided.ranked[at],
            decided.clamped,
        )
        if len(frame) == 0:
            blank = frame if blank is None else blank
            continue
        if sink is not None:
            sink(frame)
        if collect:
            kept.append(frame)
    reads += 1
    ordered = tuple(p for _, p in sorted(problems, key=lambda item: item[0]))
    flagged_rows = len({key for key, _ in problems})
    scored = len(decided.positions)
    accounting = {
        "input_rows": input_rows,
        "scored": scored,
        "flagged": flagged_rows,
        "other_periods": input_rows - scored - flagged_rows,
    }
    if not kept and blank is not None and sink is not None:
        sink(blank)
    frames = kept or ([blank] if blank is not None else [])
    results = pd.concat(frames, ignore_index=True) if collect and frames else None
    return StreamResult(accounting, flagged_frame(ordered), ordered, chosen, reads, results)
