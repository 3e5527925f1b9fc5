import pytest
from django.db import connection

from concord.errors import GuardFailed
from concord.fields import DecryptionFailed, decrypt_str, encrypt_str


def test_guard_failed_carries_code_and_message():
    err = GuardFailed("asylum_non_refoulement", "An asylum claim is pending.")
    assert err.status_code == 409
    assert err.as_dict() == {
        "code": "asylum_non_refoulement",
        "detail": "An asylum claim is pending.",
        "fields": {},
    }


def test_encryption_round_trip_and_rotation(settings):
    token = encrypt_str("Maria Example")
    assert "Maria" not in token
    assert decrypt_str(token) == "Maria Example"
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    settings.FIELD_ENCRYPTION_KEYS = ["a-brand-new-key", old]
    assert decrypt_str(token) == "Maria Example"  # old key still decrypts
    settings.FIELD_ENCRYPTION_KEYS = ["a-wrong-key"]
    with pytest.raises(DecryptionFailed):
        decrypt_str(token)


@pytest.mark.django_db
def test_anonymous_dashboard_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_case_officer_must_verify_second_factor(client, make_org, make_member):
    org = make_org(kind="law_enforcement")
    user = make_member(org, "case_officer")
    client.force_login(user)
    response = client.get("/directory/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/second-factor/")


@pytest.mark.django_db
def test_verified_user_sees_pages_and_no_store(login, make_org, make_member):
    org = make_org()
    client = login(make_member(org, "case_officer"))
    response = client.get("/directory/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_api_schema_served(login, make_org, make_member):
    client = login(make_member(make_org(), "coordinator"))
    assert client.get("/api/schema/").status_code == 200


def test_database_vendor_reported():
    assert connection.vendor in {"sqlite", "postgresql"}
