"""The real reference data the demo is built on (data/demo/, see its README for provenance)."""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "demo"
COUNTY_CODE = "330683"
COUNTY_NAME = "嵊州市"


@dataclass(frozen=True)
class Village:
    code: str          # 12-digit statistical code
    name: str          # display name: 村委会 -> 村, 居委会 -> 社区
    raw_name: str      # as published (e.g. 里坂村委会)
    township_code: str
    is_community: bool  # 社区 / 居委会: urban


@dataclass(frozen=True)
class Reference:
    outline: BaseGeometry                 # WGS84 county outline
    townships: list[tuple[str, str]]      # (9-digit code, name), in code order
    villages: list[Village]


def display_name(raw: str) -> str:
    """'里坂村委会' -> '里坂村', '章村路居委会' -> '章村路社区'; others unchanged."""
    if raw.endswith("村委会"):
        return raw[: -len("委会")]
    if raw.endswith("居委会"):
        return raw[: -len("居委会")] + "社区"
    return raw


def load_reference(data_dir: Path = DATA_DIR) -> Reference:
    """Read the outline, the 15 townships and the 304 villages of 嵊州市."""
    fc = json.loads((data_dir / "shengzhou_330683_outline_wgs84.geojson").read_text("utf-8"))
    outline = shape(fc["features"][0]["geometry"])
    with open(data_dir / "townships_330683.csv", encoding="utf-8") as f:
        towns = [(r["code"], r["name"]) for r in csv.DictReader(f)]
    with open(data_dir / "villages_330683.csv", encoding="utf-8") as f:
        vills = [
            Village(r["code"], display_name(r["name"]), r["name"], r["township_code"],
                    r["name"].endswith(("社区", "居委会")))
            for r in csv.DictReader(f)
        ]
    return Reference(outline=outline, townships=towns, villages=vills)
