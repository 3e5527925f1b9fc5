"""Pages of the directory: dashboard, organisations, coordination bodies, member management."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from concord.errors import ApplicationError
from concord.web import action_error_message

from . import selectors, services
from .dashboard import render_panels
from .forms import (
    DirectoryFilterForm,
    MemberAddForm,
    MemberChangeForm,
    MemberCreateForm,
    MemberEndForm,
)
from .models import CoordinationBody, Membership, Organisation, Seat
from .permissions import can_manage_members

DIRECTORY_PAGE_SIZE = 25
SEAT_ORDER: dict[str, int] = {Seat.CHAIR: 0, Seat.SECRETARIAT: 1, Seat.MEMBER: 2, Seat.OBSERVER: 3}


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    panels = render_panels(request)
    others = [p for p in panels if not p.key.startswith("coordination-")]
    return render(
        request, "coordination/dashboard.html", {"panels": panels, "only_directory": not others}
    )


@require_GET
@login_required
def directory(request: HttpRequest) -> HttpResponse:
    form = DirectoryFilterForm(request.GET or None)
    filters = {"search": "", "country": "", "kind": "", "service": ""}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "search": data["q"].strip(),
            "country": data["country"],
            "kind": data["kind"],
            "service": data["service"],
        }
    elif request.GET:
        messages.error(request, _("A filter value was not recognised; showing everything."))
    page = Paginator(selectors.organisations_directory(**filters), DIRECTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "coordination/directory.html",
        {"form": form, "page": page, "query": query.urlencode(), "filtered": any(filters.values())},
    )


def _visible_organisation(pk: int) -> Organisation:
    try:
        return selectors.organisation_detail(pk=pk)
    except Organisation.DoesNotExist as exc:
        raise Http404 from exc


@require_GET
@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _visible_organisation(pk)
    return render(
        request,
        "coordination/organisation_detail.html",
        {
            "organisation": organisation,
            "members": selectors.organisation_members(organisation=organisation),
            "seats": organisation.seats.all(),
            "show_private": selectors.can_see_private_contacts(
                user=request.user, organisation=organisation
            ),
            "can_manage": can_manage_members(request.user, organisation),
        },
    )


def _manageable(request: HttpRequest, pk: int) -> Organisation:
    organisation = _visible_organisation(pk)
    if not can_manage_members(request.user, organisation):
        raise PermissionDenied
    return organisation


@require_GET
@login_required
def members(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _manageable(request, pk)
    return _members_page(request, organisation)


def _members_page(
    request: HttpRequest, organisation: Organisation, *, status: int = 200, **forms: Any
) -> HttpResponse:
    context = {
        "organisation": organisation,
        "members": selectors.organisation_members(organisation=organisation, include_ended=True),
        "events": selectors.membership_events(organisation=organisation),
        "add_form": forms.get("add_form") or MemberAddForm(),
        "create_form": forms.get("create_form") or MemberCreateForm(),
        "change_form": MemberChangeForm(),
    }
    return render(request, "coordination/members.html", context, status=status)


@require_POST
@login_required
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _manageable(request, pk)
    form = MemberAddForm(request.POST)
    if not form.is_valid():
        return _members_page(request, organisation, status=400, add_form=form)
    user = get_user_model().objects.filter(username=form.cleaned_data["username"]).first()
    if user is None:
        form.add_error("username", _("No account has this username."))
        return _members_page(request, organisation, status=400, add_form=form)
    try:
        services.membership_add(
            organisation=organisation,
            user=user,
            role=form.cleaned_data["role"],
            can_sign_agreements=form.cleaned_data["can_sign_agreements"],
            title=form.cleaned_data["title"],
            actor=request.user,
        )
    except ApplicationError as exc:
        _form_errors(form, exc)
        return _members_page(request, organisation, status=400, add_form=form)
    messages.success(request, _("Member added."))
    return redirect("coordination:members", pk=organisation.pk)


@require_POST
@login_required
def member_create(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _manageable(request, pk)
    form = MemberCreateForm(request.POST)
    if not form.is_valid():
        return _members_page(request, organisation, status=400, create_form=form)
    data = form.cleaned_data
    try:
        services.member_account_create(
            organisation=organisation,
            username=data["username"],
            password=data["password"],
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            role=data["role"],
            can_sign_agreements=data["can_sign_agreements"],
            title=data["title"],
            actor=request.user,
        )
    except ApplicationError as exc:
        _form_errors(form, exc)
        return _members_page(request, organisation, status=400, create_form=form)
    messages.success(request, _("Account created and added as a member."))
    return redirect("coordination:members", pk=organisation.pk)


def _form_errors(form: Any, exc: ApplicationError) -> None:
    """Put a refused service call's messages on the form fields it names."""
    if not exc.fields:
        form.add_error(None, exc.message)
    for field, errors in exc.fields.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


def _membership(organisation: Organisation, membership_pk: int) -> Membership:
    return get_object_or_404(Membership, pk=membership_pk, organisation=organisation)


@require_POST
@login_required
def member_change(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    organisation = _manageable(request, pk)
    membership = _membership(organisation, membership_pk)
    form = MemberChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
        return redirect("coordination:members", pk=organisation.pk)
    try:
        services.membership_change(
            membership=membership,
            role=form.cleaned_data["role"],
            can_sign_agreements=form.cleaned_data["can_sign_agreements"],
            actor=request.user,
        )
    except ApplicationError as exc:
        messages.error(request, action_error_message(exc))
    else:
        messages.success(request, _("Membership updated."))
    return redirect("coordination:members", pk=organisation.pk)


@require_POST
@login_required
def member_end(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    organisation = _manageable(request, pk)
    membership = _membership(organisation, membership_pk)
    form = MemberEndForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.membership_end(membership=membership, reason=reason, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, action_error_message(exc))
    else:
        messages.success(request, _("Membership ended."))
    return redirect("coordination:members", pk=organisation.pk)


@require_GET
@login_required
def body_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "coordination/body_list.html", {"bodies": selectors.coordination_bodies()}
    )


@require_GET
@login_required
def body_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        body = selectors.coordination_body_detail(pk=pk)
    except CoordinationBody.DoesNotExist as exc:
        raise Http404 from exc
    seats = sorted(body.seats.all(), key=lambda s: (SEAT_ORDER.get(s.seat, 9), s.organisation.name))
    return render(request, "coordination/body_detail.html", {"body": body, "seats": seats})
