"""Who sees which figures: ministries and coordination bodies, for the countries they act for."""

from __future__ import annotations

from typing import Any

from coordination.models import BodySeat, CoordinationBody, Organisation, Role
from coordination.permissions import organisation_ids_for

# Who may see the statistics of the countries their organisations act for.
STATISTICS_ROLES = (Role.COORDINATOR, Role.MINISTRY_OFFICIAL, Role.SUPERVISOR, Role.AUDITOR)


def statistics_country_codes(user: Any) -> set[str] | None:
    """Countries whose figures the user may see; None means all (superuser).

    Ministries and coordination bodies see the figures of the countries their organisations act
    for, and of the countries of the bodies they hold a seat in.
    """
    if getattr(user, "is_superuser", False):
        return None
    org_ids = organisation_ids_for(user, STATISTICS_ROLES)
    if not org_ids:
        return set()
    codes: set[str] = set()
    for country, represents in Organisation.objects.filter(pk__in=org_ids).values_list(
        "country_id", "represents_country_id"
    ):
        if represents or country:
            codes.add(represents or country)
    bodies = BodySeat.objects.filter(organisation_id__in=org_ids).values("body_id")
    codes.update(
        c
        for c in CoordinationBody.objects.filter(pk__in=bodies).values_list("country_id", flat=True)
        if c
    )
    codes.update(
        CoordinationBody.countries.through.objects.filter(
            coordinationbody_id__in=bodies
        ).values_list("country_id", flat=True)
    )
    return codes
