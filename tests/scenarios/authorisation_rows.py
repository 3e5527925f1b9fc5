"""The rows of the authorisation matrix (tests/scenarios/test_authorisation_matrix.py): one per
endpoint and method of every app, with the exact status each principal gets.

A row names the kind of object its URL is about (`subject`: which organisation is "partner" to it,
see authorisation_world.py) and the status for each relation (own, partner, unrelated organisation)
and role; `reveals` names the case whose identifying markers the response may carry, and to whom.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

WORKERS = ("case_officer", "supervisor")
Status = int | Mapping[str, int]  # one status, or by role ("*" for the other roles)


def roles(default: int, **by_role: int) -> dict[str, int]:
    """Statuses by role: roles(403, coordinator=200) -> 200 for coordinators, 403 for the rest."""
    return {"*": default, **by_role}


def workers(yes: int, no: int) -> dict[str, int]:
    """`yes` for case officers and supervisors (case workers), `no` for the other roles."""
    return roles(no, **dict.fromkeys(WORKERS, yes))


@dataclass(frozen=True)
class Expect:
    own: Status
    partner: Status
    unrelated: Status
    anonymous: int

    def status(self, relation: str, role: str) -> int:
        value: Status = getattr(self, relation)
        if isinstance(value, int):
            return value
        return value.get(role, value["*"])


def everyone(status: int, anonymous: int) -> Expect:
    return Expect(status, status, status, anonymous)


def hidden(own: Status, partner: Status, anonymous: int) -> Expect:
    """An object the unrelated organisation does not see: 404 for all its roles."""
    return Expect(own, partner, 404, anonymous)


@dataclass(frozen=True)
class Row:
    id: str
    method: str
    path: str  # formatted with World.ids
    subject: str  # case, referral, return, agreement, body, organisation, none
    expect: Expect | None
    data: Mapping[str, Any] | None = None
    form: bool = False  # a page's form post (else JSON)
    # (case tag, who may see its identifying markers in this response)
    reveals: tuple[str, Callable[[str, str], bool]] | None = None
    query: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)


PAGE = 302  # an anonymous visitor is sent to the sign-in page
API = 401  # the API challenges an anonymous caller (token authentication comes first)

EDITORS = ("coordinator", "supervisor", "ministry_official", "organisation_admin")


def reveal(tag: str, **by_relation: tuple[str, ...]) -> tuple[str, Callable[[str, str], bool]]:
    """The markers of case `tag` appear (and must) for these roles of these relations only."""
    return tag, lambda relation, role: role in by_relation.get(relation, ())


# The shapes most rows share.
PUBLIC_PAGE = everyone(200, PAGE)  # every signed-in user, whatever their organisation
PUBLIC_API = everyone(200, API)
STATISTICS = roles(403, coordinator=200, supervisor=200, ministry_official=200, auditor=200)
STATISTICS_PAGE = Expect(STATISTICS, STATISTICS, STATISTICS, PAGE)  # STATISTICS_ROLES
STATISTICS_API = Expect(STATISTICS, STATISTICS, STATISTICS, API)
MINISTRIES = roles(403, ministry_official=200)
MINISTRIES_PAGE = Expect(MINISTRIES, MINISTRIES, MINISTRIES, PAGE)  # the corridor board
MINISTRIES_API = Expect(MINISTRIES, MINISTRIES, MINISTRIES, API)
COORDINATORS_PAGE = Expect(*[roles(403, coordinator=200)] * 3, PAGE)  # drafting an agreement
CASE_WORKERS_PAGE = Expect(*[workers(200, 403)] * 3, PAGE)  # registering a case
CASE_WORKERS_CREATE = Expect(*[workers(201, 403)] * 3, API)
SEEN_PAGE = hidden(200, 200, PAGE)  # the object's own and partner organisations read it
SEEN_API = hidden(200, 200, API)


def org_admin_only(ok: int, anonymous: int = API) -> Expect:
    """Managing an organisation's members: its organisation admins (the organisation is public in
    the directory, so others get 403, not 404)."""
    return Expect(roles(403, organisation_admin=ok), 403, 403, anonymous)


def secretariat(ok: int, anonymous: int = API) -> Expect:
    """A body's secretariat edits (EDITORS); member seats read only; no seat: 404."""
    return Expect(roles(403, **dict.fromkeys(EDITORS, ok)), 403, 404, anonymous)


def owner_or_secretariat(ok: int, anonymous: int = API) -> Expect:
    """An action item or a plan measure: the secretariat's editors, or its owner organisation
    (every role but auditors)."""
    return Expect(roles(403, **dict.fromkeys(EDITORS, ok)), roles(ok, auditor=403), 404, anonymous)


def holder_works(ok: int, anonymous: int = API) -> Expect:
    """A case (or a referral's sending side): the holding organisation's case workers act; the
    others who see it get 403; the unrelated organisation 404."""
    return Expect(workers(ok, 403), 403, 404, anonymous)


def receiver_works(ok: int, anonymous: int = API) -> Expect:
    """A referral's receiving side: its case workers answer; the sender sees but may not."""
    return Expect(403, workers(ok, 403), 404, anonymous)


def both_sides_work(ok: int, anonymous: int = API) -> Expect:
    """A return procedure: the case workers of either State's involved organisation."""
    return Expect(workers(ok, 403), workers(ok, 403), 404, anonymous)


def partner_coordinators(ok: int, anonymous: int = API) -> Expect:
    """An agreement: the coordinators of its partner organisations."""
    return Expect(roles(403, coordinator=ok), roles(403, coordinator=ok), 404, anonymous)


def refused_first(status: int, anonymous: int = API) -> Expect:
    """The object's state refuses the transition before any permission is asked (services run
    lock -> can_proceed -> permission): everyone who sees it gets `status`, others 404."""
    return hidden(status, status, anonymous)


def api(
    id: str, method: str, path: str, subject: str, expect: Expect | None = None, **kw: Any
) -> Row:
    return Row(
        id=f"api-{id}", method=method, path=f"/api/{path}", subject=subject, expect=expect, **kw
    )


def page(
    id: str, method: str, path: str, subject: str, expect: Expect | None = None, **kw: Any
) -> Row:
    return Row(
        id=f"page-{id}",
        method=method,
        path=f"/{path}",
        subject=subject,
        expect=expect,
        form=True,
        **kw,
    )


TODAY = "2026-06-01"

# --- coordination -------------------------------------------------------------------------------
COORDINATION = [
    page("dashboard", "get", "", "none", expect=PUBLIC_PAGE),
    page("directory", "get", "directory/", "none", expect=PUBLIC_PAGE),
    page("organisation", "get", "organisations/{own}/", "organisation", expect=PUBLIC_PAGE),
    page(
        "members",
        "get",
        "organisations/{own}/members/",
        "organisation",
        expect=org_admin_only(200, PAGE),
    ),
    page(
        "member-add",
        "post",
        "organisations/{own}/members/add/",
        "organisation",
        expect=org_admin_only(302, PAGE),
        data={"username": "mx_unrelated_auditor", "role": "auditor"},
    ),
    page(
        "member-create",
        "post",
        "organisations/{own}/members/create/",
        "organisation",
        expect=org_admin_only(302, PAGE),
        data={
            "username": "mx_new_person",
            "email": "new@example.org",
            "role": "auditor",
            "first_name": "New",
            "last_name": "Person",
            "password": "a long enough passphrase 2026",
        },
    ),
    page(
        "member-change",
        "post",
        "organisations/{own}/members/{membership}/change/",
        "organisation",
        expect=org_admin_only(302, PAGE),
        data={"role": "coordinator", "title": "Lead"},
    ),
    page(
        "member-end",
        "post",
        "organisations/{own}/members/{membership}/end/",
        "organisation",
        expect=org_admin_only(302, PAGE),
        data={"reason": "left"},
    ),
    page("bodies", "get", "bodies/", "none", expect=PUBLIC_PAGE),
    page("body", "get", "bodies/{body}/", "body", expect=PUBLIC_PAGE),
    api("countries", "get", "countries/", "none", expect=PUBLIC_API),
    api("country", "get", "countries/TH/", "none", expect=PUBLIC_API),
    api("services", "get", "services/", "none", expect=PUBLIC_API),
    api("service", "get", "services/shelter/", "none", expect=PUBLIC_API),
    api("organisations", "get", "organisations/", "none", expect=PUBLIC_API),
    api("organisation", "get", "organisations/{own}/", "organisation", expect=PUBLIC_API),
    api(
        "organisation-accounts",
        "post",
        "organisations/{own}/accounts/",
        "organisation",
        expect=org_admin_only(201),
        data={
            "username": "mx_api_new",
            "password": "a long enough passphrase 2026",
            "role": "auditor",
        },
    ),
    api(
        "organisation-membership-events",
        "get",
        "organisations/{own}/membership-events/",
        "organisation",
        expect=org_admin_only(200),
    ),
    api(
        "organisation-memberships",
        "get",
        "organisations/{own}/memberships/",
        "organisation",
        expect=PUBLIC_API,
    ),
    api(
        "organisation-memberships-add",
        "post",
        "organisations/{own}/memberships/",
        "organisation",
        expect=org_admin_only(201),
        data={"username": "mx_unrelated_auditor", "role": "auditor"},
    ),
    api(
        "membership-patch",
        "patch",
        "memberships/{membership}/",
        "organisation",
        expect=org_admin_only(200),
        data={"title": "Lead auditor"},
    ),
    api(
        "membership-end",
        "post",
        "memberships/{membership}/end/",
        "organisation",
        expect=org_admin_only(200),
        data={"reason": "left"},
    ),
    api("coordination-bodies", "get", "coordination-bodies/", "none", expect=PUBLIC_API),
    api("coordination-body", "get", "coordination-bodies/{body}/", "body", expect=PUBLIC_API),
]

# --- coordination bodies' work --------------------------------------------------------------------
WORK = [
    page("work", "get", "work/", "none", expect=PUBLIC_PAGE),
    page("work-framework", "get", "work/framework/", "none", expect=PUBLIC_PAGE),
    page("work-statistics", "get", "work/statistics/", "none", expect=STATISTICS_PAGE),
    page("work-body", "get", "work/bodies/{body}/", "body", expect=SEEN_PAGE),
    page(
        "work-meeting-new",
        "post",
        "work/bodies/{body}/meetings/new/",
        "body",
        expect=secretariat(302, PAGE),
        data={"title": "Extra meeting", "starts_at": "2026-12-01T10:00", "place": "Bangkok"},
    ),
    page(
        "work-plan-new",
        "post",
        "work/bodies/{body}/plans/new/",
        "body",
        expect=secretariat(302, PAGE),
        data={"title": "Another plan"},
    ),
    page("work-board", "get", "work/bodies/{body}/board/", "body", expect=SEEN_PAGE),
    page("work-report", "get", "work/bodies/{body}/report/{year}.pdf", "body", expect=SEEN_PAGE),
    page("work-meeting", "get", "work/meetings/{meeting}/", "body", expect=SEEN_PAGE),
    page(
        "work-meeting-agenda",
        "post",
        "work/meetings/{meeting}/agenda/",
        "body",
        expect=secretariat(302, PAGE),
        data={"title": "Any other business"},
    ),
    page(
        "work-meeting-cancel",
        "post",
        "work/meetings/{meeting}/cancel/",
        "body",
        expect=secretariat(302, PAGE),
        data={"reason": "Postponed"},
    ),
    page("work-item", "get", "work/items/{item}/", "body", expect=SEEN_PAGE),
    page(
        "work-item-start",
        "post",
        "work/items/{item}/start/",
        "body",
        expect=owner_or_secretariat(302, PAGE),
    ),
    page("work-plan", "get", "work/plans/{plan}/", "body", expect=SEEN_PAGE),
    page(
        "work-plan-adopt", "post", "work/plans/{plan}/adopt/", "body", expect=secretariat(302, PAGE)
    ),
    api("meetings", "get", "meetings/", "none", expect=PUBLIC_API),
    api(
        "meetings-create",
        "post",
        "meetings/",
        "body",
        expect=secretariat(201),
        data={
            "body": "{body}",
            "title": "API meeting",
            "starts_at": "2026-12-01T10:00:00Z",
            "place": "Bangkok",
        },
    ),
    api("meeting", "get", "meetings/{meeting}/", "body", expect=SEEN_API),
    api(
        "meeting-patch",
        "patch",
        "meetings/{meeting}/",
        "body",
        expect=secretariat(200),
        data={"place": "Phnom Penh"},
    ),
    api(
        "meeting-agenda-item-delete",
        "delete",
        "meetings/{meeting}/agenda-items/{agenda_item}/",
        "body",
        expect=secretariat(200),
    ),
    api(
        "meeting-agenda-order",
        "post",
        "meetings/{meeting}/agenda-order/",
        "body",
        expect=secretariat(200),
        data={"order": ["{agenda_item}"]},
    ),
    api(
        "meeting-agenda-items",
        "post",
        "meetings/{meeting}/agenda-items/",
        "body",
        expect=secretariat(200),
        data={"title": "Any other business"},
    ),
    api(
        "meeting-approve-minutes",
        "post",
        "meetings/{held}/approve-minutes/",
        "body",
        expect=secretariat(200),
    ),
    api(
        "meeting-attendance",
        "post",
        "meetings/{meeting}/attendance/",
        "body",
        expect=secretariat(200),
        data={"organisation": "{partner_org}"},
    ),
    api(
        "meeting-cancel",
        "post",
        "meetings/{meeting}/cancel/",
        "body",
        expect=secretariat(200),
        data={"reason": "Postponed"},
    ),
    api(
        "meeting-decisions",
        "post",
        "meetings/{held}/decisions/",
        "body",
        expect=secretariat(201),
        data={"text": "Decided"},
    ),
    api("meeting-hold", "post", "meetings/{meeting}/hold/", "body", expect=secretariat(200)),
    api(
        "meeting-minutes",
        "post",
        "meetings/{held}/minutes/",
        "body",
        expect=secretariat(200),
        data={"minutes": "Minutes"},
    ),
    api("action-items", "get", "action-items/", "none", expect=PUBLIC_API),
    api(
        "action-items-create",
        "post",
        "action-items/",
        "body",
        expect=secretariat(201),
        data={
            "body": "{body}",
            "owner": "{partner_org}",
            "description": "Another item",
            "due_on": "2026-12-31",
        },
    ),
    api("action-item", "get", "action-items/{item}/", "body", expect=SEEN_API),
    api(
        "action-item-cancel",
        "post",
        "action-items/{item}/cancel/",
        "body",
        expect=secretariat(200),
        data={"grounds": "No longer needed"},
    ),
    api(
        "action-item-complete",
        "post",
        "action-items/{item}/complete/",
        "body",
        expect=owner_or_secretariat(200),
        data={"evidence_link": "https://example.org/evidence", "note": "Done"},
    ),
    api(
        "action-item-start",
        "post",
        "action-items/{item}/start/",
        "body",
        expect=owner_or_secretariat(200),
    ),
    api("action-plans", "get", "action-plans/", "none", expect=PUBLIC_API),
    api(
        "action-plans-create",
        "post",
        "action-plans/",
        "body",
        expect=secretariat(201),
        data={"body": "{body}", "title": "Another plan"},
    ),
    api("action-plan", "get", "action-plans/{plan}/", "body", expect=SEEN_API),
    api("action-plan-adopt", "post", "action-plans/{plan}/adopt/", "body", expect=secretariat(409)),
    api(
        "action-plan-close-review",
        "post",
        "action-plans/{plan}/close-review/",
        "body",
        expect=refused_first(409),
    ),
    api(
        "action-plan-measures",
        "post",
        "action-plans/{plan}/measures/",
        "body",
        expect=secretariat(201),
        data={"framework_row": "{framework_row}", "title": "Measure two", "owner": "{partner_org}"},
    ),
    api(
        "action-plan-open-review",
        "post",
        "action-plans/{plan}/open-review/",
        "body",
        expect=refused_first(409),
    ),
    api("action-plan-progress", "get", "action-plans/{plan}/progress/", "body", expect=SEEN_API),
    api(
        "action-plan-start-implementation",
        "post",
        "action-plans/{plan}/start-implementation/",
        "body",
        expect=refused_first(409),
    ),
    api(
        "action-plan-update",
        "post",
        "action-plans/{plan}/update/",
        "body",
        expect=refused_first(409),
    ),
    api("plan-measure", "get", "plan-measures/{measure}/", "body", expect=SEEN_API),
    api(
        "plan-measure-patch",
        "patch",
        "plan-measures/{measure}/",
        "body",
        expect=secretariat(200),
        data={"title": "Matrix measure renamed"},
    ),
    api(
        "plan-measure-indicators",
        "post",
        "plan-measures/{measure}/indicators/",
        "body",
        expect=secretariat(201),
        data={"name": "Places", "baseline": "1", "target_value": "2"},
    ),
    api("measure-indicator", "get", "measure-indicators/{indicator}/", "body", expect=SEEN_API),
    api(
        "measure-indicator-progress-reports",
        "post",
        "measure-indicators/{indicator}/progress-reports/",
        "body",
        expect=owner_or_secretariat(409),
        data={"value": "12", "reported_on": TODAY},
    ),
    api("framework-rows", "get", "framework-rows/", "none", expect=PUBLIC_API),
    api("framework-row", "get", "framework-rows/{framework_row}/", "none", expect=PUBLIC_API),
    api("statistics", "get", "statistics/", "none", expect=STATISTICS_API),
    api("annual-report", "get", "bodies/{body}/annual-report/{year}/", "body", expect=SEEN_API),
]

# --- agreements -----------------------------------------------------------------------------------
AGREEMENTS = [
    page("agreements", "get", "agreements/", "none", expect=PUBLIC_PAGE),
    page("agreement-new", "get", "agreements/new/", "none", expect=COORDINATORS_PAGE),
    page("agreement-lifecycle", "get", "agreements/lifecycle/", "none", expect=PUBLIC_PAGE),
    page("agreement", "get", "agreements/{agreement}/", "agreement", expect=SEEN_PAGE),
    page(
        "agreement-edit",
        "get",
        "agreements/{agreement}/edit/",
        "agreement",
        expect=partner_coordinators(200, PAGE),
    ),
    page(
        "agreement-partners",
        "post",
        "agreements/{agreement}/partners/",
        "agreement",
        expect=partner_coordinators(302, PAGE),
        data={"op": "add", "organisation": "{unrelated_org}"},
    ),
    page(
        "agreement-coverage",
        "get",
        "agreements/{agreement}/coverage/",
        "agreement",
        expect=SEEN_PAGE,
    ),
    page(
        "agreement-versions",
        "get",
        "agreements/{agreement}/versions/",
        "agreement",
        expect=SEEN_PAGE,
    ),
    page(
        "agreement-comments",
        "get",
        "agreements/{agreement}/comments/",
        "agreement",
        expect=SEEN_PAGE,
    ),
    page("agreement-sign", "get", "agreements/{agreement}/sign/", "agreement", expect=SEEN_PAGE),
    page(
        "agreement-document",
        "get",
        "agreements/{agreement}/document.pdf",
        "agreement",
        expect=SEEN_PAGE,
    ),
    page(
        "agreement-approve",
        "post",
        "agreements/{agreement}/approve/",
        "agreement",
        expect=partner_coordinators(302, PAGE),
    ),
    page(
        "agreement-withdraw",
        "post",
        "agreements/{agreement}/withdraw/",
        "agreement",
        expect=partner_coordinators(302, PAGE),
        data={"grounds": "Not needed"},
    ),
    api("agreements", "get", "agreements/", "none", expect=PUBLIC_API),
    api(
        "agreements-create",
        "post",
        "agreements/",
        "none",
        expect=Expect(roles(403, coordinator=201), 403, 403, API),
        data={"template": "{template}", "title": "API draft", "drafted_by": "{own}"},
    ),
    api(
        "agreements-covering",
        "get",
        "agreements/covering/",
        "none",
        expect=PUBLIC_API,
        query="?procedure=referral&party_a=country:TH&party_b=country:KH",
    ),
    api("agreement", "get", "agreements/{agreement}/", "agreement", expect=SEEN_API),
    api(
        "agreement-patch",
        "patch",
        "agreements/{agreement}/",
        "agreement",
        expect=partner_coordinators(200),
        data={"title": "Renamed MOU"},
    ),
    api(
        "agreement-amend",
        "post",
        "agreements/{in_force}/amend/",
        "agreement",
        expect=partner_coordinators(201),
    ),
    api(
        "agreement-approve",
        "post",
        "agreements/{agreement}/approve/",
        "agreement",
        expect=partner_coordinators(200),
    ),
    api(
        "agreement-bring-into-force",
        "post",
        "agreements/{in_force}/bring-into-force/",
        "agreement",
        expect=refused_first(409),
    ),
    api(
        "agreement-comments",
        "get",
        "agreements/{agreement}/comments/",
        "agreement",
        expect=SEEN_API,
    ),
    api(
        "agreement-comments-add",
        "post",
        "agreements/{agreement}/comments/",
        "agreement",
        expect=partner_coordinators(201),
        data={"text": "A comment", "element_key": "purpose"},
    ),
    api(
        "agreement-compliance",
        "get",
        "agreements/{agreement}/compliance/",
        "agreement",
        expect=SEEN_API,
    ),
    api(
        "agreement-compliance-check",
        "post",
        "agreements/{agreement}/compliance/",
        "agreement",
        expect=SEEN_API,
        data={},
    ),
    api(
        "agreement-coverage",
        "get",
        "agreements/{agreement}/coverage/",
        "agreement",
        expect=SEEN_API,
    ),
    api(
        "agreement-coverage-set",
        "put",
        "agreements/{agreement}/coverage/",
        "agreement",
        expect=partner_coordinators(200),
        data={
            "countries": ["TH", "KH"],
            "organisations": [],
            "procedures": ["referral"],
            "target_groups": ["adults"],
            "data_categories": ["case_facts"],
        },
    ),
    api(
        "agreement-diff",
        "get",
        "agreements/{agreement}/diff/",
        "agreement",
        expect=SEEN_API,
        query="?from=1&to=1",
    ),
    api(
        "agreement-document",
        "get",
        "agreements/{agreement}/document/",
        "agreement",
        expect=SEEN_API,
    ),
    api("agreement-events", "get", "agreements/{agreement}/events/", "agreement", expect=SEEN_API),
    api(
        "agreement-open-consultation",
        "post",
        "agreements/{agreement}/open-consultation/",
        "agreement",
        expect=refused_first(409),
    ),
    api(
        "agreement-partner-patch",
        "patch",
        "agreements/{agreement}/partners/{partner_row}/",
        "agreement",
        expect=partner_coordinators(200),
        data={"focal_point": "Desk officer"},
    ),
    api(
        "agreement-partner-delete",
        "delete",
        "agreements/{agreement}/partners/{partner_row}/",
        "agreement",
        expect=partner_coordinators(200),
    ),
    api(
        "agreement-partners",
        "get",
        "agreements/{agreement}/partners/",
        "agreement",
        expect=SEEN_API,
    ),
    api(
        "agreement-partners-add",
        "post",
        "agreements/{agreement}/partners/",
        "agreement",
        expect=partner_coordinators(201),
        data={"organisation": "{unrelated_org}"},
    ),
    api(
        "agreement-request-signatures",
        "post",
        "agreements/{agreement}/request-signatures/",
        "agreement",
        expect=partner_coordinators(409),
    ),
    api(
        "agreement-resolve-comment",
        "post",
        "agreements/{agreement}/comments/{comment}/resolve/",
        "agreement",
        expect=partner_coordinators(200),
    ),
    api(
        "agreement-resume",
        "post",
        "agreements/{in_force}/resume/",
        "agreement",
        expect=refused_first(409),
        data={"grounds": "Resumed"},
    ),
    api(
        "agreement-sign",
        "post",
        "agreements/{agreement}/sign/",
        "agreement",
        expect=refused_first(409),
        data={"version_hash": "0" * 64},
    ),
    api(
        "agreement-signatures",
        "get",
        "agreements/{agreement}/signatures/",
        "agreement",
        expect=SEEN_API,
    ),
    api(
        "agreement-suspend",
        "post",
        "agreements/{in_force}/suspend/",
        "agreement",
        expect=partner_coordinators(200),
        data={"grounds": "Suspended"},
    ),
    api(
        "agreement-terminate",
        "post",
        "agreements/{in_force}/terminate/",
        "agreement",
        expect=partner_coordinators(200),
        data={"grounds": "Ended"},
    ),
    api(
        "agreement-version",
        "get",
        "agreements/{agreement}/versions/{version}/",
        "agreement",
        expect=SEEN_API,
    ),
    api(
        "agreement-versions",
        "get",
        "agreements/{agreement}/versions/",
        "agreement",
        expect=SEEN_API,
    ),
    api(
        "agreement-withdraw",
        "post",
        "agreements/{agreement}/withdraw/",
        "agreement",
        expect=partner_coordinators(200),
        data={"grounds": "Not needed"},
    ),
    api("agreement-templates", "get", "agreement-templates/", "none", expect=PUBLIC_API),
    api("agreement-template", "get", "agreement-templates/{template}/", "none", expect=PUBLIC_API),
]

# --- workflows: cases -------------------------------------------------------------------------
CASES = [
    page("cases", "get", "cases/", "none", expect=PUBLIC_PAGE),
    page("case-register", "get", "cases/new/", "none", expect=CASE_WORKERS_PAGE),
    page("case", "get", "cases/{case}/", "case", expect=SEEN_PAGE),
    page("case-summary-only", "get", "cases/{case_b}/", "case", expect=SEEN_PAGE),
    page(
        "case-reveal",
        "get",
        "cases/{case}/",
        "case",
        expect=SEEN_PAGE,
        reveals=reveal("a", own=WORKERS, partner=WORKERS),
        query="?reveal=case_work",
    ),
    page(
        "case-reveal-summary-only",
        "get",
        "cases/{case_b}/",
        "case",
        expect=SEEN_PAGE,
        reveals=reveal("b", own=WORKERS),
        query="?reveal=case_work",
    ),
    page(
        "case-export",
        "get",
        "cases/{case}/export.json",
        "case",
        expect=SEEN_PAGE,
        reveals=reveal("a", own=WORKERS, partner=WORKERS),
    ),
    page(
        "case-act-presume",
        "post",
        "cases/{case}/act/presume/",
        "case",
        expect=holder_works(302, PAGE),
    ),
    page(
        "case-act-consent",
        "post",
        "cases/{case}/act/consent/",
        "case",
        expect=holder_works(302, PAGE),
        data={
            "categories": "summary",
            "purposes": "assistance",
            "informed_orally": "on",
            "informed_in_writing": "on",
            "language": "Thai",
        },
    ),
    api("cases", "get", "cases/", "none", expect=PUBLIC_API),
    api(
        "cases-create", "post", "cases/", "none", expect=CASE_WORKERS_CREATE, data={"presume": True}
    ),
    api("case", "get", "cases/{case}/", "case", expect=SEEN_API),
    api(
        "case-details",
        "get",
        "cases/{case}/details/",
        "case",
        expect=Expect(workers(200, 403), workers(200, 403), 404, API),
        reveals=reveal("a", own=WORKERS, partner=WORKERS),
    ),
    api(
        "case-details-summary-only",
        "get",
        "cases/{case_b}/details/",
        "case",
        expect=Expect(workers(200, 403), 403, 404, API),
        reveals=reveal("b", own=WORKERS),
    ),
    api("case-events", "get", "cases/{case}/events/", "case", expect=SEEN_API),
    api(
        "case-export",
        "get",
        "cases/{case}/export/",
        "case",
        expect=SEEN_API,
        reveals=reveal("a", own=WORKERS, partner=WORKERS),
    ),
    api("case-pii-log", "get", "cases/{case}/pii-log/", "case", expect=hidden(200, 403, API)),
    api(
        "case-best-interests",
        "post",
        "cases/{case}/best-interests/",
        "case",
        expect=holder_works(409),
        data={
            "determined_by": "{own}",
            "child_views": "Zqviews",
            "weight_given_to_views": "due",
            "outcome": "stay_in_country",
        },
    ),
    api(
        "case-close",
        "post",
        "cases/{case}/close/",
        "case",
        expect=holder_works(200),
        data={"reason": "done"},
    ),
    api(
        "case-confirm",
        "post",
        "cases/{case}/confirm/",
        "case",
        expect=holder_works(409),
        data={"reason": "formal"},
    ),
    api(
        "case-consents-withdraw",
        "post",
        "cases/{case}/consents/withdraw/",
        "case",
        expect=holder_works(200),
        data={"consent": "{consent}", "reason": "changed mind"},
    ),
    api(
        "case-consents",
        "post",
        "cases/{case}/consents/",
        "case",
        expect=holder_works(200),
        data={
            "categories": ["summary"],
            "purposes": ["assistance"],
            "informed_orally": True,
            "informed_in_writing": True,
            "language": "Thai",
        },
    ),
    api(
        "case-facts",
        "post",
        "cases/{case}/facts/",
        "case",
        expect=holder_works(200),
        data={"preferred_language": "Thai"},
    ),
    api(
        "case-family-tracing",
        "post",
        "cases/{case}/family-tracing/",
        "case",
        expect=holder_works(200),
        data={"requested_by_person": True},
    ),
    api(
        "case-family-tracing-complicity",
        "post",
        "cases/{case}/family-tracing/complicity/",
        "case",
        expect=holder_works(200),
        data={"tracing": "{tracing}", "family_complicit": False},
    ),
    api(
        "case-family-tracing-step",
        "post",
        "cases/{case}/family-tracing/step/",
        "case",
        expect=holder_works(200),
        data={"tracing": "{tracing}", "action": "start"},
    ),
    api(
        "case-guardian",
        "post",
        "cases/{case}/guardian/",
        "case",
        expect=holder_works(409),
        data={"guardian_name": "Zqguardian", "appointed_by": "{own}"},
    ),
    api(
        "case-identify",
        "post",
        "cases/{case}/identify/",
        "case",
        expect=holder_works(200),
        data={"reason": "interviewed", "informed": True, "interview_language": "Thai"},
    ),
    api(
        "case-identifying",
        "post",
        "cases/{case}/identifying/",
        "case",
        expect=holder_works(200),
        data={"aliases": "Zqalias"},
    ),
    api(
        "case-indicators",
        "post",
        "cases/{case}/indicators/",
        "case",
        expect=holder_works(200),
        data={"codes": []},
    ),
    api(
        "case-indicators-remove",
        "post",
        "cases/{case}/indicators/remove/",
        "case",
        expect=holder_works(400),
        data={"code": "nope", "reason": "error"},
    ),
    api("case-presume", "post", "cases/{case}/presume/", "case", expect=holder_works(409), data={}),
    api(
        "case-presume-minority",
        "post",
        "cases/{case}/presume-minority/",
        "case",
        expect=holder_works(200),
        data={"reason": "looks young"},
    ),
    api(
        "case-reflection-end",
        "post",
        "cases/{case}/reflection/end/",
        "case",
        expect=holder_works(200),
        data={"outcome": "cooperate", "decided_by_person": True},
    ),
    api(
        "case-reflection-start",
        "post",
        "cases/{case}/reflection/start/",
        "case",
        expect=holder_works(409),
        data={},
    ),
    api(
        "case-reopen",
        "post",
        "cases/{case}/reopen/",
        "case",
        expect=holder_works(409),
        data={"reason": "review"},
    ),
    api(
        "case-residence",
        "post",
        "cases/{case}/residence/",
        "case",
        expect=holder_works(200),
        data={"kind": "temporary", "ground": "reflection_recovery"},
    ),
    api(
        "case-rule-out",
        "post",
        "cases/{case}/rule-out/",
        "case",
        expect=holder_works(200),
        data={"reason": "not a victim"},
    ),
    api(
        "case-transfer-lead",
        "post",
        "cases/{case}/transfer-lead/",
        "case",
        expect=holder_works(409),
        data={"to": "{unrelated_org}", "reason": "moved"},
    ),
    api("indicators", "get", "indicators/", "none", expect=PUBLIC_API),
]

# --- workflows: referrals ---------------------------------------------------------------------
REFERRALS = [
    page("referrals", "get", "referrals/", "none", expect=PUBLIC_PAGE),
    page("referrals-outbox", "get", "referrals/outbox/", "none", expect=PUBLIC_PAGE),
    page("referral", "get", "referrals/{referral}/", "referral", expect=SEEN_PAGE),
    page("referral-submitted", "get", "referrals/{referral_b}/", "referral", expect=SEEN_PAGE),
    page(
        "referral-act-accept",
        "post",
        "referrals/{referral_b}/act/accept/",
        "referral",
        expect=receiver_works(302, PAGE),
    ),
    page(
        "referral-act-withdraw",
        "post",
        "referrals/{referral_b}/act/withdraw/",
        "referral",
        expect=holder_works(302, PAGE),
        data={"text": "no longer needed"},
    ),
    page("referral-new", "get", "cases/{case}/refer/", "case", expect=holder_works(200, PAGE)),
    api("referrals", "get", "referrals/", "none", expect=PUBLIC_API),
    api("referrals-outbox", "get", "referrals/", "none", expect=PUBLIC_API, query="?box=outbox"),
    api(
        "referrals-create",
        "post",
        "referrals/",
        "case",
        expect=Expect(workers(201, 403), 403, 400, API),
        data={"case": "{case}", "receiver": "{partner_org}", "services": ["medical"]},
    ),
    api("referral", "get", "referrals/{referral}/", "referral", expect=SEEN_API),
    api(
        "referral-accept",
        "post",
        "referrals/{referral_b}/accept/",
        "referral",
        expect=receiver_works(200),
    ),
    api(
        "referral-complete",
        "post",
        "referrals/{referral}/complete/",
        "referral",
        expect=refused_first(409),
        data={"text": "done"},
    ),
    api(
        "referral-decline",
        "post",
        "referrals/{referral_b}/decline/",
        "referral",
        expect=receiver_works(200),
        data={"reason": "no_capacity"},
    ),
    api("referral-events", "get", "referrals/{referral}/events/", "referral", expect=SEEN_API),
    api(
        "referral-request-information",
        "post",
        "referrals/{referral_b}/request-information/",
        "referral",
        expect=receiver_works(200),
        data={"question": "Which language?"},
    ),
    api(
        "referral-resubmit",
        "post",
        "referrals/{referral_b}/resubmit/",
        "referral",
        expect=refused_first(409),
        data={"text": "Khmer"},
    ),
    api(
        "referral-start",
        "post",
        "referrals/{referral}/start/",
        "referral",
        expect=receiver_works(200),
    ),
    api(
        "referral-submit",
        "post",
        "referrals/{referral_b}/submit/",
        "referral",
        expect=refused_first(409),
    ),
    api(
        "referral-withdraw",
        "post",
        "referrals/{referral_b}/withdraw/",
        "referral",
        expect=holder_works(200),
        data={"text": "no longer needed"},
    ),
]

# --- workflows: returns -------------------------------------------------------------------------
RETURNS = [
    page("returns", "get", "returns/", "none", expect=PUBLIC_PAGE),
    page("return-new", "get", "returns/new/", "none", expect=PUBLIC_PAGE),
    page("return-board", "get", "returns/board/", "none", expect=MINISTRIES_PAGE),
    page("return-board-csv", "get", "returns/board.csv", "none", expect=MINISTRIES_PAGE),
    page("return", "get", "returns/{ret}/", "return", expect=SEEN_PAGE),
    page(
        "return-act-consent",
        "post",
        "returns/{ret}/act/consent/",
        "return",
        expect=holder_works(302, PAGE),
        data={"language": "Khmer", "informed_orally": "true", "informed_in_writing": "true"},
    ),
    api("returns", "get", "returns/", "none", expect=PUBLIC_API),
    api(
        "returns-create",
        "post",
        "returns/",
        "none",
        expect=holder_works(201),
        data={
            "case": "{case}",
            "receiving_country": "KH",
            "returning_authority": "{own}",
            "receiving_authority": "{partner_state_org}",
        },
    ),
    api("return", "get", "returns/{ret}/", "return", expect=SEEN_API),
    api(
        "return-approve",
        "post",
        "returns/{ret}/approve/",
        "return",
        expect=refused_first(409),
        data={"grounds": "safe"},
    ),
    api(
        "return-approve-arrangement",
        "post",
        "returns/{ret}/approve-arrangement/",
        "return",
        expect=Expect(roles(403, supervisor=409), roles(403, supervisor=409), 404, API),
        data={},
    ),
    api(
        "return-arrangement",
        "post",
        "returns/{ret}/arrangement/",
        "return",
        expect=both_sides_work(200),
        data={"description": "Escort by the KH ministry"},
    ),
    api(
        "return-assign-step",
        "post",
        "returns/{ret}/assign-step/",
        "return",
        expect=both_sides_work(200),
        data={"due_on": "2026-12-31"},
    ),
    api(
        "return-cancel",
        "post",
        "returns/{ret}/cancel/",
        "return",
        expect=holder_works(200),
        data={"grounds": "person stays"},
    ),
    api(
        "return-close", "post", "returns/{ret}/close/", "return", expect=refused_first(409), data={}
    ),
    api(
        "return-consent",
        "post",
        "returns/{ret}/consent/",
        "return",
        expect=holder_works(200),
        data={"language": "Khmer", "informed_orally": True, "informed_in_writing": True},
    ),
    api(
        "return-depart",
        "post",
        "returns/{ret}/depart/",
        "return",
        expect=refused_first(409),
        data={},
    ),
    api(
        "return-grant-alternative",
        "post",
        "returns/{ret}/grant-alternative/",
        "return",
        expect=refused_first(409),
        data={"kind": "temporary_residence", "grounds": "risk"},
    ),
    api(
        "return-hand-over",
        "post",
        "returns/{ret}/hand-over/",
        "return",
        expect=refused_first(409),
        data={},
    ),
    api(
        "return-on-site-assessment",
        "post",
        "returns/{ret}/on-site-assessment/",
        "return",
        expect=receiver_works(200),
        data={"assessed_on": TODAY, "findings": "home visited"},
    ),
    api(
        "return-participant",
        "post",
        "returns/{ret}/participant/",
        "return",
        expect=Expect(workers(200, 403), workers(400, 403), 404, API),
        data={"organisation": "{unrelated_org}"},
    ),
    api(
        "return-proceedings",
        "post",
        "returns/{ret}/proceedings/",
        "return",
        expect=holder_works(200),
        data={"proceedings_ongoing": False},
    ),
    api(
        "return-reassess",
        "post",
        "returns/{ret}/reassess/",
        "return",
        expect=refused_first(409),
        data={"reason": "new facts"},
    ),
    api(
        "return-reception",
        "post",
        "returns/{ret}/reception/",
        "return",
        expect=receiver_works(200),
        data={"kind": "reception", "arrangements": "shelter"},
    ),
    api(
        "return-risk-contribution",
        "post",
        "returns/{ret}/risk-contribution/",
        "return",
        expect=refused_first(409),
        data={"ratings": {}},
    ),
    api(
        "return-schedule",
        "post",
        "returns/{ret}/schedule/",
        "return",
        expect=both_sides_work(200),
        data={"months": [1, 3]},
    ),
    api(
        "return-service",
        "post",
        "returns/{ret}/service/",
        "return",
        expect=both_sides_work(200),
        data={"kind": "accommodation", "provider": "{partner_state_org}"},
    ),
    api(
        "return-service-status",
        "post",
        "returns/{ret}/service-status/",
        "return",
        expect=refused_first(400),
        data={"service": 0, "status": "provided"},
    ),
    api(
        "return-start-assessment",
        "post",
        "returns/{ret}/start-assessment/",
        "return",
        expect=holder_works(409),
        data={},
    ),
    api(
        "return-start-monitoring",
        "post",
        "returns/{ret}/start-monitoring/",
        "return",
        expect=refused_first(409),
        data={},
    ),
    api(
        "return-submit-for-decision",
        "post",
        "returns/{ret}/submit-for-decision/",
        "return",
        expect=refused_first(409),
        data={},
    ),
    api(
        "return-travel-document",
        "post",
        "returns/{ret}/travel-document/",
        "return",
        expect=both_sides_work(200),
        data={
            "kind": "travel_document",
            "issuing_organisation": "{partner_state_org}",
            "issued_on": TODAY,
        },
    ),
    api(
        "return-visit",
        "post",
        "returns/{ret}/visit/",
        "return",
        expect=refused_first(400),
        data={"visit": 0, "outcome": "safe", "visited_on": TODAY},
    ),
    api(
        "return-withdraw-consent",
        "post",
        "returns/{ret}/withdraw-consent/",
        "return",
        expect=both_sides_work(409),
        data={"reason": "changed mind"},
    ),
    api("return-board", "get", "return-board/", "none", expect=MINISTRIES_API),
    api("return-board-csv", "get", "return-board/csv/", "none", expect=MINISTRIES_API),
]

# --- notifications ---------------------------------------------------------------------------
# A notice is its recipient's only (the partner's case officer here): everyone else gets 404.
NOTICE_OWNER = Expect(404, roles(404, case_officer=200), 404, API)
NOTICE_OWNER_PAGE = Expect(404, roles(404, case_officer=302), 404, PAGE)
# Webhook subscriptions: the organisation's admins and coordinators; anyone else: 404.
WEBHOOK_ROLES_ONLY = roles(404, organisation_admin=200, coordinator=200)


def hook_managers(ok: int, anonymous: int = API) -> Expect:
    """The own organisation's subscription: its admins and coordinators; others 404."""
    return Expect(roles(404, organisation_admin=ok, coordinator=ok), 404, 404, anonymous)


NOTIFICATIONS = [
    page("notifications", "get", "notifications/", "none", expect=PUBLIC_PAGE),
    page(
        "notification-read",
        "post",
        "notifications/{notice}/read/",
        "none",
        expect=NOTICE_OWNER_PAGE,
    ),
    page(
        "notifications-read-all",
        "post",
        "notifications/read-all/",
        "none",
        expect=everyone(302, PAGE),
    ),
    page(
        "notification-preferences", "get", "notifications/preferences/", "none", expect=PUBLIC_PAGE
    ),
    page(
        "notification-preferences-save",
        "post",
        "notifications/preferences/",
        "none",
        expect=everyone(302, PAGE),
        data={"agreement_signed": "digest"},
    ),
    page(
        "webhooks",
        "get",
        "notifications/webhooks/",
        "none",
        expect=Expect(*[WEBHOOK_ROLES_ONLY] * 3, PAGE),
    ),
    page(
        "webhook-create",
        "post",
        "notifications/webhooks/",
        "none",
        expect=Expect(*[WEBHOOK_ROLES_ONLY] * 3, PAGE),
        data={"name": "x", "url": "https://hooks.example.org/x", "kinds": "agreement_signed"},
    ),
    page(
        "webhook", "get", "notifications/webhooks/{hook}/", "none", expect=hook_managers(200, PAGE)
    ),
    page(
        "webhook-action",
        "post",
        "notifications/webhooks/{hook}/pause/",
        "none",
        expect=hook_managers(302, PAGE),
    ),
    api("notifications", "get", "notifications/", "none", expect=PUBLIC_API),
    api("notification", "get", "notifications/{notice}/", "none", expect=NOTICE_OWNER),
    api("notification-read", "post", "notifications/{notice}/read/", "none", expect=NOTICE_OWNER),
    api("notifications-read-all", "post", "notifications/read-all/", "none", expect=PUBLIC_API),
    api(
        "notifications-unread-count",
        "get",
        "notifications/unread-count/",
        "none",
        expect=PUBLIC_API,
    ),
    api("notification-preferences", "get", "notifications/preferences/", "none", expect=PUBLIC_API),
    api(
        "notification-preferences-put",
        "put",
        "notifications/preferences/",
        "none",
        expect=PUBLIC_API,
        data={"agreement_signed": "digest"},
    ),
    api("webhooks", "get", "notifications/webhooks/", "none", expect=PUBLIC_API),
    api(
        "webhook-create",
        "post",
        "notifications/webhooks/",
        "none",
        expect=Expect(roles(400, organisation_admin=201, coordinator=201), 400, 400, API),
        data={
            "organisation": "{own_org}",
            "name": "x",
            "url": "https://hooks.example.org/x",
            "kinds": ["agreement_signed"],
        },
    ),
    api("webhook", "get", "notifications/webhooks/{hook}/", "none", expect=hook_managers(200)),
    api(
        "webhook-patch",
        "patch",
        "notifications/webhooks/{hook}/",
        "none",
        expect=hook_managers(200),
        data={"is_active": False},
    ),
    api(
        "webhook-delete",
        "delete",
        "notifications/webhooks/{hook}/",
        "none",
        expect=hook_managers(204),
    ),
    api(
        "webhook-rotate",
        "post",
        "notifications/webhooks/{hook}/rotate-secret/",
        "none",
        expect=hook_managers(200),
    ),
    api(
        "webhook-deliveries",
        "get",
        "notifications/webhooks/{hook}/deliveries/",
        "none",
        expect=hook_managers(200),
    ),
]

ROWS: list[Row] = [
    *COORDINATION,
    *WORK,
    *AGREEMENTS,
    *CASES,
    *REFERRALS,
    *RETURNS,
    *NOTIFICATIONS,
]

# Routes with no row, and why (everything else must have one: test_every_route_has_a_row).
ALLOWED_WITHOUT_ROW = {
    "admin/": "Django's admin: staff only, its own permission system",
    "accounts/": "sign-in, sign-out and second factor: before any organisation matters",
    "i18n/": "language switch: no data",
    "healthz": "liveness probe: no data",
    "readyz": "readiness probe: no data",
    "api/schema/": "the OpenAPI schema: no data",
    "api/docs/": "Swagger UI: no data",
    "api/redoc/": "ReDoc: no data",
}
