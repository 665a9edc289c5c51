/* The 3D density frame (三维密度): draws the deck JSON that /api/deck returns with the
   deck.gl bundle the app serves (window.createDeck, from pydeck's wheel). No base map, no
   tiles: nothing leaves the machine. The parent page posts {type: "gw-deck", query} when its
   filters change; the frame fetches the new deck and swaps the layers, keeping the camera
   (tilt, rotation, zoom) unless the place changed (then it flies to the new extent). Clicking
   a hotspot outline posts {type: "gw-deck-grid", grid} back to the page. */
(function () {
  "use strict";
  var container = document.getElementById("deck-container");
  var status = document.getElementById("deck-status");
  var legend = document.getElementById("deck-legend");
  var deckgl = null;
  var place = null;
  var seq = 0;

  function placeOf(query) {
    var p = new URLSearchParams(query);
    return (p.get("township") || "") + "|" + (p.get("grid") || "");
  }

  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c];
    });
  }

  function tooltip(info) {
    var o = info && info.object;
    if (!o) { return null; }
    var style = {background: "rgba(10,28,58,0.95)", color: "#e6f1ff", border: "1px solid #27d3ff",
                 fontFamily: "'GridwallCJK','Noto Sans CJK SC',sans-serif", fontSize: "14px",
                 padding: "6px 8px"};
    if (o.tip) { return {html: o.tip, style: style}; }
    if (o.elevationValue !== undefined) {
      var r = window.__gwHexRadius || 300;
      var km2 = 2.598076 * r * r / 1e6;
      return {html: "本格 " + esc(o.elevationValue) + " 件<br>约 " +
              (o.elevationValue / km2).toFixed(0) + " 件/km²", style: style};
    }
    return null;
  }

  function onClick(info) {
    var o = info && info.object;
    if (o && o.code && info.layer && info.layer.id === "hotspots" && window.parent !== window) {
      // a code starting '@@' comes as '&#64;@…' (figures/deck_density.inert)
      var code = String(o.code).replace(/^&#64;/, "@");
      window.parent.postMessage({type: "gw-deck-grid", grid: code}, window.location.origin);
    }
  }

  function show(reply, query) {
    var json = reply.deck;
    window.__gwHexRadius = reply.summary.hex_radius_m;
    var newPlace = placeOf(query);
    window.__gwShowAt = performance.now();
    if (!deckgl) {
      deckgl = window.createDeck({container: container, jsonInput: json, tooltip: null});
      deckgl.setProps({getTooltip: tooltip, onClick: onClick});
      window.__gwDeck = deckgl;     // for the browser test: deck.gl's own projection of the fit
    } else {
      if (newPlace === place) { delete json.initialViewState; }
      window.updateDeck(json, deckgl);
      deckgl.setProps({getTooltip: tooltip, onClick: onClick});
    }
    place = newPlace;
    var s = reply.summary;
    legend.innerHTML = "六边形半径 " + s.hex_radius_m + " 米 · 高度与颜色 = 事件数" +
      " · " + esc(s.cohort || "有效事件") + " " + s.events.toLocaleString("zh-CN") + " 件（有坐标）" +
      " · <span class='hot'>▢ 新发热点 " + s.hotspots + "</span>" +
      " · <span class='gap'>◯ 视频盲区 " + s.gaps + "</span>" +
      (s.grids_left_out ? "<br>网格 " + s.grids_left_out.toLocaleString("zh-CN") +
        " 个：选择镇街显示边界" : "");
    status.textContent = "";
    window.__gwReadyAt = performance.now();
    document.body.setAttribute("data-ready", "1");
  }

  var asked = null;

  function load(query) {
    if (query === asked) { return; }          // already shown or on its way
    asked = query;
    var mine = ++seq;
    var rect = container.getBoundingClientRect();
    var q = query + (query ? "&" : "") + "w=" + Math.round(rect.width) + "&h=" + Math.round(rect.height);
    status.textContent = "加载中…";
    fetch("/api/deck?" + q).then(function (r) {
      if (!r.ok) { return r.json().then(function (e) { throw new Error(e.error || r.status); }); }
      return r.json();
    }).then(function (reply) {
      if (mine === seq) { show(reply, query); }
    }).catch(function (err) {
      asked = null;
      status.textContent = "三维视图暂不可用：" + err.message;
    });
  }

  window.addEventListener("message", function (ev) {
    if (ev.origin !== window.location.origin || !ev.data || ev.data.type !== "gw-deck") { return; }
    load(ev.data.query || "");
  });
  // The frame is opened before the page knows its filters (so the bundle loads while Dash
  // starts): take the page's query if it has one already, else wait for its message.
  var boot = null;
  try {
    if (window.parent !== window && typeof window.parent.__gwDeckQuery === "string") {
      boot = window.parent.__gwDeckQuery;
    }
  } catch (e) { /* not same-origin */ }
  if (boot === null && (window.parent === window || window.location.search)) {
    boot = window.location.search.replace(/^\?/, "");   // opened on its own, or with a query
  }
  if (boot !== null) { load(boot); }
})();
