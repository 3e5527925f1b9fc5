"""Signal receivers: each domain signal named in `registry.RULES` records its notices, outbox rows
and webhook rows inside the sending service's transaction, and hands their ids to celery after
commit. Every other state signal of a referral, agreement or return only tells the pages showing
that object to refresh (after commit, through the same task).

Receivers are connected with `weak=False` and a `dispatch_uid`, once, in `AppConfig.ready()`.
"""

from __future__ import annotations

import importlib
from typing import Any

from django.dispatch import Signal

from . import dispatch, services
from .registry import RULES, Rule, resolve_signal

# Modules whose signals may change the state a page shows.
STATE_SIGNAL_MODULES = ("workflows.signals", "agreements.signals", "coordination.work.signals")


def _subject_dict(rule_subject: Any, event: Any) -> dict[str, Any]:
    return {
        "object_type": rule_subject.object_type,
        "object_id": rule_subject.object_id,
        "reference": rule_subject.reference,
        "state": rule_subject.state,
        "transition": getattr(event, "transition", ""),
    }


def _make_rule_receiver(rules: list[Rule]) -> Any:
    def receive(
        sender: Any, instance: Any, event: Any = None, actor: Any = None, **kw: Any
    ) -> None:
        kw.pop("signal", None)
        delivery_ids: list[int] = []
        webhook_ids: list[int] = []
        subject = None
        for rule in rules:
            recorded = services.notifications_record(
                rule=rule, instance=instance, event=event, actor=actor, extra=kw
            )
            delivery_ids += recorded.delivery_ids
            webhook_ids += recorded.webhook_ids
            subject = _subject_dict(rule.subject(instance), event)
        dispatch.publish_after_commit(
            delivery_ids=delivery_ids, webhook_ids=webhook_ids, subject=subject
        )

    return receive


def _subject_for(instance: Any) -> Any:
    from . import registry

    label = instance._meta.label_lower
    return {
        "workflows.referral": registry.referral_subject,
        "agreements.agreement": registry.agreement_subject,
        "workflows.returnprocedure": registry.return_subject,
        "coordination.actionitem": registry.item_subject,
        "coordination.meeting": registry.meeting_subject,
    }.get(label)


def _state_receiver(
    sender: Any, instance: Any = None, event: Any = None, actor: Any = None, **kw: Any
) -> None:
    make_subject = _subject_for(instance) if instance is not None else None
    if make_subject is None:
        return
    dispatch.publish_after_commit(
        delivery_ids=[], webhook_ids=[], subject=_subject_dict(make_subject(instance), event)
    )


def connect_all() -> None:
    by_signal: dict[str, list[Rule]] = {}
    for rule in RULES:
        by_signal.setdefault(rule.signal_path, []).append(rule)
    for path, rules in by_signal.items():
        resolve_signal(path).connect(
            _make_rule_receiver(rules), weak=False, dispatch_uid=f"notifications:{path}"
        )
    for module_path in STATE_SIGNAL_MODULES:
        module = importlib.import_module(module_path)
        for name, value in vars(module).items():
            path = f"{module_path}.{name}"
            if isinstance(value, Signal) and path not in by_signal:
                value.connect(_state_receiver, weak=False, dispatch_uid=f"notifications:{path}")
