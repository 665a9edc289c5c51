"""The demo's events, read from the written CSVs with pandas: format, vocabularies, the rhythms
a real county has, and the figures the wall shows (per metrics.md), checked independently of
the ETL."""
from __future__ import annotations

import hashlib
import json
import math
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from etl.demo import build_demo_sources
from etl.demo.build import territory_for_seed
from etl.demo.gcj02 import gcj02_to_wgs84
from etl.demo.reference import load_reference
from tests.demo.file_metrics import read_events, summary

HEADERS = ["事件编号", "上报时间", "事件类型", "事件小类", "来源渠道", "事件描述", "地址", "经度", "纬度",
           "所属镇街", "所属网格", "受理时间", "派单时间", "办结时间", "处置部门", "处置层级", "满意度",
           "状态", "是否督办", "上报人", "联系电话"]
CATEGORIES = {"矛盾纠纷", "安全隐患", "治安问题", "民生诉求", "环境卫生", "城市管理", "市场监管", "信访",
              "事故", "灾情疫情"}
LAEA = "+proj=laea +lat_0=29.6 +lon_0=120.8 +ellps=WGS84 +units=m"
CHANNELS = {"网格员上报", "我来爆料", "12345热线", "数字城管", "视频巡查", "微信", "PC端"}


@pytest.fixture(scope="module")
def full(demo_full):
    return read_events(demo_full)


@pytest.fixture(scope="module")
def truth(demo_full):
    return json.loads((demo_full / "demo_truth.json").read_text("utf-8"))


def _digest(folder) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.glob("events_*.csv"))}


def test_same_seed_same_bytes_other_seed_other_data(demo_small, tmp_path):
    territory_for_seed.cache_clear()   # derive the territory afresh too
    again = build_demo_sources(tmp_path / "again", seed=7, scale=0.1).parent
    assert _digest(again) == _digest(demo_small)
    for name in ("cameras.xlsx", "mediation.xlsx"):
        pd.testing.assert_frame_equal(pd.read_excel(again / name), pd.read_excel(demo_small / name))
    a = gpd.read_file(again / "grids.gpkg")
    b = gpd.read_file(demo_small / "grids.gpkg")
    assert a.drop(columns="geometry").equals(b.drop(columns="geometry"))
    assert a.geometry.geom_equals_exact(b.geometry, tolerance=0).all()
    other = build_demo_sources(tmp_path / "other", seed=8, scale=0.1).parent
    assert _digest(other) != _digest(demo_small)


def test_files_look_like_a_county_export(demo_small):
    files = sorted(demo_small.glob("events_*.csv"))
    assert [f.name for f in files] == ["events_2023.csv", "events_2024.csv", "events_2025.csv"]
    for f in files:
        with open(f, encoding="utf-8") as fh:
            header = fh.readline().strip().replace('"', "").split(",")
        assert header == HEADERS
    df = pd.read_csv(files[-1], dtype=str, keep_default_na=False)
    stamp = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
    for col in ("上报时间", "受理时间", "派单时间", "办结时间"):
        filled = df[col][df[col] != ""]
        assert filled.str.match(stamp).all(), col
    assert df["事件编号"].str.match(r"^SZ\d{14}$").all()
    assert df["联系电话"].str.match(r"^1[3-9]\d{9}$").all()
    assert df["地址"].str.startswith("嵊州市").all()
    config = (demo_small / "load.toml").read_text("utf-8")
    assert "demo = true" in config and 'as_of = "newest_report"' in config
    assert config.count('crs = "gcj02"') == 3


def test_vocabularies_and_consistency(full):
    assert full["事件编号"].is_unique
    assert set(full["事件类型"]) == CATEGORIES
    assert set(full["来源渠道"]) == CHANNELS
    assert set(full["状态"]) == {"已办结", "处置中", "已受理", "待受理", "无效"}
    assert set(full["处置层级"]) == {"网格", "村(社区)", "乡镇(街道)", "县级部门", ""}
    assert set(full["满意度"]) == {"满意", "基本满意", "不满意", ""}
    assert set(full["是否督办"]) == {"是", "否"}
    closed = full["办结时间"].notna()
    assert (full.loc[closed, "状态"] == "已办结").all()
    assert (full.loc[~closed & (full["状态"] == "已办结")].empty)
    assert (full["办结时间"][closed] >= full["派单时间"][closed]).all()
    assert (full["派单时间"].dropna() >= full["受理时间"][full["派单时间"].notna()]).all()
    assert (full["受理时间"].dropna() >= full["上报时间"][full["受理时间"].notna()]).all()
    assert (full.loc[full["满意度"] != "", "状态"] == "已办结").all()
    invalid = (full["状态"] == "无效").mean()
    assert 0.005 < invalid < 0.02
    # the grid worker who reports is the grid's own worker
    assert full.loc[full["来源渠道"] == "网格员上报", "上报人"].str.len().between(2, 3).all()


def test_volume_and_span(full):
    days = full["上报时间"].dt.normalize().nunique()
    assert days >= 700
    per_year = len(full) / (days / 365.25)
    assert 25_000 <= per_year <= 36_000
    as_of = full["上报时间"].max()
    assert str(as_of).startswith("2025-10-31")
    assert (full["办结时间"].dropna() <= as_of).all()          # nothing closes after as_of


def test_wall_figures_per_metrics_md(full, truth):
    s = summary(full)
    assert 0.955 <= s["handling_rate"] <= 0.99
    assert 0.88 <= s["on_time_rate"] <= 0.965
    assert s["yellow"] > 0 and s["red"] > 0
    assert s["red"] < 150
    assert s["closed_after_as_of"] == 0
    assert str(s["as_of"]) == truth["as_of"]
    by_town = s["on_time_by_township"]
    assert len(by_town) == 15
    assert by_town.max() - by_town.min() > 0.08                  # townships differ
    lag = full.drop_duplicates("所属镇街").set_index("所属镇街")["所属网格"].str[:9]
    lag_names = [n for n, c in lag.items() if c in truth["lagging_townships"]]
    assert by_town[lag_names].max() < by_town.median()
    # stuck cases: open, supervised, mostly in the lagging townships
    stuck = full[full["事件编号"].isin(truth["stuck_event_ids"])]
    assert 20 <= len(stuck) <= 60
    assert stuck["办结时间"].isna().all() and (stuck["是否督办"] == "是").all()
    assert stuck["所属网格"].str[:9].isin(truth["lagging_townships"]).mean() >= 0.7


def test_rhythms_of_a_real_county(full, truth):
    valid = full[full["状态"] != "无效"]
    t = valid["上报时间"]
    by_wd = t.dt.weekday.value_counts()
    assert by_wd[6] < 0.75 * by_wd[[0, 1, 2, 3, 4]].mean()       # fewer on Sunday
    by_hour = t.dt.hour.value_counts()
    assert by_hour[3] < 0.05 * by_hour[10]                         # few at 3 a.m.
    month = t.dt.month
    hazard = valid["事件类型"].isin(["安全隐患", "灾情疫情"])
    summer = (hazard & month.isin([7, 8, 9])).sum() / month.isin([7, 8, 9]).sum()
    spring = (hazard & month.isin([3, 4, 5])).sum() / month.isin([3, 4, 5]).sum()
    assert summer > 1.15 * spring                                  # typhoon season
    sf = pd.Timestamp("2025-01-29")
    disputes = valid[valid["事件类型"] == "矛盾纠纷"]["上报时间"]
    before = disputes.between(sf - pd.Timedelta(days=28), sf - pd.Timedelta(days=1)).sum()
    after = disputes.between(sf + pd.Timedelta(days=14), sf + pd.Timedelta(days=41)).sum()
    assert before > 1.15 * after                                   # disputes before the festival
    first = t < t.min() + pd.Timedelta(days=180)
    last = t > t.max() - pd.Timedelta(days=180)
    citizen = valid["来源渠道"].isin(["我来爆料", "12345热线"])
    assert citizen[last].mean() > citizen[first].mean() + 0.05    # citizen channels grow
    assert (valid["来源渠道"] == "网格员上报").mean() > 0.45       # grid workers report most
    level = valid["处置层级"].value_counts(normalize=True)
    assert level["村(社区)"] > level["乡镇(街道)"] > level["县级部门"] > level["网格"]
    rated = valid["满意度"] != ""
    assert 0.75 < rated[valid["办结时间"].notna()].mean() < 0.95


def _poisson_sf(k: int, lam: float) -> float:
    """P(X >= k) for X ~ Poisson(lam)."""
    return 1.0 - sum(math.exp(-lam) * lam ** i / math.factorial(i) for i in range(k))


def test_planted_hotspots_are_emerging_hotspots(full, truth):
    """metrics.md rule: window 14 days, baseline = mean of the previous 4 windows."""
    as_of = full["上报时间"].max()
    end = as_of.normalize() + pd.Timedelta(days=1)
    valid = full[full["状态"] != "无效"]
    for h in truth["planted_hotspots"]:
        in_grids = valid[valid["所属网格"].isin(h["grid_ids"])]["上报时间"]
        k = int(((in_grids >= end - pd.Timedelta(days=14)) & (in_grids < end)).sum())
        prev = [int(((in_grids >= end - pd.Timedelta(days=14 * (i + 1)))
                     & (in_grids < end - pd.Timedelta(days=14 * i))).sum()) for i in range(1, 5)]
        base = max(float(np.mean(prev)), 0.5)
        assert k >= 5 and _poisson_sf(k, base) < 0.01, (h["name"], k, prev)
        assert h["count"] >= 10


def test_points_lie_in_their_grids(full, demo_full):
    grids = gpd.read_file(demo_full / "grids.gpkg")
    sample = full.sample(5000, random_state=1)
    lon, lat = gcj02_to_wgs84(sample["经度"].to_numpy(float), sample["纬度"].to_numpy(float))
    pts = gpd.GeoDataFrame(sample[["所属网格"]], geometry=gpd.points_from_xy(lon, lat),
                           crs="EPSG:4326")
    joined = gpd.sjoin(pts, grids[["网格编号", "geometry"]], predicate="within", how="left")
    assert (joined["网格编号"] == joined["所属网格"]).mean() > 0.995
    # the raw (GCJ-02) points are visibly off: 300-700 m, as the contract warns
    raw = gpd.points_from_xy(sample["经度"].astype(float), sample["纬度"].astype(float))
    raw_m = gpd.GeoSeries(raw, crs="EPSG:4326").to_crs(LAEA).reset_index(drop=True)
    d = raw_m.distance(pts.to_crs(LAEA).geometry.reset_index(drop=True))
    assert 300 < d.median() < 700


def test_events_are_denser_in_towns(full, demo_full):
    grids = gpd.read_file(demo_full / "grids.gpkg").to_crs(LAEA)
    dens = full.groupby("所属网格").size().reindex(grids["网格编号"]).fillna(0).to_numpy() / (
        grids.area.to_numpy() / 1e6)
    community = grids["村(社区)"].str.endswith("社区").to_numpy()
    assert np.median(dens[community]) > 5 * np.median(dens[~community])


def test_cameras(demo_full):
    cams = pd.read_excel(demo_full / "cameras.xlsx", dtype={"点位编号": str})
    assert list(cams.columns) == ["点位编号", "点位名称", "经度", "纬度", "状态", "类型", "建设单位"]
    assert 1_300 <= len(cams) <= 1_700
    assert cams["点位编号"].is_unique and cams["点位编号"].str.match(r"^\d{20}$").all()
    assert set(cams["类型"]) == {"高清枪机", "球机", "云眼智能", "车载"}
    offline = (cams["状态"] == "离线").mean()
    assert 0.01 < offline < 0.1
    outline = load_reference().outline
    assert shapely.contains_xy(outline, cams["经度"], cams["纬度"]).mean() > 0.99


def test_mediation_table(demo_full, full):
    med = pd.read_excel(demo_full / "mediation.xlsx", dtype={"月份": str})
    assert list(med.columns)[:6] == ["乡镇", "月份", "纠纷类型", "受理数", "调解数", "成功数"]
    towns = {n for _, n in load_reference().townships}
    assert set(med["乡镇"]) == towns
    months = med["月份"].unique()
    assert len(months) == 24 and all(re.fullmatch(r"\d{4}-\d{2}", m) for m in months)
    assert len(med) == 15 * 24 * 10                    # every township x month x type
    assert (med["成功数"] <= med["调解数"]).all() and (med["调解数"] <= med["受理数"]).all()
    per_year = med["受理数"].sum() / 2
    assert 250 <= per_year <= 500                      # "300+ major cases a year"
    rate = med.groupby("乡镇")[["成功数", "调解数"]].sum()
    rate = rate["成功数"] / rate["调解数"]
    assert 0.85 <= rate.median() <= 0.98
    assert med.groupby("乡镇")["受理数"].sum().min() > 0
