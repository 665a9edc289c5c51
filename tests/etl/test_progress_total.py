"""``--progress FILE``'s ``total`` (docs/etl.md): the row steps of the whole load, or 0 while
a streamed events file's length is unknown; never the other sources' rows alone, which the
admin page drew as a full bar reading 78,842 / 13,002 while the events were still loading."""
from __future__ import annotations

import json

from etl.load import run_load
from etl.progress import JsonLines
from tests.etl.conftest import cell, write_config


def _lines(path):
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def test_a_load_with_a_streamed_events_file_says_its_total_is_not_known(county, tmp_path):
    rows = [[f"E{i}", "2024-03-05 10:00", "矛盾纠纷", *cell(i % 3, 1), "", "", ""]
            for i in range(40)]
    src = county.events(rows)
    cfg = write_config(county.path, [county.grids, src])
    prog = tmp_path / "p.jsonl"
    rep = run_load(county.db, cfg, progress=JsonLines(prog))
    assert rep["total"]["new"] > 40
    lines = _lines(prog)
    assert lines[-1]["rows"] > 0
    assert {x["total"] for x in lines} == {0}


def test_a_load_of_whole_files_only_counts_to_its_total(county, tmp_path):
    cfg = write_config(county.path, [county.grids])
    prog = tmp_path / "p.jsonl"
    run_load(county.db, cfg, progress=JsonLines(prog))
    lines = _lines(prog)
    total = lines[-1]["total"]
    assert total > 0 and all(x["rows"] <= total for x in lines)
    assert lines[-1]["rows"] == total
