"""Guards of case work. Each raises GuardFailed(code, message); messages never carry a person's
identifying details."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from concord.errors import GuardFailed

from ..models import Case, CountrySettings, IdentificationState
from ..permissions import can_work_on_case

__all__ = [
    "guard_actor_works_on_case",
    "guard_case_not_anonymised",
    "guard_case_open",
    "guard_formal_confirmation_exists",
    "guard_grounds_given",
    "guard_identifying_authority",
    "guard_informed_in_language",
    "guard_no_downgrade_after_identification",
]


def guard_actor_works_on_case(*, actor: Any, case: Case) -> None:
    """Only case officers and supervisors of the holding organisation act on a case (403)."""
    if not can_work_on_case(actor, case):
        raise PermissionDenied(
            _("Only case officers and supervisors of the holding organisation act on this case.")
        )


def guard_case_open(*, case: Case) -> None:
    if case.is_closed:
        raise GuardFailed("case_closed", _("The case is closed."))


def guard_case_not_anonymised(*, case: Case) -> None:
    if case.is_anonymised:
        raise GuardFailed("case_anonymised", _("The case has been anonymised."))


def guard_grounds_given(*, reason: str, what: str) -> None:
    if not (reason or "").strip():
        raise GuardFailed(
            "grounds_required",
            _("Give the grounds for %(what)s.") % {"what": what},
            fields={"reason": [_("This field is required.")]},
        )


def guard_no_downgrade_after_identification(*, case: Case) -> None:
    # seed 004:121 "the fact that the crime of 'trafficking in persons' could not be successfully
    # prosecuted does not mean that a person is not a victim."
    if case.identification_state in (IdentificationState.IDENTIFIED, IdentificationState.CONFIRMED):
        raise GuardFailed(
            "no_downgrade",
            _(
                "An identified victim is not ruled out afterwards: a failed prosecution does not "
                "mean that a person is not a victim (seed 004:121)."
            ),
        )


def guard_informed_in_language(*, informed: bool, language: str) -> None:
    # seed 004:117 "the person should be informed about the purpose, procedure, and consequences of
    # the interview ... in a language he or she understands"
    if not informed or not (language or "").strip():
        raise GuardFailed(
            "not_informed",
            _(
                "Record that the person was informed of the purpose, procedure and consequences "
                "of the interview, and in which language they understand (seed 004:117)."
            ),
            fields={"interview_language": [_("This field is required.")]},
        )


def guard_formal_confirmation_exists(*, case: Case) -> None:
    # seed 004:121 "This phase may only apply in some jurisdictions"
    conf = CountrySettings.objects.filter(country_id=case.country_of_identification_id).first()
    if conf is not None and not conf.has_formal_confirmation:
        raise GuardFailed(
            "no_formal_confirmation",
            _("This country has no formal confirmation of victim status (seed 004:121)."),
        )


def guard_identifying_authority(*, case: Case) -> None:
    # seed 004:117 the initial interview "allows appropriate authorities to verify that the person
    # is a victim"; seed 004:19 who they are varies by State (CountrySettings).
    conf = CountrySettings.objects.filter(country_id=case.country_of_identification_id).first()
    kinds = list(conf.identifying_authority_kinds) if conf is not None else []
    if kinds and case.owner.kind not in kinds:
        raise GuardFailed(
            "not_identifying_authority",
            _(
                "In this country victims are identified by another kind of organisation; refer "
                "the case to an identifying authority (seed 004:19, 004:117)."
            ),
        )
