"""Every rubric error kind is reported with its file, line, column and path; all problems at once."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import greenscore
from greenscore import RubricError

BASE = """\
name: t
version: "1"
inputs:
  - {id: x, min: 0, max: 10}
  - {id: y}
dimensions:
  - id: d
    indicators:
      - {id: i, input: x, method: linear, goalposts: {worst: 0, best: 10}}
tiers:
  - {id: top, min_score: 50}
  - {id: bottom, min_score: 0}
"""


def problems(text: str) -> list[tuple[int | None, int | None, str, str]]:
    with pytest.raises(RubricError) as info:
        greenscore.load_rubric(textwrap.dedent(text))
    return [
        (
            p.location.line if p.location else None,
            p.location.column if p.location else None,
            p.path,
            p.message,
        )
        for p in info.value.problems
    ]


def only(text: str) -> tuple[int | None, int | None, str, str]:
    found = problems(text)
    assert len(found) == 1, found
    return found[0]


def test_base_rubric_loads() -> None:
    rubric = greenscore.load_rubric(BASE)
    assert rubric.dimensions[0].indicators[0].id == "i"


def test_yaml_syntax_error_has_line() -> None:
    line, _, _, message = only(BASE.replace("  - {id: y}", "  - {id: y"))
    assert "YAML" in message or "syntax" in message.lower()
    assert line is not None and line >= 5


def test_unknown_key_with_did_you_mean() -> None:
    text = BASE.replace("- {id: i, input: x,", "- {id: i, input: x, wieght: 2,")
    line, column, path, message = only(text)
    assert (line, path) == (9, "dimensions[0].indicators[0].wieght")
    assert column == text.splitlines()[8].index("wieght") + 1
    assert "unknown key 'wieght'" in message and "did you mean 'weight'" in message


def test_unknown_method() -> None:
    line, _, path, message = only(BASE.replace("method: linear", "method: lineer"))
    assert line == 9 and path == "dimensions[0].indicators[0]"
    assert "unknown method 'lineer'" in message and "did you mean 'linear'" in message


def test_negative_weight() -> None:
    line, _, path, message = only(BASE.replace("  - id: d\n", "  - id: d\n    weight: -2\n"))
    assert (line, path) == (8, "dimensions[0].weight")
    assert "greater than or equal to 0" in message


def test_equal_goalposts() -> None:
    text = BASE.replace("{worst: 0, best: 10}", "{worst: 5, best: 5}")
    line, column, path, message = only(text)
    assert (line, path) == (9, "dimensions[0].indicators[0].goalposts")
    assert column == text.splitlines()[8].index("goalposts") + 1
    assert "worst and best are equal" in message


BANDS = """\
name: t
version: "1"
inputs:
  - {id: x}
dimensions:
  - id: d
    indicators:
      - id: i
        input: x
        method: bands
        bands:
          - {to: 1, points: 10}
          - {from: 1, to: 2, points: 50}
          - {from: 2, points: 100}
tiers:
  - {id: bottom, min_score: 0}
"""


def test_bands_that_overlap() -> None:
    line, _, path, message = only(
        BANDS.replace("{from: 2, points: 100}", "{from: 1.5, points: 100}")
    )
    assert (line, path) == (11, "dimensions[0].indicators[0].bands")
    assert "bands [1.0, 2.0) and [1.5, inf) overlap" in message


def test_bands_with_a_gap() -> None:
    line, _, _, message = only(BANDS.replace("{from: 2, points: 100}", "{from: 3, points: 100}"))
    assert line == 11 and "gap between bands" in message and "[2.0, 3.0)" in message


def test_bands_not_covering_every_value() -> None:
    line, _, _, message = only(BANDS.replace("{to: 1, points: 10}", "{from: 0, to: 1, points: 10}"))
    assert line == 11 and "values below 0.0 fall in no band" in message


def test_tiers_out_of_order() -> None:
    text = BASE.replace(
        "{id: top, min_score: 50}", "{id: top, min_score: 50}\n  - {id: mid, min_score: 70}"
    )
    line, _, path, message = only(text)
    assert (line, path) == (12, "tiers[1].min_score")
    assert "tiers out of order" in message


def test_lowest_tier_must_accept_every_score() -> None:
    line, _, path, message = only(
        BASE.replace("{id: bottom, min_score: 0}", "{id: bottom, min_score: 10}")
    )
    assert (line, path) == (12, "tiers[1].min_score") and "lowest tier" in message


def test_undeclared_input() -> None:
    line, _, path, message = only(BASE.replace("input: x,", "input: xx,"))
    assert (line, path) == (9, "dimensions[0].indicators[0].input")
    assert "undeclared input 'xx'" in message and "did you mean 'x'" in message


def test_undeclared_indicator_in_tier_condition() -> None:
    text = BASE.replace(
        "{id: top, min_score: 50}",
        "{id: top, min_score: 50, conditions: [{type: indicator_min, indicator: ii, score: 5}]}",
    )
    line, _, path, message = only(text)
    assert (line, path) == (11, "tiers[0].conditions[0].indicator")
    assert "undeclared indicator 'ii'" in message


def test_cycle_among_derived_inputs() -> None:
    text = BASE.replace(
        "dimensions:",
        "derived:\n  - {id: a, formula: b + 1}\n  - {id: b, formula: a * 2}\ndimensions:",
    )
    found = problems(text)
    assert any("cycle" in message and line in (6, 7) for line, _, _, message in found), found


def test_duplicate_ids() -> None:
    text = BASE.replace(
        "goalposts: {worst: 0, best: 10}}",
        "goalposts: {worst: 0, best: 10}}\n      - {id: i, input: y, method: linear, "
        "goalposts: {worst: 0, best: 1}}",
    )
    line, _, path, message = only(text)
    assert (line, path) == (10, "dimensions[0].indicators[1].id")
    assert "duplicate dimension or indicator id 'i'" in message


@pytest.mark.parametrize(
    "formula",
    ["__import__('os').system('x')", "x.__class__", "open('f')", "[x for x in y]", "x[0]"],
)
def test_unsafe_formula(formula: str) -> None:
    text = BASE.replace(
        "dimensions:", f'derived:\n  - {{id: a, formula: "{formula}"}}\ndimensions:'
    )
    found = problems(text)
    assert found and all(line == 7 for line, *_ in found), found
    assert any("unsafe or invalid formula" in message for *_, message in found)


def test_every_problem_is_listed_at_once() -> None:
    text = (
        BASE.replace("method: linear", "method: linear, wieght: 1")
        .replace("  - id: d\n", "  - id: d\n    weight: -1\n")
        .replace("{id: top, min_score: 50}", "{id: top, min_score: 50, colour: red}")
    )
    found = problems(text)
    assert {p for _, _, p, _ in found} == {
        "dimensions[0].indicators[0].wieght",
        "dimensions[0].weight",
        "tiers[0].colour",
    }


def test_error_message_names_file_line_column(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    text = BASE.replace("{worst: 0, best: 10}", "{worst: 5, best: 5}")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RubricError) as info:
        greenscore.load_rubric(path)
    column = text.splitlines()[8].index("goalposts") + 1
    assert (
        f"{path}:9:{column}: dimensions[0].indicators[0].goalposts: worst and best are equal"
        in str(info.value)
    )


def test_unsafe_yaml_tag_is_refused() -> None:
    with pytest.raises(RubricError) as info:
        greenscore.load_rubric("!!python/object/apply:os.system ['echo hi']\n")
    assert info.value.problems[0].location is not None


def test_veto_on_optional_input_is_refused() -> None:
    text = BASE.replace("  - {id: y}", "  - {id: y, required: false}").replace(
        "tiers:",
        "vetoes:\n  - {id: v, kind: force_tier, when: y > 0, tier: bottom, reason: r}\ntiers:",
    )
    line, _, path, message = only(text)
    assert path == "vetoes[0].when" and "optional input 'y'" in message and line == 11


def _with_vetoes(vetoes: str, extra: str = "") -> str:
    return BASE.replace("tiers:\n", f"vetoes:\n{vetoes}tiers:\n") + extra


def test_bonus_and_deduction_keys_are_checked() -> None:
    """An item cap only bounds formula points; tier vetoes take no cap; bonuses need points."""
    found = problems(
        _with_vetoes(
            "  - {id: a, kind: bonus, points: 2, cap: 1, reason: r}\n"
            "  - {id: b, kind: cap_tier, when: y > 0, tier: bottom, cap: 1, reason: r}\n"
            "  - {id: c, kind: bonus, reason: r}\n"
            "  - {id: d, kind: deduct, points: y, cap: 0, reason: r}\n"
        )
    )
    assert [(line, path) for line, _, path, _ in found] == [
        (11, "vetoes[0]"),
        (12, "vetoes[1]"),
        (13, "vetoes[2]"),
        (14, "vetoes[3].cap"),
    ]
    messages = [message for *_, message in found]
    assert "'cap' bounds points given by a formula" in messages[0]
    assert "takes no 'points' or 'cap'" in messages[1]
    assert "a bonus item needs 'points'" in messages[2]
    assert "greater than 0" in messages[3]


def test_no_veto_cannot_name_a_bonus_and_total_caps_need_items() -> None:
    text = _with_vetoes(
        "  - {id: gift, kind: bonus, points: 1, reason: r}\n",
        "total: {deduction_cap: 3}\n",
    ).replace(
        "  - {id: top, min_score: 50}",
        "  - {id: top, min_score: 50, conditions: [{type: no_veto, vetoes: [gift]}]}",
    )
    found = {path: message for _, _, path, message in problems(text)}
    assert set(found) == {"tiers[0].conditions[0].vetoes", "total.deduction_cap"}
    assert "'gift' is a bonus item, not a veto" in found["tiers[0].conditions[0].vetoes"]
    assert "deduction_cap is set but the rubric has no deduct item" in found["total.deduction_cap"]


def test_a_bonus_may_read_optional_inputs() -> None:
    """Leaving a field blank can only lose a bonus (an unknown condition gives none), so a bonus
    may read an optional input; a deduction may not."""
    optional = BASE.replace("  - {id: y}", "  - {id: y, required: false}")
    bonus = "  - {id: b, kind: bonus, when: y > 0, points: 1, reason: r}\n"
    greenscore.load_rubric(optional.replace("tiers:\n", f"vetoes:\n{bonus}tiers:\n"))
    deduct = bonus.replace("bonus", "deduct")
    ((_, _, path, message),) = problems(optional.replace("tiers:\n", f"vetoes:\n{deduct}tiers:\n"))
    assert path == "vetoes[0].when" and "reads optional input 'y'" in message


def test_unchanged_rubrics_keep_their_sha256() -> None:
    """Keys added for issue 9 (total, an item's cap, the rounding mode and dimensions) are left
    out of the canonical form at their defaults, so earlier rubrics hash as before: the bundled
    rubric's sha256 is the one its results were published with."""
    from greenscore.rubric.load import rubric_sha256

    bundled = "76ff5843415296bec999495100ed7415c35415364aa96ef7db01fc52352a35ce"
    assert rubric_sha256(greenscore.default_rubric()) == bundled
    spelled_out = BASE + "total: {floor: true, ceiling: true}\n"
    assert rubric_sha256(greenscore.load_rubric(spelled_out)) == rubric_sha256(
        greenscore.load_rubric(BASE)
    )
    uncapped = greenscore.load_rubric(BASE + "total: {ceiling: false}\n")
    assert rubric_sha256(uncapped) != rubric_sha256(greenscore.load_rubric(BASE))
    assert greenscore.load_rubric(greenscore.rubric_yaml(uncapped)).total.ceiling is False
