"""Formula-injection defence for cells written to CSV and Excel."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from greenscore.io import escape_frame, escape_markdown, escape_spreadsheet_cell, escape_terminal


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("@x", "'@x"),
        ("+86 123", "'+86 123"),
        ("-2+3", "'-2+3"),
        ("-inf", "'-inf"),
        ("-", "'-"),
        ("\tcmd", "'\tcmd"),
        ("\r=1", "'\r=1"),
        ("=1", "'=1"),
        ("-1.5", "-1.5"),
        ("+2", "+2"),
        ("-1e-3", "-1e-3"),
        ("-.5", "-.5"),
        ("苏州工业园区", "苏州工业园区"),
        ("a=b", "a=b"),
        (" =1", " =1"),
        ("", ""),
        ("'=already", "'=already"),
    ],
)
def test_escape_strings(value: str, expected: str) -> None:
    assert escape_spreadsheet_cell(value) == expected


@pytest.mark.parametrize("value", [-1.5, -3, 0, None, True, np.float64(-2.0), np.int64(-7)])
def test_non_strings_are_untouched(value: object) -> None:
    assert escape_spreadsheet_cell(value) is value


def test_escape_frame_touches_only_text() -> None:
    df = pd.DataFrame(
        {
            "=name": ["=cmd()", "ok", None],
            "score": [-1.0, 2.0, float("nan")],
            "text": pd.Series(["-1.5", "@me", None], dtype="str"),
            "mixed": pd.Series(["+x", 3, -4.5], dtype=object),
            "cat": pd.Series(["=a", "b", "=a"], dtype="category"),
        }
    )
    before = df.copy()
    out = escape_frame(df)
    pd.testing.assert_frame_equal(df, before)
    assert list(out.columns) == ["'=name", "score", "text", "mixed", "cat"]
    assert out["'=name"].tolist()[:2] == ["'=cmd()", "ok"]
    assert pd.isna(out["'=name"].iloc[2])
    assert out["score"].tolist()[:2] == [-1.0, 2.0]
    assert math.isnan(out["score"].iloc[2])
    assert out["score"].dtype == np.float64
    assert out["text"].tolist()[:2] == ["-1.5", "'@me"]
    assert out["text"].dtype == df["text"].dtype
    assert out["mixed"].tolist() == ["'+x", 3, -4.5]
    assert out["cat"].tolist() == ["'=a", "b", "'=a"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\x1b[2J\x1b[HPark", "\\x1b[2J\\x1b[HPark"),
        ("a\x9b31mb", "a\\x9b31mb"),
        ("bell\x07 del\x7f nul\x00", "bell\\x07 del\\x7f nul\\x00"),
        ("\u202etxt.exe\u2066\u2069\u200f\u061c", "\\u202etxt.exe\\u2066\\u2069\\u200f\\u061c"),
        ("two\nlines\r\tand\u2028", "two\\nlines\\r\\tand\\u2028"),
        ("lone \ud800", "lone \\ud800"),
        ("南昌高新技术产业开发区 (JX001) café", "南昌高新技术产业开发区 (JX001) café"),
        ("C:\\parks\\x1b.csv", "C:\\parks\\x1b.csv"),
    ],
)
def test_terminal_escape_codes_are_shown_not_run(text: str, expected: str) -> None:
    assert escape_terminal(text) == expected


def test_terminal_escape_keeps_line_breaks_of_a_message_only_when_asked() -> None:
    assert escape_terminal("a\x1b[2J\nb\r", keep_newlines=True) == "a\\x1b[2J\nb\\r"


def test_terminal_escape_of_json_text_stays_json() -> None:
    text = '{"entity": "A\x7f\x9b\u202e\ud800"}\n'
    shown = escape_terminal(text, json=True)
    assert shown == '{"entity": "A\\u007f\\u009b\\u202e\\ud800"}\n'
    assert json.loads(shown) == {"entity": "A\x7f\x9b\u202e\ud800"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("<script>x</script>", "&lt;script&gt;x&lt;/script&gt;"),
        ("A&B", "A&amp;B"),
        ("*bold* ~gone~", "\\*bold\\* \\~gone\\~"),
        ("[click](javascript:x)", "\\[click\\](javascript:x)"),
        ("`code`", "\\`code\\`"),
        ("a|b", "a\\|b"),
        ("back\\slash", "back\\\\slash"),
        ("_em_ park_id __x", "\\_em\\_ park_id \\_\\_x"),
        ("line\nbreak\r\nhere", "line break here"),
        ("\x1b[31m\u202e", "\\x1b\\[31m\\u202e"),
        ("南昌高新技术产业开发区", "南昌高新技术产业开发区"),
        ("优秀 Excellent", "优秀 Excellent"),
        ("parks_2016.csv", "parks_2016.csv"),
        (None, "—"),
        (7, "7"),
    ],
)
def test_markdown_escape_makes_data_inert(value: object, expected: str) -> None:
    assert escape_markdown(value) == expected


def test_escape_frame_shows_control_characters_before_defusing_formulas() -> None:
    df = pd.DataFrame({"name\x1b[2J": ["a\x1b[31mb\u202e", "=\x07", "\x1b=1", "two\nlines\r"]})
    out = escape_frame(df)
    assert list(out.columns) == ["name\\x1b[2J"]
    assert out.iloc[:, 0].tolist() == ["a\\x1b[31mb\\u202e", "'=\\x07", "\\x1b=1", "two\nlines\\r"]
