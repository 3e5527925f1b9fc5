"""The dashboard is a column of panels that apps register.

An app adds its panel from its AppConfig.ready()::

    from coordination.dashboard import register_panel

    def ready(self):  # the cases app's (workflows/cases/apps.py)
        register_panel(
            key="workflows-cases",
            template="cases/panels/cases.html",
            context=recent_cases,  # request -> {"cases": [...]}, or None to hide the panel
            order=30,
            title=_("Recent cases of your organisations"),
        )

Contract:
- `key` is unique; registering the same key again replaces the panel (reloads stay harmless).
- `context(request)` returns the template's context; it runs only for a signed-in user (with a
  verified second factor where one is needed) and must make a fixed number of queries.
  Return `None` to hide the panel for this user (e.g. a role the panel does not concern).
- The template is rendered inside `<section class="card panel">` under the `title`; it must
  show an empty state that says what will appear there (`<p class="empty">...</p>`).
- Lower `order` comes first. Coordination's own panels use 10 (organisations) and 90 (bodies).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: Callable[[HttpRequest], dict[str, Any] | None]
    order: int
    title: Any = ""


_PANELS: dict[str, Panel] = {}


def register_panel(
    *,
    key: str,
    template: str,
    context: Callable[[HttpRequest], dict[str, Any] | None],
    order: int = 50,
    title: Any = "",
) -> Panel:
    panel = Panel(key=key, template=template, context=context, order=order, title=title)
    _PANELS[key] = panel
    return panel


def unregister_panel(key: str) -> None:
    _PANELS.pop(key, None)


def registered_panels() -> list[Panel]:
    return sorted(_PANELS.values(), key=lambda p: (p.order, p.key))


@dataclass(frozen=True)
class RenderedPanel:
    key: str
    title: Any
    html: SafeString


def render_panels(request: HttpRequest) -> list[RenderedPanel]:
    rendered: list[RenderedPanel] = []
    for panel in registered_panels():
        context = panel.context(request)
        if context is None:
            continue
        html = render_to_string(panel.template, context, request=request)
        rendered.append(RenderedPanel(panel.key, panel.title, mark_safe(html)))  # noqa: S308 - our template's output
    return rendered
