"""Read a polygon layer (GeoJSON, GeoPackage, zipped Shapefile, GeoParquet) in WGS84.

Attributes come back as text like every other source; geometries are converted from the
layer's CRS (or the config's ``crs``, which wins: GCJ-02 files claim to be EPSG:4326).
"""
from __future__ import annotations

import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from etl.config import SourceConfig
from etl.errors import LoadError
from etl.geom import (DEGREES_IN_PROJECTED, gauss_kruger_hint, geoms_to_wgs84, is_lonlat_crs,
                      is_projected_crs)
from etl.read_table import frame_text


@dataclass
class PolygonData:
    df: pd.DataFrame            # attributes as text
    geoms: np.ndarray           # shapely geometries in WGS84 (None where missing)
    rows: np.ndarray
    info: dict = field(default_factory=dict)
    hint: str = ""              # appended to a missing-column message (cut DBF names)

    @property
    def headers(self) -> list[str]:
        return [str(c) for c in self.df.columns]


def polygon_format(src: SourceConfig) -> str:
    name = src.file.name.lower()
    if name.endswith(".zip"):
        return "shapefile-zip"
    for ext, fmt in ((".geojson", "geojson"), (".json", "geojson"), (".gpkg", "gpkg"),
                     (".shp", "shapefile"), (".parquet", "geoparquet"),
                     (".geoparquet", "geoparquet")):
        if name.endswith(ext):
            return fmt
    raise LoadError(f"{src.path}: {src.kind} must be GeoJSON, GeoPackage, zipped Shapefile "
                    "or GeoParquet (by extension)")


def _zip_layer(src: SourceConfig) -> tuple[list, str]:
    """The members of a zipped Shapefile and the folder inside it that holds the .shp files
    ('' for the top level; city portals zip "nynta2020_24b/nynta2020.shp"). macOS
    "__MACOSX/" resource copies are not layers."""
    import posixpath
    import zipfile

    try:
        with zipfile.ZipFile(src.file) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise LoadError(f"{src.path}: not a readable zip file ({exc})") from None
    for i in infos:
        i.filename = _member_name(i)
    names = [i.filename for i in infos]
    _check_zip(src, infos)
    shps = [n for n in names if n.lower().endswith(".shp")
            and not n.startswith("__MACOSX/") and not posixpath.basename(n).startswith("._")]
    if not shps:
        raise LoadError(f"{src.path}: the zip holds no .shp file (it holds "
                        f"{', '.join(names[:10]) or 'nothing'}{' …' if len(names) > 10 else ''})")
    lower = {n.lower() for n in names}
    for shp in shps:
        stem = shp[:-4]
        lacking = [ext for ext in (".shx", ".dbf") if (stem + ext).lower() not in lower]
        if lacking:
            raise LoadError(f"{src.path}: {shp} comes without its {' and '.join(lacking)} "
                            "(a shapefile is .shp + .shx + .dbf, with .prj and .cpg); "
                            "zip all the parts")
    folders = sorted({posixpath.dirname(n) for n in shps})
    if "" in folders:
        return infos, ""
    if src.layer is not None:
        folders = [d for d in folders if any(
            posixpath.dirname(n) == d
            and posixpath.splitext(posixpath.basename(n))[0] == src.layer for n in shps)] \
            or folders
    if len(folders) > 1:
        raise LoadError(f"{src.path}: the zip holds shapefiles in several folders "
                        f"({', '.join(folders)}); name one with layer = \"...\"")
    return infos, folders[0]


def _member_name(info) -> str:
    """A member's name as written: a zip made by Windows Explorer on a Chinese system
    stores names in GBK without the UTF-8 flag, which zipfile reads as CP437 (网格.shp ->
    '═°╕±.shp')."""
    name = info.filename
    if info.flag_bits & 0x800 or name.isascii():
        return name
    try:
        return name.encode("cp437").decode("gbk")
    except UnicodeError:
        return name


ZIP_MAX_BYTES = 2 << 30       # a zipped layer expanding past this is refused (a zip bomb)
SIDECAR_MAX_BYTES = 1 << 20   # .prj / .cpg are a line of text; GDAL reads them whole
_CHUNK = 1 << 20


def _too_big(src: SourceConfig, total: int) -> LoadError:
    return LoadError(f"{src.path}: the zip expands to {total:,} bytes, more than "
                     f"{ZIP_MAX_BYTES:,} (a zip bomb, or not a county's layer)")


def _sidecar_too_big(src: SourceConfig, name: str, size: int) -> LoadError:
    return LoadError(f"{src.path}: {name} expands to {size:,} bytes (a .prj / .cpg is one "
                     f"line of text; at most {SIDECAR_MAX_BYTES:,}): not a shapefile's part")


def _check_zip(src: SourceConfig, infos: list) -> None:
    """Refuse, by what the zip declares, a zip GDAL should not open: member paths that
    climb out of it (``../x``, ``/etc/x``), or one that expands past ZIP_MAX_BYTES, or a
    .prj / .cpg past SIDECAR_MAX_BYTES (GDAL reads those whole into memory: a small zip
    could make the load allocate gigabytes before it fails). A zip whose declared sizes lie
    is caught as it is unpacked (:func:`_unpack`), on the bytes it really produces."""
    import re

    for i in infos:
        name = i.filename.replace("\\", "/")
        if name.startswith("/") or ".." in name.split("/") or re.match(r"[A-Za-z]:", name):
            raise LoadError(f"{src.path}: the zip holds an unsafe path {i.filename!r} "
                            "(outside the archive); zip the layer's files again")
        if name.lower().endswith((".prj", ".cpg")) and i.file_size > SIDECAR_MAX_BYTES:
            raise _sidecar_too_big(src, i.filename, i.file_size)
    total = sum(i.file_size for i in infos)
    if total > ZIP_MAX_BYTES:
        raise _too_big(src, total)


def _member_chunks(src: SourceConfig, fh, info):
    """The bytes a member really unpacks to, in chunks of at most 1 MiB, whatever sizes its
    headers claim: a deflate stream is read until it ends, a stored member is its stored
    bytes. Raises LoadError for a member the load cannot unpack."""
    import struct
    import zlib

    fh.seek(info.header_offset)
    head = fh.read(30)
    if len(head) < 30 or head[:4] != b"PK\x03\x04":
        raise LoadError(f"{src.path}: {info.filename} is damaged in the zip (no local "
                        "header); zip the layer's files again")
    n_name, n_extra = struct.unpack("<HH", head[26:30])
    fh.seek(info.header_offset + 30 + n_name + n_extra)
    if info.flag_bits & 0x1:
        raise LoadError(f"{src.path}: {info.filename} is encrypted; zip the layer without "
                        "a password")
    if info.compress_type == 0:            # stored
        left = info.compress_size
        while left > 0:
            data = fh.read(min(left, _CHUNK))
            if not data:
                break
            left -= len(data)
            yield data
        return
    if info.compress_type != 8:
        raise LoadError(f"{src.path}: {info.filename} is compressed with method "
                        f"{info.compress_type} (not deflate); zip the layer's files again "
                        "with the usual compression")
    unz = zlib.decompressobj(-15)
    try:
        while not unz.eof:
            data = fh.read(64 << 10)
            if not data:
                raise LoadError(f"{src.path}: {info.filename} is cut short in the zip; "
                                "zip the layer's files again")
            while data:
                out = unz.decompress(data, _CHUNK)
                data = unz.unconsumed_tail
                if out:
                    yield out
                if unz.eof:
                    break
    except zlib.error as exc:
        raise LoadError(f"{src.path}: {info.filename} is damaged in the zip ({exc}); zip "
                        "the layer's files again") from None


def _unpack(src: SourceConfig, infos: list, folder: str, dest) -> None:
    """Unpack the layer's folder of the zip into ``dest``, capped on the bytes the members
    really produce (ZIP_MAX_BYTES in all, SIDECAR_MAX_BYTES for a .prj / .cpg): sizes in
    the zip's headers can lie, and GDAL's /vsizip/ reads the real stream. A first pass only
    counts, so a bomb stops before anything is written; the second writes and checks each
    member's CRC-32."""
    import posixpath
    import zlib

    members = [i for i in infos if not i.is_dir()
               and posixpath.dirname(i.filename) == folder
               and not posixpath.basename(i.filename).startswith("._")]
    with open(src.file, "rb") as fh:
        for write in (False, True):
            total = 0
            for info in members:
                size, crc = 0, 0
                base = posixpath.basename(info.filename)
                sidecar = base.lower().endswith((".prj", ".cpg"))
                out = open(dest / base, "wb") if write else None
                try:
                    for chunk in _member_chunks(src, fh, info):
                        size += len(chunk)
                        total += len(chunk)
                        if sidecar and size > SIDECAR_MAX_BYTES:
                            raise _sidecar_too_big(src, info.filename, size)
                        if total > ZIP_MAX_BYTES:
                            raise _too_big(src, total)
                        if out is not None:
                            out.write(chunk)
                            crc = zlib.crc32(chunk, crc)
                finally:
                    if out is not None:
                        out.close()
                if write and crc != info.CRC:
                    raise LoadError(f"{src.path}: {info.filename} is damaged in the zip "
                                    "(its CRC-32 does not match its content); zip the "
                                    "layer's files again")


def _read_ogr(src: SourceConfig, fmt: str):
    # GDAL's and pyogrio's warnings stay off stderr (the CLI prints one line): an M
    # dimension dropped, a ring closed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if fmt != "shapefile-zip":
            if fmt != "shapefile":
                return _read_layer(src, fmt, str(src.file), src.layer)
            try:
                gdf = _read_layer(src, fmt, str(src.file), src.layer)
            except _Undecodable as exc:
                return _read_cut_names(src, fmt, str(src.file), src.file.parent,
                                       src.file.stem, exc)
            return _dbf_text(src, fmt, gdf, _layer_cpg(src.file.parent, src.file.stem),
                             lambda enc: _read_layer(src, fmt, str(src.file), src.layer, enc))
        # a zipped Shapefile is unpacked by the load, capped on the bytes really produced,
        # and GDAL reads the plain files: never /vsizip/, which trusts the zip's headers
        infos, folder = _zip_layer(src)
        with tempfile.TemporaryDirectory(prefix="gridwall-zip-") as tmp:
            _unpack(src, infos, folder, Path(tmp))
            try:
                gdf = _read_layer(src, fmt, tmp, src.layer)
            except _Undecodable as exc:
                return _read_cut_names(src, fmt, tmp, Path(tmp), src.layer, exc)
            return _dbf_text(src, fmt, gdf, _layer_cpg(Path(tmp), src.layer),
                             lambda enc: _read_layer(src, fmt, tmp, src.layer, enc))


def _pick_layer(src: SourceConfig, layers, layer: str | None) -> str | None:
    """The layer to read: the one the config names (GDAL matches names in any case), which
    must be there; else the only layer, or the only polygon layer beside points, lines and
    attribute tables (a layer of GeometryCollections or of mixed types counts when no
    layer is typed polygon). Several candidates: name them."""
    names = [str(n) for n, _ in layers]
    if layer is not None:
        if layer.lower() not in {n.lower() for n in names}:
            raise LoadError(f"{src.path}: the file has no layer {layer!r}; its layers are "
                            f"{', '.join(names) or '(none)'}: name one with layer = \"...\"")
        return layer
    if len(layers) < 2:
        return None
    poly = [str(n) for n, t in layers if "Polygon" in str(t)]
    if not poly:
        poly = [str(n) for n, t in layers
                if str(t) in ("GeometryCollection", "Unknown", "Geometry")]
    if len(poly) != 1:
        raise LoadError(f"{src.path}: the file has several layers ({', '.join(names)}); "
                        "name one with layer = \"...\"")
    return poly[0]


class _Undecodable(LoadError):
    """A Shapefile whose DBF text GDAL hands over as UTF-8 but Python cannot decode (a
    field name cut at 10 bytes inside a character): the message is the plain one."""


def _read_layer(src: SourceConfig, fmt: str, path: str, layer: str | None,
                encoding: str | None = None, force_encoding: bool = False):
    import pyogrio

    try:
        if fmt in ("gpkg", "shapefile-zip"):
            layer = _pick_layer(src, pyogrio.list_layers(path), layer)
        # on_invalid="fix": a ring left unclosed (GDAL accepts it) is closed, not a crash
        # of the whole layer
        kwargs = {"layer": layer, "on_invalid": "fix"}
        if fmt.startswith("shapefile"):
            # a DBF number wider than 18 digits (N(20,0): an 18-digit code) is read as a
            # double, its last digits lost, unless GDAL looks at the values first
            kwargs["ADJUST_TYPE"] = "YES"
        if force_encoding:
            kwargs["encoding"] = encoding
        elif src.encoding or encoding:
            kwargs["encoding"] = src.encoding or encoding
        return pyogrio.read_dataframe(path, **kwargs)
    except LoadError:
        raise
    except UnicodeDecodeError as exc:
        msg = f"{src.path}: not a readable {fmt} file ({exc})"
        if fmt.startswith("shapefile") and exc.encoding == "utf-8":
            raise _Undecodable(msg) from None
        raise LoadError(msg) from None
    except Exception as exc:  # pyogrio/GDAL raise several error types
        raise LoadError(f"{src.path}: not a readable {fmt} file ({exc})") from None


def _layer_file(folder: Path, layer: str | None, suffix: str) -> Path | None:
    """The file with ``suffix`` beside the layer's .shp in ``folder`` (the only .shp, or
    the one named ``layer``), or None."""
    shps = [p for p in folder.iterdir() if p.suffix.lower() == ".shp"]
    if layer is not None:
        shps = [p for p in shps if p.stem.lower() == layer.lower()]
    if len(shps) != 1:
        return None
    found = [p for p in folder.iterdir()
             if p.suffix.lower() == suffix and p.stem.lower() == shps[0].stem.lower()]
    return found[0] if found else None


def _utf8_cut(raw: bytes) -> tuple[str, bool] | None:
    """A DBF field name as UTF-8 (its 10 bytes may end inside a character: GDAL cuts a
    longer name there): (the name without the broken tail, whether it was cut), or None
    if it is not UTF-8 at all."""
    for k in range(4):
        try:
            return raw[:len(raw) - k].decode("utf-8"), k > 0
        except UnicodeDecodeError:
            continue
    return None


def _dbf_names(dbf: Path) -> list[bytes] | None:
    """The field names of a DBF's header, as bytes (None if the header is not one)."""
    import struct

    with open(dbf, "rb") as fh:
        head = fh.read(32)
        if len(head) < 32:
            return None
        size = struct.unpack("<H", head[8:10])[0]
        if not 33 <= size <= 32 * 2048:
            return None
        desc = fh.read(size - 32)
    names = []
    for i in range(0, len(desc) - 31, 32):
        if desc[i] == 0x0D:
            break
        names.append(desc[i:i + 11].split(b"\0", 1)[0])
    return names


def _cut_match(cut: str, kind: str, mapping: dict[str, str]) -> tuple[str | None, list[str]]:
    """The header a name cut short stands for: the one field whose mapped header or
    built-in alias starts with it (the mapping's header, else the first such alias in
    priority order), or None with the headers it could be (none, or several fields')."""
    from etl.aliases import FIELDS, norm

    key = norm(cut)
    hits = [(f, h) for f, h in mapping.items() if norm(h).startswith(key)]
    hits += [(f, a) for f, aliases in FIELDS.get(kind, {}).items() for a in aliases
             if norm(a).startswith(key) and f not in mapping]
    if len({f for f, _ in hits}) == 1:
        return hits[0][1], [h for _, h in hits]
    return None, [h for _, h in hits]


def _is_header(name: str, kind: str, mapping: dict[str, str]) -> bool:
    """Whether ``name`` is a mapped header or a built-in alias as it stands."""
    from etl.aliases import FIELDS, norm

    key = norm(name)
    return any(norm(h) == key for h in mapping.values()) or any(
        norm(a) == key for aliases in FIELDS.get(kind, {}).values() for a in aliases)


CUT_ADVICE = ("rename the fields to at most 3 Chinese characters (a DBF field name holds 10 "
              "bytes, a Chinese character takes 3 in UTF-8) or export the layer as GeoPackage")


def _read_cut_names(src: SourceConfig, fmt: str, path: str, folder: Path,
                    layer: str | None, exc: LoadError):
    """A UTF-8 DBF whose Chinese field names GDAL cut at 10 bytes, inside a character
    (网格编号 is 12 bytes: '网格编' and one byte of '号'): Python cannot decode the names,
    so the layer is read again byte for byte (as ISO-8859-1) and decoded here, each cut
    name without its broken tail and matched by prefix to the mapping's header or a
    built-in alias when it stands for one field only ('网格编' -> 网格编号). A cut name
    that could be several fields', or two names that come out the same, stop the load
    naming them; a cut name that matches nothing keeps its prefix (the missing-column
    message, if the load needed it, says why)."""
    dbf = _layer_file(folder, layer, ".dbf")
    raw = _dbf_names(dbf) if dbf is not None else None
    decoded = [_utf8_cut(n) for n in raw] if raw else None
    if not decoded or None in decoded or not any(c for _, c in decoded):
        raise exc
    gdf = _read_layer(src, fmt, path, layer, "ISO-8859-1", force_encoding=True)
    attrs = [c for c in gdf.columns if c != gdf.geometry.name]
    if len(attrs) != len(decoded):
        raise exc
    names, cut_names = [], {}
    for n, (name, cut) in zip(raw, decoded):
        if not cut:
            # a name of 10 bytes may have been cut between characters ('村(社区' of
            # 村(社区)): read as the one field it is the start of, if it is no header as such
            full = _cut_match(name, src.kind, src.columns)[0] \
                if len(n) == 10 and not _is_header(name, src.kind, src.columns) else None
            if full is not None and full != name:
                cut_names[name + "…"] = full
            names.append(full or name)
            continue
        full, could = _cut_match(name, src.kind, src.columns)
        if full is None and could:
            raise LoadError(f"{src.path}: the DBF field name '{name}…' was cut at 10 bytes "
                            f"inside a character, and it could be {' or '.join(could)}: "
                            f"{CUT_ADVICE}")
        cut_names[name + "…"] = full
        names.append(full or name)
    seen: dict[str, str] = {}
    for (name, cut), new in zip(decoded, names):
        if new in seen:
            raise LoadError(f"{src.path}: the DBF field names {seen[new]!r} and "
                            f"{name + ('…' if cut else '')!r} "
                            f"read as {new!r} (names cut at 10 bytes inside a character "
                            f"cannot be told apart): {CUT_ADVICE}")
        seen[new] = name + ("…" if cut else "")

    def utf8(v):
        if not isinstance(v, str):
            return v
        text = _utf8_cut(v.encode("latin-1"))
        return text[0] if text is not None else v.encode("latin-1").decode("utf-8", "replace")

    for c in attrs:
        if gdf[c].dtype == object:
            gdf[c] = gdf[c].map(utf8)
    gdf = gdf.rename(columns=dict(zip(attrs, names)))
    gdf.attrs["cut_field_names"] = cut_names
    return gdf


def _misread(text: str) -> tuple[str, str] | None:
    """``text`` as bytes GDAL decoded as Latin-1 (a DBF without a usable .cpg): (the codec
    it was, the text it was) - UTF-8 (``'ç½\x91æ\xa0¼'`` -> ``'网格'``) or GBK
    (``'Íø¸ñ±àºÅ'`` -> ``'网格编号'``) - or None if it is not that."""
    if not any("\x80" <= c <= "\xff" for c in text) or any(c > "\xff" for c in text):
        return None
    raw = text.encode("latin-1")
    for codec in ("utf-8", "gb18030"):
        try:
            fixed = raw.decode(codec)
        except UnicodeError:
            continue
        if any("\u4e00" <= c <= "\u9fff" for c in fixed) and \
                not any("\ue000" <= c <= "\uf8ff" for c in fixed):
            return ("utf-8" if codec == "utf-8" else "gbk"), fixed
    return None


def _first_misread(gdf) -> tuple[str, str, str] | None:
    texts = [str(c) for c in gdf.columns]
    for col in gdf.columns:
        if gdf[col].dtype == object:
            texts += [v for v in gdf[col].head(50) if isinstance(v, str)]
    for t in texts:
        found = _misread(t)
        if found:
            return t, *found
    return None


def _layer_cpg(folder: Path, layer: str | None) -> str | None:
    """The text of the .cpg beside the layer's .shp in ``folder`` (the only .shp, or the
    one named ``layer``), or None."""
    shps = [p for p in folder.iterdir() if p.suffix.lower() == ".shp"]
    if layer is not None:
        shps = [p for p in shps if p.stem.lower() == layer.lower()]
    if len(shps) != 1:
        return None
    cpg = [p for p in folder.iterdir()
           if p.suffix.lower() == ".cpg" and p.stem.lower() == shps[0].stem.lower()]
    if not cpg:
        return None
    return cpg[0].read_bytes()[:200].decode("latin-1").strip()


def cpg_codec(text: str) -> str | None:
    """A Python codec for a .cpg's text: a code page in any spelling ("936", "ANSI 936",
    "CP936", "Windows-936") or a codec name ("GBK", "UTF-8"); None if it names none."""
    import codecs
    import re

    m = re.fullmatch(r"(?:ANSI|CP|WINDOWS|MS|IBM)?[\s_-]*(\d{3,5})", text, re.I)
    name = f"cp{m.group(1)}" if m else text
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _dbf_text(src: SourceConfig, fmt: str, gdf, cpg: str | None, reread):
    """A Shapefile's DBF whose .cpg is missing (nor ``encoding =``) or is a spelling GDAL
    does not read ("ANSI 936") is read as Latin-1: headers and names come out as mojibake,
    and the load would match no column, or store the mojibake. A .cpg that names a code
    page is read again with it; otherwise stop naming an example, what it is (GBK or
    UTF-8) and the line to add."""
    if src.encoding or fmt not in ("shapefile", "shapefile-zip"):
        return gdf
    found = _first_misread(gdf)
    if found is None:
        return gdf
    codec = cpg_codec(cpg) if cpg else None
    if codec:
        again = reread(codec)
        if _first_misread(again) is None:
            return again
    text, enc, fixed = found
    cpg_said = "has no .cpg" if cpg is None else f"has a .cpg saying {cpg!r}"
    raise LoadError(f"{src.path}: the DBF text reads as Latin-1 ({text!r}); it is "
                    f"{'GBK' if enc == 'gbk' else 'UTF-8'} ({fixed!r}) and the layer "
                    f"{cpg_said}: declare encoding = \"{enc}\" in the load config")


def _check_lonlat_range(src: SourceConfig, geoms: np.ndarray, crs: str | None) -> None:
    """A projected layer (Gauss-Krüger metres) saved without its CRS claims to be lon/lat;
    its coordinates give it away. Stop with the range and how to declare the CRS. The other
    way round, a layer of degrees declared in a projected CRS would land by the equator."""
    import shapely

    from etl.geom import finite_coordinates

    if not len(geoms):
        return
    present = np.array([g is not None for g in geoms], dtype=bool) & finite_coordinates(geoms)
    if not present.any():
        return
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms[present])
    if not np.isfinite([xmin, ymin, xmax, ymax]).all():
        return
    if is_projected_crs(crs):
        if -180 <= xmin and xmax <= 180 and -90 <= ymin and ymax <= 90:
            raise LoadError(f"{src.path}: coordinates x {xmin:,.4f} … {xmax:,.4f}, y "
                            f"{ymin:,.4f} … {ymax:,.4f} are longitude/latitude, but the "
                            f"layer is declared as {crs}, {DEGREES_IN_PROJECTED} (or fix the "
                            "layer's .prj)")
        return
    if not is_lonlat_crs(crs) or (-180 <= xmin and xmax <= 180 and -90 <= ymin and ymax <= 90):
        return
    if -90 <= xmin and xmax <= 90 and -180 <= ymin and ymax <= 180 and \
            (ymin < -90 or ymax > 90):
        raise LoadError(f"{src.path}: coordinates x {xmin:,.4f} … {xmax:,.4f}, y {ymin:,.4f} "
                        f"… {ymax:,.4f}: y is past ±90, so the layer holds latitude/longitude "
                        "the wrong way round (x must be the longitude); export it again "
                        "with x = longitude, y = latitude")
    said = f"declared as {crs}" if crs else "no CRS declared"
    raise LoadError(f"{src.path}: coordinates x {xmin:,.1f} … {xmax:,.1f}, y {ymin:,.1f} … "
                    f"{ymax:,.1f} are not longitude/latitude ({said}): the layer is in a "
                    f"projected CRS; declare it in the load config, "
                    f"{gauss_kruger_hint(xmin, xmax)}")


def _check_converted(src: SourceConfig, before: np.ndarray, geoms: np.ndarray,
                     crs: str | None) -> None:
    """Coordinates that do not convert to longitude/latitude (a layer declared in another
    CRS than its own: Gauss-Krüger zone 39's eastings read as CM 120E's come out infinite)
    stop the load naming the CRS, instead of an error of the repair further on."""
    import shapely

    from etl.geom import finite_coordinates

    # shapes broken in the file (a NaN or infinite vertex) are bad_geometry rows, not this
    present = np.array([g is not None and not g.is_empty for g in geoms], dtype=bool) \
        & finite_coordinates(before)
    if not present.any():
        return
    bounds = shapely.bounds(geoms[present])
    ok = np.isfinite(bounds).all(axis=1) & (bounds[:, 0] >= -180) & (bounds[:, 2] <= 180) \
        & (bounds[:, 1] >= -90) & (bounds[:, 3] <= 90)
    if ok.all():
        return
    xmin, _, xmax, _ = shapely.total_bounds(before[present][~ok])
    raise LoadError(f"{src.path}: coordinates x {xmin:,.1f} … {xmax:,.1f} do not convert "
                    f"from {crs} to longitude/latitude ({int((~ok).sum()):,} of "
                    f"{int(present.sum()):,} shapes): the layer is in another CRS; "
                    f"{gauss_kruger_hint(xmin, xmax)}")


def read_polygons(src: SourceConfig) -> PolygonData:
    """Read ``src``; LoadError if the file cannot be read at all."""
    if not src.file.exists():
        raise LoadError(f"{src.path}: file not found ({src.file})")
    if src.file.is_dir():
        raise LoadError(f"{src.path}: is a folder, not a file ({src.file})")
    fmt = polygon_format(src)
    if fmt == "geoparquet":
        import geopandas as gpd

        try:
            gdf = gpd.read_parquet(src.file)
        except ValueError as exc:
            raise LoadError(f"{src.path}: not a GeoParquet file ({exc})") from None
        except Exception as exc:
            raise LoadError(f"{src.path}: not a readable Parquet file ({exc})") from None
    else:
        gdf = _read_ogr(src, fmt)
    if getattr(gdf, "geometry", None) is None:
        raise LoadError(f"{src.path}: the layer has no geometry column")
    file_crs = gdf.crs.to_string() if gdf.crs is not None else None
    crs = src.crs or file_crs
    # Z and M (a PolygonZ Shapefile, a GeoJSON with heights) are dropped: the wall is a map
    # and the stored shapes are 2D whatever CRS the file declares (a 3D one was converted
    # to 2D on the way, EPSG:4326 itself was stored with its Z)
    geoms = shapely.force_2d(np.asarray(gdf.geometry.values, dtype=object))
    _check_lonlat_range(src, geoms, crs)
    try:
        converted = geoms_to_wgs84(geoms, crs)
    except Exception as exc:
        raise LoadError(f"{src.path}: cannot convert from CRS {crs} to WGS84 ({exc})") from None
    _check_converted(src, geoms, converted, crs)
    geoms = converted
    attrs = frame_text(pd.DataFrame(gdf.drop(columns=gdf.geometry.name)))
    info = {"format": fmt, "crs": crs or "EPSG:4326"}
    hint = ""
    cut = gdf.attrs.get("cut_field_names")
    if cut:     # the run report says which header each cut name was read as
        info["cut_field_names"] = cut
        lost = [k for k, v in cut.items() if v is None]
        if lost:
            hint = (f" (the DBF field names {', '.join(lost)} were cut at 10 bytes inside a "
                    f"character and match no field: {CUT_ADVICE})")
    return PolygonData(df=attrs, geoms=geoms, rows=np.arange(1, len(gdf) + 1, dtype=np.int64),
                       info=info, hint=hint)
