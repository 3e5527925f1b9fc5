"""Writes of the working side, one module per kind of record, re-exported here
(`from coordination.work import services`): meetings (agenda, attendance, minutes, decisions),
action items, action plans (measures, indicators, progress reports).

Each service is atomic and runs: lock the row -> state check -> permission -> guards ->
transition -> save -> event row -> domain signal, all in one transaction, so a refused step changes
nothing and a notification is recorded with the change that caused it.
"""

from .action_items import *  # noqa: F403
from .meetings import *  # noqa: F403
from .plans import *  # noqa: F403
