"""One vocabulary: the Chinese labels of canonical values, for every screen and export.

The wall, the analysis page, the briefing and the CSV export all say a status, a card or a
warning the same way because they all read it here (labels of metric keys live beside their
definitions in :data:`store.metrics.LABELS_ZH`). The status words are the ones the source
systems use (待受理 / 处置中 …), so an officer reads what the event system shows.
"""
from __future__ import annotations

STATUS_ZH = {"reported": "待受理", "accepted": "已受理", "dispatched": "处置中",
             "closed": "已办结", "invalid": "无效"}
CARD_ZH = {"red": "红牌", "yellow": "黄牌", "green": "绿牌"}
WARNING_ZH = {"red": "红线示警", "yellow": "黄线提醒"}
