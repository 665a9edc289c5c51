"""The load step shared by ``python -m etl load`` and ``python -m etl demo``."""
from __future__ import annotations

import sys


def refused_message(exc) -> str:
    """The one line a load refused by the lock prints (the admin page shows the same)."""
    return f"导入未执行 load refused: {exc}"


def load_and_report(db, config, *, settings=None, report=None, progress=True,
                    progress_file=None) -> int:
    """Run one load; print its summary, or one clear message; return the CLI's exit code.

    ``progress_file``: also write progress as JSON lines there (etl/progress.py)."""
    from etl.report import format_summary

    lines = None
    if progress_file:
        from etl.progress import JsonLines

        lines = JsonLines(progress_file)
        lines.write("reading")
        progress = lines
    code = _run(db, config, settings, report, progress)
    if isinstance(code, dict):
        if lines is not None:
            lines.write("done", load_id=code["load_id"])
        print(format_summary(code))
        return 0
    if lines is not None:
        lines.write("failed", exit_code=code)
    return code


def _run(db, config, settings, report, progress):
    """The report, or the exit code after printing one clear message."""
    from etl.load import LoadError, LoadLocked, run_load

    try:
        return run_load(db, config, settings_path=settings, report_path=report,
                        progress=progress)
    except LoadLocked as exc:
        print(refused_message(exc), file=sys.stderr)
        return 3
    except LoadError as exc:
        print(f"导入失败 load stopped: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:   # an input no check foresaw: still one line and exit 2
        print(f"导入失败 load stopped: {config}: unexpected {type(exc).__name__} "
              f"({_one_line(exc)}) at {_where(exc)}; the database is unchanged",
              file=sys.stderr)
        return 2


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


def _where(exc: BaseException) -> str:
    """file:line of the innermost frame inside the project, for the bug report."""
    import traceback

    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if "/etl/" in f.filename or "/store/" in f.filename]
    f = (frames or traceback.extract_tb(exc.__traceback__) or [None])[-1]
    return "?" if f is None else f"{'/'.join(f.filename.split('/')[-2:])}:{f.lineno}"
