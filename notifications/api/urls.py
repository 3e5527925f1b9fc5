"""API routes of notifications (namespace "api"), under /api/notifications/."""

from rest_framework.routers import SimpleRouter

from .views import NotificationViewSet, WebhookSubscriptionViewSet

router = SimpleRouter()
router.register(
    "notifications/webhooks", WebhookSubscriptionViewSet, basename="notification-webhook"
)
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = router.urls
