"""Dates and as_of at the ends of Python's calendar are 400s, not 500s.

``/api/metrics?as_of=9999-12-31T23:59`` (the default window's end is as_of's next day),
``?start=0001-01-01&end=0001-01-05&compare=previous`` (the previous period starts before
year 1) and ``/api/hotspots?start=0001-01-01&end=0001-01-08`` (the baseline windows before
it) raised OverflowError: HTTP 500 with a traceback in the server log.
"""
from __future__ import annotations

import datetime as dt

import pytest

from store.metrics import MetricsError, parse_as_of, parse_date
from store.settings import Settings


@pytest.mark.parametrize("text", ["0001-01-01", "0999-12-31", "9999-12-31", "3000-01-01"])
def test_dates_outside_a_plausible_range_are_refused(text):
    with pytest.raises(MetricsError, match="bad start"):
        parse_date(text, "start")


@pytest.mark.parametrize("text", ["0001-01-01", "9999-12-31T23:59", "9999-12-31T23:59Z"])
def test_as_of_outside_a_plausible_range_is_refused(text):
    with pytest.raises(MetricsError, match="bad as_of"):
        parse_as_of(text, Settings())


def test_ordinary_dates_still_parse():
    assert parse_date("2025-10-01", "start") == dt.date(2025, 10, 1)
    assert parse_date("1900-01-01", "end") == dt.date(1900, 1, 1)
    assert parse_as_of("2025-10-01T08:00", Settings()) == dt.datetime(2025, 10, 1, 8)
