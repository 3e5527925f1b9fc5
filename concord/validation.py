"""Input that no field may hold: NUL characters and lone UTF-16 surrogates.

PostgreSQL refuses both in text and jsonb (NUL: "A string literal cannot contain NUL (0x00)
characters"; a lone surrogate cannot be encoded as UTF-8 at all), so a value carrying one would
reach the database and fail there as a server error after the service had started its work.
They are refused at the edge instead, as bad input naming the field, before anything changes:

- `UnstorableCharactersMiddleware`: the URL path and the query string, for pages and the API;
- the API's parsers (`JSONParser`, `FormParser`, `MultiPartParser`): every string and key of a
  request body, wherever it sits (a JSON field's nested keys included);
- `reject_unstorable` for any other structured value a service receives.

Django's and DRF's CharFields already refuse NUL (ProhibitNullCharactersValidator); this covers
what they do not see: JSON and dict fields, query parameters read directly, path converters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ValidationError

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable_message() -> str:
    return _("Null characters and unpaired surrogates are not allowed.")


def find_unstorable(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string (a value or a key) in `value` that PostgreSQL cannot
    store, or None. `path` names the top-level field; list items are numbered."""
    if isinstance(value, str):
        return (path or "non_field_errors") if _UNSTORABLE.search(value) else None
    if isinstance(value, Mapping):
        for key, item in value.items():
            key_text = str(key)
            where = f"{path}.{key_text}" if path else key_text
            if _UNSTORABLE.search(key_text):
                return path or "non_field_errors"
            found = find_unstorable(item, where)
            if found is not None:
                return found
        return None
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = find_unstorable(item, f"{path}.{index}" if path else str(index))
            if found is not None:
                return found
    return None


def reject_unstorable(value: Any, path: str = "") -> None:
    """Raise DRF's ValidationError naming the field that holds an unstorable character."""
    where = find_unstorable(value, path)
    if where is not None:
        # The top-level field name is what a client maps back to its form.
        raise ValidationError({where.split(".", 1)[0]: [unstorable_message()]})


def _querydict_items(data: Any) -> Any:
    lists = getattr(data, "lists", None)
    return dict(lists()) if lists is not None else data


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        reject_unstorable(data)
        return data


class FormParser(parsers.FormParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        reject_unstorable(_querydict_items(data))
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        result = super().parse(stream, media_type, parser_context)
        reject_unstorable(_querydict_items(result.data))
        for name, upload in result.files.items():
            if _UNSTORABLE.search(str(getattr(upload, "name", "") or "")):
                raise ValidationError({name: [unstorable_message()]})
        return result


class UnstorableCharactersMiddleware:
    """A URL whose path or query string holds a NUL character is bad input (400), for pages and
    the API alike: no lookup, filter or search ever sees it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = None
        if _UNSTORABLE.search(request.path):
            where = "path"
        else:
            where = find_unstorable(_querydict_items(request.GET))
        if where is None:
            return self.get_response(request)
        field = where.split(".", 1)[0]
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "code": "invalid",
                    "detail": f"{field}: {unstorable_message()}",
                    "fields": {field: [unstorable_message()]},
                },
                status=400,
            )
        return render(
            request,
            "400.html",
            {
                "detail": _("%(field)s: %(message)s")
                % {"field": field, "message": unstorable_message()}
            },
            status=400,
        )


def within_length(model: Any, model_field: str, value: str, *, field: str | None = None) -> str:
    """`value`, or bad input naming `field` when it is longer than the model field's max_length
    (PostgreSQL refuses it at INSERT; a service checks first, so a page or API call that skipped
    a form or serializer limit is still a 400 and not a server error)."""
    from .errors import ApplicationError

    limit = model._meta.get_field(model_field).max_length
    if limit is not None and len(value) > limit:
        message = _("At most %(limit)d characters (this has %(length)d).") % {
            "limit": limit,
            "length": len(value),
        }
        raise ApplicationError(message, fields={field or model_field: [message]})
    return value
