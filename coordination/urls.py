from django.urls import path

from . import views

app_name = "coordination"

urlpatterns = [
    path("directory/", views.directory, name="directory"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("organisations/<int:pk>/members/", views.members, name="members"),
    path("organisations/<int:pk>/members/add/", views.member_add, name="member-add"),
    path("organisations/<int:pk>/members/create/", views.member_create, name="member-create"),
    path(
        "organisations/<int:pk>/members/<int:membership_pk>/change/",
        views.member_change,
        name="member-change",
    ),
    path(
        "organisations/<int:pk>/members/<int:membership_pk>/end/",
        views.member_end,
        name="member-end",
    ),
    path("bodies/", views.body_list, name="bodies"),
    path("bodies/<int:pk>/", views.body_detail, name="body"),
]
