"""The DuckDB schema of gridwall: one file holds everything the screens read.

Tables (all timestamps are naive *local* time in the settings' time zone, default
Asia/Shanghai; all coordinates WGS84 lon/lat; areas in km² measured on the ground in an
equal-area projection, never in square degrees):

meta(key, value)
    schema_version; dataset_name (county name shown in the title); demo ('true' marks demo
    data: every screen and export shows 演示数据); as_of_mode ('now' | 'newest_report' | an
    ISO timestamp): what as_of defaults to when a request gives none.
townships(township_code, township_name, area_km2, centroid_lon, centroid_lat, geom_wkb,
          geom_simple_wkb)
    Township / street polygons (from a townships layer, else dissolved from grids).
    ``geom_simple_wkb`` is simplified for the wall's county view.
villages(village_code, village_name, township_code)
grids(grid_id, grid_name, township_code, village_code, grid_worker, population, households,
      area_km2, centroid_lon, centroid_lat, geom_wkb, geom_simple_wkb)
events(event_id, reported_at, category, subcategory, channel, description, address, lon, lat,
       grid_id, village_code, township_code, accepted_at, dispatched_at, closed_at,
       department, level, status, satisfaction, supervised, reporter_name, reporter_phone,
       source_file, source_row, content_hash, load_id)
    One row per event_id. level ∈ grid|village|township|county; status ∈
    reported|accepted|dispatched|closed|invalid (invalid = 无效/重复: kept, never in a rate);
    satisfaction ∈ satisfied|basically_satisfied|dissatisfied. reporter_* are personal data:
    no screen selects them. Stored sorted by reported_at so window scans skip blocks.
cameras(camera_id, name, kind, owner, status, last_seen_at, lon, lat, grid_id, village_code,
        township_code, source_file, source_row, load_id)
    status ∈ online|offline|unknown (unknown: the source has no status column, or an empty
    or unreadable value). A camera counts as online at as_of only when its status is online
    and its last_seen_at (if known) is not older than the settings' camera_offline_after_h.
mediation(township_code, month, dispute_type, received, mediated, succeeded,
          people_involved, amount, source_file, load_id)
    month is the first day of the month. Case records are aggregated into this shape.
rejects(load_id, source_kind, source_file, source_row, reason, detail, raw)
    Every row that could not be loaded, with the raw row as JSON. Re-loading a file replaces
    that file's rejects, so the count always describes the files as last loaded.
load_runs(load_id, started_at, finished_at, config_path, report)
    report is the JSON run summary (rows read / loaded / updated / unchanged / rejected by
    reason / seconds, per source).
daily_rollup(day, township_code, village_code, grid_id, category, channel, reported,
             invalid, closed)
    Precomputed by the ETL after every load: valid events reported per day, invalid events
    reported per day, and valid events closed per day (by closed_at's day). Trend and mix
    panels read this instead of scanning events.
grid_daily(day, grid_id, reported)
    daily_rollup's ``reported`` summed over category, channel and village: per day and grid
    (grid_id not NULL), rows with reported > 0 only, one per (day, grid_id). Kept beside
    daily_rollup by the same functions. The hotspot rule and its since-when read it when no
    category or channel restricts them: at 10 M events a year's window is ~0.55 M rows here
    against ~7.8 M in daily_rollup, whose grouping by grid and day cost ~0.5 s a view.
"""
from __future__ import annotations

import duckdb

SCHEMA_VERSION = "1"

DDL = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS townships (
    township_code VARCHAR PRIMARY KEY, township_name VARCHAR NOT NULL,
    area_km2 DOUBLE, centroid_lon DOUBLE, centroid_lat DOUBLE,
    geom_wkb BLOB, geom_simple_wkb BLOB);
CREATE TABLE IF NOT EXISTS villages (
    village_code VARCHAR PRIMARY KEY, village_name VARCHAR, township_code VARCHAR);
CREATE TABLE IF NOT EXISTS grids (
    grid_id VARCHAR PRIMARY KEY, grid_name VARCHAR, township_code VARCHAR,
    village_code VARCHAR, grid_worker VARCHAR, population INTEGER, households INTEGER,
    area_km2 DOUBLE, centroid_lon DOUBLE, centroid_lat DOUBLE,
    geom_wkb BLOB, geom_simple_wkb BLOB);
CREATE TABLE IF NOT EXISTS events (
    event_id VARCHAR NOT NULL, reported_at TIMESTAMP NOT NULL, category VARCHAR NOT NULL,
    subcategory VARCHAR, channel VARCHAR, description VARCHAR, address VARCHAR,
    lon DOUBLE, lat DOUBLE, grid_id VARCHAR, village_code VARCHAR, township_code VARCHAR,
    accepted_at TIMESTAMP, dispatched_at TIMESTAMP, closed_at TIMESTAMP,
    department VARCHAR, level VARCHAR, status VARCHAR, satisfaction VARCHAR,
    supervised BOOLEAN, reporter_name VARCHAR, reporter_phone VARCHAR,
    source_file VARCHAR, source_row BIGINT, content_hash UBIGINT, load_id BIGINT);
CREATE TABLE IF NOT EXISTS cameras (
    camera_id VARCHAR NOT NULL, name VARCHAR, kind VARCHAR, owner VARCHAR,
    status VARCHAR NOT NULL, last_seen_at TIMESTAMP, lon DOUBLE, lat DOUBLE,
    grid_id VARCHAR, village_code VARCHAR, township_code VARCHAR,
    source_file VARCHAR, source_row BIGINT, load_id BIGINT);
CREATE TABLE IF NOT EXISTS mediation (
    township_code VARCHAR NOT NULL, month DATE NOT NULL, dispute_type VARCHAR NOT NULL,
    received BIGINT, mediated BIGINT, succeeded BIGINT, people_involved BIGINT, amount DOUBLE,
    source_file VARCHAR, load_id BIGINT);
CREATE TABLE IF NOT EXISTS rejects (
    load_id BIGINT, source_kind VARCHAR, source_file VARCHAR, source_row BIGINT,
    reason VARCHAR, detail VARCHAR, raw VARCHAR);
CREATE TABLE IF NOT EXISTS load_runs (
    load_id BIGINT PRIMARY KEY, started_at TIMESTAMP, finished_at TIMESTAMP,
    config_path VARCHAR, report VARCHAR);
CREATE TABLE IF NOT EXISTS daily_rollup (
    day DATE, township_code VARCHAR, village_code VARCHAR, grid_id VARCHAR,
    category VARCHAR, channel VARCHAR, reported BIGINT, invalid BIGINT, closed BIGINT);
CREATE TABLE IF NOT EXISTS grid_daily (day DATE, grid_id VARCHAR, reported BIGINT);
"""

# derived tables a database written before them is served without (its readers fall back:
# store.hotspots.grid_daily_agrees); the next load creates and fills them
OPTIONAL_TABLES = ("grid_daily",)

# Canonical vocabularies (the ETL maps source values onto these).
LEVELS = ("grid", "village", "township", "county")
SATISFACTION = ("satisfied", "basically_satisfied", "dissatisfied")
STATUSES = ("reported", "accepted", "dispatched", "closed", "invalid")
CAMERA_STATUSES = ("online", "offline", "unknown")

DATA_TABLES = ("townships", "villages", "grids", "events", "cameras", "mediation")


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table that does not exist yet, bring older tables up to date and stamp
    the schema version."""
    con.execute(DDL)
    _hash_as_integer(con)
    con.execute(
        "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION]
    )


def _hash_as_integer(con: duckdb.DuckDBPyConnection) -> None:
    """events.content_hash was the text of DuckDB's 64-bit hash() until 2 December 2026: a
    database written then gets the integer it spelled (the same values, so its events still
    re-load as unchanged; text that is no such integer, an md5 of older versions, becomes
    NULL, and those events count as updated once)."""
    typ = con.execute("SELECT data_type FROM duckdb_columns() WHERE table_name = 'events' "
                      "AND column_name = 'content_hash' AND schema_name = 'main' "
                      "AND database_name = current_database()").fetchone()
    if typ and typ[0] == "VARCHAR":
        con.execute("ALTER TABLE events ALTER content_hash SET DATA TYPE UBIGINT "
                    "USING TRY_CAST(content_hash AS UBIGINT)")


ROLLUP_KEYS = ("day", "township_code", "village_code", "grid_id", "category", "channel")


def _day_rows(source: str, sign: int = 1) -> str:
    """Per event of ``source`` (a table or a query with the events' columns): a row for its
    report day (k = 0) and, valid and closed, a row for its closing day (k = 1)."""
    cols = "township_code, village_code, grid_id, category, channel, status"
    return (f"SELECT CAST(reported_at AS DATE) AS day, 0 AS k, {cols}, {sign} AS sign "
            f"FROM {source} UNION ALL "
            f"SELECT CAST(closed_at AS DATE), 1, {cols}, {sign} FROM {source} "
            "WHERE closed_at IS NOT NULL AND status IS DISTINCT FROM 'invalid'")


def refresh_rollups(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the precomputed tables the wall reads from all events (a first load, a grid
    change); a load that adds or updates events corrects them with ``update_rollups``."""
    con.execute("DELETE FROM daily_rollup")
    # One aggregation over both kinds of day (a reported row and a closed row per event),
    # not two aggregations merged by a third: about a third less work on a full rebuild.
    con.execute(
        f"""
        INSERT INTO daily_rollup
        SELECT day, township_code, village_code, grid_id, category, channel,
               count(*) FILTER (WHERE k = 0 AND status IS DISTINCT FROM 'invalid'),
               count(*) FILTER (WHERE k = 0 AND status = 'invalid'),
               count(*) FILTER (WHERE k = 1)
        FROM ({_day_rows("events")})
        GROUP BY ALL ORDER BY day
        """
    )
    refresh_grid_daily(con)


def _grid_daily_of(keys: str | None = None) -> str:
    """grid_daily's rows, summed from daily_rollup; with ``keys`` (a table of day, grid_id),
    only those keys' (the days they span read only: daily_rollup is sorted by day)."""
    where = "r.grid_id IS NOT NULL"
    join = ""
    if keys:
        join = f" SEMI JOIN {keys} k ON r.day = k.day AND r.grid_id = k.grid_id"
        where += (f" AND r.day >= (SELECT min(day) FROM {keys})"
                  f" AND r.day <= (SELECT max(day) FROM {keys})")
    return ("SELECT r.day, r.grid_id, CAST(sum(r.reported) AS BIGINT) AS reported "
            f"FROM daily_rollup r{join} WHERE {where} GROUP BY ALL HAVING sum(r.reported) > 0")


def refresh_grid_daily(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild grid_daily from daily_rollup (with it; or when a database from before
    grid_daily has it empty)."""
    con.execute("DELETE FROM grid_daily")
    con.execute(f"INSERT INTO grid_daily {_grid_daily_of()} ORDER BY day")


def rollup_delta(con: duckdb.DuckDBPyConnection, removed: str, added: str) -> None:
    """What a load changes in daily_rollup, into TEMP ``_roll_delta``: minus the rows of
    ``removed`` (the stored versions of updated events), plus those of ``added`` (new and
    updated events). Made before the load deletes the old versions; applied by
    ``update_rollups``."""
    counts = ", ".join(
        f"CAST(coalesce(sum(sign) FILTER (WHERE {cond}), 0) AS BIGINT) AS {name}"
        for name, cond in (("reported", "k = 0 AND status IS DISTINCT FROM 'invalid'"),
                           ("invalid", "k = 0 AND status = 'invalid'"), ("closed", "k = 1")))
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _roll_delta AS
        SELECT * FROM (
            SELECT {', '.join(ROLLUP_KEYS)}, {counts}
            FROM ({_day_rows(removed, -1)} UNION ALL {_day_rows(added, 1)}) GROUP BY ALL)
        WHERE reported <> 0 OR invalid <> 0 OR closed <> 0""")   # an update in place: none


def update_rollups(con: duckdb.DuckDBPyConnection) -> None:
    """Add ``_roll_delta`` to daily_rollup: only the rows of the keys (day, place, category,
    channel) a load touched are rewritten, however many days they span (a newer export's
    updates touch every day of a year); rows that come to zero go, as a rebuild has none."""
    on = " AND ".join(f"r.{k} IS NOT DISTINCT FROM d.{k}" for k in ROLLUP_KEYS)
    keys = ", ".join(ROLLUP_KEYS)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _roll_new AS
        SELECT {keys}, CAST(sum(reported) AS BIGINT) AS reported,
               CAST(sum(invalid) AS BIGINT) AS invalid, CAST(sum(closed) AS BIGINT) AS closed
        FROM (SELECT r.* FROM daily_rollup r SEMI JOIN _roll_delta d ON {on}
              UNION ALL SELECT * FROM _roll_delta) GROUP BY ALL""")
    con.execute(f"DELETE FROM daily_rollup r USING _roll_delta d WHERE {on}")
    con.execute("INSERT INTO daily_rollup SELECT * FROM _roll_new "
                "WHERE reported <> 0 OR invalid <> 0 OR closed <> 0 ORDER BY day")
    con.execute("DROP TABLE _roll_new")
    # grid_daily: the (day, grid) sums of the keys whose reported count moved, summed again
    con.execute("""CREATE OR REPLACE TEMP TABLE _grid_keys AS SELECT DISTINCT day, grid_id
        FROM _roll_delta WHERE reported <> 0 AND grid_id IS NOT NULL""")
    con.execute("DELETE FROM grid_daily g USING _grid_keys k "
                "WHERE g.day = k.day AND g.grid_id = k.grid_id")
    con.execute(f"INSERT INTO grid_daily {_grid_daily_of('_grid_keys')} ORDER BY day")
    con.execute("DROP TABLE _grid_keys")
    con.execute("DROP TABLE _roll_delta")
