"""Demo agreements (called by `manage.py load_demo` after coordination.demo). Idempotent: each
agreement is found by its title and drafting organisation, and only made when missing.

* an MOU between Thailand and Cambodia, in force, in English and French side by side, covering
  referral, return and reintegration and information exchange for adults and children;
* a national MOU on Thailand's referral mechanism, in consultation, with a comment;
* a Cambodian SOP draft that fails compliance (no measures for minors, information exchange
  without channel, safeguards or retention).

Every step goes through the services, as a coordinator and the signatories would take it. The
demo's secretariat heads (`th_coordinator`, `kh_coordinator`) also coordinate agreements for their
ministry, so that they can draft and negotiate the MOU their minister signs.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from coordination.demo import demo_org, demo_user
from coordination.models import Role
from coordination.services import membership_add

from . import services
from .models import Agreement, AgreementState, Template

MOU_TITLE = (
    "Memorandum of Understanding between Thailand and Cambodia on cooperation against "
    "trafficking in persons and the protection of victims"
)
NATIONAL_TITLE = "Thailand national referral mechanism: MOU between State agencies and NGOs"
SOP_TITLE = "Cambodia: standard operating procedures for identification and referral (draft)"

MOU_CLAUSES: dict[str, dict[str, str]] = {
    "partners": {
        "en": "The Ministry of Social Development and Human Security acts for the Kingdom of "
        "Thailand and the Ministry of Social Affairs, Veterans and Youth Rehabilitation for the "
        "Kingdom of Cambodia, each within its national mandate against trafficking in persons and "
        "throughout its territory.",
        "fr": "Le ministère du Développement social agit pour le Royaume de Thaïlande et le "
        "ministère des Affaires sociales pour le Royaume du Cambodge, chacun dans son mandat "
        "national et sur tout son territoire.",
    },
    "purpose": {
        "en": "The parties cooperate to identify, protect, refer, safely return and reintegrate "
        "victims of trafficking in persons, in full respect of their rights.",
        "fr": "Les parties coopèrent pour identifier, protéger, orienter, rapatrier en sécurité "
        "et réintégrer les victimes de la traite, dans le plein respect de leurs droits.",
    },
    "principles": {
        "en": "Cooperation follows a human rights-based and victim-centred approach, "
        "non-discrimination, transparency and the best interests of the child.",
        "fr": "La coopération suit une approche fondée sur les droits humains et centrée sur la "
        "victime, la non-discrimination, la transparence et l'intérêt supérieur de l'enfant.",
    },
    "target_groups": {
        "en": "Adult and child victims of trafficking in persons, whatever the form of "
        "exploitation.",
        "fr": "Les victimes adultes et enfants de la traite, quelle que soit la forme "
        "d'exploitation.",
    },
    "responsibilities": {
        "en": "Each party is responsible for identification on its territory; its focal point is "
        "responsible for coordination with the other party.",
        "fr": "Chaque partie est responsable de l'identification sur son territoire ; son point "
        "focal est responsable de la coordination.",
    },
    "procedures": {
        "en": "The focal point of the sending party is responsible for a referral within 24 "
        "hours; the focal point of the receiving party is responsible for answering within 72 "
        "hours.",
        "fr": "Le point focal de la partie d'envoi est responsable de l'orientation sous 24 "
        "heures ; celui de la partie d'accueil répond sous 72 heures.",
    },
    "information_exchange": {
        "en": "Information is exchanged only between the designated focal points over the secure "
        "system, on a need-to-know basis and with the person's consent; no information on an "
        "asylum claim is shared with the country of origin; records are retained for five years "
        "and then deleted.",
        "fr": "Les informations ne sont échangées qu'entre points focaux, par le système "
        "sécurisé, selon le besoin d'en connaître et avec le consentement de la personne ; elles "
        "sont conservées cinq ans puis supprimées.",
    },
    "minors": {
        "en": "A child is referred at once to the child protection authority, a guardian is "
        "appointed, and a child returns only after a best-interests determination, in the best "
        "interests of the child.",
        "fr": "Un enfant est orienté sans délai vers l'autorité de protection de l'enfance, un "
        "tuteur est désigné, et un retour n'a lieu que dans l'intérêt supérieur de l'enfant.",
    },
    "return_reintegration": {
        "en": "Return is voluntary, preceded by a risk assessment by both parties, and followed "
        "by a reintegration plan and monitoring visits.",
        "fr": "Le retour est volontaire, précédé d'une évaluation des risques par les deux "
        "parties, et suivi d'un plan de réintégration et de visites de suivi.",
    },
    "entry_amendment": {
        "en": "This memorandum enters into force on its effective date; the parties may amend it "
        "by written agreement.",
        "fr": "Le présent mémorandum entre en vigueur à sa date d'effet ; les parties peuvent le "
        "modifier par accord écrit.",
    },
    "duration_review_termination": {
        "en": "It lasts five years, is reviewed jointly every year, and either party may "
        "terminate it with six months' notice.",
        "fr": "Il dure cinq ans, est revu conjointement chaque année, et chaque partie peut le "
        "dénoncer avec un préavis de six mois.",
    },
}

NATIONAL_CLAUSES: dict[str, str] = {
    "partners": "The Anti-Trafficking in Persons Secretariat, the National Police Anti-Trafficking "
    "Unit, the Department of Social Welfare, the Department of Children and Youth and the Safe "
    "Home Foundation, each within its mandate, nationwide.",
    "purpose": "The partners run one national referral mechanism so that every presumed victim "
    "is identified and reaches assistance quickly and safely.",
    "principles": "A holistic, multidisciplinary, human rights-based and victim-centred approach; "
    "balance among the objectives of all partners; transparency; a clear delegation of "
    "responsibilities.",
    "target_groups": "Adult and child presumed victims of trafficking in persons in Thailand.",
    "responsibilities": "The police are responsible for identification; social welfare is "
    "responsible for shelter and case management; the Department of Children and Youth is "
    "responsible for every child.",
    "procedures": "The identifying agency is responsible for a referral within 24 hours; the "
    "receiving partner is responsible for accepting or declining within 48 hours.",
    "information_exchange": "Partners exchange case information only through the focal points on "
    "the Concord system, on a need-to-know basis and with the person's consent; records are "
    "retained for five years.",
    "minors": "A presumed child is referred at once to the Department of Children and Youth, a "
    "guardian is appointed and every decision is taken in the best interests of the child.",
    "assistance_scope": "Appropriate housing; counselling and information in a language the "
    "person understands; medical, psychological and material assistance; refugee protection; "
    "employment, education and training.",
    "entry_amendment": "This MOU enters into force on its effective date and is amended by "
    "written agreement of all partners.",
    "funding": "The Ministry funds the shelter places of the NGO partners at an agreed "
    "per-night rate.",
}


def _coordinate_for_ministry(cc: str) -> Any:
    """The secretariat head also coordinates the ministry's agreements (demo convenience)."""
    user = demo_user(f"{cc.lower()}_coordinator")
    membership_add(
        organisation=demo_org(cc, "ministry"),
        user=user,
        role=Role.COORDINATOR,
        actor=None,
        title="Coordinates the ministry's agreements",
    )
    return user


def _existing(title: str, drafter: Any) -> Agreement | None:
    return Agreement.objects.filter(title=title, drafted_by=drafter).first()


def _mou_in_force() -> Agreement:
    th_ministry, kh_ministry = demo_org("TH", "ministry"), demo_org("KH", "ministry")
    found = _existing(MOU_TITLE, th_ministry)
    if found is not None:
        return found
    th_coord, kh_coord = _coordinate_for_ministry("TH"), _coordinate_for_ministry("KH")
    today = timezone.localdate()
    agreement = services.agreement_create(
        template=Template.objects.get(code="bilateral-mou-states"),
        title=MOU_TITLE,
        drafted_by=th_ministry,
        actor=th_coord,
        languages=["en", "fr"],
        effective_date=today,
        end_date=today + timedelta(days=5 * 365),
        review_date=today + timedelta(days=365),
        clauses=MOU_CLAUSES,
    )
    services.agreement_partner_add(agreement=agreement, organisation=kh_ministry, actor=th_coord)
    services.agreement_coverage_set(
        agreement=agreement,
        actor=th_coord,
        countries=["TH", "KH"],
        procedures=["referral", "return_reintegration", "information_exchange"],
        target_groups=["adults", "children"],
        data_categories=[
            "case_facts",
            "identity",
            "identity_documents",
            "family",
            "risk_assessment",
            "assistance_needs",
        ],
    )
    services.agreement_update(
        agreement=agreement,
        actor=th_coord,
        commitments=[
            "treated-as-victims",
            "informed-protection",
            "reflection-period",
            "safe-accommodation",
            "consult-cooperation-return",
            "post-trial-protection",
        ],
    )
    services.agreement_open_consultation(agreement=agreement, actor=th_coord)
    services.comment_add(
        agreement=agreement,
        actor=kh_coord,
        element_key="procedures",
        text="Can the receiving focal point answer within 72 hours at weekends?",
    )
    services.agreement_approve(agreement=agreement, actor=th_coord)
    services.agreement_approve(agreement=agreement, actor=kh_coord)
    services.agreement_request_signatures(agreement=agreement, actor=th_coord)
    agreement.refresh_from_db()
    digest = agreement.current_version.content_hash  # type: ignore[union-attr]
    for username in ("th_minister", "kh_minister"):
        services.agreement_sign(agreement=agreement, actor=demo_user(username), version_hash=digest)
    agreement.refresh_from_db()
    return agreement


def _national_in_consultation() -> Agreement:
    secretariat = demo_org("TH", "secretariat")
    found = _existing(NATIONAL_TITLE, secretariat)
    if found is not None:
        return found
    coordinator = demo_user("th_coordinator")
    agreement = services.agreement_create(
        template=Template.objects.get(code="national-mou-gov-ngo"),
        title=NATIONAL_TITLE,
        drafted_by=secretariat,
        actor=coordinator,
        languages=["en"],
        effective_date=timezone.localdate() + timedelta(days=60),
        clauses={key: {"en": text} for key, text in NATIONAL_CLAUSES.items()},
    )
    for handle in ("police", "social_services", "child_protection", "shelter_ngo"):
        services.agreement_partner_add(
            agreement=agreement, organisation=demo_org("TH", handle), actor=coordinator
        )
    services.agreement_coverage_set(
        agreement=agreement,
        actor=coordinator,
        procedures=["referral", "information_exchange"],
        target_groups=["adults", "children"],
        data_categories=["case_facts", "identity", "contact", "health"],
    )
    services.agreement_open_consultation(agreement=agreement, actor=coordinator)
    services.comment_add(
        agreement=agreement,
        actor=coordinator,
        element_key="funding",
        text="The shelters ask that the per-night rate be stated in the annex.",
    )
    agreement.refresh_from_db()
    return agreement


def _failing_draft() -> Agreement:
    secretariat = demo_org("KH", "secretariat")
    found = _existing(SOP_TITLE, secretariat)
    if found is not None:
        return found
    coordinator = demo_user("kh_coordinator")
    agreement = services.agreement_create(
        template=Template.objects.get(code="sop-identification-referral"),
        title=SOP_TITLE,
        drafted_by=secretariat,
        actor=coordinator,
        languages=["en"],
        clauses={
            "purpose": {
                "en": "These procedures say how agencies identify presumed victims of "
                "trafficking and refer them to assistance."
            },
            "information_exchange": {"en": "Agencies share information about cases."},
            "procedures": {"en": "Referrals are made quickly."},
        },
    )
    for handle in ("police", "child_protection"):
        services.agreement_partner_add(
            agreement=agreement, organisation=demo_org("KH", handle), actor=coordinator
        )
    services.agreement_coverage_set(
        agreement=agreement,
        actor=coordinator,
        procedures=["referral"],
        target_groups=["adults", "children"],
    )
    agreement.refresh_from_db()
    return agreement


@transaction.atomic
def load(*, stdout: Any) -> None:
    mou = _mou_in_force()
    national = _national_in_consultation()
    draft = _failing_draft()
    report = services.compliance_report(agreement=draft)
    stdout.write(
        f"agreements: MOU TH-KH {mou.get_state_display()} ({mou.reference}); national MOU "
        f"{national.get_state_display()}; SOP draft "
        f"{'passes' if report.passes else 'fails'} compliance "
        f"(missing: {', '.join(e.key for e in report.missing)})"
    )
    if mou.state != AgreementState.IN_FORCE:
        stdout.write("agreements: the demo MOU is not in force; check the signatories.")
