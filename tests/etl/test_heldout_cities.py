"""Other cities' 311 exports, made from the San Francisco sample, loaded by a mapping file
alone (docs/etl.md): the shapes a held-out city's files come in."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pyproj

from etl.load import run_load
from tests.etl.conftest import FIX, q, source

FMT = "%m/%d/%Y %I:%M:%S %p"


# the districts as grids (and as their own townships): every city's load starts with them
DISTRICTS = """
[[source]]
kind = "grids"
path = "districts.geojson"
[source.columns]
grid_id = "id"
grid_name = "id"
township = "id"
"""


def _write_city(folder: Path, events: pd.DataFrame, name: str) -> None:
    """A city's export and its districts (the SF supervisor districts) into ``folder``."""
    events.to_csv(folder / name, index=False)
    shutil.copyfile(FIX / "sf_supervisor_districts.geojson", folder / "districts.geojson")


def _nyc_style(folder: Path) -> pd.DataFrame:
    """NYC 311 headers: state-plane X/Y in US feet (EPSG:2227 for San Francisco) beside
    Latitude/Longitude, some rows without any coordinates."""
    src = pd.read_csv(FIX / "sf311_sample_200.csv", dtype=str, keep_default_na=False)
    ll = src["Point"].str.extract(r"^\(\s*([-\d.]+)\s*,\s*([-\d.]+)\s*\)$").astype(float)
    x, y = pyproj.Transformer.from_crs(4326, 2227, always_xy=True).transform(
        ll[1].to_numpy(), ll[0].to_numpy())
    feet = lambda v: "" if pd.isna(v) else str(round(v))  # noqa: E731
    out = pd.DataFrame({
        "Unique Key": src["CaseID"], "Created Date": src["Opened"],
        "Closed Date": src["Closed"], "Complaint Type": src["Category"],
        "Status": src["Status"],
        "X Coordinate (State Plane)": [feet(v) for v in x],
        "Y Coordinate (State Plane)": [feet(v) for v in y],
        "Latitude": ll[0].map(lambda v: "" if pd.isna(v) else f"{v:.9f}"),
        "Longitude": ll[1].map(lambda v: "" if pd.isna(v) else f"{v:.9f}"),
        "Location": src["Point"]})
    _write_city(folder, out, "311_Service_Requests.csv")
    return src


NYC_LOAD = DISTRICTS + """
[[source]]
kind = "events"
path = "311_Service_Requests.csv"
crs = "EPSG:2227"
time_format = "%m/%d/%Y %I:%M:%S %p"
[source.columns]
event_id = "Unique Key"
reported_at = "Created Date"
closed_at = "Closed Date"
category = "Complaint Type"
x = "X Coordinate (State Plane)"
y = "Y Coordinate (State Plane)"
[source.values.status]
closed = ["Closed"]
dispatched = ["Open"]
"""


def test_mapped_state_plane_xy_locate_the_rows_not_the_latitude_longitude_beside_them(tmp_path):
    src = _nyc_style(tmp_path)
    (tmp_path / "load.toml").write_text(NYC_LOAD, encoding="utf-8")
    db = tmp_path / "nyc.duckdb"
    rep = run_load(db, tmp_path / "load.toml", FIX / "sf311_settings.toml", progress=False)
    ev = source(rep, "events")
    opened = pd.to_datetime(src["Opened"], format=FMT)
    closed = pd.to_datetime(src["Closed"], format=FMT, errors="coerce")
    n_before = int((closed < opened).sum())
    n_nopoint = int((src["Point"] == "").sum())
    assert ev["rejected_by_reason"] == {"closed_before_reported": n_before,
                                        "missing_location": n_nopoint}
    assert ev["new"] == 200 - n_before - n_nopoint
    # the report says which columns located the rows
    assert {"field": "x", "used": "X Coordinate (State Plane)", "ignored": ["Longitude"],
            "by": "mapping"} in ev["header_choices"]
    # the feet round to within a foot of the Latitude/Longitude of the same case
    pts = {k: (lon, lat) for k, lon, lat in q(db, "SELECT event_id, lon, lat FROM events")}
    ll = src.set_index("CaseID")["Point"].str.extract(r"\(([-\d.]+), ([-\d.]+)\)").astype(float)
    for k, (lon, lat) in pts.items():
        assert abs(lat - ll.at[k, 0]) < 1e-5 and abs(lon - ll.at[k, 1]) < 1e-5


def test_a_time_format_with_a_bad_directive_stops_the_load_naming_the_source(tmp_path):
    import subprocess
    import sys

    _nyc_style(tmp_path)
    (tmp_path / "load.toml").write_text(
        NYC_LOAD.replace("%I:%M:%S %p", "%I:%M:%S %Q"), encoding="utf-8")
    db = tmp_path / "nyc.duckdb"
    res = subprocess.run([sys.executable, "-m", "etl", "load", "--db", str(db), "--config",
                          str(tmp_path / "load.toml"), "--quiet"],
                         cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True,
                         check=False)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.stderr
    assert "load.toml" in lines[0] and "311_Service_Requests.csv" in lines[0]
    assert "time_format" in lines[0] and "'Q' is a bad directive" in lines[0]
    assert not db.exists()


def test_xlsx_date_cells_load_beside_a_time_format_meant_for_the_text_cells(tmp_path):
    """The XLSX copy of an export: Excel holds the times as date cells (no spelling at all),
    some rows typed in as text in the export's own spelling; one mapping file for both."""
    import datetime as dt

    src = _nyc_style(tmp_path)
    csv = pd.read_csv(tmp_path / "311_Service_Requests.csv", dtype=str, keep_default_na=False)
    xl = csv.copy().astype(object)
    for col in ("Created Date", "Closed Date"):
        cells = pd.to_datetime(csv[col], format=FMT, errors="coerce")
        xl[col] = [None if pd.isna(v) else v.to_pydatetime() for v in cells]
    xl.loc[:9, "Created Date"] = csv.loc[:9, "Created Date"]      # text cells, NYC spelling
    xl.to_excel(tmp_path / "311_Service_Requests.xlsx", index=False)
    (tmp_path / "load.toml").write_text(
        NYC_LOAD.replace("311_Service_Requests.csv", "311_Service_Requests.xlsx"),
        encoding="utf-8")
    db = tmp_path / "nyc.duckdb"
    rep = run_load(db, tmp_path / "load.toml", FIX / "sf311_settings.toml", progress=False)
    ev = source(rep, "events")
    opened = pd.to_datetime(src["Opened"], format=FMT)
    closed = pd.to_datetime(src["Closed"], format=FMT, errors="coerce")
    n_before = int((closed < opened).sum())
    n_nopoint = int((src["Point"] == "").sum())
    assert ev["rejected_by_reason"] == {"closed_before_reported": n_before,
                                        "missing_location": n_nopoint}
    got = {k: (r, c) for k, r, c in q(db, "SELECT event_id, reported_at, closed_at "
                                         "FROM events")}
    want = src.set_index("CaseID")
    for k, (r, c) in got.items():
        assert r == dt.datetime.strptime(want.at[k, "Opened"], FMT)
        assert c == (dt.datetime.strptime(want.at[k, "Closed"], FMT)
                     if want.at[k, "Closed"] else None)


def test_a_zipped_shapefile_inside_a_folder_of_the_zip_loads(tmp_path):
    """City portals zip the layer in a folder ("nynta2020_24b/nynta2020.shp"), in US feet
    with a .prj, as MultiPolygons with a numeric id; macOS adds "__MACOSX/._*" copies."""
    import zipfile

    import geopandas as gpd
    from shapely.geometry import MultiPolygon, Polygon

    _nyc_style(tmp_path)
    g = gpd.read_file(tmp_path / "districts.geojson").to_crs(2227)
    g["geometry"] = [MultiPolygon([p]) if isinstance(p, Polygon) else p for p in g.geometry]
    g["boro_code"] = g["id"].astype(int)
    shp = tmp_path / "shp"
    shp.mkdir()
    g[["boro_code", "geometry"]].to_file(shp / "nybb.shp")
    with zipfile.ZipFile(tmp_path / "nybb_24b.zip", "w") as z:
        for f in shp.iterdir():
            z.write(f, f"nybb_24b/{f.name}")
            z.writestr(f"__MACOSX/nybb_24b/._{f.name}", b"\x00\x05\x16\x07")
    cfg = NYC_LOAD.replace('path = "districts.geojson"', 'path = "nybb_24b.zip"').replace(
        'grid_id = "id"\ngrid_name = "id"\ntownship = "id"',
        'grid_id = "boro_code"\ngrid_name = "boro_code"\ntownship = "boro_code"')
    (tmp_path / "load.toml").write_text(cfg, encoding="utf-8")
    db = tmp_path / "nyc.duckdb"
    rep = run_load(db, tmp_path / "load.toml", FIX / "sf311_settings.toml", progress=False)
    assert source(rep, "grids")["new"] == 11
    assert sorted(r[0] for r in q(db, "SELECT grid_id FROM grids")) == sorted(
        str(i) for i in range(1, 12))
    ev = source(rep, "events")
    assert set(ev["rejected_by_reason"]) == {"closed_before_reported", "missing_location"}


def _chicago_style(folder: Path) -> pd.DataFrame:
    """Chicago 311 headers in upper case, ISO-ish times, a Canceled status."""
    src = pd.read_csv(FIX / "sf311_sample_200.csv", dtype=str, keep_default_na=False)
    iso = lambda s: pd.to_datetime(s, format=FMT, errors="coerce").dt.strftime(  # noqa: E731
        "%Y-%m-%dT%H:%M:%S.000").fillna("")
    status = src["Status"].map({"Closed": "Completed", "Open": "Open"})
    status[::10] = "Canceled"
    out = pd.DataFrame({"SR_NUMBER": "SR" + src["CaseID"], "SR_TYPE": src["Category"],
                        "OWNER_DEPARTMENT": src["Responsible.Agency"], "STATUS": status,
                        "CREATED_DATE": iso(src["Opened"]), "CLOSED_DATE": iso(src["Closed"]),
                        "LOCATION": src["Point"]})
    _write_city(folder, out, "chicago.csv")
    return out


CHICAGO_LOAD = DISTRICTS + """
[[source]]
kind = "events"
path = "chicago.csv"
point = "LOCATION"
[source.columns]
event_id = "SR_NUMBER"
category = "SR_TYPE"
reported_at = "CREATED_DATE"
closed_at = "CLOSED_DATE"
department = "OWNER_DEPARTMENT"
[source.values.status]
"""


def _load_chicago(tmp_path: Path, values: str):
    _chicago_style(tmp_path)
    (tmp_path / "load.toml").write_text(CHICAGO_LOAD + values, encoding="utf-8")
    return run_load(tmp_path / "chi.duckdb", tmp_path / "load.toml",
                    FIX / "sf311_settings.toml", progress=False)


def test_a_mistyped_canonical_value_stops_the_load_naming_it(tmp_path):
    import pytest

    from etl.load import LoadError

    with pytest.raises(LoadError, match=r"\[source.values.status\] maps to 'invlid'.*"
                                        r"reported, accepted, dispatched, closed, invalid"):
        _load_chicago(tmp_path, 'closed = ["Completed"]\ninvlid = ["Canceled"]\n')
    assert not (tmp_path / "chi.duckdb").exists()


def test_values_of_a_field_the_kind_does_not_have_stop_the_load(tmp_path):
    import pytest

    from etl.load import LoadError

    with pytest.raises(LoadError, match=r"\[source.values.stauts\] names unknown field"):
        _load_chicago(tmp_path, 'closed = ["Completed"]\n[source.values.stauts]\n'
                                'invalid = ["Canceled"]\n')


def test_a_value_mapped_to_a_chinese_status_goes_through_the_vocabulary(tmp_path):
    src = _load_chicago(tmp_path, '"已办结" = ["Completed"]\n"无效" = ["Canceled"]\n'
                                  'dispatched = ["Open"]\n')
    assert "unknown_status" not in source(src, "events").get("warnings", {})
    got = dict(q(tmp_path / "chi.duckdb", "SELECT status, count(*) FROM events GROUP BY 1"))
    assert set(got) <= {"closed", "invalid", "dispatched"} and got["invalid"] > 0


def test_values_apply_to_any_field_as_documented(tmp_path):
    """docs/etl.md: [source.values.X] maps "canonical value = [source values]" for any field:
    a department, a subcategory, a grid layer's township, not only category and status."""
    _chicago_style(tmp_path)
    cfg = (CHICAGO_LOAD.replace('township = "id"', 'township = "id"\n[source.values.township]\n'
                                '"Richmond" = ["1"]')
           + 'closed = ["Completed"]\n[source.values.department]\n'
             '"环卫" = ["DPW Ops Queue", "DPW Ops Queue "]\n')
    (tmp_path / "load.toml").write_text(cfg, encoding="utf-8")
    db = tmp_path / "chi.duckdb"
    run_load(db, tmp_path / "load.toml", FIX / "sf311_settings.toml", progress=False)
    src = pd.read_csv(tmp_path / "chicago.csv", dtype=str, keep_default_na=False)
    depts = dict(q(db, "SELECT department, count(*) FROM events GROUP BY 1"))
    assert "DPW Ops Queue" not in depts
    assert depts["环卫"] == int((src["OWNER_DEPARTMENT"] == "DPW Ops Queue").sum()) - int(
        q(db, "SELECT count(*) FROM rejects "
              "WHERE json_extract_string(raw, '$.OWNER_DEPARTMENT') = 'DPW Ops Queue'")[0][0])
    assert q(db, "SELECT township_name FROM townships t JOIN grids g USING (township_code) "
                 "WHERE g.grid_id = '1'") == [("Richmond",)]


def test_state_plane_xy_without_a_crs_stop_the_load_by_name_and_publish_nothing(tmp_path):
    """The same export with its crs line forgotten: the x/y are feet read as degrees. Every
    row rejected bad_coordinates would be a silent empty county; the load stops (exit 2
    from the CLI) naming the file, an example and the crs line to add."""
    import pytest

    from etl.errors import LoadError

    _nyc_style(tmp_path)
    (tmp_path / "load.toml").write_text(NYC_LOAD.replace('crs = "EPSG:2227"\n', ""),
                                        encoding="utf-8")
    db = tmp_path / "nyc.duckdb"
    with pytest.raises(LoadError, match=r"311_Service_Requests\.csv: .* points are not "
                                        r"degrees .*declare their CRS.*crs = "):
        run_load(db, tmp_path / "load.toml", FIX / "sf311_settings.toml", progress=False)
    assert not db.exists() or q(db, "SELECT count(*) FROM events")[0][0] == 0


def test_a_wrong_time_format_stops_the_load_by_name_but_a_small_files_bad_times_are_rejects(
        tmp_path):
    """Austin's '2024 Jan 05 03:12:45 PM' read with NYC's format: every reported_at
    unreadable is the config's spelling, the load stops naming it; the same rows in a file
    below the config-error minimum are rejected row by row (docs/etl.md)."""
    import pytest

    from etl.errors import CONFIG_ERROR_MIN, LoadError

    src = _nyc_style(tmp_path)
    when = pd.to_datetime(src["Opened"], format=FMT).dt.strftime("%Y %b %d %I:%M:%S %p")
    df = pd.read_csv(tmp_path / "311_Service_Requests.csv", dtype=str, keep_default_na=False)
    df["Created Date"] = when
    df.to_csv(tmp_path / "311_Service_Requests.csv", index=False)
    (tmp_path / "load.toml").write_text(NYC_LOAD, encoding="utf-8")
    with pytest.raises(LoadError, match=r"311_Service_Requests\.csv: 200 of 200 reported_at "
                                        r"values are not times \(e\.g\. '20\d\d .*time_format"):
        run_load(tmp_path / "a.duckdb", tmp_path / "load.toml", FIX / "sf311_settings.toml",
                 progress=False)
    df.head(CONFIG_ERROR_MIN - 1).to_csv(tmp_path / "311_Service_Requests.csv", index=False)
    rep = run_load(tmp_path / "b.duckdb", tmp_path / "load.toml", FIX / "sf311_settings.toml",
                   progress=False)
    assert source(rep, "events")["rejected_by_reason"]["bad_time"] == CONFIG_ERROR_MIN - 1
