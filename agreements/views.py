"""Pages of agreements. Reads through the selectors (hidden is 404), writes through the services;
a refused action comes back as a message on the page (concord.web.page_action)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from concord.errors import ApplicationError
from concord.web import page_action
from coordination.models import Country, Organisation, Role
from coordination.permissions import organisation_ids_for

from . import coverage as codes
from . import services
from .api.views import document_response
from .diagram import lifecycle_svg
from .diff import version_diff
from .models import (
    Agreement,
    AgreementKind,
    AgreementState,
    Approval,
    RecommendedCommitment,
    Signature,
    Template,
)
from .permissions import coordinator_org_ids, signing_memberships
from .selectors import (
    agreement_detail,
    agreement_list,
    agreements_visible_to,
    coverage_codes,
    version_clauses,
)

S = AgreementState


# --- forms -------------------------------------------------------------------------------------
class DateInput(forms.DateInput):
    input_type = "date"


class FilterForm(forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("State"), required=False, choices=[("", "—"), *S.choices]
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), required=False, choices=[("", "—"), *AgreementKind.choices]
    )
    partner = forms.ModelChoiceField(
        label=gettext_lazy("Partner"), required=False, queryset=Organisation.objects.none()
    )
    country = forms.ModelChoiceField(
        label=gettext_lazy("Country"), required=False, queryset=Country.objects.none()
    )
    expiring_days = forms.TypedChoiceField(
        label=gettext_lazy("Expiring"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", "—"),
            ("30", gettext_lazy("within 30 days")),
            ("90", gettext_lazy("within 90 days")),
        ],
    )


class CreateForm(forms.Form):
    template = forms.ModelChoiceField(
        label=gettext_lazy("Template"), queryset=Template.objects.filter(is_active=True)
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    drafted_by = forms.ModelChoiceField(
        label=gettext_lazy("Drafted by"), queryset=Organisation.objects.none()
    )
    languages = forms.CharField(
        label=gettext_lazy("Languages"),
        initial="en",
        help_text=gettext_lazy("One or two language codes, e.g. “en” or “en, fr”."),
    )
    effective_date = forms.DateField(
        label=gettext_lazy("Effective date"), required=False, widget=DateInput
    )
    end_date = forms.DateField(label=gettext_lazy("End date"), required=False, widget=DateInput)
    review_date = forms.DateField(
        label=gettext_lazy("Review date"), required=False, widget=DateInput
    )


class MetaForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    languages = forms.CharField(label=gettext_lazy("Languages"))
    effective_date = forms.DateField(
        label=gettext_lazy("Effective date"), required=False, widget=DateInput
    )
    end_date = forms.DateField(label=gettext_lazy("End date"), required=False, widget=DateInput)
    duration_months = forms.IntegerField(
        label=gettext_lazy("Duration (months)"), required=False, min_value=1
    )
    review_date = forms.DateField(
        label=gettext_lazy("Review date"), required=False, widget=DateInput
    )
    note = forms.CharField(label=gettext_lazy("Change note"), required=False, max_length=300)


def _languages(value: str) -> list[str]:
    return [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]


def _form_errors_message(form: forms.Form) -> str:
    return "; ".join(
        f"{form.fields[k].label if k in form.fields else k}: {' '.join(map(str, v))}"
        for k, v in form.errors.items()
    )


# --- list and creation ---------------------------------------------------------------------------
@login_required
def agreements_page(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    org_ids = organisation_ids_for(request.user)
    visible = agreements_visible_to(user=request.user).values("pk")
    form.fields["partner"].queryset = (  # type: ignore[attr-defined]
        Organisation.objects.filter(
            Q(agreement_partnerships__agreement__in=visible) | Q(pk__in=org_ids)
        )
        .distinct()
        .order_by("name")
    )
    form.fields["country"].queryset = Country.objects.filter(  # type: ignore[attr-defined]
        Q(organisations__agreement_partnerships__agreement__in=visible)
        | Q(organisations__pk__in=org_ids)
    ).distinct()
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "state": data.get("state") or None,
            "kind": data.get("kind") or None,
            "partner": data["partner"].pk if data.get("partner") else None,
            "country": data["country"].pk if data.get("country") else None,
            "expiring_days": data.get("expiring_days"),
        }
    qs = agreement_list(user=request.user, filters=filters)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    can_draft = bool(organisation_ids_for(request.user, [Role.COORDINATOR]))
    return render(
        request,
        "agreements/list.html",
        {
            "form": form,
            "page": page,
            "can_draft": can_draft,
        },
    )


@login_required
def agreement_new(request: HttpRequest) -> HttpResponse:
    org_ids = organisation_ids_for(request.user, [Role.COORDINATOR])
    if not org_ids:
        raise PermissionDenied(_("Only coordinators draft agreements."))
    form = CreateForm(request.POST or None, initial={"template": request.GET.get("template")})
    form.fields["drafted_by"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
        pk__in=org_ids
    )
    if len(org_ids) == 1:
        form.fields["drafted_by"].initial = next(iter(org_ids))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            agreement = services.agreement_create(
                template=data["template"],
                title=data["title"],
                drafted_by=data["drafted_by"],
                actor=request.user,
                languages=_languages(data["languages"]),
                effective_date=data.get("effective_date"),
                end_date=data.get("end_date"),
                review_date=data.get("review_date"),
            )
        except ApplicationError as exc:
            for field, errors in exc.fields.items():
                form.add_error(field if field in form.fields else None, errors)
            if not exc.fields:
                form.add_error(None, exc.message)
        else:
            messages.success(request, _("Drafted. Write each element; the panel checks it."))
            return redirect("agreements:edit", agreement.pk)
    templates = Template.objects.filter(is_active=True).prefetch_related("elements")
    return render(request, "agreements/new.html", {"form": form, "templates": templates})


# --- one agreement ---------------------------------------------------------------------------
def _context(request: HttpRequest, agreement: Agreement) -> dict[str, Any]:
    user = request.user
    coordinating = coordinator_org_ids(user, agreement)
    signing = signing_memberships(user, agreement)
    version = agreement.current_version
    partners = list(agreement.partners.select_related("organisation", "country"))
    approvals = {
        a.organisation_id: a for a in Approval.objects.filter(agreement=agreement, version=version)
    }
    signatures = list(
        Signature.objects.filter(agreement=agreement)
        .select_related("organisation", "version")
        .order_by("signed_at")
    )
    valid = {
        s.organisation_id: s
        for s in signatures
        if s.voided_at is None and s.version_id == (version.pk if version else None)
    }
    return {
        "agreement": agreement,
        "version": version,
        "partners": [
            {
                "partner": p,
                "approval": approvals.get(p.organisation_id),
                "signature": valid.get(p.organisation_id),
            }
            for p in partners
        ],
        "signatures": signatures,
        "is_coordinator": bool(coordinating),
        "can_edit": agreement.is_editable and bool(coordinating),
        "can_sign": agreement.state == S.AWAITING_SIGNATURES
        and any(m.organisation_id not in valid for m in signing),
        "signing_orgs": [m.organisation for m in signing],
        "approved_by_me": bool(coordinating) and coordinating <= set(approvals),
        "S": S,
    }


@login_required
def agreement_page(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = agreement_detail(user=request.user, pk=pk)
    context = _context(request, agreement)
    context["events"] = agreement.events.select_related("actor").order_by("-occurred_at", "-id")[
        :50
    ]
    context["coverage"] = coverage_codes(agreement)
    context["coverage_labels"] = _coverage_labels(context["coverage"])
    context["covered_countries"] = list(agreement.coverage.countries.all())
    context["covered_orgs"] = list(agreement.coverage.organisations.all())
    context["amendments"] = list(agreement.amendments.all())
    context["diagram"] = mark_safe(lifecycle_svg(current=agreement.state))  # noqa: S308 - our SVG
    context["organisations"] = (
        Organisation.objects.filter(is_active=True)
        .exclude(agreement_partnerships__agreement=agreement)
        .select_related("country")
        if context["can_edit"]
        else []
    )
    context["countries"] = Country.objects.all() if context["can_edit"] else []
    return render(request, "agreements/detail.html", context)


def _coverage_labels(cov: dict[str, list[str]]) -> dict[str, list[str]]:
    return {
        dimension: [str(codes.DIMENSIONS[dimension].get(c, c)) for c in values]
        for dimension, values in cov.items()
    }


ACTIONS = {
    "open-consultation": (
        services.agreement_open_consultation,
        False,
        gettext_lazy("Consultation opened: the partners can comment."),
    ),
    "request-signatures": (
        services.agreement_request_signatures,
        False,
        gettext_lazy("Sent for signature."),
    ),
    "bring-into-force": (
        services.agreement_bring_into_force,
        False,
        gettext_lazy("The agreement is in force."),
    ),
    "suspend": (services.agreement_suspend, True, gettext_lazy("Suspended.")),
    "resume": (services.agreement_resume, False, gettext_lazy("In force again.")),
    "terminate": (services.agreement_terminate, True, gettext_lazy("Terminated.")),
    "withdraw": (services.agreement_withdraw, True, gettext_lazy("Withdrawn.")),
}


@login_required
@require_POST
@page_action
def agreement_action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    agreement = agreement_detail(user=request.user, pk=pk)
    if verb == "approve":
        approval = services.agreement_approve(agreement=agreement, actor=request.user)
        messages.success(request, _("You approved version %d.") % approval.version.number)
        return redirect("agreements:comments", agreement.pk)
    if verb == "amend":
        amendment = services.agreement_amend(agreement=agreement, actor=request.user)
        messages.success(
            request,
            _(
                "Amendment drafted; the agreement stays in force until the "
                "amendment enters into force."
            ),
        )
        return redirect("agreements:edit", amendment.pk)
    if verb not in ACTIONS:
        raise Http404
    service: Any
    service, needs_grounds, done = ACTIONS[verb]
    kwargs = {"grounds": request.POST.get("grounds", "")} if needs_grounds else {}
    if verb == "resume":
        kwargs = {"grounds": request.POST.get("grounds", "")}
    service(agreement=agreement, actor=request.user, **kwargs)
    messages.success(request, str(done))
    return redirect("agreements:detail", agreement.pk)


@login_required
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = agreement_detail(user=request.user, pk=pk)
    context = _context(request, agreement)
    if not context["can_edit"]:
        if agreement.is_editable:
            raise PermissionDenied(_("Only a partner's coordinators edit the text."))
        messages.info(
            request,
            _("This agreement is %s: its text no longer changes.") % agreement.get_state_display(),
        )
        return redirect("agreements:detail", agreement.pk)
    elements = list(agreement.template.elements.all())
    meta_form = MetaForm(
        request.POST or None,
        initial={
            "title": agreement.title,
            "languages": ", ".join(agreement.languages),
            "effective_date": agreement.effective_date,
            "end_date": agreement.end_date,
            "duration_months": agreement.duration_months,
            "review_date": agreement.review_date,
        },
    )
    texts = version_clauses(agreement.current_version)
    if request.method == "POST":
        clauses: dict[str, dict[str, str]] = {}
        for element in elements:
            for lang in agreement.languages:
                name = f"clause__{element.key}__{lang}"
                if name in request.POST:
                    clauses.setdefault(element.key, {})[lang] = request.POST[name]
        if meta_form.is_valid():
            data = meta_form.cleaned_data
            try:
                outcome = services.agreement_update(
                    agreement=agreement,
                    actor=request.user,
                    title=data["title"],
                    languages=_languages(data["languages"]),
                    effective_date=data.get("effective_date"),
                    end_date=data.get("end_date"),
                    duration_months=data.get("duration_months"),
                    review_date=data.get("review_date"),
                    clauses=clauses,
                    commitments=request.POST.getlist("commitments"),
                    note=data.get("note") or "",
                )
            except ApplicationError as exc:
                messages.error(request, services_error(exc))
                texts.update({k: {**texts.get(k, {}), **v} for k, v in clauses.items()})
            else:
                (messages.warning if outcome.voided_signatures else messages.success)(
                    request, outcome.message
                )
                return redirect("agreements:edit", agreement.pk)
        else:
            messages.error(request, _form_errors_message(meta_form))
            texts.update({k: {**texts.get(k, {}), **v} for k, v in clauses.items()})
    report = services.compliance_report(agreement=agreement)
    by_key = {e.key: e for e in report.elements}
    ticked = set(agreement.commitments.values_list("code", flat=True))
    context.update(
        {
            "meta_form": meta_form,
            "elements": [
                {
                    "element": e,
                    "result": by_key.get(e.key),
                    "texts": [
                        (lang, (texts.get(e.key) or {}).get(lang, ""))
                        for lang in agreement.languages
                    ],
                }
                for e in elements
            ],
            "report": report,
            "commitments": [(c, c.code in ticked) for c in RecommendedCommitment.objects.all()],
            "compliance_url": reverse("api:agreement-compliance", args=[agreement.pk]),
        }
    )
    return render(request, "agreements/edit.html", context)


def services_error(exc: ApplicationError) -> str:
    from concord.web import action_error_message

    return action_error_message(exc)


@login_required
@require_POST
@page_action
def agreement_partners(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = agreement_detail(user=request.user, pk=pk)
    op = request.POST.get("op")
    if op == "add":
        organisation = Organisation.objects.filter(
            pk=request.POST.get("organisation") or 0, is_active=True
        ).first()
        if organisation is None:
            raise ApplicationError(
                _("Choose an organisation."), fields={"organisation": [_("Required.")]}
            )
        country = Country.objects.filter(code=request.POST.get("country") or "").first()
        outcome = services.agreement_partner_add(
            agreement=agreement, organisation=organisation, actor=request.user, country=country
        )
    else:
        partner = get_object_or_404(agreement.partners, pk=request.POST.get("partner") or 0)
        if op == "remove":
            outcome = services.agreement_partner_remove(partner=partner, actor=request.user)
        else:
            outcome = services.agreement_partner_update(
                partner=partner,
                actor=request.user,
                mandate=request.POST.get("mandate"),
                area_of_operation=request.POST.get("area_of_operation"),
            )
    (messages.warning if outcome.voided_signatures else messages.success)(request, outcome.message)
    return redirect(reverse("agreements:detail", args=[agreement.pk]) + "#partners")


@login_required
def agreement_coverage(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = agreement_detail(user=request.user, pk=pk)
    context = _context(request, agreement)
    current = coverage_codes(agreement)
    if request.method == "POST":
        if not context["can_edit"]:
            raise PermissionDenied(_("Only a partner's coordinators change the coverage."))
        try:
            outcome = services.agreement_coverage_set(
                agreement=agreement,
                actor=request.user,
                countries=request.POST.getlist("countries"),
                organisations=[
                    int(v) for v in request.POST.getlist("organisations") if v.isdigit()
                ],
                procedures=request.POST.getlist("procedures"),
                target_groups=request.POST.getlist("target_groups"),
                data_categories=request.POST.getlist("data_categories"),
            )
        except ApplicationError as exc:
            messages.error(request, services_error(exc))
        else:
            (messages.warning if outcome.voided_signatures else messages.success)(
                request, outcome.message
            )
            return redirect("agreements:coverage", agreement.pk)
    coverage = agreement.coverage
    chosen_countries = set(coverage.countries.values_list("code", flat=True))
    chosen_orgs = set(coverage.organisations.values_list("pk", flat=True))
    partner_countries = {p["partner"].country_id for p in context["partners"]} | {
        p["partner"].organisation.country_id for p in context["partners"]
    }
    context.update(
        {
            "dimensions": [
                (
                    "procedures",
                    _("Procedures"),
                    [
                        (c, label, c in current["procedure"])
                        for c, label in codes.PROCEDURES.items()
                    ],
                ),
                (
                    "target_groups",
                    _("Target groups: people"),
                    [
                        (c, label, c in current["target_group"])
                        for c, label in codes.PERSON_GROUPS.items()
                    ],
                ),
                (
                    "target_groups",
                    _("Target groups: forms of exploitation (none ticked = every form)"),
                    [
                        (c, label, c in current["target_group"])
                        for c, label in codes.EXPLOITATION_FORMS.items()
                    ],
                ),
                (
                    "data_categories",
                    _("Personal data that may be exchanged"),
                    [
                        (c, label, c in current["data_category"])
                        for c, label in codes.DATA_CATEGORIES.items()
                    ],
                ),
            ],
            "countries": [
                (c, c.code in chosen_countries)
                for c in Country.objects.filter(
                    code__in=chosen_countries | {x for x in partner_countries if x}
                )
            ],
            "organisations": [
                (p["partner"].organisation, p["partner"].organisation_id in chosen_orgs)
                for p in context["partners"]
            ]
            + [
                (o, True)
                for o in coverage.organisations.exclude(
                    pk__in=[p["partner"].organisation_id for p in context["partners"]]
                )
            ],
        }
    )
    return render(request, "agreements/coverage.html", context)


@login_required
def agreement_versions(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = agreement_detail(user=request.user, pk=pk)
    versions = list(agreement.versions.select_related("created_by").order_by("-number"))
    diff = None
    a, b = request.GET.get("from", ""), request.GET.get("to", "")
    if a.isdigit() and b.isdigit():
        old = get_object_or_404(agreement.versions, number=int(a))
        new = get_object_or_404(agreement.versions, number=int(b))
        diff = version_diff(old=old, new=new)
    elif len(versions) >= 2:
        diff = version_diff(old=versions[1], new=versions[0])
    context = _context(request, agreement)
    context.update({"versions": versions, "diff": diff})
    return render(request, "agreements/versions.html", context)


@login_required
def agreement_comments(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = agreement_detail(user=request.user, pk=pk)
    if request.method == "POST":
        return _comment_post(request, agreement)
    context = _context(request, agreement)
    comments = list(
        agreement.comments.select_related(
            "element", "author", "organisation", "version", "resolved_by"
        )
    )
    threads = [c for c in comments if c.parent_id is None]
    replies: dict[int, list[Any]] = {}
    for c in comments:
        if c.parent_id:
            replies.setdefault(c.parent_id, []).append(c)
    context.update(
        {
            "threads": [(c, replies.get(c.pk, [])) for c in threads],
            "elements": list(agreement.template.elements.all()),
            "open_count": sum(1 for c in threads if c.resolved_at is None),
        }
    )
    return render(request, "agreements/comments.html", context)


@page_action
def _comment_post(request: HttpRequest, agreement: Agreement) -> HttpResponse:
    op = request.POST.get("op", "add")
    if op == "resolve":
        comment = get_object_or_404(agreement.comments, pk=request.POST.get("comment") or 0)
        services.comment_resolve(comment=comment, actor=request.user)
        messages.success(request, _("Resolved."))
    else:
        parent = None
        if request.POST.get("parent"):
            parent = get_object_or_404(agreement.comments, pk=request.POST["parent"])
        services.comment_add(
            agreement=agreement,
            actor=request.user,
            text=request.POST.get("text", ""),
            element_key=request.POST.get("element") or None,
            parent=parent,
        )
        messages.success(request, _("Comment added."))
    return redirect("agreements:comments", agreement.pk)


@login_required
def agreement_sign(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = agreement_detail(user=request.user, pk=pk)
    if request.method == "POST":
        return _sign_post(request, agreement)
    context = _context(request, agreement)
    texts = version_clauses(agreement.current_version)
    context["clause_rows"] = [
        (e.title, [(lang, (texts.get(e.key) or {}).get(lang, "")) for lang in agreement.languages])
        for e in agreement.template.elements.all()
        if texts.get(e.key)
    ]
    return render(request, "agreements/sign.html", context)


@page_action
def _sign_post(request: HttpRequest, agreement: Agreement) -> HttpResponse:
    if request.POST.get("confirm") != "yes":
        raise ApplicationError(
            _("Confirm that you read this exact version."),
            fields={"confirm": [_("Required.")]},
        )
    signature = services.agreement_sign(
        agreement=agreement, actor=request.user, version_hash=request.POST.get("version_hash", "")
    )
    agreement.refresh_from_db()
    if agreement.state == S.IN_FORCE:
        messages.success(
            request,
            _("Signed for %s. Every partner has signed: the agreement is in force.")
            % signature.organisation,
        )
    else:
        messages.success(request, _("Signed for %s.") % signature.organisation)
    return redirect("agreements:detail", agreement.pk)


@login_required
def agreement_document(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in ("pdf", "docx"):
        raise Http404
    agreement = agreement_detail(user=request.user, pk=pk)
    number = request.GET.get("version", "")
    version = (
        get_object_or_404(agreement.versions, number=int(number))
        if number.isdigit()
        else agreement.current_version
    )
    return document_response(agreement, version, fmt)


@login_required
def lifecycle(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "agreements/lifecycle.html",
        {
            "diagram": mark_safe(lifecycle_svg()),  # noqa: S308 - our SVG, labels escaped
        },
    )
