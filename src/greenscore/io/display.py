"""Compact displays of results: one-line reprs and the small inline HTML that notebooks show.

Every helper escapes the data it is given (park names may hold markup or control characters);
only an :class:`Html` value, built by these helpers, is inserted as it is.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence

from greenscore.io._escape import escape_html, escape_terminal

REPR_LIMIT = 200
"""The longest repr a result may have, in characters."""

TONES = {"reward": "#2e7d32", "none": "#757575", "penalty": "#c62828"}
"""Bar colour by consequence kind; anything else is drawn in the neutral tone."""

_NEUTRAL = "#4a78a8"
_TABLE = "border-collapse:collapse;margin:0.3em 0;font-size:0.9em"
_CELL = "padding:0.1em 0.6em;border-bottom:1px solid #e0e0e0"


class Html(str):
    """Text that is already safe HTML: the helpers here insert it without escaping."""

    __slots__ = ()


def shorten(text: object, width: int = 40) -> str:
    """``text`` on one line with control characters visible, cut to ``width`` with an ellipsis."""
    shown = escape_terminal(str(text))
    return shown if len(shown) <= width else shown[: width - 1] + "…"


def one_line_repr(kind: str, body: str) -> str:
    """``<kind body>`` on one line and at most :data:`REPR_LIMIT` characters."""
    room = REPR_LIMIT - len(kind) - 3
    return f"<{kind} {shorten(body, room)}>"


def html_text(value: object) -> str:
    """A value as HTML: an :class:`Html` value as it is, anything else escaped."""
    return str(value) if isinstance(value, Html) else escape_html(value)


def strong(value: object, *, tone: str | None = None) -> Html:
    """A value in bold, escaped; coloured by a consequence kind in :data:`TONES` when given."""
    colour = f' style="color:{TONES[tone]}"' if tone in TONES else ""
    return Html(f"<strong{colour}>{html_text(value)}</strong>")


def indented(value: object, depth: int) -> Html:
    """A value indented by ``depth`` steps, for the rows of a tree shown as a table."""
    return Html(f'<span style="padding-left:{1.2 * depth:g}em">{html_text(value)}</span>')


def titled(value: object, title: str) -> Html:
    """A value with a tooltip (its ``title``), both escaped."""
    return Html(f'<span title="{escape_html(title)}">{html_text(value)}</span>')


def line(*parts: object, small: bool = False) -> Html:
    """One paragraph of the given parts, each escaped unless it is :class:`Html`."""
    size = "font-size:0.85em;color:#555;" if small else ""
    return Html(f'<p style="{size}margin:0.2em 0">{"".join(map(html_text, parts))}</p>')


def bar(fraction: float, *, tone: str | None = None, width: float = 8.0) -> Html:
    """A horizontal bar filled to ``fraction`` (clipped to 0–1), in plain inline CSS; empty for
    a missing value."""
    if fraction is None or not math.isfinite(fraction):
        return Html("")
    filled = min(max(fraction, 0.0), 1.0) * 100
    colour = TONES.get(tone or "", _NEUTRAL)
    return Html(
        f'<span style="display:inline-block;width:{width:g}em;height:0.8em;background:#e8e8e8;'
        f'vertical-align:middle"><span style="display:block;width:{filled:.1f}%;height:100%;'
        f'background:{colour}"></span></span>'
    )


def table(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    right: Collection[int] = (),
    caption: str | None = None,
) -> Html:
    """A compact table; cells are escaped unless :class:`Html`, columns in ``right`` (numbers)
    right-aligned."""

    def cell(tag: str, j: int, value: object) -> str:
        align = "text-align:right;white-space:nowrap;" if j in right else "text-align:left;"
        return f'<{tag} style="{align}{_CELL}">{html_text(value)}</{tag}>'

    head = "".join(cell("th", j, h) for j, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(cell("td", j, v) for j, v in enumerate(row)) + "</tr>" for row in rows
    )
    title = (
        f'<caption style="text-align:left;font-weight:bold">{escape_html(caption)}</caption>'
        if caption
        else ""
    )
    return Html(
        f'<table style="{_TABLE}">{title}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    )


def block(kind: str, *parts: str) -> Html:
    """The parts inside one container, classed ``greenscore-<kind>`` for styling."""
    return Html(
        f'<div class="greenscore-{escape_html(kind)}" style="font-family:sans-serif;'
        f'line-height:1.35">{"".join(parts)}</div>'
    )
