"""The return risk assessment: factors, rating scale and the overall level (pure functions).

The factors are seed 004's (Return and Reintegration, 004:352-357; children 004:307, 004:317),
shipped as reference data in data/return_risk_factors.json (loaded by a data migration into
`ReturnRiskFactor`).

Rating scale (each factor, by each State, with a written justification):
    0 none / not applicable · 1 low · 2 medium · 3 high · 4 very high

How the overall level is derived (`overall_level`), stated here and on the page:
1. Per factor, the higher of the two States' ratings counts (precaution: a risk one State sees is
   not cancelled by the other's lower rating).
2. The overall level starts at the highest factor rating (the worst factor sets the level;
   none and low both give "low").
3. A factor on the country's list of critical factors rated high counts as very high.
4. When at least `escalation_count` factors are rated high or very high, the level is very high
   (several high risks compound).
The country whose settings apply is the returning State (it decides on the return); its
`ReturnRiskPolicy` row holds `critical_factors` and `escalation_count`, editable in the admin.
Defaults: critical = retaliation by traffickers and re-trafficking; escalation at 3 factors.

Consequence for the decision (guards.returns.guard_risk_level_allows_return):
    low / medium: the decision may approve return;
    high: only a supervisor may approve, with written grounds;
    very high: return is blocked; the alternatives are proposed (seed 004:354 temporary or permanent
    residence in the country of destination; 004:353 relocation to a third State).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

RATING_NONE = 0
RATING_LOW = 1
RATING_MEDIUM = 2
RATING_HIGH = 3
RATING_VERY_HIGH = 4

RATING_CHOICES = [
    (RATING_NONE, _("0 - none / not applicable")),
    (RATING_LOW, _("1 - low")),
    (RATING_MEDIUM, _("2 - medium")),
    (RATING_HIGH, _("3 - high")),
    (RATING_VERY_HIGH, _("4 - very high")),
]

LEVEL_LOW = "low"
LEVEL_MEDIUM = "medium"
LEVEL_HIGH = "high"
LEVEL_VERY_HIGH = "very_high"

LEVEL_CHOICES = [
    (LEVEL_LOW, _("Low")),
    (LEVEL_MEDIUM, _("Medium")),
    (LEVEL_HIGH, _("High")),
    (LEVEL_VERY_HIGH, _("Very high")),
]
LEVEL_BY_RATING = {
    RATING_NONE: LEVEL_LOW,
    RATING_LOW: LEVEL_LOW,
    RATING_MEDIUM: LEVEL_MEDIUM,
    RATING_HIGH: LEVEL_HIGH,
    RATING_VERY_HIGH: LEVEL_VERY_HIGH,
}
LEVEL_ORDER = {LEVEL_LOW: 0, LEVEL_MEDIUM: 1, LEVEL_HIGH: 2, LEVEL_VERY_HIGH: 3}

DEFAULT_CRITICAL_FACTORS: tuple[str, ...] = ("retaliation", "re_trafficking")
DEFAULT_ESCALATION_COUNT = 3

# The factor codes of the reference data (kept in step with the data file by a test).
FACTOR_CODES: tuple[str, ...] = (
    "retaliation",
    "re_trafficking",
    "family_complicity",
    "stigmatisation",
    "inadequate_assistance",
    "health",
    "debts",
    "family_safety",
    "child_best_interests",
)
CHILD_ONLY_FACTORS = frozenset({"child_best_interests"})

SCALE_TEXT = _(
    "Each factor is rated by each State: 0 none / not applicable, 1 low, 2 medium, 3 high, "
    "4 very high, with a written justification."
)
DERIVATION_TEXT = _(
    "Overall level: per factor the higher of the two States' ratings counts; the level is the "
    "highest factor rating (0 and 1 give low); a critical factor rated high counts as very high; "
    "when {count} or more factors are high or very high the level is very high. Critical factors "
    "here: {critical}."
)


@dataclass(frozen=True)
class RiskPolicy:
    critical_factors: tuple[str, ...] = DEFAULT_CRITICAL_FACTORS
    escalation_count: int = DEFAULT_ESCALATION_COUNT


def required_factors(*, is_child: bool) -> tuple[str, ...]:
    """Every factor must be rated; the child's best interests only for a (presumed) child."""
    return tuple(c for c in FACTOR_CODES if is_child or c not in CHILD_ONLY_FACTORS)


def combined_ratings(parts: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """Per factor, the higher of the States' ratings (step 1 of the derivation)."""
    combined: dict[str, int] = {}
    for part in parts:
        for code, rating in part.items():
            combined[code] = max(combined.get(code, RATING_NONE), int(rating))
    return combined


def overall_level(ratings: Mapping[str, int], policy: RiskPolicy | None = None) -> str:
    """The overall level from (combined) factor ratings, as stated in the module docstring."""
    policy = policy or RiskPolicy()
    if not ratings:
        return LEVEL_LOW
    effective = []
    for code, rating in ratings.items():
        value = int(rating)
        if value == RATING_HIGH and code in policy.critical_factors:
            value = RATING_VERY_HIGH
        effective.append(value)
    level = LEVEL_BY_RATING[max(effective)]
    high_count = sum(1 for v in effective if v >= RATING_HIGH)
    if policy.escalation_count and high_count >= policy.escalation_count:
        level = LEVEL_VERY_HIGH
    return level
