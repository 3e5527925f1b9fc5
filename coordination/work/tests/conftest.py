"""Fixtures for the working side of coordination bodies: a body with a secretariat, a member, an
observer, and an outsider organisation, each with a user."""

from __future__ import annotations

from typing import Any

import pytest

from coordination.work.tests.factories import World, hold_meeting, make_body_world


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # these tests create many users; the password hash strength is not what they test
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(make_org, make_member) -> World:
    return make_body_world(make_org, make_member)


@pytest.fixture
def held_meeting(world):
    return hold_meeting(world)
