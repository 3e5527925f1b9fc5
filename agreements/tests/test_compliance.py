"""The compliance checker on good and bad texts; the rules are the template's data."""

from __future__ import annotations

import pytest

from agreements.compliance import MISSING, PRESENT, WEAK, ElementSpec, check
from agreements.models import Template
from agreements.services import compliance_report
from agreements.tests.factories import GOOD_TEXT, good_clauses, make_agreement

pytestmark = pytest.mark.django_db


def _by_key(report):
    return {e.key: e for e in report.elements}


def test_good_text_passes_every_template():
    for template in Template.objects.all():
        agreement = make_agreement(
            template_code=template.code, target_groups=["adults", "children"]
        )
        report = compliance_report(agreement=agreement)
        assert report.passes, (template.code, report.summary())
        assert all(e.status == PRESENT for e in report.elements if e.required)


def test_missing_required_elements_are_named():
    agreement = make_agreement(clauses={"purpose": {"en": GOOD_TEXT["purpose"]}})
    report = compliance_report(agreement=agreement)
    assert not report.passes
    assert {"minors", "information_exchange", "partners"} <= {e.key for e in report.missing}
    assert _by_key(report)["purpose"].status == PRESENT
    assert "Appropriate measures for minors" in report.summary()
    # optional elements left empty do not block
    assert _by_key(report)["dispute_settlement"].status == MISSING
    assert "dispute_settlement" not in {e.key for e in report.missing}


def test_minors_element_silent_on_children_is_weak_when_children_are_targeted():
    text = {"minors": {"en": "Special measures apply to vulnerable persons."}}
    adults_only = make_agreement(target_groups=["adults"])
    report = compliance_report(agreement=adults_only, clauses=text)
    assert _by_key(report)["minors"].status == PRESENT  # the rule applies only with children
    with_children = make_agreement(target_groups=["adults", "children"])
    report = compliance_report(agreement=with_children, clauses=text)
    minors = _by_key(report)["minors"]
    assert minors.status == WEAK
    assert minors.blocking
    reason = " ".join(minors.reasons)
    assert "children" in reason
    assert "guardians" in reason
    assert "best interests" in reason
    assert not report.passes
    # naming children and guardians but not best interests still names what is missing
    report = compliance_report(
        agreement=with_children, clauses={"minors": {"en": "Every child gets a guardian."}}
    )
    reason = " ".join(_by_key(report)["minors"].reasons)
    assert "says nothing of the best interests of the child." in reason
    assert "nothing of children" not in reason
    assert "guardians or" not in reason


def test_information_exchange_needs_channel_safeguard_and_retention():
    agreement = make_agreement()
    report = compliance_report(
        agreement=agreement,
        clauses={"information_exchange": {"en": "The parties share information about cases."}},
    )
    infox = _by_key(report)["information_exchange"]
    assert infox.status == WEAK
    reason = " ".join(infox.reasons)
    assert "a channel" in reason
    assert "a safeguard of confidentiality" in reason
    assert "a retention period" in reason
    report = compliance_report(
        agreement=agreement,
        clauses={
            "information_exchange": {
                "en": "Through the focal points only, confidential; kept for two years."
            }
        },
    )
    assert _by_key(report)["information_exchange"].status == PRESENT


def test_partner_without_mandate_or_area_is_weak():
    from coordination.tests.factories import make_organisation

    bare = make_organisation(
        kind="government_ministry", country="KH", mandate="", areas_of_operation=""
    )
    agreement = make_agreement(partners=[bare])
    partners = _by_key(compliance_report(agreement=agreement))["partners"]
    assert partners.status == WEAK
    assert any(
        str(bare.name) in r and "mandate" in r and "area of operation" in r
        for r in partners.reasons
    )


def test_procedures_without_a_responsible_party_is_weak():
    agreement = make_agreement()
    report = compliance_report(
        agreement=agreement,
        clauses={
            "procedures": {"en": "Referrals are sent within 24 hours and answered within 72 hours."}
        },
    )
    procedures = _by_key(report)["procedures"]
    assert procedures.status == WEAK
    assert "a responsible party" in " ".join(procedures.reasons)
    # naming a partner counts as naming who is responsible
    drafter = agreement.drafted_by
    report = compliance_report(
        agreement=agreement,
        clauses={"procedures": {"en": f"{drafter.name} sends referrals within 24 hours."}},
    )
    assert _by_key(report)["procedures"].status == PRESENT


def test_second_language_missing_is_weak_but_not_blocking():
    agreement = make_agreement(languages=("en", "fr"))
    report = compliance_report(agreement=agreement, clauses={"purpose": {"fr": ""}})
    purpose = _by_key(report)["purpose"]
    assert purpose.status == WEAK
    assert not purpose.blocking
    assert report.passes


def test_rules_are_data_not_code():
    """A rule added to a template's data is applied without any code change."""
    elements = [
        ElementSpec(
            key="x",
            title="X",
            required=True,
            rules=[
                {
                    "check": "mentions",
                    "blocking": True,
                    "groups": [{"label": "a budget", "terms": ["budget"]}],
                }
            ],
        )
    ]
    bad = check(
        elements=elements,
        clauses={"x": {"en": "Money."}},
        languages=["en"],
        partners=[],
        target_groups=[],
    )
    good = check(
        elements=elements,
        clauses={"x": {"en": "A budget line."}},
        languages=["en"],
        partners=[],
        target_groups=[],
    )
    assert not bad.passes
    assert "a budget" in bad.elements[0].reasons[0]
    assert good.passes


def test_recommended_commitments_are_counted():
    from agreements import services

    agreement = make_agreement()
    services.agreement_update(
        agreement=agreement,
        actor=agreement._test_actor,
        commitments=["reflection-period", "safe-accommodation"],
    )
    report = compliance_report(agreement=agreement).as_dict()
    assert report["commitments"] == {
        "ticked": 2,
        "total": 11,
        "codes": ["reflection-period", "safe-accommodation"],
    }


def test_good_clauses_helper_covers_every_element():
    for template in Template.objects.all():
        assert set(good_clauses(template)) == set(template.elements.values_list("key", flat=True))
