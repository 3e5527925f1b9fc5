"""Writes of case work, one module per topic (cases.py: registration, identification, minority,
closing; protection.py: consent, reflection, residence, guardian, best interests, family tracing;
indicators.py; registration.py: first contact in one step; retention.py), re-exported here:
`from workflows.cases.services import case_register`.

When a case becomes a (presumed) child's, `services/cases.py` sends
`signals.child_protection_referral_requested` with the country's child protection authority (the
referrals app creates the referral in the same transaction); without an authority in the
directory it sends `signals.child_protection_missing`.
"""

from .cases import *  # noqa: F403 - the services are the modules' public names
from .indicators import *  # noqa: F403
from .protection import *  # noqa: F403
from .registration import *  # noqa: F403
from .retention import *  # noqa: F403
