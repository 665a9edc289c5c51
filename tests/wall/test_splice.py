"""The operator's splice (拼接屏 panels, columns x rows): settings [wall] splice and the URL's
?splice= are checked, a bad one said in one line (settings) or in the wall's amber notice
(URL), never silently ignored; the browser side is tests/browser/test_spliced_walls.py."""
from __future__ import annotations

import pytest

from dashboard.wall.drill import splice_notes, url_notes
from store.settings import Settings, SettingsError, parse_splice


@pytest.mark.parametrize("text,want", [("2x2", "2x2"), (" 3X3 ", "3x3"), ("4×2", "4x2"),
                                       ("", ""), ("none", ""), ("1x1", ""),
                                       ("2x", None), ("5x5", None), ("3", None), (3, None)])
def test_a_splice_is_read_as_columns_x_rows_of_a_known_layout(text, want):
    assert parse_splice(text) == want


def test_the_settings_refuse_a_splice_the_wall_has_no_layout_for(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[wall]\nsplice = "2*"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match=r"wall\.splice .*2x2.*'2\*'"):
        Settings.load(path)
    path.write_text('[wall]\nsplice = "3x3"\n', encoding="utf-8")
    assert Settings.load(path).section("wall")["splice"] == "3x3"


def test_a_splice_in_the_url_is_known_and_a_bad_one_is_said():
    """Before, ?splice= was an unknown parameter (地址中的「splice」未知): the layout asked for
    was not drawn and nothing said which one was."""
    assert url_notes("?splice=2x2") == []
    assert splice_notes("?splice=2x2", "") == []
    assert splice_notes("?splice=none", "3x3") == []
    assert splice_notes("?township=x", "2x2") == []
    bad = splice_notes("?splice=5x9", "2x2")
    assert len(bad) == 1 and "splice「5x9」无效" in bad[0] and bad[0].endswith("按2x2显示")
    assert splice_notes("?splice=abc", "")[0].endswith("按单屏显示")
