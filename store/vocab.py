"""One vocabulary: the Chinese labels of canonical values, for every screen and export.

The wall, the analysis page, the briefing and the CSV export all say a status, a card, a
warning, a handling level or a map measure the same way because they all read it here
(labels of metric keys live beside their definitions in :data:`store.metrics.LABELS_ZH`;
colours live in :mod:`dashboard.figures.theme`). The status words are the ones the source
systems use (待受理 / 处置中 …), so an officer reads what the event system shows.
"""
from __future__ import annotations

STATUS_ZH = {"reported": "待受理", "accepted": "已受理", "dispatched": "处置中",
             "closed": "已办结", "invalid": "无效"}
CARD_ZH = {"red": "红牌", "yellow": "黄牌", "green": "绿牌"}
WARNING_ZH = {"red": "红线示警", "yellow": "黄线提醒"}
# the level that handled an event (源头化解 counts grid and village)
LEVEL_ZH = {"grid": "网格", "village": "村社", "township": "镇街", "county": "县级"}
CAMERA_STATUS_ZH = {"online": "在线", "offline": "离线", "unknown": "状态未知"}
# what the map can colour its units by: key → (label, unit, decimals)
MAP_MEASURES = {
    "reported": ("事件数", "件", 0),
    "density": ("密度", "件/km²", 1),
    "open_backlog": ("在办积压", "件", 0),
    "red": ("红线示警", "件", 0),
}
# the map's layers, in the order of its toggles
MAP_LAYERS_ZH = {"townships": "镇街边界", "grids": "网格边界", "heat": "热力",
                 "cameras": "视频点位", "hotspots": "热点"}
