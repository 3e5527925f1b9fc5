"""Reference data the directory ships with: every ISO 3166-1 country and the services list."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_noop

# (code, English name) — the services organisations offer to presumed victims (seed 004,
# "Protection stakeholders"; seed 001 table 2 measures).
# The names are marked (gettext_noop) so that pages translate them: {% translate s.name %}.
SERVICES: list[tuple[str, str]] = [
    ("shelter", gettext_noop("Shelter / safe accommodation")),
    ("medical", gettext_noop("Medical care")),
    ("psychosocial", gettext_noop("Psychosocial support")),
    ("legal_aid", gettext_noop("Legal aid")),
    ("interpretation", gettext_noop("Interpretation")),
    ("child_protection", gettext_noop("Child protection")),
    ("return_assistance", gettext_noop("Return assistance")),
    ("reintegration", gettext_noop("Reintegration")),
    ("identification", gettext_noop("Victim identification")),
    ("investigation", gettext_noop("Criminal investigation")),
    ("asylum_procedure", gettext_noop("Asylum procedure")),
    ("residence_permits", gettext_noop("Residence permits")),
    ("travel_documents", gettext_noop("Travel documents")),
    ("education", gettext_noop("Education")),
    ("vocational_training", gettext_noop("Vocational training")),
    ("employment", gettext_noop("Employment guidance")),
    ("financial_support", gettext_noop("Financial support")),
    ("family_tracing", gettext_noop("Family tracing")),
    ("hotline", gettext_noop("Hotline")),
    ("outreach", gettext_noop("Outreach")),
]


# The member organisations of ICAT, the Inter-Agency Coordination Group against Trafficking in
# Persons (seed 003:280 "Total: 18 organizations: ILO, IOM, UNICEF, UNIFEM, UNDAW, UNHCR, UNODC,
# OHCHR, DPKO, UNICRI, UNFPA, UNAIDS, UNDP, UNESCO, UN-INSTRAW, ICAO, ICPO-Interpol the World
# Bank"). (acronym, name, mandate in one line of our own words, services they offer).
ICAT_ORGANISATIONS: list[tuple[str, str, str, list[str]]] = [
    (
        "ILO",
        "International Labour Organization",
        "Sets and supervises international labour standards, including those against forced "
        "labour, and helps labour inspectorates find and stop exploitation at work.",
        ["employment", "vocational_training"],
    ),
    (
        "IOM",
        "International Organization for Migration",
        "Works for humane, orderly migration: assists trafficked migrants with shelter, "
        "voluntary return and reintegration, and builds States' capacity to protect them.",
        ["shelter", "return_assistance", "reintegration", "medical", "travel_documents"],
    ),
    (
        "UNICEF",
        "United Nations Children's Fund",
        "Protects children's rights: strengthens child protection systems so that trafficked "
        "children are identified, cared for and never treated as offenders.",
        ["child_protection", "family_tracing", "education"],
    ),
    (
        "UNIFEM",
        "United Nations Development Fund for Women",
        "Supports women's economic security and rights, addressing the gender inequality that "
        "makes women and girls vulnerable to trafficking.",
        ["employment"],
    ),
    (
        "UNDAW",
        "United Nations Division for the Advancement of Women",
        "Serves the intergovernmental work on gender equality and reports on violence against "
        "women, trafficking of women and girls included.",
        [],
    ),
    (
        "UNHCR",
        "Office of the United Nations High Commissioner for Refugees",
        "Protects refugees and asylum seekers, makes sure trafficked persons can claim asylum "
        "and are never returned to persecution (non-refoulement).",
        ["asylum_procedure", "legal_aid"],
    ),
    (
        "UNODC",
        "United Nations Office on Drugs and Crime",
        "Guardian of the Trafficking in Persons Protocol: helps States criminalise trafficking, "
        "investigate and prosecute it, and coordinates ICAT.",
        ["investigation"],
    ),
    (
        "OHCHR",
        "Office of the United Nations High Commissioner for Human Rights",
        "Puts the human rights of trafficked persons at the centre of every response and "
        "supports the Special Rapporteur on trafficking in persons.",
        ["legal_aid"],
    ),
    (
        "DPKO",
        "United Nations Department of Peacekeeping Operations",
        "Keeps peacekeeping personnel from any part in trafficking and, where mandated, helps "
        "post-conflict States build police and rule-of-law capacity against it.",
        [],
    ),
    (
        "UNICRI",
        "United Nations Interregional Crime and Justice Research Institute",
        "Researches crime and justice, including trafficking routes and victims' needs, to "
        "inform prevention and criminal justice policy.",
        [],
    ),
    (
        "UNFPA",
        "United Nations Population Fund",
        "Promotes reproductive health and gender equality, giving trafficked women and girls "
        "access to sexual and reproductive health care.",
        ["medical", "psychosocial"],
    ),
    (
        "UNAIDS",
        "Joint United Nations Programme on HIV/AIDS",
        "Leads the response to HIV, including prevention and care for trafficked persons "
        "exposed to it.",
        ["medical"],
    ),
    (
        "UNDP",
        "United Nations Development Programme",
        "Fights the poverty and weak governance that feed trafficking and supports national "
        "development and rule-of-law reforms.",
        ["employment", "vocational_training"],
    ),
    (
        "UNESCO",
        "United Nations Educational, Scientific and Cultural Organization",
        "Uses education, research and culture to prevent trafficking and to counter the "
        "stereotypes that sustain it.",
        ["education"],
    ),
    (
        "UN-INSTRAW",
        "International Research and Training Institute for the Advancement of Women",
        "Researches and trains on gender, migration and remittances, including women's "
        "vulnerability to trafficking.",
        [],
    ),
    (
        "ICAO",
        "International Civil Aviation Organization",
        "Sets the standards for secure travel documents and border inspection that help detect "
        "fraudulent documents used by traffickers.",
        ["travel_documents"],
    ),
    (
        "INTERPOL",
        "International Criminal Police Organization (ICPO-Interpol)",
        "Connects the police of its member countries: secure communications, global databases "
        "and notices for cross-border investigations of trafficking.",
        ["investigation"],
    ),
    (
        "WB",
        "The World Bank",
        "Finances development and social protection that reduce the economic vulnerability "
        "traffickers exploit.",
        ["financial_support"],
    ),
]


def load_icat_organisations(apps) -> None:
    """Create or update the ICAT member organisations (no country), each with its access group.

    Uses the historical models of a data migration, so it cannot call services.
    """
    Organisation = apps.get_model("coordination", "Organisation")
    Group = apps.get_model("auth", "Group")
    Service = apps.get_model("coordination", "Service")
    for acronym, name, mandate, services in ICAT_ORGANISATIONS:
        org = Organisation.objects.filter(
            acronym=acronym, kind="international_organisation", country__isnull=True
        ).first()
        if org is None:
            group = Group.objects.create(name=f"org:icat:{acronym}")
            org = Organisation.objects.create(
                name=name,
                acronym=acronym,
                kind="international_organisation",
                mandate=mandate,
                areas_of_operation="Worldwide",
                group=group,
            )
            group.name = f"org:{org.pk}"
            group.save(update_fields=["name"])
        else:
            org.name, org.mandate = name, mandate
            org.save(update_fields=["name", "mandate"])
        org.services.set(Service.objects.filter(code__in=services))


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
