"""API of agreements: reads through `agreements_visible_to` (hidden is 404), writes through the
services, transitions as POST actions (`/api/agreements/<id>/<verb>/`), errors as
`{"code", "detail", "fields"}` (concord.api). Serializers in serializers.py."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from concord.api import Pagination
from concord.errors import ApplicationError
from coordination.models import Country, Organisation

from .. import coverage as codes
from .. import services
from ..diff import version_diff
from ..documents import render_docx, render_pdf
from ..models import (
    Agreement,
    AgreementState,
    AgreementVersion,
    Template,
)
from ..selectors import (
    agreement_list,
    agreements_covering,
    agreements_visible_to,
)
from .serializers import (
    E400,
    E403,
    E404,
    ERRORS,
    AgreementCreateSerializer,
    AgreementDetailSerializer,
    AgreementEventSerializer,
    AgreementListSerializer,
    AgreementUpdateSerializer,
    ApprovalSerializer,
    ApproveSerializer,
    CommentInputSerializer,
    CommentSerializer,
    ComplianceInputSerializer,
    ComplianceSerializer,
    CoverageSerializer,
    CoveringAgreementSerializer,
    CoveringSerializer,
    DiffSerializer,
    EditOutcomeSerializer,
    GroundsSerializer,
    PartnerInputSerializer,
    PartnerSerializer,
    PartnerUpdateSerializer,
    SignatureSerializer,
    SignSerializer,
    TemplateSerializer,
    VersionDetailSerializer,
    VersionRefSerializer,
    coverage_data,
)

__all__ = [
    "AgreementViewSet",
    "TemplateViewSet",
    "document_response",
]


# --- views -------------------------------------------------------------------------------------
def _valid(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _party(value: str, field: str) -> Organisation | Country:
    """`country:TH`, `TH`, `organisation:12` or `12`."""
    value = (value or "").strip()
    kind, _sep, ident = value.partition(":") if ":" in value else ("", "", value)
    try:
        if kind == "organisation" or (not kind and ident.isdigit()):
            return Organisation.objects.get(pk=int(ident))
        if kind in ("", "country"):
            return Country.objects.get(code=ident.upper())
    except (Organisation.DoesNotExist, Country.DoesNotExist, ValueError):
        pass
    raise ValidationError({field: ["Give country:XX or organisation:<id>."]})


LIST_PARAMETERS = [
    OpenApiParameter("state", str, enum=[s for s, _l in AgreementState.choices]),
    OpenApiParameter("kind", str),
    OpenApiParameter("partner", int, description="Organisation id of a partner."),
    OpenApiParameter("country", str, description="ISO code of a partner's or covered country."),
    OpenApiParameter("expiring_days", int, description="In force and ending within N days."),
]


class AgreementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Agreements visible to you (partners' members; a coordination body's secretariat)."""

    pagination_class = Pagination
    serializer_class = AgreementListSerializer

    def get_queryset(self) -> Any:
        if self.action == "list":
            params = self.request.query_params
            filters = {
                k: params.get(k)
                for k in ("state", "kind", "partner", "country", "expiring_days")
                if params.get(k)
            }
            for key in ("partner", "expiring_days"):
                if key in filters and not str(filters[key]).isdigit():
                    raise ValidationError({key: ["A whole number."]})
            return agreement_list(user=self.request.user, filters=filters)
        return (
            agreements_visible_to(user=self.request.user)
            .select_related("template", "current_version", "signed_version", "amends", "drafted_by")
            .prefetch_related("partners__organisation", "partners__country", "commitments")
        )

    def get_serializer_class(self) -> Any:
        return AgreementDetailSerializer if self.action == "retrieve" else AgreementListSerializer

    def _agreement(self) -> Agreement:
        return get_object_or_404(
            agreements_visible_to(user=self.request.user), pk=self.kwargs["pk"]
        )

    def _detail(self, agreement: Agreement, code: int = 200, **extra: Any) -> Response:
        agreement = self.get_queryset().get(pk=agreement.pk)
        data = dict(AgreementDetailSerializer(agreement, context={"request": self.request}).data)
        data.update(extra)
        return Response(data, status=code)

    @extend_schema(
        parameters=LIST_PARAMETERS, responses={200: AgreementListSerializer(many=True), 400: E400}
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: AgreementDetailSerializer, 404: E404})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        request=AgreementCreateSerializer,
        responses={201: AgreementDetailSerializer, 400: E400, 403: E403},
    )
    def create(self, request: Request) -> Response:
        data = _valid(AgreementCreateSerializer, request.data)
        agreement = services.agreement_create(
            template=data["template"],
            title=data["title"],
            drafted_by=data["drafted_by"],
            actor=request.user,
            languages=data.get("languages") or ["en"],
            effective_date=data.get("effective_date"),
            end_date=data.get("end_date"),
            duration_months=data.get("duration_months"),
            review_date=data.get("review_date"),
            country=data.get("country"),
            clauses=data.get("clauses"),
        )
        return self._detail(agreement, status.HTTP_201_CREATED)

    @extend_schema(
        request=AgreementUpdateSerializer,
        responses={200: EditOutcomeSerializer, **ERRORS},
        description="Save a change as a new version. Saving while signatures are pending voids "
        "them and sends the agreement back to consultation; the answer says so.",
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        agreement = self._agreement()
        data = _valid(AgreementUpdateSerializer, request.data)
        kwargs: dict[str, Any] = {
            k: data[k] for k in ("title", "languages", "clauses", "commitments") if k in data
        }
        for key in ("effective_date", "end_date", "duration_months", "review_date"):
            if key in data:
                kwargs[key] = data[key]
        outcome = services.agreement_update(
            agreement=agreement, actor=request.user, note=data.get("note", ""), **kwargs
        )
        return Response(
            {
                "changed": outcome.changed,
                "version": VersionRefSerializer(outcome.version).data,
                "voided_signatures": outcome.voided_signatures,
                "message": outcome.message,
            }
        )

    # --- transitions ---
    def _transition(self, request: Request, service: Any, **kwargs: Any) -> Response:
        agreement = self._agreement()
        service(agreement=agreement, actor=request.user, **kwargs)
        return self._detail(agreement)

    @extend_schema(request=None, responses={200: AgreementDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="open-consultation")
    def open_consultation(self, request: Request, pk: str | None = None) -> Response:
        """draft → consultation (guards: agreement_partners_too_few, agreement_drafter_not_partner,
        agreement_partner_countries_missing)."""
        return self._transition(request, services.agreement_open_consultation)

    @extend_schema(request=ApproveSerializer, responses={200: ApprovalSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Your organisation approves the current version (during consultation)."""
        agreement = self._agreement()
        data = _valid(ApproveSerializer, request.data)
        approval = services.agreement_approve(
            agreement=agreement, actor=request.user, organisation=data.get("organisation")
        )
        return Response(ApprovalSerializer(approval).data)

    @extend_schema(request=None, responses={200: AgreementDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="request-signatures")
    def request_signatures(self, request: Request, pk: str | None = None) -> Response:
        """consultation → awaiting signatures (guards: agreement_compliance_failed naming the
        missing elements, agreement_approvals_missing)."""
        return self._transition(request, services.agreement_request_signatures)

    @extend_schema(request=SignSerializer, responses={201: SignatureSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: str | None = None) -> Response:
        """An authorised signatory signs the exact version hash (guards:
        agreement_version_changed, agreement_already_signed). The last signature brings the
        agreement into force when its effective date has come."""
        agreement = self._agreement()
        data = _valid(SignSerializer, request.data)
        signature = services.agreement_sign(
            agreement=agreement,
            actor=request.user,
            version_hash=data["version_hash"],
            organisation=data.get("organisation"),
        )
        return Response(SignatureSerializer(signature).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: AgreementDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="bring-into-force")
    def bring_into_force(self, request: Request, pk: str | None = None) -> Response:
        """awaiting signatures → in force (guards: agreement_signatures_missing,
        agreement_effective_date_not_reached). The daily task does this on the date."""
        return self._transition(request, services.agreement_bring_into_force)

    @extend_schema(request=GroundsSerializer, responses={200: AgreementDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def suspend(self, request: Request, pk: str | None = None) -> Response:
        """in force → suspended, with grounds (agreement_grounds_required)."""
        data = _valid(GroundsSerializer, request.data)
        return self._transition(request, services.agreement_suspend, grounds=data["grounds"])

    @extend_schema(request=GroundsSerializer, responses={200: AgreementDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, pk: str | None = None) -> Response:
        """suspended → in force."""
        data = _valid(GroundsSerializer, request.data)
        return self._transition(request, services.agreement_resume, grounds=data["grounds"])

    @extend_schema(request=GroundsSerializer, responses={200: AgreementDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def terminate(self, request: Request, pk: str | None = None) -> Response:
        """in force / suspended → terminated, with grounds."""
        data = _valid(GroundsSerializer, request.data)
        return self._transition(request, services.agreement_terminate, grounds=data["grounds"])

    @extend_schema(request=GroundsSerializer, responses={200: AgreementDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        """Abandon an agreement not yet in force, with grounds."""
        data = _valid(GroundsSerializer, request.data)
        return self._transition(request, services.agreement_withdraw, grounds=data["grounds"])

    @extend_schema(request=None, responses={201: AgreementDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def amend(self, request: Request, pk: str | None = None) -> Response:
        """Start an amendment: a new draft from the version in force, which stays in force until
        the amendment enters into force (agreement_amendment_open if one is being drafted)."""
        agreement = self._agreement()
        amendment = services.agreement_amend(agreement=agreement, actor=request.user)
        return self._detail(amendment, status.HTTP_201_CREATED)

    # --- compliance, versions, diff, documents, events ---
    @extend_schema(methods=["GET"], request=None, responses={200: ComplianceSerializer, 404: E404})
    @extend_schema(
        methods=["POST"],
        request=ComplianceInputSerializer,
        responses={200: ComplianceSerializer, 400: E400, 404: E404},
        description="Check unsaved text (the editor's live panel): nothing is saved.",
    )
    @action(detail=True, methods=["get", "post"])
    def compliance(self, request: Request, pk: str | None = None) -> Response:
        agreement = self._agreement()
        data = _valid(ComplianceInputSerializer, request.data) if request.method == "POST" else {}
        report = services.compliance_report(
            agreement=agreement,
            clauses=data.get("clauses"),
            target_groups=data.get("target_groups"),
            commitments=data.get("commitments"),
        )
        return Response(report.as_dict())

    @extend_schema(responses={200: VersionRefSerializer(many=True), 404: E404})
    @action(detail=True, methods=["get"])
    def versions(self, request: Request, pk: str | None = None) -> Response:
        agreement = self._agreement()
        return Response(VersionRefSerializer(agreement.versions.order_by("number"), many=True).data)

    @extend_schema(responses={200: VersionDetailSerializer, 404: E404})
    @action(detail=True, methods=["get"], url_path=r"versions/(?P<number>\d+)")
    def version(self, request: Request, pk: str | None = None, number: str = "") -> Response:
        agreement = self._agreement()
        version = get_object_or_404(agreement.versions, number=int(number))
        return Response(VersionDetailSerializer(version).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("from", int, required=True),
            OpenApiParameter("to", int, required=True),
        ],
        responses={200: DiffSerializer, 400: E400, 404: E404},
    )
    @action(detail=True, methods=["get"])
    def diff(self, request: Request, pk: str | None = None) -> Response:
        """A readable element-by-element diff of two versions (numbers)."""
        agreement = self._agreement()
        numbers = {}
        for key in ("from", "to"):
            value = request.query_params.get(key, "")
            if not value.isdigit():
                raise ValidationError({key: ["A version number."]})
            numbers[key] = int(value)
        old = get_object_or_404(agreement.versions, number=numbers["from"])
        new = get_object_or_404(agreement.versions, number=numbers["to"])
        return Response(version_diff(old=old, new=new))

    @extend_schema(
        parameters=[
            OpenApiParameter("as", str, enum=["pdf", "docx"], required=True),
            OpenApiParameter("version", int, description="Default: the current version."),
        ],
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (
                200,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ): OpenApiTypes.BINARY,
            400: E400,
            404: E404,
        },
    )
    @action(detail=True, methods=["get"])
    def document(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The version as a PDF or DOCX ready for signature."""
        agreement = self._agreement()
        # not `format`: DRF reserves it for content negotiation
        fmt = request.query_params.get("as", "pdf")
        number = request.query_params.get("version")
        if fmt not in ("pdf", "docx"):
            raise ValidationError({"as": ["pdf or docx."]})
        if number is not None and not number.isdigit():
            raise ValidationError({"version": ["A version number."]})
        version = (
            get_object_or_404(agreement.versions, number=int(number))
            if number
            else agreement.current_version
        )
        return document_response(agreement, version, fmt)

    @extend_schema(responses={200: AgreementEventSerializer(many=True), 404: E404})
    @action(detail=True, methods=["get"])
    def events(self, request: Request, pk: str | None = None) -> Response:
        agreement = self._agreement()
        return Response(
            AgreementEventSerializer(agreement.events.select_related("actor"), many=True).data
        )

    @extend_schema(responses={200: SignatureSerializer(many=True), 404: E404})
    @action(detail=True, methods=["get"])
    def signatures(self, request: Request, pk: str | None = None) -> Response:
        agreement = self._agreement()
        return Response(SignatureSerializer(agreement.signatures.all(), many=True).data)

    # --- coverage ---
    @extend_schema(methods=["GET"], responses={200: CoverageSerializer, 404: E404})
    @extend_schema(
        methods=["PUT"],
        request=CoverageSerializer,
        responses={200: EditOutcomeSerializer, **ERRORS},
    )
    @action(detail=True, methods=["get", "put"])
    def coverage(self, request: Request, pk: str | None = None) -> Response:
        agreement = self._agreement()
        if request.method == "GET":
            return Response(coverage_data(agreement))
        data = _valid(CoverageSerializer, request.data)
        outcome = services.agreement_coverage_set(
            agreement=agreement,
            actor=request.user,
            countries=data["countries"],
            organisations=data["organisations"],
            procedures=data["procedures"],
            target_groups=data["target_groups"],
            data_categories=data["data_categories"],
        )
        return Response(
            {
                "changed": outcome.changed,
                "version": VersionRefSerializer(outcome.version).data,
                "voided_signatures": outcome.voided_signatures,
                "message": outcome.message,
            }
        )

    # --- partners ---
    @extend_schema(methods=["GET"], responses={200: PartnerSerializer(many=True), 404: E404})
    @extend_schema(
        methods=["POST"],
        request=PartnerInputSerializer,
        responses={201: EditOutcomeSerializer, **ERRORS},
    )
    @action(detail=True, methods=["get", "post"])
    def partners(self, request: Request, pk: str | None = None) -> Response:
        agreement = self._agreement()
        if request.method == "GET":
            return Response(
                PartnerSerializer(
                    agreement.partners.select_related("organisation", "country"), many=True
                ).data
            )
        data = _valid(PartnerInputSerializer, request.data)
        outcome = services.agreement_partner_add(
            agreement=agreement,
            organisation=data["organisation"],
            actor=request.user,
            country=data.get("country"),
            mandate=data.get("mandate"),
            area_of_operation=data.get("area_of_operation"),
        )
        return Response(
            {
                "changed": outcome.changed,
                "version": VersionRefSerializer(outcome.version).data,
                "voided_signatures": outcome.voided_signatures,
                "message": outcome.message,
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        methods=["PATCH"],
        request=PartnerUpdateSerializer,
        responses={200: EditOutcomeSerializer, **ERRORS},
    )
    @extend_schema(
        methods=["DELETE"], request=None, responses={200: EditOutcomeSerializer, **ERRORS}
    )
    @action(detail=True, methods=["patch", "delete"], url_path=r"partners/(?P<partner_id>\d+)")
    def partner(self, request: Request, pk: str | None = None, partner_id: str = "") -> Response:
        agreement = self._agreement()
        partner = get_object_or_404(agreement.partners, pk=int(partner_id))
        if request.method == "DELETE":
            outcome = services.agreement_partner_remove(partner=partner, actor=request.user)
        else:
            data = _valid(PartnerUpdateSerializer, request.data)
            outcome = services.agreement_partner_update(
                partner=partner,
                actor=request.user,
                mandate=data.get("mandate"),
                area_of_operation=data.get("area_of_operation"),
                country=data.get("country"),
            )
        return Response(
            {
                "changed": outcome.changed,
                "version": VersionRefSerializer(outcome.version).data,
                "voided_signatures": outcome.voided_signatures,
                "message": outcome.message,
            }
        )

    # --- comments ---
    @extend_schema(methods=["GET"], responses={200: CommentSerializer(many=True), 404: E404})
    @extend_schema(
        methods=["POST"],
        request=CommentInputSerializer,
        responses={201: CommentSerializer, **ERRORS},
    )
    @action(detail=True, methods=["get", "post"])
    def comments(self, request: Request, pk: str | None = None) -> Response:
        agreement = self._agreement()
        if request.method == "GET":
            rows = agreement.comments.select_related("element", "version", "author")
            return Response(CommentSerializer(rows, many=True).data)
        data = _valid(CommentInputSerializer, request.data)
        parent = None
        if data.get("parent"):
            parent = agreement.comments.filter(pk=data["parent"]).first()
            if parent is None:
                raise ValidationError({"parent": ["No such comment on this agreement."]})
        comment = services.comment_add(
            agreement=agreement,
            actor=request.user,
            text=data["text"],
            element_key=data.get("element") or None,
            parent=parent,
        )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: CommentSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path=r"comments/(?P<comment_id>\d+)/resolve")
    def resolve_comment(
        self, request: Request, pk: str | None = None, comment_id: str = ""
    ) -> Response:
        agreement = self._agreement()
        comment = get_object_or_404(agreement.comments, pk=int(comment_id))
        comment = services.comment_resolve(comment=comment, actor=request.user)
        return Response(CommentSerializer(comment).data)

    # --- the legal-basis question ---
    @extend_schema(
        parameters=[
            OpenApiParameter("procedure", str, enum=[*codes.PROCEDURES], required=True),
            OpenApiParameter(
                "party_a", str, required=True, description="country:XX or organisation:<id>"
            ),
            OpenApiParameter(
                "party_b", str, required=True, description="country:XX or organisation:<id>"
            ),
            OpenApiParameter("target_groups", str, description="Comma-separated codes."),
            OpenApiParameter("on", OpenApiTypes.DATE, description="Default: today."),
        ],
        responses={200: CoveringSerializer, 400: E400},
    )
    @action(detail=False, methods=["get"])
    def covering(self, request: Request) -> Response:
        """Which agreements in force cover procedure P between A and B for groups G on date D.
        `covered` answers for every agreement; `agreements` lists those visible to you."""
        params = request.query_params
        on = None
        if params.get("on"):
            try:
                on = date.fromisoformat(params["on"])
            except ValueError as exc:
                raise ValidationError({"on": ["A date, YYYY-MM-DD."]}) from exc
        groups = [g for g in (params.get("target_groups") or "").split(",") if g.strip()]
        qs = agreements_covering(
            procedure=params.get("procedure", ""),
            party_a=_party(params.get("party_a", ""), "party_a"),
            party_b=_party(params.get("party_b", ""), "party_b"),
            target_groups=[g.strip() for g in groups],
            on=on,
        )
        visible = qs.filter(pk__in=agreements_visible_to(user=request.user).values("pk"))
        return Response(
            {
                "covered": qs.exists(),
                "agreements": CoveringAgreementSerializer(visible, many=True).data,
            }
        )


def document_response(
    agreement: Agreement, version: AgreementVersion | None, fmt: str
) -> HttpResponse:
    if version is None:
        raise ApplicationError("This agreement has no version yet.", code="no_version")
    if fmt == "docx":
        body = render_docx(version)
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        body = render_pdf(version)
        content_type = "application/pdf"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{agreement.reference}-v{version.number}.{fmt}"'
    )
    return response


class TemplateViewSet(viewsets.ReadOnlyModelViewSet):
    """Agreement templates with their elements, guidance and check rules."""

    serializer_class = TemplateSerializer
    lookup_field = "code"
    queryset = Template.objects.filter(is_active=True).prefetch_related("elements")
