"""Notification pages: the centre (unread / all, mark read), e-mail preferences per kind, and an
organisation's webhook subscriptions. Thin: reads through selectors, writes through services.

A user reads only their own notices (another user's notice is a 404); webhook subscriptions are
managed by the organisation's administrators and coordinators only (anyone else: 404)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.validators import URLValidator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from concord.errors import ApplicationError
from concord.web import action_error_message
from coordination.models import Organisation

from . import selectors, services
from .models import DeliveryStatus, EmailMode, Kind, WebhookSubscription

PAGE_SIZE = 25
RECENT_DELIVERIES = 50


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


@login_required
def centre(request: HttpRequest) -> HttpResponse:
    tab = "all" if request.GET.get("tab") == "all" else "unread"
    rows = selectors.notifications_of(user=request.user, unread_only=tab == "unread")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/centre.html",
        {"tab": tab, "page": page, "show_webhooks": _manages_webhooks(request.user)},
    )


def _manages_webhooks(user: Any) -> bool:
    return bool(selectors.user_organisation_ids(user=user, roles=selectors.WEBHOOK_ROLES))


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    services.notification_mark_read(user=request.user, notification_id=pk)  # 404 if not theirs
    return _back(request, "notifications:centre")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(user=request.user)
    messages.success(
        request,
        _("%(count)d notifications marked read.") % {"count": count}
        if count != 1
        else _("1 notification marked read."),
    )
    return _back(request, "notifications:centre")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    error: ApplicationError | None = None
    submitted: dict[str, str] = {}
    if request.method == "POST":
        # Every posted choice goes to the service, unknown ones too: it names them and changes
        # nothing, rather than silently dropping them.
        submitted = {
            key: request.POST.get(key, "") for key in request.POST if key != "csrfmiddlewaretoken"
        }
        try:
            services.preferences_set(user=request.user, choices=submitted)
        except ApplicationError as exc:
            error = exc
        else:
            messages.success(request, _("Your notification preferences are saved."))
            return redirect("notifications:preferences")
    rows = selectors.preferences_of(user=request.user)
    labels = dict(Kind.choices)
    if error is not None:
        bad = error.fields or {}
        for row in rows:
            row["error"] = "; ".join(bad.get(row["kind"], []))
            if row["kind"] in submitted and row["error"]:
                row["email"] = submitted[row["kind"]]
        named = ", ".join(str(labels.get(k, k)) for k in bad)
        messages.error(request, f"{error.message} ({named})")
    return render(
        request,
        "notifications/preferences.html",
        {
            "rows": rows,
            "modes": EmailMode.choices,
            "show_webhooks": _manages_webhooks(request.user),
        },
        status=400 if error is not None else 200,
    )


# --- webhooks ---------------------------------------------------------------------------------


def _manageable_organisations(user: Any) -> list[Organisation]:
    ids = selectors.user_organisation_ids(user=user, roles=selectors.WEBHOOK_ROLES)
    return list(Organisation.objects.filter(pk__in=ids).order_by("name"))


def _subscription(request: HttpRequest, pk: int) -> WebhookSubscription:
    found = selectors.webhook_subscriptions_visible_to(user=request.user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _no_store(response: HttpResponse) -> HttpResponse:
    # The page shows a signing secret: never cache it anywhere.
    response["Cache-Control"] = "no-store, private, max-age=0"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def webhooks(request: HttpRequest) -> HttpResponse:
    organisations = _manageable_organisations(request.user)
    if not organisations:
        raise Http404
    form: dict[str, Any] = {"name": "", "url": "", "kinds": [], "organisation": ""}
    status = 200
    if request.method == "POST":
        form = {
            "name": request.POST.get("name", "").strip(),
            "url": request.POST.get("url", "").strip(),
            "kinds": request.POST.getlist("kinds"),
            "organisation": request.POST.get("organisation", ""),
        }
        try:
            subscription = _create(request, organisations, form)
        except ApplicationError as exc:
            messages.error(request, action_error_message(exc))
            status = 400
        else:
            return _no_store(_detail(request, subscription, secret=subscription.secret))
    return render(
        request,
        "notifications/webhooks.html",
        {
            "subscriptions": selectors.webhook_subscriptions_visible_to(user=request.user),
            "organisations": organisations,
            "kinds": Kind.choices,
            "form": form,
        },
        status=status,
    )


def _create(
    request: HttpRequest, organisations: list[Organisation], form: dict[str, Any]
) -> WebhookSubscription:
    by_id = {str(o.pk): o for o in organisations}
    organisation = by_id.get(form["organisation"]) or (
        organisations[0] if len(organisations) == 1 and not form["organisation"] else None
    )
    if organisation is None:
        raise ApplicationError(
            _("Choose one of your organisations."), fields={"organisation": [_("unknown")]}
        )
    if not form["name"]:
        raise ApplicationError(_("Give the subscription a name."), fields={"name": [_("required")]})
    if len(form["name"]) > 100:
        raise ApplicationError(_("The name is too long."), fields={"name": [_("100 at most")]})
    _check_url(form["url"])
    return services.webhook_subscription_create(
        organisation=organisation,
        actor=request.user,
        name=form["name"],
        url=form["url"],
        kinds=form["kinds"],
    )


def _check_url(url: str) -> None:
    try:
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError as exc:
        raise ApplicationError(
            _("The endpoint must be an https:// URL."), fields={"url": [_("not a URL")]}
        ) from exc
    if len(url) > 500:
        raise ApplicationError(_("The URL is too long."), fields={"url": [_("500 at most")]})


def _detail(
    request: HttpRequest, subscription: WebhookSubscription, *, secret: str | None = None
) -> HttpResponse:
    deliveries = list(subscription.deliveries.order_by("-id")[:RECENT_DELIVERIES])
    return render(
        request,
        "notifications/webhook_detail.html",
        {
            "subscription": subscription,
            "kind_labels": [dict(Kind.choices).get(k, k) for k in subscription.kinds],
            "deliveries": deliveries,
            "failed": sum(1 for d in deliveries if d.status == DeliveryStatus.FAILED),
            "secret": secret,
        },
    )


@login_required
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _subscription(request, pk))


@login_required
@require_POST
def webhook_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    subscription = _subscription(request, pk)
    if action == "pause":
        services.webhook_subscription_update(
            subscription=subscription, actor=request.user, is_active=False
        )
        messages.success(request, _("Paused: no deliveries until you resume it."))
    elif action == "resume":
        services.webhook_subscription_update(
            subscription=subscription, actor=request.user, is_active=True
        )
        messages.success(request, _("Resumed."))
    elif action == "rotate":
        subscription = services.webhook_subscription_update(
            subscription=subscription, actor=request.user, rotate_secret=True
        )
        return _no_store(_detail(request, subscription, secret=subscription.secret))
    elif action == "delete":
        services.webhook_subscription_delete(subscription=subscription, actor=request.user)
        messages.success(request, _("Subscription deleted."))
        return redirect("notifications:webhooks")
    else:
        raise Http404
    return redirect("notifications:webhook-detail", pk=subscription.pk)
