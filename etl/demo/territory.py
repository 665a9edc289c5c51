"""The demo county's territory: townships, villages and grids that tile the real outline of 嵊州市.

No public township or grid polygons exist for 嵊州市, so the shapes are derived (names, codes and
the county outline are real):
1. townships: ~5,000 small Voronoi "atoms" inside the outline are given to the nearest township
   seat under a weighted distance plus a smooth random field (wiggly borders), with weights
   fitted to rough target areas; stray pieces join their neighbour;
2. villages: k-means seeds drawn from a density that peaks at the seat (small urban communities,
   large mountain villages), Voronoi cells clipped to the township; communities take the cells
   nearest the seat;
3. grids: 3–12 per village, centroidal Voronoi cells clipped to the village.
Each level is cut from the one above, so the grids tile the county with no gap or overlap.
All of it is built in metres (LAEA) and converted to WGS84 at the end.
"""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from shapely import LineString

from etl.demo import geometry as geo
from etl.demo.people import names, phones
from etl.demo.reference import Reference, Village

# Township seats: approximate positions placed by hand on the real outline (not surveyed), and
# rough target areas in km² used only to size the derived township shapes.
SEATS: dict[str, tuple[float, float, float]] = {
    "330683001": (120.812, 29.603, 40),   # 剡湖街道 (city centre, north bank)
    "330683002": (120.796, 29.579, 50),   # 三江街道 (city, south-west)
    "330683003": (120.846, 29.597, 55),   # 鹿山街道 (city, east)
    "330683005": (120.842, 29.566, 75),   # 浦口街道 (city, south)
    "330683100": (120.740, 29.548, 180),  # 甘霖镇
    "330683101": (120.640, 29.500, 240),  # 长乐镇
    "330683102": (120.680, 29.602, 150),  # 崇仁镇
    "330683103": (120.940, 29.572, 110),  # 黄泽镇
    "330683104": (120.828, 29.748, 130),  # 三界镇
    "330683105": (120.760, 29.680, 95),   # 石璜镇
    "330683106": (120.600, 29.700, 140),  # 谷来镇
    "330683107": (120.895, 29.680, 100),  # 仙岩镇
    "330683108": (121.010, 29.585, 120),  # 金庭镇
    "330683110": (121.050, 29.675, 110),  # 下王镇
    "330683200": (120.610, 29.405, 90),   # 贵门乡
}
STREETS = ("330683001", "330683002", "330683003", "330683005")
CITY_CENTRE = (120.818, 29.592)
TOTAL_POPULATION = 676_000  # order of the county's resident population

# Main roads (names made up for the demo), through township seats or (lon, lat) points.
ROUTES: list[tuple[str, list]] = [
    ("曹娥江沿江公路", ["330683001", (120.808, 29.660), (120.818, 29.705), "330683104",
                    (120.835, 29.800)]),
    ("嵊长公路", ["330683002", "330683100", "330683101"]),
    ("长贵线", ["330683101", (120.622, 29.452), "330683200"]),
    ("嵊黄公路", ["330683003", (120.890, 29.585), "330683103", "330683108"]),
    ("嵊仙公路", ["330683001", (120.860, 29.640), "330683107", "330683110"]),
    ("嵊崇公路", ["330683002", "330683102", (120.640, 29.650), "330683106"]),
    ("石璜线", ["330683001", (120.785, 29.640), "330683105"]),
    ("城南大道", ["330683005", (120.858, 29.552), (120.872, 29.540)]),
    ("上三高速嵊州段", [(120.862, 29.830), (120.856, 29.700), (120.868, 29.615),
                    (120.862, 29.540)]),
]

CN_NUM = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三",
          "十四", "十五", "十六", "十七", "十八", "十九", "二十"]


@dataclass
class Territory:
    """Everything in metres (LAEA, ``geometry.LAEA``); ``*_wgs84()`` give WGS84 copies."""

    outline: object                 # shapely geometry, metres
    townships: gpd.GeoDataFrame     # code, name, seat_x, seat_y, is_street, geometry
    villages: gpd.GeoDataFrame      # code, name, raw_name, township_code, is_community, geometry
    grids: gpd.GeoDataFrame         # grid_id, grid_name, township_code, township_name,
                                    # village_code, village_name, grid_worker, worker_phone,
                                    # population, households, area_km2, urban, road_m, geometry
    roads: list[tuple[str, object]]  # (name, LineString/MultiLineString in metres)

    def grids_wgs84(self) -> gpd.GeoDataFrame:
        return _to_wgs(self.grids)

    def townships_wgs84(self) -> gpd.GeoDataFrame:
        return _to_wgs(self.townships)


def _to_wgs(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    geoms = [geo.geom_to_lonlat(g) for g in gdf.geometry]
    return gpd.GeoDataFrame(gdf.drop(columns="geometry"), geometry=geoms, crs="EPSG:4326")


def build_territory(ref: Reference, rng: np.random.Generator) -> Territory:
    """Derive townships, villages, grids and roads for ``ref`` (deterministic for rng)."""
    outline = shapely.make_valid(geo.geom_to_m(ref.outline))
    codes = [c for c, _ in ref.townships]
    tnames = dict(ref.townships)
    sx, sy = geo.lonlat_to_m([SEATS[c][0] for c in codes], [SEATS[c][1] for c in codes])
    seats = np.column_stack([sx, sy])
    target = np.array([SEATS[c][2] for c in codes], float)
    target *= outline.area / 1e6 / target.sum()

    town_polys = _partition(outline, seats, target, rng)
    for i, poly in enumerate(town_polys):  # a seat must lie in its own township
        if not poly.contains(shapely.Point(seats[i])):
            p = poly.point_on_surface()
            seats[i] = (p.x, p.y)
    townships = gpd.GeoDataFrame(
        {"code": codes, "name": [tnames[c] for c in codes], "seat_x": seats[:, 0],
         "seat_y": seats[:, 1], "is_street": [c in STREETS for c in codes]},
        geometry=town_polys, crs=geo.LAEA)

    cx, cy = geo.lonlat_to_m(*CITY_CENTRE)
    city = np.array([float(cx), float(cy)])
    by_town: dict[str, list[Village]] = {c: [] for c in codes}
    for v in ref.villages:
        by_town[v.township_code].append(v)

    vrows, vgeoms = [], []
    for i, code in enumerate(codes):
        street = code in STREETS
        centre = city if street else seats[i]
        cells, vills = _villages(town_polys[i], centre, by_town[code], street, rng)
        for cell, v in zip(cells, vills):
            vrows.append({"code": v.code, "name": v.name, "raw_name": v.raw_name,
                          "township_code": code, "is_community": v.is_community})
            vgeoms.append(cell)
    villages = gpd.GeoDataFrame(vrows, geometry=vgeoms, crs=geo.LAEA)

    roads = _roads(outline, dict(zip(codes, seats)), rng)
    grids = _grids(villages, tnames, townships, roads, rng)
    return Territory(outline=outline, townships=townships, villages=villages, grids=grids,
                     roads=roads)


def _partition(outline, seats: np.ndarray, target_km2: np.ndarray,
               rng: np.random.Generator) -> list:
    """Township polygons from Voronoi atoms: weighted nearest seat + smooth noise."""
    spacing = 560.0
    minx, miny, maxx, maxy = outline.bounds
    gx, gy = np.meshgrid(np.arange(minx, maxx + spacing, spacing),
                         np.arange(miny, maxy + spacing, spacing))
    pts = np.column_stack([gx.ravel(), gy.ravel()])
    pts += rng.uniform(-0.35, 0.35, pts.shape) * spacing
    near = outline.buffer(spacing)
    pts = pts[shapely.contains_xy(near, pts[:, 0], pts[:, 1])]
    atoms = geo.voronoi_cells(pts, outline)
    keep = [k for k, a in enumerate(atoms) if not a.is_empty and a.area > 1.0]
    atoms = [atoms[k] for k in keep]
    area = shapely.area(np.array(atoms, dtype=object)) / 1e6
    cen = shapely.get_coordinates(shapely.centroid(np.array(atoms, dtype=object)))
    n = len(seats)
    # border wiggle in proportion to the township's size (city streets stay compact)
    amp = 1000.0 * np.sqrt(target_km2 / target_km2.max())
    fields = [geo.smooth_field(rng, a, (5000.0, 14000.0)) for a in amp]
    noise = np.column_stack([f(cen[:, 0], cen[:, 1]) for f in fields])
    dist = np.hypot(cen[:, None, 0] - seats[None, :, 0], cen[:, None, 1] - seats[None, :, 1])
    # additive weights (a power-diagram-like fit): grow or shrink each township's reach by
    # the gap between its target and current equivalent radius
    offset = np.zeros(n)
    r_target = np.sqrt(target_km2 / np.pi) * 1000.0
    for it in range(150):
        lab = (dist + noise - offset).argmin(1)
        got = np.bincount(lab, weights=area, minlength=n)
        step = 0.4 * 0.97 ** it  # damped: neighbouring city streets are very sensitive
        offset += np.clip(step * (r_target - np.sqrt(got / np.pi) * 1000.0), -300.0, 300.0)
    lab = (dist + noise - offset).argmin(1)
    polys = []
    arr = np.array(atoms, dtype=object)
    for t in range(n):
        polys.append(geo._polygonal(shapely.union_all(arr[lab == t], grid_size=geo.GRID_SIZE)))
    polys = geo.merge_strays(polys)
    return polys


def _villages(town, centre: np.ndarray, vills: list[Village], street: bool,
              rng: np.random.Generator):
    """Village cells of one township, ordered to match the returned villages."""
    k = len(vills)
    length, base = (1500.0, 0.06) if street else (1100.0, 0.14)

    def density(x, y):
        d = np.hypot(x - centre[0], y - centre[1])
        return (np.exp(-d / length) + base) / (1.0 + base)

    cand = geo.sample_in(town, max(70 * k, 800), rng, density)
    seeds = geo.kmeans(cand, k, rng)
    cells = geo.merge_strays(geo.voronoi_cells(seeds, town))
    order = [i for i in np.argsort(np.hypot(seeds[:, 0] - centre[0], seeds[:, 1] - centre[1]))
             if not cells[i].is_empty]
    comm = sorted((v for v in vills if v.is_community), key=lambda v: v.code)
    rural = sorted((v for v in vills if not v.is_community), key=lambda v: v.code)
    rural = [rural[i] for i in rng.permutation(len(rural))]
    ordered = comm + rural
    return [cells[i] for i in order], ordered[: len(order)]


def _roads(outline, seat_by_code: dict, rng: np.random.Generator) -> list:
    out = []
    for name, stops in ROUTES:
        pts = []
        for s in stops:
            if isinstance(s, str):
                pts.append(seat_by_code[s])
            else:
                x, y = geo.lonlat_to_m(*s)
                pts.append((float(x), float(y)))
        line = LineString(geo.meander(np.array(pts, float), rng, wiggle=0.05))
        clipped = shapely.intersection(line, outline)
        if not clipped.is_empty:
            out.append((name, clipped))
    return out


def _grids(villages: gpd.GeoDataFrame, tnames: dict, townships: gpd.GeoDataFrame,
           roads: list, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Grids (centroidal Voronoi inside each village) with population and a grid worker."""
    street_codes = set(STREETS)
    rows, geoms = [], []
    for v in villages.itertuples():
        street = v.township_code in street_codes
        if v.is_community:
            k = int(rng.integers(5, 10)) if street else int(rng.integers(4, 8))
            pop = rng.lognormal(np.log(6500 if street else 3800), 0.3)
        else:
            k = int(rng.choice([3, 4, 5, 6], p=[0.3, 0.35, 0.25, 0.1]))
            pop = rng.lognormal(np.log(1700), 0.35)
        k = max(1, min(k, int(v.geometry.area / 20_000)))  # no grid under ~2 ha
        cand = geo.sample_in(v.geometry, 40 * k, rng)
        seeds = geo.kmeans(cand, k, rng, iters=30)
        cells = [c for c in geo.merge_strays(geo.voronoi_cells(seeds, v.geometry))
                 if not c.is_empty]
        # number grids north-west first, as a county would
        cen = shapely.get_coordinates(shapely.centroid(np.array(cells, dtype=object)))
        order = np.lexsort((cen[:, 0], -np.round(cen[:, 1], -2)))
        share = rng.dirichlet(np.full(len(cells), 8.0))
        for j, ci in enumerate(order):
            rows.append({
                "grid_id": f"{v.township_code}-{v.code[-3:]}-{j + 1:02d}",
                "grid_name": f"{v.name}第{CN_NUM[j] if j < len(CN_NUM) else j + 1}网格",
                "township_code": v.township_code,
                "township_name": tnames[v.township_code],
                "village_code": v.code,
                "village_name": v.name,
                "is_community": bool(v.is_community),
                "population_raw": pop * share[ci],
            })
            geoms.append(cells[ci])
    grids = gpd.GeoDataFrame(rows, geometry=geoms, crs=geo.LAEA)
    n = len(grids)
    pop = grids["population_raw"].to_numpy()
    pop = np.round(pop * TOTAL_POPULATION / pop.sum()).astype(int)
    grids["population"] = pop
    grids["households"] = np.round(pop / rng.uniform(2.4, 2.9, n)).astype(int)
    grids = grids.drop(columns="population_raw")
    area = grids.geometry.area.to_numpy() / 1e6
    grids["area_km2"] = area
    # urban score: small grids and community grids are town-like
    small = np.clip((np.log10(1.0 / area) + 0.3) / 1.3, 0.0, 1.0)
    grids["urban"] = 0.5 * small + 0.5 * grids["is_community"].to_numpy()
    road_union = shapely.union_all([g for _, g in roads]) if roads else None
    if road_union is not None:
        grids["road_m"] = shapely.distance(grids.geometry.values.to_numpy(), road_union)
    else:
        grids["road_m"] = np.inf
    grids["grid_worker"] = np.asarray(names(n, rng).to_pylist(), dtype=object)
    grids["worker_phone"] = np.asarray(phones(n, rng).to_pylist(), dtype=object)
    return grids
