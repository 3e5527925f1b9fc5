from typing import Any

from django import template

from workflows.cases.permissions import can_work_on_case

from ..selectors import referrals_of_case

register = template.Library()


@register.simple_tag(takes_context=True)
def case_referrals(context: Any, case: Any) -> dict[str, Any]:
    """The case's referrals the user's organisations send or receive, and whether they may refer."""
    user = context["request"].user
    return {
        "referrals": list(referrals_of_case(user=user, case=case)),
        "may_refer": can_work_on_case(user, case) and not case.is_closed,
    }
