"""Fixtures of reporting's tests: the returns tests' two-country world for the corridor board, and
the working side's coordination body for the annual report."""

from __future__ import annotations

from typing import Any

import pytest

from coordination.work.tests.factories import hold_meeting, make_body_world
from workflows.returns.tests.factories import World, fake_agreements, make_world


@pytest.fixture
def world(db: Any) -> World:
    return make_world()


@pytest.fixture
def agreements(monkeypatch: Any) -> dict[str, list[str]]:
    return fake_agreements(monkeypatch)


@pytest.fixture
def body_world(make_org: Any, make_member: Any) -> Any:
    return make_body_world(make_org, make_member)


@pytest.fixture
def held_meeting(body_world: Any) -> Any:
    return hold_meeting(body_world)
