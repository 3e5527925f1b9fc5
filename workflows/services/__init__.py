"""Writes of workflows, one module per part (cases.py, protection.py, indicators.py; referrals.py;
returns.py), re-exported here: `from workflows.services import case_register`.

Contract with the referrals part: when a case becomes a (presumed) child's, `services/cases.py`
calls `workflows.services.referrals.referral_create_for_child_protection(*, case, receiver, actor)`
(receiver: the country's child protection authority) in the same transaction, if that function
exists; without an authority in the directory it sends `signals.child_protection_missing`.
"""

from .cases import *  # noqa: F403 - the services are the modules' public names
from .indicators import *  # noqa: F403
from .protection import *  # noqa: F403
from .referrals import *  # noqa: F403
from .registration import *  # noqa: F403
from .retention import *  # noqa: F403
