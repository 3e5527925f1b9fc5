from typing import Any

from django.conf import settings
from django.http import HttpRequest


def concord(request: HttpRequest) -> dict[str, Any]:
    return {"CONCORD_DEMO": settings.CONCORD_DEMO, "LANGUAGES": settings.LANGUAGES}
