"""Reporting (app `reporting`): statistics and their rollup, the corridor board's precomputed
medians and the board's pages, CSV/XLSX exports and the annual report of a coordination body. It
reads the other apps and none of them reads it."""
