"""Statistics on a known data set equal hand-counted figures, small cells suppressed in the query,
and a fixed number of queries whatever the size of the data."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.db import connection
from openpyxl import load_workbook

from coordination.models import Role
from reporting.exports import statistics_csv, statistics_xlsx
from reporting.statistics import StatsFilter, statistics_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def dataset(make_org):
    from workflows.cases.tests.factories import make_case

    police = make_org(kind="law_enforcement", country="TH", name="Royal Police")
    ngo = make_org(kind="ngo", country="TH", name="Shelter NGO")
    kh_org = make_org(kind="ngo", country="KH", name="KH NGO")
    for _ in range(7):
        make_case(
            police,
            state="identified",
            nationality="KH",
            country="TH",
            gender="Female",
            exploitation_forms=["forced_labour"],
            identified_on=date(2026, 1, 10),
        )
    for _ in range(3):
        make_case(
            ngo,
            state="presumed_victim",
            minor_status="known_child",
            nationality="MM",
            country="TH",
            gender="Male",
            exploitation_forms=["sexual_exploitation", "forced_labour"],
            identified_on=date(2026, 4, 5),
        )
    make_case(
        ngo, state="not_identified", nationality="MM", country="TH", identified_on=date(2026, 4, 5)
    )
    for _ in range(2):
        make_case(
            kh_org,
            state="identified",
            nationality="KH",
            country="KH",
            identified_on=date(2026, 2, 1),
        )
    return police, ngo


def _figures(f):
    (fam,) = statistics_for(f, ["cases"])
    assert fam.available
    return {fig.key: fig for fig in fam.figures}


def test_hand_counted_figures_with_suppression(dataset):
    figs = _figures(StatsFilter(countries={"TH"}, period="quarter"))
    assert figs["cases_by_sex"].total == "10"
    assert dict(figs["cases_by_sex"].rows) == {"Female": "≥5", "Male": "<5"}
    assert dict(figs["cases_by_age_group"].rows) == {
        "Adult (18 or over)": "≥5",
        "Child (under 18)": "<5",
    }
    assert dict(figs["cases_by_nationality"].rows) == {"Cambodia": "≥5", "Myanmar": "<5"}
    forms = dict(figs["cases_by_exploitation"].rows)
    assert forms["Forced labour or services"] == "10"
    assert forms["Sexual exploitation"] == "<5"
    assert forms["Removal of organs"] == "0"
    assert dict(figs["cases_by_provider"].rows) == {"Non-State actor": "<5", "State actor": "≥5"}
    assert dict(figs["cases_by_period"].rows) == {"2026-Q1": "≥5", "2026-Q2": "<5"}
    assert dict(figs["cases_by_country"].rows) == {"Thailand": "10"}
    assert figs["cases_by_sex"].htcds == "prs_Gender"


def test_complementary_suppression():
    from reporting.figures import protect_against_subtraction as protect

    # one small cell and an exact total: the smallest other non-zero cell is hidden too
    assert protect([("a", "7"), ("b", "<5"), ("c", "0"), ("d", "12")], "22") == [
        ("a", "≥5"),
        ("b", "<5"),
        ("c", "0"),
        ("d", "12"),
    ]
    # two small cells, or a suppressed total: nothing can be derived
    rows = [("a", "7"), ("b", "<5"), ("c", "<5")]
    assert protect(rows, "12") == rows
    assert protect([("a", "<5")], "<5") == [("a", "<5")]


def test_filters_by_period_and_country(dataset):
    figs = _figures(
        StatsFilter(countries={"TH"}, date_from=date(2026, 4, 1), date_to=date(2026, 12, 31))
    )
    assert figs["cases_by_sex"].total == "<5"
    figs = _figures(StatsFilter(countries=None, period="year"))
    assert figs["cases_by_sex"].total == "12"
    assert dict(figs["cases_by_country"].rows) == {"Cambodia": "<5", "Thailand": "≥5"}
    assert dict(figs["cases_by_period"].rows) == {"2026": "12"}


def test_exports_carry_only_suppressed_text(dataset):
    f = StatsFilter(countries={"TH"})
    results = statistics_for(f, ["cases"])
    rows = list(csv.reader(io.StringIO(statistics_csv(results, f))))
    counts = {r[4] for r in rows[1:]}
    assert counts <= {"0", "7", "10", "<5", "≥5"}
    assert not {"1", "2", "3", "4"} & counts
    wb = load_workbook(io.BytesIO(statistics_xlsx(results, f)))
    values = {row[4] for row in wb["statistics"].iter_rows(min_row=2, values_only=True)}
    assert "<5" in values
    assert not {"1", "2", "3", "4"} & values
    header = rows[0]
    assert not {"reference", "given_names", "family_name"} & set(header)


def _grow(make_org, n):
    from workflows.cases.tests.factories import make_case

    org = make_org(kind="ngo", country="TH")
    for i in range(n):
        make_case(
            org,
            nationality="KH" if i % 2 else "MM",
            country="TH",
            identified_on=date(2026, 1 + i % 12, 1),
        )


@pytest.mark.parametrize("size", [3, 40])
def test_fixed_number_of_queries(make_org, django_assert_num_queries, size):
    """The live computation (the rollup's reference; summing the rollup: test_statistics_rollup)."""
    _grow(make_org, size)
    f = StatsFilter(countries={"TH"})
    # cases: 1 total + 1 per-form aggregate + 8 grouped tables + 1 country names = 11, on
    # PostgreSQL the total and the 8 tables in one GROUPING SETS query = 3, plus 1 for the
    # settings of whole-table aggregates (concord.analytics);
    # coordination: 3 tables + 3 totals = 6.
    with django_assert_num_queries(10 if connection.vendor == "postgresql" else 17):
        results = statistics_for(f, ["cases", "coordination"], live=True)
    assert results[0].figures[0].total == ("<5" if size < 5 else str(size))


def test_statistics_page_access(client, login, make_org, make_member, dataset):
    ministry = make_org(kind="government_ministry", country="TH")
    official = make_member(ministry, Role.MINISTRY_OFFICIAL)
    case_officer = make_member(make_org(kind="ngo", country="TH"), Role.CASE_OFFICER)
    login(case_officer)
    assert client.get("/work/statistics/").status_code == 403
    login(official)
    resp = client.get("/work/statistics/?period=quarter")
    assert resp.status_code == 200
    body = resp.content.decode()
    assert "&lt;5" in body
    assert "charts.js" in body
    assert client.get("/work/statistics/?country=KH").status_code == 404
    csv_resp = client.get("/work/statistics/?format=csv")
    assert csv_resp["Content-Type"].startswith("text/csv")
    assert client.get("/work/statistics/?format=xlsx").status_code == 200
    api = client.get("/api/statistics/?family=cases")
    assert api.status_code == 200
    fam = api.json()[0]
    assert fam["available"]
    assert {r["count"] for f in fam["figures"] for r in f["rows"]} <= {"0", "7", "10", "<5", "≥5"}


def test_returns_hand_counted(make_org):
    from django.utils import timezone

    from workflows.cases.tests.factories import make_case
    from workflows.returns.models import ReturnProcedure, ReturnStep

    th_imm = make_org(kind="immigration", country="TH")
    kh_soc = make_org(kind="social_services", country="KH")
    ngo = make_org(kind="ngo", country="TH")
    for i in range(6):
        case = make_case(ngo, nationality="KH", country="TH", gender="Female")
        p = ReturnProcedure.objects.create(
            case=case,
            returning_country_id="TH",
            receiving_country_id="KH",
            returning_authority=th_imm,
            receiving_authority=kh_soc,
        )
        ReturnStep.objects.create(procedure=p, state="requested")
        if i < 2:
            ReturnStep.objects.create(procedure=p, state="risk_assessment")
            ReturnProcedure.objects.filter(pk=p.pk).update(state="risk_assessment")
    case = make_case(ngo, nationality="TH", country="KH", gender="Male")
    ReturnProcedure.objects.create(
        case=case,
        returning_country_id="KH",
        receiving_country_id="TH",
        returning_authority=kh_soc,
        receiving_authority=th_imm,
        requested_at=timezone.now(),
    )
    (fam,) = statistics_for(StatsFilter(countries={"TH"}), ["returns"])
    assert fam.available, fam.waiting_for
    figs = {fig.key: fig for fig in fam.figures}
    assert figs["returns_by_corridor"].total == "7"
    assert dict(figs["returns_by_corridor"].rows) == {
        "Cambodia → Thailand": "<5",
        "Thailand → Cambodia": "≥5",
    }
    assert dict(figs["returns_by_step"].rows) == {"Requested": "≥5", "Risk assessment": "<5"}
    assert dict(figs["returns_steps_reached"].rows) == {"Requested": "6", "Risk assessment": "<5"}
    assert dict(figs["returns_by_sex"].rows) == {"Female": "≥5", "Male": "<5"}
    assert dict(figs["returns_by_provider"].rows) == {"State actor": "7"}


@pytest.mark.parametrize("size", [2, 12])
def test_returns_fixed_queries(make_org, django_assert_num_queries, size):
    from workflows.cases.tests.factories import make_case
    from workflows.returns.models import ReturnProcedure

    th_imm = make_org(kind="immigration", country="TH")
    kh_soc = make_org(kind="social_services", country="KH")
    for _ in range(size):
        ReturnProcedure.objects.create(
            case=make_case(th_imm, nationality="KH", country="TH"),
            returning_country_id="TH",
            receiving_country_id="KH",
            returning_authority=th_imm,
            receiving_authority=kh_soc,
        )
    # 1 total + 1 steps reached + 7 grouped tables + 1 country names; on PostgreSQL the total and
    # the 7 tables in one GROUPING SETS query, after the settings of whole-table aggregates
    with django_assert_num_queries(4 if connection.vendor == "postgresql" else 10):
        statistics_for(StatsFilter(countries={"TH"}), ["returns"], live=True)


def test_annual_report_carries_suppressed_statistics(body_world, dataset):
    from reporting.report import annual_report_pdf

    pdf = annual_report_pdf(body=body_world.body, year=2026)
    assert b"Cases identified by sex / gender" in pdf
    assert b"<5" in pdf
    assert b">=5" in pdf


def _referrals(make_org, answered_hours: list[float | None], states: list[str]):
    from datetime import timedelta

    from django.utils import timezone

    from workflows.cases.tests.factories import make_case
    from workflows.referrals.models import Referral

    police = make_org(kind="law_enforcement", country="TH")
    ngo = make_org(kind="ngo", country="TH")
    now = timezone.now()
    for hours, state in zip(answered_hours, states, strict=True):
        Referral.objects.create(
            case=make_case(police, country="TH", gender="Female"),
            sender=police,
            receiver=ngo,
            urgency="urgent",
            submitted_at=now - timedelta(days=10),
            answered_at=None
            if hours is None
            else now - timedelta(days=10) + timedelta(hours=hours),
            state=state,
        )


def test_referrals_hand_counted(make_org):
    # 5 accepted within 1 hour, 1 declined after 30 hours, 1 not answered yet
    _referrals(
        make_org,
        [1, 1, 1, 1, 1, 30, None],
        ["accepted"] * 5 + ["declined", "submitted"],
    )
    (fam,) = statistics_for(StatsFilter(countries={"TH"}), ["referrals"])
    assert fam.available, fam.waiting_for
    figs = {fig.key: fig for fig in fam.figures}
    assert figs["referrals_by_outcome"].total == "7"
    assert dict(figs["referrals_by_outcome"].rows) == {
        "Accepted": "5",
        "Declined": "<5",
        "Submitted": "<5",
    }
    assert dict(figs["referrals_time_to_answer"].rows) == {
        "Within 4 hours": "5",
        "1 to 5 days": "<5",
        "Not answered yet": "<5",
    }
    assert dict(figs["referrals_by_provider"].rows) == {"Non-State actor": "7"}
    # another country's ministry sees none of them
    (other,) = statistics_for(StatsFilter(countries={"KH"}), ["referrals"])
    assert {fig.key: fig.total for fig in other.figures}["referrals_by_outcome"] == "0"


@pytest.mark.parametrize("size", [2, 12])
def test_referrals_fixed_queries(make_org, django_assert_num_queries, size):
    _referrals(make_org, [1] * size, ["accepted"] * size)
    # 1 total + 6 grouped tables, whatever the number of referrals (on PostgreSQL: all of them in
    # one GROUPING SETS query, after the settings of whole-table aggregates)
    with django_assert_num_queries(2 if connection.vendor == "postgresql" else 7):
        statistics_for(StatsFilter(countries={"TH"}), ["referrals"], live=True)
