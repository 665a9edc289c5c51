"""Window selector (时间窗口): presets 今日 / 近7天 / 本周 / 近30天 / 本月 and a custom range.

Chips only rewrite the URL (``gridwall.navigate`` reads which chip was clicked, or the custom range's dates
when 确定 is clicked), so the window is in the URL like the drill state and survives
refresh, tour and drill-down. The server marks the active chip and fills the date picker
with the window shown (its last day inclusive; the URL's ``end`` is the day after).
"""
from __future__ import annotations

import datetime as dt

from dash import dcc, html

from dashboard.wall.drill import WIN_APPLY, WIN_CHIP
from dashboard.wall.view import CUSTOM, PRESETS

CHIP = "gw-win-chip"
RANGE = "win-range"


def layout(ctx) -> html.Div:
    chips = [html.Span(label, id={"type": WIN_CHIP, "key": key}, n_clicks=0, className=CHIP,
                       title=f"时间窗口：{label}", **{"data-key": key})
             for key, label in PRESETS.items()]
    custom = html.Span("自选", id="win-custom", className=CHIP, title="自选起止日期",
                       **{"data-key": CUSTOM})
    pop = html.Div(id="win-pop", className="gw-win-pop gw-hidden", children=[
        dcc.DatePickerRange(id=RANGE, display_format="YYYY-MM-DD", month_format="YYYY年M月",
                            first_day_of_week=1, minimum_nights=0, number_of_months_shown=2,
                            start_date_placeholder_text="开始日期",
                            end_date_placeholder_text="结束日期", className="gw-win-range"),
        html.Button("确定", id=WIN_APPLY, n_clicks=0, className="gw-win-apply"),
    ])
    return html.Div([*chips, custom, pop], className="gw-win", id="win-bar")


def chip_classes(active: str) -> list[str]:
    return [CHIP + (" gw-win-active" if key == active else "") for key in PRESETS]


OUTPUTS = [({"type": WIN_CHIP, "key": key}, "className") for key in PRESETS] + [
    ("win-custom", "className"), (RANGE, "start_date"), (RANGE, "end_date")]
CACHE = False
# the date picker keeps what it has on the refresh tick (it would overwrite dates an operator
# is picking); the chips answer every time, so a view superseded by a tick still shows its own
KEEP_ON_REFRESH = (len(OUTPUTS) - 2, len(OUTPUTS) - 1)


def read(ctx, v) -> None:
    return None


def outputs(_data, v) -> list:
    last = v.end - dt.timedelta(days=1)
    custom = CHIP + (" gw-win-active" if v.window == CUSTOM else "")
    return [*chip_classes(v.window), custom, v.start.isoformat(), last.isoformat()]
