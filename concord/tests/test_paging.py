"""The capped count of lists that grow without bound (concord.paging)."""

from __future__ import annotations

import pytest

from concord.paging import CappedCountPaginator

ROWS = list(range(120))


@pytest.mark.parametrize(
    ("number", "count", "capped", "pages"),
    [
        (1, 60, True, 2),  # rows 1-60 counted, more follow: "60+", Next leads to page 2
        (2, 110, True, 3),  # counted from row 51: 60 further
        (3, 120, False, 3),  # the end is within reach: exact
        ("abc", 60, True, 2),  # not a number: page 1, as Paginator.get_page reads it
        (10**30, 120, False, 3),  # far past the end: clamped, the whole list counted
    ],
)
def test_the_count_stops_cap_rows_past_the_page_asked_for(number, count, capped, pages):
    paginator = CappedCountPaginator(ROWS, 50, number=number, cap=60)
    assert (paginator.count, paginator.count_capped, paginator.num_pages) == (
        count,
        capped,
        pages,
    )


def test_a_cap_below_the_page_size_still_counts_the_page():
    paginator = CappedCountPaginator(ROWS, 50, number=1, cap=5)
    assert (paginator.count, paginator.count_capped) == (50, True)
    assert list(paginator.get_page(1).object_list) == ROWS[:50]
    assert paginator.get_page(1).has_next()


def test_a_short_list_is_counted_exactly():
    paginator = CappedCountPaginator(ROWS[:7], 50, number=1, cap=60)
    assert (paginator.count, paginator.count_capped, paginator.num_pages) == (7, False, 1)
