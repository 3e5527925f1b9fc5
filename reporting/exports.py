"""CSV and XLSX exports of the statistics: the same suppressed text the page shows ("<5")."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from .statistics import FamilyResult, StatsFilter

HEADER = [
    "family",
    "figure",
    "dimension",
    "value",
    "count",
    "total",
    "htcds",
    "period_from",
    "period_to",
    "countries",
]


def _rows(results: list[FamilyResult], f: StatsFilter) -> list[list[str]]:
    countries = "all" if f.countries is None else " ".join(sorted(f.countries))
    out = []
    for fam in results:
        if not fam.available:
            out.append([fam.key, "", "", "", "not available", "", "", "", "", countries])
            continue
        for fig in fam.figures:
            for label, shown in fig.rows:
                out.append(
                    [
                        fam.key,
                        fig.title,
                        fig.dimension,
                        label,
                        shown,
                        fig.total,
                        fig.htcds,
                        f.date_from.isoformat() if f.date_from else "",
                        f.date_to.isoformat() if f.date_to else "",
                        countries,
                    ]
                )
    return out


def statistics_csv(results: list[FamilyResult], f: StatsFilter) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(HEADER)
    writer.writerows(_rows(results, f))
    return buf.getvalue()


def statistics_xlsx(results: list[FamilyResult], f: StatsFilter) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "statistics"
    ws.append(HEADER)
    for row in _rows(results, f):
        ws.append(row)  # counts stay text so "<5" and exact numbers read alike
    notes = wb.create_sheet("notes")
    notes.append(["Counts of 1 to 4 are shown as <5 (small-cell suppression)."])
    notes.append(["Disaggregation: seed 001 footnote 19 (line 364)."])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
