"""Error pages and bodies: never a stack trace, SQL or a setting; JSON under /api/."""

from __future__ import annotations

import sys
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def _api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _error(request: HttpRequest, status: int, code: str, detail: str) -> HttpResponse:
    if _api(request):
        return JsonResponse({"code": code, "detail": detail, "fields": {}}, status=status)
    return render(request, f"{status}.html", {"detail": detail}, status=status)


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(request, 400, "bad_request", _("The request could not be understood."))


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(request, 403, "permission_denied", _("You are not allowed to do this."))


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error(request, 404, "not_found", _("There is nothing here, or not for you."))


def _database_unavailable() -> bool:
    """Django calls handler500 inside its `except` block: the exception being handled is here."""
    from django.db import InterfaceError, OperationalError

    return isinstance(sys.exc_info()[1], (OperationalError, InterfaceError))


def server_error(request: HttpRequest) -> HttpResponse:
    # No template context processors beyond the basics: the error may come from the database.
    if _database_unavailable():
        # Unreachable or restarting database (seen before any view ran, e.g. loading the
        # session): a 503 the client may retry, not a 500 that says our code failed.
        response = _unavailable(request)
        response["Retry-After"] = "5"
        return response
    if _api(request):
        return JsonResponse(
            {
                "code": "server_error",
                "detail": _("Something went wrong on our side; it has been logged."),
                "fields": {},
            },
            status=500,
        )
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)


def _unavailable(request: HttpRequest) -> HttpResponse:
    if _api(request):
        return JsonResponse(
            {
                "code": "service_unavailable",
                "detail": _("The service is briefly unavailable; retry in a moment."),
                "fields": {},
            },
            status=503,
        )
    from django.template import loader

    return HttpResponse(loader.get_template("503.html").render(), status=503)
