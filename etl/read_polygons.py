"""Read a polygon layer (GeoJSON, GeoPackage, zipped Shapefile, GeoParquet) in WGS84.

Attributes come back as text like every other source; geometries are converted from the
layer's CRS (or the config's ``crs``, which wins: GCJ-02 files claim to be EPSG:4326).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from etl.config import SourceConfig
from etl.errors import LoadError
from etl.geom import geoms_to_wgs84
from etl.read_table import frame_text


@dataclass
class PolygonData:
    df: pd.DataFrame            # attributes as text
    geoms: np.ndarray           # shapely geometries in WGS84 (None where missing)
    rows: np.ndarray
    info: dict = field(default_factory=dict)

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


def _zip_path(src: SourceConfig) -> str:
    """The GDAL path of a zipped Shapefile: the zip itself, or the folder inside it that
    holds the .shp files (city portals zip "nynta2020_24b/nynta2020.shp"; GDAL reads only
    the zip's top level). macOS "__MACOSX/" resource copies are not layers."""
    import posixpath
    import zipfile

    base = f"/vsizip/{src.file.resolve()}"
    try:
        with zipfile.ZipFile(src.file) as z:
            names = z.namelist()
    except (zipfile.BadZipFile, OSError):
        return base                     # GDAL's own message names what is wrong
    shps = [n for n in names if n.lower().endswith(".shp")
            and not n.startswith("__MACOSX/") and not posixpath.basename(n).startswith("._")]
    folders = sorted({posixpath.dirname(n) for n in shps})
    if not shps or "" in folders:
        return base
    if src.layer is not None:
        folders = [d for d in folders if any(
            posixpath.dirname(n) == d
            and posixpath.splitext(posixpath.basename(n))[0] == src.layer for n in shps)] \
            or folders
    if len(folders) > 1:
        raise LoadError(f"{src.path}: the zip holds shapefiles in several folders "
                        f"({', '.join(folders)}); name one with layer = \"...\"")
    return f"{base}/{folders[0]}"


def _read_ogr(src: SourceConfig, fmt: str):
    import pyogrio

    path = _zip_path(src) if fmt == "shapefile-zip" else str(src.file)
    layer = src.layer
    try:
        if layer is None and fmt in ("gpkg", "shapefile-zip"):
            layers = pyogrio.list_layers(path)
            poly = [str(n) for n, t in layers if t is None or "Polygon" in str(t)]
            if len(layers) > 1:
                if len(poly) != 1:
                    raise LoadError(f"{src.path}: the file has several layers "
                                    f"({', '.join(str(n) for n, _ in layers)}); "
                                    "name one with layer = \"...\"")
                layer = poly[0]
        kwargs = {"layer": layer}
        if src.encoding:
            kwargs["encoding"] = src.encoding
        return pyogrio.read_dataframe(path, **kwargs)
    except LoadError:
        raise
    except Exception as exc:  # pyogrio/GDAL raise several error types
        raise LoadError(f"{src.path}: not a readable {fmt} file ({exc})") from None


def _is_lonlat(crs: str | None) -> bool:
    if crs in (None, "gcj02", "bd09"):
        return True
    import pyproj

    try:
        return pyproj.CRS.from_user_input(crs).is_geographic
    except pyproj.exceptions.CRSError:
        return False


def _check_lonlat_range(src: SourceConfig, geoms: np.ndarray, crs: str | None) -> None:
    """A projected layer (Gauss-Krüger metres) saved without its CRS claims to be lon/lat;
    its coordinates give it away. Stop with the range and how to declare the CRS."""
    import shapely

    if not _is_lonlat(crs) or not len(geoms):
        return
    present = np.array([g is not None for g in geoms], dtype=bool)
    if not present.any():
        return
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms[present])
    if not np.isfinite([xmin, ymin, xmax, ymax]).all():
        return
    if -180 <= xmin and xmax <= 180 and -90 <= ymin and ymax <= 90:
        return
    said = f"declared as {crs}" if crs else "no CRS declared"
    raise LoadError(f"{src.path}: coordinates x {xmin:,.1f} … {xmax:,.1f}, y {ymin:,.1f} … "
                    f"{ymax:,.1f} are not longitude/latitude ({said}): the layer is in a "
                    f"projected CRS; declare it in the load config, e.g. crs = \"EPSG:4549\" "
                    f"(CGCS2000 / 3-degree Gauss-Kruger CM 120E)")


def read_polygons(src: SourceConfig) -> PolygonData:
    """Read ``src``; LoadError if the file cannot be read at all."""
    if not src.file.exists():
        raise LoadError(f"{src.path}: file not found ({src.file})")
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
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    _check_lonlat_range(src, geoms, crs)
    try:
        geoms = geoms_to_wgs84(geoms, crs)
    except Exception as exc:
        raise LoadError(f"{src.path}: cannot convert from CRS {crs} to WGS84 ({exc})") from None
    attrs = frame_text(pd.DataFrame(gdf.drop(columns=gdf.geometry.name)))
    return PolygonData(df=attrs, geoms=geoms, rows=np.arange(1, len(gdf) + 1, dtype=np.int64),
                       info={"format": fmt, "crs": crs or "EPSG:4326"})
