"""The load step shared by ``python -m etl load`` and ``python -m etl demo``."""
from __future__ import annotations

import sys


def load_and_report(db, config, *, settings=None, report=None, progress=True) -> int:
    """Run one load; print its summary, or one clear message; return the CLI's exit code."""
    from etl.load import LoadError, LoadLocked, run_load
    from etl.report import format_summary

    try:
        result = run_load(db, config, settings_path=settings, report_path=report,
                          progress=progress)
    except LoadLocked as exc:
        print(f"导入未执行 load refused: {exc}", file=sys.stderr)
        return 3
    except LoadError as exc:
        print(f"导入失败 load stopped: {exc}", file=sys.stderr)
        return 2
    print(format_summary(result))
    return 0
