"""Make one week's briefing into a folder, all or nothing: read, shoot the wall, draw, print.

Everything is written into a temporary folder beside ``out`` and moved into place at the end,
so a crash, a Ctrl-C or an empty week never leaves a half-written briefing. Output:

    wall.png                              the whole wall at the week's end (1920×1080)
    {theme}_NN_key.png                    one PNG per image slide, 1920×1080, per theme
    briefing_{week}_{theme}.pdf           the document, 16:9 slides, per theme
    briefing_{week}_{theme}.html          the same document, self-contained
    briefing_{week}.docx                  the same briefing as an editable Word document
                                          (text, tables, the light theme's images as 附图)
    briefing.json                         the week, as_of, scope and the key figures (now and
                                          previous week): what the document says, for machines
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from dashboard.briefing import compose as c
from dashboard.figures.briefing_theme import PALETTES
from store.engines import open_store
from store.settings import Settings

MANIFEST = "briefing.json"


class OutError(RuntimeError):
    """--out cannot be made (a file in the way, no permission): the CLI's exit 2."""


@dataclass
class Result:
    out: Path
    files: list[Path]
    briefing: c.Briefing


def _progress(total: int, enabled: bool | None):
    from tqdm import tqdm

    # disable=None: a bar on a terminal, silence in cron logs and tests
    return tqdm(total=total, desc="周报 briefing", unit="步", file=sys.stderr,
                disable=None if enabled is None else not enabled,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n}/{total} {postfix}")


def build(db_path: str | Path, settings: Settings, out: str | Path, *, week: str,
          scope: str = "county", as_of: dt.datetime | None = None,
          themes: tuple[str, ...] = ("dark", "light"), progress: bool | None = None,
          keep: int | None = None) -> Result:
    """Write the briefing of ``week`` into ``out``; raises :class:`compose.EmptyWeek` (nothing
    written) when the week has no event. ``keep``: afterwards keep only the newest ``keep``
    briefing folders beside ``out`` (see :func:`prune`)."""
    from dashboard.briefing import document, shoot

    out = Path(out).resolve()
    store = open_store(str(db_path))
    bar = _progress(4 + 2 * len(themes), progress)
    try:
        bar.set_postfix_str("读取数据")
        b = c.compose(store, settings, week, scope, as_of)
        bar.update()
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
        except OSError as exc:
            raise OutError(f"--out {out}: cannot write there ({exc.strerror}: "
                           f"{exc.filename}); nothing written") from None
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)     # mkdtemp makes 0700; the folder is meant to be shared
        try:
            files = _in_own_thread(_draw, b, store, settings, tmp, themes, bar, document, shoot)
            bar.set_postfix_str("完成")
            _move_into_place(tmp, out)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        bar.update()
    finally:
        bar.close()
        store.close()
    if keep:
        prune(out.parent, keep)
    return Result(out=out, files=[out / f.name for f in files], briefing=b)


def _in_own_thread(fn, *args):
    """``fn(*args)`` in a fresh thread: Playwright's sync API refuses a thread that already
    runs an event loop (a server's, or a test session's own browser), and its objects belong
    to the thread that made them, so the whole Chromium step runs in one new thread."""
    result: dict = {}

    def run():
        try:
            result["value"] = fn(*args)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            result["error"] = exc

    worker = threading.Thread(target=run, name="briefing-chromium")
    worker.start()
    worker.join()
    if "error" in result:
        raise result["error"]
    return result["value"]


def _draw(b, store, settings, tmp: Path, themes, bar, document, shoot) -> list[Path]:
    """The documents are laid out first (pure Python), then the wall (served from this process)
    and the documents draw side by side in Chromium: PNG slides, the wall, then the PDFs."""
    stamp = f"{b.week} · 截至 {b.as_of:%Y-%m-%d %H:%M}"
    township = b.scope.code if b.scope.level == "township" else None
    files: list[Path] = []
    docs, paths = {}, {}
    for theme in themes:
        docs[theme] = document.document(b, PALETTES[theme], None)
        paths[theme] = tmp / f"briefing_{b.week}_{theme}.html"
        paths[theme].write_text(docs[theme], encoding="utf-8")
    with shoot.browser() as browser:
        with shoot.served_wall(store.path, settings, b.as_of.isoformat()) as base:
            wall_page = shoot.open_wall(browser, base, township, (b.start, b.end))
            pages = {theme: shoot.open_document(browser, paths[theme]) for theme in themes}
            bar.update()
            for theme, page in pages.items():
                bar.set_postfix_str(f"{theme} 图片")
                files += shoot.slide_pngs(page, tmp, f"{theme}_")
                bar.update()
            bar.set_postfix_str("大屏截图")
            # the wall compares as the document does (a partly loaded week: backlog only)
            wall, complete = shoot.wall_png(wall_page, stamp, compare_window=not b.partial)
            b.extra["wall_complete"] = complete
            if not complete:
                print("gridwall briefing: the wall did not finish drawing in time; its image is"
                      " partial (大屏截图不完整)", file=sys.stderr)
        (tmp / "wall.png").write_bytes(wall)
        files.insert(0, tmp / "wall.png")
        bar.update()
        for theme, page in pages.items():
            bar.set_postfix_str(f"{theme} PDF")
            pdf = tmp / f"briefing_{b.week}_{theme}.pdf"
            shoot.print_pdf(page, pdf, document.wall_src(wall))
            paths[theme].write_text(document.with_wall(docs[theme], wall), encoding="utf-8")
            files += [pdf, paths[theme]]
            bar.update()
    from dashboard.briefing.word import word_document

    files.append(word_document(b, _word_images(files, themes), tmp / f"briefing_{b.week}.docx"))
    manifest = tmp / MANIFEST
    manifest.write_text(json.dumps(_manifest(b, themes, files), ensure_ascii=False, indent=2),
                        encoding="utf-8")
    return files + [manifest]


def _word_images(files: list[Path], themes) -> dict[str, Path]:
    """slide key → PNG for the Word document's 附图: the light theme's when made (it prints),
    and the wall."""
    theme = "light" if "light" in themes else themes[0]
    out = {f.stem.split("_", 2)[2]: f for f in files
           if f.suffix == ".png" and f.name.startswith(f"{theme}_")}
    out.update({f.stem: f for f in files if f.name == "wall.png"})
    return out


def _manifest(b: c.Briefing, themes, files) -> dict:
    return {"week": b.week, "start": b.start.isoformat(), "end": b.end.isoformat(),
            "as_of": b.as_of.isoformat(sep="T"), "scope": b.scope.key,
            "scope_name": b.scope_name, "themes": list(themes), "demo": b.demo,
            "summary": b.summary, "metrics": b.now, "previous": b.before_defined,
            # whether the document compares the week with the previous one, and why not
            "compared": b.compared, "partial": b.partial, "no_compare": b.no_compare or None,
            "data_until": None if b.data_until is None else b.data_until.isoformat(sep="T"),
            "hotspots": int(len(b.hotspots)), "wall_complete": b.extra.get("wall_complete"),
            "files": sorted(f.name for f in files)}


def _move_into_place(tmp: Path, out: Path) -> None:
    """A new folder appears whole (one rename); an existing one gets each file replaced, the
    manifest last, so a reader that waits for briefing.json sees a complete set."""
    if not out.exists():
        os.replace(tmp, out)
        return
    if not out.is_dir():
        raise FileExistsError(f"{out} exists and is not a folder")
    for f in sorted(tmp.iterdir(), key=lambda p: p.name == MANIFEST):
        os.replace(f, out / f.name)


def prune(parent: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` briefing folders in ``parent`` (folders holding a
    briefing.json), newest by name — dated names (2026-09-07) sort by date. Returns the removed."""
    folders = sorted(p for p in parent.iterdir() if p.is_dir() and (p / MANIFEST).exists())
    doomed = folders[:-keep] if keep > 0 else []
    for p in doomed:
        shutil.rmtree(p, ignore_errors=True)
    return doomed
