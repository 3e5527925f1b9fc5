from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _refer_child(sender: Any, instance: Any, actor: Any, receiver: Any, **kwargs: Any) -> None:
    """A child's case is referred to the child protection authority in the case service's own
    transaction (workflows.cases.signals.child_protection_referral_requested)."""
    from .services import referral_create_for_child_protection

    referral_create_for_child_protection(case=instance, receiver=receiver, actor=actor)


class ReferralsConfig(AppConfig):
    name = "workflows.referrals"
    label = "referrals"
    verbose_name = _("Referrals")

    def ready(self) -> None:
        from workflows.cases.sections import register_case_section, register_export_part
        from workflows.cases.signals import child_protection_referral_requested

        from .selectors import referral_htcds_records

        register_case_section(key="referrals", template="referrals/_case_section.html", order=10)
        register_export_part(key="cas_Referrals", records=referral_htcds_records)
        child_protection_referral_requested.connect(
            _refer_child, weak=False, dispatch_uid="referrals:child_protection"
        )
