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
            visible = selectors.agreements_visible_to(user=request.user)
            if not visible.exists():
                # no agreement concerns this user yet: the dashboard's "your work" placeholder
                # already says agreements will appear there
                return None
            return {"rows": list(selectors.agreements_needing_attention(user=request.user)[:6])}

        register_panel(
            key="agreements",
            template="agreements/panels/agreements.html",
            context=context,
            order=30,
            title=_("Agreements needing attention"),
        )
