"""Writes of agreements. Every service is atomic, locks the agreement row, checks the state
(can_proceed), the actor's right, then the named guards; changes the row through the django-fsm
transition; writes one AgreementEvent; and sends the domain signal, all in one transaction.

Text: every saved change makes a new immutable version (versioning.py). When the text changes
while the agreement awaits signatures, the signatures given to the old text are voided and the
agreement goes back to consultation; the outcome says how many were voided.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_fsm import TransitionNotAllowed, can_proceed

from concord.errors import ApplicationError, GuardFailed
from concord.events import record_event
from coordination.models import Country, Organisation, Role

from . import coverage as codes
from . import guards, signals
from .compliance import ComplianceReport, ElementSpec, check
from .models import (
    Agreement,
    AgreementEvent,
    AgreementPartner,
    AgreementState,
    AgreementVersion,
    Approval,
    ClauseText,
    Comment,
    Coverage,
    CoverageEntry,
    RecommendedCommitment,
    Signature,
    Template,
    TemplateElement,
)
from .permissions import (
    agreement_grant,
    agreement_revoke,
    require_coordinator,
    signing_memberships,
)
from .selectors import coverage_codes, version_clauses
from .versioning import content_hash, normalise_text

S = AgreementState
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")
MAX_LANGUAGES = 2  # the documents render two languages side by side


@dataclass
class EditOutcome:
    agreement: Agreement
    version: AgreementVersion
    changed: bool
    voided_signatures: int = 0

    @property
    def message(self) -> str:
        if not self.changed:
            return _("Nothing changed.")
        text = _("Saved as version %(n)d (%(hash)s).") % {
            "n": self.version.number,
            "hash": self.version.short_hash,
        }
        if self.voided_signatures:
            text += " " + ngettext(
                "The text changed after it was signed: %(count)d signature was voided and the "
                "agreement is back in consultation.",
                "The text changed after it was signed: %(count)d signatures were voided and the "
                "agreement is back in consultation.",
                self.voided_signatures,
            ) % {"count": self.voided_signatures}
        return text


# --- helpers -----------------------------------------------------------------------------------
def _today() -> date:
    return timezone.localdate()


def _current(agreement: Agreement) -> AgreementVersion:
    """The current version (every agreement has one from its creation on)."""
    version = agreement.current_version
    assert version is not None, "an agreement always has a version"
    return version


def _lock(agreement: Agreement) -> Agreement:
    """Lock the agreement's row only (`of=("self",)`): a plain select_for_update over the
    select_related join would lock the template row too, so every agreement of a template would
    wait for one another, and an amendment entering into force (amendment, then the amended
    agreement) could deadlock with a transition on the amended agreement."""
    return (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("template")
        .get(pk=agreement.pk)
    )


def _require_state(agreement: Agreement, method_name: str) -> None:
    method = getattr(agreement, method_name)
    if not can_proceed(method):
        raise TransitionNotAllowed(
            _("%(step)s is not possible while the agreement is %(state)s.")
            % {"step": method_name.replace("_", " "), "state": agreement.get_state_display()},
            object=agreement,
            method=method,
        )


def _event(
    agreement: Agreement,
    *,
    actor: Any,
    transition: str,
    from_state: str,
    reason: str = "",
    payload: dict[str, Any] | None = None,
) -> AgreementEvent:
    return record_event(
        AgreementEvent,
        agreement=agreement,
        actor=actor,
        transition=transition,
        from_state=from_state,
        to_state=agreement.state,
        reason=reason,
        payload=payload or {},
    )


def _send(
    signal: Signal, agreement: Agreement, event: AgreementEvent, actor: Any, **kw: Any
) -> None:
    signal.send(sender=Agreement, instance=agreement, event=event, actor=actor, **kw)


def _partners(agreement: Agreement) -> list[AgreementPartner]:
    return list(agreement.partners.select_related("organisation", "country"))


def _partner_names(agreement: Agreement) -> dict[int, str]:
    return {p.organisation_id: str(p.organisation) for p in _partners(agreement)}


def _snapshot_meta(agreement: Agreement) -> dict[str, Any]:
    """The metadata a version binds, besides its clauses."""
    cov = coverage_codes(agreement)
    coverage = Coverage.objects.filter(agreement=agreement).first()
    return {
        "title": agreement.title,
        "kind": agreement.kind,
        "template": agreement.template.code,
        "languages": list(agreement.languages),
        "effective_date": agreement.effective_date.isoformat()
        if agreement.effective_date
        else None,
        "end_date": agreement.end_date.isoformat() if agreement.end_date else None,
        "duration_months": agreement.duration_months,
        "review_date": agreement.review_date.isoformat() if agreement.review_date else None,
        "amends": agreement.amends.reference if agreement.amends else None,
        "partners": [
            {
                "organisation": p.organisation_id,
                "name": str(p.organisation),
                "country": p.country_id,
                "mandate": p.mandate,
                "area_of_operation": p.area_of_operation,
            }
            for p in _partners(agreement)
        ],
        "coverage": {
            "countries": sorted(coverage.countries.values_list("code", flat=True))
            if coverage
            else [],
            "organisations": sorted(coverage.organisations.values_list("pk", flat=True))
            if coverage
            else [],
            **{dimension: sorted(values) for dimension, values in cov.items()},
        },
        "commitments": sorted(agreement.commitments.values_list("code", flat=True)),
    }


def _validate_clauses(
    agreement: Agreement, clauses: dict[str, dict[str, str]]
) -> dict[str, dict[str, str]]:
    keys = set(agreement.template.elements.values_list("key", flat=True))
    bad_keys = sorted(set(clauses) - keys)
    if bad_keys:
        raise ApplicationError(
            _("Unknown element(s) for this template: %s.") % ", ".join(bad_keys),
            code="unknown_element",
            fields={"clauses": [_("Unknown element(s): %s.") % ", ".join(bad_keys)]},
        )
    out: dict[str, dict[str, str]] = {}
    for key, texts in clauses.items():
        if not isinstance(texts, dict):
            raise ApplicationError(
                _("Each clause is given per language."),
                code="invalid",
                fields={"clauses": [_("%s: give {language: text}.") % key]},
            )
        for lang, text in texts.items():
            if lang not in agreement.languages:
                raise ApplicationError(
                    _("%(lang)s is not a language of this agreement.") % {"lang": lang},
                    code="unknown_language",
                    fields={
                        "clauses": [
                            _("%(key)s: unknown language %(lang)s.") % {"key": key, "lang": lang}
                        ]
                    },
                )
            out.setdefault(key, {})[lang] = normalise_text(str(text or ""))
    return out


def _new_version(
    agreement: Agreement,
    *,
    actor: Any,
    clauses: dict[str, dict[str, str]] | None = None,
    note: str = "",
) -> tuple[AgreementVersion, bool]:
    """Make a new version from the agreement's metadata and its current clauses overlaid with
    `clauses`; returns (version, created). An unchanged hash makes no version."""
    previous = agreement.current_version
    merged = version_clauses(previous)
    for key, texts in (clauses or {}).items():
        merged.setdefault(key, {}).update(texts)
    merged = {
        key: {lang: text for lang, text in texts.items() if lang in agreement.languages}
        for key, texts in merged.items()
    }
    meta = _snapshot_meta(agreement)
    digest = content_hash(meta=meta, clauses=merged)
    if previous is not None and previous.content_hash == digest:
        return previous, False
    version = AgreementVersion.objects.create(
        agreement=agreement,
        number=(previous.number + 1) if previous else 1,
        content_hash=digest,
        meta=meta,
        note=note[:300],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    elements = dict(agreement.template.elements.values_list("key", "pk"))
    ClauseText.objects.bulk_create(
        [
            ClauseText(version=version, element_id=elements[key], language=lang, text=text)
            for key, texts in merged.items()
            for lang, text in texts.items()
            if text and key in elements
        ]
    )
    agreement.current_version = version
    agreement.save()
    return version, True


def _record_change(
    agreement: Agreement,
    *,
    actor: Any,
    version: AgreementVersion,
    transition: str,
    reason: str = "",
    payload: dict[str, Any] | None = None,
) -> tuple[AgreementEvent, int]:
    """After a content change: the event row, and if signatures were pending, void them and
    go back to consultation (seed: a signature binds the exact text). Returns (event, voided)."""
    voided = 0
    from_state = agreement.state
    pending = Signature.objects.filter(agreement=agreement, voided_at__isnull=True).exclude(
        version=version
    )
    if agreement.state == S.AWAITING_SIGNATURES:
        voided = pending.update(
            voided_at=timezone.now(),
            void_reason=_("The text changed: version %d replaced the signed one.") % version.number,
        )
        agreement.reopen()
        agreement.save()
    event = _event(
        agreement,
        actor=actor,
        transition=transition,
        from_state=from_state,
        reason=reason,
        payload={
            **(payload or {}),
            "version": version.number,
            "hash": version.content_hash,
            "voided_signatures": voided,
        },
    )
    _send(
        signals.agreement_edited, agreement, event, actor, version=version, voided_signatures=voided
    )
    if from_state == S.AWAITING_SIGNATURES:
        _send(signals.agreement_reopened, agreement, event, actor)
        if voided:
            _send(signals.agreement_signatures_voided, agreement, event, actor, count=voided)
    return event, voided


def _validate_languages(languages: Iterable[str]) -> list[str]:
    langs = [str(code).strip().lower() for code in languages if str(code).strip()]
    langs = list(dict.fromkeys(langs))
    if not langs or len(langs) > MAX_LANGUAGES or not all(LANGUAGE_RE.match(c) for c in langs):
        raise ApplicationError(
            _("Give one or two language codes (e.g. en, km)."),
            code="invalid",
            fields={"languages": [_("One or two language codes, e.g. en, th.")]},
        )
    return langs


def _validate_dates(agreement: Agreement) -> None:
    if (
        agreement.effective_date
        and agreement.end_date
        and agreement.end_date < agreement.effective_date
    ):
        raise ApplicationError(
            _("The end date is before the effective date."),
            code="invalid",
            fields={"end_date": [_("Must be on or after the effective date.")]},
        )
    if (
        agreement.effective_date
        and agreement.review_date
        and agreement.review_date < agreement.effective_date
    ):
        raise ApplicationError(
            _("The review date is before the effective date."),
            code="invalid",
            fields={"review_date": [_("Must be on or after the effective date.")]},
        )
    if agreement.duration_months and agreement.effective_date and agreement.end_date is None:
        agreement.end_date = _add_months(agreement.effective_date, agreement.duration_months) - (
            timedelta(days=1)
        )


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    import calendar

    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _sync_coverage_party(agreement: Agreement, partner: AgreementPartner, *, add: bool) -> None:
    coverage, _created = Coverage.objects.get_or_create(agreement=agreement)
    if agreement.template.between_states and partner.country_id:
        if add:
            coverage.countries.add(partner.country)  # type: ignore[arg-type]
        elif (
            not agreement.partners.filter(country_id=partner.country_id)
            .exclude(pk=partner.pk)
            .exists()
        ):
            coverage.countries.remove(partner.country)  # type: ignore[arg-type]
    else:
        if add:
            coverage.organisations.add(partner.organisation_id)
        else:
            coverage.organisations.remove(partner.organisation_id)


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


# --- lifecycle ---------------------------------------------------------------------------------
@transaction.atomic
def agreement_open_consultation(*, agreement: Agreement, actor: Any) -> Agreement:
    """draft → consultation: at least two partners, the drafter's organisation among them (and,
    between States, each partner names its State)."""
    agreement = _lock(agreement)
    _require_state(agreement, "open_consultation")
    require_coordinator(actor, agreement)
    partners = _partners(agreement)
    guards.guard_partners(
        agreement=agreement, partner_org_ids={p.organisation_id for p in partners}
    )
    guards.guard_state_parties(
        agreement=agreement, partner_countries=[p.country_id for p in partners]
    )
    from_state = agreement.state
    agreement.open_consultation()
    agreement.save()
    event = _event(
        agreement,
        actor=actor,
        transition="open_consultation",
        from_state=from_state,
        payload={"version": agreement.current_version.number if agreement.current_version else 0},
    )
    _send(signals.agreement_consultation_opened, agreement, event, actor)
    return agreement


def _actor_org(actor: Any, agreement: Agreement, organisation: Organisation | None) -> int:
    org_ids = require_coordinator(actor, agreement)
    if organisation is not None:
        if organisation.pk not in org_ids:
            raise PermissionDenied(_("You are not a coordinator of that organisation."))
        return organisation.pk
    return min(org_ids)


@transaction.atomic
def comment_add(
    *,
    agreement: Agreement,
    actor: Any,
    text: str,
    element_key: str | None = None,
    parent: Comment | None = None,
    organisation: Organisation | None = None,
) -> Comment:
    """A partner's coordinator comments on an element (or answers a comment) on the current
    version, while the agreement is being drafted or negotiated."""
    agreement = _lock(agreement)
    guards.guard_editable(agreement=agreement)
    org_id = _actor_org(actor, agreement, organisation)
    if not (text or "").strip():
        raise ApplicationError(
            _("A comment needs text."), fields={"text": [_("This field is required.")]}
        )
    element = None
    if parent is not None:
        if parent.agreement_id != agreement.pk:
            raise ApplicationError(
                _("That comment belongs to another agreement."),
                fields={"parent": [_("Unknown comment.")]},
            )
        element = parent.element
    elif element_key:
        element = TemplateElement.objects.filter(
            template_id=agreement.template_id, key=element_key
        ).first()
        if element is None:
            raise ApplicationError(
                _("Unknown element %s.") % element_key,
                fields={"element": [_("Unknown element.")]},
            )
    comment = Comment.objects.create(
        agreement=agreement,
        version=_current(agreement),
        element=element,
        parent=parent,
        organisation_id=org_id,
        author=actor,
        text=text.strip(),
    )
    event = _event(
        agreement,
        actor=actor,
        transition="comment",
        from_state=agreement.state,
        payload={
            "comment": comment.pk,
            "element": element.key if element else None,
            "answer_to": parent.pk if parent else None,
        },
    )
    _send(signals.agreement_commented, agreement, event, actor, comment=comment)
    return comment


@transaction.atomic
def comment_resolve(*, comment: Comment, actor: Any) -> Comment:
    """Mark a comment (and its answers) resolved; a coordinator of a partner may."""
    agreement = _lock(comment.agreement)
    require_coordinator(actor, agreement)
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.resolved_at is not None:
        return comment
    if comment.parent_id:
        comment = Comment.objects.select_for_update().get(pk=comment.parent_id)
    now = timezone.now()
    Comment.objects.filter(pk=comment.pk).update(resolved_at=now, resolved_by=actor)
    comment.refresh_from_db()
    event = _event(
        agreement,
        actor=actor,
        transition="resolve_comment",
        from_state=agreement.state,
        payload={"comment": comment.pk},
    )
    _send(signals.agreement_comment_resolved, agreement, event, actor, comment=comment)
    return comment


@transaction.atomic
def agreement_approve(
    *, agreement: Agreement, actor: Any, organisation: Organisation | None = None
) -> Approval:
    """A partner (through one of its coordinators) approves the current version, in consultation."""
    agreement = _lock(agreement)
    if agreement.state != S.CONSULTATION:
        raise TransitionNotAllowed(
            _("A version is approved during consultation; the agreement is %s.")
            % agreement.get_state_display()
        )
    org_id = _actor_org(actor, agreement, organisation)
    version = _current(agreement)
    approval, created = Approval.objects.get_or_create(
        agreement=agreement,
        version=version,
        organisation_id=org_id,
        defaults={"approved_by": actor},
    )
    if created:
        event = _event(
            agreement,
            actor=actor,
            transition="approve",
            from_state=agreement.state,
            payload={
                "organisation": org_id,
                "version": version.number,
                "hash": version.content_hash,
            },
        )
        _send(
            signals.agreement_approved,
            agreement,
            event,
            actor,
            organisation=approval.organisation,
            version=version,
        )
    return approval


@transaction.atomic
def agreement_request_signatures(*, agreement: Agreement, actor: Any) -> Agreement:
    """consultation → awaiting signatures: the compliance check passes (the refusal names the
    missing elements) and every partner approved the current version."""
    agreement = _lock(agreement)
    _require_state(agreement, "request_signatures")
    require_coordinator(actor, agreement)
    partners = _partners(agreement)
    guards.guard_partners(
        agreement=agreement, partner_org_ids={p.organisation_id for p in partners}
    )
    guards.guard_compliance(report=compliance_report(agreement=agreement))
    version = _current(agreement)
    approved = set(
        Approval.objects.filter(agreement=agreement, version=version).values_list(
            "organisation_id", flat=True
        )
    )
    guards.guard_all_approved(
        version=version,
        partner_names={p.organisation_id: str(p.organisation) for p in partners},
        approved_org_ids=approved,
    )
    from_state = agreement.state
    agreement.request_signatures()
    agreement.save()
    event = _event(
        agreement,
        actor=actor,
        transition="request_signatures",
        from_state=from_state,
        payload={"version": version.number, "hash": version.content_hash},
    )
    _send(signals.agreement_ready_for_signature, agreement, event, actor)
    return agreement


@transaction.atomic
def agreement_sign(
    *,
    agreement: Agreement,
    actor: Any,
    version_hash: str,
    organisation: Organisation | None = None,
) -> Signature:
    """An authorised signatory (Membership.can_sign_agreements) of a partner signs the exact
    version whose hash they were shown. When every partner has signed and the effective date
    has come, the agreement enters into force in the same transaction."""
    agreement = _lock(agreement)
    if agreement.state != S.AWAITING_SIGNATURES:
        raise TransitionNotAllowed(
            _("The agreement is not awaiting signatures; it is %s.") % agreement.get_state_display()
        )
    memberships = signing_memberships(actor, agreement)
    if organisation is not None:
        memberships = [m for m in memberships if m.organisation_id == organisation.pk]
    if not memberships:
        raise PermissionDenied(_("Only a partner's authorised signatory may sign."))
    version = _current(agreement)
    if (version_hash or "").strip().lower() != version.content_hash:
        raise GuardFailed(
            "agreement_version_changed",
            _(
                "The text you were shown (%(given)s) is not the current version %(n)d (%(hash)s); "
                "read it again before signing."
            )
            % {
                "given": (version_hash or "")[:12] or "-",
                "n": version.number,
                "hash": version.short_hash,
            },
            fields={"version_hash": [_("Not the current version.")]},
        )
    signed = set(
        Signature.objects.filter(
            agreement=agreement, version=version, voided_at__isnull=True
        ).values_list("organisation_id", flat=True)
    )
    membership = next((m for m in memberships if m.organisation_id not in signed), None)
    guards.guard_not_signed_yet(
        already=membership is None, organisation_name=str(memberships[0].organisation)
    )
    assert membership is not None
    signature = Signature.objects.create(
        agreement=agreement,
        version=version,
        version_hash=version.content_hash,
        organisation=membership.organisation,
        signer=actor,
        signer_name=actor.get_full_name() or actor.get_username(),
        signer_title=membership.title,
    )
    event = _event(
        agreement,
        actor=actor,
        transition="sign",
        from_state=agreement.state,
        payload={
            "organisation": membership.organisation_id,
            "version": version.number,
            "hash": version.content_hash,
        },
    )
    _send(signals.agreement_signed, agreement, event, actor, signature=signature)
    signed.add(membership.organisation_id)
    partner_ids = set(agreement.partners.values_list("organisation_id", flat=True))
    if partner_ids <= signed and agreement.effective_date and agreement.effective_date <= _today():
        _enter_into_force(agreement, actor=actor)
    return signature


def _enter_into_force(agreement: Agreement, *, actor: Any) -> Agreement:
    today = _today()
    version = _current(agreement)
    signed = set(
        Signature.objects.filter(
            agreement=agreement,
            version=version,
            version_hash=version.content_hash,
            voided_at__isnull=True,
        ).values_list("organisation_id", flat=True)
    )
    guards.guard_all_signed(
        version=version, partner_names=_partner_names(agreement), signed_org_ids=signed
    )
    guards.guard_effective_date(agreement=agreement, today=today)
    from_state = agreement.state
    agreement.enter_into_force(on=today)
    agreement.save()
    event = _event(
        agreement,
        actor=actor,
        transition="enter_into_force",
        from_state=from_state,
        payload={"version": version.number, "hash": version.content_hash, "on": today.isoformat()},
    )
    _send(signals.agreement_in_force, agreement, event, actor)
    if agreement.amends_id:
        # the amended agreement stays in force until its amendment enters into force
        old = Agreement.objects.select_for_update().get(pk=agreement.amends_id)
        if can_proceed(old.supersede):
            old_from = old.state
            old.supersede(on=today)
            old.save()
            old_event = _event(
                old,
                actor=actor,
                transition="supersede",
                from_state=old_from,
                reason=_("Amendment %s entered into force.") % agreement.reference,
                payload={"by": agreement.reference},
            )
            _send(signals.agreement_superseded, old, old_event, actor, by=agreement)
    return agreement


@transaction.atomic
def agreement_bring_into_force(*, agreement: Agreement, actor: Any = None) -> Agreement:
    """awaiting signatures → in force: every partner signed this exact version hash and the
    effective date has come. Called by the daily task (actor None) or a partner's coordinator."""
    agreement = _lock(agreement)
    _require_state(agreement, "enter_into_force")
    if actor is not None:
        require_coordinator(actor, agreement)
    return _enter_into_force(agreement, actor=actor)


def _simple_transition(
    agreement: Agreement,
    *,
    method: str,
    actor: Any,
    signal: Signal,
    grounds: str = "",
    needs_grounds: bool = False,
    coordinator: bool = True,
    **kwargs: Any,
) -> Agreement:
    agreement = _lock(agreement)
    _require_state(agreement, method)
    if coordinator:
        require_coordinator(actor, agreement)
    if needs_grounds:
        guards.guard_grounds(grounds=grounds)
    from_state = agreement.state
    getattr(agreement, method)(**kwargs)
    agreement.save()
    event = _event(
        agreement,
        actor=actor,
        transition=method,
        from_state=from_state,
        reason=(grounds or "").strip(),
        payload={k: v.isoformat() if isinstance(v, date) else v for k, v in kwargs.items()},
    )
    _send(signal, agreement, event, actor)
    return agreement


@transaction.atomic
def agreement_suspend(*, agreement: Agreement, actor: Any, grounds: str) -> Agreement:
    """in force → suspended, by a partner's coordinator, with grounds. A suspended agreement
    covers nothing (selectors.agreements_covering)."""
    return _simple_transition(
        agreement,
        method="suspend",
        actor=actor,
        signal=signals.agreement_suspended,
        grounds=grounds,
        needs_grounds=True,
    )


@transaction.atomic
def agreement_resume(*, agreement: Agreement, actor: Any, grounds: str = "") -> Agreement:
    """suspended → in force."""
    return _simple_transition(
        agreement, method="resume", actor=actor, signal=signals.agreement_resumed, grounds=grounds
    )


@transaction.atomic
def agreement_terminate(*, agreement: Agreement, actor: Any, grounds: str) -> Agreement:
    """in force / suspended → terminated, by a partner's coordinator, with grounds; it stops
    covering anything from today."""
    return _simple_transition(
        agreement,
        method="terminate",
        actor=actor,
        signal=signals.agreement_terminated,
        grounds=grounds,
        needs_grounds=True,
        on=_today(),
    )


@transaction.atomic
def agreement_expire(*, agreement: Agreement, actor: Any = None) -> Agreement:
    """in force / suspended → expired once the end date has passed (the daily task). It was in
    force through its end date."""
    locked = _lock(agreement)
    _require_state(locked, "expire")
    guards.guard_end_date_passed(agreement=locked, today=_today())
    assert locked.end_date is not None
    return _simple_transition(
        locked,
        method="expire",
        actor=actor,
        signal=signals.agreement_expired,
        coordinator=False,
        on=locked.end_date + timedelta(days=1),
    )


@transaction.atomic
def agreement_withdraw(*, agreement: Agreement, actor: Any, grounds: str) -> Agreement:
    """Abandon a draft (or an agreement not yet in force), with grounds."""
    return _simple_transition(
        agreement,
        method="withdraw",
        actor=actor,
        signal=signals.agreement_withdrawn,
        grounds=grounds,
        needs_grounds=True,
    )


@transaction.atomic
def agreement_amend(*, agreement: Agreement, actor: Any, title: str | None = None) -> Agreement:
    """Start an amendment: a new draft copying the version in force (text, partners, coverage,
    commitments). The agreement stays in force until the amendment enters into force, which
    supersedes it."""
    agreement = _lock(agreement)
    if agreement.state not in (S.IN_FORCE, S.SUSPENDED):
        raise TransitionNotAllowed(
            _("Only an agreement in force (or suspended) is amended; it is %s.")
            % agreement.get_state_display()
        )
    org_ids = require_coordinator(actor, agreement)
    guards.guard_no_open_amendment(
        open_amendments=agreement.amendments.filter(
            state__in=[S.DRAFT, S.CONSULTATION, S.AWAITING_SIGNATURES]
        ).count()
    )
    drafter_id = agreement.drafted_by_id if agreement.drafted_by_id in org_ids else min(org_ids)
    base = agreement.signed_version or agreement.current_version
    amendment = Agreement(
        template=agreement.template,
        kind=agreement.kind,
        title=(title or agreement.title).strip()[:300],
        drafted_by_id=drafter_id,
        created_by=actor,
        languages=list(agreement.languages),
        effective_date=None,
        end_date=agreement.end_date,
        duration_months=None,
        review_date=agreement.review_date,
        amends=agreement,
    )
    amendment.save()
    amendment.commitments.set(agreement.commitments.all())
    old_cov = Coverage.objects.get(agreement=agreement)
    coverage = Coverage.objects.create(agreement=amendment)
    coverage.countries.set(old_cov.countries.all())
    coverage.organisations.set(old_cov.organisations.all())
    CoverageEntry.objects.bulk_create(
        [
            CoverageEntry(coverage=coverage, dimension=e.dimension, code=e.code)
            for e in old_cov.entries.all()
        ]
    )
    for p in _partners(agreement):
        AgreementPartner.objects.create(
            agreement=amendment,
            organisation=p.organisation,
            country=p.country,
            mandate=p.mandate,
            area_of_operation=p.area_of_operation,
            position=p.position,
        )
        agreement_grant(agreement=amendment, organisation=p.organisation)
    version, _created = _new_version(
        amendment,
        actor=actor,
        clauses=version_clauses(base),
        note=_("Amendment of %(ref)s version %(n)d")
        % {"ref": agreement.reference, "n": base.number if base else 0},
    )
    event = _event(
        amendment,
        actor=actor,
        transition="draft_amendment",
        from_state="",
        payload={
            "amends": agreement.reference,
            "version": version.number,
            "hash": version.content_hash,
        },
    )
    _send(signals.agreement_amendment_started, amendment, event, actor, amends=agreement)
    _event(
        agreement,
        actor=actor,
        transition="amendment_started",
        from_state=agreement.state,
        payload={"amendment": amendment.reference},
    )
    return amendment


# --- reminders (the daily task) ----------------------------------------------------------------
@transaction.atomic
def agreement_remind_review(*, agreement: Agreement, days_ahead: int) -> bool:
    """Send `agreement_review_due` once per review date, when it is within `days_ahead` days.
    Safe to run twice: returns False when already sent or not due."""
    agreement = _lock(agreement)
    today = _today()
    if (
        agreement.state not in (S.IN_FORCE, S.SUSPENDED)
        or agreement.review_date is None
        or agreement.review_date > today + timedelta(days=days_ahead)
        or agreement.review_notified_on == agreement.review_date
    ):
        return False
    Agreement.objects.filter(pk=agreement.pk).update(review_notified_on=agreement.review_date)
    event = _event(
        agreement,
        actor=None,
        transition="review_due",
        from_state=agreement.state,
        payload={"review_date": agreement.review_date.isoformat()},
    )
    _send(signals.agreement_review_due, agreement, event, None, review_date=agreement.review_date)
    return True


@transaction.atomic
def agreement_remind_expiry(*, agreement: Agreement, days_ahead: int) -> bool:
    """Send `agreement_expiry_approaching` once per end date, when it is within `days_ahead`."""
    agreement = _lock(agreement)
    today = _today()
    if (
        agreement.state not in (S.IN_FORCE, S.SUSPENDED)
        or agreement.end_date is None
        or agreement.end_date < today
        or agreement.end_date > today + timedelta(days=days_ahead)
        or agreement.expiry_notified_on == agreement.end_date
    ):
        return False
    Agreement.objects.filter(pk=agreement.pk).update(expiry_notified_on=agreement.end_date)
    event = _event(
        agreement,
        actor=None,
        transition="expiry_approaching",
        from_state=agreement.state,
        payload={"end_date": agreement.end_date.isoformat()},
    )
    _send(signals.agreement_expiry_approaching, agreement, event, None, end_date=agreement.end_date)
    return True
