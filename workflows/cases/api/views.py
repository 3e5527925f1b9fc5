"""API of cases: summary and details as separate representations; transitions as POST actions.

Every read goes through `cases_visible_to` (hidden is 404); identifying details only through
`case_identifying_details` (permission-checked, logged); writes through services.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from coordination.models import Organisation, OrganisationKind

from .. import services
from ..export import case_htcds_record, htcds_csv
from ..models import (
    AgeBand,
    AgeGroup,
    AsylumStatus,
    BestInterestsOutcome,
    Case,
    ConsentCategory,
    ConsentPurpose,
    ExploitationForm,
    Gender,
    GuardianResponsibility,
    Indicator,
    MethodOfControl,
    MethodOfRecruitment,
    MinorStatus,
    PiiPurpose,
    ReflectionOutcome,
    ResidenceGround,
    ResidenceKind,
    SpecialNeed,
)
from ..selectors import (
    best_interests_latest,
    can_see_identifying_details,
    case_identifying_details,
    cases_visible_to,
    guardian_current,
    indicator_summary,
    pii_access_log_for,
    reflection_period_latest,
    residence_status_current,
)

# --- representations ------------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField())
    )


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input: `fields` names the field."),
    403: OpenApiResponse(ErrorSerializer, description="Not allowed for your role."),
    404: OpenApiResponse(ErrorSerializer, description="No such case visible to you."),
    409: OpenApiResponse(ErrorSerializer, description="Refused: `code` names the guard."),
}


class OrganisationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    country = serializers.CharField(source="country_id", allow_null=True)


class CaseSummarySerializer(serializers.ModelSerializer):
    """Need-to-know summary: no identifying detail."""

    owner = OrganisationRefSerializer()
    nationality = serializers.CharField(source="nationality_id", allow_null=True)
    country_of_identification = serializers.CharField(source="country_of_identification_id")
    is_or_may_be_child = serializers.BooleanField()
    has_asylum_claim_or_refugee_status = serializers.BooleanField()

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "owner",
            "gender",
            "age_group",
            "age_band",
            "minor_status",
            "is_or_may_be_child",
            "nationality",
            "country_of_identification",
            "identified_on",
            "exploitation_forms",
            "special_needs",
            "preferred_language",
            "interpreter_needed",
            "asylum_status",
            "has_asylum_claim_or_refugee_status",
            "identification_state",
            "status",
            "created_at",
        ]


class IdentifyingSerializer(serializers.Serializer):
    given_names = serializers.CharField(required=False, allow_blank=True)
    family_name = serializers.CharField(required=False, allow_blank=True)
    aliases = serializers.CharField(required=False, allow_blank=True)
    date_of_birth = serializers.CharField(required=False, allow_blank=True)
    contacts = serializers.CharField(required=False, allow_blank=True)
    identity_documents = serializers.CharField(required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True)


class EventSerializer(serializers.Serializer):
    occurred_at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    transition = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    reason = serializers.CharField()
    payload = serializers.DictField()


class CaseDetailsSerializer(CaseSummarySerializer):
    """Summary + identifying details + protection records (only for who may see details)."""

    identifying = serializers.SerializerMethodField()
    consents = serializers.SerializerMethodField()
    reflection_period = serializers.SerializerMethodField()
    residence_status = serializers.SerializerMethodField()
    guardian = serializers.SerializerMethodField()
    best_interests = serializers.SerializerMethodField()
    indicators = serializers.SerializerMethodField()

    class Meta(CaseSummarySerializer.Meta):
        fields = [
            *CaseSummarySerializer.Meta.fields,
            "methods_of_control",
            "methods_of_recruitment",
            "closed_at",
            "anonymised_at",
            "identifying",
            "consents",
            "reflection_period",
            "residence_status",
            "guardian",
            "best_interests",
            "indicators",
        ]

    @extend_schema_field(IdentifyingSerializer(allow_null=True))
    def get_identifying(self, case: Case) -> dict[str, str] | None:
        return self.context.get("identifying")

    def get_consents(self, case: Case) -> list[dict[str, Any]]:
        return [
            {
                "id": c.pk,
                "categories": c.categories,
                "purposes": c.purposes,
                "organisations": [o.pk for o in c.organisations.all()],
                "organisation_kinds": c.organisation_kinds,
                "given_on": c.given_on,
                "language": c.language,
                "informed_orally": c.informed_orally,
                "informed_in_writing": c.informed_in_writing,
                "withdrawn_at": c.withdrawn_at,
            }
            for c in case.consents.prefetch_related("organisations")
        ]

    def get_reflection_period(self, case: Case) -> dict[str, Any] | None:
        p = reflection_period_latest(case=case)
        if p is None:
            return None
        return {
            "id": p.pk,
            "started_on": p.started_on,
            "length_days": p.length_days,
            "ends_on": p.ends_on,
            "ended_on": p.ended_on,
            "end_kind": p.end_kind,
            "outcome": p.outcome,
            "running": p.is_running(),
            "days_left": p.days_left(),
        }

    def get_residence_status(self, case: Case) -> dict[str, Any] | None:
        r = residence_status_current(case=case)
        if r is None:
            return None
        return {
            "kind": r.kind,
            "ground": r.ground,
            "valid_from": r.valid_from,
            "valid_until": r.valid_until,
        }

    def get_guardian(self, case: Case) -> dict[str, Any] | None:
        g = guardian_current(case=case)
        if g is None:
            return None
        return {
            "id": g.pk,
            "guardian_name": g.guardian_name,
            "appointed_by": g.appointed_by_id,
            "appointed_on": g.appointed_on,
            "responsibilities": g.responsibilities,
        }

    def get_best_interests(self, case: Case) -> dict[str, Any] | None:
        b = best_interests_latest(case=case)
        if b is None:
            return None
        return {
            "id": b.pk,
            "determined_on": b.determined_on,
            "determined_by": b.determined_by_id,
            "outcome": b.outcome,
            "on_site_investigation_done": b.on_site_investigation_done,
            "child_views": b.child_views,
            "weight_given_to_views": b.weight_given_to_views,
        }

    def get_indicators(self, case: Case) -> dict[str, Any]:
        s = indicator_summary(case=case)
        return {
            "person_category": s.person_category,
            "counts": s.counts(),
            "by_weight": {
                w: [{"code": i["code"], "text": i["text"]} for i in items]
                for w, items in s.by_weight.items()
            },
            "suggestion": s.suggestion,
            "caveat": s.caveat,
        }


# --- inputs ------------------------------------------------------------------------------------


def _multi(choices: Any) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices=choices.choices), required=False
    )


class FactsSerializer(serializers.Serializer):
    gender = serializers.ChoiceField(Gender.choices, required=False)
    age_group = serializers.ChoiceField(AgeGroup.choices, required=False)
    age_band = serializers.ChoiceField(AgeBand.choices, required=False)
    minor_status = serializers.ChoiceField(MinorStatus.choices, required=False)
    nationality = serializers.CharField(required=False, allow_null=True, max_length=2)
    identified_on = serializers.DateField(required=False)
    exploitation_forms = _multi(ExploitationForm)
    methods_of_control = _multi(MethodOfControl)
    methods_of_recruitment = _multi(MethodOfRecruitment)
    asylum_status = serializers.ChoiceField(AsylumStatus.choices, required=False)
    special_needs = _multi(SpecialNeed)
    preferred_language = serializers.CharField(required=False, allow_blank=True, max_length=40)
    interpreter_needed = serializers.BooleanField(required=False)


class RegisterSerializer(FactsSerializer):
    owner = serializers.IntegerField(
        required=False, help_text="Organisation id; defaults to your only case-work organisation."
    )
    country_of_identification = serializers.CharField(required=False, max_length=2)
    identifying = IdentifyingSerializer(required=False)
    presume = serializers.BooleanField(required=False, default=False)
    indicators = serializers.ListField(child=serializers.CharField(), required=False)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class IdentifySerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)
    informed = serializers.BooleanField()
    interview_language = serializers.CharField(allow_blank=True, max_length=40)


class CloseSerializer(ReasonSerializer):
    referred = serializers.BooleanField(required=False, default=False)


class IndicatorsSerializer(serializers.Serializer):
    codes = serializers.ListField(child=serializers.CharField())
    note = serializers.CharField(required=False, allow_blank=True, default="")


class IndicatorRemoveSerializer(serializers.Serializer):
    code = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)


class ConsentSerializer(serializers.Serializer):
    categories = _multi(ConsentCategory)
    purposes = _multi(ConsentPurpose)
    organisations = serializers.ListField(child=serializers.IntegerField(), required=False)
    organisation_kinds = _multi(OrganisationKind)
    informed_orally = serializers.BooleanField()
    informed_in_writing = serializers.BooleanField()
    language = serializers.CharField(allow_blank=True, max_length=40)
    interpreter_used = serializers.BooleanField(required=False, default=False)


class ConsentWithdrawSerializer(ReasonSerializer):
    consent = serializers.IntegerField()


class ReflectionStartSerializer(serializers.Serializer):
    started_on = serializers.DateField(required=False)
    length_days = serializers.IntegerField(required=False, min_value=1)


class ReflectionEndSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(ReflectionOutcome.choices)
    decided_by_person = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ResidenceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(ResidenceKind.choices)
    ground = serializers.ChoiceField(ResidenceGround.choices, required=False, allow_blank=True)
    valid_from = serializers.DateField(required=False)
    valid_until = serializers.DateField(required=False)


class GuardianSerializer(serializers.Serializer):
    guardian_name = serializers.CharField(allow_blank=True)
    appointed_by = serializers.IntegerField()
    is_accompanying_adult = serializers.BooleanField(required=False, default=False)
    involvement_assessed = serializers.BooleanField(required=False, default=False)
    responsibilities = _multi(GuardianResponsibility)


class BestInterestsSerializer(serializers.Serializer):
    determined_by = serializers.IntegerField()
    child_views = serializers.CharField(allow_blank=True)
    weight_given_to_views = serializers.CharField(allow_blank=True)
    outcome = serializers.ChoiceField(BestInterestsOutcome.choices)
    on_site_investigation_done = serializers.BooleanField(required=False, default=False)
    reasoning = serializers.CharField(required=False, allow_blank=True, default="")


class TracingRequestSerializer(serializers.Serializer):
    requested_by_person = serializers.BooleanField()


class TracingActionSerializer(serializers.Serializer):
    tracing = serializers.IntegerField()
    action = serializers.ChoiceField(list(services.protection.TRACING_ACTIONS))
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ComplicitySerializer(serializers.Serializer):
    tracing = serializers.IntegerField()
    family_complicit = serializers.BooleanField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class PiiLogSerializer(serializers.Serializer):
    accessed_at = serializers.DateTimeField()
    user = serializers.CharField(source="user.username", allow_null=True, default=None)
    organisation = serializers.CharField(source="organisation.name", allow_null=True, default=None)
    purpose = serializers.CharField()
    channel = serializers.CharField()


class IndicatorSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category_id")

    class Meta:
        model = Indicator
        fields = ["code", "category", "text", "seed_line"]


# --- views ---------------------------------------------------------------------------------------


def _org(pk: int, field: str) -> Organisation:
    org = Organisation.objects.filter(pk=pk, is_active=True).first()
    if org is None:
        from concord.errors import ApplicationError

        raise ApplicationError("Unknown organisation.", fields={field: ["Unknown organisation."]})
    return org


def _valid(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _summary(case: Case) -> Response:
    case = Case.objects.select_related("owner", "nationality").get(pk=case.pk)
    return Response(CaseSummarySerializer(case).data)


def _action(request_serializer: Any, description: str) -> Any:
    return extend_schema(
        request=request_serializer,
        responses={200: CaseSummarySerializer, **ERRORS},
        description=description,
    )


class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Cases the user's organisations hold or were granted. `GET /api/cases/{id}/` is the
    need-to-know summary; `GET /api/cases/{id}/details/` adds identifying details (logged)."""

    serializer_class = CaseSummarySerializer
    filterset_fields = ["identification_state", "status", "minor_status", "owner"]

    def get_queryset(self) -> Any:
        return cases_visible_to(user=self.request.user).select_related("owner", "nationality")

    def _case(self) -> Case:
        return get_object_or_404(cases_visible_to(user=self.request.user), pk=self.kwargs["pk"])

    @extend_schema(request=RegisterSerializer, responses={201: CaseSummarySerializer, **ERRORS})
    def create(self, request: Request) -> Response:
        """Register a case at first contact (minimal facts, optional indicators, presumption)."""
        from coordination.permissions import organisation_ids_for

        from ..permissions import CASE_WORK_ROLES

        data = _valid(RegisterSerializer, request)
        owner_id = data.pop("owner", None)
        if owner_id is None:
            ids = sorted(organisation_ids_for(request.user, CASE_WORK_ROLES))
            if len(ids) != 1:
                raise PermissionDenied("Say for which organisation you register the case.")
            owner_id = ids[0]
        owner = _org(owner_id, "owner")
        # One service, one transaction: an unknown indicator leaves no case behind.
        case = services.case_register_at_first_contact(
            owner=owner,
            actor=request.user,
            identifying=data.pop("identifying", None),
            presume=data.pop("presume", False),
            indicator_codes=data.pop("indicators", []),
            facts=data,
        )
        return Response(CaseSummarySerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: CaseDetailsSerializer, **ERRORS})
    @action(detail=True, methods=["get"])
    def details(self, request: Request, pk: str) -> Response:
        """Identifying details and protection records; every call is logged as a PII view."""
        case = self._case()
        if not can_see_identifying_details(user=request.user, case=case):
            raise PermissionDenied("Your organisation may see this case's summary only.")
        identifying = case_identifying_details(
            user=request.user, case=case, purpose=PiiPurpose.CASE_WORK, channel="api"
        )
        return Response(CaseDetailsSerializer(case, context={"identifying": identifying}).data)

    @extend_schema(responses={200: EventSerializer(many=True), **ERRORS})
    @action(detail=True, methods=["get"])
    def events(self, request: Request, pk: str) -> Response:
        """The case's timeline: every transition and record, oldest first."""
        case = self._case()
        events = case.events.select_related("actor").order_by("occurred_at", "id")
        return Response(EventSerializer(events, many=True).data)

    @extend_schema(responses={200: PiiLogSerializer(many=True), **ERRORS})
    @action(detail=True, methods=["get"], url_path="pii-log")
    def pii_log(self, request: Request, pk: str) -> Response:
        """Who viewed the identifying details, when, why: for the holding organisation only."""
        case = self._case()
        log = pii_access_log_for(user=request.user, case=case)
        if log is None:
            raise PermissionDenied("Only the holding organisation sees this log.")
        return Response(PiiLogSerializer(log[:500], many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("as", OpenApiTypes.STR, enum=["json", "csv"])],
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )
    @action(detail=True, methods=["get"])
    def export(self, request: Request, pk: str) -> Any:
        """HTCDS record of the case (`?as=csv` for CSV); identifying fields only where allowed."""
        case = self._case()
        record = case_htcds_record(case=case, user=request.user)
        if request.query_params.get("as") == "csv":
            response = HttpResponse(htcds_csv([record]), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{case.reference}.csv"'
            return response
        return Response(record)

    # --- facts -------------------------------------------------------------------------------

    @_action(FactsSerializer, "Change non-identifying facts.")
    @action(detail=True, methods=["post"])
    def facts(self, request: Request, pk: str) -> Response:
        data = _valid(FactsSerializer, request)
        return _summary(services.case_update_facts(case=self._case(), actor=request.user, **data))

    @_action(IdentifyingSerializer, "Change identifying details (the event names fields only).")
    @action(detail=True, methods=["post"])
    def identifying(self, request: Request, pk: str) -> Response:
        data = _valid(IdentifyingSerializer, request)
        case = services.case_update_identifying_details(
            case=self._case(), actor=request.user, **data
        )
        return _summary(case)

    # --- identification ------------------------------------------------------------------------

    @_action(ReasonSerializer, "first contact → presumed victim (seed 004:107).")
    @action(detail=True, methods=["post"])
    def presume(self, request: Request, pk: str) -> Response:
        data = _valid(ReasonSerializer, request)
        return _summary(services.case_presume(case=self._case(), actor=request.user, **data))

    @_action(IdentifySerializer, "presumed victim → identified after the initial interview.")
    @action(detail=True, methods=["post"])
    def identify(self, request: Request, pk: str) -> Response:
        data = _valid(IdentifySerializer, request)
        return _summary(services.case_identify(case=self._case(), actor=request.user, **data))

    @_action(ReasonSerializer, "identified → confirmed (formal stage, seed 004:121).")
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        data = _valid(ReasonSerializer, request)
        return _summary(services.case_confirm(case=self._case(), actor=request.user, **data))

    @_action(ReasonSerializer, "→ not identified, with grounds; the record is kept.")
    @action(detail=True, methods=["post"], url_path="rule-out")
    def rule_out(self, request: Request, pk: str) -> Response:
        data = _valid(ReasonSerializer, request)
        return _summary(services.case_rule_out(case=self._case(), actor=request.user, **data))

    @_action(ReasonSerializer, "not identified → presumed victim, on review.")
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str) -> Response:
        data = _valid(ReasonSerializer, request)
        return _summary(services.case_reopen(case=self._case(), actor=request.user, **data))

    @_action(
        ReasonSerializer, "Presumption of minority (seed 001:467): referral to child protection."
    )
    @action(detail=True, methods=["post"], url_path="presume-minority")
    def presume_minority(self, request: Request, pk: str) -> Response:
        data = _valid(ReasonSerializer, request)
        case = services.case_presume_minority(case=self._case(), actor=request.user, **data)
        return _summary(case)

    @_action(CloseSerializer, "Close the case; its retention period starts.")
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        data = _valid(CloseSerializer, request)
        return _summary(services.case_close(case=self._case(), actor=request.user, **data))

    # --- indicators -------------------------------------------------------------------------

    @_action(IndicatorsSerializer, "Record observed indicators (they never decide).")
    @action(detail=True, methods=["post"])
    def indicators(self, request: Request, pk: str) -> Response:
        data = _valid(IndicatorsSerializer, request)
        case = self._case()
        services.indicators_observe(case=case, actor=request.user, **data)
        return _summary(case)

    @_action(IndicatorRemoveSerializer, "Take back an indicator recorded in error.")
    @action(detail=True, methods=["post"], url_path="indicators/remove")
    def indicators_remove(self, request: Request, pk: str) -> Response:
        data = _valid(IndicatorRemoveSerializer, request)
        case = self._case()
        services.indicator_unobserve(case=case, actor=request.user, **data)
        return _summary(case)

    # --- consent, reflection, residence --------------------------------------------------------

    @_action(ConsentSerializer, "Record consent (informed orally and in writing, seed 004:466).")
    @action(detail=True, methods=["post"])
    def consents(self, request: Request, pk: str) -> Response:
        data = _valid(ConsentSerializer, request)
        orgs = [_org(i, "organisations") for i in data.pop("organisations", [])]
        case = self._case()
        services.consent_record(case=case, actor=request.user, organisations=orgs, **data)
        return _summary(case)

    @_action(ConsentWithdrawSerializer, "Withdraw consent: sharing stops at once.")
    @action(detail=True, methods=["post"], url_path="consents/withdraw")
    def consent_withdraw(self, request: Request, pk: str) -> Response:
        data = _valid(ConsentWithdrawSerializer, request)
        case = self._case()
        consent = case.consents.filter(pk=data["consent"]).first()
        if consent is None:
            raise Http404
        services.consent_withdraw(consent=consent, actor=request.user, reason=data["reason"])
        return _summary(case)

    @_action(ReflectionStartSerializer, "Start the reflection period (country length).")
    @action(detail=True, methods=["post"], url_path="reflection/start")
    def reflection_start(self, request: Request, pk: str) -> Response:
        data = _valid(ReflectionStartSerializer, request)
        case = self._case()
        services.reflection_period_start(case=case, actor=request.user, **data)
        return _summary(case)

    @_action(ReflectionEndSerializer, "End the reflection period early by the person's decision.")
    @action(detail=True, methods=["post"], url_path="reflection/end")
    def reflection_end(self, request: Request, pk: str) -> Response:
        data = _valid(ReflectionEndSerializer, request)
        case = self._case()
        period = reflection_period_latest(case=case)
        if period is None:
            raise Http404
        services.reflection_period_end_by_decision(period=period, actor=request.user, **data)
        return _summary(case)

    @_action(ResidenceSerializer, "Record the residence status.")
    @action(detail=True, methods=["post"])
    def residence(self, request: Request, pk: str) -> Response:
        data = _valid(ResidenceSerializer, request)
        case = self._case()
        services.residence_status_record(case=case, actor=request.user, **data)
        return _summary(case)

    # --- children, family tracing ---------------------------------------------------------------

    @_action(GuardianSerializer, "Appoint a guardian for a (presumed) child (seed 004:314).")
    @action(detail=True, methods=["post"])
    def guardian(self, request: Request, pk: str) -> Response:
        data = _valid(GuardianSerializer, request)
        data["appointed_by"] = _org(data["appointed_by"], "appointed_by")
        if "responsibilities" not in data:
            data["responsibilities"] = GuardianResponsibility.values
        case = self._case()
        services.guardian_appoint(case=case, actor=request.user, **data)
        return _summary(case)

    @_action(BestInterestsSerializer, "Record a best-interests determination (seed 004:314-315).")
    @action(detail=True, methods=["post"], url_path="best-interests")
    def best_interests(self, request: Request, pk: str) -> Response:
        data = _valid(BestInterestsSerializer, request)
        data["determined_by"] = _org(data["determined_by"], "determined_by")
        case = self._case()
        services.best_interests_record(case=case, actor=request.user, **data)
        return _summary(case)

    @_action(TracingRequestSerializer, "Request family tracing (seed 004:307).")
    @action(detail=True, methods=["post"], url_path="family-tracing")
    def family_tracing(self, request: Request, pk: str) -> Response:
        data = _valid(TracingRequestSerializer, request)
        case = self._case()
        services.family_tracing_request(case=case, actor=request.user, **data)
        return _summary(case)

    @_action(
        TracingActionSerializer, "Move a family tracing on (reunification needs non-complicity)."
    )
    @action(detail=True, methods=["post"], url_path="family-tracing/step")
    def family_tracing_step(self, request: Request, pk: str) -> Response:
        data = _valid(TracingActionSerializer, request)
        case = self._case()
        tracing = get_object_or_404(case.family_tracings, pk=data.pop("tracing"))
        services.family_tracing_transition(tracing=tracing, actor=request.user, **data)
        return _summary(case)

    @_action(ComplicitySerializer, "Record whether family members were complicit.")
    @action(detail=True, methods=["post"], url_path="family-tracing/complicity")
    def family_tracing_complicity(self, request: Request, pk: str) -> Response:
        data = _valid(ComplicitySerializer, request)
        case = self._case()
        tracing = get_object_or_404(case.family_tracings, pk=data.pop("tracing"))
        services.family_tracing_assess_complicity(tracing=tracing, actor=request.user, **data)
        return _summary(case)


class IndicatorViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The indicator reference list (seed 004:150-197)."""

    serializer_class = IndicatorSerializer
    pagination_class = None
    queryset = Indicator.objects.filter(is_active=True).order_by("category__order", "order")
