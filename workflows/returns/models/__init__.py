"""Models of return procedures (seeds 001 and 004, DOMAIN.md §6 and SM-7), re-exported here
(`from workflows.returns.models import ReturnProcedure`).

A `ReturnProcedure` carries one person's return from the State where they were identified (the
*returning* State) to their State of origin (the *receiving* State):

    requested → risk_assessment → decision → preparation → travel → handed_over → monitoring
    → closed
    decision → alternative (residence in the destination country, relocation to a third State)
    requested | risk_assessment | decision | preparation → cancelled          (with grounds)
    decision | preparation → risk_assessment                                   (reassessment)

Nothing of a past step is edited in place: each step visit is a `ReturnStep` row (closed when the
procedure leaves it), each transition a `ReturnEvent`, each record (consent, proceedings check,
on-site assessment, reception, approvals, risk assessment version, decision, travel document,
monitoring outcome) its own row; a reassessment is a new `RiskAssessment` version, and the decision
names the version it relied on. The transition bodies only set fields: the services
(workflows.returns.services) run the guards (workflows.returns.guards) first.

procedure.py: the procedure, its states, steps, participants, events and per-country settings;
records.py: what the safeguards read; assessment.py: risk assessment and decision; followup.py:
reintegration services, travel documents, post-return monitoring and alerts.
"""

from .assessment import *  # noqa: F403
from .followup import *  # noqa: F403
from .procedure import *  # noqa: F403
from .records import *  # noqa: F403
