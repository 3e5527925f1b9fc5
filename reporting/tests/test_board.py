"""The ministries' corridor board: who sees which figures, the figures themselves, filters, CSV,
a fixed number of queries, and no identifying field."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from coordination.models import Country
from reporting.board import corridor_board
from workflows.returns import services as svc
from workflows.returns.board import TIMED_STEPS, parse_filters
from workflows.returns.models import ReturnState
from workflows.returns.tests.factories import advance

pytestmark = pytest.mark.usefixtures("agreements")


def _reverse_return(world, **case_kw):
    """A return the other way: identified in Cambodia, returning to Thailand."""
    from coordination.services import membership_add
    from workflows.cases.tests.factories import make_case

    kh_case = make_case(world.kh_ministry, nationality="TH", country="KH", **case_kw)
    membership_add(
        organisation=world.kh_ministry, user=world.kh_officer, role="case_officer", actor=None
    )
    return svc.return_request(
        case=kh_case,
        receiving_country=Country.objects.get(code="TH"),
        returning_authority=world.kh_ministry,
        receiving_authority=world.th_ministry,
        actor=world.kh_officer,
    )


@pytest.fixture
def figures(world):
    advance(world.request(), world, ReturnState.MONITORING)
    advance(
        world.request(world.case(minor_status="known_child", gender="Male")),
        world,
        ReturnState.RISK_ASSESSMENT,
    )
    p = advance(world.request(), world, ReturnState.DECISION)
    svc.return_grant_alternative(
        procedure=p, actor=world.th_officer, kind="temporary_residence", grounds="Danger on return."
    )
    world.request()
    _reverse_return(world)
    return world


def test_ministry_official_sees_both_directions_of_their_corridors(figures):
    board = corridor_board(user=figures.th_ministry_official)
    by = {r.key: r for r in board.rows}
    assert set(by) == {"TH-KH", "KH-TH"}
    th_kh = by["TH-KH"]
    assert th_kh.total == 4
    assert th_kh.by_state["monitoring"] == 1
    assert th_kh.by_state["risk_assessment"] == 1
    assert th_kh.by_state["alternative"] == 1
    assert th_kh.by_state["requested"] == 1
    assert th_kh.alternatives == 1
    assert th_kh.median_days["requested"] is not None
    assert by["KH-TH"].total == 1
    # the Cambodian ministry sees the same corridors
    assert {r.key for r in corridor_board(user=figures.kh_ministry_official).rows} == {
        "TH-KH",
        "KH-TH",
    }


def test_unrelated_ministry_sees_no_figures_and_others_may_not_use_the_board(
    figures, login, client
):
    assert corridor_board(user=figures.vn_official).rows == []
    login(figures.th_officer)
    assert client.get(reverse("reporting:return-board")).status_code == 403
    assert client.get("/api/return-board/").status_code == 403


def test_overdue_steps_and_monitoring_compliance(figures):
    later = timezone.now() + dt.timedelta(days=60)
    with time_machine.travel(later):
        svc.return_monitoring_sweep()
        row = {r.key: r for r in corridor_board(user=figures.th_ministry_official).rows}["TH-KH"]
    assert row.overdue_steps >= 2
    assert row.visits_due == 1
    assert row.visits_missed == 1
    assert row.visits_done == 0
    assert row.compliance == 0.0


def test_filters(figures):
    user = figures.th_ministry_official

    def totals(**params):
        board = corridor_board(user=user, filters=parse_filters(params))
        return {r.key: r.total for r in board.rows}

    assert totals(corridor="KH-TH") == {"KH-TH": 1}
    assert totals(age="child") == {"TH-KH": 1}
    assert totals(age="adult") == {"TH-KH": 3, "KH-TH": 1}
    assert totals(sex="Male") == {"TH-KH": 1}
    assert totals(form="forced_labour") == {"TH-KH": 4, "KH-TH": 1}
    assert totals(form="sexual_exploitation") == {}
    today = timezone.localdate()
    assert totals(**{"from": (today + dt.timedelta(days=1)).isoformat()}) == {}
    assert totals(to=today.isoformat()) == {"TH-KH": 4, "KH-TH": 1}


def test_bad_filter_names_the_field(figures, login, client):
    login(figures.th_ministry_official)
    r = client.get("/api/return-board/?corridor=THAILAND&from=yesterday")
    assert r.status_code == 400
    assert set(r.json()["fields"]) == {"corridor", "from"}
    r = client.get(reverse("reporting:return-board") + "?age=elderly")
    assert r.status_code == 200
    assert "Choose child or adult" in r.content.decode()


def _identifying_values(world):
    from workflows.cases.models import Case
    from workflows.returns.models import ReturnProcedure

    values = set(Case.objects.values_list("reference", flat=True))
    values |= set(ReturnProcedure.objects.values_list("reference", flat=True))
    values |= {"Test", "Person", "1990-01-01"}
    return values


def test_board_api_csv_and_page_show_no_identifying_field(figures, login, client):
    login(figures.th_ministry_official)
    api = client.get("/api/return-board/")
    assert api.status_code == 200
    body = api.content.decode()
    csv = client.get("/api/return-board/csv/")
    assert csv["Content-Type"].startswith("text/csv")
    page_csv = client.get(reverse("reporting:return-board-csv"))
    page = client.get(reverse("reporting:return-board"))
    assert page.status_code == 200
    main = page.content.decode().split("<main")[1]
    for text in (body, csv.content.decode(), page_csv.content.decode(), main):
        for value in _identifying_values(figures):
            assert value not in text
    corridor = next(c for c in api.json()["corridors"] if c["corridor"] == "TH-KH")
    assert set(corridor) == {
        "corridor",
        "returning_state",
        "receiving_state",
        "label",
        "total",
        "by_step",
        "overdue_steps",
        "median_days_per_step",
        "alternatives_granted",
        "monitoring",
    }
    assert {"medians_as_of", "medians_refreshed_every_minutes"} <= set(api.json())
    lines = csv.content.decode().strip().splitlines()
    assert lines[0].startswith("corridor,returning_state,receiving_state,total,at_requested")
    assert len(lines) == 3
    assert 'id="chart-steps"' in main
    assert "returns_board.js" in page.content.decode()


@pytest.mark.parametrize("n", [1, 6])
def test_board_fixed_queries(world, login, client, django_assert_max_num_queries, n):
    for _ in range(n):
        advance(world.request(), world, ReturnState.DECISION)
        _reverse_return(world)
    from reporting.board import board_medians_as_of

    board_medians_as_of()  # the medians precomputed (the statistics refresh), as in service
    login(world.kh_ministry_official)
    with django_assert_max_num_queries(13):
        r = client.get("/api/return-board/")
    assert sum(c["total"] for c in r.json()["corridors"]) == 2 * n
    assert r.json()["medians_as_of"] is not None
    with django_assert_max_num_queries(15):
        assert client.get(reverse("reporting:return-board")).status_code == 200
    # filtered: the medians computed at the request, one query fewer
    with django_assert_max_num_queries(12):
        assert client.get("/api/return-board/?age=adult").status_code == 200


@pytest.mark.parametrize("seed", [1, 2])
def test_medians_are_exact(make_org, seed):
    """The histogram-guided medians equal the exact median of every corridor's and step's
    durations: odd and even counts, one value, values on bucket edges, middle ranks split
    between two buckets."""
    import random
    import statistics

    from workflows.cases.tests.factories import make_case
    from workflows.returns.board import BoardFilters, live_medians, procedures_q
    from workflows.returns.models import ReturnProcedure, ReturnStep

    rng = random.Random(seed)
    th = make_org(kind="immigration", country="TH")
    kh = make_org(kind="social_services", country="KH")
    ended = timezone.now()
    edges = [0, 1, 3599, 3600, 3601, 7199, 7200, 86400]
    expected = {}
    for returning, receiving in (("TH", "KH"), ("KH", "TH")):
        for state, n in (("requested", 7), ("risk_assessment", 10), ("decision", 1), ("travel", 2)):
            durations = [
                rng.choice(edges) if rng.random() < 0.4 else rng.randrange(5 * 86400)
                for _ in range(n)
            ]
            for d in durations:
                procedure = ReturnProcedure.objects.create(
                    case=make_case(th, nationality="KH", country="TH"),
                    returning_country_id=returning,
                    receiving_country_id=receiving,
                    returning_authority=th if returning == "TH" else kh,
                    receiving_authority=kh if returning == "TH" else th,
                )
                ReturnStep.objects.create(
                    procedure=procedure, state=state, left_at=ended, duration_seconds=d
                )
            expected[(returning, receiving, state)] = statistics.median(durations) / 86400.0
    # an open step counts nowhere
    ReturnStep.objects.create(procedure=procedure, state="preparation", duration_seconds=5)
    of_procedure = procedures_q(countries=["TH"], filters=BoardFilters(), prefix="procedure__")
    medians = live_medians(of_procedure)
    assert medians == pytest.approx(expected, abs=1e-9)
    # the precomputed medians (the statistics refresh) are the same exact medians
    from reporting.models import BoardMedian
    from reporting.rollup import statistics_refresh

    statistics_refresh()
    stored = {
        (m.returning_country, m.receiving_country, m.step): m.median_seconds / 86400.0
        for m in BoardMedian.objects.all()
    }
    assert stored == pytest.approx(expected, abs=1e-9)


def _live_medians(board):
    from workflows.returns.board import live_medians, procedures_q

    q = procedures_q(countries=board.countries, filters=board.filters, prefix="procedure__")
    shown = {(r.returning, r.receiving) for r in board.rows}
    return {
        (rc, vc, st): round(days, 1)
        for (rc, vc, st), days in live_medians(q).items()
        if (rc, vc) in shown and st in TIMED_STEPS
    }


def _board_medians(board):
    return {
        (r.returning, r.receiving, st): days
        for r in board.rows
        for st, days in r.median_days.items()
        if days is not None
    }


def test_medians_are_precomputed_at_the_statistics_refresh(figures):
    """The unfiltered board and a corridor filter read the medians of the last statistics refresh
    (built by the first request if never built), equal to the live exact medians as of then;
    other filters compute them at the request."""
    from reporting.models import BoardMedian, StatisticsRefresh
    from reporting.rollup import statistics_refresh

    user = figures.th_ministry_official
    assert not BoardMedian.objects.exists()
    board = corridor_board(user=user)  # the first request builds them
    first = StatisticsRefresh.objects.get().medians_at
    assert board.medians_as_of == first is not None
    assert board.as_dict()["medians_refreshed_every_minutes"] > 0
    assert BoardMedian.objects.exists()
    assert _board_medians(board)
    assert _board_medians(board) == _live_medians(board)

    # history, not operations: a step ending after the refresh changes them at the next refresh
    waiting = [figures.request() for _ in range(4)]
    later = timezone.now() + dt.timedelta(days=9)
    with time_machine.travel(later):
        for procedure in waiting:  # four requested steps of 9 days: the median moves
            advance(procedure, figures, ReturnState.DECISION)
        board = corridor_board(user=user)
        assert board.medians_as_of == first
        assert _board_medians(board) != _live_medians(board)
        report = statistics_refresh()
        board = corridor_board(user=user)
    assert board.medians_as_of == report.refreshed_at > first
    assert _board_medians(board) == _live_medians(board)

    corridor = corridor_board(user=user, filters=parse_filters({"corridor": "KH-TH"}))
    assert corridor.medians_as_of == report.refreshed_at
    assert {r.key for r in corridor.rows} == {"KH-TH"}
    assert _board_medians(corridor) == _live_medians(corridor)

    for params in (
        {"age": "adult"},
        {"sex": "Male"},
        {"form": "forced_labour"},
        {"to": "2099-01-01"},
    ):
        filtered = corridor_board(user=user, filters=parse_filters(params))
        assert filtered.medians_as_of is None
        assert filtered.as_dict()["medians_refreshed_every_minutes"] is None
        assert _board_medians(filtered) == _live_medians(filtered)


def test_medians_as_of_on_page_and_api(figures, login, client):
    from reporting.models import StatisticsRefresh

    login(figures.th_ministry_official)
    api = client.get("/api/return-board/").json()
    as_of = StatisticsRefresh.objects.get().medians_at
    assert api["medians_as_of"] is not None
    assert dt.datetime.fromisoformat(api["medians_as_of"].replace("Z", "+00:00")) == as_of
    assert api["medians_refreshed_every_minutes"] == settings.CONCORD_STATISTICS_REFRESH_MINUTES
    page = client.get(reverse("reporting:return-board")).content.decode()
    assert "Median durations as of" in page
    assert f"refreshed every {settings.CONCORD_STATISTICS_REFRESH_MINUTES} minutes" in page
    filtered = client.get("/api/return-board/?age=child").json()
    assert filtered["medians_as_of"] is None
    page = client.get(reverse("reporting:return-board") + "?age=child").content.decode()
    assert "Median durations as of" not in page
    assert "Median durations computed now" in page
