"""Services of protection records: consent, reflection period, residence status, guardian,
best-interests determination, family tracing. Atomic; lock the case row; guards first; one
CaseEvent per change (payloads hold codes and ids only); then the domain signal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from concord.errors import ApplicationError, GuardFailed
from concord.events import record_event
from coordination.models import Organisation, OrganisationKind

from .. import signals
from ..guards import (
    guard_actor_acts_for_child,
    guard_actor_works_on_case,
    guard_bid_on_site_for_return,
    guard_bid_views_recorded,
    guard_case_not_anonymised,
    guard_child_case,
    guard_consent_informed,
    guard_family_not_complicit,
    guard_grounds_given,
    guard_guardian_appointed,
    guard_guardian_competent_appointer,
    guard_guardian_not_suspected,
    guard_presumed_for_reflection,
    guard_reflection_ended_by_person,
    guard_reflection_not_running,
    guard_reflection_not_shortened,
    guard_residence_ground,
    guard_tracing_wished,
)
from ..models import (
    BestInterestsDetermination,
    BestInterestsOutcome,
    Case,
    CaseEvent,
    CaseGroupObjectPermission,
    Consent,
    ConsentCategory,
    ConsentPurpose,
    CountrySettings,
    FamilyTracing,
    GuardianAppointment,
    GuardianResponsibility,
    ReflectionEnd,
    ReflectionOutcome,
    ReflectionPeriod,
    ResidenceGround,
    ResidenceKind,
    ResidenceStatus,
)
from ..permissions import case_revoke
from ..selectors import consent_allows_sharing

__all__ = [
    "best_interests_record",
    "consent_record",
    "consent_withdraw",
    "family_tracing_assess_complicity",
    "family_tracing_request",
    "family_tracing_transition",
    "guardian_appoint",
    "reflection_period_end_by_decision",
    "reflection_period_start",
    "reflection_periods_expire",
    "residence_status_record",
]


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _event(case: Case, *, actor: Any, transition: str, **kw: Any) -> CaseEvent:
    return record_event(CaseEvent, case=case, actor=actor, transition=transition, **kw)


def _check_codes(name: str, values: Iterable[str], allowed: Iterable[str]) -> list[str]:
    values = list(dict.fromkeys(values or []))
    allowed = set(allowed)
    bad = [v for v in values if v not in allowed]
    if bad:
        raise ApplicationError(
            _("Unknown values: %(v)s") % {"v": ", ".join(map(str, bad))},
            fields={name: [_("Choose valid values.")]},
        )
    return values


def _current_guardian(case: Case) -> GuardianAppointment | None:
    return case.guardians.filter(ended_on__isnull=True).order_by("-appointed_on", "-id").first()


# --- consent --------------------------------------------------------------------------------------


@transaction.atomic
def consent_record(
    *,
    case: Case,
    actor: Any,
    categories: Iterable[str],
    purposes: Iterable[str],
    organisations: Iterable[Organisation] = (),
    organisation_kinds: Iterable[str] = (),
    informed_orally: bool,
    informed_in_writing: bool,
    language: str,
    interpreter_used: bool = False,
    given_on: dt.date | None = None,
) -> Consent:
    """Record what the person agreed to share, for what, with whom (named organisations and/or
    kinds), informed orally and in writing in a language they understand (seed 004:466)."""
    case = _lock(case)
    guard_actor_works_on_case(actor=actor, case=case)
    guard_case_not_anonymised(case=case)
    guard_consent_informed(
        informed_orally=informed_orally, informed_in_writing=informed_in_writing, language=language
    )
    categories = _check_codes("categories", categories, ConsentCategory.values)
    if not categories:
        raise ApplicationError(
            _("Say what may be shared."), fields={"categories": [_("Choose at least one.")]}
        )
    purposes = _check_codes("purposes", purposes, ConsentPurpose.values)
    kinds = _check_codes("organisation_kinds", organisation_kinds, OrganisationKind.values)
    consent = Consent.objects.create(
        case=case,
        categories=categories,
        purposes=purposes,
        organisation_kinds=kinds,
        informed_orally=True,
        informed_in_writing=True,
        language=language.strip()[:40],
        interpreter_used=interpreter_used,
        given_on=given_on or timezone.localdate(),
        recorded_by=actor,
    )
    orgs = list(organisations)
    consent.organisations.set(orgs)
    event = _event(
        case,
        actor=actor,
        transition="consent_record",
        payload={
            "consent": consent.pk,
            "categories": categories,
            "purposes": purposes,
            "organisations": [o.pk for o in orgs],
            "organisation_kinds": kinds,
        },
    )
    signals.consent_recorded.send(sender=Consent, instance=consent, event=event, actor=actor)
    return consent


@transaction.atomic
def consent_withdraw(*, consent: Consent, actor: Any, reason: str = "") -> Consent:
    """The person withdraws consent: sharing stops at once — `consent_allows_sharing` no longer
    counts it, and identifying-details grants it no longer covers are revoked in the same
    transaction."""
    case = _lock(consent.case)
    guard_actor_works_on_case(actor=actor, case=case)
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        raise GuardFailed("consent_withdrawn", _("This consent was already withdrawn."))
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = actor
    consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
    revoked = revoke_details_not_covered_by_consent(case=case)
    event = _event(
        case,
        actor=actor,
        transition="consent_withdraw",
        reason=reason,
        payload={"consent": consent.pk, "revoked_organisations": revoked},
    )
    signals.consent_withdrawn.send(sender=Consent, instance=consent, event=event, actor=actor)
    return consent


# --- reflection period (seed 004:281) ---------------------------------------------------------


@transaction.atomic
def reflection_period_start(
    *,
    case: Case,
    actor: Any,
    started_on: dt.date | None = None,
    length_days: int | None = None,
) -> ReflectionPeriod:
    """Start the reflection period; its length is the country's (CountrySettings, default
    settings.CONCORD_REFLECTION_DAYS_DEFAULT) unless a longer one is given."""
    case = _lock(case)
    guard_actor_works_on_case(actor=actor, case=case)
    guard_case_not_anonymised(case=case)
    guard_presumed_for_reflection(case=case)
    guard_reflection_not_running(running=_running(case))
    country_days = CountrySettings.reflection_days_for(case.country_of_identification_id)
    length = int(length_days or country_days)
    guard_reflection_not_shortened(length_days=length, country_days=country_days)
    if length > 365:
        raise ApplicationError(
            _("A reflection period longer than a year is not plausible."),
            fields={"length_days": [_("At most 365.")]},
        )
    start = started_on or timezone.localdate()
    period = ReflectionPeriod.objects.create(
        case=case,
        started_on=start,
        length_days=length,
        ends_on=start + dt.timedelta(days=length),
        started_by=actor,
    )
    event = _event(
        case,
        actor=actor,
        transition="reflection_start",
        payload={"period": period.pk, "length_days": length, "ends_on": period.ends_on.isoformat()},
    )
    signals.reflection_period_started.send(
        sender=ReflectionPeriod, instance=period, event=event, actor=actor
    )
    return period


def _running(case: Case) -> ReflectionPeriod | None:
    today = timezone.localdate()
    return (
        case.reflection_periods.filter(ended_on__isnull=True, ends_on__gt=today)
        .order_by("-started_on")
        .first()
    )


@transaction.atomic
def reflection_period_end_by_decision(
    *,
    period: ReflectionPeriod,
    actor: Any,
    outcome: str,
    decided_by_person: bool,
    reason: str = "",
) -> ReflectionPeriod:
    """End the period early: only by the person's own recorded decision."""
    case = _lock(period.case)
    guard_actor_works_on_case(actor=actor, case=case)
    period = ReflectionPeriod.objects.select_for_update().get(pk=period.pk)
    if outcome and outcome not in ReflectionOutcome.values:
        raise ApplicationError(_("Unknown decision."), fields={"outcome": [_("Choose one.")]})
    guard_reflection_ended_by_person(decided_by_person=decided_by_person, outcome=outcome)
    if not period.is_running():
        raise GuardFailed("reflection_not_running", _("This reflection period is not running."))
    period.ended_on = timezone.localdate()
    period.end_kind = ReflectionEnd.PERSON_DECISION
    period.outcome = outcome
    period.decision_recorded_by = actor
    period.save()
    event = _event(
        case,
        actor=actor,
        transition="reflection_end",
        reason=reason,
        payload={"period": period.pk, "end": period.end_kind, "outcome": outcome},
    )
    signals.reflection_period_ended.send(
        sender=ReflectionPeriod, instance=period, event=event, actor=actor
    )
    return period


def reflection_periods_expire(*, today: dt.date | None = None) -> int:
    """Mark the periods whose time ran out as ended (beat task; safe to run twice)."""
    today = today or timezone.localdate()
    count = 0
    ids = list(
        ReflectionPeriod.objects.filter(ended_on__isnull=True, ends_on__lte=today).values_list(
            "pk", flat=True
        )
    )
    for pk in ids:
        with transaction.atomic():
            period = ReflectionPeriod.objects.select_for_update().get(pk=pk)
            if period.ended_on is not None:
                continue
            period.ended_on = period.ends_on
            period.end_kind = ReflectionEnd.EXPIRED
            period.save(update_fields=["ended_on", "end_kind"])
            event = _event(
                period.case,
                actor=None,
                transition="reflection_end",
                payload={"period": period.pk, "end": ReflectionEnd.EXPIRED},
            )
            signals.reflection_period_ended.send(
                sender=ReflectionPeriod, instance=period, event=event, actor=None
            )
            count += 1
    return count


# --- residence status (seed 004:293-294) ------------------------------------------------------


@transaction.atomic
def residence_status_record(
    *,
    case: Case,
    actor: Any,
    kind: str,
    ground: str = "",
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
    issued_by: Organisation | None = None,
) -> ResidenceStatus:
    case = _lock(case)
    guard_actor_works_on_case(actor=actor, case=case)
    guard_case_not_anonymised(case=case)
    if kind not in ResidenceKind.values:
        raise ApplicationError(_("Unknown residence."), fields={"kind": [_("Choose one.")]})
    if ground and ground not in ResidenceGround.values:
        raise ApplicationError(_("Unknown ground."), fields={"ground": [_("Choose one.")]})
    guard_residence_ground(kind=kind, ground=ground)
    if valid_from and valid_until and valid_until < valid_from:
        raise ApplicationError(
            _("The end comes before the start."),
            fields={"valid_until": [_("Must be on or after the start.")]},
        )
    status = ResidenceStatus.objects.create(
        case=case,
        kind=kind,
        ground=ground,
        valid_from=valid_from,
        valid_until=valid_until,
        issued_by=issued_by,
        recorded_by=actor,
    )
    _event(
        case,
        actor=actor,
        transition="residence_record",
        to_state=kind,
        payload={"residence": status.pk, "kind": kind, "ground": ground},
    )
    return status


# --- children: guardian, best interests (seed 004:314-317) ------------------------------------


@transaction.atomic
def guardian_appoint(
    *,
    case: Case,
    actor: Any,
    guardian_name: str,
    appointed_by: Organisation,
    guardian_organisation: Organisation | None = None,
    is_accompanying_adult: bool = False,
    involvement_assessed: bool = False,
    responsibilities: Iterable[str] = tuple(GuardianResponsibility.values),
    appointed_on: dt.date | None = None,
) -> GuardianAppointment:
    """Appoint a guardian for a (presumed) child; ends the previous appointment."""
    case = _lock(case)
    guard_actor_acts_for_child(actor=actor, case=case)
    guard_case_not_anonymised(case=case)
    guard_child_case(case=case)
    guard_guardian_competent_appointer(kind=appointed_by.kind)
    guard_guardian_not_suspected(
        is_accompanying_adult=is_accompanying_adult, involvement_assessed=involvement_assessed
    )
    if not (guardian_name or "").strip():
        raise ApplicationError(
            _("Name the guardian."), fields={"guardian_name": [_("This field is required.")]}
        )
    duties = _check_codes("responsibilities", responsibilities, GuardianResponsibility.values)
    today = appointed_on or timezone.localdate()
    case.guardians.filter(ended_on__isnull=True).update(ended_on=today)
    appointment = GuardianAppointment.objects.create(
        case=case,
        guardian_name=guardian_name.strip(),
        guardian_organisation=guardian_organisation,
        appointed_by=appointed_by,
        appointed_on=today,
        is_accompanying_adult=is_accompanying_adult,
        involvement_assessed=involvement_assessed,
        responsibilities=duties,
        recorded_by=actor,
    )
    event = _event(
        case,
        actor=actor,
        transition="guardian_appoint",
        payload={"guardian": appointment.pk, "appointed_by": appointed_by.pk},
    )
    signals.guardian_appointed.send(
        sender=GuardianAppointment, instance=appointment, event=event, actor=actor
    )
    return appointment


@transaction.atomic
def best_interests_record(
    *,
    case: Case,
    actor: Any,
    determined_by: Organisation,
    child_views: str,
    weight_given_to_views: str,
    outcome: str,
    on_site_investigation_done: bool = False,
    reasoning: str = "",
    determined_on: dt.date | None = None,
) -> BestInterestsDetermination:
    """Record a best-interests determination for a (presumed) child, with a guardian appointed,
    the child's views and their weight, and for a return an on-site investigation."""
    case = _lock(case)
    guard_actor_acts_for_child(actor=actor, case=case)
    guard_case_not_anonymised(case=case)
    guard_child_case(case=case)
    guard_guardian_appointed(guardian=_current_guardian(case))
    if outcome not in BestInterestsOutcome.values:
        raise ApplicationError(_("Unknown outcome."), fields={"outcome": [_("Choose one.")]})
    guard_bid_views_recorded(child_views=child_views, weight_given=weight_given_to_views)
    guard_bid_on_site_for_return(outcome=outcome, on_site_done=on_site_investigation_done)
    bid = BestInterestsDetermination.objects.create(
        case=case,
        determined_by=determined_by,
        determined_on=determined_on or timezone.localdate(),
        child_views=child_views.strip(),
        weight_given_to_views=weight_given_to_views.strip()[:200],
        outcome=outcome,
        on_site_investigation_done=on_site_investigation_done,
        reasoning=reasoning,
        recorded_by=actor,
    )
    event = _event(
        case,
        actor=actor,
        transition="best_interests_record",
        payload={"determination": bid.pk, "outcome": outcome},
    )
    signals.best_interests_determined.send(
        sender=BestInterestsDetermination, instance=bid, event=event, actor=actor
    )
    return bid


# --- family tracing (seed 004:307) ---------------------------------------------------------------


def _guard_tracing_actor(*, actor: Any, case: Case) -> None:
    """A child's tracing: holding organisation or child protection; an adult's: holding org."""
    if case.is_or_may_be_child:
        guard_actor_acts_for_child(actor=actor, case=case)
    else:
        guard_actor_works_on_case(actor=actor, case=case)


@transaction.atomic
def family_tracing_request(*, case: Case, actor: Any, requested_by_person: bool) -> FamilyTracing:
    case = _lock(case)
    _guard_tracing_actor(actor=actor, case=case)
    guard_case_not_anonymised(case=case)
    guard_tracing_wished(
        case=case, requested_by_person=requested_by_person, guardian=_current_guardian(case)
    )
    tracing = FamilyTracing.objects.create(case=case, requested_by_person=requested_by_person)
    _event(
        case,
        actor=actor,
        transition="family_tracing_request",
        to_state=tracing.state,
        payload={"tracing": tracing.pk},
    )
    return tracing


TRACING_ACTIONS = (
    "start",
    "locate",
    "not_locate",
    "recommend_reunification",
    "advise_against_reunification",
    "reunite",
    "close",
)


@transaction.atomic
def family_tracing_transition(
    *, tracing: FamilyTracing, actor: Any, action: str, reason: str = ""
) -> FamilyTracing:
    """Move a family tracing on; reunification is recommended only after the complicity of the
    family was assessed and excluded (seed 004:307)."""
    case = _lock(tracing.case)
    _guard_tracing_actor(actor=actor, case=case)
    tracing = FamilyTracing.objects.select_for_update().get(pk=tracing.pk)
    if action not in TRACING_ACTIONS:
        raise ApplicationError(_("Unknown action."), code="unknown_action")
    if action == "recommend_reunification":
        guard_family_not_complicit(tracing=tracing)
    if action == "advise_against_reunification":
        guard_grounds_given(reason=reason, what=_("advising against reunification"))
    method = getattr(tracing, action)
    if not can_proceed(method):
        raise GuardFailed(
            "transition_not_allowed",
            _("A family tracing in state “%(state)s” cannot do that.")
            % {"state": tracing.get_state_display()},
        )
    before = tracing.state
    method()
    tracing.save()
    _event(
        case,
        actor=actor,
        transition=f"family_tracing_{action}",
        from_state=before,
        to_state=tracing.state,
        reason=reason,
        payload={"tracing": tracing.pk},
    )
    return tracing


@transaction.atomic
def family_tracing_assess_complicity(
    *, tracing: FamilyTracing, actor: Any, family_complicit: bool, notes: str = ""
) -> FamilyTracing:
    case = _lock(tracing.case)
    _guard_tracing_actor(actor=actor, case=case)
    tracing = FamilyTracing.objects.select_for_update().get(pk=tracing.pk)
    tracing.complicity_assessed = True
    tracing.family_complicit = bool(family_complicit)
    tracing.complicity_assessed_by = actor
    tracing.complicity_notes = notes
    tracing.save()
    _event(
        case,
        actor=actor,
        transition="family_tracing_assess_complicity",
        payload={"tracing": tracing.pk, "family_complicit": bool(family_complicit)},
    )
    return tracing


def revoke_details_not_covered_by_consent(*, case: Case) -> list[int]:
    """After a consent is withdrawn: take back `view_case_details` from every organisation the
    remaining consent no longer covers, at once. Returns the organisation ids revoked."""
    revoked = []
    rows = CaseGroupObjectPermission.objects.filter(
        content_object=case, permission__codename="view_case_details"
    ).select_related("group__organisation")
    for row in rows:
        organisation = row.group.organisation
        if not consent_allows_sharing(case=case, organisation=organisation):
            case_revoke(case=case, organisation=organisation, details_only=True)
            revoked.append(organisation.pk)
    return revoked
