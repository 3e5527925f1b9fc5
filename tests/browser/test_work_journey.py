"""Browser journey: the secretariat records a meeting with a decision that creates an
action item; the owner organisation marks it done with evidence; the plan's progress page and the
annual report show it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from coordination.models import BodySeat, CoordinationBody, Country, Role
from coordination.work import services
from coordination.work.models import ActionItem, FrameworkItem, FrameworkRow
from tests.browser.helpers import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_meeting_decision_item_done_shows_in_plan_and_report(page, live_url, make_org, make_member):
    body = CoordinationBody.objects.create(
        name="Journey Committee", kind="national_committee", country=Country.objects.get(code="TH")
    )
    sec = make_org(kind="government_ministry", country="TH", name="Journey Secretariat")
    ngo = make_org(kind="ngo", country="TH", name="Journey Shelter NGO")
    BodySeat.objects.create(body=body, organisation=sec, seat="secretariat")
    BodySeat.objects.create(body=body, organisation=ngo, seat="member")
    sec_user = make_member(sec, Role.COORDINATOR)
    ngo_user = make_member(ngo, Role.COORDINATOR)
    today = timezone.localdate()
    plan = services.action_plan_create(
        body=body,
        title="Journey Plan",
        period_start=today.replace(month=1, day=1),
        period_end=today.replace(year=today.year + 1, month=12, day=31),
        funding_requirements="THB 1m",
        funding_sources="State budget",
        actor=sec_user,
    )
    measure = services.plan_measure_add(
        plan=plan,
        framework_row=FrameworkRow.objects.get(code="T2-R1"),
        framework_measure=FrameworkItem.objects.get(code="T2-R1-M10"),
        title="Mutual referral between protection systems",
        owner=ngo,
        target="Directory online",
        due_on=today + timedelta(days=200),
        budget_line="Line 2.1",
        actor=sec_user,
    )
    services.measure_indicator_add(
        measure=measure,
        name="Provinces covered",
        baseline=Decimal(0),
        target_value=Decimal(10),
        actor=sec_user,
    )
    services.action_plan_adopt(plan=plan, actor=sec_user)

    # The secretariat schedules and records the meeting, its attendance and a decision.
    browser_login(page, live_url, sec_user)
    page.goto(f"{live_url}/work/bodies/{body.pk}/")
    page.click("text=Schedule a meeting")
    page.fill("input[name=title]", "Journey quarterly meeting")
    page.fill(
        "input[name=starts_at]",
        (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    )
    page.fill("input[name=place]", "Bangkok")
    page.fill("textarea[name=agenda]", "Referral directory")
    page.click("button:has-text('Schedule')")
    page.wait_for_url("**/work/meetings/*/")
    page.select_option("#attendance-form select[name=organisation]", label="Journey Shelter NGO")
    page.click("#attendance-form button[type=submit]")
    page.wait_for_load_state()
    page.click("#btn-hold")
    page.wait_for_load_state()
    assert page.inner_text("#meeting-state") == "Held"
    page.fill("#decision-form textarea[name=text]", "Put the referral directory online.")
    page.fill("#decision-form textarea[name=item_description]", "Publish the referral directory")
    page.select_option("#decision-form select[name=item_owner]", label="Journey Shelter NGO")
    page.fill("#decision-form input[name=item_due_on]", (today + timedelta(days=30)).isoformat())
    page.select_option(
        "#decision-form select[name=item_measure]",
        label="Mutual referral between protection systems",
    )
    page.click("#decision-form button[type=submit]")
    page.wait_for_load_state()
    assert "Publish the referral directory" in page.content()
    item = ActionItem.objects.get()
    page.click("button:has-text('Sign out')")
    page.wait_for_load_state()

    # The owner organisation marks it done with evidence.
    browser_login(page, live_url, ngo_user)
    page.goto(f"{live_url}/work/items/{item.pk}/")
    page.fill("#complete-form input[name=evidence_link]", "https://example.org/directory")
    page.click("#complete-form button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("#item-state") == "Done"

    # The plan's progress page and the annual report show it.
    page.goto(f"{live_url}/work/plans/{plan.pk}/")
    measure_box = page.inner_text(f"#measure-{measure.pk}")
    assert "Publish the referral directory" in measure_box
    assert "Done" in measure_box
    response = page.request.get(f"{live_url}/work/bodies/{body.pk}/report/{today.year}.pdf")
    assert response.status == 200
    pdf = response.body()
    assert pdf.startswith(b"%PDF")
    assert b"Publish the referral directory" in pdf
    assert b"Put the referral directory online." in pdf
