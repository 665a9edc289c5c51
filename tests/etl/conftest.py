"""Helpers for ETL tests: write real files into tmp_path, load them with the real ETL into a
real DuckDB file, and read the result back (no mocks)."""
from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from etl.load import run_load

FIX = Path(__file__).parent / "fixtures"
LON0, LAT0, SIZE = 120.80, 29.58, 0.01     # the lattice of fixtures/grids_zh.geojson
EVENT_HEAD = ["事件编号", "上报时间", "事件类型", "经度", "纬度", "所属网格", "办结时间", "状态"]


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return json.dumps(str(v), ensure_ascii=False)


def write_config(folder: Path, sources: list[dict], dataset: dict | None = None,
                 name: str = "load.toml") -> Path:
    """A load config; a source's ``columns`` and ``values`` become sub-tables."""
    lines = []
    if dataset:
        lines.append("[dataset]")
        lines += [f"{k} = {toml_value(v)}" for k, v in dataset.items()]
    for s in sources:
        lines.append("\n[[source]]")
        subs = {k: s[k] for k in ("columns", "values") if k in s}
        lines += [f"{k} = {toml_value(v)}" for k, v in s.items() if k not in subs]
        if "columns" in subs:
            lines.append("[source.columns]")
            lines += [f"{k} = {toml_value(v)}" for k, v in subs["columns"].items()]
        for fld, table in subs.get("values", {}).items():
            lines.append(f"[source.values.{fld}]")
            lines += [f"{toml_value(k)} = {toml_value(v)}" for k, v in table.items()]
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_csv(path: Path, head: list[str], rows: list[list], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(head)
        w.writerows(rows)
    return path


def copy_fixture(name: str, folder: Path) -> Path:
    dst = folder / name
    shutil.copyfile(FIX / name, dst)
    return dst


def q(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def one(db: Path, sql: str, params: list | None = None):
    return q(db, sql, params)[0][0]


def source(report: dict, kind: str, file: str | None = None) -> dict:
    return next(s for s in report["sources"] if s["kind"] == kind
                and (file is None or s["file"] == file))


@pytest.fixture
def county(tmp_path):
    """A folder with the lattice grids copied in, and a loader for extra sources."""
    folder = tmp_path / "src"
    folder.mkdir()
    copy_fixture("grids_zh.geojson", folder)

    class County:
        path = folder
        db = tmp_path / "wall.duckdb"
        grids = {"kind": "grids", "path": "grids_zh.geojson"}

        def load(self, sources: list[dict], settings: Path | None = None,
                 dataset: dict | None = None, with_grids: bool = True, name="load.toml"):
            srcs = ([self.grids] if with_grids else []) + sources
            cfg = write_config(folder, srcs, dataset, name=name)
            return run_load(self.db, cfg, settings_path=settings, progress=False)

        def events(self, rows: list[list], head=EVENT_HEAD, name="events.csv", **src):
            write_csv(folder / name, head, rows, src.pop("encoding", "utf-8"))
            return {"kind": "events", "path": name, **src}

    return County()


def cell(c: int, r: int, fx: float = 0.5, fy: float = 0.5) -> tuple[str, str]:
    """Text lon/lat of a point in lattice cell (c, r)."""
    return (f"{LON0 + (c + fx) * SIZE:.7f}", f"{LAT0 + (r + fy) * SIZE:.7f}")
