"""Safeguards of referrals. Each raises GuardFailed(code, message) naming the rule and its seed."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from agreements import coverage as coverage_codes
from agreements.selectors import agreements_covering
from concord.errors import GuardFailed
from coordination.models import Organisation, OrganisationKind
from workflows.cases.models import Case, ConsentCategory
from workflows.cases.selectors import consent_allows_sharing, guardian_current

__all__ = [
    "case_target_groups",
    "guard_asylum_non_refoulement",
    "guard_case_open",
    "guard_child_accommodation_or_return",
    "guard_consent_to_refer",
    "guard_cross_border_legal_basis",
    "guard_not_self",
]

# Services whose referral puts a child somewhere or moves them (seed 004:314-317).
CHILD_PLACEMENT_SERVICES = frozenset({"shelter", "return_assistance"})


def case_target_groups(case: Case) -> list[str]:
    """The coverage codes for this person: kind of person, asylum, and forms of exploitation."""
    groups = [coverage_codes.CHILDREN if case.is_or_may_be_child else coverage_codes.ADULTS]
    if case.has_asylum_claim_or_refugee_status:
        groups.append(coverage_codes.ASYLUM_SEEKERS_REFUGEES)
    groups += [f for f in case.exploitation_forms if f in coverage_codes.EXPLOITATION_FORMS]
    return groups


def guard_not_self(*, sender: Organisation, receiver: Organisation) -> None:
    if sender.pk == receiver.pk:
        raise GuardFailed("referral_to_self", _("A referral goes to another organisation."))
    if not receiver.is_active:
        raise GuardFailed("receiver_inactive", _("The receiving organisation is not active."))


def guard_case_open(case: Case) -> None:
    if case.is_closed or case.is_anonymised:
        raise GuardFailed("case_closed", _("The case is closed: it cannot be referred."))


def guard_asylum_non_refoulement(*, case: Case, receiver: Organisation) -> None:
    """seed 004:119 "States should not contact the diplomatic representation of the country of
    origin for identification if a person has applied for asylum, or if there is reason to believe
    that a person is a refugee"; seed 001:530 "Ensure that no information on trafficking victims
    asylum application is shared with his or her country of origin". No referral, information
    request or share goes to any authority (a State actor) of the person's country of nationality,
    consular and diplomatic ones above all."""
    if not case.has_asylum_claim_or_refugee_status or case.nationality_id is None:
        return
    state = receiver.acts_for_country
    if state is not None and state.pk == case.nationality_id and receiver.is_state_actor:
        raise GuardFailed(
            "asylum_non_refoulement",
            _(
                "The person has applied for asylum or may be a refugee: nothing about them may go "
                "to an authority of their country of nationality (seed 004:119, seed 001:530). "
                "Refer them to the asylum authority instead."
            ),
            extra={"suggest_kind": OrganisationKind.ASYLUM_AUTHORITY},
        )


def guard_child_accommodation_or_return(
    *, case: Case, receiver: Organisation, service_codes: set[str]
) -> None:
    """seed 004:314: a child is referred to child protection authorities, for "the appointment of
    a legal guardian" and a best-interests determination; a child's referral that involves
    accommodation or return needs a guardian appointed, or goes to the child protection
    authority."""
    if not case.is_or_may_be_child or not (service_codes & CHILD_PLACEMENT_SERVICES):
        return
    if receiver.kind == OrganisationKind.CHILD_PROTECTION:
        return
    if guardian_current(case=case) is None:
        raise GuardFailed(
            "child_needs_guardian",
            _(
                "A child's referral for accommodation or return needs a guardian appointed first, "
                "or must go to the child protection authority (seed 004:314)."
            ),
        )


def guard_consent_to_refer(*, case: Case, receiver: Organisation, mandatory: bool = False) -> None:
    """seed 004:225 need-to-know: the summary goes only where the person's recorded consent
    covers it; a withdrawn consent stops further sharing at once. The immediate referral of a
    presumed child to child protection (seed 004:314) is `mandatory` and needs no consent."""
    if mandatory:
        return
    if not consent_allows_sharing(
        case=case, organisation=receiver, category=ConsentCategory.SUMMARY
    ):
        raise GuardFailed(
            "consent_missing",
            _(
                "The person's consent does not cover sharing their summary with this organisation "
                "(or it was withdrawn): record consent first (seed 004:225 need-to-know)."
            ),
        )


def guard_cross_border_legal_basis(
    *, case: Case, sender: Organisation, receiver: Organisation, on: Any = None
) -> Any:
    """A referral to an organisation of another State needs an agreement in force covering
    referral between the two (seed 001:529 cooperation "formalized through signature"; seed
    004:456-462 MOUs). Returns the agreement used, or None for a domestic referral."""
    a, b = sender.acts_for_country, receiver.acts_for_country
    if a is None or b is None or a.pk == b.pk:
        return None
    groups = case_target_groups(case)
    found = agreements_covering(
        procedure=coverage_codes.REFERRAL,
        party_a=sender,
        party_b=receiver,
        target_groups=groups,
        on=on or timezone.localdate(),
    ).first()
    if found is None:
        raise GuardFailed(
            "no_legal_basis",
            _(
                "No agreement in force covers referral between %(a)s and %(b)s for %(groups)s: a "
                "cross-border referral needs one (seed 001:529, seed 004:456)."
            )
            % {"a": a.name, "b": b.name, "groups": ", ".join(groups)},
            extra={
                "missing": {
                    "procedure": "referral",
                    "countries": [a.pk, b.pk],
                    "target_groups": groups,
                }
            },
        )
    return found
