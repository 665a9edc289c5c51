"""Where the admin page keeps its files: ``<db>.admin/`` beside the database.

Beside, never inside: the ETL replaces the database file on every load (publish by swap).
``presets/NAME.toml`` (mapping presets), ``runs/<id>/`` (one page-started load: the uploaded
files, the load config written for them, progress, report and stderr), ``runs.sqlite`` (who
started which load). Created 0700: uploads hold citizens' personal data.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class AdminDir:
    db: Path

    @property
    def root(self) -> Path:
        return self.db.with_name(self.db.name + ".admin")

    @property
    def presets(self) -> Path:
        return self.root / "presets"

    @property
    def runs(self) -> Path:
        return self.root / "runs"

    @property
    def runs_db(self) -> Path:
        return self.root / "runs.sqlite"

    def run_dir(self, job_id: str) -> Path:
        return self.runs / job_id

    def create(self) -> "AdminDir":
        for d in (self.root, self.presets, self.runs):
            d.mkdir(mode=0o700, exist_ok=True)
            os.chmod(d, 0o700)
        return self


def admin_dir(db_path) -> AdminDir:
    return AdminDir(Path(db_path).resolve())
