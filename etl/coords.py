"""Point coordinates of a table row -> WGS84 lon/lat, with a state per row.

Sources give lon/lat columns, x/y in a declared projected CRS, a "(lat, lon)" / "POINT (lon
lat)" text column (``point =`` in the config), or a GeoJSON point geometry. GCJ-02 / BD-09
are converted with etl.chinacrs, any other CRS with pyproj (always_xy).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyproj

from etl import chinacrs
from etl.errors import LoadError, config_error
from etl.geom import (DEGREES_IN_PROJECTED, gauss_kruger_hint, is_lonlat_crs, transformer,
                      xform)

NONE, OK, BAD = 0, 1, 2
_PAREN = r"^\(?\s*(?P<a>[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)\s*[,，\s]\s*(?P<b>[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)\s*\)?$"
_WKT = r"^POINT\s*\(\s*(?P<a>[-+]?[\d.eE+-]+)\s+(?P<b>[-+]?[\d.eE+-]+)\s*\)$"


@dataclass
class Points:
    lon: np.ndarray
    lat: np.ndarray
    state: np.ndarray          # NONE | OK | BAD
    detail: np.ndarray         # text for BAD rows (object array, "" elsewhere)


def _num(s: pd.Series) -> np.ndarray:
    """Text -> float64 (NaN where not a number). Arrow's C++ cast first (a column of plain
    numbers, the usual case); any cell it refuses sends the column through pandas."""
    arr = getattr(s.array, "_pa_array", None)
    if isinstance(arr, pa.ChunkedArray) and (pa.types.is_string(arr.type)
                                             or pa.types.is_large_string(arr.type)):
        try:
            blank = pc.equal(pc.utf8_trim_whitespace(arr), "")
            nums = pc.cast(pc.if_else(blank, pa.scalar(None, arr.type), arr), pa.float64())
            return nums.to_numpy(zero_copy_only=False).astype("float64")
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    return pd.to_numeric(s, errors="coerce").astype("float64").to_numpy(na_value=np.nan)


def _parse_point_text(text: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """'(lat, lon)' (the SF311 style) or WKT 'POINT (lon lat)' -> (x=lon, y=lat, empty)."""
    t = text.astype(object).fillna("").str.strip()
    empty = (t == "").to_numpy()
    par = t.str.extract(_PAREN)
    wkt = t.str.upper().str.extract(_WKT)
    lat = _num(par["a"])
    lon = _num(par["b"])
    use_wkt = np.isnan(lon) & ~np.isnan(_num(wkt["a"]))
    lon = np.where(use_wkt, _num(wkt["a"]), lon)
    lat = np.where(use_wkt, _num(wkt["b"]), lat)
    return lon, lat, empty


def _example(x: np.ndarray, y: np.ndarray, which: np.ndarray, fmt: str) -> str:
    i = int(np.flatnonzero(which)[0])
    return f"{x[i]:{fmt}}, {y[i]:{fmt}}"


def _refuse_projected(off: np.ndarray, numeric: np.ndarray, x: np.ndarray, y: np.ndarray,
                      crs: str | None, where: str, label: str) -> None:
    """Coordinates read as degrees that are mostly far past ±180/±90 are metres or feet of a
    projected CRS the load config did not declare (a city's state-plane X/Y, a CGCS2000
    Gauss-Krüger export): a config error that stops the load by name, not a file of rows
    each rejected bad_coordinates. Such rows among good ones stay rejects, and so do a
    small file's (below CONFIG_ERROR_MIN)."""
    n_off, n_num = int(off.sum()), int(numeric.sum())
    if config_error(n_off, n_num):
        i = int(np.flatnonzero(off)[0])
        if (np.abs(x[off]) <= 90).all() and (np.abs(y[off]) <= 180).all():
            # latitude past ±90 that would be a longitude: the columns are the wrong way
            # round (a lon 29.6 / lat 120.8 export), not a projected CRS
            raise LoadError(f"{where}: {n_off:,} of {n_num:,} points have a latitude past "
                            f"±90 (e.g. lon {x[i]:g}, lat {y[i]:g}): longitude and latitude "
                            "look swapped; map lon and lat the other way round in "
                            "[source.columns] of the load config")
        read_as = {None: "WGS84 degrees"}.get(crs, f"{crs} degrees")
        hint = gauss_kruger_hint(float(x[off].min()), float(x[off].max()))
        if hint.startswith("e.g. "):
            hint += ' or crs = "EPSG:2227" (a US state plane in feet: take the city\'s)'
        raise LoadError(f"{where}: {n_off:,} of {n_num:,} points are not degrees in {label} "
                        f"(e.g. {x[i]:,.2f}, {y[i]:,.2f}; read as {read_as}): they look "
                        f"projected; declare their CRS in the load config, {hint}")


def _refuse_degrees(numeric: np.ndarray, x: np.ndarray, y: np.ndarray, crs: str, where: str,
                    label: str) -> None:
    """The other way round: a source declared in a projected CRS (Gauss-Krüger metres, a
    state plane's feet) whose values are nearly all within ±180/±90 holds longitude/latitude
    degrees; converted as metres they would land by the equator and off the origin, every
    row an outside_county reject. Stop by name (as a polygon layer's bounds do)."""
    deg = numeric & (np.abs(x) <= 180) & (np.abs(y) <= 90)
    n_deg, n_num = int(deg.sum()), int(numeric.sum())
    if config_error(n_deg, n_num):
        raise LoadError(f"{where}: {n_deg:,} of {n_num:,} points in {label} are "
                        f"longitude/latitude (e.g. {_example(x, y, deg, 'g')}), but the source "
                        f"is declared as {crs}, {DEGREES_IN_PROJECTED} (the degrees are "
                        'WGS84), or declare their own, e.g. crs = "EPSG:4490" (CGCS2000) or '
                        'crs = "gcj02"')


def _refuse_unconverted(after: np.ndarray, ok: np.ndarray, x: np.ndarray, y: np.ndarray,
                        crs: str, where: str, label: str) -> None:
    """Projected coordinates that nearly all fail to convert to longitude/latitude are in
    another CRS than the one declared (Gauss-Krüger zone 40's eastings read as CM 120E's
    come out infinite), as a polygon layer's do."""
    n_bad, n_ok = int(after.sum()), int(ok.sum())
    if config_error(n_bad, n_ok):
        raise LoadError(f"{where}: {n_bad:,} of {n_ok:,} points in {label} (e.g. "
                        f"{_example(x, y, after, ',.1f')}) do not convert from {crs} to "
                        "longitude/latitude: they are in another CRS; "
                        f"{gauss_kruger_hint(float(x[after].min()), float(x[after].max()))}")


def _label(headers: dict[str, str] | None, cols: dict, point: bool, geometry: bool) -> str:
    """The columns a source's points come from, as the messages name them."""
    headers = headers or {}
    if point:
        return f"column {headers.get('point', 'point')!r}"
    for a, b in (("lon", "lat"), ("x", "y")):
        if cols.get(a) is not None and cols.get(b) is not None:
            return f"columns {headers.get(a, a)!r}/{headers.get(b, b)!r}"
    return "the point geometry" if geometry else "the coordinates"


def read_points(cols: dict[str, pd.Series | None], crs: str | None,
                point_text: pd.Series | None = None,
                geometry_xy: tuple[np.ndarray, np.ndarray] | None = None,
                where: str = "points", headers: dict[str, str] | None = None) -> Points:
    """Build WGS84 points from whichever location columns the source has.

    ``cols`` maps lon/lat/x/y to text Series (or None when the column is absent). ``where``
    names the source in a LoadError (coordinates that look projected, no crs declared;
    degrees declared projected; projected values that do not convert from the declared
    CRS), ``headers`` the columns (canonical field or ``point`` -> source header).
    """
    if point_text is not None:
        x, y, empty = _parse_point_text(point_text)
        raw_a, raw_b = point_text.astype(object).fillna(""), None
        both_empty = empty
        one_empty = np.zeros(len(x), dtype=bool)
        unparsed = ~empty & (np.isnan(x) | np.isnan(y))
    else:
        if cols.get("lon") is not None and cols.get("lat") is not None:
            a, b = cols["lon"], cols["lat"]
        elif cols.get("x") is not None and cols.get("y") is not None:
            a, b = cols["x"], cols["y"]
        elif geometry_xy is not None:
            gx, gy = geometry_xy
            a = pd.Series(np.where(np.isnan(gx), "", gx.astype(str)), dtype=object)
            b = pd.Series(np.where(np.isnan(gy), "", gy.astype(str)), dtype=object)
        else:
            n = len(next((c for c in cols.values() if c is not None), []))
            return Points(np.full(n, np.nan), np.full(n, np.nan),
                          np.full(n, NONE, dtype=np.int8), np.full(n, "", dtype=object))
        a = a.fillna("")
        b = b.fillna("")
        ea, eb = (a == "").to_numpy(), (b == "").to_numpy()
        both_empty = ea & eb
        one_empty = ea ^ eb
        x, y = _num(a), _num(b)
        unparsed = ~both_empty & ~one_empty & (np.isnan(x) | np.isnan(y) | ~np.isfinite(x)
                                               | ~np.isfinite(y))
        raw_a, raw_b = a, b
    if crs not in (None, "gcj02", "bd09") and pyproj.CRS.from_user_input(crs).equals(
            pyproj.CRS.from_epsg(4326), ignore_axis_order=True):
        crs = None
    n = len(x)
    state = np.full(n, OK, dtype=np.int8)
    state[both_empty] = NONE
    bad = one_empty | unparsed
    label = _label(headers, cols, point_text is not None,
                   geometry_xy is not None)
    lonlat = is_lonlat_crs(crs)
    if lonlat:
        off = ~both_empty & ~bad & ((np.abs(x) > 180) | (np.abs(y) > 90))
        _refuse_projected(off, ~both_empty & ~bad, x, y, crs, where, label)
        bad |= off
    else:
        _refuse_degrees(~both_empty & ~bad, x, y, crs, where, label)
    ok = ~both_empty & ~bad
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    if ok.any():
        if crs in ("gcj02", "bd09"):
            lo, la = chinacrs.to_wgs84(crs, x[ok], y[ok])
        elif crs is None:
            lo, la = x[ok], y[ok]
        else:
            tr = transformer(crs, "EPSG:4326")
            lo, la = xform(tr, x[ok], y[ok])
        lon[ok], lat[ok] = lo, la
        after = ok & (~np.isfinite(lon) | ~np.isfinite(lat) | (np.abs(lon) > 180)
                      | (np.abs(lat) > 90))
        if not lonlat:
            _refuse_unconverted(after, ok, x, y, crs, where, label)
        bad |= after
        lon[after] = np.nan
        lat[after] = np.nan
    state[bad] = BAD
    detail = np.full(n, "", dtype=object)
    if bad.any():
        ia = raw_a[bad].astype(object).astype(str).tolist()
        if raw_b is None:
            detail[bad] = ["point: " + v for v in ia]
        else:
            label = "x/y" if (cols.get("lon") is None and cols.get("x") is not None) else "lon/lat"
            ib = raw_b[bad].astype(object).astype(str).tolist()
            detail[bad] = [f"{label}: {u}, {v}" for u, v in zip(ia, ib)]
    return Points(lon, lat, state, detail)
