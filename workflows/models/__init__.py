"""workflows models: cases (cases.py), referrals (referrals.py), returns (returns.py).

Each module's public models are re-exported here so `from workflows.models import Case` works and
Django finds every model.
"""

from .cases import (
    CLOSED_STATUSES,
    IDENTIFYING_FIELDS,
    AgeBand,
    AgeGroup,
    AsylumStatus,
    Case,
    CaseEvent,
    CaseGroupObjectPermission,
    CaseStatus,
    CaseUserObjectPermission,
    Consent,
    ConsentCategory,
    ConsentPurpose,
    CountrySettings,
    ExploitationForm,
    Gender,
    IdentificationState,
    MethodOfControl,
    MethodOfRecruitment,
    MinorStatus,
    PiiAccessLog,
    PiiPurpose,
    SpecialNeed,
)

__all__ = [
    "CLOSED_STATUSES",
    "IDENTIFYING_FIELDS",
    "AgeBand",
    "AgeGroup",
    "AsylumStatus",
    "Case",
    "CaseEvent",
    "CaseGroupObjectPermission",
    "CaseStatus",
    "CaseUserObjectPermission",
    "Consent",
    "ConsentCategory",
    "ConsentPurpose",
    "CountrySettings",
    "ExploitationForm",
    "Gender",
    "IdentificationState",
    "MethodOfControl",
    "MethodOfRecruitment",
    "MinorStatus",
    "PiiAccessLog",
    "PiiPurpose",
    "SpecialNeed",
]
