"""French covers the navigation and the directory pages, from the committed .mo file."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_compiled_french_catalogue_is_committed():
    assert (Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.mo").is_file()


def test_a_french_request_gets_french_navigation_and_pages(login, make_org, make_member):
    org = make_org(name="Refuge", services=["shelter"])
    client = login(make_member(org, "coordinator"))
    html = client.get("/directory/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="fr">' in html
    for text in ("Tableau de bord", "Annuaire", "Organes de coordination", "Se déconnecter"):
        assert text in html
    assert "Annuaire des organisations" in html
    assert "Hébergement / foyer sûr" in html  # a service name from the reference data
    assert "ONG / société civile" in html  # a model choice
    page = client.get(f"/organisations/{org.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Services proposés" in page
    assert "Points de contact" in page


def test_the_language_switcher_sets_french(login, make_org, make_member):
    client = login(make_member(make_org(), "coordinator"))
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert "Votre travail" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Your work" in client.get("/").content.decode()
