"""The code lists of what an agreement in force covers (the contract other apps read).

`agreements.selectors.agreements_covering(*, procedure, party_a, party_b, target_groups=(),
on=None)` takes a procedure code from PROCEDURES and target-group codes from
TARGET_GROUPS (the kinds of person) and EXPLOITATION_FORMS (the forms of exploitation).

Matching rules (selectors.agreements_covering):
* a procedure and every person-group code asked for must be listed in the agreement's coverage;
* exploitation forms: an agreement that lists no form covers every form; one that lists forms
  covers only those;
* a party that is a Country is covered when the agreement covers that country; a party that is an
  Organisation is covered when the agreement names it, or covers the State it acts for
  (`Organisation.acts_for_country`: its country, or for an embassy the State it represents).
  An agreement between States therefore covers the organisations of those States.

The exploitation-form codes are the same strings as `workflows.cases.models.ExploitationForm`
(seed 004:24-104, 001:394); they are repeated here because agreements may not import
workflows (STYLE.md arrows).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

# --- procedures (seed 001:332-338, 001:414, 001:483, 004:460) -------------------------------
REFERRAL = "referral"
RETURN_REINTEGRATION = "return_reintegration"
INFORMATION_EXCHANGE = "information_exchange"
JOINT_INVESTIGATION = "joint_investigation"

PROCEDURES: dict[str, Any] = {
    REFERRAL: _("Referral of presumed victims"),
    RETURN_REINTEGRATION: _("Return and reintegration"),
    INFORMATION_EXCHANGE: _("Information exchange"),
    JOINT_INVESTIGATION: _("Joint investigation"),
}

# --- target groups: kinds of person (seed 004:459 "The target groups to benefit") -------------
ADULTS = "adults"
CHILDREN = "children"
ASYLUM_SEEKERS_REFUGEES = "asylum_seekers_refugees"

PERSON_GROUPS: dict[str, Any] = {
    ADULTS: _("Adults"),
    CHILDREN: _("Children"),
    ASYLUM_SEEKERS_REFUGEES: _("Asylum seekers and refugees"),
}

# --- target groups: forms of exploitation (same codes as cases.ExploitationForm) ---------
EXPLOITATION_FORMS: dict[str, Any] = {
    "sexual_exploitation": _("Sexual exploitation"),
    "forced_labour": _("Forced labour or services"),
    "domestic_servitude": _("Domestic servitude"),
    "forced_marriage": _("Forced, servile or early marriage"),
    "slavery": _("Slavery or practices similar to slavery"),
    "debt_bondage": _("Debt bondage"),
    "organ_removal": _("Removal of organs"),
    "forced_begging": _("Forced begging"),
    "forced_criminality": _("Forced criminal activities"),
    "sale_of_children": _("Sale of children"),
    "illegal_adoption": _("Illegal adoption"),
    "other": _("Other"),
}

TARGET_GROUPS: dict[str, Any] = {**PERSON_GROUPS, **EXPLOITATION_FORMS}

# --- categories of personal data that may be exchanged (seed 004:225 need-to-know) ------------
DATA_CATEGORIES: dict[str, Any] = {
    "case_facts": _("Non-identifying case facts (age group, sex, nationality, forms)"),
    "identity": _("Identity (names, date of birth)"),
    "identity_documents": _("Identity and travel documents"),
    "contact": _("Contact details"),
    "family": _("Family and guardian details"),
    "health": _("Health information"),
    "risk_assessment": _("Risk assessment"),
    "assistance_needs": _("Assistance and reintegration needs"),
    "criminal_proceedings": _("Criminal proceedings"),
}

# Dimensions of a coverage entry (CoverageEntry.dimension).
DIMENSION_PROCEDURE = "procedure"
DIMENSION_TARGET_GROUP = "target_group"
DIMENSION_DATA_CATEGORY = "data_category"

DIMENSIONS: dict[str, dict[str, Any]] = {
    DIMENSION_PROCEDURE: PROCEDURES,
    DIMENSION_TARGET_GROUP: TARGET_GROUPS,
    DIMENSION_DATA_CATEGORY: DATA_CATEGORIES,
}


def unknown_codes(dimension: str, codes: object) -> list[str]:
    """The codes not in the dimension's list (for a clear error naming them)."""
    known = DIMENSIONS[dimension]
    return [str(c) for c in (codes or []) if str(c) not in known]  # type: ignore[attr-defined]
