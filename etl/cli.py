"""The load step shared by ``python -m etl load`` and ``python -m etl demo``.

``db`` is a DuckDB file, ``chdb:DIR`` or ``clickhouse://…`` (store/engines.py). For
ClickHouse the load runs into the DuckDB ledger exactly as for a DuckDB file, then the
ledger is published to ClickHouse (etl/publish_clickhouse.py).
"""
from __future__ import annotations

import sys


def refused_message(exc) -> str:
    """The one line a load refused by the lock prints (the admin page shows the same)."""
    return f"导入未执行 load refused: {exc}"


def _run_load(db, config, *, settings, report, progress) -> dict:
    from etl.load import run_load
    from store.engines import parse_target

    target = parse_target(db)
    if not target.is_clickhouse:
        return run_load(db, config, settings_path=settings, report_path=report,
                        progress=progress)
    from etl import publish as pub
    from etl.publish_clickhouse import publish

    ledger = target.ledger
    if report:
        from etl.load import report_folder

        report_folder(report)
    result = run_load(ledger, config, settings_path=settings, report_path=None,
                      progress=progress)
    with pub.db_lock(ledger):        # no load rewrites the ledger while it is exported
        result["clickhouse"] = publish(target, ledger)
    result["database"] = target.describe()
    if report:
        import json
        from pathlib import Path

        Path(report).write_text(json.dumps(result, ensure_ascii=False, indent=2,
                                           default=str), encoding="utf-8")
    return result


def publish_and_report(db) -> int:
    """``python -m etl publish --db chdb:DIR|clickhouse://…``: publish the ledger again."""
    from etl import publish as pub
    from etl.errors import LoadLocked
    from etl.publish_clickhouse import PublishError, publish
    from store.engines import parse_target

    try:
        target = parse_target(db)
        if not target.is_clickhouse:
            raise PublishError(f"{db}: publish is for chdb:DIR or clickhouse:// targets")
        with pub.db_lock(target.ledger):
            info = publish(target, target.ledger)
    except LoadLocked as exc:
        print(f"发布未执行 publish refused: {exc}", file=sys.stderr)
        return 3
    except (PublishError, ValueError) as exc:
        print(f"发布失败 publish stopped: {exc}; ClickHouse is unchanged", file=sys.stderr)
        return 2
    print(f"published {', '.join(info['tables'])} to {target.describe()} in {info['seconds']} s")
    return 0


def load_and_report(db, config, *, settings=None, report=None, progress=True,
                    progress_file=None) -> int:
    """Run one load; print its summary, or one clear message; return the CLI's exit code.

    ``progress_file``: also write progress as JSON lines there (etl/progress.py)."""
    from etl.report import format_summary

    lines = None
    if progress_file:
        from pathlib import Path

        from etl.progress import JsonLines

        try:    # one line and exit 2, as for every other bad argument (was a traceback, 1)
            Path(progress_file).parent.mkdir(parents=True, exist_ok=True)
            lines = JsonLines(progress_file)
        except OSError as exc:
            print(f"导入失败 load stopped: --progress {progress_file}: {exc.strerror}; "
                  "nothing was loaded", file=sys.stderr)
            return 2
        lines.write("reading")
        progress = lines
    from etl import stop

    stop.install()
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
    from etl.errors import LoadInterrupted, PublishError
    from etl.load import LoadError, LoadLocked

    try:
        return _run_load(db, config, settings=settings, report=report, progress=progress)
    except ValueError as exc:        # a --db that names no engine
        print(f"导入失败 load stopped: {exc}", file=sys.stderr)
        return 2
    except PublishError as exc:
        print(f"发布失败 publish stopped: {exc}; ClickHouse is unchanged, the load is kept in "
              "the ledger: run python -m etl publish --db ... to publish it", file=sys.stderr)
        return 2
    except LoadLocked as exc:
        print(refused_message(exc), file=sys.stderr)
        return 3
    except LoadInterrupted as exc:
        print(f"导入中断 load interrupted: {exc}", file=sys.stderr)
        return 130
    except KeyboardInterrupt:       # reading the config, before the lock: nothing written
        print(f"导入中断 load interrupted: {db}: stopped before the load finished; a load "
              "publishes all or nothing, so nothing half-written is left: run it again",
              file=sys.stderr)
        return 130
    except LoadError as exc:
        print(f"导入失败 load stopped: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:   # an input no check foresaw: still one line and exit 2
        from etl import stop

        if stop.requested():   # DuckDB's 'Query interrupted' after a Ctrl-C
            print(f"导入中断 load interrupted: {db}: stopped before the load finished; a load "
                  "publishes all or nothing, so nothing half-written is left: run it again",
                  file=sys.stderr)
            return 130
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
