"""Loads started from the admin page: run ``python -m etl load`` as a subprocess, follow its
progress file, and remember who started it (``<db>.admin/runs.sqlite``).

A subprocess, so a crash of the loader (or of DuckDB inside it) cannot take the server down;
the served wall keeps reading the published file while the load builds its copy (publish by
swap). One load at a time: the ETL's lock on ``<db>.lock`` decides, for the page and the CLI
alike; the page asks the lock before it starts one and shows the CLI's message when refused.
"""
from __future__ import annotations

import contextlib
import json
import os
import secrets
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from dashboard.admin.paths import AdminDir

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    job_id TEXT PRIMARY KEY, user TEXT, role TEXT, started REAL NOT NULL, finished REAL,
    exit_code INTEGER, load_id INTEGER, message TEXT, files TEXT NOT NULL);
"""
LOST = -999   # exit_code of a load whose loader vanished without an end
STAGE_ZH = {"queued": "排队", "reading": "读取文件", "loading": "检查并写入", "publishing": "发布",
            "done": "完成", "failed": "失败", "refused": "未执行", "lost": "中断"}


class LoadRefused(RuntimeError):
    """Another load holds the lock; the message is the CLI's own line."""


@dataclass
class Job:
    job_id: str
    folder: Path
    proc: subprocess.Popen | None = None


class RunLog:
    """``runs.sqlite``: one row per page-started load (who, when, files, result)."""

    def __init__(self, path: Path):
        self.path = path
        new = not path.exists()
        if new:
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        with self._conn() as con:
            con.executescript(SCHEMA)

    @contextlib.contextmanager
    def _conn(self):
        con = sqlite3.connect(self.path, timeout=15)
        con.row_factory = sqlite3.Row
        try:
            with con:
                yield con
        finally:
            con.close()

    def start(self, job_id: str, user: str | None, role: str | None, files: list[dict]) -> None:
        with self._conn() as con:
            con.execute("INSERT INTO runs (job_id, user, role, started, files) VALUES (?,?,?,?,?)",
                        (job_id, user, role, time.time(), json.dumps(files, ensure_ascii=False)))

    def finish(self, job_id: str, exit_code: int, load_id: int | None, message: str) -> None:
        with self._conn() as con:
            con.execute("UPDATE runs SET finished = ?, exit_code = ?, load_id = ?, message = ?"
                        " WHERE job_id = ?", (time.time(), exit_code, load_id, message, job_id))

    def refused(self, job_id: str, user: str | None, role: str | None, files: list[dict],
                message: str) -> None:
        """A load the page did not start because another one runs (exit code 3, as the CLI)."""
        self.start(job_id, user, role, files)
        self.finish(job_id, 3, None, message)

    def get(self, job_id: str) -> dict | None:
        with self._conn() as con:
            row = con.execute("SELECT * FROM runs WHERE job_id = ?", (job_id,)).fetchone()
        return _row(row)

    def recent(self, limit: int = 50) -> list[dict]:
        with self._conn() as con:
            rows = con.execute("SELECT * FROM runs ORDER BY started DESC LIMIT ?",
                               (limit,)).fetchall()
        return [_row(r) for r in rows]

    def by_load(self) -> dict[int, dict]:
        """load_id -> the page run that produced it."""
        with self._conn() as con:
            rows = con.execute("SELECT * FROM runs WHERE load_id IS NOT NULL").fetchall()
        return {r["load_id"]: _row(r) for r in rows}


def _row(row) -> dict | None:
    if row is None:
        return None
    d = dict(row)
    d["files"] = json.loads(d["files"] or "[]")
    return d


def read_progress(path: Path) -> dict:
    """The last complete JSON line of a progress file ({} before the first)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    for line in reversed(text.splitlines()):
        try:
            return json.loads(line)
        except ValueError:
            continue  # a line being written
    return {}


def last_line(path: Path) -> str:
    try:
        lines = [ln for ln in path.read_text(encoding="utf-8", errors="replace").splitlines()
                 if ln.strip()]
    except FileNotFoundError:
        return ""
    return lines[-1][:2000] if lines else ""


class Runner:
    """Starts page loads one at a time and watches each to its end."""

    def __init__(self, adm: AdminDir, db: str, lock_db: Path, settings_path: str | None):
        """``db``: the server's ``--db`` as given (a file, ``chdb:DIR`` or a URL; the loader
        runs in the server's working folder, so a relative path means the same file);
        ``lock_db``: the DuckDB file whose ``.lock`` the loader takes (the ledger)."""
        self.adm = adm
        self.db = db
        self.lock_db = lock_db
        self.settings_path = settings_path
        self.log = RunLog(adm.runs_db)
        self._lock = threading.Lock()
        self._starting = threading.Lock()
        self._jobs: dict[str, Job] = {}

    @staticmethod
    def new_job_id() -> str:
        return time.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)

    def new_job(self) -> Job:
        job_id = self.new_job_id()
        folder = self.adm.run_dir(job_id)
        folder.mkdir(mode=0o700)
        return Job(job_id, folder)

    def check_free(self) -> None:
        """Raise LoadRefused with the CLI's line when a load (page or CLI) holds the lock."""
        from etl.cli import refused_message
        from etl.errors import LoadLocked
        from etl.publish import db_lock

        with self._lock:
            running = [j for j in self._jobs.values() if j.proc and j.proc.poll() is None]
        try:
            if running:   # the lock may not be taken yet by a load just started
                raise LoadLocked(f"{self.lock_db}: another load is running "
                                 f"(lock {self.lock_db.name}.lock is held)")
            with db_lock(self.lock_db):
                pass
        except LoadLocked as exc:
            raise LoadRefused(refused_message(exc)) from None

    def start(self, job: Job, config: Path, user: str | None, role: str | None,
              files: list[dict]) -> None:
        cmd = [sys.executable, "-m", "etl", "load", "--db", str(self.db), "--config",
               str(config), "--report", str(job.folder / "report.json"), "--quiet",
               "--progress", str(job.folder / "progress.jsonl")]
        if self.settings_path:
            cmd += ["--settings", self.settings_path]
        with self._starting:   # check and start as one step: two clicks start one load
            self.check_free()
            self._spawn(job, cmd, user, role, files)
        threading.Thread(target=self._watch, args=(job,), daemon=True,
                         name=f"admin-load-{job.job_id}").start()

    def _spawn(self, job: Job, cmd: list[str], user, role, files) -> None:
        with self._lock:
            self.log.start(job.job_id, user, role, files)
            out = (job.folder / "stdout.txt").open("wb")
            err = (job.folder / "stderr.txt").open("wb")
            try:
                path = os.pathsep.join(x for x in (str(ROOT), os.environ.get("PYTHONPATH"))
                                       if x)
                job.proc = subprocess.Popen(cmd, cwd=os.getcwd(), stdout=out, stderr=err,
                                            stdin=subprocess.DEVNULL, start_new_session=True,
                                            env={**os.environ, "PYTHONUNBUFFERED": "1",
                                                 "PYTHONPATH": path})
            finally:
                out.close()
                err.close()
            self._jobs[job.job_id] = job

    def _watch(self, job: Job) -> None:
        code = job.proc.wait()
        load_id = None
        with contextlib.suppress(FileNotFoundError, ValueError, KeyError):
            load_id = int(json.loads((job.folder / "report.json").read_text("utf-8"))["load_id"])
        message = last_line(job.folder / "stderr.txt") if code else ""
        if code and not message:
            message = f"导入失败 load stopped: the loader ended with exit code {code}"
        self.log.finish(job.job_id, code, load_id, message)

    def _lock_held(self) -> bool:
        from etl.errors import LoadLocked
        from etl.publish import db_lock

        try:
            with db_lock(self.lock_db):
                return False
        except LoadLocked:
            return True

    def _adopt(self, run: dict, prog: dict) -> dict:
        """Record the end of a load an earlier server started (the loader runs in its own
        session, so it outlives a restart): from its progress file, or as lost when it is
        gone without an end."""
        job_id = run["job_id"]
        stderr = self.adm.run_dir(job_id) / "stderr.txt"
        if prog.get("stage") == "done":
            self.log.finish(job_id, 0, prog.get("load_id"), "")
        elif prog.get("stage") == "failed":
            self.log.finish(job_id, int(prog.get("exit_code", 2)), None, last_line(stderr))
        elif not self._lock_held():
            self.log.finish(job_id, LOST, None, "导入中断 load interrupted: the loader ended "
                            "without finishing (server restart or kill); a load that does not "
                            "finish leaves the database unchanged")
        return self.log.get(job_id)

    def status(self, job_id: str) -> dict | None:
        run = self.log.get(job_id)
        if run is None:
            return None
        folder = self.adm.run_dir(job_id)
        prog = read_progress(folder / "progress.jsonl")
        with self._lock:
            job = self._jobs.get(job_id)
        alive = job is not None and job.proc is not None and job.proc.poll() is None
        if run["finished"] is None and job is None:   # started by an earlier server
            run, alive = self._adopt(run, prog), self._lock_held()
        if run["finished"] is not None:
            stage = {0: "done", 3: "refused", LOST: "lost"}.get(run["exit_code"], "failed")
        elif alive or job is not None:   # running, or ended and being recorded
            stage = prog.get("stage", "queued")
            alive = True
        end = run["finished"] or time.time()
        return {
            "job_id": job_id, "user": run["user"], "stage": stage,
            "stage_zh": STAGE_ZH.get(stage, stage), "running": alive and run["finished"] is None,
            "rows": prog.get("rows", 0), "total": prog.get("total", 0),
            "label": prog.get("label", ""), "elapsed_s": round(end - run["started"], 1),
            "exit_code": run["exit_code"], "load_id": run["load_id"],
            "message": run["message"] or "", "files": run["files"],
        }
