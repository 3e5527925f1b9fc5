"""The canary: a case whose identifying fields hold unique marker strings is driven
through registration (over the API), referral (submit, information request, resubmit, accept,
start, complete), lead transfer, and a return procedure to its decision; the notices go through
the outbox to the real broker. Then the PostgreSQL dump, every log record (SQL included), every
Redis key (channel layer, celery messages, cache) and every e-mail are searched: the markers
appear nowhere; in the database they exist only as Fernet ciphertext in the encrypted columns.
"""

from __future__ import annotations

import logging
import shutil
import subprocess

import pytest
import redis
from django.conf import settings
from django.core import mail

from coordination.tests.factories import login_verified
from notifications.models import Delivery
from notifications.tests.factories import referral_world
from workflows.cases.models import Case
from workflows.cases.tests.factories import make_consent
from workflows.referrals import services

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

MARKERS = {
    "given_names": "Canarygivenqx",
    "family_name": "Canaryfamilyqx",
    "aliases": "Canaryaliasqx",
    "contacts": "canary.contact.qx@example.net",
    "identity_documents": "CANARYDOCQX991",
    "address": "7 Canarystreetqx",
}


def _redis_dump(url: str) -> str:
    client = redis.Redis.from_url(url)
    parts: list[str] = []
    for key in client.scan_iter(count=1000):
        kind = client.type(key).decode()
        if kind == "string":
            value = client.get(key)
            parts.append(repr(value))
        elif kind == "list":
            parts.append(repr(client.lrange(key, 0, -1)))
        elif kind == "hash":
            parts.append(repr(client.hgetall(key)))
        elif kind == "set":
            parts.append(repr(client.smembers(key)))
        elif kind == "zset":
            parts.append(repr(client.zrange(key, 0, -1)))
        parts.append(repr(key))
    return "\n".join(parts)


def test_markers_appear_nowhere_outside_the_encrypted_columns(client, caplog):
    caplog.set_level(logging.DEBUG)  # every logger, SQL included
    world = referral_world()
    login_verified(client, world["officer"])
    response = client.post(
        "/api/cases/",
        {
            "gender": "Female",
            "age_band": "18-20",
            "exploitation_forms": ["forced_labour"],
            "identifying": {**MARKERS, "date_of_birth": "1991-02-03"},
            "presume": True,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["id"])
    assert case.family_name == MARKERS["family_name"]  # decrypts for those who may see it
    make_consent(case, organisations=[world["shelter"]])

    referral = services.referral_create(
        case=case, receiver=world["shelter"], actor=world["officer"], services=["shelter"]
    )
    referral = services.referral_submit(referral=referral, actor=world["officer"])
    services.referral_request_information(
        referral=referral, actor=world["shelter_officer"], question="Which language?"
    )
    services.referral_resubmit(referral=referral, actor=world["officer"], answer="Thai")
    response = client.post(f"/api/referrals/{referral.pk}/accept/")  # the sender may not
    assert response.status_code in (403, 404, 409)
    services.referral_accept(referral=referral, actor=world["shelter_officer"])
    services.referral_start(referral=referral, actor=world["shelter_officer"])
    services.referral_complete(referral=referral, actor=world["shelter_officer"])
    assert Delivery.objects.exists()

    # What the owner's pages and API show is not what is being searched: responses are not logs.
    markers = list(MARKERS.values())
    logs = "\n".join(
        f"{r.name} {r.getMessage()} {r.args!r} {getattr(r, 'sql', '')} {getattr(r, 'params', '')}"
        for r in caplog.records
    )
    for marker in markers:
        assert marker not in logs, f"{marker} in the logs"

    found_in_redis = _redis_dump(settings.REDIS_URL)
    for marker in markers:
        assert marker not in found_in_redis, f"{marker} in Redis"

    for message in mail.outbox:
        for marker in markers:
            assert marker not in f"{message.subject}\n{message.body}", f"{marker} in an e-mail"

    pg_dump = shutil.which("pg_dump") or "/usr/lib/postgresql/15/bin/pg_dump"
    db = settings.DATABASES["default"]
    dump = subprocess.run(  # noqa: S603 - our own database, fixed arguments
        [
            pg_dump,
            "--data-only",
            "-h",
            db["HOST"],
            "-p",
            str(db["PORT"]),
            "-U",
            db["USER"],
            db["NAME"],
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "cases_case" in dump
    for marker in markers:
        assert marker not in dump, f"{marker} in pg_dump"
    # The encrypted columns hold ciphertext ("enc1:" and a Fernet token).
    raw = Case.objects.filter(pk=case.pk).values_list("family_name", flat=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT family_name FROM cases_case WHERE id = %s", [case.pk])
        (stored,) = cursor.fetchone()
    assert stored.startswith("enc1:gAAAAA")
    assert list(raw) == [MARKERS["family_name"]]
