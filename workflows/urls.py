from django.urls import path

from . import views, views_referrals, views_returns

app_name = "workflows"
urlpatterns = [
    path("referrals/", views_referrals.referral_inbox, name="referral-inbox"),
    path("referrals/outbox/", views_referrals.referral_outbox, name="referral-outbox"),
    path("referrals/<int:pk>/", views_referrals.referral_detail, name="referral-detail"),
    path(
        "referrals/<int:pk>/act/<slug:verb>/", views_referrals.referral_act, name="referral-action"
    ),
    path("cases/<int:case_pk>/refer/", views_referrals.referral_new, name="referral-new"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/new/", views.case_register_view, name="case-register"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/act/<slug:verb>/", views.case_action, name="case-action"),
    path(
        "cases/<int:pk>/export.<str:fmt>",
        views.case_export,
        name="case-export",
    ),
    # returns (issue 5)
    path("returns/", views_returns.return_list, name="return-list"),
    path("returns/new/", views_returns.return_new, name="return-new"),
    path("returns/board/", views_returns.return_board, name="return-board"),
    path("returns/board.csv", views_returns.return_board_csv, name="return-board-csv"),
    path("returns/<int:pk>/", views_returns.return_page, name="return-detail"),
    path("returns/<int:pk>/act/<slug:action>/", views_returns.return_act, name="return-act"),
]
