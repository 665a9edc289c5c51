"""Demo camera inventory (视频点位): ~1,500 points, dense in towns and on main roads.

Four kinds (高清枪机, 球机, 云眼智能, 车载), owners as a county has them (public security's
雪亮工程, traffic police, urban management, township centres, villages), a few percent offline
(more in the hills). Ids follow the 20-digit GB/T 28181 device code pattern.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from etl.demo.events import PointSampler
from etl.demo.geometry import m_to_lonlat
from etl.demo.territory import Territory

TOTAL = 1500
KINDS = ["高清枪机", "球机", "云眼智能", "车载"]
SITES_TOWN = ["交叉口", "菜市场", "学校门口", "医院门口", "广场", "公交站", "小区出入口", "商业街"]
SITES_VILLAGE = ["村口", "文化礼堂", "村委会", "桥头", "停车场", "祠堂前", "主干道"]


def build_cameras(terr: Territory, rng: np.random.Generator) -> pd.DataFrame:
    """The camera table with the headers of a county's inventory export (WGS84 points)."""
    g = terr.grids
    sampler = PointSampler(terr)
    n_vehicle = 40
    n_town = int(TOTAL * 0.42)
    n_road = int(TOTAL * 0.3)
    n_village = TOTAL - n_vehicle - n_town - n_road

    rows = []
    # towns: by population x town-ness
    w = g["population"].to_numpy() * (0.1 + g["urban"].to_numpy()) ** 2
    grid = rng.choice(len(g), n_town, p=w / w.sum())
    x, y = sampler.in_grids(grid, rng)
    rows.append(("town", grid, x, y))
    # roads: evenly along the main roads, a few metres off the centre line
    lines = [ln for _, r in terr.roads for ln in shapely.get_parts(r)]
    lengths = np.array([ln.length for ln in lines])
    pick = rng.choice(len(lines), n_road, p=lengths / lengths.sum())
    pts = shapely.line_interpolate_point(np.array(lines, dtype=object)[pick],
                                         rng.random(n_road), normalized=True)
    xy = shapely.get_coordinates(pts) + rng.normal(0, 8, (n_road, 2))
    tree = shapely.STRtree(g.geometry.values)
    inside = shapely.contains_xy(terr.outline, xy[:, 0], xy[:, 1])
    xy = xy[inside]
    grid = _locate(tree, xy)
    rows.append(("road", grid, xy[:, 0], xy[:, 1]))
    # villages: at least one at each village's most populous grid, the rest by population
    vg = g.sort_values("population", ascending=False).drop_duplicates("village_code")
    first = vg.index.map(g.index.get_loc).to_numpy()
    extra = rng.choice(len(g), max(n_village - len(first), 0),
                       p=g["population"].to_numpy() / g["population"].sum())
    grid = np.r_[first, extra]
    x, y = sampler.in_grids(grid, rng)
    rows.append(("village", grid, x, y))
    # vehicles: parked at the township seats (urban management and police cars)
    seats = terr.townships[["seat_x", "seat_y"]].to_numpy()
    k = rng.integers(0, len(seats), n_vehicle)
    xy = seats[k] + rng.normal(0, 60, (n_vehicle, 2))
    grid = _locate(tree, xy)
    rows.append(("vehicle", grid, xy[:, 0], xy[:, 1]))

    kind_p = {"town": [0.5, 0.35, 0.15, 0.0], "road": [0.7, 0.2, 0.1, 0.0],
              "village": [0.5, 0.2, 0.3, 0.0], "vehicle": [0.0, 0.0, 0.0, 1.0]}
    parts = []
    road_names = [n for n, r in terr.roads for _ in shapely.get_parts(r)]
    for where, grid, x, y in rows:
        n = len(grid)
        kind = rng.choice(4, n, p=kind_p[where])
        town = g["township_name"].to_numpy()[grid]
        vill = g["village_name"].to_numpy()[grid]
        if where == "town":
            name = [f"{v}{SITES_TOWN[i]}" for v, i in zip(vill, rng.integers(0, len(SITES_TOWN), n))]
            owner = rng.choice(["市公安局(雪亮工程)", "市综合行政执法局", "镇街综治中心"], n,
                               p=[0.6, 0.25, 0.15])
        elif where == "road":
            # chainage along the road, as road cameras are named (K12+300)
            name = []
            for j in range(n):
                ln = lines[pick[inside][j]]
                km = ln.project(shapely.Point(x[j], y[j])) / 1000.0
                name.append(f"{road_names[pick[inside][j]]}K{int(km)}+{int(km % 1 * 1000):03d}")
            owner = rng.choice(["市公安局交警大队", "市公安局(雪亮工程)", "市交通运输局"], n,
                               p=[0.55, 0.3, 0.15])
        elif where == "village":
            name = [f"{v}{SITES_VILLAGE[i]}"
                    for v, i in zip(vill, rng.integers(0, len(SITES_VILLAGE), n))]
            owner = np.where(rng.random(n) < 0.55, "市公安局(雪亮工程)",
                             np.char.add(vill.astype(str), "村(居)委会"))
        else:
            name = [f"{t}综合执法车{i + 1:02d}" for i, t in enumerate(town)]
            owner = np.where(rng.random(n) < 0.6, "市综合行政执法局", "市公安局")
        hill = 1 - g["urban"].to_numpy()[grid]
        offline = rng.random(n) < 0.02 + 0.05 * hill + np.where(kind == 3, 0.05, 0.0)
        lon, lat = m_to_lonlat(x, y)
        parts.append(pd.DataFrame({
            "点位名称": name, "经度": np.round(lon, 6), "纬度": np.round(lat, 6),
            "状态": np.where(offline, "离线", "在线"), "类型": np.array(KINDS)[kind],
            "建设单位": owner, "_town": town}))
    df = pd.concat(parts, ignore_index=True)
    # sort by township then name so ids run like an inventory's, then number them
    df = df.sort_values(["_town", "点位名称"], kind="stable").reset_index(drop=True)
    type_code = np.where(df["类型"].eq("车载"), "134", "132")
    df.insert(0, "点位编号", [f"3306830000{t}0{i + 1:06d}" for i, t in enumerate(type_code)])
    return df.drop(columns="_town")


def _locate(tree, xy: np.ndarray) -> np.ndarray:
    """Index of the grid holding each point (nearest grid when on an edge)."""
    pts = shapely.points(xy)
    return tree.query_nearest(pts, all_matches=False)[1]
