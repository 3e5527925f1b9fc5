"""Named safeguards of the agreement lifecycle. Each raises GuardFailed(code, message); the
services call them before the transition, so a refusal names its guard.

Codes: agreement_partners_too_few, agreement_drafter_not_partner, agreement_compliance_failed,
agreement_approvals_missing, agreement_signatures_missing, agreement_effective_date_not_reached,
agreement_end_date_not_reached, agreement_grounds_required, agreement_not_editable,
agreement_already_signed, agreement_partner_countries_missing, agreement_amendment_open.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from concord.errors import GuardFailed

from .compliance import ComplianceReport
from .models import Agreement, AgreementVersion


def guard_partners(*, agreement: Agreement, partner_org_ids: set[int]) -> None:
    """seed 004:457 "Partners to the commitment": an agreement has at least two partners, and the
    drafter's organisation is one of them."""
    if len(partner_org_ids) < 2:
        raise GuardFailed(
            "agreement_partners_too_few",
            _("An agreement needs at least two partners; it has %d.") % len(partner_org_ids),
        )
    if agreement.drafted_by_id not in partner_org_ids:
        raise GuardFailed(
            "agreement_drafter_not_partner",
            _("The drafting organisation must be one of the partners."),
        )


def guard_state_parties(*, agreement: Agreement, partner_countries: list[str | None]) -> None:
    """An agreement between States: each partner names the State it acts for, and there are two
    States (seed 001:529 "International cooperation among member states")."""
    if not agreement.template.between_states:
        return
    if any(not c for c in partner_countries) or len(set(partner_countries)) < 2:
        raise GuardFailed(
            "agreement_partner_countries_missing",
            _(
                "An agreement between States needs each partner to name the State it acts for, "
                "and at least two States."
            ),
        )


def guard_compliance(*, report: ComplianceReport) -> None:
    """seed 004:456-462, 001:521 MEAS, 001:529 MEAS ("at a minimum"): an agreement with a missing
    required element (or one a blocking rule finds too weak) cannot go to signature."""
    if not report.passes:
        raise GuardFailed(
            "agreement_compliance_failed",
            _("The agreement cannot go to signature: %s") % report.summary(),
            extra={
                "missing": [e.key for e in report.missing],
                "blocking": [e.key for e in report.blocking_weak],
            },
        )


def guard_all_approved(
    *, version: AgreementVersion, partner_names: dict[int, str], approved_org_ids: set[int]
) -> None:
    """Every partner approved the current version (an approval of an older text does not count)."""
    missing = [name for org_id, name in partner_names.items() if org_id not in approved_org_ids]
    if missing:
        raise GuardFailed(
            "agreement_approvals_missing",
            _("Not every partner approved version %(n)d: waiting for %(who)s.")
            % {"n": version.number, "who": ", ".join(missing)},
        )


def guard_all_signed(
    *, version: AgreementVersion, partner_names: dict[int, str], signed_org_ids: set[int]
) -> None:
    """seed 001:529 FWI "Cooperation formalized through signature of a cooperation agreement":
    every partner's authorised signatory signed this exact version hash."""
    missing = [name for org_id, name in partner_names.items() if org_id not in signed_org_ids]
    if missing:
        raise GuardFailed(
            "agreement_signatures_missing",
            _("Version %(n)d (%(hash)s) is not signed by %(who)s.")
            % {"n": version.number, "hash": version.short_hash, "who": ", ".join(missing)},
        )


def guard_effective_date(*, agreement: Agreement, today: date) -> None:
    """seed 001:521 MEAS "entry into force": not before its effective date."""
    if agreement.effective_date is None:
        raise GuardFailed(
            "agreement_effective_date_not_reached",
            _("The agreement has no effective date."),
        )
    if agreement.effective_date > today:
        raise GuardFailed(
            "agreement_effective_date_not_reached",
            _("The agreement enters into force on %s.") % agreement.effective_date.isoformat(),
        )


def guard_end_date_passed(*, agreement: Agreement, today: date) -> None:
    if agreement.end_date is None or agreement.end_date >= today:
        raise GuardFailed(
            "agreement_end_date_not_reached",
            _("The agreement has no end date, or its end date has not passed."),
        )


def guard_grounds(*, grounds: str) -> None:
    if not (grounds or "").strip():
        raise GuardFailed(
            "agreement_grounds_required",
            _("Give the grounds (they are recorded and shown to every partner)."),
            fields={"grounds": [_("This field is required.")]},
        )


def guard_editable(*, agreement: Agreement) -> None:
    if not agreement.is_editable:
        raise GuardFailed(
            "agreement_not_editable",
            _("An agreement in state %s cannot be edited; start an amendment.")
            % agreement.get_state_display(),
        )


def guard_not_signed_yet(*, already: bool, organisation_name: str) -> None:
    if already:
        raise GuardFailed(
            "agreement_already_signed",
            _("%s has already signed this version.") % organisation_name,
        )


def guard_no_open_amendment(*, open_amendments: int) -> None:
    if open_amendments:
        raise GuardFailed(
            "agreement_amendment_open",
            _("An amendment of this agreement is already being drafted."),
        )
