"""The actions on a return procedure, shared by the pages and the API: each names its input
serializer (validation: a bad field is named) and the service it calls. Views hold no rules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from coordination.models import Country, Organisation
from workflows.returns import services as svc
from workflows.returns.models import (
    AlternativeKind,
    MonitoringVisit,
    ReceptionKind,
    ReintegrationService,
    ReturnProcedure,
    ServiceKind,
    ServiceStatus,
    Side,
    TravelDocumentKind,
)
from workflows.returns.schedule import OUTCOME_CHOICES


def _orgs() -> Any:
    return Organisation.objects.filter(is_active=True)


@extend_schema_serializer(component_name="ReturnReason")
class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema_serializer(component_name="ReturnGrounds")
class GroundsSerializer(serializers.Serializer):
    grounds = serializers.CharField(help_text="Written grounds (required).")


class ReassessSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why the risk is assessed again.")


class AlternativeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AlternativeKind.choices)
    grounds = serializers.CharField()
    third_country = serializers.PrimaryKeyRelatedField(
        queryset=Country.objects.all(), required=False, allow_null=True, default=None
    )


@extend_schema_serializer(component_name="ReturnConsent")
class ConsentSerializer(serializers.Serializer):
    language = serializers.CharField(allow_blank=True)
    informed_orally = serializers.BooleanField(default=False)
    informed_in_writing = serializers.BooleanField(default=False)
    interpreter_used = serializers.BooleanField(default=False)
    given_on = serializers.DateField(required=False, allow_null=True, default=None)


class ProceedingsSerializer(serializers.Serializer):
    proceedings_ongoing = serializers.BooleanField(default=False)
    person_requests_return = serializers.BooleanField(default=False)
    prosecution = serializers.PrimaryKeyRelatedField(
        queryset=_orgs(), required=False, allow_null=True, default=None
    )
    consulted_on = serializers.DateField(required=False, allow_null=True, default=None)
    prosecution_view = serializers.CharField(required=False, allow_blank=True, default="")


class OnSiteSerializer(serializers.Serializer):
    assessed_on = serializers.DateField()
    favours_return = serializers.BooleanField(default=False)
    findings = serializers.CharField()


class ReceptionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReceptionKind.choices)
    arrangements = serializers.CharField(required=False, allow_blank=True, default="")


class ArrangementSerializer(serializers.Serializer):
    description = serializers.CharField()


class EmptySerializer(serializers.Serializer):
    pass


class RatingSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=0, max_value=4)
    justification = serializers.CharField()


class RiskContributionSerializer(serializers.Serializer):
    side = serializers.ChoiceField(
        choices=Side.choices, required=False, allow_null=True, default=None
    )
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    ratings = serializers.DictField(
        child=RatingSerializer(), help_text="Factor code → {rating 0-4, justification}."
    )

    def to_internal_value(self, data: Any) -> Any:
        # A page form posts rating_<code> / justification_<code> fields: gather them.
        if hasattr(data, "getlist") and "ratings" not in data:
            ratings: dict[str, dict[str, Any]] = {}
            for key in data:
                if key.startswith("rating_"):
                    code = key[len("rating_") :]
                    ratings[code] = {
                        "rating": data.get(key),
                        "justification": data.get(f"justification_{code}", ""),
                    }
            data = {
                "side": data.get("side") or None,
                "summary": data.get("summary", ""),
                "ratings": ratings,
            }
        return super().to_internal_value(data)


class ServiceAddSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ServiceKind.choices)
    provider = serializers.PrimaryKeyRelatedField(queryset=_orgs())
    status = serializers.ChoiceField(choices=ServiceStatus.choices, default=ServiceStatus.PLANNED)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class ServiceStatusSerializer(serializers.Serializer):
    service = serializers.PrimaryKeyRelatedField(queryset=ReintegrationService.objects.all())
    status = serializers.ChoiceField(choices=ServiceStatus.choices)


class TravelDocumentSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TravelDocumentKind.choices)
    issuing_organisation = serializers.PrimaryKeyRelatedField(queryset=_orgs())
    issued_on = serializers.DateField()
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)


class MonthsField(serializers.ListField):
    """A list of months, or a comma-separated string of them (from a page form)."""

    child = serializers.IntegerField(min_value=1, max_value=60)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str):
            data = [data]
        if isinstance(data, list | tuple):
            flat: list[Any] = []
            for item in data:
                if isinstance(item, str):
                    flat.extend(p.strip() for p in item.split(",") if p.strip())
                else:
                    flat.append(item)
            data = flat
        return super().to_internal_value(data)


class ScheduleSerializer(serializers.Serializer):
    months = MonthsField(allow_empty=False, help_text="Months after handover, e.g. [1, 3, 6, 12].")


class VisitSerializer(serializers.Serializer):
    visit = serializers.PrimaryKeyRelatedField(queryset=MonitoringVisit.objects.all())
    outcome = serializers.ChoiceField(choices=OUTCOME_CHOICES)
    visited_on = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class StepAssignSerializer(serializers.Serializer):
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=_orgs(), required=False, allow_null=True, default=None
    )
    due_on = serializers.DateField(required=False, allow_null=True, default=None)


class ParticipantSerializer(serializers.Serializer):
    organisation = serializers.PrimaryKeyRelatedField(queryset=_orgs())


@dataclass(frozen=True)
class Action:
    name: str
    label: Any
    serializer: type[serializers.Serializer]
    run: Callable[[ReturnProcedure, Any, dict[str, Any]], Any]
    transition: bool = False


def _t(
    service: Callable[..., Any], **fixed: Any
) -> Callable[[ReturnProcedure, Any, dict[str, Any]], Any]:
    return lambda p, actor, data: service(procedure=p, actor=actor, **fixed, **data)


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        # transitions
        Action(
            "start-assessment",
            _("Start the risk assessment"),
            ReasonSerializer,
            _t(svc.return_start_assessment),
            True,
        ),
        Action(
            "submit-for-decision",
            _("Submit for decision"),
            ReasonSerializer,
            _t(svc.return_submit_for_decision),
            True,
        ),
        Action(
            "reassess",
            _("Reassess the risk (new version)"),
            ReassessSerializer,
            _t(svc.return_reassess),
            True,
        ),
        Action("approve", _("Approve the return"), GroundsSerializer, _t(svc.return_approve), True),
        Action(
            "grant-alternative",
            _("Grant an alternative"),
            AlternativeSerializer,
            _t(svc.return_grant_alternative),
            True,
        ),
        Action("cancel", _("Cancel"), GroundsSerializer, _t(svc.return_cancel), True),
        Action("depart", _("Depart (travel)"), ReasonSerializer, _t(svc.return_depart), True),
        Action(
            "hand-over", _("Record the handover"), ReasonSerializer, _t(svc.return_hand_over), True
        ),
        Action(
            "start-monitoring",
            _("Start monitoring"),
            ReasonSerializer,
            _t(svc.return_start_monitoring),
            True,
        ),
        Action("close", _("Close"), ReasonSerializer, _t(svc.return_close), True),
        # records
        Action(
            "consent",
            _("Record consent to return"),
            ConsentSerializer,
            _t(svc.return_consent_record),
        ),
        Action(
            "withdraw-consent",
            _("Record withdrawal of consent"),
            ReasonSerializer,
            _t(svc.return_consent_withdraw),
        ),
        Action(
            "proceedings",
            _("Record judicial proceedings check"),
            ProceedingsSerializer,
            _t(svc.return_proceedings_record),
        ),
        Action(
            "on-site-assessment",
            _("Record on-site assessment"),
            OnSiteSerializer,
            _t(svc.return_on_site_assessment_record),
        ),
        Action(
            "reception",
            _("Confirm reception"),
            ReceptionSerializer,
            _t(svc.return_reception_confirm),
        ),
        Action(
            "arrangement",
            _("Record an ad-hoc arrangement"),
            ArrangementSerializer,
            _t(svc.return_arrangement_record),
        ),
        Action(
            "approve-arrangement",
            _("Approve the arrangement (supervisor)"),
            EmptySerializer,
            _t(svc.return_arrangement_approve),
        ),
        Action(
            "risk-contribution",
            _("Submit your State's risk assessment"),
            RiskContributionSerializer,
            _t(svc.risk_contribution_submit),
        ),
        Action(
            "service",
            _("Add a reintegration service"),
            ServiceAddSerializer,
            _t(svc.reintegration_service_add),
        ),
        Action(
            "service-status",
            _("Change a service's status"),
            ServiceStatusSerializer,
            _t(svc.reintegration_service_set_status),
        ),
        Action(
            "travel-document",
            _("Record a travel document"),
            TravelDocumentSerializer,
            _t(svc.travel_document_record),
        ),
        Action(
            "schedule",
            _("Set the monitoring schedule"),
            ScheduleSerializer,
            _t(svc.monitoring_schedule_set),
        ),
        Action(
            "visit",
            _("Record a monitoring visit"),
            VisitSerializer,
            _t(svc.monitoring_visit_record),
        ),
        Action(
            "assign-step",
            _("Assign the current step"),
            StepAssignSerializer,
            _t(svc.return_step_assign),
        ),
        Action(
            "participant",
            _("Involve an organisation"),
            ParticipantSerializer,
            _t(svc.return_participant_add),
        ),
    ]
}


def run_action(name: str, *, procedure: ReturnProcedure, actor: Any, data: Any) -> Any:
    """Validate `data` with the action's serializer (ValidationError names the field) and call
    its service (which raises GuardFailed / ApplicationError / PermissionDenied)."""
    action = ACTIONS[name]
    serializer = action.serializer(data=data)
    serializer.is_valid(raise_exception=True)
    values = dict(serializer.validated_data)
    return action.run(procedure, actor, values)
