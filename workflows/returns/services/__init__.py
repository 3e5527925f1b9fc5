"""Writes of return procedures, one module per stage of the procedure, re-exported here
(`from workflows.returns import services`). Each service is atomic, locks the procedure row,
checks who acts (their organisation takes part on the right side, in a case-work role), runs the
named safeguards (workflows.returns.guards), makes the django-fsm transition, saves, writes one
ReturnEvent and sends the domain signal, all in one transaction (transitions.py). A refused
transition also leaves a `blocked` event and sends `return_blocked`, in a transaction of its own
(the refused change itself rolls back).

No identifying detail of the person goes into an event payload, a signal or an error message.
"""

from .assessment import *  # noqa: F403
from .decision import *  # noqa: F403
from .monitoring import *  # noqa: F403
from .preparation import *  # noqa: F403
from .records import *  # noqa: F403
from .requests import *  # noqa: F403
