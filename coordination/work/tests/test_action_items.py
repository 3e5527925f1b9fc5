"""Action items: open -> in progress -> done (with evidence) or cancelled (with grounds); overdue
sweep; object permissions of the owner organisation; signals inside the transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from concord.errors import ApplicationError, GuardFailed
from coordination.work import services, signals
from coordination.work.models import ActionItem, ActionItemEvent
from coordination.work.permissions import can_work_on_item
from coordination.work.selectors import action_item_recipient_organisations, action_items_visible_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(world):
    return services.action_item_create(
        body=world.body,
        owner=world.member,
        description="Map shelters",
        due_on=timezone.localdate() + timedelta(days=10),
        actor=world.sec_user,
    )


def test_create_grants_owner_and_sends_assigned_in_transaction(world):
    seen = []

    def receiver(sender, instance, event, actor, **kw):
        seen.append(
            (
                sender,
                instance.pk,
                event.transition,
                actor,
                transaction.get_connection().in_atomic_block,
            )
        )

    signals.action_item_assigned.connect(receiver)
    try:
        it = services.action_item_create(
            body=world.body,
            owner=world.member,
            description="x",
            due_on=timezone.localdate(),
            actor=world.sec_user,
        )
    finally:
        signals.action_item_assigned.disconnect(receiver)
    assert seen == [(ActionItem, it.pk, "assign", world.sec_user, True)]
    assert can_work_on_item(world.member_user, it)
    assert not can_work_on_item(world.outsider_user, it)
    assert not can_work_on_item(world.observer_user, it)
    assert set(action_item_recipient_organisations(it)) == {world.member.pk, world.secretariat.pk}


def test_owner_auditor_reads_but_does_not_work_on_the_item(world, item, make_member):
    """An auditor reads only, in the owner organisation as in the secretariat (EDITOR_ROLES)."""
    auditor = make_member(world.member, "auditor")
    assert action_items_visible_to(user=auditor).filter(pk=item.pk).exists()
    assert not can_work_on_item(auditor, item)
    with pytest.raises(PermissionDenied):
        services.action_item_start(item=item, actor=auditor)
    item.refresh_from_db()
    assert item.state == "open"


def test_owner_must_hold_member_seat(world):
    for org in (world.observer, world.outsider):
        with pytest.raises(GuardFailed) as exc:
            services.action_item_create(
                body=world.body,
                owner=org,
                description="x",
                due_on=timezone.localdate(),
                actor=world.sec_user,
            )
        assert exc.value.code == "G-ACTION-OWNER"


def test_only_secretariat_creates(world):
    with pytest.raises(PermissionDenied):
        services.action_item_create(
            body=world.body,
            owner=world.member,
            description="x",
            due_on=timezone.localdate(),
            actor=world.member_user,
        )


def test_start_then_complete_with_link(world, item):
    item = services.action_item_start(item=item, actor=world.member_user)
    assert item.state == "in_progress"
    item = services.action_item_complete(
        item=item, evidence_link="https://example.org/sop.pdf", actor=world.member_user
    )
    assert item.state == "done"
    assert item.completed_at
    assert list(
        ActionItemEvent.objects.filter(action_item=item).values_list("transition", flat=True)
    ) == ["assign", "start", "complete"]


def test_complete_needs_evidence(world, item):
    with pytest.raises(GuardFailed) as exc:
        services.action_item_complete(item=item, actor=world.member_user)
    assert exc.value.code == "G-ACTION-EVIDENCE"
    item.refresh_from_db()
    assert item.state == "open"


def test_complete_with_valid_file(world, item):
    pdf = SimpleUploadedFile("report.pdf", b"%PDF-1.4 minimal", content_type="application/pdf")
    item = services.action_item_complete(item=item, evidence_file=pdf, actor=world.member_user)
    assert item.state == "done"
    assert item.evidence_file.name.startswith("evidence/")
    assert "report" not in item.evidence_file.name


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("run.exe", b"MZ....", "evidence_type"),
        ("fake.pdf", b"<html>not a pdf</html>", "evidence_content"),
        ("empty.txt", b"", "evidence_empty"),
    ],
)
def test_complete_rejects_bad_files(world, item, name, content, code):
    with pytest.raises(ApplicationError) as exc:
        services.action_item_complete(
            item=item, evidence_file=SimpleUploadedFile(name, content), actor=world.member_user
        )
    assert exc.value.code == code
    assert "evidence_file" in exc.value.fields
    item.refresh_from_db()
    assert item.state == "open"


def test_complete_rejects_too_large(world, item, settings):
    settings.CONCORD_EVIDENCE_MAX_BYTES = 10
    with pytest.raises(ApplicationError) as exc:
        services.action_item_complete(
            item=item, evidence_file=SimpleUploadedFile("a.txt", b"x" * 11), actor=world.member_user
        )
    assert exc.value.code == "evidence_size"


@pytest.mark.parametrize("who", ["observer_user", "outsider_user"])
def test_complete_without_permission(world, item, who):
    with pytest.raises(PermissionDenied):
        services.action_item_complete(
            item=item, evidence_link="https://e.org", actor=getattr(world, who)
        )


def test_forbidden_states(world, item):
    services.action_item_complete(item=item, evidence_link="https://e.org", actor=world.member_user)
    with pytest.raises(GuardFailed):
        services.action_item_start(item=item, actor=world.member_user)
    with pytest.raises(GuardFailed):
        services.action_item_cancel(item=item, grounds="x", actor=world.sec_user)
    with pytest.raises(GuardFailed):
        services.action_item_complete(
            item=item, evidence_link="https://e.org", actor=world.member_user
        )


def test_cancel_needs_grounds_and_secretariat(world, item):
    with pytest.raises(PermissionDenied):
        services.action_item_cancel(item=item, grounds="no longer needed", actor=world.member_user)
    with pytest.raises(GuardFailed) as exc:
        services.action_item_cancel(item=item, grounds="  ", actor=world.sec_user)
    assert exc.value.code == "G-ACTION-GROUNDS"
    item = services.action_item_cancel(
        item=item, grounds="Merged with item 3", actor=world.sec_user
    )
    assert item.state == "cancelled"
    assert item.cancel_grounds == "Merged with item 3"


def test_reassign_moves_permission(world, item):
    services.action_item_reassign(item=item, owner=world.secretariat, actor=world.sec_user)
    assert not can_work_on_item(world.member_user, item)
    assert can_work_on_item(world.sec_user, item)


def test_overdue_sweep_flags_once_and_notifies(world, item):
    seen = []

    def receiver(sender, instance, event, actor, **kw):
        seen.append((instance.pk, event.transition, action_item_recipient_organisations(instance)))

    signals.action_item_overdue.connect(receiver)
    try:
        with time_machine.travel(timezone.now() + timedelta(days=5)):
            assert services.action_items_flag_overdue() == 0
        with time_machine.travel(timezone.now() + timedelta(days=12)):
            item.refresh_from_db()
            assert item.is_overdue
            assert services.action_items_flag_overdue() == 1
            assert services.action_items_flag_overdue() == 0  # safe to run twice
    finally:
        signals.action_item_overdue.disconnect(receiver)
    assert seen == [(item.pk, "flag_overdue", [world.member.pk, world.secretariat.pk])]


def test_overdue_task_runs_the_sweep(world, item):
    from coordination.work.tasks import flag_overdue_action_items

    with time_machine.travel(timezone.now() + timedelta(days=12)):
        assert flag_overdue_action_items() == 1


def test_visibility(world, item):
    assert action_items_visible_to(user=world.observer_user).filter(pk=item.pk).exists()
    assert action_items_visible_to(user=world.member_user).filter(pk=item.pk).exists()
    assert not action_items_visible_to(user=world.outsider_user).filter(pk=item.pk).exists()
