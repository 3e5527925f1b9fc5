"""workflows models: cases (cases.py, indicators.py, protection.py), referrals (referrals.py),
returns (returns.py).

Each module's public models are re-exported here (one import block per module, so parts add their
own block without touching the others) so `from workflows.models import Case` works.
"""

# ruff: noqa: F401

from .cases import (
    CLOSED_STATUSES,
    HTCDS_EXPLOITATION_TYPE,
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
from .indicators import (
    Indicator,
    IndicatorCategory,
    IndicatorWeight,
    ObservedIndicator,
    PersonCategory,
    Weight,
)
from .protection import (
    BestInterestsDetermination,
    BestInterestsOutcome,
    FamilyTracing,
    GuardianAppointment,
    GuardianResponsibility,
    ReflectionEnd,
    ReflectionOutcome,
    ReflectionPeriod,
    ResidenceGround,
    ResidenceKind,
    ResidenceStatus,
    TracingState,
)
from .referrals import (
    AWAITING_ANSWER,
    REFERRAL_FINAL_STATES,
    WITHDRAWABLE,
    Box,
    DeclineReason,
    Referral,
    ReferralEvent,
    ReferralGroupObjectPermission,
    ReferralState,
    ReferralUserObjectPermission,
    ReferralVisibility,
    Urgency,
)

# --- returns (issue 5) ---
from .returns import *  # noqa: F403 - the module's __all__ lists its public models
