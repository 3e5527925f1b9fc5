"""Pages: a body's meetings, action board, plan progress, the Framework for Action.

Views read through selectors (what is not visible is 404), parse with forms, and call services;
refusals come back as a message on the page (concord.web.page_action).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from concord.errors import ApplicationError
from concord.web import page_action
from coordination.work.models import AgendaItem, MeasureIndicator, Meeting, PlanMeasure, PlanState

from . import forms, services
from .permissions import (
    can_edit_body,
    can_report_on_measure,
    can_work_on_item,
    seats_of,
)
from .selectors import (
    action_board,
    action_items_visible_to,
    bodies_visible_to,
    body_member_seats,
    framework_rows,
    meeting_detail,
    meetings_visible_to,
    plan_progress,
    plans_visible_to,
)


def _back_to(request: HttpRequest, url_name: str, pk: int) -> None:
    """Where a refused action returns (page_action goes back to the referring page)."""
    request.META.setdefault("HTTP_REFERER", reverse(url_name, kwargs={"pk": pk}))


def _posted_pk(request: HttpRequest, name: str) -> int:
    """The id a form posts under `name`; anything but a number is a 404 (no such object)."""
    value = request.POST.get(name, "")
    if not (value.isascii() and value.isdigit() and len(value) <= 18):
        raise Http404
    return int(value)


def _valid(form: Any) -> dict[str, Any]:
    if not form.is_valid():
        fields = {k: [str(m) for m in v] for k, v in form.errors.items()}
        raise ApplicationError(_("Please correct the form."), fields=fields)
    return form.cleaned_data


# --- bodies --------------------------------------------------------------------------------------


@login_required
def work_index(request: HttpRequest) -> HttpResponse:
    bodies = bodies_visible_to(user=request.user).order_by("name")
    return render(request, "work/index.html", {"bodies": bodies})


@login_required
def body_detail(request: HttpRequest, pk: int) -> HttpResponse:
    body = get_object_or_404(bodies_visible_to(user=request.user), pk=pk)
    meetings = meetings_visible_to(user=request.user).filter(body=body).order_by("-starts_at")
    plans = plans_visible_to(user=request.user).filter(body=body)
    return render(
        request,
        "work/body.html",
        {
            "body": body,
            "seats": body_member_seats(body=body),
            "my_seats": seats_of(request.user, body),
            "meetings": meetings,
            "plans": plans,
            "can_edit": can_edit_body(request.user, body),
            "meeting_form": forms.MeetingForm(),
            "plan_form": forms.PlanForm(),
            "year": timezone.localdate().year,
            "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
        },
    )


@login_required
@require_POST
@page_action
def meeting_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    body = get_object_or_404(bodies_visible_to(user=request.user), pk=pk)
    _back_to(request, "work:body", body.pk)
    data = _valid(forms.MeetingForm(request.POST))
    meeting = services.meeting_schedule(
        body=body,
        title=data["title"],
        starts_at=data["starts_at"],
        place=data["place"],
        call_link=data["call_link"],
        agenda=data["agenda"].splitlines(),
        actor=request.user,
    )
    messages.success(request, _("Meeting scheduled."))
    return redirect("work:meeting", pk=meeting.pk)


@login_required
def action_board_page(request: HttpRequest, pk: int) -> HttpResponse:
    body = get_object_or_404(bodies_visible_to(user=request.user), pk=pk)
    return render(
        request,
        "work/board.html",
        {"body": body, "columns": action_board(body=body, user=request.user)},
    )


# --- meetings ------------------------------------------------------------------------------------


def _meeting_for(request: HttpRequest, pk: int) -> Meeting:
    return get_object_or_404(meetings_visible_to(user=request.user), pk=pk)


@login_required
def meeting_page(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_detail(meeting=_meeting_for(request, pk))
    body = meeting.body
    return render(
        request,
        "work/meeting.html",
        {
            "meeting": meeting,
            "body": body,
            "can_edit": can_edit_body(request.user, body),
            "details_form": forms.MeetingDetailsForm(meeting=meeting),
            "agenda_form": forms.AgendaItemForm(),
            "attendance_form": forms.AttendanceForm(body=body),
            "minutes_form": forms.MinutesForm(initial={"minutes": meeting.minutes}),
            "decision_form": forms.DecisionForm(body=body),
        },
    )


@login_required
@require_POST
@page_action
def meeting_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    meeting = _meeting_for(request, pk)
    _back_to(request, "work:meeting", meeting.pk)
    user = request.user
    if action == "details":
        form = forms.MeetingDetailsForm(request.POST, meeting=meeting)
        _valid(form)
        services.meeting_update_details(meeting=meeting, actor=user, **form.changes())
    elif action == "agenda":
        data = _valid(forms.AgendaItemForm(request.POST))
        services.agenda_item_add(meeting=meeting, title=data["title"], actor=user)
    elif action == "agenda-remove":
        item = get_object_or_404(AgendaItem, pk=_posted_pk(request, "item"), meeting=meeting)
        services.agenda_item_remove(item=item, actor=user)
    elif action == "agenda-move":
        order = list(meeting.agenda_items.order_by("position", "id").values_list("pk", flat=True))
        moved = _posted_pk(request, "item")
        if moved not in order:
            raise Http404
        at = order.index(moved)
        to = at - 1 if request.POST.get("direction") == "up" else at + 1
        if 0 <= to < len(order):
            order[at], order[to] = order[to], order[at]
        services.agenda_items_reorder(meeting=meeting, order=order, actor=user)
    elif action == "attendance":
        data = _valid(forms.AttendanceForm(request.POST, body=meeting.body))
        services.attendance_record(
            meeting=meeting,
            organisation=data["organisation"],
            status=data["status"],
            representatives=data["representatives"],
            actor=user,
        )
    elif action == "hold":
        services.meeting_hold(meeting=meeting, actor=user)
    elif action == "cancel":
        data = _valid(forms.ReasonForm(request.POST))
        services.meeting_cancel(meeting=meeting, reason=data["reason"], actor=user)
    elif action == "minutes":
        data = _valid(forms.MinutesForm(request.POST))
        services.minutes_save(meeting=meeting, minutes=data["minutes"], actor=user)
    elif action == "approve":
        services.meeting_approve_minutes(meeting=meeting, actor=user)
    elif action == "decision":
        data = _valid(forms.DecisionForm(request.POST, body=meeting.body))
        items = []
        if data["item_description"]:
            items.append(
                {
                    "owner": data["item_owner"],
                    "description": data["item_description"],
                    "due_on": data["item_due_on"],
                    "measure": data["item_measure"],
                }
            )
        services.decision_record(meeting=meeting, text=data["text"], action_items=items, actor=user)
    else:
        raise Http404
    messages.success(request, _("Saved."))
    return redirect("work:meeting", pk=meeting.pk)


# --- action items --------------------------------------------------------------------------------


@login_required
def action_item_page(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        action_items_visible_to(user=request.user).prefetch_related("events__actor"), pk=pk
    )
    return render(
        request,
        "work/item.html",
        {
            "item": item,
            "can_work": can_work_on_item(request.user, item)
            or can_edit_body(request.user, item.body_id),
            "can_edit": can_edit_body(request.user, item.body_id),
            "complete_form": forms.CompleteForm(),
            "cancel_form": forms.CancelItemForm(),
        },
    )


@login_required
@require_POST
@page_action
def action_item_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    item = get_object_or_404(action_items_visible_to(user=request.user), pk=pk)
    _back_to(request, "work:item", item.pk)
    if action == "start":
        services.action_item_start(item=item, actor=request.user)
    elif action == "complete":
        data = _valid(forms.CompleteForm(request.POST, request.FILES))
        services.action_item_complete(
            item=item,
            evidence_link=data["evidence_link"],
            evidence_file=data["evidence_file"],
            note=data["note"],
            actor=request.user,
        )
    elif action == "cancel":
        data = _valid(forms.CancelItemForm(request.POST))
        services.action_item_cancel(item=item, grounds=data["grounds"], actor=request.user)
    else:
        raise Http404
    messages.success(request, _("Saved."))
    return redirect("work:item", pk=item.pk)


# --- plans ---------------------------------------------------------------------------------------


@login_required
@require_POST
@page_action
def plan_create(request: HttpRequest, pk: int) -> HttpResponse:
    body = get_object_or_404(bodies_visible_to(user=request.user), pk=pk)
    _back_to(request, "work:body", body.pk)
    data = _valid(forms.PlanForm(request.POST))
    plan = services.action_plan_create(body=body, actor=request.user, **data)
    return redirect("work:plan", pk=plan.pk)


@login_required
def plan_page(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(plans_visible_to(user=request.user), pk=pk)
    pillars = plan_progress(plan=plan)
    can_edit = can_edit_body(request.user, plan.body_id)
    reportable = {
        mp.measure.pk
        for p in pillars
        for mp in p.measures
        if can_edit or can_report_on_measure(request.user, mp.measure)
    }
    late = [mp for p in pillars for mp in p.measures if mp.is_late]
    return render(
        request,
        "work/plan.html",
        {
            "plan": plan,
            "pillars": pillars,
            "late": late,
            "can_edit": can_edit,
            "editable": plan.state in (PlanState.DRAFT, PlanState.UNDER_REVIEW),
            "reporting_open": plan.state
            in (PlanState.ADOPTED, PlanState.IN_IMPLEMENTATION, PlanState.UNDER_REVIEW),
            "reportable": reportable,
            "measure_form": forms.MeasureForm(),
            "indicator_form": forms.with_choices_read_once(forms.IndicatorForm()),
            "progress_form": forms.ProgressForm(initial={"reported_on": timezone.localdate()}),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
@page_action
def plan_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    plan = get_object_or_404(plans_visible_to(user=request.user), pk=pk)
    _back_to(request, "work:plan", plan.pk)
    user = request.user
    target = plan
    if action == "measure":
        data = _valid(forms.MeasureForm(request.POST))
        services.plan_measure_add(plan=plan, actor=user, **data)
    elif action == "measure-edit":
        measure = get_object_or_404(PlanMeasure, pk=_posted_pk(request, "measure"), plan=plan)
        form = forms.MeasureEditForm(request.POST, measure=measure)
        _valid(form)
        services.plan_measure_update(measure=measure, actor=user, **form.changes())
    elif action == "indicator":
        measure = get_object_or_404(PlanMeasure, pk=_posted_pk(request, "measure"), plan=plan)
        data = _valid(forms.IndicatorForm(request.POST))
        services.measure_indicator_add(measure=measure, actor=user, **data)
    elif action == "progress":
        indicator = get_object_or_404(
            MeasureIndicator, pk=_posted_pk(request, "indicator"), measure__plan=plan
        )
        data = _valid(forms.ProgressForm(request.POST, request.FILES))
        services.progress_report_add(indicator=indicator, actor=user, **data)
    elif action == "adopt":
        services.action_plan_adopt(plan=plan, actor=user)
    elif action == "start":
        services.action_plan_start_implementation(plan=plan, actor=user)
    elif action == "review":
        services.action_plan_open_review(plan=plan, actor=user)
    elif action == "close_review":
        services.action_plan_close_review(
            plan=plan, notes=request.POST.get("notes", ""), actor=user
        )
    elif action == "update":
        target = services.action_plan_update(
            plan=plan, notes=request.POST.get("notes", ""), actor=user
        )
    else:
        raise Http404
    messages.success(request, _("Saved."))
    return redirect("work:plan", pk=target.pk)


@login_required
def framework_page(request: HttpRequest) -> HttpResponse:
    return render(request, "work/framework.html", {"rows": framework_rows()})
