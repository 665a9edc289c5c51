"""The wall's one view callback, answered from precomputed replies.

A drill-down used to be a request per panel: a dozen callbacks fighting over the GIL, each
building plotly objects. Now the URL (and the refresh tick and the map controls) feed one
callback whose outputs are every panel's, so a drill-down is two requests side by side: this
one and the few-millisecond URL → drill-store of :mod:`dashboard.wall.drill`. Panels stay rooms of
their own that never import each other: each exposes ``OUTPUTS`` (component id, property),
``read(ctx, v)`` (cached store reads for the view ``v``) and a pure ``outputs(data, v)``;
optional ``with_state`` (what the browser already has; ``STATE_READS_DATA`` if it reads the
panel's data, which is then kept with the reply), ``on_error``, ``CACHE``,
``KEEP_ON_REFRESH``, ``BY_GRID`` and ``BY_LAYERS`` say how a panel's reply may be reused.

A panel's reply is its outputs turned into plain JSON values once (figures as dicts,
components as their JSON form, so Dash's orjson encoder takes its fast path), kept per store
version and view. After each load (the store's version changes on publish by swap) and
whenever as_of moves (with as_of following the clock: ahead of each minute), a background
thread renders the county view and every township view of the default window, so
drill-downs are answered from memory; other windows and grids are
rendered on demand and kept (bounded, least recently used first out).
"""
from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import OrderedDict
from typing import Any, Callable

import dash
import orjson
import plotly.graph_objects as go
from dash import Input, Output, State
from dash.development.base_component import Component
from plotly.io.json import to_json_plotly

from dashboard import heap
from dashboard.wall import (gauges, grid_card, hotspot_board, kpis, live_list, map_panel,
                            mediation, mix, ranking, titlebar, trend, warnings, window_bar)
from dashboard.wall.drill import REFRESH, URL, drill_from_search
from dashboard.wall.figure_json import plain_figure
from dashboard.wall.view import View, current_view
from store import wall_reads as wr
from store.db import StoreError

log = logging.getLogger(__name__)

# every panel the view callback fills, in output order
PANELS = (titlebar, window_bar, kpis, gauges, trend, mix, ranking, mediation, live_list,
          warnings, grid_card, hotspot_board, map_panel)
STATEFUL = tuple(p for p in PANELS if hasattr(p, "STATE"))
KEEP = 400                        # panel replies kept per store version
WARM_EVERY_S = 2.0


# --- plain JSON values ------------------------------------------------------------------

# bound once: ``go.Figure`` is a lazy attribute, an import lookup at every access (it was
# 60 % of turning a 200-row list into JSON)
_FIGURE = go.Figure


_LEAF = frozenset((str, int, float, bool, type(None)))
_PROP_NAMES: dict[type, frozenset] = {}    # per component class: its props' names
_WILDCARDS = ("data-", "aria-")           # Component._valid_wildcard_attributes


def plain(value: Any) -> Any:
    """``value`` as plain JSON values: a figure as its dict, a component as Dash's JSON form
    of it, numpy scalars as Python numbers; ``no_update`` stays itself.

    The exact built-in types are tested first: a city's rows of warnings and rankings are
    ~1 M strings, dicts and lists a minute (already plain, from dashboard.wall.plain_html),
    and asking each whether it is a Component (an ABC) cost ~0.4 s of that minute."""
    t = type(value)
    if t in _LEAF:
        return value
    if t is dict:
        return {k: plain(v) for k, v in value.items()}
    if t is list or t is tuple:
        return [plain(v) for v in value]
    if isinstance(value, Component):
        return _component(value)
    if isinstance(value, _FIGURE):
        return plain_figure(value)
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return value.item()
    return value


def _component(c: Component) -> dict:
    """Dash's JSON form of a component (``Component.to_plotly_json``), made plain: the props
    set on it, read from its ``__dict__`` instead of asking ``hasattr`` of each of its
    class's ~20 prop names (tests/wall/test_reply.py compares both on every panel)."""
    names = _PROP_NAMES.get(type(c))
    if names is None:
        names = _PROP_NAMES[type(c)] = frozenset(c._prop_names)
    props = {k: plain(v) for k, v in vars(c).items()
             if k in names or k.startswith(_WILDCARDS)}
    return {"type": c._type, "namespace": c._namespace, "props": props}


_JSON_OPTS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


def freeze(values: list) -> list:
    """A panel's plain values as they are kept: each dict or list as its JSON bytes.

    Kept as Python dicts and lists, two minutes of a city's 41 views were ~800 k objects
    for the garbage collector to walk: each full collection took 450 ms, every request
    thread stopped behind it, five times a minute. Bytes are not walked, and Dash embeds
    them as they are (:func:`for_dash`), without encoding the reply again."""
    out = []
    for v in values:
        if isinstance(v, (dict, list)):
            try:
                v = orjson.dumps(v, option=_JSON_OPTS)
            except TypeError:              # what orjson does not know, plotly's encoder does
                v = to_json_plotly(v).encode()
        out.append(v)
    return out


def thaw(values: list) -> list:
    """``values`` with their kept JSON as plain values again (tests, tools)."""
    return [orjson.loads(v) if isinstance(v, bytes) else v for v in values]


def for_dash(values: list) -> list:
    """``values`` for the callback's return: kept JSON as orjson fragments, which Dash's
    encoder (orjson) writes out verbatim."""
    return [orjson.Fragment(v) if isinstance(v, bytes) else v for v in values]


# --- replies ------------------------------------------------------------------------------

class Replies:
    """Rendered panel replies ``(data, plain values)`` of one store version, bounded, with
    single flight: a request and the background thread never render the same reply twice."""

    def __init__(self, keep: int = KEEP):
        self.keep = keep
        self._lock = threading.Lock()
        self._items: OrderedDict = OrderedDict()
        self._flights: dict = {}
        self._version: str | None = None
        self._warming = False
        self.stopping = threading.Event()     # set: the background renderer ends its loop
        self._warmer: threading.Thread | None = None
        # the background renderer's last pass (/api/health shows it: is the wall warm?)
        self.rendered: dict | None = None

    def reserve(self, n: int) -> None:
        """Keep at least ``n`` replies (the renderer's views must not push each other out)."""
        with self._lock:
            self.keep = max(self.keep, n)

    def forget_before(self, as_of) -> None:
        """Drop the replies of views before ``as_of`` (the minute shown has moved on: a wall
        asks with the new one at its next refresh)."""
        with self._lock:
            for key in [k for k in self._items if k[4] < as_of]:
                del self._items[key]

    def __len__(self) -> int:
        return len(self._items)

    def get(self, version: str, key: tuple, make: Callable[[], Any]) -> Any:
        with self._lock:
            if version != self._version:
                self._items.clear()
                self._version = version
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            flight = self._flights.setdefault(key, threading.Lock())
        with flight:
            with self._lock:
                if key in self._items:
                    return self._items[key]
            try:
                value = make()
            except BaseException:
                with self._lock:
                    self._flights.pop(key, None)
                raise
            with self._lock:
                if version == self._version:
                    self._items[key] = value
                    while len(self._items) > self.keep:
                        self._items.popitem(last=False)
                self._flights.pop(key, None)
        return value


def panel_key(panel, v: View) -> tuple:
    """What a panel's reply depends on: the scope, the window and as_of; the grid and the
    map controls only for the panels that show them."""
    key = (panel.__name__, v.township, v.start, v.end, v.as_of, v.window)
    if getattr(panel, "BY_GRID", False):
        key += (v.grid,)
    if getattr(panel, "BY_LAYERS", False):
        key += (v.layers, v.measure)
    return key


def render(ctx, panel, v: View) -> tuple[Any, list]:
    data = panel.read(ctx, v)
    return data, plain(list(panel.outputs(data, v)))


def kept(ctx, panel, v: View) -> tuple[Any, list]:
    """What a panel's reply is kept as: its values, frozen, and its data only for a panel
    whose ``with_state`` reads it (``STATE_READS_DATA``; a map's data is GeoDataFrames)."""
    data, values = render(ctx, panel, v)
    return (data if getattr(panel, "STATE_READS_DATA", False) else None), freeze(values)


def panel_reply(ctx, replies: Replies, panel, v: View) -> tuple[Any, list]:
    """The panel's (data, values) for ``v``; values may hold kept JSON (bytes): see
    :func:`freeze`."""
    if not getattr(panel, "CACHE", True):
        return render(ctx, panel, v)
    return replies.get(ctx.store.version, panel_key(panel, v), lambda: kept(ctx, panel, v))


def answer(ctx, replies: Replies, v: View, trigger: str = "view",
           states: dict | None = None) -> list:
    """Every panel's outputs for the view ``v``, in PANELS order (kept JSON as bytes: the
    callback hands them to Dash with :func:`for_dash`). ``trigger``: "view" (a new
    view or the first), "refresh" (the tick: the outputs a panel lists in KEEP_ON_REFRESH
    keep what they have) or "map" (a map control: only the panels that depend on it answer).

    Every panel answers the tick with the view in the URL, not "no change": Dash drops the
    answer of a request a newer one of the same callback overtook, so a drill-down a tick
    overtakes is shown by the tick's answer."""
    states = states or {}
    out: list = []
    for panel in PANELS:
        n = len(panel.OUTPUTS)
        if trigger == "map" and not getattr(panel, "BY_LAYERS", False):
            out += [dash.no_update] * n
            continue
        try:
            data, values = panel_reply(ctx, replies, panel, v)
            if hasattr(panel, "with_state"):
                fresh = panel.with_state(values, data, v, states.get(panel.__name__))
                if fresh is not None:
                    values = plain(list(fresh))
        except StoreError as exc:
            values = (plain(panel.on_error(exc, trigger == "refresh"))
                      if hasattr(panel, "on_error") else [dash.no_update] * n)
        if trigger == "refresh" and getattr(panel, "KEEP_ON_REFRESH", ()):
            values = [dash.no_update if i in panel.KEEP_ON_REFRESH else x
                      for i, x in enumerate(values)]
        out += values
    return out


# --- the background renderer --------------------------------------------------------------

def warm(ctx, replies: Replies, as_of=None, current: Callable[[], bool] | None = None) -> int:
    """Render the county view and every township view of the default window (at ``as_of``,
    default now); returns how many views were rendered.

    ``current`` (asked before each view): False once ``as_of``'s minute has passed. The views
    left are then not rendered: the renderer's next step drops a past minute's replies
    (Replies.forget_before), and on a busy machine a city's round outlasted its minute,
    rendering views nobody would ask for beside the requests rendering the current ones
    (drill-downs of 1-27 s on a 100-township city at load 6-12)."""
    codes = [t["code"] for t in ctx.cached(wr.township_list)]
    cached = sum(1 for p in PANELS if getattr(p, "CACHE", True))
    # room for two minutes of every view (the one shown, the next one rendered ahead) besides
    # what requests render on demand: a city's 100 streets must not push out each other
    replies.reserve(2 * (1 + len(codes)) * cached + KEEP)
    n = 0
    for code in [None, *codes]:
        if replies.stopping.is_set() or (current is not None and not current()):
            break
        v = current_view(ctx, {"township": code}, as_of=as_of)
        for panel in PANELS:
            if getattr(panel, "CACHE", True):
                try:
                    panel_reply(ctx, replies, panel, v)
                except StoreError:
                    raise
                except Exception:  # noqa: BLE001 - one bad panel must not stop the others
                    log.warning("pre-rendering %s failed", panel.__name__, exc_info=True)
        n += 1
    return n


class Warmer:
    """What the background renderer has rendered, and one step of its loop.

    With as_of following the clock (to the minute), every view's figures change when the
    minute turns. Rendering them only then made the drill-downs of the next seconds wait for
    the renderer (0.8 s instead of 25 ms, measured at 1 M events); so the next minute's views
    are rendered ahead, ``lead`` seconds before it (twice the last render's time plus a
    loop's wait), and are ready when the minute turns."""

    def __init__(self, ctx, replies: Replies, every_s: float = WARM_EVERY_S,
                 clock: Callable[[], float] = time.time):
        self.ctx, self.replies, self.every_s, self.clock = ctx, replies, every_s, clock
        self.done: set = set()         # (store version, as_of) rendered
        self.last_s = 0.0

    def _render(self, mark: tuple) -> None:
        t0 = time.perf_counter()
        n = warm(self.ctx, self.replies, mark[1],
                 current=lambda: self.ctx.as_of_at(self.clock()) <= mark[1])
        heap.trim()                     # the render's temporaries are gone: give them back
        self.last_s = time.perf_counter() - t0
        self.done.add(mark)
        self.replies.rendered = {"data_version": mark[0], "as_of": mark[1].isoformat(sep="T"),
                                 "views": n, "seconds": round(self.last_s, 2)}
        log.info("pre-rendered %d views at %s in %.1f s", n, mark[1], self.last_s)

    def step(self) -> None:
        version, at = self.ctx.store.version, self.clock()
        now = (version, self.ctx.as_of_at(at))
        self.done = {m for m in self.done if m[0] == version and m[1] >= now[1]}
        # what requests still ask for (ctx.as_of() is cached for seconds past the turn) stays
        self.replies.forget_before(min(now[1], self.ctx.as_of()))
        if now not in self.done:
            self._render(now)
        lead = min(50.0, 2 * self.last_s + self.every_s)
        ahead = (version, self.ctx.as_of_at(at + lead))
        if ahead[1] > now[1] and ahead not in self.done and not self.replies.stopping.is_set():
            self._render(ahead)


def keep_warm(ctx, replies: Replies, every_s: float = WARM_EVERY_S) -> None:
    """Loop of the background thread: re-render whenever the store version or as_of moves,
    and the next minute's views before it comes."""
    warmer = Warmer(ctx, replies, every_s)
    while not replies.stopping.is_set():
        try:
            warmer.step()
        except Exception:  # noqa: BLE001 - the store may be missing for a while; try again
            log.debug("pre-rendering skipped", exc_info=True)
        replies.stopping.wait(every_s)


def stop_warming(replies: Replies, timeout: float = 60) -> None:
    """End the background renderer and wait for its query in flight: a process must not exit
    (or close its store) while a thread is inside DuckDB, or it aborts with ``terminate called
    without an active exception`` instead of its own exit code."""
    replies.stopping.set()
    thread = replies._warmer
    if thread is not None and thread.is_alive() and thread is not threading.current_thread():
        thread.join(timeout)


# --- the callback -------------------------------------------------------------------------

def start_warming(ctx, replies: Replies) -> None:
    """The background renderer, once per app: started by the first wall that asks, so an app
    built and never browsed (a test, the briefing's CLI) spends nothing on it."""
    with replies._lock:
        if replies._warming:
            return
        replies._warming = True
    thread = threading.Thread(target=keep_warm, args=(ctx, replies),
                              name=f"wall-pre-render-{id(replies)}", daemon=True)
    replies._warmer = thread
    atexit.register(stop_warming, replies)   # atexit runs while daemon threads still live
    thread.start()


def register_callbacks(app, ctx) -> None:
    replies = Replies()
    app.server.config["GRIDWALL_REPLIES"] = replies
    # what must stop before the app's store closes (the briefing serves a wall for seconds)
    app.server.config.setdefault("GRIDWALL_ON_CLOSE", []).append(lambda: stop_warming(replies))
    # a served wall renders its views from the start, not from its first visitor's request:
    # a drill-down in the first seconds then waits for nothing (0.39 s before, at 1 M events)
    app.server.config["GRIDWALL_START_WARMING"] = lambda: start_warming(ctx, replies)

    @app.callback(
        *[Output(cid, prop) for panel in PANELS for cid, prop in panel.OUTPUTS],
        Input(URL, "search"),
        Input(REFRESH, "n_intervals"),
        Input(map_panel.MAP_LAYERS, "value"),
        Input(map_panel.MAP_MEASURE, "value"),
        *[State(*panel.STATE) for panel in STATEFUL],
    )
    def _view(search, _n, layers, measure, *states):
        start_warming(ctx, replies)
        trig = dash.ctx.triggered_id
        trigger = ("refresh" if trig == REFRESH else
                   "map" if trig in (map_panel.MAP_LAYERS, map_panel.MAP_MEASURE) else "view")
        drill = drill_from_search(ctx, search)
        v = current_view(ctx, drill, layers, measure)
        known = {p.__name__: s for p, s in zip(STATEFUL, states)}
        return for_dash(answer(ctx, replies, v, trigger, known))
