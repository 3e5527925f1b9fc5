from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "agreements"
    verbose_name = _("Agreements")

    def ready(self) -> None:
        from coordination.dashboard import register_panel

        from . import selectors

        def context(request: Any) -> dict[str, Any] | None:
            from coordination.permissions import organisation_ids_for

            if not organisation_ids_for(request.user):
                return None  # acts for no organisation: no agreement concerns them
            return {"rows": list(selectors.agreements_needing_attention(user=request.user)[:6])}

        register_panel(
            key="agreements",
            template="agreements/panels/agreements.html",
            context=context,
            order=30,
            title=_("Agreements needing attention"),
        )
