"""Versions: immutable, SHA-256 of a canonical form, a new one per saved change."""

from __future__ import annotations

import pytest

from agreements import services
from agreements.models import AgreementVersion, ClauseText
from agreements.selectors import version_clauses
from agreements.tests.factories import make_agreement
from agreements.versioning import content_hash
from concord.errors import ApplicationError

pytestmark = pytest.mark.django_db


def test_hash_is_stable_across_whitespace_line_endings_and_key_order():
    meta = {"title": "MOU", "partners": [{"name": "A"}]}
    a = content_hash(
        meta=meta,
        clauses={"purpose": {"en": "Protect victims.\r\nTogether.  "}, "minors": {"en": ""}},
    )
    b = content_hash(
        meta=dict(reversed(list(meta.items()))),
        clauses={"purpose": {"en": "Protect victims.\nTogether."}},
    )
    assert a == b
    assert len(a) == 64
    assert a != content_hash(meta=meta, clauses={"purpose": {"en": "Protect victims. Together."}})
    # a known value, so a change of the canonical form cannot pass unnoticed
    assert content_hash(meta={"title": "MOU"}, clauses={"purpose": {"en": "Protect victims."}}) == (
        "76b68cd8ee5a688246bee654ced4d23f2e69c6e12d2a27e0bd178225ba9f255e"
    )


def test_each_saved_change_is_a_new_immutable_version():
    agreement = make_agreement()
    actor = agreement._test_actor
    v1 = agreement.current_version
    outcome = services.agreement_update(
        agreement=agreement,
        actor=actor,
        clauses={"purpose": {"en": "A new purpose, said in more than eight words here."}},
    )
    assert outcome.changed
    assert outcome.version.number == v1.number + 1
    assert outcome.version.content_hash != v1.content_hash
    # the hash is recomputable from what the version stores
    assert outcome.version.content_hash == content_hash(
        meta=outcome.version.meta, clauses=version_clauses(outcome.version)
    )
    # the old text is still there
    assert version_clauses(v1)["purpose"]["en"] != version_clauses(outcome.version)["purpose"]["en"]
    # saving the same again makes no version
    again = services.agreement_update(
        agreement=agreement,
        actor=actor,
        clauses={"purpose": {"en": "A new purpose, said in more than eight words here."}},
    )
    assert not again.changed
    assert again.version == outcome.version
    v1.note = "changed"
    with pytest.raises(ApplicationError):
        v1.save()
    with pytest.raises(ApplicationError):
        ClauseText.objects.filter(version=v1).first().delete()
    assert AgreementVersion.objects.filter(agreement=agreement).count() >= 2


@pytest.mark.postgres
def test_versions_are_protected_by_a_trigger_on_postgres():
    from django.db import DatabaseError, transaction

    agreement = make_agreement()
    with pytest.raises(DatabaseError), transaction.atomic():
        AgreementVersion.objects.filter(pk=agreement.current_version_id).update(note="x")
