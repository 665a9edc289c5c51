"""A picture of a demo folder, drawn from the written files: grids by event density, and a
point-density map with cameras and the planted hotspots. SVG in an HTML page; PNG through a
headless Chromium when one is installed. For looking at the demo, not used by the wall.

    python -m etl.demo.preview SRC_DIR OUT.png
"""
from __future__ import annotations

import html
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from etl.demo.gcj02 import gcj02_to_wgs84

W = 780  # width of one panel, px


class _Frame:
    def __init__(self, bounds):
        self.x0, self.y0, self.x1, self.y1 = bounds
        self.k = np.cos(np.radians((self.y0 + self.y1) / 2))
        self.s = W / ((self.x1 - self.x0) * self.k)
        self.h = int((self.y1 - self.y0) * self.s) + 1

    def xy(self, lon, lat):
        return (np.asarray(lon) - self.x0) * self.k * self.s, (self.y1 - np.asarray(lat)) * self.s

    def path(self, geom) -> str:
        out = []
        for poly in shapely.get_parts(geom):
            for ring in [poly.exterior, *poly.interiors]:
                c = np.asarray(ring.coords)
                x, y = self.xy(c[:, 0], c[:, 1])
                out.append("M" + "L".join(f"{a:.1f},{b:.1f}" for a, b in zip(x, y)) + "Z")
        return "".join(out)


def _colour(t: float) -> str:
    """Dark blue -> teal -> yellow -> red for t in [0, 1]."""
    stops = [(0.0, (20, 40, 90)), (0.35, (20, 130, 150)), (0.7, (240, 210, 60)),
             (1.0, (220, 40, 40))]
    for (a, ca), (b, cb) in zip(stops[:-1], stops[1:]):
        if t <= b:
            f = (t - a) / (b - a) if b > a else 0
            c = [int(ca[i] + (cb[i] - ca[i]) * f) for i in range(3)]
            return f"rgb({c[0]},{c[1]},{c[2]})"
    return "rgb(220,40,40)"


def render_html(src: Path) -> tuple[str, int]:
    """The page, and its height in px."""
    src = Path(src)
    grids = gpd.read_file(src / "grids.gpkg")
    towns = gpd.read_file(src / "townships.geojson")
    ev = pd.concat([pd.read_csv(f, usecols=["经度", "纬度", "所属网格", "上报时间"])
                    for f in sorted(src.glob("events_*.csv"))], ignore_index=True)
    cams = pd.read_excel(src / "cameras.xlsx")
    truth = json.loads((src / "demo_truth.json").read_text("utf-8"))
    fr = _Frame(towns.total_bounds)

    area = grids.to_crs("+proj=laea +lat_0=29.6 +lon_0=120.8").area / 1e6
    counts = ev.groupby("所属网格").size().reindex(grids["网格编号"]).fillna(0).to_numpy()
    years = max(len(pd.to_datetime(ev["上报时间"]).dt.to_period("D").unique()) / 365.25, 1e-9)
    dens = counts / years / area.to_numpy()
    lo, hi = np.log10(max(np.percentile(dens, 2), 0.1)), np.log10(np.percentile(dens, 99.5))
    t = np.clip((np.log10(np.maximum(dens, 0.1)) - lo) / (hi - lo), 0, 1)

    left = [f'<path d="{fr.path(g)}" fill="{_colour(v)}" stroke="#0b1630" stroke-width="0.35"/>'
            for g, v in zip(grids.geometry, t)]
    right = []
    # point density: 300 m cells, log colour
    lon, lat = gcj02_to_wgs84(ev["经度"].to_numpy(), ev["纬度"].to_numpy())
    px, py = fr.xy(lon, lat)
    cell = max(300 / 111_000 * fr.s, 2.0)
    ix, iy = (px // cell).astype(int), (py // cell).astype(int)
    key, n = np.unique(np.column_stack([ix, iy]), axis=0, return_counts=True)
    top = np.log10(np.percentile(n, 99.7))
    for (i, j), k in zip(key, n):
        v = min(np.log10(k) / top, 1.0)
        right.append(f'<rect x="{i * cell:.1f}" y="{j * cell:.1f}" width="{cell:.1f}" '
                     f'height="{cell:.1f}" fill="{_colour(v)}" fill-opacity="{0.35 + 0.65 * v:.2f}"/>')
    for g in towns.geometry:
        d = fr.path(g)
        left.append(f'<path d="{d}" fill="none" stroke="#e8eefc" stroke-width="1.6"/>')
        right.append(f'<path d="{d}" fill="none" stroke="#8ea3cf" stroke-width="1.0"/>')
    cx, cy = fr.xy(cams["经度"].to_numpy(), cams["纬度"].to_numpy())
    for x, y, s in zip(cx, cy, cams["状态"]):
        col = "#ff4d4f" if s == "离线" else "#7CFC9A"
        right.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{2.2 if s == "离线" else 1.1}" '
                     f'fill="{col}"/>')
    for h in truth["planted_hotspots"]:
        x, y = fr.xy(h["lon"], h["lat"])
        for panel in (left, right):
            panel.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="14" fill="none" '
                         f'stroke="#ffffff" stroke-width="2" stroke-dasharray="4,3"/>')
        right.append(f'<text x="{x + 16:.1f}" y="{y + 4:.1f}" fill="#fff" font-size="12">'
                     f'{html.escape(h["name"])}</text>')
    for r in towns.itertuples():
        p = r.geometry.representative_point()
        x, y = fr.xy(p.x, p.y)
        left.append(f'<text x="{x:.1f}" y="{y:.1f}" fill="#fff" font-size="13" '
                    f'text-anchor="middle" stroke="#000" stroke-width="0.4">'
                    f'{html.escape(r.镇街名称)}</text>')
    legend = "".join(f'<rect x="{20 + i * 18}" y="0" width="18" height="10" fill="{_colour(i / 9)}"/>'
                     for i in range(10))
    c = truth["counts"]
    title = (f"嵊州市 演示数据 · {c['grids']} 个网格 · {c['events']:,} 件事件 "
             f"({truth['first_day']} – {truth['last_day']}) · {c['cameras']} 个视频点位 · "
             f"数据截至 {truth['as_of']}")

    def svg(body, caption):
        return (f'<figure><svg width="{W}" height="{fr.h}" style="background:#081226">'
                f'{"".join(body)}</svg><figcaption>{caption}</figcaption></figure>')

    return (
        '<!doctype html><html><head><meta charset="utf-8"><style>'
        'body{margin:0;background:#050b18;color:#dfe8ff;font-family:sans-serif}'
        'h1{font-size:18px;margin:10px 16px}figure{display:inline-block;margin:4px 8px}'
        'figcaption{font-size:13px;margin-top:4px}</style></head><body>'
        f"<h1>{html.escape(title)}</h1>"
        + svg(left, "网格事件密度（件/km²·年，对数色阶；粗线为镇街界）"
                    f'<svg width="220" height="12">{legend}</svg> 低 → 高')
        + svg(right, "事件点密度（300 m 格，对数）；绿点 在线视频，红点 离线；虚线圈 预置热点")
        + "</body></html>", fr.h + 90)


def render_png(src: Path, png: Path) -> Path:
    """Write ``png`` (and the HTML beside it); needs a chromium on PATH or /usr/bin."""
    page, height = render_html(src)
    png = Path(png)
    html_path = png.with_suffix(".html")
    html_path.write_text(page, encoding="utf-8")
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
    with tempfile.TemporaryDirectory() as prof:
        subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu",
                        f"--user-data-dir={prof}", f"--screenshot={png}",
                        f"--window-size={2 * W + 48},{height}",
                        html_path.resolve().as_uri()],
                       check=True, capture_output=True, timeout=120)
    return png


if __name__ == "__main__":
    print(render_png(Path(sys.argv[1]), Path(sys.argv[2])))
