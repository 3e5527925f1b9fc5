"""Object permissions on return procedures (django-guardian, direct foreign-key tables), granted to
an organisation's group by the return services only, when the organisation becomes involved.

* `returns.view_returnprocedure` — the organisation is involved in the procedure (either side):
  it sees the procedure, its steps, its own State's part of the risk assessment, and the other
  State's part only as the agreements' information-exchange coverage allows
  (workflows.returns.coverage.information_exchange_allowed).
A `ReturnParticipant` row records the organisation's side, written in the same transaction.
An organisation that is not involved sees nothing (404), a ministry included: ministries see the
figures of their corridors on the board, never a procedure they are not part of.
"""

from __future__ import annotations

from guardian.shortcuts import assign_perm

from coordination.models import Organisation, Role
from workflows.returns.models import ReturnParticipant, ReturnProcedure, Side

VIEW_RETURN = "returns.view_returnprocedure"

# Roles that act on a return procedure (they sign in with a second factor).
RETURN_WORK_ROLES = (Role.CASE_OFFICER, Role.SUPERVISOR)


def return_grant(*, procedure: ReturnProcedure, organisation: Organisation, side: str) -> None:
    """Involve `organisation` on `side`: it may see the procedure from now on (idempotent)."""
    if side not in Side.values:
        raise ValueError(f"unknown side {side!r}")
    ReturnParticipant.objects.get_or_create(
        procedure=procedure, organisation=organisation, defaults={"side": side}
    )
    assign_perm(VIEW_RETURN, organisation.group, procedure)
