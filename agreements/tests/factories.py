"""Factories for agreements. Other apps' tests may import them (e.g. the workflows tests need an
agreement in force as a legal basis):

    from agreements.tests.factories import make_agreement_in_force
    make_agreement_in_force(party_a=Country TH, party_b=Country KH,
                            procedures=["referral"], target_groups=["adults", "children"])

Everything goes through the services (so permissions, versions and events are real).
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from django.apps import apps as django_apps
from django.utils import timezone

from agreements import services
from agreements.models import Agreement, Template
from agreements.reference import load_templates
from coordination.models import Country, Organisation, Role
from coordination.tests.factories import make_member_user, make_organisation

_seq = itertools.count(1)

BILATERAL = "bilateral-mou-states"
NATIONAL = "national-mou-gov-ngo"
SOP = "sop-identification-referral"

GOOD_TEXT: dict[str, str] = {
    "partners": (
        "Each party acts through its designated ministry, within the mandate given by its national "
        "law against trafficking in persons, throughout its territory."
    ),
    "purpose": (
        "The parties cooperate to identify, protect, refer and safely return victims of "
        "trafficking in persons, in full respect of their rights."
    ),
    "principles": (
        "Cooperation follows a human rights-based and victim-centred approach, "
        "non-discrimination, transparency and the best interests of the child."
    ),
    "target_groups": (
        "Adult and child victims of trafficking in persons, including asylum seekers and "
        "refugees, whatever the form of exploitation."
    ),
    "responsibilities": (
        "Each party is responsible for identification on its territory; its focal point is "
        "responsible for coordination with the other party."
    ),
    "procedures": (
        "The sending focal point is responsible for submitting a referral within 24 hours; the "
        "receiving focal point is responsible for answering within 72 hours."
    ),
    "identification": (
        "The first agency in contact is responsible for a first screening; the police focal point "
        "is responsible for the initial interview."
    ),
    "information_exchange": (
        "Information is exchanged only between the designated focal points over the secure "
        "system, on a need-to-know basis and with the person's consent; records are retained for "
        "five years and then deleted."
    ),
    "minors": (
        "A child is referred at once to the child protection authority, a guardian is appointed, "
        "and every decision is taken in the best interests of the child."
    ),
    "entry_amendment": (
        "This agreement enters into force on its effective date; it may be amended by written "
        "agreement of the parties."
    ),
}


def ensure_templates() -> None:
    """The templates ship by data migration; a transactional test's flush removes them."""
    if not Template.objects.exists():
        load_templates(django_apps)


def template(code: str = BILATERAL) -> Template:
    ensure_templates()
    return Template.objects.get(code=code)


def good_clauses(tpl: Template, languages: list[str] | tuple[str, ...] = ("en",)) -> dict:
    """Clause texts that pass every rule of `tpl` in every language."""
    out: dict[str, dict[str, str]] = {}
    for element in tpl.elements.all():
        text = GOOD_TEXT.get(
            element.key,
            f"The parties agree on {element.title.lower()}; each party is responsible for its "
            "part.",
        )
        out[element.key] = {
            lang: text if i == 0 else f"[{lang}] {text}" for i, lang in enumerate(languages)
        }
    return out


def coordinator(org: Organisation, *, can_sign: bool = False, username: str | None = None) -> Any:
    return make_member_user(org, Role.COORDINATOR, can_sign=can_sign, username=username)


def signatory(org: Organisation, *, username: str | None = None) -> Any:
    """A member with the signing right (here a ministry official)."""
    return make_member_user(org, Role.MINISTRY_OFFICIAL, can_sign=True, username=username)


def _org_for(party: Any, kind: str) -> Organisation:
    if isinstance(party, Organisation):
        return party
    if isinstance(party, str):
        party = Country.objects.get(code=party.upper())
    return make_organisation(
        kind=kind,
        country=party,
        name=f"Ministry {next(_seq)} of {party.name}",
        mandate="Lead ministry against trafficking in persons",
        areas_of_operation="The whole national territory",
    )


def make_agreement(
    *,
    template_code: str = BILATERAL,
    drafter: Organisation | None = None,
    partners: list[Organisation] = (),  # type: ignore[assignment]
    actor: Any = None,
    title: str | None = None,
    languages: tuple[str, ...] = ("en",),
    clauses: dict | None = None,
    good: bool = True,
    effective_date: date | None = None,
    end_date: date | None = None,
    review_date: date | None = None,
    procedures: list[str] | None = None,
    target_groups: list[str] | None = None,
    data_categories: list[str] | None = None,
) -> Agreement:
    """A draft with `drafter` (a new ministry in TH by default) and `partners`; good clauses by
    default, or exactly `clauses`."""
    tpl = template(template_code)
    drafter = drafter or _org_for(Country.objects.get(code="TH"), "government_ministry")
    actor = actor or coordinator(drafter)
    agreement = services.agreement_create(
        template=tpl,
        title=title or f"Agreement {next(_seq)}",
        drafted_by=drafter,
        actor=actor,
        languages=languages,
        effective_date=effective_date,
        end_date=end_date,
        review_date=review_date,
        clauses=clauses if clauses is not None else (good_clauses(tpl, languages) if good else {}),
    )
    for org in partners:
        services.agreement_partner_add(agreement=agreement, organisation=org, actor=actor)
    if procedures is not None or target_groups is not None or data_categories is not None:
        services.agreement_coverage_set(
            agreement=agreement,
            actor=actor,
            procedures=procedures,
            target_groups=target_groups,
            data_categories=data_categories,
        )
    agreement.refresh_from_db()
    agreement._test_actor = actor  # type: ignore[attr-defined]
    return agreement


def drive_to_signatures(agreement: Agreement) -> dict[int, Any]:
    """Open consultation, every partner approves, request signatures.
    Returns {org_id: coordinator}."""
    coordinators: dict[int, Any] = {}
    actor = getattr(agreement, "_test_actor", None)
    for partner in agreement.partners.select_related("organisation"):
        org = partner.organisation
        if actor is not None and org.pk == agreement.drafted_by_id:
            coordinators[org.pk] = actor
        else:
            coordinators[org.pk] = coordinator(org)
    first = coordinators[agreement.drafted_by_id]
    services.agreement_open_consultation(agreement=agreement, actor=first)
    for user in coordinators.values():
        services.agreement_approve(agreement=agreement, actor=user)
    services.agreement_request_signatures(agreement=agreement, actor=first)
    agreement.refresh_from_db()
    return coordinators


def sign_all(agreement: Agreement) -> list[Any]:
    agreement.refresh_from_db()
    signers = []
    for partner in agreement.partners.select_related("organisation"):
        user = signatory(partner.organisation)
        services.agreement_sign(
            agreement=agreement, actor=user, version_hash=agreement.current_version.content_hash
        )
        signers.append(user)
    agreement.refresh_from_db()
    return signers


def make_agreement_in_force(
    *,
    party_a: Organisation | Country | str = "TH",
    party_b: Organisation | Country | str = "KH",
    procedures: list[str] | tuple[str, ...] = (
        "referral",
        "return_reintegration",
        "information_exchange",
    ),
    target_groups: list[str] | tuple[str, ...] = ("adults", "children"),
    data_categories: list[str] | tuple[str, ...] = ("case_facts", "identity"),
    template_code: str | None = None,
    effective_date: date | None = None,
    end_date: date | None = None,
    review_date: date | None = None,
    title: str | None = None,
) -> Agreement:
    """An agreement in force, through the real lifecycle. Countries (or codes) as parties make a
    bilateral MOU between States (a new ministry acting for each); organisations of one country
    make a national MOU unless `template_code` says otherwise."""
    org_a = _org_for(party_a, "government_ministry")
    org_b = _org_for(party_b, "government_ministry")
    if template_code is None:
        by_state = not (isinstance(party_a, Organisation) and isinstance(party_b, Organisation))
        template_code = (
            BILATERAL if by_state or org_a.acts_for_country != org_b.acts_for_country else NATIONAL
        )
    today = timezone.localdate()
    agreement = make_agreement(
        template_code=template_code,
        drafter=org_a,
        partners=[org_b],
        title=title,
        effective_date=effective_date or today - timedelta(days=1),
        end_date=end_date,
        review_date=review_date,
        procedures=list(procedures),
        target_groups=list(target_groups),
        data_categories=list(data_categories),
    )
    drive_to_signatures(agreement)
    sign_all(agreement)
    agreement.refresh_from_db()
    return agreement
