"""Notifications API: one's own notices (list with `unread` and the `since` cursor, read, read
all, unread count), e-mail preferences per kind, and the organisation's webhook subscriptions with
their deliveries. Another user's notice, or a subscription of an organisation the caller does not
administer or coordinate, is a 404."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from concord.api import error_responses
from concord.errors import ApplicationError
from coordination.models import Organisation

from .. import selectors, services
from ..models import EmailMode, Kind, Notification, WebhookDelivery, WebhookSubscription

READ_ERRORS = error_responses(401, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404)


class NotificationSerializer(serializers.ModelSerializer):
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "title",
            "body",
            "reference",
            "object_type",
            "object_id",
            "state",
            "url",
            "created_at",
            "read_at",
            "read",
        ]
        read_only_fields = fields

    def get_read(self, obj: Notification) -> bool:
        return obj.read_at is not None


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notices were unread and are now read.")


# kind → e-mail mode (off, immediate, digest), one optional field per kind; in-app is always on.
PREFERENCES_SCHEMA = type(
    "NotificationPreferencesSerializer",
    (serializers.Serializer,),
    {
        kind.value: serializers.ChoiceField(
            choices=EmailMode.choices, required=False, help_text=str(kind.label)
        )
        for kind in Kind
    },
)


def _flag(value: str | None) -> bool | None:
    if value is None or value == "":
        return None
    lowered = value.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise ApplicationError("unread: give true or false.", fields={"unread": ["true or false"]})


def _cursor(value: str | None) -> int | None:
    if value is None or value == "":
        return None
    if not value.isdigit():
        raise ApplicationError(
            "since: give the id of the last notice you saw.", fields={"since": ["an integer"]}
        )
    return int(value)


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """Your own notices, newest first (or, with `since`, the ones after that id, oldest first)."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()
    lookup_value_regex = r"\d+"
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        if self.action != "list":
            return selectors.notifications_of(user=self.request.user)
        unread = _flag(self.request.query_params.get("unread"))
        since = _cursor(self.request.query_params.get("since"))
        qs = selectors.notifications_of(user=self.request.user, unread_only=bool(unread))
        if unread is False:
            qs = qs.filter(read_at__isnull=False)
        if since is not None:
            qs = qs.filter(id__gt=since).order_by("id")
        return qs

    @extend_schema(
        parameters=[
            OpenApiParameter("unread", bool, description="true: unread only; false: read only."),
            OpenApiParameter(
                "since",
                int,
                description="Cursor: only notices with an id above this, oldest first "
                "(what a client missed since the last id it saw).",
            ),
        ],
        responses={200: NotificationSerializer(many=True), **error_responses(400, 401)},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: NotificationSerializer, **READ_ERRORS})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(request=None, responses={200: NotificationSerializer, **READ_ERRORS})
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        notice = services.notification_mark_read(user=request.user, notification_id=int(pk or 0))
        return Response(NotificationSerializer(notice).data)

    @extend_schema(request=None, responses={200: MarkedSerializer, **error_responses(401)})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        return Response({"marked": services.notifications_mark_all_read(user=request.user)})

    @extend_schema(responses={200: UnreadCountSerializer, **error_responses(401)})
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request: Request) -> Response:
        return Response({"unread": selectors.unread_count(user=request.user)})

    @extend_schema(
        methods=["GET"],
        request=None,
        responses={200: PREFERENCES_SCHEMA, **error_responses(401)},
        description="Every kind with your e-mail mode (your choice, else the kind's default).",
    )
    @extend_schema(
        methods=["PUT"],
        request=PREFERENCES_SCHEMA,
        responses={200: PREFERENCES_SCHEMA, **error_responses(400, 401)},
        description="Set the e-mail mode of the kinds given (others are left as they are). An "
        "unknown kind or mode refuses the whole request: nothing is changed.",
    )
    @action(detail=False, methods=["get", "put"])
    def preferences(self, request: Request) -> Response:
        if request.method == "PUT":
            data = request.data
            if not isinstance(data, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in data.items()
            ):
                raise ApplicationError(
                    "Send an object of kind → mode.", fields={"non_field_errors": ["object"]}
                )
            services.preferences_set(user=request.user, choices=dict(data))
        rows = selectors.preferences_of(user=request.user)
        return Response({row["kind"]: row["email"] for row in rows})


# --- webhooks ---------------------------------------------------------------------------------


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    kinds = serializers.ListField(child=serializers.ChoiceField(choices=Kind.choices))
    url = serializers.URLField(max_length=500)

    class Meta:
        model = WebhookSubscription
        fields = ["id", "organisation", "name", "url", "kinds", "is_active", "created_at"]
        read_only_fields = ["id", "created_at"]


class WebhookCreatedSerializer(WebhookSubscriptionSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text="The signing secret, returned only here and by rotate-secret: keep it.",
    )

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*WebhookSubscriptionSerializer.Meta.fields, "secret"]


class WebhookUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    url = serializers.URLField(max_length=500, required=False)
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=Kind.choices), required=False
    )
    is_active = serializers.BooleanField(required=False)


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event_key",
            "kind",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "created_at",
            "next_attempt_at",
            "delivered_at",
        ]
        read_only_fields = fields


class WebhookSubscriptionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Webhook subscriptions of the organisations you administer or coordinate."""

    serializer_class = WebhookSubscriptionSerializer
    queryset = WebhookSubscription.objects.none()
    lookup_value_regex = r"\d+"
    filter_backends: list[Any] = []
    paginated_actions = ("deliveries",)  # for the schema (concord.api_schema.AutoSchema)

    def get_queryset(self) -> QuerySet[WebhookSubscription]:
        if getattr(self, "swagger_fake_view", False):
            return WebhookSubscription.objects.none()
        return selectors.webhook_subscriptions_visible_to(user=self.request.user)

    def get_object(self) -> WebhookSubscription:
        found = self.get_queryset().filter(pk=int(self.kwargs["pk"])).first()
        if found is None:
            raise NotFound()
        return found

    @extend_schema(responses={200: WebhookSubscriptionSerializer(many=True), **READ_ERRORS})
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: WebhookSubscriptionSerializer, **READ_ERRORS})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        request=WebhookSubscriptionSerializer,
        responses={201: WebhookCreatedSerializer, **WRITE_ERRORS},
        description="Create a subscription (https URL, at least one kind). The response carries "
        "the signing secret, shown only this once. Deliveries are POSTs signed with "
        '`X-Concord-Signature: sha256=HMAC-SHA256(secret, "<X-Concord-Timestamp>.<body>")`.',
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = WebhookSubscriptionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        organisation = data["organisation"]
        manageable = selectors.user_organisation_ids(
            user=request.user, roles=selectors.WEBHOOK_ROLES
        )
        if organisation.pk not in manageable:
            # Not one of yours: the same answer as an unknown organisation.
            raise ApplicationError(
                "Choose an organisation you administer or coordinate.",
                fields={"organisation": ["not one of yours"]},
            )
        subscription = services.webhook_subscription_create(
            organisation=organisation,
            actor=request.user,
            name=data["name"],
            url=data["url"],
            kinds=list(data["kinds"]),
        )
        if data.get("is_active") is False:
            subscription = services.webhook_subscription_update(
                subscription=subscription, actor=request.user, is_active=False
            )
        return Response(WebhookCreatedSerializer(subscription).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=WebhookUpdateSerializer,
        responses={200: WebhookSubscriptionSerializer, **WRITE_ERRORS},
        description="Change the name, URL, kinds or `is_active` (false pauses deliveries).",
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        subscription = self.get_object()
        serializer = WebhookUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription = services.webhook_subscription_update(
            subscription=subscription, actor=request.user, **serializer.validated_data
        )
        return Response(WebhookSubscriptionSerializer(subscription).data)

    @extend_schema(responses={204: None, **READ_ERRORS})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.webhook_subscription_delete(subscription=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None,
        responses={200: WebhookCreatedSerializer, **READ_ERRORS},
        description="Replace the signing secret; the new one is returned only here.",
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: str | None = None) -> Response:
        subscription = services.webhook_subscription_update(
            subscription=self.get_object(), actor=request.user, rotate_secret=True
        )
        return Response(WebhookCreatedSerializer(subscription).data)

    @extend_schema(
        responses={200: WebhookDeliverySerializer(many=True), **READ_ERRORS},
        description="The subscription's deliveries, newest first, failures included "
        "(status, attempts, last HTTP status, last error).",
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request: Request, pk: str | None = None) -> Response:
        subscription = self.get_object()
        rows = subscription.deliveries.order_by("-id")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)
