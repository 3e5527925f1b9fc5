from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReturnsConfig(AppConfig):
    name = "workflows.returns"
    label = "returns"
    verbose_name = _("Returns")

    def ready(self) -> None:
        from .panels import register_return_panels

        register_return_panels()
