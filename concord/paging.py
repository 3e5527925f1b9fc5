"""Paging of lists that grow without bound (a busy organisation's referral inbox): the count stops
looking a fixed number of rows past the page asked for.

Django's Paginator (and DRF's page-number pagination on top of it) runs `COUNT(*)` over the whole
filtered list before it fetches a page: at a million referrals that count is the one cost of an
inbox that grows with the data (bench/README.md, section 2). `CappedCountPaginator` counts at most
`cap` rows past the start of the requested page (`SELECT COUNT(*) FROM (... LIMIT n)`, a bounded
index range scan), so the first pages cost the same at any size. What a reader loses: the exact
total when there are more than `cap` rows beyond the page; the list says "1,000+" and "page 1 of
20+" instead, and Next keeps working (each page looks `cap` rows further). The cap is
settings.CONCORD_LIST_COUNT_CAP, 1,000 by default.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet

COUNT_CAP = 1000
# Page numbers past this are treated as this (SQL's LIMIT is a bigint; no list is that long).
_MAX_PAGE = 10**9


def count_cap() -> int:
    return int(getattr(settings, "CONCORD_LIST_COUNT_CAP", COUNT_CAP))


def requested_page(number: Any) -> int:
    """The page number a request asks for, as Paginator would read it (1 when not a number)."""
    try:
        value = int(str(number))
    except (TypeError, ValueError):
        return 1
    return min(max(value, 1), _MAX_PAGE)


class CappedCountPaginator(Paginator):
    """A Paginator whose `count` is exact up to `cap` rows past the start of page `number`, and
    `start + cap` with `count_capped` true when more rows follow (a lower bound)."""

    def __init__(
        self, object_list: Any, per_page: int, *, number: Any, cap: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.cap = count_cap() if cap is None else cap
        self._start = (requested_page(number) - 1) * int(per_page)
        self._capped = False

    @cached_property
    def count(self) -> int:
        # At least the page itself is counted, whatever the cap.
        limit = self._start + max(self.cap, int(self.per_page)) + 1
        rows: Any = self.object_list
        if isinstance(rows, QuerySet):
            # Which rows come first does not change how many there are up to the limit: no
            # ORDER BY, no joins, so PostgreSQL stops an index scan after `limit` entries.
            found = rows.order_by().values("pk")[:limit].count()
        else:
            found = len(rows[:limit])
        if found >= limit:
            self._capped = True
            return limit - 1
        return int(found)

    @cached_property
    def num_pages(self) -> int:
        """The pages counted, and one more when rows follow the count (so Next leads on)."""
        if self.count_capped:
            return -(-(self.count + 1) // int(self.per_page))
        return int(super().num_pages)

    @property
    def count_capped(self) -> bool:
        """True when `count` is a lower bound: more rows follow the `cap` counted."""
        _ = self.count
        return self._capped
