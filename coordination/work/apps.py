from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkConfig(AppConfig):
    name = "coordination.work"
    label = "work"
    verbose_name = _("Work of coordination bodies")

    def ready(self) -> None:
        from .panels import register as register_panels

        register_panels()
