from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = _("Coordination")

    def ready(self) -> None:
        from .dashboard import register_panel
        from .selectors import bodies_of_user, memberships_of_user

        register_panel(
            key="coordination-organisations",
            template="coordination/panels/organisations.html",
            context=lambda request: {"memberships": list(memberships_of_user(user=request.user))},
            order=10,
            title=_("Your organisations"),
        )
        register_panel(
            key="coordination-bodies",
            template="coordination/panels/bodies.html",
            context=lambda request: {"bodies": list(bodies_of_user(user=request.user))},
            order=90,
            title=_("Your coordination bodies"),
        )
