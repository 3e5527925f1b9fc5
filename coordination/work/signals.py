"""Domain signals of meetings, action items and action plans.

Every signal is sent by a service INSIDE its transaction with
``sender=<ModelClass>, instance=<obj>, event=<event row>, actor=<user or None>``; receivers (the
notifications app) write their outbox rows in that same transaction. Recipients: use
``coordination.work.selectors.action_item_recipient_organisations(item)`` (the owner organisation
and the body's secretariat) for action-item signals.
"""

from django.dispatch import Signal

meeting_scheduled = Signal()
meeting_held = Signal()
meeting_minutes_approved = Signal()
meeting_cancelled = Signal()
# title, date and time, place or call link of a scheduled meeting changed; the event row's payload
# holds {"changes": {field: {"from": old, "to": new}}}
meeting_details_changed = Signal()

action_item_assigned = Signal()  # created, or given to another owner organisation
action_item_started = Signal()
action_item_completed = Signal()
action_item_cancelled = Signal()
action_item_overdue = Signal()  # sent once per item by the daily overdue sweep

action_plan_adopted = Signal()
action_plan_implementation_started = Signal()
action_plan_review_opened = Signal()
action_plan_review_closed = Signal()
action_plan_updated = Signal()  # superseded by a new draft version (the new plan is `new_plan`)
plan_measure_changed = Signal()  # sender=PlanMeasure; the event row is the plan's `edit_measure`
progress_reported = Signal()
