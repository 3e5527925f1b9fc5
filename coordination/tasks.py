"""Celery discovers the coordination app's tasks here."""

from .work.tasks import flag_overdue_action_items, refresh_statistics

__all__ = ["flag_overdue_action_items", "refresh_statistics"]
