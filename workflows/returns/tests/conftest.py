"""Fixtures for the return procedure tests."""

from __future__ import annotations

from typing import Any

import pytest

from workflows.returns.tests.factories import World, fake_agreements, make_world


@pytest.fixture
def world(db: Any) -> World:
    return make_world()


@pytest.fixture
def agreements(monkeypatch: Any) -> dict[str, list[str]]:
    """Stand-in for the agreements' coverage selector: set
    agreements["return_reintegration"] / agreements["information_exchange"] to a list of titles."""
    return fake_agreements(monkeypatch)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """The world has a dozen users; hashing their passwords the production way is slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
