"""Drafting an agreement: creating it from a template, its details, partners and coverage, and
the compliance report of its current text."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from concord.errors import ApplicationError, GuardFailed
from coordination.models import Country, Organisation, Role

from .. import coverage as codes
from .. import guards, signals
from ..compliance import ComplianceReport, ElementSpec, check
from ..models import (
    Agreement,
    AgreementPartner,
    AgreementVersion,
    Coverage,
    CoverageEntry,
    RecommendedCommitment,
    Template,
)
from ..permissions import (
    agreement_grant,
    agreement_revoke,
    require_coordinator,
)
from ..selectors import coverage_codes, version_clauses
from .common import (
    EditOutcome,
    _event,
    _lock,
    _new_version,
    _record_change,
    _send,
    _sync_coverage_party,
    _validate_clauses,
    _validate_dates,
    _validate_languages,
)

__all__ = [
    "agreement_coverage_set",
    "agreement_create",
    "agreement_partner_add",
    "agreement_partner_remove",
    "agreement_partner_update",
    "agreement_update",
    "compliance_report",
    "coordinator_ids_of",
]


# --- drafting ----------------------------------------------------------------------------------
@transaction.atomic
def agreement_create(
    *,
    template: Template,
    title: str,
    drafted_by: Organisation,
    actor: Any,
    languages: Iterable[str] = ("en",),
    effective_date: date | None = None,
    end_date: date | None = None,
    duration_months: int | None = None,
    review_date: date | None = None,
    country: Country | None = None,
    clauses: dict[str, dict[str, str]] | None = None,
) -> Agreement:
    """Draft an agreement from a template for `drafted_by`, whose coordinator `actor` must be.
    The drafting organisation is the first partner (for an agreement between States, acting for
    `country` or its own State); version 1 is made at once."""
    if drafted_by.pk not in coordinator_ids_of(actor):
        raise PermissionDenied(_("Only a coordinator of the drafting organisation may draft."))
    if not (title or "").strip():
        raise ApplicationError(
            _("An agreement needs a title."), fields={"title": [_("This field is required.")]}
        )
    if not template.is_active:
        raise ApplicationError(
            _("This template is no longer offered."), fields={"template": [_("Inactive.")]}
        )
    agreement = Agreement(
        template=template,
        kind=template.kind,
        title=title.strip()[:300],
        drafted_by=drafted_by,
        created_by=actor,
        languages=_validate_languages(languages),
        effective_date=effective_date,
        end_date=end_date,
        duration_months=duration_months,
        review_date=review_date,
    )
    _validate_dates(agreement)
    agreement.save()
    Coverage.objects.create(agreement=agreement)
    partner = AgreementPartner.objects.create(
        agreement=agreement,
        organisation=drafted_by,
        country=(country or drafted_by.acts_for_country) if template.between_states else None,
        mandate=drafted_by.mandate,
        area_of_operation=drafted_by.areas_of_operation,
        position=0,
    )
    _sync_coverage_party(agreement, partner, add=True)
    agreement_grant(agreement=agreement, organisation=drafted_by)
    version, _created = _new_version(
        agreement,
        actor=actor,
        clauses=_validate_clauses(agreement, clauses or {}),
        note=_("Drafted from template %s") % template.code,
    )
    event = _event(
        agreement,
        actor=actor,
        transition="draft",
        from_state="",
        payload={
            "template": template.code,
            "version": version.number,
            "hash": version.content_hash,
        },
    )
    _send(signals.agreement_drafted, agreement, event, actor)
    return agreement


def coordinator_ids_of(user: Any) -> set[int]:
    from coordination.permissions import organisation_ids_for

    return organisation_ids_for(user, [Role.COORDINATOR])


_UNSET: Any = object()


@transaction.atomic
def agreement_update(
    *,
    agreement: Agreement,
    actor: Any,
    title: str | None = None,
    languages: Iterable[str] | None = None,
    effective_date: Any = _UNSET,
    end_date: Any = _UNSET,
    duration_months: Any = _UNSET,
    review_date: Any = _UNSET,
    clauses: dict[str, dict[str, str]] | None = None,
    commitments: Iterable[str] | None = None,
    note: str = "",
) -> EditOutcome:
    """Save a change of the text or metadata as a new version (none if nothing changed).
    Coordinators of a partner only, in draft, consultation or awaiting signatures."""
    agreement = _lock(agreement)
    guards.guard_editable(agreement=agreement)
    require_coordinator(actor, agreement)
    if title is not None:
        if not title.strip():
            raise ApplicationError(
                _("An agreement needs a title."), fields={"title": [_("This field is required.")]}
            )
        agreement.title = title.strip()[:300]
    if languages is not None:
        agreement.languages = _validate_languages(languages)
    if effective_date is not _UNSET:
        agreement.effective_date = effective_date
    if end_date is not _UNSET:
        agreement.end_date = end_date
    if duration_months is not _UNSET:
        agreement.duration_months = duration_months
    if review_date is not _UNSET:
        agreement.review_date = review_date
    _validate_dates(agreement)
    if commitments is not None:
        wanted = list(dict.fromkeys(commitments))
        found = list(RecommendedCommitment.objects.filter(code__in=wanted))
        unknown = sorted(set(wanted) - {c.code for c in found})
        if unknown:
            raise ApplicationError(
                _("Unknown commitment(s): %s.") % ", ".join(unknown),
                fields={"commitments": [_("Unknown: %s.") % ", ".join(unknown)]},
            )
        agreement.commitments.set(found)
    checked = _validate_clauses(agreement, clauses or {})
    agreement.save()
    version, changed = _new_version(agreement, actor=actor, clauses=checked, note=note)
    if not changed:
        return EditOutcome(agreement=agreement, version=version, changed=False)
    _event_row, voided = _record_change(
        agreement,
        actor=actor,
        version=version,
        transition="edit",
        reason=note,
        payload={"elements": sorted(checked)},
    )
    return EditOutcome(agreement=agreement, version=version, changed=True, voided_signatures=voided)


@transaction.atomic
def agreement_partner_add(
    *,
    agreement: Agreement,
    organisation: Organisation,
    actor: Any,
    country: Country | None = None,
    mandate: str | None = None,
    area_of_operation: str | None = None,
) -> EditOutcome:
    """Add a partner (its members then see the agreement). For an agreement between States the
    partner acts for `country` (default: the State the organisation acts for)."""
    agreement = _lock(agreement)
    guards.guard_editable(agreement=agreement)
    require_coordinator(actor, agreement)
    if not organisation.is_active:
        raise ApplicationError(
            _("This organisation is not active."), fields={"organisation": [_("Inactive.")]}
        )
    if agreement.partners.filter(organisation=organisation).exists():
        raise ApplicationError(
            _("%s is already a partner.") % organisation,
            code="already_partner",
            fields={"organisation": [_("Already a partner.")]},
        )
    partner = AgreementPartner.objects.create(
        agreement=agreement,
        organisation=organisation,
        country=(country or organisation.acts_for_country)
        if agreement.template.between_states
        else None,
        mandate=organisation.mandate if mandate is None else mandate,
        area_of_operation=organisation.areas_of_operation
        if area_of_operation is None
        else area_of_operation,
        position=agreement.partners.count(),
    )
    _sync_coverage_party(agreement, partner, add=True)
    agreement_grant(agreement=agreement, organisation=organisation)
    version, _changed = _new_version(agreement, actor=actor, note=_("Partner added"))
    event, voided = _record_change(
        agreement,
        actor=actor,
        version=version,
        transition="add_partner",
        payload={"organisation": organisation.pk},
    )
    _send(signals.agreement_partner_added, agreement, event, actor, organisation=organisation)
    return EditOutcome(agreement=agreement, version=version, changed=True, voided_signatures=voided)


@transaction.atomic
def agreement_partner_update(
    *,
    partner: AgreementPartner,
    actor: Any,
    mandate: str | None = None,
    area_of_operation: str | None = None,
    country: Country | None = None,
) -> EditOutcome:
    """Change a partner's mandate, area of operation or the State it acts for."""
    agreement = _lock(partner.agreement)
    guards.guard_editable(agreement=agreement)
    require_coordinator(actor, agreement)
    partner = AgreementPartner.objects.select_for_update().get(pk=partner.pk)
    if mandate is not None:
        partner.mandate = mandate.strip()
    if area_of_operation is not None:
        partner.area_of_operation = area_of_operation.strip()
    if country is not None and agreement.template.between_states:
        _sync_coverage_party(agreement, partner, add=False)
        partner.country = country
        _sync_coverage_party(agreement, partner, add=True)
    partner.save()
    version, changed = _new_version(agreement, actor=actor, note=_("Partner details changed"))
    if not changed:
        return EditOutcome(agreement=agreement, version=version, changed=False)
    _event_row, voided = _record_change(
        agreement,
        actor=actor,
        version=version,
        transition="edit_partner",
        payload={"organisation": partner.organisation_id},
    )
    return EditOutcome(agreement=agreement, version=version, changed=True, voided_signatures=voided)


@transaction.atomic
def agreement_partner_remove(*, partner: AgreementPartner, actor: Any) -> EditOutcome:
    """Remove a partner (not the drafting organisation); its members stop seeing the agreement."""
    agreement = _lock(partner.agreement)
    guards.guard_editable(agreement=agreement)
    require_coordinator(actor, agreement)
    if partner.organisation_id == agreement.drafted_by_id:
        raise GuardFailed(
            "agreement_drafter_not_partner",
            _("The drafting organisation stays a partner."),
        )
    organisation = partner.organisation
    _sync_coverage_party(agreement, partner, add=False)
    partner.delete()
    agreement_revoke(agreement=agreement, organisation=organisation)
    version, _changed = _new_version(agreement, actor=actor, note=_("Partner removed"))
    event, voided = _record_change(
        agreement,
        actor=actor,
        version=version,
        transition="remove_partner",
        payload={"organisation": organisation.pk},
    )
    _send(signals.agreement_partner_removed, agreement, event, actor, organisation=organisation)
    return EditOutcome(agreement=agreement, version=version, changed=True, voided_signatures=voided)


@transaction.atomic
def agreement_coverage_set(
    *,
    agreement: Agreement,
    actor: Any,
    countries: Iterable[Country | str] | None = None,
    organisations: Iterable[Organisation | int] | None = None,
    procedures: Iterable[str] | None = None,
    target_groups: Iterable[str] | None = None,
    data_categories: Iterable[str] | None = None,
) -> EditOutcome:
    """Set what the agreement covers (each argument given replaces that dimension). Coverage is
    part of the signed content: a change makes a new version."""
    agreement = _lock(agreement)
    guards.guard_editable(agreement=agreement)
    require_coordinator(actor, agreement)
    coverage, _created = Coverage.objects.get_or_create(agreement=agreement)
    if countries is not None:
        wanted = [c.pk if isinstance(c, Country) else str(c).upper() for c in countries]
        found = set(Country.objects.filter(code__in=wanted).values_list("code", flat=True))
        if unknown := sorted(set(wanted) - found):
            raise ApplicationError(
                _("Unknown country code(s): %s.") % ", ".join(unknown),
                fields={"countries": [_("Unknown: %s.") % ", ".join(unknown)]},
            )
        coverage.countries.set(Country.objects.filter(code__in=found))
    if organisations is not None:
        wanted_ids = {o.pk if isinstance(o, Organisation) else int(o) for o in organisations}
        found_ids = set(Organisation.objects.filter(pk__in=wanted_ids).values_list("pk", flat=True))
        if unknown_ids := sorted(wanted_ids - found_ids):
            raise ApplicationError(
                _("Unknown organisation(s)."),
                fields={"organisations": [_("Unknown: %s.") % ", ".join(map(str, unknown_ids))]},
            )
        coverage.organisations.set(found_ids)
    for dimension, values, field in (
        (codes.DIMENSION_PROCEDURE, procedures, "procedures"),
        (codes.DIMENSION_TARGET_GROUP, target_groups, "target_groups"),
        (codes.DIMENSION_DATA_CATEGORY, data_categories, "data_categories"),
    ):
        if values is None:
            continue
        values = list(dict.fromkeys(str(v) for v in values))
        if bad := codes.unknown_codes(dimension, values):
            raise ApplicationError(
                _("Unknown code(s): %s.") % ", ".join(bad),
                code="unknown_code",
                fields={field: [_("Unknown: %s.") % ", ".join(bad)]},
            )
        CoverageEntry.objects.filter(coverage=coverage, dimension=dimension).exclude(
            code__in=values
        ).delete()
        existing = set(
            CoverageEntry.objects.filter(coverage=coverage, dimension=dimension).values_list(
                "code", flat=True
            )
        )
        CoverageEntry.objects.bulk_create(
            [
                CoverageEntry(coverage=coverage, dimension=dimension, code=v)
                for v in values
                if v not in existing
            ]
        )
    version, changed = _new_version(agreement, actor=actor, note=_("Coverage changed"))
    if not changed:
        return EditOutcome(agreement=agreement, version=version, changed=False)
    event, voided = _record_change(
        agreement, actor=actor, version=version, transition="edit_coverage"
    )
    _send(signals.agreement_coverage_changed, agreement, event, actor)
    return EditOutcome(agreement=agreement, version=version, changed=True, voided_signatures=voided)


# --- compliance --------------------------------------------------------------------------------
def compliance_report(
    *,
    agreement: Agreement,
    clauses: dict[str, dict[str, str]] | None = None,
    version: AgreementVersion | None = None,
    target_groups: Iterable[str] | None = None,
    commitments: Iterable[str] | None = None,
) -> ComplianceReport:
    """The compliance report of `version` (default: current), or of unsaved `clauses` overlaid
    on it (the editor's live panel). Partners and coverage are the agreement's current ones."""
    version = version or agreement.current_version
    text = version_clauses(version)
    for key, texts in (clauses or {}).items():
        if isinstance(texts, dict):
            text.setdefault(key, {}).update({k: str(v or "") for k, v in texts.items()})
    elements = [
        ElementSpec(key=e.key, title=e.title, required=e.required, rules=list(e.rules or []))
        for e in agreement.template.elements.all()
    ]
    partners = [
        {
            "name": p.organisation.name,
            "acronym": p.organisation.acronym,
            "mandate": p.mandate,
            "area_of_operation": p.area_of_operation,
        }
        for p in agreement.partners.select_related("organisation")
    ]
    if target_groups is None:
        target_groups = coverage_codes(agreement)[codes.DIMENSION_TARGET_GROUP]
    if commitments is None:
        commitments = agreement.commitments.values_list("code", flat=True)
    return check(
        elements=elements,
        clauses=text,
        languages=agreement.languages,
        partners=partners,
        target_groups=target_groups,
        commitments_ticked=commitments,
        commitments_total=RecommendedCommitment.objects.count(),
    )
