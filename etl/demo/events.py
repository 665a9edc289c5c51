"""Simulated events of the demo county: where, when and what (the handling is in ``handling``).

Vectorised with numpy so that ``scale=40`` (about 1.3 M events a year) takes well under a minute:
- daily volume per category with a weekly rhythm (officials rest at weekends), holidays
  (Spring Festival, National Day), a slow growth and seasonal waves;
- surges: typhoon days (hazards and disasters in the hills), wage disputes before the Spring
  Festival, and hotspots planted in the last weeks for the analysis screen to find;
- places: grids drawn by population, town-ness and road proximity per category, points uniform
  in the grid's triangles or along the road through it; hours by channel (few at 3 a.m.).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from etl.demo import vocab
from etl.demo.geometry import m_to_lonlat
from etl.demo.territory import Territory

BASE_PER_YEAR = 30_000          # events a year at scale 1 (first year; grows ~8 % a year)
GROWTH_PER_YEAR = 0.08


@dataclass
class Planted:
    """A hotspot planted in the last weeks (the demo's ground truth for the analysis screen)."""

    name: str
    township_code: str
    grid_ids: list[str]
    categories: list[str]
    first_day: str
    last_day: str
    count: int = 0
    lon: float = 0.0
    lat: float = 0.0


@dataclass
class Raw:
    """Event rows before handling, as parallel numpy arrays."""

    day: np.ndarray        # index into the calendar
    cat: np.ndarray        # index into vocab.CAT_NAMES
    sub: np.ndarray        # index into SUB_NAMES (-1: draw from the category's mix)
    grid: np.ndarray       # grid row (-1: draw by the category's weights)
    x: np.ndarray          # metres (NaN: draw inside the grid)
    y: np.ndarray
    planted: np.ndarray    # index into the planted list, -1 for ordinary events

    @staticmethod
    def empty() -> "Raw":
        z = np.zeros(0, np.int64)
        return Raw(z, z, z, z, np.zeros(0), np.zeros(0), z)

    def concat(self, other: "Raw") -> "Raw":
        return Raw(*(np.concatenate([getattr(self, k), getattr(other, k)])
                     for k in ("day", "cat", "sub", "grid", "x", "y", "planted")))

    def take(self, idx) -> "Raw":
        return Raw(*(getattr(self, k)[idx] for k in ("day", "cat", "sub", "grid", "x", "y",
                                                     "planted")))


SUB_NAMES: list[str] = []
SUB_CAT: list[int] = []
for _ci, _c in enumerate(vocab.CAT_NAMES):
    for _s, _w in vocab.SUBCATEGORIES[_c]:
        SUB_NAMES.append(_s)
        SUB_CAT.append(_ci)
SUB_INDEX = {s: i for i, s in enumerate(SUB_NAMES)}
CAT_INDEX = {c: i for i, c in enumerate(vocab.CAT_NAMES)}


@dataclass
class Calendar:
    days: np.ndarray          # datetime64[D]
    weekday: np.ndarray       # 0 = Monday
    month: np.ndarray         # 0..11 calendar month
    month_idx: np.ndarray     # months since the first one
    frac: np.ndarray          # 0 at the start, 1 at the end
    holiday: np.ndarray       # volume factor
    pre_festival: np.ndarray  # 0..1 ramp in the weeks before the Spring Festival
    festivals: list


def calendar(start: np.datetime64, end: np.datetime64) -> Calendar:
    days = np.arange(start, end + np.timedelta64(1, "D"), dtype="datetime64[D]")
    n = len(days)
    dnum = days.astype(np.int64)
    months = days.astype("datetime64[M]").astype(np.int64)
    hol = np.ones(n)
    pre = np.zeros(n)
    fests = []
    for y in range(int(str(days[0])[:4]) - 1, int(str(days[-1])[:4]) + 2):
        if y in vocab.SPRING_FESTIVAL:
            sf = np.datetime64(vocab.SPRING_FESTIVAL[y], "D")
            fests.append(sf)
            off = (days - sf).astype(np.int64)
            hol[(off >= -1) & (off <= 6)] *= 0.45
            hol[(off >= 7) & (off <= 10)] *= 0.8
            m = (off >= -28) & (off <= -2)
            pre[m] = 0.3 + 0.7 * (off[m] + 28) / 26.0
        for md, f in (("10-01", 0.72), ("10-02", 0.7), ("10-03", 0.7), ("10-04", 0.72),
                      ("10-05", 0.75), ("10-06", 0.8), ("10-07", 0.85), ("05-01", 0.8),
                      ("05-02", 0.8), ("05-03", 0.85)):
            hol[days == np.datetime64(f"{y}-{md}", "D")] *= f
    return Calendar(days=days, weekday=(dnum + 3) % 7, month=months % 12,
                    month_idx=months - months[0], frac=np.arange(n) / max(n - 1, 1),
                    holiday=hol, pre_festival=pre, festivals=fests)


def grid_weights(terr: Territory, town_activity: np.ndarray) -> np.ndarray:
    """(categories x grids) weights: population x town-ness x road proximity x township."""
    g = terr.grids
    pop = g["population"].to_numpy(float)
    urban = g["urban"].to_numpy(float)
    road = np.exp(-g["road_m"].to_numpy(float) / 400.0)
    area = g["area_km2"].to_numpy(float)
    tidx = town_index(terr)
    out = np.empty((len(vocab.CAT_NAMES), len(g)))
    for ci, c in enumerate(vocab.CAT_NAMES):
        _, u, r, rho = vocab.CATEGORIES[c]
        w = pop * (urban * u + (1 - urban) * r) * (1 + rho * road) * town_activity[tidx]
        if c == "灾情疫情":
            w *= np.sqrt(area)
        out[ci] = w
    return out


def town_index(terr: Territory) -> np.ndarray:
    codes = list(terr.townships["code"])
    return np.array([codes.index(c) for c in terr.grids["township_code"]])


def _choose(rng, cum_rows: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """For each i, an index drawn from the cumulative weights cum_rows[rows[i]]."""
    out = np.empty(len(rows), np.int64)
    for r in np.unique(rows):
        m = rows == r
        cum = cum_rows[r]
        out[m] = np.searchsorted(cum, rng.random(int(m.sum())) * cum[-1], side="right")
    return np.minimum(out, cum_rows.shape[1] - 1)


def _cum(w: np.ndarray) -> np.ndarray:
    return np.cumsum(w, axis=-1)


def base_events(cal: Calendar, scale: float, rng: np.random.Generator) -> Raw:
    """Ordinary daily volume per category (before the weekday thinning by channel)."""
    years = np.arange(len(cal.days)) / 365.25
    accept = _mean_acceptance()
    per_day = BASE_PER_YEAR / 365.25 * scale / accept
    lam = np.empty((len(vocab.CAT_NAMES), len(cal.days)))
    for ci, c in enumerate(vocab.CAT_NAMES):
        share = vocab.CATEGORIES[c][0]
        season = np.asarray(vocab.SEASON[c])[cal.month]
        lam[ci] = per_day * share * season * cal.holiday * (1 + GROWTH_PER_YEAR * years)
    counts = rng.poisson(lam)
    cat = np.repeat(np.repeat(np.arange(lam.shape[0]), lam.shape[1]), counts.ravel())
    day = np.repeat(np.tile(np.arange(lam.shape[1]), lam.shape[0]), counts.ravel())
    n = len(day)
    return Raw(day, cat, np.full(n, -1), np.full(n, -1), np.full(n, np.nan),
               np.full(n, np.nan), np.full(n, -1))


def _mean_acceptance() -> float:
    share = (vocab.CHANNEL_START + vocab.CHANNEL_END) / 2
    return float((share / share.sum() * vocab.WEEKDAY.mean(1)).sum())


def _stream(rng, days: np.ndarray, lam: np.ndarray, cats_subs: list[tuple[str, str, float]],
            grid_w: np.ndarray) -> Raw:
    """A surge: Poisson counts per day, a fixed (category, sub-kind) mix, its own grid weights."""
    counts = rng.poisson(lam)
    day = np.repeat(days, counts)
    n = len(day)
    p = np.array([w for _, _, w in cats_subs], float)
    pick = rng.choice(len(cats_subs), n, p=p / p.sum())
    cat = np.array([CAT_INDEX[c] for c, _, _ in cats_subs])[pick]
    sub = np.array([SUB_INDEX[s] for _, s, _ in cats_subs])[pick]
    cum = np.cumsum(grid_w)
    grid = np.minimum(np.searchsorted(cum, rng.random(n) * cum[-1], side="right"),
                      len(grid_w) - 1)
    return Raw(day, cat, sub, grid, np.full(n, np.nan), np.full(n, np.nan), np.full(n, -1))


def typhoons(cal: Calendar, terr: Territory, scale: float, rng) -> tuple[Raw, list[str]]:
    """One or two typhoons each summer: three days of hazards and damage, mostly in the hills."""
    g = terr.grids
    w = (g["area_km2"].to_numpy() ** 0.7 * (0.4 + 1 - g["urban"].to_numpy())
         * g["population"].to_numpy() ** 0.3)
    mix = [("灾情疫情", "台风灾害", 0.2), ("灾情疫情", "洪涝积水", 0.15),
           ("灾情疫情", "山体滑坡", 0.1), ("灾情疫情", "树木倒伏", 0.12),
           ("安全隐患", "防汛隐患", 0.2), ("安全隐患", "地质灾害隐患", 0.13),
           ("安全隐患", "房屋安全", 0.1)]
    out, dates = Raw.empty(), []
    years = sorted({int(str(d)[:4]) for d in cal.days})
    for y in years:
        for _ in range(int(rng.choice([1, 2], p=[0.45, 0.55]))):
            first = np.datetime64(f"{y}-07-10", "D") + int(rng.integers(0, 75))
            idx = np.searchsorted(cal.days, first + np.arange(3))
            ok = (idx < len(cal.days))
            idx = idx[ok]
            if len(idx) == 0 or cal.days[idx[0]] != first:
                continue
            lam = np.array([0.8, 1.0, 0.45])[: len(idx)] * 45.0 * scale
            out = out.concat(_stream(rng, idx, lam, mix, w))
            dates.append(str(first))
    return out, dates


def wage_disputes(cal: Calendar, terr: Territory, scale: float, rng) -> Raw:
    """Wage arrears before the Spring Festival: disputes and petitions in towns."""
    g = terr.grids
    w = g["population"].to_numpy() * (0.5 + g["urban"].to_numpy())
    idx = np.nonzero(cal.pre_festival > 0)[0]
    lam = 6.0 * scale * cal.pre_festival[idx]
    mix = [("矛盾纠纷", "劳资纠纷", 0.75), ("信访", "欠薪讨薪", 0.25)]
    return _stream(rng, idx, lam, mix, w)


def plant_hotspots(cal: Calendar, terr: Territory, scale: float,
                   rng) -> tuple[Raw, list[Planted]]:
    """Three emerging hotspots in the last weeks, each in one or a few adjacent grids."""
    g = terr.grids
    geoms = g.geometry.values
    n_days = len(cal.days)
    specs = []
    # 1. demolition-site disputes in a village on the city's edge (三江街道)
    cand = g[(g.township_code == "330683002") & (~g.is_community)]
    city = terr.townships.set_index("code").loc["330683001", ["seat_x", "seat_y"]].to_numpy(float)
    d = np.hypot(cand.geometry.centroid.x - city[0], cand.geometry.centroid.y - city[1])
    site = cand.index[int(np.argmin(d.to_numpy()))]
    specs.append(("城西拆迁地块矛盾纠纷聚集", [site], 18, 34,
                  [("矛盾纠纷", "征地拆迁", 0.7), ("信访", "征地拆迁补偿", 0.2),
                   ("城市管理", "违章建房", 0.1)], 160.0))
    # 2. safety hazards in an industrial park on the south edge of town (浦口街道)
    cand = g[(g.township_code == "330683005") & (~g.is_community) & (g.road_m < 300)]
    if cand.empty:
        cand = g[g.township_code == "330683005"]
    park = cand.index[int(np.argmax(cand.area_km2.to_numpy()))]
    neigh = [i for i in g.index[g.geometry.touches(geoms[g.index.get_loc(park)])]
             if g.at[i, "township_code"] == "330683005"][:2]
    specs.append(("城南工业园区安全隐患集中", [park, *neigh], 21, 40,
                  [("安全隐患", "消防隐患", 0.35), ("安全隐患", "用电隐患", 0.25),
                   ("安全隐患", "危化品隐患", 0.2), ("安全隐患", "特种设备", 0.1),
                   ("事故", "生产安全事故", 0.1)], 260.0))
    # 3. odour and noise from a waste-plastics yard in a village of 甘霖镇
    cand = g[(g.township_code == "330683100") & (~g.is_community) & (g.road_m < 500)]
    if cand.empty:
        cand = g[g.township_code == "330683100"]
    yard = cand.index[int(rng.integers(len(cand)))]
    specs.append(("甘霖镇废塑料加工点环境投诉", [yard], 10, 18,
                  [("环境卫生", "异味扰民", 0.55), ("环境卫生", "焚烧垃圾", 0.2),
                   ("治安问题", "噪声扰民", 0.25)], 200.0))

    out, planted = Raw.empty(), []
    for k, (name, rows, span, base_n, mix, sigma) in enumerate(specs):
        n = max(int(round(base_n * scale)), 10)
        # intensity ramps up over the window (an emerging cluster)
        days = np.arange(n_days - span, n_days)
        ramp = np.linspace(0.3, 1.0, span)
        day = rng.choice(days, n, p=ramp / ramp.sum())
        pick = rng.choice(len(mix), n, p=np.array([w for *_, w in mix]) / sum(w for *_, w in mix))
        cat = np.array([CAT_INDEX[c] for c, _, _ in mix])[pick]
        sub = np.array([SUB_INDEX[s] for _, s, _ in mix])[pick]
        main = rows[0]
        poly = geoms[g.index.get_loc(main)]
        centre = poly.point_on_surface()
        grid = rng.choice(rows, n, p=[0.7] + [0.3 / (len(rows) - 1)] * (len(rows) - 1)
                          if len(rows) > 1 else [1.0])
        x = np.full(n, np.nan)
        y = np.full(n, np.nan)
        in_main = grid == main
        px, py = _cluster_points(poly, centre.x, centre.y, sigma, int(in_main.sum()), rng)
        x[in_main], y[in_main] = px, py
        gpos = np.array([g.index.get_loc(r) for r in grid])
        out = out.concat(Raw(day, cat, sub, gpos, x, y, np.full(n, k)))
        lon, lat = m_to_lonlat(centre.x, centre.y)
        planted.append(Planted(
            name=name, township_code=str(g.at[main, "township_code"]),
            grid_ids=[str(g.at[r, "grid_id"]) for r in rows],
            categories=sorted({c for c, _, _ in mix}), first_day=str(cal.days[n_days - span]),
            last_day=str(cal.days[-1]), count=n, lon=float(lon), lat=float(lat)))
    return out, planted


def _cluster_points(poly, x0, y0, sigma, n, rng) -> tuple[np.ndarray, np.ndarray]:
    """n points around (x0, y0) with a normal spread, kept inside poly."""
    shapely.prepare(poly)
    xs, ys = [], []
    got = 0
    for _ in range(50):
        if got >= n:
            break
        x = x0 + rng.normal(0, sigma, 2 * n + 8)
        y = y0 + rng.normal(0, sigma, 2 * n + 8)
        ok = shapely.contains_xy(poly, x, y)
        xs.append(x[ok])
        ys.append(y[ok])
        got += int(ok.sum())
    x = np.concatenate(xs)[:n] if xs else np.zeros(0)
    y = np.concatenate(ys)[:n] if ys else np.zeros(0)
    if len(x) < n:  # a thin polygon: pad with its interior point
        x = np.r_[x, np.full(n - len(x), x0)]
        y = np.r_[y, np.full(n - len(y), y0)]
    return x, y


class PointSampler:
    """Uniform points inside grids (by triangles) or along the road through a grid."""

    def __init__(self, terr: Territory):
        geoms = terr.grids.geometry.values
        tri_parts, owner = [], []
        for i, poly in enumerate(geoms):
            tris = shapely.get_parts(shapely.constrained_delaunay_triangles(poly))
            tri_parts.append(tris)
            owner.append(np.full(len(tris), i))
        tris = np.concatenate(tri_parts)
        self.owner = np.concatenate(owner)
        coords = shapely.get_coordinates(shapely.get_exterior_ring(tris)).reshape(len(tris), 4, 2)
        self.tri = coords[:, :3, :]
        area = shapely.area(tris)
        self.cum = np.cumsum(area)
        grid_area = np.bincount(self.owner, weights=area, minlength=len(geoms))
        self.start = np.r_[0.0, np.cumsum(grid_area)[:-1]]
        self.grid_area = grid_area
        self.geoms = geoms
        roads = [r for _, r in terr.roads]
        self.road_piece = np.full(len(geoms), None, dtype=object)
        if roads:
            ru = shapely.union_all(roads)
            near = np.nonzero(terr.grids["road_m"].to_numpy() == 0)[0]
            pieces = shapely.intersection(geoms[near], ru)
            for i, p in zip(near, pieces):
                parts = [q for q in shapely.get_parts(p) if q.geom_type == "LineString"]
                if parts:
                    self.road_piece[i] = max(parts, key=lambda q: q.length)

    def in_grids(self, grid: np.ndarray, rng) -> tuple[np.ndarray, np.ndarray]:
        u = self.start[grid] + rng.random(len(grid)) * self.grid_area[grid]
        t = np.minimum(np.searchsorted(self.cum, u, side="right"), len(self.cum) - 1)
        # guard against float edges landing in a neighbour's triangle
        t = np.where(self.owner[t] == grid, t, np.searchsorted(self.cum, self.start[grid] + 1e-6,
                                                               side="right"))
        r1 = rng.random(len(grid))
        r2 = rng.random(len(grid))
        flip = r1 + r2 > 1
        r1[flip], r2[flip] = 1 - r1[flip], 1 - r2[flip]
        a, b, c = self.tri[t, 0], self.tri[t, 1], self.tri[t, 2]
        p = a + (b - a) * r1[:, None] + (c - a) * r2[:, None]
        return p[:, 0], p[:, 1]

    def along_road(self, grid: np.ndarray, rng, jitter: float = 25.0):
        """Points near the road through each grid; NaN where the grid has no road or the
        jittered point fell outside the grid."""
        x = np.full(len(grid), np.nan)
        y = np.full(len(grid), np.nan)
        pieces = self.road_piece[grid]
        has = np.array([p is not None for p in pieces], bool)
        if not has.any():
            return x, y
        pts = shapely.line_interpolate_point(pieces[has], rng.random(int(has.sum())),
                                             normalized=True)
        xy = shapely.get_coordinates(pts)
        xy = xy + rng.normal(0, jitter, xy.shape)
        ok = shapely.contains_xy(self.geoms[grid[has]], xy[:, 0], xy[:, 1])
        idx = np.nonzero(has)[0]
        x[idx[ok]] = xy[ok, 0]
        y[idx[ok]] = xy[ok, 1]
        return x, y


def simulate(terr: Territory, cal: Calendar, scale: float, rng: np.random.Generator,
             town_activity: np.ndarray) -> tuple[Raw, np.ndarray, np.ndarray, dict]:
    """All event rows (not yet sorted), with channel and reported_at; plus the truth."""
    raw = base_events(cal, scale, rng)
    ty, ty_dates = typhoons(cal, terr, scale, rng)
    wage = wage_disputes(cal, terr, scale, rng)
    hot, planted = plant_hotspots(cal, terr, scale, rng)
    raw = raw.concat(ty).concat(wage)
    n_base = len(raw.day)
    raw = raw.concat(hot)

    # sub-kind, by the category's mix
    need = raw.sub < 0
    sub_cum = np.zeros((len(vocab.CAT_NAMES), max(len(v) for v in vocab.SUBCATEGORIES.values())))
    sub_off = np.zeros(len(vocab.CAT_NAMES), np.int64)
    for ci, c in enumerate(vocab.CAT_NAMES):
        w = np.array([x for _, x in vocab.SUBCATEGORIES[c]])
        sub_cum[ci, : len(w)] = np.cumsum(w / w.sum())
        sub_cum[ci, len(w):] = 2.0
        sub_off[ci] = SUB_CAT.index(ci)
    u = rng.random(int(need.sum()))
    cats = raw.cat[need]
    raw.sub[need] = sub_off[cats] + (u[:, None] > sub_cum[cats]).sum(1)

    # grid, by the category's weights
    need = raw.grid < 0
    raw.grid[need] = _choose(rng, _cum(grid_weights(terr, town_activity)), raw.cat[need])

    # channel, by category and month (the citizen app and 12345 grow)
    n_months = int(cal.month_idx[-1]) + 1
    mf = np.linspace(0, 1, n_months)
    table = np.empty((len(vocab.CAT_NAMES), n_months, len(vocab.CHANNELS)))
    for ci, c in enumerate(vocab.CAT_NAMES):
        s = (vocab.CHANNEL_START[None, :] * (1 - mf[:, None]) + vocab.CHANNEL_END[None, :]
             * mf[:, None]) * np.asarray(vocab.CHANNEL_BY_CAT[c])[None, :]
        table[ci] = np.cumsum(s / s.sum(1, keepdims=True), axis=1)
    table[:, :, -1] = 1.0 + 1e-9
    cum = table[raw.cat, cal.month_idx[raw.day]].astype(np.float32)
    channel = (rng.random(len(raw.day)).astype(np.float32)[:, None] > cum).sum(1)
    channel = np.minimum(channel, len(vocab.CHANNELS) - 1)

    # weekly rhythm: thin ordinary events by channel x weekday (planted ones stay)
    keep = rng.random(len(raw.day)) < vocab.WEEKDAY[channel, cal.weekday[raw.day]]
    keep[n_base:] = True
    raw = raw.take(keep)
    channel = channel[keep]

    # place: planted points are set; some events sit on the road through their grid
    need = np.isnan(raw.x)
    road_aff = np.array([vocab.CATEGORIES[c][3] for c in vocab.CAT_NAMES])
    on_road = need & (rng.random(len(raw.day)) < 0.4 * road_aff[raw.cat])
    sampler = PointSampler(terr)
    if on_road.any():
        raw.x[on_road], raw.y[on_road] = sampler.along_road(raw.grid[on_road], rng)
    need = np.isnan(raw.x)
    raw.x[need], raw.y[need] = sampler.in_grids(raw.grid[need], rng)

    # time of day by channel
    hour_cum = np.cumsum(vocab.HOURS, axis=1)
    hour = np.minimum((rng.random(len(raw.day))[:, None] > hour_cum[channel]).sum(1), 23)
    secs = hour * 3600 + rng.integers(0, 3600, len(raw.day))
    reported = (cal.days[raw.day].astype("datetime64[s]")
                + secs.astype("timedelta64[s]"))
    truth = {"typhoon_first_days": ty_dates,
             "spring_festivals": [str(d) for d in cal.festivals],
             "planted_hotspots": [p.__dict__ for p in planted]}
    return raw, channel, reported, truth
