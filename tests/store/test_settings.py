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
