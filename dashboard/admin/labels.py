"""Chinese labels of the admin page (reasons from etl/rejects.py, count columns, roles)."""
from __future__ import annotations

REASON_ZH = {
    "missing_id": "缺少编号", "missing_time": "缺少时间", "bad_time": "时间无法识别或过早",
    "future_time": "时间在未来", "missing_category": "缺少类型", "unknown_category": "未知类型",
    "bad_coordinates": "坐标无效", "outside_county": "位于县域外",
    "missing_location": "缺少位置", "unknown_grid": "未知网格",
    "closed_before_reported": "办结早于上报", "duplicate_conflict": "重复编号且内容冲突",
    "bad_value": "数值无效", "unknown_township": "未知镇街", "bad_geometry": "图形无效",
    "malformed_row": "字段数不符",
}
ROLE_ZH = {"wall": "大屏", "officer": "业务人员", "admin": "管理员"}
COUNT_ZH = (("rows_read", "读取"), ("new", "新增"), ("updated", "更新"), ("unchanged", "未变"),
            ("duplicates", "重复"), ("rejected", "拒收"))
