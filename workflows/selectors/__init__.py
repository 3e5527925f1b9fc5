"""Reads of workflows objects, one module per part (cases.py; referrals.py; returns.py),
re-exported here: `from workflows.selectors import consent_allows_sharing`."""

from .cases import (
    active_consents,
    can_see_identifying_details,
    case_get_visible,
    case_identifying_details,
    cases_owned_by,
    cases_visible_to,
    consent_allows_sharing,
    pii_access_log_for,
)
from .protection import (
    IndicatorSummary,
    best_interests_latest,
    guardian_current,
    indicator_checklist,
    indicator_summary,
    reflection_period_latest,
    reflection_period_running,
    residence_status_current,
)

__all__ = [
    "IndicatorSummary",
    "active_consents",
    "best_interests_latest",
    "can_see_identifying_details",
    "case_get_visible",
    "case_identifying_details",
    "cases_owned_by",
    "cases_visible_to",
    "consent_allows_sharing",
    "guardian_current",
    "indicator_checklist",
    "indicator_summary",
    "pii_access_log_for",
    "reflection_period_latest",
    "reflection_period_running",
    "residence_status_current",
]
