/* The analysis page's clientside glue (研判): hands the URL's filters to the 3D frame and
   turns a hotspot clicked in the frame into the grid filter. */
(function () {
  "use strict";
  var FILTERS = ["window", "start", "end", "as_of", "township", "grid", "category", "channel",
                 "department", "status", "warning", "q"];

  function filterQuery(search) {
    var p = new URLSearchParams(search || "");
    var out = new URLSearchParams();
    FILTERS.forEach(function (k) { if (p.get(k)) { out.set(k, p.get(k)); } });
    return out.toString();
  }

  var CONTROLS = ["township", "grid", "category", "channel", "department", "status", "warning",
                  "q"];
  var DEFAULT_WINDOW = "30d";
  var LISTED = ["category", "channel", "department"];   /* filters_bar.LISTED */

  function dayBefore(iso) {
    var d = new Date(iso + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() - 1);
    return d.toISOString().slice(0, 10);
  }

  /* Twin of filters_bar.controls_from_args: [window, start, end, township, ...]. */
  function controlsFromArgs(p) {
    var start = p.get("start") || null, end = p.get("end") || null, win;
    if (start || end) {
      win = "custom";
      if (end && end.length === 10) { end = dayBefore(end); }
    } else {
      win = p.get("window") || DEFAULT_WINDOW;
      start = end = null;
    }
    /* the keyword box shows "" for none: a text input given null keeps its old text */
    return [win, start, end].concat(CONTROLS.map(function (k) {
      return p.get(k) || (k === "q" ? "" : null);
    }));
  }

  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.gridwallAnalysis = {
    /* URL → filter controls, in the browser (on load and on back/forward); a control that
       already shows its value is left alone, so nothing fires for nothing. */
    controlsFromSearch: function (search) {
      var n = 3 + CONTROLS.length;      /* window, start, end, then the controls */
      var current = Array.prototype.slice.call(arguments, 1, 1 + n);
      var gridOptions = arguments[1 + n] || [];
      var townOptions = arguments[2 + n] || [];
      var listed = Array.prototype.slice.call(arguments, 3 + n);  /* LISTED's options */
      var want = controlsFromArgs(new URLSearchParams(search || ""));
      /* the URL may name a township (?township=黄泽镇) where the dropdown holds codes: its
         code is shown. One it does not know is left off the dropdown (which would drop it
         and so rewrite the URL to the whole county): the panels read the URL and say
         筛选条件有误, never a silently wider view. */
      var town = want[3];
      if (town) {
        var hit = townOptions.filter(function (o) {
          return o && (o.value === town || o.label === town);
        })[0];
        want[3] = hit ? hit.value : undefined;
      }
      var nu = window.dash_clientside.no_update;
      var out = want.map(function (v, i) {
        if (v === undefined) { return nu; }
        var c = current[i] === undefined || current[i] === "" ? null : current[i];
        if (c !== null && i > 0 && i < 3) { c = String(c).slice(0, 10); }
        return (v === "" ? null : v) === c ? nu : v;
      });
      /* a grid missing from the grid list (not loaded yet) joins it under its id until the
         list arrives; else the dropdown would clear the value it cannot show */
      var grid = want[4];
      var known = gridOptions.some(function (o) { return o && o.value === grid; });
      out.push(grid && !known ? [{label: grid, value: grid}].concat(gridOptions) : nu);
      /* a category, channel or department the list does not hold (a city's department
         past the 200 busiest, opened from the late list) joins it: dropped, the URL
         would lose it and the page show every department's cases under its name */
      LISTED.forEach(function (k, j) {
        var v = want[3 + CONTROLS.indexOf(k)], opts = listed[j] || [];
        var has = opts.some(function (o) { return o && o.value === v; });
        out.push(v && !has ? [{label: v, value: v}].concat(opts) : nu);
      });
      return out;
    },
    /* True once both tables are drawn (the first view): not when their data arrives, when
       their rows are in the page. dash_table draws from a chunk it loads on demand, so on a
       busy machine the data can sit for a moment before a row exists; plotly.js and the 3D
       frame must not start in that moment. Resolves once both tables show
       their rows (an empty answer counts as drawn); stays true. The time is kept for the
       benchmark (window.__gwFirstViewAt, ms from navigation start). */
    firstView: function (events, hot, ready) {
      if (ready) { return window.dash_clientside.no_update; }
      function drawn(id, data) {
        if (!data || !data.length) { return true; }
        return document.querySelector("#" + id + " tbody tr td") !== null;
      }
      var since = performance.now();
      return new Promise(function (resolve) {
        (function check() {
          /* a table that never draws must not keep the rest of the page away for ever */
          if ((drawn("an-events", events) && drawn("an-hot-table", hot))
              || performance.now() - since > 15000) {
            if (window.__gwFirstViewAt === undefined) { window.__gwFirstViewAt = performance.now(); }
            resolve(true);
          } else {
            setTimeout(check, 20);     /* not requestAnimationFrame: a hidden tab never runs it */
          }
        })();
      });
    },
    /* Open the frame once the first view is drawn (it reads window.__gwDeckQuery while it
       boots); afterwards post each new query to it (it keeps its camera). */
    deckQuery: function (search, ready) {
      var nu = window.dash_clientside.no_update;
      if (!ready) { return [nu, nu]; }
      var q = filterQuery(search);
      window.__gwDeckQuery = q;
      var frame = document.getElementById("an-deck-frame");
      if (frame && frame.getAttribute("src")) {
        if (frame.contentWindow) {
          frame.contentWindow.postMessage({type: "gw-deck", query: q}, window.location.origin);
        }
        return [q, nu];
      }
      return [q, "/analysis/deck"];
    }
  };

  /* Lists that fill their panel in whole rows (no half row at the fold) and say below them
     how many rows are not in view, as the wall's lists do: the hotspot table (另有N条) beside
     its summary, coverage gaps and the selected grid's cameras, and the late list (另有N个部门)
     above its line for the departments past the 30 listed. Sizes are read in the panel's own
     CSS pixels (offsetHeight), so a zoomed 4K page fits the same rows. */
  function dataRows(scroller) {
    return Array.prototype.filter.call(scroller.querySelectorAll("tbody tr"), function (tr) {
      return tr.querySelector("td") !== null;
    });
  }

  var LISTS = {
    hot: {panel: "an-panel-hotspots", scroller: "#an-hot-table .dash-spreadsheet-container",
          more: "#an-hot-more", prop: "--an-hot-h", minRows: 3,
          say: function (n) { return "另有" + n + "条（在表内滚动查看）"; },
          holder: function (body) { return body; },
          head: function (sc) {       /* dash_table puts its header row in tbody */
            var th = sc.querySelector("tbody tr th");
            return th ? th.parentElement.offsetHeight : 0;
          }},
    late: {panel: "an-panel-late", scroller: ".an-late-scroll", more: ".an-late-more",
           prop: "--an-late-h", minRows: 2,
           say: function (n) { return "另有" + n + "个部门（在表内滚动查看）"; },
           holder: function (body) { return body.querySelector("#an-late-body"); },
           head: function (sc) {
             var h = sc.querySelector("thead");
             return h ? h.offsetHeight : 0;
           }}
  };

  function rowTop(scroller, tr) {
    /* the row's top in the scroller's content, in CSS pixels (its table may sit lower) */
    var y = 0, e = tr;
    while (e && e !== scroller) { y += e.offsetTop; e = e.offsetParent; }
    return e === scroller ? y : tr.offsetTop;
  }

  function inView(scroller, rows, headH) {
    var top = scroller.scrollTop + headH - 1;
    var bottom = scroller.scrollTop + scroller.clientHeight + 1;
    return rows.filter(function (tr) {
      var t = rowTop(scroller, tr);
      return t >= top && t + tr.offsetHeight <= bottom;
    }).length;
  }

  function sayMore(spec, scroller, more) {
    var rows = dataRows(scroller);
    var hidden = rows.length - inView(scroller, rows, spec.head(scroller));
    var text = hidden > 0 ? spec.say(hidden) : "";
    if (more.textContent !== text) { more.textContent = text; }
  }

  /* The hotspot row of the grid in the URL (grid=), by its index in the table's data
     (pickHotRow); shown once the table is fitted, unless the officer has scrolled since. */
  var hotPick = null;

  function revealPick(scroller, rows, headH) {
    if (!hotPick || hotPick.row >= rows.length) { return; }
    if (scroller.__gwPickTop !== undefined
        && Math.abs(scroller.scrollTop - scroller.__gwPickTop) > 1) {
      hotPick = null;                 /* scrolled by hand since: leave the table where it is */
      return;
    }
    var tr = rows[hotPick.row], t = rowTop(scroller, tr);
    if (t < scroller.scrollTop + headH - 1
        || t + tr.offsetHeight > scroller.scrollTop + scroller.clientHeight + 1) {
      /* whole rows from the top of the view, the picked one in their middle */
      var fit = rows.filter(function (r) {
        return rowTop(scroller, r) + r.offsetHeight <= scroller.clientHeight + 1;
      }).length;
      var first = Math.max(0, hotPick.row - Math.floor((Math.max(fit, 1) - 1) / 2));
      scroller.scrollTop = rowTop(scroller, rows[first]) - headH;
    }
    scroller.__gwPickTop = scroller.scrollTop;
  }

  function fitList(name) {
    var spec = LISTS[name];
    var panel = document.getElementById(spec.panel);
    var scroller = panel && panel.querySelector(spec.scroller);
    var more = panel && panel.querySelector(spec.more);
    if (!scroller || !more) { return; }
    var body = panel.querySelector(".an-panel-body");
    var holder = spec.holder(body);
    var cs = getComputedStyle(body);
    var room = body.clientHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom);
    Array.prototype.forEach.call(holder.children, function (c) {
      if (c.contains(scroller) || c === more) { return; }
      var s = getComputedStyle(c);
      room -= c.offsetHeight + parseFloat(s.marginTop) + parseFloat(s.marginBottom);
    });
    var rows = dataRows(scroller);
    var want = "none";
    if (rows.length) {
      var last = rows[rows.length - 1];
      var full = rowTop(scroller, last) + last.offsetHeight + 1;
      if (full > room) {
        var line = parseFloat(getComputedStyle(more).lineHeight) || 20;
        var fit = room - line, h = 0;
        rows.forEach(function (tr, i) {
          var b = rowTop(scroller, tr) + tr.offsetHeight + 1;
          if (b <= fit || i < spec.minRows) { h = b; }
        });
        want = Math.floor(h) + "px";
      }
    }
    if (panel.style.getPropertyValue(spec.prop) !== want) {
      panel.style.setProperty(spec.prop, want);
    }
    if (name === "hot") { revealPick(scroller, rows, spec.head(scroller)); }
    sayMore(spec, scroller, more);
    if (!scroller.__gwMoreScroll) {
      scroller.__gwMoreScroll = true;
      scroller.addEventListener("scroll", function () { sayMore(spec, scroller, more); },
                                {passive: true});
    }
  }

  var pending = {};
  function fitSoon(name) {
    if (pending[name]) { return; }
    pending[name] = true;
    setTimeout(function () { pending[name] = false; fitList(name); }, 0);
  }

  function watchPanel(name) {
    var body = document.querySelector("#" + LISTS[name].panel + " .an-panel-body");
    if (!body) { setTimeout(function () { watchPanel(name); }, 100); return; }
    var soon = function () { fitSoon(name); };
    new MutationObserver(soon).observe(body, {childList: true, subtree: true,
                                              characterData: true});
    window.addEventListener("resize", soon);
    if (document.fonts && document.fonts.ready) { document.fonts.ready.then(soon); }
    soon();
  }
  watchPanel("hot");
  watchPanel("late");
  window.gwFitHotTable = function () { fitList("hot"); };
  window.gwFitLateList = function () { fitList("late"); };

  /* grid= picked (a link, the back button, a click): the hotspot table's data marks its row
     (sel, hotspot_panel.rows); a row below the fold is scrolled into view. */
  window.dash_clientside.gridwallAnalysis.pickHotRow = function (data) {
    var i = -1;
    (data || []).some(function (r, j) { if (r && r.sel) { i = j; return true; } return false; });
    hotPick = i >= 0 ? {row: i} : null;
    var sc = document.querySelector(LISTS.hot.scroller);
    if (sc) { sc.__gwPickTop = undefined; }
    fitSoon("hot");
  };

  window.addEventListener("message", function (ev) {
    if (ev.origin !== window.location.origin || !ev.data || ev.data.type !== "gw-deck-grid") {
      return;
    }
    if (window.dash_clientside.set_props) {
      window.dash_clientside.set_props("an-deck-pick", {data: {grid: ev.data.grid, t: Date.now()}});
    }
  });
})();
