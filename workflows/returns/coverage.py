"""What the agreements in force between the two States allow for a return procedure.

Reads the agreements app's coverage selector (contract in the helper brief):
`agreements.selectors.agreements_covering(*, procedure, party_a, party_b, target_groups=(),
on=None)`
with procedure codes "return_reintegration" and "information_exchange".
"""

from __future__ import annotations

from datetime import date
from typing import Any

from workflows.returns.models import ReturnProcedure

RETURN_PROCEDURE_CODE = "return_reintegration"
INFORMATION_EXCHANGE_CODE = "information_exchange"


def _covering(**kwargs: Any) -> Any:
    from agreements.selectors import agreements_covering

    return agreements_covering(**kwargs)


def target_groups_for(procedure: ReturnProcedure) -> tuple[str, ...]:
    return ("children",) if procedure.case.is_or_may_be_child else ("adults",)


def return_agreements_in_force(*, procedure: ReturnProcedure, on: date | None = None) -> list[str]:
    """Titles of the agreements in force between the two States that cover this return."""
    qs = _covering(
        procedure=RETURN_PROCEDURE_CODE,
        party_a=procedure.returning_country,
        party_b=procedure.receiving_country,
        target_groups=target_groups_for(procedure),
        on=on,
    )
    return [str(a) for a in qs]


def information_exchange_allowed(*, procedure: ReturnProcedure, on: date | None = None) -> bool:
    """Whether an agreement in force lets the two States exchange case information."""
    return _covering(
        procedure=INFORMATION_EXCHANGE_CODE,
        party_a=procedure.returning_country,
        party_b=procedure.receiving_country,
        target_groups=target_groups_for(procedure),
        on=on,
    ).exists()
