"""Every error maps to {"code", "detail", "fields"} in the API and to a message on pages."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from rest_framework import exceptions

from concord.api import exception_handler
from concord.errors import ApplicationError, Conflict, GuardFailed
from concord.web import page_action


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (ApplicationError("Bad date.", fields={"date": ["Too early."]}), 400, "invalid"),
        (GuardFailed("asylum_pending", "An asylum claim is pending."), 409, "asylum_pending"),
        (Conflict("Changed meanwhile."), 409, "conflict"),
        (TransitionNotAllowed("Cannot accept now."), 409, "transition_not_allowed"),
        (ConcurrentTransition("raced"), 409, "conflict"),
        (DjangoValidationError({"name": ["Required."]}), 400, "invalid"),
        (Http404(), 404, "not_found"),
        (PermissionDenied(), 403, "permission_denied"),
        (exceptions.ValidationError({"role": ["Not a role."]}), 400, "invalid"),
        (exceptions.NotAuthenticated(), 401, "not_authenticated"),
        (OperationalError("could not connect to server"), 503, "service_unavailable"),
    ],
)
def test_api_error_bodies(exc, status, code):
    response = exception_handler(exc, {})
    assert response is not None
    assert response.status_code == status
    assert set(response.data) >= {"code", "detail", "fields"}
    assert response.data["code"] == code
    assert "Traceback" not in str(response.data)
    assert "connect" not in str(response.data)


def test_api_error_fields_name_the_field():
    body = exception_handler(exceptions.ValidationError({"role": ["Not a role."]}), {}).data
    assert body["fields"] == {"role": ["Not a role."]}
    assert body["detail"] == "role: Not a role."
    guard = exception_handler(ApplicationError("Bad.", fields={"date": ["Too early."]}), {}).data
    assert guard["fields"] == {"date": ["Too early."]}


def test_unexpected_errors_are_left_to_the_500_handler():
    assert exception_handler(RuntimeError("SELECT secret"), {}) is None


@pytest.mark.django_db
def test_page_action_turns_a_refusal_into_a_message():
    @page_action
    def view(request):
        raise GuardFailed("child_needs_guardian", "A guardian must be appointed first.")

    request = RequestFactory().post("/x/", HTTP_REFERER="/cases/1/")
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore

    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    response: HttpResponse = view(request)
    assert response.status_code == 302
    assert response["Location"] == "/cases/1/"
    assert [str(m) for m in get_messages(request)] == ["A guardian must be appointed first."]
