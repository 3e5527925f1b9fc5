"""Writes of agreements, re-exported here (`from agreements import services`): drafting.py (the
text, partners, coverage, compliance), lifecycle.py (consultation, approvals, signatures, entry into
force, suspension, termination, amendment, reminders), common.py (what they share). Every service
is atomic, locks the agreement row, checks the state (can_proceed), the actor's right, then the
named guards; changes the row through the django-fsm transition; writes one AgreementEvent; and
sends the domain signal, all in one transaction.

Text: every saved change makes a new immutable version (versioning.py). When the text changes
while the agreement awaits signatures, the signatures given to the old text are voided and the
agreement goes back to consultation; the outcome says how many were voided.
"""

from .common import *  # noqa: F403
from .drafting import *  # noqa: F403
from .lifecycle import *  # noqa: F403
