"""Named safeguards of workflows, one module per part (cases.py; referrals.py; returns.py).
Each raises `GuardFailed(code, message)` so a refusal names its guard."""

from .cases import *  # noqa: F403 - the guards are the modules' public names
from .protection import *  # noqa: F403
from .referrals import *  # noqa: F403
