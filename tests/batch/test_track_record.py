"""Track-record rules over four periods, by hand (issue 10).

Score = x (linear 0 → 100). Tiers A ≥ 80, B ≥ 60, C ≥ 40, D (surcharge 0.05 元/kWh).
Six parks, 2019–2022 ('-': no row that year):

    park  2019  2020  2021  2022     tiers        ranks (of 4, 3, 6, 6)
    P1     90    90    90    90      A A A A      1 1 2 2
    P2     50    30    20    10      C D D D      3 3 6 6
    P3      -     -    30    25      - - D D      - - 5 5   new in the third period
    P4     85     -    86    87      A - A A      2 - 3 4   a gap year (2020)
    P5      -     -    95    95      - - A A      - - 1 1   new in the third period
    P6     45    35    35    88      C D D A      4 2 4 3

Places from the bottom (pool size − rank + 1): 2020 P2 1, P6 2, P1 3; 2021 P2 1, P3 2, P6 3;
2022 P2 1, P3 2, P4 3, P6 4.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

import greenscore
from greenscore.errors import RubricError

X = {
    "P1": (90, 90, 90, 90),
    "P2": (50, 30, 20, 10),
    "P3": (None, None, 30, 25),
    "P4": (85, None, 86, 87),
    "P5": (None, None, 95, 95),
    "P6": (45, 35, 35, 88),
}
YEARS = (2019, 2020, 2021, 2022)

HEAD = """
name: parks
version: "1"
inputs:
  - {id: x, min: 0, max: 100}
dimensions:
  - id: d
    indicators: [{id: ix, input: x, method: linear, goalposts: {worst: 0, best: 100}}]
consequence_values:
  - {id: surcharge, label: 电价加价, unit: 元/kWh}
tiers:
  - {id: A, min_score: 80}
  - {id: B, min_score: 60}
  - {id: C, min_score: 40}
  - {id: D, consequence: {kind: penalty, text: 限制, values: {surcharge: 0.05}}}
"""
RULES = """
track:
  combine: {surcharge: COMBINE}
  rules:
    - id: honour
      when: streak(tier_A) >= 3
      periods: 3
      gives: {title: Excellent three years running}
    - {id: stars5, when: "count(tier_A, 2) == 2", gives: {stars: 5}}
    - {id: stars3, when: "count(tier_A, 2) >= 1", gives: {stars: 3}}
    - id: surcharge2
      when: streak(tier_D) >= 2
      periods: 2
      reason: second consecutive year of class D
      gives: {values: {surcharge: 0.10}}
    - id: surcharge3
      when: streak(tier_D) >= 3
      periods: 3
      reason: third consecutive year of class D
      gives: {values: {surcharge: 0.15}}
    - id: removal
      when: count(rank_from_bottom <= 2, 3) >= 2
      new_entities: NEW
      gives: {remove: true}
    - {id: probation, when: "count(tier_D, 3) >= 1", gives: {tier: B}}
    - {id: climber, top: 1, by: -change(rank), when: change(rank) < 0, gives: {title: Biggest climber}}
"""


def _frame() -> pd.DataFrame:
    rows = [
        {"park_id": park, "year": year, "x": x}
        for park, values in X.items()
        for year, x in zip(YEARS, values, strict=True)
        if x is not None
    ]
    return pd.DataFrame(rows)


def _rubric(combine: str = "highest", new: str = "skip") -> str:
    return HEAD + RULES.replace("COMBINE", combine).replace("NEW", new)


def _by_park(batch: greenscore.BatchResult, column: str) -> dict[str, object]:
    table = batch.results.set_index("park_id")[column]
    return {park: table[park] for park in X}


@pytest.fixture(scope="module")
def batch() -> greenscore.BatchResult:
    return greenscore.assess(_frame(), _rubric())


def test_engine_tiers_of_every_period_are_the_hand_computed_ones() -> None:
    tiers = {
        2019: {"P1": "A", "P2": "C", "P4": "A", "P6": "C"},
        2020: {"P1": "A", "P2": "D", "P6": "D"},
        2021: {"P1": "A", "P2": "D", "P3": "D", "P4": "A", "P5": "A", "P6": "D"},
    }
    for year, want in tiers.items():
        got = greenscore.assess(_frame(), HEAD, period=year).results.set_index("park_id")["tier"]
        assert got.to_dict() == want


def test_rules_fired_per_park_in_rubric_order(batch: greenscore.BatchResult) -> None:
    assert _by_park(batch, "track") == {
        "P1": "honour;stars5;stars3",
        "P2": "surcharge2;surcharge3;removal;probation",
        "P3": "surcharge2",
        "P4": "stars5;stars3",
        "P5": "stars5;stars3",
        "P6": "stars3;probation;climber",
    }


def test_streak_title_needs_three_periods_running_and_a_gap_year_breaks_it(
    batch: greenscore.BatchResult,
) -> None:
    titles = _by_park(batch, "title")
    assert titles["P1"] == "Excellent three years running"
    assert titles["P4"] == ""
    assert titles["P5"] == ""
    assert titles["P6"] == "Biggest climber"


def test_stars_take_the_highest_level_given(batch: greenscore.BatchResult) -> None:
    stars = _by_park(batch, "stars")
    assert {p: (None if pd.isna(s) else int(s)) for p, s in stars.items()} == {
        "P1": 5,
        "P2": None,
        "P3": None,
        "P4": 5,
        "P5": 5,
        "P6": 3,
    }


def test_surcharge_escalates_and_the_highest_applies(batch: greenscore.BatchResult) -> None:
    surcharge = _by_park(batch, "consequence.surcharge")
    assert surcharge["P2"] == pytest.approx(0.15)
    assert surcharge["P3"] == pytest.approx(0.10)
    assert all(math.isnan(float(surcharge[p])) for p in ("P1", "P4", "P5", "P6"))


def test_surcharges_add_up_when_the_rubric_says_sum() -> None:
    batch = greenscore.assess(_frame(), _rubric(combine="sum"))
    surcharge = _by_park(batch, "consequence.surcharge")
    assert surcharge["P2"] == pytest.approx(0.05 + 0.10 + 0.15)
    assert surcharge["P3"] == pytest.approx(0.05 + 0.10)


def test_defect10_new_park_is_not_removed_on_a_history_it_does_not_have(
    batch: greenscore.BatchResult,
) -> None:
    removed = _by_park(batch, "removed")
    assert {p for p, r in removed.items() if r} == {"P2"}
    assert (
        "not applied to a new entity (scored since 2021): honour (reads 3 periods); surcharge3 "
        "(reads 3 periods); removal (reads 3 periods); probation (reads 3 periods)"
    ) in batch.assessment("P3").track


def test_record_so_far_judges_a_new_park_on_the_periods_it_has() -> None:
    batch = greenscore.assess(_frame(), _rubric(new="record_so_far"))
    removed = _by_park(batch, "removed")
    assert {p for p, r in removed.items() if r} == {"P2", "P3"}


def test_forced_tier_demotes_and_carries_that_tiers_consequence(
    batch: greenscore.BatchResult,
) -> None:
    tiers = _by_park(batch, "tier")
    assert tiers == {"P1": "A", "P2": "D", "P3": "D", "P4": "A", "P5": "A", "P6": "B"}


def test_explanation_names_the_rule_and_the_history(batch: greenscore.BatchResult) -> None:
    lines = batch.assessment("P2").track
    assert (
        "surcharge3: tier D in 2020, 2021, 2022: 3 consecutive periods: third consecutive year "
        "of class D → 电价加价 +0.15 元/kWh"
    ) in lines
    text = batch.assessment("P6").explain()
    assert "track record: climber: rank went from 4 in 2021 to 3 in 2022" in text
    fired = batch.track.fired if batch.track is not None else None
    assert fired is not None and len(fired) == 3 + 4 + 1 + 2 + 2 + 3
    assert "track" in batch.tables()


def test_defect10_reward_by_absence_is_not_given_to_a_new_park() -> None:
    rule = """
track:
  rules:
    - {id: clean, when: "count(tier_D, 3) == 0", new_entities: NEW, gives: {title: No class D}}
"""
    skip = greenscore.assess(_frame(), HEAD + rule.replace("NEW", "skip"))
    titled = {p for p, t in _by_park(skip, "title").items() if t}
    assert titled == {"P1", "P4"}
    so_far = greenscore.assess(_frame(), HEAD + rule.replace("NEW", "record_so_far"))
    assert {p for p, t in _by_park(so_far, "title").items() if t} == {"P1", "P4", "P5"}
    present = HEAD + rule.replace("count(tier_D, 3) == 0", "count(not tier_D, 3) == 3")
    strict = greenscore.assess(_frame(), present.replace("NEW", "skip"))
    assert {p for p, t in _by_park(strict, "title").items() if t} == {"P1"}


def test_previous_period_assessment_reads_only_the_periods_before_it() -> None:
    """2021: P6's places from the bottom are 1 (2019) and 2 (2020), so it is removed too; P3 and
    P5 are in their first period, new to every rule."""
    batch = greenscore.assess(_frame(), _rubric(), period=2021)
    assert _by_park_2021(batch) == {
        "P1": "honour;stars5;stars3",
        "P2": "surcharge2;removal;probation",
        "P3": "",
        "P4": "stars3",
        "P5": "",
        "P6": "surcharge2;removal;probation",
    }


def _by_park_2021(batch: greenscore.BatchResult) -> dict[str, str]:
    return batch.results.set_index("park_id")["track"].to_dict()  # type: ignore[no-any-return]


def test_bad_track_rules_are_located_problems() -> None:
    bad = (
        HEAD
        + """
track:
  rules:
    - {id: r1, when: streak(tier_Q) >= 2, gives: {stars: 2}}
    - {id: r2, when: "count(tier_A, 3) >= 2", periods: 2, gives: {values: {surcharge: 1}}}
    - {id: r3, when: total > 3, gives: {tier: Z}}
"""
    )
    with pytest.raises(RubricError) as caught:
        greenscore.load_rubric(bad)
    text = str(caught.value)
    assert "unknown name 'tier_Q'" in text
    assert "a rule with streak() says how many periods it needs" in text
    assert "periods (2) is less than the 3 periods its formulas read" in text
    assert "say how 'surcharge' combines" in text
    assert "a track rule reads earlier periods" in text
    assert "undeclared tier 'Z'" in text


def test_explanation_states_how_values_combined_and_the_tier_changed(
    batch: greenscore.BatchResult,
) -> None:
    assert "电价加价: the highest of 0.05, 0.1, 0.15 = 0.15 元/kWh" in batch.assessment("P2").track
    assert "tier A → B by the track rules" in batch.assessment("P6").track
    assert "probation: tier D in 2020, 2021: 2 of the last 3 periods → at most tier B" in (
        batch.assessment("P6").track
    )


POOLED = """
name: zones
version: "1"
entity: zone
pools: [level]
inputs:
  - {id: x, min: 0, max: 100}
dimensions:
  - id: d
    indicators: [{id: ix, input: x, method: linear, goalposts: {worst: 0, best: 100}}]
tiers:
  - {id: A, min_score: 50}
  - {id: B}
track:
  rules:
    - {id: climbers, top: 2, by: -change(rank), when: change(rank) < 0, gives: {title: climber}}
"""


def test_top_climbers_are_chosen_per_pool_with_ties_at_the_cut_included() -> None:
    """National pool, 2021 → 2022 ranks: N1 4→1 (rose 3), N2 1→2, N3 2→3, N4 3→4: only N1
    climbed. Provincial pool: S1 5→3 (2), S2 4→2 (2), S3 3→1 (2), S4 1→4, S5 2→5: three tie for
    the 2 places and all three are named."""
    national = {"N1": (10, 99), "N2": (90, 90), "N3": (80, 80), "N4": (70, 70)}
    provincial = {"S1": (10, 70), "S2": (20, 80), "S3": (30, 90), "S4": (50, 10), "S5": (40, 5)}
    rows = [
        {"zone": zone, "level": level, "year": year, "x": x}
        for level, zones in (("national", national), ("provincial", provincial))
        for zone, values in zones.items()
        for year, x in zip((2021, 2022), values, strict=True)
    ]
    batch = greenscore.assess(pd.DataFrame(rows), POOLED)
    titles = batch.results.set_index("zone")["title"]
    assert sorted(titles[titles != ""].index) == ["N1", "S1", "S2", "S3"]


def test_track_functions_belong_to_track_rules_only() -> None:
    from greenscore.rubric.formula import FormulaError, parse_formula

    with pytest.raises(FormulaError, match="function 'streak' is not allowed"):
        parse_formula("streak(x) >= 2")


def test_a_table_without_periods_has_no_history_so_every_park_is_new() -> None:
    frame = _frame()
    latest = frame[frame["year"] == 2022].drop(columns="year")
    batch = greenscore.assess(latest, _rubric())
    assert set(batch.results["track"]) == {""}


def test_the_example_data_are_what_its_generator_draws() -> None:
    import importlib.util
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "examples" / "track-record"
    spec = importlib.util.spec_from_file_location("generate_zones", folder / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    drawn = module.generate()
    committed = pd.read_csv(folder / "zones_2019_2022.csv")
    pd.testing.assert_frame_equal(drawn, committed, check_dtype=False)
    assert set(committed[committed["zone_id"] == "P19"]["year"]) == {2021, 2022}
    assert set(committed[committed["zone_id"] == "P07"]["year"]) == {2019, 2021, 2022}


def test_defect10_a_bad_earlier_row_raises_or_is_a_named_gap_never_silent() -> None:
    """P2's 2021 row is bad: by default assess raises; with errors="flag" P2 has a gap in 2021,
    so its class D streak is one period (2022) and no surcharge rule fires (removal still does:
    last of its pool in 2020 and 2022), and its explanation says why."""
    frame = _frame().astype({"x": object})
    frame.loc[(frame["park_id"] == "P2") & (frame["year"] == 2021), "x"] = "n/a"
    with pytest.raises(greenscore.ProfileError, match="n/a"):
        greenscore.assess(frame, _rubric())
    batch = greenscore.assess(frame, _rubric(), errors="flag")
    assert _by_park(batch, "track")["P2"] == "removal;probation"
    assert any(
        line.startswith("not scored in 2021 (") and line.endswith("): a gap in its record")
        for line in batch.assessment("P2").track
    )


def test_summary_counts_the_parks_each_rule_named(batch: greenscore.BatchResult) -> None:
    summary = batch.summary()
    assert summary.track is not None
    counts = dict(summary.track[["rule", "count"]].to_numpy().tolist())
    assert counts == {
        "honour": 1,
        "stars5": 3,
        "stars3": 4,
        "surcharge2": 2,
        "surcharge3": 1,
        "removal": 1,
        "probation": 2,
        "climber": 1,
    }
    assert "Track rules" in str(summary)
    rows = summary.to_frame()
    assert rows[rows["section"] == "track rules"]["value"].tolist() == [1, 3, 4, 2, 1, 1, 2, 1]


def _written_year(tmp: Path, year: int, rubric: str) -> Path:
    folder = tmp / f"results-{year}"
    greenscore.assess(_frame(), rubric, period=year).write(folder, ["csv"])
    return folder


def test_history_folders_stand_in_for_periods_scored_under_an_older_rubric(
    tmp_path: Path,
) -> None:
    """Version 0 of the rubric put 2020's scores of 30 (P2) and 35 (P6) in C (C ≥ 30). Read from
    its folder, P2 and P6 were class D in 2021 only: surcharge2 (D two years running), which the
    rescored 2020 gives both, does not fire; removal and probation still do (places from the
    bottom in 2020: P2 1, P6 2). The history is what was decided then, not a rescoring."""
    older = (
        _rubric()
        .replace('version: "1"', 'version: "0"')
        .replace("{id: C, min_score: 40}", "{id: C, min_score: 30}")
    )
    folder = _written_year(tmp_path, 2020, older)
    recorded = pd.read_csv(folder / "results.csv").set_index("park_id")["tier"]
    assert recorded.to_dict() == {"P1": "A", "P2": "C", "P6": "C"}
    batch = greenscore.assess(_frame(), _rubric(), period=2021, history=[folder])
    assert _by_park_2021(batch)["P2"] == "removal;probation"
    assert _by_park_2021(batch)["P6"] == "removal;probation"
    assert batch.track is not None and list(batch.track.sources) == [2020]
    lines = batch.assessment("P6").track
    assert any(line.startswith("periods read from result folders: 2020 from ") for line in lines)
    assert f"history:{folder / 'results.csv'}" in batch.provenance.other_inputs


def test_history_folders_are_refused_unless_they_are_what_they_claim(tmp_path: Path) -> None:
    folder = _written_year(tmp_path, 2020, _rubric())
    with pytest.raises(greenscore.InputFileError, match="not one before the assessed period"):
        greenscore.assess(_frame(), _rubric(), period=2020, history=[folder])
    other = _rubric().replace("name: parks", "name: firms")
    with pytest.raises(greenscore.InputFileError, match="results of rubric 'parks', not of"):
        greenscore.assess(_frame(), other, history=[folder])
    older = _written_year(tmp_path, 2019, _rubric())
    fewer = _rubric().replace("  - {id: C, min_score: 40}\n", "")
    with pytest.raises(greenscore.InputFileError, match="holds tier 'C', which this rubric"):
        greenscore.assess(_frame(), fewer, history=[older])
    results = folder / "results.csv"
    results.write_text(results.read_text(encoding="utf-8-sig").replace("D", "A"), "utf-8")
    with pytest.raises(greenscore.InputFileError, match="was changed after greenscore wrote it"):
        greenscore.assess(_frame(), _rubric(), history=[folder])
    with pytest.raises(greenscore.InputFileError, match="holds no greenscore results"):
        greenscore.assess(_frame(), _rubric(), history=[tmp_path])


def test_verify_reads_the_history_folders_a_run_recorded(tmp_path: Path) -> None:
    from greenscore.batch.verify import verify

    older = (
        _rubric()
        .replace('version: "1"', 'version: "0"')
        .replace("{id: C, min_score: 40}", "{id: C, min_score: 30}")
    )
    folder = _written_year(tmp_path, 2020, older)
    data = tmp_path / "parks.csv"
    _frame().to_csv(data, index=False)
    rubric = tmp_path / "parks.yaml"
    rubric.write_text(_rubric(), encoding="utf-8")
    out = tmp_path / "out"
    greenscore.assess(data, rubric, period=2021, history=[folder]).write(out, ["csv"])
    assert verify(out).ok
    results = folder / "results.csv"
    results.write_text(results.read_text(encoding="utf-8-sig") + "\n", "utf-8")
    assert not verify(out).ok


def test_the_rubric_table_words_each_track_rule() -> None:
    from greenscore.batch.write import rubric_table

    table = rubric_table(greenscore.load_rubric(_rubric()))
    rows = table[table["kind"] == "track"].set_index("id")["rule"]
    assert rows["surcharge3"] == (
        "when streak(tier_D) >= 3 (reads 3 periods; not applied to entities new to the window) "
        "→ 电价加价 +0.15 元/kWh"
    )
    assert rows["climber"] == (
        "the 1 best of each pool by -change(rank), when change(rank) < 0 (reads 2 periods; not "
        "applied to entities new to the window) → title “Biggest climber”"
    )


def test_history_needs_track_rules_and_takes_one_folder_as_it_is(tmp_path: Path) -> None:
    folder = _written_year(tmp_path, 2020, _rubric())
    with pytest.raises(greenscore.InputFileError, match="the rubric has no track rules"):
        greenscore.assess(_frame(), HEAD, history=[folder])
    one = greenscore.assess(_frame(), _rubric(), period=2021, history=folder)
    assert one.track is not None and list(one.track.sources) == [2020]
