"""Every transition from an allowed state, from a forbidden state, and without permission."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from concord.errors import ApplicationError, GuardFailed
from workflows.returns import services as svc
from workflows.returns.models import ReturnEvent, ReturnState
from workflows.returns.services.transitions import TRANSITION_SIGNALS
from workflows.returns.tests.factories import advance

pytestmark = pytest.mark.usefixtures("agreements")


def test_full_main_line_leaves_one_event_per_transition(world):
    p = world.request()
    p = advance(p, world, ReturnState.CLOSED)
    transitions = list(
        ReturnEvent.objects.filter(procedure=p)
        .exclude(from_state="", transition="request")
        .filter(transition__in=TRANSITION_SIGNALS)
        .values_list("transition", flat=True)
    )
    assert transitions == [
        "start_assessment",
        "submit_for_decision",
        "approve",
        "depart",
        "hand_over",
        "start_monitoring",
        "close",
    ]
    steps = list(p.steps.values_list("state", "left_at"))
    assert [s for s, _ in steps] == [
        "requested",
        "risk_assessment",
        "decision",
        "preparation",
        "travel",
        "handed_over",
        "monitoring",
    ]
    assert all(left is not None for _, left in steps)
    assert p.closed_at is not None


FORBIDDEN_FROM_CLOSED = [
    ("return_start_assessment", {}),
    ("return_submit_for_decision", {}),
    ("return_approve", {"grounds": "x"}),
    ("return_depart", {}),
    ("return_hand_over", {}),
    ("return_start_monitoring", {}),
    ("return_close", {}),
    ("return_reassess", {"reason": "new information"}),
    ("return_grant_alternative", {"kind": "temporary_residence", "grounds": "x"}),
    ("return_cancel", {"grounds": "x"}),
]


def test_every_transition_from_a_forbidden_state_is_refused(world):
    p = advance(world.request(), world, ReturnState.CLOSED)
    events = p.events.count()
    for name, kwargs in FORBIDDEN_FROM_CLOSED:
        with pytest.raises(GuardFailed) as exc:
            getattr(svc, name)(procedure=p, actor=world.th_officer, **kwargs)
        assert exc.value.code == "transition_not_allowed", name
    p.refresh_from_db()
    assert p.state == ReturnState.CLOSED
    assert p.events.count() == events


def test_start_monitoring_from_forbidden_state(world):
    p = world.request()
    with pytest.raises(GuardFailed) as exc:
        svc.return_start_monitoring(procedure=p, actor=world.kh_officer)
    assert exc.value.code == "transition_not_allowed"


def test_cancel_from_each_cancellable_state(world):
    for state in (
        ReturnState.REQUESTED,
        ReturnState.RISK_ASSESSMENT,
        ReturnState.DECISION,
        ReturnState.PREPARATION,
    ):
        p = advance(world.request(), world, state)
        p = svc.return_cancel(
            procedure=p, actor=world.th_officer, grounds="The person changed plans."
        )
        assert p.state == ReturnState.CANCELLED
        assert p.events.filter(transition="cancel", from_state=state).exists()


def test_cancel_needs_grounds_and_is_refused_after_travel(world):
    p = world.request()
    with pytest.raises(ApplicationError) as exc:
        svc.return_cancel(procedure=p, actor=world.th_officer, grounds=" ")
    assert exc.value.fields == {"grounds": ["This field is required."]}
    p = advance(p, world, ReturnState.TRAVEL)
    with pytest.raises(GuardFailed):
        svc.return_cancel(procedure=p, actor=world.th_officer, grounds="late")


def test_cancel_at_decision_records_a_decision(world):
    p = advance(world.request(), world, ReturnState.DECISION)
    svc.return_cancel(procedure=p, actor=world.th_officer, grounds="Person chose to stay.")
    d = p.decisions.get()
    assert d.outcome == "cancelled"
    assert d.assessment.version == 1


def test_grant_alternative_residence_and_third_state(world):
    from coordination.models import Country

    p = advance(world.request(), world, ReturnState.DECISION)
    with pytest.raises(ApplicationError) as exc:
        svc.return_grant_alternative(
            procedure=p, actor=world.th_officer, kind="third_state_relocation", grounds="x"
        )
    assert "third_country" in exc.value.fields
    p = svc.return_grant_alternative(
        procedure=p,
        actor=world.th_officer,
        kind="third_state_relocation",
        grounds="Danger in both States.",
        third_country=Country.objects.get(code="VN"),
    )
    assert p.state == ReturnState.ALTERNATIVE
    d = p.decisions.get()
    assert (d.outcome, d.alternative_kind, d.third_country_id) == (
        "alternative",
        "third_state_relocation",
        "VN",
    )
    p2 = advance(world.request(), world, ReturnState.DECISION)
    p2 = svc.return_grant_alternative(
        procedure=p2, actor=world.th_officer, kind="permanent_residence", grounds="Danger."
    )
    assert p2.state == ReturnState.ALTERNATIVE


def test_reassess_makes_a_new_version_and_the_decision_names_it(world):
    p = advance(world.request(), world, ReturnState.DECISION)
    with pytest.raises(ApplicationError):
        svc.return_reassess(procedure=p, actor=world.th_officer, reason="")
    p = svc.return_reassess(procedure=p, actor=world.kh_officer, reason="New threat reported.")
    assert p.state == ReturnState.RISK_ASSESSMENT
    assert list(p.risk_assessments.values_list("version", flat=True)) == [2, 1]
    p = advance(p, world, ReturnState.PREPARATION)
    decision = p.decisions.get()
    assert decision.assessment.version == 2
    # version 1 is untouched
    v1 = p.risk_assessments.get(version=1)
    assert v1.contributions.count() == 2


def test_reassess_from_preparation(world):
    p = advance(world.request(), world, ReturnState.PREPARATION)
    p = svc.return_reassess(procedure=p, actor=world.th_officer, reason="Proceedings opened.")
    assert p.state == ReturnState.RISK_ASSESSMENT


@pytest.mark.parametrize(
    ("state", "name", "actor_attr"),
    [
        (ReturnState.REQUESTED, "return_start_assessment", "kh_officer"),
        (ReturnState.DECISION, "return_approve", "kh_officer"),
        (ReturnState.PREPARATION, "return_depart", "kh_officer"),
        (ReturnState.TRAVEL, "return_hand_over", "th_officer_only"),
        (ReturnState.HANDED_OVER, "return_start_monitoring", "th_supervisor"),
        (ReturnState.REQUESTED, "return_start_assessment", "vn_official"),
        (ReturnState.REQUESTED, "return_start_assessment", "th_ministry_official"),
    ],
)
def test_transition_without_permission_is_refused(world, state, name, actor_attr):
    from coordination.tests.factories import make_member_user

    p = advance(world.request(), world, state)
    actor = (
        make_member_user(world.th_ngo, "case_officer")
        if actor_attr == "th_officer_only"
        else getattr(world, actor_attr)
    )
    kwargs = {"grounds": "x"} if name == "return_approve" else {}
    with pytest.raises(PermissionDenied):
        getattr(svc, name)(procedure=p, actor=actor, **kwargs)
    p.refresh_from_db()
    assert p.state == state


def test_request_only_by_the_case_holder_and_not_twice(world):
    from coordination.models import Country

    case = world.case()
    with pytest.raises(PermissionDenied):
        svc.return_request(
            case=case,
            receiving_country=Country.objects.get(code="KH"),
            returning_authority=world.th_ministry,
            receiving_authority=world.kh_ministry,
            actor=world.kh_officer,
        )
    world.request(case)
    with pytest.raises(GuardFailed) as exc:
        world.request(case)
    assert exc.value.code == "return_already_open"


def test_request_checks_authorities_and_schedule(world):
    from coordination.models import Country

    with pytest.raises(ApplicationError) as exc:
        svc.return_request(
            case=world.case(),
            receiving_country=Country.objects.get(code="KH"),
            returning_authority=world.kh_ministry,
            receiving_authority=world.kh_ministry,
            actor=world.th_officer,
        )
    assert "returning_authority" in exc.value.fields
    with pytest.raises(ApplicationError) as exc:
        world.request(monitoring_months=[0, 3])
    assert "monitoring_months" in exc.value.fields
    p = world.request(monitoring_months=[2, 6])
    assert p.monitoring_months == [2, 6]


def test_event_payloads_carry_no_identifying_detail(world):
    p = advance(
        world.request(world.case(identifying={"given_names": "Sokha", "family_name": "Chan"})),
        world,
        ReturnState.CLOSED,
    )
    text = repr(list(p.events.values_list("payload", "reason")))
    assert "Sokha" not in text
    assert "Chan" not in text
