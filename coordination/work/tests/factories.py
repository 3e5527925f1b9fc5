"""Factories of the working side's tests: a coordination body with its seats and users, and a
meeting held."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from coordination.models import BodySeat, CoordinationBody, Country, Role
from coordination.work import services


@dataclass
class World:
    body: Any
    secretariat: Any
    member: Any
    observer: Any
    outsider: Any
    sec_user: Any
    member_user: Any
    observer_user: Any
    outsider_user: Any
    sec_auditor: Any


def make_body_world(make_org: Any, make_member: Any) -> World:
    """A body with a secretariat, a member, an observer, and an outsider organisation, each with
    a user (and an auditor of the secretariat)."""
    th = Country.objects.get(code="TH")
    body = CoordinationBody.objects.create(
        name="National Anti-Trafficking Committee", kind="national_committee", country=th
    )
    sec = make_org(kind="government_ministry", country="TH", name="Ministry of Social Development")
    mem = make_org(kind="ngo", country="TH", name="Shelter NGO")
    obs = make_org(kind="international_organisation", country=None, name="IO Observer")
    out = make_org(kind="law_enforcement", country="KH", name="Outside Police")
    BodySeat.objects.create(body=body, organisation=sec, seat="secretariat")
    BodySeat.objects.create(body=body, organisation=mem, seat="member")
    BodySeat.objects.create(body=body, organisation=obs, seat="observer")
    return World(
        body=body,
        secretariat=sec,
        member=mem,
        observer=obs,
        outsider=out,
        sec_user=make_member(sec, Role.COORDINATOR, username="sec"),
        member_user=make_member(mem, Role.COORDINATOR, username="mem"),
        observer_user=make_member(obs, Role.COORDINATOR, username="obs"),
        outsider_user=make_member(out, Role.COORDINATOR, username="out"),
        sec_auditor=make_member(sec, Role.AUDITOR, username="secaud"),
    )


def hold_meeting(world: World) -> Any:
    """A quarterly meeting of the body, held two hours ago with the member present."""
    meeting = services.meeting_schedule(
        body=world.body,
        title="Quarterly meeting",
        starts_at=timezone.now() - timedelta(hours=2),
        place="Bangkok",
        agenda=["Opening", "Referral mechanism"],
        actor=world.sec_user,
    )
    services.attendance_record(meeting=meeting, organisation=world.member, actor=world.sec_user)
    return services.meeting_hold(meeting=meeting, actor=world.sec_user)
