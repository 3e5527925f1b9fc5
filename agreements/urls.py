from django.urls import path

from . import views

app_name = "agreements"
urlpatterns = [
    path("", views.agreements_page, name="list"),
    path("new/", views.agreement_new, name="new"),
    path("lifecycle/", views.lifecycle, name="lifecycle"),
    path("<int:pk>/", views.agreement_page, name="detail"),
    path("<int:pk>/edit/", views.agreement_edit, name="edit"),
    path("<int:pk>/partners/", views.agreement_partners, name="partners"),
    path("<int:pk>/coverage/", views.agreement_coverage, name="coverage"),
    path("<int:pk>/versions/", views.agreement_versions, name="versions"),
    path("<int:pk>/comments/", views.agreement_comments, name="comments"),
    path("<int:pk>/sign/", views.agreement_sign, name="sign"),
    path("<int:pk>/document.<str:fmt>", views.agreement_document, name="document"),
    path("<int:pk>/<slug:verb>/", views.agreement_action, name="action"),
]
