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

  /* The hotspot table takes the room its panel has left beside the summary, the coverage
     gaps and the selected grid's cameras, in whole rows (no half row at the fold), and says
     below it how many rows are not in view (另有N条), as the wall's lists do. Sizes are read
     in the panel's own CSS pixels (offsetHeight), so a zoomed 4K page fits the same rows. */
  var HOT_MIN_ROWS = 3;

  function hotRows(scroller) {
    return Array.prototype.filter.call(scroller.querySelectorAll("tbody tr"), function (tr) {
      return tr.querySelector("td") !== null;
    });
  }

  function hotInView(scroller, rows) {
    var head = scroller.querySelector("tbody tr th");
    var top = scroller.scrollTop + (head ? head.parentElement.offsetHeight : 0) - 1;
    var bottom = scroller.scrollTop + scroller.clientHeight + 1;
    return rows.filter(function (tr) {
      var t = rowTop(scroller, tr);
      return t >= top && t + tr.offsetHeight <= bottom;
    }).length;
  }

  function rowTop(scroller, tr) {
    /* the row's top in the scroller's content, in CSS pixels (its table may sit lower) */
    var y = 0, e = tr;
    while (e && e !== scroller) { y += e.offsetTop; e = e.offsetParent; }
    return e === scroller ? y : tr.offsetTop;
  }

  function sayHotMore(scroller, rows, more) {
    var hidden = rows.length - hotInView(scroller, rows);
    var text = hidden > 0 ? "另有" + hidden + "条（在表内滚动查看）" : "";
    if (more.textContent !== text) { more.textContent = text; }
  }

  function fitHotTable() {
    var panel = document.getElementById("an-panel-hotspots");
    var scroller = panel && panel.querySelector("#an-hot-table .dash-spreadsheet-container");
    var more = document.getElementById("an-hot-more");
    if (!scroller || !more) { return; }
    var body = scroller.closest(".an-panel-body");
    var table = document.getElementById("an-hot-table");
    var cs = getComputedStyle(body);
    var room = body.clientHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom);
    Array.prototype.forEach.call(body.children, function (c) {
      if (c === table || c === more) { return; }
      var s = getComputedStyle(c);
      room -= c.offsetHeight + parseFloat(s.marginTop) + parseFloat(s.marginBottom);
    });
    var rows = hotRows(scroller);
    var want = "none";
    if (rows.length) {
      var last = rows[rows.length - 1];
      var full = rowTop(scroller, last) + last.offsetHeight + 1;
      if (full > room) {
        var line = parseFloat(getComputedStyle(more).lineHeight) || 20;
        var fit = room - line, n = 0, h = 0;
        rows.forEach(function (tr, i) {
          var b = rowTop(scroller, tr) + tr.offsetHeight + 1;
          if (b <= fit || i < HOT_MIN_ROWS) { n = i + 1; h = b; }
        });
        want = Math.floor(h) + "px";
      }
    }
    if (panel.style.getPropertyValue("--an-hot-h") !== want) {
      panel.style.setProperty("--an-hot-h", want);
    }
    sayHotMore(scroller, rows, more);
    if (!scroller.__gwHotScroll) {
      scroller.__gwHotScroll = true;
      scroller.addEventListener("scroll", function () {
        sayHotMore(scroller, hotRows(scroller), more);
      }, {passive: true});
    }
  }

  var hotPending = false;
  function fitHotSoon() {
    if (hotPending) { return; }
    hotPending = true;
    setTimeout(function () { hotPending = false; fitHotTable(); }, 0);
  }

  function watchHotPanel() {
    var body = document.querySelector("#an-panel-hotspots .an-panel-body");
    if (!body) { setTimeout(watchHotPanel, 100); return; }
    new MutationObserver(fitHotSoon).observe(body, {childList: true, subtree: true,
                                                    characterData: true});
    window.addEventListener("resize", fitHotSoon);
    if (document.fonts && document.fonts.ready) { document.fonts.ready.then(fitHotSoon); }
    fitHotSoon();
  }
  watchHotPanel();
  window.gwFitHotTable = fitHotTable;

  window.addEventListener("message", function (ev) {
    if (ev.origin !== window.location.origin || !ev.data || ev.data.type !== "gw-deck-grid") {
      return;
    }
    if (window.dash_clientside.set_props) {
      window.dash_clientside.set_props("an-deck-pick", {data: {grid: ev.data.grid, t: Date.now()}});
    }
  });
})();
