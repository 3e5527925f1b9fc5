"""Case pages: list, first-contact registration (phone-first), case page with its actions.

Reads go through selectors (hidden is 404), writes through services; a refused action comes back
as a message on the page (concord.web.page_action).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from concord.errors import ApplicationError
from concord.web import action_error_message
from coordination.models import Organisation, OrganisationKind
from coordination.permissions import organisation_ids_for

from . import services
from .export import case_htcds_record, htcds_csv
from .forms import FirstContactForm
from .models import (
    AgeBand,
    AsylumStatus,
    BestInterestsOutcome,
    Case,
    ConsentCategory,
    ConsentPurpose,
    ExploitationForm,
    GuardianResponsibility,
    IdentificationState,
    PiiPurpose,
    ReflectionOutcome,
    ResidenceGround,
    ResidenceKind,
)
from .permissions import CASE_WORK_ROLES, can_act_for_child, can_work_on_case
from .sections import case_section_templates
from .selectors import (
    best_interests_latest,
    can_see_identifying_details,
    case_identifying_details,
    cases_owned_by,
    cases_visible_to,
    guardian_current,
    indicator_checklist,
    indicator_summary,
    pii_access_log_for,
    reflection_period_latest,
    residence_status_current,
)

PAGE_SIZE = 50


def _visible_case(request: HttpRequest, pk: int) -> Case:
    return get_object_or_404(
        cases_visible_to(user=request.user).select_related(
            "owner", "nationality", "country_of_identification"
        ),
        pk=pk,
    )


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """The cases of the user's organisations (fixed number of queries whatever the page)."""
    qs = cases_owned_by(user=request.user)
    state = request.GET.get("state", "")
    if state in IdentificationState.values:
        qs = qs.filter(identification_state=state)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/list.html",
        {"page": page, "states": IdentificationState.choices, "state": state},
    )


@login_required
def case_register_view(request: HttpRequest) -> HttpResponse:
    """First contact: minimal facts, indicators by form, consent, presumption buttons."""
    organisations = Organisation.objects.filter(
        pk__in=organisation_ids_for(request.user, CASE_WORK_ROLES)
    ).order_by("name")
    if not organisations:
        raise PermissionDenied(_("Only case officers and supervisors register cases."))
    form = FirstContactForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_register_at_first_contact(
                owner=form.cleaned_data["owner"],
                actor=request.user,
                facts=form.facts(),
                identifying=form.identifying(),
                indicator_codes=form.cleaned_data["indicators"],
                consent=form.consent(),
                presume=request.POST.get("presume") == "1",
            )
        except ApplicationError as exc:
            for name, errors in exc.fields.items():
                target = name if name in form.fields else None
                for error in errors:
                    form.add_error(target, error)
            if not exc.fields:
                form.add_error(None, exc.message)
        else:
            messages.success(request, _("Case %(ref)s registered.") % {"ref": case.reference})
            return redirect("cases:case-detail", pk=case.pk)
    return render(
        request,
        "cases/register.html",
        {"form": form, "checklist": indicator_checklist()},
        # a refused registration is bad input (and says which field), not a fresh form
        status=400 if request.method == "POST" else 200,
    )


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _visible_case(request, pk)
    may_see_details = can_see_identifying_details(user=request.user, case=case)
    identifying = None
    reveal = request.GET.get("reveal", "")
    if may_see_details and reveal in PiiPurpose.values:
        identifying = case_identifying_details(user=request.user, case=case, purpose=reveal)
    is_worker = can_work_on_case(request.user, case)
    pii_log = pii_access_log_for(user=request.user, case=case)
    period = reflection_period_latest(case=case) if may_see_details else None
    context = {
        "case": case,
        "may_see_details": may_see_details,
        "identifying": identifying,
        "is_worker": is_worker,
        "acts_for_child": case.is_or_may_be_child and can_act_for_child(request.user, case),
        "summary": indicator_summary(case=case) if may_see_details else None,
        "checklist": indicator_checklist(forms=case.exploitation_forms) if is_worker else [],
        "consents": case.consents.prefetch_related("organisations") if may_see_details else [],
        "period": period,
        "period_running": period is not None and period.is_running(),
        "residence": residence_status_current(case=case) if may_see_details else None,
        "guardian": guardian_current(case=case) if may_see_details else None,
        "bid": best_interests_latest(case=case) if may_see_details else None,
        "tracings": case.family_tracings.all() if may_see_details else [],
        "events": case.events.select_related("actor").order_by("occurred_at", "id"),
        "pii_log": pii_log[:100] if pii_log is not None else None,
        "purposes": PiiPurpose.choices,
        "consent_categories": ConsentCategory.choices,
        "consent_purposes": ConsentPurpose.choices,
        "org_kinds": OrganisationKind.choices,
        "reflection_outcomes": ReflectionOutcome.choices,
        "residence_kinds": ResidenceKind.choices,
        "residence_grounds": ResidenceGround.choices,
        "bid_outcomes": BestInterestsOutcome.choices,
        "child_authorities": Organisation.objects.filter(
            kind__in=("child_protection", "prosecution_judiciary", "social_services"),
            country_id=case.country_of_identification_id,
            is_active=True,
        ),
        "asylum_statuses": AsylumStatus.choices,
        "age_bands": AgeBand.choices,
        "forms": ExploitationForm.choices,
        "S": IdentificationState,
        "case_sections": case_section_templates(),
    }
    return render(request, "cases/detail.html", context)


@login_required
def case_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in ("json", "csv"):
        raise Http404
    case = _visible_case(request, pk)
    record = case_htcds_record(case=case, user=request.user)
    if fmt == "csv":
        response = HttpResponse(htcds_csv([record]), content_type="text/csv; charset=utf-8")
    else:
        response = JsonResponse(record, json_dumps_params={"indent": 2, "default": str})
    response["Content-Disposition"] = f'attachment; filename="{case.reference}.{fmt}"'
    return response


# --- actions ----------------------------------------------------------------------------------


def _flag(request: HttpRequest, name: str) -> bool:
    return request.POST.get(name) in ("1", "on", "true", "yes")


def _date(request: HttpRequest, name: str) -> dt.date | None:
    value = request.POST.get(name) or ""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ApplicationError(_("Not a date."), fields={name: [_("Use YYYY-MM-DD.")]}) from exc


def _org(request: HttpRequest, name: str) -> Organisation:
    org = Organisation.objects.filter(pk=request.POST.get(name) or 0, is_active=True).first()
    if org is None:
        raise ApplicationError(_("Choose an organisation."), fields={name: [_("Required.")]})
    return org


def _reason(request: HttpRequest) -> str:
    return request.POST.get("reason", "")


ACTIONS: dict[str, Callable[[HttpRequest, Case], Any]] = {
    "presume": lambda r, c: services.case_presume(case=c, actor=r.user, reason=_reason(r)),
    "identify": lambda r, c: services.case_identify(
        case=c,
        actor=r.user,
        reason=_reason(r),
        informed=_flag(r, "informed"),
        interview_language=r.POST.get("interview_language", ""),
    ),
    "confirm": lambda r, c: services.case_confirm(case=c, actor=r.user, reason=_reason(r)),
    "rule_out": lambda r, c: services.case_rule_out(case=c, actor=r.user, reason=_reason(r)),
    "reopen": lambda r, c: services.case_reopen(case=c, actor=r.user, reason=_reason(r)),
    "presume_minority": lambda r, c: services.case_presume_minority(
        case=c, actor=r.user, reason=_reason(r)
    ),
    "close": lambda r, c: services.case_close(case=c, actor=r.user, reason=_reason(r)),
    "asylum": lambda r, c: services.case_update_facts(
        case=c, actor=r.user, asylum_status=r.POST.get("asylum_status", "")
    ),
    "indicators": lambda r, c: services.indicators_observe(
        case=c, actor=r.user, codes=r.POST.getlist("indicators")
    ),
    "consent": lambda r, c: services.consent_record(
        case=c,
        actor=r.user,
        categories=r.POST.getlist("categories"),
        purposes=r.POST.getlist("purposes"),
        organisation_kinds=r.POST.getlist("organisation_kinds"),
        informed_orally=_flag(r, "informed_orally"),
        informed_in_writing=_flag(r, "informed_in_writing"),
        language=r.POST.get("language", ""),
        interpreter_used=_flag(r, "interpreter_used"),
    ),
    "consent_withdraw": lambda r, c: services.consent_withdraw(
        consent=get_object_or_404(c.consents, pk=r.POST.get("consent") or 0),
        actor=r.user,
        reason=_reason(r),
    ),
    "reflection_start": lambda r, c: services.reflection_period_start(
        case=c,
        actor=r.user,
        started_on=_date(r, "started_on"),
        length_days=int(r.POST["length_days"]) if r.POST.get("length_days", "").isdigit() else None,
    ),
    "reflection_end": lambda r, c: services.reflection_period_end_by_decision(
        period=reflection_period_latest(case=c) or _missing(),
        actor=r.user,
        outcome=r.POST.get("outcome", ""),
        decided_by_person=_flag(r, "decided_by_person"),
        reason=_reason(r),
    ),
    "residence": lambda r, c: services.residence_status_record(
        case=c,
        actor=r.user,
        kind=r.POST.get("kind", ""),
        ground=r.POST.get("ground", ""),
        valid_from=_date(r, "valid_from"),
        valid_until=_date(r, "valid_until"),
    ),
    "guardian": lambda r, c: services.guardian_appoint(
        case=c,
        actor=r.user,
        guardian_name=r.POST.get("guardian_name", ""),
        appointed_by=_org(r, "appointed_by"),
        is_accompanying_adult=_flag(r, "is_accompanying_adult"),
        involvement_assessed=_flag(r, "involvement_assessed"),
        responsibilities=GuardianResponsibility.values,
    ),
    "best_interests": lambda r, c: services.best_interests_record(
        case=c,
        actor=r.user,
        determined_by=_org(r, "determined_by"),
        child_views=r.POST.get("child_views", ""),
        weight_given_to_views=r.POST.get("weight_given_to_views", ""),
        outcome=r.POST.get("outcome", ""),
        on_site_investigation_done=_flag(r, "on_site_investigation_done"),
        reasoning=r.POST.get("reasoning", ""),
    ),
    "tracing_request": lambda r, c: services.family_tracing_request(
        case=c, actor=r.user, requested_by_person=_flag(r, "requested_by_person")
    ),
    "tracing_step": lambda r, c: services.family_tracing_transition(
        tracing=get_object_or_404(c.family_tracings, pk=r.POST.get("tracing") or 0),
        actor=r.user,
        action=r.POST.get("step", ""),
        reason=_reason(r),
    ),
    "tracing_complicity": lambda r, c: services.family_tracing_assess_complicity(
        tracing=get_object_or_404(c.family_tracings, pk=r.POST.get("tracing") or 0),
        actor=r.user,
        family_complicit=_flag(r, "family_complicit"),
        notes=r.POST.get("notes", ""),
    ),
}


def _missing() -> Any:
    raise Http404


@login_required
@require_POST
def case_action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    """Run one action of the case page, then back to the case page; a refusal is shown there as a
    message naming its guard, and changes nothing."""
    handler = ACTIONS.get(verb)
    if handler is None:
        raise Http404
    case = _visible_case(request, pk)
    try:
        with transaction.atomic():
            handler(request, case)
    except (ApplicationError, TransitionNotAllowed, ConcurrentTransition) as exc:
        messages.error(request, action_error_message(exc))
    else:
        messages.success(request, _("Done."))
    return redirect("cases:case-detail", pk=case.pk)
