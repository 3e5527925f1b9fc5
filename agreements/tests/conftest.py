"""Fixtures for the agreements tests."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _agreement_templates(db: Any) -> None:
    from agreements.tests.factories import ensure_templates

    ensure_templates()


@pytest.fixture
def th(db: Any):
    from coordination.models import Country

    return Country.objects.get(code="TH")


@pytest.fixture
def kh(db: Any):
    from coordination.models import Country

    return Country.objects.get(code="KH")
