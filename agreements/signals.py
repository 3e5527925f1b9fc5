"""Domain signals of agreements, sent inside the service's transaction with
`sender=Agreement, instance=agreement, event=<AgreementEvent>, actor=user` (actor None for the
scheduler). Extra keyword arguments are listed per signal. The notifications app turns them into
outbox rows in the same transaction."""

from __future__ import annotations

from django.dispatch import Signal

agreement_drafted = Signal()
agreement_edited = Signal()  # + version=<AgreementVersion>, voided_signatures=<int>
agreement_partner_added = Signal()  # + organisation=<Organisation>
agreement_partner_removed = Signal()  # + organisation=<Organisation>
agreement_coverage_changed = Signal()
agreement_consultation_opened = Signal()
agreement_commented = Signal()  # + comment=<Comment>
agreement_comment_resolved = Signal()  # + comment=<Comment>
agreement_approved = Signal()  # + organisation=<Organisation>, version=<AgreementVersion>
agreement_ready_for_signature = Signal()
agreement_reopened = Signal()  # back to consultation after the text changed (signatures voided)
agreement_signed = Signal()  # + signature=<Signature>
agreement_signatures_voided = Signal()  # + count=<int>
agreement_in_force = Signal()
agreement_suspended = Signal()
agreement_resumed = Signal()
agreement_terminated = Signal()
agreement_expired = Signal()
agreement_superseded = Signal()  # + by=<Agreement> (the amendment now in force)
agreement_withdrawn = Signal()
agreement_amendment_started = Signal()  # instance=the new draft, + amends=<Agreement>
agreement_review_due = Signal()  # + review_date=<date>
agreement_expiry_approaching = Signal()  # + end_date=<date>
