"""A grid exported as several features (an exclave, an island: one polygon per feature, the
same id and attributes) is one grid, the union of its parts, as a GIS dissolve or a
geopandas join over the features would count it; the same id with other attributes is still
a conflict, and the report's counts still add up."""
from __future__ import annotations

import json

import pytest
import shapely

from tests.etl.conftest import FIX, LAT0, LON0, SIZE, cell, one, source


def _split_grids(folder, conflict: bool = False) -> None:
    """The lattice with G00 also owning a detached square two cells east of the lattice;
    with ``conflict`` that extra feature's name differs."""
    fc = json.loads((FIX / "grids_zh.geojson").read_text(encoding="utf-8"))
    g00 = next(f for f in fc["features"] if f["properties"]["网格编号"] == "G00")
    x0, y0 = LON0 + 4 * SIZE, LAT0
    part = {"type": "Feature", "properties": dict(g00["properties"]),
            "geometry": {"type": "Polygon", "coordinates": [[
                [x0, y0], [x0 + SIZE, y0], [x0 + SIZE, y0 + SIZE], [x0, y0 + SIZE], [x0, y0]]]}}
    if conflict:
        part["properties"]["网格名称"] = "另一个网格"
    fc["features"].append(part)
    (folder / "grids_zh.geojson").write_text(json.dumps(fc, ensure_ascii=False),
                                             encoding="utf-8")


def test_the_parts_of_a_grid_become_one_grid_and_its_events_land_in_it(county):
    _split_grids(county.path)
    lon, lat = f"{LON0 + 4.5 * SIZE:.7f}", f"{LAT0 + 0.5 * SIZE:.7f}"   # inside the exclave
    events = county.events([["E1", "2025-06-01 08:00", "矛盾纠纷", lon, lat, "", "", "待受理"],
                            ["E2", "2025-06-01 09:00", "矛盾纠纷", *cell(0, 0), "", "", "待受理"]])
    rep = county.load([events])
    grids = source(rep, "grids")
    assert grids["merged_parts"] == {"G00": 1}
    assert grids["rows_read"] == grids["accepted"] + grids["duplicates"] + grids["rejected"]
    assert one(county.db, "SELECT count(*) FROM grids") == 9
    wkb = one(county.db, "SELECT geom_wkb FROM grids WHERE grid_id = 'G00'")
    assert shapely.from_wkb(bytes(wkb)).area == pytest.approx(2 * SIZE * SIZE)
    assert one(county.db, "SELECT count(*) FROM events WHERE grid_id = 'G00'") == 2


def test_the_same_id_with_other_attributes_is_still_a_conflict(county):
    _split_grids(county.path, conflict=True)
    rep = county.load([])
    grids = source(rep, "grids")
    assert "merged_parts" not in grids
    assert grids["rejected_by_reason"] == {"duplicate_conflict": 1}


def test_a_township_layer_with_an_exclave_gives_one_township(county):
    """飞地: a township's detached part as a second feature with the same code and name."""
    import shapely.geometry as sg

    main = sg.box(LON0, LAT0, LON0 + 3 * SIZE, LAT0 + 3 * SIZE)
    exclave = sg.box(LON0 + 4 * SIZE, LAT0, LON0 + 5 * SIZE, LAT0 + SIZE)
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"镇街编码": "330683100", "镇街名称": "甘霖镇"},
         "geometry": sg.mapping(g)} for g in (main, exclave)]}
    (county.path / "towns.geojson").write_text(json.dumps(fc, ensure_ascii=False),
                                                encoding="utf-8")
    rep = county.load([{"kind": "townships", "path": "towns.geojson"}])
    towns = source(rep, "townships")
    assert towns["merged_parts"] == {"330683100": 1} and towns["rejected"] == 0
    wkb = one(county.db, "SELECT geom_wkb FROM townships WHERE township_code = '330683100'")
    assert shapely.from_wkb(bytes(wkb)).area == pytest.approx(10 * SIZE * SIZE)
