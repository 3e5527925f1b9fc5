from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from coordination.views import dashboard

from . import auth_views as concord_auth
from .health import healthz, readyz

api_urlpatterns = [
    path("", include("coordination.api.urls")),
    path("", include("coordination.work.api.urls")),
    path("", include("agreements.api.urls")),
    path("", include("workflows.cases.api.urls")),
    path("", include("workflows.referrals.api.urls")),
    path("", include("workflows.returns.api.urls")),
    path("", include("reporting.api.urls")),
    path("", include("notifications.api.urls")),
]

urlpatterns = [
    path("accounts/login/", concord_auth.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/second-factor/", concord_auth.second_factor, name="second-factor"),
    path(
        "accounts/second-factor/setup/",
        concord_auth.second_factor_setup,
        name="second-factor-setup",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("api/", include((api_urlpatterns, "api"))),
    path("agreements/", include("agreements.urls")),
    path("", include("workflows.cases.urls")),
    path("", include("workflows.referrals.urls")),
    path("", include("workflows.returns.urls")),
    path("", include("reporting.urls")),
    path("notifications/", include("notifications.urls")),
    path("", dashboard, name="dashboard"),
    path("", include("coordination.urls")),
    path("", include("coordination.work.urls")),
]

handler400 = "concord.error_views.bad_request"
handler403 = "concord.error_views.permission_denied"
handler404 = "concord.error_views.page_not_found"
handler500 = "concord.error_views.server_error"
