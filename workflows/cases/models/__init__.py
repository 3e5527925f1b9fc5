"""Models of case work: the case, consent and the PII access log (cases.py), indicators
(indicators.py), and the person's protection: reflection period, residence, guardian, best
interests, family tracing (protection.py). Their public names are re-exported here
(`from workflows.cases.models import Case`)."""

# ruff: noqa: F401

from .cases import (
    CHILD_BANDS,
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
    WEIGHT_ORDER,
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
