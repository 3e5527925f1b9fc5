"""HTCDS export of a case (IOM Human Trafficking Case Data Standard, CC BY 4.0; field names from
its Field Reference: prs_ person, vic_ victim context, cas_ case, org_ organisation). Concord's
own facts without an HTCDS field carry the `x_` prefix.

Identifying fields (prs_FirstName, prs_SecondName, prs_Birthdate, ...) are included only for a
user who may see them; that disclosure is logged as a PII view with purpose "export". The apps built
on case work add their parts of the record (the referrals' `cas_Referrals`) through
`sections.register_export_part`.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from coordination.models import OrganisationKind

from .models import HTCDS_EXPLOITATION_TYPE, Case, ExploitationForm, IdentificationState, PiiPurpose
from .sections import export_parts
from .selectors import active_consents, case_identifying_details

# HTCDS org_Type values
HTCDS_ORG_TYPE: dict[str, str] = {
    OrganisationKind.NGO: "NGO",
    OrganisationKind.LAW_ENFORCEMENT: "LawEnforcement",
    OrganisationKind.HEALTH: "HealthServiceOrganisation",
    OrganisationKind.IMMIGRATION: "ImmigrationService",
    OrganisationKind.ASYLUM_AUTHORITY: "ImmigrationService",
    OrganisationKind.PROSECUTION: "LegalService",
    OrganisationKind.PRIVATE_SECTOR: "CorporateBusiness",
    OrganisationKind.EMPLOYERS: "CorporateBusiness",
}
# HTCDS vic_TypeOfLabourExploitation values for forms that have one
HTCDS_LABOUR_TYPE: dict[str, str] = {
    ExploitationForm.DOMESTIC_SERVITUDE: "DomesticWork",
    ExploitationForm.FORCED_BEGGING: "Begging",
    ExploitationForm.FORCED_CRIMINALITY: "IllicitActivities",
}
# vic_TraffickingStatus; "not identified" is deliberately not exported as "not a victim"
# (seed 004:121: failing to establish it does not mean a person is not a victim).
HTCDS_TRAFFICKING_STATUS: dict[str, str] = {
    IdentificationState.FIRST_CONTACT: "PossibleVictimOfTrafficking",
    IdentificationState.PRESUMED_VICTIM: "PossibleVictimOfTrafficking",
    IdentificationState.IDENTIFIED: "ActualVictimOfTrafficking",
    IdentificationState.CONFIRMED: "ActualVictimOfTrafficking",
}

COLUMNS = [
    "cas_Id",
    "cas_Status",
    "org_Name",
    "org_Type",
    "org_ShippingCountry",
    "prs_FirstName",
    "prs_SecondName",
    "prs_Birthdate",
    "prs_MobilePhone",
    "prs_MailingStreet",
    "prs_Gender",
    "prs_Nationality",
    "vic_AgreementToManagePersonalData",
    "vic_TraffickingStatus",
    "vic_TypeOfExploitation",
    "vic_TypeOfLabourExploitation",
    "vic_MethodsOfControl",
    "vic_MethodOfRecruitment",
    "x_Aliases",
    "x_IdentityDocuments",
    "x_AgeGroup",
    "x_AgeBand",
    "x_MinorStatus",
    "x_AsylumStatus",
    "x_CountryOfIdentification",
    "x_DateOfIdentification",
    "x_IdentificationState",
    "x_ExploitationForms",
    "x_SpecialNeeds",
    "x_PreferredLanguage",
]
IDENTIFYING_COLUMNS = {
    "prs_FirstName": "given_names",
    "prs_SecondName": "family_name",
    "prs_Birthdate": "date_of_birth",
    "prs_MobilePhone": "contacts",
    "prs_MailingStreet": "address",
    "x_Aliases": "aliases",
    "x_IdentityDocuments": "identity_documents",
}


def case_htcds_record(*, case: Case, user: Any) -> dict[str, Any]:
    """One HTCDS record for a case the user can see (the caller checked visibility)."""
    forms = list(case.exploitation_forms or [])
    types = sorted({HTCDS_EXPLOITATION_TYPE.get(f, "Other") for f in forms})
    record: dict[str, Any] = {
        "cas_Id": case.reference,
        "cas_Status": case.status,
        "org_Name": case.owner.name,
        "org_Type": HTCDS_ORG_TYPE.get(case.owner.kind, "CentralGovernmentOrganisation"),
        "org_ShippingCountry": case.owner.country_id or "",
        "prs_Gender": case.gender,
        "prs_Nationality": case.nationality_id or "",
        "vic_AgreementToManagePersonalData": active_consents(case=case).exists(),
        "vic_TraffickingStatus": HTCDS_TRAFFICKING_STATUS.get(case.identification_state, ""),
        "vic_TypeOfExploitation": types,
        "vic_TypeOfLabourExploitation": sorted(
            {HTCDS_LABOUR_TYPE[f] for f in forms if f in HTCDS_LABOUR_TYPE}
        ),
        "vic_MethodsOfControl": list(case.methods_of_control or []),
        "vic_MethodOfRecruitment": list(case.methods_of_recruitment or []),
        "x_AgeGroup": case.age_group,
        "x_AgeBand": case.age_band,
        "x_MinorStatus": case.minor_status,
        "x_AsylumStatus": case.asylum_status,
        "x_CountryOfIdentification": case.country_of_identification_id,
        "x_DateOfIdentification": case.identified_on.isoformat(),
        "x_IdentificationState": case.identification_state,
        "x_ExploitationForms": forms,
        "x_SpecialNeeds": list(case.special_needs or []),
        "x_PreferredLanguage": case.preferred_language,
    }
    details = case_identifying_details(
        user=user, case=case, purpose=PiiPurpose.EXPORT, channel="export"
    )
    for column, name in IDENTIFYING_COLUMNS.items():
        record[column] = details[name] if details is not None else None
    parts = export_parts()
    for part in parts:
        record[part.key] = list(part.records(case=case, user=user))
    return {k: record.get(k) for k in [*COLUMNS, *(part.key for part in parts)]}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(_cell(v) for v in value)
    text = str(value)
    # a spreadsheet would run a cell starting with these as a formula (CSV injection)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def htcds_csv(records: list[dict[str, Any]]) -> str:
    """CSV with the HTCDS columns; multi-valued fields joined with ";"; referrals not flattened."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for record in records:
        writer.writerow({k: _cell(v) for k, v in record.items()})
    return out.getvalue()
