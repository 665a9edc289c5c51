"""Figures made plain without plotly's JSON round trip (dashboard/wall/figure_json.py) are
exactly what plotly sends: every figure of every wall panel, the map with every layer, and
the values the direct path leaves to plotly."""
from __future__ import annotations

import datetime as dt

import numpy as np
import orjson
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from dashboard.figures import theme
from dashboard.wall import figure_json as fj
from dashboard.wall import gauges, mediation, mix, trend
from dashboard.wall import map_panel as mp
from dashboard.wall import reply
from dashboard.wall.view import current_view
from store import wall_reads as wr

pytestmark = pytest.mark.slow


def plotly_json(fig: go.Figure) -> dict:
    return orjson.loads(pio.to_json(fig, validate=False, engine="orjson"))


def figures_of(ctx, township):
    v = current_view(ctx, {"township": township})
    for panel in reply.PANELS:
        for value in panel.outputs(panel.read(ctx, v), v):
            if isinstance(value, go.Figure):
                yield panel.__name__, value


def strict(value) -> bytes:
    """JSON with sorted keys: 1 and 1.0 stay apart (dict == does not tell them apart)."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def test_every_wall_figure_is_what_plotly_sends(ctx):
    codes = [t["code"] for t in ctx.cached(wr.township_list)]
    for township in (None, codes[0]):
        for name, fig in figures_of(ctx, township):
            assert fj.plain_figure(fig) == plotly_json(fig), name
        # the charts sent as dicts (figure_json.plain_dict): what their Figures send
        v = current_view(ctx, {"township": township})
        d = mix.read(ctx, v)
        out = mix.outputs(d, v)
        assert strict(out[0]) == strict(plotly_json(mix.bar_figure(d["category"])))
        assert strict(out[1]) == strict(plotly_json(mix.bar_figure(d["channel"],
                                                                    theme.ACCENT_2)))
        d = trend.read(ctx, v)
        assert int(d["prev"]["reported"].sum()) > 0       # the previous period's line too
        assert strict(trend.outputs(d, v)[0]) == \
            strict(plotly_json(trend.trend_figure(d["now"], d["prev"])))
        d = gauges.read(ctx, v)
        for key, fig in zip(gauges.GAUGES, gauges.outputs(d, v)):
            assert strict(fig) == strict(plotly_json(gauges.gauge_figure(
                gauges._key(d["window"][key]), float(d["targets"][key]),
                gauges._best(d["window"], key))))
        d = mediation.read(ctx, v)
        assert strict(mediation.outputs(d, v)[5]) == \
            strict(plotly_json(mediation.mediation_figure(d["by_type"])))


@pytest.mark.parametrize("township", [None, "first"])
def test_the_map_with_every_layer_takes_the_direct_path(ctx, township):
    codes = [t["code"] for t in ctx.cached(wr.township_list)]
    code = codes[0] if township else None
    layers = ("townships", "grids", "heat", "cameras", "hotspots", "warnings")
    data = mp.read_map_data(ctx, code, layers)
    for measure in ("reported", "density", "open_backlog"):
        fig = mp.map_figure(data, township=code, grid=None, layers=layers, measure=measure)
        direct = fj.fast_figure(fig)            # raises if it had to fall back
        assert direct == plotly_json(fig)
        assert any(isinstance(t.get("x"), dict) and "bdata" in t["x"] for t in direct["data"])


@pytest.mark.parametrize("township", [None, "first"])
def test_the_map_made_plain_from_its_parts_is_the_figure_plotly_sends(ctx, township):
    """The wall's map goes to JSON from its traces and layout (no Figure built): the same
    values as the Figure, on every layer and measure, with a grid selected too."""
    codes = [t["code"] for t in ctx.cached(wr.township_list)]
    code = codes[0] if township else None
    layers = ("townships", "grids", "heat", "cameras", "hotspots", "warnings")
    data = mp.read_map_data(ctx, code, layers)
    grid = data.units["code"].iloc[0] if code else None
    for measure in ("reported", "density", "open_backlog", "red"):
        kw = {"township": code, "grid": grid, "layers": layers, "measure": measure}
        assert fj.plain_parts(*mp.map_parts(data, **kw)) == plotly_json(mp.map_figure(data, **kw))
    v = current_view(ctx, {"township": code})
    (value, _sig) = mp.outputs(mp.read(ctx, v), v)
    assert value == plotly_json(mp.map_figure(mp.read(ctx, v)["data"], township=code,
                                              layers=v.layers, measure=v.measure))


def test_values_left_to_plotly_still_come_out_as_plotly_sends_them():
    big = np.array([1, 2**40], dtype="int64")                        # beyond int32: a list
    small = np.array([1, 300, -5], dtype="int64")                    # narrowed to int16
    fig = go.Figure([go.Scatter(x=np.array([0.1, np.nan], dtype="float32"), y=small),
                     go.Scatter(x=[dt.date(2025, 1, 1), dt.date(2025, 1, 2)], y=big),
                     go.Bar(x=["甲", "乙"], y=[np.float32(0.1), np.float64(np.nan)])],
                    layout={"xaxis": {"range": np.array([0.5, 2.5])}, "title": {"text": "标题"}})
    assert fj.plain_figure(fig) == plotly_json(fig)
    with pytest.raises(fj._Unplain):
        fj.fast_figure(fig)
    simple = go.Figure(data=[go.Scatter(x=small, y=np.array([1.5, np.inf, 2.0]),
                                        customdata=np.array([True, False, True]),
                                        _validate=False)],
                       layout=go.Layout(xaxis={"range": np.array([0.5, 2.5])}), _validate=False)
    assert fj.fast_figure(simple) == plotly_json(simple)
