"""Charts for the HTML report: matplotlib figures as inline SVG whose text stays text.

With ``svg.fonttype = 'none'`` labels are written as <text>, so the browser draws Chinese with its
own CJK fonts; matplotlib only measures them, and its warning about glyphs missing from its own
font is silenced for that reason.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from greenscore.errors import OptionalDependencyError

RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "greenscore",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
}
INK = "#333333"
MEAN = "#555555"
_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(url\(#|href="#)([^)"]+)')
_SIZE = re.compile(r'<svg([^>]*?) width="[^"]*" height="[^"]*"')


def _matplotlib() -> Any:
    try:
        import matplotlib
        from matplotlib.figure import Figure
    except ImportError as e:
        raise OptionalDependencyError("matplotlib", "report", "the HTML report") from e
    return matplotlib, Figure


@contextmanager
def _drawing() -> Iterator[Any]:
    matplotlib, figure = _matplotlib()
    with matplotlib.rc_context(RC), warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=r"Glyph \d+ .* missing from", category=UserWarning
        )
        yield figure


def tier_colours(n: int) -> list[str]:
    """One colour per tier, best (green) to worst (red)."""
    matplotlib, _ = _matplotlib()
    cmap = matplotlib.colormaps["RdYlGn"]
    positions = np.linspace(0.85, 0.12, n) if n > 1 else np.array([0.85])
    return [matplotlib.colors.to_hex(cmap(p)) for p in positions]


def ink_on(fill: str) -> str:
    """Black or white text, whichever reads better on this background colour."""
    red, green, blue = (int(fill[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return "#111111" if 0.299 * red + 0.587 * green + 0.114 * blue > 0.55 else "#ffffff"


def to_svg(fig: Any, prefix: str, title: str) -> str:
    """The figure as an <svg> element for inlining: ids prefixed, size left to CSS, titled."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, flags=re.S)
    text = _ID.sub(lambda mt: f'id="{prefix}-{mt.group(1)}"', text)
    text = _REF.sub(lambda mt: f"{mt.group(1)}{prefix}-{mt.group(2)}", text)
    text = _SIZE.sub(r'<svg\1 class="chart" role="img"', text, count=1)
    head = text.index(">") + 1
    return f"{text[:head]}<title>{_xml(title)}</title>{text[head:]}".replace("\n", "")


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def histogram(
    totals: Sequence[float],
    cutoffs: Sequence[tuple[str, float]],
    scale: tuple[float, float],
    prefix: str = "hist",
) -> str:
    """Distribution of total scores with a dashed line at each tier's minimum score."""
    lo, hi = scale
    with _drawing() as figure:
        fig = figure(figsize=(7.0, 2.6), layout="constrained")
        ax = fig.add_subplot()
        bins = np.linspace(lo, hi, 41)
        ax.hist(np.asarray(totals, dtype=float), bins=bins, color="#4e79a7", edgecolor="white")
        top = ax.get_ylim()[1]
        for label, value in cutoffs:
            if lo < value < hi:
                ax.axvline(value, color=INK, linestyle="--", linewidth=0.8)
                ax.text(value, top, f" {label}", va="top", ha="left", fontsize=8, color=INK)
        ax.set_xlim(lo, hi)
        ax.set_xlabel("total score")
        ax.set_ylabel("parks")
        return to_svg(fig, prefix, "Distribution of total scores")


def tier_groups(
    groups: Sequence[str],
    counts: np.ndarray,
    tier_labels: Sequence[str],
    colours: Sequence[str],
    group_name: str,
    prefix: str = "groups",
) -> str:
    """Stacked horizontal bars: parks per tier for each group (e.g. city)."""
    with _drawing() as figure:
        height = 0.9 + 0.28 * len(groups)
        fig = figure(figsize=(7.0, height))
        margin = 0.2 + 9 / 72 * max([text_width(g) for g in groups] or [1.0])
        fig.subplots_adjust(
            left=min(margin / 7.0, 0.5), right=0.97, top=1 - 0.3 / height, bottom=0.4 / height
        )
        ax = fig.add_subplot()
        y = np.arange(len(groups))[::-1]
        left = np.zeros(len(groups))
        for t, label in enumerate(tier_labels):
            ax.barh(y, counts[:, t], left=left, color=colours[t], label=label, height=0.7)
            left += counts[:, t]
        ax.set_yticks(y, labels=list(groups))
        ax.set_xlabel("parks")
        ax.legend(
            ncols=len(tier_labels),
            loc="lower left",
            bbox_to_anchor=(0.0, 1.0),
            fontsize=8,
            frameon=False,
            borderaxespad=0.2,
        )
        ax.set_xlim(0, max(float(left.max()), 1.0) * 1.05)
        return to_svg(fig, prefix, f"Parks per tier by {group_name}")


def text_width(text: str) -> float:
    """Rough width of a label in ems: CJK and other wide characters count double."""
    return sum(1.0 if ord(ch) > 0x2E80 else 0.58 for ch in text)


class DimensionChart:
    """One park's dimension scores as bars, the mean of all parks as ticks, a tier floor dashed.

    The figure is built once and redrawn per park with new bar lengths, values and colour: 94
    parks then cost 94 SVG writes, not 94 layouts.
    """

    def __init__(
        self,
        labels: Sequence[str],
        depths: Sequence[int],
        means: Sequence[float],
        scale: tuple[float, float],
        floor: float | None,
    ) -> None:
        self.scale = scale
        lo, hi = scale
        shown = [("– " * d) + label for label, d in zip(labels, depths, strict=True)]
        width, height = 6.4, 0.45 + 0.25 * len(labels)
        left = 0.2 + 9 / 72 * max(text_width(label) for label in shown)
        with _drawing() as figure:
            fig = figure(figsize=(width, height))
            fig.subplots_adjust(
                left=min(left / width, 0.5),
                right=1 - 0.5 / width,
                top=1 - 0.08 / height,
                bottom=0.32 / height,
            )
            ax = fig.add_subplot()
            y = np.arange(len(labels))[::-1]
            self.bars = ax.barh(
                y, np.zeros(len(y)), left=lo, height=0.62, edgecolor=INK, linewidth=0.4
            )
            ax.scatter(means, y, marker="|", s=160, color=MEAN, zorder=3)
            self.values = [
                ax.text(hi, yi, " 100.0", va="center", ha="left", fontsize=8, color=INK) for yi in y
            ]
            if floor is not None and lo < floor < hi:
                ax.axvline(floor, color=INK, linestyle="--", linewidth=0.7)
            ax.set_yticks(y, labels=shown)
            ax.set_xlim(lo, hi)
            ax.set_ylim(-0.6, len(labels) - 0.4)
            ax.tick_params(axis="y", length=0)
        self.fig = fig

    def svg(self, scores: Sequence[float | None], colour: str, prefix: str) -> str:
        lo, _ = self.scale
        for bar, text, score in zip(self.bars, self.values, scores, strict=True):
            bar.set_width(0.0 if score is None else score - lo)
            bar.set_facecolor(colour)
            text.set_text(" —" if score is None else f" {score:.1f}")
        with _drawing():
            return to_svg(self.fig, prefix, "Dimension scores")
