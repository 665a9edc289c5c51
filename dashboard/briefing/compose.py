"""What a week's briefing says: every figure read once, and the summary written from them.

:func:`compose` reads the week (and the week before, at the as_of shifted by a week, as
metrics.md's previous period says) through store.metrics and store.briefing_reads, and returns a
:class:`Briefing` that the renderer lays out. Every number in the briefing is one of these
fields, so the document and the images cannot disagree with each other or with /api/metrics.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from store import briefing_reads as br
from store import hotspots as hs
from store import map_reads as mr
from store import metrics as m
from store import wall_reads as wr
from store.db import ReadStore
from store.settings import Settings

from dashboard.figures.briefing_theme import num, pct, shown_change


class EmptyWeek(Exception):
    """The week has no event in scope: there is nothing to brief (exit code 3). ``span``:
    the days the store has reports for, (first, last) or None, so a week asked for before
    the data begins or after it ends says where the data is."""

    def __init__(self, week: str, span: tuple[dt.date, dt.date] | None = None):
        super().__init__(week)
        self.week, self.span = week, span

    @property
    def span_text(self) -> str:
        if self.span is None:
            return "数据库中没有事件"
        return f"数据范围 {self.span[0]:%Y-%m-%d} 至 {self.span[1]:%Y-%m-%d}"


@dataclass
class Briefing:
    week: str
    start: dt.date
    end: dt.date
    as_of: dt.datetime
    prev_start: dt.date
    prev_end: dt.date
    prev_as_of: dt.datetime
    scope: m.Scope
    scope_name: str
    county: str
    demo: bool
    now: dict
    before: dict
    targets: dict
    ranking: pd.DataFrame
    rises_category: pd.DataFrame
    rises_place: pd.DataFrame
    hotspots: pd.DataFrame
    hot_short: dt.date | None      # first day of data when the hotspot baseline starts before
    worst: pd.DataFrame
    overdue_place: pd.DataFrame
    overdue_dept: pd.DataFrame
    trend_now: pd.DataFrame
    trend_before: pd.DataFrame
    mediation: dict
    map_units: gpd.GeoDataFrame
    map_outlines: gpd.GeoDataFrame
    map_grids: gpd.GeoDataFrame | None
    map_hotspots: gpd.GeoDataFrame
    summary: str = ""
    extra: dict = field(default_factory=dict)
    # what the data covers (br.data_span): the week is compared with the week before only on
    # days the store has, as the wall does (docs/briefing.md, "Weeks the data does not cover")
    data_from: dt.date | None = None
    data_until: dt.datetime | None = None
    before_defined: dict = field(default_factory=dict)     # /api/metrics' previous, unmasked
    few_below: int = 5          # [wall] ranking_min_events: under it a unit is 样本少

    @property
    def partial(self) -> bool:
        """The data ends inside the week (a feed that stopped, the current week, the demo's
        last days): its counts are of fewer days than the week before's."""
        return self.data_until is not None and self.data_until < dt.datetime.combine(
            self.end, dt.time())

    @property
    def backlog_compared(self) -> bool:
        """The week before is on file from its first day (the wall's 环比 rule)."""
        return self.data_from is None or self.prev_start >= self.data_from

    @property
    def compared(self) -> bool:
        """This week's counts and rates are compared with the week before's."""
        return self.backlog_compared and not self.partial

    @property
    def no_compare(self) -> str:
        """Why the week is not compared with the week before ('' when it is)."""
        if self.partial:
            u = self.data_until
            return f"本周数据截至{u.month}月{u.day}日{u:%H:%M}，不完整，不作环比"
        if not self.backlog_compared:
            d = self.data_from
            return f"数据自{d.year}年{d.month}月{d.day}日起，上周无完整数据，不作环比"
        return ""

    @property
    def moment(self) -> str:
        """When the backlog figures are counted: 周末, or the moment a partial week ends."""
        if self.as_of == dt.datetime.combine(self.end, dt.time()):
            return "周末"
        return f"{self.as_of.month}月{self.as_of.day}日{self.as_of:%H:%M}"

    @property
    def moment_before(self) -> str:
        return "上周末" if self.moment == "周末" else "上周同一时点"

    @property
    def place_word(self) -> str:
        """What the units of the ranking are: 镇街 at county level, 网格 inside a township."""
        return "镇街" if self.scope.level == "county" else "网格"

    @property
    def week_title(self) -> str:
        """'2025年第43周（10月20日—10月26日）'."""
        year, week, _ = self.start.isocalendar()
        last = self.end - dt.timedelta(days=1)
        return (f"{year}年第{week}周（{self.start.month}月{self.start.day}日—"
                f"{last.month}月{last.day}日）")

    @property
    def as_of_text(self) -> str:
        return f"截至 {self.as_of:%Y-%m-%d %H:%M}"


def _scope_name(store: ReadStore, scope: m.Scope, county: str) -> str:
    if scope.level == "county":
        return county
    if scope.level == "township":
        name = store.scalar("SELECT township_name FROM townships WHERE township_code = ?",
                            [scope.code])
        return f"{county}{name or scope.code}"
    return f"{county} {scope.key}"


def checked(store: ReadStore, settings: Settings, week: str,
            scope_text: str = "county") -> tuple[dt.date, dt.date, m.Scope]:
    """(Monday, next Monday, scope) of a briefing that can be made; MetricsError for a bad
    week or scope, :class:`EmptyWeek` for a week without events in scope. Cheap: the server
    asks it before starting a briefing's process (dashboard/briefing/routes.py)."""
    start, end = br.parse_week(week)
    scope = m.parse_scope(store, scope_text)
    if scope.level not in ("county", "township"):
        raise m.MetricsError("briefing scope must be county or township:<code|name>")
    if br.events_in_window(store, settings, start, end, scope) == 0:
        newest = m.newest_report(store)
        first = store.scalar("SELECT min(reported_at) FROM events")
        raise EmptyWeek(week, None if newest is None else (
            pd.Timestamp(first).date(), newest.date()))
    return start, end, scope


def compose(store: ReadStore, settings: Settings, week: str, scope_text: str = "county",
            as_of: dt.datetime | None = None) -> Briefing:
    """Read everything the briefing of ``week`` shows; :class:`EmptyWeek` when it has no event."""
    start, end, scope = checked(store, settings, week, scope_text)
    data_from, data_until = br.data_span(store, settings)
    # never a moment past what the data describes: a week still running (or whose feed
    # stopped) is counted as it stood when its data ends, not at a Monday still to come
    as_of = as_of or min(br.week_end_as_of(end), data_until or br.week_end_as_of(end))
    p_start, p_end, p_as_of = br.previous_period(start, end, as_of)
    meta = store.meta()
    county = meta.get("dataset_name") or "本县"
    township = scope.code if scope.level == "township" else None

    # exactly /api/metrics?scope=…&start=…&end=…&as_of=…&compare=previous
    now = m.metrics(store, settings, scope=scope, start=start, end=end, as_of=as_of,
                    compare="previous")
    before = now.pop("previous")
    # the wall's 样本少 threshold, so a township or grid reads alike on both
    few_below = int(settings.section("wall")["ranking_min_events"])
    ranking = wr.unit_ranking(store, settings, township, start, end, as_of, few_below)
    hot = br.week_hotspots(store, settings, start, end, scope)

    # the map: density of the week per township (county) or per grid (township)
    towns = mr.township_shapes(store, settings)
    areas = mr.unit_areas(store, settings, township)
    measures = mr.with_density(ranking, areas)
    if township:
        shapes = mr.grid_shapes(store, settings, township)
        outlines = towns[towns["code"] == township]
        grids = shapes          # outlined too: grids of the lowest class would read as one
        all_grids = shapes
    else:
        shapes = towns
        outlines = towns
        all_grids = mr.grid_shapes(store, settings, None)
        grids = all_grids
    units = shapes.merge(measures.drop(columns=["name", "area_km2"], errors="ignore"),
                         on="code", how="left")
    # in the hotspot list's order (by p): disc N on the map is row N of the list
    map_hot = gpd.GeoDataFrame(
        hot[["grid_id", "k", "ratio", "p"]].rename(columns={"grid_id": "code"}).merge(
            all_grids[["code", "name", "geometry"]], on="code", how="inner"),
        geometry="geometry", crs=all_grids.crs)

    b = Briefing(
        week=br.week_name(start), start=start, end=end, as_of=as_of,
        prev_start=p_start, prev_end=p_end, prev_as_of=p_as_of,
        scope=scope, scope_name=_scope_name(store, scope, county), county=county,
        demo=meta.get("demo") == "true", now=now, before=before,
        targets=dict(settings.section("targets")), ranking=ranking, few_below=few_below,
        # whole lists: the Word document prints them all, the slides cut theirs and say so
        rises_category=br.rises(store, settings, start, end, p_start, p_end, scope, "category",
                                top=None),
        rises_place=(br.rises(store, settings, start, end, p_start, p_end, scope, "township",
                              top=None)
                     if not township else _grid_rises(ranking, store, settings, township,
                                                      p_start, p_end, p_as_of)),
        hotspots=hot, hot_short=hs.short_history(store, settings, start, end),
        worst=br.worst_grids(store, settings, start, end, as_of, scope, n=None,
                             min_events=few_below),
        overdue_place=_with_prev(store, settings, as_of, p_as_of,
                                 "grid" if township else "township", scope),
        overdue_dept=_with_prev(store, settings, as_of, p_as_of, "department", scope),
        trend_now=wr.daily_trend(store, settings, township, start, end),
        trend_before=wr.daily_trend(store, settings, township, p_start, p_end),
        mediation=br.week_mediation(store, settings, end, scope),
        map_units=units, map_outlines=outlines, map_grids=grids, map_hotspots=map_hot,
    )
    b.data_from, b.data_until = data_from, data_until
    _compare_only_what_is_on_file(b)
    b.summary = summary(b)
    return b


BACKLOG_KEYS = ("open_backlog", "yellow", "red", "flagged", "cameras", "cameras_online")


def _compare_only_what_is_on_file(b: Briefing) -> None:
    """The week before as the renderers show it: a count of five days against one of seven
    (a partly loaded week) or a week the store holds only the end of (its first weeks) is
    no change at all, so those figures are withheld (None: '—') and nothing 'rose'; the
    backlog at the moment a week earlier stays when the week before is on file. Days the
    store has no data for are left out of the daily trend instead of drawn as zeros."""
    b.before_defined = dict(b.before)
    if not b.compared:
        b.before = {k: (v if k in BACKLOG_KEYS and b.backlog_compared else None)
                    for k, v in b.before.items()}
        b.rises_category = b.rises_category.iloc[0:0]
        b.rises_place = b.rises_place.iloc[0:0]
    if not b.backlog_compared:
        for df in (b.overdue_place, b.overdue_dept):
            df["prev_red"] = pd.Series([None] * len(df), index=df.index, dtype="object")
    for df, first, last in ((b.trend_now, b.data_from, b.data_until),
                            (b.trend_before, b.data_from, None)):
        days = pd.to_datetime(df["day"]).dt.date
        gone = pd.Series(False, index=df.index)
        if first is not None:
            gone |= days < first
        if last is not None:
            gone |= days > last.date()
        if gone.any():
            df[["reported", "closed"]] = df[["reported", "closed"]].astype("float64")
            df.loc[gone, ["reported", "closed"]] = float("nan")


def _with_prev(store, settings, as_of, p_as_of, by: str, scope) -> pd.DataFrame:
    """br.overdue_by at as_of, with ``prev_red``: the same place's (or department's) red
    warnings at the end of the week before (0 where it had none): whether a backlog grows."""
    now = br.overdue_by(store, settings, as_of, by, scope)
    before = br.overdue_by(store, settings, p_as_of, by, scope)
    prev = dict(zip(before["code"].astype(str), before["red"]))
    now["prev_red"] = [int(prev.get(str(c), 0)) for c in now["code"]]
    return now


def _grid_rises(ranking, store, settings, township, p_start, p_end, p_as_of) -> pd.DataFrame:
    """Inside a township, 'where it rose' is per grid: this week's grid counts against last's."""
    before = m.metrics_table(store, settings, start=p_start, end=p_end, as_of=p_as_of,
                             scope=m.Scope("township", township), by="grid")
    df = ranking[["code", "name", "reported"]].merge(
        before[["code", "reported"]].rename(columns={"reported": "before"}), on="code")
    df = df.rename(columns={"name": "label", "reported": "now"})
    df["change"] = df["now"] - df["before"]
    df = df[df["change"] > 0]
    df["change_pct"] = [None if b == 0 else c / b for c, b in zip(df["change"], df["before"])]
    # ties by grid code, so two runs of one week list the same grids in one order
    return df.sort_values(["change", "now", "code"], ascending=[False, False, True],
                          kind="stable").reset_index(drop=True)


# --- the written summary -------------------------------------------------------------------

def change_pct_text(now: int, before: int) -> str:
    """'环比上升12.3%' / '环比下降4.0%' / '与上周持平' / '上周无事件'."""
    if before == 0:
        return "上周无事件可比" if now else "与上周持平"
    c = (now - before) / before * 100
    if abs(c) < 0.05:
        return "与上周持平"
    return f"环比{'上升' if c > 0 else '下降'}{abs(c):.1f}%"


def rise_pct_text(v) -> str:
    """A rise's 增幅 as the tables print it: one decimal, as the summary's 环比 ('+12.3%'); a
    rise from nothing is '新出现', one under 0.05 % '+不足0.1%'. Whole percents read a city's
    +64 on 27,371 as '+0%'."""
    if v is None or pd.isna(v):
        return "新出现"
    pct = float(v) * 100
    return "+不足0.1%" if pct < 0.05 else f"+{pct:.1f}%"


def points_text(now: float | None, before: float | None, than: str = "上周") -> str:
    """'较上周提高1.2个百分点' / '较上周下降0.4个百分点' / '与上周持平' / '' (``than``: the
    period compared with, 上周 or 上月)."""
    if now is None or before is None:
        return ""
    d = shown_change(now, before, "rate")      # of the two rates as the summary prints them
    if d == 0:
        return f"与{than}持平"
    return f"较{than}{'提高' if d > 0 else '下降'}{abs(d):.1f}个百分点"


def hot_short_text(b: Briefing) -> str:
    """Why a county's first weeks show many hotspots: their 4-week baseline reaches before
    the data (store.hotspots.short_history), and days without data count as no events."""
    d = b.hot_short
    return f"基线含无数据时段，数据自{d.year}年{d.month}月{d.day}日起，热点可能偏多"


def _join(parts: list[str]) -> str:
    return "、".join(p for p in parts if p)


def summary(b: Briefing) -> str:
    """The paragraph a briefing opens with, written only from the briefing's own figures."""
    n, p = b.now, b.before
    # a week whose every report was invalid is not a week without reports (a stopped feed)
    void = (f"上报{int(n['invalid']):,}件均为无效事件"
            if not n["reported"] and n.get("invalid") else "")
    what = "有效事件" if void else "事件"
    if b.compared:
        out = [f"本周{b.scope_name}共受理{what}{n['reported']:,}件"
               + (f"（{void}）" if void else "") + "，"
               f"{change_pct_text(int(n['reported']), int(p['reported']))}"
               f"（上周{p['reported']:,}件）"]
    else:
        out = [f"本周{b.scope_name}共受理{what}{n['reported']:,}件（"
               + (f"{void}；" if void else "") + f"{b.no_compare}）"]
    for key, label in (("handling_rate", "办结率"), ("on_time_rate", "按期办结率"),
                       ("satisfaction_rate", "满意率")):
        rate = f"{label}{pct(n.get(key))}"
        pts = points_text(n.get(key), p.get(key))
        out.append(rate + (f"，{pts}" if pts else ""))
    rises = b.rises_category
    if len(rises):
        top = rises.iloc[0]
        where = f"，主要在{top['where']}" if isinstance(top.get("where"), str) else ""
        out.append(f"增幅最大的是{top['label']}类，增加{num(top['change'])}件{where}")
    hot = b.hotspots
    if len(hot):
        places = hot.groupby("township_name", sort=False).size().sort_values(ascending=False)
        if b.scope.level == "township":
            where = _join(list(hot["grid_name"].head(3))) + ("等" if len(hot) > 3 else "")
        else:
            where = _join([f"{t}（{k}处）" if k > 1 else t for t, k in places.head(3).items()])
            where += "等" if len(places) > 3 else ""
        out.append(f"新发热点{len(hot)}处，{'集中' if len(places) <= 3 else '分布'}在{where}"
                   + (f"（{hot_short_text(b)}）" if b.hot_short else ""))
    else:
        out.append("本周无新发热点")
    red = int(n.get("red") or 0)
    if red:
        top = b.overdue_place.head(3)
        where = _join([f"{r.name}（{num(r.red)}件）" for r in top.itertuples()])
        dept = b.overdue_dept.head(1)
        dept_text = (f"，责任部门中{dept.iloc[0]['name']}最多（{num(dept.iloc[0]['red'])}件）"
                     if len(dept) else "")
        was = b.before.get("red")
        was_text = f"（{b.moment_before}{num(was)}件）" if was is not None else ""
        out.append(f"截至{b.moment}超期未办结{num(red)}件{was_text}，主要在{where}{dept_text}")
    else:
        out.append(f"截至{b.moment}无超期未办结事件")
    med = b.mediation
    if med.get("month") and med.get("mediated"):
        month = dt.date.fromisoformat(med["month"])
        prev = med.get("previous") or {}
        change = points_text(med["success_rate"], prev.get("success_rate"), "上月")
        out.append(f"{month.month}月矛盾纠纷调解{med['mediated']:,}件，"
                   f"调解成功率{pct(med['success_rate'])}" + (f"，{change}" if change else ""))
    return "；".join(out) + "。"
