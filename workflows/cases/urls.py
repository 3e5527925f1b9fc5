from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("cases/", views.case_list, name="case-list"),
    path("cases/new/", views.case_register_view, name="case-register"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/act/<slug:verb>/", views.case_action, name="case-action"),
    path("cases/<int:pk>/export.<str:fmt>", views.case_export, name="case-export"),
]
