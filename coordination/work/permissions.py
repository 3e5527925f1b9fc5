"""Who may do what with a body's meetings, action items and plan.

A body's access follows its seats (BodySeat): every seat holder reads; observers read only; the
secretariat edits (its members in an editing role). The owner organisation of an action item or a
plan measure works on it through a django-guardian object permission granted to its group here,
and only here (services call these functions when ownership starts or ends).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from guardian.shortcuts import assign_perm, remove_perm

from coordination.models import BodySeat, CoordinationBody, Organisation, Role, Seat
from coordination.permissions import organisation_group, organisation_ids_for
from coordination.work.models import ActionItem, PlanMeasure

# Members of the secretariat who may edit: not auditors, not case officers.
EDITOR_ROLES = (Role.COORDINATOR, Role.ORG_ADMIN, Role.MINISTRY_OFFICIAL, Role.SUPERVISOR)
# Members of an action item's or a plan measure's owner organisation who work on it: every role
# but auditors, who read only (as in the secretariat, EDITOR_ROLES).
OWNER_WORK_ROLES = tuple(r for r in Role if r != Role.AUDITOR)

WORK_ON_ITEM = "work.work_on_actionitem"
REPORT_ON_MEASURE = "work.report_on_planmeasure"


def seats_of(user: Any, body: CoordinationBody | int) -> set[str]:
    body_id = body if isinstance(body, int) else body.pk
    orgs = organisation_ids_for(user)
    if not orgs:
        return set()
    return set(
        BodySeat.objects.filter(body_id=body_id, organisation_id__in=orgs).values_list(
            "seat", flat=True
        )
    )


def body_ids_readable_by(user: Any) -> QuerySet[Any] | None:
    """A subquery of body ids the user holds any seat in; None for a superuser (all bodies)."""
    if getattr(user, "is_superuser", False):
        return None
    return BodySeat.objects.filter(organisation_id__in=organisation_ids_for(user)).values("body_id")


def can_edit_body(user: Any, body: CoordinationBody | int) -> bool:
    """The secretariat edits meetings, decisions, items and plans."""
    if getattr(user, "is_superuser", False):
        return True
    body_id = body if isinstance(body, int) else body.pk
    editor_orgs = organisation_ids_for(user, EDITOR_ROLES)
    return BodySeat.objects.filter(
        body_id=body_id, organisation_id__in=editor_orgs, seat=Seat.SECRETARIAT
    ).exists()


def grant_action_item_owner(item: ActionItem, owner: Organisation) -> None:
    assign_perm(WORK_ON_ITEM, organisation_group(owner), item)


def revoke_action_item_owner(item: ActionItem, owner: Organisation) -> None:
    remove_perm(WORK_ON_ITEM, organisation_group(owner), item)


def _owner_granted(user: Any, permission_model: Any, codename: str, obj: Any) -> bool:
    """Whether one of the organisations the user works for in OWNER_WORK_ROLES holds `codename`
    on `obj` (a superuser always does)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    org_ids = organisation_ids_for(user, OWNER_WORK_ROLES)
    if not org_ids:
        return False
    return bool(
        permission_model.objects.filter(
            content_object=obj,
            permission__codename=codename,
            group__organisation__id__in=org_ids,
        ).exists()
    )


def can_work_on_item(user: Any, item: ActionItem) -> bool:
    from coordination.work.models import ActionItemGroupObjectPermission

    return _owner_granted(user, ActionItemGroupObjectPermission, "work_on_actionitem", item)


def grant_measure_owner(measure: PlanMeasure, owner: Organisation) -> None:
    assign_perm(REPORT_ON_MEASURE, organisation_group(owner), measure)


def revoke_measure_owner(measure: PlanMeasure, owner: Organisation) -> None:
    remove_perm(REPORT_ON_MEASURE, organisation_group(owner), measure)


def can_report_on_measure(user: Any, measure: PlanMeasure) -> bool:
    from coordination.work.models import PlanMeasureGroupObjectPermission

    return _owner_granted(user, PlanMeasureGroupObjectPermission, "report_on_planmeasure", measure)
