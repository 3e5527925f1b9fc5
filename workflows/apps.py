from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("Workflows")

    def ready(self) -> None:
        from coordination.dashboard import register_panel

        from .selectors.cases import cases_owned_by

        def recent_cases(request):  # type: ignore[no-untyped-def]
            qs = cases_owned_by(user=request.user)
            return {"cases": list(qs[:5])}

        register_panel(
            key="workflows-cases",
            template="workflows/panels/cases.html",
            context=recent_cases,
            order=30,
            title=_("Recent cases of your organisations"),
        )
