from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group

from coordination.models import Country, Organisation, Service


@pytest.fixture
def many_organisations(db: Any):
    """many_organisations(n) bulk-creates n NGOs in Austria offering shelter (fast, for sizes)."""

    def _make(n: int) -> None:
        start = Organisation.objects.count()
        groups = Group.objects.bulk_create([Group(name=f"org:bulk:{start + i}") for i in range(n)])
        austria = Country.objects.get(code="AT")
        orgs = Organisation.objects.bulk_create(
            [
                Organisation(name=f"Bulk NGO {start + i:04d}", kind="ngo", country=austria, group=g)
                for i, g in enumerate(groups)
            ]
        )
        through = Organisation.services.through
        shelter = Service.objects.get(code="shelter")
        legal = Service.objects.get(code="legal_aid")
        through.objects.bulk_create(
            [through(organisation_id=o.pk, service_id=s.pk) for o in orgs for s in (shelter, legal)]
        )

    return _make
