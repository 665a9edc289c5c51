"""Built-in header aliases and value vocabularies, so a typical Chinese export needs no mapping.

Headers match a field's canonical English name (any case) or one of its Chinese aliases; a
mapping file's ``[source.columns]`` wins over both. Values are matched after trimming, with
full-width brackets folded and English compared case-insensitively.
"""
from __future__ import annotations

import re

# kind -> canonical field -> aliases in priority order
FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    "events": {
        "event_id": ("事件编号", "事件ID", "编号"),
        "reported_at": ("上报时间", "发生时间", "创建时间"),
        "category": ("事件类型", "事件类别", "事件大类"),
        "subcategory": ("事件小类", "事件子类"),
        "channel": ("来源渠道", "来源", "上报渠道"),
        "description": ("事件描述", "事件内容", "描述"),
        "address": ("地址", "事发地址", "事件地址"),
        "lon": ("经度", "lng", "longitude"),
        "lat": ("纬度", "latitude"),
        "x": ("X坐标",),
        "y": ("Y坐标",),
        "township": ("所属镇街", "所属乡镇", "乡镇(街道)", "镇街"),
        "grid_id": ("所属网格", "网格编号", "网格编码"),
        "village": ("所属村社", "村(社区)"),
        "accepted_at": ("受理时间",),
        "dispatched_at": ("派单时间", "流转时间", "交办时间"),
        "closed_at": ("办结时间", "结案时间"),
        "department": ("处置部门", "承办部门"),
        "level": ("处置层级", "办理层级"),
        "status": ("状态", "办理状态", "事件状态"),
        "satisfaction": ("满意度", "评价"),
        "supervised": ("是否督办", "督办", "挂牌督办"),
        "reporter_name": ("上报人", "反映人"),
        "reporter_phone": ("联系电话", "电话", "手机号"),
    },
    "grids": {
        "grid_id": ("网格编号", "网格编码", "网格ID"),
        "grid_name": ("网格名称",),
        "township": ("所属镇街", "乡镇", "乡镇(街道)", "镇街"),
        "township_code": ("镇街编码", "乡镇编码"),
        "village": ("村(社区)", "所属村社", "村社"),
        "village_code": ("村社编码",),
        "grid_worker": ("网格员",),
        "population": ("人口", "常住人口"),
        "households": ("户数",),
    },
    "townships": {
        "township_code": ("镇街编码", "乡镇编码", "code"),
        "township_name": ("镇街名称", "乡镇名称", "name"),
    },
    "cameras": {
        "camera_id": ("点位编号", "设备编号", "摄像头编号"),
        "name": ("点位名称", "设备名称"),
        "lon": ("经度", "lng", "longitude"),
        "lat": ("纬度", "latitude"),
        "x": ("X坐标",),
        "y": ("Y坐标",),
        "status": ("状态", "在线状态"),
        "kind": ("类型", "设备类型"),
        "owner": ("建设单位", "权属单位"),
        "last_seen_at": ("最后在线时间",),
    },
    "mediation": {
        "township": ("乡镇", "镇街", "所属镇街"),
        "month": ("月份", "统计月份"),
        "dispute_type": ("纠纷类型",),
        "received": ("受理数", "受理件数"),
        "mediated": ("调解数", "调处数"),
        "succeeded": ("成功数", "调解成功数"),
        "people_involved": ("涉及人数",),
        "amount": ("涉及金额",),
        "case_id": ("案件编号",),
        "received_at": ("受理时间",),
        "closed_at": ("结案时间", "办结时间"),
        "result": ("调解结果", "结果"),
    },
}

# Built-in value vocabularies: field -> source value (normalised) -> canonical value.
_VOCAB_SRC: dict[str, dict[str, tuple[str, ...]]] = {
    "level": {
        "grid": ("网格", "网格级"),
        "village": ("村(社区)", "村", "社区", "村级", "村社"),
        "township": ("乡镇(街道)", "乡镇", "街道", "镇街", "镇级", "乡镇级"),
        "county": ("县级部门", "县级", "县", "市级", "县(市、区)"),
    },
    "satisfaction": {
        "satisfied": ("满意", "非常满意"),
        "basically_satisfied": ("基本满意",),
        "dissatisfied": ("不满意",),
    },
    "status": {
        "reported": ("待受理", "已上报"),
        "accepted": ("已受理",),
        "dispatched": ("已派单", "处置中", "办理中"),
        "closed": ("已办结", "已结案", "办结"),
        "invalid": ("无效", "重复", "无效事件", "重复事件"),
    },
    "camera_status": {
        "online": ("在线", "正常", "1", "true"),
        "offline": ("离线", "故障", "0", "false"),
    },
    "supervised": {
        "true": ("是", "y", "yes", "1", "true", "督办", "已督办"),
        "false": ("否", "n", "no", "0", "false", "未督办"),
    },
    "result": {
        "success": ("成功", "调解成功"),
        "failure": ("不成功", "失败", "调解失败", "调解不成功"),
    },
}

_FULLWIDTH = str.maketrans({"（": "(", "）": ")", "\u3000": " ", "\ufeff": None,
                            "\u200b": None})


def norm(text: str) -> str:
    """Fold a header or value for matching: trim, full-width brackets, lower-case."""
    return re.sub(r"\s+", " ", str(text).translate(_FULLWIDTH)).strip().lower()


def _build_vocab() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for fld, table in _VOCAB_SRC.items():
        m: dict[str, str] = {}
        for canon, sources in table.items():
            m[norm(canon)] = canon
            for s in sources:
                m[norm(s)] = canon
        out[fld] = m
    return out


VOCAB = _build_vocab()


def describe(kind: str, fld: str) -> str:
    """'event_id (事件编号/事件ID/编号)' for error messages."""
    aliases = FIELDS[kind].get(fld, ())
    return f"{fld} ({'/'.join(aliases)})" if aliases else fld


def resolve_columns(headers: list[str], kind: str, mapping: dict[str, str],
                    where: str, choices: list[dict] | None = None) -> dict[str, str]:
    """Canonical field -> source header, from the mapping file, else the built-in aliases.

    Two headers competing for one field (经度 and longitude) are settled by the mapping when
    it names the field, else by priority: the field's English name, then its aliases in the
    order of FIELDS. Each such choice is appended to ``choices`` (for the run report) as
    ``{"field", "used", "ignored": [...], "by": "mapping" | "priority"}``.
    """
    from etl.errors import LoadError

    fields = FIELDS[kind]
    by_norm: dict[str, str] = {}
    for h in headers:
        by_norm.setdefault(norm(h), h)
    out: dict[str, str] = {}
    for fld, header in mapping.items():
        if fld not in fields:
            raise LoadError(f"{where}: [source.columns] names unknown field {fld!r}; "
                            f"fields of {kind}: {', '.join(fields)}")
        if header in headers:
            out[fld] = header
        elif norm(header) in by_norm:
            out[fld] = by_norm[norm(header)]
        else:
            raise LoadError(f"{where}: column {header!r} (mapped to {fld}) is not in the file; "
                            f"headers are: {', '.join(map(str, headers))}")
    mapped = set(fields) & set(mapping)
    taken = set(out.values())
    for fld, aliases in fields.items():
        if fld in out:
            continue
        for cand in (fld, *aliases):
            h = by_norm.get(norm(cand))
            if h is not None and h not in taken:
                out[fld] = h
                taken.add(h)
                break
    # x/y named by the mapping locate the rows. lon/lat that only the aliases found beside
    # them (NYC 311: "Latitude"/"Longitude" beside "X/Y Coordinate (State Plane)") are left
    # out: the points are read from lon/lat when both pairs are there, and with the x/y's
    # crs, which would put every row far outside the county.
    dropped: dict[str, str] = {}
    if {"x", "y"} & mapped and {"x", "y"} <= set(out) and not {"lon", "lat"} & mapped:
        for fld, xy in (("lon", "x"), ("lat", "y")):
            h = out.pop(fld, None)
            if h is not None:
                dropped[xy] = h
    if choices is not None:
        for xy, h in dropped.items():
            choices.append({"field": xy, "used": out[xy], "ignored": [h], "by": "mapping"})
        for fld, aliases in fields.items():
            if fld not in out:
                continue
            rivals = []
            for cand in (fld, *aliases):
                h = by_norm.get(norm(cand))
                if h is not None and h not in taken and h not in rivals:
                    rivals.append(h)
            if rivals:
                choices.append({"field": fld, "used": out[fld], "ignored": rivals,
                                "by": "mapping" if fld in mapped else "priority"})
    return out
