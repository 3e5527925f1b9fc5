"""The statistics rollup: figures summed from it equal the live computation for every family and
filter, small cells suppressed in the summing query; it is rebuilt by the beat task, the
management command and the first request; page and API say as of when."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from time_machine import travel

from coordination.models import Role
from reporting.models import StatisticsRefresh, StatisticsRollup
from reporting.rollup import statistics_refresh
from reporting.statistics import StatsFilter, statistics_for
from reporting.tasks import refresh_statistics

pytestmark = pytest.mark.django_db

GENDERS = ["Female", "Male", "TransgenderNonConforming", "Unknown"]
BANDS = ["0-8", "9-17", "18-20", "24-26", "30-38", "48+", "unknown"]
FORMS = ["forced_labour", "sexual_exploitation", "domestic_servitude", "debt_bondage"]
REFERRAL_STATES = ["submitted", "accepted", "declined", "completed", "withdrawn"]
RETURN_PATH = ["requested", "risk_assessment", "decision", "preparation", "travel"]


def _day(rng: random.Random) -> date:
    # 2024-11-20 .. 2026-03-10: crosses two year ends and many month ends
    return date(2024, 11, 20) + timedelta(days=rng.randrange(476))


@pytest.fixture
def varied(make_org):
    """Cases, referrals and returns in four countries over sixteen months, with every dimension
    varied, some values unknown, and enough of some cells to show exact counts."""
    from workflows.cases.tests.factories import make_case
    from workflows.referrals.models import Referral
    from workflows.returns.models import ReturnProcedure, ReturnStep

    rng = random.Random(8)
    orgs = {
        "TH": [
            make_org(kind="law_enforcement", country="TH"),
            make_org(kind="ngo", country="TH"),
            make_org(kind="immigration", country="TH"),
        ],
        "KH": [make_org(kind="social_services", country="KH"), make_org(kind="ngo", country="KH")],
        "MM": [make_org(kind="ngo", country="MM")],
        "LA": [make_org(kind="government_ministry", country="LA")],
    }
    weights = {"TH": 6, "KH": 3, "MM": 2, "LA": 1}
    countries = [c for c, w in weights.items() for _ in range(w)]
    cases = []
    for i in range(150):
        country = rng.choice(countries)
        case = make_case(
            rng.choice(orgs[country]),
            state=rng.choice(["presumed_victim", "identified", "confirmed", "not_identified"]),
            minor_status=rng.choice(["adult", "adult", "known_child"]),
            nationality=None if i % 17 == 0 else rng.choice(["KH", "MM", "LA", "TH", "VN"]),
            country=country,
            gender=rng.choice(GENDERS),
            age_band=rng.choice(BANDS),
            exploitation_forms=rng.sample(FORMS, rng.choice([1, 1, 2])),
            identified_on=_day(rng),
        )
        cases.append((country, case))
    for i in range(160):
        sender_country = rng.choice(countries)
        case = next(c for country, c in cases[i % 150 :] + cases if country == sender_country)
        receiver_country = rng.choice([sender_country, sender_country, rng.choice(countries)])
        # around midnight UTC as well: the day is the submission's date in the time zone
        submitted = datetime.combine(_day(rng), datetime.min.time(), tzinfo=UTC)
        submitted += timedelta(minutes=rng.choice([5, 600, 1435, 1439]))
        answered = (
            None
            if i % 5 == 0
            else submitted + timedelta(hours=rng.choice([1, 3.9, 4, 20, 24, 30, 120, 200]))
        )
        Referral.objects.create(
            case=case,
            sender=rng.choice(orgs[sender_country]),
            receiver=rng.choice(orgs[receiver_country]),
            urgency=rng.choice(["emergency", "urgent", "routine"]),
            submitted_at=None if i % 23 == 0 else submitted,
            answered_at=answered,
            state="draft" if i % 23 == 0 else rng.choice(REFERRAL_STATES),
        )
    procedure, step = ReturnProcedure, ReturnStep
    authority = {c: next(o for o in orgs[c] if o.kind != "ngo") for c in ("TH", "KH", "LA")}
    authority["MM"] = orgs["MM"][0]
    for i in range(70):
        returning = rng.choice(["TH", "TH", "KH"])
        receiving = rng.choice([c for c in ("KH", "MM", "LA", "TH") if c != returning])
        reached = RETURN_PATH[: rng.randrange(1, len(RETURN_PATH) + 1)]
        p = procedure.objects.create(
            case=cases[i][1],
            returning_country_id=returning,
            receiving_country_id=receiving,
            returning_authority=authority[returning],
            receiving_authority=authority[receiving],
            requested_at=datetime.combine(_day(rng), datetime.min.time(), tzinfo=UTC)
            + timedelta(hours=rng.choice([1, 12, 23])),
            state=reached[-1],
        )
        for state in reached:
            step.objects.create(procedure=p, state=state)


FILTERS = [
    StatsFilter(),
    StatsFilter(period="month"),
    StatsFilter(period="year", countries={"TH"}),
    StatsFilter(countries={"KH", "TH"}),
    StatsFilter(countries={"MM"}, period="month"),
    StatsFilter(countries={"VN"}),
    StatsFilter(date_from=date(2025, 1, 15), date_to=date(2026, 2, 10)),
    StatsFilter(date_from=date(2025, 1, 1), date_to=date(2025, 12, 31), countries={"TH"}),
    StatsFilter(date_from=date(2025, 3, 1), period="month"),
    StatsFilter(date_to=date(2025, 6, 30), countries={"KH", "LA"}),
    StatsFilter(date_from=date(2025, 2, 1), date_to=date(2025, 2, 28), period="year"),
    StatsFilter(date_from=date(2025, 5, 17), date_to=date(2025, 5, 17)),
    StatsFilter(date_from=date(2024, 12, 31), date_to=date(2026, 1, 1), countries={"TH", "LA"}),
    StatsFilter(date_from=date(2026, 2, 1), date_to=date(2025, 2, 1)),
]


def _as_data(results):
    return [
        (
            r.key,
            r.available,
            [(f.key, f.title, f.dimension, f.total, f.rows, f.additive) for f in r.figures],
        )
        for r in results
    ]


def test_rollup_equals_live_computation_for_every_family_and_filter(varied):
    report = statistics_refresh()
    assert report.built
    assert report.rows > 0
    families = ["cases", "referrals", "returns"]
    seen_exact = seen_suppressed = False
    for f in FILTERS:
        live = statistics_for(f, families, live=True)
        served = statistics_for(f, families)
        assert _as_data(served) == _as_data(live), f
        assert all(r.as_of == report.refreshed_at for r in served)
        cells = {shown for r in served for fig in r.figures for _label, shown in fig.rows}
        seen_exact |= any(c.isdigit() and int(c) >= 5 for c in cells)
        seen_suppressed |= "<5" in cells
        assert not {"1", "2", "3", "4"} & cells
    # the data set exercises both sides of the small-cell rule
    assert seen_exact
    assert seen_suppressed


def test_rollup_is_as_of_its_refresh(varied, make_org):
    from workflows.cases.tests.factories import make_case

    statistics_refresh()
    f = StatsFilter(countries={"TH"})
    before = _as_data(statistics_for(f, ["cases"]))
    make_case(make_org(kind="ngo", country="TH"), state="identified", country="TH")
    assert _as_data(statistics_for(f, ["cases"])) == before  # until the next refresh
    assert _as_data(statistics_for(f, ["cases"], live=True)) != before
    refresh_statistics()  # the beat task
    assert _as_data(statistics_for(f, ["cases"])) == _as_data(
        statistics_for(f, ["cases"], live=True)
    )


def test_first_request_builds_the_rollup_once(varied):
    assert not StatisticsRefresh.objects.exists()
    with travel(datetime(2026, 11, 28, 9, 30, tzinfo=UTC), tick=False):
        (fam,) = statistics_for(StatsFilter(), ["cases"])
    assert fam.as_of == datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
    assert fam.refreshed_every_minutes == settings.CONCORD_STATISTICS_REFRESH_MINUTES
    rows = StatisticsRollup.objects.count()
    assert rows == StatisticsRefresh.objects.get().rows > 0
    with CaptureQueriesContext(connection) as queries:
        statistics_for(StatsFilter(), ["cases"])
    assert not any("INSERT" in q["sql"] for q in queries.captured_queries)
    (coordination,) = statistics_for(StatsFilter(), ["coordination"])
    assert coordination.as_of is None  # computed live


def test_refresh_replaces_every_row(varied):
    statistics_refresh()
    first = StatisticsRollup.objects.count()
    again = statistics_refresh()
    assert StatisticsRollup.objects.count() == first == again.rows
    assert StatisticsRefresh.objects.count() == 1


def test_management_command(varied):
    out = StringIO()
    with travel(datetime(2026, 11, 28, 23, 0, tzinfo=UTC), tick=False):
        call_command("refresh_statistics", stdout=out)
    state = StatisticsRefresh.objects.get()
    assert state.refreshed_at == datetime(2026, 11, 28, 23, 0, tzinfo=UTC)
    assert f"{state.rows} rows" in out.getvalue()
    assert "2026-11-28T23:00:00+00:00" in out.getvalue()


def test_beat_schedule_is_synced():
    from django_celery_beat.models import PeriodicTask

    from concord.schedules import sync_schedules

    sync_schedules()
    task = PeriodicTask.objects.get(name="reporting: refresh statistics")
    assert task.task == "reporting.tasks.refresh_statistics"
    assert task.interval.every == settings.CONCORD_STATISTICS_REFRESH_MINUTES
    assert task.interval.period == "minutes"
    assert task.enabled


def _official(make_org, make_member, country):
    ministry = make_org(kind="government_ministry", country=country)
    return make_member(ministry, Role.MINISTRY_OFFICIAL)


def test_page_and_api_say_as_of_when(
    client, login, make_org, make_member, varied, django_assert_max_num_queries
):
    with travel(datetime(2026, 11, 28, 22, 40, tzinfo=UTC), tick=False):
        statistics_refresh()
    login(_official(make_org, make_member, "TH"))
    # a fixed number of queries whatever the data (the session, user, second factor and
    # memberships included; one more on PostgreSQL for the settings of aggregates)
    with django_assert_max_num_queries(28):
        page = client.get("/work/statistics/")
    assert page.status_code == 200
    body = page.content.decode()
    minutes = settings.CONCORD_STATISTICS_REFRESH_MINUTES
    assert "Figures as of" in body
    assert f"refreshed every {minutes} minutes" in body
    with django_assert_max_num_queries(23):
        api = client.get("/api/statistics/")
    assert api.status_code == 200
    by_key = {fam["key"]: fam for fam in api.json()}
    for key in ("cases", "referrals", "returns"):
        assert by_key[key]["as_of"] == "2026-11-28T22:40:00Z"
        assert by_key[key]["refreshed_every_minutes"] == minutes
    assert by_key["coordination"]["as_of"] is None


def test_countries_stay_restricted(client, login, make_org, make_member, varied):
    """A ministry of KH sees the KH figures from the rollup, never TH's alone."""
    statistics_refresh()
    login(_official(make_org, make_member, "KH"))
    assert client.get("/api/statistics/?country=TH").status_code == 404
    api = client.get("/api/statistics/?family=cases")
    (fam,) = api.json()
    served = {fig["key"]: fig for fig in fam["figures"]}
    (live,) = statistics_for(StatsFilter(countries={"KH"}), ["cases"], live=True)
    for fig in live.figures:
        assert served[fig.key]["total"] == fig.total
        assert [(r["label"], r["count"]) for r in served[fig.key]["rows"]] == fig.rows
    labels = {r["label"] for r in served["cases_by_country"]["rows"]}
    assert labels == {"Cambodia"}


@pytest.mark.parametrize("scale", [1, 3])
def test_fixed_number_of_queries(make_org, django_assert_max_num_queries, scale):
    """Summing from the rollup costs the same number of queries whatever the data."""
    from workflows.cases.tests.factories import make_case

    org = make_org(kind="ngo", country="TH")
    for i in range(8 * scale):
        make_case(org, country="TH", identified_on=date(2025, 1 + i % 12, 1 + i % 28))
    statistics_refresh()
    f = StatsFilter(countries={"TH"}, date_from=date(2025, 2, 3), date_to=date(2026, 1, 20))
    # as of (1); cases: country names, the tables, the periods (3); referrals: the tables (1);
    # returns: country names, the tables, the periods (3); coordination, live (6); and on
    # PostgreSQL the settings of whole-table aggregates (1)
    with django_assert_max_num_queries(15 if connection.vendor == "postgresql" else 14):
        results = statistics_for(f)
    assert [r.key for r in results if r.available] == [
        "cases",
        "referrals",
        "returns",
        "coordination",
    ]
    as_of = results[0].as_of
    assert as_of is not None
    assert timezone.now() - as_of < timedelta(minutes=5)
