"""assess(): score a whole table through the one compiled plan, accounting for every input row.

Accounting: every row of the input is exactly one of
  * scored — in the assessed period, valid, and in ``results``;
  * flagged — in the assessed period (or with an empty period cell), with at least one problem;
    listed in ``flagged``, one line per problem (a row may have several lines);
  * other period — a valid period cell naming another period: "not assessed: period X".
So ``input_rows == scored + flagged + other_periods`` always.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from greenscore.batch.inputs import Prepared, prepare
from greenscore.batch.text import render_table
from greenscore.engine.evaluate import row_problems
from greenscore.engine.inputs import PeriodKey, lag_columns, period_key, period_order
from greenscore.engine.plan import QUOTA_KEY, Plan, Scores, compile_rubric
from greenscore.engine.result import Assessment, build_assessment
from greenscore.errors import DataProblem, ProfileError
from greenscore.io import Provenance, TableSource, from_frame, make_provenance, read_table
from greenscore.methods import is_cohort, method_of
from greenscore.rubric import models as m
from greenscore.rubric.load import RubricLike, load_rubric, rubric_yaml

DataLike = pd.DataFrame | str | os.PathLike[str] | TableSource
Errors = Literal["raise", "flag"]
NEW = "(new)"
NOT_SCORED = "(not scored)"
FLAGGED_COLUMNS = ["row", "entity", "field", "value", "problem"]


@dataclass(frozen=True)
class BatchSummary:
    """Tier counts, score distribution, accounting and year-over-year movement of one batch."""

    period: PeriodKey | None
    previous_period: PeriodKey | None
    accounting: dict[str, int]
    other_periods: dict[PeriodKey, int]
    tiers: pd.DataFrame
    scores: pd.Series
    transitions: pd.DataFrame | None
    climbers: pd.DataFrame | None
    fallers: pd.DataFrame | None
    vetoes: pd.Series

    def _tier_records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.tiers.columns, row, strict=True)) for row in self.tiers.to_numpy()]

    def to_frame(self) -> pd.DataFrame:
        """One long table (section, name, value) for files and spreadsheets."""
        rows: list[tuple[str, str, Any]] = [
            ("assessment", "period", _text(self.period)),
            ("assessment", "previous_period", _text(self.previous_period)),
        ]
        rows += [("accounting", k, v) for k, v in self.accounting.items()]
        rows += [("not assessed", f"period {k}", v) for k, v in self.other_periods.items()]
        rows += [("tiers", str(r["tier"]), int(r["count"])) for r in self._tier_records()]
        rows += [("total", str(k), _plain(v)) for k, v in self.scores.items()]
        rows += [("vetoes", str(k), int(v)) for k, v in self.vetoes.items()]
        return pd.DataFrame(rows, columns=["section", "name", "value"], dtype=object)

    def __str__(self) -> str:
        a = self.accounting
        head = f"period {_text(self.period)}" if self.period is not None else "one period"
        if self.previous_period is not None:
            head += f", compared with {_text(self.previous_period)}"
        lines = [
            f"Assessment of {head}",
            f"  rows: {a['input_rows']} in the input = {a['scored']} scored + {a['flagged']} "
            f"flagged + {a['other_periods']} of other periods",
        ]
        lines += [
            f"  not assessed: period {_text(k)}: {v} row{'s' if v != 1 else ''}"
            for k, v in self.other_periods.items()
        ]
        lines += ["", "Tiers"]
        lines.append(
            render_table(
                ["tier", "label", "consequence", "parks", "share %"],
                [
                    [
                        r["tier"],
                        r["label"],
                        r["consequence_kind"],
                        int(r["count"]),
                        100 * r["share"],
                    ]
                    for r in self._tier_records()
                ],
                indent="  ",
                digits=1,
            )
        )
        s = self.scores
        lines += ["", "Total score"]
        lines.append(
            render_table(
                list(s.index),
                [[_plain(v) for v in s.to_numpy()]],
                indent="  ",
            )
        )
        if len(self.vetoes):
            lines += ["", "Vetoes applied"]
            lines.append(
                render_table(
                    ["veto", "parks"],
                    [[str(k), int(v)] for k, v in self.vetoes.items()],
                    indent="  ",
                )
            )
        if self.transitions is not None:
            t = self.transitions
            lines += ["", "Tier transitions (rows: previous tier, columns: this tier)"]
            lines.append(
                render_table(
                    ["previous \\ now", *map(str, t.columns)],
                    [
                        [str(i), *map(int, row)]
                        for i, row in zip(t.index, t.to_numpy(), strict=True)
                    ],
                    indent="  ",
                )
            )
        for title, movers in (
            ("Biggest climbers", self.climbers),
            ("Biggest fallers", self.fallers),
        ):
            if movers is not None and len(movers):
                lines += ["", title]
                lines.append(
                    render_table(
                        list(movers.columns),
                        movers.astype(object).to_numpy().tolist(),
                        indent="  ",
                        digits=2,
                    )
                )
        return "\n".join(lines)


@dataclass(frozen=True, eq=False)
class BatchResult:
    """Many parks assessed under one rubric: tidy results, flagged rows, accounting, provenance.

    ``accounting`` is dict(input_rows, scored, flagged, other_periods) with
    input_rows == scored + flagged + other_periods; see the module docstring.
    """

    results: pd.DataFrame
    flagged: pd.DataFrame
    transitions: pd.DataFrame | None
    provenance: Provenance
    rubric: m.Rubric
    accounting: dict[str, int]
    period: PeriodKey | None
    previous_period: PeriodKey | None
    other_periods: dict[PeriodKey, int]
    previous: BatchResult | None = field(default=None, repr=False)
    _plan: Plan | None = field(default=None, repr=False)
    _scores: Scores | None = field(default=None, repr=False)
    _positions: np.ndarray = field(default_factory=lambda: np.zeros(0, np.intp), repr=False)
    _prepared: Prepared | None = field(default=None, repr=False)
    _problems: tuple[DataProblem, ...] = field(default=(), repr=False)
    _entities: frozenset[str] = field(default=frozenset(), repr=False)

    def __repr__(self) -> str:
        a = self.accounting
        return (
            f"BatchResult({self.rubric.name!r} {self.rubric.version}, period "
            f"{_text(self.period)}: {a['scored']} scored, {a['flagged']} flagged, "
            f"{a['other_periods']} other-period rows)"
        )

    @property
    def problems(self) -> tuple[DataProblem, ...]:
        """Every problem behind the flagged rows, as DataProblem records."""
        return self._problems

    @property
    def entity_column(self) -> str:
        return self.rubric.entity

    def profile(self, entity_id: Any) -> dict[str, Any]:
        """The raw input row a scored entity came from, as read from the file."""
        if self._prepared is None:
            raise RuntimeError("this BatchResult holds no input rows")
        key = str(entity_id)
        hits = np.flatnonzero(self.results[self.entity_column].to_numpy(dtype=object) == key)
        if hits.size == 0:
            raise KeyError(f"{key!r} is not among the scored entities of period {self.period}")
        row = self._prepared.source.frame.iloc[int(self._positions[int(hits[0])])]
        return {str(k): v for k, v in row.to_dict().items()}

    def assessment(self, entity_id: Any) -> Assessment:
        """The full Assessment of one scored entity: the same one evaluate() gives for its row."""
        if self._plan is None or self._scores is None or self._prepared is None:
            raise RuntimeError("this BatchResult holds no scores")
        key = str(entity_id)
        hits = np.flatnonzero(self.results[self.entity_column].to_numpy(dtype=object) == key)
        if hits.size == 0:
            reasons = [p.problem for p in self._problems if p.entity == key]
            if reasons:
                raise KeyError(f"{key!r} was flagged, not scored: {'; '.join(reasons)}")
            raise KeyError(f"{key!r} is not among the scored entities of period {self.period}")
        return build_assessment(
            self._plan, self._scores, int(hits[0]), entity=key, period=self.period
        )

    def tier_counts(self, by: str | None = None) -> pd.DataFrame:
        """Parks per tier (best first); with ``by`` (e.g. "city"), one row per group."""
        ids = [t.id for t in self.rubric.tiers]
        tiers = pd.Categorical(self.results["tier"], categories=ids)
        if by is None:
            return pd.DataFrame({"count": pd.Series(tiers).value_counts(sort=False)}).T.rename(
                index={"count": "all"}
            )
        groups = self.results[by].astype(object).where(self.results[by].notna(), "—")
        table = pd.crosstab(pd.Series(groups.to_numpy(), name=by), pd.Series(tiers, name="tier"))
        table = table.reindex(columns=ids, fill_value=0)
        table.columns = pd.Index(ids, name="tier")
        table["total"] = table.sum(axis=1)
        return table

    def movers(self, n: int = 5) -> tuple[pd.DataFrame, pd.DataFrame] | None:
        """The n biggest climbers and fallers by score change, or None without a previous year."""
        if "score_change" not in self.results.columns:
            return None
        keep = [self.entity_column, *self.rubric.attributes[:1], "previous_total", "total"]
        keep += ["score_change", "previous_tier", "tier", "rank_change"]
        known = self.results[self.results["score_change"].notna()]
        ordered = known.sort_values(
            ["score_change", self.entity_column], ascending=[False, True], kind="stable"
        )
        columns = [c for c in keep if c in ordered.columns]
        up = ordered[ordered["score_change"] > 0].head(n)[columns]
        down = ordered[ordered["score_change"] < 0].iloc[::-1].head(n)[columns]
        return up.reset_index(drop=True), down.reset_index(drop=True)

    def summary(self) -> BatchSummary:
        """Tier counts, the score distribution and year-over-year movement."""
        total = self.results["total"].astype(float)
        scored = len(self.results)
        counts = self.tier_counts().iloc[0]
        tiers = pd.DataFrame(
            {
                "tier": [t.id for t in self.rubric.tiers],
                "label": [t.label for t in self.rubric.tiers],
                "consequence_kind": [t.consequence.kind for t in self.rubric.tiers],
                "count": [int(counts[t.id]) for t in self.rubric.tiers],
            }
        )
        tiers["share"] = tiers["count"] / scored if scored else 0.0
        moved = self.movers()
        fired: dict[str, int] = {v.id: 0 for v in self.rubric.vetoes}
        for text, count in self.results["vetoes"].value_counts().items():
            for veto_id in str(text).split(";") if text else []:
                fired[veto_id] = fired.get(veto_id, 0) + int(count)
        return BatchSummary(
            period=self.period,
            previous_period=self.previous_period,
            accounting=dict(self.accounting),
            other_periods=dict(self.other_periods),
            tiers=tiers,
            scores=total.describe(),
            transitions=self.transitions,
            climbers=None if moved is None else moved[0],
            fallers=None if moved is None else moved[1],
            vetoes=pd.Series(fired, dtype="int64", name="parks"),
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table this result writes: results, flagged, transitions, summary, rubric."""
        from greenscore.batch.write import rubric_table

        tables = {"results": self.results, "flagged": self.flagged}
        if self.transitions is not None:
            tables["transitions"] = self.transitions
        tables["summary"] = self.summary().to_frame()
        tables["rubric"] = rubric_table(self.rubric)
        return tables

    def write(
        self, path_or_dir: str | os.PathLike[str], formats: Iterable[str] | None = None
    ) -> list[Path]:
        """Write every table, atomically and with provenance; returns the paths written.

        A path ending in .csv, .xlsx, .parquet or .json names one file (tables other than
        results go beside it, or into sheets for Excel). Anything else is a folder, created if
        needed, receiving results.<ext>, flagged.<ext>, … for each format (default csv and xlsx).
        """
        from greenscore.batch.write import write_result

        return write_result(self, path_or_dir, formats)

    def to_csv(self, path: str | os.PathLike[str]) -> list[Path]:
        """results to ``path``; the other tables beside it as ``<stem>.<table>.csv``."""
        from greenscore.batch.write import write_file

        return write_file(self, Path(path), "csv")

    def to_excel(self, path: str | os.PathLike[str]) -> list[Path]:
        """One workbook: a sheet per table, a rubric sheet and a provenance sheet."""
        from greenscore.batch.write import write_file

        return write_file(self, Path(path), "xlsx")

    def to_parquet(self, path: str | os.PathLike[str]) -> list[Path]:
        """results to ``path``; the other tables beside it as ``<stem>.<table>.parquet``."""
        from greenscore.batch.write import write_file

        return write_file(self, Path(path), "parquet")

    def to_json(self, path: str | os.PathLike[str]) -> list[Path]:
        """results to ``path``; the other tables beside it as ``<stem>.<table>.json``."""
        from greenscore.batch.write import write_file

        return write_file(self, Path(path), "json")


def _text(value: Any) -> str:
    return "—" if value is None else str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


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
    """A DataFrame, a path or an already read TableSource as a TableSource."""
    if isinstance(data, TableSource):
        return data
    if isinstance(data, pd.DataFrame):
        return from_frame(data)
    if isinstance(data, str | os.PathLike):
        return read_table(data)
    raise TypeError(
        f"data must be a pandas DataFrame or a path to a .csv, .xlsx, .parquet or .jsonl file, "
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
) -> BatchResult:
    """Assess every park of one period (default: the latest) through the same plan as evaluate().

    ``previous`` (last year's BatchResult, or its data, assessed here with the same rubric) adds
    score and rank changes, previous tiers and a transition matrix; when None and the data hold
    an earlier period, the latest earlier one is used. ``errors="raise"`` raises one ProfileError
    listing every problem; ``"flag"`` scores the valid rows and lists the others in ``flagged``.
    """
    if errors not in ("raise", "flag"):
        raise ValueError(f"errors must be 'raise' or 'flag', not {errors!r}")
    loaded = load_rubric(rubric)
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
        chosen = _choose_period(prepared, period)
        prior = _prior(prepared, plan, chosen, previous)
        bar.tick()
        result = _assess_period(prepared, plan, chosen, errors, prior)
        bar.tick()
    finally:
        bar.close()
    return result


def _choose_period(prepared: Prepared, period: Any) -> PeriodKey | None:
    rubric = prepared.rubric
    keys = prepared.period_keys()
    if period is None:
        if len(keys) > 1:
            counts = {k: int(sum(1 for p in prepared.periods if p == k)) for k in keys}
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


def _earlier(keys: Sequence[PeriodKey], chosen: PeriodKey | None) -> list[PeriodKey]:
    if chosen is None:
        return []
    return [k for k in keys if period_order(k) < period_order(chosen)]


def _prior(
    prepared: Prepared, plan: Plan, chosen: PeriodKey | None, previous: Any
) -> BatchResult | None:
    if isinstance(previous, BatchResult):
        return previous
    if previous is None:
        earlier = _earlier(prepared.period_keys(), chosen)
        return _assess_period(prepared, plan, earlier[-1], "flag", None) if earlier else None
    other = prepare(as_source(previous), plan)
    keys = other.period_keys()
    earlier = _earlier(keys, chosen)
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


def _lag_pool(
    prepared: Prepared, plan: Plan, prior: BatchResult | None
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Entities, periods and input values of this table plus the previous one's rows it lacks."""
    entities, periods = prepared.entities, prepared.periods
    values = {name: prepared.columns[name] for name in plan.inputs}
    other = prior._prepared if prior is not None else None
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
        in_period = np.asarray(pd.isna(periods), dtype=bool) | np.array(
            [p == chosen for p in periods.tolist()], dtype=bool
        )
    else:
        in_period = np.ones(n, dtype=bool)
    rows = np.flatnonzero(in_period)
    found: dict[int, list[tuple[str, Any, str]]] = {
        int(i): list(prepared.cell_problems[int(i)])
        for i in rows
        if int(i) in prepared.cell_problems
    }
    if prepared.column_problems:
        candidates = np.zeros(0, dtype=np.intp)
        for i in rows:
            found.setdefault(int(i), []).extend(
                (name, None, problem) for name, problem in prepared.column_problems
            )
    else:
        candidates = np.array([i for i in rows if int(i) not in found], dtype=np.intp)

    pool = _lag_pool(prepared, plan, prior)
    scores = _score(plan, prepared, pool, candidates)
    while True:
        failed = scores.error_rows | np.isnan(scores.raw_total)
        if not failed.any():
            break
        for i in np.flatnonzero(failed):
            position = int(candidates[i])
            found.setdefault(position, []).extend(
                (name, prepared.cell(position, name), problem)
                for name, problem in row_problems(plan, scores, int(i))
            )
        candidates = candidates[~failed]
        scores = _score(plan, prepared, pool, candidates)

    numbers = source.row_numbers
    column_level = [DataProblem(name, None, problem) for name, problem in prepared.column_problems]
    row_level = [
        DataProblem(name, value, problem, row=int(numbers[i]), entity=prepared.entities[i])
        for i in sorted(found)
        for name, value, problem in found[i]
        if not (prepared.column_problems and (name, problem) in prepared.column_problems)
    ]
    if errors == "raise" and (column_level or row_level):
        raise ProfileError(column_level + row_level, source=source.name)
    flagged_problems = tuple(
        DataProblem(name, value, problem, row=int(numbers[i]), entity=prepared.entities[i])
        for i in sorted(found)
        for name, value, problem in found[i]
    )
    flagged = flagged_frame(flagged_problems)
    results = _results(plan, prepared, candidates, scores, chosen)
    transitions = None
    if prior is not None:
        transitions = _compare(results, prior, rubric)
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
    entities = frozenset(e for e in prepared.entities[rows].tolist() if e is not None)
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
            other_inputs=(
                prior.provenance.input_path if prior is not None else None,
                rubric.source_file
                if rubric.source_file and os.path.isfile(rubric.source_file)
                else None,
            ),
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
    pool: tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]],
    positions: np.ndarray,
) -> Scores:
    columns = {name: prepared.columns[name][positions] for name in plan.inputs}
    columns.update(lag_columns(*pool, rows=positions))
    return plan.score(columns, len(positions))


def ranks(tier: np.ndarray, total: np.ndarray) -> np.ndarray:
    """1 = best: better tier first, then higher total; equal (tier, total) share the lowest rank."""
    n = len(total)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((-total, tier))
    t, s = tier[order], total[order]
    starts = np.ones(n, dtype=bool)
    starts[1:] = (t[1:] != t[:-1]) | (s[1:] != s[:-1])
    first = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    out = np.empty(n, dtype=np.int64)
    out[order] = first + 1
    return out


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
        patterns, which = np.unique(scores.veto_fired, axis=0, return_inverse=True)
        ids = [v.id for v in rubric.vetoes]
        texts = np.array(
            [";".join(i for i, fired in zip(ids, p, strict=True) if fired) for p in patterns],
            dtype=object,
        )
        vetoes = texts[np.ravel(which)]
    data: dict[str, Any] = {
        rubric.entity: prepared.entities[positions],
        rubric.period: np.full(k, chosen, dtype=np.int64 if isinstance(chosen, int) else object),
    }
    for name in rubric.attributes:
        if name in frame.columns:
            data[name] = frame[name].iloc[positions].to_numpy(dtype=object)
        else:
            data[name] = np.full(k, None, dtype=object)
    data["total"] = scores.total
    data["raw_total"] = scores.raw_total
    data["deductions"] = scores.deductions
    data["tier"] = np.array([t.id for t in tiers], dtype=object)[tier]
    data["tier_label"] = np.array([t.label for t in tiers], dtype=object)[tier]
    data["consequence_kind"] = np.array([t.consequence.kind for t in tiers], dtype=object)[tier]
    data["consequence"] = np.array([t.consequence.text for t in tiers], dtype=object)[tier]
    data["vetoes"] = vetoes
    data["rank"] = ranks(tier, scores.total)
    for d, dim in enumerate(plan.dimensions):
        data[f"dim.{dim.spec.id}"] = scores.dimension_score[:, d]
    for ind in plan.indicators:
        data[f"ind.{ind.id}"] = scores.indicator_score[:, ind.position]
    return pd.DataFrame(data)


def _pick(values: np.ndarray, index: np.ndarray, fill: Any, dtype: Any) -> np.ndarray:
    """values[index] where index ≥ 0, fill elsewhere."""
    out = np.full(len(index), fill, dtype=dtype)
    hit = index >= 0
    out[hit] = values[index[hit]]
    return out


def _compare(results: pd.DataFrame, prior: BatchResult, rubric: m.Rubric) -> pd.DataFrame:
    """Add previous_total, score_change, previous_rank, rank_change, previous_tier, new_entity."""
    entity = results[rubric.entity].to_numpy(dtype=object)
    before = prior.results.set_index(prior.rubric.entity)
    index = before.index.get_indexer(pd.Index(entity, dtype=object))
    hit = index >= 0
    previous_total = _pick(before["total"].to_numpy(dtype=float), index, math.nan, float)
    change = results["total"].to_numpy(dtype=float) - previous_total
    if rubric.rounding is not None:
        change = np.round(change, rubric.rounding.decimals)
    ranks_before = _pick(before["rank"].to_numpy(dtype=np.int64), index, 0, np.int64)
    previous_rank = pd.Series(ranks_before, dtype="Int64").mask(~hit)
    previous_tier = _pick(before["tier"].to_numpy(dtype=object), index, None, object)
    known = set(before.index) | prior._entities | set(prior.flagged["entity"].dropna())
    new = np.array([e not in known for e in entity], dtype=bool)
    results["previous_total"] = previous_total
    results["score_change"] = change
    results["previous_rank"] = previous_rank.array
    results["rank_change"] = (previous_rank - results["rank"].astype("Int64").to_numpy()).array
    results["previous_tier"] = previous_tier
    results["new_entity"] = new

    ids = [t.id for t in rubric.tiers]
    rows = ids + [t for t in dict.fromkeys(previous_tier[hit].tolist()) if t not in ids]
    rows += [NEW, NOT_SCORED]
    came_from = np.where(hit, previous_tier, np.where(new, NEW, NOT_SCORED))
    r = {t: i for i, t in enumerate(rows)}
    c = {t: i for i, t in enumerate(ids)}
    counts = np.zeros((len(rows), len(ids)), dtype=np.int64)
    for before_tier, now_tier in zip(came_from.tolist(), results["tier"].tolist(), strict=True):
        counts[r[before_tier], c[now_tier]] += 1
    return pd.DataFrame(
        counts,
        index=pd.Index(rows, name="previous_tier"),
        columns=pd.Index(ids, name="tier"),
    )


def calibrate(
    rubric: RubricLike, data: DataLike, *, period: Any = None, errors: Errors = "raise"
) -> m.Rubric:
    """A copy of the rubric with its cohort statistics frozen from one period's valid rows.

    Cohort methods (minmax, percentile with its sorted reference values, zscore) and tier quotas
    (their cut-off totals) then score every later year against this base year, and evaluate()
    can score a single park. Write the result with ``rubric_yaml``.
    """
    loaded = load_rubric(rubric)
    steps = [s for s in compile_rubric(loaded).indicators if is_cohort(s.spec)]
    if not steps and not compile_rubric(loaded).quota_tiers:
        return loaded
    base = loaded.model_copy(update={"cohort": None})
    plan = compile_rubric(base)
    batch = assess(data, base, period=period, previous=None, errors=errors)
    assert batch._scores is not None
    stats = plan.cohort_statistics(batch._scores.values)
    empty = [
        DataProblem(
            s.spec.input,
            None,
            f"indicator {s.id!r} ({s.spec.method}) has no valid values to calibrate on",
        )
        for s in steps
        if _stats_missing(stats[s.id])
    ]
    for s in steps:
        stat = stats[s.id]
        if _stats_missing(stat):
            continue
        flat = method_of(s.spec).flat
        if flat is not None and flat(stat):
            empty.append(
                DataProblem(
                    s.spec.input,
                    None,
                    f"indicator {s.id!r} ({s.spec.method}) cannot be calibrated: the base year's "
                    "values are all equal (or fewer than two), so they give nothing to score against",
                )
            )
    if empty:
        raise ProfileError(empty, source=batch._prepared.source.name if batch._prepared else None)
    frozen: dict[str, dict[str, Any]] = {
        s.id: {
            key: [float(v) for v in value] if isinstance(value, np.ndarray) else float(value)
            for key, value in stats[s.id].items()
        }
        for s in steps
    }
    if plan.quota_tiers:
        frozen[QUOTA_KEY] = plan.quota_cutoffs(batch._scores)
    return load_rubric(rubric_yaml(loaded.model_copy(update={"cohort": frozen})))


def _stats_missing(stats: Mapping[str, Any]) -> bool:
    for value in stats.values():
        if isinstance(value, np.ndarray):
            if value.size == 0:
                return True
        elif math.isnan(float(value)):
            return True
    return False


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


def problem_table(problems: Sequence[DataProblem], limit: int | None = None) -> str:
    """The problems as an aligned text table (row, entity, field, value, problem).

    With a limit, a column missing on every row is listed once and the table is cut after
    `limit` rows with a count of the rest.
    """
    shown = list(problems)
    if limit is not None:
        seen: set[tuple[str, str]] = set()
        shown = []
        for p in problems:
            if p.problem == "required column is missing":
                if (p.field, p.problem) in seen:
                    continue
                seen.add((p.field, p.problem))
                p = DataProblem(p.field, None, "required column is missing (every row)")
            shown.append(p)
    table = render_table(
        FLAGGED_COLUMNS,
        [
            [p.row, p.entity, p.field, None if p.value is None else repr(p.value), p.problem]
            for p in (shown if limit is None else shown[:limit])
        ],
    )
    if limit is not None and len(shown) > limit:
        table += f"\n… and {len(shown) - limit} more (all of them in the flagged table)"
    return table
