from django.urls import path

from . import views

app_name = "referrals"
urlpatterns = [
    path("referrals/", views.referral_inbox, name="referral-inbox"),
    path("referrals/outbox/", views.referral_outbox, name="referral-outbox"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral-detail"),
    path("referrals/<int:pk>/act/<slug:verb>/", views.referral_act, name="referral-action"),
    path("cases/<int:case_pk>/refer/", views.referral_new, name="referral-new"),
]
