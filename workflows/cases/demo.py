"""Demo cases in several states on both sides (Thailand, Cambodia), the cases' part of
`manage.py load_demo` (the referrals and returns apps load theirs after it).

Idempotent: each demo case has a fixed pseudonymous reference ("C-2026-DM00nn": a demo label,
never derived from the fictional person's data) and is only created when missing. Cases are made
through the services, as a case officer would, so every one has its event history.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from coordination.demo import demo_org, demo_user

from .models import Case
from .services.cases import case_close, case_confirm, case_identify, case_rule_out
from .services.protection import (
    best_interests_record,
    guardian_appoint,
    reflection_period_start,
    residence_status_record,
)
from .services.registration import case_register_at_first_contact

CONSENT_NGO_CHILD = {
    "categories": ["summary", "identifying_details"],
    "purposes": ["assistance", "referral"],
    "organisation_kinds": ["ngo", "child_protection", "social_services", "health"],
    "informed_orally": True,
    "informed_in_writing": True,
    "language": "km",
}


def _case(
    reference: str,
    *,
    country: str,
    handle: str,
    officer: str,
    facts: dict[str, Any],
    identifying: dict[str, str],
    indicators: list[str] = (),  # type: ignore[assignment]
    consent: dict[str, Any] | None = None,
    presume: bool = True,
    then: Any = None,
    stdout: Any,
) -> Case | None:
    if Case.objects.filter(reference=reference).exists():
        return None
    actor = demo_user(officer)
    case = case_register_at_first_contact(
        owner=demo_org(country, handle),
        actor=actor,
        facts=facts,
        identifying=identifying,
        indicator_codes=indicators,
        consent=consent,
        presume=presume,
    )
    Case.objects.filter(pk=case.pk).update(reference=reference)
    case.refresh_from_db()
    if then is not None:
        then(case, actor)
        case.refresh_from_db()
    stdout.write(f"  case {reference}: {case.get_identification_state_display()}")
    return case


def _identified(case: Case, actor: Any) -> None:
    case_identify(
        case=case,
        actor=actor,
        reason="Initial interview with an interpreter; account consistent with the indicators.",
        informed=True,
        interview_language="km",
    )
    residence_status_record(
        case=case,
        actor=actor,
        kind="temporary",
        ground="reflection_recovery",
        valid_from=timezone.localdate(),
        valid_until=timezone.localdate() + dt.timedelta(days=90),
    )


def _reflecting(case: Case, actor: Any) -> None:
    reflection_period_start(
        case=case, actor=actor, started_on=timezone.localdate() - dt.timedelta(days=12)
    )


def _child_with_guardian(case: Case, actor: Any) -> None:
    cpa = demo_org(case.country_of_identification_id, "child_protection")
    guardian_appoint(case=case, actor=actor, guardian_name="Ms Dara Kim (demo)", appointed_by=cpa)
    best_interests_record(
        case=case,
        actor=actor,
        determined_by=cpa,
        child_views="Wants to finish school and see her grandmother; afraid of the recruiter.",
        weight_given_to_views="Significant: 15 years old, mature and consistent.",
        outcome="stay_in_country",
        reasoning="Family involvement in recruitment not yet excluded.",
    )


def _confirmed_and_closed(case: Case, actor: Any) -> None:
    _identified(case, actor)
    case_confirm(case=case, actor=actor, reason="Conviction of the recruiter (demo).")
    case_close(case=case, actor=actor, reason="Reintegrated; follow-up ended.")


def _not_identified(case: Case, actor: Any) -> None:
    case_rule_out(
        case=case,
        actor=actor,
        reason="Interview showed an irregular migrant worker without indicators of trafficking.",
    )


def load(*, stdout: Any) -> None:
    stdout.write("cases: demo cases")
    _case(
        "C-2026-DM0001",
        country="TH",
        handle="police",
        officer="th_police_officer",
        facts={
            "gender": "Female",
            "age_band": "21-23",
            "minor_status": "adult",
            "nationality": "KH",
            "exploitation_forms": ["sexual_exploitation"],
            "methods_of_control": ["DebtBondage", "WithholdsDocuments"],
            "preferred_language": "km",
            "interpreter_needed": True,
        },
        identifying={"given_names": "Sophea (demo)", "family_name": "Chan", "contacts": "—"},
        indicators=["COM-01", "COM-05", "SEX-02"],
        consent=CONSENT_NGO_CHILD,
        then=_reflecting,
        stdout=stdout,
    )
    _case(
        "C-2026-DM0002",
        country="TH",
        handle="labour",
        officer="th_labour_inspector",
        facts={
            "gender": "Male",
            "age_band": "30-38",
            "minor_status": "adult",
            "nationality": "KH",
            "exploitation_forms": ["forced_labour", "debt_bondage"],
            "methods_of_recruitment": ["JobOffer"],
            "preferred_language": "km",
        },
        identifying={"given_names": "Vannak (demo)", "family_name": "Sok"},
        indicators=["COM-03", "COM-04", "LAB-01", "LAB-03", "LAB-04"],
        consent=CONSENT_NGO_CHILD,
        then=_identified,
        stdout=stdout,
    )
    _case(
        "C-2026-DM0003",
        country="TH",
        handle="labour",
        officer="th_labour_inspector",
        facts={
            "gender": "Female",
            "age_band": "9-17",
            "minor_status": "presumed_child",
            "nationality": "KH",
            "exploitation_forms": ["domestic_servitude"],
            "preferred_language": "km",
            "interpreter_needed": True,
        },
        identifying={"given_names": "Srey (demo)", "date_of_birth": "about 2011"},
        indicators=["DOM-01", "DOM-04", "DOM-07", "COM-07"],
        consent=CONSENT_NGO_CHILD,
        then=_child_with_guardian,
        stdout=stdout,
    )
    _case(
        "C-2026-DM0004",
        country="TH",
        handle="immigration",
        officer="th_immigration_officer",
        facts={
            "gender": "Male",
            "age_band": "24-26",
            "minor_status": "adult",
            "nationality": "KH",
            "asylum_status": "applied",
            "exploitation_forms": ["forced_labour"],
            "preferred_language": "km",
        },
        identifying={"given_names": "Dara (demo)", "family_name": "Men"},
        indicators=["COM-02", "COM-06"],
        stdout=stdout,
    )
    _case(
        "C-2026-DM0005",
        country="TH",
        handle="social_services",
        officer="th_social_worker",
        facts={
            "gender": "Female",
            "age_band": "27-29",
            "minor_status": "adult",
            "nationality": "TH",
            "exploitation_forms": ["forced_marriage"],
        },
        identifying={"given_names": "Malee (demo)"},
        indicators=["MAR-01", "MAR-02"],
        then=_confirmed_and_closed,
        stdout=stdout,
    )
    _case(
        "C-2026-DM0006",
        country="TH",
        handle="police",
        officer="th_police_officer",
        facts={"gender": "Male", "age_band": "18-20", "minor_status": "adult", "nationality": "KH"},
        identifying={"given_names": "Rith (demo)"},
        then=_not_identified,
        stdout=stdout,
    )
    _case(
        "C-2026-DM0007",
        country="TH",
        handle="police",
        officer="th_police_officer",
        facts={
            "gender": "Unknown",
            "age_band": "unknown",
            "minor_status": "adult",
            "exploitation_forms": ["forced_begging"],
        },
        identifying={},
        indicators=["BEG-01"],
        presume=False,
        stdout=stdout,
    )
    _case(
        "C-2026-DM0101",
        country="KH",
        handle="police",
        officer="kh_police_officer",
        facts={
            "gender": "Female",
            "age_band": "18-20",
            "minor_status": "adult",
            "nationality": "KH",
            "exploitation_forms": ["forced_marriage", "domestic_servitude"],
            "preferred_language": "km",
        },
        identifying={"given_names": "Bopha (demo)"},
        indicators=["MAR-03", "DOM-02"],
        consent=CONSENT_NGO_CHILD,
        then=_reflecting,
        stdout=stdout,
    )
    _case(
        "C-2026-DM0102",
        country="KH",
        handle="social_services",
        officer="kh_social_worker",
        facts={
            "gender": "Male",
            "age_band": "9-17",
            "minor_status": "known_child",
            "nationality": "KH",
            "exploitation_forms": ["forced_begging"],
            "preferred_language": "km",
        },
        identifying={"given_names": "Piseth (demo)", "date_of_birth": "2012-05-01"},
        indicators=["BEG-01", "BEG-04"],
        consent=CONSENT_NGO_CHILD,
        then=_child_with_guardian,
        stdout=stdout,
    )
    _case(
        "C-2026-DM0103",
        country="KH",
        handle="police",
        officer="kh_police_officer",
        facts={
            "gender": "Male",
            "age_band": "39-47",
            "minor_status": "adult",
            "nationality": "KH",
            "exploitation_forms": ["forced_labour"],
        },
        identifying={"given_names": "Sokha (demo)"},
        indicators=["COM-01", "COM-03"],
        consent=CONSENT_NGO_CHILD,
        then=_identified,
        stdout=stdout,
    )
    stdout.write(
        f"cases: {Case.objects.filter(reference__startswith='C-2026-DM').count()} demo cases"
    )
