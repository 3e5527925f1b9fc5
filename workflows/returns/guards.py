"""The safeguards of a return procedure, each a named function over plain values (`ReturnFacts`)
raising `GuardFailed(code, message)`; the message names the rule and the seed.

The services build the facts once (workflows.returns.selectors.return_facts) and call the guards
of the transition (`GUARDS_BY_TRANSITION`) before it; the page's checklist
(`guard_checklist`) evaluates every guard and says which hold and why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concord.errors import GuardFailed
from workflows.returns.risk import LEVEL_HIGH, LEVEL_VERY_HIGH


@dataclass(frozen=True)
class ReturnFacts:
    """Everything the return guards read, as plain values."""

    is_child: bool = False
    # voluntary
    consent_recorded: bool = False
    consent_withdrawn: bool = False
    # non-refoulement (seed 004:119, 004:341)
    asylum_status: str = "none"
    # reflection period (seed 004:281, 004:316)
    reflection_running: bool = False
    reflection_cut_short: bool = False  # ended early, not by the person's own decision
    # judicial proceedings (seed 001:483 MEAS)
    proceedings_checked: bool = False
    proceedings_ongoing: bool = False
    person_requests_return: bool = False
    prosecution_consulted: bool = False
    # child (seed 004:314, 004:317, 001:472 MEAS)
    guardian_appointed: bool = False
    bid_recorded: bool = False
    bid_favours_return: bool = False
    child_protection_accepted: bool = False
    on_site_assessment_recorded: bool = False
    on_site_assessment_favourable: bool = False
    # risk assessment (seed 001:302, 001:483 MEAS, 004:408)
    assessment_version: int | None = None
    returning_part_submitted: bool = False
    receiving_part_submitted: bool = False
    overall_level: str = ""
    # decision on a high risk
    decided_by_supervisor: bool = False
    decision_grounds: str = ""
    # legal basis (seed 001:483 MEAS, 004:418-419)
    agreements_in_force: tuple[str, ...] = ()
    arrangement_recorded: bool = False
    arrangement_approved_returning: bool = False
    arrangement_approved_receiving: bool = False
    # before travel (seed 004:408, 001:483 OBJ)
    reception_confirmed: bool = False
    reintegration_services: int = 0
    travel_documents: int = 0
    # monitoring (seed 004:355)
    visits_total: int = 0
    visits_open: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


# --- the safeguards --------------------------------------------------------------------------


def guard_voluntary(f: ReturnFacts) -> None:
    # seed 004:353 "Any return to countries of origin should, to the extent possible, be
    # voluntary"; seed 001:302 "the return of a trafficked person is undertaken on a voluntary
    # basis"
    if f.consent_withdrawn:
        raise GuardFailed(
            "return_consent_withdrawn",
            _(
                "Return must be voluntary: the person has withdrawn their consent to return "
                "(seed 004:353, seed 001:302)."
            ),
        )
    if not f.consent_recorded:
        raise GuardFailed(
            "return_not_voluntary",
            _(
                "Return must be voluntary: record the person's informed consent to return first "
                "(seed 004:353, seed 001:302, seed 001:481)."
            ),
        )


def guard_non_refoulement(f: ReturnFacts) -> None:
    # seed 004:341 "Principles of non-refoulement ... States cannot expel or return"; seed 001:483
    # MEAS "comply with the principle of non refoulement, including through referral to the asylum
    # procedure"; seed 004:119 "reason to believe that a person is a refugee".
    if f.asylum_status and f.asylum_status != "none":
        raise GuardFailed(
            "return_non_refoulement",
            _(
                "Non-refoulement: a pending asylum claim or refugee status (or reason to believe "
                "the person is a refugee) blocks return (seed 004:341, seed 001:483, seed 004:119)."
            ),
        )


def guard_reflection_period(f: ReturnFacts) -> None:
    # seed 004:281 a reflection period "to begin to recover ... and make a decision"; seed 004:316
    # children: "a reflection period during which no deportation should be carried out".
    if f.reflection_running:
        raise GuardFailed(
            "return_reflection_period",
            _(
                "The reflection period is running: it is not cut short unless the person has "
                "decided so themselves (seed 004:281, seed 004:316)."
            ),
        )
    if f.reflection_cut_short:
        raise GuardFailed(
            "return_reflection_period",
            _(
                "The reflection period was ended early without the person's own decision "
                "(seed 004:281, seed 004:316)."
            ),
        )


def guard_judicial_proceedings(f: ReturnFacts) -> None:
    # seed 001:483 MEAS "Ensure no relevant judicial proceedings involving a victim of trafficking
    # are ongoing before repatriating the victim"; 001:481 FWI "the status of any legal proceedings"
    if not f.proceedings_checked:
        raise GuardFailed(
            "return_proceedings_unchecked",
            _(
                "Record whether judicial proceedings involving the person are ongoing before "
                "repatriation (seed 001:483, table 2)."
            ),
        )
    if f.proceedings_ongoing and not (f.person_requests_return and f.prosecution_consulted):
        raise GuardFailed(
            "return_judicial_proceedings",
            _(
                "No repatriation while judicial proceedings involving the person are ongoing, "
                "unless the person asks for it and the prosecution has been consulted "
                "(seed 001:483, table 2)."
            ),
        )


def guard_child_safeguards(f: ReturnFacts) -> None:
    # seed 004:314 guardians and best-interest determinations; seed 004:317 "Return to the country
    # of origin shall in principle only be arranged if such return is in the best interests of the
    # child"; seed 001:483 MEAS "the special needs of trafficked children".
    if not f.is_child:
        return
    if not f.guardian_appointed:
        raise GuardFailed(
            "return_child_guardian",
            _("A child returns only with a guardian appointed (seed 004:314, seed 004:317)."),
        )
    if not f.bid_recorded:
        raise GuardFailed(
            "return_child_no_bid",
            _(
                "A child returns only on a best-interests determination: none is recorded "
                "(seed 004:317, seed 004:314)."
            ),
        )
    if not f.bid_favours_return:
        raise GuardFailed(
            "return_child_bid_against",
            _(
                "The best-interests determination does not favour return; return is not arranged "
                "(seed 004:317)."
            ),
        )
    if not f.child_protection_accepted:
        raise GuardFailed(
            "return_child_protection",
            _(
                "A child returns only when the child protection authority of the receiving State "
                "has accepted (seed 004:314, seed 001:483)."
            ),
        )


def guard_child_on_site_assessment(f: ReturnFacts) -> None:
    # seed 001:472 MEAS "The best interests of the child and possible conditions for return to the
    # family must be evaluated beforehand by an on-site investigation."
    if not f.is_child:
        return
    if not f.on_site_assessment_recorded:
        raise GuardFailed(
            "return_child_on_site",
            _(
                "For a child, the best interests and the conditions of return must be evaluated "
                "beforehand by an on-site assessment in the receiving State "
                "(seed 001:472, table 2)."
            ),
        )
    if not f.on_site_assessment_favourable:
        raise GuardFailed(
            "return_child_on_site_unfavourable",
            _(
                "The on-site assessment in the receiving State does not favour return "
                "(seed 001:472, table 2)."
            ),
        )


def guard_risk_assessment_complete(f: ReturnFacts) -> None:
    # seed 001:302 "any decision to return is preceded by a risk assessment"; seed 001:483 MEAS
    # "a proper risk assessment analysis procedure in the victims' country of origin"; seed 004:408
    # "State actors from both States will also need to coordinate in advance".
    if f.assessment_version is None:
        raise GuardFailed(
            "return_risk_assessment_missing",
            _("Any decision to return is preceded by a risk assessment (seed 001:302)."),
        )
    missing = []
    if not f.returning_part_submitted:
        missing.append(_("returning State"))
    if not f.receiving_part_submitted:
        missing.append(_("receiving State"))
    if missing:
        raise GuardFailed(
            "return_risk_assessment_incomplete",
            _(
                "The risk assessment needs the contributions of both States; missing: %(m)s "
                "(seed 001:302, seed 001:483, seed 004:408)."
            )
            % {"m": ", ".join(str(m) for m in missing)},
        )


def guard_legal_basis(f: ReturnFacts) -> None:
    # seed 001:483 MEAS "Safe return could be organized by bilateral and multilateral agreements";
    # seed 004:418-419 bilateral SOPs on identification and return.
    if f.agreements_in_force:
        return
    if (
        f.arrangement_recorded
        and f.arrangement_approved_returning
        and f.arrangement_approved_receiving
    ):
        return
    raise GuardFailed(
        "return_no_legal_basis",
        _(
            "No legal basis: no agreement in force between the two States covers this return, and "
            "no ad-hoc arrangement has been approved by a supervisor of each side (seed 001:483, "
            "seed 004:418)."
        ),
    )


def guard_risk_level(f: ReturnFacts) -> None:
    # seed 004:354 "Where there are ongoing safety concerns ... temporary or permanent residency in
    # the country of destination should be considered"; 004:353 relocation to a third State;
    # 001:302 "with due regard for his/her safety".
    if f.overall_level == LEVEL_VERY_HIGH:
        raise GuardFailed(
            "return_risk_very_high",
            _(
                "The overall risk is very high: return is blocked. Consider the alternatives: "
                "temporary or permanent residence in the country of destination, or relocation to "
                "a third State (seed 004:354, seed 004:353)."
            ),
        )
    if f.overall_level == LEVEL_HIGH and not (
        f.decided_by_supervisor and f.decision_grounds.strip()
    ):
        raise GuardFailed(
            "return_risk_high",
            _(
                "The overall risk is high: only a supervisor may approve return, with written "
                "grounds (seed 001:302, seed 004:354)."
            ),
        )


def guard_reception_confirmed(f: ReturnFacts) -> None:
    # seed 004:408 shelters "in both returning and receiving States will need to be engaged".
    if not f.reception_confirmed:
        raise GuardFailed(
            "return_reception_unconfirmed",
            _("Before travel the receiving State must confirm reception (seed 004:408)."),
        )


def guard_reintegration_plan(f: ReturnFacts) -> None:
    # seed 004:408 "coordinate in advance to develop and implement a plan for the social inclusion";
    # seed 002:79 "Reintegration assistance should be an integral part of voluntary return".
    if f.reintegration_services < 1:
        raise GuardFailed(
            "return_no_reintegration_plan",
            _(
                "Before travel a reintegration plan with at least one service must be in place "
                "(seed 004:408, seed 004:353, seed 002:79)."
            ),
        )


def guard_travel_documents(f: ReturnFacts) -> None:
    # seed 001:483 OBJ "issue the necessary travel documents for re-entry"; seed 004:408.
    if f.travel_documents < 1:
        raise GuardFailed(
            "return_no_travel_documents",
            _("Before travel the travel documents must be recorded (seed 001:483, seed 004:408)."),
        )


def guard_monitoring_done(f: ReturnFacts) -> None:
    # seed 004:355 returned victims "should be monitored"; seed 001:483 OPI monitoring tools.
    if f.visits_total == 0 or f.visits_open > 0:
        raise GuardFailed(
            "return_monitoring_open",
            _(
                "A return closes only when every scheduled monitoring visit has an outcome or was "
                "marked missed (seed 004:355, seed 001:483)."
            ),
        )


# --- which safeguards each transition needs ---------------------------------------------------

Guard = Callable[[ReturnFacts], None]

GUARD_INFO: dict[str, tuple[Guard, str]] = {
    "voluntary": (guard_voluntary, "seed 004:353, 001:302"),
    "non_refoulement": (guard_non_refoulement, "seed 004:341, 001:483"),
    "reflection_period": (guard_reflection_period, "seed 004:281, 004:316"),
    "judicial_proceedings": (guard_judicial_proceedings, "seed 001:483 (table 2)"),
    "child_safeguards": (guard_child_safeguards, "seed 004:314, 004:317"),
    "child_on_site_assessment": (guard_child_on_site_assessment, "seed 001:472 (table 2)"),
    "risk_assessment_complete": (guard_risk_assessment_complete, "seed 001:302, 004:408"),
    "legal_basis": (guard_legal_basis, "seed 001:483, 004:418"),
    "risk_level": (guard_risk_level, "seed 004:354, 004:353"),
    "reception_confirmed": (guard_reception_confirmed, "seed 004:408"),
    "reintegration_plan": (guard_reintegration_plan, "seed 004:408, 002:79"),
    "travel_documents": (guard_travel_documents, "seed 001:483, 004:408"),
    "monitoring_done": (guard_monitoring_done, "seed 004:355"),
}

GUARD_TITLES: dict[str, Any] = {
    "voluntary": gettext_lazy("Voluntary: informed consent to return recorded, not withdrawn"),
    "non_refoulement": gettext_lazy("Non-refoulement: no pending asylum claim or refugee status"),
    "reflection_period": gettext_lazy(
        "Reflection period not cut short without the person's decision"
    ),
    "judicial_proceedings": gettext_lazy(
        "No ongoing judicial proceedings (or the person asks, prosecution consulted)"
    ),
    "child_safeguards": gettext_lazy(
        "Child: guardian, best-interests determination for return, child protection accepted"
    ),
    "child_on_site_assessment": gettext_lazy(
        "Child: on-site assessment in the receiving State beforehand"
    ),
    "risk_assessment_complete": gettext_lazy("Risk assessment complete, both States contributed"),
    "legal_basis": gettext_lazy("Legal basis: agreement in force or approved ad-hoc arrangement"),
    "risk_level": gettext_lazy(
        "Risk level allows return (high: supervisor with grounds; very high: blocked)"
    ),
    "reception_confirmed": gettext_lazy("Receiving State confirmed reception"),
    "reintegration_plan": gettext_lazy("Reintegration plan in place"),
    "travel_documents": gettext_lazy("Travel documents recorded"),
    "monitoring_done": gettext_lazy("Every monitoring visit has an outcome"),
}

_BEFORE_DECISION = (
    "voluntary",
    "non_refoulement",
    "reflection_period",
    "judicial_proceedings",
    "child_safeguards",
    "child_on_site_assessment",
    "risk_assessment_complete",
    "legal_basis",
)
GUARDS_BY_TRANSITION: dict[str, tuple[str, ...]] = {
    "start_assessment": ("voluntary", "non_refoulement"),
    "submit_for_decision": ("risk_assessment_complete",),
    "approve": (*_BEFORE_DECISION, "risk_level"),
    "depart": (
        *_BEFORE_DECISION,
        "reception_confirmed",
        "reintegration_plan",
        "travel_documents",
    ),
    "close": ("monitoring_done",),
}


def applicable_transitions(name: str) -> list[str]:
    return [t for t, names in GUARDS_BY_TRANSITION.items() if name in names]


def run_guards(transition_name: str, facts: ReturnFacts) -> None:
    """Run the safeguards of `transition_name` in order; the first that fails raises."""
    for name in GUARDS_BY_TRANSITION.get(transition_name, ()):
        GUARD_INFO[name][0](facts)


@dataclass(frozen=True)
class ChecklistItem:
    name: str
    title: str
    holds: bool
    code: str
    message: str
    seed: str
    applies_to: tuple[str, ...]
    not_applicable: bool = False


def guard_checklist(facts: ReturnFacts) -> list[ChecklistItem]:
    """Every safeguard evaluated: which hold, which do not, and why (for the page and the API)."""
    items = []
    for name, (guard, seed) in GUARD_INFO.items():
        not_applicable = name.startswith("child_") and not facts.is_child
        try:
            guard(facts)
        except GuardFailed as exc:
            holds, code, message = False, exc.code, exc.message
        else:
            holds, code = True, ""
            message = _("Not applicable: not a child.") if not_applicable else _("Holds.")
        items.append(
            ChecklistItem(
                name=name,
                title=str(GUARD_TITLES[name]),
                holds=holds,
                code=code,
                message=message,
                seed=seed,
                applies_to=tuple(applicable_transitions(name)),
                not_applicable=not_applicable,
            )
        )
    return items


def guard_grounds_given(*, grounds: str, what: str) -> None:
    if not (grounds or "").strip():
        raise GuardFailed(
            "grounds_required",
            _("Give the grounds for %(what)s.") % {"what": what},
            fields={"grounds": [_("This field is required.")]},
        )


def guard_step_open(*, is_open: bool) -> None:
    if not is_open:
        raise GuardFailed(
            "return_step_closed",
            _("A past step is never edited: its record stays as it was."),
        )


def guard_date_not_future(*, value: date | None, field_name: str, today: date) -> None:
    if value is not None and value > today:
        raise GuardFailed(
            "date_in_future",
            _("The date cannot be in the future."),
            fields={field_name: [_("The date cannot be in the future.")]},
        )
