"""Element-by-element diff of two versions."""

from __future__ import annotations

import pytest

from agreements import services
from agreements.diff import version_diff, word_segments
from agreements.tests.factories import make_agreement

pytestmark = pytest.mark.django_db


def test_word_segments():
    segments = word_segments("Refer within 24 hours.", "Refer within 12 hours.")
    assert {"op": "delete", "text": "24"} in segments
    assert {"op": "insert", "text": "12"} in segments
    assert "".join(s["text"] for s in segments if s["op"] != "delete") == "Refer within 12 hours."


def test_diff_of_two_versions_element_by_element():
    agreement = make_agreement(languages=("en", "fr"))
    actor = agreement._test_actor
    v1 = agreement.current_version
    services.agreement_update(
        agreement=agreement,
        actor=actor,
        title="A new title",
        clauses={
            "procedures": {"en": "The focal point is responsible for answering in 12 hours."},
            "dispute_settlement": {"en": "", "fr": ""},
        },
    )
    agreement.refresh_from_db()
    v2 = agreement.current_version
    diff = version_diff(old=v1, new=v2)
    by_key = {e["key"]: e for e in diff["elements"]}
    assert by_key["procedures"]["status"] == "changed"
    assert by_key["procedures"]["languages"]["en"]["status"] == "changed"
    assert by_key["procedures"]["languages"]["fr"]["status"] == "unchanged"
    assert by_key["dispute_settlement"]["status"] == "removed"
    assert by_key["purpose"]["status"] == "unchanged"
    assert diff["elements_changed"] == 2
    assert "+The focal point" in by_key["procedures"]["languages"]["en"]["unified"]
    assert [m["field"] for m in diff["meta"]] == ["title"]
    # reversed: the removed clause is added
    back = {e["key"]: e for e in version_diff(old=v2, new=v1)["elements"]}
    assert back["dispute_settlement"]["status"] == "added"
