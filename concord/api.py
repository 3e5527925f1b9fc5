"""What every API view shares: the error body, pagination, session auth behind the second factor."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import InvalidPage
from django.db import InterfaceError, OperationalError
from django.db.models import IntegerField
from django.http import Http404
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, routers, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import ApplicationError
from .paging import CappedCountPaginator

logger = logging.getLogger("concord.api")


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


class CappedCountPagination(Pagination):
    """Page-number pagination for lists that grow without bound: `count` is exact up to 1,000
    (settings.CONCORD_LIST_COUNT_CAP) rows past the start of the page asked for, and a lower
    bound beyond, which `count_capped` says (concord.paging). `next` and `previous` work as
    everywhere else."""

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        self.request = request
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        number = request.query_params.get(self.page_query_param) or 1
        paginator = CappedCountPaginator(queryset, page_size, number=number)
        self.capped_paginator = paginator
        page_number = self.get_page_number(request, paginator)
        try:
            self.page = paginator.page(page_number)
        except InvalidPage as exc:
            raise exceptions.NotFound(
                self.invalid_page_message.format(page_number=page_number, message=str(exc))
            ) from exc
        return list(self.page)

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "count": self.capped_paginator.count,
                "count_capped": self.capped_paginator.count_capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paginated = super().get_paginated_response_schema(schema)
        paginated["required"] = ["count", "count_capped", "results"]
        paginated["properties"]["count"] = {
            "type": "integer",
            "example": 123,
            "description": "The number of rows, exact up to 1,000 rows past the start of this "
            "page; when `count_capped` is true there are more, and `count` is that lower bound "
            "(the next pages count further).",
        }
        paginated["properties"] = {
            "count": paginated["properties"]["count"],
            "count_capped": {
                "type": "boolean",
                "description": "True when `count` is a lower bound (more rows follow).",
            },
            **{k: v for k, v in paginated["properties"].items() if k != "count"},
        }
        return paginated


def _fields_from(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            str(k): [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in detail.items()
        }
    return {
        "non_field_errors": [str(m) for m in (detail if isinstance(detail, list) else [detail])]
    }


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Map every error to `{"code", "detail", "fields"}`; never a stack trace or SQL."""
    if isinstance(exc, ApplicationError):
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, TransitionNotAllowed):
        return Response(
            {
                "code": "transition_not_allowed",
                "detail": str(exc) or _("This step is not allowed now."),
                "fields": {},
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, ConcurrentTransition):
        return Response(
            {
                "code": "conflict",
                "detail": _("Someone else changed this first; reload and retry."),
                "fields": {},
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, (OperationalError, InterfaceError)):
        # The database is unreachable (restarting, failing over) or refused the work for a
        # moment; the connection is dropped at the end of the request and the next one connects
        # afresh (CONN_HEALTH_CHECKS). Only the exception's class is logged: never SQL or data.
        logger.warning("database unavailable: %s", type(exc).__name__)
        unavailable = Response(
            {
                "code": "service_unavailable",
                "detail": _("The service is briefly unavailable; retry in a moment."),
                "fields": {},
            },
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
        unavailable["Retry-After"] = "5"
        return unavailable
    if isinstance(exc, DjangoValidationError):
        fields = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        return Response(
            {"code": "invalid", "detail": "; ".join(exc.messages), "fields": fields},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    if isinstance(exc, exceptions.ValidationError):
        fields = _fields_from(detail)
        first = next(iter(fields.items()))
        response.data = {
            "code": "invalid",
            "detail": f"{first[0]}: {first[1][0]}"
            if first[0] != "non_field_errors"
            else first[1][0],
            "fields": fields,
        }
    elif isinstance(detail, dict) and "code" in detail and "detail" in detail:
        response.data = {"code": str(detail["code"]), "detail": str(detail["detail"]), "fields": {}}
    else:
        code = getattr(exc, "default_code", "error")
        text = detail.get("detail", detail) if isinstance(detail, dict) else detail
        response.data = {
            "code": str(getattr(text, "code", code) or code),
            "detail": str(text),
            "fields": {},
        }
    return response


class ApiErrorSerializer(serializers.Serializer):
    """The body of every error response (see exception_handler)."""

    code = serializers.CharField(help_text="Stable machine-readable code, e.g. a guard's name.")
    detail = serializers.CharField(help_text="What went wrong, for a person.")
    # DRF's metaclass moves declared fields off the class, so this does not shadow
    # Serializer.fields at run time; the stubs cannot know that.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Per-field messages when input was at fault.",
    )


_ERROR_TEXT = {
    400: "Invalid input: `fields` names each field at fault; nothing was changed.",
    401: "No valid credentials (session with second factor, or `Authorization: Token <key>`).",
    403: "Authenticated, but not allowed to do this.",
    404: "No such object, or not visible to you.",
    409: "Refused: `code` names the guard or the conflict; nothing was changed.",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """`@extend_schema(responses={200: X, **error_responses(400, 403, 404)})`."""
    return {
        code: OpenApiResponse(ApiErrorSerializer, description=_ERROR_TEXT[code]) for code in codes
    }


class _IntegerLookupMixin:
    """Object paths take an integer key unless the viewset says otherwise (lookup_value_regex),
    so `/api/cases/abc/` is a 404 at URL resolution instead of a lookup that fails inside a
    view (`int('abc')`) as a server error."""

    def get_lookup_regex(self, viewset: Any, lookup_prefix: str = "") -> str:
        lookup_field = getattr(viewset, "lookup_field", "pk")
        model = getattr(getattr(viewset, "queryset", None), "model", None) or getattr(
            getattr(getattr(viewset, "serializer_class", None), "Meta", None), "model", None
        )
        integer_key = model is None or isinstance(model._meta.pk, IntegerField)
        if (
            integer_key
            and lookup_field in ("pk", "id")
            and not hasattr(viewset, "lookup_value_regex")
        ):
            lookup_url_kwarg = getattr(viewset, "lookup_url_kwarg", None) or lookup_field
            return f"(?P<{lookup_prefix}{lookup_url_kwarg}>[0-9]+)"
        return super().get_lookup_regex(viewset, lookup_prefix)  # type: ignore[misc]


class Router(_IntegerLookupMixin, routers.SimpleRouter):
    """Every app's API router (see _IntegerLookupMixin)."""


class DefaultRouter(_IntegerLookupMixin, routers.DefaultRouter):
    """A router with an API root view (see _IntegerLookupMixin)."""
