"""A city district of many townships, for the wall's fit tests: a copy of a county database
whose every township is split into ``parts`` townships (its villages dealt out in turn, with
their grids, events, cameras and daily rollup), each drawn as the union of its grids. The
demo's 15 townships become 45 (仙岩镇 → 仙岩镇一片, 仙岩镇二片, 仙岩镇三片), more than any
layout of the wall can list in one panel.

    python -m tests.split_towns SRC.duckdb OUT.duckdb
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import duckdb
import shapely

PART_NAMES = "一二三四五六七八九"


def split(db: Path, parts: int = 3) -> None:
    """Split every township of ``db`` in place (codes: the old one and the part's digit)."""
    con = duckdb.connect(str(db))
    try:
        towns = con.execute("SELECT township_code, township_name FROM townships").fetchall()
        moves = []          # (village, new township)
        new_towns = []
        for code, name in towns:
            villages = [v for (v,) in con.execute(
                "SELECT village_code FROM villages WHERE township_code = ? ORDER BY 1",
                [code]).fetchall()]
            n = max(1, min(parts, len(villages)))
            for i, v in enumerate(villages):
                moves.append((v, f"{code}{i % n + 1}"))
            for k in range(n):
                grids = con.execute(
                    "SELECT g.geom_wkb, g.geom_simple_wkb, g.area_km2 FROM grids g JOIN villages v"
                    " USING (village_code) WHERE g.township_code = ? AND list_position(?, "
                    "v.village_code) IS NOT NULL",
                    [code, [v for j, v in enumerate(villages) if j % n == k]]).fetchall()
                shapes = [shapely.from_wkb(bytes(g[0])) for g in grids if g[0] is not None]
                union = shapely.union_all(shapes) if shapes else None
                simple = union.simplify(0.0005) if union is not None else None
                c = union.representative_point() if union is not None else None
                new_towns.append((f"{code}{k + 1}", f"{name}{PART_NAMES[k]}片",
                                  sum(g[2] or 0 for g in grids),
                                  c.x if c is not None else None, c.y if c is not None else None,
                                  shapely.to_wkb(union) if union is not None else None,
                                  shapely.to_wkb(simple) if simple is not None else None))
        con.execute("CREATE TEMP TABLE moves (village_code VARCHAR, township_code VARCHAR)")
        con.executemany("INSERT INTO moves VALUES (?, ?)", moves)
        for table in ("villages", "grids", "events", "cameras", "daily_rollup"):
            con.execute(f"UPDATE {table} t SET township_code = m.township_code FROM moves m"
                        " WHERE t.village_code = m.village_code")
        # mediation is counted per township: the first part keeps it
        con.execute("UPDATE mediation SET township_code = township_code || '1'")
        con.execute("DELETE FROM townships")
        con.executemany("INSERT INTO townships (township_code, township_name, area_km2,"
                        " centroid_lon, centroid_lat, geom_wkb, geom_simple_wkb)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)", new_towns)
    finally:
        con.close()


def split_copy(src: Path, out: Path, parts: int = 3) -> Path:
    """``src`` copied to ``out`` and split (the source file untouched)."""
    shutil.copy(src, out)
    split(out, parts)
    return out


if __name__ == "__main__":
    print(split_copy(Path(sys.argv[1]), Path(sys.argv[2])))
