"""Pages of return procedures: the list, a procedure (timeline, guard checklist, risk assessment
with both States' parts, decision, travel and handover, reintegration plan, monitoring), the request
form. Views hold no rules: reads through selectors,
writes through the services (the action table shared with the API)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_fsm import ConcurrentTransition, TransitionNotAllowed
from rest_framework.exceptions import ValidationError as DrfValidationError

from concord.errors import ApplicationError
from concord.web import action_error_message, page_action
from coordination.models import STATE_KINDS, Country, Organisation
from workflows.cases.selectors import cases_owned_by
from workflows.returns import actions as return_actions
from workflows.returns.models import (
    AlternativeKind,
    ReceptionKind,
    ReturnRiskFactor,
    ReturnState,
    ServiceKind,
    ServiceStatus,
    TravelDocumentKind,
)
from workflows.returns.risk import DERIVATION_TEXT, RATING_CHOICES, SCALE_TEXT
from workflows.returns.schedule import OUTCOME_CHOICES
from workflows.returns.selectors import return_detail, return_get_visible, returns_visible_to
from workflows.returns.services import return_request

STATE_LABELS = dict(ReturnState.choices)


@login_required
@require_GET
def return_list(request: HttpRequest) -> HttpResponse:
    qs = returns_visible_to(user=request.user).order_by("-requested_at", "-id")
    state = request.GET.get("state", "")
    if state in STATE_LABELS:
        qs = qs.filter(state=state)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "returns/list.html",
        {"page": page, "states": ReturnState.choices, "state": state},
    )


def _first_errors(fields: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in fields.items():
        if isinstance(value, dict):
            for sub, msgs in _first_errors(value).items():
                out[f"{key}.{sub}"] = msgs
        else:
            out[key] = [str(m) for m in (value if isinstance(value, list) else [value])]
    return out


@login_required
@require_http_methods(["GET", "POST"])
@page_action
def return_new(request: HttpRequest) -> HttpResponse:
    cases = cases_owned_by(user=request.user).order_by("-created_at")[:200]
    if request.method == "POST":
        from workflows.returns.api.views import ReturnRequestSerializer

        serializer = ReturnRequestSerializer(data=request.POST)
        if not serializer.is_valid():
            raise ApplicationError(
                _("Check the form."), fields=_first_errors(dict(serializer.errors))
            )
        data = dict(serializer.validated_data)
        case = cases_owned_by(user=request.user).filter(pk=data.pop("case")).first()
        if case is None:
            raise ApplicationError(
                _("Choose a case your organisation holds."), fields={"case": [_("Unknown case.")]}
            )
        procedure = return_request(case=case, actor=request.user, **data)
        messages.success(
            request, _("Return procedure %(ref)s requested.") % {"ref": procedure.reference}
        )
        return HttpResponseRedirect(reverse("returns:return-detail", args=[procedure.pk]))
    authorities = (
        Organisation.objects.filter(is_active=True, kind__in=list(STATE_KINDS))
        .select_related("country")
        .order_by("country__name", "name")
    )
    return render(
        request,
        "returns/new.html",
        {
            "cases": cases,
            "countries": Country.objects.all(),
            "authorities": authorities,
        },
    )


@login_required
@require_GET
def return_page(request: HttpRequest, pk: int) -> HttpResponse:
    procedure = return_get_visible(user=request.user, pk=pk)
    detail = return_detail(user=request.user, procedure=procedure)
    is_child = detail["case"]["is_child"]
    factors = [f for f in ReturnRiskFactor.objects.all() if is_child or not f.child_only]
    orgs = (
        Organisation.objects.filter(is_active=True)
        .filter(country_id__in=[procedure.returning_country_id, procedure.receiving_country_id])
        .order_by("country_id", "name")
    )
    return render(
        request,
        "returns/detail.html",
        {
            "procedure": procedure,
            "d": detail,
            "failing": [c for c in detail["checklist"] if not c["holds"]],
            "factors": factors,
            "ratings": RATING_CHOICES,
            "scale_text": SCALE_TEXT,
            "derivation_text": DERIVATION_TEXT.format(
                count=detail["risk_policy"]["escalation_count"],
                critical=", ".join(detail["risk_policy"]["critical_factors"]),
            ),
            "alternatives": AlternativeKind.choices,
            "reception_kinds": ReceptionKind.choices,
            "service_kinds": ServiceKind.choices,
            "service_statuses": ServiceStatus.choices,
            "document_kinds": TravelDocumentKind.choices,
            "outcomes": OUTCOME_CHOICES,
            "orgs": orgs,
            "countries": Country.objects.all(),
            "actions": return_actions.ACTIONS,
        },
    )


@login_required
@require_POST
def return_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Run one action; a refusal shows its message (the guard's rule and seed) on the page."""
    procedure = return_get_visible(user=request.user, pk=pk)
    back = HttpResponseRedirect(reverse("returns:return-detail", args=[procedure.pk]))
    if action not in return_actions.ACTIONS:
        messages.error(request, _("Unknown action."))
        return back
    try:
        return_actions.run_action(
            action, procedure=procedure, actor=request.user, data=request.POST
        )
    except DrfValidationError as exc:
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        error = ApplicationError(_("Check the form."), fields=_first_errors(dict(detail)))
        messages.error(request, action_error_message(error))
    except (ApplicationError, TransitionNotAllowed, ConcurrentTransition) as exc:
        messages.error(request, action_error_message(exc))
    else:
        messages.success(
            request, _("Done: %(what)s.") % {"what": return_actions.ACTIONS[action].label}
        )
    return back
