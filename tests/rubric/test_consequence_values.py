"""Numeric consequences in the rubric: declared once with a unit, every tier value checked at
load with its location, and left out of the canonical form when unused (issue 9, item 8)."""

from __future__ import annotations

import textwrap

import pytest

import greenscore
from greenscore import RubricError
from greenscore.rubric.load import rubric_sha256, rubric_yaml

BASE = """\
name: t
version: "1"
inputs:
  - {id: x, min: 0, max: 100}
dimensions:
  - id: d
    indicators:
      - {id: i, input: x, method: linear, goalposts: {worst: 0, best: 100}}
consequence_values:
  - {id: electricity_surcharge, label: 电价加价, unit: 元/kWh}
  - {id: land_quota_change, label: 用地指标调整, unit: "%"}
tiers:
  - {id: top, min_score: 50, consequence: {kind: reward, text: 奖励, values: {land_quota_change: 10}}}
  - id: bottom
    min_score: 0
    consequence: {kind: penalty, text: 电价加价, values: {electricity_surcharge: 0.1}}
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


def test_declared_values_load_onto_their_tiers() -> None:
    rubric = greenscore.load_rubric(BASE)
    assert [v.id for v in rubric.consequence_values] == [
        "electricity_surcharge",
        "land_quota_change",
    ]
    assert rubric.consequence_values[0].unit == "元/kWh"
    assert rubric.tiers[0].consequence.values == {"land_quota_change": 10.0}
    assert rubric.tiers[1].consequence.values == {"electricity_surcharge": 0.1}


def test_a_misspelt_value_is_located_with_a_suggestion() -> None:
    text = BASE.replace("{electricity_surcharge: 0.1}", "{electricty_surcharge: 0.1}")
    [(line, _, path, message)] = problems(text)
    assert line == 16
    assert path == "tiers[1].consequence.values.electricty_surcharge"
    assert message == (
        "undeclared consequence value 'electricty_surcharge' (did you mean 'electricity_surcharge'?)"
    )


def test_a_value_without_any_declaration_says_where_to_declare_it() -> None:
    text = BASE.replace(
        "consequence_values:\n  - {id: electricity_surcharge, label: 电价加价, unit: 元/kWh}\n"
        '  - {id: land_quota_change, label: 用地指标调整, unit: "%"}\n',
        "",
    )
    found = problems(text)
    assert [p[2] for p in found] == [
        "tiers[0].consequence.values.land_quota_change",
        "tiers[1].consequence.values.electricity_surcharge",
    ]
    assert found[0][3].endswith(": declare it in the rubric's consequence_values, with its unit")


def test_an_unrelated_value_lists_the_declared_ids() -> None:
    [(_, _, _, message)] = problems(BASE.replace("{land_quota_change: 10}", "{water: 1}"))
    assert message == (
        "undeclared consequence value 'water'; declared: electricity_surcharge, land_quota_change"
    )


def test_a_duplicate_declaration_is_refused() -> None:
    text = BASE.replace(
        '  - {id: land_quota_change, label: 用地指标调整, unit: "%"}\n',
        '  - {id: land_quota_change, label: 用地指标调整, unit: "%"}\n'
        "  - {id: land_quota_change}\n",
    )
    [(line, _, path, message)] = problems(text)
    assert (line, path) == (12, "consequence_values[2].id")
    assert message == (
        "duplicate consequence value id 'land_quota_change' (first at consequence_values[1].id)"
    )


@pytest.mark.parametrize("bad", [".inf", ".nan", "'a lot'"])
def test_a_value_must_be_a_finite_number(bad: str) -> None:
    [(line, _, path, message)] = problems(
        BASE.replace("electricity_surcharge: 0.1}", f"electricity_surcharge: {bad}}}")
    )
    assert (line, path) == (16, "tiers[1].consequence.values.electricity_surcharge")
    assert "finite number" in message or "valid number" in message


def test_a_declared_id_must_be_an_identifier() -> None:
    [(_, _, path, message)] = problems(BASE.replace("{id: land_quota_change,", "{id: land-quota,"))
    assert path == "consequence_values[1].id"
    assert "pattern" in message


def test_unused_keys_leave_the_canonical_form_and_its_hash_alone() -> None:
    """A rubric spelling out the defaults (no declarations, empty values) is the rubric that
    says nothing about them, so existing rubrics keep their sha256."""
    plain = BASE.split("consequence_values:")[0] + (
        "tiers:\n  - {id: top, min_score: 50}\n  - {id: bottom, min_score: 0}\n"
    )
    spelt = BASE.split("consequence_values:")[0] + (
        "consequence_values: []\n"
        "tiers:\n  - {id: top, min_score: 50, consequence: {values: {}}}\n"
        "  - {id: bottom, min_score: 0}\n"
    )
    a, b = greenscore.load_rubric(plain), greenscore.load_rubric(spelt)
    assert rubric_sha256(a) == rubric_sha256(b)
    assert "consequence_values" not in rubric_yaml(b)
    assert "values" not in rubric_yaml(b)


def test_declared_values_survive_the_round_trip_through_yaml() -> None:
    rubric = greenscore.load_rubric(BASE)
    again = greenscore.load_rubric(rubric_yaml(rubric))
    assert again.consequence_values == rubric.consequence_values
    assert [t.consequence for t in again.tiers] == [t.consequence for t in rubric.tiers]
    assert rubric_sha256(again) == rubric_sha256(rubric)
