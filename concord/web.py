"""What every page view shares: turning refused actions into a message instead of an error page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from .errors import ApplicationError


def action_error_message(exc: Exception) -> str:
    if isinstance(exc, ApplicationError):
        if exc.fields:
            details = "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.fields.items())
            return f"{exc.message} ({details})"
        return exc.message
    if isinstance(exc, ConcurrentTransition):
        return _("Someone else changed this first; the page shows the current state.")
    if isinstance(exc, TransitionNotAllowed):
        return _("This step is not allowed in the current state.")
    return _("The action could not be completed.")


def page_action(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Run a POST action; a refused action shows its message and goes back to the page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except (ApplicationError, TransitionNotAllowed, ConcurrentTransition) as exc:
            messages.error(request, action_error_message(exc))
            back = request.META.get("HTTP_REFERER") or request.path
            return HttpResponseRedirect(back)

    return wrapper
