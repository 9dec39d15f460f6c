"""The demo's second part: four years of development zones and the rules over their track record."""

from __future__ import annotations

from pathlib import Path

from greenscore.cli import echo

FOLDER = Path("track-record")
DATA = FOLDER / "zones_2019_2022.csv"
RUBRIC = FOLDER / "zones-track.yaml"
WALK = "N07"


def track_example(examples: Path, output: Path) -> None:
    """Assess the example's latest year with its track rules, print who each rule named (per
    pool) and one zone's record, and write the result files into OUTPUT/track-record/."""
    import pandas as pd

    from greenscore.batch.assess import assess
    from greenscore.batch.text import render_table
    from greenscore.batch.track import gives_text

    result = assess(examples / DATA, examples / RUBRIC)
    echo(f"\nTrack record: {result.rubric.name} {result.rubric.version}, data {examples / DATA}")
    outcome = result.track
    if outcome is None:
        return
    periods = ", ".join(str(p) for p in outcome.periods)
    echo(f"  periods {periods}; rules over each zone's results in them, in {result.period}")
    fired = outcome.fired
    pools = result.results.set_index(result.rubric.entity)["pool"].astype(str)
    rows = []
    for rule in result.rubric.track.rules if result.rubric.track is not None else []:
        named = fired[fired["rule"] == rule.id]["entity"]
        by_pool = pd.Series(pools[named.to_list()].to_numpy()).value_counts()
        counts = [int(by_pool.get(pool, 0)) for pool in sorted(set(pools))]
        gives = gives_text(rule.gives, result.rubric)
        rows.append([rule.label or rule.id, *counts, ", ".join(named), gives])
    echo(render_table(["rule", *sorted(set(pools)), "zones", "gives"], rows, indent="  "))
    echo(f"\n  {WALK}'s record:")
    for line in result.assessment(WALK).track:
        echo(f"    {line}")
    written = result.write(output / FOLDER, ("csv",))
    echo(f"wrote {len(written)} files into {output / FOLDER}/ (track.csv lists every rule fired)")
