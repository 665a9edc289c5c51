"""Events as an officer reads them: due time, warning, hours overdue, names, masked reporter.

:func:`event_rows_cte` is the one SQL definition of an event row with its derived fields
(docs/metrics.md: due time, red/yellow warnings); the event detail here, the warning and live
lists and the event table/CSV all select from it, so a row shows the same due time and
warning everywhere. It is plain SQL over the whole table (no per-row Python): callers add
their own WHERE / ORDER BY / LIMIT and DuckDB pushes those filters into the scan.
"""
from __future__ import annotations

import datetime as dt

from store.cameras_near import Place, cameras_near
from store.db import ReadStore
from store.metrics import limits_cte
from store.privacy import mask_name_sql, mask_phone_sql, mask_text_sql, reporter_sql
from store.settings import Settings

_US_PER_H = 3_600_000_000.0

TIMELINE = (("reported", "上报", "reported_at"), ("accepted", "受理", "accepted_at"),
            ("dispatched", "流转", "dispatched_at"), ("closed", "办结", "closed_at"))


def open_sql(alias: str = "") -> str:
    """Open at as_of (metrics.md) on a stored row: valid, reported by as_of and not closed as
    of it; two parameters, as_of twice. ev's ``is_open`` and ``open_only`` are this, and a
    reader that needs the rows that are not open (the event table sorted by warning) negates
    it on ``events`` alone (never NULL: ``reported_at`` is NOT NULL)."""
    p = f"{alias}." if alias else ""
    return (f"{p}status IS DISTINCT FROM 'invalid' AND {p}reported_at <= ?::TIMESTAMP"
            f" AND ({p}closed_at IS NULL OR {p}closed_at > ?::TIMESTAMP)")


def event_rows_cte(settings: Settings, as_of: dt.datetime, *,
                   open_only: bool = False, raw: bool = False,
                   where: str = "", where_params: tuple | list = ()) -> tuple[str, list]:
    """``(sql, params)``: CTE definitions to put after ``WITH``; the last one is named ``ev``.

    ``ev`` has every column of ``events`` (reporter_name / reporter_phone masked, and the
    personal data store.privacy.mask_text finds in address / description: ID and phone
    numbers, names after a role word, the row's own reporter name and phone) plus
    ``grid_name``, ``village_name``, ``township_name``, ``close_h`` (hours, of the event's
    category), ``due_at`` (reported_at + close_h, TIMESTAMP), ``is_open`` (valid, reported by
    as_of and not closed as of as_of), ``warning`` ('red' | 'yellow' | NULL, only for an open
    event) and ``overdue_hours`` (hours from due_at to as_of for an open event: positive when
    overdue, negative = hours left; NULL when not open). ``raw=True`` (admin only: the caller
    decides and audits) leaves reporter name, phone and the texts unmasked. Use as
    ``WITH {sql} SELECT ... FROM ev WHERE ...`` with ``params`` first.

    ``where`` (with ``where_params``): a condition on the stored rows of ``events`` (alias
    ``e``, or its bare column names), applied before anything is joined or masked. A keyword
    search (store.analysis_filters.keyword_sql, written for the stored texts) belongs here:
    on ``ev``'s masked texts it masked every open case of a city first (a late list of 500 k
    open cases: 3.5 s with a phone number typed in, and masked twice).
    """
    lim_sql, lim_params = limits_cte(settings)
    conds = [open_sql("e")] if open_only else []
    if where:
        conds.append(f"({where})")
    open_where = ("WHERE " + " AND ".join(conds)) if conds else ""
    lim_sql = "ev_" + lim_sql  # a name of its own: callers may define their own `lim`
    d_clo = settings.limit("close_h")
    name_sql = "e.reporter_name" if raw else mask_name_sql("e.reporter_name")
    phone_sql = "e.reporter_phone" if raw else mask_phone_sql("e.reporter_phone")
    # the texts know their row's reporter: a name or phone written into them is masked too,
    # as the reporter columns read. What is searched for is computed once a row (ev_base),
    # the texts masked a step later (ev): one expression per text, not two reporters' worth
    if raw:
        own_cols, text_sql, drop = "", "", ""
    else:
        own = reporter_sql("e.reporter_name", "e.reporter_phone")
        own_cols = "".join(f"{own[k]} AS ev_own_{k}, " for k in ("name", "phone", "digits"))
        mine = {**{k: f"ev_own_{k}" for k in ("name", "phone", "digits")},
                "masked_name": "coalesce(reporter_name, '')",
                "masked_phone": "coalesce(reporter_phone, '')"}
        text_sql = (f"{mask_text_sql('address', own=mine)} AS address,"
                    f" {mask_text_sql('description', own=mine)} AS description,")
        drop = ", address, description, ev_own_name, ev_own_phone, ev_own_digits"
    sql = f"""{lim_sql},
    ev_base AS (
        SELECT e.* EXCLUDE (reporter_name, reporter_phone),
               {name_sql} AS reporter_name,
               {phone_sql} AS reporter_phone,
               {own_cols}
               g.grid_name, v.village_name, t.township_name,
               COALESCE(l.close_h, ?::DOUBLE) AS close_h,
               {open_sql("e")} AS is_open,
               date_diff('microsecond', e.reported_at, ?::TIMESTAMP) AS ev_age_us
        FROM events e
        LEFT JOIN ev_lim l ON l.category = e.category
        LEFT JOIN grids g ON g.grid_id = e.grid_id
        LEFT JOIN villages v ON v.village_code = e.village_code
        LEFT JOIN townships t ON t.township_code = e.township_code
        {open_where}),
    ev AS (
        SELECT * EXCLUDE (ev_age_us{drop}), {text_sql}
               reported_at + to_microseconds(CAST(round(close_h * {_US_PER_H}) AS BIGINT))
                 AS due_at,
               CASE WHEN NOT is_open THEN NULL
                    WHEN ev_age_us > close_h * {_US_PER_H} THEN 'red'
                    WHEN ev_age_us >= ?::DOUBLE * close_h * {_US_PER_H} THEN 'yellow'
               END AS warning,
               CASE WHEN is_open THEN (ev_age_us - close_h * {_US_PER_H}) / {_US_PER_H}
               END AS overdue_hours
        FROM ev_base)"""
    params = [*lim_params, d_clo, as_of, as_of, as_of, *([as_of, as_of] if open_only else []),
              *(where_params if where else ()), settings.warn_fraction]
    return sql, params


def _iso(value) -> str | None:
    if value is None or value != value:  # None or NaT
        return None
    return value.isoformat(sep="T")


def event_detail(store: ReadStore, settings: Settings, event_id: str, *,
                 as_of: dt.datetime, raw: bool = False,
                 reported_at: dt.datetime | None = None) -> dict | None:
    """One event as its detail card shows it (and ``GET /api/events/<id>`` returns it).

    None when there is no such event. Reporter name and phone are masked unless ``raw``.
    ``reported_at``: the event's report time when the caller has it (a row of the event
    table): the lookup then reads the blocks of that time only (events are stored sorted by
    it) instead of every event id (10 M events: ~0.16 → ~0.05 s CPU a card); a time that
    does not match (a load corrected it meanwhile) falls back to the id alone, so the card
    is the same either way.
    """
    def read(cond: str, cond_params: list):
        cte, params = event_rows_cte(settings, as_of, raw=raw, where=cond,
                                     where_params=cond_params)
        return store.df(f"WITH {cte} SELECT * FROM ev LIMIT 1", params)

    cur_rows = None
    if reported_at is not None:
        cur_rows = read("e.event_id = ? AND e.reported_at = ?::TIMESTAMP",
                        [str(event_id), reported_at])
    if cur_rows is None or cur_rows.empty:
        cur_rows = read("e.event_id = ?", [str(event_id)])
    if cur_rows.empty:
        return None
    r = {k: (None if _missing(v) else v) for k, v in cur_rows.iloc[0].to_dict().items()}
    out = {
        "event_id": r["event_id"],
        **{k: _iso(_ts(r[k])) for k in ("reported_at", "accepted_at", "dispatched_at",
                                         "closed_at", "due_at")},
    }
    for key in ("category", "subcategory", "channel", "township_code"):
        out[key] = r[key]
    out["township"] = r["township_name"]
    for key in ("grid_id", "grid_name", "address", "description", "department", "level",
                "status", "warning"):
        out[key] = r[key]
    out["overdue_hours"] = None if r["overdue_hours"] is None else float(r["overdue_hours"])
    out["reporter_name"] = r["reporter_name"]
    out["reporter_phone"] = r["reporter_phone"]
    out["timeline"] = [{"step": step, "label": label, "at": out[col]}
                       for step, label, col in TIMELINE]
    out["lon"] = None if r.get("lon") is None else round(float(r["lon"]), 6)
    out["lat"] = None if r.get("lat") is None else round(float(r["lat"]), 6)
    out["cameras"] = cameras_at(store, settings, out["lon"], out["lat"], as_of)
    return out


CAMERAS_LISTED = 3


def cameras_at(store: ReadStore, settings: Settings, lon: float | None, lat: float | None,
               as_of: dt.datetime) -> dict:
    """The cameras an officer can pull up for an event (周边视频): within geo.camera_radius_m
    metres of its point, how many and how many online at as_of, and the nearest
    ``CAMERAS_LISTED`` (name, online, metres). An event without a point has none."""
    radius = float(settings.section("geo")["camera_radius_m"])
    if lon is None or lat is None:
        return {"radius_m": radius, "within": 0, "online": 0, "nearest": []}
    near = cameras_near(store, settings, Place("point", lon=lon, lat=lat), radius, as_of)
    return {"radius_m": radius, "within": int(len(near)), "online": int(near["online"].sum()),
            "nearest": [{"camera_id": r.camera_id, "name": r.name or r.camera_id,
                         "online": bool(r.online), "distance_m": round(float(r.distance_m))}
                        for r in near.head(CAMERAS_LISTED).itertuples(index=False)]}


def _missing(value) -> bool:
    try:
        return value is None or bool(value != value)
    except (TypeError, ValueError):
        return False


def _ts(value):
    if value is None:
        return None
    if hasattr(value, "to_pydatetime"):
        return value.to_pydatetime()
    return value
