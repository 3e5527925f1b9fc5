"""Factories for workflows tests (cases). Referrals and returns tests build on `make_case`.

`make_case` writes the row directly (no event, no automatic child-protection referral) so a test
can start from any state; to exercise registration rules call
`workflows.cases.services.case_register`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from coordination.models import Country, Organisation
from coordination.tests.factories import make_organisation
from workflows.cases.models import (
    AgeGroup,
    AsylumStatus,
    Case,
    Consent,
    ConsentCategory,
    ConsentPurpose,
    IdentificationState,
    MinorStatus,
)


def _country(value: str | Country | None) -> Country | None:
    if value is None or isinstance(value, Country):
        return value
    return Country.objects.get(code=value)


def make_case(
    owner: Organisation | None = None,
    *,
    state: str = IdentificationState.PRESUMED_VICTIM,
    minor_status: str = MinorStatus.ADULT,
    asylum_status: str = AsylumStatus.NONE,
    nationality: str | Country | None = None,
    country: str | Country | None = None,
    exploitation_forms: Iterable[str] = ("forced_labour",),
    identifying: dict[str, str] | None = None,
    **fields: Any,
) -> Case:
    """A case of `owner` (a new NGO in AT if None) in identification `state`.

    make_case(org, minor_status="presumed_child", asylum_status="applied", nationality="KH")
    """
    owner = owner or make_organisation(kind="ngo", country="AT")
    country_obj = _country(country) or owner.country or Country.objects.get(code="AT")
    if minor_status in (MinorStatus.KNOWN_CHILD, MinorStatus.PRESUMED_CHILD):
        fields.setdefault(
            "age_group", AgeGroup.CHILD if minor_status == "known_child" else "unknown"
        )
    else:
        fields.setdefault("age_group", AgeGroup.ADULT)
    identifying = (
        {"given_names": "Test", "family_name": "Person", "date_of_birth": "1990-01-01"}
        if identifying is None
        else identifying
    )
    return Case.objects.create(
        owner=owner,
        identification_state=state,
        minor_status=minor_status,
        asylum_status=asylum_status,
        nationality=_country(nationality),
        country_of_identification=country_obj,
        exploitation_forms=list(exploitation_forms),
        **identifying,
        **fields,
    )


def make_consent(
    case: Case,
    *,
    organisations: Iterable[Organisation] = (),
    kinds: Iterable[str] = (),
    categories: Iterable[str] = (ConsentCategory.SUMMARY, ConsentCategory.IDENTIFYING_DETAILS),
    purposes: Iterable[str] = (ConsentPurpose.ASSISTANCE, ConsentPurpose.REFERRAL),
    language: str = "en",
    withdrawn: bool = False,
) -> Consent:
    """A consent row covering `organisations` and/or organisation `kinds` (both may be empty)."""
    from django.utils import timezone

    consent = Consent.objects.create(
        case=case,
        categories=list(categories),
        purposes=list(purposes),
        organisation_kinds=list(kinds),
        informed_orally=True,
        informed_in_writing=True,
        language=language,
        withdrawn_at=timezone.now() if withdrawn else None,
    )
    consent.organisations.set(list(organisations))
    return consent
