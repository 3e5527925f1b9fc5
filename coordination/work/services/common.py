"""What every service of the working side checks: the secretariat acts, a state allows the
change, text fits its field, edits name only fields that may change."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from concord.errors import ApplicationError, GuardFailed

from ..permissions import (
    can_edit_body,
)


def _require_secretariat(actor: Any, body_id: int) -> None:
    if not can_edit_body(actor, body_id):
        raise PermissionDenied(
            _("Only the body's secretariat edits its meetings, items and plans.")
        )


def _require_state(obj: Any, method: Any, label: str) -> None:
    if not can_proceed(method):
        raise GuardFailed(
            "state",
            _("%(what)s cannot %(step)s from the state %(state)s.")
            % {"what": obj._meta.verbose_name.capitalize(), "step": label, "state": obj.state},
        )


def _required_text(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(
            _("%(field)s is required.") % {"field": field},
            fields={field: [_("This field is required.")]},
        )
    return value


def _fitting_text(value: Any, model: type[models.Model], field: str, *, required: bool) -> str:
    """`value` stripped, checked against the column's length (a too long value is a 400 naming the
    field, never a database error)."""
    text = _required_text(value, field) if required else str(value or "").strip()
    max_length = getattr(model._meta.get_field(field), "max_length", None)
    if max_length and len(text) > max_length:
        raise ApplicationError(
            _("%(field)s is too long.") % {"field": field},
            fields={field: [_("At most %(n)d characters.") % {"n": max_length}]},
        )
    return text


def _reject_unknown(changes: dict[str, Any], allowed: tuple[str, ...], message: str) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ApplicationError(_("Unknown fields."), fields={k: [message] for k in sorted(unknown)})


def _as_json(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _apply_changes(obj: models.Model, values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Set each value that differs from the object's and return {field: {"from": old, "to": new}}
    (JSON values) for the event row; fields that do not change are left out."""
    changes: dict[str, dict[str, Any]] = {}
    for field, new in values.items():
        old = getattr(obj, field)
        if old != new:
            changes[field] = {"from": _as_json(old), "to": _as_json(new)}
            setattr(obj, field, new)
    return changes
