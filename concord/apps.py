from django.apps import AppConfig


class ConcordConfig(AppConfig):
    name = "concord"
    verbose_name = "Concord core"
