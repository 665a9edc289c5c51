"""The room layout is a contract (.importlinter), checked on every test run: ETL, store and
layers never import the UI, figures never import Dash, panels and pages don't reach into
each other. A newcomer who breaks a boundary learns it here, not in review."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    return subprocess.run([exe, "--no-cache"], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def test_every_import_contract_is_kept():
    res = _lint(ROOT)
    assert res.returncode == 0, res.stdout[-4000:]
    assert "0 broken" in res.stdout


def test_the_contracts_catch_a_store_module_that_imports_dash(tmp_path):
    """Copy the tree, plant `import dash` in a store module: the check must fail."""
    tree = tmp_path / "tree"
    shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "__pycache__", "*.duckdb*", "tests", "node_modules"))
    target = tree / "store" / "vocab.py"
    target.write_text(target.read_text(encoding="utf-8") + "\nimport dash  # planted\n",
                      encoding="utf-8")
    res = _lint(tree)
    assert res.returncode != 0
    assert "store.vocab -> dash" in res.stdout
