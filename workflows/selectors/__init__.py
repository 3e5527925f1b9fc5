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

__all__ = [
    "active_consents",
    "can_see_identifying_details",
    "case_get_visible",
    "case_identifying_details",
    "cases_owned_by",
    "cases_visible_to",
    "consent_allows_sharing",
    "pii_access_log_for",
]
