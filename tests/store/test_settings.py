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
