"""A county with a city's long names, for the screens' fit tests: a copy of a county database
renamed in the copy, the figures unchanged.

- every township 经济技术开发区 + name + 片区管理委员会 (17 characters and more) and every grid
  经济技术开发区管委会 + name (18 and more): names that share a long prefix, as a city's
  development zone exports them;
- categories (10 to 14 characters), departments (15 and more), dispute types, villages and
  cameras long too, but with nothing shared by all of them: they must fit as they are;
- a grid worker's name with a middle dot (阿卜杜热合曼);
- the newest events' descriptions as long as a 12345 hotline case's (600 characters and more).

Used by tests/browser/test_long_names.py and by hand for screenshots:

    python -m tests.long_names SRC.duckdb OUT.duckdb
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import duckdb

GRID_PREFIX = "经济技术开发区管委会"
TOWN_PREFIX = "经济技术开发区"
TOWN_SUFFIX = "片区管理委员会"
CAMERA_PREFIX = "公安视频专网高清球机"       # on about half the cameras
# a 12345 hotline case as the call-taker typed it: one sentence of it is 60 characters
HOTLINE_SENTENCE = ("来电人反映其所在小区楼下商铺长期占道经营并在夜间产生噪音，多次向物业及社区反映"
                    "均未得到解决，严重影响附近居民的正常休息，")
LONG_DESCRIPTION = HOTLINE_SENTENCE * 10 + "诉求尽快处理。"
NEWEST_LONG = 10        # the newest events (the live list's first rows) carry it
# the demo's categories, the longest kinds a county might name (灾情疫情, 信访 stay short)
CATEGORIES = {
    "矛盾纠纷": "矛盾纠纷排查化解（邻里家庭）",
    "城市管理": "城市管理违法违规行为投诉",
    "环境卫生": "环境卫生与垃圾分类专项整治",
    "安全隐患": "安全生产与消防安全隐患排查",
    "民生诉求": "民生诉求及社会保障服务事项",
    "市场监管": "市场监管领域消费维权投诉",
    "治安问题": "社会治安问题线索",
    "事故": "道路交通及其他安全生产事故",
}


def _case(column: str, mapping: dict[str, str]) -> str:
    whens = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in mapping.items())
    return f"CASE {column} {whens} ELSE {column} END"


def lengthen(db: Path) -> None:
    """Rename in place (events and the daily rollup alike, so every screen reads the same
    kinds)."""
    con = duckdb.connect(str(db))
    try:
        for sql in (
            f"UPDATE townships SET township_name = '{TOWN_PREFIX}' || township_name"
            f" || '{TOWN_SUFFIX}'",
            f"UPDATE grids SET grid_name = '{GRID_PREFIX}' || grid_name,"
            " grid_worker = grid_worker || '·阿卜杜热合曼'",
            "UPDATE villages SET village_name = village_name || '股份经济合作社'",
            "UPDATE events SET department = CASE WHEN unicode(department) % 2 = 0"
            " THEN '嵊州市综合行政执法局城市管理' || department"
            " ELSE department || '综合治理与平安建设工作站' END WHERE department IS NOT NULL",
            f"UPDATE events SET category = {_case('category', CATEGORIES)},"
            " subcategory = subcategory || '及其他相关事项'",
            f"UPDATE daily_rollup SET category = {_case('category', CATEGORIES)}",
            "UPDATE cameras SET name = CASE WHEN unicode(name) % 2 = 0"
            f" THEN '{CAMERA_PREFIX}' || name ELSE name || '（雪亮工程二期）' END",
            "UPDATE events SET description = description || ?"
            " WHERE event_id IN (SELECT event_id FROM events ORDER BY reported_at DESC"
            f" LIMIT {NEWEST_LONG})",
            "UPDATE mediation SET dispute_type = CASE WHEN unicode(dispute_type) % 2 = 0"
            " THEN dispute_type || '及相关赔偿纠纷' ELSE '涉农' || dispute_type || '矛盾' END",
        ):
            con.execute(sql, [LONG_DESCRIPTION] if "?" in sql else None)
    finally:
        con.close()


def long_copy(src: Path, out: Path) -> Path:
    """``src`` copied to ``out`` and lengthened (the source file untouched)."""
    shutil.copy(src, out)
    lengthen(out)
    return out


if __name__ == "__main__":
    print(long_copy(Path(sys.argv[1]), Path(sys.argv[2])))
