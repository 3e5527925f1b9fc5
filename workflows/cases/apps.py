from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "workflows.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from coordination.dashboard import register_panel

        def recent_cases(request):  # type: ignore[no-untyped-def]
            """Shown to case officers and supervisors only (None hides the panel)."""
            from coordination.permissions import organisation_ids_for

            from .models import Case
            from .permissions import CASE_WORK_ROLES

            org_ids = organisation_ids_for(request.user, CASE_WORK_ROLES)
            if not org_ids:
                return None
            qs = Case.objects.filter(owner_id__in=org_ids).order_by("-created_at", "-id")
            return {"cases": list(qs[:5])}

        register_panel(
            key="workflows-cases",
            template="cases/panels/cases.html",
            context=recent_cases,
            order=30,
            title=_("Recent cases of your organisations"),
        )
