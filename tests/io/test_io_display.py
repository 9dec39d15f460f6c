"""The notebook display helpers: HTML escaping of data, bars, tables and one-line reprs."""

from __future__ import annotations

import math

from greenscore.io import display as d
from greenscore.io import escape_html


def test_escape_html_makes_markup_quotes_and_controls_inert() -> None:
    assert escape_html("<script>alert('x')</script>") == (
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"
    )
    assert escape_html('a & "b"') == "a &amp; &quot;b&quot;"
    assert escape_html("red\x1b[31m\u202eevil") == "red\\x1b[31m\\u202eevil"
    assert escape_html(None) == "—"
    assert escape_html(2.5) == "2.5"


def test_table_escapes_every_cell_but_html_built_here() -> None:
    html = d.table(["<h>", "n"], [["<b>x</b>", d.strong("<i>")], [1, d.Html("<em>ok</em>")]])
    assert "<b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<strong>&lt;i&gt;</strong>" in html
    assert "<em>ok</em>" in html
    assert "&lt;h&gt;" in html
    assert isinstance(html, d.Html)


def test_a_caption_and_a_tooltip_are_escaped() -> None:
    assert "&lt;c&gt;" in d.table(["a"], [], caption="<c>")
    assert d.titled("x", '"><script>') == ('<span title="&quot;&gt;&lt;script&gt;">x</span>')


def test_bars_are_clipped_and_empty_for_a_missing_value() -> None:
    assert "width:100.0%" in d.bar(1.7)
    assert "width:0.0%" in d.bar(-0.2)
    assert "width:45.6%" in d.bar(0.456)
    assert d.bar(math.nan) == ""
    assert d.TONES["penalty"] in d.bar(0.5, tone="penalty")
    assert d.TONES["penalty"] not in d.bar(0.5, tone="<script>")


def test_one_line_reprs_never_pass_the_limit() -> None:
    assert d.one_line_repr("Kind", "short") == "<Kind short>"
    long = d.one_line_repr("Kind", "x" * 1000)
    assert len(long) == d.REPR_LIMIT and long.endswith("…>")
    assert d.shorten("a\nb\x1b", 40) == "a\\nb\\x1b"
    assert d.shorten("abcdef", 4) == "abc…"
