"""Concord's URLs plus views that fail on purpose (to test error pages with DEBUG off)."""

from django.db import DatabaseError
from django.urls import path
from rest_framework.decorators import api_view

from concord.urls import *  # noqa: F403 - the whole project, handlers included
from concord.urls import urlpatterns as project_urlpatterns

LEAK = 'relation "secret_table" does not exist LINE 1: SELECT password FROM secret_table'


def page_boom(request):
    raise DatabaseError(LEAK)


@api_view(["GET"])
def api_boom(request):
    raise DatabaseError(LEAK)


urlpatterns = [
    path("boom/", page_boom),
    path("api/boom/", api_boom),
    *project_urlpatterns,
]
