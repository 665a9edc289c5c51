"""A plotly figure as the plain JSON values Dash sends for it, built without a JSON round trip.

``orjson.loads(pio.to_json(fig))`` deep-copies the figure, then asks narwhals about every
numpy array before encoding it as a typed array (``{"dtype": "f4", "bdata": ...}``), then
encodes and decodes the whole. The wall's map carries ~250 arrays (a township's click fills
are one trace per grid): ~30 ms a map, for every view every minute. Here numeric numpy
arrays are encoded directly, by plotly's own rules (``_plotly_utils.utils``:
int64/uint64 narrowed to the smallest type that holds them), and plain values are passed
through. Anything else (dates, pandas objects, float32 scalars, object arrays) takes
plotly's path for the whole figure, so the result is always what plotly would send:
tests/wall/test_figure_json.py compares both on every wall figure.
"""
from __future__ import annotations

import base64
import math

import numpy as np
import orjson
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from _plotly_utils.basevalidators import copy_to_readonly_numpy_array

# plotly.js typed-array names (_plotly_utils.utils.plotlyjsShortTypes)
_SHORT = {"int8": "i1", "uint8": "u1", "int16": "i2", "uint16": "u2", "int32": "i4",
          "uint32": "u4", "float32": "f4", "float64": "f8"}
_NARROW_INT = (np.int8, np.int16, np.int32)
_NARROW_UINT = (np.uint8, np.uint16, np.uint32)
# keys whose values plotly does not turn into typed arrays (_plotly_utils.utils.is_skipped_key)
_SKIPPED = frozenset(("geojson", "layer", "layers", "range"))
# plotly's lists of objects, which it leaves out when empty
_OBJECT_LISTS = frozenset(("annotations", "shapes", "images", "sliders", "updatemenus",
                           "selections", "tickformatstops", "rangebreaks", "buttons", "steps",
                           "dimensions"))


class _Unplain(Exception):
    """A value this module does not convert exactly as plotly would."""


def plain_figure(fig) -> dict:
    """``fig`` (a plotly Figure) as plain JSON values, equal to
    ``orjson.loads(pio.to_json(fig, validate=False, engine="orjson"))``."""
    try:
        return fast_figure(fig)
    except _Unplain:
        return orjson.loads(pio.to_json(fig, validate=False, engine="orjson"))


def fast_figure(fig) -> dict:
    """The direct conversion; raises ``_Unplain`` for a figure it cannot convert exactly."""
    if fig._frame_objs:
        raise _Unplain("frames")
    return _direct(fig._data, fig._layout)


def _direct(traces, layout: dict, spec: bool = False) -> dict:
    """Trace property dicts and the layout's as plain values (raises ``_Unplain``).
    ``spec``: written by hand, not read from plotly objects (see :func:`_value`)."""
    data = []
    for trace in traces:
        out = _value(trace, False, spec)
        out.pop("uid", None)            # pio.to_json(remove_uids=True)
        data.append(out)
    return {"data": data, "layout": _value(layout, False, spec)}


def plain_parts(traces: list, layout) -> dict:
    """``go.Figure(data=traces, layout=layout)`` as plain JSON values, without building the
    Figure (it copies every trace: half the time of a township's map with its ~250 click
    targets). A trace is a ``go`` trace or a plain trace dict (with its ``type``). Equal to
    ``plain_figure`` of that Figure (tests/wall/test_figure_json.py)."""
    try:
        return _direct((t if isinstance(t, dict) else t._props for t in traces), layout._props)
    except _Unplain:
        return plain_figure(go.Figure(data=traces, layout=layout, _validate=False))


def plain_dict(fig: dict) -> dict:
    """A figure written as plain dicts (``{"data": [trace dicts, each with its "type"],
    "layout": {...}}``, arrays as plotly keeps them: :func:`data_array`) as the JSON Dash
    sends, equal to ``plain_figure(go.Figure(fig))`` without building the Figure: plotly
    builds and validates an object per property (a bar chart ~8 ms, the wall draws six
    charts a view for every view every minute). The layout gets the default template, as
    a Figure's does. tests/wall/test_figure_dicts.py compares both for every chart."""
    try:
        out = _direct(fig.get("data", ()), fig.get("layout", {}), spec=True)
    except _Unplain:
        return plain_figure(go.Figure(fig))
    if "template" not in out["layout"]:
        template = default_template()
        if template is not None:
            out["layout"]["template"] = template
    return out


_TEMPLATES: dict = {}


def default_template() -> dict | None:
    """The JSON of the template a new Figure's layout gets (``pio.templates.default``), made
    once per default (about 6 kB of plain values, read-only: replies copy it)."""
    name = pio.templates.default
    key = name if isinstance(name, str) or name is None else id(name)
    if key not in _TEMPLATES:
        _TEMPLATES[key] = plain_figure(go.Figure())["layout"].get("template")
    return _TEMPLATES[key]


def data_array(values):
    """A data array (a trace's ``x``, ``y``, ``customdata``) as plotly keeps it after
    validation: a Series or an array as plotly's read-only numpy copy, anything else as it
    is; so :func:`plain_dict` encodes it as plotly would."""
    if isinstance(values, (np.ndarray, pd.Series, pd.Index)):
        return copy_to_readonly_numpy_array(values)
    return values


def _typed(v: np.ndarray) -> dict:
    dtype = v.dtype
    if dtype.kind in "iu" and dtype.itemsize == 8:   # never empty: _value lists those
        lo, hi = v.min(), v.max()
        for t in (_NARROW_INT if dtype.kind == "i" else _NARROW_UINT):
            info = np.iinfo(t)
            if lo >= info.min and hi <= info.max:
                v = v.astype(t)
                break
        else:
            raise _Unplain("int64 beyond int32")
    name = _SHORT.get(str(v.dtype))
    if name is None or v.dtype.byteorder == ">":
        raise _Unplain(f"array of {v.dtype}")
    out = {"dtype": name, "bdata": base64.b64encode(np.ascontiguousarray(v)).decode("ascii")}
    if v.ndim > 1:
        out["shape"] = str(v.shape)[1:-1]
    return out


def _as_list(v: np.ndarray) -> list:
    """What orjson writes for an array plotly did not encode, where ``tolist`` is exact
    (orjson writes a float32 by its shortest float32 text, which tolist does not give)."""
    if v.ndim != 1 or (v.dtype.kind not in "biu" and v.dtype != np.float64):
        raise _Unplain(f"plain array of {v.dtype}")
    return [None if isinstance(x, float) and (math.isnan(x) or math.isinf(x)) else x
            for x in v.tolist()]


def _value(v, skipped: bool, spec: bool = False):
    """``skipped``: under a key plotly leaves as it is (arrays there are plain lists).
    ``spec``: a dict written by hand, where an empty object or an empty list of objects
    (``annotations=[]``) is what plotly drops: those take plotly's path."""
    if v is None or isinstance(v, (str, bool, int)):
        return v
    if isinstance(v, float):          # np.float64 too (a float subclass)
        return None if math.isnan(v) or math.isinf(v) else float(v)   # orjson writes null
    if isinstance(v, dict):
        if spec and not v:
            raise _Unplain("empty object")
        out = {}
        for k, x in v.items():
            if not isinstance(k, str):
                raise _Unplain("non-string key")
            if spec and k in _OBJECT_LISTS and not x:
                raise _Unplain(f"empty {k}")
            out[k] = _value(x, skipped or k in _SKIPPED, spec)
        return out
    if isinstance(v, (list, tuple)):
        return [_value(x, skipped, spec) for x in v]
    if isinstance(v, np.ndarray):
        if skipped or v.size == 0 or v.dtype.kind == "b":
            return _as_list(v)        # plotly leaves these arrays to orjson: a JSON list
        return _typed(v)
    if isinstance(v, (np.int64, np.int32, np.bool_)):    # np.float64 is a float (above)
        return _value(v.item(), skipped, spec)
    raise _Unplain(type(v).__name__)
