"""Reference data the directory ships with: every ISO 3166-1 country and the services list."""

from __future__ import annotations

from django.utils import translation

# (code, English name) — the services organisations offer to presumed victims (seed 004,
# "Protection stakeholders"; seed 001 table 2 measures).
SERVICES: list[tuple[str, str]] = [
    ("shelter", "Shelter / safe accommodation"),
    ("medical", "Medical care"),
    ("psychosocial", "Psychosocial support"),
    ("legal_aid", "Legal aid"),
    ("interpretation", "Interpretation"),
    ("child_protection", "Child protection"),
    ("return_assistance", "Return assistance"),
    ("reintegration", "Reintegration"),
    ("identification", "Victim identification"),
    ("investigation", "Criminal investigation"),
    ("asylum_procedure", "Asylum procedure"),
    ("residence_permits", "Residence permits"),
    ("travel_documents", "Travel documents"),
    ("education", "Education"),
    ("vocational_training", "Vocational training"),
    ("employment", "Employment guidance"),
    ("financial_support", "Financial support"),
    ("family_tracing", "Family tracing"),
    ("hotline", "Hotline"),
    ("outreach", "Outreach"),
]


def iso_countries() -> list[tuple[str, str]]:
    from django_countries import countries

    with translation.override("en"):
        return [(code, str(name)) for code, name in countries]


def load_reference_data(apps=None) -> None:
    get = apps.get_model if apps is not None else __import__("django.apps").apps.get_model
    Country = get("coordination", "Country")
    Service = get("coordination", "Service")
    for code, name in iso_countries():
        Country.objects.update_or_create(code=code, defaults={"name": name})
    for code, name in SERVICES:
        Service.objects.update_or_create(code=code, defaults={"name": name})
