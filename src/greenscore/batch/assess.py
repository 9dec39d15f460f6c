"""assess(): score a whole table through the one compiled plan, accounting for every input row.

Every row ends up scored, flagged or of another period; BatchResult (batch/result.py) states the
accounting. Periods are chosen in batch/periods.py, compared with last year's in batch/compare.py.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from greenscore.batch.compare import compare_periods
from greenscore.batch.inputs import ArrowTabular, Prepared, arrow_frame, prepare
from greenscore.batch.periods import choose_period, earlier_periods
from greenscore.batch.result import BatchResult
from greenscore.batch.text import FLAGGED_COLUMNS
from greenscore.batch.track import apply_track
from greenscore.batch.track_history import HISTORY_PREFIX, merged_periods, read_history
from greenscore.engine.evaluate import failed_rows, row_problems
from greenscore.engine.inputs import PeriodKey, lag_columns, period_order
from greenscore.engine.places import ranks, thin_pools
from greenscore.engine.plan import Plan, compile_rubric
from greenscore.engine.scores import Scores
from greenscore.errors import DataProblem, InputFileError, ProfileError
from greenscore.io import TableSource, from_frame, make_provenance, read_table
from greenscore.rubric import models as m
from greenscore.rubric.load import RubricLike, load_rubric

DataLike = pd.DataFrame | ArrowTabular | str | os.PathLike[str] | TableSource
Errors = Literal["raise", "flag"]


class _Progress:
    """A tqdm bar on stderr when asked for and tqdm is installed; otherwise nothing."""

    def __init__(self, enabled: bool, total: int, description: str) -> None:
        self.bar: Any = None
        if enabled:
            try:
                from tqdm import tqdm
            except ImportError:
                return
            self.bar = tqdm(total=total, desc=description, unit="step", leave=False)

    def tick(self) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def as_source(data: DataLike) -> TableSource:
    """A DataFrame, Arrow tabular data (pyarrow, polars…), a path or an already read
    TableSource as a TableSource."""
    if isinstance(data, TableSource):
        return data
    if isinstance(data, pd.DataFrame):
        return from_frame(data)
    if isinstance(data, str | os.PathLike):
        return read_table(data)
    if isinstance(data, ArrowTabular):
        return from_frame(arrow_frame(data))
    if type(data).__module__.split(".")[0] == "dask" and hasattr(data, "compute"):
        return from_frame(data.compute())
    raise TypeError(
        "data must be a pandas DataFrame, a pyarrow Table, a polars DataFrame (or other table "
        "with the Arrow stream interface) or a path to a .csv, .xlsx, .parquet or .jsonl file, "
        f"not {type(data).__name__}"
    )


def assess(
    data: DataLike,
    rubric: RubricLike = None,
    *,
    period: Any = None,
    previous: BatchResult | DataLike | None = None,
    errors: Errors = "raise",
    progress: bool = False,
    history: Iterable[str | os.PathLike[str]] | str | os.PathLike[str] = (),
) -> BatchResult:
    """Assess every park of one period (default: the latest) through the same plan as evaluate().

    ``data`` is a path (.csv, .xlsx, .parquet, .jsonl), a pandas DataFrame, a table with the
    Arrow stream interface (pyarrow Table, polars DataFrame…), read through pyarrow, or a Dask
    DataFrame, computed whole (for one bigger than memory, see greenscore.batch.on_dask).

    ``previous`` (last year's BatchResult, or its data, assessed here with the same rubric) adds
    score and rank changes, previous tiers and a transition matrix; when None and the data hold
    an earlier period, the latest earlier one is used. ``errors="raise"`` raises one ProfileError
    listing every problem; ``"flag"`` scores the valid rows and lists the others in ``flagged``.
    ``history`` names result folders greenscore wrote for earlier periods, read (and checked)
    instead of scoring those periods when the rubric has track rules (docs/track-records.md).
    """
    if errors not in ("raise", "flag"):
        raise ValueError(f"errors must be 'raise' or 'flag', not {errors!r}")
    loaded = load_rubric(rubric)
    folders = [history] if isinstance(history, str | os.PathLike) else list(history)
    if folders and loaded.track is None:
        raise InputFileError(
            "history folders were given, but the rubric has no track rules to read"
        )
    plan = compile_rubric(loaded)
    source = as_source(data)
    bar = _Progress(progress, len(plan.inputs) + 2, "assessing")
    try:
        prepared = prepare(source, plan, bar.tick)
        if prepared.n == 0:
            raise ProfileError(
                [DataProblem("<table>", None, "the table has no data rows: nothing to assess")],
                source=source.name,
            )
        chosen = choose_period(prepared, period)
        prior = _prior(prepared, plan, chosen, previous)
        bar.tick()
        result = _assess_period(prepared, plan, chosen, errors, prior)
        if loaded.track is not None:
            result = _with_track(prepared, plan, result, errors, folders)
        bar.tick()
    finally:
        bar.close()
    return result


def _prior(
    prepared: Prepared, plan: Plan, chosen: PeriodKey | None, previous: Any
) -> BatchResult | None:
    if isinstance(previous, BatchResult):
        return previous
    if previous is None:
        earlier = earlier_periods(prepared.period_keys(), chosen)
        return _assess_period(prepared, plan, earlier[-1], "flag", None) if earlier else None
    other = prepare(as_source(previous), plan)
    keys = other.period_keys()
    earlier = earlier_periods(keys, chosen)
    if keys and not earlier and chosen is not None:
        raise ProfileError(
            [
                DataProblem(
                    plan.rubric.period,
                    keys[-1],
                    f"the previous data hold no period before {chosen} (they hold "
                    f"{', '.join(map(str, keys))}): is it really last year's file?",
                )
            ],
            source=other.source.name,
        )
    pick = earlier[-1] if earlier else (keys[-1] if keys else None)
    return _assess_period(other, plan, pick, "flag", None)


def _with_track(
    prepared: Prepared,
    plan: Plan,
    result: BatchResult,
    errors: Errors,
    history: Iterable[str | os.PathLike[str]],
) -> BatchResult:
    """The result with the rubric's track rules applied over every period up to this one, each
    scored with the same plan, or read from a history folder when one holds it; a row of an
    earlier period that does not score raises (errors="raise") or leaves a gap in that entity's
    record, named in its explanation ("flag")."""
    recorded = read_history(history, plan.rubric, result.period)
    folders = {period_order(r.period): r for r in recorded}
    keys = merged_periods(recorded, earlier_periods(prepared.period_keys(), result.period))
    prior = result.previous
    earlier: list[tuple[pd.DataFrame, pd.DataFrame]] = []
    for key in keys:
        if period_order(key) in folders:
            earlier.append((folders[period_order(key)].results, flagged_frame(())))
            continue
        reuse = (
            prior is not None
            and prior.prepared is prepared
            and prior.period == key
            and prior.flagged.empty
        )
        done = (
            prior
            if reuse and prior is not None
            else _assess_period(prepared, plan, key, errors, None)
        )
        earlier.append((done.results, done.flagged))
    results, outcome = apply_track(
        plan.rubric,
        result.results,
        [*keys, result.period],
        [frame for frame, _ in earlier],
        flagged=[flagged for _, flagged in earlier],
        sources={r.period: f"{r.path}, rubric {r.rubric}" for r in recorded},
    )
    provenance = replace(
        result.provenance,
        other_inputs=(
            *result.provenance.other_inputs,
            *(f"{HISTORY_PREFIX}{r.path}" for r in recorded),
        ),
    )
    return replace(result, results=results, track=outcome, provenance=provenance)


def _lag_rows(
    prepared: Prepared, plan: Plan, prior: BatchResult | None
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Entities, periods and input values of this table plus the previous one's rows it lacks."""
    entities, periods = prepared.entities, prepared.periods
    values = {name: prepared.columns[name] for name in plan.history_inputs}
    other = prior.prepared if prior is not None else None
    if other is None or other is prepared:
        return entities, periods, values
    here = set(zip(entities.tolist(), periods.tolist(), strict=True))
    extra = np.array(
        [(e, p) not in here for e, p in zip(other.entities, other.periods, strict=True)], bool
    )
    entities = np.concatenate([entities, other.entities[extra]])
    periods = np.concatenate([periods, other.periods[extra]])
    values = {
        name: np.concatenate([column, other.columns.get(name, np.full(other.n, math.nan))[extra]])
        for name, column in values.items()
    }
    return entities, periods, values


def _assess_period(
    prepared: Prepared,
    plan: Plan,
    chosen: PeriodKey | None,
    errors: Errors,
    prior: BatchResult | None,
) -> BatchResult:
    rubric = plan.rubric
    source = prepared.source
    n = prepared.n
    periods = prepared.periods
    if prepared.has_period:
        in_period = np.asarray(pd.isna(periods), dtype=bool) | np.asarray(
            periods == chosen, dtype=bool
        )
    else:
        in_period = np.ones(n, dtype=bool)
    rows = np.flatnonzero(in_period)
    found: dict[int, list[tuple[str, Any, str]]] = {
        i: list(prepared.cell_problems[i])
        for i in sorted(i for i in prepared.cell_problems if in_period[i])
    }
    if prepared.column_problems:
        candidates = np.zeros(0, dtype=np.intp)
        for i in rows:
            found.setdefault(int(i), []).extend(
                (name, None, problem) for name, problem in prepared.column_problems
            )
    else:
        candidates = rows[~np.isin(rows, np.fromiter(found, dtype=np.intp, count=len(found)))]

    lagged = _lag_rows(prepared, plan, prior)
    scores = _score(plan, prepared, lagged, candidates)
    while True:
        failed = failed_rows(scores)
        thin = thin_pools(plan, scores)
        failed[list(thin)] = True
        if not failed.any():
            break
        for i in np.flatnonzero(failed):
            position = int(candidates[i])
            found.setdefault(position, []).extend(
                (name, prepared.cell(position, name), problem)
                for name, problem in [*row_problems(plan, scores, int(i)), *thin.get(int(i), [])]
            )
        candidates = candidates[~failed]
        scores = _score(plan, prepared, lagged, candidates)

    numbers = source.row_numbers
    column_level = [DataProblem(name, None, problem) for name, problem in prepared.column_problems]
    flagged_problems = tuple(
        DataProblem(name, value, problem, row=int(numbers[i]), entity=prepared.entities[i])
        for i in sorted(found)
        for name, value, problem in found[i]
    )
    row_level = [
        p for p in flagged_problems if (p.field, p.problem) not in prepared.column_problems
    ]
    if errors == "raise" and (column_level or row_level):
        raise ProfileError(column_level + row_level, source=source.name)
    flagged = flagged_frame(flagged_problems)
    results = _results(plan, prepared, candidates, scores, chosen)
    transitions = None
    if prior is not None:
        transitions = compare_periods(results, prior, rubric)
    others: dict[PeriodKey, int] = {}
    for key in periods[~in_period].tolist():
        others[key] = others.get(key, 0) + 1
    others = dict(sorted(others.items(), key=lambda kv: period_order(kv[0])))
    accounting = {
        "input_rows": n,
        "scored": len(candidates),
        "flagged": len(found),
        "other_periods": int((~in_period).sum()),
    }
    if accounting["scored"] + accounting["flagged"] + accounting["other_periods"] != n:
        raise AssertionError(f"row accounting does not add up: {accounting}")
    ids = prepared.entities[rows]
    entities = frozenset(pd.unique(ids[np.asarray(pd.notna(ids), dtype=bool)]).tolist())
    rubric_file = (
        rubric.source_file if rubric.source_file and os.path.isfile(rubric.source_file) else None
    )
    other = prior.provenance if prior is not None and prior.prepared is not prepared else None
    return BatchResult(
        results=results,
        flagged=flagged,
        transitions=transitions,
        provenance=make_provenance(
            rubric_name=rubric.name,
            rubric_version=rubric.version,
            rubric_sha256=plan.sha256,
            input_sha256=source.sha256,
            input_path=source.path,
            other_inputs=(prior.provenance.input_path if prior is not None else None, rubric_file),
            rubric_path=rubric_file,
            previous_path=other.input_path if other is not None else None,
            previous_sha256=other.input_sha256 if other is not None else None,
            period=chosen,
            input_encoding=source.encoding,
            previous_encoding=other.input_encoding if other is not None else None,
        ),
        rubric=rubric,
        accounting=accounting,
        period=chosen,
        previous_period=prior.period if prior is not None else None,
        other_periods=others,
        previous=prior,
        _plan=plan,
        _scores=scores,
        _positions=candidates,
        _prepared=prepared,
        _problems=flagged_problems,
        _entities=entities,
    )


def flagged_frame(problems: Sequence[DataProblem]) -> pd.DataFrame:
    """Problems as the flagged table: row (the file's row number), entity, field, value, problem."""
    table = pd.DataFrame([p.as_record() for p in problems], columns=FLAGGED_COLUMNS, dtype=object)
    return table.astype({"row": "Int64", "entity": "str", "field": "str", "problem": "str"})


def _score(
    plan: Plan,
    prepared: Prepared,
    lagged: tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]],
    positions: np.ndarray,
) -> Scores:
    every = len(positions) == prepared.n
    columns = {
        name: prepared.columns[name] if every else prepared.columns[name][positions]
        for name in plan.inputs
    }
    if plan.history_inputs:
        columns.update(lag_columns(*lagged, rows=positions))
    return plan.score(columns, len(positions), pools=prepared.pools_of(positions))


def _ranks(plan: Plan, scores: Scores) -> dict[str, Any]:
    """The rank columns: rank within the pool (and overall_rank across pools when the rubric
    has pools), the better total first; a unit outside the ranking has none."""
    ranked = scores.ranked
    out: dict[str, Any] = {}
    if plan.pooled:
        out["pool"] = np.array(scores.pools.labels, dtype=object)[scores.pools.code]
    codes = {"rank": np.where(ranked, scores.pools.code, -1)}
    if plan.pooled:
        codes["overall_rank"] = np.where(ranked, 0, -1)
    for column, code in codes.items():
        found = ranks(scores.tier, plan.sign * scores.total, code)
        out[column] = (
            pd.Series(found, dtype="Int64").mask(~ranked).array if plan.unrated_vetoes else found
        )
    return out


def consequence_columns(rubric: m.Rubric, tier: np.ndarray) -> dict[str, np.ndarray]:
    """``consequence.<id>`` per declared consequence value: the value the reached tier carries,
    NaN (an empty cell) where that tier carries none; no columns when none is declared."""
    columns = {}
    for spec in rubric.consequence_values:
        per_tier = [t.consequence.values.get(spec.id, math.nan) for t in rubric.tiers]
        columns[f"consequence.{spec.id}"] = np.array(per_tier, dtype=float)[tier]
    return columns


def veto_texts(rubric: m.Rubric, fired: np.ndarray) -> np.ndarray:
    """Each row's fired vetoes as "id;id" text (rows × vetoes of booleans), worded once per
    distinct pattern found through integer codes."""
    ids = [v.id for v in rubric.vetoes]
    if len(ids) > 62:
        patterns, which = np.unique(fired, axis=0, return_inverse=True)
    else:
        code = fired.astype(np.int64) @ (np.int64(1) << np.arange(len(ids), dtype=np.int64))
        found, which = np.unique(code, return_inverse=True)
        patterns = (found[:, None] >> np.arange(len(ids))) & 1
    texts = np.array(
        [";".join(i for i, on in zip(ids, p, strict=True) if on) for p in patterns],
        dtype=object,
    )
    return np.asarray(texts[np.ravel(which)])


def _results(
    plan: Plan,
    prepared: Prepared,
    positions: np.ndarray,
    scores: Scores,
    chosen: PeriodKey | None,
) -> pd.DataFrame:
    rubric = plan.rubric
    frame = prepared.source.frame
    k = len(positions)
    tiers = rubric.tiers
    tier = scores.tier.astype(np.intp)
    vetoes = np.full(k, "", dtype=object)
    if rubric.vetoes and k:
        vetoes = veto_texts(rubric, scores.veto_fired)
    data: dict[str, Any] = {
        rubric.entity: prepared.entities[positions],
        rubric.period: np.full(k, chosen, dtype=np.int64 if isinstance(chosen, int) else object),
    }
    for name in [*rubric.attributes, *(p for p in rubric.pools if p not in rubric.attributes)]:
        if name in frame.columns:
            data[name] = frame[name].iloc[positions].to_numpy(dtype=object)
        else:
            data[name] = np.full(k, None, dtype=object)
    data["total"] = scores.total
    data["raw_total"] = scores.raw_total
    data["deductions"] = scores.deductions
    if plan.bonus_items.any():
        data["bonuses"] = scores.bonuses
    if scores.clamped.any():
        data["clamped_from"] = np.where(scores.clamped, scores.unclamped, np.nan)
    data["tier"] = np.array([t.id for t in tiers], dtype=object)[tier]
    data["tier_label"] = np.array([t.label for t in tiers], dtype=object)[tier]
    data["consequence_kind"] = np.array([t.consequence.kind for t in tiers], dtype=object)[tier]
    data["consequence"] = np.array([t.consequence.text for t in tiers], dtype=object)[tier]
    data.update(consequence_columns(rubric, tier))
    data["vetoes"] = vetoes
    data.update(_ranks(plan, scores))
    for d, dim in enumerate(plan.dimensions):
        data[f"dim.{dim.spec.id}"] = scores.dimension_score[:, d]
    for ind in plan.indicators:
        data[f"ind.{ind.id}"] = scores.indicator_score[:, ind.position]
    return pd.DataFrame(data)


def lagged_columns(frame: pd.DataFrame, rubric: RubricLike = None) -> pd.DataFrame:
    """For a multi-period frame, every input's value 1, 2, … periods earlier for the same entity.

    Columns are named ``f"{input}@-{k}"``; a gap in the years leaves the lag missing. The values
    are the validated floats (bad cells become missing), aligned with the frame's rows.
    """
    plan = compile_rubric(load_rubric(rubric))
    prepared = prepare(from_frame(frame), plan)
    values = {name: prepared.columns[name] for name in plan.inputs}
    lags = lag_columns(prepared.entities, prepared.periods, values)
    return pd.DataFrame(lags, index=frame.index)
