"""Rubric authoring that guides (issue 13, item 7): each trip's exact message, at the wrong line."""

from __future__ import annotations

import pytest

import greenscore
from greenscore import RubricError


def messages(text: str) -> list[str]:
    """Every problem of a rubric as a user reads it: line:column: path: message."""
    with pytest.raises(RubricError) as info:
        greenscore.load_rubric(text)
    return [str(p).removeprefix("<string>:") for p in info.value.problems]


POINTS = """\
name: t
version: "1"
scale: {min: 0, max: 10}
total: {ceiling: false}
inputs:
  - {id: x, min: 0, max: 10}
  - {id: c, type: category, categories: [A, B]}
dimensions:
  - id: d
    indicators:
      - id: i
        input: x
        method: bands
        bands:
          - {to: 5, points: 10}
          - {from: 5, points: 12.5}
      - {id: j, input: c, method: categorical, points: {A: -1, B: 5}}
tiers:
  - {id: top, min_score: 5}
  - {id: bottom, min_score: 0}
"""


def test_issue13_band_and_category_points_outside_the_scale_are_refused_at_load() -> None:
    """Points past the scale gave totals above the maximum; total: {ceiling: false} does not
    make them right, as points are an indicator's score."""
    scale = "band and category points are scores on the scale, so write a number from 0 to 10"
    assert messages(POINTS) == [
        "16:23: dimensions[0].indicators[0].bands[1].points: band [5, ∞) scores 12.5, "
        f"outside the scale 0–10: {scale}",
        "17:57: dimensions[0].indicators[1].points.A: category 'A' scores -1, "
        f"outside the scale 0–10: {scale}",
    ]


def test_issue13_points_at_the_ends_of_the_scale_load() -> None:
    rubric = greenscore.load_rubric(POINTS.replace("12.5", "10").replace("A: -1", "A: 0"))
    assert rubric.scale.max == 10


BASE = """\
name: t
version: "1"
inputs:
  - {id: x, min: 0, max: 10}
dimensions:
  - id: d
    indicators:
      - {id: i, input: x, method: linear, goalposts: {worst: 0, best: 10}}
tiers:
  - {id: top, min_score: 50}
  - {id: bottom, min_score: 0}
"""


def test_issue13_a_quoted_number_is_refused_with_the_number_to_write() -> None:
    """One rule for every numeric field: numbers without quotes ('weight: "2"' was accepted)."""
    text = BASE.replace("method: linear,", 'method: linear, weight: "2",').replace(
        "min_score: 50", "min_score: '50'"
    )
    quotes = "numbers are written without quotes"
    assert messages(text) == [
        f"8:43: dimensions[0].indicators[0].weight: expected a number, found the text '2': "
        f"{quotes}, so write 2",
        f"10:15: tiers[0].min_score: expected a number, found the text '50': {quotes}, so write 50",
    ]


def test_issue13_a_word_for_a_number_names_the_value_found() -> None:
    """'weight: two' gave pydantic's raw message without the value."""
    text = BASE.replace("method: linear,", "method: linear, weight: two,")
    assert messages(text) == [
        "8:43: dimensions[0].indicators[0].weight: expected a number, found the text 'two'"
    ]


def test_issue13_bounds_whole_numbers_and_booleans_name_the_value_found() -> None:
    text = (
        BASE.replace('version: "1"', 'version: "1"\nrounding: {decimals: 1.5}')
        .replace("max: 10}", "max: 10, required: 'yes'}")
        .replace("method: linear,", "method: linear, weight: -1,")
    )
    assert messages(text) == [
        "3:12: rounding.decimals: expected a whole number, found 1.5",
        "5:30: inputs[0].required: expected true or false, found the text 'yes'",
        "9:43: dimensions[0].indicators[0].weight: expected a number greater than or equal "
        "to 0, found -1",
    ]


def test_issue13_exponents_need_no_quotes() -> None:
    """1e6 is a number in a rubric (YAML 1.1 read it as text), so no number needs quotes."""
    rubric = greenscore.load_rubric(BASE.replace("max: 10}", "max: 1e6}"))
    assert rubric.inputs[0].max == 1_000_000


TIERS = """\
name: t
version: "1"
inputs:
  - {id: revenue, min: 0, max: 10}
  - {id: bad, type: boolean}
dimensions:
  - id: d
    indicators:
      - {id: i, input: revenue, method: linear, goalposts: {worst: 0, best: 10}}
vetoes:
  - {id: v, kind: cap_tier, when: bad, tier: good, reason: r}
tiers:
  - {id: excellent, min_score: 90}
  - {id: good, min_score: 75}
  - {id: pass, min_score: 60}
  - {id: fail, min_score: 0}
"""


def test_issue13_a_tier_out_of_order_is_reported_at_its_own_line() -> None:
    """'good' at 50 broke the order; it was reported at 'pass', the next tier's line."""
    text = TIERS.replace("min_score: 75", "min_score: 50").replace(
        "  - {id: fail", "  - {id: poor, min_score: 55}\n  - {id: fail"
    )
    assert messages(text) == [
        "14:16: tiers[1].min_score: tier 'good' is out of order: its min_score 50 is below that "
        "of 'pass' (60), listed after it; list tiers best first, with strictly decreasing "
        "min_score"
    ]


def test_issue13_both_of_two_swapped_tiers_are_reported_as_either_may_be_wrong() -> None:
    rule = "list tiers best first, with strictly decreasing min_score"
    assert messages(TIERS.replace("min_score: 75", "min_score: 50")) == [
        "14:16: tiers[1].min_score: tier 'good' is out of order: its min_score 50 is below that "
        f"of 'pass' (60), listed after it; {rule}",
        "15:16: tiers[2].min_score: tier 'pass' is out of order: its min_score 60 is above that "
        f"of 'good' (50), listed before it; {rule}",
    ]


def test_issue13_a_tier_listed_too_late_is_reported_at_its_own_line() -> None:
    text = TIERS.replace("  - {id: fail", "  - {id: top, min_score: 95}\n  - {id: fail")
    assert messages(text) == [
        "16:15: tiers[3].min_score: tier 'top' is out of order: its min_score 95 is above that "
        "of 'pass' (60), listed before it; list tiers best first, with strictly decreasing "
        "min_score"
    ]


def test_issue13_tiers_sharing_a_min_score_name_each_other() -> None:
    assert messages(TIERS.replace("min_score: 60", "min_score: 75")) == [
        "15:16: tiers[2].min_score: tier 'pass' has the same min_score as 'good' (75): list "
        "tiers best first, with strictly decreasing min_score"
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "tier: good",
            "tier: GOOD",
            "11:40: vetoes[0].tier: undeclared tier 'GOOD' (did you mean 'good'?)",
        ),
        (
            "input: revenue,",
            "input: revenu,",
            "9:17: dimensions[0].indicators[0].input: undeclared input 'revenu' "
            "(did you mean 'revenue'?)",
        ),
        (
            "when: bad",
            "when: BAD",
            "11:29: vetoes[0].when: formula refers to undeclared input 'BAD' (did you mean 'bad'?)",
        ),
        (
            "method: linear",
            "method: lineal",
            "9:9: dimensions[0].indicators[0]: unknown method 'lineal' (did you mean "
            "'linear'?); expected one of 'linear', 'bands', 'target', 'ratio', 'checklist', "
            "'categorical', 'given', 'minmax', 'percentile', 'zscore'",
        ),
    ],
)
def test_issue13_undeclared_tiers_inputs_and_methods_get_suggestions(
    old: str, new: str, expected: str
) -> None:
    """A name differing only in case is suggested too ('GOOD' had no suggestion)."""
    assert messages(TIERS.replace(old, new)) == [expected]


def test_issue13_a_list_item_out_of_line_is_an_indentation_slip_at_its_line() -> None:
    """PyYAML's 'did not find expected '-' indicator' becomes what to check, on which line."""
    text = TIERS.replace("  - {id: bad, type: boolean}", "   - {id: bad, type: boolean}")
    assert messages(text) == [
        "5:4: YAML syntax error: check the indentation of line 5: it does not line up with the "
        "lines above it (YAML: did not find expected '-' indicator (while parsing a block "
        "collection at line 4, column 3))"
    ]


def test_issue13_a_tab_is_named_as_a_tab() -> None:
    text = TIERS.replace("  - {id: fail", "\t- {id: fail")
    assert messages(text) == [
        "16:1: YAML syntax error: line 16 is indented with a tab: indent with spaces only"
    ]


def test_issue13_a_key_without_colon_is_reported_at_its_own_line() -> None:
    assert messages(TIERS.replace("vetoes:", "vetoes")) == [
        "10:1: YAML syntax error: line 10 has a key without ':' (write key: value), or check "
        "the indentation of the line after it (YAML: could not find expected ':' (while "
        "scanning a simple key at line 10, column 1))"
    ]


def test_issue13_a_second_colon_asks_for_indentation_or_quotes() -> None:
    assert messages(TIERS.replace("name: t", "name: t: u")) == [
        "1:8: YAML syntax error: check the indentation of line 1, and quote a value that holds "
        "': ' (YAML: mapping values are not allowed in this context)"
    ]


def test_issue13_an_unclosed_brace_names_the_line_it_opened() -> None:
    text = TIERS.replace("{id: pass, min_score: 60}", "{id: pass, min_score: 60")
    assert messages(text) == [
        "16:5: YAML syntax error: the '{' opened at line 15 is not closed: check for a missing "
        "'}' or ',' (YAML: did not find expected ',' or '}' (while parsing a flow mapping at "
        "line 15, column 5))"
    ]


def test_issue13_a_key_indented_under_the_wrong_parent_points_at_the_indentation() -> None:
    """'bands' dedented to the dimension gave "unknown key 'bands' (did you mean 'bands'?)"."""
    text = POINTS.replace("        bands:", "    bands:").replace("          - {", "      - {")
    assert messages(text) == [
        "11:9: dimensions[0].indicators[0]: required key 'bands' is missing",
        "14:5: dimensions[0].bands: 'bands' is not a key here but of an indicator: check the "
        "indentation of this line",
    ]
