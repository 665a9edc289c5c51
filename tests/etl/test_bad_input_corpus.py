"""A corpus of bad inputs, each loaded by the CLI's own code (``etl.__main__.main``, as
``python -m etl load`` runs it) into a copy of a real DuckDB file that already holds a good
load: each is one clear line on stderr (exit 2, the database byte for byte unchanged) or
named rejects with ``rows_read = new + updated + unchanged + duplicates + rejected``; never
a traceback, never a silent wrong figure."""
from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import re
import shutil
import struct
import subprocess
import sys
import warnings
import zipfile
import zlib
from pathlib import Path

import pytest

from etl.__main__ import main
from tests.etl.conftest import EVENT_HEAD, FIX, cell, q, write_config, write_csv

ROOT = Path(__file__).resolve().parents[2]
LON, LAT = cell(1, 1)
MED_HEAD = ["乡镇", "月份", "纠纷类型", "受理数", "调解数", "成功数"]


@pytest.fixture(scope="module")
def base_db(tmp_path_factory) -> Path:
    """A database after a good load: the lattice grids and one event."""
    folder = tmp_path_factory.mktemp("base")
    shutil.copyfile(FIX / "grids_zh.geojson", folder / "grids_zh.geojson")
    write_csv(folder / "e0.csv", EVENT_HEAD,
              [["B1", "2024-03-01 09:00:00", "环境卫生", *cell(0, 0), "", "", ""]])
    cfg = write_config(folder, [{"kind": "grids", "path": "grids_zh.geojson"},
                                {"kind": "events", "path": "e0.csv"}])
    db = folder / "wall.duckdb"
    assert main(["load", "--quiet", "--db", str(db), "--config", str(cfg)]) == 0
    return db


def load(base: Path, folder: Path, sources: list[dict]):
    """Run ``python -m etl load`` (in process) on a copy of ``base``: (exit code, stderr,
    report or None); a failed load must leave the copy byte for byte as it was."""
    db = folder / "wall.duckdb"
    shutil.copyfile(base, db)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    cfg = write_config(folder, sources)
    rep = folder / "run.json"
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out), \
            warnings.catch_warnings():
        cli_warnings()
        code = main(["load", "--quiet", "--db", str(db), "--config", str(cfg),
                     "--report", str(rep)])
    stderr = err.getvalue()
    assert "Traceback" not in stderr
    if code == 0:
        assert stderr == "", stderr
    if code != 0:
        assert code == 2 and stderr.count("\n") == 1, stderr
        assert hashlib.sha256(db.read_bytes()).hexdigest() == before
        return code, stderr.strip(), None
    report = json.loads(rep.read_text(encoding="utf-8"))
    for s in report["sources"]:
        assert s["rows_read"] == (s["new"] + s["updated"] + s["unchanged"] + s["duplicates"]
                                  + s["rejected"]), s
    return code, stderr, report


def cli_warnings() -> None:
    """Warnings as ``python -m etl`` shows them (Python's default filters, printed on
    stderr), not as pytest collects them: a library's warning is lines on the CLI's
    stderr."""
    warnings.resetwarnings()
    for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning,
                     ResourceWarning):
        warnings.simplefilter("ignore", category)
    warnings.simplefilter("default")
    warnings.simplefilter("ignore", DeprecationWarning)
    warnings.showwarning = lambda msg, cat, filename, lineno, file=None, line=None: \
        sys.stderr.write(warnings.formatwarning(msg, cat, filename, lineno, line))


def csv_bytes(head, rows, encoding="utf-8", newline="\n") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=newline).writerows([head, *rows])
    return buf.getvalue().encode(encoding)


def ev(i, t="2024-03-05 10:00:00", cat="环境卫生", lon=LON, lat=LAT, closed=""):
    return [f"E{i}", t, cat, lon, lat, "", closed, ""]


GOOD = [ev(i) for i in range(3)]


def events_file(data: bytes, name="e.csv", **src):
    def build(d: Path):
        (d / name).write_bytes(data)
        return [{"kind": "events", "path": name, **src}]
    return build


def events_rows(rows, head=EVENT_HEAD, **src):
    return events_file(csv_bytes(head, rows), **src)


def workbook(sheets: dict[str, list[list]], name="e.xlsx", kind="events", merge=()):
    def build(d: Path):
        import openpyxl

        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for title, rows in sheets.items():
            ws = wb.create_sheet(title)
            for r in rows:
                ws.append(r)
            for rng in merge:
                ws.merge_cells(rng)
        wb.save(d / name)
        return [{"kind": kind, "path": name}]
    return build


def geojson(features, name="g.geojson", text=None):
    def build(d: Path):
        (d / name).write_text(text if text is not None else json.dumps(
            {"type": "FeatureCollection", "features": features}), encoding="utf-8")
        return [{"kind": "grids", "path": name}]
    return build


def grid(gid, geometry):
    return {"type": "Feature", "geometry": geometry,
            "properties": {"网格编号": gid, "网格名称": gid, "所属镇街": "甘霖镇"}}


def square(x0=120.85, y0=29.58, s=0.01):
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x0 + s, y0], [x0 + s, y0 + s],
                                                [x0, y0 + s], [x0, y0]]]}


def _shapefile_parts(d: Path) -> dict[str, bytes]:
    import geopandas as gpd

    shp = d / "shp"
    shp.mkdir()
    gpd.read_file(FIX / "grids_zh.geojson").to_file(shp / "grids.shp", encoding="GBK")
    return {p.name: p.read_bytes() for p in shp.iterdir()}


def shapefile_zip(edit):
    """A zipped Shapefile of the lattice grids (GBK, with its .cpg), members edited."""
    def build(d: Path):
        members = edit(_shapefile_parts(d))
        with zipfile.ZipFile(d / "g.zip", "w", zipfile.ZIP_DEFLATED) as z:
            for n, data in members.items():
                z.writestr(n, data)
        return [{"kind": "grids", "path": "g.zip"}]
    return build


def _forge_size(d: Path, member: str, size: int) -> None:
    """Rewrite the central directory's uncompressed size of ``member`` (a zip that claims
    to expand far past what it holds: a bomb, without writing gigabytes in a test)."""
    path = d / "g.zip"
    data = bytearray(path.read_bytes())
    name = member.encode()
    i = data.find(b"PK\x01\x02")
    while i >= 0:
        n = struct.unpack_from("<H", data, i + 28)[0]
        if bytes(data[i + 46:i + 46 + n]) == name:
            struct.pack_into("<I", data, i + 24, size)
        i = data.find(b"PK\x01\x02", i + 4)
    path.write_bytes(bytes(data))


def zip_bomb(d: Path):
    src = shapefile_zip(lambda m: m)(d)
    _forge_size(d, "grids.shp", 0xFFFFFFF0)
    _forge_size(d, "grids.dbf", 0xFFFFFFF0)
    return src


def _measured(m: dict[str, bytes], z: float | None = None) -> dict[str, bytes]:
    """The Shapefile's Polygon records (type 5) as PolygonM (25), or PolygonZ (15) with
    ``z``, M the vertex number: what a GPS survey or a CAD export writes."""
    stype, recs, pos, shp = (25 if z is None else 15), [], 100, m["grids.shp"]
    while pos < len(shp):
        clen = struct.unpack_from(">i", shp, pos + 4)[0] * 2
        content = shp[pos + 8:pos + 8 + clen]
        pos += 8 + clen
        n = struct.unpack_from("<i", content, 40)[0]
        extra = b"" if z is None else struct.pack(f"<{n + 2}d", z, z, *[z] * n)
        extra += struct.pack(f"<{n + 2}d", 0.0, n - 1.0, *map(float, range(n)))
        recs.append(struct.pack("<i", stype) + content[4:] + extra)
    body, index, off = b"", b"", 50
    for i, c in enumerate(recs):
        body += struct.pack(">ii", i + 1, len(c) // 2) + c
        index += struct.pack(">ii", off, len(c) // 2)
        off += 4 + len(c) // 2
    out = dict(m)
    for ext, data in ((".shp", body), (".shx", index)):
        head = bytearray(m["grids" + ext][:100])
        struct.pack_into(">i", head, 24, (100 + len(data)) // 2)
        struct.pack_into("<i", head, 32, stype)
        out["grids" + ext] = bytes(head) + data
    return out


def layer_file(name: str, crs="EPSG:4326", z: float | None = None, kind="grids"):
    """The lattice grids written by GDAL (pyogrio) as ``name``, in ``crs``, with ``z``."""
    def build(d: Path):
        import geopandas as gpd
        import shapely

        g = gpd.read_file(FIX / "grids_zh.geojson").to_crs(crs)
        if z is not None:
            g = g.set_geometry(shapely.force_3d(g.geometry.values, z))
        g.to_file(d / name)
        return [{"kind": kind, "path": name}]
    return build


def _deflated(data: bytes, zeros_mb: int = 0) -> bytes:
    """A raw deflate stream of ``data`` then ``zeros_mb`` MiB of zeros, made without
    compressing gigabytes: after a full flush the compressor starts afresh, so every MiB of
    zeros deflates to the same bytes."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(data) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(bytes(1 << 20)) + c.flush(zlib.Z_FULL_FLUSH)
    return head + block * zeros_mb + c.flush()


def lying_zip(declared=lambda name, size: size, padded=(), stored=(), damaged=(),
              stem="grids", **src):
    """The lattice Shapefile zipped by hand: each member's headers declare
    ``declared(name, real size)`` bytes; a member in ``padded`` ({name: MiB}) really unpacks
    to its bytes followed by that many MiB of zeros; one in ``stored`` is not compressed,
    one in ``damaged`` has a byte changed after its CRC was taken. Members are named
    ``stem``.shp …, in GBK without the UTF-8 flag (as Windows Explorer zips them)."""
    def build(d: Path):
        body, central = b"", b""
        for name, data in _shapefile_parts(d).items():
            crc = zlib.crc32(data)
            if name in damaged:
                at = data.index("网格".encode("gbk"))
                data = data[:at] + b"X" + data[at + 1:]
            method = 0 if name in stored else 8
            raw = data if method == 0 else _deflated(data, padded.get(name, 0) if padded else 0)
            n = (stem + name.removeprefix("grids")).encode("gbk")
            off, size = len(body), declared(name, len(data))
            body += struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc,
                                len(raw), size, len(n), 0) + n + raw
            central += struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21,
                                   crc, len(raw), size, len(n), 0, 0, 0, 0, 0, off) + n
        k = body.count(b"PK\x03\x04")
        (d / "g.zip").write_bytes(body + central + struct.pack(
            "<4s4H2IH", b"PK\x05\x06", 0, 0, k, k, len(central), len(body), 0))
        return [{"kind": "grids", "path": "g.zip", **src}]
    return build


def _code_dbf(m: dict[str, bytes], width=20, decimals=0) -> dict[str, bytes]:
    """The lattice's DBF written again with 18-digit grid codes (33068300100100000N) in a
    numeric field N(width, decimals), as ArcGIS exports a code column typed as a number."""
    fc = json.loads((FIX / "grids_zh.geojson").read_text(encoding="utf-8"))
    fields = [("网格编号", "N", width, decimals), ("网格名称", "C", 40, 0), ("所属镇街", "C", 20, 0)]
    rows = [[f"33068300100100000{i}" + ("." + "0" * decimals if decimals else ""),
             f["properties"]["网格名称"], f["properties"]["所属镇街"]]
            for i, f in enumerate(fc["features"])]
    head = struct.pack("<4BIHH20x", 3, 124, 1, 1, len(rows), 33 + 32 * len(fields),
                       1 + sum(f[2] for f in fields))
    for name, kind, w, dec in fields:
        head += name.encode("gbk").ljust(11, b"\0") + kind.encode() + bytes(4) + \
            bytes([w, dec]) + bytes(14)
    body = b"".join(b" " + b"".join(
        v.encode("gbk").rjust(f[2]) if f[1] == "N" else v.encode("gbk").ljust(f[2])
        for f, v in zip(fields, r)) for r in rows)
    return {**m, "grids.dbf": head + b"\r" + body + b"\x1a"}


def projected_zip(in_crs: str, prj: bool = True, **src):
    """The lattice grids as a zipped Shapefile (GBK) in ``in_crs``, with or without its
    .prj."""
    def build(d: Path):
        import geopandas as gpd

        shp = d / "shp"
        shp.mkdir()
        gpd.read_file(FIX / "grids_zh.geojson").to_crs(in_crs).to_file(
            shp / "grids.shp", encoding="GBK")
        with zipfile.ZipFile(d / "g.zip", "w", zipfile.ZIP_DEFLATED) as z:
            for part in shp.iterdir():
                if prj or part.suffix != ".prj":
                    z.write(part, part.name)
        return [{"kind": "grids", "path": "g.zip", **src}]
    return build


def crs_member(name: str):
    """The lattice grids as GeoJSON with an old-style (2008) ``crs`` member."""
    fc = json.loads((FIX / "grids_zh.geojson").read_text(encoding="utf-8"))
    fc["crs"] = {"type": "name", "properties": {"name": name}}
    return geojson(None, text=json.dumps(fc, ensure_ascii=False))


def utf8_dbf_zip(cpg: bytes | None = None, **src):
    """Grids whose DBF is UTF-8 (ASCII headers, Chinese names), zipped with ``cpg`` as its
    .cpg (none if None), the headers mapped in the config."""
    def build(d: Path):
        import geopandas as gpd

        g = gpd.read_file(FIX / "grids_zh.geojson")
        g = gpd.GeoDataFrame({"CODE": g["网格编号"], "NAME": g["网格名称"], "TOWN": g["所属镇街"]},
                             geometry=g.geometry, crs=g.crs)
        shp = d / "shp"
        shp.mkdir()
        g.to_file(shp / "grids.shp", encoding="UTF-8")
        with zipfile.ZipFile(d / "g.zip", "w", zipfile.ZIP_DEFLATED) as z:
            for part in shp.iterdir():
                if part.suffix != ".cpg":
                    z.write(part, part.name)
            if cpg is not None:
                z.writestr("grids.cpg", cpg)
        return [{"kind": "grids", "path": "g.zip", "columns": {
            "grid_id": "CODE", "grid_name": "NAME", "township": "TOWN"}, **src}]
    return build


def cut_names_zip(rename: dict[str, str] | None = None, cpg: bool = True, **src):
    """The lattice grids as a zipped UTF-8 Shapefile written by GDAL, whose Chinese field
    names of 4 characters (12 bytes) GDAL cut at 10 bytes, inside a character (网格编号 ->
    '网格编' and one byte of '号'); ``rename`` renames columns before writing."""
    def build(d: Path):
        import geopandas as gpd

        g = gpd.read_file(FIX / "grids_zh.geojson").rename(columns=rename or {})
        shp = d / "shp"
        shp.mkdir()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")     # GDAL says it truncates the names
            g.to_file(shp / "grids.shp", encoding="UTF-8")
        with zipfile.ZipFile(d / "g.zip", "w", zipfile.ZIP_DEFLATED) as z:
            for part in shp.iterdir():
                if cpg or part.suffix != ".cpg":
                    z.write(part, part.name)
        return [{"kind": "grids", "path": "g.zip", **src}]
    return build


def folder_as(name, kind):
    def build(d: Path):
        (d / name).mkdir()
        return [{"kind": kind, "path": name}]
    return build


def config_only(src: dict, rows=GOOD):
    def build(d: Path):
        write_csv(d / "e.csv", EVENT_HEAD, rows)
        return [{"kind": "events", "path": "e.csv", **src}]
    return build


def gpkg_layers(names, layer=None, points=False, table=False):
    """The lattice grids in a GeoPackage as each of ``names``, with a layer of their
    centroids (点位) and an attribute table (说明, no geometry) if asked."""
    def build(d: Path):
        import geopandas as gpd
        import pandas as pd
        import pyogrio

        g = gpd.read_file(FIX / "grids_zh.geojson")
        for n in names:
            g.to_file(d / "g.gpkg", layer=n, driver="GPKG")
        if points:
            g.set_geometry(g.geometry.representative_point()).to_file(
                d / "g.gpkg", layer="点位", driver="GPKG")
        if table:
            pyogrio.write_dataframe(pd.DataFrame({"说明": ["网格图层"]}), d / "g.gpkg",
                                    layer="说明", driver="GPKG")
        return [{"kind": "grids", "path": "g.gpkg", **({"layer": layer} if layer else {})}]
    return build


def _projected(lon, lat, crs: str) -> tuple[str, str]:
    """Text x/y of a lon/lat point in ``crs`` (metres or feet)."""
    import pyproj

    x, y = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(
        float(lon), float(lat))
    return f"{x:.2f}", f"{y:.2f}"


XY_HEAD = [("X坐标" if h == "经度" else "Y坐标" if h == "纬度" else h) for h in EVENT_HEAD]
GK40 = _projected(LON, LAT, "EPSG:4528")     # CGCS2000 GK zone 40: easting 40,5xx,xxx
GK120 = _projected(LON, LAT, "EPSG:4549")    # CGCS2000 GK CM 120E: easting 5xx,xxx


def _cameras_at(lon, lat, rows=25, **src):
    def build(d: Path):
        write_csv(d / "c.csv", ["点位编号", "经度", "纬度", "状态"],
                  [[f"C{i}", lon, lat, "在线"] for i in range(rows)])
        return [{"kind": "cameras", "path": "c.csv", **src}]
    return build


def _gbk_without_cpg(m):
    return {k: v for k, v in m.items() if not k.endswith(".cpg")}


# --- inputs that must stop the load with one clear line ------------------------------
# (case, builder, the message after "导入失败 load stopped: "); * = was unclear or silent
STOPS = [
    ("utf16le_without_bom", events_file(csv_bytes(EVENT_HEAD, GOOD, "utf-16-le")),
     r"e\.csv: not a text file: .*UTF-16 text without a byte-order mark"),
    ("empty_file", events_file(b""), r"e\.csv: the file is empty or its first line is blank"),
    ("whitespace_only", events_file(b"  \n\t\n \r\n"), r"e\.csv: the file is empty"),
    ("bom_only", events_file(b"\xef\xbb\xbf"), r"e\.csv: the file is empty"),
    ("nul_inside_a_row", events_file(csv_bytes(EVENT_HEAD, GOOD).replace(b"E1,", b"E\x001,")),
     r"e\.csv: not a text file: .*NUL bytes"),
    ("declared_utf8_on_gbk", events_file(csv_bytes(EVENT_HEAD, GOOD, "gbk"), encoding="utf-8"),
     r"e\.csv: not valid utf-8 text at byte 0 \(wrong encoding\?\)"),
    ("*unbalanced_quote", events_file(csv_bytes(EVENT_HEAD, GOOD).replace(b"E1,", b'"E1,')),
     r"e\.csv: row 2: a quote opened and never closed runs over the lines after it"),
    ("*big5_without_declared_encoding",
     events_file(csv_bytes(["事件編號", "上報時間", "事件類型", "經度", "緯度"],
                           [[f"E{i}", "2024-03-05", "環境衛生", LON, LAT] for i in range(3)],
                           "big5")),
     r"e\.csv: read as GB18030 the text is garbled \('ㄆン絪腹.*it reads as Big5 "
     r"\('事件編號,上報時間"),
    ("*nearly_every_row_the_wrong_length",
     events_file((",".join(EVENT_HEAD) + "\n" + "".join(";".join(ev(i)) + "\n"
                                                      for i in range(30))).encode()),
     r"e\.csv: 30 of 30 rows do not have the header's 8 fields \(e\.g\. row 1: 1 fields\)"),
    ("*row_longer_than_a_block", events_rows([r + ["x" * 6_000_000] for r in GOOD],
                                             head=EVENT_HEAD + ["事件描述"]),
     r"e\.csv: not a readable CSV file: a row is longer than 4 MB \(a quote opened"),
    ("*repeated_header_for_a_used_field",
     events_rows([r + ["矛盾纠纷"] for r in GOOD], head=EVENT_HEAD + ["事件类型"]),
     (r"e\.csv: header '事件类型' appears 2 times \(columns 3, 9\), so which one is category "
     r"cannot be told")),
    ("time_column_never_readable", events_rows([ev(i, t="不详") for i in range(25)]),
     r"e\.csv: 25 of 25 reported_at values are not times \(e\.g\. '不详'\)"),
    ("*lon_lat_swapped_in_every_row", events_rows([ev(i, lon=LAT, lat=LON) for i in range(25)]),
     r"e\.csv: 25 of 25 points have a latitude past ±90 .*look swapped; map lon and lat"),
    ("*xlsx_table_on_the_second_sheet",
     workbook({"说明": [["本表为事件台账"]], "事件": [EVENT_HEAD, *GOOD]}),
     (r"e\.xlsx: missing required column\(s\) event_id .*headers are: 本表为事件台账; sheet "
     r"'说明' was read, the workbook's other sheets are 事件: name one with sheet = ")),
    ("*xlsx_first_sheet_empty", workbook({"空": [], "事件": [EVENT_HEAD, *GOOD]}),
     r"e\.xlsx: sheet '空' is empty; .*other sheets are 事件"),
    ("*mediation_xlsx_on_the_second_sheet",
     workbook({"说明": [["说明"]], "调解": [MED_HEAD, ["甘霖镇", "2024-01", "邻里纠纷", 5, 4, 3]]},
              name="m.xlsx", kind="mediation"),
     r"m\.xlsx: missing required column\(s\) township .*other sheets are 调解"),
    ("*xlsx_empty_workbook", workbook({"Sheet": []}), r"e\.xlsx: sheet 'Sheet' is empty$"),
    ("old_xls", events_file(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, name="e.xls"),
     r"e\.xls: old \.xls workbooks are not supported; save it as \.xlsx or CSV"),
    ("xlsx_that_is_a_csv", events_file(csv_bytes(EVENT_HEAD, GOOD), name="e.xlsx"),
     r"e\.xlsx: not a readable XLSX workbook \(File is not a zip file\)"),
    ("xlsx_zip_without_a_workbook",
     events_file(b"PK\x05\x06" + b"\0" * 18, name="e.xlsx"),
     r"e\.xlsx: not a readable XLSX workbook"),
    ("*swapped_lat_lon_layer", geojson([grid("S1", {"type": "Polygon", "coordinates": [[
        [29.58, 120.85], [29.58, 120.86], [29.59, 120.86], [29.59, 120.85], [29.58, 120.85]]]})]),
     (r"g\.geojson: coordinates x 29\.5800 … 29\.5900, y 120\.8500 … 120\.8600: y is past ±90, "
     r"so the layer holds latitude/longitude the wrong way round")),
    ("*layer_with_no_features", geojson([]), r"g\.geojson: the layer holds no features"),
    ("invalid_json", geojson(None, text='{"type": "FeatureCollection", "features": ['),
     r"g\.geojson: not a readable geojson file \(.*Unterminated array"),
    ("*zip_without_a_shp", shapefile_zip(lambda m: {"readme.txt": b"hi"}),
     r"g\.zip: the zip holds no \.shp file \(it holds readme\.txt\)"),
    ("*zip_shp_without_shx", shapefile_zip(
        lambda m: {k: v for k, v in m.items() if not k.endswith(".shx")}),
     r"g\.zip: grids\.shp comes without its \.shx"),
    ("*zip_shp_without_dbf", shapefile_zip(
        lambda m: {k: v for k, v in m.items() if not k.endswith(".dbf")}),
     r"g\.zip: grids\.shp comes without its \.dbf"),
    ("*zip_with_path_traversal", shapefile_zip(lambda m: {"../../x/" + k: v for k, v in m.items()}),
     r"g\.zip: the zip holds an unsafe path '\.\./\.\./x/grids\.\w+' \(outside the archive\)"),
    ("*zip_with_a_huge_prj", shapefile_zip(lambda m: {**m, "grids.prj": b" " * (2 << 20)}),
     r"g\.zip: grids\.prj expands to 2,097,152 bytes \(a \.prj / \.cpg is one line of text"),
    ("*zip_bomb", zip_bomb, r"g\.zip: the zip expands to [\d,]+ bytes, more than 2,147,483,648"),
    # headers that understate the sizes: GDAL's /vsizip/ reads the real stream, so the
    # cap is on the bytes the members really unpack to (2 GiB of zeros in a 2 MB zip)
    ("*zip_bomb_understating_its_sizes", lying_zip(padded={"grids.shp": 2100}),
     r"g\.zip: the zip expands to [\d,]+ bytes, more than 2,147,483,648 \(a zip bomb"),
    ("*zip_prj_understating_its_size", lying_zip(padded={"grids.prj": 3},
                                                 declared=lambda name, size: 1),
     r"g\.zip: grids\.prj expands to [\d,]+ bytes \(a \.prj / \.cpg is one line of text"),
    ("*zip_member_damaged", lying_zip(stored=("grids.dbf",), damaged=("grids.dbf",)),
     r"g\.zip: grids\.dbf is damaged in the zip \(its CRC-32 does not match its content\)"),
    ("*gbk_dbf_without_cpg", shapefile_zip(_gbk_without_cpg),
     (r"g\.zip: the DBF text reads as Latin-1 \('Íø¸ñ±àºÅ'\); it is GBK \('网格编号'\) and the "
     r"layer has no \.cpg: declare encoding = \"gbk\"")),
    ("*shapefile_polygon_m_with_a_bad_mapping", lambda d: [
        {**shapefile_zip(_measured)(d)[0], "columns": {"grid_name": "名称"}}],
     r"g\.zip: column '名称' \(mapped to grid_name\) is not in the file"),
    # a code column typed as a number: past 2^53 its last digits are lost (Excel shows
    # 3.30683E+17); a silent wrong code would mislabel every event of the grid
    ("*grid_codes_typed_float_lose_digits", geojson([
        {**grid("x", square(120.85 + i / 100)), "properties": {
            "网格编号": 330683001001000000.0 + i, "网格名称": f"第{i}网格", "所属镇街": "甘霖镇"}}
        for i in range(3)]),
     r"g\.geojson: 网格编号 \(grid_id\) holds 3\.30683001001e\+17 \(3 of 3 rows\): a number "
     r"in scientific notation, its last digits lost"),
    ("*grid_codes_in_scientific_notation_text", geojson([
        {**grid("3.30683E+17", square(120.85 + i / 100)), "properties": {
            "网格编号": "3.30683E+17", "网格名称": f"第{i}网格", "所属镇街": "甘霖镇"}}
        for i in range(2)]),
     r"g\.geojson: 网格编号 \(grid_id\) holds 3\.30683E\+17 \(2 of 2 rows\)"),
    ("*grid_township_codes_typed_float", geojson([
        {**grid("F1", square()), "properties": {
            "网格编号": "F1", "网格名称": "一", "镇街编码": 330683100000000001.0}}]),
     r"g\.geojson: 镇街编码 \(township_code\) holds 3\.306831e\+17 \(1 of 1 rows\)"),
    ("*dbf_codes_typed_double", shapefile_zip(lambda m: _code_dbf(m, 31, 10)),
     r"g\.zip: 网格编号 \(grid_id\) holds 3\.30683001001e\+17 \(9 of 9 rows\)"),
    # CGCS2000 Gauss-Krüger metres: without a .prj the easting's zone number names the CRS
    ("*shapefile_without_prj_in_a_zoned_gauss_kruger_crs", projected_zip("EPSG:4528", False),
     r"g\.zip: coordinates x 40,[\d,.]+ … 40,[\d,.]+, y [\d,.]+ … [\d,.]+ are not "
     r"longitude/latitude \(no CRS declared\): .*crs = \"EPSG:4528\" \(CGCS2000 / 3-degree "
     r"Gauss-Kruger zone 40, CM 120E"),
    ("shapefile_without_prj_in_gauss_kruger_metres", projected_zip("EPSG:4549", False),
     r"g\.zip: coordinates x 5[\d,.]+ … 5[\d,.]+, y 3,[\d,.]+ … 3,[\d,.]+ are not "
     r"longitude/latitude \(no CRS declared\): .*e\.g\. crs = \"EPSG:4549\""),
    ("*shapefile_declared_in_the_wrong_gauss_kruger_zone",
     projected_zip("EPSG:4528", False, crs="EPSG:4549"),
     r"g\.zip: coordinates x 40,[\d,.]+ … 40,[\d,.]+ do not convert from EPSG:4549 to "
     r"longitude/latitude \(9 of 9 shapes\): the layer is in another CRS; crs = \"EPSG:4528\""),
    ("*degrees_declared_in_a_projected_crs", projected_zip("EPSG:4490", False, crs="EPSG:4549"),
     r"g\.zip: coordinates x 120\.8000 … 120\.8300, y 29\.5800 … 29\.6100 are "
     r"longitude/latitude, but the layer is declared as EPSG:4549, a projected CRS in metres"),
    ("*utf8_dbf_without_cpg", utf8_dbf_zip(),
     (r"g\.zip: the DBF text reads as Latin-1 \('.+'\); it is UTF-8 \('甘霖1村第1网格'\) "
      r"and the layer has no \.cpg: declare encoding = \"utf-8\"")),
    ("*gbk_dbf_with_a_cpg_naming_no_encoding", shapefile_zip(
        lambda m: {**m, "grids.cpg": b"ANSI 9999"}),
     (r"g\.zip: the DBF text reads as Latin-1 \('Íø¸ñ±àºÅ'\); it is GBK \('网格编号'\) and the "
      r"layer has a \.cpg saying 'ANSI 9999': declare encoding = \"gbk\"")),
    ("*xlsx_event_ids_of_18_digits_typed_as_numbers", workbook({"事件": [EVENT_HEAD, *[
        [202403050000000001.0 + 7 * i, "2024-03-05 10:00:00", "环境卫生", float(LON), float(LAT),
         "", "", ""] for i in range(3)]]}),
     r"e\.xlsx: 事件编号 \(event_id\) holds 2\.0240305e\+17 \(3 of 3 rows\): a number in "
     r"scientific notation, its last digits lost"),
    ("*csv_grid_ids_saved_by_excel_in_scientific_notation",
     events_rows([["E1", "2024-03-05", "环境卫生", "", "", "3.30683E+17", "", ""]]),
     r"e\.csv: 所属网格 \(grid_id\) holds 3\.30683E\+17 \(1 of 1 rows\)"),
    ("*camera_ids_saved_by_excel_in_scientific_notation", lambda d: [{**events_rows(
        [["3.30683E+19", LON, LAT]], head=["点位编号", "经度", "纬度"], name="c.csv")(d)[0],
        "kind": "cameras"}],
     r"c\.csv: 点位编号 \(camera_id\) holds 3\.30683E\+19 \(1 of 1 rows\)"),
    ("geopackage_with_two_layers", gpkg_layers(["网格", "旧网格"]),
     r"g\.gpkg: the file has several layers \(网格, 旧网格\); name one with layer"),
    ("*geopackage_layer_not_there", gpkg_layers(["网格", "旧网格"], layer="没有"),
     r"g\.gpkg: the file has no layer '没有'; its layers are 网格, 旧网格: name one with "
     r"layer = "),
    ("*zipped_shapefile_layer_not_there", lambda d: [
        {**shapefile_zip(lambda m: m)(d)[0], "layer": "网格"}],
     r"g\.zip: the file has no layer '网格'; its layers are grids: name one with layer = "),
    ("geopackage_with_two_polygon_layers_and_a_table", gpkg_layers(["网格", "旧网格"],
                                                                   table=True),
     r"g\.gpkg: the file has several layers \(网格, 旧网格, 说明\); name one with layer"),
    ("config_names_a_missing_file", lambda d: [{"kind": "events", "path": "nope.csv"}],
     r"nope\.csv: file not found"),
    ("*config_names_a_folder", folder_as("dir.csv", "events"),
     r"dir\.csv: is a folder, not a file"),
    ("*config_names_a_folder_for_grids", folder_as("dir.geojson", "grids"),
     r"dir\.geojson: is a folder, not a file"),
    ("config_unknown_kind", config_only({"kind": "incidents"}),
     r"load\.toml: \[\[source\]\] #1: kind must be one of"),
    ("config_maps_a_missing_column", config_only({"columns": {"category": "类别"}}),
     r"e\.csv: column '类别' \(mapped to category\) is not in the file"),
    ("config_unknown_encoding", config_only({"encoding": "klingon"}),
     r"load\.toml: source 'e\.csv': unknown encoding 'klingon'"),
    ("config_point_column_missing", config_only({"point": "坐标"}),
     r"e\.csv: point column '坐标' is not in the file"),
    ("config_unknown_crs", config_only({"crs": "EPSG:999999"}),
     r"load\.toml: source 'e\.csv': crs 'EPSG:999999' is not a CRS pyproj knows"),
    # points whose values contradict their declared CRS: a file of rows each rejected
    # outside_county (degrees converted as metres land by the equator) was no clear error
    ("*events_xy_in_degrees_declared_gauss_kruger",
     events_rows([ev(i) for i in range(25)], head=XY_HEAD, crs="EPSG:4549"),
     r"e\.csv: 25 of 25 points in columns 'X坐标'/'Y坐标' are longitude/latitude \(e\.g\. "
     r"120\.81\d*, 29\.59\d*\), but the source is declared as EPSG:4549, a projected CRS in "
     r"metres: remove crs from the load config"),
    ("*events_lonlat_declared_in_a_state_plane",
     events_rows([ev(i) for i in range(25)], crs="EPSG:2227"),
     r"e\.csv: 25 of 25 points in columns '经度'/'纬度' are longitude/latitude .*declared as "
     r"EPSG:2227, a projected CRS"),
    ("*xlsx_events_in_degrees_declared_gauss_kruger", lambda d: [{**workbook(
        {"事件": [XY_HEAD, *[ev(i) for i in range(25)]]})(d)[0], "crs": "EPSG:4549"}],
     r"e\.xlsx: 25 of 25 points in columns 'X坐标'/'Y坐标' are longitude/latitude"),
    ("*cameras_in_degrees_declared_gauss_kruger", _cameras_at(LON, LAT, crs="EPSG:4549"),
     r"c\.csv: 25 of 25 points in columns '经度'/'纬度' are longitude/latitude .*EPSG:4549"),
    ("events_gauss_kruger_metres_without_a_crs",
     events_rows([ev(i, lon=GK40[0], lat=GK40[1]) for i in range(25)], head=XY_HEAD),
     r"e\.csv: 25 of 25 points are not degrees in columns 'X坐标'/'Y坐标' \(e\.g\. 40,[\d,.]+, "
     r"3,[\d,.]+; read as WGS84 degrees\).* crs = \"EPSG:4528\" \(CGCS2000 / 3-degree "
     r"Gauss-Kruger zone 40"),
    ("*cameras_gauss_kruger_metres_declared_gcj02", _cameras_at(*GK120, crs="gcj02"),
     r"c\.csv: 25 of 25 points are not degrees in columns '经度'/'纬度' .*read as gcj02 "
     r"degrees.*e\.g\. crs = \"EPSG:4549\""),
    ("*events_metres_declared_in_the_wrong_gauss_kruger_zone",
     events_rows([ev(i, lon=GK40[0], lat=GK40[1]) for i in range(25)], head=XY_HEAD,
                 crs="EPSG:4549"),
     r"e\.csv: 25 of 25 points in columns 'X坐标'/'Y坐标' \(e\.g\. 40,[\d,.]+, 3,[\d,.]+\) do not "
     r"convert from EPSG:4549 to longitude/latitude: they are in another CRS; "
     r"crs = \"EPSG:4528\""),
    # a UTF-8 DBF whose 4-character field names GDAL cut at 10 bytes: names that cannot
    # be mapped say so (was: "not a readable shapefile-zip file ('utf-8' codec can't …)")
    ("*utf8_dbf_cut_names_that_match_no_field", cut_names_zip({"网格名称": "区域名称"}),
     r"g\.zip: missing required column\(s\) grid_name \(网格名称\); headers are: .*区域名.* "
     r"\(the DBF field names 区域名… were cut at 10 bytes inside a character and match no "
     r"field: rename the fields to at most 3 Chinese characters .* or export the layer as "
     r"GeoPackage\)"),
    ("*utf8_dbf_cut_names_that_read_alike", cut_names_zip({"人口": "网格编码"}),
     r"g\.zip: the DBF field names '网格编…' and '网格编…' read as '网格编号' \(names cut at 10 "
     r"bytes inside a character cannot be told apart\): rename the fields to at most 3 "
     r"Chinese characters"),
    ("*utf8_dbf_cut_name_of_two_fields", cut_names_zip(
        {"户数": "网格员数"}, columns={"grid_worker": "网格员姓名", "households": "网格员数"}),
     r"g\.zip: the DBF field name '网格员…' was cut at 10 bytes inside a character, and it "
     r"could be 网格员姓名 or 网格员数: rename the fields"),
]


@pytest.mark.parametrize("case, build, message", STOPS, ids=[c[0] for c in STOPS])
def test_a_bad_input_stops_the_load_with_one_line_naming_it(base_db, tmp_path, case, build,
                                                            message):
    code, stderr, _ = load(base_db, tmp_path, build(tmp_path))
    assert code == 2
    assert stderr.startswith("导入失败 load stopped: ")
    assert re.search(message, stderr.removeprefix("导入失败 load stopped: ")), stderr


# --- inputs that load, their bad rows rejected by name ------------------------------
# (case, builder, (rows accepted, rejected_by_reason) of its first source, SQL check or None)
def _nan_rows():
    return [ev(0, lon="NaN"), ev(1, lon="inf"), ev(2, lon="", lat=""), ev(3, lat=""),
            ev(4, lon="-inf", lat="nan"), ev(5)]


# the lattice's first and last grid, where grids_zh.geojson puts them (within 1e-4°)
LATTICE_AT = ("SELECT grid_id, round(centroid_lon, 4), round(centroid_lat, 4), "
              "round(area_km2, 2) FROM grids WHERE grid_id IN ('G00', 'G22') ORDER BY 1",
              [("G00", 120.805, 29.585, 1.07), ("G22", 120.825, 29.605, 1.07)])

LOADS = [
    ("*row_with_too_many_fields", events_rows([GOOD[0], GOOD[1] + ["extra"], GOOD[2]]),
     (2, {"malformed_row": 1}),
     ("SELECT source_row, reason, detail, raw FROM rejects WHERE source_file = 'e.csv'",
      [(2, "malformed_row", "9 fields where the header has 8",
        '"E1,2024-03-05 10:00:00,环境卫生,' + f'{LON},{LAT},,,,extra"')])),
    ("*row_with_too_few_fields", events_rows([GOOD[0], GOOD[1][:4], GOOD[2]]),
     (2, {"malformed_row": 1}),
     ("SELECT source_row, detail FROM rejects WHERE source_file = 'e.csv'",
      [(2, "4 fields where the header has 8")])),
    ("*wrong_length_rows_after_a_blank_line_keep_their_numbers",
     events_file(csv_bytes(EVENT_HEAD, [GOOD[0], GOOD[1]]) + b"\n" +
                 csv_bytes(EVENT_HEAD, [ev(5)[:3], ev(6)]).split(b"\n", 1)[1]),
     (3, {"malformed_row": 1}),
     ("SELECT source_row FROM rejects WHERE source_file = 'e.csv'", [(3,)])),
    ("trailing_empty_fields_load", events_file(csv_bytes(EVENT_HEAD, [ev(1) + ["", ""], ev(2)])),
     (2, {}), None),
    ("*mediation_row_with_too_few_fields", lambda d: [
        {**events_rows([["甘霖镇", "2024-03", "婚姻家庭", "3", "3", "2"], ["甘霖镇", "2024-03"]],
                       head=MED_HEAD, name="m.csv")(d)[0], "kind": "mediation"}],
     (1, {"malformed_row": 1}), None),
    ("utf16be_with_bom", events_file(b"\xfe\xff" + csv_bytes(EVENT_HEAD, GOOD, "utf-16-be")),
     (3, {}), None),
    ("utf16le_declared", events_file(csv_bytes(EVENT_HEAD, GOOD, "utf-16-le"),
                                     encoding="utf-16-le"), (3, {}), None),
    ("gbk", events_file(csv_bytes(EVENT_HEAD, [ev(1, cat="环境卫生")], "gbk")), (1, {}),
     ("SELECT category FROM events WHERE event_id = 'E1'", [("环境卫生",)])),
    ("gb18030_four_byte_character",
     events_file(csv_bytes(EVENT_HEAD, [ev(1, cat="𠀀环境")], "gb18030")), (1, {}),
     ("SELECT category FROM events WHERE event_id = 'E1'", [("𠀀环境",)])),
    ("gbk_with_rare_characters_in_names_and_places",
     events_file(csv_bytes(EVENT_HEAD + ["事件描述"],
                           [ev(i, cat="环境卫生") + [f"{n}反映楼道堆放杂物，存在消防隐患"]
                            for i, n in enumerate(["王喆", "李堃", "赵玥", "昇平村"])], "gbk")),
     (4, {}), ("SELECT count(*) FROM events WHERE description LIKE '%喆%'", [(1,)])),
    ("big5_declared", events_file(csv_bytes(["event_id", "reported_at", "category", "lon", "lat"],
                                            [["E1", "2024-03-05", "環境衛生", LON, LAT]], "big5"),
                                  encoding="big5"), (1, {}),
     ("SELECT category FROM events WHERE event_id = 'E1'", [("環境衛生",)])),
    ("*cr_only_line_endings", events_file(csv_bytes(EVENT_HEAD, GOOD, newline="\r")),
     (3, {}), None),
    ("mixed_crlf_lf_cr", events_file(b"".join(
        line + end for line, end in zip(csv_bytes(EVENT_HEAD, GOOD).split(b"\n"),
                                        [b"\r\n", b"\n", b"\r", b"\r\n", b""]))), (3, {}), None),
    ("quoted_newline_in_a_description",
     events_rows([r + ['第一行\n第二行,"引号"'] for r in GOOD], head=EVENT_HEAD + ["事件描述"]),
     (3, {}), ("SELECT DISTINCT description FROM events WHERE event_id <> 'B1'",
               [('第一行\n第二行,"引号"',)])),
    ("header_only", events_rows([]), (0, {}), None),
    ("headers_with_bom_fullwidth_and_trailing_spaces", events_rows(GOOD, head=[
        "\ufeff事件编号", "上报时间\u3000", "事件类型 ", " 经度", "纬度\u200b", "所属网格", "办结时间",
        "状态"]), (3, {}), None),
    ("rows_of_delimiters_only", events_file(csv_bytes(EVENT_HEAD, GOOD) + b",,,,,,,\n,,,,,,,\n"),
     (3, {"missing_id": 2}), None),
    ("one_megabyte_description",
     events_rows([GOOD[0] + ["长" * 400_000]], head=EVENT_HEAD + ["事件描述"]), (1, {}),
     ("SELECT length(description) FROM events WHERE event_id = 'E0'", [(400_000,)])),
    ("xlsx_merged_title_and_cells",
     workbook({"事件": [["2024年3月 事件台账"], EVENT_HEAD, *GOOD]}, merge=("A1:H1", "C3:C5")),
     (1, {"missing_category": 2}), None),
    ("times_excel_serial_and_epochs",
     events_rows([ev(0, t="45491.9375"), ev(1, t="1721313000"), ev(2, t="1721313000000"), ev(3)]),
     (1, {"bad_time": 3}), None),
    ("times_with_offsets", events_rows([ev(0, t="2024-07-18T14:30:00Z"),
                                        ev(1, t="2024-07-18T22:30:00+08:00"),
                                        ev(2, t="2024-07-18T10:30:00-0400")]), (3, {}),
     ("SELECT DISTINCT CAST(reported_at AS VARCHAR) FROM events WHERE event_id <> 'B1'",
      [("2024-07-18 22:30:00",)])),
    ("times_chinese_and_slashes", events_rows([ev(0, t="2024年7月18日 22时30分"),
                                               ev(1, t="2024/7/18")]), (2, {}),
     ("SELECT CAST(reported_at AS VARCHAR) FROM events WHERE event_id <> 'B1' ORDER BY 1",
      [("2024-07-18 00:00:00",), ("2024-07-18 22:30:00",)])),
    ("times_24h_feb30_not_leap_day", events_rows([
        ev(0, t="2024-07-18 24:00:00"), ev(1, t="2024-02-30 10:00:00"), ev(2, t="2023-02-29"),
        ev(3, t="2024-02-29 10:00:00")]), (1, {"bad_time": 3}), None),
    ("times_leap_second_is_the_next_second", events_rows([ev(0, t="2016-12-31 23:59:60")]),
     (1, {}), ("SELECT CAST(reported_at AS VARCHAR) FROM events WHERE event_id = 'E0'",
               [("2017-01-01 00:00:00",)])),
    ("times_fullwidth_digits", events_rows([ev(0, t="２０２４－０７－１８ １０：００：００"),
                                            ev(1, t="２０２４年７月１８日"), ev(2)]),
     (1, {"bad_time": 2}), None),
    ("times_ampm_and_two_digit_years_without_format",
     events_rows([ev(0, t="7/18/2024 10:30:00 PM"), ev(1, t="24-07-18 10:00"), ev(2)]),
     (1, {"bad_time": 2}), None),
    ("closed_before_reported", events_rows([ev(1, closed="2024-03-01 10:00:00"), ev(2)]),
     (1, {"closed_before_reported": 1}), None),
    ("duplicate_ids_with_different_content",
     events_rows([ev(1), ev(1, cat="矛盾纠纷"), ev(1)]), (1, {"duplicate_conflict": 1}), None),
    ("empty_and_blank_event_ids", events_rows([["", *ev(1)[1:]], ["   ", *ev(2)[1:]], ev(3)]),
     (1, {"missing_id": 2}), None),
    ("coordinates_swapped_in_a_few_rows", events_rows([ev(0, lon=LAT, lat=LON), ev(1)]),
     (1, {"bad_coordinates": 1}), None),
    ("coordinates_dms_units_fullwidth_comma", events_rows([
        ev(0, lon="120°48'30\"E", lat="29°35'30\"N"), ev(1, lon="120.815E", lat="29.595N"),
        ev(2, lon="１２０．８１５", lat="２９．５９５"), ev(3, lon="120,815", lat="29,595"), ev(4)]),
     (1, {"bad_coordinates": 4}), None),
    ("coordinates_nan_inf_empty", events_rows(_nan_rows()),
     (1, {"bad_coordinates": 4, "missing_location": 1}), None),
    ("event_ids_with_a_letter_e_between_digits", events_rows([
        ["2024E001", *ev(0)[1:]], ["33E01", *ev(1)[1:]]]), (2, {}),
     ("SELECT event_id FROM events WHERE event_id <> 'B1' ORDER BY 1",
      [("2024E001",), ("33E01",)])),
    ("coordinates_zero_zero", events_rows([ev(0, lon="0", lat="0"), ev(1)]),
     (1, {"outside_county": 1}), None),
    # a few points that contradict the declared CRS stay row rejects, the rest loads
    ("gauss_kruger_file_with_a_few_degree_rows",
     events_rows([ev(i, lon=GK120[0], lat=GK120[1]) for i in range(23)] + [ev(23), ev(24)],
                 head=XY_HEAD, crs="EPSG:4549"), (23, {"outside_county": 2}), None),
    ("degree_file_with_a_few_gauss_kruger_rows",
     events_rows([ev(i) for i in range(23)] + [ev(i, lon=GK40[0], lat=GK40[1])
                                                for i in (23, 24)]),
     (23, {"bad_coordinates": 2}), None),
    ("gauss_kruger_events_with_their_crs",
     events_rows([ev(i, lon=GK120[0], lat=GK120[1]) for i in range(25)], head=XY_HEAD,
                 crs="EPSG:4549"), (25, {}), None),
]


def _mediation(d: Path):
    write_csv(d / "m.csv", MED_HEAD, [
        ["甘霖镇", "2024-13", "邻里纠纷", 5, 4, 3], ["甘霖镇", "2024-00", "邻里纠纷", 5, 4, 3],
        ["甘霖镇", "2024-02", "邻里纠纷", -5, 4, 3], ["甘霖镇", "2024-03", "邻里纠纷", 5, 4, 5],
        ["甘霖镇", "2024-04", "邻里纠纷", 5, 6, 3], ["不存在镇", "2024-05", "邻里纠纷", 5, 4, 3],
        ["甘霖镇", "2024-06", "", 5, 4, 3], ["甘霖镇", "2024-07", "邻里纠纷", "五", 4, 3],
        ["甘霖镇", "2024-08", "邻里纠纷", "1,000", 4, 3], ["甘霖镇", "2024-09", "邻里纠纷", "５", 4, 3],
        ["甘霖镇", "2024-10", "邻里纠纷", 5, 4, 3], ["甘霖镇", "2024-10", "邻里纠纷", 6, 4, 3]])
    return [{"kind": "mediation", "path": "m.csv"}]


def _mediation_cases(d: Path):
    write_csv(d / "k.csv", ["案件编号", "乡镇", "纠纷类型", "受理时间", "结案时间", "调解结果"], [
        ["M1", "甘霖镇", "邻里纠纷", "2024-03-01", "2024-02-01", "成功"],
        ["M2", "甘霖镇", "邻里纠纷", "2024-03-01", "", "也许"],
        ["", "甘霖镇", "邻里纠纷", "2024-03-01", "", ""],
        ["M3", "甘霖镇", "邻里纠纷", "2024-03-01", "", "成功"],
        ["M3", "甘霖镇", "婚姻纠纷", "2024-03-01", "", "成功"]])
    return [{"kind": "mediation", "path": "k.csv"}]


def _cameras(d: Path):
    write_csv(d / "c.csv", ["点位编号", "经度", "纬度", "状态", "最后在线时间"], [
        ["C1", LON, LAT, "在线", ""], ["C1", LON, LAT, "离线", ""], ["C2", LON, LAT, "维修中", ""],
        ["C3", LON, LAT, "ONLINE", ""], ["C4", LON, LAT, "在线", "昨天"], ["C5", "", "", "在线", ""],
        ["", LON, LAT, "在线", ""]])
    return [{"kind": "cameras", "path": "c.csv"}]


def _ring(x0, y0, s=0.01):
    return square(x0, y0, s)["coordinates"][0]


def _point(x0=120.8, y0=29.58):
    return {"type": "Point", "coordinates": [x0, y0]}


def _line(x0=120.8, y0=29.58):
    return {"type": "LineString", "coordinates": [[x0, y0], [x0 + 0.1, y0 + 0.02]]}


LOADS += [
    ("mediation_month_13_negative_succeeded_over_mediated", _mediation,
     (2, {"bad_time": 2, "bad_value": 6, "unknown_township": 1, "duplicate_conflict": 1}),
     ("SELECT CAST(month AS VARCHAR), received FROM mediation ORDER BY 1",
      [("2024-08-01", 1000), ("2024-10-01", 5)])),
    ("mediation_cases_bad_rows", _mediation_cases,
     (1, {"closed_before_reported": 1, "bad_value": 1, "missing_id": 1,
          "duplicate_conflict": 1}), None),
    ("cameras_duplicate_ids_and_unknown_status", _cameras,
     (3, {"duplicate_conflict": 1, "bad_time": 1, "missing_location": 1, "missing_id": 1}),
     ("SELECT camera_id, status FROM cameras ORDER BY 1",
      [("C1", "online"), ("C2", "unknown"), ("C3", "online")])),
    ("grids_null_empty_point_and_line_geometry", geojson([
        grid("N1", None), grid("N2", {"type": "Polygon", "coordinates": []}),
        grid("N3", {"type": "Point", "coordinates": [120.85, 29.58]}), grid("N4", _line()),
        grid("G9", square())]), (1, {"bad_geometry": 4}), None),
    ("grids_geometry_collection_without_a_polygon_and_degenerate_ring", geojson([
        grid("GC", {"type": "GeometryCollection", "geometries": [_point(), _line()]}),
        grid("GE", {"type": "GeometryCollection", "geometries": []}),
        grid("D1", {"type": "Polygon", "coordinates": [[[120.85, 29.58], [120.86, 29.58],
                                                        [120.85, 29.58], [120.85, 29.58]]]}),
        grid("G9", square())]), (1, {"bad_geometry": 3}), None),
    # QGIS and some converters write a polygon as a GeometryCollection: its polygons load
    # (two apart: a MultiPolygon), its points and lines are dropped and named in the report
    ("*grid_geometry_collection_keeps_its_polygons", geojson([
        grid("GC", {"type": "GeometryCollection", "geometries": [
            square(), _line(), {"type": "GeometryCollection", "geometries": [_point()]}]}),
        grid("GM", {"type": "GeometryCollection", "geometries": [
            square(120.87), square(120.89), _point()]})]), (2, {}),
     ("SELECT grid_id, round(area_km2, 2), substr(hex(geom_wkb), 1, 10) FROM grids "
      "WHERE grid_id IN ('GC', 'GM') ORDER BY 1",
      [("GC", 1.07, "0103000000"), ("GM", 2.15, "0106000000")],
      {"repaired": ["GC", "GM"], "dropped_parts": {"GC": 2, "GM": 1}})),
    ("townships_null_and_empty_geometry", lambda d: [{**geojson([
        {"type": "Feature", "properties": {"镇街编码": c, "镇街名称": n}, "geometry": g}
        for c, n, g in [("330683901", "空一", None),
                        ("330683902", "空二", {"type": "MultiPolygon", "coordinates": []}),
                        ("330683903", "空三", {"type": "GeometryCollection", "geometries": []}),
                        ("330683904", "实", square(120.9, 29.6))]], name="t.geojson")(d)[0],
        "kind": "townships"}], (1, {"bad_geometry": 3}), None),
    # one code on several features: the same attributes are parts of one grid (merged),
    # an exact repeat a duplicate, other attributes a conflict; across files too
    ("grid_codes_repeated_across_features", geojson([
        grid("D1", square(120.85)), {**grid("D1", square(120.87)), "properties": {
            "网格编号": "D1", "网格名称": "另一个", "所属镇街": "甘霖镇"}},
        grid("D2", square(120.89)), grid("D2", square(120.91)),
        grid("D3", square(120.93)), grid("D3", square(120.93))]),
     (3, {"duplicate_conflict": 1}),
     ("SELECT grid_id, grid_name, round(area_km2, 2) FROM grids WHERE grid_id LIKE 'D%' "
      "ORDER BY 1", [("D1", "D1", 1.07), ("D2", "D2", 2.15), ("D3", "D3", 1.07)],
      {"merged_parts": {"D2": 1}, "duplicates": 2})),
    ("grid_codes_repeated_across_files", lambda d: [
        geojson([grid("D1", square(120.85))], name="a.geojson")(d)[0],
        geojson([{**grid("D1", square(120.87)), "properties": {
            "网格编号": "D1", "网格名称": "另一个", "所属镇街": "甘霖镇"}}, grid("D2", square(120.89))],
            name="b.geojson")(d)[0]], (1, {}),
     ("SELECT source_file, reason, detail FROM rejects WHERE source_kind = 'grids'",
      [("b.geojson", "duplicate_conflict",
        "same grid_id as a.geojson row 1, with different content")])),
    ("*township_geometry_collection_keeps_its_polygon", lambda d: [{**geojson([{
        "type": "Feature", "properties": {"镇街编码": "330683199", "镇街名称": "集合镇"},
        "geometry": {"type": "GeometryCollection", "geometries": [
            square(120.9, 29.6, 0.03), _line()]}}], name="t.geojson")(d)[0],
        "kind": "townships"}], (1, {}),
     ("SELECT township_name, round(area_km2, 1) FROM townships "
      "WHERE township_code = '330683199'", [("集合镇", 9.7)],
      {"repaired": ["330683199"], "dropped_parts": {"330683199": 1}})),
    ("grid_with_3d_coordinates", geojson([grid("Z1", {"type": "Polygon", "coordinates": [[
        [x, y, 12.0] for x, y in square()["coordinates"][0]]]})]), (1, {}),
     ("SELECT substr(hex(geom_wkb), 1, 10) FROM grids WHERE grid_id = 'Z1'",   # 2D polygon
      [("0103000000",)])),
    # Z and M are dropped whatever the format says: the stored shapes are 2D
    ("*shapefile_polygon_z", shapefile_zip(lambda m: _measured(m, z=12.5)), (9, {}),
     ("SELECT DISTINCT substr(hex(geom_wkb), 1, 10) FROM grids", [("0103000000",)])),
    ("*shapefile_polygon_m", shapefile_zip(_measured), (9, {}),
     ("SELECT DISTINCT substr(hex(geom_wkb), 1, 10) FROM grids", [("0103000000",)])),
    ("*geopackage_polygon_z", layer_file("g.gpkg", z=8.0), (9, {}),
     ("SELECT DISTINCT substr(hex(geom_wkb), 1, 10) FROM grids", [("0103000000",)])),
    ("*geojson_3d_declaring_epsg_4326", layer_file("g.geojson", z=8.0), (9, {}),
     ("SELECT DISTINCT substr(hex(geom_wkb), 1, 10) FROM grids", [("0103000000",)])),
    ("*grid_with_nan_and_infinite_vertices", geojson(None, text=json.dumps(
        {"type": "FeatureCollection", "features": [
            grid(f"N{i}", {"type": "Polygon", "coordinates": [[
                [120.85, 29.58], [120.86, 29.58], [v, 29.59], [120.85, 29.59], [120.85, 29.58]]]})
            for i, v in enumerate([float("nan"), float("inf")])] + [grid("G9", square())]})),
     (1, {"bad_geometry": 2}), None),
    ("grid_bow_tie_is_repaired", geojson([grid("B1", {"type": "Polygon", "coordinates": [[
        [120.85, 29.58], [120.86, 29.59], [120.86, 29.58], [120.85, 29.59], [120.85, 29.58]]]})]),
     (1, {}), None),
    ("grid_with_a_hole", geojson([grid("H1", {"type": "Polygon", "coordinates": [
        [[120.85, 29.58], [120.88, 29.58], [120.88, 29.61], [120.85, 29.61], [120.85, 29.58]],
        [[120.86, 29.59], [120.87, 29.59], [120.87, 29.60], [120.86, 29.60], [120.86, 29.59]]]})]),
     (1, {}), ("SELECT round(area_km2, 1) FROM grids WHERE grid_id = 'H1'", [(8.6,)])),
    # repairs keep the area a GIS dissolve gives: a hole along the shell's edge is a notch
    # (make_valid's default linework dropped it), parts of a MultiPolygon that overlap or
    # nest are their union (linework made the overlap a hole, the nested part a hole)
    ("*grid_hole_sharing_an_edge_with_its_shell", geojson([grid("HE", {
        "type": "Polygon", "coordinates": [_ring(120.85, 29.58, 0.03), _ring(120.85, 29.59)]})]),
     (1, {}), ("SELECT round(area_km2, 1) FROM grids WHERE grid_id = 'HE'", [(8.6,)],
               {"repaired": ["HE"]})),
    ("grid_hole_touching_its_shell_at_a_point", geojson([grid("HP", {
        "type": "Polygon", "coordinates": [_ring(120.85, 29.58, 0.03), [
            [120.85, 29.595], [120.86, 29.59], [120.86, 29.60], [120.85, 29.595]]]})]),
     (1, {}), ("SELECT round(area_km2, 2) FROM grids WHERE grid_id = 'HP'", [(9.13,)])),
    ("*grid_multipolygon_with_overlapping_parts", geojson([grid("MO", {
        "type": "MultiPolygon", "coordinates": [[_ring(120.85, 29.58)], [_ring(120.855, 29.58)],
                                                [_ring(120.85, 29.585)]]})]),
     (1, {}), ("SELECT round(area_km2, 2), substr(hex(geom_wkb), 1, 10) FROM grids "
               "WHERE grid_id = 'MO'", [(2.15, "0103000000")], {"repaired": ["MO"]})),
    ("*grid_multipolygon_with_a_part_inside_another", geojson([grid("MN", {
        "type": "MultiPolygon", "coordinates": [[_ring(120.85, 29.58, 0.03)],
                                                [_ring(120.86, 29.59)]]})]),
     (1, {}), ("SELECT round(area_km2, 1) FROM grids WHERE grid_id = 'MN'", [(9.7,)])),
    ("*grid_ring_left_unclosed", geojson([grid("U1", {"type": "Polygon", "coordinates": [[
        [120.85, 29.58], [120.86, 29.58], [120.86, 29.59], [120.85, 29.59]]]})]), (1, {}),
     ("SELECT round(area_km2, 2) FROM grids WHERE grid_id = 'U1'", [(1.07,)])),
    # a GeoPackage of several layers: the one named, or the only polygon layer
    ("geopackage_with_two_layers_one_named", gpkg_layers(["网格", "旧网格"], layer="旧网格"),
     (9, {}), None),
    ("geopackage_polygons_beside_points", gpkg_layers(["网格"], points=True), (9, {}), None),
    ("*geopackage_polygons_beside_an_attribute_table", gpkg_layers(["网格"], table=True),
     (9, {}), None),
    # layers in CGCS2000 (geographic or Gauss-Krüger, the .prj present) or with an old
    # GeoJSON crs member land where the lattice is
    ("shapefile_in_epsg_4549_with_prj", projected_zip("EPSG:4549"), (9, {}), LATTICE_AT),
    ("shapefile_in_epsg_4527_with_prj", projected_zip("EPSG:4527"), (9, {}), LATTICE_AT),
    ("shapefile_in_cgcs2000_degrees_without_prj", projected_zip("EPSG:4490", False), (9, {}),
     LATTICE_AT),
    ("geojson_crs_member_epsg_4490", crs_member("EPSG:4490"), (9, {}), LATTICE_AT),
    ("geojson_crs_member_urn_epsg_4490", crs_member("urn:ogc:def:crs:EPSG::4490"), (9, {}),
     LATTICE_AT),
    ("geojson_crs_member_crs84", crs_member("urn:ogc:def:crs:OGC:1.3:CRS84"), (9, {}),
     LATTICE_AT),
    ("zip_with_sizes_understated_in_its_headers",
     lying_zip(declared=lambda name, size: 1, stored=("grids.cpg",)), (9, {}),
     ("SELECT count(*) FROM grids WHERE grid_name LIKE '%网格'", [(9,)])),
    ("*zip_member_names_in_gbk_layer_named", lying_zip(stem="网格", layer="网格"), (9, {}),
     None),
    # codes typed as numbers that keep every digit load as the same text
    ("*dbf_codes_of_18_digits_in_a_wide_numeric_field", shapefile_zip(_code_dbf), (9, {}),
     ("SELECT min(grid_id), max(grid_id) FROM grids WHERE grid_id LIKE '3306%'",
      [("330683001001000000", "330683001001000008")])),
    ("*grid_codes_of_16_digits_typed_float", geojson([
        {**grid("x", square(120.85 + i / 100)), "properties": {
            "网格编号": 3306830010010001.0 + i, "网格名称": f"第{i}网格", "所属镇街": "甘霖镇"}}
        for i in range(2)]), (2, {}),
     ("SELECT grid_id FROM grids WHERE grid_id LIKE '3306%' ORDER BY 1",
      [("3306830010010001",), ("3306830010010002",)])),
    # a .cpg in any spelling of code page 936 (GBK)
    ("shapefile_cpg_936", shapefile_zip(lambda m: {**m, "grids.cpg": b"936"}), (9, {}),
     ("SELECT count(*) FROM grids WHERE grid_name LIKE '%网格'", [(9,)])),
    ("*shapefile_cpg_ansi_936", shapefile_zip(lambda m: {**m, "grids.cpg": b"ANSI 936\r\n"}),
     (9, {}), ("SELECT count(*) FROM grids WHERE grid_name LIKE '%网格'", [(9,)])),
    ("utf8_dbf_with_its_cpg", utf8_dbf_zip(b"UTF-8"), (9, {}),
     ("SELECT count(*) FROM grids WHERE grid_name LIKE '%网格'", [(9,)])),
    ("zip_shapefile_without_prj", shapefile_zip(
        lambda m: {k: v for k, v in m.items() if not k.endswith(".prj")}), (9, {}), None),
    # a UTF-8 DBF whose 4-character field names GDAL cut at 10 bytes: each cut name read
    # as the alias (or the mapped header) it is the start of, the report says which
    ("*utf8_dbf_with_field_names_cut_inside_a_character", cut_names_zip(), (9, {}),
     ("SELECT count(*) FROM grids WHERE grid_name LIKE '%网格' AND grid_id LIKE 'G%'", [(9,)],
      {"cut_field_names": {"网格编…": "网格编号", "网格名…": "网格名称", "所属镇…": "所属镇街",
                           "镇街编…": "镇街编码", "村(社区…": "村(社区)"}})),
    ("*utf8_dbf_with_cut_field_names_mapped", cut_names_zip(
        {"网格编号": "格网代码"}, columns={"grid_id": "格网代码"}), (9, {}),
     ("SELECT count(*) FROM grids WHERE grid_id LIKE 'G%'", [(9,)])),
    ("*utf8_dbf_with_cut_field_names_declared_utf8", cut_names_zip(cpg=False, encoding="utf-8"),
     (9, {}), LATTICE_AT),
    ("zip_gbk_dbf_without_cpg_declared", lambda d: [
        {**shapefile_zip(_gbk_without_cpg)(d)[0], "encoding": "gbk"}], (9, {}),
     ("SELECT count(*) FROM grids WHERE grid_name LIKE '%网格'", [(9,)])),
]


@pytest.mark.parametrize("case, build, expect, check", LOADS, ids=[c[0] for c in LOADS])
def test_a_bad_input_loads_with_its_bad_rows_named(base_db, tmp_path, case, build, expect,
                                                  check):
    sources = build(tmp_path)
    code, stderr, report = load(base_db, tmp_path, sources)
    assert code == 0, stderr
    accepted, reasons = expect
    s = next(s for s in report["sources"] if s["file"] == sources[0]["path"])
    assert s["rejected_by_reason"] == reasons
    assert s["new"] + s["updated"] + s["unchanged"] == accepted
    if s["rejected"]:
        assert q(tmp_path / "wall.duckdb", "SELECT count(*) FROM rejects WHERE source_file = ?",
                 [s["file"]]) == [(s["rejected"],)]
    if check:
        sql, rows, *noted = check       # noted: keys the source's report must hold
        got = q(tmp_path / "wall.duckdb", sql)
        assert got == rows
        for key, value in (noted[0] if noted else {}).items():
            assert s.get(key) == value, (key, s.get(key))


def test_the_cli_process_says_it_in_one_line_without_a_traceback(base_db, tmp_path):
    """The real ``python -m etl load`` process, for one case of the corpus."""
    db = tmp_path / "wall.duckdb"
    shutil.copyfile(base_db, db)
    before = db.read_bytes()
    write_csv(tmp_path / "e.csv", EVENT_HEAD + ["事件类型"], [r + ["矛盾纠纷"] for r in GOOD])
    cfg = write_config(tmp_path, [{"kind": "events", "path": "e.csv"}])
    res = subprocess.run([sys.executable, "-m", "etl", "load", "--quiet", "--db", str(db),
                          "--config", str(cfg)], cwd=ROOT, capture_output=True, text=True,
                         timeout=300, check=False)
    assert res.returncode == 2 and res.stdout == ""
    assert res.stderr == ("导入失败 load stopped: e.csv: header '事件类型' appears 2 times "
                          "(columns 3, 9), so which one is category cannot be told; rename or "
                          "remove the others\n")
    assert db.read_bytes() == before
