"""Turn simulated events into the export a county's event system gives: Chinese headers, local
times ``YYYY-MM-DD HH:MM:SS``, Amap (GCJ-02) coordinates, names and phones of reporters."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.demo import vocab
from etl.demo.events import SUB_NAMES, Raw
from etl.demo.gcj02 import wgs84_to_gcj02
from etl.demo.geometry import m_to_lonlat
from etl.demo.handling import SATISFACTION, STATUS, Handled
from etl.demo.people import names, phones
from etl.demo.territory import Territory

COLUMNS = ["事件编号", "上报时间", "事件类型", "事件小类", "来源渠道", "事件描述", "地址", "经度",
           "纬度", "所属镇街", "所属网格", "受理时间", "派单时间", "办结时间", "处置部门", "处置层级",
           "满意度", "状态", "是否督办", "上报人", "联系电话"]


def _take(values, idx: np.ndarray) -> pa.Array:
    """values[idx] as an Arrow string array; idx < 0 gives null."""
    arr = pa.array(list(values), pa.string())
    idx = np.asarray(idx)
    mask = idx < 0
    return arr.take(pa.array(np.where(mask, 0, idx), mask=mask))


def _ts(a: np.ndarray) -> pa.Array:
    return pa.array(a.astype("datetime64[s]"), pa.timestamp("s"))


def _short(township: str) -> str:
    for suffix in ("街道", "镇", "乡"):
        if township.endswith(suffix):
            return township[: -len(suffix)]
    return township


def _village_dept(template: str, village: str) -> str:
    """'{v}网格' -> '里坂村网格员'; '{v}村(居)委会' -> '里坂村村委会' / '城隍坊社区居委会'."""
    if template.endswith("村(居)委会"):
        rest = template.replace("{v}", village).removesuffix("村(居)委会")
        return rest + ("居委会" if village.endswith("社区") else "村委会")
    return template.replace("{v}", village) + ("员" if template.endswith("网格") else "")


def _departments(terr: Territory):
    """All department strings, and a base offset per (category, level, variant)."""
    towns = list(terr.townships["name"])
    vills = list(terr.villages["name"])
    strings: list[str] = []
    base: dict[tuple[int, int, int], tuple[int, str]] = {}
    n_var = np.zeros((len(vocab.CAT_NAMES), len(vocab.LEVELS)), np.int64)
    for ci, c in enumerate(vocab.CAT_NAMES):
        for li, templates in enumerate(vocab.DEPARTMENTS[c]):
            n_var[ci, li] = len(templates)
            for vi, t in enumerate(templates):
                if "{v}" in t:
                    base[ci, li, vi] = (len(strings), "v")
                    strings += [_village_dept(t, v) for v in vills]
                elif "{t}" in t:
                    base[ci, li, vi] = (len(strings), "t")
                    strings += [t.replace("{t}", _short(x)) for x in towns]
                else:
                    base[ci, li, vi] = (len(strings), "")
                    strings.append(t)
    return strings, base, n_var


def build_table(raw: Raw, channel: np.ndarray, reported: np.ndarray, h: Handled,
                terr: Territory, rng: np.random.Generator) -> pa.Table:
    """The events as an Arrow table in report order (already sorted by the caller)."""
    g = terr.grids
    n = len(raw.day)
    grid = raw.grid
    codes = list(terr.townships["code"])
    vcodes = list(terr.villages["code"])
    town = np.array([codes.index(c) for c in g["township_code"]])[grid]
    vill_of_grid = np.array([vcodes.index(c) for c in g["village_code"]])
    vill = vill_of_grid[grid]

    # ids: SZ + date + sequence within the day
    day = reported.astype("datetime64[D]")
    _, first, counts = np.unique(day, return_index=True, return_counts=True)
    seq = np.arange(n) - np.repeat(first, counts) + 1
    ymd = pc.strftime(_ts(reported), format="%Y%m%d")
    ids = pc.binary_join_element_wise(
        pa.array(np.full(n, "SZ")), ymd,
        pc.utf8_lpad(pc.cast(pa.array(seq), pa.string()), 6, "0"), "")

    # description: how it came in, where, what
    phrase_list, phrase_off, phrase_cnt = [], [], []
    for s in SUB_NAMES:
        p = vocab.PHRASES[s]
        phrase_off.append(len(phrase_list))
        phrase_cnt.append(len(p))
        phrase_list += p
    phrase_off, phrase_cnt = np.array(phrase_off), np.array(phrase_cnt)
    pidx = phrase_off[raw.sub] + (rng.random(n) * phrase_cnt[raw.sub]).astype(np.int64)
    vnames = list(terr.villages["name"])
    visit = (channel == 0) & np.isin(raw.cat, [vocab.CAT_NAMES.index(c)
                                              for c in vocab.VISIT_CATEGORIES])
    prefix = np.where(visit, len(vocab.CHANNEL_PREFIX) - 1, channel)
    desc = pc.binary_join_element_wise(
        _take(vocab.CHANNEL_PREFIX, prefix), _take(vnames, vill),
        _take(phrase_list, pidx), pa.array(np.full(n, "。")), "")

    # address: county, township, village, street and number in towns, house number in villages
    tnames = list(terr.townships["name"])
    is_comm = g["is_community"].to_numpy()[grid]
    street = np.where(is_comm, rng.integers(0, len(vocab.STREET_NAMES), n), -1)
    street_s = pc.fill_null(_take(vocab.STREET_NAMES, street), "")
    num = pc.cast(pa.array(rng.integers(1, 400, n)), pa.string())
    addr = pc.binary_join_element_wise(
        pa.array(np.full(n, "嵊州市")), _take(tnames, town), _take(vnames, vill), street_s, num,
        pa.array(np.full(n, "号")), "")

    # coordinates: the app records GCJ-02
    lon, lat = m_to_lonlat(raw.x, raw.y)
    glon, glat = wgs84_to_gcj02(lon, lat)

    # department by category, level and place
    dstrings, dbase, n_var = _departments(terr)
    lvl = np.maximum(h.level, 0)
    var = (rng.random(n) * n_var[raw.cat, lvl]).astype(np.int64)
    dept = np.empty(n, np.int64)
    keys = raw.cat * 100 + lvl * 10 + var
    for key in np.unique(keys):
        m = keys == key
        off, kind = dbase[int(key // 100), int(key // 10 % 10), int(key % 10)]
        dept[m] = off + (vill[m] if kind == "v" else town[m] if kind == "t" else 0)
    # county cases go to the department that owns the sub-kind, where there is an obvious one
    county = h.level == vocab.LEVELS.index("县级部门")
    for si, sub in enumerate(SUB_NAMES):
        owners = vocab.COUNTY_DEPT_BY_SUB.get(sub)
        m = county & (raw.sub == si)
        if owners and m.any():
            first = len(dstrings)
            dstrings += owners
            dept[m] = first + (rng.random(int(m.sum())) * len(owners)).astype(np.int64)
    dept = np.where(h.level < 0, -1, dept)

    # reporters: the grid's own worker for grid-worker reports, else a member of the public
    worker = channel == vocab.CHANNELS.index("网格员上报")
    rep_name = names(n, rng)
    rep_phone = phones(n, rng)
    gw = pa.array(list(g["grid_worker"]), pa.string()).take(pa.array(grid))
    gp = pa.array(list(g["worker_phone"]), pa.string()).take(pa.array(grid))
    rep_name = pc.if_else(pa.array(worker), gw, rep_name)
    rep_phone = pc.if_else(pa.array(worker), gp, rep_phone)

    cols = {
        "事件编号": ids,
        "上报时间": _ts(reported),
        "事件类型": _take(vocab.CAT_NAMES, raw.cat),
        "事件小类": _take(SUB_NAMES, raw.sub),
        "来源渠道": _take(vocab.CHANNELS, channel),
        "事件描述": desc,
        "地址": addr,
        "经度": pa.array(np.round(glon, 6)),
        "纬度": pa.array(np.round(glat, 6)),
        "所属镇街": _take(tnames, town),
        "所属网格": _take(list(g["grid_id"]), grid),
        "受理时间": _ts(h.accepted),
        "派单时间": _ts(h.dispatched),
        "办结时间": _ts(h.closed),
        "处置部门": _take(dstrings, dept),
        "处置层级": _take(vocab.LEVELS, h.level),
        "满意度": _take(SATISFACTION, h.satisfaction),
        "状态": _take(STATUS, h.status),
        "是否督办": _take(["否", "是"], h.supervised.astype(np.int64)),
        "上报人": rep_name,
        "联系电话": rep_phone,
    }
    return pa.table(cols)
