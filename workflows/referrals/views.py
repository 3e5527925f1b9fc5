"""Referral pages: inbox and outbox (keyed visibility rows, fixed query count), the referral page
with its actions, and the form that refers a case. Rules live in the services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from concord.errors import ApplicationError
from concord.paging import CappedCountPaginator
from concord.web import page_action
from coordination.models import Organisation, Service
from workflows.cases.models import Case
from workflows.cases.permissions import can_work_on_case
from workflows.cases.selectors import cases_visible_to

from . import services
from .models import Box, DeclineReason, Referral, ReferralState, Urgency
from .permissions import is_referral_receiver_worker, is_referral_sender_worker
from .selectors import referral_case_visible, referral_events, referral_get_visible, referral_list


def _box(request: HttpRequest, box: str) -> HttpResponse:
    state = request.GET.get("state") or None
    urgency = request.GET.get("urgency") or None
    overdue = request.GET.get("overdue") == "1"
    rows = referral_list(
        user=request.user,
        box=box,
        state=state if state in ReferralState.values else None,
        urgency=urgency if urgency in Urgency.values else None,
        overdue=overdue,
    )
    number = request.GET.get("page")
    # The count stops 1,000 rows past this page ("page 1 of 20+"): counting a busy
    # organisation's whole inbox is the one cost of this page that grows with the data.
    page = CappedCountPaginator(rows, 50, number=number).get_page(number)
    return render(
        request,
        "referrals/list.html",
        {
            "box": box,
            "page": page,
            "states": ReferralState.choices,
            "urgencies": Urgency.choices,
            "state": state or "",
            "urgency": urgency or "",
            "overdue": overdue,
        },
    )


@login_required
def referral_inbox(request: HttpRequest) -> HttpResponse:
    return _box(request, Box.INBOX)


@login_required
def referral_outbox(request: HttpRequest) -> HttpResponse:
    return _box(request, Box.OUTBOX)


def _visible(request: HttpRequest, pk: int) -> Referral:
    try:
        return referral_get_visible(user=request.user, pk=pk)
    except Referral.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = _visible(request, pk)
    return render(
        request,
        "referrals/detail.html",
        {
            "referral": referral,
            "case_visible": referral_case_visible(user=request.user, referral=referral),
            "is_sender": is_referral_sender_worker(request.user, referral),
            "is_receiver": is_referral_receiver_worker(request.user, referral),
            "events": referral_events(referral=referral),
            "decline_reasons": DeclineReason.choices,
        },
    )


ACTIONS = {
    "submit": lambda r, u, p: services.referral_submit(referral=r, actor=u),
    "resubmit": lambda r, u, p: services.referral_resubmit(
        referral=r, actor=u, answer=p.get("text", "")
    ),
    "accept": lambda r, u, p: services.referral_accept(referral=r, actor=u),
    "decline": lambda r, u, p: services.referral_decline(
        referral=r, actor=u, reason=p.get("reason", ""), text=p.get("text", "")
    ),
    "request-information": lambda r, u, p: services.referral_request_information(
        referral=r, actor=u, question=p.get("question", "")
    ),
    "start": lambda r, u, p: services.referral_start(referral=r, actor=u),
    "complete": lambda r, u, p: services.referral_complete(
        referral=r, actor=u, outcome=p.get("text", "")
    ),
    "withdraw": lambda r, u, p: services.referral_withdraw(
        referral=r, actor=u, reason=p.get("text", "")
    ),
}


@login_required
@require_POST
@page_action
def referral_act(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    if verb not in ACTIONS:
        raise Http404
    referral = _visible(request, pk)
    ACTIONS[verb](referral, request.user, request.POST)
    messages.success(request, _("Done."))
    return redirect("referrals:referral-detail", pk=referral.pk)


def _receivers(case: Case) -> Any:
    return (
        Organisation.objects.filter(is_active=True)
        .exclude(pk=case.owner_id)
        .select_related("country")
        .prefetch_related("services")
        .order_by("country__name", "name")
    )


@login_required
@require_http_methods(["GET", "POST"])
def referral_new(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = cases_visible_to(user=request.user).filter(pk=case_pk).select_related("owner").first()
    if case is None:
        raise Http404
    if not can_work_on_case(request.user, case):
        # the case is visible (its summary): not hidden, but not theirs to refer
        raise PermissionDenied(_("Only the holding organisation's case workers refer a case."))
    form: dict[str, Any] = {
        "receiver": request.POST.get("receiver", ""),
        "services": request.POST.getlist("services"),
        "urgency": request.POST.get("urgency", Urgency.ROUTINE),
        "needs": request.POST.get("needs", ""),
    }
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        receiver_id = str(form["receiver"])
        receiver = (
            Organisation.objects.filter(pk=int(receiver_id), is_active=True).first()
            if receiver_id.isdigit()
            else None
        )
        if receiver is None:
            errors["receiver"] = [_("Choose the receiving organisation.")]
        else:
            try:
                referral = services.referral_create(
                    case=case,
                    receiver=receiver,
                    actor=request.user,
                    services=form["services"],
                    urgency=form["urgency"],
                    needs=form["needs"],
                )
                if "submit" in request.POST:
                    try:
                        services.referral_submit(referral=referral, actor=request.user)
                    except ApplicationError as exc:
                        messages.error(
                            request,
                            _("Saved as a draft, not submitted: %(why)s") % {"why": exc.message},
                        )
                        return redirect("referrals:referral-detail", pk=referral.pk)
                messages.success(request, _("Referral saved."))
                return redirect("referrals:referral-detail", pk=referral.pk)
            except ApplicationError as exc:
                errors = exc.fields or {"form": [exc.message]}
                if exc.fields:
                    errors["form"] = [exc.message]
    return render(
        request,
        "referrals/new.html",
        {
            "case": case,
            "receivers": _receivers(case),
            "services": Service.objects.all(),
            "urgencies": Urgency.choices,
            "form": form,
            "errors": errors,
        },
        status=400 if errors else 200,
    )
