"""Fixtures for the return procedure tests."""

from __future__ import annotations

from typing import Any

import pytest

from workflows.tests.returns.factories import FakeAgreements, World, make_world


@pytest.fixture
def world(db: Any) -> World:
    return make_world()


@pytest.fixture
def agreements(monkeypatch: Any) -> dict[str, list[str]]:
    """Stand-in for the agreements' coverage selector: set
    agreements["return_reintegration"] / agreements["information_exchange"] to a list of titles."""
    covered: dict[str, list[str]] = {"return_reintegration": ["TH-KH MOU 2014"]}

    def fake(*, procedure: str, **_: Any) -> FakeAgreements:
        return FakeAgreements(covered.get(procedure, []))

    monkeypatch.setattr("workflows.returns.coverage._covering", fake)
    return covered


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """The world has a dozen users; hashing their passwords the production way is slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
