"""`manage.py audit_events`: every state is explained by its event rows."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from concord.management.commands.audit_events import audit_targets
from workflows.cases.models import Case
from workflows.referrals.models import Referral

pytestmark = pytest.mark.django_db


def _audit() -> tuple[str, int]:
    out = io.StringIO()
    try:
        call_command("audit_events", stdout=out)
    except CommandError as exc:
        return out.getvalue() + str(exc), exc.returncode
    return out.getvalue(), 0


def test_it_finds_every_event_model_and_the_state_field_it_explains():
    targets, skipped = audit_targets()
    found = {(t.model._meta.label, t.state_field.name) for t in targets}
    assert found == {
        ("agreements.Agreement", "state"),
        ("work.ActionItem", "state"),
        ("work.ActionPlan", "state"),
        ("work.Meeting", "state"),
        ("cases.Case", "identification_state"),
        ("referrals.Referral", "state"),
        ("returns.ReturnProcedure", "state"),
    }
    assert ("coordination.MembershipEvent", "its subject has no state machine") in skipped


def test_demo_data_is_explained_and_a_state_changed_behind_the_services_back_is_not():
    call_command("load_demo", stdout=io.StringIO())
    targets, _skipped = audit_targets()

    with CaptureQueriesContext(connection) as queries:
        output, code = _audit()
    assert code == 0, output
    assert "referrals.Referral.state (events: referrals.ReferralEvent): 6 object(s)" in output
    assert "Every state is explained by its events." in output
    # One aggregate query per audited model, whatever the number of rows.
    assert len(queries) == len(targets)

    referral = Referral.objects.order_by("pk").first()
    assert referral is not None
    tampered = "withdrawn" if referral.state != "withdrawn" else "declined"
    Referral.objects.filter(pk=referral.pk).update(state=tampered)  # behind the service's back
    case = Case.objects.order_by("pk").first()
    assert case is not None
    Case.objects.filter(pk=case.pk).update(identification_state="not_identified")

    output, code = _audit()
    assert code == 1
    assert "referrals.Referral.state (events: referrals.ReferralEvent): 6 object(s), 1 unexpl" in (
        output
    )
    assert f"  id={referral.pk}: state '{tampered}', latest event says '{referral.state}'" in output
    assert f"  id={case.pk}: state 'not_identified', latest event says" in output
    assert "2 object(s) in a state their events do not explain." in output
    # Nothing identifying is printed: the case's reference and names are not in the output.
    assert case.reference not in output


def test_an_object_past_its_initial_state_without_any_event_is_reported(make_org):
    from workflows.cases.tests.factories import make_case

    owner = make_org(kind="ngo", country="TH")
    # The factory inserts rows directly, without the service and so without event rows.
    fresh = make_case(owner, state="first_contact", country="TH", nationality="TH")
    skipped_ahead = make_case(owner, state="presumed_victim", country="TH", nationality="TH")
    output, code = _audit()
    assert code == 1
    assert "cases.Case.identification_state (events: cases.CaseEvent): 2 object(s), 1 " in (output)
    assert f"  id={skipped_ahead.pk}: state 'presumed_victim', latest event says nothing" in output
    assert f"id={fresh.pk}:" not in output
