"""The consistency properties: what every rubric (and the engine) must hold, each a named check.

Each property's preparation lives with its theme: the scores in _score_properties, the tiers in
_tier_properties; check_rubric() in _report runs them.
"""

from __future__ import annotations

from greenscore.testing._score_properties import (
    bounded,
    deterministic,
    monotone,
    single_batch_agree,
    weights_normalised,
    yaml_roundtrip,
)
from greenscore.testing._setup import Property, Setup, Violation
from greenscore.testing._tier_properties import (
    missing_never_pays,
    tier_order,
    tiers_reachable,
    veto_dominant,
)
from greenscore.testing._track_properties import (
    escalation_monotone,
    new_entities_unearned,
    streak_exact,
)

__all__ = ["PROPERTIES", "Property", "Setup", "Violation"]

PROPERTIES: dict[str, Property] = {
    p.name: p
    for p in (
        Property(
            "bounded", "Every score (indicator, dimension, total) stays within the scale.", bounded
        ),
        Property(
            "monotone",
            "Improving an input in its indicator's direction never lowers that indicator, nor the "
            "total or tier when the input feeds nothing else.",
            monotone,
        ),
        Property(
            "tier_order", "A higher total never yields a lower tier, all else equal.", tier_order
        ),
        Property(
            "veto_dominant",
            "A force_tier or cap_tier veto that fires decides the tier, even on the best profile.",
            veto_dominant,
        ),
        Property(
            "missing_never_pays",
            "Leaving an optional field blank never raises the score or the tier.",
            missing_never_pays,
        ),
        Property(
            "tiers_reachable",
            "Every tier is reached by some valid profile: the best by the best profile.",
            tiers_reachable,
            engine=False,
        ),
        Property(
            "weights_normalised",
            "Weights at every level are non-negative and sum to one after normalisation.",
            weights_normalised,
        ),
        Property(
            "deterministic",
            "The same input gives the same output, in any row order.",
            deterministic,
        ),
        Property(
            "yaml_roundtrip", "The rubric written back as YAML scores identically.", yaml_roundtrip
        ),
        Property(
            "single_batch_agree",
            "evaluate() on one profile agrees with scoring many rows at once (and with assess()).",
            single_batch_agree,
        ),
        Property(
            "track_new_entities",
            "A new entity never gets a track rule (reward or penalty) it has not earned.",
            new_entities_unearned,
        ),
        Property(
            "track_streak",
            "A streak rule never fires on a shorter streak than it asks for.",
            streak_exact,
        ),
        Property(
            "track_escalation",
            "A consequence value rules give never falls as consecutive periods in a tier add up.",
            escalation_monotone,
            engine=False,
        ),
    )
}
