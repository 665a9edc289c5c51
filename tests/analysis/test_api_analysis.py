"""The analysis API on a planted county through Flask's test client: /api/hotspots puts the
planted hotspot first with its statistics, /api/cameras measures in metres, /api/deck is a
deck with no base map, the deck.gl bundle is served once and cached, unknown paths get 404s."""
from __future__ import annotations

import datetime as dt
import math

import pytest

from store.hotspots import poisson_sf
from tests.layers.mapdb import GRIDS, area_km2

Q = "start=2025-06-09&end=2025-06-16&as_of=2025-06-15T23:00"


def test_the_planted_hotspot_comes_first_with_its_statistics(client):
    r = client.get(f"/api/hotspots?{Q}")
    assert r.status_code == 200 and "app;dur=" in r.headers["Server-Timing"]
    hot = r.get_json()["hotspots"]
    assert [h["grid_id"] for h in hot] == ["G2"]          # G1 is steady, G3 has 2 (< 5)
    h = hot[0]
    assert (h["k"], h["baseline"], h["township"], h["grid_name"]) == (9, 1.0, "甲镇", "二号网格")
    assert h["ratio"] == 9.0
    assert math.isclose(h["p"], 1 - sum(math.exp(-1) / math.factorial(i) for i in range(9)),
                        rel_tol=1e-9)
    assert h["density_per_km2"] == pytest.approx(9 / area_km2(GRIDS["G2"][2]))   # ≈ 53.7 km²
    assert h["cameras_online_within"] == 1                 # cam1, 120 m across the border
    # since when and which kinds, from the planted rows: G2's week is 2, 2, 1, 1, 1, 1, 1
    # against a baseline of 1 a week, so the rise spans the whole week (9 ln 9 − 8 beats
    # every later stretch); 矛盾纠纷 5 of 9 (the even-numbered of H0…H8)
    assert (h["since"], h["since_k"]) == ("2025-06-09", 9)
    assert (h["top_category"], h["top_share"]) == ("矛盾纠纷", round(5 / 9, 3))
    late = client.get(f"/api/hotspots?{Q}&category=治安问题&all=1").get_json()["hotspots"]
    g2 = next(x for x in late if x["grid_id"] == "G2")     # H1, H3, H5 and H7: days 1, 3, 5, 0
    assert g2["top_category"] == "治安问题" and g2["top_share"] == 1.0
    quiet = next(x for x in late if x["grid_id"] == "G1")  # no 治安问题 there
    assert quiet["since"] is None and quiet["top_category"] is None and quiet["since_k"] == 0


def test_hotspots_follow_township_and_category_and_list_all_grids_on_request(client):
    assert client.get(f"/api/hotspots?{Q}&township=乙镇").get_json()["hotspots"] == []
    # only 4 of the 9 are 治安问题 (k = 4 < min_count 5)
    assert client.get(f"/api/hotspots?{Q}&category=治安问题").get_json()["hotspots"] == []
    every = client.get(f"/api/hotspots?{Q}&all=1").get_json()["hotspots"]
    assert [h["grid_id"] for h in every][0] == "G2" and len(every) == 3
    ps = [h["p"] for h in every]
    assert ps == sorted(ps)
    # G1: 3 this week; 12 + the old open case in the 4 weeks before: baseline 13/4
    assert every[-1]["grid_id"] == "G1" and every[-1]["baseline"] == 3.25
    assert every[-1]["p"] == pytest.approx(poisson_sf(3, 3.25))


@pytest.mark.parametrize("q", ["start=bad", "window=year", "township=火星镇", "scope=county",
                               "start=2025-06-09&end=2025-06-01"])
def test_bad_hotspot_parameters_answer_400_json(client, q):
    r = client.get(f"/api/hotspots?{q}")
    assert r.status_code == 400 and r.get_json()["error"]


def test_cameras_near_a_grid_and_a_point(client):
    body = client.get("/api/cameras?near=grid:G2&radius_m=300").get_json()
    assert [(c["camera_id"], c["status"]) for c in body["cameras"]] == [("cam1", "online")]
    assert body["cameras"][0]["distance_m"] == pytest.approx(120.0, abs=0.01)
    body = client.get("/api/cameras?near=point:120.02,29.55&radius_m=10").get_json()
    assert [(c["camera_id"], c["status"], c["distance_m"]) for c in body["cameras"]] == [
        ("cam2", "offline", 0.0)]
    assert client.get("/api/cameras?near=grid:G2&radius_m=100").get_json()["cameras"] == []
    assert client.get("/api/cameras?near=grid:ZZ").status_code == 400
    assert client.get("/api/cameras?near=grid:G2&radius_m=-5").status_code == 400
    assert client.get("/api/cameras?near=grid:G2&r=5").status_code == 400


def test_the_deck_has_density_outlines_and_no_base_map(client):
    body = client.get(f"/api/deck?{Q}&w=800&h=500").get_json()
    types = {layer["id"]: layer["@@type"] for layer in body["deck"]["layers"]}
    assert types["density-hex"] == "HexagonLayer"
    assert types["grids"] == types["townships"] == types["hotspots"] == "PathLayer"
    assert "mapStyle" not in body["deck"] and "mapProvider" not in body["deck"]
    assert body["deck"]["initialViewState"]["pitch"] > 0
    assert body["summary"]["events"] == 9 + 3 + 1 + 1       # valid events of the week
    assert body["summary"]["hotspots"] == 1 and body["summary"]["gaps"] == 0
    assert body["summary"]["grids_left_out"] == 0                # 3 grids, cap 5,000
    grid = client.get(f"/api/deck?{Q}&grid=G2").get_json()
    assert grid["summary"]["events"] == 9 and grid["summary"]["level"] == "grid"


def test_a_city_county_deck_leaves_its_grid_outlines_out_and_says_how_many(planted_db):
    """[wall] county_grid_outlines_max applies to the 3D view's county level too (10,000
    outlines were 3.8 of a city's 4.4 MB); a township or a grid still draws its grids."""
    from dashboard.app import create_app
    from store.settings import Settings

    settings = Settings.load(None)
    settings.raw["wall"]["county_grid_outlines_max"] = 2          # the planted county has 3
    client = create_app(planted_db, settings).server.test_client()

    def ids(body):
        return [layer["id"] for layer in body["deck"]["layers"]]

    county = client.get(f"/api/deck?{Q}&w=800&h=500").get_json()
    assert "grids" not in ids(county) and "townships" in ids(county)
    assert county["summary"]["grids_left_out"] == 3
    assert county["summary"]["events"] == 9 + 3 + 1 + 1         # the density is all there
    for q in ("township=T1", "grid=G2"):
        body = client.get(f"/api/deck?{Q}&{q}").get_json()
        assert "grids" in ids(body) and body["summary"]["grids_left_out"] == 0, q


def test_the_deck_gl_bundle_is_served_once_with_long_caching(client):
    html = client.get("/analysis/deck").get_data(as_text=True)
    url = next(part.split('"')[1] for part in html.split("<script")[1:])
    assert url.startswith("/analysis/vendor/deckgl-pydeck-")
    r = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "gzip"
    assert "immutable" in r.headers["Cache-Control"] and "max-age=31536000" in r.headers[
        "Cache-Control"]
    assert client.get(url, headers={"If-None-Match": r.headers["ETag"]}).status_code == 304
    raw = client.get(url).get_data()
    assert b"createDeck" in raw and len(raw) > 1_000_000
    assert b"sourceMappingURL" not in raw[-200:]
    assert client.get("/analysis/vendor/nope.js").status_code == 404


def test_unknown_paths_get_404s_and_analysis_redirects_with_its_query(client):
    r = client.get("/no/such/page")
    assert r.status_code == 404 and "页面不存在" in r.get_data(as_text=True)
    r = client.get("/api/no-such-thing")
    assert r.status_code == 404 and r.get_json()["error"]
    assert client.get("/analysis/nope").status_code == 404
    r = client.get("/analysis?township=T1&window=7d")
    assert r.status_code in (301, 308) and r.headers["Location"].endswith(
        "/analysis/?township=T1&window=7d")
    assert client.get("/analysis/").status_code == 200
    assert client.get("/").status_code == 200
    assert client.get("/api/health").status_code == 200


def test_the_3d_view_follows_the_warning_and_open_filters(client):
    """Panels that aggregate (3D, matrix, trend) take warnings from event_rows_cte too."""
    from tests.analysis.test_event_table import own_count

    red = client.get(f"/api/deck?{Q}&warning=red").get_json()["summary"]["events"]
    assert red == own_count(warning="red") > 0
    yellow = client.get(f"/api/deck?{Q}&warning=yellow").get_json()["summary"]["events"]
    assert yellow == own_count(warning="yellow")
    opened = client.get(f"/api/deck?{Q}&status=open").get_json()["summary"]["events"]
    closed = client.get(f"/api/deck?{Q}&status=closed").get_json()["summary"]["events"]
    assert opened + closed == 9 + 3 + 1 + 1                 # every valid event of the week


def test_hotspots_say_where_their_baseline_starts_and_the_data_does(client, planted_db):
    """The week's baseline (4 weeks before it) starts on the planted data's first day; a
    fortnight's reaches before it: the store says so (store.hotspots.short_history), the
    API gives both days so a client can tell."""
    from store.db import ReadStore
    from store.hotspots import short_history
    from store.settings import Settings

    week = client.get("/api/hotspots", query_string={
        "start": "2025-06-09", "end": "2025-06-16", "as_of": "2025-06-15T23:00"}).get_json()
    assert week["baseline_from"] == "2025-05-12" and week["data_from"] == "2025-05-12"
    store = ReadStore(planted_db)
    try:
        assert short_history(store, Settings(), dt.date(2025, 6, 9), dt.date(2025, 6, 16)) is None
        assert short_history(store, Settings(), dt.date(2025, 6, 2), dt.date(2025, 6, 16)) == \
            dt.date(2025, 5, 12)
    finally:
        store.close()
    fortnight = client.get("/api/hotspots", query_string={
        "start": "2025-06-02", "end": "2025-06-16", "as_of": "2025-06-15T23:00"}).get_json()
    assert fortnight["baseline_from"] == "2025-04-07" < fortnight["data_from"]
