"""BatchResult: many parks assessed under one rubric, with its summary, tables and writers.

Accounting: every row of the input is exactly one of
  * scored — in the assessed period, valid, and in ``results``;
  * flagged — in the assessed period (or with an empty period cell), with at least one problem;
    listed in ``flagged``, one line per problem (a row may have several lines);
  * other period — a valid period cell naming another period: "not assessed: period X".
So ``input_rows == scored + flagged + other_periods`` always.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from greenscore.batch.display import (
    FrameKind,
    key_text,
    result_html,
    result_repr,
    results_frame,
    summary_html,
    summary_repr,
)
from greenscore.batch.inputs import Prepared
from greenscore.batch.text import render_table
from greenscore.batch.track import TrackOutcome
from greenscore.batch.write import rubric_table, write_file, write_result
from greenscore.engine.inputs import PeriodKey
from greenscore.engine.plan import Plan
from greenscore.engine.result import Assessment, build_assessment
from greenscore.engine.scores import Scores
from greenscore.errors import DataProblem
from greenscore.io import Provenance
from greenscore.rubric import models as m


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
    pools: pd.DataFrame | None = None
    noun: str = "parks"
    track: pd.DataFrame | None = None

    def _tier_records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.tiers.columns, row, strict=True)) for row in self.tiers.to_numpy()]

    def to_frame(self) -> pd.DataFrame:
        """One long table (section, name, value) for files and spreadsheets."""
        rows: list[tuple[str, str, Any]] = [
            ("assessment", "period", key_text(self.period)),
            ("assessment", "previous_period", key_text(self.previous_period)),
        ]
        rows += [("accounting", k, v) for k, v in self.accounting.items()]
        rows += [("not assessed", f"period {k}", v) for k, v in self.other_periods.items()]
        rows += [("tiers", str(r["tier"]), int(r["count"])) for r in self._tier_records()]
        if self.pools is not None:
            rows += [
                ("tiers by pool", f"{pool} / {tier}", int(count))
                for pool, counts in self.pools.iterrows()
                for tier, count in counts.items()
            ]
        rows += [("total", str(k), _plain(v)) for k, v in self.scores.items()]
        rows += [("vetoes", str(k), int(v)) for k, v in self.vetoes.items()]
        if self.track is not None:
            rows += [
                ("track rules", str(r), int(c)) for r, c in self.track[["rule", "count"]].to_numpy()
            ]
        return pd.DataFrame(rows, columns=["section", "name", "value"], dtype=object)

    def __repr__(self) -> str:
        return summary_repr(self)

    def _repr_html_(self) -> str:
        return summary_html(self)

    def __str__(self) -> str:
        a = self.accounting
        head = f"period {key_text(self.period)}" if self.period is not None else "one period"
        if self.previous_period is not None:
            head += f", compared with {key_text(self.previous_period)}"
        lines = [
            f"Assessment of {head}",
            f"  rows: {a['input_rows']} in the input = {a['scored']} scored + {a['flagged']} "
            f"flagged + {a['other_periods']} of other periods",
        ]
        lines += [
            f"  not assessed: period {key_text(k)}: {v} row{'s' if v != 1 else ''}"
            for k, v in self.other_periods.items()
        ]
        lines += ["", "Tiers"]
        lines.append(
            render_table(
                ["tier", "label", "consequence", self.noun, "share %"],
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
        if self.pools is not None:
            lines += ["", "Tiers by pool"]
            lines.append(
                render_table(
                    ["pool", *map(str, self.pools.columns)],
                    [[str(p), *map(int, row)] for p, row in self.pools.iterrows()],
                    indent="  ",
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
                    ["veto", self.noun],
                    [[str(k), int(v)] for k, v in self.vetoes.items()],
                    indent="  ",
                )
            )
        if self.track is not None:
            lines += ["", "Track rules"]
            lines.append(
                render_table(
                    ["rule", "label", "parks", "gives"],
                    self.track[["rule", "label", "count", "gives"]].to_numpy().tolist(),
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
            ("Biggest improvers (by score change)", self.climbers),
            ("Biggest decliners (by score change)", self.fallers),
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
    track: TrackOutcome | None = field(default=None, repr=False)
    _plan: Plan | None = field(default=None, repr=False)
    _scores: Scores | None = field(default=None, repr=False)
    _positions: np.ndarray = field(default_factory=lambda: np.zeros(0, np.intp), repr=False)
    _prepared: Prepared | None = field(default=None, repr=False)
    _problems: tuple[DataProblem, ...] = field(default=(), repr=False)
    _entities: frozenset[str] = field(default=frozenset(), repr=False)

    def __repr__(self) -> str:
        return result_repr(self)

    def _repr_html_(self) -> str:
        return result_html(self)

    @property
    def problems(self) -> tuple[DataProblem, ...]:
        """Every problem behind the flagged rows, as DataProblem records."""
        return self._problems

    @property
    def entity_column(self) -> str:
        return self.rubric.entity

    @property
    def scores(self) -> Scores:
        """The engine's arrays behind ``results``: row i of each array is row i of ``results``."""
        if self._scores is None:
            raise RuntimeError("this BatchResult holds no scores")
        return self._scores

    @property
    def prepared(self) -> Prepared | None:
        """The validated input table the scores came from: its rows, columns and period keys."""
        return self._prepared

    @property
    def assessed_entities(self) -> frozenset[str]:
        """Every entity with a row in the assessed period, scored or flagged."""
        return self._entities

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
        found = build_assessment(
            self._plan, self._scores, int(hits[0]), entity=key, period=self.period
        )
        return found if self.track is None else replace(found, track=self.track.explain(key))

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
        """The n biggest improvers and decliners by score change (a fall improves where a lower
        total is better), or None without a previous year."""
        if "score_change" not in self.results.columns:
            return None
        keep = [self.entity_column, *self.rubric.attributes[:1], "previous_total", "total"]
        keep += ["score_change", "previous_tier", "tier", "rank_change"]
        known = self.results[self.results["score_change"].notna()]
        gain = self.rubric.total.sign * known["score_change"]
        ordered = known.assign(_gain=gain).sort_values(
            ["_gain", self.entity_column], ascending=[False, True], kind="stable"
        )
        columns = [c for c in keep if c in ordered.columns]
        up = ordered[ordered["_gain"] > 0].head(n)[columns]
        down = ordered[ordered["_gain"] < 0].iloc[::-1].head(n)[columns]
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
            vetoes=pd.Series(fired, dtype="int64", name=self.rubric.noun),
            pools=self.tier_counts("pool") if self.rubric.pools else None,
            noun=self.rubric.noun,
            track=None if self.track is None else self.track.counts(self.rubric),
        )

    def to_frame(self, kind: FrameKind = "pandas") -> Any:
        """A copy of the results table (one row per scored entity): a pandas DataFrame, or with
        ``kind="arrow"`` a pyarrow Table (``polars.from_arrow`` takes it as it is)."""
        return results_frame(self, kind)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table this result writes: results, flagged, transitions, summary, rubric."""
        tables = {"results": self.results, "flagged": self.flagged}
        if self.transitions is not None:
            tables["transitions"] = self.transitions
        if self.track is not None:
            tables["track"] = self.track.fired
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
        return write_result(self, path_or_dir, formats)

    def to_csv(self, path: str | os.PathLike[str]) -> list[Path]:
        """results to ``path``; the other tables beside it as ``<stem>.<table>.csv``."""
        return write_file(self, Path(path), "csv")

    def to_excel(self, path: str | os.PathLike[str]) -> list[Path]:
        """One workbook: a sheet per table, a rubric sheet and a provenance sheet."""
        return write_file(self, Path(path), "xlsx")

    def to_parquet(self, path: str | os.PathLike[str]) -> list[Path]:
        """results to ``path``; the other tables beside it as ``<stem>.<table>.parquet``."""
        return write_file(self, Path(path), "parquet")

    def to_json(self, path: str | os.PathLike[str]) -> list[Path]:
        """results to ``path``; the other tables beside it as ``<stem>.<table>.json``."""
        return write_file(self, Path(path), "json")


def _plain(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value
