"""The late list's caption counts every department's late cases, not only the 30 listed; the
ones left off are said under the list (a city has hundreds of departments)."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.analysis.late_panel import ROWS, view

AS_OF = dt.datetime(2025, 6, 15, 23, 0)


def _dept(i: int) -> dict:
    return {"department": f"部门{i:02d}", "red": 2 if i < 10 else 1, "yellow": 1,
            "total": 3 if i < 10 else 2, "oldest": pd.Timestamp("2025-06-01"),
            "max_overdue_hours": 10.0, "worst_grid": "第一网格", "worst_grid_id": f"G{i}",
            "worst_grid_n": 1}


def test_the_caption_counts_every_department_and_says_the_ones_left_off():
    df = pd.DataFrame([_dept(i) for i in range(ROWS + 12)])
    body, caption = view(df, AS_OF)
    red, yellow = int(df["red"].sum()), int(df["yellow"].sum())      # 20 + 32, 42
    assert f"红线 {red} · 黄线 {yellow}" in caption
    assert "红线多者在前" in caption and "点击件数" in caption
    assert len(body[0].children.children[1].children) == ROWS
    # below the list: the line analysis.js fills with the listed rows out of view (另有N个部门),
    # then the departments not listed, worded apart so the two counts never read as one
    assert body[1].className == "an-late-more" and not body[1].children
    assert body[2].children.startswith(f"前{ROWS}个之外还有12个部门未列出（红线 12 · 黄线 12）")
    assert "另有" not in body[2].children


def test_a_short_list_has_no_rest_line():
    body, caption = view(pd.DataFrame([_dept(i) for i in range(3)]), AS_OF)
    assert len(body) == 2 and "红线 6 · 黄线 3" in caption     # the list and its 另有N line


def test_a_citys_counts_read_with_thousands_separators():
    """475935 read digit by digit beside 共 822,405 件 in the list's caption: the late list's
    counts, caption and rest line print 475,935 as the page's other captions do."""
    big = [{**_dept(i), "red": 475_935 if i == 0 else 1_200, "yellow": 2_673,
            "worst_grid_n": 1_386} for i in range(ROWS + 2)]
    body, caption = view(pd.DataFrame(big), AS_OF)
    assert "红线 513,135 · 黄线 85,536" in caption
    first = body[0].children.children[1].children[0].children
    assert first[1].children == "475,935" and first[2].children == "2,673"
    assert first[4].children[1] == " 1,386件"
    assert "（红线 2,400 · 黄线 5,346）" in body[2].children
