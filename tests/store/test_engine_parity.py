"""Every read the screens make gives the same answer on DuckDB and on ClickHouse (chdb).

The demo county (the session's ``wall_demo_db``, built by the real generator and ETL) is
published to chdb by the real publisher; each read function of store/ runs on both stores
with the same arguments and the results must be equal: frames cell by cell (floats to
1e-9), geometry by its WKB, dicts and lists recursively.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from store import analysis_reads as ar
from store import briefing_reads as br
from store import cameras_near as cn
from store import event_rows as er
from store import event_table as et
from store import freshness as fr
from store import hotspots as hs
from store import map_reads as mr
from store import metrics as m
from store import wall_reads as wr
from store.analysis_filters import Filters
from store.db import ReadStore
from store.settings import Settings
from tests.engines import close_all, open_chdb, publish_to_chdb

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stores(wall_demo_db, tmp_path_factory):
    target = publish_to_chdb(wall_demo_db, tmp_path_factory.mktemp("parity") / "ch")
    duck = ReadStore(wall_demo_db)
    ch = open_chdb(target)
    yield duck, ch
    duck.close()
    close_all()


def same(a, b, path="") -> None:
    """Assert ``a`` (DuckDB's answer) equals ``b`` (ClickHouse's)."""
    if isinstance(a, pd.DataFrame):
        assert isinstance(b, pd.DataFrame), path
        assert list(a.columns) == list(b.columns), path
        assert len(a) == len(b), (path, len(a), len(b))
        for col in a.columns:
            same(list(a[col]), list(b[col]), f"{path}.{col}")
        return
    if isinstance(a, pd.Series):
        same(list(a), list(b), path)
        return
    if isinstance(a, np.ndarray):
        same(a.tolist(), np.asarray(b).tolist(), path)
        return
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), (path, a.keys(), b)
        for k in a:
            same(a[k], b[k], f"{path}.{k}")
        return
    if isinstance(a, (list, tuple)):
        assert len(a) == len(b), (path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{path}[{i}]")
        return
    if hasattr(a, "wkb"):
        assert a.wkb == b.wkb, path
        return
    if _missing(a) or _missing(b):
        assert _missing(a) and _missing(b), (path, a, b)
        return
    if isinstance(a, (float, np.floating)) or isinstance(b, (float, np.floating)):
        assert math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9), (path, a, b)
        return
    if isinstance(a, (bytes, bytearray, memoryview)):
        assert bytes(a) == bytes(b), path
        return
    if isinstance(a, dt.datetime) or isinstance(b, dt.datetime):
        assert pd.Timestamp(a) == pd.Timestamp(b), (path, a, b)
        return
    assert a == b, (path, a, b)


def _missing(v) -> bool:
    if v is None or v is pd.NaT or v is pd.NA:
        return True
    return isinstance(v, float) and math.isnan(v)


def _view(duck):
    s = Settings()
    as_of = m.resolve_as_of(duck, s)
    start, end = m.default_window(as_of, 30)
    town = duck.rows("SELECT township_code FROM townships ORDER BY 1 LIMIT 1")[0][0]
    grid = duck.rows("SELECT grid_id FROM grids WHERE township_code = ? ORDER BY 1 LIMIT 1",
                     [town])[0][0]
    event = duck.rows("SELECT event_id FROM events WHERE closed_at IS NULL ORDER BY 1 LIMIT 1")[0][0]
    return s, as_of, start, end, town, grid, event


def unordered(df: pd.DataFrame) -> pd.DataFrame:
    """A result whose row order no one relies on (raster cells), in a fixed order."""
    return df.sort_values(list(df.columns), ignore_index=True)


READS = {
    # the wall
    "township_list": lambda st, s, v: wr.township_list(st, s),
    "data_as_of": lambda st, s, v: wr.data_as_of(st, s),
    "kpis_county": lambda st, s, v: wr.kpis(st, s, None, v["start"], v["end"], v["as_of"]),
    "kpis_township": lambda st, s, v: wr.kpis(st, s, v["town"], v["start"], v["end"], v["as_of"]),
    "previous_kpis": lambda st, s, v: wr.previous_kpis(st, s, v["town"], v["start"], v["end"],
                                                       v["as_of"]),
    "ranking_townships": lambda st, s, v: wr.unit_ranking(st, s, None, v["start"], v["end"],
                                                          v["as_of"]),
    "ranking_grids": lambda st, s, v: wr.unit_ranking(st, s, v["town"], v["start"], v["end"],
                                                      v["as_of"]),
    "ranking_grids_of_all": lambda st, s, v: wr.township_rankings(st, s, v["start"], v["end"],
                                                                  v["as_of"])[v["town"]],
    "daily_trend": lambda st, s, v: wr.daily_trend(st, s, None, v["start"], v["end"]),
    "daily_trend_township": lambda st, s, v: wr.daily_trend(st, s, v["town"], v["start"], v["end"]),
    "mix_category": lambda st, s, v: wr.mix(st, s, None, v["start"], v["end"], "category"),
    "mix_channel": lambda st, s, v: wr.mix(st, s, v["town"], v["start"], v["end"], "channel"),
    "mediation": lambda st, s, v: wr.mediation(st, s, None, v["as_of"].date()),
    "live_events": lambda st, s, v: wr.live_events(st, s, None, v["as_of"]),
    "live_events_township": lambda st, s, v: wr.live_events(st, s, v["town"], v["as_of"]),
    "township_live_lists": lambda st, s, v: wr.township_live_lists(st, s, v["as_of"]),
    "warning_events": lambda st, s, v: wr.warning_events(st, s, None, v["as_of"]),
    "warning_lists": lambda st, s, v: wr.warning_lists(st, s, v["as_of"], 5),
    "event_card": lambda st, s, v: wr.event_card(st, s, v["event"], v["as_of"]),
    "grid_card": lambda st, s, v: wr.grid_card(st, s, v["grid"], v["start"], v["end"], v["as_of"]),
    "freshness": lambda st, s, v: fr.freshness(st, s, now=v["as_of"]),
    # the map
    "township_shapes": lambda st, s, v: mr.township_shapes(st, s),
    "grid_shapes": lambda st, s, v: mr.grid_shapes(st, s, v["town"]),
    "unit_measures": lambda st, s, v: mr.unit_measures(st, s, v["start"], v["end"], v["as_of"]),
    "event_cells": lambda st, s, v: unordered(mr.event_cells(st, s, v["start"], v["end"])[0]),
    "camera_points": lambda st, s, v: mr.camera_points(st, s, None, v["as_of"]),
    "cameras_near_grid": lambda st, s, v: mr.cameras_near_grid(st, s, v["grid"], as_of=v["as_of"]),
    "hotspot_table": lambda st, s, v: hs.hotspot_table(st, s, v["start"], v["end"]),
    # True on both: the published grid_daily is the table read (not a silent fallback)
    "grid_daily_agrees": lambda st, s, v: hs.grid_daily_agrees(st),
    "grid_neighbours": lambda st, s, v: hs.grid_neighbours(st, s),
    "cameras_near": lambda st, s, v: cn.cameras_near(st, s, cn.parse_near(f"grid:{v['grid']}"),
                                                     300.0, v["as_of"]),
    # the analysis page
    "analysis_hotspots": lambda st, s, v: ar.hotspots(st, s, v["start"], v["end"], v["as_of"]),
    "density_cells": lambda st, s, v: ar.density_cells(st, s, v["filters"]),   # ordered
    "hour_weekday": lambda st, s, v: ar.hour_weekday(st, s, v["filters"]),
    "trend_by_category": lambda st, s, v: ar.trend_by_category(st, s, v["filters"]),
    "trend_by_category_red": lambda st, s, v: ar.trend_by_category(
        st, s, dataclasses.replace(v["filters"], warning="red")),
    "trend_by_category_blocks": lambda st, s, v: ar.trend_by_category(
        st, s, dataclasses.replace(v["filters"], start=v["start"] - dt.timedelta(days=90))),
    "analysis_hotspots_every_grid": lambda st, s, v: ar.hotspots(
        st, s, v["start"], v["end"], v["as_of"], everything=True),
    "emerging_hotspots_profiled": lambda st, s, v: hs.emerging_hotspots(
        st, s, v["start"], v["end"], profiled=True, as_of=v["as_of"]),
    "options": lambda st, s, v: ar.options(st, s),
    "grid_labels": lambda st, s, v: ar.grid_labels(st, s),
    "camera_status": lambda st, s, v: ar.camera_status(st, s, v["as_of"]),
    "late_by_department": lambda st, s, v: ar.late_by_department(st, s, v["filters"]),
    "event_page": lambda st, s, v: et.event_page(st, s, v["filters"]),
    "event_page_sorted": lambda st, s, v: et.event_page(
        st, s, v["filters"], et.parse_page({"sort": "-due_at", "page": "2"})),
    "event_page_by_category": lambda st, s, v: et.event_page(
        st, s, v["filters"], et.parse_page({"sort": "category", "page": "3"})),
    "event_csv": lambda st, s, v: b"".join(et.csv_lines(st, s, v["filters"])),
    "event_detail": lambda st, s, v: er.event_detail(st, s, v["event"], as_of=v["as_of"]),
    # the briefing
    "overdue_by_grid": lambda st, s, v: br.overdue_by(st, s, v["as_of"], "grid"),
    "overdue_by_department": lambda st, s, v: br.overdue_by(st, s, v["as_of"], "department"),
    "worst_grids": lambda st, s, v: br.worst_grids(st, s, v["start"], v["end"], v["as_of"]),
    "rises": lambda st, s, v: br.rises(st, s, v["start"], v["end"],
                                       v["start"] - (v["end"] - v["start"]), v["start"]),
    "week_mediation": lambda st, s, v: br.week_mediation(st, s, v["end"]),
}


@pytest.fixture(scope="module")
def view(stores):
    duck, _ = stores
    s, as_of, start, end, town, grid, event = _view(duck)
    f = Filters(start=start, end=end, as_of=as_of)
    return s, {"as_of": as_of, "start": start, "end": end, "town": town, "grid": grid,
               "event": event, "filters": f}


@pytest.mark.parametrize("name", sorted(READS))
def test_the_read_gives_the_same_answer_on_duckdb_and_clickhouse(stores, view, name):
    duck, ch = stores
    s, v = view
    same(READS[name](duck, s, v), READS[name](ch, s, v), name)
