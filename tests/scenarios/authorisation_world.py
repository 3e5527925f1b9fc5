"""The world the authorisation matrix runs in, built once per module through the services (so the
object permissions are granted as in real use).

Four organisations in Thailand and Cambodia, each with one member in every role:

* OWN (TH ministry): holds the cases, sends the referrals, requests the return as the returning
  authority, drafted the agreement, is the coordination body's secretariat;
* PARTNER (TH shelter NGO): receives the referrals (one accepted under the person's consent, one
  only submitted), holds a member seat in the body, owns the action item and the plan measure;
* PARTNER_STATE (KH ministry): the receiving authority of the return, a partner of the agreement;
* UNRELATED (TH NGO): same country, no relationship to anything.

The identifying (encrypted) fields of every case hold unique marker strings (`MARKERS`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from coordination.models import Role

ROLES: tuple[str, ...] = tuple(r.value for r in Role)
RELATIONS = ("own", "partner", "unrelated")
# The partner organisation of each kind of object (see the module docstring).
MANDATE = {
    "mandate": "Lead ministry against trafficking in persons",
    "areas_of_operation": "The whole national territory",
}
PARTNER_STATE_SUBJECTS = frozenset({"return", "agreement"})


def markers(tag: str) -> dict[str, str]:
    """Unique marker strings for the identifying fields of one case (`tag` tells cases apart)."""
    from workflows.cases.models import IDENTIFYING_FIELDS

    return {name: f"Zq{tag}{name.replace('_', '')}Mk" for name in IDENTIFYING_FIELDS}


@dataclass
class World:
    orgs: dict[str, Any]
    users: dict[tuple[str, str], Any]
    ids: dict[str, Any] = field(default_factory=dict)
    # every encrypted value stored, by case tag ("a", "b", "c") -> marker strings
    markers: dict[str, list[str]] = field(default_factory=dict)


def build_world() -> World:
    from agreements import services as agreement_services
    from agreements.tests.factories import good_clauses, make_agreement_in_force, template
    from coordination.models import BodySeat, CoordinationBody, Country
    from coordination.tests.factories import make_member_user, make_organisation
    from coordination.work import services as work
    from coordination.work.models import FrameworkRow
    from workflows.cases import services as case_services
    from workflows.referrals import services
    from workflows.returns import services as return_services

    th, kh = Country.objects.get(code="TH"), Country.objects.get(code="KH")
    orgs = {
        "own": make_organisation(
            kind="government_ministry",
            country="TH",
            name="Matrix Ministry of Social Development",
            contact_email="own-private@example.org",
            **MANDATE,
        ),
        "partner": make_organisation(
            kind="ngo", country="TH", name="Matrix Shelter", services=["shelter", "medical"]
        ),
        "partner_state": make_organisation(
            kind="government_ministry", country="KH", name="Matrix KH Ministry", **MANDATE
        ),
        "unrelated": make_organisation(kind="ngo", country="TH", name="Matrix Unrelated NGO"),
    }
    users = {}
    for key, org in orgs.items():
        for role in ROLES:
            users[(key, role)] = make_member_user(
                org, role, username=f"mx_{key}_{role}", can_sign=role == Role.MINISTRY_OFFICIAL
            )
    world = World(orgs=orgs, users=users)
    officer = users[("own", Role.CASE_OFFICER)]
    own, partner = orgs["own"], orgs["partner"]

    # --- cases and referrals ------------------------------------------------------------------
    def case(tag: str, **facts: Any) -> Any:
        m = markers(tag)
        world.markers[tag] = list(m.values())
        return case_services.case_register(
            owner=own, actor=officer, identifying=m, presume=True, **facts
        )

    case_a = case("a", nationality="TH", gender="Female", age_group="adult")
    case_services.consent_record(
        case=case_a,
        actor=officer,
        categories=["summary", "identifying_details"],
        purposes=["assistance", "referral"],
        organisations=[partner],
        informed_orally=True,
        informed_in_writing=True,
        language="Thai",
    )
    note = "ZqanoteMk"
    world.markers["a"].append(note)
    case_services.indicators_observe(
        case=case_a, actor=officer, codes=_some_indicators(1), note=note
    )
    case_services.reflection_period_start(case=case_a, actor=officer)
    tracing = case_services.family_tracing_request(
        case=case_a, actor=officer, requested_by_person=True
    )
    consent_a = case_a.consents.get()
    referral_a = services.referral_create(
        case=case_a, receiver=partner, actor=officer, services=["shelter"], urgency="urgent"
    )
    referral_a = services.referral_submit(referral=referral_a, actor=officer)
    referral_a = services.referral_accept(
        referral=referral_a, actor=users[("partner", Role.CASE_OFFICER)]
    )

    case_b = case("b", nationality="TH", gender="Male", age_group="adult")
    case_services.consent_record(  # the summary only: no identifying details for the receiver
        case=case_b,
        actor=officer,
        categories=["summary"],
        purposes=["assistance", "referral"],
        organisations=[partner],
        informed_orally=True,
        informed_in_writing=True,
        language="Thai",
    )
    referral_b = services.referral_create(
        case=case_b, receiver=partner, actor=officer, services=["shelter"], urgency="emergency"
    )
    referral_b = services.referral_submit(referral=referral_b, actor=officer)

    case_c = case("c", nationality="KH", gender="Female", age_group="adult")
    procedure = return_services.return_request(
        case=case_c,
        receiving_country=kh,
        returning_authority=own,
        receiving_authority=orgs["partner_state"],
        actor=officer,
    )

    # --- agreement ------------------------------------------------------------------------
    coordinator = users[("own", Role.COORDINATOR)]
    tpl = template()
    agreement = agreement_services.agreement_create(
        template=tpl,
        title="Matrix MOU on safe return",
        drafted_by=own,
        actor=coordinator,
        clauses=good_clauses(tpl),
        effective_date=timezone.localdate() + timedelta(days=30),
    )
    agreement_services.agreement_partner_add(
        agreement=agreement, organisation=orgs["partner_state"], actor=coordinator
    )
    agreement_services.agreement_open_consultation(agreement=agreement, actor=coordinator)
    comment = agreement_services.comment_add(
        agreement=agreement, actor=coordinator, element_key="purpose", text="Clear enough?"
    )
    agreement.refresh_from_db()
    in_force = make_agreement_in_force(
        party_a=own, party_b=orgs["partner_state"], title="Matrix MOU in force"
    )

    # --- coordination body: meeting, decision, action item, plan ------------------------------
    body = CoordinationBody.objects.create(
        name="Matrix National Committee", kind="national_committee", country=th
    )
    BodySeat.objects.create(body=body, organisation=own, seat="secretariat")
    BodySeat.objects.create(body=body, organisation=partner, seat="member")
    meeting = work.meeting_schedule(
        body=body,
        title="Matrix quarterly meeting",
        starts_at=timezone.now() - timedelta(hours=2),
        place="Bangkok",
        agenda=["Opening"],
        actor=coordinator,
    )
    work.attendance_record(meeting=meeting, organisation=partner, actor=coordinator)
    held = work.meeting_schedule(
        body=body,
        title="Matrix meeting held",
        starts_at=timezone.now() - timedelta(hours=3),
        place="Bangkok",
        agenda=["Opening"],
        actor=coordinator,
    )
    work.attendance_record(meeting=held, organisation=partner, actor=coordinator)
    held = work.meeting_hold(meeting=held, actor=coordinator)
    held = work.minutes_save(meeting=held, minutes="Matrix minutes", actor=coordinator)
    item = work.action_item_create(
        body=body,
        owner=partner,
        description="Matrix: map shelter capacity",
        due_on=timezone.localdate() + timedelta(days=60),
        actor=coordinator,
    )
    plan = work.action_plan_create(
        body=body,
        title="Matrix national action plan",
        period_start=date(2026, 1, 1),
        period_end=date(2030, 12, 31),
        actor=coordinator,
    )
    row = FrameworkRow.objects.order_by("pk").first()
    measure = work.plan_measure_add(
        plan=plan, framework_row=row, title="Matrix measure", owner=partner, actor=coordinator
    )
    indicator = work.measure_indicator_add(
        measure=measure,
        name="Shelter places",
        baseline=Decimal("10"),
        target_value=Decimal("20"),
        actor=coordinator,
    )
    membership = users[("own", Role.AUDITOR)].memberships.get()

    world.ids.update(
        own=own.pk,
        case=case_a.pk,
        case_b=case_b.pk,
        case_c=case_c.pk,
        referral=referral_a.pk,
        referral_b=referral_b.pk,
        ret=procedure.pk,
        agreement=agreement.pk,
        comment=comment.pk,
        partner_row=agreement.partners.get(organisation=orgs["partner_state"]).pk,
        version=agreement.current_version.number,
        template=tpl.code,
        body=body.pk,
        meeting=meeting.pk,
        agenda_item=meeting.agenda_items.order_by("pk").first().pk,
        held=held.pk,
        in_force=in_force.pk,
        consent=consent_a.pk,
        tracing=tracing.pk,
        item=item.pk,
        plan=plan.pk,
        measure=measure.pk,
        indicator=indicator.pk,
        framework_row=row.pk,
        membership=membership.pk,
        year=timezone.localdate().year,
    )
    # Notifications: a notice of the partner's case officer (the referral it received), and a
    # webhook subscription of the own organisation.
    from notifications.models import Kind, Notification
    from notifications.services import webhook_subscription_create

    notice = Notification.objects.filter(
        recipient=users[("partner", Role.CASE_OFFICER)], kind=Kind.REFERRAL_SUBMITTED
    ).first()
    assert notice is not None, "submitting a referral notifies the receiver's case officers"
    hook = webhook_subscription_create(
        organisation=own,
        actor=users[("own", Role.ORG_ADMIN)],
        name="case system",
        url="https://hooks.example.org/concord",
        kinds=[Kind.REFERRAL_ACCEPTED],
    )
    world.ids.update(notice=notice.pk, hook=hook.pk)
    return world


def _some_indicators(n: int) -> list[str]:
    from workflows.cases.models import Indicator

    return list(
        Indicator.objects.filter(is_active=True).order_by("pk").values_list("code", flat=True)[:n]
    )
