"""The chdb folder's generations: CURRENT names the published one, a new one is numbered after
all others, and cleaning up never removes the current, its predecessor, one being built, or
one a process still has open (ClickHouse's lock on its status file, taken for real here)."""
from __future__ import annotations

import subprocess
import sys
import time

from store import chdb_folder as cf
from tests.serving import ROOT


def test_generations_are_numbered_and_current_is_switched_by_the_pointer(tmp_path):
    assert cf.current(tmp_path) is None
    g1 = cf.new_generation(tmp_path)
    g1.mkdir()
    g2 = cf.new_generation(tmp_path)
    assert (g1.name, g2.name) == ("g000001", "g000002")
    cf.make_current(tmp_path, g1)
    assert cf.current(tmp_path) == g1
    cf.make_current(tmp_path, g2)
    assert cf.current(tmp_path) == g2
    assert not list(tmp_path.glob("CURRENT.tmp-*"))


def test_cleanup_keeps_current_previous_newer_and_open_generations(tmp_path):
    gens = []
    for _ in range(5):
        g = cf.new_generation(tmp_path)
        g.mkdir()
        gens.append(g)
    held = gens[0]
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom chdb import session\n"
         f"s = session.Session({str(held) + '?progress=off'!r}); s.query('SELECT 1')\n"
         "print('open', flush=True); sys.stdin.read()"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        assert cf.in_use(held) and not cf.in_use(gens[1])
        cf.make_current(tmp_path, gens[3])
        removed = cf.remove_unused(tmp_path)
        assert removed == [gens[1].name]          # g1 is open, g3 previous, g4 current, g5 newer
        assert [g.exists() for g in gens] == [True, False, True, True, True]
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    deadline = time.monotonic() + 10
    while cf.in_use(held) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert cf.remove_unused(tmp_path) == [held.name]
