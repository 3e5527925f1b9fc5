from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .selectors import organisations_directory


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "coordination/dashboard.html", {})


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    return render(
        request, "coordination/directory.html", {"organisations": organisations_directory()}
    )
