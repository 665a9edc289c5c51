"""A county the project has not seen, built from files by the real ETL: irregular grids
(Voronoi cells drawn in UTM metres, written as lon/lat), two townships that both have a
第一网格 (grid names repeat across townships in real counties), planted hotspots and
cameras at known distances. Its figures are held to an independent computation from the
generated rows and the definitions (docs/analysis.md, docs/metrics.md), not to store code."""
from __future__ import annotations

import csv
import datetime as dt
import json
import math

import numpy as np
import pytest
import shapely
from pyproj import Geod, Transformer
from scipy.stats import poisson
from shapely.geometry import mapping
from shapely.ops import voronoi_diagram

from etl.load import run_load

AS_OF = dt.datetime(2026, 11, 18, 15, 30)            # a Wednesday
UTM = "EPSG:32650"
GEOD = Geod(ellps="WGS84")
FMT = "%Y-%m-%d %H:%M:%S"


def _cells():
    """Nine Voronoi cells in a wobbly outline, as lon/lat polygons, west to east."""
    to_ll = Transformer.from_crs(UTM, 4326, always_xy=True)
    cx, cy = 500_000.0, 3_270_000.0
    ang = np.linspace(0, 2 * np.pi, 40, endpoint=False)
    rad = 1 + 0.15 * np.sin(3 * ang)
    outline = shapely.Polygon(np.c_[cx + 4000 * rad * np.cos(ang), cy + 3000 * rad * np.sin(ang)])
    rng = np.random.default_rng(3)
    seeds = [shapely.Point(cx + x, cy + y) for x, y in zip(
        np.linspace(-3000, 3000, 9) + rng.uniform(-300, 300, 9),
        rng.uniform(-1500, 1500, 9))]
    vor = voronoi_diagram(shapely.MultiPoint(seeds), envelope=outline.buffer(3000))
    out = []
    for s in seeds:
        cell = next(c for c in vor.geoms if c.contains(s)).intersection(outline)
        out.append((cell, shapely.transform(
            cell, lambda xy: np.c_[to_ll.transform(xy[:, 0], xy[:, 1])])))
    return out, to_ll


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    folder = tmp_path_factory.mktemp("unseen")
    cells, to_ll = _cells()
    # township 甲 = the four western cells, 乙 = the five eastern ones; each has a 第一网格
    names = ["第一网格", "第二网格", "甲村三组", "甲村四组", "第一网格", "第二网格", "乙村三组",
             "乙村四组", "乙村五组"]
    grids = {f"G{i + 1}": {"name": names[i], "town": ("甲镇", "T1") if i < 4 else ("乙镇", "T2"),
                           "xy": xy, "ll": ll} for i, (xy, ll) in enumerate(cells)}
    (folder / "grids.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": mapping(g["ll"]),
         "properties": {"网格编号": gid, "网格名称": g["name"], "乡镇": g["town"][0],
                        "镇街编码": g["town"][1]}} for gid, g in grids.items()]},
        ensure_ascii=False), encoding="utf-8")

    def inside(gid, k):
        c = grids[gid]["xy"].representative_point()
        return to_ll.transform(c.x + 20 * (k % 5), c.y + 20 * (k // 5 % 5))

    rows = []

    def ev(gid, when, dept="住建局", cat="矛盾纠纷", status="处置中", closed=None):
        lon, lat = inside(gid, len(rows))
        rows.append([f"E{len(rows):04d}", when.strftime(FMT), cat, lon, lat, dept, status,
                     closed.strftime(FMT) if closed else "", gid])

    d = AS_OF.date()
    # late backlog of 住建局 (all open, > 72 h old: red): three in each 第一网格 (G1, G5), four
    # in G2: the department's worst grid is G2 with 4, not "第一网格" with 6
    for gid, n in (("G1", 3), ("G5", 3), ("G2", 4)):
        for i in range(n):
            ev(gid, AS_OF - dt.timedelta(days=5, hours=i))
    # 城管局: two red in G6, one red + one yellow in G5 (第一网格 of 乙镇): G6 wins on red count
    for h in (100, 110):
        ev("G6", AS_OF - dt.timedelta(hours=h), dept="城管局")
    ev("G5", AS_OF - dt.timedelta(hours=120), dept="城管局")
    ev("G5", AS_OF - dt.timedelta(hours=60), dept="城管局")
    # six more departments with one red case each, older than the week (in G4's baseline):
    # more rows than the late list's 250 px panel shows at once
    for i in range(6):
        ev("G4", AS_OF - dt.timedelta(days=10 + i), dept=f"第{i + 1}办事处")
    # a surge in G8 this week over a steady history, a grid (G9) that starts mid-window,
    # one kind only (G3): closed cases, so the backlog above stays as planted
    for w in range(1, 5):
        for i in range(2):
            t = dt.datetime.combine(d - dt.timedelta(days=7 * w + i), dt.time(10))
            ev("G8", t, status="已办结", closed=t + dt.timedelta(hours=5))
    for i in range(14):
        t = dt.datetime.combine(d - dt.timedelta(days=i % 7), dt.time(8 + i % 7))
        ev("G8", t, cat=("环境卫生", "治安问题")[i % 3 == 0], status="已办结",
           closed=min(t + dt.timedelta(hours=1), AS_OF))
    for i in range(8):
        t = dt.datetime.combine(d - dt.timedelta(days=i % 3), dt.time(9, 30))
        ev("G9", t, cat="安全隐患", status="已办结", closed=min(t + dt.timedelta(hours=2), AS_OF))
    for i in range(6):
        t = dt.datetime.combine(d - dt.timedelta(days=i), dt.time(7))
        ev("G3", t, cat="民生诉求", status="已办结", closed=t + dt.timedelta(hours=3))
    t = AS_OF - dt.timedelta(days=45)                   # before the default 30-day window
    ev("G7", t, status="已办结", closed=t + dt.timedelta(hours=4))
    with (folder / "events.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["事件编号", "上报时间", "事件类型", "经度", "纬度", "处置部门", "状态",
                    "办结时间", "planted_grid"])
        w.writerows(rows)
    # cameras due east (geodesic) of G9's eastmost vertex: 120 m and 299.5 m online count,
    # 300.5 m is outside the radius, 150 m is online but last seen 30 h before as_of
    v = max(grids["G9"]["ll"].exterior.coords, key=lambda p: p[0])
    cams = []
    for i, (m, status, seen_h) in enumerate(((120, "在线", 1), (299.5, "在线", None),
                                             (300.5, "在线", None), (150, "在线", 30))):
        lon, lat, _ = GEOD.fwd(v[0], v[1], 90.0, m)
        seen = (AS_OF - dt.timedelta(hours=seen_h)).strftime(FMT) if seen_h else ""
        cams.append([f"C{i}", f"东{m}米", lon, lat, status, seen])
    with (folder / "cameras.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["点位编号", "点位名称", "经度", "纬度", "状态", "最后在线时间"])
        w.writerows(cams)
    (folder / "load.toml").write_text(
        f'[dataset]\nname = "未见县"\nas_of = "{AS_OF.isoformat()}"\n\n'
        '[[source]]\nkind = "grids"\npath = "grids.geojson"\n\n'
        '[[source]]\nkind = "events"\npath = "events.csv"\n\n'
        '[[source]]\nkind = "cameras"\npath = "cameras.csv"\n', encoding="utf-8")
    db = folder / "unseen.duckdb"
    rep = run_load(db, folder / "load.toml", progress=False)
    ev_src = next(s for s in rep["sources"] if s["kind"] == "events")
    assert ev_src["new"] == len(rows) and not ev_src["rejected_by_reason"]
    from dashboard.app import create_app

    app = create_app(db)
    return {"app": app, "rows": rows, "grids": grids, "db": db}


def _late_reference(rows, grids):
    """Per department: (grid id, late cases) of the grid with most red, then most late,
    then first by name — counted per grid, from the planted rows."""
    per: dict[str, dict[str, list[int]]] = {}
    for eid, when, cat, lon, lat, dept, status, closed, gid in rows:
        age_h = (AS_OF - dt.datetime.strptime(when, FMT)).total_seconds() / 3600
        if status == "已办结" or age_h < 48:
            continue
        c = per.setdefault(dept, {}).setdefault(gid, [0, 0])
        c[0] += age_h > 72
        c[1] += 1
    return {dept: min(((g, n[1]) for g, n in by.items()),
                      key=lambda t: (-by[t[0]][0], -t[1], grids[t[0]]["name"], t[0]))
            for dept, by in per.items()}


def test_the_late_lists_worst_grid_counts_one_grid_not_every_grid_of_that_name(county):
    from store import analysis_reads as ar
    from store.analysis_filters import parse_filters

    ctx = county["app"].server.config["GRIDWALL_CTX"]
    f = parse_filters(ctx.store, ctx.settings, {"window": "7d"})
    late = ar.late_by_department(ctx.store, ctx.settings, f).set_index("department")
    want = _late_reference(county["rows"], county["grids"])
    assert want == {"住建局": ("G2", 4), "城管局": ("G6", 2),
                    **{f"第{i + 1}办事处": ("G4", 1) for i in range(6)}}
    names = {dept: (r.worst_grid, int(r.worst_grid_n)) for dept, r in late.iterrows()}
    assert names["住建局"] == ("第二网格", 4)                       # was 第一网格 6
    assert names["城管局"] == ("第二网格", 2)
    assert {dept: (r.worst_grid_id, int(r.worst_grid_n))
            for dept, r in late.iterrows()} == want


def test_hotspots_match_an_independent_poisson_scan_and_camera_count(county):
    client = county["app"].server.test_client()
    body = client.get("/api/hotspots?window=7d&all=1").get_json()
    start, end = dt.date(2026, 11, 12), dt.date(2026, 11, 19)
    assert (body["start"], body["end"]) == (start.isoformat(), end.isoformat())
    got = {h["grid_id"]: h for h in body["hotspots"]}
    assert set(got) == set(county["grids"])
    for gid in county["grids"]:
        times = [(dt.datetime.strptime(r[1], FMT), r[2]) for r in county["rows"] if r[8] == gid]
        k = sum(start <= t.date() < end for t, _ in times)
        hist = sum(start - dt.timedelta(days=28) <= t.date() < start for t, _ in times)
        base = max(hist / 4, 0.5)
        p = poisson.sf(k - 1, base) if k else 1.0
        h = got[gid]
        assert (h["k"], h["baseline"]) == (k, base), gid
        assert h["p"] == pytest.approx(p, rel=1e-9, abs=0), gid
        assert h["emerging"] == (k >= 5 and p < 0.01), gid
        daily = [sum(t.date() == start + dt.timedelta(days=i) for t, _ in times)
                 for i in range(7)]
        best, since = 0.0, None
        for i in range(6, -1, -1):                  # the shortest stretch wins a tie
            n, e = sum(daily[i:]), base / 7 * (7 - i)
            llr = n * math.log(n / e) - (n - e) if n > e else 0.0
            if llr > best:
                best, since = llr, (start + dt.timedelta(days=i)).isoformat()
        assert h["since"] == since, gid
        kinds = sorted({c for t, c in times if start <= t.date() < end})
        if kinds:
            counts = {c: sum(1 for t, x in times if x == c and start <= t.date() < end)
                      for c in kinds}
            top = min(kinds, key=lambda c: (-counts[c], c))
            assert (h["top_category"], h["top_share"]) == (
                top, round(counts[top] / k, 3)), gid
    # sorted by p: G5 holds five backlog cases this week (from nothing before)
    assert [g for g, h in got.items() if h["emerging"]] == ["G8", "G9", "G3", "G5"]
    assert got["G9"]["since"] == "2026-11-16" and got["G3"]["top_share"] == 1.0
    # 120 m (seen 1 h ago) and 299.5 m count; 300.5 m is out; 150 m went stale (30 h)
    assert got["G9"]["cameras_online_within"] == 2


def test_the_url_the_page_writes_keeps_the_default_window(county):
    """docs/analysis.md: the page always puts its window in the URL — /api/events without
    one lists every report time, so a link without it is not the list on screen."""
    from dashboard.analysis.filters_bar import args_from_controls, controls_from_args

    client = county["app"].server.test_client()
    # a township picked by name on the default window: the page writes the URL anew
    controls = controls_from_args({"window": "30d", "township": "乙镇"})
    args = args_from_controls({**controls, "township": "T2"}, {})
    assert args == {"window": "30d", "township": "T2"}
    on_screen = client.get("/api/events", query_string={"window": "30d", "township": "T2"})
    from_link = client.get("/api/events", query_string=args)
    assert from_link.get_json()["total"] == on_screen.get_json()["total"]
    everything = client.get("/api/events", query_string={"township": "T2"}).get_json()
    assert everything["total"] > on_screen.get_json()["total"]      # older cases exist


@pytest.mark.browser
def test_every_department_of_the_late_list_can_be_read_on_the_page(county, open_page):
    """Eight departments with late cases: the panel (250 px high at 1920×1080) scrolls to
    the last one instead of cutting the list off below the sixth."""
    from tests.serving import running_server

    with running_server(county["db"]) as (base, _proc):
        w = open_page(base + "/analysis/?window=7d", wait=False)
        page = w.page
        page.wait_for_function("() => document.querySelectorAll('#an-late-body tbody tr')"
                               ".length === 8", timeout=60_000)
        panel = page.locator("#an-panel-late .an-panel-body")
        inner = panel.bounding_box()
        page.mouse.move(inner["x"] + inner["width"] / 2, inner["y"] + inner["height"] / 2)
        page.mouse.wheel(0, 600)                       # as an officer would, over the list
        page.wait_for_timeout(300)
        inner = panel.bounding_box()
        box = page.locator("#an-late-body tbody tr").last.bounding_box()
        assert inner["y"] <= box["y"] and box["y"] + box["height"] <= inner["y"] + inner[
            "height"] + 0.5, (box, inner)
        assert w.outside() == [] and w.errors == [], (w.outside(), w.errors)


def _text(component) -> list[str]:
    """Every string in a Dash component tree, in order."""
    if isinstance(component, str):
        return [component]
    kids = getattr(component, "children", None)
    kids = kids if isinstance(kids, list) else [kids] if kids is not None else []
    return [t for k in kids for t in _text(k)]


def test_a_repeated_grid_name_is_shown_with_its_township(county):
    """Both townships have a 第一网格 and a 第二网格: the late list's worst grid and the
    coverage-gap list (no township column beside them) say which one, as 第二网格（甲镇）;
    a name the county has once stays bare."""
    from dashboard.analysis import late_panel
    from dashboard.analysis.hotspot_panel import gap_names
    from store import analysis_reads as ar
    from store.analysis_filters import parse_filters

    ctx = county["app"].server.config["GRIDWALL_CTX"]
    labels = ar.grid_labels(ctx.store, ctx.settings)
    assert {g: labels[g] for g in ("G1", "G2", "G3", "G5", "G6")} == {
        "G1": "第一网格（甲镇）", "G2": "第二网格（甲镇）", "G3": "甲村三组",
        "G5": "第一网格（乙镇）", "G6": "第二网格（乙镇）"}
    f = parse_filters(ctx.store, ctx.settings, {"window": "7d"})
    df = ar.late_by_department(ctx.store, ctx.settings, f)
    rows = late_panel.table(df, f.as_of, "?window=7d", f, labels).children[1].children
    cells = {_text(r.children[0])[0]: _text(r.children[4]) for r in rows}
    assert cells["住建局"] == ["第二网格（甲镇）", " 4件"]        # was 第二网格（4）
    assert cells["城管局"] == ["第二网格（乙镇）", " 2件"]
    # the full name on hover, cut with … past the column (analysis.css .an-cut)
    span = rows[0].children[4].children[0]
    assert span.className == "an-cut an-late-grid" and span.title.startswith(span.children)
    gaps = gap_names(["G1", "G5", "G3"], labels)
    assert gaps.children == "第一网格（甲镇）、第一网格（乙镇）、甲村三组" == gaps.title
