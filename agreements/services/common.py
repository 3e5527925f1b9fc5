"""What the services of agreements share: locking, state checks, event rows and signals, the
version snapshot and the validation of clauses, languages and dates."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_fsm import TransitionNotAllowed, can_proceed

from concord.errors import ApplicationError
from concord.events import record_event

from .. import signals
from ..models import (
    Agreement,
    AgreementEvent,
    AgreementPartner,
    AgreementState,
    AgreementVersion,
    ClauseText,
    Coverage,
    Signature,
)
from ..selectors import coverage_codes, version_clauses
from ..versioning import content_hash, normalise_text

__all__ = [
    "EditOutcome",
]


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
