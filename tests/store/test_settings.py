"""The settings file: the shipped data/settings.toml equals the defaults; new keys are checked."""
from __future__ import annotations

import pytest

from store.settings import DEFAULTS, Settings, SettingsError
from tests.serving import ROOT


def test_the_shipped_settings_file_loads_and_states_every_default_it_lists():
    s = Settings.load(ROOT / "data" / "settings.toml")
    assert (s.stale_after_h, s.camera_offline_after_h) == (2.0, 24.0)
    assert (DEFAULTS["stale_after_h"], DEFAULTS["camera_offline_after_h"]) == (2.0, 24.0)


@pytest.mark.parametrize("line", ["stale_after_h = 0", "stale_after_h = \"2h\"",
                                  "camera_offline_after_h = -1", "camera_offline_after_h = true"])
def test_freshness_and_camera_ageing_hours_must_be_positive_numbers(tmp_path, line):
    path = tmp_path / "s.toml"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=line.split(" ")[0]):
        Settings.load(path)


def test_hours_can_be_set(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("stale_after_h = 0.5\ncamera_offline_after_h = 72\n", encoding="utf-8")
    s = Settings.load(path)
    assert (s.stale_after_h, s.camera_offline_after_h) == (0.5, 72.0)


@pytest.mark.parametrize("line", ["min_count = 0", "min_count = 2.5", "alpha = 0",
                                  "alpha = 1.5", "watch_p = \"0.1\"", "watch_p = true",
                                  "baseline_windows = 0", "floor_rate = -1"])
def test_hotspot_numbers_are_checked_when_the_settings_load(tmp_path, line):
    path = tmp_path / "s.toml"
    path.write_text("[hotspots]\n" + line + "\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="hotspots." + line.split(" ")[0]):
        Settings.load(path)
    path.write_text("[hotspots]\nmin_count = 3\nalpha = 0.05\nwatch_p = 0.2\n", encoding="utf-8")
    assert Settings.load(path).section("hotspots")["watch_p"] == 0.2


# Keys the screens read: a bad value stops the program that loads the file, with one line
# naming the key, instead of a wall that reads wrong or answers 500 hours later.
@pytest.mark.parametrize("text, key", [
    ('timezone = "Asia/Shangai"', "timezone"),          # every page a 500 on a live feed
    ('timezone = ""', "timezone"),
    ('as_of = "yesterday"', "as_of"),                    # every API call a 400 bad as_of
    ("as_of = 18:00:00", "as_of"),                       # a TOML time, no day
    ("as_of = 42", "as_of"),
    ('as_of = "0001-01-01"', "as_of"),
    ("[targets]\nhandling_rate = 98", "targets.handling_rate"),   # percent: every gauge red
    ("[targets]\nsatisfaction_rate = 0", "targets.satisfaction_rate"),
    ("[cards]\nred_below = 90", "cards.red_below"),
    ("[cards]\nred_card_overdue = 2.5", "cards.red_card_overdue"),
    ("[geo]\ncamera_radius_m = -1", "geo.camera_radius_m"),      # every hotspot a 视频盲区
    ("[geo]\noutside_tolerance_m = -5", "geo.outside_tolerance_m"),
    ("[limits]\nflag_red_multiple = -1", "limits.flag_red_multiple"),
    ("[wall]\nwindow_days = 0", "wall.window_days"),             # every figure 0
    ("[wall]\nwindow_days = 7.5", "wall.window_days"),
    ('[wall]\ncanvas_width = "wide"', "wall.canvas_width"),      # every page a 500
    ("[wall]\ncanvas_height = 0", "wall.canvas_height"),
    ("[wall]\nrefresh_s = 0", "wall.refresh_s"),
    ("[wall]\ntour_s = -20", "wall.tour_s"),
    ("[wall]\nranking_min_events = -1", "wall.ranking_min_events"),
    ("[wall]\ncounty_grid_outlines_max = true", "wall.county_grid_outlines_max"),
])
def test_values_the_screens_read_are_checked_when_the_settings_load(tmp_path, text, key):
    path = tmp_path / "s.toml"
    path.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=key.replace(".", r"\.")):
        Settings.load(path)


def test_sensible_values_of_those_keys_load(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('timezone = "UTC"\nas_of = "2025-06-30 18:00"\n'
                    "[limits]\nflag_red_multiple = 2\n[geo]\noutside_tolerance_m = 0\n"
                    "[targets]\nhandling_rate = 1\n[cards]\nred_card_overdue = 0\n"
                    "red_below = 0.8\n[wall]\ncanvas_width = 5760\nrefresh_s = 5\n"
                    "tour_s = 2.5\nwindow_days = 7\nranking_min_events = 0\n", encoding="utf-8")
    s = Settings.load(path)
    assert (s.timezone, s.section("wall")["window_days"]) == ("UTC", 7)
    path.write_text("as_of = 2025-06-30T18:00:00\n", encoding="utf-8")   # unquoted, as in
    assert Settings.load(path).raw["as_of"] == "2025-06-30T18:00:00"    # a load config


def test_the_server_refuses_a_bad_settings_file_in_one_line_before_serving(tmp_path):
    """Before: it started and answered 500 on every page once as_of followed the clock."""
    import subprocess
    import sys

    from tests.serving import free_port
    from tests.store.dbmaker import make_db

    db = make_db(tmp_path / "w.duckdb", [])
    bad = tmp_path / "s.toml"
    bad.write_text('timezone = "Asia/Shangai"\n', encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "dashboard", "--db", str(db), "--settings",
                          str(bad), "--port", str(free_port())], cwd=tmp_path,
                         capture_output=True, text=True, timeout=40,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "timezone 'Asia/Shangai'" in lines[0], res.stderr


def test_a_language_the_screens_do_not_have_is_not_a_reason_to_refuse_to_serve(tmp_path):
    """wall.language names no screen text (they are Chinese only): a file written for a
    version or a fork with an English switch still loads, rather than a wall that will not
    start over a label preference."""
    path = tmp_path / "s.toml"
    path.write_text('[wall]\nlanguage = "en"\n', encoding="utf-8")
    assert Settings.load(path).section("wall")["language"] == "en"
