"""Named safeguards of case work, consent, reflection, residence, children's safeguards and family
tracing. Each raises GuardFailed(code, message); messages never carry a person's identifying
details."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from concord.errors import GuardFailed

from .models import Case, CountrySettings, FamilyTracing, IdentificationState
from .permissions import can_act_for_child, can_work_on_case

__all__ = [
    "guard_actor_acts_for_child",
    "guard_actor_works_on_case",
    "guard_bid_on_site_for_return",
    "guard_bid_views_recorded",
    "guard_case_not_anonymised",
    "guard_case_open",
    "guard_child_case",
    "guard_consent_informed",
    "guard_family_not_complicit",
    "guard_formal_confirmation_exists",
    "guard_grounds_given",
    "guard_guardian_appointed",
    "guard_guardian_competent_appointer",
    "guard_guardian_not_suspected",
    "guard_identifying_authority",
    "guard_informed_in_language",
    "guard_no_downgrade_after_identification",
    "guard_presumed_for_reflection",
    "guard_reflection_ended_by_person",
    "guard_reflection_not_running",
    "guard_reflection_not_shortened",
    "guard_residence_ground",
    "guard_tracing_wished",
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


COMPETENT_APPOINTERS = ("child_protection", "prosecution_judiciary", "social_services")


def guard_consent_informed(
    *, informed_orally: bool, informed_in_writing: bool, language: str
) -> None:
    # seed 004:466 "informed orally and in writing, in a language they understand"; 004:471
    if not (informed_orally and informed_in_writing and (language or "").strip()):
        fields: dict[str, list[str]] = {}
        if not informed_orally:
            fields["informed_orally"] = [_("The person must be informed orally.")]
        if not informed_in_writing:
            fields["informed_in_writing"] = [_("The person must be informed in writing.")]
        if not (language or "").strip():
            fields["language"] = [_("Name the language the person understands.")]
        raise GuardFailed(
            "consent_not_informed",
            _(
                "Consent counts only when the person was informed orally and in writing, in a "
                "language they understand (seed 004:466)."
            ),
            fields=fields,
        )


def guard_presumed_for_reflection(*, case: Case) -> None:
    # seed 004:467 "Presumed victims of trafficking are afforded a period of reflection"
    if case.identification_state in (
        IdentificationState.FIRST_CONTACT,
        IdentificationState.NOT_IDENTIFIED,
    ):
        raise GuardFailed(
            "not_presumed_victim",
            _("A reflection period is offered to presumed victims (seed 004:467)."),
        )


def guard_reflection_not_running(*, running: Any) -> None:
    if running is not None:
        raise GuardFailed("reflection_running", _("A reflection period is already running."))


def guard_reflection_not_shortened(*, length_days: int, country_days: int) -> None:
    if length_days < country_days:
        raise GuardFailed(
            "reflection_too_short",
            _("The reflection period in this country is %(days)d days; it is not shortened.")
            % {"days": country_days},
            fields={"length_days": [_("At least %(days)d.") % {"days": country_days}]},
        )


def guard_reflection_ended_by_person(*, decided_by_person: bool, outcome: str) -> None:
    # seed 004:281 the period is for the person "to begin to recover ... and make a decision";
    # it ends early only by the person's own decision (returns: seed 004:316).
    if not decided_by_person or not outcome:
        raise GuardFailed(
            "not_persons_decision",
            _("A reflection period ends early only by the person's own recorded decision."),
            fields={"outcome": [_("Record the person's decision.")]},
        )


def guard_residence_ground(*, kind: str, ground: str) -> None:
    # seed 004:293-294 temporary or permanent stay, on a ground
    if kind in ("temporary", "permanent") and not ground:
        raise GuardFailed(
            "residence_ground_required",
            _("A temporary or permanent residence needs its ground."),
            fields={"ground": [_("This field is required.")]},
        )


def guard_child_case(*, case: Case) -> None:
    if not case.is_or_may_be_child:
        raise GuardFailed("not_a_child", _("This applies to a child's case only."))


def guard_actor_acts_for_child(*, actor: Any, case: Case) -> None:
    if not can_act_for_child(actor, case):
        raise PermissionDenied(
            _("Only the holding organisation or a child protection authority acts here.")
        )


def guard_guardian_competent_appointer(*, kind: str) -> None:
    # seed 004:314 child protection authorities "appoint legal guardians"
    if kind not in COMPETENT_APPOINTERS:
        raise GuardFailed(
            "appointer_not_competent",
            _("A guardian is appointed by a child protection authority or a court (seed 004:314)."),
            fields={"appointed_by": [_("Choose a child protection authority or a court.")]},
        )


def guard_guardian_not_suspected(
    *, is_accompanying_adult: bool, involvement_assessed: bool
) -> None:
    # seed 004:314 "If the child is accompanied, decisions must be made as to whether or not his or
    # her guardian can represent the child's best interests, for example if the guardian is
    # suspected of being involved in the child's trafficking or exploitation."
    if is_accompanying_adult and not involvement_assessed:
        raise GuardFailed(
            "guardian_suspected",
            _(
                "The accompanying adult may represent the child only once assessed as not "
                "involved in the trafficking (seed 004:314)."
            ),
            fields={"involvement_assessed": [_("Assess the adult's involvement first.")]},
        )


def guard_guardian_appointed(*, guardian: Any) -> None:
    if guardian is None:
        raise GuardFailed(
            "guardian_required",
            _("Appoint a guardian before the best-interests determination (seed 004:314)."),
        )


def guard_bid_views_recorded(*, child_views: str, weight_given: str) -> None:
    # seed 004:315 "Children should be consulted in determining what is in their best interests"
    if not (child_views or "").strip() or not (weight_given or "").strip():
        raise GuardFailed(
            "child_views_required",
            _(
                "Record the child's views and the weight given to them by age and maturity "
                "(seed 004:315)."
            ),
            fields={"child_views": [_("This field is required.")]},
        )


def guard_bid_on_site_for_return(*, outcome: str, on_site_done: bool) -> None:
    # seed 001:472 "possible conditions for return to the family must be evaluated beforehand by
    # an on-site investigation"
    if outcome in ("return_to_family", "return_to_origin") and not on_site_done:
        raise GuardFailed(
            "on_site_investigation_required",
            _(
                "A return must first be evaluated by an on-site investigation of its conditions "
                "(seed 001:472)."
            ),
            fields={"on_site_investigation_done": [_("Required for a return.")]},
        )


def guard_tracing_wished(*, case: Case, requested_by_person: bool, guardian: Any) -> None:
    # seed 004:307 family tracing for "a victim who wishes"; for a child the guardian decides with
    # the child's views (seed 004:315).
    if case.is_or_may_be_child:
        if guardian is None:
            raise GuardFailed(
                "guardian_required",
                _("For a child, family tracing is decided with a guardian appointed."),
            )
    elif not requested_by_person:
        raise GuardFailed(
            "not_persons_wish",
            _("Family tracing starts from the person's own wish (seed 004:307)."),
            fields={"requested_by_person": [_("Required.")]},
        )


def guard_family_not_complicit(*, tracing: FamilyTracing) -> None:
    # seed 004:307 "it is important to ensure that family members were not complicit in the
    # trafficking of the victim"
    if not tracing.complicity_assessed:
        raise GuardFailed(
            "complicity_not_assessed",
            _("Assess whether family members were complicit before reunification (seed 004:307)."),
        )
    if tracing.family_complicit:
        raise GuardFailed(
            "family_complicit",
            _("Family members were found complicit: reunification is not recommended."),
        )
