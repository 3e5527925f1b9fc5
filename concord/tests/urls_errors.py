"""Concord's URLs plus views that fail on purpose (to test error pages with DEBUG off)."""

from django.db import DatabaseError, OperationalError
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


DOWN = 'connection to server at "127.0.0.1", port 5432 failed: Connection refused'


def page_down(request):
    raise OperationalError(DOWN)


@api_view(["GET"])
def api_down(request):
    raise OperationalError(DOWN)


urlpatterns = [
    path("down/", page_down),
    path("api/down/", api_down),
    path("boom/", page_boom),
    path("api/boom/", api_boom),
    *project_urlpatterns,
]
