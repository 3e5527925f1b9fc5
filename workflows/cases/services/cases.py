"""Services of case work: registration, identification, minority, closing.

Each is atomic, locks the case row, runs its guards, transitions, saves, writes one CaseEvent and
sends its domain signal, all in one transaction. Event payloads and messages never hold a person's
identifying details (only codes and ids).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from concord.errors import ApplicationError, GuardFailed
from concord.events import record_event
from coordination.models import CoordinationBody, Country, Organisation, OrganisationKind

from .. import signals
from ..guards import (
    guard_actor_works_on_case,
    guard_case_not_anonymised,
    guard_case_open,
    guard_formal_confirmation_exists,
    guard_grounds_given,
    guard_identifying_authority,
    guard_informed_in_language,
    guard_no_downgrade_after_identification,
)
from ..models import (
    CHILD_BANDS,
    IDENTIFYING_FIELDS,
    AgeBand,
    AgeGroup,
    AsylumStatus,
    Case,
    CaseEvent,
    CaseStatus,
    ExploitationForm,
    Gender,
    MethodOfControl,
    MethodOfRecruitment,
    MinorStatus,
    SpecialNeed,
)

__all__ = [
    "case_close",
    "case_confirm",
    "case_identify",
    "case_presume",
    "case_presume_minority",
    "case_register",
    "case_reopen",
    "case_rule_out",
    "case_update_facts",
    "case_update_identifying_details",
]

FACT_FIELDS: dict[str, Any] = {
    "gender": Gender,
    "age_group": AgeGroup,
    "age_band": AgeBand,
    "minor_status": MinorStatus,
    "asylum_status": AsylumStatus,
}
LIST_FIELDS: dict[str, Any] = {
    "exploitation_forms": ExploitationForm,
    "methods_of_control": MethodOfControl,
    "methods_of_recruitment": MethodOfRecruitment,
    "special_needs": SpecialNeed,
}
TEXT_FACTS = ("preferred_language",)
BOOL_FACTS = ("interpreter_needed",)


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _clean_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """Validate non-identifying facts against their vocabularies; the error names the field."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for name, value in facts.items():
        if name in FACT_FIELDS:
            if value not in FACT_FIELDS[name].values:
                errors[name] = [_("Choose a valid value.")]
            else:
                clean[name] = value
        elif name in LIST_FIELDS:
            values = list(dict.fromkeys(value or []))
            bad = [v for v in values if v not in LIST_FIELDS[name].values]
            if bad:
                errors[name] = [_("Unknown values: %(v)s") % {"v": ", ".join(map(str, bad))}]
            else:
                clean[name] = values
        elif name in TEXT_FACTS:
            clean[name] = str(value or "").strip()[:40]
        elif name in BOOL_FACTS:
            clean[name] = bool(value)
        elif name in ("nationality", "country_of_identification"):
            if value is None or isinstance(value, Country):
                clean[name] = value
            else:
                country = Country.objects.filter(pk=str(value).upper()).first()
                if country is None:
                    errors[name] = [_("Unknown country code.")]
                else:
                    clean[name] = country
        elif name == "identified_on":
            clean[name] = value
        else:
            errors[name] = [_("Not a field of a case.")]
    if errors:
        raise ApplicationError(_("Some facts are not valid."), code="invalid", fields=errors)
    _derive_age(clean)
    return clean


def _derive_age(facts: dict[str, Any]) -> None:
    """Keep age group, band and minor status consistent: a child band or group makes the case a
    child's unless the minor status already says so."""
    band, group, minor = facts.get("age_band"), facts.get("age_group"), facts.get("minor_status")
    if band in CHILD_BANDS and group in (None, AgeGroup.UNKNOWN):
        facts["age_group"] = AgeGroup.CHILD
    if minor == MinorStatus.KNOWN_CHILD and group in (None, AgeGroup.UNKNOWN):
        facts["age_group"] = AgeGroup.CHILD
    if facts.get("age_group") == AgeGroup.CHILD and minor in (None, MinorStatus.ADULT):
        facts["minor_status"] = MinorStatus.KNOWN_CHILD
    if (band in CHILD_BANDS or facts.get("age_group") == AgeGroup.CHILD) and minor == (
        MinorStatus.ADULT
    ):
        raise ApplicationError(
            _("The age given is a child's but the minor status says adult."),
            fields={"minor_status": [_("Contradicts the age given.")]},
        )


def _clean_identifying(details: dict[str, Any]) -> dict[str, str]:
    unknown = [k for k in details if k not in IDENTIFYING_FIELDS]
    if unknown:
        raise ApplicationError(
            _("Some identifying fields are unknown."),
            fields={k: [_("Not an identifying field of a case.")] for k in unknown},
        )
    return {k: str(v or "").strip() for k, v in details.items()}


def _event(case: Case, *, actor: Any, transition: str, **kw: Any) -> CaseEvent:
    return record_event(CaseEvent, case=case, actor=actor, transition=transition, **kw)


# --- presumption of minority → child protection (seed 001:467, 004:109, 004:314) -------------


def child_protection_authorities(country_id: str | None) -> list[Organisation]:
    if not country_id:
        return []
    return list(
        Organisation.objects.filter(
            country_id=country_id, kind=OrganisationKind.CHILD_PROTECTION, is_active=True
        ).order_by("id")
    )


def _refer_child_at_once(*, case: Case, actor: Any) -> None:
    """seed 004:314: a (presumed) child is "referred immediately to child protection authorities";
    seed 004:109 "immediate notification of specialized child service providers". Without a child
    protection authority in the directory, the coordination body is alerted."""
    country = case.country_of_identification
    authorities = child_protection_authorities(country.pk if country else None)
    if not authorities:
        event = _event(
            case,
            actor=actor,
            transition="child_protection_missing",
            reason=_("No child protection authority in the directory for this country."),
            payload={"country": country.pk if country else None},
        )
        signals.child_protection_missing.send(
            sender=Case,
            instance=case,
            event=event,
            actor=actor,
            country=country,
            bodies=list(CoordinationBody.objects.filter(country=country)),
        )
        return
    signals.child_protection_referral_requested.send(
        sender=Case, instance=case, actor=actor, receiver=authorities[0]
    )


def _child_status_changed(before: str, after: str) -> bool:
    child = (MinorStatus.KNOWN_CHILD, MinorStatus.PRESUMED_CHILD)
    return before not in child and after in child


# --- registration -----------------------------------------------------------------------------


@transaction.atomic
def case_register(
    *,
    owner: Organisation,
    actor: Any,
    country_of_identification: Country | str | None = None,
    identifying: dict[str, Any] | None = None,
    presume: bool = False,
    **facts: Any,
) -> Case:
    """Register a case at first contact. Only case officers/supervisors of `owner` may. With
    `presume=True` the presumption of victim status applies at once (seed 004:107). A known or
    presumed child is referred to child protection in the same transaction (seed 004:314)."""
    from coordination.permissions import has_role

    from ..permissions import CASE_WORK_ROLES

    if actor is not None and not has_role(actor, owner, CASE_WORK_ROLES):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("Only case officers and supervisors register cases."))
    country = country_of_identification or owner.country
    clean = _clean_facts({**facts, "country_of_identification": country})
    if clean.get("country_of_identification") is None:
        raise ApplicationError(
            _("Give the country of identification."),
            fields={"country_of_identification": [_("This field is required.")]},
        )
    details = _clean_identifying(identifying or {})
    case = Case(owner=owner, created_by=actor if getattr(actor, "pk", None) else None)
    for name, value in {**clean, **details}.items():
        setattr(case, name, value)
    for _attempt in range(5):  # the reference is random: retry the rare collision
        if not Case.objects.filter(reference=case.reference).exists():
            break
        case.reference = Case._meta.get_field("reference").get_default()
    case.save()
    event = _event(
        case,
        actor=actor,
        transition="register",
        to_state=case.identification_state,
        payload={
            "minor_status": case.minor_status,
            "exploitation_forms": case.exploitation_forms,
        },
    )
    signals.case_registered.send(sender=Case, instance=case, event=event, actor=actor)
    if case.is_or_may_be_child:
        _refer_child_at_once(case=case, actor=actor)
    if presume:
        case = case_presume(case=case, actor=actor)
    return case


@transaction.atomic
def case_update_facts(*, case: Case, actor: Any, **facts: Any) -> Case:
    """Change non-identifying facts. Becoming a (presumed) child triggers the child protection
    referral at once."""
    case = _lock(case)
    guard_actor_works_on_case(actor=actor, case=case)
    guard_case_not_anonymised(case=case)
    merged = {
        k: getattr(case, k) for k in ("age_group", "age_band", "minor_status") if k not in facts
    }
    clean = _clean_facts({**merged, **facts})
    before_minor = case.minor_status
    changed = {k: v for k, v in clean.items() if getattr(case, k) != v}
    for name, value in changed.items():
        setattr(case, name, value)
    case.save()
    if changed:
        event = _event(
            case,
            actor=actor,
            transition="update_facts",
            payload={"fields": sorted(changed)},
        )
        if _child_status_changed(before_minor, case.minor_status):
            _refer_child_at_once(case=case, actor=actor)
        del event
    return case


@transaction.atomic
def case_update_identifying_details(*, case: Case, actor: Any, **details: Any) -> Case:
    """Change identifying details; the event names the fields changed, never their values."""
    case = _lock(case)
    guard_actor_works_on_case(actor=actor, case=case)
    guard_case_not_anonymised(case=case)
    clean = _clean_identifying(details)
    changed = sorted(k for k, v in clean.items() if getattr(case, k) != v)
    for name in changed:
        setattr(case, name, clean[name])
    case.save()
    if changed:
        _event(
            case, actor=actor, transition="update_identifying_details", payload={"fields": changed}
        )
    return case


@transaction.atomic
def case_presume_minority(*, case: Case, actor: Any, reason: str = "") -> Case:
    """seed 001:467 "Where the age of the child is uncertain and there are reasons to believe that
    the victim is a child, the presumption shall be that the victim is a child": the case becomes
    a presumed child's and is referred to child protection at once (seed 004:314)."""
    case = _lock(case)
    guard_actor_works_on_case(actor=actor, case=case)
    guard_case_not_anonymised(case=case)
    if case.is_or_may_be_child:
        raise GuardFailed("already_child", _("The case is already treated as a child's."))
    before = case.minor_status
    case.minor_status = MinorStatus.PRESUMED_CHILD
    if case.age_group == AgeGroup.ADULT:
        case.age_group = AgeGroup.UNKNOWN
    case.save()
    event = _event(
        case,
        actor=actor,
        transition="presume_minority",
        from_state=before,
        to_state=case.minor_status,
        reason=reason,
    )
    signals.minority_presumed.send(sender=Case, instance=case, event=event, actor=actor)
    _refer_child_at_once(case=case, actor=actor)
    return case


# --- identification (seed 004:105-121) -----------------------------------------------------------


def _transition(
    *,
    case: Case,
    actor: Any,
    name: str,
    reason: str = "",
    payload: dict[str, Any] | None = None,
    guards: Iterable[Callable[[Case], None]] = (),
) -> Case:
    case = _lock(case)
    guard_actor_works_on_case(actor=actor, case=case)
    guard_case_not_anonymised(case=case)
    for guard in guards:
        guard(case)
    method = getattr(case, name)
    if not can_proceed(method):
        raise GuardFailed(
            "transition_not_allowed",
            _("A case in state “%(state)s” cannot be %(verb)s.")
            % {"state": case.get_identification_state_display(), "verb": name},
        )
    before = case.identification_state
    method()
    case.save()
    event = _event(
        case,
        actor=actor,
        transition=name,
        from_state=before,
        to_state=case.identification_state,
        reason=reason,
        payload=payload,
    )
    signals.case_identification_changed.send(sender=Case, instance=case, event=event, actor=actor)
    return case


@transaction.atomic
def case_presume(*, case: Case, actor: Any, reason: str = "") -> Case:
    """first contact → presumed victim. seed 004:107 "Where verification cannot be conclusively
    made, the presumption ... should be applied in order to afford him or her access to
    assistance and protection services": no other condition, at once."""
    return _transition(case=case, actor=actor, name="presume", reason=reason)


@transaction.atomic
def case_identify(
    *, case: Case, actor: Any, reason: str, informed: bool, interview_language: str
) -> Case:
    """presumed victim → identified, after the initial interview (seed 004:117)."""
    guard_grounds_given(reason=reason, what=_("the identification"))
    guard_informed_in_language(informed=informed, language=interview_language)
    return _transition(
        case=case,
        actor=actor,
        name="identify",
        reason=reason,
        payload={"interview_language": interview_language.strip()[:40]},
        guards=[lambda c: guard_identifying_authority(case=c)],
    )


@transaction.atomic
def case_confirm(*, case: Case, actor: Any, reason: str) -> Case:
    """identified → confirmed, formally, where the jurisdiction has that stage (seed 004:121)."""
    guard_grounds_given(reason=reason, what=_("the confirmation"))
    return _transition(
        case=case,
        actor=actor,
        name="confirm",
        reason=reason,
        guards=[lambda c: guard_formal_confirmation_exists(case=c)],
    )


@transaction.atomic
def case_rule_out(*, case: Case, actor: Any, reason: str) -> Case:
    """→ not identified, with grounds. The record is kept (nothing erased); an identified or
    confirmed victim is never ruled out (seed 004:121)."""
    guard_grounds_given(reason=reason, what=_("not identifying the person"))
    return _transition(
        case=case,
        actor=actor,
        name="rule_out",
        reason=reason,
        guards=[lambda c: guard_no_downgrade_after_identification(case=c)],
    )


@transaction.atomic
def case_reopen(*, case: Case, actor: Any, reason: str) -> Case:
    """not identified → presumed victim, on review."""
    guard_grounds_given(reason=reason, what=_("reopening"))
    return _transition(case=case, actor=actor, name="reopen", reason=reason)


@transaction.atomic
def case_close(*, case: Case, actor: Any, reason: str, referred: bool = False) -> Case:
    """Close the case (HTCDS Closed / ClosedReferred). Its retention period starts now."""
    case = _lock(case)
    guard_actor_works_on_case(actor=actor, case=case)
    guard_case_open(case=case)
    guard_grounds_given(reason=reason, what=_("closing the case"))
    before = case.status
    case.status = CaseStatus.CLOSED_REFERRED if referred else CaseStatus.CLOSED
    case.closed_at = timezone.now()
    case.save()
    event = _event(
        case,
        actor=actor,
        transition="close",
        from_state=before,
        to_state=case.status,
        reason=reason,
    )
    signals.case_closed.send(sender=Case, instance=case, event=event, actor=actor)
    return case
