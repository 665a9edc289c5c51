"""daily_rollup holds, per day and place, the valid events reported that day, the invalid
ones reported that day, and the valid ones closed that day: checked against a count made
in Python over the stored events, after a first load and after an update."""
from __future__ import annotations

from collections import Counter

from tests.etl.conftest import q, source
from tests.etl.test_rejects import HEAD, ev

ROWS = [ev("R1"), ev("R2", closed="2024-03-06 09:00:00"), ev("R3", status="无效"),
        ev("R4", status="无效", closed="2024-03-05 12:00:00"),
        ev("R5", t="2024-03-07 08:00:00", cat="安全隐患", closed="2024-03-07 09:00:00"),
        ev("R6", t="2024-03-07 08:30:00", cat="安全隐患", closed="2024-03-09 10:00:00"),
        ev("R7", lonlat=("", ""), grid="G02", closed="2024-03-05 11:00:00")]


def _counted_in_python(db) -> list[tuple]:
    out: Counter = Counter()
    for rep, clo, st, *key in q(db, "SELECT CAST(reported_at AS DATE), CAST(closed_at AS DATE), "
                                    "status, township_code, village_code, grid_id, category, "
                                    "channel FROM events"):
        out[(rep, *key, "invalid" if st == "invalid" else "reported")] += 1
        if clo is not None and st != "invalid":
            out[(clo, *key, "closed")] += 1
    rows: dict[tuple, list[int]] = {}
    for (*key, kind), n in out.items():
        rows.setdefault(tuple(key), [0, 0, 0])[("reported", "invalid", "closed").index(kind)] += n
    return sorted((*k, *v) for k, v in rows.items())


def test_the_rollup_counts_reported_invalid_and_closed_events_by_their_days(county):
    county.load([county.events(ROWS, head=HEAD)])
    got = q(county.db, "SELECT * FROM daily_rollup ORDER BY ALL")
    assert got == _counted_in_python(county.db)
    assert len({r[0] for r in got}) == 4        # 5, 6, 7 and 9 March


def test_an_update_leaves_the_rollup_equal_to_a_fresh_count(county):
    county.load([county.events(ROWS, head=HEAD)])
    newer = [ev("R1", closed="2024-03-08 10:00:00"), ev("R3"),
             ev("R6", t="2024-03-07 08:30:00", cat="矛盾纠纷", closed="2024-03-09 10:00:00")]
    county.load([county.events(newer, head=HEAD, name="newer.csv")])
    assert q(county.db, "SELECT * FROM daily_rollup ORDER BY ALL") == \
        _counted_in_python(county.db)


def test_the_rollup_follows_updates_that_empty_keys_and_move_events_between_kinds(county):
    """A load corrects the rollup by the rows it changed: the stored versions out, the new
    ones in. Keys whose events all leave must disappear (a rebuild has no zero rows), an
    invalid event made valid and closed counts on both its days, a valid one made invalid
    loses its closing day, a duplicate row in the file counts once."""
    county.load([county.events(ROWS, head=HEAD)])
    newer = [ev("R2", t="2024-03-08 10:00:00", cat="治安问题"),          # its key on 3/5 shrinks
             ev("R4", closed="2024-03-06 12:00:00"),                    # invalid -> valid, closed
             ev("R5", t="2024-03-07 08:00:00", cat="安全隐患", status="无效"),  # valid -> invalid
             ev("R6", t="2024-03-10 08:30:00", cat="治安问题"),          # 安全隐患 on 3/7 empties
             ev("R7", lonlat=("", ""), grid="G01", closed="2024-03-05 11:00:00"),  # other grid
             ev("R8", t="2024-03-11 09:00:00", closed="2024-03-12 09:00:00"),      # new days
             ev("R8", t="2024-03-11 09:00:00", closed="2024-03-12 09:00:00"),      # duplicate
             ev("R1")]                                                   # unchanged
    rep = county.load([county.events(newer, head=HEAD, name="newer.csv")])
    assert {k: source(rep, "events")[k] for k in ("new", "updated", "unchanged")} == \
        {"new": 1, "updated": 5, "unchanged": 1}
    assert q(county.db, "SELECT * FROM daily_rollup ORDER BY ALL") == \
        _counted_in_python(county.db)
    assert not q(county.db, "SELECT * FROM daily_rollup WHERE reported = 0 AND invalid = 0 "
                            "AND closed = 0")
    county.load([county.events(ROWS, head=HEAD, name="again.csv")])    # and back
    assert q(county.db, "SELECT * FROM daily_rollup ORDER BY ALL") == \
        _counted_in_python(county.db)
