"""Object permissions on cases, granted to an organisation's group (never to a user).

Only services call these. Case permissions (django-guardian, direct FK tables):
* `view_case_summary` — the need-to-know summary (no identifying details);
* `view_case_details` — the identifying details as well (granted by the referrals services after a
  referral is accepted AND the person's consent covers the receiving organisation).
The owning organisation always sees both, without a grant.
"""

from __future__ import annotations

from typing import Any

from django.db import connections, router
from django.db.models import Model

from coordination.models import Organisation, Role
from coordination.permissions import organisation_ids_for

from .models import Case

CASE_SUMMARY = "cases.view_case_summary"
CASE_DETAILS = "cases.view_case_details"

# Roles that work on cases (coordination.models.CASE_DATA_ROLES: they sign in with a 2nd factor).
CASE_WORK_ROLES = (Role.CASE_OFFICER, Role.SUPERVISOR)


def case_grant(*, case: Case, organisation: Organisation, details: bool) -> None:
    """Let `organisation` see the case's summary, and its identifying details if `details`.
    One statement whatever was granted before (rows of guardian's direct FK table, idempotent)."""
    from .models import CaseGroupObjectPermission

    codenames = ["view_case_summary", "view_case_details"] if details else ["view_case_summary"]
    grant_to_group(
        CaseGroupObjectPermission,
        object_id=case.pk,
        group_id=organisation.group_id,
        codenames=codenames,
    )


def case_revoke(*, case: Case, organisation: Organisation, details_only: bool = False) -> None:
    """Take back what was granted (details only, or everything). One query."""
    from .models import CaseGroupObjectPermission

    codenames = (
        ["view_case_details"] if details_only else ["view_case_details", "view_case_summary"]
    )
    CaseGroupObjectPermission.objects.filter(
        content_object=case, group_id=organisation.group_id, permission__codename__in=codenames
    ).delete()


def grant_to_group(
    model: type[Model], *, object_id: int, group_id: int, codenames: list[str]
) -> None:
    """Insert the group's rows of guardian's direct FK table `model` for `codenames` of the app
    that declares `model` (the referrals app grants its own permissions through it too), in ONE
    statement: the database looks the permissions up itself (INSERT ... SELECT), instead of a
    SELECT of auth_permission followed by the INSERT, and a row already granted is left as it
    is (ON CONFLICT DO NOTHING on the table's unique (group, permission, object); the same
    statement on PostgreSQL and SQLite)."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name

    def column(of: type[Model], name: str) -> str:
        field: Any = of._meta.get_field(name)
        return quote(str(field.column))

    permission, group, content_object = (column(model, name) for name in _GRANT_COLUMNS)
    permission_id = column(Permission, "id")
    content_type = column(Permission, "content_type")
    codename = column(Permission, "codename")
    content_type_id = column(ContentType, "id")
    app_label = column(ContentType, "app_label")
    placeholders = ", ".join(["%s"] * len(codenames))
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608 - quoted model names, values bound
        f"({permission}, {group}, {content_object}) "
        f"SELECT p.{permission_id}, %s, %s FROM {quote(Permission._meta.db_table)} p "
        f"INNER JOIN {quote(ContentType._meta.db_table)} ct ON ct.{content_type_id} = "
        f"p.{content_type} "
        f"WHERE ct.{app_label} = %s AND p.{codename} IN ({placeholders}) "
        "ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [group_id, object_id, model._meta.app_label, *codenames])


_GRANT_COLUMNS = ("permission", "group", "content_object")


def can_work_on_case(user: Any, case: Case) -> bool:
    """Case officers and supervisors of the owning organisation act on the case."""
    return case.owner_id in organisation_ids_for(user, CASE_WORK_ROLES)


def can_act_for_child(user: Any, case: Case) -> bool:
    """Guardian appointments and best-interests determinations: the holding organisation's case
    workers, or those of a child protection authority the case was shared with (seed 004:314)."""
    if can_work_on_case(user, case):
        return True
    from .models import CaseGroupObjectPermission

    org_ids = organisation_ids_for(user, CASE_WORK_ROLES)
    return CaseGroupObjectPermission.objects.filter(
        content_object=case,
        group__organisation__id__in=org_ids,
        group__organisation__kind="child_protection",
    ).exists()
