from django.urls import path

from . import views

app_name = "returns"
urlpatterns = [
    path("returns/", views.return_list, name="return-list"),
    path("returns/new/", views.return_new, name="return-new"),
    path("returns/<int:pk>/", views.return_page, name="return-detail"),
    path("returns/<int:pk>/act/<slug:action>/", views.return_act, name="return-act"),
]
