"""The map's classes tell units apart on any distribution, and their legend reads true.

A leader reads the map's colours from 5 m: a legend whose classes hold every township in one
colour, or whose labels claim ranges nobody is in, says nothing or misleads. These are the
distributions an unseen county brings (layers/choropleth.py)."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

import layers as L
from layers.choropleth import CLASS_COLORS, _rgba

# 16 townships of a 10 M-event city (bench, December 2024): density and red warnings
DENSITY_10M = [497.0, 500.2, 501.9, 501.9, 503.2, 503.4, 503.5, 504.5, 504.7, 504.8, 505.2,
               505.4, 506.3, 507.0, 507.8, 510.8]
RED_10M = [26480, 29228, 29302, 29339, 29402, 29491, 29526, 32434, 32451, 32558, 32622, 32643,
           32655, 32699, 32837, 32884]
rng = np.random.default_rng(7)
CASES = {
    "clustered_high": (DENSITY_10M, 1),
    "big_counts": (RED_10M, 0),
    "few": ([3, 5], 0),
    "three_equal_one_zero": ([7, 7, 7, 0], 0),
    "all_equal": ([12.5] * 9, 1),
    "skewed": ([1] * 30 + [2] * 5 + [3, 4, 9, 400, 5000], 0),
    "many_grids": (list(np.round(rng.lognormal(3, 1.2, 1400))), 0),
    "many_grids_density": (list(np.round(rng.gamma(2.0, 3.0, 1400), 1)), 1),
    "tiny_rates": ([0.21, 0.24, 0.26, 0.29, 0.31], 1),
    # a township's grids by density: one small grid of 150 events in 0.01 km² reaches 1万,
    # the rest are tens (rounded to hundreds, they all read '0' and were drawn as zero)
    "one_past_wan": ([0.5, 0.6, 0.7, 0.8, 1.0, 1.1, 1.2, 2.0, 3.0, 5.0, 8.0, 13.0, 40.0,
                      120.0, 900.0, 15000.0], 1),
}


def members(values, decimals):
    """{label: [values]} read back from the drawn polygons (each unit's box is unique)."""
    g = gpd.GeoDataFrame({"code": [f"U{i}" for i in range(len(values))],
                          "name": [f"单元{i}" for i in range(len(values))], "v": values},
                         geometry=[box(i, 0, i + 0.5, 1) for i in range(len(values))], crs=4326)
    fills = L.choropleth(g, "v", kind="grid", label="量", decimals=decimals)[:-1]
    out = {}
    for t in fills:
        x = np.asarray(t.x, dtype=float)
        starts = sorted({int(a) for a in x[np.isfinite(x)] if a == int(a)})
        out[t.name] = sorted(float(values[i]) for i in starts)
    out.pop("0", None)
    return out


@pytest.mark.parametrize("name", list(CASES))
def test_classes_discriminate_and_labels_read_true(name):
    values, decimals = CASES[name]
    classes = members(values, decimals)
    labels = list(classes)
    positive = [v for v in values if round(v, decimals) > 0]
    distinct = len({round(v, decimals) for v in positive})
    # as many classes as the values allow (up to 5), each holding a unit
    assert len(classes) == min(5, distinct), classes
    # no class holds far more than its share when the values differ: 15 of 16 townships
    # in one class showed a 10 M city's map in one colour
    if distinct >= 5 and len(positive) <= 20:
        assert max(len(c) for c in classes.values()) <= -(-len(positive) // 5) + 1, classes
    # a label reads the values its class holds: its low end is its least unit (no "1–…"
    # or "0.0–…" below everyone), no two labels share an end, in order low -> high
    flat = [e for lab in labels for e in lab.split("–")]
    assert len(flat) == len(set(flat)), labels
    for lab, vals in classes.items():
        lo = lab.split("–")[0]
        num = float(lo.replace(",", "").replace("万", "")) * (1e4 if "万" in lo else 1)
        step = 100 if "万" in lo else 10 ** -decimals
        assert abs(num - min(vals)) <= step / 2 + 1e-9, (lab, vals)
    tops = [max(v) for v in classes.values()]
    assert tops == sorted(tops)


def test_big_numbers_read_in_wan_with_their_true_ends():
    labels = list(members(RED_10M, 0))
    assert all(lab.endswith("万") for lab in labels), labels
    assert labels[0].startswith("2.65万")       # the least township, not "1"
    assert labels[-1].endswith("3.29万")        # the most, not a rounded-up bound
    assert list(members([3, 5, 5, 9], 0)) == ["3", "5", "9"]


def test_zero_and_missing_stay_outside_the_classes_and_one_class_reads_one_value():
    assert L.class_breaks([0, 0, np.nan]) == []
    assert L.class_breaks([7, 7, 7, 0]) == [7]
    assert list(members([7, 7, 7, 0], 0)) == ["7"]
    # a density that shows as 0.0 is in the zero class, not a class of its own
    assert list(members([0.04, 0.0, 2.0], 1)) == ["2.0"]


def test_only_values_from_1wan_read_in_wan_and_none_above_zero_is_drawn_as_zero():
    """metrics.md: 0 (or no value) is its own class. A value of 40 is not 0 because another
    unit reached 1万 (before: every value was rounded to hundreds, 0.5-40 drawn in the zero
    class as '0', 120 read '0.0万')."""
    values, decimals = CASES["one_past_wan"]
    classes = members(values, decimals)
    assert sorted(v for c in classes.values() for v in c) == sorted(values)   # none in '0'
    labels = list(classes)
    assert labels[0] == "0.5–0.8" and labels[-1] == "120.0–1.5万", labels
    assert not any("0.0万" in lab for lab in labels)


def fills_of(values, colors):
    g = gpd.GeoDataFrame({"code": [f"U{i}" for i in range(len(values))],
                          "name": [f"单元{i}" for i in range(len(values))], "v": values},
                         geometry=[box(i, 0, i + 0.5, 1) for i in range(len(values))], crs=4326)
    return {t.name: t.fillcolor for t in
            L.choropleth(g, "v", kind="grid", label="量", colors=colors)[:-1]}


@pytest.mark.parametrize("colors", [CLASS_COLORS, ["#eeeeff", "#ccccff", "#9999ff", "#5555ff", "#0000ff"]])
def test_the_top_class_is_the_strongest_colour_however_few_the_classes(colors):
    """One township with every event of the week (the others 0) was drawn in the ramp's
    palest colour, next to the zero class: the only place with events looked the quietest."""
    strongest = _rgba(colors[-1], 0.55)
    palest = _rgba(colors[0], 0.55)
    assert fills_of([0, 0, 0, 120], colors)["120"] == strongest
    two = fills_of([0, 3, 3, 90], colors)
    assert two["90"] == strongest and two["3"] != palest
    five = fills_of([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], colors)      # all classes: the full ramp
    assert list(five.values()) == [_rgba(c, 0.55)
                                       for c in colors]
