from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from concord.schedules import collect_schedules
from coordination.models import Role
from workflows.cases import tasks
from workflows.cases.models import Case
from workflows.cases.services.cases import case_close
from workflows.cases.services.protection import reflection_period_start
from workflows.cases.tests.factories import make_case

pytestmark = pytest.mark.django_db


def test_schedules_declare_the_case_tasks():
    names = {s.task for s in collect_schedules()}
    assert {
        "workflows.cases.tasks.anonymise_expired_cases",
        "workflows.cases.tasks.expire_reflection_periods",
    } <= names


def test_tasks_call_the_services_and_are_safe_twice(make_org, make_member, time_machine):
    org = make_org(kind="ngo", country="TH")
    officer = make_member(org, Role.CASE_OFFICER)
    case = make_case(org)
    time_machine.move_to(dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC), tick=False)
    reflection_period_start(case=case, actor=officer)
    case_close(case=case, actor=officer, reason="moved away")
    time_machine.move_to(timezone.now() + dt.timedelta(days=3651), tick=False)
    assert tasks.expire_reflection_periods() == 1
    assert tasks.anonymise_expired_cases() == 1
    assert tasks.anonymise_expired_cases() == 0
    assert Case.objects.get(pk=case.pk).is_anonymised
