"""The demo agreements load through the services and load again without duplicates."""

from __future__ import annotations

import io

import pytest

from agreements import demo
from agreements.models import Agreement, AgreementState
from agreements.selectors import agreements_covering
from agreements.services import compliance_report
from coordination import demo as coordination_demo

pytestmark = pytest.mark.django_db


def test_demo_agreements_and_idempotence():
    out = io.StringIO()
    coordination_demo.load(stdout=out)
    demo.load(stdout=out)
    demo.load(stdout=out)
    mou = Agreement.objects.get(title=demo.MOU_TITLE)
    assert mou.state == AgreementState.IN_FORCE
    assert mou.languages == ["en", "fr"]
    assert mou.signatures.filter(voided_at__isnull=True).count() == 2
    for procedure in ("referral", "return_reintegration", "information_exchange"):
        assert (
            agreements_covering(
                procedure=procedure,
                party_a="TH",
                party_b="KH",
                target_groups=["adults", "children"],
            ).get()
            == mou
        )
    national = Agreement.objects.get(title=demo.NATIONAL_TITLE)
    assert national.state == AgreementState.CONSULTATION
    assert national.comments.exists()
    draft = Agreement.objects.get(title=demo.SOP_TITLE)
    assert draft.state == AgreementState.DRAFT
    report = compliance_report(agreement=draft)
    assert not report.passes
    assert "minors" in {e.key for e in report.missing}
    assert Agreement.objects.count() == 3
