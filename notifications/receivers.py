"""Signal receivers: each domain signal named in `registry.RULES` records its notices, outbox rows
and webhook rows inside the sending service's transaction, and hands their ids to celery after
commit. Every other state signal of a referral, agreement or return only tells the pages showing
that object to refresh (after commit, through the same task).

Receivers are connected with `weak=False` and a `dispatch_uid`, once, in `AppConfig.ready()`.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from django.dispatch import Signal

from agreements import signals as agreement_signals
from coordination.work import signals as work_signals
from workflows.cases import signals as case_signals
from workflows.referrals import signals as referral_signals
from workflows.returns import signals as return_signals

from . import dispatch, services
from .registry import RULES, Rule

# The apps' signal modules: any of their signals may change the state a page shows.
STATE_SIGNAL_MODULES: tuple[ModuleType, ...] = (
    work_signals,
    agreement_signals,
    case_signals,
    referral_signals,
    return_signals,
)


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
        "referrals.referral": registry.referral_subject,
        "agreements.agreement": registry.agreement_subject,
        "returns.returnprocedure": registry.return_subject,
        "work.actionitem": registry.item_subject,
        "work.meeting": registry.meeting_subject,
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
    by_signal: dict[Signal, list[Rule]] = {}
    for rule in RULES:
        by_signal.setdefault(rule.signal, []).append(rule)
    for module in STATE_SIGNAL_MODULES:
        for name, signal in vars(module).items():
            if not isinstance(signal, Signal):
                continue
            uid = f"notifications:{module.__name__}.{name}"
            if signal in by_signal:
                signal.connect(_make_rule_receiver(by_signal[signal]), weak=False, dispatch_uid=uid)
            else:
                signal.connect(_state_receiver, weak=False, dispatch_uid=uid)
    for signal, rules in by_signal.items():
        # a rule's signal outside those modules (none today) is connected all the same
        if not any(signal in vars(module).values() for module in STATE_SIGNAL_MODULES):
            uid = f"notifications:rule:{rules[0].kind}"
            signal.connect(_make_rule_receiver(rules), weak=False, dispatch_uid=uid)
