"""The pages: list with filters, editor with compliance panel, actions, consultation, coverage,
versions and diff, signature page, documents, lifecycle diagram, dashboard panel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import AgreementState, Comment, Signature
from agreements.tests.factories import (
    coordinator,
    drive_to_signatures,
    make_agreement,
    make_agreement_in_force,
    signatory,
)
from coordination.models import Role
from coordination.tests.factories import make_member_user, make_organisation

pytestmark = pytest.mark.django_db
S = AgreementState


def _org(country="TH"):
    return make_organisation(
        kind="government_ministry", country=country, mandate="Lead", areas_of_operation="Everywhere"
    )


@pytest.fixture
def setup(db):
    a, b = _org("TH"), _org("KH")
    agreement = make_agreement(
        drafter=a,
        partners=[b],
        target_groups=["adults", "children"],
        effective_date=timezone.localdate(),
    )
    return agreement, a, b


def test_list_with_filters(client, login):
    drafter = _org("TH")
    user = coordinator(drafter)
    draft = make_agreement(drafter=drafter, actor=user, partners=[_org("KH")], title="Draft MOU")
    in_force = make_agreement_in_force(
        party_a=drafter,
        party_b=_org("KH"),
        title="Signed MOU",
        end_date=timezone.localdate() + timedelta(days=20),
    )
    login(user)
    page = client.get(reverse("agreements:list")).content.decode()
    assert "Draft MOU" in page
    assert "Signed MOU" in page
    page = client.get(reverse("agreements:list") + "?state=in_force").content.decode()
    assert "Signed MOU" in page
    assert "Draft MOU" not in page
    page = client.get(reverse("agreements:list") + "?expiring_days=30").content.decode()
    assert "Signed MOU" in page
    assert "Draft MOU" not in page
    page = client.get(reverse("agreements:list") + "?kind=sop").content.decode()
    assert "No agreement matches" in page
    page = client.get(
        reverse("agreements:list") + f"?partner={drafter.pk}&country=KH"
    ).content.decode()
    assert "Signed MOU" in page
    assert draft.pk
    assert in_force.pk


@pytest.mark.parametrize("size", [2, 6])
def test_list_page_query_count_is_fixed(client, login, django_assert_max_num_queries, size):
    drafter = _org("TH")
    user = coordinator(drafter)
    for _ in range(size):
        make_agreement(drafter=drafter, actor=user, partners=[_org("KH")], good=False)
    login(user)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("agreements:list"))
    assert response.status_code == 200


def test_outsider_gets_404_everywhere(setup, client, login):
    agreement, _a, _b = setup
    login(coordinator(_org("VN")))
    for name in ("detail", "edit", "coverage", "versions", "comments", "sign"):
        assert client.get(reverse(f"agreements:{name}", args=[agreement.pk])).status_code == 404
    assert (
        client.post(
            reverse("agreements:action", args=[agreement.pk, "open-consultation"])
        ).status_code
        == 404
    )
    assert client.get(reverse("agreements:document", args=[agreement.pk, "pdf"])).status_code == 404


def test_non_coordinator_cannot_edit(setup, client, login):
    agreement, a, _b = setup
    login(make_member_user(a, Role.CASE_OFFICER))
    assert client.get(reverse("agreements:detail", args=[agreement.pk])).status_code == 200
    assert client.get(reverse("agreements:edit", args=[agreement.pk])).status_code == 403
    assert client.get(reverse("agreements:new")).status_code == 403


def test_draft_from_a_template_then_edit_with_the_compliance_panel(client, login):
    org = _org("TH")
    user = coordinator(org)
    login(user)
    page = client.get(reverse("agreements:new")).content.decode()
    assert "Bilateral MOU between two States" in page
    response = client.post(
        reverse("agreements:new"),
        {
            "template": _template_pk("bilateral-mou-states"),
            "title": "TH-KH MOU",
            "drafted_by": org.pk,
            "languages": "en, fr",
        },
    )
    assert response.status_code == 302
    edit_url = response["Location"]
    page = client.get(edit_url).content.decode()
    assert "Appropriate measures for minors" in page
    assert 'id="compliance-panel"' in page
    assert "agreements/editor.js" in page
    assert "clause__minors__fr" in page
    response = client.post(
        edit_url,
        {
            "title": "TH-KH MOU",
            "languages": "en, fr",
            "clause__purpose__en": "Cooperate to protect victims of trafficking in persons.",
            "commitments": ["reflection-period"],
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Saved as version 2" in page
    assert "Recommended commitments: 1 of 11" in page


def _template_pk(code):
    from agreements.models import Template

    return Template.objects.get(code=code).pk


def test_refused_action_shows_the_guard_message(client, login):
    org = _org("TH")
    user = coordinator(org)
    agreement = make_agreement(drafter=org, actor=user)
    login(user)
    response = client.post(
        reverse("agreements:action", args=[agreement.pk, "open-consultation"]),
        HTTP_REFERER=reverse("agreements:detail", args=[agreement.pk]),
        follow=True,
    )
    assert "at least two partners" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.state == S.DRAFT


def test_consultation_comments_answers_resolution_and_approval(setup, client, login):
    agreement, _a, b = setup
    login(agreement._test_actor)
    client.post(reverse("agreements:action", args=[agreement.pk, "open-consultation"]))
    other = coordinator(b)
    client.logout()
    login(other)
    comments_url = reverse("agreements:comments", args=[agreement.pk])
    client.post(comments_url, {"op": "add", "element": "minors", "text": "Name the guardian."})
    comment = Comment.objects.get(agreement=agreement)
    assert comment.element.key == "minors"
    client.post(comments_url, {"op": "add", "parent": comment.pk, "text": "Done in v3."})
    client.post(comments_url, {"op": "resolve", "comment": comment.pk})
    comment.refresh_from_db()
    assert comment.resolved_at is not None
    response = client.post(
        reverse("agreements:action", args=[agreement.pk, "approve"]), follow=True
    )
    page = response.content.decode()
    assert "You approved version" in page
    assert "Done in v3." in page


def test_coverage_page_saves_a_new_version(setup, client, login):
    agreement, _a, _b = setup
    login(agreement._test_actor)
    before = agreement.versions.count()
    response = client.post(
        reverse("agreements:coverage", args=[agreement.pk]),
        {
            "countries": ["TH", "KH"],
            "procedures": ["referral", "return_reintegration"],
            "target_groups": ["adults", "children", "forced_labour"],
            "data_categories": ["case_facts"],
        },
        follow=True,
    )
    assert "Saved as version" in response.content.decode()
    assert agreement.versions.count() == before + 1
    bad = client.post(
        reverse("agreements:coverage", args=[agreement.pk]),
        {"procedures": ["smuggling"]},
        follow=True,
    )
    assert "Unknown code(s): smuggling" in bad.content.decode()


def test_versions_page_shows_the_diff(setup, client, login):
    agreement, _a, _b = setup
    login(agreement._test_actor)
    client.post(
        reverse("agreements:edit", args=[agreement.pk]),
        {
            "title": agreement.title,
            "languages": "en",
            "clause__procedures__en": "The focal point is responsible for an answer in 12 hours.",
        },
    )
    page = client.get(reverse("agreements:versions", args=[agreement.pk])).content.decode()
    assert "<ins>" in page
    assert "12" in page


def test_signature_page_signs_the_shown_hash_and_enters_into_force(setup, client, login):
    agreement, a, b = setup
    drive_to_signatures(agreement)
    version_hash = agreement.current_version.content_hash
    for org in (a, b):
        user = signatory(org)
        client.logout()
        login(user)
        page = client.get(reverse("agreements:sign", args=[agreement.pk])).content.decode()
        assert version_hash in page
        response = client.post(
            reverse("agreements:sign", args=[agreement.pk]),
            {"version_hash": version_hash, "confirm": "yes"},
            follow=True,
        )
        assert "Signed for" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.state == S.IN_FORCE
    assert Signature.objects.filter(agreement=agreement, voided_at__isnull=True).count() == 2
    pdf = client.get(reverse("agreements:document", args=[agreement.pk, "pdf"]))
    assert pdf.content.startswith(b"%PDF")


def test_sign_page_refuses_without_the_right(setup, client, login):
    agreement, _a, _b = setup
    drive_to_signatures(agreement)
    login(agreement._test_actor)
    page = client.get(reverse("agreements:sign", args=[agreement.pk])).content.decode()
    assert "sign-button" not in page
    response = client.post(
        reverse("agreements:sign", args=[agreement.pk]),
        {"version_hash": agreement.current_version.content_hash, "confirm": "yes"},
        HTTP_REFERER=reverse("agreements:sign", args=[agreement.pk]),
        follow=True,
    )
    assert response.status_code == 403


def test_lifecycle_diagram_and_detail(setup, client, login):
    agreement, _a, _b = setup
    login(agreement._test_actor)
    page = client.get(reverse("agreements:lifecycle")).content.decode()
    assert "<svg" in page
    assert "request signatures" in page
    assert 'data-state="in_force"' in page
    page = client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    assert "Open consultation" in page
    assert "<svg" in page


def test_dashboard_panel_lists_agreements_needing_attention(setup, client, login):
    agreement, _a, _b = setup
    login(agreement._test_actor)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Agreements needing attention" in page
    assert agreement.title in page


def test_history_names_the_scheduler_for_its_steps(client, login):
    import time_machine

    from agreements.tasks import run_lifecycle

    start = timezone.localdate() + timedelta(days=3)
    a, b = _org("TH"), _org("KH")
    agreement = make_agreement(drafter=a, partners=[b], effective_date=start)
    drive_to_signatures(agreement)
    from agreements.tests.factories import sign_all

    sign_all(agreement)
    with time_machine.travel(start, tick=False):
        run_lifecycle()
    login(agreement._test_actor)
    page = client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    assert "the scheduler" in page
    assert "enter_into_force" in page


def test_pages_in_french(setup, client, login):
    agreement, _a, _b = setup
    login(agreement._test_actor)
    page = client.get(reverse("agreements:list"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Rédiger un accord" in page
    page = client.get(
        reverse("agreements:detail", args=[agreement.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Ouvrir la consultation" in page
    assert "Brouillon" in page
