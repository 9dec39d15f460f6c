"""A batch for notebooks: one-line reprs, compact HTML and the results table in the frame asked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from greenscore.errors import OptionalDependencyError
from greenscore.io import display as d
from greenscore.methods.base import fmt

if TYPE_CHECKING:
    from greenscore.batch.result import BatchResult, BatchSummary

FrameKind = Literal["pandas", "arrow"]
SCORE_STATISTICS = ("count", "mean", "std", "min", "25%", "50%", "75%", "max")


def key_text(value: Any) -> str:
    """A period or other key as shown: '—' for None."""
    return "—" if value is None else str(value)


def _tiers(s: BatchSummary) -> list[tuple[str, str, str, int, float]]:
    t = s.tiers
    return list(
        zip(
            t["tier"].astype(str).tolist(),
            t["label"].astype(str).tolist(),
            t["consequence_kind"].astype(str).tolist(),
            t["count"].astype(int).tolist(),
            t["share"].astype(float).tolist(),
            strict=True,
        )
    )


def summary_repr(s: BatchSummary) -> str:
    """Period, scored and flagged counts, parks per tier and the mean total on one line."""
    tiers = ", ".join(f"{d.shorten(tier, 20)} {count}" for tier, _, _, count, _ in _tiers(s))
    mean = s.scores.get("mean")
    return d.one_line_repr(
        "BatchSummary",
        f"period {d.shorten(key_text(s.period), 20)}: {s.accounting['scored']} scored, "
        f"{s.accounting['flagged']} flagged; {tiers}; mean {fmt(mean, 2)}",
    )


def result_repr(b: BatchResult) -> str:
    """Period, the accounting and the rubric on one line."""
    a = b.accounting
    return d.one_line_repr(
        "BatchResult",
        f"period {d.shorten(key_text(b.period), 20)}: {a['scored']} scored, {a['flagged']} flagged, "
        f"{a['other_periods']} other-period rows (rubric {d.shorten(b.rubric.name, 60)} "
        f"{d.shorten(b.rubric.version, 20)})",
    )


def summary_html(s: BatchSummary, heading: str | None = None) -> d.Html:
    """The accounting, parks per tier with bars of their shares, the score distribution and the
    vetoes that applied."""
    a = s.accounting
    period = f"period {key_text(s.period)}" if s.period is not None else "one period"
    if s.previous_period is not None:
        period += f", compared with {key_text(s.previous_period)}"
    parts = [d.line(d.strong(heading), " · ", period) if heading else d.line(d.strong(period))]
    parts.append(
        d.line(
            f"{a['input_rows']} rows = {a['scored']} scored + {a['flagged']} flagged + "
            f"{a['other_periods']} of other periods"
        )
    )
    parts.append(
        d.table(
            ["tier", "label", "consequence", s.noun, "share", ""],
            [
                [tier, label, kind, count, f"{fmt(100 * share, 1)}%", d.bar(share, tone=kind)]
                for tier, label, kind, count, share in _tiers(s)
            ],
            right=(3, 4),
        )
    )
    stats = [name for name in SCORE_STATISTICS if name in s.scores.index]
    parts.append(
        d.table(
            ["", *stats],
            [["total score", *(fmt(float(s.scores[name]), 2) for name in stats)]],
            right=range(1, len(stats) + 1),
        )
    )
    fired = [f"{veto} {int(n)}" for veto, n in s.vetoes.items() if n]
    if fired:
        parts.append(d.line(f"vetoes applied ({s.noun}): ", ", ".join(fired)))
    return d.block("summary", *parts)


def result_html(b: BatchResult) -> d.Html:
    """The summary of a batch headed by its rubric's name and version."""
    return summary_html(b.summary(), f"{b.rubric.name} {b.rubric.version}")


def results_frame(b: BatchResult, kind: FrameKind) -> Any:
    """A copy of the results table as a pandas DataFrame or a pyarrow Table."""
    if kind == "pandas":
        return b.results.copy()
    if kind == "arrow":
        try:
            import pyarrow as pa
        except ImportError as e:
            raise OptionalDependencyError("pyarrow", "io", "to_frame(kind='arrow')") from e
        return pa.Table.from_pandas(b.results, preserve_index=False)
    raise ValueError(f"kind must be 'pandas' or 'arrow', not {kind!r}")
