"""Test factories for the directory. Other apps' tests use them through the root conftest."""

from __future__ import annotations

import itertools
from typing import Any

from django.contrib.auth import get_user_model
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from coordination.models import Country, Organisation, Role, Service
from coordination.services import membership_add, organisation_create

_seq = itertools.count(1)
PASSWORD = "correct horse battery staple"


def make_organisation(
    *,
    kind: str = "ngo",
    country: str | Country | None = "AT",
    name: str | None = None,
    services: list[str] | None = None,
    **fields: Any,
) -> Organisation:
    if isinstance(country, str):
        country = Country.objects.get(code=country)
    org = organisation_create(
        name=name or f"Organisation {next(_seq)}",
        kind=kind,
        country=country,
        **fields,
    )
    if services:
        org.services.set(Service.objects.filter(code__in=services))
    return org


def make_member_user(
    organisation: Organisation | None = None,
    role: str = Role.CASE_OFFICER,
    *,
    username: str | None = None,
    can_sign: bool = False,
    with_device: bool = True,
) -> Any:
    user = get_user_model().objects.create_user(
        username=username or f"user{next(_seq)}", password=PASSWORD, email="user@example.org"
    )
    if organisation is not None:
        membership_add(
            organisation=organisation,
            user=user,
            role=role,
            actor=None,
            can_sign_agreements=can_sign,
        )
    if with_device:
        TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return user


def login_verified(client: Any, user: Any) -> None:
    """Sign in as after password + TOTP: the session carries the verified device."""
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
