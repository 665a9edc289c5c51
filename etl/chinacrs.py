"""GCJ-02 (Amap, Tencent) and BD-09 (Baidu) <-> WGS84, vectorised with numpy.

These offset systems are not in pyproj. The forward formulas are the widely published ones
(as in googollee/eviltransform and wandergis/coordtransform); the inverses are iterated until
the round trip agrees to better than 1e-9 degrees instead of the usual one-step guess, which
is off by up to a few metres. Outside China (the usual bounding-box ``out_of_china`` rule)
GCJ-02 equals WGS84.
"""
from __future__ import annotations

import numpy as np

_A = 6378245.0                       # Krasovsky 1940 semi-major axis used by GCJ-02
_EE = 0.00669342162296594323         # its first eccentricity squared
_X_PI = np.pi * 3000.0 / 180.0
_TOL = 1e-10                         # iteration stop, degrees (well under the 1e-9 target)


def _arrays(lon, lat):
    return (np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64"))


def out_of_china(lon, lat) -> np.ndarray:
    """True where GCJ-02 applies no offset (the customary bounding box of China)."""
    lon, lat = _arrays(lon, lat)
    return ~((lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271))


def _delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The published GCJ-02 offset, with 9 sines and cosines instead of 12
    (sin 3a = 3 sin a - 4 sin³ a): the inverse evaluates it millions of times."""
    x = lon - 105.0
    y = lat - 35.0
    sx = np.sqrt(np.abs(x))
    s2x = np.sin(2.0 * np.pi * x)
    sx3 = np.sin(x / 3.0 * np.pi)
    sy3 = np.sin(y / 3.0 * np.pi)
    common = (20.0 * (3.0 * s2x - 4.0 * s2x * s2x * s2x) + 20.0 * s2x) * 2.0 / 3.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sx + common
            + (20.0 * (3.0 * sy3 - 4.0 * sy3 * sy3 * sy3) + 40.0 * sy3) * 2.0 / 3.0
            + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sx + common
            + (20.0 * (3.0 * sx3 - 4.0 * sx3 * sx3 * sx3) + 40.0 * sx3) * 2.0 / 3.0
            + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0)
    sinlat = np.sin(lat / 180.0 * np.pi)
    magic = 1.0 - _EE * sinlat * sinlat
    sqrtmagic = np.sqrt(magic)
    coslat = np.cos(lat / 180.0 * np.pi)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * coslat * np.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 -> GCJ-02 (unchanged outside China)."""
    lon, lat = _arrays(lon, lat)
    dlon, dlat = _delta(lon, lat)
    out = out_of_china(lon, lat)
    return np.where(out, lon, lon + dlon), np.where(out, lat, lat + dlat)


def _invert(forward, lon: np.ndarray, lat: np.ndarray, guess_lon: np.ndarray,
            guess_lat: np.ndarray, rounds: int) -> tuple[np.ndarray, np.ndarray]:
    """Solve ``forward(x) = (lon, lat)`` by fixed-point iteration from a guess, to 1e-10°.

    The iteration contracts by a factor q (≈ 1e-3 for these smooth offsets), so after a
    step with residual e the next point is within about q·e of the solution: it stops as
    soon as that bound, with q estimated from the last two residuals, is under 1e-10°.
    """
    xlon, xlat = guess_lon, guess_lat
    last = np.inf
    for _ in range(rounds):
        flon, flat = forward(xlon, xlat)
        elon, elat = lon - flon, lat - flat
        xlon = xlon + elon
        xlat = xlat + elat
        err = max(np.nanmax(np.abs(elon), initial=0.0), np.nanmax(np.abs(elat), initial=0.0))
        q = min(err / last, 0.5) if np.isfinite(last) and last > 0 else 0.5
        if err < _TOL or err * q < _TOL:
            break
        last = err
    return xlon, xlat


def gcj02_to_wgs84(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 -> WGS84 by fixed-point iteration until the forward map agrees to 1e-10°."""
    glon, glat = _arrays(lon, lat)
    return _invert(wgs84_to_gcj02, glon, glat, glon.copy(), glat.copy(), rounds=30)


def gcj02_to_bd09(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 -> BD-09 (Baidu's published forward formula)."""
    x, y = _arrays(lon, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _bd09_to_gcj02_guess(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = lon - 0.0065
    y = lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def bd09_to_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """BD-09 -> GCJ-02: the usual closed-form guess, refined so the round trip is exact."""
    blon, blat = _arrays(lon, lat)
    return _invert(gcj02_to_bd09, blon, blat, *_bd09_to_gcj02_guess(blon, blat), rounds=10)


def wgs84_to_bd09(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def to_wgs84(system: str, lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Convert from 'gcj02' or 'bd09' to WGS84."""
    if system == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    if system == "bd09":
        return bd09_to_wgs84(lon, lat)
    raise ValueError(f"unknown offset system {system!r}")
