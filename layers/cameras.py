"""Camera points (视频点位): online quiet, unknown grey, offline in a warning colour on top."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from store.vocab import CAMERA_STATUS_ZH as STATUS_ZH


def cameras(
    df: pd.DataFrame,
    *,
    online_color: str = "#22c55e",
    offline_color: str = "#fb923c",
    unknown_color: str = "#64748b",
    size: float = 7,
    offline_size: float = 9,
    gl: bool = False,
    name_online: str = "视频在线",
    name_offline: str = "视频离线",
    name_unknown: str = "视频状态未知",
) -> list[go.Scatter]:
    """Marker traces for online, unknown (a source without a status), then offline cameras,
    skipping empty ones.

    ``df`` has ``lon``, ``lat``, ``status`` and optionally ``name``.

    Options (keyword-only):
        online_color (str, "#22c55e"), offline_color (str, "#fb923c"),
        unknown_color (str, "#64748b"): marker colours.
        size (float, 7), offline_size (float, 9): marker diameters in px.
        gl (bool, False): draw with Scattergl. Off by default: the few thousand cameras of a
            county draw fast in SVG, and WebGL is not guaranteed on a wall's browser.
        name_online, name_offline, name_unknown (str): trace names.
    """
    cls = go.Scattergl if gl else go.Scatter
    out = []
    for status, colour, sz, nm in (("online", online_color, size, name_online),
                                   ("unknown", unknown_color, size, name_unknown),
                                   ("offline", offline_color, offline_size, name_offline)):
        part = df[df["status"] == status]
        if part.empty:
            continue
        names = (part["name"].fillna("").astype(str) if "name" in part
                 else pd.Series([""] * len(part)))
        out.append(cls(
            x=part["lon"].to_numpy(dtype="float32"), y=part["lat"].to_numpy(dtype="float32"),
            mode="markers", name=nm, showlegend=False,
            hovertext=[f"{n}（{STATUS_ZH[status]}）" if n else STATUS_ZH[status] for n in names],
            hovertemplate="视频点位 %{hovertext}<extra></extra>",
            marker={"size": sz, "color": colour, "symbol": "x" if status == "offline" else "circle",
                    "line": {"color": "#040b1a", "width": 1}},
        ))
    return out
