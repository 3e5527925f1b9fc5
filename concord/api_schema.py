"""The API's schema class: drf-spectacular's AutoSchema plus the errors every operation can return.

Kept apart from concord.api, which DRF's settings import (pagination) while drf-spectacular's
AutoSchema imports DRF's generics: one module holding both would import itself half-made.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers

from .api import error_responses


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's AutoSchema, plus the error responses the framework itself returns.

    Whatever a view declares, every operation under /api/ can answer 401 (no or a bad token),
    403 (authenticated but not allowed, or a session whose second factor is not verified: see
    concord.authentication), 404 where the path names an object (hidden is 404) or the list is
    paginated (a page past the end), and 400 where it takes a body or query parameters (a body
    that does not parse, a filter value out of its choices). Those are documented here once, with
    the `{"code","detail","fields"}` body; a view's own `error_responses(...)` still wins, and
    names what only it returns (409 for a refused transition)."""

    def _get_paginator(self) -> Any:
        """Document a paginated body only where the view paginates: its `list`, or the extra
        actions it names in `paginated_actions`; other actions that return many objects (a
        body's events, an agreement's partners) return a plain array."""
        action = getattr(self.view, "action", None)
        if (
            action is not None
            and action != "list"
            and action not in getattr(self.view, "paginated_actions", ())
        ):
            return None
        return super()._get_paginator()

    def _insert_field_validators(self, field: Any, schema: dict[str, Any]) -> None:
        """A URL field that may be blank holds a URL or "": `format: uri` alone would call the
        empty string a violation of the schema."""
        super()._insert_field_validators(field, schema)
        if (
            isinstance(field, serializers.URLField)
            and schema.get("format") == "uri"
            and (field.allow_blank or _model_field_blank(field))
        ):
            del schema["format"]
            schema["anyOf"] = [{"format": "uri"}, {"maxLength": 0}]

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        parameters = operation.get("parameters", [])
        implied = {401, 403}
        if any(p.get("in") == "path" for p in parameters) or any(
            p.get("in") == "query" and p.get("name") == "page" for p in parameters
        ):
            implied.add(404)
        if "requestBody" in operation or any(p.get("in") == "query" for p in parameters):
            implied.add(400)
        responses = operation.setdefault("responses", {})
        for code in sorted(implied):
            responses.setdefault(
                str(code),
                self._get_response_for_code(error_responses(code)[code], str(code)),
            )
        return operation


def _model_field_blank(field: Any) -> bool:
    """Whether the model field behind a (read-only) ModelSerializer field may be blank."""
    model = getattr(getattr(getattr(field, "parent", None), "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source:
        return False
    try:
        return bool(model._meta.get_field(field.source).blank)
    except Exception:  # noqa: BLE001 - not a model field (a property, an annotation)
        return False
