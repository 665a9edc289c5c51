"""Each map layer from small GeoDataFrames: trace count, coordinates, customdata."""
from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

import layers as L

SQ = box(0, 0, 1, 1)
RING = Polygon([(10, 10), (14, 10), (14, 14), (10, 14)], [[(11, 11), (11, 13), (13, 13), (13, 11)]])


def gdf(geoms, **cols) -> gpd.GeoDataFrame:
    n = len(geoms)
    data = {"code": [f"U{i}" for i in range(n)], "name": [f"单元{i}" for i in range(n)], **cols}
    return gpd.GeoDataFrame(data, geometry=list(geoms), crs=4326)


def test_polygon_xy_joins_rings_with_one_gap_each_and_keeps_coordinates():
    x, y = L.polygon_xy([SQ, RING])
    gaps = np.flatnonzero(np.isnan(x))
    assert len(gaps) == 2                       # 3 rings (square, exterior, hole) → 2 gaps
    assert np.array_equal(np.isnan(x), np.isnan(y))
    assert len(x) == 5 + 5 + 5 + 2
    first = shapely.Polygon(np.column_stack([x[:gaps[0]], y[:gaps[0]]]))
    assert first.equals(SQ)
    assert x.dtype == np.float32


def test_polygon_xy_orients_exteriors_ccw_and_holes_cw():
    # the hole must wind against the exterior so a non-zero fill leaves it open
    x, y = L.polygon_xy([RING.reverse() if hasattr(RING, "reverse") else RING])
    gaps = np.flatnonzero(np.isnan(x))
    ext = shapely.LinearRing(np.column_stack([x[:gaps[0]], y[:gaps[0]]]))
    hole = shapely.LinearRing(np.column_stack([x[gaps[0] + 1:], y[gaps[0] + 1:]]))
    assert ext.is_ccw and not hole.is_ccw


def test_polygon_xy_handles_multipolygons_and_skips_empty():
    mp = MultiPolygon([box(0, 0, 1, 1), box(2, 2, 3, 3)])
    x, _ = L.polygon_xy([mp, shapely.Polygon(), None])
    assert np.isnan(x).sum() == 1 and len(x) == 11
    assert L.polygon_xy([])[0].size == 0


def test_polygon_xy_each_is_polygon_xy_of_each_geometry_alone():
    """The click fills' one-pass coordinates equal polygon_xy geometry by geometry: holes,
    multipolygons, reversed rings, empty and missing geometries in between."""
    mp = MultiPolygon([box(0, 0, 1, 1), RING])
    geoms = [SQ, None, RING, shapely.Polygon(), mp, RING.reverse(), box(5, 5, 6, 7), None]
    each = L.polygon_xy_each(geoms)
    assert len(each) == len(geoms)
    for g, (x, y) in zip(geoms, each):
        ax, ay = L.polygon_xy([g])
        np.testing.assert_array_equal(x, ax)
        np.testing.assert_array_equal(y, ay)
        assert x.dtype == np.float32
    assert [len(x) for x, _ in each] == [5, 0, 11, 0, 17, 11, 5, 0]
    assert L.polygon_xy_each([]) == [] and len(L.polygon_xy_each([None])[0][0]) == 0

def test_township_boundaries_one_trace_and_optional_fill():
    g = gdf([SQ, box(1, 0, 2, 1)])
    (t,) = L.township_boundaries(g, line_width=3)
    assert t.mode == "lines" and t.line.width == 3 and t.fill is None
    (f,) = L.township_boundaries(g, fill_color="rgba(1,2,3,0.5)")
    assert f.fill == "toself" and f.fillcolor == "rgba(1,2,3,0.5)"
    assert np.nanmax(np.asarray(t.x)) == 2.0


def test_township_labels_use_label_points_when_given_else_inside_the_shape():
    g = gdf([SQ, RING], label_lon=[0.5, 12.0], label_lat=[0.5, 10.5])
    (t,) = L.township_labels(g, font_size=22)
    assert list(t.text) == ["单元0", "单元1"] and list(t.x) == [0.5, 12.0]
    assert t.textfont.size == 22 and t.mode == "text"
    (t2,) = L.township_labels(gdf([RING]))
    assert RING.contains(shapely.Point(t2.x[0], t2.y[0]))     # not in the hole


def test_grid_boundaries_single_faint_trace():
    (t,) = L.grid_boundaries(gdf([box(i, 0, i + 1, 1) for i in range(50)]), opacity=0.2)
    assert t.opacity == 0.2 and np.isnan(np.asarray(t.x)).sum() == 49


def test_click_markers_customdata_is_kind_and_code():
    (t,) = L.click_markers(gdf([SQ, box(5, 5, 6, 6)]), kind="grid")
    assert [list(c) for c in t.customdata] == [["grid", "U0"], ["grid", "U1"]]
    assert list(t.hovertext) == ["单元0", "单元1"]
    with pytest.raises(ValueError, match="kind"):
        L.click_markers(gdf([SQ]), kind="village")


def test_class_breaks_are_rounded_increasing_and_cover_the_maximum():
    vals = [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, np.nan]
    b = L.class_breaks(vals, n_classes=5)
    assert b == sorted(set(b)) and b[-1] >= 144 and len(b) <= 5
    assert all(float(v).is_integer() for v in b)
    assert L.class_breaks([0, 0, np.nan]) == []
    assert L.class_breaks([7, 7, 7]) == [7]
    # every class holds at least one value (no empty range in the legend)
    for vals in ([0.52, 0.55, 0.58, 0.61, 0.7, 0.8, 6.0, 13.0], [1, 1, 1, 2, 2, 9, 9, 9, 100]):
        b = L.class_breaks(vals, n_classes=5, decimals=1)
        lows = [0.0, *b[:-1]]
        assert all(any(lo < x <= hi for x in vals) for lo, hi in zip(lows, b)), b
    assert L.class_labels([12, 40]) == ["1–12", "13–40"]
    assert L.class_labels([1, 3]) == ["1", "2–3"]
    assert L.class_labels([1.5, 3.2], decimals=1) == ["0.0–1.5", "1.5–3.2"]


def test_choropleth_one_trace_per_nonempty_class_plus_markers():
    geoms = [box(i, 0, i + 1, 1) for i in range(6)]
    g = gdf(geoms, v=[0, 1, 1, 10, 10, 100])
    traces = L.choropleth(g, "v", kind="township", label="事件数", unit="件", n_classes=3)
    fills, markers = traces[:-1], traces[-1]
    assert all(t.fill == "toself" for t in fills)
    # zero class + at most 3 classes, each polygon in exactly one fill trace
    assert 2 <= len(fills) <= 4
    n_polys = sum(np.isnan(np.asarray(t.x)).sum() + 1 for t in fills)
    assert n_polys == 6
    assert fills[0].name == "0"
    assert [c[1] for c in markers.customdata] == list(g["code"])
    assert markers.hovertext[5] == "单元5<br>事件数 100 件"
    assert fills[1].legendgrouptitle.text == "事件数（件）"


def test_choropleth_puts_each_unit_in_its_class():
    g = gdf([box(i, 0, i + 1, 1) for i in range(3)], v=[1.0, 50.0, np.nan])
    traces = L.choropleth(g, "v", kind="grid", label="密度", decimals=1, n_classes=2)
    fills = traces[:-1]
    # nan → zero class (first), 1.0 → low class, 50.0 → top class
    xs = [set(np.asarray(t.x)[~np.isnan(np.asarray(t.x))].round(3)) for t in fills]
    assert xs[0] == {2.0, 3.0} and xs[1] == {0.0, 1.0} and xs[2] == {1.0, 2.0}
    assert traces[-1].hovertext[2].endswith("—")


def test_raster_matrix_conserves_counts_and_blurs():
    cells = pd.DataFrame({"lon": [0.05, 0.15, 0.15], "lat": [0.05, 0.05, 0.25], "n": [4, 2, 6]})
    xs, ys, z = L.raster_matrix(cells, dx=0.1, dy=0.1, blur=0)
    assert z.sum() == 12 and np.count_nonzero(z) == 3
    i, j = np.argwhere(z == 6)[0]
    assert math.isclose(xs[j], 0.15) and math.isclose(ys[i], 0.25)
    _, _, zb = L.raster_matrix(cells, dx=0.1, dy=0.1, blur=1)
    assert math.isclose(zb.sum(), 12) and np.count_nonzero(zb) > 3


def test_heat_is_one_heatmap_with_sparse_cells_transparent():
    cells = pd.DataFrame({"lon": [0.05, 0.55], "lat": [0.05, 0.55], "n": [100, 1]})
    (h,) = L.heat(cells, dx=0.1, dy=0.1, blur=0, min_share=0.05)
    z = np.asarray(h.z, dtype=float)
    assert isinstance(h, go.Heatmap) and h.showscale is False and h.zmin == 0
    assert np.count_nonzero(z) == 1 and np.nanmax(z) == 10.0     # sqrt(100); the 1 is cut
    assert "rgba" in h.colorscale[0][1] and h.colorscale[0][1].endswith(",0.0)")
    (lg,) = L.heat(cells, dx=0.1, dy=0.1, blur=0, min_share=0, scale="log")
    assert np.count_nonzero(np.asarray(lg.z)) == 2
    assert L.heat(cells.iloc[:0], dx=0.1, dy=0.1) == []
    with pytest.raises(ValueError, match="scale"):
        L.heat(cells, dx=0.1, dy=0.1, scale="cubic")


def test_cameras_split_by_status_offline_in_warning_colour():
    df = pd.DataFrame({"lon": [1, 2, 3], "lat": [1, 2, 3], "status": ["online", "offline", "online"],
                       "name": ["东门", "西门", None]})
    on, off = L.cameras(df, offline_color="#ff0000")
    assert len(on.x) == 2 and len(off.x) == 1 and off.marker.color == "#ff0000"
    assert off.hovertext[0] == "西门（离线）" and on.hovertext[1] == "在线"
    assert isinstance(L.cameras(df, gl=True)[0], go.Scattergl)
    assert len(L.cameras(df[df.status == "online"])) == 1


def test_cameras_of_unknown_status_are_drawn_grey_not_dropped():
    df = pd.DataFrame({"lon": [1, 2, 3], "lat": [1, 2, 3],
                       "status": ["online", "unknown", "offline"], "name": ["东门", "北门", "西门"]})
    on, unknown, off = L.cameras(df)
    assert (len(on.x), len(unknown.x), len(off.x)) == (1, 1, 1)
    assert unknown.marker.color == "#64748b" and unknown.hovertext[0] == "北门（状态未知）"
    assert unknown.marker.symbol == "circle" and off.marker.symbol == "x"


def test_hotspot_outlines_glow_line_and_clickable_stats():
    g = gdf([SQ], k=[9], baseline=[0.5], ratio=[18.0], p=[1e-9])
    glow, line, markers = L.hotspot_outlines(g, color="#ff00ff", width=4)
    assert line.line.width == 4 and glow.line.width > line.line.width
    assert list(markers.customdata[0]) == ["grid", "U0"]
    assert "本期 9 件" in markers.hovertext[0] and "基线 0.5" in markers.hovertext[0]
    assert L.hotspot_outlines(g.iloc[:0]) == []
    assert len(L.hotspot_outlines(g, clickable=False)) == 2


def test_selection_outline():
    glow, line = L.selection_outline(gdf([SQ]), color="#fff")
    assert line.line.color == "#fff" and glow.opacity < 1


def test_map_axes_keep_ground_scale_and_pad():
    ax = L.map_axes((120.0, 29.5, 120.2, 29.6), pad=0.1)
    assert ax["yaxis"]["scaleanchor"] == "x"
    assert math.isclose(ax["yaxis"]["scaleratio"], 1 / math.cos(math.radians(29.55)))
    lo, hi = ax["xaxis"]["range"]
    assert math.isclose(lo, 120.0 - 0.02) and math.isclose(hi, 120.2 + 0.02)
    assert ax["xaxis"]["visible"] is False and ax["xaxis"]["fixedrange"] is True
    top = L.map_axes((120.0, 29.5, 120.2, 29.6), pad=0, extra_top=0.5)
    assert top["yaxis"]["range"] == pytest.approx([29.5, 29.65])
    tiny = L.map_axes((1, 1, 1, 1), min_span_deg=0.01, pad=0)
    assert math.isclose(tiny["xaxis"]["range"][1] - tiny["xaxis"]["range"][0], 0.01)


def test_emptiest_corner_keeps_the_legend_off_the_shape():
    # an L-shaped county: the bottom-right quarter is empty
    shape = [box(0, 0, 1, 2), box(1, 1, 2, 2)]
    axes = L.map_axes((0, 0, 2, 2), pad=0)
    assert L.emptiest_corner(shape, axes) == "bottom-right"
    assert L.legend_position("bottom-right")["xanchor"] == "right"
    # full square: all tie, the first candidate wins
    assert L.emptiest_corner([box(0, 0, 2, 2)], axes) == "bottom-left"
    # a numbered disc the page refers to is never hidden while a corner leaves all in view,
    # even one that covers more of the shape
    assert L.emptiest_corner(shape, axes, avoid=([1.8], [0.2])) == "bottom-left"
    assert L.emptiest_corner(shape, axes, avoid=([1.8, 0.2, 0.2], [0.2, 0.2, 1.8])) \
        == "bottom-right"                      # every corner hides one: the emptiest again


def test_visible_range_and_covers_for_floating_controls():
    # a square degree at the equator in a 2:1 view: y binds, x widens to twice the span
    axes = L.map_axes((0, 0, 1, 1), pad=0)
    xr, yr = L.visible_range(axes, (200, 100))
    assert xr == pytest.approx([-0.5, 1.5], abs=1e-3) and yr == pytest.approx([0, 1])
    # a box 40 px wide in the top-right corner sits over x in [1.1, 1.5]: empty
    assert not L.covers([box(0, 0, 1, 1)], axes, (200, 100), (40, 20))
    assert L.covers([box(0, 0, 1.3, 1)], axes, (200, 100), (40, 20))
    assert L.covers([box(0, 0, 1, 1)], axes, (200, 100), (40, 20), corner="top-left") is False
    assert L.covers([box(-0.4, 0, 1, 1)], axes, (200, 100), (40, 20), corner="top-left")


def test_click_fills_one_transparent_fill_per_unit_answering_on_its_fill():
    g = gdf([SQ, RING])
    fills = L.click_fills(g, kind="grid", hover_text=["甲", "乙"], zorder=2)
    # plain trace dicts that plotly's own schema accepts as they are
    traces = [go.Scatter({k: v for k, v in t.items() if k != "type"}) for t in fills]
    assert all(t["type"] == "scatter" for t in fills)
    assert [list(t.customdata[0]) for t in traces] == [["grid", "U0"], ["grid", "U1"]]
    assert all(t.hoveron == "fills" and t.fill == "toself" and t.zorder == 2 for t in traces)
    assert all(t.fillcolor == "rgba(0,0,0,0)" and t.line.width == 0 for t in traces)
    assert [t.name for t in traces] == ["甲", "乙"]           # a fill's hover shows its name
    assert np.isnan(np.asarray(fills[1]["x"])).sum() == 1     # the hole is its own ring
    assert "zorder" not in L.click_fills(g, kind="grid")[0]
    with pytest.raises(ValueError):
        L.click_fills(g, kind="village")


def test_place_labels_keeps_names_apart_and_hides_what_cannot_fit():
    axes = L.map_axes((0, 0, 1, 1), pad=0)
    axes["yaxis"]["scaleratio"] = 1.0
    names = ["甲镇", "乙镇街道", "丙镇", "丁镇"]
    # 甲 alone; 乙 and 丙 3 px apart on a 500 px view; 丁 right on top of them
    x = [0.1, 0.5, 0.506, 0.503]
    y = [0.1, 0.5, 0.5, 0.5]
    px, py, size, shown = L.place_labels(names, x, y, axes, (500, 500), large=20, small=15)
    assert shown[0] and size[0] == 20 and (px[0], py[0]) == pytest.approx((0.1, 0.1))
    assert shown[1] and size[1] == 20                    # first come, first placed, full size
    assert shown[2] and size[2] == 15 and py[2] != pytest.approx(0.5)   # nudged off the point
    boxes = []
    for i in range(4):
        if shown[i]:
            hw, hh = len(names[i]) * size[i] / 2, size[i] / 2
            boxes.append((px[i] * 500 - hw, py[i] * 500 - hh, px[i] * 500 + hw, py[i] * 500 + hh))
    for a in range(len(boxes)):
        for b in range(a + 1, len(boxes)):
            A, B = boxes[a], boxes[b]
            assert A[2] <= B[0] or B[2] <= A[0] or A[3] <= B[1] or B[3] <= A[1], (a, b)
    # priority decides who keeps the point
    _x, _y, size2, shown2 = L.place_labels(names, x, y, axes, (500, 500), priority=[0, 1, 9, 0])
    assert shown2[2] and size2[2] == 20
    assert L.place_labels([], [], [], axes, (500, 500)) == ([], [], [], [])


def test_fit_in_view_moves_a_name_on_screen_and_off_the_controls_or_drops_it():
    """A drill-down's neighbours: a name whose point is off screen or under the controls
    goes to the visible, uncovered part of its polygon, whole; a sliver too thin for the
    name goes."""
    axes = L.map_axes((0, 0, 1, 1), pad=0)
    axes["yaxis"]["scaleratio"] = 1.0
    view, font = (500, 500), 15
    controls = ("top-right", (100, 200))
    towns = gdf([box(-1, 0.2, 0.45, 0.8),       # mostly off screen to the left
                 box(0.6, 0.5, 1.5, 1.5),       # its point (1.05, 1.0) is off the top right
                 box(0.98, 0.0, 1.3, 0.4),      # 10 px on screen: no room for a name
                 box(0.2, 0.0, 0.4, 0.15)],     # on screen: keeps its own point
                name=["左镇", "右上镇", "边角镇", "南镇"])
    towns = towns.assign(label_lon=[-0.3, 1.05, 1.1, 0.3], label_lat=[0.5, 1.0, 0.2, 0.075])
    out = L.fit_in_view(towns, axes, view, font_px=font, keep_out=[controls])
    assert list(out["name"]) == ["左镇", "右上镇", "南镇"]
    (x0, x1), (y0, y1) = L.visible_range(axes, view)
    sx, sy = view[0] / (x1 - x0), view[1] / (y1 - y0)
    ctrl = box(x1 - 100 / sx, y1 - 200 / sy, x1, y1)
    for name, geom, lon, lat in zip(out["name"], out.geometry, out["label_lon"], out["label_lat"]):
        hw, hh = len(name) * font / 2 / sx, font / 2 / sy
        label = box(lon - hw, lat - hh, lon + hw, lat + hh)
        assert box(x0, y0, x1, y1).contains(label), name          # whole on screen
        assert not label.intersects(ctrl), name                   # clear of the controls
        assert geom.contains(shapely.Point(lon, lat)), name       # in its own township
    assert out.iloc[2][["label_lon", "label_lat"]].tolist() == [0.3, 0.075]
    assert L.fit_in_view(towns.iloc[:0], axes, view).empty


def test_fit_in_view_keeps_names_off_the_drilled_township():
    """``avoid``: a neighbour's name whose box would lie over the drilled township moves
    into the neighbour's free part, and goes if there is none."""
    axes = L.map_axes((0, 0, 1, 1), pad=0)
    axes["yaxis"]["scaleratio"] = 1.0
    view, font = (500, 500), 15
    focus = Polygon([(0.3, 0.3), (0.7, 0.2), (0.8, 0.7), (0.35, 0.8)])   # slanted edges
    towns = gdf([box(0.0, 0.0, 1.0, 0.3),          # south: its point hugs the focus
                 box(0.7, 0.6, 0.79, 0.72)],        # a sliver beside the focus: no room
                name=["南边镇", "窄镇"])
    towns = towns.assign(label_lon=[0.5, 0.75], label_lat=[0.27, 0.66])
    out = L.fit_in_view(towns, axes, view, font_px=font, avoid=focus)
    assert list(out["name"]) == ["南边镇"]
    (x0, x1), (y0, y1) = L.visible_range(axes, view)
    hw, hh = 3 * font / 2 / (view[0] / (x1 - x0)), font / 2 / (view[1] / (y1 - y0))
    lon, lat = out.iloc[0][["label_lon", "label_lat"]]
    assert not box(lon - hw, lat - hh, lon + hw, lat + hh).intersects(focus)
    assert towns.geometry.iloc[0].contains(shapely.Point(lon, lat))


def test_fit_in_view_keeps_neighbours_names_apart_and_off_the_top_edge():
    """Two neighbours whose points lie side by side: the one with less of its township on
    screen moves clear of the other's name, or goes; and a name placed at the top of the
    view keeps its whole line box (not half an em) inside: the demo's 石璜镇 stood 1 px over
    the drilled map's top edge."""
    axes = L.map_axes((0, 0, 1, 1), pad=0)
    axes["yaxis"]["scaleratio"] = 1.0
    view, font = (500, 500), 15
    towns = gdf([box(0.0, 0.5, 0.52, 1.5),         # mostly above the view
                 box(0.48, 0.0, 1.0, 1.0),         # larger on screen: keeps its point
                 box(0.3, 0.0, 0.7, 0.02)],        # a strip at the bottom: no room
                name=["北边镇甲", "东边镇乙", "南条镇"])
    towns = towns.assign(label_lon=[0.45, 0.55, 0.5], label_lat=[0.6, 0.6, 0.01])
    out = L.fit_in_view(towns, axes, view, font_px=font)
    assert list(out["name"]) == ["北边镇甲", "东边镇乙"]
    assert out.iloc[1][["label_lon", "label_lat"]].tolist() == [0.55, 0.6]
    (x0, x1), (y0, y1) = L.visible_range(axes, view)
    sx, sy = view[0] / (x1 - x0), view[1] / (y1 - y0)
    boxes = [box(lon - len(n) * font / 2 / sx, lat - 0.9 * font / sy,
                 lon + len(n) * font / 2 / sx, lat + 0.9 * font / sy)
             for n, lon, lat in zip(out["name"], out["label_lon"], out["label_lat"])]
    assert not boxes[0].intersects(boxes[1])
    assert all(box(x0, y0, x1, y1).contains(b) for b in boxes)


def test_fit_in_view_spends_no_geometry_on_a_city_of_neighbours_off_screen(monkeypatch):
    """A city's drill-down: ~100 neighbours, a few in view. The names kept and where are
    those of the neighbours in view alone, and the ones off screen cost no difference each
    (they cost 0.4 s a view, 700 differences, on a 100-township city)."""
    axes = L.map_axes((0, 0, 1, 1), pad=0)
    axes["yaxis"]["scaleratio"] = 1.0
    view, font = (500, 500), 15
    focus = box(0.3, 0.3, 0.7, 0.7)
    near = gdf([box(0.0, 0.0, 1.0, 0.3), box(0.7, 0.3, 1.0, 1.0)], name=["南边镇", "东边镇"])
    far = gdf([box(5 + i % 10, 5 + i // 10, 5.9 + i % 10, 5.9 + i // 10) for i in range(120)])
    city = gpd.GeoDataFrame(pd.concat([far.iloc[:60], near, far.iloc[60:]], ignore_index=True),
                            crs=4326)
    alone = L.fit_in_view(near, axes, view, font_px=font, avoid=focus)
    calls = []
    real = shapely.geometry.base.BaseGeometry.difference

    def counted(self, other, *a, **k):
        calls.append(1)
        return real(self, other, *a, **k)
    monkeypatch.setattr(shapely.geometry.base.BaseGeometry, "difference", counted)
    out = L.fit_in_view(city, axes, view, font_px=font, avoid=focus)
    assert list(out["name"]) == list(alone["name"]) == ["南边镇", "东边镇"]
    assert out[["label_lon", "label_lat"]].values.tolist() == \
        alone[["label_lon", "label_lat"]].values.tolist()
    assert len(calls) <= 4             # two names in view; 120 more off screen: none


def test_fit_camera_fills_the_view_inside_its_margins_flat_and_tilted():
    """Flat, the zoom is the plain Web-Mercator fit (512 px world); tilted and turned, the
    points projected as deck.gl projects them sit inside the margins and touch them."""
    from layers import deck_camera as dc

    pts = [(120.46, 29.33), (121.12, 29.33), (121.12, 29.83), (120.46, 29.83), (120.8, 29.9)]
    size, margins = (1120, 482), (0.06, 0.03, 0.1, 0.03)
    lon, lat, zoom = dc.fit_camera(pts, size, 0, 0, margins)
    world = dc._mercator(np.array(pts))
    span = world.max(axis=0) - world.min(axis=0)
    assert zoom == pytest.approx(math.log2(min(1120 * 0.94 / span[0], 482 * 0.84 / span[1])),
                                 abs=1e-3)
    for pitch, bearing in ((45, -12), (60, 30)):
        lon, lat, zoom = dc.fit_camera(pts, size, pitch, bearing, margins)
        xy = dc.screen_offsets(world, dc._mercator(np.array([[lon, lat]]))[0], zoom, 482,
                               pitch, bearing)
        lo, hi = xy.min(axis=0), xy.max(axis=0)
        box_lo, box_hi = np.array([-560 + 33.6, -241 + 48.2]), np.array([560 - 33.6, 241 - 28.92])
        assert (lo >= box_lo - 0.5).all() and (hi <= box_hi + 0.5).all()
        assert np.isclose(lo, box_lo, atol=0.5).any() or np.isclose(hi, box_hi, atol=0.5).any()
    assert set(dc.hull_points([box(0, 0, 1, 1), box(2, 0, 3, 1), None])) == {
        (0.0, 0.0), (0.0, 1.0), (3.0, 1.0), (3.0, 0.0)}
    assert dc.hull_points([None]) == []


def test_place_labels_keeps_clear_of_marks():
    """A name on a mark is nudged off it (or hidden); a name away from marks stays put."""
    axes = L.map_axes((0, 0, 1, 1), pad=0)
    axes["yaxis"]["scaleratio"] = 1.0
    px, py, size, shown = L.place_labels(["甲镇街道", "乙镇"], [0.5, 0.1], [0.5, 0.1], axes,
                                         (500, 500), large=20, small=15,
                                         keep_clear=[(0.5, 0.5, 14)])
    assert shown == [True, True]
    assert (px[1], py[1], size[1]) == (0.1, 0.1, 20)
    assert (px[0], py[0]) != (0.5, 0.5)
    # the moved box (one em a character, 3 px pad) does not reach the mark's 14 px square
    hw, hh = 4 * size[0] / 2, size[0] / 2
    assert abs(px[0] - 0.5) * 500 >= hw + 14 or abs(py[0] - 0.5) * 500 >= hh + 14
