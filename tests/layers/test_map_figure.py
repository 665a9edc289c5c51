"""The map panel's pure figure builder and thin update, on a real DuckDB file (no server)."""
from __future__ import annotations

import datetime as dt

import dash
import plotly.graph_objects as go
import pytest
from flask import Flask
from flask_caching import Cache

from dashboard.context import AppContext
from dashboard.figures import theme
from dashboard.wall import hotspot_board
from dashboard.wall import map_panel as mp
from dashboard.wall.view import county_grids_left_out, current_view
from store.db import ReadStore
from store.settings import Settings
from tests.layers.mapdb import event, make_map_db

AT = dt.datetime(2025, 6, 20, 9, 0)


@pytest.fixture
def ctx(tmp_path):
    evs = [event(f"h{i}", AT + dt.timedelta(hours=i), 120.01, 29.51, "G1") for i in range(7)]
    evs += [event("x", AT, 120.06, 29.55, "G2"), event("y", AT, 120.15, 29.55, "G3")]
    cams = [("C1", "东门", "online", 120.02, 29.55, "G1", "T1"),
            ("C2", "西门", "offline", 120.07, 29.55, "G2", "T1")]
    store = ReadStore(make_map_db(tmp_path / "fig.duckdb", evs, cams))
    settings = Settings()
    settings.raw["as_of"] = "2025-06-30T12:00"
    app = Flask(__name__)
    c = AppContext(store=store, settings=settings,
                   cache=Cache(app, config={"CACHE_TYPE": "SimpleCache"}))
    yield c
    store.close()


def _rgba_prefix(color: str) -> str:
    """'#16345f' → 'rgba(22,52,95' (a fill colour without its alpha, for comparisons)."""
    c = color.lstrip("#")
    return "rgba(" + ",".join(str(int(c[i:i + 2], 16)) for i in (0, 2, 4))


def clickable(fig: go.Figure) -> list[list[str]]:
    return [list(c) for t in fig.data if getattr(t, "customdata", None) is not None
            for c in t.customdata]


def class_fills(fig: go.Figure) -> list:
    """The choropleth's class fills (not the invisible click fills)."""
    return [t for t in fig.data if t.fill == "toself" and t.hoveron != "fills"
            and t.legendgroup == "choropleth"]


def build(ctx, township=None, grid=None, layers=tuple(mp.DEFAULT_LAYERS), measure="reported"):
    data = mp.read_map_data(ctx, township, tuple(layers))
    return mp.map_figure(data, township=township, grid=grid, layers=tuple(layers), measure=measure)


def test_county_view_townships_clickable_and_whole_county_in_view(ctx):
    fig = build(ctx)
    assert clickable(fig)[:2] == [["township", "T1"], ["township", "T2"]]
    x0, x1 = fig.layout.xaxis.range
    assert x0 < 120.0 and x1 > 120.2
    assert fig.layout.uirevision == "map:county"
    assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.dragmode is False
    labels = [t for t in fig.data if t.mode == "text"]
    assert list(labels[0].text) == ["甲镇", "乙镇"]
    # T1 (8 events) and T2 (1 event) land in different classes of the legend
    fills = class_fills(fig)
    assert len(fills) == 2 and fills[0].legendgrouptitle.text == "事件数（件）"
    # and the whole polygon of each township answers to a click, not only its label
    assert [list(t.customdata[0]) for t in fig.data if t.hoveron == "fills"] == [
        ["township", "T1"], ["township", "T2"]]


def test_hotspot_outlined_and_clickable_as_grid(ctx):
    fig = build(ctx)
    names = [t.name for t in fig.data]
    assert "新发热点 1 处" in names                           # legend key
    assert ["grid", "G1"] in clickable(fig)                   # G1: 7 events, empty history


def test_drilled_township_zooms_and_draws_its_grids(ctx):
    fig = build(ctx, township="T1")
    cd = clickable(fig)
    assert ["grid", "G1"] in cd and ["grid", "G2"] in cd and ["grid", "G3"] not in cd
    assert ["township", "T2"] in cd                            # neighbour: click to switch
    x0, x1 = fig.layout.xaxis.range
    assert 119.99 < x0 < 120.0 and 120.1 < x1 < 120.11
    assert fig.layout.uirevision == "map:township:T1"
    hover = next(t for t in fig.data if t.customdata is not None and t.hovertext is not None
                 and list(t.customdata[0]) == ["grid", "G1"]).hovertext[0]
    assert "一号网格" in hover and "网格员 张三" in hover and "事件数 7 件" in hover
    assert "第1名 红牌" in hover            # 7 red warnings > red_card_overdue (5): red card


def test_selected_grid_is_highlighted(ctx):
    without = build(ctx, township="T1")
    fig = build(ctx, township="T1", grid="G2")
    sel = [t for t in fig.data if t.name == "选中" and t.line.color == theme.SELECTED]
    assert len(sel) == 2 and not [t for t in without.data
                                  if t.name == "选中" and t.line.color == theme.SELECTED]
    assert min(x for x in sel[1].x if x == x) == pytest.approx(120.05)


def test_unknown_township_falls_back_to_the_county(ctx):
    fig = build(ctx, township="nope")
    assert clickable(fig)[:2] == [["township", "T1"], ["township", "T2"]]


def test_layers_toggle_heat_and_cameras(ctx):
    fig = build(ctx, layers=("townships", "heat", "cameras"))
    heat = [t for t in fig.data if isinstance(t, go.Heatmap)]
    assert len(heat) == 1 and heat[0].zorder == 1
    names = [t.name for t in fig.data]
    assert "视频在线 1" in names and "视频离线 1" in names
    assert not any(n == "网格边界" for n in names)
    bare = build(ctx, layers=())
    assert not any(isinstance(t, go.Heatmap) for t in bare.data)
    assert not [t for t in bare.data if t.mode == "text"]       # labels go with 镇街边界
    assert clickable(bare)[:2] == [["township", "T1"], ["township", "T2"]]   # still clickable


def test_measure_selects_the_column(ctx):
    fig = build(ctx, measure="density")
    fills = class_fills(fig)
    assert fills[0].legendgrouptitle.text == "密度（件/km²）"
    # counts and density in the neutral blue ramp; red only for red warnings
    blues = {_rgba_prefix(c) for c in theme.VOLUME_CLASSES}
    assert all(f.fillcolor.rsplit(",", 1)[0] in blues for f in fills[1:])
    red = class_fills(build(ctx, measure="red"))
    assert red[-1].legendgrouptitle.text == "红线示警（件）"
    assert red[-1].fillcolor.rsplit(",", 1)[0] == _rgba_prefix(theme.WARM_CLASSES[-1])
    assert mp.DEFAULT_MEASURE == "red"


def test_update_sends_nothing_when_the_browser_has_the_same_view(ctx):
    fig, sig = mp.update_map(ctx, {"township": "T1", "grid": None}, ["townships"], "red", None)
    assert isinstance(go.Figure(fig), go.Figure) and fig["data"] and sig   # the figure's JSON
    again = mp.update_map(ctx, {"township": "T1", "grid": None}, ["townships"], "red", sig,
                          refresh=True)
    assert again == (dash.no_update, dash.no_update)
    other, sig2 = mp.update_map(ctx, {"township": "T1", "grid": "G1"}, ["townships"], "red", sig)
    assert other["data"] and sig2 != sig


def test_layout_ids_and_chinese_options(ctx):
    div = mp.layout(ctx)
    ids = {getattr(c, "id", None) for c in div.children}
    assert {"map-graph", "map-signature"} <= ids
    controls = div.children[1].children
    assert [o["label"] for o in controls[0].options] == ["事件数", "密度", "在办积压", "红线示警"]
    assert [o["label"] for o in controls[1].options] == ["镇街边界", "网格边界", "热力", "视频点位", "热点"]
    assert div.children[0].config["scrollZoom"] is False
    assert div.children[0].config["displayModeBar"] is False


def test_a_grid_alone_opens_its_township(ctx):
    fig, _ = mp.update_map(ctx, {"township": None, "grid": "G3"}, list(mp.DEFAULT_LAYERS),
                           "reported", None)
    fig = go.Figure(fig)
    assert fig.layout.uirevision == "map:township:T2"
    assert any(t.name == "选中" and t.line.color == theme.SELECTED for t in fig.data)


def test_empty_database_shows_a_message_not_an_error(tmp_path):
    import duckdb

    from store.schema import create_schema

    con = duckdb.connect(str(tmp_path / "empty.duckdb"))
    create_schema(con)
    con.close()
    store = ReadStore(tmp_path / "empty.duckdb")
    c = AppContext(store=store, settings=Settings(),
                   cache=Cache(Flask(__name__), config={"CACHE_TYPE": "SimpleCache"}))
    fig, _ = mp.update_map(c, None, list(mp.DEFAULT_LAYERS), "reported", None)
    assert fig.layout.annotations[0].text == "暂无地图数据"
    store.close()


def test_store_failure_keeps_the_old_map_on_refresh(tmp_path):
    store = ReadStore(tmp_path / "missing.duckdb")
    c = AppContext(store=store, settings=Settings(),
                   cache=Cache(Flask(__name__), config={"CACHE_TYPE": "SimpleCache"}))
    assert mp.update_map(c, None, [], "reported", "old", refresh=True) == (
        dash.no_update, dash.no_update)
    fig, sig = mp.update_map(c, None, [], "reported", None)
    assert fig.layout.annotations[0].text == "数据库文件不存在" and sig is None


def test_the_store_assembles_the_same_map_data_with_or_without_a_cache(ctx):
    from dashboard.figures import wall_map
    from dashboard.wall.view import current_view
    from store import map_view

    v = current_view(ctx, None)
    layers = ("cameras", "grids", "hotspots", "townships")
    plain = map_view.map_data(map_view.direct_reader(ctx.store, ctx.settings), "T1", layers,
                              v.start, v.end, v.as_of)
    cached = mp.read_map_data(ctx, "T1", layers)
    assert len(plain.units) and list(plain.units["code"]) == list(cached.units["code"])
    assert plain.units["reported"].tolist() == cached.units["reported"].tolist()
    a = wall_map.map_figure(plain, township="T1", layers=layers, measure="reported")
    b = mp.map_figure(cached, township="T1", layers=layers, measure="reported")
    assert a.to_json() == b.to_json()


def test_township_labels_are_placed_largest_first_by_the_stored_area(ctx):
    """The label order takes the ETL's area_km2 (no UTM estimate per render); a township
    without a stored area has every area measured in UTM instead, in the same order."""
    import numpy as np

    import layers as L
    from store import map_reads as mr

    towns = mr.township_shapes(ctx.store, ctx.settings)
    assert len(towns) >= 2 and towns["area_km2"].notna().all()
    stored = L.areas_km2(towns)
    np.testing.assert_allclose(stored, towns["area_km2"].to_numpy(dtype="float64"))
    measured = L.areas_km2(towns.assign(area_km2=[None] * len(towns)))
    np.testing.assert_allclose(measured, stored, rtol=0.02)   # km² both, same ground
    assert L.areas_km2(towns.assign(area_km2=[None] * len(towns)).set_crs(None, allow_override=True)) is None


@pytest.mark.parametrize("township", [None, "T1"])
def test_the_unvalidated_map_is_what_plotly_validates(ctx, township):
    """The map skips plotly's validation of its traces (a township's ~100 click fills cost
    half its time): rebuilt through plotly's validators from its own JSON, it is the same
    figure, and a property plotly does not know would raise here."""
    import json

    import plotly.io as pio

    layers = ("grids", "heat", "cameras", "hotspots")
    fig = build(ctx, township=township, layers=layers)
    checked = go.Figure(fig.to_plotly_json())                 # validates every property
    as_json = [json.loads(pio.to_json(f, validate=False)) for f in (checked, fig)]
    assert as_json[0] == as_json[1]                            # key order aside
    assert len(fig.data) > 5


def test_county_with_more_grids_than_the_cap_draws_no_outlines_and_says_so(ctx):
    """[wall] county_grid_outlines_max: the county view of a city with more grids leaves
    their outlines out (and says why on the map); a township view still draws its grids."""
    def outlines(fig):
        return [t for t in fig.data if t.name == "网格边界"]

    def notes(fig):
        return [t.name for t in fig.data if t.name and t.name.startswith("网格 ")]

    fig = build(ctx)                                      # 3 grids, default cap 5000
    assert len(outlines(fig)) == 1 and notes(fig) == []
    ctx.settings.raw["wall"]["county_grid_outlines_max"] = 2
    fig = build(ctx)
    assert outlines(fig) == []
    assert notes(fig) == ["网格 3 个：点击镇街显示边界"]
    assert "新发热点 1 处" in [t.name for t in fig.data]   # hotspots still outlined
    assert notes(build(ctx, layers=("townships",))) == []  # the layer is off: nothing to say
    town = build(ctx, township="T1")
    assert len(outlines(town)) == 1 and notes(town) == []
    # the note is one more legend key: the hotspot board above the legend has a row less
    county, in_town = current_view(ctx, {}), current_view(ctx, {"township": "T1"})
    assert county_grids_left_out(ctx, county) and not county_grids_left_out(ctx, in_town)
    assert hotspot_board.rows_for(county.layers, True) == hotspot_board.rows_for(county.layers) - 1
    ctx.settings.raw["wall"]["county_grid_outlines_max"] = 3  # at the cap: drawn
    assert len(outlines(build(ctx))) == 1
    assert not county_grids_left_out(ctx, county)


def test_a_long_township_name_stays_on_the_map_and_clear_of_its_controls(ctx):
    """A province's export names a development zone 浙江省绍兴市嵊州市…经济开发区管委会
    (21 characters): at 20 px its label ran off the map's edge; it is placed whole where it
    fits, else cut (…), inside the map and off the controls' column."""
    from dashboard.figures import wall_map
    from layers.canvas import visible_range

    data = mp.read_map_data(ctx, None, tuple(mp.DEFAULT_LAYERS))
    long = "浙江省绍兴市嵊州市甲镇经济开发区管委会"
    data.townships = data.townships.assign(
        name=[long if c == "T1" else n for c, n in zip(data.townships["code"],
                                                        data.townships["name"])])
    fig = wall_map.map_figure(data, layers=tuple(mp.DEFAULT_LAYERS))
    label = [t for t in fig.data if t.mode == "text"][0]
    assert any(str(t).startswith("浙江省") for t in label.text)
    axes = {"xaxis": fig.layout.xaxis.to_plotly_json(),
            "yaxis": fig.layout.yaxis.to_plotly_json()}
    (x0, x1), (y0, y1) = visible_range(axes, wall_map.VIEW_PX)
    w, h = wall_map.VIEW_PX
    sizes = label.textfont.size
    for text, x, y, size in zip(label.text, label.x, label.y, sizes):
        cx, cy = (x - x0) / (x1 - x0) * w, (y - y0) / (y1 - y0) * h
        half = len(text) * size / 2
        assert 0 <= cx - half and cx + half <= w, (text, cx, half)        # on the map
        cw, ch = wall_map.CONTROLS_PX
        assert not (cx + half > w - cw and cy + size / 2 > h - ch), text     # off the controls


def test_county_labels_of_a_city_sit_on_their_own_township():
    """A city of 100 small townships with long names: every name the county map keeps is
    over its own township, none nudged onto a neighbour or off the city (before: 21 of 40
    on a 100-township city)."""
    import geopandas as gpd
    import shapely

    import layers as L
    from dashboard.figures import wall_map

    cells = [shapely.box(120 + 0.02 * (i % 10), 29.5 + 0.02 * (i // 10),
                         120.02 + 0.02 * (i % 10), 29.52 + 0.02 * (i // 10)) for i in range(100)]
    names = [("东西南北新老长安和平"[i % 10] + "兴华永宁城关滨江湖山"[i // 10]
              + ("经济开发区管委会" if i % 3 == 2 else "街道" if i % 3 else "镇")) for i in range(100)]
    towns = gpd.GeoDataFrame({"code": [f"T{i:03d}" for i in range(100)], "name": names},
                             geometry=cells, crs=4326)
    axes = L.map_axes(L.bounds(towns.geometry.values), pad=0.04)
    placed = wall_map.decluttered(towns, axes)
    assert len(placed) >= 20
    # ... or, set beside it for want of room, has a leader line from it (at most CALLOUTS)
    called = placed["anchor_lon"].notna()
    assert called.sum() <= wall_map.CALLOUTS
    for lon, lat, geom, name in zip(placed["anchor_lon"].where(called, placed["label_lon"]),
                                    placed["anchor_lat"].where(called, placed["label_lat"]),
                                    placed.geometry, placed["name"]):
        assert geom.contains(shapely.Point(lon, lat)), name
