"""API shapes for meetings, action items, plans, the Framework rows and the statistics."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from coordination.models import CoordinationBody, Organisation
from coordination.work.models import (
    ActionItem,
    ActionPlan,
    AgendaItem,
    Attendance,
    Decision,
    FrameworkItem,
    FrameworkRow,
    MeasureIndicator,
    Meeting,
    PlanMeasure,
    ProgressReport,
)


class WorkErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable code: a guard name (G-...), 'invalid', ...")
    detail = serializers.CharField()
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField())
    )


class AgendaItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgendaItem
        fields = ["id", "position", "title", "notes"]
        read_only_fields = ["id", "position"]


class MeetingAttendanceSerializer(serializers.ModelSerializer):
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    status = serializers.CharField(default="present", help_text="present | excused | absent")

    class Meta:
        model = Attendance
        fields = ["organisation", "organisation_name", "status", "representatives"]


class ActionItemSerializer(serializers.ModelSerializer):
    state = serializers.CharField(read_only=True, help_text="open | in_progress | done | cancelled")
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    evidence_file = serializers.SerializerMethodField()

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "body",
            "decision",
            "measure",
            "owner",
            "owner_name",
            "description",
            "due_on",
            "state",
            "is_overdue",
            "cancel_grounds",
            "evidence_link",
            "evidence_file",
            "completed_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_evidence_file(self, obj: ActionItem) -> bool:
        return bool(obj.evidence_file)


class ActionItemCreateSerializer(serializers.Serializer):
    body = serializers.PrimaryKeyRelatedField(queryset=CoordinationBody.objects.all())
    owner = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    description = serializers.CharField()
    due_on = serializers.DateField()
    measure = serializers.PrimaryKeyRelatedField(
        queryset=PlanMeasure.objects.all(), required=False, allow_null=True
    )


class DecisionActionItemSerializer(serializers.Serializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    description = serializers.CharField()
    due_on = serializers.DateField()
    measure = serializers.PrimaryKeyRelatedField(
        queryset=PlanMeasure.objects.all(), required=False, allow_null=True
    )


class MeetingDecisionSerializer(serializers.ModelSerializer):
    action_items = ActionItemSerializer(many=True, read_only=True)

    class Meta:
        model = Decision
        fields = ["id", "number", "text", "created_at", "action_items"]


class MeetingDecisionCreateSerializer(serializers.Serializer):
    text = serializers.CharField()
    action_items = DecisionActionItemSerializer(many=True, required=False)


class MeetingSerializer(serializers.ModelSerializer):
    state = serializers.CharField(
        read_only=True, help_text="scheduled | held | minutes_approved | cancelled"
    )
    agenda_items = AgendaItemSerializer(many=True, read_only=True)
    attendance = MeetingAttendanceSerializer(many=True, read_only=True)
    decisions = MeetingDecisionSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "body",
            "title",
            "starts_at",
            "place",
            "call_link",
            "state",
            "minutes",
            "held_at",
            "minutes_approved_at",
            "agenda_items",
            "attendance",
            "decisions",
        ]
        read_only_fields = fields


class MeetingListSerializer(serializers.ModelSerializer):
    state = serializers.CharField(
        read_only=True, help_text="scheduled | held | minutes_approved | cancelled"
    )

    class Meta:
        model = Meeting
        fields = ["id", "body", "title", "starts_at", "place", "call_link", "state"]
        read_only_fields = fields


class MeetingCreateSerializer(serializers.Serializer):
    body = serializers.PrimaryKeyRelatedField(queryset=CoordinationBody.objects.all())
    title = serializers.CharField(max_length=200)
    starts_at = serializers.DateTimeField()
    place = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    call_link = serializers.URLField(required=False, allow_blank=True, default="", max_length=200)
    agenda = serializers.ListField(
        child=serializers.CharField(max_length=300), required=False, default=list
    )


class StrictPatchSerializer(serializers.Serializer):
    """A partial change: every field optional, and a field it does not know is refused (400
    naming it) rather than silently ignored."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(getattr(self, "initial_data", {}) or {}) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {k: ["This field cannot be changed."] for k in unknown}
            )
        return attrs


class MeetingDetailsUpdateSerializer(StrictPatchSerializer):
    title = serializers.CharField(max_length=200, required=False)
    starts_at = serializers.DateTimeField(required=False)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    call_link = serializers.URLField(max_length=200, required=False, allow_blank=True)


class AgendaOrderSerializer(serializers.Serializer):
    order = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        allow_empty=False,
        help_text="The ids of every agenda item of the meeting, in their new order.",
    )


class PlanMeasureUpdateSerializer(StrictPatchSerializer):
    title = serializers.CharField(max_length=300, required=False)
    target = serializers.CharField(required=False, allow_blank=True)
    due_on = serializers.DateField(required=False, allow_null=True)
    budget_line = serializers.CharField(max_length=200, required=False, allow_blank=True)
    budget_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )


class AgendaItemCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)


class MeetingMinutesSerializer(serializers.Serializer):
    minutes = serializers.CharField(allow_blank=True)


class MeetingCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, required=False, default="")


class ActionItemCancelSerializer(serializers.Serializer):
    grounds = serializers.CharField(allow_blank=True, required=False, default="")


class PlanReviewNotesSerializer(serializers.Serializer):
    notes = serializers.CharField(allow_blank=True, required=False, default="")


class ActionItemCompleteSerializer(serializers.Serializer):
    evidence_link = serializers.URLField(
        required=False, allow_blank=True, default="", max_length=200
    )
    evidence_file = serializers.FileField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class FrameworkItemSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(
        read_only=True,
        help_text="objective | framework_indicator | measure | operational_indicator",
    )

    class Meta:
        model = FrameworkItem
        fields = ["code", "kind", "text", "seed_line", "note"]


class FrameworkRowSerializer(serializers.ModelSerializer):
    items = FrameworkItemSerializer(many=True, read_only=True)

    class Meta:
        model = FrameworkRow
        fields = ["code", "table", "pillar", "requirement", "seed_lines", "note", "items"]


class ProgressReportSerializer(serializers.ModelSerializer):
    evidence_file = serializers.SerializerMethodField()

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "indicator",
            "value",
            "reported_on",
            "narrative",
            "evidence_link",
            "evidence_file",
            "organisation",
            "created_at",
        ]
        read_only_fields = fields

    def get_evidence_file(self, obj: ProgressReport) -> bool:
        return bool(obj.evidence_file)


class ProgressReportCreateSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=14, decimal_places=2)
    reported_on = serializers.DateField()
    narrative = serializers.CharField(required=False, allow_blank=True, default="")
    evidence_link = serializers.URLField(
        required=False, allow_blank=True, default="", max_length=200
    )
    evidence_file = serializers.FileField(required=False, allow_null=True, default=None)


class MeasureIndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeasureIndicator
        fields = [
            "id",
            "measure",
            "framework_indicator",
            "name",
            "unit",
            "baseline",
            "target_value",
        ]
        read_only_fields = ["id", "measure"]


class MeasureIndicatorCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=300)
    framework_indicator = serializers.PrimaryKeyRelatedField(
        queryset=FrameworkItem.objects.all(), required=False, allow_null=True, default=None
    )
    unit = serializers.CharField(required=False, allow_blank=True, default="")
    baseline = serializers.DecimalField(max_digits=14, decimal_places=2)
    target_value = serializers.DecimalField(max_digits=14, decimal_places=2)


class PlanMeasureSerializer(serializers.ModelSerializer):
    indicators = MeasureIndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = PlanMeasure
        fields = [
            "id",
            "plan",
            "framework_row",
            "framework_measure",
            "title",
            "owner",
            "target",
            "due_on",
            "budget_line",
            "budget_amount",
            "indicators",
        ]
        read_only_fields = fields


class PlanMeasureCreateSerializer(serializers.Serializer):
    framework_row = serializers.PrimaryKeyRelatedField(queryset=FrameworkRow.objects.all())
    framework_measure = serializers.PrimaryKeyRelatedField(
        queryset=FrameworkItem.objects.all(), required=False, allow_null=True, default=None
    )
    title = serializers.CharField(max_length=300)
    owner = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    target = serializers.CharField(required=False, allow_blank=True, default="")
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    budget_line = serializers.CharField(required=False, allow_blank=True, default="")
    budget_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, default=None
    )


class ActionPlanSerializer(serializers.ModelSerializer):
    state = serializers.CharField(
        read_only=True,
        help_text="draft | adopted | in_implementation | under_review | updated",
    )

    class Meta:
        model = ActionPlan
        fields = [
            "id",
            "body",
            "title",
            "period_start",
            "period_end",
            "funding_requirements",
            "funding_sources",
            "version",
            "previous_version",
            "state",
            "adopted_on",
            "last_review_notes",
        ]
        read_only_fields = fields


class ActionPlanCreateSerializer(serializers.Serializer):
    body = serializers.PrimaryKeyRelatedField(queryset=CoordinationBody.objects.all())
    title = serializers.CharField(max_length=200)
    period_start = serializers.DateField(required=False, allow_null=True, default=None)
    period_end = serializers.DateField(required=False, allow_null=True, default=None)
    funding_requirements = serializers.CharField(required=False, allow_blank=True, default="")
    funding_sources = serializers.CharField(required=False, allow_blank=True, default="")


class MeasureIndicatorProgressSerializer(serializers.Serializer):
    indicator = MeasureIndicatorSerializer()
    latest_value = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    latest_on = serializers.DateField(allow_null=True)
    percent = serializers.IntegerField()
    achieved = serializers.BooleanField()


class PlanMeasureProgressSerializer(serializers.Serializer):
    measure = serializers.SerializerMethodField()
    indicators = MeasureIndicatorProgressSerializer(many=True)
    percent = serializers.IntegerField()
    status = serializers.CharField()
    is_late = serializers.BooleanField()
    items_total = serializers.IntegerField()
    items_done = serializers.IntegerField()
    items_overdue = serializers.IntegerField()

    def get_measure(self, obj: Any) -> dict[str, Any]:
        m = obj.measure
        return {
            "id": m.pk,
            "title": m.title,
            "framework_row": m.framework_row_id,
            "framework_measure": m.framework_measure_id,
            "owner": m.owner_id,
            "due_on": m.due_on.isoformat() if m.due_on else None,
        }


class PlanPillarProgressSerializer(serializers.Serializer):
    table = serializers.IntegerField()
    pillar = serializers.CharField()
    percent = serializers.IntegerField()
    late = serializers.IntegerField()
    measures = PlanMeasureProgressSerializer(many=True)
