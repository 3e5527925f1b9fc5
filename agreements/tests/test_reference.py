"""The templates ship as reference data (data migration) with their elements and rules."""

from __future__ import annotations

import pytest
from django.apps import apps

from agreements.models import RecommendedCommitment, Template, TemplateElement
from agreements.reference import load_templates, read_templates

pytestmark = pytest.mark.django_db


def test_three_templates_with_the_seed_elements():
    codes = set(Template.objects.values_list("code", flat=True))
    assert {"bilateral-mou-states", "national-mou-gov-ngo", "sop-identification-referral"} <= codes
    # seed 004:456-462 K1-K6 are required in every template
    for template in Template.objects.all():
        required = set(template.elements.filter(required=True).values_list("key", flat=True))
        assert {
            "partners",
            "purpose",
            "principles",
            "target_groups",
            "procedures",
            "information_exchange",
            "minors",
        } <= required, template.code
    # seed 001:521 MEAS (table 4): responsibilities, entry into force/amendment, NGO funding
    national = Template.objects.get(code="national-mou-gov-ngo")
    assert {"responsibilities", "entry_amendment", "funding"} <= set(
        national.elements.filter(required=True).values_list("key", flat=True)
    )
    # seed 001:529 MEAS (table 5): objective, tasks and responsibilities, information exchange
    bilateral = Template.objects.get(code="bilateral-mou-states")
    assert bilateral.between_states
    assert {"purpose", "responsibilities", "information_exchange"} <= set(
        bilateral.elements.filter(required=True).values_list("key", flat=True)
    )
    minors = bilateral.elements.get(key="minors")
    assert any(r.get("when_target_groups") == ["children"] for r in minors.rules)


def test_recommended_commitments_from_seed_004_463_474():
    assert RecommendedCommitment.objects.count() == 11
    assert RecommendedCommitment.objects.get(code="reflection-period").sources == "004:467"


def test_loader_is_idempotent():
    before = TemplateElement.objects.count()
    load_templates(apps)
    load_templates(apps)
    assert (
        TemplateElement.objects.count()
        == before
        == sum(len(t["elements"]) for t in read_templates()["templates"])
    )
