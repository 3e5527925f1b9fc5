"""Fixtures for workflows tests."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def make_case(db: Any):
    """make_case(owner=None, state="presumed_victim", minor_status="adult", ...) -> Case."""
    from workflows.tests.factories import make_case as factory

    return factory
